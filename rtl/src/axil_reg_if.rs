//! AXI4-Lite slave that turns BAR0 accesses into a simple register bus.
//!
//! The PCIe core (LitePCIe, XDMA, an AWS shell) presents BAR0 as an AXI4-Lite
//! master; this block is its slave (`s_axil_*`). It accepts one write (address
//! and data together) and one read at a time, which is all a CPU's MMIO
//! produces, and hands them to the register block from registers (so the
//! register block's decoding never starts at the bus's inputs):
//!
//! * write: `reg_wr_addr`/`reg_wr_data` held from the cycle after the
//!   handshake, `reg_wr_en` strobed one cycle later (the register block
//!   decodes the address into flip-flops in between); the register block
//!   answers `reg_wr_err` one cycle after the strobe (unmapped or read-only
//!   address);
//! * read: `reg_rd_en` with `reg_rd_addr` the cycle after the handshake; the
//!   register block answers `reg_rd_data`/`reg_rd_err` three cycles later:
//!   one cycle to decode the address into flip-flops, one for its block RAMs
//!   to be read, one through their output registers.
//!
//! Partial writes (`s_axil_wstrb` other than all ones) are refused with
//! SLVERR and change nothing: every register is 32 bits wide.

use alpc_contract::bus;
use rust_hdl::prelude::*;

const AW: usize = bus::AXIL_ADDR_BITS;

/// See the module documentation.
#[derive(LogicBlock)]
pub struct AxilRegIf {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// AXI4-Lite write address.
    pub s_axil_awaddr: Signal<In, Bits<AW>>,
    /// AXI4-Lite write address valid.
    pub s_axil_awvalid: Signal<In, Bit>,
    /// AXI4-Lite write address ready.
    pub s_axil_awready: Signal<Out, Bit>,
    /// AXI4-Lite write data.
    pub s_axil_wdata: Signal<In, Bits<32>>,
    /// AXI4-Lite write strobes.
    pub s_axil_wstrb: Signal<In, Bits<4>>,
    /// AXI4-Lite write data valid.
    pub s_axil_wvalid: Signal<In, Bit>,
    /// AXI4-Lite write data ready.
    pub s_axil_wready: Signal<Out, Bit>,
    /// AXI4-Lite write response.
    pub s_axil_bresp: Signal<Out, Bits<2>>,
    /// AXI4-Lite write response valid.
    pub s_axil_bvalid: Signal<Out, Bit>,
    /// AXI4-Lite write response ready.
    pub s_axil_bready: Signal<In, Bit>,
    /// AXI4-Lite read address.
    pub s_axil_araddr: Signal<In, Bits<AW>>,
    /// AXI4-Lite read address valid.
    pub s_axil_arvalid: Signal<In, Bit>,
    /// AXI4-Lite read address ready.
    pub s_axil_arready: Signal<Out, Bit>,
    /// AXI4-Lite read data.
    pub s_axil_rdata: Signal<Out, Bits<32>>,
    /// AXI4-Lite read response.
    pub s_axil_rresp: Signal<Out, Bits<2>>,
    /// AXI4-Lite read data valid.
    pub s_axil_rvalid: Signal<Out, Bit>,
    /// AXI4-Lite read data ready.
    pub s_axil_rready: Signal<In, Bit>,
    /// Register bus: write strobe.
    pub reg_wr_en: Signal<Out, Bit>,
    /// Register bus: write address.
    pub reg_wr_addr: Signal<Out, Bits<AW>>,
    /// Register bus: write data.
    pub reg_wr_data: Signal<Out, Bits<32>>,
    /// Register bus: the write address is not a writable register (the
    /// cycle after `reg_wr_en`).
    pub reg_wr_err: Signal<In, Bit>,
    /// Register bus: read strobe.
    pub reg_rd_en: Signal<Out, Bit>,
    /// Register bus: read address.
    pub reg_rd_addr: Signal<Out, Bits<AW>>,
    /// Register bus: read data, three cycles after `reg_rd_en`.
    pub reg_rd_data: Signal<In, Bits<32>>,
    /// Register bus: read error, three cycles after `reg_rd_en`.
    pub reg_rd_err: Signal<In, Bit>,
    bvalid: DFF<Bit>,
    bresp: DFF<Bits<2>>,
    rvalid: DFF<Bit>,
    rresp: DFF<Bits<2>>,
    rdata: DFF<Bits<32>>,
    rd_pending: DFF<Bit>,
    // The two cycles between the strobe and the cycle the data is taken.
    rd_wait: DFF<Bit>,
    rd_wait2: DFF<Bit>,
    wr_pending: DFF<Bit>,
    wr_bad_strb: DFF<Bit>,
    wr_taken: DFF<Bit>,
    // The cycle the register block decodes the held address (its strobe
    // follows it).
    wr_decode: DFF<Bit>,
    wr_addr_q: DFF<Bits<AW>>,
    wr_data_q: DFF<Bits<32>>,
    rd_taken: DFF<Bit>,
    rd_addr_q: DFF<Bits<AW>>,
    write_go: Signal<Local, Bit>,
    read_go: Signal<Local, Bit>,
    resp_okay: Constant<Bits<2>>,
    resp_slverr: Constant<Bits<2>>,
    all_lanes: Constant<Bits<4>>,
}

