//! A site as the rest of the program sees it: settings, the roster of communities and
//! stewards, the validated records, their figures and the input's private values, read
//! and checked from a site folder. The renderer and the leak guard read a `Site`; only
//! [`crate::pipeline`] knows how it is made into files.

use std::path::{Path, PathBuf};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::aggregate::{Aggregator, Figures, Tally};
use crate::config::{self, SiteConfig};
use crate::diagnostics::Diagnostics;
use crate::load;
use crate::model::{Batch, Bulletin, Case, FreePage, Meeting};
use crate::privacy::{self, PrivateValues};
use crate::schema::Kind;
use crate::validate::{self, CaseIds, Registry};

/// A site's validated records and their figures.
pub struct Site {
    pub(crate) root: PathBuf,
    pub(crate) config: SiteConfig,
    pub(crate) registry: Registry,
    /// Newest first, then by id.
    pub(crate) cases: Vec<Case>,
    pub(crate) meetings: Vec<Meeting>,
    pub(crate) batches: Vec<Batch>,
    /// Newest first.
    pub(crate) bulletins: Vec<Bulletin>,
    pub(crate) pages: Vec<FreePage>,
    pub(crate) figures: Figures,
    /// Valid records read, per kind.
    pub(crate) read: Vec<(Kind, u64)>,
    /// What must never be published, for the leak guard.
    pub(crate) private: PrivateValues,
}

/// What a site folder holds: records (a site) or `[[members]]` (a roll-up). Built once
/// per run, so the size difference of the two does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Source {
    /// A site with records.
    Site(Site),
    /// A roll-up of other sites' summaries.
    Rollup(crate::rollup::Rollup),
}

impl Source {
    /// Reads the site folder under `root`, whichever kind it is. Returns it only when
    /// there is no error; the diagnostics hold every problem found either way.
    pub fn load(root: &Path, diags: &mut Diagnostics) -> Option<Source> {
        Source::load_then(root, diags, &|_| {})
    }

    /// As [`Source::load`], calling `with_private` with the input's private values as
    /// soon as they are all known, on a core of its own while the records' texts are
    /// checked: `serve` builds the leak guard's matcher there, which otherwise waited for
    /// the whole reading. (`build` builds it while it plans the pages, see `pipeline`.)
    pub(crate) fn load_then(
        root: &Path,
        diags: &mut Diagnostics,
        with_private: &(dyn Fn(&PrivateValues) + Sync),
    ) -> Option<Source> {
        if !Site::looks_like_site(root, diags) {
            return None;
        }
        let config = config::load(root, diags);
        match config {
            Some(c) if crate::rollup::is_rollup(&c) => {
                crate::rollup::Rollup::load(root, c, diags).map(Source::Rollup)
            }
            config => Site::load_with(root, config, diags, with_private).map(Source::Site),
        }
    }

    /// Its settings, whichever kind it is.
    pub(crate) fn config(&self) -> &SiteConfig {
        match self {
            Source::Site(s) => &s.config,
            Source::Rollup(r) => &r.config,
        }
    }

    /// A warning when `base_url` is not a whole address: the sitemap and the feed need
    /// one (`build` says so).
    pub fn base_url_warning(&self) -> Option<crate::diagnostics::Diagnostic> {
        self.config().base_url_warning()
    }

    /// The site, when this is one.
    pub fn site(&self) -> Option<&Site> {
        match self {
            Source::Site(s) => Some(s),
            Source::Rollup(_) => None,
        }
    }
}

impl Site {
    /// Valid records read, per kind, named as users know them (`红管家`, `走访记录`…).
    pub fn records_read(&self) -> Vec<(&'static str, u64)> {
        self.read.iter().map(|(k, n)| (k.label(), *n)).collect()
    }

    /// Commendation batches.
    pub fn commendation_batches(&self) -> usize {
        self.batches.len()
    }

    /// Stewards commended in any batch.
    pub fn commended(&self) -> u64 {
        self.figures.commended
    }

    /// Communities in the roster.
    pub fn communities(&self) -> usize {
        self.registry.communities.len()
    }

    /// Stewards in the roster.
    pub fn stewards(&self) -> usize {
        self.registry.stewards.len()
    }

    /// Buildings some steward answers for, each community's counted apart.
    pub fn buildings(&self) -> usize {
        let all: std::collections::BTreeSet<(usize, &str)> = self
            .registry
            .stewards
            .iter()
            .flat_map(|s| s.buildings.iter().map(move |b| (s.community, b.as_str())))
            .collect();
        all.len()
    }

