//! `hongguanjia print`: the internal print kit. One board and one sheet of contact cards per
//! covered building, one log sheet per steward, one letter per commended in-service
//! steward, the bulletins; stewards' phones only where they are the contact, nothing of
//! the residents anywhere; never inside the public site. With `--pdf` the PDFs are checked
//! with poppler and zbarimg, which `.ci/run` installs; elsewhere those tests are skipped.

use std::fs;
use std::path::Path;
use std::process::Command;

mod common;
use common::{Site, run, run_env, tool};

/// Four stewards in two communities. FM-002 (in service) does not want their phone on the
/// board; buildings covered: 3幢, 5幢 (two stewards), 1幢, 2幢, 7幢 = 5.
const STEWARDS: &str = "\
编号,姓名,社区,联系楼幢,党员类别,网格,工作单位,联系电话,公示电话
FM-001,周明华,fangmen,3幢;5幢,在册,坊门街第1网格,,13905701111,
FM-002,吴建英,坊门街社区,5幢,在职,坊门街第2网格,市税务局机关党委,13905709999,否
FM-003,陈立群,fangmen,7幢,在职,坊门街第3网格,市人民医院党委,13905703333,是
ST-001,郑卫国,shuiting,1幢、2幢,两新,,,13905702222,
";

const COMMENDATIONS: &str = "\
[[batch]]
id = \"2018-1\"
title = \"第一批优秀红管家\"
date = 2018-12-01
issuer = \"府山街道党工委\"
stewards = [\"FM-001\", \"FM-002\", \"FM-003\"]
";

const BULLETIN: &str = "\
+++
title = \"楼道红管家工作简报\"
issue = 3
date = 2018-12-10
send_to = [\"街道领导\"]
distribute_to = [\"各社区\"]
+++

全街道已有{{ stats.stewards }}名红管家，联系楼幢{{ stats.buildings_covered }}幢。
";

const RESIDENT_VALUES: &[&str] = &[
    "钱桂兰",
    "13705703333",
    "王阿婆独居需常去看看",
    "纸箱堵住消防通道",
];

fn kit_site() -> Site {
    let site = Site::basic();
    site.write("content/stewards.csv", STEWARDS);
    site.write("content/commendations.toml", COMMENDATIONS);
    site.write("content/bulletins/2018-3.md", BULLETIN);
    site
}

fn print(site: &Site, extra: &[&str]) -> common::Run {
    let root = site.root().to_str().expect("utf-8 temp path").to_string();
    let mut args = vec!["print", "--root", root.as_str()];
    args.extend_from_slice(extra);
    run(&args)
}

/// Every file of a folder, by path relative to it, as text (PDFs skipped).
fn texts(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html" || x == "css") {
                let rel = p
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, fs::read_to_string(&p).expect("utf-8")));
            }
        }
    }
    out.sort();
    out
}

fn count(dir: &Path, rel_prefix: &str, needle: &str) -> usize {
    texts(dir)
        .iter()
        .filter(|(p, _)| p.starts_with(rel_prefix))
        .map(|(_, t)| t.matches(needle).count())
        .sum()
}

