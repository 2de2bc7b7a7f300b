//! Copy a buffer with the accelerator's DMA engine, on the simulated device.
//!
//! `cargo run --release -p alpc-host --example copy -- [BYTES] [LATENCY]`
//!
//! Allocates two DMA buffers, fills the source, submits one COPY descriptor
//! (one doorbell write), waits for its completion on the queue's MSI and
//! checks the destination. Prints the cycles it took.

use alpc_contract::Descriptor;
use alpc_host::{check, Device, MemTiming, SimConfig, SimTransport, Transport};
use anyhow::{ensure, Context, Result};
use std::time::Duration;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let bytes: u32 = args.next().map(|a| a.parse()).transpose().context("BYTES must be a number")?.unwrap_or(65536);
    let latency: u64 = args.next().map(|a| a.parse()).transpose().context("LATENCY must be a number")?.unwrap_or(125);

    let sim = SimTransport::new(SimConfig { timing: MemTiming::latency(latency), ..Default::default() })?;
    let mut dev = Device::open(sim)?;
    let q = dev.create_queue(16, 16)?;
    let src = dev.alloc(bytes as usize)?;
    let dst = dev.alloc(bytes as usize)?;
    let data: Vec<u8> = (0..bytes).map(|i| (i * 7 + 3) as u8).collect();
    dev.write(&src, 0, &data)?;

    let start = dev.transport().cycles().unwrap_or(0);
    dev.submit(q, &[Descriptor::copy(src.iova(), dst.iova(), bytes, 1)])?;
    let done = dev.wait(q, 1, Duration::from_millis(100))?;
    let cycles = dev.transport().cycles().unwrap_or(0) - start;
    let copied = check(&done[0])?;

    let mut out = vec![0u8; bytes as usize];
    dev.read(&dst, 0, &mut out)?;
    ensure!(out == data, "destination differs from source");
    println!(
        "copied {copied} bytes in {cycles} cycles ({:.2} bytes/cycle) with {latency} cycles of host-memory latency; verified",
        copied as f64 / cycles as f64
    );
    Ok(())
}
