//! The core on a board without PCIe: driven over a UART, with on-chip host
//! memory.
//!
//! ```text
//!  uart_rx ─▶ UartBridge ─ m_axil ─▶ AlpcCore (BAR0 registers)
//!  uart_tx ◀─      │                    │ m_axi (DMA)
//!                  └──── word port ──▶ HostRam (rings, buffers)
//! ```
//!
//! The PC speaks UARTBone (see [`crate::uart_bridge`]): byte addresses
//! below `0x8000_0000` are the core's registers (the BAR0 offsets of
//! `alpc-contract`), from `0x8000_0000` the host memory, whose DMA address
//! (IOVA) is the offset from there. This is the top level the ECP5
//! bitstream is built from (`bitstreams/ecp5/`): everything the core does
//! runs on the chip; only the PCIe link is replaced by the UART.

use rust_hdl::prelude::*;

use crate::host_ram::HostRam;
use crate::uart_bridge::UartBridge;
use crate::DefaultCore;

/// Host memory of the board top level: `1 << HOST_RAM_BEAT_BITS` beats of
/// 16 bytes (64 KiB: 32 ECP5 block RAMs).
pub const HOST_RAM_BEAT_BITS: usize = 12;

/// Clock of the board top level, Hz: the ULX3S's 25 MHz oscillator, no PLL
/// (the core does not meet a faster clock on ECP5 yet; `bitstreams/reports/`).
pub const BOARD_CLOCK_HZ: usize = 25_000_000;

/// UART bit period of the board top level: 115 200 baud.
pub const BOARD_UART_DIV: usize = BOARD_CLOCK_HZ / 115_200;

// The bridge is built for the core's 20 address bits and 32 MSI vectors.
const _: () = assert!(alpc_contract::bus::AXIL_ADDR_BITS == 20 && alpc_contract::bus::MSI_VECTORS == 32);

/// See the module documentation. `DIV` clock cycles per UART bit.
#[derive(LogicBlock)]
pub struct UartSoc<const DIV: usize> {
    /// Clock ([`BOARD_CLOCK_HZ`] on the board).
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// Serial input from the PC.
    pub uart_rx: Signal<In, Bit>,
    /// Serial output to the PC.
    pub uart_tx: Signal<Out, Bit>,
    /// The core's MSI vectors (for LEDs: nothing consumes them here; the PC
    /// polls the completion queues).
    pub irq: Signal<Out, Bits<32>>,
    /// Sticky: an access from the PC was refused (see `UartBridge::error`).
    pub bus_error: Signal<Out, Bit>,
    core: DefaultCore,
    bridge: UartBridge<DIV, 20>,
    mem: HostRam<HOST_RAM_BEAT_BITS>,
}

impl<const DIV: usize> Default for UartSoc<DIV> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rst: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            irq: Default::default(),
            bus_error: Default::default(),
            core: DefaultCore::default(),
            bridge: Default::default(),
            mem: Default::default(),
        }
    }
}

