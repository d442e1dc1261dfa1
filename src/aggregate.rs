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

impl Figures {
    /// The stewards commended in each batch, by community and by steward.
    pub(crate) fn add_batches(&mut self, batches: &[Batch], registry: &Registry) {
        // A batch's date is when the work was judged, not a day of work: the figures are
        // as of the last record (a new site's example batch, dated the day of `init`,
        // would otherwise date the office's own records).
        for (bi, batch) in batches.iter().enumerate() {
            for &s in &batch.stewards {
                if self.steward_batches[s].is_empty() {
                    self.commended += 1;
                    self.community_commended[registry.stewards[s].community] += 1;
                }
                self.steward_batches[s].push(bi);
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
    pub steward_months: StewardMonthly,
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

/// Each steward's months with a count, in order: the months of every steward in one
/// list, each steward's a stretch of it. A city's fifty thousand stewards each had a tree
/// of their own (some 100 MiB by the size of their nodes), built one month at a time at
/// the end of reading.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct StewardMonthly {
    /// Where each steward's months start in `months`, and where the last one's end.
    starts: Vec<usize>,
    months: Vec<(MonthIndex, Counts)>,
}

impl StewardMonthly {
    /// The months of steward `s` that have a count, in order.
    pub(crate) fn of(&self, s: usize) -> &[(MonthIndex, Counts)] {
        match (self.starts.get(s), self.starts.get(s + 1)) {
            (Some(&start), Some(&end)) => self.months.get(start..end).unwrap_or_default(),
            _ => &[],
        }
    }
}

/// Folds records into [`Figures`]: the roster's own figures at once, and the records'
/// [`Tally`] parts, counted on the threads that checked them, as they come.
pub(crate) struct Aggregator {
    figures: Figures,
    tally: Tally,
}

/// The records' counts: sums, and the latest date, so that tallies of any parts of the
/// records added in any order make the same figures. A city's millions of records are
/// counted on the threads that check them, each into its own tally, and the few tallies
/// are added up at the end; the thread that merges the parts in order only checks what
/// needs the order (a case id used twice).
///
/// A record is counted as soon as it is sound on its own. The checks made in order can
/// still reject it (a case whose id was used before, the records after a file that could
/// not be read on), but each of those is an error, and a site with an error has no
/// figures: a tally never has to take a record back.
///
/// Only the months of each steward and each community are counted; the site's, a
/// community's and a steward's totals and the site's months are their sums, made by
/// [`Aggregator::finish`]. A record then touches one place of the tens of thousands of
/// stewards' instead of three, in a table of the month's (see [`StewardMonths`]).
#[derive(Debug, Clone)]
pub(crate) struct Tally {
    /// Each steward's community, shared by every tally of the roster.
    community_of: std::sync::Arc<[u32]>,
    communities: usize,
    /// In month order. Records come mostly in date order (files by month), so the month
    /// wanted is nearly always the last one.
    months: Vec<MonthTally>,
    categories: Categories,
    as_of: Option<Date>,
}

/// Cases by category, for the site and each community. A case's category is looked up
/// once, by hash, among the handful a city has, instead of searched for in two ordered
/// maps by comparing texts; the ordered maps of [`Figures`] are made at the end.
#[derive(Debug, Clone, Default)]
struct Categories {
    /// Each category's number, in the order first counted.
    numbers: rustc_hash::FxHashMap<String, u32>,
    /// By number: the category and the site's counts of it.
    site: Vec<(String, CategoryCounts)>,
    /// By community and category number.
    communities: rustc_hash::FxHashMap<(u32, u32), CategoryCounts>,
}

impl Categories {
    fn add(&mut self, category: &str, community: u32, cases: u64, resolved: u64) {
        let number = match self.numbers.get(category) {
            Some(&n) => n,
            None => {
                // A handful of categories among half a million cases: copied once each.
                let n = u32::try_from(self.site.len()).unwrap_or(u32::MAX);
                self.numbers.insert(category.to_string(), n);
                self.site
                    .push((category.to_string(), CategoryCounts::default()));
                n
            }
        };
        for entry in [
            &mut self.site[number as usize].1,
            self.communities.entry((community, number)).or_default(),
        ] {
            entry.cases += cases;
            entry.resolved += resolved;
        }
    }

    fn absorb(&mut self, other: Categories) {
        for ((community, number), counts) in other.communities {
            let category = &other.site[number as usize].0;
            self.add(category, community, counts.cases, counts.resolved);
        }
    }

    /// The site's counts by category, and each of `communities` communities'.
    fn into_maps(
        self,
        communities: usize,
    ) -> (
        BTreeMap<String, CategoryCounts>,
        Vec<BTreeMap<String, CategoryCounts>>,
    ) {
        let mut by_community = vec![BTreeMap::new(); communities];
        for ((community, number), counts) in self.communities {
            let category = self.site[number as usize].0.clone();
            by_community[community as usize].insert(category, counts);
        }
        (self.site.into_iter().collect(), by_community)
    }
}

/// One month's counts of every community and steward.
#[derive(Debug, Clone)]
struct MonthTally {
    month: MonthIndex,
    communities: Box<[Counts]>,
    stewards: StewardMonths,
}

/// Stewards' counts of one month: a table by steward once many are counted, a map while
/// few are (the first rows of each file, read on the thread that looks for its header,
/// would otherwise make a table of every steward for a handful of records; see
/// [`TABLE_TENTHS`]). A table holds
/// the counts in 32 bits, half the memory of a city's tens of thousands of stewards a
/// month in each thread's tally, until one no longer fits: then the month's table takes
/// the full 64 bits, so that no count is ever cut.
#[derive(Debug, Clone)]
enum StewardMonths {
    Few(rustc_hash::FxHashMap<u32, Counts>),
    Narrow(Box<[Narrow]>),
    Wide(Box<[Counts]>),
}

/// [`Counts`] in 32 bits each, in the order of its fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Narrow([u32; 7]);

impl Narrow {
    fn widen(self) -> Counts {
        let [
            households_visited,
            visits,
            cases,
            resolved,
            errands,
            meetings,
            door,
        ] = self.0.map(u64::from);
        Counts {
            households_visited,
            visits,
            cases,
            resolved,
            errands,
            meetings,
            door_knocking_households: door,
        }
    }

    /// The counts in 32 bits, if each fits.
    fn of(c: &Counts) -> Option<Narrow> {
        let n = |v: u64| u32::try_from(v).ok();
        Some(Narrow([
            n(c.households_visited)?,
            n(c.visits)?,
            n(c.cases)?,
            n(c.resolved)?,
            n(c.errands)?,
            n(c.meetings)?,
            n(c.door_knocking_households)?,
        ]))
    }
}

/// A month's map takes a table once it counts this share of the stewards (in tenths): a
/// map's entry takes about two and a half times a table's, so the table is then no
/// larger. On many cores each thread's tally sees fewer of a month's records, and its
/// months stay maps: the tallies together never take much more than the records' own
/// stewards and months, however many threads count them.
const TABLE_TENTHS: usize = 4;

impl StewardMonths {
    /// Applies `add` to the counts of `steward`, one of `stewards`.
    fn add(&mut self, steward: usize, stewards: usize, add: impl Fn(&mut Counts)) {
        if let StewardMonths::Few(few) = self
            && few.len() * 10 >= stewards * TABLE_TENTHS
        {
            // Straight into the narrow table, the wide one made only if a count does not
            // fit: a table of every steward in 64 bits was made (and zeroed) for nothing.
            let mut narrow = vec![Narrow::default(); stewards];
            let fits = few.iter().all(|(&s, counts)| match Narrow::of(counts) {
                Some(n) => {
                    narrow[s as usize] = n;
                    true
                }
                None => false,
            });
            *self = if fits {
                StewardMonths::Narrow(narrow.into())
            } else {
                let mut wide = vec![Counts::default(); stewards];
                for (&s, counts) in few.iter() {
                    wide[s as usize] = *counts;
                }
                StewardMonths::Wide(wide.into())
            };
        }
        match self {
            StewardMonths::Few(few) => add(few
                .entry(u32::try_from(steward).unwrap_or(u32::MAX))
                .or_default()),
            StewardMonths::Wide(table) => add(&mut table[steward]),
            StewardMonths::Narrow(table) => {
                let mut counts = table[steward].widen();
                add(&mut counts);
                match Narrow::of(&counts) {
                    Some(narrow) => table[steward] = narrow,
                    None => {
                        let mut wide: Box<[Counts]> = table.iter().map(|n| n.widen()).collect();
                        wide[steward] = counts;
                        *self = StewardMonths::Wide(wide);
                    }
                }
            }
        }
    }

    /// Every steward counted, with their counts.
    fn each(&self) -> Box<dyn Iterator<Item = (usize, Counts)> + '_> {
        match self {
            StewardMonths::Few(few) => Box::new(few.iter().map(|(&s, c)| (s as usize, *c))),
            StewardMonths::Narrow(table) => Box::new(
                table
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n != Narrow::default())
                    .map(|(s, n)| (s, n.widen())),
            ),
            StewardMonths::Wide(table) => Box::new(
                table
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c != Counts::default())
                    .map(|(s, c)| (s, *c)),
            ),
        }
    }

