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
    assert_eq!(count(&kit, "boards/", "<section class=\"board"), 5);
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
    // Each number is kept on the line of its measure word.
    assert!(
        bulletin.contains(
            "全街道已有<span class=\"nb\">4名</span>红管家，联系楼幢<span class=\"nb\">5幢</span>。"
        ),
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
            "flows/fangmen.html",
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

/// Families of TrueType CJK fonts the kit's styles ask for: with one of them installed
/// the PDFs embed their text as fonts.
const TRUETYPE_CJK: &[&str] = &[
    "AR PL UMing CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimSun",
    "FangSong",
    "SimHei",
];

/// Whether a TrueType CJK font is installed; without one the PDFs' text is outlines and
/// the check of their fonts is skipped with a line saying what to install (under CI it
/// fails: .ci/run installs them).
fn truetype_cjk_or_skip() -> bool {
    let installed = TRUETYPE_CJK.iter().any(|family| {
        Command::new("fc-list")
            .arg(format!(":family={family}"))
            .arg("family")
            .output()
            .is_ok_and(|o| !o.stdout.is_empty())
    });
    if !installed {
        assert!(
            std::env::var_os("CI").is_none(),
            "a TrueType CJK font is required under CI (.ci/run installs fonts-arphic-uming)"
        );
        eprintln!(
            "skipped the PDFs' font check: no TrueType CJK font; install fonts-arphic-uming fonts-wqy-zenhei"
        );
    }
    installed
}

/// The files of the installed Noto CJK fonts (CFF, drawn as outlines by Chromium).
fn noto_cjk_files() -> Vec<String> {
    let out = Command::new("fc-list")
        .args([":family=Noto Serif CJK SC", "file"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let mut sans = Command::new("fc-list")
        .args([":family=Noto Sans CJK SC", "file"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    sans.push_str(&out);
    let mut files: Vec<String> = sans
        .lines()
        .map(|l| l.trim().trim_end_matches(':').to_string())
        .filter(|l| !l.is_empty())
        .collect();
    files.sort();
    files.dedup();
    files
}

/// On a machine that has only Noto CJK (the commonest CJK font on Linux), the PDFs' text
/// is outlines: print says so and what to install, as docs/print.md promises.
#[cfg(unix)]
#[test]
fn only_cff_cjk_fonts_draw_outlines_and_print_says_what_to_install() {
    if !pdf_tools_present() {
        return;
    }
    let noto = noto_cjk_files();
    if noto.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "fonts-noto-cjk is required under CI (.ci/run installs it)"
        );
        eprintln!("skipped: Noto CJK is not installed; install fonts-noto-cjk");
        return;
    }
    let site = kit_site();
    let fonts = site.path("fonts-noto-only");
    fs::create_dir_all(&fonts).expect("dir");
    // fontconfig sees only these files: a machine with Noto CJK and nothing else.
    for file in &noto {
        let name = Path::new(file).file_name().expect("a file name");
        std::os::unix::fs::symlink(file, fonts.join(name)).expect("link");
    }
    let conf = format!(
        "<?xml version=\"1.0\"?>\n<fontconfig>\n  <dir>{}</dir>\n  <cachedir>{}</cachedir>\n</fontconfig>\n",
        fonts.display(),
        site.path("fc-cache").display()
    );
    let conf_path = site.path("fonts.conf");
    fs::write(&conf_path, conf).expect("conf");
    let root = site.root().to_str().expect("utf-8").to_string();
    let r = run_env(
        &["print", "--root", &root, "--pdf", "--community", "shuiting"],
        &[("FONTCONFIG_FILE", conf_path.to_str().expect("utf-8"))],
    );
    r.assert_code(0);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("警告：boards/shuiting.pdf 等 4 个 PDF 里有文字被画成了轮廓（Type 3 字体）")
            && all.contains("sudo apt-get install fonts-arphic-uming fonts-wqy-zenhei"),
        "{all}"
    );
    let fonts = Command::new("pdffonts")
        .arg(site.path("print-shuiting/boards/shuiting.pdf"))
        .output()
        .expect("pdffonts");
    assert!(String::from_utf8_lossy(&fonts.stdout).contains("Type 3"));
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

/// A PDF's pages as poppler lays out their words: the page's height, then each word with
/// its box (x0, y0, x1, y1 in points from the top left).
type Words = Vec<(f64, Vec<(String, [f64; 4])>)>;

fn words(pdf: &Path) -> Words {
    let out = Command::new("pdftotext")
        .arg("-bbox")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(&text, options)
        .expect("pdftotext -bbox writes XHTML");
    let number = |n: roxmltree::Node<'_, '_>, a: &str| {
        n.attribute(a)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    doc.descendants()
        .filter(|n| n.has_tag_name("page"))
        .map(|page| {
            let words = page
                .descendants()
                .filter(|n| n.has_tag_name("word"))
                .map(|w| {
                    let text = w.text().unwrap_or("").to_string();
                    let at = ["xMin", "yMin", "xMax", "yMax"].map(|a| number(w, a));
                    (text, at)
                })
                .collect();
            (number(page, "height"), words)
        })
        .collect()
}

/// Millimetres in PDF points.
fn mm(v: f64) -> f64 {
    v * 72.0 / 25.4
}

/// The leftmost and rightmost column, in millimetres, of the red rows of a page: the top
/// one (the first red row below `below_mm`) and the bottom one (the last red row).
fn red_rules(pdf: &Path, page: u32, below_mm: f64, dir: &Path) -> [(f64, f64); 2] {
    let prefix = dir.join("rules");
    let dpi = 144.0;
    let ok = Command::new("pdftoppm")
        .args([
            "-r",
            "144",
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
            "-singlefile",
        ])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm")
        .success();
    assert!(ok, "pdftoppm");
    let bytes = fs::read(prefix.with_extension("ppm")).expect("ppm");
    // P6 <w> <h> 255\n<rgb…>
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).into_owned());
    }
    at += 1;
    let (w, h): (usize, usize) = (fields[1].parse().expect("w"), fields[2].parse().expect("h"));
    let px = |x: usize, y: usize| &bytes[at + 3 * (y * w + x)..at + 3 * (y * w + x) + 3];
    let red = |p: &[u8]| p[0] > 150 && p[1] < 80 && p[2] < 80;
    let px_mm = 25.4 / dpi;
    // A rule is a row whose red run is longer than half the page.
    let rows: Vec<(usize, usize, usize)> = (0..h)
        .filter(|y| *y as f64 * px_mm > below_mm)
        .filter_map(|y| {
            let xs: Vec<usize> = (0..w).filter(|x| red(px(*x, y))).collect();
            let (first, last) = (*xs.first()?, *xs.last()?);
            (xs.len() > w / 2).then_some((y, first, last))
        })
        .collect();
    let extent = |(_, a, b): (usize, usize, usize)| (a as f64 * px_mm, (b + 1) as f64 * px_mm);
    [
        extent(*rows.first().expect("a top rule")),
        extent(*rows.last().expect("a bottom rule")),
    ]
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
    let truetype = truetype_cjk_or_skip();
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
        ("flows/fangmen.pdf", 1),
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
            !truetype || !fonts.contains("Type 3"),
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
    // Read from two metres: the board's body text is at least 17 pt (18 pt set), and every
    // board keeps its footer inside the page box (12 mm margins).
    for (height, list) in words(&kit.join("boards/fangmen.pdf")) {
        let word = |w: &str| list.iter().find(|(t, _)| t.contains(w)).map(|(_, b)| *b);
        let duty = word("宣传政策").expect("the duties on every board");
        assert!(
            duty[3] - duty[1] >= 17.0,
            "body text {:.1} pt",
            duty[3] - duty[1]
        );
        let foot = word("坊门街社区党委").expect("the footer on every board");
        assert!(
            foot[3] <= height - mm(12.0),
            "footer at {:.1} of {height:.1}",
            foot[3]
        );
        let ways = word("办理结果都会告诉您").expect("the last line of the board's text");
        assert!(ways[3] <= foot[1], "the text runs into the footer");
    }
    // Each log sheet keeps its note and the office's signature inside the page box, with
    // room to sign below the note.
    for (height, list) in words(&kit.join("logs/fangmen.pdf")) {
        let word = |w: &str| list.iter().find(|(t, _)| t.contains(w)).map(|(_, b)| *b);
        let note = word("敲门日的走访也记在这里").expect("the note");
        let sign = word("社区审核").expect("the signature line");
        assert!(sign[3] <= height - mm(12.0), "signature at {:.1}", sign[3]);
        // (Outlines' boxes are the font's whole box: measured only with real fonts.)
        assert!(!truetype || sign[1] - note[3] >= mm(5.0), "room to sign");
        assert!(
            !list.iter().any(|(t, _)| t.contains('《')),
            "a form, not a book"
        );
    }
    // The letter's double rules: 170 mm, centred on the 210 mm page (GB/T 9704).
    let scratch_rules = tempfile::tempdir().expect("temp dir");
    for (left, right) in red_rules(
        &kit.join("letters/2018-1.pdf"),
        1,
        0.0,
        scratch_rules.path(),
    ) {
        assert!((left - 20.0).abs() < 0.8, "rule starts at {left:.1} mm");
        assert!((right - 190.0).abs() < 0.8, "rule ends at {right:.1} mm");
    }
    let letters = pdftext(&kit.join("letters/2018-1.pdf"));
    assert!(letters.contains("市税务局机关党委") && letters.contains("2018年12月1日"));
    let bulletin = pdftext(&kit.join("bulletins/2018-3/index.pdf"));
    assert!(bulletin.contains("4名红管家") && bulletin.contains("印发"));

    // 3幢 and 7幢 have one steward each: their own page. 5幢 has two: its line on the
    // community page.
    let scratch = tempfile::tempdir().expect("temp dir");
    let codes = qr_codes(&kit.join("boards/fangmen.pdf"), scratch.path());
    assert_eq!(
        codes,
        [
            "https://example.org/fushan/stewards/FM-001.html",
            "https://example.org/fushan/communities/fangmen/index.html#lou-5-zhuang",
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

/// Grid 1 with both channels, grid 2 with its worker only; FM-003's 坊门街第3网格 has no
/// record.
const GRIDS: &str = "\
编号,社区,网格员,网格员电话,物业,业委会
坊门街第1网格,fangmen,蒋松光,13905714323,安居物业 0570-3021226,坊门街小区业委会 0570-3119803
坊门街第2网格,坊门街社区,朱萍凤,13905718422,,
";

#[test]
fn grids_print_their_worker_and_channels_on_boards_cards_and_the_flow_chart_only() {
    let site = kit_site();
    site.write("content/grids.csv", GRIDS);
    let r = print(&site, &[]);
    r.assert_code(0);
    r.assert_line(
        "content/stewards.csv:4: 警告：网格: “坊门街第3网格”不在坊门街社区的网格记录（content/grids）里，公示牌和联户卡上不会印这个网格的网格员、物业和业委会；请在网格记录里加上这个网格，或改成其中一个网格的写法",
    );
    let kit = site.path("print");
    let boards = fs::read_to_string(kit.join("boards/fangmen.html")).expect("boards");
    // 3幢 (FM-001, grid 1) and 5幢 (FM-001 and FM-002, grids 1 and 2).
    assert_eq!(boards.matches("蒋松光").count(), 2, "{boards}");
    assert_eq!(boards.matches("139 0571 4323").count(), 2);
    assert_eq!(boards.matches("安居物业 0570-3021226").count(), 2);
    assert_eq!(boards.matches("坊门街小区业委会 0570-3119803").count(), 2);
    assert_eq!(boards.matches("朱萍凤").count(), 1);
    // The board's footer names the community's party organisation in full.
    assert!(boards.contains("<span>坊门街社区党委</span>"), "{boards}");
    let cards = fs::read_to_string(kit.join("cards/fangmen.html")).expect("cards");
    assert_eq!(
        cards.matches("139 0571 4323").count(),
        8,
        "four cards, two sheets"
    );
    assert!(
        !cards.contains("由他"),
        "no pronoun for a steward of either sex"
    );
    let flow = fs::read_to_string(kit.join("flows/fangmen.html")).expect("flow");
    for want in [
        "蒋松光",
        "139 0571 4323",
        "朱萍凤",
        "139 0571 8422",
        "坊门街第3网格",
    ] {
        assert!(flow.contains(want), "flow chart: {want}");
    }
    assert!(flow.contains("坊门街社区党委") && flow.contains("街道"));
    // Nowhere else, and never on the public site: the worker's phone is private there.
    for (path, text) in texts(&kit) {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let contact = ["boards/fangmen", "cards/fangmen", "flows/fangmen"]
            .iter()
            .any(|p| path.starts_with(p));
        assert_eq!(
            digits.contains("13905714323"),
            contact,
            "{path}: the worker's phone"
        );
    }
    site.build_ok();
    for (path, bytes) in common::tree(&site.path("public")) {
        let text = String::from_utf8_lossy(&bytes);
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        assert!(!digits.contains("13905714323"), "public {path}");
    }
}

#[test]
fn grid_records_are_checked_like_any_other() {
    let site = kit_site();
    site.write(
        "content/grids.csv",
        &format!("{GRIDS}坊门街第1网格,fangmen,李重复,13905710000,,\n第9网格,xinhe,王某,,,\n,fangmen,,,,\n"),
    );
    let r = print(&site, &[]);
    r.assert_code(1);
    r.assert_line(
        "content/grids.csv:4: 编号: \"坊门街第1网格\" 重复，已在第 2 行出现：坊门街社区的每个网格只写一行",
    );
    assert!(
        r.stderr
            .contains("content/grids.csv:5: 社区: \"xinhe\" 不是已登记的社区编号或名称"),
        "{}",
        r.stderr
    );
    r.assert_line("content/grids.csv:6: 编号: 必填，不能为空");
    assert!(!site.path("print").exists());
    // check and build read the same records.
    let root = site.root().to_str().expect("utf-8").to_string();
    run(&["check", "--root", &root]).assert_code(1);
}

#[test]
fn qr_codes_need_a_whole_address_and_build_says_the_feeds_do_too() {
    let site = kit_site();
    site.write(
        "site.toml",
        "title = \"府山街道楼道红管家\"\nbase_url = \"/\"\n",
    );
    let r = print(&site, &[]);
    r.assert_code(1);
    r.assert_line(
        "site.toml:2: base_url: 公示牌和联户卡上的二维码要让居民用手机扫开公开网站上的页面，需要以 http:// 或 https:// 开头的完整网址，现在写的“/”印出来扫不开。请在 site.toml 里把 base_url 写成网站发布后的地址，如 base_url = \"https://example.gov.cn/jiedao/\"，再生成打印材料",
    );
    assert!(!site.path("print").exists());
    let b = site.build(&[]);
    b.assert_code(0);
    assert!(
        b.stderr
            .contains("site.toml:2: 警告：base_url: “/”不是完整的网址：sitemap.xml 和 atom.xml"),
        "{}",
        b.stderr
    );
    // A path under a whole address is fine, and build says nothing.
    site.write("site.toml", common::SITE_TOML);
    let b = site.build(&[]);
    b.assert_code(0);
    assert!(!b.stderr.contains("base_url"), "{}", b.stderr);
}

#[test]
fn one_community_s_kit_and_a_community_that_is_not_there() {
    let site = kit_site();
    let r = print(&site, &["--community", "坊门街社区"]);
    r.assert_code(0);
    let kit = site.path("print-fangmen");
    for want in [
        "boards/fangmen.html",
        "cards/fangmen.html",
        "logs/fangmen.html",
        "flows/fangmen.html",
        "index.html",
    ] {
        assert!(kit.join(want).is_file(), "{want}");
    }
    for not in ["boards/shuiting.html", "letters", "bulletins"] {
        assert!(!kit.join(not).exists(), "{not}");
    }
    assert!(
        !site.path("print").exists(),
        "the whole kit's folder is left alone"
    );
    let r = print(&site, &["--community", "fangmne"]);
    r.assert_code(1);
    r.assert_line(
        "--community: “fangmne”不是已登记的社区编号或名称。是不是 fangmen（坊门街社区）？",
    );
}

#[test]
fn a_building_s_wechat_group_code_from_static_is_printed_on_its_board_and_cards() {
    let site = kit_site();
    site.write_bytes("static/wechat/fangmen/3幢.png", b"\x89PNG\r\n\x1a\n a code");
    site.write_bytes(
        "static/wechat/fangmen/99幢.png",
        b"\x89PNG\r\n\x1a\n no such building",
    );
    print(&site, &[]).assert_code(0);
    let kit = site.path("print");
    assert_eq!(
        count(&kit, "boards/", "src=\"../wechat/fangmen/3幢.png\""),
        1
    );
    assert_eq!(
        count(&kit, "cards/", "src=\"../wechat/fangmen/3幢.png\""),
        4
    );
    assert!(kit.join("wechat/fangmen/3幢.png").is_file());
    assert!(
        !kit.join("wechat/fangmen/99幢.png").exists(),
        "only what is printed"
    );
    let flow = fs::read_to_string(kit.join("flows/fangmen.html")).expect("flow");
    assert!(flow.contains("楼道微信群"));
    let other = fs::read_to_string(kit.join("flows/shuiting.html")).expect("flow");
    assert!(!other.contains("微信群"), "no group, not mentioned");
}

#[test]
fn letters_take_their_place_words_from_the_settings() {
    let site = kit_site();
    print(&site, &[]).assert_code(0);
    let letters = fs::read_to_string(site.path("print/letters/2018-1.html")).expect("letters");
    assert!(!letters.contains("老城区"), "{letters}");
    assert!(
        letters.contains("为坊门街社区的基层治理出了力"),
        "{letters}"
    );
    site.write(
        "site.toml",
        &format!("{}[subdistrict]\nname = \"柯城街道\"\n", common::SITE_TOML),
    );
    print(&site, &[]).assert_code(0);
    let letters = fs::read_to_string(site.path("print/letters/2018-1.html")).expect("letters");
    assert!(
        letters.contains("居住在柯城街道坊门街社区的在职党员")
            && letters.contains("为柯城街道的基层治理出了力"),
        "{letters}"
    );
}
