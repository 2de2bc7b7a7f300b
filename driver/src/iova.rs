//! The IOVA allocator: where DMA buffers appear in the device's address
//! space. First fit over a free list, page granular.

/// Page size of IOMMU mappings.
pub const PAGE: u64 = 4096;

/// See the module documentation.
#[derive(Debug)]
pub struct IovaAllocator {
    /// Free ranges (start, len), sorted, page aligned.
    free: Vec<(u64, u64)>,
}

impl IovaAllocator {
    /// Hands out addresses in `[base, limit)` (both page aligned; `base` is
    /// never 0, so no buffer sits at a null IOVA).
    pub fn new(base: u64, limit: u64) -> IovaAllocator {
        assert!(base > 0 && base % PAGE == 0 && limit % PAGE == 0 && limit > base);
        IovaAllocator { free: vec![(base, limit - base)] }
    }

    /// `len` bytes (rounded up to pages) aligned to `align` (a power of two).
    pub fn alloc(&mut self, len: u64, align: u64) -> Option<u64> {
        let len = len.max(1).next_multiple_of(PAGE);
        let align = align.max(PAGE);
        for i in 0..self.free.len() {
            let (start, flen) = self.free[i];
            let at = start.next_multiple_of(align);
            if at - start + len > flen {
                continue;
            }
            let (pre, post) = (at - start, flen - (at - start) - len);
            self.free.remove(i);
            if post > 0 {
                self.free.insert(i, (at + len, post));
            }
            if pre > 0 {
                self.free.insert(i, (start, pre));
            }
            return Some(at);
        }
        None
    }

    /// Returns a range (as allocated).
    pub fn free(&mut self, iova: u64, len: u64) {
        let len = len.max(1).next_multiple_of(PAGE);
        let i = self.free.partition_point(|&(s, _)| s < iova);
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocates_aligned_disjoint_pages_and_merges_on_free() {
        let mut a = IovaAllocator::new(PAGE, 1 << 20);
        let x = a.alloc(100, 1).unwrap();
        let y = a.alloc(PAGE + 1, 1 << 16).unwrap();
        assert_eq!(x, PAGE);
        assert_eq!(y % (1 << 16), 0);
        assert!(y >= x + PAGE);
        assert!(a.alloc(1 << 20, 1).is_none());
        a.free(x, 100);
        a.free(y, PAGE + 1);
        assert_eq!(a.free, vec![(PAGE, (1 << 20) - PAGE)]);
    }
}
