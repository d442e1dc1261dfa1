//! The internal print kit (`hongguanjia print`): the papers of the "五个一" per building
//! (notice boards, household contact cards, log sheets), thank-you letters to the
//! workplaces of commended in-service stewards, and every bulletin.
//!
//! The kit is another set of pages with other privacy rules: a steward's phone may appear
//! where the steward is the contact (boards and cards), nothing of the residents ever does.
//! It reuses the public site's loading ([`Site::load`]), renderer, leak guard and staging
//! sink, and never goes into the public output folder. Its pages are `routes::PrintPage`s,
//! planned once (`plan`) and given their context on the rendering thread (`context`).
//! Pages of one kind and community share one HTML file with CSS page breaks, so a city's
//! boards are a few hundred files and, with `--pdf`, a few hundred browser runs.

mod context;
mod pdf;
mod plan;
mod qr;
mod routes;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use tera::Context;

pub use self::pdf::PdfReport;
use self::plan::{Found, KitPlan};
pub use self::plan::{Group, KitFile};
use self::routes::KIT_MARKER;
use crate::config::BoardSize;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::guard::{Guard, Leak};
use crate::pipeline::BuildError;
use crate::privacy::number_digits;
use crate::render::{self, Renderer, data};
use crate::site::Site;
use crate::theme::{self, Theme};
use crate::timings::Timings;
use crate::write::{self, OutputFile, Sink};

const KIT_MARKER_TEXT: &str = "内部材料：此文件夹是 hongguanjia print 生成的打印材料，含红管家联系电话，不要放到公开网站上。\n";

/// Why the kit was not made. Nothing was written in any case, and the previous kit is
/// unchanged.
#[derive(Debug)]
pub enum PrintError {
    /// What a build can also stop at: the records, the templates, the disk.
    Build(BuildError),
    /// Private values found where the kit's rules do not allow them.
    Leak(Diagnostics),
    /// The output folder is or touches the public site.
    Output(Diagnostics),
    /// `--pdf` and no browser, or the browser failed.
    Pdf(Diagnostics),
}

/// What a kit run came to.
#[derive(Debug)]
pub struct PrintReport {
    /// The kinds of paper made, with their files.
    pub groups: Vec<Group>,
    /// Every file in the output, the sink's own included.
    pub files: usize,
    /// With `--pdf`: what the printing came to.
    pub pdf: Option<PdfReport>,
    /// Seconds from the start of the run to the end of the sink.
    pub seconds: f64,
    /// Where the kit was written.
    pub output: PathBuf,
    /// Warnings only: any error stops before this.
    pub warnings: Diagnostics,
    /// Per stage.
    pub timings: Timings,
}

/// Whether an output folder may take the kit: never the public output, inside it, or
/// holding it, nor any folder of a site `build` wrote.
fn check_output(root: &Path, output: &Path) -> Result<(), Diagnostic> {
    let public = write::resolve(&root.join("public"));
    let out = write::resolve(output);
    let place = output.display().to_string();
    if out.starts_with(&public) || public.starts_with(&out) {
        return Err(Diagnostic::error(
            place,
            0,
            format!(
                "打印材料含红管家的联系电话，是内部材料，不能放进公开网站的输出文件夹 {}，也不能放在包含它的文件夹里。请换一个文件夹，如 {}",
                public.display(),
                root.join("print").display()
            ),
        ));
    }
    for dir in out.ancestors() {
        if dir.join(write::MARKER).is_file() && !dir.join(KIT_MARKER).is_file() {
            return Err(Diagnostic::error(
                place,
                0,
                format!(
                    "{} 是 hongguanjia 生成的公开网站，打印材料不能放在里面。请换一个文件夹",
                    dir.display()
                ),
            ));
        }
    }
    Ok(())
}

/// The kit's settings as its templates see them, beside the site's own globals.
#[derive(Serialize)]
struct PrintGlobals {
    door_knocking_day: u8,
    board_size: &'static str,
}

