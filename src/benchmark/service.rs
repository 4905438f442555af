//! What assessing does, shared by the pages and the API: reaching an assessment under the policy, its scores,
//! saving answers and measures, submitting, the peer figures and what to do next.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Months, Utc};

use super::measures::MEASURES;
use super::model::{AnswerRow, AssessmentRow, PeerAssessment, Status, quarter};
use super::scores::{self, Chosen, Peer, Place, PoolFigures};
use super::{Framework, store};
use crate::App;
use crate::auth::{Viewer, policy};
use crate::membership::{Organisation, SECTORS, SIZE_BANDS};
use crate::web::{AppError, AppResult, FieldErrors};

/// Peer figures come from assessments submitted within this many months.
pub const PEER_MONTHS: u32 = 24;

/// The viewer's organisation, when they may assess for it (its current members in the members' area).
pub async fn my_organisation(app: &App, viewer: &Viewer) -> AppResult<Organisation> {
    let now = Utc::now();
    policy::require(viewer, policy::can_enter_members_area(viewer, now), "/benchmark")?;
    let org_id = viewer.user.as_ref().and_then(|u| u.organisation_id.clone()).ok_or(AppError::Forbidden)?;
    if !policy::can_assess_for(viewer, &org_id, now) {
        return Err(AppError::Forbidden);
    }
    crate::membership::organisation(&app.db, &org_id).await?.ok_or(AppError::Forbidden)
}

/// Starts the organisation's draft on the current version, or opens the one already started; gives its id and
/// whether it is new. With `copy`, the last submitted assessment's answers are its first.
pub async fn start(app: &App, organisation_id: &str, by: &str, copy: bool) -> AppResult<(String, bool)> {
    let framework = super::current(&app.db).await?.ok_or(AppError::NotFound)?;
    let copy_from = if copy {
        store::assessments_of(&app.db, organisation_id)
            .await?
            .into_iter()
            .find(|a| a.status() == Status::Submitted)
            .map(|a| a.id)
    } else {
        None
    };
    store::start(&app.db, organisation_id, &framework.id, by, Utc::now(), copy_from.as_deref()).await?.ok_or_else(
        || AppError::Conflict("A colleague submitted your organisation's draft just now: start again.".into()),
    )
}

/// An assessment as the viewer reaches it, with the framework version it was made on.
pub struct Reached {
    pub assessment: AssessmentRow,
    pub framework: Framework,
    pub answers: Vec<AnswerRow>,
}

impl Reached {
    pub fn draft(&self) -> bool {
        self.assessment.status() == Status::Draft
    }

    /// question id -> level (None for "don't know"); unanswered questions are absent.
    pub fn levels(&self) -> HashMap<String, Option<i64>> {
        self.answers.iter().map(|a| (a.question_id.clone(), a.level)).collect()
    }

    pub fn scores(&self) -> Scores {
        score(&self.framework, &self.levels())
    }
}

/// An assessment, for its organisation's current members only; anyone else is told it does not exist.
pub async fn reach(app: &App, viewer: &Viewer, id: &str) -> AppResult<Reached> {
    let now = Utc::now();
    policy::require(viewer, policy::can_enter_members_area(viewer, now), "/benchmark")?;
    let assessment = store::assessment(&app.db, id).await?.ok_or(AppError::NotFound)?;
    if !policy::can_assess_for(viewer, &assessment.organisation_id, now) {
        return Err(AppError::NotFound);
    }
    let framework = super::version(&app.db, &assessment.framework_id).await?.ok_or(AppError::NotFound)?;
    let answers = store::answers(&app.db, id).await?;
    Ok(Reached { assessment, framework, answers })
}

pub struct DimensionScore {
    pub id: String,
    pub key: String,
    pub name: String,
    pub score: Option<f64>,
    pub answered: usize,
    pub dont_know: usize,
    pub questions: usize,
}

pub struct Scores {
    pub dimensions: Vec<DimensionScore>,
    pub overall: Option<f64>,
}

impl Scores {
    pub fn of(&self, key: &str) -> Option<f64> {
        self.dimensions.iter().find(|d| d.key == key).and_then(|d| d.score)
    }

    fn peer(&self) -> Peer {
        Peer { dimensions: self.dimensions.iter().map(|d| d.score).collect(), overall: self.overall }
    }
}

