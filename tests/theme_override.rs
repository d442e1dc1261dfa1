//! The default theme is built into the binary; a site's own `templates/` and
//! `themes/<name>/` override its files by name, and template errors name the file and line.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn site_with(dir: &Path, theme_line: &str) {
    let copy = |rel: &str| {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/minimal")
            .join(rel);
        let to = dir.join(rel);
        fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        fs::copy(from, to).expect("copy fixture");
    };
    for f in [
        "content/communities.csv",
        "content/stewards.csv",
        "content/visits.csv",
        "content/cases.csv",
    ] {
        copy(f);
    }
    fs::write(
        dir.join("site.toml"),
        format!("title = \"示例\"\nbase_url = \"https://example.org/\"\n{theme_line}\n"),
    )
    .expect("site.toml");
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

fn build(dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hongguanjia"))
        .args(["build", "--root"])
        .arg(dir)
        .output()
        .expect("run hongguanjia")
}

#[test]
fn a_sites_templates_override_the_built_in_theme() {
    let dir = tempfile::tempdir().expect("temp dir");
    site_with(dir.path(), "");
    write(
        dir.path(),
        "templates/index.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"own\">共 {{ stats.stewards }} 名</p>{% endblock content %}",
    );
    write(dir.path(), "static/assets/extra.txt", "own file");
    let out = build(dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let home = fs::read_to_string(dir.path().join("public/index.html")).expect("index");
    assert!(home.contains("<p id=\"own\">共 3 名</p>"), "{home}");
    // Everything else still comes from the built-in theme.
    assert!(home.contains("assets/style.css"));
    assert!(dir.path().join("public/assets/style.css").is_file());
    assert!(
        dir.path()
            .join("public/communities/east/index.html")
            .is_file()
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("public/assets/extra.txt")).expect("static"),
        "own file"
    );
}

#[test]
fn a_named_theme_overrides_file_by_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    site_with(dir.path(), "theme = \"plain\"");
    write(
        dir.path(),
        "themes/plain/static/assets/style.css",
        "body { color: black; }\n",
    );
    let out = build(dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let css = fs::read_to_string(dir.path().join("public/assets/style.css")).expect("css");
    assert_eq!(css, "body { color: black; }\n");
    assert!(dir.path().join("public/index.html").is_file());
}

#[test]
fn a_missing_theme_and_a_broken_template_are_clear_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    site_with(dir.path(), "theme = \"nosuch\"");
    let out = build(dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("site.toml:1: theme: 找不到主题文件夹 themes/nosuch/"),
        "{err}"
    );

    let dir = tempfile::tempdir().expect("temp dir");
    site_with(dir.path(), "");
    write(
        dir.path(),
        "templates/index.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ stats.stewards | nosuchfilter }}\n{% endblock content %}",
    );
    let out = build(dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("templates/index.html:3: 模板错误"), "{err}");
    assert!(
        !dir.path().join("public").exists(),
        "nothing may be written"
    );
}
