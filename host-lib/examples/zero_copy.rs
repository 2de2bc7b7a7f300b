//! Zero copy: a server hands its client 64 MiB by view (ALPC's section and
//! view attributes). No byte of the 64 MiB moves: the client reads them in
//! place and checks them, then has the device copy 1 MiB of the view into
//! its own memory, and sends that 1 MiB back as a large message (mode 3)
//! into a receive buffer the server posted. The time to pass a view is the
//! same for 4 KiB and 64 MiB (device cycles, printed on the simulated
//! device).
//!
//! `cargo run --release -p alpc-host --example zero_copy -- [BACKEND]`
//! where BACKEND is `sim` (default), `model`, `socket:PATH` or `pci:ADDRESS`.

use alpc_host::{backend, Access, Event, PortAttributes, SharedDevice};
use anyhow::{bail, ensure, Result};
use futures::executor::block_on;
use futures::future::join;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(2);
const SIZE: usize = 64 << 20;
const CHUNK: usize = 1 << 20;

/// The byte at `i` of the shared data.
fn pattern(i: usize) -> u8 {
    (i as u32).wrapping_mul(2_654_435_761).rotate_left(7) as u8
}

fn checksum(sum: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(sum, |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01B3))
}

fn main() -> Result<()> {
    let spec = std::env::args().nth(1).unwrap_or_else(|| "sim".into());
    let dev = SharedDevice::open(backend::open(&spec)?)?;
    println!("zero copy on {}", dev.lock().transport().describe());
    let cycles = || dev.lock().transport().cycles();
    let (server, client) = (dev.context(1)?, dev.context(2)?);
    let port = server.create_port("frames", PortAttributes::default())?;
    let accept = async { port.accept(&port.listen_async(WAIT).await?, 0) };
    let (conn, to_server) = block_on(join(accept, client.connect_async("frames", b"", WAIT)));
    let (conn, to_server) = (conn?, to_server?);

    // The server fills 64 MiB of its own memory, registered as a section.
    let section = server.create_section(SIZE, Access::Read)?;
    let mut sum = 0xCBF2_9CE4_8422_2325;
    let mut chunk = vec![0u8; CHUNK];
    for at in (0..SIZE).step_by(CHUNK) {
        chunk.iter_mut().enumerate().for_each(|(i, b)| *b = pattern(at + i));
        sum = checksum(sum, &chunk);
        section.write(at, &chunk)?;
    }
    println!("server: 64 MiB section {:#x} at IOVA {:#x}", section.handle(), section.iova());

    // Passing views of growing size: the same few descriptors each time.
    for size in [4 << 10, 1 << 20, 16 << 20, SIZE] {
        let start = cycles();
        let view = conn.share(&section, 0, size, Access::Read)?;
        let shared = cycles();
        conn.send_view(&view, &sum.to_le_bytes())?;
        let Event::Datagram(m) = to_server.receive(WAIT)? else { bail!("expected the datagram") };
        let end = cycles();
        let got = m.view.expect("the datagram carries the view");
        ensure!(got.length as usize == size && got.handle == view.handle());
        match (start, shared, end) {
            (Some(a), Some(b), Some(c)) => {
                println!("view of {size:>8} bytes: granted in {} cycles, sent and received in {} cycles", b - a, c - b)
            }
            _ => println!("view of {size:>8} bytes passed"),
        }
        if size < SIZE {
            continue;
        }
        // The client reads all 64 MiB in place and checks them.
        let mut seen = 0xCBF2_9CE4_8422_2325;
        for at in (0..SIZE).step_by(CHUNK) {
            client.read_view(&got, at, &mut chunk)?;
            seen = checksum(seen, &chunk);
        }
        ensure!(m.payload == sum.to_le_bytes() && seen == sum, "the data differs");
        println!("client: read the 64 MiB in place, checksum {seen:#018x} matches");
        // The view grants reading only: the client cannot write through it.
        ensure!(client.write_view(&got, 0, b"x").is_err());
        // The device copies 1 MiB from the middle of the view into the
        // client's own section.
        let own = client.create_section(CHUNK, Access::ReadWrite)?;
        let before = cycles();
        client.copy_from_view(&got, (32 << 20) as u32, &own, 0, CHUNK as u32)?;
        let took = before.zip(cycles()).map(|(a, b)| b - a);
        own.read(0, &mut chunk)?;
        ensure!(chunk.iter().enumerate().all(|(i, &b)| b == pattern((32 << 20) + i)), "the copy differs");
        match took {
            Some(c) => println!("client: device copied 1 MiB out of the view in {c} cycles ({:.1} bytes/cycle)", CHUNK as f64 / c as f64),
            None => println!("client: device copied 1 MiB out of the view"),
        }
        // Revoking: from now on the device refuses the view.
        view.revoke()?;
        ensure!(client.copy_from_view(&got, 0, &own, 0, 16).is_err(), "a revoked view still works");
        println!("server: view revoked; the client's next copy is refused");
        // Mode 3: the client sends 1 MiB back as a large message; the
        // device copies it into a receive buffer the server posted.
        let inbox = server.create_section(CHUNK, Access::ReadWrite)?;
        let _posted = conn.post_buffer(&inbox, 0, CHUNK)?;
        let before = cycles();
        to_server.send_large(&own, 0, CHUNK as u32)?;
        let Event::Datagram(m) = conn.receive(WAIT)? else { bail!("expected the large datagram") };
        let took = before.zip(cycles()).map(|(a, b)| b - a);
        ensure!(m.large && server.read_large(&m)? == chunk, "the large message differs");
        match took {
            Some(c) => println!("client: 1 MiB large message copied into the server's posted buffer in {c} cycles ({:.1} bytes/cycle)", CHUNK as f64 / c as f64),
            None => println!("client: 1 MiB large message copied into the server's posted buffer"),
        }
    }
    Ok(())
}
