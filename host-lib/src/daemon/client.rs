//! [`DaemonTransport`]: a process's side of the broker. Register accesses
//! that set things up go to `alpcd` over the socket; doorbells go to the
//! shared doorbell page; DMA memory is the process's own shared memory,
//! read and written in place; interrupts arrive on notification sockets.

use super::unix::{self, Mapping, Seqpacket};
use super::{doorbell_slot, Hello, Reply, Request, DB_MAX_CONTEXTS, DB_SLEEPING, DOORBELL_PAGE};
use crate::transport::{Broker, Credentials, DmaBuffer, Transport, TransportError};
use alpc_contract::regs;
use alpc_iova::IovaAllocator;
use std::collections::HashMap;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{fence, Ordering};
use std::time::Duration;

/// The broker's socket: `$ALPCD_SOCKET`, else [`super::DEFAULT_SOCKET`].
pub fn default_socket() -> PathBuf {
    std::env::var_os("ALPCD_SOCKET").map(PathBuf::from).unwrap_or_else(|| super::DEFAULT_SOCKET.into())
}

/// How long a request to the broker may take before the broker is taken
/// for dead (it answers within microseconds unless it is stuck).
pub const BROKER_TIMEOUT: Duration = Duration::from_secs(10);

/// The device as a process sees it through `alpcd`.
pub struct DaemonTransport {
    sock: Seqpacket,
    path: PathBuf,
    hello: Hello,
    memory: Mapping,
    doorbells: Mapping,
    kick: OwnedFd,
    /// Hands out the process's DMA memory.
    iovas: IovaAllocator,
    /// Claimed contexts and their interrupt channels (readable when the
    /// context's vector fired).
    contexts: HashMap<usize, OwnedFd>,
}

fn broker_err(e: impl std::fmt::Display) -> TransportError {
    TransportError::Broker(e.to_string())
}

impl DaemonTransport {
    /// Connects to the broker listening at `path`.
    pub fn connect(path: &Path) -> Result<DaemonTransport, TransportError> {
        let sock = Seqpacket::connect(path).map_err(|e| broker_err(format!("cannot connect to {}: {e}", path.display())))?;
        let (m, fds) = sock.recv(Some(BROKER_TIMEOUT)).map_err(broker_err)?;
        if m.is_empty() {
            return Err(broker_err("the broker closed the connection (too many processes?)"));
        }
        let hello = Hello::decode(&m).map_err(broker_err)?;
        let [memory, doorbells, kick]: [OwnedFd; 3] =
            fds.try_into().map_err(|_| broker_err("the greeting lacks its three descriptors"))?;
        let memory = Mapping::new(memory.as_fd(), hello.memory_len as usize).map_err(broker_err)?;
        let doorbells = Mapping::new(doorbells.as_fd(), DOORBELL_PAGE).map_err(broker_err)?;
        let end = hello.memory_iova + hello.memory_len;
        Ok(DaemonTransport {
            sock,
            path: path.to_path_buf(),
            iovas: IovaAllocator::new(hello.memory_iova, end, 64),
            hello,
            memory,
            doorbells,
            kick,
            contexts: HashMap::new(),
        })
    }

    /// What the broker said when this process connected.
    pub fn hello(&self) -> &Hello {
        &self.hello
    }

    fn call(&mut self, r: Request) -> Result<[u64; 3], TransportError> {
        self.call_with_fds(r).map(|(v, _)| v)
    }

    fn call_with_fds(&mut self, r: Request) -> Result<([u64; 3], Vec<OwnedFd>), TransportError> {
        self.sock.send(&r.encode(), &[]).map_err(|e| broker_err(format!("the broker is gone: {e}")))?;
        let (m, fds) = self.sock.recv(Some(BROKER_TIMEOUT)).map_err(broker_err)?;
        if m.is_empty() {
            return Err(broker_err("the broker is gone"));
        }
        let reply = Reply::decode(&m).ok_or_else(|| broker_err("malformed answer"))?;
        reply.result.map(|v| (v, fds)).map_err(TransportError::Broker)
    }

    /// The doorbell register `offset` is, if it is one of a claimed
    /// context: its slot in the doorbell page.
    fn doorbell(&self, offset: u64) -> Option<usize> {
        let rel = offset.checked_sub(regs::DOORBELL_BASE)?;
        let ctx = (rel / regs::DOORBELL_STRIDE) as usize;
        let reg = rel % regs::DOORBELL_STRIDE;
        (ctx < DB_MAX_CONTEXTS && (reg == regs::DB_SQ_TAIL || reg == regs::DB_CQ_HEAD))
            .then(|| doorbell_slot(ctx, reg))
            .filter(|_| self.contexts.contains_key(&ctx))
    }

    fn memory_offset(&self, buf: &DmaBuffer, offset: usize, n: usize) -> Result<usize, TransportError> {
        buf.check(offset, n)?;
        let foreign = || {
            TransportError::Dma(format!(
                "IOVA {:#x} is not this process's memory (another process's view is used through the device, \
                 e.g. copy_from_view; it is not mapped here)",
                buf.iova() + offset as u64
            ))
        };
        let start = buf.iova().checked_sub(self.hello.memory_iova).ok_or_else(foreign)?;
        let at = (start as usize).checked_add(offset).ok_or_else(foreign)?;
        if at.checked_add(n).is_none_or(|end| end > self.memory.len()) {
            return Err(foreign());
        }
        Ok(at)
    }

