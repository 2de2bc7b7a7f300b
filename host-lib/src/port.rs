//! Ports: a server's named connection port, and the communication ports at
//! the two ends of a connection.
//!
//! As in ALPC, a server creates a *connection port* with a name; a client
//! connects to the name and gets a *communication port*; the server accepts
//! the connection request and gets its own communication port, the other
//! end. Messages travel between the two communication ports. The server
//! may receive everything (connection requests, and the messages and
//! notices of every connection it accepted) on its connection port, as
//! ALPC servers do, or per connection. Ports are handles of the device,
//! checked by it on every use; dropping a port closes it.

use crate::context::{none_on_timeout, Context};
use crate::error::Result;
use crate::message::{ConnectionRequest, Event, Message, PendingRequest};
use crate::transport::Transport;
use alpc_contract::geometry;
use std::time::Duration;

/// The name of a connection port. The device names ports with 32-bit ids;
/// a string is mapped to one by 32-bit FNV-1a. Two strings can map to the
/// same id: a client that must be sure whom it talks to checks the
/// server's identity ([`Context::connect_to`]), which cannot be forged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PortName(u32);

impl PortName {
    /// A name given as its device id (0 is not a valid name: the device
    /// answers `BAD_ARGUMENT`).
    pub const fn from_id(id: u32) -> PortName {
        PortName(id)
    }

    /// The id of a string name (32-bit FNV-1a; never 0).
    pub fn hashed(name: &str) -> PortName {
        let mut h: u32 = 0x811C_9DC5;
        for b in name.bytes() {
            h = (h ^ b as u32).wrapping_mul(0x0100_0193);
        }
        PortName(h.max(1))
    }

    /// The device id.
    pub fn id(self) -> u32 {
        self.0
    }
}

impl From<&str> for PortName {
    fn from(name: &str) -> PortName {
        PortName::hashed(name)
    }
}

impl From<u32> for PortName {
    fn from(id: u32) -> PortName {
        PortName::from_id(id)
    }
}

/// Attributes of a connection port (ALPC's `ALPC_PORT_ATTRIBUTES`),
/// enforced by the device on every connection accepted on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortAttributes {
    /// The longest message either side of a connection may send (bytes, at
    /// most the device's inline limit of 256): a longer one fails with
    /// `TOO_LARGE`.
    pub max_message: usize,
    /// How many connection requests may wait for an answer (1..=255):
    /// more are refused with `BACKLOG_FULL`.
    pub backlog: u8,
    /// Only identities on the port's access list may connect
    /// ([`ConnectionPort::allow`]); the device refuses the others with
    /// `ACCESS_DENIED` and the server never hears of them. Default: open.
    pub restricted: bool,
    /// Flow control: how many messages each client may have sent that the
    /// server has not taken yet (0: no window, the default). A client whose
    /// window is used up gets `RECEIVER_BUSY` while the others go on; the
    /// library gives credits back as the server receives.
    pub window: u8,
}

impl Default for PortAttributes {
    fn default() -> Self {
        PortAttributes { max_message: geometry::MAX_INLINE as usize, backlog: 16, restricted: false, window: 0 }
    }
}

fn is_request(c: &alpc_contract::Completion) -> bool {
    c.kind == alpc_contract::EventKind::ConnectionRequest as u8
}

/// A server's named connection port.
pub struct ConnectionPort<T: Transport> {
    ctx: Context<T>,
    handle: u32,
    name: PortName,
    attributes: PortAttributes,
    open: bool,
}

impl<T: Transport> ConnectionPort<T> {
    pub(crate) fn new(ctx: Context<T>, handle: u32, name: PortName, attributes: PortAttributes) -> Self {
        ConnectionPort { ctx, handle, name, attributes, open: true }
    }

    /// The device handle.
    pub fn handle(&self) -> u32 {
        self.handle
    }

    /// The port's name.
    pub fn name(&self) -> PortName {
        self.name
    }

