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
    assert!(out.contains("CONNECTION_REQUEST from identity 2002 (bob): \"hello from bob\""), "{out}");
    assert!(out.contains("REPLY from identity 1000: \"pong: ping from alice\""), "{out}");
    assert!(out.contains("(REFUSED)") && out.contains("the client died (PEER_CLOSED)"), "{out}");
}

/// A long run shows its progress and ends with its figures.
#[test]
fn demo_load_shows_progress() {
    let (ok, out) = run(&["demo", "--latency", "20", "--clients", "3", "--load", "20"]);
    assert!(ok, "{out}");
    assert!(out.contains("load:  50% (30/60 requests answered)") && out.contains("load: 100%"), "{out}");
    assert!(out.contains("load: 60 requests answered in"), "{out}");
    // As many clients as the device has contexts for.
    let (ok, out) = run(&["demo", "--latency", "0", "--clients", "14", "--load", "3"]);
    assert!(ok && out.contains("load: 42 requests answered in"), "{out}");
}

#[test]
fn rtl_and_trace_write_their_files() {
    let dir = std::env::temp_dir().join(format!("alpc-cli-{}", std::process::id()));
    let (ok, out) = run(&["rtl", "--out", dir.to_str().unwrap()]);
    assert!(ok, "{out}");
    let list = std::fs::read_to_string(dir.join("alpc_core.f")).unwrap();
    assert!(list.lines().next() == Some("alpc_core.sv") && list.lines().count() > 10, "{list}");
    assert!(std::fs::read_to_string(dir.join("alpc_core.sv")).unwrap().contains("module alpc_core"));
    let vcd = dir.join("run.vcd");
    let (ok, out) = run(&["trace", vcd.to_str().unwrap(), "--latency", "20"]);
    assert!(ok, "{out}");
    let wave = std::fs::read_to_string(&vcd).unwrap();
    assert!(wave.contains("$enddefinitions") && wave.lines().filter(|l| l.starts_with('#')).count() > 1000);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn info_reads_the_device() {
    let (ok, out) = run(&["info"]);
    assert!(ok, "{out}");
    let version = format!("contract {}.{}", alpc_contract::regs::VERSION_MAJOR, alpc_contract::regs::VERSION_MINOR);
    assert!(out.contains("16 contexts") && out.contains(&version), "{out}");
}

#[test]
fn bad_input_gets_a_clear_error() {
    for (args, says) in [
        (vec!["demo", "--latency", "x"], "is not a cycle count"),
        (vec!["demo", "--bandwidth", "17"], "must be in (0, 16]"),
        (vec!["bind", "zz"], "is not a PCI address"),
        (vec!["demo", "--device", "0000:7f:1f.7"], "no PCI device at 0000:7f:1f.7"),
        (vec!["frobnicate"], "unrecognized subcommand"),
        (vec!["demo", "--clients", "1"], "1 is not in 2..=14"),
        (vec!["info", "--device", "0000:01:00.0", "--socket", "/x"], "cannot be used with"),
        (vec!["rtl", "--out", "/proc/none"], "cannot write into /proc/none"),
    ] {
        let (ok, out) = run(&args);
        assert!(!ok, "{args:?} must fail");
        assert!(out.contains(says), "{args:?}: {out}");
    }
}
