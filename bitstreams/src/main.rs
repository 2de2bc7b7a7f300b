//! `alpc-bitstream`: the flows of [`alpc_bitstreams`] from the command line
//! (`cargo xtask bitstream ...` runs it).
//!
//! ```text
//! alpc-bitstream estimate [--large] [--no-pnr] [--no-xilinx] [--one-hot] [--freq MHZ] [--seed N[,N...]] [--speed 6|7|8] [--placer heap|static]
//! alpc-bitstream depth [--large] [--units N] [--block NAME]
//! alpc-bitstream ulx3s
//! alpc-bitstream acorn [--compile]
//! ```

use alpc_bitstreams::{Config, EstimateOptions, Placer};
use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let known: &[&str] = match args.first().map(String::as_str) {
        Some("estimate") => &["--large", "--no-pnr", "--no-xilinx", "--one-hot", "--freq", "--seed", "--speed", "--placer"],
        Some("depth") => &["--large", "--units", "--block"],
        Some("ulx3s") => &[],
        Some("acorn") => &["--compile"],
        _ => {
            eprintln!("{USAGE}");
            bail!("unknown or missing command");
        }
    };
    let value_of = |f: &str| args.iter().position(|a| a == f).map(|i| i + 1);
    let (freq_value, seed_value, units_value) = (value_of("--freq"), value_of("--seed"), value_of("--units"));
    let block_value = value_of("--block");
    let (speed_value, placer_value) = (value_of("--speed"), value_of("--placer"));
    for (i, a) in args.iter().enumerate().skip(1) {
        let is_value = [freq_value, seed_value, units_value, block_value, speed_value, placer_value].contains(&Some(i));
        if !known.contains(&a.as_str()) && !is_value {
            eprintln!("{USAGE}");
            bail!("unknown argument `{a}` for `{}`", args[0]);
        }
    }
    // Arguments first, then the (possibly long) tool set-up.
    let target_mhz = option_value(&args, freq_value, |f: &u32| *f > 0, "--freq MHZ")?;
    let seeds = option_value(&args, seed_value, SeedList::valid, "--seed N[,N...]")?;
    let speed = option_value(&args, speed_value, |s: &u32| (6..=8).contains(s), "--speed 6|7|8")?;
    let placer = option_value(&args, placer_value, |_: &Placer| true, "--placer heap|static")?;
    // Endpoints deeper than this are listed (about 8 ns at ECP5's speed 6).
    let units = option_value(&args, units_value, |u: &f64| *u >= 0.0, "--units N")?.unwrap_or(8.0);
    // Only the deep groups ending in this block (a name prefix).
    let block = option_value(&args, block_value, |b: &String| !b.starts_with('-'), "--block NAME")?;
    let tools = alpc_bitstreams::tools().context("setting up the pinned tools")?;
    match args[0].as_str() {
        "estimate" => {
            let config = if flag("--large") { Config::Large } else { Config::Default };
            let mut opts = EstimateOptions {
                place_and_route: !flag("--no-pnr"),
                xilinx: !flag("--no-xilinx"),
                one_hot: flag("--one-hot"),
                ..Default::default()
            };
            if let Some(f) = target_mhz {
                opts.target_mhz = f;
            }
            if let Some(SeedList(s)) = seeds {
                opts.seeds = s;
            }
            if let Some(s) = speed {
                opts.speed = s;
            }
            if let Some(p) = placer {
                opts.placer = p;
            }
            eprintln!("alpc-bitstream: {} core, ECP5 synthesis{}{} (minutes)", config.name(),
                if opts.xilinx { " + 7-series synthesis" } else { "" },
                if opts.place_and_route { " + place and route" } else { "" });
            let e = alpc_bitstreams::estimate(&tools, config, &opts)?;
            if !opts.writes_reports() {
                // A study or a partial run: the reports keep the full run
                // with the defaults.
                print!("{}", e.to_markdown());
                println!(
                    "\n(seeds {:?}, speed grade {}, {} state machines, placer {}, {} MHz target{}{}: bitstreams/reports/ not written)",
                    opts.seeds,
                    opts.speed,
                    if opts.one_hot { "one-hot" } else { "binary" },
                    opts.placer.name(),
                    opts.target_mhz,
                    if opts.place_and_route { "" } else { ", no place and route" },
                    if opts.xilinx { "" } else { ", no 7-series synthesis" },
                );
                return Ok(());
            }
            let dir = alpc_bitstreams::workspace_root().join("bitstreams").join("reports");
            let (json, md) = alpc_bitstreams::write_report(&e, &dir)?;
            print!("{}", e.to_markdown());
            println!("\nwrote {} and {}", json.display(), md.display());
        }
        "depth" => {
            let config = if flag("--large") { Config::Large } else { Config::Default };
            eprintln!("alpc-bitstream: {} core, ECP5 synthesis (minutes), then logic depth", config.name());
            let d = alpc_bitstreams::depth(&tools, config)?;
            print!("{}", d.to_text(units, 60, block.as_deref()));
        }
        "ulx3s" => {
            let b = alpc_bitstreams::ulx3s(&tools)?;
            let dir = alpc_bitstreams::workspace_root().join("bitstreams").join("reports");
            std::fs::write(dir.join("ulx3s.json"), b.to_json())?;
            std::fs::write(dir.join("ulx3s.md"), b.to_markdown())?;
            print!("{}", b.to_markdown());
            println!(
                "wrote {} in {:.0} s: Fmax {:.1} MHz at the board's {} MHz clock",
                b.bitstream.display(),
                b.duration.as_secs_f64(),
                b.pnr.fmax_mhz,
                b.pnr.target_mhz
            );
            println!("load it (SRAM): openFPGALoader -b ulx3s {}", b.bitstream.display());
        }
        "acorn" => {
            let b = alpc_bitstreams::acorn(&tools, flag("--compile"))?;
            println!("LiteX SoC for the SQRL Acorn CLE-215+ in {}", b.output.display());
            println!("  top level: {}\n  Vivado script: {}", b.top_verilog.display(), b.vivado_script.display());
        }
        _ => unreachable!("checked above"),
    }
    Ok(())
}

