//! Submission descriptor and completion entry formats.
//!
//! All multi-byte fields are little-endian. The device fetches descriptors
//! from the submission ring (SQ) and writes completion entries into the
//! completion ring (CQ), NVMe-style: a completion carries a *phase* bit that
//! the device flips each time it wraps around the CQ, so the host finds new
//! entries by polling memory, with no register read.

/// Size of a submission descriptor in bytes.
pub const DESC_SIZE: usize = 64;
/// Descriptor: opcode (u8).
pub const DESC_OPCODE: usize = 0x00;
/// Descriptor: flags (u8); no flag is defined yet, must be 0.
pub const DESC_FLAGS: usize = 0x01;
/// Descriptor: reserved (u16), must be 0.
pub const DESC_RESERVED: usize = 0x02;
/// Descriptor: payload length in bytes (u32).
pub const DESC_LENGTH: usize = 0x04;
/// Descriptor: opaque value returned in the completion (u64).
pub const DESC_USER_DATA: usize = 0x08;
/// Descriptor: source IOVA (u64).
pub const DESC_SRC_ADDR: usize = 0x10;
/// Descriptor: destination IOVA (u64).
pub const DESC_DST_ADDR: usize = 0x18;
/// Descriptor: start of the bytes the current opcodes ignore (0x20..0x40),
/// kept for later opcodes (inline payloads).
pub const DESC_EXTRA: usize = 0x20;

/// Size of a completion entry in bytes.
pub const CQE_SIZE: usize = 16;
/// Completion: the descriptor's `user_data` (u64).
pub const CQE_USER_DATA: usize = 0x00;
/// Completion: result (u32): bytes copied for COPY, 0 otherwise.
pub const CQE_RESULT: usize = 0x08;
/// Completion: SQ head after this descriptor was consumed (u16); the host
/// may reuse every SQ slot before it.
pub const CQE_SQ_HEAD: usize = 0x0C;
/// Completion: status code (u8), see [`crate::Status`].
pub const CQE_STATUS: usize = 0x0E;
/// Completion: flags (u8); bit 0 is the phase.
pub const CQE_FLAGS: usize = 0x0F;
/// [`CQE_FLAGS`] bit carrying the phase.
pub const CQE_FLAG_PHASE: u8 = 1 << 0;
/// Phase the device writes during its first pass over a fresh CQ (the host
/// zeroes the ring, so zero means "not written yet").
pub const CQ_INITIAL_PHASE: bool = true;

// Layout invariants, checked when the crate compiles.
const _: () = assert!(DESC_DST_ADDR + 8 <= DESC_EXTRA && DESC_EXTRA <= DESC_SIZE);
const _: () = assert!(CQE_FLAGS + 1 == CQE_SIZE);
const _: () = assert!(DESC_SIZE % crate::bus::AXI_DATA_BYTES == 0);
const _: () = assert!(
    CQE_SIZE == crate::bus::AXI_DATA_BYTES,
    "a completion is one beat"
);

fn le_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}
fn le_u64(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

/// A submission descriptor, as the host writes it into the SQ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Descriptor {
    /// Opcode byte; see [`crate::Opcode`]. Kept raw so that malformed
    /// descriptors can be built on purpose.
    pub opcode: u8,
    /// Flags byte (must be 0).
    pub flags: u8,
    /// Reserved (must be 0).
    pub reserved: u16,
    /// Payload length in bytes.
    pub length: u32,
    /// Returned unchanged in the completion.
    pub user_data: u64,
    /// Source IOVA.
    pub src_addr: u64,
    /// Destination IOVA.
    pub dst_addr: u64,
}

impl Descriptor {
    /// A COPY descriptor.
    pub fn copy(src_addr: u64, dst_addr: u64, length: u32, user_data: u64) -> Self {
        Descriptor {
            opcode: crate::Opcode::Copy as u8,
            length,
            user_data,
            src_addr,
            dst_addr,
            ..Default::default()
        }
    }

    /// A NOP descriptor.
    pub fn nop(user_data: u64) -> Self {
        Descriptor {
            opcode: crate::Opcode::Nop as u8,
            user_data,
            ..Default::default()
        }
    }

