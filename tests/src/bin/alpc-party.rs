//! One party of the multi-process tests (`tests/tests/daemon.rs`): a server,
//! a client, a client that hangs in a request, or a process that tries to
//! reach what is not its own, each talking to `alpcd` through
//! `SharedDevice::connect_daemon` and reporting on stdout, a line per fact.
//!
//! ```text
//! alpc-party server SOCKET PORT            serve until killed
//! alpc-party client SOCKET PORT REQUESTS   requests, a datagram, a view; waits for "go" on stdin halfway
//! alpc-party hang SOCKET PORT              connect, then a request the server never answers
//! alpc-party snoop SOCKET PORT IOVA PORT_HANDLE SECTION_HANDLE
//!                                          try another process's context, registers, memory (IOVA) and handles
//! alpc-party pingpong SOCKET PORT N        N request/reply round trips (after 100 unmeasured), timed
//! ```
//!
//! The server does not report requests whose payload starts with `bench`.

use alpc_contract::{regs, Descriptor, Status};
use alpc_host::{Access, DaemonTransport, Device, DmaBuffer, Event, PortAttributes, SharedDevice, Transport};
use anyhow::{bail, ensure, Context as _, Result};
use std::io::{BufRead, Write};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);
const VIEW_LEN: usize = 64 << 10;
const SECRET: u8 = 0x5A;

fn say(line: String) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn pattern(i: usize, seed: u32) -> u8 {
    ((i as u32 ^ seed.rotate_left(16)).wrapping_mul(2_654_435_761) >> 24) as u8
}

fn checksum(b: &[u8]) -> u64 {
    b.iter().fold(0xCBF2_9CE4_8422_2325u64, |h, &x| (h ^ x as u64).wrapping_mul(0x100_0000_01B3))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).context("missing argument (see the module documentation)");
    match arg(0)? {
        "server" => server(arg(1)?, arg(2)?),
        "client" => client(arg(1)?, arg(2)?, arg(3)?.parse()?),
        "hang" => hang(arg(1)?, arg(2)?),
        "pingpong" => pingpong(arg(1)?, arg(2)?, arg(3)?.parse()?),
        "snoop" => {
            let hex = |i| -> Result<u64> { Ok(u64::from_str_radix(arg(i)?.trim_start_matches("0x"), 16)?) };
            snoop(arg(1)?, arg(2)?, hex(3)?, hex(4)? as u32, hex(5)? as u32)
        }
        other => bail!("unknown party `{other}`"),
    }
}

