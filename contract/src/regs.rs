//! The BAR0 register map.
//!
//! BAR0 has three windows:
//!
//! * the **global** registers at [`GLOBAL_BASE`];
//! * the **context configuration** window at [`CTX_CFG_BASE`], one block of
//!   [`CTX_CFG_STRIDE`] bytes per context. It holds ring addresses and
//!   identities, so only the privileged side (the driver or daemon that owns
//!   the device) maps it;
//! * the **doorbell** window at [`DOORBELL_BASE`], one 4 KiB page per context
//!   ([`DOORBELL_STRIDE`]), so that a process can be given an mmap of its own
//!   doorbell page and nothing else.
//!
//! All registers are 32 bits wide and must be accessed with full 32-bit
//! accesses; other accesses, and accesses to unmapped offsets, get an AXI
//! SLVERR response (reads return [`UNMAPPED_READ`]).

/// Base of the global registers.
pub const GLOBAL_BASE: u64 = 0x0_0000;
/// Base of the per-context configuration window (privileged).
pub const CTX_CFG_BASE: u64 = 0x0_8000;
/// Bytes of configuration registers per context.
pub const CTX_CFG_STRIDE: u64 = 0x40;
/// Base of the per-context doorbell pages.
pub const DOORBELL_BASE: u64 = 0x1_0000;
/// Bytes per doorbell page: one MMU page, so one page can be handed to one
/// process.
pub const DOORBELL_STRIDE: u64 = 0x1000;
/// What a read of an unmapped register returns (with SLVERR).
pub const UNMAPPED_READ: u32 = 0xFFFF_FFFF;

/// Value of [`ID`]: "ALPC" in ASCII.
pub const ID_VALUE: u32 = 0x414C_5043;
/// Major version of this contract; bumped on incompatible changes.
pub const VERSION_MAJOR: u16 = 0;
/// Minor version of this contract.
pub const VERSION_MINOR: u16 = 3;
/// Value of [`VERSION`].
pub const VERSION_VALUE: u32 = ((VERSION_MAJOR as u32) << 16) | VERSION_MINOR as u32;

// ---- global registers (offsets from GLOBAL_BASE) ----

/// RO. Identifies the device: [`ID_VALUE`].
pub const ID: u64 = 0x000;
/// RO. Contract version: `major << 16 | minor`.
pub const VERSION: u64 = 0x004;
/// RW. Scratch register with no effect, for bus tests.
pub const SCRATCH: u64 = 0x008;
/// RW. Global control; see `CONTROL_*` bits.
pub const CONTROL: u64 = 0x00C;
/// RO. Global status; see `STATUS_*` bits.
pub const STATUS: u64 = 0x010;
/// RO. Capabilities: `[15:0]` contexts, `[23:16]` DMA bytes per beat,
/// `[31:24]` read bursts in flight.
pub const CAPS: u64 = 0x014;
/// RO. Descriptors completed since reset (wraps).
pub const COMPLETED: u64 = 0x018;
/// RO. Completions with a status other than OK since reset (wraps).
pub const ERRORS: u64 = 0x01C;
/// RO. Largest COPY length in bytes.
pub const MAX_COPY_LEN: u64 = 0x020;

/// [`CONTROL`] bit: the engine processes doorbells. While clear, doorbells
/// are recorded and served once the bit is set.
pub const CONTROL_ENABLE: u32 = 1 << 0;
/// [`STATUS`] bit: the engine is working (on a context, or clearing its
/// tables after reset).
pub const STATUS_BUSY: u32 = 1 << 0;
/// [`STATUS`] bit: a doorbell or a context reset is waiting for the engine.
/// With BUSY and PENDING both clear (or CONTROL.ENABLE clear) the device
/// does nothing more until the host writes a register.
pub const STATUS_PENDING: u32 = 1 << 1;

// ---- per-context configuration (offsets inside one CTX_CFG_STRIDE block) ----

