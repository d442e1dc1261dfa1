//! Levels inside one site: communities may name their 街道 (and 区县); a site whose
//! communities lie in several subdistricts gets subdistrict pages, a communities index
//! grouped by subdistrict and a comparison on the home page. One subdistrict: the site is
//! exactly what it was.

mod common;

use common::{Site, num, tree};

#[test]
fn one_subdistrict_builds_the_same_site_as_before() {
    let plain = Site::sample();
    plain.build_ok();
    let named = Site::sample_with_subdistricts(|_| "府山街道");
    named.build_ok();
    let mut before = tree(&plain.path("public"));
    let mut after = tree(&named.path("public"));
    // The summary names each community's subdistrict; every other byte is the same.
    before.remove("data/summary.json");
    after.remove("data/summary.json");
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &before {
        assert!(after[path] == *bytes, "{path} changed");
    }
}

#[test]
fn several_subdistricts_get_pages_a_grouped_index_and_a_comparison() {
    let site = Site::sample_with_subdistricts(|i| ["府山街道", "荷花街道", "双港街道"][i % 3]);
    site.write(
        "content/subdistricts.csv",
        "编号,名称,区县,党工委,面积,常住人口,基层党支部\nfushan,府山街道,柯城区,府山街道党工委,3.55,47000,64\nhehua,荷花街道,柯城区,,,,\nshuanggang,双港街道,柯城区,,,,\n",
    );
    let summary = site.summary();
    let files = tree(&site.path("public"));
    for id in ["fushan", "hehua", "shuanggang"] {
        assert!(
            files.contains_key(&format!("subdistricts/{id}/index.html")),
            "{id}"
        );
    }
    assert!(files.contains_key("assets/sort.js") && files.contains_key("assets/filter.js"));
    let fushan = site.read("public/subdistricts/fushan/index.html");
    assert!(fushan.contains("府山街道党工委") && fushan.contains("辖区面积3.55平方公里"));

    // Without JavaScript the index is the whole list, grouped; the filter box is hidden.
    let index = site.read("public/communities/index.html");
    assert!(index.contains("id=\"community-filter-box\" hidden"));
    assert_eq!(index.matches("<section class=\"group\"").count(), 3);
    assert_eq!(index.matches("<tr data-name=").count(), 8);

    // The comparison's rows add up to the site's figures.
    let home = site.read("public/index.html");
    assert!(home.contains("各街道比较"));
    let by_community = summary["by_community"].as_object().expect("by_community");
    let mut stewards = std::collections::BTreeMap::<String, u64>::new();
    for c in by_community.values() {
        *stewards
            .entry(c["subdistrict"].as_str().expect("named").to_string())
            .or_default() += c["stewards"].as_u64().expect("n");
    }
    assert_eq!(stewards.values().sum::<u64>(), num(&summary, "/stewards"));
    for (name, n) in &stewards {
        assert!(
            home.contains(&format!(
                "{name}</a></th>\n        <td class=\"num\" data-label=\"社区\" data-value="
            )),
            "{name}"
        );
        assert!(
            home.contains(&format!(
                "<td class=\"num\" data-label=\"红管家\" data-value=\"{n}\">{n}</td>"
            )),
            "{name} {n}"
        );
    }
}

#[test]
fn a_community_naming_an_unknown_subdistrict_is_an_error_at_its_line() {
    let site = Site::sample_with_subdistricts(|i| {
        if i == 2 {
            "府山路街道"
        } else {
            "府山街道"
        }
    });
    site.write(
        "content/subdistricts.csv",
        "编号,名称\nfushan,府山街道\nhehua,荷花街道\n",
    );
    let out = site.build(&[]);
    out.assert_code(1);
    out.assert_line("content/communities.csv:4: 街道: \"府山路街道\" 不在街道记录（content/subdistricts）里，应为其中一个街道的编号或名称：府山街道、荷花街道");
}

/// A subdistrict read with ü (绿园) lives at an ASCII address; the address with ü that
/// earlier versions gave it redirects there when asked for, as the categories' old ones do.
#[test]
fn a_subdistrict_read_with_u_umlaut_has_an_ascii_address() {
    let site = Site::sample_with_subdistricts(|i| ["府山街道", "绿园街道"][i % 2]);
    site.ask_for_old_category_addresses();
    site.build_ok();
    let files = tree(&site.path("public"));
    assert!(files.contains_key("subdistricts/lv-yuan-jie-dao/index.html"));
    let old = site.read("public/subdistricts/lü-yuan-jie-dao/index.html");
    assert!(
        old.contains("url=../../subdistricts/lv-yuan-jie-dao/index.html\""),
        "{old}"
    );
    assert!(!site.read("public/sitemap.xml").contains("lü"));
}
