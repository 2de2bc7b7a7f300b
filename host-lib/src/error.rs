//! Errors of the host library.

use crate::transport::TransportError;
use alpc_contract::Status;
use thiserror::Error;

/// Everything that can go wrong talking to the accelerator.
#[derive(Debug, Error)]
pub enum Error {
    /// The backend failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The ID register does not identify an ALPC accelerator.
    #[error("not an ALPC accelerator: ID register reads {0:#010x}")]
    NotAnAccelerator(u32),
    /// The device implements another major version of the contract.
    #[error("device implements contract {device_major}.{device_minor}; this library speaks {lib_major}.x")]
    Version {
        /// Device major version.
        device_major: u16,
        /// Device minor version.
        device_minor: u16,
        /// Library major version.
        lib_major: u16,
    },
    /// Every hardware context is taken.
    #[error("no free hardware context (the device has {0})")]
    NoContext(usize),
    /// The requested context is taken or does not exist.
    #[error("hardware context {0} is in use or does not exist")]
    ContextUnavailable(usize),
    /// A ring size the hardware cannot use.
    #[error("ring size {0} is not a power of two in 2..=32768")]
    BadRingSize(usize),
    /// Not enough free submission slots.
    #[error("submission queue full: {free} slots free, {wanted} wanted")]
    QueueFull {
        /// Free slots.
        free: usize,
        /// Slots the call needed.
        wanted: usize,
    },
    /// The engine did not let go of a context being destroyed.
    #[error("hardware context {0} stayed active after being disabled")]
    Quiesce(usize),
    /// The queue handle is not (or no longer) valid.
    #[error("no such queue")]
    BadQueue,
    /// Fewer completions than awaited arrived in time.
    #[error("timed out waiting for {wanted} completions; {got} arrived")]
    Timeout {
        /// Completions awaited.
        wanted: usize,
        /// Completions that arrived.
        got: usize,
    },
    /// The device completed a descriptor with an error status.
    #[error("descriptor {user_data:#x} failed: {} ({})", .status.name(), .status.describe())]
    Status {
        /// The status.
        status: Status,
        /// The descriptor's user data.
        user_data: u64,
    },
    /// A completion carried a status byte this library does not know.
    #[error("descriptor {user_data:#x} completed with unknown status {status:#04x}")]
    UnknownStatus {
        /// The raw status byte.
        status: u8,
        /// The descriptor's user data.
        user_data: u64,
    },
}

/// Result with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Turns a completion into its result value or a typed error.
pub fn check(c: &alpc_contract::Completion) -> Result<u32> {
    match Status::from_u8(c.status) {
        Some(Status::Ok) => Ok(c.result),
        Some(status) => Err(Error::Status {
            status,
            user_data: c.user_data,
        }),
        None => Err(Error::UnknownStatus {
            status: c.status,
            user_data: c.user_data,
        }),
    }
}
