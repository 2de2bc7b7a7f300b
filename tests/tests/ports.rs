//! Ports, connections and messages in hardware (CREATE_PORT, CONNECT,
//! ACCEPT, REJECT, DATAGRAM, REQUEST, REPLY, CANCEL, CLOSE): ALPC's
//! scenarios on the Verilated RTL and on the reference model through the
//! same host-library code, then constrained-random programs of valid,
//! malformed and adversarial operations over several contexts, run in
//! lockstep on both and compared completion for completion and payload byte
//! for payload byte.
//!
//! `ALPC_PORT_OPS` (default 100 000) sets how many operations the random
//! test runs; `ALPC_PORT_SEED` its first seed; `ALPC_PORT_TRACE=1` prints
//! every batch and the completions it caused.

use alpc_contract::desc::DESC_SIZE;
use alpc_contract::{geometry, regs, Completion, Descriptor, EventKind, Opcode, Status};
use alpc_host::{Device, MemTiming, ModelTransport, QueueId, SimConfig, SimTransport, Transport};
use alpc_tests::Rng;
use std::time::Duration;

const MEM: u64 = 16 << 20;
const WAIT: Duration = Duration::from_millis(50);

fn sim() -> Device<SimTransport> {
    let mut t = SimTransport::new(SimConfig { timing: MemTiming::latency(20), mem_size: MEM, ..Default::default() }).unwrap();
    // The engine clears its port table after reset (one entry per cycle).
    t.sim_mut().run(geometry::PORTS as u64 + 50);
    Device::open(t).unwrap()
}

fn model() -> Device<ModelTransport> {
    Device::open(ModelTransport::new(MEM)).unwrap()
}

/// A context with rings of the given sizes and the identity the privileged
/// side vouches for.
fn context<T: Transport>(dev: &mut Device<T>, identity: u32, sq: usize, cq: usize) -> QueueId {
    let q = dev.create_queue(sq, cq).unwrap();
    dev.transport_mut().write32(regs::ctx_cfg(q.context(), regs::CTX_IDENTITY), identity).unwrap();
    q
}

/// Submits and returns exactly the next completion of `q`.
fn one<T: Transport>(dev: &mut Device<T>, q: QueueId, d: Descriptor) -> Completion {
    dev.submit(q, &[d]).unwrap();
    next(dev, q)
}

fn next<T: Transport>(dev: &mut Device<T>, q: QueueId) -> Completion {
    let got = dev.wait(q, 1, WAIT).unwrap();
    assert_eq!(got.len(), 1, "{got:?}");
    got[0]
}

fn kind(c: &Completion) -> EventKind {
    c.kind().expect("known event kind")
}

fn status(c: &Completion) -> Status {
    c.status().expect("known status")
}

/// Lets the device run until `q`'s CQ tail register reads `tail`.
fn settle<T: Transport>(dev: &mut Device<T>, q: QueueId, tail: u32) {
    for _ in 0..10_000 {
        let t = dev.transport_mut().read32(regs::ctx_cfg(q.context(), regs::CTX_CQ_TAIL)).unwrap();
        if t & 0xFFFF == tail {
            return;
        }
        dev.transport_mut().relax();
    }
    let now = dev.transport_mut().read32(regs::ctx_cfg(q.context(), regs::CTX_CQ_TAIL)).unwrap();
    let head = dev.transport_mut().read32(regs::ctx_cfg(q.context(), regs::CTX_SQ_HEAD)).unwrap();
    panic!("{}: CQ tail of context {} never reached {tail}: tail {now:#x}, SQ head {head}", std::any::type_name::<T>(), q.context());
}

/// Nothing more arrives on `q`.
fn quiet<T: Transport>(dev: &mut Device<T>, q: QueueId) {
    let mut extra = Vec::new();
    dev.poll(q, &mut extra).unwrap();
    assert!(extra.is_empty(), "unexpected completions: {extra:?}");
}

