//! The awards' checks, shared by the pages and the API: a programme's timeline in order, a category with its
//! criteria.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

use super::model::OpenTo;
use crate::web::{FieldErrors, time};

/// A programme's fields as typed: moments as `datetime-local` values in the network's time zone (the API
/// gives RFC 3339 and is turned into these first).
#[derive(Clone, Debug, Default)]
pub struct ProgrammeFields {
    pub name: String,
    pub year: String,
    pub description: String,
    pub entries_open: String,
    pub entries_close: String,
    pub judging_opens: String,
    pub judging_closes: String,
    pub shortlist_at: String,
    pub winners_at: String,
}

/// A programme as checked.
#[derive(Clone, Debug)]
pub struct ProgrammeInput {
    pub name: String,
    pub year: i64,
    pub description: String,
    pub entries_open_at: DateTime<Utc>,
    pub entries_close_at: DateTime<Utc>,
    pub judging_opens_at: DateTime<Utc>,
    pub judging_closes_at: DateTime<Utc>,
    pub shortlist_at: Option<DateTime<Utc>>,
    pub winners_at: Option<DateTime<Utc>>,
}

/// The years a programme may be for.
pub const YEARS: std::ops::RangeInclusive<i64> = 2000..=2100;

fn moment(errors: &mut FieldErrors, field: &'static str, label: &str, value: &str, tz: Tz) -> Option<DateTime<Utc>> {
    if value.trim().is_empty() {
        errors.add(field, format!("{label} is required."));
        return None;
    }
    let parsed = time::parse_input(value, tz);
    if parsed.is_none() {
        errors.add(field, format!("{label}: give a date and time, such as 2027-03-01T09:00."));
    }
    parsed
}

fn optional_moment(
    errors: &mut FieldErrors,
    field: &'static str,
    label: &str,
    value: &str,
    tz: Tz,
) -> Option<DateTime<Utc>> {
    if value.trim().is_empty() { None } else { moment(errors, field, label, value, tz) }
}

/// Checks a programme's name, year and description; gives the name and description trimmed.
fn heading(errors: &mut FieldErrors, name: &str, year: i64, description: &str) -> (String, String) {
    let trimmed = errors.required("name", "The programme's name", name, 120);
    errors.one_line("name", "The programme's name", name);
    if !YEARS.contains(&year) {
        errors.add("year", format!("The year is a year from {} to {}.", YEARS.start(), YEARS.end()));
    }
    (trimmed, errors.optional("description", "The description", description, 4000))
}

/// Checks a programme as typed on the pages: moments in the network's time zone, then `check_timeline`.
pub fn check_programme(errors: &mut FieldErrors, f: &ProgrammeFields, tz: Tz) -> Option<ProgrammeInput> {
    let year = f.year.trim().parse::<i64>().unwrap_or(0);
    let moments = [
        moment(errors, "entries_open", "Entries open", &f.entries_open, tz),
        moment(errors, "entries_close", "Entries close", &f.entries_close, tz),
        moment(errors, "judging_opens", "Judging opens", &f.judging_opens, tz),
        moment(errors, "judging_closes", "Judging closes", &f.judging_closes, tz),
    ];
    let shortlist = optional_moment(errors, "shortlist_at", "The shortlist's date", &f.shortlist_at, tz);
    let winners = optional_moment(errors, "winners_at", "The winners' date", &f.winners_at, tz);
    let [Some(open), Some(close), Some(judging), Some(judged)] = moments else {
        heading(errors, &f.name, year, &f.description);
        return None;
    };
    let draft = ProgrammeInput {
        name: f.name.clone(),
        year,
        description: f.description.clone(),
        entries_open_at: open,
        entries_close_at: close,
        judging_opens_at: judging,
        judging_closes_at: judged,
        shortlist_at: shortlist,
        winners_at: winners,
    };
    check_timeline(errors, &draft)
}

