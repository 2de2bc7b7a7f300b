//! The emitted Verilog is lint-clean under `verilator --lint-only -Wall`
//! (every warning enabled, none waived), for the default core and for a
//! large one, and the emitter's output is stable (the simulator's build
//! cache is keyed on it).

use alpc_rtl::emit::emit;
use alpc_rtl::{emit_core, VerilogFile, TOP_MODULE};
use rust_hdl::prelude::Block;
use std::path::PathBuf;
use std::process::Command;

fn lint(files: &[VerilogFile], tag: &str) {
    lint_top(files, tag, TOP_MODULE)
}

fn lint_top(files: &[VerilogFile], tag: &str, top: &str) {
    let dir = std::env::temp_dir().join(format!("alpc-lint-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|f| {
            let p = dir.join(&f.name);
            std::fs::write(&p, &f.text).unwrap();
            p
        })
        .collect();
    let out = Command::new("verilator")
        .args(["--lint-only", "-Wall", "--top-module", top])
        .args(&paths)
        .output()
        .expect("verilator not found: install it with `cargo xtask deps` (Debian: apt-get install verilator)");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && text.trim().is_empty(),
        "verilator -Wall ({tag}):\n{text}"
    );
}

#[test]
fn default_core_is_lint_clean() {
    let files = emit_core();
    assert!(files.len() > 10);
    assert_eq!(files[0].module, TOP_MODULE);
    for f in &files {
        assert_eq!(
            f.name,
            format!("{}.sv", f.module),
            "one module per file, named after it"
        );
        assert_eq!(
            f.text.matches("\nmodule ").count() + f.text.starts_with("module ") as usize,
            1
        );
    }
    lint(&files, "default");
}

#[test]
fn large_core_is_lint_clean() {
    let mut core = alpc_rtl::LargeCore::default();
    core.connect_all();
    lint(&emit(&core, TOP_MODULE), "large");
}

/// The board top level without PCIe (core, UART bridge, host memory), with
/// the board's own UART divisor.
#[test]
fn uart_soc_is_lint_clean() {
    use alpc_rtl::uart_soc::BOARD_UART_DIV;
    let files = alpc_rtl::emit_uart_soc::<BOARD_UART_DIV>(alpc_rtl::UART_SOC_MODULE);
    lint_top(&files, "uart-soc", alpc_rtl::UART_SOC_MODULE);
}

#[test]
fn emission_is_deterministic() {
    assert_eq!(emit_core(), emit_core());
}

#[test]
fn block_test_benches_are_lint_clean() {
    use alpc_rtl::testbench;
    lint_top(&testbench::rr_arbiter(), "rr", "tb_rr_arbiter");
    lint_top(&testbench::irq_moderator(), "irq", "tb_irq_moderator");
    lint_top(&testbench::name_cam(), "cam", "tb_name_cam");
    lint_top(&testbench::acl_cam(), "acl_cam", "tb_acl_cam");
    lint_top(&testbench::handle_allocator(), "alloc", "tb_handle_allocator");
    lint_top(&testbench::host_ram(), "host_ram", "tb_host_ram");
    lint_top(&testbench::block_ram(), "block_ram", "tb_block_ram");
    lint_top(&testbench::dual_read_ram(), "dual_read_ram", "tb_dual_read_ram");
    lint_top(&testbench::dual_read_ram_registered_write(), "dual_read_ram_wq", "tb_dual_read_ram_wq");
}

/// A parent that decides `take` from the allocator's outputs in the same
/// cycle (what the ALPC engine does) must not form a combinational loop in
/// Verilator's eyes (UNOPTFLAT under -Wall).
#[test]
fn allocator_outputs_can_drive_take_in_the_same_cycle() {
    use alpc_rtl::handle_allocator::HandleAllocator;
    use rust_hdl::prelude::*;

    #[derive(LogicBlock, Default)]
    struct AllocUser {
        clock: Signal<In, Clock>,
        rst: Signal<In, Bit>,
        want: Signal<In, Bit>,
        free_en: Signal<In, Bit>,
        free_index: Signal<In, Bits<4>>,
        got: Signal<Out, Bits<4>>,
        got_fresh: Signal<Out, Bit>,
        alloc: HandleAllocator<4>,
    }
    impl Logic for AllocUser {
        #[hdl_gen]
        fn update(&mut self) {
            clock!(self, clock, alloc);
            self.alloc.rst.next = self.rst.val();
            self.alloc.take.next = self.want.val() && self.alloc.avail.val() && !self.alloc.fresh.val();
            self.alloc.free_en.next = self.free_en.val();
            self.alloc.free_index.next = self.free_index.val();
            self.got.next = self.alloc.index.val();
            self.got_fresh.next = self.alloc.fresh.val();
        }
    }
    let mut u = AllocUser::default();
    u.connect_all();
    lint_top(&emit(&u, "alloc_user"), "alloc-user", "alloc_user");
}
