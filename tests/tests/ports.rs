//! Ports, connections and messages in hardware (CREATE_PORT, CONNECT,
//! ACCEPT, REJECT, DATAGRAM, REQUEST, REPLY, CANCEL, CLOSE), sections and
//! views (SECTION_CREATE/DELETE, VIEW_CREATE/REVOKE, messages carrying a
//! view, COPY through views, memory windows): ALPC's
//! scenarios on the Verilated RTL and on the reference model through the
//! same host-library code, then constrained-random programs of valid,
//! malformed and adversarial operations over several contexts, run in
//! lockstep on both and compared completion for completion and payload byte
//! for payload byte.
//!
//! `ALPC_PORT_OPS` (default 100 000) sets how many operations the random
//! test runs; `ALPC_PORT_SEED` its first seed; `ALPC_PORT_TRACE=1` prints
//! every batch and the completions it caused.

use alpc_contract::desc::{view_ref, DESC_FLAG_DST_VIEW, DESC_FLAG_LARGE, DESC_FLAG_SRC_VIEW, DESC_FLAG_VIEW, DESC_SIZE};
use alpc_contract::{access, geometry, regs, Completion, Descriptor, EventKind, Opcode, Status};
use alpc_host::{Device, DmaBuffer, MemTiming, ModelTransport, QueueId, Received, SimConfig, SimTransport, Transport};
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

/// Takes exactly one event of `q` with its payload and view record.
fn received<T: Transport>(dev: &mut Device<T>, q: QueueId) -> Received {
    let mut got = Vec::new();
    for _ in 0..100_000 {
        dev.poll_events(q, &mut got).unwrap();
        if !got.is_empty() {
            break;
        }
        dev.transport_mut().relax();
    }
    assert_eq!(got.len(), 1, "{got:?}");
    got.remove(0)
}

