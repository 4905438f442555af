//! SQL for team spaces, their sites, people and activities.

use chrono::{DateTime, Utc};

use super::model::{ActivityRow, PersonRow, SiteRow, Space};
use crate::auth::policy::TeamStanding as Standing;
use crate::db::{Db, Tx, new_id};
use crate::{execute, fetch_all, fetch_optional};

const SPACE: &str = "SELECT id, name, working_days, day_hours, service_hours, scenario_of, closed_at FROM team_spaces";

pub async fn space(db: &Db, id: &str) -> Result<Option<Space>, sqlx::Error> {
    fetch_optional!(db, Space, sqlx::AssertSqlSafe(format!("{SPACE} WHERE id = $1")), id)
}

/// An organisation's open team spaces (not scenarios), for the evidence its award entries may attach.
pub async fn spaces_of_organisation(db: &Db, organisation_id: &str) -> Result<Vec<Space>, sqlx::Error> {
    fetch_all!(
        db,
        Space,
        "SELECT id, name, working_days, day_hours, service_hours, scenario_of, closed_at FROM team_spaces
         WHERE organisation_id = $1 AND scenario_of IS NULL AND closed_at IS NULL ORDER BY created_at",
        organisation_id
    )
}

/// The spaces a person is in, with how they stand in each, by name.
pub async fn spaces_of(db: &Db, user_id: &str) -> Result<Vec<(Space, Standing)>, sqlx::Error> {
    let spaces = fetch_all!(
        db,
        Space,
        sqlx::AssertSqlSafe(format!(
            "{SPACE} WHERE id IN (SELECT space_id FROM team_members WHERE user_id = $1) ORDER BY name, id"
        )),
        user_id
    )?;
    let mut out = Vec::new();
    for s in spaces {
        if let Some(standing) = standing(db, &s.id, user_id).await? {
            out.push((s, standing));
        }
    }
    Ok(out)
}

/// How a person stands in a space, if they are in it.
pub async fn standing(db: &Db, space_id: &str, user_id: &str) -> Result<Option<Standing>, sqlx::Error> {
    let role: Option<String> = crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>("SELECT role FROM team_members WHERE space_id = $1 AND user_id = $2")
            .persistent(crate::db::keep_prepared())
            .bind(space_id)
            .bind(user_id)
            .fetch_optional(e)
            .await
    })?;
    Ok(role.as_deref().and_then(Standing::parse))
}

pub struct NewSpace<'a> {
    pub name: &'a str,
    pub organisation_id: Option<&'a str>,
    pub working_days: &'a str,
    pub day_hours: f64,
    pub service_hours: &'a str,
    pub scenario_of: Option<&'a str>,
}

pub async fn insert_space(
    tx: &mut Tx,
    s: &NewSpace<'_>,
    lead: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO team_spaces (id, name, organisation_id, working_days, day_hours, service_hours, scenario_of,
                                  created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        &id,
        s.name,
        s.organisation_id,
        s.working_days,
        s.day_hours,
        s.service_hours,
        s.scenario_of,
        lead,
        now
    )?;
    add_member(tx, &id, lead, Standing::Lead, now).await?;
    Ok(id)
}

pub async fn add_member(
    tx: &mut Tx,
    space_id: &str,
    user_id: &str,
    standing: Standing,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    execute!(
        &mut *tx,
        "INSERT INTO team_members (space_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4)",
        space_id,
        user_id,
        standing.key(),
        now
    )?;
    Ok(())
}

pub async fn update_space(db: &Db, id: &str, s: &NewSpace<'_>, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE team_spaces SET name = $1, working_days = $2, day_hours = $3, service_hours = $4, updated_at = $5
         WHERE id = $6",
        s.name,
        s.working_days,
        s.day_hours,
        s.service_hours,
        now,
        id
    )
}

// Sites

pub async fn sites(db: &Db, space_id: &str) -> Result<Vec<SiteRow>, sqlx::Error> {
    fetch_all!(
        db,
        SiteRow,
        "SELECT id, name, desks FROM team_sites WHERE space_id = $1 ORDER BY position, id",
        space_id
    )
}

pub async fn insert_site(tx: &mut Tx, space_id: &str, name: &str, desks: &str) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO team_sites (id, space_id, name, desks, position)
         SELECT $1, $2, $3, $4, COALESCE(MAX(position), 0) + 10 FROM team_sites WHERE space_id = $2",
        &id,
        space_id,
        name,
        desks
    )?;
    Ok(id)
}

