//! The judges' pages: their assignments (conflicted entries left out), an entry with its score form (others'
//! scores, comments and the discussion shown once one's own scores are in), declaring a conflict, and the
//! invitation an organiser sends by e-mail (an outside expert makes a judge account that reaches only this).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;

use super::admin::Fields;
use super::conflicts::Kind;
use super::model::{Criterion, Entry, EntryStatus, Outcome, Programme, Remark};
use super::panel::{self, Reached, ScoredReview, Seat};
use super::service::{self, ReviewInput};
use super::store;
use crate::App;
use crate::auth::policy::{self, AwardConflict};
use crate::auth::{Role, Viewer, password, session, tokens};
use crate::web::browser::{session_cookie, set_cookie};
use crate::web::{AppError, AppResult, FieldErrors, Form, Page, invalid, redirect_with_notice, render, time};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/awards/judging", get(assignments))
        .route("/awards/judging/entries/{id}", get(entry_page).post(review))
        .route("/awards/judging/entries/{id}/discussion", post(discuss))
        .route("/awards/judging/entries/{id}/conflict", post(conflict))
        .route("/awards/judges/invitations/{token}", get(invitation).post(accept))
}

/// One entry on a judge's list.
pub struct Assigned {
    pub entry: Entry,
    /// `scored`, `abstained`, or empty.
    pub mine: &'static str,
}

pub struct Group {
    pub programme: Programme,
    pub category: super::model::Category,
    pub entries: Vec<Assigned>,
    /// Entries left out because of a conflict in force.
    pub conflicted: usize,
    pub scoring: bool,
    pub frozen: bool,
    pub closes: String,
    pub opens: String,
}

/// A conflict a judge sees: the entry's title and organisation, why, and whether they can take it back.
pub struct MyConflict {
    pub entry_id: String,
    pub title: String,
    pub organisation: String,
    pub why: String,
    pub declared: bool,
    pub pinned: bool,
}

/// A person's judging: each category they are assigned to (or entries of it), with its entries.
pub async fn my_judging(app: &App, user_id: &str) -> AppResult<(Vec<Group>, Vec<MyConflict>)> {
    let now = Utc::now();
    let tz = app.config.timezone;
    let assignments = store::assignments_of(&app.db, user_id).await?;
    let mine = store::reviews_by(&app.db, user_id).await?;
    let mut groups: Vec<Group> = Vec::new();
    let mut conflicts = Vec::new();
    let mut categories: Vec<String> = Vec::new();
    for a in &assignments {
        if !categories.contains(&a.category_id) {
            categories.push(a.category_id.clone());
        }
    }
    for category_id in categories {
        let Some(category) = store::category(&app.db, &category_id).await? else { continue };
        let Some(programme) = store::programme(&app.db, &category.programme_id).await? else { continue };
        let frozen = panel::entries_frozen(&programme, now);
        let covered: Vec<Entry> = if frozen {
            store::entries_in(&app.db, &category.id)
                .await?
                .into_iter()
                .filter(|e| e.status() == EntryStatus::Submitted)
                .filter(|e| assignments.iter().any(|a| a.category_id == category.id && a.covers(&e.id)))
                .collect()
        } else {
            Vec::new()
        };
        let refs: Vec<&Entry> = covered.iter().collect();
        let book = panel::Book::load(&app.db, &refs, &[user_id]).await?;
        let mut entries = Vec::new();
        let mut conflicted = 0;
        for e in covered {
            let standing = book.standing(&e.id, user_id);
            if standing.in_force() == AwardConflict::InForce {
                conflicted += 1;
                conflicts.push(MyConflict {
                    entry_id: e.id.clone(),
                    title: e.title.clone(),
                    organisation: e.organisation_name.clone(),
                    why: standing.why(),
                    declared: standing.declared(),
                    pinned: standing.pinned(),
                });
                continue;
            }
            let state = match mine.iter().find(|r| r.entry_id == e.id) {
                Some(r) if r.abstained => "abstained",
                Some(_) => "scored",
                None => "",
            };
            entries.push(Assigned { entry: e, mine: state });
        }
        groups.push(Group {
            scoring: panel::scoring_open(&programme, now),
            frozen,
            closes: time::date_time(programme.judging_closes_at, tz),
            opens: time::date_time(programme.judging_opens_at, tz),
            programme,
            category,
            entries,
            conflicted,
        });
    }
    Ok((groups, conflicts))
}