/// The scores of a set of answers (question id -> level, None for "don't know") on a framework version.
pub fn score(framework: &Framework, levels: &HashMap<String, Option<i64>>) -> Scores {
    let dimensions: Vec<DimensionScore> = framework
        .dimensions
        .iter()
        .map(|d| {
            let given: Vec<Option<u8>> = d
                .questions
                .iter()
                .filter_map(|q| levels.get(&q.id))
                .map(|l| l.and_then(|l| u8::try_from(l).ok()))
                .collect();
            DimensionScore {
                id: d.id.clone(),
                key: d.key.clone(),
                name: d.name.clone(),
                score: scores::dimension_score(&given, d.questions.len()),
                answered: given.iter().filter(|l| l.is_some()).count(),
                dont_know: given.iter().filter(|l| l.is_none()).count(),
                questions: d.questions.len(),
            }
        })
        .collect();
    let overall = scores::overall_score(&dimensions.iter().map(|d| d.score).collect::<Vec<_>>());
    Scores { dimensions, overall }
}

/// One answer as typed: `level` is "1".."5", "dont_know", or "" (not answered yet).
#[derive(Clone, Debug, Default)]
pub struct AnswerFields {
    pub question: String,
    pub level: String,
    pub evidence: String,
    pub link: String,
}

/// What an answer becomes.
pub enum Answer {
    Cleared,
    Given { level: Option<i64>, evidence: String, link: String },
}

/// Checks one answer (fields `level`, `evidence`, `link`); the page shows the messages beside the question
/// whose form was sent.
pub fn check_answer(errors: &mut FieldErrors, framework: &Framework, f: &AnswerFields) -> Option<Answer> {
    if framework.question(&f.question).is_none() {
        errors.add("question", "This question is not in the framework this assessment was made on.");
        return None;
    }
    let level = match f.level.trim() {
        "" => None,
        "dont_know" => Some(None),
        l => match l.parse::<i64>() {
            Ok(n) if (1..=5).contains(&n) => Some(Some(n)),
            _ => {
                errors.add("level", "Choose a level from 1 to 5, or \"don't know\".");
                None
            }
        },
    };
    let evidence = errors.optional("evidence", "The evidence", &f.evidence, 4000);
    let link = if f.link.trim().is_empty() { String::new() } else { errors.web_address("link", &f.link) };
    if !errors.is_empty() {
        return None;
    }
    match level {
        None if evidence.is_empty() && link.is_empty() => Some(Answer::Cleared),
        None => {
            errors.add("level", "Choose a level (or \"don't know\") for the evidence to be kept with.");
            None
        }
        Some(level) => Some(Answer::Given { level, evidence, link }),
    }
}

/// Saves one answer of a draft; a frozen assessment is a 409 with its reason.
pub async fn save_answer(app: &App, reached: &Reached, by: &str, answer: &Answer, question: &str) -> AppResult<()> {
    let id = &reached.assessment.id;
    let saved = match answer {
        Answer::Cleared => store::clear_answer(&app.db, id, question).await?,
        Answer::Given { level, evidence, link } => {
            store::save_answer(&app.db, id, question, *level, evidence, link, by, Utc::now()).await?
        }
    };
    if saved { Ok(()) } else { Err(submitted()) }
}

fn submitted() -> AppError {
    AppError::Conflict(
        "This assessment has been submitted: its answers are frozen. Start a new one to change them.".into(),
    )
}

/// Checks the measures form: `values[key]` and `notes[key]` as typed; empty values are not recorded.
pub fn check_measures(
    errors: &mut FieldErrors,
    values: &HashMap<String, String>,
    notes: &HashMap<String, String>,
) -> Vec<(String, f64, String)> {
    let mut kept = Vec::new();
    for m in MEASURES.iter() {
        let typed = values.get(m.key).map(|v| v.trim()).unwrap_or_default();
        let note = notes.get(m.key).map(|n| n.trim().to_string()).unwrap_or_default();
        if note.chars().count() > 500 {
            errors.add(m.key, format!("{}: the note is longer than 500 characters.", m.name));
            continue;
        }
        if typed.is_empty() {
            continue;
        }
        // A comma is a decimal mark in much of Europe and a thousands separator here: refused, not guessed.
        match typed.parse::<f64>() {
            Ok(v) if v.is_finite() && (m.min..=m.max).contains(&v) => kept.push((m.key.to_string(), v, note)),
            _ => errors.add(
                m.key,
                format!(
                    "{}: give a number from {} to {} ({}), with a full stop for decimals and no thousands separator.",
                    m.name, m.min, m.max, m.unit
                ),
            ),
        }
    }
    kept
}

pub const NOTHING_TO_SUBMIT: &str =
    "Answer at least half the questions of one dimension (with a level, not \"don't know\") before submitting.";

