//! The internal print kit (`hongguanjia print`): the papers of the "五个一" per building
//! (notice boards, household contact cards, log sheets), thank-you letters to the
//! workplaces of commended in-service stewards, and every bulletin.
//!
//! The kit is another set of pages with other privacy rules: a steward's phone may appear
//! where the steward is the contact (boards and cards), nothing of the residents ever does.
//! It reuses the public site's loading, renderer, leak guard and staging folder, and never
//! goes into the public output folder. Pages of one kind and community share one HTML file
//! with CSS page breaks, so a city's boards are a few hundred files and, with `--pdf`, a few
//! hundred browser runs.

pub mod pdf;
pub mod qr;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::config::BoardSize;
use crate::diagnostics::Diagnostics;
use crate::guard::Guard;
use crate::model::Membership;
use crate::pipeline::{self, Site};
use crate::privacy::{PrivateValues, number_digits};
use crate::render::views::{community_url, natural_cmp, steward_url};
use crate::render::{Job, OutputFile, Renderer, data};
use crate::theme::{self, Theme};
use crate::write::{self, WriteError};

/// Written into the kit beside the site marker, so that the kit is told from a public site.
pub const KIT_MARKER: &str = ".hongguanjia-print";
const KIT_MARKER_TEXT: &str = "内部材料：此文件夹是 hongguanjia print 生成的打印材料，含红管家联系电话，不要放到公开网站上。\n";

/// Rows of a log sheet: what fits an A4 page below the head at a writable height.
const LOG_ROWS: usize = 16;

#[derive(Debug)]
pub enum PrintError {
    /// Problems in the records, settings or the chosen output folder: nothing was written.
    Input(Diagnostics),
    Render(Vec<String>),
    Leak(Vec<String>),
    /// `--pdf` and no browser, or the browser failed: nothing was written.
    Pdf(Vec<String>),
    /// The output folder is or touches the public site: nothing was written.
    Output(String),
    Write(WriteError),
}

/// One kind of paper in the kit, as the index page and the report list it.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub kind: &'static str,
    pub title: &'static str,
    pub purpose: &'static str,
    pub files: Vec<KitFile>,
    /// Items (boards, sheets, letters) over all files.
    pub items: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct KitFile {
    pub label: String,
    pub path: String,
    pub pdf: Option<String>,
    pub items: usize,
}

#[derive(Debug)]
pub struct PrintReport {
    pub output: PathBuf,
    pub groups: Vec<Group>,
    pub files: usize,
    pub pdf: Option<pdf::PdfReport>,
    pub seconds: f64,
    pub warnings: Diagnostics,
    /// Wall time per stage, for `HONGGUANJIA_TIMINGS=1`.
    pub timings: Vec<(&'static str, f64)>,
}

/// A path as the file system will take it: absolute, `.` and `..` worked out, and links
/// followed as far as the path exists, so that no spelling of the public folder slips by.
fn resolve(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut clean = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    let mut rest = Vec::new();
    let mut existing = clean.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            out.extend(rest.iter().rev());
            return out;
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return clean,
        }
    }
}

/// Whether an output folder may take the kit: never the public output, inside it, or
/// holding it, nor any folder of a site `build` wrote.
pub fn check_output(root: &Path, output: &Path) -> Result<(), String> {
    let public = resolve(&root.join("public"));
    let out = resolve(output);
    if out.starts_with(&public) || public.starts_with(&out) {
        return Err(format!(
            "{}: 打印材料含红管家的联系电话，是内部材料，不能放进公开网站的输出文件夹 {}，也不能放在包含它的文件夹里。请换一个文件夹，如 {}",
            output.display(),
            public.display(),
            root.join("print").display()
        ));
    }
    for dir in out.ancestors() {
        if dir.join(write::MARKER).is_file() && !dir.join(KIT_MARKER).is_file() {
            return Err(format!(
                "{}: {} 是 hongguanjia 生成的公开网站，打印材料不能放在里面。请换一个文件夹",
                output.display(),
                dir.display()
            ));
        }
    }
    Ok(())
}

