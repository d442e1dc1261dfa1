//! A rebuild redoes only what changed, and ends exactly where a clean build into an empty
//! folder would: the same files, the same bytes. It says how many files it wrote, and
//! with `-v` which ones. Whatever it keeps, the leak guard still vouches for.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use common::{Run, Site, tree};

/// The paths a `-v` build lists as written.
fn written(run: &Run) -> BTreeSet<String> {
    run.stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("写入 "))
        .map(str::to_string)
        .collect()
}

/// `写入 N 个文件` from the result line.
fn written_count(run: &Run) -> usize {
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("已生成"))
        .unwrap_or_else(|| panic!("no result line: {}", run.stdout));
    let n = line
        .split("写入 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no count: {line}"));
    n.parse().expect("a number")
}

/// The site as a clean build into an empty folder makes it.
fn clean_build(site: &Site) -> BTreeMap<String, Vec<u8>> {
    let fresh = tempfile::tempdir().expect("temp dir");
    let out = fresh.path().join("public");
    site.build(&["--output", out.to_str().expect("utf-8")])
        .assert_code(0);
    tree(&out)
}

/// The files whose bytes differ between two trees, or that only one has.
fn differing(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> BTreeSet<String> {
    a.keys()
        .chain(b.keys())
        .filter(|p| a.get(*p) != b.get(*p))
        .cloned()
        .collect()
}

#[test]
fn an_unchanged_rebuild_writes_nothing() {
    let site = Site::sample();
    let first = site.build(&["-v"]);
    first.assert_code(0);
    let before = tree(&site.path("public"));
    assert_eq!(
        written_count(&first),
        before.len() - 1,
        "all but the marker"
    );

    let again = site.build(&["-v"]);
    again.assert_code(0);
    assert_eq!(written_count(&again), 0, "{}", again.stdout);
    assert!(written(&again).is_empty());
    assert_eq!(tree(&site.path("public")), before);
}

#[test]
fn a_renamed_steward_rewrites_only_the_files_that_show_the_name() {
    let site = Site::sample();
    site.build_ok();
    let before = tree(&site.path("public"));
    let stewards = site.read("content/stewards.csv");
    assert!(
        stewards.contains("\nDM-001,鲁雪,"),
        "the sample's first steward"
    );
    site.write(
        "content/stewards.csv",
        &stewards.replacen("\nDM-001,鲁雪,", "\nDM-001,鲁雪梅,", 1),
    );

    let run = site.build(&["-v"]);
    run.assert_code(0);
    let after = tree(&site.path("public"));
    assert_eq!(after, clean_build(&site), "the same as a clean build");

    // Exactly the files whose bytes changed: the steward's page, their community's
    // page, the search index that finds them by name; nothing else.
    let changed = differing(&before, &after);
    assert_eq!(written(&run), changed);
    assert_eq!(written_count(&run), changed.len());
    for path in ["stewards/DM-001.html", "communities/dongmenjie/index.html"] {
        assert!(changed.contains(path), "{path} shows the name: {changed:?}");
    }
    assert!(
        changed.len() * 50 < after.len(),
        "a few files of {}: {changed:?}",
        after.len()
    );
    for path in &changed {
        if let Some(bytes) = after.get(path) {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains("鲁雪,") && !text.contains("\"鲁雪\""),
                "{path} still shows the old name"
            );
        }
    }
}

#[test]
fn a_template_change_rewrites_every_page() {
    let site = Site::sample();
    site.build_ok();
    let before = tree(&site.path("public"));
    let base = fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html"),
    )
    .expect("the default base template");
    site.write(
        "templates/base.html",
        &base.replacen("</body>", "<!-- 改过的模板 --></body>", 1),
    );

    let run = site.build(&["-v"]);
    run.assert_code(0);
    let after = tree(&site.path("public"));
    assert_eq!(after, clean_build(&site));
    let pages: BTreeSet<&String> = before
        .keys()
        .filter(|p| {
            p.ends_with(".html")
                && String::from_utf8_lossy(&before[*p]).contains("</body>")
                && !String::from_utf8_lossy(&before[*p]).contains("http-equiv=\"refresh\"")
        })
        .collect();
    assert!(pages.len() > 100);
    let changed = differing(&before, &after);
    for page in pages {
        assert!(changed.contains(page), "{page} was not rewritten");
    }
    // `-v` lists the first 50; the count is all of them.
    assert_eq!(written_count(&run), changed.len());
    assert_eq!(written(&run).len(), 50);
}

