//! RustHDL description of the ALPC accelerator core.
//!
//! One block per file, in the style of verilog-pcie / Corundum:
//!
//! | file | block | job |
//! |---|---|---|
//! | [`axil_reg_if`] | `AxilRegIf` | AXI4-Lite slave (`s_axil_*`) → simple register bus |
//! | [`csr`] | `Csr` | BAR0 decoder, global registers, per-context configuration and doorbells |
//! | [`engine`] | `Engine` | queue engine: descriptor fetch, copy datapath (`m_axi_*`), completions, MSI |
//! | [`reg_slice`] | `RegSlice`, `AxiAddrSlice` | register slice (skid buffer) for one valid/ready channel: the AXI channels at the core's edge |
//! | [`burst_splitter`] | `BurstSplitter` | length of the next AXI burst (4 KiB rule, max burst) |
//! | [`rr_arbiter`] | `RrArbiter` | round-robin choice among requesting contexts |
//! | [`irq_moderator`] | `IrqModerator` | per-context interrupt moderation (count and time thresholds) |
//! | [`block_ram`] | `BlockRam` | one read and one write port, the write registered (it lands a cycle late), a read of an entry written that cycle or the one before left undefined (no collision logic in synthesis; checked in simulation) |
//! | [`dual_read_ram`] | `DualReadRam` | RAM with two read ports (engine and BAR readback) |
//! | [`replica_dff`] | `ReplicaDff` | a flip-flop that duplicates another for fanout (the engine's state for its datapath), kept apart from it in synthesis by its power-up value |
//! | [`pipelined_ram`] | `PipelinedRam` | RAM whose read data is registered once more (tables read where a block RAM's output is slow) |
//! | [`section_table`] | `SectionTable` | sections and views (zero-copy grants) and the checks on every use |
//! | [`name_cam`] | `NameCam` | name directory of connection ports |
//! | [`acl_cam`] | `AclCam` | access lists of restricted connection ports (a set of (port, identity) keys) |
//! | [`handle_allocator`] | `HandleAllocator` | O(1) allocator of table entries (ports, requests, sections, views) |
//! | [`window_check`] | `WindowCheck` | whether a byte range lies inside a window (two registered stages) |
//! | [`core`] | `AlpcCore` | the top level that ties them together |
//! | [`uart_rx`], [`uart_tx`] | `UartRx`, `UartTx` | 8N1 serial receiver and transmitter |
//! | [`uart_bridge`] | `UartBridge` | UARTBone frames → AXI4-Lite master and memory word port |
//! | [`host_ram`] | `HostRam` | on-chip host memory: AXI4 slave + word port over a byte-enable RAM |
//! | [`uart_soc`] | `UartSoc` | the board top level without PCIe: core + bridge + host memory |
//!
//! [`emit`] turns the top level into Verilog files (one module per file).
//! Every constant comes from `alpc-contract`.

pub mod acl_cam;
pub mod axil_reg_if;
pub mod block_ram;
pub mod burst_splitter;
pub mod core;
pub mod csr;
pub mod dual_read_ram;
pub mod emit;
pub mod engine;
pub mod handle_allocator;
pub mod host_ram;
pub mod irq_moderator;
pub mod name_cam;
pub mod pipelined_ram;
pub mod reg_slice;
pub mod replica_dff;
pub mod rr_arbiter;
pub mod section_table;
pub mod testbench;
pub mod uart_bridge;
pub mod uart_rx;
pub mod uart_soc;
pub mod uart_tx;
pub mod window_check;

pub use crate::core::{AlpcCore, DefaultCore, LargeCore};
pub use emit::{
    emit_core, emit_large_core, emit_uart_soc, write_files, VerilogFile, RESET_STATE_REGISTERS, TOP_MODULE, UART_SOC_MODULE,
};

use rust_hdl::prelude::*;

/// A `Constant<Bits<N>>` holding a contract value (the way contract constants
/// enter the RustHDL description: as Verilog `localparam`s).
pub(crate) fn konst<const N: usize>(v: u64) -> Constant<Bits<N>> {
    assert!(
        N >= 64 || v < (1u64 << N),
        "constant {v:#x} does not fit in {N} bits"
    );
    Constant::new(v.to_bits())
}

/// Bits of an index into a `w`-bit vector: Verilog wants a bit select's
/// index no wider than that (a packed channel's field offsets are constants
/// of this width).
pub(crate) const fn index_bits(w: usize) -> usize {
    (usize::BITS - (w - 1).leading_zeros()) as usize
}
