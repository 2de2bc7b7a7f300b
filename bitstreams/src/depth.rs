//! Logic depth of a synthesized netlist: a unit-delay timing analysis over
//! `synth_ecp5`'s JSON, with no placement.
//!
//! nextpnr names one critical path per run, after minutes of placement and
//! routing; when many paths are nearly as slow, fixing that one only moves
//! the report to the next. This walks every register-to-register path of
//! the netlist in a second and lists all the endpoints over a depth, grouped
//! by where their deepest path starts and ends, so a change can be judged on
//! the whole design. A unit is one LUT level with its routing; carry chains,
//! wide-function muxes and block-RAM outputs get the weights below (ECP5
//! speed grade 6 puts a LUT level with typical routing near 1 ns, a
//! DP16KD's clock-to-output near 3 ns without its output register). The
//! figure to trust is nextpnr's Fmax; this one says where the depth is.

use crate::FlowError;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A LUT level with its routing.
const LUT: f64 = 1.0;
/// A wide-function mux (PFUMX, L6MUX21) from its data inputs.
const MUX: f64 = 0.3;
/// A wide-function mux from its select input.
const MUX_SELECT: f64 = 0.6;
/// A carry chain's carry in to carry out (dedicated wiring).
const CARRY_CHAIN: f64 = 0.12;
/// A carry chain's carry in to a sum output.
const CARRY_SUM: f64 = 0.4;
/// A block RAM's clock to output (no output register).
const BRAM_OUT: f64 = 3.0;

/// Endpoints whose deepest paths share a start and an end register (bits
/// of one vector count together).
#[derive(Clone, Debug, PartialEq)]
pub struct Cone {
    /// Depth of the deepest path, in units.
    pub depth: f64,
    /// Where it starts: a register, a RAM output or an input port.
    pub start: String,
    /// Where it ends: a register's input, a RAM input or an output port.
    pub end: String,
    /// Endpoints (bits) in the group.
    pub endpoints: usize,
    /// Each endpoint's own depth, deepest first (the group's other bits
    /// may be shallower than its deepest).
    pub depths: Vec<f64>,
}

impl Cone {
    /// Endpoints of the group deeper than `units`.
    pub fn over(&self, units: f64) -> usize {
        self.depths.iter().filter(|&&d| d > units).count()
    }
}

/// The depth of every endpoint of a netlist.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DepthReport {
    /// Endpoints analysed.
    pub endpoints: usize,
    /// Endpoints by whole units of depth.
    pub histogram: BTreeMap<u32, usize>,
    /// The groups of endpoints, deepest first.
    pub cones: Vec<Cone>,
}

impl DepthReport {
    /// The deepest path, in units.
    pub fn worst(&self) -> f64 {
        self.cones.first().map_or(0.0, |c| c.depth)
    }

    /// Endpoints deeper than `units`.
    pub fn over(&self, units: f64) -> usize {
        self.cones.iter().map(|c| c.over(units)).sum()
    }