#[test]
fn a_file_deleted_or_edited_in_the_output_is_made_again() {
    let site = Site::sample();
    site.build_ok();
    let before = tree(&site.path("public"));
    site.remove("public/stewards/DM-001.html");
    site.write("public/communities/dongmenjie/index.html", "手工改过");
    // The same size as before, so only the file's stamp tells.
    let css = site.path("public/assets/style.css");
    let mut same_size = fs::read(&css).expect("css");
    same_size[0] = b' ';
    fs::write(&css, &same_size).expect("write");

    let run = site.build(&["-v"]);
    run.assert_code(0);
    assert_eq!(tree(&site.path("public")), before);
    assert_eq!(
        written(&run),
        BTreeSet::from(
            [
                "assets/style.css",
                "communities/dongmenjie/index.html",
                "stewards/DM-001.html"
            ]
            .map(String::from)
        )
    );
}

/// A Chinese date (`2018年2月10日`) that a steward's page shows but the records never
/// write as such (they write `2018-02-10`): the page and the path.
fn shown_date(output: &BTreeMap<String, Vec<u8>>) -> (String, String) {
    for (path, bytes) in output {
        if !path.starts_with("stewards/") {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        for (i, _) in text.match_indices('年') {
            let Some(year) = i.checked_sub(4).and_then(|start| text.get(start..i)) else {
                continue;
            };
            let rest = &text[i..];
            let Some(end) = rest.find('日').filter(|e| *e < 16) else {
                continue;
            };
            if year.bytes().all(|b| b.is_ascii_digit()) {
                let date = format!("{year}{}", &rest[..end + '日'.len_utf8()]);
                return (date, path.clone());
            }
        }
    }
    panic!("no steward page shows a date");
}

#[test]
fn a_rule_new_to_the_guard_is_checked_on_every_kept_page() {
    let site = Site::sample();
    site.build_ok();
    let before = tree(&site.path("public"));
    let manifest = site.read(".public.hongguanjia-manifest");
    let (date, page) = shown_date(&before);

    // A private note that happens to read like a date on a page. No page shows notes,
    // so every page is kept as it was; only the guard's rules changed.
    let visits = "content/visits/2018-01.csv";
    let text = site.read(visits);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(lines[0].ends_with(",备注") && lines[1].ends_with(','));
    lines[1].push_str(&date);
    site.write(visits, &(lines.join("\n") + "\n"));

    let run = site.build(&[]);
    run.assert_code(1);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with(&format!("{visits}:2: 备注:"))
                && l.contains(&format!("出现在了生成的 {page} 里"))),
        "{}",
        run.stderr
    );
    // Stopped: the output and its manifest are as they were.
    assert_eq!(tree(&site.path("public")), before);
    assert_eq!(site.read(".public.hongguanjia-manifest"), manifest);
    // A clean build finds the same leak: it is one.
    let fresh = tempfile::tempdir().expect("temp dir");
    site.build(&["--output", fresh.path().join("p").to_str().expect("utf-8")])
        .assert_code(1);
}

#[test]
fn a_page_no_longer_made_is_removed() {
    let site = Site::sample();
    site.build_ok();
    let bulletins: Vec<String> = fs::read_dir(site.path("content/bulletins"))
        .expect("the sample's bulletins")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    let last = bulletins.iter().max().expect("a bulletin");
    site.remove(&format!("content/bulletins/{last}"));

    let run = site.build(&["-v"]);
    run.assert_code(0);
    assert_eq!(tree(&site.path("public")), clean_build(&site));
    assert!(
        run.stderr
            .lines()
            .any(|l| l.trim_start().starts_with("删除 ")),
        "{}",
        run.stderr
    );
}
