//! DMA memory for the transports whose host memory is an
//! [`alpc_model::HostMemory`] (the simulated device and the reference model).

use crate::daemon::unix::Mapping;
use crate::transport::{DmaBuffer, TransportError};
use alpc_iova::IovaAllocator;
use alpc_model::HostMemory;
use std::collections::HashMap;
use std::sync::Arc;

/// Where the simulated IOMMU maps other processes' shared memory: from
/// 256 GiB up to the 512 GiB every IOMMU translates, far above the main
/// host memory.
pub const SHARED_IOVA_BASE: u64 = 1 << 38;
/// End of the shared-memory IOVAs.
pub const SHARED_IOVA_END: u64 = 1 << 39;

/// Shared memory mapped into a [`HostMemory`] at IOVAs of its own.
pub(crate) struct SharedMaps {
    iovas: IovaAllocator,
    lens: HashMap<u64, u64>,
}

impl Default for SharedMaps {
    fn default() -> Self {
        SharedMaps { iovas: IovaAllocator::new(SHARED_IOVA_BASE, SHARED_IOVA_END, 4096), lens: HashMap::new() }
    }
}

impl SharedMaps {
    pub(crate) fn map(&mut self, mem: &mut HostMemory, m: Arc<Mapping>) -> Result<u64, TransportError> {
        let len = m.len() as u64;
        // Aligned to its size rounded up to a power of two: a range of up to
        // 4 GiB then never crosses a 4 GiB boundary (the broker needs that).
        let align = len.next_power_of_two().clamp(4096, 1 << 32);
        let iova = self.iovas.alloc(len, align).ok_or_else(|| TransportError::Dma("shared IOVA space exhausted".into()))?;
        let ptr = m.as_ptr();
        // SAFETY: the mapping is kept alive by the Arc moved into the
        // range, until `unmap` detaches it.
        if let Err(e) = unsafe { mem.attach(iova, ptr, len as usize, Box::new(m)) } {
            self.iovas.free(iova, len);
            return Err(dma_err(e));
        }
        self.lens.insert(iova, len);
        Ok(iova)
    }

    pub(crate) fn unmap(&mut self, mem: &mut HostMemory, iova: u64) -> bool {
        match self.lens.remove(&iova) {
            Some(len) => {
                mem.detach(iova);
                self.iovas.free(iova, len);
                true
            }
            None => false,
        }
    }
}

fn dma_err(e: alpc_model::MemError) -> TransportError {
    TransportError::Dma(e.to_string())
}

pub(crate) fn alloc(
    mem: &mut HostMemory,
    len: usize,
    align: usize,
) -> Result<DmaBuffer, TransportError> {
    let iova = mem
        .alloc(len.max(1) as u64, align.max(1) as u64)
        .map_err(dma_err)?;
    Ok(DmaBuffer::new(iova, len))
}

pub(crate) fn free(mem: &mut HostMemory, buf: DmaBuffer) {
    mem.free(buf.iova(), buf.len().max(1) as u64);
}

pub(crate) fn read(
    mem: &HostMemory,
    buf: &DmaBuffer,
    offset: usize,
    out: &mut [u8],
) -> Result<(), TransportError> {
    buf.check(offset, out.len())?;
    mem.read(buf.iova() + offset as u64, out).map_err(dma_err)
}

pub(crate) fn write(
    mem: &mut HostMemory,
    buf: &DmaBuffer,
    offset: usize,
    data: &[u8],
) -> Result<(), TransportError> {
    buf.check(offset, data.len())?;
    mem.write(buf.iova() + offset as u64, data).map_err(dma_err)
}
