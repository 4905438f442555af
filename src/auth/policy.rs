//! The one place that answers "may this viewer see or do this?". Handlers ask here; templates only show
//! what handlers decided; nothing else decides access.

use chrono::{DateTime, Utc};

use super::model::{Role, User, Viewer};
use crate::web::AppError;

/// A suspended account cannot be signed in to, and its sessions end.
pub fn may_hold_session(user: &User) -> bool {
    !user.suspended
}

fn active_role(viewer: &Viewer) -> Option<Role> {
    viewer.user.as_ref().filter(|u| !u.suspended).map(|u| u.role)
}

/// Organisers run the site: pages, news, supporters, people, accounts.
pub fn can_manage_site(viewer: &Viewer) -> bool {
    active_role(viewer) == Some(Role::Organiser)
}

/// Anyone signed in manages their own password.
pub fn can_manage_own_account(viewer: &Viewer) -> bool {
    active_role(viewer).is_some()
}

/// Personal API tokens are for people in the members' area and outside judges. A token acts as its holder, so
/// every other rule still applies to what it asks for; a lapsed member's token keeps only what a lapsed member
/// may do.
pub fn can_hold_api_token(viewer: &Viewer, now: DateTime<Utc>) -> bool {
    // An outside judge judges through the API too; their token reaches only what their account does.
    can_enter_members_area(viewer, now) || active_role(viewer) == Some(Role::Judge)
}

/// The members' area (directory, organisation pages, later the forum and library): members within their
/// term, moderators and organisers. Not visitors, applicants, lapsed or suspended members.
pub fn can_enter_members_area(viewer: &Viewer, now: DateTime<Utc>) -> bool {
    let Some(user) = viewer.user.as_ref().filter(|u| !u.suspended) else { return false };
    match user.role {
        Role::Organiser | Role::Moderator => true,
        Role::Member => user.membership_ends_at.is_none_or(|end| end > now),
        Role::Applicant | Role::Participant | Role::Judge => false,
    }
}

/// `can_enter_members_area` as a condition on a `users` row, for the few queries that must choose people in
/// SQL (newsletter readers, the directory): `users` is the row's alias, `now` the placeholder bound to the
/// time. Kept beside the rule it restates; a test checks that both agree for every kind of person.
pub fn members_area_sql(users: &str, now: &str) -> String {
    format!(
        "({users}.suspended = FALSE AND ({users}.role IN ('organiser', 'moderator') \
         OR ({users}.role = 'member' AND ({users}.membership_ends_at IS NULL OR {users}.membership_ends_at > {now}))))"
    )
}

/// Members renew their own membership (lapsed ones too: that is how they come back). Suspended members cannot.
pub fn can_renew_membership(user: &User) -> bool {
    user.role == Role::Member && !user.suspended
}

/// `can_renew_membership` as a condition on a `users` row (alias `users`), for choosing whom to remind.
pub fn renewal_sql(users: &str) -> String {
    format!("({users}.role = 'member' AND {users}.suspended = FALSE)")
}

/// What a member is in one group: the facts the group rules below are decided on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupStanding {
    Coordinator,
    Member,
    Requested,
}

/// A group's page and member list are for members of the network.
pub fn can_view_group(viewer: &Viewer, now: DateTime<Utc>) -> bool {
    can_enter_members_area(viewer, now)
}

/// A group's private spaces (its meetings and forum, later) are for its active members and coordinators, and
/// for organisers.
pub fn can_enter_group_space(viewer: &Viewer, standing: Option<GroupStanding>, now: DateTime<Utc>) -> bool {
    can_enter_members_area(viewer, now)
        && (can_manage_site(viewer) || matches!(standing, Some(GroupStanding::Coordinator | GroupStanding::Member)))
}

/// Coordinators (and organisers) answer requests to join their group.
pub fn can_coordinate_group(viewer: &Viewer, standing: Option<GroupStanding>, now: DateTime<Utc>) -> bool {
    can_enter_members_area(viewer, now) && (can_manage_site(viewer) || standing == Some(GroupStanding::Coordinator))
}

