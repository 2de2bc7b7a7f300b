//! The model device: registers and engine.

use crate::alpc::{AlpcModel, Event, Op};
use crate::host_memory::HostMemory;
use alpc_contract::desc::{self, inline_slots, CQE_SIZE, CQ_INITIAL_PHASE, DESC_EXTRA, DESC_SIZE, RX_BUF_SIZE};
use alpc_contract::{access, bus, geometry, regs, Completion, Descriptor, EventKind, Opcode, Status};
use thiserror::Error;

/// Why a register access was refused (the RTL answers SLVERR).
#[derive(Debug, Error, PartialEq, Eq, Clone, Copy)]
pub enum RegError {
    /// Nothing is mapped at the offset.
    #[error("no register at BAR0 offset {0:#x}")]
    Unmapped(u64),
    /// The register cannot be written.
    #[error("register at BAR0 offset {0:#x} is read-only")]
    ReadOnly(u64),
    /// The offset is not 4-byte aligned or beyond the BAR.
    #[error("BAR0 offset {0:#x} is outside the BAR or not 4-byte aligned")]
    BadOffset(u64),
}

#[derive(Clone)]
struct Ctx {
    sq_lo: u32,
    sq_hi: u32,
    cq_lo: u32,
    cq_hi: u32,
    sq_log2: u32,
    cq_log2: u32,
    vector: u32,
    enabled: bool,
    poll: bool,
    irq_mod: u32,
    identity: u32,
    sq_tail: u16,
    cq_head: u16,
    sq_head: u16,
    cq_tail: u16,
    phase: bool,
    mem_base: u64,
    mem_last: u64,
}

impl Default for Ctx {
    fn default() -> Ctx {
        Ctx {
            sq_lo: 0,
            sq_hi: 0,
            cq_lo: 0,
            cq_hi: 0,
            sq_log2: 0,
            cq_log2: 0,
            vector: 0,
            enabled: false,
            poll: false,
            irq_mod: 0,
            identity: 0,
            sq_tail: 0,
            cq_head: 0,
            sq_head: 0,
            cq_tail: 0,
            phase: false,
            mem_base: 0,
            mem_last: u64::MAX, // reset: the whole IOVA space
        }
    }
}

fn set_lo(x: u64, v: u32) -> u64 {
    x & !0xFFFF_FFFF | v as u64
}

fn set_hi(x: u64, v: u32) -> u64 {
    x & 0xFFFF_FFFF | (v as u64) << 32
}

impl Ctx {
    fn sq_mask(&self) -> u16 {
        ((1u32 << self.sq_log2) - 1) as u16
    }
    fn cq_mask(&self) -> u16 {
        ((1u32 << self.cq_log2) - 1) as u16
    }
    fn sq_base(&self) -> u64 {
        (self.sq_hi as u64) << 32 | self.sq_lo as u64
    }
    fn cq_base(&self) -> u64 {
        (self.cq_hi as u64) << 32 | self.cq_lo as u64
    }
}

/// See the crate documentation.
pub struct ModelDevice {
    mem: HostMemory,
    alpc: AlpcModel,
    ctxs: Vec<Ctx>,
    scratch: u32,
    enable: bool,
    completed: u32,
    errors: u32,
    last_ctx: usize,
    irqs: [u64; bus::MSI_VECTORS],
    /// The large message being delivered: source IOVA and its buffer.
    pending_large: Option<(u64, crate::sections::ViewRecord)>,
}

const BEAT: u64 = bus::AXI_DATA_BYTES as u64;

impl ModelDevice {
    /// A device with the default geometry over `mem`.
    pub fn new(mem: HostMemory) -> ModelDevice {
        ModelDevice {
            mem,
            alpc: AlpcModel::new(geometry::CONTEXTS, geometry::PORTS, geometry::REQUESTS, geometry::NAMES)
                .with_max_inline(geometry::MAX_INLINE as usize),
            ctxs: vec![Ctx::default(); geometry::CONTEXTS],
            scratch: 0,
            enable: false,
            completed: 0,
            errors: 0,
            last_ctx: 0,
            irqs: [0; bus::MSI_VECTORS],
            pending_large: None,
        }
    }

