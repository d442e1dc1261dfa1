//! `hongguanjia init` makes a site that builds as it is, its workbook reads back to the
//! example records, and `new bulletin` / `new page` add documents that follow the site's own.

mod common;

use std::fs;
use std::path::Path;

use common::{Site, run};
use hongguanjia::scaffold;

fn init(dir: &Path, extra: &[&str]) -> common::Run {
    let dir = dir.to_str().expect("utf-8 temp path");
    let mut args = vec!["init", dir];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn a_new_site_builds_and_warns_only_that_its_examples_are_still_there() {
    for extra in [&[][..], &["--csv"][..]] {
        let site = Site::empty();
        let dir = site.path("新站点");
        init(&dir, extra).assert_code(0);
        let out = run(&["build", "--root", dir.to_str().expect("utf-8")]);
        out.assert_code(0);
        let warnings: Vec<&str> = out
            .err_lines()
            .into_iter()
            .filter(|l| !l.starts_with("另有"))
            .collect();
        // init's base_url is a path: the sitemap and the feed need a whole address.
        let (base_url, warnings): (Vec<&str>, Vec<&str>) = warnings
            .into_iter()
            .partition(|l| l.contains("base_url: “/”不是完整的网址"));
        assert_eq!(base_url.len(), 1, "{extra:?}: the base_url warning");
        assert!(
            base_url[0].starts_with("site.toml:8: 警告："),
            "{base_url:?}"
        );
        for line in &warnings {
            assert!(
                line.contains("hongguanjia init 写的示例"),
                "{extra:?}: {line}"
            );
        }
        // Each file with an example left in it is named, at the line or cell.
        let records = if extra.is_empty() {
            [
                "content/红管家台账.xlsx:社区!B2",
                "content/红管家台账.xlsx:红管家!B2",
            ]
        } else {
            ["content/communities.csv:2", "content/stewards.csv:2"]
        };
        for at in [
            "site.toml:5",
            "content/commendations.toml:7",
            "content/bulletins/",
            records[0],
            records[1],
        ] {
            assert!(
                warnings.iter().any(|l| l.starts_with(at)),
                "{extra:?}: no warning at {at}: {warnings:#?}"
            );
        }
        let summary = common::read_summary(&dir.join("public"));
        // One example record of each kind, all counted.
        assert_eq!(common::figures(&summary), [1, 1, 2, 3, 1, 1, 1, 1, 1]);
        assert!(dir.join("public/bulletins/index.html").exists());
        assert!(dir.join("public/about/index.html").exists());
        // A bulletin without a [bulletin] name in site.toml still has its masthead.
        let (bulletin, page) = common::tree(&dir.join("public/bulletins"))
            .into_iter()
            .find(|(p, _)| p != "index.html" && p.ends_with("/index.html"))
            .expect("the example bulletin");
        let page = String::from_utf8(page).expect("utf-8 page");
        assert!(
            page.contains("<p class=\"bulletin-name\">工作简报</p>"),
            "{extra:?}: {bulletin} has no masthead"
        );
    }
}

#[test]
fn the_csv_files_open_in_excel_as_utf8() {
    let site = Site::empty();
    init(site.root(), &["--csv"]).assert_code(0);
    for kind in [
        "communities",
        "stewards",
        "visits",
        "cases",
        "errands",
        "meetings",
    ] {
        let bytes = fs::read(site.path(&format!("content/{kind}.csv"))).expect("csv");
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{kind} has no BOM");
    }
    assert!(!site.path(scaffold::WORKBOOK).exists());
}

#[test]
fn init_refuses_a_folder_with_files_in_it() {
    let site = Site::empty();
    site.write("笔记.txt", "已有的文件");
    let out = init(site.root(), &[]);
    out.assert_code(1);
    out.assert_line(&format!(
        "{}: 文件夹不是空的（里面已有 笔记.txt），为免覆盖已有文件，init 只在新文件夹或空文件夹里创建站点。请换一个文件夹名，如 hongguanjia init 新站点",
        site.root().display()
    ));
    assert_eq!(
        fs::read_to_string(site.path("笔记.txt")).expect("kept"),
        "已有的文件"
    );
    assert!(!site.path("site.toml").exists());
}

fn new_bulletin(site: &Site, date: &str) -> common::Run {
    let root = site.root().to_str().expect("utf-8");
    run(&["new", "bulletin", "--root", root, "--date", date])
}

#[test]
fn the_next_bulletin_follows_the_latest_and_builds() {
    let site = Site::sample();
    let out = new_bulletin(&site, "2018-12-20");
    out.assert_code(0);
    let text = fs::read_to_string(site.path("content/bulletins/2018-62.md")).expect("written");
    assert!(text.contains("\nissue = 62\n"), "{text}");
    assert!(text.contains("\ntotal_issue = 1026\n"), "{text}");
    assert!(text.contains("\ndate = 2018-12-20\n"), "{text}");
    // The same issuer and readers as the sample's issue 61.
    assert!(text.contains("source = \"柯城区委组织部\""), "{text}");
    assert!(text.contains("send_to = [\"本部领导\", \"各县（市、区）委常委、组织部长\"]"));
    assert!(text.contains("{{ stats.households_visited }}"));
    assert!(text.contains("{{ site.subdistrict.members_registered }}"));

    // The figures in the new issue are the records' own.
    let summary = site.summary();
    let page = fs::read_to_string(site.path("public/bulletins/2018-62/index.html")).expect("page");
    let visited = common::num(&summary, "/households_visited").to_string();
    assert!(page.contains(&visited), "{visited} not in the new bulletin");

    // A second run continues from the new issue.
    new_bulletin(&site, "2018-12-28").assert_code(0);
    let text = fs::read_to_string(site.path("content/bulletins/2018-63.md")).expect("written");
    assert!(text.contains("\ntotal_issue = 1027\n"), "{text}");
}

#[test]
fn a_new_year_starts_again_at_issue_one() {
    let site = Site::sample();
    new_bulletin(&site, "2019-01-05").assert_code(0);
    let text = fs::read_to_string(site.path("content/bulletins/2019-1.md")).expect("written");
    assert!(text.contains("\nissue = 1\n"), "{text}");
    assert!(text.contains("\ntotal_issue = 1026\n"), "{text}");
    // An issue dated back in 2018 still follows 2018's own issues, and the total runs on.
    new_bulletin(&site, "2018-12-31").assert_code(0);
    let text = fs::read_to_string(site.path("content/bulletins/2018-62.md")).expect("written");
    assert!(text.contains("\nissue = 62\n"), "{text}");
    assert!(text.contains("\ntotal_issue = 1027\n"), "{text}");
}

#[test]
fn a_new_page_builds_at_its_slug_and_is_never_overwritten() {
    let site = Site::basic();
    let root = site.root().to_str().expect("utf-8");
    run(&[
        "new",
        "page",
        "联系我们",
        "--slug",
        "contact",
        "--root",
        root,
    ])
    .assert_code(0);
    let again = run(&[
        "new",
        "page",
        "联系我们",
        "--slug",
        "contact",
        "--root",
        root,
    ]);
    again.assert_code(1);
    again.assert_line("content/pages/contact.md: 已经存在，未改动它。请换一个名字");
    let bad = run(&["new", "page", "联系", "--slug", "联系", "--root", root]);
    bad.assert_code(1);
    bad.assert_line(
        "--slug: \"联系\" 只能由小写英文字母、数字和连字符组成（用于网址），如 --slug about",
    );
    site.build_ok();
    let page = fs::read_to_string(site.path("public/contact/index.html")).expect("page");
    assert!(page.contains("联系我们"));
}

/// The XML of the sheet named `name` in an `.xlsx` file.
fn sheet_xml(path: &Path, name: &str) -> String {
    let file = fs::File::open(path).expect("workbook");
    let mut zip = zip::ZipArchive::new(file).expect("xlsx is a zip");
    let mut read = |entry: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(entry).expect(entry), &mut text)
            .expect("utf-8 xml");
        text
    };
    let book = read("xl/workbook.xml");
    // Sheets are numbered in workbook order.
    let position = book
        .split("<sheet ")
        .skip(1)
        .position(|s| s.contains(&format!("name=\"{name}\"")))
        .unwrap_or_else(|| panic!("no sheet {name}"));
    read(&format!("xl/worksheets/sheet{}.xml", position + 1))
}

