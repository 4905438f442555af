//! The organisers' side of judging: a category's judges (invited by e-mail or assigned, to the whole category or
//! to single entries, against a target per entry), its settings (judges per entry, the eligibility checklist),
//! the ranking with disagreements first, and each entry's eligibility, conflicts and decision. An organiser
//! with a conflict in force is locked out of that entry: another organiser decides it.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{Duration, Utc};

use super::admin::Fields;
use super::conflicts::Kind;
use super::model::{Assignment, Award, Category, ConflictState, Criterion, Decision, Entry, EntryStatus, Programme};
use super::panel::{self, Book, Standing};
use super::ranking::Ranked;
use super::service;
use super::store;
use crate::App;
use crate::auth::policy::{self, AwardConflict};
use crate::auth::{Viewer, tokens};
use crate::mail::{self, messages};
use crate::web::{AppError, AppResult, ClientIp, FieldErrors, Form, Page, invalid, redirect_with_notice, render};

/// How long a judge's invitation works.
pub const INVITATION_DAYS: i64 = 21;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/admin/awards/categories/{id}", get(category_page).post(settings))
        .route("/admin/awards/categories/{id}/judges", post(add_judge))
        .route("/admin/awards/categories/{id}/judges/{assignment}/remove", post(remove_judge))
        .route("/admin/awards/entries/{id}", get(entry_page))
        .route("/admin/awards/entries/{id}/eligibility", post(eligibility))
        .route("/admin/awards/entries/{id}/conflicts", post(decide_conflict))
        .route("/admin/awards/entries/{id}/decision", post(decide))
}

fn organiser(viewer: &Viewer, path: &str) -> AppResult<crate::auth::User> {
    policy::require(viewer, policy::can_run_awards(viewer), path)?;
    viewer.user.clone().ok_or(AppError::Forbidden)
}

pub(super) async fn category_of(app: &App, id: &str) -> AppResult<(Category, Programme, Vec<Criterion>)> {
    let c = store::category(&app.db, id).await?.ok_or(AppError::NotFound)?;
    let p = store::programme(&app.db, &c.programme_id).await?.ok_or(AppError::NotFound)?;
    let criteria = store::criteria(&app.db, &c.id).await?;
    Ok((c, p, criteria))
}

/// Who judges an entry and how it stands, as the organisers' category page shows it.
pub struct EntryLine {
    pub entry: Entry,
    /// The viewing organiser has a conflict with it: nothing of its judging is shown to them.
    pub locked: bool,
    pub judges: usize,
    pub reviews: usize,
    pub ranked: Option<Ranked>,
    pub conflicts: usize,
    pub decision: Decision,
}

#[derive(Template)]
#[template(path = "awards/admin_category.html")]
struct CategoryPage {
    page: Page,
    category: Category,
    programme: Programme,
    judges: Vec<Assignment>,
    invitations: Vec<super::model::Invitation>,
    lines: Vec<EntryLine>,
    judges_per_entry: String,
    checklist: String,
    email: String,
    errors: FieldErrors,
}

impl CategoryPage {
    pub fn fixed(&self, v: &f64) -> String {
        format!("{v:.2}")
    }

    pub fn entry_title(&self, id: &Option<String>) -> String {
        match id {
            None => "the whole category".into(),
            Some(id) => match self.lines.iter().find(|l| &l.entry.id == id) {
                // Nothing of an entry the organiser has a conflict with, its judges included.
                Some(l) if l.locked => "one entry you have a conflict with".into(),
                Some(l) => format!("only {}", l.entry.title),
                None => "one entry no longer submitted".into(),
            },
        }
    }
}

