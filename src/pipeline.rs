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

/// Why a run stopped. Nothing was written in any case but the last, and the previous
/// output is unchanged; each kind is printed the same way, with its own closing sentence.
#[derive(Debug)]
pub enum BuildError {
    /// Problems in the user's records or settings.
    Input(Diagnostics),
    /// Problems in templates, or in template values of Markdown bodies.
    Render(Diagnostics),
    /// Private values found in the rendered site.
    Leak(Diagnostics),
    /// The site could not be put in place; the output is as it was.
    Write(Diagnostics),
    /// Putting the site in place began and did not end: the output is not as it was, and
    /// the next build finishes what this one began, before anything else.
    Unfinished(Diagnostics, write::Left),
}

impl BuildError {
    /// Adds what was done before the run (finishing a build that was stopped), so the
    /// closing sentence is read after it.
    fn with_notes(mut self, notes: &[Diagnostic]) -> Self {
        let (BuildError::Input(diags)
        | BuildError::Render(diags)
        | BuildError::Leak(diags)
        | BuildError::Write(diags)
        | BuildError::Unfinished(diags, _)) = &mut self;
        for note in notes {
            diags.push(note.clone());
        }
        self
    }
}

impl From<write::Failure> for BuildError {
    fn from(f: write::Failure) -> Self {
        match f.left {
            None => BuildError::Write(f.diagnostic.into()),
            Some(left) => BuildError::Unfinished(f.diagnostic.into(), left),
        }
    }
}

impl From<crate::render::plan::PlanError> for BuildError {
    /// A problem planning the pages: of the input (two categories at one address) or of
    /// the templates (a Markdown body's).
    fn from(err: crate::render::plan::PlanError) -> Self {
        match err {
            crate::render::plan::PlanError::Input(d) => BuildError::Input(d),
            crate::render::plan::PlanError::Template(d) => BuildError::Render(d),
        }
    }
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
    // Every page's key includes the program's own hash; it is ready by the time the
    // records are read.
    crate::fingerprint::program_in_background();
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
            for file in &files {
                let kind = if file.path.ends_with(".html") {
                    "汇总页面"
                } else {
                    "汇总数据和静态文件"
                };
                timings.output(kind, file.bytes.len());
            }
            sink.put(files.into())
                .map_err(|e| BuildError::Write(e.into()))?;
            let written = sink.finish(Some(guard.fingerprint()), &mut timings)?;
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
    let (pages, files, made, guard_key) = std::thread::scope(|scope| {
        // The leak guard's matcher needs only the private values: it is built on a core
        // of its own from here, while the global data and the plan are made, and the
        // guard below takes it over.
        let preparing = scope.spawn(|| {
            let mut matchers = crate::guard::Matchers::default();
            matchers.prepare(&site.private);
            matchers
        });
        let summary = data::summary(&site.registry, &site.figures);
        let (globals, globals_key) = render::globals(&site, &summary).into_parts();
        let stamp = Renderer::stamp(&theme, globals_key);
        let renderer = Renderer::new(&theme, &globals).map_err(BuildError::Render)?;
        // The leak guard needs only the records and the theme: it is built on one core
        // while the pages are planned and the other files made on the other.
        let holds = |path: &str| sink.holds(path);
        let (planned, guard) = rayon::join(
            || -> Result<_, BuildError> {
                let (plan, mut all_pages) =
                    Plan::new(&site, &summary, &renderer).map_err(BuildError::from)?;
                // A redirect only where a link may still point: at an old address the
                // output being replaced has (a site first built by an earlier version
                // keeps them), or everywhere when `site.toml` asks. A new site never had
                // those addresses, and they were an eighth of a city's files.
                let old_addresses = site.config.lists.old_category_addresses;
                all_pages.retain(|p| !p.is_redirect() || old_addresses || holds(&p.path(&site)));
                let paths: HashSet<String> = all_pages.iter().map(|p| p.path(&site)).collect();
                let mut extra_diags = Diagnostics::new();
                let extras =
                    render::extra::files(&site, &theme, &summary, &paths, &mut extra_diags)
                        .map_err(|e| BuildError::Render(e.into()))?;
                Ok((plan, all_pages, paths, extras, extra_diags))
            },
            || match preparing.join() {
                Ok(mut matchers) => {
                    crate::guard::Guard::reusing(&site, &site.private, &theme, &mut matchers)
                }
                Err(panic) => std::panic::resume_unwind(panic),
            },
        );
        // Errors in the order they were found before the two ran side by side: the
        // plan's, the other files', the guard's.
        let (plan, all_pages, paths, extras, extra_diags) = planned?;
        diags.append(extra_diags);
        let guard = guard.map_err(|e| BuildError::Leak(e.into()))?;
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
                Ok(files) if broken.is_empty() => {
                    // `render_all` keeps the page order in both lists: each page is the
                    // next file made or the next file kept, whose size the previous
                    // build recorded.
                    let (mut made, mut kept) = (files.files.iter().peekable(), 0);
                    for page in batch {
                        let size = match made.peek() {
                            Some(file) if file.path == page.path(&site) => {
                                made.next().map_or(0, |f| f.bytes.len())
                            }
                            _ => {
                                let size = files.kept.get(kept).and_then(|(path, _)| {
                                    previous.as_ref().and_then(|p| p.size(path))
                                });
                                kept += 1;
                                usize::try_from(size.unwrap_or(0)).unwrap_or(usize::MAX)
                            }
                        };
                        timings.output(page.kind(), size);
                    }
                    hand_on(files, &mut timings)?
                }
                Ok(_) => {}
                Err(errors) => broken.extend(errors.sorted()),
            }
        }
        if !broken.is_empty() {
            return Err(BuildError::Render(broken.into_iter().collect()));
        }
        let extras: Vec<OutputFile> = extras
            .into_iter()
            .map(|(kind, file)| {
                timings.output(kind, file.bytes.len());
                file
            })
            .collect();
        hand_on(extras.into(), &mut timings)?;
        progress.finish_and_clear();
        Ok((pages, files, made, guard_key))
    })?;
    let written = sink.finish(Some(guard_key), &mut timings)?;
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

