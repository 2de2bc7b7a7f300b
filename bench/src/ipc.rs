//! Software IPC between two processes, measured: the baselines the
//! accelerator is compared with.
//!
//! The measuring process creates the channel, starts a peer process (a
//! command the caller gives, e.g. `alpc bench-peer`, which runs
//! [`peer_main`]) and hands it its ends as inherited file descriptors. Then:
//! - **round trip**: it sends one message of `payload` bytes and the peer
//!   echoes it, `round_trips` times after a warm-up; each round trip is
//!   timed on its own (`min`, median, 99th percentile);
//! - **one way**: it sends `stream_messages` messages back to back and the
//!   peer answers once after the last: messages per second, sender to
//!   receiver.
//!
//! Channels: a Unix stream socket, a Unix datagram socket, a pair of pipes,
//! and a shared-memory ring (one single-producer single-consumer ring per
//! direction in a `memfd`) whose receiver either sleeps on a futex at once
//! ([`Channel::ShmFutex`]) or spins a while before sleeping
//! ([`Channel::ShmSpin`]): the blocking and the polling ends of the same
//! design, because on a virtual machine the two differ a hundredfold.

use std::cell::Cell;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::atomic::{fence, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::Stats;

/// How long either side waits for the other before giving up (a dead or
/// stuck peer is an error, never a hang).
pub const PEER_TIMEOUT: Duration = Duration::from_secs(20);

/// Largest message of the shared-memory ring (a slot holds its length too).
pub const SHM_MAX_PAYLOAD: usize = SLOT_BYTES - 4;
const SLOT_BYTES: usize = 256;
const SLOTS: u32 = 256;
/// Spins (each a `spin_loop` hint and a load) before [`Channel::ShmSpin`]'s
/// receiver sleeps: from a few hundred microseconds to a few milliseconds
/// by the CPU, far longer than a round trip.
const SPINS: u32 = 50_000;

/// Errors of a measurement.
#[derive(Debug, thiserror::Error)]
pub enum IpcError {
    /// A system call failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The error.
        source: std::io::Error,
    },
    /// The peer did not answer within [`PEER_TIMEOUT`].
    #[error("the peer process did not answer within {PEER_TIMEOUT:?}")]
    TimedOut,
    /// The peer sent something other than the expected message.
    #[error("protocol: {0}")]
    Protocol(String),
    /// Bad arguments (to [`measure`] or to the peer).
    #[error("bad arguments: {0}")]
    BadArgs(String),
    /// The peer process failed.
    #[error("peer process: {0}")]
    Peer(String),
}

fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> IpcError {
    move |source| IpcError::Io { what, source }
}

/// A kind of software IPC channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// `socketpair(AF_UNIX, SOCK_STREAM)`, blocking reads.
    UnixStream,
    /// `socketpair(AF_UNIX, SOCK_DGRAM)`, one datagram per message.
    UnixDatagram,
    /// Two pipes, blocking reads.
    Pipe,
    /// Shared-memory rings; the receiver sleeps on a futex when its ring is
    /// empty, the sender wakes it.
    ShmFutex,
    /// Shared-memory rings; the receiver spins before sleeping on the futex.
    ShmSpin,
    /// iceoryx2 publish-subscribe (zero copy over shared memory), the
    /// receiver polling. Only with the `iceoryx2` feature (the default).
    Iceoryx2,
}