/// The lines of a category's page: entries ranked (disagreements first, then by normalised mean), then the
/// entries nobody scored yet.
pub async fn lines(
    app: &App,
    category: &Category,
    criteria: &[Criterion],
    viewer_id: &str,
) -> AppResult<(Vec<EntryLine>, Vec<Assignment>)> {
    let entries: Vec<Entry> = store::entries_in(&app.db, &category.id)
        .await?
        .into_iter()
        .filter(|e| e.status() == EntryStatus::Submitted)
        .collect();
    let judges = store::assignments_in(&app.db, &category.id).await?;
    let reviews = store::reviews_in(&app.db, &category.id).await?;
    let mut people: Vec<&str> = judges.iter().map(|a| a.user_id.as_str()).collect();
    people.extend(reviews.iter().map(|r| r.user_id.as_str()));
    people.push(viewer_id);
    let refs: Vec<&Entry> = entries.iter().collect();
    let book = Book::load(&app.db, &refs, &people).await?;
    let ranked = panel::ranking(&app.db, category, criteria).await?;
    let decisions = store::results_in(&app.db, &category.programme_id).await?;
    let mut out: Vec<EntryLine> = entries
        .into_iter()
        .map(|e| {
            let locked = book.standing(&e.id, viewer_id).in_force() == AwardConflict::InForce;
            let conflicts = judges
                .iter()
                .filter(|a| a.covers(&e.id) && book.standing(&e.id, &a.user_id).in_force() == AwardConflict::InForce)
                .count();
            EntryLine {
                judges: panel::judges_of(&e, &judges, &book).len(),
                // Scores that count: no abstention, no one with a conflict in force.
                reviews: reviews
                    .iter()
                    .filter(|r| r.entry_id == e.id && !r.abstained)
                    .filter(|r| book.standing(&e.id, &r.user_id).in_force() == AwardConflict::None)
                    .count(),
                ranked: if locked { None } else { ranked.iter().find(|r| r.entry == e.id).cloned() },
                decision: decisions
                    .iter()
                    .find(|d| d.entry_id == e.id)
                    .cloned()
                    .unwrap_or_else(|| Decision { entry_id: e.id.clone(), ..Decision::default() }),
                conflicts,
                locked,
                entry: e,
            }
        })
        .collect();
    let place = |l: &EntryLine| ranked.iter().position(|r| r.entry == l.entry.id).unwrap_or(usize::MAX);
    out.sort_by_key(|l| (l.locked, !l.ranked.as_ref().is_some_and(|r| r.disagreement), place(l)));
    Ok((out, judges))
}

async fn category_view(
    app: &App,
    page: Page,
    viewer: &Viewer,
    id: &str,
    typed: Option<&Fields>,
    errors: FieldErrors,
) -> AppResult<CategoryPage> {
    let user = organiser(viewer, &format!("/admin/awards/categories/{id}"))?;
    let (category, programme, criteria) = category_of(app, id).await?;
    let (lines, mut judges) = lines(app, &category, &criteria, &user.id).await?;
    // Nothing of an entry the organiser has a conflict with: not who judges it, nor who is invited to.
    let locked: Vec<&str> = lines.iter().filter(|l| l.locked).map(|l| l.entry.id.as_str()).collect();
    let open_entry = |entry: &Option<String>| entry.as_deref().is_none_or(|e| !locked.contains(&e));
    judges.retain(|a| open_entry(&a.entry_id));
    let mut invitations = store::open_invitations(&app.db, &category.id, Utc::now()).await?;
    invitations.retain(|i| open_entry(&i.entry_id));
    let field = |name: &str, or: String| typed.map(|t| t.get(name)).unwrap_or(or);
    Ok(CategoryPage {
        page: page.titled(&format!("{}: judging", category.name)).noindex(),
        invitations,
        judges_per_entry: field("judges_per_entry", category.judges_per_entry.to_string()),
        checklist: field("checklist", category.checklist.clone()),
        email: field("email", String::new()),
        judges,
        lines,
        category,
        programme,
        errors,
    })
}

async fn category_page(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
) -> AppResult<Response> {
    render(&category_view(&app, page, &viewer, &id, None, FieldErrors::default()).await?)
        .map(IntoResponse::into_response)
}