pub async fn update_site(db: &Db, space_id: &str, id: &str, name: &str, desks: &str) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE team_sites SET name = $1, desks = $2 WHERE id = $3 AND space_id = $4",
        name,
        desks,
        id,
        space_id
    )
}

pub async fn delete_site(db: &Db, space_id: &str, id: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM team_sites WHERE id = $1 AND space_id = $2", id, space_id)
}

// People

const PERSON: &str = "SELECT id, space_id, user_id, name, head_count, working_days, hours_per_week, site_id,
    constraints, home_checked FROM team_people";

pub async fn people(db: &Db, space_id: &str) -> Result<Vec<PersonRow>, sqlx::Error> {
    fetch_all!(
        db,
        PersonRow,
        sqlx::AssertSqlSafe(format!("{PERSON} WHERE space_id = $1 ORDER BY position, id")),
        space_id
    )
}

pub async fn person(db: &Db, space_id: &str, id: &str) -> Result<Option<PersonRow>, sqlx::Error> {
    fetch_optional!(
        db,
        PersonRow,
        sqlx::AssertSqlSafe(format!("{PERSON} WHERE id = $1 AND space_id = $2")),
        id,
        space_id
    )
}

pub struct NewPerson<'a> {
    pub user_id: Option<&'a str>,
    pub name: &'a str,
    pub head_count: i64,
    pub working_days: &'a str,
    pub hours_per_week: f64,
    pub site_id: Option<&'a str>,
    pub constraints: &'a str,
    pub home_checked: bool,
}

pub async fn insert_person(
    tx: &mut Tx,
    space_id: &str,
    p: &NewPerson<'_>,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO team_people (id, space_id, user_id, name, head_count, working_days, hours_per_week, site_id,
                                  constraints, home_checked, position, created_at, updated_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, COALESCE(MAX(position), 0) + 10, $11, $11
         FROM team_people WHERE space_id = $2",
        &id,
        space_id,
        p.user_id,
        p.name,
        p.head_count,
        p.working_days,
        p.hours_per_week,
        p.site_id,
        p.constraints,
        p.home_checked,
        now
    )?;
    Ok(id)
}

pub async fn update_person(db: &Db, id: &str, p: &NewPerson<'_>, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE team_people SET name = $1, head_count = $2, working_days = $3, hours_per_week = $4, site_id = $5,
                                constraints = $6, home_checked = $7, updated_at = $8
         WHERE id = $9",
        p.name,
        p.head_count,
        p.working_days,
        p.hours_per_week,
        p.site_id,
        p.constraints,
        p.home_checked,
        now,
        id
    )
}

pub async fn delete_person(db: &Db, space_id: &str, id: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM team_people WHERE id = $1 AND space_id = $2", id, space_id)
}

// Activities

const ACTIVITY: &str = "SELECT a.id, a.person_id, a.name, a.category, a.hours, a.cadence, a.place, a.place_reason,
    a.timing, a.time_window, a.collaboration, a.with_people, a.face_to_face, a.focus, a.rota, a.systems,
    a.systems_remote FROM team_activities a";

/// Every activity of a space's people, in each person's order.
pub async fn activities(db: &Db, space_id: &str) -> Result<Vec<ActivityRow>, sqlx::Error> {
    fetch_all!(
        db,
        ActivityRow,
        sqlx::AssertSqlSafe(format!(
            "{ACTIVITY} JOIN team_people p ON p.id = a.person_id WHERE p.space_id = $1 ORDER BY a.position, a.id"
        )),
        space_id
    )
}

/// The hours a week of a person's activities, leaving out `except` (the one being changed).
pub async fn described_hours(db: &Db, person_id: &str, except: &str) -> Result<f64, sqlx::Error> {
    crate::fetch_scalar!(
        db,
        f64,
        "SELECT COALESCE(SUM(hours), 0.0) FROM team_activities WHERE person_id = $1 AND id <> $2",
        person_id,
        except
    )
}

pub async fn activity(db: &Db, person_id: &str, id: &str) -> Result<Option<ActivityRow>, sqlx::Error> {
    fetch_optional!(
        db,
        ActivityRow,
        sqlx::AssertSqlSafe(format!("{ACTIVITY} WHERE a.id = $1 AND a.person_id = $2")),
        id,
        person_id
    )
}

