//! Scaling, simulated on the large build of the core (64 contexts, 1024
//! ports): the message rate as more contexts send at once, and as the port
//! table fills.

use crate::bench::{connected_named, Condition, WAIT};
use alpc_contract::Descriptor;
use alpc_host::{Device, MemTiming, SimConfig, SimTransport, Transport};
use alpc_sim::Core64;
use anyhow::{ensure, Result};

/// Contexts and ports of the large build.
pub const LARGE_CONTEXTS: usize = 64;
pub const LARGE_PORTS: usize = 1024;

fn device64(cond: Condition) -> Result<Device<SimTransport<Core64>>> {
    let cfg = SimConfig { timing: MemTiming::latency(cond.latency_cycles()), ..Default::default() };
    let mut t = SimTransport::<Core64>::with_core(cfg)?;
    // The engine clears its port table after reset, one entry per cycle.
    t.sim_mut().run(LARGE_PORTS as u64 + 50);
    let dev = Device::open(t)?;
    ensure!(dev.contexts() == LARGE_CONTEXTS, "the large build has {} contexts", dev.contexts());
    Ok(dev)
}

/// Cycles per message when `contexts / 2` client contexts each send `batch`
/// 64-byte DATAGRAMs to their own server context, all doorbells written
/// before any completion is waited for.
pub fn contexts_cycles_per_message(cond: Condition, contexts: usize, batch: usize) -> Result<f64> {
    ensure!(contexts == 1 || ((2..=LARGE_CONTEXTS).contains(&contexts) && contexts % 2 == 0), "1, or 2..=64 in pairs");
    let mut dev = device64(cond)?;
    if contexts == 1 {
        return one_context_cycles_per_message(&mut dev, batch);
    }
    let conns = (0..contexts / 2).map(|k| connected_named(&mut dev, 100 + k as u32, 64)).collect::<Result<Vec<_>>>()?;
    let payload = [0x5Au8; 64];
    let c0 = dev.transport().cycles().unwrap_or(0);
    for &(_, client, _, cp) in &conns {
        let msgs: Vec<_> = (0..batch).map(|u| (Descriptor::datagram(cp, 64, u as u64), &payload[..])).collect();
        dev.submit_messages(client, &msgs)?;
    }
    for &(server, client, _, _) in &conns {
        dev.wait(server, batch, WAIT)?;
        dev.wait(client, batch, WAIT)?;
    }
    let cycles = dev.transport().cycles().unwrap_or(0) - c0;
    Ok(cycles as f64 / (conns.len() * batch) as f64)
}

/// One context is both server and client (ALPC lets a process connect to
/// its own port): every completion lands in its one ring.
fn one_context_cycles_per_message(dev: &mut Device<SimTransport<Core64>>, batch: usize) -> Result<f64> {
    let q = dev.create_queue(256, 256)?;
    dev.submit(q, &[Descriptor::create_port(100, alpc_contract::geometry::MAX_INLINE as u16, 8, 1)])?;
    let named = one(dev, q)?.port;
    dev.submit(q, &[Descriptor::connect(100, 0, 2)])?;
    let request = one(dev, q)?;
    dev.submit(q, &[Descriptor::accept(named, request.msg_id, 0, 3)])?;
    let done = dev.wait(q, 2, WAIT)?;
    ensure!(done.iter().all(|c| alpc_host::check(c).is_ok()), "connecting to its own port: {done:?}");
    let cp = done.iter().find(|c| c.user_data == 2).map(|c| c.port).expect("the CONNECT's completion");
    let payload = [0x5Au8; 64];
    let msgs: Vec<_> = (0..batch).map(|u| (Descriptor::datagram(cp, 64, 10 + u as u64), &payload[..])).collect();
    let c0 = dev.transport().cycles().unwrap_or(0);
    dev.submit_messages(q, &msgs)?;
    // The sender's completions and the receiver's datagrams, both here.
    dev.wait(q, 2 * batch, WAIT)?;
    Ok((dev.transport().cycles().unwrap_or(0) - c0) as f64 / batch as f64)
}

/// Cycles per message on one connection sending `batch` 64-byte DATAGRAMs
/// per doorbell, with the port table holding about `ports` ports: the
/// connection's three, then groups of connections to named ports (a named
/// port and two ports per connection; the name directory holds a few dozen
/// names, and each context's ring reserves a slot per connection, so each
/// group has its own server and client contexts). Returns the ports in the
/// table and the cycles per message.
pub fn ports_cycles_per_message(cond: Condition, ports: usize, batch: usize) -> Result<(usize, f64)> {
    ensure!((3..=LARGE_PORTS).contains(&ports), "3..=1024 ports");
    const GROUP: usize = 200;
    let mut dev = device64(cond)?;
    let (server, client, _, cp) = connected_named(&mut dev, 7, 64)?;
    let mut in_table = 3;
    let mut group = 0u32;
    while in_table + 3 <= ports {
        let (fill_server, fill_client) = (dev.create_queue(256, 256)?, dev.create_queue(256, 256)?);
        let name = 8 + group;
        group += 1;
        dev.submit(fill_server, &[Descriptor::create_port(name, 0, 8, 0)])?;
        let named = one(&mut dev, fill_server)?.port;
        in_table += 1;
        for k in 0..GROUP.min((ports - in_table) / 2) {
            dev.submit(fill_client, &[Descriptor::connect(name, 0, k as u64)])?;
            let id = one(&mut dev, fill_server)?.msg_id;
            dev.submit(fill_server, &[Descriptor::accept(named, id, 0, k as u64)])?;
            one(&mut dev, fill_server)?;
            one(&mut dev, fill_client)?;
            in_table += 2;
        }
    }
    let payload = [0x5Au8; 64];
    let msgs: Vec<_> = (0..batch).map(|u| (Descriptor::datagram(cp, 64, u as u64), &payload[..])).collect();
    let c0 = dev.transport().cycles().unwrap_or(0);
    dev.submit_messages(client, &msgs)?;
    dev.wait(server, batch, WAIT)?;
    dev.wait(client, batch, WAIT)?;
    Ok((in_table, (dev.transport().cycles().unwrap_or(0) - c0) as f64 / batch as f64))
}

/// One completion of `q`, which must have succeeded.
fn one(dev: &mut Device<SimTransport<Core64>>, q: alpc_host::QueueId) -> Result<alpc_contract::Completion> {
    let c = dev.wait(q, 1, WAIT)?[0];
    ensure!(alpc_host::check(&c).is_ok(), "filling the port table: {c:?}");
    Ok(c)
}