#[derive(Template)]
#[template(path = "awards/judging.html")]
struct JudgingPage {
    page: Page,
    groups: Vec<Group>,
    conflicts: Vec<MyConflict>,
    kinds: [Kind; 5],
}

async fn assignments(State(app): State<App>, page: Page, viewer: Viewer) -> AppResult<Response> {
    policy::require(&viewer, policy::can_reach_judging(&viewer, Utc::now()), "/awards/judging")?;
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let (groups, conflicts) = my_judging(&app, &user.id).await?;
    render(&JudgingPage { page: page.titled("Your judging").noindex(), groups, conflicts, kinds: Kind::ALL })
        .map(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "awards/judging_entry.html")]
struct EntryPage {
    page: Page,
    reached: Reached,
    outcomes: Vec<Outcome>,
    links: Vec<String>,
    organiser: bool,
    scoring: bool,
    /// The viewer's own review, if it is in.
    mine: Option<ScoredReview>,
    /// Others' reviews: shown once the viewer's own is in (organisers always).
    others: Vec<ScoredReview>,
    remarks: Vec<Remark>,
    open_others: bool,
    /// The score form's values: what was typed, else the viewer's review.
    typed: Vec<(Criterion, &'static str, String)>,
    comment: String,
    reason: String,
    remark: String,
    errors: FieldErrors,
    tz: chrono_tz::Tz,
    supporting: super::supporting::Supporting,
}

impl EntryPage {
    /// The viewer abstained on this entry.
    pub fn abstained(&self) -> bool {
        self.mine.as_ref().is_some_and(|m| m.review.abstained)
    }

    pub fn when(&self, at: &chrono::DateTime<Utc>) -> String {
        time::date_time(*at, self.tz)
    }

    pub fn score_of(&self, r: &ScoredReview, i: &usize) -> String {
        r.scores.get(*i).copied().flatten().map(|n| n.to_string()).unwrap_or_else(|| "–".into())
    }

    pub fn weighted_of(&self, r: &ScoredReview) -> String {
        r.weighted.map(|w| format!("{w:.2}")).unwrap_or_else(|| "–".into())
    }
}

pub(super) fn entry_links(links: &str) -> Vec<String> {
    links
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("https://") || l.starts_with("http://"))
        .map(String::from)
        .collect()
}

async fn entry_view(
    app: &App,
    page: Page,
    reached: Reached,
    typed: Option<&Fields>,
    remark: String,
    errors: FieldErrors,
) -> AppResult<EntryPage> {
    let reviews = panel::reviews(&app.db, &reached.entry, &reached.criteria).await?;
    let (mine, others): (Vec<ScoredReview>, Vec<ScoredReview>) =
        reviews.into_iter().partition(|r| r.review.user_id == reached.user.id);
    let mine = mine.into_iter().next();
    let organiser = reached.seat == Seat::Organiser;
    let open_others = policy::can_see_panel(organiser, mine.as_ref().map(|m| m.review.abstained));
    let field = |name: &str| typed.map(|t| t.get(name));
    let typed_scores = reached
        .criteria
        .iter()
        .zip(service::SCORE_FIELDS)
        .enumerate()
        .map(|(i, (c, f))| {
            let value = field(f).unwrap_or_else(|| {
                mine.as_ref()
                    .and_then(|m| m.scores.get(i).copied().flatten())
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            });
            (c.clone(), f, value)
        })
        .collect();
    let comment =
        field("comment").unwrap_or_else(|| mine.as_ref().map(|m| m.review.comment.clone()).unwrap_or_default());
    let reason = field("reason").unwrap_or_else(|| mine.as_ref().map(|m| m.review.reason.clone()).unwrap_or_default());
    let remarks = if open_others { store::remarks(&app.db, &reached.entry.id).await? } else { Vec::new() };
    Ok(EntryPage {
        page: page.titled(&reached.entry.title).noindex(),
        outcomes: store::outcomes(&app.db, &reached.entry.id).await?,
        links: entry_links(&reached.entry.links),
        scoring: !organiser && panel::scoring_open(&reached.programme, Utc::now()),
        organiser,
        mine,
        others: if open_others { others } else { Vec::new() },
        remarks,
        open_others,
        typed: typed_scores,
        comment,
        reason,
        remark,
        errors,
        tz: app.config.timezone,
        supporting: super::supporting::load(app, &reached.entry, None).await?,
        reached,
    })
}

