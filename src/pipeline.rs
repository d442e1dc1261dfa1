//! The driver and nothing else: load the site → plan its pages → render them in batches →
//! leak guard → sink. Each step lives in its own module; `check` and `build` differ only
//! in the sink they pass.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::time::Instant;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::render::plan::Plan;
use crate::render::{self, OutputFile, Renderer, data};
use crate::rollup::Rollup;
use crate::site::Source;
use crate::theme;
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

/// What a run came to.
pub struct Rendered {
    /// The site (or roll-up) the pages were made from.
    pub source: Source,
    /// Warnings only: any error stops before this.
    pub diags: Diagnostics,
    /// HTML pages.
    pub pages: usize,
    /// Files rendered or made by this run; the rest were kept from the previous build
    /// without rendering them.
    pub made: usize,
    /// Files kept from the previous build.
    pub kept: usize,
    /// Every file in the output, the sink's own included.
    pub files: usize,
    /// Seconds from the start of the run to the end of the sink.
    pub seconds: f64,
    /// Per stage.
    pub timings: Timings,
    /// What the build changed in its output (nothing for `check`).
    pub written: write::Written,
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
    let source = Source::load(root, &mut diags);
    timings.lap("读取+检查+统计", &mut lap);
    let theme = source.as_ref().map(|s| {
        let name = match s {
            Source::Site(site) => &site.config.theme,
            Source::Rollup(r) => &r.config.theme,
        };
        theme::load(root, name, &mut diags)
    });
    let (Some(source), Some(theme), false) = (source, theme, diags.has_errors()) else {
        return Err(BuildError::Input(diags));
    };
    sink.open().map_err(|e| BuildError::Write(e.into()))?;
    let site = match source {
        Source::Site(site) => site,
        Source::Rollup(rollup) => {
            let files = rollup_files(&rollup, &theme, &mut diags, &mut timings, &mut lap)?;
            let pages = files.iter().filter(|f| f.path.ends_with(".html")).count();
            let count = files.len();
            let t = Instant::now();
            let guard = crate::guard::Guard::nothing_private();
            let leaks = guard.scan(&files);
            if !leaks.is_empty() {
                return Err(BuildError::Leak(
                    leaks.iter().map(crate::guard::Leak::diagnostic).collect(),
                ));
            }
            timings.add("泄露检查", t.elapsed().as_secs_f64());
            sink.put(files.into())
                .map_err(|e| BuildError::Write(e.into()))?;
            let written = sink
                .finish(Some(guard.fingerprint()), &mut timings)
                .map_err(|e| BuildError::Write(e.into()))?;
            return Ok(Rendered {
                source: Source::Rollup(rollup),
                diags,
                pages,
                made: count,
                kept: 0,
                files: count + sink.own_files(),
                seconds: started.elapsed().as_secs_f64(),
                timings,
                written,
            });
        }
    };

    let previous = sink.previous();
    let (pages, files, made, guard_key) = {
        let summary = data::summary(&site.registry, &site.figures);
        let (globals, globals_key) = render::globals(&site, &summary).into_parts();
        let stamp = Renderer::stamp(&theme, globals_key);
        let renderer = Renderer::new(&theme, &globals).map_err(BuildError::Render)?;
        let (plan, all_pages) =
            Plan::new(&site, &summary, &renderer).map_err(BuildError::Render)?;
        let paths: HashSet<String> = all_pages.iter().map(|p| p.path(&site)).collect();
        let extras = render::extra::files(&site, &theme, &summary, &paths, &mut diags)
            .map_err(|e| BuildError::Render(e.into()))?;
        let guard = crate::guard::Guard::new(&site, &site.private, &theme)
            .map_err(|e| BuildError::Leak(e.into()))?;
        let guard_key = guard.fingerprint();
        // Files kept from the previous build were checked by the guard of that build. If
        // the rules changed since (a new private value, one that is no longer public),
        // they are read back and checked again: a guard never trusts a check it did not
        // make.
        let recheck = previous.as_ref().filter(|p| p.guard() != Some(guard_key));
        timings.lap("规划页面+准备泄露检查", &mut lap);

        // Redirects at old addresses are not pages of their own.
        let redirects = all_pages.iter().filter(|p| p.is_redirect()).count();
        let pages = paths.iter().filter(|p| p.ends_with(".html")).count() - redirects;
        drop(paths);
        let progress = progress_bar(all_pages.len() as u64);
        let mut files = 0;
        let mut made = 0;
        let mut hand_on = |batch: write::Batch, timings: &mut Timings| -> Result<(), BuildError> {
            let t = Instant::now();
            let mut leaks = guard.scan(&batch.files);
            if let Some(previous) = recheck {
                leaks.extend(guard.scan(&read_back(previous, &batch.kept)?));
            }
            if !leaks.is_empty() {
                return Err(BuildError::Leak(
                    leaks.iter().map(crate::guard::Leak::diagnostic).collect(),
                ));
            }
            timings.add("泄露检查", t.elapsed().as_secs_f64());
            files += batch.len();
            made += batch.files.len();
            sink.put(batch).map_err(|e| BuildError::Write(e.into()))
        };
        // After a template error the remaining pages are still rendered, for their own
        // errors only, so that every broken template is reported at once.
        let mut broken: BTreeSet<Diagnostic> = BTreeSet::new();
        for batch in all_pages.chunks(BATCH) {
            let t = Instant::now();
            let rendered = renderer.render_all(&theme, &plan, batch, stamp, previous.as_deref());
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
        hand_on(extras.into(), &mut timings)?;
        progress.finish_and_clear();
        (pages, files, made, guard_key)
    };
    let written = sink
        .finish(Some(guard_key), &mut timings)
        .map_err(|e| BuildError::Write(e.into()))?;
    Ok(Rendered {
        source: Source::Site(site),
        diags,
        pages,
        made,
        kept: files - made,
        files: files + sink.own_files(),
        seconds: started.elapsed().as_secs_f64(),
        timings,
        written,
    })
}

/// The previous build's kept files, read back for a guard whose rules changed since it
/// checked them. A file that cannot be read stops the build: it cannot be checked.
fn read_back(
    previous: &write::Previous,
    kept: &[(String, crate::fingerprint::Key)],
) -> Result<Vec<OutputFile>, BuildError> {
    use rayon::prelude::*;
    kept.par_iter()
        .map(|(path, _)| {
            previous
                .read(path)
                .map(|bytes| OutputFile {
                    path: path.clone(),
                    bytes,
                })
                .map_err(|e| {
                    BuildError::Write(
                        crate::diagnostics::Diagnostic::error(
                            path.clone(),
                            0,
                            format!("无法读回上一次生成的这个文件做泄露检查：{e}"),
                        )
                        .into(),
                    )
                })
        })
        .collect()
}

/// A roll-up's plan and render: its pages and data from the members' summed figures.
fn rollup_files(
    rollup: &Rollup,
    theme: &theme::Theme,
    diags: &mut Diagnostics,
    timings: &mut Timings,
    lap: &mut Instant,
) -> Result<Vec<OutputFile>, BuildError> {
    let renderer = Renderer::new(theme, &render::rollup::globals(rollup).into_parts().0)
        .map_err(BuildError::Render)?;
    timings.lap("规划页面+准备泄露检查", lap);
    let files = render::rollup::files(rollup, theme, &renderer, diags).map_err(BuildError::Render);
    timings.lap("渲染（含图表）", lap);
    files
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