fn globals(site: &Site, summary: &data::Summary) -> Context {
    let (mut context, _) = render::globals(site, summary).into_parts();
    let print = &site.config.print;
    context.insert(
        "print",
        &PrintGlobals {
            door_knocking_day: print.door_knocking_day.unwrap_or(20),
            board_size: match print.board_size {
                BoardSize::A4 => "A4",
                BoardSize::A3 => "A3",
            },
        },
    );
    // The public templates the kit shares (the bulletin) leave out the site's navigation.
    context.insert("kit", &true);
    context
}

/// What to print and where.
#[derive(Debug, Clone, Default)]
pub struct KitOptions {
    /// Also print each file to PDF.
    pub pdf: bool,
    /// Replace an output folder that holds files the kit did not write.
    pub force: bool,
    /// One community's papers only, by its id or name.
    pub community: Option<String>,
}

/// Builds the kit for the site at `root` into `output`, by default `<root>/print` (one
/// community's: `<root>/print-<社区编号>`).
pub fn print(
    root: &Path,
    output: Option<&Path>,
    options: &KitOptions,
) -> Result<PrintReport, PrintError> {
    let (want_pdf, force) = (options.pdf, options.force);
    let started = Instant::now();
    let mut lap = started;
    let mut timings = Timings::default();
    let mut diags = Diagnostics::new();
    let site = Site::load(root, &mut diags);
    let theme = site
        .as_ref()
        .map(|s| theme::load(root, &s.config.theme, &mut diags));
    let (Some(site), Some(theme), false) = (site, theme, diags.has_errors()) else {
        return Err(PrintError::Build(BuildError::Input(diags)));
    };
    // Refused with the records' warnings, as `check` would show them.
    let refuse = |mut diags: Diagnostics, d: Diagnostic| {
        diags.push(d);
        PrintError::Build(BuildError::Input(diags))
    };
    let only = match &options.community {
        Some(key) => match community_of(&site, key) {
            Ok(c) => Some(c),
            Err(d) => return Err(refuse(diags, d)),
        },
        None => None,
    };
    let output = match (output, only) {
        (Some(o), _) => o.to_path_buf(),
        (None, Some(c)) => root.join(format!("print-{}", site.registry.communities[c].id)),
        (None, None) => root.join("print"),
    };
    let output = output.as_path();
    check_output(root, output).map_err(|d| PrintError::Output(d.into()))?;
    if !site.config.has_absolute_base_url() {
        let d = qr_without_address(&site.config);
        return Err(refuse(diags, d));
    }
    // Found before anything is rendered: no browser, no kit, rather than half a kit.
    let limit =
        std::time::Duration::from_secs(site.config.print.timeout.unwrap_or(pdf::DEFAULT_LIMIT));
    let browser = if want_pdf {
        Some(
            pdf::Browser::find(site.config.print.browser.as_deref(), limit)
                .map_err(|d| PrintError::Pdf(d.into()))?,
        )
    } else {
        None
    };
    // Opened now, so that a folder that is not ours or another writer's stops the run
    // before any printing; dropped on any error, it removes what it staged. Its lock is
    // held until the kit is in place, the PDFs' own folder beside the output included.
    let write_error = |d: Diagnostic| PrintError::Build(BuildError::Write(d.into()));
    let mut sink = write::Staging::lock(output, force).map_err(|f| PrintError::Build(f.into()))?;
    for note in sink.take_notes() {
        diags.push(note);
    }
    sink.open().map_err(write_error)?;
    timings.lap("读取+检查+统计", &mut lap);

    let summary = data::summary(&site.registry, &site.figures);
    let renderer = Renderer::new(&theme, &globals(&site, &summary))
        .map_err(|d| PrintError::Build(BuildError::Render(d)))?;
    let photos = photos(&site);
    let wechat = wechat_codes(&site);
    let found = Found {
        photos: photos.keys().cloned().collect(),
        wechat: wechat
            .iter()
            .map(|(key, file)| (key.clone(), file.path.clone()))
            .collect(),
        only,
    };
    let (plan, pages) = KitPlan::new(&site, &renderer, &found, want_pdf)
        .map_err(|d| PrintError::Build(BuildError::Render(d)))?;
    timings.lap("规划页面+二维码", &mut lap);
    let mut files = renderer
        .render_each(&theme, &pages, |page| {
            let path = page.path(&site);
            let ctx = context::build(&plan, page, &path);
            (path, page.template(), ctx)
        })
        .map_err(|d| PrintError::Build(BuildError::Render(d)))?;
    let contacts: HashSet<String> = pages
        .iter()
        .filter(|p| p.shows_contacts())
        .map(|p| p.path(&site))
        .collect();
    // Only the pictures the papers printed show.
    let shown: HashSet<&str> = files
        .iter()
        .filter(|f| f.path.ends_with(".html"))
        .flat_map(|f| {
            let text = std::str::from_utf8(&f.bytes).unwrap_or("");
            photos
                .values()
                .chain(wechat.values())
                .filter(move |p| text.contains(&format!("../{}", p.path)))
                .map(|p| p.path.as_str())
        })
        .collect();
    let pictures: Vec<OutputFile> = photos
        .values()
        .chain(wechat.values())
        .filter(|p| shown.contains(p.path.as_str()))
        .cloned()
        .collect();
    files.extend(pictures);
    // The bulletins are the public site's pages and take its stylesheet.
    files.extend(
        theme
            .statics()
            .filter(|(name, _)| name.ends_with(".css"))
            .map(|(name, bytes)| OutputFile {
                path: name.to_string(),
                bytes: bytes.to_vec(),
            }),
    );
    timings.lap("渲染", &mut lap);
    guard(&site, &theme, &files, &contacts)?;
    timings.lap("泄露检查", &mut lap);

    let mut pdf_report = None;
    if let Some(browser) = &browser {
        let printable: Vec<String> = plan
            .groups
            .iter()
            .flat_map(|g| g.files.iter().map(|f| f.path.clone()))
            .collect();
        let (pdfs, report) =
            pdf::print_all(browser, output, &files, &printable, pdf_date(&site), limit)
                .map_err(PrintError::Pdf)?;
        files.extend(pdfs);
        pdf_report = Some(report);
        timings.lap("打印 PDF", &mut lap);
    }
    files.push(OutputFile {
        path: KIT_MARKER.to_string(),
        bytes: KIT_MARKER_TEXT.as_bytes().to_vec(),
    });
    let count = files.len() + sink.own_files();
    let groups = plan.groups;
    sink.put(files.into()).map_err(write_error)?;
    // No guard fingerprint: every file of the kit is made and checked every time; the
    // manifest only says which files are the kit's, and which it need not write again.
    sink.finish(None, &mut timings)
        .map_err(|f| PrintError::Build(f.into()))?;
    Ok(PrintReport {
        groups,
        files: count,
        pdf: pdf_report,
        seconds: started.elapsed().as_secs_f64(),
        output: output.to_path_buf(),
        warnings: diags,
        timings,
    })
}