/// Organisers create groups and name their coordinators.
pub fn can_manage_groups(viewer: &Viewer) -> bool {
    can_manage_site(viewer)
}

/// How a person stands in a team space of the toolkit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeamStanding {
    Lead,
    Participant,
}

impl TeamStanding {
    pub fn key(self) -> &'static str {
        match self {
            TeamStanding::Lead => "lead",
            TeamStanding::Participant => "participant",
        }
    }

    pub fn parse(key: &str) -> Option<TeamStanding> {
        match key {
            "lead" => Some(TeamStanding::Lead),
            "participant" => Some(TeamStanding::Participant),
            _ => None,
        }
    }
}

/// Members in the members' area open team spaces for teams of their organisation (organisers and moderators
/// too, for their own teams).
pub fn can_open_team_space(viewer: &Viewer, now: DateTime<Utc>) -> bool {
    can_enter_members_area(viewer, now)
}

/// The toolkit's own pages (the list of one's spaces) are for anyone who may open a space or was invited to
/// one, and for lapsed members, who keep reading the spaces they lead: not visitors, applicants or suspended
/// accounts.
pub fn can_use_toolkit(viewer: &Viewer, now: DateTime<Utc>) -> bool {
    can_open_team_space(viewer, now) || matches!(active_role(viewer), Some(Role::Participant | Role::Member))
}

/// A space is seen by its leads and participants, and by no one else: not organisers (an organisation's
/// internal data). A lapsed member who leads a space still sees it, read-only.
pub fn can_view_team_space(viewer: &Viewer, standing: Option<TeamStanding>) -> bool {
    standing.is_some() && matches!(active_role(viewer), Some(r) if r != Role::Applicant)
}

/// Leads change a space (its settings, sites, people, anyone's activities), while they are in the members'
/// area; a lapsed lead keeps read-only access until they renew. A closed space changes no more.
pub fn can_lead_team_space(viewer: &Viewer, standing: Option<TeamStanding>, closed: bool, now: DateTime<Utc>) -> bool {
    !closed && standing == Some(TeamStanding::Lead) && can_enter_members_area(viewer, now)
}

/// A closed space is deleted for good by its lead, while they are in the members' area.
pub fn can_delete_team_space(
    viewer: &Viewer,
    standing: Option<TeamStanding>,
    closed: bool,
    now: DateTime<Utc>,
) -> bool {
    closed && standing == Some(TeamStanding::Lead) && can_enter_members_area(viewer, now)
}

/// A participant describes their own work (the person row that is theirs); leads describe anyone's.
pub fn can_describe_work(
    viewer: &Viewer,
    standing: Option<TeamStanding>,
    closed: bool,
    own_row: bool,
    now: DateTime<Utc>,
) -> bool {
    can_lead_team_space(viewer, standing, closed, now) || (!closed && own_row && can_view_team_space(viewer, standing))
}

/// A person's constraints (caring, adjustments) are seen by that person and the space's leads, as long as the
/// lead may lead (a lapsed member's standing shows them no one's constraints).
pub fn can_see_constraints(viewer: &Viewer, standing: Option<TeamStanding>, own_row: bool, now: DateTime<Utc>) -> bool {
    own_row || (standing == Some(TeamStanding::Lead) && can_enter_members_area(viewer, now))
}

/// Everyone in an open space drafts its team agreement together (edits a section, comments, answers a
/// proposal): its members in the members' area and its team participants; a lapsed member reads it.
pub fn can_draft_team_agreement(
    viewer: &Viewer,
    standing: Option<TeamStanding>,
    closed: bool,
    now: DateTime<Utc>,
) -> bool {
    !closed
        && can_view_team_space(viewer, standing)
        && (can_enter_members_area(viewer, now) || active_role(viewer) == Some(Role::Participant))
}

/// A trial's check-in notes are the person on trial's and the leads': never other participants', never
/// organisers' (who have no standing in a space).
pub fn can_see_trial_notes(
    viewer: &Viewer,
    standing: Option<TeamStanding>,
    on_trial: bool,
    now: DateTime<Utc>,
) -> bool {
    can_view_team_space(viewer, standing)
        && (on_trial || (standing == Some(TeamStanding::Lead) && can_enter_members_area(viewer, now)))
}