/// Takes exactly one event of `q` with its payload.
fn event<T: Transport>(dev: &mut Device<T>, q: QueueId) -> (Completion, Vec<u8>) {
    let r = received(dev, q);
    (r.completion, r.payload)
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
/// Sets context `q`'s memory window to `buf` (the privileged side's job).
fn window<T: Transport>(dev: &mut Device<T>, q: QueueId, buf: &DmaBuffer) {
    let (base, last) = (buf.iova(), buf.iova() + buf.len() as u64 - 1);
    let r = |reg| regs::ctx_cfg(q.context(), reg);
    let t = dev.transport_mut();
    for (reg, v) in [
        (regs::CTX_MEM_BASE_LO, base as u32),
        (regs::CTX_MEM_BASE_HI, (base >> 32) as u32),
        (regs::CTX_MEM_LAST_LO, last as u32),
        (regs::CTX_MEM_LAST_HI, (last >> 32) as u32),
    ] {
        t.write32(r(reg), v).unwrap();
        assert_eq!(t.read32(r(reg)).unwrap(), v);
    }
}

/// Sections and views: a server shares a section with a client by view
/// (no byte copied), the client reads it by COPY through the view and
/// writes its answer through a writable view; every misuse is refused:
/// ranges outside the window, the section or the view; rights not granted;
/// views used by another context, through another port, after revocation,
/// after the section was deleted and after the owner died.
fn sections_and_views<T: Transport>(dev: &mut Device<T>) {
    let (server, client, sp, cp) = pair(dev, 21, 16);
    let other = context(dev, 3021, 16, 16);
    let (sbuf, cbuf, obuf) = (dev.alloc(8192).unwrap(), dev.alloc(4096).unwrap(), dev.alloc(4096).unwrap());
    window(dev, server, &sbuf);
    window(dev, client, &cbuf);
    window(dev, other, &obuf);
    let text: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3) as u8).collect();
    dev.write(&sbuf, 0, &text).unwrap();
    let st = |c: Completion| status(&c);
    let (base, rw) = (sbuf.iova(), access::READ | access::WRITE);
    // Registering: inside the window only, with sane rights.
    assert_eq!(st(one(dev, server, Descriptor::section_create(base + 4096, 4097, rw, 1))), Status::BadAddress);
    assert_eq!(st(one(dev, server, Descriptor::section_create(base - 1, 2, rw, 1))), Status::BadAddress);
    assert_eq!(st(one(dev, server, Descriptor::section_create(base, 0, rw, 1))), Status::BadArgument);
    assert_eq!(st(one(dev, server, Descriptor::section_create(base, 16, 4, 1))), Status::BadArgument);
    let ro = one(dev, server, Descriptor::section_create(base, 4096, access::READ, 1));
    assert_eq!((st(ro), kind(&ro), ro.port >> 16), (Status::Ok, EventKind::Done, 1));
    let ws = one(dev, server, Descriptor::section_create(base + 4096, 4096, rw, 2)).port;
    let ro = ro.port;
    // Granting: rights within the section's, range within it, through a
    // connected port of the owner's.
    assert_eq!(st(one(dev, server, Descriptor::view_create(sp, ro, 0, 64, rw, 3))), Status::AccessDenied);
    assert_eq!(st(one(dev, server, Descriptor::view_create(sp, ro, 4000, 97, access::READ, 3))), Status::BadAddress);
    assert_eq!(st(one(dev, client, Descriptor::view_create(cp, ro, 0, 64, access::READ, 3))), Status::BadHandle);
    assert_eq!(st(one(dev, server, Descriptor::view_create(cp, ro, 0, 64, access::READ, 3))), Status::BadHandle);
    let v = one(dev, server, Descriptor::view_create(sp, ro, 256, 3000, access::READ, 4));
    assert_eq!(st(v), Status::Ok);
    let v = v.port;
    // The view rides a datagram: the client learns where it is and how big.
    dev.submit_messages(server, &[(Descriptor::datagram(sp, 2, 5).with_view(v), b"hi")]).unwrap();
    let got = received(dev, client);
    assert_eq!((kind(&got.completion), status(&got.completion), got.payload.as_slice()), (EventKind::Datagram, Status::Ok, &b"hi"[..]));
    let rec = got.view.expect("a view record");
    assert_eq!((rec.iova, rec.length, rec.handle, rec.access), (base + 256, 3000, v, access::READ));
    assert_eq!(st(next(dev, server)), Status::Ok);
    // Only the grantor may attach it, only through that port, with a payload that leaves room for the record.
    dev.submit_messages(client, &[(Descriptor::datagram(cp, 0, 6).with_view(v), b"")]).unwrap();
    assert_eq!(st(next(dev, client)), Status::BadHandle);
    let big = vec![1u8; geometry::MAX_VIEW_MESSAGE as usize + 1];
    dev.submit_messages(server, &[(Descriptor::datagram(sp, big.len() as u32, 7).with_view(v), &big)]).unwrap();
    assert_eq!(st(next(dev, server)), Status::TooLarge);
    // The client reads through the view into its own memory.
    let copy = |dev: &mut Device<T>, q, src: u64, dst: u64, len: u32, flags: u8| {
        one(dev, q, Descriptor { flags, ..Descriptor::copy(src, dst, len, 8) })
    };
    let c = copy(dev, client, view_ref(v, 100), cbuf.iova(), 1000, DESC_FLAG_SRC_VIEW);
    assert_eq!((st(c), c.result), (Status::Ok, 1000));
    let mut back = vec![0u8; 1000];
    dev.read(&cbuf, 0, &mut back).unwrap();
    assert_eq!(back, text[356..1356]);
    assert_eq!(st(copy(dev, client, view_ref(v, 2001), cbuf.iova(), 1000, DESC_FLAG_SRC_VIEW)), Status::BadAddress);
    assert_eq!(st(copy(dev, client, cbuf.iova(), view_ref(v, 0), 16, DESC_FLAG_DST_VIEW)), Status::AccessDenied);
    assert_eq!(st(copy(dev, other, view_ref(v, 0), obuf.iova(), 16, DESC_FLAG_SRC_VIEW)), Status::BadHandle);
    assert_eq!(st(copy(dev, client, view_ref(v, 0), sbuf.iova(), 16, DESC_FLAG_SRC_VIEW)), Status::BadAddress, "outside the window");
    assert_eq!(st(copy(dev, client, view_ref(v + 0x1_0000, 0), cbuf.iova(), 16, DESC_FLAG_SRC_VIEW)), Status::BadHandle, "stale generation");
    // A writable view, sent with a request; the client answers into it and replies.
    let w = one(dev, server, Descriptor::view_create(sp, ws, 0, 512, access::WRITE, 9)).port;
    dev.submit_messages(server, &[(Descriptor::request(sp, 0, 10).with_view(w), b"")]).unwrap();
    let req = received(dev, client);
    assert_eq!((kind(&req.completion), req.view.map(|r| (r.iova, r.length))), (EventKind::Request, Some((base + 4096, 512))));
    dev.write(&cbuf, 0, b"answer").unwrap();
    assert_eq!(st(copy(dev, client, cbuf.iova(), view_ref(w, 10), 6, DESC_FLAG_DST_VIEW)), Status::Ok);
    assert_eq!(st(copy(dev, client, view_ref(w, 0), cbuf.iova(), 6, DESC_FLAG_SRC_VIEW)), Status::AccessDenied);
    assert_eq!(st(one(dev, client, Descriptor::reply(cp, req.completion.msg_id, 0, 11))), Status::Ok);
    let rep = received(dev, server);
    assert_eq!((kind(&rep.completion), status(&rep.completion), rep.view), (EventKind::Reply, Status::Ok, None));
    let mut ans = [0u8; 6];
    dev.read(&sbuf, 4096 + 10, &mut ans).unwrap();
    assert_eq!(&ans, b"answer");
    // The client gives the writable view up; the server revokes the other
    // after deleting its section; handles go stale.
    assert_eq!(st(one(dev, other, Descriptor::view_revoke(w, 12))), Status::BadHandle);
    assert_eq!(st(one(dev, client, Descriptor::view_revoke(w, 12))), Status::Ok);
    assert_eq!(st(copy(dev, client, cbuf.iova(), view_ref(w, 0), 6, DESC_FLAG_DST_VIEW)), Status::BadHandle);
    assert_eq!(st(one(dev, client, Descriptor::section_delete(ro, 13))), Status::BadHandle, "not its section");
    assert_eq!(st(one(dev, server, Descriptor::section_delete(ro, 13))), Status::Ok);
    assert_eq!(st(copy(dev, client, view_ref(v, 0), cbuf.iova(), 16, DESC_FLAG_SRC_VIEW)), Status::BadHandle, "revoked with its section");
    assert_eq!(st(one(dev, server, Descriptor::view_revoke(v, 14))), Status::BadHandle);
    // The owner dies: its sections and every view of them go.
    let v2 = one(dev, server, Descriptor::view_create(sp, ws, 0, 16, access::READ, 15)).port;
    dev.submit_messages(server, &[(Descriptor::datagram(sp, 0, 16).with_view(v2), b"")]).unwrap();
    assert_eq!(received(dev, client).view.map(|r| r.handle), Some(v2));
    assert_eq!(st(next(dev, server)), Status::Ok);
    assert_eq!(st(copy(dev, client, view_ref(v2, 0), cbuf.iova(), 16, DESC_FLAG_SRC_VIEW)), Status::Ok);
    dev.teardown_queue(server).unwrap();
    let closed = next(dev, client);
    assert_eq!((kind(&closed), status(&closed)), (EventKind::PortClosed, Status::PeerClosed));
    assert_eq!(st(copy(dev, client, view_ref(v2, 0), cbuf.iova(), 16, DESC_FLAG_SRC_VIEW)), Status::BadHandle, "the owner died");
    // Plain COPY is bound by the window too.
    assert_eq!(st(copy(dev, client, cbuf.iova(), cbuf.iova() + 4000, 97, 0)), Status::BadAddress);
    assert_eq!(st(copy(dev, client, obuf.iova(), cbuf.iova(), 1, 0)), Status::BadAddress);
    assert_eq!(st(copy(dev, client, cbuf.iova(), cbuf.iova() + 2048, 2048, 0)), Status::Ok);
    assert_eq!(st(copy(dev, client, cbuf.iova(), cbuf.iova(), 16, 4)), Status::BadReserved);
}

