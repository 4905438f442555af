//! Conversation guides and checklists: the network's manager guidance as a guide a lead works through before
//! and during a conversation, with their own notes (private to them, kept in the team space), and checklists
//! organisers add. The guides' text is public (`/toolkit/guides`); organisers edit them, and the team
//! agreement's prompts and examples, at `/admin/toolkit`.

pub mod routes;
pub mod store;

/// A guide or a checklist.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Guide {
    pub id: String,
    pub slug: String,
    pub kind: String,
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub body: String,
    /// A checklist's items, one per line.
    pub items: String,
}

impl Guide {
    pub fn items(&self) -> Vec<String> {
        self.items.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
    }
}

/// The guides the network starts with (slug, kind, title, summary, body, items).
pub const FIRST_GUIDES: [(&str, &str, &str, &str, &str, &str); 2] = [
    (
        "smart-working-conversation",
        "guide",
        "A Smart Working conversation: a guide for managers",
        "For a manager before and during a conversation about where and when someone works.",
        "Making Smart Working work is not a box-ticking exercise. Work through these before the conversation, \
and keep your own notes as you go.\n\n\
## Be positive and open\n\
Start from what could work, not from why it cannot. What would the person, the team and the customers gain?\n\n\
## Challenge assumptions about where and when\n\
Which of the activities truly need a place or a time? Which only have one out of habit?\n\n\
## Be creative about job design\n\
Could activities be grouped differently, so that on-site work falls on fewer days, or focus work in longer blocks?\n\n\
## Supervision and teamwork are not barriers\n\
How is work supervised and shared now? What would make it work just as well at a distance: check-ins, shared \
stores, anchor days?\n\n\
## Support people at life events\n\
Caring, health, study, a move: what support would let the person keep contributing fully?\n\n\
## Use trial periods well\n\
If it is uncertain, agree a trial with success criteria and a baseline, check at the mid-point, and review \
openly at the end. If there are issues, look for the underlying cause: bringing someone back into the office \
and traditional hours should not be the default position.\n\n\
## Creative, not box-ticking\n\
Write down what you agreed and what each of you will do next.",
        "",
    ),
    (
        "before-deciding-a-request",
        "checklist",
        "Before deciding a flexible-working request",
        "What to have done before a statutory request is decided.",
        "A checklist for the lead who decides a request. It is a record-keeping aid, not legal advice.",
        "Recorded the date the request was made, the change asked and the start wanted\n\
Checked the deadline for the decision (and any appeal)\n\
Met the person to discuss the request, and listened to what they need\n\
Looked at each activity of the role: where and when does it need to happen?\n\
Considered a trial period of the pattern asked for, or of a variation\n\
If refusing: named each business ground that applies, and explained why\n\
Told the person the decision in writing, with how to appeal",
    ),
];
