//! A roll-up site's pages, made from what [`crate::rollup`] read: the overview of all
//! members (totals, monthly series, comparison and ranking of members, their commended
//! stewards, links to their sites), the 404 page, open data and the roll-up's own
//! `data/summary.json` for the level above. The renderer sees the summed figures only,
//! never how they were read.

use serde::Serialize;
use tera::Context;

use super::context::documents::bulletin_links;
use super::data::csv_file;
use super::routes;
use super::views::BulletinView;
use super::{OutputFile, Renderer};
use crate::aggregate::rate;
use crate::charts;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::rollup::Rollup;
use crate::summary::{CommendedSteward, Headline, Rates, SummaryFile};
use crate::theme::Theme;

/// The totals as pages show them: the counts plus rates recomputed from them.
#[derive(Serialize)]
struct Stats<'a> {
    #[serde(flatten)]
    counts: &'a SummaryFile,
    #[serde(flatten)]
    rates: Rates,
}

/// One member's row of the comparison table: its counts and the rates recomputed from
/// them.
#[derive(Serialize)]
struct MemberRow {
    name: String,
    level: String,
    url: Option<String>,
    #[serde(flatten)]
    counts: Headline,
    #[serde(flatten)]
    rates: Rates,
    /// 1-based place by resolution rate, then households per steward.
    rank: usize,
}

#[derive(Serialize)]
struct CategoryRow {
    category: String,
    cases: u64,
    resolved: u64,
    resolution_rate: f64,
}

#[derive(Serialize)]
struct MemberStewards<'a> {
    member: &'a str,
    url: Option<&'a str>,
    stewards: Vec<&'a CommendedSteward>,
}

fn stats(t: &SummaryFile) -> Stats<'_> {
    Stats {
        counts: t,
        rates: Rates::of(&t.headline()),
    }
}

/// The Tera globals of a roll-up: the same names a site's templates use, and `members`,
/// each member's row by name, so that a bulletin can write
/// `{{ members["府山街道"].households_visited }}`.
pub(crate) fn globals(rollup: &Rollup) -> crate::fingerprint::Keyed<'_> {
    let mut context = super::site_globals(&rollup.config, Vec::new(), true);
    context.insert("stats", stats(&rollup.total));
    context.insert("has_bulletins", !rollup.bulletins.is_empty());
    context.insert("nav", routes::rollup_nav(!rollup.bulletins.is_empty()));
    let by_name: std::collections::BTreeMap<String, MemberRow> = member_rows(&rollup.total)
        .into_iter()
        .map(|r| (r.name.clone(), r))
        .collect();
    context.insert("members", by_name);
    context
}

fn member_rows(total: &SummaryFile) -> Vec<MemberRow> {
    let mut rows: Vec<MemberRow> = total
        .members
        .iter()
        .map(|m| MemberRow {
            name: m.name.clone(),
            level: m.level.clone(),
            url: m.url.clone(),
            counts: m.counts.clone(),
            rates: Rates::of(&m.counts),
            rank: 0,
        })
        .collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&rows[a], &rows[b]);
        y.rates
            .resolution_rate
            .total_cmp(&x.rates.resolution_rate)
            .then_with(|| {
                y.rates
                    .households_per_steward
                    .total_cmp(&x.rates.households_per_steward)
            })
            .then_with(|| x.name.cmp(&y.name))
    });
    for (place, i) in order.into_iter().enumerate() {
        rows[i].rank = place + 1;
    }
    rows
}

/// What the members are called on pages: their level when they share one (各街道比较,
/// 全部区县), else 成员.
fn member_word(rollup: &Rollup) -> &str {
    match rollup.members.first() {
        Some(first)
            if !first.level.trim().is_empty()
                && rollup.members.iter().all(|m| m.level == first.level) =>
        {
            first.level.trim()
        }
        _ => "成员",
    }
}

/// Each member's list of commended stewards starts open only when all of them together
/// are a short list; otherwise a reader opens the member they look for.
const COMMENDED_OPEN: usize = 60;

fn home(rollup: &Rollup, ctx: &mut Context) {
    let t = &rollup.total;
    let word = member_word(rollup);
    ctx.insert("member_word", word);
    ctx.insert(
        "commended_open",
        &(t.commended_stewards.len() <= COMMENDED_OPEN),
    );
    let rows = member_rows(t);
    let months: Vec<charts::Month> = t
        .by_month
        .iter()
        .map(|(k, c)| charts::Month {
            key: k.clone(),
            counts: *c,
        })
        .collect();
    ctx.insert(
        "chart_trend",
        &charts::trend("chart-trend", "逐月走访和民情办理", &months),
    );
    #[derive(Serialize)]
    struct MonthRow<'a> {
        month: &'a str,
        #[serde(flatten)]
        counts: &'a crate::aggregate::Counts,
    }
    let month_rows: Vec<MonthRow<'_>> = t
        .by_month
        .iter()
        .map(|(k, c)| MonthRow {
            month: k,
            counts: c,
        })
        .collect();
    ctx.insert("months", &month_rows);
    let categories: Vec<CategoryRow> = t
        .by_category
        .iter()
        .map(|c| CategoryRow {
            category: c.category.clone(),
            cases: c.cases,
            resolved: c.resolved,
            resolution_rate: rate(c.resolved, c.cases),
        })
        .collect();
    ctx.insert(
        "chart_categories",
        &charts::categories(
            "chart-categories",
            "民情事项分类",
            &categories
                .iter()
                .map(|c| (c.category.clone(), c.cases))
                .collect::<Vec<_>>(),
        ),
    );
    ctx.insert("categories", &categories);
    // The chart reads top down like the table: best resolution rate first.
    let mut ranked: Vec<&MemberRow> = rows.iter().collect();
    ranked.sort_by_key(|r| r.rank);
    let rates: Vec<charts::RateRow> = ranked
        .iter()
        .map(|r| charts::RateRow {
            name: r.name.clone(),
            cases: r.counts.cases,
            resolved: r.counts.resolved,
        })
        .collect();
    ctx.insert(
        "chart_rates",
        &charts::resolution(
            "chart-rates",
            &format!("各{word}民情事项办结率"),
            &rates,
            &format!("全部{word}"),
        ),
    );
    let mut errands: Vec<(String, u64)> = rows
        .iter()
        .map(|r| (r.name.clone(), r.counts.errands))
        .collect();
    errands.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ctx.insert(
        "chart_errands",
        &charts::counts(
            "chart-errands",
            &format!("各{word}代办事项"),
            &errands,
            &format!("个{word}"),
            "代办事项（件）",
            "件",
        ),
    );
    let commended: Vec<MemberStewards<'_>> = rollup
        .members
        .iter()
        .zip(&t.members)
        .filter(|(m, _)| !m.summary.commended_stewards.is_empty())
        .map(|(m, row)| MemberStewards {
            member: &m.name,
            url: row.url.as_deref(),
            stewards: m.summary.commended_stewards.iter().collect(),
        })
        .collect();
    ctx.insert("commended_by_member", &commended);
    ctx.insert("member_rows", &rows);
    let links = bulletin_links(&rollup.bulletins);
    ctx.insert("bulletins", &links.iter().take(5).collect::<Vec<_>>());
}