#[test]
fn the_workbook_offers_the_accepted_words_as_drop_down_lists() {
    let site = Site::empty();
    scaffold::init(site.root(), false, scaffold::today()).expect("init");
    let book = site.path(scaffold::WORKBOOK);
    for (sheet, words) in [
        ("红管家", "\"在册,在职,两新\""),
        ("红管家", "\"男,女\""),
        ("走访记录", "\"走访,敲门日,巡逻\""),
        ("民情事项", "\"待办,办理中,已转办,已解决,已反馈\""),
        ("民情事项", "\"楼道,网格员,物业,业委会,社区\""),
        ("代办事项", "\"已办结,办理中\""),
    ] {
        let xml = sheet_xml(&book, sheet);
        assert!(
            xml.contains(&format!("<formula1>{words}</formula1>")),
            "{sheet}: {words}"
        );
        assert!(
            xml.contains("state=\"frozen\""),
            "{sheet}: header not frozen"
        );
    }
    // The 填写说明 sheet is there; that it explains every column is a unit test of
    // scaffold.rs, which sees the schema.
    let file = fs::File::open(&book).expect("workbook");
    let mut zip = zip::ZipArchive::new(file).expect("zip");
    let mut strings = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/sharedStrings.xml").expect("strings"),
        &mut strings,
    )
    .expect("xml");
    assert!(strings.contains(scaffold::INSTRUCTIONS));
    assert!(strings.contains("红管家台账填写说明"));
}

