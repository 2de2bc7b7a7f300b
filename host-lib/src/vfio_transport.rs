//! [`Transport`] over the user-space driver: a board through VFIO
//! ([`VfioTransport`]) or the simulated card in another process through
//! vfio-user ([`VfioUserTransport`]). Both are [`DriverTransport`] over an
//! `alpc_driver::DeviceAccess`; this file only translates errors.

use crate::transport::{DmaBuffer, Transport, TransportError};
use alpc_driver::{DeviceAccess, DmaRegion, DriverError, VfioPci, VfioUserDevice};
use std::time::Duration;

/// IOVAs handed to the accelerator: below 2^39, what every VT-d and AMD-Vi
/// IOMMU translates.
pub const IOVA_LIMIT: u64 = 1 << 39;

/// DMA memory shared with a vfio-user server.
pub const VFIO_USER_POOL: usize = 64 << 20;

/// A card reached through the user-space driver.
pub struct DriverTransport<D: DeviceAccess> {
    // Field order is drop order: the device (its IOMMU mappings) first,
    // then the shared memory it mapped.
    dev: D,
    shared: std::collections::HashMap<u64, std::sync::Arc<crate::daemon::unix::Mapping>>,
}

/// A board opened through VFIO.
pub type VfioTransport = DriverTransport<VfioPci>;

/// The simulated card in another process, over vfio-user
/// (`alpc sim serve --socket PATH`).
pub type VfioUserTransport = DriverTransport<VfioUserDevice>;

impl<D: DeviceAccess> DriverTransport<D> {
    /// Wraps an opened device.
    pub fn new(dev: D) -> Self {
        DriverTransport { dev, shared: Default::default() }
    }

    /// The driver's device.
    pub fn device(&self) -> &D {
        &self.dev
    }
}

impl DriverTransport<VfioPci> {
    /// Opens the board at a PCI address such as `0000:01:00.0`.
    pub fn open(pci_address: &str) -> Result<VfioTransport, DriverError> {
        Ok(DriverTransport::new(VfioPci::open(pci_address, IOVA_LIMIT)?))
    }
}

impl DriverTransport<VfioUserDevice> {
    /// Connects to the server listening on `socket`.
    pub fn connect(socket: &std::path::Path) -> Result<VfioUserTransport, DriverError> {
        Ok(DriverTransport::new(VfioUserDevice::connect(socket, VFIO_USER_POOL)?))
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

impl<D: DeviceAccess> Transport for DriverTransport<D> {
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

    fn irq_fd(&self, vector: u32) -> Option<std::os::fd::BorrowedFd<'_>> {
        self.dev.irq_fd(vector)
    }

    fn relax(&mut self) {
        self.dev.relax();
    }

    fn vectors(&self) -> u32 {
        self.dev.msi_vectors() as u32
    }

    fn cycles(&self) -> Option<u64> {
        None
    }

    fn describe(&self) -> String {
        self.dev.describe()
    }

    fn map_shared(&mut self, mem: std::sync::Arc<crate::daemon::unix::Mapping>) -> Result<u64, TransportError> {
        // SAFETY: the mapping is kept (in `shared`) until unmapped here.
        let iova = unsafe { self.dev.map_user(mem.as_ptr(), mem.len()) }.map_err(dma)?;
        self.shared.insert(iova, mem);
        Ok(iova)
    }

    fn unmap_shared(&mut self, iova: u64) -> bool {
        self.dev.unmap_user(iova);
        self.shared.remove(&iova).is_some()
    }
}

/// Opens the board at a PCI address: `Device::open` over [`VfioTransport`].
pub fn open_board(pci_address: &str) -> Result<crate::Device<VfioTransport>, crate::Error> {
    let t = VfioTransport::open(pci_address).map_err(|e| crate::TransportError::Register(e.to_string()))?;
    crate::Device::open(t)
}
