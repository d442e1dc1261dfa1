//! A build killed at any moment (kill -9) leaves the previous site whole: the output is
//! either the old site or the new one, never a mix and never missing.

use std::fs;
use std::process::Command;
use std::time::Duration;

mod common;

use common::tree;

#[cfg(unix)]
#[test]
fn a_killed_build_leaves_the_previous_site_whole() {
    let site = common::Site::sample();
    let root = site.root().to_path_buf();
    let config = site.read("site.toml");
    let out = site.path("public");
    let build = || {
        Command::new(env!("CARGO_BIN_EXE_hongguanjia"))
            .args(["build", "--root"])
            .arg(&root)
            .arg("--output")
            .arg(&out)
            .output()
            .expect("run")
    };
    assert!(build().status.success());
    let old = tree(&out);

    // The next build would change every page's title.
    fs::write(
        root.join("site.toml"),
        config.replacen("title = \"", "title = \"新", 1),
    )
    .expect("write");
    for delay_ms in [0u64, 5, 15, 30, 60, 100, 150, 250, 400, 700] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hongguanjia"))
            .args(["build", "--root"])
            .arg(&root)
            .arg("--output")
            .arg(&out)
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = tree(&out);
        if now != old {
            // Only a complete new site may have replaced the old one.
            let fresh = tempfile::tempdir().expect("temp dir");
            let reference = fresh.path().join("public");
            let status = Command::new(env!("CARGO_BIN_EXE_hongguanjia"))
                .args(["build", "--root"])
                .arg(&root)
                .arg("--output")
                .arg(&reference)
                .status()
                .expect("run");
            assert!(status.success());
            assert_eq!(
                now,
                tree(&reference),
                "after a kill at {delay_ms} ms the output is a mix"
            );
            break;
        }
    }
    // Whatever happened, the next build succeeds and cleans up after the killed ones.
    assert!(build().status.success());
    let leftovers: Vec<String> = fs::read_dir(site.root())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        // The manifest beside the output is kept on purpose; staging folders are not.
        .filter(|n| n.contains("hongguanjia") && !n.ends_with("hongguanjia-manifest"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}
