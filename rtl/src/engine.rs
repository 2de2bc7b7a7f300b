//! The queue engine: fetches descriptors, executes them, posts completions.
//!
//! One state machine serves all contexts, one descriptor at a time:
//!
//! ```text
//!  Idle ──init_pending──▶ Init ──▶ Idle            (reset a context's queue state)
//!  Idle ──doorbell──▶ Load ─▶ Check ─┬─ nothing to do / CQ full ─▶ Idle
//!                                    └▶ FetchAddr ▶ FetchData ▶ Decode ─┬─▶ CplSend
//!                                           CopyStart ◀─ valid COPY ────┘     ▲
//!                                              ▼                              │
//!                                             Copy ───────── all acked ───────┘
//!  CplSend ▶ CplResp ▶ Advance ─▶ Idle   (completion event; re-arm if more work)
//! ```
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
//! bytes are appended to a 32-byte accumulator; a write beat leaves as soon
//! as the accumulator holds the bytes that beat needs, shifted to the
//! destination's byte lane, with write strobes covering exactly the
//! destination range. A read beat and a write beat can both happen in one
//! cycle, so the copy streams at one beat (16 bytes) per cycle when memory
//! keeps up. The completion is written only after every data write has been
//! acknowledged, so the host never sees a completion before its data.

use crate::burst_splitter::BurstSplitter;
use crate::rr_arbiter::RrArbiter;
use alpc_contract::{bus, desc, geometry, Opcode, Status};
use rust_hdl::prelude::*;

/// Engine states; see the module documentation.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum EngineState {
    /// Waiting for a doorbell or a context reset.
    Idle,
    /// Writing a fresh queue state for a (re)configured context.
    Init,
    /// Context tables are being read.
    Load,
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
    /// Sending the completion entry (address and data).
    CplSend,
    /// Waiting for the completion write to be acknowledged.
    CplResp,
    /// Advancing the queue state, raising the interrupt.
    Advance,
}

/// See the module documentation. `N` must be `1 << CB`.
#[derive(LogicBlock)]
pub struct Engine<const CB: usize, const N: usize> {
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
    bs_ar: BurstSplitter,
    bs_aw: BurstSplitter,
    bs_w: BurstSplitter,

    state: DFF<EngineState>,
    ctx: DFF<Bits<CB>>,
    last_ctx: DFF<Bits<CB>>,
    sq_base: DFF<Bits<64>>,
    cq_base: DFF<Bits<64>>,
    sq_mask: DFF<Bits<16>>,
    cq_mask: DFF<Bits<16>>,
    enabled: DFF<Bit>,
    sq_tail: DFF<Bits<16>>,
    cq_head: DFF<Bits<16>>,
    sq_head: DFF<Bits<16>>,
    cq_tail: DFF<Bits<16>>,
    phase: DFF<Bit>,
    beat: DFF<Bits<8>>,
    d_opcode: DFF<Bits<8>>,
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
    in_left: DFF<Bits<32>>,
    in_first: DFF<Bit>,
    acc: DFF<Bits<256>>,
    acc_cnt: DFF<Bits<8>>,
    out_left: DFF<Bits<32>>,
    out_first: DFF<Bit>,
    aw_addr: DFF<Bits<64>>,
    aw_beats: DFF<Bits<32>>,
    b_pending: DFF<Bits<8>>,
    w_addr: DFF<Bits<64>>,
    w_beats: DFF<Bits<32>>,
    w_burst_rem: DFF<Bits<32>>,

