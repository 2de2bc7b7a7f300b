//! The engine: fetches descriptors, executes them (DMA copies and ALPC's
//! port operations on the port and request tables it owns), posts
//! completions and events into any context's ring.
//!
//! One state machine serves all contexts, one descriptor at a time:
//!
//! ```text
//!  reset ▶ Sweep ▶ Idle                     (clear port/request tables, reservations)
//!  Idle ──tear_pending──▶ TdAddr ▶ TdLoad ▶ TdReq* ▶ TdPort* ▶ Idle   (a dead process's context)
//!  Idle ──init_pending──▶ Init ──▶ Idle            (reset a context's queue state)
//!  Idle ──doorbell──▶ LoadAddr ▶ Load ─▶ Check ─┬─ nothing to do / CQ full ─▶ Idle
//!                                               └▶ FetchAddr ▶ FetchData ▶ Decode ─┬─▶ DoneSt
//!                                           CopyStart ▶ Copy ◀─ valid COPY ─────────┤     ▲
//!                            Create* Conn* Ans* Acc* Snd* Rep* CScan* Cl* Scan* RScan* ┘     │
//!                     (PortRd*, ReqScan*, Ref*, Fin*, Pay*, post) ──────────────────────────┘
//!  DoneSt ▶ PostLoad ▶ PostLatch ▶ PostAddr ▶ CplSend ▶ PostStore ▶ Idle
//! ```
//!
//! *post* (`PostLoad` … `PostStore`) writes one 32-byte entry into any
//! context's ring: it reads that context's ring state, writes the entry and
//! stores the state back; port operations call it for their events and
//! return to the state in `p_ret`. See `docs/architecture.md` ("Ports,
//! connections and messages") for the operations and their checks.
//!
//! Contexts are chosen round-robin among those whose doorbell was rung, so
//! one busy context cannot starve the others; after each descriptor the
//! engine re-arms the context's doorbell bit if work is left and goes back to
//! the arbiter. A full completion ring makes the engine leave the context
//! alone until the host rings the CQ head doorbell: completions are never
//! overwritten or dropped.
//!
//! **Copy datapath.** Source and destination may have any byte alignment.
//! Reads are issued as bursts of up to 16 beats (never across 4 KiB, up to
//! [`MAX_READS_IN_FLIGHT`](alpc_contract::bus::MAX_READS_IN_FLIGHT) bursts
//! outstanding, one AXI ID so data returns in order). Each read beat's useful
//! bytes are rotated to their destination's byte lanes and appended to a
//! 32-byte ring (the accumulator); a write beat leaves as soon as the ring
//! holds the bytes that beat needs, as one half of the ring, with write
//! strobes covering exactly the destination range. A read beat and a write beat can both happen in one
//! cycle, so the copy streams at one beat (16 bytes) per cycle when memory
//! keeps up. The completion is written only after every data write has been
//! acknowledged, so the host never sees a completion before its data.

use crate::acl_cam::{AclCam, ACL_KEY_BITS};
use crate::block_ram::BlockRam;
use crate::burst_splitter::BurstSplitter;
use crate::handle_allocator::HandleAllocator;
use crate::name_cam::NameCam;
use crate::replica_dff::ReplicaDff;
use crate::rr_arbiter::RrArbiter;
use crate::section_table::{op as sec_op, SectionTable};
use crate::window_check::WindowCheck;
use alpc_contract::{bus, desc, geometry, EventKind, Opcode, Status};
use rust_hdl::prelude::*;

/// Port-table entry width.
const PE_BITS: usize = pe::BITS;
/// Request-table index bits.
const RB: usize = geometry::REQUEST_BITS;
/// Request-table entry width.
const RE_BITS: usize = re::BITS;

/// Request-table entry layout (internal, like the port table's).
mod re {
    /// Entry width in bits.
    pub const BITS: usize = 121;
    /// The request is outstanding (1 bit).
    pub const LIVE: u64 = 0;
    /// Generation (16 bits); a message id is `generation << 16 | index`.
    pub const GEN: u64 = 1;
    /// Context that sent the request (8 bits).
    pub const REQUESTER: u64 = 17;
    /// Port it was sent on (16 bits).
    pub const FROM: u64 = 25;
    /// Port it was delivered to (16 bits).
    pub const TO: u64 = 41;
    /// The request's user data, returned in its REPLY (64 bits).
    pub const USER: u64 = 57;
    const _: () = assert!(USER + 64 == BITS as u64);
    const _: () = assert!(LIVE == 0, "the engine reads and writes the live flag as bit 0");
}

/// Port-table entry layout. The table is internal to the engine (software
/// sees ports only through handles and completions), so it lives here, not
/// in the contract.
mod pe {
    /// Entry width in bits.
    pub const BITS: usize = 133;
    /// Kind (2 bits): [`KIND_FREE`], [`KIND_CONNECTION`], ...
    pub const KIND: u64 = 0;
    /// State of a communication port (2 bits).
    pub const STATE: u64 = 2;
    /// Owner context (8 bits).
    pub const OWNER: u64 = 4;
    /// Generation (16 bits); a handle is `generation << 16 | index`.
    pub const GEN: u64 = 12;
    /// Peer: the connection port of a connecting client port, else the
    /// other end of the connection (16 bits).
    pub const PEER: u64 = 28;
    /// Largest message (9 bits).
    pub const MAX: u64 = 44;
    /// Backlog of a connection port (8 bits).
    pub const BACKLOG: u64 = 53;
    /// Pending connections of a connection port (8 bits).
    pub const PENDING: u64 = 61;
    /// Port context: the user data of every event on the port (64 bits).
    pub const CONTEXT: u64 = 69;
    pub const KIND_FREE: u64 = 0;
    pub const KIND_CONNECTION: u64 = 1;
    pub const KIND_SERVER: u64 = 2;
    pub const KIND_CLIENT: u64 = 3;
    pub const STATE_CONNECTING: u64 = 0;
    pub const STATE_CONNECTED: u64 = 1;
    pub const STATE_PEER_CLOSED: u64 = 2;
    const _: () = assert!(CONTEXT + 64 == BITS as u64 && PENDING + 8 <= CONTEXT);
}

/// What a port-table write puts in the entry (`pw_op`). The state that
/// decides a write names one of these; the entry is put together from it
/// the cycle after (timing: the fields then come from registers, not
/// through the state's decode).
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum PortWrite {
    /// Entry A freed: its next generation (CLOSE, the close scan, teardown).
    FreeA,
    /// Entry B freed, a refused connect: its next generation.
    FreeB,
    /// Reset sweep: free, generation 0.
    Sweep,
    /// CREATE_PORT: the server port, from the descriptor.
    NewServer,
    /// CONNECT: the client's connection port, peer A.
    NewClient,
    /// ACCEPT: the server side's connection port, peer B.
    NewConn,
    /// Entry A's pending connects plus one.
    PendIncA,
    /// Entry A's pending connects minus one.
    PendDecA,
    /// Entry B connected, peer the new entry (ACCEPT).
    ConnectB,
    /// Entry B's peer closed.
    PeerClosedB,
    /// Entry B's pending connects minus one (teardown).
    PendDecB,
}

/// Where the port table's read address comes from (`pr_sel`), named a
/// cycle before the state that reads the table: by the state before it,
/// from that state and its return registers alone, so that the DP16KDs'
/// address is an 8-way mux of flip-flops on a 3-bit register, not of the
/// state's decode (timing: that decode and mux were the worst path of
/// seeds 1 and 2 at `e75c6e2`, 12.22 and 11.52 ns). A state that reads
/// the table never waits in place, so the name is needed for one cycle.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum PortRead {
    /// The descriptor's handle (`PortRd0`), and every other state.
    HandleA,
    /// The descriptor's second handle (ACCEPT/REJECT's client port, `Ans2`).
    HandleB,
    /// Entry A's peer (`Snd2`, `Cl2`, `VcPort`, `RScanEnd`, `TdPort2`).
    PeerA,
    /// The entry the port allocator would hand out (`CreateLook`,
    /// `Conn3`, `AnsChk`), read for its generation.
    Alloc,
    /// The port the name directory found (`Conn0`).
    Named,
    /// The close scan's entry (`Scan0`).
    Scan,
    /// The request's sender port (`Rep4`, `RScan2`).
    ReqFrom,
    /// Teardown's port scan (`TdPort0`).
    TearScan,
}

/// Where a completion's first beat (user data, port, message id) comes
/// from (`ef_op`). The state that posts the completion names one of
/// these; `e_user`, `e_port` and `e_msg` are filled from it the cycle after
/// (timing: their 128 flip-flops then take a 3-bit register's mux of
/// registers, not the state's decode), at least two cycles before
/// `CplSend` puts them on the bus.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum CplFill {
    /// Nothing this cycle: the fields hold.
    Hold,
    /// A descriptor's own completion (`DoneSt`): its user data and port.
    Done,
    /// CONNECT's notice to the server (`Conn5`): the new connection port.
    Connect,
    /// A notice to port B's owner about port B (ACCEPT's to the client,
    /// PORT_CLOSED to the peer).
    PeerB,
    /// A refused connect's notice to the client (`Ref0`): no port.
    Refuse,
    /// A message delivered to port B (`Snd7`): a request's handle.
    Deliver,
    /// A reply to the requester (`Fin1`): the request's user data and handle.
    Finish,
}

/// Engine states; see the module documentation.
///
/// Shared sub-sequences return through registers (`p_ret`, `sec_ret`, ...)
/// that hold the state to go back to. The return is a `match` of that
/// register with a constant in each arm, not a copy of it: the next state
/// is then always a constant, the shape synthesis tools recognize as a
/// state machine (and may re-encode; `bitstreams`' `--one-hot`). The `_`
/// arm is the registers' initial value; none is read before it is set.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum EngineState {
    /// Waiting for a doorbell or a context reset.
    Idle,
    /// The descriptor's port handle: in range? Read entry A.
    PortRd0,
    /// Entry A latched.
    PortRd1,
    /// Entry A's checks registered; on to `pr_ret`.
    PortRd2,
    /// Request-table scan: read entry `rscan`, or go to `rs_end` past the end.
    ReqScan0,
    /// Request-table scan: entry latched.
    ReqScan1,
    /// Request-table scan: its checks registered; on to `rs_ret`.
    ReqScan2,
    /// CANCEL: no request matched.
    CScanEnd,
    /// Teardown: its requests are gone; now its ports.
    TdReqEnd,
    /// Writing a fresh queue state for a (re)configured context.
    Init,
    /// A doorbell's context is latched; its tables are read.
    LoadAddr,
    /// Context tables are being read.
    Load,
    /// The loaded ring's fullness is registered.
    LoadFull,
    /// Deciding whether the context has work and room for a completion.
    Check,
    /// Issuing the descriptor read.
    FetchAddr,
    /// Receiving the descriptor.
    FetchData,
    /// Validating the descriptor.
    Decode,
    /// Setting up the copy datapath.
    CopyStart,
    /// Streaming the copy.
    Copy,
    /// After reset: clearing the port table and the reservation counts.
    Sweep,
    /// The descriptor's own completion: set up the post.
    DoneSt,
    /// Post: read the target context's ring state.
    PostLoad,
    /// Post: latch it (and return, for a look without a post).
    PostLatch,
    /// Look: the ring's fullness is registered; return.
    PostLook,
    /// Post: the entry's and the view record's addresses are registered.
    PostAddr,
    /// Post: sending the 32-byte completion entry (address and two beats),
    /// then waiting for its write response.
    CplSend,
    /// Post: storing the ring state back, raising the interrupt.
    PostStore,
    /// CREATE_PORT: the name directory looks the name up (a CAM lookup
    /// and its registered answer take two cycles).
    CreateLook,
    /// CREATE_PORT: checks, allocation.
    Create0,
    /// CREATE_PORT: entry written, name registered.
    Create1,
    /// CONNECT: the name directory looks the name up.
    ConnLook,
    /// CONNECT: name found?
    Conn0,
    /// CONNECT: connection port latched.
    Conn1,
    /// CONNECT: the access list looks (port, identity) up.
    ConnAcl,
    /// CONNECT: checks; look at the server's ring.
    Conn2,
    /// CONNECT: server busy?, allocation.
    Conn3,
    /// CONNECT: the new entry's generation read.
    ConnGen,
    /// CONNECT: client port written.
    Conn4,
    /// CONNECT: backlog counted; CONNECTION_REQUEST to the server.
    Conn5,
    /// CONNECT: consumed, its completion slot stays reserved.
    ConnFin,
    /// ACCEPT/REJECT: check it; read the client port.
    Ans2,
    /// ACCEPT/REJECT: client port latched.
    Ans3,
    /// ACCEPT/REJECT: its checks registered; the new entry's generation read.
    AnsChk,
    /// ACCEPT/REJECT: check it; reject, or allocate the server port.
    Ans4,
    /// ACCEPT: server port written.
    Acc5,
    /// ACCEPT: backlog released.
    Acc6,
    /// ACCEPT: client port connected; CONNECTION_REPLY to the client.
    Acc7,
    /// ACCEPT: completion with the server port's handle.
    AccFin,
    /// Refuse a pending connect (port B): CONNECTION_REPLY to its owner.
    Ref0,
    /// Refuse: free port B, return.
    Ref1,
    /// CREDIT: own connected communication port? Read its peer's credits.
    Cr2,
    /// CREDIT: their sum with the grant is registered.
    Cr3,
    /// CREDIT: write the sum, capped at MAX_WINDOW.
    Cr4,
    /// ALLOW: own connection port? Read its restricted bit.
    Allow2,
    /// ALLOW: restricted? Already listed? Room? Insert.
    Allow3,
    /// CLOSE: check it, by kind.
    Cl2,
    /// CLOSE of a connecting client port: connection port latched.
    ClC1,
    /// CLOSE of a connecting client port: backlog released, refuse.
    ClC2,
    /// CLOSE of a connected port: peer latched.
    ClP1,
    /// CLOSE of a connected port: peer marked closed, PORT_CLOSED to it.
    ClP2,
    /// CLOSE of a communication port: free it.
    ClP3,
    /// CLOSE of a connection port: read entry `scan`.
    Scan0,
    /// Scan: entry latched.
    Scan1,
    /// Scan: its check registered.
    Scan2,
    /// Scan: next entry; refuse this one first if it is a connect pending
    /// on the closed port.
    Scan3,
    /// Scan done: free the connection port.
    ScanEnd,
    /// DATAGRAM/REQUEST: checks; read the peer port.
    Snd2,
    /// DATAGRAM/REQUEST: peer latched.
    Snd3,
    /// DATAGRAM/REQUEST: look at the receiver's ring.
    Snd4,
    /// DATAGRAM/REQUEST: receiver busy?, request entry allocated.
    Snd5,
    /// REQUEST: request entry written.
    Snd6,
    /// DATAGRAM/REQUEST: payload into the receiver's buffer, event posted.
    Snd7,
    /// DATAGRAM completes; a REQUEST is consumed, its completion comes with the REPLY.
    Snd8,
    /// Inline payload: first segment (up to the SQ's end).
    Pay0,
    /// Inline payload: second segment (from the SQ's start), or return.
    Pay1,
    /// REPLY/CANCEL: check it; read the request.
    Rep2,
    /// REPLY/CANCEL: request latched.
    Rep3,
    /// REPLY: the request's checks registered.
    Rep3w,
    /// REPLY/CANCEL: check the request.
    Rep4,
    /// REPLY: requester's port latched (for its generation).
    Rep5,
    /// REPLY: finish the request.
    Rep6,
    /// REPLY/CANCEL: completion.
    RepEnd,
    /// CANCEL: is it this context's, sent on this port with this user data?
    CScan2,
    /// Finish request R: look at the requester's ring.
    Fin0,
    /// Finish: payload (REPLY) and the REPLY event.
    Fin1,
    /// Finish: free the request entry, return.
    Fin2,
    /// Request scan: finish it if it travels on the closing port.
    RScan2,
    /// Request scan: requester's port latched.
    RScan4,
    /// Request scan: finish it (PEER_CLOSED).
    RScan5,
    /// Request scan: next entry.
    RScan3,
    /// Request scan done: PORT_CLOSED to the peer, free the port.
    RScanEnd,
    /// Teardown: the dead context is latched; its tables are read.
    TdAddr,
    /// Teardown: the dying context's identity latched.
    TdLoad,
    /// Teardown: forget it if the dying context sent it.
    TdReq2,
    /// Teardown: read port `tscan`.
    TdPort0,
    /// Teardown: port latched.
    TdPort1,
    /// Teardown: close it if the dying context owns it.
    TdPort2,
    /// Teardown of a connecting client port: its connection port latched.
    TdC1,
    /// Teardown of a connecting client port: backlog released.
    TdC2,
    /// Teardown of a connecting client port: freed.
    TdC3,
    /// Teardown: next port.
    TdNext,
    /// Section table: start the command in `sx_*` once the table is free.
    SecGo,
    /// Section table: wait for its result, then go to `sec_ret`.
    SecWait,
    /// SECTION_CREATE/DELETE, VIEW_CREATE/REVOKE: the table's status.
    SecFin,
    /// VIEW_CREATE: port checks; read the peer port.
    VcPort,
    /// VIEW_CREATE: peer latched; grant to its owner.
    VcPeer,
    /// A message's view checked: on to `att_ret`, or fail.
    AttDone,
    /// A large message's posted buffer found (or not).
    LgFound,
    /// A large message copied into its buffer: on to the post.
    LgCopied,
    /// COPY: check one side (an address in the window, or a view).
    CpSide,
    /// COPY: a window side's range compared into flags.
    CpChk,
    /// COPY: a window side's flags acted on.
    CpAct,
    /// COPY: a view side resolved.
    CpRes,
    /// COPY: next side, or start.
    CpNext,
    /// Teardown: the section table frees the context's grants.
    TdEnd,
}

