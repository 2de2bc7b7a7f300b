//! The host library's examples, run as a user runs them, on the simulated
//! device and on the reference model; each checks its own results and
//! exits non-zero when one is wrong.

use alpc_tests::{example_binary, Alpcd};
use std::process::Command;

fn run(name: &str, args: &[&str]) -> String {
    let out = Command::new(example_binary(name)).args(args).env("RUST_BACKTRACE", "0").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{name} {args:?}:\n{text}");
    text
}

#[test]
fn echo_server() {
    for backend in ["sim:20", "model"] {
        let out = run("echo_server", &[backend]);
        assert!(out.contains("client 102: sent \"echo, echo\", got \"echo, echo\"") && out.contains("echo server: done"), "{out}");
    }
}

#[test]
fn rpc() {
    for backend in ["sim:20", "model"] {
        let out = run("rpc", &[backend]);
        assert!(out.contains("Mul(6, 7) = 42") && out.contains("Div(1, 0) failed: the service refused"), "{out}");
    }
}

#[test]
fn datagram_fanout() {
    for backend in ["sim:20", "model"] {
        let out = run("datagram_fanout", &[backend, "24"]);
        assert!(out.contains("24 updates to 4 subscribers: [24, 24, 24, 24] received"), "{out}");
    }
}

#[test]
fn many_clients() {
    let out = run("many_clients", &["sim:20", "6", "10"]);
    assert!(out.contains("6 clients, 60 requests served in"), "{out}");
    let out = run("many_clients", &["model", "15", "40"]);
    assert!(out.contains("15 clients, 600 requests served in"), "{out}");
}

#[test]
fn zero_copy() {
    for backend in ["sim:20", "model"] {
        let out = run("zero_copy", &[backend]);
        assert!(out.contains("read the 64 MiB in place, checksum") && out.contains("the client's next copy is refused"), "{out}");
    }
    // On the simulated device, passing a view costs the same whatever its size.
    let out = run("zero_copy", &["sim:20"]);
    let costs: Vec<&str> = out.lines().filter(|l| l.starts_with("view of")).map(|l| l.split_once("bytes: ").unwrap().1).collect();
    assert_eq!(costs.len(), 4, "{out}");
    // (The first grant takes a never-used table entry: a few cycles apart.)
    let sends: Vec<&str> = costs.iter().map(|c| c.split_once(", ").unwrap().1).collect();
    assert!(sends.windows(2).all(|w| w[0] == w[1]), "sending grew with the size:\n{out}");
    assert!(costs[1..].windows(2).all(|w| w[0] == w[1]), "granting grew with the size:\n{out}");
}

#[test]
fn bad_backend_is_a_clear_error() {
    let out = Command::new(example_binary("rpc")).arg("fpga").output().unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && text.contains("unknown backend `fpga`: use sim"), "{text}");
}

/// The same examples, unchanged, through `alpcd` (each context the broker's,
/// with its identity and memory): `daemon:PATH` is just another backend.
#[test]
fn the_examples_run_through_the_broker() {
    let broker = Alpcd::start("examples", &["--backend", "sim:20"]);
    let spec = broker.spec();
    let out = run("echo_server", &[&spec]);
    assert!(out.contains("echo server: done") && out.contains("got \"echo, echo\""), "{out}");
    let out = run("rpc", &[&spec]);
    assert!(out.contains("Mul(6, 7) = 42") && out.contains("Div(1, 0) failed: the service refused"), "{out}");
    let out = run("datagram_fanout", &[&spec, "24"]);
    assert!(out.contains("24 updates to 4 subscribers: [24, 24, 24, 24] received"), "{out}");
    let out = run("many_clients", &[&spec, "6", "10"]);
    assert!(out.contains("6 clients, 60 requests served in"), "{out}");
    let out = run("zero_copy", &[&spec]);
    assert!(out.contains("read the 64 MiB in place, checksum") && out.contains("the client's next copy is refused"), "{out}");
}
