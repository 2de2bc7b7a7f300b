//! Sections and views: the tables behind ALPC's zero-copy mode, and the
//! checks on every use of them.
//!
//! A *section* is memory a context registered (IOVA, size, access bits,
//! owner); a *view* is a range of a section that its owner granted the peer
//! of one of its connections (section, offset, size, access, grantor,
//! grantee, the port it was granted through). The engine asks this block
//! one command at a time and waits for `done`:
//!
//! | command | checks (first failing one is the status) | result |
//! |---|---|---|
//! | `SECTION_CREATE` | size ≠ 0 and rights ∈ 1..=3 (BAD_ARGUMENT); range inside 2^64 and the context's window (BAD_ADDRESS); free entry (NO_RESOURCES) | handle |
//! | `SECTION_DELETE` | live, generation, owner (BAD_HANDLE) | its views freed, then it |
//! | `VIEW_CREATE` | section live/generation/owner (BAD_HANDLE); size ≠ 0, rights ∈ 1..=3 (BAD_ARGUMENT); rights ⊆ section's (ACCESS_DENIED); range inside the section (BAD_ADDRESS); free entry (NO_RESOURCES) | handle |
//! | `VIEW_REVOKE` | live, generation, grantor or grantee (BAD_HANDLE) | freed |
//! | `RESOLVE` (COPY) | live, generation, grantee (BAD_HANDLE); right (ACCESS_DENIED); range inside the view (BAD_ADDRESS) | IOVA |
//! | `ATTACH` (message) | payload ≤ 224 (TOO_LARGE); live, generation, grantor, port, grantee = the receiver (BAD_HANDLE) | view record |
//! | `TEARDOWN` | — | views granted by or to the context, then its sections, freed |
//! | `FIND_POSTED` (large message) | a live buffer the port's owner posted on it, large enough (RECEIVER_BUSY) | the lowest-numbered one used up; its record |
//!
//! A posted receive buffer (mode 3, POST_BUFFER) is a view entry marked
//! *posted* that its owner granted itself, with write access, through the
//! port large messages arrive on.
//!
//! Entries live in [`PipelinedRam`]s: an entry arrives three cycles after
//! its address, from a register, so no path starts at a block RAM's slow
//! output or ends in a RAM's address decode (timing; see
//! `docs/architecture.md`, "Timing"). A state reads what it may need
//! before deciding whether it needs it (reads have no side effects), so
//! the latency costs few cycles. Every decision is split the same way: an
//! entry's checks are compared into flags, every cycle, from the read
//! register, and acted on in the next cycle; the command's own checks
//! (argument, ranges, sizes) are computed from it as it is latched. Scans
//! (delete, teardown, FIND_POSTED) read one entry per cycle through a
//! pipeline: address, RAM, read register (compared into `hit`), act (free,
//! or stop at the first posted buffer). Allocation uses
//! [`HandleAllocator`], so handles follow the reference model's order
//! (`alpc_model::sections`), and generations start at 1 and skip 0 when
//! they wrap. After reset the block clears both tables (`busy` meanwhile).

use crate::handle_allocator::HandleAllocator;
use crate::pipelined_ram::PipelinedRam;
use crate::window_check::WindowCheck;
use alpc_contract::{geometry, Status};
use rust_hdl::prelude::*;

/// log2 of the section-table entries.
const SB: usize = geometry::SECTION_BITS;
/// log2 of the view-table entries.
const VB: usize = geometry::VIEW_BITS;
/// Section-entry width.
const SE_BITS: usize = 123;
/// View-entry width.
const VE_BITS: usize = 124;

/// Section entry layout (internal).
mod se {
    pub const GEN: u64 = 1; // 16 bits; bit 0 is LIVE
    pub const OWNER: u64 = 17; // 8
    pub const ACCESS: u64 = 25; // 2
    pub const BASE: u64 = 27; // 64
    pub const LEN: u64 = 91; // 32
    const _: () = assert!(LEN + 32 == super::SE_BITS as u64);
}

/// View entry layout (internal).
mod ve {
    pub const GEN: u64 = 1; // 16 bits; bit 0 is LIVE
    pub const SEC: u64 = 17; // 8
    pub const GRANTOR: u64 = 25; // 8
    pub const GRANTEE: u64 = 33; // 8
    pub const PORT: u64 = 41; // 16
    pub const ACCESS: u64 = 57; // 2
    pub const OFFSET: u64 = 59; // 32
    pub const LEN: u64 = 91; // 32
    pub const POSTED: u64 = 123; // 1
    const _: () = assert!(POSTED + 1 == super::VE_BITS as u64);
}

// The update below spells the layouts' offsets as literals (RustHDL's
// kernel language takes no paths there); these keep them in step.
const _: () = assert!(se::GEN == 1 && se::OWNER == 17 && se::ACCESS == 25 && se::BASE == 27 && se::LEN == 91);
const _: () = assert!(ve::GEN == 1 && ve::SEC == 17 && ve::GRANTOR == 25 && ve::GRANTEE == 33);
const _: () = assert!(ve::PORT == 41 && ve::ACCESS == 57 && ve::OFFSET == 59 && ve::LEN == 91 && ve::POSTED == 123);

/// Command codes on [`SectionTable::op`].
pub mod op {
    /// Register a section.
    pub const SECTION_CREATE: u64 = 1;
    /// Delete a section and its views.
    pub const SECTION_DELETE: u64 = 2;
    /// Grant a view.
    pub const VIEW_CREATE: u64 = 3;
    /// Revoke or give up a view.
    pub const VIEW_REVOKE: u64 = 4;
    /// A COPY side names a view: its IOVA.
    pub const RESOLVE: u64 = 5;
    /// A message carries a view: its record.
    pub const ATTACH: u64 = 6;
    /// A context died.
    pub const TEARDOWN: u64 = 7;
    /// A large message arrives: use up a posted buffer.
    pub const FIND_POSTED: u64 = 8;
}