fn server(socket: &str, name: &str) -> Result<()> {
    let dev = SharedDevice::connect_daemon(socket)?;
    let ctx = dev.context(0)?;
    let port = ctx.create_port(name, PortAttributes::default())?;
    // Memory no other process may read or write, even knowing its IOVA.
    let secret = ctx.create_section(4096, Access::ReadWrite)?;
    secret.write(0, &[SECRET; 4096])?;
    say(format!(
        "READY id={} secret={:#x} port={:#x} section={:#x}",
        ctx.identity(),
        secret.iova(),
        port.handle(),
        secret.handle()
    ));
    let mut conns = Vec::new();
    let mut hung = Vec::new();
    loop {
        let ev = match port.receive(Duration::from_secs(1)) {
            Ok(ev) => ev,
            Err(alpc_host::Error::TimedOut { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        match ev {
            Event::ConnectionRequest(r) => {
                let c = dev.credentials(r.identity)?.context("the broker knows every identity it gave")?;
                say(format!(
                    "CONNECT id={} uid={} gid={} pid={} msg={}",
                    r.identity,
                    c.uid,
                    c.gid,
                    c.pid,
                    String::from_utf8_lossy(&r.message)
                ));
                conns.push(port.accept(&r, r.identity as u64)?);
            }
            Event::Request(m) if m.payload == b"hang" => {
                say(format!("HANG id={}", m.identity));
                hung.push(m);
            }
            Event::Request(m) if m.payload == b"check-secret" => {
                let mut b = vec![0u8; 4096];
                secret.read(0, &mut b)?;
                let state = if b.iter().all(|&x| x == SECRET) { "intact" } else { "corrupted" };
                port.reply(&m, state.as_bytes())?;
            }
            Event::Request(m) => {
                if !m.payload.starts_with(b"bench") {
                    say(format!("REQUEST id={} payload={}", m.identity, String::from_utf8_lossy(&m.payload)));
                }
                let mut answer = b"pong:".to_vec();
                answer.extend_from_slice(&m.payload);
                port.reply(&m, &answer)?;
            }
            Event::Datagram(m) => match m.view {
                Some(v) => {
                    // The view is the client's memory: the device copies it
                    // into ours (the server cannot map it).
                    let own = ctx.create_section(v.length as usize, Access::ReadWrite)?;
                    ctx.copy_from_view(&v, 0, &own, 0, v.length)?;
                    let mut b = vec![0u8; v.length as usize];
                    own.read(0, &mut b)?;
                    say(format!("VIEW id={} len={} sum={:#x}", m.identity, v.length, checksum(&b)));
                }
                None => say(format!("DATAGRAM id={} payload={}", m.identity, String::from_utf8_lossy(&m.payload))),
            },
            Event::PortClosed { identity, died, .. } => {
                say(format!("CLOSED id={identity} died={died}"));
                for m in hung.iter().filter(|m| m.identity == identity) {
                    let r = port.reply(m, b"too late");
                    say(format!("DEADREPLY id={identity} result={}", r.map_or_else(|e| format!("error: {e}"), |_| "ok".into())));
                }
                hung.retain(|m| m.identity != identity);
            }
        }
    }
}

fn client(socket: &str, name: &str, requests: u32) -> Result<()> {
    let dev = SharedDevice::connect_daemon(socket)?;
    let ctx = dev.context(0)?;
    let port = ctx.connect(name, b"hello", WAIT)?;
    // SAFETY: getuid has no preconditions.
    say(format!("CONNECTED id={} pid={} uid={}", ctx.identity(), std::process::id(), unsafe { libc::getuid() }));
    let ask = |k: u32| -> Result<()> {
        let q = format!("ping {k}");
        let r = port.request(q.as_bytes(), WAIT)?;
        ensure!(r.payload == format!("pong:{q}").as_bytes(), "reply {:?} to {q}", String::from_utf8_lossy(&r.payload));
        Ok(())
    };
    for k in 0..requests / 2 {
        ask(k)?;
    }
    say("HALF".into());
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    for k in requests / 2..requests {
        ask(k)?;
    }
    port.send_datagram(b"dg")?;
    let section = ctx.create_section(VIEW_LEN, Access::ReadWrite)?;
    let bytes: Vec<u8> = (0..VIEW_LEN).map(|i| pattern(i, std::process::id())).collect();
    section.write(0, &bytes)?;
    let view = port.share(&section, 0, VIEW_LEN, Access::Read)?;
    port.send_view(&view, b"")?;
    // The view must stay granted until the server has copied it.
    let r = port.request(b"last", WAIT)?;
    ensure!(r.payload == b"pong:last");
    say(format!("DONE sum={:#x}", checksum(&bytes)));
    Ok(())
}

fn pingpong(socket: &str, name: &str, n: u32) -> Result<()> {
    let dev = SharedDevice::connect_daemon(socket)?;
    let ctx = dev.context(0)?;
    let port = ctx.connect(name, b"pingpong", WAIT)?;
    let payload = [b'b', b'e', b'n', b'c', b'h', 0, 0, 0];
    for _ in 0..100 {
        port.request(&payload, WAIT)?;
    }
    let mut times = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let t = std::time::Instant::now();
        port.request(&payload, WAIT)?;
        times.push(t.elapsed().as_nanos() as u64);
    }
    times.sort_unstable();
    let q = |p: f64| times[((times.len() - 1) as f64 * p) as usize] as f64 / 1000.0;
    say(format!(
        "PINGPONG n={n} payload=8B round_trip_us min={:.1} median={:.1} p99={:.1} ({})",
        q(0.0),
        q(0.5),
        q(0.99),
        dev.lock().transport().describe()
    ));
    Ok(())
}

fn hang(socket: &str, name: &str) -> Result<()> {
    let dev = SharedDevice::connect_daemon(socket)?;
    let ctx = dev.context(0)?;
    let port = ctx.connect(name, b"about to hang", WAIT)?;
    say(format!("CONNECTED id={} pid={}", ctx.identity(), std::process::id()));
    let r = port.request(b"hang", Duration::from_secs(600));
    say(format!("UNEXPECTED {r:?}"));
    Ok(())
}

/// Everything here must be refused; each check prints `CHECK name ok` or
/// `CHECK name BREACH ...`.
fn snoop(socket: &str, name: &str, foreign: u64, port: u32, section: u32) -> Result<()> {
    let mut dev = Device::connect_daemon(socket)?;
    let q = dev.create_queue(16, 16)?;
    let own = q.context();
    let other = (own + 1) % dev.contexts();
    let check = |name: &str, refused: bool, detail: String| {
        say(format!("CHECK {name} {}", if refused { "ok".to_string() } else { format!("BREACH {detail}") }));
    };
    let t = dev.transport_mut();
    let r = t.write32(regs::ctx_cfg(other, regs::CTX_CONTROL), regs::CTX_CONTROL_TEARDOWN);
    check("write-other-context", r.is_err(), format!("{r:?}"));
    let r = t.read32(regs::ctx_cfg(other, regs::CTX_SQ_BASE_LO));
    check("read-other-context", r.is_err(), format!("{r:?}"));
    let r = t.write32(regs::doorbell(other, regs::DB_SQ_TAIL), 1);
    check("ring-other-doorbell", r.is_err(), format!("{r:?}"));
    let r = t.write32(regs::ctx_cfg(own, regs::CTX_IDENTITY), 0);
    check("set-own-identity", r.is_err(), format!("{r:?}"));
    let r = t.write32(regs::ctx_cfg(own, regs::CTX_MEM_LAST_HI), u32::MAX);
    check("widen-own-window", r.is_err(), format!("{r:?}"));
    let r = t.write32(regs::CONTROL, 0);
    check("disable-device", r.is_err(), format!("{r:?}"));
    let mut buf = [0u8; 16];
    let r = t.dma_read(&DmaBuffer::new(foreign, 16), 0, &mut buf);
    check("cpu-read-foreign", r.is_err(), format!("{r:?} {buf:?}"));
    // The device, asked to move another process's bytes, refuses.
    let mine = dev.alloc(4096)?;
    dev.submit(q, &[Descriptor::copy(foreign, mine.iova(), 64, 1), Descriptor::copy(mine.iova(), foreign, 64, 2)])?;
    let done = dev.wait(q, 2, WAIT)?;
    for (c, name) in done.iter().zip(["dma-read-foreign", "dma-write-foreign"]) {
        check(name, c.status() == Some(Status::BadAddress), format!("status {:?}", c.status()));
    }
    // Another process's handles name nothing of this context's.
    dev.submit(q, &[Descriptor::close(port, 3), Descriptor::section_delete(section, 4)])?;
    let done = dev.wait(q, 2, WAIT)?;
    for (c, name) in done.iter().zip(["close-foreign-port", "delete-foreign-section"]) {
        check(name, c.status() == Some(Status::BadHandle), format!("status {:?}", c.status()));
    }
    // Rings in someone else's memory: the device never holds them (a
    // disabled context still receives into its CQ), and enabling with
    // them is refused.
    let t = dev.transport_mut();
    t.write32(regs::ctx_cfg(own, regs::CTX_CONTROL), 0)?;
    for (lo, hi) in [(regs::CTX_SQ_BASE_LO, regs::CTX_SQ_BASE_HI), (regs::CTX_CQ_BASE_LO, regs::CTX_CQ_BASE_HI)] {
        t.write32(regs::ctx_cfg(own, lo), foreign as u32)?;
        t.write32(regs::ctx_cfg(own, hi), (foreign >> 32) as u32)?;
    }
    let held = t.read32(regs::ctx_cfg(own, regs::CTX_CQ_BASE_HI))? as u64;
    let held = held << 32 | t.read32(regs::ctx_cfg(own, regs::CTX_CQ_BASE_LO))? as u64;
    check("device-holds-checked-rings", held != foreign & !31, format!("the device's CQ base is {held:#x}"));
    let r = t.write32(regs::ctx_cfg(own, regs::CTX_CONTROL), regs::CTX_CONTROL_ENABLE);
    check("foreign-ring", r.is_err(), format!("{r:?}"));
    drop(dev);
    // The server's memory is as it was.
    let dev = SharedDevice::<DaemonTransport>::connect_daemon(socket)?;
    let ctx = dev.context(0)?;
    let port = ctx.connect(name, b"snoop", WAIT)?;
    let r = port.request(b"check-secret", WAIT)?;
    say(format!("SECRET {}", String::from_utf8_lossy(&r.payload)));
    Ok(())
}