impl Channel {
    /// Every channel this build has, in the order the tables list them.
    pub const ALL: &'static [Channel] = &[
        Channel::UnixStream,
        Channel::UnixDatagram,
        Channel::Pipe,
        Channel::ShmFutex,
        Channel::ShmSpin,
        #[cfg(feature = "iceoryx2")]
        Channel::Iceoryx2,
    ];

    /// Short name (command lines, JSON).
    pub fn name(self) -> &'static str {
        match self {
            Channel::UnixStream => "unix-stream",
            Channel::UnixDatagram => "unix-dgram",
            Channel::Pipe => "pipe",
            Channel::ShmFutex => "shm-futex",
            Channel::ShmSpin => "shm-spin",
            Channel::Iceoryx2 => "iceoryx2",
        }
    }

    /// What it is, for tables and plot legends.
    pub fn label(self) -> &'static str {
        match self {
            Channel::UnixStream => "Unix stream socket",
            Channel::UnixDatagram => "Unix datagram socket",
            Channel::Pipe => "pipes",
            Channel::ShmFutex => "shared-memory ring, futex wake-up",
            Channel::ShmSpin => "shared-memory ring, spin then futex",
            Channel::Iceoryx2 => "iceoryx2 publish-subscribe, polling",
        }
    }

    /// The channel named `name` (see [`Channel::name`]).
    pub fn parse(name: &str) -> Option<Channel> {
        Channel::ALL.iter().copied().find(|c| c.name() == name)
    }
}

/// One measurement's parameters.
#[derive(Clone, Copy, Debug)]
pub struct IpcRun {
    /// The channel.
    pub channel: Channel,
    /// Bytes per message (at least 1).
    pub payload: usize,
    /// Timed round trips (after a warm-up of a tenth as many, at most 1000).
    pub round_trips: usize,
    /// Messages sent back to back for the one-way rate.
    pub stream_messages: usize,
}

impl IpcRun {
    fn warm_up(&self) -> usize {
        (self.round_trips / 10).clamp(1, 1000)
    }

    fn check(&self) -> Result<(), IpcError> {
        if self.payload == 0 || self.round_trips == 0 || self.stream_messages == 0 {
            return Err(IpcError::BadArgs("payload, round trips and messages must be at least 1".into()));
        }
        let shm = matches!(self.channel, Channel::ShmFutex | Channel::ShmSpin);
        if shm && self.payload > SHM_MAX_PAYLOAD {
            return Err(IpcError::BadArgs(format!(
                "{} carries at most {SHM_MAX_PAYLOAD} bytes per message, not {}",
                self.channel.name(),
                self.payload
            )));
        }
        Ok(())
    }
}

/// What one measurement found.
#[derive(Clone, Debug)]
pub struct IpcFigures {
    /// What was measured.
    pub run: IpcRun,
    /// Round-trip times, nanoseconds.
    pub round_trip: Stats,
    /// One-way messages per second, sender to receiver.
    pub one_way_per_s: f64,
}

/// Measures `run` against a peer started by `peer` (a command that ends
/// in [`peer_main`]; the channel's arguments are appended to it).
pub fn measure(peer: &mut Command, run: IpcRun) -> Result<IpcFigures, IpcError> {
    run.check()?;
    let service = service_name();
    let (mut mine, theirs) = Endpoint::pair(run.channel, &service, run.payload)?;
    peer.args([
        "--service",
        &service,
        "--channel",
        run.channel.name(),
        "--fds",
        &theirs.fds_arg(),
        "--payload",
        &run.payload.to_string(),
        "--messages",
        &(run.warm_up() + run.round_trips).to_string(),
        "--stream",
        &run.stream_messages.to_string(),
    ]);
    let mut child = theirs.spawn(peer)?;
    // The peer has its own copies now; ours must close so that its death
    // shows as end of file.
    drop(theirs);
    let figures = drive(&mut mine, run);
    drop(mine);
    child.finish(figures.is_ok())?;
    figures
}

fn drive(ep: &mut Endpoint, run: IpcRun) -> Result<IpcFigures, IpcError> {
    let msg: Vec<u8> = (0..run.payload).map(|i| i as u8 ^ 0x5A).collect();
    let mut back = vec![0u8; run.payload];
    let mut samples = Vec::with_capacity(run.round_trips);
    for i in 0..run.warm_up() + run.round_trips {
        let t = Instant::now();
        ep.send(&msg)?;
        ep.recv(&mut back)?;
        let ns = t.elapsed().as_nanos() as f64;
        if back != msg {
            return Err(IpcError::Protocol("the echo differs from the message".into()));
        }
        if i >= run.warm_up() {
            samples.push(ns);
        }
    }
    let t = Instant::now();
    for _ in 0..run.stream_messages {
        ep.send(&msg)?;
    }
    ep.recv(&mut back)?;
    let secs = t.elapsed().as_secs_f64();
    Ok(IpcFigures { run, round_trip: Stats::of(&mut samples), one_way_per_s: run.stream_messages as f64 / secs })
}

