//! `alpc bench`: the accelerator (simulated) against software IPC
//! (measured on this machine in the same run), written as a Markdown table,
//! a CSV of every figure and SVG plots.
//!
//! The accelerator's figures are simulated cycles of the Verilated RTL,
//! converted to time at a stated clock, with the host model's DMA latency
//! set to a stated PCIe round trip ([`CONDITIONS`]). They are exact and
//! repeatable, and they do not include the doorbell's MMIO write reaching
//! the card nor the CPU noticing a completion (see `docs/performance.md`).
//! The software figures are wall-clock measurements between two processes
//! and move with the machine and its load.

use crate::host_cpu::{self, HostCpu};
use crate::{bench_scaling, bench_zero_copy};
use alpc_bench::ipc::{self, Channel, IpcFigures, IpcRun};
use alpc_bench::plot::{Chart, Series};
use alpc_bench::Stats;
use alpc_contract::{desc::CQE_SIZE, geometry, regs, Descriptor};
use alpc_host::{Device, MemTiming, QueueId, SimConfig, SimTransport, Transport};
use anyhow::{ensure, Context, Result};
use clap::Args;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Args)]
pub struct BenchArgs {
    /// Directory for `bench.md`, `bench.csv` and the SVG plots.
    #[arg(long, default_value = "docs/perf")]
    out: PathBuf,
    /// A smoke run: fewer sizes and iterations (figures are noisier).
    #[arg(long)]
    quick: bool,
    /// Timed round trips per software channel and payload [default: 20000, 200 with --quick].
    #[arg(long, value_parser = clap::value_parser!(u64).range(10..=10_000_000))]
    round_trips: Option<u64>,
}

/// A clock and a PCIe DMA read round trip: the conditions the simulated
/// cycles are converted at. 125 MHz is LitePCIe's clock on a Gen2 x4
/// Artix-7 card, 250 MHz an UltraScale+/F2-class shell's; 500 ns and 1 µs
/// bracket the measured median DMA read of 64 bytes (560 ns, pcie-bench,
/// Neugebauer et al., SIGCOMM 2018).
#[derive(Clone, Copy, Debug)]
pub struct Condition {
    /// Core clock, MHz.
    pub clock_mhz: f64,
    /// Host memory round trip, ns (the host model's read and write latency).
    pub host_ns: f64,
}

impl Condition {
    /// The host model's latency in cycles at this clock.
    pub fn latency_cycles(self) -> u64 {
        (self.host_ns * self.clock_mhz / 1000.0).round() as u64
    }

    /// Nanoseconds of `cycles` at this clock.
    pub fn ns(self, cycles: f64) -> f64 {
        cycles * 1000.0 / self.clock_mhz
    }

    /// `clock_mhz,host_latency_ns` of the CSV.
    fn csv(self) -> String {
        format!("{},{}", self.clock_mhz, self.host_ns)
    }

    fn label(self) -> String {
        let host = if self.host_ns >= 1000.0 {
            format!("{} µs", self.host_ns / 1000.0)
        } else {
            format!("{} ns", self.host_ns)
        };
        format!("{} MHz, {host} DMA", self.clock_mhz)
    }
}

/// The conditions of every accelerator figure.
pub const CONDITIONS: [Condition; 4] = [
    Condition { clock_mhz: 125.0, host_ns: 500.0 },
    Condition { clock_mhz: 125.0, host_ns: 1000.0 },
    Condition { clock_mhz: 250.0, host_ns: 500.0 },
    Condition { clock_mhz: 250.0, host_ns: 1000.0 },
];

/// The place-and-route reports (the one copy of the Fmax figures): the
/// headline also says what the figures become at the clock reached today.
const DEFAULT_REPORT: &str = include_str!("../../../../bitstreams/reports/default.json");
const LARGE_REPORT: &str = include_str!("../../../../bitstreams/reports/large.json");

/// The first `"fmax_mhz"` of a report, to 0.1 MHz below (as the docs quote it):
/// `ecp5.place_and_route.fmax_mhz`, the median of the placement seeds, which
/// comes before the seeds' own runs (`runs`) in the report.
fn report_fmax(json: &str) -> f64 {
    let at = json.find("\"fmax_mhz\":").expect("the report has an Fmax") + "\"fmax_mhz\":".len();
    let digits: String = json[at..].trim_start().chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    (digits.parse::<f64>().expect("a number") * 10.0).floor() / 10.0
}

/// The default core at its ECP5 Fmax, with a 1 µs DMA round trip.
fn ecp5_fmax() -> Condition {
    Condition { clock_mhz: report_fmax(DEFAULT_REPORT), host_ns: 1000.0 }
}

/// Simulated figures of one condition and payload.
struct AccelFigures {
    cond: Condition,
    payload: usize,
    /// Sender's doorbell to the receiver's completion entry in memory.
    one_way_cycles: u64,
    /// Client's doorbell to its REPLY taken, the server polling.
    round_trip_cycles: u64,
    /// (batch, cycles per message) for one connection.
    rate: Vec<(usize, f64)>,
}

