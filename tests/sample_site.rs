//! The sample site in the repository root: its figures equal the source bulletin's table,
//! and every page kind exists with the content a reader looks for.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::Value;

mod common;

/// Builds the repository's sample site once into a temp dir shared by these tests.
fn built() -> &'static Path {
    static OUT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, out) = OUT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = common::build_sample(dir.path());
        (dir, out)
    });
    out
}

fn read(rel: &str) -> String {
    fs::read_to_string(built().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn summary() -> Value {
    serde_json::from_str(&read("data/summary.json")).expect("summary.json is JSON")
}

#[test]
fn summary_json_matches_the_bulletin_table() {
    let s = summary();
    let want = [
        ("stewards", 648),
        ("communities", 8),
        ("buildings_covered", 606),
        ("households_visited", 6354),
        ("cases", 1263),
        ("resolved", 565),
        ("errands", 1126),
        ("meetings", 96),
        ("commended", 24),
    ];
    for (key, value) in want {
        assert_eq!(s[key], value, "{key}");
    }
    // The summary is a contract for roll-ups: versioned, named, counts only (a rate of a
    // sum is not a sum of rates, so whoever adds summaries up recomputes rates).
    assert_eq!(s["format"], "hongguanjia-summary");
    assert_eq!(s["version"], 1);
    assert_eq!(s["name"], "府山街道");
    assert_eq!(s["level"], "街道");
    assert_eq!(s["period"]["from"], "2018-01");
    assert_eq!(s["period"]["to"], "2018-12");
    assert!(s.get("resolution_rate").is_none());
    assert!(!read("data/summary.json").contains("_rate"));
    assert_eq!(s["commended_stewards"].as_array().map(Vec::len), Some(24));
    let months: Vec<&String> = s["by_month"]
        .as_object()
        .expect("by_month")
        .keys()
        .collect();
    assert_eq!(months.first().map(|m| m.as_str()), Some("2018-01"));
    assert_eq!(months.last().map(|m| m.as_str()), Some("2018-12"));
    assert_eq!(months.len(), 12);
    let communities = s["by_community"].as_object().expect("by_community");
    assert_eq!(communities.len(), 8);
    assert!(communities.contains_key("fangmenjie"));
    assert_eq!(communities["fangmenjie"]["name"], "坊门街社区");
}

#[test]
fn breakdowns_add_up_to_the_totals() {
    let s = summary();
    for key in [
        "households_visited",
        "cases",
        "resolved",
        "errands",
        "meetings",
    ] {
        let total = s[key].as_u64().expect(key);
        let by_community: u64 = s["by_community"]
            .as_object()
            .expect("by_community")
            .values()
            .map(|c| c[key].as_u64().unwrap_or(0))
            .sum();
        let by_month: u64 = s["by_month"]
            .as_object()
            .expect("by_month")
            .values()
            .map(|m| m[key].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(by_community, total, "{key} by community");
        assert_eq!(by_month, total, "{key} by month");
    }
    let orgs: Vec<&str> = s["by_community"]
        .as_object()
        .expect("by_community")
        .values()
        .filter_map(|c| c["party_org"].as_str())
        .collect();
    assert_eq!(orgs.iter().filter(|o| **o == "社区党委").count(), 6);
    assert_eq!(orgs.iter().filter(|o| **o == "社区党总支").count(), 2);
    let grids: u64 = s["by_community"]
        .as_object()
        .expect("by_community")
        .values()
        .map(|c| c["grids"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(grids, 60);
}

/// The text of the element with `id`, tags stripped.
fn text_of(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = html
        .find(&marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("no #{id}"));
    let end = html[start..]
        .find('<')
        .map(|i| start + i)
        .unwrap_or(html.len());
    html[start..end].trim().to_string()
}

#[test]
fn home_page_shows_the_headline_figures() {
    let html = read("index.html");
    for (id, want) in [
        ("fig-stewards", "648"),
        ("fig-buildings", "606"),
        ("fig-households", "6354"),
        ("fig-cases", "1263"),
        ("fig-resolved", "565"),
        ("fig-rate", "44.7%"),
        ("fig-errands", "1126"),
        ("fig-meetings", "96"),
        ("fig-commended", "24"),
    ] {
        assert_eq!(text_of(&html, id), want, "#{id}");
    }
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("坊门街社区"));
    assert!(html.contains("辖区面积3.55平方公里"));
    assert!(html.contains("在册党员1122名"));
    assert!(html.contains("常住人口4.7万人"));
    // The masthead names the site; the heading names the page, as the navigation does.
    assert!(html.contains("<h1>概况</h1>"), "{html}");
    assert!(html.contains("第一批优秀红管家"));
}

#[test]
fn every_link_of_the_navigation_leads_to_a_page_of_the_site() {
    let root = built();
    let links = common::nav_links(&read("communities/index.html"));
    assert_eq!(links.len(), 6, "{links:?}");
    for link in links {
        let rel = link.strip_prefix("../").expect("relative to the page");
        let file = rel.split('#').next().unwrap_or(rel);
        assert!(root.join(file).is_file(), "the navigation links to {link}");
    }
}

#[test]
fn every_page_kind_exists() {
    let root = built();
    for rel in common::SAMPLE_PAGE_KINDS.iter().copied().chain([
        "sitemap.xml",
        "atom.xml",
        "robots.txt",
        "data/summary.json",
        "data/communities.csv",
        "data/months.csv",
        "data/categories.csv",
        "assets/style.css",
    ]) {
        assert!(root.join(rel).is_file(), "{rel} is missing");
    }
    // 1263 cases at the default 50 a page.
    assert!(root.join("cases/page-26.html").is_file());
    assert!(!root.join("cases/page-27.html").exists());
}

#[test]
fn community_page_lists_buildings_in_natural_order() {
    let html = read("communities/fangmenjie/index.html");
    let labels: Vec<u32> = html
        .split("<span class=\"label\">")
        .skip(1)
        .filter_map(|s| s.split('幢').next()?.parse().ok())
        .collect();
    assert!(labels.len() > 20, "buildings listed: {}", labels.len());
    let mut sorted = labels.clone();
    sorted.sort_unstable();
    assert_eq!(labels, sorted, "3幢 must come before 12幢");
    assert!(html.contains("红管家名册"));
    assert!(html.contains("最新民情事项"));
}

#[test]
fn bulletin_takes_its_figures_from_the_records() {
    let html = read("bulletins/2018-61/index.html");
    for figure in ["648", "606", "1263", "565", "6354", "1126", "24"] {
        assert!(html.contains(figure), "bulletin lacks {figure}");
    }
    assert!(!html.contains("{{"), "unrendered template value");
    assert!(html.contains("第61期"));
    assert!(html.contains("（总1025期）"));
    assert!(html.contains("2018年12月10日印发"));
    assert!(html.contains("（柯城区委组织部）"));
    assert!(html.contains("送："));
}

#[test]
fn commendation_page_shows_the_decision_and_keeps_the_notice_below() {
    let html = read("commendations/2018-1/index.html");
    assert_eq!(html.matches("<li>").count(), 24);
    assert!(html.contains("当前阶段：<strong>表彰决定</strong>"));
    assert!(html.contains("府街党〔2018〕12号"));
    let history = html.find("此前的公示").expect("the notice, kept");
    assert!(html[history..].contains("已于2018年11月20日至2018年11月26日公示"));
}

#[test]
fn free_page_renders_tables_and_footnotes() {
    let html = read("duties/index.html");
    assert!(html.contains("<table>"));
    assert!(html.contains("footnote"));
}

#[test]
fn feeds_and_sitemap_use_the_base_url() {
    let sitemap = read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.gov.cn/fushan/communities/fangmenjie/</loc>"));
    assert!(!sitemap.contains("404"));
    let atom = read("atom.xml");
    assert!(atom.contains("https://example.gov.cn/fushan/bulletins/2018-61/"));
    assert!(read("robots.txt").contains("Sitemap: https://example.gov.cn/fushan/sitemap.xml"));
    assert!(read("404.html").contains("href=\"/fushan/index.html\""));
}

/// Every local `href` and `src` of every page points at a file that exists.
#[test]
fn no_broken_local_links() {
    let root = built();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.expect("walk");
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("html") || path.ends_with("404.html") {
            continue;
        }
        let html = fs::read_to_string(path).expect("read page");
        for attr in ["href=\"", "src=\""] {
            for piece in html.split(attr).skip(1) {
                let link = piece.split('"').next().unwrap_or("");
                if link.starts_with("http") || link.starts_with('#') || link.starts_with("mailto:")
                {
                    continue;
                }
                let link = link.split('#').next().unwrap_or("");
                let target = path.parent().expect("parent").join(link);
                assert!(target.is_file(), "{}: broken link {link}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked > 10_000, "only {checked} links checked");
}

#[test]
fn no_private_value_of_the_sample_is_published() {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut private = Vec::new();
    let mut reader = csv::Reader::from_path(content.join("cases.csv")).expect("cases.csv");
    let headers = reader.headers().expect("headers").clone();
    let cols: Vec<usize> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| ["居民", "联系电话", "详情"].contains(h))
        .map(|(i, _)| i)
        .collect();
    for row in reader.records() {
        let row = row.expect("row");
        for &i in &cols {
            if let Some(v) = row.get(i).filter(|v| v.chars().count() >= 2) {
                private.push(v.to_string());
            }
        }
    }
    let mut reader = csv::Reader::from_path(content.join("stewards.csv")).expect("stewards.csv");
    let headers = reader.headers().expect("headers").clone();
    let phone = headers.iter().position(|h| h == "联系电话");
    let name = headers.iter().position(|h| h == "姓名");
    let mut public_names = Vec::new();
    for row in reader.records() {
        let row = row.expect("row");
        if let Some(v) = phone.and_then(|i| row.get(i)).filter(|v| !v.is_empty()) {
            private.push(v.to_string());
        }
        public_names.extend(name.and_then(|i| row.get(i)).map(str::to_string));
    }
    // A resident whose name is (part of) a steward's is named only as the steward.
    private.retain(|v| !public_names.iter().any(|n| n.contains(v.as_str())));
    private.sort();
    private.dedup();
    assert!(
        private.len() > 500,
        "private values found: {}",
        private.len()
    );
    for entry in walkdir::WalkDir::new(built()) {
        let entry = entry.expect("walk");
        if !entry.file_type().is_file() {
            continue;
        }
        let text = String::from_utf8_lossy(&fs::read(entry.path()).expect("read")).into_owned();
        for value in &private {
            assert!(
                !text.contains(value.as_str()),
                "{} publishes {value}",
                entry.path().display()
            );
        }
    }
}

#[test]
fn every_page_shows_who_runs_the_site_and_its_filings() {
    for page in common::SAMPLE_PAGE_KINDS {
        let html = read(page);
        let foot = &html[html
            .find("<footer")
            .unwrap_or_else(|| panic!("{page}: no footer"))..];
        assert!(foot.contains("主办单位：府山街道党工委（示例）"), "{page}");
        assert!(foot.contains("网站标识码：0000000000"), "{page}");
        assert!(
            foot.contains("<a href=\"https://beian.miit.gov.cn/\" rel=\"noopener\">示ICP备00000000号-1（示例）</a>"),
            "{page}"
        );
        assert!(
            foot.contains("registerSystemInfo?recordcode=00000000000000\""),
            "{page}"
        );
    }
}

#[test]
fn category_lists_live_at_their_pinyin_addresses_and_a_new_site_has_no_old_ones() {
    let list = read("cases/category/ting-che/index.html");
    assert!(list.contains("<h1>停车</h1>"), "{list}");
    let cases = read("cases/index.html");
    assert!(cases.contains("cases/category/ting-che/index.html"));
    // 930b0bb6 was 设施老化's folder in earlier versions: a site built into an empty
    // folder never published it, so nothing needs to redirect from it.
    assert!(!built().join("cases/category/930b0bb6").exists());
    assert!(!read("sitemap.xml").contains("930b0bb6"));
}

/// The redirect page at an old hashed address: not indexed, sending readers to the list.
fn assert_redirects_to_she_shi_lao_hua(page: &str) {
    assert!(page.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(
        page.contains("url=../../../cases/category/she-shi-lao-hua/index.html\""),
        "{page}"
    );
}

#[test]
fn an_old_hashed_address_the_previous_output_published_keeps_redirecting() {
    let site = common::Site::sample();
    site.build_ok();
    // What an earlier version left in the output: 设施老化's list at its hashed folder,
    // and a manifest this version does not read (the page would be a stranger otherwise).
    let old = "public/cases/category/930b0bb6/index.html";
    site.write(old, "<h1>设施老化</h1>");
    site.remove(".public.hongguanjia-manifest");
    site.build_ok();
    assert_redirects_to_she_shi_lao_hua(&site.read(old));
    // Only where a link may point: the other categories' old folders stay unmade.
    assert!(!site.path("public/cases/category/bc81bb30").exists());
    assert!(!site.read("public/sitemap.xml").contains("930b0bb6"));
    // The next build finds the address in its own output and keeps it.
    site.build_ok();
    assert_redirects_to_she_shi_lao_hua(&site.read(old));
}

/// Addresses are ASCII, ü written v as pinyin keyboards type it: 绿化养护's list lives at
/// lv-hua-yang-hu. Earlier versions wrote lü-hua-yang-hu; where the output being replaced
/// has that address, a redirect stays there.
#[test]
fn addresses_are_ascii_and_the_old_u_umlaut_address_keeps_redirecting() {
    let site = common::Site::sample();
    let cases = site.read("content/cases.csv");
    site.write(
        "content/cases.csv",
        &cases.replacen(",其他,", ",绿化养护,", 1),
    );
    site.build_ok();
    let public = site.path("public");
    let paths = common::tree(&public);
    let odd: Vec<&String> = paths.keys().filter(|p| !p.is_ascii()).collect();
    assert!(odd.is_empty(), "addresses that are not ASCII: {odd:?}");
    let list = site.read("public/cases/category/lv-hua-yang-hu/index.html");
    assert!(list.contains("<h1>绿化养护</h1>"), "{list}");

    // An earlier version's output: the page, and its line in that build's manifest (a
    // file the manifest does not name is not the program's, and stops the build).
    let old = "public/cases/category/lü-hua-yang-hu/index.html";
    site.write(old, "<h1>绿化养护</h1>");
    let manifest = ".public.hongguanjia-manifest";
    let listed = site.read(manifest);
    site.write(
        manifest,
        &format!(
            "{listed}cases/category/lü-hua-yang-hu/index.html\t-\t{:032x}\t21\t-\n",
            0
        ),
    );
    site.build_ok();
    let page = site.read(old);
    assert!(page.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(
        page.contains("url=../../../cases/category/lv-hua-yang-hu/index.html\""),
        "{page}"
    );
    assert!(!site.read("public/sitemap.xml").contains("lü"));
}

#[test]
fn old_category_addresses_in_site_toml_redirect_from_every_old_address() {
    let site = common::Site::sample();
    site.ask_for_old_category_addresses();
    site.build_ok();
    assert_redirects_to_she_shi_lao_hua(&site.read("public/cases/category/930b0bb6/index.html"));
    // 停车's old folder too, though no output ever had it.
    assert!(
        site.path("public/cases/category/bc81bb30/index.html")
            .is_file()
    );
    assert!(!site.read("public/sitemap.xml").contains("930b0bb6"));
}

/// The visible texts of a page's `<main>`, scripts and charts left out: a run of text
/// goes on across a link or a span (a tile's figure is a span before its unit), and ends
/// at any other tag.
fn main_texts(html: &str) -> Vec<String> {
    let start = html.find("<main").unwrap_or(0);
    let end = html.find("</main>").unwrap_or(html.len());
    let mut body = &html[start..end];
    let mut texts = vec![String::new()];
    let mut skip: Option<&str> = None;
    while let Some(open) = body.find('<') {
        if skip.is_none()
            && let Some(run) = texts.last_mut()
        {
            run.push_str(&body[..open].replace("&nbsp;", "\u{a0}"));
        }
        let close = body[open..].find('>').map_or(body.len(), |c| open + c + 1);
        let tag = &body[open..close];
        for name in ["script", "style", "svg"] {
            if tag.starts_with(&format!("<{name}")) {
                skip = Some(name);
            } else if skip == Some(name) && tag.starts_with(&format!("</{name}")) {
                skip = None;
            }
        }
        let name = tag.trim_start_matches(['<', '/']);
        let inline = ["a ", "a>", "span", "strong", "em>", "b>"]
            .iter()
            .any(|n| name.starts_with(n));
        if !inline {
            texts.push(String::new());
        }
        body = &body[close..];
    }
    texts
}

fn han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// A figure and its unit, or the words before it, are never parted by a space (648名,
/// 共1263条, 常住人口4.7万人), on any page; and a number of four digits is never grouped
/// (1070 in a table, as 6354 on a tile), as GB/T 15835 allows.
#[test]
fn figures_are_written_one_way_on_every_page() {
    let pages = common::tree(built());
    let mut spaced = Vec::new();
    let mut grouped = Vec::new();
    for (path, bytes) in pages.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for text in main_texts(&html) {
            let chars: Vec<char> = text.chars().collect();
            for (i, w) in chars.windows(3).enumerate() {
                let gap = w[1] == ' ' || w[1] == '\u{a0}';
                let digit = |c: char| c.is_ascii_digit() || c == '%';
                if gap && ((digit(w[0]) && han(w[2])) || (han(w[0]) && w[2].is_ascii_digit())) {
                    let around: String = chars[i.saturating_sub(8)..(i + 10).min(chars.len())]
                        .iter()
                        .collect();
                    spaced.push(format!("{path}: “{around}”"));
                }
            }
            for (i, _) in text.match_indices(',') {
                let before = text[..i]
                    .chars()
                    .rev()
                    .take_while(char::is_ascii_digit)
                    .count();
                let after = text[i + 1..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .count();
                let more = text[..i].chars().rev().nth(before) == Some(',')
                    || text[i + 1..].chars().nth(after) == Some(',');
                if before == 1 && after == 3 && !more {
                    grouped.push(format!("{path}: “{text}”"));
                }
            }
        }
    }
    assert!(
        spaced.is_empty(),
        "figures parted from their words: {spaced:#?}"
    );
    assert!(
        grouped.is_empty(),
        "four-digit numbers grouped: {grouped:#?}"
    );
    // The tiles and the tables write the same figure alike.
    let home = read("index.html");
    assert!(home.contains("id=\"fig-households\">6354</span>户"), "tile");
    let community = read("communities/fangmenjie/index.html");
    assert!(
        community.contains("<span class=\"num\">1070</span>户"),
        "tile"
    );
    assert!(
        read("communities/index.html").contains(">1070</td>"),
        "table"
    );
    // The footer's date of the figures, outside <main>, too.
    assert!(home.contains("数据截至2018年12月10日。"));
}
