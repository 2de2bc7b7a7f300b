//! ALPC's scenarios (`alpc-reference.md`) written against the host
//! library's public API only, generic over the backend: the tests run them
//! on the Verilator-simulated device, on the reference model and on the
//! simulated card in another process over vfio-user. Servers and clients run
//! on their own threads, as processes would; send-and-wait blocks its thread
//! while the server works.

use alpc_host::{
    CommunicationPort, ConnectionPort, Context, Error, Event, MessageKind, PortAttributes, Sent, SharedDevice,
    StatusError, Transport,
};
use futures::executor::block_on;
use futures::future::{join, join_all};
use std::thread;
use std::time::Duration;

/// Generous: a wait only runs this long when something is broken. On the
/// simulated device it is simulated time; on the model and over vfio-user
/// it is wall time, where a loaded 2-core machine may deschedule a thread
/// for a while.
pub const WAIT: Duration = Duration::from_secs(2);

/// `client` connects to `port` on a thread of its own while this one
/// accepts: (the server's end, the client's end).
fn connected<T: Transport + Send>(
    client: &Context<T>,
    port: &ConnectionPort<T>,
) -> (CommunicationPort<T>, CommunicationPort<T>) {
    thread::scope(|s| {
        let c = s.spawn(|| client.connect(port.name(), b"", WAIT).unwrap());
        let conn = port.accept(&port.listen(WAIT).unwrap(), 0).unwrap();
        (conn, c.join().unwrap())
    })
}

fn status(e: Error) -> StatusError {
    e.status().unwrap_or_else(|| panic!("expected a device status, got {e}"))
}

/// The server/client sequence: create, connect with a message, accept on the
/// verified identity, send-and-wait, datagram, close, the notice.
pub fn server_client<T: Transport + Send>(dev: SharedDevice<T>) {
    let server = dev.context(1000).unwrap();
    let client = dev.context(2000).unwrap();
    let port = server.create_port("\\RPC Control\\echo", PortAttributes::default()).unwrap();
    thread::scope(|s| {
        let c = s.spawn(|| {
            let p = client.connect("\\RPC Control\\echo", b"hello", WAIT).unwrap();
            assert_eq!(p.peer_identity(), 1000);
            let r = p.request(b"ping", WAIT).unwrap();
            assert_eq!((r.kind, r.identity, r.payload.as_slice()), (MessageKind::Reply, 1000, &b"pong"[..]));
            p.send_datagram(b"bye").unwrap();
            p.close().unwrap();
        });
        let req = port.listen(WAIT).unwrap();
        assert_eq!((req.identity, req.message.as_slice()), (2000, &b"hello"[..]));
        let conn = port.accept(&req, 0xC11E).unwrap();
        assert_eq!(conn.peer_identity(), 2000);
        let Event::Request(m) = conn.receive(WAIT).unwrap() else { panic!("expected a request") };
        assert_eq!((m.identity, m.port_context, m.payload.as_slice()), (2000, 0xC11E, &b"ping"[..]));
        conn.reply(&m, b"pong").unwrap();
        let Event::Datagram(d) = conn.receive(WAIT).unwrap() else { panic!("expected a datagram") };
        assert_eq!(d.payload, b"bye");
        let closed = conn.receive(WAIT).unwrap();
        assert!(matches!(closed, Event::PortClosed { died: false, identity: 2000, .. }), "{closed:?}");
        c.join().unwrap();
    });
}

/// Rejection, and connects that cannot succeed.
pub fn rejection<T: Transport + Send>(dev: SharedDevice<T>) {
    let server = dev.context(1000).unwrap();
    let client = dev.context(2000).unwrap();
    let port = server.create_port(7u32, PortAttributes::default()).unwrap();
    assert_eq!(status(server.create_port(7u32, PortAttributes::default()).err().unwrap()), StatusError::NameExists);
    thread::scope(|s| {
        let c = s.spawn(|| client.connect(7u32, b"let me in", WAIT).err().unwrap());
        let req = port.listen(WAIT).unwrap();
        port.reject(&req).unwrap();
        assert_eq!(status(c.join().unwrap()), StatusError::Refused);
    });
    assert_eq!(status(client.connect(8u32, b"", WAIT).err().unwrap()), StatusError::NoSuchName);
    // A client that requires another server identity does not keep the port.
    thread::scope(|s| {
        let c = s.spawn(|| client.connect_to(7u32, 999, b"", WAIT).err().unwrap());
        let req = port.listen(WAIT).unwrap();
        let conn = port.accept(&req, 0).unwrap();
        assert!(matches!(c.join().unwrap(), Error::WrongServer { required: 999, found: 1000 }));
        assert!(matches!(conn.receive(WAIT).unwrap(), Event::PortClosed { died: false, .. }));
    });
}