async fn settings(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    organiser(&viewer, &format!("/admin/awards/categories/{id}"))?;
    let mut errors = FieldErrors::default();
    let (judges, checklist) =
        service::check_judging(&mut errors, &fields.get("judges_per_entry"), &fields.get("checklist"));
    if !errors.is_empty() {
        return invalid(&category_view(&app, page, &viewer, &id, Some(&fields), errors).await?);
    }
    if store::set_judging(&app.db, &id, judges, &checklist).await? == 0 {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_notice(&format!("/admin/awards/categories/{id}"), "The judging settings are saved."))
}

/// What adding a judge did.
pub enum Added {
    /// An account with the address exists: assigned at once, and told by e-mail (`new`), or assigned already.
    Assigned { name: String, new: bool },
    /// No account yet: an invitation with a link is on its way.
    Invited,
}

/// Adds a judge to a category (or to one entry of it) by e-mail address: a person with an account is assigned
/// and told; anyone else is invited with a signed, expiring link. Rate-limited, as every form that e-mails a
/// typed address.
pub async fn add_by_email(
    app: &App,
    category: &Category,
    programme: &Programme,
    entry: Option<&Entry>,
    email: &str,
    by: &crate::auth::User,
    ip: std::net::IpAddr,
) -> AppResult<Added> {
    let now = Utc::now();
    if let Some(retry_after_secs) =
        crate::auth::throttle::mail_to_typed_address(&app.db, "award-judge", ip, email, now).await?
    {
        return Err(AppError::TooManyRequests { retry_after_secs });
    }
    let what = match entry {
        Some(e) => format!("the entry \"{}\" in {}", e.title, category.name),
        None => category.name.clone(),
    };
    let existing = crate::auth::user_by_email(&app.db, email).await?.map(crate::auth::User::from);
    match existing {
        Some(user) if policy::may_judge(&user, now) => {
            let new = assign_and_tell(app, category, programme, entry, &user, by).await?;
            return Ok(Added::Assigned { name: user.name, new });
        }
        Some(_) => {
            return Err(AppError::Conflict("This account cannot judge: it is suspended or not yet a member.".into()));
        }
        None => {}
    }
    let mut tx = app.db.begin().await?;
    let token = tokens::random_token();
    store::insert_invitation(
        &mut tx,
        &category.id,
        entry.map(|e| e.id.as_str()),
        email,
        &tokens::hash(&token),
        &by.id,
        now,
        now + Duration::days(INVITATION_DAYS),
    )
    .await?;
    let link = app.config.link(&format!("/awards/judges/invitations/{token}"));
    let message = messages::notice(
        &app.config.title,
        email,
        "",
        &format!("An invitation to judge {} in {}", category.name, programme.name),
        &[
            format!(
                "{} invites you to judge {what} in the {}'s {}: you read the entries, score them \
                 against the category's criteria, and declare any conflict of interest.",
                by.name, app.config.title, programme.name
            ),
            format!(
                "The link works for {INVITATION_DAYS} days, once. If you did not expect it, you can ignore this e-mail."
            ),
        ],
        Some(("Accept the invitation", &link)),
    )?;
    mail::queue(app, &mut tx, mail::Kind::Transactional, &message).await?;
    tx.commit().await?;
    app.wake_mail();
    Ok(Added::Invited)
}

/// Assigns a person with an account, and tells them by e-mail (once: adding them again changes nothing).
pub async fn assign_and_tell(
    app: &App,
    category: &Category,
    programme: &Programme,
    entry: Option<&Entry>,
    user: &crate::auth::User,
    by: &crate::auth::User,
) -> AppResult<bool> {
    let what = match entry {
        Some(e) => format!("the entry \"{}\" in {}", e.title, category.name),
        None => category.name.clone(),
    };
    let link = app.config.link("/awards/judging");
    let message = messages::notice(
        &app.config.title,
        &user.email,
        &user.name,
        &format!("You judge {what} in {}", programme.name),
        &[
            format!("{} has asked you to judge {what} in {}.", by.name, programme.name),
            "Your judging page lists the entries once entries close. If you have a conflict of interest with an \
             entry, declare it there: you will not see that entry again."
                .to_string(),
        ],
        Some(("Your judging", &link)),
    )?;
    let mut tx = app.db.begin().await?;
    let new = store::assign(&mut tx, &category.id, entry.map(|e| e.id.as_str()), &user.id, Utc::now()).await?;
    if new {
        mail::queue(app, &mut tx, mail::Kind::Transactional, &message).await?;
    }
    tx.commit().await?;
    app.wake_mail();
    Ok(new)
}

