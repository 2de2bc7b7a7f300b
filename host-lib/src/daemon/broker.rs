//! The broker's side: owns the device, gives each connecting process an
//! identity, memory, contexts and a doorbell page, checks what it asks for,
//! runs the device loop, and tears a process's contexts down when its
//! socket closes. See the module documentation of [`crate::daemon`].

use super::unix::{self, Listener, Mapping, PeerCred, Seqpacket};
use super::{doorbell_slot, Hello, Reply, Request, DB_MAX_CONTEXTS, DB_SLEEPING, DOORBELL_PAGE};
use crate::transport::{Credentials, Transport};
use alpc_contract::desc::{CQE_SIZE, DESC_SIZE, RX_BUF_SIZE};
use alpc_contract::regs;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::PathBuf;
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How the broker runs.
#[derive(Clone, Debug)]
pub struct BrokerConfig {
    /// Where it listens.
    pub socket: PathBuf,
    /// The socket file's permission bits: who may connect (see
    /// `docs/daemon.md`).
    pub mode: u32,
    /// DMA memory each process gets (bytes, a multiple of 4 KiB).
    pub memory_per_process: usize,
    /// Processes connected at once; more are turned away.
    pub max_processes: usize,
    /// Contexts one process may claim (all of them by default: one user
    /// can then take every context; see `docs/daemon.md`).
    pub max_contexts_per_process: usize,
}

impl Default for BrokerConfig {
    fn default() -> Self {
        BrokerConfig {
            socket: super::client::default_socket(),
            mode: 0o660,
            memory_per_process: 256 << 20,
            max_processes: 256,
            max_contexts_per_process: usize::MAX,
        }
    }
}