/// A restricted connection port: only identities on its access list may
/// connect; the others are refused by the device and the server never
/// hears of them. Only its owner may extend the list; closing the port
/// drops the list.
fn access_lists<T: Transport>(dev: &mut Device<T>) {
    let server = context(dev, 500, 16, 16);
    let (friend, stranger) = (context(dev, 501, 16, 16), context(dev, 502, 16, 16));
    let st = |c: Completion| status(&c);
    let open = one(dev, server, Descriptor::create_port(30, 64, 4, 1)).port;
    assert_eq!(st(one(dev, server, Descriptor::allow(open, 501, 2))), Status::BadArgument, "an open port has no list");
    let port = one(dev, server, Descriptor::create_port(31, 64, 4, 3).restricted());
    assert_eq!(st(port), Status::Ok);
    let port = port.port;
    assert_eq!(st(one(dev, friend, Descriptor::allow(port, 501, 4))), Status::BadHandle, "not its port");
    // Nobody is listed yet: even the friend is refused.
    let c = one(dev, friend, Descriptor::connect(31, 0, 5));
    assert_eq!((kind(&c), status(&c)), (EventKind::ConnectionReply, Status::AccessDenied));
    let c = one(dev, server, Descriptor::allow(port, 501, 6));
    assert_eq!((st(c), c.port), (Status::Ok, port));
    assert_eq!(st(one(dev, server, Descriptor::allow(port, 501, 7))), Status::Ok, "listing twice is harmless");
    let c = one(dev, stranger, Descriptor::connect(31, 0, 8));
    assert_eq!((kind(&c), status(&c)), (EventKind::ConnectionReply, Status::AccessDenied));
    dev.submit(friend, &[Descriptor::connect(31, 0, 9)]).unwrap();
    let req = next(dev, server);
    assert_eq!((kind(&req), req.identity), (EventKind::ConnectionRequest, 501), "only the friend's connect arrives");
    assert_eq!(st(one(dev, server, Descriptor::accept(port, req.msg_id, 0, 10))), Status::Ok);
    assert_eq!(status(&next(dev, friend)), Status::Ok);
    // The list has ACL_ENTRIES entries for all ports together.
    for k in 1..geometry::ACL_ENTRIES as u32 {
        assert_eq!(st(one(dev, server, Descriptor::allow(port, 10_000 + k, 11))), Status::Ok);
    }
    assert_eq!(st(one(dev, server, Descriptor::allow(port, 502, 12))), Status::NoResources);
    // Closing the port frees its entries: a new restricted port starts empty.
    assert_eq!(st(one(dev, server, Descriptor::close(port, 13))), Status::Ok);
    let again = one(dev, server, Descriptor::create_port(31, 64, 4, 14).restricted()).port;
    assert_eq!(st(one(dev, server, Descriptor::allow(again, 502, 15))), Status::Ok);
    let c = one(dev, friend, Descriptor::connect(31, 0, 16));
    assert_eq!((kind(&c), status(&c)), (EventKind::ConnectionReply, Status::AccessDenied));
    dev.submit(stranger, &[Descriptor::connect(31, 0, 17)]).unwrap();
    let req = next(dev, server);
    assert_eq!((kind(&req), req.identity), (EventKind::ConnectionRequest, 502));
}

