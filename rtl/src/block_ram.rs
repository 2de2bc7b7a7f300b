//! A simple dual-port RAM (one write port, one registered read port) whose
//! read of the entry being written in the same cycle is left undefined.
//!
//! RustHDL's `RAM` promises the old entry on such a collision. An ECP5
//! DP16KD does not give it across its two ports, so Yosys builds it in
//! logic: a compare of the two addresses into a register in front of the
//! RAM and a mux behind it, on every read path of the engine's port and
//! request tables. The engine never uses an entry read in the cycle it
//! writes that entry, so this RAM tells Yosys (`no_rw_check`) not to build
//! it.
//!
//! That promise is checked, not assumed: simulated with
//! `ALPC_RW_COLLISION_CHECK` defined, a colliding read returns the entry
//! with every bit inverted, and the engine's tests must still pass (the
//! tests build it that way: `sim/verilator.flags`).

use rust_hdl::prelude::*;
use std::collections::BTreeMap;

/// See the module documentation.
#[derive(LogicBlock)]
pub struct BlockRam<D: Synth, const A: usize> {
    /// Clock of both ports.
    pub clock: Signal<In, Clock>,
    /// Read address.
    pub read_address: Signal<In, Bits<A>>,
    /// The entry at `read_address` of the previous cycle (undefined if that
    /// cycle wrote it).
    pub read_data: Signal<Out, D>,
    /// Write enable.
    pub write_enable: Signal<In, Bit>,
    /// Write address.
    pub write_address: Signal<In, Bits<A>>,
    /// Write data.
    pub write_data: Signal<In, D>,
    _sim: BTreeMap<Bits<A>, D>,
}

impl<D: Synth, const A: usize> Default for BlockRam<D, A> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            read_address: Default::default(),
            read_data: Default::default(),
            write_enable: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            _sim: Default::default(),
        }
    }
}

impl<D: Synth, const A: usize> Logic for BlockRam<D, A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.read_data.next = *self._sim.get(&self.read_address.val()).unwrap_or(&D::default());
            if self.write_enable.val() {
                self._sim.insert(self.write_address.val(), self.write_data.val());
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
(* no_rw_check *)
reg [{dm}:0] mem [0:{last}];
always @(posedge clock) begin
`ifdef ALPC_RW_COLLISION_CHECK
    if (write_enable && write_address == read_address) read_data <= ~mem[read_address];
    else read_data <= mem[read_address];
`else
    read_data <= mem[read_address];
`endif
    if (write_enable) mem[write_address] <= write_data;
end",
            dm = D::BITS - 1,
            last = (1usize << A) - 1
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "block_ram".into(),
            clock: "clock".into(),
            inputs: vec!["read_address".into(), "write_enable".into(), "write_address".into(), "write_data".into()],
            outputs: vec!["read_data".into()],
        }]
    }
}
