//! Property tests of every reader users' text passes through: whatever the bytes, no
//! panic, and what comes out keeps its promises. `PROPTEST_CASES=20000 cargo test --test
//! fuzz` runs them longer; docs/fuzzing.md records the runs.

use hongguanjia::diagnostics::Diagnostics;
use hongguanjia::parse::{parse_date, parse_whole, scrub, split_front_matter as split, split_list};
use hongguanjia::site::Site;
use proptest::prelude::*;

mod common;

/// Text that looks like what spreadsheets export: Chinese, digits, separators, quotes.
fn cellish() -> impl Strategy<Value = String> {
    prop::string::string_regex("[0-9年月日/.\\-;；、|,\"\\r\\n 幢户张王红管家+X=<>]{0,40}")
        .expect("regex")
}

/// A site folder with the given files, everything else minimal and valid.
fn site_with(files: &[(&str, Vec<u8>)]) -> common::Site {
    let site = common::Site::empty();
    site.write(
        "site.toml",
        "title = \"t\"\nbase_url = \"https://example.org/\"\n",
    );
    site.write("content/communities.csv", "编号,名称\na,甲社区\n");
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\nS1,张三,a,1幢,在册\n",
    );
    site.write("content/visits.csv", "日期,红管家,户数\n2018-01-20,S1,2\n");
    site.write("content/cases.csv", "编号,日期,红管家,类别,事项,状态\n");
    for (rel, bytes) in files {
        site.write_bytes(rel, bytes);
    }
    site
}

/// Loads a site; every problem must come back as a located diagnostic, never a panic.
fn load(dir: &common::Site) {
    let mut diags = Diagnostics::new();
    let site = Site::load(dir.root(), &mut diags);
    for d in diags.sorted() {
        assert!(!d.path.is_empty() && d.line >= 1, "unlocated: {d}");
    }
    assert_eq!(site.is_some(), !diags.has_errors());
}

proptest! {
    #[test]
    fn dates_never_panic_and_round_trip(s in cellish()) {
        if let Some(d) = parse_date(&s) {
            prop_assert_eq!(parse_date(&d.to_string()), Some(d));
        }
    }

    #[test]
    fn any_valid_date_in_every_form_parses(y in 1900u16..2100, m in 1u8..=12, d in 1u8..=28) {
        for s in [
            format!("{y}-{m:02}-{d:02}"),
            format!("{y}/{m}/{d}"),
            format!("{y}.{m:02}.{d:02}"),
            format!("{y}年{m}月{d}日"),
        ] {
            let parsed = parse_date(&s);
            prop_assert!(parsed.is_some(), "{}", s);
        }
    }

    #[test]
    fn lists_hold_no_separators_or_blanks(s in cellish()) {
        for item in split_list(&s) {
            prop_assert!(!item.is_empty());
            prop_assert!(!item.contains([';', '；', '、', '|']));
            prop_assert_eq!(item.trim(), item.as_str());
        }
        let _ = parse_whole(&s);
    }

    #[test]
    fn scrub_leaves_no_mobile_number(prefix in cellish(), n in 0u64..1_000_000_000, second in 3u8..=9, suffix in cellish()) {
        let phone = format!("1{second}{n:09}");
        let text = format!("{prefix}，{phone}，{suffix}");
        let (out, _) = scrub(&text);
        prop_assert!(!out.contains(&phone), "{}", out);
        let (again, found) = scrub(&out);
        prop_assert_eq!(again.as_ref(), out.as_ref());
        prop_assert!(found.is_empty());
    }

    #[test]
    fn front_matter_split_never_panics(s in "(\\+\\+\\+\\n)?[a-z =\"0-9\\n+]{0,60}") {
        if let Some((front, body, line)) = split(&s) {
            prop_assert!(line >= 3);
            prop_assert!(s.len() >= front.len() + body.len());
        }
    }
}

proptest! {
    // Each case builds a site folder on disk: fewer by default, as many as asked for.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_bytes_as_a_csv_file(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        load(&site_with(&[("content/errands.csv", bytes)]));
    }

    #[test]
    fn csv_like_visits(rows in prop::collection::vec(prop::collection::vec(cellish(), 0..6), 0..8)) {
        let mut text = String::from("日期,红管家,户数,楼幢,类型,备注\n");
        for row in rows {
            text.push_str(&row.join(","));
            text.push('\n');
        }
        load(&site_with(&[("content/visits.csv", text.into_bytes())]));
    }

    #[test]
    fn any_text_as_a_toml_file(text in "[\\[\\]a-z_=\"'0-9.\\n {}\\-:TZ,日期]{0,200}") {
        load(&site_with(&[
            ("content/meetings.toml", text.clone().into_bytes()),
            ("content/commendations.toml", text.clone().into_bytes()),
        ]));
    }

    #[test]
    fn any_text_as_a_bulletin(text in "(\\+\\+\\+\\n)?[a-z_=\"0-9\\n {}+\\-\\[\\]]{0,120}(\\n\\+\\+\\+\\n)?[{}a-z. \\n]{0,40}") {
        load(&site_with(&[("content/bulletins/x.md", text.into_bytes())]));
    }
}
