//! The list of commendation batches and each batch's page: its stage, its decision and
//! its public notice.

use crate::fingerprint::Keyed;
use serde::Serialize;

use crate::render::plan::Plan;
use crate::render::routes;
use crate::render::stages::{self, Stage};
use crate::render::views::{DecisionView, NoticeView, StewardRef, profile};
use crate::site::Site;

#[derive(Serialize)]
pub(super) struct BatchSummary {
    id: String,
    title: String,
    date: Option<String>,
    issuer: Option<String>,
    count: usize,
    url: String,
    stage: Stage,
}

#[derive(Serialize)]
struct Commended {
    steward: StewardRef,
    community: String,
    community_url: String,
    membership: &'static str,
    workplace: Option<String>,
    buildings: Vec<String>,
    figures: crate::aggregate::Counts,
    citation: Option<String>,
}

/// Every batch, newest first.
pub(super) fn batch_summaries(site: &Site) -> Vec<BatchSummary> {
    let mut list: Vec<BatchSummary> = site
        .batches
        .iter()
        .map(|b| BatchSummary {
            id: b.id.clone(),
            title: b.title.clone(),
            date: stages::shown_date(b, site.config.build_date()).map(|d| d.to_string()),
            issuer: b.issuer.clone(),
            count: b.stewards.len(),
            url: routes::commendation(&b.id),
            stage: stages::stage(b, site.config.build_date()),
        })
        .collect();
    list.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    list
}

pub(super) fn index<'p>(plan: &'p Plan<'_>, ctx: &mut Keyed<'p>) {
    ctx.insert("batches", batch_summaries(plan.site));
}

pub(super) fn one<'p>(plan: &'p Plan<'_>, index: usize, ctx: &mut Keyed<'p>) {
    let site = plan.site;
    let batch = &site.batches[index];
    let stewards: Vec<Commended> = batch
        .stewards
        .iter()
        .map(|&i| {
            let s = &site.registry.stewards[i];
            let p = profile(site, &plan.people, i, s);
            Commended {
                steward: plan.people.refs[i].clone(),
                community: p.community,
                community_url: p.community_url,
                membership: p.membership,
                workplace: p.workplace,
                buildings: p.buildings,
                figures: site.figures.by_steward[i],
                citation: batch
                    .citations
                    .iter()
                    .find(|(s, _)| *s == i)
                    .map(|(_, c)| c.clone()),
            }
        })
        .collect();
    ctx.insert(
        "batch",
        BatchSummary {
            id: batch.id.clone(),
            title: batch.title.clone(),
            date: stages::shown_date(batch, site.config.build_date()).map(|d| d.to_string()),
            issuer: batch.issuer.clone(),
            count: batch.stewards.len(),
            url: String::new(),
            stage: stages::stage(batch, site.config.build_date()),
        },
    );
    ctx.insert("notice", batch.notice.as_ref().map(NoticeView::new));
    ctx.insert("decision", batch.decision.as_ref().map(DecisionView::new));
    ctx.insert("stewards", stewards);
}
