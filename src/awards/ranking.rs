//! A category's ranking, pure: each judge's weighted score on an entry, the entry's weighted and raw means over
//! its judges, a normalised mean that takes out each judge's own leniency, and the spread that flags entries
//! judges disagree on. Nothing here reads a database, a clock or a request.
//!
//! - A judge's **weighted** score on an entry is the sum of weight × score over the criteria, divided by the sum
//!   of the weights; an entry's is the mean over its judges who scored it and did not abstain.
//! - The **raw mean** is the mean of every criterion score its judges gave, unweighted.
//! - The **normalised** score takes a judge's weighted scores over the entries they scored, once they have
//!   scored at least `MIN_FOR_NORMALISING`: z = (score − their mean) / their standard deviation, then put back
//!   in the category's terms as the category's mean + z × the category's standard deviation (over every
//!   weighted score in it); not clamped, so a judge's one outlier may land beyond the scale's ends. A judge
//!   with fewer scores, or who gave every entry the same (a spread under `SAME`, so floating point's last bit
//!   does not count as one), keeps their weighted score. An entry's normalised mean is the mean of its
//!   judges' normalised scores.
//! - The **spread** is the highest judge's weighted score minus the lowest; above the category's threshold the
//!   entry is flagged for discussion.

use std::collections::HashMap;

/// A judge's scores are normalised once they have scored this many entries.
pub const MIN_FOR_NORMALISING: usize = 5;

/// Weighted scores closer than this are the same score.
const SAME: f64 = 1e-9;

/// One judge's scores on one entry, one per criterion in the category's order; abstentions are not given here.
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub judge: String,
    pub entry: String,
    pub scores: Vec<f64>,
}

/// The weighted score of one set of criterion scores; none when the weights do not add up to anything or a
/// score is missing.
pub fn weighted(weights: &[f64], scores: &[f64]) -> Option<f64> {
    let total: f64 = weights.iter().sum();
    if weights.len() != scores.len() || total <= 0.0 {
        return None;
    }
    Some(weights.iter().zip(scores).map(|(w, s)| w * s).sum::<f64>() / total)
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// The population standard deviation.
fn deviation(values: &[f64]) -> Option<f64> {
    let m = mean(values)?;
    Some((values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64).sqrt())
}

/// One entry's line in the ranking.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub entry: String,
    pub weighted: f64,
    pub raw_mean: f64,
    pub normalised_mean: f64,
    /// How many judges scored it (abstentions not counted).
    pub judges: usize,
    pub spread: f64,
    /// The spread is above the threshold: discuss it first.
    pub disagreement: bool,
}

