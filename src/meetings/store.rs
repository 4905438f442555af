//! SQL for meetings, registrations, feedback and calendar feeds.

use chrono::{DateTime, Utc};

use super::model::{Listed, Matched, Meeting, Registration};
use crate::db::{Db, Tx, new_id};
use crate::{execute, fetch_all, fetch_optional};

const MEETING: &str = "SELECT id, slug, title, format, summary_md, summary_html, agenda_md, agenda_html, disciplines,
    audience, group_id, mode, joining_link, venue, directions, accessibility, host_organisation_id, chair, speakers_md,
    speakers_html, starts_at, ends_at, registration_closes_at, capacity, chatham_house, status, sequence, notes_md,
    notes_html, recording_link, slides_file_id FROM meetings";

pub async fn meeting_by_slug(db: &Db, slug: &str) -> Result<Option<Meeting>, sqlx::Error> {
    fetch_optional!(db, Meeting, sqlx::AssertSqlSafe(format!("{MEETING} WHERE slug = $1")), slug)
}

pub async fn meeting(db: &Db, id: &str) -> Result<Option<Meeting>, sqlx::Error> {
    fetch_optional!(db, Meeting, sqlx::AssertSqlSafe(format!("{MEETING} WHERE id = $1")), id)
}

/// Meetings that are not drafts, upcoming (soonest first) or past (latest first).
pub async fn listed(db: &Db, upcoming: bool, now: DateTime<Utc>) -> Result<Vec<Meeting>, sqlx::Error> {
    listed_from(db, upcoming, now, &Narrowed::default(), 0, 500).await
}

/// Meetings whose title, summary or format hold every word (lower-case), as far as SQL can tell
/// (`search::all_words`): a superset of the hits, for the caller's exact check, so that a search does not read
/// every meeting. A word with a letter beyond ASCII (SQLite folds ASCII case only) or one of `LIKE`'s wildcards
/// narrows nothing here. In one read: at most 500 upcoming (soonest first), then at most 500 past (latest first).
pub async fn matching(db: &Db, now: DateTime<Utc>, words: &[String]) -> Result<Vec<Matched>, sqlx::Error> {
    let mut patterns: Vec<String> = words
        .iter()
        .take(crate::search::MAX_WORDS)
        .map(|w| {
            let plain = w.is_ascii() && !w.contains(['%', '_', '\\']);
            if plain { format!("%{w}%") } else { String::new() }
        })
        .collect();
    patterns.resize(crate::search::MAX_WORDS, String::new());
    let words = crate::search::all_words(db, "title || ' ' || summary_md || ' ' || format", 2);
    let part = |past: u8, when: &str, order: &str| {
        format!(
            "SELECT * FROM (SELECT {past} AS past, id, slug, title, format, summary_md, audience, group_id, starts_at,
                    status FROM meetings WHERE status <> 'draft' AND {when} AND {words} ORDER BY {order} LIMIT 500) AS p{past}"
        )
    };
    // A compound SELECT sorts by its columns only (on both engines), hence the outer one.
    let sql = format!(
        "SELECT * FROM ({} UNION ALL {}) AS m ORDER BY past, CASE WHEN past = 0 THEN starts_at END, starts_at DESC, id",
        part(0, "ends_at >= $1", "starts_at, id"),
        part(1, "ends_at < $1", "starts_at DESC, id")
    );
    let p = &patterns;
    fetch_all!(db, Matched, sqlx::AssertSqlSafe(sql), now, &p[0], &p[1], &p[2], &p[3], &p[4], &p[5])
}

/// What a listing is narrowed to; an empty value narrows nothing. The values come from closed lists (the
/// caller checks them), so none carries a LIKE wildcard.
#[derive(Default)]
pub struct Narrowed<'a> {
    pub format: &'a str,
    pub discipline: &'a str,
    pub group_id: &'a str,
}

/// One stretch of `listed`, narrowed, whole meetings (the API's list; pages read `cards_from`).
pub async fn listed_from(
    db: &Db,
    upcoming: bool,
    now: DateTime<Utc>,
    narrowed: &Narrowed<'_>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Meeting>, sqlx::Error> {
    crate::fetch_all_inline!(
        &db.reading(limit),
        Meeting,
        sqlx::AssertSqlSafe(stretch_of_whole_meetings(upcoming)),
        now,
        limit,
        offset,
        narrowed.format,
        narrowed.discipline,
        narrowed.group_id
    )
}

