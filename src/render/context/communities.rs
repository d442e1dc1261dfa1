//! The list of communities and each community's page.

use std::collections::BTreeMap;

use crate::fingerprint::Keyed;
use serde::Serialize;

use super::chart_months;
use crate::charts;
use crate::model::CommunityIdx;
use crate::render::data::categories;
use crate::render::plan::Plan;
use crate::render::views::{
    CaseRow, StewardRef, case_row, month_rows, natural_cmp, party_org_name,
};

pub(super) fn index<'p>(plan: &'p Plan<'_>, ctx: &mut Keyed<'p>) {
    ctx.insert("communities", &plan.communities);
    ctx.insert("groups", super::subdistricts::groups(plan));
}

#[derive(Serialize)]
struct BuildingRow {
    label: String,
    /// The `id` a board's QR code points at; none for a label spelt like an earlier one.
    anchor: Option<String>,
    stewards: Vec<StewardRef>,
}

#[derive(Serialize)]
struct RosterRow {
    steward: StewardRef,
    membership: &'static str,
    buildings: Vec<String>,
    teams: Vec<String>,
}

#[derive(Serialize)]
struct MeetingRow {
    date: String,
    topic: Option<String>,
    attendees: usize,
}

pub(super) fn one<'p>(plan: &'p Plan<'_>, idx: CommunityIdx, ctx: &mut Keyed<'p>) {
    let site = plan.site;
    let ci = idx.0;
    let community = &site.registry.communities[ci];
    let people = &plan.people;
    let mut buildings: BTreeMap<&str, Vec<StewardRef>> = BTreeMap::new();
    let mut roster = Vec::new();
    for &si in &plan.members[ci] {
        let s = &site.registry.stewards[si];
        for b in &s.buildings {
            buildings
                .entry(b.as_str())
                .or_default()
                .push(people.refs[si].clone());
        }
        roster.push(RosterRow {
            steward: people.refs[si].clone(),
            membership: s.membership.label(),
            buildings: s.buildings.clone(),
            teams: s.teams.clone(),
        });
    }
    let mut buildings: Vec<BuildingRow> = buildings
        .into_iter()
        .map(|(label, stewards)| BuildingRow {
            label: label.to_string(),
            anchor: Some(crate::render::routes::building_anchor(label)),
            stewards,
        })
        .collect();
    buildings.sort_by(|a, b| natural_cmp(&a.label, &b.label));
    let mut anchors = std::collections::HashSet::new();
    for b in &mut buildings {
        if let Some(a) = &b.anchor
            && !anchors.insert(a.clone())
        {
            b.anchor = None;
        }
    }
    roster.sort_by(|a, b| natural_cmp(&a.steward.id, &b.steward.id));
    let cases: Vec<CaseRow> = plan.community_cases[ci]
        .iter()
        .map(|c| case_row(plan, c))
        .collect();
    let meetings: Vec<MeetingRow> = plan.community_meetings[ci]
        .iter()
        .map(|m| MeetingRow {
            date: m.date.to_string(),
            topic: m.topic.clone(),
            attendees: m.attendees.len(),
        })
        .collect();
    let categories = categories(&site.figures.community_categories[ci]);

    let months = month_rows(
        plan,
        site.figures.community_months[ci]
            .iter()
            .map(|(&m, &c)| (m, c)),
    );
    ctx.insert(
        "chart_trend",
        charts::trend(
            "chart-trend",
            &format!("{}逐月走访和民情办理", community.name),
            &chart_months(&months),
        ),
    );
    ctx.insert(
        "chart_categories",
        charts::categories(
            "chart-categories",
            &format!("{}民情事项分类", community.name),
            &categories
                .iter()
                .map(|c| (c.category.clone(), c.cases))
                .collect::<Vec<_>>(),
        ),
    );
    ctx.insert("community", &plan.communities[ci]);
    ctx.insert(
        "party_org",
        community
            .party_org
            .as_deref()
            .and_then(|org| party_org_name(&community.name, org)),
    );
    ctx.insert("months", months);
    ctx.insert("categories", categories);
    ctx.insert("buildings", buildings);
    ctx.insert("roster", roster);
    ctx.insert("cases", cases);
    ctx.insert("meetings", meetings);
}
