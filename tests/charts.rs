//! Charts: each is well-formed SVG with an accessible name, shows its labels and values
//! without overlapping text, is the same bytes for the same input, says 暂无数据 when it
//! has nothing to show, and on the built site agrees with data/summary.json.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use hongguanjia::Counts;
use hongguanjia::charts::{self, Month, NO_DATA, RateRow, TOP, text_width};
use serde_json::Value;

mod common;

/// A text element: its box by the same metrics the charts use, and its content.
#[derive(Debug)]
struct TextBox {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    text: String,
}

/// Parses `svg` as XML and checks what every chart has; returns its text boxes.
fn check(svg: &str) -> Vec<TextBox> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    assert!(
        root.attribute("font-family")
            .is_some_and(|f| f.contains("PingFang SC") && f.contains("Noto Sans CJK SC")),
        "CJK font stack"
    );
    let width: f64 = root
        .attribute("width")
        .and_then(|w| w.parse().ok())
        .expect("width");
    let height: f64 = root
        .attribute("height")
        .and_then(|w| w.parse().ok())
        .expect("height");
    let labelled = root.attribute("aria-labelledby").expect("aria-labelledby");
    for id in labelled.split(' ') {
        let el = doc
            .descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap_or_else(|| panic!("no element #{id}"));
        assert!(["title", "desc"].contains(&el.tag_name().name()));
        assert!(!el.text().unwrap_or("").is_empty(), "#{id} is empty");
    }
    let mut boxes = Vec::new();
    for t in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let text = t.text().unwrap_or("").to_string();
        // Attributes may sit on the text or on a group around it.
        let attr = |a: &str| t.ancestors().find_map(|n| n.attribute(a));
        let num = |a: &str| -> f64 { attr(a).and_then(|v| v.parse().ok()).expect(a) };
        let (x, y, size) = (num("x"), num("y"), num("font-size"));
        let w = text_width(&text, size);
        let x0 = match attr("text-anchor") {
            Some("middle") => x - w / 2.0,
            Some("end") => x - w,
            _ => x,
        };
        let b = TextBox {
            x0,
            x1: x0 + w,
            y0: y - size * 0.88,
            y1: y + size * 0.12,
            text,
        };
        assert!(
            b.x0 >= -0.5 && b.x1 <= width + 0.5 && b.y0 >= -0.5 && b.y1 <= height + 0.5,
            "text outside the chart: {b:?} in {width}x{height}"
        );
        boxes.push(b);
    }
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            let apart = a.x1 <= b.x0 + 0.5
                || b.x1 <= a.x0 + 0.5
                || a.y1 <= b.y0 + 0.5
                || b.y1 <= a.y0 + 0.5;
            assert!(apart, "labels overlap: {a:?} and {b:?}");
        }
    }
    boxes
}

fn texts(boxes: &[TextBox]) -> Vec<&str> {
    boxes.iter().map(|b| b.text.as_str()).collect()
}

fn year(months: &[(u64, u64, u64, u64)], first: (u32, u32)) -> Vec<Month> {
    months
        .iter()
        .enumerate()
        .map(|(i, &(h, c, r, k))| {
            let m = first.0 * 12 + first.1 - 1 + i as u32;
            Month {
                key: format!("{:04}-{:02}", m / 12, m % 12 + 1),
                counts: Counts {
                    households_visited: h,
                    cases: c,
                    resolved: r,
                    door_knocking_households: k,
                    ..Counts::default()
                },
            }
        })
        .collect()
}

/// A steward's chart from whole months.
fn activity(id: &str, title: &str, months: &[Month]) -> String {
    let keys: Vec<String> = months.iter().map(|m| m.key.clone()).collect();
    let values: Vec<u64> = months.iter().map(|m| m.counts.households_visited).collect();
    charts::activity(id, title, &keys, &values)
}

fn sample_months() -> Vec<Month> {
    year(
        &[
            (388, 71, 18, 310),
            (554, 87, 47, 428),
            (509, 95, 47, 373),
            (485, 110, 62, 345),
            (581, 127, 59, 397),
            (599, 112, 64, 434),
            (585, 106, 56, 446),
            (622, 132, 66, 434),
            (633, 117, 53, 460),
            (598, 131, 63, 435),
            (743, 145, 29, 565),
            (57, 30, 0, 0),
        ],
        (2018, 1),
    )
}

