//! Near misses: what an office types and exports when it is nearly right. Each is either
//! read, with a warning that says what was read, or refused with a message that says
//! what to write instead.

mod common;

use common::{COMMUNITIES_CSV, SITE_TOML, STEWARDS_CSV, Site, num};

#[test]
fn full_width_ids_numbers_and_dates_are_read_with_a_warning() {
    let site = Site::basic();
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n２０１８－１１－２０,ＦＭ－００１,１２\n",
    );
    let run = site.check();
    run.assert_code(0);
    for line in [
        "content/visits.csv:2: 警告：日期: “２０１８－１１－２０”里有全角字符，已按“2018-11-20”读取；请用半角（英文输入法）输入",
        "content/visits.csv:2: 警告：红管家: “ＦＭ－００１”里有全角字符，已按“FM-001”读取；请用半角（英文输入法）输入",
        "content/visits.csv:2: 警告：户数: “１２”里有全角字符，已按“12”读取；请用半角（英文输入法）输入",
    ] {
        run.assert_line(line);
    }
    assert_eq!(num(&site.summary(), "/households_visited"), 12);
}

#[test]
fn a_phone_excel_wrote_in_scientific_notation_is_not_read_and_says_how_to_fix_it() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        &STEWARDS_CSV.replace("13905701111", "1.39057E+10"),
    );
    site.write(
        "content/cases.csv",
        &common::CASES_CSV.replace("13705703333", "1.37057E+10"),
    );
    let run = site.build_ok();
    let fix = "末尾几位已经丢失，这个号码未读取；请在 Excel 里把这一列设为“文本”格式，重新输入号码后再保存或导出";
    run.assert_line(&format!(
        "content/stewards.csv:2: 警告：联系电话: “1.39057E+10”是 Excel 把长数字显示成科学计数法后存下的，{fix}"
    ));
    run.assert_line(&format!(
        "content/cases.csv:2: 警告：联系电话: “1.37057E+10”是 Excel 把长数字显示成科学计数法后存下的，{fix}"
    ));
    // Dropped: the print kit has no number for the steward rather than a wrong one.
    let print = common::run(&[
        "print",
        "--root",
        &site.root().display().to_string(),
        "--output",
        &site.path("kit").display().to_string(),
    ]);
    print.assert_code(0);
    for (name, bytes) in common::tree(&site.path("kit")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("E+10"),
            "{name} prints the mangled number"
        );
    }
}

#[test]
fn a_phone_typed_into_the_buildings_column_is_refused_not_published() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        &STEWARDS_CSV.replace(
            "FM-002,吴建英,坊门街社区,5幢,",
            "FM-002,吴建英,坊门街社区,13905703333,",
        ),
    );
    let out = site.build(&[]);
    out.assert_code(1);
    out.assert_line(
        "content/stewards.csv:3: 联系楼幢: “13905703333”是手机号，不是楼幢号；楼幢写作 3幢、5幢，电话请填在“联系电话”列",
    );
    assert!(!site.path("public").exists());
}

#[test]
fn unknown_ids_suggest_the_closest_and_names_stand_for_ids_when_unique() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        &format!("{STEWARDS_CSV}FM-003,王芳,fangmen,7幢,在册,\nST-002,王芳,shuiting,8幢,在册,\n"),
    );
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n2018-11-20,FM-01,1\n2018-11-20,周明华,1\n2018-11-20,王芳,1\n",
    );
    site.write(
        "content/meetings.csv",
        "日期,社区,参会人员\n2018-11-25,坊门社区,FM-001\n",
    );
    let run = site.check();
    run.assert_code(1);
    for line in [
        "content/visits.csv:2: 红管家: \"FM-01\" 不是已登记的红管家编号，是不是 FM-001（周明华）？",
        "content/visits.csv:3: 警告：红管家: “周明华”是红管家的姓名，已按其编号 FM-001 读取；这里应写编号，请改为 FM-001",
        "content/visits.csv:4: 红管家: “王芳”是 2 位红管家的姓名（FM-003、ST-002），分不清是哪一位，请写编号",
        "content/meetings.csv:2: 社区: \"坊门社区\" 不是已登记的社区编号或名称，是不是 fangmen（坊门街社区）？",
    ] {
        run.assert_line(line);
    }
    // Another number is another steward, not a slip.
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n2018-11-20,FM-009,1\n",
    );
    site.write("content/meetings.csv", "日期,社区\n2018-11-25,fangmen\n");
    site.check()
        .assert_line("content/visits.csv:2: 红管家: \"FM-009\" 不是已登记的红管家编号");
}

