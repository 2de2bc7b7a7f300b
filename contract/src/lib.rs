//! The hardware/software contract of the ALPC accelerator.
//!
//! Everything the RTL and the software must agree on lives here and only
//! here: the BAR0 register map, the layouts of submission descriptors and
//! completion entries, opcodes, status codes and the bus parameters. The
//! RustHDL description (`alpc-rtl`) builds its constants from this crate, and
//! every software crate (simulator host model, host library, driver) reads
//! the same items. `docs/architecture.md` shows the same tables; a test in
//! `alpc-tests` checks that the document matches these constants.
//!
//! The crate has no dependencies so that anything (build scripts, the RTL
//! generator, a `no_std` firmware one day) can use it.
#![deny(missing_docs)]

pub mod desc;
pub mod regs;

pub use desc::{Completion, Descriptor, ViewRecord};

/// What a completion entry reports (ALPC's message types, same numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EventKind {
    /// The completion of one of the context's own submissions.
    Done = 0,
    /// An incoming request (`LPC_REQUEST`).
    Request = 1,
    /// The reply to the context's request, or its failure (`LPC_REPLY`).
    Reply = 2,
    /// An incoming datagram (`LPC_DATAGRAM`).
    Datagram = 3,
    /// The peer closed the connection (`LPC_PORT_CLOSED`).
    PortClosed = 5,
    /// A client asks to connect (`LPC_CONNECTION_REQUEST`).
    ConnectionRequest = 10,
    /// The answer to the context's CONNECT (`LPC_CONNECTION_REPLY`); it is
    /// also that CONNECT's completion.
    ConnectionReply = 11,
}

impl EventKind {
    /// Every kind the contract defines.
    pub const ALL: [EventKind; 7] = [
        EventKind::Done,
        EventKind::Request,
        EventKind::Reply,
        EventKind::Datagram,
        EventKind::PortClosed,
        EventKind::ConnectionRequest,
        EventKind::ConnectionReply,
    ];

    /// Decodes a kind byte.
    pub fn from_u8(v: u8) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| *k as u8 == v)
    }

    /// The name used in documents and transcripts.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Done => "DONE",
            EventKind::Request => "REQUEST",
            EventKind::Reply => "REPLY",
            EventKind::Datagram => "DATAGRAM",
            EventKind::PortClosed => "PORT_CLOSED",
            EventKind::ConnectionRequest => "CONNECTION_REQUEST",
            EventKind::ConnectionReply => "CONNECTION_REPLY",
        }
    }
}

/// Parameters of the device's two buses.
pub mod bus {
    /// Width of the AXI4-Lite BAR0 address (`s_axil_awaddr`, `s_axil_araddr`):
    /// 1 MiB of BAR space.
    pub const AXIL_ADDR_BITS: usize = 20;
    /// Width of AXI4-Lite data: registers are 32 bits.
    pub const AXIL_DATA_BITS: usize = 32;
    /// Width of the DMA master's addresses (`m_axi_araddr`, `m_axi_awaddr`):
    /// full 64-bit IOVAs.
    pub const AXI_ADDR_BITS: usize = 64;
    /// Width of the DMA master's data bus, in bytes (128 bits, the width of
    /// LitePCIe on a Gen2 x4 Artix-7 board).
    pub const AXI_DATA_BYTES: usize = 16;
    /// Width of the DMA master's AXI ID fields.
    pub const AXI_ID_BITS: usize = 4;
    /// Longest burst the engine issues, in beats (256 bytes, a common PCIe
    /// max payload / max read request size).
    pub const MAX_BURST_BEATS: usize = 16;
    /// AXI bursts never cross this boundary (AXI4 rule).
    pub const BURST_BOUNDARY: u64 = 4096;
    /// How many read bursts the copy engine keeps in flight at once.
    pub const MAX_READS_IN_FLIGHT: usize = 8;
    /// AXI ID used for descriptor fetches and completion writes.
    pub const AXI_ID_QUEUE: u8 = 0;
    /// AXI ID used for payload reads and writes.
    pub const AXI_ID_DATA: u8 = 1;
    /// AXI response code OKAY.
    pub const RESP_OKAY: u8 = 0;
    /// AXI response code SLVERR.
    pub const RESP_SLVERR: u8 = 2;
    /// AXI response code DECERR.
    pub const RESP_DECERR: u8 = 3;
    /// Number of MSI vectors the core drives (`msi_irq` is this many bits).
    pub const MSI_VECTORS: usize = 32;
    /// Clock the design is built for, in MHz (PCIe user clock of the target
    /// boards); the simulator converts wall-clock timeouts with it.
    pub const CLOCK_MHZ: u64 = 125;
}

