//! A horizontal bar chart drawn on the server as SVG (the same figures always go in a table beside it): the
//! geometry here, the markup in `templates/layout/bars.html`.

/// One bar: its label, value, and where it is drawn.
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub y: i64,
    pub width: i64,
}

pub struct Bars {
    pub bars: Vec<Bar>,
    pub height: i64,
    /// Where the bars start (after the labels).
    pub left: i64,
    pub width: i64,
}

/// Room for the labels, the longest bar, and each row.
const LEFT: i64 = 190;
const LONGEST: i64 = 260;
const ROW: i64 = 26;

/// Bars for `rows`, the longest as long as the chart allows; a zero draws no bar.
pub fn bars(rows: &[(String, i64)]) -> Bars {
    let most = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, value))| Bar {
            label: label.clone(),
            value: *value,
            y: i as i64 * ROW + 4,
            width: (value.max(&0) * LONGEST) / most,
        })
        .collect();
    Bars { bars, height: rows.len() as i64 * ROW + 8, left: LEFT, width: LEFT + LONGEST + 60 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_bar_fills_the_chart_and_others_scale() {
        let chart = bars(&[("A".into(), 10), ("B".into(), 5), ("C".into(), 0)]);
        assert_eq!(chart.bars.iter().map(|b| b.width).collect::<Vec<_>>(), vec![LONGEST, LONGEST / 2, 0]);
        assert_eq!(chart.bars[1].y, ROW + 4);
        assert_eq!(chart.height, 3 * ROW + 8);
        assert!(bars(&[]).bars.is_empty());
        assert_eq!(bars(&[("none".into(), 0)]).bars[0].width, 0, "all zero: no division by zero");
    }
}
