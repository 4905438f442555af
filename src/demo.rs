//! `swn demo`: a believable demo network (supporters with logos, founders, news, pages and a demo organiser),
//! so that the site can be judged with real-looking content. Loading it twice changes nothing.

mod library;

use chrono::{Duration, Utc};

use crate::App;
use crate::auth::{Role, service, tokens};
use crate::content::{NewsInput, PageInput, PersonInput, SupporterInput};
use crate::membership::Status;
use crate::membership::eligibility::{Employment, Stage};
use crate::membership::groups;
use crate::membership::service::{self as membership, ApplicationInput, Decision};
use crate::web::upload::image_type;

pub const DEMO_ORGANISER: &str = "organiser@demo.smartworknetwork.example";

struct DemoSupporter {
    name: &'static str,
    website: &'static str,
    description: &'static str,
    logo: &'static [u8],
}

const SUPPORTERS: &[DemoSupporter] = &[
    DemoSupporter {
        name: "Flexible Futures Foundation",
        website: "https://flexiblefutures.example.org",
        description: "An independent charitable foundation funding research into fair and flexible work. It funds the network's meeting programme and contributes its annual *State of Flexible Work* survey to the members' library.",
        logo: include_bytes!("../demo/supporter-foundation.png"),
    },
    DemoSupporter {
        name: "Institute for Workplace Research",
        website: "https://workplace-research.example.org",
        description: "A not-for-profit research institute studying how offices are used. It shares its occupancy studies and desk-ratio benchmarks with members, and presents a research summary at one open meeting each year.",
        logo: include_bytes!("../demo/supporter-institute.png"),
    },
    DemoSupporter {
        name: "Northbridge University Centre for Work and Wellbeing",
        website: "https://www.northbridge.example.ac.uk/work-wellbeing",
        description: "A university research centre whose studies of hybrid teams, proximity bias and wellbeing inform the network's guides. Its researchers join topic explorations as speakers.",
        logo: include_bytes!("../demo/supporter-university.png"),
    },
    DemoSupporter {
        name: "Public Service Workplace Trust",
        website: "https://psworkplacetrust.example.org",
        description: "A trust that helps public bodies share estate and learn from each other. It hosts in-person meetings at its London venue and supports the public-sector home and remote working group.",
        logo: include_bytes!("../demo/supporter-trust.png"),
    },
];

struct DemoPerson {
    name: &'static str,
    role: &'static str,
    bio: &'static str,
    photo: &'static [u8],
}

const PEOPLE: &[DemoPerson] = &[
    DemoPerson {
        name: "Helen Marsh",
        role: "Founder and chair",
        bio: "Helen led a Smart Working programme for 9,000 staff at a county council, moving the organisation from fixed desks and fixed hours to team agreements and anchor days. She founded the network in 2019 after finding that the most useful advice always came from peers who had done it before.",
        photo: include_bytes!("../demo/person-1.png"),
    },
    DemoPerson {
        name: "Dev Chaudhry",
        role: "Co-founder, meetings programme",
        bio: "Dev is head of workplace strategy at a national insurer, where he ran trial periods for hybrid patterns in claims and customer service. He curates the closed meetings and chairs most case studies.",
        photo: include_bytes!("../demo/person-2.png"),
    },
    DemoPerson {
        name: "Siobhan Kelly",
        role: "Co-founder, membership",
        bio: "Siobhan is an HR policy lead at a university hospital trust who wrote its flexible working policy for frontline and office roles alike. She reviews applications and looks after the regional groups.",
        photo: include_bytes!("../demo/person-3.png"),
    },
    DemoPerson {
        name: "Tom Okafor",
        role: "Organiser, technology and research",
        bio: "Tom runs digital workplace services at an engineering firm of 4,000 people. He looks after the resources library and the network's research summaries.",
        photo: include_bytes!("../demo/person-4.png"),
    },
];

