//! SQL for applications, their history, organisations and the member directory.

use chrono::{DateTime, Utc};

use super::model::*;
use crate::db::{Db, Tx, new_id};
use crate::{execute, fetch_all, fetch_optional};

/// Everything about an application, written once when it is made.
pub struct NewApplication<'a> {
    pub user_id: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub job_title: &'a str,
    pub employment: &'a str,
    pub programme_role: &'a str,
    pub disciplines: &'a str,
    pub organisation_name: &'a str,
    pub organisation_domain: &'a str,
    pub sector: &'a str,
    pub employees: Option<i64>,
    pub region: &'a str,
    pub stage: &'a str,
    pub outcome: &'a str,
    pub rule_results: &'a str,
    pub organisation_id: Option<&'a str>,
    pub verify_token_hash: &'a str,
    pub verify_expires_at: DateTime<Utc>,
}

pub async fn insert_application(tx: &mut Tx, a: &NewApplication<'_>) -> Result<String, sqlx::Error> {
    let id = new_id();
    let now = Utc::now();
    execute!(
        tx,
        "INSERT INTO applications (id, user_id, kind, status, name, email, job_title, employment, programme_role, disciplines,
             organisation_name, organisation_domain, sector, employees, region, stage, outcome, rule_results,
             organisation_id, verify_token_hash, verify_expires_at, created_at, updated_at)
         VALUES ($1, $2, $21, 'unverified', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)",
        &id,
        a.user_id,
        a.name,
        a.email,
        a.job_title,
        a.employment,
        a.programme_role,
        a.disciplines,
        a.organisation_name,
        a.organisation_domain,
        a.sector,
        a.employees,
        a.region,
        a.stage,
        a.outcome,
        a.rule_results,
        a.organisation_id,
        a.verify_token_hash,
        a.verify_expires_at,
        now,
        a.kind
    )?;
    Ok(id)
}

const APPLICATION: &str =
    "SELECT id, user_id, kind, status, name, email, job_title, employment, programme_role, disciplines,
    organisation_name, organisation_domain, sector, employees, region, stage, outcome, rule_results, organisation_id,
    verify_expires_at, email_verified_at, decided_at, decision_reason, created_at FROM applications";

pub async fn application(db: &Db, id: &str) -> Result<Option<ApplicationRow>, sqlx::Error> {
    let sql = format!("{APPLICATION} WHERE id = $1");
    fetch_optional!(db, ApplicationRow, sqlx::AssertSqlSafe(sql), id)
}

pub async fn latest_application_of(db: &Db, user_id: &str) -> Result<Option<ApplicationRow>, sqlx::Error> {
    let sql = format!("{APPLICATION} WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1");
    fetch_optional!(db, ApplicationRow, sqlx::AssertSqlSafe(sql), user_id)
}

pub async fn application_by_verify_token(db: &Db, token_hash: &str) -> Result<Option<ApplicationRow>, sqlx::Error> {
    let sql = format!("{APPLICATION} WHERE verify_token_hash = $1");
    fetch_optional!(db, ApplicationRow, sqlx::AssertSqlSafe(sql), token_hash)
}

/// Applications for the review queue, newest first; `status` and `outcome` filter when given.
pub async fn applications(
    db: &Db,
    status: Option<&str>,
    outcome: Option<&str>,
) -> Result<Vec<ApplicationRow>, sqlx::Error> {
    let sql = format!(
        "{APPLICATION} WHERE ($1 = '' OR status = $1) AND ($2 = '' OR outcome = $2) ORDER BY created_at DESC LIMIT 500"
    );
    fetch_all!(db, ApplicationRow, sqlx::AssertSqlSafe(sql), status.unwrap_or(""), outcome.unwrap_or(""))
}

/// Moves an application from `from` to `to`; false when it was no longer in that state (a race).
pub async fn set_status(tx: &mut Tx, id: &str, from: Status, to: Status) -> Result<bool, sqlx::Error> {
    let changed = execute!(
        tx,
        "UPDATE applications SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4",
        to.as_str(),
        Utc::now(),
        id,
        from.as_str()
    )?;
    Ok(changed == 1)
}

pub async fn mark_verified(tx: &mut Tx, id: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "UPDATE applications SET email_verified_at = $1, verify_token_hash = NULL, verify_expires_at = NULL WHERE id = $2",
        now,
        id
    )?;
    Ok(())
}

pub async fn set_verify_token(
    tx: &mut Tx,
    id: &str,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "UPDATE applications SET verify_token_hash = $1, verify_expires_at = $2 WHERE id = $3",
        token_hash,
        expires_at,
        id
    )?;
    Ok(())
}