/// Submits a draft: at least one dimension must have a score. Returns the assessment it replaced in the
/// quarter, if any.
pub async fn submit(app: &App, reached: &Reached, by: &str) -> AppResult<Option<String>> {
    if !reached.draft() {
        return Err(submitted());
    }
    if reached.scores().overall.is_none() {
        return Err(AppError::Conflict(NOTHING_TO_SUBMIT.into()));
    }
    let now = Utc::now();
    let q = quarter(now.with_timezone(&app.config.timezone).date_naive());
    let (done, replaced) = store::submit(&app.db, &reached.assessment, &q, by, now).await?;
    if !done {
        return Err(submitted());
    }
    Ok(replaced)
}

/// The quarter a submission now falls in, and the submitted assessment it would replace.
pub async fn would_replace(app: &App, organisation_id: &str) -> AppResult<Option<AssessmentRow>> {
    let q = quarter(Utc::now().with_timezone(&app.config.timezone).date_naive());
    Ok(store::submitted_in(&app.db, organisation_id, &q).await?)
}

/// Checks targets as typed (dimension key -> "3.5"); empty ones are not set.
pub fn check_targets(
    errors: &mut FieldErrors,
    framework: &Framework,
    typed: &HashMap<String, String>,
) -> Vec<(String, f64)> {
    let mut kept = Vec::new();
    for d in &framework.dimensions {
        let value = typed.get(&d.key).map(|v| v.trim()).unwrap_or_default();
        if value.is_empty() {
            continue;
        }
        match value.parse::<f64>() {
            Ok(t) if (1.0..=5.0).contains(&t) => kept.push((d.key.clone(), scores::one_decimal(t))),
            _ => errors.add("targets", format!("{}: a target is a level from 1 to 5.", d.name)),
        }
    }
    kept
}

// ---- Peers ---------------------------------------------------------------------------------------------------

/// One axis of peers, at most one at a time (two overlapping groups would let a reader subtract one
/// organisation out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filter {
    All,
    Sector(String),
    SizeBand(String),
    Region(String),
}

impl Filter {
    /// From the query's three optional values; more than one, or a value no organisation can have, is refused.
    pub fn parse(sector: &str, size_band: &str, region: &str, regions: &[String]) -> Result<Filter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let given = [sector, size_band, region].iter().filter(|v| !v.trim().is_empty()).count();
        if given > 1 {
            errors.add("filter", "Compare with one group at a time: a sector, a size band or a region.");
            return Err(errors);
        }
        let (sector, size_band, region) = (sector.trim(), size_band.trim(), region.trim());
        let filter = if !sector.is_empty() {
            if !SECTORS.contains(&sector) {
                errors.add("sector", "Choose a sector from the list.");
            }
            Filter::Sector(sector.into())
        } else if !size_band.is_empty() {
            if !SIZE_BANDS.contains(&size_band) {
                errors.add("size_band", "Choose a size band from the list.");
            }
            Filter::SizeBand(size_band.into())
        } else if !region.is_empty() {
            if !regions.iter().any(|r| r == region) {
                errors.add("region", "Choose a region from the list.");
            }
            Filter::Region(region.into())
        } else {
            Filter::All
        };
        errors.into_result().map(|_| filter)
    }

    fn admits(&self, p: &PeerAssessment) -> bool {
        match self {
            Filter::All => true,
            Filter::Sector(s) => &p.sector == s,
            Filter::SizeBand(b) => crate::membership::size_band_of(p.employees) == b,
            Filter::Region(r) => &p.region == r,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Filter::All => "all organisations".into(),
            Filter::Sector(s) => format!("organisations in {s}"),
            Filter::SizeBand(b) => format!("organisations of {b}"),
            Filter::Region(r) => format!("organisations in {r}"),
        }
    }

    /// The axis and its value, ("sector", "Health and care"); none for all organisations.
    fn pair(&self) -> Option<(&'static str, &str)> {
        match self {
            Filter::All => None,
            Filter::Sector(s) => Some(("sector", s)),
            Filter::SizeBand(b) => Some(("size_band", b)),
            Filter::Region(r) => Some(("region", r)),
        }
    }

    /// The query string that asks for it ("" for all).
    pub fn query(&self) -> String {
        self.pair()
            .map(|(k, v)| format!("{k}={}", url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()))
            .unwrap_or_default()
    }

    /// The value of the pages' one select that asks for it, "sector=Health and care" ("" for all).
    pub fn query_value(&self) -> String {
        self.pair().map(|(k, v)| format!("{k}={v}")).unwrap_or_default()
    }
}