/// The same stretch as `listed_from`, with only what a listing's cards show: read and sorted in one pass, since
/// a card's columns are few and short (a sixth less SQLite time than choosing the stretch first, as `listed_from`
/// does).
pub async fn cards_from(
    db: &Db,
    upcoming: bool,
    now: DateTime<Utc>,
    narrowed: &Narrowed<'_>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Listed>, sqlx::Error> {
    const LISTED: &str =
        "SELECT slug, title, format, summary_html, audience, group_id, mode, starts_at, status FROM meetings";
    crate::fetch_all_inline!(
        &db.reading(limit),
        Listed,
        sqlx::AssertSqlSafe({
            let (condition, order) = listing(upcoming);
            format!("{LISTED} WHERE {condition} ORDER BY {order} LIMIT $2 OFFSET $3")
        }),
        now,
        limit,
        offset,
        narrowed.format,
        narrowed.discipline,
        narrowed.group_id
    )
}

/// Which meetings a listing holds, and their order: `$1` now, `$4` to `$6` the narrowing. Callers take a
/// stretch of it (`$2` how many, `$3` after how many), inline on SQLite when it is short (`Db::reading`).
fn listing(upcoming: bool) -> (String, &'static str) {
    let (when, order) =
        if upcoming { ("ends_at >= $1", "starts_at, id") } else { ("ends_at < $1", "starts_at DESC, id") };
    let condition = format!(
        "status <> 'draft' AND {when} AND ($4 = '' OR format = $4)
           AND ($5 = '' OR (',' || disciplines || ',') LIKE ('%,' || $5 || ',%')) AND ($6 = '' OR group_id = $6)"
    );
    (condition, order)
}

/// A stretch of whole meetings: chosen on a few columns first, then only its rows are read whole (not every
/// upcoming meeting's HTML into the sort).
fn stretch_of_whole_meetings(upcoming: bool) -> String {
    let (condition, order) = listing(upcoming);
    format!(
        "{MEETING} WHERE id IN (SELECT id FROM meetings WHERE {condition} ORDER BY {order} LIMIT $2 OFFSET $3)
         ORDER BY {order}"
    )
}

/// A published meeting ahead with its places: confirmed and waitlisted registrations.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Ahead {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub capacity: i64,
    pub confirmed: i64,
    pub waitlisted: i64,
}

