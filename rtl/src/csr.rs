//! BAR0 register block: global registers, the per-context table and the
//! doorbells.
//!
//! Decodes the register bus of [`crate::axil_reg_if::AxilRegIf`] against the
//! map in `alpc_contract::regs`, and keeps everything the engine needs to
//! know about a context:
//!
//! * configuration (ring IOVAs, ring sizes, MSI vector, identity) and the
//!   doorbell values, in [`DualReadRam`]s indexed by context: port A is read
//!   by the engine (`cfg_ctx` → `cfg_*` one cycle later), port B by BAR0
//!   readback;
//! * the engine's queue state (SQ head, CQ tail, phase) and CQ reservation
//!   counts, written by the engine through `st_wr_*` and `resv_wr_*`, read
//!   back the same way;
//! * per-context flags in flip-flops so that reset clears them: `enabled`,
//!   `db_pending` (a doorbell was rung since the engine last looked),
//!   `init_pending` (the context was (re)configured; the engine must reset
//!   its queue state) and `tear_pending` (its process died; the engine must
//!   close what it owned).
//!
//! Writes to read-only or unmapped offsets, and reads of unmapped offsets,
//! report an error (SLVERR on the bus).
//!
//! Both directions decode the address into flip-flops a cycle before they
//! use it (timing: the base subtractions and range compares end at
//! registers, not at a RAM's write enable): a write's address is held a
//! cycle before its strobe, a read's data comes three cycles after its
//! (one to decode, one to read the tables, one through their output
//! registers).

use crate::dual_read_ram::DualReadRam;
use alpc_contract::{bus, desc, geometry, regs};
use rust_hdl::prelude::*;

const AW: usize = bus::AXIL_ADDR_BITS;

/// What a pending read returns, decoded from its address the cycle of the
/// strobe.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum ReadSource {
    /// A value captured in flip-flops (see [`Captured`]) the cycle after
    /// the strobe: a global register.
    Global,
    /// Context SQ base, low half.
    SqBaseLo,
    /// Context SQ base, high half.
    SqBaseHi,
    /// Context CQ base, low half.
    CqBaseLo,
    /// Context CQ base, high half.
    CqBaseHi,
    /// Context ring sizes.
    RingCfg,
    /// Context control (flags captured, vector and poll bit from RAM).
    Control,
    /// Interrupt moderation.
    IrqMod,
    /// Identity.
    Identity,
    /// Memory window registers (the last IOVA is stored inverted).
    MemBaseLo,
    /// See `MemBaseLo`.
    MemBaseHi,
    /// See `MemBaseLo`.
    MemLastLo,
    /// See `MemBaseLo`.
    MemLastHi,
    /// Engine SQ head.
    SqHead,
    /// Engine CQ tail and phase.
    CqTail,
    /// CQ slots reserved.
    CqReserved,
    /// Doorbell: SQ tail.
    DbSqTail,
    /// Doorbell: CQ head.
    DbCqHead,
    /// Unmapped: all ones and an error.
    Unmapped,
}

/// Which flip-flop value a read captures the cycle after its strobe (for
/// [`ReadSource::Global`] and [`ReadSource::Control`]).
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum Captured {
    /// Nothing (the read's data comes from a RAM or is unmapped).
    Nothing,
    /// Global ID.
    Id,
    /// Global VERSION.
    Version,
    /// Global SCRATCH.
    Scratch,
    /// Global CONTROL.
    Control,
    /// Global STATUS.
    Status,
    /// Global CAPS.
    Caps,
    /// Global COMPLETED.
    Completed,
    /// Global ERRORS.
    Errors,
    /// Global MAX_COPY_LEN.
    MaxCopy,
    /// A context's CONTROL flags (enabled, active, teardown).
    CtxControl,
}

