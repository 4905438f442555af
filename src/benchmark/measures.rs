//! The outcome measures an organisation may record beside an assessment (DOMAIN.md, "Outcome measures"), each
//! with its unit and the values it can take. Optional: a measure left empty is simply not recorded.

pub struct Measure {
    pub key: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
}

pub const MEASURES: [Measure; 10] = [
    Measure { key: "desk_ratio", name: "Desk ratio", unit: "desks per person", min: 0.0, max: 5.0 },
    Measure { key: "space_per_fte", name: "Space per FTE", unit: "m² per FTE", min: 0.0, max: 100.0 },
    Measure {
        key: "peak_attendance",
        name: "Peak attendance",
        unit: "% of desks used on the busiest day",
        min: 0.0,
        max: 100.0,
    },
    Measure {
        key: "average_attendance",
        name: "Average attendance",
        unit: "% of desks used on an average day",
        min: 0.0,
        max: 100.0,
    },
    Measure {
        key: "property_cost_per_fte",
        name: "Property cost per FTE",
        unit: "£ per FTE per year",
        min: 0.0,
        max: 100_000.0,
    },
    Measure { key: "sickness_absence", name: "Sickness absence", unit: "days per FTE per year", min: 0.0, max: 365.0 },
    Measure {
        key: "retention",
        name: "Retention",
        unit: "% of staff still employed after 12 months",
        min: 0.0,
        max: 100.0,
    },
    Measure { key: "engagement", name: "Engagement", unit: "% favourable in the staff survey", min: 0.0, max: 100.0 },
    Measure {
        key: "commuting_miles_avoided",
        name: "Commuting miles avoided",
        unit: "miles per FTE per year",
        min: 0.0,
        max: 100_000.0,
    },
    Measure {
        key: "self_rated_productivity",
        name: "Self-rated productivity",
        unit: "% saying they are as or more productive",
        min: 0.0,
        max: 100.0,
    },
];

pub fn named(key: &str) -> Option<&'static Measure> {
    MEASURES.iter().find(|m| m.key == key)
}