/// Checks a programme given as moments (the API's RFC 3339, kept to the second): a name, a year, and a
/// timeline in order (entries open, entries close, judging opens, judging closes, then the shortlist and the
/// winners, if given).
pub fn check_timeline(errors: &mut FieldErrors, p: &ProgrammeInput) -> Option<ProgrammeInput> {
    let (name, description) = heading(errors, &p.name, p.year, &p.description);
    let (open, close, judging, judged) =
        (p.entries_open_at, p.entries_close_at, p.judging_opens_at, p.judging_closes_at);
    if close <= open {
        errors.add("entries_close", "Entries close after they open.");
    }
    if judging < close {
        errors.add("judging_opens", "Judging opens when entries have closed, or later.");
    }
    if judged <= judging {
        errors.add("judging_closes", "Judging closes after it opens.");
    }
    if p.shortlist_at.is_some_and(|s| s < judging) {
        errors.add("shortlist_at", "The shortlist comes once judging has opened, or later.");
    }
    if let (Some(w), Some(s)) = (p.winners_at, p.shortlist_at) {
        if w < s {
            errors.add("winners_at", "The winners are announced on or after the shortlist's date.");
        }
    } else if p.winners_at.is_some_and(|w| w < judging) {
        errors.add("winners_at", "The winners are announced once judging has opened, or later.");
    }
    let in_range = |t: DateTime<Utc>| time::YEARS.contains(&t.year());
    if ![open, close, judging, judged].into_iter().chain(p.shortlist_at).chain(p.winners_at).all(in_range) {
        errors.add(
            "entries_open",
            format!("Each date is in a year from {} to {}.", time::YEARS.start(), time::YEARS.end()),
        );
    }
    if !errors.is_empty() {
        return None;
    }
    Some(ProgrammeInput { name, description, ..p.clone() })
}

/// A category's fields as typed; criteria as (name, weight, guidance) rows, empty rows ignored.
#[derive(Clone, Debug, Default)]
pub struct CategoryFields {
    pub name: String,
    pub description: String,
    pub open_to: String,
    pub scale_max: String,
    pub disagreement: String,
    pub guidance: String,
    pub criteria: Vec<(String, String, String)>,
}

#[derive(Clone, Debug)]
pub struct CategoryInput {
    pub name: String,
    pub description: String,
    pub open_to: OpenTo,
    pub scale_max: i64,
    pub disagreement: f64,
    pub guidance: String,
    pub criteria: Vec<(String, f64, String)>,
}

/// How many criteria a category may have.
pub const MAX_CRITERIA: usize = 8;

