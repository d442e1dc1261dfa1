//! What pages and open-data files show, built from figures and records. Only public
//! fields are copied here: anything private stays in `model`, out of the templates' reach.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::aggregate::{Counts, Figures, month_key, rate};
use crate::diagnostics::Diagnostic;
use crate::model::Membership;
use crate::site::Site;
use crate::summary::{
    CategoryCount, CommendedSteward, CommunityCount, FORMAT, Headline, Rates, SummaryFile, VERSION,
    period_of,
};
use crate::validate::Registry;

use super::views::People;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    /// The latest date of any record, `YYYY-MM-DD`.
    pub as_of: Option<String>,
    pub stewards: u64,
    pub communities: u64,
    pub buildings_covered: u64,
    pub households_visited: u64,
    pub visits: u64,
    pub cases: u64,
    pub resolved: u64,
    pub resolution_rate: f64,
    pub errands: u64,
    pub meetings: u64,
    pub commended: u64,
    pub by_membership: BTreeMap<&'static str, u64>,
    pub by_community: BTreeMap<String, CommunitySummary>,
    pub by_month: BTreeMap<String, Counts>,
    pub by_category: Vec<CategorySummary>,
}

/// One community as pages show it: the counts it publishes, and its rates.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CommunitySummary {
    #[serde(flatten)]
    pub counts: CommunityCount,
    /// Buildings covered over the community's 楼幢数, when that is given.
    pub coverage_rate: Option<f64>,
    pub resolution_rate: f64,
}

/// One subdistrict of a site with several: its communities' counts added up.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SubdistrictSummary {
    pub index: usize,
    pub id: String,
    pub name: String,
    pub url: String,
    pub district: Option<String>,
    pub committee: Option<String>,
    pub area_km2: Option<f64>,
    pub residents: Option<u32>,
    pub branches: Option<u32>,
    #[serde(flatten)]
    pub counts: Headline,
    #[serde(flatten)]
    pub rates: Rates,
    pub by_month: BTreeMap<String, Counts>,
}

/// The subdistricts of a site with several, in the order first named; none otherwise.
pub(crate) fn subdistricts(registry: &Registry, summary: &Summary) -> Vec<SubdistrictSummary> {
    if !registry.has_levels() {
        return Vec::new();
    }
    let mut counts = vec![Headline::default(); registry.subdistricts.len()];
    let mut by_month: Vec<BTreeMap<String, Counts>> = vec![BTreeMap::new(); counts.len()];
    for c in &registry.communities {
        let (Some(i), Some(n)) = (c.subdistrict, summary.by_community.get(&c.id)) else {
            continue;
        };
        counts[i].add_community(&n.counts);
        for (k, m) in &n.counts.by_month {
            crate::summary::add_counts(by_month[i].entry(k.clone()).or_default(), m);
        }
    }
    let ids = super::routes::subdistrict_ids(&registry.subdistricts);
    registry
        .subdistricts
        .iter()
        .zip(ids)
        .zip(counts.into_iter().zip(by_month))
        .enumerate()
        .map(
            |(index, ((s, id), (counts, by_month)))| SubdistrictSummary {
                index,
                url: super::routes::subdistrict(&id),
                id,
                name: s.name.clone(),
                district: s.district.clone(),
                committee: s.committee.clone(),
                area_km2: s.area_km2,
                residents: s.residents,
                branches: s.branches,
                rates: Rates::of(&counts),
                counts,
                by_month,
            },
        )
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CategorySummary {
    pub category: String,
    pub cases: u64,
    pub resolved: u64,
    pub resolution_rate: f64,
}

fn months(m: &BTreeMap<u32, Counts>) -> BTreeMap<String, Counts> {
    m.iter().map(|(k, c)| (month_key(*k), *c)).collect()
}

/// Largest first, then by name, so ties do not depend on input order.
pub(crate) fn categories(
    table: &BTreeMap<String, crate::aggregate::CategoryCounts>,
) -> Vec<CategorySummary> {
    let mut list: Vec<CategorySummary> = table
        .iter()
        .map(|(name, c)| CategorySummary {
            category: name.clone(),
            cases: c.cases,
            resolved: c.resolved,
            resolution_rate: rate(c.resolved, c.cases),
        })
        .collect();
    list.sort_by(|a, b| {
        b.cases
            .cmp(&a.cases)
            .then_with(|| a.category.cmp(&b.category))
    });
    list
}

pub(crate) fn summary(registry: &Registry, figures: &Figures) -> Summary {
    let mut stewards_in = vec![0u64; registry.communities.len()];
    let mut by_membership: BTreeMap<&'static str, u64> = [
        Membership::Registered,
        Membership::InService,
        Membership::NewOrg,
    ]
    .into_iter()
    .map(|m| (m.label(), 0))
    .collect();
    for s in &registry.stewards {
        stewards_in[s.community] += 1;
        *by_membership.entry(s.membership.label()).or_default() += 1;
    }
    let by_community = registry
        .communities
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let n = &figures.by_community[i];
            let covered = figures.community_buildings_covered[i];
            let summary = CommunitySummary {
                counts: CommunityCount {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    party_org: c.party_org.clone(),
                    grids: c.grids,
                    buildings: c.buildings,
                    households: c.households,
                    stewards: stewards_in[i],
                    buildings_covered: covered,
                    households_visited: n.households_visited,
                    visits: n.visits,
                    cases: n.cases,
                    resolved: n.resolved,
                    errands: n.errands,
                    meetings: n.meetings,
                    commended: figures.community_commended[i],
                    by_month: months(&figures.community_months[i]),
                    subdistrict: c.subdistrict.map(|s| registry.subdistricts[s].name.clone()),
                    district: c.district.clone(),
                },
                coverage_rate: c
                    .buildings
                    .filter(|b| *b > 0)
                    .map(|b| rate(covered, u64::from(b))),
                resolution_rate: rate(n.resolved, n.cases),
            };
            (c.id.clone(), summary)
        })
        .collect();
    let site = &figures.site;
    Summary {
        as_of: figures.as_of.map(|d| d.to_string()),
        stewards: registry.stewards.len() as u64,
        communities: registry.communities.len() as u64,
        buildings_covered: figures.buildings_covered,
        households_visited: site.households_visited,
        visits: site.visits,
        cases: site.cases,
        resolved: site.resolved,
        resolution_rate: rate(site.resolved, site.cases),
        errands: site.errands,
        meetings: site.meetings,
        commended: figures.commended,
        by_membership,
        by_community,
        by_month: months(&figures.by_month),
        by_category: categories(&figures.by_category),
    }
}

