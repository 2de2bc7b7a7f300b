//! `alpc-measure` (run by `cargo xtask measure`): the figures of
//! `docs/performance.md`, all from the Verilated RTL. Cycle counts are exact
//! and repeatable; cycles per second depend on the machine.

use alpc_contract::{desc::CQE_SIZE, geometry, regs, Descriptor};
use alpc_host::{Device, MemTiming, QueueId, SimConfig, SimTransport, Transport, VfioUserTransport};
use std::time::{Duration, Instant};

fn device(latency: u64) -> Device<SimTransport> {
    let cfg = SimConfig {
        timing: MemTiming::latency(latency),
        ..Default::default()
    };
    let mut t = SimTransport::new(cfg).unwrap();
    // Let the engine clear its tables after reset (one entry per cycle), so
    // that no figure includes it.
    t.sim_mut().run(geometry::PORTS as u64 + 50);
    Device::open(t).unwrap()
}

/// Cycles from the SQ-tail doorbell write (the cycle the core accepts it) to
/// the cycle the completion entry lands in host memory.
fn one_descriptor_latency(latency: u64, desc: impl Fn(u64, u64) -> Descriptor) -> u64 {
    let mut dev = device(latency);
    let q = dev.create_queue(4, 4).unwrap();
    let buf = dev.alloc(4096).unwrap();
    let t = dev.transport_mut();
    let cq = (t
        .read32(regs::ctx_cfg(q.context(), regs::CTX_CQ_BASE_HI))
        .unwrap() as u64)
        << 32
        | t.read32(regs::ctx_cfg(q.context(), regs::CTX_CQ_BASE_LO))
            .unwrap() as u64;
    dev.write(&buf, 0, &[0xA5; 64]).unwrap();
    dev.submit(q, &[desc(buf.iova() + 0x100, buf.iova() + 0x800)])
        .unwrap();
    let sim = dev.transport_mut().sim_mut();
    let start = sim.last_write_accept_cycle();
    let landed = sim.run_until(1_000_000, |d| {
        let mut e = [0u8; CQE_SIZE];
        d.mem().read(cq, &mut e).unwrap();
        e[CQE_SIZE - 1] & 1 == 1
    });
    assert!(landed, "no completion");
    // The entry became visible during the previous step.
    sim.cycle() - 1 - start
}

fn copy_throughput(latency: u64, len: u32, count: usize) -> (f64, u64, f64) {
    let mut dev = device(latency);
    let q = dev.create_queue(64, 64).unwrap();
    let src = dev.alloc(len as usize).unwrap();
    let dst = dev.alloc(len as usize).unwrap();
    let batch: Vec<_> = (0..count)
        .map(|u| Descriptor::copy(src.iova(), dst.iova(), len, u as u64))
        .collect();
    let c0 = dev.transport().cycles().unwrap();
    let wall = Instant::now();
    dev.submit(q, &batch).unwrap();
    dev.wait(q, count, Duration::from_secs(60)).unwrap();
    let cycles = dev.transport().cycles().unwrap() - c0;
    let secs = wall.elapsed().as_secs_f64();
    let in_flight = dev.transport().sim().axi_stats().max_reads_in_flight;
    (
        (len as u64 * count as u64) as f64 / cycles as f64,
        in_flight,
        cycles as f64 / secs,
    )
}

/// Cycles per NOP when `contexts` contexts each have `per_ctx` NOPs queued
/// at once (one doorbell each): the per-descriptor cost of the front end.
fn nop_rate(contexts: usize, per_ctx: usize) -> f64 {
    let mut dev = device(0);
    let qs: Vec<_> = (0..contexts).map(|_| dev.create_queue(64, 64).unwrap()).collect();
    let c0 = dev.transport().cycles().unwrap();
    for q in &qs {
        let batch: Vec<_> = (0..per_ctx as u64).map(Descriptor::nop).collect();
        dev.submit(*q, &batch).unwrap();
    }
    for q in &qs {
        dev.wait(*q, per_ctx, Duration::from_secs(10)).unwrap();
    }
    let cycles = dev.transport().cycles().unwrap() - c0;
    cycles as f64 / (contexts * per_ctx) as f64
}

/// A server and a client context connected through port `name`: (server
/// queue, client queue, server port, client port).
fn connected(dev: &mut Device<SimTransport>, name: u32, ring: usize) -> (QueueId, QueueId, u32, u32) {
    let server = dev.create_queue(ring, ring).unwrap();
    let client = dev.create_queue(ring, ring).unwrap();
    let wait = Duration::from_secs(1);
    dev.submit(server, &[Descriptor::create_port(name, geometry::MAX_INLINE as u16, 8, 1)]).unwrap();
    let conn = dev.wait(server, 1, wait).unwrap()[0].port;
    dev.submit(client, &[Descriptor::connect(name, 0, 2)]).unwrap();
    let id = dev.wait(server, 1, wait).unwrap()[0].msg_id;
    dev.submit(server, &[Descriptor::accept(conn, id, 0, 3)]).unwrap();
    let sp = dev.wait(server, 1, wait).unwrap()[0].port;
    let cp = dev.wait(client, 1, wait).unwrap()[0].port;
    (server, client, sp, cp)
}

