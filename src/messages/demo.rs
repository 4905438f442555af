//! Private messages in the demo network: the demo member (Priya) has a conversation she answered and one
//! waiting for her, so `/messages` shows both states.

use chrono::{Duration, Utc};

use super::store;
use crate::App;

/// (from, to, subject, messages in turn, starting with the sender's)
const CONVERSATIONS: &[(&str, &str, &str, &[&str])] = &[
    (
        "fiona.macleod@staldhelms.example.nhs.uk",
        "priya.shah@northshire.example.gov.uk",
        "Your anchor days trial",
        &[
            "I saw your case study on anchor days. How did you choose which two days? Our estates team wants Tuesday and Thursday for everyone.",
            "Each team chose its own, within a rule that no more than 60% of a floor could pick the same day. It kept the desks usable on every day.",
            "That is the answer I needed. Thank you!",
        ],
    ),
    (
        "owen.price@harbourhousing.example.org",
        "priya.shah@northshire.example.gov.uk",
        "Manager training for hybrid teams",
        &[
            "Would you share the outline of the manager sessions you ran last spring? We are planning ours for the autumn.",
        ],
    ),
];

/// Loads the demo conversations; gives how many.
pub(super) async fn load(app: &App) -> anyhow::Result<usize> {
    let mut made = 0;
    for (from, to, subject, turns) in CONVERSATIONS {
        let (Some(from), Some(to)) = (person(app, from).await?, person(app, to).await?) else { continue };
        let start = Utc::now() - Duration::days(3);
        let mut tx = app.db.begin().await?;
        let id =
            store::start(&mut tx, &from, std::slice::from_ref(&to), subject, turns[0], &html(turns[0]), start).await?;
        for (n, text) in turns.iter().enumerate().skip(1) {
            let author = if n % 2 == 1 { &to } else { &from };
            store::add_message(&mut tx, &id, author, text, &html(text), start + Duration::hours(n as i64 * 5)).await?;
        }
        tx.commit().await?;
        made += 1;
    }
    Ok(made)
}

fn html(text: &str) -> String {
    crate::web::markdown::to_safe_html_without_images(text)
}

/// A demo member's id by their address.
async fn person(app: &App, email: &str) -> anyhow::Result<Option<String>> {
    Ok(crate::auth::user_by_email(&app.db, email).await?.map(|u| u.id))
}
