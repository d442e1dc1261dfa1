//! Rendering: a flat list of [`routes::Page`]s ([`plan`]), rendered in parallel by Tera
//! from the theme, each page's context made on its rendering thread ([`context`]). The
//! data every page shares (site settings, headline figures) is serialized once into
//! Tera's global context. Steward pages and case lists are written by [`compiled`] code
//! instead while the theme keeps their built-in templates.

pub(crate) mod compiled;
pub(crate) mod context;
pub(crate) mod data;
pub(crate) mod extra;
pub(crate) mod markdown;
pub(crate) mod plan;
pub(crate) mod rollup;
pub(crate) mod routes;
pub(crate) mod search;
pub(crate) mod slugs;
pub(crate) mod stages;
pub(crate) mod views;

use rayon::prelude::*;
use tera::{Context, Kwargs, State, Tera};

use serde::Serialize;

use self::plan::Plan;
use self::routes::Page;
use crate::config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::fingerprint::{Key, Keyed};
use crate::site::Site;
use crate::theme::Theme;

pub(crate) use crate::write::OutputFile;

pub(crate) struct Renderer {
    tera: Tera,
    /// The page kinds written by Rust code for this theme (`compiled`).
    compiled: compiled::Compiled,
    /// Per template, the size of the last page rendered from it: the next page's buffer
    /// starts that large, so a 20 KB page is not copied through a dozen doublings.
    sizes: rustc_hash::FxHashMap<String, std::sync::atomic::AtomicUsize>,
}

#[derive(Serialize)]
struct SiteGlobals<'a> {
    title: &'a str,
    base_url: String,
    base_path: String,
    description: Option<&'a str>,
    subdistrict: &'a config::Subdistrict,
    bulletin: &'a config::BulletinSettings,
    footer: &'a config::FooterSettings,
    /// Where the footer's filings link to.
    icp_url: &'static str,
    police_url: &'static str,
    build_date: Option<String>,
    /// Free pages, for the navigation.
    pages: Vec<routes::NavLink>,
    /// A roll-up site: no communities, cases or feeds of its own.
    rollup: bool,
}

/// Every page's shared data: site settings and the headline figures, serialized once,
/// with its fingerprint (every page's key includes it).
pub(crate) fn globals<'a>(site: &'a Site, summary: &'a data::Summary) -> Keyed<'a> {
    let pages = routes::free_pages(site).collect();
    let mut context = site_globals(&site.config, pages, false);
    context.insert("nav", routes::nav(site));
    context.insert("stats", summary);
    context.insert("has_bulletins", !site.bulletins.is_empty());
    context
}

/// The `site` global, the same for a site and a roll-up.
fn site_globals(
    config: &config::SiteConfig,
    pages: Vec<routes::NavLink>,
    rollup: bool,
) -> Keyed<'_> {
    let globals = SiteGlobals {
        title: &config.title,
        base_url: config.base_url_slash(),
        base_path: config.base_path(),
        description: config.description.as_deref(),
        subdistrict: &config.subdistrict,
        bulletin: &config.bulletin,
        footer: &config.footer,
        icp_url: config::ICP_FILING_URL,
        police_url: config::POLICE_FILING_URL,
        build_date: config.build_date().map(|d| d.to_string()),
        pages,
        rollup,
    };
    let mut context = Keyed::new();
    context.insert("site", globals);
    context.insert("search_url", routes::SEARCH);
    // The print kit renders the public bulletin template too, without the site's navigation.
    context.insert("kit", false);
    context
}

/// Template files the renderer escapes: everything it renders.
const ESCAPED: [&str; 5] = [".html", ".htm", ".xml", ".svg", ".txt"];

/// What escapes and which filters every Tera of the renderer has.
fn configure(tera: &mut Tera) {
    tera.autoescape_on(ESCAPED);
    tera.register_filter("percent", percent);
    tera.register_filter("cn_date", cn_date);
    tera.register_filter("big_number", crate::numbers::filter);
}

