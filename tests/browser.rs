//! Opens the sample site in headless Chromium: pages load without console messages; at a
//! phone's width nothing scrolls sideways and chart labels are readable, while on a desktop
//! the charts fill the width; the sample bulletin prints on A4 as a briefing of a few pages.
//! `.ci/run` installs Chromium and poppler; elsewhere the test says it was skipped, except
//! under CI.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

/// Whether the browser tools are here; under CI their absence is a failure.
fn tools_present() -> bool {
    let present = common::tool("chromium") && common::tool("pdfinfo");
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium and pdfinfo are required under CI (.ci/run installs them)"
        );
        eprintln!("skipped: chromium or pdfinfo is not installed");
    }
    present
}

fn chromium(profile: &Path) -> Command {
    let mut cmd = Command::new("chromium");
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

#[test]
fn pages_load_without_console_messages() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let site = common::build_sample(dir.path());
    for page in common::SAMPLE_PAGE_KINDS {
        let output = chromium(&dir.path().join("profile"))
            .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
            .arg(format!("file://{}", site.join(page).display()))
            .output()
            .expect("run chromium");
        assert!(output.status.success(), "{page}: chromium failed");
        let dom = String::from_utf8_lossy(&output.stdout);
        assert!(dom.contains("</main>"), "{page}: the page did not render");
        let log = String::from_utf8_lossy(&output.stderr);
        let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
        assert!(console.is_empty(), "{page}: console messages: {console:#?}");
    }
}

/// How a page lays out in a frame of some width, as the probe page's script measured it.
#[derive(Debug, serde::Deserialize)]
struct Layout {
    page: String,
    /// How much wider than the frame the page is, in CSS pixels.
    overflow: f64,
    /// Tables wider than their box: `class:table width>box width`.
    tables: Vec<String>,
    /// The smallest chart text as drawn, in CSS pixels, and its text.
    smallest: Option<(f64, String)>,
    /// Each chart's box: left, top and width.
    charts: Vec<(f64, f64, f64)>,
    /// The width of the main column's content.
    content: f64,
    /// Whether the page was in 大字版.
    large: bool,
}