pub async fn insert_activity(tx: &mut Tx, a: &ActivityRow, now: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO team_activities (id, person_id, name, category, hours, cadence, place, place_reason, timing,
                                      time_window, collaboration, with_people, face_to_face, focus, rota, systems,
                                      systems_remote, position, created_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                COALESCE(MAX(position), 0) + 10, $18
         FROM team_activities WHERE person_id = $2",
        &id,
        &a.person_id,
        &a.name,
        &a.category,
        a.hours,
        &a.cadence,
        &a.place,
        &a.place_reason,
        &a.timing,
        &a.time_window,
        &a.collaboration,
        &a.with_people,
        &a.face_to_face,
        &a.focus,
        a.rota,
        &a.systems,
        &a.systems_remote,
        now
    )?;
    Ok(id)
}

pub async fn update_activity(db: &Db, a: &ActivityRow) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE team_activities SET name = $1, category = $2, hours = $3, cadence = $4, place = $5, place_reason = $6,
                timing = $7, time_window = $8, collaboration = $9, with_people = $10, face_to_face = $11, focus = $12,
                rota = $13, systems = $14, systems_remote = $15
         WHERE id = $16 AND person_id = $17",
        &a.name,
        &a.category,
        a.hours,
        &a.cadence,
        &a.place,
        &a.place_reason,
        &a.timing,
        &a.time_window,
        &a.collaboration,
        &a.with_people,
        &a.face_to_face,
        &a.focus,
        a.rota,
        &a.systems,
        &a.systems_remote,
        &a.id,
        &a.person_id
    )
}

pub async fn delete_activity(db: &Db, person_id: &str, id: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM team_activities WHERE id = $1 AND person_id = $2", id, person_id)
}

// The network's view and personal data

/// How many spaces there are, open and closed (scenarios apart): all organisers may know of them.
pub async fn counts(db: &Db) -> Result<(i64, i64), sqlx::Error> {
    let open = crate::fetch_scalar!(
        db,
        i64,
        "SELECT COUNT(*) FROM team_spaces WHERE scenario_of IS NULL AND closed_at IS NULL"
    )?;
    let closed = crate::fetch_scalar!(
        db,
        i64,
        "SELECT COUNT(*) FROM team_spaces WHERE scenario_of IS NULL AND closed_at IS NOT NULL"
    )?;
    Ok((open, closed))
}

/// A person's part: the spaces they are in (name and standing) and the people rows that are theirs.
pub async fn person_rows_of(db: &Db, user_id: &str) -> Result<Vec<PersonRow>, sqlx::Error> {
    fetch_all!(db, PersonRow, sqlx::AssertSqlSafe(format!("{PERSON} WHERE user_id = $1 ORDER BY id")), user_id)
}

/// Erases a person's part: a space that was theirs alone goes with everything in it; from shared spaces their
/// places and invitations go, and the rows describing their work stay with the team, without their name or
/// their constraints.
/// The spaces a person is in, read inside the caller's transaction.
pub async fn space_ids_of(tx: &mut Tx, user_id: &str) -> Result<Vec<String>, sqlx::Error> {
    crate::on_engine!(&mut *tx, |e| {
        sqlx::query_scalar::<_, String>("SELECT space_id FROM team_members WHERE user_id = $1")
            .persistent(crate::db::keep_prepared())
            .bind(user_id)
            .fetch_all(e)
            .await
    })
}

pub async fn erase_person(tx: &mut Tx, user_id: &str, email: &str) -> Result<(), sqlx::Error> {
    execute!(
        &mut *tx,
        "DELETE FROM team_spaces WHERE id IN (SELECT space_id FROM team_members WHERE user_id = $1)
           AND NOT EXISTS (SELECT 1 FROM team_members m WHERE m.space_id = team_spaces.id AND m.user_id <> $1)",
        user_id
    )?;
    execute!(
        &mut *tx,
        "UPDATE team_people SET name = 'Former participant', constraints = '', user_id = NULL WHERE user_id = $1",
        user_id
    )?;
    execute!(&mut *tx, "DELETE FROM team_members WHERE user_id = $1", user_id)?;
    execute!(&mut *tx, "DELETE FROM team_invitations WHERE email = $1", email)?;
    execute!(&mut *tx, "UPDATE team_invitations SET invited_by = NULL WHERE invited_by = $1", user_id)?;
    execute!(&mut *tx, "UPDATE team_spaces SET created_by = NULL WHERE created_by = $1", user_id)?;
    Ok(())
}

// Members and invitations

/// Someone in a space, with how they stand.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MemberRow {
    pub user_id: String,
    pub name: String,
    pub role: String,
}

pub async fn members(db: &Db, space_id: &str) -> Result<Vec<MemberRow>, sqlx::Error> {
    fetch_all!(
        db,
        MemberRow,
        "SELECT m.user_id, u.name, m.role FROM team_members m JOIN users u ON u.id = m.user_id
         WHERE m.space_id = $1 ORDER BY m.role, u.name, m.user_id",
        space_id
    )
}