#[test]
fn the_trend_chart_labels_months_units_and_values() {
    let svg = charts::trend("t", "逐月走访和民情办理", &sample_months());
    let boxes = check(&svg);
    let t = texts(&boxes);
    for want in [
        "逐月走访和民情办理",
        "走访户数（户）",
        "民情事项（件）",
        "收集",
        "已解决",
        "1",
        "12",
        "月份（2018年）",
        "743",
        "145",
        "62",
    ] {
        assert!(t.contains(&want), "{want} missing from {t:?}");
    }
    assert!(svg.contains("<title id=\"t-title\">逐月走访和民情办理</title>"));
    assert!(svg.contains("走访群众6354户"), "desc totals");
}

#[test]
fn values_over_the_tallest_bars_stay_clear_of_the_titles() {
    let months = year(
        &[(800, 100, 100, 800), (10, 1, 1, 10), (5, 0, 0, 5)],
        (2018, 1),
    );
    check(&charts::trend("t", "逐月", &months));
    check(&charts::door_knocking("k", "敲门日", &months));
    check(&activity("a", "逐月走访户数", &months));
}

#[test]
fn many_months_thin_their_labels() {
    let months = year(&[(5, 1, 1, 0); 60], (2014, 3));
    let boxes = check(&charts::trend("t", "五年", &months));
    let labels: Vec<&str> = texts(&boxes)
        .into_iter()
        .filter(|t| t.starts_with("20") && t.contains('-'))
        .collect();
    assert!(labels.contains(&"2014-03"));
    // At a phone's width five years leave room for about one label a year.
    assert!(labels.len() < 60 && labels.len() >= 5, "{labels:?}");
    check(&charts::door_knocking("k", "敲门日", &months));
    check(&activity("a", "逐月走访户数", &months));
}

#[test]
fn categories_are_largest_first_with_the_rest_added_up() {
    let rows: Vec<(String, u64)> = vec![
        ("楼道堆物".into(), 233),
        ("设施老化".into(), 229),
        ("停车".into(), 197),
        ("其他".into(), 81),
    ];
    let svg = charts::categories("c", "民情事项分类", &rows);
    let boxes = check(&svg);
    let t = texts(&boxes);
    for want in [
        "楼道堆物",
        "233",
        "停车",
        "197",
        "其他",
        "81",
        "民情事项（件）",
    ] {
        assert!(t.contains(&want), "{want} missing from {t:?}");
    }
    // Largest first: 楼道堆物 is above 停车.
    let y = |s: &str| {
        boxes
            .iter()
            .find(|b| b.text == s)
            .map(|b| b.y0)
            .unwrap_or(0.0)
    };
    assert!(y("楼道堆物") < y("停车"));

    let many: Vec<(String, u64)> = (0..300)
        .map(|i| (format!("一个很长很长的民情事项类别名称第{i}号"), 1000 - i))
        .collect();
    let svg = charts::categories("c", "民情事项分类", &many);
    let boxes = check(&svg);
    let rest: u64 = many[TOP..].iter().map(|r| r.1).sum();
    let t = texts(&boxes);
    assert!(t.contains(&"其余280类"), "{t:?}");
    assert_eq!(rest, 235_340);
    assert!(t.contains(&"合计235,340件"), "{t:?}");
    assert!(t.iter().any(|l| l.ends_with('…')), "long names are cut");
}

