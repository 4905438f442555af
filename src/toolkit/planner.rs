//! The where-and-when planner's engine: the rules of DOMAIN.md ("Where-and-when planner"), numbered as there,
//! and nothing else. It is pure (no database, no clock, no HTTP), so the pages, the API and the tests share one
//! engine, and every figure it gives carries its working in words.
//!
//! 1. Each activity is sorted: place-anchored, in-person collaborative, time-anchored or flexible (`Class`).
//! 2. The least flexible activity never sets the pattern for the whole role: days on site come from hours, not
//!    from the existence of one anchored task.
//! 3. Suggested days on site = ceil(weekly hours of the activities anchored to the team's own sites or needing
//!    to be in person, each counted once, ÷ the working day), never more than the person's working days;
//!    customer-site hours are shown apart (`suggested_days`).
//! 4. Anchor days: the weekdays, as many as the largest need, that cover the most shared in-person hours; every
//!    set is tried (a week has at most 7 days), and people are placed on days by a minimum-cost flow, so no day
//!    is planned beyond its desks whenever any placement fits (`choose_anchor_days`, `place`).
//! 5. Flexible and focus work is batched onto the days away from the sites (`batching`).
//! 6. Time-anchored work sets contact windows only where the service needs them (`windows`).
//! 7. Rota-covered work gives a cover schedule for the team, not a rule per person (`rota`).
//! 8. Flags: home working needing a display-screen and health-and-safety check, lone working, systems that do
//!    not work remotely, more than 20% of a person's hours with unknown dependencies (`flags`).
//! 9. The output: the split, the windows, a confidence with its reasons, and a day-by-day forecast against each
//!    site's desks (team totals only, never who is in on which day).

use std::fmt;

/// A day of the week; in the API and forms its lowercase three-letter English name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] =
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

    pub fn key(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self.index()]
    }

    pub fn name(self) -> &'static str {
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][self.index()]
    }

    pub fn short(self) -> &'static str {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][self.index()]
    }

    pub fn parse(key: &str) -> Option<Weekday> {
        Weekday::ALL.into_iter().find(|d| d.key() == key)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// A set of weekdays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct Days(u8);

impl Days {
    pub const MONDAY_TO_FRIDAY: Days = Days(0b001_1111);

    pub fn of(days: &[Weekday]) -> Days {
        Days(days.iter().fold(0, |bits, d| bits | 1 << d.index()))
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.index()) != 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Weekday> {
        Weekday::ALL.into_iter().filter(move |d| self.contains(*d))
    }

    /// Every subset of these days with `size` days, in a fixed order (Monday first).
    fn subsets(self, size: usize) -> Vec<Days> {
        (0u8..128).map(Days).filter(|s| s.0 & !self.0 == 0 && s.len() == size).collect()
    }
}

/// "Tuesday and Thursday", "Monday, Wednesday and Friday", "no day".
pub fn in_words(days: Days) -> String {
    let names: Vec<&str> = days.iter().map(Weekday::name).collect();
    match names.as_slice() {
        [] => "no day".into(),
        [one] => (*one).into(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What kind of work an activity is (DOMAIN.md's categories, and "other").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    HandsOnEquipment,
    Analysis,
    Writing,
    InformingOthers,
    MaintainingSystems,
    DevelopingIdeas,
    ManagingPeople,
    ProcessingData,
    InformalCollaboration,
    InternalMeetings,
    CustomersInPerson,
    CustomersByPhone,
    CustomersOnline,
    Other,
}

impl Category {
    pub const ALL: [Category; 14] = [
        Category::HandsOnEquipment,
        Category::Analysis,
        Category::Writing,
        Category::InformingOthers,
        Category::MaintainingSystems,
        Category::DevelopingIdeas,
        Category::ManagingPeople,
        Category::ProcessingData,
        Category::InformalCollaboration,
        Category::InternalMeetings,
        Category::CustomersInPerson,
        Category::CustomersByPhone,
        Category::CustomersOnline,
        Category::Other,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Category::HandsOnEquipment => "hands_on_equipment",
            Category::Analysis => "analysis",
            Category::Writing => "writing",
            Category::InformingOthers => "informing_others",
            Category::MaintainingSystems => "maintaining_systems",
            Category::DevelopingIdeas => "developing_ideas",
            Category::ManagingPeople => "managing_people",
            Category::ProcessingData => "processing_data",
            Category::InformalCollaboration => "informal_collaboration",
            Category::InternalMeetings => "internal_meetings",
            Category::CustomersInPerson => "customers_in_person",
            Category::CustomersByPhone => "customers_by_phone",
            Category::CustomersOnline => "customers_online",
            Category::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::HandsOnEquipment => "Hands-on work with equipment",
            Category::Analysis => "Analysis",
            Category::Writing => "Writing",
            Category::InformingOthers => "Informing others",
            Category::MaintainingSystems => "Maintaining systems",
            Category::DevelopingIdeas => "Developing ideas",
            Category::ManagingPeople => "Managing people",
            Category::ProcessingData => "Processing data",
            Category::InformalCollaboration => "Informal collaboration",
            Category::InternalMeetings => "Internal meetings",
            Category::CustomersInPerson => "Customers in person",
            Category::CustomersByPhone => "Customers by phone",
            Category::CustomersOnline => "Customers online",
            Category::Other => "Other",
        }
    }

    pub fn parse(key: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// Where an activity must be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Anywhere.
    None,
    /// Any of the team's offices.
    Office,
    /// A specific site, or equipment only one site has.
    Site,
    /// At customers' premises: away from both office and home.
    Customer,
    /// Not known yet.
    Unknown,
}

impl Place {
    pub const ALL: [Place; 5] = [Place::None, Place::Office, Place::Site, Place::Customer, Place::Unknown];

    pub fn key(self) -> &'static str {
        match self {
            Place::None => "none",
            Place::Office => "office",
            Place::Site => "site",
            Place::Customer => "customer",
            Place::Unknown => "unknown",
        }
    }

    pub fn parse(key: &str) -> Option<Place> {
        Place::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// When an activity must be done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    None,
    /// A fixed window (a daily stand-up, a weekly clinic).
    Window,
    /// Whenever the service is open.
    ServiceHours,
    /// Only a deadline.
    Deadline,
    Unknown,
}

impl Timing {
    pub const ALL: [Timing; 5] =
        [Timing::None, Timing::Window, Timing::ServiceHours, Timing::Deadline, Timing::Unknown];

    pub fn key(self) -> &'static str {
        match self {
            Timing::None => "none",
            Timing::Window => "window",
            Timing::ServiceHours => "service_hours",
            Timing::Deadline => "deadline",
            Timing::Unknown => "unknown",
        }
    }

    pub fn parse(key: &str) -> Option<Timing> {
        Timing::ALL.into_iter().find(|t| t.key() == key)
    }
}

/// How an activity is done with others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Collaboration {
    Solo,
    Async,
    /// Live, and a video call does as well.
    Virtual,
    InPersonPreferred,
    InPersonEssential,
}

impl Collaboration {
    pub const ALL: [Collaboration; 5] = [
        Collaboration::Solo,
        Collaboration::Async,
        Collaboration::Virtual,
        Collaboration::InPersonPreferred,
        Collaboration::InPersonEssential,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Collaboration::Solo => "solo",
            Collaboration::Async => "async",
            Collaboration::Virtual => "virtual",
            Collaboration::InPersonPreferred => "in_person_preferred",
            Collaboration::InPersonEssential => "in_person_essential",
        }
    }

    pub fn parse(key: &str) -> Option<Collaboration> {
        Collaboration::ALL.into_iter().find(|c| c.key() == key)
    }

    fn in_person(self) -> bool {
        matches!(self, Collaboration::InPersonPreferred | Collaboration::InPersonEssential)
    }
}

/// Low, medium or high (the value of meeting face to face, the need for focus).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Level {
    #[default]
    Low,
    Medium,
    High,
}

