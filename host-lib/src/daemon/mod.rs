//! `alpcd`, the broker that owns the device, and the transport through
//! which processes use it.
//!
//! One process (the broker, [`broker::serve`]) opens the device (the
//! simulated one by default, or a board) and listens on a Unix socket.
//! Every process that connects gets:
//!
//! - an **identity** the broker chose, bound to the credentials the kernel
//!   reports for the socket (`SO_PEERCRED`: uid, gid, pid), never to
//!   anything the process says. The device stamps it on everything the
//!   process's contexts send; servers turn it back into the credentials
//!   with [`crate::SharedDevice::credentials`] (ALPC's SID and client id);
//! - its **own DMA memory**: a sealed memfd passed with `SCM_RIGHTS`,
//!   mapped by the broker into the device's DMA space at an IOVA range of
//!   its own, which the broker also sets as the memory window of each of
//!   the process's contexts (the device refuses COPY addresses and
//!   sections outside it). Rings, payload buffers and sections live there;
//!   the process reads and writes them directly, with no system call;
//! - its **own doorbell page**: a second memfd the process writes its SQ
//!   tail and CQ head into, which the broker's device loop watches and
//!   forwards to the device (on the simulated device, and for now on a
//!   board too: see `docs/daemon.md`);
//! - per context, an **interrupt channel** (a datagram socket, readable
//!   like an eventfd but never able to block the broker) it signals on the
//!   context's MSI vector.
//!
//! Setup goes through the socket (claim a context, program its rings,
//! look up a peer's credentials); the broker checks every register write
//! (only the process's own contexts, rings inside its memory, no identity
//! or window change). When the socket closes (the process exited or was
//! killed), the broker tears the process's contexts down in hardware: its
//! ports close, peers get their PORT_CLOSED notices, requests towards it
//! fail with PEER_CLOSED.
//!
//! Messages on the socket (`SOCK_SEQPACKET`, little endian) are defined
//! here, next to the doorbell page's layout: both sides use these.

pub mod broker;
pub mod client;
pub mod unix;

use alpc_contract::regs;

/// First word of the broker's greeting.
pub const MAGIC: u32 = 0x414C_5044; // "ALPD"
/// Version of this protocol.
pub const PROTOCOL_VERSION: u32 = 1;
/// Where `alpcd` listens unless told otherwise (`$ALPCD_SOCKET` overrides).
pub const DEFAULT_SOCKET: &str = "/run/alpcd.sock";

/// Size of a process's doorbell page.
pub const DOORBELL_PAGE: usize = 4096;
/// Doorbell page: the broker's device loop is asleep; a process that
/// rings a doorbell then also signals its kick channel.
pub const DB_SLEEPING: usize = 0;
/// Doorbell page: first context slot (8 bytes each: SQ tail, CQ head).
pub const DB_SLOTS: usize = 64;
/// Contexts a doorbell page has slots for.
pub const DB_MAX_CONTEXTS: usize = (DOORBELL_PAGE - DB_SLOTS) / 8;

/// Offset in the doorbell page of context `ctx`'s doorbell register `reg`
/// (`regs::DB_SQ_TAIL` or `regs::DB_CQ_HEAD`).
pub const fn doorbell_slot(ctx: usize, reg: u64) -> usize {
    DB_SLOTS + ctx * 8 + if reg == regs::DB_CQ_HEAD { 4 } else { 0 }
}

/// What a process asks the broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    /// Read a register (global read-only ones, or one's own context's).
    Read32 {
        /// BAR0 offset.
        offset: u64,
    },
    /// Write one of one's own context's configuration registers.
    Write32 {
        /// BAR0 offset.
        offset: u64,
        /// Value.
        value: u32,
    },
    /// A hardware context of one's own (answer: its index; an interrupt
    /// channel comes with it).
    Claim,
    /// Give a context back (after disabling it).
    Release {
        /// The context.
        ctx: usize,
    },
    /// The credentials behind an identity (answer: found, uid, gid, pid).
    Credentials {
        /// The identity, as a completion carried it.
        identity: u32,
    },
}

const OP_READ: u32 = 1;
const OP_WRITE: u32 = 2;
const OP_CLAIM: u32 = 3;
const OP_RELEASE: u32 = 4;
const OP_CREDENTIALS: u32 = 5;

impl Request {
    /// The 24 bytes on the socket.
    pub fn encode(&self) -> Vec<u8> {
        let (op, a, b) = match *self {
            Request::Read32 { offset } => (OP_READ, offset, 0),
            Request::Write32 { offset, value } => (OP_WRITE, offset, value as u64),
            Request::Claim => (OP_CLAIM, 0, 0),
            Request::Release { ctx } => (OP_RELEASE, ctx as u64, 0),
            Request::Credentials { identity } => (OP_CREDENTIALS, identity as u64, 0),
        };
        let mut v = Vec::with_capacity(24);
        v.extend_from_slice(&op.to_le_bytes());
        v.extend_from_slice(&0u32.to_le_bytes());
        v.extend_from_slice(&a.to_le_bytes());
        v.extend_from_slice(&b.to_le_bytes());
        v
    }