fn cq_base(dev: &mut Device<SimTransport>, q: QueueId) -> u64 {
    let t = dev.transport_mut();
    (t.read32(regs::ctx_cfg(q.context(), regs::CTX_CQ_BASE_HI)).unwrap() as u64) << 32
        | t.read32(regs::ctx_cfg(q.context(), regs::CTX_CQ_BASE_LO)).unwrap() as u64
}

/// Cycles from the client's doorbell to the server's DATAGRAM entry in
/// memory, for one datagram of `len` bytes.
fn datagram_latency(latency: u64, len: usize) -> u64 {
    let mut dev = device(latency);
    let (server, client, _, cp) = connected(&mut dev, 7, 64);
    // The server's ring holds CREATE's, the request's and ACCEPT's entries.
    let slot = cq_base(&mut dev, server) + 3 * CQE_SIZE as u64;
    let payload = vec![0x5A; len];
    dev.submit_messages(client, &[(Descriptor::datagram(cp, len as u32, 9), &payload[..])]).unwrap();
    let sim = dev.transport_mut().sim_mut();
    let start = sim.last_write_accept_cycle();
    let landed = sim.run_until(1_000_000, |d| {
        let mut e = [0u8; CQE_SIZE];
        d.mem().read(slot, &mut e).unwrap();
        e[CQE_SIZE - 1] & 1 == 1
    });
    assert!(landed, "no datagram");
    sim.cycle() - 1 - start
}

/// Cycles per datagram of `len` bytes when `pairs` clients each send
/// `batch` of them behind one doorbell to their own server, with `extra`
/// more connection ports created first (table occupancy).
fn datagram_rate(latency: u64, len: usize, batch: usize, pairs: usize, extra: usize) -> f64 {
    let mut dev = device(latency);
    let ring = 256;
    let conns: Vec<_> = (0..pairs).map(|k| connected(&mut dev, 100 + k as u32, ring)).collect();
    if extra > 0 {
        // Names are unique and their directory small: the table fills with
        // one more named port and connections to it (two ports each).
        let wait = Duration::from_secs(1);
        let (sq, cq) = (dev.create_queue(ring, ring).unwrap(), dev.create_queue(ring, ring).unwrap());
        dev.submit(sq, &[Descriptor::create_port(999, 0, 8, 0)]).unwrap();
        let c = dev.wait(sq, 1, wait).unwrap()[0];
        assert!(alpc_host::check(&c).is_ok(), "the named port: {c:?}");
        let named = c.port;
        for k in 0..(extra - 1) / 2 {
            dev.submit(cq, &[Descriptor::connect(999, 0, k as u64)]).unwrap();
            let req = dev.wait(sq, 1, wait).unwrap()[0];
            dev.submit(sq, &[Descriptor::accept(named, req.msg_id, 0, k as u64)]).unwrap();
            for q in [sq, cq] {
                let c = dev.wait(q, 1, wait).unwrap()[0];
                assert!(alpc_host::check(&c).is_ok(), "filling the port table: {c:?}");
            }
        }
    }
    let payload = vec![0x5A; len];
    let c0 = dev.transport().cycles().unwrap();
    for (_, client, _, cp) in &conns {
        let msgs: Vec<_> = (0..batch).map(|u| (Descriptor::datagram(*cp, len as u32, u as u64), &payload[..])).collect();
        dev.submit_messages(*client, &msgs).unwrap();
    }
    for (server, client, _, _) in &conns {
        dev.wait(*server, batch, Duration::from_secs(10)).unwrap();
        dev.wait(*client, batch, Duration::from_secs(10)).unwrap();
    }
    let cycles = dev.transport().cycles().unwrap() - c0;
    cycles as f64 / (pairs * batch) as f64
}

/// Cycles from the client's doorbell for a REQUEST to its REPLY entry in
/// the client's ring, the server answering at once (host polling only).
fn request_reply_cycles(latency: u64, len: usize) -> u64 {
    let mut dev = device(latency);
    let (server, client, sp, cp) = connected(&mut dev, 8, 64);
    let payload = vec![0x5A; len];
    let c0 = dev.transport().cycles().unwrap();
    dev.submit_messages(client, &[(Descriptor::request(cp, len as u32, 1), &payload[..])]).unwrap();
    let mut got = Vec::new();
    while got.is_empty() {
        dev.poll_messages(server, &mut got).unwrap();
        dev.transport_mut().relax();
    }
    let id = got[0].0.msg_id;
    dev.submit_messages(server, &[(Descriptor::reply(sp, id, len as u32, 2), &payload[..])]).unwrap();
    dev.wait(client, 1, Duration::from_secs(1)).unwrap();
    dev.transport().cycles().unwrap() - c0
}