/// A connect whose answer comes too late: the client stops waiting, and
/// when the acceptance arrives its library closes the port nobody holds, so
/// the server is told; the client's context stays usable.
pub fn connect_timeout<T: Transport + Send>(dev: SharedDevice<T>) {
    let server = dev.context(1000).unwrap();
    let client = dev.context(2000).unwrap();
    let port = server.create_port("late", PortAttributes::default()).unwrap();
    let e = client.connect("late", b"anyone?", Duration::from_micros(20)).err().unwrap();
    assert!(matches!(e, Error::TimedOut { .. }), "{e}");
    let req = port.listen(WAIT).unwrap();
    assert_eq!(req.message, b"anyone?");
    let conn = port.accept(&req, 0).unwrap();
    // A datagram on the port nobody holds, before the client looks again.
    conn.send_datagram(b"hello?").unwrap();
    // The client's library sees the late acceptance the next time it looks
    // at its ring and closes the port; nothing reaches the application.
    assert!(client.try_receive().unwrap().is_none());
    assert!(matches!(conn.receive(WAIT).unwrap(), Event::PortClosed { died: false, identity: 2000, .. }));
    assert!(port.try_receive().unwrap().is_none());
    assert!(client.try_receive().unwrap().is_none());
    // An async connect whose future is dropped before the answer: same.
    block_on(async {
        let f = Box::pin(client.connect_async("late", b"async", WAIT));
        // Polled once (the CONNECT goes out), then given up.
        let (_, f) = match futures::future::select(f, futures::future::ready(())).await {
            futures::future::Either::Right(x) => x,
            futures::future::Either::Left(_) => panic!("the connect cannot have been answered"),
        };
        drop(f);
    });
    let req = port.listen(WAIT).unwrap();
    assert_eq!(req.message, b"async");
    let conn2 = port.accept(&req, 0).unwrap();
    assert!(client.try_receive().unwrap().is_none());
    assert!(matches!(conn2.receive(WAIT).unwrap(), Event::PortClosed { died: false, .. }));
    thread::scope(|s| {
        let c = s.spawn(|| client.connect("late", b"again", WAIT).unwrap());
        let conn = port.accept(&port.listen(WAIT).unwrap(), 0).unwrap();
        let p = c.join().unwrap();
        p.send_datagram(b"made it").unwrap();
        let Event::Datagram(d) = conn.receive(WAIT).unwrap() else { panic!() };
        assert_eq!(d.payload, b"made it");
    });
}

/// A server closes its end while the client waits for a reply.
pub fn server_closes<T: Transport + Send>(dev: SharedDevice<T>) {
    let server = dev.context(1000).unwrap();
    let client = dev.context(2000).unwrap();
    let port = server.create_port("svc", PortAttributes::default()).unwrap();
    thread::scope(|s| {
        let c = s.spawn(|| {
            let p = client.connect("svc", b"", WAIT).unwrap();
            let e = p.request(b"will you answer?", WAIT).err().unwrap();
            assert_eq!(status(e), StatusError::PeerClosed);
            assert!(matches!(p.receive(WAIT).unwrap(), Event::PortClosed { died: false, .. }));
            assert_eq!(status(p.send_datagram(b"x").err().unwrap()), StatusError::PeerClosed);
        });
        let conn = port.accept(&port.listen(WAIT).unwrap(), 0).unwrap();
        assert!(matches!(conn.receive(WAIT).unwrap(), Event::Request(_)));
        conn.close().unwrap();
        c.join().unwrap();
    });
}

