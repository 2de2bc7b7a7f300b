//! Length of the next AXI burst.
//!
//! Combinational. Given where the next beat sits in its 4 KiB page and the beats still to
//! move, gives the beats of the next burst: at most
//! [`MAX_BURST_BEATS`](alpc_contract::bus::MAX_BURST_BEATS), and never across
//! a 4 KiB boundary (an AXI4 rule that PCIe bridges rely on). The engine has
//! three of these (AR, AW and W channels) so that the W channel finds the
//! burst boundaries the AW channel chose without a FIFO between them.

use alpc_contract::bus;
use rust_hdl::prelude::*;

// The splitter looks at address bits 11:4: 16-byte beats, 4 KiB pages.
const _: () = assert!(bus::BURST_BOUNDARY == 4096 && bus::AXI_DATA_BYTES == 16);
/// Beats in a 4 KiB page.
const PAGE_BEATS: u64 = bus::BURST_BOUNDARY / bus::AXI_DATA_BYTES as u64;
// A burst's length fits the 9-bit compares.
const _: () = assert!(bus::MAX_BURST_BEATS as u64 <= PAGE_BEATS && PAGE_BEATS < 512);

/// See the module documentation.
#[derive(LogicBlock)]
pub struct BurstSplitter {
    /// Index of the next beat inside its 4 KiB page (address bits 11:4).
    pub page_beat: Signal<In, Bits<8>>,
    /// Beats still to move (0 gives 0).
    pub beats_left: Signal<In, Bits<32>>,
    /// Beats in the next burst, 0..=MAX_BURST_BEATS.
    pub burst: Signal<Out, Bits<32>>,
    // Beats to the next boundary, 1..=256 (9 bits: the compares stay short).
    to_boundary: Signal<Local, Bits<9>>,
    // beats_left is 512 or more: above both limits whatever its low bits.
    many: Signal<Local, Bit>,
    max_burst: Constant<Bits<9>>,
    page_beats: Constant<Bits<9>>,
    // The last page_beat with max_burst beats or more before the boundary.
    last_full: Constant<Bits<8>>,
}

impl Default for BurstSplitter {
    fn default() -> Self {
        Self {
            page_beat: Default::default(),
            beats_left: Default::default(),
            burst: Default::default(),
            to_boundary: Default::default(),
            many: Default::default(),
            max_burst: crate::konst(bus::MAX_BURST_BEATS as u64),
            page_beats: crate::konst(PAGE_BEATS),
            last_full: crate::konst(PAGE_BEATS - bus::MAX_BURST_BEATS as u64),
        }
    }
}

impl Logic for BurstSplitter {
    #[hdl_gen]
    fn update(&mut self) {
        // Beats to the next 4 KiB boundary: 256 - page_beat.
        self.to_boundary.next = self.page_beats.val() - bit_cast::<9, 8>(self.page_beat.val());
        self.many.next = self.beats_left.val().get_bits::<23>(9) != 0;
        if self.many.val() || (self.beats_left.val().get_bits::<9>(0) > self.max_burst.val()) {
            self.burst.next = bit_cast::<32, 9>(self.max_burst.val());
        } else {
            self.burst.next = self.beats_left.val();
        }
        // Fewer than max_burst beats to the boundary, and fewer than left.
        if (self.page_beat.val() > self.last_full.val())
            && (self.many.val() || (self.to_boundary.val() < self.beats_left.val().get_bits::<9>(0)))
        {
            self.burst.next = bit_cast::<32, 9>(self.to_boundary.val());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(addr: u64, beats: u32) -> u32 {
        let to_boundary = ((4096 - (addr % 4096)) / 16) as u32;
        beats.min(16).min(to_boundary)
    }

    #[test]
    fn matches_the_axi_rule() {
        let mut tb = BurstSplitterTb {
            clock: Default::default(),
            page_beat: Default::default(),
            beats_left: Default::default(),
            uut: BurstSplitter::default(),
        };
        tb.connect_all();
        let mut sim = simple_sim!(BurstSplitterTb, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            let mut seed = 0x1234_5678_9abc_def0u64;
            for i in 0..2000u64 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let addr = if i < 300 { 4096 - 16 * (i % 20) } else { seed } & !15;
                // Few beats, a few hundred (around the 9-bit compares' 512), any.
                let beats = if i % 3 == 0 {
                    (seed >> 40) as u32 % 40
                } else if i % 3 == 1 {
                    (seed >> 30) as u32 % 1100
                } else {
                    (seed >> 20) as u32
                };
                x.page_beat.next = ((addr >> 4) & 0xFF).to_bits();
                x.beats_left.next = (beats as u64).to_bits();
                wait_clock_cycle!(ep, clock, x);
                sim_assert_eq!(ep, x.uut.burst.val().to_u32(), reference(addr, beats), x);
            }
            ep.done(x)
        });
        sim.run(Box::new(tb), 1_000_000_000_000).unwrap();
    }

    #[derive(LogicBlock)]
    struct BurstSplitterTb {
        clock: Signal<In, Clock>,
        page_beat: Signal<In, Bits<8>>,
        beats_left: Signal<In, Bits<32>>,
        uut: BurstSplitter,
    }
    impl Logic for BurstSplitterTb {
        #[hdl_gen]
        fn update(&mut self) {
            self.uut.page_beat.next = self.page_beat.val();
            self.uut.beats_left.next = self.beats_left.val();
        }
    }
}
