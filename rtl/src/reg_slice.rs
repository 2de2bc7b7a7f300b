//! Register slice for one valid/ready channel (a two-entry skid buffer).
//!
//! Every output comes from a register: `m_valid` and `m_data` are the output
//! register, `s_ready` is "the skid entry is empty". Neither side's
//! combinational logic reaches the other, so a slice between the engine and
//! the bus cuts the paths from the engine's state decode to the bus's
//! inputs and from the bus's outputs into the engine. Throughput is one
//! transfer per cycle; latency one cycle. When the far side stalls with a
//! transfer already accepted, the transfer is parked in the skid entry, so
//! `s_ready` can be a register and nothing is lost or reordered.
//!
//! The AXI channels of the core each go through one (`AlpcCore`), their
//! fields packed into `W` bits; [`AxiAddrSlice`] is the one for an AR or AW
//! channel, with the fields by name.

use alpc_contract::bus;
use rust_hdl::prelude::*;

const IDW: usize = bus::AXI_ID_BITS;
/// An AR or AW transfer, packed: id, address (64), len (8), size (3), burst (2).
const ADDR_BITS: usize = IDW + 77;
/// Bits of an index into the packed transfer.
const ADDR_IDX: usize = crate::index_bits(ADDR_BITS);

/// See the module documentation.
#[derive(LogicBlock, Default)]
pub struct RegSlice<const W: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high: both entries empty.
    pub rst: Signal<In, Bit>,
    /// Upstream: a transfer is offered.
    pub s_valid: Signal<In, Bit>,
    /// Upstream: the slice takes it (registered).
    pub s_ready: Signal<Out, Bit>,
    /// Upstream: the transfer.
    pub s_data: Signal<In, Bits<W>>,
    /// Downstream: a transfer is offered (registered).
    pub m_valid: Signal<Out, Bit>,
    /// Downstream: it is taken.
    pub m_ready: Signal<In, Bit>,
    /// Downstream: the transfer (registered).
    pub m_data: Signal<Out, Bits<W>>,
    out_valid: DFF<Bit>,
    out_data: DFF<Bits<W>>,
    skid_valid: DFF<Bit>,
    skid_data: DFF<Bits<W>>,
}

impl<const W: usize> Logic for RegSlice<W> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, out_valid, out_data, skid_valid, skid_data);
        self.s_ready.next = !self.skid_valid.q.val();
        self.m_valid.next = self.out_valid.q.val();
        self.m_data.next = self.out_data.q.val();
        if self.m_ready.val() || !self.out_valid.q.val() {
            // The output register is free this cycle: the parked transfer
            // first (upstream was held off), else the offered one.
            if self.skid_valid.q.val() {
                self.out_data.d.next = self.skid_data.q.val();
                self.out_valid.d.next = true;
                self.skid_valid.d.next = false;
            } else {
                self.out_data.d.next = self.s_data.val();
                self.out_valid.d.next = self.s_valid.val();
            }
        } else if !self.skid_valid.q.val() {
            // Downstream stalls and the skid entry is free: whatever is
            // offered is taken and parked. (Sampled whether or not it is
            // valid, so the upstream's valid does not enable the wide data
            // register: it only sets `skid_valid`.)
            self.skid_data.d.next = self.s_data.val();
            self.skid_valid.d.next = self.s_valid.val();
        }
        if self.rst.val() {
            self.out_valid.d.next = false;
            self.skid_valid.d.next = false;
        }
    }
}

/// A [`RegSlice`] for an AXI address channel (AR or AW), fields by name.
#[derive(LogicBlock)]
pub struct AxiAddrSlice {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// Upstream: `axvalid`.
    pub s_valid: Signal<In, Bit>,
    /// Upstream: `axready` (registered).
    pub s_ready: Signal<Out, Bit>,
    /// Upstream: `axid`.
    pub s_id: Signal<In, Bits<IDW>>,
    /// Upstream: `axaddr`.
    pub s_addr: Signal<In, Bits<64>>,
    /// Upstream: `axlen`.
    pub s_len: Signal<In, Bits<8>>,
    /// Upstream: `axsize`.
    pub s_size: Signal<In, Bits<3>>,
    /// Upstream: `axburst`.
    pub s_burst: Signal<In, Bits<2>>,
    /// Downstream: `axvalid` (registered).
    pub m_valid: Signal<Out, Bit>,
    /// Downstream: `axready`.
    pub m_ready: Signal<In, Bit>,
    /// Downstream: `axid` (registered).
    pub m_id: Signal<Out, Bits<IDW>>,
    /// Downstream: `axaddr` (registered).
    pub m_addr: Signal<Out, Bits<64>>,
    /// Downstream: `axlen` (registered).
    pub m_len: Signal<Out, Bits<8>>,
    /// Downstream: `axsize` (registered).
    pub m_size: Signal<Out, Bits<3>>,
    /// Downstream: `axburst` (registered).
    pub m_burst: Signal<Out, Bits<2>>,
    slice: RegSlice<ADDR_BITS>,
    k_addr: Constant<Bits<ADDR_IDX>>,
    k_len: Constant<Bits<ADDR_IDX>>,
    k_size: Constant<Bits<ADDR_IDX>>,
    k_burst: Constant<Bits<ADDR_IDX>>,
}

