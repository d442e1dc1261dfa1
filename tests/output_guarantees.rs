//! What a build promises about its output: the same input gives the same bytes, a failed
//! build never touches the previous site, a folder hongguanjia did not make is never
//! replaced without `--force`, nothing is left behind, and private values stay private.

mod common;

use std::fs;
use std::path::Path;

use common::{Site, names_in, read_summary, run, run_in, tree};

/// A folder in a temp dir, to build into.
fn elsewhere() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("hgj-out-")
        .tempdir()
        .expect("temp dir")
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Writes files that are not hongguanjia's into `dir`.
fn foreign_site(dir: &Path) {
    fs::create_dir_all(dir.join("notes")).expect("mkdir");
    fs::write(dir.join("index.html"), "<h1>社区旧网站</h1>\n").expect("write");
    fs::write(dir.join("notes/readme.txt"), "手工维护的页面，请勿删除\n").expect("write");
}

#[test]
fn two_builds_of_the_same_input_are_byte_identical() {
    let site = Site::fixture("every-kind-csv");
    site.build_ok();
    let first = tree(&site.path("public"));
    assert!(first.contains_key("data/summary.json"));
    assert!(first.contains_key("index.html"));
    assert!(
        first.contains_key(".hongguanjia"),
        "the marker of a built site"
    );

    // Again, over the previous output.
    site.build_ok();
    let second = tree(&site.path("public"));
    // And into a fresh folder somewhere else.
    let out = elsewhere();
    let third_dir = out.path().join("site");
    site.build(&["--output", path_str(&third_dir)])
        .assert_code(0);
    let third = tree(&third_dir);

    for (name, other) in [("rebuild", &second), ("--output", &third)] {
        assert_eq!(
            first.keys().collect::<Vec<_>>(),
            other.keys().collect::<Vec<_>>(),
            "{name}: same files"
        );
        for (path, bytes) in &first {
            assert!(other[path] == *bytes, "{name}: {path} differs");
        }
    }
}

#[test]
fn the_same_records_in_csv_and_toml_build_the_same_site() {
    let csv = Site::fixture("every-kind-csv");
    let toml = Site::fixture("every-kind-toml");
    csv.build_ok();
    toml.build_ok();
    let a = tree(&csv.path("public"));
    let b = tree(&toml.path("public"));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(
            b[path] == *bytes,
            "{path} differs between CSV and TOML input"
        );
    }
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_for_byte() {
    let site = Site::fixture("every-kind-csv");
    site.build_ok();
    let before = tree(&site.path("public"));
    let names_before = names_in(site.root());

    // New records, one of them wrong.
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n2018-12-21,FM-001,5\n2018-12-22,FM-002,五\n",
    );
    let out = site.build(&[]);
    out.assert_code(1);
    out.assert_line("content/visits.csv:3: 户数: \"五\" 不是整数，请写阿拉伯数字，如 5");
    assert_eq!(tree(&site.path("public")), before);
    assert_eq!(
        names_in(site.root()),
        names_before,
        "nothing left beside it"
    );

    // Refused at the last step, after everything rendered: still untouched.
    fs::remove_file(site.path("public/.hongguanjia")).expect("rm marker");
    let before = tree(&site.path("public"));
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n2018-12-21,FM-001,5\n",
    );
    site.build(&[]).assert_code(1);
    assert_eq!(tree(&site.path("public")), before);
    assert_eq!(names_in(site.root()), names_before);
}

#[test]
fn output_elsewhere() {
    let site = Site::basic();
    let out = elsewhere();
    let target = out.path().join("www/fushan");
    let run = site.build(&["--output", path_str(&target)]);
    run.assert_code(0);
    assert!(
        run.stdout.contains(path_str(&target)),
        "says where: {}",
        run.stdout
    );
    assert_eq!(
        common::num(&read_summary(&target), "/households_visited"),
        9
    );
    assert!(!site.path("public").exists(), "nothing in the site folder");
    assert_eq!(names_in(site.root()), ["content", "site.toml"]);
    assert_eq!(names_in(out.path()), ["www"]);
    // Beside the output, never in it: what the next build needs to redo only what changed.
    assert_eq!(
        names_in(&out.path().join("www")),
        [".fushan.hongguanjia-manifest", "fushan"]
    );
}

#[test]
fn default_root_and_relative_output_are_taken_from_the_working_folder() {
    let site = Site::basic();
    run_in(site.root(), &["build"]).assert_code(0);
    assert!(site.path("public/data/summary.json").is_file());

    run_in(site.root(), &["build", "--output", "dist"]).assert_code(0);
    assert_eq!(
        tree(&site.path("dist")),
        tree(&site.path("public")),
        "the same site wherever it goes"
    );
    assert_eq!(
        names_in(site.root()),
        [
            ".dist.hongguanjia-manifest",
            ".public.hongguanjia-manifest",
            "content",
            "dist",
            "public",
            "site.toml"
        ]
    );

    let out = run_in(site.root(), &["check"]);
    out.assert_code(0);
    assert!(out.stdout.starts_with("检查通过："), "{}", out.stdout);
}

