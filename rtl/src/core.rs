//! The top level: `alpc_core`.
//!
//! ```text
//!              ┌──────────── alpc_core ─────────────────────────────┐
//!  s_axil_* ──▶│ AxilRegIf ─reg bus─▶ Csr (registers, context table) │
//!  (BAR0)      │                       ▲ │ cfg/state, doorbell bits   │
//!              │                       │ ▼                            │
//!  m_axi_*  ◀──│──────────────────── Engine (fetch, copy, complete) ──│──▶ msi_irq
//!  (host mem)  └────────────────────────────────────────────────────┘
//! ```
//!
//! Ports are named by role as in Corundum / verilog-pcie: `s_axil_*` is the
//! AXI4-Lite slave a PCIe core's BAR0 master connects to, `m_axi_*` the AXI4
//! master into the PCIe core's host-memory (DMA) slave, `msi_irq` the MSI
//! request lines. One clock, `clock`, and one synchronous active-high reset,
//! `rst`.

use crate::{axil_reg_if::AxilRegIf, csr::Csr, engine::Engine, irq_moderator::IrqModerator};
use alpc_contract::{bus, geometry};
use rust_hdl::prelude::*;

const AW: usize = bus::AXIL_ADDR_BITS;
const IDW: usize = bus::AXI_ID_BITS;

/// The default build: [`geometry::CONTEXTS`] contexts, [`geometry::PORTS`]
/// ports.
pub type DefaultCore = AlpcCore<{ geometry::CONTEXT_BITS }, { geometry::CONTEXTS }, { geometry::PORT_BITS }>;

/// Context-index bits of the large build.
pub const LARGE_CONTEXT_BITS: usize = 6;
/// Port-index bits of the large build.
pub const LARGE_PORT_BITS: usize = 10;

/// The large build: 64 contexts, 1024 ports.
pub type LargeCore = AlpcCore<LARGE_CONTEXT_BITS, { 1 << LARGE_CONTEXT_BITS }, LARGE_PORT_BITS>;

