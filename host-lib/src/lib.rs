//! Host library of the ALPC accelerator.
//!
//! The same code drives the Verilator-simulated device ([`SimTransport`]),
//! the transaction-level reference model ([`ModelTransport`]), the simulated
//! card in another process over vfio-user and a real board through VFIO
//! ([`VfioUserTransport`], [`VfioTransport`]), and a context of the device
//! that the broker `alpcd` owns, from any process ([`DaemonTransport`],
//! [`SharedDevice::connect_daemon`]; see [`daemon`]): everything goes
//! through a [`Transport`] (BAR0 registers, DMA memory, interrupts);
//! [`backend::open`] picks one at run time.
//!
//! Two layers:
//!
//! * **ALPC** ([`SharedDevice`], [`Context`], [`ConnectionPort`],
//!   [`CommunicationPort`], [`Message`], [`Event`], [`PendingRequest`],
//!   [`Batch`]): a process's context on the device, named connection ports,
//!   connect / accept / reject on verified identities, datagrams, requests
//!   with send-and-wait, replies, cancel, close, peer-closed notices;
//!   blocking calls with timeouts, `async` variants, batches with one
//!   doorbell write. Every device status is an [`Error::Status`] with a
//!   [`StatusError`] variant.
//! * **Queues** ([`Device`]): the queue pairs themselves, descriptors and
//!   completions, DMA memory, for work below ALPC (the copy engine, tests).
//!
//! A server and a client on the reference model (put
//! `SimTransport::new(SimConfig::default())?` in place of the model to run
//! the same on the simulated RTL):
//!
//! ```
//! use alpc_host::{Event, ModelTransport, PortAttributes, SharedDevice};
//! use std::time::Duration;
//!
//! let wait = Duration::from_secs(1);
//! let dev = SharedDevice::open(ModelTransport::new(64 << 20))?;
//! // Identities are set by the privileged owner of the device.
//! let server = dev.context(1000)?;
//! let client = dev.context(2000)?;
//! let port = server.create_port("\\RPC Control\\hello", PortAttributes::default())?;
//! std::thread::scope(|s| {
//!     let c = s.spawn(|| -> alpc_host::Result<Vec<u8>> {
//!         let p = client.connect("\\RPC Control\\hello", b"hi", wait)?;
//!         assert_eq!(p.peer_identity(), 1000);
//!         Ok(p.request(b"ping", wait)?.payload) // send and wait
//!     });
//!     let req = port.listen(wait)?;
//!     assert_eq!((req.identity, &req.message[..]), (2000, &b"hi"[..]));
//!     let conn = port.accept(&req, 0)?;
//!     let Event::Request(m) = conn.receive(wait)? else { panic!("expected a request") };
//!     conn.reply(&m, b"pong")?;
//!     assert_eq!(c.join().unwrap()?, b"pong");
//!     Ok::<_, alpc_host::Error>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The queue layer on the simulated device: one DMA copy.
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

/// The README's Rust example, compiled and run with the doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExample;

pub mod backend;
pub mod batch;
pub mod context;
pub mod daemon;
pub mod device;
pub mod error;
mod host_dma;
pub mod message;
pub mod model_transport;
pub mod port;
pub mod section;
#[cfg(feature = "tokio")]
pub mod tokio_wait;
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
pub use daemon::client::DaemonTransport;
pub use device::{Device, Interrupts, QueueConfig, QueueId, Received};
pub use error::{check, Error, Result, StatusError};
pub use message::{ConnectionRequest, Event, Message, MessageKind, PendingRequest};
pub use model_transport::ModelTransport;
pub use port::{CommunicationPort, ConnectionPort, PortAttributes, PortName, Role};
pub use section::{Access, Section, View};
pub use alpc_contract::ViewRecord;
#[cfg(feature = "sim")]
pub use sim_transport::SimTransport;
pub use transport::{Broker, Credentials, DmaBuffer, Transport, TransportError};
#[cfg(feature = "vfio")]
pub use vfio_transport::{open_board, DriverTransport, VfioTransport, VfioUserTransport};