/// An organisation's benchmark assessments (answers, evidence, scores, reports) are for its current members in
/// the members' area, and no one else: not organisers (the network sees only aggregates), not other
/// organisations, not lapsed members, not someone who has moved to another employer.
pub fn can_assess_for(viewer: &Viewer, organisation_id: &str, now: DateTime<Utc>) -> bool {
    let Some(user) = viewer.user.as_ref() else { return false };
    // A moderator's term counts here as a member's does: the members' area lets moderators in regardless.
    can_enter_members_area(viewer, now)
        && matches!(user.role, Role::Member | Role::Moderator)
        && user.membership_ends_at.is_none_or(|end| end > now)
        && user.organisation_id.as_deref() == Some(organisation_id)
}

/// Peer figures (aggregates under the five-organisation threshold) are for people in the members' area.
pub fn can_see_benchmark_peers(viewer: &Viewer, now: DateTime<Utc>) -> bool {
    can_enter_members_area(viewer, now)
}

/// Organisers see the network's aggregate figures, download them, and tag items with dimensions.
pub fn can_run_benchmark(viewer: &Viewer) -> bool {
    can_manage_site(viewer)
}

/// An organisation's award entries are made, changed and read by the same people as its benchmark: its
/// current members within their term. Never by the judges or the public through these pages.
pub fn can_enter_awards_for(viewer: &Viewer, organisation_id: &str, now: DateTime<Utc>) -> bool {
    can_assess_for(viewer, organisation_id, now)
}

/// Organisers run the awards: programmes, categories, judges, the shortlist and the winners.
pub fn can_run_awards(viewer: &Viewer) -> bool {
    can_manage_site(viewer)
}

/// Whether a person has a conflict of interest with an award entry, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AwardConflict {
    None,
    /// Proposed by the network's data, declared by the person, or pinned by an organiser: in force.
    InForce,
}

/// The judging pages (assignments, scoring, the discussion) are for people in the members' area (organisers
/// among them) and outside judges; a lapsed member's or an applicant's account does not judge.
pub fn can_reach_judging(viewer: &Viewer, now: DateTime<Utc>) -> bool {
    can_enter_members_area(viewer, now) || active_role(viewer) == Some(Role::Judge)
}

/// Whom organisers may assign as a judge: an account that reaches the judging now.
pub fn may_judge(user: &User, now: DateTime<Utc>) -> bool {
    can_reach_judging(&Viewer { user: Some(user.clone()), ..Viewer::default() }, now)
}

/// Judging something: reaching the judging, and assigned to it (whether an assignment exists is the caller's
/// to say).
pub fn can_judge(viewer: &Viewer, assigned: bool, now: DateTime<Utc>) -> bool {
    assigned && can_reach_judging(viewer, now)
}

/// A judge opens, scores and discusses an entry they are assigned to, unless they have a conflict with it; an
/// organiser oversees it (reads it, its reviews and discussion, decides its eligibility and result) unless
/// they have one: another organiser decides it then. Drafts are never judged.
pub fn can_judge_entry(
    viewer: &Viewer,
    assigned: bool,
    conflict: AwardConflict,
    submitted: bool,
    now: DateTime<Utc>,
) -> bool {
    submitted && conflict == AwardConflict::None && can_judge(viewer, assigned, now)
}

/// What the other judges scored and wrote on an entry, and its discussion: an organiser reads them; a judge once
/// their own scores are in (`own_review` says whether theirs was an abstention, none when there is none yet).
/// An abstention opens nothing: it would be a way to read the others before scoring.
pub fn can_see_panel(organiser: bool, own_review: Option<bool>) -> bool {
    organiser || own_review == Some(false)
}

pub fn can_oversee_entry(viewer: &Viewer, conflict: AwardConflict) -> bool {
    can_run_awards(viewer) && conflict == AwardConflict::None
}

