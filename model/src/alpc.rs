//! Semantic model of the ALPC engine (issue 4).
//!
//! This is the transaction-level definition of what the engine does with
//! ports, connections and messages: the oracle the RTL is compared against
//! (`tests/tests/ports.rs`, through the register-level [`crate::ModelDevice`]
//! that encodes and decodes around it), and the executable form of
//! `docs/alpc-engine.md`. It works on typed operations and events; the
//! bit-level encoding is in `alpc_contract`.
//!
//! The rules every operation follows:
//!
//! * **One completion per submission.** A context's submission is consumed
//!   only when its completion ring has a slot that nothing else has claimed;
//!   that slot is then *reserved* until the completion is posted, which may
//!   be much later (a request's reply, a connect's answer).
//! * **Nothing is lost.** A message or connection request is delivered only
//!   if the receiver has a free completion slot (and a free receive buffer
//!   when it carries a payload); otherwise the sender's submission completes
//!   with [`Status::ReceiverBusy`] and nothing was delivered. Every live
//!   communication port holds one reserved completion slot in its owner's
//!   ring for its `PORT_CLOSED` notice, and every outstanding request holds
//!   one receive buffer in the requester's ring for its reply, so notices
//!   and replies can always be delivered.
//! * **Handles are checked.** A handle is `generation << 16 | index`; a
//!   handle whose generation is stale, whose port belongs to another
//!   context, or whose kind does not fit the operation gives
//!   [`Status::BadHandle`]. Generations start at 1, so 0 is never valid.
//! * **Identities come from the context**, set by the privileged side; every
//!   event that carries a message or a connection carries its sender's.

use crate::sections::{SectionTable, ViewRecord};
use alpc_contract::{EventKind, Status};
use std::collections::{HashMap, VecDeque};

/// A port handle: `generation << 16 | index`.
pub type Handle = u32;

/// Largest payload carried inline (mode 1) by default, in bytes; the
/// hardware's limit is `alpc_contract::geometry::MAX_INLINE`
/// ([`AlpcModel::with_max_inline`]).
pub const MAX_INLINE: usize = 256;
/// Largest backlog of a connection port.
pub const MAX_BACKLOG: u32 = alpc_contract::geometry::MAX_BACKLOG;

/// A submission's operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Create a named connection port.
    CreatePort {
        /// Name id (non-zero).
        name: u32,
        /// Largest message on connections to this port (≤ [`MAX_INLINE`]).
        max_msg: u32,
        /// Pending connections allowed (1..=[`MAX_BACKLOG`]).
        backlog: u32,
        /// Only identities on its access list may connect ([`Op::Allow`]).
        restricted: bool,
        /// Messages each client may send before the server credits them
        /// back ([`Op::Credit`]); 0 = no window.
        window: u32,
    },
    /// Ask to connect to the port named `name`.
    Connect {
        /// Name id.
        name: u32,
        /// Connection message.
        payload: Vec<u8>,
    },
    /// Accept a pending connection.
    Accept {
        /// The connection port.
        port: Handle,
        /// The connection id from the CONNECTION_REQUEST (the client's port).
        client: Handle,
        /// Cookie carried by every event on the new server port.
        port_context: u64,
    },
    /// Refuse a pending connection.
    Reject {
        /// The connection port.
        port: Handle,
        /// The connection id.
        client: Handle,
    },
    /// One-way message.
    Datagram {
        /// Communication port.
        port: Handle,
        /// Payload.
        payload: Vec<u8>,
        /// A view this context granted through `port` (`DESC_FLAG_VIEW`).
        view: Option<Handle>,
        /// A large message instead (`DESC_FLAG_LARGE`): source IOVA and length.
        large: Option<(u64, u32)>,
    },
    /// Request expecting a reply; completes when the reply arrives.
    Request {
        /// Communication port.
        port: Handle,
        /// Payload.
        payload: Vec<u8>,
        /// A view this context granted through `port` (`DESC_FLAG_VIEW`).
        view: Option<Handle>,
        /// A large message instead (`DESC_FLAG_LARGE`): source IOVA and length.
        large: Option<(u64, u32)>,
    },
    /// Reply to a request received on `port`.
    Reply {
        /// Communication port the request came in on.
        port: Handle,
        /// The request's message id.
        msg_id: u32,
        /// Payload.
        payload: Vec<u8>,
        /// A view this context granted through `port` (`DESC_FLAG_VIEW`).
        view: Option<Handle>,
    },
    /// Withdraw an outstanding request this context sent on `port`, named
    /// by the user data it was sent with (the requester never learns the
    /// message id, which goes to the receiver); if several match, the one
    /// with the lowest request-table index.
    Cancel {
        /// Communication port the request was sent on.
        port: Handle,
        /// The request's user data.
        request: u64,
    },
    /// Close a port (connection or communication).
    Close {
        /// The port.
        port: Handle,
    },
    /// Give the peer of communication port `port` `count` more messages it
    /// may send (up to 255 in all).
    Credit {
        /// This context's communication port.
        port: Handle,
        /// Messages credited.
        count: u32,
    },
    /// Put an identity on a restricted connection port's access list.
    Allow {
        /// The connection port.
        port: Handle,
        /// The identity that may connect.
        identity: u32,
    },
    /// Register memory of the context (inside its window) as a section.
    SectionCreate {
        /// IOVA of the first byte.
        iova: u64,
        /// Size in bytes (non-zero).
        length: u32,
        /// Access bits (`alpc_contract::access`), as the descriptor holds them.
        access: u64,
    },
    /// Delete a section; its views are revoked.
    SectionDelete {
        /// The section.
        section: Handle,
    },
    /// Grant the peer of communication port `port` a view of a section.
    ViewCreate {
        /// The connection whose peer gets the view.
        port: Handle,
        /// A section of this context.
        section: Handle,
        /// First byte of the view in the section.
        offset: u32,
        /// Size of the view (non-zero).
        length: u32,
        /// Access bits, a subset of the section's.
        access: u32,
    },
    /// Revoke a view (its grantor) or give it up (its grantee).
    ViewRevoke {
        /// The view.
        view: Handle,
    },
    /// Post a receive buffer for large messages on communication port `port`.
    PostBuffer {
        /// This context's communication port.
        port: Handle,
        /// A section of this context (with write access).
        section: Handle,
        /// First byte of the buffer in the section.
        offset: u32,
        /// Size of the buffer.
        length: u32,
    },
}

