//! Submission descriptor and completion entry formats.
//!
//! All multi-byte fields are little-endian. The device fetches descriptors
//! from the submission ring (SQ) and writes completion entries into the
//! completion ring (CQ), NVMe-style: a completion carries a *phase* bit that
//! the device flips each time it wraps around the CQ, so the host finds new
//! entries by polling memory, with no register read.

/// Size of a submission descriptor in bytes.
pub const DESC_SIZE: usize = 64;
/// Descriptor: opcode (u8).
pub const DESC_OPCODE: usize = 0x00;
/// Descriptor: flags (u8); each opcode accepts only its own
/// ([`crate::Opcode::allowed_flags`]), the other bits must be 0.
pub const DESC_FLAGS: usize = 0x01;
/// [`DESC_FLAGS`] (COPY): `src_addr` is a view reference
/// ([`view_ref`]: a view granted to this context), not an IOVA.
pub const DESC_FLAG_SRC_VIEW: u8 = 1 << 0;
/// [`DESC_FLAGS`] (COPY): `dst_addr` is a view reference.
pub const DESC_FLAG_DST_VIEW: u8 = 1 << 1;
/// [`DESC_FLAGS`] (DATAGRAM, REQUEST, REPLY): the message carries the view
/// whose handle is at [`DESC_VIEW`] (ALPC's view attribute): the view must
/// have been granted by this context through the port the message goes
/// out on. The receiver finds the view record at [`RX_VIEW_RECORD`].
pub const DESC_FLAG_VIEW: u8 = 1 << 2;
/// [`DESC_FLAGS`] (CREATE_PORT): the connection port is restricted: only
/// identities on its access list (ALLOW) may connect; the others' CONNECT
/// completes ACCESS_DENIED and the server never hears of it.
pub const DESC_FLAG_RESTRICTED: u8 = 1 << 3;
/// [`DESC_FLAGS`] (DATAGRAM, REQUEST): a large message (ALPC's mode 3):
/// `length` bytes (1..=`MAX_COPY_LEN`) at IOVA `dst_addr` in the sender's
/// memory window, no inline payload. The engine copies them by DMA into a
/// receive buffer the receiver posted on its end of the connection
/// (POST_BUFFER; the lowest-numbered one large enough), which is then used
/// up; none → RECEIVER_BUSY. The receiver's entry has [`CQE_FLAG_LARGE`]
/// and the view record of the filled buffer. Not with [`DESC_FLAG_VIEW`].
pub const DESC_FLAG_LARGE: u8 = 1 << 4;
/// Descriptor: reserved (u16), must be 0.
pub const DESC_RESERVED: usize = 0x02;
/// Descriptor: payload length in bytes (u32).
pub const DESC_LENGTH: usize = 0x04;
/// Descriptor: opaque value returned in the completion (u64).
pub const DESC_USER_DATA: usize = 0x08;
/// Descriptor: source IOVA (u64).
pub const DESC_SRC_ADDR: usize = 0x10;
/// Descriptor: destination IOVA (u64).
pub const DESC_DST_ADDR: usize = 0x18;
/// Descriptor: start of the inline payload of the message opcodes
/// (CONNECT, DATAGRAM, REQUEST, REPLY); the other opcodes ignore bytes
/// 0x20..0x40. A payload of `length` bytes starts here and continues into
/// the following SQ slots (wrapping at the ring's end): see
/// [`inline_slots`].
pub const DESC_EXTRA: usize = 0x20;
/// Receive buffers: each completion slot `i` has a buffer of this many
/// bytes at `cq_base + cq_entries × CQE_SIZE + i × RX_BUF_SIZE`, where the
/// payload of the event written into slot `i` lands. The host owns it again
/// once it has consumed the completion (DB_CQ_HEAD past `i`).
pub const RX_BUF_SIZE: usize = 256;

