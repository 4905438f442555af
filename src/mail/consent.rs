//! E-mail consent, in one place. Every e-mail names its `Kind` when it is queued: a transactional one (a
//! sign-in link, a decision, a registration) always goes; one of a `Category` a person chooses goes only to
//! people whose choice in force is yes, so no feature can forget to ask. Choices are kept as a history (who
//! chose what, when, where); the latest one is in force, and a category's default when there is none.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::db::{Db, Tx, new_id};
use crate::{execute, fetch_all};

/// What an e-mail is, for the recipient's choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Part of something the person did or must know (membership notices, registrations, sign-in links): no
    /// one can turn these off.
    Transactional,
    /// Sent only to people who chose this category.
    Chosen(Category),
}

/// The categories a person chooses at `/account/email` and through the link in every e-mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Category {
    Newsletter,
    MeetingReminders,
    ForumNotifications,
    ForumDigest,
    /// A private message from a member, each time one comes.
    PrivateMessages,
    /// One e-mail a day of the private messages that came.
    PrivateMessagesDaily,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Newsletter,
        Category::MeetingReminders,
        Category::ForumNotifications,
        Category::ForumDigest,
        Category::PrivateMessages,
        Category::PrivateMessagesDaily,
    ];

    /// The key stored in `email_consents.category` and carried by unsubscribe links.
    pub fn key(self) -> &'static str {
        match self {
            Category::Newsletter => "newsletter",
            Category::MeetingReminders => "meeting_reminders",
            Category::ForumNotifications => "forum_notifications",
            Category::ForumDigest => "forum_digest",
            Category::PrivateMessages => "private_messages",
            Category::PrivateMessagesDaily => "private_messages_daily",
        }
    }

    pub fn parse(key: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == key)
    }

    /// How the choice reads on the preference pages.
    pub fn label(self) -> &'static str {
        match self {
            Category::Newsletter => "The periodic news e-mail",
            Category::MeetingReminders => "Reminders of meetings I registered for",
            Category::ForumNotifications => "Notifications from the forum, each time",
            Category::ForumDigest => "A daily digest of forum notifications",
            Category::PrivateMessages => "Private messages from members, each time",
            Category::PrivateMessagesDaily => "A daily e-mail of private messages",
        }
    }

    /// The choice in force before a person makes one: a reminder belongs to a registration the person made,
    /// and a private message is written to the person by name; the rest wait for a yes.
    pub fn default_choice(self) -> bool {
        matches!(self, Category::MeetingReminders | Category::PrivateMessages)
    }

    /// Whether the category is one half of the three-way choice for private messages (each time, daily,
    /// never), which preference pages show as one question rather than as checkboxes.
    pub fn is_message_choice(self) -> bool {
        matches!(self, Category::PrivateMessages | Category::PrivateMessagesDaily)
    }
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ConsentRecord {
    pub category: String,
    pub granted: bool,
    pub source: String,
    pub recorded_at: DateTime<Utc>,
}

pub async fn record(
    tx: &mut Tx,
    user_id: &str,
    category: Category,
    granted: bool,
    source: &str,
) -> Result<(), sqlx::Error> {
    execute!(
        tx,
        "INSERT INTO email_consents (id, user_id, category, granted, source, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
        new_id(),
        user_id,
        category.key(),
        granted,
        source,
        Utc::now()
    )?;
    Ok(())
}

/// Every choice a person made, oldest first.
pub async fn history(db: &Db, user_id: &str) -> Result<Vec<ConsentRecord>, sqlx::Error> {
    fetch_all!(
        db,
        ConsentRecord,
        "SELECT category, granted, source, recorded_at FROM email_consents WHERE user_id = $1 ORDER BY recorded_at, id",
        user_id
    )
}

/// The choice in force for one category: the latest record, or the category's default.
pub fn current(history: &[ConsentRecord], category: Category) -> bool {
    history.iter().rev().find(|r| r.category == category.key()).map_or(category.default_choice(), |r| r.granted)
}

/// The choice in force in every category.
pub async fn choices(db: &Db, user_id: &str) -> Result<Vec<(Category, bool)>, sqlx::Error> {
    let history = history(db, user_id).await?;
    Ok(Category::ALL.iter().map(|c| (*c, current(&history, *c))).collect())
}

/// Records a person's choices, in one transaction; only changes from the choice in force (defaults included)
/// are recorded, so the history says when each choice was made, and saving a page unchanged records nothing.
pub async fn save_choices(
    db: &Db,
    user_id: &str,
    chosen: &[(Category, bool)],
    source: &str,
) -> Result<(), sqlx::Error> {
    let history = history(db, user_id).await?;
    let mut tx = db.begin().await?;
    for (category, granted) in chosen {
        if current(&history, *category) != *granted {
            record(&mut tx, user_id, *category, *granted, source).await?;
        }
    }
    tx.commit().await
}