/// Lays out `pages` of `site` in a frame `width` CSS pixels wide, every `<details>` open,
/// in 大字版 (the large-text switch, remembered in localStorage) when `large`.
/// Headless Chromium's window is at least 500 px wide, so each page is opened in an
/// iframe of that width inside a probe page, which reads it (file pages may read each
/// other with --allow-file-access-from-files) and writes what it measured into its DOM.
/// The frame draws no scroll bar, as a phone's overlays its own.
fn layouts(site: &Path, profile: &Path, width: u32, large: bool, pages: &[&str]) -> Vec<Layout> {
    let probe = format!(
        r#"<!DOCTYPE html><html><body><pre id="out"></pre>
<iframe id="f" scrolling="no" style="width:{width}px;height:900px;border:0"></iframe>
<script>
localStorage.setItem("hgj-large", "{large}");
var pages = {pages}, i = 0, f = document.getElementById("f"), out = document.getElementById("out");
function next() {{ if (i < pages.length) f.src = pages[i++]; }}
f.addEventListener("load", function () {{
  var w = f.contentWindow, d = w.document, r = {{ page: pages[i - 1], tables: [], smallest: null, charts: [] }};
  d.querySelectorAll("details").forEach(function (x) {{ x.open = true; }});
  r.overflow = d.documentElement.scrollWidth - w.innerWidth;
  r.large = d.documentElement.classList.contains("large");
  d.querySelectorAll("table").forEach(function (t) {{
    var box = t.parentElement;
    if (t.scrollWidth > box.clientWidth + 1 || box.scrollWidth > box.clientWidth + 1)
      r.tables.push((t.className || "table") + ":" + t.scrollWidth + ">" + box.clientWidth);
  }});
  d.querySelectorAll("svg text").forEach(function (t) {{
    var px = parseFloat(w.getComputedStyle(t).fontSize) * t.getScreenCTM().a;
    if (!r.smallest || px < r.smallest[0]) r.smallest = [px, t.textContent];
  }});
  d.querySelectorAll("figure.chart svg").forEach(function (s) {{
    var b = s.getBoundingClientRect(); r.charts.push([b.left, b.top, b.width]);
  }});
  var m = d.querySelector("main"), cs = w.getComputedStyle(m);
  r.content = m.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  out.textContent += JSON.stringify(r) + "\n";
  next();
}});
next();
</script></body></html>"#,
        pages = serde_json::to_string(pages).expect("JSON"),
        large = u8::from(large)
    );
    let file = site.join(format!("probe-{width}.html"));
    std::fs::write(&file, probe).expect("write the probe page");
    let output = chromium(profile)
        .args([
            "--allow-file-access-from-files",
            "--virtual-time-budget=60000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("run chromium");
    std::fs::remove_file(&file).expect("remove the probe page");
    let dom = String::from_utf8_lossy(&output.stdout);
    let open = "<pre id=\"out\">";
    let start = dom.find(open).expect("probe output") + open.len();
    let text = &dom[start..start + dom[start..].find("</pre>").expect("end")];
    let found: Vec<Layout> = text
        .lines()
        .map(|l| {
            // A text node as the DOM dump escapes it.
            let json = l
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            serde_json::from_str(&json).expect("a layout")
        })
        .collect();
    assert_eq!(found.len(), pages.len(), "measured {found:?}");
    assert!(
        found.iter().all(|l| l.large == large),
        "大字版 {large}: {found:?}"
    );
    found
}

/// The pages of every kind, of the sample and of a site with three subdistricts (grouped
/// communities, comparison tables), each with its site folder.
fn every_page_kind(dir: &Path) -> (PathBuf, Vec<&'static str>, common::Site, Vec<&'static str>) {
    let site = common::build_sample(dir);
    let mut pages = common::SAMPLE_PAGE_KINDS.to_vec();
    pages.push("cases/category/ting-che/index.html");
    let levels =
        common::Site::sample_with_subdistricts(|i| ["府山街道", "荷花街道", "双港街道"][i % 3]);
    levels.build_ok();
    let level_pages = vec![
        "index.html",
        "communities/index.html",
        "subdistricts/fu-shan-jie-dao/index.html",
    ];
    (site, pages, levels, level_pages)
}

/// At a phone's width (390 px) every page kind fits: no table and no page is wider than
/// the screen (tables become cards), and every chart label is drawn at 12 px or more.
#[test]
fn at_a_phones_width_nothing_scrolls_sideways_and_chart_labels_are_readable() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (site, pages, levels, level_pages) = every_page_kind(dir.path());
    let profile = dir.path().join("profile");
    let mut found = layouts(&site, &profile, 390, false, &pages);
    found.extend(layouts(
        &levels.path("public"),
        &profile,
        390,
        false,
        &level_pages,
    ));
    // 大字版 sets everything a quarter larger on the same screen.
    found.extend(layouts(&site, &profile, 390, true, &pages));
    let mut charts = 0;
    for l in &found {
        assert!(
            l.overflow <= 0.0,
            "{}: {} px wider than the phone",
            l.page,
            l.overflow
        );
        assert!(
            l.tables.is_empty(),
            "{}: tables wider than the phone: {:?}",
            l.page,
            l.tables
        );
        if let Some((px, text)) = &l.smallest {
            charts += 1;
            assert!(
                *px >= 12.0,
                "{}: the chart label “{text}” is drawn at {px:.1} px",
                l.page
            );
        }
    }
    // The home page, a community, a steward, and the levels' home and subdistrict pages.
    assert!(charts >= 5, "{found:?}");
}

/// On a desktop (1366 px) the home page's charts stand two side by side across the
/// content's width.
#[test]
fn on_a_desktop_the_charts_fill_the_width() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let site = common::build_sample(dir.path());
    let profile = dir.path().join("profile");
    let pages = ["index.html", "communities/fangmenjie/index.html"];
    for l in layouts(&site, &profile, 1366, false, &pages) {
        let [(left1, top1, w1), (left2, top2, w2), ..] = l.charts[..] else {
            panic!("{}: fewer than two charts: {l:?}", l.page);
        };
        assert!(
            (top1 - top2).abs() < 1.0 && left2 > left1,
            "{}: the first two charts are not side by side: {l:?}",
            l.page
        );
        let used = left2 + w2 - left1;
        assert!(
            used >= 0.9 * l.content && w1 >= 0.45 * l.content,
            "{}: the charts use {used:.0} of {:.0} px",
            l.page,
            l.content
        );
    }
}