/// One activity of a person (or of a role), as they describe it.
#[derive(Clone, Debug)]
pub struct Activity {
    pub name: String,
    pub hours: f64,
    pub place: Place,
    pub timing: Timing,
    /// The fixed window, as typed ("09:00-09:30 daily"), for `Timing::Window`.
    pub window: String,
    pub collaboration: Collaboration,
    /// The ids of the people it is done with.
    pub with: Vec<String>,
    pub focus: Level,
    pub rota: bool,
    /// Whether the systems it needs work away from the office (`None`: not known or none needed).
    pub systems_remote: Option<bool>,
}

/// A person of the team, or a role standing for `head_count` people who share a pattern.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub head_count: u32,
    pub days: Days,
    pub hours: f64,
    /// Their base site (an index into the team's sites).
    pub site: usize,
    /// Whether their home working has had its display-screen and health-and-safety check.
    pub home_checked: bool,
    pub activities: Vec<Activity>,
}

/// A site with the desks available to the team on each weekday (Monday first).
#[derive(Clone, Debug)]
pub struct Site {
    pub name: String,
    pub desks: [u32; 7],
}

#[derive(Clone, Debug)]
pub struct Team {
    pub days: Days,
    pub day_hours: f64,
    pub sites: Vec<Site>,
    /// The hours the service must be covered, as typed ("08:00-18:00"); empty when it has none.
    pub service_hours: String,
    pub people: Vec<Person>,
}

/// Rule 1: how an activity is sorted, the least flexible first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    PlaceAnchored,
    InPerson,
    TimeAnchored,
    Flexible,
}

impl Class {
    pub fn label(self) -> &'static str {
        match self {
            Class::PlaceAnchored => "place-anchored",
            Class::InPerson => "in-person collaborative",
            Class::TimeAnchored => "time-anchored",
            Class::Flexible => "flexible",
        }
    }
}

/// Rule 1: a place comes first, then being in person, then a time; what has none of these is flexible.
pub fn classify(a: &Activity) -> Class {
    if matches!(a.place, Place::Office | Place::Site | Place::Customer) {
        Class::PlaceAnchored
    } else if a.collaboration.in_person() {
        Class::InPerson
    } else if matches!(a.timing, Timing::Window | Timing::ServiceHours) {
        Class::TimeAnchored
    } else {
        Class::Flexible
    }
}

/// Hours to one decimal place, without a trailing ".0" ("7.5 h", "20 h").
pub fn hours(h: f64) -> String {
    // + 0.0 turns the -0.0 an empty sum gives into 0.0.
    let rounded = (h * 10.0).round() / 10.0 + 0.0;
    if rounded.fract() == 0.0 { format!("{rounded:.0} h") } else { format!("{rounded:.1} h") }
}

/// Rule 3 for one person: their on-site need with its working.
#[derive(Clone, Debug, PartialEq)]
pub struct Need {
    /// Hours anchored to the team's own sites.
    pub place_hours: f64,
    /// Hours of "in person essential" work not already counted as place-anchored.
    pub in_person_hours: f64,
    /// Hours at customers' sites (away from both office and home).
    pub customer_hours: f64,
    /// Hours whose place or time is not known, and hours not described by any activity.
    pub unknown_hours: f64,
    /// Days the hours call for, before the cap.
    pub needed_days: u32,
    /// Suggested days on site: never more than the person's working days.
    pub days: u32,
    pub working: String,
}

/// Rule 3: suggested days on site from the hours that need a site or being in person, each activity once.
pub fn suggested_days(person: &Person, day_hours: f64) -> Need {
    let mut place_hours = 0.0;
    let mut in_person_hours = 0.0;
    let mut customer_hours = 0.0;
    let mut unknown_hours = 0.0;
    for a in &person.activities {
        match a.place {
            Place::Office | Place::Site => place_hours += a.hours,
            Place::Customer => customer_hours += a.hours,
            _ if a.collaboration == Collaboration::InPersonEssential => in_person_hours += a.hours,
            _ => {}
        }
        if a.place == Place::Unknown || a.timing == Timing::Unknown {
            unknown_hours += a.hours;
        }
    }
    let described: f64 = person.activities.iter().map(|a| a.hours).sum();
    unknown_hours += (person.hours - described).max(0.0);
    let onsite = place_hours + in_person_hours;
    let ratio = if day_hours > 0.0 { onsite / day_hours } else { 0.0 };
    // A hair below a whole number is that number (15 ÷ 7.5 is 2, whatever the floating point says).
    let needed_days = (ratio - 1e-9).ceil().max(0.0) as u32;
    let working_days = person.days.len() as u32;
    let days = needed_days.min(working_days);
    let mut working = if onsite == 0.0 {
        "No day on site is needed: no work is anchored to a site or needs being in person.".to_string()
    } else {
        let mut parts = Vec::new();
        if place_hours > 0.0 {
            parts.push(format!("{} place-anchored", hours(place_hours)));
        }
        if in_person_hours > 0.0 {
            parts.push(format!("{} in-person essential", hours(in_person_hours)));
        }
        let sum = if parts.len() > 1 { format!("{} = {}", parts.join(" + "), hours(onsite)) } else { parts.join("") };
        format!(
            "{} on site: {sum} ÷ {} = {:.1}{}",
            plural(needed_days, "day"),
            hours(day_hours),
            ratio,
            if ratio.fract() > 1e-9 { ", rounded up" } else { "" }
        )
    };
    if needed_days > working_days {
        working.push_str(&format!(
            "; capped at the {} they work, so {} of on-site work does not fit their week",
            plural(working_days, "day"),
            hours(onsite - f64::from(working_days) * day_hours)
        ));
    }
    if customer_hours > 0.0 {
        working.push_str(&format!(". Apart: {} at customers' sites", hours(customer_hours)));
    }
    working.push('.');
    Need { place_hours, in_person_hours, customer_hours, unknown_hours, needed_days, days, working }
}