/// See the module documentation. `N` must be `1 << CB`; the port table
/// has `1 << PB` entries.
#[derive(LogicBlock)]
pub struct Engine<const CB: usize, const N: usize, const PB: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// Global enable (CONTROL_ENABLE).
    pub enable: Signal<In, Bit>,
    /// Per-context enable bits.
    pub ctx_enabled: Signal<In, Bits<N>>,
    /// Per-context doorbell bits.
    pub db_pending: Signal<In, Bits<N>>,
    /// Per-context reset requests.
    pub init_pending: Signal<In, Bits<N>>,
    /// A register write sets `init_pending` for `init_set_onehot`'s
    /// context at this edge (`Check` reads its own context's bit from a
    /// flip-flop, `init_hit_q`, not through a 1-of-N select).
    pub init_set: Signal<In, Bit>,
    /// The context of `init_set`, one-hot.
    pub init_set_onehot: Signal<In, Bits<N>>,
    /// Per-context teardown requests.
    pub tear_pending: Signal<In, Bits<N>>,
    /// Clear a teardown request.
    pub tear_clear_en: Signal<Out, Bit>,
    /// Which teardown request to clear.
    pub tear_clear_ctx: Signal<Out, Bits<CB>>,
    /// Clear a doorbell bit.
    pub db_clear_en: Signal<Out, Bit>,
    /// Which doorbell bit to clear.
    pub db_clear_ctx: Signal<Out, Bits<CB>>,
    /// Set a doorbell bit (work left).
    pub db_set_en: Signal<Out, Bit>,
    /// Which doorbell bit to set.
    pub db_set_ctx: Signal<Out, Bits<CB>>,
    /// Clear a reset request.
    pub init_clear_en: Signal<Out, Bit>,
    /// Which reset request to clear.
    pub init_clear_ctx: Signal<Out, Bits<CB>>,
    /// Context table read address.
    pub cfg_ctx: Signal<Out, Bits<CB>>,
    /// SQ IOVA.
    pub cfg_sq_base: Signal<In, Bits<64>>,
    /// CQ IOVA.
    pub cfg_cq_base: Signal<In, Bits<64>>,
    /// log2(SQ entries).
    pub cfg_sq_log2: Signal<In, Bits<4>>,
    /// log2(CQ entries).
    pub cfg_cq_log2: Signal<In, Bits<4>>,
    /// SQ tail doorbell.
    pub cfg_sq_tail: Signal<In, Bits<16>>,
    /// CQ head doorbell.
    pub cfg_cq_head: Signal<In, Bits<16>>,
    /// Stored SQ head.
    pub st_sq_head: Signal<In, Bits<16>>,
    /// Stored CQ tail.
    pub st_cq_tail: Signal<In, Bits<16>>,
    /// Stored phase.
    pub st_phase: Signal<In, Bit>,
    /// The context's identity.
    pub cfg_identity: Signal<In, Bits<32>>,
    /// The context's memory window: first IOVA.
    pub cfg_mem_base: Signal<In, Bits<64>>,
    /// The context's memory window: last IOVA.
    pub cfg_mem_last: Signal<In, Bits<64>>,
    /// Stored CQ reservation count.
    pub st_resv: Signal<In, Bits<16>>,
    /// Write a reservation count.
    pub resv_wr_en: Signal<Out, Bit>,
    /// Context of the reservation write.
    pub resv_wr_ctx: Signal<Out, Bits<CB>>,
    /// New reservation count.
    pub resv_wr_data: Signal<Out, Bits<16>>,
    /// Write the queue state.
    pub st_wr_en: Signal<Out, Bit>,
    /// Context of the state write.
    pub st_wr_ctx: Signal<Out, Bits<CB>>,
    /// New SQ head.
    pub st_wr_sq_head: Signal<Out, Bits<16>>,
    /// New CQ tail.
    pub st_wr_cq_tail: Signal<Out, Bits<16>>,
    /// New phase.
    pub st_wr_phase: Signal<Out, Bit>,
    /// A descriptor completed.
    pub count_done: Signal<Out, Bit>,
    /// A descriptor completed with an error.
    pub count_error: Signal<Out, Bit>,
    /// The engine is not idle.
    pub busy: Signal<Out, Bit>,
    /// The engine is working on `active_ctx` and may still touch its memory.
    pub active: Signal<Out, Bit>,
    /// The context the engine is working on.
    pub active_ctx: Signal<Out, Bits<CB>>,

    /// AXI4 master: read address ID.
    pub m_axi_arid: Signal<Out, Bits<{ bus::AXI_ID_BITS }>>,
    /// Read address.
    pub m_axi_araddr: Signal<Out, Bits<64>>,
    /// Read burst length minus one.
    pub m_axi_arlen: Signal<Out, Bits<8>>,
    /// Read beat size (log2 bytes).
    pub m_axi_arsize: Signal<Out, Bits<3>>,
    /// Read burst type.
    pub m_axi_arburst: Signal<Out, Bits<2>>,
    /// Read address valid.
    pub m_axi_arvalid: Signal<Out, Bit>,
    /// Read address ready.
    pub m_axi_arready: Signal<In, Bit>,
    /// Read data ID.
    pub m_axi_rid: Signal<In, Bits<{ bus::AXI_ID_BITS }>>,
    /// Read data.
    pub m_axi_rdata: Signal<In, Bits<128>>,
    /// Read response.
    pub m_axi_rresp: Signal<In, Bits<2>>,
    /// Last read beat of a burst.
    pub m_axi_rlast: Signal<In, Bit>,
    /// Read data valid.
    pub m_axi_rvalid: Signal<In, Bit>,
    /// Read data ready.
    pub m_axi_rready: Signal<Out, Bit>,
    /// Write address ID.
    pub m_axi_awid: Signal<Out, Bits<{ bus::AXI_ID_BITS }>>,
    /// Write address.
    pub m_axi_awaddr: Signal<Out, Bits<64>>,
    /// Write burst length minus one.
    pub m_axi_awlen: Signal<Out, Bits<8>>,
    /// Write beat size (log2 bytes).
    pub m_axi_awsize: Signal<Out, Bits<3>>,
    /// Write burst type.
    pub m_axi_awburst: Signal<Out, Bits<2>>,
    /// Write address valid.
    pub m_axi_awvalid: Signal<Out, Bit>,
    /// Write address ready.
    pub m_axi_awready: Signal<In, Bit>,
    /// Write data.
    pub m_axi_wdata: Signal<Out, Bits<128>>,
    /// Write strobes.
    pub m_axi_wstrb: Signal<Out, Bits<16>>,
    /// Last write beat of a burst.
    pub m_axi_wlast: Signal<Out, Bit>,
    /// Write data valid.
    pub m_axi_wvalid: Signal<Out, Bit>,
    /// Write data ready.
    pub m_axi_wready: Signal<In, Bit>,
    /// Write response ID.
    pub m_axi_bid: Signal<In, Bits<{ bus::AXI_ID_BITS }>>,
    /// Write response.
    pub m_axi_bresp: Signal<In, Bits<2>>,
    /// Write response valid.
    pub m_axi_bvalid: Signal<In, Bit>,
    /// Write response ready.
    pub m_axi_bready: Signal<Out, Bit>,
    /// A completion of `cpl_ctx` is in host memory (to the interrupt moderator).
    pub cpl_event: Signal<Out, Bit>,
    /// Context of the completion.
    pub cpl_ctx: Signal<Out, Bits<CB>>,

    db_arb: RrArbiter<CB, N>,
    init_arb: RrArbiter<CB, N>,
    tear_arb: RrArbiter<CB, N>,
    died: DFF<Bit>,
    close_ret: DFF<EngineState>,
    // The state a CLOSE returns to, decoded from `close_ret` once for the
    // two states that return (see `EngineState`).
    close_to: Signal<Local, EngineState>,
    // The scans count 0..=N, N a power of two: bit log2(N) is their end.
    tscan: DFF<Bits<32>>,
    bs_ar: BurstSplitter,
    bs_aw: BurstSplitter,
    bs_w: BurstSplitter,
    bs_w_after: BurstSplitter,

    name_dir: NameCam<{ geometry::NAMES }, 32, PB>,
    acl: AclCam<{ geometry::ACL_ENTRIES }, PB>,
    restricted: RAM<Bit, PB>,
    // Flow control: a connection port's window, and a client port's
    // credits (bit 8: it has a window; [7:0]: messages it may still send).
    window: RAM<Bits<8>, PB>,
    credits: RAM<Bits<9>, PB>,
    // The credits RAM's output, registered every cycle with what is done
    // with it (timing: a block RAM's output is slow, and it fed the send's
    // checks, the state and the request table in one cycle).
    cr_win: DFF<Bit>,
    // Port A's window as a client port's first credits (Acc7), registered
    // every cycle from the window RAM (timing: the LUT RAM's read, its
    // zero test and the credits RAM's write data in one cycle were seed
    // 1's worst path once acc_room was in). Port A and the window hold
    // still from PortRd0 to Acc7. The RAM's output goes to `win_q` first
    // and the zero test is made from there: the block RAM's 4.3 ns clock
    // to out, its route and the test into `win_credits` were seed 1's
    // worst path at a5e5986 (11.34 ns). `a_idx` is set in PortRd0, so
    // `win_credits` is right from Ans3 on; Acc7 comes six states later.
    win_q: DFF<Bits<8>>,
    win_credits: DFF<Bits<9>>,
    cr_busy: DFF<Bit>,
    // Snd5 may take a request slot: the window's and the allocator's checks, a cycle old.
    snd_take_q: DFF<Bit>,
    cr_dec: DFF<Bits<9>>,
    // CREDIT: the peer's credits as read (Cr3), and in Cr4 their sum with
    // the grant, in 9 bits: a grant of 256 or more is over the cap anyway
    // (MAX_WINDOW < 256, the credits RAM's count is 8 bits). Timing: the
    // block RAM's output (5.8 ns clock to out) into a 33-bit add was seed
    // 1's worst path at bce6c29; now the RAM's output goes to a flip-flop.
    cr_got: DFF<Bits<8>>,
    cr_sum: Signal<Local, Bits<9>>,
    cr_over: Signal<Local, Bit>,
    conn_restricted: DFF<Bit>,
    /// The restricted bit read every cycle (ALLOW's address holds from
    /// `PortRd1`, so `Allow3` acts on a flip-flop, not on the table's output).
    restricted_q: DFF<Bit>,
    // The CAMs' answers, registered once more: a CAM registers its compares
    // and picks its answer from them, and what the engine does with the
    // answer is a path of its own. The keys (the descriptor's fields, the
    // latched port) are stable two cycles before the states that read these
    // (CreateLook, ConnLook and ConnAcl wait for them).
    name_hit: DFF<Bit>,
    name_port: DFF<Bits<PB>>,
    acl_hit: DFF<Bit>,
    // The access list's key and insert, registered (timing: the key's
    // select and the insert's decision each fanned out to all of the
    // CAM's slots in the cycle they were made). CONNECT keys on the found
    // port (`name_port`, valid from Conn0), so its lookup is not later;
    // ALLOW keys on port A, latched in PortRd0, three states before
    // Allow3 reads the answer; the insert lands in the cycle after Allow3.
    acl_key: DFF<Bits<ACL_KEY_BITS>>,
    acl_insert: DFF<Bit>,
    // A closed connection port's name and access-list entries go a cycle
    // after the state that decides it (`Cl2`, `TdPort2`; the scan that
    // follows uses neither CAM): the decision fanned out to every slot's
    // `valid` bit in both CAMs in the same cycle (timing).
    cam_remove: DFF<Bit>,
    // CREATE_PORT's name goes into the directory a cycle after Create1
    // (DoneSt: `d_src` and `new_idx` hold still; the next lookup is a
    // later descriptor's): Create1's decode reached the write enables of
    // every slot's name and port, 1 100 flip-flops (timing: the census's
    // largest group at `e75c6e2`, 852 late endpoints).
    cam_insert: DFF<Bit>,
    a_link: Signal<Local, Bits<8>>,
    // Port A's checks, registered a cycle after its entry (PortRd2 waits
    // for them): the states they steer no longer start at a compare.
    a_link_q: DFF<Bits<8>>,
    a_ok_q: DFF<Bit>,
    a_mine_q: DFF<Bit>,
    a_comm_q: DFF<Bit>,
    // In the Copy state: a flip-flop set with it (a state compare fed the
    // copy's handshakes and, through them, every bit of the accumulator).
    copying: DFF<Bit>,
    // The state is CopyStart: set by the states that go there, so the
    // copy's 300-odd registers it resets load on a flip-flop, not on the
    // state's decode (that decode, shared with the next-state logic, was
    // a 345-sink net in seed 1's worst path at 38a2f76).
    copy_go: DFF<Bit>,
    // In the CplSend state: set by the states that go there, so the
    // completion's AW and W lanes (the 128-bit W data mux and the address)
    // select on a flip-flop, not on the state's decode (that decode,
    // shared with the next-state logic, was a 274-sink net in the worst
    // path at 9425021).
    cpl_sending: DFF<Bit>,
    // The state is Load (PostLatch): a one-cycle flag set by LoadAddr
    // (PostLoad), its only way in, so the context's queue state (the
    // target ring's state) loads on a flip-flop, not on the state's decode
    // (291 and 151 sinks, beside the next-state logic at a7c4b90).
    load_now: DFF<Bit>,
    latch_now: DFF<Bit>,
    // The state is Decode: a one-cycle flag set by FetchData with the
    // descriptor's last beat, its only way in, so Decode's loads (the
    // completion's defaults, the port field, the section command's
    // operands, the return states) sit on a flip-flop and Decode's own
    // decode steers the next state alone (timing: that decode, through
    // the refusals into `cpl_port`, was seed 1's worst path at 2b67552).
    decoding: DFF<Bit>,
    // The state is PostStore: set by its two ways in (PostLatch, CplSend),
    // so the post's stores (context table, reservations, the counters, the
    // round-robin start, the doorbell re-arm) sit on a flip-flop and
    // PostStore's decode steers the next state alone (timing: that decode
    // into `last_after` and the doorbells' pending bits was seed 3's
    // second and third worst at a5e5986, 11.42 and 10.74 ns).
    storing: DFF<Bit>,
    // The state is Pay0: set by its three ways in (Conn5, Snd7, Fin1 with
    // a payload), so the payload copy's set-up (`c_src`, `c_len`,
    // `c_rest`) loads on a flip-flop (timing: `c_src` from the state's
    // decode was seed 2's worst path at 44187bf, 11.40 ns).
    paying: DFF<Bit>,
    // The state is LoadAddr: set by Idle with the doorbell's grant, its
    // only way in; the pending bit is cleared on it (same timing reason).
    db_claim: DFF<Bit>,
    // The descriptor's read failed or came back short: Decode's arm goes
    // to DoneSt on it and the block on `decoding` reports it. Registered
    // with the last beat, from what that beat brings (timing: the test of
    // `beat` and `rd_err` in Decode, the head of its refusals, was the
    // large core's worst path at 4513537).
    desc_short: DFF<Bit>,
    // This R beat of the descriptor is an error or not the queue's.
    desc_beat_bad: Signal<Local, Bit>,
    // Every counter of the copy at zero in the cycle before (false in the
    // first Copy cycle). Once all are zero nothing starts again, so Copy
    // may end on this flip-flop a cycle late rather than on five compares.
    copy_quiet_q: DFF<Bit>,
    // c_rest != 0, set with it.
    c_rest_nz: DFF<Bit>,
    port_alloc: HandleAllocator<PB>,
    ports: BlockRam<Bits<PE_BITS>, PB>,

    req_alloc: HandleAllocator<RB>,
    reqs: BlockRam<Bits<RE_BITS>, RB>,

    sections: SectionTable,
    // The context's memory window against a COPY side (set in CpSide,
    // judged in CpAct) and a large message's bytes (from the descriptor,
    // which holds still from its fetch to the send, several cycles later).
    cp_window: WindowCheck,
    lg_window: WindowCheck,
    sx_op: DFF<Bits<4>>,
    sx_posted: DFF<Bit>,
    is_post: DFF<Bit>,
    lg_have: DFF<Bit>,
    e_large: DFF<Bit>,
    m_large: Signal<Local, Bit>,
    k_op_post: Constant<Bits<8>>,
    k_flags_reply: Constant<Bits<8>>,
    k_flags_both: Constant<Bits<8>>,
    k_c_lflag: Constant<Bits<8>>,
    k_sx_find: Constant<Bits<4>>,
    sx_handle: DFF<Bits<32>>,
    sx_addr: DFF<Bits<64>>,
    sx_len: DFF<Bits<32>>,
    sx_off: DFF<Bits<32>>,
    sx_rights: DFF<Bits<64>>,
    sx_grantee: DFF<Bits<8>>,
    sx_port: DFF<Bits<16>>,
    sec_ret: DFF<EngineState>,
    att_ret: DFF<EngineState>,
    cp_side: DFF<Bit>,
    e_view: DFF<Bit>,
    cpl_rec: DFF<Bit>,
    vrec_iova: DFF<Bits<64>>,
    vrec_len: DFF<Bits<32>>,
    vrec_handle: DFF<Bits<32>>,
    vrec_access: DFF<Bits<32>>,
    own_base: DFF<Bits<64>>,
    own_last: DFF<Bits<64>>,
    m_view: Signal<Local, Bit>,
    flags_allowed: Signal<Local, Bits<8>>,
    cp_view: Signal<Local, Bit>,
    cp_addr: Signal<Local, Bits<64>>,
    vrec_lo: Signal<Local, Bits<128>>,
    vrec_hi: Signal<Local, Bits<128>>,
    k_op_sec_create: Constant<Bits<8>>,
    k_op_sec_delete: Constant<Bits<8>>,
    k_op_view_create: Constant<Bits<8>>,
    k_op_view_revoke: Constant<Bits<8>>,
    k_flags_copy: Constant<Bits<8>>,
    k_flags_msg: Constant<Bits<8>>,
    k_c_vflag: Constant<Bits<8>>,
    k_vrec_off: Constant<Bits<64>>,
    k_vr_len: Constant<Bits<8>>,
    k_vr_handle: Constant<Bits<8>>,
    k_vr_access: Constant<Bits<8>>,
    k_access_read: Constant<Bits<64>>,
    k_access_write: Constant<Bits<64>>,
    k_sx_sec_create: Constant<Bits<4>>,
    k_sx_sec_delete: Constant<Bits<4>>,
    k_sx_view_create: Constant<Bits<4>>,
    k_sx_view_revoke: Constant<Bits<4>>,
    k_sx_resolve: Constant<Bits<4>>,
    k_sx_attach: Constant<Bits<4>>,
    k_sx_teardown: Constant<Bits<4>>,
    c_src: DFF<Bits<64>>,
    c_dst: DFF<Bits<64>>,
    c_len: DFF<Bits<32>>,
    c_rest: DFF<Bits<32>>,
    copy_ret: DFF<EngineState>,
    pr_ret: DFF<EngineState>,
    rs_ret: DFF<EngineState>,
    rs_end: DFF<EngineState>,
    d_slots: DFF<Bits<16>>,
    e_rq: DFF<Bits<16>>,
    r_e: DFF<Bits<RE_BITS>>,
    // The request entry's checks, registered a cycle after it is latched
    // (ReqScan2 and Rep3w wait for them): the scans and REPLY act on
    // flip-flops, not on a compare of the entry (a critical path).
    rq_from_a_q: DFF<Bit>,
    rq_to_a_q: DFF<Bit>,
    rq_mine_q: DFF<Bit>,
    rq_user_q: DFF<Bit>,
    rq_gen_q: DFF<Bit>,
    // Entry B's checks, compared from the port table's output as it is
    // latched (Ans3, Scan1; no collision logic in front since BlockRam):
    // a connect pending on port A, and the argument handle's generation.
    b_pend_a_q: DFF<Bit>,
    b_gen_arg_q: DFF<Bit>,
    rd_gen_q: DFF<Bits<16>>,
    // A port-table write decided this cycle: on, where, what (see PortWrite).
    pw_en: DFF<Bit>,
    pw_addr: DFF<Bits<PB>>,
    pw_op: DFF<PortWrite>,
    /// Where the port table's read address comes from ([`PortRead`]).
    pr_sel: DFF<PortRead>,
    // Where the completion's first beat is filled from next cycle (see CplFill).
    ef_op: DFF<CplFill>,
    r_idx: DFF<Bits<RB>>,
    f_status: DFF<Bits<8>>,
    f_ident: DFF<Bits<32>>,
    f_port: DFF<Bits<32>>,
    f_len: DFF<Bits<32>>,
    // f_len != 0, a cycle after it (Fin1 branches on it: no 32-bit test there).
    f_nz: DFF<Bit>,
    fin_ret: DFF<EngineState>,
    rscan: DFF<Bits<32>>,
    new_req: DFF<Bits<RB>>,
    new_req_fresh: DFF<Bit>,
    new_req_gen_q: DFF<Bits<16>>,
    sweep: DFF<Bits<32>>,
    own_ident: DFF<Bits<32>>,
    own_resv: DFF<Bits<16>>,
    own_dec: DFF<Bits<2>>,
    t_ctx: DFF<Bits<CB>>,
    t_cq_base: DFF<Bits<64>>,
    t_cq_mask: DFF<Bits<16>>,
    t_cq_head: DFF<Bits<16>>,
    t_cq_tail: DFF<Bits<16>>,
    t_phase: DFF<Bit>,
    t_sq_head: DFF<Bits<16>>,
    t_resv: DFF<Bits<16>>,
    p_write: DFF<Bit>,
    p_final: DFF<Bit>,
    p_look: DFF<Bit>,
    p_dec: DFF<Bits<2>>,
    p_inc: DFF<Bit>,
    p_ret: DFF<EngineState>,
    // The state a post returns to, decoded from `p_ret` once for the two
    // states that return.
    p_to: Signal<Local, EngineState>,
    r_ret: DFF<EngineState>,
    r_status: DFF<Bits<8>>,
    e_user: DFF<Bits<64>>,
    e_port: DFF<Bits<32>>,
    e_msg: DFF<Bits<32>>,
    e_ident: DFF<Bits<32>>,
    e_result: DFF<Bits<32>>,
    e_kind: DFF<Bits<8>>,
    e_status: DFF<Bits<8>>,
    cpl_kind: DFF<Bits<8>>,
    cpl_port: DFF<Bits<32>>,
    cpl_beat: DFF<Bit>,
    a_e: DFF<Bits<PE_BITS>>,
    a_idx: DFF<Bits<PB>>,
    b_e: DFF<Bits<PE_BITS>>,
    b_idx: DFF<Bits<PB>>,
    new_idx: DFF<Bits<PB>>,
    new_fresh: DFF<Bit>,
    new_gen_q: DFF<Bits<16>>,
    scan: DFF<Bits<32>>,

    r_live: Signal<Local, Bit>,
    r_gen: Signal<Local, Bits<16>>,
    r_requester: Signal<Local, Bits<8>>,
    r_from: Signal<Local, Bits<16>>,
    r_to: Signal<Local, Bits<16>>,
    r_user: Signal<Local, Bits<64>>,
    r_gen_next: Signal<Local, Bits<16>>,
    r_handle: Signal<Local, Bits<32>>,
    req_rd_gen: Signal<Local, Bits<16>>,
    new_req_gen: Signal<Local, Bits<16>>,
    new_req_handle: Signal<Local, Bits<32>>,
    arg_req_bad: Signal<Local, Bit>,
    t_buf: Signal<Local, Bits<64>>,
    t_ring_size: Signal<Local, Bits<64>>,
    pay_start: Signal<Local, Bits<32>>,
    pay_room: Signal<Local, Bits<32>>,
    // The own SQ's submitted slots, registered every cycle: the SQ's
    // pointers are loaded in Load and still through Decode, so Decode's
    // length check compares two registers (timing: the subtract in front
    // of that compare was seed 3's worst path at 4513537).
    sq_avail: DFF<Bits<16>>,
    // The queue is empty (head = tail), registered every cycle: the
    // pointers load in Load, so it is right from Check on, its reader
    // (timing: the 16-bit compare in Check's next state was seeds 1 and
    // 3's worst path at 44187bf, 11.84 and 11.36 ns).
    sq_empty_q: DFF<Bit>,
    pay_slots: Signal<Local, Bits<16>>,
    slots_need: Signal<Local, Bits<16>>,
    is_msg_op: Signal<Local, Bit>,
    rw_clear: Signal<Local, Bit>,
    rw_gen: Signal<Local, Bits<16>>,
    rw_requester: Signal<Local, Bits<8>>,
    rw_from: Signal<Local, Bits<16>>,
    rw_to: Signal<Local, Bits<16>>,
    rw_user: Signal<Local, Bits<64>>,
    a_kind: Signal<Local, Bits<2>>,
    a_state: Signal<Local, Bits<2>>,
    a_owner: Signal<Local, Bits<8>>,
    a_gen: Signal<Local, Bits<16>>,
    a_peer: Signal<Local, Bits<16>>,
    a_max: Signal<Local, Bits<9>>,
    a_backlog: Signal<Local, Bits<8>>,
    a_pending: Signal<Local, Bits<8>>,
    a_context: Signal<Local, Bits<64>>,
    // Registered a cycle after the entry (every state that frees an entry
    // comes later than that): the wrap compare no longer feeds the RAM.
    a_gen_next: DFF<Bits<16>>,
    b_kind: Signal<Local, Bits<2>>,
    b_state: Signal<Local, Bits<2>>,
    b_owner: Signal<Local, Bits<8>>,
    b_gen: Signal<Local, Bits<16>>,
    b_peer: Signal<Local, Bits<16>>,
    b_max: Signal<Local, Bits<9>>,
    b_context: Signal<Local, Bits<64>>,
    b_gen_next: DFF<Bits<16>>,
    new_gen: Signal<Local, Bits<16>>,
    own_owner: Signal<Local, Bits<8>>,
    a_mine: Signal<Local, Bit>,
    a_comm: Signal<Local, Bit>,
    port_idx_bad: Signal<Local, Bit>,
    arg_idx_bad: Signal<Local, Bit>,
    port_gen: Signal<Local, Bits<16>>,
    arg_gen: Signal<Local, Bits<16>>,
    a_handle: Signal<Local, Bits<32>>,
    b_handle: Signal<Local, Bits<32>>,
    new_handle: Signal<Local, Bits<32>>,
    own_free: Signal<Local, Bits<16>>,
    t_free: Signal<Local, Bits<16>>,
    // The rings' fullness, registered every cycle from the ring registers
    // (an add and a compare), so a state acts on a flip-flop.
    // Load and PostLatch load those registers from the context tables and
    // wait a cycle (LoadFull, PostLook) before Check or a look's return
    // reads these. (Timing: computing them from the tables' outputs, with
    // the ring size's decode, was the critical path at 811f475.) Check and
    // the answers change `own_resv` long before the next read.
    t_full_q: DFF<Bit>,
    own_full: Signal<Local, Bit>,
    own_full_q: DFF<Bit>,
    // Registered every cycle from registers that were set at least a state
    // earlier, so the states that use them act on flip-flops (timing: each
    // was an adder chain in front of the AW channel, the context table's
    // write port or the doorbell logic):
    // - own SQ after this descriptor (`sq_next`) and whether more wait;
    sq_next_q: DFF<Bits<16>>,
    sq_more_q: DFF<Bit>,
    // - the target ring's entry, view record and receive buffer addresses
    //   (PostLatch loads the ring, PostAddr or PostLook waits a cycle);
    cpl_addr_q: DFF<Bits<64>>,
    vrec_addr_q: DFF<Bits<64>>,
    t_buf_q: DFF<Bits<64>>,
    // - the inline payload's split at the SQ's end, two stages (the room
    //   first, then the compare); Pay0 comes many states after the
    //   descriptor's fetch.
    pay_room_q: DFF<Bits<32>>,
    pay_src_q: DFF<Bits<64>>,
    pay_split_q: DFF<Bit>,
    pay_rest_q: DFF<Bits<32>>,
    // - the descriptor's length against zero, the largest copy and the
    //   port's message limit (`a_max`: PortRd2 and ConnAcl wait a cycle
    //   after the port entry is latched).
    len_nz_q: DFF<Bit>,
    len_over_q: DFF<Bit>,
    len_inline_q: DFF<Bit>,
    len_big_q: DFF<Bit>,
    // Decode's next state, decided every cycle from the decoded descriptor
    // (registered from beat 0's fields two cycles after it arrives; Decode
    // comes after the fourth beat) in the order of Decode's chain, which
    // sets up the registers for it. (Timing: the chain of opcode tests in
    // front of the 100-way state mux was the deepest path at 12d4b1f.)
    dec_state: DFF<EngineState>,
    t_full: Signal<Local, Bit>,
    t_cq_next: Signal<Local, Bits<16>>,
    resv_sub: Signal<Local, Bits<16>>,
    cpl_sq_head: Signal<Local, Bits<16>>,
    rd_ctx: Signal<Local, Bits<CB>>,
    w_kind: Signal<Local, Bits<2>>,
    w_state: Signal<Local, Bits<2>>,
    w_owner: Signal<Local, Bits<8>>,
    w_gen: Signal<Local, Bits<16>>,
    w_peer: Signal<Local, Bits<16>>,
    w_max: Signal<Local, Bits<9>>,
    w_backlog: Signal<Local, Bits<8>>,
    w_pending: Signal<Local, Bits<8>>,
    w_context: Signal<Local, Bits<64>>,
    w_clear: Signal<Local, Bit>,
    b_backlog: Signal<Local, Bits<8>>,
    b_pend: Signal<Local, Bits<8>>,
    // Registered: CREATE_PORT's checks (two cycles after Decode) steer the
    // port allocator's take.
    create_bad_arg: DFF<Bit>,
    cpl_lo: Signal<Local, Bits<128>>,
    cpl_hi: Signal<Local, Bits<128>>,

    state: DFF<EngineState>,
    // The state again, for the datapath (`ReplicaDff`): the state machine's
    // two matches are one for the next state, on `state`, and one for
    // everything each state does, on this copy, so the next-state logic
    // shares no decode with the datapath's thousands of loads and sits
    // together (timing: a decode shared by both, placed beside the
    // datapath, was in the state's path into itself, the median seed's
    // worst path at a5e5986 and 415308e).
    state_dp: ReplicaDff<EngineState>,
    ctx: DFF<Bits<CB>>,
    /// The contexts after the one served last (bit `i` set when `i` is
    /// greater): the arbiters' round-robin start, kept as a mask so their
    /// search starts at flip-flops (`RrArbiter`'s `after`).
    last_after: DFF<Bits<N>>,
    // The arbiters' choices, registered every cycle, and whether the last
    // cycle was Idle: Idle acts on a choice only when it was made in Idle,
    // so with the same `last_after` and no pending bit cleared since (only
    // the engine clears them; the host only sets them).
    tear_v_q: DFF<Bit>,
    tear_g_q: DFF<Bits<CB>>,
    init_v_q: DFF<Bit>,
    init_g_q: DFF<Bits<CB>>,
    db_v_q: DFF<Bit>,
    db_g_q: DFF<Bits<CB>>,
    was_idle: DFF<Bit>,
    sq_base: DFF<Bits<64>>,
    cq_base: DFF<Bits<64>>,
    sq_mask: DFF<Bits<16>>,
    cq_mask: DFF<Bits<16>>,
    enabled: DFF<Bit>,
    init_hit_q: DFF<Bit>,
    sq_tail: DFF<Bits<16>>,
    cq_head: DFF<Bits<16>>,
    sq_head: DFF<Bits<16>>,
    cq_tail: DFF<Bits<16>>,
    beat: DFF<Bits<8>>,
    d_opcode: DFF<Bits<8>>,
    // The descriptor decoded into flip-flops every cycle from its first
    // beat's fields (and the queue's registers), so they are right from
    // Decode on, a cycle or more after that beat: the opcode one-hot, and
    // Decode's refusals. (Timing: Decode's chain of 18 compares and two
    // length checks fed the state register in one cycle.)
    op_hot: DFF<Bits<256>>,
    dec_bad_op: DFF<Bit>,
    dec_bad_resv: DFF<Bit>,
    dec_bad_len: DFF<Bit>,
    slots_need_q: DFF<Bits<16>>,
    d_flags: DFF<Bits<8>>,
    d_resv: DFF<Bits<16>>,
    d_len: DFF<Bits<32>>,
    d_user: DFF<Bits<64>>,
    d_src: DFF<Bits<64>>,
    d_dst: DFF<Bits<64>>,
    status: DFF<Bits<8>>,
    result: DFF<Bits<32>>,
    rd_err: DFF<Bit>,
    cpl_aw_done: DFF<Bit>,
    cpl_w_done: DFF<Bit>,
    wr_err: DFF<Bit>,
    rd_addr: DFF<Bits<64>>,
    rd_beats: DFF<Bits<32>>,
    rd_inflight: DFF<Bits<8>>,
    // The copy's next read and write bursts, registered from the burst
    // splitters; each is a cycle old after its address moves, so no burst
    // is asked for in the cycle after one on the same channel (timing: the
    // splitter's compares, the beat count's subtraction and the address's
    // addition were one path).
    ar_burst_q: DFF<Bits<32>>,
    ar_hold: DFF<Bit>,
    aw_burst_q: DFF<Bits<32>>,
    aw_hold: DFF<Bit>,
    // Beats still to ask for, ≠ 0, a cycle old: right whenever a burst
    // may be asked for (never in the cycle after one, nor in the first
    // cycle of a copy), and a flip-flop rather than a 32-bit compare in
    // front of the handshakes.
    rd_more: DFF<Bit>,
    aw_more: DFF<Bit>,
    in_left: DFF<Bits<32>>,
    take_q: DFF<Bits<8>>,
    // The accumulator is a 32-byte ring: R beats are written at `acc_wp`,
    // W beats read from `acc_rp`, and `acc_cnt` bytes lie between them.
    // A byte bound for destination address D sits at position (D - B)
    // mod 32, B the address of the destination's first beat (the ring
    // starts at the destination's offset in that beat), so a W beat is
    // one half of the ring as it stands (`acc_rp`'s bit 4) and only the R
    // side rotates (`r_rot`, by destination minus source offset): the W
    // beat's 32-way byte select by a 5-bit amount, whose every select bit
    // drove a whole 128-bit beat, was the worst path of seed 1 at
    // 44664fd and seed 3 at af69f8c. Neither handshake steers the other's
    // shifter (timing: the shift by the bytes kept after a W beat, into
    // the R beat's shifter, was the critical path at 2ac14f1). An R beat
    // writes 16 bytes from `acc_wp` (its useful bytes first): R READY
    // needs acc_cnt <= 16, so those 16 never hold bytes still to leave.
    acc: DFF<Bits<256>>,
    acc_cnt: DFF<Bits<8>>,
    // acc_cnt <= 16, from the count's next value (timing: R READY is then a
    // flip-flop, not a compare in front of the R beat's wide enables; the
    // count's compare into r_fire and on into r_rot was seed 3's worst path
    // at d696d2b).
    acc_room: DFF<Bit>,
    acc_cnt_next: Signal<Local, Bits<8>>,
    acc_wp: DFF<Bits<5>>,
    // A W beat reads the ring's upper half when bit 4 is set, its lower
    // half when clear: the first W beat starts at lane out_off = acc_rp's
    // start (below 16), and every later one but the last takes 16 bytes,
    // so acc_rp's low four bits are 0 at every W beat after the first.
    acc_rp: DFF<Bits<5>>,
    // acc_wp - in_off (mod 16): R lane (i - r_rot) mod 16 goes to byte i.
    r_rot: DFF<Bits<4>>,
    out_left: DFF<Bits<32>>,
    // out_left ≠ 0, registered: W VALID and, through the handshake, every
    // bit of the accumulator's mux depended on a 32-bit compare.
    out_nz: DFF<Bit>,
    need_q: DFF<Bits<8>>,
    out_off_q: DFF<Bits<4>>,
    aw_addr: DFF<Bits<64>>,
    aw_beats: DFF<Bits<32>>,
    b_pending: DFF<Bits<8>>,
    w_addr: DFF<Bits<64>>,
    w_beats: DFF<Bits<32>>,
    w_burst_rem: DFF<Bits<32>>,
    // The next W burst's length, registered: `bs_w` on the W pointer as it
    // is (right when no W beat left last cycle) and `bs_w_after` on the
    // pointer one beat on (right when one did, `w_fired`). The first W beat
    // comes at least two cycles after CopyStart (it needs an R beat, which
    // needs an AR), so both are settled by then.
    w_burst_first: DFF<Bits<32>>,
    w_burst_after: DFF<Bits<32>>,
    w_fired: DFF<Bit>,

    sq_next: Signal<Local, Bits<16>>,
    ctx_onehot: Signal<Local, Bits<N>>,
    // out_off + need (at most 16), kept beside them: the W strobes are
    // two compares of the lane number against registers, no adder.
    strb_end_q: DFF<Bits<5>>,
    in_room: Signal<Local, Bits<8>>,
    take: Signal<Local, Bits<8>>,
    out_room: Signal<Local, Bits<8>>,
    need: Signal<Local, Bits<8>>,
    in_left_next: Signal<Local, Bits<32>>,
    out_left_next: Signal<Local, Bits<32>>,
    take_later: Signal<Local, Bits<8>>,
    need_later: Signal<Local, Bits<8>>,
    take_first: Signal<Local, Bits<8>>,
    need_first: Signal<Local, Bits<8>>,
    // The first beat ends inside the beat: len < 16 and offset + len[3:0]
    // < 16, the carry of a 4-bit add (timing: the old compare of len
    // against 16 - offset, then offset + need, was seed 1's worst path at
    // 031b83c).
    in_sum: Signal<Local, Bits<5>>,
    out_sum: Signal<Local, Bits<5>>,
    in_fits: Signal<Local, Bit>,
    out_fits: Signal<Local, Bit>,
    strb_end_first: Signal<Local, Bits<5>>,
    in_copy: Signal<Local, Bit>,
    copy_arvalid: Signal<Local, Bit>,
    copy_rready: Signal<Local, Bit>,
    copy_awvalid: Signal<Local, Bit>,
    copy_wvalid: Signal<Local, Bit>,
    ar_fire: Signal<Local, Bit>,
    r_fire: Signal<Local, Bit>,
    aw_fire: Signal<Local, Bit>,
    w_fire: Signal<Local, Bit>,
    b_fire: Signal<Local, Bit>,
    // The count after an R beat, a W beat, or both: each from registers
    // alone, so the handshakes only pick one (timing: R VALID through
    // r_fire into the count's adder and its compare was seed 2's worst
    // path at 031b83c).
    acc_cnt_r: Signal<Local, Bits<8>>,
    acc_cnt_w: Signal<Local, Bits<8>>,
    acc_cnt_rw: Signal<Local, Bits<8>>,
    w_burst_cur: Signal<Local, Bits<32>>,
    r_twice: Signal<Local, Bits<256>>,
    r_lanes: Signal<Local, Bits<128>>,
    r_window: Signal<Local, Bits<256>>,
    acc_wmask: Signal<Local, Bits<256>>,
    // Bit offsets of the two rotations' slices, the R beat's and the
    // write mask's (index widths as Verilog wants them for 256- and
    // 512-bit vectors).
    r_slice_at: Signal<Local, Bits<8>>,
    wmask_slice_at: Signal<Local, Bits<9>>,
    acc_wp_next: Signal<Local, Bits<5>>,
    acc_rp_next: Signal<Local, Bits<5>>,
    r_bad: Signal<Local, Bit>,
    b_bad: Signal<Local, Bit>,
    load_sq_mask: Signal<Local, Bits<16>>,
    load_cq_mask: Signal<Local, Bits<16>>,

    k_one16: Constant<Bits<16>>,
    k_ones16: Constant<Bits<16>>,
    k_wmask_twice: Constant<Bits<512>>,
    k_r_slice_top: Constant<Bits<8>>,
    k_wmask_slice_top: Constant<Bits<9>>,
    k_one_n: Constant<Bits<N>>,
    k_ones_n: Constant<Bits<N>>,
    k_zero_n: Constant<Bits<N>>,
    k_beat_bytes: Constant<Bits<8>>,
    k_beat_mask: Constant<Bits<64>>,
    k_desc_shift: Constant<Bits<8>>,
    k_desc_arlen: Constant<Bits<8>>,
    k_cqe_shift: Constant<Bits<8>>,
    k_size: Constant<Bits<3>>,
    k_incr: Constant<Bits<2>>,
    k_id_queue: Constant<Bits<{ bus::AXI_ID_BITS }>>,
    k_id_data: Constant<Bits<{ bus::AXI_ID_BITS }>>,
    k_okay: Constant<Bits<2>>,
    k_max_reads: Constant<Bits<8>>,
    k_max_bursts: Constant<Bits<8>>,
    k_max_len: Constant<Bits<32>>,
    k_op_nop: Constant<Bits<8>>,
    k_op_copy: Constant<Bits<8>>,
    k_st_ok: Constant<Bits<8>>,
    k_st_bad_opcode: Constant<Bits<8>>,
    k_op_known: Constant<Bits<256>>,
    k_st_bad_length: Constant<Bits<8>>,
    k_st_bad_reserved: Constant<Bits<8>>,
    k_st_bad_address: Constant<Bits<8>>,
    k_st_read_error: Constant<Bits<8>>,
    k_st_write_error: Constant<Bits<8>>,
    k_st_access_denied: Constant<Bits<8>>,
    k_initial_phase: Constant<Bit>,
    k_f_opcode: Constant<Bits<7>>,
    k_f_flags: Constant<Bits<7>>,
    k_f_resv: Constant<Bits<7>>,
    k_f_len: Constant<Bits<7>>,
    k_f_user: Constant<Bits<7>>,
    k_f_src: Constant<Bits<7>>,
    k_f_dst: Constant<Bits<7>>,
    k_beat_src: Constant<Bits<8>>,
    k_c_port: Constant<Bits<8>>,
    k_c_msg: Constant<Bits<8>>,
    k_c_ident: Constant<Bits<8>>,
    k_c_result: Constant<Bits<8>>,
    k_c_sq_head: Constant<Bits<8>>,
    k_c_kind: Constant<Bits<8>>,
    k_c_status: Constant<Bits<8>>,
    k_c_flags: Constant<Bits<8>>,
    k_op_create: Constant<Bits<8>>,
    k_op_connect: Constant<Bits<8>>,
    k_op_accept: Constant<Bits<8>>,
    k_op_reject: Constant<Bits<8>>,
    k_op_close: Constant<Bits<8>>,
    k_op_allow: Constant<Bits<8>>,
    k_op_credit: Constant<Bits<8>>,
    k_max_window: Constant<Bits<33>>,
    k_flags_create: Constant<Bits<8>>,
    k_op_datagram: Constant<Bits<8>>,
    k_op_request: Constant<Bits<8>>,
    k_op_reply: Constant<Bits<8>>,
    k_op_cancel: Constant<Bits<8>>,
    k_st_not_connected: Constant<Bits<8>>,
    k_st_bad_reply: Constant<Bits<8>>,
    k_st_canceled: Constant<Bits<8>>,
    k_st_peer_closed: Constant<Bits<8>>,
    k_ev_request: Constant<Bits<8>>,
    k_ev_reply: Constant<Bits<8>>,
    k_ev_datagram: Constant<Bits<8>>,
    k_c_rq: Constant<Bits<8>>,
    k_requests: Constant<Bits<32>>,
    k_rb: Constant<Bits<8>>,
    // The scans' end bits (a 5-bit index into their 32 bits).
    k_scan_end_p: Constant<Bits<5>>,
    k_scan_end_r: Constant<Bits<5>>,
    k_max_inline32: Constant<Bits<32>>,
    k_cqe_buf_shift: Constant<Bits<8>>,
    k_buf_shift: Constant<Bits<8>>,
    k_pay_head: Constant<Bits<32>>,
    k_slot_round: Constant<Bits<32>>,
    k_re_gen: Constant<Bits<7>>,
    k_re_requester: Constant<Bits<7>>,
    k_re_from: Constant<Bits<7>>,
    k_re_to: Constant<Bits<7>>,
    k_re_user: Constant<Bits<7>>,
    k_st_bad_handle: Constant<Bits<8>>,
    k_st_bad_argument: Constant<Bits<8>>,
    k_st_name_exists: Constant<Bits<8>>,
    k_st_no_such_name: Constant<Bits<8>>,
    k_st_refused: Constant<Bits<8>>,
    k_st_backlog_full: Constant<Bits<8>>,
    k_st_too_large: Constant<Bits<8>>,
    k_st_no_resources: Constant<Bits<8>>,
    k_st_receiver_busy: Constant<Bits<8>>,
    k_st_port_closed: Constant<Bits<8>>,
    k_ev_done: Constant<Bits<8>>,
    k_ev_port_closed: Constant<Bits<8>>,
    k_ev_conn_request: Constant<Bits<8>>,
    k_ev_conn_reply: Constant<Bits<8>>,
    // The sweep's last entry (a compare with it, not an adder before one).
    k_last_port: Constant<Bits<32>>,
    k_contexts: Constant<Bits<32>>,
    k_max_inline: Constant<Bits<16>>,
    k_pb: Constant<Bits<8>>,
    k_gen_max: Constant<Bits<16>>,
    k_pe_kind: Constant<Bits<8>>,
    k_pe_state: Constant<Bits<8>>,
    k_pe_owner: Constant<Bits<8>>,
    k_pe_gen: Constant<Bits<8>>,
    k_pe_peer: Constant<Bits<8>>,
    k_pe_max: Constant<Bits<8>>,
    k_pe_backlog: Constant<Bits<8>>,
    k_pe_pending: Constant<Bits<8>>,
    k_pe_context: Constant<Bits<8>>,
    k_kind_free: Constant<Bits<2>>,
    k_kind_conn: Constant<Bits<2>>,
    k_kind_server: Constant<Bits<2>>,
    k_kind_client: Constant<Bits<2>>,
    k_state_connecting: Constant<Bits<2>>,
    k_state_connected: Constant<Bits<2>>,
    k_state_peer_closed: Constant<Bits<2>>,
}

