//! Steward pages and case lists, nine in ten of a city's pages, written by Rust code
//! straight into the page's bytes instead of by Tera from the theme's templates.
//!
//! MUST CHANGE TOGETHER: the code below follows, tag by tag and space by space, the
//! built-in templates `steward.html`, `cases.html`, `partials/month_table.html` and
//! `partials/case_table.html` (themes/default/templates/). Those files stay the
//! documented source a user copies to override a page, and whoever changes one of them
//! changes the function here that writes it. The tests of this module render every steward
//! page and every case list of the sample site and of a site of awkward values both ways,
//! here and by Tera from the built-in templates, and fail on any byte that differs.
//!
//! Everything around a page's own content (`base.html` and `partials/footer.html`)
//! depends only on the global context, the page's `root` and its title: Tera renders it
//! once per build ([`Frame`]) with stand-ins for those three, and each page is written
//! into its pieces. A site whose theme has its own version of any template a page kind
//! uses (even `base.html`) gets that kind from Tera, as before; so does every other kind
//! of page.

use std::fmt::Write as _;

use super::context::cases::CaseListPage;
use super::context::stewards::StewardPage;
use super::views::{CaseRow, MonthRow};
use crate::theme::Theme;

#[cfg(test)]
mod tests;

/// Which page kinds are written here for this build's theme, and the frame they share.
pub(crate) struct Compiled {
    frame: Option<Frame>,
    steward: bool,
    cases: bool,
}

/// The templates each compiled page kind follows, besides the frame's.
const STEWARD_TEMPLATES: [&str; 3] = [
    "steward.html",
    "partials/month_table.html",
    "partials/case_table.html",
];
const CASES_TEMPLATES: [&str; 2] = ["cases.html", "partials/case_table.html"];
const FRAME_TEMPLATES: [&str; 2] = ["base.html", "partials/footer.html"];

impl Compiled {
    /// What can be compiled for `theme`: a page kind whose templates are all the built-in
    /// ones, when the frame could be made from the global context.
    pub(crate) fn new(theme: &Theme, globals: &tera::Context) -> Compiled {
        let builtin = |names: &[&str]| {
            names
                .iter()
                .all(|name| theme.is_builtin(&format!("templates/{name}")))
        };
        let frame = if builtin(&FRAME_TEMPLATES) {
            Frame::new(globals)
        } else {
            None
        };
        Compiled {
            steward: frame.is_some() && builtin(&STEWARD_TEMPLATES),
            cases: frame.is_some() && builtin(&CASES_TEMPLATES),
            frame,
        }
    }

    /// The steward page's bytes, when steward pages are compiled for this theme.
    pub(crate) fn steward(&self, page: &StewardPage<'_>, hint: usize) -> Option<Vec<u8>> {
        let frame = self.frame.as_ref().filter(|_| self.steward)?;
        let mut out = String::with_capacity(hint);
        frame.write(
            &mut out,
            &page.root,
            |out| {
                esc(out, &page.steward.name);
                out.push_str(" - ");
                out.push_str(&frame.site_title);
            },
            |out| steward_content(out, page),
        );
        Some(out.into_bytes())
    }

    /// The case list page's bytes, when case lists are compiled for this theme.
    pub(crate) fn case_list(&self, page: &CaseListPage<'_>, hint: usize) -> Option<Vec<u8>> {
        let frame = self.frame.as_ref().filter(|_| self.cases)?;
        let mut out = String::with_capacity(hint);
        frame.write(
            &mut out,
            &page.root,
            |out| {
                if let Some(category) = truthy(page.category) {
                    esc(out, category);
                    out.push_str(" - ");
                }
                out.push_str("民情办理");
                if page.pager.current > 1 {
                    out.push_str("（第");
                    int(out, page.pager.current as u64);
                    out.push_str("页）");
                }
                out.push_str(" - ");
                out.push_str(&frame.site_title);
            },
            |out| cases_content(out, page),
        );
        Some(out.into_bytes())
    }
}

