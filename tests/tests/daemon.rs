//! Inter-process communication through `alpcd`, with real processes: the
//! broker owns the simulated device; a server process and client processes
//! (`alpc-party`, spawned children, not threads) exchange requests,
//! replies, datagrams and views; one client is killed with SIGKILL in the
//! middle of a request; another process tries to reach what is not its
//! own. Every fact is read from the children's output.

use alpc_host::Device;
use alpc_tests::{alpc_binary, random_copy_rounds, Alpcd, Rng};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// How long a test waits for a line before it calls the run broken (wall
/// time, generous: the device is simulated and the machine is shared).
const LINE_WAIT: Duration = Duration::from_secs(120);

/// A spawned `alpc-party` and its output, line by line.
struct Party {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Party {
    fn spawn(args: &[&str]) -> Party {
        let mut child = Command::new(env!("CARGO_BIN_EXE_alpc-party"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .env("RUST_BACKTRACE", "0")
            .spawn()
            .expect("spawn alpc-party");
        let (tx, lines) = channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        Party { stdin: child.stdin.take(), child, lines, seen: Vec::new() }
    }

    /// The next line starting with `prefix` (earlier lines are kept in
    /// `seen`).
    fn expect(&mut self, prefix: &str) -> String {
        loop {
            let l = self.lines.recv_timeout(LINE_WAIT).unwrap_or_else(|_| {
                panic!("no `{prefix}` line; saw {:?}; exit {:?}", self.seen, self.child.try_wait())
            });
            self.seen.push(l.clone());
            if l.starts_with(prefix) {
                return l;
            }
        }
    }

    /// A line starting with `prefix` already seen, else the next one.
    fn seen_or_expect(&mut self, prefix: &str) -> String {
        match self.seen.iter().find(|l| l.starts_with(prefix)) {
            Some(l) => l.clone(),
            None => self.expect(prefix),
        }
    }

    fn say(&mut self, line: &str) {
        writeln!(self.stdin.as_mut().unwrap(), "{line}").unwrap();
    }

    fn finish(mut self) -> Vec<String> {
        let status = self.child.wait().unwrap();
        self.seen.extend(self.lines.try_iter());
        assert!(status.success(), "alpc-party failed ({status}): {:?}", self.seen);
        std::mem::take(&mut self.seen)
    }
}

impl Drop for Party {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `key=value` of a line.
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split(' ').find_map(|w| w.strip_prefix(key).and_then(|r| r.strip_prefix('='))).unwrap_or_else(|| panic!("{key} in {line}"))
}

#[test]
fn processes_talk_through_the_broker_and_a_killed_client_is_noticed() {
    let broker = Alpcd::start("ipc", &["--backend", "sim:40", "--memory", "16"]);
    let s = broker.socket();
    let mut server = Party::spawn(&["server", s, "calc"]);
    let server_id = field(&server.expect("READY"), "id").to_string();

    const CLIENTS: usize = 3;
    const REQUESTS: u32 = 8;
    let mut clients: Vec<Party> =
        (0..CLIENTS).map(|_| Party::spawn(&["client", s, "calc", &REQUESTS.to_string()])).collect();
    let mut hanging = Party::spawn(&["hang", s, "calc"]);
    // Identity -> the pid the client process really has.
    let mut pid_of = HashMap::new();
    for c in clients.iter_mut().chain(std::iter::once(&mut hanging)) {
        let l = c.expect("CONNECTED");
        pid_of.insert(field(&l, "id").to_string(), c.child.id());
    }
    assert_eq!(pid_of.len(), CLIENTS + 1, "each process has its own identity");
    assert!(!pid_of.contains_key(&server_id));
    for c in &mut clients {
        c.expect("HALF");
    }
    let hung_id = field(&server.expect("HANG"), "id").to_string();
    assert_eq!(pid_of[&hung_id], hanging.child.id());

    // SIGKILL in the middle of a request: no exit handler runs, the socket
    // closes, the broker tears the context down in hardware.
    hanging.child.kill().unwrap();
    hanging.child.wait().unwrap();
    let closed = server.expect(&format!("CLOSED id={hung_id} "));
    assert_eq!(field(&closed, "died"), "true", "the client died, it did not close its port");
    let dead = server.expect(&format!("DEADREPLY id={hung_id} "));
    assert!(dead.contains("error"), "a reply to a dead client's request fails: {dead}");

    // Every other connection goes on.
    for c in &mut clients {
        c.say("go");
    }
    let sums: Vec<(String, String)> = clients
        .drain(..)
        .map(|c| {
            let pid = c.child.id();
            let out = c.finish();
            let done = out.iter().find(|l| l.starts_with("DONE")).expect("DONE").clone();
            let id = pid_of.iter().find(|(_, p)| **p == pid).unwrap().0.clone();
            (id, field(&done, "sum").to_string())
        })
        .collect();
    for (id, sum) in &sums {
        let view = server.seen_or_expect(&format!("VIEW id={id} "));
        assert_eq!(field(&view, "sum"), sum, "the view's bytes as the client wrote them");
    }
    for (id, _) in &sums {
        server.seen_or_expect(&format!("CLOSED id={id} "));
    }

    // What the server saw: the kernel's uid and pid of each client, each
    // request once, in order, with that client's identity.
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    let connects: Vec<&String> = server.seen.iter().filter(|l| l.starts_with("CONNECT ")).collect();
    assert_eq!(connects.len(), CLIENTS + 1, "{:?}", server.seen);
    for l in connects {
        let id = field(l, "id");
        assert_eq!(field(l, "pid").parse::<u32>().unwrap(), pid_of[id], "{l}");
        assert_eq!(field(l, "uid").parse::<u32>().unwrap(), uid, "{l}");
    }
    for (id, _) in &sums {
        let got: Vec<&str> =
            server.seen.iter().filter(|l| l.starts_with(&format!("REQUEST id={id} "))).map(|l| l.split("payload=").nth(1).unwrap()).collect();
        let want: Vec<String> = (0..REQUESTS).map(|k| format!("ping {k}")).chain(["last".to_string()]).collect();
        assert_eq!(got, want, "client {id}");
        assert!(server.seen.iter().any(|l| *l == format!("DATAGRAM id={id} payload=dg")));
    }
}

#[test]
fn a_process_cannot_reach_another_ones_contexts_registers_or_memory() {
    let broker = Alpcd::start("snoop", &["--backend", "sim:40", "--memory", "16"]);
    let s = broker.socket();
    let mut server = Party::spawn(&["server", s, "vault"]);
    let ready = server.expect("READY");
    let snoop = Party::spawn(&["snoop", s, "vault", field(&ready, "secret"), field(&ready, "port"), field(&ready, "section")]);
    let out = snoop.finish();
    let checks: Vec<&String> = out.iter().filter(|l| l.starts_with("CHECK ")).collect();
    assert_eq!(checks.len(), 13, "{out:?}");
    for c in checks {
        assert!(c.ends_with(" ok"), "{c}");
    }
    assert!(out.iter().any(|l| l == "SECRET intact"), "{out:?}");
}

/// `alpc daemon` is the broker too, and the queue layer works through it:
/// DMA copies inside this process's memory, random sizes and alignments,
/// byte for byte.
#[test]
fn copies_through_alpc_daemon() {
    let mut cmd = Command::new(alpc_binary());
    cmd.arg("daemon");
    let broker = Alpcd::start_as(cmd, "copies", &["--backend", "sim:40", "--memory", "4"]);
    let mut dev = Device::connect_daemon(broker.socket()).unwrap();
    let q = dev.create_queue(32, 32).unwrap();
    random_copy_rounds(&mut dev, q, &mut Rng::new(9), 64 * 1024, 3, 8 * 1024, |_, _| {});
    // 4 MiB of memory: a larger buffer is refused with a clear error.
    let err = dev.alloc(8 << 20).unwrap_err().to_string();
    assert!(err.contains("4 MiB of DMA memory is used up"), "{err}");
}

/// Bad input and floods on the socket: each gets a clear refusal, and the
/// broker goes on serving; contexts of a closed connection come back.
#[test]
fn the_broker_survives_garbage_floods_and_greedy_processes() {
    use alpc_host::daemon::unix::Seqpacket;
    use alpc_host::daemon::{Hello, Reply, Request};
    let broker = Alpcd::start("flood", &["--backend", "model", "--memory", "1"]);
    let path = std::path::Path::new(broker.socket());
    let open = || {
        let s = Seqpacket::connect(path).unwrap();
        let (m, fds) = s.recv(Some(Duration::from_secs(30))).unwrap();
        (s, Hello::decode(&m).unwrap(), fds)
    };
    let ask = |s: &Seqpacket, msg: &[u8]| {
        s.send(msg, &[]).unwrap();
        let (m, _) = s.recv(Some(Duration::from_secs(30))).unwrap();
        Reply::decode(&m).expect("an answer").result
    };
    let (s, hello, fds) = open();
    assert_eq!(fds.len(), 3, "memory, doorbell page, kick eventfd");
    assert_eq!(hello.memory_len, 1 << 20);
    for garbage in [&b"xyz"[..], &[0xFF; 24][..], &[0; 200][..]] {
        assert_eq!(ask(&s, garbage), Err("malformed request".into()));
    }
    let err = ask(&s, &Request::Write32 { offset: alpc_contract::regs::ctx_cfg(0, 0), value: 1 }.encode()).unwrap_err();
    assert!(err.contains("belongs to another process"), "{err}");
    // A greedy process takes every context; the next is refused clearly.
    let mut claimed = 0;
    let refusal = loop {
        match ask(&s, &Request::Claim.encode()) {
            Ok(_) => claimed += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(claimed, hello.contexts, "{refusal}");
    assert!(refusal.contains("contexts are in use"), "{refusal}");
    // 200 connections that never read their greeting, closed at once.
    let flood: Vec<Seqpacket> = (0..200).map(|_| Seqpacket::connect(path).unwrap()).collect();
    drop(flood);
    // The greedy process goes away: its contexts are torn down and free.
    drop((s, fds));
    let (s, _, _) = open();
    let t = std::time::Instant::now();
    let ctx = loop {
        match ask(&s, &Request::Claim.encode()) {
            Ok(v) => break v[0],
            Err(e) => {
                assert!(t.elapsed() < Duration::from_secs(60), "contexts never came back: {e}");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    };
    assert!(ctx < hello.contexts as u64);
}

/// Tokio tasks through the broker: waiting tasks sleep on the interrupt
/// channels the broker signals (tokio's reactor watches them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_tasks_through_the_broker() {
    let broker = Alpcd::start("tokio", &["--backend", "sim:40", "--memory", "16"]);
    let dev = alpc_host::SharedDevice::connect_daemon(broker.socket()).unwrap();
    alpc_tests::scenarios::tokio_tasks(dev, 6, 20).await;
}
