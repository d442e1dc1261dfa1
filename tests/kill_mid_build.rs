//! A build killed at any moment (kill -9) leaves the previous site whole: the output is
//! either the old site or the new one, never a mix and never missing.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

mod common;

use common::tree;

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(from).expect("under");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).expect("mkdir");
        } else {
            fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_killed_build_leaves_the_previous_site_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::create_dir_all(&root).expect("mkdir");
    copy_dir(&repo.join("content"), &root.join("content"));
    let config = fs::read_to_string(repo.join("site.toml")).expect("site.toml");
    fs::write(root.join("site.toml"), &config).expect("write");
    let out = dir.path().join("public");
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
    let leftovers: Vec<String> = fs::read_dir(dir.path())
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("hongguanjia"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}
