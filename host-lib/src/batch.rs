//! Batches: several messages of one context submitted with one doorbell
//! write, the cheapest way to send (one register write to the device, one
//! pass of the engine over the ring).
//!
//! ```
//! use alpc_host::{Event, ModelTransport, PortAttributes, SharedDevice};
//! use std::time::Duration;
//! # let wait = Duration::from_secs(1);
//! # let dev = SharedDevice::open(ModelTransport::new(64 << 20))?;
//! # let (server, client) = (dev.context(1)?, dev.context(2)?);
//! # let port = server.create_port(42u32, PortAttributes::default())?;
//! # let (p, conn) = std::thread::scope(|s| {
//! #     let c = s.spawn(|| client.connect(42u32, b"", wait));
//! #     let conn = port.accept(&port.listen(wait)?, 0)?;
//! #     Ok::<_, alpc_host::Error>((c.join().unwrap()?, conn))
//! # })?;
//! // `p` is a client's communication port, `conn` the server's end.
//! let mut batch = client.batch();
//! batch.datagram(&p, b"one").datagram(&p, b"two").request(&p, b"three?");
//! let sent = batch.submit()?; // one doorbell write for all three
//! assert!(sent[0].is_ok() && sent[1].is_ok());
//! let mut got = Vec::new();
//! for _ in 0..3 {
//!     match conn.receive(wait)? {
//!         Event::Datagram(m) => got.push(m.payload),
//!         Event::Request(m) => conn.reply(&m, b"three!")?,
//!         e => panic!("{e:?}"),
//!     }
//! }
//! assert_eq!(got, [b"one", b"two"]);
//! let reply = sent.into_iter().nth(2).unwrap().into_request().unwrap().wait(wait)?;
//! assert_eq!(reply.payload, b"three!");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::context::{status_of, Context};
use crate::error::Result;
use crate::message::{Message, MessageKind, PendingRequest};
use crate::port::CommunicationPort;
use crate::transport::Transport;
use crate::StatusError;
use alpc_contract::Descriptor;

/// Messages collected for one submission ([`Context::batch`]).
pub struct Batch<'c, T: Transport> {
    ctx: &'c Context<T>,
    ops: Vec<(Descriptor, Vec<u8>)>,
}

/// What became of one message of a batch.
pub enum Sent<T: Transport> {
    /// A datagram or reply: delivered, or its failure.
    Done(Result<()>),
    /// A request: its reply is awaited on this.
    Request(PendingRequest<T>),
}

impl<T: Transport> Sent<T> {
    /// Whether the message went out: a datagram or reply delivered, a
    /// request sent (its own outcome comes with its reply).
    pub fn is_ok(&self) -> bool {
        matches!(self, Sent::Done(Ok(())) | Sent::Request(_))
    }

    /// The device status a datagram or reply failed with.
    pub fn status(&self) -> Option<StatusError> {
        match self {
            Sent::Done(Err(e)) => e.status(),
            _ => None,
        }
    }

    /// The pending request, if this was one.
    pub fn into_request(self) -> Option<PendingRequest<T>> {
        match self {
            Sent::Request(p) => Some(p),
            Sent::Done(_) => None,
        }
    }
}

impl<T: Transport> Context<T> {
    /// Starts a batch: messages added to it are submitted together, with
    /// one doorbell write, by [`Batch::submit`]. A batch must fit the
    /// context's submission ring.
    pub fn batch(&self) -> Batch<'_, T> {
        Batch { ctx: self, ops: Vec::new() }
    }
}

impl<T: Transport> Batch<'_, T> {
    /// Adds a datagram on `port` (a port of this batch's context).
    pub fn datagram(&mut self, port: &CommunicationPort<T>, payload: &[u8]) -> &mut Self {
        self.ops.push((Descriptor::datagram(port.handle(), payload.len() as u32, 0), payload.to_vec()));
        self
    }

    /// Adds a request on `port`.
    pub fn request(&mut self, port: &CommunicationPort<T>, payload: &[u8]) -> &mut Self {
        self.ops.push((Descriptor::request(port.handle(), payload.len() as u32, 0), payload.to_vec()));
        self
    }

    /// Adds a reply to a request this context received.
    pub fn reply(&mut self, request: &Message, payload: &[u8]) -> &mut Self {
        // A reply to something that is not a request is refused by the
        // device (BAD_REPLY) like any other wrong message id.
        let id = if request.kind == MessageKind::Request { request.id } else { 0 };
        self.ops.push((Descriptor::reply(request.port, id, payload.len() as u32, 0), payload.to_vec()));
        self
    }

    /// Messages in the batch.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Submits everything with one doorbell write, waits for the
    /// datagrams' and replies' completions, and returns what became of each
    /// message, in order. All or nothing: a batch that does not fit the
    /// ring, or a message over the inline limit, sends nothing.
    pub fn submit(self) -> Result<Vec<Sent<T>>> {
        let ops: Vec<(Descriptor, &[u8])> = self.ops.iter().map(|(d, p)| (*d, p.as_slice())).collect();
        let users = self.ctx.submit_all(&ops)?;
        let mut out = Vec::with_capacity(users.len());
        for ((d, _), user) in self.ops.iter().zip(users) {
            if d.opcode == alpc_contract::Opcode::Request as u8 {
                out.push(Sent::Request(PendingRequest::new(self.ctx.clone(), d.port(), user)));
            } else {
                let done = self.ctx.wait_done(user, crate::context::OP_TIMEOUT, "the device's answer");
                out.push(Sent::Done(done.and_then(|(c, ..)| status_of(&c))));
            }
        }
        Ok(out)
    }
}
