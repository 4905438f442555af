//! The awards (DOMAIN.md, "Awards"): a yearly programme with categories, entries, judging with conflicts of
//! interest, a shortlist and winners. Being built (issue 19): programmes with their timelines and categories
//! with their criteria (organisers' pages in `admin`, the public pages in `routes`), entries (`entering`), the
//! API (`api`), and, pure and tested for the judging to come, the ranking (`ranking`) and the conflicts the
//! network's own data proposes (`conflicts`).

pub mod conflicts;
pub mod ranking;

mod admin;
mod api;
mod demo;
mod entering;
mod judges;
mod judging;
mod model;
mod panel;
mod public_entry;
mod results;
mod routes;
mod service;
mod store;
mod supporting;

use futures_util::future::BoxFuture;
use serde_json::json;

use crate::App;
use crate::db::Tx;
use crate::feature::{Feature, Outcome, Person};

/// The awards' public pages, for the site map: the awards, each programme and each category.
pub async fn public_paths(db: &crate::db::Db) -> Result<Vec<String>, sqlx::Error> {
    let mut paths = vec!["/awards".to_string()];
    for p in store::programmes(db).await? {
        paths.push(format!("/awards/{}", p.slug));
        for c in store::categories(db, &p.id).await? {
            paths.push(format!("/awards/{}/{}", p.slug, c.slug));
        }
    }
    Ok(paths)
}

/// The awards, as the program's list of features sees it.
pub struct Awards;

impl Feature for Awards {
    fn name(&self) -> &'static str {
        "awards"
    }

    /// Entries through the public form whose address was never confirmed go once entries have closed.
    fn jobs(&self, _app: &App, jobs: &mut crate::jobs::Jobs) {
        jobs.every("unconfirmed award entries", std::time::Duration::from_secs(60 * 60), |app| async move {
            Ok(store::purge_unconfirmed(&app.db, chrono::Utc::now()).await? as usize)
        });
    }

    fn pages(&self, _app: &App) -> axum::Router<App> {
        routes::routes()
            .merge(admin::routes())
            .merge(entering::routes())
            .merge(judging::routes())
            .merge(judges::routes())
            .merge(public_entry::routes())
            .merge(supporting::routes())
    }

    fn export<'a>(&'a self, app: &'a App, person: &'a Person) -> BoxFuture<'a, Outcome<Option<serde_json::Value>>> {
        Box::pin(async move {
            // What is the person's own: that they started an entry, and when. The entry's text is its
            // organisation's (colleagues change it), read on its page by the organisation's members.
            let entries: Vec<serde_json::Value> = store::entries_by(&app.db, &person.id)
                .await?
                .into_iter()
                .map(|e| json!({"id": e.id, "category": e.category_id, "title": e.title, "started_at": e.created_at}))
                .collect();
            // As a judge: what they were assigned, their reviews, what they said and declared.
            let judging: Vec<serde_json::Value> = store::assignments_of(&app.db, &person.id)
                .await?
                .into_iter()
                .map(|a| json!({"category": a.category_id, "entry": a.entry_id}))
                .collect();
            let scores = store::scores_by(&app.db, &person.id).await?;
            let reviews: Vec<serde_json::Value> = store::reviews_by(&app.db, &person.id)
                .await?
                .into_iter()
                .map(|r| {
                    let given: serde_json::Map<String, serde_json::Value> = scores
                        .iter()
                        .filter(|s| s.entry_id == r.entry_id)
                        .map(|s| (s.criterion_id.clone(), json!(s.score)))
                        .collect();
                    json!({"entry": r.entry_id, "abstained": r.abstained, "reason": r.reason, "comment": r.comment,
                           "scores": given, "submitted_at": r.submitted_at})
                })
                .collect();
            let remarks: Vec<serde_json::Value> = store::remarks_by(&app.db, &person.id)
                .await?
                .into_iter()
                .map(|r| json!({"entry": r.entry_id, "remark": r.body, "at": r.created_at}))
                .collect();
            let conflicts: Vec<serde_json::Value> = store::conflicts_of(&app.db, &person.id)
                .await?
                .into_iter()
                .map(|c| json!({"entry": c.entry_id, "state": c.state, "kind": c.kind, "note": c.note, "at": c.created_at}))
                .collect();
            let sent: Vec<serde_json::Value> = store::public_entries_of(&app.db, &person.email)
                .await?
                .into_iter()
                .map(|id| json!({"entry": id}))
                .collect();
            let mut out = serde_json::Map::new();
            for (key, list) in [
                ("entries_started", entries),
                ("entries_sent_through_the_public_form", sent),
                ("judging", judging),
                ("reviews", reviews),
                ("discussion", remarks),
                ("conflicts", conflicts),
            ] {
                if !list.is_empty() {
                    out.insert(key.into(), serde_json::Value::Array(list));
                }
            }
            Ok((!out.is_empty()).then_some(serde_json::Value::Object(out)))
        })
    }

    fn demo<'a>(&'a self, app: &'a App, organiser_id: &'a str) -> BoxFuture<'a, Outcome<Option<String>>> {
        Box::pin(async move { Ok(Some(demo::load(app, organiser_id).await?)) })
    }

    fn erase<'a>(&'a self, _app: &'a App, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move {
            store::erase(tx, &person.id).await?;
            Ok(store::erase_addressed(tx, &person.email).await?)
        })
    }

    fn api(&self) -> Option<(axum::Router<App>, utoipa::openapi::OpenApi)> {
        Some((api::routes(), <api::Doc as utoipa::OpenApi>::openapi()))
    }
}
