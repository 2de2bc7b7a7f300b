//! Per-context interrupt moderation.
//!
//! Each context counts the completions it got since its last interrupt and
//! raises its MSI vector when the count reaches its threshold, or when the
//! oldest unsignalled completion has waited its time threshold, whichever
//! comes first (NVMe's aggregation threshold and time). A count threshold of
//! 0 or 1 signals every completion; a time threshold of 0 disables the
//! timer; a disabled context never interrupts (the host polls).
//!
//! Every context has its own counter and timer, so the cost does not depend
//! on how many contexts are busy. A context's decision to fire is registered
//! as the MSI lines it raises (its vector is kept decoded, 32 flip-flops,
//! written when CTX_CONTROL is) and the MSI lines are the OR of the
//! registered decisions one cycle later: the threshold compares and the
//! 32-line OR over every context are then in different cycles, so neither
//! limits the clock. The decoded form is for routing: with the vector kept in
//! 5 bits, each of the 32 lines decoded every context's decision and vector,
//! six signals per context and line, and in the large core (64 contexts)
//! those wires meeting at the OR were the place and route's most congested
//! spot (nextpnr's router2 congestion map, `docs/architecture.md`).
//! The thresholds are kept as down-counters with registered "reached"
//! flags (how many completions, how many cycles are left), so the decision
//! is a few gates on registers, with no adder or magnitude compare before
//! it. The per-context logic is a Verilog
//! `generate` loop (RustHDL's kernel language has no arrays of registers);
//! [`moderation_edge`] is the same rule in Rust, for RustHDL's simulator
//! and as the block test's reference.

use alpc_contract::bus;
use rust_hdl::prelude::*;

/// See the module documentation. `N` must be `1 << CB`.
#[derive(LogicBlock)]
pub struct IrqModerator<const CB: usize, const N: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// CTX_CONTROL was written for `cfg_ctx`: take `irq_on` and `vector`.
    pub ctl_en: Signal<In, Bit>,
    /// CTX_IRQ_MOD was written for `cfg_ctx`: take `count` and `time`.
    pub mod_en: Signal<In, Bit>,
    /// Context of the settings.
    pub cfg_ctx: Signal<In, Bits<CB>>,
    /// Interrupts on (else the context is polled).
    pub cfg_irq_on: Signal<In, Bit>,
    /// MSI vector.
    pub cfg_vector: Signal<In, Bits<5>>,
    /// Count threshold.
    pub cfg_count: Signal<In, Bits<8>>,
    /// Time threshold in cycles (0: no timer).
    pub cfg_time: Signal<In, Bits<16>>,
    /// A completion was posted: the bit of its context (at most one bit;
    /// one-hot, so no context decodes a number before its decision).
    pub event_hot: Signal<In, Bits<N>>,
    /// MSI request lines (one-cycle pulses).
    pub msi_irq: Signal<Out, Bits<{ bus::MSI_VECTORS }>>,
    _sim: Vec<ModerationState>,
}

/// One context's moderation state, as the Verilog keeps it per context.
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct ModerationState {
    /// Interrupts on (CTX_CONTROL).
    pub enable: bool,
    /// MSI vector.
    pub vector: u32,
    /// Count threshold (0 and 1: every completion).
    pub count: u32,
    /// Time threshold in cycles (0: no timer).
    pub time: u32,
    /// Completions not yet signalled (saturates at 255).
    pub pending: u32,
    /// Cycles the oldest unsignalled completion has waited (saturates).
    pub timer: u32,
    /// Fired on the last edge: its MSI line rises on the next one.
    pub fired: bool,
    /// The vector it fired on.
    pub fired_vector: u32,
}

/// What the moderator sees on one clock edge.
#[derive(Clone, Copy, Default, Debug)]
pub struct ModerationInput {
    /// CTX_CONTROL written for `ctx`.
    pub ctl: bool,
    /// CTX_IRQ_MOD written for `ctx`.
    pub modr: bool,
    /// Context of the settings.
    pub ctx: usize,
    /// CTX_CONTROL's interrupt enable.
    pub irq_on: bool,
    /// CTX_CONTROL's vector.
    pub vector: u32,
    /// CTX_IRQ_MOD's count threshold.
    pub count: u32,
    /// CTX_IRQ_MOD's time threshold.
    pub time: u32,
    /// A completion was written for this context.
    pub event: Option<usize>,
}