impl Renderer {
    pub(crate) fn new(theme: &Theme, globals: &Context) -> Result<Self, Diagnostics> {
        let mut tera = Tera::new();
        configure(&mut tera);
        let mut errors = Diagnostics::new();
        let mut templates = Vec::new();
        for (name, bytes) in theme.templates() {
            match std::str::from_utf8(bytes) {
                Ok(text) => templates.push((name.to_string(), text.to_string())),
                Err(_) => errors.error(
                    &theme.origin(&format!("templates/{name}")),
                    1,
                    "模板文件不是 UTF-8 编码",
                ),
            }
        }
        if let Err(err) = tera.add_raw_templates(templates.iter().cloned()) {
            // Tera stops at the first broken template. Parsing each one alone finds the
            // syntax errors of all of them; only when there are none is the first error
            // (a missing parent, an unknown filter) the one to report.
            let mut syntax = Vec::new();
            for (name, text) in &templates {
                let mut alone = Tera::new();
                if let Err(e) = alone.add_raw_template(name, text)
                    && matches!(e.kind(), tera::ErrorKind::SyntaxError(_))
                {
                    syntax.extend(describe(theme, &e));
                }
            }
            if syntax.is_empty() {
                syntax = describe(theme, &err);
            }
            syntax.into_iter().for_each(|d| errors.push(d));
        }
        if errors.has_errors() {
            return Err(errors);
        }
        tera.global_context().extend(globals.clone());
        let sizes = templates
            .into_iter()
            .map(|(name, _)| (name, std::sync::atomic::AtomicUsize::new(0)))
            .collect();
        Ok(Renderer {
            tera,
            compiled: compiled::Compiled::new(theme, globals),
            sizes,
        })
    }

    /// A bulletin's or page's body: its `{{ stats.… }}` values filled in, then Markdown.
    pub(crate) fn render_markdown(
        &self,
        doc: &crate::model::Document,
        allow_raw_html: bool,
    ) -> Result<String, Diagnostic> {
        let filled = self
            .tera
            .render_str(&doc.markdown, &Context::new(), false)
            .map_err(|err| match err.kind() {
                tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
                    let line = doc.first_line as usize + r.span().start_line.max(1) - 1;
                    let line = u32::try_from(line).unwrap_or(u32::MAX);
                    Diagnostic::error(
                        &doc.path,
                        line,
                        format!("模板值有误：{}", in_chinese(r.message())),
                    )
                }
                _ => Diagnostic::error(&doc.path, doc.first_line, format!("模板值有误：{err}")),
            })?;
        Ok(markdown::to_html(&filled, allow_raw_html))
    }

    /// Renders one page of `template` at `path` with its own context.
    pub(crate) fn render_one(
        &self,
        theme: &Theme,
        template: &str,
        path: &str,
        context: &Context,
    ) -> Result<OutputFile, Vec<Diagnostic>> {
        self.tera
            .render(template, context)
            .map(|text| OutputFile {
                path: path.to_string(),
                bytes: text.into_bytes(),
            })
            .map_err(|err| describe(theme, &err))
    }

    /// Renders every page, each with the context made for it on its rendering thread; the
    /// output order is the page order, whatever the thread count. A page whose key (its
    /// context, with `stamp`) is the one `previous` recorded for its path, and whose file
    /// is intact there, is not rendered: it is listed as kept.
    pub(crate) fn render_all(
        &self,
        theme: &Theme,
        plan: &Plan<'_>,
        pages: &[Page],
        stamp: Key,
        previous: Option<&crate::manifest::Previous>,
    ) -> Result<crate::write::Batch, Diagnostics> {
        enum Made {
            File(OutputFile, Key),
            Kept(String, Key),
        }
        let results: Vec<Result<Made, Vec<Diagnostic>>> = pages
            .par_iter()
            .map(|page| {
                let path = page.path(plan.site);
                let template = page.template();
                let prepared = context::prepare(plan, page, &path);
                let key = crate::fingerprint::combine(&[
                    stamp,
                    crate::fingerprint::of_bytes(template.as_bytes()),
                    prepared.key(),
                ]);
                if previous.is_some_and(|p| p.unchanged(&path, key)) {
                    drop(prepared);
                    return Ok(Made::Kept(path, key));
                }
                self.render_prepared(template, prepared)
                    .map(|bytes| Made::File(OutputFile { path, bytes }, key))
                    .map_err(|err| describe(theme, &err))
            })
            .collect();
        let mut batch = crate::write::Batch::default();
        let mut errors = Diagnostics::new();
        for r in results {
            match r {
                Ok(Made::File(f, key)) => {
                    batch.files.push(f);
                    batch.keys.push(Some(key));
                }
                Ok(Made::Kept(path, key)) => batch.kept.push((path, key)),
                Err(e) => e.into_iter().for_each(|d| errors.push(d)),
            }
        }
        if !errors.has_errors() {
            Ok(batch)
        } else {
            Err(errors)
        }
    }

    /// One page of the site, as `render_all` renders it: `serve` renders each page it is
    /// asked for this way, so that it sends the bytes `build` writes.
    pub(crate) fn render_page(
        &self,
        theme: &Theme,
        plan: &Plan<'_>,
        page: &Page,
        path: &str,
    ) -> Result<OutputFile, Vec<Diagnostic>> {
        let template = page.template();
        self.render_prepared(template, context::prepare(plan, page, path))
            .map(|bytes| OutputFile {
                path: path.to_string(),
                bytes,
            })
            .map_err(|err| describe(theme, &err))
    }

    /// A page's bytes from its data: written by the compiled code when its kind is
    /// compiled for this theme, by Tera from `template` otherwise.
    fn render_prepared(
        &self,
        template: &str,
        prepared: context::Prepared<'_>,
    ) -> tera::TeraResult<Vec<u8>> {
        use std::sync::atomic::Ordering::Relaxed;
        let compiled = {
            let size = self.sizes.get(template);
            let hint = size.map_or(0, |s| s.load(Relaxed));
            let hint = hint + hint / 8;
            let bytes = match &prepared {
                context::Prepared::Steward(p) => self.compiled.steward(p, hint),
                context::Prepared::CaseList(p) => self.compiled.case_list(p, hint),
                context::Prepared::Other(_) => None,
            };
            if let (Some(bytes), Some(size)) = (&bytes, size) {
                size.store(bytes.len(), Relaxed);
            }
            bytes
        };
        match compiled {
            Some(bytes) => Ok(bytes),
            None => self.render_bytes(template, &prepared.into_context()),
        }
    }

    /// A page's bytes, straight from Tera's writer: templates and values are UTF-8
    /// already, and a second pass to prove it again over a city's gigabyte of pages
    /// (what `Tera::render` does to return a `String`) was 3% of a build's time.
    fn render_bytes(&self, template: &str, context: &Context) -> tera::TeraResult<Vec<u8>> {
        use std::sync::atomic::Ordering::Relaxed;
        let size = self.sizes.get(template);
        let hint = size.map_or(0, |s| s.load(Relaxed));
        let mut bytes = Vec::with_capacity(hint + hint / 8);
        self.tera.render_to(template, context, &mut bytes)?;
        if let Some(size) = size {
            size.store(bytes.len(), Relaxed);
        }
        Ok(bytes)
    }

    /// The fingerprint of everything every page's bytes depend on besides its own
    /// context: the program, the theme's templates and the global context.
    pub(crate) fn stamp(theme: &Theme, globals: Key) -> Key {
        let mut templates: Vec<(&str, &[u8])> = theme.templates().collect();
        templates.sort();
        let mut parts = vec![crate::fingerprint::program(), globals];
        for (name, bytes) in templates {
            parts.push(crate::fingerprint::of_bytes(name.as_bytes()));
            parts.push(crate::fingerprint::of_bytes(bytes));
        }
        crate::fingerprint::combine(&parts)
    }

    /// Renders each item as the path, template and context `make` gives it, in parallel;
    /// every template error is reported. Other page sets (the print kit) use it with
    /// their own routes and contexts.
    pub(crate) fn render_each<T: Sync>(
        &self,
        theme: &Theme,
        items: &[T],
        make: impl Fn(&T) -> (String, &'static str, Context) + Sync,
    ) -> Result<Vec<OutputFile>, Diagnostics> {
        let results: Vec<Result<OutputFile, Vec<Diagnostic>>> = items
            .par_iter()
            .map(|item| {
                let (path, template, context) = make(item);
                self.tera
                    .render(template, &context)
                    .map(|text| OutputFile {
                        path,
                        bytes: text.into_bytes(),
                    })
                    .map_err(|err| describe(theme, &err))
            })
            .collect();
        let mut files = Vec::with_capacity(results.len());
        let mut errors = Diagnostics::new();
        for r in results {
            match r {
                Ok(f) => files.push(f),
                Err(e) => e.into_iter().for_each(|d| errors.push(d)),
            }
        }
        if !errors.has_errors() {
            Ok(files)
        } else {
            Err(errors)
        }
    }
}

