//! Flexible-working requests (the UK statutory process): a lead records a request with what the law asks it
//! to hold, and the tool keeps its clock under the rules in force on the day it was made (`rules`): the
//! deadline, what is still due, a second live request or one too many in 12 months refused, a refusal only on
//! the business grounds, explained, after consultation where the rules ask for it. A record-keeping aid, not
//! legal advice.

pub mod api;
pub mod routes;
pub mod rules;
pub mod store;

use chrono::{Months, NaiveDate};

use super::model::PersonRow;
use crate::web::FieldErrors;
use rules::Rules;

/// A request as kept.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Request {
    pub id: String,
    pub space_id: String,
    pub person_id: Option<String>,
    pub person_name: String,
    pub person_user_id: Option<String>,
    pub made_on: String,
    pub change: String,
    pub start_wanted: String,
    pub earlier: String,
    pub rules: String,
    pub decision_due: String,
    pub extended_to: Option<String>,
    pub extension_note: String,
    pub consulted_on: Option<String>,
    pub consultation_note: String,
    pub outcome: Option<String>,
    pub grounds: String,
    pub explanation: String,
    pub decided_on: Option<String>,
    pub appeal_on: Option<String>,
    pub appeal_outcome: Option<String>,
    pub appeal_decided_on: Option<String>,
}

/// What a decision can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Granted,
    Refused,
    Withdrawn,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Granted, Outcome::Refused, Outcome::Withdrawn];

    pub fn key(self) -> &'static str {
        match self {
            Outcome::Granted => "granted",
            Outcome::Refused => "refused",
            Outcome::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(key: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.key() == key)
    }
}

/// The first day after a 12-month period that starts on `start`.
fn year_after(start: NaiveDate) -> NaiveDate {
    start.checked_add_months(Months::new(12)).unwrap_or(NaiveDate::MAX)
}

pub fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok().filter(|d| crate::web::time::in_range(*d))
}

/// A day as stored: 'YYYY-MM-DD' on both engines.
pub fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// "6 April 2024"
pub fn in_words(date: &str) -> String {
    parse_date(date).map_or_else(|| date.to_string(), |d| d.format("%-d %B %Y").to_string())
}

/// A required date field: its day, or a message beside it.
pub fn date_field(errors: &mut FieldErrors, field: &'static str, label: &str, value: &str) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        errors.add(field, format!("Enter {label}."));
        return None;
    }
    let date = parse_date(value);
    if date.is_none() {
        errors.add(field, format!("Enter {label} as a date (YYYY-MM-DD)."));
    }
    date
}

impl Request {
    pub fn rules(&self) -> &'static Rules {
        Rules::by_key(&self.rules).unwrap_or(&rules::RULES[rules::RULES.len() - 1])
    }

    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome.as_deref().and_then(Outcome::parse)
    }

    /// Waiting for a decision, or for the decision on an appeal: a live request.
    pub fn live(&self) -> bool {
        match self.outcome() {
            None => true,
            Some(Outcome::Refused) => self.appeal_on.is_some() && self.appeal_outcome.is_none(),
            Some(_) => false,
        }
    }

    /// The last day for the decision, any appeal included: the agreed later date if there is one.
    pub fn deadline(&self) -> String {
        self.extended_to.clone().unwrap_or_else(|| self.decision_due.clone())
    }

    /// What is still due, in order, while the request is live.
    pub fn still_due(&self) -> Vec<String> {
        let mut due = Vec::new();
        if !self.live() {
            return due;
        }
        let by = in_words(&self.deadline());
        if self.outcome.is_none() {
            if self.consulted_on.is_none() && self.rules().consult_before_refusal {
                due.push("A meeting to consult the person (before any refusal).".to_string());
            }
            due.push(format!("The decision, told to the person in writing, by {by}."));
        } else {
            due.push(format!("The decision on the appeal, by {by}."));
        }
        due
    }

    pub fn grounds(&self) -> Vec<&'static str> {
        self.grounds.split(',').filter_map(rules::ground_label).collect()
    }
}

/// A new request as typed, from the page or the API.
#[derive(Clone, Debug, Default)]
pub struct RequestFields {
    pub person: String,
    pub made_on: String,
    pub change: String,
    pub start_wanted: String,
    pub earlier: String,
}

pub struct CheckedRequest {
    pub person_id: String,
    pub made_on: NaiveDate,
    pub change: String,
    pub start_wanted: NaiveDate,
    pub earlier: String,
    pub rules: &'static Rules,
}

