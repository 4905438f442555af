//! The benchmark's arithmetic, pure: an assessment's scores, and peer figures with privacy first (DOMAIN.md,
//! "Benchmark"). Nothing here reads a database, a clock or a request, so every rule is a unit test.
//!
//! Percentiles are Hyndman and Fan's type 7 (linear interpolation between closest ranks: the default of R,
//! NumPy and Excel's PERCENTILE.INC): for sorted values x[0..n), the p-th percentile is at position h = p(n-1),
//! x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]). With at least five values, the 10th and 90th
//! percentiles lie strictly inside the range unless the lowest (or highest) value is shared, so no figure shown
//! is the one organisation at either end.

/// No figure is shown from fewer organisations than this.
pub const MIN_PEERS: usize = 5;

/// Below this many organisations in the pool (the organisation's own not counted), a place is shown as a
/// quartile band, not a rank.
pub const MIN_FOR_RANK: usize = 10;

/// The score of one dimension: the mean of its answered levels (1 to 5), to one decimal (half up); none when
/// fewer than half its questions have a level ("don't know" is not counted).
pub fn dimension_score(levels: &[Option<u8>], questions: usize) -> Option<f64> {
    let answered: Vec<i64> = levels.iter().flatten().map(|l| i64::from(*l)).collect();
    if questions == 0 || answered.is_empty() || answered.len() * 2 < questions {
        return None;
    }
    Some(mean_in_tenths(answered.iter().map(|l| l * 10).sum(), answered.len()))
}

/// The overall score: the mean of the dimensions that have a score, to one decimal (half up).
pub fn overall_score(dimensions: &[Option<f64>]) -> Option<f64> {
    let tenths: Vec<i64> = dimensions.iter().flatten().map(|d| (d * 10.0).round() as i64).collect();
    if tenths.is_empty() {
        return None;
    }
    Some(mean_in_tenths(tenths.iter().sum(), tenths.len()))
}

/// The mean of values given as a sum of tenths, rounded half up to a tenth in integers (scores are positive,
/// so half up is half away from zero), so that 1.25 is 1.3 however floating point would have held it.
fn mean_in_tenths(sum_of_tenths: i64, count: usize) -> f64 {
    let n = count as i64;
    ((2 * sum_of_tenths + n) / (2 * n)) as f64 / 10.0
}

/// Rounds to one decimal (the high performers' median and the quartiles, which are not means of tenths).
pub fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The p-th percentile (0 to 1) of values, by type 7; none for no values.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let h = p.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let low = h.floor() as usize;
    let high = (low + 1).min(sorted.len() - 1);
    Some(sorted[low] + (h - low as f64) * (sorted[high] - sorted[low]))
}

/// The figures shown for one dimension (or the overall score) of a pool.
#[derive(Clone, Debug, PartialEq)]
pub struct Spread {
    /// Only from `MIN_FOR_ENDS` organisations: below that, the 10th percentile and the quartile next to it
    /// would let a reader work the lowest score out (with five, p10 = x1 + 0.4 (x2 - x1) and p25 = x2).
    pub p10: Option<f64>,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub p90: Option<f64>,
    /// How many organisations it comes from.
    pub n: usize,
}

/// The 10th and 90th percentiles are shown from this many organisations.
pub const MIN_FOR_ENDS: usize = 10;

/// The spread of a set of scores, or none from fewer than `MIN_PEERS`. Figures are shown to one decimal, the
/// 10th percentile rounded up and the 90th down (towards the middle): scores are tenths, so a figure just inside
/// the range never rounds onto the one organisation at its end; the others are kept between them.
pub fn spread(values: &[f64]) -> Option<Spread> {
    if values.len() < MIN_PEERS {
        return None;
    }
    // Scores are tenths: a hair's tolerance keeps 1.1 from rounding up to 1.2 through floating point.
    let up = |x: f64| (x * 10.0 - 1e-9).ceil() / 10.0;
    let down = |x: f64| (x * 10.0 + 1e-9).floor() / 10.0;
    let low = up(percentile(values, 0.10)?);
    let high = down(percentile(values, 0.90)?).max(low);
    let inner = |p| percentile(values, p).map(|x| one_decimal(x).clamp(low, high));
    let ends = values.len() >= MIN_FOR_ENDS;
    Some(Spread {
        p10: ends.then_some(low),
        p25: inner(0.25)?,
        median: inner(0.5)?,
        p75: inner(0.75)?,
        p90: ends.then_some(high),
        n: values.len(),
    })
}

