//! Host memory as the device sees it: a range of IOVAs backed by bytes.
//!
//! Stands in for the RAM behind the IOMMU. Buffers are carved out by the
//! same first-fit IOVA allocator the VFIO driver uses (`alpc-iova`), byte
//! granular here.
//! Any access outside `[base, base + size)` is a fault: the AXI responder
//! answers it with DECERR, as an IOMMU fault would surface on a real bus.

use alpc_iova::IovaAllocator;
use thiserror::Error;

/// Default IOVA where host memory starts: above 4 GiB, so 64-bit addressing
/// is exercised on every access.
pub const DEFAULT_BASE: u64 = 0x1_0000_0000;

/// Host memory access errors.
#[derive(Debug, Error, PartialEq, Eq, Clone)]
pub enum MemError {
    /// The range is not backed by host memory.
    #[error("IOVA range {iova:#x}+{len:#x} is outside host memory")]
    OutOfRange {
        /// Start of the range.
        iova: u64,
        /// Length of the range.
        len: u64,
    },
    /// No free range of that size.
    #[error("host memory exhausted: no free {0:#x}-byte range")]
    Exhausted(u64),
}

/// Where the bytes live.
enum Backing {
    /// Memory of this process.
    Owned(Vec<u8>),
    /// Memory shared with another process (a vfio-user client's memfd).
    Shared {
        ptr: *mut u8,
        len: usize,
        _keep: Box<dyn Send>,
    },
}

// SAFETY: `Shared` points into a mapping kept alive by `_keep`, which is
// `Send`; the pointer itself carries no thread affinity.
unsafe impl Send for Backing {}

impl Backing {
    fn len(&self) -> usize {
        match self {
            Backing::Owned(v) => v.len(),
            Backing::Shared { len, .. } => *len,
        }
    }

    fn read(&self, off: usize, buf: &mut [u8]) {
        match self {
            Backing::Owned(v) => buf.copy_from_slice(&v[off..off + buf.len()]),
            // SAFETY: the caller checked off + buf.len() <= len; the mapping
            // is alive (see `HostMemory::shared`). No reference to shared
            // memory is made: the other process may be writing it.
            Backing::Shared { ptr, .. } => unsafe {
                std::ptr::copy_nonoverlapping(ptr.add(off), buf.as_mut_ptr(), buf.len())
            },
        }
    }

    fn write(&mut self, off: usize, data: &[u8]) {
        match self {
            Backing::Owned(v) => v[off..off + data.len()].copy_from_slice(data),
            // SAFETY: as in `read`.
            Backing::Shared { ptr, .. } => unsafe {
                std::ptr::copy_nonoverlapping(data.as_ptr(), ptr.add(off), data.len())
            },
        }
    }
}

/// See the module documentation.
pub struct HostMemory {
    base: u64,
    bytes: Backing,
    /// Hands out buffers, byte granular.
    free: IovaAllocator,
}

impl HostMemory {
    /// `size` bytes of host memory starting at IOVA `base`. The backing is
    /// allocated zeroed and lazily by the OS, so a large size costs nothing
    /// until touched.
    pub fn new(base: u64, size: u64) -> HostMemory {
        HostMemory {
            base,
            bytes: Backing::Owned(vec![0; size as usize]),
            free: IovaAllocator::new(base, base + size, 1),
        }
    }

    /// Host memory that lives in a mapping shared with another process (a
    /// vfio-user client hands its DMA memory over as a memfd). The
    /// allocator starts empty: the other process allocates.
    ///
    /// # Safety
    /// `ptr..ptr + len` must be mapped readable and writable for as long as
    /// `keep` lives (it is dropped with the `HostMemory`).
    pub unsafe fn shared(base: u64, ptr: *mut u8, len: usize, keep: Box<dyn Send>) -> HostMemory {
        HostMemory { base, bytes: Backing::Shared { ptr, len, _keep: keep }, free: IovaAllocator::new(base, base, 1) }
    }

    /// First IOVA.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn offset(&self, iova: u64, len: u64) -> Result<usize, MemError> {
        let err = MemError::OutOfRange { iova, len };
        let off = iova.checked_sub(self.base).ok_or(err.clone())?;
        let end = off.checked_add(len).ok_or(err.clone())?;
        if end > self.size() {
            return Err(err);
        }
        Ok(off as usize)
    }

    /// Whether the whole range is backed.
    pub fn contains(&self, iova: u64, len: u64) -> bool {
        self.offset(iova, len).is_ok()
    }

    /// Copies bytes out of host memory.
    pub fn read(&self, iova: u64, buf: &mut [u8]) -> Result<(), MemError> {
        let off = self.offset(iova, buf.len() as u64)?;
        self.bytes.read(off, buf);
        Ok(())
    }

    /// Copies bytes into host memory.
    pub fn write(&mut self, iova: u64, data: &[u8]) -> Result<(), MemError> {
        let off = self.offset(iova, data.len() as u64)?;
        self.bytes.write(off, data);
        Ok(())
    }

    /// Fills a range with one byte value.
    pub fn fill(&mut self, iova: u64, len: u64, value: u8) -> Result<(), MemError> {
        let off = self.offset(iova, len)?;
        self.bytes.write(off, &vec![value; len as usize]);
        Ok(())
    }

    /// Allocates `len` bytes aligned to `align` (a power of two); returns the
    /// IOVA. The range is zeroed.
    pub fn alloc(&mut self, len: u64, align: u64) -> Result<u64, MemError> {
        assert!(len > 0);
        let iova = self.free.alloc(len, align).ok_or(MemError::Exhausted(len))?;
        self.fill(iova, len, 0)?;
        Ok(iova)
    }

    /// Returns a range to the allocator.
    pub fn free(&mut self, iova: u64, len: u64) {
        assert!(self.contains(iova, len), "freeing memory that is not host memory");
        self.free.free(iova, len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_free_round_trip() {
        let mut m = HostMemory::new(DEFAULT_BASE, 1 << 20);
        let a = m.alloc(100, 64).unwrap();
        let b = m.alloc(4096, 4096).unwrap();
        assert_eq!(a % 64, 0);
        assert_eq!(b % 4096, 0);
        assert!(b >= a + 100);
        m.write(a, &[1, 2, 3]).unwrap();
        let mut x = [0u8; 3];
        m.read(a, &mut x).unwrap();
        assert_eq!(x, [1, 2, 3]);
        m.free(a, 100);
        m.free(b, 4096);
        assert_eq!(m.free.free_ranges(), &[(DEFAULT_BASE, 1 << 20)]);
        assert!(m.read(DEFAULT_BASE - 1, &mut x).is_err());
        assert!(m.read(DEFAULT_BASE + (1 << 20) - 2, &mut x).is_err());
        assert!(matches!(m.alloc(2 << 20, 16), Err(MemError::Exhausted(_))));
    }
}