/// The accelerator core with `N = 1 << CB` contexts and `1 << PB` ports.
#[derive(LogicBlock)]
pub struct AlpcCore<const CB: usize, const N: usize, const PB: usize> {
    /// Clock (the PCIe user clock).
    pub clock: Signal<In, Clock>,
    /// Synchronous reset, active high.
    pub rst: Signal<In, Bit>,
    /// BAR0 AXI4-Lite slave: `awaddr`.
    pub s_axil_awaddr: Signal<In, Bits<AW>>,
    /// BAR0 AXI4-Lite slave: `awvalid`.
    pub s_axil_awvalid: Signal<In, Bit>,
    /// BAR0 AXI4-Lite slave: `awready`.
    pub s_axil_awready: Signal<Out, Bit>,
    /// BAR0 AXI4-Lite slave: `wdata`.
    pub s_axil_wdata: Signal<In, Bits<32>>,
    /// BAR0 AXI4-Lite slave: `wstrb`.
    pub s_axil_wstrb: Signal<In, Bits<4>>,
    /// BAR0 AXI4-Lite slave: `wvalid`.
    pub s_axil_wvalid: Signal<In, Bit>,
    /// BAR0 AXI4-Lite slave: `wready`.
    pub s_axil_wready: Signal<Out, Bit>,
    /// BAR0 AXI4-Lite slave: `bresp`.
    pub s_axil_bresp: Signal<Out, Bits<2>>,
    /// BAR0 AXI4-Lite slave: `bvalid`.
    pub s_axil_bvalid: Signal<Out, Bit>,
    /// BAR0 AXI4-Lite slave: `bready`.
    pub s_axil_bready: Signal<In, Bit>,
    /// BAR0 AXI4-Lite slave: `araddr`.
    pub s_axil_araddr: Signal<In, Bits<AW>>,
    /// BAR0 AXI4-Lite slave: `arvalid`.
    pub s_axil_arvalid: Signal<In, Bit>,
    /// BAR0 AXI4-Lite slave: `arready`.
    pub s_axil_arready: Signal<Out, Bit>,
    /// BAR0 AXI4-Lite slave: `rdata`.
    pub s_axil_rdata: Signal<Out, Bits<32>>,
    /// BAR0 AXI4-Lite slave: `rresp`.
    pub s_axil_rresp: Signal<Out, Bits<2>>,
    /// BAR0 AXI4-Lite slave: `rvalid`.
    pub s_axil_rvalid: Signal<Out, Bit>,
    /// BAR0 AXI4-Lite slave: `rready`.
    pub s_axil_rready: Signal<In, Bit>,
    /// Host-memory AXI4 master: `arid`.
    pub m_axi_arid: Signal<Out, Bits<IDW>>,
    /// Host-memory AXI4 master: `araddr`.
    pub m_axi_araddr: Signal<Out, Bits<64>>,
    /// Host-memory AXI4 master: `arlen`.
    pub m_axi_arlen: Signal<Out, Bits<8>>,
    /// Host-memory AXI4 master: `arsize`.
    pub m_axi_arsize: Signal<Out, Bits<3>>,
    /// Host-memory AXI4 master: `arburst`.
    pub m_axi_arburst: Signal<Out, Bits<2>>,
    /// Host-memory AXI4 master: `arvalid`.
    pub m_axi_arvalid: Signal<Out, Bit>,
    /// Host-memory AXI4 master: `arready`.
    pub m_axi_arready: Signal<In, Bit>,
    /// Host-memory AXI4 master: `rid`.
    pub m_axi_rid: Signal<In, Bits<IDW>>,
    /// Host-memory AXI4 master: `rdata`.
    pub m_axi_rdata: Signal<In, Bits<128>>,
    /// Host-memory AXI4 master: `rresp`.
    pub m_axi_rresp: Signal<In, Bits<2>>,
    /// Host-memory AXI4 master: `rlast`.
    pub m_axi_rlast: Signal<In, Bit>,
    /// Host-memory AXI4 master: `rvalid`.
    pub m_axi_rvalid: Signal<In, Bit>,
    /// Host-memory AXI4 master: `rready`.
    pub m_axi_rready: Signal<Out, Bit>,
    /// Host-memory AXI4 master: `awid`.
    pub m_axi_awid: Signal<Out, Bits<IDW>>,
    /// Host-memory AXI4 master: `awaddr`.
    pub m_axi_awaddr: Signal<Out, Bits<64>>,
    /// Host-memory AXI4 master: `awlen`.
    pub m_axi_awlen: Signal<Out, Bits<8>>,
    /// Host-memory AXI4 master: `awsize`.
    pub m_axi_awsize: Signal<Out, Bits<3>>,
    /// Host-memory AXI4 master: `awburst`.
    pub m_axi_awburst: Signal<Out, Bits<2>>,
    /// Host-memory AXI4 master: `awvalid`.
    pub m_axi_awvalid: Signal<Out, Bit>,
    /// Host-memory AXI4 master: `awready`.
    pub m_axi_awready: Signal<In, Bit>,
    /// Host-memory AXI4 master: `wdata`.
    pub m_axi_wdata: Signal<Out, Bits<128>>,
    /// Host-memory AXI4 master: `wstrb`.
    pub m_axi_wstrb: Signal<Out, Bits<16>>,
    /// Host-memory AXI4 master: `wlast`.
    pub m_axi_wlast: Signal<Out, Bit>,
    /// Host-memory AXI4 master: `wvalid`.
    pub m_axi_wvalid: Signal<Out, Bit>,
    /// Host-memory AXI4 master: `wready`.
    pub m_axi_wready: Signal<In, Bit>,
    /// Host-memory AXI4 master: `bid`.
    pub m_axi_bid: Signal<In, Bits<IDW>>,
    /// Host-memory AXI4 master: `bresp`.
    pub m_axi_bresp: Signal<In, Bits<2>>,
    /// Host-memory AXI4 master: `bvalid`.
    pub m_axi_bvalid: Signal<In, Bit>,
    /// Host-memory AXI4 master: `bready`.
    pub m_axi_bready: Signal<Out, Bit>,
    /// MSI request lines: one-cycle pulses on a context's vector, moderated.
    pub msi_irq: Signal<Out, Bits<{ bus::MSI_VECTORS }>>,
    axil: AxilRegIf,
    csr: Csr<CB, N>,
    engine: Engine<CB, N, PB>,
    irq: IrqModerator<CB, N>,
    /// The engine's completion event, registered on its way to the
    /// interrupt moderator: the event decodes from the engine's state and
    /// the moderator's counters compare on it, too much for one cycle
    /// (the core's worst path on ECP5 before); an MSI leaves one cycle later.
    irq_event: DFF<Bit>,
    irq_event_ctx: DFF<Bits<CB>>,
}