fn plural(n: u32, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// Where a person (or how many of a role) is on a working day.
#[derive(Clone, Debug, PartialEq)]
pub struct DayPlan {
    pub day: Weekday,
    /// How many of them are on site (0 or 1 for a person; up to the head count for a role).
    pub on_site: u32,
    pub anchor: bool,
}

#[derive(Clone, Debug)]
pub struct PersonPlan {
    pub id: String,
    pub name: String,
    pub head_count: u32,
    pub need: Need,
    pub week: Vec<DayPlan>,
    /// Rule 5, in words.
    pub batching: String,
}

/// Planned people against desks, one site on one team day (team totals only).
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    pub day: Weekday,
    pub site: String,
    pub planned: u32,
    pub desks: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    HomeWorkingCheck,
    LoneWorking,
    SystemsNotRemote,
    UnknownDependencies,
    NotEnoughDays,
    DesksShort,
    NoRotaCover,
}

impl FlagKind {
    pub fn key(self) -> &'static str {
        match self {
            FlagKind::HomeWorkingCheck => "home_working_check",
            FlagKind::LoneWorking => "lone_working",
            FlagKind::SystemsNotRemote => "systems_not_remote",
            FlagKind::UnknownDependencies => "unknown_dependencies",
            FlagKind::NotEnoughDays => "not_enough_days",
            FlagKind::DesksShort => "desks_short",
            FlagKind::NoRotaCover => "no_rota_cover",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Flag {
    pub kind: FlagKind,
    /// The person (or role) it is about, by id; `None` for the team.
    pub person: Option<String>,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confidence {
    High,
    Medium,
    Low,
}

impl Confidence {
    pub fn key(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// Rule 7: who covers the rota on one day (names; empty when no one can).
#[derive(Clone, Debug, PartialEq)]
pub struct RotaDay {
    pub day: Weekday,
    pub cover: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub anchor_days: Vec<Weekday>,
    pub anchor_reason: String,
    /// "2 anchor days + 3 flexible".
    pub split: String,
    pub people: Vec<PersonPlan>,
    pub forecast: Vec<Forecast>,
    pub windows: Vec<String>,
    pub rota: Vec<RotaDay>,
    pub flags: Vec<Flag>,
    pub confidence: Confidence,
    pub confidence_reasons: Vec<String>,
    /// Shared in-person hours a week, and how many of them the plan puts on a day the people share.
    pub shared_hours: f64,
    pub covered_hours: f64,
}

/// Plans the team: every rule, in order.
pub fn plan(team: &Team) -> Plan {
    let needs: Vec<Need> = team.people.iter().map(|p| suggested_days(p, team.day_hours)).collect();
    let choice = choose_anchor_days(team, &needs);
    let people: Vec<PersonPlan> = team
        .people
        .iter()
        .zip(&needs)
        .zip(&choice.placement.on_site)
        .map(|((p, need), by_day)| PersonPlan {
            id: p.id.clone(),
            name: p.name.clone(),
            head_count: p.head_count,
            need: need.clone(),
            week: p
                .days
                .iter()
                .map(|d| DayPlan { day: d, on_site: by_day[d.index()], anchor: choice.anchors.contains(d) })
                .collect(),
            batching: batching(p, by_day),
        })
        .collect();
    let forecast = forecast(team, &choice.placement);
    let rota = rota(team);
    let flags = flags(team, &needs, &forecast, &rota);
    let (confidence, confidence_reasons) = confidence(team, &needs, &flags);
    let flexible = team.days.len() - choice.anchors.len();
    Plan {
        anchor_days: choice.anchors.iter().collect(),
        anchor_reason: choice.reason,
        split: format!("{} + {flexible} flexible", plural(choice.anchors.len() as u32, "anchor day")),
        people,
        forecast,
        windows: windows(team),
        rota,
        flags,
        confidence,
        confidence_reasons,
        shared_hours: choice.shared,
        covered_hours: choice.covered,
    }
}

/// How many of each person (or role) are on site on each weekday, and where the desks ran short.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    /// Per person, per weekday (Monday first): how many of them are on site.
    pub on_site: Vec<[u32; 7]>,
    /// Person-days placed off the anchor days.
    pub off_anchor: u32,
    /// Person-days planned beyond the desks, summed over sites and days (0 whenever any placement fits).
    pub overfill: u32,
}

/// Rule 4's placement: each person gets their suggested days among their working days, anchor days first,
/// within each day's desks. A minimum-cost flow (source → person → day → sink, a non-anchor day costing 1)
/// finds a placement that fits the desks whenever one exists, with the fewest days off the anchors (and the
/// people gathered on the first of them); what no
/// placement can fit goes where it overfills least, and is counted.
pub fn place(team: &Team, days_needed: &[u32], anchors: Days) -> Placement {
    let n = team.people.len();
    let mut on_site = vec![[0u32; 7]; n];
    let mut overfill = 0;
    let mut off_anchor = 0;
    for (s, site) in team.sites.iter().enumerate() {
        let members: Vec<usize> = (0..n).filter(|&i| base_site(team, i) == s).collect();
        // Nodes: 0 source, 1..=m people, m+1..=m+7 days, m+8 sink.
        let m = members.len();
        let sink = m + 8;
        let mut flow = Flow::new(m + 9);
        for (k, &i) in members.iter().enumerate() {
            let p = &team.people[i];
            flow.edge(0, k + 1, days_needed[i] * p.head_count, 0);
            for d in p.days.iter() {
                flow.edge(k + 1, m + 1 + d.index(), p.head_count, day_cost(anchors, d));
            }
        }
        for d in Weekday::ALL {
            flow.edge(m + 1 + d.index(), sink, site.desks[d.index()], 0);
        }
        flow.run(0, sink);
        let mut planned = [0u32; 7];
        for (k, &i) in members.iter().enumerate() {
            for d in Weekday::ALL {
                let f = flow.sent(k + 1, m + 1 + d.index());
                on_site[i][d.index()] = f;
                planned[d.index()] += f;
            }
        }
        // What did not fit: each remaining person-day on the eligible day with the most desks left.
        for &i in &members {
            let p = &team.people[i];
            let mut missing = days_needed[i] * p.head_count - on_site[i].iter().sum::<u32>();
            while missing > 0 {
                let best = p.days.iter().filter(|d| on_site[i][d.index()] < p.head_count).max_by_key(|d| {
                    (i64::from(site.desks[d.index()]) - i64::from(planned[d.index()]), -(d.index() as i64))
                });
                let Some(d) = best else { break };
                on_site[i][d.index()] += 1;
                planned[d.index()] += 1;
                missing -= 1;
            }
        }
        for d in Weekday::ALL {
            overfill += planned[d.index()].saturating_sub(site.desks[d.index()]);
        }
        for &i in &members {
            off_anchor +=
                Weekday::ALL.iter().filter(|d| !anchors.contains(**d)).map(|d| on_site[i][d.index()]).sum::<u32>();
        }
    }
    Placement { on_site, off_anchor, overfill }
}

/// What placing a person-day on `day` costs: an anchor day costs its rank among the anchors (so people gather on
/// the same days, where they meet, before spreading over the rest), any other day more than every anchor.
fn day_cost(anchors: Days, day: Weekday) -> i64 {
    match anchors.iter().position(|a| a == day) {
        Some(rank) => rank as i64,
        None => 100,
    }
}

/// A person's base site, or the first site when theirs is not one of the team's.
fn base_site(team: &Team, person: usize) -> usize {
    let s = team.people[person].site;
    if s < team.sites.len() { s } else { 0 }
}

/// The in-person activities done with others: (person index, partner indexes, hours).
fn shared_work(team: &Team) -> Vec<(usize, Vec<usize>, f64)> {
    let index = |id: &str| team.people.iter().position(|p| p.id == id);
    let mut shared = Vec::new();
    for (i, p) in team.people.iter().enumerate() {
        for a in p.activities.iter().filter(|a| a.collaboration.in_person()) {
            // Only people at the same base site can meet there.
            let partners: Vec<usize> = a
                .with
                .iter()
                .filter_map(|id| index(id))
                .filter(|&j| j != i && base_site(team, j) == base_site(team, i))
                .collect();
            if !partners.is_empty() {
                shared.push((i, partners, a.hours));
            }
        }
    }
    shared
}

/// Shared in-person hours whose people are all on site together on at least one day.
fn covered(shared: &[(usize, Vec<usize>, f64)], placement: &Placement) -> f64 {
    shared
        .iter()
        .filter(|(i, partners, _)| {
            Weekday::ALL.iter().any(|d| {
                placement.on_site[*i][d.index()] > 0 && partners.iter().all(|j| placement.on_site[*j][d.index()] > 0)
            })
        })
        .map(|(_, _, h)| h)
        .sum()
}

/// How an anchor set ranks, higher first: covered shared hours (in tenths), anchor days with someone on them,
/// fewer person-days off the anchors, less overfill.
type Rank = (i64, i64, i64, i64);

/// How many of the anchor days have someone planned on them.
fn used(anchors: Days, p: &Placement) -> usize {
    anchors.iter().filter(|d| p.on_site.iter().any(|w| w[d.index()] > 0)).count()
}

struct Choice {
    anchors: Days,
    placement: Placement,
    shared: f64,
    covered: f64,
    reason: String,
}

/// Rule 4: every set of team days of the size the largest need calls for is tried; the best covers the most
/// shared in-person hours, then has someone on the most of its days, then keeps the most person-days on the
/// anchors, then overfills least, then comes first in the week.
fn choose_anchor_days(team: &Team, needs: &[Need]) -> Choice {
    let days_needed: Vec<u32> = needs.iter().map(|n| n.days).collect();
    let size = needs.iter().map(|n| n.days as usize).max().unwrap_or(0).min(team.days.len());
    let shared = shared_work(team);
    let total_shared: f64 = shared.iter().map(|(_, _, h)| h).sum();
    let evaluate = |anchors: Days| {
        let placement = place(team, &days_needed, anchors);
        let covered = covered(&shared, &placement);
        (anchors, placement, covered)
    };
    // Higher is better (`Rank`); ties go to the earlier set, which comes first.
    let key = |(a, p, c): &(Days, Placement, f64)| -> Rank {
        ((c * 10.0).round() as i64, used(*a, p) as i64, -i64::from(p.off_anchor), -i64::from(p.overfill))
    };
    let mut best: Option<(Days, Placement, f64)> = None;
    for anchors in team.days.subsets(size) {
        let candidate = evaluate(anchors);
        if best.as_ref().is_none_or(|b| key(&candidate) > key(b)) {
            best = Some(candidate);
        }
    }
    let (anchors, placement, covered_hours) = best.unwrap_or_else(|| evaluate(Days::default()));
    // An anchor day no one is planned on anchors nothing: it is not offered as one.
    let anchors = Days::of(&anchors.iter().filter(|d| used(Days::of(&[*d]), &placement) > 0).collect::<Vec<_>>());
    let chosen = (anchors, placement, covered_hours);
    let reason = anchor_reason(team, &chosen, total_shared, &evaluate, &key);
    let (anchors, placement, covered_hours) = chosen;
    Choice { anchors, placement, shared: total_shared, covered: covered_hours, reason }
}

/// Rule 4's working: what the chosen days cover, and for each other team day why it was not chosen.
fn anchor_reason(
    team: &Team,
    chosen: &(Days, Placement, f64),
    shared: f64,
    evaluate: &dyn Fn(Days) -> (Days, Placement, f64),
    key: &dyn Fn(&(Days, Placement, f64)) -> Rank,
) -> String {
    let (anchors, placement, covered) = chosen;
    if anchors.is_empty() {
        return "No anchor day: no one's work needs a site or being in person.".into();
    }
    let mut reason = format!("{}: ", in_words(*anchors));
    if shared > 0.0 {
        reason.push_str(&format!(
            "{} of {} of shared in-person work on a day its people share",
            hours(*covered),
            hours(shared)
        ));
    } else {
        reason.push_str("no in-person work is shared, so the days that fit the desks best");
    }
    let mine = key(chosen);
    for d in team.days.iter().filter(|d| !anchors.contains(*d)) {
        // The best set with this day in place of one of the chosen ones, said by the first thing it does worse.
        let alternative =
            anchors.iter().map(|out| evaluate(Days(anchors.0 & !(1 << out.index()) | 1 << d.index()))).max_by_key(key);
        let Some(alternative) = alternative else { continue };
        let theirs = key(&alternative);
        let (_, alt, alt_covered) = &alternative;
        let why = if theirs.0 < mine.0 {
            format!("would cover {} of them", hours(*alt_covered))
        } else if theirs.1 < mine.1 {
            "would leave an anchor day with no one planned on it".to_string()
        } else if theirs.2 < mine.2 {
            format!(
                "would leave {} more off the anchor days (too few desks, or not their working day)",
                plural(alt.off_anchor.saturating_sub(placement.off_anchor), "person-day")
            )
        } else if theirs.3 < mine.3 {
            format!(
                "would plan {} beyond the desks",
                plural(alt.overfill.saturating_sub(placement.overfill), "person-day")
            )
        } else {
            "would do as well; the plan keeps the earlier day".to_string()
        };
        reason.push_str(&format!("; {} {why}", d.name()));
    }
    reason.push('.');
    reason
}

/// Rule 5: flexible and focus-heavy work goes on the same days away from the site.
fn batching(person: &Person, on_site: &[u32; 7]) -> String {
    let flexible: f64 = person.activities.iter().filter(|a| classify(a) == Class::Flexible).map(|a| a.hours).sum();
    let focus: Vec<&str> = person
        .activities
        .iter()
        .filter(|a| a.focus == Level::High && classify(a) != Class::PlaceAnchored)
        .map(|a| a.name.as_str())
        .collect();
    let away = Days::of(&person.days.iter().filter(|d| on_site[d.index()] < person.head_count).collect::<Vec<_>>());
    if away.is_empty() {
        return "Every working day is on site: flexible work fits around the on-site work.".into();
    }
    let mut text = format!("{} of flexible work on {}", hours(flexible), in_words(away));
    if !focus.is_empty() {
        text.push_str(&format!(", with the focus work ({}) kept together there", focus.join(", ")));
    }
    text.push_str(": whole days away from the office, not scattered hours.");
    text
}

/// Rule 6: contact windows only from time-anchored work, and only where the service needs them.
fn windows(team: &Team) -> Vec<String> {
    let mut windows = Vec::new();
    let service: Vec<&Person> =
        team.people.iter().filter(|p| p.activities.iter().any(|a| a.timing == Timing::ServiceHours)).collect();
    if !team.service_hours.trim().is_empty() && !service.is_empty() {
        let staff: u32 = service.iter().map(|p| p.head_count).sum();
        windows.push(format!(
            "Service hours {} on {}: covered by the {} whose work follows them.",
            team.service_hours.trim(),
            in_words(team.days),
            if staff == 1 { "1 person".to_string() } else { format!("{staff} people") }
        ));
    }
    for p in &team.people {
        for a in p.activities.iter().filter(|a| a.timing == Timing::Window) {
            let when =
                if a.window.trim().is_empty() { "its fixed time".to_string() } else { a.window.trim().to_string() };
            windows.push(format!("{}: {} at {when}.", p.name, a.name));
        }
    }
    windows
}

/// Rule 7: rota-covered work gets a cover schedule for the team: each team day, the people with rota work who
/// work that day, taken in turn so the load is shared.
fn rota(team: &Team) -> Vec<RotaDay> {
    let on_rota: Vec<&Person> = team.people.iter().filter(|p| p.activities.iter().any(|a| a.rota)).collect();
    if on_rota.is_empty() {
        return Vec::new();
    }
    let mut turns = vec![0u32; on_rota.len()];
    team.days
        .iter()
        .map(|d| {
            let available = (0..on_rota.len()).filter(|&k| on_rota[k].days.contains(d));
            let chosen = available.min_by_key(|&k| (turns[k], k));
            let cover = match chosen {
                Some(k) => {
                    turns[k] += 1;
                    vec![on_rota[k].name.clone()]
                }
                None => Vec::new(),
            };
            RotaDay { day: d, cover }
        })
        .collect()
}

/// Rule 9's forecast: planned people against desks, per site and team day.
fn forecast(team: &Team, placement: &Placement) -> Vec<Forecast> {
    let mut out = Vec::new();
    for (s, site) in team.sites.iter().enumerate() {
        for d in team.days.iter() {
            let planned = (0..team.people.len())
                .filter(|&i| base_site(team, i) == s)
                .map(|i| placement.on_site[i][d.index()])
                .sum();
            out.push(Forecast { day: d, site: site.name.clone(), planned, desks: site.desks[d.index()] });
        }
    }
    out
}

/// Rule 8, with the plan's own shortfalls (days that do not fit a week, desks, rota days no one covers).
fn flags(team: &Team, needs: &[Need], forecast: &[Forecast], rota: &[RotaDay]) -> Vec<Flag> {
    let mut flags = Vec::new();
    for (p, need) in team.people.iter().zip(needs) {
        let flag = |kind, text: String| Flag { kind, person: Some(p.id.clone()), text };
        if (need.days as usize) < p.days.len() && !p.home_checked {
            flags.push(flag(
                FlagKind::HomeWorkingCheck,
                format!("{} works away from the office on some days: a display-screen and health-and-safety check of their home working is needed.", p.name),
            ));
        }
        for a in &p.activities {
            if a.place == Place::Customer && a.collaboration == Collaboration::Solo {
                flags.push(flag(
                    FlagKind::LoneWorking,
                    format!(
                        "{}: {} is done alone at customers' sites: a lone-working procedure is needed.",
                        p.name, a.name
                    ),
                ));
            }
            if a.systems_remote == Some(false) && !matches!(a.place, Place::Office | Place::Site) {
                flags.push(flag(
                    FlagKind::SystemsNotRemote,
                    format!("{}: {} needs systems that do not work away from the office: do it on site, or arrange secure remote access.", p.name, a.name),
                ));
            }
        }
        if p.hours > 0.0 && need.unknown_hours > 0.2 * p.hours {
            flags.push(flag(
                FlagKind::UnknownDependencies,
                format!(
                    "{}: {} of {} a week ({:.0}%) has no known place or time: describe those activities before relying on the plan.",
                    p.name,
                    hours(need.unknown_hours),
                    hours(p.hours),
                    100.0 * need.unknown_hours / p.hours
                ),
            ));
        }
        if need.needed_days > need.days {
            flags.push(flag(
                FlagKind::NotEnoughDays,
                format!(
                    "{} needs {} on site but works {}: review which activities truly need the site.",
                    p.name,
                    plural(need.needed_days, "day"),
                    plural(p.days.len() as u32, "day")
                ),
            ));
        }
    }
    for f in forecast.iter().filter(|f| f.planned > f.desks) {
        flags.push(Flag {
            kind: FlagKind::DesksShort,
            person: None,
            text: format!(
                "No placement fits the desks: {} at {} is short by {} ({} planned, {} desks).",
                f.day.name(),
                f.site,
                plural(f.planned - f.desks, "desk"),
                f.planned,
                f.desks
            ),
        });
    }
    for r in rota.iter().filter(|r| r.cover.is_empty()) {
        flags.push(Flag {
            kind: FlagKind::NoRotaCover,
            person: None,
            text: format!("No one with rota work works on {}: the rota has a gap.", r.day.name()),
        });
    }
    flags
}

/// Rule 9's confidence: high when the plan rests on described work and fits; lower, with reasons, when not.
fn confidence(team: &Team, needs: &[Need], flags: &[Flag]) -> (Confidence, Vec<String>) {
    let total: f64 = team.people.iter().map(|p| p.hours * f64::from(p.head_count)).sum();
    let unknown: f64 = team.people.iter().zip(needs).map(|(p, n)| n.unknown_hours * f64::from(p.head_count)).sum();
    let share = if total > 0.0 { unknown / total } else { 1.0 };
    let mut reasons = Vec::new();
    let mut level = Confidence::High;
    if team.people.is_empty() || total == 0.0 {
        return (Confidence::Low, vec!["No one's hours are described yet.".into()]);
    }
    if share > 0.2 {
        level = Confidence::Low;
        reasons.push(format!("{:.0}% of the team's hours have no known place or time.", share * 100.0));
    } else if share > 0.05 {
        level = Confidence::Medium;
        reasons.push(format!("{:.0}% of the team's hours have no known place or time.", share * 100.0));
    } else {
        reasons.push("Nearly every hour is described with its place and time.".into());
    }
    let short = |kind| flags.iter().any(|f| f.kind == kind);
    if short(FlagKind::DesksShort) {
        level = level.lower(Confidence::Medium);
        reasons.push("Some days are short of desks.".into());
    }
    if short(FlagKind::NotEnoughDays) {
        level = level.lower(Confidence::Medium);
        reasons.push("Someone's on-site work does not fit their working days.".into());
    }
    (level, reasons)
}

impl Confidence {
    /// The lower of two confidences.
    fn lower(self, other: Confidence) -> Confidence {
        let rank = |c: Confidence| match c {
            Confidence::High => 0,
            Confidence::Medium => 1,
            Confidence::Low => 2,
        };
        if rank(other) > rank(self) { other } else { self }
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A minimum-cost flow over a small graph (a team's people and seven days), by successive shortest paths
/// (Bellman-Ford, as residual edges carry negative costs).
struct Flow {
    /// (to, capacity left, cost, index of the reverse edge in `to`'s list)
    edges: Vec<Vec<(usize, u32, i64, usize)>>,
    /// For `sent`: each forward edge's (from, position) and first capacity.
    forward: Vec<(usize, usize, u32)>,
}

impl Flow {
    fn new(nodes: usize) -> Flow {
        Flow { edges: vec![Vec::new(); nodes], forward: Vec::new() }
    }

    fn edge(&mut self, from: usize, to: usize, capacity: u32, cost: i64) {
        let back = self.edges[to].len() + usize::from(from == to);
        let here = self.edges[from].len();
        self.edges[from].push((to, capacity, cost, back));
        self.edges[to].push((from, 0, -cost, here));
        self.forward.push((from, here, capacity));
    }

    /// Sends as much as can go from `source` to `sink`, cheapest paths first.
    fn run(&mut self, source: usize, sink: usize) {
        let n = self.edges.len();
        loop {
            let mut dist = vec![i64::MAX; n];
            let mut came: Vec<Option<(usize, usize)>> = vec![None; n];
            dist[source] = 0;
            for _ in 0..n {
                let mut changed = false;
                for u in 0..n {
                    if dist[u] == i64::MAX {
                        continue;
                    }
                    for (k, &(v, cap, cost, _)) in self.edges[u].iter().enumerate() {
                        if cap > 0 && dist[u] + cost < dist[v] {
                            dist[v] = dist[u] + cost;
                            came[v] = Some((u, k));
                            changed = true;
                        }
                    }
                }
                if !changed {
                    break;
                }
            }
            if dist[sink] == i64::MAX {
                return;
            }
            let mut amount = u32::MAX;
            let mut v = sink;
            while let Some((u, k)) = came[v] {
                amount = amount.min(self.edges[u][k].1);
                v = u;
            }
            let mut v = sink;
            while let Some((u, k)) = came[v] {
                self.edges[u][k].1 -= amount;
                let back = self.edges[u][k].3;
                self.edges[v][back].1 += amount;
                v = u;
            }
        }
    }

    /// What went along the first edge from `from` to `to`.
    fn sent(&self, from: usize, to: usize) -> u32 {
        self.forward
            .iter()
            .find(|(f, k, _)| *f == from && self.edges[*f][*k].0 == to)
            .map_or(0, |(f, k, first)| first - self.edges[*f][*k].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(name: &str, hours: f64, place: Place, collaboration: Collaboration) -> Activity {
        Activity {
            name: name.into(),
            hours,
            place,
            timing: Timing::Deadline,
            window: String::new(),
            collaboration,
            with: Vec::new(),
            focus: Level::Low,
            rota: false,
            systems_remote: None,
        }
    }

    fn person(id: &str, days: &[Weekday], hours: f64, activities: Vec<Activity>) -> Person {
        Person {
            id: id.into(),
            name: id.to_uppercase(),
            head_count: 1,
            days: Days::of(days),
            hours,
            site: 0,
            home_checked: false,
            activities,
        }
    }

    const WEEK: [Weekday; 5] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];

    fn team(desks: [u32; 7], people: Vec<Person>) -> Team {
        Team {
            days: Days::MONDAY_TO_FRIDAY,
            day_hours: 7.5,
            sites: vec![Site { name: "Head office".into(), desks }],
            service_hours: String::new(),
            people,
        }
    }

    use Collaboration::*;
    use Weekday::*;

    #[test]
    fn rule_1_a_place_comes_before_being_in_person_and_a_time() {
        let mut a = activity("Site visits", 3.0, Place::Customer, InPersonEssential);
        assert_eq!(classify(&a), Class::PlaceAnchored);
        a.place = Place::None;
        assert_eq!(classify(&a), Class::InPerson);
        a.collaboration = Virtual;
        a.timing = Timing::ServiceHours;
        assert_eq!(classify(&a), Class::TimeAnchored);
        a.timing = Timing::Deadline;
        assert_eq!(classify(&a), Class::Flexible);
    }

    #[test]
    fn rule_2_one_anchored_task_does_not_set_the_whole_role() {
        let p = person(
            "a",
            &WEEK,
            37.5,
            vec![activity("Post room", 1.0, Place::Office, Solo), activity("Reports", 36.5, Place::None, Solo)],
        );
        assert_eq!(suggested_days(&p, 7.5).days, 1);
    }

    #[test]
    fn rule_3_hours_over_a_day_rounded_up_with_the_working() {
        let p = person(
            "a",
            &WEEK,
            37.5,
            vec![
                activity("Lab work", 14.0, Place::Site, Solo),
                activity("Design reviews", 6.0, Place::None, InPersonEssential),
                activity("Writing", 17.5, Place::None, Solo),
            ],
        );
        let need = suggested_days(&p, 7.5);
        assert_eq!((need.needed_days, need.days), (3, 3));
        assert_eq!(
            need.working,
            "3 days on site: 14 h place-anchored + 6 h in-person essential = 20 h ÷ 7.5 h = 2.7, rounded up."
        );
    }

    #[test]
    fn rule_3_each_activity_counts_once_a_whole_number_is_not_rounded_and_customers_are_apart() {
        let p = person(
            "a",
            &WEEK,
            37.5,
            vec![
                activity("Workshops in the office", 15.0, Place::Office, InPersonEssential),
                activity("Visits", 6.0, Place::Customer, Solo),
                activity("Casework", 16.5, Place::None, Solo),
            ],
        );
        let need = suggested_days(&p, 7.5);
        assert_eq!((need.place_hours, need.in_person_hours, need.customer_hours), (15.0, 0.0, 6.0));
        assert_eq!(need.days, 2);
        assert_eq!(need.working, "2 days on site: 15 h place-anchored ÷ 7.5 h = 2.0. Apart: 6 h at customers' sites.");
    }

    #[test]
    fn rule_3_no_activities_means_no_day_and_every_hour_unknown() {
        let t = team([10; 7], vec![person("a", &WEEK, 37.5, Vec::new())]);
        let plan = plan(&t);
        assert_eq!(plan.people[0].need.days, 0);
        assert_eq!(plan.people[0].need.unknown_hours, 37.5);
        assert!(plan.anchor_days.is_empty());
        assert_eq!(plan.split, "0 anchor days + 5 flexible");
        assert_eq!(plan.confidence, Confidence::Low);
        assert!(plan.flags.iter().any(|f| f.kind == FlagKind::UnknownDependencies));
    }

    #[test]
    fn rule_3_a_part_timer_whose_need_exceeds_their_days_is_capped_and_flagged() {
        let p = person("a", &[Mon, Tue], 15.0, vec![activity("Counter", 22.5, Place::Office, Solo)]);
        let t = team([10; 7], vec![p]);
        let plan = plan(&t);
        let need = &plan.people[0].need;
        assert_eq!((need.needed_days, need.days), (3, 2));
        assert!(need.working.contains("capped at the 2 days they work"), "{}", need.working);
        assert!(plan.flags.iter().any(|f| f.kind == FlagKind::NotEnoughDays));
        assert_eq!(plan.confidence, Confidence::Medium);
    }

    /// Two pairs who each meet in person; the pairs work different days of the week.
    fn two_pairs(desks: [u32; 7]) -> Team {
        let meet = |with: &str| {
            let mut a = activity("Planning together", 7.5, Place::None, InPersonEssential);
            a.with = vec![with.into()];
            a
        };
        let early = [Mon, Tue, Wed];
        let late = [Wed, Thu, Fri];
        team(
            desks,
            vec![
                person("a", &early, 22.5, vec![meet("b"), activity("Casework", 15.0, Place::None, Solo)]),
                person("b", &early, 22.5, vec![meet("a"), activity("Casework", 15.0, Place::None, Solo)]),
                person("c", &late, 22.5, vec![meet("d"), activity("Casework", 15.0, Place::None, Solo)]),
                person("d", &late, 22.5, vec![meet("c"), activity("Casework", 15.0, Place::None, Solo)]),
            ],
        )
    }

    #[test]
    fn rule_4_the_anchor_day_covers_the_most_shared_in_person_hours() {
        let plan = plan(&two_pairs([10; 7]));
        // One day each is needed; only Wednesday is worked by both pairs.
        assert_eq!(plan.anchor_days, vec![Wed]);
        assert_eq!((plan.covered_hours, plan.shared_hours), (30.0, 30.0));
        assert!(
            plan.anchor_reason
                .starts_with("Wednesday: 30 h of 30 h of shared in-person work on a day its people share"),
            "{}",
            plan.anchor_reason
        );
        assert!(plan.forecast.iter().all(|f| f.planned <= f.desks));
        let wed = plan.forecast.iter().find(|f| f.day == Wed).unwrap();
        assert_eq!(wed.planned, 4);
    }

    #[test]
    fn rule_4_a_day_without_the_desks_is_not_overfilled_and_the_reason_says_so() {
        let mut desks = [10; 7];
        desks[Wed.index()] = 2;
        let plan = plan(&two_pairs(desks));
        assert!(plan.forecast.iter().all(|f| f.planned <= f.desks), "{:?}", plan.forecast);
        // Each pair still meets, on a day of its own.
        assert_eq!(plan.covered_hours, 30.0);
        assert!(!plan.flags.iter().any(|f| f.kind == FlagKind::DesksShort));
    }

    #[test]
    fn rule_4_desks_too_few_on_every_day_are_flagged_by_how_many() {
        let people = (0..3)
            .map(|i| person(&format!("p{i}"), &WEEK, 37.5, vec![activity("Counter", 37.5, Place::Office, Solo)]))
            .collect();
        let plan = plan(&team([2; 7], people));
        assert_eq!(plan.anchor_days.len(), 5);
        let short: Vec<&Flag> = plan.flags.iter().filter(|f| f.kind == FlagKind::DesksShort).collect();
        assert_eq!(short.len(), 5);
        assert!(short[0].text.contains("short by 1 desk (3 planned, 2 desks)"), "{}", short[0].text);
        assert_ne!(plan.confidence, Confidence::High);
    }

    #[test]
    fn rule_4_a_role_spreads_its_people_over_days_within_the_desks() {
        let mut role = person(
            "advisers",
            &WEEK,
            37.5,
            vec![activity("Counter", 15.0, Place::Office, Solo), activity("Casework", 22.5, Place::None, Solo)],
        );
        role.head_count = 6;
        let plan = plan(&team([3, 3, 3, 3, 3, 0, 0], vec![role]));
        // 6 people × 2 days = 12 person-days over 15 desks.
        let planned: u32 = plan.forecast.iter().map(|f| f.planned).sum();
        assert_eq!(planned, 12);
        assert!(plan.forecast.iter().all(|f| f.planned <= f.desks), "{:?}", plan.forecast);
        assert!(plan.people[0].week.iter().all(|d| d.on_site <= 6));
    }

    #[test]
    fn rule_5_flexible_and_focus_work_go_on_the_same_days_away() {
        let mut focus = activity("Budget model", 10.0, Place::None, Solo);
        focus.focus = Level::High;
        let p = person("a", &WEEK, 37.5, vec![activity("Clinic", 15.0, Place::Office, Solo), focus]);
        let plan = plan(&team([10; 7], vec![p]));
        let text = &plan.people[0].batching;
        assert!(text.starts_with("10 h of flexible work on Wednesday, Thursday and Friday"), "{text}");
        assert!(text.contains("focus work (Budget model)"), "{text}");
    }

    #[test]
    fn rule_6_contact_windows_come_only_from_time_anchored_work_where_the_service_needs_them() {
        let mut phones = activity("Phone line", 20.0, Place::None, Solo);
        phones.timing = Timing::ServiceHours;
        let mut standup = activity("Stand-up", 1.25, Place::None, Virtual);
        standup.timing = Timing::Window;
        standup.window = "09:00-09:15 daily".into();
        let mut t = team([10; 7], vec![person("a", &WEEK, 37.5, vec![phones, standup])]);
        assert_eq!(windows(&t), vec!["A: Stand-up at 09:00-09:15 daily.".to_string()]);
        t.service_hours = "08:00-18:00".into();
        let w = windows(&t);
        assert_eq!(
            w[0],
            "Service hours 08:00-18:00 on Monday, Tuesday, Wednesday, Thursday and Friday: covered by the 1 person whose work follows them."
        );
    }

    #[test]
    fn rule_7_a_seven_day_rota_is_shared_and_its_gaps_are_flagged() {
        let mut cover = activity("Out-of-hours cover", 7.5, Place::None, Solo);
        cover.rota = true;
        let mut t = team(
            [10; 7],
            vec![
                person("a", &[Mon, Tue, Wed, Thu], 30.0, vec![cover.clone()]),
                person("b", &[Thu, Fri, Sat], 22.5, vec![cover.clone()]),
            ],
        );
        t.days = Days::of(&Weekday::ALL);
        let plan = plan(&t);
        assert_eq!(plan.rota.len(), 7);
        let who = |d: Weekday| plan.rota.iter().find(|r| r.day == d).unwrap().cover.clone();
        assert_eq!(who(Mon), vec!["A"]);
        assert_eq!(who(Sat), vec!["B"]);
        assert!(who(Sun).is_empty());
        assert!(plan.flags.iter().any(|f| f.kind == FlagKind::NoRotaCover && f.text.contains("Sunday")));
    }

    #[test]
    fn rule_8_flags_home_working_lone_working_systems_and_unknowns() {
        let mut records = activity("Records", 7.5, Place::None, Solo);
        records.systems_remote = Some(false);
        let mut unknown = activity("Other duties", 10.0, Place::Unknown, Solo);
        unknown.timing = Timing::Unknown;
        let p = person(
            "a",
            &WEEK,
            37.5,
            vec![
                activity("Home visits", 7.5, Place::Customer, Solo),
                records,
                unknown,
                activity("Reports", 12.5, Place::None, Solo),
            ],
        );
        let plan = plan(&team([10; 7], vec![p]));
        let kinds: Vec<FlagKind> = plan.flags.iter().map(|f| f.kind).collect();
        for kind in [
            FlagKind::HomeWorkingCheck,
            FlagKind::LoneWorking,
            FlagKind::SystemsNotRemote,
            FlagKind::UnknownDependencies,
        ] {
            assert!(kinds.contains(&kind), "{kind:?} missing from {kinds:?}");
        }
        // 10 of 37.5 hours unknown is 27%: over the 20% line.
        assert_eq!(plan.confidence, Confidence::Low);
    }

    #[test]
    fn rule_9_the_split_and_a_high_confidence_when_everything_is_described() {
        let p = person(
            "a",
            &WEEK,
            37.5,
            vec![
                activity("Workshops", 15.0, Place::Office, InPersonEssential),
                activity("Analysis", 22.5, Place::None, Solo),
            ],
        );
        let mut p = p;
        p.home_checked = true;
        let plan = plan(&team([10; 7], vec![p]));
        assert_eq!(plan.split, "2 anchor days + 3 flexible");
        assert_eq!(plan.confidence, Confidence::High);
        assert!(plan.flags.is_empty(), "{:?}", plan.flags);
    }

    #[test]
    fn days_read_as_words() {
        assert_eq!(in_words(Days::of(&[Tue, Thu])), "Tuesday and Thursday");
        assert_eq!(in_words(Days::of(&[Mon, Wed, Fri])), "Monday, Wednesday and Friday");
        assert_eq!(in_words(Days::default()), "no day");
        assert_eq!(Weekday::parse("thu"), Some(Thu));
        assert_eq!(Weekday::parse("Thursday"), None);
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;

        fn arb_person(i: usize, days: u8) -> impl Strategy<Value = Person> {
            (1u8..=days, 1u32..=2, 0.0f64..40.0, prop::sample::select(vec![Place::None, Place::Office, Place::Site]))
                .prop_map(move |(mask, head_count, anchored, place)| Person {
                    id: format!("p{i}"),
                    name: format!("P{i}"),
                    head_count,
                    days: Days(mask),
                    hours: 37.5,
                    site: 0,
                    home_checked: false,
                    activities: vec![Activity {
                        name: "Anchored".into(),
                        hours: anchored,
                        place,
                        timing: Timing::None,
                        window: String::new(),
                        collaboration: Collaboration::InPersonEssential,
                        with: vec![format!("p{}", (i + 1) % 3)],
                        focus: Level::Low,
                        rota: false,
                        systems_remote: None,
                    }],
                })
        }

        /// A team of at most four people-units on up to five days (so a brute force can check it).
        fn arb_team() -> impl Strategy<Value = Team> {
            let days = 0b1_1111u8;
            (prop::collection::vec(0u32..4, 7), 1usize..=3)
                .prop_flat_map(move |(desks, n)| {
                    let people: Vec<_> = (0..n).map(|i| arb_person(i, days)).collect();
                    (Just(desks), people)
                })
                .prop_map(|(desks, people)| Team {
                    days: Days(0b1_1111),
                    day_hours: 7.5,
                    sites: vec![Site { name: "Office".into(), desks: desks.try_into().unwrap_or([0; 7]) }],
                    service_hours: String::new(),
                    people,
                })
        }

        /// Whether any choice of days for every person-unit fits the desks (tried exhaustively).
        fn fits(team: &Team, needs: &[u32]) -> bool {
            let mut units: Vec<(Days, u32)> = Vec::new();
            for (p, n) in team.people.iter().zip(needs) {
                for _ in 0..p.head_count {
                    units.push((p.days, *n));
                }
            }
            fn go(units: &[(Days, u32)], left: &mut [u32; 7]) -> bool {
                let Some(((days, n), rest)) = units.split_first() else { return true };
                for choice in days.subsets(*n as usize) {
                    if choice.iter().all(|d| left[d.index()] > 0) {
                        choice.iter().for_each(|d| left[d.index()] -= 1);
                        let ok = go(rest, left);
                        choice.iter().for_each(|d| left[d.index()] += 1);
                        if ok {
                            return true;
                        }
                    }
                }
                false
            }
            go(&units, &mut team.sites[0].desks.clone())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            #[test]
            fn suggested_days_never_exceed_working_days(team in arb_team()) {
                let plan = plan(&team);
                for (p, pp) in team.people.iter().zip(&plan.people) {
                    prop_assert!(pp.need.days as usize <= p.days.len());
                    let placed: u32 = pp.week.iter().map(|d| d.on_site).sum();
                    prop_assert_eq!(placed, pp.need.days * p.head_count);
                    prop_assert!(pp.week.iter().all(|d| d.on_site <= p.head_count));
                }
            }

            #[test]
            fn no_day_is_overfilled_when_a_feasible_choice_exists(team in arb_team()) {
                let plan = plan(&team);
                let needs: Vec<u32> = plan.people.iter().map(|p| p.need.days).collect();
                let overfilled = plan.forecast.iter().any(|f| f.planned > f.desks);
                if fits(&team, &needs) {
                    prop_assert!(!overfilled, "{:?}", plan.forecast);
                } else {
                    prop_assert!(overfilled, "no choice fits, yet the forecast fits: {:?}", plan.forecast);
                }
            }
        }
    }
}
