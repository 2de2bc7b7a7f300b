//! `alpcd` / `alpc daemon`: the broker on a device, until SIGINT or
//! SIGTERM. Shared by both binaries.

use alpc_host::daemon::broker::{self, BrokerConfig};
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Options of the broker.
#[derive(Args, Debug)]
pub struct DaemonArgs {
    /// Where to listen ($ALPCD_SOCKET, else /run/alpcd.sock).
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
    /// The device: sim, sim:CYCLES (host-memory latency), model, pci:ADDRESS.
    #[arg(long, default_value = "sim", value_name = "BACKEND")]
    pub backend: String,
    /// Permission bits of the socket file, in octal: who may connect (0660: the owner and the socket's group).
    #[arg(long, default_value = "660", value_parser = octal, value_name = "MODE")]
    pub mode: u32,
    /// DMA memory per process, in MiB.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..=4096), value_name = "MIB")]
    pub memory: u32,
    /// Contexts one process may have (default: all; one user can then take every context).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..), value_name = "N")]
    pub max_contexts: Option<u32>,
}

fn octal(v: &str) -> Result<u32, String> {
    u32::from_str_radix(v.trim_start_matches("0o"), 8)
        .ok()
        .filter(|m| *m <= 0o777)
        .ok_or_else(|| format!("`{v}` is not an octal mode such as 660"))
}

static SIGNALLED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    SIGNALLED.store(true, Ordering::SeqCst);
}

/// Runs the broker until SIGINT or SIGTERM.
pub fn run(args: DaemonArgs) -> Result<()> {
    let config = BrokerConfig {
        socket: args.socket.unwrap_or_else(alpc_host::daemon::client::default_socket),
        mode: args.mode,
        memory_per_process: (args.memory as usize) << 20,
        max_contexts_per_process: args.max_contexts.map_or(usize::MAX, |n| n as usize),
        ..Default::default()
    };
    let device = alpc_host::backend::open(&args.backend)?;
    // SAFETY: the handler only stores to an atomic (async-signal-safe).
    unsafe {
        libc::signal(libc::SIGINT, on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let watch = stop.clone();
    std::thread::spawn(move || {
        while !SIGNALLED.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(50));
        }
        watch.store(true, Ordering::SeqCst);
    });
    eprintln!(
        "alpcd: {} on {} (mode {:o}, {} MiB per process)",
        device.describe(),
        config.socket.display(),
        config.mode,
        args.memory
    );
    broker::serve(device, &config, stop).context("alpcd")?;
    eprintln!("alpcd: stopped");
    Ok(())
}