/// Turns a Tera error into diagnostics at `path:line`, naming the template file the user
/// has.
fn describe(theme: &Theme, err: &tera::Error) -> Vec<Diagnostic> {
    match err.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            vec![Diagnostic::error(
                theme.origin(&format!("templates/{}", report.filename())),
                u32::try_from(report.span().start_line.max(1)).unwrap_or(u32::MAX),
                format!("模板错误：{}", in_chinese(report.message())),
            )]
        }
        _ => {
            // Validation errors arrive as rendered reports: "error: …" then " --> name:line:col".
            let text = err.to_string();
            let located: Vec<Diagnostic> = text
                .split("\n\n")
                .filter_map(|report| {
                    let message = report.lines().next()?.trim().trim_start_matches("error: ");
                    let place = report.lines().find_map(|l| l.trim().strip_prefix("--> "))?;
                    let mut parts = place.rsplitn(3, ':');
                    let (_col, line, name) = (parts.next()?, parts.next()?, parts.next()?);
                    Some(Diagnostic::error(
                        theme.origin(&format!("templates/{name}")),
                        line.parse().unwrap_or(1),
                        format!("模板错误：{}", in_chinese(message)),
                    ))
                })
                .collect();
            if located.is_empty() {
                vec![Diagnostic::error(
                    "templates",
                    0,
                    format!("模板错误：{}", text.trim()),
                )]
            } else {
                located
            }
        }
    }
}

