//! A site loaded for the preview. After a change only the records are read and checked,
//! the pages planned, and the files that are not pages (open data, the search index,
//! static files) made and leak-checked; then open pages are told to reload. A page is
//! rendered and leak-checked, exactly as `build` renders and checks it, only when a
//! browser asks for it, and kept until the next change. On a city, where a change used to
//! mean working out the key of seventy thousand pages, a reload now waits only for the
//! records and the plan.
//!
//! The plan and the guard borrow the records, so all three live on a thread of their own
//! ([`Loaded::start`]) that answers page requests until the next load replaces it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Instant;

use axum::body::Bytes;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::guard::{Guard, Matchers};
use crate::pipeline::{self, BuildError};
use crate::render::plan::Plan;
use crate::render::routes::Page;
use crate::render::{self, OutputFile, Renderer, data};
use crate::report::{self, Printer};
use crate::site::{Site, Source};
use crate::theme::{self, Theme};
use crate::timings::Timings;
use crate::write;

/// What a path of the site is.
pub(crate) enum Slot {
    /// A page, rendered when first asked for.
    Page(Page),
    /// A file made with the plan, already leak-checked.
    File(Bytes),
}

/// A page as served: its bytes, or why it could not be made (the messages as the
/// overlay shows them).
pub(crate) type Made = Result<Bytes, Arc<str>>;

struct Request {
    path: String,
    page: Page,
    reply: tokio::sync::oneshot::Sender<Made>,
}

/// A site that loaded without error, and the thread that renders its pages.
pub(crate) struct Loaded {
    /// Every file `build` would write (but its marker), by path relative to the site's
    /// root, `/`-separated.
    pub(crate) slots: HashMap<String, Slot>,
    /// HTML pages among them, counted as `build` counts them.
    pub(crate) pages: usize,
    /// The path part of `base_url`.
    pub(crate) base_path: String,
    /// Whether pages are rendered when asked for; a roll-up is made whole at once.
    pub(crate) on_demand: bool,
    /// To the thread that renders pages; it stops once every copy is dropped.
    requests: mpsc::Sender<Request>,
}

type Ready = Result<(Loaded, Diagnostics, Timings), BuildError>;

impl Loaded {
    /// Reads, checks and plans the site under `root` on a thread of its own, and returns
    /// once it is ready to serve (or failed); the thread then renders the pages asked for
    /// until the returned site is dropped. Page errors are printed through `printer` the
    /// first time the page is asked for. `matchers` keeps the leak guard's text matcher
    /// from one load to the next.
    pub(crate) fn start(
        root: &Path,
        printer: &Printer,
        matchers: &Arc<Mutex<Matchers>>,
    ) -> Result<(Loaded, Diagnostics, Timings), BuildError> {
        let (ready, outcome) = mpsc::channel::<Ready>();
        let (requests, incoming) = mpsc::channel::<Request>();
        let root = root.to_path_buf();
        let printer = printer.clone();
        let matchers = matchers.clone();
        let spawned = std::thread::Builder::new()
            .name("hongguanjia-preview".into())
            .spawn(move || worker(root, printer, &matchers, requests, ready, incoming));
        if let Err(e) = spawned {
            return Err(internal(&format!("无法启动生成线程：{e}")));
        }
        // The thread only ends without a word when it panicked.
        outcome
            .recv()
            .unwrap_or_else(|_| Err(internal("生成线程意外中止")))
    }

    /// The file at `key` (a path of [`Loaded::slots`]), rendering it if it is a page.
    pub(crate) async fn get(&self, key: &str) -> Option<Made> {
        match self.slots.get(key)? {
            Slot::File(bytes) => Some(Ok(bytes.clone())),
            Slot::Page(page) => {
                let (reply, answer) = tokio::sync::oneshot::channel();
                let request = Request {
                    path: key.to_string(),
                    page: page.clone(),
                    reply,
                };
                let gone = || -> Made {
                    Err(Arc::from("预览服务已停止生成这个版本的网站，请刷新页面。"))
                };
                if self.requests.send(request).is_err() {
                    return Some(gone());
                }
                Some(answer.await.unwrap_or_else(|_| gone()))
            }
        }
    }
}

fn internal(message: &str) -> BuildError {
    BuildError::Write(
        Diagnostic::error(
            "content",
            0,
            format!("{message}，请再保存一次文件或重新启动预览"),
        )
        .into(),
    )
}