    sq_next: Signal<Local, Bits<16>>,
    cq_next: Signal<Local, Bits<16>>,
    ctx_onehot: Signal<Local, Bits<N>>,
    acc_keep: Signal<Local, Bits<8>>,
    strb_end: Signal<Local, Bits<8>>,
    acc_lo: Signal<Local, Bits<128>>,
    src_end: Signal<Local, Bits<64>>,
    dst_end: Signal<Local, Bits<64>>,
    in_off: Signal<Local, Bits<8>>,
    in_room: Signal<Local, Bits<8>>,
    take: Signal<Local, Bits<8>>,
    out_off: Signal<Local, Bits<8>>,
    out_room: Signal<Local, Bits<8>>,
    need: Signal<Local, Bits<8>>,
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
    emit_n: Signal<Local, Bits<8>>,
    take_n: Signal<Local, Bits<8>>,
    w_burst_cur: Signal<Local, Bits<32>>,
    r_shifted: Signal<Local, Bits<128>>,
    acc_shr: Signal<Local, Bits<256>>,
    acc_in: Signal<Local, Bits<256>>,
    r_bad: Signal<Local, Bit>,
    b_bad: Signal<Local, Bit>,
    cpl_entry: Signal<Local, Bits<128>>,
    load_sq_mask: Signal<Local, Bits<16>>,
    load_cq_mask: Signal<Local, Bits<16>>,