/// The peers a page shows.
pub struct Peers {
    pub asked: Filter,
    /// The pool shown: the one asked for, or all organisations when it was too small.
    pub shown: Filter,
    pub chosen: Chosen,
    /// How many organisations the figures come from (0 when withheld).
    pub n: usize,
    pub figures: Option<PoolFigures>,
    /// The pool's overall scores, to place the organisation (never shown themselves).
    overall: Vec<f64>,
    /// Organisation id -> its scores, for finding high scorers willing to talk (never shown themselves).
    by_organisation: Vec<(String, Scores)>,
}

impl Peers {
    pub fn withheld(&self) -> bool {
        self.figures.is_none()
    }

    /// Why no figure is shown, or why the pool was widened.
    pub fn reason(&self) -> Option<String> {
        let min = scores::MIN_PEERS;
        match self.chosen {
            Chosen::AsAsked if self.figures.is_some() => None,
            Chosen::AsAsked | Chosen::Withheld => Some(format!(
                "Fewer than {min} other organisations have submitted an assessment on this version of the framework in \
                 the last {PEER_MONTHS} months, so no peer figure is shown: a figure from so few could be one \
                 organisation's own."
            )),
            Chosen::Widened => Some(format!(
                "Fewer than {min} {} have submitted an assessment on this version in the last {PEER_MONTHS} months, \
                 so the figures are for all organisations instead.",
                self.asked.label()
            )),
        }
    }

    pub fn place(&self, own: Option<f64>) -> Option<Place> {
        own.and_then(|o| scores::place(o, &self.overall))
    }
}

/// Peer figures on a framework version for a filter: each distinct organisation's latest submitted assessment
/// within `PEER_MONTHS`, `excluding` the viewer's own organisation.
pub async fn peers(
    app: &App,
    framework: &Framework,
    excluding: Option<&str>,
    asked: Filter,
    now: DateTime<Utc>,
) -> AppResult<Peers> {
    let since = now.checked_sub_months(Months::new(PEER_MONTHS)).unwrap_or(now);
    let mut seen = HashSet::new();
    let latest: Vec<PeerAssessment> = store::submitted_since(&app.db, &framework.id, since)
        .await?
        .into_iter()
        .filter(|p| Some(p.organisation_id.as_str()) != excluding && seen.insert(p.organisation_id.clone()))
        .collect();
    let mut levels: HashMap<String, HashMap<String, Option<i64>>> = HashMap::new();
    for l in store::submitted_levels(&app.db, &framework.id, since).await? {
        levels.entry(l.assessment_id).or_default().insert(l.question_id, l.level);
    }
    let filtered = latest.iter().filter(|p| asked.admits(p)).count();
    let chosen = scores::choose((asked != Filter::All).then_some(filtered), latest.len());
    let shown = if chosen == Chosen::Widened { Filter::All } else { asked.clone() };
    let empty = HashMap::new();
    let pool: Vec<(String, Scores)> = latest
        .iter()
        .filter(|p| chosen != Chosen::Withheld && shown.admits(p))
        .map(|p| (p.organisation_id.clone(), score(framework, levels.get(&p.assessment_id).unwrap_or(&empty))))
        .collect();
    let peers: Vec<Peer> = pool.iter().map(|(_, s)| s.peer()).collect();
    let figures = scores::pool_figures(&peers, framework.dimensions.len());
    Ok(Peers {
        asked,
        shown,
        chosen,
        n: if figures.is_some() { pool.len() } else { 0 },
        overall: if figures.is_some() { peers.iter().filter_map(|p| p.overall).collect() } else { Vec::new() },
        figures,
        by_organisation: pool,
    })
}

// ---- What to do next ------------------------------------------------------------------------------------------

pub struct Suggestion {
    pub title: String,
    pub url: String,
    pub kind: &'static str,
}

pub struct Talker {
    pub user_id: String,
    pub name: String,
    pub job_title: String,
    pub organisation_name: String,
}

/// Advice for one of the organisation's weakest dimensions.
pub struct Advice {
    pub key: String,
    pub name: String,
    pub score: Option<f64>,
    pub high_performers_median: Option<f64>,
    pub reading: Vec<Suggestion>,
    pub meetings: Vec<Suggestion>,
    pub people: Vec<Talker>,
}

/// How many dimensions "what to do next" covers.
const WEAKEST: usize = 3;