#[test]
fn resolution_rates_mark_the_overall_rate_and_cope_with_400_communities() {
    let rows = vec![
        RateRow {
            name: "东门街社区".into(),
            cases: 181,
            resolved: 79,
        },
        RateRow {
            name: "坊门街社区".into(),
            cases: 189,
            resolved: 91,
        },
        RateRow {
            name: "新建社区".into(),
            cases: 0,
            resolved: 0,
        },
    ];
    let boxes = check(&charts::resolution("r", "办结率", &rows, "全部社区"));
    let t = texts(&boxes);
    for want in [
        "43.6%",
        "48.1%",
        "全部社区 46.0%",
        "无事项",
        "办结率（%）",
        "100%",
    ] {
        assert!(t.contains(&want), "{want} missing from {t:?}");
    }

    let many: Vec<RateRow> = (0..400)
        .map(|i| RateRow {
            name: format!("第{i}号社区"),
            cases: 10 + i % 37,
            resolved: i % 11,
        })
        .collect();
    let svg = charts::resolution("r", "办结率", &many, "全部社区");
    let boxes = check(&svg);
    assert!(texts(&boxes).contains(&"其余380个社区"));
    let rows = boxes.iter().filter(|b| b.text.ends_with("社区")).count();
    assert_eq!(rows, TOP + 1);
}

#[test]
fn membership_and_ages() {
    let rows = vec![
        ("在册".to_string(), 386),
        ("在职".to_string(), 193),
        ("两新".to_string(), 69),
    ];
    let t = check(&charts::membership("m", "党员类别", &rows));
    for want in [
        "在册党员",
        "在职党员",
        "两新党员",
        "386名（59.6%）",
        "69名（10.7%）",
    ] {
        assert!(texts(&t).contains(&want), "{want}");
    }
    // Ages count from the figures' year, not from today.
    let bands = hongguanjia::age_bands([1950, 1951, 1978], 2018).expect("bands");
    let t = check(&charts::ages("a", "年龄结构", &bands, 2018));
    for want in ["40–49岁", "50–59岁", "60–69岁", "2", "年龄（按2018年计）"] {
        assert!(texts(&t).contains(&want), "{want}");
    }
    assert!(hongguanjia::age_bands(std::iter::empty(), 2018).is_none());
}

#[test]
fn empty_data_says_so() {
    let none: Vec<Month> = Vec::new();
    let quiet = year(&[(0, 0, 0, 0); 12], (2018, 1));
    for svg in [
        charts::trend("e", "逐月", &none),
        charts::trend("e", "逐月", &quiet),
        charts::door_knocking("e", "敲门日", &quiet),
        activity("e", "逐月", &quiet),
        charts::categories("e", "分类", &[]),
        charts::resolution("e", "办结率", &[], "全部"),
        charts::membership("e", "党员类别", &[]),
    ] {
        let t = check(&svg);
        assert!(texts(&t).contains(&NO_DATA), "{svg}");
    }
}

#[test]
fn text_is_escaped_and_output_is_stable() {
    let rows = vec![("<script>&\"".to_string(), 3u64)];
    let a = charts::categories("x", "A&B <分类>", &rows);
    check(&a);
    assert!(!a.contains("<script>"));
    assert_eq!(a, charts::categories("x", "A&B <分类>", &rows));
    let long = "一个名字非常非常非常非常非常非常非常非常非常长的社区逐月走访和民情办理";
    let svg = charts::trend("t", long, &sample_months());
    check(&svg);
    assert!(svg.contains(&format!("<title id=\"t-title\">{long}</title>")));
    let m = sample_months();
    assert_eq!(
        charts::trend("t", "逐月", &m),
        charts::trend("t", "逐月", &m)
    );
    assert_eq!(activity("t", "逐月", &m), activity("t", "逐月", &m));
}

// ---------------------------------------------------------------------------------------
// On the built site

/// The sample site plus one community with no stewards, built once.
fn built() -> &'static Path {
    static OUT: OnceLock<(common::Site, PathBuf)> = OnceLock::new();
    let (_, out) = OUT.get_or_init(|| {
        let site = common::Site::sample();
        site.append_line(
            "content/communities.csv",
            "kongbai,空白社区,社区党总支,3,20,500",
        );
        site.build_ok();
        let out = site.path("public");
        (site, out)
    });
    out
}

