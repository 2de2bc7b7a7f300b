//! Endpoint census: every register input that misses the clock target in
//! one placed and routed run, grouped by register, from nextpnr's SDF.
//!
//! nextpnr reports one critical path per run; when hundreds of paths are
//! nearly as slow, fixing that one only moves the report to the next. Its
//! `--sdf` file holds every routed delay, so a static timing analysis over
//! it gives the whole landscape at once: which registers miss the target,
//! with how many endpoints (bits), how late, and which register the worst
//! path into each starts from. Unlike [`mod@crate::depth`] (a unit-delay
//! estimate before placement), these are nextpnr's own routed delays.
//!
//! The analysis, on the subset of SDF 3.0 nextpnr writes
//! (`common/kernel/sdf.cc`):
//!
//! - a node is a cell's port; an `INTERCONNECT` is an edge from the
//!   driving port to the sink port;
//! - an `IOPATH` from a clock port (one a `SETUPHOLD` check of the cell
//!   names as its clock, or `CLK`, `CLKA`, `CLKB`, `WCK`) launches data at
//!   its output after the clock-to-output delay; any other `IOPATH` is a
//!   combinational edge inside the cell;
//! - an endpoint is a port with a `SETUPHOLD` check; its time is its worst
//!   arrival plus its setup time;
//! - every delay is the largest of its rise and fall maxima (an empty
//!   `()` counts as no delay), in the file's `TIMESCALE` (nextpnr: 1 ps).
//!
//! Endpoints that no launching clock reaches (driven by constants or
//! top-level inputs) are not timed and not counted. Nodes on a
//! combinational loop, and everything after one, cannot be ordered: they
//! are left untimed and counted in [`EndpointCensus::looped_nodes`]
//! (nextpnr's netlists have none).

use crate::FlowError;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

/// The thresholds [`EndpointCensus::thresholds`] counts endpoints over, as
/// steps past the clock period, ns: the period itself, then 1 and 2 ns
/// later (8, 9 and 10 ns at 125 MHz), to tell a slight miss from a deep
/// one.
pub const THRESHOLD_STEPS_NS: [f64; 3] = [0.0, 1.0, 2.0];

/// How many registers the reports list, by worst time and by count.
pub const TOP_REGISTERS: usize = 12;

/// The endpoints of one run against a clock period.
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointCensus {
    /// The clock period checked against, ns.
    pub period_ns: f64,
    /// Endpoints (register inputs with a setup check) that a launching
    /// clock reaches.
    pub endpoints: usize,
    /// Of them, those whose arrival plus setup is over the period.
    pub over_target: usize,
    /// Endpoints over each of the period plus [`THRESHOLD_STEPS_NS`]:
    /// (threshold in ns, endpoints strictly over it); the first is
    /// `over_target`.
    pub thresholds: Vec<(f64, usize)>,
    /// The slowest endpoint's arrival plus setup, ns; `None` when no
    /// endpoint is timed.
    pub worst_ns: Option<f64>,
    /// Ports left untimed because they are on or after a combinational
    /// loop (0 for nextpnr's netlists).
    pub looped_nodes: usize,
    /// Every register with an endpoint over the period, slowest first
    /// (ties: more endpoints first, then by name).
    pub registers: Vec<LateRegister>,
}

/// A register (all the bits of one vector, named as in the RTL) with
/// endpoints over the period.
#[derive(Clone, Debug, PartialEq)]
pub struct LateRegister {
    /// The register, its cells' names without the mapping suffixes
    /// ([`register_name`]).
    pub name: String,
    /// Its endpoints (bits, and their enable, reset or RAM inputs) over
    /// the period.
    pub endpoints_over: usize,
    /// Its slowest endpoint's arrival plus setup, ns.
    pub worst_ns: f64,
    /// The register (or RAM) that the slowest path into it starts from.
    pub from: String,
}

impl EndpointCensus {
    /// The census of nextpnr's SDF at `path` against `period_ns`; `None`
    /// when the file does not exist (a run from before nextpnr was asked
    /// for one).
    pub fn read(path: &Path, period_ns: f64) -> Result<Option<Self>, FlowError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(FlowError::io(path, e)),
        };
        Self::from_sdf(&text, period_ns)
            .map(Some)
            .map_err(|e| FlowError::Report { path: path.to_path_buf(), what: e.to_string() })
    }

    /// The census of an SDF text against `period_ns`.
    pub fn from_sdf(text: &str, period_ns: f64) -> Result<Self, SdfError> {
        let graph = Parser::new(text).delay_file()?;
        Ok(graph.census(period_ns))
    }

    /// The clock target, MHz.
    pub fn target_mhz(&self) -> f64 {
        1e3 / self.period_ns
    }

    /// The `n` slowest registers.
    pub fn by_worst(&self, n: usize) -> &[LateRegister] {
        &self.registers[..n.min(self.registers.len())]
    }

    /// The `n` registers with the most endpoints over the period (ties:
    /// slowest first).
    pub fn by_count(&self, n: usize) -> Vec<&LateRegister> {
        let mut by_count: Vec<&LateRegister> = self.registers.iter().collect();
        by_count.sort_by(|a, b| {
            b.endpoints_over.cmp(&a.endpoints_over).then(b.worst_ns.total_cmp(&a.worst_ns)).then(a.name.cmp(&b.name))
        });
        by_count.truncate(n);
        by_count
    }
}

