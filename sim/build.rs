//! Builds the emitted Verilog with Verilator, once.
//!
//! 1. The RustHDL description (`alpc-rtl`, a build dependency) is emitted as
//!    one `.sv` file per module.
//! 2. The files are hashed; the Verilator build lives in
//!    `target/verilator/alpc_core-<hash>/`, so it is reused by every profile
//!    and every later build until the Verilog changes.
//! 3. Verilator's header lists the top-level ports; from it this script
//!    writes a small `extern "C"` C++ shim (one setter or getter per port)
//!    and the matching Rust declarations, so no accessor is written by hand.
//!
//! Needs `verilator` (Debian's 5.006 is what CI uses) and a C++ compiler;
//! `cargo xtask deps` installs both.

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

const TOP: &str = "alpc_core";
const PREFIX: &str = "Valpc_core";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=verilator.flags");
    println!("cargo:rerun-if-env-changed=VERILATOR");
    let files = alpc_rtl::emit_core();
    let mut h = DefaultHasher::new();
    for f in &files {
        f.name.hash(&mut h);
        f.text.hash(&mut h);
    }
    let flags = verilator_flags();
    flags.hash(&mut h);
    let hash = format!("{:016x}", h.finish());

    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    // OUT_DIR = <target>/<profile>/build/<pkg>-<hash>/out
    let target_dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| out_dir.ancestors().nth(4).unwrap().to_path_buf());
    let build_dir = target_dir.join("verilator").join(format!("{TOP}-{hash}"));
    let obj_dir = build_dir.join("obj");
    let stamp = build_dir.join("built.stamp");
    let verilator = std::env::var("VERILATOR").unwrap_or_else(|_| "verilator".into());

    if !stamp.exists() {
        let src_dir = build_dir.join("src");
        std::fs::create_dir_all(&src_dir).unwrap();
        let mut paths = Vec::new();
        for f in &files {
            let p = src_dir.join(&f.name);
            std::fs::write(&p, &f.text).unwrap();
            paths.push(p);
        }
        let _ = std::fs::remove_dir_all(&obj_dir);
        let status = Command::new(&verilator)
            .args(&flags)
            .args(["--top-module", TOP, "--prefix", PREFIX, "-Mdir"])
            .arg(&obj_dir)
            .args(&paths)
            .status()
            .unwrap_or_else(|e| {
                panic!(
                    "\n\nalpc-sim needs Verilator to build the simulated device, and running \
                     `{verilator}` failed: {e}.\nInstall it with `cargo xtask deps` \
                     (Debian/Ubuntu: apt-get install verilator g++).\n\n"
                )
            });
        assert!(
            status.success(),
            "verilator failed ({status}); see the output above"
        );
        std::fs::write(&stamp, &hash).unwrap();
    }

    let root = verilator_root(&verilator);
    let include = root.join("include");
    let ports = parse_ports(&obj_dir.join(format!("{PREFIX}.h")));
    let (cpp, rs) = generate_shim(&ports);
    std::fs::write(out_dir.join("shim.cpp"), cpp).unwrap();
    std::fs::write(out_dir.join("ports.rs"), rs).unwrap();
    std::fs::write(out_dir.join("verilog_hash.txt"), &hash).unwrap();

    cc::Build::new()
        .cpp(true)
        .std("c++17")
        .opt_level(2)
        .warnings(false)
        .define("VM_TRACE", "1")
        .define("VM_TRACE_VCD", "1")
        .define("VM_TRACE_FST", "0")
        .include(&obj_dir)
        .include(&include)
        .include(include.join("vltstd"))
        .file(out_dir.join("shim.cpp"))
        .file(include.join("verilated.cpp"))
        .file(include.join("verilated_vcd_c.cpp"))
        .file(include.join("verilated_threads.cpp"))
        .compile("alpc_sim_shim");
    // rustc wants lib<name>.a; Verilator writes <prefix>__ALL.a.
    let lib = out_dir.join("libalpc_core_model.a");
    std::fs::copy(obj_dir.join(format!("{PREFIX}__ALL.a")), &lib).unwrap();
    println!("cargo:rustc-link-search=native={}", out_dir.display());
    println!("cargo:rustc-link-lib=static=alpc_core_model");
    println!("cargo:rustc-link-lib=dylib=pthread");
    println!("cargo:rustc-env=ALPC_VERILATOR_DIR={}", build_dir.display());
}

/// Verilator flags, from `verilator.flags`; part of the cache key.
fn verilator_flags() -> Vec<String> {
    let text = include_str!("verilator.flags");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(String::from)
        .collect()
}

fn verilator_root(verilator: &str) -> PathBuf {
    let out = Command::new(verilator)
        .args(["--getenv", "VERILATOR_ROOT"])
        .output()
        .expect("verilator --getenv");
    let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!s.is_empty(), "verilator did not report VERILATOR_ROOT");
    PathBuf::from(s)
}

struct Port {
    name: String,
    input: bool,
    bits: usize,
}

/// Reads `VL_IN8(&clock,0,0);`, `VL_OUTW(&m_axi_wdata,127,0,4);`, ...
fn parse_ports(header: &Path) -> Vec<Port> {
    let text = std::fs::read_to_string(header).expect("Verilator header");
    let mut ports = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        let Some(open) = l.find("(&") else { continue };
        let mac = &l[..open];
        let input = match mac {
            "VL_IN8" | "VL_IN16" | "VL_IN" | "VL_IN64" | "VL_INW" => true,
            "VL_OUT8" | "VL_OUT16" | "VL_OUT" | "VL_OUT64" | "VL_OUTW" => false,
            _ => continue,
        };
        let args: Vec<&str> = l[open + 2..].trim_end_matches(");").split(',').collect();
        let msb: usize = args[1].trim().parse().unwrap();
        ports.push(Port {
            name: args[0].trim().to_string(),
            input,
            bits: msb + 1,
        });
    }
    assert!(
        ports.iter().any(|p| p.name == "clock"),
        "no ports found in {}",
        header.display()
    );
    ports
}

