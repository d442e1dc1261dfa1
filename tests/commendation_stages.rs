//! A commendation page says which stage its batch is in: the candidates' public notice
//! while its period runs (by the build date, never the clock), then the decision, with
//! the notice kept below it as history.

mod common;

use common::{SITE_TOML, Site};

const NOTICE: &str = "\
[[batch]]
id = \"2018-1\"
title = \"第一批优秀红管家\"
stewards = [\"FM-001\", \"ST-001\"]

[batch.notice]
start = 2018-11-20
end = 2018-11-26
objections = \"对公示对象有异议的，请在公示期内反映。\"
contact = \"街道党工委组织办\"
";

const DECISION: &str = "
[batch.decision]
number = \"府街党〔2018〕12号\"
date = 2018-12-01
text = \"\"\"
各社区党组织：

经公示无异议，决定授予下列同志“优秀红管家”称号。
\"\"\"
";

/// The site built with `date` as the build date.
fn built(date: &str, batches: &str) -> Site {
    let site = Site::basic();
    site.write("site.toml", &format!("{SITE_TOML}date = {date}\n"));
    site.write("content/commendations.toml", batches);
    site.build_ok();
    site
}

fn read(site: &Site, rel: &str) -> String {
    std::fs::read_to_string(site.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The batch's page, built with `date` as the build date.
fn page(date: &str, batches: &str) -> String {
    read(
        &built(date, batches),
        "public/commendations/2018-1/index.html",
    )
}

#[test]
fn during_the_notice_period_the_page_is_the_notice() {
    let html = page("2018-11-22", NOTICE);
    assert!(
        html.contains("当前阶段：<strong>拟表彰名单公示</strong>"),
        "{html}"
    );
    assert!(html.contains("现予公示。公示期：2018年11月20日至2018年11月26日"));
    assert!(html.contains("对公示对象有异议的"));
    assert!(html.contains("拟表彰人选"));
    assert!(!html.contains("表彰决定"));
}

#[test]
fn after_the_period_without_a_decision_the_page_says_it_waits() {
    let html = page("2018-11-28", NOTICE);
    assert!(
        html.contains("当前阶段：<strong>公示期已满，待作出表彰决定</strong>"),
        "{html}"
    );
    assert!(html.contains("已于2018年11月20日至2018年11月26日公示"));
}

#[test]
fn once_decided_the_decision_leads_and_the_notice_is_history() {
    let html = page("2018-12-10", &format!("{NOTICE}{DECISION}"));
    assert!(
        html.contains("当前阶段：<strong>表彰决定</strong>"),
        "{html}"
    );
    let decision = html.find("府街党〔2018〕12号").expect("document number");
    let list = html.find("受表彰名单").expect("list");
    let history = html.find("此前的公示").expect("notice kept as history");
    assert!(decision < list && list < history);
    assert!(html.contains("<p>经公示无异议，决定授予下列同志“优秀红管家”称号。</p>"));
    // The objection instructions no longer apply.
    assert!(!html.contains("对公示对象有异议的"));
}

#[test]
fn the_list_of_batches_names_each_ones_stage() {
    let site = built("2018-11-22", NOTICE);
    let index = read(&site, "public/commendations/index.html");
    assert!(index.contains("拟表彰名单公示 · 2名"), "{index}");
}

/// A batch may carry the day its decision is planned for while its notice still runs:
/// no page shows that day before it has come, and once it has, every page shows it.
#[test]
fn no_page_shows_a_batch_date_after_the_build_date() {
    let dated = NOTICE.replace("stewards =", "date = 2018-12-01\nstewards =");
    let pages = [
        "public/commendations/2018-1/index.html",
        "public/commendations/index.html",
        "public/index.html",
        "public/stewards/FM-001.html",
        "public/atom.xml",
        "public/data/summary.json",
    ];
    let site = built("2018-11-22", &dated);
    for page in pages {
        let text = read(&site, page);
        assert!(!text.contains("2018年12月1日"), "{page}: {text}");
        assert!(!text.contains("2018-12-01"), "{page}: {text}");
    }
    let site = built("2018-12-10", &format!("{dated}{DECISION}"));
    for page in &pages[..4] {
        assert!(read(&site, page).contains("2018年12月1日"), "{page}");
    }
}

#[test]
fn the_decisions_salutation_stands_flush_left() {
    let html = page("2018-12-10", &format!("{NOTICE}{DECISION}"));
    assert!(
        html.contains("<p class=\"salutation\">各社区党组织：</p>"),
        "{html}"
    );
    let css = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/themes/default/static/assets/style.css"
    ))
    .expect("style.css");
    assert!(
        css.lines()
            .any(|l| l.contains(".decision .salutation") && l.contains("text-indent: 0")),
        "style.css sets the salutation flush left"
    );
}
