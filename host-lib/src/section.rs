//! Sections and views: ALPC's zero-copy mode.
//!
//! A message carries at most [`MAX_INLINE`](alpc_contract::geometry::MAX_INLINE)
//! bytes inline. Anything larger is shared instead: the sender registers
//! memory as a [`Section`], grants the peer of a connection a [`View`] of
//! it ([`CommunicationPort::share`]) and sends the view with a message
//! ([`CommunicationPort::send_view`], [`CommunicationPort::send_request_with_view`],
//! [`Context::reply_with_view`]). No byte of the view moves: the receiver's
//! [`Message::view`] says where the bytes are, and the receiver reads or
//! writes them in place ([`Context::read_view`], [`Context::write_view`]) or
//! has the device copy between the view and its own section
//! ([`Context::copy_from_view`], [`Context::copy_to_view`]).
//!
//! **Large messages** (ALPC's mode 3) are copied instead, by the device:
//! the receiver posts receive buffers in its own sections
//! ([`CommunicationPort::post_buffer`]); the sender sends up to 1 MiB from
//! its own section ([`CommunicationPort::send_large`]) and the engine
//! streams the bytes by DMA into the lowest-numbered buffer posted there
//! that is large enough, which is used up; the receiver reads them in its own memory
//! ([`Context::read_large`]). [`CommunicationPort::send_bytes`] picks the
//! mode by size: inline up to 256 bytes (ALPC's own threshold), a large
//! message above it (staged in a
//! section of the sender's; without a posted buffer the receiver answers
//! `RECEIVER_BUSY`). To share without any copy, send a view.
//!
//! The device keeps the section and view tables and checks every use it
//! makes (a view used outside its range, by a context it was not granted
//! to, after it was revoked, after its section was deleted or its owner
//! died gets an error). Before a CPU access (`read_view`, `write_view`) the
//! library asks the device the same question (a zero-length COPY through
//! the view), so a revoked view is refused there too; a revocation that
//! races with an access already under way is the two parties' to order.
//! Dropping a [`Section`] deletes it (revoking its views) and frees its
//! memory; dropping a [`View`] revokes it.
//!
//! ```
//! use alpc_host::{Access, Event, ModelTransport, PortAttributes, SharedDevice};
//! use futures::executor::block_on;
//! use futures::future::join;
//! use std::time::Duration;
//!
//! let wait = Duration::from_secs(1);
//! let dev = SharedDevice::open(ModelTransport::new(64 << 20))?;
//! let (server, client) = (dev.context(1)?, dev.context(2)?);
//! let port = server.create_port("big", PortAttributes::default())?;
//! let accept = async { port.accept(&port.listen_async(wait).await?, 0) };
//! let (conn, to_server) = block_on(join(accept, client.connect_async("big", b"", wait)));
//! let (conn, to_server) = (conn?, to_server?);
//!
//! // The server shares 1 MiB with its client: one datagram, no copy.
//! let section = server.create_section(1 << 20, Access::Read)?;
//! section.write(4096, b"the bytes in place")?;
//! let view = conn.share(&section, 0, 1 << 20, Access::Read)?;
//! conn.send_view(&view, b"here")?;
//!
//! let Event::Datagram(m) = to_server.receive(wait)? else { panic!() };
//! let got = m.view.expect("a view");
//! assert_eq!(got.length, 1 << 20);
//! let mut text = [0u8; 18];
//! client.read_view(&got, 4096, &mut text)?;
//! assert_eq!(&text, b"the bytes in place");
//! // Writing was not granted: the library and the device both refuse.
//! assert!(client.write_view(&got, 0, b"x").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::context::Context;
use crate::error::{Error, Result, StatusError};
use crate::message::{Message, MessageKind, PendingRequest};
use crate::port::CommunicationPort;
use crate::transport::{DmaBuffer, Transport};
use alpc_contract::desc::{view_ref, DESC_FLAG_DST_VIEW, DESC_FLAG_SRC_VIEW};
use alpc_contract::{access, geometry, Descriptor, ViewRecord};

/// Rights on a section or a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// The holder may read.
    Read,
    /// The holder may write.
    Write,
    /// Both.
    ReadWrite,
}

