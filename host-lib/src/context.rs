//! A process's context on the device, and the shared device it lives on.
//!
//! ALPC gives every process its own view of the port objects; here that is
//! a hardware context: a queue pair whose completions (the answers to its
//! own operations, and the messages, connection requests and notices
//! addressed to its ports) arrive in one ring. A [`Context`] drains that
//! ring into host memory and hands each entry to whoever waits for it: the
//! completion of an operation to the call that submitted it (matched by the
//! descriptor's user data, which the library allocates), an incoming event
//! to the first `receive` on its port. So a thread blocked in a
//! send-and-wait never loses the requests that arrive meanwhile.
//!
//! The device is shared: a [`SharedDevice`] is a cloneable handle, and a
//! context may be used from several threads or tasks at once. Lock order is
//! always context state, then device.
//!
//! Every wait also has a future (`receive_async`, `connect_async`,
//! `request_async`, ...), usable on any executor: a pending future lets the
//! device run and wakes itself, so one thread can serve many ports.
//!
//! ```
//! use alpc_host::{Event, ModelTransport, PortAttributes, SharedDevice};
//! use futures::executor::block_on;
//! use futures::future::join;
//! use std::time::Duration;
//!
//! let wait = Duration::from_secs(1);
//! let dev = SharedDevice::open(ModelTransport::new(64 << 20))?;
//! let (server, client) = (dev.context(1)?, dev.context(2)?);
//! let port = server.create_port("time", PortAttributes::default())?;
//! let serve = async {
//!     let conn = port.accept(&port.listen_async(wait).await?, 0)?;
//!     let Event::Request(m) = conn.receive_async(wait).await? else { panic!() };
//!     conn.reply(&m, b"noon")?;
//!     Ok::<_, alpc_host::Error>(conn)
//! };
//! let ask = async {
//!     let p = client.connect_async("time", b"", wait).await?;
//!     p.request_async(b"what time is it?", wait).await
//! };
//! let (conn, reply) = block_on(join(serve, ask)); // one thread, two parties
//! assert_eq!(reply?.payload, b"noon");
//! # drop(conn);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::device::{Device, DeviceClock, QueueId};
use crate::error::{Error, Result, StatusError};
use crate::message::{ConnectionRequest, Event, Message, MessageKind, PendingRequest};
use crate::port::{CommunicationPort, ConnectionPort, PortAttributes, PortName, Role};
use crate::transport::Transport;
use alpc_contract::{geometry, regs, Completion, Descriptor, EventKind, Status, ViewRecord};
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::poll_fn;
use parking_lot::MutexGuard as DeviceGuard;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use std::time::Duration;

/// How long an operation the device answers at once (create, accept,
/// reject, datagram, reply, cancel, close) may take before it is reported
/// as [`Error::TimedOut`]: only a device that stopped working reaches it.
pub const OP_TIMEOUT: Duration = Duration::from_millis(100);
/// How long the library waits for an operation that moves up to 1 MiB by
/// DMA (a large message, a COPY through a view): milliseconds on a board,
/// seconds on a card simulated in another process.
pub const COPY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the idle steps of all blocking waits together let the device
/// run (waiting for an interrupt) before each waiter looks at its ring
/// again: each of N waiting threads waits 1/N of it, so that on a simulated
/// device, whose clock moves only while a waiter lets it, N waiting threads
/// do not make time pass N times faster.
pub const IDLE_SLICE: Duration = Duration::from_micros(2);

/// The longest a blocking wait sleeps on an interrupt eventfd (board,
/// vfio-user) before it looks at its ring again: another waiter of the same
/// vector may have taken the wake-up.
pub const IRQ_SLEEP: Duration = Duration::from_millis(1);