/// RW. Submission ring IOVA, low 32 bits (64-byte aligned: the low 6 bits
/// are ignored and read as 0).
pub const CTX_SQ_BASE_LO: u64 = 0x00;
/// RW. Submission ring IOVA, high 32 bits.
pub const CTX_SQ_BASE_HI: u64 = 0x04;
/// RW. Completion ring IOVA, low 32 bits (32-byte aligned: the low 5 bits
/// are ignored and read as 0). The receive buffers follow the ring
/// (`desc::RX_BUF_SIZE` bytes per entry).
pub const CTX_CQ_BASE_LO: u64 = 0x08;
/// RW. Completion ring IOVA, high 32 bits.
pub const CTX_CQ_BASE_HI: u64 = 0x0C;
/// RW. Ring sizes: `[3:0]` log2 of SQ entries, `[11:8]` log2 of CQ entries.
pub const CTX_RING_CFG: u64 = 0x10;
/// RW. Context control: bit 0 enable, bit 1 poll (no interrupts), bit 2
/// TEARDOWN, `[12:8]` MSI vector, bit 31 ACTIVE (read only). Any write resets the context's
/// queue state (SQ head/tail, CQ head/tail to 0, phase to 1) and its
/// interrupt moderation count.
pub const CTX_CONTROL: u64 = 0x14;
/// RW. Interrupt moderation: `[7:0]` count threshold (completions per
/// interrupt; 0 and 1 mean every completion), `[31:16]` time threshold in
/// clock cycles (an interrupt at the latest this long after the first
/// unsignalled completion; 0 = no timer). Writing it restarts the count.
pub const CTX_IRQ_MOD: u64 = 0x20;
/// RW. Identity of the context's process (a user id or security id), set
/// by the privileged owner of the device (this window is never mapped into
/// a process); the engine stamps it on every event the context causes.
pub const CTX_IDENTITY: u64 = 0x24;
/// RO. SQ head: index of the next descriptor the engine will consume (0
/// while a reset of the context is pending).
pub const CTX_SQ_HEAD: u64 = 0x18;
/// RO. CQ tail: `[15:0]` index of the next completion slot, bit 16 the
/// phase the engine writes there.
pub const CTX_CQ_TAIL: u64 = 0x1C;
/// RO. CQ slots reserved: the descriptor in flight, completions the context
/// is owed (a pending CONNECT's answer, an outstanding REQUEST's REPLY) and
/// PORT_CLOSED notices of its connected communication ports. A submission is taken only while the CQ entries not yet consumed
/// plus these stay below the ring's capacity.
pub const CTX_CQ_RESERVED: u64 = 0x28;
/// RW. First IOVA of the context's memory window, low 32 bits. COPY's
/// plain addresses and SECTION_CREATE's range must lie inside
/// `CTX_MEM_BASE ..= CTX_MEM_LAST`, else BAD_ADDRESS: the privileged owner
/// sets the window to the memory it mapped for the process (reset: all of
/// the IOVA space, for an owner that trusts every context).
pub const CTX_MEM_BASE_LO: u64 = 0x2C;
/// RW. First IOVA of the memory window, high 32 bits.
pub const CTX_MEM_BASE_HI: u64 = 0x30;
/// RW. Last IOVA of the memory window (inclusive), low 32 bits.
pub const CTX_MEM_LAST_LO: u64 = 0x34;
/// RW. Last IOVA of the memory window (inclusive), high 32 bits.
pub const CTX_MEM_LAST_HI: u64 = 0x38;

