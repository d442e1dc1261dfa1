//! Opens the sample site in headless Chromium: pages load without console messages, and
//! the sample bulletin prints on A4 as a briefing of a few pages. `.ci/run` installs
//! Chromium and poppler; elsewhere the test says it was skipped, except under CI.

use std::path::Path;
use std::process::Command;

mod common;

fn tool(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Whether the browser tools are here; under CI their absence is a failure.
fn tools_present() -> bool {
    let present = tool("chromium") && tool("pdfinfo");
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
