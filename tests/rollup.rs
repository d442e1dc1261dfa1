//! Roll-up sites: a site whose `site.toml` lists `[[members]]` reads their published
//! `data/summary.json` and adds them up. The contract is exactness: split one site's
//! records by subdistrict into member sites, build each, roll them up, and every figure
//! equals the figure of the one site holding all records; roll-ups of roll-ups too.

mod common;

use std::path::PathBuf;

use common::{Site, read_summary};
use serde_json::Value;

/// The sample's eight communities (in id order) in three subdistricts of two districts.
const SUBDISTRICT: [&str; 8] = [
    "府山街道",
    "府山街道",
    "府山街道",
    "荷花街道",
    "荷花街道",
    "荷花街道",
    "双港街道",
    "双港街道",
];
const SUBDISTRICTS_CSV: &str =
    "编号,名称,区县\nfushan,府山街道,东区\nhehua,荷花街道,东区\nshuanggang,双港街道,西区\n";

/// The sample with subdistricts, split by `scripts/exactness.sh`'s tool into member sites,
/// each built into its own `public/`.
fn split_sample() -> (Site, Site, Vec<common::split::Part>) {
    let whole = Site::sample_with_subdistricts(|i| SUBDISTRICT[i]);
    whole.write("content/subdistricts.csv", SUBDISTRICTS_CSV);
    let out = Site::empty();
    let parts = common::split::split(whole.root(), &out.path("members")).expect("split");
    for p in &parts {
        let root = p.folder.display().to_string();
        let public = p.folder.join("public").display().to_string();
        common::run(&["build", "--root", &root, "--output", &public]).assert_code(0);
    }
    (whole, out, parts)
}

fn rollup_of(title: &str, name: &str, level: &str, members: &[(&str, PathBuf)]) -> Site {
    let site = Site::empty();
    let mut toml = format!(
        "title = \"{title}\"\nbase_url = \"https://example.org/{level}/\"\nname = \"{name}\"\nlevel = \"{level}\"\n"
    );
    for (name, path) in members {
        toml.push_str(&format!(
            "\n[[members]]\nname = \"{name}\"\npath = \"{}\"\n",
            path.display()
        ));
    }
    site.write("site.toml", &toml);
    site
}

fn rollup(title: &str, name: &str, level: &str, members: &[(&str, &Site)]) -> Site {
    let paths: Vec<(&str, PathBuf)> = members
        .iter()
        .map(|(n, m)| (*n, m.path("public")))
        .collect();
    rollup_of(title, name, level, &paths)
}