/// One organisation of a pool: its dimension scores (by position in the framework) and overall score.
#[derive(Clone, Debug, PartialEq)]
pub struct Peer {
    pub dimensions: Vec<Option<f64>>,
    pub overall: Option<f64>,
}

/// The pool's figures: per dimension, the spread and the high performers' median.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolFigures {
    pub n: usize,
    pub overall: Option<Spread>,
    pub dimensions: Vec<DimensionFigures>,
    /// How many organisations are high performers (overall score in the pool's top quartile).
    pub high_performers: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DimensionFigures {
    pub spread: Option<Spread>,
    /// The median of the high performers' scores in this dimension, when at least `MIN_PEERS` of them have one.
    pub high_performers_median: Option<f64>,
}

/// Figures for a pool of organisations with `dimensions` dimensions; none at all from fewer than `MIN_PEERS`
/// organisations, and none for a dimension that fewer than `MIN_PEERS` of them scored.
pub fn pool_figures(pool: &[Peer], dimensions: usize) -> Option<PoolFigures> {
    if pool.len() < MIN_PEERS {
        return None;
    }
    let overall: Vec<f64> = pool.iter().filter_map(|p| p.overall).collect();
    // High performers: an overall score at or above the pool's upper quartile.
    let cut = percentile(&overall, 0.75);
    let high: Vec<&Peer> = pool.iter().filter(|p| matches!((p.overall, cut), (Some(o), Some(c)) if o >= c)).collect();
    let figures = (0..dimensions)
        .map(|d| {
            let scores: Vec<f64> = pool.iter().filter_map(|p| p.dimensions.get(d).copied().flatten()).collect();
            let high_scores: Vec<f64> = high.iter().filter_map(|p| p.dimensions.get(d).copied().flatten()).collect();
            DimensionFigures {
                spread: spread(&scores),
                high_performers_median: if high_scores.len() >= MIN_PEERS {
                    percentile(&high_scores, 0.5).map(one_decimal)
                } else {
                    None
                },
            }
        })
        .collect();
    Some(PoolFigures { n: pool.len(), overall: spread(&overall), dimensions: figures, high_performers: high.len() })
}

/// Where an organisation's overall score places it in a pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// From a pool of `MIN_FOR_RANK`: 1 is the highest score (ties share the better place), of the pool and the
    /// organisation itself.
    Rank { rank: usize, of: usize },
    /// Below that: the quartile band, 1 the top quarter.
    Quartile(u8),
}

/// The organisation's place among the pool (its own score not in the pool); none from fewer than
/// `MIN_PEERS`.
pub fn place(own: f64, pool: &[f64]) -> Option<Place> {
    if pool.len() < MIN_PEERS {
        return None;
    }
    if pool.len() >= MIN_FOR_RANK {
        let better = pool.iter().filter(|s| **s > own).count();
        return Some(Place::Rank { rank: better + 1, of: pool.len() + 1 });
    }
    let (q1, q2, q3) = (percentile(pool, 0.25)?, percentile(pool, 0.5)?, percentile(pool, 0.75)?);
    Some(Place::Quartile(if own >= q3 {
        1
    } else if own >= q2 {
        2
    } else if own >= q1 {
        3
    } else {
        4
    }))
}

