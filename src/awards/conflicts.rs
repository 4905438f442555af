//! Conflicts of interest, pure: what the network's own data says about a judge and an entry, the conflicts it
//! proposes from that, and the types a judge declares. A proposal is never silently dropped: a judge may
//! answer it, and an organiser may pin a conflict the judge cannot remove.

/// How a conflict is typed, proposed or declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Employer,
    FormerEmployer,
    Collaborator,
    Personal,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Employer, Kind::FormerEmployer, Kind::Collaborator, Kind::Personal, Kind::Other];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Employer => "employer",
            Kind::FormerEmployer => "former_employer",
            Kind::Collaborator => "collaborator",
            Kind::Personal => "personal",
            Kind::Other => "other",
        }
    }

    pub fn parse(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Employer => "Works at the entrant organisation",
            Kind::FormerEmployer => "Worked at the entrant organisation",
            Kind::Collaborator => "Works with the entrants",
            Kind::Personal => "A personal relationship",
            Kind::Other => "Another reason",
        }
    }
}

/// What the network knows about a judge.
#[derive(Clone, Debug, Default)]
pub struct JudgeFacts {
    pub user_id: String,
    /// The organisation they work at now, if they are a member.
    pub organisation: Option<String>,
    /// Organisations they worked at before, from their membership history (employer changes).
    pub former_organisations: Vec<String>,
    /// Groups they coordinate.
    pub coordinates: Vec<String>,
}

/// What the network knows about an entry.
#[derive(Clone, Debug, Default)]
pub struct EntryFacts {
    pub organisation: String,
    /// The people on the entry: its author (for an entry through the public form, the account with its
    /// entrant's address).
    pub people: Vec<String>,
    /// Groups the entry's people coordinate.
    pub coordinated_by_entrants: Vec<String>,
}

/// A conflict the network proposes, with why, in words a judge and an organiser read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposed {
    pub kind: Kind,
    pub why: String,
}

/// The conflicts the facts propose between a judge and an entry.
pub fn propose(judge: &JudgeFacts, entry: &EntryFacts) -> Vec<Proposed> {
    let mut found = Vec::new();
    if judge.organisation.as_deref() == Some(entry.organisation.as_str()) {
        found.push(Proposed { kind: Kind::Employer, why: "The judge works at the entrant organisation.".into() });
    }
    if judge.former_organisations.contains(&entry.organisation)
        && judge.organisation.as_deref() != Some(&entry.organisation)
    {
        found.push(Proposed {
            kind: Kind::FormerEmployer,
            why: "The judge worked at the entrant organisation (membership history).".into(),
        });
    }
    if entry.people.contains(&judge.user_id) {
        found.push(Proposed { kind: Kind::Collaborator, why: "The judge is named on the entry.".into() });
    }
    if judge.coordinates.iter().any(|g| entry.coordinated_by_entrants.contains(g)) {
        found.push(Proposed {
            kind: Kind::Collaborator,
            why: "The judge coordinates a group with someone named on the entry.".into(),
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge() -> JudgeFacts {
        JudgeFacts {
            user_id: "judge".into(),
            organisation: Some("now".into()),
            former_organisations: vec!["before".into()],
            coordinates: vec!["north-west".into()],
        }
    }

    fn entry(org: &str) -> EntryFacts {
        EntryFacts { organisation: org.into(), people: vec!["author".into()], coordinated_by_entrants: Vec::new() }
    }

    #[test]
    fn a_judge_conflicts_with_their_employer_now_and_before() {
        assert_eq!(propose(&judge(), &entry("now"))[0].kind, Kind::Employer);
        assert_eq!(propose(&judge(), &entry("before"))[0].kind, Kind::FormerEmployer);
        assert!(propose(&judge(), &entry("elsewhere")).is_empty());
    }

    #[test]
    fn being_named_on_the_entry_or_coordinating_with_its_people_is_a_conflict() {
        let mut e = entry("elsewhere");
        e.people.push("judge".into());
        assert_eq!(propose(&judge(), &e).len(), 1);
        let mut e = entry("elsewhere");
        e.coordinated_by_entrants.push("north-west".into());
        assert_eq!(propose(&judge(), &e)[0].kind, Kind::Collaborator);
    }

    #[test]
    fn an_outside_judge_with_no_history_has_none() {
        let outside = JudgeFacts { user_id: "x".into(), ..JudgeFacts::default() };
        assert!(propose(&outside, &entry("now")).is_empty());
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.key()), Some(k));
        }
        assert_eq!(Kind::parse("friend"), None);
    }
}
