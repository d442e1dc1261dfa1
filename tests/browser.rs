//! Opens the sample site in headless Chromium: pages load without console messages, and
//! the sample bulletin prints on A4 as a briefing of a few pages. `.ci/run` installs
//! Chromium and poppler; elsewhere the test says it was skipped, except under CI.

use std::path::Path;
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