/// [`CTX_RING_CFG`]: shift of the SQ log2-size field.
pub const RING_CFG_SQ_SHIFT: u32 = 0;
/// [`CTX_RING_CFG`]: shift of the CQ log2-size field.
pub const RING_CFG_CQ_SHIFT: u32 = 8;
/// [`CTX_RING_CFG`]: mask of each log2-size field (after shifting).
pub const RING_CFG_LOG2_MASK: u32 = 0xF;
/// [`CTX_CONTROL`] bit: the context is enabled.
pub const CTX_CONTROL_ENABLE: u32 = 1 << 0;
/// [`CTX_CONTROL`] bit: no interrupts for this context (the host polls).
pub const CTX_CONTROL_POLL: u32 = 1 << 1;
/// [`CTX_CONTROL`] bit: written 1, the context's process is gone (the
/// privileged owner says so): the engine closes every port the context owns
/// (peers get PORT_CLOSED with status PEER_CLOSED, requests sent to it
/// complete PEER_CLOSED, connects pending on its connection ports are
/// refused), forgets its own requests and pending connects, then resets its
/// queues like any CTX_CONTROL write. Reads 1 until the engine is done.
pub const CTX_CONTROL_TEARDOWN: u32 = 1 << 2;
/// [`CTX_CONTROL`] bit (read only): the engine is working on this context
/// and may still write its memory. After disabling a context, wait for this
/// bit to clear before freeing its rings or buffers.
pub const CTX_CONTROL_ACTIVE: u32 = 1 << 31;
/// [`CTX_CONTROL`]: shift of the MSI vector field.
pub const CTX_CONTROL_VECTOR_SHIFT: u32 = 8;
/// [`CTX_CONTROL`]: mask of the MSI vector field (after shifting).
pub const CTX_CONTROL_VECTOR_MASK: u32 = 0x1F;
/// [`CTX_IRQ_MOD`]: shift of the count threshold.
pub const IRQ_MOD_COUNT_SHIFT: u32 = 0;
/// [`CTX_IRQ_MOD`]: mask of the count threshold (after shifting).
pub const IRQ_MOD_COUNT_MASK: u32 = 0xFF;
/// [`CTX_IRQ_MOD`]: shift of the time threshold.
pub const IRQ_MOD_TIME_SHIFT: u32 = 16;
/// [`CTX_IRQ_MOD`]: mask of the time threshold (after shifting).
pub const IRQ_MOD_TIME_MASK: u32 = 0xFFFF;
/// [`CTX_CQ_TAIL`]: bit that carries the current phase.
pub const CQ_TAIL_PHASE_BIT: u32 = 16;

// ---- doorbell page (offsets inside one DOORBELL_STRIDE page) ----

/// RW. SQ tail doorbell: index one past the last descriptor submitted. One
/// write submits every descriptor between the head and this index.
pub const DB_SQ_TAIL: u64 = 0x000;
/// RW. CQ head doorbell: index of the next completion the host will read;
/// returns the slots before it to the device.
pub const DB_CQ_HEAD: u64 = 0x004;

/// BAR0 offset of a context configuration register.
pub const fn ctx_cfg(ctx: usize, reg: u64) -> u64 {
    CTX_CFG_BASE + ctx as u64 * CTX_CFG_STRIDE + reg
}

/// BAR0 offset of a doorbell register.
pub const fn doorbell(ctx: usize, reg: u64) -> u64 {
    DOORBELL_BASE + ctx as u64 * DOORBELL_STRIDE + reg
}

/// Size of BAR0 needed for `contexts` contexts, rounded up to a power of two
/// (PCIe BAR sizes are powers of two).
pub const fn bar0_size(contexts: usize) -> u64 {
    (DOORBELL_BASE + contexts as u64 * DOORBELL_STRIDE).next_power_of_two()
}

/// Access kind of a register, for the documentation table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Read only.
    Ro,
    /// Read and write.
    Rw,
}

/// One row of the register table in `docs/architecture.md`.
#[derive(Clone, Copy, Debug)]
pub struct RegisterInfo {
    /// Window the offset is relative to: "global", "ctx" or "doorbell".
    pub window: &'static str,
    /// Name used in the documents.
    pub name: &'static str,
    /// Offset inside the window.
    pub offset: u64,
    /// Access kind.
    pub access: Access,
}

