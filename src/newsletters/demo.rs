//! Newsletters' part of the demo network: two confirmed public subscribers, and a draft issue holding what
//! every feature offered it.

use chrono::Utc;

use super::model::{Audience, Draft};
use super::{gather, store};
use crate::App;

/// Loads the demo subscribers and draft; gives what it loaded, in words.
pub(super) async fn load(app: &App, organiser_id: &str) -> anyhow::Result<String> {
    let now = Utc::now();
    // Two confirmed public subscribers, and a draft newsletter with what was gathered.
    for email in ["reader.one@public.example.net", "reader.two@public.example.net"] {
        let mut tx = app.db.begin().await?;
        let token = crate::auth::tokens::random_token();
        store::request_subscription(&mut tx, email, &crate::auth::tokens::hash(&token), now).await?;
        tx.commit().await?;
        store::confirm_subscription(&app.db, &crate::auth::tokens::hash(&token), now).await?;
    }
    let blocks = gather(app, now).await?;
    let draft = Draft {
        subject: "Winter news from the network",
        intro_md: "Welcome to the winter issue: three new case studies, a research summary from our supporters, and the meetings coming up.",
        audiences: &[Audience::Members, Audience::Subscribers],
        blocks: &blocks,
        author_id: Some(organiser_id),
    };
    store::create(&app.db, &draft, now).await?;
    Ok("2 public subscribers, a draft newsletter".into())
}
