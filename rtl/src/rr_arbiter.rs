//! Round-robin arbiter among contexts.
//!
//! Combinational. `grant` is the first requesting index after `last`
//! (wrapping), so a context that always has work cannot starve the others:
//! every other requester is served before it comes round again. `N` must be
//! `1 << CB`.
//!
//! The loop over requesters is written directly in Verilog (RustHDL's kernel
//! language cannot compute with a loop index); `update` is the same rule in
//! Rust for RustHDL's simulator, and both are checked against each other by
//! the Verilator system tests, which depend on the grant order.

use rust_hdl::prelude::*;

/// See the module documentation.
#[derive(LogicBlock)]
pub struct RrArbiter<const CB: usize, const N: usize> {
    /// One bit per requesting index.
    pub req: Signal<In, Bits<N>>,
    /// The index served last.
    pub last: Signal<In, Bits<CB>>,
    /// Some index is requesting.
    pub valid: Signal<Out, Bit>,
    /// The index to serve (meaningful when `valid`).
    pub grant: Signal<Out, Bits<CB>>,
}

impl<const CB: usize, const N: usize> Default for RrArbiter<CB, N> {
    fn default() -> Self {
        assert_eq!(N, 1 << CB, "RrArbiter: N must be 1 << CB");
        Self {
            req: Default::default(),
            last: Default::default(),
            valid: Default::default(),
            grant: Default::default(),
        }
    }
}

impl<const CB: usize, const N: usize> Logic for RrArbiter<CB, N> {
    fn update(&mut self) {
        let req = self.req.val();
        let last = self.last.val().index();
        self.valid.next = req.any();
        self.grant.next = self.last.val();
        for k in 1..=N {
            let i = (last + k) % N;
            if req.get_bit(i) {
                self.grant.next = (i as u64).to_bits();
                break;
            }
        }
    }

    fn connect(&mut self) {
        self.valid.connect();
        self.grant.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
integer k;
reg [{cbm}:0] idx;
always @(*) begin
    valid = |req;
    grant = last;
    idx = last;
    // Highest k first, so the last assignment (the nearest requester after
    // `last`) wins.
    for (k = {n}; k >= 1; k = k - 1) begin
        idx = last + k[{cbm}:0];
        if (req[idx]) grant = idx;
    end
end",
            cbm = CB - 1,
            n = N
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_model_is_round_robin() {
        let mut a = RrArbiter::<2, 4>::default();
        a.connect_all();
        let cases = [
            (0b0000u64, 0u64, false, 0u64),
            (0b0001, 0, true, 0),
            (0b0011, 0, true, 1),
            (0b1001, 3, true, 0),
            (0b1000, 3, true, 3),
            (0b0110, 1, true, 2),
        ];
        for (req, last, valid, grant) in cases {
            a.req.next = req.to_bits();
            a.last.next = last.to_bits();
            a.req.update_all();
            a.last.update_all();
            a.update();
            assert_eq!(a.valid.next, valid, "req {req:b} last {last}");
            if valid {
                assert_eq!(
                    a.grant.next.index() as u64,
                    grant,
                    "req {req:b} last {last}"
                );
            }
        }
    }
}