/// SQ slots a message descriptor with a `len`-byte inline payload occupies:
/// the descriptor (whose last 32 bytes hold the payload's first bytes) and
/// 64-byte continuation slots for the rest.
pub const fn inline_slots(len: usize) -> usize {
    // The descriptor carries DESC_SIZE - DESC_EXTRA payload bytes.
    1 + (len + DESC_EXTRA - 1) / DESC_SIZE
}
/// Descriptor (port operations): the port handle (u32), in place of the low
/// half of `src_addr`.
pub const DESC_PORT: usize = 0x10;
/// Descriptor (port operations): the second argument (u32), in place of the
/// high half of `src_addr`: the name id (CREATE_PORT, CONNECT), the
/// connection id (ACCEPT, REJECT) or the message id (REPLY).
pub const DESC_ARG: usize = 0x14;
/// Descriptor (CREATE_PORT): largest message on the port's connections
/// (u16), in place of `dst_addr`.
pub const DESC_MAX_MSG: usize = 0x18;
/// Descriptor (CREATE_PORT): backlog of pending connections (u8).
pub const DESC_BACKLOG: usize = 0x1A;
/// Descriptor (CREATE_PORT): the window of each connection (u8; 0 = none):
/// how many messages (datagrams and requests) a client may send that its
/// server has not credited back yet. The server returns credits with
/// CREDIT once it has taken messages from its ring; a client whose window
/// is used up gets RECEIVER_BUSY. So one flooding client can fill at most
/// its window of the server's ring, never the others' share.
pub const DESC_WINDOW: usize = 0x1B;
/// Descriptor (ACCEPT): the port context (u64) every event on the new
/// server port carries as its user data, in place of `dst_addr`.
pub const DESC_PORT_CONTEXT: usize = 0x18;
/// Descriptor (CANCEL): the user data (u64) of the request to withdraw, in
/// place of `dst_addr`.
pub const DESC_REQUEST_USER: usize = 0x18;
/// Descriptor (messages with [`DESC_FLAG_VIEW`]): the view handle (u32), in
/// place of the low half of `dst_addr`; the high half is ignored.
pub const DESC_VIEW: usize = 0x18;
/// Descriptor (SECTION_CREATE): the access bits (u64,
/// [`crate::access`]), in place of `dst_addr`; the section's IOVA is
/// `src_addr` and its size `length`.
pub const DESC_SECTION_ACCESS: usize = 0x18;
/// Descriptor (VIEW_CREATE): the view's offset in the section (u32), in
/// place of the low half of `dst_addr`; the section handle is the second
/// argument ([`DESC_ARG`]), the view's size `length`.
pub const DESC_VIEW_OFFSET: usize = 0x18;
/// Descriptor (VIEW_CREATE): the view's access bits (u32), in place of the
/// high half of `dst_addr`.
pub const DESC_VIEW_ACCESS: usize = 0x1C;

/// A COPY address naming byte `offset` of view `view` (with
/// [`DESC_FLAG_SRC_VIEW`] / [`DESC_FLAG_DST_VIEW`]).
pub const fn view_ref(view: u32, offset: u32) -> u64 {
    (view as u64) << 32 | offset as u64
}

/// Where the view record of a received message with a view lies in its
/// receive buffer (the last 32 bytes; the payload may use the bytes before
/// it). Written before the completion entry, flagged by
/// [`CQE_FLAG_VIEW`].
pub const RX_VIEW_RECORD: usize = RX_BUF_SIZE - VREC_SIZE;
/// Size of a view record.
pub const VREC_SIZE: usize = 32;
/// View record: the IOVA of the view's first byte (u64).
pub const VREC_IOVA: usize = 0x00;
/// View record: the view's size in bytes (u32).
pub const VREC_LENGTH: usize = 0x08;
/// View record: the view's handle (u32), for COPY and VIEW_REVOKE.
pub const VREC_HANDLE: usize = 0x0C;
/// View record: the access bits the view grants (u32).
pub const VREC_ACCESS: usize = 0x10;

