//! What pages and open-data files show, built from figures and records. Only public
//! fields are copied here: anything private stays in `model`, out of the templates' reach.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::aggregate::{Counts, Figures, month_key, rate};
use crate::diagnostics::Diagnostic;
use crate::model::Membership;
use crate::validate::Registry;

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

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CommunitySummary {
    pub id: String,
    pub name: String,
    pub party_org: Option<String>,
    pub grids: Option<u32>,
    pub buildings: Option<u32>,
    pub households: Option<u32>,
    pub stewards: u64,
    pub buildings_covered: u64,
    /// Buildings covered over the community's 楼幢数, when that is given.
    pub coverage_rate: Option<f64>,
    pub households_visited: u64,
    pub visits: u64,
    pub cases: u64,
    pub resolved: u64,
    pub resolution_rate: f64,
    pub errands: u64,
    pub meetings: u64,
    pub commended: u64,
    pub by_month: BTreeMap<String, Counts>,
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
                id: c.id.clone(),
                name: c.name.clone(),
                party_org: c.party_org.clone(),
                grids: c.grids,
                buildings: c.buildings,
                households: c.households,
                stewards: stewards_in[i],
                buildings_covered: covered,
                coverage_rate: c
                    .buildings
                    .filter(|b| *b > 0)
                    .map(|b| rate(covered, u64::from(b))),
                households_visited: n.households_visited,
                visits: n.visits,
                cases: n.cases,
                resolved: n.resolved,
                resolution_rate: rate(n.resolved, n.cases),
                errands: n.errands,
                meetings: n.meetings,
                commended: figures.community_commended[i],
                by_month: months(&figures.community_months[i]),
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
fn csv_file(
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
                    c.id,
                    c.name,
                    c.party_org.unwrap_or_default(),
                    opt(c.grids),
                    opt(c.buildings),
                    opt(c.households),
                    c.stewards.to_string(),
                    c.buildings_covered.to_string(),
                    c.coverage_rate.map(rate).unwrap_or_default(),
                    c.households_visited.to_string(),
                    c.visits.to_string(),
                    c.cases.to_string(),
                    c.resolved.to_string(),
                    rate(c.resolution_rate),
                    c.errands.to_string(),
                    c.meetings.to_string(),
                    c.commended.to_string(),
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
