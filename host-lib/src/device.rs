//! The device and its queue pairs.
//!
//! A *queue pair* is one hardware context: a submission ring (SQ) of 64-byte
//! descriptors and a completion ring (CQ) of 32-byte entries, each with a
//! 256-byte receive buffer for an event's payload, in DMA memory,
//! its configuration registers and its doorbell page. Submitting writes
//! descriptors into the SQ and rings the SQ tail doorbell once for the whole
//! batch; completions are found by polling the CQ for entries whose phase bit
//! matches the current pass, and the CQ head doorbell hands consumed slots
//! back to the device.

use crate::error::{Error, Result};
use crate::transport::{DmaBuffer, Transport, TransportError};
use alpc_contract::desc::{CQE_SIZE, CQ_INITIAL_PHASE, DESC_SIZE, RX_BUF_SIZE, RX_VIEW_RECORD, VREC_SIZE};
use alpc_contract::{bus, regs, Completion, Descriptor, ViewRecord};
use std::time::{Duration, Instant};

/// How long [`Device::destroy_queue`] waits for the engine to finish with
/// the context (a 1 MiB copy at PCIe latency takes about 1.2 ms).
pub const QUIESCE_TIMEOUT: Duration = Duration::from_millis(100);

/// A point in device time: the backend's clock cycles when it counts them
/// (a simulated device, whose time is not the host's), wall-clock time
/// otherwise. Timeouts are measured against it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DeviceClock {
    cycles: Option<u64>,
    at: Instant,
}

impl DeviceClock {
    /// Now, on `t`'s clock.
    pub(crate) fn start(t: &impl Transport) -> DeviceClock {
        DeviceClock { cycles: t.cycles(), at: Instant::now() }
    }

    /// Device time since `self`, read on `t`'s clock.
    pub(crate) fn elapsed(&self, t: &impl Transport) -> Duration {
        match (self.cycles, t.cycles()) {
            (Some(a), Some(b)) => Duration::from_nanos(b.saturating_sub(a) * 1000 / bus::CLOCK_MHZ),
            _ => self.at.elapsed(),
        }
    }
}

/// How a queue pair signals completions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interrupts {
    /// No interrupts: [`Device::wait`] polls the completion ring.
    Polled,
    /// MSI on `vector`, at most one per `count` completions, and at the
    /// latest `delay` after the first unsignalled one (`Duration::ZERO`: no
    /// timer). `count` 0 or 1 signals every completion.
    Msi {
        /// MSI vector.
        vector: u32,
        /// Count threshold.
        count: u8,
        /// Time threshold (rounded down to device clock cycles, at most
        /// 65535 of them).
        delay: Duration,
    },
}

/// Shape of a queue pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueConfig {
    /// Submission ring entries (power of two, 2..=32768).
    pub sq_entries: usize,
    /// Completion ring entries (power of two, 2..=32768).
    pub cq_entries: usize,
    /// Completion signalling.
    pub interrupts: Interrupts,
}

/// Handle of a queue pair created by [`Device::create_queue`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QueueId(usize);

impl QueueId {
    /// The hardware context behind the queue.
    pub fn context(self) -> usize {
        self.0
    }
}

struct Queue {
    sq: DmaBuffer,
    cq: DmaBuffer,
    sq_entries: u16,
    cq_entries: u16,
    sq_tail: u16,
    sq_head: u16,
    cq_head: u16,
    phase: bool,
    vector: Option<u32>,
}

/// A completion entry with what its receive buffer held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The entry.
    pub completion: Completion,
    /// The inline payload (`completion.result` bytes of an event).
    pub payload: Vec<u8>,
    /// The view record, for a message that carries a view.
    pub view: Option<ViewRecord>,
}

/// The accelerator, opened on a transport.
pub struct Device<T: Transport> {
    t: T,
    contexts: usize,
    queues: Vec<Option<Queue>>,
}

