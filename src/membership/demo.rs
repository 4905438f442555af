//! Membership's part of the demo network: organisations with their domains, members with terms of different
//! ages, regional and sector groups, and applications of each kind for the review queue.

use chrono::{Duration, Utc};

use super::eligibility::{Employment, Stage};
use super::groups;
use super::model::Status;
use super::service::{self as membership, ApplicationInput, Decision};
use super::store;
use crate::App;
use crate::auth::{Role, service, tokens};

/// (name, sector, employees, region, stage, domain)
const ORGANISATIONS: &[(&str, &str, i64, &str, &str, &str)] = &[
    (
        "Northshire County Council",
        "Local government",
        4200,
        "North West England",
        "implementing",
        "northshire.example.gov.uk",
    ),
    (
        "Meridian Insurance Group",
        "Financial services",
        6800,
        "South East England",
        "embedded",
        "meridian-insurance.example.com",
    ),
    (
        "St Aldhelm's University Hospitals",
        "Health and care",
        9500,
        "South West England",
        "implementing",
        "staldhelms.example.nhs.uk",
    ),
    (
        "Harbour Housing Association",
        "Charity and voluntary",
        1400,
        "Wales",
        "implementing",
        "harbourhousing.example.org",
    ),
    (
        "Kestrel Engineering",
        "Manufacturing, engineering and utilities",
        4000,
        "West Midlands",
        "intending",
        "kestrel-eng.example.com",
    ),
    ("University of Wessex", "Education and research", 7200, "South West England", "embedded", "wessex.example.ac.uk"),
];

/// (name, e-mail local part, job title, organisation index)
const MEMBERS: &[(&str, &str, &str, usize)] = &[
    ("Priya Shah", "priya.shah", "Hybrid Working Programme Lead", 0),
    ("Gareth Lloyd", "gareth.lloyd", "Head of Corporate Property", 0),
    ("Amelia Clarke", "amelia.clarke", "Head of Workplace Strategy", 1),
    ("Ben Osei", "ben.osei", "HR Policy Manager", 1),
    ("Fiona MacLeod", "fiona.macleod", "Director of Estates", 2),
    ("Hannah Wright", "hannah.wright", "Flexible Working Lead, People Directorate", 2),
    ("Owen Price", "owen.price", "Organisational Development Manager", 3),
    ("Chloe Evans", "chloe.evans", "Digital Workplace Manager", 4),
    ("Marcus Bell", "marcus.bell", "Change Manager, Future of Work", 5),
    ("Ruth Adebayo", "ruth.adebayo", "Head of HR Business Partnering", 5),
];

