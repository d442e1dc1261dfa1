//! Each steward's page.

use crate::fingerprint::Keyed;
use serde::Serialize;

use crate::charts;
use crate::model::StewardIdx;
use crate::render::plan::Plan;
use crate::render::routes;
use crate::render::views::{CaseRow, case_row, month_rows, profile};

#[derive(Serialize)]
struct CommendationRow {
    batch_id: String,
    title: String,
    date: Option<String>,
    url: String,
    citation: Option<String>,
}

pub(super) fn one<'p>(plan: &'p Plan<'_>, idx: StewardIdx, ctx: &mut Keyed<'p>) {
    let site = plan.site;
    let i = idx.0;
    let s = &site.registry.stewards[i];
    let commendations: Vec<CommendationRow> = site.figures.steward_batches[i]
        .iter()
        .map(|&b| {
            let batch = &site.batches[b];
            CommendationRow {
                batch_id: batch.id.clone(),
                title: batch.title.clone(),
                date: batch.date.map(|d| d.to_string()),
                url: routes::commendation(&batch.id),
                citation: batch
                    .citations
                    .iter()
                    .find(|(s, _)| *s == i)
                    .map(|(_, c)| c.clone()),
            }
        })
        .collect();
    let cases: Vec<CaseRow> = plan.steward_cases[i]
        .iter()
        .map(|c| case_row(plan, c))
        .collect();
    let months = month_rows(&site.figures, &site.figures.steward_months[i]);
    let households: Vec<u64> = months.iter().map(|m| m.counts.households_visited).collect();
    ctx.insert(
        "chart_activity",
        charts::activity(
            "chart-activity",
            "逐月走访户数",
            &plan.month_keys,
            &households,
        ),
    );
    ctx.insert("steward", profile(site, &plan.people, i, s));
    ctx.insert("figures", site.figures.by_steward[i]);
    ctx.insert("months", months);
    ctx.insert("commendations", commendations);
    ctx.insert("cases", cases);
}
