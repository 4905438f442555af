//! The membership term: twelve months from approval, renewed when the member confirms they still meet the
//! terms. Reminders go out 30 and 7 days before the end, each with a one-click link; an unconfirmed membership
//! lapses (the policy stops access; nothing is deleted) and can be renewed at any time after.

use chrono::{DateTime, Duration, Utc};

use super::service::TERM_DAYS;
use crate::App;
use crate::auth::tokens;
use crate::db::{Db, is_unique_violation};
use crate::mail::{self, messages};
use crate::{execute, fetch_all};

/// Reminders: (days before the end, the window starts this many days before the end).
const REMINDERS: [(i64, i64); 2] = [(30, 7), (7, 0)];
/// Renewal opens this long before the end of a term.
pub const RENEWAL_OPENS_DAYS: i64 = 30;

#[derive(sqlx::FromRow)]
struct DueMember {
    id: String,
    email: String,
    name: String,
    membership_ends_at: DateTime<Utc>,
}

/// Sends the reminders that are due now; gives how many were queued.
pub async fn send_due_reminders(app: &App, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let mut sent = 0;
    for (days_before, window_end) in REMINDERS {
        let sql = format!(
            "SELECT u.id, u.email, u.name, u.membership_ends_at FROM users u
             WHERE {} AND u.membership_ends_at > $1 AND u.membership_ends_at <= $2
               AND NOT EXISTS (SELECT 1 FROM renewal_reminders r
                               WHERE r.user_id = u.id AND r.days_before = $3 AND r.sent_at > $4)",
            crate::auth::policy::renewal_sql("u")
        );
        let due = fetch_all!(
            &app.db,
            DueMember,
            sqlx::AssertSqlSafe(sql),
            now + Duration::days(window_end),
            now + Duration::days(days_before),
            days_before,
            now - Duration::days(60)
        )?;
        for member in due {
            if remind(app, &member, days_before, now).await? {
                sent += 1;
            }
        }
    }
    if sent > 0 {
        app.wake_mail();
    }
    Ok(sent)
}

async fn remind(app: &App, member: &DueMember, days_before: i64, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let token = tokens::random_token();
    let mut tx = app.db.begin().await?;
    let inserted = execute!(
        &mut tx,
        "INSERT INTO renewal_reminders (user_id, term_ends_at, days_before, token_hash, sent_at) VALUES ($1, $2, $3, $4, $5)",
        &member.id,
        member.membership_ends_at,
        days_before,
        tokens::hash(&token),
        now
    );
    match inserted {
        Ok(_) => {}
        // Another instance reminded this member a moment ago.
        Err(e) if is_unique_violation(&e) => return Ok(false),
        Err(e) => return Err(e.into()),
    }
    let end = crate::web::time::date(member.membership_ends_at, app.config.timezone);
    let link = app.config.link(&format!("/membership/renew/{token}"));
    let changed = app.config.link("/membership/employer");
    let email = messages::notice_with_links(
        &app.config.title,
        &member.email,
        &member.name,
        &format!("Renew your {} membership", app.config.title),
        &[
            format!("Your membership of the {site} ends on {end}.", site = app.config.title),
            format!(
                "To renew it for another twelve months, confirm with one click that you still meet the network's terms: you work in-house at the same organisation on its Smart Working programme, and the organisation still has {} or more employees.",
                app.config.min_employees
            ),
            format!(
                "If something has changed, such as your organisation, tell the organisers what has changed instead{}.",
                mail::or_reply(app)
            ),
        ],
        &[("Renew my membership", &link), ("Tell us what has changed", &changed)],
    )?;
    mail::queue(app, &mut tx, mail::Kind::Transactional, &email).await?;
    tx.commit().await?;
    Ok(true)
}

/// Whether a term ending at `ends_at` may be renewed now: from 30 days before its end, and any time after.
pub fn renewal_open(ends_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    ends_at.is_some_and(|end| end - Duration::days(RENEWAL_OPENS_DAYS) <= now)
}

/// The end of the renewed term: twelve months on from the current end, or from now when it has lapsed.
pub fn renewed_end(ends_at: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    ends_at.max(now) + Duration::days(TERM_DAYS)
}

/// Renews a member's term; gives the new end, or `None` when renewal is not open yet.
pub async fn renew(db: &Db, user_id: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let ends_at: Option<DateTime<Utc>> =
        crate::fetch_scalar!(db, Option<DateTime<Utc>>, "SELECT membership_ends_at FROM users WHERE id = $1", user_id)?;
    let Some(end) = ends_at.filter(|_| renewal_open(ends_at, now)) else { return Ok(None) };
    let new_end = renewed_end(end, now);
    let changed = execute!(
        db,
        "UPDATE users SET membership_ends_at = $1, updated_at = $2 WHERE id = $3 AND role = 'member' AND suspended = FALSE",
        new_end,
        now,
        user_id
    )?;
    Ok((changed == 1).then_some(new_end))
}

/// The member a one-click renewal link stands for.
pub async fn member_for_link(db: &Db, token: &str) -> Result<Option<String>, sqlx::Error> {
    crate::on_engine!(db, |e| {
        sqlx::query_scalar::<_, String>("SELECT user_id FROM renewal_reminders WHERE token_hash = $1")
            .persistent(crate::db::keep_prepared())
            .bind(tokens::hash(token))
            .fetch_optional(e)
            .await
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_opens_thirty_days_before_the_end_and_adds_a_year() {
        let now = Utc::now();
        assert!(!renewal_open(Some(now + Duration::days(31)), now));
        assert!(renewal_open(Some(now + Duration::days(29)), now));
        assert!(renewal_open(Some(now - Duration::days(100)), now), "lapsed members can renew");
        assert!(!renewal_open(None, now));
        let end = now + Duration::days(10);
        assert_eq!(renewed_end(end, now), end + Duration::days(365));
        assert_eq!(renewed_end(now - Duration::days(5), now), now + Duration::days(365));
    }
}