/// `steward.html`'s content block.
fn steward_content(out: &mut String, p: &StewardPage<'_>) {
    let root = p.root.as_str();
    let s = &p.steward;
    out.push_str("\n<nav class=\"crumbs\" aria-label=\"位置\"><a href=\"");
    esc(out, root);
    out.push_str("communities/index.html\">社区</a> › <a href=\"");
    esc(out, root);
    esc(out, &s.community_url);
    out.push_str("\">");
    esc(out, &s.community);
    out.push_str("</a> › ");
    esc(out, &s.name);
    out.push_str("</nav>\n<h1>");
    esc(out, &s.name);
    out.push_str(" <small class=\"role\">楼道“红管家”</small></h1>\n<dl class=\"facts\">\n  <dt>社区</dt><dd><a href=\"");
    esc(out, root);
    esc(out, &s.community_url);
    out.push_str("\">");
    esc(out, &s.community);
    out.push_str("</a>");
    if let Some(grid) = truthy(s.grid.as_deref()) {
        out.push_str(" · ");
        esc(out, grid);
    }
    out.push_str("</dd>\n  <dt>联系楼幢</dt><dd>");
    join(out, &s.buildings);
    out.push_str("</dd>\n  <dt>党员类别</dt><dd>");
    esc(out, s.membership);
    out.push_str("党员</dd>");
    fact(out, "工作单位", truthy(s.workplace.as_deref()));
    if !s.teams.is_empty() {
        out.push_str("<dt>队伍</dt><dd>");
        join(out, &s.teams);
        out.push_str("</dd>");
    }
    fact(out, "特长", truthy(s.specialty.as_deref()));
    let joined = truthy(s.joined.as_deref()).map(super::cn_date_text);
    fact(out, "上岗日期", joined.as_deref());
    fact(out, "联系电话", truthy(s.phone.as_deref()));
    out.push_str("\n</dl>\n\n");
    if !p.commendations.is_empty() {
        out.push_str("\n<section aria-labelledby=\"honours-title\" class=\"honours\">\n  <h2 id=\"honours-title\">表彰</h2>\n  <ul class=\"links\">\n  ");
        for c in &p.commendations {
            out.push_str("<li><a href=\"");
            esc(out, root);
            esc(out, &c.url);
            out.push_str("\">");
            esc(out, c.title);
            out.push_str("</a>");
            if let Some(date) = c.date {
                out.push_str(" <small>");
                esc(out, &super::cn_date_text(&date.to_string()));
                out.push_str("</small>");
            }
            if let Some(citation) = truthy(c.citation) {
                out.push_str("<p class=\"citation\">");
                esc(out, citation);
                out.push_str("</p>");
            }
            out.push_str("</li>");
        }
        out.push_str("\n  </ul>\n</section>\n");
    }
    out.push_str("\n\n<section aria-labelledby=\"work-title\" class=\"work\">\n  <h2 id=\"work-title\">工作情况</h2>\n  <dl class=\"figures\">\n    <div><dt>走访群众</dt><dd><span class=\"num\">");
    let f = &p.figures;
    big(out, f.households_visited);
    out.push_str("</span>户</dd></div>\n    <div><dt>走访次数</dt><dd><span class=\"num\">");
    big(out, f.visits);
    out.push_str("</span>次</dd></div>\n    <div><dt>收集民情</dt><dd><span class=\"num\">");
    big(out, f.cases);
    out.push_str("</span>条</dd></div>\n    <div><dt>已解决</dt><dd><span class=\"num\">");
    big(out, f.resolved);
    out.push_str("</span>个</dd></div>\n    <div><dt>代办事项</dt><dd><span class=\"num\">");
    big(out, f.errands);
    out.push_str("</span>件</dd></div>\n    <div><dt>参加议事会</dt><dd><span class=\"num\">");
    big(out, f.meetings);
    out.push_str("</span>次</dd></div>\n  </dl>\n  \n  <figure class=\"chart chart-small\">");
    // `| safe`: the chart is markup, its texts escaped where it is drawn.
    out.push_str(&p.chart());
    out.push_str("</figure>\n  \n  ");
    month_table(out, &p.months);
    out.push_str("\n</section>\n\n");
    if !p.cases.is_empty() {
        out.push_str(
            "\n<section aria-labelledby=\"cases-title\">\n  <h2 id=\"cases-title\">收集的民情事项</h2>\n  \n  ",
        );
        case_table(out, root, &p.cases);
        out.push_str("\n</section>\n");
    }
    out.push('\n');
}