/// See the module documentation. `N` must be `1 << CB`.
#[derive(LogicBlock)]
pub struct Csr<const CB: usize, const N: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// Register bus (from `AxilRegIf`).
    pub reg_wr_en: Signal<In, Bit>,
    /// Register bus write address.
    pub reg_wr_addr: Signal<In, Bits<AW>>,
    /// Register bus write data.
    pub reg_wr_data: Signal<In, Bits<32>>,
    /// Register bus write error (the cycle after the strobe).
    pub reg_wr_err: Signal<Out, Bit>,
    /// Register bus read strobe.
    pub reg_rd_en: Signal<In, Bit>,
    /// Register bus read address.
    pub reg_rd_addr: Signal<In, Bits<AW>>,
    /// Register bus read data (three cycles after the strobe).
    pub reg_rd_data: Signal<Out, Bits<32>>,
    /// Register bus read error (three cycles after the strobe).
    pub reg_rd_err: Signal<Out, Bit>,

    /// Global CONTROL_ENABLE.
    pub enable: Signal<Out, Bit>,
    /// Per-context enable bits.
    pub ctx_enabled: Signal<Out, Bits<N>>,
    /// Per-context "doorbell rung" bits.
    pub db_pending: Signal<Out, Bits<N>>,
    /// Per-context "reset your queue state" bits.
    pub init_pending: Signal<Out, Bits<N>>,
    /// A CTX_CONTROL write sets `init_pending` for `init_set_onehot`'s
    /// context at this edge. The engine ORs it with `init_pending` for its
    /// own context (`init_hit_q`) rather than taking the bits' next value
    /// through a 1-of-N select.
    pub init_set: Signal<Out, Bit>,
    /// The context a register write addresses, one-hot.
    pub init_set_onehot: Signal<Out, Bits<N>>,
    /// Engine: clear `db_pending[db_clear_ctx]`.
    pub db_clear_en: Signal<In, Bit>,
    /// Engine: context whose doorbell bit to clear.
    pub db_clear_ctx: Signal<In, Bits<CB>>,
    /// Engine: set `db_pending[db_set_ctx]` (more work left).
    pub db_set_en: Signal<In, Bit>,
    /// Engine: context whose doorbell bit to set.
    pub db_set_ctx: Signal<In, Bits<CB>>,
    /// Per-context "tear the context down" bits.
    pub tear_pending: Signal<Out, Bits<N>>,
    /// Engine: clear `tear_pending[tear_clear_ctx]`.
    pub tear_clear_en: Signal<In, Bit>,
    /// Engine: context whose teardown bit to clear.
    pub tear_clear_ctx: Signal<In, Bits<CB>>,
    /// Engine: clear `init_pending[init_clear_ctx]`.
    pub init_clear_en: Signal<In, Bit>,
    /// Engine: context whose init bit to clear.
    pub init_clear_ctx: Signal<In, Bits<CB>>,
    /// Engine: context to read (`cfg_*`, `st_*` valid one cycle later).
    pub cfg_ctx: Signal<In, Bits<CB>>,
    /// SQ IOVA.
    pub cfg_sq_base: Signal<Out, Bits<64>>,
    /// CQ IOVA.
    pub cfg_cq_base: Signal<Out, Bits<64>>,
    /// log2(SQ entries).
    pub cfg_sq_log2: Signal<Out, Bits<4>>,
    /// log2(CQ entries).
    pub cfg_cq_log2: Signal<Out, Bits<4>>,
    /// SQ tail doorbell value.
    pub cfg_sq_tail: Signal<Out, Bits<16>>,
    /// CQ head doorbell value.
    pub cfg_cq_head: Signal<Out, Bits<16>>,
    /// The context's identity (set through BAR0 by the privileged owner).
    pub cfg_identity: Signal<Out, Bits<32>>,
    /// The context's memory window, first IOVA.
    pub cfg_mem_base: Signal<Out, Bits<64>>,
    /// The context's memory window, last IOVA.
    pub cfg_mem_last: Signal<Out, Bits<64>>,
    /// Engine state: SQ head.
    pub st_sq_head: Signal<Out, Bits<16>>,
    /// Engine state: CQ tail.
    pub st_cq_tail: Signal<Out, Bits<16>>,
    /// Engine state: phase.
    pub st_phase: Signal<Out, Bit>,
    /// Engine: write its state for `st_wr_ctx`.
    pub st_wr_en: Signal<In, Bit>,
    /// Engine: context of the state write.
    pub st_wr_ctx: Signal<In, Bits<CB>>,
    /// Engine: new SQ head.
    pub st_wr_sq_head: Signal<In, Bits<16>>,
    /// Engine: new CQ tail.
    pub st_wr_cq_tail: Signal<In, Bits<16>>,
    /// Engine: new phase.
    pub st_wr_phase: Signal<In, Bit>,
    /// Engine state: CQ slots reserved (at `cfg_ctx`, one cycle later).
    pub st_resv: Signal<Out, Bits<16>>,
    /// Engine: write the reservation count of `resv_wr_ctx`.
    pub resv_wr_en: Signal<In, Bit>,
    /// Engine: context of the reservation write.
    pub resv_wr_ctx: Signal<In, Bits<CB>>,
    /// Engine: new reservation count.
    pub resv_wr_data: Signal<In, Bits<16>>,
    /// Engine: a descriptor completed.
    pub count_done: Signal<In, Bit>,
    /// Engine: a descriptor completed with an error status.
    pub count_error: Signal<In, Bit>,
    /// Engine: busy.
    pub busy: Signal<In, Bit>,
    /// Engine: working on `engine_ctx` (may still touch its memory).
    pub engine_active: Signal<In, Bit>,
    /// Engine: the context it works on.
    pub engine_ctx: Signal<In, Bits<CB>>,
    /// Interrupt moderator: CTX_CONTROL written (poll bit, vector).
    pub irq_ctl_en: Signal<Out, Bit>,
    /// Interrupt moderator: CTX_IRQ_MOD written (count, time).
    pub irq_mod_en: Signal<Out, Bit>,
    /// Interrupt moderator: context of the write.
    pub irq_cfg_ctx: Signal<Out, Bits<CB>>,
    /// Interrupt moderator: interrupts on.
    pub irq_on: Signal<Out, Bit>,
    /// Interrupt moderator: MSI vector.
    pub irq_vector: Signal<Out, Bits<5>>,
    /// Interrupt moderator: count threshold.
    pub irq_count: Signal<Out, Bits<8>>,
    /// Interrupt moderator: time threshold.
    pub irq_time: Signal<Out, Bits<16>>,

    sq_lo: DualReadRam<Bits<32>, CB>,
    sq_hi: DualReadRam<Bits<32>, CB>,
    cq_lo: DualReadRam<Bits<32>, CB>,
    cq_hi: DualReadRam<Bits<32>, CB>,
    ring: DualReadRam<Bits<8>, CB>,
    // Read back over BAR0 only: one read port.
    vector: RAM<Bits<5>, CB>,
    poll: RAM<Bit, CB>,
    irq_mod: RAM<Bits<24>, CB>,
    identity: DualReadRam<Bits<32>, CB>,
    // The window's last IOVA is kept inverted, so that a RAM's zero
    // contents mean "the whole IOVA space" (the registers' reset value).
    mem_base_lo: DualReadRam<Bits<32>, CB>,
    mem_base_hi: DualReadRam<Bits<32>, CB>,
    mem_last_lo: DualReadRam<Bits<32>, CB>,
    mem_last_hi: DualReadRam<Bits<32>, CB>,
    sq_tail: DualReadRam<Bits<16>, CB>,
    cq_head: DualReadRam<Bits<16>, CB>,
    state: DualReadRam<Bits<33>, CB>,
    /// Write port registered: the engine's write enable into it was the
    /// large core's worst path (`DualReadRam::with_registered_write`).
    resv: DualReadRam<Bits<16>, CB>,

    scratch: DFF<Bits<32>>,
    enable_q: DFF<Bit>,
    completed: DFF<Bits<32>>,
    errors: DFF<Bits<32>>,
    ctx_en_q: DFF<Bits<N>>,
    db_pend_q: DFF<Bits<N>>,
    init_pend_q: DFF<Bits<N>>,
    /// `init_pend_q`'s next value, also given to the engine.
    init_pend_nx: Signal<Local, Bits<N>>,
    tear_pend_q: DFF<Bits<N>>,
    tear_clear_mask: Signal<Local, Bits<N>>,
    // A read in four steps: the strobe's address decoded into `rd_sel`,
    // `rd_cap`, `rd_ctx_q`; then the RAMs read at `rd_ctx_q` while the
    // captured value is taken into `rd_global`; then the tables' entries
    // pass `DualReadRam`'s port B output register; then the output mux. The
    // decode (two subtracts and some 30 compares), the capture (a context's
    // bit out of N) and a block RAM's clock-to-output each have a cycle of
    // their own. The output mux reads `rd_sel` too: the decode is held
    // until the next strobe, and `AxilRegIf` strobes again only after this
    // read's response.
    rd_sel: DFF<ReadSource>,
    rd_cap: DFF<Captured>,
    rd_ctx_q: DFF<Bits<CB>>,
    rd_global: DFF<Bits<32>>,
    wr_err_q: DFF<Bit>,
    // The write's address decoded a cycle ahead of its strobe (AxilRegIf
    // strobes two cycles after the handshake; the address is held from one).
    wr_in_global_q: DFF<Bit>,
    wr_in_cfg_q: DFF<Bit>,
    wr_in_db_q: DFF<Bit>,
    wr_ctx_q: DFF<Bits<CB>>,
    wr_cfg_reg_q: DFF<Bits<6>>,
    wr_db_reg_q: DFF<Bits<12>>,
    wr_onehot_q: DFF<Bits<N>>,
    rd_fresh: DFF<Bit>,
    /// `rd_fresh` a cycle later, beside the entries it overrides (port B's
    /// output register): both from the same edge.
    rd_fresh2: DFF<Bit>,
    /// `rd_ctx_q` as a one-hot mask, decoded beside it (timing: decoded
    /// from `rd_ctx_q`, which also addresses some 17 RAMs, into the
    /// capture's per-context bits was seed 2's worst path at bce6c29).
    rd_onehot: DFF<Bits<N>>,

    // write decode
    wr_cfg_off: Signal<Local, Bits<AW>>,
    wr_db_off: Signal<Local, Bits<AW>>,
    wr_in_global: Signal<Local, Bit>,
    wr_in_cfg: Signal<Local, Bit>,
    wr_in_db: Signal<Local, Bit>,
    wr_ctx: Signal<Local, Bits<CB>>,
    wr_cfg_reg: Signal<Local, Bits<6>>,
    wr_db_reg: Signal<Local, Bits<12>>,
    wr_ok: Signal<Local, Bit>,
    wr_onehot: Signal<Local, Bits<N>>,
    // read decode
    rd_cfg_off: Signal<Local, Bits<AW>>,
    rd_db_off: Signal<Local, Bits<AW>>,
    rd_in_cfg: Signal<Local, Bit>,
    rd_in_db: Signal<Local, Bit>,
    rd_ctx: Signal<Local, Bits<CB>>,
    rd_cfg_reg: Signal<Local, Bits<6>>,
    rd_db_reg: Signal<Local, Bits<12>>,
    // pending-bit arithmetic
    db_clear_mask: Signal<Local, Bits<N>>,
    db_set_mask: Signal<Local, Bits<N>>,
    init_clear_mask: Signal<Local, Bits<N>>,

    one_n: Constant<Bits<N>>,
    zero_n: Constant<Bits<N>>,
    cfg_base: Constant<Bits<AW>>,
    db_base: Constant<Bits<AW>>,
    cfg_shift: Constant<Bits<5>>,
    db_shift: Constant<Bits<5>>,
    cfg_hi_shift: Constant<Bits<8>>,
    db_hi_shift: Constant<Bits<8>>,
    zero_aw: Constant<Bits<AW>>,
    g_id: Constant<Bits<AW>>,
    g_version: Constant<Bits<AW>>,
    g_scratch: Constant<Bits<AW>>,
    g_control: Constant<Bits<AW>>,
    g_status: Constant<Bits<AW>>,
    g_caps: Constant<Bits<AW>>,
    g_completed: Constant<Bits<AW>>,
    g_errors: Constant<Bits<AW>>,
    g_max_copy: Constant<Bits<AW>>,
    c_sq_lo: Constant<Bits<6>>,
    c_sq_hi: Constant<Bits<6>>,
    c_cq_lo: Constant<Bits<6>>,
    c_cq_hi: Constant<Bits<6>>,
    c_ring: Constant<Bits<6>>,
    c_control: Constant<Bits<6>>,
    c_sq_head: Constant<Bits<6>>,
    c_irq_mod: Constant<Bits<6>>,
    c_identity: Constant<Bits<6>>,
    c_mem_base_lo: Constant<Bits<6>>,
    c_mem_base_hi: Constant<Bits<6>>,
    c_mem_last_lo: Constant<Bits<6>>,
    c_mem_last_hi: Constant<Bits<6>>,
    c_cq_tail: Constant<Bits<6>>,
    c_cq_reserved: Constant<Bits<6>>,
    d_sq_tail: Constant<Bits<12>>,
    d_cq_head: Constant<Bits<12>>,
    v_id: Constant<Bits<32>>,
    v_version: Constant<Bits<32>>,
    v_caps: Constant<Bits<32>>,
    v_max_copy: Constant<Bits<32>>,
    v_unmapped: Constant<Bits<32>>,
    ring_sq_shift: Constant<Bits<5>>,
    ring_cq_shift: Constant<Bits<5>>,
    ctl_vec_shift: Constant<Bits<5>>,
    ctl_poll_bit: Constant<Bits<5>>,
    ctl_active_bit: Constant<Bits<5>>,
    ctl_tear_bit: Constant<Bits<5>>,
    sq_align: Constant<Bits<32>>,
    cq_align: Constant<Bits<32>>,
    k_initial_phase: Constant<Bit>,
    mod_count_shift: Constant<Bits<5>>,
    mod_time_shift: Constant<Bits<5>>,
    phase_bit: Constant<Bits<8>>,
}

