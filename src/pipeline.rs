//! The whole pipeline, load → validate → aggregate → render → write, as the two things a
//! user asks for: check a site's records, or build the site.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use tera::Context;

use crate::aggregate::{Aggregator, Figures};
use crate::config::{self, SiteConfig};
use crate::diagnostics::Diagnostics;
use crate::load::{self, display_path};
use crate::model::{Batch, Bulletin, Case, FreePage, Meeting};
use crate::privacy::PrivateValues;
use crate::render::{self, OutputFile, Renderer, data};
use crate::schema::Kind;
use crate::theme::{self, Theme};
use crate::validate::{self, CaseIds, Registry};
use crate::write::{self, WriteError};

/// A site's validated records and their figures.
pub struct Site {
    pub root: PathBuf,
    pub config: SiteConfig,
    pub registry: Registry,
    /// Newest first, then by id.
    pub cases: Vec<Case>,
    pub meetings: Vec<Meeting>,
    pub batches: Vec<Batch>,
    /// Newest first.
    pub bulletins: Vec<Bulletin>,
    pub pages: Vec<FreePage>,
    pub figures: Figures,
    /// Valid records read, per kind.
    pub read: Vec<(Kind, u64)>,
    /// What must never be published, for the leak guard.
    pub private: PrivateValues,
}

/// Reads and checks everything under `root`. Returns the site only when there is no error;
/// the diagnostics hold every problem found either way.
pub fn load_site(root: &Path, diags: &mut Diagnostics) -> Option<Site> {
    let config = config::load(root, diags);
    load::unexpected_entries(root, diags);
    let sources: Vec<_> = Kind::ALL
        .iter()
        .map(|&k| (k, load::discover(root, k, diags)))
        .collect();
    let source = |k: Kind| &sources[Kind::ALL.iter().position(|x| *x == k).unwrap_or(0)].1;

    let mut registry = Registry::default();
    let mut private = PrivateValues::default();
    // Each kind streams through its own sink: private values are noted, the record is
    // validated, and what passes is folded into the figures at once.
    let mut read_kind =
        |kind: Kind,
         diags: &mut Diagnostics,
         sink: &mut dyn FnMut(&load::RawRecord<'_>, &mut Diagnostics)| {
            load::read_records(kind, source(kind), diags, &mut |rec, d| {
                private.collect(kind, rec);
                sink(rec, d);
            });
        };
    read_kind(Kind::Communities, diags, &mut |rec, d| {
        registry.add_community(rec, d)
    });
    read_kind(Kind::Stewards, diags, &mut |rec, d| {
        registry.add_steward(rec, d)
    });

    let mut aggregator = Aggregator::new(&registry);
    let mut read = vec![
        (Kind::Communities, registry.communities.len() as u64),
        (Kind::Stewards, registry.stewards.len() as u64),
    ];

    let mut n = 0u64;
    read_kind(Kind::Visits, diags, &mut |rec, d| {
        if let Some(v) = registry.visit(rec, d) {
            aggregator.add_visit(&v);
            n += 1;
        }
    });
    read.push((Kind::Visits, n));

    let mut cases = Vec::new();
    let mut case_ids = CaseIds::default();
    read_kind(Kind::Cases, diags, &mut |rec, d| {
        if let Some(c) = registry.case(&mut case_ids, rec, d) {
            aggregator.add_case(&c);
            cases.push(c);
        }
    });
    read.push((Kind::Cases, cases.len() as u64));

    let mut n = 0u64;
    read_kind(Kind::Errands, diags, &mut |rec, d| {
        if let Some(e) = registry.errand(rec, d) {
            aggregator.add_errand(&e);
            n += 1;
        }
    });
    read.push((Kind::Errands, n));

    let mut meetings = Vec::new();
    read_kind(Kind::Meetings, diags, &mut |rec, d| {
        if let Some(m) = registry.meeting(rec, d) {
            aggregator.add_meeting(&m);
            meetings.push(m);
        }
    });
    read.push((Kind::Meetings, meetings.len() as u64));

    let batches = validate::commendations(root, &registry, diags);
    aggregator.add_batches(&batches);
    let figures = aggregator.finish();
    for (i, c) in registry.communities.iter().enumerate() {
        let covered = figures.community_buildings_covered[i];
        if let (Some(total), Some((path, line))) = (c.buildings, registry.community_origin(&c.id))
            && u64::from(total) < covered
        {
            diags.warning(
                    path,
                    line,
                    format!(
                        "楼幢数: 填的是 {total}，但红管家联系的楼幢有 {covered} 幢，覆盖率会超过 100%，请核对"
                    ),
                );
        }
    }

    let docs = load::documents::read_folder(root, "bulletins", diags);
    let bulletins = validate::documents::bulletins(&docs, diags);
    let docs = load::documents::read_folder(root, "pages", diags);
    let pages = validate::documents::pages(&docs, diags);

    cases.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    meetings.sort_by(|a, b| b.date.cmp(&a.date).then(a.community.cmp(&b.community)));

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

#[derive(Debug)]
pub enum BuildError {
    /// Problems in the user's records or settings: nothing was written.
    Input(Diagnostics),
    /// Problems in templates: nothing was written.
    Render(Vec<String>),
    /// Private values found in the rendered site: nothing was written.
    Leak(Vec<String>),
    /// The site could not be put in place; the previous output is unchanged.
    Write(WriteError),
}

#[derive(Debug)]
pub struct BuildReport {
    pub output: PathBuf,
    pub pages: usize,
    pub files: usize,
    pub seconds: f64,
    pub warnings: Diagnostics,
    pub timings: Timings,
}

#[derive(Serialize)]
struct SiteGlobals<'a> {
    title: &'a str,
    base_url: String,
    base_path: String,
    description: Option<&'a str>,
    subdistrict: &'a config::Subdistrict,
    bulletin: &'a config::BulletinSettings,
    build_date: Option<String>,
    /// Free pages, for the navigation.
    pages: Vec<NavLink>,
}