async fn add_judge(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let by = organiser(&viewer, &format!("/admin/awards/categories/{id}"))?;
    let (category, programme, _) = category_of(&app, &id).await?;
    let mut errors = FieldErrors::default();
    let email = errors.email("email", &fields.get("email"));
    let entry = match fields.get("entry").as_str() {
        "" => None,
        e => match entry_to_judge(&app, &viewer, &id, e).await? {
            Some(x) => Some(x),
            None => {
                errors.add("entry", "Choose a submitted entry of this category, or the whole category.");
                None
            }
        },
    };
    if !errors.is_empty() {
        return invalid(&category_view(&app, page, &viewer, &id, Some(&fields), errors).await?);
    }
    let notice = match add_by_email(&app, &category, &programme, entry.as_ref(), &email, &by, ip).await? {
        Added::Assigned { name, new: true } => format!("{name} judges {} now, and is told by e-mail.", category.name),
        Added::Assigned { name, new: false } => format!("{name} judges this already."),
        Added::Invited => format!("An invitation is on its way to {email}."),
    };
    Ok(redirect_with_notice(&format!("/admin/awards/categories/{id}"), &notice))
}

/// The one entry a judge is added to: a submitted entry of the category, which the organiser has no conflict
/// with (a 403 that says so if they have).
pub async fn entry_to_judge(app: &App, viewer: &Viewer, category_id: &str, entry_id: &str) -> AppResult<Option<Entry>> {
    let found = store::entry(&app.db, entry_id)
        .await?
        .filter(|e| e.category_id == category_id && e.status() == EntryStatus::Submitted);
    match found {
        Some(_) => Ok(Some(oversee(app, viewer, entry_id).await?.0)),
        None => Ok(None),
    }
}

async fn remove_judge(
    State(app): State<App>,
    viewer: Viewer,
    Path((id, assignment)): Path<(String, String)>,
) -> AppResult<Response> {
    organiser(&viewer, &format!("/admin/awards/categories/{id}"))?;
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let found = store::assignments_in(&app.db, &id).await?.into_iter().find(|a| a.id == assignment);
    if let Some(entry) = found.and_then(|a| a.entry_id) {
        let entry = store::entry(&app.db, &entry).await?.ok_or(AppError::NotFound)?;
        if !policy::can_oversee_entry(&viewer, panel::standing(&app.db, &entry, &user.id).await?.in_force()) {
            return Err(AppError::Refused(
                "You have a conflict of interest with this entry: another organiser decides who judges it.".into(),
            ));
        }
    }
    if store::unassign(&app.db, &assignment, &id).await? == 0 {
        return Err(AppError::NotFound);
    }
    Ok(redirect_with_notice(
        &format!("/admin/awards/categories/{id}"),
        "The judge is taken off; the reviews they put in stay.",
    ))
}

// ---- One entry ---------------------------------------------------------------------------------------------------

