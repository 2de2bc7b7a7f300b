//! Transaction-level reference model of the ALPC accelerator.
//!
//! [`ModelDevice`] implements the register map and the engine's semantics
//! of `alpc-contract` directly in Rust, with no notion of clock cycles: a
//! doorbell write runs every descriptor that can run, in the engine's
//! round-robin order, before it returns. It is
//!
//! * the **oracle** of the differential tests: the same random programs run
//!   on the Verilated RTL and on this model, and every completion entry and
//!   every byte of host memory must agree;
//! * a **fast device** for software tests that do not need Verilator.
//!
//! [`HostMemory`] (host memory with an IOVA allocator) is shared with the
//! simulator, so both backends hand out the same IOVAs for the same calls.

#![deny(missing_docs)]

pub mod alpc;
pub mod device;
pub mod host_memory;
pub mod sections;

pub use device::{ModelDevice, RegError};
pub use host_memory::{HostMemory, MemError};