    /// Per block (the end register's place in the hierarchy, at most two
    /// levels: `engine`, `engine.sections`, `irq.ctx`, ...): its endpoints
    /// deeper than `units` and its deepest path, deepest block first. A
    /// pipelining effort is tracked block by block with it.
    pub fn by_block(&self, units: f64) -> Vec<(String, usize, f64)> {
        let mut blocks: BTreeMap<String, (usize, f64)> = BTreeMap::new();
        for c in &self.cones {
            let b = blocks.entry(block_of(&c.end)).or_default();
            b.0 += c.over(units);
            b.1 = b.1.max(c.depth);
        }
        let mut v: Vec<_> = blocks.into_iter().map(|(k, (n, d))| (k, n, d)).collect();
        v.sort_by(|a, b| b.2.total_cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// A short text: the histogram, each block's share, then the groups
    /// deeper than `units` (only those ending in `block`, if given: a name
    /// prefix such as `irq` or `engine.sections`, or a block of
    /// [`by_block`](Self::by_block) such as `top`).
    pub fn to_text(&self, units: f64, max_cones: usize, block: Option<&str>) -> String {
        let mut out = format!("{} endpoints, deepest {:.1} units\nendpoints by depth:", self.endpoints, self.worst());
        for (d, n) in &self.histogram {
            out += &format!(" {d}:{n}");
        }
        out += &format!("\nby block (deepest path; endpoints deeper than {units} units):\n");
        for (block, n, deepest) in self.by_block(units) {
            out += &format!("{deepest:6.2}  {n:>5}  {block}\n");
        }
        // A block is a whole name or its dotted prefix: `irq` is `irq.ctx...`,
        // not the core's own `irq_event_hot`.
        let in_block = |c: &Cone, b: &str| {
            c.end.strip_prefix(b).is_some_and(|rest| rest.starts_with('.')) || block_of(&c.end) == b
        };
        let shown = |c: &&Cone| c.depth > units && block.is_none_or(|b| in_block(c, b));
        let over: usize = self.cones.iter().filter(shown).map(|c| c.over(units)).sum();
        let of = block.map_or(String::new(), |b| format!(" in {b}"));
        out += &format!("{over} endpoints{of} deeper than {units} units, deepest first:\n");
        for c in self.cones.iter().filter(shown).take(max_cones) {
            out += &format!("{:6.2} ×{:<5} {} -> {}\n", c.depth, c.over(units), c.start, c.end);
        }
        out
    }
}

/// A net bit (Yosys numbers them; constants are strings and skipped).
type Bit = u64;

struct Netlist<'a> {
    cells: Vec<(&'a str, &'a Value)>,
    driver: HashMap<Bit, (usize, &'a str)>,
    names: HashMap<Bit, String>,
}

/// The depth of every endpoint of module `top` in a Yosys JSON netlist
/// mapped to ECP5 cells.
pub fn logic_depth(path: &Path, top: &str) -> Result<DepthReport, FlowError> {
    let text = std::fs::read_to_string(path).map_err(|e| FlowError::io(path, e))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| FlowError::Report { path: path.into(), what: e.to_string() })?;
    let module = &json["modules"][top];
    let bad = |what: &str| FlowError::Report { path: path.into(), what: what.into() };
    let cells = module["cells"].as_object().ok_or_else(|| bad("modules.TOP.cells"))?;
    let netnames = module["netnames"].as_object().ok_or_else(|| bad("modules.TOP.netnames"))?;
    let ports = module["ports"].as_object().ok_or_else(|| bad("modules.TOP.ports"))?;

    let mut net = Netlist { cells: cells.iter().map(|(k, v)| (k.as_str(), v)).collect(), driver: HashMap::new(), names: HashMap::new() };
    for (i, (_, cell)) in net.cells.iter().enumerate() {
        for (port, bits) in connections(cell) {
            if cell["port_directions"][port] == "output" {
                for b in bits {
                    net.driver.insert(b, (i, port));
                }
            }
        }
    }
    // A bit's name: a user-visible one if it has one, else the shortest.
    let mut rank: HashMap<Bit, (bool, usize)> = HashMap::new();
    for (name, n) in netnames {
        let hidden = n["hide_name"].as_u64() == Some(1) || name.starts_with('$');
        let bits = bit_list(&n["bits"]);
        for (i, b) in bits.iter().enumerate() {
            let full = if bits.len() == 1 { name.clone() } else { format!("{name}[{i}]") };
            let r = (hidden, full.len());
            if rank.get(b).is_none_or(|old| r < *old) {
                rank.insert(*b, r);
                net.names.insert(*b, full);
            }
        }
    }

    let mut memo: HashMap<Bit, (f64, Option<Bit>)> = HashMap::new();
    let mut ends: Vec<(f64, String, Bit)> = Vec::new();
    for (name, cell) in &net.cells {
        let ty = cell["type"].as_str().unwrap_or("");
        let inputs: &[&str] = match ty {
            "TRELLIS_FF" => &["DI", "CE", "LSR"],
            "TRELLIS_DPR16X4" => &["DI", "WAD", "WRE"],
            "DP16KD" => &[],
            _ => continue,
        };
        let end_name = match ty {
            "TRELLIS_FF" => bit_list(&cell["connections"]["Q"]).first().map_or(name.to_string(), |q| net.name(*q)),
            _ => clean(name),
        };
        let end_name = vector(&end_name);
        let mut add = |port: &str, bits: Vec<Bit>| {
            for b in bits {
                ends.push((arrival(&net, &mut memo, b), format!("{end_name}.{port}"), b));
            }
        };
        if ty == "DP16KD" {
            for (port, bits) in connections(cell) {
                if cell["port_directions"][port] == "input" && !port.starts_with("CLK") {
                    add(port, bits);
                }
            }
        } else {
            for port in inputs {
                add(port, bit_list(&cell["connections"][*port]));
            }
        }
    }
    for (name, p) in ports {
        if p["direction"] == "output" {
            for b in bit_list(&p["bits"]) {
                ends.push((arrival(&net, &mut memo, b), format!("output {name}"), b));
            }
        }
    }
    ends.sort_by(|a, b| b.0.total_cmp(&a.0));

    let mut report = DepthReport { endpoints: ends.len(), ..Default::default() };
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for (depth, end, bit) in &ends {
        *report.histogram.entry(*depth as u32).or_default() += 1;
        let mut start = *bit;
        while let Some((_, Some(prev))) = memo.get(&start) {
            start = *prev;
        }
        let key = (vector(&net.name(start)), end.clone());
        match index.get(&key) {
            Some(&i) => {
                report.cones[i].endpoints += 1;
                report.cones[i].depths.push(*depth);
            }
            None => {
                index.insert(key.clone(), report.cones.len());
                report.cones.push(Cone { depth: *depth, start: key.0, end: key.1, endpoints: 1, depths: vec![*depth] });
            }
        }
    }
    Ok(report)
}

impl Netlist<'_> {
    fn name(&self, b: Bit) -> String {
        self.names.get(&b).map_or_else(|| format!("bit {b}"), |n| clean(n))
    }
}