impl Default for AxilRegIf {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rst: Default::default(),
            s_axil_awaddr: Default::default(),
            s_axil_awvalid: Default::default(),
            s_axil_awready: Default::default(),
            s_axil_wdata: Default::default(),
            s_axil_wstrb: Default::default(),
            s_axil_wvalid: Default::default(),
            s_axil_wready: Default::default(),
            s_axil_bresp: Default::default(),
            s_axil_bvalid: Default::default(),
            s_axil_bready: Default::default(),
            s_axil_araddr: Default::default(),
            s_axil_arvalid: Default::default(),
            s_axil_arready: Default::default(),
            s_axil_rdata: Default::default(),
            s_axil_rresp: Default::default(),
            s_axil_rvalid: Default::default(),
            s_axil_rready: Default::default(),
            reg_wr_en: Default::default(),
            reg_wr_addr: Default::default(),
            reg_wr_data: Default::default(),
            reg_wr_err: Default::default(),
            reg_rd_en: Default::default(),
            reg_rd_addr: Default::default(),
            reg_rd_data: Default::default(),
            reg_rd_err: Default::default(),
            bvalid: Default::default(),
            bresp: Default::default(),
            rvalid: Default::default(),
            rresp: Default::default(),
            rdata: Default::default(),
            rd_pending: Default::default(),
            rd_wait: Default::default(),
            rd_wait2: Default::default(),
            wr_pending: Default::default(),
            wr_bad_strb: Default::default(),
            wr_taken: Default::default(),
            wr_decode: Default::default(),
            wr_addr_q: Default::default(),
            wr_data_q: Default::default(),
            rd_taken: Default::default(),
            rd_addr_q: Default::default(),
            write_go: Default::default(),
            read_go: Default::default(),
            resp_okay: crate::konst(bus::RESP_OKAY as u64),
            resp_slverr: crate::konst(bus::RESP_SLVERR as u64),
            all_lanes: crate::konst(0xF),
        }
    }
}

