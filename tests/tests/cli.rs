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

/// `alpc bench --quick`: every file, every channel and condition, figures
/// that hang together (time is cycles at the stated clock; a view costs the
/// same for 4 KiB and 1 MiB while a copy grows with the bytes).
#[test]
fn bench_quick_writes_every_figure() {
    let dir = std::env::temp_dir().join(format!("alpc-bench-{}", std::process::id()));
    let (ok, out) = run(&["bench", "--quick", "--out", dir.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(out.contains("request + reply: accelerator") && out.contains("ECP5 Fmax"), "{out}");
    let md = std::fs::read_to_string(dir.join("bench.md")).unwrap();
    let sections = ["## Round trip", "## One way", "## Message rate", "## Host CPU", "## Passing a buffer", "## Scaling"];
    for section in sections {
        assert!(md.contains(section), "{section} missing:\n{md}");
    }
    for svg in ["round_trip", "one_way", "message_rate", "batching", "host_cpu", "zero_copy", "scaling"] {
        let text = std::fs::read_to_string(dir.join(format!("{svg}.svg"))).unwrap();
        assert!(text.starts_with("<svg") && text.contains("<polyline"), "{svg}.svg has no lines");
    }
    let csv = std::fs::read_to_string(dir.join("bench.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert!(csv.starts_with("source,system,clock_mhz,host_latency_ns,samples,payload_bytes,batch,metric,value,unit\n"));
    assert!(rows.iter().all(|r| r.len() == 10), "every row has 10 fields");
    for r in &rows {
        let v: f64 = r[8].parse().unwrap();
        assert!(v.is_finite() && (v > 0.0 || (r[9] == "count" && v == 0.0)), "{r:?}");
    }
    for channel in ["unix-stream", "unix-dgram", "pipe", "shm-futex", "shm-spin", "iceoryx2"] {
        assert!(rows.iter().any(|r| r[0] == "measured" && r[1] == channel && r[7] == "round_trip_median"), "{channel}");
    }
    let value = |cond: (&str, &str), payload: &str, metric: &str, unit: &str| -> f64 {
        rows.iter()
            .find(|r| (r[2], r[3]) == cond && r[5] == payload && r[7] == metric && r[9] == unit)
            .unwrap_or_else(|| panic!("no {metric} {unit} at {cond:?}, {payload}"))[8]
            .parse()
            .unwrap()
    };
    let cond = ("250", "1000");
    let cycles = value(cond, "8", "round_trip", "cycles");
    assert!((value(cond, "8", "round_trip", "ns") - cycles * 4.0).abs() < 1e-6);
    // The host model's 1 µs is 250 cycles at 250 MHz: a round trip takes several.
    assert!(cycles > 4.0 * 250.0, "{cycles}");
    let view = |size: &str| value(cond, size, "pass_by_view", "cycles");
    let copy = |size: &str| value(cond, size, "pass_by_dma_copy", "cycles");
    assert!((view("1048576") - view("4096")).abs() < 0.05 * view("4096"));
    assert!(copy("1048576") > 50.0 * copy("4096") / 2.0 && copy("1048576") > 65_536.0);
    std::fs::remove_dir_all(&dir).unwrap();
    // Bad input is refused before anything runs.
    let (ok, out) = run(&["bench", "--round-trips", "5"]);
    assert!(!ok && out.contains("round-trips"), "{out}");
}
