//! Log-log line charts as SVG (the `plotters` crate): every figure of the
//! benchmarks spans decades (bytes, messages per second, nanoseconds).

use plotters::prelude::*;
use std::path::Path;

/// Errors of writing a chart.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The chart has no positive point to draw.
    #[error("chart {0:?}: no positive points")]
    Empty(String),
    /// plotters failed (writing the file, usually).
    #[error("chart {title:?}: {message}")]
    Draw {
        /// The chart's title.
        title: String,
        /// What plotters said.
        message: String,
    },
}

/// One line of a chart.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// (x, y) points; points with a non-positive coordinate are left out
    /// (log axes).
    pub points: Vec<(f64, f64)>,
}

/// A log-log chart.
#[derive(Clone, Debug)]
pub struct Chart {
    /// Caption.
    pub title: String,
    /// X axis description.
    pub x_label: String,
    /// Y axis description.
    pub y_label: String,
    /// The lines.
    pub series: Vec<Series>,
}

const PALETTE: [RGBColor; 10] = [
    RGBColor(0x1f, 0x77, 0xb4),
    RGBColor(0xd6, 0x27, 0x28),
    RGBColor(0x2c, 0xa0, 0x2c),
    RGBColor(0xff, 0x7f, 0x0e),
    RGBColor(0x94, 0x67, 0xbd),
    RGBColor(0x8c, 0x56, 0x4b),
    RGBColor(0xe3, 0x77, 0xc2),
    RGBColor(0x7f, 0x7f, 0x7f),
    RGBColor(0xbc, 0xbd, 0x22),
    RGBColor(0x17, 0xbe, 0xcf),
];

impl Chart {
    /// Writes the chart to `path` as an SVG of 900 × 600 pixels.
    pub fn write_svg(&self, path: &Path) -> Result<(), PlotError> {
        let points = || self.series.iter().flat_map(|s| s.points.iter()).filter(|(x, y)| *x > 0.0 && *y > 0.0);
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(x, y) in points() {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        if x0 > x1 {
            return Err(PlotError::Empty(self.title.clone()));
        }
        // Some room around the data, a whole range even for one point, and
        // room above it for the legend (a tenth of a decade per line).
        let (x0, x1) = (x0 / 1.2, x1 * 1.2);
        let legend = 10f64.powf(0.25 + 0.13 * self.series.len() as f64);
        let (y0, y1) = (y0 / 2.0, y1 * 2.0 * legend);
        let draw = |e: &dyn std::fmt::Display| PlotError::Draw { title: self.title.clone(), message: e.to_string() };
        let root = SVGBackend::new(path, (900, 600)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&self.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
            .map_err(|e| draw(&e))?;
        chart
            .configure_mesh()
            .x_max_light_lines(1)
            .y_max_light_lines(1)
            .x_desc(&self.x_label)
            .y_desc(&self.y_label)
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| short(*v))
            .draw()
            .map_err(|e| draw(&e))?;
        for (k, s) in self.series.iter().enumerate() {
            let color = PALETTE[k % PALETTE.len()];
            let pts: Vec<(f64, f64)> = s.points.iter().copied().filter(|(x, y)| *x > 0.0 && *y > 0.0).collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
                .map_err(|e| draw(&e))?
                .label(&s.label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
            chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled()))).map_err(|e| draw(&e))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|e| draw(&e))?;
        root.present().map_err(|e| draw(&e))
    }
}

/// 1500 → "1.5k", 0.25 → "0.25": axis labels that fit.
pub fn short(v: f64) -> String {
    let (scaled, suffix) = match v.abs() {
        a if a >= 1e9 => (v / 1e9, "G"),
        a if a >= 1e6 => (v / 1e6, "M"),
        a if a >= 1e3 => (v / 1e3, "k"),
        _ => (v, ""),
    };
    let text = if scaled.abs() >= 100.0 || scaled == scaled.trunc() {
        format!("{scaled:.0}")
    } else if scaled.abs() >= 10.0 {
        format!("{scaled:.1}")
    } else {
        format!("{scaled:.2}")
    };
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_string() } else { text };
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_labels() {
        assert_eq!(short(1500.0), "1.5k");
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(64.0), "64");
        assert_eq!(short(2_000_000.0), "2M");
        assert_eq!(short(12.5), "12.5");
    }

    #[test]
    fn writes_an_svg_with_every_series() {
        let dir = std::env::temp_dir().join(format!("alpc-bench-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.svg");
        let chart = Chart {
            title: "round trip".into(),
            x_label: "payload (bytes)".into(),
            y_label: "ns".into(),
            series: vec![
                Series { label: "first line".into(), points: vec![(8.0, 100.0), (128.0, 300.0)] },
                Series { label: "second line".into(), points: vec![(8.0, 5000.0), (128.0, 0.0)] },
            ],
        };
        chart.write_svg(&path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("first line") && svg.contains("second line") && svg.contains("round trip"));
        let empty = Chart { series: vec![Series { label: "x".into(), points: vec![(0.0, 1.0)] }], ..chart };
        assert!(matches!(empty.write_svg(&path), Err(PlotError::Empty(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
