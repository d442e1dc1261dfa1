//! Step 3 of the pipeline: fold validated records into the programme's figures as they
//! stream past, so no kind of record has to be held whole.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::model::{Batch, Case, CaseStatus, Date, Errand, Meeting, Visit, VisitKind};
use crate::validate::Registry;

/// Activity counts, the same for the site, a community, a steward or a month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Households visited (走访户数).
    pub households_visited: u64,
    /// Visit records (走访次数).
    pub visits: u64,
    /// Cases raised (民情事项).
    pub cases: u64,
    /// Cases resolved (已解决).
    pub resolved: u64,
    /// Errands run for residents (代办事项).
    pub errands: u64,
    /// Council meetings (议事会).
    pub meetings: u64,
    /// Households visited on door-knocking days (敲门日), a part of `households_visited`.
    pub door_knocking_households: u64,
}

/// Months as `year * 12 + month - 1`, so that ranges are easy to fill.
pub(crate) type MonthIndex = u32;

fn month_index(d: Date) -> MonthIndex {
    u32::from(d.year) * 12 + u32::from(d.month) - 1
}

pub(crate) fn month_key(m: MonthIndex) -> String {
    format!("{:04}-{:02}", m / 12, m % 12 + 1)
}

#[derive(Debug, Clone, Default)]
pub(crate) struct CategoryCounts {
    pub cases: u64,
    pub resolved: u64,
}

impl Figures {
    /// Case categories renamed (a resident's name typed into one is masked once every
    /// name is known); two that are renamed alike are added up.
    pub(crate) fn rename_categories(&mut self, rename: &dyn Fn(&str) -> Option<String>) {
        let maps = std::iter::once(&mut self.by_category).chain(&mut self.community_categories);
        for categories in maps {
            if categories.keys().all(|k| rename(k).is_none()) {
                continue;
            }
            for (key, counts) in std::mem::take(categories) {
                let key = rename(&key).unwrap_or(key);
                let entry = categories.entry(key).or_default();
                entry.cases += counts.cases;
                entry.resolved += counts.resolved;
            }
        }
    }
}

/// Everything the pages and data files show, computed once.
#[derive(Debug, Default)]
pub(crate) struct Figures {
    pub site: Counts,
    pub by_community: Vec<Counts>,
    pub by_steward: Vec<Counts>,
    pub by_month: BTreeMap<MonthIndex, Counts>,
    pub community_months: Vec<BTreeMap<MonthIndex, Counts>>,
    pub steward_months: Vec<BTreeMap<MonthIndex, Counts>>,
    pub by_category: BTreeMap<String, CategoryCounts>,
    pub community_categories: Vec<BTreeMap<String, CategoryCounts>>,
    pub buildings_covered: u64,
    pub community_buildings_covered: Vec<u64>,
    pub commended: u64,
    pub community_commended: Vec<u64>,
    /// Batches each steward was commended in, by batch index.
    pub steward_batches: Vec<Vec<usize>>,
    /// The latest date of any record of work (commendations are not): the figures are
    /// "as of" this day.
    pub as_of: Option<Date>,
}

/// Folds records into [`Figures`].
pub(crate) struct Aggregator<'r> {
    registry: &'r Registry,
    figures: Figures,
    /// The months of the site and each community while records stream past, made into
    /// the maps of [`Figures`] by `finish` (see [`Months`]).
    by_month: Months,
    community_months: Vec<Months>,
    /// Each steward's community, counts and months side by side: every record touches
    /// all three of a steward picked at random among tens of thousands, so that is one
    /// place in memory to fetch rather than three.
    stewards: Vec<StewardTally>,
}

#[derive(Debug, Default, Clone)]
struct StewardTally {
    /// A steward's whole record is far larger than this.
    community: u32,
    counts: Counts,
    months: Months,
}

/// One site's, community's or steward's months, in order. Records come mostly in date
/// order (files by month), so the month wanted is nearly always the last one: a city's
/// millions of records find it without searching a tree three times each.
#[derive(Debug, Default, Clone)]
struct Months(Vec<(MonthIndex, Counts)>);

