//! The ALPC core under Verilator, driven from Rust.
//!
//! [`SimDevice`] is a cycle-level model of the card in a PCIe slot: the
//! Verilated core ([`model`]), host memory behind an IOMMU (`alpc_model::HostMemory`),
//! the root complex answering the core's DMA with latency and bandwidth
//! ([`axi_host`]), MMIO to BAR0 over AXI4-Lite, MSI capture and optional VCD
//! waveforms. The build script Verilates the emitted Verilog once and reuses
//! the build until the Verilog changes.

#![deny(missing_docs)]

pub mod axi_host;
pub mod device;
pub mod model;
pub mod vfio_user_server;

/// Hand-written-Verilog blocks Verilated on their own, for block tests.
#[allow(missing_docs)]
pub mod blocks {
    include!(concat!(env!("OUT_DIR"), "/blocks.rs"));
}

pub use alpc_model::host_memory::{self, HostMemory, MemError};
pub use axi_host::{AxiStats, MemTiming};
pub use device::{Irq, SimConfig, SimDevice, SimError};
pub use model::{CoreModel, CorePorts};
/// The 64-context build of the core.
pub type Core64 = blocks::alpc_core64::Model;

/// Hash of the Verilog this simulator was built from.
pub const VERILOG_HASH: &str = include_str!(concat!(env!("OUT_DIR"), "/verilog_hash.txt"));