/// A completion-ring entry, as the model produces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// Outcome.
    pub status: Status,
    /// The submission's user data, or the receiving port's context.
    pub user_data: u64,
    /// The receiving (or created) port of this context.
    pub port: Handle,
    /// Message id (requests, replies), or the connection id (connection
    /// requests).
    pub msg_id: u32,
    /// Identity of the sender (0 for events the context caused itself).
    pub identity: u32,
    /// Inline payload.
    pub payload: Vec<u8>,
    /// The view the message carries.
    pub view: Option<ViewRecord>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Free,
    Connection,
    ServerComm,
    ClientComm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Connecting,
    Connected,
    PeerClosed,
}

#[derive(Clone, Debug)]
struct Port {
    kind: Kind,
    state: State,
    owner: usize,
    peer: u16,
    generation: u16,
    max_msg: u32,
    name: u32,
    backlog: u32,
    pending: u32,
    context: u64,
    restricted: bool,
    /// Connection port: the window of its connections (0: none).
    window: u32,
    /// Client communication port with a window: messages it may still send.
    credits: Option<u32>,
}

#[derive(Clone, Debug)]
struct Req {
    live: bool,
    generation: u16,
    requester: usize,
    from_port: u16,
    to_port: u16,
    user_data: u64,
}

#[derive(Clone, Debug, Default)]
struct Ctx {
    enabled: bool,
    identity: u32,
    cq_capacity: usize,
    cq_used: usize,
    cq_reserved: usize,
    rq_capacity: usize,
    rq_used: usize,
    rq_reserved: usize,
}

impl Ctx {
    fn cq_free(&self) -> usize {
        self.cq_capacity.saturating_sub(self.cq_used + self.cq_reserved)
    }
    fn rq_free(&self) -> usize {
        self.rq_capacity.saturating_sub(self.rq_used + self.rq_reserved)
    }
}

/// Why a submission was not taken (the hardware would leave it in the SQ).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotTaken {
    /// The context is not enabled.
    Disabled,
    /// The completion ring has no unclaimed slot; retry after consuming.
    CqFull,
}

/// The model; see the module documentation.
pub struct AlpcModel {
    ports: Vec<Port>,
    free_ports: VecDeque<u16>,
    reqs: Vec<Req>,
    free_reqs: VecDeque<u16>,
    names: HashMap<u32, u16>,
    max_names: usize,
    /// Access lists of restricted connection ports: (port index, identity).
    acl: Vec<(u16, u32)>,
    max_inline: usize,
    ctxs: Vec<Ctx>,
    sections: SectionTable,
    large: Option<(u64, ViewRecord)>,
    out: Vec<(usize, Event)>,
}

/// What a DATAGRAM or REQUEST carries.
struct Body {
    payload: Vec<u8>,
    view: Option<Handle>,
    large: Option<(u64, u32)>,
}

fn handle(index: u16, generation: u16) -> Handle {
    (generation as u32) << 16 | index as u32
}

fn next_generation(g: u16) -> u16 {
    if g == u16::MAX {
        1
    } else {
        g + 1
    }
}

impl AlpcModel {
    /// A model with `contexts` contexts, `ports` port-table entries,
    /// `requests` request-table entries and `names` name-table entries.
    pub fn new(contexts: usize, ports: usize, requests: usize, names: usize) -> AlpcModel {
        assert!(ports <= 1 << 16 && requests <= 1 << 16);
        let port = Port {
            kind: Kind::Free,
            state: State::Connected,
            owner: 0,
            peer: 0,
            generation: 1,
            max_msg: 0,
            name: 0,
            backlog: 0,
            pending: 0,
            context: 0,
            restricted: false,
            window: 0,
            credits: None,
        };
        let req = Req {
            live: false,
            generation: 1,
            requester: 0,
            from_port: 0,
            to_port: 0,
            user_data: 0,
        };
        AlpcModel {
            ports: vec![port; ports],
            free_ports: (0..ports as u16).collect(),
            reqs: vec![req; requests],
            free_reqs: (0..requests as u16).collect(),
            names: HashMap::new(),
            max_names: names,
            acl: Vec::new(),
            max_inline: MAX_INLINE,
            ctxs: vec![Ctx::default(); contexts],
            sections: SectionTable::new(contexts),
            large: None,
            out: Vec::new(),
        }
    }

    /// The same model with another inline-payload limit (the hardware's is
    /// `alpc_contract::geometry::MAX_INLINE`).
    pub fn with_max_inline(mut self, max_inline: usize) -> AlpcModel {
        self.max_inline = max_inline;
        self
    }

    /// The section and view tables (COPY resolves views through them).
    pub fn sections(&self) -> &SectionTable {
        &self.sections
    }

    /// The section and view tables, mutable (windows are set here).
    pub fn sections_mut(&mut self) -> &mut SectionTable {
        &mut self.sections
    }

    /// Sets the identity the privileged side vouches for.
    pub fn set_identity(&mut self, ctx: usize, identity: u32) {
        self.ctxs[ctx].identity = identity;
    }

    /// Sets a context's completion-ring capacity and how many entries the
    /// host has not consumed yet (a register-level device derives both
    /// from the ring size and the head and tail indices).
    pub fn set_cq(&mut self, ctx: usize, capacity: usize, used: usize) {
        let c = &mut self.ctxs[ctx];
        c.cq_capacity = capacity;
        c.cq_used = used;
    }

    /// Completion slots of `ctx` reserved for completions and notices owed.
    pub fn cq_reserved(&self, ctx: usize) -> usize {
        self.ctxs[ctx].cq_reserved
    }

    /// Completion slots of `ctx` that are neither used nor reserved.
    pub fn cq_free(&self, ctx: usize) -> usize {
        self.ctxs[ctx].cq_free()
    }

    /// Enables context `ctx` with rings of the given capacities (a ring of
    /// E entries holds E − 1) and the identity the privileged side vouches
    /// for.
    pub fn enable(&mut self, ctx: usize, identity: u32, cq_capacity: usize, rq_capacity: usize) {
        self.ctxs[ctx] = Ctx {
            enabled: true,
            identity,
            cq_capacity,
            rq_capacity,
            ..Default::default()
        };
    }

    /// The host consumed `cq` completions and returned `rq` receive buffers.
    pub fn release(&mut self, ctx: usize, cq: usize, rq: usize) {
        let c = &mut self.ctxs[ctx];
        assert!(
            cq <= c.cq_used && rq <= c.rq_used,
            "releasing more than was delivered"
        );
        c.cq_used -= cq;
        c.rq_used -= rq;
    }

    /// Executes one submission of context `ctx`; returns every event it
    /// caused, in order, each with the context whose ring receives it.
    pub fn submit(
        &mut self,
        ctx: usize,
        user_data: u64,
        op: Op,
    ) -> Result<Vec<(usize, Event)>, NotTaken> {
        self.submit_detailed(ctx, user_data, op).map(|(events, _)| events)
    }

