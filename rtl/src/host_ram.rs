//! On-chip "host memory" for boards without PCIe: an AXI4 slave (`s_axi_*`,
//! the core's DMA master plugs in) over a block RAM of `1 << A` 16-byte
//! beats with byte strobes, plus a 32-bit word port (`w_*`) through which
//! the UART bridge lets the PC write rings and read completions.
//!
//! One burst at a time (INCR, full-width beats, as the core issues them;
//! anything else gets SLVERR); AR and AW are offered in alternate cycles;
//! two cycles per read beat (the RAM's registered read, then the beat). A
//! burst outside the memory gets SLVERR (the core reports a DMA error) and
//! changes nothing (the data of an
//! erroneous read beat is meaningless); bursts never cross 4 KiB and the memory is a multiple
//! of 4 KiB, so a burst is wholly inside or wholly outside. The word port is
//! served between bursts.

use rust_hdl::prelude::*;
use std::collections::BTreeMap;

/// AXI response code SLVERR.
const AXI_SLVERR: u64 = 2;

/// A RAM of 128-bit words with a registered read port and a write port
/// with one enable per byte (what block RAMs with byte enables implement).
#[derive(LogicBlock)]
pub struct ByteRam<const A: usize> {
    /// Clock of both ports.
    pub clock: Signal<In, Clock>,
    /// Read address.
    pub rd_addr: Signal<In, Bits<A>>,
    /// The word at `rd_addr` of the previous cycle.
    pub rd_data: Signal<Out, Bits<128>>,
    /// Write address.
    pub wr_addr: Signal<In, Bits<A>>,
    /// Bytes of `wr_data` to write.
    pub wr_strb: Signal<In, Bits<16>>,
    /// Write data.
    pub wr_data: Signal<In, Bits<128>>,
    _sim: BTreeMap<u64, u128>,
}

impl<const A: usize> Default for ByteRam<A> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rd_addr: Default::default(),
            rd_data: Default::default(),
            wr_addr: Default::default(),
            wr_strb: Default::default(),
            wr_data: Default::default(),
            _sim: Default::default(),
        }
    }
}

impl<const A: usize> Logic for ByteRam<A> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let word = *self._sim.get(&self.rd_addr.val().to_u64()).unwrap_or(&0);
            self.rd_data.next = to_bits128(word);
            let strb = self.wr_strb.val().to_u64();
            if strb != 0 {
                let addr = self.wr_addr.val().to_u64();
                let old = *self._sim.get(&addr).unwrap_or(&0);
                let new = from_bits128(self.wr_data.val());
                let mask = (0..16).filter(|b| strb >> b & 1 == 1).fold(0u128, |m, b| m | 0xFFu128 << (8 * b));
                self._sim.insert(addr, old & !mask | new & mask);
            }
        }
    }

    fn connect(&mut self) {
        self.rd_data.connect();
    }

    fn hdl(&self) -> Verilog {
        let lanes: String = (0..16)
            .map(|b| format!("    if (wr_strb[{b}]) mem[wr_addr][{hi}:{lo}] <= wr_data[{hi}:{lo}];\n", hi = 8 * b + 7, lo = 8 * b))
            .collect();
        Verilog::Custom(format!(
            "\
reg [127:0] mem [0:{last}];
always @(posedge clock) begin
    rd_data <= mem[rd_addr];
{lanes}end",
            last = (1usize << A) - 1
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "byte_ram".into(),
            clock: "clock".into(),
            inputs: vec!["rd_addr".into(), "wr_addr".into(), "wr_strb".into(), "wr_data".into()],
            outputs: vec!["rd_data".into()],
        }]
    }
}

fn to_bits128(v: u128) -> Bits<128> {
    (Bits::<128>::from(v as u64)) | (Bits::<128>::from((v >> 64) as u64) << 64)
}

fn from_bits128(b: Bits<128>) -> u128 {
    (b.get_bits::<64>(0).to_u64() as u128) | ((b.get_bits::<64>(64).to_u64() as u128) << 64)
}