/// Size of a completion entry in bytes (two 16-byte bus beats).
pub const CQE_SIZE: usize = 32;
/// Completion: the descriptor's `user_data` (u64), or for an event the
/// receiving port's context (a connect's user data for its client port).
pub const CQE_USER_DATA: usize = 0x00;
/// Completion: port handle (u32): the port created or named by the
/// descriptor, or the receiving port of an event; 0 if none.
pub const CQE_PORT: usize = 0x08;
/// Completion: message id, or the connection id of a CONNECTION_REQUEST
/// (u32); 0 if none.
pub const CQE_MSG_ID: usize = 0x0C;
/// Completion: verified identity of an event's sender (u32); 0 for the
/// completion of the context's own submission.
pub const CQE_IDENTITY: usize = 0x10;
/// Completion: result (u32): bytes copied for COPY, payload length for
/// events that carry one, else 0.
pub const CQE_RESULT: usize = 0x14;
/// Completion: receive-buffer index of an event's payload (u16): the
/// entry's own CQ slot; 0 for entries without a payload.
pub const CQE_RQ_INDEX: usize = 0x18;
/// Completion: the receiving context's SQ head when the entry was written
/// (u16): for the completion of a submission, the head after it was
/// consumed; the host may reuse every SQ slot before it.
pub const CQE_SQ_HEAD: usize = 0x1A;
/// Completion: event kind (u8), see [`crate::EventKind`].
pub const CQE_KIND: usize = 0x1C;
/// Completion: status code (u8), see [`crate::Status`].
pub const CQE_STATUS: usize = 0x1D;
/// Completion: reserved (u8), written as 0.
pub const CQE_RESERVED: usize = 0x1E;
/// Completion: flags (u8); bit 0 is the phase.
pub const CQE_FLAGS: usize = 0x1F;
/// [`CQE_FLAGS`] bit carrying the phase.
pub const CQE_FLAG_PHASE: u8 = 1 << 0;
/// [`CQE_FLAGS`] bit: the message carries a view; its record is at
/// [`RX_VIEW_RECORD`] in the entry's receive buffer.
pub const CQE_FLAG_VIEW: u8 = 1 << 1;
/// [`CQE_FLAGS`] bit: a large message (mode 3); the view record (flag
/// [`CQE_FLAG_VIEW`] is set too) names the receive buffer that holds it.
pub const CQE_FLAG_LARGE: u8 = 1 << 2;
/// Phase the device writes during its first pass over a fresh CQ (the host
/// zeroes the ring, so zero means "not written yet").
pub const CQ_INITIAL_PHASE: bool = true;

// Layout invariants, checked when the crate compiles.
const _: () = assert!(DESC_DST_ADDR + 8 <= DESC_EXTRA && DESC_EXTRA <= DESC_SIZE);
const _: () = assert!(CQE_FLAGS + 1 == CQE_SIZE);
const _: () = assert!(DESC_SIZE % crate::bus::AXI_DATA_BYTES == 0);
const _: () = assert!(DESC_PORT == DESC_SRC_ADDR && DESC_ARG == DESC_SRC_ADDR + 4);
const _: () = assert!(DESC_MAX_MSG == DESC_DST_ADDR && DESC_BACKLOG == DESC_DST_ADDR + 2 && DESC_WINDOW == DESC_DST_ADDR + 3);
const _: () = assert!(DESC_PORT_CONTEXT == DESC_DST_ADDR && DESC_REQUEST_USER == DESC_DST_ADDR);
const _: () = assert!(CQE_SIZE == 2 * crate::bus::AXI_DATA_BYTES, "a completion is two beats");
const _: () = assert!(VREC_SIZE == 2 * crate::bus::AXI_DATA_BYTES && VREC_ACCESS + 4 <= VREC_SIZE);
const _: () = assert!(DESC_VIEW == DESC_DST_ADDR && DESC_VIEW_ACCESS == DESC_VIEW_OFFSET + 4);

