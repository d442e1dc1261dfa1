//! Hostile input: private values everywhere, numbers hidden in free text, script in every
//! field, path tricks and links out of the site. The site must publish nothing private and
//! nothing executable, or stop with a clear error and leave the previous site intact.

mod common;

use common::{Site, tree};

/// A valid ID number (GB 11643 check digit) and mobile numbers used below.
const ID: &str = "11010519491231002X";
const RESIDENT_PHONE: &str = "13705703333";
const STEWARD_PHONE: &str = "13905701111";

const SCRIPT: &str = "<script>alert(1)</script>";

fn hostile() -> Site {
    let site = Site::empty();
    site.write(
        "site.toml",
        "title = \"<script>alert('t')</script>红管家\"\nbase_url = \"https://example.org/x/\"\n",
    );
    site.write(
        "content/communities.csv",
        "编号,名称,党组织,网格数\nfangmen,坊门街社区<script>alert(1)</script>,社区党委,3\n",
    );
    site.write(
        "content/stewards.csv",
        &format!(
            "编号,姓名,社区,联系楼幢,党员类别,联系电话,特长,工作单位,身份证号,公开\n\
             FM-001,周明华,fangmen,3幢,在册,{STEWARD_PHONE},\"修水管，电话 139-0570-2222\",,{ID},是\n\
             FM-002,吴建英<img src=x onerror=alert(1)>,fangmen,5幢,在职,13905704444,,\"<b>市供电公司</b>\",,是\n\
             FM-003,郑秘密,fangmen,7幢,在册,,,,,否\n"
        ),
    );
    site.write(
        "content/visits.csv",
        "日期,红管家,户数,备注\n2018-11-20,FM-001,4,王阿婆独居家门钥匙放在邻居家\n2018-11-21,FM-003,2,\n",
    );
    site.write(
        "content/cases.csv",
        &format!(
            "编号,日期,红管家,类别,事项,状态,办结日期,居民,联系电话,详情\n\
             C-1,2018-11-20,FM-001,楼道堆物,\"住户反映堆物，回电 {}\",已解决,2018-11-22,钱桂兰,{RESIDENT_PHONE},家住3幢2单元401室\n\
             C-2,2018-11-21,FM-002,\"=HYPERLINK(\"\"http://evil\"\")\",\"身份证{ID}遗失 {SCRIPT}\",待办,,孙小梅,13705705555,\n",
            "138 1234 5678"
        ),
    );
    site.write(
        "content/meetings.csv",
        "日期,社区,参会人员,议题\n2018-11-05,fangmen,FM-001;FM-002,\"停车 <a href=\"\"javascript:alert(1)\"\">点我</a>\"\n",
    );
    site.write(
        "content/commendations.toml",
        "[[batch]]\nid = \"2018-1\"\ntitle = \"第一批<script>x</script>\"\ndate = 2018-12-01\nstewards = [\"FM-001\", \"FM-003\"]\n[batch.citations]\n\"FM-001\" = \"热心肠，手机13812349999\"\n",
    );
    site.write(
        "content/bulletins/b1.md",
        "+++\ntitle = \"简报\"\ndate = 2018-12-10\n+++\n正文<script>alert(1)</script>\n\n[链接](javascript:alert(1)) <img src=x onerror=alert(1)> <iframe src=\"https://evil.example\"></iframe>\n\n联系人电话：13612345678\n",
    );
    site
}

fn output_text(site: &Site) -> String {
    output_matching(site, |_| true)
}

/// What a browser would run: pages, feeds and images.
fn markup_text(site: &Site) -> String {
    output_matching(site, |p| {
        p.ends_with(".html") || p.ends_with(".xml") || p.ends_with(".svg")
    })
}

fn output_matching(site: &Site, keep: impl Fn(&str) -> bool) -> String {
    tree(&site.path("public"))
        .into_iter()
        .filter(|(path, _)| keep(path))
        .map(|(path, bytes)| format!("=== {path}\n{}", String::from_utf8_lossy(&bytes)))
        .collect()
}

