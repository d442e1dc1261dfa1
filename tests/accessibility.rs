//! Every page kind of the sample site passes axe-core (WCAG 2.1 A and AA) in headless
//! Chromium with no serious or critical violation, at desktop and phone widths and in
//! 大字版; nothing is cut off at 200% zoom; the keyboard reaches a visible 跳到正文 first,
//! and the 大字版 switch is remembered. The checks are `tests/a11y/axe.mjs`; `.ci/run`
//! installs its npm packages (`npm ci --prefix tests/a11y`). Elsewhere the test says it
//! was skipped when Node, the packages or Chromium are missing, except under CI.

use std::path::Path;
use std::process::Command;

mod common;

fn ready(a11y: &Path) -> bool {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let packages = a11y.join("node_modules/axe-core").is_dir()
        && a11y.join("node_modules/puppeteer-core").is_dir();
    let chromium =
        Path::new("/usr/bin/chromium").exists() || std::env::var_os("CHROMIUM").is_some();
    let present = node && packages && chromium;
    if !present {
        assert!(
            std::env::var_os("CI").is_none(),
            "node, chromium and tests/a11y/node_modules are required under CI (.ci/run installs them)"
        );
        eprintln!(
            "skipped: needs node, chromium and `npm ci --prefix tests/a11y` (node: {node}, packages: {packages}, chromium: {chromium})"
        );
    }
    present
}

#[test]
fn every_page_kind_passes_axe_and_the_keyboard_checks() {
    let a11y = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/a11y");
    if !ready(&a11y) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let site = common::build_sample(dir.path());
    let mut pages: Vec<&str> = common::SAMPLE_PAGE_KINDS.to_vec();
    pages.push("cases/category/ting-che/index.html");
    let out = Command::new("node")
        .arg(a11y.join("axe.mjs"))
        .arg(&site)
        .args(&pages)
        .output()
        .expect("run node");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains(&format!(
            "axe: {} pages, 0 serious or critical violations",
            pages.len()
        )),
        "{report}"
    );
}
