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
    /// The device completed a descriptor (or an operation of the ALPC API)
    /// with an error status.
    #[error("{status}")]
    Status {
        /// The status, as an error.
        status: StatusError,
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
    /// A wait of the ALPC API ended before what it waited for arrived (on a
    /// simulated device the time is simulated time). A request whose reply
    /// did not come in time has been canceled; a connect that was not
    /// answered in time is closed when the answer comes.
    #[error("timed out after {timeout:?} waiting for {what}")]
    TimedOut {
        /// What was awaited.
        what: &'static str,
        /// The timeout.
        timeout: std::time::Duration,
    },
    /// A message longer than the device can carry inline.
    #[error("message of {len} bytes is longer than the {max} bytes a message carries")]
    MessageTooLong {
        /// The message's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The context was closed (its process context torn down) or the port
    /// closed; nothing more can be done with it.
    #[error("the {0} is closed")]
    Closed(&'static str),
    /// The server that answered a connect does not have the identity the
    /// client required (ALPC's `RequiredServerSid`); the connection was
    /// closed.
    #[error("server identity {found} is not the required {required}; connection closed")]
    WrongServer {
        /// The identity the client required.
        required: u32,
        /// The identity the device reported for the server.
        found: u32,
    },
}

impl Error {
    /// The device status behind this error, if it is one.
    pub fn status(&self) -> Option<StatusError> {
        match self {
            Error::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A device status other than `OK`: one variant per status code of the
/// contract ([`alpc_contract::Status`]), with its description as the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusError {
    /// `BAD_OPCODE`: the opcode is not one the device knows.
    BadOpcode,
    /// `BAD_LENGTH`: a length over the device limit.
    BadLength,
    /// `BAD_RESERVED`: a reserved descriptor field is not zero.
    BadReserved,
    /// `BAD_ADDRESS`: an address range does not end below 2^64.
    BadAddress,
    /// `DMA_READ_ERROR`: host memory refused a DMA read.
    DmaReadError,
    /// `DMA_WRITE_ERROR`: host memory refused a DMA write.
    DmaWriteError,
    /// `BAD_HANDLE`: a stale, foreign or wrong-kind port handle.
    BadHandle,
    /// `BAD_ARGUMENT`: an argument out of range.
    BadArgument,
    /// `NOT_CONNECTED`: the port is not connected.
    NotConnected,
    /// `NAME_EXISTS`: a connection port with that name exists.
    NameExists,
    /// `NO_SUCH_NAME`: no connection port has that name.
    NoSuchName,
    /// `REFUSED`: the server refused the connection (or its port went away).
    Refused,
    /// `BACKLOG_FULL`: the connection port has as many pending connections
    /// as its backlog.
    BacklogFull,
    /// `TOO_LARGE`: the message is longer than the port allows.
    TooLarge,
    /// `NO_RESOURCES`: a device table or the context's completion-ring
    /// reservation is exhausted.
    NoResources,
    /// `RECEIVER_BUSY`: the receiver has no free completion slot; nothing
    /// was delivered, try again.
    ReceiverBusy,
    /// `BAD_REPLY`: no such outstanding request on that port.
    BadReply,
    /// `CANCELED`: the request was canceled by its sender.
    Canceled,
    /// `PORT_CLOSED`: the port was closed while the operation was pending.
    PortClosed,
    /// `PEER_CLOSED`: the peer closed its port or its process died.
    PeerClosed,
    /// `ACCESS_DENIED`: the section or view does not allow that access.
    AccessDenied,
}

impl StatusError {
    /// Every variant, in the order of the status codes.
    pub const ALL: [StatusError; 21] = [
        StatusError::BadOpcode,
        StatusError::BadLength,
        StatusError::BadReserved,
        StatusError::BadAddress,
        StatusError::DmaReadError,
        StatusError::DmaWriteError,
        StatusError::BadHandle,
        StatusError::BadArgument,
        StatusError::NotConnected,
        StatusError::NameExists,
        StatusError::NoSuchName,
        StatusError::Refused,
        StatusError::BacklogFull,
        StatusError::TooLarge,
        StatusError::NoResources,
        StatusError::ReceiverBusy,
        StatusError::BadReply,
        StatusError::Canceled,
        StatusError::PortClosed,
        StatusError::PeerClosed,
        StatusError::AccessDenied,
    ];

    /// The contract's status code.
    pub fn status(self) -> Status {
        match self {
            StatusError::BadOpcode => Status::BadOpcode,
            StatusError::BadLength => Status::BadLength,
            StatusError::BadReserved => Status::BadReserved,
            StatusError::BadAddress => Status::BadAddress,
            StatusError::DmaReadError => Status::DmaReadError,
            StatusError::DmaWriteError => Status::DmaWriteError,
            StatusError::BadHandle => Status::BadHandle,
            StatusError::BadArgument => Status::BadArgument,
            StatusError::NotConnected => Status::NotConnected,
            StatusError::NameExists => Status::NameExists,
            StatusError::NoSuchName => Status::NoSuchName,
            StatusError::Refused => Status::Refused,
            StatusError::BacklogFull => Status::BacklogFull,
            StatusError::TooLarge => Status::TooLarge,
            StatusError::NoResources => Status::NoResources,
            StatusError::ReceiverBusy => Status::ReceiverBusy,
            StatusError::BadReply => Status::BadReply,
            StatusError::Canceled => Status::Canceled,
            StatusError::PortClosed => Status::PortClosed,
            StatusError::PeerClosed => Status::PeerClosed,
            StatusError::AccessDenied => Status::AccessDenied,
        }
    }

    /// The error for a status code; `None` for `OK`.
    pub fn from_status(status: Status) -> Option<StatusError> {
        Self::ALL.into_iter().find(|e| e.status() == status)
    }
}

impl std::fmt::Display for StatusError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.status();
        write!(f, "{} ({})", s.describe(), s.name())
    }
}

impl std::error::Error for StatusError {}

/// Result with [`enum@Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Turns a completion into its result value or a typed error.
pub fn check(c: &alpc_contract::Completion) -> Result<u32> {
    match Status::from_u8(c.status) {
        Some(Status::Ok) => Ok(c.result),
        Some(status) => Err(Error::Status {
            status: StatusError::from_status(status).expect("not OK"),
            user_data: c.user_data,
        }),
        None => Err(Error::UnknownStatus {
            status: c.status,
            user_data: c.user_data,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_status_has_exactly_one_variant() {
        for s in Status::ALL {
            match StatusError::from_status(s) {
                None => assert_eq!(s, Status::Ok),
                Some(e) => {
                    assert_eq!(e.status(), s);
                    assert_eq!(e.to_string(), format!("{} ({})", s.describe(), s.name()));
                }
            }
        }
        let mut codes: Vec<u8> = StatusError::ALL.iter().map(|e| e.status() as u8).collect();
        codes.dedup();
        assert_eq!(codes.len(), Status::ALL.len() - 1);
    }

    #[test]
    fn check_maps_a_completion_to_its_error() {
        let mut c = alpc_contract::Completion { status: Status::Refused as u8, user_data: 9, ..Default::default() };
        let e = check(&c).unwrap_err();
        assert_eq!(e.status(), Some(StatusError::Refused));
        assert_eq!(e.to_string(), "the server refused the connection (REFUSED)");
        c.status = 0xEE;
        assert!(matches!(check(&c), Err(Error::UnknownStatus { status: 0xEE, user_data: 9 })));
        c.status = 0;
        c.result = 5;
        assert_eq!(check(&c).unwrap(), 5);
    }
}