/// An entry as an organiser oversees it: a conflict in force locks them out (403, saying so).
pub async fn oversee(
    app: &App,
    viewer: &Viewer,
    id: &str,
) -> AppResult<(Entry, Category, Programme, crate::auth::User)> {
    let user = organiser(viewer, &format!("/admin/awards/entries/{id}"))?;
    let entry = store::entry(&app.db, id).await?.ok_or(AppError::NotFound)?;
    if !matches!(entry.status(), EntryStatus::Submitted | EntryStatus::Returned) {
        return Err(AppError::NotFound);
    }
    let standing = panel::standing(&app.db, &entry, &user.id).await?;
    if !policy::can_oversee_entry(viewer, standing.in_force()) {
        return Err(AppError::Refused(
            "You have a conflict of interest with this entry: another organiser decides it.".into(),
        ));
    }
    let c = store::category(&app.db, &entry.category_id).await?.ok_or(AppError::NotFound)?;
    let p = store::programme(&app.db, &c.programme_id).await?.ok_or(AppError::NotFound)?;
    Ok((entry, c, p, user))
}

/// A judge's (or organiser's) standing with an entry, for the organisers.
pub struct PersonStanding {
    pub user_id: String,
    pub name: String,
    pub standing: Standing,
}

#[derive(Template)]
#[template(path = "awards/admin_entry.html")]
struct EntryPage {
    page: Page,
    entry: Entry,
    category: Category,
    programme: Programme,
    checklist: Vec<(usize, String, bool)>,
    people: Vec<PersonStanding>,
    decision: Decision,
    awards: [Award; 2],
    kinds: [Kind; 5],
    case_study: String,
    meeting: String,
    frozen_shortlist: bool,
    frozen_winners: bool,
    /// Who sent it through the public form (name, address), for the organisers to write to.
    public_entrant: Option<(String, String)>,
    errors: FieldErrors,
}

impl EntryPage {
    pub fn chosen(&self, a: &Award) -> bool {
        self.decision.award == Some(*a)
    }
}

async fn entry_view(
    app: &App,
    page: Page,
    viewer: &Viewer,
    id: &str,
    typed: Option<&Fields>,
    errors: FieldErrors,
) -> AppResult<EntryPage> {
    let (entry, category, programme, _) = oversee(app, viewer, id).await?;
    let ticked = store::eligibility(&app.db, &entry.id).await?;
    let checklist = category
        .checklist()
        .into_iter()
        .enumerate()
        .map(|(i, item)| (i, item.to_string(), ticked.iter().any(|t| t == item)))
        .collect();
    let judges = store::assignments_in(&app.db, &category.id).await?;
    let mut ids: Vec<(String, String)> = Vec::new();
    for a in judges.iter().filter(|a| a.covers(&entry.id)) {
        if !ids.iter().any(|(i, _)| i == &a.user_id) {
            ids.push((a.user_id.clone(), a.judge_name.clone()));
        }
    }
    for c in store::conflicts_on(&app.db, &entry.id).await? {
        if !ids.iter().any(|(i, _)| i == &c.user_id) {
            ids.push((c.user_id.clone(), c.person_name.clone()));
        }
    }
    let refs: Vec<&str> = ids.iter().map(|(i, _)| i.as_str()).collect();
    let book = Book::load(&app.db, &[&entry], &refs).await?;
    let people = ids
        .into_iter()
        .map(|(user_id, name)| PersonStanding { standing: book.standing(&entry.id, &user_id), user_id, name })
        .collect();
    let decision = store::results_in(&app.db, &programme.id)
        .await?
        .into_iter()
        .find(|d| d.entry_id == entry.id)
        .unwrap_or_else(|| Decision { entry_id: entry.id.clone(), ..Decision::default() });
    let field = |name: &str, or: String| typed.map(|t| t.get(name)).unwrap_or(or);
    let case_study =
        field("case_study", super::results::case_study_slug(app, decision.case_study_id.as_deref()).await?);
    let meeting = field("meeting", super::results::meeting_slug(app, decision.meeting_id.as_deref()).await?);
    Ok(EntryPage {
        page: page.titled(&entry.title).noindex(),
        frozen_shortlist: programme.shortlist_published_at.is_some(),
        frozen_winners: programme.winners_published_at.is_some(),
        public_entrant: store::public_entrant_of(&app.db, &entry.id).await?,
        checklist,
        people,
        decision,
        awards: Award::ALL,
        kinds: Kind::ALL,
        case_study,
        meeting,
        errors,
        entry,
        category,
        programme,
    })
}