/// The boards' and cards' QR codes are read by a phone that has not the site open: a
/// path alone (`/`, init's default) opens nothing.
fn qr_without_address(config: &crate::config::SiteConfig) -> Diagnostic {
    Diagnostic::error(
        "site.toml",
        config.base_url_line,
        format!(
            "base_url: 公示牌和联户卡上的二维码要让居民用手机扫开公开网站上的页面，需要以 http:// 或 https:// 开头的完整网址，现在写的“{}”印出来扫不开。请在 site.toml 里把 base_url 写成网站发布后的地址，如 base_url = \"https://example.gov.cn/jiedao/\"，再生成打印材料",
            config.base_url.trim()
        ),
    )
}

/// The date a PDF says it was made: the site's date, else the day of its latest record.
fn pdf_date(site: &Site) -> Option<crate::model::Date> {
    site.config.build_date().or(site.figures.as_of)
}

/// The leak guard, with the kit's rule: a steward's phone is allowed on the contact
/// papers (`contacts`: boards, cards and 流程图) when the steward has not opted out, and
/// so is a grid worker's work phone; nothing else private is allowed anywhere.
fn guard(
    site: &Site,
    theme: &Theme,
    files: &[OutputFile],
    contacts: &HashSet<String>,
) -> Result<(), PrintError> {
    let strict = Guard::new(site, &site.private, theme).map_err(guard_failed)?;
    let shown: rustc_hash::FxHashSet<String> = site
        .registry
        .stewards
        .iter()
        .filter(|s| s.phone_on_board)
        .filter_map(|s| s.private.phone.as_deref())
        .chain(
            site.registry
                .grids
                .iter()
                .filter_map(|g| g.private.phone.as_deref()),
        )
        .filter_map(number_digits)
        .collect();
    let lenient = strict.allowing(&shown);
    let (contact, other): (Vec<OutputFile>, Vec<OutputFile>) = files
        .iter()
        .cloned()
        .partition(|f| contacts.contains(&f.path));
    let mut leaks: Vec<Leak> = strict.scan(&other);
    leaks.extend(lenient.scan(&contact));
    if leaks.is_empty() {
        Ok(())
    } else {
        Err(PrintError::Leak(
            leaks.iter().map(Leak::diagnostic).collect(),
        ))
    }
}

