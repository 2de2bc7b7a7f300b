#!/usr/bin/env python3
"""The ALPC core on a PCIe card: a LiteX/LitePCIe SoC for the SQRL Acorn
CLE-215+ (Xilinx Artix-7 XC7A200T, PCIe gen2 x4, 128-bit, 125 MHz).

    host ── PCIe ──▶ S7PCIEPHY ─▶ LitePCIeEndpoint ─┬─▶ BAR0 MMAP (Wishbone master)
                                                    │      ├─ [0, 1 MiB)      alpc_core s_axil_* (registers)
                                                    │      └─ [1 MiB, +64K)  LiteX CSRs (ident, ctrl, MSI)
                                                    ├─◀ LitePCIeAXISlave ◀── alpc_core m_axi_* (DMA to host memory)
                                                    └─◀ LitePCIeMSIMultiVector ◀── alpc_core msi_irq[31:0]

Our registers sit at BAR0 offset 0, where the VFIO driver expects them; one
MSI vector per `msi_irq` bit (the MSI enables start all on, so the driver
needs no LiteX register). Run by `cargo xtask bitstream acorn`; by hand:

    python alpc_acorn.py --core-verilog DIR --output-dir OUT [--no-compile]

DIR holds the core's Verilog (`cargo xtask rtl DIR`). Without
--no-compile, Vivado (on the PATH) builds the bitstream.
"""

import argparse
import glob
import os

from migen import ClockSignal, Instance, ResetSignal, Signal

from litex.soc.integration.builder import Builder
from litex.soc.integration.soc import SoCRegion
from litex.soc.integration.soc_core import SoCCore
from litex.soc.interconnect import axi
from litex_boards.platforms import sqrl_acorn
from litex_boards.targets.sqrl_acorn import CRG
from litepcie.core import LitePCIeEndpoint, LitePCIeMSIMultiVector
from litepcie.frontend.axi import LitePCIeAXISlave
from litepcie.frontend.wishbone import LitePCIeWishboneMaster
from litepcie.phy.s7pciephy import S7PCIEPHY

CORE_TOP = "alpc_core"
ALPC_REGS_SIZE = 1 << 20     # alpc_contract::bus::AXIL_ADDR_BITS = 20
LITEX_CSR_BASE = 1 << 20     # LiteX's own registers, after ours
BAR0_SIZE = 2 << 20
MSI_VECTORS = 32             # alpc_contract::bus::MSI_VECTORS
AXI_DATA_BITS = 128          # alpc_contract::bus::AXI_DATA_BYTES * 8
AXI_ID_BITS = 4              # alpc_contract::bus::AXI_ID_BITS