/// Checks a new request against the team's people and the person's earlier requests (all of them, any
/// order), under the rules in force on the day it was made. `today` bounds the day it was made.
pub fn check_new(
    errors: &mut FieldErrors,
    f: &RequestFields,
    people: &[PersonRow],
    earlier: &[Request],
    today: NaiveDate,
) -> Option<CheckedRequest> {
    let person = people.iter().find(|p| p.id == f.person);
    if person.is_none() {
        errors.add("person", "Choose the person who made the request, from the team's people.");
    }
    let made_on = date_field(errors, "made_on", "the day the request was made", &f.made_on);
    let rules = made_on.and_then(|d| {
        if d > today {
            errors.add("made_on", "A request is recorded once it is made: the day cannot be after today.");
            return None;
        }
        let rules = rules::in_force(d);
        if rules.is_none() {
            errors.add("made_on", "The tool keeps requests made from 30 June 2014, under the rules since then.");
        }
        rules
    });
    let change = errors.required("change", "The change asked (hours, times, place)", &f.change, 4000);
    let start_wanted = date_field(errors, "start_wanted", "the start date wanted", &f.start_wanted);
    if let (Some(made), Some(start)) = (made_on, start_wanted)
        && start < made
    {
        errors.add("start_wanted", "The start wanted cannot be before the day the request was made.");
    }
    let earlier_text = errors.optional("earlier", "Earlier requests", &f.earlier, 2000);
    if let (Some(made), Some(rules)) = (made_on, rules) {
        let mine: Vec<&Request> =
            earlier.iter().filter(|r| r.person_id.as_deref() == Some(f.person.as_str())).collect();
        if let Some(live) = mine.iter().find(|r| r.live())
            && rules.one_at_a_time
        {
            errors.add(
                "person",
                format!(
                    "This person already has a request waiting for a decision (made on {}): one request at a \
                     time, until it is decided.",
                    in_words(&live.made_on)
                ),
            );
        } else {
            // "Any 12 months": every 12-month window holding this day, before or after it (a request recorded
            // late may fall before others), counted without this one.
            let dates: Vec<NaiveDate> = mine.iter().filter_map(|r| parse_date(&r.made_on)).chain([made]).collect();
            let in_year = dates
                .iter()
                .filter(|start| **start <= made && made < year_after(**start))
                .map(|start| dates.iter().filter(|d| *d >= start && **d < year_after(*start)).count() - 1)
                .max()
                .unwrap_or(0);
            if in_year >= rules.per_twelve_months {
                let allowed = if rules.per_twelve_months == 1 { "one request" } else { "two requests" };
                errors.add(
                    "made_on",
                    format!(
                        "Under the rules from {}, a person may make {allowed} in any 12 months, and this person \
                         has made {in_year} in 12 months with this day.",
                        rules.effective.format("%-d %B %Y")
                    ),
                );
            }
        }
    }
    if !errors.is_empty() {
        return None;
    }
    Some(CheckedRequest {
        person_id: f.person.clone(),
        made_on: made_on?,
        change,
        start_wanted: start_wanted?,
        earlier: earlier_text,
        rules: rules?,
    })
}

/// A decision as typed.
#[derive(Clone, Debug, Default)]
pub struct DecisionFields {
    pub outcome: String,
    pub grounds: Vec<String>,
    pub explanation: String,
    pub decided_on: String,
}

pub struct CheckedDecision {
    pub outcome: Outcome,
    pub grounds: Vec<String>,
    pub explanation: String,
    pub decided_on: NaiveDate,
}

/// A decision on a live, undecided request. The field `outcome` carries a refusal the request's state does not
/// allow (already decided, not yet consulted).
pub fn check_decision(
    errors: &mut FieldErrors,
    request: &Request,
    f: &DecisionFields,
    today: NaiveDate,
) -> Option<CheckedDecision> {
    if request.outcome.is_some() {
        errors.add("state", "This request has been decided already.");
        return None;
    }
    let outcome = Outcome::parse(&f.outcome);
    if outcome.is_none() {
        errors.add("outcome", "Choose whether the request is granted, refused or withdrawn.");
    }
    let decided_on = if f.decided_on.trim().is_empty() {
        Some(today)
    } else {
        date_field(errors, "decided_on", "the day of the decision", &f.decided_on)
    };
    if let (Some(d), Some(made)) = (decided_on, parse_date(&request.made_on))
        && d < made
    {
        errors.add("decided_on", "The decision cannot be before the request was made.");
    }
    let mut grounds = Vec::new();
    for g in &f.grounds {
        if rules::ground_label(g).is_none() {
            errors.add("grounds", "Choose the grounds from the list of business grounds.");
        } else if !grounds.contains(g) {
            grounds.push(g.clone());
        }
    }
    let explanation = if outcome == Some(Outcome::Refused) {
        if grounds.is_empty() && errors.get("grounds").is_none() {
            errors.add(
                "grounds",
                "A refusal rests on one or more of the eight business grounds: choose each that applies.",
            );
        }
        if request.consulted_on.is_none() && request.rules().consult_before_refusal {
            errors.add(
                "state",
                "Consult the person before refusing: record the consultation meeting first, then the decision.",
            );
        }
        errors.required("explanation", "An explanation of why the grounds apply", &f.explanation, 4000)
    } else {
        grounds.clear();
        errors.optional("explanation", "The explanation", &f.explanation, 4000)
    };
    if !errors.is_empty() {
        return None;
    }
    Some(CheckedDecision { outcome: outcome?, grounds, explanation, decided_on: decided_on? })
}