impl<const CB: usize, const N: usize> Default for Csr<CB, N> {
    fn default() -> Self {
        assert_eq!(N, 1 << CB, "Csr: N must be 1 << CB");
        // The decode below slices offsets with these widths.
        assert_eq!(
            regs::CTX_CFG_STRIDE,
            1 << 6,
            "context stride must be 64 bytes"
        );
        assert_eq!(
            regs::DOORBELL_STRIDE,
            1 << 12,
            "doorbell stride must be 4 KiB"
        );
        assert!(regs::CTX_CFG_BASE + N as u64 * regs::CTX_CFG_STRIDE <= regs::DOORBELL_BASE);
        assert!(
            regs::bar0_size(N) <= 1 << AW,
            "too many contexts for the BAR0 address width"
        );
        assert_eq!(regs::RING_CFG_SQ_SHIFT, 0);
        assert_eq!(regs::RING_CFG_CQ_SHIFT, 8);
        assert_eq!(regs::RING_CFG_LOG2_MASK, 0xF);
        assert_eq!(regs::CTX_CONTROL_ENABLE, 1);
        assert_eq!(regs::CTX_CONTROL_VECTOR_MASK, 0x1F);
        assert_eq!(regs::IRQ_MOD_COUNT_MASK, 0xFF);
        assert_eq!(regs::IRQ_MOD_TIME_MASK, 0xFFFF);
        assert!(regs::CTX_CONTROL_POLL.is_power_of_two());
        assert_eq!(regs::CONTROL_ENABLE, 1);
        assert_eq!(regs::STATUS_BUSY, 1);
        assert_eq!(regs::STATUS_PENDING, 2);
        let caps =
            N as u64 | (bus::AXI_DATA_BYTES as u64) << 16 | (bus::MAX_READS_IN_FLIGHT as u64) << 24;
        let off = |x: u64| crate::konst::<AW>(x);
        Self {
            clock: Default::default(),
            rst: Default::default(),
            reg_wr_en: Default::default(),
            reg_wr_addr: Default::default(),
            reg_wr_data: Default::default(),
            reg_wr_err: Default::default(),
            reg_rd_en: Default::default(),
            reg_rd_addr: Default::default(),
            reg_rd_data: Default::default(),
            reg_rd_err: Default::default(),
            enable: Default::default(),
            ctx_enabled: Default::default(),
            db_pending: Default::default(),
            init_pending: Default::default(),
            init_set: Default::default(),
            init_set_onehot: Default::default(),
            db_clear_en: Default::default(),
            db_clear_ctx: Default::default(),
            db_set_en: Default::default(),
            db_set_ctx: Default::default(),
            tear_pending: Default::default(),
            tear_clear_en: Default::default(),
            tear_clear_ctx: Default::default(),
            init_clear_en: Default::default(),
            init_clear_ctx: Default::default(),
            cfg_ctx: Default::default(),
            cfg_sq_base: Default::default(),
            cfg_cq_base: Default::default(),
            cfg_sq_log2: Default::default(),
            cfg_cq_log2: Default::default(),
            cfg_sq_tail: Default::default(),
            cfg_cq_head: Default::default(),
            cfg_identity: Default::default(),
            cfg_mem_base: Default::default(),
            cfg_mem_last: Default::default(),
            st_sq_head: Default::default(),
            st_cq_tail: Default::default(),
            st_phase: Default::default(),
            st_wr_en: Default::default(),
            st_wr_ctx: Default::default(),
            st_wr_sq_head: Default::default(),
            st_wr_cq_tail: Default::default(),
            st_wr_phase: Default::default(),
            st_resv: Default::default(),
            resv_wr_en: Default::default(),
            resv_wr_ctx: Default::default(),
            resv_wr_data: Default::default(),
            count_done: Default::default(),
            count_error: Default::default(),
            busy: Default::default(),
            engine_active: Default::default(),
            engine_ctx: Default::default(),
            irq_ctl_en: Default::default(),
            irq_mod_en: Default::default(),
            irq_cfg_ctx: Default::default(),
            irq_on: Default::default(),
            irq_vector: Default::default(),
            irq_count: Default::default(),
            irq_time: Default::default(),
            sq_lo: Default::default(),
            sq_hi: Default::default(),
            cq_lo: Default::default(),
            cq_hi: Default::default(),
            ring: Default::default(),
            vector: Default::default(),
            poll: Default::default(),
            irq_mod: Default::default(),
            identity: Default::default(),
            mem_base_lo: Default::default(),
            mem_base_hi: Default::default(),
            mem_last_lo: Default::default(),
            mem_last_hi: Default::default(),
            sq_tail: Default::default(),
            cq_head: Default::default(),
            state: Default::default(),
            resv: DualReadRam::with_registered_write(),
            scratch: Default::default(),
            enable_q: Default::default(),
            completed: Default::default(),
            errors: Default::default(),
            ctx_en_q: Default::default(),
            db_pend_q: Default::default(),
            init_pend_q: Default::default(),
            init_pend_nx: Default::default(),
            tear_pend_q: Default::default(),
            tear_clear_mask: Default::default(),
            rd_sel: Default::default(),
            rd_cap: Default::default(),
            rd_ctx_q: Default::default(),
            rd_global: Default::default(),
            wr_err_q: Default::default(),
            wr_in_global_q: Default::default(),
            wr_in_cfg_q: Default::default(),
            wr_in_db_q: Default::default(),
            wr_ctx_q: Default::default(),
            wr_cfg_reg_q: Default::default(),
            wr_db_reg_q: Default::default(),
            wr_onehot_q: Default::default(),
            rd_fresh: Default::default(),
            rd_fresh2: Default::default(),
            rd_onehot: Default::default(),
            wr_cfg_off: Default::default(),
            wr_db_off: Default::default(),
            wr_in_global: Default::default(),
            wr_in_cfg: Default::default(),
            wr_in_db: Default::default(),
            wr_ctx: Default::default(),
            wr_cfg_reg: Default::default(),
            wr_db_reg: Default::default(),
            wr_ok: Default::default(),
            wr_onehot: Default::default(),
            rd_cfg_off: Default::default(),
            rd_db_off: Default::default(),
            rd_in_cfg: Default::default(),
            rd_in_db: Default::default(),
            rd_ctx: Default::default(),
            rd_cfg_reg: Default::default(),
            rd_db_reg: Default::default(),
            db_clear_mask: Default::default(),
            db_set_mask: Default::default(),
            init_clear_mask: Default::default(),
            one_n: crate::konst(1),
            zero_n: crate::konst(0),
            cfg_base: off(regs::CTX_CFG_BASE),
            db_base: off(regs::DOORBELL_BASE),
            cfg_shift: crate::konst(6),
            db_shift: crate::konst(12),
            cfg_hi_shift: crate::konst(6 + CB as u64),
            db_hi_shift: crate::konst(12 + CB as u64),
            zero_aw: crate::konst(0),
            g_id: off(regs::GLOBAL_BASE + regs::ID),
            g_version: off(regs::GLOBAL_BASE + regs::VERSION),
            g_scratch: off(regs::GLOBAL_BASE + regs::SCRATCH),
            g_control: off(regs::GLOBAL_BASE + regs::CONTROL),
            g_status: off(regs::GLOBAL_BASE + regs::STATUS),
            g_caps: off(regs::GLOBAL_BASE + regs::CAPS),
            g_completed: off(regs::GLOBAL_BASE + regs::COMPLETED),
            g_errors: off(regs::GLOBAL_BASE + regs::ERRORS),
            g_max_copy: off(regs::GLOBAL_BASE + regs::MAX_COPY_LEN),
            c_sq_lo: crate::konst(regs::CTX_SQ_BASE_LO),
            c_sq_hi: crate::konst(regs::CTX_SQ_BASE_HI),
            c_cq_lo: crate::konst(regs::CTX_CQ_BASE_LO),
            c_cq_hi: crate::konst(regs::CTX_CQ_BASE_HI),
            c_ring: crate::konst(regs::CTX_RING_CFG),
            c_control: crate::konst(regs::CTX_CONTROL),
            c_sq_head: crate::konst(regs::CTX_SQ_HEAD),
            c_irq_mod: crate::konst(regs::CTX_IRQ_MOD),
            c_identity: crate::konst(regs::CTX_IDENTITY),
            c_mem_base_lo: crate::konst(regs::CTX_MEM_BASE_LO),
            c_mem_base_hi: crate::konst(regs::CTX_MEM_BASE_HI),
            c_mem_last_lo: crate::konst(regs::CTX_MEM_LAST_LO),
            c_mem_last_hi: crate::konst(regs::CTX_MEM_LAST_HI),
            c_cq_tail: crate::konst(regs::CTX_CQ_TAIL),
            c_cq_reserved: crate::konst(regs::CTX_CQ_RESERVED),
            d_sq_tail: crate::konst(regs::DB_SQ_TAIL),
            d_cq_head: crate::konst(regs::DB_CQ_HEAD),
            v_id: crate::konst(regs::ID_VALUE as u64),
            v_version: crate::konst(regs::VERSION_VALUE as u64),
            v_caps: crate::konst(caps),
            v_max_copy: crate::konst(geometry::MAX_COPY_LEN as u64),
            v_unmapped: crate::konst(regs::UNMAPPED_READ as u64),
            ring_sq_shift: crate::konst(regs::RING_CFG_SQ_SHIFT as u64),
            ring_cq_shift: crate::konst(regs::RING_CFG_CQ_SHIFT as u64),
            ctl_vec_shift: crate::konst(regs::CTX_CONTROL_VECTOR_SHIFT as u64),
            ctl_poll_bit: crate::konst(regs::CTX_CONTROL_POLL.trailing_zeros() as u64),
            ctl_active_bit: crate::konst(regs::CTX_CONTROL_ACTIVE.trailing_zeros() as u64),
            ctl_tear_bit: crate::konst(regs::CTX_CONTROL_TEARDOWN.trailing_zeros() as u64),
            sq_align: crate::konst(!(desc::DESC_SIZE as u32 - 1) as u64),
            cq_align: crate::konst(!(desc::CQE_SIZE as u32 - 1) as u64),
            k_initial_phase: Constant::new(desc::CQ_INITIAL_PHASE),
            mod_count_shift: crate::konst(regs::IRQ_MOD_COUNT_SHIFT as u64),
            mod_time_shift: crate::konst(regs::IRQ_MOD_TIME_SHIFT as u64),
            phase_bit: crate::konst(regs::CQ_TAIL_PHASE_BIT as u64),
        }
    }
}

