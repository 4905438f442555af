//! The toolkit's part of the demo network: two believable team spaces with their plans, a council's benefits
//! team of 14 with service hours (led by the demo member) and an insurer's claims team of 9 with a site that
//! holds specialist equipment.

use chrono::Utc;

use super::model::{ActivityRow, stored_desks};
use super::store::{self, NewPerson, NewSpace};
use crate::App;

/// (name, category, hours, place, timing, collaboration, with: index of a role in the team, focus, rota, systems remote)
type Act = (
    &'static str,
    &'static str,
    f64,
    &'static str,
    &'static str,
    &'static str,
    Option<usize>,
    &'static str,
    bool,
    &'static str,
);

/// (name, head count, working days, hours a week, site index, activities)
type Role = (&'static str, i64, &'static str, f64, usize, &'static [Act]);

struct Team {
    lead: &'static str,
    /// A colleague of the lead who takes part.
    participant: &'static str,
    /// Whether the demo's agreement is in force (else a draft with a comment).
    agreed: bool,
    name: &'static str,
    days: &'static str,
    day_hours: f64,
    service_hours: &'static str,
    sites: &'static [(&'static str, [u32; 7])],
    roles: &'static [Role],
}

const WEEK: &str = "mon,tue,wed,thu,fri";

const BENEFITS: Team = Team {
    lead: "priya.shah@northshire.example.gov.uk",
    participant: "gareth.lloyd@northshire.example.gov.uk",
    agreed: true,
    name: "Benefits and council tax team",
    days: WEEK,
    day_hours: 7.4,
    service_hours: "08:30-17:00",
    sites: &[("County Hall, second floor", [7, 7, 7, 7, 7, 0, 0])],
    roles: &[
        (
            "Team leader",
            1,
            WEEK,
            37.0,
            0,
            &[
                (
                    "One-to-ones and case reviews",
                    "managing_people",
                    10.0,
                    "none",
                    "none",
                    "in_person_preferred",
                    Some(1),
                    "medium",
                    false,
                    "yes",
                ),
                (
                    "Team huddle",
                    "internal_meetings",
                    2.5,
                    "none",
                    "window",
                    "in_person_essential",
                    Some(1),
                    "low",
                    false,
                    "yes",
                ),
                ("Performance reporting", "analysis", 8.0, "none", "deadline", "solo", None, "high", false, "yes"),
                (
                    "Escalated complaints",
                    "customers_by_phone",
                    6.5,
                    "none",
                    "service_hours",
                    "virtual",
                    None,
                    "medium",
                    false,
                    "yes",
                ),
                (
                    "Service planning with partners",
                    "developing_ideas",
                    10.0,
                    "none",
                    "none",
                    "virtual",
                    None,
                    "medium",
                    false,
                    "yes",
                ),
            ],
        ),
        (
            "Benefits assessor",
            8,
            WEEK,
            37.0,
            0,
            &[
                ("Phone line", "customers_by_phone", 10.0, "none", "service_hours", "solo", None, "low", true, "yes"),
                (
                    "New claim assessments",
                    "processing_data",
                    18.0,
                    "none",
                    "deadline",
                    "solo",
                    None,
                    "high",
                    false,
                    "yes",
                ),
                (
                    "Team huddle",
                    "internal_meetings",
                    2.5,
                    "none",
                    "window",
                    "in_person_essential",
                    Some(0),
                    "low",
                    false,
                    "yes",
                ),
                (
                    "Complex case conferences",
                    "internal_meetings",
                    4.0,
                    "office",
                    "none",
                    "in_person_essential",
                    Some(0),
                    "medium",
                    false,
                    "yes",
                ),
                (
                    "Learning and peer support",
                    "informal_collaboration",
                    2.5,
                    "none",
                    "none",
                    "in_person_preferred",
                    Some(1),
                    "low",
                    false,
                    "yes",
                ),
            ],
        ),
        (
            "Visiting officer",
            3,
            WEEK,
            37.0,
            0,
            &[
                (
                    "Home visits to vulnerable claimants",
                    "customers_in_person",
                    15.0,
                    "customer",
                    "none",
                    "solo",
                    None,
                    "medium",
                    false,
                    "no",
                ),
                ("Visit write-ups", "writing", 12.0, "none", "deadline", "solo", None, "high", false, "yes"),
                (
                    "Team huddle",
                    "internal_meetings",
                    2.5,
                    "none",
                    "window",
                    "in_person_essential",
                    Some(0),
                    "low",
                    false,
                    "yes",
                ),
                ("Route planning", "processing_data", 7.5, "unknown", "unknown", "solo", None, "low", false, "unknown"),
            ],
        ),
        (
            "Post and scanning officer",
            2,
            "mon,tue,wed",
            22.2,
            0,
            &[
                (
                    "Opening and scanning post",
                    "hands_on_equipment",
                    15.0,
                    "site",
                    "deadline",
                    "solo",
                    None,
                    "low",
                    false,
                    "no",
                ),
                (
                    "Indexing documents",
                    "processing_data",
                    7.2,
                    "none",
                    "deadline",
                    "solo",
                    None,
                    "medium",
                    false,
                    "yes",
                ),
            ],
        ),
    ],
};