#[test]
fn one_board_and_card_sheet_per_covered_building_one_log_per_steward() {
    let site = kit_site();
    site.write_bytes("static/photos/FM-001.jpg", b"\xff\xd8\xff\xe0 a photo");
    print(&site, &[]).assert_code(0);
    let kit = site.path("print");
    assert_eq!(count(&kit, "boards/", "<section class=\"board\">"), 5);
    // FM-001 has a photo and two buildings: on both boards; no one else has one.
    assert_eq!(count(&kit, "boards/", "<img class=\"photo\""), 2);
    assert_eq!(count(&kit, "boards/", "src=\"../photos/FM-001.jpg\""), 2);
    assert!(kit.join("photos/FM-001.jpg").is_file());
    assert_eq!(count(&kit, "cards/", "<section class=\"sheet\""), 5);
    assert_eq!(count(&kit, "cards/", "<article class=\"card\">"), 20);
    assert_eq!(count(&kit, "logs/", "<section class=\"log\">"), 4);
    // Letters go to in-service stewards only: FM-002 and FM-003, not FM-001 (在册).
    assert_eq!(count(&kit, "letters/", "<article class=\"letter\">"), 2);
    let letters = fs::read_to_string(kit.join("letters/2018-1.html")).expect("letters");
    assert!(letters.contains("市税务局机关党委：") && letters.contains("市人民医院党委："));
    assert!(!letters.contains("周明华"));
    // The bulletin is the public one, its figures filled in from the records.
    let bulletin = fs::read_to_string(kit.join("bulletins/2018-3/index.html")).expect("bulletin");
    assert!(
        bulletin.contains("全街道已有4名红管家，联系楼幢5幢。"),
        "{bulletin}"
    );
    // The kit has no communities or case pages: the bulletin leaves out the site's
    // navigation rather than link to pages that are not there.
    assert!(!bulletin.contains("主导航") && !bulletin.contains("cases/index.html"));
    assert!(!bulletin.contains("atom.xml"));
    // The public site's bulletin keeps them.
    let root = site.root().to_str().expect("utf-8").to_string();
    common::run(&["build", "--root", &root]).assert_code(0);
    let page = fs::read_to_string(site.path("public/bulletins/2018-3/index.html")).expect("page");
    assert!(page.contains("主导航") && page.contains("cases/index.html"));
    // The board count is the covered-building figure the public site shows.
    let summary = site.summary();
    assert_eq!(summary["buildings_covered"], 5);

    let index = fs::read_to_string(kit.join("index.html")).expect("index");
    assert!(index.contains("内部材料"));
    for what in ["公示牌", "联户卡", "红管家日志", "感谢信", "简报"] {
        assert!(index.contains(what), "{what} missing from the index");
    }
}

#[test]
fn phones_only_where_the_steward_is_the_contact_and_never_a_resident() {
    let site = kit_site();
    print(&site, &[]).assert_code(0);
    let kit = site.path("print");
    for (path, text) in texts(&kit) {
        let contact = path.starts_with("boards/") || path.starts_with("cards/");
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(
            digits.contains("13905701111"),
            contact && path.contains("fangmen"),
            "{path}: FM-001's phone"
        );
        // FM-002 said 否: not even on their own board.
        assert!(
            !digits.contains("13905709999"),
            "{path}: an opted-out phone"
        );
        for v in RESIDENT_VALUES {
            assert!(!text.contains(v), "{path}: resident data {v}");
        }
    }
    let boards = fs::read_to_string(kit.join("boards/fangmen.html")).expect("boards");
    assert!(
        boards.contains("139 0570 1111"),
        "phones print in groups of 3-4-4"
    );
    assert!(
        boards.contains("吴建英"),
        "an opted-out steward is still named"
    );
}

#[test]
fn refuses_the_public_output_folder_inside_it_or_around_it() {
    let site = kit_site();
    site.build_ok();
    let root = site.root().to_str().expect("utf-8").to_string();
    for output in [
        site.path("public"),
        site.path("public/print"),
        site.path("print/../public/new/kit"),
        site.root().to_path_buf(),
    ] {
        let out = output.to_str().expect("utf-8");
        let r = run(&["print", "--root", &root, "--output", out]);
        r.assert_code(1);
        assert!(
            r.stderr.contains("不能放进公开网站的输出文件夹"),
            "{}",
            r.stderr
        );
    }
    assert!(!site.path("public/print").exists());
    assert!(!site.path("public/boards").exists());

    // A public site built somewhere else is recognised by its marker.
    let elsewhere = site.path("www");
    let r = site.build(&["--output", elsewhere.to_str().expect("utf-8")]);
    r.assert_code(0);
    let inside = elsewhere.join("kit");
    let r = run(&[
        "print",
        "--root",
        &root,
        "--output",
        inside.to_str().expect("utf-8"),
    ]);
    r.assert_code(1);
    assert!(
        r.stderr.contains("是 hongguanjia 生成的公开网站"),
        "{}",
        r.stderr
    );

    // Printing again into its own folder is fine.
    print(&site, &[]).assert_code(0);
    print(&site, &[]).assert_code(0);
}

#[test]
fn a_folder_of_other_files_is_left_alone_unless_forced() {
    let site = kit_site();
    site.write("print/我的笔记.txt", "别删");
    let r = print(&site, &[]);
    r.assert_code(1);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(
        fs::read_to_string(site.path("print/我的笔记.txt")).expect("kept"),
        "别删"
    );
    print(&site, &["--force"]).assert_code(0);
    assert!(site.path("print/index.html").is_file());
    assert!(!site.path("print/我的笔记.txt").exists());
}