/// Bits of the scan counter: a table's entries plus the pipeline's four
/// stages to drain.
const SCAN_BITS: usize = VB + 1;
const _: () = assert!(VB >= SB && geometry::VIEWS + 3 < (1 << SCAN_BITS));

/// States of the table's sequencer.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum TableState {
    /// Clearing both tables after reset.
    Sweep,
    /// Waiting for a command; the named entry of both tables is read (for
    /// SECTION_CREATE, the section the allocator would hand out).
    Idle,
    /// SECTION_CREATE: the range checks compared into flags.
    SecCreate,
    /// SECTION_CREATE: acting on the checks (allocation).
    SecAlloc,
    /// SECTION_CREATE: entry written.
    SecWrite,
    /// SECTION_DELETE / VIEW_CREATE: the named section on its way.
    SecRead,
    /// SECTION_DELETE / VIEW_CREATE: the named section on its way.
    SecRead2,
    /// SECTION_DELETE / VIEW_CREATE: the named section's checks latched;
    /// the view the allocator would hand out read.
    SecCheck,
    /// SECTION_DELETE / VIEW_CREATE: acting on them.
    SecAct,
    /// VIEW_CREATE: the new view's entry on its way.
    ViewAlloc,
    /// VIEW_CREATE: entry written.
    ViewWrite,
    /// VIEW_REVOKE / RESOLVE / ATTACH: the named view on its way.
    ViewRead,
    /// VIEW_REVOKE / RESOLVE / ATTACH: the named view on its way.
    ViewRead2,
    /// VIEW_REVOKE / RESOLVE / ATTACH: the named view's checks latched; its
    /// section read.
    ViewCheck,
    /// VIEW_REVOKE / RESOLVE / ATTACH: acting on them.
    ViewAct,
    /// RESOLVE / ATTACH: the view's section on its way.
    ViewWait,
    /// RESOLVE / ATTACH: result computed.
    ViewUse,
    /// Scanning the view table (a section's views, or a dead context's).
    ViewScan,
    /// SECTION_DELETE: the section itself freed.
    SecFree,
    /// TEARDOWN: scanning the section table.
    SecScan,
    /// FIND_POSTED: scanning the view table for a posted buffer.
    PostScan,
    /// FIND_POSTED: the buffer's section on its way.
    FindWait,
    /// FIND_POSTED: record computed.
    FindUse,
    /// Result valid (`done`).
    Finish,
}

/// See the module documentation.
#[derive(LogicBlock)]
pub struct SectionTable {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset: both tables cleared, allocators restarted.
    pub rst: Signal<In, Bit>,
    /// Start the command on the inputs (only while not `busy`).
    pub start: Signal<In, Bit>,
    /// Command ([`op`]).
    pub op: Signal<In, Bits<4>>,
    /// The context asking.
    pub ctx: Signal<In, Bits<8>>,
    /// Section or view handle the command names.
    pub handle: Signal<In, Bits<32>>,
    /// SECTION_CREATE: the section's IOVA.
    pub addr: Signal<In, Bits<64>>,
    /// Size (SECTION_CREATE, VIEW_CREATE), COPY length (RESOLVE) or
    /// payload length (ATTACH).
    pub len: Signal<In, Bits<32>>,
    /// Offset in the section (VIEW_CREATE) or the view (RESOLVE).
    pub offset: Signal<In, Bits<32>>,
    /// Access bits asked for (the descriptor's whole field, so that stray
    /// bits are refused), or the right RESOLVE needs.
    pub rights: Signal<In, Bits<64>>,
    /// The context's window, first IOVA.
    pub win_base: Signal<In, Bits<64>>,
    /// The context's window, last IOVA.
    pub win_last: Signal<In, Bits<64>>,
    /// VIEW_CREATE: the context the view is granted to; ATTACH: the
    /// message's receiver; FIND_POSTED: the owner of the receiving port.
    pub grantee: Signal<In, Bits<8>>,
    /// VIEW_CREATE / ATTACH / FIND_POSTED: the port index the view goes
    /// through (or the buffer was posted on).
    pub port: Signal<In, Bits<16>>,
    /// VIEW_CREATE: the entry is a posted receive buffer (POST_BUFFER).
    pub posted: Signal<In, Bit>,
    /// Sweeping or working on a command.
    pub busy: Signal<Out, Bit>,
    /// One cycle: the command finished; the outputs below are valid.
    pub done: Signal<Out, Bit>,
    /// The command's status (`alpc_contract::Status`).
    pub status: Signal<Out, Bits<8>>,
    /// Created handle (0 on failure), or the attached view's.
    pub out_handle: Signal<Out, Bits<32>>,
    /// RESOLVE: IOVA of the range; ATTACH: IOVA of the view.
    pub out_addr: Signal<Out, Bits<64>>,
    /// ATTACH: the view's size.
    pub out_len: Signal<Out, Bits<32>>,
    /// ATTACH: the view's access bits.
    pub out_access: Signal<Out, Bits<32>>,

