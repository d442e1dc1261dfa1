//! Step 4 of the pipeline: a flat list of render jobs, rendered in parallel by Tera from
//! the theme. The data every page shares (site settings, headline figures) is serialized
//! once into Tera's global context; each job carries only its own data.

pub mod data;
pub mod markdown;
pub mod pages;
pub mod search;
pub mod views;

use rayon::prelude::*;
use tera::{Context, Kwargs, State, Tera};

use crate::theme::Theme;

/// A file of the finished site, by its path relative to the output folder.
#[derive(Debug, Clone)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// One page to render: which template, where to, with what.
pub struct Job<'a> {
    pub path: String,
    pub template: &'static str,
    pub context: Context,
    /// Context made on the rendering thread just before the page is rendered, for values
    /// too costly to hold for every page at once (a steward page's chart, say).
    pub deferred: Option<Deferred<'a>>,
}

/// See [`Job::deferred`].
pub type Deferred<'a> = Box<dyn FnOnce(&mut Context) + Send + 'a>;

impl Job<'_> {
    /// A job whose links are relative to the page's own folder, so the site works from
    /// any sub-folder of a web server and from disk.
    pub fn new(path: String, template: &'static str) -> Self {
        let depth = path.matches('/').count();
        let mut context = Context::new();
        context.insert("root", &"../".repeat(depth));
        context.insert("path", &path);
        Job {
            path,
            template,
            context,
            deferred: None,
        }
    }
}

pub struct Renderer {
    tera: Tera,
}

/// Template files the renderer escapes: everything it renders.
const ESCAPED: [&str; 5] = [".html", ".htm", ".xml", ".svg", ".txt"];

impl Renderer {
    pub fn new(theme: &Theme, globals: &Context) -> Result<Self, Vec<String>> {
        let mut tera = Tera::new();
        tera.autoescape_on(ESCAPED);
        tera.register_filter("percent", percent);
        tera.register_filter("cn_date", cn_date);
        let mut errors = Vec::new();
        let mut templates = Vec::new();
        for (name, bytes) in theme.templates() {
            match std::str::from_utf8(bytes) {
                Ok(text) => templates.push((name.to_string(), text.to_string())),
                Err(_) => errors.push(format!(
                    "{}:1: 模板文件不是 UTF-8 编码",
                    theme.origin(&format!("templates/{name}"))
                )),
            }
        }
        if let Err(err) = tera.add_raw_templates(templates) {
            errors.push(describe(theme, &err));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        tera.global_context().extend(globals.clone());
        Ok(Renderer { tera })
    }

    /// A bulletin's or page's body: its `{{ stats.… }}` values filled in, then Markdown.
    pub fn render_markdown(
        &self,
        doc: &crate::model::Document,
        allow_raw_html: bool,
    ) -> Result<String, String> {
        let filled = self
            .tera
            .render_str(&doc.markdown, &Context::new(), false)
            .map_err(|err| match err.kind() {
                tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
                    let line = doc.first_line as usize + r.span().start_line.max(1) - 1;
                    format!("{}:{}: 模板值有误：{}", doc.path, line, r.message())
                }
                _ => format!("{}:{}: 模板值有误：{err}", doc.path, doc.first_line),
            })?;
        Ok(markdown::to_html(&filled, allow_raw_html))
    }

    /// Renders every job; the output order is the job order, whatever the thread count.
    pub fn render_all(
        &self,
        theme: &Theme,
        jobs: Vec<Job>,
    ) -> Result<Vec<OutputFile>, Vec<String>> {
        let results: Vec<Result<OutputFile, String>> = jobs
            .into_par_iter()
            .map(|mut job| {
                if let Some(fill) = job.deferred.take() {
                    fill(&mut job.context);
                }
                self.tera
                    .render(job.template, &job.context)
                    .map(|text| OutputFile {
                        path: job.path,
                        bytes: text.into_bytes(),
                    })
                    .map_err(|err| describe(theme, &err))
            })
            .collect();
        let mut files = Vec::with_capacity(results.len());
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(f) => files.push(f),
                Err(e) => {
                    if !errors.contains(&e) {
                        errors.push(e);
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(files)
        } else {
            Err(errors)
        }
    }
}

/// Turns a Tera error into `path:line: message`, naming the template file the user has.
fn describe(theme: &Theme, err: &tera::Error) -> String {
    match err.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            format!(
                "{}:{}: 模板错误：{}",
                theme.origin(&format!("templates/{}", report.filename())),
                report.span().start_line.max(1),
                report.message()
            )
        }
        _ => {
            // Validation errors arrive as rendered reports: "error: …" then " --> name:line:col".
            let text = err.to_string();
            let located: Vec<String> = text
                .split("\n\n")
                .filter_map(|report| {
                    let message = report.lines().next()?.trim().trim_start_matches("error: ");
                    let place = report.lines().find_map(|l| l.trim().strip_prefix("--> "))?;
                    let mut parts = place.rsplitn(3, ':');
                    let (_col, line, name) = (parts.next()?, parts.next()?, parts.next()?);
                    Some(format!(
                        "{}:{}: 模板错误：{}",
                        theme.origin(&format!("templates/{name}")),
                        line,
                        message
                    ))
                })
                .collect();
            if located.is_empty() {
                format!("模板错误：{}", text.trim())
            } else {
                located.join("\n")
            }
        }
    }
}

/// `0.4473` → `44.7%`.
fn percent(value: f64, _: Kwargs, _: &State) -> String {
    format!("{:.1}%", value * 100.0)
}

/// `2018-12-10` → `2018年12月10日`; anything else is shown as it is.
fn cn_date(value: &str, _: Kwargs, _: &State) -> String {
    crate::validate::values::parse_date(value)
        .map(|d| d.chinese())
        .unwrap_or_else(|| value.to_string())
}