/// ALPC's server/client sequence: create, connect, accept, close; both ends
/// learn each other's verified identity and handle.
fn server_client<T: Transport>(dev: &mut Device<T>) {
    let server = context(dev, 1000, 16, 16);
    let client = context(dev, 2000, 16, 16);
    let c = one(dev, server, Descriptor::create_port(77, 0, 2, 1));
    assert_eq!((kind(&c), status(&c), c.user_data), (EventKind::Done, Status::Ok, 1));
    let conn = c.port;
    assert_ne!(conn, 0);
    // The connect is consumed at once but completes only when the server answers.
    dev.submit(client, &[Descriptor::connect(77, 0, 0xC1)]).unwrap();
    let req = next(dev, server);
    assert_eq!((kind(&req), status(&req), req.port, req.identity), (EventKind::ConnectionRequest, Status::Ok, conn, 2000));
    quiet(dev, client);
    let acc = one(dev, server, Descriptor::accept(conn, req.msg_id, 0x5E7, 2));
    assert_eq!((kind(&acc), status(&acc), acc.user_data), (EventKind::Done, Status::Ok, 2));
    let server_port = acc.port;
    let reply = next(dev, client);
    assert_eq!(
        (kind(&reply), status(&reply), reply.user_data, reply.identity, reply.port),
        (EventKind::ConnectionReply, Status::Ok, 0xC1, 1000, req.msg_id)
    );
    let client_port = reply.port;
    // A handle is the client's alone: the server cannot close it.
    let c = one(dev, server, Descriptor::close(client_port, 3));
    assert_eq!((status(&c), c.port), (Status::BadHandle, client_port));
    // The client closes: the server's port hears of it, with the client's identity.
    let c = one(dev, client, Descriptor::close(client_port, 4));
    assert_eq!((kind(&c), status(&c)), (EventKind::Done, Status::Ok));
    let n = next(dev, server);
    assert_eq!(
        (kind(&n), status(&n), n.port, n.user_data, n.identity),
        (EventKind::PortClosed, Status::Ok, server_port, 0x5E7, 2000)
    );
    // The closed handle is stale now; the server's end closes quietly.
    assert_eq!(status(&one(dev, client, Descriptor::close(client_port, 5))), Status::BadHandle);
    assert_eq!(status(&one(dev, server, Descriptor::close(server_port, 6))), Status::Ok);
    quiet(dev, client);
    // Rejection, and a connect pending when its connection port goes away.
    dev.submit(client, &[Descriptor::connect(77, 0, 0xC2)]).unwrap();
    let req = next(dev, server);
    assert_eq!(status(&one(dev, server, Descriptor::reject(conn, req.msg_id, 7))), Status::Ok);
    let r = next(dev, client);
    assert_eq!((kind(&r), status(&r), r.user_data, r.port), (EventKind::ConnectionReply, Status::Refused, 0xC2, 0));
    // Answering twice is answering a connection that no longer exists.
    assert_eq!(status(&one(dev, server, Descriptor::accept(conn, req.msg_id, 0, 8))), Status::BadHandle);
    dev.submit(client, &[Descriptor::connect(77, 0, 0xC3)]).unwrap();
    let _ = next(dev, server);
    assert_eq!(status(&one(dev, server, Descriptor::close(conn, 9))), Status::Ok);
    let r = next(dev, client);
    assert_eq!((kind(&r), status(&r), r.user_data), (EventKind::ConnectionReply, Status::Refused, 0xC3));
    let r = one(dev, client, Descriptor::connect(77, 0, 0xC4));
    assert_eq!((kind(&r), status(&r)), (EventKind::ConnectionReply, Status::NoSuchName));
}

/// Malformed arguments, name clashes, backlog and a full receiver.
fn bad_input<T: Transport>(dev: &mut Device<T>) {
    let server = context(dev, 10, 4, 4);
    let client = context(dev, 20, 8, 8);
    assert_eq!(status(&one(dev, server, Descriptor::create_port(0, 0, 1, 1))), Status::BadArgument);
    assert_eq!(status(&one(dev, server, Descriptor::create_port(5, 0, 0, 1))), Status::BadArgument);
    let too_big = geometry::MAX_INLINE as u16 + 1;
    assert_eq!(status(&one(dev, server, Descriptor::create_port(5, too_big, 1, 1))), Status::BadArgument);
    let conn = one(dev, server, Descriptor::create_port(5, 0, 1, 1)).port;
    assert_eq!(status(&one(dev, client, Descriptor::create_port(5, 0, 1, 2))), Status::NameExists);
    // A connection message longer than the port allows.
    let r = one(dev, client, Descriptor::connect(5, 1, 3));
    assert_eq!((kind(&r), status(&r)), (EventKind::ConnectionReply, Status::TooLarge));
    // Handles out of the table, with a wrong generation, of the wrong kind.
    for h in [0u32, 0xFFFF_FFFF, conn ^ 0x1_0000, conn + 1] {
        assert_eq!(status(&one(dev, server, Descriptor::accept(conn, h, 0, 4))), Status::BadHandle, "{h:#x}");
        assert_eq!(status(&one(dev, server, Descriptor::close(h, 5))), Status::BadHandle, "{h:#x}");
    }
    // Backlog 1: a second pending connect is refused at once.
    dev.submit(client, &[Descriptor::connect(5, 0, 6)]).unwrap();
    let req = next(dev, server);
    let r = one(dev, client, Descriptor::connect(5, 0, 7));
    assert_eq!((kind(&r), status(&r)), (EventKind::ConnectionReply, Status::BacklogFull));
    // The server's 4-entry ring holds 3. Fill it with unconsumed
    // completions: a new connect finds the server busy and nothing is
    // delivered.
    assert_eq!(status(&one(dev, server, Descriptor::reject(conn, req.msg_id, 8))), Status::Ok);
    let _ = next(dev, client);
    let tail = dev.transport_mut().read32(regs::ctx_cfg(server.context(), regs::CTX_CQ_TAIL)).unwrap() & 0xFFFF;
    dev.submit(server, &[Descriptor::nop(9), Descriptor::nop(10), Descriptor::nop(11)]).unwrap();
    settle(dev, server, (tail + 3) % 4);
    let r = one(dev, client, Descriptor::connect(5, 0, 12));
    assert_eq!((kind(&r), status(&r)), (EventKind::ConnectionReply, Status::ReceiverBusy));
    let nops = dev.wait(server, 3, WAIT).unwrap();
    assert_eq!(nops.iter().map(|c| c.user_data).collect::<Vec<_>>(), [9, 10, 11]);
    quiet(dev, server);
    quiet(dev, client);
}

