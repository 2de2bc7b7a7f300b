//! A RAM with a register on every port.
//!
//! An ECP5 block RAM (DP16KD) takes about 4.3 ns from its clock to its
//! output without its output register, more than half of a 125 MHz cycle
//! (`docs/architecture.md`, "Timing"); a LUT RAM's address and write-enable
//! decode are a few LUT levels of their own. A table whose read data is
//! compared in the cycle it arrives, or whose address is chosen by a state
//! machine in the cycle it is used, cannot meet that clock. So tables read
//! through this widget: addresses and write data are registered on the way
//! in, read data on the way out, and the entry at `rd_addr` appears on
//! `rd_data` three edges later, straight from a flip-flop. LUT RAMs and
//! block RAMs get the same latency, so a table's user does not depend on
//! how synthesis built it.
//!
//! Writes are registered too, so ordering is as if there were no registers:
//! a read issued in the cycle of a write to the same entry gets the old
//! contents (read first, as RustHDL's `RAM`), a read issued a cycle later
//! gets the new ones.

use rust_hdl::prelude::*;
use std::collections::BTreeMap;

/// See the module documentation: `1 << A` entries of `D`.
#[derive(LogicBlock)]
pub struct PipelinedRam<D: Synth, const A: usize> {
    /// Clock of both ports.
    pub clock: Signal<In, Clock>,
    /// Read address.
    pub rd_addr: Signal<In, Bits<A>>,
    /// The entry at `rd_addr` of three cycles before.
    pub rd_data: Signal<Out, D>,
    /// Write enable.
    pub wr_en: Signal<In, Bit>,
    /// Write address.
    pub wr_addr: Signal<In, Bits<A>>,
    /// Write data.
    pub wr_data: Signal<In, D>,
    _sim: PipeState<D, A>,
}

/// The simulation model's registers.
#[derive(Default)]
struct PipeState<D: Synth, const A: usize> {
    mem: BTreeMap<Bits<A>, D>,
    rd_addr_q: Bits<A>,
    ram_q: D,
    wr: Option<(Bits<A>, D)>,
}

impl<D: Synth, const A: usize> Default for PipelinedRam<D, A> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rd_addr: Default::default(),
            rd_data: Default::default(),
            wr_en: Default::default(),
            wr_addr: Default::default(),
            wr_data: Default::default(),
            _sim: Default::default(),
        }
    }
}

impl<D: Synth, const A: usize> Logic for PipelinedRam<D, A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let st = &mut self._sim;
            self.rd_data.next = st.ram_q;
            st.ram_q = *st.mem.get(&st.rd_addr_q).unwrap_or(&D::default());
            st.rd_addr_q = self.rd_addr.val();
            if let Some((a, d)) = st.wr.take() {
                st.mem.insert(a, d);
            }
            st.wr = self.wr_en.val().then(|| (self.wr_addr.val(), self.wr_data.val()));
        }
    }

    fn connect(&mut self) {
        self.rd_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
reg [{dm}:0] mem [0:{last}];
reg [{am}:0] rd_addr_q;
reg [{dm}:0] ram_q;
reg wr_en_q;
reg [{am}:0] wr_addr_q;
reg [{dm}:0] wr_data_q;
always @(posedge clock) begin
    rd_addr_q <= rd_addr;
    ram_q <= mem[rd_addr_q];
    rd_data <= ram_q;
    wr_en_q <= wr_en;
    wr_addr_q <= wr_addr;
    wr_data_q <= wr_data;
    if (wr_en_q) mem[wr_addr_q] <= wr_data_q;
end",
            dm = D::BITS - 1,
            am = A - 1,
            last = (1usize << A) - 1
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "pipelined_ram".into(),
            clock: "clock".into(),
            inputs: vec!["rd_addr".into(), "wr_en".into(), "wr_addr".into(), "wr_data".into()],
            outputs: vec!["rd_data".into()],
        }]
    }
}
