//! `data/summary.json`: the figures a site publishes for the level above, and the contract
//! between a member site and its roll-up (`docs/summary.schema.json`, `docs/rollup.md`).
//! Counts only, never rates: a rate of a sum is not the sum of rates, so whoever adds
//! summaries up recomputes rates from the counts. Everything here is already public on the
//! site that wrote it; the leak guard scans the file like every other output.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aggregate::Counts;

/// The value of `format` in every summary file.
pub(crate) const FORMAT: &str = "hongguanjia-summary";
/// The version this program writes and reads.
pub(crate) const VERSION: u64 = 1;

/// One site's (or roll-up's) published figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct SummaryFile {
    pub format: String,
    pub version: u64,
    /// The site's name, as its roll-up lists it (府山街道, 柯城区…).
    pub name: String,
    /// 街道, 区县, 市, 省 or whatever the site wrote.
    pub level: String,
    pub title: String,
    pub url: String,
    /// First and last month with records, `YYYY-MM`.
    pub period: Period,
    /// The latest date of any record, `YYYY-MM-DD`.
    pub as_of: Option<String>,
    pub stewards: u64,
    pub communities: u64,
    /// Sum of 楼幢数 over the communities that give it.
    #[serde(default)]
    pub buildings: u64,
    pub buildings_covered: u64,
    /// Buildings covered in the communities that give 楼幢数: the coverage rate's numerator.
    #[serde(default)]
    pub buildings_covered_counted: u64,
    pub households_visited: u64,
    pub visits: u64,
    pub cases: u64,
    pub resolved: u64,
    pub errands: u64,
    pub meetings: u64,
    #[serde(default)]
    pub door_knocking_households: u64,
    pub commended: u64,
    pub by_membership: BTreeMap<String, u64>,
    pub by_month: BTreeMap<String, Counts>,
    pub by_category: Vec<CategoryCount>,
    /// A site's communities by id; empty in a roll-up.
    #[serde(default)]
    pub by_community: BTreeMap<String, CommunityCount>,
    /// A roll-up's members, in the order its `site.toml` lists them; empty in a site.
    #[serde(default)]
    pub members: Vec<MemberCount>,
    /// Commended stewards as the site publishes them (masked names stay masked).
    #[serde(default)]
    pub commended_stewards: Vec<CommendedSteward>,
}

/// First and last month with records.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Period {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Cases of one category.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct CategoryCount {
    pub category: String,
    pub cases: u64,
    pub resolved: u64,
}

/// One community's counts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct CommunityCount {
    pub id: String,
    pub name: String,
    pub party_org: Option<String>,
    pub grids: Option<u32>,
    pub buildings: Option<u32>,
    pub households: Option<u32>,
    pub stewards: u64,
    pub buildings_covered: u64,
    pub households_visited: u64,
    pub visits: u64,
    pub cases: u64,
    pub resolved: u64,
    pub errands: u64,
    pub meetings: u64,
    pub commended: u64,
    pub by_month: BTreeMap<String, Counts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdistrict: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
}

/// Headline counts of a group of communities: a member of a roll-up, or a subdistrict of
/// a site with several. Both are sums of the same community counts, added up here only.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Headline {
    pub stewards: u64,
    pub communities: u64,
    pub buildings: u64,
    pub buildings_covered: u64,
    pub buildings_covered_counted: u64,
    pub households_visited: u64,
    pub visits: u64,
    pub cases: u64,
    pub resolved: u64,
    pub errands: u64,
    pub meetings: u64,
    pub commended: u64,
}

impl Headline {
    /// Adds one community's counts: its 楼幢数 counts for coverage only when given.
    pub(crate) fn add_community(&mut self, c: &CommunityCount) {
        self.communities += 1;
        self.stewards += c.stewards;
        if let Some(b) = c.buildings {
            self.buildings += u64::from(b);
            self.buildings_covered_counted += c.buildings_covered;
        }
        self.buildings_covered += c.buildings_covered;
        self.households_visited += c.households_visited;
        self.visits += c.visits;
        self.cases += c.cases;
        self.resolved += c.resolved;
        self.errands += c.errands;
        self.meetings += c.meetings;
        self.commended += c.commended;
    }
}

/// The rates a reader compares, always recomputed from counts (a rate of a sum is not the
/// sum of rates).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub(crate) struct Rates {
    /// Buildings covered over 楼幢数, where communities give it.
    pub coverage_rate: Option<f64>,
    pub resolution_rate: f64,
    pub households_per_steward: f64,
}

impl Rates {
    pub(crate) fn of(h: &Headline) -> Rates {
        Rates {
            coverage_rate: (h.buildings > 0)
                .then(|| crate::aggregate::rate(h.buildings_covered_counted, h.buildings)),
            resolution_rate: crate::aggregate::rate(h.resolved, h.cases),
            households_per_steward: if h.stewards == 0 {
                0.0
            } else {
                h.households_visited as f64 / h.stewards as f64
            },
        }
    }
}

/// One member's headline counts, in a roll-up's summary.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct MemberCount {
    pub name: String,
    pub level: String,
    pub url: Option<String>,
    #[serde(flatten)]
    pub counts: Headline,
}

/// A commended steward as published.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct CommendedSteward {
    pub name: String,
    pub community: String,
    /// The batch's title.
    pub batch: String,
    pub date: Option<String>,
    /// The steward's page, absolute, when the site has one for them.
    pub url: Option<String>,
    /// Which member published them, for stewards passed up through roll-ups.
    #[serde(default)]
    pub member: Option<String>,
}

impl SummaryFile {
    /// This summary's headline counts.
    pub(crate) fn headline(&self) -> Headline {
        Headline {
            stewards: self.stewards,
            communities: self.communities,
            buildings: self.buildings,
            buildings_covered: self.buildings_covered,
            buildings_covered_counted: self.buildings_covered_counted,
            households_visited: self.households_visited,
            visits: self.visits,
            cases: self.cases,
            resolved: self.resolved,
            errands: self.errands,
            meetings: self.meetings,
            commended: self.commended,
        }
    }

    /// This summary's headline counts as a row of its roll-up.
    pub(crate) fn as_member(&self, name: &str, level: &str, url: Option<String>) -> MemberCount {
        MemberCount {
            name: name.to_string(),
            level: level.to_string(),
            url,
            counts: self.headline(),
        }
    }
}

/// First and last month of a monthly series.
pub(crate) fn period_of<V>(months: &BTreeMap<String, V>) -> Period {
    Period {
        from: months.keys().next().cloned(),
        to: months.keys().next_back().cloned(),
    }
}

/// Adds `b` into `a`, field by field.
pub(crate) fn add_counts(a: &mut Counts, b: &Counts) {
    a.households_visited += b.households_visited;
    a.visits += b.visits;
    a.cases += b.cases;
    a.resolved += b.resolved;
    a.errands += b.errands;
    a.meetings += b.meetings;
    a.door_knocking_households += b.door_knocking_households;
}

/// Categories largest first, then by name, as sites list them.
pub(crate) fn sort_categories(list: &mut [CategoryCount]) {
    list.sort_by(|a, b| {
        b.cases
            .cmp(&a.cases)
            .then_with(|| a.category.cmp(&b.category))
    });
}