    state: DFF<TableState>,
    // The command, latched, with what can be decided from it alone.
    l_ctx: DFF<Bits<8>>,
    l_handle: DFF<Bits<32>>,
    l_addr: DFF<Bits<64>>,
    l_len: DFF<Bits<32>>,
    l_off: DFF<Bits<32>>,
    l_rights2: DFF<Bits<2>>,
    l_posted: DFF<Bit>,
    l_grantee: DFF<Bits<8>>,
    l_port: DFF<Bits<16>>,
    l_range_end: DFF<Bits<33>>,
    l_arg_bad: DFF<Bit>,
    l_too_big: DFF<Bit>,
    o_delete: DFF<Bit>,
    o_revoke: DFF<Bit>,
    o_resolve: DFF<Bit>,
    o_attach: DFF<Bit>,
    // Scans: `scan` is the address read this cycle; stage a holds it in the
    // RAM's address register, stage b in its read register, stage c on
    // `rd_data` (compared into `hit`), stage h is the entry `hit` is about
    // (acted on). `_ok`: the stage holds an entry of the table.
    scan: DFF<Bits<SCAN_BITS>>,
    scan_td: DFF<Bit>,
    pa_idx: DFF<Bits<VB>>,
    pa_ok: DFF<Bit>,
    pb_idx: DFF<Bits<VB>>,
    pb_ok: DFF<Bit>,
    pc_idx: DFF<Bits<VB>>,
    pc_ok: DFF<Bit>,
    ph_idx: DFF<Bits<VB>>,
    hit: DFF<Bit>,
    h_off: DFF<Bits<32>>,
    h_sec: DFF<Bits<8>>,
    h_gen: DFF<Bits<16>>,
    h_gen_next: DFF<Bits<16>>,
    // The entry being worked on.
    s_idx: DFF<Bits<8>>,
    s_gen: DFF<Bits<16>>,
    n_idx: DFF<Bits<8>>,
    n_fresh: DFF<Bit>,
    v_off_q: DFF<Bits<32>>,
    v_len_q: DFF<Bits<32>>,
    v_acc_q: DFF<Bits<2>>,
    off_sum: DFF<Bits<64>>,
    // Results.
    st_q: DFF<Bits<8>>,
    handle_q: DFF<Bits<32>>,
    addr_q: DFF<Bits<64>>,
    len_q: DFF<Bits<32>>,
    access_q: DFF<Bits<32>>,
    // An entry's checks, compared every cycle from the read register (`_s`
    // a section's, `_v` a view's) and acted on in the next.
    chk_bad_s: DFF<Bit>,
    chk_acc_s: DFF<Bit>,
    chk_range_s: DFF<Bit>,
    chk_bad_v: DFF<Bit>,
    chk_acc_v: DFF<Bit>,
    chk_range_v: DFF<Bit>,
    chk_grantor: DFF<Bit>,
    chk_grantee: DFF<Bit>,
    chk_port: DFF<Bit>,
    chk_to: DFF<Bit>,
    window: WindowCheck,
    sec_alloc: HandleAllocator<SB>,
    view_alloc: HandleAllocator<VB>,
    secs: PipelinedRam<Bits<SE_BITS>, SB>,
    views: PipelinedRam<Bits<VE_BITS>, VB>,

    // Decoded read data of each table (registers: `PipelinedRam`).
    s_live: Signal<Local, Bit>,
    s_gen_rd: Signal<Local, Bits<16>>,
    s_gen_next: Signal<Local, Bits<16>>,
    s_owner: Signal<Local, Bits<8>>,
    s_access: Signal<Local, Bits<2>>,
    s_base: Signal<Local, Bits<64>>,
    s_len: Signal<Local, Bits<32>>,
    v_live: Signal<Local, Bit>,
    v_gen_rd: Signal<Local, Bits<16>>,
    v_gen_next: Signal<Local, Bits<16>>,
    v_sec: Signal<Local, Bits<8>>,
    v_grantor: Signal<Local, Bits<8>>,
    v_grantee: Signal<Local, Bits<8>>,
    v_port: Signal<Local, Bits<16>>,
    v_access: Signal<Local, Bits<2>>,
    v_offset: Signal<Local, Bits<32>>,
    v_length: Signal<Local, Bits<32>>,
    v_posted: Signal<Local, Bit>,
    // Checks on the latched handle.
    h_gen_of: Signal<Local, Bits<16>>,
    h_sec_in_range: Signal<Local, Bit>,
    h_view_in_range: Signal<Local, Bit>,
    // Entry being written.
    sw_clear: Signal<Local, Bit>,
    sw_gen: Signal<Local, Bits<16>>,
    vw_clear: Signal<Local, Bit>,
    vw_gen: Signal<Local, Bits<16>>,

    k_ok: Constant<Bits<8>>,
    k_bad_handle: Constant<Bits<8>>,
    k_bad_argument: Constant<Bits<8>>,
    k_bad_address: Constant<Bits<8>>,
    k_no_resources: Constant<Bits<8>>,
    k_access_denied: Constant<Bits<8>>,
    k_too_large: Constant<Bits<8>>,
    k_receiver_busy: Constant<Bits<8>>,
    k_op_sec_create: Constant<Bits<4>>,
    k_op_sec_delete: Constant<Bits<4>>,
    k_op_view_create: Constant<Bits<4>>,
    k_op_view_revoke: Constant<Bits<4>>,
    k_op_resolve: Constant<Bits<4>>,
    k_op_attach: Constant<Bits<4>>,
    k_op_teardown: Constant<Bits<4>>,
    k_op_find: Constant<Bits<4>>,
    k_rights_max: Constant<Bits<64>>,
    k_gen_max: Constant<Bits<16>>,
    k_sb: Constant<Bits<16>>,
    k_vb: Constant<Bits<16>>,
    k_secs: Constant<Bits<SCAN_BITS>>,
    k_secs_end: Constant<Bits<SCAN_BITS>>,
    k_views: Constant<Bits<SCAN_BITS>>,
    k_views_last: Constant<Bits<SCAN_BITS>>,
    k_views_end: Constant<Bits<SCAN_BITS>>,
    k_max_view_msg: Constant<Bits<32>>,
    k_write: Constant<Bits<2>>,
}