impl AlpcCore<{ geometry::CONTEXT_BITS }, { geometry::CONTEXTS }, { geometry::PORT_BITS }> {
    /// The default build.
    pub fn default_config() -> DefaultCore {
        Self::default()
    }
}

impl<const CB: usize, const N: usize, const PB: usize> Default for AlpcCore<CB, N, PB> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            rst: Default::default(),
            s_axil_awaddr: Default::default(),
            s_axil_awvalid: Default::default(),
            s_axil_awready: Default::default(),
            s_axil_wdata: Default::default(),
            s_axil_wstrb: Default::default(),
            s_axil_wvalid: Default::default(),
            s_axil_wready: Default::default(),
            s_axil_bresp: Default::default(),
            s_axil_bvalid: Default::default(),
            s_axil_bready: Default::default(),
            s_axil_araddr: Default::default(),
            s_axil_arvalid: Default::default(),
            s_axil_arready: Default::default(),
            s_axil_rdata: Default::default(),
            s_axil_rresp: Default::default(),
            s_axil_rvalid: Default::default(),
            s_axil_rready: Default::default(),
            m_axi_arid: Default::default(),
            m_axi_araddr: Default::default(),
            m_axi_arlen: Default::default(),
            m_axi_arsize: Default::default(),
            m_axi_arburst: Default::default(),
            m_axi_arvalid: Default::default(),
            m_axi_arready: Default::default(),
            m_axi_rid: Default::default(),
            m_axi_rdata: Default::default(),
            m_axi_rresp: Default::default(),
            m_axi_rlast: Default::default(),
            m_axi_rvalid: Default::default(),
            m_axi_rready: Default::default(),
            m_axi_awid: Default::default(),
            m_axi_awaddr: Default::default(),
            m_axi_awlen: Default::default(),
            m_axi_awsize: Default::default(),
            m_axi_awburst: Default::default(),
            m_axi_awvalid: Default::default(),
            m_axi_awready: Default::default(),
            m_axi_wdata: Default::default(),
            m_axi_wstrb: Default::default(),
            m_axi_wlast: Default::default(),
            m_axi_wvalid: Default::default(),
            m_axi_wready: Default::default(),
            m_axi_bid: Default::default(),
            m_axi_bresp: Default::default(),
            m_axi_bvalid: Default::default(),
            m_axi_bready: Default::default(),
            msi_irq: Default::default(),
            axil: Default::default(),
            csr: Default::default(),
            engine: Default::default(),
            irq: Default::default(),
            irq_event: Default::default(),
            irq_event_ctx: Default::default(),
        }
    }
}

