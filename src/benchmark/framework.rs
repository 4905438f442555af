//! The framework's first version, in the network's own words (the code of practice's text is copyrighted):
//! eight dimensions, four questions each, five level descriptors per question (DOMAIN.md's maturity levels,
//! 1 reactive to 5 flexibility as normal). Organisers edit a draft and publish later versions; this is what the
//! network starts with.

/// The five maturity levels, 1 to 5.
pub const LEVELS: [&str; 5] =
    ["Reactive", "Isolated initiatives", "Established", "Integrated", "Flexibility as normal"];

pub struct Question {
    pub key: &'static str,
    pub text: &'static str,
    /// What each level looks like, 1 to 5.
    pub levels: [&'static str; 5],
}

pub struct Dimension {
    pub key: &'static str,
    pub name: &'static str,
    pub questions: &'static [Question],
}

pub const FIRST_VERSION: [Dimension; 8] = [
    Dimension {
        key: "vision",
        name: "Vision, strategy and business case",
        questions: &[
            Question {
                key: "vision-purpose",
                text: "Is there a stated purpose for Smart Working that people across the organisation would recognise?",
                levels: [
                    "No stated purpose; flexibility is decided case by case.",
                    "A purpose exists in one function's plans (HR or property) only.",
                    "A published purpose, endorsed by the leadership team.",
                    "The purpose is part of the corporate strategy, with outcomes for people, customers and cost.",
                    "The purpose is lived: leaders refer to it in decisions, and it is reviewed with staff each year.",
                ],
            },
            Question {
                key: "vision-case",
                text: "How well is the business case for Smart Working made and kept up to date?",
                levels: [
                    "No business case.",
                    "A case for one project (a building move, a new system).",
                    "A business case with costs and benefits, signed off.",
                    "Benefits tracked against the case, across property, people and technology.",
                    "Realised benefits reported and reinvested; the case is updated as evidence arrives.",
                ],
            },
            Question {
                key: "vision-sponsorship",
                text: "Who sponsors Smart Working at the top of the organisation?",
                levels: [
                    "No sponsor.",
                    "A sponsor in one function, without board attention.",
                    "A named board-level sponsor.",
                    "A sponsor with a cross-functional programme board.",
                    "Leaders at every level champion it; sponsorship no longer depends on one person.",
                ],
            },
            Question {
                key: "vision-engagement",
                text: "How far were staff and their representatives involved in shaping the approach?",
                levels: [
                    "Not involved.",
                    "Informed after decisions were made.",
                    "Consulted through surveys or forums.",
                    "Co-designed with staff networks and representatives.",
                    "Staff shape it continuously; their ideas change policy.",
                ],
            },
        ],
    },
    Dimension {
        key: "leadership",
        name: "Leadership and management",
        questions: &[
            Question {
                key: "leadership-results",
                text: "How are people's performance and contribution judged?",
                levels: [
                    "By presence and hours seen.",
                    "By results in some teams, by presence in most.",
                    "Objectives and results are the stated basis, with some lapses.",
                    "Managers are trained and checked on managing by results.",
                    "Managing by results is the norm; presence plays no part in judging performance.",
                ],
            },
            Question {
                key: "leadership-managers",
                text: "How are managers prepared to lead teams that work in different places and at different times?",
                levels: [
                    "No preparation.",
                    "Optional guidance on the intranet.",
                    "Training offered to all managers.",
                    "Training, coaching and peer support, with a conversation guide in use.",
                    "Managers lead by example and coach each other; new managers are prepared from day one.",
                ],
            },
            Question {
                key: "leadership-trust",
                text: "How much do leaders trust people to choose where and when they work?",
                levels: [
                    "Permission is needed for any change.",
                    "Trust is given to some grades or teams.",
                    "Trust is the stated default, within a policy.",
                    "Trust is the default, and leaders challenge presenteeism.",
                    "Trust is unremarkable: choices are made in teams and respected.",
                ],
            },
            Question {
                key: "leadership-example",
                text: "Do senior leaders work flexibly themselves, visibly?",
                levels: [
                    "No, and it is discouraged.",
                    "A few, quietly.",
                    "Most, and they say so.",
                    "Leaders share their own patterns and the trade-offs they make.",
                    "Leaders' flexibility is visible and varied, and includes senior part-time and job-share roles.",
                ],
            },
        ],
    },
    Dimension {
        key: "people",
        name: "People, HR policy and culture",
        questions: &[
            Question {
                key: "people-policy",
                text: "What does the flexible working policy cover?",
                levels: [
                    "Only the statutory request process.",
                    "Home working for some roles, as a perk.",
                    "A Smart Working policy covering place, time and contract.",
                    "Policy, guidance and templates (team agreements, trials) used together.",
                    "Flexibility is designed into roles from the advert onwards.",
                ],
            },
            Question {
                key: "people-recruitment",
                text: "Are jobs advertised with the flexibility they can offer?",
                levels: [
                    "Never.",
                    "Occasionally, on request.",
                    "Most adverts say what flexibility is possible.",
                    "All adverts do, and the offer is checked at interview.",
                    "Flexibility is part of job design and reported in recruitment figures.",
                ],
            },
            Question {
                key: "people-requests",
                text: "How are requests to change a working pattern handled?",
                levels: [
                    "Slowly, with refusals common and reasons unclear.",
                    "Within the law, decided by each manager alone.",
                    "Within the law, with guidance and a consistent record.",
                    "Trials are common; decisions are reviewed for fairness across teams.",
                    "Most changes are agreed in teams without a formal request.",
                ],
            },
            Question {
                key: "people-culture",
                text: "How would staff describe the culture around flexible work?",
                levels: [
                    "Flexibility is seen as a favour, and its users as less committed.",
                    "Accepted in some teams, resented in others.",
                    "Broadly accepted; surveys show most feel able to use it.",
                    "Valued; surveys show no gap in career progress for those who use it.",
                    "Part of the organisation's identity; people join for it.",
                ],
            },
        ],
    },
    Dimension {
        key: "teams",
        name: "Work patterns and team practice",
        questions: &[
            Question {
                key: "teams-activities",
                text: "How are decisions on where and when work is done made?",
                levels: [
                    "By role or grade, the same for everyone in it.",
                    "By role, with exceptions for individuals.",
                    "By team, with some thought to the work.",
                    "By activity: teams plan where and when each kind of work is best done.",
                    "Activity-based planning is routine and revisited as the work changes.",
                ],
            },
            Question {
                key: "teams-agreements",
                text: "Do teams have agreements on how they work together?",
                levels: [
                    "None.",
                    "A few teams have informal rules.",
                    "Many teams have written agreements.",
                    "Most teams have agreements, reviewed regularly and when people join.",
                    "Every team has a living agreement, and they share what works.",
                ],
            },
            Question {
                key: "teams-trials",
                text: "Are new patterns tried before they are fixed?",
                levels: [
                    "No: a change is granted or refused outright.",
                    "Sometimes, informally.",
                    "Trials are offered, with review dates.",
                    "Trials have criteria, a baseline and check-ins; issues are examined for their cause.",
                    "Trials are the normal way to change a pattern, and their lessons are shared.",
                ],
            },
            Question {
                key: "teams-meetings",
                text: "How are meetings run when people are in different places?",
                levels: [
                    "Those not in the room struggle to take part.",
                    "Some rooms have equipment; practice varies.",
                    "Hybrid meeting guidance and equipment in most rooms.",
                    "Everyone joins on equal terms; fewer, better meetings.",
                    "Asynchronous first; meetings are for what needs them.",
                ],
            },
        ],
    },
    Dimension {
        key: "workplace",
        name: "Workplace and property",
        questions: &[
            Question {
                key: "workplace-design",
                text: "Is the workplace designed for the activities done there?",
                levels: [
                    "Rows of assigned desks, as before.",
                    "Some shared desks and meeting rooms added.",
                    "A mix of settings for focus, collaboration and meeting.",
                    "Settings designed from measured activities and attendance.",
                    "The workplace is adjusted continuously from use data and staff feedback.",
                ],
            },
            Question {
                key: "workplace-utilisation",
                text: "Is the use of space measured?",
                levels: [
                    "Not measured.",
                    "Occasional counts for one building.",
                    "Regular studies of occupancy.",
                    "Continuous measurement informing decisions on the estate.",
                    "Space, cost and carbon tracked together and published.",
                ],
            },
            Question {
                key: "workplace-estate",
                text: "Has Smart Working changed the size and shape of the estate?",
                levels: [
                    "No change planned.",
                    "Discussed, not planned.",
                    "Plans to release or repurpose space.",
                    "Space released or repurposed, with savings reinvested.",
                    "The estate is planned around Smart Working, including shared and local hubs.",
                ],
            },
            Question {
                key: "workplace-booking",
                text: "How do people find a place to work when they come in?",
                levels: [
                    "They may not find one.",
                    "First come, first served.",
                    "A booking system for desks and rooms.",
                    "Booking linked to team anchor days and neighbourhoods.",
                    "People find the right setting with ease, and the data shapes the space.",
                ],
            },
        ],
    },
    Dimension {
        key: "technology",
        name: "Technology, information and process",
        questions: &[
            Question {
                key: "technology-access",
                text: "Can people reach the systems and information they need from anywhere?",
                levels: [
                    "Mostly only in the office.",
                    "Email and some systems remotely.",
                    "Most systems work remotely and securely.",
                    "All systems work remotely; exceptions are known and being fixed.",
                    "Work is location-independent by design.",
                ],
            },
            Question {
                key: "technology-paper",
                text: "How dependent are processes on paper and on being in a place?",
                levels: [
                    "Heavily.",
                    "Some processes are digital.",
                    "Most are digital; paper is the exception.",
                    "Processes are redesigned end to end for digital working.",
                    "Paper-free by default, and processes are reviewed for where they need people.",
                ],
            },
            Question {
                key: "technology-collaboration",
                text: "Do people have good tools for working together apart?",
                levels: [
                    "Email and phone only.",
                    "Video calls, with mixed quality.",
                    "A standard set of tools for meeting, chat and shared documents.",
                    "Tools used well, with guidance on which tool for what.",
                    "Tools and practice are refined from how teams actually work.",
                ],
            },
            Question {
                key: "technology-support",
                text: "How are people supported with technology wherever they work?",
                levels: [
                    "Only in the office.",
                    "Remote help for some issues.",
                    "Support available remotely during working hours.",
                    "Support and equipment (including for home) provided consistently.",
                    "Support is proactive and measured against staff experience.",
                ],
            },
        ],
    },
    Dimension {
        key: "wellbeing",
        name: "Wellbeing, inclusion and sustainability",
        questions: &[
            Question {
                key: "wellbeing-boundaries",
                text: "How are overwork and the right to switch off handled?",
                levels: [
                    "Not considered.",
                    "Left to individuals.",
                    "Guidance on boundaries and working hours.",
                    "Teams agree boundaries; workload is monitored.",
                    "Healthy patterns are the norm, with evidence from wellbeing measures.",
                ],
            },
            Question {
                key: "wellbeing-fairness",
                text: "Is flexibility fairly available, including to frontline and lower-paid roles?",
                levels: [
                    "Only to some office-based roles.",
                    "Mostly office-based roles.",
                    "Options for most roles, including time-based flexibility.",
                    "Access measured across grades, roles and groups, and gaps addressed.",
                    "Equivalent flexibility across the workforce, shown by the figures.",
                ],
            },
            Question {
                key: "wellbeing-home",
                text: "Are people working at home supported to do so safely and well?",
                levels: [
                    "No support.",
                    "Advice on request.",
                    "Self-assessment and basic equipment.",
                    "Assessment, equipment and checks on isolation and wellbeing.",
                    "Support adapts to each person's circumstances and is reviewed.",
                ],
            },
            Question {
                key: "wellbeing-carbon",
                text: "Are the environmental effects of Smart Working measured?",
                levels: [
                    "Not at all.",
                    "Travel is estimated once.",
                    "Commuting and business travel avoided are estimated each year.",
                    "Travel, energy and space measured together against targets.",
                    "Results are reported publicly and drive further change.",
                ],
            },
        ],
    },
    Dimension {
        key: "improvement",
        name: "Implementation, measurement and improvement",
        questions: &[
            Question {
                key: "improvement-baseline",
                text: "Was a baseline taken before changes were made?",
                levels: [
                    "No.",
                    "For one measure.",
                    "For the main measures (people, space, cost).",
                    "A full baseline across the programme's outcomes.",
                    "Baselines are kept for each change, so effects can be shown.",
                ],
            },
            Question {
                key: "improvement-measures",
                text: "Which outcomes are tracked?",
                levels: [
                    "None.",
                    "One or two, occasionally.",
                    "People, space and cost measures each year.",
                    "A balanced set with targets, reviewed by the programme board.",
                    "Outcomes tracked continuously and used to decide what to do next.",
                ],
            },
            Question {
                key: "improvement-learning",
                text: "How does the organisation learn from what it tries?",
                levels: [
                    "It does not.",
                    "Lessons are noted in one project.",
                    "Reviews after each phase.",
                    "A regular cycle of review and improvement.",
                    "It learns continuously and shares its practice outside the organisation.",
                ],
            },
            Question {
                key: "improvement-sharing",
                text: "Does the organisation share and compare its practice with others?",
                levels: [
                    "No.",
                    "Informally, now and then.",
                    "Takes part in networks and benchmarks.",
                    "Benchmarks regularly and acts on the comparison.",
                    "Recognised as a source of practice others learn from.",
                ],
            },
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_version_is_complete() {
        let mut keys = std::collections::BTreeSet::new();
        for d in &FIRST_VERSION {
            assert!((4..=6).contains(&d.questions.len()), "{}", d.name);
            for q in d.questions {
                assert!(keys.insert(q.key), "{} is used twice", q.key);
                assert!(q.levels.iter().all(|l| !l.trim().is_empty()), "{}", q.key);
            }
        }
        assert_eq!(keys.len(), 32);
    }
}