/// A page's own context: where it is.
fn page_context(path: &str) -> Context {
    let mut ctx = Context::new();
    ctx.insert("root", &"../".repeat(path.matches('/').count()));
    ctx.insert("path", path);
    ctx
}

/// Every file of a roll-up site but the theme's static files.
pub(crate) fn files(
    rollup: &Rollup,
    theme: &Theme,
    renderer: &Renderer,
    diags: &mut Diagnostics,
) -> Result<Vec<OutputFile>, Diagnostics> {
    let mut out = Vec::new();
    let mut errors = Diagnostics::new();
    for (path, template) in [
        (routes::HOME, routes::ROLLUP_TEMPLATE),
        (routes::NOT_FOUND, "404.html"),
        (routes::SORT_SCRIPT, "sort.js"),
        (routes::COMPARE_STYLE, "compare.css"),
    ] {
        let mut ctx = page_context(path);
        if path == routes::HOME {
            home(rollup, &mut ctx);
        }
        match renderer.render_one(theme, template, path, &ctx) {
            Ok(f) => out.push(f),
            Err(e) => e.into_iter().for_each(|d| errors.push(d)),
        }
    }
    if !rollup.bulletins.is_empty() {
        let mut ctx = page_context(routes::BULLETINS);
        ctx.insert("bulletins", &bulletin_links(&rollup.bulletins));
        match renderer.render_one(theme, "bulletins.html", routes::BULLETINS, &ctx) {
            Ok(f) => out.push(f),
            Err(e) => e.into_iter().for_each(|d| errors.push(d)),
        }
    }
    let allow = rollup.config.privacy.allow_raw_html;
    for b in &rollup.bulletins {
        let path = routes::bulletin(&b.slug);
        let body = match renderer.render_markdown(&b.body, allow) {
            Ok(html) => html,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut ctx = page_context(&path);
        ctx.insert("bulletin", &BulletinView::new(b));
        ctx.insert("body", &body);
        match renderer.render_one(theme, "bulletin.html", &path, &ctx) {
            Ok(f) => out.push(f),
            Err(e) => e.into_iter().for_each(|d| errors.push(d)),
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    let data = || -> Result<Vec<OutputFile>, Diagnostic> {
        let json = serde_json::to_vec_pretty(&rollup.total)
            .map_err(|e| Diagnostic::error(routes::SUMMARY, 0, e.to_string()))?;
        let rows = member_rows(&rollup.total);
        let r4 = |r: f64| format!("{r:.4}");
        Ok(vec![
            OutputFile {
                path: routes::SUMMARY.to_string(),
                bytes: json,
            },
            csv_file(
                routes::MEMBERS_CSV,
                &[
                    "名称",
                    "层级",
                    "红管家",
                    "社区",
                    "走访户数",
                    "民情事项",
                    "已解决",
                    "办结率",
                    "代办事项",
                    "议事会",
                    "优秀红管家",
                    "覆盖率",
                    "户均走访",
                    "排名",
                ],
                rows.iter()
                    .map(|r| {
                        vec![
                            r.name.clone(),
                            r.level.clone(),
                            r.counts.stewards.to_string(),
                            r.counts.communities.to_string(),
                            r.counts.households_visited.to_string(),
                            r.counts.cases.to_string(),
                            r.counts.resolved.to_string(),
                            r4(r.rates.resolution_rate),
                            r.counts.errands.to_string(),
                            r.counts.meetings.to_string(),
                            r.counts.commended.to_string(),
                            r.rates.coverage_rate.map(r4).unwrap_or_default(),
                            format!("{:.2}", r.rates.households_per_steward),
                            r.rank.to_string(),
                        ]
                    })
                    .collect(),
            )?,
        ])
    };
    out.extend(data().map_err(Diagnostics::from)?);
    for (name, bytes) in theme.statics() {
        if !out.iter().any(|f| f.path == name) {
            out.push(OutputFile {
                path: name.to_string(),
                bytes: bytes.to_vec(),
            });
        }
    }
    out.extend(super::extra::site_statics(&rollup.root, diags));
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| seen.insert(f.path.clone()));
    Ok(out)
}