/// The moderation rule, one clock edge over every context: what the
/// Verilog implements, run by RustHDL's simulator (`update`) and used as
/// the reference of the Verilated block test. Returns the MSI lines.
pub fn moderation_edge(state: &mut [ModerationState], i: &ModerationInput) -> u64 {
    let mut irq = 0u64;
    for (k, m) in state.iter_mut().enumerate() {
        if m.fired {
            irq |= 1 << m.fired_vector;
        }
        let pending = m.pending + (i.event == Some(k)) as u32;
        let count_due = pending >= m.count.max(1);
        let time_due = m.time != 0 && m.pending != 0 && m.timer + 1 >= m.time;
        m.fired = m.enable && pending != 0 && (count_due || time_due);
        m.fired_vector = m.vector;
        if m.fired {
            m.pending = 0;
            m.timer = 0;
        } else {
            m.pending = pending.min(255);
            if pending != 0 {
                m.timer = (m.timer + 1).min(0xFFFF);
            }
        }
        if i.ctx == k && i.ctl {
            m.enable = i.irq_on;
            m.vector = i.vector;
        }
        if i.ctx == k && i.modr {
            m.count = i.count;
            m.time = i.time;
        }
        if i.ctx == k && (i.ctl || i.modr) {
            m.pending = 0;
            m.timer = 0;
        }
    }
    irq
}

impl<const CB: usize, const N: usize> Default for IrqModerator<CB, N> {
    fn default() -> Self {
        assert_eq!(N, 1 << CB, "IrqModerator: N must be 1 << CB");
        assert_eq!(bus::MSI_VECTORS, 32);
        Self {
            clock: Default::default(),
            rst: Default::default(),
            ctl_en: Default::default(),
            mod_en: Default::default(),
            cfg_ctx: Default::default(),
            cfg_irq_on: Default::default(),
            cfg_vector: Default::default(),
            cfg_count: Default::default(),
            cfg_time: Default::default(),
            event_hot: Default::default(),
            msi_irq: Default::default(),
            _sim: vec![ModerationState::default(); N],
        }
    }
}

impl<const CB: usize, const N: usize> Logic for IrqModerator<CB, N> {
    fn update(&mut self) {
        if !self.clock.pos_edge() {
            return;
        }
        if self.rst.val() {
            self._sim.fill(ModerationState::default());
            self.msi_irq.next = 0u64.to_bits();
            return;
        }
        let input = ModerationInput {
            ctl: self.ctl_en.val(),
            modr: self.mod_en.val(),
            ctx: self.cfg_ctx.val().index(),
            irq_on: self.cfg_irq_on.val(),
            vector: self.cfg_vector.val().index() as u32,
            count: self.cfg_count.val().index() as u32,
            time: self.cfg_time.val().index() as u32,
            event: (0..N).find(|&k| self.event_hot.val().get_bit(k)),
        };
        self.msi_irq.next = moderation_edge(&mut self._sim, &input).to_bits();
    }

