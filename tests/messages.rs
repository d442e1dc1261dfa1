//! How messages are printed: plain `path:line: message` lines off a terminal, the source
//! line and a caret with colour on one, `--quiet` and `--verbose`, and JSON lines for
//! editors and CI.

mod common;

use common::{Site, run_env};
use serde_json::Value;

/// A site with one warning (a file the program does not know) and, in `site.toml`, one
/// TOML error at line 4, column 8 (the unquoted 府).
fn site_with_problems() -> Site {
    let site = Site::basic();
    site.write("content/notes.txt", "随手记\n");
    site.write(
        "site.toml",
        &format!("{}[subdistrict]\nname = 府山街道\n", common::SITE_TOML),
    );
    site
}

fn root(site: &Site) -> &str {
    site.root().to_str().expect("utf-8 path")
}

#[test]
fn check_format_json_prints_every_diagnostic_as_one_json_line() {
    let site = site_with_problems();
    let out = run_env(&["check", "--root", root(&site), "--format", "json"], &[]);
    out.assert_code(1);
    let lines: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert_eq!(
        lines,
        vec![
            serde_json::json!({
                "path": "content/notes.txt", "line": 1, "column": null,
                "severity": "warning", "message": "不认识的文件或文件夹，已忽略"
            }),
            serde_json::json!({
                "path": "site.toml", "line": 4, "column": 8,
                "severity": "error", "message": "name: 文字两边要加英文双引号：请写成 name = \"府山街道\""
            }),
        ]
    );
    assert_eq!(out.stderr, "", "nothing but JSON for a tool to read");
}

#[test]
fn check_format_json_prints_warnings_of_a_sound_site_and_succeeds() {
    let site = Site::basic();
    site.write("content/notes.txt", "随手记\n");
    let out = run_env(&["check", "--root", root(&site), "--format", "json"], &[]);
    out.assert_code(0);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(out.stdout.contains("\"severity\":\"warning\""));
}

#[test]
fn check_format_json_locates_a_template_error_like_a_record_error() {
    let site = Site::basic();
    site.write(
        "templates/index.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ stats.stewards | nosuchfilter }}\n{% endblock content %}",
    );
    let out = run_env(&["check", "--root", root(&site), "--format", "json"], &[]);
    out.assert_code(1);
    let first: Value = serde_json::from_str(out.stdout.lines().next().expect("a line"))
        .unwrap_or_else(|e| panic!("{}: {e}", out.stdout));
    assert_eq!(first["path"], "templates/index.html", "{}", out.stdout);
    assert_eq!(first["line"], 3, "{}", out.stdout);
    assert_eq!(first["severity"], "error");
    assert!(
        first["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("模板错误")),
        "{}",
        out.stdout
    );
}

#[test]
fn off_a_terminal_each_problem_is_one_plain_line() {
    let site = site_with_problems();
    let out = run_env(&["check", "--root", root(&site)], &[]);
    out.assert_code(1);
    out.assert_line("site.toml:4: name: 文字两边要加英文双引号：请写成 name = \"府山街道\"");
    out.assert_line("content/notes.txt:1: 警告：不认识的文件或文件夹，已忽略");
    assert!(!out.stderr.contains('\u{1b}'), "no colour codes in a pipe");
}

#[test]
fn on_a_terminal_the_source_line_is_shown_with_a_caret_at_the_column() {
    let site = site_with_problems();
    let out = run_env(
        &["check", "--root", root(&site)],
        &[("CLICOLOR_FORCE", "1")],
    );
    out.assert_code(1);
    assert!(out.stderr.contains('\u{1b}'), "coloured: {}", out.stderr);
    let plain = strip_ansi(&out.stderr);
    let lines: Vec<&str> = plain.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.ends_with("--> site.toml:4:8"))
        .unwrap_or_else(|| panic!("{plain}"));
    assert_eq!(
        lines[at - 1],
        "错误: name: 文字两边要加英文双引号：请写成 name = \"府山街道\""
    );
    assert_eq!(lines[at + 2], "4 | name = 府山街道");
    // "name = " is 7 cells; 府 is two cells wide, so two carets.
    assert_eq!(lines[at + 3], "  |        ^^");
}

#[test]
fn no_color_keeps_plain_lines_even_when_colour_is_forced() {
    let site = site_with_problems();
    let out = run_env(
        &["check", "--root", root(&site)],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    out.assert_code(1);
    assert!(!out.stderr.contains('\u{1b}'));
    out.assert_line("site.toml:4: name: 文字两边要加英文双引号：请写成 name = \"府山街道\"");
}

#[test]
fn quiet_prints_errors_only() {
    let site = Site::basic();
    site.write("content/notes.txt", "随手记\n");
    let out = run_env(&["--quiet", "build", "--root", root(&site)], &[]);
    out.assert_code(0);
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", ""));

    let site = site_with_problems();
    let out = run_env(&["check", "-q", "--root", root(&site)], &[]);
    out.assert_code(1);
    out.assert_line("site.toml:4: name: 文字两边要加英文双引号：请写成 name = \"府山街道\"");
    assert!(!out.stderr.contains("不认识的文件"), "{}", out.stderr);
}

#[test]
fn verbose_adds_the_time_of_each_stage() {
    let site = Site::basic();
    let out = run_env(&["build", "--verbose", "--root", root(&site)], &[]);
    out.assert_code(0);
    assert!(
        out.stderr.contains("阶段 读取+检查+统计: "),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("已生成"), "{}", out.stdout);
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn a_front_matter_syntax_error_is_located_to_the_character() {
    let site = Site::basic();
    site.write(
        "content/bulletins/2018-61.md",
        "+++\ntitle = \"楼道里的红管家\"\nissue = 六十一\n+++\n\n正文。\n",
    );
    let out = run_env(&["check", "--root", root(&site), "--format", "json"], &[]);
    out.assert_code(1);
    let first: Value = serde_json::from_str(out.stdout.lines().next().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}: {}", out.stdout));
    assert_eq!(first["path"], "content/bulletins/2018-61.md");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(3), Some(9))
    );
    assert!(
        first["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("设置部分："))
    );
}