/// Published meetings starting between `now` and `until`: how many, and the first few, soonest first.
pub async fn ahead(
    db: &Db,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> Result<(i64, Vec<Ahead>), sqlx::Error> {
    let count = crate::fetch_scalar!(
        db,
        i64,
        "SELECT COUNT(*) FROM meetings WHERE status = 'published' AND starts_at >= $1 AND starts_at < $2",
        now,
        until
    )?;
    let first = fetch_all!(
        db,
        Ahead,
        "SELECT m.title, m.starts_at, m.capacity,
                CAST((SELECT COUNT(*) FROM registrations r WHERE r.meeting_id = m.id AND r.status = 'confirmed') AS BIGINT)
                    AS confirmed,
                CAST((SELECT COUNT(*) FROM registrations r WHERE r.meeting_id = m.id AND r.status = 'waitlisted') AS BIGINT)
                    AS waitlisted
         FROM meetings m WHERE m.status = 'published' AND m.starts_at >= $1 AND m.starts_at < $2
         ORDER BY m.starts_at, m.id LIMIT $3",
        now,
        until,
        limit
    )?;
    Ok((count, first))
}

pub async fn meeting_in(tx: &mut Tx, id: &str) -> Result<Meeting, sqlx::Error> {
    crate::fetch_one!(tx, Meeting, sqlx::AssertSqlSafe(format!("{MEETING} WHERE id = $1")), id)
}

pub async fn all(db: &Db) -> Result<Vec<Meeting>, sqlx::Error> {
    fetch_all!(db, Meeting, sqlx::AssertSqlSafe(format!("{MEETING} ORDER BY starts_at DESC")))
}

pub async fn hosted_by(db: &Db, organisation_id: &str) -> Result<Vec<Meeting>, sqlx::Error> {
    fetch_all!(
        db,
        Meeting,
        sqlx::AssertSqlSafe(format!(
            "{MEETING} WHERE host_organisation_id = $1 AND status <> 'draft' ORDER BY starts_at DESC"
        )),
        organisation_id
    )
}

/// Everything an organiser sets on a meeting.
pub struct MeetingInput {
    pub slug: String,
    pub title: String,
    pub format: String,
    pub summary_md: String,
    pub agenda_md: String,
    pub disciplines: String,
    pub audience: String,
    pub group_id: Option<String>,
    pub mode: String,
    pub joining_link: String,
    pub venue: String,
    pub directions: String,
    pub accessibility: String,
    pub host_organisation_id: Option<String>,
    pub chair: String,
    pub speakers_md: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub capacity: i64,
    pub chatham_house: bool,
    pub status: String,
}

pub async fn insert_meeting(db: &Db, m: &MeetingInput) -> Result<String, sqlx::Error> {
    use crate::web::markdown::to_safe_html as html;
    let id = new_id();
    let now = Utc::now();
    execute!(
        db,
        "INSERT INTO meetings (id, slug, title, format, summary_md, summary_html, agenda_md, agenda_html, disciplines,
             audience, group_id, mode, joining_link, venue, directions, accessibility, host_organisation_id, chair,
             speakers_md, speakers_html, starts_at, ends_at, registration_closes_at, capacity, chatham_house, status,
             sequence, notes_md, notes_html, recording_link, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
                 $23, $24, $25, $26, 0, '', '', '', $27, $27)",
        &id,
        &m.slug,
        &m.title,
        &m.format,
        &m.summary_md,
        html(&m.summary_md),
        &m.agenda_md,
        html(&m.agenda_md),
        &m.disciplines,
        &m.audience,
        m.group_id.as_deref(),
        &m.mode,
        &m.joining_link,
        &m.venue,
        &m.directions,
        &m.accessibility,
        m.host_organisation_id.as_deref(),
        &m.chair,
        &m.speakers_md,
        html(&m.speakers_md),
        m.starts_at,
        m.ends_at,
        m.registration_closes_at,
        m.capacity,
        m.chatham_house,
        &m.status,
        now
    )?;
    Ok(id)
}

/// Saves a meeting; `sequence_up` when attendees must hear of the change (time, place, cancellation).
pub async fn update_meeting(tx: &mut Tx, id: &str, m: &MeetingInput, sequence_up: bool) -> Result<u64, sqlx::Error> {
    use crate::web::markdown::to_safe_html as html;
    execute!(
        tx,
        "UPDATE meetings SET slug = $1, title = $2, format = $3, summary_md = $4, summary_html = $5, agenda_md = $6,
             agenda_html = $7, disciplines = $8, audience = $9, group_id = $10, mode = $11, joining_link = $12, venue = $13,
             directions = $14, accessibility = $15, host_organisation_id = $16, chair = $17, speakers_md = $18,
             speakers_html = $19, starts_at = $20, ends_at = $21, registration_closes_at = $22, capacity = $23,
             chatham_house = $24, status = $25, sequence = sequence + $26, updated_at = $27
         WHERE id = $28",
        &m.slug,
        &m.title,
        &m.format,
        &m.summary_md,
        html(&m.summary_md),
        &m.agenda_md,
        html(&m.agenda_md),
        &m.disciplines,
        &m.audience,
        m.group_id.as_deref(),
        &m.mode,
        &m.joining_link,
        &m.venue,
        &m.directions,
        &m.accessibility,
        m.host_organisation_id.as_deref(),
        &m.chair,
        &m.speakers_md,
        html(&m.speakers_md),
        m.starts_at,
        m.ends_at,
        m.registration_closes_at,
        m.capacity,
        m.chatham_house,
        &m.status,
        if sequence_up { 1i64 } else { 0 },
        Utc::now(),
        id
    )
}

pub async fn set_materials(
    tx: &mut Tx,
    id: &str,
    notes_md: &str,
    recording_link: &str,
    slides: Option<Option<&str>>,
) -> Result<(), sqlx::Error> {
    execute!(
        &mut *tx,
        "UPDATE meetings SET notes_md = $1, notes_html = $2, recording_link = $3, updated_at = $4 WHERE id = $5",
        notes_md,
        crate::web::markdown::to_safe_html(notes_md),
        recording_link,
        Utc::now(),
        id
    )?;
    if let Some(file) = slides {
        execute!(tx, "UPDATE meetings SET slides_file_id = $1 WHERE id = $2", file, id)?;
    }
    Ok(())
}