/// Device geometry of the default build.
pub mod geometry {
    /// log2 of the number of hardware contexts (queue pairs).
    pub const CONTEXT_BITS: usize = 4;
    /// Number of hardware contexts (queue pairs).
    pub const CONTEXTS: usize = 1 << CONTEXT_BITS;
    /// Largest payload a single COPY descriptor may move, in bytes.
    pub const MAX_COPY_LEN: u32 = 1 << 20;
    /// Largest ring the hardware accepts: `log2(entries)` field is 4 bits.
    pub const RING_LOG2_MAX: u32 = 15;
    /// log2 of the number of port-table entries.
    pub const PORT_BITS: usize = 8;
    /// Port-table entries (connection and communication ports).
    pub const PORTS: usize = 1 << PORT_BITS;
    /// Entries of the name directory (named connection ports).
    pub const NAMES: usize = 32;
    /// Largest message carried inline (mode 1), in bytes: a port's maximum
    /// message is at most this, and so is every inline payload.
    pub const MAX_INLINE: u32 = 256;
    /// log2 of the number of request-table entries (outstanding requests).
    pub const REQUEST_BITS: usize = 8;
    /// Request-table entries.
    pub const REQUESTS: usize = 1 << REQUEST_BITS;
    /// Largest backlog of a connection port (the descriptor field is a byte).
    pub const MAX_BACKLOG: u32 = 255;
    /// Largest window of a connection (the descriptor field is a byte), and
    /// the most credits a client port holds.
    pub const MAX_WINDOW: u32 = 255;
    /// Entries of the access lists of restricted connection ports (all
    /// ports together).
    pub const ACL_ENTRIES: usize = 32;
    /// log2 of the number of section-table entries.
    pub const SECTION_BITS: usize = 5;
    /// Section-table entries (registered memory, all contexts together).
    pub const SECTIONS: usize = 1 << SECTION_BITS;
    /// log2 of the number of view-table entries.
    pub const VIEW_BITS: usize = 6;
    /// View-table entries (grants, all contexts together).
    pub const VIEWS: usize = 1 << VIEW_BITS;
    /// Largest inline payload of a message that carries a view: the view
    /// record takes the end of the receive buffer.
    pub const MAX_VIEW_MESSAGE: u32 = crate::desc::RX_VIEW_RECORD as u32;
}

/// Access rights of sections and views (a bit mask).
pub mod access {
    /// The holder may read (COPY from it).
    pub const READ: u32 = 1 << 0;
    /// The holder may write (COPY into it).
    pub const WRITE: u32 = 1 << 1;
    /// Every right.
    pub const ALL: u32 = READ | WRITE;
}

/// Submission opcodes (byte 0 of a descriptor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Opcode {
    /// Do nothing; completes with [`Status::Ok`]. Useful to probe a queue.
    Nop = 0x00,
    /// Copy `length` bytes from `src_addr` to `dst_addr` by DMA.
    Copy = 0x01,
    /// Create a named connection port (name, max message, backlog);
    /// completes with the port's handle.
    CreatePort = 0x10,
    /// Ask to connect to a named connection port; completes with a
    /// CONNECTION_REPLY when the server accepts or rejects.
    Connect = 0x11,
    /// Accept a pending connection; completes with the server port's handle.
    Accept = 0x12,
    /// Refuse a pending connection.
    Reject = 0x13,
    /// One-way message with an inline payload on a communication port.
    Datagram = 0x14,
    /// Request with an inline payload; completes with the REPLY.
    Request = 0x15,
    /// Reply (inline payload) to a request received on the port.
    Reply = 0x16,
    /// Withdraw the context's outstanding request (named by its user data);
    /// it completes CANCELED.
    Cancel = 0x17,
    /// Close a port (connection or communication).
    Close = 0x18,
    /// Add an identity to a restricted connection port's access list.
    Allow = 0x19,
    /// Give the peer of a server communication port `arg` more messages it
    /// may send (flow control: see [`desc::DESC_WINDOW`]).
    Credit = 0x1A,
    /// Register `length` bytes of the context's memory at `src_addr` as a
    /// section with the access bits in `dst_addr`; completes with the
    /// section's handle.
    SectionCreate = 0x20,
    /// Delete a section: every view of it is revoked.
    SectionDelete = 0x21,
    /// Grant the peer of communication port `port` a view of section
    /// `arg` (offset, access and `length`); completes with the view's
    /// handle.
    ViewCreate = 0x22,
    /// Revoke a view (its grantor) or give it up (its grantee).
    ViewRevoke = 0x23,
    /// Post a receive buffer for large messages (mode 3): `length` bytes of
    /// the context's own section `arg` from offset `dst_addr` (its low 32
    /// bits; the high half is ignored), for messages arriving on
    /// communication port `port`; completes with its handle.
    PostBuffer = 0x24,
}

