//! Host memory as the device sees it: a range of IOVAs backed by bytes.
//!
//! Stands in for the RAM behind the IOMMU. Buffers are carved out by the
//! same first-fit IOVA allocator the VFIO driver uses (`alpc-iova`), byte
//! granular here.
//! Any access outside `[base, base + size)` is a fault: the AXI responder
//! answers it with DECERR, as an IOMMU fault would surface on a real bus.
//!
//! Further ranges can be attached and detached at run time, as an IOMMU
//! maps and unmaps: the broker (`alpcd`) attaches each client process's
//! shared memory at an IOVA of its own. An access must lie wholly inside
//! one range.

use alpc_iova::IovaAllocator;
use std::collections::BTreeMap;
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
    /// An attached range would overlap host memory or another range.
    #[error("IOVA range {iova:#x}+{len:#x} overlaps mapped memory")]
    Overlap {
        /// Start of the range.
        iova: u64,
        /// Length of the range.
        len: u64,
    },
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
    /// Ranges attached at run time, by first IOVA.
    attached: BTreeMap<u64, Backing>,
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
            attached: BTreeMap::new(),
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
        HostMemory {
            base,
            bytes: Backing::Shared { ptr, len, _keep: keep },
            free: IovaAllocator::new(base, base, 1),
            attached: BTreeMap::new(),
        }
    }

    /// Maps `len` bytes at `ptr` (memory shared with another process) at
    /// IOVA `iova`, beside the main range.
    ///
    /// # Safety
    /// `ptr..ptr + len` must stay mapped readable and writable until the
    /// range is detached (`keep`, dropped then, may own the mapping).
    pub unsafe fn attach(&mut self, iova: u64, ptr: *mut u8, len: usize, keep: Box<dyn Send>) -> Result<(), MemError> {
        let end = iova.checked_add(len as u64).filter(|_| len > 0).ok_or(MemError::OutOfRange { iova, len: len as u64 })?;
        let overlaps = |b: u64, l: u64| iova < b + l && b < end;
        if overlaps(self.base, self.size()) || self.attached.iter().any(|(b, r)| overlaps(*b, r.len() as u64)) {
            return Err(MemError::Overlap { iova, len: len as u64 });
        }
        self.attached.insert(iova, Backing::Shared { ptr, len, _keep: keep });
        Ok(())
    }

    /// Unmaps the range attached at `iova`; false if there is none. Its
    /// `keep` is dropped: the device must be done with it.
    pub fn detach(&mut self, iova: u64) -> bool {
        self.attached.remove(&iova).is_some()
    }

    /// First IOVA.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// The range holding `[iova, iova + len)`: its first IOVA, or `None`
    /// for the main range.
    fn locate(&self, iova: u64, len: u64) -> Result<(Option<u64>, usize), MemError> {
        let err = MemError::OutOfRange { iova, len };
        let inside = |base: u64, size: u64| {
            let off = iova.checked_sub(base)?;
            (off.checked_add(len)? <= size).then_some(off as usize)
        };
        if let Some(off) = inside(self.base, self.size()) {
            return Ok((None, off));
        }
        let (base, r) = self.attached.range(..=iova).next_back().ok_or(err.clone())?;
        let off = inside(*base, r.len() as u64).ok_or(err)?;
        Ok((Some(*base), off))
    }

    fn backing(&mut self, range: Option<u64>) -> &mut Backing {
        match range {
            None => &mut self.bytes,
            Some(b) => self.attached.get_mut(&b).expect("located"),
        }
    }

    /// Whether the whole range is backed.
    pub fn contains(&self, iova: u64, len: u64) -> bool {
        self.locate(iova, len).is_ok()
    }

    /// Copies bytes out of host memory.
    pub fn read(&self, iova: u64, buf: &mut [u8]) -> Result<(), MemError> {
        let (range, off) = self.locate(iova, buf.len() as u64)?;
        match range {
            None => self.bytes.read(off, buf),
            Some(b) => self.attached[&b].read(off, buf),
        }
        Ok(())
    }

    /// Copies bytes into host memory.
    pub fn write(&mut self, iova: u64, data: &[u8]) -> Result<(), MemError> {
        let (range, off) = self.locate(iova, data.len() as u64)?;
        self.backing(range).write(off, data);
        Ok(())
    }

    /// Fills a range with one byte value.
    pub fn fill(&mut self, iova: u64, len: u64, value: u8) -> Result<(), MemError> {
        let (range, off) = self.locate(iova, len)?;
        self.backing(range).write(off, &vec![value; len as usize]);
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
        assert!(matches!(self.locate(iova, len), Ok((None, _))), "freeing memory that is not host memory");
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

    #[test]
    fn attached_ranges_are_reached_and_bounded() {
        let mut m = HostMemory::new(DEFAULT_BASE, 1 << 20);
        let mut other = vec![0u8; 8192];
        let at = DEFAULT_BASE + (4 << 20);
        // SAFETY: `other` outlives every access below (the range is
        // detached before it is dropped).
        unsafe { m.attach(at, other.as_mut_ptr(), other.len(), Box::new(())).unwrap() };
        m.write(at + 8190, &[7, 8]).unwrap();
        let mut x = [0u8; 2];
        m.read(at + 8190, &mut x).unwrap();
        assert_eq!(x, [7, 8]);
        // Wholly inside one range, never across the end or a gap.
        assert!(m.read(at + 8191, &mut x).is_err());
        assert!(m.read(at - 1, &mut x).is_err());
        assert!(m.contains(DEFAULT_BASE, 1 << 20) && !m.contains(DEFAULT_BASE, (1 << 20) + 1));
        // No overlap with the main range or another attached range.
        let p = other.as_mut_ptr();
        // SAFETY: refused before anything is kept.
        let overlap = |m: &mut HostMemory, iova| unsafe { m.attach(iova, p, 16, Box::new(())) };
        assert!(matches!(overlap(&mut m, DEFAULT_BASE + 100), Err(MemError::Overlap { .. })));
        assert!(matches!(overlap(&mut m, at + 4096), Err(MemError::Overlap { .. })));
        assert!(m.detach(at) && !m.detach(at));
        assert!(m.read(at, &mut x).is_err());
        assert_eq!(other[8190..], [7, 8]);
    }
}