/// Sleeps until `fd` is readable or `timeout` passes.
fn wait_readable(fd: &std::os::fd::OwnedFd, timeout: Duration) {
    use std::os::fd::AsRawFd;
    let mut p = libc::pollfd { fd: fd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd, owned by this frame, for the call's duration.
    unsafe { libc::poll(&mut p, 1, timeout.as_millis().clamp(1, i32::MAX as u128) as i32) };
}

/// The device, shared by every context and thread that uses it.
pub struct SharedDevice<T: Transport> {
    dev: Arc<parking_lot::Mutex<Device<T>>>,
    /// Threads inside an idle step.
    idlers: Arc<AtomicU32>,
}

impl<T: Transport> Clone for SharedDevice<T> {
    fn clone(&self) -> Self {
        SharedDevice { dev: self.dev.clone(), idlers: self.idlers.clone() }
    }
}

/// Shape of a context: its identity and its rings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContextConfig {
    /// The identity the device stamps on everything the context sends
    /// (ALPC's SID): set through the privileged register window, never by
    /// the process itself.
    pub identity: u32,
    /// Submission ring entries (power of two). A message takes one entry
    /// plus one per 64 payload bytes beyond the first 32.
    pub sq_entries: usize,
    /// Completion ring entries (power of two): bounds how many
    /// connections, outstanding requests and undrained events the context
    /// can have at once on the device (each entry has its 256-byte receive
    /// buffer).
    pub cq_entries: usize,
}

impl Default for ContextConfig {
    fn default() -> Self {
        ContextConfig { identity: 0, sq_entries: 64, cq_entries: 64 }
    }
}

impl<T: Transport> SharedDevice<T> {
    /// Opens the device on a transport (checks its identity and version).
    pub fn open(transport: T) -> Result<SharedDevice<T>> {
        Ok(Self::new(Device::open(transport)?))
    }

    /// Shares an opened device.
    pub fn new(dev: Device<T>) -> SharedDevice<T> {
        SharedDevice { dev: Arc::new(parking_lot::Mutex::new(dev)), idlers: Arc::new(AtomicU32::new(0)) }
    }

    /// The credentials behind an identity a message or connection request
    /// carried, when the device is reached through `alpcd` (which took them
    /// from the kernel when that process connected: uid, gid, pid); `None`
    /// for an identity no process of the broker had, or without a broker
    /// (identities are then whatever the device's owner set).
    pub fn credentials(&self, identity: u32) -> Result<Option<crate::Credentials>> {
        match self.lock().transport_mut().broker() {
            Some(b) => Ok(b.credentials(identity)?),
            None => Ok(None),
        }
    }

    /// The device, for queue-level work and inspection (counters, the
    /// transport). Do not hold the guard while waiting on a context.
    pub fn lock(&self) -> DeviceGuard<'_, Device<T>> {
        self.dev.lock()
    }

    /// A new context with `identity` (a privileged act: in a deployment the
    /// owner of the device, e.g. `alpcd`, does it with the identity the
    /// kernel vouched for) and default rings. Through `alpcd` the identity
    /// asked for is ignored: the broker's (see [`SharedDevice::credentials`])
    /// is the context's.
    pub fn context(&self, identity: u32) -> Result<Context<T>> {
        self.context_with(ContextConfig { identity, ..Default::default() })
    }

    /// A new context on the first free hardware context.
    pub fn context_with(&self, config: ContextConfig) -> Result<Context<T>> {
        let mut dev = self.lock();
        // An interrupt per completion (on the context's own vector): a
        // waiting thread sleeps on it.
        let q = dev.create_queue(config.sq_entries, config.cq_entries)?;
        let vector = q.context() as u32 % dev.transport().vectors().max(1);
        let mut config = config;
        match dev.transport_mut().broker() {
            // The broker set the identity; the process cannot.
            Some(b) => config.identity = b.identity(),
            None => {
                let id_reg = regs::ctx_cfg(q.context(), regs::CTX_IDENTITY);
                if let Err(e) = dev.transport_mut().write32(id_reg, config.identity) {
                    let _ = dev.destroy_queue(q);
                    return Err(e.into());
                }
            }
        }
        drop(dev);
        Ok(Context {
            inner: Arc::new(Inner {
                dev: self.clone(),
                q,
                vector,
                identity: config.identity,
                sq_entries: config.sq_entries,
                state: Mutex::new(State { next_user: 1, ..Default::default() }),
            }),
        })
    }
}

/// One process's context: its ports, its messages, its completion ring.
/// Cheap to clone (all clones are the same context); the hardware context
/// is torn down when the last clone and the last of its ports are dropped,
/// or by [`Context::terminate`].
pub struct Context<T: Transport> {
    pub(crate) inner: Arc<Inner<T>>,
}

