//! What arrives on ports: messages, connection requests, notices; and a
//! request waiting for its reply.

use crate::context::{status_of, Context, Entry};
use crate::error::{Error, Result, StatusError};
use crate::transport::Transport;
use alpc_contract::{EventKind, Status, ViewRecord};
use std::time::Duration;

/// The kind of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// A request: the receiver owes a reply (`LPC_REQUEST`).
    Request,
    /// A datagram: no reply (`LPC_DATAGRAM`).
    Datagram,
    /// The reply to one of this context's requests (`LPC_REPLY`).
    Reply,
}

/// A message, with the attributes the device attaches to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Request, datagram or reply.
    pub kind: MessageKind,
    /// The receiving port's handle.
    pub port: u32,
    /// The message id the device gave a request (what a reply names); 0
    /// for datagrams and replies.
    pub id: u32,
    /// The sender's identity, as the device knows it (ALPC's security
    /// attribute: set by the privileged side, never by the sender).
    pub identity: u32,
    /// The receiving port's context value (ALPC's context attribute: the
    /// server's `port_context` from the accept).
    pub port_context: u64,
    /// The payload, copied out of the receive buffer.
    pub payload: Vec<u8>,
    /// The view the sender granted with it (ALPC's view attribute): where
    /// the shared bytes are and what this context may do with them
    /// ([`Context::read_view`], [`Context::copy_from_view`], ...). For a
    /// large message, the receive buffer this context posted that now
    /// holds it.
    pub view: Option<ViewRecord>,
    /// A large message (mode 3): its bytes are in one of this context's
    /// posted buffers (`view`; [`Context::read_large`]), not in `payload`.
    pub large: bool,
    /// The device could not move the message's bytes (`DMA_READ_ERROR`:
    /// the sender's memory refused a read; `DMA_WRITE_ERROR`: the receive
    /// buffer refused a write): `payload`, or the large message's buffer,
    /// does not hold what was sent.
    pub damaged: Option<StatusError>,
}

/// A client asking to connect (`LPC_CONNECTION_REQUEST`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionRequest {
    /// The connection port it arrived on.
    pub port: u32,
    /// The connection id the accept or reject names.
    pub id: u32,
    /// The client's identity, as the device knows it.
    pub identity: u32,
    /// The connection message.
    pub message: Vec<u8>,
}

/// Something that arrived on a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A client asks to connect to a connection port.
    ConnectionRequest(ConnectionRequest),
    /// A request (reply to it with [`Context::reply`]).
    Request(Message),
    /// A datagram.
    Datagram(Message),
    /// The peer closed its end of the connection (`LPC_PORT_CLOSED`); the
    /// port can still be closed, nothing else.
    PortClosed {
        /// This context's port whose peer went away.
        port: u32,
        /// The peer's identity.
        identity: u32,
        /// The port's context value.
        port_context: u64,
        /// The peer's process died (its context was torn down) rather than
        /// closing the port (ALPC's `LPC_CLIENT_DIED`).
        died: bool,
    },
}

impl Event {
    pub(crate) fn from_entry((c, payload, view): Entry) -> Event {
        let message = |kind| Message {
            kind,
            port: c.port,
            id: c.msg_id,
            identity: c.identity,
            port_context: c.user_data,
            payload: payload.clone(),
            view,
            large: c.large,
            damaged: c.status().and_then(StatusError::from_status),
        };
        match c.kind() {
            Some(EventKind::ConnectionRequest) => Event::ConnectionRequest(ConnectionRequest {
                port: c.port,
                id: c.msg_id,
                identity: c.identity,
                message: payload,
            }),
            Some(EventKind::Request) => Event::Request(message(MessageKind::Request)),
            Some(EventKind::Datagram) => Event::Datagram(message(MessageKind::Datagram)),
            _ => Event::PortClosed {
                port: c.port,
                identity: c.identity,
                port_context: c.user_data,
                died: c.status() == Some(Status::PeerClosed),
            },
        }
    }

    /// The port it arrived on.
    pub fn port(&self) -> u32 {
        match self {
            Event::ConnectionRequest(r) => r.port,
            Event::Request(m) | Event::Datagram(m) => m.port,
            Event::PortClosed { port, .. } => *port,
        }
    }
}