/// Takes the meeting's write lock for the rest of the transaction (a row lock on PostgreSQL, the database's
/// write lock on SQLite), so that places are counted and given out one registration at a time.
pub async fn lock_meeting(tx: &mut Tx, id: &str) -> Result<(), sqlx::Error> {
    execute!(tx, "UPDATE meetings SET capacity = capacity WHERE id = $1", id)?;
    Ok(())
}

// Registrations

const REGISTRATION: &str = "SELECT id, meeting_id, user_id, name, email, organisation, status, queued_at, attended, name_shown FROM registrations";

pub async fn registration_of(db: &Db, meeting_id: &str, email: &str) -> Result<Option<Registration>, sqlx::Error> {
    fetch_optional!(
        db,
        Registration,
        sqlx::AssertSqlSafe(format!("{REGISTRATION} WHERE meeting_id = $1 AND email = $2")),
        meeting_id,
        email
    )
}

pub async fn registration(db: &Db, id: &str) -> Result<Option<Registration>, sqlx::Error> {
    fetch_optional!(db, Registration, sqlx::AssertSqlSafe(format!("{REGISTRATION} WHERE id = $1")), id)
}

pub async fn registration_by_token(
    db: &Db,
    column: TokenKind,
    token_hash: &str,
) -> Result<Option<Registration>, sqlx::Error> {
    let sql = match column {
        TokenKind::Confirm => format!("{REGISTRATION} WHERE confirm_token_hash = $1"),
        TokenKind::Cancel => format!("{REGISTRATION} WHERE cancel_token_hash = $1"),
    };
    fetch_optional!(db, Registration, sqlx::AssertSqlSafe(sql), token_hash)
}

#[derive(Clone, Copy)]
pub enum TokenKind {
    Confirm,
    Cancel,
}

/// Registrations of a meeting that are not cancelled, in arrival order.
pub async fn registrations(db: &Db, meeting_id: &str) -> Result<Vec<Registration>, sqlx::Error> {
    fetch_all!(
        db,
        Registration,
        sqlx::AssertSqlSafe(format!(
            "{REGISTRATION} WHERE meeting_id = $1 AND status <> 'cancelled' ORDER BY queued_at, id"
        )),
        meeting_id
    )
}

/// A member's registrations that are not cancelled.
pub async fn registrations_of_user(db: &Db, user_id: &str) -> Result<Vec<Registration>, sqlx::Error> {
    fetch_all!(
        db,
        Registration,
        sqlx::AssertSqlSafe(format!("{REGISTRATION} WHERE user_id = $1 AND status <> 'cancelled'")),
        user_id
    )
}

pub async fn count_confirmed(tx: &mut Tx, meeting_id: &str) -> Result<i64, sqlx::Error> {
    crate::fetch_scalar!(
        tx,
        i64,
        "SELECT COUNT(*) FROM registrations WHERE meeting_id = $1 AND status = 'confirmed'",
        meeting_id
    )
}

pub async fn first_waitlisted(tx: &mut Tx, meeting_id: &str) -> Result<Option<Registration>, sqlx::Error> {
    fetch_optional!(
        tx,
        Registration,
        sqlx::AssertSqlSafe(format!(
            "{REGISTRATION} WHERE meeting_id = $1 AND status = 'waitlisted' ORDER BY queued_at, id LIMIT 1"
        )),
        meeting_id
    )
}

pub struct NewRegistration<'a> {
    pub meeting_id: &'a str,
    pub user_id: Option<&'a str>,
    pub name: &'a str,
    pub email: &'a str,
    pub organisation: &'a str,
    pub status: &'a str,
    pub confirm_token_hash: Option<&'a str>,
    pub cancel_token_hash: &'a str,
}

