//! The judging's rules with the data they need: who is assigned to what, the conflicts in force between a
//! person and an entry (proposed from the network's own data, declared by the judge, pinned or dismissed by an
//! organiser), an entry as a judge or an organiser reaches it, and a category's ranking from its reviews.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::conflicts::{self, EntryFacts, JudgeFacts, Proposed};
use super::model::{Category, ConflictState, Criterion, Entry, EntryStatus, Programme, Review, Score};
use super::ranking::{self, Ranked, Scored};
use super::store;
use crate::App;
use crate::auth::Viewer;
use crate::auth::policy::{self, AwardConflict};
use crate::db::Db;
use crate::web::{AppError, AppResult};

/// What the network's data and people say about one person and one entry.
#[derive(Clone, Debug, Default)]
pub struct Standing {
    pub proposed: Vec<Proposed>,
    pub decided: Option<super::model::Conflict>,
}

impl Standing {
    /// A declared or pinned conflict is in force; a dismissed proposal is not; otherwise a proposal is.
    pub fn in_force(&self) -> AwardConflict {
        let conflicted = match self.decided.as_ref().map(|c| c.state()) {
            Some(ConflictState::Declared | ConflictState::Pinned) => true,
            Some(ConflictState::Dismissed) => false,
            None => !self.proposed.is_empty(),
        };
        if conflicted { AwardConflict::InForce } else { AwardConflict::None }
    }

    pub fn pinned(&self) -> bool {
        self.decided.as_ref().is_some_and(|c| c.state() == ConflictState::Pinned)
    }

    pub fn declared(&self) -> bool {
        self.decided.as_ref().is_some_and(|c| c.state() == ConflictState::Declared)
    }

    /// Why, in words for the judge and the organisers.
    pub fn why(&self) -> String {
        match &self.decided {
            Some(c) if c.state() != ConflictState::Dismissed => {
                let kind = conflicts::Kind::parse(&c.kind).map(|k| k.label()).unwrap_or("A conflict");
                let by = if c.state() == ConflictState::Pinned { "pinned by the organisers" } else { "declared" };
                if c.note.is_empty() { format!("{kind} ({by}).") } else { format!("{kind} ({by}): {}", c.note) }
            }
            _ => self.proposed.iter().map(|p| p.why.as_str()).collect::<Vec<_>>().join(" "),
        }
    }
}

/// The facts and decisions about a set of entries and people, loaded once for a page.
#[derive(Default)]
pub struct Book {
    people: HashMap<String, JudgeFacts>,
    entries: HashMap<String, EntryFacts>,
    decided: HashMap<(String, String), super::model::Conflict>,
}

/// What the network knows of a person that may conflict: where they work and worked, what they coordinate.
async fn person_facts(db: &Db, user_id: &str) -> Result<JudgeFacts, sqlx::Error> {
    let organisation = crate::auth::user_by_id(db, user_id).await?.and_then(|u| u.organisation_id);
    let former = store::organisations_in_history(db, user_id)
        .await?
        .into_iter()
        .filter(|o| Some(o) != organisation.as_ref())
        .collect();
    Ok(JudgeFacts {
        user_id: user_id.to_string(),
        organisation,
        former_organisations: former,
        coordinates: store::coordinated_groups(db, user_id).await?,
    })
}

async fn entry_facts(db: &Db, entry: &Entry) -> Result<EntryFacts, sqlx::Error> {
    // Its author, or for an entry through the public form the account with its entrant's address, if any.
    let author = match store::author_of(db, &entry.id).await? {
        Some(a) => Some(a),
        None => store::public_entrant_account(db, &entry.id).await?,
    };
    let coordinated = match &author {
        Some(a) => store::coordinated_groups(db, a).await?,
        None => Vec::new(),
    };
    Ok(EntryFacts {
        organisation: entry.organisation_id.clone(),
        people: author.into_iter().collect(),
        coordinated_by_entrants: coordinated,
    })
}

