//! The eligibility engine: pure rules over the facts of an application, no I/O. Each rule passes, fails, or
//! asks for a person to review, with a reason written for the applicant and the reviewer alike.
//!
//! The network is for in-house practitioners at organisations of 100+ employees that are implementing Smart
//! Working or intend to; not for consultants or vendors; and a work address must show the employer.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Review,
    Fail,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Review => "review",
            Verdict::Fail => "fail",
        }
    }

    pub fn parse(s: &str) -> Verdict {
        match s {
            "pass" => Verdict::Pass,
            "fail" => Verdict::Fail,
            _ => Verdict::Review,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    OrganisationSize,
    ProgrammeStage,
    WorksInHouse,
    WorkEmail,
    EmailMatchesOrganisation,
}

impl Rule {
    pub fn label(self) -> &'static str {
        match self {
            Rule::OrganisationSize => "Organisation size",
            Rule::ProgrammeStage => "Smart Working programme",
            Rule::WorksInHouse => "Works in-house",
            Rule::WorkEmail => "Work e-mail address",
            Rule::EmailMatchesOrganisation => "E-mail matches the organisation",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    pub rule: Rule,
    pub verdict: Verdict,
    pub reason: String,
}

/// How the applicant works for the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Employment {
    Employee,
    PlacedContractor,
    Consultant,
    Vendor,
    Other,
}

impl Employment {
    pub const ALL: [(Employment, &'static str, &'static str); 5] = [
        (Employment::Employee, "employee", "Employee, working in-house"),
        (Employment::PlacedContractor, "placed_contractor", "Contractor placed in-house"),
        (Employment::Consultant, "consultant", "Consultant or adviser"),
        (Employment::Vendor, "vendor", "Vendor or supplier"),
        (Employment::Other, "other", "Other"),
    ];

    pub fn parse(s: &str) -> Option<Employment> {
        Employment::ALL.iter().find(|(_, key, _)| *key == s).map(|(e, _, _)| *e)
    }
}

/// Where the organisation is with Smart Working.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    NotPlanned,
    Intending,
    Implementing,
    Embedded,
}

impl Stage {
    pub const ALL: [(Stage, &'static str, &'static str); 4] = [
        (Stage::Intending, "intending", "Intending to implement Smart Working"),
        (Stage::Implementing, "implementing", "Implementing Smart Working now"),
        (Stage::Embedded, "embedded", "Smart Working is embedded"),
        (Stage::NotPlanned, "not_planned", "No plans at present"),
    ];

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.iter().find(|(_, key, _)| *key == s).map(|(e, _, _)| *e)
    }
}

/// An organisation the network already knows, found by the applicant's e-mail domain.
#[derive(Clone, Debug)]
pub struct KnownOrganisation {
    pub name: String,
    pub domains: Vec<String>,
}

/// The facts of an application that the rules look at. `None` means the applicant did not say.
#[derive(Clone, Debug)]
pub struct Facts {
    pub employees: Option<i64>,
    pub stage: Option<Stage>,
    pub employment: Option<Employment>,
    pub email: String,
    /// The organisation's web domain as the applicant typed it.
    pub organisation_domain: String,
    pub known_organisation: Option<KnownOrganisation>,
}

/// The settings the rules run with.
pub struct Settings<'a> {
    pub minimum_employees: i64,
    pub free_mail_domains: &'a [&'a str],
}

pub const FREE_MAIL_LIST: &str = include_str!("free_mail_domains.txt");

/// The shipped list of free-mail domains.
pub fn free_mail_domains() -> Vec<&'static str> {
    FREE_MAIL_LIST.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

/// The outcome of all rules: any fail fails, else any review needs a person, else it passes.
pub fn outcome(results: &[RuleResult]) -> Verdict {
    results
        .iter()
        .map(|r| r.verdict)
        .max_by_key(|v| match v {
            Verdict::Pass => 0,
            Verdict::Review => 1,
            Verdict::Fail => 2,
        })
        .unwrap_or(Verdict::Review)
}

pub fn assess(facts: &Facts, settings: &Settings) -> Vec<RuleResult> {
    vec![
        organisation_size(facts.employees, settings.minimum_employees),
        programme_stage(facts.stage),
        works_in_house(facts.employment),
        work_email(&facts.email, settings.free_mail_domains),
        email_matches_organisation(
            &facts.email,
            &facts.organisation_domain,
            facts.known_organisation.as_ref(),
            settings.free_mail_domains,
        ),
    ]
}

fn result(rule: Rule, verdict: Verdict, reason: impl Into<String>) -> RuleResult {
    RuleResult { rule, verdict, reason: reason.into() }
}

pub fn organisation_size(employees: Option<i64>, minimum: i64) -> RuleResult {
    let rule = Rule::OrganisationSize;
    match employees {
        None => result(rule, Verdict::Review, "The number of employees was not given; an organiser will check it."),
        Some(n) if n >= minimum => result(rule, Verdict::Pass, format!("{n} employees: at least {minimum}.")),
        Some(n) => result(
            rule,
            Verdict::Fail,
            format!("The network is for organisations of {minimum} or more employees; {n} were given."),
        ),
    }
}