#[derive(Serialize)]
struct NavLink {
    title: String,
    url: String,
}

/// A site checked and rendered in memory, ready to be written.
pub struct Prepared {
    pub site: Site,
    pub files: Vec<OutputFile>,
    /// Warnings only: any error stops before this.
    pub diags: Diagnostics,
    pub started: Instant,
    pub timings: Timings,
}

/// Wall time per stage, for `HONGGUANJIA_TIMINGS=1` and the benchmark.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub stages: Vec<(&'static str, f64)>,
}

impl Timings {
    fn lap(&mut self, stage: &'static str, since: &mut Instant) {
        let now = Instant::now();
        self.stages.push((stage, (now - *since).as_secs_f64()));
        *since = now;
    }
}

impl Prepared {
    pub fn pages(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.path.ends_with(".html"))
            .count()
    }
}

/// Everything but writing: load, validate, aggregate and render. `check` stops here, so
/// that a site `check` accepts is one `build` can write.
pub fn prepare(root: &Path) -> Result<Prepared, BuildError> {
    let started = Instant::now();
    let mut lap = started;
    let mut timings = Timings::default();
    let mut diags = Diagnostics::new();
    let site = load_site(root, &mut diags);
    timings.lap("读取+检查+统计", &mut lap);
    let theme = site
        .as_ref()
        .map(|s| theme::load(root, &s.config.theme, &mut diags));
    let (Some(site), Some(theme), false) = (site, theme, diags.has_errors()) else {
        return Err(BuildError::Input(diags));
    };
    let files = render_site(&site, &theme, &mut diags).map_err(BuildError::Render)?;
    timings.lap("渲染（含图表）", &mut lap);
    let leaks = crate::guard::scan(&site, &site.private, &files);
    if !leaks.is_empty() {
        return Err(BuildError::Leak(
            leaks.iter().map(ToString::to_string).collect(),
        ));
    }
    timings.lap("泄露检查", &mut lap);
    Ok(Prepared {
        site,
        files,
        diags,
        started,
        timings,
    })
}

/// Builds the site under `root` into `output` (default `<root>/public`).
pub fn build(root: &Path, output: Option<&Path>, force: bool) -> Result<BuildReport, BuildError> {
    let mut prepared = prepare(root)?;
    let output = output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("public"));
    let mut lap = Instant::now();
    write::write_site(&output, &prepared.files, force).map_err(BuildError::Write)?;
    prepared.timings.lap("写出+替换", &mut lap);
    Ok(BuildReport {
        output,
        pages: prepared.pages(),
        files: prepared.files.len() + 1,
        seconds: prepared.started.elapsed().as_secs_f64(),
        warnings: prepared.diags,
        timings: prepared.timings,
    })
}

/// Every file of the site, sorted by path.
pub fn render_site(
    site: &Site,
    theme: &Theme,
    diags: &mut Diagnostics,
) -> Result<Vec<OutputFile>, Vec<String>> {
    let summary = data::summary(&site.registry, &site.figures);
    let globals = SiteGlobals {
        title: &site.config.title,
        base_url: site.config.base_url_slash(),
        base_path: site.config.base_path(),
        description: site.config.description.as_deref(),
        subdistrict: &site.config.subdistrict,
        bulletin: &site.config.bulletin,
        build_date: site.config.build_date().map(|d| d.to_string()),
        pages: site
            .pages
            .iter()
            .map(|p| NavLink {
                title: p.title.clone(),
                url: format!("{}/index.html", p.slug),
            })
            .collect(),
    };
    let mut context = Context::new();
    context.insert("site", &globals);
    context.insert("stats", &summary);
    context.insert("has_bulletins", &!site.bulletins.is_empty());
    let renderer = Renderer::new(theme, &context)?;
    let jobs = render::pages::plan(site, &summary, &renderer)?;
    let mut files = renderer.render_all(theme, jobs)?;

    let json = serde_json::to_vec_pretty(&summary).map_err(|e| vec![e.to_string()])?;
    files.push(OutputFile {
        path: "data/summary.json".to_string(),
        bytes: json,
    });
    files.extend(data::tables(&site.registry, &summary));
    // First one wins: generated files, then the site's own static files, then the theme's.
    files.extend(site_statics(&site.root, diags));
    for (name, bytes) in theme.statics() {
        files.push(OutputFile {
            path: name.to_string(),
            bytes: bytes.to_vec(),
        });
    }
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<OutputFile> = files
        .into_iter()
        .filter(|f| seen.insert(f.path.clone()))
        .collect();
    kept.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(kept)
}

fn site_statics(root: &Path, diags: &mut Diagnostics) -> Vec<OutputFile> {
    let dir = root.join("static");
    let mut out = Vec::new();
    if !dir.is_dir() {
        return out;
    }
    for entry in walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .follow_links(false)
    {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = display_path(&dir, entry.path());
        if rel == write::MARKER {
            continue;
        }
        match std::fs::read(entry.path()) {
            Ok(bytes) => out.push(OutputFile { path: rel, bytes }),
            Err(err) => diags.warning(
                &display_path(root, entry.path()),
                1,
                format!("无法读取，未复制：{err}"),
            ),
        }
    }
    out
}