    /// Parses a request; `None` for anything malformed.
    pub fn decode(m: &[u8]) -> Option<Request> {
        if m.len() != 24 {
            return None;
        }
        let (op, a, b) = (u32_at(m, 0), u64_at(m, 8), u64_at(m, 16));
        Some(match op {
            OP_READ => Request::Read32 { offset: a },
            OP_WRITE => Request::Write32 { offset: a, value: u32::try_from(b).ok()? },
            OP_CLAIM => Request::Claim,
            OP_RELEASE => Request::Release { ctx: usize::try_from(a).ok()? },
            OP_CREDENTIALS => Request::Credentials { identity: u32::try_from(a).ok()? },
            _ => return None,
        })
    }
}

/// The broker's answer to a [`Request`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// `Ok(values)`, or the reason for a refusal.
    pub result: Result<[u64; 3], String>,
}

impl Reply {
    /// An answer with values.
    pub fn ok(v: [u64; 3]) -> Reply {
        Reply { result: Ok(v) }
    }

    /// A refusal.
    pub fn refused(why: impl Into<String>) -> Reply {
        Reply { result: Err(why.into()) }
    }

    /// The bytes on the socket: status, three values, the reason's text.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(40);
        let (status, vals, text) = match &self.result {
            Ok(vals) => (0u32, *vals, ""),
            Err(t) => (1, [0; 3], t.as_str()),
        };
        v.extend_from_slice(&status.to_le_bytes());
        v.extend_from_slice(&0u32.to_le_bytes());
        for x in vals {
            v.extend_from_slice(&x.to_le_bytes());
        }
        let text = &text.as_bytes()[..text.len().min(unix::MAX_MESSAGE - 32)];
        v.extend_from_slice(text);
        v
    }

    /// Parses an answer.
    pub fn decode(m: &[u8]) -> Option<Reply> {
        if m.len() < 32 {
            return None;
        }
        let vals = [u64_at(m, 8), u64_at(m, 16), u64_at(m, 24)];
        Some(match u32_at(m, 0) {
            0 => Reply::ok(vals),
            _ => Reply::refused(String::from_utf8_lossy(&m[32..]).into_owned()),
        })
    }
}

/// The broker's greeting, sent on accept with three descriptors: the
/// process's DMA memory, its doorbell page and its kick channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hello {
    /// Hardware contexts of the device.
    pub contexts: u32,
    /// MSI vectors of the device.
    pub vectors: u32,
    /// The identity the broker gave this process.
    pub identity: u32,
    /// IOVA of the process's DMA memory.
    pub memory_iova: u64,
    /// Its size in bytes.
    pub memory_len: u64,
    /// What the broker drives ("Verilator simulation", a PCI address).
    pub device: String,
}

impl Hello {
    /// The bytes on the socket.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::new();
        for x in [MAGIC, PROTOCOL_VERSION, self.contexts, self.vectors, self.identity, 0] {
            v.extend_from_slice(&x.to_le_bytes());
        }
        v.extend_from_slice(&self.memory_iova.to_le_bytes());
        v.extend_from_slice(&self.memory_len.to_le_bytes());
        v.extend_from_slice(&self.device.as_bytes()[..self.device.len().min(unix::MAX_MESSAGE - 40)]);
        v
    }

    /// Parses a greeting; the error says what is wrong with it.
    pub fn decode(m: &[u8]) -> Result<Hello, String> {
        if m.len() < 40 || u32_at(m, 0) != MAGIC {
            return Err("not an alpcd greeting".into());
        }
        if u32_at(m, 4) != PROTOCOL_VERSION {
            return Err(format!("alpcd speaks protocol {}, this library {PROTOCOL_VERSION}", u32_at(m, 4)));
        }
        Ok(Hello {
            contexts: u32_at(m, 8),
            vectors: u32_at(m, 12),
            identity: u32_at(m, 16),
            memory_iova: u64_at(m, 24),
            memory_len: u64_at(m, 32),
            device: String::from_utf8_lossy(&m[40..]).into_owned(),
        })
    }
}

fn u32_at(m: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(m[at..at + 4].try_into().unwrap())
}

fn u64_at(m: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(m[at..at + 8].try_into().unwrap())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_garbage_is_refused() {
        for r in [
            Request::Read32 { offset: 0x1234 },
            Request::Write32 { offset: 8, value: 0xFFFF_FFFF },
            Request::Claim,
            Request::Release { ctx: 15 },
            Request::Credentials { identity: 7 },
        ] {
            assert_eq!(Request::decode(&r.encode()), Some(r));
        }
        assert_eq!(Request::decode(&[0; 23]), None);
        let mut bad = Request::Claim.encode();
        bad[0] = 99;
        assert_eq!(Request::decode(&bad), None);
        let mut wide = Request::Write32 { offset: 0, value: 1 }.encode();
        wide[20] = 1; // a value above 32 bits
        assert_eq!(Request::decode(&wide), None);
        for r in [Reply::ok([1, 2, 3]), Reply::refused("no")] {
            assert_eq!(Reply::decode(&r.encode()), Some(r));
        }
        let h = Hello { contexts: 16, vectors: 32, identity: 9, memory_iova: 1 << 38, memory_len: 1 << 26, device: "sim".into() };
        assert_eq!(Hello::decode(&h.encode()), Ok(h.clone()));
        let mut old = h.encode();
        old[4] = 0;
        assert!(Hello::decode(&old).unwrap_err().contains("protocol"));
        assert_eq!(doorbell_slot(DB_MAX_CONTEXTS - 1, regs::DB_CQ_HEAD) + 4, DOORBELL_PAGE);
    }
}