    /// The attributes it was created with.
    pub fn attributes(&self) -> PortAttributes {
        self.attributes
    }

    /// The context that owns it.
    pub fn context(&self) -> &Context<T> {
        &self.ctx
    }

    /// Waits for the next connection request (other events stay queued).
    pub fn listen(&self, timeout: Duration) -> Result<ConnectionRequest> {
        let h = self.handle;
        match self.ctx.receive_where(timeout, |_, c| c.port == h && is_request(c))? {
            Event::ConnectionRequest(r) => Ok(r),
            _ => unreachable!("filtered"),
        }
    }

    /// [`ConnectionPort::listen`] as a future.
    pub async fn listen_async(&self, timeout: Duration) -> Result<ConnectionRequest> {
        let h = self.handle;
        match self.ctx.receive_where_async(timeout, |_, c| c.port == h && is_request(c)).await? {
            Event::ConnectionRequest(r) => Ok(r),
            _ => unreachable!("filtered"),
        }
    }

    /// Waits for the next event of this server: a connection request, or a
    /// message or notice on any connection accepted on this port.
    pub fn receive(&self, timeout: Duration) -> Result<Event> {
        let h = self.handle;
        self.ctx.receive_where(timeout, |st, c| st.belongs_to(c.port, h))
    }

    /// [`ConnectionPort::receive`] without waiting: the next event if one
    /// has arrived.
    pub fn try_receive(&self) -> Result<Option<Event>> {
        none_on_timeout(self.receive(Duration::ZERO))
    }

    /// [`ConnectionPort::receive`] as a future.
    pub async fn receive_async(&self, timeout: Duration) -> Result<Event> {
        let h = self.handle;
        self.ctx.receive_where_async(timeout, |st, c| st.belongs_to(c.port, h)).await
    }

    /// Accepts a connection request: the client's connect completes, and
    /// this returns the server's end of the connection. `port_context` is a
    /// value of the server's choosing that every message arriving on the
    /// new port carries ([`Message::port_context`]).
    pub fn accept(&self, request: &ConnectionRequest, port_context: u64) -> Result<CommunicationPort<T>> {
        self.ctx.accept(self.handle, request, port_context, self.attributes.window)
    }

    /// Puts `identity` on the access list of this restricted port
    /// ([`PortAttributes::restricted`]): from now on a client with that
    /// identity may connect. The device checks the list on every connect;
    /// `BAD_ARGUMENT` for an open port, `NO_RESOURCES` when the device's
    /// access-list table is full.
    pub fn allow(&self, identity: u32) -> Result<()> {
        self.ctx.call(|u| alpc_contract::Descriptor::allow(self.handle, identity, u), &[]).map(|_| ())
    }

    /// Refuses a connection request: the client's connect fails with
    /// `REFUSED`.
    pub fn reject(&self, request: &ConnectionRequest) -> Result<()> {
        self.ctx.reject(self.handle, request)
    }

    /// Replies to a request received through [`ConnectionPort::receive`].
    pub fn reply(&self, request: &Message, payload: &[u8]) -> Result<()> {
        self.ctx.reply(request, payload)
    }

    /// Closes the port: its name is free again, clients still waiting for
    /// an answer are refused. Connections already accepted stay up.
    pub fn close(mut self) -> Result<()> {
        self.open = false;
        self.ctx.close_port(self.handle)
    }
}

impl<T: Transport> Drop for ConnectionPort<T> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.ctx.close_port(self.handle);
        }
    }
}

/// Which end of a connection a communication port is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The client's end (from a connect).
    Client,
    /// The server's end (from an accept).
    Server,
}

/// One end of a connection.
pub struct CommunicationPort<T: Transport> {
    ctx: Context<T>,
    handle: u32,
    role: Role,
    peer_identity: u32,
    port_context: u64,
    open: bool,
}