#[test]
fn the_bulletin_prints_on_a4() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let site = common::build_sample(dir.path());
    let pdf = dir.path().join("bulletin.pdf");
    let status = chromium(&dir.path().join("profile"))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(format!(
            "file://{}",
            site.join("bulletins/2018-61/index.html").display()
        ))
        .output()
        .expect("run chromium")
        .status;
    assert!(status.success() && pdf.is_file(), "printing failed");
    let info = Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .expect("run pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    assert!(
        field("Page size:").contains("(A4)"),
        "page size: {}",
        field("Page size:")
    );
    let pages: u32 = field("Pages:").parse().expect("page count");
    // About 1,500 characters at 22 lines of 28 characters a page, plus masthead and 版记.
    assert!(
        (3..=4).contains(&pages),
        "the bulletin printed on {pages} pages"
    );

    // The page numbers are printed in the footer as "— N —".
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    let text: String = String::from_utf8_lossy(&text.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for n in 1..=pages {
        assert!(text.contains(&format!("—{n}—")), "page number {n} missing");
    }
    assert!(text.contains("印发"));
}

/// Where the words of one printed page sit: `(yMin, text)` from `pdftotext -bbox`.
fn words(pdf: &Path, page: u32) -> Vec<(f64, String)> {
    let out = Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.trim_start().starts_with("<word"))
        .filter_map(|l| {
            let y = l.split("yMin=\"").nth(1)?.split('"').next()?.parse().ok()?;
            let text = l.split('>').nth(1)?.split('<').next()?.to_string();
            Some((y, text))
        })
        .collect()
}

#[test]
fn the_bulletin_fills_its_pages_and_ends_with_the_banji_at_the_foot() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let site = common::build_sample(dir.path());
    let pdf = dir.path().join("bulletin.pdf");
    let ok = chromium(&dir.path().join("profile"))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(format!(
            "file://{}",
            site.join("bulletins/2018-61/index.html").display()
        ))
        .status()
        .expect("run chromium")
        .success();
    assert!(ok && pdf.is_file(), "printing failed");
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo");
    let pages: u32 = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("page count");
    // The type area ends 35 mm above the foot of the A4 page: 842 - 99 = 743 pt. A body
    // line is 29 pt; the page number sits below the type area.
    let foot = 743.0 - 29.0 * 1.5;
    for page in 1..pages {
        let lowest = words(&pdf, page)
            .iter()
            .filter(|(_, t)| !t.contains('—'))
            .map(|(y, _)| *y)
            .fold(0.0, f64::max);
        assert!(lowest > foot, "page {page} ends short, at {lowest} pt");
    }
    let last = words(&pdf, pages);
    let printed = last
        .iter()
        .find(|(_, t)| t.contains("印发"))
        .expect("the 版记 is on the last page");
    assert!(
        printed.0 > foot,
        "the 版记 ends at {} pt, not at the foot",
        printed.0
    );
}

/// Prints a page of the sample to PDF as Ctrl-P would and returns the PDF and its pages.
fn print_to_pdf(dir: &Path, page: &Path) -> (PathBuf, u32) {
    let pdf = dir.join("printed.pdf");
    let ok = chromium(&dir.join("profile"))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(format!("file://{}", page.display()))
        .status()
        .expect("run chromium")
        .success();
    assert!(ok && pdf.is_file(), "printing failed");
    let info = Command::new("pdfinfo").arg(&pdf).output().expect("pdfinfo");
    let pages = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("page count");
    (pdf, pages)
}

/// The home page printed with Ctrl-P says whose it is and of when (the site's name on
/// page 1, 数据截至 and the footer at the end), page 1 is not left half empty before the
/// charts, no page but the last ends short, and the last page is more than a stray line.
#[test]
fn the_home_page_prints_with_its_name_date_and_source_on_full_pages() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let site = common::build_sample(dir.path());
    let (pdf, pages) = print_to_pdf(dir.path(), &site.join("index.html"));
    assert!(pages >= 2, "{pages} pages");
    let text = |page: u32| -> String {
        words(&pdf, page)
            .into_iter()
            .map(|(_, t)| t)
            .collect::<String>()
    };
    let first = text(1);
    assert!(first.contains("府山街道楼道“红管家”工作公示"), "{first}");
    assert!(
        first.contains("统计图表"),
        "the charts begin on page 1: {first}"
    );
    // The type area of A4 in style.css ends 35 mm above the foot: 743 pt.
    let not_page_number = |t: &str| !t.contains('—');
    for page in 1..pages {
        let lowest = words(&pdf, page)
            .into_iter()
            .filter(|(_, t)| not_page_number(t))
            .map(|(y, _)| y)
            .fold(0.0, f64::max);
        assert!(lowest > 560.0, "page {page} ends at {lowest} pt of 743");
    }
    let last = words(&pdf, pages);
    let footer = last
        .iter()
        .find(|(_, t)| t.contains("数据截至"))
        .map(|(y, _)| *y)
        .expect("数据截至 printed on the last page");
    assert!(text(pages).contains("主办单位"));
    let mut above: Vec<i64> = last
        .iter()
        .filter(|(y, t)| not_page_number(t) && *y < footer - 1.0)
        .map(|(y, _)| y.round() as i64)
        .collect();
    above.dedup();
    assert!(
        above.len() >= 3,
        "the last page holds {} lines before the footer",
        above.len()
    );
}