/// Why an SDF file could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("SDF line {line}: {what}")]
pub struct SdfError {
    /// The line (from 1) where reading stopped.
    pub line: usize,
    /// What was wrong.
    pub what: String,
}

/// The register a cell belongs to: its name without the suffixes Yosys's
/// and nextpnr's mapping add, so that the bits of one RTL register count
/// together: `engine.state$q_TRELLIS_FF_Q_2` and
/// `engine.c_dst.q_TRELLIS_FF_Q_17` are `engine.state` and `engine.c_dst`,
/// `x$DPRAM_COMB3` (a LUT RAM's slice) is `x`, `rd[5]_TRELLIS_FF_Q` is
/// `rd`; a block RAM (`engine.ports.mem.0.3`) keeps its name, one row per
/// DP16KD.
///
/// Yosys names a flip-flop after one of the wires its output drives, not
/// always the register's own: bits of a register that feeds named wires
/// directly may count under those wires (the engine's entry B, `b_e`,
/// shows up as `b_peer`, `b_pend`, `b_handle`, `b_context`). The SDF holds
/// only the cell names, so the census reports what it sees.
pub fn register_name(cell: &str) -> String {
    let mut s = cell;
    // Flip-flops: `<net>_TRELLIS_FF_Q`, numbered `_<n>` when a net names
    // several.
    'ff: for candidate in [without_number(s, "_"), Some(s)].into_iter().flatten() {
        for stem in ["_TRELLIS_FF_Q", "_TRELLIS_FF"] {
            if let Some(rest) = candidate.strip_suffix(stem) {
                s = rest;
                break 'ff;
            }
        }
    }
    // LUT RAM: one `TRELLIS_COMB` per slice, `<ram>$DPRAM_COMB<n>`.
    if let Some(rest) = without_number(s, "$DPRAM_COMB") {
        s = rest;
    }
    // One bit of a vector (before the `.q`: `x.q[3]` is a bit of `x.q`).
    if let Some(rest) = s.strip_suffix(']').and_then(|r| without_number(r, "[")) {
        s = rest;
    }
    // RustHDL's registers are `<name>.q` (a module's) or `<name>$q`.
    if let Some(rest) = s.strip_suffix("$q").or_else(|| s.strip_suffix(".q")) {
        s = rest;
    }
    s.to_string()
}

/// `s` without a trailing `<sep><decimal digits>`, if it ends so.
fn without_number<'s>(s: &'s str, sep: &str) -> Option<&'s str> {
    let rest = s.trim_end_matches(|c: char| c.is_ascii_digit());
    if rest.len() < s.len() {
        rest.strip_suffix(sep)
    } else {
        None
    }
}

/// An SDF token: a parenthesis or an atom (raw, still escaped; a quoted
/// string without its quotes).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tok<'a> {
    Open,
    Close,
    Atom(&'a str),
    End,
}