fn le_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn le_u64(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

/// A submission descriptor, as the host writes it into the SQ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Descriptor {
    /// Opcode byte; see [`crate::Opcode`]. Kept raw so that malformed
    /// descriptors can be built on purpose.
    pub opcode: u8,
    /// Flags byte (must be 0).
    pub flags: u8,
    /// Reserved (must be 0).
    pub reserved: u16,
    /// Payload length in bytes.
    pub length: u32,
    /// Returned unchanged in the completion.
    pub user_data: u64,
    /// Source IOVA.
    pub src_addr: u64,
    /// Destination IOVA.
    pub dst_addr: u64,
}

impl Descriptor {
    /// A COPY descriptor.
    pub fn copy(src_addr: u64, dst_addr: u64, length: u32, user_data: u64) -> Self {
        Descriptor {
            opcode: crate::Opcode::Copy as u8,
            length,
            user_data,
            src_addr,
            dst_addr,
            ..Default::default()
        }
    }

    /// A port operation with its port handle and second argument.
    fn port_op(op: crate::Opcode, port: u32, arg: u32, user_data: u64) -> Self {
        Descriptor {
            opcode: op as u8,
            user_data,
            src_addr: (arg as u64) << 32 | port as u64,
            ..Default::default()
        }
    }

    /// CREATE_PORT: a connection port named `name`.
    pub fn create_port(name: u32, max_msg: u16, backlog: u8, user_data: u64) -> Self {
        Descriptor {
            dst_addr: max_msg as u64 | (backlog as u64) << 16,
            ..Self::port_op(crate::Opcode::CreatePort, 0, name, user_data)
        }
    }

    /// The same CREATE_PORT, restricted to the identities on its access list.
    pub fn restricted(self) -> Self {
        Descriptor { flags: self.flags | DESC_FLAG_RESTRICTED, ..self }
    }

    /// The same CREATE_PORT with a window of `window` messages per
    /// connection ([`DESC_WINDOW`]).
    pub fn with_window(self, window: u8) -> Self {
        Descriptor { dst_addr: self.dst_addr & !(0xFF << 24) | (window as u64) << 24, ..self }
    }

    /// The window field (CREATE_PORT).
    pub fn window(&self) -> u8 {
        (self.dst_addr >> 24) as u8
    }

    /// CREDIT: the peer of communication port `port` may send `count` more
    /// messages.
    pub fn credit(port: u32, count: u32, user_data: u64) -> Self {
        Self::port_op(crate::Opcode::Credit, port, count, user_data)
    }

    /// ALLOW: put `identity` on the access list of connection port `port`.
    pub fn allow(port: u32, identity: u32, user_data: u64) -> Self {
        Self::port_op(crate::Opcode::Allow, port, identity, user_data)
    }

    /// CONNECT to the connection port named `name`, with a connection
    /// message of `length` bytes.
    pub fn connect(name: u32, length: u32, user_data: u64) -> Self {
        Descriptor {
            length,
            ..Self::port_op(crate::Opcode::Connect, 0, name, user_data)
        }
    }

    /// ACCEPT connection `conn_id` pending on connection port `port`.
    pub fn accept(port: u32, conn_id: u32, port_context: u64, user_data: u64) -> Self {
        Descriptor {
            dst_addr: port_context,
            ..Self::port_op(crate::Opcode::Accept, port, conn_id, user_data)
        }
    }

    /// REJECT connection `conn_id` pending on connection port `port`.
    pub fn reject(port: u32, conn_id: u32, user_data: u64) -> Self {
        Self::port_op(crate::Opcode::Reject, port, conn_id, user_data)
    }

    /// DATAGRAM of `length` payload bytes on communication port `port`.
    pub fn datagram(port: u32, length: u32, user_data: u64) -> Self {
        Descriptor { length, ..Self::port_op(crate::Opcode::Datagram, port, 0, user_data) }
    }

    /// REQUEST of `length` payload bytes on communication port `port`.
    pub fn request(port: u32, length: u32, user_data: u64) -> Self {
        Descriptor { length, ..Self::port_op(crate::Opcode::Request, port, 0, user_data) }
    }

