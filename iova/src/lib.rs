//! The IOVA allocator: where DMA buffers appear in the device's address
//! space. First fit over a sorted free list, in units of a granule (a 4 KiB
//! page for IOMMU mappings, a byte for the simulated host memory), merging
//! neighbours on free.
//!
//! One allocator serves the VFIO driver (IOVAs of pages mapped through the
//! IOMMU or carved from a vfio-user pool) and the model's host memory, so
//! both hand out addresses the same way.

#![deny(missing_docs)]

/// Page size of IOMMU mappings.
pub const PAGE: u64 = 4096;

/// See the crate documentation.
#[derive(Debug, Clone)]
pub struct IovaAllocator {
    /// Free ranges (start, len), sorted by start, granule aligned.
    free: Vec<(u64, u64)>,
    granule: u64,
}

impl IovaAllocator {
    /// Hands out addresses in `[base, limit)` in multiples of `granule` (a
    /// power of two dividing `base` and `limit`). `base == limit` gives an
    /// allocator with nothing to hand out.
    pub fn new(base: u64, limit: u64, granule: u64) -> IovaAllocator {
        assert!(granule.is_power_of_two(), "granule {granule:#x} is not a power of two");
        assert!(base % granule == 0 && limit % granule == 0, "range not aligned to the granule");
        assert!(limit >= base, "empty range [{base:#x}, {limit:#x})");
        let free = if limit > base { vec![(base, limit - base)] } else { Vec::new() };
        IovaAllocator { free, granule }
    }

    /// An allocator of pages ([`PAGE`]) in `[base, limit)`.
    pub fn pages(base: u64, limit: u64) -> IovaAllocator {
        IovaAllocator::new(base, limit, PAGE)
    }

    /// What a request of `len` bytes takes: at least one granule, rounded up.
    pub fn rounded(&self, len: u64) -> u64 {
        len.max(1).next_multiple_of(self.granule)
    }

    /// `len` bytes (rounded up to granules) aligned to `align` (a power of
    /// two; at least the granule). `None` when no free range fits.
    pub fn alloc(&mut self, len: u64, align: u64) -> Option<u64> {
        assert!(align.is_power_of_two(), "alignment {align:#x} is not a power of two");
        let len = len.max(1).checked_next_multiple_of(self.granule)?;
        let align = align.max(self.granule);
        let fits = |&(start, flen): &(u64, u64)| {
            let at = start.checked_next_multiple_of(align)?;
            (at - start).checked_add(len).filter(|&need| need <= flen).map(|_| at)
        };
        let (i, at) = self.free.iter().enumerate().find_map(|(i, r)| fits(r).map(|at| (i, at)))?;
        let (start, flen) = self.free.remove(i);
        let (pre, post) = (at - start, flen - (at - start) - len);
        if post > 0 {
            self.free.insert(i, (at + len, post));
        }
        if pre > 0 {
            self.free.insert(i, (start, pre));
        }
        Some(at)
    }

    /// Returns a range as it was allocated (same `iova` and `len`).
    pub fn free(&mut self, iova: u64, len: u64) {
        let len = self.rounded(len);
        let i = self.free.partition_point(|&(s, _)| s < iova);
        debug_assert!(i == 0 || self.free[i - 1].0 + self.free[i - 1].1 <= iova, "double free at {iova:#x}");
        self.free.insert(i, (iova, len));
        if i + 1 < self.free.len() && self.free[i].0 + self.free[i].1 == self.free[i + 1].0 {
            self.free[i].1 += self.free[i + 1].1;
            self.free.remove(i + 1);
        }
        if i > 0 && self.free[i - 1].0 + self.free[i - 1].1 == self.free[i].0 {
            self.free[i - 1].1 += self.free[i].1;
            self.free.remove(i);
        }
    }

    /// Takes `[start, end)` (widened to granules) out of what can be handed
    /// out, e.g. a range the IOMMU reserves. Call before allocating.
    pub fn reserve(&mut self, start: u64, end: u64) {
        let start = start - start % self.granule;
        let end = end.checked_next_multiple_of(self.granule).unwrap_or(u64::MAX - (self.granule - 1));
        let mut kept = Vec::with_capacity(self.free.len() + 1);
        for &(s, len) in &self.free {
            let e = s + len;
            if e <= start || s >= end {
                kept.push((s, len));
                continue;
            }
            if s < start {
                kept.push((s, start - s));
            }
            if e > end {
                kept.push((end, e - end));
            }
        }
        self.free = kept;
    }

    /// The free ranges (start, len), sorted.
    pub fn free_ranges(&self) -> &[(u64, u64)] {
        &self.free
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocates_aligned_disjoint_pages_and_merges_on_free() {
        let mut a = IovaAllocator::pages(PAGE, 1 << 20);
        let x = a.alloc(100, 1).unwrap();
        let y = a.alloc(PAGE + 1, 1 << 16).unwrap();
        assert_eq!(x, PAGE);
        assert_eq!(y % (1 << 16), 0);
        assert!(y >= x + PAGE);
        assert!(a.alloc(1 << 20, 1).is_none());
        a.free(x, 100);
        a.free(y, PAGE + 1);
        assert_eq!(a.free_ranges(), &[(PAGE, (1 << 20) - PAGE)]);
    }

    #[test]
    fn byte_granule_packs_small_buffers() {
        let mut a = IovaAllocator::new(0x1000, 0x2000, 1);
        let x = a.alloc(100, 64).unwrap();
        let y = a.alloc(10, 64).unwrap();
        assert_eq!((x, y), (0x1000, 0x1080));
        a.free(x, 100);
        assert_eq!(a.alloc(64, 1), Some(0x1000));
    }

    #[test]
    fn reserved_ranges_are_never_handed_out() {
        let mut a = IovaAllocator::pages(PAGE, 16 * PAGE);
        a.reserve(3 * PAGE + 5, 5 * PAGE - 1);
        assert_eq!(a.free_ranges(), &[(PAGE, 2 * PAGE), (5 * PAGE, 11 * PAGE)]);
        a.reserve(0, 2 * PAGE);
        a.reserve(15 * PAGE, u64::MAX);
        assert_eq!(a.free_ranges(), &[(2 * PAGE, PAGE), (5 * PAGE, 10 * PAGE)]);
        let mut got = Vec::new();
        while let Some(x) = a.alloc(PAGE, 1) {
            got.push(x / PAGE);
        }
        assert_eq!(got, [2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    }

    #[test]
    fn empty_range_hands_out_nothing() {
        let mut a = IovaAllocator::new(0x1000, 0x1000, 1);
        assert_eq!(a.alloc(1, 1), None);
    }

    #[test]
    fn huge_request_does_not_overflow() {
        let mut a = IovaAllocator::pages(PAGE, 1 << 20);
        assert_eq!(a.alloc(u64::MAX - PAGE, 1 << 63), None);
        assert_eq!(a.alloc(u64::MAX, 1), None);
    }
}