/// What the site publishes in `data/summary.json` for the level above
/// ([`crate::summary`]), from the figures its pages show.
pub(crate) fn published(site: &Site, summary: &Summary) -> SummaryFile {
    let config = &site.config;
    let base = config.base_url_slash();
    let people = People::new(site);
    let mut commended_stewards = Vec::new();
    for b in &site.batches {
        for &i in &b.stewards {
            let s = &site.registry.stewards[i];
            let who = &people.refs[i];
            commended_stewards.push(CommendedSteward {
                name: who.name.clone(),
                community: site.registry.communities[s.community].name.clone(),
                batch: b.title.clone(),
                date: super::stages::shown_date(b, config.build_date()).map(|d| d.to_string()),
                url: who.url.as_ref().map(|u| format!("{base}{u}")),
                member: None,
            });
        }
    }
    let mut all = Headline::default();
    let by_community: BTreeMap<String, CommunityCount> = summary
        .by_community
        .iter()
        .map(|(id, c)| {
            all.add_community(&c.counts);
            (id.clone(), c.counts.clone())
        })
        .collect();
    SummaryFile {
        format: FORMAT.to_string(),
        version: VERSION,
        name: config.site_name(),
        level: config.site_level(),
        title: config.title.clone(),
        url: base,
        period: period_of(&summary.by_month),
        as_of: summary.as_of.clone(),
        stewards: summary.stewards,
        communities: summary.communities,
        buildings: all.buildings,
        buildings_covered: summary.buildings_covered,
        buildings_covered_counted: all.buildings_covered_counted,
        households_visited: summary.households_visited,
        visits: summary.visits,
        cases: summary.cases,
        resolved: summary.resolved,
        errands: summary.errands,
        meetings: summary.meetings,
        door_knocking_households: summary
            .by_month
            .values()
            .map(|c| c.door_knocking_households)
            .sum(),
        commended: summary.commended,
        by_membership: summary
            .by_membership
            .iter()
            .map(|(k, v)| ((*k).to_string(), *v))
            .collect(),
        by_month: summary.by_month.clone(),
        by_category: summary
            .by_category
            .iter()
            .map(|c| CategoryCount {
                category: c.category.clone(),
                cases: c.cases,
                resolved: c.resolved,
            })
            .collect(),
        by_community,
        members: Vec::new(),
        commended_stewards,
    }
}