/// (slug, name, kind, how to join, description, [(member index, role)]); the last person of a by-request group
/// has asked to join and waits.
type DemoGroup =
    (&'static str, &'static str, &'static str, &'static str, &'static str, &'static [(usize, &'static str)]);
const GROUPS: &[DemoGroup] = &[
    (
        "public-sector-home-and-remote-working",
        "Public sector home and remote working group",
        "sector",
        "request",
        "Eighteen public bodies that have met every two months since 2020 to compare policies, share estate and tackle questions such as display-screen assessments for home workers. Now a sector group of the network.",
        &[(0, "coordinator"), (1, "member"), (4, "member"), (5, "member"), (6, "member")],
    ),
    (
        "south-west-regional-group",
        "South West regional group",
        "regional",
        "open",
        "Members in the South West meet in person twice a year, hosted in turn by member organisations.",
        &[(8, "coordinator"), (4, "member"), (9, "member")],
    ),
    (
        "higher-education-smart-working",
        "Higher education Smart Working group",
        "sector",
        "open",
        "Universities and colleges working out hybrid patterns for professional services staff and academics alike.",
        &[(9, "coordinator"), (8, "member")],
    ),
];

/// What demo members care about, for their profiles.
const INTERESTS: [&str; 5] = [
    "Anchor days and team agreements",
    "Desk ratios and workplace data",
    "Flexible-working requests and trials",
    "Managing by results, not presence",
    "Wellbeing and boundaries in hybrid teams",
];

/// Loads the demo's organisations, members (profiles filled in, e-mail choices made as real members make
/// them) and groups; gives the counts and one member's address and password, to see the site as a member.
async fn load_members(app: &App) -> anyhow::Result<(usize, usize, String, String)> {
    let now = Utc::now();
    let mut ids = Vec::new();
    for (name, sector, employees, region, stage, domain) in ORGANISATIONS {
        let mut tx = app.db.begin().await?;
        let id = store::insert_organisation(&mut tx, name, sector, *employees, region, stage).await?;
        store::add_domain(&mut tx, &id, domain).await?;
        tx.commit().await?;
        ids.push((id, *domain));
    }
    let mut member_ids = Vec::new();
    let mut first_member = (String::new(), String::new());
    for (i, (name, local, job_title, org)) in MEMBERS.iter().enumerate() {
        let Some((org_id, domain)) = ids.get(*org) else { continue };
        let password = tokens::random_token().chars().take(16).collect::<String>();
        let email = format!("{local}@{domain}");
        let user_id = service::create_user_with_password(app, &email, name, Role::Member, &password).await?;
        if i == 0 {
            first_member = (email, password);
        }
        member_ids.push(user_id.clone());
        let mut tx = app.db.begin().await?;
        // Terms of different ages, so renewal reminders have someone to remind.
        let since = now - Duration::days(30 * i as i64 + 20);
        store::make_member(&mut tx, &user_id, org_id, job_title, since, since + Duration::days(membership::TERM_DAYS))
            .await?;
        let organisation = ORGANISATIONS.get(*org).map_or("", |o| o.0);
        let bio =
            format!("{job_title} at {organisation}. Happy to talk about what we tried, what worked and what did not.");
        let profile = super::profile::Profile {
            bio_html: crate::web::markdown::to_safe_html(&bio),
            bio_md: bio,
            disciplines: super::model::DISCIPLINES[i % super::model::DISCIPLINES.len()].0.to_string(),
            interests: INTERESTS[i % INTERESTS.len()].to_string(),
            ..Default::default()
        };
        super::profile::save_profile(&mut tx, &user_id, &profile).await?;
        // Most members take the newsletter (meeting reminders are on unless turned off); a few do not.
        crate::mail::consent::record(&mut tx, &user_id, crate::mail::Category::Newsletter, i % 4 != 3, "demo").await?;
        tx.commit().await?;
    }
    for (slug, name, kind, join_policy, description, people) in GROUPS {
        let group_id = groups::insert_group(&app.db, slug, name, kind, join_policy, description).await?;
        for (n, (member, role)) in people.iter().enumerate() {
            if let Some(user_id) = member_ids.get(*member) {
                let status = if join_policy == &"request" && n == people.len() - 1 { "requested" } else { "active" };
                groups::put_member(&app.db, &group_id, user_id, role, status, now).await?;
            }
        }
    }
    Ok((ORGANISATIONS.len(), MEMBERS.len(), first_member.0, first_member.1))
}

/// Pending applications of each kind, so the review queue can be judged.
async fn load_applications(app: &App, organiser_id: &str) -> anyhow::Result<usize> {
    struct Demo {
        name: &'static str,
        email: &'static str,
        job_title: &'static str,
        employment: &'static str,
        organisation: &'static str,
        domain: &'static str,
        sector: &'static str,
        employees: i64,
        stage: &'static str,
        verified: bool,
        question: Option<&'static str>,
    }
    let demos = [
        Demo {
            name: "Rachel Adams",
            email: "rachel.adams@kestrel-eng.example.com",
            job_title: "Facilities Manager",
            employment: "employee",
            organisation: "Kestrel Engineering",
            domain: "kestrel-eng.example.com",
            sector: "Manufacturing, engineering and utilities",
            employees: 4000,
            stage: "intending",
            verified: true,
            question: None,
        },
        Demo {
            name: "Mark Fielding",
            email: "mark@fielding-workplace.example.com",
            job_title: "Principal Consultant",
            employment: "consultant",
            organisation: "Fielding Workplace Consulting",
            domain: "fielding-workplace.example.com",
            sector: "Professional services",
            employees: 12,
            stage: "embedded",
            verified: true,
            question: None,
        },
        Demo {
            name: "Jo Brennan",
            email: "jo.brennan@brennan-solicitors.example.co.uk",
            job_title: "Practice Manager",
            employment: "employee",
            organisation: "Brennan & Co Solicitors",
            domain: "brennan-solicitors.example.co.uk",
            sector: "Professional services",
            employees: 45,
            stage: "implementing",
            verified: true,
            question: None,
        },
        Demo {
            name: "Sam Taylor",
            email: "sam.taylor.hr@gmail.com",
            job_title: "People Partner",
            employment: "employee",
            organisation: "Eastport Borough Council",
            domain: "eastport.example.gov.uk",
            sector: "Local government",
            employees: 2100,
            stage: "implementing",
            verified: true,
            question: None,
        },
        Demo {
            name: "Leo Grant",
            email: "leo.grant@coastline-water.example.co.uk",
            job_title: "Workplace Change Lead",
            employment: "employee",
            organisation: "Coastline Water",
            domain: "coastline-water.example.co.uk",
            sector: "Manufacturing, engineering and utilities",
            employees: 3000,
            stage: "implementing",
            verified: false,
            question: None,
        },
        Demo {
            name: "Nadia Okoro",
            email: "nadia.okoro@meridian-insurance.example.com",
            job_title: "Hybrid Programme Analyst",
            employment: "placed_contractor",
            organisation: "Meridian Insurance Group",
            domain: "meridian-insurance.example.com",
            sector: "Financial services",
            employees: 6800,
            stage: "embedded",
            verified: true,
            question: Some(
                "You are placed at Meridian by an agency: how long is your placement, and do you work on Meridian's own programme?",
            ),
        },
    ];
    for d in &demos {
        let input = ApplicationInput {
            name: d.name.into(),
            email: d.email.into(),
            password: tokens::random_token(),
            job_title: d.job_title.into(),
            employment: Employment::parse(d.employment).unwrap_or(Employment::Other),
            employment_key: d.employment.into(),
            programme_role: "I lead our work on where and when people work, with HR, property and IT.".into(),
            disciplines: vec!["people", "workplace"],
            organisation_name: d.organisation.into(),
            organisation_domain: d.domain.into(),
            sector: d.sector.into(),
            employees: d.employees,
            region: "East Midlands".into(),
            stage: Stage::parse(d.stage).unwrap_or(Stage::Intending),
            stage_key: d.stage.into(),
            newsletter: true,
        };
        let membership::Applied::New { application_id } =
            membership::apply(app, &input).await.map_err(|e| anyhow::anyhow!("{e}"))?
        else {
            continue;
        };
        if d.verified {
            let mut tx = app.db.begin().await?;
            store::set_status(&mut tx, &application_id, Status::Unverified, Status::Pending).await?;
            store::mark_verified(&mut tx, &application_id, Utc::now()).await?;
            tx.commit().await?;
        }
        if let Some(question) = d.question {
            membership::decide(app, Some(organiser_id), &application_id, Decision::AskForInformation(question.into()))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
    }
    Ok(demos.len())
}

/// Loads membership's demo data; gives what it loaded, in words.
pub(super) async fn load(app: &App, organiser_id: &str) -> anyhow::Result<String> {
    let (organisations, members, member_email, member_password) = load_members(app).await?;
    let applications = load_applications(app, organiser_id).await?;
    Ok(format!(
        "{organisations} organisations, {members} members, {applications} applications\nDemo member:     {member_email}\nMember password: {member_password}"
    ))
}