    /// Host memory.
    pub fn mem(&self) -> &HostMemory {
        &self.mem
    }

    /// Host memory, mutable.
    pub fn mem_mut(&mut self) -> &mut HostMemory {
        &mut self.mem
    }

    /// Takes the count of interrupts raised on `vector` since the last call.
    pub fn take_irqs(&mut self, vector: u32) -> u64 {
        std::mem::take(&mut self.irqs[vector as usize])
    }

    fn decode(offset: u64) -> Result<(Window, u64), RegError> {
        if offset % 4 != 0 || offset >> bus::AXIL_ADDR_BITS != 0 {
            return Err(RegError::BadOffset(offset));
        }
        let n = geometry::CONTEXTS as u64;
        if offset < regs::CTX_CFG_BASE {
            return Ok((Window::Global, offset - regs::GLOBAL_BASE));
        }
        if offset < regs::CTX_CFG_BASE + n * regs::CTX_CFG_STRIDE {
            let o = offset - regs::CTX_CFG_BASE;
            return Ok((
                Window::Ctx((o / regs::CTX_CFG_STRIDE) as usize),
                o % regs::CTX_CFG_STRIDE,
            ));
        }
        if (regs::DOORBELL_BASE..regs::DOORBELL_BASE + n * regs::DOORBELL_STRIDE).contains(&offset)
        {
            let o = offset - regs::DOORBELL_BASE;
            return Ok((
                Window::Doorbell((o / regs::DOORBELL_STRIDE) as usize),
                o % regs::DOORBELL_STRIDE,
            ));
        }
        Err(RegError::Unmapped(offset))
    }

    /// A BAR0 register read.
    pub fn read32(&mut self, offset: u64) -> Result<u32, RegError> {
        let (w, r) = Self::decode(offset)?;
        let caps = geometry::CONTEXTS as u32
            | (bus::AXI_DATA_BYTES as u32) << 16
            | (bus::MAX_READS_IN_FLIGHT as u32) << 24;
        Ok(match w {
            Window::Global => match r {
                regs::ID => regs::ID_VALUE,
                regs::VERSION => regs::VERSION_VALUE,
                regs::SCRATCH => self.scratch,
                regs::CONTROL => self.enable as u32,
                regs::STATUS => 0, // the model is never caught mid-descriptor
                regs::CAPS => caps,
                regs::COMPLETED => self.completed,
                regs::ERRORS => self.errors,
                regs::MAX_COPY_LEN => geometry::MAX_COPY_LEN,
                _ => return Err(RegError::Unmapped(offset)),
            },
            Window::Ctx(i) => {
                let c = &self.ctxs[i];
                match r {
                    regs::CTX_SQ_BASE_LO => c.sq_lo,
                    regs::CTX_SQ_BASE_HI => c.sq_hi,
                    regs::CTX_CQ_BASE_LO => c.cq_lo,
                    regs::CTX_CQ_BASE_HI => c.cq_hi,
                    regs::CTX_RING_CFG => {
                        c.sq_log2 << regs::RING_CFG_SQ_SHIFT | c.cq_log2 << regs::RING_CFG_CQ_SHIFT
                    }
                    regs::CTX_CONTROL => {
                        c.enabled as u32
                            | if c.poll { regs::CTX_CONTROL_POLL } else { 0 }
                            | c.vector << regs::CTX_CONTROL_VECTOR_SHIFT
                    }
                    regs::CTX_IRQ_MOD => c.irq_mod,
                    regs::CTX_IDENTITY => c.identity,
                    regs::CTX_CQ_RESERVED => self.alpc.cq_reserved(i) as u32,
                    regs::CTX_MEM_BASE_LO => c.mem_base as u32,
                    regs::CTX_MEM_BASE_HI => (c.mem_base >> 32) as u32,
                    regs::CTX_MEM_LAST_LO => c.mem_last as u32,
                    regs::CTX_MEM_LAST_HI => (c.mem_last >> 32) as u32,
                    regs::CTX_SQ_HEAD => c.sq_head as u32,
                    regs::CTX_CQ_TAIL => {
                        c.cq_tail as u32 | (c.phase as u32) << regs::CQ_TAIL_PHASE_BIT
                    }
                    _ => return Err(RegError::Unmapped(offset)),
                }
            }
            Window::Doorbell(i) => match r {
                regs::DB_SQ_TAIL => self.ctxs[i].sq_tail as u32,
                regs::DB_CQ_HEAD => self.ctxs[i].cq_head as u32,
                _ => return Err(RegError::Unmapped(offset)),
            },
        })
    }

