//! The device behind a vfio-user socket: the simulated card served by
//! `alpc sim serve` (or any vfio-user server of the same device).
//!
//! The same jobs as [`crate::VfioPci`], over the protocol: BAR0 accesses are
//! messages, DMA memory is one memfd shared with the server (mapped once,
//! then carved up by the same IOVA allocator), MSI arrive on eventfds the
//! server writes.

use crate::access::{check_bar32, check_range, wait_msi, DeviceAccess};
use crate::device::{DmaRegion, DriverError};
use alpc_iova::{IovaAllocator, PAGE};
use memmap2::{MmapOptions, MmapRaw};
use std::collections::BTreeMap;
use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd};
use std::path::Path;
use std::time::Duration;
use vfio_bindings::bindings::vfio::{VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_DATA_EVENTFD, VFIO_PCI_MSI_IRQ_INDEX};
use vfio_user::Client;
use vmm_sys_util::eventfd::{EventFd, EFD_NONBLOCK};

/// Where the shared DMA pool starts in the device's address space (above
/// 4 GiB, as with the simulator's own memory).
pub const POOL_IOVA: u64 = 0x1_0000_0000;

/// A device reached over vfio-user.
pub struct VfioUserDevice {
    client: Client,
    bar0_size: u64,
    pool: MmapRaw,
    _pool_fd: File,
    iova: IovaAllocator,
    regions: BTreeMap<u64, usize>,
    msi: Vec<EventFd>,
}

fn err(what: &str, e: impl std::fmt::Display) -> DriverError {
    DriverError::Dma(format!("vfio-user {what}: {e}"))
}

impl VfioUserDevice {
    /// Connects to the server at `socket` and shares `pool_size` bytes of
    /// DMA memory with it.
    pub fn connect(socket: &Path, pool_size: usize) -> Result<VfioUserDevice, DriverError> {
        let mut client = Client::new(socket).map_err(|e| err(&format!("connect to {}", socket.display()), e))?;
        let bar0_size = client.region(0).map(|r| r.size).ok_or_else(|| err("BAR0", "the server has no region 0"))?;
        let pool_size = pool_size.next_multiple_of(PAGE as usize);
        let name = std::ffi::CString::new("alpc-dma").unwrap();
        // SAFETY: memfd_create with a valid C string; the result is checked.
        let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(err("memfd_create", std::io::Error::last_os_error()));
        }
        // SAFETY: `fd` is a fresh descriptor that nothing else owns.
        let file = unsafe { File::from_raw_fd(fd) };
        file.set_len(pool_size as u64).map_err(|e| err("memfd size", e))?;
        let pool = MmapOptions::new().len(pool_size).map_raw(&file).map_err(|e| err("mmap", e))?;
        client.dma_map(0, POOL_IOVA, pool_size as u64, file.as_raw_fd()).map_err(|e| err("DMA map", e))?;
        let vectors = client.get_irq_info(VFIO_PCI_MSI_IRQ_INDEX).map(|i| i.count).unwrap_or(0);
        let mut msi = Vec::new();
        for _ in 0..vectors {
            msi.push(EventFd::new(EFD_NONBLOCK).map_err(|e| err("eventfd", e))?);
        }
        // One descriptor per message: what every vfio-user server accepts
        // (this crate's server advertises a limit of one).
        for (k, e) in msi.iter().enumerate() {
            let flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
            client
                .set_irqs(VFIO_PCI_MSI_IRQ_INDEX, flags, k as u32, 1, &[e.as_raw_fd()])
                .map_err(|e| err("MSI", e))?;
        }
        Ok(VfioUserDevice {
            client,
            bar0_size,
            pool,
            _pool_fd: file,
            iova: IovaAllocator::pages(POOL_IOVA, POOL_IOVA + pool_size as u64),
            regions: BTreeMap::new(),
            msi,
        })
    }

    fn ptr(&self, region: &DmaRegion, offset: usize, n: usize) -> Result<*mut u8, DriverError> {
        // The allocation holding the region's start (a region may be part
        // of one: a view of a section starts inside it).
        let Some((&base, &mapped)) = self.regions.range(..=region.iova).next_back() else {
            return Err(err("DMA", "unknown region"));
        };
        let inside = (region.iova - base).checked_add(region.len as u64).is_some_and(|end| end <= mapped as u64);
        if !inside {
            return Err(err("DMA", "unknown region"));
        }
        check_range(offset as u64, n as u64, region.len as u64)?;
        // SAFETY: the region lies inside one allocation of the pool mapping
        // (allocations come from the allocator over the pool's IOVA range)
        // and offset + n is inside the region.
        Ok(unsafe { self.pool.as_mut_ptr().add((region.iova - POOL_IOVA) as usize + offset) })
    }
}

impl DeviceAccess for VfioUserDevice {
    fn read32(&mut self, offset: u64) -> Result<u32, DriverError> {
        check_bar32(offset, self.bar0_size)?;
        let mut b = [0u8; 4];
        self.client.region_read(0, offset, &mut b).map_err(|e| DriverError::Bar(e.to_string()))?;
        Ok(u32::from_le_bytes(b))
    }

    fn write32(&mut self, offset: u64, value: u32) -> Result<(), DriverError> {
        check_bar32(offset, self.bar0_size)?;
        self.client.region_write(0, offset, &value.to_le_bytes()).map_err(|e| DriverError::Bar(e.to_string()))
    }

    fn alloc_dma(&mut self, len: usize, align: usize) -> Result<DmaRegion, DriverError> {
        let size = (len.max(1) as u64).next_multiple_of(PAGE);
        let iova = self.iova.alloc(size, align as u64).ok_or_else(|| err("DMA pool", "exhausted"))?;
        self.regions.insert(iova, size as usize);
        let r = DmaRegion { iova, len };
        self.dma_write(&r, 0, &vec![0; len])?;
        Ok(r)
    }

    fn free_dma(&mut self, region: DmaRegion) {
        if let Some(size) = self.regions.remove(&region.iova) {
            self.iova.free(region.iova, size as u64);
        }
    }

    fn dma_read(&self, region: &DmaRegion, offset: usize, out: &mut [u8]) -> Result<(), DriverError> {
        let p = self.ptr(region, offset, out.len())?;
        // SAFETY: in bounds (checked); no Rust reference to shared memory.
        unsafe { std::ptr::copy_nonoverlapping(p, out.as_mut_ptr(), out.len()) };
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    fn dma_write(&self, region: &DmaRegion, offset: usize, data: &[u8]) -> Result<(), DriverError> {
        let p = self.ptr(region, offset, data.len())?;
        // SAFETY: in bounds (checked); no Rust reference to shared memory.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len()) };
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    fn wait_irq(&self, vector: u32, timeout: Duration) -> Result<u64, DriverError> {
        wait_msi(&self.msi, vector, timeout)
    }

    fn msi_vectors(&self) -> usize {
        self.msi.len()
    }

    fn irq_fd(&self, vector: u32) -> Option<std::os::fd::BorrowedFd<'_>> {
        crate::access::msi_fd(&self.msi, vector)
    }

    fn relax(&mut self) {
        // The card is simulated by another process on the same cores.
        std::thread::yield_now();
    }

    fn describe(&self) -> String {
        "simulated card in another process, over vfio-user".into()
    }
}

impl Drop for VfioUserDevice {
    fn drop(&mut self) {
        let _ = self.client.shutdown();
    }
}