/// A connected pair: (server queue, client queue, server port, client port).
fn pair<T: Transport>(dev: &mut Device<T>, name: u32, cq: usize) -> (QueueId, QueueId, u32, u32) {
    let server = context(dev, 1000 + name, 16, cq);
    let client = context(dev, 2000 + name, 16, cq);
    let conn = one(dev, server, Descriptor::create_port(name, geometry::MAX_INLINE as u16, 4, 1)).port;
    dev.submit_messages(client, &[(Descriptor::connect(name, 5, 0xC0), b"hello")]).unwrap();
    let mut got = Vec::new();
    while got.is_empty() {
        dev.poll_messages(server, &mut got).unwrap();
        dev.transport_mut().relax();
    }
    let (req, msg) = &got[0];
    assert_eq!((kind(req), req.identity, req.result, msg.as_slice()), (EventKind::ConnectionRequest, 2000 + name, 5, &b"hello"[..]));
    let sp = one(dev, server, Descriptor::accept(conn, req.msg_id, 0x5E, 2)).port;
    let cp = next(dev, client).port;
    (server, client, sp, cp)
}

/// Takes exactly one event of `q` with its payload.
fn event<T: Transport>(dev: &mut Device<T>, q: QueueId) -> (Completion, Vec<u8>) {
    let mut got = Vec::new();
    for _ in 0..100_000 {
        dev.poll_messages(q, &mut got).unwrap();
        if !got.is_empty() {
            break;
        }
        dev.transport_mut().relax();
    }
    assert_eq!(got.len(), 1, "{got:?}");
    got.remove(0)
}

/// ALPC's messages: a datagram, a request and its reply (payloads and
/// verified identities on both sides), a reply to the wrong message, a
/// cancel, and a server that closes while a client waits for its reply.
fn messages<T: Transport>(dev: &mut Device<T>) {
    let (server, client, sp, cp) = pair(dev, 9, 16);
    let big: Vec<u8> = (0..geometry::MAX_INLINE).map(|i| i as u8 ^ 0x5A).collect();
    dev.submit_messages(client, &[(Descriptor::datagram(cp, 3, 1), b"abc")]).unwrap();
    let (d, m) = event(dev, server);
    assert_eq!((kind(&d), status(&d), d.port, d.user_data, d.identity, m.as_slice()), (EventKind::Datagram, Status::Ok, sp, 0x5E, 2009, &b"abc"[..]));
    let done = next(dev, client);
    assert_eq!((kind(&done), status(&done), done.port), (EventKind::Done, Status::Ok, cp));
    // Send-and-wait: the request is consumed, its completion is the reply.
    dev.submit_messages(client, &[(Descriptor::request(cp, big.len() as u32, 0xAB), &big[..])]).unwrap();
    let (r, m) = event(dev, server);
    assert_eq!((kind(&r), status(&r), r.identity, m), (EventKind::Request, Status::Ok, 2009, big.clone()));
    quiet(dev, client);
    // A reply to a message id that is not outstanding, from the wrong port.
    assert_eq!(status(&one(dev, server, Descriptor::reply(sp, r.msg_id ^ 0x1_0000, 0, 3))), Status::BadReply);
    assert_eq!(status(&one(dev, client, Descriptor::reply(cp, r.msg_id, 0, 4))), Status::BadReply);
    dev.submit_messages(server, &[(Descriptor::reply(sp, r.msg_id, 2, 5), b"ok")]).unwrap();
    let (rep, m) = event(dev, client);
    assert_eq!(
        (kind(&rep), status(&rep), rep.user_data, rep.port, rep.msg_id, rep.identity, m.as_slice()),
        (EventKind::Reply, Status::Ok, 0xAB, cp, r.msg_id, 1009, &b"ok"[..])
    );
    assert_eq!(status(&next(dev, server)), Status::Ok);
    // Answering twice is a bad reply.
    assert_eq!(status(&one(dev, server, Descriptor::reply(sp, r.msg_id, 0, 6))), Status::BadReply);
    // Cancel: the requester withdraws; the server's late reply finds nothing.
    dev.submit(client, &[Descriptor::request(cp, 0, 0xCA)]).unwrap();
    let r = event(dev, server).0;
    // (The requester names the request by the user data it sent it with.)
    assert_eq!(status(&one(dev, client, Descriptor::cancel(cp, 0xCB, 6))), Status::BadReply);
    dev.submit(client, &[Descriptor::cancel(cp, 0xCA, 7)]).unwrap();
    // The request's REPLY comes first, then the cancel's own completion.
    let got = dev.wait(client, 2, WAIT).unwrap();
    assert_eq!((kind(&got[0]), status(&got[0]), got[0].user_data), (EventKind::Reply, Status::Canceled, 0xCA));
    assert_eq!((kind(&got[1]), status(&got[1]), got[1].user_data), (EventKind::Done, Status::Ok, 7));
    assert_eq!(status(&one(dev, server, Descriptor::reply(sp, r.msg_id, 0, 8))), Status::BadReply);
    // The server closes while the client waits: PEER_CLOSED, then PORT_CLOSED.
    dev.submit(client, &[Descriptor::request(cp, 0, 0xDD)]).unwrap();
    let _ = event(dev, server);
    assert_eq!(status(&one(dev, server, Descriptor::close(sp, 9))), Status::Ok);
    let got = dev.wait(client, 2, WAIT).unwrap();
    let (w, n) = (got[0], got[1]);
    assert_eq!((kind(&w), status(&w), w.user_data, w.identity), (EventKind::Reply, Status::PeerClosed, 0xDD, 1009));
    assert_eq!((kind(&n), status(&n), n.port, n.user_data), (EventKind::PortClosed, Status::Ok, cp, 0xC0));
    assert_eq!(status(&one(dev, client, Descriptor::datagram(cp, 0, 10))), Status::PeerClosed);
    quiet(dev, server);
}

