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
    let password = tokens::random_token().chars().take(16).collect::<String>();
    let organiser_id =
        service::create_user_with_password(app, DEMO_ORGANISER, "Demo Organiser", Role::Organiser, &password).await?;
    let mut loaded = Vec::new();
    for feature in crate::FEATURES {
        if let Some(said) = feature.demo(app, &organiser_id).await? {
            loaded.push(said);
        }
    }
    Ok(format!(
        "Demo network loaded: {}.\nDemo organiser: {DEMO_ORGANISER}\nPassword:       {password}\n(It is shown only now.)",
        loaded.join(", ")
    ))
}
