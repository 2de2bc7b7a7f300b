//! The host side of the core's AXI4 master: a model of a PCIe root complex
//! answering DMA reads and writes from [`HostMemory`].
//!
//! * **Latency**: a read burst's first beat is available `read_latency`
//!   cycles after its address was accepted; a write burst's response comes
//!   `write_latency` cycles after its last beat. Bursts overlap, so several
//!   reads in flight hide latency as they do on PCIe.
//! * **Bandwidth**: a token bucket per direction, `bandwidth` bytes per cycle
//!   (16 = one beat per cycle, the bus width).
//! * **Backpressure**: with `stall_permille > 0` the model randomly holds
//!   ready and valid low (seeded, reproducible), to shake out handshake bugs.
//! * **Checking**: every AXI rule the engine must keep (valid held until
//!   ready with a stable payload, bursts inside 4 KiB, size, burst type,
//!   `wlast` on the right beat) is checked each cycle; breaches are recorded
//!   in [`AxiHost::violations`] and tests assert there are none.
//! * **Faults**: beats outside host memory get DECERR, as an IOMMU fault
//!   would.

use crate::model::CorePorts;
use alpc_contract::bus;
use alpc_model::host_memory::HostMemory;
use std::collections::VecDeque;

/// Timing of host memory as seen from the device.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MemTiming {
    /// Cycles from a read address handshake to its first data beat.
    pub read_latency: u64,
    /// Cycles from a write burst's last beat to its response.
    pub write_latency: u64,
    /// Bytes per cycle in each direction (16 = full bus rate).
    pub bandwidth: f64,
    /// Probability (per mille) of stalling any handshake in a given cycle.
    pub stall_permille: u32,
    /// Seed of the stall pattern.
    pub seed: u64,
    /// Behave like an awkward but legal slave: hold AWREADY until write
    /// data has been offered, and accept write data before its address.
    pub awkward: bool,
}

impl MemTiming {
    /// Same latency both ways, full bandwidth, no random stalls.
    pub fn latency(cycles: u64) -> MemTiming {
        MemTiming {
            read_latency: cycles,
            write_latency: cycles,
            ..Default::default()
        }
    }
}

impl Default for MemTiming {
    fn default() -> Self {
        MemTiming {
            read_latency: 0,
            write_latency: 0,
            bandwidth: bus::AXI_DATA_BYTES as f64,
            stall_permille: 0,
            seed: 1,
            awkward: false,
        }
    }
}

/// Counters of what crossed the bus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AxiStats {
    /// Read bursts accepted.
    pub read_bursts: u64,
    /// Read beats delivered.
    pub read_beats: u64,
    /// Write bursts accepted.
    pub write_bursts: u64,
    /// Write beats accepted.
    pub write_beats: u64,
    /// Most read bursts outstanding at once.
    pub max_reads_in_flight: u64,
    /// Write beats taken before their burst's address (awkward slave).
    pub early_write_beats: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct AddrReq {
    id: u64,
    addr: u64,
    len: u64,
    size: u64,
    burst: u64,
}

struct ReadBurst {
    id: u64,
    addr: u64,
    beats_left: u64,
    ready_at: u64,
}

struct WriteBurst {
    id: u64,
    addr: u64,
    beats_left: u64,
    resp: u64,
}

struct WriteResp {
    id: u64,
    resp: u64,
    ready_at: u64,
}

const MAX_OUTSTANDING: usize = 32;
const BEAT: u64 = bus::AXI_DATA_BYTES as u64;
/// Write beats an awkward slave takes before their address.
const EARLY_W: usize = 16;

/// A read beat on the R channel, held until the master takes it.
#[derive(Clone, Copy)]
struct RBeat {
    data: [u32; 4],
    resp: u64,
    id: u64,
    last: bool,
}

type WBeat = ([u32; 4], u64, bool);

/// See the module documentation.
pub struct AxiHost {
    timing: MemTiming,
    reads: VecDeque<ReadBurst>,
    writes: VecDeque<WriteBurst>,
    early_w: VecDeque<WBeat>,
    bresps: VecDeque<WriteResp>,
    rd_tokens: f64,
    wr_tokens: f64,
    rng: u64,
    arready: bool,
    awready: bool,
    wready: bool,
    r_out: Option<RBeat>,
    b_out: Option<(u64, u64)>,
    w_offered: bool,
    waiting_ar: Option<AddrReq>,
    waiting_aw: Option<AddrReq>,
    waiting_w: Option<WBeat>,
    /// AXI rule breaches seen so far (empty on a correct design).
    pub violations: Vec<String>,
    /// Traffic counters.
    pub stats: AxiStats,
}

impl AxiHost {
    /// A host with the given timing.
    pub fn new(timing: MemTiming) -> AxiHost {
        AxiHost {
            timing,
            reads: VecDeque::new(),
            writes: VecDeque::new(),
            early_w: VecDeque::new(),
            bresps: VecDeque::new(),
            rd_tokens: 0.0,
            wr_tokens: 0.0,
            rng: timing.seed | 1,
            arready: false,
            awready: false,
            wready: false,
            r_out: None,
            b_out: None,
            w_offered: false,
            waiting_ar: None,
            waiting_aw: None,
            waiting_w: None,
            violations: Vec::new(),
            stats: AxiStats::default(),
        }
    }

