//! The ALPC part of the demo, written with the host library's public API: a
//! server and several clients, each its own hardware context whose identity
//! the privileged owner of the device set; everything in the transcript
//! (ports, handles, identities, payload delivery, notices) is done by the
//! accelerator. Clients and server are tasks of one thread: the device runs
//! while they wait.

use alpc_host::{Context, Event, PortAttributes, SharedDevice, StatusError, Transport};
use anyhow::{bail, ensure, Context as _, Result};
use futures::executor::block_on;
use futures::future::{join, join_all};
use std::cell::Cell;
use std::time::Duration;

const NAME: &str = "\\RPC Control\\demo";
/// A wait that only a broken device exhausts (simulated time on the
/// simulated device).
const WAIT: Duration = Duration::from_secs(1);
const SERVER_IDENTITY: u32 = 1000;
const CLIENTS: [&str; 14] =
    ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "niaj", "olivia", "peggy"];
/// The one client the server will not talk to (decided on the identity the
/// device reports, never on what the client says).
const UNWELCOME: u32 = 2002;

struct Transcript<T: Transport> {
    dev: SharedDevice<T>,
    t0: Option<u64>,
}

impl<T: Transport> Transcript<T> {
    fn cycles(&self) -> Option<u64> {
        self.dev.lock().transport().cycles()
    }

    fn say(&self, who: &str, what: impl AsRef<str>) {
        let at = match (self.t0, self.cycles()) {
            (Some(a), Some(b)) => format!("{:>8} cycles", b - a),
            _ => String::new(),
        };
        println!("  {at}  {who:<7} {}", what.as_ref());
    }
}

fn name_of(identity: u32) -> &'static str {
    CLIENTS.get(identity.wrapping_sub(2001) as usize).copied().unwrap_or("?")
}

fn text(b: &[u8]) -> String {
    format!("\"{}\"", String::from_utf8_lossy(b))
}

/// The transcript; then, with `load` > 0, `clients` workers send `load`
/// requests each and the figures are printed.
pub fn run<T: Transport>(dev: &SharedDevice<T>, clients: usize, load: u32) -> Result<()> {
    let contexts = dev.lock().contexts();
    ensure!(
        (2..=CLIENTS.len()).contains(&clients) && clients < contexts,
        "--clients must be 2..={} (the device has {contexts} contexts, one is the server's)",
        CLIENTS.len().min(contexts - 1)
    );
    let tr = Transcript { dev: dev.clone(), t0: dev.lock().transport().cycles() };
    println!("\nALPC on the device: a server and {clients} clients (identities set by the privileged owner of the device)");
    let server = dev.context(SERVER_IDENTITY)?;
    let port = server.create_port(NAME, PortAttributes { max_message: 128, backlog: CLIENTS.len() as u8, ..Default::default() })?;
    tr.say("server", format!("identity {SERVER_IDENTITY}: created connection port {NAME} (handle {:#x})", port.handle()));
    let ctxs: Vec<Context<T>> = (0..clients).map(|i| dev.context(2001 + i as u32)).collect::<Result<_, _>>()?;

    // Connections: every client connects at once; the server answers each
    // on the identity the device vouches for.
    let connects = join_all(ctxs.iter().map(|c| async {
        let who = name_of(c.identity());
        let r = c.connect_async(NAME, format!("hello from {who}").as_bytes(), WAIT).await;
        match &r {
            Ok(p) => tr.say(who, format!("connected: port {:#x}, server identity {}", p.handle(), p.peer_identity())),
            Err(e) => tr.say(who, format!("connect failed: {e}")),
        }
        r
    }));
    let answer = async {
        let mut accepted = Vec::new();
        for _ in 0..clients {
            let req = port.listen_async(WAIT).await?;
            let who = name_of(req.identity);
            tr.say("server", format!("CONNECTION_REQUEST from identity {} ({who}): {}", req.identity, text(&req.message)));
            if req.identity == UNWELCOME {
                port.reject(&req)?;
                tr.say("server", format!("rejected {who}"));
            } else {
                let p = port.accept(&req, req.identity as u64)?;
                tr.say("server", format!("accepted {who}: server port {:#x}", p.handle()));
                accepted.push(p);
            }
        }
        anyhow::Ok(accepted)
    };
    let (connected, accepted) = block_on(join(connects, answer));
    let accepted = accepted?;
    let mut ports = Vec::new();
    for (ctx, r) in ctxs.iter().zip(connected) {
        match r {
            Ok(p) => ports.push(p),
            Err(e) if ctx.identity() == UNWELCOME && e.status() == Some(StatusError::Refused) => {}
            Err(e) => return Err(e).context(format!("{} could not connect", name_of(ctx.identity()))),
        }
    }
    ensure!(ports.len() == clients - 1 && accepted.len() == clients - 1, "wrong set of connections");

    // Send-and-wait: each client asks, the server answers.
    for p in &ports {
        let who = name_of(p.context().identity());
        let start = tr.cycles();
        let pending = p.send_request(format!("ping from {who}").as_bytes())?;
        let Event::Request(m) = port.receive(WAIT)? else { bail!("expected {who}'s request") };
        tr.say("server", format!("REQUEST id {:#x} from identity {}: {}", m.id, m.identity, text(&m.payload)));
        port.reply(&m, format!("pong: {}", String::from_utf8_lossy(&m.payload)).as_bytes())?;
        let reply = pending.wait(WAIT)?;
        let rtt = match (start, tr.cycles()) {
            (Some(a), Some(b)) => format!(" ({} cycles round trip)", b - a),
            _ => String::new(),
        };
        tr.say(who, format!("REPLY from identity {}: {}{rtt}", reply.identity, text(&reply.payload)));
        ensure!(reply.identity == SERVER_IDENTITY && reply.payload.starts_with(b"pong: ping from"));
    }

    // One doorbell: the server tells every client at once.
    let mut news = server.batch();
    for p in &accepted {
        news.datagram(p, b"maintenance at noon");
    }
    let sent = news.submit()?;
    tr.say("server", format!("DATAGRAM to {} clients in one batch (one doorbell write)", sent.len()));
    for p in &ports {
        let Event::Datagram(d) = p.receive(WAIT)? else { bail!("expected the datagram") };
        tr.say(name_of(p.context().identity()), format!("DATAGRAM from identity {}: {}", d.identity, text(&d.payload)));
    }

    // A client's process dies with a request outstanding.
    let dying = ports.pop().context("no client")?;
    let who = name_of(dying.context().identity());
    let pending = dying.send_request(b"are you there?")?;
    let Event::Request(orphan) = port.receive(WAIT)? else { bail!("expected {who}'s request") };
    tr.say("server", format!("REQUEST from identity {}: {}", orphan.identity, text(&orphan.payload)));
    dying.context().terminate()?;
    tr.say(who, "(the process dies: its context is torn down)");
    match port.receive(WAIT)? {
        Event::PortClosed { identity, died: true, .. } => {
            tr.say("server", format!("PORT_CLOSED from identity {identity}: the client died (PEER_CLOSED)"))
        }
        e => bail!("the server was not told that {who} died: {e:?}"),
    }
    let late = port.reply(&orphan, b"too late").err().and_then(|e| e.status());
    ensure!(late == Some(StatusError::BadReply), "a reply to a dead client's request must fail");
    tr.say("server", "its reply to the dead client's request: BAD_REPLY (no such outstanding request)");
    drop((pending, dying));

    // The others leave politely.
    for p in ports {
        tr.say(name_of(p.context().identity()), "closes its port");
        p.close()?;
        match port.receive(WAIT)? {
            Event::PortClosed { identity, died: false, .. } => {
                tr.say("server", format!("PORT_CLOSED from identity {identity}: the client closed its port"))
            }
            e => bail!("expected a close notice: {e:?}"),
        }
    }
    drop(accepted);
    drop(ctxs);
    println!("verified: identities, payloads and notices as ALPC defines them");

    if load > 0 {
        self::load(&tr, &port, clients, load)?;
    }
    Ok(())
}