/// `current` as an SQL expression on a `users` row (alias `users`): the person's choice in force for the
/// category, for queries that choose readers in SQL. Kept beside the rule it restates; a test checks both agree.
pub fn chosen_sql(users: &str, category: Category) -> String {
    format!(
        "COALESCE((SELECT c.granted FROM email_consents c WHERE c.user_id = {users}.id AND c.category = '{}' \
         ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1), {})",
        category.key(),
        if category.default_choice() { "TRUE" } else { "FALSE" }
    )
}

/// Whether an e-mail of this kind may go to `address` now. An address with an account follows that
/// account's choice in force; an address without one gets a newsletter only as a confirmed, still
/// subscribed public subscriber, and a meeting reminder as a guest who registered (its default).
pub async fn allows(tx: &mut Tx, kind: Kind, address: &str) -> Result<bool, sqlx::Error> {
    Ok(!allowed(tx, kind, &[address]).await?.is_empty())
}

/// The addresses among `addresses` (lower-cased) that an e-mail of this kind may go to now: the rule of
/// `allows`, in two queries for a whole chunk of a bulk send.
pub async fn allowed(tx: &mut Tx, kind: Kind, addresses: &[&str]) -> Result<HashSet<String>, sqlx::Error> {
    let wanted: Vec<String> = addresses.iter().map(|a| a.to_lowercase()).collect();
    let Kind::Chosen(category) = kind else { return Ok(wanted.into_iter().collect()) };
    if wanted.is_empty() {
        return Ok(HashSet::new());
    }
    #[derive(sqlx::FromRow)]
    struct Account {
        email: String,
        own: bool,
    }
    let list = (1..=wanted.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT u.email, {} AS own FROM users u WHERE u.email IN ({list})", chosen_sql("u", category));
    let accounts: HashMap<String, bool> = crate::on_engine!(&mut *tx, |e| {
        let mut query =
            sqlx::query_as::<_, Account>(sqlx::AssertSqlSafe(sql.clone())).persistent(crate::db::keep_prepared());
        for address in &wanted {
            query = query.bind(address);
        }
        query.fetch_all(e).await
    })?
    .into_iter()
    .map(|a| (a.email, a.own))
    .collect();
    let subscribed: HashSet<String> = if category == Category::Newsletter {
        let sql = format!(
            "SELECT s.email FROM subscribers s WHERE s.email IN ({list})
               AND s.confirmed_at IS NOT NULL AND s.unsubscribed_at IS NULL"
        );
        crate::on_engine!(&mut *tx, |e| {
            let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql.clone()))
                .persistent(crate::db::keep_prepared());
            for address in &wanted {
                query = query.bind(address);
            }
            query.fetch_all(e).await
        })?
        .into_iter()
        .collect()
    } else {
        HashSet::new()
    };
    Ok(wanted
        .into_iter()
        .filter(|address| {
            let account = accounts.get(address).copied();
            let own = account.unwrap_or(false);
            match category {
                Category::Newsletter => own || subscribed.contains(address),
                Category::MeetingReminders => own || account.is_none(),
                Category::ForumNotifications
                | Category::ForumDigest
                | Category::PrivateMessages
                | Category::PrivateMessagesDaily => own,
            }
        })
        .collect())
}

/// Whether a person with an account chose this category (for jobs that pick people before they write).
pub async fn chosen_by(db: &Db, user_id: &str, category: Category) -> Result<bool, sqlx::Error> {
    Ok(current(&history(db, user_id).await?, category))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(category: &str, granted: bool, minute: u32) -> ConsentRecord {
        ConsentRecord {
            category: category.into(),
            granted,
            source: "test".into(),
            recorded_at: chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, 1, 0, minute, 0)
                .single()
                .unwrap_or_default(),
        }
    }

    #[test]
    fn the_latest_choice_is_in_force_and_defaults_fill_the_rest() {
        let history = vec![rec("newsletter", true, 1), rec("newsletter", false, 2), rec("meeting_reminders", false, 3)];
        assert!(!current(&history, Category::Newsletter));
        assert!(!current(&history, Category::MeetingReminders));
        assert!(current(&[], Category::MeetingReminders));
        assert!(!current(&[], Category::ForumNotifications));
        for c in Category::ALL {
            assert_eq!(Category::parse(c.key()), Some(c));
        }
    }
}