#[test]
fn settings_choose_a3_boards_and_the_door_knocking_day() {
    let site = kit_site();
    site.write(
        "site.toml",
        &format!(
            "{}[print]\nboard_size = \"A3\"\ndoor_knocking_day = 15\n",
            common::SITE_TOML
        ),
    );
    print(&site, &[]).assert_code(0);
    let css = fs::read_to_string(site.path("print/assets/print.css")).expect("css");
    assert!(css.contains("@page board { size: A3 portrait;"));
    let boards = fs::read_to_string(site.path("print/boards/shuiting.html")).expect("boards");
    assert!(boards.contains("<strong>15 日</strong>"));

    site.write(
        "site.toml",
        &format!("{}[print]\ndoor_knocking_day = 31\n", common::SITE_TOML),
    );
    let r = print(&site, &[]);
    r.assert_code(1);
    r.assert_line(
        "site.toml:4: print.door_knocking_day: 31 应为 1 到 28 之间的日子（每月都有的一天），如 20",
    );
}

#[test]
fn no_browser_is_a_clear_message_and_nothing_written() {
    let site = kit_site();
    let root = site.root().to_str().expect("utf-8").to_string();
    let r = run_env(
        &["print", "--root", &root, "--pdf"],
        &[("HONGGUANJIA_BROWSER", "/nonexistent/chromium")],
    );
    r.assert_code(1);
    r.assert_line(
        "环境变量 HONGGUANJIA_BROWSER: 写的浏览器“/nonexistent/chromium”找不到。请写浏览器程序的完整路径，或安装 Chromium 后写 chromium",
    );
    assert!(!site.path("print").exists());
}

#[test]
fn every_kind_of_kit_page_is_valid_html5() {
    let Some(jar) = common::vnu_or_skip() else {
        return;
    };
    let site = kit_site();
    print(&site, &[]).assert_code(0);
    let kit = site.path("print");
    common::assert_valid_html(
        &jar,
        [
            "index.html",
            "boards/fangmen.html",
            "cards/fangmen.html",
            "logs/fangmen.html",
            "letters/2018-1.html",
        ]
        .iter()
        .map(|p| kit.join(p)),
    );
}

/// Whether the PDF tools are here; under CI their absence is a failure.
fn pdf_tools_present() -> bool {
    let present = [
        "chromium",
        "pdfinfo",
        "pdftotext",
        "pdffonts",
        "pdftoppm",
        "zbarimg",
    ]
    .iter()
    .all(|t| tool(t));
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium, poppler-utils and zbar-tools are required under CI (.ci/run installs them)"
        );
        eprintln!("skipped: chromium, poppler-utils or zbar-tools is not installed");
    }
    present
}

fn pdfinfo(pdf: &Path) -> (String, u32) {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    (field("Page size:"), field("Pages:").parse().unwrap_or(0))
}

