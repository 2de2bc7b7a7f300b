//! The simulated PCIe card: the Verilated core, host memory, and the host's
//! side of every bus, stepped one clock cycle at a time.
//!
//! Each cycle: the host models drive their inputs (from state they held
//! since the last edge), the model settles with the clock low, the host
//! models sample the core's outputs and perform this cycle's handshakes, then
//! the clock rises. Host-side signals never depend combinationally on the
//! core's outputs in the same cycle, as with registered bus interfaces.

use crate::axi_host::{AxiHost, AxiStats, MemTiming};
use crate::model::{CoreModel, Model};
use alpc_contract::bus;
use alpc_model::host_memory::{HostMemory, MemError, DEFAULT_BASE};
use std::path::PathBuf;
use thiserror::Error;

/// How to build a [`SimDevice`].
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Host memory timing.
    pub timing: MemTiming,
    /// First IOVA of host memory.
    pub mem_base: u64,
    /// Bytes of host memory.
    pub mem_size: u64,
    /// Write a VCD waveform here.
    pub vcd: Option<PathBuf>,
    /// Cycles a BAR access may wait for the core before it is an error.
    pub bar_timeout: u64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            timing: MemTiming::default(),
            mem_base: DEFAULT_BASE,
            mem_size: 256 << 20,
            vcd: None,
            bar_timeout: 10_000,
        }
    }
}

/// Errors of the simulated device.
#[derive(Debug, Error)]
pub enum SimError {
    /// A BAR access got an error response.
    #[error("BAR0 {kind} at {offset:#x} answered with AXI response {resp}")]
    BarResponse {
        /// "read" or "write".
        kind: &'static str,
        /// BAR0 offset.
        offset: u64,
        /// AXI response code.
        resp: u64,
    },
    /// A BAR access got no answer in time.
    #[error("BAR0 {kind} at {offset:#x} got no answer in {cycles} cycles")]
    BarTimeout {
        /// "read" or "write".
        kind: &'static str,
        /// BAR0 offset.
        offset: u64,
        /// Cycles waited.
        cycles: u64,
    },
    /// The offset does not fit the BAR.
    #[error("BAR0 offset {0:#x} is outside the BAR or not 4-byte aligned")]
    BarOffset(u64),
    /// Host memory error.
    #[error(transparent)]
    Mem(#[from] MemError),
    /// Waveform file error.
    #[error("waveform: {0}")]
    Trace(#[from] std::io::Error),
}

/// An interrupt the core raised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Irq {
    /// Cycle of the pulse.
    pub cycle: u64,
    /// MSI vector.
    pub vector: u32,
}

/// See the module documentation. `M` is the Verilated build of the core:
/// the default 16-context one, or `blocks::alpc_core64::Model`.
pub struct SimDevice<M: CoreModel = Model> {
    model: M,
    mem: HostMemory,
    axi: AxiHost,
    cycle: u64,
    tracing: bool,
    bar_timeout: u64,
    irq_log: Vec<Irq>,
    irq_pending: [u64; bus::MSI_VECTORS],
    // AXI-Lite master state, driven each cycle.
    aw: Option<(u64, u32, u8)>,
    ar: Option<u64>,
    bresp: Option<u64>,
    rresp: Option<(u64, u32)>,
    last_write_accept: u64,
}

impl SimDevice {
    /// Builds the default device (16 contexts) and holds it in reset for a
    /// few cycles.
    pub fn new(config: SimConfig) -> Result<SimDevice, SimError> {
        Self::with_core(config)
    }
}

impl<M: CoreModel> SimDevice<M> {
    /// Builds a device on another build of the core (e.g. `Core64`).
    pub fn with_core(config: SimConfig) -> Result<SimDevice<M>, SimError> {
        let mut dev = SimDevice {
            model: M::create(),
            mem: HostMemory::new(config.mem_base, config.mem_size),
            axi: AxiHost::new(config.timing),
            cycle: 0,
            tracing: false,
            bar_timeout: config.bar_timeout,
            irq_log: Vec::new(),
            irq_pending: [0; bus::MSI_VECTORS],
            aw: None,
            ar: None,
            bresp: None,
            rresp: None,
            last_write_accept: 0,
        };
        if let Some(path) = &config.vcd {
            dev.model.trace_start(path)?;
            dev.tracing = true;
        }
        dev.reset();
        Ok(dev)
    }

    /// Pulses the core's reset for 4 cycles. The host side of the DMA bus is
    /// reset with it (a PCIe core resets its AXI bridge together with the
    /// user logic), so nothing in flight survives.
    pub fn reset(&mut self) {
        self.axi = AxiHost::new(self.axi.timing());
        self.model.set_rst(1);
        for _ in 0..4 {
            self.step();
        }
        self.model.set_rst(0);
    }

    /// Cycles since the device was built.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// Replaces host memory (a vfio-user client's shared memory replaces
    /// the simulator's own); returns the old one.
    pub fn replace_memory(&mut self, mem: HostMemory) -> HostMemory {
        std::mem::replace(&mut self.mem, mem)
    }

    /// Host memory (what the CPU sees).
    pub fn mem(&self) -> &HostMemory {
        &self.mem
    }

    /// Host memory, mutable.
    pub fn mem_mut(&mut self) -> &mut HostMemory {
        &mut self.mem
    }

    /// Cycle in which the core accepted the last BAR write (the moment a
    /// doorbell takes effect; the write response follows a cycle later).
    pub fn last_write_accept_cycle(&self) -> u64 {
        self.last_write_accept
    }

