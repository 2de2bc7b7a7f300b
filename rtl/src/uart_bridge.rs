//! A UART to bus bridge speaking LiteX's UARTBone protocol, so that a board
//! without PCIe can be driven from a PC (`litex_server --uart`, or any
//! program that writes the frames below).
//!
//! Frames (big-endian words, word addresses):
//! - write: `0x01, n, addr[4], data[4] × n`; no answer;
//! - read:  `0x02, n, addr[4]`; answer `data[4] × n`;
//! - `0x03` / `0x04`: the same with a fixed address (LiteX's
//!   `burst="fixed"`: every word to or from the one address, e.g. a FIFO
//!   register).
//!
//! Word `a` is byte address `4a`. Byte addresses below `1 << AW` go to the
//! AXI4-Lite master (`m_axil_*`: the core's BAR0 registers); with bit 31 set
//! they go to the memory word port (`mem_*`: the on-chip host memory).
//! Other addresses, and memory-port errors, read as all ones and set the
//! sticky `error`. Unknown command bytes are skipped.
//!
//! One access at a time, each waiting for its response. A write frame is
//! taken at the full line rate (an access takes a few cycles, a byte ten
//! bit times). There is no receive FIFO: while a read's answer is being
//! sent, incoming bytes are dropped, so a host must wait for the answer
//! before its next frame, as `litex_server` and `litex_cli` do.

use rust_hdl::prelude::*;

use crate::uart_rx::UartRx;
use crate::uart_tx::UartTx;

/// UARTBone command byte: write words.
pub const CMD_WRITE: u8 = 0x01;
/// UARTBone command byte: read words.
pub const CMD_READ: u8 = 0x02;
/// UARTBone command byte: write words, all to the same address.
pub const CMD_WRITE_FIXED: u8 = 0x03;
/// UARTBone command byte: read words, all from the same address.
pub const CMD_READ_FIXED: u8 = 0x04;
/// Byte-address bit that selects the memory port instead of AXI4-Lite.
pub const MEM_SELECT_BIT: u32 = 31; // also written as `get_bit(31)` in `update`

/// States of the bridge.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum BridgeState {
    /// Waiting for a command byte.
    Cmd,
    /// Waiting for the word count.
    Len,
    /// Receiving the 4 address bytes.
    Addr,
    /// Receiving a data word's 4 bytes.
    WData,
    /// Starting one access.
    Issue,
    /// Waiting for the AXI4-Lite response.
    WaitAxi,
    /// Waiting for the memory port.
    WaitMem,
    /// Sending a read word's next byte.
    Send,
    /// The byte just started: the transmitter turns busy.
    SendGap,
    /// One word done: next address, or the next frame.
    Next,
}

