//! The library's part of the demo network: articles, resources with small real files (a PDF research summary,
//! a spreadsheet, a document template), case studies across sectors, a supporter's research.

use chrono::{Duration, Utc};

use super::model::{ArticleInput, CaseStudyInput, CheckedFile, ResourceInput};
use super::{files, store};
use crate::App;

/// (slug, title, summary, body, audience, tags, days ago)
const ARTICLES: &[(&str, &str, &str, &str, &str, &str, i64)] = &[
    (
        "what-we-mean-by-smart-working",
        "What we mean by Smart Working",
        "Smart Working is more than hybrid: it is about where, when and how work is done best.",
        "Smart Working brings together **people**, **workplace** and **technology** so that work is done where and when it is done best.\n\n\
         It is not the same as working from home, and it is not a property project. The organisations in the network that have gone furthest started with their teams' work, then changed the places and tools around it.\n\n\
         ## Three questions to start with\n\n1. What does each team's work need?\n2. What do people need to do it well?\n3. What must the organisation hold constant (service levels, safety, cost)?",
        "public",
        "introduction, hybrid",
        40,
    ),
    (
        "lessons-from-a-year-of-anchor-days",
        "Lessons from a year of anchor days",
        "Members compare notes on fixed office days: where they helped, and where they became a new rigidity.",
        "Six member organisations introduced *anchor days* in the past year. Four kept them; two dropped them after six months.\n\n\
         - Anchor days worked when the **team** chose them and reviewed them each quarter.\n\
         - They failed when set centrally for everyone, and became the new presenteeism.\n\n\
         Members can talk to the leads of all six through the directory.",
        "members",
        "anchor days, teams",
        12,
    ),
    (
        "negotiating-hybrid-policy-with-trade-unions",
        "Negotiating hybrid policy with trade unions",
        "A special article: how three public bodies reached collective agreements on hybrid working.",
        "Three public bodies in the network reached collective agreements with their recognised trade unions in 2025.\n\n\
         What helped: early joint working groups, shared data on office use, and trial periods with a fixed review date.",
        "members",
        "policy, trade unions",
        5,
    ),
];

/// (slug, title, kind, description, audience, contributed by, the file)
type DemoFile = (&'static str, &'static str, &'static str, &'static str, &'static str, Option<String>, &'static [u8]);

