//! Private values planted in every public text field: residents' names from every record
//! kind, and numbers in every form people type. None may reach the output; each is
//! reported at the file and line where it was typed.

mod common;

use common::{COMMUNITIES_CSV, SITE_TOML, Site};

/// Residents named in cases (周大伯, 王芳), in errands (钱阿姨, read after cases), in an
/// unknown column of visits that names a person (孙奶奶), each typed into every free-text
/// field of the site, including fields read before the record that names them.
fn planted() -> Site {
    let site = Site::empty();
    site.write("site.toml", SITE_TOML);
    site.write("content/communities.csv", COMMUNITIES_CSV);
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别,特长,工作单位\n\
         FM-001,周明华,fangmen,3幢,在册,常帮周大伯修水管,\n\
         FM-002,王芳华,fangmen,5幢,在职,,替钱阿姨跑腿的单位\n",
    );
    site.write(
        "content/visits.csv",
        "日期,红管家,户数,居民姓名\n2018-11-20,FM-001,4,孙奶奶\n",
    );
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,办结日期,居民\n\
         C-1,2018-11-20,FM-001,周大伯家漏水,周大伯家门口堆物,已解决,2018-11-22,周大伯\n\
         C-2,2018-11-21,FM-002,停车,王芳反映停车难，孙奶奶也提过,待办,,王芳\n\
         C-3,2018-11-22,FM-002,停车,钱阿姨说车位不够，王芳华已上门,待办,,\n",
    );
    site.write(
        "content/errands.csv",
        "日期,红管家,类别,居民\n2018-11-23,FM-001,代缴费用,钱阿姨\n",
    );
    site.write(
        "content/meetings.csv",
        "日期,社区,参会人员,议题\n2018-11-25,fangmen,FM-001,讨论周大伯和钱阿姨的事\n",
    );
    site.write(
        "content/commendations.toml",
        "[[batch]]\nid = \"2018-1\"\ntitle = \"第一批（周大伯推荐）\"\ndate = 2018-12-01\nstewards = [\"FM-001\"]\n[batch.citations]\n\"FM-001\" = \"照顾孙奶奶多年\"\n\
         [batch.decision]\ndate = 2018-12-05\ntext = \"钱阿姨推荐，决定表彰\"\n",
    );
    site.write(
        "content/bulletins/b1.md",
        "+++\ntitle = \"看望周大伯\"\ndate = 2018-12-10\nsubtitle = \"钱阿姨\"\nsource = \"孙奶奶家\"\n+++\n钱阿姨和王芳都来了。\n",
    );
    site.write(
        "content/pages/about.md",
        "+++\ntitle = \"关于孙奶奶\"\n+++\n周大伯的故事。\n",
    );
    site
}

#[test]
fn residents_names_in_every_free_text_are_masked() {
    let site = planted();
    site.build(&[]).assert_code(0);
    let out = site.output_text();
    for name in ["周大伯", "钱阿姨", "孙奶奶"] {
        assert!(!out.contains(name), "published: {name}");
    }
    // The decision of the commendation batch is published, masked.
    assert!(
        out.contains("钱**推荐，决定表彰"),
        "decision text not published masked"
    );
    // 王芳 is masked, but not inside the steward 王芳华 who holds the name.
    assert!(
        !out.replace("王芳华", "").contains("王芳"),
        "published: 王芳"
    );
    assert!(out.contains("王芳华"));
    for masked in [
        "周**家门口堆物",
        "王*反映停车难，孙**也提过",
        "讨论周**和钱**的事",
    ] {
        assert!(out.contains(masked), "not shown masked: {masked}");
    }
    // Masked in Markdown too, without turning into emphasis.
    assert!(out.contains("钱**和王*都来了"), "bulletin body");
    // The case's category holding a name is masked too, in lists and figures alike.
    assert!(out.contains("周**家漏水"));
}

