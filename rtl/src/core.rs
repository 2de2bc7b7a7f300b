//! The top level: `alpc_core`.
//!
//! ```text
//!              ┌──────────── alpc_core ─────────────────────────────┐
//!  s_axil_* ──▶│ AxilRegIf ─reg bus─▶ Csr (registers, context table) │
//!  (BAR0)      │                       ▲ │ cfg/state, doorbell bits   │
//!              │                       │ ▼                            │
//!  m_axi_*  ◀──│─ RegSlice ×5 ◀───── Engine (fetch, copy, complete) ──│──▶ msi_irq
//!  (host mem)  └────────────────────────────────────────────────────┘
//! ```
//!
//! Each of the five AXI channels goes through a register slice
//! ([`RegSlice`]), so the engine's state decode never drives a port and no
//! input port reaches into the engine in the same cycle: a DMA round trip
//! costs two cycles more, the bus still moves a beat per cycle.
//!
//! Ports are named by role as in Corundum / verilog-pcie: `s_axil_*` is the
//! AXI4-Lite slave a PCIe core's BAR0 master connects to, `m_axi_*` the AXI4
//! master into the PCIe core's host-memory (DMA) slave, `msi_irq` the MSI
//! request lines. One clock, `clock`, and one synchronous active-high reset,
//! `rst`.

use crate::axil_reg_if::AxilRegIf;
use crate::reg_slice::{AxiAddrSlice, RegSlice};
use crate::{csr::Csr, engine::Engine, irq_moderator::IrqModerator};
use alpc_contract::{bus, geometry};
use rust_hdl::prelude::*;

const AW: usize = bus::AXIL_ADDR_BITS;
const IDW: usize = bus::AXI_ID_BITS;
/// A W transfer, packed: data (128), strobes (16), last.
const W_BITS: usize = 145;
/// An R transfer, packed: id, data (128), resp (2), last.
const R_BITS: usize = IDW + 131;
/// A B transfer, packed: id, resp (2).
const B_BITS: usize = IDW + 2;
const R_IDX: usize = crate::index_bits(R_BITS);
const W_IDX: usize = crate::index_bits(W_BITS);
const B_IDX: usize = crate::index_bits(B_BITS);

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
    ar_slice: AxiAddrSlice,
    r_slice: RegSlice<R_BITS>,
    aw_slice: AxiAddrSlice,
    w_slice: RegSlice<W_BITS>,
    b_slice: RegSlice<B_BITS>,
    /// Field offsets in the packed channels.
    k_r_data: Constant<Bits<R_IDX>>,
    k_r_resp: Constant<Bits<R_IDX>>,
    k_r_last: Constant<Bits<R_IDX>>,
    k_w_strb: Constant<Bits<W_IDX>>,
    k_w_last: Constant<Bits<W_IDX>>,
    k_b_resp: Constant<Bits<B_IDX>>,
    /// The engine's completion event, registered on its way to the
    /// interrupt moderator: the event decodes from the engine's state and
    /// the moderator's counters compare on it, too much for one cycle
    /// (the core's worst path on ECP5 before); an MSI leaves one cycle later.
    /// As a one-hot vector: a context's moderator takes its bit as it is.
    irq_event_hot: DFF<Bits<N>>,
    k_one_n: Constant<Bits<N>>,
    /// A CTX_CONTROL or CTX_IRQ_MOD write, registered on its way to the
    /// moderator: the register block's address decode and the moderator's
    /// reload of its counters are then not one path. The settings apply a
    /// cycle later; nothing else moves.
    irq_ctl: DFF<Bit>,
    irq_mod: DFF<Bit>,
    irq_cfg_ctx: DFF<Bits<CB>>,
    irq_on: DFF<Bit>,
    irq_vector: DFF<Bits<5>>,
    irq_count: DFF<Bits<8>>,
    irq_time: DFF<Bits<16>>,
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
            ar_slice: Default::default(),
            r_slice: Default::default(),
            aw_slice: Default::default(),
            w_slice: Default::default(),
            b_slice: Default::default(),
            k_r_data: crate::konst(IDW as u64),
            k_r_resp: crate::konst(IDW as u64 + 128),
            k_r_last: crate::konst(IDW as u64 + 130),
            k_w_strb: crate::konst(128),
            k_w_last: crate::konst(144),
            k_b_resp: crate::konst(IDW as u64),
            irq_event_hot: Default::default(),
            k_one_n: crate::konst(1),
            irq_ctl: Default::default(),
            irq_mod: Default::default(),
            irq_cfg_ctx: Default::default(),
            irq_on: Default::default(),
            irq_vector: Default::default(),
            irq_count: Default::default(),
            irq_time: Default::default(),
        }
    }
}