/// Every outstanding request holds a request-table entry: the one past the
/// table's size is refused, and nothing is lost.
fn request_table_full<T: Transport>(dev: &mut Device<T>) {
    let n = geometry::REQUESTS;
    let (server, client, _, cp) = pair(dev, 11, 2 * n);
    let reqs: Vec<_> = (0..=n as u64).map(|u| Descriptor::request(cp, 0, 100 + u)).collect();
    let mut delivered = 0;
    for chunk in reqs.chunks(8) {
        // (Requests complete late: the SQ's room comes from CTX_SQ_HEAD.)
        dev.submit(client, chunk).unwrap();
        let want = chunk.len().min(n - delivered);
        if want > 0 {
            delivered += dev.wait(server, want, WAIT).unwrap().len();
        }
    }
    assert_eq!(delivered, n);
    let mut got = Vec::new();
    for _ in 0..1000 {
        dev.poll(client, &mut got).unwrap();
        dev.transport_mut().relax();
    }
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((kind(&got[0]), status(&got[0]), got[0].user_data), (EventKind::Reply, Status::NoResources, 100 + n as u64));
}

/// ALPC's client-died and server-died cases: the privileged owner tears a
/// context down; its peers hear PORT_CLOSED with PEER_CLOSED, requests
/// towards it fail, its own requests vanish, connects pending on its
/// connection ports are refused, its name is free again, and every other
/// connection goes on.
fn process_death<T: Transport>(dev: &mut Device<T>) {
    let (server, client, sp, cp) = pair(dev, 13, 16);
    let (_, other, _, op) = pair(dev, 14, 16);
    // The client dies with a request outstanding.
    dev.submit(client, &[Descriptor::request(cp, 0, 0x77)]).unwrap();
    let r = event(dev, server).0;
    dev.teardown_queue(client).unwrap();
    let (n, _) = event(dev, server);
    assert_eq!((kind(&n), status(&n), n.port, n.identity), (EventKind::PortClosed, Status::PeerClosed, sp, 2013));
    assert_eq!(status(&one(dev, server, Descriptor::reply(sp, r.msg_id, 0, 1))), Status::BadReply);
    assert_eq!(status(&one(dev, server, Descriptor::datagram(sp, 0, 2))), Status::PeerClosed);
    // Another client of another server is untouched.
    assert_eq!(status(&one(dev, other, Descriptor::datagram(op, 0, 3))), Status::Ok);
    // A server dies with a request from its client outstanding and a
    // connect pending on its connection port.
    let (server, client, _, cp) = pair(dev, 15, 16);
    let third = context(dev, 3015, 8, 8);
    dev.submit(client, &[Descriptor::request(cp, 0, 0x88)]).unwrap();
    dev.submit(third, &[Descriptor::connect(15, 0, 0x99)]).unwrap();
    let mut got = Vec::new();
    while got.len() < 2 {
        dev.poll(server, &mut got).unwrap();
        dev.transport_mut().relax();
    }
    dev.teardown_queue(server).unwrap();
    let got = dev.wait(client, 2, WAIT).unwrap();
    assert_eq!((kind(&got[0]), status(&got[0]), got[0].user_data, got[0].identity), (EventKind::Reply, Status::PeerClosed, 0x88, 1015));
    assert_eq!((kind(&got[1]), status(&got[1]), got[1].port), (EventKind::PortClosed, Status::PeerClosed, cp));
    let r = next(dev, third);
    assert_eq!((kind(&r), status(&r), r.user_data), (EventKind::ConnectionReply, Status::Refused, 0x99));
    // The name is free again for a new server.
    assert_eq!(status(&one(dev, third, Descriptor::create_port(15, 0, 1, 4))), Status::Ok);
    quiet(dev, client);
}