    fn absorb(&mut self, other: &StewardMonths, stewards: usize) {
        for (s, counts) in other.each() {
            self.add(s, stewards, |c| c.absorb(&counts));
        }
    }
}

impl Counts {
    /// Adds another tally's counts of the same place.
    fn absorb(&mut self, other: &Counts) {
        let Counts {
            households_visited,
            visits,
            cases,
            resolved,
            errands,
            meetings,
            door_knocking_households,
        } = other;
        self.households_visited += households_visited;
        self.visits += visits;
        self.cases += cases;
        self.resolved += resolved;
        self.errands += errands;
        self.meetings += meetings;
        self.door_knocking_households += door_knocking_households;
    }
}

impl Tally {
    /// Nothing counted yet, for the communities and stewards of `registry`.
    pub(crate) fn new(registry: &Registry) -> Self {
        let community_of: Vec<u32> = registry
            .stewards
            .iter()
            .map(|s| u32::try_from(s.community).unwrap_or(u32::MAX))
            .collect();
        Tally::with_roster(community_of, registry.communities.len())
    }

    /// Nothing counted yet, for `communities` communities and stewards in the
    /// communities `community_of`.
    fn with_roster(community_of: Vec<u32>, communities: usize) -> Self {
        Tally {
            community_of: community_of.into(),
            communities,
            months: Vec::new(),
            categories: Categories::default(),
            as_of: None,
        }
    }

