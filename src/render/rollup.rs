//! A roll-up site's pages, made from what [`crate::rollup`] read: the overview of all
//! members (totals, monthly series, comparison and ranking of members, their commended
//! stewards, links to their sites), the 404 page, open data and the roll-up's own
//! `data/summary.json` for the level above. The renderer sees the summed figures only,
//! never how they were read.

use serde::Serialize;
use tera::Context;

use super::data::csv_file;
use super::routes;
use super::{OutputFile, Renderer};
use crate::aggregate::rate;
use crate::charts;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::rollup::{Rollup, rate_of};
use crate::summary::{CommendedSteward, SummaryFile};
use crate::theme::Theme;

/// The totals as pages show them: the counts plus rates recomputed from them.
#[derive(Serialize)]
struct Stats<'a> {
    #[serde(flatten)]
    counts: &'a SummaryFile,
    resolution_rate: f64,
    coverage_rate: Option<f64>,
    households_per_steward: f64,
}

/// One member's row of the comparison table.
#[derive(Serialize)]
struct MemberRow {
    name: String,
    level: String,
    url: Option<String>,
    stewards: u64,
    communities: u64,
    households_visited: u64,
    cases: u64,
    resolved: u64,
    errands: u64,
    meetings: u64,
    commended: u64,
    coverage_rate: Option<f64>,
    resolution_rate: f64,
    households_per_steward: f64,
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
        resolution_rate: rate(t.resolved, t.cases),
        coverage_rate: (t.buildings > 0).then(|| rate(t.buildings_covered_counted, t.buildings)),
        households_per_steward: per(t.households_visited, t.stewards),
    }
}

fn per(n: u64, d: u64) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

/// The Tera globals of a roll-up: the same names a site's templates use.
pub(crate) fn globals(rollup: &Rollup) -> crate::fingerprint::Keyed {
    let mut context = super::site_globals(&rollup.config, Vec::new(), true);
    context.insert("stats", &stats(&rollup.total));
    context.insert("has_bulletins", &false);
    context
}

fn member_rows(total: &SummaryFile) -> Vec<MemberRow> {
    let mut rows: Vec<MemberRow> = total
        .members
        .iter()
        .map(|m| {
            let (coverage_rate, resolution_rate, households_per_steward) = rate_of(m);
            MemberRow {
                name: m.name.clone(),
                level: m.level.clone(),
                url: m.url.clone(),
                stewards: m.stewards,
                communities: m.communities,
                households_visited: m.households_visited,
                cases: m.cases,
                resolved: m.resolved,
                errands: m.errands,
                meetings: m.meetings,
                commended: m.commended,
                coverage_rate,
                resolution_rate,
                households_per_steward,
                rank: 0,
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&rows[a], &rows[b]);
        y.resolution_rate
            .total_cmp(&x.resolution_rate)
            .then_with(|| {
                y.households_per_steward
                    .total_cmp(&x.households_per_steward)
            })
            .then_with(|| x.name.cmp(&y.name))
    });
    for (place, i) in order.into_iter().enumerate() {
        rows[i].rank = place + 1;
    }
    rows
}

fn home(rollup: &Rollup, ctx: &mut Context) {
    let t = &rollup.total;
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
    let rates: Vec<charts::RateRow> = rows
        .iter()
        .map(|r| charts::RateRow {
            name: r.name.clone(),
            cases: r.cases,
            resolved: r.resolved,
        })
        .collect();
    ctx.insert(
        "chart_rates",
        &charts::resolution("chart-rates", "各成员民情事项办结率", &rates, "全部成员"),
    );
    let mut errands: Vec<(String, u64)> =
        rows.iter().map(|r| (r.name.clone(), r.errands)).collect();
    errands.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ctx.insert(
        "chart_errands",
        &charts::counts(
            "chart-errands",
            "各成员代办事项",
            &errands,
            "个成员",
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
    ctx.insert("members", &rows);
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
        let mut ctx = Context::new();
        ctx.insert("root", &"../".repeat(path.matches('/').count()));
        ctx.insert("path", path);
        if path == routes::HOME {
            home(rollup, &mut ctx);
        }
        match renderer.render_one(theme, template, path, &ctx) {
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
                "data/members.csv",
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
                            r.stewards.to_string(),
                            r.communities.to_string(),
                            r.households_visited.to_string(),
                            r.cases.to_string(),
                            r.resolved.to_string(),
                            r4(r.resolution_rate),
                            r.errands.to_string(),
                            r.meetings.to_string(),
                            r.commended.to_string(),
                            r.coverage_rate.map(r4).unwrap_or_default(),
                            format!("{:.2}", r.households_per_steward),
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