/// Builds the site under `root` into `output`, holding the output's lock; on any error
/// the previous output stays as it was, but for [`BuildError::Unfinished`].
pub fn build(root: &Path, output: &Path, force: bool) -> Result<Rendered, BuildError> {
    let mut sink = write::Staging::lock(output, force)?;
    let notes = sink.take_notes();
    match run(root, &mut sink) {
        Ok(mut rendered) => {
            for note in notes {
                rendered.diags.push(note);
            }
            Ok(rendered)
        }
        Err(e) => Err(e.with_notes(&notes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small site whose cases name a resident, so the guard has private texts to match.
    fn small_site(root: &Path) {
        let files = [
            ("site.toml", "title = \"府山\"\nbase_url = \"/\"\n"),
            ("content/communities.csv", "编号,名称\nfangmen,坊门街社区\n"),
            (
                "content/stewards.csv",
                "编号,姓名,社区,联系楼幢,党员类别,联系电话\nFM-001,周明华,fangmen,3幢,在册,13905701111\n",
            ),
            (
                "content/visits.csv",
                "日期,红管家,户数\n2018-11-20,FM-001,4\n",
            ),
            (
                "content/cases.csv",
                "编号,日期,红管家,类别,事项,状态,居民\nC-1,2018-11-20,FM-001,停车,停车难,待办,钱桂兰\n",
            ),
        ];
        for (rel, text) in files {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
            std::fs::write(path, text).expect("write");
        }
    }

    fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .expect("inside")
                    .display()
                    .to_string();
                (rel, std::fs::read(e.path()).expect("read"))
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_guard_that_cannot_be_built_stops_the_build_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (root, output) = (dir.path().join("site"), dir.path().join("public"));
        small_site(&root);
        assert!(build(&root, &output, false).is_ok(), "the site builds");
        let before = tree(&output);
        let entries = || std::fs::read_dir(dir.path()).expect("dir").count();
        let entries_before = entries();

        let unbuildable = |root: Option<std::path::PathBuf>| {
            if let Ok(mut slot) = crate::guard::UNBUILDABLE.lock() {
                *slot = root;
            }
        };
        unbuildable(Some(root.clone()));
        let result = build(&root, &output, false);
        unbuildable(None);

        let Err(BuildError::Leak(diags)) = result else {
            panic!("the build went on without its guard");
        };
        let shown: Vec<String> = diags.sorted().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "content: 泄露检查无法建立（测试中模拟的失败），为了不漏查任何不公开的值，已停止构建，原有的输出保持不变"
            ]
        );
        assert_eq!(tree(&output), before, "the previous output changed");
        assert_eq!(
            entries(),
            entries_before,
            "a staging folder was left behind"
        );
    }
}
