//! Host CPU per message spent in the host library, measured on the
//! reference-model backend: a [`Timed`] transport takes the time spent in
//! the device (register accesses, which run the model) out of the total,
//! and counts the register accesses a board would pay for in MMIO.

use alpc_contract::Descriptor;
use alpc_host::{Device, DmaBuffer, ModelTransport, Transport, TransportError};
use anyhow::{ensure, Result};
use std::time::{Duration, Instant};

/// A transport that times its inner transport's register accesses (where
/// a model or simulation does its work) and counts them.
pub struct Timed<T> {
    inner: T,
    device: Duration,
    /// Timed calls (each leaves about one clock read in the library's time).
    calls: u64,
    reads: u64,
    writes: u64,
}

impl<T: Transport> Timed<T> {
    pub fn new(inner: T) -> Self {
        Timed { inner, device: Duration::ZERO, calls: 0, reads: 0, writes: 0 }
    }

    fn timed<R>(&mut self, f: impl FnOnce(&mut T) -> R) -> R {
        self.calls += 1;
        let t = Instant::now();
        let r = f(&mut self.inner);
        self.device += t.elapsed();
        r
    }
}

impl<T: Transport> Transport for Timed<T> {
    fn read32(&mut self, offset: u64) -> Result<u32, TransportError> {
        self.reads += 1;
        self.timed(|t| t.read32(offset))
    }
    fn write32(&mut self, offset: u64, value: u32) -> Result<(), TransportError> {
        self.writes += 1;
        self.timed(|t| t.write32(offset, value))
    }
    fn alloc_dma(&mut self, len: usize, align: usize) -> Result<DmaBuffer, TransportError> {
        self.inner.alloc_dma(len, align)
    }
    fn free_dma(&mut self, buf: DmaBuffer) {
        self.inner.free_dma(buf)
    }
    // DMA memory accesses are the library's own work (memcpy on a board too).
    fn dma_read(&mut self, buf: &DmaBuffer, offset: usize, out: &mut [u8]) -> Result<(), TransportError> {
        self.inner.dma_read(buf, offset, out)
    }
    fn dma_write(&mut self, buf: &DmaBuffer, offset: usize, data: &[u8]) -> Result<(), TransportError> {
        self.inner.dma_write(buf, offset, data)
    }
    fn wait_irq(&mut self, vector: u32, timeout: Duration) -> Result<u64, TransportError> {
        self.timed(|t| t.wait_irq(vector, timeout))
    }
    fn relax(&mut self) {
        self.timed(|t| t.relax())
    }
    fn vectors(&self) -> u32 {
        self.inner.vectors()
    }
    fn cycles(&self) -> Option<u64> {
        self.inner.cycles()
    }
    fn describe(&self) -> String {
        format!("{} (timed)", self.inner.describe())
    }
}

/// Host-side cost of one DATAGRAM, sender and receiver together.
#[derive(Clone, Copy, Debug)]
pub struct HostCpu {
    pub payload: usize,
    pub batch: usize,
    /// Nanoseconds per message in the library (total minus the device's).
    pub library_ns: f64,
    /// Nanoseconds per message inside the model (for scale; not host cost).
    pub model_ns: f64,
    /// Register writes (MMIO on a board) per message.
    pub mmio_writes: f64,
    /// Register reads per message.
    pub mmio_reads: f64,
}

/// Sends `messages` DATAGRAMs of `payload` bytes, `batch` per doorbell,
/// from a client to a server on the model, the server taking each with its
/// payload and the client its completions; the best of `reps` runs.
pub fn host_cpu(payload: usize, batch: usize, messages: usize, reps: usize) -> Result<HostCpu> {
    let mut best: Option<HostCpu> = None;
    for _ in 0..reps.max(1) {
        let run = one_run(payload, batch, messages)?;
        if best.is_none_or(|b| run.library_ns < b.library_ns) {
            best = Some(run);
        }
    }
    Ok(best.expect("at least one run"))
}

fn one_run(payload: usize, batch: usize, messages: usize) -> Result<HostCpu> {
    let mut dev = Device::open(Timed::new(ModelTransport::new(64 << 20)))?;
    let (server, client, _, cp) = crate::bench::connected(&mut dev, 256)?;
    let data = vec![0x5A; payload];
    let msgs: Vec<_> = (0..batch).map(|u| (Descriptor::datagram(cp, payload as u32, u as u64), &data[..])).collect();
    let rounds = messages.div_ceil(batch);
    let (mut got, mut done) = (Vec::new(), Vec::new());
    let t = dev.transport_mut();
    let (d0, c0, r0, w0) = (t.device, t.calls, t.reads, t.writes);
    let start = Instant::now();
    for _ in 0..rounds {
        dev.submit_messages(client, &msgs)?;
        got.clear();
        while got.len() < batch {
            dev.poll_messages(server, &mut got)?;
        }
        done.clear();
        while done.len() < batch {
            dev.poll(client, &mut done)?;
        }
    }
    let total = start.elapsed();
    ensure!(got.iter().all(|(_, p)| p == &data), "a payload arrived changed");
    let t = dev.transport();
    let n = (rounds * batch) as f64;
    let device = t.device - d0;
    // The clock reads the timing adds are not the library's.
    let clock_ns = clock_read_ns() * (t.calls - c0) as f64;
    Ok(HostCpu {
        payload,
        batch,
        library_ns: ((total - device).as_nanos() as f64 - clock_ns).max(0.0) / n,
        model_ns: device.as_nanos() as f64 / n,
        mmio_writes: (t.writes - w0) as f64 / n,
        mmio_reads: (t.reads - r0) as f64 / n,
    })
}

/// The cost of one `Instant::now()` here (the best of a few tries).
fn clock_read_ns() -> f64 {
    (0..5)
        .map(|_| {
            let n = 10_000;
            let t = Instant::now();
            for _ in 0..n {
                std::hint::black_box(Instant::now());
            }
            t.elapsed().as_nanos() as f64 / n as f64
        })
        .fold(f64::INFINITY, f64::min)
}
