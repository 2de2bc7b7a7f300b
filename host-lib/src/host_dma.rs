//! DMA memory for the transports whose host memory is an
//! [`alpc_model::HostMemory`] (the simulated device and the reference model).

use crate::transport::{DmaBuffer, TransportError};
use alpc_model::HostMemory;

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