    /// The counts of month `m`, made when first wanted.
    fn month(&mut self, m: MonthIndex) -> &mut MonthTally {
        let i = match self.months.last() {
            Some(last) if last.month == m => self.months.len() - 1,
            _ => match self.months.binary_search_by_key(&m, |t| t.month) {
                Ok(i) => i,
                Err(i) => {
                    let fresh = MonthTally {
                        month: m,
                        communities: vec![Counts::default(); self.communities].into_boxed_slice(),
                        stewards: StewardMonths::Few(Default::default()),
                    };
                    self.months.insert(i, fresh);
                    i
                }
            },
        };
        &mut self.months[i]
    }

    /// Applies `add` to the steward's and their community's counts of the month.
    fn count(&mut self, steward: usize, date: Date, add: impl Fn(&mut Counts)) {
        let community = self.community_of[steward] as usize;
        let stewards = self.community_of.len();
        let month = self.month(month_index(date));
        add(&mut month.communities[community]);
        month.stewards.add(steward, stewards, add);
        self.as_of = crate::validate::later(self.as_of, date);
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
        let community = self.community_of[c.steward];
        let resolved = c.status == CaseStatus::Resolved;
        self.categories
            .add(&c.category, community, 1, u64::from(resolved));
        if resolved {
            // Counted in the month it was resolved, so monthly figures show work done.
            let when = c.resolved.unwrap_or(c.date);
            self.count(c.steward, when, |n| n.resolved += 1);
        }
    }

    pub(crate) fn add_errand(&mut self, e: &Errand) {
        self.count(e.steward, e.date, |c| c.errands += 1);
    }

