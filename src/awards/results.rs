//! The shortlist and the winners: organisers decide each entry (shortlisted; winner or highly commended with a
//! citation; linked to a case study or a meeting), then publish the shortlist, then the winners, each a
//! deliberate act at or after its date. Publishing e-mails the entrants once, in the same transaction that marks
//! it published, so a restart or a second click sends nothing twice. What the public sees is read here too:
//! only what was published, never anything of the judging.

use chrono::{DateTime, Utc};

use super::model::{Award, Entry, Programme};
use super::service;
use super::store;
use crate::App;
use crate::mail::{self, messages};
use crate::web::{AppError, AppResult, FieldErrors, time};

/// What an organiser typed for an entry's decision; the case study and meeting by their address (slug).
#[derive(Clone, Debug, Default)]
pub struct DecisionFields {
    pub shortlisted: bool,
    pub award: String,
    pub citation: String,
    pub case_study: String,
    pub meeting: String,
}

/// The last part of a typed address (`/case-studies/flexible-first` or the slug alone); none that a NUL could
/// reach the database with.
fn slug_of(typed: &str) -> &str {
    let slug = typed.trim().trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if slug.contains('\0') { "" } else { slug }
}

pub async fn case_study_slug(app: &App, id: Option<&str>) -> AppResult<String> {
    Ok(match id {
        Some(id) => crate::library::case_study_by_id(&app.db, id).await?.map(|c| c.slug).unwrap_or_default(),
        None => String::new(),
    })
}

pub async fn meeting_slug(app: &App, id: Option<&str>) -> AppResult<String> {
    Ok(match id {
        Some(id) => crate::meetings::meeting(&app.db, id).await?.map(|m| m.slug).unwrap_or_default(),
        None => String::new(),
    })
}

