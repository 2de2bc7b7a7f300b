//! Shared helpers of the end-to-end tests.

pub mod scenarios;

use alpc_contract::{Completion, Descriptor};
use alpc_host::{Device, DmaBuffer, MemTiming, SimConfig, SimTransport, Transport};

/// A small, seedable PRNG (xorshift64*): tests must be reproducible from
/// their seed, which every failure message prints.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (any value).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
    /// True with probability `p` percent.
    pub fn chance(&mut self, p: u64) -> bool {
        self.next_u64() % 100 < p
    }
    /// Random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// A simulated device with the given memory timing, opened.
pub fn sim_device(timing: MemTiming) -> Device<SimTransport> {
    Device::open(
        SimTransport::new(SimConfig {
            timing,
            ..Default::default()
        })
        .unwrap(),
    )
    .unwrap()
}

/// A copy length drawn from the interesting places: tiny, around a beat,
/// around a burst and a page, and large.
pub fn copy_len(rng: &mut Rng, max: u64) -> u64 {
    let l = match rng.range(0, 9) {
        0 => rng.range(1, 16),
        1 => rng.range(15, 33),
        2 => rng.range(240, 272),
        3 => rng.range(4080, 4112),
        4 => rng.range(1, 64 * 1024),
        _ => rng.range(1, 2048),
    };
    l.min(max)
}

/// Reads a whole DMA buffer.
pub fn read_all<T: Transport>(dev: &mut Device<T>, buf: &DmaBuffer) -> Vec<u8> {
    let mut v = vec![0u8; buf.len()];
    dev.read(buf, 0, &mut v).unwrap();
    v
}

/// Applies a COPY the way memcpy would, for tests that check bytes.
pub fn expect_copy(image: &mut [u8], image_base: u64, src: &[u8], src_base: u64, d: &Descriptor) {
    let s = (d.src_addr - src_base) as usize;
    let t = (d.dst_addr - image_base) as usize;
    let n = d.length as usize;
    image[t..t + n].copy_from_slice(&src[s..s + n]);
}

/// Rounds of 8 random COPYs (up to `max_len` bytes, any alignment) from
/// `span` random bytes into a second buffer of `span` bytes on queue `q`,
/// each batch with one doorbell; `after_submit(dev, round)` runs between the
/// submission and the wait. Every completion and the whole destination are
/// checked against memcpy after each round.
pub fn random_copy_rounds<T: Transport>(
    dev: &mut Device<T>,
    q: alpc_host::QueueId,
    rng: &mut Rng,
    span: usize,
    rounds: u64,
    max_len: u64,
    mut after_submit: impl FnMut(&mut Device<T>, u64),
) {
    let (src, dst) = (dev.alloc(span).unwrap(), dev.alloc(span).unwrap());
    let data = rng.bytes(span);
    dev.write(&src, 0, &data).unwrap();
    let mut image = vec![0u8; span];
    for round in 0..rounds {
        let batch: Vec<Descriptor> = (0..8)
            .map(|k| {
                let len = copy_len(rng, max_len);
                let (s, d) = (rng.range(0, span as u64 - len), rng.range(0, span as u64 - len));
                Descriptor::copy(src.iova() + s, dst.iova() + d, len as u32, round * 100 + k)
            })
            .collect();
        dev.submit(q, &batch).unwrap();
        after_submit(dev, round);
        let done = dev.wait(q, batch.len(), std::time::Duration::from_secs(60)).unwrap();
        for (d, c) in batch.iter().zip(&done) {
            assert_eq!((c.user_data, alpc_host::check(c).unwrap()), (d.user_data, d.length));
            expect_copy(&mut image, dst.iova(), &data, src.iova(), d);
        }
        assert!(read_all(dev, &dst) == image, "round {round}: destination differs");
    }
}

/// Formats a completion for assertion messages.
pub fn show(c: &Completion) -> String {
    format!(
        "user {:#x} status {} result {} sq_head {} phase {}",
        c.user_data,
        c.status().map(|s| s.name()).unwrap_or("?"),
        c.result,
        c.sq_head,
        c.phase as u8
    )
}

/// The `alpc` binary of this build, brought up to date first (a no-op when
/// it is), so tests run the current code.
pub fn alpc_binary() -> std::path::PathBuf {
    built(&["--bin", "alpc"]).join("alpc")
}

/// The broker, `alpcd`, built first like [`alpc_binary`].
pub fn alpcd_binary() -> std::path::PathBuf {
    built(&["--bin", "alpcd"]).join("alpcd")
}

/// An example of the host library, built first like [`alpc_binary`].
pub fn example_binary(name: &str) -> std::path::PathBuf {
    built(&["--example", name]).join("examples").join(name)
}

/// Builds `what` of `alpc-host` in this test's profile; returns the
/// profile's output directory.
fn built(what: &[&str]) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<test> or target/<profile>/<binary>
    let mut dir = exe.parent().unwrap().to_path_buf();
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.pop();
    }
    let release = dir.file_name().is_some_and(|n| n == "release");
    let mut cmd = std::process::Command::new(env!("CARGO"));
    cmd.args(["build", "-q", "-p", "alpc-host"]).args(what);
    if release {
        cmd.arg("--release");
    }
    assert!(cmd.status().unwrap().success(), "building {what:?} failed");
    dir
}

/// Starts a server process and waits (up to `limit`) until it has created
/// its socket at `socket`; panics if it exits first.
pub fn spawn_listening(
    mut cmd: std::process::Command,
    socket: &std::path::Path,
    limit: std::time::Duration,
) -> std::process::Child {
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("start {cmd:?}: {e}"));
    let t = std::time::Instant::now();
    while !socket.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{cmd:?} exited before opening its socket: {status}");
        }
        assert!(t.elapsed() < limit, "{cmd:?} never opened its socket");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child
}

/// `alpcd` running in a child process on a socket of its own, stopped
/// (SIGTERM: it tears everything down and removes its socket) when dropped.
pub struct Alpcd {
    child: std::process::Child,
    socket: std::path::PathBuf,
}

impl Alpcd {
    /// Starts the broker with `args` (e.g. `--backend sim:40`) and waits
    /// for its socket; `tag` names the socket.
    pub fn start(tag: &str, args: &[&str]) -> Alpcd {
        Self::start_as(std::process::Command::new(alpcd_binary()), tag, args)
    }

    /// [`Alpcd::start`] of `cmd` (e.g. `alpc daemon`).
    pub fn start_as(mut cmd: std::process::Command, tag: &str, args: &[&str]) -> Alpcd {
        let socket = std::env::temp_dir().join(format!("alpcd-{tag}-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&socket);
        cmd.args(args).args(["--mode", "600", "--socket"]).arg(&socket);
        Alpcd { child: spawn_listening(cmd, &socket, std::time::Duration::from_secs(60)), socket }
    }

    /// The socket's path.
    pub fn socket(&self) -> &str {
        self.socket.to_str().expect("UTF-8 temp dir")
    }

    /// The backend spec that reaches it (`daemon:PATH`).
    pub fn spec(&self) -> String {
        format!("daemon:{}", self.socket())
    }
}

impl Drop for Alpcd {
    fn drop(&mut self) {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}