/// A client's process dies with requests outstanding: the server is told
/// the client died, its replies find nothing, other connections go on.
pub fn client_dies<T: Transport + Send>(dev: SharedDevice<T>) {
    let server = dev.context(1000).unwrap();
    let port = server.create_port("svc", PortAttributes::default()).unwrap();
    let (doomed, survivor) = (dev.context(2001).unwrap(), dev.context(2002).unwrap());
    let (a, b) = thread::scope(|s| {
        let a = s.spawn(|| doomed.connect("svc", b"", WAIT).unwrap());
        let sa = port.accept(&port.listen(WAIT).unwrap(), 1).unwrap();
        let a = a.join().unwrap();
        let b = s.spawn(|| survivor.connect("svc", b"", WAIT).unwrap());
        let sb = port.accept(&port.listen(WAIT).unwrap(), 2).unwrap();
        ((a, sa), (b.join().unwrap(), sb))
    });
    let pending = [a.0.send_request(b"one").unwrap(), a.0.send_request(b"two").unwrap()];
    let requests: Vec<_> = (0..2).map(|_| a.1.receive(WAIT).unwrap()).collect();
    doomed.terminate().unwrap();
    let notice = a.1.receive(WAIT).unwrap();
    assert!(matches!(notice, Event::PortClosed { died: true, identity: 2001, port_context: 1, .. }), "{notice:?}");
    for r in &requests {
        let Event::Request(m) = r else { panic!("{r:?}") };
        assert_eq!(status(a.1.reply(m, b"too late").err().unwrap()), StatusError::BadReply);
    }
    for p in pending {
        assert!(matches!(p.wait(WAIT), Err(Error::Closed("context"))));
    }
    thread::scope(|s| {
        let c = s.spawn(|| b.0.request(b"still there?", WAIT).unwrap());
        let Event::Request(m) = b.1.receive(WAIT).unwrap() else { panic!() };
        b.1.reply(&m, b"yes").unwrap();
        assert_eq!(c.join().unwrap().payload, b"yes");
    });
}

/// Replies to the wrong message; oversize messages; a request whose reply
/// does not come in time is canceled, and the late reply is refused.
pub fn bad_replies_and_sizes<T: Transport + Send>(dev: SharedDevice<T>) {
    let server = dev.context(1000).unwrap();
    let client = dev.context(2000).unwrap();
    let port = server.create_port("small", PortAttributes { max_message: 16, backlog: 2, ..Default::default() }).unwrap();
    let (p, conn) = thread::scope(|s| {
        let c = s.spawn(|| client.connect("small", b"", WAIT).unwrap());
        let conn = port.accept(&port.listen(WAIT).unwrap(), 0).unwrap();
        (c.join().unwrap(), conn)
    });
    p.send_datagram(b"not a request").unwrap();
    let Event::Datagram(d) = conn.receive(WAIT).unwrap() else { panic!() };
    assert_eq!(status(conn.reply(&d, b"?").err().unwrap()), StatusError::BadReply);
    // Oversize: over the port's maximum (the device says so), over what a
    // message can carry at all (the library says so before submitting).
    assert_eq!(status(p.send_datagram(&[0; 17]).err().unwrap()), StatusError::TooLarge);
    assert_eq!(status(p.request(&[0; 17], WAIT).err().unwrap()), StatusError::TooLarge);
    assert!(matches!(p.send_datagram(&[0; 257]).err().unwrap(), Error::MessageTooLong { len: 257, max: 256 }));
    // Timeout: the server does not answer in time; the request is canceled.
    let e = p.request(b"slow", Duration::from_micros(50)).err().unwrap();
    assert!(matches!(e, Error::TimedOut { .. }), "{e}");
    let Event::Request(m) = conn.receive(WAIT).unwrap() else { panic!() };
    assert_eq!(status(conn.reply(&m, b"late").err().unwrap()), StatusError::BadReply);
    // A reply to a message id that was never delivered, and a second reply.
    thread::scope(|s| {
        let c = s.spawn(|| p.request(b"once", WAIT).unwrap());
        let Event::Request(m) = conn.receive(WAIT).unwrap() else { panic!() };
        let mut forged = m.clone();
        forged.id ^= 0x55;
        assert_eq!(status(conn.reply(&forged, b"x").err().unwrap()), StatusError::BadReply);
        conn.reply(&m, b"ok").unwrap();
        assert_eq!(status(conn.reply(&m, b"again").err().unwrap()), StatusError::BadReply);
        assert_eq!(c.join().unwrap().payload, b"ok");
    });
    // An explicit cancel.
    let pending = p.send_request(b"never mind").unwrap();
    pending.cancel().unwrap();
    let Event::Request(m) = conn.receive(WAIT).unwrap() else { panic!() };
    assert_eq!(status(conn.reply(&m, b"").err().unwrap()), StatusError::BadReply);
}

