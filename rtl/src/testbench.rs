//! Blocks emitted on their own, for block-level tests under Verilator.
//!
//! The blocks whose bodies are hand-written Verilog (`RrArbiter`,
//! `IrqModerator`) are checked against their Rust rules by tests in
//! `alpc-sim` (`sim/tests/blocks.rs`), each with its own Verilated model.

use crate::emit::{emit, VerilogFile};
use crate::irq_moderator::IrqModerator;
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
