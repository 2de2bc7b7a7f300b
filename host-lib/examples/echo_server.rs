//! An echo server: every request is answered with its own payload, every
//! datagram is sent back as a datagram. Two clients, each on its own thread
//! (as separate processes would be), talk to it and check the echoes.
//!
//! `cargo run --release -p alpc-host --example echo_server -- [BACKEND]`
//! where BACKEND is `sim` (default), `model`, `socket:PATH` or `pci:ADDRESS`.

use alpc_host::{backend, Event, PortAttributes, SharedDevice};
use anyhow::{bail, ensure, Result};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(1);

fn main() -> Result<()> {
    let spec = std::env::args().nth(1).unwrap_or_else(|| "sim".into());
    let dev = SharedDevice::open(backend::open(&spec)?)?;
    println!("echo server on {}", dev.lock().transport().describe());
    let server = dev.context(1)?;
    let port = server.create_port("echo", PortAttributes::default())?;
    let clients = [dev.context(101)?, dev.context(102)?];
    std::thread::scope(|s| -> Result<()> {
        let mut joins = Vec::new();
        for ctx in &clients {
            joins.push(s.spawn(move || -> Result<()> {
                let p = ctx.connect("echo", b"", WAIT)?;
                for line in ["hello", "echo, echo", "bye"] {
                    let back = p.request(line.as_bytes(), WAIT)?;
                    ensure!(back.payload == line.as_bytes(), "wrong echo");
                    println!("client {}: sent {line:?}, got {:?}", ctx.identity(), String::from_utf8_lossy(&back.payload));
                }
                p.send_datagram(b"a datagram")?;
                let Event::Datagram(d) = p.receive(WAIT)? else { bail!("expected the datagram back") };
                ensure!(d.payload == b"a datagram");
                println!("client {}: datagram echoed", ctx.identity());
                Ok(())
            }));
        }
        // The server: one loop over its connection port serves every client.
        let mut conns = Vec::new();
        let mut gone = 0;
        while gone < clients.len() {
            match port.receive(WAIT)? {
                Event::ConnectionRequest(r) => {
                    println!("server: client {} connects", r.identity);
                    conns.push(port.accept(&r, r.identity as u64)?);
                }
                Event::Request(m) => port.reply(&m, &m.payload)?,
                Event::Datagram(m) => {
                    let conn = conns.iter().find(|c| c.handle() == m.port).expect("an accepted port");
                    conn.send_datagram(&m.payload)?;
                }
                Event::PortClosed { identity, .. } => {
                    println!("server: client {identity} left");
                    gone += 1;
                }
            }
        }
        joins.into_iter().try_for_each(|j| j.join().unwrap())
    })?;
    println!("echo server: done");
    Ok(())
}