class AlpcAcornSoC(SoCCore):
    mem_map = {"csr": LITEX_CSR_BASE}

    def __init__(self, core_verilog, sys_clk_freq=125e6, variant="cle-215+"):
        platform = sqrl_acorn.Platform(variant=variant)
        self.crg = CRG(platform, sys_clk_freq)
        SoCCore.__init__(self, platform, sys_clk_freq,
            cpu_type             = None,
            integrated_rom_size  = 0,
            integrated_sram_size = 0,
            with_uart            = False,
            with_timer           = False,
            ident                = "ALPC accelerator on SQRL Acorn",
        )

        # PCIe endpoint (gen2 x4, 128-bit user interface).
        self.comb += platform.request("pcie_clkreq_n").eq(0)
        self.pcie_phy = S7PCIEPHY(platform, platform.request("pcie_x4"),
            data_width = 128,
            bar0_size  = BAR0_SIZE)
        self.pcie_endpoint = LitePCIeEndpoint(self.pcie_phy,
            max_pending_requests = 8,
            endianness           = self.pcie_phy.endianness,
            address_width        = 64)
        # BAR0 offset N is SoC bus address N (LiteX's add_pcie would put its
        # own registers at offset 0; ours must be there).
        self.pcie_mmap = LitePCIeWishboneMaster(self.pcie_endpoint, base_address=0)
        self.bus.add_master(name="pcie_mmap", master=self.pcie_mmap.wishbone)
        platform.add_period_constraint(self.crg.cd_sys.clk, 1e9 / sys_clk_freq)
        platform.add_false_path_constraints(self.crg.cd_sys.clk, self.pcie_phy.cd_pcie.clk)

        # MSI: one vector per bit of the core's msi_irq.
        self.pcie_msi = LitePCIeMSIMultiVector(width=MSI_VECTORS)
        self.pcie_msi.enable.storage.reset = 2**MSI_VECTORS - 1
        self.comb += self.pcie_msi.source.connect(self.pcie_phy.msi)

        # Host memory: the core's AXI4 master becomes PCIe memory reads and
        # writes (LitePCIe's DMA engines, driven from AXI).
        self.pcie_host = LitePCIeAXISlave(self.pcie_endpoint, data_width=AXI_DATA_BITS, id_width=AXI_ID_BITS)
        m = self.pcie_host.axi

        # The core's registers on the SoC bus (LiteX adds the Wishbone to
        # AXI4-Lite bridge).
        regs = axi.AXILiteInterface(data_width=32, address_width=32)
        self.bus.add_slave("alpc", regs, region=SoCRegion(origin=0, size=ALPC_REGS_SIZE, cached=False))

        araddr = Signal(64)
        awaddr = Signal(64)
        # LitePCIeAXISlave takes 32-bit addresses: IOVAs below 4 GiB.
        self.comb += [m.ar.addr.eq(araddr[:32]), m.aw.addr.eq(awaddr[:32])]
        self.specials += Instance(CORE_TOP,
            i_clock          = ClockSignal("sys"),
            i_rst            = ResetSignal("sys"),
            i_s_axil_awaddr  = regs.aw.addr[:20],
            i_s_axil_awvalid = regs.aw.valid,
            o_s_axil_awready = regs.aw.ready,
            i_s_axil_wdata   = regs.w.data,
            i_s_axil_wstrb   = regs.w.strb,
            i_s_axil_wvalid  = regs.w.valid,
            o_s_axil_wready  = regs.w.ready,
            o_s_axil_bresp   = regs.b.resp,
            o_s_axil_bvalid  = regs.b.valid,
            i_s_axil_bready  = regs.b.ready,
            i_s_axil_araddr  = regs.ar.addr[:20],
            i_s_axil_arvalid = regs.ar.valid,
            o_s_axil_arready = regs.ar.ready,
            o_s_axil_rdata   = regs.r.data,
            o_s_axil_rresp   = regs.r.resp,
            o_s_axil_rvalid  = regs.r.valid,
            i_s_axil_rready  = regs.r.ready,
            o_m_axi_arid     = m.ar.id,
            o_m_axi_araddr   = araddr,
            o_m_axi_arlen    = m.ar.len,
            o_m_axi_arsize   = m.ar.size,
            o_m_axi_arburst  = m.ar.burst,
            o_m_axi_arvalid  = m.ar.valid,
            i_m_axi_arready  = m.ar.ready,
            i_m_axi_rid      = m.r.id,
            i_m_axi_rdata    = m.r.data,
            i_m_axi_rresp    = m.r.resp,
            i_m_axi_rlast    = m.r.last,
            i_m_axi_rvalid   = m.r.valid,
            o_m_axi_rready   = m.r.ready,
            o_m_axi_awid     = m.aw.id,
            o_m_axi_awaddr   = awaddr,
            o_m_axi_awlen    = m.aw.len,
            o_m_axi_awsize   = m.aw.size,
            o_m_axi_awburst  = m.aw.burst,
            o_m_axi_awvalid  = m.aw.valid,
            i_m_axi_awready  = m.aw.ready,
            o_m_axi_wdata    = m.w.data,
            o_m_axi_wstrb    = m.w.strb,
            o_m_axi_wlast    = m.w.last,
            o_m_axi_wvalid   = m.w.valid,
            i_m_axi_wready   = m.w.ready,
            i_m_axi_bid      = m.b.id,
            i_m_axi_bresp    = m.b.resp,
            i_m_axi_bvalid   = m.b.valid,
            o_m_axi_bready   = m.b.ready,
            o_msi_irq        = self.pcie_msi.irqs,
        )
        sources = sorted(glob.glob(os.path.join(core_verilog, "*.sv")))
        if not any(os.path.basename(s) == CORE_TOP + ".sv" for s in sources):
            raise SystemExit(f"no {CORE_TOP}.sv in {core_verilog}: run `cargo xtask rtl {core_verilog}`")
        for s in sources:
            platform.add_source(s)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--core-verilog", required=True, help="directory of the core's emitted Verilog")
    p.add_argument("--output-dir", default="build/alpc_acorn", help="LiteX output directory")
    p.add_argument("--variant", default="cle-215+", help="cle-215+, cle-215 or cle-101")
    p.add_argument("--sys-clk-freq", type=float, default=125e6, help="core clock (Hz)")
    p.add_argument("--no-compile", action="store_true", help="generate only (no Vivado)")
    args = p.parse_args()
    soc = AlpcAcornSoC(args.core_verilog, sys_clk_freq=args.sys_clk_freq, variant=args.variant)
    builder = Builder(soc,
        output_dir         = args.output_dir,
        compile_gateware   = not args.no_compile,
        compile_software   = False,
        csr_csv            = os.path.join(args.output_dir, "csr.csv"))
    builder.build(build_name="alpc_acorn", run=not args.no_compile)


if __name__ == "__main__":
    main()
