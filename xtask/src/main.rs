//! `cargo xtask <command>`: the project's entry points.
//!
//! | command | what it does |
//! |---|---|
//! | `deps` | installs what the build needs and is missing (Verilator, a C++ compiler, make) |
//! | `demo [ARGS]` | `deps`, then the simulated-device demo (`alpc demo ARGS`) |
//! | `test` | `deps`, then every test of the workspace |
//! | `rtl [DIR]` | writes the core's Verilog, one module per file (default `rtl/generated`) |
//! | `measure` | `deps`, then the figures of `docs/performance.md` |
//! | `bench [ARGS]` | `deps`, then `alpc bench ARGS`: the accelerator against software IPC, into `docs/perf/` |
//! | `bitstream ARGS` | synthesis / place-and-route / board flows (`alpc-bitstream ARGS`: `estimate [--large]`, `depth`, `ulx3s`, `acorn`) |

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or(&[]).to_vec();
    match args.first().map(String::as_str) {
        Some("deps") => deps(),
        Some("demo") => {
            deps()?;
            cargo(
                &[
                    &[
                        "run",
                        "--release",
                        "-q",
                        "-p",
                        "alpc-host",
                        "--bin",
                        "alpc",
                        "--",
                        "demo",
                    ],
                    &strs(&rest)[..],
                ]
                .concat(),
            )
        }
        Some("bench") => {
            deps()?;
            cargo(&[&["run", "--release", "-q", "-p", "alpc-host", "--bin", "alpc", "--", "bench"], &strs(&rest)[..]].concat())
        }
        Some("test") => {
            deps()?;
            vm_test_deps();
            report_vm_test();
            let t = Instant::now();
            cargo(&[&["test", "--workspace", "--release"], &strs(&rest)[..]].concat())?;
            println!(
                "xtask: all tests passed in {:.0} s",
                t.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Some("rtl") => {
            let dir = rest
                .first()
                .cloned()
                .unwrap_or_else(|| "rtl/generated".into());
            cargo(&["run", "--release", "-q", "-p", "alpc-rtl", "--", &dir])
        }
        Some("measure") => {
            deps()?;
            measure_verilator_build()?;
            cargo(&[
                "run",
                "--release",
                "-q",
                "-p",
                "alpc-tests",
                "--bin",
                "alpc-measure",
            ])
        }
        Some("bitstream") => cargo(
            &[
                &["run", "--release", "-q", "-p", "alpc-bitstreams", "--bin", "alpc-bitstream", "--"],
                &strs(&rest)[..],
            ]
            .concat(),
        ),
        _ => {
            eprintln!(
                "usage: cargo xtask <deps | demo [ARGS] | test [ARGS] | rtl [DIR] | measure | bench [ARGS] | bitstream ARGS>"
            );
            bail!("unknown or missing command")
        }
    }
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn cargo(args: &[&str]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(args)
        .current_dir(root())
        .status()?;
    if !status.success() {
        bail!("cargo {} failed ({status})", args.join(" "));
    }
    Ok(())
}

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Installs Verilator, a C++ compiler and make from the distribution when
/// they are missing (Debian and Ubuntu, as root or through sudo).
fn deps() -> Result<()> {
    let missing: Vec<&str> = [
        ("verilator", "--version", "verilator"),
        ("g++", "--version", "g++"),
        ("make", "--version", "make"),
    ]
    .iter()
    .filter(|(cmd, arg, _)| !have(cmd, arg))
    .map(|(_, _, pkg)| *pkg)
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !have("apt-get", "--version") {
        bail!(
            "missing {}: install them with your package manager (Verilator 5.x)",
            missing.join(", ")
        );
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let sudo: &[&str] = if root {
        &[]
    } else if have("sudo", "--version") {
        &["sudo"]
    } else {
        bail!(
            "missing {}; run as root: apt-get install -y {}",
            missing.join(", "),
            missing.join(" ")
        );
    };
    println!(
        "xtask: installing {} from the distribution (apt-get)",
        missing.join(", ")
    );
    let run = |args: &[&str]| -> Result<()> {
        let mut all: Vec<&str> = sudo.to_vec();
        all.extend_from_slice(args);
        let status = Command::new(all[0])
            .args(&all[1..])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .with_context(|| format!("running {}", all.join(" ")))?;
        if !status.success() {
            bail!("`{}` failed ({status})", all.join(" "));
        }
        Ok(())
    };
    run(&["apt-get", "update", "-q"])?;
    let mut install = vec!["apt-get", "install", "-y", "-q", "--no-install-recommends"];
    install.extend(missing.iter().copied());
    run(&install)?;
    if !have("verilator", "--version") {
        bail!("verilator is still missing after apt-get install");
    }
    Ok(())
}

/// Best effort: what the Icarus Verilog test and the driver's QEMU test
/// need (iverilog; QEMU, a static busybox, a kernel image with VFIO
/// modules), from Debian's packages, as root. The tests skip with a message
/// where they are missing, so nothing here is fatal. `ALPC_NO_VM_TEST=1`
/// leaves the machine alone.
fn vm_test_deps() {
    if std::env::var_os("ALPC_NO_VM_TEST").is_some() || !have("apt-get", "--version") {
        return;
    }
    let root = Command::new("id").arg("-u").output().map(|o| o.stdout == b"0\n").unwrap_or(false);
    if !root {
        return;
    }
    let kernel_readable = std::fs::read_dir("/boot")
        .map(|rd| rd.flatten().any(|e| e.file_name().to_string_lossy().starts_with("vmlinuz-") && std::fs::File::open(e.path()).is_ok()))
        .unwrap_or(false);
    let mut wanted = Vec::new();
    if !have("iverilog", "-V") {
        wanted.push("iverilog");
    }
    if !have("qemu-system-x86_64", "--version") {
        wanted.push("qemu-system-x86");
    }
    if !Path::new("/bin/busybox").exists() {
        wanted.push("busybox-static");
    }
    if !kernel_readable {
        wanted.push("linux-image-amd64");
    }
    let available: Vec<&str> = wanted
        .into_iter()
        .filter(|p| Command::new("apt-cache").args(["show", p]).output().is_ok_and(|o| o.status.success() && !o.stdout.is_empty()))
        .collect();
    if available.is_empty() {
        return;
    }
    println!("xtask: installing {} for the Icarus and QEMU tests (best effort)", available.join(", "));
    let _ = Command::new("apt-get").args(["update", "-q"]).env("DEBIAN_FRONTEND", "noninteractive").status();
    let status = Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&available)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status();
    if !status.is_ok_and(|s| s.success()) {
        println!("xtask: could not install them; the QEMU VFIO test will say it is skipped");
    }
}

/// Says up front whether the driver's QEMU test can run here.
fn report_vm_test() {
    let qemu = have("qemu-system-x86_64", "--version");
    let busybox = Path::new("/bin/busybox").exists();
    let kernel = std::fs::read_dir("/boot")
        .map(|rd| rd.flatten().any(|e| e.file_name().to_string_lossy().starts_with("vmlinuz-") && std::fs::File::open(e.path()).is_ok()))
        .unwrap_or(false);
    if have("iverilog", "-V") {
        println!("xtask: the Icarus Verilog test will run");
    } else {
        println!("xtask: the Icarus Verilog test will be SKIPPED: no iverilog");
    }
    if qemu && busybox && kernel {
        println!("xtask: the driver's QEMU VFIO test will run (qemu, busybox, kernel image present)");
    } else {
        println!("xtask: the driver's QEMU VFIO test will be SKIPPED: qemu {qemu}, static busybox {busybox}, readable kernel {kernel}");
    }
}

/// Times a from-scratch Verilator build of the emitted core, with the same
/// flags as `sim/build.rs`.
fn measure_verilator_build() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("alpc-measure-{}", std::process::id()));
    let src = dir.join("src");
    cargo(&[
        "run",
        "--release",
        "-q",
        "-p",
        "alpc-rtl",
        "--",
        src.to_str().unwrap(),
    ])?;
    let list = std::fs::read_to_string(src.join("alpc_core.f"))?;
    let files: Vec<PathBuf> = list.lines().map(|l| src.join(l)).collect();
    let t = Instant::now();
    let flags = std::fs::read_to_string(root().join("sim/verilator.flags"))?;
    let status = Command::new("verilator")
        .args(
            flags
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty()),
        )
        .args([
            "--top-module",
            "alpc_core",
            "--prefix",
            "Valpc_core",
            "-Mdir",
        ])
        .arg(dir.join("obj"))
        .args(&files)
        .stdout(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        bail!("verilator build failed");
    }
    println!(
        "verilator build of the core (Verilate + C++ compile, -j 2): {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
