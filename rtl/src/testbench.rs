//! Blocks emitted on their own, for block-level tests under Verilator.
//!
//! The blocks whose bodies are hand-written Verilog (`RrArbiter`,
//! `IrqModerator`, `NameCam`, `AclCam`, `BlockRam`, `DualReadRam`) and the ALPC engine's building blocks not yet
//! in the core (`NameCam`, `HandleAllocator`), and the board's on-chip host
//! memory (`HostRam`), are checked against their Rust rules by tests in
//! `alpc-sim` (`sim/tests/blocks.rs`), each with its own Verilated model.

use crate::acl_cam::AclCam;
use crate::block_ram::BlockRam;
use crate::dual_read_ram::DualReadRam;
use crate::emit::{emit, VerilogFile};
use crate::handle_allocator::HandleAllocator;
use crate::host_ram::HostRam;
use crate::irq_moderator::IrqModerator;
use crate::name_cam::NameCam;
use crate::rr_arbiter::RrArbiter;
use rust_hdl::prelude::*;

/// Contexts of the block test benches (log2).
pub const TB_CONTEXT_BITS: usize = 3;
/// Contexts of the block test benches.
pub const TB_CONTEXTS: usize = 1 << TB_CONTEXT_BITS;

/// `RrArbiter` with 8 requesters, as module `tb_rr_arbiter`.
pub fn rr_arbiter() -> Vec<VerilogFile> {
    let mut b = RrArbiter::<TB_CONTEXT_BITS, TB_CONTEXTS>::default();
    b.connect_all();
    emit(&b, "tb_rr_arbiter")
}

/// `IrqModerator` for 8 contexts, as module `tb_irq_moderator`.
pub fn irq_moderator() -> Vec<VerilogFile> {
    let mut b = IrqModerator::<TB_CONTEXT_BITS, TB_CONTEXTS>::default();
    b.connect_all();
    emit(&b, "tb_irq_moderator")
}

/// Slots of the CAM test benches (name directory and access list).
pub const TB_NAMES: usize = 8;
/// Port-index bits of the CAM test benches.
pub const TB_PORT_BITS: usize = 6;
/// Index bits of the allocator test bench.
pub const TB_ALLOC_BITS: usize = 4;

/// `NameCam` with 8 slots and 6-bit port indices, as `tb_name_cam`.
pub fn name_cam() -> Vec<VerilogFile> {
    let mut b = NameCam::<TB_NAMES, 32, TB_PORT_BITS>::default();
    b.connect_all();
    emit(&b, "tb_name_cam")
}

/// `AclCam` with 8 slots and 6-bit port indices, as `tb_acl_cam`.
pub fn acl_cam() -> Vec<VerilogFile> {
    let mut b = AclCam::<TB_NAMES, TB_PORT_BITS>::default();
    b.connect_all();
    emit(&b, "tb_acl_cam")
}

/// `HandleAllocator` over 16 entries, as `tb_handle_allocator`.
pub fn handle_allocator() -> Vec<VerilogFile> {
    let mut b = HandleAllocator::<TB_ALLOC_BITS>::default();
    b.connect_all();
    emit(&b, "tb_handle_allocator")
}

/// Address bits of the block RAM test bench (16 entries of 16 bits).
pub const TB_RAM_BITS: usize = 4;

/// `BlockRam` of 16 × 16 bits, as `tb_block_ram`.
pub fn block_ram() -> Vec<VerilogFile> {
    let mut b = BlockRam::<Bits<16>, TB_RAM_BITS>::default();
    b.connect_all();
    emit(&b, "tb_block_ram")
}

/// `DualReadRam` of 16 × 16 bits, as `tb_dual_read_ram`.
pub fn dual_read_ram() -> Vec<VerilogFile> {
    let mut b = DualReadRam::<Bits<16>, TB_RAM_BITS>::default();
    b.connect_all();
    emit(&b, "tb_dual_read_ram")
}

/// `DualReadRam` with its write port registered, as `tb_dual_read_ram_wq`.
pub fn dual_read_ram_registered_write() -> Vec<VerilogFile> {
    let mut b = DualReadRam::<Bits<16>, TB_RAM_BITS>::with_registered_write();
    b.connect_all();
    emit(&b, "tb_dual_read_ram_wq")
}

/// Beat-address bits of the on-chip host memory's test bench (4 KiB).
pub const TB_HOST_RAM_BEAT_BITS: usize = 8;

/// `HostRam` of 4 KiB, as `tb_host_ram`.
pub fn host_ram() -> Vec<VerilogFile> {
    let mut b = HostRam::<TB_HOST_RAM_BEAT_BITS>::default();
    b.connect_all();
    emit(&b, "tb_host_ram")
}

/// The large core (64 contexts, 1024 ports), as module `alpc_core64`: the
/// simulator builds it too, so that the scaling of the context count and of
/// the port table is tested by running, not only by lint.
pub fn core64() -> Vec<VerilogFile> {
    crate::emit::emit_large_core("alpc_core64")
}

/// UART cycles per bit of the board top level's test bench (the board uses
/// [`crate::uart_soc::BOARD_UART_DIV`]; a short bit keeps the test fast).
pub const TB_UART_DIV: usize = 8;

/// The board top level without PCIe ([`crate::uart_soc::UartSoc`]) with
/// [`TB_UART_DIV`] cycles per bit, as `tb_uart_soc`.
pub fn uart_soc() -> Vec<VerilogFile> {
    crate::emit_uart_soc::<TB_UART_DIV>("tb_uart_soc")
}