#[test]
fn a_folder_not_made_by_hongguanjia_is_refused_unless_forced() {
    let site = Site::basic();
    let out = elsewhere();
    let target = out.path().join("www");
    foreign_site(&target);
    let before = tree(&target);

    let run = site.build(&["--output", path_str(&target)]);
    run.assert_code(1);
    run.assert_line(&format!(
        "{}: 输出文件夹里已有不是 hongguanjia 生成的文件，为免误删，已停止构建。请换一个输出文件夹，或确认可以覆盖后加上 --force",
        target.display()
    ));
    run.assert_line("原有的输出保持不变。");
    assert_eq!(tree(&target), before, "its files are untouched");
    assert_eq!(names_in(out.path()), ["www"], "nothing left beside it");

    // The site's own public/ too, when the user made it.
    foreign_site(&site.path("public"));
    let before_public = tree(&site.path("public"));
    site.build(&[]).assert_code(1);
    assert_eq!(tree(&site.path("public")), before_public);

    // A file where the folder should be.
    let file = out.path().join("site.html");
    fs::write(&file, "<p>旧版</p>\n").expect("write");
    site.build(&["--output", path_str(&file)]).assert_code(1);
    assert_eq!(
        fs::read(&file).expect("read"),
        b"<p>\xe6\x97\xa7\xe7\x89\x88</p>\n"
    );

    // --force replaces the whole folder.
    let run = site.build(&["--output", path_str(&target), "--force"]);
    run.assert_code(0);
    assert!(target.join("data/summary.json").is_file());
    assert!(target.join(".hongguanjia").is_file());
    assert!(!target.join("notes").exists(), "replaced as a whole");
    assert_ne!(
        fs::read(target.join("index.html")).expect("read"),
        before["index.html"]
    );
    assert_eq!(
        names_in(out.path()),
        [".www.hongguanjia-manifest", "site.html", "www"]
    );
    // From now on it is hongguanjia's: no --force needed.
    site.build(&["--output", path_str(&target)]).assert_code(0);
}

#[test]
fn an_existing_empty_folder_is_accepted() {
    let site = Site::basic();
    let out = elsewhere();
    let target = out.path().join("www");
    fs::create_dir(&target).expect("mkdir");
    site.build(&["--output", path_str(&target)]).assert_code(0);
    assert!(target.join("data/summary.json").is_file());

    fs::create_dir(site.path("public")).expect("mkdir");
    site.build_ok();
    assert!(site.path("public/index.html").is_file());
}

#[test]
fn no_staging_folder_is_left_behind() {
    let site = Site::basic();
    // A staging folder from a build that was killed half-way.
    fs::create_dir_all(site.path(".public.hongguanjia-new/data")).expect("mkdir");
    fs::write(site.path(".public.hongguanjia-new/data/x.json"), "{").expect("write");

    site.build_ok();
    let built = [
        ".public.hongguanjia-manifest",
        "content",
        "public",
        "site.toml",
    ];
    assert_eq!(names_in(site.root()), built);
    assert!(
        !site.path("public/data/x.json").exists(),
        "the leftover was not built upon"
    );
    // A rebuild puts the new site in and removes the old one.
    site.build_ok();
    assert_eq!(names_in(site.root()), built);
    // A failed build leaves nothing either.
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n2018-12-21,FM-001,五\n",
    );
    site.build(&[]).assert_code(1);
    assert_eq!(names_in(site.root()), built);

    let out = elsewhere();
    let target = out.path().join("www");
    Site::basic()
        .build(&["--output", path_str(&target)])
        .assert_code(0);
    Site::basic()
        .build(&["--output", path_str(&target)])
        .assert_code(0);
    assert_eq!(names_in(out.path()), [".www.hongguanjia-manifest", "www"]);
    foreign_site(&out.path().join("other"));
    Site::basic()
        .build(&["--output", path_str(&out.path().join("other"))])
        .assert_code(1);
    assert_eq!(
        names_in(out.path()),
        [".www.hongguanjia-manifest", "other", "www"]
    );
}

/// The forms a text may take in an output file: as is, as JSON escapes, as HTML entities.
fn forms(value: &str) -> Vec<String> {
    let json: String = value
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("\\u{:04x}", c as u32)
            }
        })
        .collect();
    let entities: String = value
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("&#{};", c as u32)
            }
        })
        .collect();
    let hex_entities: String = value
        .chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("&#x{:x};", c as u32)
            }
        })
        .collect();
    vec![
        value.to_string(),
        json.clone(),
        json.to_uppercase().replace("\\U", "\\u"),
        entities,
        hex_entities,
    ]
}