#[test]
fn each_name_typed_is_reported_where_it_was_typed_naming_its_record() {
    let site = planted();
    let run = site.check();
    run.assert_code(0);
    for line in [
        "content/stewards.csv:2: 警告：特长: 含有居民姓名（来自 content/cases.csv:2 居民），公开时已遮盖：常帮周**修水管",
        "content/stewards.csv:3: 警告：工作单位: 含有居民姓名（来自 content/errands.csv:2 居民），公开时已遮盖：替钱**跑腿的单位",
        "content/cases.csv:2: 警告：类别: 含有居民姓名（来自 content/cases.csv:2 居民），公开时已遮盖：周**家漏水",
        "content/cases.csv:3: 警告：事项: 含有居民姓名（来自 content/cases.csv:3 居民、content/visits.csv:2 居民姓名），公开时已遮盖：王*反映停车难，孙**也提过",
        "content/cases.csv:4: 警告：事项: 含有居民姓名（来自 content/errands.csv:2 居民），公开时已遮盖：钱**说车位不够，王芳华已上门",
        "content/meetings.csv:2: 警告：议题: 含有居民姓名（来自 content/cases.csv:2 居民、content/errands.csv:2 居民），公开时已遮盖：讨论周**和钱**的事",
        "content/commendations.toml:7: 警告：citations.FM-001: 含有居民姓名（来自 content/visits.csv:2 居民姓名），公开时已遮盖：照顾孙**多年",
        "content/bulletins/b1.md:2: 警告：title: 含有居民姓名（来自 content/cases.csv:2 居民），公开时已遮盖：看望周**",
        "content/bulletins/b1.md:4: 警告：subtitle: 含有居民姓名（来自 content/errands.csv:2 居民），公开时已遮盖：钱**",
        "content/bulletins/b1.md:5: 警告：source: 含有居民姓名（来自 content/visits.csv:2 居民姓名），公开时已遮盖：孙**家",
        "content/bulletins/b1.md:7: 警告：正文: 含有居民姓名（来自 content/cases.csv:3 居民、content/errands.csv:2 居民），公开时已遮盖：钱**和王*都来了。",
        "content/commendations.toml:10: 警告：text: 含有居民姓名（来自 content/errands.csv:2 居民），公开时已遮盖：钱**推荐，决定表彰",
        "content/commendations.toml:3: 警告：title: 含有居民姓名（来自 content/cases.csv:2 居民），公开时已遮盖：第一批（周**推荐）",
        "content/pages/about.md:2: 警告：title: 含有居民姓名（来自 content/visits.csv:2 居民姓名），公开时已遮盖：关于孙**",
        "content/pages/about.md:4: 警告：正文: 含有居民姓名（来自 content/cases.csv:2 居民），公开时已遮盖：周**的故事。",
    ] {
        run.assert_line(line);
    }
    for name in ["周大伯", "钱阿姨", "孙奶奶"] {
        assert!(!run.stderr.contains(name), "a message repeats {name}");
    }
}

#[test]
fn a_resident_who_shares_a_stewards_name_is_ambiguous_and_left() {
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,居民\nC-1,2018-11-20,FM-001,停车,周明华反映停车难,待办,周明华\n",
    );
    let run = site.check();
    run.assert_code(0);
    run.assert_line(
        "content/cases.csv:2: 警告：事项: “周明华”既是居民姓名（来自 content/cases.csv:2 居民）也是红管家 FM-001 的姓名，分不清指谁，未遮盖；如果写的是这位居民，请改写这段文字",
    );
    site.build(&[]).assert_code(0);
    assert!(site.output_text().contains("周明华反映停车难"));
}

