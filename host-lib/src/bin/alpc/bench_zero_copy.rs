//! Passing a buffer from one process to another, by size: by view (the
//! device checks and passes a handle; simulated), by DMA copy (the device
//! copies the bytes; simulated) and through a Unix stream socket (the
//! kernel copies them; measured).

use crate::bench::{device, Condition, WAIT};
use alpc_contract::{geometry, Descriptor};
use alpc_host::{Access, Event, PortAttributes, SharedDevice, SimConfig, SimTransport, Transport};
use anyhow::{bail, ensure, Result};
use futures::executor::block_on;
use futures::future::join;
use std::time::Duration;

/// Cycles to grant a view of each of `sizes` bytes of one section to the
/// peer of a connection, send it with a datagram and receive it there.
pub fn view_cycles(cond: Condition, sizes: &[usize]) -> Result<Vec<u64>> {
    let largest = sizes.iter().copied().max().unwrap_or(4096);
    let cfg = SimConfig { timing: alpc_host::MemTiming::latency(cond.latency_cycles()), ..Default::default() };
    let mut t = SimTransport::new(cfg)?;
    t.sim_mut().run(geometry::PORTS as u64 + 50);
    let dev = SharedDevice::open(t)?;
    let (server, client) = (dev.context(1)?, dev.context(2)?);
    let port = server.create_port("bench", PortAttributes::default())?;
    let accept = async { port.accept(&port.listen_async(WAIT).await?, 0) };
    let (conn, to_server) = block_on(join(accept, client.connect_async("bench", b"", WAIT)));
    let (conn, to_server) = (conn?, to_server?);
    let section = server.create_section(largest, Access::Read)?;
    let cycles = || dev.lock().transport().cycles().unwrap_or(0);
    let mut out = Vec::new();
    for &size in sizes {
        let start = cycles();
        let view = conn.share(&section, 0, size, Access::Read)?;
        conn.send_view(&view, b"")?;
        let Event::Datagram(m) = to_server.receive(WAIT)? else { bail!("expected the datagram with the view") };
        out.push(cycles() - start);
        let got = m.view.ok_or_else(|| anyhow::anyhow!("the datagram carries no view"))?;
        ensure!(got.length as usize == size, "the view's length changed");
        view.revoke()?;
    }
    Ok(out)
}

/// Cycles for the device to copy `size` bytes from one buffer to another:
/// COPY descriptors of at most MAX_COPY_LEN each, all behind one doorbell.
pub fn copy_cycles(cond: Condition, size: usize) -> Result<u64> {
    let mut dev = device(cond.latency_cycles())?;
    let chunk = geometry::MAX_COPY_LEN as usize;
    let descs = size.div_ceil(chunk);
    // A ring of n entries holds n - 1 descriptors.
    let ring = (descs + 1).next_power_of_two().max(4);
    let q = dev.create_queue(ring, ring)?;
    let src = dev.alloc(size)?;
    let dst = dev.alloc(size)?;
    let batch: Vec<_> = (0..descs)
        .map(|k| {
            let at = (k * chunk) as u64;
            let len = chunk.min(size - k * chunk) as u32;
            Descriptor::copy(src.iova() + at, dst.iova() + at, len, k as u64)
        })
        .collect();
    let c0 = dev.transport().cycles().unwrap_or(0);
    dev.submit(q, &batch)?;
    // The link moves 16 bytes per cycle: four times that long is plenty.
    let done = dev.wait(q, descs, WAIT + Duration::from_nanos(4 * (size as u64 / 16) * 1000 / 125))?;
    ensure!(done.iter().all(|c| c.status() == Some(alpc_contract::Status::Ok)), "a copy failed: {done:?}");
    Ok(dev.transport().cycles().unwrap_or(0) - c0)
}