/// Why the broker could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The device did not open.
    #[error("device: {0}")]
    Device(#[from] crate::Error),
    /// The socket could not be set up.
    #[error("socket {path}: {source}")]
    Socket {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Device cycles the loop runs between looks at the doorbells (through
/// `Transport::relax`, 8 cycles each on the simulated device).
const RELAXES_PER_TURN: usize = 4;
/// Device cycles with no doorbell, and an idle engine, before the loop
/// sleeps: longer than the longest interrupt moderation timer (65535
/// cycles), so a pending timer still fires.
const IDLE_CYCLES: u64 = 70_000;
/// Turns before sleeping on a device without a cycle count (the model, a
/// board).
const IDLE_TURNS: u64 = 64;
/// Longest sleep of the loop (it also wakes on every doorbell of a process
/// and on every request).
const SLEEP: Duration = Duration::from_millis(50);
/// How long a teardown may take before the context is retired for good.
const TEARDOWN_TIMEOUT: Duration = Duration::from_secs(5);
/// `CTX_CONTROL` bits that say the engine is still at work on a context.
const ENGINE_AT_WORK: u32 = regs::CTX_CONTROL_ACTIVE | regs::CTX_CONTROL_TEARDOWN;
/// Ended processes whose credentials are still answered for.
const CREDENTIAL_HISTORY: usize = 4096;

struct Session {
    identity: u32,
    memory_iova: u64,
    memory_len: u64,
    doorbells: Arc<Mapping>,
    kick: Arc<OwnedFd>,
    /// Claimed contexts and the broker's end of their interrupt channels.
    irqs: HashMap<usize, OwnedFd>,
    /// A context of this process was retired: its memory stays mapped.
    retired: bool,
}

/// Ring registers as the process last wrote them, checked and written to
/// the device when it enables the context.
#[derive(Clone, Copy, Default)]
struct Rings {
    sq: u64,
    cq: u64,
    cfg: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    Free,
    Session(u64),
    /// A teardown that never finished: the engine may still write the
    /// memory, so the context and its memory stay out of use.
    Retired,
}

struct State<T: Transport> {
    t: T,
    device: String,
    vectors: u32,
    owner: Vec<Owner>,
    rings: Vec<Rings>,
    /// Doorbell values last forwarded, per context (SQ tail, CQ head).
    forwarded: Vec<(u32, u32)>,
    sessions: HashMap<u64, Session>,
    next_session: u64,
    next_identity: u32,
    credentials: BTreeMap<u32, Credentials>,
    /// Identities of ended sessions, oldest first.
    ended: VecDeque<u32>,
    /// Contexts one process may have.
    max_contexts: usize,
}

struct Shared<T: Transport> {
    state: Mutex<State<T>>,
    /// Session threads waiting for the lock: the device loop steps aside.
    waiting: AtomicUsize,
    stop: Arc<AtomicBool>,
    /// Wakes the device loop.
    wake: OwnedFd,
}

impl<T: Transport> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let g = self.state.lock().unwrap_or_else(|p| p.into_inner());
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        g
    }
}

/// Runs the broker on device `t` until `stop` is set (or the socket fails).
/// The socket file is created (an old one removed) and removed at the end.
pub fn serve<T: Transport + Send + 'static>(t: T, config: &BrokerConfig, stop: Arc<AtomicBool>) -> Result<(), BrokerError> {
    let sock_err = |source| BrokerError::Socket { path: config.socket.clone(), source };
    let dev = crate::Device::open(t)?;
    let contexts = dev.contexts().min(DB_MAX_CONTEXTS);
    let t = dev.into_transport();
    let vectors = t.vectors();
    let device = t.describe();
    let _ = std::fs::remove_file(&config.socket);
    let listener = Listener::bind(&config.socket, config.mode).map_err(sock_err)?;
    let mut state = State {
        t,
        device,
        vectors,
        owner: vec![Owner::Free; contexts],
        rings: vec![Rings::default(); contexts],
        forwarded: vec![(0, 0); contexts],
        sessions: HashMap::new(),
        next_session: 1,
        next_identity: 1,
        credentials: BTreeMap::new(),
        ended: VecDeque::new(),
        max_contexts: config.max_contexts_per_process,
    };
    // Nothing of a previous owner (a broker that crashed, another program)
    // survives: every context is torn down and cleared before anyone
    // connects.
    // First every context disabled with no rings and no window (a teardown
    // below posts notices into its peers' rings), then each torn down.
    for ctx in 0..contexts {
        let c = |reg| regs::ctx_cfg(ctx, reg);
        let _ = state.t.write32(c(regs::CTX_CONTROL), 0);
        let _ = write_rings(&mut state, ctx, Rings::default());
        let _ = state.t.write32(c(regs::CTX_MEM_BASE_HI), u32::MAX);
        let _ = state.t.write32(c(regs::CTX_MEM_LAST_HI), 0);
    }
    for ctx in 0..contexts {
        if !reset_context(&mut state, ctx) {
            eprintln!("alpcd: context {ctx} did not finish its teardown: retired");
            state.owner[ctx] = Owner::Retired;
        }
    }
    let shared = Arc::new(Shared {
        state: Mutex::new(state),
        waiting: AtomicUsize::new(0),
        stop: stop.clone(),
        wake: unix::eventfd().map_err(sock_err)?,
    });
    let device_loop = {
        let s = shared.clone();
        std::thread::Builder::new().name("alpcd-device".into()).spawn(move || run_device(&s)).expect("thread")
    };
    // Each session's thread and socket (kept here from the accept on, so a
    // stop reaches sessions still in their greeting too).
    let mut sessions: Vec<(std::thread::JoinHandle<()>, Arc<Seqpacket>)> = Vec::new();
    let mut result = Ok(());
    while !stop.load(Ordering::SeqCst) {
        match unix::poll_readable(&[listener.as_fd()], Some(Duration::from_millis(100))) {
            Ok(ready) if ready.is_empty() => continue,
            Ok(_) => {}
            Err(e) => {
                result = Err(sock_err(e));
                break;
            }
        }
        let sock = match listener.accept() {
            Ok(s) => Arc::new(s),
            Err(e) => {
                eprintln!("alpcd: accept: {e}");
                continue;
            }
        };
        let (s, theirs) = (shared.clone(), sock.clone());
        let max = config.max_processes;
        let mem = config.memory_per_process;
        sessions.retain(|(h, _)| !h.is_finished());
        sessions.push((std::thread::spawn(move || run_session(&s, theirs, mem, max)), sock));
    }
    // Stop: every session's socket is shut down, so its thread tears its
    // contexts down and ends; then the device loop.
    shared.stop.store(true, Ordering::SeqCst);
    for (_, sock) in &sessions {
        sock.shutdown();
    }
    for (h, _) in sessions {
        let _ = h.join();
    }
    unix::eventfd_signal(shared.wake.as_fd(), 1);
    let _ = device_loop.join();
    let _ = std::fs::remove_file(&config.socket);
    result
}

