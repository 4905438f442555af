//! The report's charts as geometry, pure: a radar, a box plot per dimension and progress over time. Templates
//! draw them as SVG (so text in them is escaped like any page's), each beside a table of the same figures.
//! Levels run 1 to 5; the radar's centre is 0, so level 1 is a small ring, not a point.

/// A point list for an SVG `points` attribute.
fn points(ps: &[(f64, f64)]) -> String {
    ps.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ")
}

pub const RADAR_SIZE: f64 = 360.0;
const RADAR_RADIUS: f64 = 130.0;

pub struct Axis {
    /// 1-based, the dimension's number in the table beside the chart.
    pub number: usize,
    pub x: f64,
    pub y: f64,
    pub label_x: f64,
    pub label_y: f64,
}

pub struct Series {
    pub name: String,
    /// A CSS class: `you`, `previous`, `median`, `high`.
    pub class: &'static str,
    pub points: String,
    /// The vertices, for markers (dimensions without a figure have none).
    pub dots: Vec<(f64, f64)>,
}

pub struct Radar {
    pub axes: Vec<Axis>,
    pub rings: Vec<String>,
    pub series: Vec<Series>,
}

fn radar_point(i: usize, n: usize, value: f64) -> (f64, f64) {
    let angle = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
    let r = RADAR_RADIUS * value.clamp(0.0, 5.0) / 5.0;
    let c = RADAR_SIZE / 2.0;
    (c + r * angle.cos(), c + r * angle.sin())
}