/// Loads the site, hands it over through `ready`, then answers page requests.
fn worker(
    root: PathBuf,
    printer: Printer,
    matchers: &Mutex<Matchers>,
    requests: mpsc::Sender<Request>,
    ready: mpsc::Sender<Ready>,
    incoming: mpsc::Receiver<Request>,
) {
    let started = Instant::now();
    let mut lap = started;
    let mut timings = Timings::default();
    let mut diags = Diagnostics::new();
    // The guard's matcher is made while the records' texts are checked, on the core
    // that would otherwise wait (`build` makes it while planning, where the preview
    // has other work for both cores).
    let source = Source::load_then(&root, &mut diags, &|private| {
        matchers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .prepare(private);
    });
    timings.lap("读取+检查+统计", &mut lap);
    let theme = source
        .as_ref()
        .map(|s| theme::load(&root, &s.config().theme, &mut diags));
    let (Some(source), Some(theme), false) = (source, theme, diags.has_errors()) else {
        let _ = ready.send(Err(BuildError::Input(diags)));
        return;
    };
    let site = match source {
        Source::Site(site) => site,
        Source::Rollup(rollup) => {
            // A roll-up is a few pages made from its members' summaries: it is built whole,
            // as `build` builds it.
            drop(rollup);
            let _ = ready.send(eager(&root, requests));
            return;
        }
    };
    let summary = data::summary(&site.registry, &site.figures);
    let planned = plan(
        &site,
        &summary,
        &theme,
        matchers,
        &mut diags,
        &mut timings,
        &mut lap,
    );
    let (planned, guard) = match planned {
        Ok(p) => p,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let Planned {
        renderer,
        plan,
        slots,
        pages,
    } = planned;
    let loaded = Loaded {
        slots,
        pages,
        base_path: site.config.base_path(),
        on_demand: true,
        requests,
    };
    if ready.send(Ok((loaded, diags, timings))).is_err() {
        return;
    }
    // Pages stay made until the next change replaces this site.
    let mut made: HashMap<String, Made> = HashMap::new();
    for Request { path, page, reply } in incoming {
        let page = made
            .entry(path)
            .or_insert_with_key(|path| {
                render_page(&renderer, &theme, &plan, &guard, &page, path).map_err(|err| {
                    // Its messages, without `build`'s closing sentence about the output:
                    // the rest of the site is served as it was.
                    printer.diagnostics(&report::problems(&err).sorted());
                    printer.error_line(&format!(
                        "页面 {path} 生成失败，浏览器里显示这些错误；改好后会自动刷新。"
                    ));
                    Arc::from(report::build_error_text(&err))
                })
            })
            .clone();
        let _ = reply.send(page);
    }
}

/// The renderer, the plan, and every path of the site with its page or file.
struct Planned<'s> {
    renderer: Renderer,
    plan: Plan<'s>,
    slots: HashMap<String, Slot>,
    pages: usize,
}

/// Plans the pages and makes and checks the other files as `build` does, the plan and the
/// other files on one core and the leak guard on the other. Errors come in the order
/// `build` finds them: the plan's, the other files', the guard's.
fn plan<'s>(
    site: &'s Site,
    summary: &'s data::Summary,
    theme: &Theme,
    matchers: &Mutex<Matchers>,
    diags: &mut Diagnostics,
    timings: &mut Timings,
    lap: &mut Instant,
) -> Result<(Planned<'s>, Guard<'s>), BuildError> {
    let (globals, _) = render::globals(site, summary).into_parts();
    let renderer = Renderer::new(theme, &globals).map_err(BuildError::Render)?;
    timings.lap("汇总+准备模板", lap);
    let mut extra_diags = Diagnostics::new();
    // Three tasks on two cores: planning (with the map of every page's path), the other
    // files, and the leak guard. Run as one chain, planning and the other files left a
    // core idle once the guard was ready.
    let (((planned, planning), (extras, making)), (guard, guarding)) = rayon::join(
        || {
            rayon::join(
                || seconds(|| plan_pages(site, summary, &renderer)),
                || {
                    seconds(|| {
                        render::extra::files(
                            site,
                            theme,
                            summary,
                            &HashSet::new(),
                            &mut extra_diags,
                        )
                    })
                },
            )
        },
        || {
            seconds(|| {
                // A poisoned lock only means an earlier load panicked: its matcher, if it
                // left one, is still keyed by the texts it was built for.
                let mut matchers = matchers.lock().unwrap_or_else(|e| e.into_inner());
                Guard::reusing(site, &site.private, theme, &mut matchers)
            })
        },
    );
    // The tasks ran at the same time: each is shown apart, the wall time after them.
    timings.add("  其中 规划页面", planning);
    timings.add("  其中 开放数据+查找索引+静态文件", making);
    timings.add("  其中 建立泄露检查", guarding);
    timings.lap("规划页面+准备泄露检查", lap);
    let (plan, mut slots, pages) = planned?;
    let mut extras = extras.map_err(|e| BuildError::Render(e.into()))?;
    let guard = guard.map_err(|e| BuildError::Leak(e.into()))?;
    diags.append(extra_diags);

    // Pages first, then the other files in their order: the first one of a path wins.
    let mut seen: HashSet<String> = HashSet::new();
    extras.retain(|(_, f)| !slots.contains_key(&f.path) && seen.insert(f.path.clone()));
    let files: Vec<OutputFile> = extras.into_iter().map(|(_, f)| f).collect();
    let leaks = guard.scan(&files);
    if !leaks.is_empty() {
        return Err(BuildError::Leak(
            leaks.iter().map(crate::guard::Leak::diagnostic).collect(),
        ));
    }
    for file in files {
        slots.insert(file.path, Slot::File(Bytes::from(file.bytes)));
    }
    timings.lap("列出文件+检查附加文件", lap);
    Ok((
        Planned {
            renderer,
            plan,
            slots,
            pages,
        },
        guard,
    ))
}