/// Builds the kit for the site at `root` into `output` (default `<root>/print`).
pub fn print(
    root: &Path,
    output: Option<&Path>,
    want_pdf: bool,
    force: bool,
) -> Result<PrintReport, PrintError> {
    let started = Instant::now();
    let mut timings = Vec::new();
    let mut lap = started;
    let mut stage = |name: &'static str| {
        let now = Instant::now();
        timings.push((name, (now - lap).as_secs_f64()));
        lap = now;
    };
    let output = output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("print"));
    let mut diags = Diagnostics::new();
    let site = pipeline::load_site(root, &mut diags);
    let theme = site
        .as_ref()
        .map(|s| theme::load(root, &s.config.theme, &mut diags));
    let (Some(site), Some(theme), false) = (site, theme, diags.has_errors()) else {
        return Err(PrintError::Input(diags));
    };
    check_output(root, &output).map_err(PrintError::Output)?;
    // Found before anything is rendered: no browser, no kit, rather than half a kit.
    let browser = if want_pdf {
        Some(
            pdf::Browser::find(site.config.print.browser.as_deref())
                .map_err(|m| PrintError::Pdf(vec![m]))?,
        )
    } else {
        None
    };
    // Opened now, so that a folder that is not ours stops the run before any printing;
    // dropped on any error, it removes itself.
    let staging = write::Staging::begin(&output, force).map_err(PrintError::Write)?;

    stage("读取+检查+统计");
    let summary = data::summary(&site.registry, &site.figures);
    let renderer = Renderer::new(&theme, &globals(&site, &summary)).map_err(PrintError::Render)?;
    let plan = plan(&site, &theme, &renderer, want_pdf)?;
    stage("规划页面+二维码");
    let mut files = renderer
        .render_all(&theme, plan.jobs)
        .map_err(PrintError::Render)?;
    files.extend(plan.extras);
    stage("渲染");
    guard(&site, &theme, &files)?;
    stage("泄露检查");

    let mut pdf_report = None;
    if let Some(browser) = &browser {
        let printable: Vec<String> = plan
            .groups
            .iter()
            .flat_map(|g| g.files.iter().map(|f| f.path.clone()))
            .collect();
        let (pdfs, report) = pdf::print_all(browser, &output, &files, &printable, pdf_date(&site))
            .map_err(PrintError::Pdf)?;
        files.extend(pdfs);
        pdf_report = Some(report);
        stage("打印 PDF");
    }
    files.push(OutputFile {
        path: KIT_MARKER.to_string(),
        bytes: KIT_MARKER_TEXT.as_bytes().to_vec(),
    });

    staging.write(&files).map_err(PrintError::Write)?;
    staging.commit().map_err(PrintError::Write)?;
    stage("写入");
    Ok(PrintReport {
        timings,
        output,
        groups: plan.groups,
        files: files.len() + 1,
        pdf: pdf_report,
        seconds: started.elapsed().as_secs_f64(),
        warnings: diags,
    })
}

/// The date a PDF says it was made: the site's date, else the day of its latest record.
fn pdf_date(site: &Site) -> Option<crate::model::Date> {
    site.config.build_date().or(site.figures.as_of)
}