/// Flow control: a connection port with a window of 2 lets each client
/// have 2 messages not yet credited back; the third gets RECEIVER_BUSY
/// while another client still gets through; CREDIT gives room back.
fn flow_control<T: Transport>(dev: &mut Device<T>) {
    let server = context(dev, 600, 16, 64);
    let (a, b) = (context(dev, 601, 16, 16), context(dev, 602, 16, 16));
    let st = |c: Completion| status(&c);
    let conn = one(dev, server, Descriptor::create_port(40, 64, 4, 1).with_window(2)).port;
    let mut ports = Vec::new();
    for (k, &q) in [a, b].iter().enumerate() {
        dev.submit(q, &[Descriptor::connect(40, 0, 2)]).unwrap();
        let req = next(dev, server);
        let sp = one(dev, server, Descriptor::accept(conn, req.msg_id, k as u64, 3)).port;
        ports.push((sp, next(dev, q).port));
    }
    let ((sa, ca), (_, cb)) = (ports[0], ports[1]);
    let send = |dev: &mut Device<T>, q, port| st(one(dev, q, Descriptor::datagram(port, 0, 4)));
    assert_eq!((send(dev, a, ca), send(dev, a, ca), send(dev, a, ca)), (Status::Ok, Status::Ok, Status::ReceiverBusy));
    assert_eq!(send(dev, b, cb), Status::Ok, "another client is not held up");
    // The server takes the messages (the window is about the connection,
    // not the ring): a still waits for credit.
    let got = dev.wait(server, 3, WAIT).unwrap();
    assert!(got.len() == 3 && got.iter().all(|c| kind(c) == EventKind::Datagram), "{got:?}");
    assert_eq!(send(dev, a, ca), Status::ReceiverBusy);
    assert_eq!(st(one(dev, server, Descriptor::credit(sa, 1, 5))), Status::Ok);
    assert_eq!((send(dev, a, ca), send(dev, a, ca)), (Status::Ok, Status::ReceiverBusy));
    assert_eq!(kind(&next(dev, server)), EventKind::Datagram);
    // Credits saturate at MAX_WINDOW.
    assert_eq!(st(one(dev, server, Descriptor::credit(sa, u32::MAX, 6))), Status::Ok);
    // A grant below 256 that takes a full window over the cap saturates too.
    assert_eq!(st(one(dev, server, Descriptor::credit(sa, 200, 6))), Status::Ok);
    for _ in 0..geometry::MAX_WINDOW {
        assert_eq!(send(dev, a, ca), Status::Ok);
        next(dev, server);
    }
    assert_eq!(send(dev, a, ca), Status::ReceiverBusy);
    // Crediting the other way is harmless (a server port has no window);
    // someone else's port, or a closed connection, is refused.
    assert_eq!(st(one(dev, a, Descriptor::credit(ca, 5, 7))), Status::Ok);
    assert_eq!(st(one(dev, b, Descriptor::credit(sa, 5, 8))), Status::BadHandle);
    assert_eq!(st(one(dev, a, Descriptor::close(ca, 9))), Status::Ok);
    assert_eq!(kind(&next(dev, server)), EventKind::PortClosed);
    assert_eq!(st(one(dev, server, Descriptor::credit(sa, 1, 10))), Status::PeerClosed);
}

/// Large messages (mode 3): the server posts receive buffers; a client's
/// 1 MiB datagram is copied by the engine from the client's memory into
/// the first buffer large enough, which is used up; with no buffer large
/// enough the sender gets RECEIVER_BUSY; every misuse is refused.
fn large_messages<T: Transport>(dev: &mut Device<T>) {
    let (server, client, sp, cp) = pair(dev, 23, 16);
    const MIB: usize = 1 << 20;
    let (sbuf, cbuf) = (dev.alloc(2 * MIB).unwrap(), dev.alloc(MIB).unwrap());
    window(dev, server, &sbuf);
    window(dev, client, &cbuf);
    let data: Vec<u8> = (0..MIB as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    dev.write(&cbuf, 0, &data).unwrap();
    let st = |c: Completion| status(&c);
    let rw = access::READ | access::WRITE;
    let sec = one(dev, server, Descriptor::section_create(sbuf.iova(), 2 * MIB as u32, rw, 1)).port;
    let ro = one(dev, server, Descriptor::section_create(sbuf.iova(), 4096, access::READ, 2)).port;
    // Posting: a writable section of one's own, on a connected port of one's own.
    assert_eq!(st(one(dev, server, Descriptor::post_buffer(sp, ro, 0, 4096, 3))), Status::AccessDenied);
    assert_eq!(st(one(dev, client, Descriptor::post_buffer(sp, sec, 0, 4096, 3))), Status::BadHandle);
    assert_eq!(st(one(dev, server, Descriptor::post_buffer(sp, sec, 2 * MIB as u32 - 10, 11, 3))), Status::BadAddress);
    let big = one(dev, server, Descriptor::post_buffer(sp, sec, 0, MIB as u32, 4));
    assert_eq!(st(big), Status::Ok);
    let small = one(dev, server, Descriptor::post_buffer(sp, sec, MIB as u32, 4096, 5)).port;
    // A 1 MiB datagram: into the big buffer.
    let c = one(dev, client, Descriptor::large_datagram(cp, cbuf.iova(), MIB as u32, 6));
    assert_eq!(st(c), Status::Ok);
    let got = received(dev, server);
    let (e, rec) = (got.completion, got.view.expect("a record"));
    assert_eq!((kind(&e), status(&e), e.large, e.result, got.payload.len()), (EventKind::Datagram, Status::Ok, true, MIB as u32, 0));
    assert_eq!((rec.iova, rec.length, rec.handle, rec.access), (sbuf.iova(), MIB as u32, big.port, access::WRITE));
    let mut back = vec![0u8; MIB];
    dev.read(&sbuf, 0, &mut back).unwrap();
    assert!(back == data, "the 1 MiB arrived intact");
    // The big buffer is used up: another 1 MiB finds none; 100 bytes fit the small one.
    assert_eq!(st(one(dev, client, Descriptor::large_datagram(cp, cbuf.iova(), MIB as u32, 7))), Status::ReceiverBusy);
    dev.submit(client, &[Descriptor::large_request(cp, cbuf.iova() + 1000, 100, 8)]).unwrap();
    let req = received(dev, server);
    let rec = req.view.expect("a record");
    assert_eq!((kind(&req.completion), req.completion.large, rec.iova, rec.length, rec.handle), (EventKind::Request, true, sbuf.iova() + MIB as u64, 100, small));
    let mut part = vec![0u8; 100];
    dev.read(&sbuf, MIB, &mut part).unwrap();
    assert_eq!(part, data[1000..1100]);
    dev.submit_messages(server, &[(Descriptor::reply(sp, req.completion.msg_id, 2, 9), b"ok")]).unwrap();
    let rep = received(dev, client);
    assert_eq!((kind(&rep.completion), status(&rep.completion), rep.payload.as_slice()), (EventKind::Reply, Status::Ok, &b"ok"[..]));
    assert_eq!(st(next(dev, server)), Status::Ok);
    // Misuse: bytes outside the sender's window, no bytes, too many, a
    // message both large and carrying a view, a revoked buffer.
    assert_eq!(st(one(dev, client, Descriptor::large_datagram(cp, sbuf.iova(), 16, 10))), Status::BadAddress);
    assert_eq!(st(one(dev, client, Descriptor::large_datagram(cp, cbuf.iova(), 0, 11))), Status::BadLength);
    assert_eq!(st(one(dev, client, Descriptor::large_datagram(cp, cbuf.iova(), MIB as u32 + 1, 12))), Status::BadLength);
    let both = Descriptor { flags: DESC_FLAG_LARGE | DESC_FLAG_VIEW, ..Descriptor::datagram(cp, 16, 13).with_view(1) };
    assert_eq!(st(one(dev, client, both)), Status::BadReserved);
    let again = one(dev, server, Descriptor::post_buffer(sp, sec, 0, 64, 14)).port;
    assert_eq!(st(one(dev, server, Descriptor::view_revoke(again, 15))), Status::Ok);
    assert_eq!(st(one(dev, client, Descriptor::large_datagram(cp, cbuf.iova(), 16, 16))), Status::ReceiverBusy);
    // Bytes the bus refuses: the receiver is told, the buffer is used up.
    let all = DmaBuffer::new(0, usize::MAX);
    window(dev, client, &all);
    let bad = one(dev, server, Descriptor::post_buffer(sp, sec, 0, 64, 19)).port;
    assert_eq!(st(one(dev, client, Descriptor::large_datagram(cp, 0x1000, 32, 20))), Status::Ok);
    let got = received(dev, server);
    assert_eq!((status(&got.completion), got.completion.large, got.view.map(|r| r.handle)), (Status::DmaReadError, true, Some(bad)));
    // Buffers go with their owner.
    let last = one(dev, server, Descriptor::post_buffer(sp, sec, 0, 64, 17)).port;
    assert_ne!(last, 0);
    dev.teardown_queue(server).unwrap();
    assert_eq!(kind(&next(dev, client)), EventKind::PortClosed);
    assert_eq!(st(one(dev, client, Descriptor::large_datagram(cp, cbuf.iova(), 16, 18))), Status::PeerClosed);
}

#[test]
fn large_messages_on_rtl_and_model() {
    large_messages(&mut sim());
    large_messages(&mut model());
}

#[test]
fn flow_control_on_rtl_and_model() {
    flow_control(&mut sim());
    flow_control(&mut model());
}

#[test]
fn access_lists_on_rtl_and_model() {
    access_lists(&mut sim());
    access_lists(&mut model());
}

#[test]
fn sections_and_views_on_rtl_and_model() {
    sections_and_views(&mut sim());
    sections_and_views(&mut model());
}

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
    /// Sections: (owner, handle, length, rights, IOVA).
    sections: Vec<(usize, u32, u32, u32, u64)>,
    /// Views granted: (grantor, port, handle).
    granted: Vec<(usize, u32, u32)>,
    /// Views received: (grantee, handle, length, IOVA).
    views: Vec<(usize, u32, u32, u64)>,
    /// Each context's data buffer (IOVA).
    bufs: Vec<u64>,
    /// Each context's identity.
    idents: Vec<u32>,
    /// Successful uses: views delivered, COPYs through a view, views granted.
    delivered: usize,
    copied: usize,
    large: usize,
}