    /// A BAR0 register write; doorbells run the engine before returning.
    pub fn write32(&mut self, offset: u64, v: u32) -> Result<(), RegError> {
        let (w, r) = Self::decode(offset)?;
        match w {
            Window::Global => match r {
                regs::SCRATCH => self.scratch = v,
                regs::CONTROL => self.enable = v & regs::CONTROL_ENABLE != 0,
                regs::ID
                | regs::VERSION
                | regs::STATUS
                | regs::CAPS
                | regs::COMPLETED
                | regs::ERRORS
                | regs::MAX_COPY_LEN => return Err(RegError::ReadOnly(offset)),
                _ => return Err(RegError::Unmapped(offset)),
            },
            Window::Ctx(i) => {
                if r == regs::CTX_CONTROL && v & regs::CTX_CONTROL_TEARDOWN != 0 {
                    // The process is gone: close what it owned (events to
                    // the peers), then the write resets the context below.
                    self.sync_rings();
                    for (to, e) in self.alpc.teardown(i) {
                        self.post(to, &e, None, false);
                    }
                }
                let c = &mut self.ctxs[i];
                match r {
                    regs::CTX_SQ_BASE_LO => c.sq_lo = v & !(DESC_SIZE as u32 - 1),
                    regs::CTX_SQ_BASE_HI => c.sq_hi = v,
                    regs::CTX_CQ_BASE_LO => c.cq_lo = v & !(CQE_SIZE as u32 - 1),
                    regs::CTX_CQ_BASE_HI => c.cq_hi = v,
                    regs::CTX_RING_CFG => {
                        c.sq_log2 = v >> regs::RING_CFG_SQ_SHIFT & regs::RING_CFG_LOG2_MASK;
                        c.cq_log2 = v >> regs::RING_CFG_CQ_SHIFT & regs::RING_CFG_LOG2_MASK;
                    }
                    regs::CTX_CONTROL => {
                        c.enabled = v & regs::CTX_CONTROL_ENABLE != 0;
                        c.poll = v & regs::CTX_CONTROL_POLL != 0;
                        c.vector =
                            v >> regs::CTX_CONTROL_VECTOR_SHIFT & regs::CTX_CONTROL_VECTOR_MASK;
                        c.sq_tail = 0;
                        c.cq_head = 0;
                        c.sq_head = 0;
                        c.cq_tail = 0;
                        c.phase = CQ_INITIAL_PHASE;
                        // The hardware resets the context's reservations too.
                        let identity = c.identity;
                        // Every CQ slot has its receive buffer, so CQ room is
                        // buffer room: the semantic model's separate receive
                        // ring never binds.
                        self.alpc.enable(i, identity, 0, usize::MAX / 4);
                    }
                    regs::CTX_IDENTITY => {
                        c.identity = v;
                        self.alpc.set_identity(i, v);
                    }
                    regs::CTX_MEM_BASE_LO | regs::CTX_MEM_BASE_HI | regs::CTX_MEM_LAST_LO | regs::CTX_MEM_LAST_HI => {
                        match r {
                            regs::CTX_MEM_BASE_LO => c.mem_base = set_lo(c.mem_base, v),
                            regs::CTX_MEM_BASE_HI => c.mem_base = set_hi(c.mem_base, v),
                            regs::CTX_MEM_LAST_LO => c.mem_last = set_lo(c.mem_last, v),
                            _ => c.mem_last = set_hi(c.mem_last, v),
                        }
                        let (base, last) = (c.mem_base, c.mem_last);
                        self.alpc.sections_mut().set_window(i, base, last);
                    }
                    regs::CTX_IRQ_MOD => {
                        let count = v >> regs::IRQ_MOD_COUNT_SHIFT & regs::IRQ_MOD_COUNT_MASK;
                        let time = v >> regs::IRQ_MOD_TIME_SHIFT & regs::IRQ_MOD_TIME_MASK;
                        c.irq_mod = count << regs::IRQ_MOD_COUNT_SHIFT | time << regs::IRQ_MOD_TIME_SHIFT;
                    }
                    regs::CTX_SQ_HEAD | regs::CTX_CQ_TAIL | regs::CTX_CQ_RESERVED => {
                        return Err(RegError::ReadOnly(offset))
                    }
                    _ => return Err(RegError::Unmapped(offset)),
                }
            }
            Window::Doorbell(i) => match r {
                regs::DB_SQ_TAIL => self.ctxs[i].sq_tail = v as u16,
                regs::DB_CQ_HEAD => self.ctxs[i].cq_head = v as u16,
                _ => return Err(RegError::Unmapped(offset)),
            },
        }
        self.run();
        Ok(())
    }