    fn connect(&mut self) {
        self.msi_irq.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
// The vector as one line of 32, decoded once for every context: each
// context keeps its vector decoded and its decision as the lines it
// raises, so the OR below takes one flip-flop per context and line, not a
// decision and a 5-bit vector decoded in front of every line.
wire [31:0] cfg_vec_hot = 32'd1 << cfg_vector;
wire [31:0] fired_vec [0:{last}];
genvar g;
generate
    for (g = 0; g < {n}; g = g + 1) begin : ctx
        // The rule of `moderation_edge`, kept as down-counters and flags so
        // that no adder or magnitude compare sits before the decision:
        // `need` is how many more completions reach the count threshold
        // (max(count, 1) - pending, saturating at 0), `tleft` how many more
        // cycles reach the time threshold (time - 1 - timer, saturating at
        // 0); `need0`, `need1` and `tdue` are `need == 0`, `need == 1` and
        // `time != 0 && tleft == 0`, registered. `m` and `tm1` are the
        // reload values, computed when the thresholds are written.
        reg enable;
        reg [31:0] vec_hot;
        reg [7:0] m;
        reg m1;
        reg [15:0] tm1;
        reg tm1_due;
        reg thr_nz;
        reg pend_nz;
        reg [7:0] need;
        reg need0;
        reg need1;
        reg [15:0] tleft;
        reg tdue;
        wire hit = event_hot[g];
        wire cfg_sel = (cfg_ctx == {cb}'(g));
        wire cfg_hit = (ctl_en || mod_en) && cfg_sel;
        wire any = pend_nz || hit;
        wire fire = enable && any && (need0 || (need1 && hit) || (pend_nz && tdue));
        // Reload values: the new thresholds on a CTX_IRQ_MOD write, else
        // the stored ones.
        wire new_thr = mod_en && cfg_sel;
        wire [7:0] m_next = new_thr ? ((cfg_count == 8'd0) ? 8'd1 : cfg_count) : m;
        wire m1_next = new_thr ? (cfg_count <= 8'd1) : m1;
        wire [15:0] tm1_next = new_thr ? (cfg_time - 16'd1) : tm1;
        wire tm1_due_next = new_thr ? (cfg_time == 16'd1) : tm1_due;
        wire thr_nz_next = new_thr ? (cfg_time != 16'd0) : thr_nz;
        // The decision, registered as the lines it raises (the vector as it
        // was on the edge that fired: a CTX_CONTROL write on that edge
        // changes `vec_hot` only after it).
        reg [31:0] fired_hot;
        assign fired_vec[g] = fired_hot;
        always @(posedge clock) begin
            fired_hot <= (!rst && fire) ? vec_hot : 32'd0;
            if (rst) begin
                enable <= 1'b0;
                vec_hot <= 32'd1;
                m <= 8'd1;
                m1 <= 1'b1;
                tm1 <= 16'hffff;
                tm1_due <= 1'b0;
                thr_nz <= 1'b0;
                pend_nz <= 1'b0;
                need <= 8'd1;
                need0 <= 1'b0;
                need1 <= 1'b1;
                tleft <= 16'hffff;
                tdue <= 1'b0;
            end else begin
                m <= m_next;
                m1 <= m1_next;
                tm1 <= tm1_next;
                tm1_due <= tm1_due_next;
                thr_nz <= thr_nz_next;
                if (cfg_hit || fire) begin
                    // Nothing pending: the counts start again.
                    pend_nz <= 1'b0;
                    need <= m_next;
                    need0 <= 1'b0;
                    need1 <= m1_next;
                    tleft <= tm1_next;
                    tdue <= thr_nz_next && tm1_due_next;
                end else if (any) begin
                    pend_nz <= 1'b1;
                    if (hit && !need0) begin
                        need <= need - 8'd1;
                        need0 <= need1;
                        need1 <= (need == 8'd2);
                    end
                    if (tleft != 16'd0) tleft <= tleft - 16'd1;
                    tdue <= tdue || (thr_nz && (tleft == 16'd1));
                end
                if (ctl_en && cfg_sel) begin
                    enable <= cfg_irq_on;
                    vec_hot <= cfg_vec_hot;
                end
            end
        end
    end
endgenerate
integer k;
reg [31:0] irq_next;
always @(*) begin
    irq_next = 32'd0;
    for (k = 0; k < {n}; k = k + 1) irq_next = irq_next | fired_vec[k];
end
always @(posedge clock) msi_irq <= rst ? 32'd0 : irq_next;",
            n = N,
            last = N - 1,
            cb = CB
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "irq_moderator".into(),
            clock: "clock".into(),
            inputs: vec!["ctl_en".into(), "mod_en".into(), "event_hot".into()],
            outputs: vec!["msi_irq".into()],
        }]
    }
}