    /// The timing in force.
    pub fn timing(&self) -> MemTiming {
        self.timing
    }

    /// Whether any transaction is still in flight.
    pub fn idle(&self) -> bool {
        self.reads.is_empty() && self.writes.is_empty() && self.bresps.is_empty() && self.early_w.is_empty()
    }

    fn stall(&mut self) -> bool {
        if self.timing.stall_permille == 0 {
            return false;
        }
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng % 1000) < self.timing.stall_permille as u64
    }

    fn violation(&mut self, cycle: u64, what: String) {
        if self.violations.len() < 100 {
            self.violations.push(format!("cycle {cycle}: {what}"));
        }
    }

    /// Drives the slave-side signals for this cycle, before the model
    /// settles. A beat offered on R or B stays offered, unchanged, until the
    /// master takes it (AXI: VALID is never withdrawn).
    pub fn drive<M: CorePorts>(&mut self, m: &mut M, mem: &HostMemory, cycle: u64) {
        let cap = 2.0 * BEAT as f64 + self.timing.bandwidth;
        self.rd_tokens = (self.rd_tokens + self.timing.bandwidth).min(cap);
        self.wr_tokens = (self.wr_tokens + self.timing.bandwidth).min(cap);

        let aw_room = self.writes.len() + self.bresps.len() < MAX_OUTSTANDING;
        // An awkward slave takes an address only once it has seen data.
        let aw_allowed = !self.timing.awkward || self.w_offered || !self.early_w.is_empty();
        self.arready = self.reads.len() < MAX_OUTSTANDING && !self.stall();
        self.awready = aw_room && aw_allowed && !self.stall();
        let w_room = !self.writes.is_empty() || (self.timing.awkward && self.early_w.len() < EARLY_W);
        self.wready = w_room && self.wr_tokens >= BEAT as f64 && !self.stall();
        m.set_m_axi_arready(self.arready as u64);
        m.set_m_axi_awready(self.awready as u64);
        m.set_m_axi_wready(self.wready as u64);

        if self.r_out.is_none() {
            let ready = matches!(self.reads.front(), Some(r) if r.ready_at <= cycle);
            if ready && self.rd_tokens >= BEAT as f64 && !self.stall() {
                let r = self.reads.front().unwrap();
                let mut data = [0u8; 16];
                let resp = match mem.read(r.addr, &mut data) {
                    Ok(()) => bus::RESP_OKAY,
                    Err(_) => bus::RESP_DECERR,
                };
                self.r_out = Some(RBeat { data: words(&data), resp: resp as u64, id: r.id, last: r.beats_left == 1 });
            }
        }
        let r = self.r_out.unwrap_or(RBeat { data: [0; 4], resp: 0, id: 0, last: false });
        m.set_m_axi_rdata(&r.data);
        m.set_m_axi_rresp(r.resp);
        m.set_m_axi_rid(r.id);
        m.set_m_axi_rlast(r.last as u64);
        m.set_m_axi_rvalid(self.r_out.is_some() as u64);

        if self.b_out.is_none() {
            let ready = matches!(self.bresps.front(), Some(b) if b.ready_at <= cycle);
            if ready && !self.stall() {
                let b = self.bresps.front().unwrap();
                self.b_out = Some((b.id, b.resp));
            }
        }
        let (bid, bresp) = self.b_out.unwrap_or((0, 0));
        m.set_m_axi_bid(bid);
        m.set_m_axi_bresp(bresp);
        m.set_m_axi_bvalid(self.b_out.is_some() as u64);
    }

    /// Applies one write beat to the oldest write burst.
    fn apply_w(&mut self, cycle: u64, mem: &mut HostMemory, (data, strb, last): WBeat) {
        let wb = self.writes.front_mut().expect("write beat without a burst");
        let bytes = bytes_of(&data);
        for (lane, byte) in bytes.iter().enumerate() {
            if strb >> lane & 1 == 1 && mem.write(wb.addr + lane as u64, &[*byte]).is_err() {
                wb.resp = bus::RESP_DECERR as u64;
            }
        }
        wb.addr += BEAT;
        wb.beats_left -= 1;
        let left = wb.beats_left;
        if last != (left == 0) {
            self.violation(cycle, format!("wlast={last} but {left} beats left in the burst"));
        }
        if left == 0 {
            let wb = self.writes.pop_front().unwrap();
            self.bresps.push_back(WriteResp { id: wb.id, resp: wb.resp, ready_at: cycle + 1 + self.timing.write_latency });
        }
    }

    /// Samples the master-side signals after the model settled, performs the
    /// handshakes of this cycle and checks the AXI rules.
    pub fn sample<M: CorePorts>(&mut self, m: &M, mem: &mut HostMemory, cycle: u64) {
        // AR
        let arvalid = m.get_m_axi_arvalid() != 0;
        let ar = AddrReq {
            id: m.get_m_axi_arid(),
            addr: m.get_m_axi_araddr(),
            len: m.get_m_axi_arlen(),
            size: m.get_m_axi_arsize(),
            burst: m.get_m_axi_arburst(),
        };
        if let Some(prev) = self.waiting_ar.take() {
            if !arvalid || prev != ar {
                self.violation(cycle, format!("AR changed or dropped before ready: {prev:?} -> {ar:?}"));
            }
        }
        if arvalid {
            self.check_burst(cycle, "AR", ar);
            if self.arready {
                self.reads.push_back(ReadBurst {
                    id: ar.id,
                    addr: ar.addr,
                    beats_left: ar.len + 1,
                    ready_at: cycle + 1 + self.timing.read_latency,
                });
                self.stats.read_bursts += 1;
                self.stats.max_reads_in_flight = self.stats.max_reads_in_flight.max(self.reads.len() as u64);
            } else {
                self.waiting_ar = Some(ar);
            }
        }
        // R
        if self.r_out.is_some() && m.get_m_axi_rready() != 0 {
            self.r_out = None;
            self.rd_tokens -= BEAT as f64;
            self.stats.read_beats += 1;
            let r = self.reads.front_mut().unwrap();
            r.addr += BEAT;
            r.beats_left -= 1;
            if r.beats_left == 0 {
                self.reads.pop_front();
            }
        }
        // AW
        let awvalid = m.get_m_axi_awvalid() != 0;
        let aw = AddrReq {
            id: m.get_m_axi_awid(),
            addr: m.get_m_axi_awaddr(),
            len: m.get_m_axi_awlen(),
            size: m.get_m_axi_awsize(),
            burst: m.get_m_axi_awburst(),
        };
        if let Some(prev) = self.waiting_aw.take() {
            if !awvalid || prev != aw {
                self.violation(cycle, format!("AW changed or dropped before ready: {prev:?} -> {aw:?}"));
            }
        }
        if awvalid {
            self.check_burst(cycle, "AW", aw);
            if self.awready {
                self.writes.push_back(WriteBurst { id: aw.id, addr: aw.addr, beats_left: aw.len + 1, resp: 0 });
                self.stats.write_bursts += 1;
                // Data that came before its address lands now.
                while !self.early_w.is_empty() && !self.writes.is_empty() {
                    let beat = self.early_w.pop_front().unwrap();
                    self.apply_w(cycle, mem, beat);
                }
            } else {
                self.waiting_aw = Some(aw);
            }
        }
        // W
        let wvalid = m.get_m_axi_wvalid() != 0;
        self.w_offered = wvalid;
        let w = (m.get_m_axi_wdata(), m.get_m_axi_wstrb(), m.get_m_axi_wlast() != 0);
        if let Some(prev) = self.waiting_w.take() {
            if !wvalid || prev != w {
                self.violation(cycle, "W changed or dropped before ready".into());
            }
        }
        if wvalid {
            if self.wready {
                self.wr_tokens -= BEAT as f64;
                self.stats.write_beats += 1;
                if self.writes.is_empty() || !self.early_w.is_empty() {
                    self.stats.early_write_beats += 1;
                    self.early_w.push_back(w);
                } else {
                    self.apply_w(cycle, mem, w);
                }
            } else {
                self.waiting_w = Some(w);
            }
        }
        // B
        if self.b_out.is_some() && m.get_m_axi_bready() != 0 {
            self.b_out = None;
            self.bresps.pop_front();
        }
    }

    fn check_burst(&mut self, cycle: u64, ch: &str, r: AddrReq) {
        let bytes = (r.len + 1) * BEAT;
        if r.size != BEAT.trailing_zeros() as u64 || r.burst != 1 {
            self.violation(
                cycle,
                format!(
                    "{ch}: size {} burst {} (want 16-byte INCR)",
                    r.size, r.burst
                ),
            );
        }
        if r.addr % BEAT != 0 {
            self.violation(cycle, format!("{ch}: unaligned address {:#x}", r.addr));
        }
        if (r.addr % bus::BURST_BOUNDARY) + bytes > bus::BURST_BOUNDARY {
            self.violation(
                cycle,
                format!("{ch}: burst {:#x}+{bytes} crosses 4 KiB", r.addr),
            );
        }
        if r.len + 1 > bus::MAX_BURST_BEATS as u64 {
            self.violation(
                cycle,
                format!(
                    "{ch}: {} beats, over the {} limit",
                    r.len + 1,
                    bus::MAX_BURST_BEATS
                ),
            );
        }
    }
}

/// 16 bytes → four little-endian 32-bit words (Verilator's wide-port layout).
pub fn words(b: &[u8; 16]) -> [u32; 4] {
    let mut w = [0u32; 4];
    for (i, c) in b.chunks_exact(4).enumerate() {
        w[i] = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    w
}

/// Four little-endian 32-bit words → 16 bytes.
pub fn bytes_of(w: &[u32; 4]) -> [u8; 16] {
    let mut b = [0u8; 16];
    for (i, x) in w.iter().enumerate() {
        b[i * 4..i * 4 + 4].copy_from_slice(&x.to_le_bytes());
    }
    b
}