/// A hand-written reader of nextpnr's SDF: one pass over the text, no
/// syntax tree (the files run to tens of MB), nesting followed by the
/// grammar's fixed depth, unknown constructs skipped whole.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    /// Picoseconds per unit of the file's `TIMESCALE`; SDF's default
    /// is 1 ns.
    scale_ps: f64,
    graph: Graph<'a>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser { text, pos: 0, line: 1, scale_ps: 1e3, graph: Graph::default() }
    }

    fn error<T>(&self, what: impl Into<String>) -> Result<T, SdfError> {
        Err(SdfError { line: self.line, what: what.into() })
    }

    fn next(&mut self) -> Result<Tok<'a>, SdfError> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            if !b.is_ascii_whitespace() {
                break;
            }
            self.line += usize::from(b == b'\n');
            self.pos += 1;
        }
        let Some(&first) = bytes.get(self.pos) else { return Ok(Tok::End) };
        let start = self.pos;
        match first {
            b'(' => {
                self.pos += 1;
                Ok(Tok::Open)
            }
            b')' => {
                self.pos += 1;
                Ok(Tok::Close)
            }
            b'"' => {
                // nextpnr puts a `"` before a `\` or a `"` inside a quoted
                // string (sdf.cc, format_name): the closing quote is the one
                // before a delimiter.
                let mut i = start + 1;
                loop {
                    match bytes.get(i) {
                        None => return self.error("unterminated string"),
                        Some(b'"') if bytes.get(i + 1).is_none_or(|&c| is_delimiter(c)) => break,
                        Some(&c) => {
                            self.line += usize::from(c == b'\n');
                            i += 1;
                        }
                    }
                }
                self.pos = i + 1;
                Ok(Tok::Atom(&self.text[start + 1..i]))
            }
            _ => {
                let mut i = start;
                while let Some(&c) = bytes.get(i) {
                    if is_delimiter(c) {
                        break;
                    }
                    // A backslash takes the next byte literally (nextpnr
                    // escapes `$ \ [ ] :`); the atom still ends at an ASCII
                    // delimiter, so the slice stays on a character boundary.
                    i += if c == b'\\' { 2 } else { 1 };
                }
                self.pos = i.min(bytes.len());
                Ok(Tok::Atom(&self.text[start..self.pos]))
            }
        }
    }

    fn expect_close(&mut self) -> Result<(), SdfError> {
        match self.next()? {
            Tok::Close => Ok(()),
            t => self.error(format!("expected `)`, found {}", describe(t))),
        }
    }

    /// After a `(`: the keyword that opens the list.
    fn keyword(&mut self) -> Result<&'a str, SdfError> {
        match self.next()? {
            Tok::Atom(a) => Ok(a),
            t => self.error(format!("expected a keyword after `(`, found {}", describe(t))),
        }
    }

    /// Skips the rest of the current list, its `)` included.
    fn skip_rest(&mut self) -> Result<(), SdfError> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Tok::Open => depth += 1,
                Tok::Close => depth -= 1,
                Tok::Atom(_) => {}
                Tok::End => return self.error("unexpected end of file"),
            }
        }
        Ok(())
    }

    /// The whole file: `(DELAYFILE ...)`.
    fn delay_file(mut self) -> Result<Graph<'a>, SdfError> {
        if self.next()? != Tok::Open || !self.keyword()?.eq_ignore_ascii_case("DELAYFILE") {
            return self.error("not an SDF file (no `(DELAYFILE`)");
        }
        loop {
            match self.next()? {
                Tok::Open => {
                    let kw = self.keyword()?;
                    if kw.eq_ignore_ascii_case("CELL") {
                        self.cell()?;
                    } else if kw.eq_ignore_ascii_case("TIMESCALE") {
                        self.timescale()?;
                    } else {
                        self.skip_rest()?;
                    }
                }
                Tok::Close => break,
                t => return self.error(format!("unexpected {} in DELAYFILE", describe(t))),
            }
        }
        match self.next()? {
            Tok::End => Ok(self.graph),
            t => self.error(format!("{} after the end of DELAYFILE", describe(t))),
        }
    }

    /// `(TIMESCALE 1ps)` (also `1 ps`, `10ps`, `1ns`...).
    fn timescale(&mut self) -> Result<(), SdfError> {
        let mut spec = String::new();
        loop {
            match self.next()? {
                Tok::Atom(a) => spec.push_str(a),
                Tok::Close => break,
                t => return self.error(format!("unexpected {} in TIMESCALE", describe(t))),
            }
        }
        let unit_at = spec.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(spec.len());
        let (number, unit) = spec.split_at(unit_at);
        let unit_ps = match unit {
            "fs" => 1e-3,
            "ps" => 1.0,
            "ns" => 1e3,
            "us" => 1e6,
            _ => return self.error(format!("TIMESCALE `{spec}`")),
        };
        match number.parse::<f64>() {
            Ok(n) if n > 0.0 && n.is_finite() => self.scale_ps = n * unit_ps,
            _ => return self.error(format!("TIMESCALE `{spec}`")),
        }
        Ok(())
    }

    /// `(CELL (CELLTYPE ..) (INSTANCE ..) (DELAY ..) (TIMINGCHECK ..))`.
    fn cell(&mut self) -> Result<(), SdfError> {
        let mut cell = CellTiming::default();
        loop {
            match self.next()? {
                Tok::Open => {
                    let kw = self.keyword()?;
                    if kw.eq_ignore_ascii_case("INSTANCE") {
                        // The top level's cell has an empty INSTANCE.
                        match self.next()? {
                            Tok::Atom(a) => {
                                cell.instance = unescape(a);
                                self.expect_close()?;
                            }
                            Tok::Close => {}
                            t => return self.error(format!("unexpected {} in INSTANCE", describe(t))),
                        }
                    } else if kw.eq_ignore_ascii_case("DELAY") {
                        self.delay(&mut cell)?;
                    } else if kw.eq_ignore_ascii_case("TIMINGCHECK") {
                        self.timing_checks(&mut cell)?;
                    } else {
                        self.skip_rest()?;
                    }
                }
                Tok::Close => break,
                t => return self.error(format!("unexpected {} in CELL", describe(t))),
            }
        }
        // The clock ports are known only once the checks (after the delays)
        // are read.
        self.graph.add_cell(cell);
        Ok(())
    }

    /// `(DELAY (ABSOLUTE (INTERCONNECT ..) (IOPATH ..) ..))`.
    fn delay(&mut self, cell: &mut CellTiming<'a>) -> Result<(), SdfError> {
        loop {
            match self.next()? {
                Tok::Open => {
                    let kw = self.keyword()?;
                    if kw.eq_ignore_ascii_case("ABSOLUTE") || kw.eq_ignore_ascii_case("INCREMENT") {
                        self.delay_entries(cell)?;
                    } else {
                        self.skip_rest()?;
                    }
                }
                Tok::Close => return Ok(()),
                t => return self.error(format!("unexpected {} in DELAY", describe(t))),
            }
        }
    }

    fn delay_entries(&mut self, cell: &mut CellTiming<'a>) -> Result<(), SdfError> {
        loop {
            match self.next()? {
                Tok::Open => {
                    let kw = self.keyword()?;
                    if kw.eq_ignore_ascii_case("INTERCONNECT") {
                        let from = self.cell_port()?;
                        let to = self.cell_port()?;
                        let delay = self.delays()?;
                        self.graph.add_edge(from, to, delay);
                    } else if kw.eq_ignore_ascii_case("IOPATH") {
                        let from = self.port_spec()?;
                        let to = self.port_spec()?;
                        let delay = self.delays()?;
                        cell.iopaths.push((from, to, delay));
                    } else {
                        self.skip_rest()?;
                    }
                }
                Tok::Close => return Ok(()),
                t => return self.error(format!("unexpected {} in a delay section", describe(t))),
            }
        }
    }

    /// `(TIMINGCHECK (SETUPHOLD (posedge DI) (posedge CLK) (setup) (hold)) ..)`.
    fn timing_checks(&mut self, cell: &mut CellTiming<'a>) -> Result<(), SdfError> {
        loop {
            match self.next()? {
                Tok::Open => {
                    let kw = self.keyword()?;
                    if kw.eq_ignore_ascii_case("SETUPHOLD") {
                        let data = self.port_spec()?;
                        let clock = self.port_spec()?;
                        let setup = match self.next()? {
                            Tok::Open => self.rvalue()?.unwrap_or(0.0),
                            t => return self.error(format!("expected the setup time, found {}", describe(t))),
                        };
                        // The hold time is not needed.
                        self.skip_rest()?;
                        cell.checks.push((data, clock, setup));
                    } else {
                        self.skip_rest()?;
                    }
                }
                Tok::Close => return Ok(()),
                t => return self.error(format!("unexpected {} in TIMINGCHECK", describe(t))),
            }
        }
    }

    /// An INTERCONNECT end, `cell/port`: the last `/` splits them (nextpnr
    /// does not escape `/`, and its port names have none).
    fn cell_port(&mut self) -> Result<(Cow<'a, str>, Cow<'a, str>), SdfError> {
        let raw = match self.next()? {
            Tok::Atom(a) => a,
            t => return self.error(format!("expected `cell/port`, found {}", describe(t))),
        };
        let split = |s: &str| s.rfind('/').filter(|&i| i + 1 < s.len());
        match unescape(raw) {
            Cow::Borrowed(s) => match split(s) {
                Some(i) => Ok((Cow::Borrowed(&s[..i]), Cow::Borrowed(&s[i + 1..]))),
                None => self.error(format!("`{raw}` is not `cell/port`")),
            },
            Cow::Owned(s) => match split(&s) {
                Some(i) => Ok((Cow::Owned(s[..i].to_string()), Cow::Owned(s[i + 1..].to_string()))),
                None => self.error(format!("`{raw}` is not `cell/port`")),
            },
        }
    }

    /// A port of an IOPATH or a check: `DI`, or `(posedge DI)`.
    fn port_spec(&mut self) -> Result<Cow<'a, str>, SdfError> {
        match self.next()? {
            Tok::Atom(a) => Ok(unescape(a)),
            Tok::Open => {
                let mut port = None;
                loop {
                    match self.next()? {
                        Tok::Atom(a) => port = Some(a),
                        Tok::Open => self.skip_rest()?,
                        Tok::Close => break,
                        Tok::End => return self.error("unexpected end of file"),
                    }
                }
                match port {
                    Some(p) => Ok(unescape(p)),
                    None => self.error("empty port"),
                }
            }
            t => self.error(format!("expected a port, found {}", describe(t))),
        }
    }

    /// The delay lists ending an INTERCONNECT or an IOPATH, the list's `)`
    /// included: the largest value, ps (0 when all are empty).
    fn delays(&mut self) -> Result<f64, SdfError> {
        let (mut worst, mut lists) = (None::<f64>, 0);
        loop {
            match self.next()? {
                Tok::Open => {
                    lists += 1;
                    if let Some(v) = self.rvalue()? {
                        worst = Some(worst.map_or(v, |w| w.max(v)));
                    }
                }
                Tok::Close if lists > 0 => return Ok(worst.unwrap_or(0.0)),
                t => return self.error(format!("expected a delay `(min:typ:max)`, found {}", describe(t))),
            }
        }
    }

    /// After a `(`: `min:typ:max`, a single value or nothing, up to its `)`;
    /// the largest value, ps.
    fn rvalue(&mut self) -> Result<Option<f64>, SdfError> {
        let mut worst: Option<f64> = None;
        loop {
            match self.next()? {
                Tok::Atom(a) => {
                    for part in a.split(':').filter(|p| !p.is_empty()) {
                        let v = match part.parse::<f64>() {
                            Ok(v) if v.is_finite() => v * self.scale_ps,
                            _ => return self.error(format!("`{a}` is not a delay")),
                        };
                        worst = Some(worst.map_or(v, |w| w.max(v)));
                    }
                }
                Tok::Close => return Ok(worst),
                t => return self.error(format!("unexpected {} in a delay", describe(t))),
            }
        }
    }
}

