//! [`DeviceAccess`]: what the host library needs from a card, whatever
//! carries it (VFIO on a board, vfio-user to a simulator in another
//! process), and the checks both carriers share.

use crate::device::{DmaRegion, DriverError};
use std::os::fd::AsRawFd;
use std::time::Duration;
use vmm_sys_util::eventfd::EventFd;

/// A card opened from user space: BAR0 registers, DMA memory the card can
/// reach, MSI vectors.
///
/// Like rust-vmm's `VfioOps`, one safe interface over several backends, so
/// that the host library adapts it to its transport once.
pub trait DeviceAccess {
    /// Reads a 32-bit register of BAR0.
    fn read32(&mut self, offset: u64) -> Result<u32, DriverError>;
    /// Writes a 32-bit register of BAR0.
    fn write32(&mut self, offset: u64, value: u32) -> Result<(), DriverError>;
    /// Allocates zeroed DMA memory the card can reach.
    fn alloc_dma(&mut self, len: usize, align: usize) -> Result<DmaRegion, DriverError>;
    /// Gives DMA memory back (unknown regions are ignored).
    fn free_dma(&mut self, region: DmaRegion);
    /// Copies out of DMA memory.
    fn dma_read(&self, region: &DmaRegion, offset: usize, out: &mut [u8]) -> Result<(), DriverError>;
    /// Copies into DMA memory, ordered before any register write that follows.
    fn dma_write(&self, region: &DmaRegion, offset: usize, data: &[u8]) -> Result<(), DriverError>;
    /// Waits up to `timeout` for MSI `vector`; returns how many arrived.
    fn wait_irq(&self, vector: u32, timeout: Duration) -> Result<u64, DriverError>;
    /// MSI vectors enabled.
    fn msi_vectors(&self) -> usize;
    /// The eventfd MSI `vector` is signalled on, for event loops (epoll,
    /// tokio) to wait on; reading it is [`DeviceAccess::wait_irq`]'s job.
    fn irq_fd(&self, vector: u32) -> Option<std::os::fd::BorrowedFd<'_>>;
    /// What to do between two polls of a register: spin on a board; a
    /// carrier that needs another process to run overrides it to yield.
    fn relax(&mut self) {
        std::hint::spin_loop();
    }
    /// One line for logs and `alpc info`.
    fn describe(&self) -> String;
    /// Maps memory this process already has (a mapping of memory shared
    /// with another process: the broker maps each client's) for the card;
    /// returns its IOVA.
    ///
    /// # Safety
    /// `ptr..ptr + len` must stay mapped until [`DeviceAccess::unmap_user`]
    /// (or the device is dropped); `len` a multiple of 4 KiB.
    unsafe fn map_user(&mut self, ptr: *mut u8, len: usize) -> Result<u64, DriverError> {
        let _ = (ptr, len);
        Err(DriverError::Dma(format!("{} maps only its own DMA memory", self.describe())))
    }
    /// Removes a mapping [`DeviceAccess::map_user`] made.
    fn unmap_user(&mut self, iova: u64) {
        let _ = iova;
    }
}

/// Checks that `len` bytes at `offset` lie inside `size` bytes.
pub(crate) fn check_range(offset: u64, len: u64, size: u64) -> Result<(), DriverError> {
    if offset.checked_add(len).is_none_or(|end| end > size) {
        return Err(DriverError::OutOfBounds { offset, len, size });
    }
    Ok(())
}

/// Checks a 32-bit access at `offset` of a BAR of `size` bytes.
pub(crate) fn check_bar32(offset: u64, size: u64) -> Result<(), DriverError> {
    if offset % 4 != 0 {
        return Err(DriverError::OutOfBounds { offset, len: 4, size });
    }
    check_range(offset, 4, size)
}

/// The eventfd of MSI `vector` among `msi`.
pub(crate) fn msi_fd(msi: &[EventFd], vector: u32) -> Option<std::os::fd::BorrowedFd<'_>> {
    let e = msi.get(vector as usize)?;
    // SAFETY: the EventFd owns its descriptor for as long as it lives, and
    // the borrow cannot outlive `msi`.
    Some(unsafe { std::os::fd::BorrowedFd::borrow_raw(e.as_raw_fd()) })
}

/// Waits up to `timeout` on the eventfd of MSI `vector` among `msi`;
/// returns how many interrupts it counted (0 on timeout).
pub(crate) fn wait_msi(msi: &[EventFd], vector: u32, timeout: Duration) -> Result<u64, DriverError> {
    let fd = msi.get(vector as usize).ok_or(DriverError::BadVector(vector))?;
    if let Ok(n) = fd.read() {
        return Ok(n);
    }
    let mut pfd = libc::pollfd { fd: fd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: one valid pollfd for the duration of the call.
    if unsafe { libc::poll(&mut pfd, 1, ms) } <= 0 {
        return Ok(0);
    }
    Ok(fd.read().unwrap_or(0))
}