/// Which pool a page shows: the one asked for, all organisations when it is too small (said so), or none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chosen {
    /// The filter asked for (or all organisations, when none was).
    AsAsked,
    /// The filter's group had fewer than `MIN_PEERS`: all organisations are shown instead.
    Widened,
    /// Fewer than `MIN_PEERS` organisations in all: nothing is shown.
    Withheld,
}

/// Chooses between the filtered group and all organisations by their sizes.
pub fn choose(filtered: Option<usize>, all: usize) -> Chosen {
    match filtered {
        Some(n) if n >= MIN_PEERS => Chosen::AsAsked,
        _ if all < MIN_PEERS => Chosen::Withheld,
        Some(_) => Chosen::Widened,
        None => Chosen::AsAsked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_dimension_needs_half_its_questions_answered() {
        assert_eq!(dimension_score(&[Some(3), Some(4), None, None], 4), Some(3.5));
        assert_eq!(dimension_score(&[Some(3), None, None, None], 4), None);
        assert_eq!(dimension_score(&[Some(3), Some(4), Some(4), None, None], 5), Some(3.7));
        assert_eq!(dimension_score(&[Some(2), Some(2), None, None, None], 5), None);
        assert_eq!(dimension_score(&[None, None, None, None], 4), None);
    }

    #[test]
    fn the_overall_score_is_the_mean_of_scored_dimensions() {
        assert_eq!(overall_score(&[Some(3.0), None, Some(4.5)]), Some(3.8));
        assert_eq!(overall_score(&[None, None]), None);
        // Halves round up, whatever floating point would make of them.
        assert_eq!(overall_score(&[Some(1.2), Some(1.9)]), Some(1.6));
        assert_eq!(overall_score(&[Some(1.1), Some(4.6)]), Some(2.9));
    }

    #[test]
    fn the_ends_need_ten_organisations() {
        let five = spread(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!((five.p10, five.p90), (None, None));
        assert_eq!((five.p25, five.median, five.p75), (2.0, 3.0, 4.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        let s = spread(&ten).unwrap();
        assert_eq!((s.p10, s.p90), (Some(1.9), Some(9.1)));
    }

    #[test]
    fn percentiles_interpolate_between_closest_ranks() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&v, 0.5), Some(3.0));
        assert_eq!(percentile(&v, 0.25), Some(2.0));
        assert!((percentile(&v, 0.1).unwrap() - 1.4).abs() < 1e-9);
        assert!((percentile(&v, 0.9).unwrap() - 4.6).abs() < 1e-9);
        assert_eq!(percentile(&[2.0, 4.0], 0.5), Some(3.0));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn nothing_is_shown_from_fewer_than_five() {
        assert_eq!(spread(&[1.0, 2.0, 3.0, 4.0]), None);
        assert!(spread(&[1.0, 2.0, 3.0, 4.0, 5.0]).is_some());
        let four = vec![Peer { dimensions: vec![Some(3.0)], overall: Some(3.0) }; 4];
        assert_eq!(pool_figures(&four, 1), None);
    }

    #[test]
    fn a_small_group_widens_to_all_and_a_small_network_withholds() {
        assert_eq!(choose(Some(7), 30), Chosen::AsAsked);
        assert_eq!(choose(Some(3), 30), Chosen::Widened);
        assert_eq!(choose(Some(3), 4), Chosen::Withheld);
        assert_eq!(choose(None, 4), Chosen::Withheld);
        assert_eq!(choose(None, 5), Chosen::AsAsked);
    }

    #[test]
    fn a_place_is_a_band_below_ten_and_a_rank_from_ten() {
        let pool = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(place(4.5, &pool), Some(Place::Quartile(1)));
        assert_eq!(place(1.5, &pool), Some(Place::Quartile(4)));
        assert_eq!(place(2.5, &pool), Some(Place::Quartile(3)));
        let nine: Vec<f64> = (1..=9).map(f64::from).collect();
        assert_eq!(place(7.5, &nine), Some(Place::Quartile(1)));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(place(7.5, &ten), Some(Place::Rank { rank: 4, of: 11 }));
        assert_eq!(place(3.0, &[1.0, 2.0, 3.0, 4.0]), None);
    }

    #[test]
    fn high_performers_are_the_top_quartile_by_overall_score() {
        // Twenty organisations scoring 1.0 ... 4.8 overall and the same in the one dimension.
        let pool: Vec<Peer> = (0..20)
            .map(|i| {
                let s = one_decimal(1.0 + f64::from(i) * 0.2);
                Peer { dimensions: vec![Some(s)], overall: Some(s) }
            })
            .collect();
        let f = pool_figures(&pool, 1).unwrap();
        // p75 of 1.0..4.8 by type 7 is 3.85: 4.0 ... 4.8 (five organisations) are the high performers.
        assert_eq!(f.high_performers, 5);
        assert_eq!(f.dimensions[0].high_performers_median, Some(4.4));
        assert_eq!(f.dimensions[0].spread.as_ref().unwrap().median, 2.9);
        // Below five high performers, no median of theirs is shown.
        let small: Vec<Peer> = pool.iter().take(12).cloned().collect();
        assert_eq!(pool_figures(&small, 1).unwrap().dimensions[0].high_performers_median, None);
    }

    fn scores() -> impl Strategy<Value = Vec<f64>> {
        proptest::collection::vec((10u8..=50).prop_map(|t| f64::from(t) / 10.0), 0..40)
    }

    proptest! {
        /// No figure comes from fewer than five organisations.
        #[test]
        fn no_figure_from_fewer_than_five(values in scores()) {
            match spread(&values) {
                Some(s) => prop_assert!(s.n >= MIN_PEERS && values.len() >= MIN_PEERS),
                None => prop_assert!(values.len() < MIN_PEERS),
            }
        }

        /// The lowest or highest score, when one organisation's alone, is never a figure shown.
        #[test]
        fn no_single_organisation_at_either_end_is_shown(values in scores()) {
            if let Some(s) = spread(&values) {
                let min = values.iter().copied().fold(f64::INFINITY, f64::min);
                let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let alone = |x: f64| values.iter().filter(|v| **v == x).count() == 1;
                for figure in [s.p10, Some(s.p25), Some(s.median), Some(s.p75), s.p90].into_iter().flatten() {
                    if alone(min) { prop_assert!(figure > min, "{figure} is the lowest score {min} of {values:?}"); }
                    if alone(max) { prop_assert!(figure < max, "{figure} is the highest score {max} of {values:?}"); }
                }
                prop_assert!(s.p25 <= s.median && s.median <= s.p75);
                prop_assert_eq!(s.p10.is_some(), values.len() >= MIN_FOR_ENDS);
                if let (Some(p10), Some(p90)) = (s.p10, s.p90) { prop_assert!(p10 <= s.p25 && s.p75 <= p90); }
            }
        }

        /// A pool's figures are withheld below five, and each dimension's below five scores.
        #[test]
        fn pool_figures_respect_the_threshold(rows in proptest::collection::vec(
            (proptest::option::of(10u8..=50), proptest::option::of(10u8..=50)), 0..30)) {
            let pool: Vec<Peer> = rows.iter().map(|(a, b)| {
                let d = vec![a.map(|t| f64::from(t) / 10.0), b.map(|t| f64::from(t) / 10.0)];
                Peer { overall: overall_score(&d), dimensions: d }
            }).collect();
            match pool_figures(&pool, 2) {
                None => prop_assert!(pool.len() < MIN_PEERS),
                Some(f) => {
                    for (i, d) in f.dimensions.iter().enumerate() {
                        let scored = pool.iter().filter(|p| p.dimensions[i].is_some()).count();
                        prop_assert_eq!(d.spread.is_some(), scored >= MIN_PEERS);
                        if d.high_performers_median.is_some() { prop_assert!(f.high_performers >= MIN_PEERS); }
                    }
                }
            }
        }
    }
}