/// What an office does first: replaces the example rows with its own and keeps the rest.
fn replace_the_example_rows(dir: &Path) {
    let write = |rel: &str, text: &str| fs::write(dir.join(rel), text).expect("write");
    write(
        "content/communities.csv",
        "编号,名称,党组织\nxinhe,新河社区,社区党委\n",
    );
    write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\nS-001,王建国,xinhe,1幢,在册\n",
    );
    write(
        "content/visits.csv",
        "日期,红管家,户数\n2024-03-05,S-001,3\n",
    );
    for kind in ["grids", "cases", "errands", "meetings"] {
        let path = dir.join(format!("content/{kind}.csv"));
        let text = fs::read_to_string(&path).expect("csv");
        let header = text.lines().next().expect("header").to_string();
        fs::write(&path, header + "\n").expect("write");
    }
}

#[test]
fn replacing_the_example_rows_leaves_a_message_that_says_what_to_do() {
    let site = Site::empty();
    let dir = site.path("新站点");
    init(&dir, &["--csv"]).assert_code(0);
    // The office's own steward has an id close to the example's: the message still says
    // to delete the example, not to correct it to that steward.
    replace_the_example_rows(&dir);
    let root = dir.to_str().expect("utf-8");
    let out = run(&["check", "--root", root]);
    out.assert_code(1);
    out.assert_line(
        "content/commendations.toml:8: stewards: \"SL-001\" 不是已登记的红管家编号。这是 hongguanjia init 写的示例编号：引用它的示例行、示例表彰批次，请改成实际内容或整条删去",
    );
    // Done as told: the batch now names the office's own steward.
    let path = dir.join("content/commendations.toml");
    let text = fs::read_to_string(&path).expect("toml");
    fs::write(&path, text.replace("SL-001", "S-001")).expect("write");
    run(&["build", "--root", root]).assert_code(0);
    // The batch is dated the day of init; the figures are as of the office's last record.
    let summary = common::read_summary(&dir.join("public"));
    assert_eq!(summary["as_of"], "2024-03-05");
    let home = fs::read_to_string(dir.join("public/index.html")).expect("home");
    assert!(
        home.contains("2024年3月5日"),
        "the home page dates the records"
    );
}