const NEWS: &[(&str, &str, &str, i64)] = &[
    (
        "Open meeting: what the evidence says about anchor days",
        "Researchers from Northbridge University summarise two years of studies on team anchor days, attendance and collaboration. Open to all.",
        "Many organisations have settled on *anchor days*: days on which a team agrees to be in the office together. Do they work?\n\nAt our next open meeting, researchers from the Northbridge University Centre for Work and Wellbeing summarise two years of studies across 40 organisations:\n\n- how attendance actually changed when teams chose their own anchor days rather than following a corporate rule;\n- what happened to the time spent in meetings and on focus work;\n- which teams saw fairness problems, and how they fixed them.\n\nThe summary is followed by questions and a discussion chaired by Dev Chaudhry. Anyone with an interest is welcome.",
        2,
    ),
    (
        "Public-sector home and remote working group joins the network",
        "The group of 18 public bodies that has met since 2020 becomes a sector group of the network, with its own meetings and discussion space.",
        "We are delighted to welcome the public-sector home and remote working group. Since 2020 its members, from councils, agencies and health bodies, have met every two months to compare policies, share estate and tackle questions such as display-screen assessments for home workers.\n\nThe group keeps its own coordinators and meetings, and gains a private discussion space in the members' area. Its members are welcome at every network meeting.",
        9,
    ),
    (
        "Case study: how a housing association ran a 12-week trial of flexible patterns",
        "Members heard how a 1,400-person housing association scoped, ran and reviewed a trial period for its repairs planning team.",
        "At last month's closed meeting a housing association described its trial of flexible working patterns for a repairs planning team that had always worked fixed office hours.\n\nWhat stood out:\n\n1. **The trial was scoped before it started**: success criteria, a baseline for call answering and job completion, and the final review booked in the calendar.\n2. **Place-dependent work was separated from the rest**: only two activities truly needed the office, so the team settled on two anchor days.\n3. **A mid-point check caught a problem early**: newer staff felt isolated, so the team paired them with a colleague on office days.\n\nThe trial was confirmed with one adjustment. The slides are in the members' library.",
        21,
    ),
    (
        "Our 2026 programme of meetings",
        "Twelve closed meetings, six open meetings and two in-person gatherings hosted by member organisations.",
        "The 2026 programme is set: twelve closed meetings for members' work in progress, six open meetings, and two in-person gatherings hosted by member organisations in Manchester and Bristol.\n\nFormats alternate between case studies, research summaries, interviews with authors and topic explorations. Suggestions for topics are always welcome: tell the organisers what you are working on.",
        40,
    ),
    (
        "New guide: a team agreement in one afternoon",
        "A practical guide, written by members, to drafting a team agreement together and reviewing it every three months.",
        "Members have written a short guide to drafting a team agreement in one afternoon: purpose and customers, where and when the team works, how it stays visible and reachable, how it communicates and collaborates, and how it reviews the agreement.\n\nThe guide draws on agreements from eleven member organisations. It is available to members in the resources library.",
        55,
    ),
    (
        "Welcome to our hundredth member",
        "The network now counts over 100 members from more than 50 organisations.",
        "This month the network welcomed its hundredth member. We now count practitioners from more than 50 organisations: councils and health bodies, universities, insurers, engineering firms, retailers and charities.\n\nThank you to everyone who has shared their experience so generously. The network is only as good as the candour of its members.",
        70,
    ),
];

const PAGES: &[(&str, &str, &str)] = &[
    (
        "chatham-house-rule",
        "The Chatham House Rule in our meetings",
        "Closed meetings are held under the **Chatham House Rule**: you may use what is said, but you may not reveal who said it or which organisation they belong to.\n\nThis is what lets members talk about work in progress, including what did not go well. Please keep to it in conversations, in notes you take, and on social media.\n\nOpen meetings are not under the rule unless the chair says so at the start.",
    ),
    (
        "principles",
        "Our principles",
        "- **Peers, not vendors.** The network is not a place for selling or seeking work.\n- **Candour.** Share what did not work as well as what did; respect the Chatham House Rule.\n- **Generosity.** Answer questions, share documents, and offer to talk to members who are about to do what you have done.\n- **Evidence.** Say what you measured, and how.\n- **Fairness.** Smart Working is for everyone, including frontline roles, not a perk for a few.",
    ),
    (
        "privacy",
        "Privacy",
        "We hold the personal data members give us to run the network: your name, work e-mail address, job title and organisation, and what you post in the members' area. We never sell it or share it with supporters.\n\nMembers can download everything we hold about them, and can close their account at any time. Questions about privacy go to the organisers.",
    ),
];