pub async fn record_decision(
    tx: &mut Tx,
    id: &str,
    decided_by: Option<&str>,
    reason: &str,
    organisation_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    execute!(
        tx,
        "UPDATE applications SET decided_by = $1, decided_at = $2, decision_reason = $3,
             organisation_id = COALESCE($4, organisation_id), updated_at = $2
         WHERE id = $5",
        decided_by,
        now,
        reason,
        organisation_id,
        id
    )?;
    Ok(())
}

pub async fn add_event(
    tx: &mut Tx,
    application_id: &str,
    actor_id: Option<&str>,
    kind: &str,
    message: &str,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "INSERT INTO application_events (id, application_id, actor_id, kind, message, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        new_id(),
        application_id,
        actor_id,
        kind,
        message,
        Utc::now()
    )?;
    Ok(())
}

pub async fn events(db: &Db, application_id: &str) -> Result<Vec<ApplicationEvent>, sqlx::Error> {
    fetch_all!(
        db,
        ApplicationEvent,
        "SELECT e.kind, e.message, u.name AS actor_name, e.created_at
         FROM application_events e LEFT JOIN users u ON u.id = e.actor_id
         WHERE e.application_id = $1 ORDER BY e.created_at, e.id",
        application_id
    )
}

// Organisations

const ORGANISATION: &str = "SELECT id, slug, name, sector, employees, region, stage FROM organisations";

/// The organisation that owns `domain` or one of its parent domains ("hr.council.gov.uk" -> "council.gov.uk").
pub async fn organisation_by_domain(db: &Db, domain: &str) -> Result<Option<Organisation>, sqlx::Error> {
    let mut candidates = vec![domain.to_string()];
    let mut rest = domain;
    while let Some((_, parent)) = rest.split_once('.') {
        if parent.contains('.') {
            candidates.push(parent.to_string());
        }
        rest = parent;
    }
    for candidate in candidates {
        let sql =
            format!("{} WHERE id = (SELECT organisation_id FROM organisation_domains WHERE domain = $1)", ORGANISATION);
        if let Some(org) = fetch_optional!(db, Organisation, sqlx::AssertSqlSafe(sql), &candidate)? {
            return Ok(Some(org));
        }
    }
    Ok(None)
}

pub async fn organisation_by_slug(db: &Db, slug: &str) -> Result<Option<Organisation>, sqlx::Error> {
    let sql = format!("{ORGANISATION} WHERE slug = $1");
    fetch_optional!(db, Organisation, sqlx::AssertSqlSafe(sql), slug)
}

pub async fn organisation(db: &Db, id: &str) -> Result<Option<Organisation>, sqlx::Error> {
    let sql = format!("{ORGANISATION} WHERE id = $1");
    fetch_optional!(db, Organisation, sqlx::AssertSqlSafe(sql), id)
}

pub async fn domains_of(db: &Db, organisation_id: &str) -> Result<Vec<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>(
            "SELECT domain FROM organisation_domains WHERE organisation_id = $1 ORDER BY domain",
        )
        .persistent(crate::db::keep_prepared())
        .bind(organisation_id)
        .fetch_all(e)
        .await
    })
}

/// Creates an organisation under a slug made unique with a number when needed.
pub async fn insert_organisation(
    tx: &mut Tx,
    name: &str,
    sector: &str,
    employees: i64,
    region: &str,
    stage: &str,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    let base = crate::web::forms::slugify(name);
    let taken: Vec<String> = crate::on_engine!(&mut *tx, |e| {
        sqlx::query_scalar::<_, String>("SELECT slug FROM organisations WHERE slug = $1 OR slug LIKE $2")
            .persistent(crate::db::keep_prepared())
            .bind(&base)
            .bind(format!("{base}-%"))
            .fetch_all(e)
            .await
    })?;
    let slug = (1..)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
        .find(|s| !taken.contains(s))
        .unwrap_or(base);
    let now = Utc::now();
    execute!(
        tx,
        "INSERT INTO organisations (id, slug, name, sector, employees, region, stage, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        &id,
        &slug,
        name,
        sector,
        employees,
        region,
        stage,
        now
    )?;
    Ok(id)
}

