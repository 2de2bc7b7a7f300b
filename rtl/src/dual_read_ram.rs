//! A RAM with one write port and two registered read ports.
//!
//! The per-context tables are written by BAR0 (or by the engine) and read
//! both by the engine and by BAR0 readback. Two read ports let both readers
//! look at any entry in the same cycle with no arbitration; synthesis builds
//! it from two block RAMs (or LUT RAMs) that share the write port.
//! RustHDL's own `RAM` has one read port, hence this widget.

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
    /// Read port B data.
    pub b_data: Signal<Out, D>,
    /// Write enable.
    pub wr_en: Signal<In, Bit>,
    /// Write address.
    pub wr_addr: Signal<In, Bits<A>>,
    /// Write data.
    pub wr_data: Signal<In, D>,
    _sim: BTreeMap<Bits<A>, D>,
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
        }
    }
}

impl<D: Synth, const A: usize> Logic for DualReadRam<D, A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.a_data.next = *self._sim.get(&self.a_addr.val()).unwrap_or(&D::default());
            self.b_data.next = *self._sim.get(&self.b_addr.val()).unwrap_or(&D::default());
            if self.wr_en.val() {
                self._sim.insert(self.wr_addr.val(), self.wr_data.val());
            }
        }
    }

    fn connect(&mut self) {
        self.a_data.connect();
        self.b_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
reg [{dm}:0] mem [0:{last}];
always @(posedge clock) begin
    a_data <= mem[a_addr];
    b_data <= mem[b_addr];
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