impl Seen {
    /// Context `k` died: what it owned is gone.
    fn forget(&mut self, k: usize) {
        self.conn.retain(|x| x.0 != k);
        self.comm.retain(|x| x.0 != k);
        self.sections.retain(|x| x.0 != k);
        self.granted.retain(|x| x.0 != k);
        self.views.retain(|x| x.0 != k);
    }

    /// Learns from completion `c` of context `ctx` after `batch` was submitted.
    fn learn(&mut self, ctx: usize, r: &Received, batch: &[(Descriptor, Vec<u8>)]) {
        let c = &r.completion;
        let sent = batch.iter().map(|m| m.0).find(|d| d.user_data == c.user_data);
        if c.kind == EventKind::Done as u8 && c.status() == Some(Status::Ok) && c.result > 0 {
            self.copied += sent.is_some_and(|d| d.opcode == Opcode::Copy as u8 && d.flags != 0) as usize;
        }
        if c.status() != Some(Status::Ok) || c.port == 0 {
            return;
        }
        if r.completion.large {
            self.large += 1;
        } else if let Some(v) = r.view {
            self.views.push((ctx, v.handle, v.length, v.iova));
            self.delivered += 1;
        }
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
                Some((op, _)) if op == Opcode::Close as u8 => {
                    self.comm.retain(|p| p.1 != c.port);
                    self.conn.retain(|p| p.1 != c.port);
                }
                Some((op, _)) if op == Opcode::SectionDelete as u8 => self.sections.retain(|x| x.1 != c.port),
                Some((op, _)) if op == Opcode::ViewRevoke as u8 => {
                    self.granted.retain(|x| x.2 != c.port);
                    self.views.retain(|x| x.1 != c.port);
                }
                Some((op, _)) if op == Opcode::SectionCreate as u8 => {
                    let d = sent.unwrap();
                    self.sections.push((ctx, c.port, d.length, d.dst_addr as u32, d.src_addr))
                }
                Some((op, _)) if op == Opcode::ViewCreate as u8 => {
                    let port = sent.map_or(0, |d| d.port());
                    self.granted.push((ctx, port, c.port));
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
    if rng.chance(25) {
        return random_section_op(rng, seen, ctx, user);
    }
    if rng.chance(4) {
        // CREDIT: mostly own communication ports.
        let own: Vec<u32> = seen.comm.iter().filter(|c| c.0 == ctx).map(|c| c.1).collect();
        let port = match pick(rng, &own) {
            Some(h) if rng.chance(85) => h,
            _ => rng.next_u64() as u32,
        };
        let count = if rng.chance(90) { rng.range(0, 3) as u32 } else { rng.next_u64() as u32 };
        return (Descriptor::credit(port, count, user), Vec::new());
    }
    if rng.chance(4) {
        // ALLOW: mostly own connection ports, mostly real identities.
        let own: Vec<u32> = seen.conn.iter().filter(|c| c.0 == ctx).map(|c| c.1).collect();
        let port = match pick(rng, &own) {
            Some(h) if rng.chance(85) => h,
            _ => pick(rng, &seen.conn.iter().map(|c| c.1).collect::<Vec<_>>()).unwrap_or(rng.next_u64() as u32),
        };
        let identity = match pick(rng, &seen.idents) {
            Some(i) if rng.chance(85) => i,
            _ => rng.next_u64() as u32,
        };
        return (Descriptor::allow(port, identity, user), Vec::new());
    }
    if rng.chance(6) {
        // A large message from the low half of the context's buffer (posted
        // buffers are in the high halves: no overlapping copy).
        let own: Vec<u32> = seen.comm.iter().filter(|c| c.0 == ctx).map(|c| c.1).collect();
        let port = match pick(rng, &own) {
            Some(h) if rng.chance(90) => h,
            _ => rng.next_u64() as u32,
        };
        // (Lengths over 2048 find no buffer: none is that large.)
        let src = seen.bufs[ctx] + rng.range(0, 1024);
        let len = match rng.range(0, 19) {
            0 => 0,
            1 => rng.range(4096, 1 << 21) as u32,
            2..=5 => rng.range(1, 1024) as u32,
            _ => rng.range(1, 200) as u32,
        };
        let d = if rng.chance(50) { Descriptor::large_datagram(port, src, len, user) } else { Descriptor::large_request(port, src, len, user) };
        return (d, Vec::new());
    }
    let mine: Vec<_> = seen.granted.iter().filter(|g| g.0 == ctx).collect();
    if let Some(g) = pick(rng, &mine).filter(|_| rng.chance(10)) {
        // A view sent through the port it was granted on.
        let n = if rng.chance(90) { rng.range(0, 64) as u32 } else { payload_len(rng) };
        let d = if rng.chance(50) { Descriptor::datagram(g.1, n, user) } else { Descriptor::request(g.1, n, user) };
        return (d.with_view(g.2), rng.bytes(n as usize));
    }
    let (d, p) = random_port_op(rng, seen, ctx, user);
    // Some messages carry a view this context granted (maybe through another port).
    let msg = [Opcode::Datagram as u8, Opcode::Request as u8, Opcode::Reply as u8].contains(&d.opcode);
    if msg && d.flags == 0 && rng.chance(30) {
        let h = match mine.iter().find(|g| g.1 == d.port()) {
            Some(g) if rng.chance(80) => g.2,
            _ => pick(rng, &mine.iter().map(|g| g.2).collect::<Vec<_>>()).unwrap_or(rng.next_u64() as u32),
        };
        return (d.with_view(h), p);
    }
    (d, p)
}

/// A section operation, or a COPY through views, of context `ctx`.
fn random_section_op(rng: &mut Rng, seen: &Seen, ctx: usize, user: u64) -> (Descriptor, Vec<u8>) {
    let buf = seen.bufs[ctx];
    let own: Vec<(u32, u32, u32)> = seen.sections.iter().filter(|s| s.0 == ctx).map(|s| (s.1, s.2, s.3)).collect();
    let own_at: Vec<(u32, u32, u32, u64)> = seen.sections.iter().filter(|s| s.0 == ctx).map(|s| (s.1, s.2, s.3, s.4)).collect();
    let own_secs: Vec<u32> = own.iter().map(|s| s.0).collect();
    let any = |rng: &mut Rng, v: &[u32]| match pick(rng, v) {
        Some(h) if rng.chance(85) => h,
        _ => match rng.range(0, 2) {
            0 => rng.next_u64() as u32,
            1 => (rng.range(1, 3) as u32) << 16 | rng.range(0, geometry::VIEWS as u64 + 2) as u32,
            _ => pick(rng, &seen.sections.iter().map(|s| s.1).collect::<Vec<_>>()).unwrap_or(0),
        },
    };
    let rights = |rng: &mut Rng| match rng.range(0, 19) {
        0 => 0,
        1 => 4 | rng.range(0, 3) as u32,
        _ => rng.range(1, 3) as u32,
    };
    let len = |rng: &mut Rng| match rng.range(0, 9) {
        0 => 0,
        1 => rng.range(4096, 1 << 20) as u32,
        _ => rng.range(1, 1500) as u32,
    };
    let d = match rng.range(0, 99) {
        0..=19 => {
            let at = match rng.range(0, 9) {
                0 => rng.next_u64(),
                1 => buf - rng.range(1, 64),
                _ => buf + rng.range(0, 3000),
            };
            let r = if rng.chance(3) { 1u64 << rng.range(2, 63) } else { rights(rng) as u64 };
            Descriptor { dst_addr: r, ..Descriptor::section_create(at, len(rng), 0, user) }
        }
        20..=23 => Descriptor::section_delete(any(rng, &own_secs), user),
        24..=39 => {
            // POST_BUFFER in the high half of the context's buffer.
            let ports: Vec<u32> = seen.comm.iter().filter(|p| p.0 == ctx).map(|p| p.1).collect();
            let port = any(rng, &ports);
            // Buffers that can be posted lie in the high half of the
            // context's buffer (large messages are read from low halves:
            // no copy may overlap); the other posts are refused.
            let (lo, hi) = (buf + 2048, buf + 4096);
            match pick(rng, &own_at) {
                Some((h, sl, r, base)) if r & access::WRITE != 0 && base.max(lo) + 16 <= (base + sl as u64).min(hi) => {
                    let (a, b) = (base.max(lo), (base + sl as u64).min(hi));
                    let at = rng.range(a, b - 16);
                    let n = rng.range(16, b - at) as u32;
                    Descriptor::post_buffer(port, h, (at - base) as u32, n, user)
                }
                _ => Descriptor::post_buffer(port, any(rng, &own_secs), rng.range(0, 5000) as u32, 0, user),
            }
        }
        40..=52 => {
            let ports: Vec<u32> = seen.comm.iter().filter(|p| p.0 == ctx).map(|p| p.1).collect();
            let port = any(rng, &ports);
            match pick(rng, &own) {
                // Mostly a range and rights the section allows.
                Some((h, sl, r)) if rng.chance(80) => {
                    let off = rng.range(0, sl as u64 - 1) as u32;
                    let over = if rng.chance(10) { 8 } else { 0 };
                    let n = rng.range(1, (sl - off) as u64 + over) as u32;
                    let r = if rng.chance(10) { rights(rng) } else { r & rng.range(1, 3) as u32 | r & 1 };
                    Descriptor::view_create(port, h, off, n, r.max(1), user)
                }
                _ => Descriptor::view_create(port, any(rng, &own_secs), rng.range(0, 2000) as u32, len(rng), rights(rng), user),
            }
        }
        53..=62 => {
            let mine: Vec<u32> = seen.granted.iter().filter(|g| g.0 == ctx).map(|g| g.2)
                .chain(seen.views.iter().filter(|v| v.0 == ctx).map(|v| v.1)).collect();
            Descriptor::view_revoke(any(rng, &mine), user)
        }
        _ => {
            // COPY: a side is a received view or the context's own buffer
            // (sources low, destinations high: overlapping ranges give an
            // unspecified result, so a copy whose ranges would overlap moves
            // nothing).
            let got: Vec<(u32, u32, u64)> =
                seen.views.iter().filter(|v| v.0 == ctx || rng.chance(5)).map(|v| (v.1, v.2, v.3)).collect();
            let mut n = if rng.chance(5) && seen.views.is_empty() { len(rng) } else { rng.range(0, 600) as u32 };
            let side = |rng: &mut Rng, flag: u8, low: u64| match pick(rng, &got) {
                Some((h, vl, iova)) if rng.chance(70) => {
                    let span = if rng.chance(90) { vl as u64 / 2 } else { vl as u64 + 16 };
                    let off = rng.range(0, span);
                    (view_ref(h, off as u32), flag, iova + off)
                }
                _ => {
                    let span = if rng.chance(5) { 2600 } else { 1400 };
                    let at = buf + low + rng.range(0, span);
                    (at, 0, at)
                }
            };
            let (src, f1, s0) = side(rng, DESC_FLAG_SRC_VIEW, 0);
            let (dst, f2, d0) = side(rng, DESC_FLAG_DST_VIEW, 2048);
            if s0 < d0 + n as u64 && d0 < s0 + n as u64 {
                n = 0;
            }
            Descriptor { flags: f1 | f2, ..Descriptor::copy(src, dst, n, user) }
        }
    };
    (d, Vec::new())
}

fn random_port_op(rng: &mut Rng, seen: &Seen, ctx: usize, user: u64) -> (Descriptor, Vec<u8>) {
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
            let mut d = Descriptor::create_port(name, max, rng.range(0, 3) as u8, user);
            if rng.chance(30) {
                d = d.restricted();
            }
            if rng.chance(40) {
                d = d.with_window(rng.range(1, 3) as u8);
            }
            (d, Vec::new())
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
                Some(h) if rng.chance(35) => h,
                _ => any_handle(rng),
            };
            (Descriptor::close(h, user), Vec::new())
        }
        93..=95 => (Descriptor::nop(user), Vec::new()),
        96..=97 => (Descriptor { flags: 1, ..Descriptor::close(any_handle(rng), user) }, Vec::new()),
        _ => (Descriptor { opcode: rng.range(0x24, 0xFF) as u8, ..Descriptor::nop(user) }, Vec::new()),
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
/// Completions of one context, with their payloads and view records.
type Events = Vec<Received>;

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
            b.poll_events(p, &mut want).unwrap();
            a.poll_events(p, &mut got).unwrap();
            quiesce(a);
            assert_eq!(got, want, "{}: context {} (RTL left, model right)", what(), p.context());
            (p.context(), want)
        })
        .collect()
}