impl<T: Transport> Clone for Context<T> {
    fn clone(&self) -> Self {
        Context { inner: self.inner.clone() }
    }
}

pub(crate) struct Inner<T: Transport> {
    dev: SharedDevice<T>,
    q: QueueId,
    vector: u32,
    identity: u32,
    sq_entries: usize,
    state: Mutex<State>,
}

/// An entry taken from the ring: the completion, its payload and the view
/// record of a message that carries a view.
pub(crate) type Entry = (Completion, Vec<u8>, Option<ViewRecord>);

/// What the context has taken from its ring and not yet handed out.
#[derive(Default)]
pub(crate) struct State {
    next_user: u64,
    /// Completions of the context's own operations, by user data.
    pub(crate) done: HashMap<u64, Entry>,
    /// Operations whose caller stopped waiting (a timeout, a drop): their
    /// completion is dropped when it comes, and a port it created (an
    /// accepted connect, a CREATE_PORT, an ACCEPT) is closed. The value is
    /// the port a CLOSE closes, for the CLOSEs the library sends itself.
    abandoned: HashMap<u64, Option<u32>>,
    /// Operations that create a port, until their completion is taken.
    creates: HashSet<u64>,
    /// Ports being closed: events still arriving for them are dropped.
    closing: HashSet<u32>,
    /// Ports to close that did not fit the submission ring yet.
    to_close: Vec<u32>,
    /// Server communication ports of windowed connection ports: the window
    /// and the messages taken since credits were last returned.
    windows: HashMap<u32, (u32, u32)>,
    /// Credits to return (CREDIT port, count), sent at the next pump.
    to_credit: Vec<(u32, u32)>,
    /// ACCEPTs of windowed connection ports, by user data: the window of
    /// the port each creates, known from the moment its completion is
    /// filed (before any message on that port, which comes later in the
    /// ring).
    pending_windows: HashMap<u64, u32>,
    /// Incoming events (messages, connection requests, notices), in order.
    inbox: VecDeque<Entry>,
    /// Server communication ports and the connection port they were
    /// accepted on: a connection port's `receive` also sees their events.
    parent: HashMap<u32, u32>,
    /// The context was torn down.
    terminated: bool,
}

impl State {
    fn user(&mut self) -> u64 {
        let u = self.next_user;
        self.next_user += 1;
        u
    }

    /// Files one ring entry; an abandoned operation that created a port
    /// queues that port for closing.
    fn file(&mut self, (c, payload, view): Entry) {
        match EventKind::from_u8(c.kind) {
            Some(EventKind::Done | EventKind::Reply | EventKind::ConnectionReply) | None => {
                if let Some(window) = self.pending_windows.remove(&c.user_data) {
                    if c.status == Status::Ok as u8 {
                        self.windows.insert(c.port, (window, 0));
                    }
                }
                if let Some(closed) = self.abandoned.remove(&c.user_data) {
                    if let Some(port) = closed {
                        self.closing.remove(&port);
                    }
                    if self.creates.remove(&c.user_data) && c.status == Status::Ok as u8 {
                        self.orphan(c.port);
                    }
                    return;
                }
                self.done.insert(c.user_data, (c, payload, view));
            }
            Some(_) if self.closing.contains(&c.port) => {}
            Some(_) => self.inbox.push_back((c, payload, view)),
        }
    }

    /// A port nobody holds: closed at the next pump; what arrives for it
    /// until then is dropped.
    fn orphan(&mut self, port: u32) {
        self.to_close.push(port);
        self.closing.insert(port);
        self.windows.remove(&port);
        self.inbox.retain(|(c, ..)| c.port != port);
    }

    /// Takes the first incoming event that `wanted` accepts.
    fn take_event(&mut self, wanted: &impl Fn(&State, &Completion) -> bool) -> Option<Entry> {
        let i = self.inbox.iter().position(|(c, ..)| wanted(self, c))?;
        let e = self.inbox.remove(i)?;
        // A message taken from a windowed connection: its client may send
        // again. Credits go back in bulk, half a window at a time.
        let message = matches!(e.0.kind(), Some(EventKind::Request | EventKind::Datagram));
        if let Some((window, taken)) = self.windows.get_mut(&e.0.port).filter(|_| message) {
            *taken += 1;
            if *taken >= (*window / 2).max(1) {
                self.to_credit.push((e.0.port, *taken));
                *taken = 0;
            }
        }
        Some(e)
    }