/// Moves `bytes` through a Unix stream socket to the peer, which answers
/// one byte once it has them all, `reps` times: the time of each transfer,
/// nanoseconds (what passing a buffer by copy costs in software).
pub fn measure_transfer(peer: &mut Command, bytes: usize, reps: usize) -> Result<Stats, IpcError> {
    if bytes == 0 || reps == 0 {
        return Err(IpcError::BadArgs("bytes and repetitions must be at least 1".into()));
    }
    let (mut mine, theirs) = Endpoint::pair(Channel::UnixStream, "", 0)?;
    peer.args([
        "--channel",
        Channel::UnixStream.name(),
        "--fds",
        &theirs.fds_arg(),
        "--transfer",
        &bytes.to_string(),
        "--messages",
        &(reps + 1).to_string(),
    ]);
    let mut child = theirs.spawn(peer)?;
    drop(theirs);
    let result = (|| {
        let chunk: Vec<u8> = (0..bytes.min(1 << 20)).map(|i| i as u8).collect();
        let mut ack = [0u8; 1];
        let mut samples = Vec::with_capacity(reps);
        // One warm-up transfer, then the timed ones.
        for i in 0..=reps {
            let t = Instant::now();
            let mut left = bytes;
            while left > 0 {
                let n = left.min(chunk.len());
                mine.send(&chunk[..n])?;
                left -= n;
            }
            mine.recv(&mut ack)?;
            if i > 0 {
                samples.push(t.elapsed().as_nanos() as f64);
            }
        }
        Ok(Stats::of(&mut samples))
    })();
    drop(mine);
    child.finish(result.is_ok())?;
    result
}

/// The peer's side: parses the arguments [`measure`] (or
/// [`measure_transfer`]) appended, echoes the round trips, takes the
/// stream and answers once (or takes each transfer and answers each).
pub fn peer_main(args: &[String]) -> Result<(), IpcError> {
    let mut channel = None;
    let mut fds = None;
    let mut service = String::new();
    let (mut payload, mut messages, mut stream, mut transfer) = (0usize, 0usize, 0usize, 0usize);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| IpcError::BadArgs(format!("{flag} needs a value")))?;
        let number = || value.parse::<usize>().map_err(|_| IpcError::BadArgs(format!("{flag} {value}")));
        match flag.as_str() {
            "--channel" => {
                channel = Some(Channel::parse(value).ok_or_else(|| IpcError::BadArgs(format!("channel {value}")))?)
            }
            "--fds" => fds = Some(value.clone()),
            "--service" => service = value.clone(),
            "--payload" => payload = number()?,
            "--messages" => messages = number()?,
            "--stream" => stream = number()?,
            "--transfer" => transfer = number()?,
            _ => return Err(IpcError::BadArgs(format!("unknown flag {flag}"))),
        }
    }
    let (Some(channel), Some(fds)) = (channel, fds) else {
        return Err(IpcError::BadArgs("--channel and --fds are required".into()));
    };
    let mut ep = Endpoint::inherit(channel, &fds, &service, payload)?;
    if transfer > 0 {
        let Endpoint::Stream { rx, tx } = &mut ep else {
            return Err(IpcError::BadArgs("--transfer needs a stream".into()));
        };
        let mut buf = vec![0u8; transfer.min(1 << 20)];
        let cap = buf.len();
        for _ in 0..messages {
            let mut left = transfer;
            while left > 0 {
                ready(rx.as_raw_fd(), libc::POLLIN)?;
                let n = rx.read(&mut buf[..left.min(cap)]).map_err(io("read"))?;
                if n == 0 {
                    return Err(IpcError::Protocol("end of file inside a transfer".into()));
                }
                left -= n;
            }
            write_full(tx, &[1])?;
        }
        return Ok(());
    }
    if payload == 0 {
        return Err(IpcError::BadArgs("--payload must be at least 1".into()));
    }
    let mut buf = vec![0u8; payload];
    for _ in 0..messages {
        ep.recv(&mut buf)?;
        ep.send(&buf)?;
    }
    for _ in 0..stream {
        ep.recv(&mut buf)?;
    }
    ep.send(&buf)
}