#[test]
fn private_values_never_appear_in_any_output_file() {
    // Phones, residents, visit notes and case details of the fixtures, and the full name
    // of the steward who chose 公开 = 否.
    let private = [
        "13905701111",
        "13905702222",
        "13705703333",
        "13705704444",
        "钱桂兰",
        "孙志强",
        "李秀珍",
        "陈德胜",
        "王阿婆独居",
        "腿脚不便",
        "2幢东侧路灯不亮",
        "纸箱堵住了一楼消防通道",
        "晚上有车停在消防通道上",
        "郑卫国",
    ];
    for fixture in ["every-kind-csv", "every-kind-toml"] {
        let site = Site::fixture(fixture);
        // The values are really in the input.
        let input: String = tree(&site.path("content"))
            .values()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect();
        for value in private {
            assert!(input.contains(value), "{fixture} holds {value}");
        }
        site.build_ok();
        let output = tree(&site.path("public"));
        let all: String = output
            .values()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect();
        assert!(all.contains("坊门街社区"), "the scan reads the text");
        for (file, bytes) in &output {
            let text = String::from_utf8_lossy(bytes);
            for value in private {
                for form in forms(value) {
                    assert!(
                        !text.contains(&form),
                        "{fixture}: {file} publishes the private {value} (as {form})"
                    );
                }
            }
        }
    }
}

/// Unchanged files are linked from the previous site rather than written again; a file
/// someone edited by hand in the output is still replaced by what the records say.
#[test]
fn a_rebuild_reuses_unchanged_files_but_never_an_edited_one() {
    let site = Site::basic();
    site.build_ok();
    let first = tree(&site.path("public"));
    site.write("public/index.html", "edited by hand");
    site.write("public/assets/style.css", "body{}");
    site.build_ok();
    assert_eq!(tree(&site.path("public")), first);
    // The rebuilt site still stands alone: deleting the old one left it whole.
    site.build_ok();
    assert_eq!(tree(&site.path("public")), first);
}

/// Pages are rendered and written in parallel; the result does not depend on it. The
/// sample has more stewards than one render batch holds, so its pages come in several
/// batches.
#[test]
fn a_parallel_build_equals_a_single_threaded_one() {
    let fixture = Site::fixture("every-kind-csv");
    let sample = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for root in [fixture.root(), sample.as_path()] {
        let one = tempfile::tempdir().expect("temp dir");
        let many = tempfile::tempdir().expect("temp dir");
        for (dir, threads) in [(&one, "1"), (&many, "4")] {
            let out = dir.path().join("public");
            let status = std::process::Command::new(env!("CARGO_BIN_EXE_hongguanjia"))
                .args(["build", "--root"])
                .arg(root)
                .arg("--output")
                .arg(&out)
                .env("RAYON_NUM_THREADS", threads)
                .status()
                .expect("run");
            assert!(status.success());
        }
        let (one, many) = (
            tree(&one.path().join("public")),
            tree(&many.path().join("public")),
        );
        assert_eq!(one, many, "{}", root.display());
    }
}

/// `build -v` says how many files and bytes each kind of output took, largest first; the
/// kinds add up to everything written but the output folder's marker.
#[test]
fn a_verbose_build_reports_bytes_per_kind_of_output() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("public");
    let run = run(&[
        "build",
        "-v",
        "--root",
        env!("CARGO_MANIFEST_DIR"),
        "--output",
        out.to_str().expect("UTF-8 temp path"),
    ]);
    run.assert_code(0);
    let kinds: Vec<(String, usize, u64)> = run
        .stderr
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("输出 ")?;
            let (kind, rest) = rest.split_once(": ")?;
            let (files, rest) = rest.split_once(" 个文件，")?;
            let (bytes, _) = rest.split_once(" 字节")?;
            Some((kind.to_string(), files.parse().ok()?, bytes.parse().ok()?))
        })
        .collect();
    let written = tree(&out);
    let stewards = written
        .keys()
        .filter(|p| p.starts_with("stewards/"))
        .count();
    let steward_bytes: usize = written
        .iter()
        .filter(|(p, _)| p.starts_with("stewards/"))
        .map(|(_, b)| b.len())
        .sum();
    assert_eq!(
        kinds[0],
        ("红管家页".to_string(), stewards, steward_bytes as u64),
        "{}",
        run.stderr
    );
    assert!(kinds.windows(2).all(|w| w[0].2 >= w[1].2), "{}", run.stderr);
    let marker = written
        .keys()
        .filter(|p| p.starts_with(".hongguanjia"))
        .count();
    let all_bytes: usize = written
        .iter()
        .filter(|(p, _)| !p.starts_with(".hongguanjia"))
        .map(|(_, b)| b.len())
        .sum();
    assert_eq!(
        kinds.iter().map(|k| k.1).sum::<usize>(),
        written.len() - marker
    );
    assert_eq!(kinds.iter().map(|k| k.2).sum::<u64>(), all_bytes as u64);
}
