//! Copy a buffer with the accelerator's DMA engine.
//!
//! `cargo run --release -p alpc-host --example copy -- [BYTES] [LATENCY]`
//! on the simulated device; add `--device PCI-ADDRESS` for a board through
//! VFIO or `--socket PATH` for a card served by `alpc sim serve`: the code
//! below is the same for all three (generic over the transport).
//!
//! Allocates two DMA buffers, fills the source, submits one COPY descriptor
//! (one doorbell write), waits for its completion on the queue's MSI and
//! checks the destination. Prints the cycles it took.

use alpc_contract::Descriptor;
use alpc_host::{check, open_board, Device, MemTiming, SimConfig, SimTransport, Transport, VfioUserTransport};
use anyhow::{ensure, Context, Result};
use std::time::Duration;

fn main() -> Result<()> {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| all.iter().position(|a| a == name).and_then(|i| all.get(i + 1)).cloned();
    let mut args = all.iter().take_while(|a| !a.starts_with("--"));
    let bytes: u32 = args.next().map(|a| a.parse()).transpose().context("BYTES must be a number")?.unwrap_or(65536);
    let latency: u64 = args.next().map(|a| a.parse()).transpose().context("LATENCY must be a number")?.unwrap_or(125);
    if let Some(addr) = flag("--device") {
        return copy(open_board(&addr)?, bytes);
    }
    if let Some(path) = flag("--socket") {
        return copy(Device::open(VfioUserTransport::connect(std::path::Path::new(&path))?)?, bytes);
    }
    let sim = SimTransport::new(SimConfig { timing: MemTiming::latency(latency), ..Default::default() })?;
    println!("simulated device, {latency} cycles of host-memory latency");
    copy(Device::open(sim)?, bytes)
}

fn copy<T: Transport>(mut dev: Device<T>, bytes: u32) -> Result<()> {
    let q = dev.create_queue(16, 16)?;
    let src = dev.alloc(bytes as usize)?;
    let dst = dev.alloc(bytes as usize)?;
    let data: Vec<u8> = (0..bytes).map(|i| (i * 7 + 3) as u8).collect();
    dev.write(&src, 0, &data)?;

    let start = dev.transport().cycles();
    let wall = std::time::Instant::now();
    dev.submit(q, &[Descriptor::copy(src.iova(), dst.iova(), bytes, 1)])?;
    let done = dev.wait(q, 1, Duration::from_secs(1))?;
    let copied = check(&done[0])?;

    let mut out = vec![0u8; bytes as usize];
    dev.read(&dst, 0, &mut out)?;
    ensure!(out == data, "destination differs from source");
    match (start, dev.transport().cycles()) {
        (Some(a), Some(b)) => println!(
            "copied {copied} bytes in {} cycles ({:.2} bytes/cycle) on {}; verified",
            b - a,
            copied as f64 / (b - a) as f64,
            dev.transport().describe()
        ),
        _ => println!("copied {copied} bytes in {:?} on {}; verified", wall.elapsed(), dev.transport().describe()),
    }
    Ok(())
}
