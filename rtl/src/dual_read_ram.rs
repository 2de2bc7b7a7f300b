//! A RAM with one write port and two registered read ports.
//!
//! The per-context tables are written by BAR0 (or by the engine) and read
//! both by the engine and by BAR0 readback. Two read ports let both readers
//! look at any entry in the same cycle with no arbitration; synthesis builds
//! it from two block RAMs (or LUT RAMs) that share the write port.
//! RustHDL's own `RAM` has one read port, hence this widget.
//!
//! Port A answers the cycle after its address, for the engine. Port B, the
//! readback's, answers a cycle later still: its entry passes an output
//! register, so a block RAM's slow clock-to-output (5.6–5.8 ns on the
//! large core's DP16KDs) ends at a flip-flop, not in the readback's
//! 20-way select (the large core's worst path at `5643ed0`,
//! `docs/architecture.md`, Timing).
//!
//! [`DualReadRam::with_registered_write`] builds one whose write port is
//! registered (the write lands a cycle later, and the entry waiting to be
//! written is forwarded to both read ports, so what is read is the same
//! cycle for cycle): for a table whose write enable comes from deep logic
//! and fans out to many LUT RAM cells (the large core's reservation table,
//! `docs/architecture.md`, Timing).

use rust_hdl::prelude::*;
use std::collections::BTreeMap;

/// See the module documentation.
#[derive(LogicBlock)]
pub struct DualReadRam<D: Synth, const A: usize> {
    /// Clock of all three ports.
    pub clock: Signal<In, Clock>,
    /// Read port A address.
    pub a_addr: Signal<In, Bits<A>>,
    /// Read port A data: the entry at `a_addr` of the previous cycle.
    pub a_data: Signal<Out, D>,
    /// Read port B address.
    pub b_addr: Signal<In, Bits<A>>,
    /// Read port B data: the entry at `b_addr` two cycles before (as it
    /// was at the edge that ended that cycle), from an output register.
    pub b_data: Signal<Out, D>,
    /// Write enable.
    pub wr_en: Signal<In, Bit>,
    /// Write address.
    pub wr_addr: Signal<In, Bits<A>>,
    /// Write data.
    pub wr_data: Signal<In, D>,
    _sim: BTreeMap<Bits<A>, D>,
    /// Whether the write port is registered.
    _registered_write: bool,
    /// Registered write port: the write of the cycle before, not yet in `_sim`.
    _pending: Option<(Bits<A>, D)>,
    /// Port B's entry on its way to the output register.
    _b_read: D,
}

impl<D: Synth, const A: usize> DualReadRam<D, A> {
    /// A RAM whose write lands one cycle after `wr_en`, with that entry
    /// forwarded to a read of the same address in the meantime: reads see
    /// exactly what the plain RAM's would, and the write enable, address
    /// and data reach the memory cells from flip-flops.
    pub fn with_registered_write() -> Self {
        Self { _registered_write: true, ..Default::default() }
    }

    /// The entry a read sees at this edge: the pending write first.
    fn sim_read(&self, addr: Bits<A>) -> D {
        match self._pending {
            Some((a, d)) if a == addr => d,
            _ => *self._sim.get(&addr).unwrap_or(&D::default()),
        }
    }
}

impl<D: Synth, const A: usize> Default for DualReadRam<D, A> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            a_addr: Default::default(),
            a_data: Default::default(),
            b_addr: Default::default(),
            b_data: Default::default(),
            wr_en: Default::default(),
            wr_addr: Default::default(),
            wr_data: Default::default(),
            _sim: Default::default(),
            _registered_write: false,
            _pending: None,
            _b_read: D::default(),
        }
    }
}

impl<D: Synth, const A: usize> Logic for DualReadRam<D, A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.a_data.next = self.sim_read(self.a_addr.val());
            self.b_data.next = self._b_read;
            self._b_read = self.sim_read(self.b_addr.val());
            if let Some((a, d)) = self._pending.take() {
                self._sim.insert(a, d);
            }
            if self.wr_en.val() {
                if self._registered_write {
                    self._pending = Some((self.wr_addr.val(), self.wr_data.val()));
                } else {
                    self._sim.insert(self.wr_addr.val(), self.wr_data.val());
                }
            }
        }
    }

    fn connect(&mut self) {
        self.a_data.connect();
        self.b_data.connect();
    }

    fn hdl(&self) -> Verilog {
        if self._registered_write {
            // `wq_*` hold the write of the cycle before. Yosys reads the
            // forwarding as a transparent read port of that write port.
            return Verilog::Custom(format!(
                "\
reg [{dm}:0] mem [0:{last}];
reg [{dm}:0] b_read;
reg wq_en = 1'b0;
reg [{am}:0] wq_addr;
reg [{dm}:0] wq_data;
always @(posedge clock) begin
    a_data <= (wq_en && wq_addr == a_addr) ? wq_data : mem[a_addr];
    b_read <= (wq_en && wq_addr == b_addr) ? wq_data : mem[b_addr];
    b_data <= b_read;
    if (wq_en) mem[wq_addr] <= wq_data;
    wq_en <= wr_en;
    wq_addr <= wr_addr;
    wq_data <= wr_data;
end",
                dm = D::BITS - 1,
                am = A - 1,
                last = (1usize << A) - 1
            ));
        }
        Verilog::Custom(format!(
            "\
reg [{dm}:0] mem [0:{last}];
reg [{dm}:0] b_read;
always @(posedge clock) begin
    a_data <= mem[a_addr];
    b_read <= mem[b_addr];
    b_data <= b_read;
    if (wr_en) mem[wr_addr] <= wr_data;
end",
            dm = D::BITS - 1,
            last = (1usize << A) - 1
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "dual_read_ram".into(),
            clock: "clock".into(),
            inputs: vec![
                "a_addr".into(),
                "b_addr".into(),
                "wr_en".into(),
                "wr_addr".into(),
                "wr_data".into(),
            ],
            outputs: vec!["a_data".into(), "b_data".into()],
        }]
    }
}
