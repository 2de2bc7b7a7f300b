//! `alpc`: the accelerator's command line.
//!
//! `alpc demo` runs DMA copies and then ALPC (a server and several clients)
//! on the Verilator-simulated device and prints what happened; `--device`
//! runs the same on a board through VFIO, `--socket` on a simulated card
//! served by `alpc sim serve`. `alpc bench` compares the simulated
//! accelerator with software IPC measured on this machine (tables, CSV and
//! plots in `docs/perf/`). `alpc rtl` writes the Verilog, `alpc trace` a
//! waveform of the ALPC scenario, `alpc info` what the registers say, and
//! `alpc bind` prepares a board for VFIO.

mod alpc_demo;
mod bench;
mod bench_scaling;
mod bench_zero_copy;
mod copy_demo;
mod daemon_cmd;
mod host_cpu;
mod info;

use alpc_host::{Device, MemTiming, SharedDevice, SimConfig, SimTransport, Transport, VfioTransport, VfioUserTransport};
use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(name = "alpc", version, about = "The ALPC accelerator: demo, benchmarks, Verilog, waveforms, device information, board setup")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// DMA copies, then ALPC (a server and several clients) on the device, with a transcript.
    Demo(DemoArgs),
    /// Write the core's Verilog, one module per file, and a file list.
    Rtl {
        /// Output directory.
        #[arg(long, default_value = "rtl/generated")]
        out: PathBuf,
        /// The large configuration (64 contexts, 1024 ports) instead of the default (16, 256).
        #[arg(long)]
        large: bool,
    },
    /// Run the ALPC scenario on the simulated device and write a waveform (VCD) of it.
    Trace {
        /// The waveform file.
        #[arg(default_value = "alpc.vcd")]
        vcd: PathBuf,
        #[command(flatten)]
        timing: Timing,
    },
    /// The device's identity, capabilities, counters and configured contexts.
    Info(Backend),
    /// Bind the board at a PCI address to vfio-pci and check its IOMMU group.
    Bind {
        /// PCI address, e.g. 0000:01:00.0.
        pci_address: String,
    },
    /// Own the device and give each process that connects its own context (the broker, also `alpcd`).
    Daemon(daemon_cmd::DaemonArgs),
    /// The accelerator (simulated) against software IPC (measured here): tables, CSV and SVG plots.
    Bench(bench::BenchArgs),
    /// The other process of `alpc bench`'s software measurements.
    #[command(hide = true)]
    BenchPeer {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// The simulated card as a separate process.
    Sim {
        #[command(subcommand)]
        command: SimCommand,
    },
}

#[derive(Subcommand)]
enum SimCommand {
    /// Serve the simulated card over vfio-user at a socket, its clock running freely, until the client disconnects.
    Serve {
        /// Socket path.
        #[arg(long)]
        socket: PathBuf,
        #[command(flatten)]
        timing: Timing,
    },
}

/// Host memory as the simulated device sees it.
#[derive(Args, Clone, Copy)]
struct Timing {
    /// Host memory latency in clock cycles (125 is about 1 us at 125 MHz).
    #[arg(long, default_value_t = 125, value_name = "CYCLES", value_parser = cycles)]
    latency: u64,
    /// Host memory bandwidth in bytes per cycle, in (0, 16] (16 is the bus rate).
    #[arg(long, default_value_t = 16.0, value_name = "BYTES_PER_CYCLE", value_parser = bandwidth)]
    bandwidth: f64,
}

/// Which device to use (the simulated one by default).
#[derive(Args)]
struct Backend {
    /// A board at this PCI address (e.g. 0000:01:00.0), through VFIO.
    #[arg(long, value_name = "PCI_ADDRESS", conflicts_with = "socket")]
    device: Option<String>,
    /// A simulated card served by `alpc sim serve` at this socket.
    #[arg(long, value_name = "PATH")]
    socket: Option<PathBuf>,
    #[command(flatten)]
    timing: Timing,
}

#[derive(Args)]
struct DemoArgs {
    #[command(flatten)]
    backend: Backend,
    /// Write a waveform of the run (simulated device only).
    #[arg(long, value_name = "FILE")]
    vcd: Option<PathBuf>,
    /// Clients in the ALPC part, 2 to 14 (one of them is rejected, one dies).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(2..=14))]
    clients: u32,
    /// After the transcript, each client sends this many requests (progress on stderr, figures at the end).
    #[arg(long, default_value_t = 0, value_name = "REQUESTS")]
    load: u32,
}

fn cycles(v: &str) -> Result<u64, String> {
    v.parse().map_err(|_| format!("`{v}` is not a cycle count"))
}

fn bandwidth(v: &str) -> Result<f64, String> {
    let b: f64 = v.parse().map_err(|_| format!("`{v}` is not a number"))?;
    if !(b > 0.0 && b <= 16.0) {
        return Err(format!("must be in (0, 16] bytes per cycle, got {b}"));
    }
    Ok(b)
}