/// The plan, every page by its path, and how many HTML pages `build` counts.
fn plan_pages<'s>(
    site: &'s Site,
    summary: &'s data::Summary,
    renderer: &Renderer,
) -> Result<(Plan<'s>, HashMap<String, Slot>, usize), BuildError> {
    let (plan, mut all_pages) = Plan::new(site, summary, renderer)?;
    // As `build` into a new folder: redirects at old addresses only when `site.toml` asks
    // (a preview has no earlier output whose old addresses links may still point at).
    all_pages.retain(|p| !p.is_redirect() || site.config.lists.old_category_addresses);
    let redirects = all_pages.iter().filter(|p| p.is_redirect()).count();
    let mut slots: HashMap<String, Slot> = HashMap::with_capacity(all_pages.len() + 256);
    for page in all_pages {
        // As in `build`, a later page at the same path is the one written.
        slots.insert(page.path(site), Slot::Page(page));
    }
    let pages = slots.keys().filter(|p| p.ends_with(".html")).count() - redirects;
    Ok((plan, slots, pages))
}

/// What `f` returns, and the seconds it took.
fn seconds<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let value = f();
    (value, t.elapsed().as_secs_f64())
}

/// One page, rendered from the same context and template and checked by the same guard
/// as in `build`: the bytes `build` writes.
fn render_page(
    renderer: &Renderer,
    theme: &Theme,
    plan: &Plan<'_>,
    guard: &Guard<'_>,
    page: &Page,
    path: &str,
) -> Result<Bytes, BuildError> {
    let file = renderer
        .render_page(theme, plan, page, path)
        .map_err(|e| BuildError::Render(e.into_iter().collect()))?;
    let leaks = guard.scan(std::slice::from_ref(&file));
    if !leaks.is_empty() {
        return Err(BuildError::Leak(
            leaks.iter().map(crate::guard::Leak::diagnostic).collect(),
        ));
    }
    Ok(Bytes::from(file.bytes))
}

/// A roll-up, built whole into memory by the pipeline.
fn eager(root: &Path, requests: mpsc::Sender<Request>) -> Ready {
    let mut memory = write::Memory::default();
    let rendered = pipeline::run(root, &mut memory)?;
    let slots = memory
        .files()
        .iter()
        .map(|(path, bytes)| (path.clone(), Slot::File(bytes.clone())))
        .collect();
    let loaded = Loaded {
        slots,
        pages: rendered.pages,
        base_path: rendered.source.config().base_path(),
        on_demand: false,
        requests,
    };
    Ok((loaded, rendered.diags, rendered.timings))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-steward site whose only case names `resident`, and its theme.
    fn load(root: &Path, steward: &str, resident: &str) -> (Site, Theme) {
        let stewards =
            format!("编号,姓名,社区,联系楼幢,党员类别\nFM-001,{steward},fangmen,3幢,在册\n");
        let cases = format!(
            "编号,日期,红管家,类别,事项,状态,居民\nC-1,2018-11-20,FM-001,停车,停车难,待办,{resident}\n"
        );
        let files = [
            ("site.toml", "title = \"府山\"\nbase_url = \"/\"\n"),
            ("content/communities.csv", "编号,名称\nfangmen,坊门街社区\n"),
            ("content/stewards.csv", &stewards),
            (
                "content/visits.csv",
                "日期,红管家,户数\n2018-11-20,FM-001,4\n",
            ),
            ("content/cases.csv", &cases),
        ];
        for (rel, text) in files {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
            std::fs::write(path, text).expect("write");
        }
        let mut diags = Diagnostics::new();
        let site = Site::load(root, &mut diags).expect("the site loads");
        let theme = theme::load(root, &site.config.theme, &mut diags);
        (site, theme)
    }

    fn page(text: &str) -> OutputFile {
        OutputFile {
            path: "a.html".to_string(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_guard_that_reuses_a_matcher_looks_for_the_private_texts_of_its_own_load() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut matchers = Matchers::default();

        let (site, theme) = load(dir.path(), "周明华", "钱桂兰");
        let guard = Guard::reusing(&site, &site.private, &theme, &mut matchers).expect("guard");
        assert_eq!(guard.scan(&[page("回访钱桂兰")]).len(), 1);

        // A steward renamed: the same private texts, so the same matcher, which still
        // finds the resident and still lets the steward's new name through.
        let (site, theme) = load(dir.path(), "周明", "钱桂兰");
        let guard = Guard::reusing(&site, &site.private, &theme, &mut matchers).expect("guard");
        assert_eq!(guard.scan(&[page("回访钱桂兰")]).len(), 1);
        assert!(guard.scan(&[page("红管家周明")]).is_empty());

        // Another resident: a matcher of its own, which finds them.
        let (site, theme) = load(dir.path(), "周明", "孙秀英");
        let guard = Guard::reusing(&site, &site.private, &theme, &mut matchers).expect("guard");
        assert_eq!(guard.scan(&[page("回访孙秀英")]).len(), 1);
        assert!(guard.scan(&[page("回访钱桂兰")]).is_empty());
    }
}
