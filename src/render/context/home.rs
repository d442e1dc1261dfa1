//! The home page: headline figures, charts each with its table, latest bulletins and
//! commendations.

use crate::fingerprint::Keyed;
use serde::Serialize;

use super::chart_months;
use super::commendations::batch_summaries;
use super::documents::bulletin_links;
use crate::charts;
use crate::model::Membership;
use crate::render::plan::Plan;
use crate::render::views::month_rows;

pub(super) fn fill<'p>(plan: &'p Plan<'_>, ctx: &mut Keyed<'p>) {
    let site = plan.site;
    ctx.insert("communities", &plan.communities);
    let links = bulletin_links(&site.bulletins);
    ctx.insert("bulletins", links.into_iter().take(5).collect::<Vec<_>>());
    ctx.insert("batches", batch_summaries(site));
    charts(plan, ctx);
    super::subdistricts::comparison(plan, ctx);
}

#[derive(Serialize)]
struct ShareRow {
    label: String,
    stewards: u64,
    share: f64,
}

/// The home page's charts, each with the numbers of its table beside it.
fn charts<'p>(plan: &'p Plan<'_>, ctx: &mut Keyed<'p>) {
    let (site, summary, communities) = (plan.site, plan.summary, &plan.communities);
    let figures = &site.figures;
    let months = month_rows(plan, figures.by_month.iter().map(|(&m, &c)| (m, c)));
    let cm = chart_months(&months);
    ctx.insert(
        "chart_trend",
        charts::trend("chart-trend", "逐月走访和民情办理", &cm),
    );
    ctx.insert(
        "chart_knock",
        charts::door_knocking("chart-knock", "敲门日逐月走访户数", &cm),
    );
    ctx.insert("months", months);
    ctx.insert("categories", &summary.by_category);
    ctx.insert(
        "chart_categories",
        charts::categories(
            "chart-categories",
            "民情事项分类",
            &summary
                .by_category
                .iter()
                .map(|c| (c.category.clone(), c.cases))
                .collect::<Vec<_>>(),
        ),
    );
    let rates: Vec<charts::RateRow> = communities
        .iter()
        .map(|c| charts::RateRow {
            name: c.counts.name.clone(),
            cases: c.counts.cases,
            resolved: c.counts.resolved,
        })
        .collect();
    ctx.insert(
        "chart_rates",
        charts::resolution("chart-rates", "各社区民情事项办结率", &rates, "全部社区"),
    );
    let share = |n: u64| crate::aggregate::rate(n, summary.stewards);
    let membership: Vec<ShareRow> = [
        Membership::Registered,
        Membership::InService,
        Membership::NewOrg,
    ]
    .into_iter()
    .map(|m| {
        let n = summary.by_membership.get(m.label()).copied().unwrap_or(0);
        ShareRow {
            label: m.label().to_string(),
            stewards: n,
            share: share(n),
        }
    })
    .collect();
    ctx.insert(
        "chart_membership",
        charts::membership(
            "chart-membership",
            "红管家党员类别",
            &membership
                .iter()
                .map(|r| (r.label.clone(), r.stewards))
                .collect::<Vec<_>>(),
        ),
    );
    ctx.insert("membership", membership);
    // Ages as of the figures' year, never the clock's, so the site is the same every day.
    let bands = figures.as_of.and_then(|d| {
        let bands = crate::aggregate::age_bands(
            site.registry.stewards.iter().filter_map(|s| s.birth_year),
            d.year,
        )?;
        Some((d.year, bands))
    });
    if let Some((year, bands)) = bands {
        ctx.insert(
            "chart_ages",
            charts::ages("chart-ages", "红管家年龄结构", &bands, year),
        );
        let counted: u64 = bands.iter().map(|b| b.1).sum();
        let rows: Vec<ShareRow> = bands
            .into_iter()
            .map(|(label, n)| ShareRow {
                label,
                stewards: n,
                share: crate::aggregate::rate(n, counted),
            })
            .collect();
        ctx.insert("ages", rows);
        ctx.insert("ages_year", year);
    }
}