/// A request sent and not yet answered. Dropping it cancels the request.
///
/// ```
/// use alpc_host::{Error, Event, ModelTransport, PortAttributes, SharedDevice, StatusError};
/// use std::time::Duration;
/// # let wait = Duration::from_secs(1);
/// # let dev = SharedDevice::open(ModelTransport::new(64 << 20))?;
/// # let (server, client) = (dev.context(1)?, dev.context(2)?);
/// # let port = server.create_port(7u32, PortAttributes::default())?;
/// # let (p, conn) = std::thread::scope(|s| {
/// #     let c = s.spawn(|| client.connect(7u32, b"", wait));
/// #     let conn = port.accept(&port.listen(wait)?, 0)?;
/// #     Ok::<_, alpc_host::Error>((c.join().unwrap()?, conn))
/// # })?;
/// // Asynchronous mode: send now, wait later (on the same thread).
/// let pending = p.send_request(b"question")?;
/// let Event::Request(m) = conn.receive(wait)? else { panic!() };
/// conn.reply(&m, b"answer")?;
/// assert_eq!(pending.wait(wait)?.payload, b"answer");
///
/// // A reply that does not come in time: the request is canceled, and the
/// // server's late reply is refused.
/// let e = p.request(b"slow question", Duration::from_micros(10)).unwrap_err();
/// assert!(matches!(e, Error::TimedOut { .. }));
/// let Event::Request(m) = conn.receive(wait)? else { panic!() };
/// assert_eq!(conn.reply(&m, b"late").unwrap_err().status(), Some(StatusError::BadReply));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PendingRequest<T: Transport> {
    ctx: Context<T>,
    port: u32,
    user: u64,
    settled: bool,
}

impl<T: Transport> PendingRequest<T> {
    pub(crate) fn new(ctx: Context<T>, port: u32, user: u64) -> Self {
        PendingRequest { ctx, port, user, settled: false }
    }

    /// Waits for the reply. Fails with `PEER_CLOSED` if the server closed
    /// its end or died, `PORT_CLOSED` if this end was closed, `RECEIVER_BUSY`
    /// or `TOO_LARGE` if the request was not delivered; on a timeout the
    /// request is canceled.
    pub fn wait(mut self, timeout: Duration) -> Result<Message> {
        let user = self.user;
        let r = self.ctx.wait_until(timeout, "a reply", None, |st| st.take_done(user));
        self.finish(r)
    }

    /// [`PendingRequest::wait`] as a future.
    pub async fn wait_async(mut self, timeout: Duration) -> Result<Message> {
        let user = self.user;
        let r = self.ctx.wait_async(timeout, "a reply", None, |st| st.take_done(user)).await;
        self.finish(r)
    }

    /// Whether the reply (or the request's failure) has arrived; never
    /// blocks. `wait` then returns at once.
    pub fn is_ready(&self) -> Result<bool> {
        let user = self.user;
        match self.ctx.wait_until(Duration::ZERO, "a reply", None, |st| st.done.contains_key(&user).then_some(())) {
            Ok(()) => Ok(true),
            Err(Error::TimedOut { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Withdraws the request (ALPC's cancel): the server's reply, if it
    /// still comes, is refused with `BAD_REPLY`.
    pub fn cancel(mut self) -> Result<()> {
        self.settled = true;
        self.ctx.cancel(self.port, self.user)
    }

    fn finish(&mut self, r: Result<Entry>) -> Result<Message> {
        let (c, payload, view) = match r {
            Ok(e) => e,
            Err(e @ Error::TimedOut { .. }) => {
                self.settled = true;
                self.ctx.cancel(self.port, self.user)?;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        self.settled = true;
        status_of(&c)?;
        Ok(Message {
            kind: MessageKind::Reply,
            port: c.port,
            id: 0,
            identity: c.identity,
            port_context: 0,
            payload,
            view,
            large: c.large,
            damaged: None,
        })
    }
}

impl<T: Transport> Drop for PendingRequest<T> {
    fn drop(&mut self) {
        if !self.settled {
            let _ = self.ctx.cancel(self.port, self.user);
        }
    }
}