impl Default for SectionTable {
    fn default() -> Self {
        let st = |s: Status| crate::konst::<8>(s as u64);
        Self {
            clock: Default::default(),
            rst: Default::default(),
            start: Default::default(),
            op: Default::default(),
            ctx: Default::default(),
            handle: Default::default(),
            addr: Default::default(),
            len: Default::default(),
            offset: Default::default(),
            rights: Default::default(),
            win_base: Default::default(),
            win_last: Default::default(),
            grantee: Default::default(),
            port: Default::default(),
            posted: Default::default(),
            busy: Default::default(),
            done: Default::default(),
            status: Default::default(),
            out_handle: Default::default(),
            out_addr: Default::default(),
            out_len: Default::default(),
            out_access: Default::default(),
            state: Default::default(),
            l_ctx: Default::default(),
            l_handle: Default::default(),
            l_addr: Default::default(),
            l_len: Default::default(),
            l_off: Default::default(),
            l_rights2: Default::default(),
            l_posted: Default::default(),
            l_grantee: Default::default(),
            l_port: Default::default(),
            l_range_end: Default::default(),
            l_arg_bad: Default::default(),
            l_too_big: Default::default(),
            o_delete: Default::default(),
            o_revoke: Default::default(),
            o_resolve: Default::default(),
            o_attach: Default::default(),
            scan: Default::default(),
            scan_td: Default::default(),
            pa_idx: Default::default(),
            pa_ok: Default::default(),
            pb_idx: Default::default(),
            pb_ok: Default::default(),
            pc_idx: Default::default(),
            pc_ok: Default::default(),
            ph_idx: Default::default(),
            hit: Default::default(),
            h_off: Default::default(),
            h_sec: Default::default(),
            h_gen: Default::default(),
            h_gen_next: Default::default(),
            s_idx: Default::default(),
            s_gen: Default::default(),
            n_idx: Default::default(),
            n_fresh: Default::default(),
            v_off_q: Default::default(),
            v_len_q: Default::default(),
            v_acc_q: Default::default(),
            off_sum: Default::default(),
            st_q: Default::default(),
            handle_q: Default::default(),
            addr_q: Default::default(),
            len_q: Default::default(),
            access_q: Default::default(),
            chk_bad_s: Default::default(),
            chk_acc_s: Default::default(),
            chk_range_s: Default::default(),
            chk_bad_v: Default::default(),
            chk_acc_v: Default::default(),
            chk_range_v: Default::default(),
            chk_grantor: Default::default(),
            chk_grantee: Default::default(),
            chk_port: Default::default(),
            chk_to: Default::default(),
            window: Default::default(),
            sec_alloc: Default::default(),
            view_alloc: Default::default(),
            secs: Default::default(),
            views: Default::default(),
            s_live: Default::default(),
            s_gen_rd: Default::default(),
            s_gen_next: Default::default(),
            s_owner: Default::default(),
            s_access: Default::default(),
            s_base: Default::default(),
            s_len: Default::default(),
            v_live: Default::default(),
            v_gen_rd: Default::default(),
            v_gen_next: Default::default(),
            v_sec: Default::default(),
            v_grantor: Default::default(),
            v_grantee: Default::default(),
            v_port: Default::default(),
            v_access: Default::default(),
            v_offset: Default::default(),
            v_length: Default::default(),
            v_posted: Default::default(),
            h_gen_of: Default::default(),
            h_sec_in_range: Default::default(),
            h_view_in_range: Default::default(),
            sw_clear: Default::default(),
            sw_gen: Default::default(),
            vw_clear: Default::default(),
            vw_gen: Default::default(),
            k_ok: st(Status::Ok),
            k_bad_handle: st(Status::BadHandle),
            k_bad_argument: st(Status::BadArgument),
            k_bad_address: st(Status::BadAddress),
            k_no_resources: st(Status::NoResources),
            k_access_denied: st(Status::AccessDenied),
            k_too_large: st(Status::TooLarge),
            k_receiver_busy: st(Status::ReceiverBusy),
            k_op_sec_create: crate::konst(op::SECTION_CREATE),
            k_op_sec_delete: crate::konst(op::SECTION_DELETE),
            k_op_view_create: crate::konst(op::VIEW_CREATE),
            k_op_view_revoke: crate::konst(op::VIEW_REVOKE),
            k_op_resolve: crate::konst(op::RESOLVE),
            k_op_attach: crate::konst(op::ATTACH),
            k_op_teardown: crate::konst(op::TEARDOWN),
            k_op_find: crate::konst(op::FIND_POSTED),
            k_rights_max: crate::konst(alpc_contract::access::ALL as u64),
            k_gen_max: crate::konst(0xFFFF),
            k_sb: crate::konst(SB as u64),
            k_vb: crate::konst(VB as u64),
            k_secs: crate::konst(geometry::SECTIONS as u64),
            k_secs_end: crate::konst(geometry::SECTIONS as u64 + 3),
            k_views: crate::konst(geometry::VIEWS as u64),
            k_views_last: crate::konst(geometry::VIEWS as u64 - 1),
            k_views_end: crate::konst(geometry::VIEWS as u64 + 3),
            k_max_view_msg: crate::konst(geometry::MAX_VIEW_MESSAGE as u64),
            k_write: crate::konst(alpc_contract::access::WRITE as u64),
        }
    }
}