    /// Takes the completion of operation `user`.
    pub(crate) fn take_done(&mut self, user: u64) -> Option<Entry> {
        let e = self.done.remove(&user)?;
        self.creates.remove(&user);
        Some(e)
    }

    /// Whether `port` is `conn` or a communication port accepted on it.
    pub(crate) fn belongs_to(&self, port: u32, conn: u32) -> bool {
        port == conn || self.parent.get(&port) == Some(&conn)
    }
}

/// A zero-timeout receive's result as a poll's.
pub(crate) fn none_on_timeout(r: Result<Event>) -> Result<Option<Event>> {
    match r {
        Ok(e) => Ok(Some(e)),
        Err(Error::TimedOut { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The ring entry's status as a result.
pub(crate) fn status_of(c: &Completion) -> Result<()> {
    crate::error::check(c).map(|_| ())
}

impl<T: Transport> Context<T> {
    /// The device this context lives on.
    pub fn device(&self) -> &SharedDevice<T> {
        &self.inner.dev
    }

    /// The hardware context number.
    pub fn number(&self) -> usize {
        self.inner.q.context()
    }

    /// The identity the device stamps on this context's messages.
    pub fn identity(&self) -> u32 {
        self.inner.identity
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    // ---- Server and client operations -------------------------------------

    /// Creates a named connection port (ALPC's `NtAlpcCreatePort`); clients
    /// connect to it by name.
    pub fn create_port(&self, name: impl Into<PortName>, attributes: PortAttributes) -> Result<ConnectionPort<T>> {
        let name = name.into();
        let max = u16::try_from(attributes.max_message).unwrap_or(u16::MAX);
        let (c, ..) = self.call(
            |u| {
                let d = Descriptor::create_port(name.id(), max, attributes.backlog, u).with_window(attributes.window);
                if attributes.restricted { d.restricted() } else { d }
            },
            &[],
        )?;
        Ok(ConnectionPort::new(self.clone(), c.port, name, attributes))
    }

    /// Connects to the connection port `name` with a connection message
    /// (ALPC's `NtAlpcConnectPort`), waiting up to `timeout` for the
    /// server's answer. The returned port knows the server's identity.
    pub fn connect(&self, name: impl Into<PortName>, message: &[u8], timeout: Duration) -> Result<CommunicationPort<T>> {
        let user = self.start_connect(name.into(), message)?;
        let (c, ..) = self.wait_done(user, timeout, "the server's answer to a connect")?;
        self.connected(c, user)
    }

    /// [`Context::connect`], requiring the server to have `identity`
    /// (ALPC's `RequiredServerSid`): a port name can be taken by anyone, the
    /// identity the device reports cannot be forged.
    pub fn connect_to(&self, name: impl Into<PortName>, identity: u32, message: &[u8], timeout: Duration) -> Result<CommunicationPort<T>> {
        let port = self.connect(name, message, timeout)?;
        if port.peer_identity() != identity {
            let found = port.peer_identity();
            port.close()?;
            return Err(Error::WrongServer { required: identity, found });
        }
        Ok(port)
    }

    /// [`Context::connect`] as a future.
    pub async fn connect_async(&self, name: impl Into<PortName>, message: &[u8], timeout: Duration) -> Result<CommunicationPort<T>> {
        let user = self.start_connect(name.into(), message)?;
        // A future dropped before the answer abandons the connect (the port
        // is closed when the acceptance comes).
        let guard = AbandonOnDrop { ctx: self, user, armed: true };
        let r = self.wait_async(timeout, "the server's answer to a connect", Some(user), |st| st.take_done(user)).await;
        guard.disarm();
        self.connected(r?.0, user)
    }

    fn start_connect(&self, name: PortName, message: &[u8]) -> Result<u64> {
        self.submit(|u| Descriptor::connect(name.id(), message.len() as u32, u), message)
    }

    fn connected(&self, c: Completion, user: u64) -> Result<CommunicationPort<T>> {
        status_of(&c)?;
        Ok(CommunicationPort::new(self.clone(), c.port, Role::Client, c.identity, user))
    }

    /// Waits for the next incoming event on any of the context's ports.
    pub fn receive(&self, timeout: Duration) -> Result<Event> {
        self.receive_where(timeout, |_, _| true)
    }

    /// The next incoming event on any of the context's ports, if one has
    /// arrived; never blocks (a poll of the completion ring).
    pub fn try_receive(&self) -> Result<Option<Event>> {
        none_on_timeout(self.receive(Duration::ZERO))
    }

    /// [`Context::receive`] as a future.
    pub async fn receive_async(&self, timeout: Duration) -> Result<Event> {
        self.receive_where_async(timeout, |_, _| true).await
    }

    pub(crate) fn receive_where(&self, timeout: Duration, wanted: impl Fn(&State, &Completion) -> bool) -> Result<Event> {
        let entry = self.wait_until(timeout, "an incoming message", None, |st| st.take_event(&wanted))?;
        self.after_receive();
        Ok(Event::from_entry(entry))
    }

    pub(crate) async fn receive_where_async(&self, timeout: Duration, wanted: impl Fn(&State, &Completion) -> bool) -> Result<Event> {
        let entry = self.wait_async(timeout, "an incoming message", None, |st| st.take_event(&wanted)).await?;
        self.after_receive();
        Ok(Event::from_entry(entry))
    }

    /// Credits owed for the message just taken go back at once, so a
    /// client held by its window does not wait for this context's next
    /// drain.
    fn after_receive(&self) {
        let mut st = self.state();
        if !st.to_credit.is_empty() && !st.terminated {
            self.return_credits(&mut st);
        }
    }

    /// Replies to a request this context received (ALPC's reply message):
    /// the device delivers it to the requester, whose wait ends. Fails with
    /// `BAD_REPLY` if the request was canceled or already answered, and
    /// `PEER_CLOSED` if the requester went away.
    pub fn reply(&self, request: &Message, payload: &[u8]) -> Result<()> {
        if request.kind != MessageKind::Request {
            return Err(Error::Status { status: StatusError::BadReply, user_data: 0 });
        }
        self.call(|u| Descriptor::reply(request.port, request.id, payload.len() as u32, u), payload)?;
        Ok(())
    }

    pub(crate) fn accept(&self, conn: u32, req: &ConnectionRequest, port_context: u64, window: u8) -> Result<CommunicationPort<T>> {
        // The window is registered with the submission: the client may send
        // as soon as it is accepted, and another thread may take those
        // messages before this call returns.
        let d = Descriptor::accept(conn, req.id, port_context, 0);
        let user = self.submit_all_with(&[(d, &[])], |st, users| {
            if window > 0 {
                st.pending_windows.insert(users[0], window as u32);
            }
        })?[0];
        let (c, ..) = self.wait_done(user, OP_TIMEOUT, "the device's answer")?;
        status_of(&c)?;
        self.state().parent.insert(c.port, conn);
        Ok(CommunicationPort::new(self.clone(), c.port, Role::Server, req.identity, port_context))
    }

    pub(crate) fn reject(&self, conn: u32, req: &ConnectionRequest) -> Result<()> {
        self.call(|u| Descriptor::reject(conn, req.id, u), &[]).map(|_| ())
    }

    pub(crate) fn datagram(&self, port: u32, payload: &[u8]) -> Result<()> {
        self.call(|u| Descriptor::datagram(port, payload.len() as u32, u), payload).map(|_| ())
    }

    pub(crate) fn send_request(&self, port: u32, payload: &[u8]) -> Result<PendingRequest<T>> {
        let user = self.submit(|u| Descriptor::request(port, payload.len() as u32, u), payload)?;
        Ok(PendingRequest::new(self.clone(), port, user))
    }

    /// Closes a port and forgets what it still had queued.
    pub(crate) fn close_port(&self, port: u32) -> Result<()> {
        self.state().closing.insert(port);
        let r = self.call(|u| Descriptor::close(port, u), &[]);
        let mut st = self.state();
        st.closing.remove(&port);
        st.inbox.retain(|(c, ..)| c.port != port);
        st.parent.remove(&port);
        st.parent.retain(|_, conn| *conn != port);
        st.windows.remove(&port);
        st.to_credit.retain(|&(p, _)| p != port);
        r.map(|_| ())
    }

    /// Withdraws an outstanding request (`CANCEL` by its user data); its
    /// REPLY (CANCELED) is dropped when it comes.
    pub(crate) fn cancel(&self, port: u32, request: u64) -> Result<()> {
        self.abandon(request);
        let (c, ..) = self.call_unchecked(|u| Descriptor::cancel(port, request, u), &[])?;
        match c.status() {
            // BAD_REPLY: the reply was already on its way; it is dropped.
            Some(Status::Ok | Status::BadReply) => Ok(()),
            _ => status_of(&c),
        }
    }

    /// Marks an operation nobody waits for any more; if its completion is
    /// already here it is dropped now (and a port it created is closed).
    pub(crate) fn abandon(&self, user: u64) {
        let mut st = self.state();
        if let Some((c, ..)) = st.done.remove(&user) {
            if st.creates.remove(&user) && c.status == Status::Ok as u8 {
                st.orphan(c.port);
            }
        } else {
            st.abandoned.insert(user, None);
        }
    }

    /// Tears the context down as if its process had died: the device closes
    /// every port it owns (peers get PORT_CLOSED with `PEER_CLOSED`,
    /// requests sent to it fail with `PEER_CLOSED`, connects pending on its
    /// connection ports are refused) and frees its rings. Every later
    /// operation on it, its ports and its pending requests fails with
    /// [`Error::Closed`].
    pub fn terminate(&self) -> Result<()> {
        let mut st = self.state();
        if st.terminated {
            return Ok(());
        }
        st.terminated = true;
        st.inbox.clear();
        st.done.clear();
        self.inner.dev.lock().teardown_queue(self.inner.q)
    }

    // ---- Submission and waiting ------------------------------------------

    /// Submits one operation with its inline payload; returns its user data.
    pub(crate) fn submit(&self, make: impl FnOnce(u64) -> Descriptor, payload: &[u8]) -> Result<u64> {
        Ok(self.submit_all(&[(make(0), payload)])?[0])
    }

    /// Submits operations with their inline payloads, with one doorbell
    /// write; gives each its user data (returned in order). All or
    /// nothing; waits (a bounded time) for submission-ring space.
    pub(crate) fn submit_all(&self, ops: &[(Descriptor, &[u8])]) -> Result<Vec<u64>> {
        self.submit_all_with(ops, |_, _| {})
    }

    /// [`Context::submit_all`], calling `hook` with the state and the user
    /// data given before anything is submitted.
    fn submit_all_with(&self, ops: &[(Descriptor, &[u8])], hook: impl FnOnce(&mut State, &[u64])) -> Result<Vec<u64>> {
        let mut slots = 0;
        for (_, payload) in ops {
            if payload.len() > geometry::MAX_INLINE as usize {
                return Err(Error::MessageTooLong { len: payload.len(), max: geometry::MAX_INLINE as usize });
            }
            slots += alpc_contract::desc::inline_slots(payload.len());
        }
        if slots >= self.inner.sq_entries {
            return Err(Error::QueueFull { free: self.inner.sq_entries - 1, wanted: slots });
        }
        let start = self.now();
        let mut st = self.state();
        if st.terminated {
            return Err(Error::Closed("context"));
        }
        let users: Vec<u64> = ops.iter().map(|_| st.user()).collect();
        hook(&mut st, &users);
        for ((d, _), &user) in ops.iter().zip(&users) {
            let op = alpc_contract::Opcode::from_u8(d.opcode);
            use alpc_contract::Opcode::{Accept, Connect, CreatePort};
            if matches!(op, Some(CreatePort | Accept | Connect)) {
                st.creates.insert(user);
            }
        }
        let descs: Vec<(Descriptor, &[u8])> =
            ops.iter().zip(&users).map(|((d, p), &user_data)| (Descriptor { user_data, ..*d }, *p)).collect();
        loop {
            let r = self.inner.dev.lock().submit_messages(self.inner.q, &descs);
            match r {
                Err(Error::QueueFull { .. }) if self.elapsed(start) < OP_TIMEOUT => {
                    // The device takes descriptors as it finds ring slots
                    // for their completions: drain the ring and let it run.
                    self.pump(&mut st)?;
                    drop(st);
                    self.idle()?;
                    st = self.state();
                    // The context may have been torn down meanwhile (and its
                    // hardware slot given to another process).
                    if st.terminated {
                        return Err(Error::Closed("context"));
                    }
                }
                Err(e) => {
                    for u in &users {
                        st.creates.remove(u);
                        st.pending_windows.remove(u);
                    }
                    return Err(e);
                }
                Ok(()) => return Ok(users),
            }
        }
    }

    /// Submits an operation the device answers at once and returns its
    /// completion, or its status as an error.
    pub(crate) fn call(&self, make: impl FnOnce(u64) -> Descriptor, payload: &[u8]) -> Result<Entry> {
        let e = self.call_unchecked(make, payload)?;
        status_of(&e.0)?;
        Ok(e)
    }

    fn call_unchecked(&self, make: impl FnOnce(u64) -> Descriptor, payload: &[u8]) -> Result<Entry> {
        let user = self.submit(make, payload)?;
        self.wait_done(user, OP_TIMEOUT, "the device's answer")
    }

    /// [`Context::call`] for an operation that moves data by DMA (waits up
    /// to [`COPY_TIMEOUT`]).
    pub(crate) fn call_copy(&self, make: impl FnOnce(u64) -> Descriptor) -> Result<Entry> {
        let user = self.submit(make, &[])?;
        let e = self.wait_done(user, COPY_TIMEOUT, "a DMA copy")?;
        status_of(&e.0)?;
        Ok(e)
    }

    /// Waits for the completion of operation `user`.
    pub(crate) fn wait_done(&self, user: u64, timeout: Duration, what: &'static str) -> Result<Entry> {
        self.wait_until(timeout, what, Some(user), |st| st.take_done(user))
    }

    /// Waits until `ready` finds what it wants in the state, draining the
    /// ring and letting the device run meanwhile. On a timeout, operation
    /// `abandon` (if any) is marked abandoned.
    pub(crate) fn wait_until<R>(
        &self,
        timeout: Duration,
        what: &'static str,
        abandon: Option<u64>,
        mut ready: impl FnMut(&mut State) -> Option<R>,
    ) -> Result<R> {
        let start = self.now();
        loop {
            if let Some(r) = self.try_ready(&mut ready)? {
                return Ok(r);
            }
            if self.elapsed(start) >= timeout {
                return Err(self.timed_out(abandon, what, timeout));
            }
            self.idle()?;
        }
    }

    /// [`Context::wait_until`] as a future. A pending future lets the
    /// device run a few cycles (a simulated device's time moves only when
    /// the host lets it) and wakes itself, so any executor drives it; with
    /// the `tokio` feature, inside a tokio runtime, it sleeps on the
    /// context's interrupt instead (`tokio_wait`).
    pub(crate) async fn wait_async<R>(
        &self,
        timeout: Duration,
        what: &'static str,
        abandon: Option<u64>,
        mut ready: impl FnMut(&mut State) -> Option<R>,
    ) -> Result<R> {
        let start = self.now();
        loop {
            if let Some(r) = self.try_ready(&mut ready)? {
                return Ok(r);
            }
            let spent = self.elapsed(start);
            if spent >= timeout {
                return Err(self.timed_out(abandon, what, timeout));
            }
            #[cfg(feature = "tokio")]
            if crate::tokio_wait::pause(self, timeout - spent).await? {
                continue;
            }
            self.inner.dev.lock().transport_mut().relax();
            yield_once().await;
        }
    }

    fn timed_out(&self, abandon: Option<u64>, what: &'static str, timeout: Duration) -> Error {
        if let Some(user) = abandon {
            self.abandon(user);
        }
        Error::TimedOut { what, timeout }
    }

    fn try_ready<R>(&self, ready: &mut impl FnMut(&mut State) -> Option<R>) -> Result<Option<R>> {
        let mut st = self.state();
        if let Some(r) = ready(&mut st) {
            return Ok(Some(r));
        }
        if st.terminated {
            return Err(Error::Closed("context"));
        }
        self.pump(&mut st)?;
        Ok(ready(&mut st))
    }

    /// Takes every entry the ring holds and files it; sends the CLOSEs of
    /// ports nobody holds (those that do not fit the ring wait for the
    /// next pump: a pump never fails for them).
    fn pump(&self, st: &mut State) -> Result<()> {
        if st.terminated {
            return Ok(());
        }
        let mut got = Vec::new();
        self.inner.dev.lock().poll_events(self.inner.q, &mut got)?;
        for r in got {
            st.file((r.completion, r.payload, r.view));
        }
        while let Some(&port) = st.to_close.last() {
            let user = st.user();
            if self.inner.dev.lock().submit(self.inner.q, &[Descriptor::close(port, user)]).is_err() {
                break;
            }
            st.to_close.pop();
            st.abandoned.insert(user, Some(port));
        }
        self.return_credits(st);
        Ok(())
    }

    /// Sends the credits owed to windowed connections (fire and forget:
    /// their completions are dropped; what does not fit the ring waits for
    /// the next pump).
    fn return_credits(&self, st: &mut State) {
        while let Some(&(port, count)) = st.to_credit.last() {
            let user = st.user();
            if self.inner.dev.lock().submit(self.inner.q, &[Descriptor::credit(port, count, user)]).is_err() {
                break;
            }
            st.to_credit.pop();
            st.abandoned.insert(user, None);
        }
    }

    /// Lets the device run. On a simulated device (or the model): waits
    /// for the context's interrupt for at most its share of
    /// [`IDLE_SLICE`], then hands the device to the next thread waiting for
    /// it. On a board or a card in another process: sleeps on the
    /// interrupt's eventfd for at most [`IRQ_SLEEP`] without holding the
    /// device, then takes the interrupt count.
    fn idle(&self) -> Result<()> {
        let shared = &self.inner.dev;
        let vector = self.inner.vector;
        let waiters = shared.idlers.fetch_add(1, Ordering::Relaxed) + 1;
        let mut dev = shared.dev.lock();
        let fd = match dev.transport().cycles() {
            None => dev.transport().irq_fd(vector).and_then(|fd| fd.try_clone_to_owned().ok()),
            Some(_) => None,
        };
        let r = match fd {
            Some(fd) => {
                DeviceGuard::unlock_fair(dev);
                wait_readable(&fd, IRQ_SLEEP);
                shared.dev.lock().transport_mut().wait_irq(vector, Duration::ZERO)
            }
            None => {
                let r = dev.transport_mut().wait_irq(vector, IDLE_SLICE / waiters);
                DeviceGuard::unlock_fair(dev);
                r
            }
        };
        shared.idlers.fetch_sub(1, Ordering::Relaxed);
        r?;
        Ok(())
    }

    /// The MSI vector the context's completions are signalled on.
    pub fn vector(&self) -> u32 {
        self.inner.vector
    }

    /// The context's queue pair.
    pub(crate) fn queue(&self) -> QueueId {
        self.inner.q
    }

    pub(crate) fn now(&self) -> DeviceClock {
        DeviceClock::start(self.inner.dev.lock().transport())
    }

    pub(crate) fn elapsed(&self, since: DeviceClock) -> Duration {
        since.elapsed(self.inner.dev.lock().transport())
    }
}

/// Abandons an operation when the future waiting for it is dropped.
struct AbandonOnDrop<'a, T: Transport> {
    ctx: &'a Context<T>,
    user: u64,
    armed: bool,
}

impl<T: Transport> AbandonOnDrop<'_, T> {
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl<T: Transport> Drop for AbandonOnDrop<'_, T> {
    fn drop(&mut self) {
        if self.armed {
            self.ctx.abandon(self.user);
        }
    }
}

/// Returns `Pending` once (waking itself at once), then `Ready`: lets the
/// executor run the other tasks.
async fn yield_once() {
    let mut yielded = false;
    poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}

impl<T: Transport> Drop for Inner<T> {
    fn drop(&mut self) {
        let terminated = self.state.get_mut().map(|s| s.terminated).unwrap_or(true);
        if !terminated {
            // The process is done with its context: what it still owns is
            // closed by the device, as when a process exits.
            let _ = self.dev.lock().teardown_queue(self.q);
        }
    }
}