/// A radar of `n` dimensions; each series is (name, class, values by dimension). A series with no value at all
/// is left out; a missing value is drawn at the centre (the table says "no score").
pub fn radar(n: usize, series: &[(String, &'static str, Vec<Option<f64>>)]) -> Radar {
    let axes = (0..n)
        .map(|i| {
            let (x, y) = radar_point(i, n, 5.0);
            let (label_x, label_y) = radar_point(i, n, 5.6);
            Axis { number: i + 1, x, y, label_x, label_y: label_y + 4.0 }
        })
        .collect();
    let rings =
        (1..=5).map(|level| points(&(0..n).map(|i| radar_point(i, n, f64::from(level))).collect::<Vec<_>>())).collect();
    let series = series
        .iter()
        .filter(|(_, _, values)| values.iter().any(Option::is_some))
        .map(|(name, class, values)| {
            let ps: Vec<(f64, f64)> =
                (0..n).map(|i| radar_point(i, n, values.get(i).copied().flatten().unwrap_or(0.0))).collect();
            let dots = (0..n).filter(|i| values.get(*i).copied().flatten().is_some()).map(|i| ps[i]).collect();
            Series { name: name.clone(), class, points: points(&ps), dots }
        })
        .collect();
    Radar { axes, rings, series }
}

pub const BOX_WIDTH: f64 = 340.0;
const BOX_LEFT: f64 = 30.0;
const BOX_RIGHT: f64 = 20.0;
pub const BOX_ROW: f64 = 36.0;

/// x of a level on the box plots' scale (1 to 5).
fn box_x(level: f64) -> f64 {
    BOX_LEFT + (level.clamp(1.0, 5.0) - 1.0) / 4.0 * (BOX_WIDTH - BOX_LEFT - BOX_RIGHT)
}

pub struct BoxRow {
    pub number: usize,
    pub y: f64,
    /// p25, median, p75 as x; none when the figures are withheld for the dimension.
    pub spread: Option<[f64; 3]>,
    /// p10 and p90 as x, shown from ten organisations.
    pub whiskers: Option<(f64, f64)>,
    pub you: Option<f64>,
}

/// A dimension's figures for its box: (p10, p25, median, p75, p90), the ends only from ten organisations.
pub type BoxFigures = (Option<f64>, f64, f64, f64, Option<f64>);

pub struct BoxPlots {
    pub height: f64,
    pub ticks: Vec<(u8, f64)>,
    pub rows: Vec<BoxRow>,
}

/// One row per dimension: its figures when shown, and the organisation's own score.
pub fn box_plots(rows: &[(Option<BoxFigures>, Option<f64>)]) -> BoxPlots {
    let rows: Vec<BoxRow> = rows
        .iter()
        .enumerate()
        .map(|(i, (figures, you))| BoxRow {
            number: i + 1,
            y: 10.0 + i as f64 * BOX_ROW,
            spread: figures.map(|(_, p25, median, p75, _)| [box_x(p25), box_x(median), box_x(p75)]),
            whiskers: figures.and_then(|(p10, _, _, _, p90)| Some((box_x(p10?), box_x(p90?)))),
            you: you.map(box_x),
        })
        .collect();
    BoxPlots {
        height: 30.0 + rows.len() as f64 * BOX_ROW,
        ticks: (1..=5).map(|l| (l, box_x(f64::from(l)))).collect(),
        rows,
    }
}

pub const LINE_WIDTH: f64 = 300.0;
pub const LINE_HEIGHT: f64 = 120.0;

pub struct Line {
    pub title: String,
    /// Runs of consecutive scores, each drawn as one line: an assessment without a score breaks it.
    pub segments: Vec<String>,
    /// (x, y, the value as shown, the quarter).
    pub dots: Vec<(f64, f64, String, String)>,
    pub grid: Vec<(u8, f64)>,
}

/// A small line chart of one score over the organisation's submitted assessments, oldest first: (quarter,
/// score). Assessments without a score for it are gaps.
pub fn line(title: &str, values: &[(String, Option<f64>)]) -> Line {
    let (left, right, top, bottom) = (28.0, 12.0, 10.0, 24.0);
    let n = values.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            (left + LINE_WIDTH - right) / 2.0
        } else {
            left + i as f64 * (LINE_WIDTH - left - right) / (n - 1) as f64
        }
    };
    let y = |v: f64| top + (5.0 - v.clamp(1.0, 5.0)) / 4.0 * (LINE_HEIGHT - top - bottom);
    let dots: Vec<(f64, f64, String, String)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, (q, v))| v.map(|v| (x(i), y(v), format!("{v:.1}"), q.clone())))
        .collect();
    let mut segments = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    for (i, (_, v)) in values.iter().enumerate() {
        match v {
            Some(v) => run.push((x(i), y(*v))),
            None => {
                if run.len() > 1 {
                    segments.push(points(&run));
                }
                run.clear();
            }
        }
    }
    if run.len() > 1 {
        segments.push(points(&run));
    }
    Line { title: title.into(), segments, dots, grid: (1..=5).map(|l| (l, y(f64::from(l)))).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_radar_puts_level_five_on_the_outer_ring_and_leaves_out_empty_series() {
        let r = radar(
            4,
            &[
                ("You".into(), "you", vec![Some(5.0), Some(5.0), Some(5.0), Some(5.0)]),
                ("Peers".into(), "median", vec![None; 4]),
            ],
        );
        assert_eq!(r.series.len(), 1);
        assert_eq!(r.series[0].points, r.rings[4]);
        assert_eq!(r.axes[0].x, RADAR_SIZE / 2.0);
        assert_eq!(r.axes[0].y, RADAR_SIZE / 2.0 - RADAR_RADIUS);
    }

    #[test]
    fn box_plots_keep_the_figures_in_order_on_the_scale() {
        let b = box_plots(&[(Some((Some(1.5), 2.0, 2.5, 3.0, Some(4.5))), Some(3.2)), (None, Some(1.0))]);
        let s = b.rows[0].spread.unwrap_or_default();
        assert!(s.windows(2).all(|w| w[0] <= w[1]));
        let (low, high) = b.rows[0].whiskers.unwrap_or_default();
        assert!(low <= s[0] && s[2] <= high);
        assert_eq!(b.rows[1].you, Some(box_x(1.0)));
        assert!(b.rows[1].spread.is_none());
    }

    #[test]
    fn a_line_has_a_gap_where_there_is_no_score() {
        let l =
            line("Overall", &[("2025-Q1".into(), Some(2.0)), ("2025-Q3".into(), None), ("2026-Q1".into(), Some(3.0))]);
        assert_eq!(l.dots.len(), 2);
        assert!(l.dots[0].1 > l.dots[1].1, "a higher score is drawn higher");
        assert!(l.segments.is_empty(), "no line across the gap");
        let joined = line("Overall", &[("2025-Q1".into(), Some(2.0)), ("2025-Q3".into(), Some(2.5))]);
        assert_eq!(joined.segments.len(), 1);
    }
}