/// States of the memory's sequencer.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum HostRamState {
    /// Waiting for a burst or a word access.
    Idle,
    /// Read burst: the RAM reads the next beat.
    RdAddr,
    /// Read burst: the beat is offered on R.
    RdBeat,
    /// Write burst: taking beats on W.
    WrBeat,
    /// Write burst: the response on B.
    WrResp,
    /// Word port: the RAM reads the word's beat.
    WordRd,
    /// Word port: done.
    WordAck,
}

/// See the module documentation: `1 << A` beats of 16 bytes.
#[derive(LogicBlock)]
pub struct HostRam<const A: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset (the contents are kept).
    pub rst: Signal<In, Bit>,
    /// AXI4 slave: read address ID.
    pub s_axi_arid: Signal<In, Bits<4>>,
    /// Read address.
    pub s_axi_araddr: Signal<In, Bits<64>>,
    /// Read burst length - 1.
    pub s_axi_arlen: Signal<In, Bits<8>>,
    /// Read beat size (only 16 bytes, 4, is served).
    pub s_axi_arsize: Signal<In, Bits<3>>,
    /// Read burst type (only INCR, 1, is served).
    pub s_axi_arburst: Signal<In, Bits<2>>,
    /// Read address valid.
    pub s_axi_arvalid: Signal<In, Bit>,
    /// Read address ready.
    pub s_axi_arready: Signal<Out, Bit>,
    /// Read ID.
    pub s_axi_rid: Signal<Out, Bits<4>>,
    /// Read data.
    pub s_axi_rdata: Signal<Out, Bits<128>>,
    /// Read response.
    pub s_axi_rresp: Signal<Out, Bits<2>>,
    /// Last read beat.
    pub s_axi_rlast: Signal<Out, Bit>,
    /// Read data valid.
    pub s_axi_rvalid: Signal<Out, Bit>,
    /// Read data ready.
    pub s_axi_rready: Signal<In, Bit>,
    /// Write address ID.
    pub s_axi_awid: Signal<In, Bits<4>>,
    /// Write address.
    pub s_axi_awaddr: Signal<In, Bits<64>>,
    /// Write burst length - 1 (the beats end at `wlast`).
    pub s_axi_awlen: Signal<In, Bits<8>>,
    /// Write beat size (only 16 bytes).
    pub s_axi_awsize: Signal<In, Bits<3>>,
    /// Write burst type (only INCR).
    pub s_axi_awburst: Signal<In, Bits<2>>,
    /// Write address valid.
    pub s_axi_awvalid: Signal<In, Bit>,
    /// Write address ready.
    pub s_axi_awready: Signal<Out, Bit>,
    /// Write data.
    pub s_axi_wdata: Signal<In, Bits<128>>,
    /// Write strobes.
    pub s_axi_wstrb: Signal<In, Bits<16>>,
    /// Last write beat.
    pub s_axi_wlast: Signal<In, Bit>,
    /// Write data valid.
    pub s_axi_wvalid: Signal<In, Bit>,
    /// Write data ready.
    pub s_axi_wready: Signal<Out, Bit>,
    /// Write response ID.
    pub s_axi_bid: Signal<Out, Bits<4>>,
    /// Write response.
    pub s_axi_bresp: Signal<Out, Bits<2>>,
    /// Write response valid.
    pub s_axi_bvalid: Signal<Out, Bit>,
    /// Write response ready.
    pub s_axi_bready: Signal<In, Bit>,
    /// Word port: an access is asked for (held until `w_ack`).
    pub w_req: Signal<In, Bit>,
    /// Word port: write.
    pub w_we: Signal<In, Bit>,
    /// Word port: byte address (only the bits inside the memory are used).
    pub w_addr: Signal<In, Bits<32>>,
    /// Word port: the word to write.
    pub w_wdata: Signal<In, Bits<32>>,
    /// Word port: one cycle, done.
    pub w_ack: Signal<Out, Bit>,
    /// Word port: the word read (valid with `w_ack`).
    pub w_rdata: Signal<Out, Bits<32>>,
    ram: ByteRam<A>,
    state: DFF<HostRamState>,
    ptr: DFF<Bits<A>>,
    left: DFF<Bits<8>>,
    id: DFF<Bits<4>>,
    err: DFF<Bit>,
    prefer_aw: DFF<Bit>,
    lane_q: DFF<Bits<2>>,
    lane: Signal<Local, Bits<2>>,
    k_slverr: Constant<Bits<2>>,
    k_beyond64: Constant<Bits<64>>,
    k_beyond32: Constant<Bits<32>>,
}

