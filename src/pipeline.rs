//! The whole pipeline, load → validate → aggregate → render → write, as the two things a
//! user asks for: check a site's records, or build the site.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
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
    if !root.join("site.toml").exists() && !root.join("content").exists() {
        // Most likely run from the wrong folder: one clear message, not one per file.
        diags.error(
            "site.toml",
            1,
            format!(
                "{} 里没有 site.toml 和 content/，不像是一个站点文件夹。请在站点文件夹里运行，或用 --root 指定站点文件夹",
                std::path::absolute(root)
                    .unwrap_or_else(|_| root.to_path_buf())
                    .display()
            ),
        );
        return None;
    }
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

/// Wall time per stage, for `HONGGUANJIA_TIMINGS=1` and the benchmark.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    /// Stage, seconds, and the process's peak memory so far in MiB (Linux only).
    pub stages: Vec<(&'static str, f64, Option<u64>)>,
}

impl Timings {
    fn lap(&mut self, stage: &'static str, since: &mut Instant) {
        let now = Instant::now();
        self.add(stage, (now - *since).as_secs_f64());
        *since = now;
    }

    /// Adds time to a stage that runs in several batches.
    fn add(&mut self, stage: &'static str, seconds: f64) {
        let peak = peak_memory_mib();
        match self.stages.iter_mut().find(|(s, _, _)| *s == stage) {
            Some(entry) => {
                entry.1 += seconds;
                entry.2 = peak;
            }
            None => self.stages.push((stage, seconds, peak)),
        }
    }
}

/// The high-water mark of resident memory, from `/proc/self/status`.
fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// What a checked and rendered site came to.
pub struct Rendered {
    pub site: Site,
    /// Warnings only: any error stops before this.
    pub diags: Diagnostics,
    pub pages: usize,
    pub files: usize,
    pub started: Instant,
    pub timings: Timings,
}

/// How many pages are rendered, checked for leaks and handed on at a time: enough to
/// keep both cores busy, few enough that a city's pages are never all in memory.
const BATCH: usize = 512;

/// Load, validate, aggregate, render and guard, handing each batch of finished files to
/// `sink`. `check` passes a sink that keeps nothing, so a site `check` accepts is one
/// `build` can write; `build` passes one that writes into the staging folder.
pub fn run(
    root: &Path,
    before_render: &mut dyn FnMut(&Site) -> Result<(), BuildError>,
    sink: &mut dyn FnMut(Vec<OutputFile>) -> Result<(), BuildError>,
) -> Result<Rendered, BuildError> {
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
    before_render(&site)?;

    let (pages, files) = {
        let summary = data::summary(&site.registry, &site.figures);
        let renderer =
            Renderer::new(&theme, &globals(&site, &summary)).map_err(BuildError::Render)?;
        let jobs = render::pages::plan(&site, &summary, &renderer).map_err(BuildError::Render)?;
        let extras = extra_files(&site, &theme, &summary, &jobs, &mut diags)?;
        let guard = crate::guard::Guard::new(&site, &site.private, &theme);
        timings.lap("规划页面+准备泄露检查", &mut lap);

        let pages = jobs.iter().filter(|j| j.path.ends_with(".html")).count();
        let progress = progress_bar(jobs.len() as u64);
        let mut files = 0;
        let mut batches = jobs.into_iter();
        let mut hand_on =
            |batch: Vec<OutputFile>, timings: &mut Timings| -> Result<(), BuildError> {
                let t = Instant::now();
                let leaks = guard.scan(&batch);
                if !leaks.is_empty() {
                    return Err(BuildError::Leak(
                        leaks.iter().map(ToString::to_string).collect(),
                    ));
                }
                timings.add("泄露检查", t.elapsed().as_secs_f64());
                let t = Instant::now();
                let n = batch.len();
                sink(batch)?;
                timings.add("写入临时文件夹", t.elapsed().as_secs_f64());
                files += n;
                Ok(())
            };
        loop {
            let batch: Vec<_> = batches.by_ref().take(BATCH).collect();
            if batch.is_empty() {
                break;
            }
            let t = Instant::now();
            let rendered = renderer
                .render_all(&theme, batch)
                .map_err(BuildError::Render)?;
            timings.add("渲染（含图表）", t.elapsed().as_secs_f64());
            progress.inc(rendered.len() as u64);
            hand_on(rendered, &mut timings)?;
        }
        hand_on(extras, &mut timings)?;
        progress.finish_and_clear();
        (pages, files)
    };
    Ok(Rendered {
        site,
        diags,
        pages,
        files,
        started,
        timings,
    })
}

