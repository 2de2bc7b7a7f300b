//! Request/reply RPC: a calculator service with a typed client stub over
//! ALPC's send-and-wait. Arguments and results travel in the message
//! payload; a failure (division by zero) comes back as an error reply.
//! Prints the round trip of each call in device cycles (simulated device).
//!
//! `cargo run --release -p alpc-host --example rpc -- [BACKEND]`

use alpc_host::{backend, AnyTransport, CommunicationPort, Event, PortAttributes, SharedDevice};
use anyhow::{bail, ensure, Result};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(1);

/// The wire format: op (1 byte), two little-endian u64 operands; the reply
/// is a status byte (0 ok, 1 error) and a u64.
#[derive(Clone, Copy, Debug)]
enum Op {
    Add = 1,
    Mul = 2,
    Div = 3,
}

/// The client's view of the service.
struct Calculator<'a> {
    port: &'a CommunicationPort<AnyTransport>,
}

impl Calculator<'_> {
    fn call(&self, op: Op, a: u64, b: u64) -> Result<u64> {
        let mut req = vec![op as u8];
        req.extend_from_slice(&a.to_le_bytes());
        req.extend_from_slice(&b.to_le_bytes());
        let reply = self.port.request(&req, WAIT)?;
        ensure!(reply.payload.len() == 9, "malformed reply");
        let value = u64::from_le_bytes(reply.payload[1..9].try_into()?);
        match reply.payload[0] {
            0 => Ok(value),
            _ => bail!("the service refused {op:?}({a}, {b})"),
        }
    }
}

fn serve(port: &alpc_host::ConnectionPort<AnyTransport>) -> Result<()> {
    let mut conns = Vec::new();
    loop {
        match port.receive(WAIT)? {
            Event::ConnectionRequest(r) => conns.push(port.accept(&r, 0)?),
            Event::Request(m) => {
                let arg = |i: usize| u64::from_le_bytes(m.payload[i..i + 8].try_into().unwrap());
                let (a, b) = (arg(1), arg(9));
                let result = match m.payload[0] {
                    1 => Some(a.wrapping_add(b)),
                    2 => Some(a.wrapping_mul(b)),
                    3 => a.checked_div(b),
                    _ => None,
                };
                let mut out = vec![result.is_none() as u8];
                out.extend_from_slice(&result.unwrap_or(0).to_le_bytes());
                port.reply(&m, &out)?;
            }
            Event::PortClosed { .. } => return Ok(()),
            Event::Datagram(_) => {}
        }
    }
}

fn main() -> Result<()> {
    let spec = std::env::args().nth(1).unwrap_or_else(|| "sim".into());
    let dev = SharedDevice::open(backend::open(&spec)?)?;
    let server = dev.context(1)?;
    let port = server.create_port("calculator", PortAttributes { max_message: 32, backlog: 4, ..Default::default() })?;
    let client = dev.context(2)?;
    std::thread::scope(|s| -> Result<()> {
        let service = s.spawn(|| serve(&port));
        let conn = client.connect_to("calculator", server.identity(), b"", WAIT)?;
        let calc = Calculator { port: &conn };
        for (op, a, b) in [(Op::Add, 40, 2), (Op::Mul, 6, 7), (Op::Div, 84, 2), (Op::Div, 1, 0)] {
            let before = dev.lock().transport().cycles();
            let r = calc.call(op, a, b);
            let cycles = match (before, dev.lock().transport().cycles()) {
                (Some(x), Some(y)) => format!(" ({} cycles)", y - x),
                _ => String::new(),
            };
            match r {
                Ok(v) => println!("{op:?}({a}, {b}) = {v}{cycles}"),
                Err(e) => println!("{op:?}({a}, {b}) failed: {e}{cycles}"),
            }
        }
        ensure!(calc.call(Op::Div, 1, 0).is_err() && calc.call(Op::Add, 1, 2)? == 3);
        conn.close()?;
        service.join().unwrap()
    })
}
