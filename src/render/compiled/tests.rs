//! The compiled pages are the built-in templates' pages: every steward page and case list
//! of a site, rendered by the code above and by Tera from the built-in templates, must be
//! the same bytes. A change to one of the templates that the code does not follow (or the
//! other way round) fails here.

use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::render::context::{self, Prepared};
use crate::render::plan::Plan;
use crate::render::{Renderer, data};
use crate::site::Source;

/// How many steward pages and case lists the site at `root` has, after checking that
/// each is the same both ways.
fn both_ways(root: &Path) -> (usize, usize) {
    let mut diags = Diagnostics::new();
    let source = Source::load(root, &mut diags);
    let Some(Source::Site(site)) = source else {
        panic!("the site loads: {:?}", diags.sorted());
    };
    let theme = crate::theme::load(root, &site.config.theme, &mut diags);
    assert!(!diags.has_errors(), "{:?}", diags.sorted());
    let summary = data::summary(&site.registry, &site.figures);
    let (globals, _) = crate::render::globals(&site, &summary).into_parts();
    let renderer = Renderer::new(&theme, &globals).expect("the built-in templates");
    assert!(
        renderer.compiled.steward && renderer.compiled.cases,
        "the built-in theme's steward pages and case lists are compiled"
    );
    let (plan, pages) = Plan::new(&site, &summary, &renderer).expect("the plan");
    let (mut stewards, mut lists) = (0, 0);
    for page in &pages {
        let path = page.path(&site);
        let prepared = context::prepare(&plan, page, &path);
        let compiled = match &prepared {
            Prepared::Steward(p) => {
                stewards += 1;
                renderer.compiled.steward(p, 0)
            }
            Prepared::CaseList(p) => {
                lists += 1;
                renderer.compiled.case_list(p, 0)
            }
            Prepared::Other(_) => continue,
        };
        let compiled = compiled.expect("a compiled kind");
        let by_tera = renderer
            .render_bytes(page.template(), &prepared.into_context())
            .expect("Tera renders the built-in template");
        assert_same(&path, &compiled, &by_tera);
    }
    (stewards, lists)
}

/// The global context of the site at `root`.
fn globals_of(root: &Path) -> tera::Context {
    let mut diags = Diagnostics::new();
    let Some(Source::Site(site)) = Source::load(root, &mut diags) else {
        panic!("the site loads: {:?}", diags.sorted());
    };
    let summary = data::summary(&site.registry, &site.figures);
    crate::render::globals(&site, &summary).into_parts().0
}

/// Equal bytes, or a message that shows where they part.
fn assert_same(path: &str, compiled: &[u8], by_tera: &[u8]) {
    if compiled == by_tera {
        return;
    }
    let at = compiled
        .iter()
        .zip(by_tera)
        .position(|(a, b)| a != b)
        .unwrap_or(compiled.len().min(by_tera.len()));
    let around = |bytes: &[u8]| {
        let from = at.saturating_sub(120);
        let to = (at + 120).min(bytes.len());
        String::from_utf8_lossy(&bytes[from..to]).into_owned()
    };
    panic!(
        "{path}: the compiled page differs from Tera's at byte {at}\n--- compiled:\n{}\n--- Tera:\n{}",
        around(compiled),
        around(by_tera)
    );
}

#[test]
fn every_steward_page_and_case_list_of_the_sample_is_tera_s() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (stewards, lists) = both_ways(root);
    assert!(stewards > 100 && lists > 20, "{stewards} {lists}");
}