    /// A meeting counts once for its community, and once for each steward who attended.
    pub(crate) fn add_meeting(&mut self, m: &Meeting) {
        let stewards = self.community_of.len();
        let month = self.month(month_index(m.date));
        month.communities[m.community].meetings += 1;
        for &s in &m.attendees {
            month.stewards.add(s, stewards, |c| c.meetings += 1);
        }
        self.as_of = crate::validate::later(self.as_of, m.date);
    }

    /// Adds the counts of another tally of the same roster.
    pub(crate) fn absorb(&mut self, mut other: Tally) {
        let stewards = self.community_of.len();
        if self.months.is_empty() {
            std::mem::swap(&mut self.months, &mut other.months);
        }
        for theirs in other.months {
            let mine = self.month(theirs.month);
            for (mine, theirs) in mine.communities.iter_mut().zip(theirs.communities.iter()) {
                mine.absorb(theirs);
            }
            mine.stewards.absorb(&theirs.stewards, stewards);
        }
        self.categories.absorb(other.categories);
        if let Some(date) = other.as_of {
            self.as_of = crate::validate::later(self.as_of, date);
        }
    }
}

impl Aggregator {
    pub(crate) fn new(registry: &Registry) -> Self {
        let nc = registry.communities.len();
        let ns = registry.stewards.len();
        let mut figures = Figures {
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
        Aggregator {
            figures,
            tally: Tally::new(registry),
        }
    }

    /// Adds the records counted in `tally`, a tally of this aggregator's roster.
    pub(crate) fn add(&mut self, tally: Tally) {
        self.tally.absorb(tally);
    }

    /// The figures: the tally's months of each community and steward, and their sums.
    pub(crate) fn finish(mut self) -> Figures {
        self.tally.into_figures(&mut self.figures);
        self.figures
    }
}

impl Tally {
    /// Puts the counts into `f`: each community's and steward's months, and their sums
    /// for the site, its months and each community and steward. A month at a time, so
    /// that the tally and the maps are never both whole.
    fn into_figures(self, f: &mut Figures) {
        let (nc, ns) = (self.communities, self.community_of.len());
        f.site = Counts::default();
        f.by_month = BTreeMap::new();
        f.by_community = vec![Counts::default(); nc];
        f.by_steward = vec![Counts::default(); ns];
        f.community_months = vec![BTreeMap::new(); nc];
        // Each steward's stretch of the list is measured first, then filled a month at a
        // time, so that each steward's months come in order.
        let mut starts = vec![0; ns + 1];
        for month in &self.months {
            for (s, _) in month.stewards.each() {
                starts[s + 1] += 1;
            }
        }
        for s in 0..ns {
            starts[s + 1] += starts[s];
        }
        let mut next = starts.clone();
        let mut steward_months = vec![(0, Counts::default()); starts[ns]];
        for month in self.months {
            let m = month.month;
            let site = f.by_month.entry(m).or_default();
            for (c, counts) in month.communities.iter().enumerate() {
                if *counts == Counts::default() {
                    continue;
                }
                site.absorb(counts);
                f.site.absorb(counts);
                f.by_community[c].absorb(counts);
                f.community_months[c].insert(m, *counts);
            }
            for (s, counts) in month.stewards.each() {
                f.by_steward[s].absorb(&counts);
                steward_months[next[s]] = (m, counts);
                next[s] += 1;
            }
        }
        f.steward_months = StewardMonthly {
            starts,
            months: steward_months,
        };
        (f.by_category, f.community_categories) = self.categories.into_maps(nc);
        if let Some(date) = self.as_of {
            f.as_of = crate::validate::later(f.as_of, date);
        }
        // Charts and tables want every month of the period, including quiet ones.
        fill_months(&mut f.by_month, None);
        let range = bounds(&f.by_month);
        for months in &mut f.community_months {
            fill_months(months, range);
        }
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

    use crate::model::{Channel, ErrandStatus};

    /// A city in small: stewards in communities, and records of every kind over a few
    /// months, in no order, with counts large enough to need 64 bits now and then.
    struct Records {
        community_of: Vec<u32>,
        communities: usize,
        visits: Vec<Visit>,
        cases: Vec<Case>,
        errands: Vec<Errand>,
        meetings: Vec<Meeting>,
    }

    fn records(seed: u64, stewards: usize, months: u64) -> Records {
        let mut state = seed;
        let mut next = move |n: u64| {
            // SplitMix64: enough to spread records over stewards and months.
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) % n
        };
        let communities = 7;
        let community_of: Vec<u32> = (0..stewards).map(|_| next(7) as u32).collect();
        let date = |next: &mut dyn FnMut(u64) -> u64| {
            let month = next(months);
            Date::new(
                2018 + (month / 12) as u16,
                1 + (month % 12) as u8,
                1 + next(28) as u8,
            )
            .unwrap_or(Date {
                year: 2018,
                month: 1,
                day: 1,
            })
        };
        let visits = (0..9000)
            .map(|_| Visit {
                date: date(&mut next),
                steward: next(stewards as u64) as usize,
                households: if next(500) == 0 {
                    u32::MAX
                } else {
                    next(9) as u32
                },
                kind: if next(4) == 0 {
                    VisitKind::DoorKnocking
                } else {
                    VisitKind::Visit
                },
            })
            .collect();
        let cases = (0..3000)
            .map(|i| {
                let resolved = next(3) == 0;
                Case {
                    id: format!("C-{i}"),
                    date: date(&mut next),
                    steward: next(stewards as u64) as usize,
                    category: ["停车", "环境", "安全"][next(3) as usize].to_string(),
                    summary: String::new(),
                    status: if resolved {
                        CaseStatus::Resolved
                    } else {
                        CaseStatus::Open
                    },
                    resolved: (resolved && next(2) == 0).then(|| date(&mut next)),
                    building: None,
                    channel: Some(Channel::Community),
                }
            })
            .collect();
        let errands = (0..2000)
            .map(|_| Errand {
                date: date(&mut next),
                steward: next(stewards as u64) as usize,
                category: "代办".to_string(),
                status: ErrandStatus::Done,
            })
            .collect();
        let meetings = (0..200)
            .map(|_| Meeting {
                date: date(&mut next),
                community: next(7) as usize,
                attendees: (0..next(5))
                    .map(|_| next(stewards as u64) as usize)
                    .collect(),
                topic: None,
            })
            .collect();
        Records {
            community_of,
            communities,
            visits,
            cases,
            errands,
            meetings,
        }
    }