/// A later deadline both sides agreed: after the one in force, with what was agreed.
pub fn check_extension(
    errors: &mut FieldErrors,
    request: &Request,
    extended_to: &str,
    note: &str,
) -> Option<(NaiveDate, String)> {
    if !request.live() {
        errors.add("state", "Only a request waiting for a decision has its decision period extended.");
        return None;
    }
    let date = date_field(errors, "extended_to", "the agreed new date", extended_to);
    if let (Some(d), Some(due)) = (date, parse_date(&request.deadline()))
        && d <= due
    {
        errors.add(
            "extended_to",
            format!("The agreed date must be after the deadline now, {}.", in_words(&due.to_string())),
        );
    }
    let note = errors.required("extension_note", "What was agreed, and with whom", note, 2000);
    if !errors.is_empty() {
        return None;
    }
    Some((date?, note))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> PersonRow {
        PersonRow {
            id: "p1".into(),
            space_id: "s".into(),
            user_id: None,
            name: "Asha".into(),
            head_count: 1,
            working_days: "mon,tue,wed,thu,fri".into(),
            hours_per_week: 37.5,
            site_id: None,
            constraints: String::new(),
            home_checked: false,
        }
    }

    fn request(made_on: &str, outcome: Option<&str>) -> Request {
        Request {
            id: made_on.into(),
            space_id: "s".into(),
            person_id: Some("p1".into()),
            person_name: "Asha".into(),
            person_user_id: None,
            made_on: made_on.into(),
            change: "Compressed hours".into(),
            start_wanted: made_on.into(),
            earlier: String::new(),
            rules: rules::in_force(parse_date(made_on).unwrap()).unwrap().key(),
            decision_due: made_on.into(),
            extended_to: None,
            extension_note: String::new(),
            consulted_on: None,
            consultation_note: String::new(),
            outcome: outcome.map(String::from),
            grounds: String::new(),
            explanation: String::new(),
            decided_on: None,
            appeal_on: None,
            appeal_outcome: None,
            appeal_decided_on: None,
        }
    }

    fn fields(made_on: &str) -> RequestFields {
        RequestFields {
            person: "p1".into(),
            made_on: made_on.into(),
            change: "Four days a week".into(),
            start_wanted: made_on.into(),
            earlier: String::new(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    #[test]
    fn two_a_year_and_one_at_a_time_from_april_2024() {
        let mut e = FieldErrors::default();
        let decided = [request("2026-01-10", Some("granted"))];
        assert!(check_new(&mut e, &fields("2026-06-01"), &[person()], &decided, today()).is_some());
        let mut e = FieldErrors::default();
        let two = [request("2026-01-10", Some("granted")), request("2026-03-10", Some("refused"))];
        assert!(check_new(&mut e, &fields("2026-06-01"), &[person()], &two, today()).is_none());
        assert!(e.get("made_on").unwrap().contains("two requests"));
        let mut e = FieldErrors::default();
        assert!(check_new(&mut e, &fields("2027-03-11"), &[person()], &two, NaiveDate::MAX).is_some());
        let mut e = FieldErrors::default();
        let live = [request("2026-05-10", None)];
        assert!(check_new(&mut e, &fields("2026-06-01"), &[person()], &live, today()).is_none());
        assert!(e.get("person").unwrap().contains("one request at a time"));
    }

    #[test]
    fn a_request_recorded_late_counts_the_year_after_it_too() {
        let mut e = FieldErrors::default();
        let later = [request("2026-03-10", Some("granted")), request("2026-06-10", Some("granted"))];
        assert!(check_new(&mut e, &fields("2026-01-05"), &[person()], &later, today()).is_none());
        assert!(e.get("made_on").unwrap().contains("two requests"));
        let mut e = FieldErrors::default();
        assert!(check_new(&mut e, &fields("2025-03-09"), &[person()], &later, today()).is_some(), "{:?}", e.messages());
    }

    #[test]
    fn one_a_year_under_the_earlier_rules() {
        let mut e = FieldErrors::default();
        let one = [request("2023-01-10", Some("granted"))];
        assert!(check_new(&mut e, &fields("2023-09-01"), &[person()], &one, today()).is_none());
        assert!(e.get("made_on").unwrap().contains("one request in any 12 months"));
    }

    #[test]
    fn a_refusal_needs_grounds_an_explanation_and_under_the_2024_rules_a_consultation() {
        let r = request("2026-05-10", None);
        let mut e = FieldErrors::default();
        let refuse = DecisionFields { outcome: "refused".into(), ..DecisionFields::default() };
        assert!(check_decision(&mut e, &r, &refuse, today()).is_none());
        assert!(e.get("grounds").is_some() && e.get("explanation").is_some() && e.get("state").is_some());
        let consulted = Request { consulted_on: Some("2026-05-20".into()), ..r };
        let mut e = FieldErrors::default();
        let refuse = DecisionFields {
            outcome: "refused".into(),
            grounds: vec!["extra_costs".into()],
            explanation: "Cover would need an agency.".into(),
            ..DecisionFields::default()
        };
        assert!(check_decision(&mut e, &consulted, &refuse, today()).is_some(), "{:?}", e.messages());
        let old = request("2023-05-10", None);
        let mut e = FieldErrors::default();
        assert!(check_decision(&mut e, &old, &refuse, today()).is_some(), "no consultation rule before 2024");
    }
}