#[test]
fn process_death_on_rtl_and_model() {
    process_death(&mut sim());
    process_death(&mut model());
}

#[test]
fn messages_on_rtl_and_model() {
    messages(&mut sim());
    messages(&mut model());
}

#[test]
fn request_table_full_on_rtl_and_model() {
    request_table_full(&mut sim());
    request_table_full(&mut model());
}

#[test]
fn server_client_sequence_on_rtl_and_model() {
    server_client(&mut sim());
    server_client(&mut model());
}

#[test]
fn bad_input_gets_error_completions_on_rtl_and_model() {
    bad_input(&mut sim());
    bad_input(&mut model());
}

/// What the generator has seen, from the model's completions.
#[derive(Default)]
struct Seen {
    /// (owner context, handle) of connection ports.
    conn: Vec<(usize, u32)>,
    /// (owner context, handle) of communication ports.
    comm: Vec<(usize, u32)>,
    /// (server context, connection port, connection id).
    pending: Vec<(usize, u32, u32)>,
    /// Communication port handle -> its peer's.
    peer: std::collections::HashMap<u32, u32>,
    /// Requests received: (context, port, message id).
    inbox: Vec<(usize, u32, u32)>,
    /// Requests sent: (context, port, user data).
    sent: Vec<(usize, u32, u64)>,
}

impl Seen {
    /// Learns from completion `c` of context `ctx` after `batch` was submitted.
    fn learn(&mut self, ctx: usize, c: &Completion, batch: &[(Descriptor, Vec<u8>)]) {
        if c.status() != Some(Status::Ok) || c.port == 0 {
            return;
        }
        let sent = batch.iter().map(|m| m.0).find(|d| d.user_data == c.user_data);
        match c.kind() {
            Some(EventKind::ConnectionRequest) => self.pending.push((ctx, c.port, c.msg_id)),
            Some(EventKind::ConnectionReply) => self.comm.push((ctx, c.port)),
            Some(EventKind::Request) => self.inbox.push((ctx, c.port, c.msg_id)),
            Some(EventKind::Done) => match sent.map(|d| (d.opcode, d.arg())) {
                Some((op, _)) if op == Opcode::CreatePort as u8 => self.conn.push((ctx, c.port)),
                Some((op, client)) if op == Opcode::Accept as u8 => {
                    self.comm.push((ctx, c.port));
                    self.peer.insert(c.port, client);
                    self.peer.insert(client, c.port);
                }
                _ => {}
            },
            _ => {}
        }
    }
}

fn pick<X: Copy>(rng: &mut Rng, v: &[X]) -> Option<X> {
    (!v.is_empty()).then(|| v[rng.range(0, v.len() as u64 - 1) as usize])
}

/// A payload length: mostly short, sometimes up to the inline limit.
fn payload_len(rng: &mut Rng) -> u32 {
    match rng.range(0, 9) {
        0..=2 => 0,
        3..=7 => rng.range(1, 100) as u32,
        _ => rng.range(100, geometry::MAX_INLINE as u64) as u32,
    }
}