/// See the module documentation. `DIV` clock cycles per UART bit.
#[derive(LogicBlock)]
pub struct UartBridge<const DIV: usize, const AW: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Synchronous reset.
    pub rst: Signal<In, Bit>,
    /// Serial input from the PC.
    pub rx: Signal<In, Bit>,
    /// Serial output to the PC.
    pub tx: Signal<Out, Bit>,
    /// Sticky until reset: an AXI4-Lite error response, or an address
    /// outside both targets (UARTBone has no status; a board shows this on
    /// an LED).
    pub error: Signal<Out, Bit>,
    /// AXI4-Lite master: write address (byte).
    pub m_axil_awaddr: Signal<Out, Bits<AW>>,
    /// Write address valid.
    pub m_axil_awvalid: Signal<Out, Bit>,
    /// Write address ready.
    pub m_axil_awready: Signal<In, Bit>,
    /// Write data.
    pub m_axil_wdata: Signal<Out, Bits<32>>,
    /// Write strobes (always all four bytes).
    pub m_axil_wstrb: Signal<Out, Bits<4>>,
    /// Write data valid.
    pub m_axil_wvalid: Signal<Out, Bit>,
    /// Write data ready.
    pub m_axil_wready: Signal<In, Bit>,
    /// Write response (an error sets `error`).
    pub m_axil_bresp: Signal<In, Bits<2>>,
    /// Write response valid.
    pub m_axil_bvalid: Signal<In, Bit>,
    /// Write response ready.
    pub m_axil_bready: Signal<Out, Bit>,
    /// Read address (byte).
    pub m_axil_araddr: Signal<Out, Bits<AW>>,
    /// Read address valid.
    pub m_axil_arvalid: Signal<Out, Bit>,
    /// Read address ready.
    pub m_axil_arready: Signal<In, Bit>,
    /// Read data.
    pub m_axil_rdata: Signal<In, Bits<32>>,
    /// Read response (an error sets `error` and reads as all ones).
    pub m_axil_rresp: Signal<In, Bits<2>>,
    /// Read data valid.
    pub m_axil_rvalid: Signal<In, Bit>,
    /// Read data ready.
    pub m_axil_rready: Signal<Out, Bit>,
    /// Memory port: an access is asked for (held until `mem_ack`).
    pub mem_req: Signal<Out, Bit>,
    /// Memory port: the access is a write.
    pub mem_we: Signal<Out, Bit>,
    /// Memory port: byte offset in the memory (the address without bit 31).
    pub mem_addr: Signal<Out, Bits<32>>,
    /// Memory port: the word to write.
    pub mem_wdata: Signal<Out, Bits<32>>,
    /// Memory port: one cycle, the access is done (`mem_rdata` valid).
    pub mem_ack: Signal<In, Bit>,
    /// Memory port: the word read.
    pub mem_rdata: Signal<In, Bits<32>>,
    /// Memory port: with `mem_ack`, the access failed (reads as all ones).
    pub mem_err: Signal<In, Bit>,
    uart_rx: UartRx<DIV>,
    uart_tx: UartTx<DIV>,
    state: DFF<BridgeState>,
    write: DFF<Bit>,
    fixed: DFF<Bit>,
    count: DFF<Bits<8>>,
    nbytes: DFF<Bits<2>>,
    addr: DFF<Bits<32>>,
    data: DFF<Bits<32>>,
    aw_pending: DFF<Bit>,
    w_pending: DFF<Bit>,
    ar_pending: DFF<Bit>,
    err: DFF<Bit>,
    byte_addr: Signal<Local, Bits<32>>,
    cmd_known: Signal<Local, Bit>,
    cmd_write: Signal<Local, Bit>,
    cmd_fixed: Signal<Local, Bit>,
    k_cmd_write: Constant<Bits<8>>,
    k_cmd_read: Constant<Bits<8>>,
    k_cmd_write_fixed: Constant<Bits<8>>,
    k_cmd_read_fixed: Constant<Bits<8>>,
    k_aw: Constant<Bits<32>>,
    k_ones: Constant<Bits<32>>,
    k_mem_offset: Constant<Bits<32>>,
}

impl<const DIV: usize, const AW: usize> Default for UartBridge<DIV, AW> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rst: Default::default(),
            rx: Default::default(),
            tx: Default::default(),
            error: Default::default(),
            m_axil_awaddr: Default::default(),
            m_axil_awvalid: Default::default(),
            m_axil_awready: Default::default(),
            m_axil_wdata: Default::default(),
            m_axil_wstrb: Default::default(),
            m_axil_wvalid: Default::default(),
            m_axil_wready: Default::default(),
            m_axil_bresp: Default::default(),
            m_axil_bvalid: Default::default(),
            m_axil_bready: Default::default(),
            m_axil_araddr: Default::default(),
            m_axil_arvalid: Default::default(),
            m_axil_arready: Default::default(),
            m_axil_rdata: Default::default(),
            m_axil_rresp: Default::default(),
            m_axil_rvalid: Default::default(),
            m_axil_rready: Default::default(),
            mem_req: Default::default(),
            mem_we: Default::default(),
            mem_addr: Default::default(),
            mem_wdata: Default::default(),
            mem_ack: Default::default(),
            mem_rdata: Default::default(),
            mem_err: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            state: Default::default(),
            write: Default::default(),
            fixed: Default::default(),
            count: Default::default(),
            nbytes: Default::default(),
            addr: Default::default(),
            data: Default::default(),
            aw_pending: Default::default(),
            w_pending: Default::default(),
            ar_pending: Default::default(),
            err: Default::default(),
            k_aw: crate::konst(AW as u64),
            k_ones: crate::konst(0xFFFF_FFFF),
            k_mem_offset: crate::konst(0x7FFF_FFFF),
            byte_addr: Default::default(),
            cmd_known: Default::default(),
            cmd_write: Default::default(),
            cmd_fixed: Default::default(),
            k_cmd_write: crate::konst(CMD_WRITE as u64),
            k_cmd_read: crate::konst(CMD_READ as u64),
            k_cmd_write_fixed: crate::konst(CMD_WRITE_FIXED as u64),
            k_cmd_read_fixed: crate::konst(CMD_READ_FIXED as u64),
        }
    }
}

