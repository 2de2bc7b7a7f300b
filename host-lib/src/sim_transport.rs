//! [`Transport`] over the Verilator-simulated device.

use crate::host_dma;
use crate::transport::{DmaBuffer, Transport, TransportError};
use alpc_contract::bus;
use alpc_sim::{CoreModel, SimConfig, SimDevice, SimError};
use std::time::Duration;

/// Cycles a polling loop lets pass per [`Transport::relax`]: about one
/// uncached memory read of a CPU, at the design clock.
pub const RELAX_CYCLES: u64 = 8;

/// The simulated device as a transport; `M` picks the build of the core
/// (the default 16 contexts, or `alpc_sim::Core64`).
pub struct SimTransport<M: CoreModel = alpc_sim::model::Model> {
    dev: SimDevice<M>,
    shared: host_dma::SharedMaps,
}

impl SimTransport {
    /// Builds the default simulated device (16 contexts).
    pub fn new(config: SimConfig) -> Result<SimTransport, SimError> {
        Self::with_core(config)
    }
}

impl<M: CoreModel> SimTransport<M> {
    /// Builds a simulated device on another build of the core (e.g.
    /// `alpc_sim::Core64`, 64 contexts).
    pub fn with_core(config: SimConfig) -> Result<SimTransport<M>, SimError> {
        Ok(SimTransport { dev: SimDevice::with_core(config)?, shared: Default::default() })
    }

    /// The simulator, for inspection (bus statistics, interrupts, waveforms).
    pub fn sim(&self) -> &SimDevice<M> {
        &self.dev
    }

    /// The simulator, mutable.
    pub fn sim_mut(&mut self) -> &mut SimDevice<M> {
        &mut self.dev
    }
}

fn reg_err(e: SimError) -> TransportError {
    TransportError::Register(e.to_string())
}

impl<M: CoreModel> Transport for SimTransport<M> {
    fn read32(&mut self, offset: u64) -> Result<u32, TransportError> {
        self.dev.bar_read32(offset).map_err(reg_err)
    }

    fn write32(&mut self, offset: u64, value: u32) -> Result<(), TransportError> {
        self.dev.bar_write32(offset, value).map_err(reg_err)
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

    fn wait_irq(&mut self, vector: u32, timeout: Duration) -> Result<u64, TransportError> {
        if vector as usize >= bus::MSI_VECTORS {
            return Err(TransportError::BadVector(vector));
        }
        let cycles = (timeout.as_nanos() as u64).saturating_mul(bus::CLOCK_MHZ) / 1000;
        let mut got = self.dev.take_irqs(vector);
        let mut left = cycles;
        while got == 0 && left > 0 {
            self.dev.step();
            left -= 1;
            got = self.dev.take_irqs(vector);
        }
        Ok(got)
    }

    fn relax(&mut self) {
        self.dev.run(RELAX_CYCLES);
    }

    fn vectors(&self) -> u32 {
        bus::MSI_VECTORS as u32
    }

    fn cycles(&self) -> Option<u64> {
        Some(self.dev.cycle())
    }

    fn describe(&self) -> String {
        format!("Verilator simulation ({} MHz model clock)", bus::CLOCK_MHZ)
    }

    fn map_shared(&mut self, mem: std::sync::Arc<crate::daemon::unix::Mapping>) -> Result<u64, TransportError> {
        self.shared.map(self.dev.mem_mut(), mem)
    }

    fn unmap_shared(&mut self, iova: u64) -> bool {
        self.shared.unmap(self.dev.mem_mut(), iova)
    }
}