fn is_delimiter(c: u8) -> bool {
    c.is_ascii_whitespace() || c == b'(' || c == b')'
}

fn describe(t: Tok<'_>) -> String {
    match t {
        Tok::Open => "`(`".into(),
        Tok::Close => "`)`".into(),
        Tok::Atom(a) => format!("`{a}`"),
        Tok::End => "the end of the file".into(),
    }
}

/// An SDF name with its backslash escapes removed.
fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\\') {
        return Cow::Borrowed(raw);
    }
    let mut s = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => s.extend(chars.next()),
            c => s.push(c),
        }
    }
    Cow::Owned(s)
}

/// One CELL's paths and checks, held until the cell ends.
#[derive(Default)]
struct CellTiming<'a> {
    instance: Cow<'a, str>,
    /// (from port, to port, delay ps).
    iopaths: Vec<(Cow<'a, str>, Cow<'a, str>, f64)>,
    /// (data port, clock port, setup ps).
    checks: Vec<(Cow<'a, str>, Cow<'a, str>, f64)>,
}

/// The timing graph: nodes are (cell, port), numbered in order of first
/// appearance.
#[derive(Default)]
struct Graph<'a> {
    cells: HashMap<Cow<'a, str>, u32>,
    cell_names: Vec<Cow<'a, str>>,
    ports: HashMap<Cow<'a, str>, u32>,
    nodes: HashMap<(u32, u32), u32>,
    /// Each node's cell.
    node_cell: Vec<u32>,
    /// Each node's latest clock-to-output, ps (−∞: launches nothing).
    launch: Vec<f64>,
    /// Each endpoint's largest setup time, ps.
    setup: Vec<Option<f64>>,
    /// (from node, to node, delay ps).
    edges: Vec<(u32, u32, f64)>,
}