fn ring_log2(entries: usize) -> Result<u32> {
    if !entries.is_power_of_two()
        || entries < 2
        || entries.trailing_zeros() > alpc_contract::geometry::RING_LOG2_MAX
    {
        return Err(Error::BadRingSize(entries));
    }
    Ok(entries.trailing_zeros())
}

impl<T: Transport> Device<T> {
    /// Checks the device's identity and contract version, and enables its
    /// engine.
    pub fn open(mut t: T) -> Result<Device<T>> {
        let id = t.read32(regs::ID)?;
        if id != regs::ID_VALUE {
            return Err(Error::NotAnAccelerator(id));
        }
        let version = t.read32(regs::VERSION)?;
        let (major, minor) = ((version >> 16) as u16, version as u16);
        if major != regs::VERSION_MAJOR {
            return Err(Error::Version {
                device_major: major,
                device_minor: minor,
                lib_major: regs::VERSION_MAJOR,
            });
        }
        let contexts = (t.read32(regs::CAPS)? & 0xFFFF) as usize;
        t.write32(regs::CONTROL, regs::CONTROL_ENABLE)?;
        Ok(Device {
            t,
            contexts,
            queues: (0..contexts).map(|_| None).collect(),
        })
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.t
    }

    /// Gives the transport back (the device stays enabled).
    pub fn into_transport(self) -> T {
        self.t
    }

