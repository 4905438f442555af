//! Trial periods of a new working pattern (DOMAIN.md, "Trial periods"): for a person or the whole team, with
//! the pattern tried, success criteria with their baseline and measure, dates with a mid-point check and a
//! final review, and a decision. Ending a trial asks for the cause examined: taking someone back to the office
//! is never the default answer to an issue.

pub mod api;
pub mod routes;
pub mod store;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::model::PersonRow;
use super::requests::{date_field, parse_date};
use crate::web::FieldErrors;

/// Where a trial is, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Proposed,
    Scoped,
    Active,
    Midpoint,
    FinalReview,
    Decided,
}

impl State {
    pub const ALL: [State; 6] =
        [State::Proposed, State::Scoped, State::Active, State::Midpoint, State::FinalReview, State::Decided];

    pub fn key(self) -> &'static str {
        match self {
            State::Proposed => "proposed",
            State::Scoped => "scoped",
            State::Active => "active",
            State::Midpoint => "midpoint",
            State::FinalReview => "final_review",
            State::Decided => "decided",
        }
    }

    pub fn parse(key: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            State::Proposed => "Proposed",
            State::Scoped => "Scoped",
            State::Active => "Running",
            State::Midpoint => "Mid-point check",
            State::FinalReview => "Final review",
            State::Decided => "Decided",
        }
    }

    /// The one step a trial takes next; none once decided.
    pub fn next(self) -> Option<State> {
        let i = State::ALL.iter().position(|s| *s == self)?;
        State::ALL.get(i + 1).copied()
    }

    /// What the lead does to take the next step, in words.
    pub fn action(self) -> &'static str {
        match self {
            State::Proposed => "",
            State::Scoped => "Mark it scoped (criteria, baseline and dates agreed)",
            State::Active => "Start the trial",
            State::Midpoint => "Hold the mid-point check",
            State::FinalReview => "Hold the final review",
            State::Decided => "Record the decision",
        }
    }
}

/// What the final review decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Confirm,
    Adjust,
    Extend,
    End,
}

impl Decision {
    pub const ALL: [Decision; 4] = [Decision::Confirm, Decision::Adjust, Decision::Extend, Decision::End];

    pub fn key(self) -> &'static str {
        match self {
            Decision::Confirm => "confirm",
            Decision::Adjust => "adjust",
            Decision::Extend => "extend",
            Decision::End => "end",
        }
    }

    pub fn parse(key: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Decision::Confirm => "Confirm the pattern",
            Decision::Adjust => "Adjust it and run a new trial",
            Decision::Extend => "Extend the trial",
            Decision::End => "End the trial",
        }
    }
}

/// The causes a lead examines before ending a trial: an issue has a cause, and the cause is what to address.
pub const CAUSES: [(&str, &str); 8] = [
    ("workload", "Workload or deadlines"),
    ("performance", "Performance or results"),
    ("tools", "Tools, systems or information"),
    ("communication", "Communication and contact in the team"),
    ("health", "Health or wellbeing"),
    ("caring", "Caring or other life events"),
    ("role", "The role or how its activities are grouped"),
    ("other", "Something else (said in the reason)"),
];

pub fn cause_label(key: &str) -> Option<&'static str> {
    CAUSES.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
}

/// The network's guidance, shown where a trial may end.
pub const ENDING_GUIDANCE: &str = "Bringing someone back into the office and traditional hours should not be the \
    default position if there are issues to address: focus on any underlying issues. Name the cause you examined, \
    and what was tried.";

/// A success criterion: what would show the pattern works, where it starts and how it is measured.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Criterion {
    pub criterion: String,
    #[serde(default)]
    pub baseline: String,
    #[serde(default)]
    pub measure: String,
}

/// A trial as kept.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Trial {
    pub id: String,
    pub space_id: String,
    pub person_id: Option<String>,
    pub person_name: Option<String>,
    pub person_user_id: Option<String>,
    pub for_team: bool,
    pub pattern: String,
    pub scenario_id: Option<String>,
    pub criteria: String,
    pub starts_on: String,
    pub ends_on: String,
    pub length_reason: String,
    pub midpoint_on: String,
    pub state: String,
    pub decision: Option<String>,
    pub reason: String,
    pub cause: String,
    pub request_id: Option<String>,
    /// Offered to the network as a case study already.
    pub shared: bool,
}