impl Default for AxiAddrSlice {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rst: Default::default(),
            s_valid: Default::default(),
            s_ready: Default::default(),
            s_id: Default::default(),
            s_addr: Default::default(),
            s_len: Default::default(),
            s_size: Default::default(),
            s_burst: Default::default(),
            m_valid: Default::default(),
            m_ready: Default::default(),
            m_id: Default::default(),
            m_addr: Default::default(),
            m_len: Default::default(),
            m_size: Default::default(),
            m_burst: Default::default(),
            slice: Default::default(),
            k_addr: crate::konst(IDW as u64),
            k_len: crate::konst(IDW as u64 + 64),
            k_size: crate::konst(IDW as u64 + 72),
            k_burst: crate::konst(IDW as u64 + 75),
        }
    }
}

impl Logic for AxiAddrSlice {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, slice);
        self.slice.rst.next = self.rst.val();
        self.slice.s_valid.next = self.s_valid.val();
        self.s_ready.next = self.slice.s_ready.val();
        self.slice.s_data.next = bit_cast::<ADDR_BITS, IDW>(self.s_id.val())
            | (bit_cast::<ADDR_BITS, 64>(self.s_addr.val()) << self.k_addr.val())
            | (bit_cast::<ADDR_BITS, 8>(self.s_len.val()) << self.k_len.val())
            | (bit_cast::<ADDR_BITS, 3>(self.s_size.val()) << self.k_size.val())
            | (bit_cast::<ADDR_BITS, 2>(self.s_burst.val()) << self.k_burst.val());
        self.m_valid.next = self.slice.m_valid.val();
        self.slice.m_ready.next = self.m_ready.val();
        self.m_id.next = self.slice.m_data.val().get_bits::<IDW>(0);
        self.m_addr.next = self.slice.m_data.val().get_bits::<64>(self.k_addr.val().index());
        self.m_len.next = self.slice.m_data.val().get_bits::<8>(self.k_len.val().index());
        self.m_size.next = self.slice.m_data.val().get_bits::<3>(self.k_size.val().index());
        self.m_burst.next = self.slice.m_data.val().get_bits::<2>(self.k_burst.val().index());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(LogicBlock)]
    struct Tb {
        clock: Signal<In, Clock>,
        rst: Signal<In, Bit>,
        s_valid: Signal<In, Bit>,
        s_data: Signal<In, Bits<16>>,
        m_ready: Signal<In, Bit>,
        uut: RegSlice<16>,
    }

    impl Logic for Tb {
        #[hdl_gen]
        fn update(&mut self) {
            clock!(self, clock, uut);
            self.uut.rst.next = self.rst.val();
            self.uut.s_valid.next = self.s_valid.val();
            self.uut.s_data.next = self.s_data.val();
            self.uut.m_ready.next = self.m_ready.val();
        }
    }

    /// Random valid upstream, random ready downstream, with stretches of
    /// both always on: every transfer arrives once and in order, a stalled
    /// output holds, and the always-on stretches move one per cycle.
    #[test]
    fn passes_every_transfer_in_order_at_full_rate() {
        let mut tb = Tb {
            clock: Default::default(),
            rst: Default::default(),
            s_valid: Default::default(),
            s_data: Default::default(),
            m_ready: Default::default(),
            uut: Default::default(),
        };
        tb.connect_all();
        let mut sim = Simulation::new();
        sim.add_clock(5, |x: &mut Box<Tb>| x.clock.next = !x.clock.val());
        sim.add_testbench(move |mut ep: Sim<Tb>| {
            let mut x = ep.init()?;
            let mut seed = 0x9E37_79B9_7F4A_7C15u64;
            x.rst.next = true;
            wait_clock_cycle!(ep, clock, x);
            x.rst.next = false;
            let (mut sent, mut got, mut streak, mut best) = (0u64, 0u64, 0u32, 0u32);
            let mut stalled: Option<u64> = None;
            for cycle in 0..20_000u32 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let busy = (cycle / 500) % 2 == 1;
                let offer = busy || seed % 3 != 0;
                let take = busy || (seed >> 8) % 4 != 0;
                x.s_valid.next = offer;
                x.s_data.next = (sent & 0xFFFF).to_bits();
                x.m_ready.next = take;
                // Every output is a register: read the handshakes before
                // the edge.
                if let Some(v) = stalled {
                    sim_assert!(ep, x.uut.m_valid.val(), x);
                    sim_assert_eq!(ep, x.uut.m_data.val().index() as u64, v, x);
                }
                stalled = None;
                if offer && x.uut.s_ready.val() {
                    sent += 1;
                }
                if x.uut.m_valid.val() {
                    if take {
                        sim_assert_eq!(ep, x.uut.m_data.val().index() as u64, got & 0xFFFF, x);
                        got += 1;
                    } else {
                        stalled = Some(x.uut.m_data.val().index() as u64);
                    }
                }
                streak = if take && x.uut.m_valid.val() { streak + 1 } else { 0 };
                best = best.max(streak);
                wait_clock_cycle!(ep, clock, x);
            }
            // A few transfers may still be inside; none is lost or doubled.
            sim_assert!(ep, sent >= got && sent - got <= 2, x);
            sim_assert!(ep, got > 12_000, x);
            sim_assert!(ep, best >= 490, x);
            ep.done(x)
        });
        sim.run(Box::new(tb), 10_000_000).unwrap();
    }
}