/// A statutory flexible-working request is seen by the leads and by the person who made it.
pub fn can_see_flexible_request(
    viewer: &Viewer,
    standing: Option<TeamStanding>,
    own: bool,
    now: DateTime<Utc>,
) -> bool {
    can_view_team_space(viewer, standing)
        && (own || (standing == Some(TeamStanding::Lead) && can_enter_members_area(viewer, now)))
}

/// Only people in the members' area lead spaces: an invitation to lead, or a promotion, is refused for anyone
/// else (a team participant account takes part).
pub fn may_lead_team_spaces(user: &User, now: DateTime<Utc>) -> bool {
    can_enter_members_area(&Viewer { user: Some(user.clone()), ..Viewer::default() }, now)
}

/// How much of a meeting a viewer sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeetingView {
    /// Everything but the joining link (which `can_see_joining_link` decides).
    Full,
    /// Title, date, format and "for members": a closed meeting, seen by someone outside the network.
    Teaser,
    Hidden,
}

/// Where a meeting stands: a draft is for organisers; a cancelled one stays visible but takes no one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeetingStatus {
    Draft,
    Published,
    Cancelled,
}

impl MeetingStatus {
    /// Reads a stored status; anything unknown is a draft, seen by organisers alone.
    pub fn parse(value: &str) -> MeetingStatus {
        match value {
            "published" => MeetingStatus::Published,
            "cancelled" => MeetingStatus::Cancelled,
            _ => MeetingStatus::Draft,
        }
    }
}

/// Where a registration stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationStatus {
    /// A guest who has not yet confirmed their address.
    Unconfirmed,
    Confirmed,
    Waitlisted,
    Cancelled,
}

impl RegistrationStatus {
    /// Reads a stored status; anything unknown holds no place.
    pub fn parse(value: &str) -> RegistrationStatus {
        match value {
            "confirmed" => RegistrationStatus::Confirmed,
            "waitlisted" => RegistrationStatus::Waitlisted,
            "unconfirmed" => RegistrationStatus::Unconfirmed,
            _ => RegistrationStatus::Cancelled,
        }
    }
}

/// What a viewer sees of a meeting: whoever its audience admits (`can_see_audience`, the rule every item
/// filed by audience follows) sees it in full; visitors see that members' meetings exist; drafts are for
/// organisers.
pub fn meeting_view(
    viewer: &Viewer,
    audience: &Audience,
    status: MeetingStatus,
    in_group: bool,
    now: DateTime<Utc>,
) -> MeetingView {
    if status == MeetingStatus::Draft {
        return if can_manage_meetings(viewer) { MeetingView::Full } else { MeetingView::Hidden };
    }
    if can_see_audience(viewer, audience, in_group, now) {
        MeetingView::Full
    } else if *audience == Audience::Members {
        MeetingView::Teaser
    } else {
        MeetingView::Hidden
    }
}

/// Members register themselves for any meeting they can see in full.
pub fn can_register_as_member(viewer: &Viewer, view: MeetingView, now: DateTime<Utc>) -> bool {
    view == MeetingView::Full && can_enter_members_area(viewer, now)
}

/// Anyone may register as a guest, by e-mail, for an open meeting.
pub fn can_register_as_guest(audience: &Audience, status: MeetingStatus) -> bool {
    *audience == Audience::Everyone && status == MeetingStatus::Published
}

/// The joining link is for confirmed attendees, from a set time before the start, while the meeting is on.
pub fn can_see_joining_link(
    registration: Option<RegistrationStatus>,
    meeting: MeetingStatus,
    starts_at: DateTime<Utc>,
    released_before: chrono::Duration,
    now: DateTime<Utc>,
) -> bool {
    registration == Some(RegistrationStatus::Confirmed)
        && meeting == MeetingStatus::Published
        && now >= starts_at - released_before
}

/// Materials from a meeting (slides, notes, recording) are for members, and for a group meeting its group.
pub fn can_see_materials(viewer: &Viewer, view: MeetingView, now: DateTime<Utc>) -> bool {
    view == MeetingView::Full && can_enter_members_area(viewer, now)
}

/// A group's coordinators run their group's meetings; organisers run all of them.
pub fn can_manage_group_meeting(viewer: &Viewer, standing: Option<GroupStanding>, now: DateTime<Utc>) -> bool {
    can_manage_meetings(viewer) || can_coordinate_group(viewer, standing, now)
}