fn read(rel: &str) -> String {
    fs::read_to_string(built().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn svgs(html: &str) -> Vec<String> {
    html.split("<svg")
        .skip(1)
        .map(|s| format!("<svg{}</svg>", s.split("</svg>").next().unwrap_or("")))
        .collect()
}

#[test]
fn the_home_page_has_every_site_chart_with_its_numbers() {
    let html = read("index.html");
    let summary: Value = serde_json::from_str(&read("data/summary.json")).expect("json");
    let charts = svgs(&html);
    assert_eq!(
        charts.len(),
        6,
        "trend, door-knocking, categories, rates, membership, ages"
    );
    let mut all = Vec::new();
    for svg in &charts {
        all.push(check(svg));
    }
    // The trend's bars carry summary.json's monthly households, and the door-knocking
    // chart its door-knocking households.
    let months = summary["by_month"].as_object().expect("by_month");
    let trend = texts(&all[0]);
    let knock = texts(&all[1]);
    for (m, v) in months {
        let h = v["households_visited"]
            .as_u64()
            .expect("households")
            .to_string();
        assert!(
            trend.contains(&h.as_str()),
            "{m}: {h} not in the trend chart"
        );
        let k = v["door_knocking_households"]
            .as_u64()
            .expect("knock")
            .to_string();
        assert!(
            knock.contains(&k.as_str()),
            "{m}: {k} not in the door-knocking chart"
        );
        // ...and the month table beside them, exact and right-aligned.
        let exact = hongguanjia::exact_number(h.parse().expect("number"));
        assert!(html.contains(&format!("<th scope=\"row\">{m}</th><td>{exact}</td>")));
    }
    // Right-aligned by the table's class, which the theme's style sheet aligns.
    assert!(html.contains("<table class=\"months\">"));
    let css = read("assets/style.css");
    assert!(
        css.lines()
            .any(|l| l.contains(".months td") && l.contains("text-align: right"))
    );
    for c in summary["by_category"].as_array().expect("by_category") {
        let name = c["category"].as_str().expect("name");
        let n = c["cases"].as_u64().expect("cases").to_string();
        assert!(texts(&all[2]).contains(&name) && texts(&all[2]).contains(&n.as_str()));
    }
    for (label, n) in summary["by_membership"].as_object().expect("membership") {
        let n = n.as_u64().expect("n");
        let shown = texts(&all[4])
            .iter()
            .any(|t| t.starts_with(&format!("{n}名")));
        assert!(shown, "{label} {n}");
    }
    assert!(texts(&all[5]).contains(&"年龄（按2018年计）"));
    let overall = format!(
        "全部社区 {:.1}%",
        summary["resolved"].as_f64().expect("resolved") / summary["cases"].as_f64().expect("cases")
            * 100.0
    );
    assert!(texts(&all[3]).contains(&overall.as_str()));
    assert!(html.contains("<figure class=\"chart\">"));
}

#[test]
fn community_and_steward_pages_have_their_charts() {
    let html = read("communities/fangmenjie/index.html");
    let charts = svgs(&html);
    assert_eq!(charts.len(), 2);
    for svg in &charts {
        check(svg);
    }
    assert!(charts[0].contains("坊门街社区逐月走访和民情办理"));
    assert!(charts[1].contains("楼道堆物"));

    let empty = read("communities/kongbai/index.html");
    let charts = svgs(&empty);
    assert_eq!(charts.len(), 2);
    for svg in &charts {
        assert!(texts(&check(svg)).contains(&NO_DATA));
    }

    let steward = read("stewards/FM-001.html");
    let charts = svgs(&steward);
    assert_eq!(charts.len(), 1);
    check(&charts[0]);
}

#[test]
fn pages_with_charts_are_the_same_bytes_on_every_build() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("again");
    let status = Command::new(env!("CARGO_BIN_EXE_hongguanjia"))
        .args(["build", "--root"])
        .arg(built().parent().expect("the site folder"))
        .arg("--output")
        .arg(&out)
        .status()
        .expect("run hongguanjia");
    assert!(status.success());
    for rel in [
        "index.html",
        "communities/fangmenjie/index.html",
        "stewards/FM-001.html",
        "data/summary.json",
    ] {
        assert!(
            fs::read(built().join(rel)).ok() == fs::read(out.join(rel)).ok(),
            "{rel} differs between builds"
        );
    }
}