/// A started peer: killed if the measurement failed, waited for otherwise.
struct PeerProcess(Child);

impl PeerProcess {
    fn finish(&mut self, ok: bool) -> Result<(), IpcError> {
        if !ok {
            let _ = self.0.kill();
        }
        let status = self.0.wait().map_err(io("waiting for the peer process"))?;
        if ok && !status.success() {
            return Err(IpcError::Peer(format!("exited with {status}")));
        }
        Ok(())
    }
}

impl Drop for PeerProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// One side of a channel.
enum Endpoint {
    /// Byte streams: a socket (same descriptor both ways) or two pipes.
    Stream {
        rx: File,
        tx: File,
    },
    Datagram(UnixDatagram),
    Shm(ShmEnd),
    #[cfg(feature = "iceoryx2")]
    Ice(Box<crate::iceoryx::IceEnd>),
}

impl Endpoint {
    /// Both sides: ours (close on exec) and the peer's (inherited).
    fn pair(channel: Channel, service: &str, payload: usize) -> Result<(Endpoint, PeerFds), IpcError> {
        let _ = (service, payload);
        match channel {
            Channel::UnixStream => {
                let (a, b) = UnixStream::pair().map_err(io("socketpair"))?;
                timeouts(a.as_raw_fd())?;
                let a = File::from(OwnedFd::from(a));
                let tx = a.try_clone().map_err(io("dup"))?;
                Ok((Endpoint::Stream { rx: a, tx }, PeerFds(vec![OwnedFd::from(b)])))
            }
            Channel::UnixDatagram => {
                let (a, b) = UnixDatagram::pair().map_err(io("socketpair"))?;
                timeouts(a.as_raw_fd())?;
                Ok((Endpoint::Datagram(a), PeerFds(vec![OwnedFd::from(b)])))
            }
            Channel::Pipe => {
                let (to_peer_rx, to_peer_tx) = pipe()?;
                let (from_peer_rx, from_peer_tx) = pipe()?;
                let ours = Endpoint::Stream { rx: File::from(from_peer_rx), tx: File::from(to_peer_tx) };
                Ok((ours, PeerFds(vec![to_peer_rx, from_peer_tx])))
            }
            Channel::ShmFutex | Channel::ShmSpin => {
                let fd = shm_create()?;
                let ours = ShmEnd::map(&fd, channel == Channel::ShmSpin, 0)?;
                Ok((Endpoint::Shm(ours), PeerFds(vec![fd])))
            }
            #[cfg(feature = "iceoryx2")]
            Channel::Iceoryx2 => {
                let ours = crate::iceoryx::IceEnd::open(service, 0, payload)?;
                Ok((Endpoint::Ice(Box::new(ours)), PeerFds(Vec::new())))
            }
            #[cfg(not(feature = "iceoryx2"))]
            Channel::Iceoryx2 => Err(IpcError::BadArgs("built without the iceoryx2 feature".into())),
        }
    }

