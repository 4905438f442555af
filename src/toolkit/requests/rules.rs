//! The statutory flexible-working rules as dated data (DOMAIN.md, "Flexible-working requests"): a request is
//! held to the rules in force on the day it was made, so a change in the law is a new row here, not a rewrite.
//! A record-keeping aid, not legal advice.

use chrono::{Months, NaiveDate};

/// One version of the rules, in force from `effective` until the next one.
#[derive(Debug, PartialEq, Eq)]
pub struct Rules {
    pub effective: NaiveDate,
    /// Where they come from, in words.
    pub source: &'static str,
    /// How many requests a person may make in any 12 months.
    pub per_twelve_months: usize,
    /// Whether a request may be made while an earlier one is undecided.
    pub one_at_a_time: bool,
    /// The months from the request to the decision, any appeal included, unless both agree a later date.
    pub decision_months: u32,
    /// Weeks of service before a request may be made (0: a right from the first day).
    pub service_weeks: u32,
    /// Whether the employer must consult the person before refusing.
    pub consult_before_refusal: bool,
}

const fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("a rules date that is not a day"),
    }
}

/// Every version, oldest first.
pub const RULES: &[Rules] = &[
    Rules {
        effective: day(2014, 6, 30),
        source: "Employment Rights Act 1996 Part 8A as extended on 30 June 2014; Acas Code of Practice (2014)",
        per_twelve_months: 1,
        one_at_a_time: true,
        decision_months: 3,
        service_weeks: 26,
        consult_before_refusal: false,
    },
    Rules {
        effective: day(2024, 4, 6),
        source: "Employment Relations (Flexible Working) Act 2023 and the Flexible Working (Amendment) Regulations \
                 2023, from 6 April 2024; Acas Code of Practice (2024)",
        per_twelve_months: 2,
        one_at_a_time: true,
        decision_months: 2,
        service_weeks: 0,
        consult_before_refusal: true,
    },
];

/// The rules in force on a day; none before the first version the tool keeps.
pub fn in_force(on: NaiveDate) -> Option<&'static Rules> {
    RULES.iter().rev().find(|r| r.effective <= on)
}

impl Rules {
    /// The key a request stores: the rules' effective date.
    pub fn key(&self) -> String {
        super::day(self.effective)
    }

    pub fn by_key(key: &str) -> Option<&'static Rules> {
        RULES.iter().find(|r| r.key() == key)
    }

    /// The last day for the decision (any appeal included) on a request made that day.
    pub fn decision_due(&self, made_on: NaiveDate) -> NaiveDate {
        made_on.checked_add_months(Months::new(self.decision_months)).unwrap_or(made_on)
    }

    /// In words, for the pages: "from 6 April 2024: two requests in any 12 months, ...".
    pub fn summary(&self) -> String {
        let count = match self.per_twelve_months {
            1 => "one request".to_string(),
            2 => "two requests".to_string(),
            n => format!("{n} requests"),
        };
        let service = if self.service_weeks == 0 {
            "a right from the first day of employment".to_string()
        } else {
            format!("after {} weeks' service", self.service_weeks)
        };
        let consult = if self.consult_before_refusal { "; consultation before any refusal" } else { "" };
        format!(
            "Rules from {}: {count} in any 12 months, one at a time; a decision, any appeal included, within {} \
             months unless both agree to extend; {service}{consult}; a refusal only on the business grounds.",
            self.effective.format("%-d %B %Y"),
            self.decision_months
        )
    }
}

/// The eight business grounds a refusal may rest on (Employment Rights Act 1996, s. 80G(1)(b)).
pub const GROUNDS: [(&str, &str); 8] = [
    ("extra_costs", "The burden of additional costs"),
    ("customer_demand", "A detrimental effect on the ability to meet customer demand"),
    ("reorganise", "Inability to reorganise work among existing staff"),
    ("recruit", "Inability to recruit additional staff"),
    ("quality", "A detrimental impact on quality"),
    ("performance", "A detrimental impact on performance"),
    ("not_enough_work", "Insufficiency of work during the periods the person proposes to work"),
    ("structural_changes", "Planned structural changes"),
];

pub fn ground_label(key: &str) -> Option<&'static str> {
    GROUNDS.iter().find(|(k, _)| *k == key).map(|(_, l)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_are_chosen_by_the_day_the_request_was_made() {
        assert_eq!(in_force(day(2024, 4, 5)).unwrap().decision_months, 3);
        assert_eq!(in_force(day(2024, 4, 6)).unwrap().decision_months, 2);
        assert_eq!(in_force(day(2023, 9, 1)).unwrap().per_twelve_months, 1);
        assert!(in_force(day(2014, 6, 29)).is_none());
    }

    #[test]
    fn a_decision_is_due_months_later_on_the_same_day_or_the_month_end() {
        let now = in_force(day(2026, 1, 1)).unwrap();
        assert_eq!(now.decision_due(day(2026, 3, 10)), day(2026, 5, 10));
        assert_eq!(now.decision_due(day(2026, 12, 31)), day(2027, 2, 28));
        let before = in_force(day(2023, 5, 2)).unwrap();
        assert_eq!(before.decision_due(day(2023, 5, 2)), day(2023, 8, 2));
    }
}
