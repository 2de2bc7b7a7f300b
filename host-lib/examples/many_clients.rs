//! Many clients, one server: every client on its own thread sends requests
//! with send-and-wait; one server thread serves them all from its
//! connection port. Prints the device cycles per request.
//!
//! `cargo run --release -p alpc-host --example many_clients -- [BACKEND] [CLIENTS] [REQUESTS]`

use alpc_host::{backend, Event, PortAttributes, SharedDevice};
use anyhow::{ensure, Result};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(1);

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let spec = args.next().unwrap_or_else(|| "sim".into());
    let clients: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(12);
    let requests: u32 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(50);
    let dev = SharedDevice::open(backend::open(&spec)?)?;
    ensure!(clients >= 1 && (clients as usize) < dev.lock().contexts(), "CLIENTS must be 1..{}", dev.lock().contexts());
    let server = dev.context(1)?;
    let port = server.create_port("many", PortAttributes { max_message: 64, backlog: clients.min(255) as u8, ..Default::default() })?;
    let ctxs = (0..clients).map(|i| dev.context(100 + i)).collect::<Result<Vec<_>, _>>()?;
    let (start, wall) = (dev.lock().transport().cycles(), Instant::now());
    std::thread::scope(|s| -> Result<()> {
        let mut joins = Vec::new();
        for ctx in &ctxs {
            joins.push(s.spawn(move || -> Result<()> {
                let p = ctx.connect("many", b"", WAIT)?;
                for k in 0..requests {
                    let ask = format!("{} #{k}", ctx.identity());
                    ensure!(p.request(ask.as_bytes(), WAIT)?.payload == ask.as_bytes(), "wrong reply");
                }
                Ok(())
            }));
        }
        let (mut conns, mut served, mut left) = (Vec::new(), 0, 0);
        while left < clients {
            match port.receive(WAIT)? {
                Event::ConnectionRequest(r) => conns.push(port.accept(&r, 0)?),
                Event::Request(m) => {
                    port.reply(&m, &m.payload)?;
                    served += 1;
                }
                Event::PortClosed { .. } => left += 1,
                Event::Datagram(_) => {}
            }
        }
        ensure!(served == clients * requests);
        joins.into_iter().try_for_each(|j| j.join().unwrap())
    })?;
    let total = clients * requests;
    match (start, dev.lock().transport().cycles()) {
        (Some(a), Some(b)) => println!(
            "{clients} clients, {total} requests served in {} device cycles ({:.0} per request), {:.2} s of host time",
            b - a,
            (b - a) as f64 / total as f64,
            wall.elapsed().as_secs_f64()
        ),
        _ => println!("{clients} clients, {total} requests served in {:.3} s", wall.elapsed().as_secs_f64()),
    }
    Ok(())
}