    /// [`AlpcModel::submit`], also telling whether the submission completed
    /// at once (its completion is then the last event) or later (a
    /// connect's answer, a request's reply).
    pub fn submit_detailed(
        &mut self,
        ctx: usize,
        user_data: u64,
        op: Op,
    ) -> Result<(Vec<(usize, Event)>, bool), NotTaken> {
        let c = &self.ctxs[ctx];
        if !c.enabled {
            return Err(NotTaken::Disabled);
        }
        if c.cq_free() == 0 {
            return Err(NotTaken::CqFull);
        }
        self.ctxs[ctx].cq_reserved += 1; // this submission's completion
        let done = |status: Status, port: Handle| Event {
            kind: EventKind::Done,
            status,
            user_data,
            port,
            msg_id: 0,
            identity: 0,
            payload: Vec::new(),
            view: None,
        };
        let immediate = match op {
            Op::CreatePort {
                name,
                max_msg,
                backlog,
                restricted,
                window,
            } => Some(self.create_port(ctx, name, max_msg, backlog, restricted, window, done)),
            Op::Credit { port, count } => Some(self.credit(ctx, port, count, done)),
            Op::Allow { port, identity } => Some(self.allow(ctx, port, identity, done)),
            Op::Connect { name, payload } => self.connect(ctx, user_data, name, payload, done),
            Op::Accept {
                port,
                client,
                port_context,
            } => Some(self.answer(ctx, port, client, Some(port_context), done)),
            Op::Reject { port, client } => Some(self.answer(ctx, port, client, None, done)),
            Op::Datagram { port, payload, view, large } => {
                Some(self.send(ctx, user_data, port, Body { payload, view, large }, false, done))
            }
            Op::Request { port, payload, view, large } => {
                let e = self.send(ctx, user_data, port, Body { payload, view, large }, true, done);
                if e.status == Status::Ok {
                    None // completes with the reply
                } else {
                    Some(Event {
                        kind: EventKind::Reply,
                        ..e
                    })
                }
            }
            Op::Reply {
                port,
                msg_id,
                payload,
                view,
            } => Some(self.reply(ctx, port, msg_id, payload, view, done)),
            Op::Cancel { port, request } => Some(self.cancel(ctx, port, request, done)),
            Op::Close { port } => Some(self.close(ctx, port, done)),
            Op::SectionCreate { iova, length, access } => Some(match self.sections.create_section(ctx, iova, length, access) {
                Ok(h) => done(Status::Ok, h),
                Err(s) => done(s, 0),
            }),
            Op::SectionDelete { section } => {
                Some(done(self.sections.delete_section(ctx, section).err().unwrap_or(Status::Ok), section))
            }
            Op::ViewCreate { port, section, offset, length, access } => {
                Some(match self.view_create(ctx, port, section, offset, length, Some(access)) {
                    Ok(h) => done(Status::Ok, h),
                    Err(s) => done(s, 0),
                })
            }
            Op::ViewRevoke { view } => Some(done(self.sections.revoke_view(ctx, view).err().unwrap_or(Status::Ok), view)),
            Op::PostBuffer { port, section, offset, length } => {
                Some(match self.view_create(ctx, port, section, offset, length, None) {
                    Ok(h) => done(Status::Ok, h),
                    Err(s) => done(s, 0),
                })
            }
        };
        let now = immediate.is_some();
        if let Some(e) = immediate {
            self.post_reserved(ctx, e);
        }
        Ok((std::mem::take(&mut self.out), now))
    }

    /// The context died (the privileged side tears it down): its ports are
    /// closed with notices to their peers, requests towards it fail, its
    /// own outstanding requests and pending connects vanish.
    pub fn teardown(&mut self, ctx: usize) -> Vec<(usize, Event)> {
        for i in 0..self.reqs.len() {
            if self.reqs[i].live && self.reqs[i].requester == ctx {
                self.free_req(i as u16);
            }
        }
        for i in 0..self.ports.len() {
            let p = &self.ports[i];
            if p.kind != Kind::Free && p.owner == ctx {
                self.close_port(ctx, i as u16, true);
            }
        }
        self.sections.teardown(ctx);
        self.ctxs[ctx] = Ctx::default();
        std::mem::take(&mut self.out)
    }

    /// VIEW_CREATE (`access`), or POST_BUFFER (`None`): the port checks of
    /// a send, then the section's.
    fn view_create(
        &mut self,
        ctx: usize,
        port: Handle,
        section: Handle,
        offset: u32,
        length: u32,
        access: Option<u32>,
    ) -> Result<Handle, Status> {
        let pi = self.lookup(ctx, port, &[Kind::ServerComm, Kind::ClientComm]).ok_or(Status::BadHandle)?;
        let p = &self.ports[pi as usize];
        match p.state {
            State::PeerClosed => return Err(Status::PeerClosed),
            State::Connecting => return Err(Status::NotConnected),
            State::Connected => {}
        }
        let grantee = self.ports[p.peer as usize].owner;
        match access {
            Some(access) => self.sections.create_view(ctx, section, offset, length, access, grantee, pi),
            None => self.sections.post_buffer(ctx, section, offset, length, pi),
        }
    }

    /// The large message the last submission delivered, if any: its
    /// source IOVA and the receive buffer it goes to (the register-level
    /// device copies the bytes).
    pub fn take_large(&mut self) -> Option<(u64, ViewRecord)> {
        self.large.take()
    }

    fn post(&mut self, ctx: usize, e: Event) {
        let c = &mut self.ctxs[ctx];
        c.cq_used += 1;
        if !e.payload.is_empty() {
            c.rq_used += 1;
        }
        self.out.push((ctx, e));
    }

    /// Posts an event into a slot reserved earlier.
    fn post_reserved(&mut self, ctx: usize, e: Event) {
        self.ctxs[ctx].cq_reserved = self.ctxs[ctx].cq_reserved.saturating_sub(1);
        self.post(ctx, e);
    }

    fn lookup(&self, ctx: usize, h: Handle, kinds: &[Kind]) -> Option<u16> {
        let i = (h & 0xFFFF) as usize;
        let p = self.ports.get(i)?;
        (p.generation as u32 == h >> 16 && p.owner == ctx && kinds.contains(&p.kind))
            .then_some(i as u16)
    }

    fn alloc_port(&mut self, p: Port) -> Option<u16> {
        let i = self.free_ports.pop_front()?;
        let generation = self.ports[i as usize].generation;
        self.ports[i as usize] = Port { generation, ..p };
        Some(i)
    }