fn pdftext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    String::from_utf8_lossy(&out.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The QR codes on the pages of a PDF, decoded.
fn qr_codes(pdf: &Path, dir: &Path) -> Vec<String> {
    let prefix = dir.join("page");
    let ok = Command::new("pdftoppm")
        .args(["-r", "150", "-png"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm")
        .success();
    assert!(ok, "pdftoppm failed");
    let mut pngs: Vec<_> = fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    pngs.sort();
    let mut codes = Vec::new();
    for png in pngs {
        let out = Command::new("zbarimg")
            .args(["--raw", "-q"])
            .arg(&png)
            .output()
            .expect("zbarimg");
        codes.extend(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string),
        );
        let _ = fs::remove_file(png);
    }
    codes
}

#[test]
fn pdfs_have_the_right_paper_pages_fonts_text_and_qr_codes() {
    if !pdf_tools_present() {
        return;
    }
    let site = kit_site();
    let r = print(&site, &["--pdf"]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("浏览器：") && r.stdout.contains("中文字体："),
        "{}",
        r.stdout
    );
    let kit = site.path("print");

    for (file, pages) in [
        ("boards/fangmen.pdf", 3),
        ("boards/shuiting.pdf", 2),
        ("cards/fangmen.pdf", 3),
        ("logs/fangmen.pdf", 3),
        ("logs/shuiting.pdf", 1),
        ("letters/2018-1.pdf", 2),
        ("bulletins/2018-3/index.pdf", 1),
    ] {
        let (size, n) = pdfinfo(&kit.join(file));
        assert!(size.contains("(A4)"), "{file}: {size}");
        assert_eq!(n, pages, "{file}: page count");
        let fonts = Command::new("pdffonts")
            .arg(kit.join(file))
            .output()
            .expect("pdffonts");
        let fonts = String::from_utf8_lossy(&fonts.stdout).into_owned();
        assert!(
            !fonts.contains("Type 3"),
            "{file}: fonts drawn as outlines\n{fonts}"
        );
    }

    let boards = pdftext(&kit.join("boards/fangmen.pdf"));
    for want in [
        "周明华",
        "吴建英",
        "陈立群",
        "13905701111",
        "每月20日",
        "坊门街第1网格",
    ] {
        assert!(boards.contains(want), "boards: {want} not found");
    }
    assert!(!boards.contains("13905709999"));
    let letters = pdftext(&kit.join("letters/2018-1.pdf"));
    assert!(letters.contains("市税务局机关党委") && letters.contains("2018年12月1日"));
    let bulletin = pdftext(&kit.join("bulletins/2018-3/index.pdf"));
    assert!(bulletin.contains("4名红管家") && bulletin.contains("印发"));

    // 3幢 and 7幢 have one steward each: their own page. 5幢 has two: the community page.
    let scratch = tempfile::tempdir().expect("temp dir");
    let codes = qr_codes(&kit.join("boards/fangmen.pdf"), scratch.path());
    assert_eq!(
        codes,
        [
            "https://example.org/fushan/stewards/FM-001.html",
            "https://example.org/fushan/communities/fangmen/index.html",
            "https://example.org/fushan/stewards/FM-003.html",
        ]
    );
    let cards = qr_codes(&kit.join("cards/shuiting.pdf"), scratch.path());
    assert_eq!(
        cards.len(),
        8,
        "four cards a sheet, each with its code: {cards:?}"
    );
    assert!(
        cards
            .iter()
            .all(|c| c == "https://example.org/fushan/stewards/ST-001.html")
    );
}

/// Whether process `pid` is gone: no longer there, or dead and waiting to be reaped by
/// whatever adopted it (a container's first process may never reap).
#[cfg(unix)]
fn gone(pid: &str) -> bool {
    match fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

/// A browser that hangs, once at the `--version` probe and once when it should print:
/// each is stopped at `print.timeout` with a message, with every process it started,
/// and nothing is written.
#[cfg(unix)]
#[test]
fn a_hanging_browser_is_stopped_with_its_children() {
    use std::os::unix::fs::PermissionsExt;
    if !std::path::Path::new("/proc/self/stat").exists() {
        eprintln!("skipped: no /proc to see the browser's children by");
        return;
    }
    let site = kit_site();
    site.write(
        "site.toml",
        &format!("{}[print]\ntimeout = 2\n", common::SITE_TOML),
    );
    let root = site.root().to_str().expect("utf-8").to_string();
    for (name, at_version) in [("hangs-at-version", true), ("hangs-printing", false)] {
        let pid_file = site.path(&format!("{name}.pid"));
        let answer = if at_version {
            String::new()
        } else {
            "if [ \"$1\" = --version ]; then echo 'Fake Chromium 1.0'; exit 0; fi\n".to_string()
        };
        let script = site.path(name);
        fs::write(
            &script,
            format!(
                "#!/bin/sh\n{answer}sleep 300 &\necho $! > '{}'\nsleep 300\n",
                pid_file.display()
            ),
        )
        .expect("script");
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod");
        let started = std::time::Instant::now();
        let r = run_env(
            &["print", "--root", &root, "--pdf"],
            &[("HONGGUANJIA_BROWSER", script.to_str().expect("utf-8"))],
        );
        r.assert_code(1);
        let want = if at_version {
            "浏览器 2 秒内没有回答版本查询（--version），已停止它和它启动的全部进程"
        } else {
            "超过 2 秒没有完成，已停止浏览器和它启动的全部进程"
        };
        assert!(r.stderr.contains(want), "{name}: {}", r.stderr);
        assert!(
            at_version || r.stderr.contains("timeout = 4"),
            "says how to allow more time: {}",
            r.stderr
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "{name}: the limit did not hold"
        );
        let child = fs::read_to_string(&pid_file).expect("the script started its child");
        assert!(
            gone(&child),
            "{name}: the browser's child {child} still runs"
        );
        assert!(!site.path("print").exists(), "{name}: nothing written");
    }
}