/// Every register, in the order the documentation lists them.
#[rustfmt::skip]
pub const REGISTERS: &[RegisterInfo] = &[
    RegisterInfo { window: "global", name: "ID", offset: ID, access: Access::Ro },
    RegisterInfo { window: "global", name: "VERSION", offset: VERSION, access: Access::Ro },
    RegisterInfo { window: "global", name: "SCRATCH", offset: SCRATCH, access: Access::Rw },
    RegisterInfo { window: "global", name: "CONTROL", offset: CONTROL, access: Access::Rw },
    RegisterInfo { window: "global", name: "STATUS", offset: STATUS, access: Access::Ro },
    RegisterInfo { window: "global", name: "CAPS", offset: CAPS, access: Access::Ro },
    RegisterInfo { window: "global", name: "COMPLETED", offset: COMPLETED, access: Access::Ro },
    RegisterInfo { window: "global", name: "ERRORS", offset: ERRORS, access: Access::Ro },
    RegisterInfo { window: "global", name: "MAX_COPY_LEN", offset: MAX_COPY_LEN, access: Access::Ro },
    RegisterInfo { window: "ctx", name: "CTX_SQ_BASE_LO", offset: CTX_SQ_BASE_LO, access: Access::Rw },
    RegisterInfo { window: "ctx", name: "CTX_SQ_BASE_HI", offset: CTX_SQ_BASE_HI, access: Access::Rw },
    RegisterInfo { window: "ctx", name: "CTX_CQ_BASE_LO", offset: CTX_CQ_BASE_LO, access: Access::Rw },
    RegisterInfo { window: "ctx", name: "CTX_CQ_BASE_HI", offset: CTX_CQ_BASE_HI, access: Access::Rw },
    RegisterInfo { window: "ctx", name: "CTX_RING_CFG", offset: CTX_RING_CFG, access: Access::Rw },
    RegisterInfo { window: "ctx", name: "CTX_CONTROL", offset: CTX_CONTROL, access: Access::Rw },
    RegisterInfo { window: "ctx", name: "CTX_SQ_HEAD", offset: CTX_SQ_HEAD, access: Access::Ro },
    RegisterInfo { window: "ctx", name: "CTX_CQ_TAIL", offset: CTX_CQ_TAIL, access: Access::Ro },
    RegisterInfo { window: "ctx", name: "CTX_IRQ_MOD", offset: CTX_IRQ_MOD, access: Access::Rw },
    RegisterInfo { window: "ctx", name: "CTX_IDENTITY", offset: CTX_IDENTITY, access: Access::Rw },
    RegisterInfo { window: "ctx", name: "CTX_CQ_RESERVED", offset: CTX_CQ_RESERVED, access: Access::Ro },
    RegisterInfo { window: "ctx", name: "CTX_MEM_BASE_LO", offset: CTX_MEM_BASE_LO, access: Access::Rw },
    RegisterInfo { window: "ctx", name: "CTX_MEM_BASE_HI", offset: CTX_MEM_BASE_HI, access: Access::Rw },
    RegisterInfo { window: "ctx", name: "CTX_MEM_LAST_LO", offset: CTX_MEM_LAST_LO, access: Access::Rw },
    RegisterInfo { window: "ctx", name: "CTX_MEM_LAST_HI", offset: CTX_MEM_LAST_HI, access: Access::Rw },
    RegisterInfo { window: "doorbell", name: "DB_SQ_TAIL", offset: DB_SQ_TAIL, access: Access::Rw },
    RegisterInfo { window: "doorbell", name: "DB_CQ_HEAD", offset: DB_CQ_HEAD, access: Access::Rw },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_do_not_overlap() {
        let last_cfg = ctx_cfg(crate::geometry::CONTEXTS - 1, CTX_CFG_STRIDE);
        assert!(last_cfg <= DOORBELL_BASE);
        assert!(bar0_size(crate::geometry::CONTEXTS) <= 1 << crate::bus::AXIL_ADDR_BITS);
        for r in REGISTERS {
            let limit = match r.window {
                "global" => CTX_CFG_BASE,
                "ctx" => CTX_CFG_STRIDE,
                _ => DOORBELL_STRIDE,
            };
            assert!(r.offset < limit && r.offset % 4 == 0, "{}", r.name);
        }
    }

    #[test]
    fn register_names_and_offsets_are_unique() {
        for (i, a) in REGISTERS.iter().enumerate() {
            for b in &REGISTERS[i + 1..] {
                assert_ne!(a.name, b.name);
                assert!(
                    a.window != b.window || a.offset != b.offset,
                    "{} {}",
                    a.name,
                    b.name
                );
            }
        }
    }
}