/// A progress bar on a terminal; nothing when the output goes to a file or a pipe.
fn progress_bar(len: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() || len < 2 * BATCH as u64 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("生成页面 {bar:30} {pos}/{len} {eta}")
    {
        bar.set_style(style);
    }
    bar
}

/// Everything but writing. Kept for callers that only need to know the site is sound.
pub fn check(root: &Path) -> Result<Rendered, BuildError> {
    run(root, &mut |_| Ok(()), &mut |_| Ok(()))
}

/// Builds the site under `root` into `output` (default `<root>/public`).
///
/// A writer thread puts each finished batch into the staging folder while the next batch
/// renders, so the disk and the processors work at the same time.
pub fn build(root: &Path, output: Option<&Path>, force: bool) -> Result<BuildReport, BuildError> {
    let output = output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("public"));
    // Dropped unfinished on any error, the staging folder removes itself.
    let staging: Mutex<Option<write::Staging>> = Mutex::new(None);
    let write_error: Mutex<Option<WriteError>> = Mutex::new(None);
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<OutputFile>>(2);
    let written = std::sync::atomic::AtomicU64::new(0);
    let rendered = std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for batch in rx {
                let t = Instant::now();
                let result = match staging.lock().ok().as_deref().and_then(Option::as_ref) {
                    Some(s) => s.write_serial(&batch),
                    None => Ok(()),
                };
                written.fetch_add(
                    t.elapsed().as_micros() as u64,
                    std::sync::atomic::Ordering::Relaxed,
                );
                if let Err(e) = result {
                    if let Ok(mut slot) = write_error.lock() {
                        *slot = Some(e);
                    }
                    break;
                }
            }
        });
        let rendered = run(
            root,
            &mut |_| {
                // Opened only once the records are sound: a site with errors writes nothing.
                let opened = write::Staging::begin(&output, force).map_err(BuildError::Write)?;
                if let Ok(mut slot) = staging.lock() {
                    *slot = Some(opened);
                }
                Ok(())
            },
            &mut |files| {
                if let Some(e) = write_error.lock().ok().and_then(|mut e| e.take()) {
                    return Err(BuildError::Write(e));
                }
                // The writer only stops early on an error, reported on the next batch.
                let _ = tx.send(files);
                Ok(())
            },
        );
        drop(tx);
        let _ = writer.join();
        rendered
    })?;
    if let Some(e) = write_error.lock().ok().and_then(|mut e| e.take()) {
        return Err(BuildError::Write(e));
    }
    let mut timings = rendered.timings;
    timings.stages.retain(|(s, _, _)| *s != "写入临时文件夹");
    let seconds = written.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6;
    timings.add("写入临时文件夹（与渲染同时进行）", seconds);
    let mut lap = Instant::now();
    if let Some(s) = staging.into_inner().ok().flatten() {
        s.commit().map_err(BuildError::Write)?;
    }
    timings.lap("替换旧站点", &mut lap);
    Ok(BuildReport {
        output,
        pages: rendered.pages,
        files: rendered.files + 1,
        seconds: rendered.started.elapsed().as_secs_f64(),
        warnings: rendered.diags,
        timings,
    })
}

/// Every page's shared data: site settings and the headline figures, serialized once.
fn globals(site: &Site, summary: &data::Summary) -> Context {
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
    context.insert("stats", summary);
    context.insert("has_bulletins", &!site.bulletins.is_empty());
    context
}

/// Files that are not rendered pages: open data and static files. First one wins: pages,
/// then generated data, then the site's own static files, then the theme's.
fn extra_files(
    site: &Site,
    theme: &Theme,
    summary: &data::Summary,
    jobs: &[render::Job],
    diags: &mut Diagnostics,
) -> Result<Vec<OutputFile>, BuildError> {
    let json =
        serde_json::to_vec_pretty(summary).map_err(|e| BuildError::Render(vec![e.to_string()]))?;
    let mut files = vec![OutputFile {
        path: "data/summary.json".to_string(),
        bytes: json,
    }];
    files.extend(data::tables(&site.registry, summary));
    files.extend(render::search::files(site));
    files.extend(site_statics(&site.root, diags));
    for (name, bytes) in theme.statics() {
        files.push(OutputFile {
            path: name.to_string(),
            bytes: bytes.to_vec(),
        });
    }
    let mut seen: std::collections::HashSet<String> = jobs.iter().map(|j| j.path.clone()).collect();
    files.retain(|f| seen.insert(f.path.clone()));
    Ok(files)
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