    /// Tells the semantic model what the rings look like now: capacity
    /// from the ring size, entries the host has not consumed from the head
    /// doorbell.
    fn sync_rings(&mut self) {
        for (i, c) in self.ctxs.iter().enumerate() {
            let used = c.cq_tail.wrapping_sub(c.cq_head) & c.cq_mask();
            self.alpc.set_cq(i, c.cq_mask() as usize, used as usize);
        }
    }

    /// A context is served when it has a descriptor and a CQ slot that is
    /// neither used nor reserved.
    fn ready(&mut self, i: usize) -> bool {
        let c = &self.ctxs[i];
        let head = c.sq_head & c.sq_mask();
        if !(self.enable && c.enabled && head != c.sq_tail & c.sq_mask()) {
            return false;
        }
        self.sync_rings();
        self.alpc.cq_free(i) > 0
    }

    /// Runs descriptors, one per context in round-robin order, until no
    /// context can make progress (empty SQ, full CQ, or disabled).
    fn run(&mut self) {
        let n = self.ctxs.len();
        loop {
            let last = self.last_ctx;
            let next = (1..=n)
                .map(|k| (last + k) % n)
                .find(|&i| self.ready(i));
            let Some(i) = next else { return };
            self.last_ctx = i;
            self.step(i);
        }
    }

