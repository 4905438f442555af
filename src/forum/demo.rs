//! The forum's part of the demo network: several hundred questions and discussions, answered and open, in
//! the categories and the groups' spaces.

use chrono::{Duration, Utc};

use super::store;
use crate::App;

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
    let categories = store::categories(&app.db).await?;
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
            let topic_id = store::insert_topic(
                &mut tx,
                &store::NewTopic {
                    category_id: &category.id,
                    author_id: &asker.id,
                    anonymous_label: None,
                    title: &title,
                    kind: "question",
                },
                at,
            )
            .await?;
            let opening_id = store::insert_post(&mut tx, &topic_id, &asker.id, &text(opening), true, at).await?;
            crate::db::search::index_post(&mut tx, &opening_id, &title, opening).await?;
            // Two in three questions have an answer, and most of those an accepted one.
            if (v + i) % 3 != 0 {
                let reply_id =
                    store::insert_post(&mut tx, &topic_id, &helper.id, &text(answer), false, at + Duration::hours(3))
                        .await?;
                crate::db::search::index_post(&mut tx, &reply_id, &title, answer).await?;
                let thanks = "Thank you, that is really helpful. Could we talk it through at the next meeting?";
                let thanks_id =
                    store::insert_post(&mut tx, &topic_id, &asker.id, &text(thanks), false, at + Duration::hours(5))
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

/// Loads the demo forum; gives what it loaded, in words.
pub(super) async fn load(app: &App) -> anyhow::Result<String> {
    Ok(format!("{} forum topics", load_forum(app).await?))
}

/// A demo post as written and as shown (the demo mentions no one).
fn text(md: &str) -> store::PostText<'_> {
    store::PostText { md, html: crate::forum::service::post_html(md, &[]) }
}