    /// The peer's side, from the descriptors [`PeerFds::fds_arg`] named.
    fn inherit(channel: Channel, fds: &str, service: &str, payload: usize) -> Result<Endpoint, IpcError> {
        if channel == Channel::Iceoryx2 {
            #[cfg(feature = "iceoryx2")]
            return Ok(Endpoint::Ice(Box::new(crate::iceoryx::IceEnd::open(service, 1, payload)?)));
            #[cfg(not(feature = "iceoryx2"))]
            return Err(IpcError::BadArgs(format!("built without the iceoryx2 feature ({service}, {payload})")));
        }
        let fds: Vec<RawFd> = fds
            .split(',')
            .map(|f| f.parse().map_err(|_| IpcError::BadArgs(format!("--fds {fds}"))))
            .collect::<Result<_, _>>()?;
        let want = if channel == Channel::Pipe { 2 } else { 1 };
        let distinct = fds.iter().enumerate().all(|(i, fd)| !fds[..i].contains(fd));
        if fds.len() != want || !distinct || fds.iter().any(|&fd| fd < 3 || !is_open(fd)) {
            return Err(IpcError::BadArgs(format!("--fds: {want} inherited open descriptors expected")));
        }
        // SAFETY: [`peer_main`] runs in a process started by [`measure`],
        // which hands it these descriptors for this endpoint alone (checked
        // open and distinct above); nothing else in the process uses them,
        // so they are owned here from now on.
        let owned: Vec<OwnedFd> = fds.iter().map(|&fd| unsafe { OwnedFd::from_raw_fd(fd) }).collect();
        let mut owned = owned.into_iter();
        let first = owned.next().expect("one descriptor");
        Ok(match channel {
            Channel::UnixStream => {
                timeouts(first.as_raw_fd())?;
                let f = File::from(first);
                Endpoint::Stream { tx: f.try_clone().map_err(io("dup"))?, rx: f }
            }
            Channel::UnixDatagram => {
                timeouts(first.as_raw_fd())?;
                Endpoint::Datagram(UnixDatagram::from(first))
            }
            Channel::Pipe => Endpoint::Stream { rx: File::from(first), tx: File::from(owned.next().expect("two")) },
            Channel::ShmFutex | Channel::ShmSpin => Endpoint::Shm(ShmEnd::map(&first, channel == Channel::ShmSpin, 1)?),
            Channel::Iceoryx2 => unreachable!("handled above"),
        })
    }

    fn send(&mut self, msg: &[u8]) -> Result<(), IpcError> {
        match self {
            Endpoint::Stream { tx, .. } => write_full(tx, msg),
            Endpoint::Datagram(s) => match s.send(msg) {
                Ok(n) if n == msg.len() => Ok(()),
                Ok(n) => Err(IpcError::Protocol(format!("sent {n} of {} bytes", msg.len()))),
                Err(e) if would_block(&e) => Err(IpcError::TimedOut),
                Err(e) => Err(io("send")(e)),
            },
            Endpoint::Shm(s) => s.send(msg),
            #[cfg(feature = "iceoryx2")]
            Endpoint::Ice(i) => i.send(msg),
        }
    }

    /// Receives exactly `buf.len()` bytes (one message).
    fn recv(&mut self, buf: &mut [u8]) -> Result<(), IpcError> {
        match self {
            Endpoint::Stream { rx, .. } => read_full(rx, buf),
            Endpoint::Datagram(s) => match s.recv(buf) {
                Ok(n) if n == buf.len() => Ok(()),
                Ok(n) => Err(IpcError::Protocol(format!("a datagram of {n} bytes, {} expected", buf.len()))),
                Err(e) if would_block(&e) => Err(IpcError::TimedOut),
                Err(e) => Err(io("recv")(e)),
            },
            Endpoint::Shm(s) => s.recv(buf),
            #[cfg(feature = "iceoryx2")]
            Endpoint::Ice(i) => i.recv(buf),
        }
    }
}

/// A service name no other run uses (iceoryx2 services are system-wide).
fn service_name() -> String {
    static RUNS: AtomicU32 = AtomicU32::new(0);
    format!("alpc-bench/{}/{}", std::process::id(), RUNS.fetch_add(1, Ordering::Relaxed))
}

fn would_block(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)
}

/// The peer's descriptors: close-on-exec here (so no other process this
/// one starts inherits them), cleared only in the peer's own child between
/// fork and exec; dropped (closed here) once the peer has started.
struct PeerFds(Vec<OwnedFd>);

