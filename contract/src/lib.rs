//! The hardware/software contract of the ALPC accelerator.
//!
//! Everything the RTL and the software must agree on lives here and only
//! here: the BAR0 register map, the layouts of submission descriptors and
//! completion entries, opcodes, status codes and the bus parameters. The
//! RustHDL description (`alpc-rtl`) builds its constants from this crate, and
//! every software crate (simulator host model, host library, driver) reads
//! the same items. `docs/architecture.md` shows the same tables; a test in
//! `alpc-tests` checks that the document matches these constants.
//!
//! The crate has no dependencies so that anything (build scripts, the RTL
//! generator, a `no_std` firmware one day) can use it.
#![deny(missing_docs)]

pub mod desc;
pub mod regs;

pub use desc::{Completion, Descriptor};

/// Parameters of the device's two buses.
pub mod bus {
    /// Width of the AXI4-Lite BAR0 address (`s_axil_awaddr`, `s_axil_araddr`):
    /// 1 MiB of BAR space.
    pub const AXIL_ADDR_BITS: usize = 20;
    /// Width of AXI4-Lite data: registers are 32 bits.
    pub const AXIL_DATA_BITS: usize = 32;
    /// Width of the DMA master's addresses (`m_axi_araddr`, `m_axi_awaddr`):
    /// full 64-bit IOVAs.
    pub const AXI_ADDR_BITS: usize = 64;
    /// Width of the DMA master's data bus, in bytes (128 bits, the width of
    /// LitePCIe on a Gen2 x4 Artix-7 board).
    pub const AXI_DATA_BYTES: usize = 16;
    /// Width of the DMA master's AXI ID fields.
    pub const AXI_ID_BITS: usize = 4;
    /// Longest burst the engine issues, in beats (256 bytes, a common PCIe
    /// max payload / max read request size).
    pub const MAX_BURST_BEATS: usize = 16;
    /// AXI bursts never cross this boundary (AXI4 rule).
    pub const BURST_BOUNDARY: u64 = 4096;
    /// How many read bursts the copy engine keeps in flight at once.
    pub const MAX_READS_IN_FLIGHT: usize = 8;
    /// AXI ID used for descriptor fetches and completion writes.
    pub const AXI_ID_QUEUE: u8 = 0;
    /// AXI ID used for payload reads and writes.
    pub const AXI_ID_DATA: u8 = 1;
    /// AXI response code OKAY.
    pub const RESP_OKAY: u8 = 0;
    /// AXI response code SLVERR.
    pub const RESP_SLVERR: u8 = 2;
    /// AXI response code DECERR.
    pub const RESP_DECERR: u8 = 3;
    /// Number of MSI vectors the core drives (`msi_irq` is this many bits).
    pub const MSI_VECTORS: usize = 32;
    /// Clock the design is built for, in MHz (PCIe user clock of the target
    /// boards); the simulator converts wall-clock timeouts with it.
    pub const CLOCK_MHZ: u64 = 125;
}

/// Device geometry of the default build.
pub mod geometry {
    /// log2 of the number of hardware contexts (queue pairs).
    pub const CONTEXT_BITS: usize = 4;
    /// Number of hardware contexts (queue pairs).
    pub const CONTEXTS: usize = 1 << CONTEXT_BITS;
    /// Largest payload a single COPY descriptor may move, in bytes.
    pub const MAX_COPY_LEN: u32 = 1 << 20;
    /// Largest ring the hardware accepts: `log2(entries)` field is 4 bits.
    pub const RING_LOG2_MAX: u32 = 15;
}

/// Submission opcodes (byte 0 of a descriptor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Opcode {
    /// Do nothing; completes with [`Status::Ok`]. Useful to probe a queue.
    Nop = 0x00,
    /// Copy `length` bytes from `src_addr` to `dst_addr` by DMA.
    Copy = 0x01,
}

impl Opcode {
    /// Every opcode the hardware knows.
    pub const ALL: [Opcode; 2] = [Opcode::Nop, Opcode::Copy];

    /// Decodes an opcode byte.
    pub fn from_u8(v: u8) -> Option<Opcode> {
        Self::ALL.into_iter().find(|o| *o as u8 == v)
    }

    /// The name used in documents and transcripts.
    pub fn name(self) -> &'static str {
        match self {
            Opcode::Nop => "NOP",
            Opcode::Copy => "COPY",
        }
    }
}

/// Completion status codes (byte 14 of a completion entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    /// The operation completed.
    Ok = 0x00,
    /// The opcode is not one the device knows.
    BadOpcode = 0x01,
    /// The length is over [`geometry::MAX_COPY_LEN`].
    BadLength = 0x02,
    /// A reserved field (flags, reserved bytes) is not zero.
    BadReserved = 0x03,
    /// An address range does not end below 2^64.
    BadAddress = 0x04,
    /// Host memory answered a read with an error (e.g. an IOMMU fault).
    DmaReadError = 0x05,
    /// Host memory answered a write with an error.
    DmaWriteError = 0x06,
}

impl Status {
    /// Every status the hardware produces.
    pub const ALL: [Status; 7] = [
        Status::Ok,
        Status::BadOpcode,
        Status::BadLength,
        Status::BadReserved,
        Status::BadAddress,
        Status::DmaReadError,
        Status::DmaWriteError,
    ];

    /// Decodes a status byte.
    pub fn from_u8(v: u8) -> Option<Status> {
        Self::ALL.into_iter().find(|s| *s as u8 == v)
    }

    /// The name used in documents and transcripts.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::BadOpcode => "BAD_OPCODE",
            Status::BadLength => "BAD_LENGTH",
            Status::BadReserved => "BAD_RESERVED",
            Status::BadAddress => "BAD_ADDRESS",
            Status::DmaReadError => "DMA_READ_ERROR",
            Status::DmaWriteError => "DMA_WRITE_ERROR",
        }
    }

    /// A sentence for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Status::Ok => "completed",
            Status::BadOpcode => "unknown opcode",
            Status::BadLength => "length over the device limit",
            Status::BadReserved => "reserved descriptor field is not zero",
            Status::BadAddress => "address range does not end below 2^64",
            Status::DmaReadError => "host memory refused a DMA read",
            Status::DmaWriteError => "host memory refused a DMA write",
        }
    }
}