impl Timing {
    fn config(self) -> SimConfig {
        let mut cfg = SimConfig { timing: MemTiming::latency(self.latency), ..Default::default() };
        cfg.timing.bandwidth = self.bandwidth;
        cfg
    }
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Demo(args) => demo(args),
        Command::Rtl { out, large } => rtl(&out, large),
        Command::Trace { vcd, timing } => {
            let mut cfg = timing.config();
            cfg.vcd = Some(vcd.clone());
            let dev = SharedDevice::open(SimTransport::new(cfg)?)?;
            alpc_demo::run(&dev, 4, 0)?;
            dev.lock().transport_mut().sim_mut().close_trace();
            println!("waveform written to {}", vcd.display());
            Ok(())
        }
        Command::Info(b) => match (b.socket, b.device) {
            (Some(path), _) => info::info(&mut VfioUserTransport::connect(&path)?),
            (None, Some(addr)) => info::info(&mut VfioTransport::open(&addr)?),
            (None, None) => info::info(&mut SimTransport::new(b.timing.config())?),
        },
        Command::Bind { pci_address } => {
            let addr = pci_address.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            for step in alpc_driver::VfioPci::bind(Path::new("/sys"), addr)? {
                println!("{step}");
            }
            Ok(())
        }
        Command::Daemon(args) => daemon_cmd::run(args),
        Command::Bench(args) => {
            let exe = std::env::current_exe().context("cannot find the alpc executable for the peer process")?;
            bench::run(args, || {
                let mut c = std::process::Command::new(&exe);
                c.arg("bench-peer");
                c
            })
        }
        Command::BenchPeer { args } => bench::peer(&args),
        Command::Sim { command: SimCommand::Serve { socket, timing } } => {
            eprintln!("alpc: serving the simulated card on {}", socket.display());
            alpc_sim::vfio_user_server::serve(&socket, timing.config()).map_err(|e| anyhow::anyhow!(e))
        }
    }
}

fn rtl(out: &Path, large: bool) -> Result<()> {
    let (files, top) = if large {
        (alpc_rtl::testbench::core64(), "alpc_core64")
    } else {
        (alpc_rtl::emit_core(), alpc_rtl::TOP_MODULE)
    };
    let list = alpc_rtl::write_files(&files, top, out).with_context(|| format!("cannot write into {}", out.display()))?;
    println!("wrote {} modules of {top} to {} (file list {})", files.len(), out.display(), list.display());
    Ok(())
}

fn demo(args: DemoArgs) -> Result<()> {
    let DemoArgs { backend, vcd, clients, load } = args;
    if let Some(path) = backend.socket {
        return demo_on(Device::open(VfioUserTransport::connect(&path)?)?, clients, load);
    }
    if let Some(addr) = backend.device {
        return demo_on(Device::open(VfioTransport::open(&addr)?)?, clients, load);
    }
    let mut cfg = backend.timing.config();
    cfg.vcd = vcd.clone();
    let timing = cfg.timing;
    let mut dev = Device::open(SimTransport::new(cfg)?)?;
    println!("host memory model: {} cycles latency, {} bytes/cycle", timing.read_latency, timing.bandwidth);
    let (jobs, ok, bytes, cycles) = copy_demo::run(&mut dev)?;
    let dev = SharedDevice::new(dev);
    alpc_demo::run(&dev, clients as usize, load)?;
    let mut dev = dev.lock();
    let sim = dev.transport().sim();
    let stats = sim.axi_stats();
    println!(
        "\ncopy summary: {jobs} descriptors, {ok} ok, {} rejected with an error completion; {bytes} bytes copied in {cycles} cycles ({:.2} bytes/cycle)",
        jobs - ok,
        bytes as f64 / cycles as f64
    );
    println!(
        "bus: {} read bursts / {} beats (up to {} in flight), {} write bursts / {} beats; {} interrupts; AXI rule breaches: {}",
        stats.read_bursts,
        stats.read_beats,
        stats.max_reads_in_flight,
        stats.write_bursts,
        stats.write_beats,
        sim.irq_log().len(),
        sim.axi_violations().len()
    );
    if !sim.axi_violations().is_empty() {
        bail!("AXI protocol breaches: {:?}", sim.axi_violations());
    }
    if let Some(path) = vcd {
        dev.transport_mut().sim_mut().close_trace();
        println!("waveform written to {}", path.display());
    }
    Ok(())
}

fn demo_on<T: Transport>(mut dev: Device<T>, clients: u32, load: u32) -> Result<()> {
    copy_demo::run(&mut dev)?;
    alpc_demo::run(&SharedDevice::new(dev), clients as usize, load)
}