    /// Reads and checks everything under `root`. Returns the site only when there is no error;
    /// the diagnostics hold every problem found either way.
    pub fn load(root: &Path, diags: &mut Diagnostics) -> Option<Site> {
        if !Site::looks_like_site(root, diags) {
            return None;
        }
        let config = config::load(root, diags);
        Site::load_with(root, config, diags, &|_| {})
    }

    /// Most likely run from the wrong folder: one clear message, not one per file.
    fn looks_like_site(root: &Path, diags: &mut Diagnostics) -> bool {
        if !root.join("site.toml").exists() && !root.join("content").exists() {
            // Most likely run from the wrong folder: one clear message, not one per file.
            let shown = std::path::absolute(root)
                .unwrap_or_else(|_| root.to_path_buf())
                .display()
                .to_string();
            let message = if root.exists() {
                "这里没有 site.toml 和 content/，不像是一个站点文件夹。请在站点文件夹里运行，或用 --root 指定站点文件夹"
            } else {
                "没有这个文件夹。请检查 --root 后面写的路径，或在站点文件夹里运行"
            };
            diags.error(&shown, 0, message);
            return false;
        }
        true
    }

    fn load_with(
        root: &Path,
        config: Option<SiteConfig>,
        diags: &mut Diagnostics,
        with_private: &(dyn Fn(&PrivateValues) + Sync),
    ) -> Option<Site> {
        load::unexpected_entries(root, &validate::suggest::content_name, diags);
        let limits = config
            .as_ref()
            .map(|c| c.workbooks.limits())
            .unwrap_or_default();
        let sources = load::discover_all(root, limits, diags);
        let source = |k: Kind| &sources[Kind::ALL.iter().position(|x| *x == k).unwrap_or(0)].1;
        load::decode::detect_ahead(
            [Kind::Visits, Kind::Cases, Kind::Errands, Kind::Meetings]
                .iter()
                .flat_map(|&k| &source(k).files)
                .filter(|f| f.format == load::Format::Csv)
                .map(|f| f.path.clone())
                .collect(),
        );

        // The site's own numbers and addresses are public wherever they are typed.
        let rules = config
            .as_ref()
            .map(SiteConfig::masking_rules)
            .unwrap_or_default();
        let mut registry = Registry::default();
        registry.scrubber = rules.scrubber.clone();
        let noting = privacy::Noting::new(
            sources
                .iter()
                .flat_map(|(_, s)| s.files.iter().map(|f| f.display.as_str())),
        )
        .with_scrubber(rules.scrubber.clone());
        let mut collector = privacy::Collector::new(&noting, Default::default());
        let examples = crate::placeholders::Examples::default();
        for rel in ["site.toml", "content/commendations.toml"] {
            if let Ok(text) = load::decode::read_to_string(&root.join(rel)) {
                crate::placeholders::check_settings(rel, &text, diags);
            }
        }
        // Each kind streams through its own sink: private values are noted, the record is
        // validated, and what passes is folded into the figures at once.
        let read_kind =
            |kind: Kind,
             collector: &mut privacy::Collector<'_>,
             diags: &mut Diagnostics,
             sink: &mut dyn FnMut(&load::RawRecord<'_>, &mut Diagnostics)| {
                load::read_records(kind, source(kind), diags, &mut |rec, d| {
                    collector.collect(kind, rec, &|_| None);
                    examples.check_record(kind, rec, d);
                    sink(rec, d);
                });
            };
        read_kind(Kind::Subdistricts, &mut collector, diags, &mut |rec, d| {
            registry.add_subdistrict(rec, d)
        });
        read_kind(Kind::Communities, &mut collector, diags, &mut |rec, d| {
            registry.add_community(rec, d)
        });
        read_kind(Kind::Grids, &mut collector, diags, &mut |rec, d| {
            registry.add_grid(rec, d)
        });
        read_kind(Kind::Stewards, &mut collector, diags, &mut |rec, d| {
            registry.add_steward(rec, d)
        });
        registry.settle(diags);

        let mut aggregator = Aggregator::new(&registry);
        let mut read = vec![
            (Kind::Communities, registry.communities.len() as u64),
            (Kind::Stewards, registry.stewards.len() as u64),
        ];
        if !registry.grids.is_empty() {
            read.insert(1, (Kind::Grids, registry.grids.len() as u64));
        }
        if registry.recorded_subdistricts() > 0 {
            read.insert(0, (Kind::Subdistricts, registry.recorded_subdistricts()));
        }

        // The kinds that refer to the roster are read in parts on every core; each part's
        // records are checked against the (now fixed) roster, and the parts are taken
        // over in the records' order, so the messages are those of one pass. Sound
        // records are counted where they were checked, each thread into its own tally
        // (sums come out the same in any order, see `aggregate::Tally`); the merge in
        // order only claims case ids and keeps what the site shows.
        // Each part notes its private values straight into `noting`; its public texts are
        // taken over in the records' order on a thread of their own, so that the merge
        // of the records is not also the merge of their texts. A send fails only once
        // that thread has panicked, and its join below raises the panic again: no text
        // is dropped while the build goes on.
        // The threads of one kind hand their tallies on to those of the next, so that a
        // city is counted into as many tallies as there are threads, not three per kind.
        let pool = std::sync::Mutex::new(Vec::<Tally>::new());
        let (privates, parts_private) =
            std::sync::mpsc::sync_channel::<privacy::names::PublicTexts>(8);
        // Half a million cases grown one part at a time were copied into a list twice
        // their size again and again, on the thread that takes the parts in order. Room is
        // made for as many as the files could hold: room not filled is never touched, so
        // it costs no memory.
        let mut cases = Vec::with_capacity(load::csv_rows_about(source(Kind::Cases), 100));
        let mut meetings = Vec::new();
        let mut public = collector.public;
        let public = std::thread::scope(|scope| {
            let merger = scope.spawn(move || {
                for later in parts_private {
                    public.merge(later);
                }
                public
            });
            let mut n = 0u64;
            let tallies = read_parts(
                Kind::Visits,
                source(Kind::Visits),
                diags,
                (&registry, &noting),
                &pool,
                &|rec, d, tally| registry.visit(rec, d).map(|v| tally.add_visit(&v)),
                &mut |part, _| {
                    n += part.items.len() as u64;
                    let _ = privates.send(part.private.public);
                },
            );
            pooled(&pool).extend(tallies);
            read.push((Kind::Visits, n));

            let mut case_ids = CaseIds::with_capacity(cases.capacity());
            let tallies = read_parts(
                Kind::Cases,
                source(Kind::Cases),
                diags,
                (&registry, &noting),
                &pool,
                &|rec, d, tally| {
                    let read = registry.case(rec, d);
                    if let Some(c) = &read.case {
                        tally.add_case(c);
                    }
                    Some(read)
                },
                &mut |part, d| {
                    cases.reserve(part.items.len());
                    for read in part.items {
                        cases.extend(case_ids.claim(&part.path, read, d));
                    }
                    let _ = privates.send(part.private.public);
                },
            );
            pooled(&pool).extend(tallies);
            read.push((Kind::Cases, cases.len() as u64));

            let mut n = 0u64;
            let tallies = read_parts(
                Kind::Errands,
                source(Kind::Errands),
                diags,
                (&registry, &noting),
                &pool,
                &|rec, d, tally| registry.errand(rec, d).map(|e| tally.add_errand(&e)),
                &mut |part, _| {
                    n += part.items.len() as u64;
                    let _ = privates.send(part.private.public);
                },
            );
            pooled(&pool).extend(tallies);
            read.push((Kind::Errands, n));

            let tallies = read_parts(
                Kind::Meetings,
                source(Kind::Meetings),
                diags,
                (&registry, &noting),
                &pool,
                &|rec, d, tally| {
                    let m = registry.meeting(rec, d)?;
                    tally.add_meeting(&m);
                    Some(m)
                },
                &mut |part, _| {
                    meetings.extend(part.items);
                    let _ = privates.send(part.private.public);
                },
            );
            pooled(&pool).extend(tallies);
            read.push((Kind::Meetings, meetings.len() as u64));
            let tallies = std::mem::take(&mut *pooled(&pool));
            tallies.into_iter().for_each(|t| aggregator.add(t));
            drop(privates);
            match merger.join() {
                Ok(public) => public,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        let mut private = PrivateValues::new(noting, public);

        // Every resident's name is known now: the records' free texts, read before some of
        // the names were, are checked here; commendations and documents as they are read.
        // Meanwhile the other core, idle otherwise, does what says nothing to the user:
        // the caller's work on the private values, if any (see `Source::load_then`), and
        // the order of cases and meetings. Whichever of the two is done first adds up
        // the figures.
        // With an error the build stops here anyway: the caller's work is not wanted.
        let sound = !diags.has_errors();
        let unfinished = std::sync::Mutex::new(Some(aggregator));
        let finish = || {
            let aggregator = unfinished
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            aggregator.map(Aggregator::finish)
        };
        let (names, mut figures) = std::thread::scope(|scope| {
            let side = scope.spawn({
                let private = &private;
                let cases = &mut cases;
                let meetings = &mut meetings;
                let finish = &finish;
                move || {
                    if sound {
                        with_private(private);
                    }
                    newest_first(cases);
                    meetings
                        .sort_by(|a, b| b.date.cmp(&a.date).then(a.community.cmp(&b.community)));
                    finish()
                }
            });
            let names = resident_names(&private, config.as_ref(), &registry, rules);
            names.check_records(&private.public, diags);
            let mine = finish();
            match side.join() {
                // Both asked for the figures, and the lock gave them to one.
                Ok(theirs) => (names, mine.or(theirs).unwrap_or_default()),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        // A date written without its year is answered with the year of the data.
        let year = figures
            .as_of
            .map_or_else(|| "××××".to_string(), |d| d.year.to_string());
        diags.fill(validate::suggest::DATA_YEAR, &year);
        let batches = validate::commendations(root, &registry, &names, diags);
        registry.report_duplicates(diags);
        figures.add_batches(&batches, &registry);
        for (i, c) in registry.communities.iter().enumerate() {
            let covered = figures.community_buildings_covered[i];
            if let (Some(total), Some((path, line, column))) =
                (c.buildings, registry.community_origin(&c.id))
                && u64::from(total) < covered
            {
                diags.push(
                    crate::diagnostics::Diagnostic::warning(
                        path,
                        line,
                        format!(
                            "楼幢数: 填的是 {total}，但红管家联系的楼幢有 {covered} 幢，覆盖率会超过 100%，请核对"
                        ),
                    )
                    .at_column(column),
                );
            }
        }

        let docs = load::documents::read_folder(root, "bulletins", diags);
        docs.iter()
            .for_each(|d| crate::placeholders::check_document(d, diags));
        let bulletins = validate::documents::bulletins(&docs, &names, diags);
        let docs = load::documents::read_folder(root, "pages", diags);
        docs.iter()
            .for_each(|d| crate::placeholders::check_document(d, diags));
        let pages = validate::documents::pages(&docs, &names, diags);
        names.mask_records(&mut registry.stewards, &mut cases, &mut meetings);
        names.warn_places(diags);
        figures.rename_categories(&|category| {
            let (masked, hits) = names.mask(category, false, "");
            (!hits.is_empty()).then(|| masked.into_owned())
        });
        // The names borrow the private values; the places of the free texts were wanted
        // only for the warnings above.
        drop(names);
        private.public.forget_places();

        let config = config?;
        if diags.has_errors() {
            return None;
        }
        Some(Site {
            root: root.to_path_buf(),
            config,
            registry,
            cases,
            meetings,
            batches,
            bulletins,
            pages,
            figures,
            read,
            private,
        })
    }
}

/// One part of a kind's records, checked on its own thread.
struct Part<'n, T> {
    items: Vec<T>,
    private: privacy::Collector<'n>,
    /// The file the part is of, as messages show it.
    path: String,
}

/// Reads one kind's records in parts checked on every core (see
/// [`load::read_records_parallel`]): `check` turns a record into what is kept of it,
/// counting it in the tally of its thread, and `take` gets each part in the records'
/// order. Returns the tallies, one per thread that read records.
fn read_parts<'n, T: Send>(
    kind: Kind,
    sources: &load::Sources,
    diags: &mut Diagnostics,
    (registry, noting): (&Registry, &'n privacy::Noting),
    pool: &std::sync::Mutex<Vec<Tally>>,
    check: &(dyn Fn(&load::RawRecord<'_>, &mut Diagnostics, &mut Tally) -> Option<T> + Sync),
    take: &mut dyn FnMut(Part<'n, T>, &mut Diagnostics),
) -> Vec<Tally> {
    // Each part starts with room for as many records and public texts as the last one
    // took (see `privacy::names::Sizes`): grown from nothing, a city's parts copied
    // their lists and rehashed their tables several times over.
    let sizes = std::sync::Mutex::new((0, privacy::names::Sizes::default()));
    let last_sizes = || {
        *sizes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    load::read_records_parallel(
        kind,
        sources,
        diags,
        &|| {
            let (items, public) = last_sizes();
            Part {
                items: Vec::with_capacity(items),
                private: privacy::Collector::new(noting, public),
                path: String::new(),
            }
        },
        &|| {
            let tally = pooled(pool).pop();
            tally.unwrap_or_else(|| Tally::new(registry))
        },
        &|rec, d, part: &mut Part<'n, T>, tally| {
            if part.path.is_empty() {
                part.path = rec.path.to_string();
            }
            let steward = |id: &str| {
                let i = registry.steward_index(id)?;
                Some(registry.stewards[i].name.clone())
            };
            part.private.collect(kind, rec, &steward);
            part.items.extend(check(rec, d, tally));
        },
        &mut |part, d| {
            *sizes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                (part.items.len(), part.private.public.sizes());
            take(part, d);
        },
    )
}

/// The tallies handed from the threads of one kind to the next. A lock poisoned by a
/// thread that panicked still holds every tally put back (the panic is raised again when
/// that thread is joined): none is ever dropped unnoticed.
fn pooled(pool: &std::sync::Mutex<Vec<Tally>>) -> std::sync::MutexGuard<'_, Vec<Tally>> {
    pool.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Cases newest first, and by id within a day. Ids are unique in a site that loads, so no
/// order is left to keep: a stable sort would borrow room for half a million cases while
/// the names' matcher is built.
fn newest_first(cases: &mut [crate::model::Case]) {
    // Most offices keep their cases oldest first. Their days are then put the other way
    // round in one pass, each day's cases kept in the order they came, so that the sort
    // below finds them in order and only checks it, instead of moving half a million
    // cases about.
    if cases.is_sorted_by(|a, b| a.date <= b.date) {
        cases.reverse();
        for day in cases.chunk_by_mut(|a, b| a.date == b.date) {
            day.reverse();
        }
    }
    cases.sort_unstable_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
}

/// The search for a site: the records' public values, the site's names from
/// `site.toml`, and stewards and communities to say whose name a resident shares.
fn resident_names<'p>(
    private: &'p PrivateValues,
    config: Option<&'p SiteConfig>,
    registry: &Registry,
    rules: privacy::names::Rules,
) -> privacy::names::Names<'p> {
    let public: Vec<&str> = config
        .map(|c| c.public_names().collect())
        .unwrap_or_default();
    // Looked up once per resident who shares a public name: a city has tens of
    // thousands of both, so by hash, the first steward of a name as before.
    let mut stewards: HashMap<&str, &str> = HashMap::default();
    for s in &registry.stewards {
        stewards.entry(s.name.as_str()).or_insert(s.id.as_str());
    }
    let communities: HashSet<&str> = registry
        .communities
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    let owner = |name: &str| {
        if let Some(id) = stewards.get(name) {
            Some(format!("红管家 {id} 的姓名"))
        } else if communities.contains(name) {
            Some("社区的名称".to_string())
        } else {
            None
        }
    };
    privacy::names::Names::new(private, public, &owner, rules)
}

#[cfg(test)]
mod tests {
    use crate::model::{Case, CaseStatus, Date};

    proptest::proptest! {
        /// Cases that come oldest first (in any order within a day) or in any order at all
        /// come out newest first, by id within a day, as a plain sort puts them.
        #[test]
        fn cases_come_newest_first_and_by_id_within_a_day(
            days in proptest::collection::vec((1u8..=5, 0u32..40), 0..60),
            oldest_first in proptest::bool::ANY,
        ) {
            let mut days = days;
            if oldest_first {
                days.sort_by_key(|&(day, _)| day);
            }
            let mut cases: Vec<Case> = days
                .iter()
                .map(|&(day, id)| Case {
                    id: format!("2024-{id:03}"),
                    date: Date { year: 2024, month: 3, day },
                    steward: 0,
                    category: String::new(),
                    summary: String::new(),
                    status: CaseStatus::Open,
                    resolved: None,
                    building: None,
                    channel: None,
                })
                .collect();
            let mut plain = cases.clone();
            plain.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
            super::newest_first(&mut cases);
            let ids = |cases: &[Case]| cases.iter().map(|c| (c.date, c.id.clone())).collect::<Vec<_>>();
            proptest::prop_assert_eq!(ids(&cases), ids(&plain));
        }
    }
}
