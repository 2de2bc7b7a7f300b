//! On-chip "host memory" for boards without PCIe: an AXI4 slave (`s_axi_*`,
//! the core's DMA master plugs in) over a block RAM of `1 << A` 16-byte
//! beats with byte strobes, plus a 32-bit word port (`w_*`) through which
//! the UART bridge lets the PC write rings and read completions.
//!
//! Reads and writes run independently, one burst each at a time (INCR,
//! full-width beats, as the core issues them; anything else gets SLVERR);
//! two cycles per read beat (the RAM's registered read, then the beat). A
//! burst outside the memory gets SLVERR (the core reports a DMA error) and
//! changes nothing (an erroneous read beat's data is meaningless); bursts
//! never cross 4 KiB and the memory is a multiple of 4 KiB, so a burst is
//! wholly inside or wholly outside. The word port is
//! served between bursts (a word read by the read side, a word write by the
//! write side); a word outside the memory raises `w_err` with its `w_ack`.

use rust_hdl::prelude::*;
use std::collections::BTreeMap;

/// AXI response code SLVERR.
const AXI_SLVERR: u64 = 2;

/// A RAM of 128-bit words with a registered read port (with a read enable,
/// so a word read stays on `rd_data` while it is offered) and a write port
/// with one enable per byte (what block RAMs with byte enables implement).
#[derive(LogicBlock)]
pub struct ByteRam<const A: usize> {
    /// Clock of both ports.
    pub clock: Signal<In, Clock>,
    /// Read enable: `rd_data` changes only in the cycle after one.
    pub rd_en: Signal<In, Bit>,
    /// Read address.
    pub rd_addr: Signal<In, Bits<A>>,
    /// The word at `rd_addr` of the last cycle `rd_en` was high.
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
            rd_en: Default::default(),
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
            if self.rd_en.val() {
                let word = *self._sim.get(&self.rd_addr.val().to_u64()).unwrap_or(&0);
                self.rd_data.next = to_bits128(word);
            }
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
    if (rd_en) rd_data <= mem[rd_addr];
{lanes}end",
            last = (1usize << A) - 1
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "byte_ram".into(),
            clock: "clock".into(),
            inputs: vec!["rd_en".into(), "rd_addr".into(), "wr_addr".into(), "wr_strb".into(), "wr_data".into()],
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

/// States of the read side.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum ReadState {
    /// Waiting for a read burst or a word read.
    Idle,
    /// Read burst: the RAM reads the next beat.
    Addr,
    /// Read burst: the beat is offered on R.
    Beat,
    /// Word read: the RAM reads the word's beat.
    Word,
    /// Word read: done.
    WordAck,
}

/// States of the write side.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum WriteState {
    /// Waiting for a write burst or a word write.
    Idle,
    /// Write burst: taking beats on W.
    Beat,
    /// Write burst: the response on B.
    Resp,
    /// Word write: done.
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
    /// Write burst length - 1.
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
    /// Last write beat (must match `awlen`, or the burst gets SLVERR).
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
    /// Word port: with `w_ack`, the address was outside the memory (a read
    /// gives 0, a write changes nothing).
    pub w_err: Signal<Out, Bit>,
    ram: ByteRam<A>,
    rstate: DFF<ReadState>,
    rptr: DFF<Bits<A>>,
    rleft: DFF<Bits<8>>,
    rid: DFF<Bits<4>>,
    rerr: DFF<Bit>,
    wstate: DFF<WriteState>,
    wptr: DFF<Bits<A>>,
    wid: DFF<Bits<4>>,
    wleft: DFF<Bits<8>>,
    werr: DFF<Bit>,
    lane: DFF<Bits<2>>,
    word_lane: Signal<Local, Bits<2>>,
    word_out: Signal<Local, Bit>,
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
            w_err: Default::default(),
            ram: Default::default(),
            rstate: Default::default(),
            rptr: Default::default(),
            rleft: Default::default(),
            rid: Default::default(),
            rerr: Default::default(),
            wstate: Default::default(),
            wptr: Default::default(),
            wid: Default::default(),
            wleft: Default::default(),
            werr: Default::default(),
            lane: Default::default(),
            word_lane: Default::default(),
            word_out: Default::default(),
            k_slverr: crate::konst(AXI_SLVERR),
            k_beyond64: crate::konst(A as u64 + 4),
            k_beyond32: crate::konst(A as u64 + 4),
        }
    }
}