/// Ports that clock a cell even without a check naming them (ECP5's
/// flip-flops, block RAMs and LUT RAMs).
const CLOCK_PORTS: [&str; 4] = ["CLK", "CLKA", "CLKB", "WCK"];

impl<'a> Graph<'a> {
    fn node(&mut self, cell: Cow<'a, str>, port: Cow<'a, str>) -> usize {
        let next_cell = self.cell_names.len() as u32;
        let c = match self.cells.get(cell.as_ref()) {
            Some(&c) => c,
            None => {
                self.cells.insert(cell.clone(), next_cell);
                self.cell_names.push(cell);
                next_cell
            }
        };
        let next_port = self.ports.len() as u32;
        let p = *self.ports.entry(port).or_insert(next_port);
        let next_node = self.node_cell.len() as u32;
        let n = *self.nodes.entry((c, p)).or_insert(next_node);
        if n == next_node {
            self.node_cell.push(c);
            self.launch.push(f64::NEG_INFINITY);
            self.setup.push(None);
        }
        n as usize
    }

    fn add_edge(&mut self, from: (Cow<'a, str>, Cow<'a, str>), to: (Cow<'a, str>, Cow<'a, str>), delay: f64) {
        let a = self.node(from.0, from.1);
        let b = self.node(to.0, to.1);
        self.edges.push((a as u32, b as u32, delay));
    }

    fn add_cell(&mut self, cell: CellTiming<'a>) {
        let CellTiming { instance, iopaths, checks } = cell;
        let is_clock = |port: &str| CLOCK_PORTS.contains(&port) || checks.iter().any(|(_, clk, _)| clk == port);
        for (from, to, delay) in iopaths {
            if is_clock(&from) {
                let n = self.node(instance.clone(), to);
                self.launch[n] = self.launch[n].max(delay);
            } else {
                self.add_edge((instance.clone(), from), (instance.clone(), to), delay);
            }
        }
        for (data, _, setup) in checks {
            // One check per clock edge of the data: keep the largest.
            let n = self.node(instance.clone(), data);
            self.setup[n] = Some(self.setup[n].map_or(setup, |s| s.max(setup)));
        }
    }