fn lockstep(
    seed: u64,
    steps: usize,
    outcomes: &mut std::collections::BTreeMap<(u8, u8), usize>,
    views: &mut (usize, usize, usize),
) -> usize {
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
    let mut seen = Seen { idents: (0..nctx as u32).map(|k| 100 * (k + 1)).collect(), ..Default::default() };
    // Each context's data, inside its memory window (some keep the default
    // window, the whole IOVA space).
    let mut bufs = Vec::new();
    for &q in &qs {
        let (x, y) = (a.alloc(4096).unwrap(), b.alloc(4096).unwrap());
        assert_eq!(x, y);
        let fill = rng.bytes(4096);
        a.write(&x, 0, &fill).unwrap();
        b.write(&y, 0, &fill).unwrap();
        if rng.chance(70) {
            window(&mut a, q, &x);
            window(&mut b, q, &y);
        }
        seen.bufs.push(x.iova());
        bufs.push(x);
    }
    let (mut user, mut ops) = (0u64, 0usize);
    // Half the programs start with a script that connects every context to
    // context 0 and gives each a section over its buffer, so that views get
    // granted, sent and used often enough; then everything is random.
    let script = if rng.chance(50) { 4 * nctx + 1 } else { 0 };
    for step in 0..steps + script {
        let mut k = rng.range(0, nctx as u64 - 1) as usize;
        let mut scripted = None;
        if step < script {
            user += 1;
            let (ctx, d) = match step {
                0 => (0, Descriptor::create_port(77, geometry::MAX_INLINE as u16, 8, user)),
                s if s <= nctx => (s - 1, Descriptor::connect(77, 0, user)),
                s if s <= 2 * nctx => {
                    let p = seen.pending.iter().find(|p| p.0 == 0 && p.1 >> 16 != 0).copied();
                    (0, p.map_or(Descriptor::nop(user), |(_, port, id)| Descriptor::accept(port, id, user, user)))
                }
                s if s <= 3 * nctx => {
                    let c = s - 2 * nctx - 1;
                    (c, Descriptor::section_create(seen.bufs[c], 4096, access::READ | access::WRITE, user))
                }
                s => {
                    // A receive buffer for large messages on each connection of context 0.
                    let c = s - 3 * nctx - 1;
                    let port = seen.comm.iter().filter(|p| p.0 == 0).nth(c).map(|p| p.1);
                    let sec = seen.sections.iter().find(|x| x.0 == 0).map(|x| x.1);
                    match (port, sec) {
                        (Some(p), Some(h)) => (0, Descriptor::post_buffer(p, h, 2048 + 256 * c as u32, 256, user)),
                        _ => (0, Descriptor::nop(user)),
                    }
                }
            };
            if d.opcode == Opcode::Accept as u8 {
                seen.pending.retain(|p| p.2 != d.arg());
            }
            k = ctx;
            scripted = Some(vec![(d, Vec::new())]);
        }
        let q = qs[k];
        if scripted.is_none() && rng.chance(1) {
            // The process behind context k dies; a new one takes its place.
            if std::env::var_os("ALPC_PORT_TRACE").is_some() {
                eprintln!("step {step}: context {k} dies");
            }
            seen.forget(k);
            a.teardown_queue(q).unwrap();
            b.teardown_queue(q).unwrap();
            let (sq, cq) = sizes[k];
            let identity = 100 * (k as u32 + 1) + step as u32;
            seen.idents[k] = identity;
            assert_eq!(context(&mut a, identity, sq, cq), q);
            assert_eq!(context(&mut b, identity, sq, cq), q);
            quiesce(&mut a);
            for (_, got) in drain(&mut a, &mut b, &qs, &|| format!("seed {seed} step {step}, after context {k} died")) {
                for r in &got {
                    *outcomes.entry((r.completion.kind, r.completion.status)).or_default() += 1;
                }
            }
            continue;
        }
        // Batches of up to three behind one doorbell, as room allows.
        let room = a.sq_free(q).min(b.sq_free(q));
        let mut batch = Vec::new();
        for _ in 0..if scripted.is_some() { 0 } else { rng.range(1, 3) } {
            user += 1;
            let m = random_op(&mut rng, &seen, k, user);
            if slots_of(&batch).len() + slots_of(std::slice::from_ref(&m)).len() <= room {
                batch.push(m);
            }
        }
        if let Some(s) = scripted.filter(|s| slots_of(s).len() <= room) {
            batch = s;
        }
        if batch.is_empty() {
            // The SQ is full of descriptors the engine cannot take yet (its
            // CQ slots are all claimed); consume what is there and go on.
            for (_, got) in drain(&mut a, &mut b, &qs, &|| format!("seed {seed} step {step}")) {
                for r in &got {
                    *outcomes.entry((r.completion.kind, r.completion.status)).or_default() += 1;
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
            for r in &got {
                seen.learn(ctx, r, &batch);
                *outcomes.entry((r.completion.kind, r.completion.status)).or_default() += 1;
            }
        }
    }
    views.0 += seen.delivered;
    views.1 += seen.copied;
    views.2 += seen.large;
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
    // Every byte the copies moved (through views or not) agrees.
    for buf in &bufs {
        let (mut x, mut y) = (vec![0u8; 4096], vec![0u8; 4096]);
        a.read(buf, 0, &mut x).unwrap();
        b.read(buf, 0, &mut y).unwrap();
        assert!(x == y, "seed {seed}: data buffer at {:#x} differs", buf.iova());
    }
    ops
}

#[test]
fn random_port_programs_match_the_model() {
    let target: usize = std::env::var("ALPC_PORT_OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let first: u64 = std::env::var("ALPC_PORT_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let (mut ops, mut seed) = (0, first);
    let mut outcomes = std::collections::BTreeMap::new();
    let mut views = (0, 0, 0);
    let start = std::time::Instant::now();
    while ops < target {
        ops += lockstep(seed, 400, &mut outcomes, &mut views);
        seed += 1;
    }
    println!("{ops} port operations in {} programs compared in {:.1?}", seed - first, start.elapsed());
    println!(
        "  {} messages delivered a view, {} COPYs moved bytes through views, {} large messages delivered",
        views.0, views.1, views.2
    );
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
        (EventKind::Done, Status::AccessDenied),
        (EventKind::ConnectionReply, Status::AccessDenied),
        (EventKind::Done, Status::BadAddress),
    ];
    if target >= 50_000 {
        assert!(views.0 > 0 && views.1 > 0 && views.2 > 0, "no view delivered or used, or no large message: {views:?}");
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