impl<T: Transport> CommunicationPort<T> {
    pub(crate) fn new(ctx: Context<T>, handle: u32, role: Role, peer_identity: u32, port_context: u64) -> Self {
        CommunicationPort { ctx, handle, role, peer_identity, port_context, open: true }
    }

    /// The device handle.
    pub fn handle(&self) -> u32 {
        self.handle
    }

    /// Which end this is.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The identity of the process at the other end, as the device knows
    /// it (the server's for a client port, the client's for a server port).
    pub fn peer_identity(&self) -> u32 {
        self.peer_identity
    }

    /// The value messages arriving on this port carry: the server's
    /// `port_context` from the accept, or a value the library chose for a
    /// client port.
    pub fn port_context(&self) -> u64 {
        self.port_context
    }

    /// The context that owns it.
    pub fn context(&self) -> &Context<T> {
        &self.ctx
    }

    /// Sends a datagram (no reply expected). Done when the device has
    /// delivered it into the receiver's ring; fails with `RECEIVER_BUSY` if
    /// the receiver's ring is full (nothing was delivered: try again),
    /// `TOO_LARGE` over the port's maximum, `PEER_CLOSED` if the peer is gone.
    pub fn send_datagram(&self, payload: &[u8]) -> Result<()> {
        self.ctx.datagram(self.handle, payload)
    }

    /// Sends a request and returns at once; the reply is awaited on the
    /// returned [`PendingRequest`] (ALPC's asynchronous mode).
    pub fn send_request(&self, payload: &[u8]) -> Result<PendingRequest<T>> {
        self.ctx.send_request(self.handle, payload)
    }

    /// Sends a request and waits for its reply (ALPC's synchronous
    /// send-and-wait). On a timeout the request is canceled.
    pub fn request(&self, payload: &[u8], timeout: Duration) -> Result<Message> {
        self.send_request(payload)?.wait(timeout)
    }

    /// [`CommunicationPort::request`] as a future.
    pub async fn request_async(&self, payload: &[u8], timeout: Duration) -> Result<Message> {
        self.send_request(payload)?.wait_async(timeout).await
    }

    /// Waits for the next event on this port: a request, a datagram, or the
    /// notice that the peer closed its end.
    pub fn receive(&self, timeout: Duration) -> Result<Event> {
        let h = self.handle;
        self.ctx.receive_where(timeout, |_, c| c.port == h)
    }

    /// [`CommunicationPort::receive`] without waiting: the next event if
    /// one has arrived.
    pub fn try_receive(&self) -> Result<Option<Event>> {
        none_on_timeout(self.receive(Duration::ZERO))
    }

    /// [`CommunicationPort::receive`] as a future.
    pub async fn receive_async(&self, timeout: Duration) -> Result<Event> {
        let h = self.handle;
        self.ctx.receive_where_async(timeout, |_, c| c.port == h).await
    }

    /// Replies to a request received on this port.
    pub fn reply(&self, request: &Message, payload: &[u8]) -> Result<()> {
        self.ctx.reply(request, payload)
    }

    /// Closes this end: the peer gets a PORT_CLOSED notice, its requests
    /// waiting on this end fail with `PEER_CLOSED`, this end's own
    /// outstanding requests fail with `PORT_CLOSED`.
    pub fn close(mut self) -> Result<()> {
        self.open = false;
        self.ctx.close_port(self.handle)
    }
}

impl<T: Transport> Drop for CommunicationPort<T> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.ctx.close_port(self.handle);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PortName;

    #[test]
    fn names_hash_with_fnv1a_and_are_never_zero() {
        // Reference values of 32-bit FNV-1a.
        assert_eq!(PortName::hashed("").id(), 0x811C_9DC5);
        assert_eq!(PortName::hashed("a").id(), 0xE40C_292C);
        assert_eq!(PortName::hashed("foobar").id(), 0xBF9C_F968);
        assert_eq!(PortName::from("\\RPC Control\\x"), PortName::hashed("\\RPC Control\\x"));
        assert_eq!(PortName::from(5u32).id(), 5);
    }
}