    /// Worst arrivals in topological order (Kahn's, so no recursion on
    /// paths thousands of ports deep), then the endpoints.
    fn census(&self, period_ns: f64) -> EndpointCensus {
        let n = self.node_cell.len();
        // Incoming edges grouped by sink, in file order (ties keep the first
        // predecessor, as a reader of the file would); outgoing by driver.
        let mut in_start = vec![0u32; n + 1];
        let mut out_start = vec![0u32; n + 1];
        for &(a, b, _) in &self.edges {
            in_start[b as usize + 1] += 1;
            out_start[a as usize + 1] += 1;
        }
        for i in 0..n {
            in_start[i + 1] += in_start[i];
            out_start[i + 1] += out_start[i];
        }
        let mut in_edges = vec![(0u32, 0.0f64); self.edges.len()];
        let mut out_edges = vec![0u32; self.edges.len()];
        let (mut in_fill, mut out_fill) = (in_start.clone(), out_start.clone());
        for &(a, b, d) in &self.edges {
            in_edges[in_fill[b as usize] as usize] = (a, d);
            in_fill[b as usize] += 1;
            out_edges[out_fill[a as usize] as usize] = b;
            out_fill[a as usize] += 1;
        }
        let mut waiting: Vec<u32> = (0..n).map(|v| in_start[v + 1] - in_start[v]).collect();
        let mut order: Vec<u32> = (0..n as u32).filter(|&v| waiting[v as usize] == 0).collect();
        let mut arrival = vec![f64::NEG_INFINITY; n];
        // The launching port of each node's worst path.
        let mut origin: Vec<u32> = (0..n as u32).collect();
        let mut done = vec![false; n];
        let mut head = 0;
        while let Some(&v) = order.get(head) {
            head += 1;
            let v = v as usize;
            let (mut a, mut o) = (self.launch[v], v as u32);
            for &(p, d) in &in_edges[in_start[v] as usize..in_start[v + 1] as usize] {
                let t = arrival[p as usize] + d;
                if t > a {
                    a = t;
                    o = origin[p as usize];
                }
            }
            arrival[v] = a;
            origin[v] = o;
            done[v] = true;
            for &s in &out_edges[out_start[v] as usize..out_start[v + 1] as usize] {
                waiting[s as usize] -= 1;
                if waiting[s as usize] == 0 {
                    order.push(s);
                }
            }
        }
        // Compare in ps: nextpnr's delays are whole ps, so the sums are
        // exact and an endpoint right at a threshold is not over it.
        let period_ps = period_ns * 1e3;
        let thresholds_ps: Vec<f64> = THRESHOLD_STEPS_NS.iter().map(|s| period_ps + s * 1e3).collect();
        let mut over = vec![0usize; thresholds_ps.len()];
        let (mut endpoints, mut worst_ps) = (0usize, f64::NEG_INFINITY);
        let mut registers: HashMap<String, LateRegister> = HashMap::new();
        for v in 0..n {
            let Some(setup) = self.setup[v] else { continue };
            if !done[v] || arrival[v] == f64::NEG_INFINITY {
                continue;
            }
            let t = arrival[v] + setup;
            endpoints += 1;
            worst_ps = worst_ps.max(t);
            for (count, &limit) in over.iter_mut().zip(&thresholds_ps) {
                *count += usize::from(t > limit);
            }
            if t <= period_ps {
                continue;
            }
            let name = register_name(&self.cell_names[self.node_cell[v] as usize]);
            let from = || register_name(&self.cell_names[self.node_cell[origin[v] as usize] as usize]);
            let ns = t / 1e3;
            let r = registers.entry(name).or_insert_with_key(|name| LateRegister {
                name: name.clone(),
                endpoints_over: 0,
                worst_ns: f64::NEG_INFINITY,
                from: String::new(),
            });
            r.endpoints_over += 1;
            if ns > r.worst_ns {
                r.worst_ns = ns;
                r.from = from();
            }
        }
        let mut registers: Vec<LateRegister> = registers.into_values().collect();
        registers.sort_by(|a, b| {
            b.worst_ns.total_cmp(&a.worst_ns).then(b.endpoints_over.cmp(&a.endpoints_over)).then(a.name.cmp(&b.name))
        });
        EndpointCensus {
            period_ns,
            endpoints,
            over_target: over[0],
            thresholds: thresholds_ps.iter().map(|l| l / 1e3).zip(over).collect(),
            worst_ns: (endpoints > 0).then_some(worst_ps / 1e3),
            looped_nodes: done.iter().filter(|d| !**d).count(),
            registers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two registers `a` and `b` (two bits), a bus bit `rd[5]`, a LUT RAM
    /// slice and a block RAM clocked by a port only its checks name:
    ///
    /// - a.Q (500) → lut1.A (+250) → F (+200) = 950; b₃.Q (500) → lut1.B
    ///   (+100) → F (+250) = 850 loses;
    /// - lut1.F → lut2.B (+300) → F (+300) = 1550 → cc0.A (+100) → FCO
    ///   (+100) → cc1.FCI (+0) → F (+50) = 1800 → b₃.DI (+200) = 2000,
    ///   setup 150: 2.15 ns from a;
    /// - lut1.F → b₀.DI (+1000) = 1950, setup 150: 2.10 ns;
    /// - b₃.Q → rd[5].DI (+1200) = 1700, setup 100: 1.80 ns from b;
    /// - b₃.Q → a.DI (+50) = 550, setup 100: 0.65 ns;
    /// - ram.WCLK → DO (700) → x$DPRAM_COMB2.WD (+100) = 800, setup 150:
    ///   0.95 ns;
    /// - b₃.LSR has a check but no driver: untimed.
    const SDF: &str = r#"(DELAYFILE
  (SDFVERSION "3.0")
  (DESIGN "top")
  (VENDOR "nextpnr")
  (PROGRAM "nextpnr")
  (DIVIDER /)
  (TIMESCALE 1ps)
  (CELL
    (CELLTYPE "top")
    (INSTANCE )
    (DELAY
      (ABSOLUTE
        (INTERCONNECT a\$q_TRELLIS_FF_Q/Q lut1/A (100:150:200) (100:150:250))
        (INTERCONNECT b.q_TRELLIS_FF_Q_3/Q lut1/B (0:0:100) (0:0:100))
        (INTERCONNECT lut1/F lut2/B (0:0:300) ())
        (INTERCONNECT lut2/F cc\$CCU2_COMB0/A (0:0:100) (0:0:100))
        (INTERCONNECT cc\$CCU2_COMB0/FCO cc\$CCU2_COMB1/FCI (0:0:0) (0:0:0))
        (INTERCONNECT cc\$CCU2_COMB1/F b.q_TRELLIS_FF_Q_3/DI (0:0:200) (0:0:200))
        (INTERCONNECT lut1/F b.q_TRELLIS_FF_Q/DI (0:0:1000) (0:0:1000))
        (INTERCONNECT b.q_TRELLIS_FF_Q_3/Q rd\[5\]_TRELLIS_FF_Q/DI (0:0:1200) (0:0:1200))
        (INTERCONNECT b.q_TRELLIS_FF_Q_3/Q a\$q_TRELLIS_FF_Q/DI (0:0:50) (0:0:50))
        (INTERCONNECT ram.mem.0.1/DO x\$DPRAM_COMB2/WD (0:0:100) (0:0:100))
      )
    )
  )
  (CELL
    (CELLTYPE "TRELLIS_FF")
    (INSTANCE a\$q_TRELLIS_FF_Q)
    (DELAY
      (ABSOLUTE
        (IOPATH CLK Q (400:450:400) (400:450:500))
      )
    )
    (TIMINGCHECK
      (SETUPHOLD (posedge DI) (posedge CLK) (0:0:100) (0:0:0))
      (SETUPHOLD (negedge DI) (posedge CLK) (0:0:100) (0:0:0))
    )
  )
  (CELL
    (CELLTYPE "TRELLIS_FF")
    (INSTANCE b.q_TRELLIS_FF_Q_3)
    (DELAY
      (ABSOLUTE
        (IOPATH CLK Q (0:0:500) (0:0:500))
      )
    )
    (TIMINGCHECK
      (SETUPHOLD (posedge DI) (posedge CLK) (0:0:150) (0:0:0))
      (SETUPHOLD (negedge DI) (posedge CLK) (0:0:120) (0:0:0))
      (SETUPHOLD (posedge LSR) (posedge CLK) (0:0:300) (0:0:0))
    )
  )
  (CELL
    (CELLTYPE "TRELLIS_FF")
    (INSTANCE b.q_TRELLIS_FF_Q)
    (TIMINGCHECK
      (SETUPHOLD (posedge DI) (posedge CLK) (0:0:150) (0:0:0))
    )
  )
  (CELL
    (CELLTYPE "TRELLIS_FF")
    (INSTANCE rd\[5\]_TRELLIS_FF_Q)
    (TIMINGCHECK
      (SETUPHOLD (posedge DI) (posedge CLK) (0:0:100) (0:0:0))
    )
  )
  (CELL
    (CELLTYPE "TRELLIS_COMB")
    (INSTANCE lut1)
    (DELAY
      (ABSOLUTE
        (IOPATH A F (0:0:200) (0:0:150))
        (IOPATH B F (0:0:250) (0:0:250))
      )
    )
  )
  (CELL
    (CELLTYPE "TRELLIS_COMB")
    (INSTANCE lut2)
    (DELAY
      (ABSOLUTE
        (IOPATH B F (0:0:300) (0:0:300))
      )
    )
  )
  (CELL
    (CELLTYPE "TRELLIS_COMB")
    (INSTANCE cc\$CCU2_COMB0)
    (DELAY
      (ABSOLUTE
        (IOPATH A FCO (0:0:100) (0:0:100))
      )
    )
  )
  (CELL
    (CELLTYPE "TRELLIS_COMB")
    (INSTANCE cc\$CCU2_COMB1)
    (DELAY
      (ABSOLUTE
        (IOPATH FCI F (0:0:50) (0:0:50))
      )
    )
  )
  (CELL
    (CELLTYPE "DP16KD")
    (INSTANCE ram.mem.0.1)
    (DELAY
      (ABSOLUTE
        (IOPATH WCLK DO (0:0:700) (0:0:700))
      )
    )
    (TIMINGCHECK
      (SETUPHOLD (posedge DI) (posedge WCLK) (0:0:100) (0:0:0))
    )
  )
  (CELL
    (CELLTYPE "TRELLIS_COMB")
    (INSTANCE x\$DPRAM_COMB2)
    (TIMINGCHECK
      (SETUPHOLD (posedge WD) (posedge WCK) (0:0:150) (0:0:0))
    )
  )
)
"#;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn worst_arrivals_group_by_register_with_their_launching_register() {
        let c = EndpointCensus::from_sdf(SDF, 1.0).unwrap();
        // a.DI, b₃.DI, b₀.DI, rd[5].DI, x.WD; b₃.LSR and ram.DI are undriven.
        assert_eq!(c.endpoints, 5);
        assert_eq!(c.looped_nodes, 0);
        assert!(close(c.worst_ns.unwrap(), 2.15), "{c:?}");
        assert_eq!(c.over_target, 3);
        assert_eq!(c.thresholds, vec![(1.0, 3), (2.0, 2), (3.0, 0)]);
        let got: Vec<(&str, usize, &str)> =
            c.registers.iter().map(|r| (r.name.as_str(), r.endpoints_over, r.from.as_str())).collect();
        assert_eq!(got, vec![("b", 2, "a"), ("rd", 1, "b")]);
        assert!(close(c.registers[0].worst_ns, 2.15) && close(c.registers[1].worst_ns, 1.8), "{c:?}");
        assert!(close(c.target_mhz(), 1000.0));
        // A longer period: fewer late, and the LUT RAM's path (launched by a
        // clock only the block RAM's check names) is timed at 0.95 ns.
        let c = EndpointCensus::from_sdf(SDF, 0.9).unwrap();
        assert_eq!(c.over_target, 4);
        let x = c.registers.iter().find(|r| r.name == "x");
        assert!(x.is_some_and(|x| close(x.worst_ns, 0.95) && x.from == "ram.mem.0.1"), "{c:?}");
        let by_count: Vec<&str> = c.by_count(2).iter().map(|r| r.name.as_str()).collect();
        assert_eq!(by_count, ["b", "rd"]);
        assert_eq!(c.by_worst(1)[0].name, "b");
        assert_eq!(c.by_worst(99).len(), 3);
    }