impl<const CB: usize, const N: usize, const PB: usize> Logic for AlpcCore<CB, N, PB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, irq_event, irq_event_ctx);
        clock!(self, clock, axil, csr, engine, irq);
        self.axil.rst.next = self.rst.val();
        self.csr.rst.next = self.rst.val();
        self.engine.rst.next = self.rst.val();
        self.irq.rst.next = self.rst.val();
        self.axil.s_axil_awaddr.next = self.s_axil_awaddr.val();
        self.axil.s_axil_awvalid.next = self.s_axil_awvalid.val();
        self.s_axil_awready.next = self.axil.s_axil_awready.val();
        self.axil.s_axil_wdata.next = self.s_axil_wdata.val();
        self.axil.s_axil_wstrb.next = self.s_axil_wstrb.val();
        self.axil.s_axil_wvalid.next = self.s_axil_wvalid.val();
        self.s_axil_wready.next = self.axil.s_axil_wready.val();
        self.s_axil_bresp.next = self.axil.s_axil_bresp.val();
        self.s_axil_bvalid.next = self.axil.s_axil_bvalid.val();
        self.axil.s_axil_bready.next = self.s_axil_bready.val();
        self.axil.s_axil_araddr.next = self.s_axil_araddr.val();
        self.axil.s_axil_arvalid.next = self.s_axil_arvalid.val();
        self.s_axil_arready.next = self.axil.s_axil_arready.val();
        self.s_axil_rdata.next = self.axil.s_axil_rdata.val();
        self.s_axil_rresp.next = self.axil.s_axil_rresp.val();
        self.s_axil_rvalid.next = self.axil.s_axil_rvalid.val();
        self.axil.s_axil_rready.next = self.s_axil_rready.val();
        self.m_axi_arid.next = self.engine.m_axi_arid.val();
        self.m_axi_araddr.next = self.engine.m_axi_araddr.val();
        self.m_axi_arlen.next = self.engine.m_axi_arlen.val();
        self.m_axi_arsize.next = self.engine.m_axi_arsize.val();
        self.m_axi_arburst.next = self.engine.m_axi_arburst.val();
        self.m_axi_arvalid.next = self.engine.m_axi_arvalid.val();
        self.engine.m_axi_arready.next = self.m_axi_arready.val();
        self.engine.m_axi_rid.next = self.m_axi_rid.val();
        self.engine.m_axi_rdata.next = self.m_axi_rdata.val();
        self.engine.m_axi_rresp.next = self.m_axi_rresp.val();
        self.engine.m_axi_rlast.next = self.m_axi_rlast.val();
        self.engine.m_axi_rvalid.next = self.m_axi_rvalid.val();
        self.m_axi_rready.next = self.engine.m_axi_rready.val();
        self.m_axi_awid.next = self.engine.m_axi_awid.val();
        self.m_axi_awaddr.next = self.engine.m_axi_awaddr.val();
        self.m_axi_awlen.next = self.engine.m_axi_awlen.val();
        self.m_axi_awsize.next = self.engine.m_axi_awsize.val();
        self.m_axi_awburst.next = self.engine.m_axi_awburst.val();
        self.m_axi_awvalid.next = self.engine.m_axi_awvalid.val();
        self.engine.m_axi_awready.next = self.m_axi_awready.val();
        self.m_axi_wdata.next = self.engine.m_axi_wdata.val();
        self.m_axi_wstrb.next = self.engine.m_axi_wstrb.val();
        self.m_axi_wlast.next = self.engine.m_axi_wlast.val();
        self.m_axi_wvalid.next = self.engine.m_axi_wvalid.val();
        self.engine.m_axi_wready.next = self.m_axi_wready.val();
        self.engine.m_axi_bid.next = self.m_axi_bid.val();
        self.engine.m_axi_bresp.next = self.m_axi_bresp.val();
        self.engine.m_axi_bvalid.next = self.m_axi_bvalid.val();
        self.m_axi_bready.next = self.engine.m_axi_bready.val();
        self.msi_irq.next = self.irq.msi_irq.val();
        self.irq_event.d.next = self.engine.cpl_event.val() && !self.rst.val();
        self.irq_event_ctx.d.next = self.engine.cpl_ctx.val();
        self.irq.event_en.next = self.irq_event.q.val();
        self.irq.event_ctx.next = self.irq_event_ctx.q.val();
        self.irq.ctl_en.next = self.csr.irq_ctl_en.val();
        self.irq.mod_en.next = self.csr.irq_mod_en.val();
        self.irq.cfg_ctx.next = self.csr.irq_cfg_ctx.val();
        self.irq.cfg_irq_on.next = self.csr.irq_on.val();
        self.irq.cfg_vector.next = self.csr.irq_vector.val();
        self.irq.cfg_count.next = self.csr.irq_count.val();
        self.irq.cfg_time.next = self.csr.irq_time.val();
        // register bus
        self.csr.reg_wr_en.next = self.axil.reg_wr_en.val();
        self.csr.reg_wr_addr.next = self.axil.reg_wr_addr.val();
        self.csr.reg_wr_data.next = self.axil.reg_wr_data.val();
        self.axil.reg_wr_err.next = self.csr.reg_wr_err.val();
        self.csr.reg_rd_en.next = self.axil.reg_rd_en.val();
        self.csr.reg_rd_addr.next = self.axil.reg_rd_addr.val();
        self.axil.reg_rd_data.next = self.csr.reg_rd_data.val();
        self.axil.reg_rd_err.next = self.csr.reg_rd_err.val();
        // context table <-> engine
        self.engine.enable.next = self.csr.enable.val();
        self.engine.ctx_enabled.next = self.csr.ctx_enabled.val();
        self.engine.db_pending.next = self.csr.db_pending.val();
        self.engine.init_pending.next = self.csr.init_pending.val();
        self.engine.cfg_sq_base.next = self.csr.cfg_sq_base.val();
        self.engine.cfg_cq_base.next = self.csr.cfg_cq_base.val();
        self.engine.cfg_sq_log2.next = self.csr.cfg_sq_log2.val();
        self.engine.cfg_cq_log2.next = self.csr.cfg_cq_log2.val();
        self.engine.cfg_sq_tail.next = self.csr.cfg_sq_tail.val();
        self.engine.cfg_cq_head.next = self.csr.cfg_cq_head.val();
        self.engine.st_sq_head.next = self.csr.st_sq_head.val();
        self.engine.st_cq_tail.next = self.csr.st_cq_tail.val();
        self.engine.st_phase.next = self.csr.st_phase.val();
        self.engine.cfg_identity.next = self.csr.cfg_identity.val();
        self.engine.cfg_mem_base.next = self.csr.cfg_mem_base.val();
        self.engine.cfg_mem_last.next = self.csr.cfg_mem_last.val();
        self.engine.st_resv.next = self.csr.st_resv.val();
        self.csr.resv_wr_en.next = self.engine.resv_wr_en.val();
        self.csr.resv_wr_ctx.next = self.engine.resv_wr_ctx.val();
        self.csr.resv_wr_data.next = self.engine.resv_wr_data.val();
        self.csr.db_clear_en.next = self.engine.db_clear_en.val();
        self.csr.db_clear_ctx.next = self.engine.db_clear_ctx.val();
        self.csr.db_set_en.next = self.engine.db_set_en.val();
        self.csr.db_set_ctx.next = self.engine.db_set_ctx.val();
        self.engine.tear_pending.next = self.csr.tear_pending.val();
        self.csr.tear_clear_en.next = self.engine.tear_clear_en.val();
        self.csr.tear_clear_ctx.next = self.engine.tear_clear_ctx.val();
        self.csr.init_clear_en.next = self.engine.init_clear_en.val();
        self.csr.init_clear_ctx.next = self.engine.init_clear_ctx.val();
        self.csr.cfg_ctx.next = self.engine.cfg_ctx.val();
        self.csr.st_wr_en.next = self.engine.st_wr_en.val();
        self.csr.st_wr_ctx.next = self.engine.st_wr_ctx.val();
        self.csr.st_wr_sq_head.next = self.engine.st_wr_sq_head.val();
        self.csr.st_wr_cq_tail.next = self.engine.st_wr_cq_tail.val();
        self.csr.st_wr_phase.next = self.engine.st_wr_phase.val();
        self.csr.count_done.next = self.engine.count_done.val();
        self.csr.count_error.next = self.engine.count_error.val();
        self.csr.busy.next = self.engine.busy.val();
        self.csr.engine_active.next = self.engine.active.val();
        self.csr.engine_ctx.next = self.engine.active_ctx.val();
    }
}
