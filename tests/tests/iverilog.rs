//! The emitted Verilog under a second, event-driven simulator (Icarus
//! Verilog), with its own SystemVerilog test bench (`tests/iverilog/`):
//! a copy and a NOP through a minimal AXI host memory, completions and bytes
//! checked. Verilator evaluates `always @(*)` blocks in its own order; this
//! catches logic that depends on it. Needs `iverilog` (Debian: iverilog;
//! `cargo xtask test` installs it); says so and passes without it.

use std::process::Command;

#[test]
fn core_copies_under_icarus_verilog() {
    if !Command::new("iverilog").arg("-V").output().is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: iverilog not found (Debian: apt-get install iverilog)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("alpc-iverilog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for f in alpc_rtl::emit_core() {
        let p = dir.join(&f.name);
        std::fs::write(&p, &f.text).unwrap();
        files.push(p);
    }
    let tb = concat!(env!("CARGO_MANIFEST_DIR"), "/iverilog/tb_alpc_core.sv");
    let vvp = dir.join("tb.vvp");
    let out = Command::new("iverilog")
        .args(["-g2012", "-s", "tb", "-o"])
        .arg(&vvp)
        .arg(tb)
        .args(&files)
        .output()
        .unwrap();
    assert!(out.status.success(), "iverilog: {}", String::from_utf8_lossy(&out.stderr));
    let run = Command::new("vvp").arg("-n").arg(&vvp).output().unwrap();
    let text = String::from_utf8_lossy(&run.stdout).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    println!("{}", text.trim());
    assert!(text.contains("PASS"), "Icarus run: {text}{}", String::from_utf8_lossy(&run.stderr));
}