    /// The 64 bytes the device reads.
    pub fn to_bytes(&self) -> [u8; DESC_SIZE] {
        let mut b = [0u8; DESC_SIZE];
        b[DESC_OPCODE] = self.opcode;
        b[DESC_FLAGS] = self.flags;
        b[DESC_RESERVED..DESC_RESERVED + 2].copy_from_slice(&self.reserved.to_le_bytes());
        b[DESC_LENGTH..DESC_LENGTH + 4].copy_from_slice(&self.length.to_le_bytes());
        b[DESC_USER_DATA..DESC_USER_DATA + 8].copy_from_slice(&self.user_data.to_le_bytes());
        b[DESC_SRC_ADDR..DESC_SRC_ADDR + 8].copy_from_slice(&self.src_addr.to_le_bytes());
        b[DESC_DST_ADDR..DESC_DST_ADDR + 8].copy_from_slice(&self.dst_addr.to_le_bytes());
        b
    }

    /// Parses 64 bytes (the extra bytes are ignored).
    pub fn from_bytes(b: &[u8; DESC_SIZE]) -> Self {
        Descriptor {
            opcode: b[DESC_OPCODE],
            flags: b[DESC_FLAGS],
            reserved: le_u16(b, DESC_RESERVED),
            length: le_u32(b, DESC_LENGTH),
            user_data: le_u64(b, DESC_USER_DATA),
            src_addr: le_u64(b, DESC_SRC_ADDR),
            dst_addr: le_u64(b, DESC_DST_ADDR),
        }
    }
}

/// A completion entry, as the device writes it into the CQ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Completion {
    /// The descriptor's `user_data`.
    pub user_data: u64,
    /// Bytes copied (COPY), else 0.
    pub result: u32,
    /// SQ head after the descriptor was consumed.
    pub sq_head: u16,
    /// Raw status byte; see [`crate::Status`].
    pub status: u8,
    /// Phase bit.
    pub phase: bool,
}

impl Completion {
    /// Parses 16 bytes.
    pub fn from_bytes(b: &[u8; CQE_SIZE]) -> Self {
        Completion {
            user_data: le_u64(b, CQE_USER_DATA),
            result: le_u32(b, CQE_RESULT),
            sq_head: le_u16(b, CQE_SQ_HEAD),
            status: b[CQE_STATUS],
            phase: b[CQE_FLAGS] & CQE_FLAG_PHASE != 0,
        }
    }

    /// The 16 bytes the device writes.
    pub fn to_bytes(&self) -> [u8; CQE_SIZE] {
        let mut b = [0u8; CQE_SIZE];
        b[CQE_USER_DATA..CQE_USER_DATA + 8].copy_from_slice(&self.user_data.to_le_bytes());
        b[CQE_RESULT..CQE_RESULT + 4].copy_from_slice(&self.result.to_le_bytes());
        b[CQE_SQ_HEAD..CQE_SQ_HEAD + 2].copy_from_slice(&self.sq_head.to_le_bytes());
        b[CQE_STATUS] = self.status;
        b[CQE_FLAGS] = if self.phase { CQE_FLAG_PHASE } else { 0 };
        b
    }

    /// The decoded status, if the byte is a known one.
    pub fn status(&self) -> Option<crate::Status> {
        crate::Status::from_u8(self.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptor_round_trips() {
        let d = Descriptor {
            opcode: 7,
            flags: 1,
            reserved: 0xBEEF,
            length: 0x1234_5678,
            user_data: 0x0102_0304_0506_0708,
            src_addr: 0xFFFF_0000_1111_2222,
            dst_addr: 42,
        };
        assert_eq!(Descriptor::from_bytes(&d.to_bytes()), d);
        assert_eq!(d.to_bytes()[DESC_LENGTH], 0x78, "little-endian");
    }

    #[test]
    fn completion_round_trips() {
        let c = Completion {
            user_data: 9,
            result: 77,
            sq_head: 513,
            status: 3,
            phase: true,
        };
        assert_eq!(Completion::from_bytes(&c.to_bytes()), c);
        assert_eq!(c.to_bytes()[CQE_FLAGS], 1);
    }
}