/// A random operation for context `ctx`: a descriptor and its inline payload
/// (a `length` that differs from the payload's is a lie the engine must
/// survive: the next slots are taken as the payload if they were submitted).
fn random_op(rng: &mut Rng, seen: &Seen, ctx: usize, user: u64) -> (Descriptor, Vec<u8>) {
    let own = |v: &[(usize, u32)]| v.iter().filter(|x| x.0 == ctx).map(|x| x.1).collect::<Vec<_>>();
    let any_handle = |rng: &mut Rng| {
        // Connection ids are the connecting clients' port handles: a client
        // that guesses its own withdraws its connect.
        let all: Vec<u32> =
            seen.conn.iter().chain(&seen.comm).map(|x| x.1).chain(seen.pending.iter().map(|p| p.2)).collect();
        match rng.range(0, 9) {
            0 => rng.next_u64() as u32,
            1 => (rng.range(1, 3) as u32) << 16 | rng.range(0, geometry::PORTS as u64 + 5) as u32,
            _ => pick(rng, &all).unwrap_or(0),
        }
    };
    let comm_port = |rng: &mut Rng| match pick(rng, &own(&seen.comm)) {
        Some(h) if rng.chance(90) => h,
        _ => any_handle(rng),
    };
    let with = |rng: &mut Rng, d: Descriptor| {
        let payload = rng.bytes(d.length as usize);
        if rng.chance(2) {
            // Lies about its length.
            let length = match rng.range(0, 2) {
                0 => geometry::MAX_INLINE + rng.range(1, 1000) as u32,
                _ => rng.range(1, 600) as u32,
            };
            return (Descriptor { length, ..d }, payload);
        }
        (d, payload)
    };
    match rng.range(0, 99) {
        0..=9 => {
            let name = rng.range(0, 6) as u32;
            let max = match rng.range(0, 19) {
                0 => geometry::MAX_INLINE as u16 + 1,
                1..=5 => rng.range(0, 64) as u16,
                _ => geometry::MAX_INLINE as u16,
            };
            (Descriptor::create_port(name, max, rng.range(0, 3) as u8, user), Vec::new())
        }
        10..=27 => {
            let len = if rng.chance(70) { 0 } else { payload_len(rng) };
            let d = Descriptor::connect(rng.range(1, 7) as u32, len, user);
            with(rng, d)
        }
        28..=42 => {
            let mine: Vec<_> = seen.pending.iter().filter(|p| p.0 == ctx || rng.chance(10)).copied().collect();
            let (port, id) = match pick(rng, &mine) {
                Some((_, port, id)) if !rng.chance(5) => (port, id),
                Some((_, port, _)) => (port, any_handle(rng)),
                None => (pick(rng, &own(&seen.conn)).unwrap_or(0), any_handle(rng)),
            };
            let d = if rng.chance(70) {
                Descriptor::accept(port, id, rng.next_u64(), user)
            } else {
                Descriptor::reject(port, id, user)
            };
            (d, Vec::new())
        }
        43..=54 => {
            let port = comm_port(rng);
            let d = Descriptor::datagram(port, payload_len(rng), user);
            with(rng, d)
        }
        55..=66 => {
            let port = comm_port(rng);
            let d = Descriptor::request(port, payload_len(rng), user);
            with(rng, d)
        }
        67..=76 => {
            let mine: Vec<_> = seen.inbox.iter().filter(|r| r.0 == ctx || rng.chance(10)).copied().collect();
            let (port, id) = match pick(rng, &mine) {
                Some((_, port, id)) if !rng.chance(5) => (port, id),
                Some((_, port, _)) => (port, rng.next_u64() as u32),
                None => (comm_port(rng), any_handle(rng)),
            };
            let d = Descriptor::reply(port, id, payload_len(rng), user);
            with(rng, d)
        }
        77..=80 => {
            // Recent requests are the ones likely still outstanding.
            let mine: Vec<_> = seen.sent.iter().rev().filter(|r| r.0 == ctx || rng.chance(10)).take(4).copied().collect();
            let (port, request) = match pick(rng, &mine) {
                Some((_, port, request)) if !rng.chance(10) => (port, request),
                Some((_, port, _)) => (port, rng.next_u64()),
                None => (comm_port(rng), rng.next_u64()),
            };
            (Descriptor::cancel(port, request, user), Vec::new())
        }
        81..=92 => {
            let mine: Vec<u32> = own(&seen.comm).into_iter().chain(own(&seen.conn)).collect();
            let h = match pick(rng, &mine) {
                Some(h) if rng.chance(80) => h,
                _ => any_handle(rng),
            };
            (Descriptor::close(h, user), Vec::new())
        }
        93..=95 => (Descriptor::nop(user), Vec::new()),
        96..=97 => (Descriptor { flags: 1, ..Descriptor::close(any_handle(rng), user) }, Vec::new()),
        _ => (Descriptor { opcode: rng.range(0x19, 0xFF) as u8, ..Descriptor::nop(user) }, Vec::new()),
    }
}

/// The SQ slots of a batch: honest messages with their payload slots, liars
/// with their descriptor alone.
fn slots_of(batch: &[(Descriptor, Vec<u8>)]) -> Vec<[u8; DESC_SIZE]> {
    batch
        .iter()
        .flat_map(|(d, p)| if d.length as usize == p.len() { d.with_payload(p) } else { vec![d.to_bytes()] })
        .collect()
}

/// Runs the simulated device until it has nothing left to do: the engine
/// idle and no doorbell waiting for it.
fn quiesce(dev: &mut Device<SimTransport>) {
    for _ in 0..100_000 {
        let status = dev.transport_mut().read32(regs::STATUS).unwrap();
        if status & (regs::STATUS_BUSY | regs::STATUS_PENDING) == 0 {
            return;
        }
        dev.transport_mut().relax();
    }
    panic!("the engine never went idle");
}