/// The latest arrival at `bit` and the input bit it came through.
fn arrival(net: &Netlist, memo: &mut HashMap<Bit, (f64, Option<Bit>)>, bit: Bit) -> f64 {
    if let Some((a, _)) = memo.get(&bit) {
        return *a;
    }
    let Some(&(i, port)) = net.driver.get(&bit) else {
        memo.insert(bit, (0.0, None));
        return 0.0;
    };
    let cell = net.cells[i].1;
    let ty = cell["type"].as_str().unwrap_or("");
    let through: Vec<(&str, f64)> = match ty {
        "LUT4" => vec![("A", LUT), ("B", LUT), ("C", LUT), ("D", LUT)],
        "PFUMX" => vec![("ALUT", MUX), ("BLUT", MUX), ("C0", MUX_SELECT)],
        "L6MUX21" => vec![("D0", MUX), ("D1", MUX), ("SD", MUX_SELECT)],
        "CCU2C" => {
            let mut v: Vec<(&str, f64)> =
                ["A0", "B0", "C0", "D0", "A1", "B1", "C1", "D1"].iter().map(|p| (*p, LUT)).collect();
            v.push(("CIN", if port == "COUT" { CARRY_CHAIN } else { CARRY_SUM }));
            v
        }
        "TRELLIS_DPR16X4" if port == "DO" => vec![("RAD", LUT)],
        // A register or a block RAM output: a path starts here.
        _ => {
            let start = if ty == "DP16KD" { BRAM_OUT } else { 0.0 };
            memo.insert(bit, (start, None));
            return start;
        }
    };
    memo.insert(bit, (0.0, None)); // a combinational loop ends here
    let mut best = (0.0, None);
    for (p, delay) in through {
        for b in bit_list(&cell["connections"][p]) {
            let a = arrival(net, memo, b) + delay;
            if best.1.is_none() || a > best.0 {
                best = (a, Some(b));
            }
        }
    }
    memo.insert(bit, best);
    best.0
}

fn connections(cell: &Value) -> Vec<(&str, Vec<Bit>)> {
    cell["connections"].as_object().map_or_else(Vec::new, |c| c.iter().map(|(p, v)| (p.as_str(), bit_list(v))).collect())
}

fn bit_list(v: &Value) -> Vec<Bit> {
    v.as_array().map_or_else(Vec::new, |a| a.iter().filter_map(Value::as_u64).collect())
}

/// Drops the suffixes Yosys and the techmap add to a name.
fn clean(name: &str) -> String {
    let name = name.strip_prefix('\\').unwrap_or(name);
    let cut = ["_TRELLIS_", "_LUT4_", "_PFUMX_", "_CCU2C_", "_L6MUX21_", "$"]
        .iter()
        .filter_map(|s| name.find(s).filter(|&i| i > 0))
        .min()
        .unwrap_or(name.len());
    name[..cut].to_string()
}

/// The block an endpoint belongs to: its register's place in the hierarchy
/// (the name without the register and port, array indices dropped), at most
/// two levels deep; `outputs` for the module's output ports.
fn block_of(end: &str) -> String {
    if end.starts_with("output ") {
        return "outputs".into();
    }
    let mut parts: Vec<String> = end.split('.').map(vector).collect();
    parts.pop(); // the port
    if parts.last().is_some_and(|p| p == "q") {
        parts.pop(); // a register widget's output
    }
    parts.pop(); // the register
    parts.truncate(2);
    if parts.is_empty() {
        "top".into()
    } else {
        parts.join(".")
    }
}