    /// Executes one descriptor of context `i` and posts its completion.
    fn step(&mut self, i: usize) {
        let c = self.ctxs[i].clone();
        let head = c.sq_head & c.sq_mask();
        // Fetch: four beats; a faulting beat reads as zeros.
        let mut raw = [0u8; DESC_SIZE];
        let mut fetch_err = false;
        let at = c.sq_base().wrapping_add((head as u64) * DESC_SIZE as u64);
        for (k, chunk) in raw.chunks_exact_mut(BEAT as usize).enumerate() {
            if self
                .mem
                .read(at.wrapping_add(k as u64 * BEAT), chunk)
                .is_err()
            {
                chunk.fill(0);
                fetch_err = true;
            }
        }
        let d = Descriptor::from_bytes(&raw);
        // A message's inline payload: from byte 32 of the descriptor on,
        // through as many SQ slots as it needs, wrapping at the ring's end.
        let flags_ok = Opcode::from_u8(d.opcode).is_some_and(|op| flags_allowed(op, d.flags));
        let inline = !fetch_err
            && d.reserved == 0
            && flags_ok
            && Opcode::from_u8(d.opcode).is_some_and(Opcode::carries_payload);
        let large = inline && d.flags & desc::DESC_FLAG_LARGE != 0;
        let message = inline && !large;
        let avail = c.sq_tail.wrapping_sub(head) & c.sq_mask();
        let bad_length = (message
            && (d.length > geometry::MAX_INLINE || inline_slots(d.length as usize) > avail as usize))
            || (large && (d.length == 0 || d.length > geometry::MAX_COPY_LEN));
        let mut slots = 1;
        let (mut payload, mut payload_err) = (Vec::new(), false);
        if message && !bad_length {
            slots = inline_slots(d.length as usize) as u16;
            let ring = (c.sq_mask() as u64 + 1) * DESC_SIZE as u64;
            let start = head as u64 * DESC_SIZE as u64 + DESC_EXTRA as u64;
            payload = vec![0; d.length as usize];
            let first = (ring - start).min(d.length as u64) as usize;
            let (a, b) = payload.split_at_mut(first);
            for (part, at) in [(a, c.sq_base().wrapping_add(start)), (b, c.sq_base())] {
                if !part.is_empty() && self.mem.read(at, part).is_err() {
                    part.fill(0);
                    payload_err = true;
                }
            }
        }
        let sq_next = head.wrapping_add(slots) & c.sq_mask();
        // Events for other contexts (and this one) come first, then the
        // descriptor's own completion if it completes now.
        let op = if bad_length { None } else { self.port_op(&d, fetch_err, payload) };
        let status = match op {
            Some(op) => {
                self.sync_rings();
                let (events, now) = self
                    .alpc
                    .submit_detailed(i, d.user_data, op)
                    .expect("ready() checked that the context can take a submission");
                self.pending_large = self.alpc.take_large();
                let status = if now { events.last().map_or(Status::Ok, |(_, e)| e.status) } else { Status::Ok };
                let n = events.len();
                for (k, (to, e)) in events.into_iter().enumerate() {
                    let own = now && k + 1 == n;
                    self.post(to, &e, own.then_some(sq_next), payload_err);
                }
                status
            }
            None => {
                let (status, result) =
                    if bad_length { (Status::BadLength, 0) } else { self.execute(i, &d, fetch_err) };
                let e = Event {
                    kind: EventKind::Done,
                    status,
                    user_data: d.user_data,
                    port: 0,
                    msg_id: 0,
                    identity: 0,
                    payload: Vec::new(),
                    view: None,
                };
                self.post_with_result(i, &e, Some(sq_next), result, false);
                status
            }
        };
        self.ctxs[i].sq_head = sq_next;
        self.completed = self.completed.wrapping_add(1);
        if status != Status::Ok {
            self.errors = self.errors.wrapping_add(1);
        }
    }

    /// Writes event `e` into context `to`'s completion ring. `own_sq_head`
    /// is the submitting context's new SQ head when `e` is the completion of
    /// the descriptor being consumed; other entries carry the receiving
    /// context's current SQ head.
    /// `payload_err`: the payload could not be read from the sender's SQ.
    fn post(&mut self, to: usize, e: &Event, own_sq_head: Option<u16>, payload_err: bool) {
        self.post_with_result(to, e, own_sq_head, e.payload.len() as u32, payload_err);
    }