/// One process, from its greeting to the teardown of its contexts.
fn run_session<T: Transport>(shared: &Shared<T>, sock: Arc<Seqpacket>, memory_len: usize, max: usize) {
    let cred = match sock.peer_cred() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("alpcd: SO_PEERCRED: {e}");
            return;
        }
    };
    let id = match open_session(shared, &sock, cred, memory_len, max) {
        Ok(id) => id,
        Err(e) => {
            eprintln!("alpcd: pid {} (uid {}) turned away: {e}", cred.pid, cred.uid);
            return;
        }
    };
    loop {
        let (m, _fds) = match sock.recv(None) {
            Ok(x) => x,
            Err(_) => break,
        };
        if m.is_empty() {
            break; // the process closed its socket: exited, or was killed
        }
        let (reply, fd) = match Request::decode(&m) {
            Some(r) => handle(shared, id, r),
            None => (Reply::refused("malformed request"), None),
        };
        unix::eventfd_signal(shared.wake.as_fd(), 1);
        let fds: Vec<BorrowedFd<'_>> = fd.iter().map(|f| f.as_fd()).collect();
        if sock.send(&reply.encode(), &fds).is_err() {
            break;
        }
    }
    close_session(shared, id);
    unix::eventfd_signal(shared.wake.as_fd(), 1);
}

fn open_session<T: Transport>(
    shared: &Shared<T>,
    sock: &Arc<Seqpacket>,
    cred: PeerCred,
    memory_len: usize,
    max: usize,
) -> Result<u64, String> {
    let memory_fd = unix::sealed_memfd("alpcd-dma", memory_len).map_err(|e| e.to_string())?;
    let memory = Arc::new(Mapping::new(memory_fd.as_fd(), memory_len).map_err(|e| e.to_string())?);
    let doorbell_fd = unix::sealed_memfd("alpcd-doorbells", DOORBELL_PAGE).map_err(|e| e.to_string())?;
    let doorbells = Arc::new(Mapping::new(doorbell_fd.as_fd(), DOORBELL_PAGE).map_err(|e| e.to_string())?);
    let (kick, kick_theirs) = unix::notify_pair().map_err(|e| e.to_string())?;
    let kick = Arc::new(kick);
    let mut st = shared.lock();
    if st.sessions.len() >= max {
        return Err(format!("{max} processes connected already"));
    }
    // Identities are never reused while the broker runs (an access list or
    // a server may still name an old one).
    let identity = st.next_identity;
    if identity == u32::MAX {
        return Err("identities exhausted: restart alpcd".into());
    }
    let memory_iova = st.t.map_shared(memory).map_err(|e| e.to_string())?;
    // Ring registers are written half by half: the high half must be the
    // same all over the process's memory.
    if memory_iova >> 32 != (memory_iova + memory_len as u64 - 1) >> 32 {
        st.t.unmap_shared(memory_iova);
        return Err(format!("the device mapped the memory across a 4 GiB boundary ({memory_iova:#x})"));
    }
    st.next_identity += 1;
    let id = st.next_session;
    st.next_session += 1;
    let hello = Hello {
        contexts: st.owner.len() as u32,
        vectors: st.vectors,
        identity,
        memory_iova,
        memory_len: memory_len as u64,
        device: st.device.clone(),
    };
    if let Err(e) = sock.send(&hello.encode(), &[memory_fd.as_fd(), doorbell_fd.as_fd(), kick_theirs.as_fd()]) {
        st.t.unmap_shared(memory_iova);
        return Err(e.to_string());
    }
    st.credentials.insert(identity, Credentials { uid: cred.uid, gid: cred.gid, pid: cred.pid });
    st.sessions.insert(
        id,
        Session {
            identity,
            memory_iova,
            memory_len: memory_len as u64,
            doorbells,
            kick,
            irqs: HashMap::new(),
            retired: false,
        },
    );
    Ok(id)
}

/// The context `offset` belongs to, and the register inside its
/// configuration block, if it is in one.
fn ctx_register(offset: u64, contexts: usize) -> Option<(usize, u64)> {
    let rel = offset.checked_sub(regs::CTX_CFG_BASE)?;
    let ctx = (rel / regs::CTX_CFG_STRIDE) as usize;
    (ctx < contexts).then_some((ctx, rel % regs::CTX_CFG_STRIDE))
}