/// Records that `domain` belongs to the organisation, unless another already claims it.
pub async fn add_domain(tx: &mut Tx, organisation_id: &str, domain: &str) -> Result<bool, sqlx::Error> {
    let exists: i64 =
        crate::fetch_scalar!(&mut *tx, i64, "SELECT COUNT(*) FROM organisation_domains WHERE domain = $1", domain)?;
    if exists > 0 {
        return Ok(false);
    }
    execute!(
        tx,
        "INSERT INTO organisation_domains (domain, organisation_id, created_at) VALUES ($1, $2, $3)",
        domain,
        organisation_id,
        Utc::now()
    )?;
    Ok(true)
}

/// Moves a member to their new organisation and work address, after an approved change of employer.
pub async fn move_member(
    tx: &mut Tx,
    user_id: &str,
    email: &str,
    organisation_id: &str,
    job_title: &str,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "UPDATE users SET email = $1, organisation_id = $2, job_title = $3, updated_at = $4 WHERE id = $5",
        email,
        organisation_id,
        job_title,
        Utc::now(),
        user_id
    )?;
    Ok(())
}

/// Makes an applicant a member of `organisation_id` for a term ending at `ends_at`.
pub async fn make_member(
    tx: &mut Tx,
    user_id: &str,
    organisation_id: &str,
    job_title: &str,
    now: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "UPDATE users SET role = CASE WHEN role = 'applicant' THEN 'member' ELSE role END, organisation_id = $1,
             job_title = $2, member_since = COALESCE(member_since, $3), membership_ends_at = $4, updated_at = $3
         WHERE id = $5",
        organisation_id,
        job_title,
        now,
        ends_at,
        user_id
    )?;
    Ok(())
}

// The directory

/// What the directory is asked for; empty strings and `None` mean "any".
#[derive(Default)]
pub struct DirectoryFilter<'a> {
    pub query: &'a str,
    pub organisation_id: Option<&'a str>,
    pub sector: &'a str,
    pub region: &'a str,
    pub discipline: &'a str,
    pub group_id: Option<&'a str>,
}

/// Members in their term (and organisers and moderators), as other members may see them: a field a member
/// hides is neither shown nor searchable.
pub async fn members(
    db: &Db,
    filter: &DirectoryFilter<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<MemberListing>, sqlx::Error> {
    let pattern = format!("%{}%", filter.query.trim().to_lowercase().replace(['%', '_'], ""));
    let discipline = format!("%,{},%", filter.discipline);
    let sql = format!(
        "SELECT u.id, u.name,
                CASE WHEN COALESCE(p.show_job_title, TRUE) THEN u.job_title ELSE '' END AS job_title,
                CASE WHEN COALESCE(p.show_organisation, TRUE) THEN o.name END AS organisation_name,
                CASE WHEN COALESCE(p.show_organisation, TRUE) THEN o.slug END AS organisation_slug
         FROM users u
         LEFT JOIN organisations o ON o.id = u.organisation_id
         LEFT JOIN profiles p ON p.user_id = u.id
         WHERE {members}
           AND (LOWER(u.name) LIKE $2 OR (COALESCE(p.show_organisation, TRUE) AND LOWER(COALESCE(o.name, '')) LIKE $2))
           AND ($3 = '' OR (u.organisation_id = $3 AND COALESCE(p.show_organisation, TRUE)))
           AND ($4 = '' OR (COALESCE(p.show_organisation, TRUE) AND o.sector = $4))
           AND ($5 = '' OR (COALESCE(p.show_organisation, TRUE) AND o.region = $5))
           AND ($6 = '' OR (',' || COALESCE(p.disciplines, '') || ',') LIKE $7)
           AND ($8 = '' OR EXISTS (SELECT 1 FROM group_members g WHERE g.group_id = $8 AND g.user_id = u.id AND g.status = 'active'))
         ORDER BY u.name LIMIT 500",
        members = crate::auth::policy::members_area_sql("u", "$1"),
    );
    fetch_all!(
        db,
        MemberListing,
        sqlx::AssertSqlSafe(sql),
        now,
        &pattern,
        filter.organisation_id.unwrap_or(""),
        filter.sector,
        filter.region,
        filter.discipline,
        &discipline,
        filter.group_id.unwrap_or("")
    )
}

/// The regions organisers keep, in their order: what applicants choose from, the directory filters by and
/// newsletters are sent to.
/// What the reports count of each member within their term: their organisation's facts.
#[derive(Debug, sqlx::FromRow)]
pub struct MemberOrganisation {
    pub sector: String,
    pub employees: i64,
    pub region: String,
    pub stage: String,
}

pub async fn member_organisations(db: &Db, now: DateTime<Utc>) -> Result<Vec<MemberOrganisation>, sqlx::Error> {
    fetch_all!(
        db,
        MemberOrganisation,
        sqlx::AssertSqlSafe(format!(
            "SELECT o.sector, o.employees, o.region, o.stage FROM users u JOIN organisations o ON o.id = u.organisation_id
             WHERE u.role = 'member' AND {}",
            crate::auth::policy::members_area_sql("u", "$1")
        )),
        now
    )
}

/// Every member's term: when they joined, when the term ends (or ended), and whether they may renew.
pub async fn member_terms(db: &Db) -> Result<Vec<(Option<DateTime<Utc>>, Option<DateTime<Utc>>, bool)>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_as::<_, (Option<DateTime<Utc>>, Option<DateTime<Utc>>, bool)>(sqlx::AssertSqlSafe(format!(
            "SELECT member_since, membership_ends_at, {} FROM users WHERE role = 'member'",
            crate::auth::policy::renewal_sql("users")
        )))
        .persistent(crate::db::keep_prepared())
        .fetch_all(e)
        .await
    })
}