/// `--seed`'s value: placement seeds separated by commas (`2` or `1,2,3`),
/// each at most once.
struct SeedList(Vec<u32>);

impl SeedList {
    /// [`alpc_bitstreams::seeds_are_distinct`], checked before the tools
    /// are set up.
    fn valid(&self) -> bool {
        alpc_bitstreams::seeds_are_distinct(&self.0)
    }
}

impl std::str::FromStr for SeedList {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.split(',').map(|n| n.trim().parse()).collect::<Result<_, _>>().map(SeedList)
    }
}

/// The value after an option (at `at`, when given), parsed and checked.
fn option_value<T: std::str::FromStr>(
    args: &[String],
    at: Option<usize>,
    valid: impl Fn(&T) -> bool,
    what: &str,
) -> Result<Option<T>> {
    at.map(|i| args.get(i).and_then(|v| v.parse::<T>().ok()).filter(|v| valid(v)).context(what.to_string()))
        .transpose()
}

const USAGE: &str =
    "usage: alpc-bitstream <estimate [--large] [--no-pnr] [--no-xilinx] [--one-hot] [--freq MHZ] [--seed N[,N...]] [--speed 6|7|8] [--placer heap|static] | depth [--large] [--units N] [--block NAME] | ulx3s | acorn [--compile]>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_lists_parse_and_repeats_or_gaps_are_refused() {
        let args: Vec<String> = ["estimate", "--seed", "1, 2,3"].map(String::from).to_vec();
        let got = option_value(&args, Some(2), SeedList::valid, "--seed").unwrap().unwrap();
        assert_eq!(got.0, vec![1, 2, 3]);
        for bad in ["1,1", "1,,2", "", "x", "-1"] {
            let args: Vec<String> = ["estimate", "--seed", bad].map(String::from).to_vec();
            assert!(option_value(&args, Some(2), SeedList::valid, "--seed").is_err(), "{bad:?}");
        }
    }
}