impl<const A: usize> Default for HostRam<A> {
    fn default() -> Self {
        assert!((8..=20).contains(&A), "HostRam: 4 KiB ..= 16 MiB");
        Self {
            clock: Default::default(),
            rst: Default::default(),
            s_axi_arid: Default::default(),
            s_axi_araddr: Default::default(),
            s_axi_arlen: Default::default(),
            s_axi_arsize: Default::default(),
            s_axi_arburst: Default::default(),
            s_axi_arvalid: Default::default(),
            s_axi_arready: Default::default(),
            s_axi_rid: Default::default(),
            s_axi_rdata: Default::default(),
            s_axi_rresp: Default::default(),
            s_axi_rlast: Default::default(),
            s_axi_rvalid: Default::default(),
            s_axi_rready: Default::default(),
            s_axi_awid: Default::default(),
            s_axi_awaddr: Default::default(),
            s_axi_awlen: Default::default(),
            s_axi_awsize: Default::default(),
            s_axi_awburst: Default::default(),
            s_axi_awvalid: Default::default(),
            s_axi_awready: Default::default(),
            s_axi_wdata: Default::default(),
            s_axi_wstrb: Default::default(),
            s_axi_wlast: Default::default(),
            s_axi_wvalid: Default::default(),
            s_axi_wready: Default::default(),
            s_axi_bid: Default::default(),
            s_axi_bresp: Default::default(),
            s_axi_bvalid: Default::default(),
            s_axi_bready: Default::default(),
            w_req: Default::default(),
            w_we: Default::default(),
            w_addr: Default::default(),
            w_wdata: Default::default(),
            w_ack: Default::default(),
            w_rdata: Default::default(),
            ram: Default::default(),
            state: Default::default(),
            ptr: Default::default(),
            left: Default::default(),
            id: Default::default(),
            err: Default::default(),
            prefer_aw: Default::default(),
            lane_q: Default::default(),
            lane: Default::default(),
            k_slverr: crate::konst(AXI_SLVERR),
            k_beyond64: crate::konst(A as u64 + 4),
            k_beyond32: crate::konst(A as u64 + 4),
        }
    }
}