impl Book {
    pub async fn load(db: &Db, entries: &[&Entry], people: &[&str]) -> Result<Book, sqlx::Error> {
        let mut book = Book::default();
        for p in people {
            if !book.people.contains_key(*p) {
                book.people.insert(p.to_string(), person_facts(db, p).await?);
            }
        }
        for e in entries {
            book.entries.insert(e.id.clone(), entry_facts(db, e).await?);
            for c in store::conflicts_on(db, &e.id).await? {
                book.decided.insert((c.entry_id.clone(), c.user_id.clone()), c);
            }
        }
        Ok(book)
    }

    pub fn standing(&self, entry_id: &str, user_id: &str) -> Standing {
        let proposed = match (self.people.get(user_id), self.entries.get(entry_id)) {
            (Some(p), Some(e)) => conflicts::propose(p, e),
            _ => Vec::new(),
        };
        Standing { proposed, decided: self.decided.get(&(entry_id.to_string(), user_id.to_string())).cloned() }
    }
}

/// One person's standing with one entry.
pub async fn standing(db: &Db, entry: &Entry, user_id: &str) -> Result<Standing, sqlx::Error> {
    Ok(Book::load(db, &[entry], &[user_id]).await?.standing(&entry.id, user_id))
}

/// When judges open entries: once entries close (nothing changes under them after that).
pub fn entries_frozen(p: &Programme, now: DateTime<Utc>) -> bool {
    now >= p.entries_close_at
}

/// When judges score: from judging's opening to its close, and never after the winners are announced.
pub fn scoring_open(p: &Programme, now: DateTime<Utc>) -> bool {
    now >= p.judging_opens_at && now < p.judging_closes_at && p.winners_published_at.is_none()
}

/// How the viewer reaches an entry's judging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seat {
    /// An assigned judge without a conflict.
    Judge,
    /// An organiser without a conflict.
    Organiser,
}

pub struct Reached {
    pub entry: Entry,
    pub category: Category,
    pub programme: Programme,
    pub criteria: Vec<Criterion>,
    pub seat: Seat,
    pub user: crate::auth::User,
}

/// An entry as a judge or an organiser reaches it. A conflict in force is a 403 that says so (the person knows
/// of the entry); anyone else finds nothing. Judges see entries once entries close; organisers always.
pub async fn reach(app: &App, viewer: &Viewer, entry_id: &str) -> AppResult<Reached> {
    let now = Utc::now();
    policy::require(viewer, policy::can_reach_judging(viewer, now), &format!("/awards/judging/entries/{entry_id}"))?;
    let user = viewer.user.clone().ok_or(AppError::Forbidden)?;
    let entry = store::entry(&app.db, entry_id).await?.ok_or(AppError::NotFound)?;
    let category = store::category(&app.db, &entry.category_id).await?.ok_or(AppError::NotFound)?;
    let programme = store::programme(&app.db, &category.programme_id).await?.ok_or(AppError::NotFound)?;
    let assigned = store::is_assigned(&app.db, &entry, &user.id).await? && entries_frozen(&programme, now);
    let conflict = standing(&app.db, &entry, &user.id).await?.in_force();
    let submitted = entry.status() == EntryStatus::Submitted;
    let seat = if policy::can_judge_entry(viewer, assigned, conflict, submitted, now) {
        Seat::Judge
    } else if submitted && policy::can_oversee_entry(viewer, conflict) {
        Seat::Organiser
    } else if submitted && conflict == AwardConflict::InForce && (assigned || policy::can_run_awards(viewer)) {
        return Err(AppError::Refused(
            "You have a conflict of interest with this entry: another judge or organiser decides it.".into(),
        ));
    } else {
        return Err(AppError::NotFound);
    };
    let criteria = store::criteria(&app.db, &category.id).await?;
    Ok(Reached { entry, category, programme, criteria, seat, user })
}