    /// The figures as counted one record at a time into maps, the plain way.
    fn counted_plainly(r: &Records) -> Figures {
        let mut f = Figures {
            by_community: vec![Counts::default(); r.communities],
            by_steward: vec![Counts::default(); r.community_of.len()],
            community_months: vec![BTreeMap::new(); r.communities],
            community_categories: vec![BTreeMap::new(); r.communities],
            ..Figures::default()
        };
        let mut steward_months = vec![BTreeMap::<MonthIndex, Counts>::new(); r.community_of.len()];
        let mut count = |f: &mut Figures, s: usize, d: Date, add: &dyn Fn(&mut Counts)| {
            let c = r.community_of[s] as usize;
            let m = month_index(d);
            add(&mut f.site);
            add(&mut f.by_community[c]);
            add(&mut f.by_steward[s]);
            add(f.by_month.entry(m).or_default());
            add(f.community_months[c].entry(m).or_default());
            add(steward_months[s].entry(m).or_default());
            f.as_of = crate::validate::later(f.as_of, d);
        };
        for v in &r.visits {
            let h = u64::from(v.households);
            let knock = if v.kind == VisitKind::DoorKnocking {
                h
            } else {
                0
            };
            count(&mut f, v.steward, v.date, &|c| {
                c.visits += 1;
                c.households_visited += h;
                c.door_knocking_households += knock;
            });
        }
        for case in &r.cases {
            count(&mut f, case.steward, case.date, &|c| c.cases += 1);
            let resolved = case.status == CaseStatus::Resolved;
            let community = r.community_of[case.steward] as usize;
            for table in [&mut f.by_category, &mut f.community_categories[community]] {
                let entry = table.entry(case.category.clone()).or_default();
                entry.cases += 1;
                entry.resolved += u64::from(resolved);
            }
            if resolved {
                let when = case.resolved.unwrap_or(case.date);
                count(&mut f, case.steward, when, &|c| c.resolved += 1);
            }
        }
        for e in &r.errands {
            count(&mut f, e.steward, e.date, &|c| c.errands += 1);
        }
        for m in &r.meetings {
            let month = month_index(m.date);
            f.site.meetings += 1;
            f.by_community[m.community].meetings += 1;
            f.by_month.entry(month).or_default().meetings += 1;
            f.community_months[m.community]
                .entry(month)
                .or_default()
                .meetings += 1;
            for &s in &m.attendees {
                f.by_steward[s].meetings += 1;
                steward_months[s].entry(month).or_default().meetings += 1;
            }
            f.as_of = crate::validate::later(f.as_of, m.date);
        }
        fill_months(&mut f.by_month, None);
        let range = bounds(&f.by_month);
        for months in &mut f.community_months {
            fill_months(months, range);
        }
        let mut starts = vec![0];
        for months in &steward_months {
            starts.push(starts.last().copied().unwrap_or(0) + months.len());
        }
        f.steward_months = StewardMonthly {
            starts,
            months: steward_months.into_iter().flatten().collect(),
        };
        f
    }