fn assert_exact(whole: &Value, rolled: &Value, group: &str, bottom: &[Value]) {
    let diffs = common::compare::differences(whole, rolled, group, bottom);
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

#[test]
fn a_rollup_of_subdistricts_equals_the_site_holding_all_records_and_rollups_stack() {
    let (sample, _out, parts) = split_sample();
    let whole = sample.summary();
    let summaries: Vec<Value> = parts
        .iter()
        .map(|p| read_summary(&p.folder.join("public")))
        .collect();
    // Every community went to exactly one member.
    let split: u64 = summaries
        .iter()
        .map(|s| common::num(s, "/communities"))
        .sum();
    assert_eq!(split, 8);

    let members: Vec<(&str, PathBuf)> = parts
        .iter()
        .map(|p| (p.name.as_str(), p.folder.join("public")))
        .collect();
    let district = rollup_of("柯城区楼道红管家汇总", "柯城区", "区县", &members);
    let rolled = district.summary();
    assert_exact(&whole, &rolled, "subdistrict", &summaries);
    assert_eq!(rolled["format"], "hongguanjia-summary");
    assert_eq!(rolled["level"], "区县");
    let names: Vec<&str> = rolled["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["name"].as_str())
        .collect();
    assert_eq!(names, ["府山街道", "荷花街道", "双港街道"]);

    // The roll-up's page shows the sum and links every member's site.
    let home = district.read("public/index.html");
    assert!(home.contains(&format!(
        "id=\"fig-households\">{}</span>",
        whole["households_visited"]
    )));
    assert!(home.contains("href=\"https://example.gov.cn/fushan/fushan/\""));
    // Members of one level are called by it; few commended stewards are listed open.
    assert!(home.contains("各街道比较") && home.contains("各街道民情事项办结率"));
    assert!(home.contains("<details class=\"member-commended\" open>"));

    // One level up: two districts (one of two subdistricts, one of one) make a city.
    let east = rollup_of("东区", "东区", "区县", &members[..2]);
    east.build_ok();
    let west = rollup_of("西区", "西区", "区县", &members[2..]);
    west.build_ok();
    let city = rollup(
        "衢州市",
        "衢州市",
        "市",
        &[("东区", &east), ("西区", &west)],
    );
    let top = city.summary();
    assert_exact(&whole, &top, "district", &[]);
    // A steward passed up two levels still names the subdistrict that commended them.
    assert!(
        top["commended_stewards"]
            .as_array()
            .expect("list")
            .iter()
            .all(|c| c["member"].as_str().is_some_and(|m| m.ends_with("街道")))
    );
}

#[test]
fn the_comparison_finds_a_figure_that_differs() {
    let (sample, _out, parts) = split_sample();
    let whole = sample.summary();
    let mut summaries: Vec<Value> = parts
        .iter()
        .map(|p| read_summary(&p.folder.join("public")))
        .collect();
    let members: Vec<(&str, PathBuf)> = parts
        .iter()
        .map(|p| (p.name.as_str(), p.folder.join("public")))
        .collect();
    // A member that left one community's visits out of its build.
    let district = rollup_of("汇总", "柯城区", "区县", &members[1..]);
    let rolled = district.summary();
    let diffs = common::compare::differences(&whole, &rolled, "subdistrict", &summaries[1..]);
    assert!(
        diffs
            .iter()
            .any(|d| d.starts_with("/communities：整体 8，汇总 5")),
        "{diffs:?}"
    );
    assert!(
        diffs
            .iter()
            .any(|d| d.starts_with("社区：整体 8 个，各成员合计 5 个")),
        "{diffs:?}"
    );
    // One community's count changed in a member's summary is named with the field.
    let first = summaries[0]["by_community"]
        .as_object_mut()
        .and_then(|m| m.values_mut().next())
        .expect("a community");
    first["cases"] = Value::from(first["cases"].as_u64().unwrap_or(0) + 1);
    let all = rollup_of("汇总", "柯城区", "区县", &members).summary();
    let diffs = common::compare::differences(&whole, &all, "subdistrict", &summaries);
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert!(diffs[0].ends_with("：cases 不同"), "{diffs:?}");
}

#[test]
fn a_rollup_has_no_records_of_its_own_and_its_output_is_the_same_every_time() {
    let member = Site::basic();
    member.build_ok();
    let site = rollup("汇总", "某区", "区县", &[("某街道", &member)]);
    site.build_ok();
    let first = common::tree(&site.path("public"));
    site.build_ok();
    assert_eq!(first, common::tree(&site.path("public")));
    assert!(first.contains_key("index.html"));
    assert!(first.contains_key("data/members.csv"));
    assert!(!first.contains_key("communities/index.html"));
    let home = String::from_utf8(first["index.html"].clone()).expect("utf-8");
    for link in common::nav_links(&home) {
        let file = link.split('#').next().unwrap_or(&link);
        assert!(first.contains_key(file), "the navigation links to {link}");
    }
}

#[test]
fn bad_members_are_named_with_their_line_and_nothing_is_written() {
    let good = Site::basic();
    good.build_ok();
    let site = Site::empty();
    site.write(
        "future.json",
        "{\"format\": \"hongguanjia-summary\", \"version\": 7}",
    );
    site.write(
        "broken.json",
        "{\"format\": \"hongguanjia-summary\", \"vers",
    );
    site.write("other.json", "{\"title\": \"别的文件\"}");
    let good_path = good.path("public").display().to_string();
    site.write(
        "site.toml",
        &format!(
            "title = \"汇总\"\nbase_url = \"/\"\n\n[[members]]\nname = \"甲街道\"\npath = \"{good_path}\"\n\n[[members]]\nname = \"乙街道\"\npath = \"future.json\"\n\n[[members]]\nname = \"丙街道\"\npath = \"broken.json\"\n\n[[members]]\nname = \"甲街道\"\npath = \"{good_path}\"\n\n[[members]]\nname = \"丁街道\"\npath = \"other.json\"\n\n[[members]]\nname = \"戊街道\"\npath = \"missing\"\n"
        ),
    );
    let out = site.build(&[]);
    out.assert_code(1);
    out.assert_line("site.toml:8: 成员“乙街道”：future.json 的格式版本是 7，本程序只认识版本 1。请用同一版本的红管家重新生成成员站点，或升级本程序");
    out.assert_line("site.toml:12: 成员“丙街道”：broken.json 不是完整的 JSON（第 1 行：文件在中途结束），文件可能损坏或没有下载完整，请重新获取");
    out.assert_line(
        "site.toml:16: 成员名称“甲街道”重复：第 4 行的成员也叫这个名字。每个成员的 name 要不同",
    );
    out.assert_line("site.toml:20: 成员“丁街道”：other.json 不是红管家汇总文件（应有 \"format\": \"hongguanjia-summary\"）。请指向成员站点生成的 data/summary.json");
    assert!(
        out.stderr
            .contains("site.toml:24: 成员“戊街道”：找不到 missing。")
    );
    assert!(!site.path("public").exists());
}

#[test]
fn a_member_of_another_period_is_warned_about() {
    let a = Site::basic();
    a.build_ok();
    let b = Site::basic();
    b.build_ok();
    let c = Site::basic();
    c.append_line("content/visits.csv", "2019-03-01,FM-001,1,3幢,走访,");
    c.build_ok();
    let site = rollup(
        "汇总",
        "某区",
        "区县",
        &[("甲", &a), ("乙", &b), ("丙", &c)],
    );
    let out = site.build_ok();
    out.assert_line("site.toml:14: 警告：成员“丙”的统计期是 2018-11 至 2019-03，其他成员是 2018-11 至 2018-12。请确认用的是同一期的 summary.json");
}

#[test]
fn the_same_site_under_two_members_is_warned_about() {
    let a = Site::basic();
    a.build_ok();
    let summary: Value =
        serde_json::from_str(&a.read("public/data/summary.json")).expect("summary.json");
    let own = summary["name"].as_str().expect("name");
    let site = rollup_of(
        "汇总",
        "某区",
        "区县",
        &[("甲", a.path("public")), ("乙", a.path("public"))],
    );
    let out = site.build_ok();
    out.assert_line(&format!("site.toml:10: 警告：成员“乙”和第 6 行的成员“甲”读到的都是“{own}”发布的 summary.json，数字会重复相加。请确认两个 path 没有指向同一个站点"));
    out.assert_line(&format!("site.toml:6: 警告：成员“甲”的 summary.json 是“{own}”发布的。请确认 path 没有指错；名称只是写法不同时可以不管"));
}

/// A roll-up's bulletin: `members["名称"]` is that member's row (counts and rates computed
/// from them), `stats` the roll-up's own totals.
const ROLLUP_BULLETIN: &str = "+++
title = \"全区红管家工作情况\"
date = 2018-12-20
+++

全区红管家 {{ stats.stewards }} 名，走访 {{ stats.households_visited }} 户。

甲街道走访 {{ members[\"甲街道\"].households_visited }} 户，办结率 {{ members[\"甲街道\"].resolution_rate | percent }}；乙街道民情事项 {{ members['乙街道'].cases }} 条。
";

#[test]
fn a_rollup_bulletin_binds_any_members_figures_and_the_totals() {
    let a = Site::basic();
    a.build_ok();
    let b = Site::basic();
    b.append_line("content/visits.csv", "2018-12-11,FM-001,5,3幢,走访,");
    b.build_ok();
    let (sa, sb) = (a.summary(), b.summary());
    let site = rollup("汇总", "某区", "区县", &[("甲街道", &a), ("乙街道", &b)]);
    site.write("content/bulletins/2018-1.md", ROLLUP_BULLETIN);
    site.build_ok();
    let page = site.read("public/bulletins/2018-1/index.html");
    let households = |s: &Value| common::num(s, "/households_visited");
    assert!(page.contains(&format!("走访 {} 户。", households(&sa) + households(&sb))));
    let rate = common::num(&sa, "/resolved") as f64 / common::num(&sa, "/cases") as f64;
    assert!(
        page.contains(&format!(
            "甲街道走访 {} 户，办结率 {:.1}%",
            households(&sa),
            rate * 100.0
        )),
        "{page}"
    );
    assert!(page.contains(&format!("乙街道民情事项 {} 条", common::num(&sb, "/cases"))));
    // The home page lists it and the navigation links the bulletins.
    let home = site.read("public/index.html");
    assert!(home.contains("全区红管家工作情况"));
    assert!(home.contains("bulletins/index.html"));
    assert!(site.path("public/bulletins/index.html").is_file());
}

#[test]
fn a_rollup_bulletin_naming_an_unknown_member_is_an_error_listing_the_members() {
    let a = Site::basic();
    a.build_ok();
    let site = rollup("汇总", "某区", "区县", &[("甲街道", &a), ("乙街道", &a)]);
    site.write(
        "content/bulletins/2018-1.md",
        &ROLLUP_BULLETIN.replace("members['乙街道']", "members['乙街到']"),
    );
    let out = site.build(&[]);
    out.assert_code(1);
    out.assert_line("content/bulletins/2018-1.md:8: 没有名为“乙街到”的成员。是不是“乙街道”？本汇总站点的成员：甲街道、乙街道（名称要和 site.toml 里 [[members]] 的 name 一字不差）");
    assert!(!site.path("public").exists());
}