impl Months {
    fn at(&mut self, m: MonthIndex) -> &mut Counts {
        let i = match self.0.last() {
            Some(&(last, _)) if last == m => self.0.len() - 1,
            Some(&(last, _)) if last < m => {
                self.0.push((m, Counts::default()));
                self.0.len() - 1
            }
            _ => match self.0.binary_search_by_key(&m, |e| e.0) {
                Ok(i) => i,
                Err(i) => {
                    self.0.insert(i, (m, Counts::default()));
                    i
                }
            },
        };
        &mut self.0[i].1
    }

    fn into_map(self) -> BTreeMap<MonthIndex, Counts> {
        self.0.into_iter().collect()
    }
}

impl<'r> Aggregator<'r> {
    pub(crate) fn new(registry: &'r Registry) -> Self {
        let nc = registry.communities.len();
        let ns = registry.stewards.len();
        let mut figures = Figures {
            by_community: vec![Counts::default(); nc],
            community_categories: vec![BTreeMap::new(); nc],
            community_buildings_covered: vec![0; nc],
            community_commended: vec![0; nc],
            steward_batches: vec![Vec::new(); ns],
            ..Figures::default()
        };
        let mut buildings: HashSet<(usize, &str)> = HashSet::new();
        for s in &registry.stewards {
            for b in &s.buildings {
                if buildings.insert((s.community, b.as_str())) {
                    figures.community_buildings_covered[s.community] += 1;
                }
            }
            if let Some(j) = s.joined {
                figures.as_of = crate::validate::later(figures.as_of, j);
            }
        }
        figures.buildings_covered = buildings.len() as u64;
        let stewards = registry
            .stewards
            .iter()
            .map(|s| StewardTally {
                community: u32::try_from(s.community).unwrap_or(u32::MAX),
                ..StewardTally::default()
            })
            .collect();
        Aggregator {
            registry,
            figures,
            by_month: Months::default(),
            community_months: vec![Months::default(); nc],
            stewards,
        }
    }

    /// Applies `add` to the site, the steward's community, the steward and their months.
    fn count(&mut self, steward: usize, date: Date, add: impl Fn(&mut Counts)) {
        let f = &mut self.figures;
        let tally = &mut self.stewards[steward];
        let community = tally.community as usize;
        let m = month_index(date);
        add(&mut f.site);
        add(&mut f.by_community[community]);
        add(&mut tally.counts);
        add(tally.months.at(m));
        add(self.by_month.at(m));
        add(self.community_months[community].at(m));
        f.as_of = crate::validate::later(f.as_of, date);
    }

    pub(crate) fn add_visit(&mut self, v: &Visit) {
        let h = u64::from(v.households);
        let knock = if v.kind == VisitKind::DoorKnocking {
            h
        } else {
            0
        };
        self.count(v.steward, v.date, |c| {
            c.visits += 1;
            c.households_visited += h;
            c.door_knocking_households += knock;
        });
    }

    pub(crate) fn add_case(&mut self, c: &Case) {
        self.count(c.steward, c.date, |n| n.cases += 1);
        let community = self.stewards[c.steward].community as usize;
        let resolved = c.status == CaseStatus::Resolved;
        for table in [
            &mut self.figures.by_category,
            &mut self.figures.community_categories[community],
        ] {
            // A handful of categories among half a million cases: copied once each.
            let entry = match table.get_mut(&c.category) {
                Some(entry) => entry,
                None => table.entry(c.category.clone()).or_default(),
            };
            entry.cases += 1;
            entry.resolved += u64::from(resolved);
        }
        if resolved {
            // Counted in the month it was resolved, so monthly figures show work done.
            let when = c.resolved.unwrap_or(c.date);
            self.count(c.steward, when, |n| n.resolved += 1);
        }
    }

    pub(crate) fn add_errand(&mut self, e: &Errand) {
        self.count(e.steward, e.date, |c| c.errands += 1);
    }

