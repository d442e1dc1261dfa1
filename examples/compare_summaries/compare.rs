//! Compares a roll-up's `data/summary.json` with the summary of the one site holding all
//! records: every count, the monthly and category series, the period, the commended
//! stewards, each member's row against the whole site's communities of that member, and
//! each community of the members against the whole site's. An empty list means exact.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Figures a roll-up adds up, as pointers into a summary.
pub(crate) const ADDED: &[&str] = &[
    "/stewards",
    "/communities",
    "/buildings",
    "/buildings_covered",
    "/buildings_covered_counted",
    "/households_visited",
    "/visits",
    "/cases",
    "/resolved",
    "/errands",
    "/meetings",
    "/door_knocking_households",
    "/commended",
    "/by_membership",
    "/by_month",
    "/by_category",
    "/period",
    "/as_of",
];

/// A member row's counts, as the whole site's communities add up to them.
const MEMBER_COUNTS: &[&str] = &[
    "stewards",
    "communities",
    "buildings",
    "buildings_covered",
    "buildings_covered_counted",
    "households_visited",
    "visits",
    "cases",
    "resolved",
    "errands",
    "meetings",
    "commended",
];

fn short(v: Option<&Value>) -> String {
    let text = v.map(Value::to_string).unwrap_or_else(|| "（没有）".into());
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(200).collect::<String>())
    } else {
        text
    }
}

/// Commended stewards as (community, name, batch, date): addresses differ by site.
fn commended(s: &Value) -> Vec<String> {
    let mut list: Vec<String> = s["commended_stewards"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {}",
                c["community"], c["name"], c["batch"], c["date"]
            )
        })
        .collect();
    list.sort();
    list
}

/// The whole site's communities added up by their `group` field (subdistrict or
/// district), as member rows.
fn groups(whole: &Value, group: &str) -> BTreeMap<String, BTreeMap<&'static str, u64>> {
    let mut out: BTreeMap<String, BTreeMap<&'static str, u64>> = BTreeMap::new();
    let empty = Map::new();
    for c in whole["by_community"].as_object().unwrap_or(&empty).values() {
        let key = c[group].as_str().unwrap_or("").to_string();
        let row = out.entry(key).or_default();
        let n = |k: &str| c[k].as_u64().unwrap_or(0);
        let buildings = c["buildings"].as_u64();
        for (k, v) in [
            ("stewards", n("stewards")),
            ("communities", 1),
            ("buildings", buildings.unwrap_or(0)),
            ("buildings_covered", n("buildings_covered")),
            (
                "buildings_covered_counted",
                if buildings.is_some() {
                    n("buildings_covered")
                } else {
                    0
                },
            ),
            ("households_visited", n("households_visited")),
            ("visits", n("visits")),
            ("cases", n("cases")),
            ("resolved", n("resolved")),
            ("errands", n("errands")),
            ("meetings", n("meetings")),
            ("commended", n("commended")),
        ] {
            *row.entry(k).or_default() += v;
        }
    }
    out
}

/// Differences between the whole site's summary and a roll-up's. `group` names the
/// community field the roll-up's members stand for (`subdistrict` or `district`);
/// `bottom` are the summaries of the sites at the lowest level, whose communities
/// together must be the whole site's.
pub(crate) fn differences(
    whole: &Value,
    rolled: &Value,
    group: &str,
    bottom: &[Value],
) -> Vec<String> {
    let mut out = Vec::new();
    for key in ADDED {
        if whole.pointer(key) != rolled.pointer(key) {
            out.push(format!(
                "{key}：整体 {}，汇总 {}",
                short(whole.pointer(key)),
                short(rolled.pointer(key))
            ));
        }
    }
    let (a, b) = (commended(whole), commended(rolled));
    if a != b {
        out.push(format!(
            "优秀红管家：整体 {} 名，汇总 {} 名，名单不同",
            a.len(),
            b.len()
        ));
    }

    let expected = groups(whole, group);
    let members = rolled["members"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if members.len() != expected.len() {
        out.push(format!(
            "成员：整体的社区分属 {} 个{group}，汇总有 {} 个成员",
            expected.len(),
            members.len()
        ));
    }
    for m in members {
        let name = m["name"].as_str().unwrap_or("");
        let Some(row) = expected.get(name) else {
            out.push(format!("成员“{name}”：整体里没有这个{group}的社区"));
            continue;
        };
        for k in MEMBER_COUNTS {
            let got = m[*k].as_u64().unwrap_or(0);
            if got != row[k] {
                out.push(format!(
                    "成员“{name}”的 {k}：整体的社区合计 {}，汇总 {got}",
                    row[k]
                ));
            }
        }
    }

    let empty = Map::new();
    let whole_communities = whole["by_community"].as_object().unwrap_or(&empty);
    let mut seen = 0;
    for s in bottom {
        for (id, c) in s["by_community"].as_object().unwrap_or(&empty) {
            seen += 1;
            match whole_communities.get(id) {
                Some(w) if w == c => {}
                Some(w) => {
                    let fields = w.as_object().unwrap_or(&empty);
                    let differ: Vec<&str> = fields
                        .keys()
                        .filter(|k| w[k.as_str()] != c[k.as_str()])
                        .map(String::as_str)
                        .collect();
                    out.push(format!("社区 {id}：{} 不同", differ.join("、")));
                }
                None => out.push(format!("社区 {id}：整体里没有")),
            }
        }
    }
    if !bottom.is_empty() && seen != whole_communities.len() {
        out.push(format!(
            "社区：整体 {} 个，各成员合计 {seen} 个",
            whole_communities.len()
        ));
    }
    out
}

/// How many figures were compared, for the report line.
pub(crate) fn figure_count(whole: &Value) -> usize {
    fn leaves(v: &Value) -> usize {
        match v {
            Value::Object(m) => m.values().map(leaves).sum(),
            Value::Array(a) => a.iter().map(leaves).sum(),
            _ => 1,
        }
    }
    ADDED
        .iter()
        .filter_map(|k| whole.pointer(k))
        .map(leaves)
        .sum::<usize>()
        + leaves(&whole["by_community"])
        + leaves(&whole["commended_stewards"])
}