/// A bit's name without its index, so a vector's bits group together.
fn vector(name: &str) -> String {
    match name.rfind('[') {
        Some(i) if name.ends_with(']') => name[..i].to_string(),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two registers `a` and `b`; `a` feeds `b` through two LUTs and a
    /// carry cell's carry chain, and feeds output `y` through one LUT.
    #[test]
    fn depth_follows_the_deepest_input() {
        let netlist = serde_json::json!({"modules": {"top": {
            "ports": {"y": {"direction": "output", "bits": [7]}},
            "netnames": {
                "a": {"hide_name": 0, "bits": [2, 3]},
                "b": {"hide_name": 0, "bits": [6]},
                "$auto": {"hide_name": 1, "bits": [4, 5, 8]},
            },
            "cells": {
                "ff_a0": {"type": "TRELLIS_FF", "port_directions": {"DI": "input", "Q": "output"},
                          "connections": {"DI": [6], "Q": [2]}},
                "ff_a1": {"type": "TRELLIS_FF", "port_directions": {"DI": "input", "Q": "output"},
                          "connections": {"DI": ["0"], "Q": [3]}},
                "l1": {"type": "LUT4", "port_directions": {"A": "input", "B": "input", "Z": "output"},
                       "connections": {"A": [2], "B": [3], "Z": [4]}},
                "l2": {"type": "LUT4", "port_directions": {"A": "input", "B": "input", "Z": "output"},
                       "connections": {"A": [4], "B": ["1"], "Z": [5]}},
                "c": {"type": "CCU2C", "port_directions": {"CIN": "input", "A0": "input", "COUT": "output"},
                      "connections": {"CIN": [5], "A0": [3], "COUT": [8]}},
                "ff_b": {"type": "TRELLIS_FF", "port_directions": {"DI": "input", "Q": "output"},
                         "connections": {"DI": [8], "Q": [6]}},
                "l3": {"type": "LUT4", "port_directions": {"A": "input", "Z": "output"},
                       "connections": {"A": [6], "Z": [7]}},
            },
        }}});
        let path = std::env::temp_dir().join(format!("alpc-depth-{}.json", std::process::id()));
        std::fs::write(&path, netlist.to_string()).unwrap();
        let r = logic_depth(&path, "top").unwrap();
        std::fs::remove_file(&path).ok();
        // Endpoints: ff_a0.DI, ff_b.DI, y (a constant input is no path).
        assert_eq!(r.endpoints, 3);
        let deepest = &r.cones[0];
        assert!((deepest.depth - (2.0 * LUT + CARRY_CHAIN)).abs() < 1e-9, "{deepest:?}");
        assert_eq!((deepest.start.as_str(), deepest.end.as_str()), ("a", "b.DI"));
        let y = r.cones.iter().find(|c| c.end == "output y").unwrap();
        assert_eq!((y.depth, y.start.as_str()), (LUT, "b"));
        assert_eq!(r.over(1.5), 1);
        assert_eq!(r.histogram.get(&0), Some(&1));
        // Blocks: `b.DI` and `a.DI` sit at the top, `y` is an output.
        let blocks = r.by_block(1.5);
        assert_eq!(blocks[0], ("top".to_string(), 1, 2.0 * LUT + CARRY_CHAIN));
        assert_eq!(blocks[1], ("outputs".to_string(), 0, LUT));
    }

    #[test]
    fn a_block_is_a_whole_name() {
        let cone = |end: &str, depth: f64| Cone {
            depth,
            start: "s".into(),
            end: end.into(),
            endpoints: 1,
            depths: vec![depth],
        };
        let r = DepthReport {
            endpoints: 3,
            histogram: BTreeMap::new(),
            cones: vec![cone("irq.ctx[1].need.DI", 7.0), cone("irq_event_hot.q.DI", 6.0), cone("engine.state.DI", 6.5)],
        };
        let text = r.to_text(5.5, 10, Some("irq"));
        assert!(text.contains("1 endpoints in irq deeper"), "{text}");
        assert!(text.contains("-> irq.ctx[1].need.DI") && !text.contains("-> irq_event_hot"), "{text}");
        // `top` is the block of the core's own registers.
        assert!(r.to_text(5.5, 10, Some("top")).contains("-> irq_event_hot.q.DI"));
        assert_eq!(r.over(5.5), 3);
    }

    #[test]
    fn blocks_are_at_most_two_levels() {
        assert_eq!(block_of("engine.state.DI"), "engine");
        assert_eq!(block_of("engine.p_look.q.DI"), "engine");
        assert_eq!(block_of("engine.sections.secs.read_data.DI"), "engine.sections");
        assert_eq!(block_of("engine.ports.mem.0.0.ADB6"), "engine.ports");
        assert_eq!(block_of("irq.ctx[2].timer.LSR"), "irq.ctx");
        assert_eq!(block_of("output m_axi_awaddr"), "outputs");
    }
}
