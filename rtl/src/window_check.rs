//! Whether a byte range lies inside a window, decided over two registered
//! stages.
//!
//! The rule is the model's `alpc_model::sections::in_window`: the range
//! `[addr, addr + len)` must not wrap 2^64, must not start below `base`, and,
//! when it is not empty, must not end past `last`. Done in one cycle that is
//! a 64-bit adder feeding a 65-bit compare, two carry chains in a row, too
//! slow for a 125 MHz ECP5 clock. So the first stage registers the sum, the
//! window's end + 1 and the start compare, and the second compares the sum
//! against the end and registers the answer.
//!
//! The stages run every cycle with no enable: `outside` answers for the
//! inputs of two edges before (inputs set in a state machine's cycle n are
//! judged in its cycle n + 2). A user holds the inputs still (or knows they
//! were right two cycles back) when it reads the answer. The section table
//! (SECTION_CREATE) and the engine (a COPY's window side, a large message)
//! each have one.

use rust_hdl::prelude::*;

/// See the module documentation.
#[derive(LogicBlock, Default)]
pub struct WindowCheck {
    /// Clock of both stages.
    pub clock: Signal<In, Clock>,
    /// First byte of the range.
    pub addr: Signal<In, Bits<64>>,
    /// Bytes in the range (0 is an empty range).
    pub len: Signal<In, Bits<32>>,
    /// First byte of the window.
    pub base: Signal<In, Bits<64>>,
    /// Last byte of the window (inclusive).
    pub last: Signal<In, Bits<64>>,
    /// The range of two edges before wraps, starts below `base` or ends
    /// past `last`.
    pub outside: Signal<Out, Bit>,
    sum: DFF<Bits<65>>,
    last_p1: DFF<Bits<65>>,
    below: DFF<Bit>,
    len_nz: DFF<Bit>,
    outside_q: DFF<Bit>,
}

impl Logic for WindowCheck {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sum, last_p1, below, len_nz, outside_q);
        // Stage 1: one carry chain each.
        self.sum.d.next = bit_cast::<65, 64>(self.addr.val()) + bit_cast::<65, 32>(self.len.val());
        self.last_p1.d.next = bit_cast::<65, 64>(self.last.val()) + 1;
        self.below.d.next = self.addr.val() < self.base.val();
        self.len_nz.d.next = self.len.val() != 0;
        // Stage 2: bit 64 of the sum is the wrap; an empty range ends nowhere.
        self.outside_q.d.next = self.sum.q.val().get_bit(64)
            || self.below.q.val()
            || (self.len_nz.q.val() && (self.sum.q.val() > self.last_p1.q.val()));
        self.outside.next = self.outside_q.q.val();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alpc_model::sections::in_window;

    #[derive(LogicBlock, Default)]
    struct WindowCheckTb {
        clock: Signal<In, Clock>,
        addr: Signal<In, Bits<64>>,
        len: Signal<In, Bits<32>>,
        base: Signal<In, Bits<64>>,
        last: Signal<In, Bits<64>>,
        uut: WindowCheck,
    }

    impl Logic for WindowCheckTb {
        #[hdl_gen]
        fn update(&mut self) {
            clock!(self, clock, uut);
            self.uut.addr.next = self.addr.val();
            self.uut.len.next = self.len.val();
            self.uut.base.next = self.base.val();
            self.uut.last.next = self.last.val();
        }
    }

    /// Ranges near every edge (below, at and past each end, wrapping 2^64,
    /// empty) and random ones, one new case every cycle, against the model.
    #[test]
    fn matches_the_model() {
        let mut cases: Vec<(u64, u64, u64, u32)> = Vec::new();
        let mut seed = 0x0bad_cafe_f00d_1234u64;
        for i in 0..4000u64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let base = match i % 4 {
                0 => 0,
                1 => seed >> 8,
                _ => 0x1000_0000 + (seed & 0xFFFF) * 16,
            };
            let last = match i % 5 {
                0 => u64::MAX,
                1 => base,
                _ => base.saturating_add((seed >> 20) & 0xF_FFFF),
            };
            let len = match i % 7 {
                0 => 0,
                1 => u32::MAX,
                _ => (seed >> 44) as u32 & 0x1_FFFF,
            };
            // Start on, one below or one past an edge, or anywhere.
            let edge = match (seed >> 3) % 6 {
                0 => base,
                1 => last.wrapping_sub(len as u64).wrapping_add(1),
                2 => u64::MAX - (len as u64) + 1,
                3 => last,
                _ => seed.rotate_left(17),
            };
            let addr = edge.wrapping_add(((seed >> 60) % 3).wrapping_sub(1));
            cases.push((addr, base, last, len));
        }
        let expect: Vec<bool> =
            cases.iter().map(|&(addr, base, last, len)| !in_window((base, last), addr, len as u64)).collect();
        assert!(expect.iter().filter(|&&o| o).count() > 500, "too few ranges outside");
        assert!(expect.iter().filter(|&&o| !o).count() > 500, "too few ranges inside");
        let mut tb = WindowCheckTb::default();
        tb.connect_all();
        let mut sim = simple_sim!(WindowCheckTb, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            // The answer for the inputs of edge i is out after edge i + 1.
            for i in 0..=cases.len() {
                if let Some(&(addr, base, last, len)) = cases.get(i) {
                    x.addr.next = addr.to_bits();
                    x.base.next = base.to_bits();
                    x.last.next = last.to_bits();
                    x.len.next = (len as u64).to_bits();
                }
                wait_clock_cycle!(ep, clock, x);
                if i >= 1 {
                    sim_assert_eq!(ep, x.uut.outside.val(), expect[i - 1], x);
                }
            }
            ep.done(x)
        });
        sim.run(Box::new(tb), 1_000_000_000_000).unwrap();
    }
}