/// What the search page showed for a query, read from the DOM Chromium dumps once the
/// page's scripts (the index and its shards) have run.
struct SearchPage {
    /// `#search-results`, as HTML.
    results: String,
}

impl SearchPage {
    /// Opens the search page at `?q=query`, as a link or QR code would.
    fn open(site: &Path, profile: &Path, query: &str) -> SearchPage {
        let url = format!(
            "file://{}?q={}",
            site.join("search/index.html").display(),
            percent_encode(query)
        );
        Self::load(profile, &url, query)
    }

    fn load(profile: &Path, url: &str, query: &str) -> SearchPage {
        let output = chromium(profile)
            .args(["--virtual-time-budget=5000", "--dump-dom"])
            .arg(url)
            .output()
            .expect("run chromium");
        assert!(output.status.success(), "{query}: chromium failed");
        let dom = String::from_utf8_lossy(&output.stdout).into_owned();
        let start = dom
            .find("<div id=\"search-results\"")
            .unwrap_or_else(|| panic!("{query}: no results element in\n{dom}"));
        let end = start + dom[start..].find("</div>").expect("results end");
        SearchPage {
            results: dom[start..end].to_string(),
        }
    }

    /// Types `text` into the search box one character at a time, as a resident would,
    /// through a copy of the page with a script that does the typing.
    fn typed(site: &Path, profile: &Path, text: &str) -> SearchPage {
        let page = std::fs::read_to_string(site.join("search/index.html")).expect("search page");
        let typing = format!(
            "<script>(function () {{ var text = Array.from({}); var box = document.getElementById(\"search-q\"); var i = 0; (function next() {{ if (i >= text.length) return; box.value += text[i++]; box.dispatchEvent(new Event(\"input\")); setTimeout(next, 50); }})(); }})();</script></body>",
            serde_json::to_string(text).expect("JSON string")
        );
        std::fs::write(
            site.join("search/typed.html"),
            page.replace("</body>", &typing),
        )
        .expect("write the typing page");
        Self::load(
            profile,
            &format!("file://{}", site.join("search/typed.html").display()),
            text,
        )
    }

    fn attr(&self, name: &str) -> Option<&str> {
        let open = &self.results[..self.results.find('>')?];
        let at = open.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(&open[at..at + open[at..].find('"')?])
    }

    fn count(&self) -> usize {
        assert_eq!(self.attr("data-state"), Some("done"), "{}", self.results);
        self.attr("data-count")
            .and_then(|n| n.parse().ok())
            .expect("data-count")
    }

    /// Texts of the elements that open with `open`, e.g. `<span class="label">`.
    fn texts(&self, open: &str) -> Vec<&str> {
        self.results
            .match_indices(open)
            .map(|(i, _)| {
                let rest = &self.results[i + open.len()..];
                &rest[..rest.find('<').unwrap_or(rest.len())]
            })
            .collect()
    }