/// A site whose texts hold every character Tera escapes, in every field a steward page
/// or a case list shows; optional fields empty, zero counts, long texts, counts past
/// 10,000, lists of one page and of many.
fn awkward_site(dir: &Path) {
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("folder");
        }
        std::fs::write(path, text).expect("write");
    };
    let long = "楼道<堆物>&\"杂物\"'长期'未清，".repeat(120);
    write(
        "site.toml",
        r#"title = "府山<街道>&\"红管家\"'公示'"
base_url = "https://example.org/fushan/"
description = "描述<b>&\"'"
date = 2018-12-10

[privacy]
steward_phone = "masked"

[lists]
page_size = 3

[footer]
host = "主办<&>"
operator = "承办\"'"
email = "a@example.org"
lines = ["<b>第一行</b>", "'第二行' & \"第三行\""]
"#,
    );
    write(
        "content/communities.csv",
        "编号,名称,党组织,网格数,楼幢数,户数\n\
         c1,\"东门<街>&\"\"社区\"\"\",党委,2,40,1000\n\
         c2,'西门'社区,,,,\n",
    );
    write(
        "content/stewards.csv",
        &format!(
            "编号,姓名,社区,联系楼幢,党员类别,网格,工作单位,特长,队伍,上岗日期,联系电话,公开\n\
             S-1,\"张<三>&\"\"'\",c1,1幢<a>;2&幢,在职,\"网格\"\"1\"\"<>\",单位<&>'x',\"{long}\",巡逻队;红色代办员,2018-01-06,13905708457,是\n\
             S-2,李四,c2,3幢,在册,,,,,,,\n\
             S-3,王五,c2,4幢,两新,,不该显示的单位,,,,,否\n\
             S-4,赵&六,c1,5幢,在册,网格2,,木工,,2017-12-31,,\n\
             S-5,钱七,c1,6幢,在职,,,,红色代办员,,,\n"
        ),
    );
    write(
        "content/visits.csv",
        "日期,红管家,户数\n\
         2017-12-02,S-1,123456\n\
         2018-01-05,S-1,3\n\
         2018-02-05,S-4,12\n\
         2018-03-05,S-5,1\n\
         2018-03-09,S-3,2\n",
    );
    let mut cases = String::from("编号,日期,红管家,类别,事项,状态,办结日期,办理渠道\n");
    let categories = ["停车<&>", "\"引号\"类", "'单引号'", "其他"];
    let stewards = ["S-1", "S-3", "S-4", "S-5"];
    for i in 0..23 {
        let category = categories[i % categories.len()];
        let steward = stewards[i % stewards.len()];
        let summary = if i == 4 {
            long.clone()
        } else {
            format!("事项{i}<b>&amp;\"'")
        };
        let (status, resolved) = if i % 3 == 0 {
            ("已解决", format!("2018-03-{:02}", i % 20 + 5))
        } else {
            (["待办", "办理中", "已转办", "已反馈"][i % 4], String::new())
        };
        let channel = ["楼道", "", "物业", "社区"][i % 4];
        cases.push_str(&format!(
            "C-{i},2018-03-{:02},{steward},{},{},{status},{resolved},{channel}\n",
            i % 20 + 1,
            csv_field(category),
            csv_field(&summary),
        ));
    }
    write("content/cases.csv", &cases);
    write(
        "content/commendations.toml",
        r#"[[batch]]
id = "b1"
title = "第一批<优秀>&\"红管家\"'"
date = 2018-12-01
stewards = ["S-1", "S-4"]

[batch.citations]
"S-1" = "事迹<b>&\"'"
"S-4" = ""

[[batch]]
id = "b2"
title = "第二批"
stewards = ["S-1"]
"#,
    );
}

fn csv_field(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

#[test]
fn every_page_of_a_site_of_awkward_values_is_tera_s() {
    let dir = tempfile::tempdir().expect("temp dir");
    awkward_site(dir.path());
    let (stewards, lists) = both_ways(dir.path());
    // S-3 asked not to be shown; 23 cases in pages of 3, and each category's list.
    assert_eq!(stewards, 4);
    assert_eq!(lists, 8 + 2 + 2 + 2 + 2, "{lists}");
}

#[test]
fn a_site_without_cases_has_its_empty_list_as_tera_writes_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    awkward_site(dir.path());
    std::fs::write(
        dir.path().join("content/cases.csv"),
        "编号,日期,红管家,类别,事项,状态\n",
    )
    .expect("write");
    assert_eq!(both_ways(dir.path()), (4, 1));
}