/// Organisers run the meetings programme.
pub fn can_manage_meetings(viewer: &Viewer) -> bool {
    can_manage_site(viewer)
}

/// Whose a space (a forum category) is: the members', or one group's, with where the viewer stands in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Space {
    Members,
    Group(Option<GroupStanding>),
}

/// A forum category is for members; a group's category for that group's active members and coordinators (and
/// moderators and organisers).
pub fn can_view_category(viewer: &Viewer, space: Space, now: DateTime<Utc>) -> bool {
    can_enter_members_area(viewer, now)
        && match space {
            Space::Members => true,
            Space::Group(standing) => {
                matches!(standing, Some(GroupStanding::Member | GroupStanding::Coordinator)) || can_moderate(viewer)
            }
        }
}

/// Members post (where they may read: the caller has found the category or topic through the rules above),
/// unless a moderator suspended their posting.
pub fn can_post(viewer: &Viewer, now: DateTime<Utc>) -> bool {
    can_enter_members_area(viewer, now) && viewer.user.as_ref().is_some_and(|u| !u.posting_suspended)
}

/// Who is going to a meeting: members see the names of the members who chose to show them (the rest are
/// counted); anyone else sees only how many, and only for an open meeting.
pub fn can_see_who_is_going(viewer: &Viewer, now: DateTime<Utc>) -> bool {
    can_enter_members_area(viewer, now)
}

/// A member likes another's post (where they may read it) while they may post: one's own post is not liked.
pub fn can_like_post(viewer: &Viewer, author_id: Option<&str>, now: DateTime<Utc>) -> bool {
    can_post(viewer, now) && viewer.user.as_ref().is_some_and(|u| Some(u.id.as_str()) != author_id)
}

/// Where a person stands in a private conversation: the facts the message rules below are decided on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConversationPlace {
    /// One of its people, still in it.
    Inside,
    /// One of its people who left it, or someone never in it.
    Outside,
}

/// Private messages are read by members, and by a lapsed member too (read-only: their own conversations stay
/// theirs); not by a suspended one, an applicant or a visitor.
pub fn can_read_messages(viewer: &Viewer, now: DateTime<Utc>) -> bool {
    can_enter_members_area(viewer, now) || viewer.user.as_ref().is_some_and(|u| !u.suspended && u.role == Role::Member)
}

/// Members write private messages while they may post: a moderator's stop on posting stops these too, since a
/// private message is where harassment would go next.
pub fn can_write_messages(viewer: &Viewer, now: DateTime<Utc>) -> bool {
    can_post(viewer, now)
}

/// A conversation is read by its people; moderators see it only while a report on one of its messages is
/// open, and never otherwise.
pub fn can_read_conversation(viewer: &Viewer, place: ConversationPlace, open_report: bool, now: DateTime<Utc>) -> bool {
    (place == ConversationPlace::Inside && can_read_messages(viewer, now))
        || can_moderate_conversation(viewer, place, open_report)
}

/// A report is dealt with by a moderator outside the conversation: one inside it would learn who reported
/// them, or judge their own words.
pub fn can_moderate_conversation(viewer: &Viewer, place: ConversationPlace, open_report: bool) -> bool {
    open_report && place == ConversationPlace::Outside && can_moderate(viewer)
}

/// A member writes in a conversation they are in (and never in one they only see as a moderator).
pub fn can_write_in_conversation(viewer: &Viewer, place: ConversationPlace, now: DateTime<Utc>) -> bool {
    place == ConversationPlace::Inside && can_write_messages(viewer, now)
}

/// Whether a topic takes replies: a moderator locks it to stop them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replies {
    Open,
    Locked,
}

/// Replies go to open topics; moderators may still reply to a locked one.
pub fn can_reply(viewer: &Viewer, replies: Replies, now: DateTime<Utc>) -> bool {
    can_post(viewer, now) && (replies == Replies::Open || can_moderate(viewer))
}