    fn post_with_result(&mut self, to: usize, e: &Event, own_sq_head: Option<u16>, result: u32, payload_err: bool) {
        let c = &self.ctxs[to];
        let cq_tail = c.cq_tail & c.cq_mask();
        // The payload lands in the buffer of the slot the entry takes; a
        // payload the bus refused is reported to the receiver.
        let mut status = e.status;
        let (mut result, mut large) = (result, false);
        if let Some((src, rec)) = self.pending_large.filter(|(_, r)| e.view == Some(*r)) {
            // A large message: its bytes go into the posted buffer first.
            self.pending_large = None;
            large = true;
            result = rec.length;
            status = self.copy_bytes(src, rec.iova, rec.length);
        }
        let c = &self.ctxs[to];
        let mut rq_index = 0;
        if !e.payload.is_empty() {
            rq_index = cq_tail;
            let buf = c.cq_base()
                + (c.cq_mask() as u64 + 1) * CQE_SIZE as u64
                + cq_tail as u64 * RX_BUF_SIZE as u64;
            // Writes are strobed per byte: what is inside memory lands.
            let mut wrote = self.mem.write(buf, &e.payload).is_ok();
            if !wrote {
                wrote = true;
                for (k, b) in e.payload.iter().enumerate() {
                    wrote &= self.mem.write(buf.wrapping_add(k as u64), &[*b]).is_ok();
                }
            }
            if !wrote {
                status = Status::DmaWriteError;
            } else if payload_err {
                status = Status::DmaReadError;
            }
        }
        // A view's record goes to the end of the slot's receive buffer, before the entry.
        if let Some(v) = &e.view {
            let at = c.cq_base()
                + (c.cq_mask() as u64 + 1) * CQE_SIZE as u64
                + cq_tail as u64 * RX_BUF_SIZE as u64
                + desc::RX_VIEW_RECORD as u64;
            if self.mem.write(at, &v.to_bytes()).is_err() {
                status = Status::DmaWriteError;
            }
        }
        let c = &self.ctxs[to];
        let cpl = Completion {
            user_data: e.user_data,
            port: e.port,
            msg_id: e.msg_id,
            identity: e.identity,
            result,
            rq_index,
            sq_head: own_sq_head.unwrap_or(c.sq_head),
            kind: e.kind as u8,
            status: status as u8,
            phase: c.phase,
            view: e.view.is_some(),
            large,
        };
        // A completion that cannot be written is lost (the bus reported it);
        // the queue still advances so the engine never stalls on it.
        let _ = self.mem.write(
            c.cq_base().wrapping_add(cq_tail as u64 * CQE_SIZE as u64),
            &cpl.to_bytes(),
        );
        let cq_next = cq_tail.wrapping_add(1) & c.cq_mask();
        let (poll, vector) = (c.poll, c.vector);
        let ctx = &mut self.ctxs[to];
        ctx.cq_tail = cq_next;
        if cq_next == 0 {
            ctx.phase = !ctx.phase;
        }
        // The model has no clock, so moderation's timer cannot be modelled:
        // it signals every completion unless the context is polled. Tests
        // compare completions and memory, not interrupt timing.
        if !poll {
            self.irqs[vector as usize] += 1;
        }
    }

    /// The port operation a descriptor asks for, once the checks every
    /// descriptor goes through (fetch, opcode, reserved fields) passed.
    fn port_op(&self, d: &Descriptor, fetch_err: bool, payload: Vec<u8>) -> Option<Op> {
        let op = Opcode::from_u8(d.opcode)?;
        if fetch_err || !flags_allowed(op, d.flags) || d.reserved != 0 {
            return None;
        }
        let view = (d.flags & desc::DESC_FLAG_VIEW != 0).then_some(d.dst_addr as u32);
        let large = (d.flags & desc::DESC_FLAG_LARGE != 0).then_some((d.dst_addr, d.length));
        Some(match op {
            Opcode::Nop | Opcode::Copy => return None,
            Opcode::CreatePort => Op::CreatePort {
                name: d.arg(),
                max_msg: d.max_msg() as u32,
                backlog: d.backlog() as u32,
                restricted: d.flags & desc::DESC_FLAG_RESTRICTED != 0,
                window: d.window() as u32,
            },
            Opcode::Credit => Op::Credit { port: d.port(), count: d.arg() },
            Opcode::Allow => Op::Allow { port: d.port(), identity: d.arg() },
            Opcode::Connect => Op::Connect { name: d.arg(), payload },
            Opcode::Datagram => Op::Datagram { port: d.port(), payload, view, large },
            Opcode::Request => Op::Request { port: d.port(), payload, view, large },
            Opcode::PostBuffer => {
                Op::PostBuffer { port: d.port(), section: d.arg(), offset: d.dst_addr as u32, length: d.length }
            }
            Opcode::Reply => Op::Reply { port: d.port(), msg_id: d.arg(), payload, view },
            Opcode::SectionCreate => Op::SectionCreate { iova: d.src_addr, length: d.length, access: d.dst_addr },
            Opcode::SectionDelete => Op::SectionDelete { section: d.port() },
            Opcode::ViewCreate => Op::ViewCreate {
                port: d.port(),
                section: d.arg(),
                offset: d.dst_addr as u32,
                length: d.length,
                access: (d.dst_addr >> 32) as u32,
            },
            Opcode::ViewRevoke => Op::ViewRevoke { view: d.port() },
            Opcode::Cancel => Op::Cancel { port: d.port(), request: d.dst_addr },
            Opcode::Accept => Op::Accept { port: d.port(), client: d.arg(), port_context: d.dst_addr },
            Opcode::Reject => Op::Reject { port: d.port(), client: d.arg() },
            Opcode::Close => Op::Close { port: d.port() },
        })
    }