/// Loads the demo network; returns what to tell the person who ran it.
pub async fn load(app: &App) -> anyhow::Result<String> {
    if crate::auth::user_by_email(&app.db, DEMO_ORGANISER).await?.is_some() {
        return Ok("The demo network is already loaded.".into());
    }
    let password = tokens::random_token().chars().take(16).collect::<String>();
    let organiser_id =
        service::create_user_with_password(app, DEMO_ORGANISER, "Demo Organiser", Role::Organiser, &password).await?;

    for (i, s) in SUPPORTERS.iter().enumerate() {
        let mut tx = app.db.begin().await?;
        let content_type = image_type(s.logo).unwrap_or("image/png");
        let logo = crate::content::insert_file(&mut tx, content_type, s.logo).await?;
        let input = SupporterInput {
            name: s.name.into(),
            website: s.website.into(),
            description_md: s.description.into(),
            position: (i as i64 + 1) * 10,
        };
        crate::content::save_supporter(&mut tx, None, &input, Some(Some(&logo))).await?;
        tx.commit().await?;
    }
    for (i, p) in PEOPLE.iter().enumerate() {
        let mut tx = app.db.begin().await?;
        let photo = crate::content::insert_file(&mut tx, image_type(p.photo).unwrap_or("image/png"), p.photo).await?;
        let input = PersonInput {
            name: p.name.into(),
            role_title: p.role.into(),
            bio_md: p.bio.into(),
            position: (i as i64 + 1) * 10,
        };
        crate::content::save_person(&mut tx, None, &input, Some(Some(&photo))).await?;
        tx.commit().await?;
    }
    let now = Utc::now();
    for (title, summary, body, days_ago) in NEWS {
        let input = NewsInput {
            slug: crate::web::forms::slugify(title),
            title: title.to_string(),
            summary: summary.to_string(),
            body_md: body.to_string(),
            published: true,
            publish_at: now - Duration::days(*days_ago),
        };
        crate::content::insert_news(&app.db, &input, None).await?;
    }
    for (slug, title, body) in PAGES {
        if crate::content::page_by_slug(&app.db, slug).await?.is_none() {
            let input = PageInput {
                slug: slug.to_string(),
                title: title.to_string(),
                body_md: body.to_string(),
                published: true,
            };
            crate::content::insert_page(&app.db, &input).await?;
        }
    }
    let (organisations, member_count) = load_members(app).await?;
    let applications = load_applications(app, &organiser_id).await?;
    let meetings = load_meetings(app).await?;
    let topics = load_forum(app).await?;
    let (articles, resources, case_studies) = library::load(app, &organiser_id).await?;
    Ok(format!(
        "Demo network loaded: {} supporters, {} people, {} news items, {} pages, {organisations} organisations, {member_count} members, {applications} applications, {meetings} meetings, {topics} forum topics, {articles} articles, {resources} resources, {case_studies} case studies, a draft newsletter.\nDemo organiser: {DEMO_ORGANISER}\nPassword:       {password}\n(It is shown only now.)",
        SUPPORTERS.len(),
        PEOPLE.len(),
        NEWS.len(),
        PAGES.len()
    ))
}

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