async fn entry_page(State(app): State<App>, page: Page, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    let reached = panel::reach(&app, &viewer, &id).await?;
    render(&entry_view(&app, page, reached, None, String::new(), FieldErrors::default()).await?)
        .map(IntoResponse::into_response)
}

/// Checks and saves a judge's review (scores with a comment, or an abstention) while judging is open.
pub async fn save_review(
    app: &App,
    reached: &Reached,
    typed: &(dyn Fn(&str) -> String + Sync),
    abstain: bool,
) -> AppResult<Result<ReviewInput, FieldErrors>> {
    if reached.seat != Seat::Judge {
        return Err(AppError::Refused("Only the entry's judges score it.".into()));
    }
    let now = Utc::now();
    if !panel::scoring_open(&reached.programme, now) {
        let tz = app.config.timezone;
        return Err(AppError::Conflict(format!(
            "Scoring is open from {} until {}.",
            time::date_time(reached.programme.judging_opens_at, tz),
            time::date_time(reached.programme.judging_closes_at, tz)
        )));
    }
    let own = store::reviews_of(&app.db, &reached.entry.id).await?.into_iter().find(|r| r.user_id == reached.user.id);
    if own.is_some_and(|r| r.abstained) && !abstain {
        // Otherwise abstaining would be a way to read the others' scores before giving one's own.
        return Err(AppError::Conflict("You abstained on this entry: an abstention stands.".into()));
    }
    let mut errors = FieldErrors::default();
    let Some(input) = service::check_review(&mut errors, &reached.criteria, reached.category.scale_max, typed, abstain)
    else {
        return Ok(Err(errors));
    };
    store::save_review(&app.db, &reached.entry.id, &reached.user.id, &input, now).await?;
    Ok(Ok(input))
}

async fn review(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let reached = panel::reach(&app, &viewer, &id).await?;
    let abstain = fields.get("action") == "abstain";
    match save_review(&app, &reached, &|f| fields.get(f), abstain).await? {
        Ok(_) => Ok(redirect_with_notice(
            &format!("/awards/judging/entries/{id}"),
            if abstain { "Your abstention is recorded." } else { "Your scores are in." },
        )),
        Err(errors) => invalid(&entry_view(&app, page, reached, Some(&fields), String::new(), errors).await?),
    }
}