#[test]
fn a_full_width_comma_separates_list_items() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\nFM-001,周明华,fangmen,\"9幢，10幢\",在册\n",
    );
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n2018-11-20,FM-001,1\n",
    );
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态\nC-1,2018-11-20,FM-001,停车,停车难,待办\n",
    );
    assert_eq!(num(&site.summary(), "/buildings_covered"), 2);
}

#[test]
fn excel_unicode_text_exports_are_read() {
    let site = Site::basic();
    // Excel's "Unicode 文本": UTF-16 little-endian with a BOM, tabs between fields.
    let text = STEWARDS_CSV.replace(',', "\t").replace('\n', "\r\n");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    site.write_bytes("content/stewards.csv", &bytes);
    let summary = site.summary();
    assert_eq!(num(&summary, "/stewards"), 3);
    assert_eq!(num(&summary, "/buildings_covered"), 4);
}

#[test]
fn one_duplicated_id_gives_one_error() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\nFM-001,周明华,fangmen,3幢,在册\nFM-001,吴建英,水亭街社区,5幢,在职\n",
    );
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n2018-11-20,FM-001,1\n2018-11-21,FM-001,2\n",
    );
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态\nC-1,2018-11-20,FM-001,停车,停车难,待办\n",
    );
    site.write(
        "content/meetings.csv",
        "日期,社区,参会人员\n2018-11-25,fangmen,FM-001\n",
    );
    let run = site.check();
    run.assert_code(1);
    assert_eq!(
        run.err_lines(),
        [
            "content/stewards.csv:3: 编号: \"FM-001\" 重复，已在第 2 行（周明华）出现；请给这一行（吴建英）换一个没有用过的编号，或删掉重复的这一行",
            "发现 1 个错误、0 个警告。未写入任何文件，原有的输出保持不变。",
        ]
    );
}

#[test]
fn misnamed_content_entries_get_the_name_to_write() {
    let site = Site::empty();
    site.write("site.toml", SITE_TOML);
    site.write("content/communities.csv", COMMUNITIES_CSV);
    site.write("content/红管家名册.csv", STEWARDS_CSV);
    site.write("content/走访记录/2018-11.csv", "日期,红管家,户数\n");
    site.write("content/cases.csv", "编号,日期,红管家,类别,事项,状态\n");
    site.write("content/meeting.csv", "日期,社区\n");
    site.write("content/errnads.toml", "");
    let run = site.check();
    for line in [
        "content/红管家名册.csv:1: 警告：不认识的文件或文件夹，已忽略，是不是想写 stewards.csv？",
        "content/走访记录:1: 警告：不认识的文件或文件夹，已忽略，是不是想写 visits/？",
        "content/meeting.csv:1: 警告：不认识的文件或文件夹，已忽略，是不是想写 meetings.csv？",
        "content/errnads.toml:1: 警告：不认识的文件或文件夹，已忽略，是不是想写 errands.toml？",
    ] {
        run.assert_line(line);
    }
}

#[test]
fn front_matter_slips_show_the_line_as_it_should_be() {
    let site = Site::basic();
    for (name, front) in [
        ("a", "title = “府山简报”\ndate = 2018-12-10"),
        ("b", "title = \"府山简报\"\ndate = 2018年12月10日"),
        ("c", "标题 = \"府山简报\"\ndate = 2018-12-10"),
        ("d", "title = 府山简报\ndate = 2018-12-10"),
        ("e", "title ＝ \"府山简报\"\ndate = 2018-12-10"),
    ] {
        site.write(
            &format!("content/bulletins/{name}.md"),
            &format!("+++\n{front}\n+++\n正文\n"),
        );
    }
    site.write(
        "content/bulletins/f.md",
        "+++\ntitle = \"府山简报\"\ndate = 2018-12-10\n正文\n",
    );
    let run = site.check();
    run.assert_code(1);
    assert_eq!(
        run.err_lines(),
        [
            "content/bulletins/a.md:2: 设置部分：文字两边要用英文双引号 \"，不能用中文引号“”：请写成 title = \"府山简报\"",
            "content/bulletins/b.md:3: 设置部分：日期不加引号时只能写成 2018-12-10 的样子：请写成 date = 2018-12-10",
            "content/bulletins/c.md:2: 设置部分：设置名要用英文：把“标题”改为 title，如 title = \"府山简报\"",
            "content/bulletins/d.md:2: 设置部分：文字两边要加英文双引号：请写成 title = \"府山简报\"",
            "content/bulletins/e.md:2: 设置部分：等号要用英文半角的 =，不能用全角的 ＝：请写成 title = \"府山简报\"",
            "content/bulletins/f.md:1: 设置部分没有结束：第 1 行的 +++ 之后找不到结束的一行 +++；请在 title 等设置之后、正文之前加一行 +++",
            "发现 6 个错误、0 个警告。未写入任何文件，原有的输出保持不变。",
        ]
    );
}

