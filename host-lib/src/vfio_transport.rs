//! [`Transport`] over a real board through the VFIO driver.

use crate::transport::{DmaBuffer, Transport, TransportError};
use alpc_driver::{DmaRegion, DriverError, VfioPci};
use std::time::Duration;

/// IOVAs handed to the accelerator: below 2^39, what every VT-d and AMD-Vi
/// IOMMU translates.
pub const IOVA_LIMIT: u64 = 1 << 39;

/// A board opened through VFIO.
pub struct VfioTransport {
    dev: VfioPci,
}

impl VfioTransport {
    /// Opens the board at a PCI address such as `0000:01:00.0`.
    pub fn open(pci_address: &str) -> Result<VfioTransport, DriverError> {
        Ok(VfioTransport { dev: VfioPci::open(pci_address, IOVA_LIMIT)? })
    }

    /// The driver's device.
    pub fn device(&self) -> &VfioPci {
        &self.dev
    }
}

fn reg(e: DriverError) -> TransportError {
    TransportError::Register(e.to_string())
}

fn dma(e: DriverError) -> TransportError {
    match e {
        DriverError::OutOfBounds { offset, len, size } => {
            TransportError::OutOfBounds { offset: offset as usize, len: len as usize, size: size as usize }
        }
        e => TransportError::Dma(e.to_string()),
    }
}

fn region(buf: &DmaBuffer) -> DmaRegion {
    DmaRegion { iova: buf.iova(), len: buf.len() }
}

impl Transport for VfioTransport {
    fn read32(&mut self, offset: u64) -> Result<u32, TransportError> {
        self.dev.read32(offset).map_err(reg)
    }

    fn write32(&mut self, offset: u64, value: u32) -> Result<(), TransportError> {
        self.dev.write32(offset, value).map_err(reg)
    }

    fn alloc_dma(&mut self, len: usize, align: usize) -> Result<DmaBuffer, TransportError> {
        let r = self.dev.alloc_dma(len, align).map_err(dma)?;
        Ok(DmaBuffer::new(r.iova, r.len))
    }

    fn free_dma(&mut self, buf: DmaBuffer) {
        self.dev.free_dma(region(&buf));
    }

    fn dma_read(&mut self, buf: &DmaBuffer, offset: usize, out: &mut [u8]) -> Result<(), TransportError> {
        self.dev.dma_read(&region(buf), offset, out).map_err(dma)
    }

    fn dma_write(&mut self, buf: &DmaBuffer, offset: usize, data: &[u8]) -> Result<(), TransportError> {
        self.dev.dma_write(&region(buf), offset, data).map_err(dma)
    }

    fn wait_irq(&mut self, vector: u32, timeout: Duration) -> Result<u64, TransportError> {
        self.dev.wait_irq(vector, timeout).map_err(|_| TransportError::BadVector(vector))
    }

    fn relax(&mut self) {
        std::hint::spin_loop();
    }

    fn vectors(&self) -> u32 {
        self.dev.msi_vectors() as u32
    }

    fn cycles(&self) -> Option<u64> {
        None
    }

    fn describe(&self) -> String {
        format!("board at {} through VFIO", self.dev.address())
    }
}

/// Opens the board at a PCI address: `Device::open` over [`VfioTransport`].
pub fn open_board(pci_address: &str) -> Result<crate::Device<VfioTransport>, crate::Error> {
    let t = VfioTransport::open(pci_address).map_err(|e| crate::TransportError::Register(e.to_string()))?;
    crate::Device::open(t)
}

/// The simulated card in another process, over vfio-user
/// (`alpc sim serve --socket PATH`).
pub struct VfioUserTransport {
    dev: alpc_driver::VfioUserDevice,
}

/// DMA memory shared with a vfio-user server.
pub const VFIO_USER_POOL: usize = 64 << 20;

impl VfioUserTransport {
    /// Connects to the server listening on `socket`.
    pub fn connect(socket: &std::path::Path) -> Result<VfioUserTransport, DriverError> {
        Ok(VfioUserTransport { dev: alpc_driver::VfioUserDevice::connect(socket, VFIO_USER_POOL)? })
    }
}

impl Transport for VfioUserTransport {
    fn read32(&mut self, offset: u64) -> Result<u32, TransportError> {
        self.dev.read32(offset).map_err(reg)
    }

    fn write32(&mut self, offset: u64, value: u32) -> Result<(), TransportError> {
        self.dev.write32(offset, value).map_err(reg)
    }

    fn alloc_dma(&mut self, len: usize, align: usize) -> Result<DmaBuffer, TransportError> {
        let r = self.dev.alloc_dma(len, align).map_err(dma)?;
        Ok(DmaBuffer::new(r.iova, r.len))
    }

    fn free_dma(&mut self, buf: DmaBuffer) {
        self.dev.free_dma(region(&buf));
    }

    fn dma_read(&mut self, buf: &DmaBuffer, offset: usize, out: &mut [u8]) -> Result<(), TransportError> {
        self.dev.dma_read(&region(buf), offset, out).map_err(dma)
    }

    fn dma_write(&mut self, buf: &DmaBuffer, offset: usize, data: &[u8]) -> Result<(), TransportError> {
        self.dev.dma_write(&region(buf), offset, data).map_err(dma)
    }

    fn wait_irq(&mut self, vector: u32, timeout: Duration) -> Result<u64, TransportError> {
        self.dev.wait_irq(vector, timeout).map_err(|_| TransportError::BadVector(vector))
    }

    fn relax(&mut self) {
        std::thread::yield_now();
    }

    fn vectors(&self) -> u32 {
        self.dev.msi_vectors() as u32
    }

    fn cycles(&self) -> Option<u64> {
        None
    }

    fn describe(&self) -> String {
        "simulated card in another process, over vfio-user".into()
    }
}