/// Tera's messages about names a template uses, in Chinese, with the nearest name the
/// context has as a hint: `Field `resolvd` is not defined. Available fields: id, resolved`
/// → `没有字段 resolvd。是不是 resolved？可用的字段：id、resolved`. Other messages are
/// Tera's own.
fn in_chinese(message: &str) -> String {
    let named = |prefix: &str| -> Option<(&str, &str)> {
        let rest = message.strip_prefix(prefix)?;
        let (name, rest) = rest.split_once('`')?;
        Some((name, rest))
    };
    let listed = |rest: &str, label: &str| -> Option<Vec<String>> {
        let list = rest.split_once(label)?.1.trim().trim_end_matches('.');
        Some(list.split(", ").map(str::to_string).collect())
    };
    let explain = |what: &str, name: &str, options: Option<Vec<String>>| {
        let mut text = format!("没有{what} {name}。");
        if let Some(options) = options {
            if let Some(near) = nearest(name, &options) {
                text.push_str(&format!("是不是 {near}？"));
            }
            text.push_str(&format!("可用的{what}：{}", options.join("、")));
        }
        text
    };
    if let Some((name, rest)) = named("Field `")
        && rest.starts_with(" is not defined")
    {
        return explain("字段", name, listed(rest, "Available fields:"));
    }
    if let Some((name, rest)) = named("Variable `") {
        if rest.starts_with(" exists but its value is undefined") {
            return format!("变量 {name} 存在，但没有值");
        }
        if rest.starts_with(" is not defined") {
            return explain("变量", name, listed(rest, "Available variables:"));
        }
    }
    if let Some(name) = message
        .strip_prefix("Template '")
        .and_then(|r| r.strip_suffix("' not found"))
    {
        return format!("找不到模板 {name}");
    }
    if let Some(name) = message
        .strip_prefix("Filter `")
        .and_then(|r| r.split_once('`'))
        .map(|(n, _)| n)
        && message.contains("not found")
    {
        return format!("没有过滤器 {name}");
    }
    if message == "Unknown tag" {
        return "不认识的标签（是不是前面少了 {% endfor %}、{% endif %} 之类的结束标签？）"
            .to_string();
    }
    if let Some(rest) = message.strip_prefix("Found ")
        && let Some((found, expected)) = rest
            .split_once(" but expected ")
            .or_else(|| rest.split_once(" but was expecting "))
    {
        return format!("这里是 {found}，应为 {}", expected.trim_end_matches('.'));
    }
    if let Some((end, start)) = message
        .strip_prefix("Closing tag '")
        .and_then(|r| r.split_once("' doesn't match opening tag '"))
    {
        return format!(
            "结束标签 {end} 与开始标签 {} 不配对",
            start.trim_end_matches('\'')
        );
    }
    message.to_string()
}

/// The option closest to `name` by edit distance, when it is close enough to be a typo.
fn nearest<'a>(name: &str, options: &'a [String]) -> Option<&'a str> {
    let name: Vec<char> = name.chars().collect();
    options
        .iter()
        .map(|o| (edit_distance(&name, &o.chars().collect::<Vec<_>>()), o))
        .filter(|(d, o)| *d <= (o.chars().count().max(name.len()) / 3).max(1))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, o)| o.as_str())
}

/// Levenshtein distance.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// `0.4473` → `44.7%`.
fn percent(value: f64, _: Kwargs, _: &State) -> String {
    format!("{:.1}%", value * 100.0)
}

/// `2018-12-10` → `2018年12月10日`; anything else is shown as it is.
fn cn_date(value: &str, _: Kwargs, _: &State) -> String {
    cn_date_text(value)
}

/// The filter `cn_date`, for the compiled pages too.
fn cn_date_text(value: &str) -> String {
    crate::validate::values::parse_date(value)
        .map(|d| d.chinese())
        .unwrap_or_else(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_get_the_nearest_name_as_a_hint() {
        assert_eq!(
            in_chinese("Field `resolvd` is not defined. Available fields: id, resolved, status"),
            "没有字段 resolvd。是不是 resolved？可用的字段：id、resolved、status"
        );
        assert_eq!(
            in_chinese("Variable `sitee` is not defined. Available variables: root, site"),
            "没有变量 sitee。是不是 site？可用的变量：root、site"
        );
        assert_eq!(
            in_chinese("Found `}` but expected }}."),
            "这里是 `}`，应为 }}"
        );
        // Nothing close: no guess, only the list.
        assert_eq!(
            in_chinese("Field `zzz` is not defined. Available fields: id, resolved"),
            "没有字段 zzz。可用的字段：id、resolved"
        );
    }
}