    /// REPLY of `length` payload bytes to request `msg_id` received on `port`.
    pub fn reply(port: u32, msg_id: u32, length: u32, user_data: u64) -> Self {
        Descriptor { length, ..Self::port_op(crate::Opcode::Reply, port, msg_id, user_data) }
    }

    /// CANCEL the context's outstanding request sent on `port` with user
    /// data `request`.
    pub fn cancel(port: u32, request: u64, user_data: u64) -> Self {
        Descriptor { dst_addr: request, ..Self::port_op(crate::Opcode::Cancel, port, 0, user_data) }
    }

    /// The SQ slots of this descriptor with `payload` inline (its `length`
    /// must be the payload's): the descriptor with the first bytes in its
    /// last 32, then continuation slots. An opcode that carries no payload
    /// (COPY, SECTION_CREATE, ..., whose `length` means something else)
    /// takes one slot and no payload.
    pub fn with_payload(&self, payload: &[u8]) -> Vec<[u8; DESC_SIZE]> {
        let inline = crate::Opcode::from_u8(self.opcode).is_some_and(crate::Opcode::carries_payload);
        if !inline || self.flags & DESC_FLAG_LARGE != 0 {
            assert!(payload.is_empty(), "opcode {:#x} carries no payload", self.opcode);
            return vec![self.to_bytes()];
        }
        assert_eq!(self.length as usize, payload.len(), "length must be the payload's");
        let mut bytes = self.to_bytes().to_vec();
        bytes.truncate(DESC_EXTRA);
        bytes.extend_from_slice(payload);
        let slots = inline_slots(payload.len());
        bytes.resize(slots * DESC_SIZE, 0);
        bytes.chunks_exact(DESC_SIZE).map(|c| c.try_into().unwrap()).collect()
    }

    /// SECTION_CREATE: `length` bytes at `iova` with `access` bits.
    pub fn section_create(iova: u64, length: u32, access: u32, user_data: u64) -> Self {
        Descriptor {
            opcode: crate::Opcode::SectionCreate as u8,
            length,
            user_data,
            src_addr: iova,
            dst_addr: access as u64,
            ..Default::default()
        }
    }

    /// SECTION_DELETE: delete section `section`, revoking its views.
    pub fn section_delete(section: u32, user_data: u64) -> Self {
        Self::port_op(crate::Opcode::SectionDelete, section, 0, user_data)
    }

    /// VIEW_CREATE: grant the peer of communication port `port` `length`
    /// bytes of `section` from `offset`, with `access` bits.
    pub fn view_create(port: u32, section: u32, offset: u32, length: u32, access: u32, user_data: u64) -> Self {
        Descriptor {
            length,
            dst_addr: (access as u64) << 32 | offset as u64,
            ..Self::port_op(crate::Opcode::ViewCreate, port, section, user_data)
        }
    }

    /// POST_BUFFER: `length` bytes of own section `section` from `offset`,
    /// for large messages arriving on communication port `port`.
    pub fn post_buffer(port: u32, section: u32, offset: u32, length: u32, user_data: u64) -> Self {
        Descriptor { length, dst_addr: offset as u64, ..Self::port_op(crate::Opcode::PostBuffer, port, section, user_data) }
    }

    /// A large DATAGRAM: `length` bytes at `src` in the sender's memory.
    pub fn large_datagram(port: u32, src: u64, length: u32, user_data: u64) -> Self {
        Descriptor { flags: DESC_FLAG_LARGE, dst_addr: src, ..Self::datagram(port, length, user_data) }
    }

    /// A large REQUEST: `length` bytes at `src` in the sender's memory.
    pub fn large_request(port: u32, src: u64, length: u32, user_data: u64) -> Self {
        Descriptor { flags: DESC_FLAG_LARGE, dst_addr: src, ..Self::request(port, length, user_data) }
    }

    /// VIEW_REVOKE: revoke (grantor) or give up (grantee) view `view`.
    pub fn view_revoke(view: u32, user_data: u64) -> Self {
        Self::port_op(crate::Opcode::ViewRevoke, view, 0, user_data)
    }