/// Registers, or registers again after a cancellation (the place in the queue is then new).
pub async fn upsert_registration(tx: &mut Tx, r: &NewRegistration<'_>) -> Result<String, sqlx::Error> {
    let now = Utc::now();
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO registrations (id, meeting_id, user_id, name, email, organisation, status, queued_at, confirm_token_hash,
                                    cancel_token_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $8, $8)
         ON CONFLICT (meeting_id, email) DO UPDATE SET user_id = excluded.user_id, name = excluded.name,
             organisation = excluded.organisation, status = excluded.status, queued_at = excluded.queued_at,
             confirm_token_hash = excluded.confirm_token_hash, cancel_token_hash = excluded.cancel_token_hash,
             reminded_at = NULL, updated_at = excluded.updated_at",
        &id,
        r.meeting_id,
        r.user_id,
        r.name,
        r.email,
        r.organisation,
        r.status,
        now,
        r.confirm_token_hash,
        r.cancel_token_hash
    )?;
    let found: String = crate::fetch_scalar!(
        tx,
        String,
        "SELECT id FROM registrations WHERE meeting_id = $1 AND email = $2",
        r.meeting_id,
        r.email
    )?;
    Ok(found)
}

/// A registration read inside a transaction (after the meeting's row is held).
pub async fn registration_in(tx: &mut Tx, id: &str) -> Result<Registration, sqlx::Error> {
    crate::fetch_one!(tx, Registration, sqlx::AssertSqlSafe(format!("{REGISTRATION} WHERE id = $1")), id)
}

/// Whether a member's name shows among who is going.
pub async fn set_name_shown(db: &Db, id: &str, shown: bool) -> Result<(), sqlx::Error> {
    execute!(db, "UPDATE registrations SET name_shown = $1, updated_at = $2 WHERE id = $3", shown, Utc::now(), id)?;
    Ok(())
}

/// Marks a reminder sent now (an organiser's "remind now"), so the scheduled one does not repeat it.
pub async fn mark_reminded(tx: &mut Tx, id: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    execute!(tx, "UPDATE registrations SET reminded_at = $1 WHERE id = $2", now, id)?;
    Ok(())
}

pub async fn set_registration_status(tx: &mut Tx, id: &str, status: &str) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "UPDATE registrations SET status = $1, confirm_token_hash = CASE WHEN $1 = 'unconfirmed' THEN confirm_token_hash ELSE NULL END,
             updated_at = $2 WHERE id = $3",
        status,
        Utc::now(),
        id
    )?;
    Ok(())
}

pub async fn set_cancel_token(tx: &mut Tx, id: &str, token_hash: &str) -> Result<(), sqlx::Error> {
    execute!(tx, "UPDATE registrations SET cancel_token_hash = $1 WHERE id = $2", token_hash, id)?;
    Ok(())
}

pub async fn set_attended(db: &Db, meeting_id: &str, registration_id: &str, attended: bool) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "UPDATE registrations SET attended = $1 WHERE id = $2 AND meeting_id = $3",
        attended,
        registration_id,
        meeting_id
    )?;
    Ok(())
}

/// Confirmed registrations of published meetings starting before `until` that have had no reminder yet.
pub async fn due_reminders(
    db: &Db,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Due {
        id: String,
        meeting_id: String,
    }
    let rows = fetch_all!(
        db,
        Due,
        "SELECT r.id, r.meeting_id FROM registrations r JOIN meetings m ON m.id = r.meeting_id
         WHERE r.status = 'confirmed' AND r.reminded_at IS NULL AND m.status = 'published'
           AND m.starts_at > $1 AND m.starts_at <= $2",
        now,
        until
    )?;
    Ok(rows.into_iter().map(|d| (d.id, d.meeting_id)).collect())
}

/// Marks the reminder of a registration as sent; false when another worker already did.
pub async fn claim_reminder(tx: &mut Tx, registration_id: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    Ok(execute!(
        tx,
        "UPDATE registrations SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL",
        now,
        registration_id
    )? == 1)
}

// Feedback

