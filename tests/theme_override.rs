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

#[test]
fn a_site_can_override_just_the_footer_partial_as_docs_templates_md_shows() {
    let dir = tempfile::tempdir().expect("temp dir");
    site_with(
        dir.path(),
        "[footer]\nhost = \"示例街道党工委\"\nphone = \"0570-0000000\"\nsite_code = \"0000000000\"\nicp = \"示ICP备00000000号\"\npolice = \"示公网安备 00000000000000号\"",
    );
    // The example of docs/templates.md, as written there.
    let docs = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/templates.md"))
        .expect("docs/templates.md");
    let start = docs
        .find("`templates/partials/footer.html`：\n\n```html\n")
        .expect("example");
    let example = &docs[start..];
    let example = &example[example.find("```html\n").expect("fence") + 8..];
    let example = &example[..example.find("```").expect("end of example")];
    write(dir.path(), "templates/partials/footer.html", example);
    let out = build(dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for page in [
        "index.html",
        "communities/east/index.html",
        "cases/index.html",
    ] {
        let html = fs::read_to_string(dir.path().join("public").join(page)).expect(page);
        assert!(
            html.contains("<p>示例街道党工委 主办 · 联系电话 0570-0000000</p>"),
            "{page}: {html}"
        );
        assert!(html.contains("recordcode=00000000000000\">示公网安备 00000000000000号</a>"));
        // The built-in footer's own lines are gone; the rest of the theme is unchanged.
        assert!(!html.contains("居民个人信息不在本站公开"), "{page}");
        assert!(html.contains("跳到正文"));
    }
}