fn generate_shim(ports: &[Port]) -> (String, String) {
    let mut cpp = String::new();
    let mut rs = String::new();
    writeln!(
        cpp,
        r#"// Generated by alpc-sim/build.rs from {PREFIX}.h. Do not edit.
#include "{PREFIX}.h"
#include "verilated.h"
#include "verilated_vcd_c.h"
#include <cstdint>

struct AlpcSim {{
    VerilatedContext* ctx;
    {PREFIX}* top;
    VerilatedVcdC* vcd;
}};

double sc_time_stamp() {{ return 0; }}

extern "C" {{
AlpcSim* alpc_sim_new() {{
    AlpcSim* s = new AlpcSim;
    s->ctx = new VerilatedContext;
    s->ctx->traceEverOn(true);
    s->top = new {PREFIX}{{s->ctx}};
    s->vcd = nullptr;
    return s;
}}
void alpc_sim_free(AlpcSim* s) {{
    if (s->vcd) {{ s->vcd->close(); delete s->vcd; }}
    s->top->final();
    delete s->top;
    delete s->ctx;
    delete s;
}}
void alpc_sim_eval(AlpcSim* s) {{ s->top->eval(); }}
int alpc_sim_trace_open(AlpcSim* s, const char* path) {{
    if (s->vcd) return 1;
    s->vcd = new VerilatedVcdC;
    s->top->trace(s->vcd, 99);
    s->vcd->open(path);
    return s->vcd->isOpen() ? 0 : 2;
}}
void alpc_sim_trace_dump(AlpcSim* s, uint64_t t) {{ if (s->vcd) s->vcd->dump(t); }}
void alpc_sim_trace_close(AlpcSim* s) {{
    if (s->vcd) {{ s->vcd->close(); delete s->vcd; s->vcd = nullptr; }}
}}"#
    )
    .unwrap();
    writeln!(
        rs,
        "// Generated by alpc-sim/build.rs. Do not edit.\nextern \"C\" {{"
    )
    .unwrap();
    let mut methods = String::new();
    for p in ports {
        let n = &p.name;
        if p.bits <= 64 {
            if p.input {
                writeln!(
                    cpp,
                    "void alpc_sim_set_{n}(AlpcSim* s, uint64_t v) {{ s->top->{n} = v; }}"
                )
                .unwrap();
                writeln!(rs, "    fn alpc_sim_set_{n}(s: *mut AlpcSimRaw, v: u64);").unwrap();
                writeln!(
                    methods,
                    "    /// Drives input `{n}` ({b} bits).\n    #[inline]\n    pub fn set_{n}(&mut self, v: u64) {{ debug_assert!({b} == 64 || v >> {b} == 0, \"{n} overflow\"); unsafe {{ alpc_sim_set_{n}(self.raw(), v) }} }}",
                    b = p.bits
                )
                .unwrap();
            } else {
                writeln!(
                    cpp,
                    "uint64_t alpc_sim_get_{n}(AlpcSim* s) {{ return s->top->{n}; }}"
                )
                .unwrap();
                writeln!(rs, "    fn alpc_sim_get_{n}(s: *mut AlpcSimRaw) -> u64;").unwrap();
                writeln!(
                    methods,
                    "    /// Reads output `{n}` ({b} bits).\n    #[inline]\n    pub fn get_{n}(&self) -> u64 {{ unsafe {{ alpc_sim_get_{n}(self.raw()) }} }}",
                    b = p.bits
                )
                .unwrap();
            }
        } else {
            let words = p.bits.div_ceil(32);
            if p.input {
                writeln!(cpp, "void alpc_sim_set_{n}(AlpcSim* s, const uint32_t* w) {{ for (int i = 0; i < {words}; i++) s->top->{n}[i] = w[i]; }}").unwrap();
                writeln!(
                    rs,
                    "    fn alpc_sim_set_{n}(s: *mut AlpcSimRaw, w: *const u32);"
                )
                .unwrap();
                writeln!(
                    methods,
                    "    /// Drives input `{n}` ({b} bits) from little-endian 32-bit words.\n    #[inline]\n    pub fn set_{n}(&mut self, w: &[u32; {words}]) {{ unsafe {{ alpc_sim_set_{n}(self.raw(), w.as_ptr()) }} }}",
                    b = p.bits
                )
                .unwrap();
            } else {
                writeln!(cpp, "void alpc_sim_get_{n}(AlpcSim* s, uint32_t* w) {{ for (int i = 0; i < {words}; i++) w[i] = s->top->{n}[i]; }}").unwrap();
                writeln!(
                    rs,
                    "    fn alpc_sim_get_{n}(s: *mut AlpcSimRaw, w: *mut u32);"
                )
                .unwrap();
                writeln!(
                    methods,
                    "    /// Reads output `{n}` ({b} bits) as little-endian 32-bit words.\n    #[inline]\n    pub fn get_{n}(&self) -> [u32; {words}] {{ let mut w = [0u32; {words}]; unsafe {{ alpc_sim_get_{n}(self.raw(), w.as_mut_ptr()) }}; w }}",
                    b = p.bits
                )
                .unwrap();
            }
        }
    }
    writeln!(cpp, "}} // extern \"C\"").unwrap();
    writeln!(rs, "}}\n\n// SAFETY (all methods): `raw()` is the live model owned by `self`; the\n// shim only reads or writes one port field of it.\nimpl Model {{\n{methods}}}").unwrap();
    (cpp, rs)
}