    /// The engine's checks, in the RTL's order, then the copy.
    fn execute(&mut self, ctx: usize, d: &Descriptor, fetch_err: bool) -> (Status, u32) {
        if fetch_err {
            return (Status::DmaReadError, 0);
        }
        let op = match Opcode::from_u8(d.opcode) {
            Some(op) => op,
            None => return (Status::BadOpcode, 0),
        };
        if !flags_allowed(op, d.flags) || d.reserved != 0 {
            return (Status::BadReserved, 0);
        }
        if op == Opcode::Nop {
            return (Status::Ok, 0);
        }
        if d.length > geometry::MAX_COPY_LEN {
            return (Status::BadLength, 0);
        }
        let len = d.length as u64;
        // Each side is a view reference or an address in the window.
        let mut addrs = [0u64; 2];
        let sides = [(d.src_addr, desc::DESC_FLAG_SRC_VIEW, access::READ), (d.dst_addr, desc::DESC_FLAG_DST_VIEW, access::WRITE)];
        for (k, (addr, flag, need)) in sides.into_iter().enumerate() {
            addrs[k] = if d.flags & flag != 0 {
                match self.alpc.sections().resolve(ctx, (addr >> 32) as u32, addr as u32, d.length, need) {
                    Ok(a) => a,
                    Err(s) => return (s, 0),
                }
            } else if crate::sections::in_window(self.alpc.sections().window(ctx), addr, len) {
                addr
            } else {
                return (Status::BadAddress, 0);
            };
        }
        let [src, dst] = addrs;
        if len == 0 {
            return (Status::Ok, 0);
        }
        match self.copy_bytes(src, dst, d.length) {
            Status::Ok => (Status::Ok, d.length),
            s => (s, 0),
        }
    }

    /// The copy datapath: `len` bytes from `src` to `dst`; DMA_WRITE_ERROR
    /// if a write was refused, else DMA_READ_ERROR if a read was, else OK.
    fn copy_bytes(&mut self, src: u64, dst: u64, len: u32) -> Status {
        let len = len as u64;
        // Reads are whole 16-byte beats; a faulting beat reads as zeros.
        let first = src & !(BEAT - 1);
        let lead = (src - first) as usize;
        let beats = (lead as u64 + len).div_ceil(BEAT);
        let mut data = vec![0u8; (beats * BEAT) as usize];
        let mut rd_err = false;
        for (k, chunk) in data.chunks_exact_mut(BEAT as usize).enumerate() {
            if self.mem.read(first + k as u64 * BEAT, chunk).is_err() {
                chunk.fill(0);
                rd_err = true;
            }
        }
        let bytes = &data[lead..lead + len as usize];
        // Writes are strobed per byte; bytes outside memory are dropped.
        let mut wr_err = false;
        if self.mem.write(dst, bytes).is_err() {
            for (k, b) in bytes.iter().enumerate() {
                if self.mem.write(dst + k as u64, &[*b]).is_err() {
                    wr_err = true;
                }
            }
        }
        if wr_err {
            Status::DmaWriteError
        } else if rd_err {
            Status::DmaReadError
        } else {
            Status::Ok
        }
    }
}

/// Whether `flags` are ones `op` takes (a message is large or carries a
/// view, not both).
fn flags_allowed(op: Opcode, flags: u8) -> bool {
    let both = desc::DESC_FLAG_VIEW | desc::DESC_FLAG_LARGE;
    flags & !op.allowed_flags() == 0 && flags & both != both
}

enum Window {
    Global,
    Ctx(usize),
    Doorbell(usize),
}