const CLAIMS: Team = Team {
    lead: "amelia.clarke@meridian-insurance.example.com",
    participant: "ben.osei@meridian-insurance.example.com",
    agreed: false,
    name: "Motor claims team",
    days: WEEK,
    day_hours: 7.0,
    service_hours: "",
    sites: &[("Head office, Reading", [5, 5, 5, 5, 5, 0, 0]), ("Vehicle test centre, Slough", [2, 2, 2, 2, 2, 0, 0])],
    roles: &[
        (
            "Claims manager",
            1,
            WEEK,
            35.0,
            0,
            &[
                (
                    "Claims review panel",
                    "internal_meetings",
                    3.0,
                    "none",
                    "window",
                    "in_person_essential",
                    Some(1),
                    "medium",
                    false,
                    "yes",
                ),
                (
                    "Coaching handlers",
                    "managing_people",
                    8.0,
                    "none",
                    "none",
                    "in_person_preferred",
                    Some(1),
                    "medium",
                    false,
                    "yes",
                ),
                ("Fraud referrals", "analysis", 10.0, "none", "deadline", "solo", None, "high", false, "no"),
                (
                    "Broker relationships",
                    "customers_online",
                    14.0,
                    "none",
                    "none",
                    "virtual",
                    None,
                    "low",
                    false,
                    "yes",
                ),
            ],
        ),
        (
            "Claims handler",
            6,
            WEEK,
            35.0,
            0,
            &[
                (
                    "First notice of loss calls",
                    "customers_by_phone",
                    12.0,
                    "none",
                    "window",
                    "solo",
                    None,
                    "low",
                    true,
                    "yes",
                ),
                ("Settling claims", "processing_data", 17.0, "none", "deadline", "solo", None, "high", false, "yes"),
                (
                    "Claims review panel",
                    "internal_meetings",
                    3.0,
                    "none",
                    "window",
                    "in_person_essential",
                    Some(0),
                    "medium",
                    false,
                    "yes",
                ),
                ("Reading engineer reports", "analysis", 3.0, "none", "none", "async", Some(2), "medium", false, "yes"),
            ],
        ),
        (
            "Engineer assessor",
            2,
            WEEK,
            35.0,
            1,
            &[
                (
                    "Inspecting vehicles on the rig",
                    "hands_on_equipment",
                    14.0,
                    "site",
                    "none",
                    "solo",
                    None,
                    "medium",
                    false,
                    "no",
                ),
                ("Garage visits", "customers_in_person", 7.0, "customer", "none", "solo", None, "low", false, "yes"),
                ("Engineer reports", "writing", 14.0, "none", "deadline", "solo", None, "high", false, "yes"),
            ],
        ),
    ],
};

async fn load_team(app: &App, team: &Team) -> anyhow::Result<bool> {
    let Some(lead) = crate::auth::user_by_email(&app.db, team.lead).await? else { return Ok(false) };
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    let new = NewSpace {
        name: team.name,
        organisation_id: lead.organisation_id.as_deref(),
        working_days: team.days,
        day_hours: team.day_hours,
        service_hours: team.service_hours,
        scenario_of: None,
    };
    let space = store::insert_space(&mut tx, &new, &lead.id, now).await?;
    let mut sites = Vec::new();
    for (name, desks) in team.sites {
        sites.push(store::insert_site(&mut tx, &space, name, &stored_desks(desks)).await?);
    }
    let mut people = Vec::new();
    for (name, head_count, days, hours, site, _) in team.roles {
        let person = NewPerson {
            user_id: None,
            name,
            head_count: *head_count,
            working_days: days,
            hours_per_week: *hours,
            site_id: sites.get(*site).map(String::as_str),
            constraints: "",
            home_checked: *site == 0,
        };
        people.push(store::insert_person(&mut tx, &space, &person, now).await?);
    }
    for ((_, _, _, _, _, activities), person) in team.roles.iter().zip(&people) {
        for (name, category, hours, place, timing, collaboration, with, focus, rota, remote) in activities.iter() {
            let row = ActivityRow {
                id: String::new(),
                person_id: person.clone(),
                name: name.to_string(),
                category: category.to_string(),
                hours: *hours,
                cadence: "weekly".into(),
                place: place.to_string(),
                place_reason: if *place == "site" { "The equipment is only there".into() } else { String::new() },
                timing: timing.to_string(),
                time_window: if *timing == "window" {
                    "Tuesdays and Thursdays, 09:30-10:00".into()
                } else {
                    String::new()
                },
                collaboration: collaboration.to_string(),
                with_people: with.and_then(|i| people.get(i)).cloned().unwrap_or_default(),
                face_to_face: "medium".into(),
                focus: focus.to_string(),
                rota: *rota,
                systems: String::new(),
                systems_remote: remote.to_string(),
            };
            store::insert_activity(&mut tx, &row, now).await?;
        }
    }
    if let Some(colleague) = crate::auth::user_by_email(&app.db, team.participant).await? {
        store::add_member(&mut tx, &space, &colleague.id, crate::auth::policy::TeamStanding::Participant, now).await?;
    }
    tx.commit().await?;
    working_together(app, &space, team, &lead.id, &people).await?;
    Ok(true)
}

