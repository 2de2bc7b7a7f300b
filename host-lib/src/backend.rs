//! Choosing a backend at run time: the same program on the simulated
//! device, the reference model, a simulated card in another process, or a
//! board.
//!
//! ```
//! use alpc_host::{backend, SharedDevice};
//! let dev = SharedDevice::open(backend::open("model")?)?;
//! assert_eq!(dev.lock().contexts(), 16);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::transport::{DmaBuffer, Transport, TransportError};
use std::time::Duration;

/// A backend chosen at run time.
pub type AnyTransport = Box<dyn Transport + Send>;

/// What [`open`] accepts, for help texts.
pub const SPECS: &str = "sim (the Verilator-simulated device, 125 cycles of host-memory latency), \
sim:CYCLES (another latency), model (the reference model: no clock, fastest), \
socket:PATH (a card served by `alpc sim serve --socket PATH`), pci:ADDRESS (a board through VFIO), \
daemon or daemon:PATH (a context of the device `alpcd` owns; default socket $ALPCD_SOCKET or /run/alpcd.sock)";

/// Errors of [`open`].
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The spec names no backend.
    #[error("unknown backend `{0}`: use {SPECS}")]
    Unknown(String),
    /// The backend is not compiled in.
    #[error("backend `{0}` needs the `{1}` feature of alpc-host")]
    NotBuilt(String, &'static str),
    /// The backend could not be opened.
    #[error("cannot open backend `{spec}`: {reason}")]
    Open {
        /// The spec.
        spec: String,
        /// Why.
        reason: String,
    },
}

/// Opens the backend `spec` names (see [`SPECS`]).
pub fn open(spec: &str) -> Result<AnyTransport, BackendError> {
    let fail = |reason: String| BackendError::Open { spec: spec.to_string(), reason };
    let (kind, arg) = spec.split_once(':').unwrap_or((spec, ""));
    match kind {
        "model" if arg.is_empty() => Ok(Box::new(crate::ModelTransport::new(256 << 20))),
        "daemon" => {
            let path = if arg.is_empty() { crate::daemon::client::default_socket() } else { arg.into() };
            Ok(Box::new(crate::DaemonTransport::connect(&path).map_err(|e| fail(e.to_string()))?))
        }
        #[cfg(feature = "sim")]
        "sim" => {
            let latency = if arg.is_empty() { 125 } else { arg.parse().map_err(|_| fail(format!("`{arg}` is not a cycle count")))? };
            let cfg = alpc_sim::SimConfig { timing: alpc_sim::MemTiming::latency(latency), ..Default::default() };
            Ok(Box::new(crate::SimTransport::new(cfg).map_err(|e| fail(e.to_string()))?))
        }
        #[cfg(feature = "vfio")]
        "socket" if !arg.is_empty() => Ok(Box::new(
            crate::VfioUserTransport::connect(std::path::Path::new(arg)).map_err(|e| fail(e.to_string()))?,
        )),
        #[cfg(feature = "vfio")]
        "pci" if !arg.is_empty() => Ok(Box::new(crate::VfioTransport::open(arg).map_err(|e| fail(e.to_string()))?)),
        #[cfg(not(feature = "sim"))]
        "sim" => Err(BackendError::NotBuilt(spec.into(), "sim")),
        #[cfg(not(feature = "vfio"))]
        "socket" | "pci" => Err(BackendError::NotBuilt(spec.into(), "vfio")),
        _ => Err(BackendError::Unknown(spec.into())),
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn read32(&mut self, offset: u64) -> Result<u32, TransportError> {
        (**self).read32(offset)
    }
    fn write32(&mut self, offset: u64, value: u32) -> Result<(), TransportError> {
        (**self).write32(offset, value)
    }
    fn alloc_dma(&mut self, len: usize, align: usize) -> Result<DmaBuffer, TransportError> {
        (**self).alloc_dma(len, align)
    }
    fn free_dma(&mut self, buf: DmaBuffer) {
        (**self).free_dma(buf)
    }
    fn dma_read(&mut self, buf: &DmaBuffer, offset: usize, out: &mut [u8]) -> Result<(), TransportError> {
        (**self).dma_read(buf, offset, out)
    }
    fn dma_write(&mut self, buf: &DmaBuffer, offset: usize, data: &[u8]) -> Result<(), TransportError> {
        (**self).dma_write(buf, offset, data)
    }
    fn wait_irq(&mut self, vector: u32, timeout: Duration) -> Result<u64, TransportError> {
        (**self).wait_irq(vector, timeout)
    }
    fn irq_fd(&self, vector: u32) -> Option<std::os::fd::BorrowedFd<'_>> {
        (**self).irq_fd(vector)
    }
    fn relax(&mut self) {
        (**self).relax()
    }
    fn vectors(&self) -> u32 {
        (**self).vectors()
    }
    fn cycles(&self) -> Option<u64> {
        (**self).cycles()
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn map_shared(&mut self, mem: std::sync::Arc<crate::daemon::unix::Mapping>) -> Result<u64, TransportError> {
        (**self).map_shared(mem)
    }
    fn unmap_shared(&mut self, iova: u64) -> bool {
        (**self).unmap_shared(iova)
    }
    fn broker(&mut self) -> Option<&mut dyn crate::transport::Broker> {
        (**self).broker()
    }
}