impl Access {
    /// The contract's access bits.
    pub fn bits(self) -> u32 {
        match self {
            Access::Read => access::READ,
            Access::Write => access::WRITE,
            Access::ReadWrite => access::ALL,
        }
    }

    /// Whether rights `bits` include these.
    fn within(self, bits: u32) -> bool {
        self.bits() & !bits == 0
    }
}

/// Memory of a context registered with the device; see the module
/// documentation. Deleted (its views revoked) and freed when dropped.
pub struct Section<T: Transport> {
    ctx: Context<T>,
    handle: u32,
    mem: Option<DmaBuffer>,
    access: Access,
}

impl<T: Transport> Section<T> {
    /// The section's handle.
    pub fn handle(&self) -> u32 {
        self.handle
    }

    /// Its size in bytes.
    pub fn len(&self) -> usize {
        self.mem.as_ref().map_or(0, DmaBuffer::len)
    }

    /// Whether it is empty (never: the device refuses empty sections).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The IOVA of its first byte.
    pub fn iova(&self) -> u64 {
        self.mem.as_ref().map_or(0, DmaBuffer::iova)
    }

    /// The rights it was registered with.
    pub fn access(&self) -> Access {
        self.access
    }

    fn mem(&self) -> Result<&DmaBuffer> {
        self.mem.as_ref().ok_or(Error::Closed("section"))
    }

    /// Writes `data` at `offset` (the owner's own memory).
    pub fn write(&self, offset: usize, data: &[u8]) -> Result<()> {
        let mem = self.mem()?;
        self.ctx.device().lock().write(mem, offset, data)
    }

    /// Reads `out.len()` bytes at `offset`.
    pub fn read(&self, offset: usize, out: &mut [u8]) -> Result<()> {
        let mem = self.mem()?;
        self.ctx.device().lock().read(mem, offset, out)
    }

    /// Deletes the section: every view of it is revoked at once, then its
    /// memory is freed.
    pub fn delete(mut self) -> Result<()> {
        self.release()
    }

    fn release(&mut self) -> Result<()> {
        let Some(mem) = self.mem.take() else { return Ok(()) };
        let r = self.ctx.call(|u| Descriptor::section_delete(self.handle, u), &[]);
        match &r {
            // Deleted, or already gone with its context: no view of it is
            // left, the memory may be reused.
            Ok(_) | Err(Error::Closed(_)) => self.ctx.device().lock().free(mem),
            Err(e) if e.status() == Some(StatusError::BadHandle) => self.ctx.device().lock().free(mem),
            // Not known to be deleted (a timeout, a full ring): views of it
            // may still be live in the device, so the memory is leaked
            // rather than handed to someone else.
            Err(_) => {}
        }
        r.map(|_| ())
    }
}

impl<T: Transport> Drop for Section<T> {
    fn drop(&mut self) {
        let _ = self.release();
    }
}

/// A view this context granted the peer of a connection; revoked when
/// dropped (or by [`View::revoke`]).
pub struct View<T: Transport> {
    ctx: Context<T>,
    port: u32,
    record: ViewRecord,
    live: bool,
}

impl<T: Transport> View<T> {
    /// The view's handle.
    pub fn handle(&self) -> u32 {
        self.record.handle
    }

    /// What its receiver learns: IOVA, size, handle, rights.
    pub fn record(&self) -> ViewRecord {
        self.record
    }

    /// Revokes the view: from now on the device refuses every use of it.
    /// (A view whose section was deleted is already revoked.)
    pub fn revoke(mut self) -> Result<()> {
        self.live = false;
        self.ctx.release_view(&self.record)
    }
}

impl<T: Transport> Drop for View<T> {
    fn drop(&mut self) {
        if self.live {
            let _ = self.ctx.release_view(&self.record);
        }
    }
}

/// Checks a CPU access to `[offset, offset + len)` of a received view.
fn in_view(view: &ViewRecord, offset: usize, len: usize, need: Access) -> Result<()> {
    if !need.within(view.access) {
        return Err(Error::Status { status: StatusError::AccessDenied, user_data: 0 });
    }
    if offset.checked_add(len).is_none_or(|end| end > view.length as usize) {
        return Err(Error::Status { status: StatusError::BadAddress, user_data: 0 });
    }
    Ok(())
}

