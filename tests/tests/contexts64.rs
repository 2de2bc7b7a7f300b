//! The context count is a parameter of the RTL: the 64-context build runs
//! under the simulator like the default one (not only under lint).

use alpc_contract::{regs, Descriptor};
use alpc_host::{check, Device, Interrupts, QueueConfig, SimConfig, SimTransport, Transport};
use alpc_sim::{Core64, MemTiming};
use std::time::Duration;

#[test]
fn sixty_four_contexts_work_end_to_end() {
    let cfg = SimConfig { timing: MemTiming::latency(10), ..Default::default() };
    let mut dev = Device::open(SimTransport::<Core64>::with_core(cfg).unwrap()).unwrap();
    assert_eq!(dev.contexts(), 64);
    // The doorbell page of the last context is at the far end of BAR0.
    assert_eq!(regs::bar0_size(64), 0x80000);
    let buf = dev.alloc(64 * 256).unwrap();
    let data: Vec<u8> = (0..64 * 128).map(|i| (i % 251) as u8).collect();
    dev.write(&buf, 0, &data).unwrap();
    let mut queues = Vec::new();
    for ctx in [0usize, 1, 31, 32, 62, 63] {
        let interrupts = Interrupts::Msi { vector: (ctx % 32) as u32, count: 1, delay: Duration::ZERO };
        let q = dev.create_queue_on(ctx, QueueConfig { sq_entries: 8, cq_entries: 8, interrupts }).unwrap();
        queues.push(q);
    }
    // Every context copies its own 128-byte slice, all submitted before any
    // is waited for, so the arbiter sees all six at once.
    for q in &queues {
        let c = q.context() as u64;
        let d = Descriptor::copy(buf.iova() + c * 128, buf.iova() + 64 * 128 + c * 128, 128, c);
        dev.submit(*q, &[d]).unwrap();
    }
    for q in &queues {
        let done = dev.wait(*q, 1, Duration::from_millis(10)).unwrap();
        assert_eq!(done[0].user_data, q.context() as u64);
        assert_eq!(check(&done[0]).unwrap(), 128);
        let mut out = vec![0u8; 128];
        dev.read(&buf, 64 * 128 + q.context() * 128, &mut out).unwrap();
        assert_eq!(out[..], data[q.context() * 128..q.context() * 128 + 128]);
    }
    let t = dev.transport_mut();
    assert_eq!(t.read32(regs::COMPLETED).unwrap(), 6);
    assert_eq!(t.read32(regs::ctx_cfg(63, regs::CTX_SQ_HEAD)).unwrap(), 1);
    assert!(t.read32(regs::ctx_cfg(64, regs::CTX_SQ_HEAD)).is_err(), "context 64 does not exist");
    assert!(dev.transport().sim().axi_violations().is_empty());
}