/// The weakest dimensions, by one measure for all of them: the gap to the high performers' median where every
/// scored dimension has one, else the gap to the peer median where every one has that, else the lowest scores.
/// With each, what the network holds on it: tagged library items and case studies the viewer may read, tagged
/// meetings coming up, and members of organisations scoring high there who said they are willing to talk
/// about it. "High" is the upper quartile of all organisations (`all`, whatever filter the page shows), and
/// they are shown only where the viewer's organisation scores below it, so no filter moves anyone in or out.
pub async fn advice(
    app: &App,
    viewer: &Viewer,
    own: &Scores,
    peers: &Peers,
    all: &Peers,
    own_org: &str,
) -> AppResult<Vec<Advice>> {
    let now = Utc::now();
    let figures = |i: usize| peers.figures.as_ref().and_then(|f| f.dimensions.get(i));
    let hp = |i: usize| figures(i).and_then(|d| d.high_performers_median);
    let median = |i: usize| figures(i).and_then(|d| d.spread.as_ref()).map(|s| s.median);
    let scored: Vec<(usize, f64)> =
        own.dimensions.iter().enumerate().filter_map(|(i, d)| d.score.map(|s| (i, s))).collect();
    let reference: &dyn Fn(usize) -> Option<f64> = if scored.iter().all(|(i, _)| hp(*i).is_some()) {
        &hp
    } else if scored.iter().all(|(i, _)| median(*i).is_some()) {
        &median
    } else {
        &|_| Some(5.0)
    };
    let mut order: Vec<(usize, f64)> = scored.iter().map(|(i, s)| (*i, reference(*i).unwrap_or(5.0) - s)).collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let tags = store::tags(&app.db).await?;
    let reach = crate::library::reach_of(app, viewer).await?;
    let filter = crate::library::Filter::default();
    let articles = crate::library::articles(&app.db, &reach, &filter, now).await?;
    let resources = crate::library::resources(&app.db, &reach, &filter, now).await?;
    let cases = crate::library::case_studies(&app.db, &reach, &filter, now).await?;
    let meetings = crate::meetings::upcoming_cards(app, viewer, 100).await?;
    let mut out = Vec::new();
    for (i, _) in order.into_iter().take(WEAKEST) {
        let d = &own.dimensions[i];
        let tagged = |kind: &str, id: &str| {
            tags.iter().any(|t| t.dimension_key == d.key && t.item_kind == kind && t.item_id == id)
        };
        let mut reading: Vec<Suggestion> = Vec::new();
        reading.extend(articles.iter().filter(|a| tagged("article", &a.id)).map(|a| Suggestion {
            title: a.title.clone(),
            url: format!("/articles/{}", a.slug),
            kind: "Article",
        }));
        reading.extend(resources.iter().filter(|r| tagged("resource", &r.id)).map(|r| Suggestion {
            title: r.title.clone(),
            url: format!("/resources/{}", r.slug),
            kind: "Resource",
        }));
        reading.extend(cases.iter().filter(|c| tagged("case_study", &c.id)).map(|c| Suggestion {
            title: c.title.clone(),
            url: format!("/case-studies/{}", c.slug),
            kind: "Case study",
        }));
        let coming: Vec<Suggestion> = meetings
            .iter()
            .filter(|m| tagged("meeting", &m.slug))
            .map(|m| Suggestion {
                title: format!("{} ({})", m.title, m.date),
                url: format!("/meetings/{}", m.slug),
                kind: "Meeting",
            })
            .collect();
        // High scoring: at or above all organisations' upper quartile in this dimension, and above the viewer's
        // own score; no one when the figures are withheld.
        let bar = all.figures.as_ref().and_then(|f| f.dimensions.get(i)).and_then(|f| f.spread.as_ref()).map(|s| s.p75);
        let high: HashSet<&str> = match bar {
            Some(bar) if d.score.is_some_and(|own| own < bar) => all
                .by_organisation
                .iter()
                .filter(|(org, s)| org != own_org && s.of(&d.key).is_some_and(|v| v >= bar))
                .map(|(org, _)| org.as_str())
                .collect(),
            _ => HashSet::new(),
        };
        let people = store::willing_on(&app.db, &d.key, now)
            .await?
            .into_iter()
            .filter(|w| high.contains(w.organisation_id.as_str()))
            .map(|w| Talker {
                user_id: w.user_id,
                name: w.name,
                job_title: w.job_title,
                organisation_name: w.organisation_name,
            })
            .collect();
        out.push(Advice {
            key: d.key.clone(),
            name: d.name.clone(),
            score: d.score,
            high_performers_median: hp(i),
            reading,
            meetings: coming,
            people,
        });
    }
    Ok(out)
}