/// Records an organiser's decision on a submitted entry. The shortlist no longer changes once published, and
/// nothing changes once the winners are announced (the e-mails said so).
pub async fn decide(
    app: &App,
    entry: &Entry,
    programme: &Programme,
    typed: &DecisionFields,
    by: &crate::auth::User,
) -> AppResult<Result<(), FieldErrors>> {
    if entry.status() != super::model::EntryStatus::Submitted {
        return Err(AppError::Conflict("Only a submitted entry is shortlisted or awarded.".into()));
    }
    let mut errors = FieldErrors::default();
    let mut decision =
        service::check_decision(&mut errors, &entry.id, typed.shortlisted, &typed.award, &typed.citation);
    if !typed.case_study.trim().is_empty() {
        match crate::library::case_study_by_slug(&app.db, slug_of(&typed.case_study)).await? {
            Some(c) => decision.case_study_id = Some(c.id),
            None => errors
                .add("case_study", "No case study has this address: give its address, such as /case-studies/its-name."),
        }
    }
    if !typed.meeting.trim().is_empty() {
        match crate::meetings::meeting_by_slug(&app.db, slug_of(&typed.meeting)).await? {
            Some(m) => decision.meeting_id = Some(m.id),
            None => errors.add("meeting", "No meeting has this address: give its address, such as /meetings/its-name."),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    // Checked against the programme as it is inside the transaction that holds it, so a publishing at the same
    // moment either sees this decision or refuses it.
    let mut tx = app.db.begin().await?;
    let programme = store::hold_programme(&mut tx, &programme.id).await?.ok_or(AppError::NotFound)?;
    if programme.winners_published_at.is_some() {
        return Err(AppError::Conflict("The winners are announced: the decisions are final.".into()));
    }
    let current = store::results_held(&mut tx, &programme.id).await?.into_iter().find(|d| d.entry_id == entry.id);
    if programme.shortlist_published_at.is_some()
        && current.as_ref().is_some_and(|c| c.shortlisted) != typed.shortlisted
    {
        return Err(AppError::Conflict("The shortlist is published: it no longer changes.".into()));
    }
    store::set_result(&mut tx, &decision, &by.id, Utc::now()).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// What is published.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Publish {
    Shortlist,
    Winners,
}

impl Publish {
    pub fn parse(key: &str) -> Option<Publish> {
        match key {
            "shortlist" => Some(Publish::Shortlist),
            "winners" => Some(Publish::Winners),
            _ => None,
        }
    }
}

/// Publishes the shortlist or the winners, at or after its date, with one e-mail per entrant of each entry
/// concerned (shortlisted or not; winner, highly commended or not this time). Gives how many e-mails went.
pub async fn publish(app: &App, programme: &Programme, what: Publish) -> AppResult<usize> {
    let now = Utc::now();
    let tz = app.config.timezone;
    let (date, label) = match what {
        Publish::Shortlist => (programme.shortlist_at, "shortlist"),
        Publish::Winners => (programme.winners_at, "winners"),
    };
    let Some(date) = date else {
        return Err(AppError::Conflict(format!("Set the date the {label} may be published first.")));
    };
    if now < date {
        return Err(AppError::Conflict(format!("The {label} may be published from {}.", time::date_time(date, tz))));
    }
    if what == Publish::Winners && programme.shortlist_published_at.is_none() {
        return Err(AppError::Conflict("Publish the shortlist first.".into()));
    }
    // Marking it published takes the programme's row first: the decisions read after it are the last ones.
    let mut tx = app.db.begin().await?;
    if !store::mark_published(&mut tx, &programme.id, what == Publish::Winners, now).await? {
        return Err(AppError::Conflict(format!("The {label} is published already.")));
    }
    let decisions = store::results_held(&mut tx, &programme.id).await?;
    let decided = |id: &str| decisions.iter().find(|d| d.entry_id == id).cloned().unwrap_or_default();
    match what {
        Publish::Shortlist if !decisions.iter().any(|d| d.shortlisted) => {
            return Err(AppError::Conflict("Mark the shortlist first: no entry is shortlisted.".into()));
        }
        Publish::Winners if !decisions.iter().any(|d| d.award == Some(Award::Winner)) => {
            return Err(AppError::Conflict("Choose the winners first: no entry is a winner.".into()));
        }
        _ => {}
    }
    let link = app.config.link(&format!("/awards/{}", programme.slug));
    let mut sent = 0;
    for entry in store::submitted_in(&mut tx, &programme.id).await? {
        let d = decided(&entry.id);
        let (subject, paragraph) = match (what, d.shortlisted, d.award) {
            (Publish::Shortlist, true, _) => (
                format!("\"{}\" is shortlisted in {}", entry.title, programme.name),
                "Congratulations: the judges have shortlisted your entry. The shortlist is now public.".to_string(),
            ),
            (Publish::Shortlist, false, _) => (
                format!("The {} shortlist", programme.name),
                "Thank you for entering. Your entry is not on the shortlist this year; the judges read every entry \
                 with care, and we hope you enter again."
                    .to_string(),
            ),
            (Publish::Winners, false, _) => continue,
            (Publish::Winners, true, Some(award)) => (
                format!("\"{}\": {} in {}", entry.title, award.label(), programme.name),
                format!(
                    "Congratulations: your entry is {}. The judges' citation: {}",
                    award.label().to_lowercase(),
                    d.citation
                ),
            ),
            (Publish::Winners, true, None) => (
                format!("The {} winners", programme.name),
                "The winners are announced. Your entry was shortlisted, and did not win this time: thank you for \
                 everything it shows other practitioners."
                    .to_string(),
            ),
        };
        for (email, name) in store::entry_entrants(&mut tx, &entry, now).await? {
            let message = messages::notice(
                &app.config.title,
                &email,
                &name,
                &subject,
                &[
                    format!("Your organisation's entry \"{}\" ({}).", entry.title, entry.organisation_name),
                    paragraph.clone(),
                ],
                Some(("See the awards", &link)),
            )?;
            mail::queue(app, &mut tx, mail::Kind::Transactional, &message).await?;
            sent += 1;
        }
    }
    tx.commit().await?;
    app.wake_mail();
    Ok(sent)
}

/// An entry as the public sees it once published: no score, no judge, no comment.
#[derive(Clone, Debug)]
pub struct Shown {
    pub entry_id: String,
    pub category: String,
    pub title: String,
    pub organisation: String,
    pub award: Option<Award>,
    pub citation: String,
    /// A public case study's address and title.
    pub case_study: Option<(String, String)>,
    /// An open meeting's address and title.
    pub meeting: Option<(String, String)>,
}

/// The published shortlist (and, once announced, the awards) of a programme, by category.
pub async fn shown(app: &App, programme: &Programme, now: DateTime<Utc>) -> AppResult<Vec<Shown>> {
    if programme.shortlist_published_at.is_none() {
        return Ok(Vec::new());
    }
    let announced = programme.winners_published_at.is_some();
    let decisions = store::results_in(&app.db, &programme.id).await?;
    let mut out = Vec::new();
    for category in store::categories(&app.db, &programme.id).await? {
        for entry in store::entries_in(&app.db, &category.id).await? {
            let Some(d) = decisions.iter().find(|d| d.entry_id == entry.id && d.shortlisted) else { continue };
            if entry.status() != super::model::EntryStatus::Submitted {
                continue;
            }
            let (case_study, meeting) = if announced {
                let cs = match &d.case_study_id {
                    Some(id) => crate::library::case_study_by_id(&app.db, id)
                        .await?
                        .filter(|c| c.published && c.publish_at <= now && c.audience == "public")
                        .map(|c| (format!("/case-studies/{}", c.slug), c.title)),
                    None => None,
                };
                let m = match &d.meeting_id {
                    Some(id) => crate::meetings::meeting(&app.db, id)
                        .await?
                        .filter(|m| m.audience == "open" && m.status == "published")
                        .map(|m| (format!("/meetings/{}", m.slug), m.title)),
                    None => None,
                };
                (cs, m)
            } else {
                (None, None)
            };
            out.push(Shown {
                entry_id: entry.id.clone(),
                category: category.name.clone(),
                title: entry.title.clone(),
                organisation: entry.organisation_name.clone(),
                award: if announced { d.award } else { None },
                citation: if announced && d.award.is_some() { d.citation.clone() } else { String::new() },
                case_study,
                meeting,
            });
        }
    }
    // Winners first, then highly commended, then the rest of the shortlist, each in category order.
    out.sort_by_key(|s| match s.award {
        Some(Award::Winner) => 0,
        Some(Award::HighlyCommended) => 1,
        None => 2,
    });
    Ok(out)
}
