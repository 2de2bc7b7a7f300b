//! VFIO user-space driver for the ALPC accelerator on a PCIe board.
//!
//! In the style of ixy.rs: one small crate, registers reached through the
//! contract's offsets, `unsafe` only where memory is mapped, each block with
//! a `SAFETY:` comment. Built on rust-vmm's `vfio-ioctls` (without KVM).
//!
//! * [`pci`]: PCI addresses and the sysfs checks that turn every setup
//!   failure (no IOMMU, wrong driver, group not viable, no permission) into
//!   an error that says what to do;
//! * [`access`]: [`DeviceAccess`], the one interface both carriers below
//!   offer (registers, DMA memory, MSI);
//! * IOVAs for DMA mappings come from the `alpc-iova` crate's allocator
//!   (shared with the model's host memory);
//! * [`device`]: [`VfioPci`], the opened device: BAR0, DMA memory, MSI;
//! * [`vfio_user_client`]: [`VfioUserDevice`], the same over a vfio-user
//!   socket (the simulated card in its own process).
//!
//! The host library adapts any [`DeviceAccess`] to its `Transport` trait
//! once; this crate knows nothing of it.

#![deny(missing_docs)]

pub mod access;
pub mod device;
pub mod pci;
pub mod vfio_user_client;

pub use access::DeviceAccess;
pub use device::{DmaRegion, DriverError, VfioPci};
pub use pci::PciAddress;
pub use vfio_user_client::VfioUserDevice;
