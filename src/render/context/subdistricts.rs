//! The levels inside a site with several subdistricts: each subdistrict's page, the
//! communities index grouped by subdistrict, and the comparison across subdistricts on the
//! home page. A site with one subdistrict gets none of it.

use crate::fingerprint::Keyed;
use serde::Serialize;

use crate::charts;
use crate::render::data::{CommunitySummary, SubdistrictSummary};
use crate::render::plan::Plan;
use crate::render::views::StewardRef;

/// Communities of one subdistrict, for the grouped index.
#[derive(Serialize)]
pub(super) struct Group<'a> {
    subdistrict: &'a SubdistrictSummary,
    communities: Vec<&'a CommunitySummary>,
}

/// The communities grouped by subdistrict, in the order subdistricts are first named;
/// communities that name none come last, under 其他. Empty for a site with one subdistrict.
pub(super) fn groups<'a>(plan: &'a Plan<'_>) -> Vec<Group<'a>> {
    if plan.subdistricts.is_empty() {
        return Vec::new();
    }
    let registry = &plan.site.registry;
    let mut groups: Vec<Group<'a>> = plan
        .subdistricts
        .iter()
        .map(|s| Group {
            subdistrict: s,
            communities: Vec::new(),
        })
        .collect();
    for (c, row) in registry.communities.iter().zip(&plan.communities) {
        if let Some(i) = c.subdistrict {
            groups[i].communities.push(row);
        }
    }
    groups
}

/// Chart rows of a comparison: (name, value) in the table's order.
fn compare_charts<'p>(list: &[SubdistrictSummary], ctx: &mut Keyed<'p>) {
    let rates: Vec<charts::RateRow> = list
        .iter()
        .map(|s| charts::RateRow {
            name: s.name.clone(),
            cases: s.counts.cases,
            resolved: s.counts.resolved,
        })
        .collect();
    ctx.insert(
        "chart_subdistrict_rates",
        charts::resolution(
            "chart-subdistrict-rates",
            "各街道民情事项办结率",
            &rates,
            "全部街道",
        ),
    );
    let mut errands: Vec<(String, u64)> = list
        .iter()
        .map(|s| (s.name.clone(), s.counts.errands))
        .collect();
    errands.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ctx.insert(
        "chart_subdistrict_errands",
        charts::counts(
            "chart-subdistrict-errands",
            "各街道代办事项",
            &errands,
            "个街道",
            "代办事项（件）",
            "件",
        ),
    );
    let mut visited: Vec<(String, u64)> = list
        .iter()
        .map(|s| (s.name.clone(), s.counts.households_visited))
        .collect();
    visited.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ctx.insert(
        "chart_subdistrict_visits",
        charts::counts(
            "chart-subdistrict-visits",
            "各街道走访户数",
            &visited,
            "个街道",
            "走访户数（户）",
            "户",
        ),
    );
}

/// The home page's comparison across subdistricts; an empty list for one subdistrict.
pub(super) fn comparison<'p>(plan: &'p Plan<'_>, ctx: &mut Keyed<'p>) {
    ctx.insert("subdistricts", &plan.subdistricts);
    if !plan.subdistricts.is_empty() {
        compare_charts(&plan.subdistricts, ctx);
    }
}

#[derive(Serialize)]
struct Commended {
    steward: StewardRef,
    community: String,
    batch: String,
}

pub(super) fn one<'p>(plan: &'p Plan<'_>, index: usize, ctx: &mut Keyed<'p>) {
    let site = plan.site;
    let s = &plan.subdistricts[index];
    ctx.insert("subdistrict", s);
    let communities: Vec<&CommunitySummary> = site
        .registry
        .communities
        .iter()
        .zip(&plan.communities)
        .filter(|(c, _)| c.subdistrict == Some(index))
        .map(|(_, row)| row)
        .collect();
    ctx.insert("communities", communities);
    let months: Vec<charts::Month> = plan
        .month_keys
        .iter()
        .map(|k| charts::Month {
            key: k.clone(),
            counts: s.by_month.get(k).copied().unwrap_or_default(),
        })
        .collect();
    ctx.insert(
        "chart_trend",
        charts::trend(
            "chart-trend",
            &format!("{}逐月走访和民情办理", s.name),
            &months,
        ),
    );
    #[derive(Serialize)]
    struct MonthRow {
        month: String,
        #[serde(flatten)]
        counts: crate::aggregate::Counts,
    }
    let rows: Vec<MonthRow> = months
        .into_iter()
        .map(|m| MonthRow {
            month: m.key,
            counts: m.counts,
        })
        .collect();
    ctx.insert("months", rows);
    let mut commended = Vec::new();
    for b in &site.batches {
        for &i in &b.stewards {
            let steward = &site.registry.stewards[i];
            let community = &site.registry.communities[steward.community];
            if community.subdistrict == Some(index) {
                commended.push(Commended {
                    steward: plan.people.refs[i].clone(),
                    community: community.name.clone(),
                    batch: b.title.clone(),
                });
            }
        }
    }
    ctx.insert("commended", commended);
}