impl<const A: usize> Logic for HostRam<A> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, ptr, left, id, err, prefer_aw, lane_q);
        self.ram.clock.next = self.clock.val();
        self.ram.rd_addr.next = self.ptr.q.val();
        self.ram.wr_addr.next = self.ptr.q.val();
        self.ram.wr_strb.next = 0.into();
        self.ram.wr_data.next = self.s_axi_wdata.val();
        // The word's lane, latched with the request: `w_rdata` must not
        // depend on `w_addr` in the same cycle (the bridge computes one from
        // the other's block).
        self.lane.next = self.lane_q.q.val();

        // The readies come from registers only (AR and AW offered in turn), so
        // that a master whose valids look at them forms no combinational loop.
        self.s_axi_arready.next = (self.state.q.val() == HostRamState::Idle) && !self.prefer_aw.q.val();
        self.s_axi_awready.next = (self.state.q.val() == HostRamState::Idle) && self.prefer_aw.q.val();
        self.prefer_aw.d.next = !self.prefer_aw.q.val();
        self.s_axi_rid.next = self.id.q.val();
        self.s_axi_bid.next = self.id.q.val();
        self.s_axi_rdata.next = self.ram.rd_data.val();
        self.s_axi_rresp.next = 0.into();
        self.s_axi_bresp.next = 0.into();
        if self.err.q.val() {
            self.s_axi_rresp.next = self.k_slverr.val();
            self.s_axi_bresp.next = self.k_slverr.val();
        }
        self.s_axi_rlast.next = self.left.q.val() == 0;
        self.s_axi_rvalid.next = self.state.q.val() == HostRamState::RdBeat;
        self.s_axi_wready.next = self.state.q.val() == HostRamState::WrBeat;
        self.s_axi_bvalid.next = self.state.q.val() == HostRamState::WrResp;
        self.w_ack.next = self.state.q.val() == HostRamState::WordAck;
        self.w_rdata.next = self.ram.rd_data.val().get_bits::<32>(0);
        if self.lane.val() == 1 {
            self.w_rdata.next = self.ram.rd_data.val().get_bits::<32>(32);
        } else if self.lane.val() == 2 {
            self.w_rdata.next = self.ram.rd_data.val().get_bits::<32>(64);
        } else if self.lane.val() == 3 {
            self.w_rdata.next = self.ram.rd_data.val().get_bits::<32>(96);
        }

        match self.state.q.val() {
            HostRamState::Idle => {
                if self.s_axi_arvalid.val() && !self.prefer_aw.q.val() {
                    self.ptr.d.next = self.s_axi_araddr.val().get_bits::<A>(4);
                    self.left.d.next = self.s_axi_arlen.val();
                    self.id.d.next = self.s_axi_arid.val();
                    self.err.d.next = ((self.s_axi_araddr.val() >> self.k_beyond64.val()) != 0)
                        || (self.s_axi_arsize.val() != 4)
                        || (self.s_axi_arburst.val() != 1);
                    self.state.d.next = HostRamState::RdAddr;
                } else if self.s_axi_awvalid.val() && self.prefer_aw.q.val() {
                    self.ptr.d.next = self.s_axi_awaddr.val().get_bits::<A>(4);
                    self.left.d.next = self.s_axi_awlen.val();
                    self.id.d.next = self.s_axi_awid.val();
                    self.err.d.next = ((self.s_axi_awaddr.val() >> self.k_beyond64.val()) != 0)
                        || (self.s_axi_awsize.val() != 4)
                        || (self.s_axi_awburst.val() != 1);
                    self.state.d.next = HostRamState::WrBeat;
                } else if self.w_req.val() && !self.s_axi_arvalid.val() && !self.s_axi_awvalid.val() {
                    self.ptr.d.next = self.w_addr.val().get_bits::<A>(4);
                    self.lane_q.d.next = self.w_addr.val().get_bits::<2>(2);
                    self.err.d.next = (self.w_addr.val() >> self.k_beyond32.val()) != 0;
                    self.state.d.next = HostRamState::WordRd;
                }
            }
            HostRamState::RdAddr => {
                self.state.d.next = HostRamState::RdBeat;
            }
            HostRamState::RdBeat => {
                if self.s_axi_rready.val() {
                    self.ptr.d.next = self.ptr.q.val() + 1;
                    self.left.d.next = self.left.q.val() - 1;
                    if self.left.q.val() == 0 {
                        self.state.d.next = HostRamState::Idle;
                    } else {
                        self.state.d.next = HostRamState::RdAddr;
                    }
                }
            }
            HostRamState::WrBeat => {
                if self.s_axi_wvalid.val() {
                    if !self.err.q.val() {
                        self.ram.wr_strb.next = self.s_axi_wstrb.val();
                    }
                    self.ptr.d.next = self.ptr.q.val() + 1;
                    if self.s_axi_wlast.val() {
                        self.state.d.next = HostRamState::WrResp;
                    }
                }
            }
            HostRamState::WrResp => {
                if self.s_axi_bready.val() {
                    self.state.d.next = HostRamState::Idle;
                }
            }
            HostRamState::WordRd => {
                // The beat is being read; a write goes in now, into its lane.
                if self.w_we.val() && !self.err.q.val() {
                    self.ram.wr_strb.next = bit_cast::<16, 4>(15.into()) << (bit_cast::<16, 2>(self.lane.val()) << 2);
                    self.ram.wr_data.next = bit_cast::<128, 32>(self.w_wdata.val()) << (bit_cast::<128, 2>(self.lane.val()) << 5);
                }
                self.state.d.next = HostRamState::WordAck;
            }
            _ => {
                self.state.d.next = HostRamState::Idle;
            }
        }
        if self.err.q.val() {
            self.w_rdata.next = 0.into();
        }
        if self.rst.val() {
            self.state.d.next = HostRamState::Idle;
        }
    }
}
