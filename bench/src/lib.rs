//! What `alpc bench` compares the accelerator with, and how it shows it:
//! software IPC between two processes measured on this machine ([`ipc`]),
//! the statistics of a set of samples ([`Stats`]) and SVG plots ([`plot`]).
//!
//! The accelerator's own figures come from the simulated device (the `alpc`
//! command line, `alpc bench`); this crate knows nothing of it, so it can
//! be used to measure the baselines alone.

#[cfg(feature = "iceoryx2")]
mod iceoryx;
pub mod ipc;
pub mod plot;

/// Summary of samples (nanoseconds, or any unit the caller uses).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Smallest sample.
    pub min: f64,
    /// Median (the mean of the two middle samples for an even count).
    pub median: f64,
    /// 99th percentile (nearest rank).
    pub p99: f64,
    /// Number of samples.
    pub samples: usize,
}

impl Stats {
    /// The summary of `samples` (sorted in place). All zero when empty.
    pub fn of(samples: &mut [f64]) -> Stats {
        if samples.is_empty() {
            return Stats::default();
        }
        samples.sort_by(f64::total_cmp);
        let n = samples.len();
        let median = if n % 2 == 1 { samples[n / 2] } else { (samples[n / 2 - 1] + samples[n / 2]) / 2.0 };
        let rank = ((n as f64 * 0.99).ceil() as usize).clamp(1, n);
        Stats { min: samples[0], median, p99: samples[rank - 1], samples: n }
    }
}

#[cfg(test)]
mod tests {
    use super::Stats;

    #[test]
    fn stats_of_known_samples() {
        let mut s: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let st = Stats::of(&mut s);
        assert_eq!((st.min, st.median, st.p99, st.samples), (1.0, 50.5, 99.0, 100));
        let st = Stats::of(&mut [3.0, 1.0, 2.0]);
        assert_eq!((st.min, st.median, st.p99), (1.0, 2.0, 3.0));
        assert_eq!(Stats::of(&mut []), Stats::default());
    }
}
