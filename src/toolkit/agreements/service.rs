//! What drafting and agreeing do, shared by the pages and the API.

use std::collections::BTreeMap;

use chrono::{DateTime, Months, NaiveDate, Utc};

use super::{Agreement, FROM_PLAN, SECTIONS, Version, store};
use crate::App;
use crate::toolkit::model::Space;
use crate::web::{AppResult, FieldErrors};

/// The day in the network's time zone.
pub fn today(app: &App, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&app.config.timezone).date_naive()
}

/// The default review: three months after the agreement comes into force.
pub fn default_review(from: NaiveDate) -> NaiveDate {
    from.checked_add_months(Months::new(3)).unwrap_or(from)
}

/// A space's agreement and its versions, started from the template and the team's plan on first sight.
pub async fn ensure(app: &App, space: &Space) -> AppResult<(Agreement, Vec<Version>)> {
    if let Some(agreement) = store::agreement(&app.db, &space.id).await? {
        let versions = store::versions(&app.db, &space.id).await?;
        if !versions.is_empty() {
            return Ok((agreement, versions));
        }
    }
    let now = Utc::now();
    let (plan, _) = crate::toolkit::plan_of(app, space).await?;
    let mut texts: BTreeMap<String, String> = SECTIONS.iter().map(|(k, ..)| (k.to_string(), String::new())).collect();
    texts.insert(FROM_PLAN.into(), super::from_plan(&plan));
    let source = super::plan_source(&space.name, now, app.config.timezone);
    let mut tx = app.db.begin().await?;
    store::start(&mut tx, &space.id, &texts, &source, now).await?;
    tx.commit().await?;
    let agreement = store::agreement(&app.db, &space.id).await?.ok_or(crate::web::AppError::NotFound)?;
    Ok((agreement, store::versions(&app.db, &space.id).await?))
}

/// What saving a section came to.
pub enum Saved {
    /// A new version, with its number.
    Version(i64),
    /// The text is what the section says already.
    Unchanged,
    /// Someone saved the section after the version the editor started from: their text, who, when, and the
    /// version to start from to save again.
    Conflict { theirs: String, by: String, at: DateTime<Utc>, latest: i64 },
}

/// Saves one section's text as a new version, unless the section changed since `base` (optimistic
/// concurrency: nothing is overwritten unseen, and the caller shows both texts).
pub async fn save_section(
    app: &App,
    space_id: &str,
    author: &str,
    section: &str,
    text: &str,
    base: i64,
) -> AppResult<Saved> {
    // Saves of one agreement take its row first, so they happen one after another on both engines (SQLite's
    // deferred transaction would otherwise meet a busy database at its first write); the key on the version
    // number is the second guard.
    for _ in 0..3 {
        let now = Utc::now();
        let mut tx = app.db.begin().await?;
        store::hold(&mut tx, space_id).await?;
        let Some(latest) = store::latest(&mut tx, space_id).await? else {
            return Err(crate::web::AppError::NotFound);
        };
        let changed = store::last_change(&mut tx, space_id, section).await?;
        if changed > base {
            let versions = store::versions(&app.db, space_id).await?;
            let theirs = versions.iter().find(|v| v.number == changed).cloned().unwrap_or(latest.clone());
            return Ok(Saved::Conflict {
                theirs: latest.text(section),
                by: theirs.author,
                at: theirs.created_at,
                latest: latest.number,
            });
        }
        let mut texts = latest.texts();
        if texts.get(section).map(String::as_str) == Some(text) {
            return Ok(Saved::Unchanged);
        }
        texts.insert(section.to_string(), text.to_string());
        let number = latest.number + 1;
        if store::insert_version(&mut tx, space_id, number, section, &texts, Some(author), now).await? {
            tx.commit().await?;
            return Ok(Saved::Version(number));
        }
    }
    Err(anyhow::anyhow!("three saves of one agreement collided").into())
}

/// The agreement's row, read inside a transaction that holds it.
async fn held(tx: &mut crate::db::Tx, space_id: &str) -> AppResult<Agreement> {
    store::hold(tx, space_id).await?;
    store::agreement_in(tx, space_id).await?.ok_or(crate::web::AppError::NotFound)
}

/// A lead proposes a version (the latest when none is named) for everyone to agree; checked against the
/// agreement as it is under the hold, so two leads (or a proposal and the last agreement) do not cross.
pub async fn propose(
    app: &App,
    errors: &mut FieldErrors,
    space_id: &str,
    version: Option<i64>,
    by: &str,
) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let agreement = held(&mut tx, space_id).await?;
    let latest = store::latest(&mut tx, space_id).await?.map_or(1, |v| v.number);
    let version = version.unwrap_or(latest);
    if version < 1 || version > latest {
        errors.add("version", format!("There is no version {version}: the latest is {latest}."));
        return Ok(());
    }
    if agreement.in_force_version == Some(version) {
        errors.add("version", format!("Version {version} is in force already: change a section to start a new draft."));
        return Ok(());
    }
    if agreement.in_force_version.is_some_and(|v| v > version) {
        errors.add("version", "A version older than the one in force cannot be proposed.");
        return Ok(());
    }
    store::propose(&mut tx, space_id, version, by, Utc::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// A person answers the version proposed (or, joining after it came into force, the version in force).
/// Gives whether the answer put the proposal in force.
pub async fn answer(
    app: &App,
    errors: &mut FieldErrors,
    space_id: &str,
    user_id: &str,
    version: i64,
    agree: bool,
    note: &str,
) -> AppResult<bool> {
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    let agreement = held(&mut tx, space_id).await?;
    let joining = agreement.proposed_version.is_none() && agreement.in_force_version == Some(version);
    match agreement.proposed_version {
        Some(proposed) if proposed != version => {
            errors.add(
                "version",
                format!("Version {proposed} is the one proposed for agreement, not version {version}: read it and answer it."),
            );
        }
        None if !joining => {
            errors.add("version", "No version is proposed for agreement now.");
        }
        _ => {}
    }
    let note = if agree {
        errors.optional("note", "A note", note, 2000)
    } else {
        errors.required("note", "The change you ask for", note, 2000)
    };
    if !errors.is_empty() {
        return Ok(false);
    }
    store::answer(&mut tx, space_id, version, user_id, if agree { "agree" } else { "change" }, &note, now).await?;
    let day = today(app, now);
    let in_force =
        agree && !joining && store::settle(&mut tx, space_id, version, day, default_review(day), now).await?;
    tx.commit().await?;
    Ok(in_force)
}

/// Settles a space's open proposal after someone left it, inside the caller's transaction.
pub async fn settle_after_leaving(app: &App, tx: &mut crate::db::Tx, space_id: &str) -> AppResult<()> {
    let now = Utc::now();
    let day = today(app, now);
    store::settle_open(tx, space_id, day, default_review(day), now).await?;
    Ok(())
}

/// The section keys, for checking a key sent by a form or a program.
pub fn is_section(key: &str) -> bool {
    SECTIONS.iter().any(|(k, ..)| *k == key)
}