/// Moderators (and organisers) keep the forum in order.
pub fn can_moderate(viewer: &Viewer) -> bool {
    matches!(active_role(viewer), Some(Role::Moderator | Role::Organiser))
}

/// A post is edited by its author (while they may post) or a moderator.
pub fn can_edit_post(viewer: &Viewer, author_id: Option<&str>, now: DateTime<Utc>) -> bool {
    can_moderate(viewer)
        || (can_post(viewer, now) && viewer.user.as_ref().is_some_and(|u| Some(u.id.as_str()) == author_id))
}

/// The asker (or a moderator) accepts one reply as the answer.
pub fn can_accept_answer(viewer: &Viewer, asker_id: Option<&str>, now: DateTime<Utc>) -> bool {
    can_edit_post(viewer, asker_id, now)
}

/// Who asked an anonymous question is for moderators alone.
pub fn can_see_anonymous_author(viewer: &Viewer) -> bool {
    can_moderate(viewer)
}

/// Who an item is for: the closed set that library items, meetings' listings in newsletters and newsletter
/// items share. Parsed at the edge (forms, rows); rules take this, never the text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    Everyone,
    Members,
    /// One group's members (and organisers); the group's id.
    Group(String),
}

impl Audience {
    /// As stored with a newsletter's block: 'public', 'members' or 'group:<id>'.
    pub fn key(&self) -> String {
        match self {
            Audience::Everyone => "public".into(),
            Audience::Members => "members".into(),
            Audience::Group(id) => format!("group:{id}"),
        }
    }

    /// Reads a stored key; anything unknown is no audience at all, so it reaches no one.
    pub fn parse(key: &str) -> Option<Audience> {
        match key {
            "public" => Some(Audience::Everyone),
            "members" => Some(Audience::Members),
            _ => key.strip_prefix("group:").filter(|g| !g.is_empty()).map(|g| Audience::Group(g.into())),
        }
    }

    /// The group an item is for, if it is for one.
    pub fn group(&self) -> Option<&str> {
        match self {
            Audience::Group(id) => Some(id),
            _ => None,
        }
    }
}

/// Whether a reader may see an item for this audience, given whether they are in its group: the one rule for
/// library items, meetings and every block of a newsletter (per recipient). A group's items are for its
/// members and organisers; moderators, who keep the forum in order, see a group's forum (`can_view_category`)
/// but not its other items.
pub fn can_see_audience(viewer: &Viewer, audience: &Audience, in_group: bool, now: DateTime<Utc>) -> bool {
    match audience {
        Audience::Everyone => true,
        Audience::Members => can_enter_members_area(viewer, now),
        Audience::Group(_) => can_enter_members_area(viewer, now) && (in_group || can_manage_site(viewer)),
    }
}

/// How far into the library (and anything else filed by audience) a viewer reaches: public items always;
/// members' items for members in their term (and moderators and organisers); a group's items for its
/// members, and every group's for organisers. Listings filter by this in SQL; single items are checked with
/// `can_see_audience`, which says the same.
#[derive(Clone, Debug, Default)]
pub struct Reach {
    pub members: bool,
    pub all_groups: bool,
    pub groups: Vec<String>,
}

impl Reach {
    /// Everything: for work done on behalf of the network (gathering a newsletter's items, whose copies
    /// are then filtered per reader).
    pub fn everything() -> Reach {
        Reach { members: true, all_groups: true, groups: Vec::new() }
    }
}

/// The reach of a viewer who belongs to `my_groups` (active membership or coordinator).
pub fn reach(viewer: &Viewer, my_groups: Vec<String>, now: DateTime<Utc>) -> Reach {
    let members = can_enter_members_area(viewer, now);
    Reach {
        members,
        all_groups: members && can_manage_site(viewer),
        groups: if members { my_groups } else { Vec::new() },
    }
}

/// Where a news item or a library item stands: a draft, or published from a time (which may be to come).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Publication {
    Draft,
    From(DateTime<Utc>),
}

impl Publication {
    /// From a row's `published` flag and `publish_at` time.
    pub fn of(published: bool, publish_at: DateTime<Utc>) -> Publication {
        if published { Publication::From(publish_at) } else { Publication::Draft }
    }