    fn free_port(&mut self, i: u16) {
        let p = &mut self.ports[i as usize];
        p.kind = Kind::Free;
        p.generation = next_generation(p.generation);
        self.free_ports.push_back(i);
    }

    fn free_req(&mut self, i: u16) {
        let r = &mut self.reqs[i as usize];
        r.live = false;
        r.generation = next_generation(r.generation);
        self.free_reqs.push_back(i);
    }

    fn h(&self, i: u16) -> Handle {
        handle(i, self.ports[i as usize].generation)
    }

    #[allow(clippy::too_many_arguments)] // the operation's fields, as the descriptor has them
    fn create_port(
        &mut self,
        ctx: usize,
        name: u32,
        max_msg: u32,
        backlog: u32,
        restricted: bool,
        window: u32,
        done: impl Fn(Status, Handle) -> Event,
    ) -> Event {
        if name == 0 || max_msg as usize > self.max_inline || backlog == 0 || backlog > MAX_BACKLOG {
            return done(Status::BadArgument, 0);
        }
        if self.names.contains_key(&name) {
            return done(Status::NameExists, 0);
        }
        if self.names.len() >= self.max_names {
            return done(Status::NoResources, 0);
        }
        let port = Port {
            kind: Kind::Connection,
            state: State::Connected,
            owner: ctx,
            peer: 0,
            generation: 0,
            max_msg,
            name,
            backlog,
            pending: 0,
            context: 0,
            restricted,
            window,
            credits: None,
        };
        match self.alloc_port(port) {
            Some(i) => {
                self.names.insert(name, i);
                done(Status::Ok, self.h(i))
            }
            None => done(Status::NoResources, 0),
        }
    }

    fn connect(
        &mut self,
        ctx: usize,
        user_data: u64,
        name: u32,
        payload: Vec<u8>,
        done: impl Fn(Status, Handle) -> Event,
    ) -> Option<Event> {
        let reply = |e: Event| {
            Some(Event {
                kind: EventKind::ConnectionReply,
                ..e
            })
        };
        let Some(&conn) = self.names.get(&name) else {
            return reply(done(Status::NoSuchName, 0));
        };
        let cp = self.ports[conn as usize].clone();
        // A restricted port's access list is checked first: the server
        // never hears of a refused identity.
        if cp.restricted && !self.acl.contains(&(conn, self.ctxs[ctx].identity)) {
            return reply(done(Status::AccessDenied, 0));
        }
        if payload.len() > cp.max_msg as usize {
            return reply(done(Status::TooLarge, 0));
        }
        if cp.pending >= cp.backlog {
            return reply(done(Status::BacklogFull, 0));
        }
        // The client's future PORT_CLOSED notice needs a slot of its own.
        if self.ctxs[ctx].cq_free() == 0 {
            return reply(done(Status::NoResources, 0));
        }
        let server = &self.ctxs[cp.owner];
        if server.cq_free() == 0 || (!payload.is_empty() && server.rq_free() == 0) {
            return reply(done(Status::ReceiverBusy, 0));
        }
        let client = Port {
            kind: Kind::ClientComm,
            state: State::Connecting,
            owner: ctx,
            peer: conn,
            generation: 0,
            max_msg: cp.max_msg,
            name: 0,
            backlog: 0,
            pending: 0,
            context: user_data,
            restricted: false,
            window: 0,
            credits: None,
        };
        let Some(ci) = self.alloc_port(client) else {
            return reply(done(Status::NoResources, 0));
        };
        self.ctxs[ctx].cq_reserved += 1; // notice slot
        self.ports[conn as usize].pending += 1;
        let ev = Event {
            kind: EventKind::ConnectionRequest,
            status: Status::Ok,
            user_data: cp.context,
            port: self.h(conn),
            msg_id: self.h(ci),
            identity: self.ctxs[ctx].identity,
            payload,
            view: None,
        };
        self.post(cp.owner, ev);
        None // completes when the server answers
    }

    /// Accept (`port_context` is `Some`) or reject a pending connection.
    fn answer(
        &mut self,
        ctx: usize,
        port: Handle,
        client: Handle,
        port_context: Option<u64>,
        done: impl Fn(Status, Handle) -> Event,
    ) -> Event {
        let Some(conn) = self.lookup(ctx, port, &[Kind::Connection]) else {
            return done(Status::BadHandle, 0);
        };
        let ci = (client & 0xFFFF) as u16;
        let ok = self.ports.get(ci as usize).is_some_and(|p| {
            p.kind == Kind::ClientComm
                && p.state == State::Connecting
                && p.peer == conn
                && p.generation as u32 == client >> 16
        });
        if !ok {
            return done(Status::BadHandle, 0);
        }
        let cport = self.ports[ci as usize].clone();
        let Some(context) = port_context else {
            self.refuse(ci, Status::Refused);
            return done(Status::Ok, 0);
        };
        if self.ctxs[ctx].cq_free() == 0 {
            return done(Status::NoResources, 0);
        }
        let server = Port {
            kind: Kind::ServerComm,
            state: State::Connected,
            owner: ctx,
            peer: ci,
            generation: 0,
            max_msg: cport.max_msg,
            name: 0,
            backlog: 0,
            pending: 0,
            context,
            restricted: false,
            window: 0,
            credits: None,
        };
        let Some(si) = self.alloc_port(server) else {
            return done(Status::NoResources, 0);
        };
        self.ctxs[ctx].cq_reserved += 1; // notice slot of the server port
        self.ports[conn as usize].pending -= 1;
        let window = self.ports[conn as usize].window;
        let c = &mut self.ports[ci as usize];
        c.state = State::Connected;
        c.peer = si;
        c.credits = (window > 0).then_some(window);
        let ev = Event {
            kind: EventKind::ConnectionReply,
            status: Status::Ok,
            user_data: cport.context,
            port: self.h(ci),
            msg_id: 0,
            identity: self.ctxs[ctx].identity,
            payload: Vec::new(),
            view: None,
        };
        self.post_reserved(cport.owner, ev);
        done(Status::Ok, self.h(si))
    }

    /// CREDIT: the peer of `port` may send `count` more messages (a peer
    /// without a window is unaffected).
    fn credit(&mut self, ctx: usize, port: Handle, count: u32, done: impl Fn(Status, Handle) -> Event) -> Event {
        let Some(pi) = self.lookup(ctx, port, &[Kind::ServerComm, Kind::ClientComm]) else {
            return done(Status::BadHandle, port);
        };
        let p = &self.ports[pi as usize];
        match p.state {
            State::PeerClosed => return done(Status::PeerClosed, port),
            State::Connecting => return done(Status::NotConnected, port),
            State::Connected => {}
        }
        let peer = p.peer as usize;
        if let Some(c) = &mut self.ports[peer].credits {
            *c = (*c as u64 + count as u64).min(alpc_contract::geometry::MAX_WINDOW as u64) as u32;
        }
        done(Status::Ok, port)
    }