impl PeerFds {
    /// Starts the peer with these descriptors inherited.
    fn spawn(&self, peer: &mut Command) -> Result<PeerProcess, IpcError> {
        let raw: Vec<RawFd> = self.0.iter().map(|fd| fd.as_raw_fd()).collect();
        // SAFETY: the closure runs in the forked child before exec and only
        // calls fcntl, which is async-signal-safe; it allocates nothing.
        unsafe {
            peer.pre_exec(move || {
                for &fd in &raw {
                    if libc::fcntl(fd, libc::F_SETFD, 0) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        Ok(PeerProcess(peer.spawn().map_err(io("starting the peer process"))?))
    }

    fn fds_arg(&self) -> String {
        self.0.iter().map(|fd| fd.as_raw_fd().to_string()).collect::<Vec<_>>().join(",")
    }
}

/// Waits until `fd` is ready for `events`, at most [`PEER_TIMEOUT`] (pipes
/// have no socket timeouts; a stuck peer is an error, not a hang).
fn ready(fd: RawFd, events: libc::c_short) -> Result<(), IpcError> {
    let mut p = libc::pollfd { fd, events, revents: 0 };
    loop {
        // SAFETY: poll reads and writes the one pollfd it is given.
        let n = unsafe { libc::poll(&mut p, 1, PEER_TIMEOUT.as_millis() as libc::c_int) };
        match n {
            0 => return Err(IpcError::TimedOut),
            n if n > 0 => return Ok(()),
            _ if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => continue,
            _ => return Err(io("poll")(std::io::Error::last_os_error())),
        }
    }
}

/// Reads exactly `buf.len()` bytes.
fn read_full(rx: &mut File, buf: &mut [u8]) -> Result<(), IpcError> {
    let mut at = 0;
    while at < buf.len() {
        ready(rx.as_raw_fd(), libc::POLLIN)?;
        match rx.read(&mut buf[at..]) {
            Ok(0) => return Err(io("read")(std::io::ErrorKind::UnexpectedEof.into())),
            Ok(n) => at += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if would_block(&e) => return Err(IpcError::TimedOut),
            Err(e) => return Err(io("read")(e)),
        }
    }
    Ok(())
}

/// Writes all of `msg`.
fn write_full(tx: &mut File, msg: &[u8]) -> Result<(), IpcError> {
    let mut at = 0;
    while at < msg.len() {
        ready(tx.as_raw_fd(), libc::POLLOUT)?;
        match tx.write(&msg[at..]) {
            Ok(n) => at += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) if would_block(&e) => return Err(IpcError::TimedOut),
            Err(e) => return Err(io("write")(e)),
        }
    }
    Ok(())
}

fn is_open(fd: RawFd) -> bool {
    // SAFETY: F_GETFD only reads the descriptor's flags.
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

/// Receive and send timeouts on a socket, so a dead peer is an error.
fn timeouts(fd: RawFd) -> Result<(), IpcError> {
    let tv = libc::timeval { tv_sec: PEER_TIMEOUT.as_secs() as libc::time_t, tv_usec: 0 };
    for opt in [libc::SO_RCVTIMEO, libc::SO_SNDTIMEO] {
        // SAFETY: setsockopt reads `tv` (the size given) during the call.
        let r = unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                opt,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        };
        if r != 0 {
            return Err(io("setsockopt")(std::io::Error::last_os_error()));
        }
    }
    Ok(())
}

fn pipe() -> Result<(OwnedFd, OwnedFd), IpcError> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: pipe2 writes two descriptors into the array it is given.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io("pipe2")(std::io::Error::last_os_error()));
    }
    // SAFETY: both were just created and are owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

// ---- the shared-memory ring ----

/// One direction: a header of two cache lines (the producer's tail and
/// sleeping flag, the consumer's head and sleeping flag), then the slots.
#[repr(C)]
struct RingHeader {
    tail: AtomicU32,
    consumer_sleeps: AtomicU32,
    _pad0: [u8; 56],
    head: AtomicU32,
    producer_sleeps: AtomicU32,
    _pad1: [u8; 56],
}

const RING_BYTES: usize = std::mem::size_of::<RingHeader>() + SLOTS as usize * SLOT_BYTES;
const SHM_BYTES: usize = 2 * RING_BYTES;

fn shm_create() -> Result<OwnedFd, IpcError> {
    // SAFETY: memfd_create reads the NUL-terminated name.
    let fd = unsafe { libc::memfd_create(c"alpc-bench-ring".as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING) };
    if fd < 0 {
        return Err(io("memfd_create")(std::io::Error::last_os_error()));
    }
    // SAFETY: just created, owned by nobody else.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let f = File::from(fd);
    f.set_len(SHM_BYTES as u64).map_err(io("ftruncate"))?;
    // Sealed at its size: neither side can shrink it under the other's
    // mapping (a SIGBUS).
    // SAFETY: fcntl on a descriptor we own; it only adds seals.
    if unsafe { libc::fcntl(f.as_raw_fd(), libc::F_ADD_SEALS, libc::F_SEAL_SHRINK | libc::F_SEAL_GROW) } != 0 {
        return Err(io("fcntl(F_ADD_SEALS)")(std::io::Error::last_os_error()));
    }
    Ok(OwnedFd::from(f))
}

/// This process's mapping of both rings: it produces into `tx` and
/// consumes from `rx` (side 0 is the measuring process).
struct ShmEnd {
    base: *mut u8,
    tx: usize,
    rx: usize,
    spin: bool,
    /// Our own indices (only we write them; cells, because the header
    /// borrowed from the mapping is in use while they change).
    tx_tail: Cell<u32>,
    rx_head: Cell<u32>,
}

impl ShmEnd {
    fn map(fd: &OwnedFd, spin: bool, side: usize) -> Result<ShmEnd, IpcError> {
        // The peer checks what it was handed: a memfd of the full size,
        // sealed against shrinking.
        // SAFETY: fcntl(F_GET_SEALS) only reads the descriptor's seals.
        let seals = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GET_SEALS) };
        let len = File::from(fd.try_clone().map_err(io("dup"))?).metadata().map_err(io("fstat"))?.len();
        if seals < 0 || seals & libc::F_SEAL_SHRINK == 0 || len != SHM_BYTES as u64 {
            return Err(IpcError::BadArgs("the shared memory is not a sealed ring of the expected size".into()));
        }
        // SAFETY: a fresh shared mapping of the whole memfd (its size and
        // seal checked above, so no access can fault); unmapped in Drop. Both processes only touch it through
        // the atomics and the slot protocol below.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                SHM_BYTES,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(io("mmap")(std::io::Error::last_os_error()));
        }
        let (tx, rx) = if side == 0 { (0, RING_BYTES) } else { (RING_BYTES, 0) };
        Ok(ShmEnd { base: base.cast(), tx, rx, spin, tx_tail: Cell::new(0), rx_head: Cell::new(0) })
    }

    fn header(&self, ring: usize) -> &RingHeader {
        // SAFETY: `ring` is 0 or RING_BYTES, inside the mapping, aligned
        // (mmap is page aligned, RING_BYTES a multiple of 64); the header
        // is only accessed through atomics.
        unsafe { &*(self.base.add(ring) as *const RingHeader) }
    }

    fn slot(&self, ring: usize, index: u32) -> *mut u8 {
        let offset = ring + std::mem::size_of::<RingHeader>() + (index % SLOTS) as usize * SLOT_BYTES;
        // SAFETY: inside the mapping by construction.
        unsafe { self.base.add(offset) }
    }

    /// Waits until `ready` holds for the peer's index `word` (spinning
    /// first on the spinning channel), sleeping on the futex with our
    /// `sleeps` flag raised: the flag is set, then the index read again, so
    /// the peer's [`ShmEnd::publish`] either sees the flag or we see its
    /// store.
    fn wait_for(&self, word: &AtomicU32, sleeps: &AtomicU32, ready: impl Fn(u32) -> bool) -> Result<(), IpcError> {
        let deadline = Deadline::new();
        let mut spins = 0u32;
        loop {
            let seen = word.load(Ordering::Acquire);
            if ready(seen) {
                return Ok(());
            }
            if self.spin && spins < SPINS {
                spins += 1;
                std::hint::spin_loop();
                continue;
            }
            sleeps.store(1, Ordering::SeqCst);
            if word.load(Ordering::SeqCst) == seen {
                futex_wait(word, seen);
            }
            sleeps.store(0, Ordering::SeqCst);
            deadline.check()?;
        }
    }

    /// Stores our index `value` in `word` and wakes the peer if it sleeps
    /// on it (the fence pairs with [`ShmEnd::wait_for`]'s flag, then
    /// re-read).
    fn publish(word: &AtomicU32, value: u32, peer_sleeps: &AtomicU32) {
        word.store(value, Ordering::Release);
        fence(Ordering::SeqCst);
        if peer_sleeps.load(Ordering::SeqCst) != 0 {
            futex_wake(word);
        }
    }

    fn send(&self, msg: &[u8]) -> Result<(), IpcError> {
        let h = self.header(self.tx);
        // Full: wait for the consumer to move its head.
        self.wait_for(&h.head, &h.producer_sleeps, |head| self.tx_tail.get().wrapping_sub(head) < SLOTS)?;
        let slot = self.slot(self.tx, self.tx_tail.get());
        // SAFETY: the slot is ours until the tail store below publishes it
        // (the consumer is behind it); its first four bytes hold the length.
        unsafe {
            slot.cast::<u32>().write_unaligned(msg.len() as u32);
            std::ptr::copy_nonoverlapping(msg.as_ptr(), slot.add(4), msg.len());
        }
        self.tx_tail.set(self.tx_tail.get().wrapping_add(1));
        Self::publish(&h.tail, self.tx_tail.get(), &h.consumer_sleeps);
        Ok(())
    }

    fn recv(&self, buf: &mut [u8]) -> Result<(), IpcError> {
        let h = self.header(self.rx);
        self.wait_for(&h.tail, &h.consumer_sleeps, |tail| tail != self.rx_head.get())?;
        let slot = self.slot(self.rx, self.rx_head.get());
        // SAFETY: published by the producer's tail store (acquired above)
        // and not reused until our head store below.
        let len = unsafe { slot.cast::<u32>().read_unaligned() } as usize;
        if len != buf.len() {
            return Err(IpcError::Protocol(format!("a message of {len} bytes, {} expected", buf.len())));
        }
        // SAFETY: as above; `len` checked against the buffer.
        unsafe { std::ptr::copy_nonoverlapping(slot.add(4), buf.as_mut_ptr(), len) };
        self.rx_head.set(self.rx_head.get().wrapping_add(1));
        Self::publish(&h.head, self.rx_head.get(), &h.producer_sleeps);
        Ok(())
    }
}

