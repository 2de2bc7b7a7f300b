//! Round-robin arbiter among contexts.
//!
//! Combinational. `grant` is the first requesting index after the one
//! served last (wrapping), so a context that always has work cannot starve
//! the others: every other requester is served before it comes round again.
//! `N` must be `1 << CB`.
//!
//! The one served last comes as a mask, `after` (bit `i` set when `i` comes
//! after it without wrapping; [`after_mask`] in Rust, `(ones << last) &
//! ~(1 << last)` in the logic), which the user keeps in a register: the
//! search then starts at flip-flops, not behind `N` compares of an index
//! (the large core's worst path at `e23574d`: 26 logic levels from the
//! engine's last context into its registered grants).
//!
//! How (timing): the requests after `last` and all the requests each give
//! their lowest set bit, `x & (~x + 1)`, a carry chain; each one-hot bit is
//! encoded into an index by an OR tree; the first is taken when any request
//! lies after `last`, else the second. Both paths run side by side. The
//! plain rule (try `last + 1`, `last + 2`, ... in turn) is a chain of `N`
//! muxes each behind an `N`-way select: 22 logic levels from `last` to the
//! engine's registers at 64 contexts (`bitstreams/reports/large.md`).
//!
//! The loop over requesters is written directly in Verilog (RustHDL's kernel
//! language cannot compute with a loop index); `update` is the same rule in
//! Rust for RustHDL's simulator, and both are checked against each other by
//! the Verilator system tests, which depend on the grant order.

use rust_hdl::prelude::*;

/// The `after` input for `last` served last, among `n` indices.
pub fn after_mask(last: usize, n: usize) -> u64 {
    assert!(last < n && n <= 64, "after_mask: index {last} of {n}");
    let all = u64::MAX >> (64 - n);
    (all << last << 1) & all
}

/// See the module documentation.
#[derive(LogicBlock)]
pub struct RrArbiter<const CB: usize, const N: usize> {
    /// One bit per requesting index.
    pub req: Signal<In, Bits<N>>,
    /// The indices after the one served last (bit `i` set when `i` is
    /// greater): see the module documentation.
    pub after: Signal<In, Bits<N>>,
    /// Some index is requesting.
    pub valid: Signal<Out, Bit>,
    /// The index to serve (meaningful when `valid`; 0 otherwise).
    pub grant: Signal<Out, Bits<CB>>,
}

impl<const CB: usize, const N: usize> Default for RrArbiter<CB, N> {
    fn default() -> Self {
        assert_eq!(N, 1 << CB, "RrArbiter: N must be 1 << CB");
        Self {
            req: Default::default(),
            after: Default::default(),
            valid: Default::default(),
            grant: Default::default(),
        }
    }
}

impl<const CB: usize, const N: usize> Logic for RrArbiter<CB, N> {
    fn update(&mut self) {
        let req = self.req.val();
        let after = self.after.val();
        self.valid.next = req.any();
        let first_after = (0..N).find(|&i| req.get_bit(i) && after.get_bit(i));
        let first = first_after.or_else(|| (0..N).find(|&i| req.get_bit(i)));
        self.grant.next = (first.unwrap_or(0) as u64).to_bits();
    }

    fn connect(&mut self) {
        self.valid.connect();
        self.grant.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
wire [{nm}:0] req_hi = req & after;
// Lowest set bit of each: a carry chain.
wire [{nm}:0] first_hi = req_hi & (~req_hi + {n}'d1);
wire [{nm}:0] first_all = req & (~req + {n}'d1);
// One-hot to index: at most one bit is set, so an OR tree, not a chain.
integer k;
reg [{cbm}:0] idx_hi;
reg [{cbm}:0] idx_all;
always @(*) begin
    idx_hi = {cb}'d0;
    idx_all = {cb}'d0;
    for (k = 0; k < {n}; k = k + 1) begin
        idx_hi = idx_hi | ({{{cb}{{first_hi[k]}}}} & k[{cbm}:0]);
        idx_all = idx_all | ({{{cb}{{first_all[k]}}}} & k[{cbm}:0]);
    end
    valid = |req;
    // Wrap round only when nothing requests after `last`.
    grant = (|req_hi) ? idx_hi : idx_all;
end",
            cb = CB,
            cbm = CB - 1,
            n = N,
            nm = N - 1
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_mask_holds_the_indices_after_last() {
        assert_eq!(after_mask(0, 4), 0b1110);
        assert_eq!(after_mask(1, 4), 0b1100);
        assert_eq!(after_mask(3, 4), 0);
        assert_eq!(after_mask(0, 64), u64::MAX - 1);
        assert_eq!(after_mask(63, 64), 0);
    }

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
            a.after.next = after_mask(last as usize, 4).to_bits();
            a.req.update_all();
            a.after.update_all();
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