/// Many clients, each on its own thread, interleaving requests and datagrams
/// with one server that serves everything from its connection port.
pub fn many_clients<T: Transport + Send>(dev: SharedDevice<T>, clients: u32, rounds: u32) {
    let server = dev.context(1).unwrap();
    let port = server.create_port("hub", PortAttributes { max_message: 64, backlog: clients as u8, ..Default::default() }).unwrap();
    let ctxs: Vec<Context<T>> = (0..clients).map(|i| dev.context(100 + i).unwrap()).collect();
    thread::scope(|s| {
        for (i, ctx) in ctxs.iter().enumerate() {
            s.spawn(move || {
                let p = ctx.connect("hub", format!("client {i}").as_bytes(), WAIT).unwrap();
                for r in 0..rounds {
                    let ask = format!("{i}:{r}");
                    p.send_datagram(ask.as_bytes()).unwrap();
                    let reply = p.request(ask.as_bytes(), WAIT).unwrap();
                    assert_eq!(reply.payload, format!("re {ask} from {}", 100 + i as u32).into_bytes());
                }
                p.close().unwrap();
            });
        }
        let mut conns = std::collections::HashMap::new();
        let (mut closed, mut datagrams, mut requests) = (0, 0, 0);
        while closed < clients {
            match port.receive(WAIT).unwrap() {
                Event::ConnectionRequest(r) => {
                    assert_eq!(r.message, format!("client {}", r.identity - 100).into_bytes());
                    let c = port.accept(&r, r.identity as u64).unwrap();
                    conns.insert(c.handle(), c);
                }
                Event::Request(m) => {
                    requests += 1;
                    assert_eq!(m.port_context, m.identity as u64);
                    let answer = format!("re {} from {}", String::from_utf8_lossy(&m.payload), m.identity);
                    port.reply(&m, answer.as_bytes()).unwrap();
                }
                Event::Datagram(m) => {
                    datagrams += 1;
                    assert!(m.payload.starts_with(format!("{}:", m.identity - 100).as_bytes()));
                }
                Event::PortClosed { port: h, died, .. } => {
                    assert!(!died);
                    conns.remove(&h).unwrap().close().unwrap();
                    closed += 1;
                }
            }
        }
        assert_eq!((datagrams, requests), (clients * rounds, clients * rounds));
    });
}