/// The leak guard, with the kit's rule: a steward's phone is allowed on boards and cards
/// when the steward has not opted out; nothing else private is allowed anywhere.
fn guard(site: &Site, theme: &Theme, files: &[OutputFile]) -> Result<(), PrintError> {
    let strict = Guard::new(site, &site.private, theme);
    let contacts: std::collections::HashSet<String> = site
        .registry
        .stewards
        .iter()
        .filter(|s| s.phone_on_board)
        .filter_map(|s| s.private.phone.as_deref().and_then(number_digits))
        .collect();
    let allowed = PrivateValues {
        texts: site.private.texts.clone(),
        numbers: site
            .private
            .numbers
            .iter()
            .filter(|(k, _)| !contacts.contains(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    let lenient = Guard::new(site, &allowed, theme);
    let (contact, other): (Vec<OutputFile>, Vec<OutputFile>) = files
        .iter()
        .cloned()
        .partition(|f| f.path.starts_with("boards/") || f.path.starts_with("cards/"));
    let mut leaks: Vec<String> = strict
        .scan(&other)
        .iter()
        .map(ToString::to_string)
        .collect();
    leaks.extend(lenient.scan(&contact).iter().map(ToString::to_string));
    if leaks.is_empty() {
        Ok(())
    } else {
        Err(PrintError::Leak(leaks))
    }
}

#[derive(Serialize)]
struct KitGlobals<'a> {
    title: &'a str,
    base_url: String,
    base_path: String,
    description: Option<&'a str>,
    subdistrict: &'a crate::config::Subdistrict,
    bulletin: &'a crate::config::BulletinSettings,
    build_date: Option<String>,
    /// The bulletin template's navigation has no free pages in the kit.
    pages: Vec<()>,
    door_knocking_day: u8,
    board_size: &'static str,
}

fn globals(site: &Site, summary: &data::Summary) -> Context {
    let c = &site.config;
    let globals = KitGlobals {
        title: &c.title,
        base_url: c.base_url_slash(),
        base_path: c.base_path(),
        description: c.description.as_deref(),
        subdistrict: &c.subdistrict,
        bulletin: &c.bulletin,
        build_date: c.build_date().map(|d| d.to_string()),
        pages: Vec::new(),
        door_knocking_day: c.print.door_knocking_day.unwrap_or(20),
        board_size: match c.print.board_size {
            BoardSize::A4 => "A4",
            BoardSize::A3 => "A3",
        },
    };
    let mut context = Context::new();
    context.insert("site", &globals);
    context.insert("stats", summary);
    context.insert("has_bulletins", &!site.bulletins.is_empty());
    context
}

/// A steward as the papers show them.
#[derive(Debug, Clone, Serialize)]
struct Contact {
    id: String,
    name: String,
    phone: Option<String>,
    photo: Option<String>,
    grid: Option<String>,
    membership: &'static str,
    buildings: Vec<String>,
}

/// One covered building and its stewards.
#[derive(Debug, Clone, Serialize)]
struct Board {
    building: String,
    stewards: Vec<Contact>,
    grids: Vec<String>,
    any_phone: bool,
    url: String,
    qr: qr::Qr,
    /// The same code as a whole inline SVG, for the board.
    qr_svg: String,
}

#[derive(Serialize)]
struct CommunityHead<'a> {
    id: &'a str,
    name: &'a str,
    party_org: Option<&'a str>,
}

#[derive(Serialize)]
struct Letter {
    steward: String,
    workplace: Option<String>,
    batch: String,
    batch_date: Option<String>,
    citation: Option<String>,
    community: String,
    buildings: Vec<String>,
    joined: Option<String>,
    households_visited: u64,
    cases: u64,
    issuer: String,
    date: Option<String>,
}

struct Plan<'a> {
    jobs: Vec<Job<'a>>,
    extras: Vec<OutputFile>,
    groups: Vec<Group>,
}

/// A steward's phone as printed: digits grouped 3-4-4 for reading aloud.
fn phone_text(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 11 {
        format!("{} {} {}", &digits[..3], &digits[3..7], &digits[7..])
    } else {
        phone.trim().to_string()
    }
}

/// What the site's `static/photos/` holds, as kit files.
fn photos(site: &Site) -> BTreeMap<String, OutputFile> {
    let mut out = BTreeMap::new();
    for s in &site.registry.stewards {
        let path = site
            .root
            .join("static/photos")
            .join(format!("{}.jpg", s.id));
        if let Ok(bytes) = std::fs::read(&path) {
            out.insert(
                s.id.clone(),
                OutputFile {
                    path: format!("photos/{}.jpg", s.id),
                    bytes,
                },
            );
        }
    }
    out
}