/// Ranks the entries of one category from its judges' scores, highest normalised mean first (then weighted,
/// then the entry's id, so the order is stable). Entries nobody scored are left out.
pub fn rank(weights: &[f64], scored: &[Scored], disagreement_over: f64) -> Vec<Ranked> {
    let with_weighted: Vec<(&Scored, f64)> =
        scored.iter().filter_map(|s| weighted(weights, &s.scores).map(|w| (s, w))).collect();
    let all: Vec<f64> = with_weighted.iter().map(|(_, w)| *w).collect();
    let (category_mean, category_sd) = (mean(&all).unwrap_or(0.0), deviation(&all).unwrap_or(0.0));
    let mut by_judge: HashMap<&str, Vec<f64>> = HashMap::new();
    for (s, w) in &with_weighted {
        by_judge.entry(s.judge.as_str()).or_default().push(*w);
    }
    let normalised = |judge: &str, w: f64| -> f64 {
        let Some(theirs) = by_judge.get(judge) else { return w };
        let high = theirs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let low = theirs.iter().copied().fold(f64::INFINITY, f64::min);
        match (mean(theirs), deviation(theirs)) {
            (Some(m), Some(sd)) if theirs.len() >= MIN_FOR_NORMALISING && high - low > SAME && sd > 0.0 => {
                category_mean + (w - m) / sd * category_sd
            }
            _ => w,
        }
    };
    let mut entries: Vec<&str> = with_weighted.iter().map(|(s, _)| s.entry.as_str()).collect();
    entries.sort_unstable();
    entries.dedup();
    let mut ranked: Vec<Ranked> = entries
        .into_iter()
        .filter_map(|entry| {
            let mine: Vec<&(&Scored, f64)> = with_weighted.iter().filter(|(s, _)| s.entry == entry).collect();
            let weights_of: Vec<f64> = mine.iter().map(|(_, w)| *w).collect();
            let raw: Vec<f64> = mine.iter().flat_map(|(s, _)| s.scores.iter().copied()).collect();
            let norm: Vec<f64> = mine.iter().map(|(s, w)| normalised(&s.judge, *w)).collect();
            let high = weights_of.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let low = weights_of.iter().copied().fold(f64::INFINITY, f64::min);
            let spread = high - low;
            Some(Ranked {
                entry: entry.to_string(),
                weighted: mean(&weights_of)?,
                raw_mean: mean(&raw)?,
                normalised_mean: mean(&norm)?,
                judges: mine.len(),
                spread,
                disagreement: spread > disagreement_over,
            })
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.normalised_mean
            .total_cmp(&a.normalised_mean)
            .then(b.weighted.total_cmp(&a.weighted))
            .then(a.entry.cmp(&b.entry))
    });
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(judge: &str, entry: &str, scores: &[f64]) -> Scored {
        Scored { judge: judge.into(), entry: entry.into(), scores: scores.to_vec() }
    }

    #[test]
    fn a_judges_score_is_weighted_by_the_criteria() {
        assert_eq!(weighted(&[2.0, 1.0], &[9.0, 6.0]), Some(8.0));
        assert_eq!(weighted(&[1.0, 1.0], &[9.0, 6.0]), Some(7.5));
        assert_eq!(weighted(&[0.0, 0.0], &[9.0, 6.0]), None);
        assert_eq!(weighted(&[1.0], &[9.0, 6.0]), None);
    }

    #[test]
    fn an_entry_is_the_mean_of_its_judges_and_abstentions_do_not_count() {
        // Abstentions never reach the ranking: two judges scored "a", one abstained (not given).
        let r = rank(&[2.0, 1.0], &[s("j1", "a", &[9.0, 6.0]), s("j2", "a", &[6.0, 9.0])], 2.0);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].judges, 2);
        assert_eq!(r[0].weighted, 7.5);
        assert_eq!(r[0].raw_mean, 7.5);
        assert_eq!(r[0].spread, 1.0);
        assert!(!r[0].disagreement);
        // Fewer than five entries each: nobody is normalised.
        assert_eq!(r[0].normalised_mean, r[0].weighted);
    }

    #[test]
    fn disagreement_is_flagged_above_the_threshold() {
        let r = rank(
            &[1.0],
            &[s("j1", "a", &[9.0]), s("j2", "a", &[4.0]), s("j1", "b", &[7.0]), s("j2", "b", &[6.0])],
            3.0,
        );
        let a = r.iter().find(|x| x.entry == "a").unwrap();
        let b = r.iter().find(|x| x.entry == "b").unwrap();
        assert!(a.disagreement && a.spread == 5.0);
        assert!(!b.disagreement);
    }

    #[test]
    fn normalising_takes_out_a_lenient_judge_once_they_have_scored_five() {
        // Two judges agree on the order of five entries; the lenient one gives three points more to each.
        let entries = ["a", "b", "c", "d", "e"];
        let mut scored = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            scored.push(s("strict", e, &[2.0 + i as f64]));
            scored.push(s("lenient", e, &[5.0 + i as f64]));
        }
        // A sixth entry only the lenient judge scored: raw, it looks best; normalised, it is where that judge
        // put it among the others.
        scored.push(s("lenient", "f", &[9.0]));
        let r = rank(&[1.0], &scored, 10.0);
        let f = r.iter().find(|x| x.entry == "f").unwrap();
        let e = r.iter().find(|x| x.entry == "e").unwrap();
        assert!(f.weighted > e.weighted, "raw, the lenient judge's entry leads");
        assert!(f.normalised_mean < f.weighted, "normalised, the lenient judge's leniency is taken out");
        // With four entries each, nothing is normalised.
        let four: Vec<Scored> = scored.iter().filter(|x| !["e", "f"].contains(&x.entry.as_str())).cloned().collect();
        assert!(rank(&[1.0], &four, 10.0).iter().all(|x| x.normalised_mean == x.weighted));
    }

    #[test]
    fn a_judge_who_gave_every_entry_the_same_keeps_their_scores() {
        // Weights that do not divide into exact binary fractions: the same scores give means a bit apart, and a
        // spread of one last bit must not count as a spread.
        let weights = [3.0, 2.0, 1.0];
        let mut all: Vec<Scored> = (0..10).map(|i| s("even", &format!("e{i}"), &[1.0, 1.0, 2.0])).collect();
        // Another judge, below the threshold, widens the category's spread on a few entries.
        all.extend((0..4).map(|i| s("other", &format!("e{i}"), &[f64::from(i + 1); 3])));
        for r in rank(&weights, &all, 10.0) {
            if r.judges == 1 {
                assert_eq!(r.normalised_mean, r.weighted, "{r:?}");
            }
        }
    }

    #[test]
    fn the_ranking_is_by_normalised_mean_then_weighted() {
        let r = rank(&[1.0], &[s("j", "b", &[5.0]), s("j", "a", &[8.0]), s("j", "c", &[5.0])], 3.0);
        let order: Vec<&str> = r.iter().map(|x| x.entry.as_str()).collect();
        assert_eq!(order, ["a", "b", "c"]);
    }

    proptest! {
        /// Every figure lies within the scale the scores were given on, whatever the judges did.
        #[test]
        fn figures_stay_on_the_scale(rows in proptest::collection::vec((0usize..4, 0usize..8, 1u8..=10, 1u8..=10), 1..60)) {
            let scored: Vec<Scored> = rows.iter().map(|(j, e, a, b)| s(&format!("j{j}"), &format!("e{e}"), &[f64::from(*a), f64::from(*b)])).collect();
            // One score per judge and entry, as the store keeps them.
            let mut seen = std::collections::HashSet::new();
            let scored: Vec<Scored> = scored.into_iter().filter(|x| seen.insert((x.judge.clone(), x.entry.clone()))).collect();
            for r in rank(&[3.0, 1.0], &scored, 2.0) {
                prop_assert!((1.0..=10.0).contains(&r.weighted));
                prop_assert!((1.0..=10.0).contains(&r.raw_mean));
                prop_assert!(r.spread >= 0.0 && r.judges >= 1);
                prop_assert_eq!(r.disagreement, r.spread > 2.0);
                prop_assert!(r.normalised_mean.is_finite());
            }
        }
    }
}
