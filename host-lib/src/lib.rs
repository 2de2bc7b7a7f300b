//! Host library of the ALPC accelerator.
//!
//! The same code drives the Verilator-simulated device ([`SimTransport`]),
//! the transaction-level reference model ([`ModelTransport`]) and a real
//! board: everything goes through a [`Transport`] (BAR0 registers, DMA
//! memory, interrupts). This first layer exposes the device's queue pairs; the ALPC
//! programming model (ports, connections, messages) is built on it.
//!
//! ```
//! use alpc_host::{Device, SimTransport, SimConfig};
//! use alpc_contract::Descriptor;
//! use std::time::Duration;
//!
//! let mut dev = Device::open(SimTransport::new(SimConfig::default())?)?;
//! let q = dev.create_queue(16, 16)?;
//! let (src, dst) = (dev.alloc(100)?, dev.alloc(100)?);
//! dev.write(&src, 0, &[7u8; 100])?;
//! dev.submit(q, &[Descriptor::copy(src.iova() + 3, dst.iova() + 5, 90, 42)])?;
//! let done = dev.wait(q, 1, Duration::from_millis(1))?;
//! assert_eq!(alpc_host::check(&done[0])?, 90);
//! let mut out = [0u8; 100];
//! dev.read(&dst, 0, &mut out)?;
//! assert_eq!(&out[5..95], &[7u8; 90][..]);
//! assert_eq!(out[4], 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod backend;
pub mod batch;
pub mod context;
pub mod device;
pub mod error;
mod host_dma;
pub mod message;
pub mod model_transport;
pub mod port;
#[cfg(feature = "sim")]
pub mod sim_transport;
pub mod transport;
#[cfg(feature = "vfio")]
pub mod vfio_transport;

#[cfg(feature = "sim")]
pub use alpc_sim::{MemTiming, SimConfig};
pub use backend::AnyTransport;
pub use batch::{Batch, Sent};
pub use context::{Context, ContextConfig, SharedDevice};
pub use device::{Device, Interrupts, QueueConfig, QueueId};
pub use error::{check, Error, Result, StatusError};
pub use message::{ConnectionRequest, Event, Message, MessageKind, PendingRequest};
pub use model_transport::ModelTransport;
pub use port::{CommunicationPort, ConnectionPort, PortAttributes, PortName, Role};
#[cfg(feature = "sim")]
pub use sim_transport::SimTransport;
pub use transport::{DmaBuffer, Transport, TransportError};
#[cfg(feature = "vfio")]
pub use vfio_transport::{open_board, DriverTransport, VfioTransport, VfioUserTransport};