pub async fn set_standing(db: &Db, space_id: &str, user_id: &str, standing: Standing) -> Result<u64, sqlx::Error> {
    execute!(
        db,
        "UPDATE team_members SET role = $1 WHERE space_id = $2 AND user_id = $3",
        standing.key(),
        space_id,
        user_id
    )
}

/// Takes someone out of a space; the rows describing their work stay with the team, no longer theirs.
pub async fn remove_member(tx: &mut Tx, space_id: &str, user_id: &str) -> Result<u64, sqlx::Error> {
    execute!(
        &mut *tx,
        "UPDATE team_people SET user_id = NULL WHERE space_id = $1 AND user_id = $2",
        space_id,
        user_id
    )?;
    execute!(&mut *tx, "DELETE FROM team_members WHERE space_id = $1 AND user_id = $2", space_id, user_id)
}

pub async fn lead_count(db: &Db, space_id: &str) -> Result<i64, sqlx::Error> {
    crate::fetch_scalar!(db, i64, "SELECT COUNT(*) FROM team_members WHERE space_id = $1 AND role = 'lead'", space_id)
}

/// Makes a person row the one a participant describes (their own work).
pub async fn link_person(tx: &mut Tx, space_id: &str, person_id: &str, user_id: &str) -> Result<u64, sqlx::Error> {
    execute!(
        &mut *tx,
        "UPDATE team_people SET user_id = $1 WHERE id = $2 AND space_id = $3 AND user_id IS NULL",
        user_id,
        person_id,
        space_id
    )
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub space_id: String,
    pub email: String,
    pub role: String,
    pub person_id: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
}

const INVITATION: &str = "SELECT id, space_id, email, role, person_id, expires_at, accepted_at FROM team_invitations";

pub struct NewInvitation<'a> {
    pub space_id: &'a str,
    pub email: &'a str,
    pub standing: Standing,
    pub person_id: Option<&'a str>,
    pub token_hash: &'a str,
    pub invited_by: &'a str,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert_invitation(tx: &mut Tx, i: &NewInvitation<'_>, now: DateTime<Utc>) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO team_invitations (id, space_id, email, role, person_id, token_hash, invited_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &id,
        i.space_id,
        i.email,
        i.standing.key(),
        i.person_id,
        i.token_hash,
        i.invited_by,
        now,
        i.expires_at
    )?;
    Ok(id)
}

pub async fn invitation_by_hash(db: &Db, token_hash: &str) -> Result<Option<InvitationRow>, sqlx::Error> {
    fetch_optional!(db, InvitationRow, sqlx::AssertSqlSafe(format!("{INVITATION} WHERE token_hash = $1")), token_hash)
}

/// The invitations of a space not yet accepted, newest first.
pub async fn open_invitations(db: &Db, space_id: &str) -> Result<Vec<InvitationRow>, sqlx::Error> {
    fetch_all!(
        db,
        InvitationRow,
        sqlx::AssertSqlSafe(format!(
            "{INVITATION} WHERE space_id = $1 AND accepted_at IS NULL ORDER BY created_at DESC, id"
        )),
        space_id
    )
}

/// Marks an invitation used; false when it was used already (two clicks racing).
pub async fn accept_invitation(tx: &mut Tx, id: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let n = execute!(
        &mut *tx,
        "UPDATE team_invitations SET accepted_at = $1 WHERE id = $2 AND accepted_at IS NULL",
        now,
        id
    )?;
    Ok(n > 0)
}

pub async fn is_member(tx: &mut Tx, space_id: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = crate::fetch_scalar!(
        &mut *tx,
        i64,
        "SELECT COUNT(*) FROM team_members WHERE space_id = $1 AND user_id = $2",
        space_id,
        user_id
    )?;
    Ok(n > 0)
}

pub async fn close_space(db: &Db, id: &str, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    execute!(db, "UPDATE team_spaces SET closed_at = $1, updated_at = $1 WHERE id = $2 AND closed_at IS NULL", now, id)
}

/// Deletes a closed space for good, with its scenarios, people, activities, sites, members and invitations.
pub async fn delete_space(db: &Db, id: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM team_spaces WHERE id = $1 AND closed_at IS NOT NULL", id)
}

// Scenarios