/// One random program in lockstep on the RTL and the model; returns the
/// number of operations.
/// Completions of one context, with their payloads.
type Events = Vec<(Completion, Vec<u8>)>;

/// Takes what every context has on both backends (the model first: its CQ
/// head doorbell may let a blocked context go on at once, and the RTL is let
/// settle after each), asserts that the two agree and returns it, per context.
/// `what` names the moment for a failure message (built only on failure).
fn drain(
    a: &mut Device<SimTransport>,
    b: &mut Device<ModelTransport>,
    qs: &[QueueId],
    what: &dyn Fn() -> String,
) -> Vec<(usize, Events)> {
    qs.iter()
        .map(|&p| {
            let (mut got, mut want) = (Vec::new(), Vec::new());
            b.poll_messages(p, &mut want).unwrap();
            a.poll_messages(p, &mut got).unwrap();
            quiesce(a);
            assert_eq!(got, want, "{}: context {} (RTL left, model right)", what(), p.context());
            (p.context(), want)
        })
        .collect()
}

fn lockstep(seed: u64, steps: usize, outcomes: &mut std::collections::BTreeMap<(u8, u8), usize>) -> usize {
    let mut rng = Rng::new(seed);
    let (mut a, mut b) = (sim(), model());
    let nctx = rng.range(2, 6) as usize;
    let (mut qs, mut sizes) = (Vec::new(), Vec::new());
    for k in 0..nctx {
        let sq = 1usize << rng.range(3, 5);
        let cq = 1usize << rng.range(2, 5);
        sizes.push((sq, cq));
        let identity = 100 * (k as u32 + 1);
        let q = context(&mut a, identity, sq, cq);
        assert_eq!(context(&mut b, identity, sq, cq), q);
        qs.push(q);
    }
    let mut seen = Seen::default();
    let (mut user, mut ops) = (0u64, 0usize);
    for step in 0..steps {
        let k = rng.range(0, nctx as u64 - 1) as usize;
        let q = qs[k];
        if rng.chance(1) {
            // The process behind context k dies; a new one takes its place.
            if std::env::var_os("ALPC_PORT_TRACE").is_some() {
                eprintln!("step {step}: context {k} dies");
            }
            a.teardown_queue(q).unwrap();
            b.teardown_queue(q).unwrap();
            let (sq, cq) = sizes[k];
            let identity = 100 * (k as u32 + 1) + step as u32;
            assert_eq!(context(&mut a, identity, sq, cq), q);
            assert_eq!(context(&mut b, identity, sq, cq), q);
            quiesce(&mut a);
            for (_, got) in drain(&mut a, &mut b, &qs, &|| format!("seed {seed} step {step}, after context {k} died")) {
                for (c, _) in &got {
                    *outcomes.entry((c.kind, c.status)).or_default() += 1;
                }
            }
            continue;
        }
        // Batches of up to three behind one doorbell, as room allows.
        let room = a.sq_free(q).min(b.sq_free(q));
        let mut batch = Vec::new();
        for _ in 0..rng.range(1, 3) {
            user += 1;
            let m = random_op(&mut rng, &seen, k, user);
            if slots_of(&batch).len() + slots_of(std::slice::from_ref(&m)).len() <= room {
                batch.push(m);
            }
        }
        if batch.is_empty() {
            // The SQ is full of descriptors the engine cannot take yet (its
            // CQ slots are all claimed); consume what is there and go on.
            for (_, got) in drain(&mut a, &mut b, &qs, &|| format!("seed {seed} step {step}")) {
                for (c, _) in &got {
                    *outcomes.entry((c.kind, c.status)).or_default() += 1;
                }
            }
            continue;
        }
        ops += batch.len();
        for (d, _) in &batch {
            if d.opcode == Opcode::Request as u8 {
                seen.sent.push((k, d.port(), d.user_data));
            }
        }
        let slots = slots_of(&batch);
        b.submit_slots(q, &slots).unwrap();
        a.submit_slots(q, &slots).unwrap();
        // The model runs at each register write; the RTL is let run until it
        // has nothing left to do before the host looks, and again after each
        // CQ head doorbell (which may let a blocked context go on).
        quiesce(&mut a);
        for (ctx, got) in drain(&mut a, &mut b, &qs, &|| format!("seed {seed} step {step}, after {batch:?}")) {
            if std::env::var_os("ALPC_PORT_TRACE").is_some() && !got.is_empty() {
                eprintln!("step {step} ctx {k} submitted {batch:?}\n  ctx {ctx} got {got:?}");
            }
            for (c, _) in &got {
                seen.learn(ctx, c, &batch);
                *outcomes.entry((c.kind, c.status)).or_default() += 1;
            }
        }
    }
    // Whatever is still owed arrives on both, and nothing else.
    a.transport_mut().sim_mut().run(20_000);
    quiesce(&mut a);
    while drain(&mut a, &mut b, &qs, &|| format!("seed {seed} at the end")).iter().any(|(_, got)| !got.is_empty()) {}
    let regs_of = |t: &mut dyn FnMut(u64) -> u32| {
        let mut v = vec![t(regs::COMPLETED), t(regs::ERRORS)];
        for q in &qs {
            v.push(t(regs::ctx_cfg(q.context(), regs::CTX_SQ_HEAD)));
            v.push(t(regs::ctx_cfg(q.context(), regs::CTX_CQ_TAIL)));
        }
        v
    };
    let ra = regs_of(&mut |o| a.transport_mut().read32(o).unwrap());
    let rb = regs_of(&mut |o| b.transport_mut().read32(o).unwrap());
    assert_eq!(ra, rb, "seed {seed}: registers (RTL left, model right)");
    ops
}