    /// The same message descriptor carrying view `view` (DATAGRAM,
    /// REQUEST, REPLY).
    pub fn with_view(self, view: u32) -> Self {
        Descriptor { flags: self.flags | DESC_FLAG_VIEW, dst_addr: view as u64, ..self }
    }

    /// CLOSE a port.
    pub fn close(port: u32, user_data: u64) -> Self {
        Self::port_op(crate::Opcode::Close, port, 0, user_data)
    }

    /// The port handle (port operations).
    pub fn port(&self) -> u32 {
        self.src_addr as u32
    }

    /// The second argument: name id, connection id or message id (port
    /// operations).
    pub fn arg(&self) -> u32 {
        (self.src_addr >> 32) as u32
    }

    /// The largest-message field (CREATE_PORT).
    pub fn max_msg(&self) -> u16 {
        self.dst_addr as u16
    }

    /// The backlog field (CREATE_PORT).
    pub fn backlog(&self) -> u8 {
        (self.dst_addr >> 16) as u8
    }

    /// A NOP descriptor.
    pub fn nop(user_data: u64) -> Self {
        Descriptor {
            opcode: crate::Opcode::Nop as u8,
            user_data,
            ..Default::default()
        }
    }

    /// The 64 bytes the device reads.
    pub fn to_bytes(&self) -> [u8; DESC_SIZE] {
        let mut b = [0u8; DESC_SIZE];
        b[DESC_OPCODE] = self.opcode;
        b[DESC_FLAGS] = self.flags;
        b[DESC_RESERVED..DESC_RESERVED + 2].copy_from_slice(&self.reserved.to_le_bytes());
        b[DESC_LENGTH..DESC_LENGTH + 4].copy_from_slice(&self.length.to_le_bytes());
        b[DESC_USER_DATA..DESC_USER_DATA + 8].copy_from_slice(&self.user_data.to_le_bytes());
        b[DESC_SRC_ADDR..DESC_SRC_ADDR + 8].copy_from_slice(&self.src_addr.to_le_bytes());
        b[DESC_DST_ADDR..DESC_DST_ADDR + 8].copy_from_slice(&self.dst_addr.to_le_bytes());
        b
    }

    /// Parses 64 bytes (the extra bytes are ignored).
    pub fn from_bytes(b: &[u8; DESC_SIZE]) -> Self {
        Descriptor {
            opcode: b[DESC_OPCODE],
            flags: b[DESC_FLAGS],
            reserved: le_u16(b, DESC_RESERVED),
            length: le_u32(b, DESC_LENGTH),
            user_data: le_u64(b, DESC_USER_DATA),
            src_addr: le_u64(b, DESC_SRC_ADDR),
            dst_addr: le_u64(b, DESC_DST_ADDR),
        }
    }
}

/// A view record, as the device writes it at [`RX_VIEW_RECORD`] of a
/// receive buffer: what the receiver of a message with a view learns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ViewRecord {
    /// IOVA of the view's first byte.
    pub iova: u64,
    /// Size of the view in bytes.
    pub length: u32,
    /// The view's handle (for COPY and VIEW_REVOKE).
    pub handle: u32,
    /// Access bits the view grants ([`crate::access`]).
    pub access: u32,
}

impl ViewRecord {
    /// The 32 bytes the device writes.
    pub fn to_bytes(&self) -> [u8; VREC_SIZE] {
        let mut b = [0u8; VREC_SIZE];
        b[VREC_IOVA..VREC_IOVA + 8].copy_from_slice(&self.iova.to_le_bytes());
        b[VREC_LENGTH..VREC_LENGTH + 4].copy_from_slice(&self.length.to_le_bytes());
        b[VREC_HANDLE..VREC_HANDLE + 4].copy_from_slice(&self.handle.to_le_bytes());
        b[VREC_ACCESS..VREC_ACCESS + 4].copy_from_slice(&self.access.to_le_bytes());
        b
    }