impl<const CB: usize, const N: usize, const PB: usize> Logic for AlpcCore<CB, N, PB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            irq_event_hot,
            irq_ctl,
            irq_mod,
            irq_cfg_ctx,
            irq_on,
            irq_vector,
            irq_count,
            irq_time
        );
        clock!(self, clock, axil, csr, engine, irq, ar_slice, r_slice, aw_slice, w_slice, b_slice);
        self.ar_slice.rst.next = self.rst.val();
        self.r_slice.rst.next = self.rst.val();
        self.aw_slice.rst.next = self.rst.val();
        self.w_slice.rst.next = self.rst.val();
        self.b_slice.rst.next = self.rst.val();
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
        // AR: engine -> slice -> port.
        self.ar_slice.s_valid.next = self.engine.m_axi_arvalid.val();
        self.engine.m_axi_arready.next = self.ar_slice.s_ready.val();
        self.ar_slice.s_id.next = self.engine.m_axi_arid.val();
        self.ar_slice.s_addr.next = self.engine.m_axi_araddr.val();
        self.ar_slice.s_len.next = self.engine.m_axi_arlen.val();
        self.ar_slice.s_size.next = self.engine.m_axi_arsize.val();
        self.ar_slice.s_burst.next = self.engine.m_axi_arburst.val();
        self.m_axi_arvalid.next = self.ar_slice.m_valid.val();
        self.ar_slice.m_ready.next = self.m_axi_arready.val();
        self.m_axi_arid.next = self.ar_slice.m_id.val();
        self.m_axi_araddr.next = self.ar_slice.m_addr.val();
        self.m_axi_arlen.next = self.ar_slice.m_len.val();
        self.m_axi_arsize.next = self.ar_slice.m_size.val();
        self.m_axi_arburst.next = self.ar_slice.m_burst.val();
        // R: port -> slice -> engine.
        self.r_slice.s_valid.next = self.m_axi_rvalid.val();
        self.m_axi_rready.next = self.r_slice.s_ready.val();
        self.r_slice.s_data.next = bit_cast::<R_BITS, IDW>(self.m_axi_rid.val())
            | (bit_cast::<R_BITS, 128>(self.m_axi_rdata.val()) << self.k_r_data.val())
            | (bit_cast::<R_BITS, 2>(self.m_axi_rresp.val()) << self.k_r_resp.val())
            | (bit_cast::<R_BITS, 1>(self.m_axi_rlast.val().into()) << self.k_r_last.val());
        self.engine.m_axi_rvalid.next = self.r_slice.m_valid.val();
        self.r_slice.m_ready.next = self.engine.m_axi_rready.val();
        self.engine.m_axi_rid.next = self.r_slice.m_data.val().get_bits::<IDW>(0);
        self.engine.m_axi_rdata.next = self.r_slice.m_data.val().get_bits::<128>(self.k_r_data.val().index());
        self.engine.m_axi_rresp.next = self.r_slice.m_data.val().get_bits::<2>(self.k_r_resp.val().index());
        self.engine.m_axi_rlast.next = self.r_slice.m_data.val().get_bit(self.k_r_last.val().index());
        // AW: engine -> slice -> port.
        self.aw_slice.s_valid.next = self.engine.m_axi_awvalid.val();
        self.engine.m_axi_awready.next = self.aw_slice.s_ready.val();
        self.aw_slice.s_id.next = self.engine.m_axi_awid.val();
        self.aw_slice.s_addr.next = self.engine.m_axi_awaddr.val();
        self.aw_slice.s_len.next = self.engine.m_axi_awlen.val();
        self.aw_slice.s_size.next = self.engine.m_axi_awsize.val();
        self.aw_slice.s_burst.next = self.engine.m_axi_awburst.val();
        self.m_axi_awvalid.next = self.aw_slice.m_valid.val();
        self.aw_slice.m_ready.next = self.m_axi_awready.val();
        self.m_axi_awid.next = self.aw_slice.m_id.val();
        self.m_axi_awaddr.next = self.aw_slice.m_addr.val();
        self.m_axi_awlen.next = self.aw_slice.m_len.val();
        self.m_axi_awsize.next = self.aw_slice.m_size.val();
        self.m_axi_awburst.next = self.aw_slice.m_burst.val();
        // W: engine -> slice -> port.
        self.w_slice.s_valid.next = self.engine.m_axi_wvalid.val();
        self.engine.m_axi_wready.next = self.w_slice.s_ready.val();
        self.w_slice.s_data.next = bit_cast::<W_BITS, 128>(self.engine.m_axi_wdata.val())
            | (bit_cast::<W_BITS, 16>(self.engine.m_axi_wstrb.val()) << self.k_w_strb.val())
            | (bit_cast::<W_BITS, 1>(self.engine.m_axi_wlast.val().into()) << self.k_w_last.val());
        self.m_axi_wvalid.next = self.w_slice.m_valid.val();
        self.w_slice.m_ready.next = self.m_axi_wready.val();
        self.m_axi_wdata.next = self.w_slice.m_data.val().get_bits::<128>(0);
        self.m_axi_wstrb.next = self.w_slice.m_data.val().get_bits::<16>(self.k_w_strb.val().index());
        self.m_axi_wlast.next = self.w_slice.m_data.val().get_bit(self.k_w_last.val().index());
        // B: port -> slice -> engine.
        self.b_slice.s_valid.next = self.m_axi_bvalid.val();
        self.m_axi_bready.next = self.b_slice.s_ready.val();
        self.b_slice.s_data.next = bit_cast::<B_BITS, IDW>(self.m_axi_bid.val())
            | (bit_cast::<B_BITS, 2>(self.m_axi_bresp.val()) << self.k_b_resp.val());
        self.engine.m_axi_bvalid.next = self.b_slice.m_valid.val();
        self.b_slice.m_ready.next = self.engine.m_axi_bready.val();
        self.engine.m_axi_bid.next = self.b_slice.m_data.val().get_bits::<IDW>(0);
        self.engine.m_axi_bresp.next = self.b_slice.m_data.val().get_bits::<2>(self.k_b_resp.val().index());
        self.msi_irq.next = self.irq.msi_irq.val();
        self.irq_event_hot.d.next = 0.into();
        if self.engine.cpl_event.val() && !self.rst.val() {
            self.irq_event_hot.d.next = self.k_one_n.val() << self.engine.cpl_ctx.val();
        }
        self.irq.event_hot.next = self.irq_event_hot.q.val();
        self.irq_ctl.d.next = self.csr.irq_ctl_en.val() && !self.rst.val();
        self.irq_mod.d.next = self.csr.irq_mod_en.val() && !self.rst.val();
        self.irq_cfg_ctx.d.next = self.csr.irq_cfg_ctx.val();
        self.irq_on.d.next = self.csr.irq_on.val();
        self.irq_vector.d.next = self.csr.irq_vector.val();
        self.irq_count.d.next = self.csr.irq_count.val();
        self.irq_time.d.next = self.csr.irq_time.val();
        self.irq.ctl_en.next = self.irq_ctl.q.val();
        self.irq.mod_en.next = self.irq_mod.q.val();
        self.irq.cfg_ctx.next = self.irq_cfg_ctx.q.val();
        self.irq.cfg_irq_on.next = self.irq_on.q.val();
        self.irq.cfg_vector.next = self.irq_vector.q.val();
        self.irq.cfg_count.next = self.irq_count.q.val();
        self.irq.cfg_time.next = self.irq_time.q.val();
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
        self.engine.init_set.next = self.csr.init_set.val();
        self.engine.init_set_onehot.next = self.csr.init_set_onehot.val();
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