    /// Out for everyone who may read it: published, and its time has come.
    pub fn is_out(self, now: DateTime<Utc>) -> bool {
        matches!(self, Publication::From(at) if at <= now)
    }
}

/// A library item (article, resource, case study) is open once it is out; organisers see drafts and scheduled
/// items before. Who may then read it is `can_see_audience`.
pub fn can_view_library_item(viewer: &Viewer, publication: Publication, now: DateTime<Utc>) -> bool {
    publication.is_out(now) || can_manage_library(viewer)
}

/// Organisers write articles and add resources.
pub fn can_manage_library(viewer: &Viewer) -> bool {
    can_manage_site(viewer)
}

/// A sent newsletter in the archive: a public edition (it went to subscribers) for everyone; otherwise for
/// members in their term who were in one of its audiences, and for organisers.
pub fn can_read_newsletter(viewer: &Viewer, public_edition: bool, in_audience: bool, now: DateTime<Utc>) -> bool {
    public_edition || can_send_newsletters(viewer) || (in_audience && can_enter_members_area(viewer, now))
}

/// Organisers compose and send newsletters.
pub fn can_send_newsletters(viewer: &Viewer) -> bool {
    can_manage_site(viewer)
}

/// Organisers review applications (group coordinators will join them).
pub fn can_review_applications(viewer: &Viewer) -> bool {
    can_manage_site(viewer)
}

/// Anyone signed in sees their own application, if they have one.
pub fn can_view_own_application(viewer: &Viewer) -> bool {
    active_role(viewer).is_some()
}

/// A page is public once published; organisers also see drafts.
pub fn can_view_page(viewer: &Viewer, published: bool) -> bool {
    published || can_manage_site(viewer)
}

/// A news item is public once it is out; organisers see it before.
pub fn can_view_news(viewer: &Viewer, publication: Publication, now: DateTime<Utc>) -> bool {
    publication.is_out(now) || can_manage_site(viewer)
}