impl Logic for AxilRegIf {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            bvalid,
            bresp,
            rvalid,
            rresp,
            rdata,
            rd_pending,
            rd_wait,
            rd_wait2,
            wr_pending,
            wr_bad_strb,
            wr_taken,
            wr_decode,
            wr_addr_q,
            wr_data_q,
            rd_taken,
            rd_addr_q
        );
        // Write: take address and data together when no write is in progress;
        // hold the address for the register block to decode the cycle after
        // (into its registers), strobe it the cycle after that, answer the
        // cycle after that, with its verdict.
        self.write_go.next = self.s_axil_awvalid.val()
            && self.s_axil_wvalid.val()
            && !self.bvalid.q.val()
            && !self.wr_taken.q.val()
            && !self.wr_decode.q.val()
            && !self.wr_pending.q.val();
        self.s_axil_awready.next = self.write_go.val();
        self.s_axil_wready.next = self.write_go.val();
        self.wr_taken.d.next = self.write_go.val();
        // Address, data and strobes are sampled every cycle no write is in
        // progress (so the sampling does not wait on the valids: no path
        // from the master's valid back to its own inputs), and held from the
        // handshake until the response.
        if !self.wr_taken.q.val() && !self.wr_decode.q.val() && !self.wr_pending.q.val() {
            self.wr_addr_q.d.next = self.s_axil_awaddr.val();
            self.wr_data_q.d.next = self.s_axil_wdata.val();
            self.wr_bad_strb.d.next = self.s_axil_wstrb.val() != self.all_lanes.val();
        }
        self.wr_decode.d.next = self.wr_taken.q.val();
        self.reg_wr_en.next = self.wr_decode.q.val() && !self.wr_bad_strb.q.val();
        self.reg_wr_addr.next = self.wr_addr_q.q.val();
        self.reg_wr_data.next = self.wr_data_q.q.val();
        self.wr_pending.d.next = self.wr_decode.q.val();
        if self.wr_pending.q.val() {
            self.bvalid.d.next = true;
            if self.wr_bad_strb.q.val() || self.reg_wr_err.val() {
                self.bresp.d.next = self.resp_slverr.val();
            } else {
                self.bresp.d.next = self.resp_okay.val();
            }
        } else if self.s_axil_bready.val() {
            self.bvalid.d.next = false;
        }
        self.s_axil_bvalid.next = self.bvalid.q.val();
        self.s_axil_bresp.next = self.bresp.q.val();

        // Read: one in flight; the strobe the cycle after the handshake, the
        // data from the register block three cycles after the strobe.
        self.read_go.next = self.s_axil_arvalid.val()
            && !self.rvalid.q.val()
            && !self.rd_taken.q.val()
            && !self.rd_wait.q.val()
            && !self.rd_wait2.q.val()
            && !self.rd_pending.q.val();
        self.s_axil_arready.next = self.read_go.val();
        self.rd_taken.d.next = self.read_go.val();
        if !self.rd_taken.q.val() {
            self.rd_addr_q.d.next = self.s_axil_araddr.val();
        }
        self.reg_rd_en.next = self.rd_taken.q.val();
        self.reg_rd_addr.next = self.rd_addr_q.q.val();
        self.rd_wait.d.next = self.rd_taken.q.val();
        self.rd_wait2.d.next = self.rd_wait.q.val();
        self.rd_pending.d.next = self.rd_wait2.q.val();
        if self.rd_pending.q.val() {
            self.rvalid.d.next = true;
            self.rdata.d.next = self.reg_rd_data.val();
            if self.reg_rd_err.val() {
                self.rresp.d.next = self.resp_slverr.val();
            } else {
                self.rresp.d.next = self.resp_okay.val();
            }
        } else if self.s_axil_rready.val() {
            self.rvalid.d.next = false;
        }
        self.s_axil_rvalid.next = self.rvalid.q.val();
        self.s_axil_rdata.next = self.rdata.q.val();
        self.s_axil_rresp.next = self.rresp.q.val();

        if self.rst.val() {
            self.bvalid.d.next = false;
            self.rvalid.d.next = false;
            self.rd_pending.d.next = false;
            self.rd_wait.d.next = false;
            self.rd_wait2.d.next = false;
            self.wr_pending.d.next = false;
            self.rd_taken.d.next = false;
            self.wr_taken.d.next = false;
            self.wr_decode.d.next = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AXI-Lite block against a stand-in register block that answers
    /// like `Csr`: write verdict one cycle, read data three cycles after the
    /// strobe. The master moves `araddr` on after each handshake, so read
    /// data taken a cycle early or late would be another address's.
    #[derive(LogicBlock)]
    struct Tb {
        clock: Signal<In, Clock>,
        awaddr: Signal<In, Bits<AW>>,
        awvalid: Signal<In, Bit>,
        wdata: Signal<In, Bits<32>>,
        wstrb: Signal<In, Bits<4>>,
        wvalid: Signal<In, Bit>,
        bready: Signal<In, Bit>,
        araddr: Signal<In, Bits<AW>>,
        arvalid: Signal<In, Bit>,
        rready: Signal<In, Bit>,
        uut: AxilRegIf,
        wr_err: DFF<Bit>,
        rd_data: DFF<Bits<32>>,
        rd_err: DFF<Bit>,
        rd_data2: DFF<Bits<32>>,
        rd_err2: DFF<Bit>,
        rd_data3: DFF<Bits<32>>,
        rd_err3: DFF<Bit>,
        writes: DFF<Bits<8>>,
        last_data: DFF<Bits<32>>,
        bad: Constant<Bits<AW>>,
    }

    impl Logic for Tb {
        #[hdl_gen]
        fn update(&mut self) {
            dff_setup!(self, clock, wr_err, rd_data, rd_err, rd_data2, rd_err2, rd_data3, rd_err3, writes, last_data);
            clock!(self, clock, uut);
            self.uut.rst.next = false;
            self.uut.s_axil_awaddr.next = self.awaddr.val();
            self.uut.s_axil_awvalid.next = self.awvalid.val();
            self.uut.s_axil_wdata.next = self.wdata.val();
            self.uut.s_axil_wstrb.next = self.wstrb.val();
            self.uut.s_axil_wvalid.next = self.wvalid.val();
            self.uut.s_axil_bready.next = self.bready.val();
            self.uut.s_axil_araddr.next = self.araddr.val();
            self.uut.s_axil_arvalid.next = self.arvalid.val();
            self.uut.s_axil_rready.next = self.rready.val();
            self.wr_err.d.next = self.uut.reg_wr_addr.val() == self.bad.val();
            self.rd_err.d.next = self.uut.reg_rd_addr.val() == self.bad.val();
            self.rd_data.d.next = bit_cast::<32, AW>(self.uut.reg_rd_addr.val()) + 0x1000;
            self.rd_data2.d.next = self.rd_data.q.val();
            self.rd_err2.d.next = self.rd_err.q.val();
            self.rd_data3.d.next = self.rd_data2.q.val();
            self.rd_err3.d.next = self.rd_err2.q.val();
            if self.uut.reg_wr_en.val() {
                self.writes.d.next = self.writes.q.val() + 1;
                self.last_data.d.next = self.uut.reg_wr_data.val();
            }
            self.uut.reg_wr_err.next = self.wr_err.q.val();
            self.uut.reg_rd_data.next = self.rd_data3.q.val();
            self.uut.reg_rd_err.next = self.rd_err3.q.val();
        }
    }

    #[test]
    fn writes_reads_and_errors() {
        let mut tb = Tb {
            clock: Default::default(),
            awaddr: Default::default(),
            awvalid: Default::default(),
            wdata: Default::default(),
            wstrb: Default::default(),
            wvalid: Default::default(),
            bready: Default::default(),
            araddr: Default::default(),
            arvalid: Default::default(),
            rready: Default::default(),
            uut: AxilRegIf::default(),
            wr_err: Default::default(),
            rd_data: Default::default(),
            rd_err: Default::default(),
            rd_data2: Default::default(),
            rd_err2: Default::default(),
            rd_data3: Default::default(),
            rd_err3: Default::default(),
            writes: Default::default(),
            last_data: Default::default(),
            bad: crate::konst(0x40),
        };
        tb.connect_all();
        let mut sim = simple_sim!(Tb, clock, 100_000_000, ep, {
            let mut x = ep.init()?;
            // (address, strobes, expected response, counts as a register write)
            for (addr, strb, resp, lands) in [
                (0x8u64, 0xFu64, 0u64, true),
                (0x40, 0xF, 2, true),
                (0xC, 0x3, 2, false),
            ] {
                x.awaddr.next = addr.to_bits();
                x.wdata.next = (0xABC0 + addr).to_bits();
                x.wstrb.next = strb.to_bits();
                x.awvalid.next = true;
                x.wvalid.next = true;
                x.bready.next = false;
                let before = x.writes.q.val().index();
                let mut waited = 0;
                loop {
                    wait_clock_cycle!(ep, clock, x);
                    waited += 1;
                    sim_assert!(ep, waited < 10, x);
                    if x.uut.s_axil_bvalid.val() {
                        break;
                    }
                    if !x.uut.s_axil_awready.val() {
                        // Address and data were taken together: drop valid.
                        x.awvalid.next = false;
                        x.wvalid.next = false;
                    }
                }
                x.awvalid.next = false;
                x.wvalid.next = false;
                // The response is held until the master takes it.
                wait_clock_cycles!(ep, clock, x, 3);
                sim_assert!(ep, x.uut.s_axil_bvalid.val(), x);
                sim_assert_eq!(ep, x.uut.s_axil_bresp.val().index() as u64, resp, x);
                x.bready.next = true;
                wait_clock_cycle!(ep, clock, x);
                x.bready.next = false;
                wait_clock_cycle!(ep, clock, x);
                sim_assert!(ep, !x.uut.s_axil_bvalid.val(), x);
                sim_assert_eq!(ep, x.writes.q.val().index() - before, lands as usize, x);
            }
            sim_assert_eq!(ep, x.last_data.q.val().index() as u64, 0xABC0 + 0x40, x);
            for (addr, resp) in [(0x24u64, 0u64), (0x40, 2)] {
                x.araddr.next = addr.to_bits();
                x.arvalid.next = true;
                x.rready.next = true;
                let mut waited = 0;
                loop {
                    wait_clock_cycle!(ep, clock, x);
                    if x.uut.s_axil_arready.val() {
                        x.arvalid.next = false;
                        // Another address on the bus while this one is read.
                        x.araddr.next = (addr + 0x100).to_bits();
                    }
                    waited += 1;
                    sim_assert!(ep, waited < 10, x);
                    if x.uut.s_axil_rvalid.val() {
                        break;
                    }
                }
                x.arvalid.next = false;
                sim_assert_eq!(ep, x.uut.s_axil_rresp.val().index() as u64, resp, x);
                sim_assert_eq!(
                    ep,
                    x.uut.s_axil_rdata.val().index() as u64,
                    addr + 0x1000,
                    x
                );
                wait_clock_cycle!(ep, clock, x);
                sim_assert!(ep, !x.uut.s_axil_rvalid.val(), x);
            }
            ep.done(x)
        });
        sim.run(Box::new(tb), 100_000_000).unwrap();
    }
}