impl Opcode {
    /// Every opcode the hardware knows.
    pub const ALL: [Opcode; 18] = [
        Opcode::Nop,
        Opcode::Copy,
        Opcode::CreatePort,
        Opcode::Connect,
        Opcode::Accept,
        Opcode::Reject,
        Opcode::Datagram,
        Opcode::Request,
        Opcode::Reply,
        Opcode::Cancel,
        Opcode::Close,
        Opcode::Allow,
        Opcode::Credit,
        Opcode::SectionCreate,
        Opcode::SectionDelete,
        Opcode::ViewCreate,
        Opcode::ViewRevoke,
        Opcode::PostBuffer,
    ];

    /// The descriptor flags ([`desc::DESC_FLAG_SRC_VIEW`] ...) the opcode
    /// accepts; any other flag bit gives [`Status::BadReserved`].
    pub fn allowed_flags(self) -> u8 {
        match self {
            Opcode::Copy => desc::DESC_FLAG_SRC_VIEW | desc::DESC_FLAG_DST_VIEW,
            Opcode::Datagram | Opcode::Request => desc::DESC_FLAG_VIEW | desc::DESC_FLAG_LARGE,
            Opcode::Reply => desc::DESC_FLAG_VIEW,
            Opcode::CreatePort => desc::DESC_FLAG_RESTRICTED,
            _ => 0,
        }
    }

    /// The opcodes whose `length` bytes of payload ride inline in the SQ.
    pub fn carries_payload(self) -> bool {
        matches!(self, Opcode::Connect | Opcode::Datagram | Opcode::Request | Opcode::Reply)
    }

    /// Decodes an opcode byte.
    pub fn from_u8(v: u8) -> Option<Opcode> {
        Self::ALL.into_iter().find(|o| *o as u8 == v)
    }

    /// The name used in documents and transcripts.
    pub fn name(self) -> &'static str {
        match self {
            Opcode::Nop => "NOP",
            Opcode::Copy => "COPY",
            Opcode::CreatePort => "CREATE_PORT",
            Opcode::Connect => "CONNECT",
            Opcode::Accept => "ACCEPT",
            Opcode::Reject => "REJECT",
            Opcode::Datagram => "DATAGRAM",
            Opcode::Request => "REQUEST",
            Opcode::Reply => "REPLY",
            Opcode::Cancel => "CANCEL",
            Opcode::Close => "CLOSE",
            Opcode::Allow => "ALLOW",
            Opcode::Credit => "CREDIT",
            Opcode::SectionCreate => "SECTION_CREATE",
            Opcode::SectionDelete => "SECTION_DELETE",
            Opcode::ViewCreate => "VIEW_CREATE",
            Opcode::ViewRevoke => "VIEW_REVOKE",
            Opcode::PostBuffer => "POST_BUFFER",
        }
    }
}

/// Completion status codes (byte [`desc::CQE_STATUS`] of a completion entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    /// The operation completed.
    Ok = 0x00,
    /// The opcode is not one the device knows.
    BadOpcode = 0x01,
    /// The length is over [`geometry::MAX_COPY_LEN`].
    BadLength = 0x02,
    /// A reserved field (flags, reserved bytes) is not zero.
    BadReserved = 0x03,
    /// An address range does not end below 2^64, leaves the context's
    /// memory window (`CTX_MEM_BASE` .. `CTX_MEM_LAST`), or leaves the
    /// section or view it names.
    BadAddress = 0x04,
    /// Host memory answered a read with an error (e.g. an IOMMU fault).
    DmaReadError = 0x05,
    /// Host memory answered a write with an error.
    DmaWriteError = 0x06,
    /// A port, section or view handle (or connection id) is stale, belongs
    /// to another context, or names the wrong kind of object.
    BadHandle = 0x07,
    /// An argument is out of range (zero name, backlog 0, maximum message
    /// over [`geometry::MAX_INLINE`]).
    BadArgument = 0x08,
    /// The port is not connected (still connecting).
    NotConnected = 0x09,
    /// A connection port with that name exists.
    NameExists = 0x0A,
    /// No connection port has that name.
    NoSuchName = 0x0B,
    /// The server refused the connection, or its port went away.
    Refused = 0x0C,
    /// The connection port has as many pending connections as its backlog.
    BacklogFull = 0x0D,
    /// The message is longer than the port allows.
    TooLarge = 0x0E,
    /// The port, name or request table is full, or the context's completion
    /// ring cannot reserve the slot the operation needs.
    NoResources = 0x0F,
    /// The receiver has no free completion slot (or receive buffer), or
    /// the sender used up its connection's window (flow control).
    ReceiverBusy = 0x10,
    /// No such outstanding request: a REPLY's message id was not delivered
    /// to that port, or none of the context's requests on that port has a
    /// CANCEL's user data.
    BadReply = 0x11,
    /// The request was canceled by its sender.
    Canceled = 0x12,
    /// The sender's own port was closed while the operation was pending.
    PortClosed = 0x13,
    /// The peer closed its port or its context died.
    PeerClosed = 0x14,
    /// The section or view does not give the access asked for (a write
    /// through a read-only view, a view wider than its section's rights),
    /// or a restricted connection port's access list does not hold the
    /// connecting identity.
    AccessDenied = 0x15,
}