    k_one16: Constant<Bits<16>>,
    k_ones16: Constant<Bits<16>>,
    k_one_n: Constant<Bits<N>>,
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
    k_st_bad_length: Constant<Bits<8>>,
    k_st_bad_reserved: Constant<Bits<8>>,
    k_st_bad_address: Constant<Bits<8>>,
    k_st_read_error: Constant<Bits<8>>,
    k_st_write_error: Constant<Bits<8>>,
    k_initial_phase: Constant<Bit>,
    k_f_opcode: Constant<Bits<7>>,
    k_f_flags: Constant<Bits<7>>,
    k_f_resv: Constant<Bits<7>>,
    k_f_len: Constant<Bits<7>>,
    k_f_user: Constant<Bits<7>>,
    k_f_src: Constant<Bits<7>>,
    k_f_dst: Constant<Bits<7>>,
    k_beat_src: Constant<Bits<8>>,
    k_c_result: Constant<Bits<8>>,
    k_c_sq_head: Constant<Bits<8>>,
    k_c_status: Constant<Bits<8>>,
    k_c_flags: Constant<Bits<8>>,
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

impl<const CB: usize, const N: usize> Default for Engine<CB, N> {
    fn default() -> Self {
        assert_eq!(N, 1 << CB, "Engine: N must be 1 << CB");
        assert_eq!(bus::AXI_DATA_BYTES, 16, "the datapath is 128 bits wide");
        assert!(desc::DESC_SIZE.is_power_of_two() && desc::CQE_SIZE.is_power_of_two());
        assert_eq!(
            desc::CQE_SIZE,
            bus::AXI_DATA_BYTES,
            "a completion is one beat"
        );
        let desc_beats = (desc::DESC_SIZE / bus::AXI_DATA_BYTES) as u64;
        let k8 = |v: u64| crate::konst::<8>(v);
        Self {
            clock: Default::default(),
            rst: Default::default(),
            enable: Default::default(),
            ctx_enabled: Default::default(),
            db_pending: Default::default(),
            init_pending: Default::default(),
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
            bs_ar: Default::default(),
            bs_aw: Default::default(),
            bs_w: Default::default(),
            state: Default::default(),
            ctx: Default::default(),
            last_ctx: Default::default(),
            sq_base: Default::default(),
            cq_base: Default::default(),
            sq_mask: Default::default(),
            cq_mask: Default::default(),
            enabled: Default::default(),
            sq_tail: Default::default(),
            cq_head: Default::default(),
            sq_head: Default::default(),
            cq_tail: Default::default(),
            phase: Default::default(),
            beat: Default::default(),
            d_opcode: Default::default(),
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
            in_left: Default::default(),
            in_first: Default::default(),
            acc: Default::default(),
            acc_cnt: Default::default(),
            out_left: Default::default(),
            out_first: Default::default(),
            aw_addr: Default::default(),
            aw_beats: Default::default(),
            b_pending: Default::default(),
            w_addr: Default::default(),
            w_beats: Default::default(),
            w_burst_rem: Default::default(),
            sq_next: Default::default(),
            cq_next: Default::default(),
            ctx_onehot: Default::default(),
            acc_keep: Default::default(),
            strb_end: Default::default(),
            acc_lo: Default::default(),
            src_end: Default::default(),
            dst_end: Default::default(),
            in_off: Default::default(),
            in_room: Default::default(),
            take: Default::default(),
            out_off: Default::default(),
            out_room: Default::default(),
            need: Default::default(),
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
            emit_n: Default::default(),
            take_n: Default::default(),
            w_burst_cur: Default::default(),
            r_shifted: Default::default(),
            acc_shr: Default::default(),
            acc_in: Default::default(),
            r_bad: Default::default(),
            b_bad: Default::default(),
            cpl_entry: Default::default(),
            load_sq_mask: Default::default(),
            load_cq_mask: Default::default(),
            k_one16: crate::konst(1),
            k_ones16: crate::konst(0xFFFF),
            k_one_n: crate::konst(1),
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
            k_st_bad_length: k8(Status::BadLength as u64),
            k_st_bad_reserved: k8(Status::BadReserved as u64),
            k_st_bad_address: k8(Status::BadAddress as u64),
            k_st_read_error: k8(Status::DmaReadError as u64),
            k_st_write_error: k8(Status::DmaWriteError as u64),
            k_initial_phase: Constant::new(desc::CQ_INITIAL_PHASE),
            k_f_opcode: crate::konst(lane_bit(desc::DESC_OPCODE, 0)),
            k_f_flags: crate::konst(lane_bit(desc::DESC_FLAGS, 0)),
            k_f_resv: crate::konst(lane_bit(desc::DESC_RESERVED, 0)),
            k_f_len: crate::konst(lane_bit(desc::DESC_LENGTH, 0)),
            k_f_user: crate::konst(lane_bit(desc::DESC_USER_DATA, 0)),
            k_f_src: crate::konst(lane_bit(desc::DESC_SRC_ADDR, 1)),
            k_f_dst: crate::konst(lane_bit(desc::DESC_DST_ADDR, 1)),
            k_beat_src: k8(1),
            k_c_result: k8(lane_bit(desc::CQE_RESULT, 0)),
            k_c_sq_head: k8(lane_bit(desc::CQE_SQ_HEAD, 0)),
            k_c_status: k8(lane_bit(desc::CQE_STATUS, 0)),
            k_c_flags: k8(lane_bit(desc::CQE_FLAGS, 0)),
        }
    }
}

impl<const CB: usize, const N: usize> Logic for Engine<CB, N> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            ctx,
            last_ctx,
            sq_base,
            cq_base,
            sq_mask,
            cq_mask,
            enabled,
            sq_tail,
            cq_head,
            sq_head,
            cq_tail,
            phase,
            beat,
            d_opcode,
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
            in_left,
            in_first,
            acc,
            acc_cnt,
            out_left,
            out_first,
            aw_addr,
            aw_beats,
            b_pending,
            w_addr,
            w_beats,
            w_burst_rem
        );

        // ---- arbiters and burst splitters ----
        self.db_arb.req.next = self.db_pending.val();
        self.db_arb.last.next = self.last_ctx.q.val();
        self.init_arb.req.next = self.init_pending.val();
        self.init_arb.last.next = self.last_ctx.q.val();
        self.bs_ar.page_beat.next = self.rd_addr.q.val().get_bits::<8>(4);
        self.bs_ar.beats_left.next = self.rd_beats.q.val();
        self.bs_aw.page_beat.next = self.aw_addr.q.val().get_bits::<8>(4);
        self.bs_aw.beats_left.next = self.aw_beats.q.val();
        self.bs_w.page_beat.next = self.w_addr.q.val().get_bits::<8>(4);
        self.bs_w.beats_left.next = self.w_beats.q.val();

        // ---- queue arithmetic ----
        self.sq_next.next = (self.sq_head.q.val() + 1) & self.sq_mask.q.val();
        self.cq_next.next = (self.cq_tail.q.val() + 1) & self.cq_mask.q.val();
        self.load_sq_mask.next =
            (self.k_one16.val() << self.cfg_sq_log2.val()) - self.k_one16.val();
        self.load_cq_mask.next =
            (self.k_one16.val() << self.cfg_cq_log2.val()) - self.k_one16.val();
        self.ctx_onehot.next = self.k_one_n.val() << self.ctx.q.val();
        self.src_end.next = self.d_src.q.val() + bit_cast::<64, 32>(self.d_len.q.val());
        self.dst_end.next = self.d_dst.q.val() + bit_cast::<64, 32>(self.d_len.q.val());
        self.r_bad.next = self.m_axi_rresp.val() != self.k_okay.val();
        self.b_bad.next = (self.m_axi_bresp.val() != self.k_okay.val())
            || (self.m_axi_bid.val() != self.k_id_data.val());

        // ---- copy datapath (combinational part) ----
        if self.in_first.q.val() {
            self.in_off.next = bit_cast::<8, 4>(self.d_src.q.val().get_bits::<4>(0));
        } else {
            self.in_off.next = 0.into();
        }
        self.in_room.next = self.k_beat_bytes.val() - self.in_off.val();
        if self.in_left.q.val() < bit_cast::<32, 8>(self.in_room.val()) {
            self.take.next = self.in_left.q.val().get_bits::<8>(0);
        } else {
            self.take.next = self.in_room.val();
        }
        if self.out_first.q.val() {
            self.out_off.next = bit_cast::<8, 4>(self.d_dst.q.val().get_bits::<4>(0));
        } else {
            self.out_off.next = 0.into();
        }
        self.out_room.next = self.k_beat_bytes.val() - self.out_off.val();
        if self.out_left.q.val() < bit_cast::<32, 8>(self.out_room.val()) {
            self.need.next = self.out_left.q.val().get_bits::<8>(0);
        } else {
            self.need.next = self.out_room.val();
        }
        if self.w_burst_rem.q.val() == 0 {
            self.w_burst_cur.next = self.bs_w.burst.val();
        } else {
            self.w_burst_cur.next = self.w_burst_rem.q.val();
        }
        // Strobes cover lanes out_off .. out_off+need (a shift by 16 gives 0).
        self.strb_end.next = self.out_off.val() + self.need.val();
        self.m_axi_wstrb.next = (self.k_ones16.val() << self.out_off.val())
            & !(self.k_ones16.val() << self.strb_end.val());
        self.acc_lo.next = self.acc.q.val().get_bits::<128>(0);
        self.m_axi_wdata.next = self.acc_lo.val() << (bit_cast::<16, 8>(self.out_off.val()) << 3);
        self.m_axi_wlast.next = self.w_burst_cur.val() == 1;
        self.r_shifted.next = self.m_axi_rdata.val() >> (bit_cast::<16, 8>(self.in_off.val()) << 3);

        // Handshakes of the copy, computed before anything that depends on
        // them (the Verilog is one always @(*) block, evaluated in order).
        self.in_copy.next = self.state.q.val() == EngineState::Copy;
        self.copy_arvalid.next = self.in_copy.val()
            && (self.rd_beats.q.val() != 0)
            && (self.rd_inflight.q.val() < self.k_max_reads.val());
        self.copy_rready.next =
            self.in_copy.val() && (self.acc_cnt.q.val() <= self.k_beat_bytes.val());
        self.copy_awvalid.next = self.in_copy.val()
            && (self.aw_beats.q.val() != 0)
            && (self.b_pending.q.val() < self.k_max_bursts.val());
        self.copy_wvalid.next = self.in_copy.val()
            && (self.out_left.q.val() != 0)
            && (self.acc_cnt.q.val() >= self.need.val());
        self.ar_fire.next = self.copy_arvalid.val() && self.m_axi_arready.val();
        self.r_fire.next = self.copy_rready.val() && self.m_axi_rvalid.val();
        self.aw_fire.next = self.copy_awvalid.val() && self.m_axi_awready.val();
        self.w_fire.next = self.copy_wvalid.val() && self.m_axi_wready.val();
        self.b_fire.next = self.in_copy.val() && self.m_axi_bvalid.val();
        if self.w_fire.val() {
            self.emit_n.next = self.need.val();
        } else {
            self.emit_n.next = 0.into();
        }
        if self.r_fire.val() {
            self.take_n.next = self.take.val();
        } else {
            self.take_n.next = 0.into();
        }
        self.acc_shr.next = self.acc.q.val() >> (bit_cast::<16, 8>(self.emit_n.val()) << 3);
        self.acc_keep.next = self.acc_cnt.q.val() - self.emit_n.val();
        self.acc_in.next = bit_cast::<256, 128>(self.r_shifted.val())
            << (bit_cast::<16, 8>(self.acc_keep.val()) << 3);

        // The completion entry, built from the contract's field positions.
        self.cpl_entry.next = bit_cast::<128, 64>(self.d_user.q.val())
            | (bit_cast::<128, 32>(self.result.q.val()) << self.k_c_result.val())
            | (bit_cast::<128, 16>(self.sq_next.val()) << self.k_c_sq_head.val())
            | (bit_cast::<128, 8>(self.status.q.val()) << self.k_c_status.val())
            | (bit_cast::<128, 1>(self.phase.q.val().into()) << self.k_c_flags.val());

        // ---- defaults ----
        self.db_clear_en.next = false;
        self.db_clear_ctx.next = self.db_arb.grant.val();
        self.db_set_en.next = false;
        self.db_set_ctx.next = self.ctx.q.val();
        self.init_clear_en.next = false;
        self.init_clear_ctx.next = self.init_arb.grant.val();
        self.cfg_ctx.next = self.ctx.q.val();
        self.st_wr_en.next = false;
        self.st_wr_ctx.next = self.ctx.q.val();
        self.st_wr_sq_head.next = self.sq_next.val();
        self.st_wr_cq_tail.next = self.cq_next.val();
        self.st_wr_phase.next = self.phase.q.val() ^ (self.cq_next.val() == 0);
        self.count_done.next = false;
        self.count_error.next = false;
        self.busy.next = self.state.q.val() != EngineState::Idle;
        self.active.next = (self.state.q.val() != EngineState::Idle) && (self.state.q.val() != EngineState::Init);
        self.active_ctx.next = self.ctx.q.val();
        self.cpl_event.next = false;
        self.cpl_ctx.next = self.ctx.q.val();

        self.m_axi_arid.next = self.k_id_data.val();
        self.m_axi_araddr.next = self.rd_addr.q.val();
        self.m_axi_arlen.next = bit_cast::<8, 32>(self.bs_ar.burst.val() - 1);
        self.m_axi_arsize.next = self.k_size.val();
        self.m_axi_arburst.next = self.k_incr.val();
        self.m_axi_arvalid.next = false;
        self.m_axi_rready.next = false;
        self.m_axi_awid.next = self.k_id_data.val();
        self.m_axi_awaddr.next = self.aw_addr.q.val();
        self.m_axi_awlen.next = bit_cast::<8, 32>(self.bs_aw.burst.val() - 1);
        self.m_axi_awsize.next = self.k_size.val();
        self.m_axi_awburst.next = self.k_incr.val();
        self.m_axi_awvalid.next = false;
        self.m_axi_wvalid.next = false;
        self.m_axi_bready.next = false;

        match self.state.q.val() {
            EngineState::Idle => {
                self.cpl_aw_done.d.next = false;
                self.cpl_w_done.d.next = false;
                if self.init_arb.valid.val() {
                    self.ctx.d.next = self.init_arb.grant.val();
                    self.init_clear_en.next = true;
                    self.state.d.next = EngineState::Init;
                } else if self.enable.val() && self.db_arb.valid.val() {
                    self.ctx.d.next = self.db_arb.grant.val();
                    self.cfg_ctx.next = self.db_arb.grant.val();
                    self.db_clear_en.next = true;
                    self.state.d.next = EngineState::Load;
                }
            }
            EngineState::Init => {
                self.st_wr_en.next = true;
                self.st_wr_sq_head.next = 0.into();
                self.st_wr_cq_tail.next = 0.into();
                self.st_wr_phase.next = self.k_initial_phase.val();
                self.state.d.next = EngineState::Idle;
            }
            EngineState::Load => {
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
                self.phase.d.next = self.st_phase.val();
                self.state.d.next = EngineState::Check;
            }
            EngineState::Check => {
                if !self.enabled.q.val()
                    || ((self.init_pending.val() & self.ctx_onehot.val()) != self.k_zero_n.val())
                    || (self.sq_head.q.val() == self.sq_tail.q.val())
                {
                    self.last_ctx.d.next = self.ctx.q.val();
                    self.state.d.next = EngineState::Idle;
                } else if self.cq_next.val() == self.cq_head.q.val() {
                    // CQ full: wait for the CQ head doorbell.
                    self.last_ctx.d.next = self.ctx.q.val();
                    self.state.d.next = EngineState::Idle;
                } else {
                    self.state.d.next = EngineState::FetchAddr;
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
                if self.m_axi_arready.val() {
                    self.state.d.next = EngineState::FetchData;
                }
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
                    if self.r_bad.val() || (self.m_axi_rid.val() != self.k_id_queue.val()) {
                        self.rd_err.d.next = true;
                    }
                    if self.m_axi_rlast.val() {
                        self.state.d.next = EngineState::Decode;
                    }
                }
            }
            EngineState::Decode => {
                self.result.d.next = 0.into();
                self.state.d.next = EngineState::CplSend;
                if self.rd_err.q.val() || (self.beat.q.val() <= self.k_beat_src.val()) {
                    // Descriptor read failed (or came back short).
                    self.status.d.next = self.k_st_read_error.val();
                } else if (self.d_opcode.q.val() != self.k_op_nop.val())
                    && (self.d_opcode.q.val() != self.k_op_copy.val())
                {
                    self.status.d.next = self.k_st_bad_opcode.val();
                } else if (self.d_flags.q.val() != 0) || (self.d_resv.q.val() != 0) {
                    self.status.d.next = self.k_st_bad_reserved.val();
                } else if self.d_opcode.q.val() == self.k_op_nop.val() {
                    self.status.d.next = self.k_st_ok.val();
                } else if self.d_len.q.val() > self.k_max_len.val() {
                    self.status.d.next = self.k_st_bad_length.val();
                } else if (self.src_end.val() < self.d_src.q.val())
                    || (self.dst_end.val() < self.d_dst.q.val())
                {
                    self.status.d.next = self.k_st_bad_address.val();
                } else if self.d_len.q.val() == 0 {
                    self.status.d.next = self.k_st_ok.val();
                } else {
                    self.status.d.next = self.k_st_ok.val();
                    self.state.d.next = EngineState::CopyStart;
                }
            }
            EngineState::CopyStart => {
                self.rd_addr.d.next = self.d_src.q.val() & self.k_beat_mask.val();
                self.rd_beats.d.next = (bit_cast::<32, 4>(self.d_src.q.val().get_bits::<4>(0))
                    + self.d_len.q.val()
                    + 15)
                    >> 4;
                self.rd_inflight.d.next = 0.into();
                self.in_left.d.next = self.d_len.q.val();
                self.in_first.d.next = true;
                self.acc.d.next = 0.into();
                self.acc_cnt.d.next = 0.into();
                self.out_left.d.next = self.d_len.q.val();
                self.out_first.d.next = true;
                self.aw_addr.d.next = self.d_dst.q.val() & self.k_beat_mask.val();
                self.aw_beats.d.next = (bit_cast::<32, 4>(self.d_dst.q.val().get_bits::<4>(0))
                    + self.d_len.q.val()
                    + 15)
                    >> 4;
                self.w_addr.d.next = self.d_dst.q.val() & self.k_beat_mask.val();
                self.w_beats.d.next = (bit_cast::<32, 4>(self.d_dst.q.val().get_bits::<4>(0))
                    + self.d_len.q.val()
                    + 15)
                    >> 4;
                self.b_pending.d.next = 0.into();
                self.w_burst_rem.d.next = 0.into();
                self.state.d.next = EngineState::Copy;
            }
            EngineState::Copy => {
                self.m_axi_arvalid.next = self.copy_arvalid.val();
                self.m_axi_rready.next = self.copy_rready.val();
                self.m_axi_awvalid.next = self.copy_awvalid.val();
                self.m_axi_wvalid.next = self.copy_wvalid.val();
                self.m_axi_bready.next = true;
                if self.ar_fire.val() {
                    self.rd_addr.d.next =
                        self.rd_addr.q.val() + (bit_cast::<64, 32>(self.bs_ar.burst.val()) << 4);
                    self.rd_beats.d.next = self.rd_beats.q.val() - self.bs_ar.burst.val();
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
                    self.in_left.d.next = self.in_left.q.val() - bit_cast::<32, 8>(self.take.val());
                    self.in_first.d.next = false;
                    self.acc.d.next = self.acc_shr.val() | self.acc_in.val();
                    if self.r_bad.val() || (self.m_axi_rid.val() != self.k_id_data.val()) {
                        self.rd_err.d.next = true;
                    }
                } else {
                    self.acc.d.next = self.acc_shr.val();
                }
                self.acc_cnt.d.next = self.acc_cnt.q.val() - self.emit_n.val() + self.take_n.val();
                if self.aw_fire.val() {
                    self.aw_addr.d.next =
                        self.aw_addr.q.val() + (bit_cast::<64, 32>(self.bs_aw.burst.val()) << 4);
                    self.aw_beats.d.next = self.aw_beats.q.val() - self.bs_aw.burst.val();
                }
                if self.w_fire.val() {
                    self.out_left.d.next =
                        self.out_left.q.val() - bit_cast::<32, 8>(self.need.val());
                    self.out_first.d.next = false;
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
                // Done once every byte is written and every write acknowledged.
                if (self.rd_beats.q.val() == 0)
                    && (self.rd_inflight.q.val() == 0)
                    && (self.aw_beats.q.val() == 0)
                    && (self.out_left.q.val() == 0)
                    && (self.b_pending.q.val() == 0)
                {
                    self.state.d.next = EngineState::CplSend;
                    if self.wr_err.q.val() {
                        self.status.d.next = self.k_st_write_error.val();
                    } else if self.rd_err.q.val() {
                        self.status.d.next = self.k_st_read_error.val();
                    } else {
                        self.status.d.next = self.k_st_ok.val();
                        self.result.d.next = self.d_len.q.val();
                    }
                }
            }
            EngineState::CplSend => {
                // Address and data together: a slave may wait for WVALID
                // before it raises AWREADY.
                self.m_axi_awid.next = self.k_id_queue.val();
                self.m_axi_awaddr.next = self.cq_base.q.val()
                    + (bit_cast::<64, 16>(self.cq_tail.q.val()) << self.k_cqe_shift.val());
                self.m_axi_awlen.next = 0.into();
                self.m_axi_awvalid.next = !self.cpl_aw_done.q.val();
                self.m_axi_wdata.next = self.cpl_entry.val();
                self.m_axi_wstrb.next = 0xFFFF.into();
                self.m_axi_wlast.next = true;
                self.m_axi_wvalid.next = !self.cpl_w_done.q.val();
                if self.m_axi_awready.val() {
                    self.cpl_aw_done.d.next = true;
                }
                if self.m_axi_wready.val() {
                    self.cpl_w_done.d.next = true;
                }
                if (self.cpl_aw_done.q.val() || self.m_axi_awready.val())
                    && (self.cpl_w_done.q.val() || self.m_axi_wready.val())
                {
                    self.state.d.next = EngineState::CplResp;
                }
            }
            EngineState::CplResp => {
                self.m_axi_bready.next = true;
                if self.m_axi_bvalid.val() {
                    self.state.d.next = EngineState::Advance;
                }
            }
            EngineState::Advance => {
                self.st_wr_en.next = true;
                self.sq_head.d.next = self.sq_next.val();
                self.cq_tail.d.next = self.cq_next.val();
                self.phase.d.next = self.phase.q.val() ^ (self.cq_next.val() == 0);
                self.cpl_event.next = true;
                self.count_done.next = true;
                self.count_error.next = self.status.q.val() != self.k_st_ok.val();
                self.last_ctx.d.next = self.ctx.q.val();
                // More descriptors queued: re-arm this context's doorbell so the
                // arbiter comes back to it after the others had their turn.
                self.db_set_en.next = self.sq_next.val() != self.sq_tail.q.val();
                self.state.d.next = EngineState::Idle;
            }
            _ => {
                self.state.d.next = EngineState::Idle;
            }
        }

        if self.rst.val() {
            self.state.d.next = EngineState::Idle;
            self.last_ctx.d.next = 0.into();
            // AXI: masters hold VALID low while in reset.
            self.m_axi_arvalid.next = false;
            self.m_axi_awvalid.next = false;
            self.m_axi_wvalid.next = false;
        }
    }
}