impl<const CB: usize, const N: usize> Logic for Csr<CB, N> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            scratch,
            enable_q,
            completed,
            errors,
            ctx_en_q,
            db_pend_q,
            init_pend_q,
            tear_pend_q,
            rd_sel,
            rd_cap,
            rd_ctx_q,
            rd_global,
            wr_err_q,
            wr_in_global_q,
            wr_in_cfg_q,
            wr_in_db_q,
            wr_ctx_q,
            wr_cfg_reg_q,
            wr_db_reg_q,
            wr_onehot_q,
            rd_fresh,
            rd_fresh2,
            rd_onehot
        );
        clock!(
            self,
            clock,
            sq_lo,
            sq_hi,
            cq_lo,
            cq_hi,
            ring,
            identity,
            mem_base_lo,
            mem_base_hi,
            mem_last_lo,
            mem_last_hi,
            sq_tail,
            cq_head,
            state,
            resv
        );
        self.vector.read_clock.next = self.clock.val();
        self.vector.write_clock.next = self.clock.val();
        self.poll.read_clock.next = self.clock.val();
        self.poll.write_clock.next = self.clock.val();
        self.irq_mod.read_clock.next = self.clock.val();
        self.irq_mod.write_clock.next = self.clock.val();

        // ---------------- write decode ----------------
        self.wr_cfg_off.next = self.reg_wr_addr.val() - self.cfg_base.val();
        self.wr_db_off.next = self.reg_wr_addr.val() - self.db_base.val();
        self.wr_in_global.next = self.reg_wr_addr.val() < self.cfg_base.val();
        self.wr_in_cfg.next = (self.reg_wr_addr.val() >= self.cfg_base.val())
            && ((self.wr_cfg_off.val() >> self.cfg_hi_shift.val()) == self.zero_aw.val());
        self.wr_in_db.next = (self.reg_wr_addr.val() >= self.db_base.val())
            && ((self.wr_db_off.val() >> self.db_hi_shift.val()) == self.zero_aw.val());
        self.wr_cfg_reg.next = self.wr_cfg_off.val().get_bits::<6>(0);
        self.wr_db_reg.next = self.wr_db_off.val().get_bits::<12>(0);
        if self.wr_in_db.val() {
            self.wr_ctx.next = self
                .wr_db_off
                .val()
                .get_bits::<CB>(self.db_shift.val().index());
        } else {
            self.wr_ctx.next = self
                .wr_cfg_off
                .val()
                .get_bits::<CB>(self.cfg_shift.val().index());
        }
        self.wr_onehot.next = self.one_n.val() << self.wr_ctx.val();
        self.wr_in_global_q.d.next = self.wr_in_global.val();
        self.wr_in_cfg_q.d.next = self.wr_in_cfg.val();
        self.wr_in_db_q.d.next = self.wr_in_db.val();
        self.wr_ctx_q.d.next = self.wr_ctx.val();
        self.wr_cfg_reg_q.d.next = self.wr_cfg_reg.val();
        self.wr_db_reg_q.d.next = self.wr_db_reg.val();
        self.wr_onehot_q.d.next = self.wr_onehot.val();

        // All table RAMs are written at wr_ctx with the bus data.
        self.sq_lo.wr_addr.next = self.wr_ctx_q.q.val();
        self.sq_hi.wr_addr.next = self.wr_ctx_q.q.val();
        self.cq_lo.wr_addr.next = self.wr_ctx_q.q.val();
        self.cq_hi.wr_addr.next = self.wr_ctx_q.q.val();
        self.ring.wr_addr.next = self.wr_ctx_q.q.val();
        self.vector.write_address.next = self.wr_ctx_q.q.val();
        self.poll.write_address.next = self.wr_ctx_q.q.val();
        self.irq_mod.write_address.next = self.wr_ctx_q.q.val();
        self.identity.wr_addr.next = self.wr_ctx_q.q.val();
        self.identity.wr_data.next = self.reg_wr_data.val();
        self.mem_base_lo.wr_addr.next = self.wr_ctx_q.q.val();
        self.mem_base_lo.wr_data.next = self.reg_wr_data.val();
        self.mem_base_hi.wr_addr.next = self.wr_ctx_q.q.val();
        self.mem_base_hi.wr_data.next = self.reg_wr_data.val();
        self.mem_last_lo.wr_addr.next = self.wr_ctx_q.q.val();
        self.mem_last_lo.wr_data.next = !self.reg_wr_data.val();
        self.mem_last_hi.wr_addr.next = self.wr_ctx_q.q.val();
        self.mem_last_hi.wr_data.next = !self.reg_wr_data.val();
        self.sq_tail.wr_addr.next = self.wr_ctx_q.q.val();
        self.cq_head.wr_addr.next = self.wr_ctx_q.q.val();
        // Ring bases are aligned to their entry size: the low bits are ignored.
        self.sq_lo.wr_data.next = self.reg_wr_data.val() & self.sq_align.val();
        self.sq_hi.wr_data.next = self.reg_wr_data.val();
        self.cq_lo.wr_data.next = self.reg_wr_data.val() & self.cq_align.val();
        self.cq_hi.wr_data.next = self.reg_wr_data.val();
        self.ring.wr_data.next = bit_cast::<8, 4>(
            self.reg_wr_data
                .val()
                .get_bits::<4>(self.ring_sq_shift.val().index()),
        ) | (bit_cast::<8, 4>(
            self.reg_wr_data
                .val()
                .get_bits::<4>(self.ring_cq_shift.val().index()),
        ) << 4);
        self.vector.write_data.next = self
            .reg_wr_data
            .val()
            .get_bits::<5>(self.ctl_vec_shift.val().index());
        self.poll.write_data.next = self.reg_wr_data.val().get_bit(self.ctl_poll_bit.val().index());
        self.irq_mod.write_data.next = bit_cast::<24, 8>(self.reg_wr_data.val().get_bits::<8>(self.mod_count_shift.val().index()))
            | (bit_cast::<24, 16>(self.reg_wr_data.val().get_bits::<16>(self.mod_time_shift.val().index())) << 8);
        // The interrupt moderator keeps its own copy of the settings.
        self.irq_cfg_ctx.next = self.wr_ctx_q.q.val();
        self.irq_on.next = !self.reg_wr_data.val().get_bit(self.ctl_poll_bit.val().index());
        self.irq_vector.next = self.reg_wr_data.val().get_bits::<5>(self.ctl_vec_shift.val().index());
        self.irq_count.next = self.reg_wr_data.val().get_bits::<8>(self.mod_count_shift.val().index());
        self.irq_time.next = self.reg_wr_data.val().get_bits::<16>(self.mod_time_shift.val().index());
        self.irq_ctl_en.next = false;
        self.irq_mod_en.next = false;
        self.sq_tail.wr_data.next = self.reg_wr_data.val().get_bits::<16>(0);
        self.cq_head.wr_data.next = self.reg_wr_data.val().get_bits::<16>(0);
        self.sq_lo.wr_en.next = false;
        self.sq_hi.wr_en.next = false;
        self.cq_lo.wr_en.next = false;
        self.cq_hi.wr_en.next = false;
        self.ring.wr_en.next = false;
        self.vector.write_enable.next = false;
        self.poll.write_enable.next = false;
        self.irq_mod.write_enable.next = false;
        self.identity.wr_en.next = false;
        self.mem_base_lo.wr_en.next = false;
        self.mem_base_hi.wr_en.next = false;
        self.mem_last_lo.wr_en.next = false;
        self.mem_last_hi.wr_en.next = false;
        self.sq_tail.wr_en.next = false;
        self.cq_head.wr_en.next = false;

        // Per-context flag updates: engine clears/sets first, then the bus.
        self.db_clear_mask.next = self.zero_n.val();
        if self.db_clear_en.val() {
            self.db_clear_mask.next = self.one_n.val() << self.db_clear_ctx.val();
        }
        self.db_set_mask.next = self.zero_n.val();
        if self.db_set_en.val() {
            self.db_set_mask.next = self.one_n.val() << self.db_set_ctx.val();
        }
        self.init_clear_mask.next = self.zero_n.val();
        if self.init_clear_en.val() {
            self.init_clear_mask.next = self.one_n.val() << self.init_clear_ctx.val();
        }
        self.db_pend_q.d.next =
            (self.db_pend_q.q.val() & !self.db_clear_mask.val()) | self.db_set_mask.val();
        self.init_pend_nx.next = self.init_pend_q.q.val() & !self.init_clear_mask.val();
        self.init_set.next = false;
        self.tear_clear_mask.next = self.zero_n.val();
        if self.tear_clear_en.val() {
            self.tear_clear_mask.next = self.one_n.val() << self.tear_clear_ctx.val();
        }
        self.tear_pend_q.d.next = self.tear_pend_q.q.val() & !self.tear_clear_mask.val();

        self.wr_ok.next = false;
        if self.wr_in_global_q.q.val() {
            if self.reg_wr_addr.val() == self.g_scratch.val() {
                self.wr_ok.next = true;
                if self.reg_wr_en.val() {
                    self.scratch.d.next = self.reg_wr_data.val();
                }
            }
            if self.reg_wr_addr.val() == self.g_control.val() {
                self.wr_ok.next = true;
                if self.reg_wr_en.val() {
                    self.enable_q.d.next = self.reg_wr_data.val().get_bit(0);
                }
            }
        }
        if self.wr_in_cfg_q.q.val() {
            if self.wr_cfg_reg_q.q.val() == self.c_sq_lo.val() {
                self.wr_ok.next = true;
                self.sq_lo.wr_en.next = self.reg_wr_en.val();
            }
            if self.wr_cfg_reg_q.q.val() == self.c_sq_hi.val() {
                self.wr_ok.next = true;
                self.sq_hi.wr_en.next = self.reg_wr_en.val();
            }
            if self.wr_cfg_reg_q.q.val() == self.c_cq_lo.val() {
                self.wr_ok.next = true;
                self.cq_lo.wr_en.next = self.reg_wr_en.val();
            }
            if self.wr_cfg_reg_q.q.val() == self.c_cq_hi.val() {
                self.wr_ok.next = true;
                self.cq_hi.wr_en.next = self.reg_wr_en.val();
            }
            if self.wr_cfg_reg_q.q.val() == self.c_ring.val() {
                self.wr_ok.next = true;
                self.ring.wr_en.next = self.reg_wr_en.val();
            }
            if self.wr_cfg_reg_q.q.val() == self.c_identity.val() {
                self.wr_ok.next = true;
                self.identity.wr_en.next = self.reg_wr_en.val();
            }
            if self.wr_cfg_reg_q.q.val() == self.c_mem_base_lo.val() {
                self.wr_ok.next = true;
                self.mem_base_lo.wr_en.next = self.reg_wr_en.val();
            }
            if self.wr_cfg_reg_q.q.val() == self.c_mem_base_hi.val() {
                self.wr_ok.next = true;
                self.mem_base_hi.wr_en.next = self.reg_wr_en.val();
            }
            if self.wr_cfg_reg_q.q.val() == self.c_mem_last_lo.val() {
                self.wr_ok.next = true;
                self.mem_last_lo.wr_en.next = self.reg_wr_en.val();
            }
            if self.wr_cfg_reg_q.q.val() == self.c_mem_last_hi.val() {
                self.wr_ok.next = true;
                self.mem_last_hi.wr_en.next = self.reg_wr_en.val();
            }
            if self.wr_cfg_reg_q.q.val() == self.c_irq_mod.val() {
                self.wr_ok.next = true;
                self.irq_mod.write_enable.next = self.reg_wr_en.val();
                self.irq_mod_en.next = self.reg_wr_en.val();
            }
            if self.wr_cfg_reg_q.q.val() == self.c_control.val() {
                self.wr_ok.next = true;
                if self.reg_wr_en.val() {
                    self.poll.write_enable.next = true;
                    self.irq_ctl_en.next = true;
                    // (Re)configuring a context resets its queues: doorbells
                    // to 0 here, engine state through init_pending.
                    self.vector.write_enable.next = true;
                    self.sq_tail.wr_en.next = true;
                    self.cq_head.wr_en.next = true;
                    self.sq_tail.wr_data.next = 0.into();
                    self.cq_head.wr_data.next = 0.into();
                    if self.reg_wr_data.val().get_bit(0) {
                        self.ctx_en_q.d.next = self.ctx_en_q.q.val() | self.wr_onehot_q.q.val();
                    } else {
                        self.ctx_en_q.d.next = self.ctx_en_q.q.val() & !self.wr_onehot_q.q.val();
                    }
                    self.init_pend_nx.next = (self.init_pend_q.q.val()
                        & !self.init_clear_mask.val())
                        | self.wr_onehot_q.q.val();
                    self.init_set.next = true;
                    if self.reg_wr_data.val().get_bit(self.ctl_tear_bit.val().index()) {
                        self.tear_pend_q.d.next = (self.tear_pend_q.q.val() & !self.tear_clear_mask.val())
                            | self.wr_onehot_q.q.val();
                    }
                }
            }
        }
        if self.wr_in_db_q.q.val() {
            if self.wr_db_reg_q.q.val() == self.d_sq_tail.val() {
                self.wr_ok.next = true;
                self.sq_tail.wr_en.next = self.reg_wr_en.val();
            }
            if self.wr_db_reg_q.q.val() == self.d_cq_head.val() {
                self.wr_ok.next = true;
                self.cq_head.wr_en.next = self.reg_wr_en.val();
            }
            if self.reg_wr_en.val()
                && ((self.wr_db_reg_q.q.val() == self.d_sq_tail.val())
                    || (self.wr_db_reg_q.q.val() == self.d_cq_head.val()))
            {
                self.db_pend_q.d.next = (self.db_pend_q.q.val() & !self.db_clear_mask.val())
                    | self.db_set_mask.val()
                    | self.wr_onehot_q.q.val();
            }
        }
        // Registered: the bus answers the write a cycle later (no combinational
        // path back into the AXI-Lite block).
        self.wr_err_q.d.next = !self.wr_ok.val();
        self.reg_wr_err.next = self.wr_err_q.q.val();

        // ---------------- engine side ----------------
        self.enable.next = self.enable_q.q.val();
        self.ctx_enabled.next = self.ctx_en_q.q.val();
        self.db_pending.next = self.db_pend_q.q.val();
        self.init_pending.next = self.init_pend_q.q.val();
        self.tear_pending.next = self.tear_pend_q.q.val();
        self.sq_lo.a_addr.next = self.cfg_ctx.val();
        self.sq_hi.a_addr.next = self.cfg_ctx.val();
        self.cq_lo.a_addr.next = self.cfg_ctx.val();
        self.cq_hi.a_addr.next = self.cfg_ctx.val();
        self.ring.a_addr.next = self.cfg_ctx.val();
        self.sq_tail.a_addr.next = self.cfg_ctx.val();
        self.cq_head.a_addr.next = self.cfg_ctx.val();
        self.state.a_addr.next = self.cfg_ctx.val();
        self.identity.a_addr.next = self.cfg_ctx.val();
        self.mem_base_lo.a_addr.next = self.cfg_ctx.val();
        self.mem_base_hi.a_addr.next = self.cfg_ctx.val();
        self.mem_last_lo.a_addr.next = self.cfg_ctx.val();
        self.mem_last_hi.a_addr.next = self.cfg_ctx.val();
        self.resv.a_addr.next = self.cfg_ctx.val();
        self.st_resv.next = self.resv.a_data.val();
        self.resv.wr_en.next = self.resv_wr_en.val();
        self.resv.wr_addr.next = self.resv_wr_ctx.val();
        self.resv.wr_data.next = self.resv_wr_data.val();
        self.cfg_identity.next = self.identity.a_data.val();
        self.cfg_mem_base.next = (bit_cast::<64, 32>(self.mem_base_hi.a_data.val()) << 32)
            | bit_cast::<64, 32>(self.mem_base_lo.a_data.val());
        self.cfg_mem_last.next = !((bit_cast::<64, 32>(self.mem_last_hi.a_data.val()) << 32)
            | bit_cast::<64, 32>(self.mem_last_lo.a_data.val()));
        self.cfg_sq_base.next = (bit_cast::<64, 32>(self.sq_hi.a_data.val()) << 32)
            | bit_cast::<64, 32>(self.sq_lo.a_data.val());
        self.cfg_cq_base.next = (bit_cast::<64, 32>(self.cq_hi.a_data.val()) << 32)
            | bit_cast::<64, 32>(self.cq_lo.a_data.val());
        self.cfg_sq_log2.next = self.ring.a_data.val().get_bits::<4>(0);
        self.cfg_cq_log2.next = self.ring.a_data.val().get_bits::<4>(4);
        self.cfg_sq_tail.next = self.sq_tail.a_data.val();
        self.cfg_cq_head.next = self.cq_head.a_data.val();
        self.st_sq_head.next = self.state.a_data.val().get_bits::<16>(0);
        self.st_cq_tail.next = self.state.a_data.val().get_bits::<16>(16);
        self.st_phase.next = self.state.a_data.val().get_bit(32);
        self.state.wr_en.next = self.st_wr_en.val();
        self.state.wr_addr.next = self.st_wr_ctx.val();
        self.state.wr_data.next = bit_cast::<33, 16>(self.st_wr_sq_head.val())
            | (bit_cast::<33, 16>(self.st_wr_cq_tail.val()) << 16)
            | (bit_cast::<33, 1>(self.st_wr_phase.val().into()) << 32);
        if self.count_done.val() {
            self.completed.d.next = self.completed.q.val() + 1;
        }
        if self.count_error.val() {
            self.errors.d.next = self.errors.q.val() + 1;
        }

        // ---------------- read decode ----------------
        self.rd_cfg_off.next = self.reg_rd_addr.val() - self.cfg_base.val();
        self.rd_db_off.next = self.reg_rd_addr.val() - self.db_base.val();
        self.rd_in_cfg.next = (self.reg_rd_addr.val() >= self.cfg_base.val())
            && ((self.rd_cfg_off.val() >> self.cfg_hi_shift.val()) == self.zero_aw.val());
        self.rd_in_db.next = (self.reg_rd_addr.val() >= self.db_base.val())
            && ((self.rd_db_off.val() >> self.db_hi_shift.val()) == self.zero_aw.val());
        self.rd_cfg_reg.next = self.rd_cfg_off.val().get_bits::<6>(0);
        self.rd_db_reg.next = self.rd_db_off.val().get_bits::<12>(0);
        if self.rd_in_db.val() {
            self.rd_ctx.next = self
                .rd_db_off
                .val()
                .get_bits::<CB>(self.db_shift.val().index());
        } else {
            self.rd_ctx.next = self
                .rd_cfg_off
                .val()
                .get_bits::<CB>(self.cfg_shift.val().index());
        }
        if self.reg_rd_en.val() {
            self.rd_ctx_q.d.next = self.rd_ctx.val();
            self.rd_onehot.d.next = self.one_n.val() << self.rd_ctx.val();
            self.rd_sel.d.next = ReadSource::Unmapped;
            self.rd_cap.d.next = Captured::Nothing;
            if self.reg_rd_addr.val() == self.g_id.val() {
                self.rd_sel.d.next = ReadSource::Global;
                self.rd_cap.d.next = Captured::Id;
            }
            if self.reg_rd_addr.val() == self.g_version.val() {
                self.rd_sel.d.next = ReadSource::Global;
                self.rd_cap.d.next = Captured::Version;
            }
            if self.reg_rd_addr.val() == self.g_scratch.val() {
                self.rd_sel.d.next = ReadSource::Global;
                self.rd_cap.d.next = Captured::Scratch;
            }
            if self.reg_rd_addr.val() == self.g_control.val() {
                self.rd_sel.d.next = ReadSource::Global;
                self.rd_cap.d.next = Captured::Control;
            }
            if self.reg_rd_addr.val() == self.g_status.val() {
                self.rd_sel.d.next = ReadSource::Global;
                self.rd_cap.d.next = Captured::Status;
            }
            if self.reg_rd_addr.val() == self.g_caps.val() {
                self.rd_sel.d.next = ReadSource::Global;
                self.rd_cap.d.next = Captured::Caps;
            }
            if self.reg_rd_addr.val() == self.g_completed.val() {
                self.rd_sel.d.next = ReadSource::Global;
                self.rd_cap.d.next = Captured::Completed;
            }
            if self.reg_rd_addr.val() == self.g_errors.val() {
                self.rd_sel.d.next = ReadSource::Global;
                self.rd_cap.d.next = Captured::Errors;
            }
            if self.reg_rd_addr.val() == self.g_max_copy.val() {
                self.rd_sel.d.next = ReadSource::Global;
                self.rd_cap.d.next = Captured::MaxCopy;
            }
            if self.rd_in_cfg.val() {
                if self.rd_cfg_reg.val() == self.c_sq_lo.val() {
                    self.rd_sel.d.next = ReadSource::SqBaseLo;
                }
                if self.rd_cfg_reg.val() == self.c_sq_hi.val() {
                    self.rd_sel.d.next = ReadSource::SqBaseHi;
                }
                if self.rd_cfg_reg.val() == self.c_cq_lo.val() {
                    self.rd_sel.d.next = ReadSource::CqBaseLo;
                }
                if self.rd_cfg_reg.val() == self.c_cq_hi.val() {
                    self.rd_sel.d.next = ReadSource::CqBaseHi;
                }
                if self.rd_cfg_reg.val() == self.c_ring.val() {
                    self.rd_sel.d.next = ReadSource::RingCfg;
                }
                if self.rd_cfg_reg.val() == self.c_control.val() {
                    self.rd_sel.d.next = ReadSource::Control;
                    self.rd_cap.d.next = Captured::CtxControl;
                }
                if self.rd_cfg_reg.val() == self.c_sq_head.val() {
                    self.rd_sel.d.next = ReadSource::SqHead;
                }
                if self.rd_cfg_reg.val() == self.c_irq_mod.val() {
                    self.rd_sel.d.next = ReadSource::IrqMod;
                }
                if self.rd_cfg_reg.val() == self.c_identity.val() {
                    self.rd_sel.d.next = ReadSource::Identity;
                }
                if self.rd_cfg_reg.val() == self.c_mem_base_lo.val() {
                    self.rd_sel.d.next = ReadSource::MemBaseLo;
                }
                if self.rd_cfg_reg.val() == self.c_mem_base_hi.val() {
                    self.rd_sel.d.next = ReadSource::MemBaseHi;
                }
                if self.rd_cfg_reg.val() == self.c_mem_last_lo.val() {
                    self.rd_sel.d.next = ReadSource::MemLastLo;
                }
                if self.rd_cfg_reg.val() == self.c_mem_last_hi.val() {
                    self.rd_sel.d.next = ReadSource::MemLastHi;
                }
                if self.rd_cfg_reg.val() == self.c_cq_tail.val() {
                    self.rd_sel.d.next = ReadSource::CqTail;
                }
                if self.rd_cfg_reg.val() == self.c_cq_reserved.val() {
                    self.rd_sel.d.next = ReadSource::CqReserved;
                }
            }
            if self.rd_in_db.val() {
                if self.rd_db_reg.val() == self.d_sq_tail.val() {
                    self.rd_sel.d.next = ReadSource::DbSqTail;
                }
                if self.rd_db_reg.val() == self.d_cq_head.val() {
                    self.rd_sel.d.next = ReadSource::DbCqHead;
                }
            }
        }
        // The decoded read, a cycle later: the RAMs read at its context and
        // the captured value taken (both held until the next strobe).
        self.sq_lo.b_addr.next = self.rd_ctx_q.q.val();
        self.sq_hi.b_addr.next = self.rd_ctx_q.q.val();
        self.cq_lo.b_addr.next = self.rd_ctx_q.q.val();
        self.cq_hi.b_addr.next = self.rd_ctx_q.q.val();
        self.ring.b_addr.next = self.rd_ctx_q.q.val();
        self.vector.read_address.next = self.rd_ctx_q.q.val();
        self.poll.read_address.next = self.rd_ctx_q.q.val();
        self.irq_mod.read_address.next = self.rd_ctx_q.q.val();
        self.identity.b_addr.next = self.rd_ctx_q.q.val();
        self.mem_base_lo.b_addr.next = self.rd_ctx_q.q.val();
        self.mem_base_hi.b_addr.next = self.rd_ctx_q.q.val();
        self.mem_last_lo.b_addr.next = self.rd_ctx_q.q.val();
        self.mem_last_hi.b_addr.next = self.rd_ctx_q.q.val();
        self.resv.b_addr.next = self.rd_ctx_q.q.val();
        self.sq_tail.b_addr.next = self.rd_ctx_q.q.val();
        self.cq_head.b_addr.next = self.rd_ctx_q.q.val();
        self.state.b_addr.next = self.rd_ctx_q.q.val();
        self.rd_fresh.d.next = (self.init_pend_q.q.val() & self.rd_onehot.q.val()) != self.zero_n.val();
        self.rd_fresh2.d.next = self.rd_fresh.q.val();
        match self.rd_cap.q.val() {
            Captured::Id => {
                self.rd_global.d.next = self.v_id.val();
            }
            Captured::Version => {
                self.rd_global.d.next = self.v_version.val();
            }
            Captured::Scratch => {
                self.rd_global.d.next = self.scratch.q.val();
            }
            Captured::Control => {
                self.rd_global.d.next = bit_cast::<32, 1>(self.enable_q.q.val().into());
            }
            Captured::Status => {
                self.rd_global.d.next = bit_cast::<32, 1>(self.busy.val().into())
                    | (bit_cast::<32, 1>(
                        ((self.db_pend_q.q.val() != self.zero_n.val())
                            || (self.init_pend_q.q.val() != self.zero_n.val())
                            || (self.tear_pend_q.q.val() != self.zero_n.val()))
                            .into(),
                    ) << 1);
            }
            Captured::Caps => {
                self.rd_global.d.next = self.v_caps.val();
            }
            Captured::Completed => {
                self.rd_global.d.next = self.completed.q.val();
            }
            Captured::Errors => {
                self.rd_global.d.next = self.errors.q.val();
            }
            Captured::MaxCopy => {
                self.rd_global.d.next = self.v_max_copy.val();
            }
            Captured::CtxControl => {
                self.rd_global.d.next = bit_cast::<32, 1>(
                    ((self.ctx_en_q.q.val() & self.rd_onehot.q.val()) != self.zero_n.val()).into(),
                ) | (bit_cast::<32, 1>(
                    (self.engine_active.val() && (self.engine_ctx.val() == self.rd_ctx_q.q.val())).into(),
                ) << self.ctl_active_bit.val())
                    | (bit_cast::<32, 1>(((self.tear_pend_q.q.val() & self.rd_onehot.q.val()) != self.zero_n.val()).into())
                        << self.ctl_tear_bit.val());
            }
            Captured::Nothing => {
                self.rd_global.d.next = 0.into();
            }
        }
        self.reg_rd_err.next = false;
        match self.rd_sel.q.val() {
            ReadSource::Global => {
                self.reg_rd_data.next = self.rd_global.q.val();
            }
            ReadSource::SqBaseLo => {
                self.reg_rd_data.next = self.sq_lo.b_data.val();
            }
            ReadSource::SqBaseHi => {
                self.reg_rd_data.next = self.sq_hi.b_data.val();
            }
            ReadSource::CqBaseLo => {
                self.reg_rd_data.next = self.cq_lo.b_data.val();
            }
            ReadSource::CqBaseHi => {
                self.reg_rd_data.next = self.cq_hi.b_data.val();
            }
            ReadSource::RingCfg => {
                self.reg_rd_data.next = bit_cast::<32, 4>(self.ring.b_data.val().get_bits::<4>(0))
                    | (bit_cast::<32, 4>(self.ring.b_data.val().get_bits::<4>(4)) << 8);
            }
            ReadSource::Control => {
                self.reg_rd_data.next = self.rd_global.q.val()
                    | (bit_cast::<32, 1>(self.poll.read_data.val().into()) << self.ctl_poll_bit.val())
                    | (bit_cast::<32, 5>(self.vector.read_data.val()) << self.ctl_vec_shift.val());
            }
            ReadSource::Identity => {
                self.reg_rd_data.next = self.identity.b_data.val();
            }
            ReadSource::MemBaseLo => {
                self.reg_rd_data.next = self.mem_base_lo.b_data.val();
            }
            ReadSource::MemBaseHi => {
                self.reg_rd_data.next = self.mem_base_hi.b_data.val();
            }
            ReadSource::MemLastLo => {
                self.reg_rd_data.next = !self.mem_last_lo.b_data.val();
            }
            ReadSource::MemLastHi => {
                self.reg_rd_data.next = !self.mem_last_hi.b_data.val();
            }
            ReadSource::IrqMod => {
                self.reg_rd_data.next = (bit_cast::<32, 8>(self.irq_mod.read_data.val().get_bits::<8>(0))
                    << self.mod_count_shift.val())
                    | (bit_cast::<32, 16>(self.irq_mod.read_data.val().get_bits::<16>(8)) << self.mod_time_shift.val());
            }
            // A context whose reset the engine has not run yet reads as reset.
            ReadSource::SqHead => {
                if self.rd_fresh2.q.val() {
                    self.reg_rd_data.next = 0.into();
                } else {
                    self.reg_rd_data.next = bit_cast::<32, 16>(self.state.b_data.val().get_bits::<16>(0));
                }
            }
            ReadSource::CqTail => {
                if self.rd_fresh2.q.val() {
                    self.reg_rd_data.next =
                        bit_cast::<32, 1>(self.k_initial_phase.val().into()) << self.phase_bit.val();
                } else {
                    self.reg_rd_data.next = bit_cast::<32, 16>(self.state.b_data.val().get_bits::<16>(16))
                        | (bit_cast::<32, 1>(self.state.b_data.val().get_bits::<1>(32)) << self.phase_bit.val());
                }
            }
            ReadSource::CqReserved => {
                if self.rd_fresh2.q.val() {
                    self.reg_rd_data.next = 0.into();
                } else {
                    self.reg_rd_data.next = bit_cast::<32, 16>(self.resv.b_data.val());
                }
            }
            ReadSource::DbSqTail => {
                self.reg_rd_data.next = bit_cast::<32, 16>(self.sq_tail.b_data.val());
            }
            ReadSource::DbCqHead => {
                self.reg_rd_data.next = bit_cast::<32, 16>(self.cq_head.b_data.val());
            }
            _ => {
                self.reg_rd_data.next = self.v_unmapped.val();
                self.reg_rd_err.next = true;
            }
        }

        if self.rst.val() {
            self.enable_q.d.next = false;
            self.ctx_en_q.d.next = self.zero_n.val();
            self.db_pend_q.d.next = self.zero_n.val();
            self.init_pend_nx.next = self.zero_n.val();
            self.init_set.next = false;
            self.tear_pend_q.d.next = self.zero_n.val();
            self.completed.d.next = 0.into();
            self.errors.d.next = 0.into();
        }
        self.init_pend_q.d.next = self.init_pend_nx.val();
        self.init_set_onehot.next = self.wr_onehot_q.q.val();
    }
}