/// `clients` workers send `load` requests each, all on one thread; progress
/// goes to stderr.
fn load<T: Transport>(tr: &Transcript<T>, port: &alpc_host::ConnectionPort<T>, clients: usize, load: u32) -> Result<()> {
    let dev = &tr.dev;
    let workers: Vec<Context<T>> = (0..clients).map(|i| dev.context(3001 + i as u32)).collect::<Result<_, _>>()?;
    let total = clients as u64 * load as u64;
    let answered = Cell::new(0u64);
    let start = tr.cycles();
    let wall = std::time::Instant::now();
    println!("\nload: {clients} clients x {load} requests of 64 bytes, one server");
    // The server takes whatever has arrived and answers all the requests
    // among it with one batch (one doorbell write).
    let serve = async {
        let mut conns = Vec::new();
        let mut closed = 0;
        while closed < clients {
            let mut events = vec![port.receive_async(WAIT).await?];
            while let Some(e) = port.try_receive()? {
                events.push(e);
            }
            let mut replies = port.context().batch();
            let mut requests = Vec::new();
            for e in events {
                match e {
                    Event::ConnectionRequest(r) => conns.push(port.accept(&r, 0)?),
                    Event::Request(m) => requests.push(m),
                    Event::PortClosed { .. } => closed += 1,
                    e => bail!("unexpected event {e:?}"),
                }
            }
            for m in &requests {
                replies.reply(m, &m.payload);
            }
            for sent in replies.submit()? {
                ensure!(sent.is_ok(), "a reply failed: {:?}", sent.status());
                let n = answered.get() + 1;
                answered.set(n);
                if n * 10 / total != (n - 1) * 10 / total {
                    eprintln!("  load: {:>3}% ({n}/{total} requests answered)", n * 100 / total);
                }
            }
        }
        anyhow::Ok(())
    };
    let work = join_all(workers.iter().map(|w| async move {
        let p = w.connect_async(NAME, b"", WAIT).await?;
        for k in 0..load {
            let ask = [k as u8; 64];
            let r = p.request_async(&ask, WAIT).await?;
            ensure!(r.payload == ask, "wrong reply");
        }
        p.close()?;
        anyhow::Ok(())
    }));
    let (served, worked) = block_on(join(serve, work));
    served?;
    worked.into_iter().collect::<Result<Vec<_>>>()?;
    match (start, tr.cycles()) {
        (Some(a), Some(b)) => println!(
            "load: {total} requests answered in {} cycles: {:.1} cycles per request and reply ({:.2} s of host time)",
            b - a,
            (b - a) as f64 / total as f64,
            wall.elapsed().as_secs_f64()
        ),
        _ => println!("load: {total} requests answered in {:.3} s", wall.elapsed().as_secs_f64()),
    }
    Ok(())
}
