//! A flip-flop that duplicates another one, for fanout.
//!
//! Register duplication is the usual cure for a register whose loads are
//! too many and too far apart to sit near all of them: each copy serves
//! one group of loads and is placed beside it. Here it splits the engine's
//! state register: the original drives the next-state logic alone, the
//! copy every decode of the datapath (`docs/architecture.md`, Timing).
//!
//! Synthesis merges two flip-flops with the same input, clock and initial
//! value (Yosys's `opt_merge`; Vivado's equivalent-register removal does
//! the same), which would undo the split. This one powers up with every
//! bit set, where RustHDL's `DFF` powers up with every bit clear, so no bit
//! of it is the same flip-flop as the original's (checked with Yosys's
//! `synth_ecp5` and `synth_xilinx` on a 3-bit example: two copies stay two,
//! where the same initial value leaves one). The power-up value
//! matters only until the first clock edge: the copy loads what the original
//! loads, so the two hold the same value from then on, and the design is
//! held in reset from configuration, when the copy's value is unused.
//! (For the engine's state, all ones is not a state: no decode matches it.)
//!
//! In RustHDL's simulator it is a plain `DFF` (the power-up value there is
//! the type's default; reset comes first either way).

use rust_hdl::prelude::*;

/// See the module documentation.
#[derive(Clone, Debug, LogicBlock)]
pub struct ReplicaDff<T: Synth> {
    /// What the original register loads (its `d`).
    pub d: Signal<In, T>,
    pub q: Signal<Out, T>,
    pub clock: Signal<In, Clock>,
}

impl<T: Synth> Default for ReplicaDff<T> {
    fn default() -> Self {
        assert!((1..=128).contains(&T::BITS), "ReplicaDff: {} bits", T::BITS);
        Self {
            d: Signal::default(),
            q: Signal::default(),
            clock: Signal::default(),
        }
    }
}

impl<T: Synth> Logic for ReplicaDff<T> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self.q.next = self.d.val()
        }
    }

    fn connect(&mut self) {
        self.q.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
// All ones at power-up, unlike the register it copies: see replica_dff.rs.
initial begin
   q = 'h{ones:x};
end

always @(posedge clock) begin
   q <= d;
end
",
            ones = u128::MAX >> (128 - T::BITS)
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "replica_dff".into(),
            clock: "clock".into(),
            inputs: vec!["d".into()],
            outputs: vec!["q".into()],
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verilog<T: Synth>() -> String {
        match ReplicaDff::<T>::default().hdl() {
            Verilog::Custom(v) => v,
            _ => unreachable!("ReplicaDff writes its own Verilog"),
        }
    }

    /// The property that keeps a copy a copy: every bit powers up set, so
    /// it differs from a RustHDL `DFF` (which powers up clear) in every bit.
    #[test]
    fn powers_up_with_every_bit_set() {
        assert!(verilog::<Bits<7>>().contains("q = 'h7f;"), "{}", verilog::<Bits<7>>());
        assert!(verilog::<Bits<1>>().contains("q = 'h1;"));
        assert!(verilog::<Bits<64>>().contains("q = 'hffffffffffffffff;"));
        match DFF::<Bits<7>>::default().hdl() {
            Verilog::Custom(v) => assert!(!v.contains("'h7f"), "{v}"),
            _ => unreachable!(),
        }
    }
}