/// Every application to join: its status, when it came, when it was decided.
pub async fn application_outcomes(db: &Db) -> Result<Vec<(String, DateTime<Utc>, Option<DateTime<Utc>>)>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_as::<_, (String, DateTime<Utc>, Option<DateTime<Utc>>)>(
            "SELECT status, created_at, decided_at FROM applications WHERE kind = 'join'",
        )
        .persistent(crate::db::keep_prepared())
        .fetch_all(e)
        .await
    })
}

pub async fn regions(db: &Db) -> Result<Vec<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>("SELECT name FROM regions ORDER BY position, name")
            .persistent(crate::db::keep_prepared())
            .fetch_all(e)
            .await
    })
}

/// Each kept region with the number of organisations in it, for the organisers' list.
pub async fn regions_in_use(db: &Db) -> Result<Vec<RegionInUse>, sqlx::Error> {
    fetch_all!(
        db,
        RegionInUse,
        "SELECT r.name, CAST(COUNT(o.id) AS BIGINT) AS organisations
         FROM regions r LEFT JOIN organisations o ON o.region = r.name
         GROUP BY r.name, r.position ORDER BY r.position, r.name"
    )
}

/// Adds a region at the end of the list; false if one of that name (in any case) is there already.
pub async fn add_region(db: &Db, name: &str) -> Result<bool, sqlx::Error> {
    let taken: i64 = crate::fetch_scalar!(db, i64, "SELECT COUNT(*) FROM regions WHERE LOWER(name) = LOWER($1)", name)?;
    if taken > 0 {
        return Ok(false);
    }
    let added = execute!(
        db,
        "INSERT INTO regions (name, position) SELECT $1, COALESCE(MAX(position), 0) + 10 FROM regions",
        name
    );
    match added {
        Err(e) if crate::db::is_unique_violation(&e) => Ok(false),
        other => other.map(|n| n > 0),
    }
}

/// Renames a region in the list and for the organisations and applications that name it.
pub async fn rename_region(tx: &mut Tx, old: &str, new: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "UPDATE regions SET name = $1 WHERE name = $2", new, old)?;
    execute!(
        &mut *tx,
        "UPDATE organisations SET region = $1, updated_at = $2 WHERE region = $3",
        new,
        Utc::now(),
        old
    )?;
    execute!(&mut *tx, "UPDATE applications SET region = $1 WHERE region = $2", new, old)?;
    Ok(())
}

/// Moves a region one place up or down the list, swapping it with its neighbour.
pub async fn move_region(tx: &mut Tx, name: &str, up: bool) -> Result<(), sqlx::Error> {
    let names: Vec<String> = crate::on_engine!(&mut *tx, |e| {
        sqlx::query_scalar::<_, String>("SELECT name FROM regions ORDER BY position, name")
            .persistent(crate::db::keep_prepared())
            .fetch_all(e)
            .await
    })?;
    let Some(at) = names.iter().position(|n| n == name) else { return Ok(()) };
    let to = if up { at.checked_sub(1) } else { Some(at + 1).filter(|t| *t < names.len()) };
    let Some(to) = to else { return Ok(()) };
    let mut order = names;
    order.swap(at, to);
    for (i, n) in order.iter().enumerate() {
        execute!(&mut *tx, "UPDATE regions SET position = $1 WHERE name = $2", (i as i64 + 1) * 10, n)?;
    }
    Ok(())
}