pub fn run(args: BenchArgs, peer: impl Fn() -> std::process::Command) -> Result<()> {
    let payloads: &[usize] = if args.quick { &[8, 128] } else { &[8, 16, 32, 64, 128] };
    let batches: &[usize] = if args.quick { &[1, 64] } else { &[1, 4, 16, 64] };
    let round_trips = args.round_trips.unwrap_or(if args.quick { 200 } else { 20_000 }) as usize;
    let stream_messages = if args.quick { 2_000 } else { 100_000 };
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;

    let mut accel = Vec::new();
    for &cond in &CONDITIONS {
        for &payload in payloads {
            eprintln!("alpc bench: accelerator, {}, {payload} B (simulated)", cond.label());
            accel.push(accel_figures(cond, payload, batches)?);
        }
    }
    let headline = {
        let c = ecp5_fmax().latency_cycles();
        (one_way_cycles(c, 64)?, request_reply_cycles(c, 64)?)
    };
    let mut soft = Vec::new();
    for &channel in Channel::ALL {
        for &payload in payloads {
            eprintln!("alpc bench: {}, {payload} B (measured)", channel.label());
            let run = IpcRun { channel, payload, round_trips, stream_messages };
            soft.push(ipc::measure(&mut peer(), run).with_context(|| format!("measuring {}", channel.label()))?);
        }
    }
    let mut host = Vec::new();
    let (messages, reps) = if args.quick { (2_000, 1) } else { (50_000, 5) };
    for &payload in payloads {
        for batch in [1, 64] {
            eprintln!("alpc bench: host library CPU, {payload} B, batch {batch} (measured on the model)");
            host.push(host_cpu::host_cpu(payload, batch, messages, reps)?);
        }
    }
    let sizes: &[usize] =
        if args.quick { &[4 << 10, 1 << 20, 4 << 20] } else { &[4 << 10, 64 << 10, 1 << 20, 16 << 20, 64 << 20] };
    let mut zero_copy = ZeroCopy { sizes: sizes.to_vec(), view: Vec::new(), copy: Vec::new(), socket: Vec::new() };
    for k in [1, 3] {
        let cond = CONDITIONS[k];
        eprintln!("alpc bench: passing buffers by view and by DMA copy, {} (simulated)", cond.label());
        zero_copy.view.push((cond, bench_zero_copy::view_cycles(cond, sizes)?));
        let copies = sizes.iter().map(|&s| bench_zero_copy::copy_cycles(cond, s)).collect::<Result<Vec<_>>>()?;
        zero_copy.copy.push((cond, copies));
    }
    for &size in sizes {
        eprintln!("alpc bench: {size} bytes through a Unix stream socket (measured)");
        let reps = if args.quick { 3 } else { 20 };
        zero_copy.socket.push(ipc::measure_transfer(&mut peer(), size, reps).context("measuring a socket transfer")?);
    }
    let mut scaling = Scaling::default();
    let (context_counts, port_counts): (&[usize], &[usize]) =
        if args.quick { (&[1, 2, 64], &[3, 64]) } else { (&[1, 2, 4, 8, 16, 32, 64], &[3, 16, 64, 256, 1024]) };
    for k in [1, 3] {
        let cond = CONDITIONS[k];
        eprintln!("alpc bench: scaling with contexts and ports, {} (simulated, 64-context build)", cond.label());
        let by_ctx = context_counts
            .iter()
            .map(|&n| Ok((n, bench_scaling::contexts_cycles_per_message(cond, n, SCALING_BATCH)?)))
            .collect::<Result<Vec<_>>>()?;
        scaling.contexts.push((cond, by_ctx));
        let by_port = port_counts
            .iter()
            .map(|&n| bench_scaling::ports_cycles_per_message(cond, n, SCALING_BATCH))
            .collect::<Result<Vec<_>>>()?;
        scaling.ports.push((cond, by_port));
    }
    let report = Report {
        round_trips,
        stream_messages,
        accel,
        soft,
        headline,
        host,
        host_messages: messages,
        zero_copy,
        scaling,
    };
    let files = report.write(&args.out)?;
    println!("{}", report.summary());
    for f in files {
        println!("wrote {}", f.display());
    }
    Ok(())
}

fn accel_figures(cond: Condition, payload: usize, batches: &[usize]) -> Result<AccelFigures> {
    let lat = cond.latency_cycles();
    let mut rate = Vec::new();
    for &b in batches {
        rate.push((b, datagram_rate(lat, payload, b)?));
    }
    Ok(AccelFigures {
        cond,
        payload,
        one_way_cycles: one_way_cycles(lat, payload)?,
        round_trip_cycles: request_reply_cycles(lat, payload)?,
        rate,
    })
}

