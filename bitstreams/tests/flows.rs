//! The board and synthesis flows run with the pinned tools (installed into
//! `target/eda/venv` on first use, from PyPI): a second synthesis tool
//! (Yosys, for ECP5 and for Xilinx 7-series) takes every emitted module of
//! the core, and LiteX generates the PCIe card's SoC around it. Place and
//! route takes minutes and is not run here (`cargo xtask bitstream
//! estimate`, reports in `bitstreams/reports/`).

use alpc_bitstreams::{tools::Tools, Config, EstimateOptions};
use std::sync::OnceLock;

/// One set-up for the tests of this binary (they run in parallel).
fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Tools> = OnceLock::new();
    TOOLS.get_or_init(|| alpc_bitstreams::tools().expect("pinned tools"))
}

#[test]
fn yosys_synthesizes_the_core_for_ecp5_and_7_series() {
    let opts = EstimateOptions { place_and_route: false, xilinx: true, ..Default::default() };
    let e = alpc_bitstreams::estimate(tools(), Config::Default, &opts).unwrap();
    let x = e.xc7.as_ref().expect("7-series synthesis ran");
    for (arch, r) in [("ecp5", &e.ecp5), ("xc7", x)] {
        // A core of this size, not a design Yosys emptied because an input
        // or a module was lost on the way.
        assert!(r.luts > 5_000 && r.ffs > 5_000, "{arch}: {r:?}");
        assert!(r.block_ram > 0.0, "{arch}: the per-context tables are block RAMs: {r:?}");
    }
    assert_eq!((e.contexts, e.ports), (alpc_contract::geometry::CONTEXTS, alpc_contract::geometry::PORTS));
    // The report shapes.
    let json: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
    assert_eq!(json["ecp5"]["synthesis"]["luts"], e.ecp5.luts);
    assert!(json["ecp5"]["place_and_route"].is_null());
    assert!(e.to_markdown().contains(&format!("{} LUT4", e.ecp5.luts)));
}

#[test]
fn litex_generates_the_pcie_card_soc_around_the_core() {
    let b = alpc_bitstreams::acorn(tools(), false).unwrap();
    let top = std::fs::read_to_string(&b.top_verilog).unwrap();
    // The core is instantiated, with its DMA master and interrupts wired.
    let inst = top.find("alpc_core alpc_core(").expect("the core instantiated in the SoC top level");
    let body = &top[inst..top[inst..].find(");").map(|e| inst + e).unwrap()];
    for port in [".s_axil_awaddr(", ".m_axi_araddr(", ".m_axi_wstrb(", ".msi_irq("] {
        assert!(body.contains(port), "{port} connected");
    }
    assert!(top.contains("PCIE_2_1"), "the Artix-7 PCIe hard block");
    // Vivado reads every module of the core.
    let tcl = std::fs::read_to_string(&b.vivado_script).unwrap();
    let modules = alpc_rtl::emit_core();
    for f in &modules {
        assert!(tcl.contains(&format!("/{}}}", f.name)), "{} in the Vivado script", f.name);
    }
    assert!(tcl.contains("xc7a200t"), "the CLE-215+ part");
    // BAR0: our registers at offset 0, LiteX's after them.
    let csr = std::fs::read_to_string(b.output.join("csr.csv")).unwrap();
    assert!(csr.lines().any(|l| l.starts_with("csr_base,ctrl,0x00100000")), "{csr}");
}