#[test]
fn a_theme_s_own_template_of_a_page_kind_is_rendered_by_tera() {
    let dir = tempfile::tempdir().expect("temp dir");
    awkward_site(dir.path());
    let globals = globals_of(dir.path());
    let compiled = |own: &[(&str, &str)]| {
        let mut diags = Diagnostics::new();
        let mut theme = crate::theme::load(dir.path(), "default", &mut diags);
        for (name, text) in own {
            theme
                .files
                .insert(format!("templates/{name}"), text.as_bytes().to_vec());
        }
        let c = super::Compiled::new(&theme, &globals);
        (c.steward, c.cases)
    };
    assert_eq!(compiled(&[]), (true, true));
    // A copy of the built-in file is the built-in file.
    let builtin = |name: &str| {
        String::from_utf8(
            crate::theme::builtin(&format!("templates/{name}"))
                .expect("built in")
                .to_vec(),
        )
        .expect("UTF-8")
    };
    let copy = builtin("steward.html");
    assert_eq!(compiled(&[("steward.html", &copy)]), (true, true));
    assert_eq!(compiled(&[("steward.html", "x")]), (false, true));
    assert_eq!(
        compiled(&[("partials/month_table.html", "x")]),
        (false, true)
    );
    assert_eq!(compiled(&[("cases.html", "x")]), (true, false));
    assert_eq!(
        compiled(&[("partials/case_table.html", "x")]),
        (false, false)
    );
    let base = builtin("base.html").replace("<main", "<main data-own=\"1\"");
    assert_eq!(compiled(&[("base.html", &base)]), (false, false));
    assert_eq!(compiled(&[("partials/footer.html", "x")]), (false, false));
}

#[test]
fn a_setting_that_holds_a_stand_in_leaves_the_pages_to_tera() {
    let dir = tempfile::tempdir().expect("temp dir");
    awkward_site(dir.path());
    let frame = |title: &str| {
        let toml = dir.path().join("site.toml");
        let settings = std::fs::read_to_string(&toml).expect("site.toml");
        let (_, rest) = settings.split_once('\n').expect("a title line");
        std::fs::write(&toml, format!("title = \"{title}\"\n{rest}")).expect("write");
        super::Frame::new(&globals_of(dir.path())).is_some()
    };
    assert!(frame("府山"));
    for stand_in in super::STAND_INS.iter().flatten() {
        assert!(!frame(&format!("府山{stand_in}")), "{stand_in:?}");
    }
}

#[test]
fn whole_numbers_are_written_as_the_big_number_filter_writes_them() {
    let mut values: Vec<u64> = (0..2_000).collect();
    values.extend([
        9_999,
        10_000,
        10_049,
        99_999,
        123_456,
        999_999,
        1_000_000,
        6_999_642,
        99_999_999,
        123_456_789,
        999_999_999_999_999,
        1_000_000_000_000_000,
        9_007_199_254_740_993,
        u64::MAX,
    ]);
    for n in values {
        let (mut big, mut exact) = (String::new(), String::new());
        super::big(&mut big, n);
        super::exact(&mut exact, n);
        assert_eq!(big, crate::numbers::compact(n as f64), "{n}");
        assert_eq!(exact, crate::numbers::exact(n as f64), "{n}");
    }
}

#[test]
fn texts_are_escaped_as_tera_escapes_them() {
    let tera = {
        let mut t = tera::Tera::new();
        super::super::configure(&mut t);
        t.add_raw_template("t.html", "{{ v }}").expect("template");
        t
    };
    for text in [
        "",
        "plain",
        "<>&\"'",
        "a&amp;b",
        "红管家<script>alert('x')</script>",
        &"长<文>&".repeat(500),
        "/=`",
    ] {
        let mut ctx = tera::Context::new();
        ctx.insert("v", text);
        let mut ours = String::new();
        super::esc(&mut ours, text);
        assert_eq!(Some(ours), tera.render("t.html", &ctx).ok(), "{text}");
    }
}