/// Copies a space's plan (settings, sites, people, activities) into a scenario of it: a "what if" its leads
/// change freely and compare. Ids are new; the links between rows (a person's site, who works with whom) follow.
pub async fn copy_into_scenario(
    tx: &mut Tx,
    from: &Space,
    name: &str,
    lead: &str,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    let id = new_id();
    execute!(
        &mut *tx,
        "INSERT INTO team_spaces (id, name, organisation_id, working_days, day_hours, service_hours, scenario_of,
                                  created_by, created_at, updated_at)
         SELECT $1, $2, organisation_id, working_days, day_hours, service_hours, id, $3, $4, $4
         FROM team_spaces WHERE id = $5",
        &id,
        name,
        lead,
        now,
        &from.id
    )?;
    let sites = fetch_all!(
        &mut *tx,
        SiteRow,
        "SELECT id, name, desks FROM team_sites WHERE space_id = $1 ORDER BY position, id",
        &from.id
    )?;
    let mut site_ids = std::collections::HashMap::new();
    for s in &sites {
        site_ids.insert(s.id.clone(), insert_site(tx, &id, &s.name, &s.desks).await?);
    }
    let people = fetch_all!(
        &mut *tx,
        PersonRow,
        sqlx::AssertSqlSafe(format!("{PERSON} WHERE space_id = $1 ORDER BY position, id")),
        &from.id
    )?;
    let mut person_ids = std::collections::HashMap::new();
    for p in &people {
        let copy = NewPerson {
            user_id: None,
            name: &p.name,
            head_count: p.head_count,
            working_days: &p.working_days,
            hours_per_week: p.hours_per_week,
            site_id: p.site_id.as_ref().and_then(|s| site_ids.get(s)).map(String::as_str),
            constraints: "",
            home_checked: p.home_checked,
        };
        person_ids.insert(p.id.clone(), insert_person(tx, &id, &copy, now).await?);
    }
    let activities = fetch_all!(
        &mut *tx,
        ActivityRow,
        sqlx::AssertSqlSafe(format!(
            "{ACTIVITY} JOIN team_people p ON p.id = a.person_id WHERE p.space_id = $1 ORDER BY a.position, a.id"
        )),
        &from.id
    )?;
    for a in activities {
        let Some(person) = person_ids.get(&a.person_id) else { continue };
        let with: Vec<&str> = a.with_people.split(',').filter_map(|w| person_ids.get(w)).map(String::as_str).collect();
        let copy = ActivityRow { person_id: person.clone(), with_people: with.join(","), ..a };
        insert_activity(tx, &copy, now).await?;
    }
    Ok(id)
}

/// The scenarios made from a space, newest first.
pub async fn scenarios(db: &Db, space_id: &str) -> Result<Vec<Space>, sqlx::Error> {
    fetch_all!(
        db,
        Space,
        sqlx::AssertSqlSafe(format!("{SPACE} WHERE scenario_of = $1 ORDER BY created_at DESC, id")),
        space_id
    )
}

/// Deletes a scenario (never a space itself).
pub async fn delete_scenario(db: &Db, id: &str) -> Result<u64, sqlx::Error> {
    execute!(db, "DELETE FROM team_spaces WHERE id = $1 AND scenario_of IS NOT NULL", id)
}

// The toolkit's reminders

/// The leads of a space, with their addresses and names (for the toolkit's reminders).
pub async fn lead_addresses(db: &Db, space_id: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_as::<_, (String, String)>(
            "SELECT u.email, u.name FROM team_members m JOIN users u ON u.id = m.user_id
             WHERE m.space_id = $1 AND m.role = 'lead' AND u.deleted_at IS NULL AND NOT u.suspended",
        )
        .persistent(crate::db::keep_prepared())
        .bind(space_id)
        .fetch_all(e)
        .await
    })
}

/// A person's address and name, unless the account is gone or suspended.
pub async fn address(db: &Db, user_id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_as::<_, (String, String)>(
            "SELECT email, name FROM users WHERE id = $1 AND deleted_at IS NULL AND NOT suspended",
        )
        .persistent(crate::db::keep_prepared())
        .bind(user_id)
        .fetch_optional(e)
        .await
    })
}

/// Claims one of the toolkit's reminders (`reminders.rs`); gives false when it was claimed before.
pub async fn claim_reminder(
    tx: &mut Tx,
    subject: &str,
    kind: &str,
    due_on: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    Ok(crate::execute!(
        &mut *tx,
        "INSERT INTO toolkit_reminders (subject_id, kind, due_on, sent_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (subject_id, kind, due_on) DO NOTHING",
        subject,
        kind,
        due_on,
        now
    )? == 1)
}