/// Batches: a server fans a datagram out to every client with one doorbell
/// write; a client sends several requests in one batch and the server
/// answers them in one batch. A batch that cannot fit sends nothing.
pub fn batches<T: Transport + Send>(dev: SharedDevice<T>, clients: u32) {
    let server = dev.context(1).unwrap();
    let port = server.create_port("fan", PortAttributes::default()).unwrap();
    let ctxs: Vec<Context<T>> = (0..clients).map(|i| dev.context(100 + i).unwrap()).collect();
    let (conns, ports) = thread::scope(|s| {
        let joins: Vec<_> = ctxs.iter().map(|c| s.spawn(|| c.connect("fan", b"", WAIT).unwrap())).collect();
        let conns: Vec<_> = (0..clients).map(|_| port.accept(&port.listen(WAIT).unwrap(), 0).unwrap()).collect();
        (conns, joins.into_iter().map(|j| j.join().unwrap()).collect::<Vec<_>>())
    });
    let mut batch = server.batch();
    for c in &conns {
        batch.datagram(c, format!("news for {}", c.peer_identity()).as_bytes());
    }
    assert_eq!(batch.len(), clients as usize);
    let sent = batch.submit().unwrap();
    assert!(sent.iter().all(Sent::is_ok));
    for (i, p) in ports.iter().enumerate() {
        let Event::Datagram(d) = p.receive(WAIT).unwrap() else { panic!() };
        assert_eq!((d.identity, d.payload), (1, format!("news for {}", 100 + i).into_bytes()));
    }
    // Three requests in one submission, answered in one submission.
    let c0 = conns.iter().find(|c| c.peer_identity() == 100).unwrap();
    let mut batch = ctxs[0].batch();
    for k in 0..3u8 {
        batch.request(&ports[0], &[k; 40]);
    }
    let pending: Vec<_> = batch.submit().unwrap().into_iter().map(|s| s.into_request().unwrap()).collect();
    let mut answers = server.batch();
    let requests: Vec<_> = (0..3)
        .map(|_| match c0.receive(WAIT).unwrap() {
            Event::Request(m) => m,
            e => panic!("{e:?}"),
        })
        .collect();
    for m in &requests {
        answers.reply(m, &[m.payload[0] + 10]);
    }
    assert!(answers.submit().unwrap().iter().all(Sent::is_ok));
    for (k, p) in pending.into_iter().enumerate() {
        assert_eq!(p.wait(WAIT).unwrap().payload, vec![k as u8 + 10]);
    }
    // A batch larger than the submission ring: refused whole, nothing sent.
    let mut huge = ctxs[0].batch();
    for _ in 0..64 {
        huge.datagram(&ports[0], b"x");
    }
    assert!(matches!(huge.submit(), Err(Error::QueueFull { .. })));
    ports[0].send_datagram(b"after").unwrap();
    let Event::Datagram(d) = c0.receive(WAIT).unwrap() else { panic!() };
    assert_eq!(d.payload, b"after");
}

/// One thread, one executor: a server task and client tasks, each awaiting
/// its own replies, all served by the same thread (the futures let the
/// device run while they wait).
pub fn one_thread_async<T: Transport>(dev: SharedDevice<T>, clients: u32, rounds: u32) {
    let server = dev.context(1).unwrap();
    let port = server.create_port("async", PortAttributes::default()).unwrap();
    let ctxs: Vec<Context<T>> = (0..clients).map(|i| dev.context(100 + i).unwrap()).collect();
    let serve = async {
        let mut conns = Vec::new();
        let mut closed = 0;
        while closed < clients {
            match port.receive_async(WAIT).await.unwrap() {
                Event::ConnectionRequest(r) => conns.push(port.accept(&r, 0).unwrap()),
                Event::Request(m) => port.reply(&m, &[m.payload[0], m.identity as u8]).unwrap(),
                Event::PortClosed { .. } => closed += 1,
                e => panic!("{e:?}"),
            }
        }
        conns.len()
    };
    let calls = join_all(ctxs.iter().enumerate().map(|(i, ctx)| async move {
        let p = ctx.connect_async("async", b"", WAIT).await.unwrap();
        for r in 0..rounds {
            let reply = p.request_async(&[r as u8], WAIT).await.unwrap();
            assert_eq!(reply.payload, vec![r as u8, 100 + i as u8]);
        }
        let e = p.receive_async(Duration::from_micros(20)).await.err().unwrap();
        assert!(matches!(e, Error::TimedOut { .. }));
        p.close().unwrap();
    }));
    let (served, _) = block_on(join(serve, calls));
    assert_eq!(served, clients as usize);
}