/// Checks `[offset, offset + len)` against one of this context's sections.
fn in_section<T: Transport>(s: &Section<T>, offset: usize, len: u32) -> Result<()> {
    if offset.checked_add(len as usize).is_none_or(|end| end > s.len()) {
        return Err(Error::Status { status: StatusError::BadAddress, user_data: 0 });
    }
    Ok(())
}

impl<T: Transport> Context<T> {
    /// Allocates `len` bytes of device-visible memory and registers them as
    /// a section with rights `access`. Fails with `BAD_ARGUMENT` for an
    /// empty section, `BAD_ADDRESS` if the memory lies outside the window
    /// the privileged owner gave this context, `NO_RESOURCES` when the
    /// device's section table is full.
    pub fn create_section(&self, len: usize, access: Access) -> Result<Section<T>> {
        if len > u32::MAX as usize {
            return Err(Error::Status { status: StatusError::BadArgument, user_data: 0 });
        }
        let mem = self.device().lock().alloc(len)?;
        match self.call(|u| Descriptor::section_create(mem.iova(), len as u32, access.bits(), u), &[]) {
            Ok((c, ..)) => Ok(Section { ctx: self.clone(), handle: c.port, mem: Some(mem), access }),
            Err(e) => {
                self.device().lock().free(mem);
                Err(e)
            }
        }
    }

    /// Reads `out.len()` bytes at `offset` of a view granted to this
    /// context, in place (the CPU reads the shared memory; the device moves
    /// nothing). The device confirms first that the view is still granted.
    pub fn read_view(&self, view: &ViewRecord, offset: usize, out: &mut [u8]) -> Result<()> {
        self.check_view(view, offset, out.len(), Access::Read)?;
        let at = DmaBuffer::new(view.iova, view.length as usize);
        self.device().lock().read(&at, offset, out)
    }

    /// Writes `data` at `offset` of a view granted to this context with
    /// write rights, in place (after the device confirms the grant).
    pub fn write_view(&self, view: &ViewRecord, offset: usize, data: &[u8]) -> Result<()> {
        self.check_view(view, offset, data.len(), Access::Write)?;
        let at = DmaBuffer::new(view.iova, view.length as usize);
        self.device().lock().write(&at, offset, data)
    }

    /// Checks a CPU access against the record, then asks the device whether
    /// the view is still granted to this context with that right and covers
    /// the range: a zero-length COPY through it (its other side is this
    /// context's completion ring, untouched).
    fn check_view(&self, view: &ViewRecord, offset: usize, len: usize, need: Access) -> Result<()> {
        in_view(view, offset, len, need)?;
        let end = view_ref(view.handle, (offset + len) as u32);
        let ring = self.device().lock().cq_iova(self.queue())?;
        let d = match need {
            Access::Read => Descriptor { flags: DESC_FLAG_SRC_VIEW, ..Descriptor::copy(end, ring, 0, 0) },
            _ => Descriptor { flags: DESC_FLAG_DST_VIEW, ..Descriptor::copy(ring, end, 0, 0) },
        };
        self.call(|u| Descriptor { user_data: u, ..d }, &[]).map(|_| ())
    }

    /// Has the device copy `len` bytes from `offset` of a view granted to
    /// this context into `to` at `to_offset` (the view, its rights and range
    /// checked by the device; the range of `to` by the library).
    pub fn copy_from_view(&self, view: &ViewRecord, offset: u32, to: &Section<T>, to_offset: usize, len: u32) -> Result<()> {
        in_section(to, to_offset, len)?;
        let dst = to.iova() + to_offset as u64;
        self.call_copy(|u| Descriptor { flags: DESC_FLAG_SRC_VIEW, ..Descriptor::copy(view_ref(view.handle, offset), dst, len, u) })
            .map(|_| ())
    }

    /// Has the device copy `len` bytes from `from` at `from_offset` into a
    /// view granted to this context with write rights, at `offset`.
    pub fn copy_to_view(&self, from: &Section<T>, from_offset: usize, view: &ViewRecord, offset: u32, len: u32) -> Result<()> {
        in_section(from, from_offset, len)?;
        let src = from.iova() + from_offset as u64;
        self.call_copy(|u| Descriptor { flags: DESC_FLAG_DST_VIEW, ..Descriptor::copy(src, view_ref(view.handle, offset), len, u) })
            .map(|_| ())
    }

