//! The knowledge library: articles organisers write ("special articles" are the members-only ones) and
//! resources (a file or a link: guides, research, templates, checklists, slides, recordings, tools), each for
//! an audience (everyone, members, one group), filed by discipline and tag, published now or at a set time.

mod admin;
mod api;
mod demo;
pub mod files;
mod model;
mod routes;
mod store;

pub use model::Resource;

/// A case study offered to the library by another feature (a team's plan shared from the toolkit): anonymised,
/// for members, and a draft until organisers review and publish it.
pub struct OfferedCaseStudy<'a> {
    pub title: &'a str,
    pub organisation_label: &'a str,
    pub sector: &'a str,
    pub size_band: &'a str,
    pub region: &'a str,
    pub challenge_md: &'a str,
    pub approach_md: &'a str,
    pub results_md: &'a str,
    pub lessons_md: &'a str,
}

/// Saves an offered case study as an unpublished, anonymised draft for organisers; gives its id.
pub async fn offer_case_study(
    app: &App,
    offered: &OfferedCaseStudy<'_>,
    author_id: &str,
) -> Result<String, sqlx::Error> {
    let now = Utc::now();
    let slug = format!(
        "{}-{}",
        crate::web::forms::slugify(offered.title).chars().take(60).collect::<String>(),
        &crate::db::new_id()[..6]
    );
    let input = model::CaseStudyInput {
        slug,
        title: offered.title.to_string(),
        organisation_id: None,
        anonymised: true,
        organisation_label: offered.organisation_label.to_string(),
        sector: offered.sector.to_string(),
        size_band: offered.size_band.to_string(),
        region: offered.region.to_string(),
        challenge_md: offered.challenge_md.to_string(),
        approach_md: offered.approach_md.to_string(),
        results_md: offered.results_md.to_string(),
        lessons_md: offered.lessons_md.to_string(),
        meeting_id: None,
        audience: "members".into(),
        group_id: None,
        disciplines: "workplace,people".into(),
        tags: "toolkit,where and when".into(),
        published: false,
        publish_at: now,
        contact_ids: Vec::new(),
        resource_ids: Vec::new(),
    };
    store::save_case_study(&app.db, None, &input, author_id, now).await
}
pub use routes::reach_of;
pub use store::{
    Filter, article_by_slug, articles, case_studies, case_study_by_id, case_study_by_slug, resource_by_slug, resources,
};

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use serde_json::json;

use crate::App;
use crate::auth::policy::{Audience, Publication, Reach};
use crate::db::Tx;
use crate::feature::{Feature, Found, NewsletterItem, Outcome, Person, SearchRequest};
use crate::search::{excerpt, title_score};

/// The knowledge library, as the program's list of features sees it.
pub struct Library;

