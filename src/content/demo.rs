//! The site's part of the demo network: supporters with their logos, founders with their photos, news and
//! pages. Loaded through this folder's own store.

use chrono::{Duration, Utc};

use super::model::{NewsInput, PageInput, PersonInput, SupporterInput};
use super::store;
use crate::App;
use crate::web::upload::image_type;

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
        logo: include_bytes!("../../demo/supporter-foundation.png"),
    },
    DemoSupporter {
        name: "Institute for Workplace Research",
        website: "https://workplace-research.example.org",
        description: "A not-for-profit research institute studying how offices are used. It shares its occupancy studies and desk-ratio benchmarks with members, and presents a research summary at one open meeting each year.",
        logo: include_bytes!("../../demo/supporter-institute.png"),
    },
    DemoSupporter {
        name: "Northbridge University Centre for Work and Wellbeing",
        website: "https://www.northbridge.example.ac.uk/work-wellbeing",
        description: "A university research centre whose studies of hybrid teams, proximity bias and wellbeing inform the network's guides. Its researchers join topic explorations as speakers.",
        logo: include_bytes!("../../demo/supporter-university.png"),
    },
    DemoSupporter {
        name: "Public Service Workplace Trust",
        website: "https://psworkplacetrust.example.org",
        description: "A trust that helps public bodies share estate and learn from each other. It hosts in-person meetings at its London venue and supports the public-sector home and remote working group.",
        logo: include_bytes!("../../demo/supporter-trust.png"),
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
        photo: include_bytes!("../../demo/person-1.png"),
    },
    DemoPerson {
        name: "Dev Chaudhry",
        role: "Co-founder, meetings programme",
        bio: "Dev is head of workplace strategy at a national insurer, where he ran trial periods for hybrid patterns in claims and customer service. He curates the closed meetings and chairs most case studies.",
        photo: include_bytes!("../../demo/person-2.png"),
    },
    DemoPerson {
        name: "Siobhan Kelly",
        role: "Co-founder, membership",
        bio: "Siobhan is an HR policy lead at a university hospital trust who wrote its flexible working policy for frontline and office roles alike. She reviews applications and looks after the regional groups.",
        photo: include_bytes!("../../demo/person-3.png"),
    },
    DemoPerson {
        name: "Tom Okafor",
        role: "Organiser, technology and research",
        bio: "Tom runs digital workplace services at an engineering firm of 4,000 people. He looks after the resources library and the network's research summaries.",
        photo: include_bytes!("../../demo/person-4.png"),
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

/// Loads the site's demo content; gives what it loaded, in words.
pub(super) async fn load(app: &App) -> anyhow::Result<String> {
    for (i, s) in SUPPORTERS.iter().enumerate() {
        let mut tx = app.db.begin().await?;
        let content_type = image_type(s.logo).unwrap_or("image/png");
        let logo = store::insert_file(&mut tx, content_type, s.logo).await?;
        let input = SupporterInput {
            name: s.name.into(),
            website: s.website.into(),
            description_md: s.description.into(),
            position: (i as i64 + 1) * 10,
        };
        store::save_supporter(&mut tx, None, &input, Some(Some(&logo))).await?;
        tx.commit().await?;
    }
    for (i, p) in PEOPLE.iter().enumerate() {
        let mut tx = app.db.begin().await?;
        let photo = store::insert_file(&mut tx, image_type(p.photo).unwrap_or("image/png"), p.photo).await?;
        let input = PersonInput {
            name: p.name.into(),
            role_title: p.role.into(),
            bio_md: p.bio.into(),
            position: (i as i64 + 1) * 10,
        };
        store::save_person(&mut tx, None, &input, Some(Some(&photo))).await?;
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
        store::insert_news(&app.db, &input, None).await?;
    }
    for (slug, title, body) in PAGES {
        if store::page_by_slug(&app.db, slug).await?.is_none() {
            let input = PageInput {
                slug: slug.to_string(),
                title: title.to_string(),
                body_md: body.to_string(),
                published: true,
            };
            store::insert_page(&app.db, &input).await?;
        }
    }
    Ok(format!(
        "{} supporters, {} people, {} news items, {} pages",
        SUPPORTERS.len(),
        PEOPLE.len(),
        NEWS.len(),
        PAGES.len()
    ))
}