fn plan<'a>(
    site: &'a Site,
    theme: &Theme,
    renderer: &Renderer,
    want_pdf: bool,
) -> Result<Plan<'a>, PrintError> {
    let reg = &site.registry;
    let base = site.config.base_url_slash();
    let photos = photos(site);
    let contact = |i: usize| {
        let s = &reg.stewards[i];
        Contact {
            id: s.id.clone(),
            name: s.name.clone(),
            phone: s
                .private
                .phone
                .as_deref()
                .filter(|_| s.phone_on_board)
                .map(phone_text),
            photo: photos.get(&s.id).map(|f| format!("../{}", f.path)),
            grid: s.grid.clone(),
            membership: s.membership.label(),
            buildings: s.buildings.clone(),
        }
    };

    // Covered buildings per community, in the order people look them up.
    let mut buildings: Vec<BTreeMap<String, Vec<usize>>> =
        vec![BTreeMap::new(); reg.communities.len()];
    for (i, s) in reg.stewards.iter().enumerate() {
        for b in &s.buildings {
            let list = buildings[s.community].entry(b.clone()).or_default();
            if !list.contains(&i) {
                list.push(i);
            }
        }
    }
    let mut order: Vec<usize> = (0..reg.communities.len()).collect();
    order.sort_by(|a, b| reg.communities[*a].id.cmp(&reg.communities[*b].id));

    let pdf_of = |path: &str| want_pdf.then(|| pdf::pdf_path(path));
    let mut jobs = Vec::new();
    let mut errors = Vec::new();
    let (mut boards_g, mut cards_g, mut logs_g) = (
        group(
            "boards",
            "公示牌",
            "贴在每个楼道口，告诉居民本楼的红管家是谁、怎么联系、管哪些事；每个有红管家联系的楼幢一张。",
        ),
        group(
            "cards",
            "联户卡",
            "发给楼里每一户。每个楼幢一张 A4 纸，印四张 A6 卡片，沿虚线裁开；按户数复印。",
        ),
        group(
            "logs",
            "红管家日志",
            "红管家每月一张，随身带，走访和办事时手写记录，月底交社区汇总。",
        ),
    );
    for &ci in &order {
        let c = &reg.communities[ci];
        let head = CommunityHead {
            id: &c.id,
            name: &c.name,
            party_org: c.party_org.as_deref(),
        };
        let mut boards = Vec::new();
        let mut names: Vec<&String> = buildings[ci].keys().collect();
        names.sort_by(|a, b| natural_cmp(a, b));
        for b in names {
            let stewards = &buildings[ci][b];
            // One steward: their own page; several, or one who is not shown by name on
            // the public site: the community page, which lists them all.
            let url = match stewards.as_slice() {
                [one] if reg.stewards[*one].public => {
                    format!("{base}{}", steward_url(&reg.stewards[*one].id))
                }
                _ => format!("{base}{}", community_url(&c.id)),
            };
            let mut grids: Vec<String> = stewards
                .iter()
                .filter_map(|i| reg.stewards[*i].grid.clone())
                .collect();
            grids.sort();
            grids.dedup();
            let contacts: Vec<Contact> = stewards.iter().map(|i| contact(*i)).collect();
            boards.push(Board {
                building: b.clone(),
                any_phone: contacts.iter().any(|c| c.phone.is_some()),
                stewards: contacts,
                grids,
                url,
                qr_svg: String::new(),
                qr: qr::Qr::default(),
            });
        }
        // Encoding is most of the planning time of a city's kit: one code per board, in parallel.
        let codes: Vec<Result<qr::Qr, String>> =
            boards.par_iter().map(|b| qr::encode(&b.url)).collect();
        for (board, code) in boards.iter_mut().zip(codes) {
            match code {
                Ok(code) => {
                    board.qr_svg = qr::svg(&code);
                    board.qr = code;
                }
                Err(e) => errors.push(e),
            }
        }
        if !boards.is_empty() {
            let path = format!("boards/{}.html", c.id);
            let mut job = Job::new(path.clone(), "print/boards.html");
            job.context.insert("community", &head);
            job.context.insert("boards", &boards);
            jobs.push(job);
            boards_g.add(&c.name, &path, pdf_of(&path), boards.len());

            let path = format!("cards/{}.html", c.id);
            let mut job = Job::new(path.clone(), "print/cards.html");
            job.context.insert("community", &head);
            job.context.insert("boards", &boards);
            jobs.push(job);
            cards_g.add(&c.name, &path, pdf_of(&path), boards.len());
        }

        let mut stewards: Vec<Contact> = reg
            .stewards
            .iter()
            .enumerate()
            .filter(|(_, s)| s.community == ci)
            .map(|(i, _)| {
                // The log is the steward's own: no phone needed on it.
                let mut k = contact(i);
                k.phone = None;
                k
            })
            .collect();
        stewards.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        if !stewards.is_empty() {
            let path = format!("logs/{}.html", c.id);
            let mut job = Job::new(path.clone(), "print/logs.html");
            job.context.insert("community", &head);
            job.context.insert("stewards", &stewards);
            job.context.insert("rows", &vec![(); LOG_ROWS]);
            jobs.push(job);
            logs_g.add(&c.name, &path, pdf_of(&path), stewards.len());
        }
    }

    let mut letters_g = group(
        "letters",
        "感谢信",
        "以街道党组织名义寄给受表彰的在职党员红管家的工作单位党组织，盖章后寄出；建议对方把社区表现纳入考评。",
    );
    let issuer = site
        .config
        .print
        .letter_issuer
        .clone()
        .or_else(|| site.config.subdistrict.committee.clone())
        .unwrap_or_default();
    let mut batches: Vec<&crate::model::Batch> = site.batches.iter().collect();
    batches.sort_by(|a, b| a.id.cmp(&b.id));
    for batch in batches {
        let letters: Vec<Letter> = batch
            .stewards
            .iter()
            .filter(|i| reg.stewards[**i].membership == Membership::InService)
            .map(|&i| {
                let s = &reg.stewards[i];
                Letter {
                    steward: s.name.clone(),
                    workplace: s.workplace.clone(),
                    batch: batch.title.clone(),
                    batch_date: batch.date.map(|d| d.to_string()),
                    citation: batch
                        .citations
                        .iter()
                        .find(|(j, _)| *j == i)
                        .map(|(_, c)| c.clone()),
                    community: reg.communities[s.community].name.clone(),
                    buildings: s.buildings.clone(),
                    joined: s.joined.map(|d| d.to_string()),
                    households_visited: site.figures.by_steward[i].households_visited,
                    cases: site.figures.by_steward[i].cases,
                    issuer: batch.issuer.clone().unwrap_or_else(|| issuer.clone()),
                    date: batch
                        .date
                        .or_else(|| site.config.build_date())
                        .map(|d| d.to_string()),
                }
            })
            .collect();
        if letters.is_empty() {
            continue;
        }
        let path = format!("letters/{}.html", batch.id);
        let mut job = Job::new(path.clone(), "print/letters.html");
        job.context.insert("letters", &letters);
        job.context.insert("batch_title", &batch.title);
        jobs.push(job);
        letters_g.add(&batch.title, &path, pdf_of(&path), letters.len());
    }

    let mut bulletins_g = group(
        "bulletins",
        "简报",
        "与公开网站上的简报相同，按 GB/T 9704 版式印制分送。",
    );
    let allow = site.config.privacy.allow_raw_html;
    for b in &site.bulletins {
        match renderer.render_markdown(&b.body, allow) {
            Ok(html) => {
                let path = format!("bulletins/{}/index.html", b.slug);
                let mut job = Job::new(path.clone(), "bulletin.html");
                job.context.insert("bulletin", b);
                job.context.insert("body", &html);
                jobs.push(job);
                let label = match b.issue {
                    Some(n) => format!("第{n}期 {}", b.title),
                    None => b.title.clone(),
                };
                bulletins_g.add(&label, &path, pdf_of(&path), 1);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(PrintError::Render(errors));
    }

    let groups: Vec<Group> = [boards_g, cards_g, logs_g, letters_g, bulletins_g]
        .into_iter()
        .filter(|g| !g.files.is_empty())
        .collect();
    let mut index = Job::new("index.html".to_string(), "print/index.html");
    index.context.insert("groups", &groups);
    index.context.insert("pdf", &want_pdf);
    jobs.push(index);
    let mut css = Job::new("assets/print.css".to_string(), "print/print.css");
    css.context
        .insert("board_size", &site.config.print.board_size);
    jobs.push(css);

    let mut extras: Vec<OutputFile> = photos.into_values().collect();
    // The bulletins are the public site's pages and take its stylesheet.
    extras.extend(
        theme
            .statics()
            .filter(|(name, _)| name.ends_with(".css"))
            .map(|(name, bytes)| OutputFile {
                path: name.to_string(),
                bytes: bytes.to_vec(),
            }),
    );
    Ok(Plan {
        jobs,
        extras,
        groups,
    })
}

fn group(kind: &'static str, title: &'static str, purpose: &'static str) -> Group {
    Group {
        kind,
        title,
        purpose,
        files: Vec::new(),
        items: 0,
    }
}

impl Group {
    fn add(&mut self, label: &str, path: &str, pdf: Option<String>, items: usize) {
        self.files.push(KitFile {
            label: label.to_string(),
            path: path.to_string(),
            pdf,
            items,
        });
        self.items += items;
    }
}