impl Trial {
    pub fn state(&self) -> State {
        State::parse(&self.state).unwrap_or(State::Proposed)
    }

    pub fn criteria(&self) -> Vec<Criterion> {
        serde_json::from_str(&self.criteria).unwrap_or_default()
    }

    /// Who it is for, in words.
    pub fn who(&self) -> String {
        if self.for_team {
            "The whole team".into()
        } else {
            self.person_name.clone().unwrap_or_else(|| "Former participant".into())
        }
    }
}

/// A new trial as typed.
#[derive(Clone, Debug, Default)]
pub struct TrialFields {
    /// A person row's id, or empty for the whole team.
    pub person: String,
    pub pattern: String,
    pub scenario: String,
    pub starts_on: String,
    pub ends_on: String,
    pub length_reason: String,
    pub criteria: Vec<Criterion>,
}

pub struct CheckedTrial {
    pub person_id: Option<String>,
    pub pattern: String,
    pub scenario_id: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub midpoint_on: NaiveDate,
    pub length_reason: String,
    pub criteria: Vec<Criterion>,
}

/// The typical length of a trial, in days: outside it, the lead says why.
const TYPICAL_DAYS: std::ops::RangeInclusive<i64> = 28..=84;

/// Checks a trial's scope: the person (or the team), the pattern (written, or a what-if of the space), the
/// dates and the criteria.
pub fn check_trial(
    errors: &mut FieldErrors,
    f: &TrialFields,
    people: &[PersonRow],
    scenarios: &[(String, String)],
) -> Option<CheckedTrial> {
    let person_id = if f.person.is_empty() {
        None
    } else if people.iter().any(|p| p.id == f.person) {
        Some(f.person.clone())
    } else {
        errors.add("person", "Choose a person of the team, or the whole team.");
        None
    };
    let scenario = if f.scenario.is_empty() {
        None
    } else if let Some((id, name)) = scenarios.iter().find(|(id, _)| *id == f.scenario) {
        Some((id.clone(), name.clone()))
    } else {
        errors.add("scenario", "Choose one of the team's what-ifs, or write the pattern.");
        None
    };
    let pattern = match &scenario {
        Some((_, name)) if f.pattern.trim().is_empty() => format!("The what-if \u{201c}{name}\u{201d}"),
        _ => errors.required("pattern", "The pattern tried", &f.pattern, 4000),
    };
    let starts_on = date_field(errors, "starts_on", "the first day of the trial", &f.starts_on);
    let ends_on = date_field(errors, "ends_on", "the last day of the trial", &f.ends_on);
    let mut length_reason = errors.optional("length_reason", "The reason for its length", &f.length_reason, 1000);
    if let (Some(start), Some(end)) = (starts_on, ends_on) {
        // Both days are in the trial: 5 to 11 January is 7 days.
        let days = (end - start).num_days() + 1;
        if days <= 1 {
            errors.add("ends_on", "The end must be after the start.");
        } else if !TYPICAL_DAYS.contains(&days) && length_reason.is_empty() && errors.get("length_reason").is_none() {
            errors.add(
                "length_reason",
                format!(
                    "Trials usually run 4 to 12 weeks; this one runs {days} days: say why it is shorter or longer."
                ),
            );
        } else if TYPICAL_DAYS.contains(&days) {
            length_reason.clear();
        }
    }
    let criteria = check_criteria(errors, &f.criteria);
    if !errors.is_empty() {
        return None;
    }
    let (start, end) = (starts_on?, ends_on?);
    Some(CheckedTrial {
        person_id,
        pattern,
        scenario_id: scenario.map(|(id, _)| id),
        starts_on: start,
        ends_on: end,
        midpoint_on: start + Duration::days((end - start).num_days() / 2),
        length_reason,
        criteria,
    })
}