    /// The bytes of a large message (mode 3), read from the posted buffer
    /// of this context's that holds them; the device's error if it could
    /// not move them ([`Message::damaged`]).
    pub fn read_large(&self, message: &Message) -> Result<Vec<u8>> {
        let Some(rec) = message.view.filter(|_| message.large) else {
            return Err(Error::Status { status: StatusError::BadArgument, user_data: 0 });
        };
        if let Some(status) = message.damaged {
            return Err(Error::Status { status, user_data: 0 });
        }
        let mut out = vec![0u8; rec.length as usize];
        self.device().lock().read(&DmaBuffer::new(rec.iova, out.len()), 0, &mut out)?;
        Ok(out)
    }

    /// Gives up a view granted to this context (or revokes one it granted).
    pub fn release_view(&self, view: &ViewRecord) -> Result<()> {
        self.call(|u| Descriptor::view_revoke(view.handle, u), &[]).map(|_| ())
    }

    /// [`Context::reply`] carrying `view` (granted through the port the
    /// request came in on).
    pub fn reply_with_view(&self, request: &Message, payload: &[u8], view: &View<T>) -> Result<()> {
        if request.kind != MessageKind::Request {
            return Err(Error::Status { status: StatusError::BadReply, user_data: 0 });
        }
        check_view_payload(payload)?;
        let d = |u| Descriptor::reply(request.port, request.id, payload.len() as u32, u).with_view(view.handle());
        self.call(d, payload).map(|_| ())
    }
}

/// A message with a view leaves the end of the receive buffer to the
/// view record.
fn check_view_payload(payload: &[u8]) -> Result<()> {
    let max = geometry::MAX_VIEW_MESSAGE as usize;
    if payload.len() > max {
        return Err(Error::MessageTooLong { len: payload.len(), max });
    }
    Ok(())
}

impl<T: Transport> CommunicationPort<T> {
    /// Grants the peer of this connection `len` bytes of `section` from
    /// `offset` with rights `access` (a subset of the section's). Costs the
    /// same whatever the size.
    pub fn share(&self, section: &Section<T>, offset: usize, len: usize, access: Access) -> Result<View<T>> {
        let ctx = self.context();
        if offset > u32::MAX as usize || len > u32::MAX as usize {
            return Err(Error::Status { status: StatusError::BadAddress, user_data: 0 });
        }
        let d = |u| Descriptor::view_create(self.handle(), section.handle(), offset as u32, len as u32, access.bits(), u);
        let (c, ..) = ctx.call(d, &[])?;
        let record = ViewRecord { iova: section.iova() + offset as u64, length: len as u32, handle: c.port, access: access.bits() };
        Ok(View { ctx: ctx.clone(), port: self.handle(), record, live: true })
    }

    /// Posts a receive buffer for large messages arriving on this port:
    /// `len` bytes of `section` (this context's, writable) from `offset`.
    /// A large message uses it up; dropping the returned handle before
    /// takes it back.
    pub fn post_buffer(&self, section: &Section<T>, offset: usize, len: usize) -> Result<View<T>> {
        let ctx = self.context();
        in_section(section, offset, u32::try_from(len).unwrap_or(u32::MAX))?;
        let d = |u| Descriptor::post_buffer(self.handle(), section.handle(), offset as u32, len as u32, u);
        let (c, ..) = ctx.call(d, &[])?;
        let record = ViewRecord { iova: section.iova() + offset as u64, length: len as u32, handle: c.port, access: access::WRITE };
        Ok(View { ctx: ctx.clone(), port: self.handle(), record, live: true })
    }

    /// Sends `len` bytes of `section` (this context's) from `offset` as a
    /// large datagram (mode 3): the device copies them into a buffer the
    /// peer posted; `RECEIVER_BUSY` if it has none large enough.
    pub fn send_large(&self, section: &Section<T>, offset: usize, len: u32) -> Result<()> {
        in_section(section, offset, len)?;
        let src = section.iova() + offset as u64;
        self.context().call_copy(|u| Descriptor::large_datagram(self.handle(), src, len, u)).map(|_| ())
    }