fn handle<T: Transport>(shared: &Shared<T>, id: u64, r: Request) -> (Reply, Option<OwnedFd>) {
    let mut st = shared.lock();
    let st = &mut *st;
    let contexts = st.owner.len();
    let own = |st: &State<T>, ctx: usize| st.owner[ctx] == Owner::Session(id);
    let io = |e: crate::TransportError| Reply::refused(e.to_string());
    let reply = match r {
        Request::Read32 { offset } => match ctx_register(offset, contexts) {
            Some((ctx, _)) if !own(st, ctx) => Reply::refused(format!("context {ctx} belongs to another process")),
            None if offset >= regs::CTX_CFG_BASE => Reply::refused(format!("offset {offset:#x} is not for processes")),
            _ => st.t.read32(offset).map(|v| Reply::ok([v as u64, 0, 0])).unwrap_or_else(io),
        },
        Request::Write32 { offset, value } => {
            if offset == regs::CONTROL && value == regs::CONTROL_ENABLE {
                Reply::ok([0; 3]) // the broker enabled the device
            } else {
                match ctx_register(offset, contexts) {
                    Some((ctx, reg)) if own(st, ctx) => write_ctx(st, id, ctx, reg, value),
                    Some((ctx, _)) => Reply::refused(format!("context {ctx} belongs to another process")),
                    None => Reply::refused(format!("register {offset:#x} is the broker's")),
                }
            }
        }
        Request::Claim => return claim(st, id),
        Request::Release { ctx } => {
            if ctx < contexts && own(st, ctx) {
                release(st, id, ctx);
                Reply::ok([0; 3])
            } else {
                Reply::refused(format!("context {ctx} is not this process's"))
            }
        }
        Request::Credentials { identity } => match st.credentials.get(&identity) {
            Some(c) => Reply::ok([1, c.uid as u64 | (c.gid as u64) << 32, c.pid as u64]),
            None => Reply::ok([0; 3]),
        },
    };
    (reply, None)
}

/// A process writes its own context's configuration: rings, sizes,
/// interrupt moderation, control. Identity and memory window are the
/// broker's; rings must lie in the process's memory.
fn write_ctx<T: Transport>(st: &mut State<T>, id: u64, ctx: usize, reg: u64, value: u32) -> Reply {
    let r = &mut st.rings[ctx];
    let lo = |x: u64| x & !0xFFFF_FFFF | value as u64;
    let hi = |x: u64| x & 0xFFFF_FFFF | (value as u64) << 32;
    // Ring registers are kept here and reach the device only when the
    // context is enabled, after the check: the device only ever holds
    // checked rings (a disabled context still receives into its CQ).
    match reg {
        regs::CTX_SQ_BASE_LO => r.sq = lo(r.sq),
        regs::CTX_SQ_BASE_HI => r.sq = hi(r.sq),
        regs::CTX_CQ_BASE_LO => r.cq = lo(r.cq),
        regs::CTX_CQ_BASE_HI => r.cq = hi(r.cq),
        regs::CTX_RING_CFG => r.cfg = value,
        regs::CTX_IRQ_MOD => return device_write(st, regs::ctx_cfg(ctx, reg), value),
        regs::CTX_CONTROL => return write_control(st, id, ctx, value),
        _ => return Reply::refused(format!("context {ctx}: register {reg:#x} is the broker's")),
    }
    Reply::ok([0; 3])
}

fn device_write<T: Transport>(st: &mut State<T>, offset: u64, value: u32) -> Reply {
    match st.t.write32(offset, value) {
        Ok(()) => Reply::ok([0; 3]),
        Err(e) => Reply::refused(e.to_string()),
    }
}