impl Logic for SectionTable {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            l_ctx,
            l_handle,
            l_addr,
            l_len,
            l_off,
            l_rights2,
            l_posted,
            l_grantee,
            l_port,
            l_range_end,
            l_arg_bad,
            l_too_big,
            o_delete,
            o_revoke,
            o_resolve,
            o_attach,
            scan,
            scan_td,
            pa_idx,
            pa_ok,
            pb_idx,
            pb_ok,
            pc_idx,
            pc_ok,
            ph_idx,
            hit,
            h_off,
            h_sec,
            h_gen,
            h_gen_next,
            s_idx,
            s_gen,
            n_idx,
            n_fresh,
            v_off_q,
            v_len_q,
            v_acc_q,
            off_sum,
            st_q,
            handle_q,
            addr_q,
            len_q,
            access_q,
            chk_bad_s,
            chk_acc_s,
            chk_range_s,
            chk_bad_v,
            chk_acc_v,
            chk_range_v,
            chk_grantor,
            chk_grantee,
            chk_port,
            chk_to
        );
        clock!(self, clock, sec_alloc, view_alloc, secs, views, window);
        self.sec_alloc.rst.next = self.rst.val();
        self.view_alloc.rst.next = self.rst.val();

        // Outputs.
        // `==`, not `!=`: Yosys turns `!= 0` into a reduce-or, and then does
        // not re-encode the state machine (bitstreams' `prepare_script`).
        self.busy.next = !(self.state.q.val() == TableState::Idle);
        self.done.next = self.state.q.val() == TableState::Finish;
        self.status.next = self.st_q.q.val();
        self.out_handle.next = self.handle_q.q.val();
        self.out_addr.next = self.addr_q.q.val();
        self.out_len.next = self.len_q.q.val();
        self.out_access.next = self.access_q.q.val();

        // Decoded entries.
        self.s_live.next = self.secs.rd_data.val().get_bit(0);
        self.s_gen_rd.next = self.secs.rd_data.val().get_bits::<16>(1);
        self.s_owner.next = self.secs.rd_data.val().get_bits::<8>(17);
        self.s_access.next = self.secs.rd_data.val().get_bits::<2>(25);
        self.s_base.next = self.secs.rd_data.val().get_bits::<64>(27);
        self.s_len.next = self.secs.rd_data.val().get_bits::<32>(91);
        self.v_live.next = self.views.rd_data.val().get_bit(0);
        self.v_gen_rd.next = self.views.rd_data.val().get_bits::<16>(1);
        self.v_sec.next = self.views.rd_data.val().get_bits::<8>(17);
        self.v_grantor.next = self.views.rd_data.val().get_bits::<8>(25);
        self.v_grantee.next = self.views.rd_data.val().get_bits::<8>(33);
        self.v_port.next = self.views.rd_data.val().get_bits::<16>(41);
        self.v_access.next = self.views.rd_data.val().get_bits::<2>(57);
        self.v_offset.next = self.views.rd_data.val().get_bits::<32>(59);
        self.v_length.next = self.views.rd_data.val().get_bits::<32>(91);
        self.v_posted.next = self.views.rd_data.val().get_bit(123);
        // Generations skip 0 when they wrap.
        if self.s_gen_rd.val() == self.k_gen_max.val() {
            self.s_gen_next.next = 1.into();
        } else {
            self.s_gen_next.next = self.s_gen_rd.val() + 1;
        }
        if self.v_gen_rd.val() == self.k_gen_max.val() {
            self.v_gen_next.next = 1.into();
        } else {
            self.v_gen_next.next = self.v_gen_rd.val() + 1;
        }
        self.h_gen_of.next = self.l_handle.q.val().get_bits::<16>(16);
        self.h_sec_in_range.next = (self.l_handle.q.val().get_bits::<16>(0) >> self.k_sb.val()) == 0;
        self.h_view_in_range.next = (self.l_handle.q.val().get_bits::<16>(0) >> self.k_vb.val()) == 0;

        // Defaults: both tables read the entry the command names (reads
        // have no side effects, so a state reads what it may need without
        // waiting for its decision); nothing written, taken or freed.
        self.sw_clear.next = false;
        self.sw_gen.next = 0.into();
        self.vw_clear.next = false;
        self.vw_gen.next = 0.into();
        self.secs.rd_addr.next = self.handle.val().get_bits::<SB>(0);
        self.views.rd_addr.next = self.handle.val().get_bits::<VB>(0);
        self.secs.wr_en.next = false;
        self.secs.wr_addr.next = self.n_idx.q.val().get_bits::<SB>(0);
        self.views.wr_en.next = false;
        self.views.wr_addr.next = self.n_idx.q.val().get_bits::<VB>(0);
        self.sec_alloc.take.next = false;
        self.sec_alloc.free_en.next = false;
        self.sec_alloc.free_index.next = self.ph_idx.q.val().get_bits::<SB>(0);
        self.view_alloc.take.next = false;
        self.view_alloc.free_en.next = false;
        self.view_alloc.free_index.next = self.ph_idx.q.val();
        // The scan pipeline moves every cycle; only scan states feed it.
        self.pa_idx.d.next = self.scan.q.val().get_bits::<VB>(0);
        self.pa_ok.d.next = false;
        self.pb_idx.d.next = self.pa_idx.q.val();
        self.pb_ok.d.next = self.pa_ok.q.val();
        self.pc_idx.d.next = self.pb_idx.q.val();
        self.pc_ok.d.next = self.pb_ok.q.val();
        self.ph_idx.d.next = self.pc_idx.q.val();
        self.hit.d.next = false;
        self.h_off.d.next = self.v_offset.val();
        self.h_sec.d.next = self.v_sec.val();
        self.h_gen.d.next = self.v_gen_rd.val();
        self.h_gen_next.d.next = self.v_gen_next.val();
        // An entry's checks, whichever state reads them.
        self.chk_bad_s.d.next = !self.h_sec_in_range.val()
            || !self.s_live.val()
            || (self.s_gen_rd.val() != self.h_gen_of.val())
            || (self.s_owner.val() != self.l_ctx.q.val());
        self.chk_acc_s.d.next = (self.l_rights2.q.val() & !self.s_access.val()) != 0;
        self.chk_range_s.d.next = self.l_range_end.q.val() > bit_cast::<33, 32>(self.s_len.val());
        self.chk_bad_v.d.next =
            !self.h_view_in_range.val() || !self.v_live.val() || (self.v_gen_rd.val() != self.h_gen_of.val());
        self.chk_acc_v.d.next = (self.v_access.val() & self.l_rights2.q.val()) == 0;
        self.chk_range_v.d.next = self.l_range_end.q.val() > bit_cast::<33, 32>(self.v_length.val());
        self.chk_grantor.d.next = self.v_grantor.val() == self.l_ctx.q.val();
        self.chk_grantee.d.next = self.v_grantee.val() == self.l_ctx.q.val();
        self.chk_port.d.next = self.v_port.val() == self.l_port.q.val();
        self.chk_to.d.next = self.v_grantee.val() == self.l_grantee.q.val();
        // SECTION_CREATE: the range against the caller's window, from the
        // inputs as they are at `start` (judged in SecAlloc, two cycles on).
        self.window.addr.next = self.addr.val();
        self.window.len.next = self.len.val();
        self.window.base.next = self.win_base.val();
        self.window.last.next = self.win_last.val();
        self.off_sum.d.next = bit_cast::<64, 32>(self.v_off_q.q.val()) + bit_cast::<64, 32>(self.l_off.q.val());

        match self.state.q.val() {
            TableState::Sweep => {
                // One entry of each table per cycle (the view table is the longer).
                self.sw_clear.next = true;
                self.vw_clear.next = true;
                self.secs.wr_en.next = true;
                self.secs.wr_addr.next = self.scan.q.val().get_bits::<SB>(0);
                self.views.wr_en.next = true;
                self.views.wr_addr.next = self.scan.q.val().get_bits::<VB>(0);
                self.scan.d.next = self.scan.q.val() + 1;
                if self.scan.q.val() == self.k_views_last.val() {
                    self.state.d.next = TableState::Idle;
                }
            }
            TableState::Idle => {
                // The command is latched every idle cycle (not only on
                // `start`, which comes late in the engine's cycle).
                self.l_ctx.d.next = self.ctx.val();
                self.l_handle.d.next = self.handle.val();
                self.l_addr.d.next = self.addr.val();
                self.l_len.d.next = self.len.val();
                self.l_off.d.next = self.offset.val();
                self.l_rights2.d.next = self.rights.val().get_bits::<2>(0);
                self.l_posted.d.next = self.posted.val();
                self.l_grantee.d.next = self.grantee.val();
                self.l_port.d.next = self.port.val();
                // What the command alone decides, computed now so that
                // no adder feeds a compare in one cycle.
                self.l_range_end.d.next = bit_cast::<33, 32>(self.offset.val()) + bit_cast::<33, 32>(self.len.val());
                self.l_arg_bad.d.next =
                    (self.len.val() == 0) || (self.rights.val() == 0) || (self.rights.val() > self.k_rights_max.val());
                self.l_too_big.d.next = self.len.val() > self.k_max_view_msg.val();
                self.o_delete.d.next = self.op.val() == self.k_op_sec_delete.val();
                self.o_revoke.d.next = self.op.val() == self.k_op_view_revoke.val();
                self.o_resolve.d.next = self.op.val() == self.k_op_resolve.val();
                self.o_attach.d.next = self.op.val() == self.k_op_attach.val();
                if self.op.val() == self.k_op_sec_create.val() {
                    self.secs.rd_addr.next = self.sec_alloc.index.val();
                }
                if self.start.val() {
                    self.handle_q.d.next = 0.into();
                    self.addr_q.d.next = 0.into();
                    self.len_q.d.next = 0.into();
                    self.access_q.d.next = 0.into();
                    self.scan.d.next = 0.into();
                    self.scan_td.d.next = false;
                    if self.op.val() == self.k_op_sec_create.val() {
                        self.state.d.next = TableState::SecCreate;
                    } else if (self.op.val() == self.k_op_sec_delete.val())
                        || (self.op.val() == self.k_op_view_create.val())
                    {
                        self.state.d.next = TableState::SecRead;
                    } else if self.op.val() == self.k_op_teardown.val() {
                        self.scan_td.d.next = true;
                        self.state.d.next = TableState::ViewScan;
                    } else if self.op.val() == self.k_op_find.val() {
                        self.state.d.next = TableState::PostScan;
                    } else {
                        self.state.d.next = TableState::ViewRead;
                    }
                }
            }
            TableState::SecCreate => {
                self.state.d.next = TableState::SecAlloc;
            }
            TableState::SecAlloc => {
                self.state.d.next = TableState::Finish;
                if self.l_arg_bad.q.val() {
                    self.st_q.d.next = self.k_bad_argument.val();
                } else if self.window.outside.val() {
                    self.st_q.d.next = self.k_bad_address.val();
                } else if !self.sec_alloc.avail.val() {
                    self.st_q.d.next = self.k_no_resources.val();
                } else {
                    self.sec_alloc.take.next = true;
                    self.n_idx.d.next = bit_cast::<8, SB>(self.sec_alloc.index.val());
                    self.n_fresh.d.next = self.sec_alloc.fresh.val();
                    self.state.d.next = TableState::SecWrite;
                }
            }
            TableState::SecWrite => {
                // The allocated entry's old generation is on `rd_data` now.
                self.secs.wr_en.next = true;
                if self.n_fresh.q.val() {
                    self.sw_gen.next = 1.into();
                } else {
                    self.sw_gen.next = self.s_gen_rd.val();
                }
                self.handle_q.d.next =
                    (bit_cast::<32, 16>(self.sw_gen.val()) << 16) | bit_cast::<32, 8>(self.n_idx.q.val());
                self.st_q.d.next = self.k_ok.val();
                self.state.d.next = TableState::Finish;
            }
            TableState::SecRead => {
                self.state.d.next = TableState::SecRead2;
            }
            TableState::SecRead2 => {
                self.state.d.next = TableState::SecCheck;
            }
            TableState::SecCheck => {
                self.s_idx.d.next = bit_cast::<8, 16>(self.l_handle.q.val().get_bits::<16>(0));
                self.s_gen.d.next = self.s_gen_rd.val();
                self.views.rd_addr.next = self.view_alloc.index.val();
                self.state.d.next = TableState::SecAct;
            }
            TableState::SecAct => {
                self.state.d.next = TableState::Finish;
                if self.chk_bad_s.q.val() {
                    self.st_q.d.next = self.k_bad_handle.val();
                } else if self.o_delete.q.val() {
                    self.state.d.next = TableState::ViewScan;
                } else if self.l_arg_bad.q.val() {
                    self.st_q.d.next = self.k_bad_argument.val();
                } else if self.chk_acc_s.q.val() {
                    self.st_q.d.next = self.k_access_denied.val();
                } else if self.chk_range_s.q.val() {
                    self.st_q.d.next = self.k_bad_address.val();
                } else if !self.view_alloc.avail.val() {
                    self.st_q.d.next = self.k_no_resources.val();
                } else {
                    self.view_alloc.take.next = true;
                    self.n_idx.d.next = bit_cast::<8, VB>(self.view_alloc.index.val());
                    self.n_fresh.d.next = self.view_alloc.fresh.val();
                    self.state.d.next = TableState::ViewAlloc;
                }
            }
            TableState::ViewAlloc => {
                self.state.d.next = TableState::ViewWrite;
            }
            TableState::ViewWrite => {
                self.views.wr_en.next = true;
                if self.n_fresh.q.val() {
                    self.vw_gen.next = 1.into();
                } else {
                    self.vw_gen.next = self.v_gen_rd.val();
                }
                self.handle_q.d.next =
                    (bit_cast::<32, 16>(self.vw_gen.val()) << 16) | bit_cast::<32, 8>(self.n_idx.q.val());
                self.st_q.d.next = self.k_ok.val();
                self.state.d.next = TableState::Finish;
            }
            TableState::ViewRead => {
                self.state.d.next = TableState::ViewRead2;
            }
            TableState::ViewRead2 => {
                self.state.d.next = TableState::ViewCheck;
            }
            TableState::ViewCheck => {
                self.v_off_q.d.next = self.v_offset.val();
                self.v_len_q.d.next = self.v_length.val();
                self.v_acc_q.d.next = self.v_access.val();
                self.secs.rd_addr.next = self.v_sec.val().get_bits::<SB>(0);
                self.state.d.next = TableState::ViewAct;
            }
            TableState::ViewAct => {
                self.state.d.next = TableState::Finish;
                if self.o_attach.q.val() && self.l_too_big.q.val() {
                    self.st_q.d.next = self.k_too_large.val();
                } else if self.chk_bad_v.q.val() {
                    self.st_q.d.next = self.k_bad_handle.val();
                } else if self.o_revoke.q.val() {
                    if self.chk_grantor.q.val() || self.chk_grantee.q.val() {
                        // Freed at the index the handle names.
                        self.views.wr_en.next = true;
                        self.views.wr_addr.next = self.l_handle.q.val().get_bits::<VB>(0);
                        self.vw_clear.next = true;
                        self.vw_gen.next = self.h_gen_next.q.val();
                        self.view_alloc.free_en.next = true;
                        self.view_alloc.free_index.next = self.l_handle.q.val().get_bits::<VB>(0);
                        self.st_q.d.next = self.k_ok.val();
                    } else {
                        self.st_q.d.next = self.k_bad_handle.val();
                    }
                } else if self.o_resolve.q.val() {
                    if !self.chk_grantee.q.val() {
                        self.st_q.d.next = self.k_bad_handle.val();
                    } else if self.chk_acc_v.q.val() {
                        self.st_q.d.next = self.k_access_denied.val();
                    } else if self.chk_range_v.q.val() {
                        self.st_q.d.next = self.k_bad_address.val();
                    } else {
                        self.state.d.next = TableState::ViewWait;
                    }
                } else if !self.chk_grantor.q.val() || !self.chk_port.q.val() || !self.chk_to.q.val() {
                    // ATTACH: only by its grantor, through the port it was
                    // granted on, to the context it was granted to (a port
                    // index reused for another connection carries nothing).
                    self.st_q.d.next = self.k_bad_handle.val();
                } else {
                    self.state.d.next = TableState::ViewWait;
                }
            }
            TableState::ViewWait => {
                self.state.d.next = TableState::ViewUse;
            }
            TableState::ViewUse => {
                self.st_q.d.next = self.k_ok.val();
                if self.o_resolve.q.val() {
                    self.addr_q.d.next = self.s_base.val() + self.off_sum.q.val();
                } else {
                    self.addr_q.d.next = self.s_base.val() + bit_cast::<64, 32>(self.v_off_q.q.val());
                    self.len_q.d.next = self.v_len_q.q.val();
                    self.access_q.d.next = bit_cast::<32, 2>(self.v_acc_q.q.val());
                    self.handle_q.d.next = self.l_handle.q.val();
                }
                self.state.d.next = TableState::Finish;
            }
            TableState::ViewScan => {
                self.views.rd_addr.next = self.scan.q.val().get_bits::<VB>(0);
                self.pa_ok.d.next = self.scan.q.val() < self.k_views.val();
                self.scan.d.next = self.scan.q.val() + 1;
                // A section's views (delete), or every view a dead context
                // granted or was granted (teardown).
                self.hit.d.next = self.pc_ok.q.val()
                    && self.v_live.val()
                    && ((!self.scan_td.q.val() && (self.v_sec.val() == self.s_idx.q.val()))
                        || (self.scan_td.q.val()
                            && ((self.v_grantor.val() == self.l_ctx.q.val())
                                || (self.v_grantee.val() == self.l_ctx.q.val()))));
                if self.hit.q.val() {
                    self.views.wr_en.next = true;
                    self.views.wr_addr.next = self.ph_idx.q.val();
                    self.vw_clear.next = true;
                    self.vw_gen.next = self.h_gen_next.q.val();
                    self.view_alloc.free_en.next = true;
                }
                if self.scan.q.val() == self.k_views_end.val() {
                    self.scan.d.next = 0.into();
                    if self.scan_td.q.val() {
                        self.state.d.next = TableState::SecScan;
                    } else {
                        self.state.d.next = TableState::SecFree;
                    }
                }
            }
            TableState::SecFree => {
                self.secs.wr_en.next = true;
                self.secs.wr_addr.next = self.s_idx.q.val().get_bits::<SB>(0);
                self.sw_clear.next = true;
                if self.s_gen.q.val() == self.k_gen_max.val() {
                    self.sw_gen.next = 1.into();
                } else {
                    self.sw_gen.next = self.s_gen.q.val() + 1;
                }
                self.sec_alloc.free_en.next = true;
                self.sec_alloc.free_index.next = self.s_idx.q.val().get_bits::<SB>(0);
                self.st_q.d.next = self.k_ok.val();
                self.state.d.next = TableState::Finish;
            }
            TableState::SecScan => {
                self.secs.rd_addr.next = self.scan.q.val().get_bits::<SB>(0);
                self.pa_ok.d.next = self.scan.q.val() < self.k_secs.val();
                self.scan.d.next = self.scan.q.val() + 1;
                self.h_gen_next.d.next = self.s_gen_next.val();
                self.hit.d.next = self.pc_ok.q.val() && self.s_live.val() && (self.s_owner.val() == self.l_ctx.q.val());
                if self.hit.q.val() {
                    self.secs.wr_en.next = true;
                    self.secs.wr_addr.next = self.ph_idx.q.val().get_bits::<SB>(0);
                    self.sw_clear.next = true;
                    self.sw_gen.next = self.h_gen_next.q.val();
                    self.sec_alloc.free_en.next = true;
                }
                if self.scan.q.val() == self.k_secs_end.val() {
                    self.st_q.d.next = self.k_ok.val();
                    self.state.d.next = TableState::Finish;
                }
            }
            TableState::PostScan => {
                self.views.rd_addr.next = self.scan.q.val().get_bits::<VB>(0);
                self.pa_ok.d.next = self.scan.q.val() < self.k_views.val();
                self.scan.d.next = self.scan.q.val() + 1;
                self.hit.d.next = self.pc_ok.q.val()
                    && self.v_live.val()
                    && self.v_posted.val()
                    && (self.v_port.val() == self.l_port.q.val())
                    && (self.v_grantee.val() == self.l_grantee.q.val())
                    && (self.v_length.val() >= self.l_len.q.val());
                // The section of the entry being compared, read in case it
                // is the one (FindUse has it then).
                self.secs.rd_addr.next = self.v_sec.val().get_bits::<SB>(0);
                if self.hit.q.val() {
                    // Used up: freed now, its record returned.
                    self.views.wr_en.next = true;
                    self.views.wr_addr.next = self.ph_idx.q.val();
                    self.vw_clear.next = true;
                    self.vw_gen.next = self.h_gen_next.q.val();
                    self.view_alloc.free_en.next = true;
                    self.v_off_q.d.next = self.h_off.q.val();
                    self.handle_q.d.next =
                        (bit_cast::<32, 16>(self.h_gen.q.val()) << 16) | bit_cast::<32, VB>(self.ph_idx.q.val());
                    self.state.d.next = TableState::FindWait;
                } else if self.scan.q.val() == self.k_views_end.val() {
                    self.st_q.d.next = self.k_receiver_busy.val();
                    self.state.d.next = TableState::Finish;
                }
            }
            TableState::FindWait => {
                self.state.d.next = TableState::FindUse;
            }
            TableState::FindUse => {
                self.addr_q.d.next = self.s_base.val() + bit_cast::<64, 32>(self.v_off_q.q.val());
                self.len_q.d.next = self.l_len.q.val();
                self.access_q.d.next = bit_cast::<32, 2>(self.k_write.val());
                self.st_q.d.next = self.k_ok.val();
                self.state.d.next = TableState::Finish;
            }
            TableState::Finish => {
                self.state.d.next = TableState::Idle;
            }
            _ => {
                self.state.d.next = TableState::Idle;
            }
        }

        // The entries written, from their fields (a cleared entry keeps
        // only its next generation).
        if self.sw_clear.val() {
            self.secs.wr_data.next = bit_cast::<SE_BITS, 16>(self.sw_gen.val()) << 1;
        } else {
            self.secs.wr_data.next = bit_cast::<SE_BITS, 1>(true.into())
                | (bit_cast::<SE_BITS, 16>(self.sw_gen.val()) << 1)
                | (bit_cast::<SE_BITS, 8>(self.l_ctx.q.val()) << 17)
                | (bit_cast::<SE_BITS, 2>(self.l_rights2.q.val()) << 25)
                | (bit_cast::<SE_BITS, 64>(self.l_addr.q.val()) << 27)
                | (bit_cast::<SE_BITS, 32>(self.l_len.q.val()) << 91);
        }
        if self.vw_clear.val() {
            self.views.wr_data.next = bit_cast::<VE_BITS, 16>(self.vw_gen.val()) << 1;
        } else {
            self.views.wr_data.next = bit_cast::<VE_BITS, 1>(true.into())
                | (bit_cast::<VE_BITS, 16>(self.vw_gen.val()) << 1)
                | (bit_cast::<VE_BITS, 8>(self.s_idx.q.val()) << 17)
                | (bit_cast::<VE_BITS, 8>(self.l_ctx.q.val()) << 25)
                | (bit_cast::<VE_BITS, 8>(self.l_grantee.q.val()) << 33)
                | (bit_cast::<VE_BITS, 16>(self.l_port.q.val()) << 41)
                | (bit_cast::<VE_BITS, 2>(self.l_rights2.q.val()) << 57)
                | (bit_cast::<VE_BITS, 32>(self.l_off.q.val()) << 59)
                | (bit_cast::<VE_BITS, 32>(self.l_len.q.val()) << 91)
                | (bit_cast::<VE_BITS, 1>(self.l_posted.q.val().into()) << 123);
        }

        if self.rst.val() {
            self.state.d.next = TableState::Sweep;
            self.scan.d.next = 0.into();
        }
    }
}