    /// [`CommunicationPort::send_large`] as a request; the reply is
    /// awaited on the returned [`PendingRequest`].
    pub fn send_large_request(&self, section: &Section<T>, offset: usize, len: u32) -> Result<PendingRequest<T>> {
        in_section(section, offset, len)?;
        let (port, src) = (self.handle(), section.iova() + offset as u64);
        let user = self.context().submit(|u| Descriptor::large_request(port, src, len, u), &[])?;
        Ok(PendingRequest::new(self.context().clone(), port, user))
    }

    /// Sends `data` as a datagram in the mode its size calls for: inline up
    /// to 256 bytes (ALPC's threshold; the port's maximum message still
    /// applies), else as a large message staged in a section of this
    /// context's (see the module documentation).
    ///
    /// ```
    /// use alpc_host::{Access, Event, ModelTransport, PortAttributes, SharedDevice};
    /// use futures::executor::block_on;
    /// use futures::future::join;
    /// use std::time::Duration;
    ///
    /// let wait = Duration::from_secs(1);
    /// let dev = SharedDevice::open(ModelTransport::new(64 << 20))?;
    /// let (server, client) = (dev.context(1)?, dev.context(2)?);
    /// let port = server.create_port("upload", PortAttributes::default())?;
    /// let accept = async { port.accept(&port.listen_async(wait).await?, 0) };
    /// let (conn, to_server) = block_on(join(accept, client.connect_async("upload", b"", wait)));
    /// let (conn, to_server) = (conn?, to_server?);
    ///
    /// // The server posts a 64 KiB receive buffer; the client sends 50 000 bytes.
    /// let inbox = server.create_section(64 << 10, Access::ReadWrite)?;
    /// let _buffer = conn.post_buffer(&inbox, 0, 64 << 10)?;
    /// let data = vec![7u8; 50_000];
    /// to_server.send_bytes(&data)?; // too big to go inline: a large message
    /// let Event::Datagram(m) = conn.receive(wait)? else { panic!() };
    /// assert!(m.large && server.read_large(&m)? == data);
    /// // Small data goes inline.
    /// to_server.send_bytes(b"done")?;
    /// let Event::Datagram(m) = conn.receive(wait)? else { panic!() };
    /// assert!(!m.large && m.payload == b"done");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn send_bytes(&self, data: &[u8]) -> Result<()> {
        if data.len() <= geometry::MAX_INLINE as usize {
            return self.send_datagram(data);
        }
        let len = u32::try_from(data.len()).ok().filter(|&n| n <= geometry::MAX_COPY_LEN);
        let Some(len) = len else {
            return Err(Error::MessageTooLong { len: data.len(), max: geometry::MAX_COPY_LEN as usize });
        };
        let staging = self.context().create_section(data.len(), Access::Read)?;
        staging.write(0, data)?;
        // The engine has copied the bytes when the send completes.
        self.send_large(&staging, 0, len)
    }

    /// Sends a datagram carrying `view` (granted through this port).
    pub fn send_view(&self, view: &View<T>, payload: &[u8]) -> Result<()> {
        self.check_own(view, payload)?;
        let d = |u| Descriptor::datagram(self.handle(), payload.len() as u32, u).with_view(view.handle());
        self.context().call(d, payload).map(|_| ())
    }

    /// Sends a request carrying `view`; the reply is awaited on the
    /// returned [`PendingRequest`].
    pub fn send_request_with_view(&self, view: &View<T>, payload: &[u8]) -> Result<PendingRequest<T>> {
        self.check_own(view, payload)?;
        let port = self.handle();
        let user = self.context().submit(|u| Descriptor::request(port, payload.len() as u32, u).with_view(view.handle()), payload)?;
        Ok(PendingRequest::new(self.context().clone(), port, user))
    }

    fn check_own(&self, view: &View<T>, payload: &[u8]) -> Result<()> {
        check_view_payload(payload)?;
        if view.port != self.handle() {
            // The device would refuse it too (BAD_HANDLE); say so before.
            return Err(Error::Status { status: StatusError::BadHandle, user_data: 0 });
        }
        Ok(())
    }
}