impl<const DIV: usize> Logic for UartSoc<DIV> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, core, bridge, mem);
        self.core.rst.next = self.rst.val();
        self.bridge.rst.next = self.rst.val();
        self.mem.rst.next = self.rst.val();
        self.bridge.rx.next = self.uart_rx.val();
        self.uart_tx.next = self.bridge.tx.val();
        self.bus_error.next = self.bridge.error.val();
        self.irq.next = self.core.msi_irq.val();

        // Bridge → core registers (AXI4-Lite).
        self.core.s_axil_awaddr.next = self.bridge.m_axil_awaddr.val();
        self.core.s_axil_awvalid.next = self.bridge.m_axil_awvalid.val();
        self.bridge.m_axil_awready.next = self.core.s_axil_awready.val();
        self.core.s_axil_wdata.next = self.bridge.m_axil_wdata.val();
        self.core.s_axil_wstrb.next = self.bridge.m_axil_wstrb.val();
        self.core.s_axil_wvalid.next = self.bridge.m_axil_wvalid.val();
        self.bridge.m_axil_wready.next = self.core.s_axil_wready.val();
        self.bridge.m_axil_bresp.next = self.core.s_axil_bresp.val();
        self.bridge.m_axil_bvalid.next = self.core.s_axil_bvalid.val();
        self.core.s_axil_bready.next = self.bridge.m_axil_bready.val();
        self.core.s_axil_araddr.next = self.bridge.m_axil_araddr.val();
        self.core.s_axil_arvalid.next = self.bridge.m_axil_arvalid.val();
        self.bridge.m_axil_arready.next = self.core.s_axil_arready.val();
        self.bridge.m_axil_rdata.next = self.core.s_axil_rdata.val();
        self.bridge.m_axil_rresp.next = self.core.s_axil_rresp.val();
        self.bridge.m_axil_rvalid.next = self.core.s_axil_rvalid.val();
        self.core.s_axil_rready.next = self.bridge.m_axil_rready.val();

        // Bridge → host memory (word port).
        self.mem.w_req.next = self.bridge.mem_req.val();
        self.mem.w_we.next = self.bridge.mem_we.val();
        self.mem.w_addr.next = self.bridge.mem_addr.val();
        self.mem.w_wdata.next = self.bridge.mem_wdata.val();
        self.bridge.mem_ack.next = self.mem.w_ack.val();
        self.bridge.mem_rdata.next = self.mem.w_rdata.val();
        self.bridge.mem_err.next = self.mem.w_err.val();

        // Core DMA → host memory (AXI4).
        self.mem.s_axi_arid.next = self.core.m_axi_arid.val();
        self.mem.s_axi_araddr.next = self.core.m_axi_araddr.val();
        self.mem.s_axi_arlen.next = self.core.m_axi_arlen.val();
        self.mem.s_axi_arsize.next = self.core.m_axi_arsize.val();
        self.mem.s_axi_arburst.next = self.core.m_axi_arburst.val();
        self.mem.s_axi_arvalid.next = self.core.m_axi_arvalid.val();
        self.core.m_axi_arready.next = self.mem.s_axi_arready.val();
        self.core.m_axi_rid.next = self.mem.s_axi_rid.val();
        self.core.m_axi_rdata.next = self.mem.s_axi_rdata.val();
        self.core.m_axi_rresp.next = self.mem.s_axi_rresp.val();
        self.core.m_axi_rlast.next = self.mem.s_axi_rlast.val();
        self.core.m_axi_rvalid.next = self.mem.s_axi_rvalid.val();
        self.mem.s_axi_rready.next = self.core.m_axi_rready.val();
        self.mem.s_axi_awid.next = self.core.m_axi_awid.val();
        self.mem.s_axi_awaddr.next = self.core.m_axi_awaddr.val();
        self.mem.s_axi_awlen.next = self.core.m_axi_awlen.val();
        self.mem.s_axi_awsize.next = self.core.m_axi_awsize.val();
        self.mem.s_axi_awburst.next = self.core.m_axi_awburst.val();
        self.mem.s_axi_awvalid.next = self.core.m_axi_awvalid.val();
        self.core.m_axi_awready.next = self.mem.s_axi_awready.val();
        self.mem.s_axi_wdata.next = self.core.m_axi_wdata.val();
        self.mem.s_axi_wstrb.next = self.core.m_axi_wstrb.val();
        self.mem.s_axi_wlast.next = self.core.m_axi_wlast.val();
        self.mem.s_axi_wvalid.next = self.core.m_axi_wvalid.val();
        self.core.m_axi_wready.next = self.mem.s_axi_wready.val();
        self.core.m_axi_bid.next = self.mem.s_axi_bid.val();
        self.core.m_axi_bresp.next = self.mem.s_axi_bresp.val();
        self.core.m_axi_bvalid.next = self.mem.s_axi_bvalid.val();
        self.mem.s_axi_bready.next = self.core.m_axi_bready.val();
    }
}