#[test]
fn random_port_programs_match_the_model() {
    let target: usize = std::env::var("ALPC_PORT_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let first: u64 = std::env::var("ALPC_PORT_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let (mut ops, mut seed) = (0, first);
    let mut outcomes = std::collections::BTreeMap::new();
    let start = std::time::Instant::now();
    while ops < target {
        ops += lockstep(seed, 400, &mut outcomes);
        seed += 1;
    }
    println!("{ops} port operations in {} programs compared in {:.1?}", seed - first, start.elapsed());
    for ((k, st), n) in &outcomes {
        let k = EventKind::from_u8(*k).map_or("?", |k| k.name());
        println!("  {k:<20} {:<14} {n}", Status::from_u8(*st).map_or("?", |s| s.name()));
    }
    // The generator must reach every outcome these operations can have.
    let needed = [
        (EventKind::Done, Status::Ok),
        (EventKind::Done, Status::BadOpcode),
        (EventKind::Done, Status::BadReserved),
        (EventKind::Done, Status::BadHandle),
        (EventKind::Done, Status::BadArgument),
        (EventKind::Done, Status::NameExists),
        (EventKind::Done, Status::NoResources),
        (EventKind::ConnectionRequest, Status::Ok),
        (EventKind::ConnectionReply, Status::Ok),
        (EventKind::ConnectionReply, Status::NoSuchName),
        (EventKind::ConnectionReply, Status::Refused),
        (EventKind::ConnectionReply, Status::BacklogFull),
        (EventKind::ConnectionReply, Status::TooLarge),
        (EventKind::ConnectionReply, Status::NoResources),
        (EventKind::ConnectionReply, Status::ReceiverBusy),
        (EventKind::ConnectionReply, Status::PortClosed),
        (EventKind::PortClosed, Status::Ok),
        (EventKind::Done, Status::BadLength),
        (EventKind::Done, Status::BadReply),
        (EventKind::Done, Status::PeerClosed),
        (EventKind::Done, Status::TooLarge),
        (EventKind::Done, Status::ReceiverBusy),
        (EventKind::Datagram, Status::Ok),
        (EventKind::Request, Status::Ok),
        (EventKind::Reply, Status::Ok),
        (EventKind::Reply, Status::Canceled),
        (EventKind::Reply, Status::PortClosed),
        (EventKind::Reply, Status::PeerClosed),
        (EventKind::PortClosed, Status::PeerClosed),
    ];
    if target >= 50_000 {
        for (k, st) in needed {
            assert!(outcomes.contains_key(&(k as u8, st as u8)), "no {} with {} in {ops} operations", k.name(), st.name());
        }
    }
}

/// A warm reset of the card restarts every table: a request outstanding
/// before it must not come back to life (its entry is cleared with the
/// ports, so a later CLOSE on a port that reuses its indices finds nothing).
#[test]
fn warm_reset_forgets_outstanding_requests() {
    let mut dev = sim();
    let (server, client, _, cp) = pair(&mut dev, 21, 16);
    dev.submit(client, &[Descriptor::request(cp, 0, 0x51)]).unwrap();
    let _ = event(&mut dev, server);
    let sim = dev.transport_mut().sim_mut();
    sim.reset();
    sim.run(geometry::PORTS as u64 + 50);
    dev.transport_mut().write32(regs::CONTROL, regs::CONTROL_ENABLE).unwrap();
    // New processes on new contexts; the port table hands out the same
    // indices again.
    let (server2, _, sp2, _) = pair(&mut dev, 21, 16);
    assert_eq!(sp2 & 0xFFFF, 2, "the new server port reuses the old one's index");
    assert_eq!(status(&one(&mut dev, server2, Descriptor::close(sp2, 9))), Status::Ok);
    dev.transport_mut().sim_mut().run(5_000);
    // Nobody hears of the request from before the reset.
    quiet(&mut dev, client);
}
