//! Each steward's page: its data, typed, for the compiled page (`render::compiled`) and,
//! when a site's theme has its own `steward.html`, for Tera.

use serde::Serialize;

use crate::aggregate::Counts;
use crate::charts;
use crate::model::{Date, StewardIdx};
use crate::render::plan::Plan;
use crate::render::routes;
use crate::render::views::{CaseRow, MonthRow, Profile, case_row, month_rows, profile};

#[derive(Serialize)]
pub(crate) struct CommendationRow<'p> {
    pub batch_id: &'p str,
    pub title: &'p str,
    pub date: Option<Date>,
    pub url: String,
    pub citation: Option<&'p str>,
}

/// Everything `steward.html` sees besides the global context, under the names it uses.
/// The page's key is this, serialized: every value the page shows is in it. The activity
/// chart is not: it is drawn from `months` alone (the households of each of the site's
/// months), so it is made only for a page that is rendered.
#[derive(Serialize)]
pub(crate) struct StewardPage<'p> {
    pub root: String,
    pub path: &'p str,
    pub steward: Profile,
    pub figures: Counts,
    pub months: Vec<MonthRow<'p>>,
    pub commendations: Vec<CommendationRow<'p>>,
    pub cases: Vec<CaseRow<'p>>,
    /// The site's months, the keys of `months`: the chart's labels.
    #[serde(skip)]
    month_keys: &'p [String],
}

impl StewardPage<'_> {
    /// The page's chart, `chart_activity` to the template.
    pub(crate) fn chart(&self) -> String {
        let households: Vec<u64> = self
            .months
            .iter()
            .map(|m| m.counts.households_visited)
            .collect();
        charts::activity(
            "chart-activity",
            "逐月走访户数",
            self.month_keys,
            &households,
        )
    }

    /// The Tera context of the page.
    pub(crate) fn context(&self) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("root", &self.root);
        ctx.insert("path", self.path);
        ctx.insert("chart_activity", &self.chart());
        ctx.insert("steward", &self.steward);
        ctx.insert("figures", &self.figures);
        ctx.insert("months", &self.months);
        ctx.insert("commendations", &self.commendations);
        ctx.insert("cases", &self.cases);
        ctx
    }
}

pub(crate) fn page<'p>(
    plan: &'p Plan<'_>,
    idx: StewardIdx,
    root: String,
    path: &'p str,
) -> StewardPage<'p> {
    let site = plan.site;
    let i = idx.0;
    let s = &site.registry.stewards[i];
    let commendations = site.figures.steward_batches[i]
        .iter()
        .map(|&b| {
            let batch = &site.batches[b];
            CommendationRow {
                batch_id: &batch.id,
                title: &batch.title,
                date: crate::render::stages::shown_date(batch, site.config.build_date()),
                url: routes::commendation(&batch.id),
                citation: batch
                    .citations
                    .iter()
                    .find(|(s, _)| *s == i)
                    .map(|(_, c)| c.as_str()),
            }
        })
        .collect();
    StewardPage {
        root,
        path,
        steward: profile(site, &plan.people, i, s),
        figures: site.figures.by_steward[i],
        months: month_rows(plan, site.figures.steward_months.of(i).iter().copied()),
        commendations,
        cases: plan.steward_cases[i]
            .iter()
            .map(|c| case_row(plan, c))
            .collect(),
        month_keys: &plan.month_keys,
    }
}