    /// Buildings found, as `label@community`.
    fn buildings(&self) -> Vec<String> {
        self.results
            .split("<li class=\"search-building\">")
            .skip(1)
            .map(|b| {
                let label = b
                    .split("<span class=\"label\">")
                    .nth(1)
                    .and_then(|r| r.split('<').next())
                    .unwrap_or("");
                let community = b
                    .split("index.html\">")
                    .nth(1)
                    .and_then(|r| r.split('<').next())
                    .unwrap_or("");
                format!("{label}@{community}")
            })
            .collect()
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn search_finds_a_buildings_steward_from_a_copied_folder() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let site = common::build_sample(dir.path());
    let profile = dir.path().join("profile");
    let search = |q: &str| SearchPage::open(&site, &profile, q);

    // Community and building, in the forms residents type them: each finds the one building
    // and its steward, linked to the steward's page.
    for q in [
        "东门街 12幢",
        "东门街社区12栋",
        "东门街 12号楼",
        "东门街 十二幢",
        "东门街 １２栋",
        "12# 东门街",
    ] {
        let page = search(q);
        assert_eq!(
            page.buildings(),
            ["12幢@东门街社区"],
            "{q}: {}",
            page.results
        );
        assert!(
            page.results
                .contains("<a href=\"../stewards/DM-079.html\">毛婷</a>"),
            "{q}: {}",
            page.results
        );
    }

    // Typed into the box, letter by letter: the results follow the typing.
    let page = SearchPage::typed(&site, &profile, "东门街 12栋");
    assert_eq!(page.attr("data-query"), Some("东门街 12栋"));
    assert_eq!(page.buildings(), ["12幢@东门街社区"], "{}", page.results);

    // A building number alone: that building in every community.
    let page = search("12栋");
    let found = page.buildings();
    assert_eq!(found.len(), 8, "{}", page.results);
    assert!(found.iter().all(|b| b.starts_with("12幢@")), "{found:?}");

    // Numbers never match inside other numbers: 坊门街 has 1幢, 11幢, 21幢 and 100–108幢.
    assert_eq!(search("坊门街 1").buildings(), ["1幢@坊门街社区"]);
    let none = search("坊门街 10");
    assert_eq!(none.count(), 0, "{}", none.results);
    assert!(none.results.contains("没有找到与“坊门街 10”相符的"));
    assert!(
        none.results
            .contains("<a href=\"../communities/index.html\">社区目录</a>"),
        "no result must point to the directory: {}",
        none.results
    );

    // A steward by name: their community, grid and buildings.
    let page = search("鲁雪");
    assert_eq!(page.count(), 1, "{}", page.results);
    assert!(
        page.results
            .contains("<a href=\"../stewards/DM-001.html\">鲁雪</a>")
    );
    assert!(
        page.results.contains("东门街第1网格 · 联系楼幢 8幢"),
        "{}",
        page.results
    );

    // A community by name, without 社区, and by the initials of its pinyin.
    for q in ["东门街社区", "东门街", "dmj", "DMJ"] {
        let page = search(q);
        assert_eq!(
            page.texts(
                "<li class=\"search-community\"><a href=\"../communities/dongmenjie/index.html\">"
            ),
            ["东门街社区"],
            "{q}: {}",
            page.results
        );
    }
}

/// The page normalizes a query exactly as the index builder does.
#[test]
fn the_page_reads_queries_as_the_index_builder_does() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let site = common::build_sample(dir.path());
    let profile = dir.path().join("profile");
    for q in [
        "东门街社区 12幢",
        "１２号楼东门街",
        "十二栋",
        "坊门街，一百零五号楼",
        "3幢二单元",
        "12 幢 DMJ",
        "012#楼",
        "二十三 幢",
    ] {
        let page = SearchPage::open(&site, &profile, q);
        let want = hongguanjia::search::query_words(q).join("|");
        let words = page
            .texts("<p class=\"search-words\" data-words=\"")
            .first()
            .map(|s| s.split('"').next().unwrap_or("").to_string());
        assert_eq!(
            words.as_deref(),
            Some(want.as_str()),
            "{q}: {}",
            page.results
        );
    }
}

/// On a site of several subdistricts, results name each community's subdistrict, and a
/// subdistrict's name finds its communities.
#[test]
fn search_names_the_subdistrict_and_finds_a_subdistricts_communities() {
    if !tools_present() {
        return;
    }
    let site =
        common::Site::sample_with_subdistricts(|i| ["府山街道", "荷花街道", "双港街道"][i % 3]);
    site.build_ok();
    let public = site.path("public");
    let profile = site.path("profile");

    let page = SearchPage::open(&public, &profile, "东门街 12幢");
    assert_eq!(page.buildings(), ["12幢@东门街社区"], "{}", page.results);
    assert!(
        page.results
            .contains("<span class=\"subdistrict\">府山街道 · </span><a href=\"../communities/dongmenjie/index.html\">东门街社区</a>"),
        "{}",
        page.results
    );

    // Communities 2, 5 and 8 of the sample (in id order) lie in 荷花街道.
    for q in ["荷花街道", "荷花"] {
        let page = SearchPage::open(&public, &profile, q);
        let communities =
            page.texts("<span class=\"subdistrict\">荷花街道 · </span><a href=\"../communities/");
        assert_eq!(communities.len(), 3, "{q}: {}", page.results);
        assert_eq!(page.count(), 3, "{q}: {}", page.results);
    }
}