    /// The transport, mutable.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.t
    }

    /// Hardware contexts the device has.
    pub fn contexts(&self) -> usize {
        self.contexts
    }

    /// Creates a queue pair on the first free context, with an MSI per
    /// completion on the vector of the same number (modulo the vector count).
    pub fn create_queue(&mut self, sq_entries: usize, cq_entries: usize) -> Result<QueueId> {
        let ctx = self.free_context()?;
        let vector = ctx as u32 % self.t.vectors().max(1);
        let interrupts = Interrupts::Msi { vector, count: 1, delay: Duration::ZERO };
        self.create_claimed(ctx, QueueConfig { sq_entries, cq_entries, interrupts })
    }

    /// Creates a queue pair on the first free context.
    pub fn create_queue_with(&mut self, config: QueueConfig) -> Result<QueueId> {
        let ctx = self.free_context()?;
        self.create_claimed(ctx, config)
    }

    /// [`Device::create_queue_on`] a context [`Device::free_context`]
    /// returned: given back to a broker if the creation fails.
    fn create_claimed(&mut self, ctx: usize, config: QueueConfig) -> Result<QueueId> {
        let r = self.create_queue_on(ctx, config);
        if r.is_err() {
            if let Some(b) = self.t.broker() {
                b.release_context(ctx);
            }
        }
        r
    }

    /// A free context: the broker's choice when the device is reached
    /// through one (`alpcd`), else the first this handle has not used.
    fn free_context(&mut self) -> Result<usize> {
        if let Some(b) = self.t.broker() {
            let ctx = b.claim_context()?;
            if ctx >= self.contexts || self.queues[ctx].is_some() {
                b.release_context(ctx);
                return Err(Error::ContextUnavailable(ctx));
            }
            return Ok(ctx);
        }
        self.queues.iter().position(Option::is_none).ok_or(Error::NoContext(self.contexts))
    }

    /// Creates a queue pair on a given context.
    pub fn create_queue_on(&mut self, ctx: usize, config: QueueConfig) -> Result<QueueId> {
        let QueueConfig { sq_entries, cq_entries, interrupts } = config;
        if ctx >= self.contexts || self.queues[ctx].is_some() {
            return Err(Error::ContextUnavailable(ctx));
        }
        let (vector, control, moderation) = match interrupts {
            Interrupts::Polled => (None, regs::CTX_CONTROL_POLL, 0),
            Interrupts::Msi { vector, count, delay } => {
                if vector >= self.t.vectors() {
                    return Err(TransportError::BadVector(vector).into());
                }
                let cycles = (delay.as_nanos() as u64 * bus::CLOCK_MHZ / 1000).min(regs::IRQ_MOD_TIME_MASK as u64);
                let moderation =
                    (count as u32) << regs::IRQ_MOD_COUNT_SHIFT | (cycles as u32) << regs::IRQ_MOD_TIME_SHIFT;
                (Some(vector), vector << regs::CTX_CONTROL_VECTOR_SHIFT, moderation)
            }
        };
        let sq_log2 = ring_log2(sq_entries)?;
        let cq_log2 = ring_log2(cq_entries)?;
        let sq = self.t.alloc_dma(sq_entries * DESC_SIZE, 4096)?;
        // Each completion slot has its receive buffer, right after the ring.
        let cq = match self.t.alloc_dma(cq_entries * (CQE_SIZE + RX_BUF_SIZE), 4096) {
            Ok(cq) => cq,
            Err(e) => {
                self.t.free_dma(sq);
                return Err(e.into());
            }
        };
        let r = |reg| regs::ctx_cfg(ctx, reg);
        self.t.write32(r(regs::CTX_SQ_BASE_LO), sq.iova() as u32)?;
        self.t
            .write32(r(regs::CTX_SQ_BASE_HI), (sq.iova() >> 32) as u32)?;
        self.t.write32(r(regs::CTX_CQ_BASE_LO), cq.iova() as u32)?;
        self.t
            .write32(r(regs::CTX_CQ_BASE_HI), (cq.iova() >> 32) as u32)?;
        self.t.write32(
            r(regs::CTX_RING_CFG),
            sq_log2 << regs::RING_CFG_SQ_SHIFT | cq_log2 << regs::RING_CFG_CQ_SHIFT,
        )?;
        self.t.write32(r(regs::CTX_IRQ_MOD), moderation)?;
        // Writing CTX_CONTROL resets the context's queue state in hardware.
        self.t.write32(r(regs::CTX_CONTROL), regs::CTX_CONTROL_ENABLE | control)?;
        if let Some(v) = vector {
            self.t.wait_irq(v, Duration::ZERO)?; // forget stale interrupts
        }
        self.queues[ctx] = Some(Queue {
            sq,
            cq,
            sq_entries: sq_entries as u16,
            cq_entries: cq_entries as u16,
            sq_tail: 0,
            sq_head: 0,
            cq_head: 0,
            phase: CQ_INITIAL_PHASE,
            vector,
        });
        Ok(QueueId(ctx))
    }

    /// The IOVA of a queue's completion ring.
    pub fn cq_iova(&self, q: QueueId) -> Result<u64> {
        self.queues.get(q.0).and_then(Option::as_ref).map(|qu| qu.cq.iova()).ok_or(Error::BadQueue)
    }

    /// Disables the context and frees the rings.
    pub fn destroy_queue(&mut self, q: QueueId) -> Result<()> {
        self.release_queue(q, 0)
    }

    /// Tears the context down as its process died (a privileged act): the
    /// device closes every port the context owns (peers get PORT_CLOSED
    /// with status PEER_CLOSED, requests sent to it complete PEER_CLOSED,
    /// connects pending on its connection ports are refused), forgets its
    /// own requests and pending connects; then the rings are freed.
    pub fn teardown_queue(&mut self, q: QueueId) -> Result<()> {
        self.release_queue(q, regs::CTX_CONTROL_TEARDOWN)
    }

    fn release_queue(&mut self, q: QueueId, control_bits: u32) -> Result<()> {
        if self.queues.get(q.0).and_then(Option::as_ref).is_none() {
            return Err(Error::BadQueue);
        }
        let control = regs::ctx_cfg(q.0, regs::CTX_CONTROL);
        self.t.write32(control, control_bits)?;
        // The engine may be in the middle of one of this context's
        // descriptors, or tearing it down: its rings stay allocated until
        // it has finished.
        let start = DeviceClock::start(&self.t);
        while self.t.read32(control)? & (regs::CTX_CONTROL_ACTIVE | regs::CTX_CONTROL_TEARDOWN) != 0 {
            if start.elapsed(&self.t) > QUIESCE_TIMEOUT {
                return Err(Error::Quiesce(q.0));
            }
            self.t.relax();
        }
        let queue = self.queues[q.0].take().unwrap();
        self.t.free_dma(queue.sq);
        self.t.free_dma(queue.cq);
        if let Some(b) = self.t.broker() {
            // The broker tears it down again (its ports close) before
            // another process may have it.
            b.release_context(q.0);
        }
        Ok(())
    }

    fn queue(&mut self, q: QueueId) -> Result<&mut Queue> {
        self.queues
            .get_mut(q.0)
            .and_then(Option::as_mut)
            .ok_or(Error::BadQueue)
    }

    /// Allocates zeroed DMA memory (64-byte aligned).
    pub fn alloc(&mut self, len: usize) -> Result<DmaBuffer> {
        Ok(self.t.alloc_dma(len, 64)?)
    }

    /// Frees DMA memory.
    pub fn free(&mut self, buf: DmaBuffer) {
        self.t.free_dma(buf)
    }

    /// Writes into DMA memory.
    pub fn write(&mut self, buf: &DmaBuffer, offset: usize, data: &[u8]) -> Result<()> {
        Ok(self.t.dma_write(buf, offset, data)?)
    }

    /// Reads from DMA memory.
    pub fn read(&mut self, buf: &DmaBuffer, offset: usize, out: &mut [u8]) -> Result<()> {
        Ok(self.t.dma_read(buf, offset, out)?)
    }

    /// Free submission slots (a ring of E entries holds E-1 descriptors).
    pub fn sq_free(&self, q: QueueId) -> usize {
        match self.queues.get(q.0).and_then(Option::as_ref) {
            Some(qu) => {
                let used = qu.sq_tail.wrapping_sub(qu.sq_head) & (qu.sq_entries - 1);
                (qu.sq_entries - 1 - used) as usize
            }
            None => 0,
        }
    }

    /// Submits descriptors with one doorbell write. All or nothing: if the
    /// SQ lacks room for the whole batch, nothing is written.
    pub fn submit(&mut self, q: QueueId, descs: &[Descriptor]) -> Result<()> {
        let slots: Vec<_> = descs.iter().map(Descriptor::to_bytes).collect();
        self.submit_slots(q, &slots)
    }

    /// Submits messages, each a descriptor and its inline payload (the
    /// descriptor's `length` must be the payload's), with one doorbell write.
    pub fn submit_messages(&mut self, q: QueueId, msgs: &[(Descriptor, &[u8])]) -> Result<()> {
        let slots: Vec<_> = msgs.iter().flat_map(|(d, p)| d.with_payload(p)).collect();
        self.submit_slots(q, &slots)
    }

    /// Writes raw SQ slots (descriptors and payload continuations) and rings
    /// the doorbell once. All or nothing.
    pub fn submit_slots(&mut self, q: QueueId, slots: &[[u8; DESC_SIZE]]) -> Result<()> {
        let mut free = self.sq_free(q);
        if slots.len() > free {
            // Descriptors that complete late (a CONNECT, a REQUEST) free
            // their slots before any completion says so: ask the device.
            let head = self.t.read32(regs::ctx_cfg(q.0, regs::CTX_SQ_HEAD))?;
            self.queue(q)?.sq_head = head as u16;
            free = self.sq_free(q);
        }
        if slots.len() > free {
            return Err(Error::QueueFull {
                free,
                wanted: slots.len(),
            });
        }
        if slots.is_empty() {
            return Ok(());
        }
        let qu = self.queues[q.0].as_mut().unwrap();
        let (sq, entries, mut tail) = (
            DmaBuffer::new(qu.sq.iova(), qu.sq.len()),
            qu.sq_entries,
            qu.sq_tail,
        );
        for slot in slots {
            self.t.dma_write(&sq, tail as usize * DESC_SIZE, slot)?;
            tail = (tail + 1) & (entries - 1);
        }
        self.queue(q)?.sq_tail = tail;
        self.t
            .write32(regs::doorbell(q.0, regs::DB_SQ_TAIL), tail as u32)?;
        Ok(())
    }

    /// Takes every completion already posted, in order, and returns their
    /// slots to the device with one CQ head doorbell. Never blocks.
    pub fn poll(&mut self, q: QueueId, out: &mut Vec<Completion>) -> Result<usize> {
        let mut all = Vec::new();
        let n = self.poll_messages(q, &mut all)?;
        out.extend(all.into_iter().map(|(c, _)| c));
        Ok(n)
    }

    /// [`Device::poll`], also copying each event's payload out of its
    /// receive buffer before the slot goes back to the device.
    pub fn poll_messages(&mut self, q: QueueId, out: &mut Vec<(Completion, Vec<u8>)>) -> Result<usize> {
        let mut all = Vec::new();
        let n = self.poll_events(q, &mut all)?;
        out.extend(all.into_iter().map(|r| (r.completion, r.payload)));
        Ok(n)
    }

    /// [`Device::poll_messages`], also reading the view record of each
    /// message that carries a view.
    pub fn poll_events(&mut self, q: QueueId, out: &mut Vec<Received>) -> Result<usize> {
        let qu = self
            .queues
            .get(q.0)
            .and_then(Option::as_ref)
            .ok_or(Error::BadQueue)?;
        let cq = DmaBuffer::new(qu.cq.iova(), qu.cq.len());
        let (entries, mut head, mut phase, mut sq_head) =
            (qu.cq_entries, qu.cq_head, qu.phase, qu.sq_head);
        let mut n = 0;
        loop {
            let mut b = [0u8; CQE_SIZE];
            self.t.dma_read(&cq, head as usize * CQE_SIZE, &mut b)?;
            let c = Completion::from_bytes(&b);
            if c.phase != phase {
                break;
            }
            sq_head = c.sq_head;
            // The event's receive buffer is its own slot's.
            let buf = entries as usize * CQE_SIZE + head as usize * RX_BUF_SIZE;
            let mut payload = Vec::new();
            // (A large message's bytes are in its posted buffer, not here.)
            if c.kind != alpc_contract::EventKind::Done as u8 && c.result != 0 && !c.large {
                payload = vec![0; (c.result as usize).min(RX_BUF_SIZE)];
                self.t.dma_read(&cq, buf, &mut payload)?;
            }
            let mut view = None;
            if c.view {
                let mut r = [0u8; VREC_SIZE];
                self.t.dma_read(&cq, buf + RX_VIEW_RECORD, &mut r)?;
                view = Some(ViewRecord::from_bytes(&r));
            }
            out.push(Received { completion: c, payload, view });
            n += 1;
            head = (head + 1) & (entries - 1);
            if head == 0 {
                phase = !phase;
            }
        }
        if n > 0 {
            let qu = self.queue(q)?;
            qu.cq_head = head;
            qu.phase = phase;
            qu.sq_head = sq_head;
            self.t
                .write32(regs::doorbell(q.0, regs::DB_CQ_HEAD), head as u32)?;
        }
        Ok(n)
    }

    /// Waits (on the queue's interrupt, polling as interrupts arrive; or
    /// polling alone for a polled queue) until `n` completions have been
    /// taken or `timeout` passes. On a simulated device the timeout is
    /// simulated time.
    pub fn wait(&mut self, q: QueueId, n: usize, timeout: Duration) -> Result<Vec<Completion>> {
        let vector = self.queue(q)?.vector;
        let mut out = Vec::with_capacity(n);
        let start = DeviceClock::start(&self.t);
        loop {
            self.poll(q, &mut out)?;
            if out.len() >= n {
                return Ok(out);
            }
            let spent = start.elapsed(&self.t);
            if spent >= timeout {
                return Err(Error::Timeout {
                    wanted: n,
                    got: out.len(),
                });
            }
            match vector {
                Some(v) => {
                    self.t.wait_irq(v, timeout - spent)?;
                }
                None => self.t.relax(),
            }
        }
    }
}