impl<const A: usize> Logic for HostRam<A> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rstate, rptr, rleft, rid, rerr, wstate, wptr, wid, wleft, werr, lane);
        self.ram.clock.next = self.clock.val();
        self.ram.rd_addr.next = self.rptr.q.val();
        // AXI: R must hold while RVALID waits for RREADY, even if the write
        // side changes that beat meanwhile, so the RAM reads only here.
        self.ram.rd_en.next =
            (self.rstate.q.val() == ReadState::Addr) || (self.rstate.q.val() == ReadState::Word);
        self.ram.wr_addr.next = self.wptr.q.val();
        self.ram.wr_strb.next = 0.into();
        self.ram.wr_data.next = self.s_axi_wdata.val();
        self.word_lane.next = self.w_addr.val().get_bits::<2>(2);
        self.word_out.next = (self.w_addr.val() >> self.k_beyond32.val()) != 0;

        // Reads and writes are independent (a master may issue a write burst
        // whose data depends on a read it has yet to get); the readies come
        // from registers only.
        self.s_axi_arready.next = self.rstate.q.val() == ReadState::Idle;
        self.s_axi_awready.next = self.wstate.q.val() == WriteState::Idle;
        self.s_axi_rid.next = self.rid.q.val();
        self.s_axi_bid.next = self.wid.q.val();
        self.s_axi_rdata.next = self.ram.rd_data.val();
        self.s_axi_rresp.next = 0.into();
        if self.rerr.q.val() {
            self.s_axi_rresp.next = self.k_slverr.val();
        }
        self.s_axi_bresp.next = 0.into();
        if self.werr.q.val() {
            self.s_axi_bresp.next = self.k_slverr.val();
        }
        self.s_axi_rlast.next = self.rleft.q.val() == 0;
        self.s_axi_rvalid.next = self.rstate.q.val() == ReadState::Beat;
        self.s_axi_wready.next = self.wstate.q.val() == WriteState::Beat;
        self.s_axi_bvalid.next = self.wstate.q.val() == WriteState::Resp;
        self.w_ack.next = (self.rstate.q.val() == ReadState::WordAck) || (self.wstate.q.val() == WriteState::WordAck);
        self.w_err.next = ((self.rstate.q.val() == ReadState::WordAck) && self.rerr.q.val())
            || ((self.wstate.q.val() == WriteState::WordAck) && self.werr.q.val());
        // The word's lane was latched with the request: `w_rdata` must not
        // depend on `w_addr` in the same cycle (the bridge computes one from
        // the other in a single block).
        self.w_rdata.next = self.ram.rd_data.val().get_bits::<32>(0);
        if self.lane.q.val() == 1 {
            self.w_rdata.next = self.ram.rd_data.val().get_bits::<32>(32);
        } else if self.lane.q.val() == 2 {
            self.w_rdata.next = self.ram.rd_data.val().get_bits::<32>(64);
        } else if self.lane.q.val() == 3 {
            self.w_rdata.next = self.ram.rd_data.val().get_bits::<32>(96);
        }
        if self.rerr.q.val() {
            self.w_rdata.next = 0.into();
        }

        match self.rstate.q.val() {
            ReadState::Idle => {
                if self.s_axi_arvalid.val() {
                    self.rptr.d.next = self.s_axi_araddr.val().get_bits::<A>(4);
                    self.rleft.d.next = self.s_axi_arlen.val();
                    self.rid.d.next = self.s_axi_arid.val();
                    self.rerr.d.next = ((self.s_axi_araddr.val() >> self.k_beyond64.val()) != 0)
                        || (self.s_axi_arsize.val() != 4)
                        || (self.s_axi_arburst.val() != 1);
                    self.rstate.d.next = ReadState::Addr;
                } else if self.w_req.val() && !self.w_we.val() {
                    self.rptr.d.next = self.w_addr.val().get_bits::<A>(4);
                    self.lane.d.next = self.word_lane.val();
                    self.rerr.d.next = self.word_out.val();
                    self.rstate.d.next = ReadState::Word;
                }
            }
            ReadState::Addr => {
                self.rstate.d.next = ReadState::Beat;
            }
            ReadState::Beat => {
                if self.s_axi_rready.val() {
                    self.rptr.d.next = self.rptr.q.val() + 1;
                    self.rleft.d.next = self.rleft.q.val() - 1;
                    if self.rleft.q.val() == 0 {
                        self.rstate.d.next = ReadState::Idle;
                    } else {
                        self.rstate.d.next = ReadState::Addr;
                    }
                }
            }
            ReadState::Word => {
                self.rstate.d.next = ReadState::WordAck;
            }
            _ => {
                self.rstate.d.next = ReadState::Idle;
            }
        }

        match self.wstate.q.val() {
            WriteState::Idle => {
                if self.s_axi_awvalid.val() {
                    self.wptr.d.next = self.s_axi_awaddr.val().get_bits::<A>(4);
                    self.wid.d.next = self.s_axi_awid.val();
                    self.wleft.d.next = self.s_axi_awlen.val();
                    self.werr.d.next = ((self.s_axi_awaddr.val() >> self.k_beyond64.val()) != 0)
                        || (self.s_axi_awsize.val() != 4)
                        || (self.s_axi_awburst.val() != 1);
                    self.wstate.d.next = WriteState::Beat;
                } else if self.w_req.val() && self.w_we.val() {
                    // The word goes into its lane now.
                    self.ram.wr_addr.next = self.w_addr.val().get_bits::<A>(4);
                    if !self.word_out.val() {
                        self.ram.wr_strb.next =
                            bit_cast::<16, 4>(15.into()) << (bit_cast::<16, 2>(self.word_lane.val()) << 2);
                    }
                    self.ram.wr_data.next =
                        bit_cast::<128, 32>(self.w_wdata.val()) << (bit_cast::<128, 2>(self.word_lane.val()) << 5);
                    self.werr.d.next = self.word_out.val();
                    self.wstate.d.next = WriteState::WordAck;
                }
            }
            WriteState::Beat => {
                if self.s_axi_wvalid.val() {
                    if !self.werr.q.val() {
                        self.ram.wr_strb.next = self.s_axi_wstrb.val();
                    }
                    self.wptr.d.next = self.wptr.q.val() + 1;
                    self.wleft.d.next = self.wleft.q.val() - 1;
                    // The burst ends after AWLEN + 1 beats; a WLAST
                    // elsewhere is a protocol error (SLVERR).
                    if self.s_axi_wlast.val() != (self.wleft.q.val() == 0) {
                        self.werr.d.next = true;
                    }
                    if self.wleft.q.val() == 0 {
                        self.wstate.d.next = WriteState::Resp;
                    }
                }
            }
            WriteState::Resp => {
                if self.s_axi_bready.val() {
                    self.wstate.d.next = WriteState::Idle;
                }
            }
            _ => {
                self.wstate.d.next = WriteState::Idle;
            }
        }
        if self.rst.val() {
            self.rstate.d.next = ReadState::Idle;
            self.wstate.d.next = WriteState::Idle;
        }
    }
}