/// Under a tokio runtime (the host library's `tokio` feature): a server task
/// and client tasks spawned over the runtime's threads; waiting tasks sleep
/// on their context's interrupt eventfd where the backend has one.
pub async fn tokio_tasks<T: Transport + Send + 'static>(dev: SharedDevice<T>, clients: u32, rounds: u32) {
    let server = dev.context(1).unwrap();
    let port = server.create_port("tokio", PortAttributes::default()).unwrap();
    let serve = tokio::spawn(async move {
        let (mut conns, mut closed, mut served) = (Vec::new(), 0, 0);
        while closed < clients {
            match port.receive_async(WAIT).await.unwrap() {
                Event::ConnectionRequest(r) => conns.push(port.accept(&r, 0).unwrap()),
                Event::Request(m) => {
                    port.reply(&m, &[m.payload[0], m.identity as u8]).unwrap();
                    served += 1;
                }
                Event::PortClosed { .. } => closed += 1,
                e => panic!("{e:?}"),
            }
        }
        served
    });
    let calls: Vec<_> = (0..clients)
        .map(|i| {
            let ctx = dev.context(100 + i).unwrap();
            // (100 + i, unless a broker gave the identity.)
            let me = ctx.identity() as u8;
            tokio::spawn(async move {
                let p = ctx.connect_async("tokio", b"", WAIT).await.unwrap();
                for r in 0..rounds {
                    let reply = p.request_async(&[r as u8], WAIT).await.unwrap();
                    assert_eq!(reply.payload, vec![r as u8, me]);
                }
                p.close().unwrap();
            })
        })
        .collect();
    for c in calls {
        c.await.unwrap();
    }
    assert_eq!(serve.await.unwrap(), clients * rounds);
}

/// One client process with several threads: they share its context and one
/// communication port, each waiting for its own replies (the library
/// matches them by the descriptor's user data), while the server answers in
/// whatever order the requests arrive.
pub fn threads_share_a_port<T: Transport + Send>(dev: SharedDevice<T>, threads: u8, rounds: u8) {
    let server = dev.context(1).unwrap();
    let client = dev.context(2).unwrap();
    let port = server.create_port("shared", PortAttributes::default()).unwrap();
    let (conn, p) = connected(&client, &port);
    let p = &p;
    thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    for r in 0..rounds {
                        let reply = p.request(&[t, r], WAIT).unwrap();
                        assert_eq!(reply.payload, vec![t, r, 0xEE]);
                    }
                })
            })
            .collect();
        for _ in 0..threads as u32 * rounds as u32 {
            let Event::Request(m) = conn.receive(WAIT).unwrap() else { panic!() };
            conn.reply(&m, &[m.payload[0], m.payload[1], 0xEE]).unwrap();
        }
        for w in workers {
            w.join().unwrap();
        }
    });
}

/// A restricted connection port (ALPC's port security descriptor): the
/// device refuses identities not on its access list; the server only ever
/// sees the connects it allowed.
pub fn restricted_port<T: Transport + Send>(dev: SharedDevice<T>) {
    let server = dev.context(7000).unwrap();
    let (friend, stranger) = (dev.context(7001).unwrap(), dev.context(7002).unwrap());
    let attributes = PortAttributes { restricted: true, ..Default::default() };
    let port = server.create_port("vault", attributes).unwrap();
    port.allow(7001).unwrap();
    assert_eq!(status(stranger.connect("vault", b"", WAIT).err().unwrap()), StatusError::AccessDenied);
    thread::scope(|s| {
        let c = s.spawn(|| friend.connect("vault", b"me", WAIT).unwrap());
        let req = port.listen(WAIT).unwrap();
        assert_eq!((req.identity, req.message.as_slice()), (7001, &b"me"[..]), "only the allowed client arrives");
        let _conn = port.accept(&req, 0).unwrap();
        assert_eq!(c.join().unwrap().peer_identity(), 7000);
    });
    assert!(port.try_receive().unwrap().is_none(), "the refused connect never reached the server");
    let open = server.create_port("lobby", PortAttributes::default()).unwrap();
    assert_eq!(status(open.allow(7002).err().unwrap()), StatusError::BadArgument);
}

