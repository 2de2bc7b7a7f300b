//! The few raw Unix interfaces the broker needs, behind safe wrappers:
//! `SOCK_SEQPACKET` sockets (one `send` is one message, and file
//! descriptors travel with the message they belong to), `SCM_RIGHTS`,
//! `SO_PEERCRED`, `memfd_create` with seals, `mmap` and `eventfd`.
//! Every `unsafe` block of the broker is in this file.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

/// Largest message either side sends.
pub const MAX_MESSAGE: usize = 512;
/// Most descriptors one message carries.
pub const MAX_FDS: usize = 4;

fn check(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

fn sockaddr(path: &Path) -> io::Result<(libc::sockaddr_un, libc::socklen_t)> {
    // SAFETY: sockaddr_un is plain data; all zeroes is a valid value.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    let bytes = path.as_os_str().as_bytes();
    if bytes.len() >= addr.sun_path.len() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "socket path too long"));
    }
    for (d, s) in addr.sun_path.iter_mut().zip(bytes) {
        *d = *s as libc::c_char;
    }
    let len = std::mem::size_of::<libc::sa_family_t>() + bytes.len() + 1;
    Ok((addr, len as libc::socklen_t))
}

fn seqpacket() -> io::Result<OwnedFd> {
    // SAFETY: plain system call; the descriptor is owned at once.
    let fd = check(unsafe { libc::socket(libc::AF_UNIX, libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: `fd` is a fresh descriptor nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// A connected `SOCK_SEQPACKET` socket.
#[derive(Debug)]
pub struct Seqpacket {
    fd: OwnedFd,
}

/// A listening `SOCK_SEQPACKET` socket.
#[derive(Debug)]
pub struct Listener {
    fd: OwnedFd,
}

/// The peer's credentials, as the kernel recorded them at `connect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerCred {
    /// Process id.
    pub pid: u32,
    /// Effective user id.
    pub uid: u32,
    /// Effective group id.
    pub gid: u32,
}

impl Listener {
    /// Binds and listens at `path` with permission bits `mode` (the socket
    /// file's mode decides who may connect).
    pub fn bind(path: &Path, mode: u32) -> io::Result<Listener> {
        let fd = seqpacket()?;
        let (addr, len) = sockaddr(path)?;
        // SAFETY: `addr` is a valid sockaddr_un of `len` bytes.
        check(unsafe { libc::bind(fd.as_raw_fd(), &addr as *const _ as *const libc::sockaddr, len) })?;
        let c = CString::new(path.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        // SAFETY: a NUL-terminated path.
        check(unsafe { libc::chmod(c.as_ptr(), mode as libc::mode_t) })?;
        // SAFETY: plain system call on our descriptor.
        check(unsafe { libc::listen(fd.as_raw_fd(), 64) })?;
        Ok(Listener { fd })
    }

    /// Waits for a connection.
    pub fn accept(&self) -> io::Result<Seqpacket> {
        loop {
            // SAFETY: no address is asked for.
            let r = unsafe {
                libc::accept4(self.fd.as_raw_fd(), std::ptr::null_mut(), std::ptr::null_mut(), libc::SOCK_CLOEXEC)
            };
            match check(r) {
                // SAFETY: a fresh descriptor nobody else owns.
                Ok(fd) => return Ok(Seqpacket { fd: unsafe { OwnedFd::from_raw_fd(fd) } }),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The descriptor, for `poll`.
    pub fn as_fd(&self) -> BorrowedFd<'_> {
        use std::os::fd::AsFd;
        self.fd.as_fd()
    }
}

impl Seqpacket {
    /// Connects to the listener at `path`.
    pub fn connect(path: &Path) -> io::Result<Seqpacket> {
        let fd = seqpacket()?;
        let (addr, len) = sockaddr(path)?;
        // SAFETY: `addr` is a valid sockaddr_un of `len` bytes.
        check(unsafe { libc::connect(fd.as_raw_fd(), &addr as *const _ as *const libc::sockaddr, len) })?;
        Ok(Seqpacket { fd })
    }

    /// The peer's kernel-verified credentials (`SO_PEERCRED`).
    pub fn peer_cred(&self) -> io::Result<PeerCred> {
        let mut c = libc::ucred { pid: 0, uid: 0, gid: 0 };
        let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
        // SAFETY: `c` is a ucred of `len` bytes the kernel fills.
        check(unsafe {
            libc::getsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_PEERCRED,
                &mut c as *mut _ as *mut libc::c_void,
                &mut len,
            )
        })?;
        Ok(PeerCred { pid: c.pid as u32, uid: c.uid, gid: c.gid })
    }

    /// Sends one message with `fds` attached.
    pub fn send(&self, data: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<()> {
        assert!(fds.len() <= MAX_FDS && data.len() <= MAX_MESSAGE);
        let mut iov = libc::iovec { iov_base: data.as_ptr() as *mut libc::c_void, iov_len: data.len() };
        let mut cbuf = [0u64; 8]; // CMSG_SPACE(4 * 4) fits, u64-aligned
        // SAFETY: msghdr is plain data; zeroes are valid.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        if !fds.is_empty() {
            let bytes = std::mem::size_of_val(fds) as u32;
            // SAFETY: CMSG_* compute sizes and walk `cbuf`, which is large
            // enough for one header and MAX_FDS descriptors.
            unsafe {
                msg.msg_control = cbuf.as_mut_ptr() as *mut libc::c_void;
                msg.msg_controllen = libc::CMSG_SPACE(bytes) as usize;
                let cmsg = libc::CMSG_FIRSTHDR(&msg);
                (*cmsg).cmsg_level = libc::SOL_SOCKET;
                (*cmsg).cmsg_type = libc::SCM_RIGHTS;
                (*cmsg).cmsg_len = libc::CMSG_LEN(bytes) as usize;
                let raw: Vec<RawFd> = fds.iter().map(|f| f.as_raw_fd()).collect();
                std::ptr::copy_nonoverlapping(raw.as_ptr(), libc::CMSG_DATA(cmsg) as *mut RawFd, raw.len());
            }
        }
        loop {
            // SAFETY: `msg` points at live buffers for the call's duration.
            let r = unsafe { libc::sendmsg(self.fd.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) };
            match check(r as libc::c_int) {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Receives one message and its descriptors; an empty message with no
    /// descriptors means the peer closed its end. `timeout`: `None` waits
    /// for ever; on expiry, `ErrorKind::TimedOut`.
    pub fn recv(&self, timeout: Option<Duration>) -> io::Result<(Vec<u8>, Vec<OwnedFd>)> {
        if let Some(t) = timeout {
            // (A signal interrupting poll is not a timeout: wait again.)
            let end = std::time::Instant::now() + t;
            while !poll_readable(&[self.as_fd()], Some(end.saturating_duration_since(std::time::Instant::now())))?
                .contains(&0)
            {
                if std::time::Instant::now() >= end {
                    return Err(io::ErrorKind::TimedOut.into());
                }
            }
        }
        let mut data = vec![0u8; MAX_MESSAGE];
        let mut iov = libc::iovec { iov_base: data.as_mut_ptr() as *mut libc::c_void, iov_len: data.len() };
        let mut cbuf = [0u64; 8];
        // SAFETY: msghdr is plain data; zeroes are valid.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = cbuf.as_mut_ptr() as *mut libc::c_void;
        msg.msg_controllen = std::mem::size_of_val(&cbuf);
        let n = loop {
            // SAFETY: `msg` points at live buffers for the call's duration.
            let r = unsafe { libc::recvmsg(self.fd.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
            match check(r as libc::c_int) {
                Ok(n) => break n as usize,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        let mut fds = Vec::new();
        // SAFETY: the kernel filled `msg_control`; CMSG_* walk it within
        // `msg_controllen`, and every descriptor in an SCM_RIGHTS message
        // is new in this process and ours to own.
        unsafe {
            let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
            while !cmsg.is_null() {
                if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                    let n = ((*cmsg).cmsg_len - libc::CMSG_LEN(0) as usize) / std::mem::size_of::<RawFd>();
                    let p = libc::CMSG_DATA(cmsg) as *const RawFd;
                    for i in 0..n {
                        fds.push(OwnedFd::from_raw_fd(std::ptr::read_unaligned(p.add(i))));
                    }
                }
                cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
            }
        }
        if msg.msg_flags & (libc::MSG_TRUNC | libc::MSG_CTRUNC) != 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "message too long"));
        }
        data.truncate(n);
        Ok((data, fds))
    }

    /// The descriptor, for `poll`.
    pub fn as_fd(&self) -> BorrowedFd<'_> {
        use std::os::fd::AsFd;
        self.fd.as_fd()
    }

    /// Shuts both directions down: the peer sees the end, and a thread
    /// blocked in `recv` or `send` on this socket returns.
    pub fn shutdown(&self) {
        // SAFETY: plain system call on our descriptor.
        unsafe { libc::shutdown(self.fd.as_raw_fd(), libc::SHUT_RDWR) };
    }
}

/// Waits until some of `fds` are readable (or hung up); returns their
/// indices (empty on timeout).
pub fn poll_readable(fds: &[BorrowedFd<'_>], timeout: Option<Duration>) -> io::Result<Vec<usize>> {
    let mut p: Vec<libc::pollfd> =
        fds.iter().map(|f| libc::pollfd { fd: f.as_raw_fd(), events: libc::POLLIN, revents: 0 }).collect();
    let ms = timeout.map_or(-1, |t| t.as_millis().clamp(if t.is_zero() { 0 } else { 1 }, i32::MAX as u128) as i32);
    // SAFETY: `p` holds `p.len()` valid pollfds for the call's duration.
    match check(unsafe { libc::poll(p.as_mut_ptr(), p.len() as libc::nfds_t, ms) }) {
        Ok(_) => Ok(p.iter().enumerate().filter(|(_, q)| q.revents != 0).map(|(i, _)| i).collect()),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// A pair of connected datagram sockets: the broker's notification
/// channels with a process (its kick, each context's interrupts). Unlike an
/// eventfd shared by both processes, each end has its own file description,
/// and [`notify`] and [`drain`] never block whatever flags the other
/// process sets: a process cannot make the broker wait.
pub fn notify_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors, owned at once.
    check(unsafe {
        libc::socketpair(libc::AF_UNIX, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK, 0, fds.as_mut_ptr())
    })?;
    // SAFETY: fresh descriptors nobody else owns.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Sends one notification on a [`notify_pair`] end; a full queue already
/// means the other side has notifications to take.
pub fn notify(fd: BorrowedFd<'_>) {
    // SAFETY: sends one byte from a live buffer; never blocks.
    unsafe { libc::send(fd.as_raw_fd(), [1u8].as_ptr() as *const libc::c_void, 1, libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL) };
}

/// Takes every notification waiting on a [`notify_pair`] end (at most a
/// bounded number); returns how many.
pub fn drain(fd: BorrowedFd<'_>) -> u64 {
    let mut n = 0;
    let mut b = [0u8; 8];
    while n < 4096 {
        // SAFETY: receives into a live buffer; never blocks.
        let r = unsafe { libc::recv(fd.as_raw_fd(), b.as_mut_ptr() as *mut libc::c_void, b.len(), libc::MSG_DONTWAIT) };
        if r < 0 {
            break;
        }
        n += 1;
    }
    n
}

/// A new eventfd (non-blocking, close-on-exec; the broker's own, never
/// passed to a process).
pub fn eventfd() -> io::Result<OwnedFd> {
    // SAFETY: plain system call; the descriptor is owned at once.
    let fd = check(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
    // SAFETY: a fresh descriptor nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Adds `n` to an eventfd's counter.
pub fn eventfd_signal(fd: BorrowedFd<'_>, n: u64) {
    // SAFETY: writes 8 bytes from a live u64. A full counter (EAGAIN)
    // already wakes its reader.
    unsafe { libc::write(fd.as_raw_fd(), &n as *const u64 as *const libc::c_void, 8) };
}

/// Takes an eventfd's counter (0 if nothing was signalled).
pub fn eventfd_take(fd: BorrowedFd<'_>) -> u64 {
    let mut n = 0u64;
    // SAFETY: reads 8 bytes into a live u64; non-blocking.
    let r = unsafe { libc::read(fd.as_raw_fd(), &mut n as *mut u64 as *mut libc::c_void, 8) };
    if r == 8 {
        n
    } else {
        0
    }
}

/// Shared memory: an anonymous file (`memfd_create`) of a fixed size,
/// sealed so that no process holding it can shrink or grow it (a client
/// that shrank its memory would make the broker's next access fault).
pub fn sealed_memfd(name: &str, len: usize) -> io::Result<OwnedFd> {
    let c = CString::new(name).expect("no NUL");
    // SAFETY: a NUL-terminated name; the descriptor is owned at once.
    let fd = check(unsafe { libc::memfd_create(c.as_ptr(), libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING) })?;
    // SAFETY: a fresh descriptor nobody else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    // SAFETY: plain system calls on our descriptor.
    unsafe {
        check(libc::ftruncate(fd.as_raw_fd(), len as libc::off_t))?;
        check(libc::fcntl(
            fd.as_raw_fd(),
            libc::F_ADD_SEALS,
            libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_SEAL,
        ))?;
    }
    Ok(fd)
}

/// A shared mapping of a file (a memfd), unmapped when dropped.
#[derive(Debug)]
pub struct Mapping {
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the mapping is plain shared memory with no thread affinity; every
// access goes through raw-pointer copies or atomics.
unsafe impl Send for Mapping {}
// SAFETY: as above.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Maps `len` bytes of `fd` read-write and shared. The file must be at
    /// least `len` long and stay so (the broker's memfds are sealed).
    pub fn new(fd: BorrowedFd<'_>, len: usize) -> io::Result<Mapping> {
        // SAFETY: stat is plain data; all zeroes is a valid value.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: `st` is a live stat buffer.
        check(unsafe { libc::fstat(fd.as_raw_fd(), &mut st) })?;
        if (st.st_size as u64) < len as u64 || len == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "shared memory smaller than announced"));
        }
        // SAFETY: a fresh mapping the kernel places; checked below.
        let p = unsafe {
            libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED, fd.as_raw_fd(), 0)
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Mapping { ptr: p as *mut u8, len })
    }

    /// First byte.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the mapping is empty (never: mappings have a length).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The 32-bit word at byte `offset` (4-aligned, inside), as an atomic:
    /// both processes reach it.
    pub fn word(&self, offset: usize) -> &std::sync::atomic::AtomicU32 {
        assert!(offset % 4 == 0 && offset + 4 <= self.len);
        // SAFETY: aligned, inside the mapping, which lives as long as
        // `self`; AtomicU32 has u32's layout.
        unsafe { &*(self.ptr.add(offset) as *const std::sync::atomic::AtomicU32) }
    }

    /// Copies bytes out. The other process may be writing them: no
    /// reference to the shared bytes is ever made, and ordering with the
    /// other side goes through the atomics of the doorbell page and the
    /// fences around these copies (the protocol never reads bytes the
    /// other side is still writing, as a driver never reads a DMA buffer
    /// the device is filling).
    pub fn read(&self, offset: usize, out: &mut [u8]) {
        assert!(offset.checked_add(out.len()).is_some_and(|e| e <= self.len));
        // SAFETY: inside the mapping (checked); raw copy.
        unsafe { std::ptr::copy_nonoverlapping(self.ptr.add(offset), out.as_mut_ptr(), out.len()) }
    }

    /// Copies bytes in.
    pub fn write(&self, offset: usize, data: &[u8]) {
        assert!(offset.checked_add(data.len()).is_some_and(|e| e <= self.len));
        // SAFETY: inside the mapping (checked); raw copy.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), self.ptr.add(offset), data.len()) }
    }

    /// Zeroes a range.
    pub fn zero(&self, offset: usize, len: usize) {
        assert!(offset.checked_add(len).is_some_and(|e| e <= self.len));
        // SAFETY: inside the mapping (checked).
        unsafe { std::ptr::write_bytes(self.ptr.add(offset), 0, len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: our own mapping, unmapped once.
        unsafe { libc::munmap(self.ptr as *mut libc::c_void, self.len) };
    }
}