/// The space's agreement (agreed by both, or a draft with two versions and a comment), a trial at its
/// mid-point with check-in notes, and a request with its clock running.
async fn working_together(app: &App, space_id: &str, team: &Team, lead: &str, people: &[String]) -> anyhow::Result<()> {
    use super::agreements::{service as agreement, store as agreements};
    let space = store::space(&app.db, space_id).await?.ok_or_else(|| anyhow::anyhow!("the demo space is gone"))?;
    let colleague = crate::auth::user_by_email(&app.db, team.participant).await?.map(|u| u.id);
    agreement::ensure(app, &space).await?;
    let purpose = format!(
        "We are the {}. Our customers are the people who contact us and the colleagues who rely on our \
         decisions; they need a quick, right answer wherever we are working.",
        team.name.to_lowercase()
    );
    agreement::save_section(app, space_id, lead, "purpose", &purpose, 1).await?;
    let communication = "Chat for quick questions (a reply within two hours), e-mail for decisions, a call when \
        something is urgent. In hybrid meetings everyone joins from their own screen.";
    if team.agreed {
        agreement::save_section(app, space_id, lead, "communication", communication, 2).await?;
        let (_, versions) = agreement::ensure(app, &space).await?;
        let latest = versions.last().map_or(1, |v| v.number);
        let mut errors = crate::web::FieldErrors::default();
        agreement::propose(app, &mut errors, space_id, None, lead).await?;
        agreement::answer(app, &mut errors, space_id, lead, latest, true, "").await?;
        if let Some(colleague) = &colleague {
            agreement::answer(app, &mut errors, space_id, colleague, latest, true, "").await?;
        }
    } else if let Some(colleague) = &colleague {
        let comment = "Could we say how we cover the phones on Fridays, when most of us are at home?";
        agreements::add_comment(&app.db, space_id, "communication", colleague, comment, Utc::now()).await?;
    }
    // A trial for the first role, at its mid-point.
    let today = agreement::today(app, Utc::now());
    let fields = super::trials::TrialFields {
        person: people.first().cloned().unwrap_or_default(),
        pattern: "Compressed hours: the week's hours in four days, with Friday off; anchor days kept.".into(),
        starts_on: (today - chrono::Duration::days(35)).to_string(),
        ends_on: (today + chrono::Duration::days(20)).to_string(),
        criteria: vec![super::trials::Criterion {
            criterion: "Cases cleared within ten working days".into(),
            baseline: "82% in the quarter before".into(),
            measure: "The weekly case report".into(),
        }],
        ..Default::default()
    };
    let person_rows = store::people(&app.db, space_id).await?;
    let mut errors = crate::web::FieldErrors::default();
    if let Some(checked) = super::trials::check_trial(&mut errors, &fields, &person_rows, &[]) {
        let mut tx = app.db.begin().await?;
        let trial = super::trials::store::insert(&mut tx, space_id, &checked, None, lead, Utc::now()).await?;
        for to in ["scoped", "active", "midpoint"] {
            let step = super::trials::Step {
                state: super::trials::State::parse(to).unwrap_or(super::trials::State::Proposed),
                decision: None,
                reason: String::new(),
                cause: String::new(),
                ends_on: None,
                midpoint_on: None,
            };
            let from = match to {
                "scoped" => "proposed",
                "active" => "scoped",
                _ => "active",
            };
            super::trials::store::step(&mut tx, &trial, from, &step, lead, Utc::now()).await?;
        }
        tx.commit().await?;
        let notes = [
            "Week 2: cases cleared are steady at 84%. The Friday cover rota is working; one handover was missed.",
            "Mid-point: on track. Agreed to move the Thursday huddle to 09:30 so that handovers happen before the long day.",
        ];
        for note in notes {
            super::trials::store::add_note(&app.db, &trial, lead, note, Utc::now()).await?;
        }
    }
    // A request, made three weeks ago, waiting for its decision.
    if let Some(person) = people.get(1).or(people.first()) {
        let fields = super::requests::RequestFields {
            person: person.clone(),
            made_on: (today - chrono::Duration::days(21)).to_string(),
            change: "To work from home on Mondays and Fridays, with core hours 10:00-15:00 on those days.".into(),
            start_wanted: (today + chrono::Duration::days(30)).to_string(),
            earlier: String::new(),
        };
        let mut errors = crate::web::FieldErrors::default();
        super::requests::routes::record(app, space_id, lead, &mut errors, &fields).await?;
    }
    Ok(())
}

/// Loads the toolkit's demo spaces; gives what it loaded, in words.
pub(super) async fn load(app: &App) -> anyhow::Result<String> {
    let mut loaded = 0;
    for team in [&BENEFITS, &CLAIMS] {
        if load_team(app, team).await? {
            loaded += 1;
        }
    }
    Ok(format!(
        "{loaded} team spaces with their plans, agreements (one in force, one in draft), a trial at its mid-point and \
         a request waiting for its decision"
    ))
}