async fn entry_page(State(app): State<App>, page: Page, viewer: Viewer, Path(id): Path<String>) -> AppResult<Response> {
    render(&entry_view(&app, page, &viewer, &id, None, FieldErrors::default()).await?).map(IntoResponse::into_response)
}

/// Ticks the category's eligibility checklist for an entry (fields `item_0`, `item_1`, ...).
async fn eligibility(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let (entry, category, _, user) = oversee(&app, &viewer, &id).await?;
    // Each box sends its item's text, so a checklist changed meanwhile ticks nothing it did not show.
    let checklist = category.checklist();
    let sent: Vec<&String> = fields.0.iter().filter(|(k, _)| k.starts_with("item_")).map(|(_, v)| v).collect();
    let items: Vec<&str> = checklist.iter().copied().filter(|item| sent.iter().any(|v| v.as_str() == *item)).collect();
    store::set_eligibility(&app.db, &entry.id, &items, &user.id, Utc::now()).await?;
    let all = items.len() == checklist.len();
    Ok(redirect_with_notice(
        &format!("/admin/awards/entries/{id}"),
        if all { "Eligibility checked: every item is met." } else { "Eligibility saved: not every item is met yet." },
    ))
}

/// Pins a conflict (the judge cannot remove it), dismisses a proposal found wrong, or clears the organisers'
/// decision. An organiser cannot decide their own.
async fn decide_conflict(
    State(app): State<App>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let (entry, _, _, user) = oversee(&app, &viewer, &id).await?;
    let person = fields.get("user");
    if person == user.id {
        return Err(AppError::Conflict("Another organiser decides your own conflicts.".into()));
    }
    crate::auth::user_by_id(&app.db, &person).await?.ok_or_else(|| AppError::BadRequest("Choose a judge.".into()))?;
    let kind = Kind::parse(&fields.get("kind")).unwrap_or(Kind::Other);
    let mut errors = FieldErrors::default();
    let note = errors.optional("note", "The note", &fields.get("note"), 1000);
    if let Some(m) = errors.get("note") {
        return Err(AppError::BadRequest(m.clone()));
    }
    let standing = panel::standing(&app.db, &entry, &person).await?;
    let (decision, notice) = match fields.get("action").as_str() {
        "dismiss" if standing.proposed.is_empty() || standing.declared() => {
            return Err(AppError::Conflict(
                "Only a conflict the network proposes can be dismissed; a judge's own declaration stands.".into(),
            ));
        }
        "pin" => (Some((ConflictState::Pinned.key(), kind.key(), note.as_str())), "The conflict is pinned."),
        "dismiss" => (Some((ConflictState::Dismissed.key(), kind.key(), note.as_str())), "The proposal is dismissed."),
        "clear" => (None, "The organisers' decision is cleared."),
        _ => return Err(AppError::BadRequest("Choose pin, dismiss or clear.".into())),
    };
    store::decide_conflict(&app.db, &entry.id, &person, decision, &user.id, Utc::now()).await?;
    Ok(redirect_with_notice(&format!("/admin/awards/entries/{id}#conflicts"), notice))
}

async fn decide(
    State(app): State<App>,
    page: Page,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> AppResult<Response> {
    let (entry, _, programme, user) = oversee(&app, &viewer, &id).await?;
    let typed = super::results::DecisionFields {
        shortlisted: fields.get("shortlisted") == "yes",
        award: fields.get("award"),
        citation: fields.get("citation"),
        case_study: fields.get("case_study"),
        meeting: fields.get("meeting"),
    };
    match super::results::decide(&app, &entry, &programme, &typed, &user).await? {
        Ok(()) => Ok(redirect_with_notice(&format!("/admin/awards/entries/{id}#decision"), "The decision is saved.")),
        Err(errors) => invalid(&entry_view(&app, page, &viewer, &id, Some(&fields), errors).await?),
    }
}
