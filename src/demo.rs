//! `swn demo`: a believable demo network, so that the site can be judged with real-looking content. A demo
//! organiser is made here; every feature then loads its own part (`Feature::demo`, in the list's order).
//! Loading it twice changes nothing.

use crate::App;
use crate::auth::{Role, service, tokens};

pub const DEMO_ORGANISER: &str = "organiser@demo.smartworknetwork.example";

/// Loads the demo network; returns what to tell the person who ran it.
pub async fn load(app: &App) -> anyhow::Result<String> {
    if crate::auth::user_by_email(&app.db, DEMO_ORGANISER).await?.is_some() {
        return Ok("The demo network is already loaded.".into());
    }
    let started = chrono::Utc::now();
    let password = tokens::random_token().chars().take(16).collect::<String>();
    let organiser_id =
        service::create_user_with_password(app, DEMO_ORGANISER, "Demo Organiser", Role::Organiser, &password).await?;
    // Each feature says what it loaded on its first line, and anything more (a way in) on the lines after.
    let (mut loaded, mut more) = (Vec::new(), Vec::new());
    for feature in crate::FEATURES {
        if let Some(said) = feature.demo(app, &organiser_id).await? {
            let (summary, rest) = said.split_once('\n').unwrap_or((&said, ""));
            loaded.push(summary.to_string());
            more.extend(rest.lines().map(str::to_string));
        }
    }
    // Setting up sends nothing: e-mails written on the way (confirmations, decisions) would carry this
    // command's address, not the one `swn serve` runs at, and no real person is behind a demo address.
    crate::mail::outbox::discard_pending_to_users_since(&app.db, started).await?;
    Ok(format!(
        "Demo network loaded: {}.\nDemo organiser:  {DEMO_ORGANISER}\nPassword:        {password}\n{}\n(The passwords are shown only now.)",
        loaded.join(", "),
        more.join("\n")
    ))
}