/// `CTX_CONTROL` from a process: its vector is fixed by the context index;
/// enabling checks the rings (inside the process's memory) and writes them.
fn write_control<T: Transport>(st: &mut State<T>, id: u64, ctx: usize, value: u32) -> Reply {
    let keep = regs::CTX_CONTROL_ENABLE | regs::CTX_CONTROL_POLL | regs::CTX_CONTROL_TEARDOWN;
    let value = value & keep | (ctx as u32 % st.vectors.max(1)) << regs::CTX_CONTROL_VECTOR_SHIFT;
    if value & regs::CTX_CONTROL_ENABLE != 0 {
        let r = st.rings[ctx];
        let s = &st.sessions[&id];
        let inside = |iova: u64, len: u64| {
            iova >= s.memory_iova && iova.checked_add(len).is_some_and(|e| e <= s.memory_iova + s.memory_len)
        };
        let log2 = |shift: u32| 1u64 << (r.cfg >> shift & regs::RING_CFG_LOG2_MASK);
        let sq_len = log2(regs::RING_CFG_SQ_SHIFT) * DESC_SIZE as u64;
        let cq_len = log2(regs::RING_CFG_CQ_SHIFT) * (CQE_SIZE + RX_BUF_SIZE) as u64;
        if !inside(r.sq & !63, sq_len) || !inside(r.cq & !31, cq_len) {
            return Reply::refused(format!("context {ctx}: the rings are not in this process's memory"));
        }
        // The engine reads these registers as it works: not while it is at
        // work on the context.
            match st.t.read32(regs::ctx_cfg(ctx, regs::CTX_CONTROL)) {
            Ok(v) if v & ENGINE_AT_WORK == 0 => {}
            Ok(_) => return Reply::refused(format!("context {ctx}: the engine is still at work on it; retry")),
            Err(e) => return Reply::refused(e.to_string()),
        }
        if let Err(e) = write_rings(st, ctx, r) {
            return Reply::refused(e.to_string());
        }
    }
    // The write resets the context's queues: so do its doorbells.
    let s = &st.sessions[&id];
    s.doorbells.word(doorbell_slot(ctx, regs::DB_SQ_TAIL)).store(0, Ordering::SeqCst);
    s.doorbells.word(doorbell_slot(ctx, regs::DB_CQ_HEAD)).store(0, Ordering::SeqCst);
    st.forwarded[ctx] = (0, 0);
    device_write(st, regs::ctx_cfg(ctx, regs::CTX_CONTROL), value)
}

/// Writes checked (or safe) rings into the device so that every state in
/// between is a checked one too (a disabled context with ports still
/// receives, and the device reads the registers as it goes): first the
/// smallest rings at the old, checked bases, then the bases (the high
/// halves never change: a process's memory lies within one 4 GiB-aligned
/// block, see `open_session`), then the sizes.
fn write_rings<T: Transport>(st: &mut State<T>, ctx: usize, r: Rings) -> Result<(), crate::TransportError> {
    let c = |reg| regs::ctx_cfg(ctx, reg);
    st.t.write32(c(regs::CTX_RING_CFG), 0)?;
    st.t.write32(c(regs::CTX_SQ_BASE_HI), (r.sq >> 32) as u32)?;
    st.t.write32(c(regs::CTX_SQ_BASE_LO), r.sq as u32)?;
    st.t.write32(c(regs::CTX_CQ_BASE_HI), (r.cq >> 32) as u32)?;
    st.t.write32(c(regs::CTX_CQ_BASE_LO), r.cq as u32)?;
    st.t.write32(c(regs::CTX_RING_CFG), r.cfg)
}

fn claim<T: Transport>(st: &mut State<T>, id: u64) -> (Reply, Option<OwnedFd>) {
    let Some(ctx) = st.owner.iter().position(|o| *o == Owner::Free) else {
        return (Reply::refused(format!("all {} contexts are in use", st.owner.len())), None);
    };
    let (irq, theirs) = match unix::notify_pair() {
        Ok(x) => x,
        Err(e) => return (Reply::refused(e.to_string()), None),
    };
    if st.sessions[&id].irqs.len() >= st.max_contexts {
        return (Reply::refused(format!("this process has {} contexts already (alpcd --max-contexts)", st.max_contexts)), None);
    }
    let s = &st.sessions[&id];
    let (identity, base, last) = (s.identity, s.memory_iova, s.memory_iova + s.memory_len - 1);
    // The previous owner's rings may still be in the device: until this
    // process enables the context with rings of its own, it has the
    // smallest rings at the start of its memory.
    let safe = Rings { sq: base, cq: base, cfg: 0 };
    if let Err(e) = write_rings(st, ctx, safe) {
        return (Reply::refused(e.to_string()), None);
    }
    let r = |reg| regs::ctx_cfg(ctx, reg);
    let setup = [
        (r(regs::CTX_CONTROL), 0),
        (r(regs::CTX_IRQ_MOD), 0),
        (r(regs::CTX_IDENTITY), identity),
        (r(regs::CTX_MEM_BASE_LO), base as u32),
        (r(regs::CTX_MEM_BASE_HI), (base >> 32) as u32),
        (r(regs::CTX_MEM_LAST_LO), last as u32),
        (r(regs::CTX_MEM_LAST_HI), (last >> 32) as u32),
    ];
    for (offset, value) in setup {
        if let Err(e) = st.t.write32(offset, value) {
            return (Reply::refused(e.to_string()), None);
        }
    }
    st.owner[ctx] = Owner::Session(id);
    st.rings[ctx] = safe;
    st.forwarded[ctx] = (0, 0);
    st.sessions.get_mut(&id).unwrap().irqs.insert(ctx, irq);
    (Reply::ok([ctx as u64, 0, 0]), Some(theirs))
}