#[test]
fn hostile_data_gives_a_site_with_nothing_private_and_nothing_executable() {
    let site = hostile();
    let run = site.build(&[]);
    run.assert_code(0);
    let out = output_text(&site);

    // Private fields and unknown columns never appear.
    for private in [
        RESIDENT_PHONE,
        STEWARD_PHONE,
        "13905704444",
        "13705705555",
        "钱桂兰",
        "孙小梅",
        "家住3幢2单元401室",
        "王阿婆独居",
        ID,
        "郑秘密",
    ] {
        assert!(!out.contains(private), "published: {private}");
    }
    // Numbers typed into public free text are masked, in every form.
    for hidden in [
        "1390570",
        "13812345678",
        "138 1234 5678",
        "13812349999",
        "13612345678",
    ] {
        assert!(!out.contains(hidden), "published: {hidden}");
    }
    for masked in [
        "139****2222",
        "138****5678",
        "110105********002X",
        "138****9999",
        "136****5678",
    ] {
        assert!(out.contains(masked), "not shown masked: {masked}");
    }
    // Nothing from the input can run: tags are escaped or removed, no script links.
    let out = markup_text(&site);
    if let Some(at) = out.find("<script>alert") {
        let file = out[..at]
            .rfind("=== ")
            .map_or("", |i| &out[i..at.min(i + 80)]);
        panic!("a script tag from the input survived in {file}");
    }
    assert!(
        !out.contains("<img src=x"),
        "an img tag from the input survived"
    );
    for (at, _) in out.match_indices("onerror") {
        let before = &out[out.floor_char_boundary(at.saturating_sub(60))..at];
        let tag_start = before.rfind('<');
        assert!(
            tag_start.is_none_or(|t| before[t..].contains('>')),
            "an event handler survived inside a tag: {before}onerror"
        );
    }
    assert!(
        !out.contains("href=\"javascript:"),
        "a javascript: link survived"
    );
    assert!(!out.contains("<iframe"), "an iframe survived");
    assert!(
        out.contains("&lt;script&gt;"),
        "text with tags is shown escaped"
    );

    // Open data opened in Excel: a cell may not start a formula.
    let csv = output_matching(&site, |p| p.ends_with(".csv"));
    assert!(
        csv.contains("\"'=HYPERLINK")
            && !csv.contains("\"=HYPERLINK")
            && !csv.contains(",=HYPERLINK"),
        "a formula reached the CSV:\n{csv}"
    );

    // A steward who asked not to be shown: masked everywhere, no profile page.
    assert!(out.contains("郑**"));
    assert!(!site.path("public/stewards/FM-003.html").exists());
    assert!(site.path("public/stewards/FM-001.html").is_file());
}

#[test]
fn check_warns_about_every_number_it_masks() {
    let site = hostile();
    let run = site.check();
    run.assert_code(0);
    for line in [
        "content/stewards.csv:2: 警告：特长: 含有手机号，公开时已遮盖：修水管，电话 139****2222；电话请填在民情或红管家名册的“联系电话”列，那一列不公开",
        "content/cases.csv:2: 警告：事项: 含有手机号，公开时已遮盖：住户反映堆物，回电 138****5678；电话请填在民情或红管家名册的“联系电话”列，那一列不公开",
        "content/commendations.toml:7: 警告：citations.FM-001: 含有手机号，公开时已遮盖：热心肠，手机138****9999；公开的文字里不要写电话号码",
        "content/bulletins/b1.md:9: 警告：正文: 含有手机号，公开时已遮盖：联系人电话：136****5678；公开的文字里不要写电话号码",
    ] {
        run.assert_line(line);
    }
    assert!(
        run.stderr
            .contains("content/cases.csv:3: 警告：事项: 含有身份证号"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains(ID),
        "warnings must not repeat the ID number"
    );
}

#[test]
fn masked_names_setting_masks_every_steward() {
    let site = Site::basic();
    site.write(
        "site.toml",
        "title = \"t\"\nbase_url = \"https://example.org/\"\n[privacy]\nsteward_names = \"masked\"\n",
    );
    site.build(&[]).assert_code(0);
    let out = output_text(&site);
    assert!(!out.contains("周明华"));
    assert!(out.contains("周**"));
}

#[test]
fn the_leak_guard_stops_a_build_that_would_publish_a_private_value() {
    let site = Site::basic();
    site.build(&[]).assert_code(0);
    let before = tree(&site.path("public"));
    // A file of the site's own that carries a resident's phone number from the records.
    site.write("static/回访名单.txt", "回访：13705703333");
    let run = site.build(&[]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("content/cases.csv:2: 联系电话: 这个不公开的值（137****3333）出现在了生成的 回访名单.txt 里"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("13705703333"));
    assert_eq!(
        tree(&site.path("public")),
        before,
        "the previous site must stay as it was"
    );
}

#[test]
fn a_resident_who_shares_a_stewards_name_is_not_a_leak() {
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,居民\nC-1,2018-11-20,FM-001,停车,停车难,待办,周明华\nC-2,2018-11-21,FM-001,停车,停车难,待办,周明\n",
    );
    site.build(&[]).assert_code(0);
}

#[test]
fn path_tricks_are_refused() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\n../../etc,周明华,fangmen,3幢,在册\n",
    );
    site.write(
        "content/bulletins/../../x.md",
        "+++\ntitle = \"x\"\ndate = 2018-12-10\n+++\n",
    );
    site.write(
        "content/pages/a.md",
        "+++\ntitle = \"x\"\nslug = \"../../evil\"\n+++\n",
    );
    let run = site.check();
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("content/stewards.csv:2: 编号: \"../../etc\" 只能由"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("content/pages/a.md:1: slug: \"../../evil\" 只能由"),
        "{}",
        run.stderr
    );
}