pub async fn save_feedback(db: &Db, registration_id: &str, score: i64, comment: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO meeting_feedback (registration_id, score, comment, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (registration_id) DO UPDATE SET score = excluded.score, comment = excluded.comment",
        registration_id,
        score,
        comment,
        Utc::now()
    )?;
    Ok(())
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Feedback {
    pub score: i64,
    pub comment: String,
}

pub async fn feedback(db: &Db, meeting_id: &str) -> Result<Vec<Feedback>, sqlx::Error> {
    fetch_all!(
        db,
        Feedback,
        "SELECT f.score, f.comment FROM meeting_feedback f JOIN registrations r ON r.id = f.registration_id
         WHERE r.meeting_id = $1 ORDER BY f.created_at",
        meeting_id
    )
}

// Calendar feeds

pub async fn set_feed_token(db: &Db, user_id: &str, token_hash: &str) -> Result<(), sqlx::Error> {
    execute!(
        db,
        "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
        user_id,
        token_hash,
        Utc::now()
    )?;
    Ok(())
}

pub async fn revoke_feed(db: &Db, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(db, "DELETE FROM calendar_feeds WHERE user_id = $1", user_id)?;
    Ok(())
}

/// A private feed: whose it is, and whether it holds only the meetings its owner registered for.
#[derive(sqlx::FromRow)]
pub struct Feed {
    pub user_id: String,
    pub only_registered: bool,
}

pub async fn feed(db: &Db, token_hash: &str) -> Result<Option<Feed>, sqlx::Error> {
    crate::fetch_optional!(
        db,
        Feed,
        "SELECT user_id, only_registered FROM calendar_feeds WHERE token_hash = $1",
        token_hash
    )
}

/// The person's feed, if it is on.
pub async fn feed_of(db: &Db, user_id: &str) -> Result<Option<Feed>, sqlx::Error> {
    crate::fetch_optional!(db, Feed, "SELECT user_id, only_registered FROM calendar_feeds WHERE user_id = $1", user_id)
}

pub async fn set_feed_choice(db: &Db, user_id: &str, only_registered: bool) -> Result<(), sqlx::Error> {
    execute!(db, "UPDATE calendar_feeds SET only_registered = $1 WHERE user_id = $2", only_registered, user_id)?;
    Ok(())
}

/// The upcoming published meetings where a person holds a confirmed place.
pub async fn upcoming_places_of(
    tx: &mut Tx,
    person: &crate::feature::Person,
    now: DateTime<Utc>,
) -> Result<Vec<String>, sqlx::Error> {
    crate::on_engine!(&mut *tx, |e| {
        sqlx::query_scalar::<_, String>(
            "SELECT DISTINCT r.meeting_id FROM registrations r JOIN meetings m ON m.id = r.meeting_id
             WHERE (r.user_id = $1 OR r.email = $2) AND r.status = 'confirmed'
               AND m.status = 'published' AND m.starts_at > $3",
        )
        .persistent(crate::db::keep_prepared())
        .bind(&person.id)
        .bind(&person.email)
        .bind(now)
        .fetch_all(e)
        .await
    })
}

/// A person's registrations (as a member, or as a guest under the same address), with their feedback, and
/// their private calendar feed.
pub async fn erase_person(tx: &mut Tx, person: &crate::feature::Person) -> Result<(), sqlx::Error> {
    execute!(
        &mut *tx,
        "DELETE FROM meeting_feedback WHERE registration_id IN
             (SELECT id FROM registrations WHERE user_id = $1 OR email = $2)",
        &person.id,
        &person.email
    )?;
    execute!(&mut *tx, "DELETE FROM registrations WHERE user_id = $1 OR email = $2", &person.id, &person.email)?;
    execute!(&mut *tx, "DELETE FROM calendar_feeds WHERE user_id = $1", &person.id)?;
    Ok(())
}

/// What the meetings programme holds about a person: (meeting title, status, registered at, feedback score,
/// feedback comment) per registration, and whether a private calendar feed is on.
#[derive(Debug, sqlx::FromRow)]
pub struct HeldRegistration {
    pub meeting: String,
    pub name: String,
    pub email: String,
    pub organisation: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub score: Option<i64>,
    pub comment: Option<String>,
}

pub async fn held_registrations(
    db: &Db,
    person: &crate::feature::Person,
) -> Result<Vec<HeldRegistration>, sqlx::Error> {
    fetch_all!(
        db,
        HeldRegistration,
        "SELECT m.title AS meeting, r.name, r.email, r.organisation, r.status, r.created_at, f.score, f.comment
         FROM registrations r JOIN meetings m ON m.id = r.meeting_id
         LEFT JOIN meeting_feedback f ON f.registration_id = r.id
         WHERE r.user_id = $1 OR r.email = $2 ORDER BY r.created_at",
        &person.id,
        &person.email
    )
}