/// Waits count simulated time on the simulated device: 20 ms is 2.5 M
/// cycles at 125 MHz, far more than any one operation here takes, so a
/// refusal that leaves a wait unanswered ends in seconds, not hours.
pub const WAIT: Duration = Duration::from_millis(20);

pub fn device(latency: u64) -> Result<Device<SimTransport>> {
    let cfg = SimConfig { timing: MemTiming::latency(latency), ..Default::default() };
    let mut t = SimTransport::new(cfg)?;
    // The engine clears its tables after reset (one entry per cycle): let
    // it finish so that no figure includes it.
    t.sim_mut().run(geometry::PORTS as u64 + 50);
    Ok(Device::open(t)?)
}

/// A server and a client context connected through port `name`: (server
/// queue, client queue, server's port, client's port).
pub fn connected<T: Transport>(dev: &mut Device<T>, ring: usize) -> Result<(QueueId, QueueId, u32, u32)> {
    connected_named(dev, 7, ring)
}

/// [`connected`] through the port named `name`.
pub fn connected_named<T: Transport>(
    dev: &mut Device<T>,
    name: u32,
    ring: usize,
) -> Result<(QueueId, QueueId, u32, u32)> {
    let server = dev.create_queue(ring, ring)?;
    let client = dev.create_queue(ring, ring)?;
    dev.submit(server, &[Descriptor::create_port(name, geometry::MAX_INLINE as u16, 8, 1)])?;
    let conn = dev.wait(server, 1, WAIT)?[0].port;
    dev.submit(client, &[Descriptor::connect(name, 0, 2)])?;
    let id = dev.wait(server, 1, WAIT)?[0].msg_id;
    dev.submit(server, &[Descriptor::accept(conn, id, 0, 3)])?;
    let sp = dev.wait(server, 1, WAIT)?[0].port;
    let cp = dev.wait(client, 1, WAIT)?[0].port;
    Ok((server, client, sp, cp))
}

/// Cycles from the client's DATAGRAM doorbell (the cycle the core accepts
/// the write) to the cycle the server's completion entry is in memory.
fn one_way_cycles(latency: u64, len: usize) -> Result<u64> {
    let mut dev = device(latency)?;
    let (server, client, _, cp) = connected(&mut dev, 64)?;
    let t = dev.transport_mut();
    let cq = (t.read32(regs::ctx_cfg(server.context(), regs::CTX_CQ_BASE_HI))? as u64) << 32
        | t.read32(regs::ctx_cfg(server.context(), regs::CTX_CQ_BASE_LO))? as u64;
    // The server's ring already holds CREATE's, CONNECT's and ACCEPT's entries.
    let slot = cq + 3 * CQE_SIZE as u64;
    let payload = vec![0x5A; len];
    dev.submit_messages(client, &[(Descriptor::datagram(cp, len as u32, 9), &payload[..])])?;
    let sim = dev.transport_mut().sim_mut();
    let start = sim.last_write_accept_cycle();
    let landed = sim.run_until(1_000_000, |d| {
        let mut e = [0u8; CQE_SIZE];
        d.mem().read(slot, &mut e).is_ok_and(|_| e[CQE_SIZE - 1] & 1 == 1)
    });
    ensure!(landed, "the datagram never reached the server");
    // The entry became visible during the step before.
    Ok(sim.cycle() - 1 - start)
}

/// Cycles from the client's REQUEST doorbell to its REPLY taken, the server
/// replying as soon as its poll sees the request.
fn request_reply_cycles(latency: u64, len: usize) -> Result<u64> {
    let mut dev = device(latency)?;
    let (server, client, sp, cp) = connected(&mut dev, 64)?;
    let payload = vec![0x5A; len];
    let c0 = dev.transport().cycles().unwrap_or(0);
    dev.submit_messages(client, &[(Descriptor::request(cp, len as u32, 1), &payload[..])])?;
    let mut got = Vec::new();
    while got.is_empty() {
        dev.poll_messages(server, &mut got)?;
        dev.transport_mut().relax();
        ensure!(dev.transport().cycles().unwrap_or(0) - c0 < 1_000_000, "the request never arrived");
    }
    let id = got[0].0.msg_id;
    dev.submit_messages(server, &[(Descriptor::reply(sp, id, len as u32, 2), &payload[..])])?;
    dev.wait(client, 1, WAIT)?;
    Ok(dev.transport().cycles().unwrap_or(0) - c0)
}

/// Cycles per DATAGRAM of `len` bytes when a client sends `batch` of them
/// behind one doorbell, until the server has them all and the client its
/// completions.
fn datagram_rate(latency: u64, len: usize, batch: usize) -> Result<f64> {
    let mut dev = device(latency)?;
    let (server, client, _, cp) = connected(&mut dev, 256)?;
    let payload = vec![0x5A; len];
    let msgs: Vec<_> = (0..batch).map(|u| (Descriptor::datagram(cp, len as u32, u as u64), &payload[..])).collect();
    let c0 = dev.transport().cycles().unwrap_or(0);
    dev.submit_messages(client, &msgs)?;
    dev.wait(server, batch, WAIT)?;
    dev.wait(client, batch, WAIT)?;
    Ok((dev.transport().cycles().unwrap_or(0) - c0) as f64 / batch as f64)
}