/// Turns a refusal into the right answer: visitors are asked to sign in, signed-in people are told no.
pub fn require(viewer: &Viewer, allowed: bool, path: &str) -> Result<(), AppError> {
    if allowed {
        Ok(())
    } else if viewer.user.is_none() {
        Err(AppError::SignInRequired(path.to_string()))
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(role: Option<Role>, suspended: bool) -> Viewer {
        Viewer {
            user: role.map(|role| User {
                id: "u".into(),
                email: "u@x.org".into(),
                name: "U".into(),
                role,
                suspended,
                organisation_id: None,
                membership_ends_at: None,
                posting_suspended: false,
            }),
            ..Viewer::default()
        }
    }

    #[test]
    fn only_active_organisers_manage_the_site() {
        assert!(can_manage_site(&viewer(Some(Role::Organiser), false)));
        assert!(!can_manage_site(&viewer(Some(Role::Organiser), true)));
        for role in [Role::Moderator, Role::Member, Role::Applicant] {
            assert!(!can_manage_site(&viewer(Some(role), false)));
        }
        assert!(!can_manage_site(&viewer(None, false)));
    }

    #[test]
    fn members_area_is_for_members_in_their_term() {
        let now = Utc::now();
        assert!(can_enter_members_area(&viewer(Some(Role::Member), false), now));
        assert!(can_enter_members_area(&viewer(Some(Role::Organiser), false), now));
        assert!(can_enter_members_area(&viewer(Some(Role::Moderator), false), now));
        assert!(!can_enter_members_area(&viewer(Some(Role::Applicant), false), now));
        assert!(!can_enter_members_area(&viewer(Some(Role::Member), true), now));
        assert!(!can_enter_members_area(&viewer(None, false), now));
        let mut lapsed = viewer(Some(Role::Member), false);
        if let Some(u) = lapsed.user.as_mut() {
            u.membership_ends_at = Some(now - chrono::Duration::days(1));
        }
        assert!(!can_enter_members_area(&lapsed, now));
    }

    #[test]
    fn group_rules() {
        let now = Utc::now();
        let member = viewer(Some(Role::Member), false);
        assert!(can_view_group(&member, now));
        assert!(!can_enter_group_space(&member, None, now));
        assert!(!can_enter_group_space(&member, Some(GroupStanding::Requested), now));
        assert!(can_enter_group_space(&member, Some(GroupStanding::Member), now));
        assert!(!can_coordinate_group(&member, Some(GroupStanding::Member), now));
        assert!(can_coordinate_group(&member, Some(GroupStanding::Coordinator), now));
        assert!(!can_coordinate_group(&viewer(Some(Role::Member), true), Some(GroupStanding::Coordinator), now));
        let organiser = viewer(Some(Role::Organiser), false);
        assert!(can_coordinate_group(&organiser, None, now));
        assert!(can_enter_group_space(&organiser, None, now));
        assert!(!can_view_group(&viewer(Some(Role::Applicant), false), now));
    }

    #[test]
    fn meeting_visibility() {
        let now = Utc::now();
        let visitor = viewer(None, false);
        let member = viewer(Some(Role::Member), false);
        let organiser = viewer(Some(Role::Organiser), false);
        assert_eq!(
            meeting_view(&visitor, &Audience::Everyone, MeetingStatus::Published, false, now),
            MeetingView::Full
        );
        assert_eq!(
            meeting_view(&visitor, &Audience::Members, MeetingStatus::Published, false, now),
            MeetingView::Teaser
        );
        assert_eq!(
            meeting_view(&visitor, &Audience::Group("g".into()), MeetingStatus::Published, false, now),
            MeetingView::Hidden
        );
        assert_eq!(meeting_view(&member, &Audience::Members, MeetingStatus::Published, false, now), MeetingView::Full);
        assert_eq!(
            meeting_view(&member, &Audience::Group("g".into()), MeetingStatus::Published, false, now),
            MeetingView::Hidden
        );
        assert_eq!(
            meeting_view(&member, &Audience::Group("g".into()), MeetingStatus::Published, true, now),
            MeetingView::Full
        );
        assert_eq!(meeting_view(&member, &Audience::Everyone, MeetingStatus::Draft, false, now), MeetingView::Hidden);
        assert_eq!(
            meeting_view(&organiser, &Audience::Group("g".into()), MeetingStatus::Draft, false, now),
            MeetingView::Full
        );
        assert_eq!(
            meeting_view(
                &viewer(Some(Role::Applicant), false),
                &Audience::Members,
                MeetingStatus::Published,
                false,
                now
            ),
            MeetingView::Teaser
        );
        let day = chrono::Duration::hours(24);
        assert!(can_see_joining_link(
            Some(RegistrationStatus::Confirmed),
            MeetingStatus::Published,
            now + chrono::Duration::hours(2),
            day,
            now
        ));
        assert!(!can_see_joining_link(
            Some(RegistrationStatus::Confirmed),
            MeetingStatus::Published,
            now + chrono::Duration::hours(30),
            day,
            now
        ));
        assert!(!can_see_joining_link(Some(RegistrationStatus::Waitlisted), MeetingStatus::Published, now, day, now));
        assert!(!can_see_joining_link(None, MeetingStatus::Published, now, day, now));
        assert!(!can_see_joining_link(Some(RegistrationStatus::Confirmed), MeetingStatus::Cancelled, now, day, now));
    }

    #[test]
    fn news_waits_for_its_time() {
        let now = Utc::now();
        let later = now + chrono::Duration::hours(1);
        let visitor = viewer(None, false);
        assert!(can_view_news(&visitor, Publication::From(now), now));
        assert!(!can_view_news(&visitor, Publication::From(later), now));
        assert!(!can_view_news(&visitor, Publication::Draft, now));
        assert!(can_view_news(&viewer(Some(Role::Organiser), false), Publication::Draft, now));
    }

    #[test]
    fn refusals_ask_visitors_to_sign_in() {
        assert!(matches!(require(&viewer(None, false), false, "/x"), Err(AppError::SignInRequired(_))));
        assert!(matches!(require(&viewer(Some(Role::Member), false), false, "/x"), Err(AppError::Forbidden)));
        assert!(require(&viewer(None, false), true, "/x").is_ok());
    }
}