pub fn programme_stage(stage: Option<Stage>) -> RuleResult {
    let rule = Rule::ProgrammeStage;
    match stage {
        None => result(rule, Verdict::Review, "The stage of the Smart Working programme was not given."),
        Some(Stage::NotPlanned) => result(
            rule,
            Verdict::Fail,
            "The network is for organisations that are implementing Smart Working or intend to. You are welcome to apply when a programme is planned.",
        ),
        Some(Stage::Intending) => result(rule, Verdict::Pass, "The organisation intends to implement Smart Working."),
        Some(Stage::Implementing) => result(rule, Verdict::Pass, "The organisation is implementing Smart Working."),
        Some(Stage::Embedded) => result(rule, Verdict::Pass, "Smart Working is embedded in the organisation."),
    }
}

pub fn works_in_house(employment: Option<Employment>) -> RuleResult {
    let rule = Rule::WorksInHouse;
    match employment {
        Some(Employment::Employee) => result(rule, Verdict::Pass, "Works in-house as an employee."),
        Some(Employment::PlacedContractor) => result(
            rule,
            Verdict::Review,
            "A contractor placed in-house may be eligible; an organiser will check the role.",
        ),
        Some(Employment::Consultant) | Some(Employment::Vendor) => result(
            rule,
            Verdict::Fail,
            "Thank you for your interest. The network is only for people working in-house on their own organisation's programme: it is not a place for selling or seeking work, so consultants, vendors and suppliers cannot join, however expert.",
        ),
        Some(Employment::Other) => {
            result(rule, Verdict::Review, "An organiser will check how you work for the organisation.")
        }
        None => result(rule, Verdict::Review, "How you work for the organisation was not given."),
    }
}

/// The part after the last `@`, lower-cased.
pub fn email_domain(email: &str) -> String {
    email.rsplit_once('@').map(|(_, d)| d.trim().trim_end_matches('.').to_lowercase()).unwrap_or_default()
}

/// A typed web domain made plain: "https://www.Council.gov.uk/about" -> "council.gov.uk".
pub fn normalise_domain(typed: &str) -> String {
    let d = typed.trim().to_lowercase();
    let d = d.strip_prefix("https://").or_else(|| d.strip_prefix("http://")).unwrap_or(&d);
    let d = d.split(['/', '?', '#', ':']).next().unwrap_or_default();
    let d = d.strip_prefix("www.").unwrap_or(d);
    d.trim_end_matches('.').to_string()
}

/// True when `domain` is `parent` or one of its subdomains.
pub fn within(domain: &str, parent: &str) -> bool {
    !parent.is_empty() && (domain == parent || domain.ends_with(&format!(".{parent}")))
}

fn is_free_mail(domain: &str, free_mail: &[&str]) -> bool {
    free_mail.iter().any(|f| within(domain, f))
}

pub fn work_email(email: &str, free_mail: &[&str]) -> RuleResult {
    let rule = Rule::WorkEmail;
    let domain = email_domain(email);
    if domain.is_empty() {
        result(rule, Verdict::Fail, "The e-mail address has no domain.")
    } else if is_free_mail(&domain, free_mail) {
        result(
            rule,
            Verdict::Fail,
            format!(
                "{domain} is a personal e-mail service, so it cannot show where you work. Please apply with your work e-mail address."
            ),
        )
    } else {
        result(rule, Verdict::Pass, format!("{domain} is not a personal e-mail service."))
    }
}