struct Report {
    round_trips: usize,
    stream_messages: usize,
    accel: Vec<AccelFigures>,
    soft: Vec<IpcFigures>,
    /// 64-byte one way and round trip, cycles, at [`ecp5_fmax`]'s latency.
    headline: (u64, u64),
    host: Vec<HostCpu>,
    host_messages: usize,
    zero_copy: ZeroCopy,
    scaling: Scaling,
}

/// DATAGRAMs per doorbell in the scaling figures.
const SCALING_BATCH: usize = 16;

/// Cycles per message by context count and by port count, at each condition.
#[derive(Default)]
struct Scaling {
    contexts: Vec<(Condition, Vec<(usize, f64)>)>,
    ports: Vec<(Condition, Vec<(usize, f64)>)>,
}

/// Buffers passed by size.
struct ZeroCopy {
    sizes: Vec<usize>,
    /// Cycles per size, by view, at each condition.
    view: Vec<(Condition, Vec<u64>)>,
    /// Cycles per size, by DMA copy, at each condition.
    copy: Vec<(Condition, Vec<u64>)>,
    /// Nanoseconds per size through a Unix stream socket.
    socket: Vec<Stats>,
}

impl Report {
    fn payloads(&self) -> Vec<usize> {
        let mut p: Vec<usize> = self.soft.iter().map(|f| f.run.payload).collect();
        p.sort();
        p.dedup();
        p
    }

    /// The payload the summary and the batching plot use: 64 bytes, or the
    /// largest measured below it.
    fn headline_payload(&self) -> usize {
        let p = self.payloads();
        p.iter().copied().filter(|&x| x <= 64).max().unwrap_or(p[0])
    }

    fn accel(&self, cond: usize, payload: usize) -> &AccelFigures {
        let c = CONDITIONS[cond];
        self.accel
            .iter()
            .find(|a| a.payload == payload && a.cond.clock_mhz == c.clock_mhz && a.cond.host_ns == c.host_ns)
            .expect("every condition and payload was simulated")
    }

    fn soft(&self, channel: Channel, payload: usize) -> &IpcFigures {
        self.soft.iter().find(|f| f.run.channel == channel && f.run.payload == payload).expect("measured")
    }

    /// The few lines the README quotes.
    fn summary(&self) -> String {
        let p = self.headline_payload();
        let mut s = String::new();
        let a = self.accel(3, p);
        let best = Channel::ALL
            .iter()
            .map(|&c| (c, self.soft(c, p).round_trip.median))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("channels");
        let _ = writeln!(
            s,
            "{p}-byte request + reply: accelerator {} (simulated device cycles, {}; without the doorbells' MMIO \
             writes and the CPUs' own work, which the software figure includes); fastest software channel here: \
             {} ({}, median, measured)",
            duration(a.cond.ns(a.round_trip_cycles as f64)),
            a.cond.label(),
            duration(best.1),
            best.0.label()
        );
        let _ = write!(
            s,
            "at the core's ECP5 Fmax today ({} MHz, 1 µs DMA): one way {}, request + reply {} (simulated)",
            ecp5_fmax().clock_mhz,
            duration(ecp5_fmax().ns(self.headline.0 as f64)),
            duration(ecp5_fmax().ns(self.headline.1 as f64))
        );
        s
    }