/// The simulated card in another process over vfio-user: wall-clock cost
/// of a trapped BAR read and of a NOP round trip (doorbell write, MSI on the
/// eventfd, completion polled from shared memory).
fn vfio_user_costs() -> (f64, f64) {
    let socket = std::env::temp_dir().join(format!("alpc-measure-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&socket);
    let mut server = std::process::Command::new(alpc_tests::alpc_binary())
        .args(["sim", "serve", "--socket"])
        .arg(&socket)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    while !socket.exists() {
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut dev = Device::open(VfioUserTransport::connect(&socket).unwrap()).unwrap();
    let n = 2000;
    let t = Instant::now();
    for _ in 0..n {
        dev.transport_mut().read32(regs::SCRATCH).unwrap();
    }
    let read_us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    let q = dev.create_queue(64, 64).unwrap();
    let rounds = 500;
    let t = Instant::now();
    for i in 0..rounds {
        dev.submit(q, &[Descriptor::nop(i)]).unwrap();
        dev.wait(q, 1, Duration::from_secs(5)).unwrap();
    }
    let nop_us = t.elapsed().as_secs_f64() * 1e6 / rounds as f64;
    drop(dev);
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_file(&socket);
    (read_us, nop_us)
}

fn main() {
    println!("| measurement | value |");
    println!("|---|---|");
    for lat in [0u64, 125] {
        let c = one_descriptor_latency(lat, |s, d| Descriptor::copy(s, d, 64, 1));
        println!("| one 64-byte COPY, doorbell to completion in memory, host latency {lat} cycles | {c} cycles |");
        let n = one_descriptor_latency(lat, |_, _| Descriptor::nop(1));
        println!(
            "| one NOP, doorbell to completion in memory, host latency {lat} cycles | {n} cycles |"
        );
    }
    for lat in [0u64, 125] {
        let (bpc, inflight, _) = copy_throughput(lat, 1 << 20, 4);
        println!("| 4 x 1 MiB COPY, host latency {lat} cycles, link 16 B/cycle | {bpc:.2} bytes/cycle ({inflight} read bursts in flight) |");
        let (bpc, _, _) = copy_throughput(lat, 64, 32);
        println!(
            "| 32 x 64-byte COPY in one batch, host latency {lat} cycles | {bpc:.2} bytes/cycle |"
        );
    }
    for lat in [0u64, 125] {
        let c = datagram_latency(lat, 64);
        println!("| one 64-byte DATAGRAM, sender's doorbell to receiver's entry in memory, host latency {lat} cycles | {c} cycles |");
    }
    for lat in [0u64, 125] {
        let c = datagram_rate(lat, 64, 32, 1, 0);
        println!("| 32 x 64-byte DATAGRAM in one batch, 1 connection, host latency {lat} cycles | {c:.1} cycles per message |");
    }
    let c = datagram_rate(0, 64, 32, geometry::CONTEXTS / 2, 0);
    println!(
        "| 32 x 64-byte DATAGRAM per client, {} connections (all {} contexts), host latency 0 | {c:.1} cycles per message |",
        geometry::CONTEXTS / 2,
        geometry::CONTEXTS
    );
    // The connection's three ports, a named one and 126 connections to it.
    let extra = geometry::PORTS - 3;
    let c = datagram_rate(0, 64, 32, 1, extra);
    println!("| 32 x 64-byte DATAGRAM in one batch, 1 connection, port table full ({} ports), host latency 0 | {c:.1} cycles per message |", geometry::PORTS);
    for len in [0usize, 256] {
        let c = datagram_rate(0, len, 32, 1, 0);
        println!("| 32 x {len}-byte DATAGRAM in one batch, 1 connection, host latency 0 | {c:.1} cycles per message |");
    }
    for lat in [0u64, 125] {
        let c = request_reply_cycles(lat, 64);
        println!("| REQUEST + REPLY of 64 bytes each, client doorbell to REPLY taken, host polling, host latency {lat} cycles | {c} cycles |");
    }
    println!("| NOPs, 1 context with 32 queued, host latency 0 | {:.1} cycles per descriptor |", nop_rate(1, 32));
    println!(
        "| NOPs, all 16 contexts with 32 queued each, host latency 0 | {:.1} cycles per descriptor |",
        nop_rate(alpc_contract::geometry::CONTEXTS, 32)
    );
    // Simulation speed: a long copy keeps every part of the core busy.
    let (_, _, cps) = copy_throughput(0, 1 << 20, 16);
    println!(
        "| Verilator simulation speed (busy core, with the Rust host model) | {:.2} M cycles/s |",
        cps / 1e6
    );
    let mut dev = device(0);
    let wall = Instant::now();
    dev.transport_mut().sim_mut().run(2_000_000);
    let idle = 2_000_000.0 / wall.elapsed().as_secs_f64();
    println!(
        "| Verilator simulation speed (idle core) | {:.2} M cycles/s |",
        idle / 1e6
    );
    let (read_us, nop_us) = vfio_user_costs();
    println!("| vfio-user (card in another process): one BAR0 read, wall clock | {read_us:.1} µs |");
    println!("| vfio-user: one NOP, submit to completion taken (doorbell, MSI eventfd, poll), wall clock | {nop_us:.1} µs |");
}