/// `cases.html`'s content block.
fn cases_content(out: &mut String, p: &CaseListPage<'_>) {
    let root = p.root.as_str();
    let category = truthy(p.category);
    out.push('\n');
    if let Some(category) = category {
        out.push_str("<nav class=\"crumbs\" aria-label=\"位置\"><a href=\"");
        esc(out, root);
        out.push_str("cases/index.html\">民情办理</a> › ");
        esc(out, category);
        out.push_str("</nav>");
    }
    out.push_str("\n<h1>");
    match category {
        Some(category) => esc(out, category),
        None => out.push_str("民情办理"),
    }
    out.push_str("</h1>\n<p class=\"lead\">");
    if let Some(category) = category {
        out.push('“');
        esc(out, category);
        out.push_str("”类");
    }
    out.push('共');
    big(out, p.count as u64);
    out.push_str("条，最新的在前。居民个人信息不予公开。</p>\n<nav class=\"chips\" aria-label=\"按类别查看\">\n  <a href=\"");
    esc(out, root);
    out.push_str("cases/index.html\"");
    if category.is_none() {
        out.push_str(" aria-current=\"page\"");
    }
    out.push_str(">全部</a>\n  ");
    for c in &p.categories {
        out.push_str("<a href=\"");
        esc(out, root);
        esc(out, &c.url);
        out.push('"');
        if c.current {
            out.push_str(" aria-current=\"page\"");
        }
        out.push('>');
        esc(out, c.name);
        out.push_str(" <small>");
        exact(out, c.cases);
        out.push_str("</small></a>");
    }
    out.push_str("\n</nav>\n");
    case_table(out, root, &p.rows);
    out.push('\n');
    let pager = &p.pager;
    if pager.total > 1 {
        out.push_str("\n<nav class=\"pager\" aria-label=\"分页\">\n  ");
        if let Some(prev) = truthy(pager.prev.as_deref()) {
            out.push_str("<a href=\"");
            esc(out, root);
            esc(out, prev);
            out.push_str("\" rel=\"prev\">上一页</a>");
        }
        out.push_str("\n  ");
        for l in &pager.links {
            if l.number == pager.current {
                out.push_str("<span aria-current=\"page\">");
                int(out, l.number as u64);
                out.push_str("</span>");
            } else {
                out.push_str("<a href=\"");
                esc(out, root);
                esc(out, &l.url);
                out.push_str("\">");
                int(out, l.number as u64);
                out.push_str("</a>");
            }
        }
        out.push_str("\n  ");
        if let Some(next) = truthy(pager.next.as_deref()) {
            out.push_str("<a href=\"");
            esc(out, root);
            esc(out, next);
            out.push_str("\" rel=\"next\">下一页</a>");
        }
        out.push_str("\n  <span class=\"total\">共");
        int(out, pager.total as u64);
        out.push_str("页</span>\n</nav>\n");
    }
    out.push('\n');
}