#[test]
fn unknown_front_matter_keys_suggest_the_setting_meant() {
    let site = Site::basic();
    site.write(
        "content/pages/about.md",
        "+++\ntitle = \"关于\"\n\"日期\" = 2018-12-10\ntitel = \"x\"\n+++\n正文\n",
    );
    let run = site.check();
    run.assert_code(0);
    run.assert_line(
        "content/pages/about.md:3: 警告：未知的设置“日期”，已忽略；设置名要用英文，应写 date",
    );
    run.assert_line(
        "content/pages/about.md:4: 警告：未知的设置“titel”，已忽略，是不是想写 title？",
    );
}

#[test]
fn commendations_read_names_and_full_width_ids_like_the_records_do() {
    let site = Site::basic();
    site.write(
        "content/commendations.toml",
        "[[batch]]\nid = \"2018-1\"\ntitle = \"第一批\"\nstewards = [\"周明华\", \"ＦＭ－００２\", \"ST-01\"]\n",
    );
    let run = site.check();
    run.assert_code(1);
    for line in [
        "content/commendations.toml:4: 警告：stewards: “周明华”是红管家的姓名，已按其编号 FM-001 读取；这里应写编号，请改为 FM-001",
        "content/commendations.toml:4: 警告：stewards: “ＦＭ－００２”里有全角字符，已按“FM-002”读取；请用半角（英文输入法）输入",
        "content/commendations.toml:4: stewards: \"ST-01\" 不是已登记的红管家编号，是不是 ST-001（郑卫国）？",
    ] {
        run.assert_line(line);
    }
}

#[test]
fn a_slip_in_commendations_toml_shows_the_line_as_it_should_be() {
    let site = Site::basic();
    site.write(
        "content/commendations.toml",
        "[[batch]]\nid = \"2018-1\"\ntitle = “第一批优秀红管家”\ndate = 2018-12-01\nstewards = [\"FM-001\"]\n",
    );
    let run = site.check();
    run.assert_code(1);
    run.assert_line(
        "content/commendations.toml:3: title: 文字两边要用英文双引号 \"，不能用中文引号“”：请写成 title = \"第一批优秀红管家\"",
    );
}

#[test]
fn a_misspelt_file_name_gets_the_name_meant() {
    let site = Site::basic();
    let stewards = site.read("content/stewards.csv");
    site.remove("content/stewards.csv");
    site.write("content/stuards.csv", &stewards);
    let run = site.check();
    run.assert_code(1);
    run.assert_line(
        "content/stuards.csv:1: 警告：不认识的文件或文件夹，已忽略，是不是想写 stewards.csv？",
    );
}

#[test]
fn a_setting_appended_under_the_last_table_is_said_to_be_in_the_wrong_section() {
    let site = Site::basic();
    site.write(
        "site.toml",
        "title = \"府山街道楼道红管家\"\n\n[lists]\npage_size = 20\nbase_url = \"https://example.org/fushan/\"\nhost = \"府山街道党工委\"\n",
    );
    let run = site.check();
    run.assert_code(1);
    run.assert_line(
        "site.toml:5: 未知的设置“lists.base_url”：base_url 是写在文件开头的设置，这里却在 [lists] 下面（TOML 里 [lists] 之后的每一行都属于 [lists]）；请把这一行移到文件开头、第一个 [ ] 之前",
    );
    run.assert_line(
        "site.toml:6: 未知的设置“lists.host”：host 是 [footer] 的设置，这里却在 [lists] 下面；请把这一行移到 [footer] 下面",
    );
}