/// The guard could not be built: the kit is not written rather than scanned less.
fn guard_failed(d: crate::diagnostics::Diagnostic) -> PrintError {
    let mut diags = crate::diagnostics::Diagnostics::new();
    diags.push(d);
    PrintError::Leak(diags)
}

/// The community `key` names, by id or name, for `--community`.
fn community_of(site: &Site, key: &str) -> Result<usize, Diagnostic> {
    let key = key.trim();
    let reg = &site.registry;
    if let Some(i) = reg.community_index(key) {
        return Ok(i);
    }
    let keys = reg
        .communities
        .iter()
        .flat_map(|c| [c.id.as_str(), c.name.as_str()]);
    let hint = crate::validate::suggest::closest(key, keys)
        .and_then(|k| reg.community_index(k))
        .map(|i| {
            let c = &reg.communities[i];
            format!("是不是 {}（{}）？", c.id, c.name)
        })
        .unwrap_or_else(|| {
            let all: Vec<String> = reg
                .communities
                .iter()
                .map(|c| format!("{}（{}）", c.id, c.name))
                .collect();
            format!("已登记的社区：{}", all.join("、"))
        });
    Err(Diagnostic::error(
        "--community",
        0,
        format!("“{key}”不是已登记的社区编号或名称。{hint}"),
    ))
}

/// The buildings' WeChat group codes in the site's `static/wechat/<社区编号>/`, one
/// image per building named by its label (`3幢.png`), as kit files by community and
/// building.
fn wechat_codes(site: &Site) -> BTreeMap<(usize, String), OutputFile> {
    let mut out = BTreeMap::new();
    for (ci, c) in site.registry.communities.iter().enumerate() {
        let dir = site.root.join("static").join("wechat").join(&c.id);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let (Some(stem), Some(ext)) = (path.file_stem(), path.extension()) else {
                continue;
            };
            let ext = ext.to_string_lossy().to_lowercase();
            if !matches!(ext.as_str(), "png" | "jpg" | "jpeg") || !path.is_file() {
                continue;
            }
            let building = stem.to_string_lossy().trim().to_string();
            let key = (ci, building.clone());
            if out.contains_key(&key) {
                continue;
            }
            if let Ok(bytes) = std::fs::read(&path) {
                let path = routes::wechat(&c.id, &building, &ext);
                out.insert(key, OutputFile { path, bytes });
            }
        }
    }
    out
}

/// What the site's `static/photos/` holds for its stewards, as kit files, by steward.
fn photos(site: &Site) -> BTreeMap<String, OutputFile> {
    let mut out = BTreeMap::new();
    for s in &site.registry.stewards {
        let path = routes::photo(&s.id);
        if let Ok(bytes) = crate::files::read(&site.root.join("static").join(&path)) {
            out.insert(s.id.clone(), OutputFile { path, bytes });
        }
    }
    out
}