/// A review with its scores, in the category's criteria order.
#[derive(Clone, Debug)]
pub struct ScoredReview {
    pub review: Review,
    pub scores: Vec<Option<i64>>,
    pub weighted: Option<f64>,
}

/// The reviews of one entry, each with its scores; a review by someone who has since a conflict in force with
/// the entry (declared after scoring, or pinned) no longer counts and is not shown.
pub async fn reviews(db: &Db, entry: &Entry, criteria: &[Criterion]) -> Result<Vec<ScoredReview>, sqlx::Error> {
    let scores = store::scores_of(db, &entry.id).await?;
    let reviews = store::reviews_of(db, &entry.id).await?;
    let people: Vec<&str> = reviews.iter().map(|r| r.user_id.as_str()).collect();
    let book = Book::load(db, &[entry], &people).await?;
    Ok(reviews
        .into_iter()
        .filter(|r| book.standing(&entry.id, &r.user_id).in_force() == AwardConflict::None)
        .map(|r| with_scores(r, &scores, criteria))
        .collect())
}

fn with_scores(review: Review, scores: &[Score], criteria: &[Criterion]) -> ScoredReview {
    let theirs: Vec<Option<i64>> = criteria
        .iter()
        .map(|c| {
            scores
                .iter()
                .find(|s| s.entry_id == review.entry_id && s.user_id == review.user_id && s.criterion_id == c.id)
                .map(|s| s.score)
        })
        .collect();
    let weights: Vec<f64> = criteria.iter().map(|c| c.weight).collect();
    let weighted = if review.abstained {
        None
    } else {
        theirs
            .iter()
            .copied()
            .collect::<Option<Vec<i64>>>()
            .and_then(|s| ranking::weighted(&weights, &s.into_iter().map(|n| n as f64).collect::<Vec<_>>()))
    };
    ScoredReview { review, scores: theirs, weighted }
}

/// A category's ranking from every review in it (abstentions, incomplete reviews and reviews by someone with
/// a conflict in force left out).
pub async fn ranking(db: &Db, category: &Category, criteria: &[Criterion]) -> Result<Vec<Ranked>, sqlx::Error> {
    let scores = store::scores_in(db, &category.id).await?;
    let weights: Vec<f64> = criteria.iter().map(|c| c.weight).collect();
    let reviews = store::reviews_in(db, &category.id).await?;
    let entries: Vec<Entry> = store::entries_in(db, &category.id).await?;
    let refs: Vec<&Entry> = entries.iter().collect();
    let people: Vec<&str> = reviews.iter().map(|r| r.user_id.as_str()).collect();
    let book = Book::load(db, &refs, &people).await?;
    let scored: Vec<Scored> = reviews
        .into_iter()
        .filter(|r| book.standing(&r.entry_id, &r.user_id).in_force() == AwardConflict::None)
        .map(|r| with_scores(r, &scores, criteria))
        .filter(|r| !r.review.abstained)
        .filter_map(|r| {
            let all: Option<Vec<i64>> = r.scores.iter().copied().collect();
            all.map(|s| Scored {
                judge: r.review.user_id.clone(),
                entry: r.review.entry_id.clone(),
                scores: s.into_iter().map(|n| n as f64).collect(),
            })
        })
        .collect();
    Ok(ranking::rank(&weights, &scored, category.disagreement))
}

/// One entry's judges as the organisers count them: assigned and without a conflict in force.
pub fn judges_of<'a>(
    entry: &Entry,
    assignments: &'a [super::model::Assignment],
    book: &Book,
) -> Vec<&'a super::model::Assignment> {
    let mut seen: Vec<&str> = Vec::new();
    assignments
        .iter()
        .filter(|a| a.covers(&entry.id))
        .filter(|a| book.standing(&entry.id, &a.user_id).in_force() == AwardConflict::None)
        .filter(|a| {
            let first = !seen.contains(&a.user_id.as_str());
            seen.push(&a.user_id);
            first
        })
        .collect()
}
