//! The seam between the host library and a device backend.
//!
//! Modelled on how rust-vmm splits device access from the backend: the
//! library speaks only in BAR0 offsets, DMA buffers (an IOVA the device
//! uses plus a host view the CPU reads and writes through the transport, as
//! `vm-memory`'s `Bytes` does for guest memory) and interrupt vectors. The
//! simulated device ([`crate::SimTransport`]) is the first implementation;
//! the VFIO driver is the second; neither crate knows about the other.

use crate::daemon::unix::Mapping;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

/// A range of DMA-able host memory: what the device calls `iova`, what the
/// host reaches through [`Transport::dma_read`] / [`Transport::dma_write`].
/// Returned to the backend with [`Transport::free_dma`].
#[derive(Debug, PartialEq, Eq)]
pub struct DmaBuffer {
    iova: u64,
    len: usize,
}

impl DmaBuffer {
    /// Makes a buffer handle; for transport implementations.
    pub fn new(iova: u64, len: usize) -> DmaBuffer {
        DmaBuffer { iova, len }
    }

    /// The device-side address of byte 0.
    pub fn iova(&self) -> u64 {
        self.iova
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Checks that `[offset, offset + n)` is inside the buffer.
    pub fn check(&self, offset: usize, n: usize) -> Result<(), TransportError> {
        match offset.checked_add(n) {
            Some(end) if end <= self.len => Ok(()),
            _ => Err(TransportError::OutOfBounds {
                offset,
                len: n,
                size: self.len,
            }),
        }
    }
}

/// Transport errors.
#[derive(Debug, Error)]
pub enum TransportError {
    /// A register access failed on the bus.
    #[error("register access failed: {0}")]
    Register(String),
    /// DMA memory could not be allocated or mapped.
    #[error("DMA memory: {0}")]
    Dma(String),
    /// Access outside a DMA buffer.
    #[error("access {offset}+{len} is outside a {size}-byte DMA buffer")]
    OutOfBounds {
        /// Offset of the access.
        offset: usize,
        /// Length of the access.
        len: usize,
        /// Buffer size.
        size: usize,
    },
    /// No such interrupt vector.
    #[error("interrupt vector {0} does not exist")]
    BadVector(u32),
    /// The broker that owns the device refused the request, or is gone.
    #[error("alpcd: {0}")]
    Broker(String),
}

/// A process's credentials as the kernel reported them to the broker when
/// the process connected (`SO_PEERCRED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
    /// Process id.
    pub pid: u32,
}

/// What a transport whose device belongs to a broker (`alpcd`) adds: the
/// broker hands out contexts and identities; the process does not pick
/// them.
pub trait Broker {
    /// A hardware context of this process's own; returns its index. The
    /// broker has set its identity and memory window.
    fn claim_context(&mut self) -> Result<usize, TransportError>;
    /// Gives a claimed context back (after it was disabled).
    fn release_context(&mut self, ctx: usize);
    /// The identity the device stamps on this process's messages.
    fn identity(&self) -> u32;
    /// The credentials behind an identity a completion carried (`None`: no
    /// process of this broker ever had it).
    fn credentials(&mut self, identity: u32) -> Result<Option<Credentials>, TransportError>;
}

/// Register access, DMA memory and interrupts of one device.
pub trait Transport {
    /// Reads the 32-bit register at BAR0 `offset`.
    fn read32(&mut self, offset: u64) -> Result<u32, TransportError>;
    /// Writes the 32-bit register at BAR0 `offset`.
    fn write32(&mut self, offset: u64, value: u32) -> Result<(), TransportError>;
    /// Allocates `len` bytes of zeroed DMA memory aligned to `align`.
    fn alloc_dma(&mut self, len: usize, align: usize) -> Result<DmaBuffer, TransportError>;
    /// Returns DMA memory.
    fn free_dma(&mut self, buf: DmaBuffer);
    /// Copies bytes out of DMA memory.
    fn dma_read(
        &mut self,
        buf: &DmaBuffer,
        offset: usize,
        out: &mut [u8],
    ) -> Result<(), TransportError>;
    /// Copies bytes into DMA memory.
    fn dma_write(
        &mut self,
        buf: &DmaBuffer,
        offset: usize,
        data: &[u8],
    ) -> Result<(), TransportError>;
    /// Waits up to `timeout` for interrupts on `vector`; returns how many
    /// arrived since the last call (0 on timeout). A simulated device counts
    /// `timeout` in simulated time.
    fn wait_irq(&mut self, vector: u32, timeout: Duration) -> Result<u64, TransportError>;
    /// The file descriptor interrupt `vector` is signalled on (an eventfd
    /// of VFIO or vfio-user), when the backend has one: event loops wait on
    /// it becoming readable, then call [`Transport::wait_irq`] (which reads
    /// it). Simulated and model devices have none.
    fn irq_fd(&self, _vector: u32) -> Option<std::os::fd::BorrowedFd<'_>> {
        None
    }
    /// Called by polling loops with nothing to do: a spin hint on hardware,
    /// a few clock cycles on a simulated device (whose time only moves when
    /// the host lets it).
    fn relax(&mut self);
    /// Interrupt vectors the backend delivers (0..this).
    fn vectors(&self) -> u32;
    /// Device clock cycles elapsed, when the backend can count them exactly.
    fn cycles(&self) -> Option<u64>;
    /// A short description for logs ("Verilator simulation", "0000:01:00.0").
    fn describe(&self) -> String;
    /// Makes memory another process shares with this one DMA-able (the
    /// broker maps each client's memory); returns its IOVA. Backends that
    /// cannot say so.
    fn map_shared(&mut self, mem: Arc<Mapping>) -> Result<u64, TransportError> {
        let _ = mem;
        Err(TransportError::Dma(format!("{} cannot map another process's memory", self.describe())))
    }
    /// Unmaps what [`Transport::map_shared`] mapped at `iova` (the device
    /// must be done with it); false if nothing was.
    fn unmap_shared(&mut self, iova: u64) -> bool {
        let _ = iova;
        false
    }
    /// The broker, when the device is reached through one.
    fn broker(&mut self) -> Option<&mut dyn Broker> {
        None
    }
}