    #[test]
    fn nothing_late_and_nothing_timed() {
        let c = EndpointCensus::from_sdf(SDF, 8.0).unwrap();
        assert_eq!((c.endpoints, c.over_target, c.registers.len()), (5, 0, 0));
        let empty = "(DELAYFILE (SDFVERSION \"3.0\") (TIMESCALE 1ps))";
        let c = EndpointCensus::from_sdf(empty, 8.0).unwrap();
        assert_eq!((c.endpoints, c.worst_ns), (0, None));
    }

    #[test]
    fn timescale_and_single_values() {
        let sdf = "(DELAYFILE (TIMESCALE 1 ns)
            (CELL (CELLTYPE \"FF\") (INSTANCE f) (DELAY (ABSOLUTE (IOPATH (posedge C) Q (1.5))))
              (TIMINGCHECK (SETUPHOLD D (posedge C) (0.25) ())))
            (CELL (CELLTYPE \"top\") (INSTANCE ) (DELAY (ABSOLUTE (INTERCONNECT f/Q f/D (::2) (1:1:1))))))";
        let c = EndpointCensus::from_sdf(sdf, 3.0).unwrap();
        assert_eq!(c.endpoints, 1);
        assert!(close(c.worst_ns.unwrap(), 3.75), "{c:?}");
        assert_eq!(c.registers[0].from, "f");
    }

    #[test]
    fn a_combinational_loop_is_left_untimed() {
        let sdf = "(DELAYFILE (TIMESCALE 1ps)
            (CELL (CELLTYPE \"top\") (INSTANCE )
              (DELAY (ABSOLUTE (INTERCONNECT f/Q l/A (1:1:1) (1:1:1)) (INTERCONNECT l/F l/B (1:1:1) (1:1:1))
                (INTERCONNECT l/F f/DI (1:1:1) (1:1:1)))))
            (CELL (CELLTYPE \"TRELLIS_COMB\") (INSTANCE l)
              (DELAY (ABSOLUTE (IOPATH A F (1:1:1) (1:1:1)) (IOPATH B F (1:1:1) (1:1:1)))))
            (CELL (CELLTYPE \"TRELLIS_FF\") (INSTANCE f) (DELAY (ABSOLUTE (IOPATH CLK Q (1:1:1) (1:1:1))))
              (TIMINGCHECK (SETUPHOLD (posedge DI) (posedge CLK) (1:1:1) (0:0:0)))))";
        let c = EndpointCensus::from_sdf(sdf, 8.0).unwrap();
        // l.B and l.F wait on each other; f.DI after them.
        assert_eq!((c.endpoints, c.looped_nodes), (0, 3));
    }

    #[test]
    fn register_names_lose_the_mapping_suffixes() {
        for (cell, register) in [
            ("engine.state$q_TRELLIS_FF_Q_2", "engine.state"),
            ("engine.c_dst.q_TRELLIS_FF_Q_17", "engine.c_dst"),
            ("engine.c_dst.q_TRELLIS_FF_Q", "engine.c_dst"),
            ("engine.ports.mem.0.3", "engine.ports.mem.0.3"),
            ("engine.restricted.mem.0.9$DPRAM_COMB3", "engine.restricted.mem.0.9"),
            ("s_axil_rdata[5]_TRELLIS_FF_Q", "s_axil_rdata"),
            ("engine.x.q[3]_TRELLIS_FF_Q_1", "engine.x"),
            ("x_TRELLIS_FF_4", "x"),
            ("csr.mem_last_lo$a_data", "csr.mem_last_lo$a_data"),
            ("engine.q_7", "engine.q_7"),
            ("v[x]", "v[x]"),
        ] {
            assert_eq!(register_name(cell), register, "{cell}");
        }
    }

    #[test]
    fn malformed_files_are_errors_not_panics() {
        let bad = [
            "",
            "(CELL)",
            "(DELAYFILE (CELL (INSTANCE x)",
            "(DELAYFILE (TIMESCALE 1 parsec))",
            "(DELAYFILE (CELL (INSTANCE ) (DELAY (ABSOLUTE (INTERCONNECT a/Q b/D (1:x:3) (1:1:1)))))))",
            "(DELAYFILE (CELL (INSTANCE ) (DELAY (ABSOLUTE (INTERCONNECT aQ b/D (1:1:1) (1:1:1)))))))",
            "(DELAYFILE (CELL (INSTANCE ) (DELAY (ABSOLUTE (INTERCONNECT a/Q b/D))))))",
            "(DELAYFILE (CELL (INSTANCE f) (DELAY (ABSOLUTE (IOPATH CLK Q (inf) (1)))))))",
            "(DELAYFILE (CELL (INSTANCE f) (TIMINGCHECK (SETUPHOLD DI CLK))))",
            "(DELAYFILE (CELLTYPE \"x))",
            "(DELAYFILE) (DELAYFILE)",
            "(DELAYFILE ())",
            "(DELAYFILE (CELL (INSTANCE f) (DELAY (ABSOLUTE (IOPATH () Q (1)))))))",
        ];
        for text in bad {
            assert!(EndpointCensus::from_sdf(text, 8.0).is_err(), "{text:?} was accepted");
        }
        let on_line_4 = "(DELAYFILE\n(CELL\n(INSTANCE )\n(DELAY (ABSOLUTE (INTERCONNECT aQ b/D (1) (1))))))";
        let e = EndpointCensus::from_sdf(on_line_4, 8.0).unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        // A truncated real file (cut inside a name) too.
        let cut = &SDF[..SDF.len() / 2];
        assert!(EndpointCensus::from_sdf(cut, 8.0).is_err());
        // Cut at every byte, once: never a panic.
        for i in 0..SDF.len() {
            let _ = EndpointCensus::from_sdf(&SDF[..i], 1.0);
        }
    }

    #[test]
    fn a_missing_file_is_no_census() {
        let path = std::env::temp_dir().join(format!("alpc-census-missing-{}.sdf", std::process::id()));
        assert_eq!(EndpointCensus::read(&path, 8.0).unwrap(), None);
    }
}
