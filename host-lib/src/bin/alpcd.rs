//! `alpcd`: the broker that owns the accelerator and gives each process
//! that connects to its socket a context of its own (see
//! `alpc_host::daemon` and `docs/daemon.md`). `alpc daemon` is the same.

#[path = "alpc/daemon_cmd.rs"]
mod daemon_cmd;

use clap::Parser;

/// The ALPC accelerator's broker.
#[derive(Parser)]
#[command(name = "alpcd", version, about = "Owns the ALPC accelerator and gives each process that connects its own context, memory and doorbells")]
struct Cli {
    #[command(flatten)]
    args: daemon_cmd::DaemonArgs,
}

fn main() -> anyhow::Result<()> {
    daemon_cmd::run(Cli::parse().args)
}