    /// The records counted into `parts` tallies, record `i` into tally `i * 7 % parts`,
    /// the tallies then added up in reverse.
    fn counted_in_parts(r: &Records, parts: usize) -> Figures {
        let mut tallies: Vec<Tally> = (0..parts)
            .map(|_| Tally::with_roster(r.community_of.clone(), r.communities))
            .collect();
        let mut i = 0;
        let mut next = || {
            i += 1;
            i * 7 % parts
        };
        r.visits.iter().for_each(|v| tallies[next()].add_visit(v));
        r.cases.iter().for_each(|c| tallies[next()].add_case(c));
        r.errands.iter().for_each(|e| tallies[next()].add_errand(e));
        r.meetings
            .iter()
            .for_each(|m| tallies[next()].add_meeting(m));
        let mut all = Tally::with_roster(r.community_of.clone(), r.communities);
        tallies.into_iter().rev().for_each(|t| all.absorb(t));
        let mut f = Figures::default();
        all.into_figures(&mut f);
        f
    }

    fn shown(f: &Figures) -> String {
        format!(
            "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            f.site,
            f.by_community,
            f.by_steward,
            f.by_month,
            f.community_months,
            f.steward_months,
            f.by_category
                .iter()
                .map(|(k, v)| (k, v.cases, v.resolved))
                .collect::<Vec<_>>(),
            f.community_categories
                .iter()
                .map(|m| m
                    .iter()
                    .map(|(k, v)| (k.clone(), v.cases, v.resolved))
                    .collect())
                .collect::<Vec<Vec<_>>>(),
            f.as_of,
            f.by_month.len(),
        )
    }

    #[test]
    fn tallies_of_any_parts_make_the_figures_of_one_plain_count() {
        // Few stewards (each month stays a map) and many in few months (months become
        // tables, some of which need 64 bits for the households of a few huge visits).
        for (seed, stewards, months) in [(1, 40, 24), (2, 3000, 2), (3, 6000, 3)] {
            let r = records(seed, stewards, months);
            let plain = shown(&counted_plainly(&r));
            for parts in [1, 2, 3, 5] {
                assert_eq!(
                    shown(&counted_in_parts(&r, parts)),
                    plain,
                    "{stewards} stewards in {parts} tallies"
                );
            }
        }
    }

    #[test]
    fn a_table_of_32_bit_counts_takes_64_bits_when_one_no_longer_fits() {
        let mut months = StewardMonths::Narrow(vec![Narrow::default(); 4].into());
        months.add(2, 4, |c| c.households_visited += u64::from(u32::MAX));
        assert!(matches!(months, StewardMonths::Narrow(_)));
        months.add(2, 4, |c| c.households_visited += 1);
        months.add(1, 4, |c| c.visits += 1);
        assert!(matches!(months, StewardMonths::Wide(_)));
        let counted: Vec<(usize, u64, u64)> = months
            .each()
            .map(|(s, c)| (s, c.households_visited, c.visits))
            .collect();
        assert_eq!(counted, [(1, 0, 1), (2, u64::from(u32::MAX) + 1, 0)]);
    }
}
