//! The whole pipeline, load → validate → aggregate → render → write, as the two things a
//! user asks for: check a site's records, or build the site.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use tera::Context;

use crate::config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::display_path;
use crate::render::plan::Plan;
use crate::render::{self, OutputFile, Renderer, data};
use crate::site::Site;
use crate::theme::{self, Theme};
use crate::timings::Timings;
use crate::write::{self, Sink};

/// Why a run stopped. Nothing was written in any case, and the previous output is
/// unchanged; each kind is printed the same way, with its own closing sentence.
#[derive(Debug)]
pub enum BuildError {
    /// Problems in the user's records or settings.
    Input(Diagnostics),
    /// Problems in templates, or in template values of Markdown bodies.
    Render(Diagnostics),
    /// Private values found in the rendered site.
    Leak(Diagnostics),
    /// The site could not be put in place.
    Write(Diagnostics),
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

/// What a run came to.
pub struct Rendered {
    /// The site the pages were made from.
    pub site: Site,
    /// Warnings only: any error stops before this.
    pub diags: Diagnostics,
    /// HTML pages.
    pub pages: usize,
    /// Every file in the output, the sink's own included.
    pub files: usize,
    /// Seconds from the start of the run to the end of the sink.
    pub seconds: f64,
    /// Per stage.
    pub timings: Timings,
}

/// How many pages are rendered, checked for leaks and handed on at a time: enough to
/// keep both cores busy, few enough that a city's pages are never all in memory.
const BATCH: usize = 512;

/// load → plan → render batch → guard → sink, for the site under `root`. The sink is
/// opened only once the records are sound and finished only when every batch passed the
/// guard: `check` passes [`write::Discard`], so a site `check` accepts is one `build` can
/// write; `build` passes [`write::Staging`].
pub fn run(root: &Path, sink: &mut dyn Sink) -> Result<Rendered, BuildError> {
    let started = Instant::now();
    let mut lap = started;
    let mut timings = Timings::default();
    let mut diags = Diagnostics::new();
    let site = Site::load(root, &mut diags);
    timings.lap("读取+检查+统计", &mut lap);
    let theme = site
        .as_ref()
        .map(|s| theme::load(root, &s.config.theme, &mut diags));
    let (Some(site), Some(theme), false) = (site, theme, diags.has_errors()) else {
        return Err(BuildError::Input(diags));
    };
    sink.open().map_err(|e| BuildError::Write(e.into()))?;

    let (pages, files) = {
        let summary = data::summary(&site.registry, &site.figures);
        let renderer =
            Renderer::new(&theme, &globals(&site, &summary)).map_err(BuildError::Render)?;
        let (plan, all_pages) =
            Plan::new(&site, &summary, &renderer).map_err(BuildError::Render)?;
        let paths: HashSet<String> = all_pages.iter().map(|p| p.path(&site)).collect();
        let extras = extra_files(&site, &theme, &summary, &paths, &mut diags)?;
        let guard = crate::guard::Guard::new(&site, &site.private, &theme);
        timings.lap("规划页面+准备泄露检查", &mut lap);

        let pages = paths.iter().filter(|p| p.ends_with(".html")).count();
        drop(paths);
        let progress = progress_bar(all_pages.len() as u64);
        let mut files = 0;
        let mut hand_on =
            |batch: Vec<OutputFile>, timings: &mut Timings| -> Result<(), BuildError> {
                let t = Instant::now();
                let leaks = guard.scan(&batch);
                if !leaks.is_empty() {
                    return Err(BuildError::Leak(
                        leaks.iter().map(crate::guard::Leak::diagnostic).collect(),
                    ));
                }
                timings.add("泄露检查", t.elapsed().as_secs_f64());
                files += batch.len();
                sink.put(batch).map_err(|e| BuildError::Write(e.into()))
            };
        // After a template error the remaining pages are still rendered, for their own
        // errors only, so that every broken template is reported at once.
        let mut broken: BTreeSet<Diagnostic> = BTreeSet::new();
        for batch in all_pages.chunks(BATCH) {
            let t = Instant::now();
            let rendered = renderer.render_all(&theme, &plan, batch);
            timings.add("渲染（含图表）", t.elapsed().as_secs_f64());
            progress.inc(batch.len() as u64);
            match rendered {
                Ok(files) if broken.is_empty() => hand_on(files, &mut timings)?,
                Ok(_) => {}
                Err(errors) => broken.extend(errors.sorted()),
            }
        }
        if !broken.is_empty() {
            return Err(BuildError::Render(broken.into_iter().collect()));
        }
        hand_on(extras, &mut timings)?;
        progress.finish_and_clear();
        (pages, files)
    };
    sink.finish(&mut timings)
        .map_err(|e| BuildError::Write(e.into()))?;
    Ok(Rendered {
        site,
        diags,
        pages,
        files: files + sink.own_files(),
        seconds: started.elapsed().as_secs_f64(),
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

/// Everything but writing: a site `check` accepts is one `build` can write.
pub fn check(root: &Path) -> Result<Rendered, BuildError> {
    run(root, &mut write::Discard)
}

/// Builds the site under `root` into `output`; on any error the
/// previous output stays as it was.
pub fn build(root: &Path, output: &Path, force: bool) -> Result<Rendered, BuildError> {
    run(root, &mut write::Staging::new(output, force))
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
                url: render::routes::free_page(&p.slug),
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
    pages: &HashSet<String>,
    diags: &mut Diagnostics,
) -> Result<Vec<OutputFile>, BuildError> {
    let json = serde_json::to_vec_pretty(summary).map_err(|e| {
        BuildError::Render(Diagnostic::error("data/summary.json", 0, e.to_string()).into())
    })?;
    let mut files = vec![OutputFile {
        path: "data/summary.json".to_string(),
        bytes: json,
    }];
    files.extend(data::tables(&site.registry, summary).map_err(|e| BuildError::Render(e.into()))?);
    files.extend(site_statics(&site.root, diags));
    for (name, bytes) in theme.statics() {
        files.push(OutputFile {
            path: name.to_string(),
            bytes: bytes.to_vec(),
        });
    }
    let mut seen: HashSet<String> = pages.clone();
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