    /// ALLOW: `identity` may connect to restricted connection port `port`.
    fn allow(&mut self, ctx: usize, port: Handle, identity: u32, done: impl Fn(Status, Handle) -> Event) -> Event {
        let Some(conn) = self.lookup(ctx, port, &[Kind::Connection]) else {
            return done(Status::BadHandle, port);
        };
        if !self.ports[conn as usize].restricted {
            return done(Status::BadArgument, port);
        }
        if !self.acl.contains(&(conn, identity)) {
            if self.acl.len() >= alpc_contract::geometry::ACL_ENTRIES {
                return done(Status::NoResources, port);
            }
            self.acl.push((conn, identity));
        }
        done(Status::Ok, port)
    }

    /// Fails a pending connect: the client's connect completes with
    /// `status`, its port and notice slot are released.
    fn refuse(&mut self, ci: u16, status: Status) {
        let c = self.ports[ci as usize].clone();
        self.ports[c.peer as usize].pending -= 1;
        let owner = &mut self.ctxs[c.owner];
        owner.cq_reserved = owner.cq_reserved.saturating_sub(1); // notice slot
        let ev = Event {
            kind: EventKind::ConnectionReply,
            status,
            user_data: c.context,
            port: 0,
            msg_id: 0,
            identity: 0,
            payload: Vec::new(),
            view: None,
        };
        self.post_reserved(c.owner, ev);
        self.free_port(ci);
    }

    #[allow(clippy::too_many_arguments)] // the operation's fields, as the descriptor has them
    fn send(
        &mut self,
        ctx: usize,
        user_data: u64,
        port: Handle,
        body: Body,
        request: bool,
        done: impl Fn(Status, Handle) -> Event,
    ) -> Event {
        let Body { payload, view, large } = body;
        let Some(pi) = self.lookup(ctx, port, &[Kind::ServerComm, Kind::ClientComm]) else {
            return done(Status::BadHandle, port);
        };
        let p = self.ports[pi as usize].clone();
        if p.state != State::Connected {
            let s = if p.state == State::PeerClosed {
                Status::PeerClosed
            } else {
                Status::NotConnected
            };
            return done(s, port);
        }
        if let Some((src, len)) = large {
            // A large message: its bytes must be the sender's.
            if !crate::sections::in_window(self.sections.window(ctx), src, len as u64) {
                return done(Status::BadAddress, port);
            }
        } else if payload.len() > p.max_msg as usize {
            return done(Status::TooLarge, port);
        }
        let to = self.ports[p.peer as usize].owner;
        let record = match view.map(|v| self.sections.attach(ctx, v, pi, to, payload.len())).transpose() {
            Ok(r) => r,
            Err(s) => return done(s, port),
        };
        let peer = self.ports[p.peer as usize].clone();
        // The connection's window first, then the receiver's ring.
        let rx = &self.ctxs[peer.owner];
        if p.credits == Some(0) || rx.cq_free() == 0 || (!payload.is_empty() && rx.rq_free() == 0) {
            return done(Status::ReceiverBusy, port);
        }
        if request && (self.ctxs[ctx].rq_free() == 0 || self.free_reqs.is_empty()) {
            return done(Status::NoResources, port);
        }
        // A large message takes a receive buffer posted on the peer port
        // (nothing is used up before every other check passed).
        let mut record = record;
        if let Some((src, len)) = large {
            match self.sections.take_posted(p.peer, peer.owner, len) {
                Ok(r) => {
                    self.large = Some((src, r));
                    record = Some(r);
                }
                Err(s) => return done(s, port),
            }
        }
        let mut msg_id = 0;
        if request {
            // The reply's receive buffer is claimed now, so it always fits.
            let Some(ri) = self.free_reqs.pop_front() else {
                return done(Status::NoResources, port);
            };
            let r = &mut self.reqs[ri as usize];
            *r = Req {
                live: true,
                generation: r.generation,
                requester: ctx,
                from_port: pi,
                to_port: p.peer,
                user_data,
            };
            msg_id = handle(ri, r.generation);
            self.ctxs[ctx].rq_reserved += 1;
        }
        let ev = Event {
            kind: if request {
                EventKind::Request
            } else {
                EventKind::Datagram
            },
            status: Status::Ok,
            user_data: peer.context,
            port: self.h(p.peer),
            msg_id,
            identity: self.ctxs[ctx].identity,
            payload,
            view: record,
        };
        self.post(peer.owner, ev);
        if let Some(c) = &mut self.ports[pi as usize].credits {
            *c -= 1;
        }
        done(Status::Ok, port)
    }

    /// Finds the live request `msg_id`; `check` says who may touch it.
    fn find_req(&self, msg_id: u32, check: impl Fn(&Req) -> bool) -> Option<u16> {
        let i = (msg_id & 0xFFFF) as usize;
        let r = self.reqs.get(i)?;
        (r.live && r.generation as u32 == msg_id >> 16 && check(r)).then_some(i as u16)
    }

    /// Completes request `ri` to its requester with `status` and `payload`.
    fn finish_req(&mut self, ri: u16, status: Status, identity: u32, payload: Vec<u8>, view: Option<ViewRecord>) {
        let r = self.reqs[ri as usize].clone();
        let msg_id = handle(ri, r.generation);
        self.ctxs[r.requester].rq_reserved -= 1;
        let ev = Event {
            kind: EventKind::Reply,
            status,
            user_data: r.user_data,
            port: self.h(r.from_port),
            msg_id,
            identity,
            payload,
            view,
        };
        self.post_reserved(r.requester, ev);
        self.free_req(ri);
    }

    fn reply(
        &mut self,
        ctx: usize,
        port: Handle,
        msg_id: u32,
        payload: Vec<u8>,
        view: Option<Handle>,
        done: impl Fn(Status, Handle) -> Event,
    ) -> Event {
        let Some(pi) = self.lookup(ctx, port, &[Kind::ServerComm, Kind::ClientComm]) else {
            return done(Status::BadHandle, port);
        };
        let Some(ri) = self.find_req(msg_id, |r| r.to_port == pi) else {
            return done(Status::BadReply, port);
        };
        if payload.len() > self.ports[pi as usize].max_msg as usize {
            return done(Status::TooLarge, port);
        }
        let to = self.reqs[ri as usize].requester;
        let record = match view.map(|v| self.sections.attach(ctx, v, pi, to, payload.len())).transpose() {
            Ok(r) => r,
            Err(s) => return done(s, port),
        };
        let identity = self.ctxs[ctx].identity;
        self.finish_req(ri, Status::Ok, identity, payload, record);
        done(Status::Ok, port)
    }