pub fn email_matches_organisation(
    email: &str,
    organisation_domain: &str,
    known: Option<&KnownOrganisation>,
    free_mail: &[&str],
) -> RuleResult {
    let rule = Rule::EmailMatchesOrganisation;
    let domain = email_domain(email);
    if is_free_mail(&domain, free_mail) {
        return result(rule, Verdict::Fail, "A personal e-mail address cannot be matched to an organisation.");
    }
    if let Some(org) = known
        && org.domains.iter().any(|d| within(&domain, d))
    {
        return result(rule, Verdict::Pass, format!("{domain} belongs to {}, already known to the network.", org.name));
    }
    let typed = normalise_domain(organisation_domain);
    if typed.is_empty() {
        return result(
            rule,
            Verdict::Review,
            "The organisation's web domain was not given; an organiser will check the e-mail address.",
        );
    }
    if within(&domain, &typed) {
        result(rule, Verdict::Pass, format!("{domain} is the organisation's own domain ({typed})."))
    } else {
        result(
            rule,
            Verdict::Review,
            format!(
                "{domain} is not the organisation's domain ({typed}); an organiser will check that the address belongs to the organisation."
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings<'a>(list: &'a [&'static str]) -> Settings<'a> {
        Settings { minimum_employees: 100, free_mail_domains: list }
    }

    #[test]
    fn size_boundaries() {
        for (employees, verdict) in [
            (Some(99), Verdict::Fail),
            (Some(100), Verdict::Pass),
            (Some(101), Verdict::Pass),
            (Some(0), Verdict::Fail),
            (None, Verdict::Review),
        ] {
            assert_eq!(organisation_size(employees, 100).verdict, verdict, "{employees:?}");
        }
        assert!(organisation_size(Some(40), 100).reason.contains("100 or more"));
        assert_eq!(organisation_size(Some(60), 50).verdict, Verdict::Pass, "the threshold is a setting");
    }

    #[test]
    fn stages() {
        for (stage, verdict) in [
            (Some(Stage::Intending), Verdict::Pass),
            (Some(Stage::Implementing), Verdict::Pass),
            (Some(Stage::Embedded), Verdict::Pass),
            (Some(Stage::NotPlanned), Verdict::Fail),
            (None, Verdict::Review),
        ] {
            assert_eq!(programme_stage(stage).verdict, verdict, "{stage:?}");
        }
    }

    #[test]
    fn in_house_only() {
        for (e, verdict) in [
            (Some(Employment::Employee), Verdict::Pass),
            (Some(Employment::PlacedContractor), Verdict::Review),
            (Some(Employment::Consultant), Verdict::Fail),
            (Some(Employment::Vendor), Verdict::Fail),
            (Some(Employment::Other), Verdict::Review),
            (None, Verdict::Review),
        ] {
            assert_eq!(works_in_house(e).verdict, verdict, "{e:?}");
        }
        assert!(works_in_house(Some(Employment::Consultant)).reason.contains("not a place for selling"));
    }

    #[test]
    fn free_mail_fails_including_subdomains_and_case() {
        let list = free_mail_domains();
        assert!(list.contains(&"gmail.com"));
        for email in ["ann@gmail.com", "ann@GMAIL.COM", "ann@mail.yahoo.co.uk", "ann@Outlook.com"] {
            assert_eq!(work_email(email, &list).verdict, Verdict::Fail, "{email}");
        }
        assert_eq!(work_email("ann@council.gov.uk", &list).verdict, Verdict::Pass);
        assert_eq!(work_email("no-at-sign", &list).verdict, Verdict::Fail);
        // A domain that merely ends in the same letters is not a subdomain.
        assert_eq!(work_email("ann@notgmail.com", &list).verdict, Verdict::Pass);
    }

    #[test]
    fn email_matching_with_subdomains_case_and_known_organisations() {
        let list = free_mail_domains();
        let m = |email: &str, typed: &str| email_matches_organisation(email, typed, None, &list).verdict;
        assert_eq!(m("ann@council.gov.uk", "council.gov.uk"), Verdict::Pass);
        assert_eq!(m("Ann@HR.Council.GOV.uk", "https://www.council.gov.uk/about"), Verdict::Pass);
        assert_eq!(m("ann@council.gov.uk", "www.COUNCIL.gov.uk"), Verdict::Pass);
        assert_eq!(m("ann@othercouncil.gov.uk", "council.gov.uk"), Verdict::Review);
        assert_eq!(m("ann@council.gov.uk", ""), Verdict::Review);
        assert_eq!(m("ann@gmail.com", "gmail.com"), Verdict::Fail);
        let known = KnownOrganisation {
            name: "Northshire Council".into(),
            domains: vec!["northshire.gov.uk".into(), "nsc.org.uk".into()],
        };
        let r = email_matches_organisation("bo@nsc.org.uk", "somethingelse.org", Some(&known), &list);
        assert_eq!(r.verdict, Verdict::Pass);
        assert!(r.reason.contains("Northshire Council"));
    }

    #[test]
    fn domains_are_normalised() {
        assert_eq!(normalise_domain(" https://www.Example.ORG/path?q=1 "), "example.org");
        assert_eq!(normalise_domain("example.org:8080"), "example.org");
        assert_eq!(normalise_domain(""), "");
        assert_eq!(email_domain("A@B.Example.ORG."), "b.example.org");
    }

    #[test]
    fn outcome_is_the_worst_verdict() {
        let list = free_mail_domains();
        let eligible = Facts {
            employees: Some(5000),
            stage: Some(Stage::Implementing),
            employment: Some(Employment::Employee),
            email: "ann@council.gov.uk".into(),
            organisation_domain: "council.gov.uk".into(),
            known_organisation: None,
        };
        let results = assess(&eligible, &settings(&list));
        assert_eq!(results.len(), 5);
        assert_eq!(outcome(&results), Verdict::Pass);
        let contractor = Facts { employment: Some(Employment::PlacedContractor), ..eligible.clone() };
        assert_eq!(outcome(&assess(&contractor, &settings(&list))), Verdict::Review);
        let small_consultant = Facts { employees: Some(40), employment: Some(Employment::Consultant), ..eligible };
        assert_eq!(outcome(&assess(&small_consultant, &settings(&list))), Verdict::Fail);
        assert_eq!(outcome(&[]), Verdict::Review);
    }
}