/// ALPC across the far contexts of the 64-context build: a server on
/// context 63, a client on 62, identities, a request and its reply, and the
/// client's death.
#[test]
fn alpc_between_far_contexts() {
    use alpc_contract::{EventKind, Status};
    let cfg = SimConfig { timing: MemTiming::latency(10), ..Default::default() };
    let mut dev = Device::open(SimTransport::<Core64>::with_core(cfg).unwrap()).unwrap();
    let ctx = |dev: &mut Device<SimTransport<Core64>>, ctx: usize, identity: u32| {
        let interrupts = Interrupts::Msi { vector: (ctx % 32) as u32, count: 1, delay: Duration::ZERO };
        let q = dev.create_queue_on(ctx, QueueConfig { sq_entries: 8, cq_entries: 8, interrupts }).unwrap();
        dev.transport_mut().write32(regs::ctx_cfg(ctx, regs::CTX_IDENTITY), identity).unwrap();
        q
    };
    let server = ctx(&mut dev, 63, 6300);
    let client = ctx(&mut dev, 62, 6200);
    let wait = Duration::from_millis(10);
    dev.submit(server, &[Descriptor::create_port(5, 64, 1, 1)]).unwrap();
    let conn = dev.wait(server, 1, wait).unwrap()[0].port;
    dev.submit(client, &[Descriptor::connect(5, 0, 2)]).unwrap();
    let req = dev.wait(server, 1, wait).unwrap()[0];
    assert_eq!((req.kind(), req.identity), (Some(EventKind::ConnectionRequest), 6200));
    dev.submit(server, &[Descriptor::accept(conn, req.msg_id, 0, 3)]).unwrap();
    let sp = dev.wait(server, 1, wait).unwrap()[0].port;
    let reply = dev.wait(client, 1, wait).unwrap()[0];
    assert_eq!((reply.status(), reply.identity), (Some(Status::Ok), 6300));
    dev.submit_messages(client, &[(Descriptor::request(reply.port, 3, 4), &b"abc"[..])]).unwrap();
    let mut got = Vec::new();
    while got.is_empty() {
        dev.poll_messages(server, &mut got).unwrap();
        dev.transport_mut().relax();
    }
    assert_eq!((got[0].0.kind(), got[0].1.as_slice()), (Some(EventKind::Request), &b"abc"[..]));
    dev.submit_messages(server, &[(Descriptor::reply(sp, got[0].0.msg_id, 2, 5), &b"ok"[..])]).unwrap();
    assert_eq!(dev.wait(client, 1, wait).unwrap()[0].kind(), Some(EventKind::Reply));
    dev.teardown_queue(client).unwrap();
    let n: Vec<_> = dev.wait(server, 2, wait).unwrap();
    assert_eq!(n[0].kind(), Some(EventKind::Done)); // the REPLY's own completion
    assert_eq!((n[1].kind(), n[1].status(), n[1].identity), (Some(EventKind::PortClosed), Some(Status::PeerClosed), 6200));
    assert!(dev.transport().sim().axi_violations().is_empty());
}

/// The large build's port table has 1024 entries: connections past the
/// default build's 256 ports work (their handles carry indices above 255).
#[test]
fn ports_beyond_256_on_the_large_core() {
    use alpc_contract::EventKind;
    let cfg = SimConfig { timing: MemTiming::latency(0), ..Default::default() };
    let mut dev = Device::open(SimTransport::<Core64>::with_core(cfg).unwrap()).unwrap();
    let config = |v| QueueConfig { sq_entries: 16, cq_entries: 512, interrupts: Interrupts::Msi { vector: v, count: 1, delay: Duration::ZERO } };
    let server = dev.create_queue_on(40, config(8)).unwrap();
    let client = dev.create_queue_on(41, config(9)).unwrap();
    let wait = Duration::from_millis(10);
    dev.submit(server, &[Descriptor::create_port(5, 16, 1, 1)]).unwrap();
    let conn = dev.wait(server, 1, wait).unwrap()[0].port;
    let mut last = (0, 0);
    for k in 0..140u64 {
        dev.submit(client, &[Descriptor::connect(5, 0, k)]).unwrap();
        let req = dev.wait(server, 1, wait).unwrap()[0];
        dev.submit(server, &[Descriptor::accept(conn, req.msg_id, k, 2)]).unwrap();
        let sp = dev.wait(server, 1, wait).unwrap()[0].port;
        let cp = dev.wait(client, 1, wait).unwrap()[0].port;
        last = (sp, cp);
    }
    assert!(last.0 & 0xFFFF > 255 && last.1 & 0xFFFF > 255, "{last:x?}");
    dev.submit_messages(client, &[(Descriptor::datagram(last.1, 2, 3), &b"hi"[..])]).unwrap();
    let mut got = Vec::new();
    while got.is_empty() {
        dev.poll_messages(server, &mut got).unwrap();
        dev.transport_mut().relax();
    }
    assert_eq!((got[0].0.kind(), got[0].0.port, got[0].1.as_slice()), (Some(EventKind::Datagram), last.0, &b"hi"[..]));
}