impl<const DIV: usize, const AW: usize> Logic for UartBridge<DIV, AW> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, write, fixed, count, nbytes, addr, data, aw_pending, w_pending, ar_pending, err);
        clock!(self, clock, uart_rx, uart_tx);
        self.uart_rx.rst.next = self.rst.val();
        self.uart_tx.rst.next = self.rst.val();
        self.uart_rx.rx.next = self.rx.val();
        self.tx.next = self.uart_tx.tx.val();
        self.uart_tx.start.next = false;
        self.uart_tx.data.next = self.data.q.val().get_bits::<8>(24);

        self.byte_addr.next = self.addr.q.val() << 2;
        self.m_axil_awaddr.next = bit_cast::<AW, 32>(self.byte_addr.val());
        self.m_axil_araddr.next = bit_cast::<AW, 32>(self.byte_addr.val());
        self.error.next = self.err.q.val();
        self.m_axil_wdata.next = self.data.q.val();
        self.m_axil_wstrb.next = 15.into();
        self.m_axil_awvalid.next = self.aw_pending.q.val();
        self.m_axil_wvalid.next = self.w_pending.q.val();
        self.m_axil_arvalid.next = self.ar_pending.q.val();
        self.m_axil_bready.next = self.state.q.val() == BridgeState::WaitAxi;
        self.m_axil_rready.next = self.state.q.val() == BridgeState::WaitAxi;
        self.mem_req.next = self.state.q.val() == BridgeState::WaitMem;
        self.mem_we.next = self.write.q.val();
        self.mem_addr.next = self.byte_addr.val() & self.k_mem_offset.val();
        self.mem_wdata.next = self.data.q.val();
        // The received byte as a command: which of the four, and its kind.
        self.cmd_write.next = (self.uart_rx.data.val() == self.k_cmd_write.val())
            || (self.uart_rx.data.val() == self.k_cmd_write_fixed.val());
        self.cmd_fixed.next = (self.uart_rx.data.val() == self.k_cmd_write_fixed.val())
            || (self.uart_rx.data.val() == self.k_cmd_read_fixed.val());
        self.cmd_known.next = self.cmd_write.val()
            || self.cmd_fixed.val()
            || (self.uart_rx.data.val() == self.k_cmd_read.val());

        match self.state.q.val() {
            BridgeState::Cmd => {
                if self.uart_rx.valid.val() && self.cmd_known.val() {
                    self.write.d.next = self.cmd_write.val();
                    self.fixed.d.next = self.cmd_fixed.val();
                    self.state.d.next = BridgeState::Len;
                }
            }
            BridgeState::Len => {
                if self.uart_rx.valid.val() {
                    self.count.d.next = self.uart_rx.data.val();
                    self.nbytes.d.next = 0.into();
                    if self.uart_rx.data.val() == 0 {
                        self.state.d.next = BridgeState::Cmd;
                    } else {
                        self.state.d.next = BridgeState::Addr;
                    }
                }
            }
            BridgeState::Addr => {
                if self.uart_rx.valid.val() {
                    self.addr.d.next = (self.addr.q.val() << 8) | bit_cast::<32, 8>(self.uart_rx.data.val());
                    self.nbytes.d.next = self.nbytes.q.val() + 1;
                    if self.nbytes.q.val() == 3 {
                        if self.write.q.val() {
                            self.state.d.next = BridgeState::WData;
                        } else {
                            self.state.d.next = BridgeState::Issue;
                        }
                    }
                }
            }
            BridgeState::WData => {
                if self.uart_rx.valid.val() {
                    self.data.d.next = (self.data.q.val() << 8) | bit_cast::<32, 8>(self.uart_rx.data.val());
                    self.nbytes.d.next = self.nbytes.q.val() + 1;
                    if self.nbytes.q.val() == 3 {
                        self.state.d.next = BridgeState::Issue;
                    }
                }
            }
            BridgeState::Issue => {
                if self.byte_addr.val().get_bit(31) {
                    self.state.d.next = BridgeState::WaitMem;
                } else if (self.byte_addr.val() >> self.k_aw.val()) != 0 {
                    // Neither the registers nor the memory: reads as all
                    // ones (as an unsupported request on PCIe).
                    self.err.d.next = true;
                    self.data.d.next = self.k_ones.val();
                    if self.write.q.val() {
                        self.state.d.next = BridgeState::Next;
                    } else {
                        self.state.d.next = BridgeState::Send;
                    }
                } else {
                    self.aw_pending.d.next = self.write.q.val();
                    self.w_pending.d.next = self.write.q.val();
                    self.ar_pending.d.next = !self.write.q.val();
                    self.state.d.next = BridgeState::WaitAxi;
                }
            }
            BridgeState::WaitAxi => {
                if self.m_axil_awready.val() {
                    self.aw_pending.d.next = false;
                }
                if self.m_axil_wready.val() {
                    self.w_pending.d.next = false;
                }
                if self.m_axil_arready.val() {
                    self.ar_pending.d.next = false;
                }
                if self.m_axil_bvalid.val() {
                    if self.m_axil_bresp.val() != 0 {
                        self.err.d.next = true;
                    }
                    self.state.d.next = BridgeState::Next;
                }
                if self.m_axil_rvalid.val() {
                    self.data.d.next = self.m_axil_rdata.val();
                    if self.m_axil_rresp.val() != 0 {
                        self.err.d.next = true;
                        self.data.d.next = self.k_ones.val();
                    }
                    self.state.d.next = BridgeState::Send;
                }
            }
            BridgeState::WaitMem => {
                if self.mem_ack.val() {
                    if self.mem_err.val() {
                        self.err.d.next = true;
                    }
                    if self.write.q.val() {
                        self.state.d.next = BridgeState::Next;
                    } else {
                        self.data.d.next = self.mem_rdata.val();
                        if self.mem_err.val() {
                            self.data.d.next = self.k_ones.val();
                        }
                        self.state.d.next = BridgeState::Send;
                    }
                }
            }
            BridgeState::Send => {
                if !self.uart_tx.busy.val() {
                    self.uart_tx.start.next = true;
                    self.data.d.next = self.data.q.val() << 8;
                    self.nbytes.d.next = self.nbytes.q.val() + 1;
                    self.state.d.next = BridgeState::SendGap;
                }
            }
            BridgeState::SendGap => {
                if self.nbytes.q.val() == 0 {
                    self.state.d.next = BridgeState::Next;
                } else {
                    self.state.d.next = BridgeState::Send;
                }
            }
            BridgeState::Next => {
                if !self.fixed.q.val() {
                    self.addr.d.next = self.addr.q.val() + 1;
                }
                self.count.d.next = self.count.q.val() - 1;
                self.nbytes.d.next = 0.into();
                if self.count.q.val() == 1 {
                    self.state.d.next = BridgeState::Cmd;
                } else if self.write.q.val() {
                    self.state.d.next = BridgeState::WData;
                } else {
                    self.state.d.next = BridgeState::Issue;
                }
            }
            _ => {
                self.state.d.next = BridgeState::Cmd;
            }
        }
        if self.rst.val() {
            self.state.d.next = BridgeState::Cmd;
            self.aw_pending.d.next = false;
            self.w_pending.d.next = false;
            self.ar_pending.d.next = false;
            self.err.d.next = false;
        }
    }
}
