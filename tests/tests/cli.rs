//! The `alpc` command line as a user runs it.

use alpc_tests::alpc_binary;
use std::process::Command;

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(alpc_binary()).args(args).env("RUST_BACKTRACE", "0").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// The README's first command runs this: it must finish and verify memory.
#[test]
fn demo_runs_and_verifies() {
    let (ok, out) = run(&["demo", "--latency", "40"]);
    assert!(ok, "{out}");
    assert!(out.contains("verified: every copied byte matches its source"), "{out}");
    assert!(out.contains("BAD_OPCODE") && out.contains("BAD_LENGTH"), "{out}");
    assert!(out.contains("AXI rule breaches: 0"), "{out}");
    // The ALPC part: identities, payloads, a rejection and a client's death.
    assert!(out.contains("verified: identities, payloads and notices"), "{out}");
    assert!(out.contains("\"pong: ping\"") && out.contains("REFUSED") && out.contains("PEER_CLOSED"), "{out}");
}

#[test]
fn info_reads_the_device() {
    let (ok, out) = run(&["info"]);
    assert!(ok, "{out}");
    assert!(out.contains("16 contexts") && out.contains("contract 0.2"), "{out}");
}

#[test]
fn bad_input_gets_a_clear_error() {
    for (args, says) in [
        (vec!["demo", "--latency", "x"], "is not a cycle count"),
        (vec!["demo", "--bandwidth", "17"], "must be in (0, 16]"),
        (vec!["bind", "zz"], "is not a PCI address"),
        (vec!["demo", "--device", "0000:7f:1f.7"], "no PCI device at 0000:7f:1f.7"),
        (vec!["frobnicate"], "unknown command"),
    ] {
        let (ok, out) = run(&args);
        assert!(!ok, "{args:?} must fail");
        assert!(out.contains(says), "{args:?}: {out}");
    }
}