    fn write(&self, out: &Path) -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        let mut put = |name: &str, text: String| -> Result<()> {
            let path = out.join(name);
            std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
            files.push(path);
            Ok(())
        };
        put("bench.md", self.markdown())?;
        put("bench.csv", self.csv())?;
        for (name, chart) in self.charts() {
            let path = out.join(name);
            chart.write_svg(&path)?;
            files.push(path);
        }
        Ok(files)
    }

    fn machine() -> String {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        format!("{cpu}, {cores} cores available, Linux {}", kernel.trim())
    }

    fn markdown(&self) -> String {
        let mut s = String::new();
        let payloads = self.payloads();
        let _ = writeln!(s, "# `alpc bench`: the accelerator against software IPC\n");
        let _ = writeln!(s, "Written by `alpc bench` (`cargo xtask bench`). Explained in `docs/performance.md`.\n");
        let _ = writeln!(
            s,
            "- **Simulated** (accelerator): cycles of the Verilated RTL, exact and repeatable, converted to time at \
             the clock given; the host model's DMA read and write latency set to the round trip given. Not \
             included: the doorbell's MMIO write reaching the card (0.2–0.4 µs on a real link) and the CPU \
             seeing the completion. The core reaches {} MHz on ECP5 today, not 125 (`bitstreams/reports/`).",
            ecp5_fmax().clock_mhz
        );
        let _ = writeln!(
            s,
            "- **Conditions**: 125 MHz is LitePCIe's clock on a Gen2 Artix-7 card, 250 MHz the AWS F1/F2 shell's \
             user clock. 500 ns and 1 µs bracket the median DMA read of 64 bytes measured by pcie-bench \
             (560 ns; Neugebauer et al., \"Understanding PCIe performance for end host networking\", SIGCOMM \
             2018). The host model applies the same latency to writes' responses, which is pessimistic: a \
             PCIe bridge may answer a posted write at once."
        );
        let _ = writeln!(
            s,
            "- **Measured** (software): two processes on this machine ({}), wall clock; round trips: {} timed \
             after a warm-up, min / median / 99th percentile; one way: {} messages back to back, messages per \
             second at the receiver. Move with the machine and its load.\n",
            Self::machine(),
            self.round_trips,
            self.stream_messages
        );
        let _ = writeln!(s, "## Round trip (request + reply), by payload\n");
        let columns = CONDITIONS.iter().map(|c| format!("accelerator {} (simulated)", c.label()));
        let software = Channel::ALL.iter().map(|ch| format!("{} (measured, min / median / p99)", ch.label()));
        s.push_str(&table_head("payload", columns.chain(software)));
        for &p in &payloads {
            let mut row = format!("| {p} B |");
            for k in 0..CONDITIONS.len() {
                let a = self.accel(k, p);
                let _ = write!(
                    row,
                    " {} ({} cycles) |",
                    duration(a.cond.ns(a.round_trip_cycles as f64)),
                    a.round_trip_cycles
                );
            }
            for &ch in Channel::ALL {
                let r = self.soft(ch, p).round_trip;
                let _ = write!(row, " {} / {} / {} |", duration(r.min), duration(r.median), duration(r.p99));
            }
            let _ = writeln!(s, "{row}");
        }
        let _ = writeln!(s, "\n## One way, by payload\n");
        let _ = writeln!(
            s,
            "Accelerator: sender's doorbell to the receiver's completion entry in memory (simulated). Software: \
             half the median round trip, for scale only (two processes share no clock fine enough to time one \
             way).\n"
        );
        let columns = CONDITIONS.iter().map(|c| format!("accelerator {}", c.label()));
        let software = Channel::ALL.iter().map(|ch| format!("{} (½ round trip)", ch.label()));
        s.push_str(&table_head("payload", columns.chain(software)));
        for &p in &payloads {
            let mut row = format!("| {p} B |");
            for k in 0..CONDITIONS.len() {
                let a = self.accel(k, p);
                let _ =
                    write!(row, " {} ({} cycles) |", duration(a.cond.ns(a.one_way_cycles as f64)), a.one_way_cycles);
            }
            for &ch in Channel::ALL {
                let _ = write!(row, " {} |", duration(self.soft(ch, p).round_trip.median / 2.0));
            }
            let _ = writeln!(s, "{row}");
        }
        let _ = writeln!(s, "\n## Message rate, one sender to one receiver\n");
        let _ = writeln!(
            s,
            "Accelerator: DATAGRAMs on one connection, `batch` behind each doorbell, until the receiver has \
             them all (simulated, messages per second at the clock given). Software: one way, back to back \
             (measured).\n"
        );
        let batches: Vec<usize> = self.accel.first().map(|a| a.rate.iter().map(|r| r.0).collect()).unwrap_or_default();
        let columns = [1, 3]
            .into_iter()
            .flat_map(|k| batches.iter().map(move |b| format!("accelerator {}, batch {b}", CONDITIONS[k].label())));
        let software = Channel::ALL.iter().map(|ch| ch.label().to_string());
        s.push_str(&table_head("payload", columns.chain(software)));
        for &p in &payloads {
            let mut row = format!("| {p} B |");
            for k in [1, 3] {
                let a = self.accel(k, p);
                for &(_, cyc) in &a.rate {
                    let _ = write!(row, " {} ({cyc:.1} cycles) |", rate(a.cond.clock_mhz * 1e6 / cyc));
                }
            }
            for &ch in Channel::ALL {
                let _ = write!(row, " {} |", rate(self.soft(ch, p).one_way_per_s));
            }
            let _ = writeln!(s, "{row}");
        }
        let _ = writeln!(s, "\n## Host CPU per message, in the host library\n");
        let _ = writeln!(
            s,
            "DATAGRAMs from a client to a server on the reference-model backend, sender and receiver together \
             (descriptors and payloads written, the receiver's events and payloads copied out, completions \
             taken), {} messages per run, best of the runs (measured, wall clock of one thread). The time \
             inside the model's register accesses is taken out; the register accesses are counted, as each \
             costs an MMIO access on a board.\n",
            self.host_messages
        );
        let _ = writeln!(
            s,
            "| payload | batch | library ns per message | register writes per message | register reads per message | \
             in the model (not host cost) |"
        );
        let _ = writeln!(s, "|---|---|---|---|---|---|");
        for h in &self.host {
            let _ = writeln!(
                s,
                "| {} B | {} | {:.0} ns | {:.2} | {:.2} | {:.0} ns |",
                h.payload, h.batch, h.library_ns, h.mmio_writes, h.mmio_reads, h.model_ns
            );
        }
        let z = &self.zero_copy;
        let _ = writeln!(s, "\n## Passing a buffer, by size\n");
        let _ = writeln!(
            s,
            "By view: the sender grants a view of its section to its peer and sends it with a datagram; the \
             receiver has it (simulated; no byte moves). By DMA copy: the device copies the bytes, COPY \
             descriptors of at most {} behind one doorbell (simulated, 16 bytes per cycle). Through a Unix \
             stream socket: one process writes the bytes, the other reads them all and answers one byte \
             (measured, median of {}).\n",
            size(geometry::MAX_COPY_LEN as usize),
            z.socket.first().map_or(0, |s| s.samples)
        );
        let view = z.view.iter().map(|(c, _)| format!("by view, {}", c.label()));
        let copy = z.copy.iter().map(|(c, _)| format!("by DMA copy, {}", c.label()));
        let socket = std::iter::once("Unix stream socket (measured)".to_string());
        s.push_str(&table_head("size", view.chain(copy).chain(socket)));
        for (i, &bytes) in z.sizes.iter().enumerate() {
            let mut row = format!("| {} |", size(bytes));
            for (c, v) in z.view.iter().chain(&z.copy) {
                let _ = write!(row, " {} ({} cycles) |", duration(c.ns(v[i] as f64)), v[i]);
            }
            let _ = write!(row, " {} |", duration(z.socket[i].median));
            let _ = writeln!(s, "{row}");
        }
        let _ = writeln!(s, "\n## Scaling: contexts and ports\n");
        let _ = writeln!(
            s,
            "The large build of the core ({} contexts, {} ports; simulated). By contexts: half the contexts are \
             clients, each sending {SCALING_BATCH} 64-byte DATAGRAMs behind one doorbell to its own server \
             context, all at once; messages per second through the whole device (1 context: it is both, \
             connected to its own port). By ports: one connection \
             sending {SCALING_BATCH} per doorbell while the port table holds that many ports. The large build \
             reaches {} MHz on ECP5 today (`bitstreams/reports/large.md`); the clocks here are targets.\n",
            bench_scaling::LARGE_CONTEXTS,
            bench_scaling::LARGE_PORTS,
            report_fmax(LARGE_REPORT)
        );
        for (what, list) in [("contexts", &self.scaling.contexts), ("ports", &self.scaling.ports)] {
            s.push_str(&table_head(what, list.iter().map(|(c, _)| c.label())));
            let counts: Vec<usize> = list.first().map(|(_, v)| v.iter().map(|p| p.0).collect()).unwrap_or_default();
            for (i, n) in counts.iter().enumerate() {
                let mut row = format!("| {n} |");
                for (c, v) in list.iter() {
                    let _ = write!(row, " {} ({:.1} cycles per message) |", rate(c.clock_mhz * 1e6 / v[i].1), v[i].1);
                }
                let _ = writeln!(s, "{row}");
            }
            s.push('\n');
        }
        let _ = writeln!(
            s,
            "Plots: `round_trip.svg`, `one_way.svg`, `message_rate.svg`, `batching.svg`, `host_cpu.svg`, \
             `zero_copy.svg`, `scaling.svg`; every figure: `bench.csv`."
        );
        s
    }

    fn csv(&self) -> String {
        let mut s =
            String::from("source,system,clock_mhz,host_latency_ns,samples,payload_bytes,batch,metric,value,unit\n");
        for a in &self.accel {
            let c = a.cond.csv();
            let p = a.payload;
            let _ =
                writeln!(s, "simulated,accelerator,{c},,{p},1,round_trip,{},ns", a.cond.ns(a.round_trip_cycles as f64));
            let _ = writeln!(s, "simulated,accelerator,{c},,{p},1,round_trip,{},cycles", a.round_trip_cycles);
            let _ = writeln!(s, "simulated,accelerator,{c},,{p},1,one_way,{},ns", a.cond.ns(a.one_way_cycles as f64));
            let _ = writeln!(s, "simulated,accelerator,{c},,{p},1,one_way,{},cycles", a.one_way_cycles);
            for &(b, cyc) in &a.rate {
                let _ = writeln!(
                    s,
                    "simulated,accelerator,{c},,{p},{b},message_rate,{},msg/s",
                    a.cond.clock_mhz * 1e6 / cyc
                );
                let _ = writeln!(s, "simulated,accelerator,{c},,{p},{b},cycles_per_message,{cyc},cycles");
            }
        }
        for h in &self.host {
            let c = format!(",,{}", self.host_messages);
            let (p, b) = (h.payload, h.batch);
            let _ = writeln!(
                s,
                "measured,host library (model backend),{c},{p},{b},library_cpu_per_message,{},ns",
                h.library_ns
            );
            let _ = writeln!(
                s,
                "measured,host library (model backend),{c},{p},{b},register_writes_per_message,{},count",
                h.mmio_writes
            );
            let _ = writeln!(
                s,
                "measured,host library (model backend),{c},{p},{b},register_reads_per_message,{},count",
                h.mmio_reads
            );
        }
        for (what, list) in [("contexts", &self.scaling.contexts), ("ports", &self.scaling.ports)] {
            for (c, v) in list.iter() {
                for &(n, cyc) in v {
                    let metric = format!("message_rate_with_{n}_{what}");
                    let _ = writeln!(
                        s,
                        "simulated,accelerator (64-context build),{},,64,{SCALING_BATCH},{metric},{},msg/s",
                        c.csv(),
                        c.clock_mhz * 1e6 / cyc
                    );
                }
            }
        }
        let z = &self.zero_copy;
        for (i, &bytes) in z.sizes.iter().enumerate() {
            for (how, list) in [("view", &z.view), ("dma_copy", &z.copy)] {
                for (c, v) in list {
                    let _ = writeln!(
                        s,
                        "simulated,accelerator,{},,{bytes},1,pass_by_{how},{},ns",
                        c.csv(),
                        c.ns(v[i] as f64)
                    );
                    let _ = writeln!(s, "simulated,accelerator,{},,{bytes},1,pass_by_{how},{},cycles", c.csv(), v[i]);
                }
            }
            let st = z.socket[i];
            let _ = writeln!(s, "measured,unix-stream,,,{},{bytes},1,transfer_median,{},ns", st.samples, st.median);
        }
        for f in &self.soft {
            let (ch, p, r) = (f.run.channel.name(), f.run.payload, f.round_trip);
            for (metric, v) in [("round_trip_min", r.min), ("round_trip_median", r.median), ("round_trip_p99", r.p99)] {
                let _ = writeln!(s, "measured,{ch},,,{},{p},1,{metric},{v},ns", r.samples);
            }
            let _ =
                writeln!(s, "measured,{ch},,,{},{p},1,one_way_rate,{},msg/s", self.stream_messages, f.one_way_per_s);
        }
        s
    }

    fn charts(&self) -> Vec<(&'static str, Chart)> {
        let payloads = self.payloads();
        let accel_series = |k: usize, f: &dyn Fn(&AccelFigures) -> f64| Series {
            label: format!("accelerator, {} (simulated)", CONDITIONS[k].label()),
            points: payloads.iter().map(|&p| (p as f64, f(self.accel(k, p)))).collect(),
        };
        let soft_series = |ch: Channel, f: &dyn Fn(&IpcFigures) -> f64| Series {
            label: format!("{} (measured)", ch.label()),
            points: payloads.iter().map(|&p| (p as f64, f(self.soft(ch, p)))).collect(),
        };
        let mut rt: Vec<Series> =
            (0..CONDITIONS.len()).map(|k| accel_series(k, &|a| a.cond.ns(a.round_trip_cycles as f64))).collect();
        rt.extend(Channel::ALL.iter().map(|&ch| soft_series(ch, &|f| f.round_trip.median)));
        let mut ow: Vec<Series> =
            (0..CONDITIONS.len()).map(|k| accel_series(k, &|a| a.cond.ns(a.one_way_cycles as f64))).collect();
        ow.extend(Channel::ALL.iter().map(|&ch| soft_series(ch, &|f| f.round_trip.median / 2.0)));
        let mut mr: Vec<Series> = Vec::new();
        for k in [1, 3] {
            let (b, _) = self.accel(k, payloads[0]).rate.last().copied().unwrap_or((1, 0.0));
            let mut s = accel_series(k, &|a| a.cond.clock_mhz * 1e6 / a.rate.last().map_or(f64::INFINITY, |r| r.1));
            s.label = format!("accelerator, {}, batch {b} (simulated)", CONDITIONS[k].label());
            mr.push(s);
            let mut s = accel_series(k, &|a| a.cond.clock_mhz * 1e6 / a.rate[0].1);
            s.label = format!("accelerator, {}, batch 1 (simulated)", CONDITIONS[k].label());
            mr.push(s);
        }
        mr.extend(Channel::ALL.iter().map(|&ch| soft_series(ch, &|f| f.one_way_per_s)));
        let p = self.headline_payload();
        let batching: Vec<Series> = (0..CONDITIONS.len())
            .map(|k| {
                let a = self.accel(k, p);
                Series {
                    label: format!("{} (simulated)", a.cond.label()),
                    points: a.rate.iter().map(|&(b, cyc)| (b as f64, a.cond.clock_mhz * 1e6 / cyc)).collect(),
                }
            })
            .collect();
        let host: Vec<Series> = [1, 64]
            .into_iter()
            .map(|b| Series {
                label: format!("host library, batch {b} (measured on the model backend)"),
                points: self.host.iter().filter(|h| h.batch == b).map(|h| (h.payload as f64, h.library_ns)).collect(),
            })
            .collect();
        let z = &self.zero_copy;
        let mut zc: Vec<Series> = Vec::new();
        for (how, list) in [("by view", &z.view), ("by DMA copy", &z.copy)] {
            for (c, v) in list {
                zc.push(Series {
                    label: format!("{how}, {} (simulated)", c.label()),
                    points: z.sizes.iter().zip(v).map(|(&b, &cyc)| (b as f64, c.ns(cyc as f64))).collect(),
                });
            }
        }
        zc.push(Series {
            label: "Unix stream socket (measured, median)".into(),
            points: z.sizes.iter().zip(&z.socket).map(|(&b, st)| (b as f64, st.median)).collect(),
        });
        let mut sc: Vec<Series> = Vec::new();
        for (what, list) in [("by contexts", &self.scaling.contexts), ("by ports", &self.scaling.ports)] {
            for (c, v) in list.iter() {
                sc.push(Series {
                    label: format!("{what}, {} (simulated)", c.label()),
                    points: v.iter().map(|&(n, cyc)| (n as f64, c.clock_mhz * 1e6 / cyc)).collect(),
                });
            }
        }
        vec![
            (
                "scaling.svg",
                Chart {
                    title: "Message rate as contexts send at once, and as the port table fills".into(),
                    x_label: "contexts / ports".into(),
                    y_label: "messages / s".into(),
                    series: sc,
                },
            ),
            (
                "zero_copy.svg",
                Chart {
                    title: "Passing a buffer to another process".into(),
                    x_label: "bytes".into(),
                    y_label: "ns".into(),
                    series: zc,
                },
            ),
            (
                "host_cpu.svg",
                Chart {
                    title: "Host CPU per message in the library, sender and receiver together".into(),
                    x_label: "payload (bytes)".into(),
                    y_label: "ns per message".into(),
                    series: host,
                },
            ),
            (
                "round_trip.svg",
                Chart {
                    title: "Request + reply round trip (median for software)".into(),
                    x_label: "payload (bytes)".into(),
                    y_label: "ns".into(),
                    series: rt,
                },
            ),
            (
                "one_way.svg",
                Chart {
                    title: "One way: accelerator doorbell to receiver's entry; software ½ round trip".into(),
                    x_label: "payload (bytes)".into(),
                    y_label: "ns".into(),
                    series: ow,
                },
            ),
            (
                "message_rate.svg",
                Chart {
                    title: "Messages per second, one sender to one receiver".into(),
                    x_label: "payload (bytes)".into(),
                    y_label: "messages / s".into(),
                    series: mr,
                },
            ),
            (
                "batching.svg",
                Chart {
                    title: format!("Accelerator message rate by batch ({p}-byte DATAGRAMs, one doorbell per batch)"),
                    x_label: "messages per doorbell".into(),
                    y_label: "messages / s".into(),
                    series: batching,
                },
            ),
        ]
    }
}

