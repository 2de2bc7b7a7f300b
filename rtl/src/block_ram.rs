//! A simple dual-port RAM (one write port, one registered read port) whose
//! write lands a cycle late and whose read of an entry written in the same
//! cycle or the cycle before is left undefined.
//!
//! RustHDL's `RAM` promises the old entry on a read colliding with a
//! write. An ECP5 DP16KD does not give it across its two ports, so Yosys
//! builds it in logic: a compare of the two addresses into a register in
//! front of the RAM and a mux behind it, on every read path of the
//! engine's port and request tables. The engine never uses an entry read
//! in the cycle it writes that entry or the cycle after, so this RAM tells
//! Yosys (`no_rw_check`) not to build it.
//!
//! The write is registered on its way in (`wq_*`, a cycle late): the
//! engine decides a write at the end of long paths (the state, the
//! entry's checks, the fields' selects), and a block RAM's pins are far
//! from that logic and have a setup time of their own. With the register,
//! those paths end at flip-flops the placer puts beside the logic, and the
//! run to the RAM is a path of its own.
//!
//! That promise is checked, not assumed: simulated with
//! `ALPC_RW_COLLISION_CHECK` defined, a read of an entry written in that
//! cycle or the one before returns the entry with every bit inverted, and
//! the engine's tests must still pass (the tests build it that way:
//! `sim/verilator.flags`).

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
    /// cycle or the one before it wrote it).
    pub read_data: Signal<Out, D>,
    /// Write enable (the entry changes at the end of the next cycle).
    pub write_enable: Signal<In, Bit>,
    /// Write address.
    pub write_address: Signal<In, Bits<A>>,
    /// Write data.
    pub write_data: Signal<In, D>,
    _sim: BTreeMap<Bits<A>, D>,
    _sim_write: Option<(Bits<A>, D)>,
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
            _sim_write: None,
        }
    }
}

impl<D: Synth, const A: usize> Logic for BlockRam<D, A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.read_data.next = *self._sim.get(&self.read_address.val()).unwrap_or(&D::default());
            if let Some((address, data)) = self._sim_write.take() {
                self._sim.insert(address, data);
            }
            if self.write_enable.val() {
                self._sim_write = Some((self.write_address.val(), self.write_data.val()));
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
// The write, a cycle late (see the module's documentation).
reg wq_en = 1'b0;
reg [{am}:0] wq_address;
reg [{dm}:0] wq_data;
always @(posedge clock) begin
`ifdef ALPC_RW_COLLISION_CHECK
    if ((write_enable && write_address == read_address) || (wq_en && wq_address == read_address))
        read_data <= ~mem[read_address];
    else read_data <= mem[read_address];
`else
    read_data <= mem[read_address];
`endif
    if (wq_en) mem[wq_address] <= wq_data;
    wq_en <= write_enable;
    wq_address <= write_address;
    wq_data <= write_data;
end",
            dm = D::BITS - 1,
            am = A - 1,
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
