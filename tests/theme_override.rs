//! The default theme is built into the binary; a site's own `templates/` and
//! `themes/<name>/` override its files by name, and template errors name the file and line.

mod common;

use common::Site;

/// The minimal fixture with `theme_line` added to its `site.toml`.
fn site_with(theme_line: &str) -> Site {
    let site = Site::fixture("minimal");
    site.write(
        "site.toml",
        &format!("title = \"示例\"\nbase_url = \"https://example.org/\"\n{theme_line}\n"),
    );
    site
}

#[test]
fn a_sites_templates_override_the_built_in_theme() {
    let site = site_with("");
    site.write(
        "templates/index.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"own\">共 {{ stats.stewards }} 名</p>{% endblock content %}",
    );
    site.write("static/assets/extra.txt", "own file");
    site.build_ok();
    let home = site.read("public/index.html");
    assert!(home.contains("<p id=\"own\">共 3 名</p>"), "{home}");
    // Everything else still comes from the built-in theme.
    assert!(home.contains("assets/style.css"));
    assert!(site.path("public/assets/style.css").is_file());
    assert!(site.path("public/communities/east/index.html").is_file());
    assert_eq!(site.read("public/assets/extra.txt"), "own file");
}

#[test]
fn a_named_theme_overrides_file_by_file() {
    let site = site_with("theme = \"plain\"");
    site.write(
        "themes/plain/static/assets/style.css",
        "body { color: black; }\n",
    );
    site.build_ok();
    assert_eq!(
        site.read("public/assets/style.css"),
        "body { color: black; }\n"
    );
    assert!(site.path("public/index.html").is_file());
}

#[test]
fn a_missing_theme_and_a_broken_template_are_clear_errors() {
    let site = site_with("theme = \"nosuch\"");
    let run = site.build(&[]);
    run.assert_code(1);
    run.assert_line("site.toml:1: theme: 找不到主题文件夹 themes/nosuch/");

    let site = site_with("");
    site.write(
        "templates/index.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ stats.stewards | nosuchfilter }}\n{% endblock content %}",
    );
    let run = site.build(&[]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("templates/index.html:3: 模板错误"),
        "{}",
        run.stderr
    );
    assert!(!site.path("public").exists(), "nothing may be written");
}

#[test]
fn every_broken_template_is_reported_at_once() {
    let site = site_with("");
    // Two syntax errors in two files: both are reported, not only the first.
    site.write(
        "templates/communities.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{% for c in communities %}\n{% endblock content %}",
    );
    site.write(
        "templates/steward.html",
        "{% extends \"base.html\" %}\n{% block content %}{{ steward.name }\n{% endblock content %}",
    );
    let run = site.build(&[]);
    run.assert_code(1);
    let located: Vec<&str> = run
        .err_lines()
        .into_iter()
        .filter(|l| l.contains(": 模板错误："))
        .collect();
    assert!(
        located
            .iter()
            .any(|l| l.starts_with("templates/communities.html:")),
        "{}",
        run.stderr
    );
    assert!(
        located
            .iter()
            .any(|l| l.starts_with("templates/steward.html:2:")),
        "{}",
        run.stderr
    );
    assert!(!site.path("public").exists(), "nothing may be written");
}

#[test]
fn a_misspelt_field_is_named_with_the_nearest_real_one() {
    let site = site_with("");
    // Rendering errors in two templates, each found on its own pages.
    site.write(
        "templates/index.html",
        "{% extends \"base.html\" %}\n{% block content %}\n{{ stats.resolvd }}\n{% endblock content %}",
    );
    site.write(
        "templates/communities.html",
        "{% extends \"base.html\" %}\n{% block content %}\n\n{{ communitiez }}\n{% endblock content %}",
    );
    let run = site.build(&[]);
    run.assert_code(1);
    let lines = run.err_lines();
    let home = lines
        .iter()
        .find(|l| l.starts_with("templates/index.html:3: 模板错误："))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(
        home.contains("没有字段 resolvd。是不是 resolved？"),
        "{home}"
    );
    let list = lines
        .iter()
        .find(|l| l.starts_with("templates/communities.html:4: 模板错误："))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(list.contains("是不是 communities？"), "{list}");
    assert!(run.stderr.contains("模板有 2 处错误。"), "{}", run.stderr);
}

#[test]
fn a_site_can_override_just_the_footer_partial_as_docs_templates_md_shows() {
    let site = site_with(
        "[footer]\nhost = \"示例街道党工委\"\nphone = \"0570-0000000\"\nsite_code = \"0000000000\"\nicp = \"示ICP备00000000号\"\npolice = \"示公网安备 00000000000000号\"",
    );
    // The example of docs/templates.md, as written there.
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/templates.md"),
    )
    .expect("docs/templates.md");
    let start = docs
        .find("`templates/partials/footer.html`：\n\n```html\n")
        .expect("example");
    let example = &docs[start..];
    let example = &example[example.find("```html\n").expect("fence") + 8..];
    let example = &example[..example.find("```").expect("end of example")];
    site.write("templates/partials/footer.html", example);
    site.build_ok();
    for page in [
        "index.html",
        "communities/east/index.html",
        "cases/index.html",
    ] {
        let html = site.read(&format!("public/{page}"));
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

#[test]
fn a_sites_own_steward_page_case_list_and_case_table_are_the_ones_used() {
    // These pages are written without Tera when the theme keeps the built-in templates;
    // a site's own version of any template they use is rendered by Tera, as every page.
    let site = site_with("");
    site.write(
        "templates/steward.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"own-steward\">{{ steward.name }}：{{ figures.visits }} 次，{{ cases | length }} 条</p>{% endblock content %}",
    );
    site.write(
        "templates/cases.html",
        "{% extends \"base.html\" %}{% block content %}<p id=\"own-list\">{{ count }} 条，第 {{ pager.current }} 页</p>{% include \"partials/case_table.html\" %}{% endblock content %}",
    );
    site.write(
        "templates/partials/case_table.html",
        "{% for c in rows %}<p class=\"own-row\">{{ c.date }} {{ c.summary }}</p>{% endfor %}",
    );
    site.build_ok();
    let steward = site.read("public/stewards/E-01.html");
    assert!(
        steward.contains("<p id=\"own-steward\">赵一民：1 次，1 条</p>"),
        "{steward}"
    );
    let list = site.read("public/cases/index.html");
    assert!(
        list.contains("<p id=\"own-list\">2 条，第 1 页</p>"),
        "{list}"
    );
    assert!(
        list.contains("<p class=\"own-row\">2018-04-20 小区停车位不足</p>"),
        "{list}"
    );
    // The partial on the built-in community page is the site's too.
    let community = site.read("public/communities/east/index.html");
    assert!(community.contains("class=\"own-row\""), "{community}");
}

#[test]
fn a_sites_own_base_template_frames_steward_pages_and_case_lists_too() {
    let site = site_with("");
    let base = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/base.html"),
    )
    .expect("the built-in base.html");
    let own = base.replace(
        "<main class=\"wrap\"",
        "<main data-own=\"yes\" class=\"wrap\"",
    );
    assert_ne!(own, base);
    site.write("templates/base.html", &own);
    site.build_ok();
    for page in ["stewards/E-01.html", "cases/index.html", "index.html"] {
        let html = site.read(&format!("public/{page}"));
        assert!(
            html.contains("<main data-own=\"yes\" class=\"wrap\""),
            "{page}"
        );
    }
}