/// Bit position of a descriptor field inside the 16-byte beat that holds it.
fn lane_bit(field: usize, beat: usize) -> u64 {
    let b = bus::AXI_DATA_BYTES;
    assert_eq!(
        field / b,
        beat,
        "descriptor field at {field:#x} is not in beat {beat}"
    );
    ((field % b) * 8) as u64
}

impl<const CB: usize, const N: usize, const PB: usize> Default for Engine<CB, N, PB> {
    fn default() -> Self {
        assert_eq!(N, 1 << CB, "Engine: N must be 1 << CB");
        assert_eq!(bus::AXI_DATA_BYTES, 16, "the datapath is 128 bits wide");
        assert!(desc::DESC_SIZE.is_power_of_two() && desc::CQE_SIZE.is_power_of_two());
        assert_eq!(desc::CQE_SIZE, 2 * bus::AXI_DATA_BYTES, "a completion is two beats");
        assert!(CB <= 8, "the port table stores owners in 8 bits");
        assert!((1..=16).contains(&PB), "handles carry 16-bit indices");
        assert_eq!(lane_bit(desc::CQE_USER_DATA, 0), 0);
        // The reserved byte is left at zero.
        assert_eq!(lane_bit(desc::CQE_RESERVED, 1), 112);
        assert!(desc::RX_BUF_SIZE.is_power_of_two() && desc::RX_BUF_SIZE >= geometry::MAX_INLINE as usize);
        assert_eq!(desc::DESC_SIZE, 64, "payload slot arithmetic assumes 64-byte slots");
        const { assert!(geometry::REQUESTS <= 1 << 16) };
        const { assert!(geometry::MAX_WINDOW < 256, "CREDIT sums credits and grant in 9 bits") };
        assert_eq!((desc::DESC_PORT, desc::DESC_ARG), (desc::DESC_SRC_ADDR, desc::DESC_SRC_ADDR + 4));
        assert_eq!((desc::DESC_MAX_MSG, desc::DESC_BACKLOG), (desc::DESC_DST_ADDR, desc::DESC_DST_ADDR + 2));
        assert_eq!(desc::DESC_PORT_CONTEXT, desc::DESC_DST_ADDR);
        assert!(1 << PB >= N, "the reset sweep clears contexts alongside ports");
        assert!(1 << PB >= geometry::REQUESTS, "the reset sweep clears requests alongside ports");
        const { assert!(geometry::MAX_INLINE < 512, "the port table stores max messages in 9 bits") };
        const {
            assert!(
                desc::RX_BUF_SIZE.is_power_of_two() && desc::RX_VIEW_RECORD < desc::RX_BUF_SIZE,
                "the view record's address ORs its offset into the buffer's"
            )
        };
        let desc_beats = (desc::DESC_SIZE / bus::AXI_DATA_BYTES) as u64;
        let k8 = |v: u64| crate::konst::<8>(v);
        Self {
            clock: Default::default(),
            rst: Default::default(),
            enable: Default::default(),
            ctx_enabled: Default::default(),
            db_pending: Default::default(),
            init_pending: Default::default(),
            init_set: Default::default(),
            init_set_onehot: Default::default(),
            tear_pending: Default::default(),
            tear_clear_en: Default::default(),
            tear_clear_ctx: Default::default(),
            db_clear_en: Default::default(),
            db_clear_ctx: Default::default(),
            db_set_en: Default::default(),
            db_set_ctx: Default::default(),
            init_clear_en: Default::default(),
            init_clear_ctx: Default::default(),
            cfg_ctx: Default::default(),
            cfg_sq_base: Default::default(),
            cfg_cq_base: Default::default(),
            cfg_sq_log2: Default::default(),
            cfg_cq_log2: Default::default(),
            cfg_sq_tail: Default::default(),
            cfg_cq_head: Default::default(),
            st_sq_head: Default::default(),
            st_cq_tail: Default::default(),
            st_phase: Default::default(),
            cfg_identity: Default::default(),
            cfg_mem_base: Default::default(),
            cfg_mem_last: Default::default(),
            st_resv: Default::default(),
            resv_wr_en: Default::default(),
            resv_wr_ctx: Default::default(),
            resv_wr_data: Default::default(),
            st_wr_en: Default::default(),
            st_wr_ctx: Default::default(),
            st_wr_sq_head: Default::default(),
            st_wr_cq_tail: Default::default(),
            st_wr_phase: Default::default(),
            count_done: Default::default(),
            count_error: Default::default(),
            busy: Default::default(),
            active: Default::default(),
            active_ctx: Default::default(),
            m_axi_arid: Default::default(),
            m_axi_araddr: Default::default(),
            m_axi_arlen: Default::default(),
            m_axi_arsize: Default::default(),
            m_axi_arburst: Default::default(),
            m_axi_arvalid: Default::default(),
            m_axi_arready: Default::default(),
            m_axi_rid: Default::default(),
            m_axi_rdata: Default::default(),
            m_axi_rresp: Default::default(),
            m_axi_rlast: Default::default(),
            m_axi_rvalid: Default::default(),
            m_axi_rready: Default::default(),
            m_axi_awid: Default::default(),
            m_axi_awaddr: Default::default(),
            m_axi_awlen: Default::default(),
            m_axi_awsize: Default::default(),
            m_axi_awburst: Default::default(),
            m_axi_awvalid: Default::default(),
            m_axi_awready: Default::default(),
            m_axi_wdata: Default::default(),
            m_axi_wstrb: Default::default(),
            m_axi_wlast: Default::default(),
            m_axi_wvalid: Default::default(),
            m_axi_wready: Default::default(),
            m_axi_bid: Default::default(),
            m_axi_bresp: Default::default(),
            m_axi_bvalid: Default::default(),
            m_axi_bready: Default::default(),
            cpl_event: Default::default(),
            cpl_ctx: Default::default(),
            db_arb: Default::default(),
            init_arb: Default::default(),
            tear_arb: Default::default(),
            died: Default::default(),
            close_ret: Default::default(),
            close_to: Default::default(),
            tscan: Default::default(),
            bs_ar: Default::default(),
            bs_aw: Default::default(),
            bs_w: Default::default(),
            bs_w_after: Default::default(),
            name_dir: Default::default(),
            acl: Default::default(),
            restricted: Default::default(),
            window: Default::default(),
            credits: Default::default(),
            cr_win: Default::default(),
            win_q: Default::default(),
            win_credits: Default::default(),
            cr_busy: Default::default(),
            snd_take_q: Default::default(),
            cr_dec: Default::default(),
            cr_got: Default::default(),
            cr_sum: Default::default(),
            cr_over: Default::default(),
            conn_restricted: Default::default(),
            restricted_q: Default::default(),
            name_hit: Default::default(),
            name_port: Default::default(),
            acl_hit: Default::default(),
            acl_key: Default::default(),
            acl_insert: Default::default(),
            cam_remove: Default::default(),
            cam_insert: Default::default(),
            a_link: Default::default(),
            a_link_q: Default::default(),
            a_ok_q: Default::default(),
            a_mine_q: Default::default(),
            a_comm_q: Default::default(),
            copying: Default::default(),
            copy_go: Default::default(),
            cpl_sending: Default::default(),
            load_now: Default::default(),
            latch_now: Default::default(),
            decoding: Default::default(),
            storing: Default::default(),
            paying: Default::default(),
            db_claim: Default::default(),
            desc_short: Default::default(),
            desc_beat_bad: Default::default(),
            copy_quiet_q: Default::default(),
            c_rest_nz: Default::default(),
            port_alloc: Default::default(),
            ports: Default::default(),
            req_alloc: Default::default(),
            reqs: Default::default(),
            sections: Default::default(),
            cp_window: Default::default(),
            lg_window: Default::default(),
            sx_op: Default::default(),
            sx_posted: Default::default(),
            is_post: Default::default(),
            lg_have: Default::default(),
            e_large: Default::default(),
            m_large: Default::default(),
            k_op_post: k8(Opcode::PostBuffer as u64),
            k_flags_reply: k8(Opcode::Reply.allowed_flags() as u64),
            k_flags_both: k8((desc::DESC_FLAG_VIEW | desc::DESC_FLAG_LARGE) as u64),
            k_c_lflag: k8(lane_bit(desc::CQE_FLAGS, 1) + desc::CQE_FLAG_LARGE.trailing_zeros() as u64),
            k_sx_find: crate::konst(sec_op::FIND_POSTED),
            sx_handle: Default::default(),
            sx_addr: Default::default(),
            sx_len: Default::default(),
            sx_off: Default::default(),
            sx_rights: Default::default(),
            sx_grantee: Default::default(),
            sx_port: Default::default(),
            sec_ret: Default::default(),
            att_ret: Default::default(),
            cp_side: Default::default(),
            e_view: Default::default(),
            cpl_rec: Default::default(),
            vrec_iova: Default::default(),
            vrec_len: Default::default(),
            vrec_handle: Default::default(),
            vrec_access: Default::default(),
            own_base: Default::default(),
            own_last: Default::default(),
            m_view: Default::default(),
            flags_allowed: Default::default(),
            cp_view: Default::default(),
            cp_addr: Default::default(),
            vrec_lo: Default::default(),
            vrec_hi: Default::default(),
            k_op_sec_create: k8(Opcode::SectionCreate as u64),
            k_op_sec_delete: k8(Opcode::SectionDelete as u64),
            k_op_view_create: k8(Opcode::ViewCreate as u64),
            k_op_view_revoke: k8(Opcode::ViewRevoke as u64),
            k_flags_copy: k8(Opcode::Copy.allowed_flags() as u64),
            k_flags_msg: k8(Opcode::Datagram.allowed_flags() as u64),
            k_c_vflag: k8(lane_bit(desc::CQE_FLAGS, 1) + desc::CQE_FLAG_VIEW.trailing_zeros() as u64),
            k_vrec_off: crate::konst(desc::RX_VIEW_RECORD as u64),
            k_vr_len: k8(lane_bit(desc::VREC_LENGTH, 0)),
            k_vr_handle: k8(lane_bit(desc::VREC_HANDLE, 0)),
            k_vr_access: k8(lane_bit(desc::VREC_ACCESS, 1)),
            k_access_read: crate::konst(alpc_contract::access::READ as u64),
            k_access_write: crate::konst(alpc_contract::access::WRITE as u64),
            k_sx_sec_create: crate::konst(sec_op::SECTION_CREATE),
            k_sx_sec_delete: crate::konst(sec_op::SECTION_DELETE),
            k_sx_view_create: crate::konst(sec_op::VIEW_CREATE),
            k_sx_view_revoke: crate::konst(sec_op::VIEW_REVOKE),
            k_sx_resolve: crate::konst(sec_op::RESOLVE),
            k_sx_attach: crate::konst(sec_op::ATTACH),
            k_sx_teardown: crate::konst(sec_op::TEARDOWN),
            c_src: Default::default(),
            c_dst: Default::default(),
            c_len: Default::default(),
            c_rest: Default::default(),
            copy_ret: Default::default(),
            pr_ret: Default::default(),
            rs_ret: Default::default(),
            rs_end: Default::default(),
            d_slots: Default::default(),
            e_rq: Default::default(),
            r_e: Default::default(),
            rq_from_a_q: Default::default(),
            rq_to_a_q: Default::default(),
            rq_mine_q: Default::default(),
            rq_user_q: Default::default(),
            rq_gen_q: Default::default(),
            b_pend_a_q: Default::default(),
            b_gen_arg_q: Default::default(),
            rd_gen_q: Default::default(),
            pw_en: Default::default(),
            pw_addr: Default::default(),
            pw_op: Default::default(),
            pr_sel: Default::default(),
            ef_op: Default::default(),
            r_idx: Default::default(),
            f_status: Default::default(),
            f_ident: Default::default(),
            f_port: Default::default(),
            f_len: Default::default(),
            f_nz: Default::default(),
            fin_ret: Default::default(),
            rscan: Default::default(),
            new_req: Default::default(),
            new_req_fresh: Default::default(),
            new_req_gen_q: Default::default(),
            r_live: Default::default(),
            r_gen: Default::default(),
            r_requester: Default::default(),
            r_from: Default::default(),
            r_to: Default::default(),
            r_user: Default::default(),
            r_gen_next: Default::default(),
            r_handle: Default::default(),
            req_rd_gen: Default::default(),
            new_req_gen: Default::default(),
            new_req_handle: Default::default(),
            arg_req_bad: Default::default(),
            t_buf: Default::default(),
            t_ring_size: Default::default(),
            pay_start: Default::default(),
            pay_room: Default::default(),
            sq_avail: Default::default(),
            sq_empty_q: Default::default(),
            pay_slots: Default::default(),
            slots_need: Default::default(),
            is_msg_op: Default::default(),
            rw_clear: Default::default(),
            rw_gen: Default::default(),
            rw_requester: Default::default(),
            rw_from: Default::default(),
            rw_to: Default::default(),
            rw_user: Default::default(),
            sweep: Default::default(),
            own_ident: Default::default(),
            own_resv: Default::default(),
            own_dec: Default::default(),
            t_ctx: Default::default(),
            t_cq_base: Default::default(),
            t_cq_mask: Default::default(),
            t_cq_head: Default::default(),
            t_cq_tail: Default::default(),
            t_phase: Default::default(),
            t_sq_head: Default::default(),
            t_resv: Default::default(),
            p_write: Default::default(),
            p_final: Default::default(),
            p_look: Default::default(),
            p_dec: Default::default(),
            p_inc: Default::default(),
            p_ret: Default::default(),
            p_to: Default::default(),
            r_ret: Default::default(),
            r_status: Default::default(),
            e_user: Default::default(),
            e_port: Default::default(),
            e_msg: Default::default(),
            e_ident: Default::default(),
            e_result: Default::default(),
            e_kind: Default::default(),
            e_status: Default::default(),
            cpl_kind: Default::default(),
            cpl_port: Default::default(),
            cpl_beat: Default::default(),
            a_e: Default::default(),
            a_idx: Default::default(),
            b_e: Default::default(),
            b_idx: Default::default(),
            new_idx: Default::default(),
            new_fresh: Default::default(),
            new_gen_q: Default::default(),
            scan: Default::default(),
            a_kind: Default::default(),
            a_state: Default::default(),
            a_owner: Default::default(),
            a_gen: Default::default(),
            a_peer: Default::default(),
            a_max: Default::default(),
            a_backlog: Default::default(),
            a_pending: Default::default(),
            a_context: Default::default(),
            a_gen_next: Default::default(),
            b_kind: Default::default(),
            b_state: Default::default(),
            b_owner: Default::default(),
            b_gen: Default::default(),
            b_peer: Default::default(),
            b_max: Default::default(),
            b_context: Default::default(),
            b_gen_next: Default::default(),
            new_gen: Default::default(),
            own_owner: Default::default(),
            a_mine: Default::default(),
            a_comm: Default::default(),
            port_idx_bad: Default::default(),
            arg_idx_bad: Default::default(),
            port_gen: Default::default(),
            arg_gen: Default::default(),
            a_handle: Default::default(),
            b_handle: Default::default(),
            new_handle: Default::default(),
            own_free: Default::default(),
            t_free: Default::default(),
            t_full_q: Default::default(),
            own_full: Default::default(),
            own_full_q: Default::default(),
            sq_next_q: Default::default(),
            sq_more_q: Default::default(),
            cpl_addr_q: Default::default(),
            vrec_addr_q: Default::default(),
            t_buf_q: Default::default(),
            pay_room_q: Default::default(),
            pay_src_q: Default::default(),
            pay_split_q: Default::default(),
            pay_rest_q: Default::default(),
            len_nz_q: Default::default(),
            len_over_q: Default::default(),
            len_inline_q: Default::default(),
            len_big_q: Default::default(),
            dec_state: Default::default(),
            t_full: Default::default(),
            t_cq_next: Default::default(),
            resv_sub: Default::default(),
            cpl_sq_head: Default::default(),
            rd_ctx: Default::default(),
            w_kind: Default::default(),
            w_state: Default::default(),
            w_owner: Default::default(),
            w_gen: Default::default(),
            w_peer: Default::default(),
            w_max: Default::default(),
            w_backlog: Default::default(),
            w_pending: Default::default(),
            w_context: Default::default(),
            w_clear: Default::default(),
            b_backlog: Default::default(),
            b_pend: Default::default(),
            create_bad_arg: Default::default(),
            cpl_lo: Default::default(),
            cpl_hi: Default::default(),
            state: Default::default(),
            state_dp: Default::default(),
            ctx: Default::default(),
            last_after: Default::default(),
            tear_v_q: Default::default(),
            tear_g_q: Default::default(),
            init_v_q: Default::default(),
            init_g_q: Default::default(),
            db_v_q: Default::default(),
            db_g_q: Default::default(),
            was_idle: Default::default(),
            sq_base: Default::default(),
            cq_base: Default::default(),
            sq_mask: Default::default(),
            cq_mask: Default::default(),
            enabled: Default::default(),
            init_hit_q: Default::default(),
            sq_tail: Default::default(),
            cq_head: Default::default(),
            sq_head: Default::default(),
            cq_tail: Default::default(),
            beat: Default::default(),
            d_opcode: Default::default(),
            op_hot: Default::default(),
            dec_bad_op: Default::default(),
            dec_bad_resv: Default::default(),
            dec_bad_len: Default::default(),
            slots_need_q: Default::default(),
            d_flags: Default::default(),
            d_resv: Default::default(),
            d_len: Default::default(),
            d_user: Default::default(),
            d_src: Default::default(),
            d_dst: Default::default(),
            status: Default::default(),
            result: Default::default(),
            rd_err: Default::default(),
            cpl_aw_done: Default::default(),
            cpl_w_done: Default::default(),
            wr_err: Default::default(),
            rd_addr: Default::default(),
            rd_beats: Default::default(),
            rd_inflight: Default::default(),
            ar_burst_q: Default::default(),
            ar_hold: Default::default(),
            aw_burst_q: Default::default(),
            aw_hold: Default::default(),
            rd_more: Default::default(),
            aw_more: Default::default(),
            in_left: Default::default(),
            take_q: Default::default(),
            acc: Default::default(),
            acc_cnt: Default::default(),
            acc_room: Default::default(),
            acc_cnt_next: Default::default(),
            acc_wp: Default::default(),
            acc_rp: Default::default(),
            r_rot: Default::default(),
            w_burst_first: Default::default(),
            w_burst_after: Default::default(),
            w_fired: Default::default(),
            out_left: Default::default(),
            out_nz: Default::default(),
            need_q: Default::default(),
            out_off_q: Default::default(),
            aw_addr: Default::default(),
            aw_beats: Default::default(),
            b_pending: Default::default(),
            w_addr: Default::default(),
            w_beats: Default::default(),
            w_burst_rem: Default::default(),
            sq_next: Default::default(),
            ctx_onehot: Default::default(),
            strb_end_q: Default::default(),
            in_room: Default::default(),
            take: Default::default(),
            out_room: Default::default(),
            need: Default::default(),
            in_left_next: Default::default(),
            out_left_next: Default::default(),
            take_later: Default::default(),
            need_later: Default::default(),
            take_first: Default::default(),
            need_first: Default::default(),
            in_sum: Default::default(),
            out_sum: Default::default(),
            in_fits: Default::default(),
            out_fits: Default::default(),
            strb_end_first: Default::default(),
            in_copy: Default::default(),
            copy_arvalid: Default::default(),
            copy_rready: Default::default(),
            copy_awvalid: Default::default(),
            copy_wvalid: Default::default(),
            ar_fire: Default::default(),
            r_fire: Default::default(),
            aw_fire: Default::default(),
            w_fire: Default::default(),
            b_fire: Default::default(),
            acc_cnt_r: Default::default(),
            acc_cnt_w: Default::default(),
            acc_cnt_rw: Default::default(),
            w_burst_cur: Default::default(),
            r_twice: Default::default(),
            r_lanes: Default::default(),
            r_window: Default::default(),
            acc_wmask: Default::default(),
            r_slice_at: Default::default(),
            wmask_slice_at: Default::default(),
            acc_wp_next: Default::default(),
            acc_rp_next: Default::default(),
            r_bad: Default::default(),
            b_bad: Default::default(),
            load_sq_mask: Default::default(),
            load_cq_mask: Default::default(),
            k_one16: crate::konst(1),
            k_ones16: crate::konst(0xFFFF),
            // Twice a 256-bit word whose low 16 bytes are ones.
            k_wmask_twice: Constant::new({
                let low16 = (Bits::<512>::from(1u64) << 128u64) - Bits::<512>::from(1u64);
                low16 | (low16 << 256u64)
            }),
            k_r_slice_top: crate::konst(128),
            k_wmask_slice_top: crate::konst(256),
            k_one_n: crate::konst(1),
            k_ones_n: crate::konst(u64::MAX >> (64 - N)),
            k_zero_n: crate::konst(0),
            k_beat_bytes: k8(bus::AXI_DATA_BYTES as u64),
            k_beat_mask: crate::konst(!(bus::AXI_DATA_BYTES as u64 - 1)),
            k_desc_shift: k8(desc::DESC_SIZE.trailing_zeros() as u64),
            k_desc_arlen: k8(desc_beats - 1),
            k_cqe_shift: k8(desc::CQE_SIZE.trailing_zeros() as u64),
            k_size: crate::konst(bus::AXI_DATA_BYTES.trailing_zeros() as u64),
            k_incr: crate::konst(1),
            k_id_queue: crate::konst(bus::AXI_ID_QUEUE as u64),
            k_id_data: crate::konst(bus::AXI_ID_DATA as u64),
            k_okay: crate::konst(bus::RESP_OKAY as u64),
            k_max_reads: k8(bus::MAX_READS_IN_FLIGHT as u64),
            k_max_bursts: k8(64),
            k_max_len: crate::konst(geometry::MAX_COPY_LEN as u64),
            k_op_nop: k8(Opcode::Nop as u64),
            k_op_copy: k8(Opcode::Copy as u64),
            k_st_ok: k8(Status::Ok as u64),
            k_st_bad_opcode: k8(Status::BadOpcode as u64),
            k_op_known: Constant::new(
                Opcode::ALL.iter().fold(Bits::<256>::default(), |m, &o| m | (Bits::<256>::from(1u64) << (o as u64))),
            ),
            k_st_bad_length: k8(Status::BadLength as u64),
            k_st_bad_reserved: k8(Status::BadReserved as u64),
            k_st_bad_address: k8(Status::BadAddress as u64),
            k_st_read_error: k8(Status::DmaReadError as u64),
            k_st_write_error: k8(Status::DmaWriteError as u64),
            k_st_access_denied: k8(Status::AccessDenied as u64),
            k_initial_phase: Constant::new(desc::CQ_INITIAL_PHASE),
            k_f_opcode: crate::konst(lane_bit(desc::DESC_OPCODE, 0)),
            k_f_flags: crate::konst(lane_bit(desc::DESC_FLAGS, 0)),
            k_f_resv: crate::konst(lane_bit(desc::DESC_RESERVED, 0)),
            k_f_len: crate::konst(lane_bit(desc::DESC_LENGTH, 0)),
            k_f_user: crate::konst(lane_bit(desc::DESC_USER_DATA, 0)),
            k_f_src: crate::konst(lane_bit(desc::DESC_SRC_ADDR, 1)),
            k_f_dst: crate::konst(lane_bit(desc::DESC_DST_ADDR, 1)),
            k_beat_src: k8(1),
            k_c_port: k8(lane_bit(desc::CQE_PORT, 0)),
            k_c_msg: k8(lane_bit(desc::CQE_MSG_ID, 0)),
            k_c_ident: k8(lane_bit(desc::CQE_IDENTITY, 1)),
            k_c_result: k8(lane_bit(desc::CQE_RESULT, 1)),
            k_c_sq_head: k8(lane_bit(desc::CQE_SQ_HEAD, 1)),
            k_c_kind: k8(lane_bit(desc::CQE_KIND, 1)),
            k_c_status: k8(lane_bit(desc::CQE_STATUS, 1)),
            k_c_flags: k8(lane_bit(desc::CQE_FLAGS, 1)),
            k_op_create: k8(Opcode::CreatePort as u64),
            k_op_connect: k8(Opcode::Connect as u64),
            k_op_accept: k8(Opcode::Accept as u64),
            k_op_reject: k8(Opcode::Reject as u64),
            k_op_close: k8(Opcode::Close as u64),
            k_op_allow: k8(Opcode::Allow as u64),
            k_op_credit: k8(Opcode::Credit as u64),
            k_max_window: crate::konst(geometry::MAX_WINDOW as u64),
            k_flags_create: k8(Opcode::CreatePort.allowed_flags() as u64),
            k_op_datagram: k8(Opcode::Datagram as u64),
            k_op_request: k8(Opcode::Request as u64),
            k_op_reply: k8(Opcode::Reply as u64),
            k_op_cancel: k8(Opcode::Cancel as u64),
            k_st_not_connected: k8(Status::NotConnected as u64),
            k_st_bad_reply: k8(Status::BadReply as u64),
            k_st_canceled: k8(Status::Canceled as u64),
            k_st_peer_closed: k8(Status::PeerClosed as u64),
            k_ev_request: k8(EventKind::Request as u64),
            k_ev_reply: k8(EventKind::Reply as u64),
            k_ev_datagram: k8(EventKind::Datagram as u64),
            k_c_rq: k8(lane_bit(desc::CQE_RQ_INDEX, 1)),
            k_requests: crate::konst(geometry::REQUESTS as u64),
            k_rb: k8(RB as u64),
            k_scan_end_p: crate::konst(PB as u64),
            k_scan_end_r: crate::konst(RB as u64),
            k_max_inline32: crate::konst(geometry::MAX_INLINE as u64),
            k_cqe_buf_shift: k8(desc::CQE_SIZE.trailing_zeros() as u64),
            k_buf_shift: k8(desc::RX_BUF_SIZE.trailing_zeros() as u64),
            k_pay_head: crate::konst(desc::DESC_EXTRA as u64),
            k_slot_round: crate::konst(desc::DESC_EXTRA as u64 - 1),
            k_re_gen: crate::konst(re::GEN),
            k_re_requester: crate::konst(re::REQUESTER),
            k_re_from: crate::konst(re::FROM),
            k_re_to: crate::konst(re::TO),
            k_re_user: crate::konst(re::USER),
            k_st_bad_handle: k8(Status::BadHandle as u64),
            k_st_bad_argument: k8(Status::BadArgument as u64),
            k_st_name_exists: k8(Status::NameExists as u64),
            k_st_no_such_name: k8(Status::NoSuchName as u64),
            k_st_refused: k8(Status::Refused as u64),
            k_st_backlog_full: k8(Status::BacklogFull as u64),
            k_st_too_large: k8(Status::TooLarge as u64),
            k_st_no_resources: k8(Status::NoResources as u64),
            k_st_receiver_busy: k8(Status::ReceiverBusy as u64),
            k_st_port_closed: k8(Status::PortClosed as u64),
            k_ev_done: k8(EventKind::Done as u64),
            k_ev_port_closed: k8(EventKind::PortClosed as u64),
            k_ev_conn_request: k8(EventKind::ConnectionRequest as u64),
            k_ev_conn_reply: k8(EventKind::ConnectionReply as u64),
            k_last_port: crate::konst((1u64 << PB) - 1),
            k_contexts: crate::konst(N as u64),
            k_max_inline: crate::konst(geometry::MAX_INLINE as u64),
            k_pb: k8(PB as u64),
            k_gen_max: crate::konst(0xFFFF),
            k_pe_kind: k8(pe::KIND),
            k_pe_state: k8(pe::STATE),
            k_pe_owner: k8(pe::OWNER),
            k_pe_gen: k8(pe::GEN),
            k_pe_peer: k8(pe::PEER),
            k_pe_max: k8(pe::MAX),
            k_pe_backlog: k8(pe::BACKLOG),
            k_pe_pending: k8(pe::PENDING),
            k_pe_context: k8(pe::CONTEXT),
            k_kind_free: crate::konst(pe::KIND_FREE),
            k_kind_conn: crate::konst(pe::KIND_CONNECTION),
            k_kind_server: crate::konst(pe::KIND_SERVER),
            k_kind_client: crate::konst(pe::KIND_CLIENT),
            k_state_connecting: crate::konst(pe::STATE_CONNECTING),
            k_state_connected: crate::konst(pe::STATE_CONNECTED),
            k_state_peer_closed: crate::konst(pe::STATE_PEER_CLOSED),
        }
    }
}