/// Checks a category: a name, who may enter, a scale from 3 to 100 (10 when empty), a disagreement threshold
/// on it (a third of the scale when empty), and one to `MAX_CRITERIA` criteria, each with a positive weight.
pub fn check_category(errors: &mut FieldErrors, f: &CategoryFields) -> Option<CategoryInput> {
    let name = errors.required("name", "The category's name", &f.name, 120);
    errors.one_line("name", "The category's name", &f.name);
    let description = errors.optional("description", "The description", &f.description, 4000);
    let guidance = errors.optional("guidance", "The guidance for judges", &f.guidance, 4000);
    let open_to = OpenTo::parse(f.open_to.trim());
    if open_to.is_none() {
        errors.add("open_to", "Choose who may enter.");
    }
    let scale_max = match f.scale_max.trim() {
        "" => 10,
        typed => match typed.parse::<i64>() {
            Ok(n) if (3..=100).contains(&n) => n,
            _ => {
                errors.add("scale_max", "The score scale runs from 1 to a number from 3 to 100.");
                10
            }
        },
    };
    let disagreement = match f.disagreement.trim() {
        "" => (scale_max as f64 / 3.0 * 10.0).round() / 10.0,
        typed => match typed.parse::<f64>() {
            // Scores run from 1, so the widest spread is `scale_max - 1`.
            Ok(d) if d.is_finite() && d > 0.0 && d < (scale_max - 1) as f64 => d,
            _ => {
                errors.add(
                    "disagreement",
                    format!("Disagreement is a spread above 0 and below {}, such as 3.", scale_max - 1),
                );
                0.0
            }
        },
    };
    let rows: Vec<&(String, String, String)> = f
        .criteria
        .iter()
        .filter(|(n, w, g)| !(n.trim().is_empty() && w.trim().is_empty() && g.trim().is_empty()))
        .collect();
    if rows.is_empty() {
        errors.add("criteria", "Give at least one criterion, with its weight.");
    }
    if rows.len() > MAX_CRITERIA {
        errors.add("criteria", format!("A category has at most {MAX_CRITERIA} criteria."));
    }
    let mut criteria = Vec::new();
    for (n, w, g) in rows {
        let n = n.trim();
        if n.is_empty() || n.chars().count() > 120 || n.chars().any(char::is_control) {
            errors.add("criteria", "Each criterion has a name of one line, at most 120 characters.");
            continue;
        }
        let weight = match w.trim() {
            "" => 1.0,
            typed => match typed.parse::<f64>() {
                Ok(x) if x.is_finite() && x > 0.0 && x <= 100.0 => x,
                _ => {
                    errors.add("criteria", format!("{n}: a weight is a number above 0, at most 100."));
                    continue;
                }
            },
        };
        if g.chars().count() > 2000 || g.contains('\0') {
            errors.add("criteria", format!("{n}: the guidance is at most 2,000 characters, without NUL characters."));
            continue;
        }
        criteria.push((n.to_string(), weight, g.trim().to_string()));
    }
    if !errors.is_empty() {
        return None;
    }
    Some(CategoryInput {
        name,
        description,
        open_to: open_to.unwrap_or(OpenTo::Members),
        scale_max,
        disagreement,
        guidance,
        criteria,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> ProgrammeFields {
        ProgrammeFields {
            name: "Smart Working Awards 2027".into(),
            year: "2027".into(),
            entries_open: "2027-01-10T09:00".into(),
            entries_close: "2027-03-31T17:00".into(),
            judging_opens: "2027-04-01T09:00".into(),
            judging_closes: "2027-05-15T17:00".into(),
            ..ProgrammeFields::default()
        }
    }

    #[test]
    fn a_timeline_is_in_order() {
        let tz = chrono_tz::Europe::London;
        let mut errors = FieldErrors::default();
        assert!(check_programme(&mut errors, &fields(), tz).is_some(), "{errors:?}");
        let mut late = fields();
        late.entries_close = "2027-01-01T09:00".into();
        let mut errors = FieldErrors::default();
        assert!(check_programme(&mut errors, &late, tz).is_none());
        assert!(errors.get("entries_close").is_some());
        let mut early = fields();
        early.winners_at = "2027-03-01T09:00".into();
        let mut errors = FieldErrors::default();
        assert!(check_programme(&mut errors, &early, tz).is_none());
        assert!(errors.get("winners_at").is_some());
    }

    #[test]
    fn a_category_needs_criteria_with_positive_weights() {
        let mut f =
            CategoryFields { name: "Leadership".into(), open_to: "members".into(), ..CategoryFields::default() };
        let mut errors = FieldErrors::default();
        assert!(check_category(&mut errors, &f).is_none());
        assert!(errors.get("criteria").is_some());
        f.criteria =
            vec![("Impact".into(), "2".into(), String::new()), ("Evidence".into(), String::new(), String::new())];
        let mut errors = FieldErrors::default();
        let c = check_category(&mut errors, &f).unwrap();
        assert_eq!(c.criteria[1].1, 1.0);
        assert_eq!((c.scale_max, c.disagreement), (10, 3.3));
        f.criteria[0].1 = "-1".into();
        assert!(check_category(&mut FieldErrors::default(), &f).is_none());
    }
}

/// An entry's fields as typed; outcomes as rows, empty rows ignored.
#[derive(Clone, Debug, Default)]
pub struct EntryFields {
    pub title: String,
    pub team: String,
    pub context: String,
    pub what_was_done: String,
    pub benefits: String,
    pub links: String,
    pub outcomes: Vec<super::model::Outcome>,
}

/// How many measurable outcomes an entry may give.
pub const MAX_OUTCOMES: usize = 3;

/// Checks an entry. A draft needs only its title and lengths that fit (it is saved as typed); `submitting` asks
/// for everything a judge needs: the context, what was done, the benefits, at least one whole measurable
/// outcome, and links that are web addresses.
pub fn check_entry(errors: &mut FieldErrors, f: &EntryFields, submitting: bool) -> EntryFields {
    let title = errors.required("title", "The entry's title", &f.title, 200);
    errors.one_line("title", "The entry's title", &f.title);
    let team = errors.optional("team", "The team", &f.team, 200);
    errors.one_line("team", "The team", &f.team);
    let long = |errors: &mut FieldErrors, field: &'static str, label: &str, value: &str| {
        if submitting { errors.required(field, label, value, 8000) } else { errors.optional(field, label, value, 8000) }
    };
    let context = long(errors, "context", "The context", &f.context);
    let what_was_done = long(errors, "what_was_done", "A description of what was done", &f.what_was_done);
    let benefits = long(errors, "benefits", "A description of the benefits", &f.benefits);
    let links = errors.optional("links", "The links", &f.links, 4000);
    // A draft keeps a half-typed address as typed; a submission needs each one whole.
    for line in links.lines().map(str::trim).filter(|l| submitting && !l.is_empty()) {
        let mut one = FieldErrors::default();
        one.web_address("links", line);
        if !one.is_empty() {
            errors.add("links", format!("{line} is not a web address (http or https), one a line."));
        }
    }
    let rows: Vec<super::model::Outcome> = f
        .outcomes
        .iter()
        .filter(|o| ![&o.measure, &o.baseline, &o.result, &o.unit].iter().all(|v| v.trim().is_empty()))
        .map(|o| super::model::Outcome {
            measure: o.measure.trim().into(),
            baseline: o.baseline.trim().into(),
            result: o.result.trim().into(),
            unit: o.unit.trim().into(),
        })
        .collect();
    // A draft keeps a half-given outcome as typed; a submission needs each one whole.
    for o in &rows {
        let parts = [&o.measure, &o.baseline, &o.result, &o.unit];
        if parts.iter().any(|v| v.chars().count() > 200 || v.chars().any(char::is_control))
            || (submitting && parts.iter().any(|v| v.is_empty()))
        {
            errors.add(
                "outcomes",
                "Each outcome gives its measure, baseline, result and unit, each one line of at most 200 characters.",
            );
            break;
        }
    }
    if rows.len() > MAX_OUTCOMES {
        errors.add("outcomes", format!("At most {MAX_OUTCOMES} outcomes."));
    }
    if submitting && rows.is_empty() {
        errors.add("outcomes", "Give at least one measurable outcome: its measure, baseline, result and unit.");
    }
    EntryFields { title, team, context, what_was_done, benefits, links, outcomes: rows }
}

#[cfg(test)]
mod entry_tests {
    use super::*;
    use crate::awards::model::Outcome;

    #[test]
    fn a_draft_needs_a_title_and_a_submission_everything() {
        let mut f = EntryFields { title: "Anchor days for 4,000 staff".into(), ..EntryFields::default() };
        let mut errors = FieldErrors::default();
        check_entry(&mut errors, &f, false);
        assert!(errors.is_empty(), "{errors:?}");
        let mut errors = FieldErrors::default();
        check_entry(&mut errors, &f, true);
        assert!(errors.get("context").is_some() && errors.get("outcomes").is_some());
        f.context = "A council.".into();
        f.what_was_done = "Team agreements.".into();
        f.benefits = "Fewer desks.".into();
        f.outcomes = vec![Outcome {
            measure: "Desk ratio".into(),
            baseline: "1.0".into(),
            result: "0.6".into(),
            unit: "desks per person".into(),
        }];
        let mut errors = FieldErrors::default();
        check_entry(&mut errors, &f, true);
        assert!(errors.is_empty(), "{errors:?}");
        f.outcomes[0].unit = String::new();
        let mut errors = FieldErrors::default();
        check_entry(&mut errors, &f, false);
        assert!(errors.is_empty(), "a draft keeps a half-given outcome as typed");
        check_entry(&mut errors, &f, true);
        assert!(errors.get("outcomes").is_some(), "a submission needs it whole");
    }
}

// ---- Judging ---------------------------------------------------------------------------------------------------

/// A judge's review as checked: a score for every criterion with a comment, or an abstention with its reason.
#[derive(Clone, Debug, PartialEq)]
pub enum ReviewInput {
    Scored { scores: Vec<(String, i64)>, comment: String },
    Abstained { reason: String },
}

/// The fields of a review's scores, one per criterion in the category's order.
pub const SCORE_FIELDS: [&str; MAX_CRITERIA] =
    ["score_1", "score_2", "score_3", "score_4", "score_5", "score_6", "score_7", "score_8"];

/// Checks a review. Scores are whole numbers from 1 to the category's `scale_max`, one per criterion (the
/// field `SCORE_FIELDS[i]` for the i-th); an abstention needs its reason, and counts in no ranking.
pub fn check_review(
    errors: &mut FieldErrors,
    criteria: &[super::model::Criterion],
    scale_max: i64,
    typed: &(dyn Fn(&str) -> String + Sync),
    abstain: bool,
) -> Option<ReviewInput> {
    if abstain {
        let reason = errors.required("reason", "Why you abstain", &typed("reason"), 2000);
        return errors.is_empty().then_some(ReviewInput::Abstained { reason });
    }
    let comment = errors.optional("comment", "Your comment", &typed("comment"), 8000);
    let mut scores = Vec::new();
    for (c, field) in criteria.iter().zip(SCORE_FIELDS) {
        match typed(field).trim().parse::<i64>() {
            Ok(n) if (1..=scale_max).contains(&n) => scores.push((c.id.clone(), n)),
            _ => errors.add(field, format!("Give {} a whole number from 1 to {scale_max}.", c.name)),
        }
    }
    errors.is_empty().then_some(ReviewInput::Scored { scores, comment })
}

/// The most judges an entry can be asked to have.
pub const MAX_JUDGES_PER_ENTRY: i64 = 20;

/// Checks a category's judging settings: judges per entry (1 to 20) and its eligibility checklist (up to 20
/// items, one a line).
pub fn check_judging(errors: &mut FieldErrors, judges_per_entry: &str, checklist: &str) -> (i64, String) {
    let judges = match judges_per_entry.trim().parse::<i64>() {
        Ok(n) if (1..=MAX_JUDGES_PER_ENTRY).contains(&n) => n,
        _ => {
            errors.add("judges_per_entry", "Judges per entry is a whole number from 1 to 20.");
            0
        }
    };
    let checklist = errors.optional("checklist", "The eligibility checklist", checklist, 4000);
    let items: Vec<&str> = checklist.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if items.len() > 20 {
        errors.add("checklist", "The eligibility checklist has at most 20 items, one a line.");
    }
    (judges, items.join("\n"))
}

/// Checks what an organiser decides of an entry. An award needs the shortlist and a citation; links to a case
/// study or a meeting are checked against what exists by the caller.
pub fn check_decision(
    errors: &mut FieldErrors,
    entry_id: &str,
    shortlisted: bool,
    award: &str,
    citation: &str,
) -> super::model::Decision {
    let award = match award {
        "" | "none" => None,
        key => {
            let parsed = super::model::Award::parse(key);
            if parsed.is_none() {
                errors.add("award", "Choose winner, highly commended or none.");
            }
            parsed
        }
    };
    let citation = errors.optional("citation", "The citation", citation, 2000);
    if award.is_some() && !shortlisted {
        errors.add("award", "Only a shortlisted entry can win or be highly commended.");
    }
    if award.is_some() && citation.is_empty() {
        errors.add("citation", "A winner or a highly commended entry needs its citation.");
    }
    super::model::Decision {
        entry_id: entry_id.to_string(),
        shortlisted,
        award,
        citation,
        case_study_id: None,
        meeting_id: None,
    }
}

#[cfg(test)]
mod judging_tests {
    use super::*;
    use crate::awards::model::Criterion;

    fn criteria() -> Vec<Criterion> {
        ["a", "b"]
            .iter()
            .map(|id| Criterion { id: id.to_string(), name: format!("C{id}"), weight: 1.0, guidance: String::new() })
            .collect()
    }

    #[test]
    fn a_review_scores_every_criterion_within_the_scale() {
        let mut errors = FieldErrors::default();
        let typed = |f: &str| match f {
            "score_1" => "7".to_string(),
            "score_2" => " 10 ".to_string(),
            "comment" => "Clear outcomes.".to_string(),
            _ => String::new(),
        };
        let r = check_review(&mut errors, &criteria(), 10, &typed, false);
        assert_eq!(
            r,
            Some(ReviewInput::Scored {
                scores: vec![("a".into(), 7), ("b".into(), 10)],
                comment: "Clear outcomes.".into()
            })
        );
        for bad in ["0", "11", "7.5", "", "seven"] {
            let mut errors = FieldErrors::default();
            let typed = |f: &str| if f == "score_1" { bad.to_string() } else { "5".to_string() };
            assert_eq!(check_review(&mut errors, &criteria(), 10, &typed, false), None, "{bad}");
            assert!(errors.get("score_1").is_some());
        }
    }

    #[test]
    fn abstaining_needs_a_reason_and_no_scores() {
        let mut errors = FieldErrors::default();
        let none = |_: &str| String::new();
        assert_eq!(check_review(&mut errors, &criteria(), 10, &none, true), None);
        assert!(errors.get("reason").is_some());
        let mut errors = FieldErrors::default();
        let why = |f: &str| if f == "reason" { "I advised them".to_string() } else { String::new() };
        assert_eq!(
            check_review(&mut errors, &criteria(), 10, &why, true),
            Some(ReviewInput::Abstained { reason: "I advised them".into() })
        );
    }

    #[test]
    fn an_award_needs_the_shortlist_and_a_citation() {
        let mut errors = FieldErrors::default();
        check_decision(&mut errors, "e", false, "winner", "Great");
        assert!(errors.get("award").is_some());
        let mut errors = FieldErrors::default();
        check_decision(&mut errors, "e", true, "highly_commended", "");
        assert!(errors.get("citation").is_some());
        let mut errors = FieldErrors::default();
        let d = check_decision(&mut errors, "e", true, "winner", "For a bold trial");
        assert!(errors.is_empty());
        assert_eq!(d.award, Some(crate::awards::model::Award::Winner));
        let mut errors = FieldErrors::default();
        check_decision(&mut errors, "e", true, "champion", "");
        assert!(errors.get("award").is_some());
    }

    #[test]
    fn judging_settings_are_bounded() {
        let mut errors = FieldErrors::default();
        assert_eq!(
            check_judging(&mut errors, "3", "Over 100 employees\n\n In-house team "),
            (3, "Over 100 employees\nIn-house team".into())
        );
        assert!(errors.is_empty());
        let mut errors = FieldErrors::default();
        check_judging(&mut errors, "0", "");
        assert!(errors.get("judges_per_entry").is_some());
    }
}

/// Who enters through a category's public form: their name, address and organisation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PublicEntrant {
    pub name: String,
    pub email: String,
    pub organisation: String,
}

/// Checks the entrant's part of the public form.
pub fn check_public_entrant(errors: &mut FieldErrors, typed: &PublicEntrant) -> PublicEntrant {
    let name = errors.required("entrant_name", "Your name", &typed.name, 100);
    errors.one_line("entrant_name", "Your name", &typed.name);
    let email = errors.email("entrant_email", &typed.email);
    let organisation = errors.required("entrant_organisation", "Your organisation", &typed.organisation, 200);
    errors.one_line("entrant_organisation", "Your organisation", &typed.organisation);
    PublicEntrant { name, email, organisation }
}