/// Zero copy (ALPC's section and view attributes): a server shares memory
/// with a client by view; the client reads it in place and through the
/// device, cannot write a read-only view, writes its answer into a
/// writable one sent with a request; revoked views are refused.
pub fn shared_views<T: Transport + Send>(dev: SharedDevice<T>) {
    use alpc_host::Access;
    let server = dev.context(8000).unwrap();
    let client = dev.context(8001).unwrap();
    let port = server.create_port("shared", PortAttributes::default()).unwrap();
    let (conn, to_server) = connected(&client, &port);
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let section = server.create_section(data.len(), Access::ReadWrite).unwrap();
    section.write(0, &data).unwrap();
    let ro = conn.share(&section, 1000, 50_000, Access::Read).unwrap();
    conn.send_view(&ro, b"read this").unwrap();
    let Event::Datagram(m) = to_server.receive(WAIT).unwrap() else { panic!("expected the datagram") };
    let v = m.view.expect("a view");
    assert_eq!((m.payload.as_slice(), v.length, v.handle), (&b"read this"[..], 50_000, ro.handle()));
    let mut part = vec![0u8; 300];
    client.read_view(&v, 49_700, &mut part).unwrap();
    assert_eq!(part, data[50_700..51_000]);
    assert!(client.read_view(&v, 49_701, &mut part).is_err(), "past the end of the view");
    assert_eq!(status(client.write_view(&v, 0, b"no").err().unwrap()), StatusError::AccessDenied);
    let own = client.create_section(4096, Access::ReadWrite).unwrap();
    client.copy_from_view(&v, 10, &own, 0, 4096).unwrap();
    let mut copied = vec![0u8; 4096];
    own.read(0, &mut copied).unwrap();
    assert_eq!(copied, data[1010..5106]);
    // The device refuses what the view does not allow.
    assert_eq!(status(client.copy_to_view(&own, 0, &v, 0, 16).err().unwrap()), StatusError::AccessDenied);
    assert_eq!(status(client.copy_from_view(&v, 49_990, &own, 0, 11).err().unwrap()), StatusError::BadAddress);
    // A writable view rides a request; the client writes its answer in place.
    let rw = conn.share(&section, 0, 64, Access::Write).unwrap();
    let pending = conn.send_request_with_view(&rw, b"fill it").unwrap();
    let Event::Request(r) = to_server.receive(WAIT).unwrap() else { panic!("expected the request") };
    let w = r.view.expect("a writable view");
    client.write_view(&w, 0, b"filled in place").unwrap();
    client.reply(&r, b"done").unwrap();
    assert_eq!(pending.wait(WAIT).unwrap().payload, b"done");
    let mut back = [0u8; 15];
    section.read(0, &mut back).unwrap();
    assert_eq!(&back, b"filled in place");
    // The copy must also fit the client's own section.
    assert_eq!(status(client.copy_from_view(&v, 0, &own, 4000, 200).err().unwrap()), StatusError::BadAddress);
    // Revoked: the device refuses the view from now on, for the device's
    // copies and for reads in place alike.
    ro.revoke().unwrap();
    assert_eq!(status(client.copy_from_view(&v, 0, &own, 0, 16).err().unwrap()), StatusError::BadHandle);
    assert_eq!(status(client.read_view(&v, 0, &mut part).err().unwrap()), StatusError::BadHandle);
    // The section goes, and every view of it.
    drop(section);
    assert_eq!(status(client.copy_to_view(&own, 0, &w, 0, 1).err().unwrap()), StatusError::BadHandle);
    assert_eq!(status(client.write_view(&w, 0, b"late").err().unwrap()), StatusError::BadHandle);
}