/// Communities in the order the user listed them, for tables on pages.
pub(crate) fn community_rows(registry: &Registry, summary: &Summary) -> Vec<CommunitySummary> {
    registry
        .communities
        .iter()
        .filter_map(|c| summary.by_community.get(&c.id).cloned())
        .collect()
}

/// One CSV file of open data; a table that cannot be written is an error, never a file
/// quietly missing from the site.
pub(crate) fn csv_file(
    path: &str,
    header: &[&str],
    rows: Vec<Vec<String>>,
) -> Result<super::OutputFile, Diagnostic> {
    let fail =
        |e: &dyn std::fmt::Display| Diagnostic::error(path, 0, format!("无法生成公开数据表：{e}"));
    let mut w = csv::WriterBuilder::new().from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header).map_err(|e| fail(&e))?;
    for r in rows {
        w.write_record(r.iter().map(|cell| defuse_formula(cell).into_owned()))
            .map_err(|e| fail(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| fail(&e))?;
    Ok(super::OutputFile {
        path: path.to_string(),
        bytes,
    })
}

/// Open data as CSV, aggregates only, with a BOM so that Excel reads the Chinese headers.
pub(crate) fn tables(
    registry: &Registry,
    summary: &Summary,
) -> Result<Vec<super::OutputFile>, Diagnostic> {
    let mut files = Vec::new();
    let mut add = |path: &str, header: &[&str], rows: Vec<Vec<String>>| -> Result<(), Diagnostic> {
        files.push(csv_file(path, header, rows)?);
        Ok(())
    };
    let rate = |r: f64| format!("{r:.4}");
    add(
        "data/communities.csv",
        &[
            "编号",
            "名称",
            "党组织",
            "网格数",
            "楼幢数",
            "户数",
            "红管家",
            "覆盖楼幢",
            "覆盖率",
            "走访户数",
            "走访次数",
            "民情事项",
            "已解决",
            "办结率",
            "代办事项",
            "议事会",
            "优秀红管家",
        ],
        community_rows(registry, summary)
            .into_iter()
            .map(|c| {
                let opt = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
                vec![
                    c.counts.id,
                    c.counts.name,
                    c.counts.party_org.unwrap_or_default(),
                    opt(c.counts.grids),
                    opt(c.counts.buildings),
                    opt(c.counts.households),
                    c.counts.stewards.to_string(),
                    c.counts.buildings_covered.to_string(),
                    c.coverage_rate.map(rate).unwrap_or_default(),
                    c.counts.households_visited.to_string(),
                    c.counts.visits.to_string(),
                    c.counts.cases.to_string(),
                    c.counts.resolved.to_string(),
                    rate(c.resolution_rate),
                    c.counts.errands.to_string(),
                    c.counts.meetings.to_string(),
                    c.counts.commended.to_string(),
                ]
            })
            .collect(),
    )?;
    add(
        "data/months.csv",
        &[
            "月份",
            "走访户数",
            "走访次数",
            "民情事项",
            "已解决",
            "代办事项",
            "议事会",
            "敲门日走访户数",
        ],
        summary
            .by_month
            .iter()
            .map(|(m, c)| {
                vec![
                    m.clone(),
                    c.households_visited.to_string(),
                    c.visits.to_string(),
                    c.cases.to_string(),
                    c.resolved.to_string(),
                    c.errands.to_string(),
                    c.meetings.to_string(),
                    c.door_knocking_households.to_string(),
                ]
            })
            .collect(),
    )?;
    add(
        "data/categories.csv",
        &["类别", "民情事项", "已解决", "办结率"],
        summary
            .by_category
            .iter()
            .map(|c| {
                vec![
                    c.category.clone(),
                    c.cases.to_string(),
                    c.resolved.to_string(),
                    rate(c.resolution_rate),
                ]
            })
            .collect(),
    )?;
    Ok(files)
}

/// Excel and WPS run a cell that starts with `=`, `+`, `-` or `@` as a formula; a text
/// from the input gets a leading `'` so that it is shown as typed.
fn defuse_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{cell}")),
        _ => std::borrow::Cow::Borrowed(cell),
    }
}