    /// Parses 32 bytes.
    pub fn from_bytes(b: &[u8; VREC_SIZE]) -> ViewRecord {
        ViewRecord {
            iova: le_u64(b, VREC_IOVA),
            length: le_u32(b, VREC_LENGTH),
            handle: le_u32(b, VREC_HANDLE),
            access: le_u32(b, VREC_ACCESS),
        }
    }
}

/// A completion entry, as the device writes it into the CQ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Completion {
    /// The descriptor's `user_data`, or the receiving port's context.
    pub user_data: u64,
    /// Port handle, or 0.
    pub port: u32,
    /// Message or connection id, or 0.
    pub msg_id: u32,
    /// Sender's verified identity, or 0.
    pub identity: u32,
    /// Bytes copied (COPY), payload length, or 0.
    pub result: u32,
    /// Receive-buffer index of the payload.
    pub rq_index: u16,
    /// The receiving context's SQ head.
    pub sq_head: u16,
    /// Raw event kind; see [`crate::EventKind`].
    pub kind: u8,
    /// Raw status byte; see [`crate::Status`].
    pub status: u8,
    /// Phase bit.
    pub phase: bool,
    /// The message carries a view ([`CQE_FLAG_VIEW`]).
    pub view: bool,
    /// A large message ([`CQE_FLAG_LARGE`]).
    pub large: bool,
}

impl Completion {
    /// Parses 32 bytes.
    pub fn from_bytes(b: &[u8; CQE_SIZE]) -> Self {
        Completion {
            user_data: le_u64(b, CQE_USER_DATA),
            port: le_u32(b, CQE_PORT),
            msg_id: le_u32(b, CQE_MSG_ID),
            identity: le_u32(b, CQE_IDENTITY),
            result: le_u32(b, CQE_RESULT),
            rq_index: le_u16(b, CQE_RQ_INDEX),
            sq_head: le_u16(b, CQE_SQ_HEAD),
            kind: b[CQE_KIND],
            status: b[CQE_STATUS],
            phase: b[CQE_FLAGS] & CQE_FLAG_PHASE != 0,
            view: b[CQE_FLAGS] & CQE_FLAG_VIEW != 0,
            large: b[CQE_FLAGS] & CQE_FLAG_LARGE != 0,
        }
    }

    /// The 32 bytes the device writes.
    pub fn to_bytes(&self) -> [u8; CQE_SIZE] {
        let mut b = [0u8; CQE_SIZE];
        b[CQE_USER_DATA..CQE_USER_DATA + 8].copy_from_slice(&self.user_data.to_le_bytes());
        b[CQE_PORT..CQE_PORT + 4].copy_from_slice(&self.port.to_le_bytes());
        b[CQE_MSG_ID..CQE_MSG_ID + 4].copy_from_slice(&self.msg_id.to_le_bytes());
        b[CQE_IDENTITY..CQE_IDENTITY + 4].copy_from_slice(&self.identity.to_le_bytes());
        b[CQE_RESULT..CQE_RESULT + 4].copy_from_slice(&self.result.to_le_bytes());
        b[CQE_RQ_INDEX..CQE_RQ_INDEX + 2].copy_from_slice(&self.rq_index.to_le_bytes());
        b[CQE_SQ_HEAD..CQE_SQ_HEAD + 2].copy_from_slice(&self.sq_head.to_le_bytes());
        b[CQE_KIND] = self.kind;
        b[CQE_STATUS] = self.status;
        b[CQE_FLAGS] = if self.phase { CQE_FLAG_PHASE } else { 0 }
            | if self.view { CQE_FLAG_VIEW } else { 0 }
            | if self.large { CQE_FLAG_LARGE } else { 0 };
        b
    }

    /// The decoded status, if the byte is a known one.
    pub fn status(&self) -> Option<crate::Status> {
        crate::Status::from_u8(self.status)
    }