/// Criteria as typed: rows left blank are dropped; a baseline or a measure needs its criterion.
pub fn check_criteria(errors: &mut FieldErrors, criteria: &[Criterion]) -> Vec<Criterion> {
    let mut kept = Vec::new();
    for c in criteria {
        let (criterion, baseline, measure) = (c.criterion.trim(), c.baseline.trim(), c.measure.trim());
        if criterion.is_empty() && baseline.is_empty() && measure.is_empty() {
            continue;
        }
        if criterion.is_empty() {
            errors.add("criteria", "Each baseline and measure belongs to a criterion: write the criterion.");
        } else if [criterion, baseline, measure].iter().any(|t| t.chars().count() > 500 || t.contains('\0')) {
            errors.add("criteria", "Keep each criterion, baseline and measure under 500 characters.");
        }
        kept.push(Criterion { criterion: criterion.into(), baseline: baseline.into(), measure: measure.into() });
    }
    if kept.len() > 20 {
        errors.add("criteria", "A trial has at most 20 success criteria.");
    }
    kept
}

/// A step asked for.
#[derive(Clone, Debug, Default)]
pub struct StepFields {
    pub to: String,
    pub decision: String,
    pub reason: String,
    pub cause: String,
    /// For an extension: the new last day (four weeks more when left empty).
    pub ends_on: String,
}

/// A step the states allow, with what it records.
pub struct Step {
    /// The state the trial is in after it (an extension runs the trial again to its new end).
    pub state: State,
    pub decision: Option<Decision>,
    pub reason: String,
    pub cause: String,
    pub ends_on: Option<NaiveDate>,
    /// With an extension, the next mid-point check: half-way through the added time.
    pub midpoint_on: Option<NaiveDate>,
}