/// 850 → "850 ns", 1500 → "1.50 µs", 2.5e6 → "2.50 ms".
fn duration(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// A Markdown table's header line and rule: `first`, then `columns`.
fn table_head(first: &str, columns: impl Iterator<Item = String>) -> String {
    let (mut head, mut rule) = (format!("| {first} |"), "|---|".to_string());
    for c in columns {
        let _ = write!(head, " {c} |");
        rule.push_str("---|");
    }
    format!("{head}\n{rule}\n")
}

/// 4096 → "4 KiB", 67108864 → "64 MiB".
fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} B"),
    }
}

/// 2.5e6 → "2.50 M/s".
fn rate(per_s: f64) -> String {
    if per_s >= 1e6 {
        format!("{:.2} M/s", per_s / 1e6)
    } else {
        format!("{:.0} k/s", per_s / 1e3)
    }
}

/// `alpc bench-peer`: the other process of a software measurement.
pub fn peer(args: &[String]) -> Result<()> {
    ipc::peer_main(args).map_err(|e| anyhow::anyhow!(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmax_comes_from_the_reports() {
        assert_eq!(report_fmax("{\"x\": {\"fmax_mhz\": 52.55, \"y\": 1}}"), 52.5);
        assert!(report_fmax(DEFAULT_REPORT) > 1.0 && report_fmax(LARGE_REPORT) > 1.0);
    }

    #[test]
    fn conditions_convert_cycles() {
        let c = Condition { clock_mhz: 125.0, host_ns: 500.0 };
        assert_eq!(c.latency_cycles(), 63);
        assert_eq!(c.ns(125.0), 1000.0);
    }
}