    /// The decoded event kind, if the byte is a known one.
    pub fn kind(&self) -> Option<crate::EventKind> {
        crate::EventKind::from_u8(self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_round_trips() {
        let d = Descriptor {
            opcode: 7,
            flags: 1,
            reserved: 0xBEEF,
            length: 0x1234_5678,
            user_data: 0x0102_0304_0506_0708,
            src_addr: 0xFFFF_0000_1111_2222,
            dst_addr: 42,
        };
        assert_eq!(Descriptor::from_bytes(&d.to_bytes()), d);
        assert_eq!(d.to_bytes()[DESC_LENGTH], 0x78, "little-endian");
    }

    #[test]
    fn completion_round_trips() {
        let c = Completion {
            user_data: 9,
            port: 0x1_0002,
            msg_id: 3,
            identity: 1000,
            result: 77,
            rq_index: 5,
            sq_head: 513,
            kind: 10,
            status: 3,
            phase: true,
            view: true,
            large: true,
        };
        assert_eq!(Completion::from_bytes(&c.to_bytes()), c);
        assert_eq!(c.to_bytes()[CQE_FLAGS], CQE_FLAG_PHASE | CQE_FLAG_VIEW | CQE_FLAG_LARGE);
        let c = Completion { large: false, ..c };
        assert_eq!(c.to_bytes()[CQE_FLAGS], CQE_FLAG_PHASE | CQE_FLAG_VIEW);
        let c = Completion { view: false, ..c };
        assert_eq!(c.to_bytes()[CQE_FLAGS], 1);
        assert_eq!(c.to_bytes()[CQE_KIND], 10);
    }

    #[test]
    fn view_records_round_trip() {
        let v = ViewRecord { iova: 0x1_2345_6789, length: 4096, handle: 0x3_0004, access: 3 };
        assert_eq!(ViewRecord::from_bytes(&v.to_bytes()), v);
        assert_eq!(le_u32(&v.to_bytes(), VREC_HANDLE), 0x3_0004);
        let d = Descriptor::view_create(0x1_0002, 0x2_0001, 0x40, 0x100, 1, 7);
        assert_eq!((d.port(), d.arg(), le_u32(&d.to_bytes(), DESC_VIEW_OFFSET), le_u32(&d.to_bytes(), DESC_VIEW_ACCESS)), (0x1_0002, 0x2_0001, 0x40, 1));
        let m = Descriptor::datagram(5, 0, 1).with_view(0x9_0003);
        assert_eq!((m.flags, le_u32(&m.to_bytes(), DESC_VIEW)), (DESC_FLAG_VIEW, 0x9_0003));
    }

    #[test]
    fn port_operations_encode_their_arguments() {
        let d = Descriptor::create_port(0xABCD, 200, 9, 1);
        assert_eq!((d.arg(), d.max_msg(), d.backlog()), (0xABCD, 200, 9));
        let b = d.to_bytes();
        assert_eq!(le_u32(&b, DESC_ARG), 0xABCD);
        assert_eq!((le_u16(&b, DESC_MAX_MSG), b[DESC_BACKLOG]), (200, 9));
        let a = Descriptor::accept(0x1_0003, 0x2_0004, 0xC0FFEE, 5).to_bytes();
        assert_eq!((le_u32(&a, DESC_PORT), le_u32(&a, DESC_ARG)), (0x1_0003, 0x2_0004));
        assert_eq!(le_u64(&a, DESC_PORT_CONTEXT), 0xC0FFEE);
        assert_eq!((inline_slots(0), inline_slots(32), inline_slots(33), inline_slots(96), inline_slots(97)), (1, 1, 2, 2, 3));
        let payload: Vec<u8> = (0..100).collect();
        let slots = Descriptor::datagram(7, 100, 1).with_payload(&payload);
        assert_eq!(slots.len(), 3);
        assert_eq!(&slots[0][DESC_EXTRA..], &payload[..32]);
        assert_eq!(&slots[1][..], &payload[32..96]);
        assert_eq!(&slots[2][..4], &payload[96..]);
    }
}