impl Drop for ShmEnd {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `map`, not used after this.
        unsafe { libc::munmap(self.base.cast(), SHM_BYTES) };
    }
}

struct Deadline(Instant);

impl Deadline {
    fn new() -> Deadline {
        Deadline(Instant::now() + PEER_TIMEOUT)
    }
    fn check(&self) -> Result<(), IpcError> {
        if Instant::now() > self.0 {
            Err(IpcError::TimedOut)
        } else {
            Ok(())
        }
    }
}

/// Sleeps while `word` holds `expected`, at most 100 ms (the caller checks
/// its deadline and looks again). Not FUTEX_PRIVATE: the word is shared
/// between processes.
fn futex_wait(word: &AtomicU32, expected: u32) {
    let timeout = libc::timespec { tv_sec: 0, tv_nsec: 100_000_000 };
    // SAFETY: FUTEX_WAIT reads the aligned u32 at `word` and the timespec;
    // an early or spurious return is handled by the caller's loop.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT,
            expected,
            &timeout as *const libc::timespec,
            std::ptr::null::<u32>(),
            0u32,
        );
    }
}

fn futex_wake(word: &AtomicU32) {
    // SAFETY: FUTEX_WAKE only uses the address as a key.
    unsafe {
        libc::syscall(libc::SYS_futex, word.as_ptr(), libc::FUTEX_WAKE, 1i32, std::ptr::null::<libc::timespec>());
    }
}