impl Feature for Library {
    /// The organisation's published case studies (a public one with its address).
    fn evidence<'a>(
        &'a self,
        app: &'a App,
        organisation_id: &'a str,
        _person_id: &'a str,
    ) -> BoxFuture<'a, Outcome<Vec<crate::feature::Evidence>>> {
        Box::pin(async move {
            let now = chrono::Utc::now();
            Ok(store::case_studies_of(&app.db, organisation_id)
                .await?
                .into_iter()
                .filter(|c| c.published && c.publish_at <= now)
                .map(|c| crate::feature::Evidence {
                    kind: "case_study",
                    label: format!("Case study: {}", c.title),
                    detail: c.results_md.lines().next().unwrap_or_default().chars().take(300).collect(),
                    public_link: (c.audience == "public").then(|| format!("/case-studies/{}", c.slug)),
                    id: c.id,
                })
                .collect())
        })
    }

    fn name(&self) -> &'static str {
        "library"
    }

    fn pages(&self, app: &App) -> axum::Router<App> {
        routes::routes().merge(admin::routes(app.config.max_resource_bytes))
    }

    fn api(&self) -> Option<(axum::Router<App>, utoipa::openapi::OpenApi)> {
        Some((api::routes(), <api::Doc as utoipa::OpenApi>::openapi()))
    }

    fn export<'a>(&'a self, app: &'a App, person: &'a Person) -> BoxFuture<'a, Outcome<Option<serde_json::Value>>> {
        Box::pin(async move {
            let talks_about = store::contact_for(&app.db, &person.id).await?;
            Ok(Some(json!({"willing_to_talk_about": talks_about})))
        })
    }

    fn erase<'a>(&'a self, _app: &'a App, tx: &'a mut Tx, person: &'a Person) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move { Ok(store::erase_person(tx, &person.id).await?) })
    }

    fn region_renamed<'a>(&'a self, tx: &'a mut Tx, old: &'a str, new: &'a str) -> BoxFuture<'a, Outcome<()>> {
        Box::pin(async move { Ok(store::rename_region(tx, old, new).await?) })
    }

    fn search<'a>(
        &'a self,
        app: &'a App,
        viewer: &'a crate::auth::Viewer,
        request: &'a SearchRequest,
    ) -> BoxFuture<'a, Outcome<Vec<Found>>> {
        Box::pin(async move {
            let (now, words, q) = (chrono::Utc::now(), &request.words, &request.q);
            let reach = routes::reach_of(app, viewer).await?;
            let mut hits = Vec::new();
            if request.wants("case_study") {
                for c in store::search_case_studies(&app.db, &reach, q, now).await? {
                    hits.push(Found {
                        kind: "Case study",
                        score: title_score(&c.title, words),
                        url: format!("/case-studies/{}", c.slug),
                        snippet: excerpt(&format!("{} {}", c.challenge_md, c.results_md), words),
                        meta: format!("{} · {} · {} · {}", c.organisation_label, c.sector, c.size_band, c.region),
                        title: c.title,
                    });
                }
            }
            if request.wants("resource") {
                for r in store::search_resources(&app.db, &reach, q, now).await? {
                    hits.push(Found {
                        kind: "Resource",
                        score: title_score(&r.title, words),
                        url: format!("/resources/{}", r.slug),
                        snippet: excerpt(&r.description_md, words),
                        meta: r.kind_label().to_string(),
                        title: r.title,
                    });
                }
            }
            if request.wants("article") {
                for a in store::search_articles(&app.db, &reach, q, now).await? {
                    hits.push(Found {
                        kind: "Article",
                        score: title_score(&a.title, words),
                        url: format!("/articles/{}", a.slug),
                        snippet: excerpt(&format!("{} {}", a.summary, a.body_md), words),
                        meta: crate::web::time::date(a.publish_at, app.config.timezone),
                        title: a.title,
                    });
                }
            }
            Ok(hits)
        })
    }

    fn newsletter_kinds(&self) -> &'static [&'static str] {
        &["article", "resource", "case_study"]
    }

    fn newsletter_items<'a>(
        &'a self,
        app: &'a App,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Outcome<Vec<NewsletterItem>>> {
        Box::pin(async move {
            // Gathered on the network's behalf: every item, whose copies are then filtered per reader.
            let (all, any) = (Reach::everything(), store::Filter::default());
            let mut items = Vec::new();
            for a in store::articles(&app.db, &all, &any, now).await?.into_iter().filter(|a| a.publish_at > since) {
                items.push(NewsletterItem {
                    kind: "article",
                    audience: a.audience(),
                    path: format!("/articles/{}", a.slug),
                    title: a.title,
                    summary: a.summary,
                });
            }
            for r in store::resources(&app.db, &all, &any, now).await?.into_iter().filter(|r| r.publish_at > since) {
                items.push(NewsletterItem {
                    kind: "resource",
                    audience: r.audience(),
                    path: format!("/resources/{}", r.slug),
                    summary: format!("{} in the library", r.kind_label()),
                    title: r.title,
                });
            }
            for c in store::case_studies(&app.db, &all, &any, now).await?.into_iter().filter(|c| c.publish_at > since) {
                items.push(NewsletterItem {
                    kind: "case_study",
                    audience: c.audience(),
                    path: format!("/case-studies/{}", c.slug),
                    summary: format!("A case study: {} · {}", c.organisation_label, c.sector),
                    title: c.title,
                });
            }
            Ok(items)
        })
    }

    fn newsletter_item_now<'a>(
        &'a self,
        app: &'a App,
        kind: &'a str,
        key: &'a str,
        now: DateTime<Utc>,
    ) -> BoxFuture<'a, Outcome<Option<Audience>>> {
        Box::pin(async move {
            let open = |published: bool, at: DateTime<Utc>| Publication::of(published, at).is_out(now);
            Ok(match kind {
                "article" => store::article_by_slug(&app.db, key)
                    .await?
                    .filter(|a| open(a.published, a.publish_at))
                    .map(|a| a.audience()),
                "resource" => store::resource_by_slug(&app.db, key)
                    .await?
                    .filter(|r| open(r.published, r.publish_at))
                    .map(|r| r.audience()),
                "case_study" => store::case_study_by_slug(&app.db, key)
                    .await?
                    .filter(|c| open(c.published, c.publish_at))
                    .map(|c| c.audience()),
                _ => None,
            })
        })
    }

    fn demo<'a>(&'a self, app: &'a App, organiser_id: &'a str) -> BoxFuture<'a, Outcome<Option<String>>> {
        Box::pin(async move { Ok(Some(demo::load(app, organiser_id).await?)) })
    }
}