async fn load_members(app: &App) -> anyhow::Result<(usize, usize)> {
    let now = Utc::now();
    let mut ids = Vec::new();
    for (name, sector, employees, region, stage, domain) in ORGANISATIONS {
        let mut tx = app.db.begin().await?;
        let id = crate::membership::insert_organisation(&mut tx, name, sector, *employees, region, stage).await?;
        crate::membership::add_domain(&mut tx, &id, domain).await?;
        tx.commit().await?;
        ids.push((id, *domain));
    }
    let mut member_ids = Vec::new();
    for (i, (name, local, job_title, org)) in MEMBERS.iter().enumerate() {
        let Some((org_id, domain)) = ids.get(*org) else { continue };
        let password = tokens::random_token();
        let user_id =
            service::create_user_with_password(app, &format!("{local}@{domain}"), name, Role::Member, &password)
                .await?;
        member_ids.push(user_id.clone());
        let mut tx = app.db.begin().await?;
        // Terms of different ages, so renewal reminders have someone to remind.
        let since = now - Duration::days(30 * i as i64 + 20);
        crate::membership::make_member(
            &mut tx,
            &user_id,
            org_id,
            job_title,
            since,
            since + Duration::days(membership::TERM_DAYS),
        )
        .await?;
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
    Ok((ORGANISATIONS.len(), MEMBERS.len()))
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
            region: "England".into(),
            stage: Stage::parse(d.stage).unwrap_or(Stage::Intending),
            stage_key: d.stage.into(),
            newsletter: true,
        };
        let (_, application_id) = membership::apply(app, &input).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if d.verified {
            let mut tx = app.db.begin().await?;
            crate::membership::set_status(&mut tx, &application_id, Status::Unverified, Status::Pending).await?;
            crate::membership::mark_verified(&mut tx, &application_id, Utc::now()).await?;
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

/// (title, format, audience, mode, days from today, capacity, summary)
type DemoMeeting = (&'static str, &'static str, &'static str, &'static str, i64, i64, &'static str);
const MEETINGS: &[DemoMeeting] = &[
    (
        "Anchor days: what the evidence says",
        "research_summary",
        "open",
        "virtual",
        12,
        200,
        "Researchers from Northbridge University summarise two years of studies of team anchor days across 40 organisations: attendance, collaboration and fairness.",
    ),
    (
        "Northshire's move to team agreements",
        "case_study",
        "members",
        "virtual",
        19,
        60,
        "How Northshire County Council replaced a corporate attendance rule with team agreements drafted by each team, and what happened to sickness absence and desk use.",
    ),
    (
        "In conversation: the author of Work Anywhere, Together",
        "thought_leadership",
        "open",
        "virtual",
        33,
        300,
        "An interview with the author of a new book on hybrid teams, followed by questions from the floor.",
    ),
    (
        "Display-screen assessments for home workers",
        "topic_exploration",
        "members",
        "virtual",
        40,
        40,
        "A deep dive into how member organisations assess home workstations, who pays for equipment, and what the regulator expects.",
    ),
    (
        "South West gathering at the University of Wessex",
        "networking",
        "group",
        "in_person",
        47,
        30,
        "The South West regional group's spring gathering: campus tour of the new activity-based library, lunch, and a round table on timetabling.",
    ),
    (
        "Trial periods that work: a round table",
        "topic_exploration",
        "members",
        "virtual",
        6,
        2,
        "Six members compare how they scope, run and review trial periods for new working patterns. Small on purpose: a round table of practitioners.",
    ),
    (
        "Smart Working for frontline roles",
        "case_study",
        "members",
        "hybrid",
        61,
        80,
        "St Aldhelm's University Hospitals on extending flexibility to ward and clinic staff: self-rostering, annualised hours and the results.",
    ),
    (
        "Measuring what matters after the move",
        "research_summary",
        "open",
        "virtual",
        -20,
        150,
        "The Institute for Workplace Research on measures an organisation can track: outcomes, occupancy, wellbeing and carbon.",
    ),
    (
        "Meridian's hybrid headquarters",
        "case_study",
        "members",
        "in_person",
        -45,
        50,
        "A visit to Meridian Insurance Group's redesigned headquarters, with the workplace team on what they got right and what they would change.",
    ),
    (
        "Proximity bias and fair progression",
        "topic_exploration",
        "members",
        "virtual",
        -80,
        60,
        "How members guard against proximity bias in appraisal and promotion when some people are in the office more than others.",
    ),
    (
        "Getting the board on side",
        "thought_leadership",
        "open",
        "virtual",
        -130,
        200,
        "A former chief operating officer on making the business case for Smart Working to a sceptical board.",
    ),
    (
        "Technology for fair hybrid meetings",
        "case_study",
        "members",
        "virtual",
        -170,
        60,
        "Kestrel Engineering's rollout of meeting-room technology so that people joining online are equal participants.",
    ),
];

async fn load_meetings(app: &App) -> anyhow::Result<usize> {
    let now = Utc::now();
    let organisations = crate::membership::all_organisations(&app.db).await?;
    let host = |name: &str| organisations.iter().find(|o| o.name == name).map(|o| o.id.clone());
    let south_west = groups::group_by_slug(&app.db, "south-west-regional-group").await?.map(|g| g.id);
    let member_users = crate::membership::members(&app.db, &Default::default(), now).await?;
    for (title, format, audience, mode, days, capacity, summary) in MEETINGS {
        // Meetings start at 12:30 in the network's time zone.
        let day = (now + Duration::days(*days)).with_timezone(&app.config.timezone).date_naive();
        let starts_at = day
            .and_hms_opt(12, 30, 0)
            .and_then(|t| chrono::TimeZone::from_local_datetime(&app.config.timezone, &t).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        let (venue, host_id) = match *mode {
            "in_person" if title.contains("Wessex") => {
                ("University of Wessex, Library Building, Wessex Road", host("University of Wessex"))
            }
            "in_person" => ("Meridian House, 1 Harbour Square", host("Meridian Insurance Group")),
            "hybrid" => ("St Aldhelm's Education Centre, Level 2", host("St Aldhelm's University Hospitals")),
            _ => ("", None),
        };
        let input = crate::meetings::MeetingInput {
            slug: crate::web::forms::slugify(title),
            title: title.to_string(),
            format: format.to_string(),
            summary_md: summary.to_string(),
            agenda_md: "1. Welcome and introductions\n2. The session\n3. Questions and discussion\n4. What next".into(),
            disciplines: "people,workplace".into(),
            audience: audience.to_string(),
            group_id: if *audience == "group" { south_west.clone() } else { None },
            mode: mode.to_string(),
            joining_link: if *mode == "in_person" {
                String::new()
            } else {
                format!("https://meet.example.org/swn-{}", tokens::random_token().chars().take(10).collect::<String>())
            },
            venue: venue.into(),
            directions: if venue.is_empty() {
                String::new()
            } else {
                "Ten minutes' walk from the railway station; reception will direct you.".into()
            },
            accessibility: if venue.is_empty() {
                String::new()
            } else {
                "Step-free access throughout; hearing loop in the main room.".into()
            },
            host_organisation_id: host_id,
            chair: "Dev Chaudhry".into(),
            speakers_md: String::new(),
            starts_at,
            ends_at: starts_at + Duration::minutes(90),
            registration_closes_at: starts_at - Duration::hours(2),
            capacity: *capacity,
            chatham_house: *audience != "open",
            status: "published".into(),
        };
        let id = crate::meetings::insert_meeting(&app.db, &input).await?;
        // Registrations in arrival order: the small round table fills and has a waitlist.
        let mut tx = app.db.begin().await?;
        let wanted = if *capacity <= 2 { 4 } else { 6 };
        for (n, m) in member_users.iter().take(wanted).enumerate() {
            let email = crate::auth::user_by_id(&app.db, &m.id).await?.map(|u| u.email).unwrap_or_default();
            let status = if (n as i64) < *capacity { "confirmed" } else { "waitlisted" };
            crate::meetings::upsert_registration(
                &mut tx,
                &crate::meetings::NewRegistration {
                    meeting_id: &id,
                    user_id: Some(&m.id),
                    name: &m.name,
                    email: &email,
                    organisation: m.organisation_name.as_deref().unwrap_or(""),
                    status,
                    confirm_token_hash: None,
                    cancel_token_hash: &tokens::hash(&tokens::random_token()),
                },
            )
            .await?;
        }
        if *days < 0 {
            crate::meetings::set_materials(
                &mut tx,
                &id,
                "## Key points\n\n- Start from activities, not roles.\n- Agree anchor days team by team.\n- Measure outcomes against a baseline before the change.",
                "https://video.example.org/swn-recording",
                None,
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(MEETINGS.len())
}

/// Questions members really ask, to build a believable forum from: (category, title, opening, answer).
const FORUM_SEEDS: &[(&str, &str, &str, &str)] = &[
    (
        "people",
        "How do you handle requests to work abroad for a few weeks?",
        "We get more requests each summer to work from another country for a few weeks. What limits have you set, and how did you handle tax and insurance?",
        "We allow up to 20 working days a year in countries on an approved list, with a short form that HR, tax and security check within a week.",
    ),
    (
        "people",
        "Has anyone measured proximity bias in appraisals?",
        "Our engagement survey suggests people who are in the office more get better ratings. Has anyone measured it properly?",
        "We compared ratings by days in the office over two cycles and found a small gap, which closed once managers had calibration sessions with attendance data hidden.",
    ),
    (
        "people",
        "Wording for a flexible working policy that covers frontline roles",
        "Our policy reads as if it is only for office staff. How have you worded yours so that it applies to frontline roles too?",
        "We framed it around flexibility in when, where and how much, with examples for each job family, including self-rostering and shift swaps.",
    ),
    (
        "people",
        "Managers who insist on five days in the office",
        "A few managers still insist on everyone being in every day, against the policy. How did you bring them round?",
        "Data helped more than argument: we showed their teams' results against similar teams with agreements, and paired them with a manager who had made the change.",
    ),
    (
        "people",
        "Induction for new starters in a hybrid team",
        "New starters say they feel isolated in their first months. What works for induction?",
        "A buddy, in-person days for the whole team in the first two weeks, and a checklist of people to meet both online and in person.",
    ),
    (
        "workplace",
        "What desk ratio are you planning for?",
        "We are redesigning our main office. What desk-to-people ratio have others settled on, and how did you decide?",
        "We measured occupancy for eight weeks and planned at 6 desks to 10 people, with a review after six months; peak days reached 80% of desks.",
    ),
    (
        "workplace",
        "Desk booking: worth it?",
        "Did a desk booking system help, or just add admin?",
        "It helped on anchor days and for finding colleagues; we turned off mandatory booking for quiet days and kept neighbourhood zones.",
    ),
    (
        "workplace",
        "Turning meeting rooms into collaboration spaces",
        "Our meeting rooms are empty while open areas are crowded. Has anyone converted rooms into team spaces?",
        "We converted a third of our small rooms into team tables with screens, and kept two rooms per floor for confidential calls.",
    ),
    (
        "workplace",
        "Consolidating offices after a move to hybrid",
        "We are considering closing one of three offices. How did you consult staff?",
        "We shared the occupancy data openly, held sessions on each site, and offered travel support for a year to those with longer journeys.",
    ),
    (
        "technology",
        "Making hybrid meetings fair for remote participants",
        "People joining online feel like second-class participants. What technology and etiquette helped?",
        "Everyone joins from their own laptop in meetings with remote participants, plus a room camera for the whiteboard and a rule that the chair checks the online queue first.",
    ),
    (
        "technology",
        "Equipment allowance for home workers",
        "What equipment do you provide for home working, and do you pay an allowance?",
        "We provide a chair, screen and keyboard on request after a display-screen assessment, and no cash allowance, which our tax advisers preferred.",
    ),
    (
        "technology",
        "Collaboration tools: one or many?",
        "Teams use four different chat tools. Did anyone standardise, and how?",
        "We standardised on one platform for chat and meetings, with a six-month migration and champions in each directorate.",
    ),
    (
        "general",
        "Making the business case to the board",
        "What measures persuaded your board to invest in Smart Working?",
        "Property savings opened the door, but retention and recruitment data from exit interviews and job adverts carried the argument.",
    ),
    (
        "general",
        "Running a trial period: how long is long enough?",
        "We want to trial anchor days. How long should a trial run before we decide?",
        "Twelve weeks worked for us: long enough for the novelty to wear off and to see a full month-end cycle, with a mid-point check at six weeks.",
    ),
    (
        "general",
        "Measuring outcomes rather than presence",
        "How do you report team performance without falling back on attendance figures?",
        "Each team agreed two or three outcome measures with their director, reported monthly, and attendance data is only used for space planning.",
    ),
];

/// A believable forum: several hundred topics across the categories and the groups' spaces, answered and open.
async fn load_forum(app: &App) -> anyhow::Result<usize> {
    let now = Utc::now();
    let categories = crate::forum::categories(&app.db).await?;
    let members = crate::membership::members(&app.db, &Default::default(), now).await?;
    if members.len() < 2 {
        return Ok(0);
    }
    let variants = [
        "",
        " (public sector)",
        " for a small team",
        " in a unionised workforce",
        " across several sites",
        " after a merger",
        " for shift workers",
        " in a regulated industry",
        " with a tight budget",
        " in the first year",
        " for senior leaders",
        " when offices close",
        " for contact centres",
        " in a university",
        " in local government",
        " for new managers",
        " at scale",
        " in a hospital trust",
        " with an international team",
        " during restructuring",
    ];
    let mut count = 0;
    let mut tx = app.db.begin().await?;
    for (v, variant) in variants.iter().enumerate() {
        for (i, (slug, title, opening, answer)) in FORUM_SEEDS.iter().enumerate() {
            // Group spaces get a share of the topics too.
            let category = if (v + i) % 9 == 0 {
                categories.iter().find(|c| c.group_id.is_some()).or_else(|| categories.iter().find(|c| c.slug == *slug))
            } else {
                categories.iter().find(|c| c.slug == *slug)
            };
            let Some(category) = category else { continue };
            let asker = &members[(v * 7 + i) % members.len()];
            let helper = &members[(v * 7 + i + 3) % members.len()];
            let at = now - Duration::hours(((v * FORUM_SEEDS.len() + i) * 7) as i64);
            let title =
                format!("{}{}", title.trim_end_matches('?'), variant) + if title.ends_with('?') { "?" } else { "" };
            let topic_id = crate::forum::insert_topic(
                &mut tx,
                &crate::forum::NewTopic {
                    category_id: &category.id,
                    author_id: &asker.id,
                    anonymous_label: None,
                    title: &title,
                    kind: "question",
                },
                at,
            )
            .await?;
            let opening_id = crate::forum::insert_post(&mut tx, &topic_id, &asker.id, opening, true, at).await?;
            crate::db::search::index_post(&mut tx, &opening_id, &title, opening).await?;
            // Two in three questions have an answer, and most of those an accepted one.
            if (v + i) % 3 != 0 {
                let reply_id =
                    crate::forum::insert_post(&mut tx, &topic_id, &helper.id, answer, false, at + Duration::hours(3))
                        .await?;
                crate::db::search::index_post(&mut tx, &reply_id, &title, answer).await?;
                let thanks = "Thank you, that is really helpful. Could we talk it through at the next meeting?";
                let thanks_id =
                    crate::forum::insert_post(&mut tx, &topic_id, &asker.id, thanks, false, at + Duration::hours(5))
                        .await?;
                crate::db::search::index_post(&mut tx, &thanks_id, &title, thanks).await?;
                if (v + i) % 4 != 0 {
                    crate::execute!(
                        &mut tx,
                        "UPDATE forum_topics SET accepted_post_id = $1 WHERE id = $2",
                        &reply_id,
                        &topic_id
                    )?;
                }
            }
            count += 1;
        }
    }
    tx.commit().await?;
    Ok(count)
}
