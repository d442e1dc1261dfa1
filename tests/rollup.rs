//! Roll-up sites: a site whose `site.toml` lists `[[members]]` reads their published
//! `data/summary.json` and adds them up. The contract is exactness: split one site's
//! records by subdistrict into member sites, build each, roll them up, and every figure
//! equals the figure of the one site holding all records; roll-ups of roll-ups too.

mod common;

use std::collections::BTreeSet;

use common::{Site, read_summary};
use serde_json::Value;

/// The sample's eight communities split into three subdistricts.
const SPLIT: [(&str, &[&str]); 3] = [
    ("府山街道", &["dongmenjie", "fangmenjie", "guihuaxiang"]),
    ("荷花街道", &["huaishuxiang", "nanhu", "qingshijie"]),
    ("双港街道", &["renyifang", "shuyuanjie"]),
];

/// Keeps the header and the rows whose column `col` is in `keep`.
fn filter_csv(text: &str, col: usize, keep: &BTreeSet<String>) -> String {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    for (i, row) in r.records().enumerate() {
        let row = row.expect("sample csv");
        if i == 0 || keep.contains(&row[col]) {
            w.write_record(&row).expect("write csv");
        }
    }
    String::from_utf8(w.into_inner().expect("csv")).expect("utf-8")
}

/// A member site holding only `communities` of the sample, its stewards and their records.
fn member(sample: &Site, name: &str, communities: &[&str]) -> Site {
    let site = Site::empty();
    site.write(
        "site.toml",
        &format!(
            "title = \"{name}楼道红管家\"\nbase_url = \"https://example.org/{}/\"\n\n[subdistrict]\nname = \"{name}\"\n",
            communities[0]
        ),
    );
    let keep: BTreeSet<String> = communities.iter().map(|c| c.to_string()).collect();
    let communities_csv = sample.read("content/communities.csv");
    site.write(
        "content/communities.csv",
        &filter_csv(&communities_csv, 0, &keep),
    );
    let stewards_csv = filter_csv(&sample.read("content/stewards.csv"), 2, &keep);
    let stewards: BTreeSet<String> = stewards_csv
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .map(str::to_string)
        .collect();
    site.write("content/stewards.csv", &stewards_csv);
    for (file, col, by) in [
        ("cases.csv", 2, &stewards),
        ("errands.csv", 1, &stewards),
        ("meetings.csv", 1, &keep),
    ] {
        let text = sample.read(&format!("content/{file}"));
        site.write(&format!("content/{file}"), &filter_csv(&text, col, by));
    }
    for month in 1..=12 {
        let rel = format!("content/visits/2018-{month:02}.csv");
        site.write(&rel, &filter_csv(&sample.read(&rel), 1, &stewards));
    }
    // Each batch keeps the member's own commended stewards and their citations.
    let mut doc: toml::Table =
        toml::from_str(&sample.read("content/commendations.toml")).expect("sample toml");
    if let Some(toml::Value::Array(batches)) = doc.get_mut("batch") {
        for batch in batches.iter_mut() {
            let Some(b) = batch.as_table_mut() else {
                continue;
            };
            if let Some(toml::Value::Array(list)) = b.get_mut("stewards") {
                list.retain(|s| s.as_str().is_some_and(|s| stewards.contains(s)));
            }
            if let Some(toml::Value::Table(c)) = b.get_mut("citations") {
                c.retain(|k, _| stewards.contains(k));
            }
        }
    }
    site.write(
        "content/commendations.toml",
        &toml::to_string(&doc).expect("toml"),
    );
    site.build_ok();
    site
}

fn rollup(title: &str, name: &str, level: &str, members: &[(&str, &Site)]) -> Site {
    let site = Site::empty();
    let mut toml = format!(
        "title = \"{title}\"\nbase_url = \"https://example.org/{level}/\"\nname = \"{name}\"\nlevel = \"{level}\"\n"
    );
    for (name, m) in members {
        toml.push_str(&format!(
            "\n[[members]]\nname = \"{name}\"\npath = \"{}\"\n",
            m.path("public").display()
        ));
    }
    site.write("site.toml", &toml);
    site
}

/// Every figure a roll-up adds up, as the summary holds it.
const ADDED: &[&str] = &[
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

fn commended_names(s: &Value) -> Vec<String> {
    let mut names: Vec<String> = s["commended_stewards"]
        .as_array()
        .expect("commended_stewards")
        .iter()
        .map(|c| format!("{} {}", c["community"], c["name"]))
        .collect();
    names.sort();
    names
}

fn assert_same_figures(whole: &Value, rolled: &Value) {
    for key in ADDED {
        assert_eq!(whole.pointer(key), rolled.pointer(key), "{key}");
    }
    assert_eq!(commended_names(whole), commended_names(rolled));
}

#[test]
fn a_rollup_of_subdistricts_equals_the_site_holding_all_records_and_rollups_stack() {
    let sample = Site::sample();
    let whole = sample.summary();
    let members: Vec<(&str, Site)> = SPLIT
        .iter()
        .map(|(name, communities)| (*name, member(&sample, name, communities)))
        .collect();
    // Every community went to exactly one member.
    let split: u64 = members
        .iter()
        .map(|(_, m)| common::num(&read_summary(&m.path("public")), "/communities"))
        .sum();
    assert_eq!(split, 8);

    let list: Vec<(&str, &Site)> = members.iter().map(|(n, m)| (*n, m)).collect();
    let district = rollup("柯城区楼道红管家汇总", "柯城区", "区县", &list);
    let rolled = district.summary();
    assert_same_figures(&whole, &rolled);
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
    assert!(home.contains("href=\"https://example.org/dongmenjie/\""));

    // One level up: two districts (one of two subdistricts, one of one) make a city.
    let east = rollup("东区", "东区", "区县", &list[..2]);
    east.build_ok();
    let west = rollup("西区", "西区", "区县", &list[2..]);
    west.build_ok();
    let city = rollup(
        "衢州市",
        "衢州市",
        "市",
        &[("东区", &east), ("西区", &west)],
    );
    let top = city.summary();
    assert_same_figures(&whole, &top);
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
