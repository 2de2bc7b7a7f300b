//! The Verilated core behind a safe handle.
//!
//! The only `unsafe` of the simulator lives here: the C++ model is created,
//! evaluated and freed through the generated `extern "C"` shim. A `Model`
//! owns its C++ object; it is `Send` (one thread at a time drives it) but not
//! `Sync`.

use std::ffi::CString;
use std::path::Path;
use std::ptr::NonNull;

/// Opaque C++ object (`struct AlpcSim` in the generated shim).
#[repr(C)]
pub struct AlpcSimRaw {
    _private: [u8; 0],
}

extern "C" {
    fn alpc_sim_new() -> *mut AlpcSimRaw;
    fn alpc_sim_free(s: *mut AlpcSimRaw);
    fn alpc_sim_eval(s: *mut AlpcSimRaw);
    fn alpc_sim_trace_open(s: *mut AlpcSimRaw, path: *const std::os::raw::c_char) -> i32;
    fn alpc_sim_trace_dump(s: *mut AlpcSimRaw, t: u64);
    fn alpc_sim_trace_close(s: *mut AlpcSimRaw);
}

/// The Verilated `alpc_core`: set inputs, `eval`, read outputs.
pub struct Model {
    raw: NonNull<AlpcSimRaw>,
}

// SAFETY: the C++ model has no thread affinity; `&mut self` on every
// mutating call keeps access exclusive.
unsafe impl Send for Model {}

impl Model {
    /// Creates a model with all inputs zero.
    pub fn new() -> Model {
        // SAFETY: alpc_sim_new has no preconditions and returns a fresh object.
        let raw = NonNull::new(unsafe { alpc_sim_new() }).expect("alpc_sim_new returned null");
        Model { raw }
    }

    fn raw(&self) -> *mut AlpcSimRaw {
        self.raw.as_ptr()
    }

    /// Settles the model after inputs changed.
    #[inline]
    pub fn eval(&mut self) {
        // SAFETY: live model owned by self.
        unsafe { alpc_sim_eval(self.raw()) }
    }

    /// Starts writing a VCD waveform to `path`.
    pub fn trace_open(&mut self, path: &Path) -> std::io::Result<()> {
        let c = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| std::io::Error::other("path contains a NUL byte"))?;
        // SAFETY: live model; `c` outlives the call (Verilator copies the name).
        match unsafe { alpc_sim_trace_open(self.raw(), c.as_ptr()) } {
            0 => Ok(()),
            1 => Err(std::io::Error::other("a waveform is already being written")),
            _ => Err(std::io::Error::other(format!(
                "cannot open {}",
                path.display()
            ))),
        }
    }

    /// Records the signals at simulation time `t` (if a waveform is open).
    #[inline]
    pub fn trace_dump(&mut self, t: u64) {
        // SAFETY: live model owned by self.
        unsafe { alpc_sim_trace_dump(self.raw(), t) }
    }

    /// Flushes and closes the waveform.
    pub fn trace_close(&mut self) {
        // SAFETY: live model owned by self.
        unsafe { alpc_sim_trace_close(self.raw()) }
    }
}

impl Default for Model {
    fn default() -> Self {
        Model::new()
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        // SAFETY: the object was created by alpc_sim_new and is freed once.
        unsafe { alpc_sim_free(self.raw()) }
    }
}

include!(concat!(env!("OUT_DIR"), "/ports.rs"));

/// A Verilated build of the core that a [`crate::SimDevice`] can drive:
/// the default core ([`Model`]) or the 64-context one
/// ([`crate::blocks::alpc_core64::Model`]).
pub trait CoreModel: CorePorts + Send + 'static {
    /// A fresh model.
    fn create() -> Self;
    /// Settles the model after inputs changed.
    fn settle(&mut self);
    /// Starts writing a VCD waveform.
    fn trace_start(&mut self, path: &Path) -> std::io::Result<()>;
    /// Records the signals at time `t`.
    fn trace_at(&mut self, t: u64);
    /// Closes the waveform.
    fn trace_stop(&mut self);
}

impl CoreModel for Model {
    fn create() -> Self {
        Model::new()
    }
    fn settle(&mut self) {
        self.eval()
    }
    fn trace_start(&mut self, path: &Path) -> std::io::Result<()> {
        self.trace_open(path)
    }
    fn trace_at(&mut self, t: u64) {
        self.trace_dump(t)
    }
    fn trace_stop(&mut self) {
        self.trace_close()
    }
}

impl CoreModel for crate::blocks::alpc_core64::Model {
    fn create() -> Self {
        Self::new()
    }
    fn settle(&mut self) {
        self.eval()
    }
    fn trace_start(&mut self, path: &Path) -> std::io::Result<()> {
        let c = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| std::io::Error::other("path contains a NUL byte"))?;
        match self.trace_open_raw(&c) {
            0 => Ok(()),
            _ => Err(std::io::Error::other(format!("cannot trace to {}", path.display()))),
        }
    }
    fn trace_at(&mut self, t: u64) {
        self.trace_dump(t)
    }
    fn trace_stop(&mut self) {
        self.trace_close()
    }
}

include!(concat!(env!("OUT_DIR"), "/core_ports.rs"));