    fn irq_eventfd(&self, vector: u32) -> Option<BorrowedFd<'_>> {
        let v = self.hello.vectors.max(1) as usize;
        self.contexts.iter().find(|(ctx, _)| *ctx % v == vector as usize).map(|(_, fd)| fd.as_fd())
    }
}

impl Transport for DaemonTransport {
    fn read32(&mut self, offset: u64) -> Result<u32, TransportError> {
        if let Some(slot) = self.doorbell(offset) {
            return Ok(self.doorbells.word(slot).load(Ordering::Acquire));
        }
        Ok(self.call(Request::Read32 { offset })?[0] as u32)
    }

    fn write32(&mut self, offset: u64, value: u32) -> Result<(), TransportError> {
        match self.doorbell(offset) {
            Some(slot) => {
                // The descriptors (or consumed entries) before the doorbell.
                self.doorbells.word(slot).store(value, Ordering::Release);
                // Then look whether the device loop sleeps; it sets the
                // flag before its last look at the doorbells (the same
                // order, seen from its side), so one of us sees the other.
                fence(Ordering::SeqCst);
                if self.doorbells.word(DB_SLEEPING).load(Ordering::Relaxed) != 0 {
                    unix::notify(self.kick.as_fd());
                }
                Ok(())
            }
            None => self.call(Request::Write32 { offset, value }).map(drop),
        }
    }

    fn alloc_dma(&mut self, len: usize, align: usize) -> Result<DmaBuffer, TransportError> {
        let iova = self
            .iovas
            .alloc(len.max(1) as u64, align.max(1) as u64)
            .ok_or_else(|| TransportError::Dma(format!("this process's {} MiB of DMA memory is used up", self.hello.memory_len >> 20)))?;
        let buf = DmaBuffer::new(iova, len);
        let at = self.memory_offset(&buf, 0, len)?;
        self.memory.zero(at, len);
        Ok(buf)
    }

    fn free_dma(&mut self, buf: DmaBuffer) {
        self.iovas.free(buf.iova(), buf.len().max(1) as u64);
    }

    fn dma_read(&mut self, buf: &DmaBuffer, offset: usize, out: &mut [u8]) -> Result<(), TransportError> {
        let at = self.memory_offset(buf, offset, out.len())?;
        // The device's writes (through the broker's mapping) come before
        // the completion's phase bit the caller is about to look at.
        fence(Ordering::Acquire);
        self.memory.read(at, out);
        Ok(())
    }

    fn dma_write(&mut self, buf: &DmaBuffer, offset: usize, data: &[u8]) -> Result<(), TransportError> {
        let at = self.memory_offset(buf, offset, data.len())?;
        self.memory.write(at, data);
        fence(Ordering::Release);
        Ok(())
    }

    fn wait_irq(&mut self, vector: u32, timeout: Duration) -> Result<u64, TransportError> {
        let fd = self.irq_eventfd(vector).ok_or(TransportError::BadVector(vector))?;
        let n = unix::drain(fd);
        if n > 0 || timeout.is_zero() {
            return Ok(n);
        }
        unix::poll_readable(&[fd], Some(timeout)).map_err(broker_err)?;
        Ok(unix::drain(fd))
    }

    fn irq_fd(&self, vector: u32) -> Option<BorrowedFd<'_>> {
        self.irq_eventfd(vector)
    }

    fn relax(&mut self) {
        // The device runs in the broker's process: give it the CPU.
        std::thread::yield_now();
    }

    fn vectors(&self) -> u32 {
        self.hello.vectors
    }

    fn cycles(&self) -> Option<u64> {
        None
    }

    fn describe(&self) -> String {
        format!("alpcd at {} ({})", self.path.display(), self.hello.device)
    }

    fn broker(&mut self) -> Option<&mut dyn Broker> {
        Some(self)
    }
}

impl Broker for DaemonTransport {
    fn claim_context(&mut self) -> Result<usize, TransportError> {
        let (v, fds) = self.call_with_fds(Request::Claim)?;
        let ctx = v[0] as usize;
        let irq = fds.into_iter().next().ok_or_else(|| broker_err("no interrupt channel with the context"))?;
        self.contexts.insert(ctx, irq);
        Ok(ctx)
    }

    fn release_context(&mut self, ctx: usize) {
        if self.contexts.remove(&ctx).is_some() {
            // A broker that is gone has released it already.
            let _ = self.call(Request::Release { ctx });
        }
    }

    fn identity(&self) -> u32 {
        self.hello.identity
    }

    fn credentials(&mut self, identity: u32) -> Result<Option<Credentials>, TransportError> {
        let [found, ugid, pid] = self.call(Request::Credentials { identity })?;
        Ok((found != 0).then_some(Credentials { uid: ugid as u32, gid: (ugid >> 32) as u32, pid: pid as u32 }))
    }
}

impl crate::Device<DaemonTransport> {
    /// The device `alpcd` owns, reached through its socket at `path`
    /// ([`default_socket`] is where it listens by default).
    pub fn connect_daemon(path: impl AsRef<Path>) -> crate::Result<Self> {
        crate::Device::open(DaemonTransport::connect(path.as_ref())?)
    }
}

impl crate::SharedDevice<DaemonTransport> {
    /// The device `alpcd` owns, shared by this process's threads: every
    /// context it makes is the broker's, with the identity the kernel
    /// vouched for.
    pub fn connect_daemon(path: impl AsRef<Path>) -> crate::Result<Self> {
        Ok(crate::SharedDevice::new(crate::Device::connect_daemon(path)?))
    }
}