impl<const CB: usize, const N: usize, const PB: usize> Logic for Engine<CB, N, PB> {
    // The state machine's two matches (next state; what each state does)
    // keep the same branches in the same order, so that a state's two arms
    // read side by side: in each, some branches are empty or alike.
    #[allow(clippy::if_same_then_else, clippy::collapsible_if, clippy::collapsible_match)]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            ctx,
            last_after,
            tear_v_q,
            tear_g_q,
            init_v_q,
            init_g_q,
            db_v_q,
            db_g_q,
            was_idle,
            sq_base,
            cq_base,
            sq_mask,
            cq_mask,
            enabled,
            init_hit_q,
            sq_tail,
            cq_head,
            sq_head,
            cq_tail,
            beat,
            d_opcode,
            op_hot,
            dec_bad_op,
            dec_bad_resv,
            dec_bad_len,
            slots_need_q,
            d_flags,
            d_resv,
            d_len,
            d_user,
            d_src,
            d_dst,
            status,
            result,
            rd_err,
            cpl_aw_done,
            cpl_w_done,
            wr_err,
            rd_addr,
            rd_beats,
            rd_inflight,
            ar_burst_q,
            ar_hold,
            aw_burst_q,
            aw_hold,
            rd_more,
            aw_more,
            in_left,
            take_q,
            acc,
            acc_cnt,
            acc_room,
            acc_wp,
            acc_rp,
            r_rot,
            w_burst_first,
            w_burst_after,
            create_bad_arg,
            w_fired,
            out_left,
            out_nz,
            need_q,
            out_off_q,
            strb_end_q,
            aw_addr,
            aw_beats,
            b_pending,
            w_addr,
            w_beats,
            w_burst_rem,
            sweep,
            own_ident,
            own_resv,
            own_dec,
            t_ctx,
            t_cq_base,
            t_cq_mask,
            t_cq_head,
            t_cq_tail,
            t_phase,
            t_sq_head,
            t_resv,
            p_write,
            p_final,
            p_look,
            p_dec,
            p_inc,
            p_ret,
            r_ret,
            r_status,
            e_user,
            e_port,
            e_msg,
            e_ident,
            e_result,
            e_kind,
            e_status,
            cpl_kind,
            cpl_port,
            cpl_beat,
            a_e,
            died,
            close_ret,
            tscan,
            c_src,
            c_dst,
            c_len,
            c_rest,
            copy_ret,
            pr_ret,
            rs_ret,
            rs_end,
            d_slots,
            e_rq,
            r_e,
            rq_from_a_q,
            rq_to_a_q,
            rq_mine_q,
            rq_user_q,
            rq_gen_q,
            b_pend_a_q,
            b_gen_arg_q,
            rd_gen_q,
            pw_en,
            pw_addr,
            pw_op,
            pr_sel,
            ef_op,
            r_idx,
            f_status,
            f_ident,
            f_port,
            f_len,
            f_nz,
            fin_ret,
            rscan,
            new_req,
            new_req_fresh,
            new_req_gen_q,
            a_idx,
            b_e,
            b_idx,
            new_idx,
            new_fresh,
            new_gen_q,
            scan,
            sx_op,
            sx_posted,
            is_post,
            lg_have,
            e_large,
            sx_handle,
            sx_addr,
            sx_len,
            sx_off,
            sx_rights,
            sx_grantee,
            sx_port,
            sec_ret,
            att_ret,
            cp_side,
            e_view,
            cpl_rec,
            vrec_iova,
            vrec_len,
            vrec_handle,
            vrec_access,
            own_base,
            own_last,
            conn_restricted,
            restricted_q,
            a_link_q,
            a_ok_q,
            a_mine_q,
            a_comm_q,
            copying,
            copy_go,
            cpl_sending,
            load_now,
            latch_now,
            decoding,
            storing,
            paying,
            db_claim,
            desc_short,
            sq_avail,
            sq_empty_q,
            copy_quiet_q,
            c_rest_nz,
            a_gen_next,
            b_gen_next,
            cr_win,
            win_q,
            win_credits,
            cr_busy,
            snd_take_q,
            cr_dec,
            cr_got,
            name_hit,
            name_port,
            acl_hit,
            acl_key,
            acl_insert,
            cam_remove,
            cam_insert,
            t_full_q,
            own_full_q,
            sq_next_q,
            sq_more_q,
            cpl_addr_q,
            vrec_addr_q,
            t_buf_q,
            pay_room_q,
            pay_src_q,
            pay_split_q,
            pay_rest_q,
            len_nz_q,
            len_over_q,
            len_inline_q,
            len_big_q,
            dec_state
        );

        // ---- section table: commands from the sx_* registers ----
        clock!(self, clock, sections, cp_window, lg_window, state_dp);
        self.sections.rst.next = self.rst.val();
        self.sections.start.next = (self.state_dp.q.val() == EngineState::SecGo) && !self.sections.busy.val();
        self.sections.op.next = self.sx_op.q.val();
        self.sections.ctx.next = bit_cast::<8, CB>(self.ctx.q.val());
        self.sections.handle.next = self.sx_handle.q.val();
        self.sections.addr.next = self.sx_addr.q.val();
        self.sections.len.next = self.sx_len.q.val();
        self.sections.offset.next = self.sx_off.q.val();
        self.sections.rights.next = self.sx_rights.q.val();
        self.sections.win_base.next = self.own_base.q.val();
        self.sections.win_last.next = self.own_last.q.val();
        self.sections.grantee.next = self.sx_grantee.q.val();
        self.sections.port.next = self.sx_port.q.val();
        self.sections.posted.next = self.sx_posted.q.val();
        self.m_large.next = self.d_flags.q.val().get_bit(4);
        // A large message's bytes must lie in the sender's window, checked
        // from the descriptor every cycle (read in Snd2, long after Load).
        self.lg_window.addr.next = self.d_dst.q.val();
        self.lg_window.len.next = self.d_len.q.val();
        self.lg_window.base.next = self.own_base.q.val();
        self.lg_window.last.next = self.own_last.q.val();
        self.m_view.next = self.d_flags.q.val().get_bit(2);
        if self.d_opcode.q.val() == self.k_op_copy.val() {
            self.flags_allowed.next = self.k_flags_copy.val();
        } else if self.d_opcode.q.val() == self.k_op_create.val() {
            self.flags_allowed.next = self.k_flags_create.val();
        } else if (self.d_opcode.q.val() == self.k_op_datagram.val())
            || (self.d_opcode.q.val() == self.k_op_request.val())
        {
            self.flags_allowed.next = self.k_flags_msg.val();
        } else if self.d_opcode.q.val() == self.k_op_reply.val() {
            self.flags_allowed.next = self.k_flags_reply.val();
        } else {
            self.flags_allowed.next = 0.into();
        }
        if self.cp_side.q.val() {
            self.cp_addr.next = self.d_dst.q.val();
            self.cp_view.next = self.d_flags.q.val().get_bit(1);
        } else {
            self.cp_addr.next = self.d_src.q.val();
            self.cp_view.next = self.d_flags.q.val().get_bit(0);
        }
        // A COPY's side in the window: set in CpSide, judged in CpAct.
        self.cp_window.addr.next = self.cp_addr.val();
        self.cp_window.len.next = self.d_len.q.val();
        self.cp_window.base.next = self.own_base.q.val();
        self.cp_window.last.next = self.own_last.q.val();
        self.vrec_lo.next = bit_cast::<128, 64>(self.vrec_iova.q.val())
            | (bit_cast::<128, 32>(self.vrec_len.q.val()) << self.k_vr_len.val())
            | (bit_cast::<128, 32>(self.vrec_handle.q.val()) << self.k_vr_handle.val());
        self.vrec_hi.next = bit_cast::<128, 32>(self.vrec_access.q.val()) << self.k_vr_access.val();

        // ---- arbiters and burst splitters ----
        self.db_arb.req.next = self.db_pending.val();
        self.db_arb.after.next = self.last_after.q.val();
        self.init_arb.req.next = self.init_pending.val();
        self.init_arb.after.next = self.last_after.q.val();
        self.tear_arb.req.next = self.tear_pending.val();
        self.tear_arb.after.next = self.last_after.q.val();
        self.tear_v_q.d.next = self.tear_arb.valid.val();
        self.tear_g_q.d.next = self.tear_arb.grant.val();
        self.init_v_q.d.next = self.init_arb.valid.val();
        self.init_g_q.d.next = self.init_arb.grant.val();
        self.db_v_q.d.next = self.db_arb.valid.val();
        self.db_g_q.d.next = self.db_arb.grant.val();
        self.was_idle.d.next = self.state.q.val() == EngineState::Idle;
        self.bs_ar.page_beat.next = self.rd_addr.q.val().get_bits::<8>(4);
        self.bs_ar.beats_left.next = self.rd_beats.q.val();
        self.bs_aw.page_beat.next = self.aw_addr.q.val().get_bits::<8>(4);
        self.bs_aw.beats_left.next = self.aw_beats.q.val();
        self.bs_w.page_beat.next = self.w_addr.q.val().get_bits::<8>(4);
        self.bs_w.beats_left.next = self.w_beats.q.val();
        self.bs_w_after.page_beat.next = self.w_addr.q.val().get_bits::<8>(4) + 1;
        self.bs_w_after.beats_left.next = self.w_beats.q.val() - 1;
        self.w_burst_first.d.next = self.bs_w.burst.val();
        self.w_burst_after.d.next = self.bs_w_after.burst.val();

        // ---- queue arithmetic ----
        self.sq_next.next = (self.sq_head.q.val() + self.d_slots.q.val()) & self.sq_mask.q.val();
        self.sq_next_q.d.next = self.sq_next.val();
        self.sq_more_q.d.next = self.sq_next.val() != self.sq_tail.q.val();
        self.load_sq_mask.next =
            (self.k_one16.val() << self.cfg_sq_log2.val()) - self.k_one16.val();
        self.load_cq_mask.next =
            (self.k_one16.val() << self.cfg_cq_log2.val()) - self.k_one16.val();
        self.ctx_onehot.next = self.k_one_n.val() << self.ctx.q.val();
        // `init_pending[ctx]` as it will be in the next cycle, when that is
        // Check: `ctx` changes only in Idle, Check always follows LoadFull,
        // and in LoadFull nothing clears a pending bit (only Init does), so
        // the next bit is the bit now or this edge's write. Two ANDs and ORs
        // side by side, not the CSR's next value then a select.
        self.init_hit_q.d.next = ((self.init_pending.val() & self.ctx_onehot.val()) != self.k_zero_n.val())
            || (self.init_set.val()
                && (self.init_set_onehot.val() & self.ctx_onehot.val()) != self.k_zero_n.val());
        self.r_bad.next = self.m_axi_rresp.val() != self.k_okay.val();
        self.b_bad.next = (self.m_axi_bresp.val() != self.k_okay.val())
            || (self.m_axi_bid.val() != self.k_id_data.val());

        // ---- copy datapath (combinational part) ----
        // The bytes the next R beat gives (`take`, from lane `in_off`) and
        // the next W beat needs (`need`, at lane `out_off`) are registers,
        // computed when the copy starts and after each beat from the bytes
        // left (timing: they used to be worked out here every cycle from
        // the bytes left, in front of the handshakes and the shifters).
        self.take.next = self.take_q.q.val();
        self.need.next = self.need_q.q.val();
        self.in_left_next.next = self.in_left.q.val() - bit_cast::<32, 8>(self.take.val());
        self.out_left_next.next = self.out_left.q.val() - bit_cast::<32, 8>(self.need.val());
        // A later beat: min(left, 16).
        if (self.in_left_next.val() >> 4) == 0 {
            self.take_later.next = self.in_left_next.val().get_bits::<8>(0);
        } else {
            self.take_later.next = self.k_beat_bytes.val();
        }
        if (self.out_left_next.val() >> 4) == 0 {
            self.need_later.next = self.out_left_next.val().get_bits::<8>(0);
        } else {
            self.need_later.next = self.k_beat_bytes.val();
        }
        // The first beats: min(len, 16 - address % 16), and where the
        // first W beat's strobes end: min(address % 16 + len, 16).
        self.in_room.next = self.k_beat_bytes.val() - bit_cast::<8, 4>(self.c_src.q.val().get_bits::<4>(0));
        self.out_room.next = self.k_beat_bytes.val() - bit_cast::<8, 4>(self.c_dst.q.val().get_bits::<4>(0));
        self.in_sum.next = bit_cast::<5, 4>(self.c_src.q.val().get_bits::<4>(0))
            + bit_cast::<5, 4>(self.c_len.q.val().get_bits::<4>(0));
        self.out_sum.next = bit_cast::<5, 4>(self.c_dst.q.val().get_bits::<4>(0))
            + bit_cast::<5, 4>(self.c_len.q.val().get_bits::<4>(0));
        self.in_fits.next = ((self.c_len.q.val() >> 4) == 0) && ((self.in_sum.val() >> 4) == 0);
        self.out_fits.next = ((self.c_len.q.val() >> 4) == 0) && ((self.out_sum.val() >> 4) == 0);
        if self.in_fits.val() {
            self.take_first.next = self.c_len.q.val().get_bits::<8>(0);
        } else {
            self.take_first.next = self.in_room.val();
        }
        if self.out_fits.val() {
            self.need_first.next = self.c_len.q.val().get_bits::<8>(0);
            self.strb_end_first.next = self.out_sum.val();
        } else {
            self.need_first.next = self.out_room.val();
            self.strb_end_first.next = bit_cast::<5, 8>(self.k_beat_bytes.val());
        }
        if (self.w_burst_rem.q.val() == 0) && self.w_fired.q.val() {
            self.w_burst_cur.next = self.w_burst_after.q.val();
        } else if self.w_burst_rem.q.val() == 0 {
            self.w_burst_cur.next = self.w_burst_first.q.val();
        } else {
            self.w_burst_cur.next = self.w_burst_rem.q.val();
        }
        // Strobes cover lanes out_off .. strb_end (a shift by 16 gives 0).
        self.m_axi_wstrb.next = (self.k_ones16.val() << self.out_off_q.q.val())
            & !(self.k_ones16.val() << self.strb_end_q.q.val());
        // W lane j = byte j of the accumulator's half at `acc_rp`.
        if self.acc_rp.q.val().get_bit(4) {
            self.m_axi_wdata.next = self.acc.q.val().get_bits::<128>(128);
        } else {
            self.m_axi_wdata.next = self.acc.q.val().get_bits::<128>(0);
        }
        self.m_axi_wlast.next = self.w_burst_cur.val() == 1;
        // The R beat's rotation through a doubled word: a shift, then a slice.
        self.r_twice.next = (bit_cast::<256, 128>(self.m_axi_rdata.val()) << 128)
            | bit_cast::<256, 128>(self.m_axi_rdata.val());
        // Lane q of the rotated beat = R lane (q - r_rot) mod 16, at bit
        // 8 * (q + 16 - r_rot) of the doubled beat.
        self.r_slice_at.next = self.k_r_slice_top.val() - (bit_cast::<8, 4>(self.r_rot.q.val()) << 3);
        self.r_lanes.next = self.r_twice.val().get_bits::<128>(self.r_slice_at.val().index());
        self.r_window.next =
            (bit_cast::<256, 128>(self.r_lanes.val()) << 128) | bit_cast::<256, 128>(self.r_lanes.val());
        // Bytes acc_wp .. acc_wp + 15 (mod 32): byte p of the mask is byte
        // 32 + p - acc_wp of the doubled constant.
        self.wmask_slice_at.next = self.k_wmask_slice_top.val() - (bit_cast::<9, 5>(self.acc_wp.q.val()) << 3);
        self.acc_wmask.next = self.k_wmask_twice.val().get_bits::<256>(self.wmask_slice_at.val().index());
        self.acc_wp_next.next = self.acc_wp.q.val() + bit_cast::<5, 8>(self.take.val());
        self.acc_rp_next.next = self.acc_rp.q.val() + bit_cast::<5, 8>(self.need.val());

        // Handshakes of the copy, computed before anything that depends on
        // them (the Verilog is one always @(*) block, evaluated in order).
        self.in_copy.next = self.copying.q.val();
        self.copy_arvalid.next = self.in_copy.val()
            && !self.ar_hold.q.val()
            && self.rd_more.q.val()
            && (self.rd_inflight.q.val() < self.k_max_reads.val());
        self.copy_rready.next = self.in_copy.val() && self.acc_room.q.val();
        self.copy_awvalid.next = self.in_copy.val()
            && !self.aw_hold.q.val()
            && self.aw_more.q.val()
            && (self.b_pending.q.val() < self.k_max_bursts.val());
        self.copy_wvalid.next = self.in_copy.val()
            && self.out_nz.q.val()
            && (self.acc_cnt.q.val() >= self.need.val());
        self.ar_fire.next = self.copy_arvalid.val() && self.m_axi_arready.val();
        self.ar_burst_q.d.next = self.bs_ar.burst.val();
        self.rd_more.d.next = self.rd_beats.q.val() != 0;
        self.copy_quiet_q.d.next = (self.rd_beats.q.val() == 0)
            && (self.rd_inflight.q.val() == 0)
            && (self.aw_beats.q.val() == 0)
            && !self.out_nz.q.val()
            && (self.b_pending.q.val() == 0);
        self.aw_more.d.next = self.aw_beats.q.val() != 0;
        self.ar_hold.d.next = self.ar_fire.val();
        self.r_fire.next = self.copy_rready.val() && self.m_axi_rvalid.val();
        self.aw_fire.next = self.copy_awvalid.val() && self.m_axi_awready.val();
        self.aw_burst_q.d.next = self.bs_aw.burst.val();
        self.aw_hold.d.next = self.aw_fire.val();
        self.w_fire.next = self.copy_wvalid.val() && self.m_axi_wready.val();
        self.b_fire.next = self.in_copy.val() && self.m_axi_bvalid.val();
        // Every cycle, not in Copy alone: outside a copy neither side
        // fires, so the count holds (CopyStart clears it, on copy_go).
        self.acc_cnt_r.next = self.acc_cnt.q.val() + self.take.val();
        self.acc_cnt_w.next = self.acc_cnt.q.val() - self.need.val();
        self.acc_cnt_rw.next = self.acc_cnt_w.val() + self.take.val();
        if self.r_fire.val() && self.w_fire.val() {
            self.acc_cnt_next.next = self.acc_cnt_rw.val();
            self.acc_room.d.next = self.acc_cnt_rw.val() <= self.k_beat_bytes.val();
        } else if self.r_fire.val() {
            self.acc_cnt_next.next = self.acc_cnt_r.val();
            self.acc_room.d.next = self.acc_cnt_r.val() <= self.k_beat_bytes.val();
        } else if self.w_fire.val() {
            self.acc_cnt_next.next = self.acc_cnt_w.val();
            self.acc_room.d.next = self.acc_cnt_w.val() <= self.k_beat_bytes.val();
        } else {
            self.acc_cnt_next.next = self.acc_cnt.q.val();
            self.acc_room.d.next = self.acc_cnt.q.val() <= self.k_beat_bytes.val();
        }
        self.acc_cnt.d.next = self.acc_cnt_next.val();
        self.w_fired.d.next = self.w_fire.val();

        // ---- port unit: decoded entries, handle fields, ring room ----
        clock!(self, clock, name_dir, acl, port_alloc, req_alloc);
        self.acl.rst.next = self.rst.val();
        self.restricted.read_clock.next = self.clock.val();
        self.restricted.write_clock.next = self.clock.val();
        self.window.read_clock.next = self.clock.val();
        self.window.write_clock.next = self.clock.val();
        self.credits.read_clock.next = self.clock.val();
        self.credits.write_clock.next = self.clock.val();
        // Both are read at port A (the operation's port), but CREDIT reads
        // its peer's credits (below, with the restricted bits' address); the
        // window is written with a new connection port.
        self.window.read_address.next = self.a_idx.q.val();
        self.window.write_enable.next = false;
        self.window.write_address.next = self.new_idx.q.val();
        self.window.write_data.next = self.d_dst.q.val().get_bits::<8>(24);
        self.credits.read_address.next = self.a_idx.q.val();
        self.credits.write_enable.next = false;
        self.credits.write_address.next = self.a_idx.q.val();
        self.credits.write_data.next = 0.into();
        self.win_q.d.next = self.window.read_data.val();
        if self.win_q.q.val() != 0 {
            self.win_credits.d.next = bit_cast::<9, 1>(true.into()) << 8 | bit_cast::<9, 8>(self.win_q.q.val());
        } else {
            self.win_credits.d.next = 0.into();
        }
        // Port A's credits are read at every cycle but Cr2's, so these hold
        // them from two cycles before (no state of a send writes them).
        self.cr_win.d.next = self.credits.read_data.val().get_bit(8);
        // The window used up, from `cr_win` and `cr_got` (the read,
        // registered), so a cycle later than they are. Snd5 reads it
        // (and `snd_take_q` the cycle before), at least five states after
        // PortRd2, and port A holds still through a send (timing: the
        // block RAM's output through the 8-bit zero test into this
        // flip-flop was seed 2's worst path at af69f8c).
        self.cr_busy.d.next = self.cr_win.q.val() && (self.cr_got.q.val() == 0);
        // From the read as registered (`cr_win`, `cr_got`), a cycle later
        // than the RAM gives it: Snd7, its reader, is at least four states
        // after PortRd2 (timing: the block RAM's output through the 9-bit
        // decrement was a late group of seed 1 at a5e5986, 10.65 ns).
        self.cr_dec.d.next = (bit_cast::<9, 1>(self.cr_win.q.val().into()) << 8
            | bit_cast::<9, 8>(self.cr_got.q.val()))
            - 1;
        // Every state that sets f_len is at least four cycles before Fin1
        // (Fin0 and the post subroutine's three states lie between).
        self.f_nz.d.next = self.f_len.q.val() != 0;
        // Snd5's window and allocator checks, from registers that hold
        // still from the state before it on (PostLook, or LgFound's return):
        // Snd5 then steers the request allocator's `take` from a few
        // flip-flops and its own decode, not through its chain of refusals
        // (timing). The large-message test stays in Snd5: LgFound sets
        // `lg_have` in the cycle before it.
        self.snd_take_q.d.next = !self.cr_busy.q.val()
            && self.op_hot.q.val().get_bit(self.k_op_request.val().index())
            && self.req_alloc.avail.val();
        self.cr_got.d.next = self.credits.read_data.val().get_bits::<8>(0);
        self.cr_sum.next = bit_cast::<9, 8>(self.cr_got.q.val())
            + bit_cast::<9, 8>(self.d_src.q.val().get_bits::<8>(32));
        self.cr_over.next = ((self.d_src.q.val().get_bits::<32>(32) >> 8) != 0)
            || (self.cr_sum.val() > bit_cast::<9, 33>(self.k_max_window.val()));
        self.name_dir.rst.next = self.rst.val();
        self.port_alloc.rst.next = self.rst.val();
        self.req_alloc.rst.next = self.rst.val();
        self.reqs.clock.next = self.clock.val();
        self.r_live.next = self.r_e.q.val().get_bit(0);
        self.r_gen.next = self.r_e.q.val().get_bits::<16>(self.k_re_gen.val().index());
        self.r_requester.next = self.r_e.q.val().get_bits::<8>(self.k_re_requester.val().index());
        self.r_from.next = self.r_e.q.val().get_bits::<16>(self.k_re_from.val().index());
        self.r_to.next = self.r_e.q.val().get_bits::<16>(self.k_re_to.val().index());
        self.r_user.next = self.r_e.q.val().get_bits::<64>(self.k_re_user.val().index());
        if self.r_gen.val() == self.k_gen_max.val() {
            self.r_gen_next.next = 1.into();
        } else {
            self.r_gen_next.next = self.r_gen.val() + 1;
        }
        self.r_handle.next =
            (bit_cast::<32, 16>(self.r_gen.val()) << 16) | bit_cast::<32, RB>(self.r_idx.q.val());
        self.req_rd_gen.next = self.reqs.read_data.val().get_bits::<16>(self.k_re_gen.val().index());
        if self.new_req_fresh.q.val() {
            self.new_req_gen.next = 1.into();
        } else {
            self.new_req_gen.next = self.req_rd_gen.val();
        }
        self.new_req_handle.next =
            (bit_cast::<32, 16>(self.new_req_gen_q.q.val()) << 16) | bit_cast::<32, RB>(self.new_req.q.val());
        self.arg_req_bad.next = (self.d_src.q.val().get_bits::<16>(32) >> self.k_rb.val()) != 0;
        // Receive buffer of the target's next CQ slot (they follow the ring).
        // The ring's size is mask + 1 with the mask all ones below a power
        // of two (`load_cq_mask`), so it is the lowest bit above the mask:
        // gates, not a carry chain. The offsets inside the buffer area add
        // first (about 25 bits), then the base: two carry chains, not the
        // three of `(base + size) + tail` (timing: those three were seed
        // 1's worst path at a1e7472, 11.0 ns through 61 hops).
        self.t_ring_size.next = ((bit_cast::<64, 16>(self.t_cq_mask.q.val()) << 1) | 1)
            & !bit_cast::<64, 16>(self.t_cq_mask.q.val());
        self.t_buf.next = self.t_cq_base.q.val()
            + ((self.t_ring_size.val() << self.k_cqe_buf_shift.val())
                + (bit_cast::<64, 16>(self.t_cq_tail.q.val()) << self.k_buf_shift.val()));
        self.t_buf_q.d.next = self.t_buf.val();
        // The record's offset lies inside a buffer (asserted in new()): an
        // OR beside the tail's offset, not a third adder after t_buf's two.
        self.vrec_addr_q.d.next = self.t_cq_base.q.val()
            + ((self.t_ring_size.val() << self.k_cqe_buf_shift.val())
                + ((bit_cast::<64, 16>(self.t_cq_tail.q.val()) << self.k_buf_shift.val()) | self.k_vrec_off.val()));
        self.cpl_addr_q.d.next =
            self.t_cq_base.q.val() + (bit_cast::<64, 16>(self.t_cq_tail.q.val()) << self.k_cqe_shift.val());
        // Inline payload: from byte 32 of the descriptor, through the SQ's end.
        self.pay_start.next = (bit_cast::<32, 16>(self.sq_head.q.val()) << 6) + self.k_pay_head.val();
        self.pay_room.next = ((bit_cast::<32, 16>(self.sq_mask.q.val()) + 1) << 6) - self.pay_start.val();
        self.pay_room_q.d.next = self.pay_room.val();
        self.pay_src_q.d.next = self.sq_base.q.val() + bit_cast::<64, 32>(self.pay_start.val());
        self.pay_split_q.d.next = self.d_len.q.val() > self.pay_room_q.q.val();
        self.pay_rest_q.d.next = self.d_len.q.val() - self.pay_room_q.q.val();
        self.sq_avail.d.next = (self.sq_tail.q.val() - self.sq_head.q.val()) & self.sq_mask.q.val();
        self.sq_empty_q.d.next = self.sq_head.q.val() == self.sq_tail.q.val();
        // 16 bits suffice: a length past MAX_INLINE is refused (len_inline_q)
        // whatever this says.
        self.pay_slots.next = bit_cast::<16, 32>(self.d_len.q.val() + self.k_slot_round.val()) >> 6;
        if self.m_large.val() {
            self.slots_need.next = 1.into(); // no inline payload
        } else {
            self.slots_need.next = self.pay_slots.val() + 1;
        }
        self.is_msg_op.next = (self.d_opcode.q.val() == self.k_op_connect.val())
            || (self.d_opcode.q.val() == self.k_op_datagram.val())
            || (self.d_opcode.q.val() == self.k_op_request.val())
            || (self.d_opcode.q.val() == self.k_op_reply.val());
        // (Synthesis keeps only the bits that are read.)
        self.op_hot.d.next = bit_cast::<256, 1>(true.into()) << self.d_opcode.q.val();
        if self.dec_bad_op.q.val() || self.dec_bad_resv.q.val() || self.dec_bad_len.q.val() {
            self.dec_state.d.next = EngineState::DoneSt;
        } else if self.op_hot.q.val().get_bit(self.k_op_create.val().index()) {
            self.dec_state.d.next = EngineState::CreateLook;
        } else if self.op_hot.q.val().get_bit(self.k_op_sec_create.val().index())
            || self.op_hot.q.val().get_bit(self.k_op_sec_delete.val().index())
            || self.op_hot.q.val().get_bit(self.k_op_view_revoke.val().index())
        {
            self.dec_state.d.next = EngineState::SecGo;
        } else if self.op_hot.q.val().get_bit(self.k_op_view_create.val().index())
            || self.op_hot.q.val().get_bit(self.k_op_post.val().index())
        {
            self.dec_state.d.next = EngineState::PortRd0;
        } else if self.op_hot.q.val().get_bit(self.k_op_connect.val().index()) {
            self.dec_state.d.next = EngineState::ConnLook;
        } else if self.op_hot.q.val().get_bit(self.k_op_datagram.val().index())
            || self.op_hot.q.val().get_bit(self.k_op_request.val().index())
            || self.op_hot.q.val().get_bit(self.k_op_reply.val().index())
            || self.op_hot.q.val().get_bit(self.k_op_cancel.val().index())
            || self.op_hot.q.val().get_bit(self.k_op_accept.val().index())
            || self.op_hot.q.val().get_bit(self.k_op_reject.val().index())
            || self.op_hot.q.val().get_bit(self.k_op_credit.val().index())
            || self.op_hot.q.val().get_bit(self.k_op_allow.val().index())
            || self.op_hot.q.val().get_bit(self.k_op_close.val().index())
        {
            self.dec_state.d.next = EngineState::PortRd0;
        } else if self.op_hot.q.val().get_bit(self.k_op_nop.val().index()) || self.len_over_q.q.val() {
            self.dec_state.d.next = EngineState::DoneSt;
        } else {
            self.dec_state.d.next = EngineState::CpSide; // COPY
        }
        self.dec_bad_op.d.next = ((self.k_op_known.val() >> self.d_opcode.q.val()) & 1) == 0;
        self.dec_bad_resv.d.next = ((self.d_flags.q.val() & !self.flags_allowed.val()) != 0)
            || ((self.d_flags.q.val() & self.k_flags_both.val()) == self.k_flags_both.val())
            || (self.d_resv.q.val() != 0);
        // Longer than any inline payload, or its slots were not all
        // submitted; a large message moves 1 ..= MAX_COPY_LEN bytes.
        // From registers of d_len (len_*_q, slots_need_q): d_len lands at the
        // first of four beats, so they are ready two cycles before Decode,
        // and no adder chains into a compare here.
        self.dec_bad_len.d.next = (self.is_msg_op.val()
            && !self.m_large.val()
            && (self.len_inline_q.q.val() || (self.slots_need_q.q.val() > self.sq_avail.q.val())))
            || (self.m_large.val() && (!self.len_nz_q.q.val() || self.len_over_q.q.val()));
        self.slots_need_q.d.next = self.slots_need.val();
        self.ports.clock.next = self.clock.val();
        self.a_kind.next = self.a_e.q.val().get_bits::<2>(self.k_pe_kind.val().index());
        self.a_state.next = self.a_e.q.val().get_bits::<2>(self.k_pe_state.val().index());
        self.a_owner.next = self.a_e.q.val().get_bits::<8>(self.k_pe_owner.val().index());
        self.a_gen.next = self.a_e.q.val().get_bits::<16>(self.k_pe_gen.val().index());
        self.a_peer.next = self.a_e.q.val().get_bits::<16>(self.k_pe_peer.val().index());
        self.a_max.next = self.a_e.q.val().get_bits::<9>(self.k_pe_max.val().index());
        self.len_big_q.d.next = self.d_len.q.val() > bit_cast::<32, 9>(self.a_max.val());
        self.len_nz_q.d.next = self.d_len.q.val() != 0;
        self.len_over_q.d.next = self.d_len.q.val() > self.k_max_len.val();
        self.len_inline_q.d.next = self.d_len.q.val() > self.k_max_inline32.val();
        self.a_backlog.next = self.a_e.q.val().get_bits::<8>(self.k_pe_backlog.val().index());
        self.a_pending.next = self.a_e.q.val().get_bits::<8>(self.k_pe_pending.val().index());
        self.a_context.next = self.a_e.q.val().get_bits::<64>(self.k_pe_context.val().index());
        self.b_kind.next = self.b_e.q.val().get_bits::<2>(self.k_pe_kind.val().index());
        self.b_state.next = self.b_e.q.val().get_bits::<2>(self.k_pe_state.val().index());
        self.b_owner.next = self.b_e.q.val().get_bits::<8>(self.k_pe_owner.val().index());
        self.b_gen.next = self.b_e.q.val().get_bits::<16>(self.k_pe_gen.val().index());
        self.b_peer.next = self.b_e.q.val().get_bits::<16>(self.k_pe_peer.val().index());
        self.b_max.next = self.b_e.q.val().get_bits::<9>(self.k_pe_max.val().index());
        self.b_backlog.next = self.b_e.q.val().get_bits::<8>(self.k_pe_backlog.val().index());
        self.b_pend.next = self.b_e.q.val().get_bits::<8>(self.k_pe_pending.val().index());
        self.b_context.next = self.b_e.q.val().get_bits::<64>(self.k_pe_context.val().index());
        // The port table's output goes straight into registers (a DP16KD's
        // clock-to-output takes most of a 125 MHz cycle): the generation read
        // for a new entry, and entry B's checks from `b_e` a cycle after it.
        self.rd_gen_q.d.next = self.ports.read_data.val().get_bits::<16>(self.k_pe_gen.val().index());
        // Generations skip 0, so no handle is ever 0; a never-used entry starts at 1.
        if self.a_gen.val() == self.k_gen_max.val() {
            self.a_gen_next.d.next = 1.into();
        } else {
            self.a_gen_next.d.next = self.a_gen.val() + 1;
        }
        if self.b_gen.val() == self.k_gen_max.val() {
            self.b_gen_next.d.next = 1.into();
        } else {
            self.b_gen_next.d.next = self.b_gen.val() + 1;
        }
        if self.new_fresh.q.val() {
            self.new_gen.next = 1.into();
        } else {
            self.new_gen.next = self.rd_gen_q.q.val();
        }
        self.own_owner.next = bit_cast::<8, CB>(self.ctx.q.val());
        self.port_idx_bad.next = (self.d_src.q.val().get_bits::<16>(0) >> self.k_pb.val()) != 0;
        self.arg_idx_bad.next = (self.d_src.q.val().get_bits::<16>(32) >> self.k_pb.val()) != 0;
        self.port_gen.next = self.d_src.q.val().get_bits::<16>(16);
        self.arg_gen.next = self.d_src.q.val().get_bits::<16>(48);
        self.rq_from_a_q.d.next =
            self.r_live.val() && (self.r_from.val() == bit_cast::<16, PB>(self.a_idx.q.val()));
        self.rq_to_a_q.d.next = self.r_live.val() && (self.r_to.val() == bit_cast::<16, PB>(self.a_idx.q.val()));
        self.rq_mine_q.d.next = self.r_live.val() && (self.r_requester.val() == self.own_owner.val());
        self.rq_user_q.d.next = self.r_user.val() == self.d_dst.q.val();
        self.rq_gen_q.d.next = self.r_gen.val() == self.arg_gen.val();
        self.b_pend_a_q.d.next = (self.b_kind.val() == self.k_kind_client.val())
            && (self.b_state.val() == self.k_state_connecting.val())
            && (self.b_peer.val() == bit_cast::<16, PB>(self.a_idx.q.val()));
        self.b_gen_arg_q.d.next = self.b_gen.val() == self.arg_gen.val();
        // Entry A is what the descriptor's handle names, and this context owns it.
        self.a_mine.next =
            (self.a_gen.val() == self.port_gen.val()) && (self.a_owner.val() == self.own_owner.val());
        self.a_comm.next =
            (self.a_kind.val() == self.k_kind_server.val()) || (self.a_kind.val() == self.k_kind_client.val());
        // Port A as the end of a connection to send on (DATAGRAM, REQUEST,
        // VIEW_CREATE, POST_BUFFER, CREDIT): OK, or why not.
        if !self.a_comm.val() || !self.a_mine.val() {
            self.a_link.next = self.k_st_bad_handle.val();
        } else if self.a_state.val() == self.k_state_peer_closed.val() {
            self.a_link.next = self.k_st_peer_closed.val();
        } else if self.a_state.val() != self.k_state_connected.val() {
            self.a_link.next = self.k_st_not_connected.val();
        } else {
            self.a_link.next = self.k_st_ok.val();
        }
        self.a_link_q.d.next = self.a_link.val();
        self.a_ok_q.d.next = self.a_link.val() == self.k_st_ok.val();
        self.a_mine_q.d.next = self.a_mine.val();
        self.a_comm_q.d.next = self.a_comm.val();
        self.a_handle.next =
            (bit_cast::<32, 16>(self.a_gen.val()) << 16) | bit_cast::<32, PB>(self.a_idx.q.val());
        self.b_handle.next =
            (bit_cast::<32, 16>(self.b_gen.val()) << 16) | bit_cast::<32, PB>(self.b_idx.q.val());
        self.new_handle.next =
            (bit_cast::<32, 16>(self.new_gen_q.q.val()) << 16) | bit_cast::<32, PB>(self.new_idx.q.val());
        // Room in a completion ring: entries used plus slots reserved must
        // stay below its capacity (a ring of E entries holds E - 1). The
        // free entries are E - 1 - used = (head - tail - 1) mod E = (head +
        // !tail) & mask, and the ring is full when the reserved slots reach
        // them: one 16-bit add and one compare (timing: used, then used +
        // reserved, then a compare against the mask, three 16-to-32-bit
        // carry chains in a row, were seed 1's worst path at f181bca).
        self.own_free.next = (self.cq_head.q.val() + !self.cq_tail.q.val()) & self.cq_mask.q.val();
        self.own_full.next = self.own_resv.q.val() >= self.own_free.val();
        self.own_full_q.d.next = self.own_full.val();
        self.t_free.next = (self.t_cq_head.q.val() + !self.t_cq_tail.q.val()) & self.t_cq_mask.q.val();
        self.t_full.next = self.t_resv.q.val() >= self.t_free.val();
        self.t_full_q.d.next = self.t_full.val();
        self.t_cq_next.next = (self.t_cq_tail.q.val() + 1) & self.t_cq_mask.q.val();
        self.resv_sub.next = self.t_resv.q.val() + bit_cast::<16, 1>(self.p_inc.q.val().into());
        if self.p_final.q.val() {
            self.cpl_sq_head.next = self.sq_next_q.q.val();
        } else {
            self.cpl_sq_head.next = self.t_sq_head.q.val();
        }
        self.create_bad_arg.d.next = (self.d_src.q.val().get_bits::<32>(32) == 0)
            || (self.d_dst.q.val().get_bits::<16>(0) > self.k_max_inline.val())
            || (self.d_dst.q.val().get_bits::<8>(16) == 0);

        // The completion entry, built from the contract's field positions.
        // Beat 0: user data, port, message id. Beat 1: identity, result,
        // receive-buffer index (0), SQ head, kind, status, reserved, flags.
        self.cpl_lo.next = bit_cast::<128, 64>(self.e_user.q.val())
            | (bit_cast::<128, 32>(self.e_port.q.val()) << self.k_c_port.val())
            | (bit_cast::<128, 32>(self.e_msg.q.val()) << self.k_c_msg.val());
        self.cpl_hi.next = (bit_cast::<128, 32>(self.e_ident.q.val()) << self.k_c_ident.val())
            | (bit_cast::<128, 32>(self.e_result.q.val()) << self.k_c_result.val())
            | (bit_cast::<128, 16>(self.e_rq.q.val()) << self.k_c_rq.val())
            | (bit_cast::<128, 16>(self.cpl_sq_head.val()) << self.k_c_sq_head.val())
            | (bit_cast::<128, 8>(self.e_kind.q.val()) << self.k_c_kind.val())
            | (bit_cast::<128, 8>(self.e_status.q.val()) << self.k_c_status.val())
            | (bit_cast::<128, 1>(self.t_phase.q.val().into()) << self.k_c_flags.val())
            | (bit_cast::<128, 1>(self.e_view.q.val().into()) << self.k_c_vflag.val())
            | (bit_cast::<128, 1>(self.e_large.q.val().into()) << self.k_c_lflag.val());

        // ---- defaults ----
        self.db_clear_en.next = false;
        self.db_clear_ctx.next = self.ctx.q.val();
        self.db_set_en.next = false;
        self.db_set_ctx.next = self.ctx.q.val();
        self.init_clear_en.next = false;
        self.init_clear_ctx.next = self.ctx.q.val();
        self.tear_clear_en.next = false;
        self.tear_clear_ctx.next = self.ctx.q.val();
        self.rd_ctx.next = self.ctx.q.val();
        self.st_wr_en.next = false;
        self.st_wr_ctx.next = self.t_ctx.q.val();
        self.st_wr_sq_head.next = self.t_sq_head.q.val();
        self.st_wr_cq_tail.next = self.t_cq_tail.q.val();
        self.st_wr_phase.next = self.t_phase.q.val();
        self.count_done.next = false;
        self.count_error.next = false;
        // `==`, not `!=`: Yosys turns `!= 0` into a reduce-or, and then does
        // not re-encode the state machine (bitstreams' `prepare_script`).
        self.busy.next = !(self.state_dp.q.val() == EngineState::Idle);
        self.active.next = !((self.state_dp.q.val() == EngineState::Idle)
            || (self.state_dp.q.val() == EngineState::Init)
            || (self.state_dp.q.val() == EngineState::Sweep));
        self.active_ctx.next = self.ctx.q.val();
        self.cpl_event.next = false;
        self.cpl_ctx.next = self.t_ctx.q.val();

        self.name_dir.lookup_name.next = self.d_src.q.val().get_bits::<32>(32);
        self.cam_insert.d.next = false;
        self.name_dir.insert_en.next = self.cam_insert.q.val();
        self.name_dir.insert_name.next = self.d_src.q.val().get_bits::<32>(32);
        self.name_dir.insert_port.next = self.new_idx.q.val();
        self.cam_remove.d.next = false;
        self.name_dir.remove_en.next = self.cam_remove.q.val();
        self.name_dir.remove_port.next = self.a_idx.q.val();
        // Access lists: keyed by (port index, identity), the port at bit 32
        // (`acl_cam::ACL_PORT_SHIFT`); the identity is ALLOW's argument,
        // or the connecting context's (CONNECT).
        if self.op_hot.q.val().get_bit(self.k_op_connect.val().index()) {
            self.acl_key.d.next = (bit_cast::<ACL_KEY_BITS, PB>(self.name_port.q.val()) << 32)
                | bit_cast::<ACL_KEY_BITS, 32>(self.own_ident.q.val());
        } else {
            self.acl_key.d.next = (bit_cast::<ACL_KEY_BITS, PB>(self.a_idx.q.val()) << 32)
                | bit_cast::<ACL_KEY_BITS, 32>(self.d_src.q.val().get_bits::<32>(32));
        }
        self.acl.lookup_key.next = self.acl_key.q.val();
        self.acl_insert.d.next = false;
        self.acl.insert_en.next = self.acl_insert.q.val();
        self.acl.insert_key.next = self.acl_key.q.val();
        self.acl.remove_en.next = self.cam_remove.q.val();
        self.acl.remove_port.next = self.a_idx.q.val();
        // The key holds the port: a hit is for the port whose list was
        // asked about (CONNECT's `name_port`, which Conn0 copies into
        // `a_idx`; ALLOW's `a_idx`, latched in PortRd0, still in Allow3).
        self.acl_hit.d.next = self.acl.lookup_hit.val();
        // The post subroutine looks at the target ring (PostLook) only for
        // the states that return to a check of its room: p_look follows
        // p_ret a cycle later (PostLatch, two cycles after the caller, reads
        // it), so no state's decode enables it (timing: that enable, an OR
        // of ten states, was the worst path of two seeds at 38a2f76).
        self.p_look.d.next = (self.p_ret.q.val() == EngineState::Conn3)
            || (self.p_ret.q.val() == EngineState::Snd5)
            || (self.p_ret.q.val() == EngineState::Fin1);
        // The return states, a constant per arm (see `EngineState`).
        match self.p_ret.q.val() {
            EngineState::AccFin => self.p_to.next = EngineState::AccFin,
            EngineState::ClP3 => self.p_to.next = EngineState::ClP3,
            EngineState::Conn3 => self.p_to.next = EngineState::Conn3,
            EngineState::ConnFin => self.p_to.next = EngineState::ConnFin,
            EngineState::Fin1 => self.p_to.next = EngineState::Fin1,
            EngineState::Fin2 => self.p_to.next = EngineState::Fin2,
            EngineState::Ref1 => self.p_to.next = EngineState::Ref1,
            EngineState::Snd5 => self.p_to.next = EngineState::Snd5,
            EngineState::Snd8 => self.p_to.next = EngineState::Snd8,
            _ => self.p_to.next = EngineState::Idle,
        }
        // The slots a post releases of the reservation, by its return: a
        // constant per caller but the final post's (DoneSt, returning to
        // Idle), the operation's own count. PostStore reads it at least two
        // cycles after the caller sets `p_ret` (timing: set by the ten
        // callers, its enable was an OR of their decodes, the path of seed
        // 2 at 2b67552).
        match self.p_ret.q.val() {
            // The operation's own slot (two when a CLOSE also frees its
            // port's notice slot, ClP3).
            EngineState::Idle => self.p_dec.d.next = self.own_dec.q.val(),
            // CONNECTION_REPLY into the slot the client's CONNECT kept.
            EngineState::AccFin => self.p_dec.d.next = 1.into(),
            // PORT_CLOSED into the peer's notice slot.
            EngineState::ClP3 => self.p_dec.d.next = 1.into(),
            // REPLY into the slot the request kept reserved.
            EngineState::Fin2 => self.p_dec.d.next = 1.into(),
            // A refused connect: its own slot and its port's notice slot.
            EngineState::Ref1 => self.p_dec.d.next = 2.into(),
            _ => self.p_dec.d.next = 0.into(),
        }
        match self.close_ret.q.val() {
            EngineState::DoneSt => self.close_to.next = EngineState::DoneSt,
            EngineState::TdNext => self.close_to.next = EngineState::TdNext,
            _ => self.close_to.next = EngineState::Idle,
        }
        self.name_hit.d.next = self.name_dir.lookup_hit.val();
        self.name_port.d.next = self.name_dir.lookup_port.val();
        // The operation (a flip-flop), not the state, picks these tables'
        // read addresses: ALLOW reads its own port's restricted bit (CONNECT
        // the found port's), CREDIT its peer's credits (others port A's).
        self.restricted.read_address.next = self.name_port.q.val();
        if self.op_hot.q.val().get_bit(self.k_op_allow.val().index()) {
            self.restricted.read_address.next = self.a_idx.q.val();
        }
        if self.op_hot.q.val().get_bit(self.k_op_credit.val().index()) {
            self.credits.read_address.next = self.a_peer.val().get_bits::<PB>(0);
        }
        self.restricted_q.d.next = self.restricted.read_data.val();
        self.restricted.write_enable.next = false;
        self.restricted.write_address.next = self.new_idx.q.val();
        self.restricted.write_data.next = self.d_flags.q.val().get_bit(3);
        self.req_alloc.take.next = false;
        self.req_alloc.free_en.next = false;
        self.req_alloc.free_index.next = self.r_idx.q.val();
        self.reqs.read_address.next = self.d_src.q.val().get_bits::<RB>(32);
        self.reqs.write_enable.next = false;
        self.reqs.write_address.next = self.r_idx.q.val();
        self.rw_clear.next = false;
        self.rw_gen.next = self.r_gen.val();
        self.rw_requester.next = self.r_requester.val();
        self.rw_from.next = self.r_from.val();
        self.rw_to.next = self.r_to.val();
        self.rw_user.next = self.r_user.val();
        self.port_alloc.take.next = false;
        self.port_alloc.free_en.next = false;
        self.port_alloc.free_index.next = self.a_idx.q.val();
        // The port table's read address: the source the state before named
        // (`PortRead`). A read changes nothing, so the address may be any
        // entry's in a state that does not use the read.
        match self.pr_sel.q.val() {
            PortRead::HandleA => self.ports.read_address.next = self.d_src.q.val().get_bits::<PB>(0),
            PortRead::HandleB => self.ports.read_address.next = self.d_src.q.val().get_bits::<PB>(32),
            PortRead::PeerA => self.ports.read_address.next = self.a_peer.val().get_bits::<PB>(0),
            PortRead::Alloc => self.ports.read_address.next = self.port_alloc.index.val(),
            PortRead::Named => self.ports.read_address.next = self.name_port.q.val(),
            PortRead::Scan => self.ports.read_address.next = self.scan.q.val().get_bits::<PB>(0),
            PortRead::ReqFrom => self.ports.read_address.next = self.r_from.val().get_bits::<PB>(0),
            PortRead::TearScan => self.ports.read_address.next = self.tscan.q.val().get_bits::<PB>(0),
        }
        // The source, named by every state that can go to a state that
        // reads the table, from the state and its return registers only
        // (whether it goes there is decided by checks this need not wait
        // for: a name left over for a state that does not read is unused).
        match self.state_dp.q.val() {
            EngineState::Decode => {
                if self.dec_state.q.val() == EngineState::CreateLook {
                    self.pr_sel.d.next = PortRead::Alloc;
                } else {
                    self.pr_sel.d.next = PortRead::HandleA;
                }
            }
            EngineState::ConnLook => self.pr_sel.d.next = PortRead::Named,
            // The post returns to Conn3 (CONNECT's look at the server's ring).
            EngineState::PostLook => self.pr_sel.d.next = PortRead::Alloc,
            EngineState::PostStore => self.pr_sel.d.next = PortRead::Alloc,
            EngineState::Ans3 => self.pr_sel.d.next = PortRead::Alloc,
            EngineState::PortRd2 => {
                if self.pr_ret.q.val() == EngineState::Ans2 {
                    self.pr_sel.d.next = PortRead::HandleB;
                } else {
                    self.pr_sel.d.next = PortRead::PeerA;
                }
            }
            // To Scan0: directly, or back from a refusal (Ref1, on r_ret).
            EngineState::Cl2 => self.pr_sel.d.next = PortRead::Scan,
            EngineState::Scan3 => self.pr_sel.d.next = PortRead::Scan,
            EngineState::Ref1 => self.pr_sel.d.next = PortRead::Scan,
            EngineState::TdPort2 => self.pr_sel.d.next = PortRead::Scan,
            EngineState::Rep3w => self.pr_sel.d.next = PortRead::ReqFrom,
            EngineState::ReqScan2 => self.pr_sel.d.next = PortRead::ReqFrom,
            // Past the request table's end, to RScanEnd.
            EngineState::ReqScan0 => self.pr_sel.d.next = PortRead::PeerA,
            EngineState::TdPort1 => self.pr_sel.d.next = PortRead::PeerA,
            EngineState::TdReqEnd => self.pr_sel.d.next = PortRead::TearScan,
            EngineState::TdNext => self.pr_sel.d.next = PortRead::TearScan,
            _ => self.pr_sel.d.next = PortRead::HandleA,
        }
        self.pw_en.d.next = false;
        self.pw_addr.d.next = self.a_idx.q.val();
        self.pw_op.d.next = PortWrite::FreeA;
        self.ef_op.d.next = CplFill::Hold;
        self.copy_go.d.next = false;
        self.resv_wr_en.next = false;
        self.resv_wr_ctx.next = self.t_ctx.q.val();
        self.resv_wr_data.next = 0.into();

        self.m_axi_arid.next = self.k_id_data.val();
        self.m_axi_araddr.next = self.rd_addr.q.val();
        self.m_axi_arlen.next = bit_cast::<8, 32>(self.ar_burst_q.q.val() - 1);
        self.m_axi_arsize.next = self.k_size.val();
        self.m_axi_arburst.next = self.k_incr.val();
        self.m_axi_arvalid.next = false;
        self.m_axi_rready.next = false;
        self.m_axi_awid.next = self.k_id_data.val();
        self.m_axi_awaddr.next = self.aw_addr.q.val();
        self.m_axi_awlen.next = bit_cast::<8, 32>(self.aw_burst_q.q.val() - 1);
        self.m_axi_awsize.next = self.k_size.val();
        self.m_axi_awburst.next = self.k_incr.val();
        self.m_axi_awvalid.next = false;
        self.m_axi_wvalid.next = false;
        self.m_axi_bready.next = false;

        self.load_now.d.next = false;
        self.latch_now.d.next = false;
        self.decoding.d.next = false;
        self.storing.d.next = false;
        self.paying.d.next = false;
        self.db_claim.d.next = false;
        self.desc_short.d.next = false;
        self.desc_beat_bad.next = self.r_bad.val() || (self.m_axi_rid.val() != self.k_id_queue.val());
        // The state machine in two matches on the same state. This one
        // holds the next state alone, on `state`; the next holds everything
        // each state does to the datapath, on its copy `state_dp`. Each
        // state's arm in the second repeats the conditions of the first
        // where its actions depend on them. Why two: see `state_dp`.
        match self.state.q.val() {
            EngineState::Idle => {
                if !self.was_idle.q.val() {
                } else if self.tear_v_q.q.val() {
                    self.state.d.next = EngineState::TdAddr;
                } else if self.init_v_q.q.val() {
                    self.state.d.next = EngineState::Init;
                } else if self.enable.val() && self.db_v_q.q.val() {
                    self.state.d.next = EngineState::LoadAddr;
                }
            }
            EngineState::TdAddr => self.state.d.next = EngineState::TdLoad,
            EngineState::LoadAddr => self.state.d.next = EngineState::Load,
            EngineState::Sweep => {
                if self.sweep.q.val() == self.k_last_port.val() {
                    self.state.d.next = EngineState::Idle;
                }
            }
            EngineState::Init => self.state.d.next = EngineState::Idle,
            EngineState::Load => self.state.d.next = EngineState::LoadFull,
            EngineState::LoadFull => self.state.d.next = EngineState::Check,
            EngineState::Check => {
                if !self.enabled.q.val()
                    || self.init_hit_q.q.val()
                    || self.sq_empty_q.q.val() {
                    self.state.d.next = EngineState::Idle;
                } else if self.own_full_q.q.val() {
                    self.state.d.next = EngineState::Idle;
                } else {
                    self.state.d.next = EngineState::FetchAddr;
                }
            }
            EngineState::FetchAddr => {
                if self.m_axi_arready.val() {
                    self.state.d.next = EngineState::FetchData;
                }
            }
            EngineState::FetchData => {
                if self.m_axi_rvalid.val() {
                    if self.m_axi_rlast.val() {
                        self.state.d.next = EngineState::Decode;
                    }
                }
            }
            EngineState::Decode => {
                match self.dec_state.q.val() {
                    EngineState::ConnLook => self.state.d.next = EngineState::ConnLook,
                    EngineState::CpSide => self.state.d.next = EngineState::CpSide,
                    EngineState::CreateLook => self.state.d.next = EngineState::CreateLook,
                    EngineState::DoneSt => self.state.d.next = EngineState::DoneSt,
                    EngineState::PortRd0 => self.state.d.next = EngineState::PortRd0,
                    EngineState::SecGo => self.state.d.next = EngineState::SecGo,
                    _ => self.state.d.next = EngineState::Idle,
                }
                if self.desc_short.q.val() {
                    self.state.d.next = EngineState::DoneSt;
                }
            }
            EngineState::CpSide => {
                if self.cp_view.val() {
                    self.state.d.next = EngineState::SecGo;
                } else {
                    self.state.d.next = EngineState::CpChk;
                }
            }
            EngineState::CpChk => self.state.d.next = EngineState::CpAct,
            EngineState::CpAct => {
                if self.cp_window.outside.val() {
                    self.state.d.next = EngineState::DoneSt;
                } else {
                    self.state.d.next = EngineState::CpNext;
                }
            }
            EngineState::CpRes => {
                if self.sections.status.val() != self.k_st_ok.val() {
                    self.state.d.next = EngineState::DoneSt;
                } else {
                    self.state.d.next = EngineState::CpNext;
                }
            }
            EngineState::CpNext => {
                if !self.cp_side.q.val() {
                    self.state.d.next = EngineState::CpSide;
                } else if !self.len_nz_q.q.val() {
                    self.state.d.next = EngineState::DoneSt;
                } else {
                    self.state.d.next = EngineState::CopyStart;
                }
            }
            EngineState::SecGo => {
                if !self.sections.busy.val() {
                    self.state.d.next = EngineState::SecWait;
                }
            }
            EngineState::SecWait => {
                if self.sections.done.val() {
                    match self.sec_ret.q.val() {
                        EngineState::AttDone => self.state.d.next = EngineState::AttDone,
                        EngineState::CpRes => self.state.d.next = EngineState::CpRes,
                        EngineState::LgFound => self.state.d.next = EngineState::LgFound,
                        EngineState::SecFin => self.state.d.next = EngineState::SecFin,
                        EngineState::TdEnd => self.state.d.next = EngineState::TdEnd,
                        _ => self.state.d.next = EngineState::Idle,
                    }
                }
            }
            EngineState::SecFin => self.state.d.next = EngineState::DoneSt,
            EngineState::VcPort => {
                self.state.d.next = EngineState::DoneSt;
                if !self.a_ok_q.q.val() {
                } else {
                    self.state.d.next = EngineState::VcPeer;
                }
            }
            EngineState::VcPeer => self.state.d.next = EngineState::SecGo,
            EngineState::LgFound => {
                if self.sections.status.val() != self.k_st_ok.val() {
                    self.state.d.next = EngineState::DoneSt;
                } else {
                    self.state.d.next = EngineState::Snd5;
                }
            }
            EngineState::LgCopied => self.state.d.next = EngineState::PostLoad,
            EngineState::AttDone => {
                if self.sections.status.val() != self.k_st_ok.val() {
                    self.state.d.next = EngineState::DoneSt;
                } else {
                    match self.att_ret.q.val() {
                        EngineState::Rep6 => self.state.d.next = EngineState::Rep6,
                        EngineState::Snd4 => self.state.d.next = EngineState::Snd4,
                        _ => self.state.d.next = EngineState::Idle,
                    }
                }
            }
            EngineState::CopyStart => self.state.d.next = EngineState::Copy,
            EngineState::Copy => {
                if self.copy_quiet_q.q.val() {
                    match self.copy_ret.q.val() {
                        EngineState::DoneSt => self.state.d.next = EngineState::DoneSt,
                        EngineState::LgCopied => self.state.d.next = EngineState::LgCopied,
                        EngineState::Pay1 => self.state.d.next = EngineState::Pay1,
                        _ => self.state.d.next = EngineState::Idle,
                    }
                }
            }
            EngineState::DoneSt => self.state.d.next = EngineState::PostLoad,
            EngineState::PostLoad => self.state.d.next = EngineState::PostLatch,
            EngineState::PostLatch => {
                if self.p_look.q.val() {
                    self.state.d.next = EngineState::PostLook;
                } else if self.p_write.q.val() {
                    self.state.d.next = EngineState::PostAddr;
                } else {
                    self.state.d.next = EngineState::PostStore;
                }
            }
            EngineState::PostLook => self.state.d.next = self.p_to.val(),
            EngineState::PostAddr => self.state.d.next = EngineState::CplSend,
            EngineState::CplSend => {
                if self.cpl_aw_done.q.val() && self.cpl_w_done.q.val() && self.m_axi_bvalid.val() {
                    if self.cpl_rec.q.val() {
                        self.state.d.next = EngineState::CplSend;
                    } else {
                        self.state.d.next = EngineState::PostStore;
                    }
                }
            }
            EngineState::PostStore => {
                if self.p_final.q.val() {
                    self.state.d.next = EngineState::Idle;
                } else {
                    self.state.d.next = self.p_to.val();
                }
            }
            EngineState::CreateLook => self.state.d.next = EngineState::Create0,
            EngineState::Create0 => {
                self.state.d.next = EngineState::DoneSt;
                if self.create_bad_arg.q.val() {
                } else if self.name_hit.q.val() {
                } else if self.name_dir.full.val() || !self.port_alloc.avail.val() {
                } else {
                    self.state.d.next = EngineState::Create1;
                }
            }
            EngineState::Create1 => self.state.d.next = EngineState::DoneSt,
            EngineState::ConnLook => self.state.d.next = EngineState::Conn0,
            EngineState::Conn0 => {
                if self.name_hit.q.val() {
                    self.state.d.next = EngineState::Conn1;
                } else {
                    self.state.d.next = EngineState::DoneSt;
                }
            }
            EngineState::Conn1 => self.state.d.next = EngineState::ConnAcl,
            EngineState::ConnAcl => self.state.d.next = EngineState::Conn2,
            EngineState::Conn2 => {
                self.state.d.next = EngineState::DoneSt;
                if self.conn_restricted.q.val() && !self.acl_hit.q.val() {
                } else if self.len_big_q.q.val() {
                } else if self.a_pending.val() >= self.a_backlog.val() {
                } else if self.own_full_q.q.val() {
                } else {
                    self.state.d.next = EngineState::PostLoad;
                }
            }
            EngineState::Conn3 => {
                self.state.d.next = EngineState::DoneSt;
                if self.t_full_q.q.val() {
                } else if !self.port_alloc.avail.val() {
                } else {
                    self.state.d.next = EngineState::ConnGen;
                }
            }
            EngineState::ConnGen => self.state.d.next = EngineState::Conn4,
            EngineState::Conn4 => self.state.d.next = EngineState::Conn5,
            EngineState::Conn5 => {
                if self.len_nz_q.q.val() {
                    self.state.d.next = EngineState::Pay0;
                } else {
                    self.state.d.next = EngineState::PostLoad;
                }
            }
            EngineState::ConnFin => self.state.d.next = EngineState::PostLoad,
            EngineState::Ans2 => {
                if (self.a_kind.val() != self.k_kind_conn.val()) || !self.a_mine_q.q.val() || self.arg_idx_bad.val() {
                    self.state.d.next = EngineState::DoneSt;
                } else {
                    self.state.d.next = EngineState::Ans3;
                }
            }
            EngineState::Ans3 => self.state.d.next = EngineState::AnsChk,
            EngineState::AnsChk => self.state.d.next = EngineState::Ans4,
            EngineState::Ans4 => {
                self.state.d.next = EngineState::DoneSt;
                if !(self.b_pend_a_q.q.val() && self.b_gen_arg_q.q.val()) {
                } else if self.op_hot.q.val().get_bit(self.k_op_reject.val().index()) {
                    self.state.d.next = EngineState::Ref0;
                } else if self.own_full_q.q.val() {
                } else if !self.port_alloc.avail.val() {
                } else {
                    self.state.d.next = EngineState::Acc5;
                }
            }
            EngineState::Acc5 => self.state.d.next = EngineState::Acc6,
            EngineState::Acc6 => self.state.d.next = EngineState::Acc7,
            EngineState::Acc7 => self.state.d.next = EngineState::PostLoad,
            EngineState::AccFin => self.state.d.next = EngineState::DoneSt,
            EngineState::Ref0 => self.state.d.next = EngineState::PostLoad,
            EngineState::Ref1 => {
                match self.r_ret.q.val() {
                    EngineState::DoneSt => self.state.d.next = EngineState::DoneSt,
                    EngineState::Scan0 => self.state.d.next = EngineState::Scan0,
                    _ => self.state.d.next = EngineState::Idle,
                }
            }
            EngineState::Cr2 => {
                self.state.d.next = EngineState::DoneSt;
                if !self.a_ok_q.q.val() {
                } else {
                    self.state.d.next = EngineState::Cr3;
                }
            }
            EngineState::Cr3 => self.state.d.next = EngineState::Cr4,
            EngineState::Cr4 => self.state.d.next = EngineState::DoneSt,
            EngineState::Allow2 => {
                self.state.d.next = EngineState::DoneSt;
                if (self.a_kind.val() != self.k_kind_conn.val()) || !self.a_mine_q.q.val() {
                } else {
                    self.state.d.next = EngineState::Allow3;
                }
            }
            EngineState::Allow3 => self.state.d.next = EngineState::DoneSt,
            EngineState::Cl2 => {
                if (self.a_kind.val() == self.k_kind_free.val()) || !self.a_mine_q.q.val() {
                    self.state.d.next = EngineState::DoneSt;
                } else if self.a_kind.val() == self.k_kind_conn.val() {
                    self.state.d.next = EngineState::Scan0;
                } else if (self.a_kind.val() == self.k_kind_client.val())
                    && (self.a_state.val() == self.k_state_connecting.val()) {
                    self.state.d.next = EngineState::ClC1;
                } else {
                    self.state.d.next = EngineState::ReqScan0;
                }
            }
            EngineState::ClC1 => self.state.d.next = EngineState::ClC2,
            EngineState::ClC2 => self.state.d.next = EngineState::Ref0,
            EngineState::ClP1 => self.state.d.next = EngineState::ClP2,
            EngineState::ClP2 => self.state.d.next = EngineState::PostLoad,
            EngineState::ClP3 => self.state.d.next = self.close_to.val(),
            EngineState::Scan0 => {
                if self.scan.q.val().get_bit(self.k_scan_end_p.val().index()) {
                    self.state.d.next = EngineState::ScanEnd;
                } else {
                    self.state.d.next = EngineState::Scan1;
                }
            }
            EngineState::Scan1 => self.state.d.next = EngineState::Scan2,
            EngineState::Scan2 => self.state.d.next = EngineState::Scan3,
            EngineState::Scan3 => {
                if self.b_pend_a_q.q.val() {
                    self.state.d.next = EngineState::Ref0;
                } else {
                    self.state.d.next = EngineState::Scan0;
                }
            }
            EngineState::ScanEnd => self.state.d.next = self.close_to.val(),
            EngineState::Snd2 => {
                self.state.d.next = EngineState::DoneSt;
                if !self.a_ok_q.q.val() {
                } else if self.m_large.val() && self.lg_window.outside.val() {
                } else if !self.m_large.val() && self.len_big_q.q.val() {
                } else {
                    self.state.d.next = EngineState::Snd3;
                }
            }
            EngineState::Snd3 => {
                self.state.d.next = EngineState::Snd4;
                if self.m_view.val() {
                    self.state.d.next = EngineState::SecGo;
                }
            }
            EngineState::Snd4 => self.state.d.next = EngineState::PostLoad,
            EngineState::Snd5 => {
                self.state.d.next = EngineState::DoneSt;
                if self.cr_busy.q.val() {
                } else if self.t_full_q.q.val() {
                } else if self.op_hot.q.val().get_bit(self.k_op_request.val().index()) && !self.req_alloc.avail.val() {
                } else if self.m_large.val() && !self.lg_have.q.val() {
                    self.state.d.next = EngineState::SecGo;
                } else if self.op_hot.q.val().get_bit(self.k_op_request.val().index()) {
                    self.state.d.next = EngineState::Snd6;
                } else {
                    self.state.d.next = EngineState::Snd7;
                }
            }
            EngineState::Snd6 => self.state.d.next = EngineState::Snd7,
            EngineState::Snd7 => {
                if self.m_large.val() {
                    self.state.d.next = EngineState::CopyStart;
                } else if self.len_nz_q.q.val() {
                    self.state.d.next = EngineState::Pay0;
                } else {
                    self.state.d.next = EngineState::PostLoad;
                }
            }
            EngineState::Snd8 => {
                if self.op_hot.q.val().get_bit(self.k_op_request.val().index()) {
                    self.state.d.next = EngineState::PostLoad;
                } else {
                    self.state.d.next = EngineState::DoneSt;
                }
            }
            EngineState::Pay0 => self.state.d.next = EngineState::CopyStart,
            EngineState::Pay1 => {
                if self.c_rest_nz.q.val() {
                    self.state.d.next = EngineState::CopyStart;
                } else {
                    self.state.d.next = EngineState::PostLoad;
                }
            }
            EngineState::Rep2 => {
                self.state.d.next = EngineState::DoneSt;
                if !self.a_comm_q.q.val() || !self.a_mine_q.q.val() {
                } else if self.op_hot.q.val().get_bit(self.k_op_cancel.val().index()) {
                    self.state.d.next = EngineState::ReqScan0;
                } else if self.arg_req_bad.val() {
                } else {
                    self.state.d.next = EngineState::Rep3;
                }
            }
            EngineState::Rep3 => self.state.d.next = EngineState::Rep3w,
            EngineState::Rep3w => self.state.d.next = EngineState::Rep4,
            EngineState::Rep4 => {
                self.state.d.next = EngineState::DoneSt;
                if !(self.rq_to_a_q.q.val() && self.rq_gen_q.q.val()) {
                } else if self.len_big_q.q.val() {
                } else {
                    self.state.d.next = EngineState::Rep5;
                }
            }
            EngineState::Rep5 => {
                self.state.d.next = EngineState::Rep6;
                if self.m_view.val() {
                    self.state.d.next = EngineState::SecGo;
                }
            }
            EngineState::Rep6 => self.state.d.next = EngineState::Fin0,
            EngineState::RepEnd => self.state.d.next = EngineState::DoneSt,
            EngineState::Fin0 => self.state.d.next = EngineState::PostLoad,
            EngineState::Fin1 => {
                if self.f_nz.q.val() {
                    self.state.d.next = EngineState::Pay0;
                } else {
                    self.state.d.next = EngineState::PostLoad;
                }
            }
            EngineState::Fin2 => {
                match self.fin_ret.q.val() {
                    EngineState::RScan3 => self.state.d.next = EngineState::RScan3,
                    EngineState::RepEnd => self.state.d.next = EngineState::RepEnd,
                    _ => self.state.d.next = EngineState::Idle,
                }
            }
            EngineState::RScan2 => {
                if self.rq_from_a_q.q.val() {
                    self.state.d.next = EngineState::Fin0;
                } else if self.rq_to_a_q.q.val() {
                    self.state.d.next = EngineState::RScan4;
                } else {
                    self.state.d.next = EngineState::RScan3;
                }
            }
            EngineState::RScan4 => self.state.d.next = EngineState::RScan5,
            EngineState::RScan5 => self.state.d.next = EngineState::Fin0,
            EngineState::RScan3 => self.state.d.next = EngineState::ReqScan0,
            EngineState::RScanEnd => {
                if self.a_state.val() == self.k_state_connected.val() {
                    self.state.d.next = EngineState::ClP1;
                } else {
                    self.state.d.next = EngineState::ClP3;
                }
            }
            EngineState::TdLoad => self.state.d.next = EngineState::ReqScan0,
            EngineState::TdReq2 => self.state.d.next = EngineState::ReqScan0,
            EngineState::TdPort0 => {
                if self.tscan.q.val().get_bit(self.k_scan_end_p.val().index()) {
                    self.state.d.next = EngineState::SecGo;
                } else {
                    self.state.d.next = EngineState::TdPort1;
                }
            }
            EngineState::TdPort1 => self.state.d.next = EngineState::TdPort2,
            EngineState::TdPort2 => {
                if (self.a_kind.val() == self.k_kind_free.val()) || (self.a_owner.val() != self.own_owner.val()) {
                    self.state.d.next = EngineState::TdNext;
                } else if self.a_kind.val() == self.k_kind_conn.val() {
                    self.state.d.next = EngineState::Scan0;
                } else if (self.a_kind.val() == self.k_kind_client.val())
                    && (self.a_state.val() == self.k_state_connecting.val()) {
                    self.state.d.next = EngineState::TdC1;
                } else {
                    self.state.d.next = EngineState::ReqScan0;
                }
            }
            EngineState::TdC1 => self.state.d.next = EngineState::TdC2,
            EngineState::TdC2 => self.state.d.next = EngineState::TdC3,
            EngineState::TdC3 => self.state.d.next = EngineState::TdNext,
            EngineState::TdEnd => self.state.d.next = EngineState::Idle,
            EngineState::TdNext => self.state.d.next = EngineState::TdPort0,
            EngineState::CScan2 => {
                if self.rq_mine_q.q.val() && self.rq_from_a_q.q.val() && self.rq_user_q.q.val() {
                    self.state.d.next = EngineState::Fin0;
                } else {
                    self.state.d.next = EngineState::ReqScan0;
                }
            }
            EngineState::PortRd0 => {
                if self.port_idx_bad.val() {
                    self.state.d.next = EngineState::DoneSt;
                } else {
                    self.state.d.next = EngineState::PortRd1;
                }
            }
            EngineState::PortRd1 => self.state.d.next = EngineState::PortRd2,
            EngineState::PortRd2 => {
                match self.pr_ret.q.val() {
                    EngineState::Allow2 => self.state.d.next = EngineState::Allow2,
                    EngineState::Ans2 => self.state.d.next = EngineState::Ans2,
                    EngineState::Cl2 => self.state.d.next = EngineState::Cl2,
                    EngineState::Cr2 => self.state.d.next = EngineState::Cr2,
                    EngineState::Rep2 => self.state.d.next = EngineState::Rep2,
                    EngineState::Snd2 => self.state.d.next = EngineState::Snd2,
                    EngineState::VcPort => self.state.d.next = EngineState::VcPort,
                    _ => self.state.d.next = EngineState::Idle,
                }
            }
            EngineState::ReqScan0 => {
                if self.rscan.q.val().get_bit(self.k_scan_end_r.val().index()) {
                    match self.rs_end.q.val() {
                        EngineState::CScanEnd => self.state.d.next = EngineState::CScanEnd,
                        EngineState::RScanEnd => self.state.d.next = EngineState::RScanEnd,
                        EngineState::TdReqEnd => self.state.d.next = EngineState::TdReqEnd,
                        _ => self.state.d.next = EngineState::Idle,
                    }
                } else {
                    self.state.d.next = EngineState::ReqScan1;
                }
            }
            EngineState::ReqScan1 => self.state.d.next = EngineState::ReqScan2,
            EngineState::ReqScan2 => {
                match self.rs_ret.q.val() {
                    EngineState::CScan2 => self.state.d.next = EngineState::CScan2,
                    EngineState::RScan2 => self.state.d.next = EngineState::RScan2,
                    EngineState::TdReq2 => self.state.d.next = EngineState::TdReq2,
                    _ => self.state.d.next = EngineState::Idle,
                }
            }
            EngineState::CScanEnd => self.state.d.next = EngineState::DoneSt,
            EngineState::TdReqEnd => self.state.d.next = EngineState::TdPort0,
            _ => self.state.d.next = EngineState::Idle,
        }
        // What each state does (its next state is in the match above).
        match self.state_dp.q.val() {
            EngineState::Idle => {
                self.cpl_aw_done.d.next = false;
                self.cpl_w_done.d.next = false;
                // The grant is latched; the context tables are read from the
                // latched context next cycle (the arbiters' priority search
                // and the tables' read are not one path).
                if !self.was_idle.q.val() {
                    // The choices were made before Idle: wait for fresh ones.
                } else if self.tear_v_q.q.val() {
                    // A process died: close what it owned, before its reset.
                    self.ctx.d.next = self.tear_g_q.q.val();
                    self.died.d.next = true;
                    self.close_ret.d.next = EngineState::TdNext;
                } else if self.init_v_q.q.val() {
                    self.ctx.d.next = self.init_g_q.q.val();
                } else if self.enable.val() && self.db_v_q.q.val() {
                    self.ctx.d.next = self.db_g_q.q.val();
                    self.db_claim.d.next = true;
                }
            }
            EngineState::LoadAddr => {
                // The pending bit is cleared on `db_claim`, after this match.
                self.load_now.d.next = true;
            }
            EngineState::Sweep => {
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::Sweep;
                self.pw_addr.d.next = self.sweep.q.val().get_bits::<PB>(0);
                if self.sweep.q.val() < self.k_contexts.val() {
                    self.resv_wr_en.next = true;
                    self.resv_wr_ctx.next = self.sweep.q.val().get_bits::<CB>(0);
                }
                // Requests too: a warm reset restarts the allocators, so no
                // entry may stay live.
                if self.sweep.q.val() < self.k_requests.val() {
                    self.reqs.write_enable.next = true;
                    self.reqs.write_address.next = self.sweep.q.val().get_bits::<RB>(0);
                    self.rw_clear.next = true;
                    self.rw_gen.next = 0.into();
                }
                self.sweep.d.next = self.sweep.q.val() + 1;
            }
            EngineState::Init => {
                self.init_clear_en.next = true;
                self.st_wr_en.next = true;
                self.st_wr_ctx.next = self.ctx.q.val();
                self.st_wr_sq_head.next = 0.into();
                self.st_wr_cq_tail.next = 0.into();
                self.st_wr_phase.next = self.k_initial_phase.val();
                self.resv_wr_en.next = true;
                self.resv_wr_ctx.next = self.ctx.q.val();
            }
            EngineState::Check => {
                if !self.enabled.q.val()
                    || self.init_hit_q.q.val()
                    || self.sq_empty_q.q.val() {
                } else if self.own_full_q.q.val() {
                } else {
                    // Claim the slot of this descriptor's completion.
                    self.resv_wr_en.next = true;
                    self.resv_wr_ctx.next = self.ctx.q.val();
                    self.resv_wr_data.next = self.own_resv.q.val() + 1;
                    self.own_resv.d.next = self.own_resv.q.val() + 1;
                }
            }
            EngineState::FetchAddr => {
                self.m_axi_arid.next = self.k_id_queue.val();
                self.m_axi_araddr.next = self.sq_base.q.val()
                    + (bit_cast::<64, 16>(self.sq_head.q.val()) << self.k_desc_shift.val());
                self.m_axi_arlen.next = self.k_desc_arlen.val();
                self.m_axi_arvalid.next = true;
                self.beat.d.next = 0.into();
                self.rd_err.d.next = false;
                self.wr_err.d.next = false;
            }
            EngineState::FetchData => {
                self.m_axi_rready.next = true;
                if self.m_axi_rvalid.val() {
                    self.beat.d.next = self.beat.q.val() + 1;
                    if self.beat.q.val() == 0 {
                        self.d_opcode.d.next = self
                            .m_axi_rdata
                            .val()
                            .get_bits::<8>(self.k_f_opcode.val().index());
                        self.d_flags.d.next = self
                            .m_axi_rdata
                            .val()
                            .get_bits::<8>(self.k_f_flags.val().index());
                        self.d_resv.d.next = self
                            .m_axi_rdata
                            .val()
                            .get_bits::<16>(self.k_f_resv.val().index());
                        self.d_len.d.next = self
                            .m_axi_rdata
                            .val()
                            .get_bits::<32>(self.k_f_len.val().index());
                        self.d_user.d.next = self
                            .m_axi_rdata
                            .val()
                            .get_bits::<64>(self.k_f_user.val().index());
                    }
                    if self.beat.q.val() == self.k_beat_src.val() {
                        self.d_src.d.next = self
                            .m_axi_rdata
                            .val()
                            .get_bits::<64>(self.k_f_src.val().index());
                        self.d_dst.d.next = self
                            .m_axi_rdata
                            .val()
                            .get_bits::<64>(self.k_f_dst.val().index());
                    }
                    if self.desc_beat_bad.val() {
                        self.rd_err.d.next = true;
                    }
                    if self.m_axi_rlast.val() {
                        self.decoding.d.next = true;
                        // `rd_err` and `beat` as they will be in Decode.
                        self.desc_short.d.next = self.rd_err.q.val()
                            || self.desc_beat_bad.val()
                            || ((self.beat.q.val() + 1) <= self.k_beat_src.val());
                    }
                }
            }
            EngineState::CpSide => {
                if self.cp_view.val() {
                    self.sx_op.d.next = self.k_sx_resolve.val();
                    self.sx_handle.d.next = self.cp_addr.val().get_bits::<32>(32);
                    self.sx_off.d.next = self.cp_addr.val().get_bits::<32>(0);
                    self.sx_len.d.next = self.d_len.q.val();
                    if self.cp_side.q.val() {
                        self.sx_rights.d.next = self.k_access_write.val();
                    } else {
                        self.sx_rights.d.next = self.k_access_read.val();
                    }
                    self.sec_ret.d.next = EngineState::CpRes;
                }
            }
            EngineState::CpAct => {
                // c_dst and c_src are read only by a copy's start (and
                // Pay1), so they load whatever the verdict: the verdict
                // steers the state alone, not the 64-bit loads (timing: the
                // loads' enables were the worst path at a7c4b90). Likewise
                // in CpRes, and the payload's destination in Conn5, Snd7
                // and Fin1 loads whether or not there is a payload.
                if self.cp_side.q.val() {
                    self.c_dst.d.next = self.d_dst.q.val();
                } else {
                    self.c_src.d.next = self.d_src.q.val();
                }
                if self.cp_window.outside.val() {
                    self.status.d.next = self.k_st_bad_address.val();
                }
            }
            EngineState::CpRes => {
                if self.cp_side.q.val() {
                    self.c_dst.d.next = self.sections.out_addr.val();
                } else {
                    self.c_src.d.next = self.sections.out_addr.val();
                }
                if self.sections.status.val() != self.k_st_ok.val() {
                    self.status.d.next = self.sections.status.val();
                }
            }
            EngineState::CpNext => {
                self.status.d.next = self.k_st_ok.val();
                if !self.cp_side.q.val() {
                    self.cp_side.d.next = true;
                } else if !self.len_nz_q.q.val() {
                } else {
                    self.c_len.d.next = self.d_len.q.val();
                    self.copy_ret.d.next = EngineState::DoneSt;
                    self.copy_go.d.next = true;
                }
            }
            EngineState::SecFin => {
                self.status.d.next = self.sections.status.val();
                if (self.op_hot.q.val().get_bit(self.k_op_sec_create.val().index()))
                    || (self.op_hot.q.val().get_bit(self.k_op_view_create.val().index()))
                    || (self.op_hot.q.val().get_bit(self.k_op_post.val().index())) {
                    self.cpl_port.d.next = self.sections.out_handle.val();
                }
            }
            EngineState::VcPort => {
                if !self.a_ok_q.q.val() {
                    self.status.d.next = self.a_link_q.q.val();
                }
            }
            EngineState::VcPeer => {
                self.b_e.d.next = self.ports.read_data.val();
                self.sx_op.d.next = self.k_sx_view_create.val();
                self.sx_handle.d.next = self.d_src.q.val().get_bits::<32>(32);
                self.sx_off.d.next = self.d_dst.q.val().get_bits::<32>(0);
                self.sx_rights.d.next = bit_cast::<64, 32>(self.d_dst.q.val().get_bits::<32>(32));
                self.sx_len.d.next = self.d_len.q.val();
                self.sx_grantee.d.next = self.ports.read_data.val().get_bits::<8>(self.k_pe_owner.val().index());
                self.sx_port.d.next = bit_cast::<16, PB>(self.a_idx.q.val());
                self.sx_posted.d.next = self.is_post.q.val();
                if self.is_post.q.val() {
                    // POST_BUFFER: a write grant to itself, marked posted.
                    self.sx_grantee.d.next = bit_cast::<8, CB>(self.ctx.q.val());
                    self.sx_rights.d.next = self.k_access_write.val();
                }
                self.sec_ret.d.next = EngineState::SecFin;
            }
            EngineState::LgFound => {
                if self.sections.status.val() != self.k_st_ok.val() {
                    // No buffer posted that is large enough.
                    self.status.d.next = self.sections.status.val();
                } else {
                    self.vrec_iova.d.next = self.sections.out_addr.val();
                    self.vrec_len.d.next = self.sections.out_len.val();
                    self.vrec_handle.d.next = self.sections.out_handle.val();
                    self.vrec_access.d.next = self.sections.out_access.val();
                    self.lg_have.d.next = true;
                }
            }
            EngineState::LgCopied => {
                // A copy the bus refused is reported to the receiver.
                self.e_status.d.next = self.status.q.val();
            }
            EngineState::AttDone => {
                if self.sections.status.val() != self.k_st_ok.val() {
                    self.status.d.next = self.sections.status.val();
                } else {
                    self.vrec_iova.d.next = self.sections.out_addr.val();
                    self.vrec_len.d.next = self.sections.out_len.val();
                    self.vrec_handle.d.next = self.sections.out_handle.val();
                    self.vrec_access.d.next = self.sections.out_access.val();
                }
            }
            EngineState::Copy => {
                // The copy's datapath is after this match, on `copying`
                // and the handshakes, not on this state's decode.
                // Done once every byte is written and every write acknowledged.
                if self.copy_quiet_q.q.val() {
                    self.copying.d.next = false;
                    if self.wr_err.q.val() {
                        self.status.d.next = self.k_st_write_error.val();
                    } else if self.rd_err.q.val() {
                        self.status.d.next = self.k_st_read_error.val();
                    } else {
                        self.status.d.next = self.k_st_ok.val();
                        self.result.d.next = self.c_len.q.val();
                    }
                }
            }
            // ---- posting a completion entry into a context's ring ----
            EngineState::DoneSt => {
                self.t_ctx.d.next = self.ctx.q.val();
                self.ef_op.d.next = CplFill::Done;
                self.e_ident.d.next = 0.into();
                self.e_result.d.next = self.result.q.val();
                self.e_rq.d.next = 0.into();
                self.e_kind.d.next = self.cpl_kind.q.val();
                self.e_status.d.next = self.status.q.val();
                self.p_write.d.next = true;
                self.p_final.d.next = true;
                // No return (p_final), and no lookup (p_look follows p_ret).
                self.p_ret.d.next = EngineState::Idle;
            }
            EngineState::PostLoad => {
                self.rd_ctx.next = self.t_ctx.q.val();
                self.latch_now.d.next = true;
            }
            EngineState::PostLatch => {
                // The target ring's state loads after this match, on
                // `latch_now`.
                self.cpl_aw_done.d.next = false;
                self.cpl_w_done.d.next = false;
                self.cpl_beat.d.next = false;
                if self.p_look.q.val() {
                } else if self.p_write.q.val() {
                } else {
                    self.storing.d.next = true;
                }
            }
            EngineState::PostAddr => {
                // A message with a view: its record goes first.
                self.cpl_rec.d.next = self.e_view.q.val();
                self.cpl_sending.d.next = true;
            }
            EngineState::CplSend => {
                // The AW and W lanes are after this match, on
                // `cpl_sending`; here the beat flags and the exit.
                if self.m_axi_awready.val() {
                    self.cpl_aw_done.d.next = true;
                }
                if self.m_axi_wready.val() && !self.cpl_w_done.q.val() {
                    if self.cpl_beat.q.val() {
                        self.cpl_w_done.d.next = true;
                    } else {
                        self.cpl_beat.d.next = true;
                    }
                }
                // The response, once address and both beats are out (their
                // flags registered): the state leaves on BVALID and flip-flops
                // alone, not on this cycle's AWREADY and WREADY (timing: that
                // decision was seed 2's worst path at d696d2b). A response
                // comes a cycle or more after the last beat, through the
                // slices, so no cycle is lost.
                if self.cpl_aw_done.q.val() && self.cpl_w_done.q.val() && self.m_axi_bvalid.val() {
                    if self.cpl_rec.q.val() {
                        // The record is written: now the entry that announces it.
                        if self.m_axi_bresp.val() != 0 {
                            self.e_status.d.next = self.k_st_write_error.val();
                        }
                        self.cpl_rec.d.next = false;
                        self.cpl_aw_done.d.next = false;
                        self.cpl_w_done.d.next = false;
                        self.cpl_beat.d.next = false;
                    } else {
                        self.cpl_sending.d.next = false;
                        self.storing.d.next = true;
                    }
                }
            }
            EngineState::Create0 => {
                if self.create_bad_arg.q.val() {
                    self.status.d.next = self.k_st_bad_argument.val();
                } else if self.name_hit.q.val() {
                    self.status.d.next = self.k_st_name_exists.val();
                } else if self.name_dir.full.val() || !self.port_alloc.avail.val() {
                    self.status.d.next = self.k_st_no_resources.val();
                } else {
                    self.port_alloc.take.next = true;
                    self.new_idx.d.next = self.port_alloc.index.val();
                    self.new_fresh.d.next = self.port_alloc.fresh.val();
                }
            }
            EngineState::Create1 => {
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::NewServer;
                self.pw_addr.d.next = self.new_idx.q.val();
                self.new_gen_q.d.next = self.new_gen.val();
                self.cam_insert.d.next = true;
                self.restricted.write_enable.next = true;
                self.window.write_enable.next = true;
                self.cpl_port.d.next =
                    (bit_cast::<32, 16>(self.new_gen.val()) << 16) | bit_cast::<32, PB>(self.new_idx.q.val());
                self.status.d.next = self.k_st_ok.val();
            }
            EngineState::Conn0 => {
                if self.name_hit.q.val() {
                    self.a_idx.d.next = self.name_port.q.val();
                } else {
                    self.status.d.next = self.k_st_no_such_name.val();
                }
            }
            EngineState::Conn1 => {
                self.a_e.d.next = self.ports.read_data.val();
                self.conn_restricted.d.next = self.restricted.read_data.val();
            }
            EngineState::Conn2 => {
                if self.conn_restricted.q.val() && !self.acl_hit.q.val() {
                    // Not on the access list: the server never hears of it.
                    self.status.d.next = self.k_st_access_denied.val();
                } else if self.len_big_q.q.val() {
                    self.status.d.next = self.k_st_too_large.val();
                } else if self.a_pending.val() >= self.a_backlog.val() {
                    self.status.d.next = self.k_st_backlog_full.val();
                } else if self.own_full_q.q.val() {
                    // The client port's PORT_CLOSED notice needs a slot.
                    self.status.d.next = self.k_st_no_resources.val();
                } else {
                    // Look at the server's ring before touching anything.
                    self.t_ctx.d.next = bit_cast::<CB, 8>(self.a_owner.val());
                    self.p_ret.d.next = EngineState::Conn3;
                }
            }
            EngineState::Conn3 => {
                if self.t_full_q.q.val() {
                    self.status.d.next = self.k_st_receiver_busy.val();
                } else if !self.port_alloc.avail.val() {
                    self.status.d.next = self.k_st_no_resources.val();
                } else {
                    self.port_alloc.take.next = true;
                    self.new_idx.d.next = self.port_alloc.index.val();
                    self.new_fresh.d.next = self.port_alloc.fresh.val();
                }
            }
            EngineState::Conn4 => {
                self.new_gen_q.d.next = self.new_gen.val();
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::NewClient;
                self.pw_addr.d.next = self.new_idx.q.val();
            }
            EngineState::Conn5 => {
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::PendIncA;
                self.ef_op.d.next = CplFill::Connect;
                self.e_ident.d.next = self.own_ident.q.val();
                self.e_kind.d.next = self.k_ev_conn_request.val();
                self.e_status.d.next = self.k_st_ok.val();
                self.e_result.d.next = self.d_len.q.val();
                self.p_write.d.next = true;
                self.p_final.d.next = false;
                self.p_inc.d.next = false;
                self.p_ret.d.next = EngineState::ConnFin;
                // The connection message goes into the server's buffer first.
                self.c_dst.d.next = self.t_buf_q.q.val();
                if self.len_nz_q.q.val() {
                    self.e_rq.d.next = self.t_cq_tail.q.val();
                    self.paying.d.next = true;
                }
            }
            EngineState::ConnFin => {
                // Consumed without a completion: its slot stays reserved for
                // the CONNECTION_REPLY, and one more for the port's notice.
                self.t_ctx.d.next = self.ctx.q.val();
                self.status.d.next = self.k_st_ok.val();
                self.p_write.d.next = false;
                self.p_final.d.next = true;
                self.p_inc.d.next = true;
            }
            // ---- ACCEPT / REJECT ----
            EngineState::Ans2 => {
                if (self.a_kind.val() != self.k_kind_conn.val()) || !self.a_mine_q.q.val() || self.arg_idx_bad.val() {
                    self.status.d.next = self.k_st_bad_handle.val();
                } else {
                    self.b_idx.d.next = self.d_src.q.val().get_bits::<PB>(32);
                }
            }
            EngineState::Ans3 => self.b_e.d.next = self.ports.read_data.val(),
            EngineState::Ans4 => {
                if !(self.b_pend_a_q.q.val() && self.b_gen_arg_q.q.val()) {
                    self.status.d.next = self.k_st_bad_handle.val();
                } else if self.op_hot.q.val().get_bit(self.k_op_reject.val().index()) {
                    self.pw_en.d.next = true;
                    self.pw_op.d.next = PortWrite::PendDecA;
                    self.status.d.next = self.k_st_ok.val();
                    self.r_status.d.next = self.k_st_refused.val();
                    self.r_ret.d.next = EngineState::DoneSt;
                } else if self.own_full_q.q.val() {
                    // The server port's PORT_CLOSED notice needs a slot.
                    self.status.d.next = self.k_st_no_resources.val();
                } else if !self.port_alloc.avail.val() {
                    self.status.d.next = self.k_st_no_resources.val();
                } else {
                    self.port_alloc.take.next = true;
                    self.new_idx.d.next = self.port_alloc.index.val();
                    self.new_fresh.d.next = self.port_alloc.fresh.val();
                }
            }
            EngineState::Acc5 => {
                self.new_gen_q.d.next = self.new_gen.val();
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::NewConn;
                self.pw_addr.d.next = self.new_idx.q.val();
                // A server port sends without a window.
                self.credits.write_enable.next = true;
                self.credits.write_address.next = self.new_idx.q.val();
                self.credits.write_data.next = 0.into();
            }
            EngineState::Acc6 => {
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::PendDecA;
            }
            EngineState::Acc7 => {
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::ConnectB;
                self.pw_addr.d.next = self.b_idx.q.val();
                // The client port starts with its connection port's window.
                self.credits.write_enable.next = true;
                self.credits.write_address.next = self.b_idx.q.val();
                self.credits.write_data.next = self.win_credits.q.val();
                self.t_ctx.d.next = bit_cast::<CB, 8>(self.b_owner.val());
                self.ef_op.d.next = CplFill::PeerB;
                self.e_ident.d.next = self.own_ident.q.val();
                self.e_result.d.next = 0.into();
                self.e_kind.d.next = self.k_ev_conn_reply.val();
                self.e_status.d.next = self.k_st_ok.val();
                self.p_write.d.next = true;
                self.p_final.d.next = false;
                self.p_inc.d.next = false;
                self.p_ret.d.next = EngineState::AccFin;
            }
            EngineState::AccFin => {
                self.status.d.next = self.k_st_ok.val();
                self.cpl_port.d.next = self.new_handle.val();
                self.p_inc.d.next = true; // the server port's notice slot
            }
            // ---- refusing a pending connect (port B) ----
            EngineState::Ref0 => {
                self.t_ctx.d.next = bit_cast::<CB, 8>(self.b_owner.val());
                self.ef_op.d.next = CplFill::Refuse;
                self.e_ident.d.next = 0.into();
                self.e_result.d.next = 0.into();
                self.e_kind.d.next = self.k_ev_conn_reply.val();
                self.e_status.d.next = self.r_status.q.val();
                self.p_write.d.next = true;
                self.p_final.d.next = false;
                self.p_inc.d.next = false;
                self.p_ret.d.next = EngineState::Ref1;
            }
            EngineState::Ref1 => {
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::FreeB;
                self.pw_addr.d.next = self.b_idx.q.val();
                self.port_alloc.free_en.next = true;
                self.port_alloc.free_index.next = self.b_idx.q.val();
                self.p_inc.d.next = false;
            }
            // ---- CREDIT ----
            EngineState::Cr2 => {
                if !self.a_ok_q.q.val() {
                    self.status.d.next = self.a_link_q.q.val();
                }
            }
            EngineState::Cr4 => {
                self.status.d.next = self.k_st_ok.val();
                if self.cr_win.q.val() {
                    self.credits.write_enable.next = true;
                    self.credits.write_address.next = self.a_peer.val().get_bits::<PB>(0);
                    if self.cr_over.val() {
                        self.credits.write_data.next =
                            bit_cast::<9, 33>(self.k_max_window.val()) | (bit_cast::<9, 1>(true.into()) << 8);
                    } else {
                        self.credits.write_data.next = self.cr_sum.val() | (bit_cast::<9, 1>(true.into()) << 8);
                    }
                }
            }
            // ---- ALLOW ----
            EngineState::Allow2 => {
                if (self.a_kind.val() != self.k_kind_conn.val()) || !self.a_mine_q.q.val() {
                    self.status.d.next = self.k_st_bad_handle.val();
                }
            }
            EngineState::Allow3 => {
                self.status.d.next = self.k_st_ok.val();
                if !self.restricted_q.q.val() {
                    self.status.d.next = self.k_st_bad_argument.val();
                } else if self.acl_hit.q.val() {
                    // Already listed.
                } else if self.acl.full.val() {
                    self.status.d.next = self.k_st_no_resources.val();
                } else {
                    self.acl_insert.d.next = true;
                }
            }
            // ---- CLOSE ----
            EngineState::Cl2 => {
                if (self.a_kind.val() == self.k_kind_free.val()) || !self.a_mine_q.q.val() {
                    self.status.d.next = self.k_st_bad_handle.val();
                } else if self.a_kind.val() == self.k_kind_conn.val() {
                    self.cam_remove.d.next = true;
                    self.scan.d.next = 0.into();
                } else if (self.a_kind.val() == self.k_kind_client.val())
                    && (self.a_state.val() == self.k_state_connecting.val()) {
                    // Withdrawing a connect: refuse it with PORT_CLOSED.
                    self.b_e.d.next = self.a_e.q.val();
                    self.b_idx.d.next = self.a_idx.q.val();
                } else {
                    // Requests on the connection complete first.
                    self.rscan.d.next = 0.into();
                    self.rs_ret.d.next = EngineState::RScan2;
                    self.rs_end.d.next = EngineState::RScanEnd;
                }
            }
            EngineState::ClC1 => {
                self.a_e.d.next = self.ports.read_data.val();
                self.a_idx.d.next = self.b_peer.val().get_bits::<PB>(0);
            }
            EngineState::ClC2 => {
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::PendDecA;
                self.status.d.next = self.k_st_ok.val();
                self.r_status.d.next = self.k_st_port_closed.val();
                self.r_ret.d.next = EngineState::DoneSt;
            }
            EngineState::ClP1 => self.b_e.d.next = self.ports.read_data.val(),
            EngineState::ClP2 => {
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::PeerClosedB;
                self.pw_addr.d.next = self.b_idx.q.val();
                self.t_ctx.d.next = bit_cast::<CB, 8>(self.b_owner.val());
                self.ef_op.d.next = CplFill::PeerB;
                self.e_ident.d.next = self.own_ident.q.val();
                self.e_result.d.next = 0.into();
                self.e_kind.d.next = self.k_ev_port_closed.val();
                if self.died.q.val() {
                    self.e_status.d.next = self.k_st_peer_closed.val(); // ALPC's CLIENT_DIED
                } else {
                    self.e_status.d.next = self.k_st_ok.val();
                }
                self.p_write.d.next = true;
                self.p_final.d.next = false;
                self.p_inc.d.next = false;
                self.p_ret.d.next = EngineState::ClP3;
            }
            EngineState::ClP3 => {
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::FreeA;
                self.port_alloc.free_en.next = true;
                // This descriptor's slot, and the port's own notice slot
                // unless its PORT_CLOSED notice was delivered into it already.
                if self.a_state.val() == self.k_state_connected.val() {
                    self.own_dec.d.next = 2.into();
                }
                self.status.d.next = self.k_st_ok.val();
            }
            EngineState::Scan0 => {
                if self.scan.q.val().get_bit(self.k_scan_end_p.val().index()) {
                } else {
                    self.b_idx.d.next = self.scan.q.val().get_bits::<PB>(0);
                }
            }
            EngineState::Scan1 => self.b_e.d.next = self.ports.read_data.val(),
            EngineState::Scan3 => {
                self.scan.d.next = self.scan.q.val() + 1;
                if self.b_pend_a_q.q.val() {
                    self.r_status.d.next = self.k_st_refused.val();
                    self.r_ret.d.next = EngineState::Scan0;
                }
            }
            EngineState::ScanEnd => {
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::FreeA;
                self.port_alloc.free_en.next = true;
                self.status.d.next = self.k_st_ok.val();
            }
            // ---- DATAGRAM / REQUEST ----
            EngineState::Snd2 => {
                if !self.a_ok_q.q.val() {
                    self.status.d.next = self.a_link_q.q.val();
                } else if self.m_large.val() && self.lg_window.outside.val() {
                    // A large message's bytes must be the sender's.
                    self.status.d.next = self.k_st_bad_address.val();
                } else if !self.m_large.val() && self.len_big_q.q.val() {
                    self.status.d.next = self.k_st_too_large.val();
                } else {
                    self.b_idx.d.next = self.a_peer.val().get_bits::<PB>(0);
                }
            }
            EngineState::Snd3 => {
                self.b_e.d.next = self.ports.read_data.val();
                if self.m_view.val() {
                    // The view it carries: granted by us, through this port, to the peer's context.
                    self.sx_op.d.next = self.k_sx_attach.val();
                    self.sx_handle.d.next = self.d_dst.q.val().get_bits::<32>(0);
                    self.sx_len.d.next = self.d_len.q.val();
                    self.sx_port.d.next = bit_cast::<16, PB>(self.a_idx.q.val());
                    self.sx_grantee.d.next = self.ports.read_data.val().get_bits::<8>(self.k_pe_owner.val().index());
                    self.sec_ret.d.next = EngineState::AttDone;
                    self.att_ret.d.next = EngineState::Snd4;
                }
            }
            EngineState::Snd4 => {
                self.t_ctx.d.next = bit_cast::<CB, 8>(self.b_owner.val());
                self.p_ret.d.next = EngineState::Snd5;
            }
            EngineState::Snd5 => {
                // A request's slot: taken exactly when the chain below ends
                // in Snd6.
                if self.snd_take_q.q.val()
                    && !self.t_full_q.q.val()
                    && (!self.m_large.val() || self.lg_have.q.val()) {
                    self.req_alloc.take.next = true;
                    self.new_req.d.next = self.req_alloc.index.val();
                    self.new_req_fresh.d.next = self.req_alloc.fresh.val();
                    self.reqs.read_address.next = self.req_alloc.index.val();
                }
                if self.cr_busy.q.val() {
                    // The connection's window is used up.
                    self.status.d.next = self.k_st_receiver_busy.val();
                } else if self.t_full_q.q.val() {
                    self.status.d.next = self.k_st_receiver_busy.val();
                } else if self.op_hot.q.val().get_bit(self.k_op_request.val().index()) && !self.req_alloc.avail.val() {
                    self.status.d.next = self.k_st_no_resources.val();
                } else if self.m_large.val() && !self.lg_have.q.val() {
                    // A large message: use up a buffer posted on the peer
                    // port (only now that nothing else can refuse it).
                    self.sx_op.d.next = self.k_sx_find.val();
                    self.sx_port.d.next = bit_cast::<16, PB>(self.b_idx.q.val());
                    self.sx_grantee.d.next = self.b_owner.val();
                    self.sx_len.d.next = self.d_len.q.val();
                    self.sec_ret.d.next = EngineState::LgFound;
                }
            }
            EngineState::Snd6 => {
                self.new_req_gen_q.d.next = self.new_req_gen.val();
                self.reqs.write_enable.next = true;
                self.reqs.write_address.next = self.new_req.q.val();
                self.rw_gen.next = self.new_req_gen.val();
                self.rw_requester.next = self.own_owner.val();
                self.rw_from.next = bit_cast::<16, PB>(self.a_idx.q.val());
                self.rw_to.next = bit_cast::<16, PB>(self.b_idx.q.val());
                self.rw_user.next = self.d_user.q.val();
            }
            EngineState::Snd7 => {
                // Delivered: one credit of a windowed connection used.
                if self.cr_win.q.val() {
                    self.credits.write_enable.next = true;
                    self.credits.write_data.next = self.cr_dec.q.val();
                }
                self.ef_op.d.next = CplFill::Deliver;
                if self.op_hot.q.val().get_bit(self.k_op_request.val().index()) {
                    self.e_kind.d.next = self.k_ev_request.val();
                } else {
                    self.e_kind.d.next = self.k_ev_datagram.val();
                }
                self.e_ident.d.next = self.own_ident.q.val();
                self.e_result.d.next = self.d_len.q.val();
                self.e_status.d.next = self.k_st_ok.val();
                self.e_view.d.next = self.m_view.val();
                self.p_write.d.next = true;
                self.p_final.d.next = false;
                self.p_inc.d.next = false;
                self.p_ret.d.next = EngineState::Snd8;
                self.c_dst.d.next = self.t_buf_q.q.val();
                if self.m_large.val() {
                    // Mode 3: the bytes go by DMA into the posted buffer.
                    self.e_view.d.next = true;
                    self.e_large.d.next = true;
                    self.e_rq.d.next = 0.into();
                    self.c_src.d.next = self.d_dst.q.val();
                    self.c_dst.d.next = self.vrec_iova.q.val();
                    self.c_len.d.next = self.d_len.q.val();
                    self.copy_ret.d.next = EngineState::LgCopied;
                    self.copy_go.d.next = true;
                } else if self.len_nz_q.q.val() {
                    self.e_rq.d.next = self.t_cq_tail.q.val();
                    self.paying.d.next = true;
                }
            }
            EngineState::Snd8 => {
                // (The payload copy left its own status and length behind.)
                self.status.d.next = self.k_st_ok.val();
                self.result.d.next = 0.into();
                if self.op_hot.q.val().get_bit(self.k_op_request.val().index()) {
                    // Consumed; its CQ slot stays reserved for the REPLY.
                    self.t_ctx.d.next = self.ctx.q.val();
                    self.p_write.d.next = false;
                    self.p_final.d.next = true;
                    self.p_inc.d.next = false;
                }
            }
            // ---- inline payload: own SQ -> c_dst, in up to two segments ----
            EngineState::Pay1 => {
                if self.c_rest_nz.q.val() {
                    self.c_src.d.next = self.sq_base.q.val();
                    self.c_dst.d.next = self.c_dst.q.val() + bit_cast::<64, 32>(self.c_len.q.val());
                    self.c_len.d.next = self.c_rest.q.val();
                    self.c_rest.d.next = 0.into();
                    self.c_rest_nz.d.next = false;
                    self.copy_go.d.next = true;
                } else {
                    // A payload the bus refused is reported to its receiver.
                    self.e_status.d.next = self.status.q.val();
                }
            }
            // ---- REPLY / CANCEL ----
            EngineState::Rep2 => {
                if !self.a_comm_q.q.val() || !self.a_mine_q.q.val() {
                    self.status.d.next = self.k_st_bad_handle.val();
                } else if self.op_hot.q.val().get_bit(self.k_op_cancel.val().index()) {
                    // The requester names its request by the user data it
                    // sent it with: look for it.
                    self.rscan.d.next = 0.into();
                    self.rs_ret.d.next = EngineState::CScan2;
                    self.rs_end.d.next = EngineState::CScanEnd;
                } else if self.arg_req_bad.val() {
                    self.status.d.next = self.k_st_bad_reply.val();
                } else {
                    self.r_idx.d.next = self.d_src.q.val().get_bits::<RB>(32);
                }
            }
            EngineState::Rep3 => {
                // (REPLY only.)
                self.r_e.d.next = self.reqs.read_data.val();
            }
            EngineState::Rep4 => {
                // Only the port the request was delivered to may answer it.
                if !(self.rq_to_a_q.q.val() && self.rq_gen_q.q.val()) {
                    self.status.d.next = self.k_st_bad_reply.val();
                } else if self.len_big_q.q.val() {
                    self.status.d.next = self.k_st_too_large.val();
                } else {
                    self.f_status.d.next = self.k_st_ok.val();
                    self.f_ident.d.next = self.own_ident.q.val();
                    self.f_len.d.next = self.d_len.q.val();
                    self.b_idx.d.next = self.r_from.val().get_bits::<PB>(0);
                }
            }
            EngineState::Rep5 => {
                self.b_e.d.next = self.ports.read_data.val();
                if self.m_view.val() {
                    // The requester's port: its owner must be the view's grantee.
                    self.sx_op.d.next = self.k_sx_attach.val();
                    self.sx_handle.d.next = self.d_dst.q.val().get_bits::<32>(0);
                    self.sx_len.d.next = self.d_len.q.val();
                    self.sx_port.d.next = bit_cast::<16, PB>(self.a_idx.q.val());
                    self.sx_grantee.d.next = self.ports.read_data.val().get_bits::<8>(self.k_pe_owner.val().index());
                    self.sec_ret.d.next = EngineState::AttDone;
                    self.att_ret.d.next = EngineState::Rep6;
                }
            }
            EngineState::Rep6 => {
                self.f_port.d.next = self.b_handle.val();
                self.fin_ret.d.next = EngineState::RepEnd;
            }
            EngineState::RepEnd => {
                self.status.d.next = self.k_st_ok.val();
                self.result.d.next = 0.into();
            }
            // ---- finishing request R: its REPLY to the requester ----
            EngineState::Fin0 => {
                self.t_ctx.d.next = bit_cast::<CB, 8>(self.r_requester.val());
                self.p_ret.d.next = EngineState::Fin1;
            }
            EngineState::Fin1 => {
                self.ef_op.d.next = CplFill::Finish;
                self.e_ident.d.next = self.f_ident.q.val();
                self.e_result.d.next = self.f_len.q.val();
                self.e_kind.d.next = self.k_ev_reply.val();
                self.e_status.d.next = self.f_status.q.val();
                // Only a REPLY's own finish is OK; it may carry a view.
                self.e_view.d.next = self.m_view.val() && (self.f_status.q.val() == self.k_st_ok.val());
                self.p_write.d.next = true;
                self.p_final.d.next = false;
                self.p_inc.d.next = false;
                self.p_ret.d.next = EngineState::Fin2;
                self.c_dst.d.next = self.t_buf_q.q.val();
                if self.f_nz.q.val() {
                    self.e_rq.d.next = self.t_cq_tail.q.val();
                    self.paying.d.next = true;
                } else {
                    self.e_rq.d.next = 0.into();
                }
            }
            EngineState::Fin2 => {
                self.reqs.write_enable.next = true;
                self.rw_clear.next = true;
                self.rw_gen.next = self.r_gen_next.val();
                self.req_alloc.free_en.next = true;
            }
            // ---- CLOSE of a communication port: its requests first ----
            EngineState::RScan2 => {
                if self.rq_from_a_q.q.val() {
                    // One of ours: it completes PORT_CLOSED.
                    self.f_status.d.next = self.k_st_port_closed.val();
                    self.f_ident.d.next = 0.into();
                    self.f_len.d.next = 0.into();
                    self.f_port.d.next = self.a_handle.val();
                    self.fin_ret.d.next = EngineState::RScan3;
                } else if self.rq_to_a_q.q.val() {
                    // Sent to us: its requester learns PEER_CLOSED.
                    self.f_status.d.next = self.k_st_peer_closed.val();
                    self.f_ident.d.next = self.own_ident.q.val();
                    self.f_len.d.next = 0.into();
                    self.b_idx.d.next = self.r_from.val().get_bits::<PB>(0);
                }
            }
            EngineState::RScan4 => self.b_e.d.next = self.ports.read_data.val(),
            EngineState::RScan5 => {
                self.f_port.d.next = self.b_handle.val();
                self.fin_ret.d.next = EngineState::RScan3;
            }
            EngineState::RScan3 => self.rscan.d.next = self.rscan.q.val() + 1,
            EngineState::RScanEnd => {
                if self.a_state.val() == self.k_state_connected.val() {
                    self.b_idx.d.next = self.a_peer.val().get_bits::<PB>(0);
                }
            }
            // ---- teardown of a context whose process died ----
            EngineState::TdLoad => {
                self.own_ident.d.next = self.cfg_identity.val();
                self.e_rq.d.next = 0.into(); // its events carry no payload
                self.rscan.d.next = 0.into();
                self.rs_ret.d.next = EngineState::TdReq2;
                self.rs_end.d.next = EngineState::TdReqEnd;
            }
            EngineState::TdReq2 => {
                // Its own requests vanish: nobody is left to tell.
                if self.rq_mine_q.q.val() {
                    self.reqs.write_enable.next = true;
                    self.rw_clear.next = true;
                    self.rw_gen.next = self.r_gen_next.val();
                    self.req_alloc.free_en.next = true;
                }
                self.rscan.d.next = self.rscan.q.val() + 1;
            }
            EngineState::TdPort0 => {
                if self.tscan.q.val().get_bit(self.k_scan_end_p.val().index()) {
                    // Ports done: now its sections and views.
                    self.sx_op.d.next = self.k_sx_teardown.val();
                    self.sec_ret.d.next = EngineState::TdEnd;
                } else {
                    self.a_idx.d.next = self.tscan.q.val().get_bits::<PB>(0);
                }
            }
            EngineState::TdPort1 => self.a_e.d.next = self.ports.read_data.val(),
            EngineState::TdPort2 => {
                if (self.a_kind.val() == self.k_kind_free.val()) || (self.a_owner.val() != self.own_owner.val()) {
                } else if self.a_kind.val() == self.k_kind_conn.val() {
                    self.cam_remove.d.next = true;
                    self.scan.d.next = 0.into();
                } else if (self.a_kind.val() == self.k_kind_client.val())
                    && (self.a_state.val() == self.k_state_connecting.val()) {
                    // A connect that nobody will hear about: release the
                    // backlog; the server's CONNECTION_REQUEST goes stale.
                    self.b_idx.d.next = self.a_peer.val().get_bits::<PB>(0);
                } else {
                    self.rscan.d.next = 0.into();
                    self.rs_ret.d.next = EngineState::RScan2;
                    self.rs_end.d.next = EngineState::RScanEnd;
                }
            }
            EngineState::TdC1 => self.b_e.d.next = self.ports.read_data.val(),
            EngineState::TdC2 => {
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::PendDecB;
                self.pw_addr.d.next = self.b_idx.q.val();
            }
            EngineState::TdC3 => {
                self.pw_en.d.next = true;
                self.pw_op.d.next = PortWrite::FreeA;
                self.port_alloc.free_en.next = true;
            }
            EngineState::TdEnd => {
                // Done: the TEARDOWN bit reads 0 from now on.
                self.tear_clear_en.next = true;
                self.tear_clear_ctx.next = self.ctx.q.val();
            }
            EngineState::TdNext => self.tscan.d.next = self.tscan.q.val() + 1,
            // ---- CANCEL: find the request by its user data ----
            EngineState::CScan2 => {
                if self.rq_mine_q.q.val() && self.rq_from_a_q.q.val() && self.rq_user_q.q.val() {
                    self.f_status.d.next = self.k_st_canceled.val();
                    self.f_ident.d.next = 0.into();
                    self.f_len.d.next = 0.into();
                    self.f_port.d.next = self.a_handle.val();
                    self.fin_ret.d.next = EngineState::RepEnd;
                } else {
                    self.rscan.d.next = self.rscan.q.val() + 1;
                }
            }
            // ---- shared fronts: the descriptor's port, request-table scans ----
            EngineState::PortRd0 => {
                if self.port_idx_bad.val() {
                    self.status.d.next = self.k_st_bad_handle.val();
                } else {
                    // (The port table is read at the handle's index by default.)
                    self.a_idx.d.next = self.d_src.q.val().get_bits::<PB>(0);
                }
            }
            EngineState::PortRd1 => self.a_e.d.next = self.ports.read_data.val(),
            EngineState::ReqScan0 => {
                if self.rscan.q.val().get_bit(self.k_scan_end_r.val().index()) {
                } else {
                    self.reqs.read_address.next = self.rscan.q.val().get_bits::<RB>(0);
                    self.r_idx.d.next = self.rscan.q.val().get_bits::<RB>(0);
                }
            }
            EngineState::ReqScan1 => self.r_e.d.next = self.reqs.read_data.val(),
            EngineState::CScanEnd => self.status.d.next = self.k_st_bad_reply.val(),
            EngineState::TdReqEnd => self.tscan.d.next = 0.into(),
            _ => {}
        }

        // Pay0's set-up of the payload copy, on the flag true exactly in
        // Pay0 (its arm keeps the next state).
        if self.paying.q.val() {
            self.c_src.d.next = self.pay_src_q.q.val();
            if self.pay_split_q.q.val() {
                self.c_len.d.next = self.pay_room_q.q.val();
                self.c_rest.d.next = self.pay_rest_q.q.val();
                self.c_rest_nz.d.next = true; // d_len > room
            } else {
                self.c_len.d.next = self.d_len.q.val();
                self.c_rest.d.next = 0.into();
                self.c_rest_nz.d.next = false;
            }
            self.copy_ret.d.next = EngineState::Pay1;
            self.copy_go.d.next = true;
        }
        // LoadAddr's clear of the doorbell it serves, on the flag true
        // exactly in LoadAddr.
        if self.db_claim.q.val() {
            self.db_clear_en.next = true;
        }
        // PostStore's stores, on the flag true exactly in PostStore (its
        // arm keeps the next state).
        if self.storing.q.val() {
            self.e_view.d.next = false;
            self.e_large.d.next = false;
            self.st_wr_en.next = true;
            if self.p_final.q.val() {
                self.st_wr_sq_head.next = self.sq_next_q.q.val();
            }
            if self.p_write.q.val() {
                self.st_wr_cq_tail.next = self.t_cq_next.val();
                self.st_wr_phase.next = self.t_phase.q.val() ^ (self.t_cq_next.val() == 0);
                self.cpl_event.next = true;
            }
            self.resv_wr_en.next = true;
            if self.resv_sub.val() >= bit_cast::<16, 2>(self.p_dec.q.val()) {
                self.resv_wr_data.next = self.resv_sub.val() - bit_cast::<16, 2>(self.p_dec.q.val());
            }
            if self.p_final.q.val() {
                self.count_done.next = true;
                self.count_error.next = self.status.q.val() != self.k_st_ok.val();
                self.last_after.d.next = (self.k_ones_n.val() << self.ctx.q.val()) & !self.ctx_onehot.val();
                // More descriptors queued: re-arm this context's doorbell so the
                // arbiter comes back to it after the others had their turn.
                self.db_set_en.next = self.sq_more_q.q.val();
            } else if self.p_dec.q.val() == 2 {
                // A refused connect frees a slot of the target's ring: let
                // the target look at its queue again.
                self.db_set_en.next = true;
                self.db_set_ctx.next = self.t_ctx.q.val();
            }
        }
        // Decode's loads, on the flag true exactly in Decode (its arm
        // keeps the next state).
        if self.decoding.q.val() {
            self.lg_have.d.next = false;
            self.result.d.next = 0.into();
            self.cpl_port.d.next = 0.into();
            self.cpl_kind.d.next = self.k_ev_done.val();
            self.own_dec.d.next = 1.into();
            self.p_inc.d.next = false;
            self.d_slots.d.next = 1.into();
            self.e_rq.d.next = 0.into();
            self.died.d.next = false;
            self.close_ret.d.next = EngineState::DoneSt;
            if self.desc_short.q.val() {
                // Descriptor read failed (or came back short).
                self.status.d.next = self.k_st_read_error.val();
            } else if self.dec_bad_op.q.val() {
                self.status.d.next = self.k_st_bad_opcode.val();
            } else if self.dec_bad_resv.q.val() {
                self.status.d.next = self.k_st_bad_reserved.val();
            } else if self.dec_bad_len.q.val() {
                self.status.d.next = self.k_st_bad_length.val();
            } else if self.op_hot.q.val().get_bit(self.k_op_create.val().index()) {
                // (CreateLook: nothing to set up.)
            } else if self.op_hot.q.val().get_bit(self.k_op_sec_create.val().index()) {
                self.sx_op.d.next = self.k_sx_sec_create.val();
                self.sx_addr.d.next = self.d_src.q.val();
                self.sx_len.d.next = self.d_len.q.val();
                self.sx_rights.d.next = self.d_dst.q.val();
                self.sec_ret.d.next = EngineState::SecFin;
            } else if (self.op_hot.q.val().get_bit(self.k_op_sec_delete.val().index()))
                || (self.op_hot.q.val().get_bit(self.k_op_view_revoke.val().index()))
            {
                // Completes naming the handle, like CLOSE.
                self.cpl_port.d.next = self.d_src.q.val().get_bits::<32>(0);
                if self.op_hot.q.val().get_bit(self.k_op_sec_delete.val().index()) {
                    self.sx_op.d.next = self.k_sx_sec_delete.val();
                } else {
                    self.sx_op.d.next = self.k_sx_view_revoke.val();
                }
                self.sx_handle.d.next = self.d_src.q.val().get_bits::<32>(0);
                self.sec_ret.d.next = EngineState::SecFin;
            } else if (self.op_hot.q.val().get_bit(self.k_op_view_create.val().index()))
                || (self.op_hot.q.val().get_bit(self.k_op_post.val().index()))
            {
                self.is_post.d.next = self.op_hot.q.val().get_bit(self.k_op_post.val().index());
                self.pr_ret.d.next = EngineState::VcPort;
            } else if self.op_hot.q.val().get_bit(self.k_op_connect.val().index()) {
                // A connect completes with a CONNECTION_REPLY, even on error.
                self.cpl_kind.d.next = self.k_ev_conn_reply.val();
                self.d_slots.d.next = self.slots_need_q.q.val();
            } else if (self.op_hot.q.val().get_bit(self.k_op_datagram.val().index()))
                || (self.op_hot.q.val().get_bit(self.k_op_request.val().index()))
            {
                // A request that fails at once completes as its REPLY.
                if self.op_hot.q.val().get_bit(self.k_op_request.val().index()) {
                    self.cpl_kind.d.next = self.k_ev_reply.val();
                }
                self.cpl_port.d.next = self.d_src.q.val().get_bits::<32>(0);
                self.d_slots.d.next = self.slots_need_q.q.val();
                self.pr_ret.d.next = EngineState::Snd2;
            } else if (self.op_hot.q.val().get_bit(self.k_op_reply.val().index()))
                || (self.op_hot.q.val().get_bit(self.k_op_cancel.val().index()))
            {
                self.cpl_port.d.next = self.d_src.q.val().get_bits::<32>(0);
                if self.op_hot.q.val().get_bit(self.k_op_reply.val().index()) {
                    self.d_slots.d.next = self.slots_need_q.q.val();
                }
                self.pr_ret.d.next = EngineState::Rep2;
            } else if (self.op_hot.q.val().get_bit(self.k_op_accept.val().index()))
                || (self.op_hot.q.val().get_bit(self.k_op_reject.val().index()))
            {
                self.pr_ret.d.next = EngineState::Ans2;
            } else if self.op_hot.q.val().get_bit(self.k_op_credit.val().index()) {
                self.cpl_port.d.next = self.d_src.q.val().get_bits::<32>(0);
                self.pr_ret.d.next = EngineState::Cr2;
            } else if self.op_hot.q.val().get_bit(self.k_op_allow.val().index()) {
                self.cpl_port.d.next = self.d_src.q.val().get_bits::<32>(0);
                self.pr_ret.d.next = EngineState::Allow2;
            } else if self.op_hot.q.val().get_bit(self.k_op_close.val().index()) {
                self.cpl_port.d.next = self.d_src.q.val().get_bits::<32>(0);
                self.pr_ret.d.next = EngineState::Cl2;
            } else if self.op_hot.q.val().get_bit(self.k_op_nop.val().index()) {
                self.status.d.next = self.k_st_ok.val();
            } else if self.len_over_q.q.val() {
                self.status.d.next = self.k_st_bad_length.val();
            } else {
                // COPY: each side is an address in the window or a view.
                self.cp_side.d.next = false;
            }
        }

        // Load's and PostLatch's loads (a context's queue state, the
        // target ring's state), on flags true exactly in those states.
        if self.load_now.q.val() {
            self.sq_base.d.next = self.cfg_sq_base.val();
            self.cq_base.d.next = self.cfg_cq_base.val();
            self.sq_mask.d.next = self.load_sq_mask.val();
            self.cq_mask.d.next = self.load_cq_mask.val();
            self.enabled.d.next =
                (self.ctx_enabled.val() & self.ctx_onehot.val()) != self.k_zero_n.val();
            self.sq_tail.d.next = self.cfg_sq_tail.val() & self.load_sq_mask.val();
            self.cq_head.d.next = self.cfg_cq_head.val() & self.load_cq_mask.val();
            self.sq_head.d.next = self.st_sq_head.val() & self.load_sq_mask.val();
            self.cq_tail.d.next = self.st_cq_tail.val() & self.load_cq_mask.val();
            self.own_ident.d.next = self.cfg_identity.val();
            self.own_base.d.next = self.cfg_mem_base.val();
            self.own_last.d.next = self.cfg_mem_last.val();
            self.own_resv.d.next = self.st_resv.val();
        }
        if self.latch_now.q.val() {
            self.t_cq_base.d.next = self.cfg_cq_base.val();
            self.t_cq_mask.d.next = self.load_cq_mask.val();
            self.t_cq_head.d.next = self.cfg_cq_head.val() & self.load_cq_mask.val();
            self.t_cq_tail.d.next = self.st_cq_tail.val() & self.load_cq_mask.val();
            self.t_phase.d.next = self.st_phase.val();
            self.t_sq_head.d.next = self.st_sq_head.val();
            self.t_resv.d.next = self.st_resv.val();
        }
        // CplSend's AW and W lanes, on `cpl_sending` (true exactly in
        // CplSend). Address and data together: a slave may wait for
        // WVALID before it raises AWREADY. Two beats: the view record into
        // the receive buffer (cpl_rec), or the entry into the ring.
        if self.cpl_sending.q.val() {
            self.m_axi_awid.next = self.k_id_queue.val();
            self.m_axi_awlen.next = 1.into(); // two beats
            self.m_axi_awvalid.next = !self.cpl_aw_done.q.val();
            if self.cpl_rec.q.val() {
                self.m_axi_awaddr.next = self.vrec_addr_q.q.val();
                if self.cpl_beat.q.val() {
                    self.m_axi_wdata.next = self.vrec_hi.val();
                } else {
                    self.m_axi_wdata.next = self.vrec_lo.val();
                }
            } else {
                self.m_axi_awaddr.next = self.cpl_addr_q.q.val();
                if self.cpl_beat.q.val() {
                    self.m_axi_wdata.next = self.cpl_hi.val();
                } else {
                    self.m_axi_wdata.next = self.cpl_lo.val();
                }
            }
            self.m_axi_wstrb.next = 0xFFFF.into();
            self.m_axi_wlast.next = self.cpl_beat.q.val();
            self.m_axi_wvalid.next = !self.cpl_w_done.q.val();
            self.m_axi_bready.next = self.cpl_aw_done.q.val() && self.cpl_w_done.q.val();
        }
        // Copy's datapath, on `copying` (true exactly in Copy) and on the
        // handshakes (each of which implies it), not on the state's decode
        // (timing: that decode, shared with the next-state logic, fanned out
        // to the copy's registers; seed 1's worst path at 2d23bf3 went
        // through two of its nets, 3.36 and 2.89 ns).
        if self.in_copy.val() {
            self.m_axi_arvalid.next = self.copy_arvalid.val();
            self.m_axi_rready.next = self.copy_rready.val();
            self.m_axi_awvalid.next = self.copy_awvalid.val();
            self.m_axi_wvalid.next = self.copy_wvalid.val();
            self.m_axi_bready.next = true;
        }
        if self.ar_fire.val() {
            self.rd_addr.d.next =
                self.rd_addr.q.val() + (bit_cast::<64, 32>(self.ar_burst_q.q.val()) << 4);
            self.rd_beats.d.next = self.rd_beats.q.val() - self.ar_burst_q.q.val();
        }
        if self.ar_fire.val() && !(self.r_fire.val() && self.m_axi_rlast.val()) {
            self.rd_inflight.d.next = self.rd_inflight.q.val() + 1;
        }
        if !self.ar_fire.val() && (self.r_fire.val() && self.m_axi_rlast.val()) {
            if self.rd_inflight.q.val() != 0 {
                self.rd_inflight.d.next = self.rd_inflight.q.val() - 1;
            } else {
                self.rd_err.d.next = true; // a burst nobody asked for
            }
        }
        if self.r_fire.val() {
            self.in_left.d.next = self.in_left_next.val();
            self.take_q.d.next = self.take_later.val();
            self.acc.d.next = (self.acc.q.val() & !self.acc_wmask.val())
                | (self.r_window.val() & self.acc_wmask.val());
            self.acc_wp.d.next = self.acc_wp_next.val();
            self.r_rot.d.next = self.acc_wp_next.val().get_bits::<4>(0);
            if self.r_bad.val() || (self.m_axi_rid.val() != self.k_id_data.val()) {
                self.rd_err.d.next = true;
            }
        }
        if self.aw_fire.val() {
            self.aw_addr.d.next =
                self.aw_addr.q.val() + (bit_cast::<64, 32>(self.aw_burst_q.q.val()) << 4);
            self.aw_beats.d.next = self.aw_beats.q.val() - self.aw_burst_q.q.val();
        }
        if self.w_fire.val() {
            self.out_left.d.next = self.out_left_next.val();
            self.out_nz.d.next = self.out_left.q.val() != bit_cast::<32, 8>(self.need.val());
            self.need_q.d.next = self.need_later.val();
            self.out_off_q.d.next = 0.into();
            self.strb_end_q.d.next = self.need_later.val().get_bits::<5>(0);
            self.acc_rp.d.next = self.acc_rp_next.val();
            self.w_burst_rem.d.next = self.w_burst_cur.val() - 1;
            self.w_addr.d.next = self.w_addr.q.val() + 16;
            self.w_beats.d.next = self.w_beats.q.val() - 1;
        }
        if self.aw_fire.val() && !self.b_fire.val() {
            self.b_pending.d.next = self.b_pending.q.val() + 1;
        }
        if !self.aw_fire.val() && self.b_fire.val() {
            if self.b_pending.q.val() != 0 {
                self.b_pending.d.next = self.b_pending.q.val() - 1;
            } else {
                self.wr_err.d.next = true; // a response nobody asked for
            }
        }
        if self.b_fire.val() && self.b_bad.val() {
            self.wr_err.d.next = true;
        }
        // Read address of the context table (CSR port A).
        self.cfg_ctx.next = self.rd_ctx.val();
        // The request-table entry being written, from its fields.
        if self.rw_clear.val() {
            self.reqs.write_data.next = bit_cast::<RE_BITS, 16>(self.rw_gen.val()) << self.k_re_gen.val();
        } else {
            self.reqs.write_data.next = bit_cast::<RE_BITS, 1>(true.into())
                | (bit_cast::<RE_BITS, 16>(self.rw_gen.val()) << self.k_re_gen.val())
                | (bit_cast::<RE_BITS, 8>(self.rw_requester.val()) << self.k_re_requester.val())
                | (bit_cast::<RE_BITS, 16>(self.rw_from.val()) << self.k_re_from.val())
                | (bit_cast::<RE_BITS, 16>(self.rw_to.val()) << self.k_re_to.val())
                | (bit_cast::<RE_BITS, 64>(self.rw_user.val()) << self.k_re_user.val());
        }
        // The port-table write a state decided last cycle (`pw_*`), put
        // together now from what it names: the entry's fields come from a
        // 4-bit register and from registers that hold still for that cycle
        // (entries A and B, the descriptor, the new entry's index and
        // generation), not from the state's decode. BlockRam registers it
        // again, so it lands two cycles after its state.
        self.ports.write_enable.next = self.pw_en.q.val();
        self.ports.write_address.next = self.pw_addr.q.val();
        // Entry A or entry B, modified as the write says.
        self.w_clear.next = false;
        if (self.pw_op.q.val() == PortWrite::ConnectB)
            || (self.pw_op.q.val() == PortWrite::PeerClosedB)
            || (self.pw_op.q.val() == PortWrite::PendDecB)
        {
            self.w_kind.next = self.b_kind.val();
            self.w_state.next = self.b_state.val();
            self.w_owner.next = self.b_owner.val();
            self.w_gen.next = self.b_gen.val();
            self.w_peer.next = self.b_peer.val();
            self.w_max.next = self.b_max.val();
            self.w_backlog.next = self.b_backlog.val();
            self.w_pending.next = self.b_pend.val();
            self.w_context.next = self.b_context.val();
        } else {
            self.w_kind.next = self.a_kind.val();
            self.w_state.next = self.a_state.val();
            self.w_owner.next = self.a_owner.val();
            self.w_gen.next = self.a_gen.val();
            self.w_peer.next = self.a_peer.val();
            self.w_max.next = self.a_max.val();
            self.w_backlog.next = self.a_backlog.val();
            self.w_pending.next = self.a_pending.val();
            self.w_context.next = self.a_context.val();
        }
        // The completion's first beat a state named last cycle (`ef_op`),
        // from registers that hold still for that cycle: the state after a
        // posting state is PostLoad or a copy's start, which change none of
        // them.
        match self.ef_op.q.val() {
            CplFill::Hold => {}
            CplFill::Done => {
                self.e_user.d.next = self.d_user.q.val();
                self.e_port.d.next = self.cpl_port.q.val();
                self.e_msg.d.next = 0.into();
            }
            CplFill::Connect => {
                self.e_user.d.next = self.a_context.val();
                self.e_port.d.next = self.a_handle.val();
                self.e_msg.d.next = self.new_handle.val();
            }
            CplFill::PeerB => {
                self.e_user.d.next = self.b_context.val();
                self.e_port.d.next = self.b_handle.val();
                self.e_msg.d.next = 0.into();
            }
            CplFill::Refuse => {
                self.e_user.d.next = self.b_context.val();
                self.e_port.d.next = 0.into();
                self.e_msg.d.next = 0.into();
            }
            CplFill::Deliver => {
                self.e_user.d.next = self.b_context.val();
                self.e_port.d.next = self.b_handle.val();
                if self.op_hot.q.val().get_bit(self.k_op_request.val().index()) {
                    self.e_msg.d.next = self.new_req_handle.val();
                } else {
                    self.e_msg.d.next = 0.into();
                }
            }
            CplFill::Finish => {
                self.e_user.d.next = self.r_user.val();
                self.e_port.d.next = self.f_port.q.val();
                self.e_msg.d.next = self.r_handle.val();
            }
        }
        match self.pw_op.q.val() {
            PortWrite::Sweep => {
                self.w_clear.next = true;
                self.w_gen.next = 0.into();
            }
            PortWrite::FreeA => {
                self.w_clear.next = true;
                self.w_gen.next = self.a_gen_next.q.val();
            }
            PortWrite::FreeB => {
                self.w_clear.next = true;
                self.w_gen.next = self.b_gen_next.q.val();
            }
            PortWrite::NewServer => {
                self.w_kind.next = self.k_kind_conn.val();
                self.w_state.next = self.k_state_connected.val();
                self.w_owner.next = self.own_owner.val();
                self.w_gen.next = self.new_gen_q.q.val();
                self.w_peer.next = 0.into();
                self.w_max.next = self.d_dst.q.val().get_bits::<9>(0);
                self.w_backlog.next = self.d_dst.q.val().get_bits::<8>(16);
                self.w_pending.next = 0.into();
                self.w_context.next = 0.into();
            }
            PortWrite::NewClient => {
                self.w_kind.next = self.k_kind_client.val();
                self.w_state.next = self.k_state_connecting.val();
                self.w_owner.next = self.own_owner.val();
                self.w_gen.next = self.new_gen_q.q.val();
                self.w_peer.next = bit_cast::<16, PB>(self.a_idx.q.val());
                self.w_backlog.next = 0.into();
                self.w_pending.next = 0.into();
                self.w_context.next = self.d_user.q.val();
            }
            PortWrite::NewConn => {
                self.w_kind.next = self.k_kind_server.val();
                self.w_state.next = self.k_state_connected.val();
                self.w_owner.next = self.own_owner.val();
                self.w_gen.next = self.new_gen_q.q.val();
                self.w_peer.next = bit_cast::<16, PB>(self.b_idx.q.val());
                self.w_max.next = self.b_max.val();
                self.w_backlog.next = 0.into();
                self.w_pending.next = 0.into();
                self.w_context.next = self.d_dst.q.val();
            }
            PortWrite::PendIncA => {
                self.w_pending.next = self.a_pending.val() + 1;
            }
            PortWrite::PendDecA => {
                self.w_pending.next = self.a_pending.val() - 1;
            }
            PortWrite::ConnectB => {
                self.w_state.next = self.k_state_connected.val();
                self.w_peer.next = bit_cast::<16, PB>(self.new_idx.q.val());
            }
            PortWrite::PeerClosedB => {
                self.w_state.next = self.k_state_peer_closed.val();
            }
            PortWrite::PendDecB => {
                self.w_pending.next = self.b_pend.val() - 1;
            }
        }
        if self.w_clear.val() {
            self.ports.write_data.next = bit_cast::<PE_BITS, 16>(self.w_gen.val()) << self.k_pe_gen.val();
        } else {
            self.ports.write_data.next = (bit_cast::<PE_BITS, 2>(self.w_kind.val()) << self.k_pe_kind.val())
                | (bit_cast::<PE_BITS, 2>(self.w_state.val()) << self.k_pe_state.val())
                | (bit_cast::<PE_BITS, 8>(self.w_owner.val()) << self.k_pe_owner.val())
                | (bit_cast::<PE_BITS, 16>(self.w_gen.val()) << self.k_pe_gen.val())
                | (bit_cast::<PE_BITS, 16>(self.w_peer.val()) << self.k_pe_peer.val())
                | (bit_cast::<PE_BITS, 9>(self.w_max.val()) << self.k_pe_max.val())
                | (bit_cast::<PE_BITS, 8>(self.w_backlog.val()) << self.k_pe_backlog.val())
                | (bit_cast::<PE_BITS, 8>(self.w_pending.val()) << self.k_pe_pending.val())
                | (bit_cast::<PE_BITS, 64>(self.w_context.val()) << self.k_pe_context.val());
        }

        // CopyStart's work, on the flag that is true exactly in CopyStart.
        if self.copy_go.q.val() {
            // The counters are set now: the flag must not see the old ones.
            self.copy_quiet_q.d.next = false;
            self.rd_addr.d.next = self.c_src.q.val() & self.k_beat_mask.val();
            self.rd_beats.d.next = (bit_cast::<32, 4>(self.c_src.q.val().get_bits::<4>(0))
                + self.c_len.q.val()
                + 15)
                >> 4;
            self.rd_inflight.d.next = 0.into();
            self.ar_hold.d.next = true;
            self.aw_hold.d.next = true;
            self.in_left.d.next = self.c_len.q.val();
            self.take_q.d.next = self.take_first.val();
            self.acc.d.next = 0.into();
            self.acc_cnt.d.next = 0.into();
            self.acc_room.d.next = true;
            // The ring starts at the destination's offset in its beat, so
            // that the first W beat's lanes are the lower half as it
            // stands; the R side rotates by destination minus source
            // offset (mod 16), so the first R beat's useful bytes land there.
            self.acc_wp.d.next = bit_cast::<5, 4>(self.c_dst.q.val().get_bits::<4>(0));
            self.acc_rp.d.next = bit_cast::<5, 4>(self.c_dst.q.val().get_bits::<4>(0));
            self.r_rot.d.next = self.c_dst.q.val().get_bits::<4>(0) - self.c_src.q.val().get_bits::<4>(0);
            self.out_left.d.next = self.c_len.q.val();
            self.out_nz.d.next = self.c_len.q.val() != 0;
            self.need_q.d.next = self.need_first.val();
            self.out_off_q.d.next = self.c_dst.q.val().get_bits::<4>(0);
            self.strb_end_q.d.next = self.strb_end_first.val();
            self.aw_addr.d.next = self.c_dst.q.val() & self.k_beat_mask.val();
            self.aw_beats.d.next = (bit_cast::<32, 4>(self.c_dst.q.val().get_bits::<4>(0))
                + self.c_len.q.val()
                + 15)
                >> 4;
            self.w_addr.d.next = self.c_dst.q.val() & self.k_beat_mask.val();
            self.w_beats.d.next = (bit_cast::<32, 4>(self.c_dst.q.val().get_bits::<4>(0))
                + self.c_len.q.val()
                + 15)
                >> 4;
            self.b_pending.d.next = 0.into();
            self.w_burst_rem.d.next = 0.into();
            self.copying.d.next = true;
        }
        if self.rst.val() {
            self.copy_go.d.next = false;
            self.cpl_sending.d.next = false;
            self.load_now.d.next = false;
            self.latch_now.d.next = false;
            self.decoding.d.next = false;
            self.storing.d.next = false;
            self.paying.d.next = false;
            self.db_claim.d.next = false;
            self.cpl_rec.d.next = false;
            self.e_large.d.next = false;
            self.e_view.d.next = false;
            // A CAM insert named in the reset's cycle would land after it,
            // keeping a name or an access-list entry for a port Sweep frees.
            self.cam_insert.d.next = false;
            self.acl_insert.d.next = false;
            self.state.d.next = EngineState::Sweep;
            self.copying.d.next = false;
            self.sweep.d.next = 0.into();
            // As if context 0 was served last.
            self.last_after.d.next = self.k_ones_n.val() & !self.k_one_n.val();
            // AXI: masters hold VALID low while in reset.
            self.m_axi_arvalid.next = false;
            self.m_axi_awvalid.next = false;
            self.m_axi_wvalid.next = false;
        }
        // The copy loads what the state loads, reset included: last, so
        // that it sees every assignment above.
        self.state_dp.d.next = self.state.d.val();
    }
}