async fn load_items(app: &App, organiser_id: &str) -> anyhow::Result<(usize, usize, usize)> {
    let now = Utc::now();
    for (slug, title, summary, body, audience, tags, days) in ARTICLES {
        let input = ArticleInput {
            slug: slug.to_string(),
            title: title.to_string(),
            summary: summary.to_string(),
            body_md: body.to_string(),
            audience: audience.to_string(),
            group_id: None,
            author_name: "Demo Organiser".into(),
            disciplines: "people,workplace".into(),
            tags: tags.to_string(),
            published: true,
            publish_at: now - Duration::days(*days),
        };
        store::save_article(&app.db, None, &input, organiser_id, now).await?;
    }

    let supporters = crate::content::supporters(&app.db).await?;
    let research_by = supporters.first().map(|s| s.id.clone());
    let files: [DemoFile; 3] = [
        (
            "hybrid-trials-research-summary",
            "Hybrid working trials: what 14 organisations learned",
            "research",
            "A four-page summary of trials run by fourteen member organisations: how long they ran, what they measured and what they would do differently.",
            "members",
            research_by,
            include_bytes!("../../demo/hybrid-trials-research-summary.pdf"),
        ),
        (
            "desk-ratio-planner",
            "Desk ratio planner",
            "tool",
            "A spreadsheet that turns headcount, office days and peak attendance into the desks each team needs, with the formulas visible.",
            "public",
            None,
            include_bytes!("../../demo/desk-ratio-planner.xlsx"),
        ),
        (
            "team-agreement-template",
            "Team agreement template",
            "template",
            "A Word template for a team agreement: where and when we work, how we communicate, how we look after each other.",
            "members",
            None,
            include_bytes!("../../demo/team-agreement-template.docx"),
        ),
    ];
    let mut resource_ids = Vec::new();
    for (slug, title, kind, description, audience, supporter_id, bytes) in files {
        let Some((content_type, extension)) = files::document_type(bytes) else { continue };
        let file = CheckedFile { bytes, content_type, file_name: files::download_name(slug, extension) };
        let input = resource_input(slug, title, kind, description, audience, supporter_id, None, now);
        resource_ids.push(store::save_resource(&app.db, None, &input, Some(&file), organiser_id, now).await?);
    }
    let link = resource_input(
        "display-screen-assessments-at-home",
        "Display-screen assessments for home workers",
        "guide",
        "The regulator's guidance on display-screen equipment for people who work at home, with the network's notes on how members apply it.",
        "public",
        None,
        Some("https://www.hse.gov.uk/msd/dse/"),
        now,
    );
    store::save_resource(&app.db, None, &link, None, organiser_id, now).await?;

    let organisations = crate::membership::all_organisations(&app.db).await?;
    let by_name = |name: &str| organisations.iter().find(|o| o.name == name);
    let past_meeting = crate::meetings::listed(&app.db, false, now).await?.into_iter().next().map(|m| m.id);
    let mut case_studies = 0;
    for (slug, title, organisation, anonymised_as, audience, challenge, approach, results, lessons) in [
        (
            "northshire-neighbourhood-hubs",
            "From a county hall to neighbourhood hubs",
            "Northshire County Council",
            None,
            "public",
            "A 1960s county hall, half empty after 2020, and staff spread across a large rural county.",
            "Four neighbourhood hubs in existing libraries, team agreements in every directorate, and a six-month trial reviewed with the unions.",
            "County hall floor space down **38%**; average commute down 11 miles; staff survey score on flexibility up from 52% to 81%.",
            "Put the hubs where services already are; train managers before changing buildings.",
        ),
        (
            "insurer-hybrid-contact-centre",
            "Hybrid working in a regulated contact centre",
            "Meridian Insurance Group",
            Some("A large insurer"),
            "members",
            "Contact-centre staff were excluded from hybrid working on security and supervision grounds.",
            "Secure home set-ups, team-level rotas chosen by the teams, and coaching moved online with recorded sessions.",
            "Attrition down from 34% to 21% a year; service levels held; two floors of the head office let.",
            "Regulators asked about controls, not location: document them early.",
        ),
        (
            "hospital-flexible-rostering",
            "Flexible working for clinical and support staff",
            "St Aldhelm's University Hospitals",
            None,
            "members",
            "Smart Working seemed to be only for office staff, which divided the workforce.",
            "Self-rostering pilots on three wards and flexible hours for support services, alongside hybrid working for administrative teams.",
            "Bank and agency spend down 12% on the pilot wards; vacancies filled faster.",
            "Offer flexibility in time where flexibility in place is impossible.",
        ),
    ] {
        let organisation = by_name(organisation);
        let input = CaseStudyInput {
            slug: slug.into(),
            title: title.into(),
            organisation_id: organisation.map(|o| o.id.clone()),
            anonymised: anonymised_as.is_some(),
            organisation_label: anonymised_as
                .map(str::to_string)
                .or_else(|| organisation.map(|o| o.name.clone()))
                .unwrap_or_default(),
            sector: organisation.map(|o| o.sector.clone()).unwrap_or_else(|| "Local government".into()),
            size_band: organisation.map(|o| o.size_band().to_string()).unwrap_or_default(),
            region: organisation.map(|o| o.region.clone()).unwrap_or_default(),
            challenge_md: challenge.into(),
            approach_md: approach.into(),
            results_md: results.into(),
            lessons_md: lessons.into(),
            meeting_id: if case_studies == 0 { past_meeting.clone() } else { None },
            audience: audience.into(),
            group_id: None,
            disciplines: "people,workplace".into(),
            tags: "case study".into(),
            published: true,
            publish_at: now - Duration::days(20 - case_studies as i64 * 5),
            contact_ids: Vec::new(),
            resource_ids: resource_ids.iter().take(1).cloned().collect(),
        };
        store::save_case_study(&app.db, None, &input, organiser_id, now).await?;
        case_studies += 1;
    }

    Ok((ARTICLES.len(), resource_ids.len() + 1, case_studies))
}

#[allow(clippy::too_many_arguments)]
fn resource_input(
    slug: &str,
    title: &str,
    kind: &str,
    description: &str,
    audience: &str,
    supporter_id: Option<String>,
    link: Option<&str>,
    now: chrono::DateTime<Utc>,
) -> ResourceInput {
    ResourceInput {
        slug: slug.into(),
        title: title.into(),
        description_md: description.into(),
        kind: kind.into(),
        link_url: link.map(str::to_string),
        audience: audience.into(),
        group_id: None,
        supporter_id,
        disciplines: "workplace".into(),
        tags: "tools".into(),
        published: true,
        publish_at: now - Duration::days(8),
    }
}

/// Loads the demo library; gives what it loaded, in words.
pub(super) async fn load(app: &App, organiser_id: &str) -> anyhow::Result<String> {
    let (articles, resources, case_studies) = load_items(app, organiser_id).await?;
    Ok(format!("{articles} articles, {resources} resources, {case_studies} case studies"))
}