    pub(crate) fn add_meeting(&mut self, m: &Meeting) {
        let f = &mut self.figures;
        let month = month_index(m.date);
        f.site.meetings += 1;
        f.by_community[m.community].meetings += 1;
        self.by_month.at(month).meetings += 1;
        self.community_months[m.community].at(month).meetings += 1;
        for &s in &m.attendees {
            let tally = &mut self.stewards[s];
            tally.counts.meetings += 1;
            tally.months.at(month).meetings += 1;
        }
        f.as_of = crate::validate::later(f.as_of, m.date);
    }

    pub(crate) fn add_batches(&mut self, batches: &[Batch]) {
        let f = &mut self.figures;
        // A batch's date is when the work was judged, not a day of work: the figures are
        // as of the last record (a new site's example batch, dated the day of `init`,
        // would otherwise date the office's own records).
        for (bi, batch) in batches.iter().enumerate() {
            for &s in &batch.stewards {
                if f.steward_batches[s].is_empty() {
                    f.commended += 1;
                    f.community_commended[self.registry.stewards[s].community] += 1;
                }
                f.steward_batches[s].push(bi);
            }
        }
    }

    pub(crate) fn finish(mut self) -> Figures {
        self.figures.by_month = self.by_month.into_map();
        // One steward at a time, so that the tallies and the maps are never both whole.
        self.figures.community_months = self
            .community_months
            .into_iter()
            .map(Months::into_map)
            .collect();
        (self.figures.by_steward, self.figures.steward_months) = self
            .stewards
            .into_iter()
            .map(|t| (t.counts, t.months.into_map()))
            .unzip();
        // Charts and tables want every month of the period, including quiet ones.
        fill_months(&mut self.figures.by_month, None);
        let range = bounds(&self.figures.by_month);
        for months in &mut self.figures.community_months {
            fill_months(months, range);
        }
        self.figures
    }
}

fn bounds(months: &BTreeMap<MonthIndex, Counts>) -> Option<(MonthIndex, MonthIndex)> {
    Some((*months.keys().next()?, *months.keys().next_back()?))
}

fn fill_months(months: &mut BTreeMap<MonthIndex, Counts>, range: Option<(MonthIndex, MonthIndex)>) {
    let Some((first, last)) = range.or_else(|| bounds(months)) else {
        return;
    };
    for m in first..=last {
        months.entry(m).or_default();
    }
}

/// `resolved / cases`, rounded to four places so that the JSON is stable and readable.
pub(crate) fn rate(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 / whole as f64 * 10_000.0).round() / 10_000.0
}

/// Ten-year age bands, `(label, stewards)`, from birth years and the year the figures are
/// as of; bands between the youngest and the oldest are all listed, empty ones too. None
/// when no steward has a usable birth year.
pub fn age_bands(
    birth_years: impl IntoIterator<Item = u16>,
    as_of_year: u16,
) -> Option<Vec<(String, u64)>> {
    let mut counts: std::collections::BTreeMap<u16, u64> = std::collections::BTreeMap::new();
    for y in birth_years {
        let Some(age) = as_of_year.checked_sub(y) else {
            continue;
        };
        if !(10..=120).contains(&age) {
            continue;
        }
        *counts.entry(age / 10 * 10).or_default() += 1;
    }
    let (first, last) = (*counts.keys().next()?, *counts.keys().next_back()?);
    Some(
        (first..=last)
            .step_by(10)
            .map(|b| {
                (
                    format!("{}–{}岁", b, b + 9),
                    counts.get(&b).copied().unwrap_or(0),
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_tallied_in_any_order_make_the_map_a_tree_makes() {
        // Mostly in order, as files by month give them, with records of earlier months
        // (a case resolved later, a late file) in between.
        let months = [
            24_217, 24_217, 24_218, 24_216, 24_220, 24_218, 24_210, 24_221, 24_210,
        ];
        let mut tally = Months::default();
        let mut tree: BTreeMap<MonthIndex, Counts> = BTreeMap::new();
        for (n, m) in months.into_iter().enumerate() {
            tally.at(m).visits += 1;
            tally.at(m).households_visited += n as u64;
            let entry = tree.entry(m).or_default();
            entry.visits += 1;
            entry.households_visited += n as u64;
        }
        assert_eq!(tally.into_map(), tree);
    }
}