/// `partials/month_table.html`.
fn month_table(out: &mut String, months: &[MonthRow<'_>]) {
    out.push_str("<details class=\"data-table\">\n  <summary>逐月数据</summary>\n  <div class=\"table-scroll\">\n  <table class=\"months\">\n    <thead><tr><th scope=\"col\">月份</th><th scope=\"col\">走访户数</th><th scope=\"col\">走访次数</th><th scope=\"col\">民情事项</th><th scope=\"col\">已解决</th><th scope=\"col\">代办事项</th><th scope=\"col\">议事会</th><th scope=\"col\">敲门日走访户数</th></tr></thead>\n    <tbody>");
    for m in months {
        let c = &m.counts;
        out.push_str("\n    <tr><th scope=\"row\">");
        esc(out, m.month);
        out.push_str("</th>");
        for n in [
            c.households_visited,
            c.visits,
            c.cases,
            c.resolved,
            c.errands,
            c.meetings,
            c.door_knocking_households,
        ] {
            out.push_str("<td>");
            exact(out, n);
            out.push_str("</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("\n    </tbody>\n  </table>\n  </div>\n</details>\n");
}

/// `partials/case_table.html`, with `rows`.
fn case_table(out: &mut String, root: &str, rows: &[CaseRow<'_>]) {
    if rows.is_empty() {
        out.push_str("\n<p class=\"empty\">暂无民情事项。</p>\n");
        out.push('\n');
        return;
    }
    out.push_str("\n<div class=\"table-scroll\">\n<table class=\"cases\">\n  <thead><tr><th scope=\"col\">日期</th><th scope=\"col\">社区</th><th scope=\"col\">类别</th><th scope=\"col\">事项</th><th scope=\"col\">状态</th><th scope=\"col\">办结日期</th><th scope=\"col\">办理渠道</th></tr></thead>\n  <tbody>");
    for c in rows {
        out.push_str("\n  <tr><td>");
        date(out, c.date);
        out.push_str("</td><td><a href=\"");
        esc(out, root);
        esc(out, c.community_url);
        out.push_str("\">");
        esc(out, c.community);
        out.push_str("</a></td><td><a href=\"");
        esc(out, root);
        esc(out, c.category_url);
        out.push_str("\">");
        esc(out, c.category);
        out.push_str("</a></td><td>");
        esc(out, c.summary);
        out.push_str("</td><td><span class=\"status status-");
        esc(out, c.status);
        out.push_str("\">");
        esc(out, c.status);
        out.push_str("</span></td><td>");
        match c.resolved {
            Some(d) => date(out, d),
            None => out.push('—'),
        }
        out.push_str("</td><td>");
        match truthy(c.channel) {
            Some(channel) => esc(out, channel),
            None => out.push('—'),
        }
        out.push_str("</td></tr>");
    }
    out.push_str("\n  </tbody>\n</table>\n</div>\n");
    out.push('\n');
}

/// A value as `{% if %}` sees it: none and the empty text are false.
fn truthy(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// `{% if value %}<dt>label</dt><dd>{{ value }}</dd>{% endif %}`, a line of the steward's
/// facts that shows only when filled in.
fn fact(out: &mut String, label: &str, value: Option<&str>) {
    if let Some(value) = value {
        out.push_str("<dt>");
        out.push_str(label);
        out.push_str("</dt><dd>");
        esc(out, value);
        out.push_str("</dd>");
    }
}

/// `{{ text }}`: the five characters Tera escapes (`& < > " '`), by the function Tera's
/// `fast_escape` uses.
fn esc(out: &mut String, text: &str) {
    // Writing into a String cannot fail.
    let _ = pulldown_cmark_escape::escape_html(&mut *out, text);
}

/// `{{ list | join(sep="、") }}` of texts, escaped after joining as Tera does; the
/// separator has nothing to escape, so each item is escaped alone.
fn join(out: &mut String, items: &[String]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push('、');
        }
        esc(out, item);
    }
}

/// `{{ n }}` of a whole number.
fn int(out: &mut String, n: u64) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// `{{ n | big_number }}`: below 10,000 the number itself, as `numbers::compact` writes
/// it; above, that function.
fn big(out: &mut String, n: u64) {
    if n < 10_000 {
        int(out, n);
    } else {
        esc(out, &crate::numbers::compact(n as f64));
    }
}

/// `{{ n | big_number(exact=true) }}`: the digits, grouped by thousands from five digits
/// on, as `numbers::exact` writes a whole number below 10^15 (exact as a float); above,
/// that function.
fn exact(out: &mut String, n: u64) {
    if n >= 1_000_000_000_000_000 {
        esc(out, &crate::numbers::exact(n as f64));
        return;
    }
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(n);
    for (i, c) in digits.char_indices() {
        if i > 0 && digits.len() > 4 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
}

/// `{{ date }}`: `YYYY-MM-DD`.
fn date(out: &mut String, d: crate::model::Date) {
    match d.iso(&mut [0; 10]) {
        Some(text) => out.push_str(text),
        None => {
            let _ = write!(out, "{d}");
        }
    }
}

/// What `base.html` (with `partials/footer.html`) makes of the global context, cut where
/// a page's `root`, title and content go.
pub(crate) struct Frame {
    pieces: Vec<Piece>,
    /// `{{ site.title }}`, escaped.
    site_title: String,
}

#[derive(Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Root,
    Title,
    Content,
}

/// Stand-ins for a page's root, title and content, two sets: characters of Unicode's
/// private use area, which neither escaping nor the templates make.
const STAND_INS: [[char; 3]; 2] = [
    ['\u{F8F0}', '\u{F8F1}', '\u{F8F2}'],
    ['\u{F8F3}', '\u{F8F4}', '\u{F8F5}'],
];

impl Frame {
    /// Tera renders the built-in `base.html` around stand-ins, twice, with two sets. A
    /// value of the site's settings that holds a stand-in, or a frame that does anything
    /// with `root` but print it, cuts the two renderings differently: then there is no
    /// frame, and every page comes from Tera.
    fn new(globals: &tera::Context) -> Option<Frame> {
        let mut tera = tera::Tera::new();
        super::configure(&mut tera);
        let text = |key: &str| {
            crate::theme::builtin(&format!("templates/{key}"))
                .and_then(|bytes| std::str::from_utf8(bytes).ok())
        };
        let mut templates = vec![];
        for name in FRAME_TEMPLATES {
            templates.push((name.to_string(), text(name)?.to_string()));
        }
        for [_, title, content] in STAND_INS {
            templates.push((
                format!("frame-{title}.html"),
                format!(
                    "{{% extends \"base.html\" %}}{{% block title %}}{title}{{% endblock title %}}{{% block content %}}{content}{{% endblock content %}}"
                ),
            ));
        }
        templates.push((
            "site-title.html".to_string(),
            "{{ site.title }}".to_string(),
        ));
        tera.add_raw_templates(templates).ok()?;
        tera.global_context().extend(globals.clone());
        let mut cuts = Vec::new();
        for stand_ins in STAND_INS {
            let [root, title, _] = stand_ins;
            let mut context = tera::Context::new();
            context.insert("root", &root.to_string());
            let text = tera.render(&format!("frame-{title}.html"), &context).ok()?;
            cuts.push(cut(&text, stand_ins));
        }
        let site_title = tera.render("site-title.html", &tera::Context::new()).ok()?;
        let pieces = cuts.pop()?;
        let one_each = |p: &Piece| pieces.iter().filter(|q| *q == p).count() == 1;
        (cuts.pop()? == pieces && one_each(&Piece::Title) && one_each(&Piece::Content))
            .then_some(Frame { pieces, site_title })
    }

    fn write(
        &self,
        out: &mut String,
        root: &str,
        title: impl Fn(&mut String),
        content: impl Fn(&mut String),
    ) {
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Root => esc(out, root),
                Piece::Title => title(out),
                Piece::Content => content(out),
            }
        }
    }
}

/// `text` in pieces at each stand-in.
fn cut(text: &str, [root, title, content]: [char; 3]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find([root, title, content]) {
        if at > 0 {
            pieces.push(Piece::Text(rest[..at].to_string()));
        }
        let c = rest[at..].chars().next().unwrap_or(root);
        pieces.push(if c == root {
            Piece::Root
        } else if c == title {
            Piece::Title
        } else {
            Piece::Content
        });
        rest = &rest[at + c.len_utf8()..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    pieces
}