impl Status {
    /// Every status the contract defines.
    pub const ALL: [Status; 22] = [
        Status::Ok,
        Status::BadOpcode,
        Status::BadLength,
        Status::BadReserved,
        Status::BadAddress,
        Status::DmaReadError,
        Status::DmaWriteError,
        Status::BadHandle,
        Status::BadArgument,
        Status::NotConnected,
        Status::NameExists,
        Status::NoSuchName,
        Status::Refused,
        Status::BacklogFull,
        Status::TooLarge,
        Status::NoResources,
        Status::ReceiverBusy,
        Status::BadReply,
        Status::Canceled,
        Status::PortClosed,
        Status::PeerClosed,
        Status::AccessDenied,
    ];

    /// Decodes a status byte.
    pub fn from_u8(v: u8) -> Option<Status> {
        Self::ALL.into_iter().find(|s| *s as u8 == v)
    }

    /// The name used in documents and transcripts.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::BadOpcode => "BAD_OPCODE",
            Status::BadLength => "BAD_LENGTH",
            Status::BadReserved => "BAD_RESERVED",
            Status::BadAddress => "BAD_ADDRESS",
            Status::DmaReadError => "DMA_READ_ERROR",
            Status::DmaWriteError => "DMA_WRITE_ERROR",
            Status::BadHandle => "BAD_HANDLE",
            Status::BadArgument => "BAD_ARGUMENT",
            Status::NotConnected => "NOT_CONNECTED",
            Status::NameExists => "NAME_EXISTS",
            Status::NoSuchName => "NO_SUCH_NAME",
            Status::Refused => "REFUSED",
            Status::BacklogFull => "BACKLOG_FULL",
            Status::TooLarge => "TOO_LARGE",
            Status::NoResources => "NO_RESOURCES",
            Status::ReceiverBusy => "RECEIVER_BUSY",
            Status::BadReply => "BAD_REPLY",
            Status::Canceled => "CANCELED",
            Status::PortClosed => "PORT_CLOSED",
            Status::PeerClosed => "PEER_CLOSED",
            Status::AccessDenied => "ACCESS_DENIED",
        }
    }

    /// A sentence for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Status::Ok => "completed",
            Status::BadOpcode => "unknown opcode",
            Status::BadLength => "length over the device limit",
            Status::BadReserved => "reserved descriptor field is not zero",
            Status::BadAddress => "address range outside 2^64, the context's memory window, or the section or view",
            Status::DmaReadError => "host memory refused a DMA read",
            Status::DmaWriteError => "host memory refused a DMA write",
            Status::BadHandle => "stale, foreign or wrong-kind port, section or view handle",
            Status::BadArgument => "argument out of range",
            Status::NotConnected => "the port is not connected",
            Status::NameExists => "a connection port with that name exists",
            Status::NoSuchName => "no connection port has that name",
            Status::Refused => "the server refused the connection",
            Status::BacklogFull => "the connection port's backlog is full",
            Status::TooLarge => "message longer than the port allows",
            Status::NoResources => "port table, name directory, request table or completion-ring reservation exhausted",
            Status::ReceiverBusy => "the receiver's completion ring is full, or the connection's window is used up",
            Status::BadReply => "no such outstanding request on that port",
            Status::Canceled => "the request was canceled",
            Status::PortClosed => "the port was closed while the operation was pending",
            Status::PeerClosed => "the peer closed its port or died",
            Status::AccessDenied => "the section, view or connection port's access list does not allow it",
        }
    }
}