    fn cancel(
        &mut self,
        ctx: usize,
        port: Handle,
        request: u64,
        done: impl Fn(Status, Handle) -> Event,
    ) -> Event {
        let Some(pi) = self.lookup(ctx, port, &[Kind::ServerComm, Kind::ClientComm]) else {
            return done(Status::BadHandle, port);
        };
        let found = self
            .reqs
            .iter()
            .position(|r| r.live && r.requester == ctx && r.from_port == pi && r.user_data == request);
        let Some(ri) = found.map(|i| i as u16) else {
            return done(Status::BadReply, port);
        };
        self.finish_req(ri, Status::Canceled, 0, Vec::new(), None);
        done(Status::Ok, port)
    }

    fn close(
        &mut self,
        ctx: usize,
        port: Handle,
        done: impl Fn(Status, Handle) -> Event,
    ) -> Event {
        let Some(pi) = self.lookup(
            ctx,
            port,
            &[Kind::Connection, Kind::ServerComm, Kind::ClientComm],
        ) else {
            return done(Status::BadHandle, port);
        };
        self.close_port(ctx, pi, false);
        done(Status::Ok, port)
    }

    /// Closes port `pi` of `ctx` (`died`: the whole context is going away).
    fn close_port(&mut self, ctx: usize, pi: u16, died: bool) {
        let p = self.ports[pi as usize].clone();
        match p.kind {
            Kind::Free => {}
            Kind::Connection => {
                self.names.remove(&p.name);
                self.acl.retain(|&(port, _)| port != pi);
                // Pending connects to this port are refused.
                for ci in 0..self.ports.len() as u16 {
                    let c = &self.ports[ci as usize];
                    if c.kind == Kind::ClientComm && c.state == State::Connecting && c.peer == pi {
                        self.refuse(ci, Status::Refused);
                    }
                }
                self.free_port(pi);
            }
            Kind::ClientComm if p.state == State::Connecting => {
                if died {
                    // Nobody is left to tell; the server's request goes stale.
                    self.ports[p.peer as usize].pending -= 1;
                    self.free_port(pi);
                } else {
                    // Withdrawing a connect: the connect completes as closed.
                    self.refuse(pi, Status::PortClosed);
                }
            }
            Kind::ServerComm | Kind::ClientComm => {
                let identity = self.ctxs[ctx].identity;
                // Requests on this connection, in request-table order.
                for ri in 0..self.reqs.len() as u16 {
                    let r = &self.reqs[ri as usize];
                    if !r.live {
                        continue;
                    }
                    if r.from_port == pi {
                        if died {
                            self.free_req(ri); // nobody left to tell
                        } else {
                            self.finish_req(ri, Status::PortClosed, 0, Vec::new(), None);
                        }
                    } else if r.to_port == pi {
                        self.finish_req(ri, Status::PeerClosed, identity, Vec::new(), None);
                    }
                }
                if p.state == State::Connected {
                    let peer = self.ports[p.peer as usize].clone();
                    self.ports[p.peer as usize].state = State::PeerClosed;
                    let ev = Event {
                        kind: EventKind::PortClosed,
                        status: if died {
                            Status::PeerClosed
                        } else {
                            Status::Ok
                        },
                        user_data: peer.context,
                        port: self.h(p.peer),
                        msg_id: 0,
                        identity,
                        payload: Vec::new(),
                        view: None,
                    };
                    self.post_reserved(peer.owner, ev); // the peer's notice slot
                }
                if !died && p.state == State::Connected {
                    // Our notice slot is no longer needed (a peer-closed
                    // port's notice was delivered into it already).
                    self.ctxs[ctx].cq_reserved = self.ctxs[ctx].cq_reserved.saturating_sub(1);
                }
                self.free_port(pi);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: usize = 0;
    const CLIENT: usize = 1;
    const OTHER: usize = 2;

    fn model() -> AlpcModel {
        let mut m = AlpcModel::new(4, 16, 8, 4);
        m.enable(SERVER, 1000, 63, 63);
        m.enable(CLIENT, 2000, 63, 63);
        m.enable(OTHER, 3000, 63, 63);
        m
    }

    fn only(ev: Vec<(usize, Event)>) -> (usize, Event) {
        assert_eq!(ev.len(), 1, "{ev:?}");
        ev.into_iter().next().unwrap()
    }

    /// Server creates a port, client connects, server accepts: both ends
    /// get their handles and each learns the other's verified identity.
    fn connected(m: &mut AlpcModel) -> (Handle, Handle, Handle) {
        connected_on(m, 77)
    }

    fn connected_on(m: &mut AlpcModel, name: u32) -> (Handle, Handle, Handle) {
        let (_, e) = only(
            m.submit(
                SERVER,
                1,
                Op::CreatePort {
                    name,
                    max_msg: 256,
                    backlog: 2,
                    restricted: false,
                    window: 0,
                },
            )
            .unwrap(),
        );
        assert_eq!((e.kind, e.status), (EventKind::Done, Status::Ok));
        let conn = e.port;
        let (to, req) = only(
            m.submit(
                CLIENT,
                2,
                Op::Connect {
                    name,
                    payload: b"hi".to_vec(),
                },
            )
            .unwrap(),
        );
        assert_eq!(
            (to, req.kind, req.identity, req.payload.as_slice()),
            (SERVER, EventKind::ConnectionRequest, 2000, &b"hi"[..])
        );
        let ev = m
            .submit(
                SERVER,
                3,
                Op::Accept {
                    port: conn,
                    client: req.msg_id,
                    port_context: 0xC0FFEE,
                },
            )
            .unwrap();
        assert_eq!(ev.len(), 2);
        let (c, reply) = &ev[0];
        assert_eq!(
            (
                *c,
                reply.kind,
                reply.status,
                reply.user_data,
                reply.identity
            ),
            (CLIENT, EventKind::ConnectionReply, Status::Ok, 2, 1000)
        );
        let (s, acc) = &ev[1];
        assert_eq!(
            (*s, acc.kind, acc.status, acc.user_data),
            (SERVER, EventKind::Done, Status::Ok, 3)
        );
        (conn, acc.port, reply.port)
    }

    /// A port whose peer closed first had its notice slot filled by the
    /// PORT_CLOSED event; closing it afterwards releases only the CLOSE's
    /// own slot, not a notice slot it no longer holds.
    #[test]
    fn closing_a_peer_closed_port_keeps_the_other_reservations() {
        let mut m = model();
        let (_, sp, cp) = connected(&mut m);
        let _ = connected_on(&mut m, 78);
        // The client holds the notice slots of its two ports.
        assert_eq!(m.cq_reserved(CLIENT), 2);
        m.submit(CLIENT, 8, Op::Request { port: cp, payload: Vec::new(), view: None, large: None }).unwrap();
        // ...and the request's slot, kept until its REPLY.
        assert_eq!(m.cq_reserved(CLIENT), 3);
        let ev = m.submit(SERVER, 9, Op::Close { port: sp }).unwrap();
        // REPLY (PEER_CLOSED) and PORT_CLOSED fill two of them.
        assert_eq!(ev.iter().filter(|(c, _)| *c == CLIENT).count(), 2, "{ev:?}");
        assert_eq!(m.cq_reserved(CLIENT), 1);
        m.submit(CLIENT, 10, Op::Close { port: cp }).unwrap();
        assert_eq!(m.cq_reserved(CLIENT), 1, "the other port's notice slot must stay");
    }

    #[test]
    fn request_reply_round_trip() {
        let mut m = model();
        let (_, sport, cport) = connected(&mut m);
        let (to, rq) = only(
            m.submit(
                CLIENT,
                10,
                Op::Request {
                    port: cport,
                    payload: b"ping".to_vec(),
                    view: None, large: None,
                },
            )
            .unwrap(),
        );
        assert_eq!(
            (to, rq.kind, rq.port, rq.user_data, rq.identity),
            (SERVER, EventKind::Request, sport, 0xC0FFEE, 2000)
        );
        assert_eq!(rq.payload, b"ping");
        let ev = m
            .submit(
                SERVER,
                12,
                Op::Reply {
                    port: sport,
                    msg_id: rq.msg_id,
                    payload: b"pong".to_vec(),
                    view: None,
                },
            )
            .unwrap();
        assert_eq!(ev.len(), 2);
        let (c, rep) = &ev[0];
        assert_eq!(
            (
                *c,
                rep.kind,
                rep.status,
                rep.user_data,
                rep.msg_id,
                rep.identity
            ),
            (CLIENT, EventKind::Reply, Status::Ok, 10, rq.msg_id, 1000)
        );
        assert_eq!(rep.payload, b"pong");
        assert_eq!((ev[1].0, ev[1].1.status), (SERVER, Status::Ok));
        // A second reply to the same request is refused.
        let (_, e) = only(
            m.submit(
                SERVER,
                13,
                Op::Reply {
                    port: sport,
                    msg_id: rq.msg_id,
                    payload: vec![],
                    view: None,
                },
            )
            .unwrap(),
        );
        assert_eq!(e.status, Status::BadReply);
        // Datagrams carry the sender's identity and need no reply.
        let (to, d) = only(
            m.submit(
                SERVER,
                14,
                Op::Datagram {
                    port: sport,
                    payload: vec![1, 2],
                    view: None, large: None,
                },
            )
            .unwrap()
            .into_iter()
            .take(1)
            .collect(),
        );
        assert_eq!(
            (to, d.kind, d.identity, d.port, d.user_data),
            (CLIENT, EventKind::Datagram, 1000, cport, 2)
        );
    }

    #[test]
    fn rejected_client_learns_it() {
        let mut m = model();
        let (_, e) = only(
            m.submit(
                SERVER,
                1,
                Op::CreatePort {
                    name: 5,
                    max_msg: 64,
                    backlog: 1,
                    restricted: false,
                    window: 0,
                },
            )
            .unwrap(),
        );
        let (_, req) = only(
            m.submit(
                CLIENT,
                2,
                Op::Connect {
                    name: 5,
                    payload: vec![],
                },
            )
            .unwrap(),
        );
        // Backlog of 1: a second client waits its turn.
        let (_, busy) = only(
            m.submit(
                OTHER,
                3,
                Op::Connect {
                    name: 5,
                    payload: vec![],
                },
            )
            .unwrap(),
        );
        assert_eq!(busy.status, Status::BacklogFull);
        let ev = m
            .submit(
                SERVER,
                4,
                Op::Reject {
                    port: e.port,
                    client: req.msg_id,
                },
            )
            .unwrap();
        assert_eq!(
            (ev[0].0, ev[0].1.kind, ev[0].1.status),
            (CLIENT, EventKind::ConnectionReply, Status::Refused)
        );
        // The connection id is dead now.
        let (_, e2) = only(
            m.submit(
                SERVER,
                5,
                Op::Accept {
                    port: e.port,
                    client: req.msg_id,
                    port_context: 0,
                },
            )
            .unwrap(),
        );
        assert_eq!(e2.status, Status::BadHandle);
        assert_eq!(
            only(
                m.submit(
                    CLIENT,
                    6,
                    Op::Connect {
                        name: 9,
                        payload: vec![]
                    }
                )
                .unwrap()
            )
            .1
            .status,
            Status::NoSuchName
        );
    }

    #[test]
    fn server_closes_while_client_waits_for_a_reply() {
        let mut m = model();
        let (_, sport, cport) = connected(&mut m);
        m.submit(
            CLIENT,
            20,
            Op::Request {
                port: cport,
                payload: vec![9],
                view: None, large: None,
            },
        )
        .unwrap();
        let ev = m.submit(SERVER, 21, Op::Close { port: sport }).unwrap();
        let kinds: Vec<_> = ev.iter().map(|(c, e)| (*c, e.kind, e.status)).collect();
        assert_eq!(
            kinds,
            vec![
                (CLIENT, EventKind::Reply, Status::PeerClosed),
                (CLIENT, EventKind::PortClosed, Status::Ok),
                (SERVER, EventKind::Done, Status::Ok)
            ]
        );
        assert_eq!(ev[0].1.user_data, 20);
        let (_, e) = only(
            m.submit(
                CLIENT,
                22,
                Op::Datagram {
                    port: cport,
                    payload: vec![],
                    view: None, large: None,
                },
            )
            .unwrap(),
        );
        assert_eq!(e.status, Status::PeerClosed);
        let (_, e) = only(
            m.submit(
                SERVER,
                23,
                Op::Datagram {
                    port: sport,
                    payload: vec![],
                    view: None, large: None,
                },
            )
            .unwrap(),
        );
        assert_eq!(e.status, Status::BadHandle, "a closed handle is stale");
    }

    #[test]
    fn client_dies_with_requests_outstanding() {
        let mut m = model();
        let (_, sport, cport) = connected(&mut m);
        m.submit(
            CLIENT,
            30,
            Op::Request {
                port: cport,
                payload: vec![],
                view: None, large: None,
            },
        )
        .unwrap();
        m.submit(
            SERVER,
            0,
            Op::Request {
                port: sport,
                payload: vec![],
                view: None, large: None,
            },
        )
        .unwrap(); // server calls the client back
        let ev = m.teardown(CLIENT);
        let kinds: Vec<_> = ev.iter().map(|(c, e)| (*c, e.kind, e.status)).collect();
        assert_eq!(
            kinds,
            vec![
                (SERVER, EventKind::Reply, Status::PeerClosed),
                (SERVER, EventKind::PortClosed, Status::PeerClosed)
            ]
        );
        // The server's reply to the dead client's request finds nothing.
        let (_, e) = only(
            m.submit(
                SERVER,
                31,
                Op::Reply {
                    port: sport,
                    msg_id: 0x1_0000,
                    payload: vec![],
                    view: None,
                },
            )
            .unwrap(),
        );
        assert_eq!(
            e.status,
            Status::BadReply,
            "the request died with its sender"
        );
        let (_, e) = only(
            m.submit(
                SERVER,
                32,
                Op::Datagram {
                    port: sport,
                    payload: vec![],
                    view: None, large: None,
                },
            )
            .unwrap(),
        );
        assert_eq!(e.status, Status::PeerClosed);
    }

    #[test]
    fn foreign_and_stale_handles_are_refused() {
        let mut m = model();
        let (conn, sport, cport) = connected(&mut m);
        for (ctx, op) in [
            (
                OTHER,
                Op::Datagram {
                    port: cport,
                    payload: vec![],
                    view: None, large: None,
                },
            ),
            (OTHER, Op::Close { port: sport }),
            (
                CLIENT,
                Op::Accept {
                    port: conn,
                    client: cport,
                    port_context: 0,
                },
            ),
            (
                SERVER,
                Op::Datagram {
                    port: conn,
                    payload: vec![],
                    view: None, large: None,
                },
            ),
            (
                SERVER,
                Op::Datagram {
                    port: sport ^ 0x1_0000,
                    payload: vec![],
                    view: None, large: None,
                },
            ),
            (
                SERVER,
                Op::Datagram {
                    port: 0,
                    payload: vec![],
                    view: None, large: None,
                },
            ),
        ] {
            let (to, e) = only(m.submit(ctx, 0, op.clone()).unwrap());
            assert_eq!((to, e.status), (ctx, Status::BadHandle), "{op:?}");
        }
    }

    #[test]
    fn wrong_reply_cancel_and_oversize() {
        let mut m = model();
        let (_, sport, cport) = connected(&mut m);
        let (_, big) = only(
            m.submit(
                CLIENT,
                1,
                Op::Datagram {
                    port: cport,
                    payload: vec![0; 257],
                    view: None, large: None,
                },
            )
            .unwrap(),
        );
        assert_eq!(big.status, Status::TooLarge);
        m.submit(
            CLIENT,
            40,
            Op::Request {
                port: cport,
                payload: vec![],
                view: None, large: None,
            },
        )
        .unwrap();
        let (_, wrong) = only(
            m.submit(
                SERVER,
                41,
                Op::Reply {
                    port: sport,
                    msg_id: 0x2_0000,
                    payload: vec![],
                    view: None,
                },
            )
            .unwrap(),
        );
        assert_eq!(wrong.status, Status::BadReply);
        // Only the requester may cancel, on the port it sent from.
        let (_, e) = only(
            m.submit(
                SERVER,
                42,
                Op::Cancel {
                    port: sport,
                    request: 40,
                },
            )
            .unwrap(),
        );
        assert_eq!(e.status, Status::BadReply);
        let ev = m
            .submit(
                CLIENT,
                43,
                Op::Cancel {
                    port: cport,
                    request: 40,
                },
            )
            .unwrap();
        assert_eq!(
            (ev[0].1.kind, ev[0].1.status, ev[0].1.user_data),
            (EventKind::Reply, Status::Canceled, 40)
        );
        assert_eq!(
            (ev[1].1.kind, ev[1].1.status),
            (EventKind::Done, Status::Ok)
        );
        let (_, late) = only(
            m.submit(
                SERVER,
                44,
                Op::Reply {
                    port: sport,
                    msg_id: 0x1_0000,
                    payload: vec![],
                    view: None,
                },
            )
            .unwrap(),
        );
        assert_eq!(late.status, Status::BadReply);
    }

    #[test]
    fn full_receiver_pushes_back_and_nothing_is_lost() {
        let mut m = AlpcModel::new(2, 8, 8, 2);
        m.enable(SERVER, 1, 7, 3);
        m.enable(CLIENT, 2, 31, 31);
        let (_, e) = only(
            m.submit(
                SERVER,
                1,
                Op::CreatePort {
                    name: 1,
                    max_msg: 16,
                    backlog: 4,
                    restricted: false,
                    window: 0,
                },
            )
            .unwrap(),
        );
        let (_, req) = only(
            m.submit(
                CLIENT,
                2,
                Op::Connect {
                    name: 1,
                    payload: vec![],
                },
            )
            .unwrap(),
        );
        let ev = m
            .submit(
                SERVER,
                3,
                Op::Accept {
                    port: e.port,
                    client: req.msg_id,
                    port_context: 0,
                },
            )
            .unwrap();
        let cport = ev[0].1.port;
        // Server CQ: 7 slots - 3 used (create, request, accept) - 1 notice = 3 free.
        let mut delivered = 0;
        let mut busy = 0;
        for i in 0..10 {
            let ev = m
                .submit(
                    CLIENT,
                    100 + i,
                    Op::Datagram {
                        port: cport,
                        payload: vec![i as u8],
                        view: None, large: None,
                    },
                )
                .unwrap();
            match ev.last().unwrap().1.status {
                Status::Ok => delivered += 1,
                Status::ReceiverBusy => busy += 1,
                s => panic!("{s:?}"),
            }
        }
        assert_eq!(
            (delivered, busy),
            (3, 7),
            "three receive buffers, then backpressure"
        );
        m.release(SERVER, 3, 3);
        let ev = m
            .submit(
                CLIENT,
                200,
                Op::Datagram {
                    port: cport,
                    payload: vec![1],
                    view: None, large: None,
                },
            )
            .unwrap();
        assert_eq!(ev.len(), 2, "delivered again once the server consumed");
    }
}