/// Flow control: with a window of 2 per connection, a client that floods
/// its server is held back (RECEIVER_BUSY, nothing lost) while another
/// client still gets through; as the server receives, the library returns
/// credits and the first client may send again.
pub fn windowed_port<T: Transport + Send>(dev: SharedDevice<T>) {
    let server = dev.context(9000).unwrap();
    let (flood, polite) = (dev.context(9001).unwrap(), dev.context(9002).unwrap());
    let port = server.create_port("paced", PortAttributes { window: 2, ..Default::default() }).unwrap();
    let (fp, pp, _conns) = thread::scope(|s| {
        let f = s.spawn(|| flood.connect("paced", b"", WAIT).unwrap());
        let a = port.accept(&port.listen(WAIT).unwrap(), 1).unwrap();
        let p = s.spawn(|| polite.connect("paced", b"", WAIT).unwrap());
        let b = port.accept(&port.listen(WAIT).unwrap(), 2).unwrap();
        (f.join().unwrap(), p.join().unwrap(), (a, b))
    });
    fp.send_datagram(b"1").unwrap();
    fp.send_datagram(b"2").unwrap();
    assert_eq!(status(fp.send_datagram(b"3").err().unwrap()), StatusError::ReceiverBusy);
    pp.send_datagram(b"hello").unwrap();
    // The server takes what arrived, in order; each take gives a credit back.
    let mut got = Vec::new();
    for _ in 0..3 {
        match port.receive(WAIT).unwrap() {
            Event::Datagram(m) => got.push(m.payload),
            e => panic!("expected a datagram, got {e:?}"),
        }
    }
    assert_eq!(got, [b"1".to_vec(), b"2".to_vec(), b"hello".to_vec()]);
    // Credits are back: the flooding client may send its window again.
    let mut sent = 0;
    for _ in 0..100 {
        match fp.send_datagram(b"again") {
            Ok(()) => sent += 1,
            Err(e) if e.status() == Some(StatusError::ReceiverBusy) && sent == 2 => break,
            Err(e) if e.status() == Some(StatusError::ReceiverBusy) => std::thread::yield_now(),
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(sent, 2, "a window of 2 again");
}

/// Large messages (mode 3): the server posts receive buffers; a client's
/// 1 MiB is copied by the device into one of them; `send_bytes` picks
/// inline or large by size; without a posted buffer the sender is told
/// RECEIVER_BUSY and nothing is lost.
pub fn large_messages<T: Transport + Send>(dev: SharedDevice<T>) {
    use alpc_host::Access;
    let server = dev.context(9500).unwrap();
    let client = dev.context(9501).unwrap();
    let port = server.create_port("bulk", PortAttributes::default()).unwrap();
    let (conn, to_server) = connected(&client, &port);
    let inbox = server.create_section(2 << 20, Access::ReadWrite).unwrap();
    let _big = conn.post_buffer(&inbox, 0, 1 << 20).unwrap();
    let _small = conn.post_buffer(&inbox, 1 << 20, 4096).unwrap();
    let data: Vec<u8> = (0..1u32 << 20).map(|i| (i ^ (i >> 9)) as u8).collect();
    let outbox = client.create_section(data.len(), Access::Read).unwrap();
    outbox.write(0, &data).unwrap();
    to_server.send_large(&outbox, 0, data.len() as u32).unwrap();
    let Event::Datagram(m) = conn.receive(WAIT).unwrap() else { panic!("expected the large datagram") };
    assert!(m.large && m.payload.is_empty());
    assert!(server.read_large(&m).unwrap() == data, "1 MiB copied intact");
    // send_bytes: 200 bytes go inline, 3000 bytes go large (into the small buffer).
    to_server.send_bytes(&data[..200]).unwrap();
    let Event::Datagram(m) = conn.receive(WAIT).unwrap() else { panic!() };
    assert!(!m.large && m.payload == data[..200]);
    to_server.send_bytes(&data[..3000]).unwrap();
    let Event::Datagram(m) = conn.receive(WAIT).unwrap() else { panic!() };
    assert!(m.large && server.read_large(&m).unwrap() == data[..3000]);
    // Both buffers used up: the next large message is refused, not lost.
    assert_eq!(status(to_server.send_bytes(&data[..3000]).err().unwrap()), StatusError::ReceiverBusy);
    let _again = conn.post_buffer(&inbox, 0, 4096).unwrap();
    to_server.send_bytes(&data[..3000]).unwrap();
    let Event::Datagram(m) = conn.receive(WAIT).unwrap() else { panic!() };
    assert!(server.read_large(&m).unwrap() == data[..3000]);
    // A large request, answered inline.
    let _buf = conn.post_buffer(&inbox, 8192, 4096).unwrap();
    let pending = to_server.send_large_request(&outbox, 100, 1000).unwrap();
    let Event::Request(r) = conn.receive(WAIT).unwrap() else { panic!("expected the request") };
    assert!(r.large && server.read_large(&r).unwrap() == data[100..1100]);
    server.reply(&r, b"got it").unwrap();
    assert_eq!(pending.wait(WAIT).unwrap().payload, b"got it");
}
