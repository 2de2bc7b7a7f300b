//! [`Transport`] over the transaction-level reference model: the same device
//! semantics with no Verilator and no clock, for fast software tests.

use crate::host_dma;
use crate::transport::{DmaBuffer, Transport, TransportError};
use alpc_contract::bus;
use alpc_model::{HostMemory, ModelDevice};
use std::time::Duration;

/// The reference model as a transport.
pub struct ModelTransport {
    dev: ModelDevice,
    shared: host_dma::SharedMaps,
}

impl ModelTransport {
    /// A model device over `mem_size` bytes of host memory at the simulator's
    /// default IOVA base (so both backends hand out the same addresses).
    pub fn new(mem_size: u64) -> ModelTransport {
        ModelTransport {
            dev: ModelDevice::new(HostMemory::new(
                alpc_model::host_memory::DEFAULT_BASE,
                mem_size,
            )),
            shared: Default::default(),
        }
    }

    /// The model, for inspection.
    pub fn model(&self) -> &ModelDevice {
        &self.dev
    }

    /// The model, mutable.
    pub fn model_mut(&mut self) -> &mut ModelDevice {
        &mut self.dev
    }
}

impl Transport for ModelTransport {
    fn read32(&mut self, offset: u64) -> Result<u32, TransportError> {
        self.dev
            .read32(offset)
            .map_err(|e| TransportError::Register(e.to_string()))
    }

    fn write32(&mut self, offset: u64, value: u32) -> Result<(), TransportError> {
        self.dev
            .write32(offset, value)
            .map_err(|e| TransportError::Register(e.to_string()))
    }

    fn alloc_dma(&mut self, len: usize, align: usize) -> Result<DmaBuffer, TransportError> {
        host_dma::alloc(self.dev.mem_mut(), len, align)
    }

    fn free_dma(&mut self, buf: DmaBuffer) {
        host_dma::free(self.dev.mem_mut(), buf)
    }

    fn dma_read(
        &mut self,
        buf: &DmaBuffer,
        offset: usize,
        out: &mut [u8],
    ) -> Result<(), TransportError> {
        host_dma::read(self.dev.mem(), buf, offset, out)
    }

    fn dma_write(
        &mut self,
        buf: &DmaBuffer,
        offset: usize,
        data: &[u8],
    ) -> Result<(), TransportError> {
        host_dma::write(self.dev.mem_mut(), buf, offset, data)
    }

    fn wait_irq(&mut self, vector: u32, _timeout: Duration) -> Result<u64, TransportError> {
        if vector as usize >= bus::MSI_VECTORS {
            return Err(TransportError::BadVector(vector));
        }
        // The model finishes all work inside the doorbell write: nothing more
        // will arrive by waiting.
        Ok(self.dev.take_irqs(vector))
    }

    fn relax(&mut self) {}

    fn vectors(&self) -> u32 {
        bus::MSI_VECTORS as u32
    }

    fn cycles(&self) -> Option<u64> {
        None
    }

    fn describe(&self) -> String {
        "reference model (transaction level, no clock)".into()
    }

    fn map_shared(&mut self, mem: std::sync::Arc<crate::daemon::unix::Mapping>) -> Result<u64, TransportError> {
        self.shared.map(self.dev.mem_mut(), mem)
    }

    fn unmap_shared(&mut self, iova: u64) -> bool {
        self.shared.unmap(self.dev.mem_mut(), iova)
    }
}