/// Tears a context down in hardware (its ports close, peers are told),
/// waits for the engine to be done with it, and leaves it with no
/// identity, an empty memory window and safe rings; false if the engine
/// never finished (within [`TEARDOWN_TIMEOUT`] of wall time).
fn reset_context<T: Transport>(st: &mut State<T>, ctx: usize) -> bool {
    let control = regs::ctx_cfg(ctx, regs::CTX_CONTROL);
    let start = Instant::now();
    if st.t.write32(control, regs::CTX_CONTROL_TEARDOWN).is_err() {
        return false;
    }
    loop {
        match st.t.read32(control) {
            Ok(v) if v & ENGINE_AT_WORK == 0 => break,
            Ok(_) if start.elapsed() < TEARDOWN_TIMEOUT => st.t.relax(),
            _ => return false,
        }
    }
    let r = |reg| regs::ctx_cfg(ctx, reg);
    // No identity; an empty memory window (first above last); rings of one
    // entry at IOVA 0, which no process has (and the context is disabled).
    let clear = [
        (regs::CTX_IRQ_MOD, 0),
        (regs::CTX_IDENTITY, 0),
        (regs::CTX_MEM_BASE_LO, 0xFFFF_F000),
        (regs::CTX_MEM_BASE_HI, u32::MAX),
        (regs::CTX_MEM_LAST_LO, 0),
        (regs::CTX_MEM_LAST_HI, 0),
    ];
    clear.iter().all(|&(reg, value)| st.t.write32(r(reg), value).is_ok()) && write_rings(st, ctx, Rings::default()).is_ok()
}

/// Gives a context of session `id` back: reset, then free, or retired if
/// the engine never let go of it (its memory then stays mapped).
fn release<T: Transport>(st: &mut State<T>, id: u64, ctx: usize) {
    let ok = reset_context(st, ctx);
    let s = st.sessions.get_mut(&id).expect("the session owns the context");
    s.irqs.remove(&ctx);
    if ok {
        st.owner[ctx] = Owner::Free;
    } else {
        eprintln!("alpcd: context {ctx} did not finish its teardown: retired");
        s.retired = true;
        st.owner[ctx] = Owner::Retired;
    }
}

fn close_session<T: Transport>(shared: &Shared<T>, id: u64) {
    let mut st = shared.lock();
    let owned: Vec<usize> = (0..st.owner.len()).filter(|&c| st.owner[c] == Owner::Session(id)).collect();
    for ctx in owned {
        release(&mut st, id, ctx);
    }
    let Some(s) = st.sessions.remove(&id) else { return };
    // Its credentials stay known for a while (a server may look up a
    // client that just died); live processes' are never forgotten.
    st.ended.push_back(s.identity);
    while st.ended.len() > CREDENTIAL_HISTORY {
        let old = st.ended.pop_front().expect("non-empty");
        st.credentials.remove(&old);
    }
    // A retired context may still write this memory: it stays mapped (and
    // its IOVA range taken) for as long as the broker runs.
    if !s.retired {
        st.t.unmap_shared(s.memory_iova);
    }
}