/// Checks a step: only the next state; scoping needs criteria with their baseline and measure; a decision
/// names one of the four; extending needs a reason, ending the cause examined.
pub fn check_step(errors: &mut FieldErrors, trial: &Trial, f: &StepFields) -> Option<Step> {
    let now = trial.state();
    let Some(to) = State::parse(&f.to) else {
        errors.add("to", "Choose the step: scoped, active, midpoint, final_review or decided.");
        return None;
    };
    match now.next() {
        None => {
            errors.add("to", "This trial has been decided: a new trial starts a new record.");
            return None;
        }
        Some(next) if next != to => {
            errors.add(
                "to",
                format!("A trial that is {} moves next to {}, not to {}.", now.label(), next.label(), to.label()),
            );
            return None;
        }
        Some(_) => {}
    }
    let reason = errors.optional("reason", "The reason", &f.reason, 2000);
    if to == State::Scoped {
        let criteria = trial.criteria();
        if criteria.is_empty() || criteria.iter().any(|c| c.baseline.is_empty() || c.measure.is_empty()) {
            errors.add(
                "criteria",
                "Before the trial is scoped, give at least one success criterion, each with its baseline and measure.",
            );
        }
    }
    let mut decision = None;
    let mut cause = String::new();
    let mut ends_on = None;
    if to == State::Decided {
        decision = Decision::parse(&f.decision);
        match decision {
            None => errors.add("decision", "Choose the decision: confirm, adjust, extend or end."),
            Some(Decision::Extend) => {
                if reason.is_empty() && errors.get("reason").is_none() {
                    errors.add("reason", "Say why the trial is extended (an absence, too little evidence, ...).");
                }
                let current = parse_date(&trial.ends_on);
                ends_on = if f.ends_on.trim().is_empty() {
                    current.map(|d| d + Duration::weeks(4))
                } else {
                    date_field(errors, "ends_on", "the new last day", &f.ends_on)
                };
                if let (Some(new), Some(old)) = (ends_on, current)
                    && new <= old
                {
                    errors.add("ends_on", "An extension ends after the trial's present last day.");
                }
            }
            Some(Decision::End) => match cause_label(&f.cause) {
                Some(_) => cause = f.cause.clone(),
                None => errors.add("cause", "Before ending the trial, record the cause you examined."),
            },
            Some(_) => {}
        }
    }
    if !errors.is_empty() {
        return None;
    }
    let state = if decision == Some(Decision::Extend) { State::Active } else { to };
    let midpoint_on = match (ends_on, parse_date(&trial.ends_on)) {
        // Half-way through the added days (the first of them is the day after the old end).
        (Some(new), Some(old)) => Some(old + Duration::days(1 + ((new - old).num_days() - 1) / 2)),
        _ => None,
    };
    Some(Step { state, decision, reason, cause, ends_on, midpoint_on })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(state: State) -> Trial {
        Trial {
            id: "t".into(),
            space_id: "s".into(),
            person_id: None,
            person_name: None,
            person_user_id: None,
            for_team: true,
            pattern: "Two anchor days".into(),
            scenario_id: None,
            criteria: serde_json::to_string(&[Criterion {
                criterion: "Customer replies within a day".into(),
                baseline: "92%".into(),
                measure: "Weekly report".into(),
            }])
            .unwrap(),
            starts_on: "2026-01-05".into(),
            ends_on: "2026-03-01".into(),
            length_reason: String::new(),
            midpoint_on: "2026-02-01".into(),
            state: state.key().into(),
            decision: None,
            reason: String::new(),
            cause: String::new(),
            request_id: None,
            shared: false,
        }
    }

    fn step(to: &str, decision: &str) -> StepFields {
        StepFields { to: to.into(), decision: decision.into(), ..StepFields::default() }
    }

    #[test]
    fn only_the_next_state_is_allowed() {
        for (i, from) in State::ALL.into_iter().enumerate() {
            for (j, to) in State::ALL.into_iter().enumerate() {
                let mut e = FieldErrors::default();
                let ok = check_step(&mut e, &trial(from), &step(to.key(), "confirm")).is_some();
                assert_eq!(ok, j == i + 1, "{from:?} -> {to:?}: {:?}", e.messages());
            }
        }
    }

    #[test]
    fn ending_needs_the_cause_and_extending_a_reason() {
        let mut e = FieldErrors::default();
        assert!(check_step(&mut e, &trial(State::FinalReview), &step("decided", "end")).is_none());
        assert!(e.get("cause").is_some());
        let mut e = FieldErrors::default();
        let end = StepFields { cause: "tools".into(), ..step("decided", "end") };
        assert!(check_step(&mut e, &trial(State::FinalReview), &end).is_some());
        let mut e = FieldErrors::default();
        assert!(check_step(&mut e, &trial(State::FinalReview), &step("decided", "extend")).is_none());
        assert!(e.get("reason").is_some());
        let mut e = FieldErrors::default();
        let extend = StepFields { reason: "Two weeks' absence".into(), ..step("decided", "extend") };
        let s = check_step(&mut e, &trial(State::FinalReview), &extend).unwrap();
        assert_eq!((s.state, s.ends_on.unwrap().to_string()), (State::Active, "2026-03-29".to_string()));
        assert_eq!(s.midpoint_on.unwrap().to_string(), "2026-03-15", "half-way through the four weeks added");
    }

    #[test]
    fn a_length_outside_four_to_twelve_weeks_asks_why() {
        let f = |end: &str, reason: &str| TrialFields {
            pattern: "Compressed hours".into(),
            starts_on: "2026-01-05".into(),
            ends_on: end.into(),
            length_reason: reason.into(),
            ..TrialFields::default()
        };
        let mut e = FieldErrors::default();
        assert!(check_trial(&mut e, &f("2026-01-19", ""), &[], &[]).is_none());
        assert!(e.get("length_reason").is_some());
        let mut e = FieldErrors::default();
        assert!(check_trial(&mut e, &f("2026-01-19", "A short pilot before the rota changes"), &[], &[]).is_some());
        let mut e = FieldErrors::default();
        let t = check_trial(&mut e, &f("2026-03-01", ""), &[], &[]).unwrap();
        assert_eq!(t.midpoint_on.to_string(), "2026-02-01");
        let mut e = FieldErrors::default();
        assert!(check_trial(&mut e, &f("2026-01-01", ""), &[], &[]).is_none());
        assert!(e.get("ends_on").is_some());
    }
}