/// Removes a region from the list; refused (false) while an organisation is in it.
pub async fn remove_region(db: &Db, name: &str) -> Result<bool, sqlx::Error> {
    let removed = execute!(
        db,
        "DELETE FROM regions WHERE name = $1 AND NOT EXISTS (SELECT 1 FROM organisations WHERE region = $1)",
        name
    )?;
    Ok(removed > 0)
}

pub async fn all_organisations(db: &Db) -> Result<Vec<Organisation>, sqlx::Error> {
    let sql = format!("{ORGANISATION} ORDER BY name");
    fetch_all!(db, Organisation, sqlx::AssertSqlSafe(sql))
}

pub async fn update_organisation(db: &Db, id: &str, o: &Organisation) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE organisations SET name = $1, sector = $2, employees = $3, region = $4, stage = $5, updated_at = $6 WHERE id = $7",
        &o.name,
        &o.sector,
        o.employees,
        &o.region,
        &o.stage,
        Utc::now(),
        id
    )
}

pub async fn remove_domain(db: &Db, organisation_id: &str, domain: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM organisation_domains WHERE organisation_id = $1 AND domain = $2", organisation_id, domain)
}

/// Merges a duplicate into the organisation that stays: its members, applications and domains move over, in
/// one transaction, and the duplicate goes.
pub async fn merge_organisations(tx: &mut Tx, duplicate_id: &str, keep_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "UPDATE users SET organisation_id = $1 WHERE organisation_id = $2", keep_id, duplicate_id)?;
    execute!(
        &mut *tx,
        "UPDATE applications SET organisation_id = $1 WHERE organisation_id = $2",
        keep_id,
        duplicate_id
    )?;
    execute!(
        &mut *tx,
        "UPDATE organisation_domains SET organisation_id = $1 WHERE organisation_id = $2",
        keep_id,
        duplicate_id
    )?;
    execute!(tx, "DELETE FROM organisations WHERE id = $1", duplicate_id)?;
    Ok(())
}

/// What membership keeps about a person: applications and their history, renewal reminders, the profile,
/// e-mail choices and the links that changed them, group memberships, and their name on others' applications.
pub async fn erase_person(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    execute!(&mut *tx, "UPDATE application_events SET actor_id = NULL WHERE actor_id = $1", user_id)?;
    execute!(&mut *tx, "UPDATE applications SET decided_by = NULL WHERE decided_by = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM applications WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM renewal_reminders WHERE user_id = $1", user_id)?;
    execute!(
        &mut *tx,
        "DELETE FROM files WHERE id IN (SELECT photo_file_id FROM profiles WHERE user_id = $1)",
        user_id
    )?;
    super::faces::remove(tx, user_id).await?;
    execute!(&mut *tx, "DELETE FROM profiles WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM email_consents WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM unsubscribe_links WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM group_members WHERE user_id = $1", user_id)?;
    Ok(())
}

/// Applications waiting for an organiser, oldest first (waiting since the address was confirmed), at most `limit`,
/// with how many there are in all.
pub async fn awaiting_review(db: &Db, limit: i64) -> Result<(i64, Vec<Awaiting>), sqlx::Error> {
    let count = crate::fetch_scalar!(db, i64, "SELECT COUNT(*) FROM applications WHERE status = 'pending'")?;
    let first = fetch_all!(
        db,
        Awaiting,
        "SELECT name, organisation_name, COALESCE(email_verified_at, created_at) AS since
         FROM applications WHERE status = 'pending' ORDER BY since, id LIMIT $1",
        limit
    )?;
    Ok((count, first))
}

/// How many applicants were asked for more information and have not answered.
pub async fn awaiting_applicants(db: &Db) -> Result<i64, sqlx::Error> {
    crate::fetch_scalar!(db, i64, "SELECT COUNT(*) FROM applications WHERE status = 'info_requested'")
}

/// Members whose term ends between `from` and `until`, soonest first, at most `limit`, with how many in all.
pub async fn terms_ending(
    db: &Db,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> Result<(i64, Vec<(String, DateTime<Utc>)>), sqlx::Error> {
    const ENDING: &str = "FROM users WHERE role = 'member' AND suspended = FALSE
         AND membership_ends_at >= $1 AND membership_ends_at < $2";
    let count = crate::fetch_scalar!(db, i64, sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {ENDING}")), from, until)?;
    let first = fetch_all!(
        db,
        (String, DateTime<Utc>),
        sqlx::AssertSqlSafe(format!(
            "SELECT name, membership_ends_at {ENDING} ORDER BY membership_ends_at, id LIMIT $3"
        )),
        from,
        until,
        limit
    )?;
    Ok((count, first))
}