#[test]
fn a_residents_name_in_free_text_no_longer_exempts_it_from_the_guard() {
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,居民\nC-1,2018-11-20,FM-001,停车,周大伯反映停车难,待办,周大伯\n",
    );
    site.build(&[]).assert_code(0);
    // The same name in a file of the site's own is a leak, though the summary holds it.
    site.write("static/名单.txt", "回访：周大伯");
    let run = site.build(&[]);
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "content/cases.csv:2: 居民: 这个不公开的值（周**）出现在了生成的 名单.txt 里"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn numbers_in_every_form_are_masked_in_every_free_text() {
    let forms = [
        "１３８１２３４５６７８",
        "１３８－１２３４－５６７８",
        "138\u{3000}1234\u{3000}5678",
        "＋86 138-1234-5678",
        "0086 13812345678",
        "138—1234—5678",
    ];
    for form in forms {
        let site = Site::basic();
        site.write(
            "content/stewards.csv",
            &format!(
                "编号,姓名,社区,联系楼幢,党员类别,特长,工作单位\nFM-001,周明华,fangmen,3幢,在册,电话{form},单位{form}\n"
            ),
        );
        site.write(
            "content/visits.csv",
            "日期,红管家,户数\n2018-11-20,FM-001,4\n",
        );
        site.write(
            "content/cases.csv",
            &format!(
                "编号,日期,红管家,类别,事项,状态\nC-1,2018-11-20,FM-001,停车,回电{form},待办\n"
            ),
        );
        site.write(
            "content/meetings.csv",
            &format!("日期,社区,议题\n2018-11-25,fangmen,联系{form}\n"),
        );
        site.write(
            "content/bulletins/b1.md",
            &format!("+++\ntitle = \"电话{form}\"\ndate = 2018-12-10\n+++\n正文{form}\n"),
        );
        let run = site.check();
        run.assert_code(0);
        for at in [
            "content/stewards.csv:2: 警告：特长: 含有手机号",
            "content/stewards.csv:2: 警告：工作单位: 含有手机号",
            "content/cases.csv:2: 警告：事项: 含有手机号",
            "content/meetings.csv:2: 警告：议题: 含有手机号",
            "content/bulletins/b1.md:2: 警告：title: 含有手机号",
            "content/bulletins/b1.md:5: 警告：正文: 含有手机号",
        ] {
            assert!(run.stderr.contains(at), "{form}: {at}\n{}", run.stderr);
        }
        site.build(&[]).assert_code(0);
        let out = site.output_text();
        assert!(!out.contains(form), "published: {form}");
        assert!(
            !out.contains("1234"),
            "{form}: digits of the number published"
        );
        assert!(out.contains("138****5678"), "{form}: not shown masked");
    }
}

#[test]
fn the_guard_finds_a_private_number_written_in_full_width() {
    let site = Site::basic();
    site.build(&[]).assert_code(0);
    // 13705703333 is a resident's phone in cases.csv; here written full-width.
    site.write("static/名单.txt", "回访：１３７－０５７０－３３３３");
    let run = site.build(&[]);
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "content/cases.csv:2: 联系电话: 这个不公开的值（137****3333）出现在了生成的 名单.txt 里"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unresolved_case_with_a_resolved_date_is_warned_about_and_the_date_not_published() {
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,办结日期\nC-1,2018-11-20,FM-001,停车,停车难,办理中,2018-11-27\n",
    );
    let run = site.check();
    run.assert_code(0);
    run.assert_line(
        "content/cases.csv:2: 警告：办结日期: 状态是“办理中”，还没有解决，填写的 2018-11-27 不会公开；如果已经解决，请把状态改为“已解决”",
    );
    site.build(&[]).assert_code(0);
    let out = site.output_text();
    assert!(!out.contains("2018-11-27") && !out.contains("2018年11月27日"));
}

#[test]
fn a_residents_name_inside_a_building_label_stops_the_build() {
    // A building is a public value, not free text: a name inside one is neither masked
    // nor public, so the guard stops rather than publish it.
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\nFM-001,周明华,fangmen,周大伯家那幢,在册\nFM-002,吴建英,fangmen,5幢,在职\nST-001,郑卫国,shuiting,1幢,两新\n",
    );
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,居民\nC-1,2018-11-20,FM-001,停车,停车难,待办,周大伯\n",
    );
    let run = site.build(&[]);
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("content/cases.csv:2: 居民: 这个不公开的值（周**）出现在了生成的"),
        "{}",
        run.stderr
    );
}

#[test]
fn warnings_about_numbers_show_names_masked_too() {
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,居民\nC-1,2018-11-20,FM-001,停车,周大伯反映停车难，回电13812345678,待办,周大伯\n",
    );
    site.write(
        "content/bulletins/b1.md",
        "+++\ntitle = \"简报\"\ndate = 2018-12-10\n+++\n周大伯的电话13812345678\n",
    );
    let run = site.check();
    run.assert_code(0);
    run.assert_line(
        "content/cases.csv:2: 警告：事项: 含有手机号，公开时已遮盖：周**反映停车难，回电138****5678；电话请填在民情或红管家名册的“联系电话”列，那一列不公开",
    );
    run.assert_line(
        "content/bulletins/b1.md:5: 警告：正文: 含有手机号，公开时已遮盖：周**的电话138****5678；公开的文字里不要写电话号码",
    );
    assert!(!run.stderr.contains("周大伯"), "{}", run.stderr);
}