/// The device loop: forwards doorbells, runs the device, delivers
/// interrupts; sleeps when nothing moves.
fn run_device<T: Transport>(shared: &Shared<T>) {
    let mut idle_turns = 0u64;
    let mut idle_since = None;
    let mut completed = None;
    while !shared.stop.load(Ordering::SeqCst) {
        // Let waiting requests go first, but not for ever (a process that
        // pipelines requests must not stop everyone's doorbells).
        for _ in 0..64 {
            if shared.waiting.load(Ordering::SeqCst) == 0 {
                break;
            }
            std::thread::yield_now();
        }
        let mut st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut moved = pump_doorbells(&mut st);
        for _ in 0..RELAXES_PER_TURN {
            st.t.relax();
        }
        deliver_irqs(&mut st);
        idle_turns += 1;
        // Completions count as activity too: an interrupt-moderation timer
        // started by the last one must be let run out.
        if idle_turns % 16 == 0 {
            let now = st.t.read32(regs::COMPLETED).ok();
            moved |= now != completed;
            completed = now;
        }
        if moved {
            idle_turns = 0;
            idle_since = st.t.cycles();
            continue;
        }
        let quiet = match (idle_since, st.t.cycles()) {
            (Some(a), Some(b)) => b.saturating_sub(a) > IDLE_CYCLES,
            (None, Some(b)) => {
                idle_since = Some(b);
                false
            }
            _ => idle_turns > IDLE_TURNS,
        };
        if !quiet || !engine_idle(&mut st) {
            continue;
        }
        // Sleep: say so in every doorbell page, then look once more (a
        // process stores its doorbell, then reads the flag).
        set_sleeping(&st, 1);
        fence(Ordering::SeqCst);
        if pump_doorbells(&mut st) {
            set_sleeping(&st, 0);
            idle_turns = 0;
            idle_since = st.t.cycles();
            continue;
        }
        deliver_irqs(&mut st);
        let kicks: Vec<Arc<OwnedFd>> = st.sessions.values().map(|s| s.kick.clone()).collect();
        let irq_fds: Vec<OwnedFd> =
            (0..st.vectors).filter_map(|v| st.t.irq_fd(v).and_then(|f| f.try_clone_to_owned().ok())).collect();
        drop(st);
        let mut fds: Vec<BorrowedFd<'_>> = vec![shared.wake.as_fd()];
        fds.extend(kicks.iter().map(|k| k.as_fd()));
        fds.extend(irq_fds.iter().map(|f| f.as_fd()));
        let woken = !unix::poll_readable(&fds, Some(SLEEP)).unwrap_or_default().is_empty();
        unix::eventfd_take(shared.wake.as_fd());
        for k in &kicks {
            unix::drain(k.as_fd());
        }
        let st = shared.state.lock().unwrap_or_else(|p| p.into_inner());
        set_sleeping(&st, 0);
        if woken {
            // Something happened: run until quiet again. (A timed-out
            // sleep changed nothing: the device was idle with no timer
            // left, so the loop goes back to sleep at once.)
            idle_turns = 0;
            idle_since = st.t.cycles();
        }
    }
}

fn engine_idle<T: Transport>(st: &mut State<T>) -> bool {
    st.t.read32(regs::STATUS).is_ok_and(|s| s & (regs::STATUS_BUSY | regs::STATUS_PENDING) == 0)
}

fn set_sleeping<T: Transport>(st: &State<T>, v: u32) {
    for s in st.sessions.values() {
        s.doorbells.word(DB_SLEEPING).store(v, Ordering::SeqCst);
    }
}

/// Forwards every doorbell a process changed; true if any.
fn pump_doorbells<T: Transport>(st: &mut State<T>) -> bool {
    let mut moved = false;
    for ctx in 0..st.owner.len() {
        let Owner::Session(id) = st.owner[ctx] else { continue };
        let page = &st.sessions[&id].doorbells;
        let sq = page.word(doorbell_slot(ctx, regs::DB_SQ_TAIL)).load(Ordering::Acquire);
        let cq = page.word(doorbell_slot(ctx, regs::DB_CQ_HEAD)).load(Ordering::Acquire);
        let (last_sq, last_cq) = st.forwarded[ctx];
        if cq != last_cq {
            let _ = st.t.write32(regs::doorbell(ctx, regs::DB_CQ_HEAD), cq);
        }
        if sq != last_sq {
            let _ = st.t.write32(regs::doorbell(ctx, regs::DB_SQ_TAIL), sq);
        }
        if (sq, cq) != (last_sq, last_cq) {
            st.forwarded[ctx] = (sq, cq);
            moved = true;
        }
    }
    moved
}

/// Notifies every context whose vector fired.
fn deliver_irqs<T: Transport>(st: &mut State<T>) {
    let v = st.vectors.max(1);
    for vector in 0..v {
        // One notification per wake-up: the process polls its ring, which
        // holds however many completions the interrupts were for.
        if st.t.wait_irq(vector, Duration::ZERO).unwrap_or(0) == 0 {
            continue;
        }
        for s in st.sessions.values() {
            for (ctx, fd) in &s.irqs {
                if *ctx as u32 % v == vector {
                    unix::notify(fd.as_fd());
                }
            }
        }
    }
}