#[cfg(unix)]
#[test]
fn links_out_of_the_site_are_refused() {
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        outside.path().join("secret.csv"),
        "日期,红管家,类别\n2018-11-20,FM-001,代缴费用\n",
    )
    .expect("write");
    let site = Site::basic();
    std::fs::create_dir_all(site.path("content/errands")).expect("mkdir");
    std::os::unix::fs::symlink(
        outside.path().join("secret.csv"),
        site.path("content/errands/a.csv"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink("/etc/passwd", site.path("content/meetings.csv")).expect("symlink");
    let run = site.check();
    run.assert_code(1);
    run.assert_line(
        "content/errands/a.csv: 这是一个指向站点文件夹以外的符号链接，为安全起见不予读取",
    );
    run.assert_line(
        "content/meetings.csv: 这是一个指向站点文件夹以外的符号链接，为安全起见不予读取",
    );
}

#[test]
fn stewards_phones_are_hidden_by_default_and_masked_on_request() {
    let site = Site::basic();
    site.build(&[]).assert_code(0);
    let page = std::fs::read_to_string(site.path("public/stewards/FM-001.html")).expect("page");
    assert!(!page.contains("联系电话"));
    assert!(!page.contains("1390570"));
    site.write(
        "site.toml",
        "title = \"t\"\nbase_url = \"https://example.org/\"\n[privacy]\nsteward_phone = \"masked\"\n",
    );
    site.build(&[]).assert_code(0);
    let page = std::fs::read_to_string(site.path("public/stewards/FM-001.html")).expect("page");
    assert!(page.contains("<dd>139****1111</dd>"), "{page}");
    assert!(!page.contains(STEWARD_PHONE));
}

#[test]
fn a_resident_named_like_a_word_of_the_theme_is_not_a_leak() {
    let site = Site::basic();
    // Contrived on purpose: “民情办理” is a link of every page's navigation and nowhere in
    // the records' public text, so only the theme makes it public.
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,居民\nC-1,2018-11-20,FM-001,停车,停车难,待办,民情办理\n",
    );
    site.build(&[]).assert_code(0);
}

/// The search index shows people exactly as the pages do: residents never; a steward who
/// asked not to be shown only masked, without a link or any detail; a phone only masked
/// and only when the site publishes phones.
#[test]
fn the_search_index_shows_no_more_than_the_pages() {
    let site = hostile();
    site.write(
        "site.toml",
        "title = \"t\"\nbase_url = \"https://example.org/x/\"\n[privacy]\nsteward_phone = \"masked\"\n",
    );
    site.build(&[]).assert_code(0);
    let index = output_matching(&site, |p| p.starts_with("search/") && p.ends_with(".js"));
    assert!(index.contains("hgjSearch.shard("), "no shard was written");
    for private in [
        RESIDENT_PHONE,
        "13705705555",
        "钱桂兰",
        "孙小梅",
        "家住3幢2单元401室",
        "王阿婆",
        STEWARD_PHONE,
        "13905704444",
        ID,
        "郑秘密",
        "FM-003",
    ] {
        assert!(!index.contains(private), "the search index holds {private}");
    }
    assert!(
        index.contains("\"郑**\""),
        "the hidden steward is not listed masked"
    );
    assert!(
        index.contains("\"139****1111\""),
        "the published phone is not masked"
    );

    site.write(
        "site.toml",
        "title = \"t\"\nbase_url = \"https://example.org/x/\"\n[privacy]\nsteward_names = \"masked\"\n",
    );
    site.build(&[]).assert_code(0);
    let index = output_matching(&site, |p| p.starts_with("search/"));
    assert!(!index.contains("周明华") && index.contains("\"周**\""));
    assert!(
        !index.contains("139****1111"),
        "phones are hidden by default"
    );
}