/// A remark in the discussion, by a judge whose review is in or an organiser.
async fn discuss(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let reached = panel::reach(&app, &viewer, &id).await?;
    let own = store::reviews_of(&app.db, &id).await?.into_iter().find(|r| r.user_id == reached.user.id);
    if !policy::can_see_panel(reached.seat == Seat::Organiser, own.map(|r| r.abstained)) {
        return Err(AppError::Conflict("Put your own scores in first: then the discussion opens to you.".into()));
    }
    let mut errors = FieldErrors::default();
    let body = errors.required("remark", "Your remark", &fields.get("remark"), 4000);
    if !errors.is_empty() {
        let typed = fields.get("remark");
        return invalid(&entry_view(&app, page, reached, None, typed, errors).await?);
    }
    store::insert_remark(&app.db, &id, &reached.user.id, &body, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/awards/judging/entries/{id}#discussion"), "Your remark is added."))
}

/// A judge declares a conflict with an entry they are assigned to (which locks them out of it at once), or
/// takes back one they declared. A proposed or pinned conflict is not theirs to remove.
async fn conflict(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let (entry, user) = judge_of(&app, &viewer, &id, "/awards/judging").await?;
    if fields.get("action") == "withdraw" {
        if store::withdraw_conflict(&app.db, &id, &user.id).await? == 0 {
            return Err(AppError::Conflict(
                "Only a conflict you declared can be taken back: ask the organisers about the others.".into(),
            ));
        }
        return Ok(redirect_with_notice("/awards/judging", "Your declaration is taken back."));
    }
    let kind = Kind::parse(&fields.get("kind"))
        .ok_or_else(|| AppError::BadRequest("Choose what kind of conflict it is.".into()))?;
    let mut errors = FieldErrors::default();
    let note = errors.optional("note", "The note", &fields.get("note"), 1000);
    if let Some(m) = errors.get("note") {
        return Err(AppError::BadRequest(m.clone()));
    }
    store::declare_conflict(&app.db, &id, &user.id, kind.key(), &note, Utc::now()).await?;
    Ok(redirect_with_notice(
        "/awards/judging",
        &format!("Your conflict with \"{}\" is recorded: another judge decides it.", entry.title),
    ))
}

/// An entry and the viewer who judges it now, conflicts aside (to declare one): anyone else finds nothing;
/// `path` is where a visitor comes back to after signing in.
pub async fn judge_of(app: &App, viewer: &Viewer, id: &str, path: &str) -> AppResult<(Entry, crate::auth::User)> {
    policy::require(viewer, policy::can_reach_judging(viewer, Utc::now()), path)?;
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let entry = store::entry(&app.db, id).await?.ok_or(AppError::NotFound)?;
    if !judged_now(app, viewer, &entry, &user.id).await? {
        return Err(AppError::NotFound);
    }
    Ok((entry, user))
}

/// Whether a person judges an entry now, conflicts aside: assigned to it, it is submitted, and entries have
/// closed (a draft's title reaches no judge).
async fn judged_now(app: &App, viewer: &Viewer, entry: &Entry, user_id: &str) -> AppResult<bool> {
    let category = store::category(&app.db, &entry.category_id).await?.ok_or(AppError::NotFound)?;
    let programme = store::programme(&app.db, &category.programme_id).await?.ok_or(AppError::NotFound)?;
    let assigned = store::is_assigned(&app.db, entry, user_id).await?;
    Ok(entry.status() == EntryStatus::Submitted
        && panel::entries_frozen(&programme, Utc::now())
        && policy::can_judge(viewer, assigned, Utc::now()))
}

// ---- Invitations -----------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "awards/judge_invitation.html")]
struct InvitationPage {
    page: Page,
    token: String,
    category: String,
    programme: String,
    email: String,
    /// `join` (signed in as the invitee), `sign_in`, `other` (signed in as someone else), `create`.
    answer: &'static str,
    name: String,
    errors: FieldErrors,
}

async fn working(app: &App, token: &str) -> AppResult<(super::model::Invitation, super::model::Category, Programme)> {
    let invitation = store::invitation_by_hash(&app.db, &tokens::hash(token))
        .await?
        .filter(|i| i.accepted_at.is_none() && i.expires_at > Utc::now())
        .ok_or_else(|| {
            AppError::Gone(
                "This invitation has been used or has expired: ask the awards' organisers for a new one.".into(),
            )
        })?;
    let category = store::category(&app.db, &invitation.category_id).await?.ok_or(AppError::NotFound)?;
    let programme = store::programme(&app.db, &category.programme_id).await?.ok_or(AppError::NotFound)?;
    Ok((invitation, category, programme))
}

async fn invitation_page(
    app: &App,
    page: Page,
    viewer: &Viewer,
    token: String,
    name: String,
    errors: FieldErrors,
) -> AppResult<InvitationPage> {
    let (invitation, category, programme) = working(app, &token).await?;
    let what = match &invitation.entry_id {
        Some(e) => match store::entry(&app.db, e).await? {
            Some(entry) => format!("the entry \"{}\" in {}", entry.title, category.name),
            None => category.name.clone(),
        },
        None => category.name.clone(),
    };
    let has_account = crate::auth::user_by_email(&app.db, &invitation.email).await?.is_some();
    let answer = match &viewer.user {
        Some(u) if u.email == invitation.email => "join",
        Some(_) => "other",
        None if has_account => "sign_in",
        None => "create",
    };
    Ok(InvitationPage {
        page: page.titled(&format!("Judge {}", category.name)).noindex(),
        token,
        category: what,
        programme: programme.name,
        email: invitation.email,
        answer,
        name,
        errors,
    })
}

async fn invitation(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(token): Path<String>,
) -> AppResult<Response> {
    render(&invitation_page(&app, page, &viewer, token, String::new(), FieldErrors::default()).await?)
        .map(IntoResponse::into_response)
}

/// Accepts an invitation: as the signed-in invitee, or by making a judge account (the link proves the
/// address), which is then signed in.
async fn accept(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(token): Path<String>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let (invitation, category, _) = working(&app, &token).await?;
    let now = Utc::now();
    let joining = match &viewer.user {
        Some(u) if u.email == invitation.email && policy::may_judge(u, now) => Ok(u.id.clone()),
        Some(u) if u.email == invitation.email => {
            return Err(AppError::Conflict(
                "Your account cannot judge now (its membership has lapsed, or it is not yet a member's): write to \
                 the organisers."
                    .into(),
            ));
        }
        Some(_) => {
            return Err(AppError::Conflict(format!(
                "This invitation is for {}: sign out to accept it.",
                invitation.email
            )));
        }
        None => {
            if crate::auth::user_by_email(&app.db, &invitation.email).await?.is_some() {
                return Ok(Redirect::to(&format!("/sign-in?next=/awards/judges/invitations/{token}")).into_response());
            }
            let mut errors = FieldErrors::default();
            let name = errors.required("name", "Your name", &fields.get("name"), 100);
            errors.one_line("name", "Your name", &name);
            if let Some(problem) =
                password::problem(&fields.get("password"), &fields.get("confirm"), &[&invitation.email, &name])
            {
                errors.add("password", problem);
            }
            if !errors.is_empty() {
                let name = fields.get("name");
                return invalid(&invitation_page(&app, page, &viewer, token, name, errors).await?);
            }
            Err((name, password::hash(fields.get("password")).await?))
        }
    };
    let mut tx = app.db.begin().await?;
    if !store::accept_invitation(&mut tx, &invitation.id, now).await? {
        return Err(AppError::Gone("This invitation has been used.".into()));
    }
    let (user_id, started) = match joining {
        Ok(id) => (id, None),
        Err((name, hash)) => {
            let id = match crate::auth::insert_user(&mut tx, &invitation.email, &name, Role::Judge, Some(&hash)).await {
                Ok(id) => id,
                Err(e) if crate::db::is_unique_violation(&e) => {
                    return Err(AppError::Conflict(
                        "An account with this address was just made: sign in to accept.".into(),
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            let started = session::start(&mut tx, &id, viewer.session_hash.as_deref(), session::Length::Short).await?;
            (id, Some(started))
        }
    };
    store::assign(&mut tx, &category.id, invitation.entry_id.as_deref(), &user_id, now).await?;
    tx.commit().await?;
    let judged = match invitation.entry_id {
        Some(_) => format!("an entry of {}", category.name),
        None => category.name.clone(),
    };
    let mut response = redirect_with_notice("/awards/judging", &format!("Thank you: you judge {judged}."));
    if let Some(started) = started {
        set_cookie(&mut response, session_cookie(&started, &app.config));
    }
    Ok(response)
}