    /// Bus traffic counters.
    pub fn axi_stats(&self) -> AxiStats {
        self.axi.stats
    }

    /// AXI rule breaches the host model saw (empty for a correct core).
    pub fn axi_violations(&self) -> &[String] {
        &self.axi.violations
    }

    /// Every interrupt so far.
    pub fn irq_log(&self) -> &[Irq] {
        &self.irq_log
    }

    /// Takes the count of interrupts seen on `vector` since the last call.
    pub fn take_irqs(&mut self, vector: u32) -> u64 {
        std::mem::take(&mut self.irq_pending[vector as usize])
    }

    /// Whether the DMA bus is quiet (nothing in flight).
    pub fn dma_idle(&self) -> bool {
        self.axi.idle()
    }

    /// Advances one clock cycle.
    pub fn step(&mut self) {
        let m = &mut self.model;
        // Drive: host-memory side and BAR side.
        self.axi.drive(m, &self.mem, self.cycle);
        match self.aw {
            Some((addr, data, strb)) => {
                m.set_s_axil_awaddr(addr);
                m.set_s_axil_wdata(data as u64);
                m.set_s_axil_wstrb(strb as u64);
                m.set_s_axil_awvalid(1);
                m.set_s_axil_wvalid(1);
            }
            None => {
                m.set_s_axil_awvalid(0);
                m.set_s_axil_wvalid(0);
            }
        }
        match self.ar {
            Some(addr) => {
                m.set_s_axil_araddr(addr);
                m.set_s_axil_arvalid(1);
            }
            None => m.set_s_axil_arvalid(0),
        }
        m.set_s_axil_bready(1);
        m.set_s_axil_rready(1);

        m.set_clock(0);
        m.settle();
        if self.tracing {
            m.trace_at(self.cycle * 2);
        }

        // Sample and handshake.
        self.axi.sample(m, &mut self.mem, self.cycle);
        if self.aw.is_some() && m.get_s_axil_awready() != 0 && m.get_s_axil_wready() != 0 {
            self.aw = None;
            self.last_write_accept = self.cycle;
        }
        if self.ar.is_some() && m.get_s_axil_arready() != 0 {
            self.ar = None;
        }
        if m.get_s_axil_bvalid() != 0 {
            self.bresp = Some(m.get_s_axil_bresp());
        }
        if m.get_s_axil_rvalid() != 0 {
            self.rresp = Some((m.get_s_axil_rresp(), m.get_s_axil_rdata() as u32));
        }
        let irq = m.get_msi_irq();
        if irq != 0 {
            for v in 0..bus::MSI_VECTORS as u32 {
                if irq >> v & 1 == 1 {
                    self.irq_log.push(Irq {
                        cycle: self.cycle,
                        vector: v,
                    });
                    self.irq_pending[v as usize] += 1;
                }
            }
        }

        m.set_clock(1);
        m.settle();
        if self.tracing {
            m.trace_at(self.cycle * 2 + 1);
        }
        self.cycle += 1;
    }

    /// Advances `n` cycles.
    pub fn run(&mut self, n: u64) {
        for _ in 0..n {
            self.step();
        }
    }

    /// Steps until `done` holds or `max_cycles` pass; returns whether it held.
    pub fn run_until(&mut self, max_cycles: u64, mut done: impl FnMut(&SimDevice<M>) -> bool) -> bool {
        for _ in 0..max_cycles {
            if done(self) {
                return true;
            }
            self.step();
        }
        done(self)
    }

    fn check_offset(offset: u64) -> Result<u64, SimError> {
        if offset % 4 != 0 || offset >> bus::AXIL_ADDR_BITS != 0 {
            return Err(SimError::BarOffset(offset));
        }
        Ok(offset)
    }

    /// A 32-bit MMIO write to BAR0, as the CPU would do it.
    pub fn bar_write32(&mut self, offset: u64, value: u32) -> Result<(), SimError> {
        self.bar_write_strb(offset, value, 0xF)
    }

    /// A BAR0 write with explicit byte strobes (for bus tests).
    pub fn bar_write_strb(&mut self, offset: u64, value: u32, strb: u8) -> Result<(), SimError> {
        let offset = Self::check_offset(offset)?;
        self.aw = Some((offset, value, strb));
        self.bresp = None;
        let timeout = self.bar_timeout;
        if !self.run_until(timeout, |d| d.bresp.is_some()) {
            self.aw = None;
            return Err(SimError::BarTimeout {
                kind: "write",
                offset,
                cycles: timeout,
            });
        }
        match self.bresp.take().unwrap() {
            0 => Ok(()),
            resp => Err(SimError::BarResponse {
                kind: "write",
                offset,
                resp,
            }),
        }
    }

    /// A 32-bit MMIO read from BAR0.
    pub fn bar_read32(&mut self, offset: u64) -> Result<u32, SimError> {
        let offset = Self::check_offset(offset)?;
        self.ar = Some(offset);
        self.rresp = None;
        let timeout = self.bar_timeout;
        if !self.run_until(timeout, |d| d.rresp.is_some()) {
            self.ar = None;
            return Err(SimError::BarTimeout {
                kind: "read",
                offset,
                cycles: timeout,
            });
        }
        match self.rresp.take().unwrap() {
            (0, data) => Ok(data),
            (resp, _) => Err(SimError::BarResponse {
                kind: "read",
                offset,
                resp,
            }),
        }
    }

    /// Stops the waveform (it is also flushed when the device is dropped).
    pub fn close_trace(&mut self) {
        if self.tracing {
            self.model.trace_stop();
            self.tracing = false;
        }
    }
}
