//! Every kind of problem the contract's "Errors" section lists, each reported as
//! `path:line: what is wrong` on stderr, all of them in one run, with exit code 1 and
//! nothing written.

mod common;

use common::{Run, Site, crlf, names_in, run, tree};

/// The closing line of a run with input errors.
fn summary_line(errors: usize, warnings: usize) -> String {
    format!("发现 {errors} 个错误、{warnings} 个警告。未写入任何文件，原有的输出保持不变。")
}

/// Builds `site`, expects it to fail on its input, writing nothing, and returns the run.
/// The diagnostics must be exactly `expected`, in order, followed by the count line.
fn build_fails_with(site: &Site, expected: &[&str]) -> Run {
    let before = tree(site.root());
    let out = site.build(&[]);
    out.assert_code(1);
    let mut want: Vec<String> = expected.iter().map(|l| l.to_string()).collect();
    want.push(summary_line(expected.len(), 0));
    assert_eq!(out.err_lines(), want, "stderr of build");
    assert_eq!(out.stdout, "", "a failed build reports nothing on stdout");
    assert_eq!(tree(site.root()), before, "a failed build writes nothing");
    assert!(!site.path("public").exists());
    out
}

/// The same through `check`: the same lines, nothing written.
fn check_fails_with(site: &Site, expected: &[&str]) {
    let before = tree(site.root());
    let out = site.check();
    out.assert_code(1);
    let mut want: Vec<String> = expected.iter().map(|l| l.to_string()).collect();
    want.push(summary_line(expected.len(), 0));
    assert_eq!(out.err_lines(), want, "stderr of check");
    assert_eq!(tree(site.root()), before, "check writes nothing");
}

fn fails_with(site: &Site, expected: &[&str]) {
    build_fails_with(site, expected);
    check_fails_with(site, expected);
}

// ---------------------------------------------------------------------------------------
// Unreadable files and bad syntax

#[test]
fn a_workbook_saved_under_a_csv_name_is_not_read_as_text() {
    let site = Site::basic();
    // The start of an .xlsx file: a zip archive.
    let mut bytes = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00".to_vec();
    bytes.extend_from_slice(b"[Content_Types].xml\x00\x00\xb4\x92\xcdN\xc30\x10");
    site.write_bytes("content/stewards.csv", &bytes);
    // The visits and cases that name its stewards are not reported once more each.
    fails_with(
        &site,
        &[
            "content/stewards.csv:1: 无法读取文件：不是文本文件（如果是 Excel 或 WPS 表格，请另存为 CSV 格式）",
        ],
    );
}

#[test]
fn a_file_that_cannot_be_read() {
    let site = Site::basic();
    // A folder where a file should be: opening works, reading does not.
    std::fs::create_dir_all(site.path("content/commendations.toml")).expect("mkdir");
    let out = site.build(&[]);
    out.assert_code(1);
    let lines = out.err_lines();
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    assert!(
        lines[0].starts_with("content/commendations.toml:1: 无法读取文件："),
        "{}",
        out.stderr
    );
    assert_eq!(lines[1], summary_line(1, 0));
    assert!(!site.path("public").exists());

    let site = Site::basic();
    std::fs::remove_file(site.path("site.toml")).expect("rm");
    std::fs::create_dir(site.path("site.toml")).expect("mkdir");
    let out = site.check();
    out.assert_code(1);
    assert!(
        out.stderr.starts_with("site.toml:1: 无法读取文件："),
        "{}",
        out.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_file_without_read_permission() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::basic();
    let path = site.path("content/visits.csv");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::File::open(&path).is_ok() {
        // Running as root: permissions do not stop reading. The folder case above covers
        // unreadable files there.
        return;
    }
    let out = site.build(&[]);
    out.assert_code(1);
    out.assert_line("content/visits.csv:1: 无法读取文件：Permission denied (os error 13)");
}

#[cfg(unix)]
#[test]
fn a_link_to_a_missing_file() {
    let site = Site::basic();
    site.remove("content/visits.csv");
    site.write(
        "content/visits/2018-11.csv",
        "日期,红管家,户数\n2018-11-20,FM-001,4\n",
    );
    std::os::unix::fs::symlink(
        "../../exports/2018-12.csv",
        site.path("content/visits/2018-12.csv"),
    )
    .expect("symlink");
    fails_with(
        &site,
        &[
            "content/visits/2018-12.csv: 这是一个符号链接，它指向的文件不存在。请把链接指向的文件放回原处，或删掉这个链接",
        ],
    );
}

#[test]
fn toml_syntax_errors_point_at_their_line() {
    let site = Site::basic();
    site.remove("content/visits.csv");
    site.write(
        "content/visits.toml",
        "[[visit]]\n\
         date = 2018-11-20\n\
         steward = \"FM-001\"\n\
         households = 4\n\
         note = \"王阿婆独居\n\
         \n\
         [[visit]]\n\
         date = 2018-11-21\n\
         date = 2018-11-22\n\
         steward = \"FM-002\"\n\
         households = 2\n",
    );
    site.remove("content/cases.csv");
    // TOML bare keys are ASCII only: the Chinese aliases need quotes.
    site.write(
        "content/cases.toml",
        "[[case]]\nid = \"C-001\"\n日期 = 2018-11-20\n",
    );
    fails_with(
        &site,
        &[
            "content/cases.toml:3: TOML 语法错误：invalid unquoted key, expected letters, numbers, `-`, `_`（中文键名须加英文双引号，如 \"日期\" = 2018-12-10）",
            "content/visits.toml:5: TOML 语法错误：invalid basic string, expected `\"`",
            "content/visits.toml:9: TOML 语法错误：duplicate key",
        ],
    );
}

#[test]
fn site_toml_syntax_error() {
    let site = Site::basic();
    site.write(
        "site.toml",
        "title = \"府山街道楼道红管家\"\nbase_url = https://example.org/fushan/\n",
    );
    fails_with(
        &site,
        &[
            "site.toml:2: base_url: 文字两边要加英文双引号：请写成 base_url = \"https://example.org/fushan/\"",
        ],
    );
}

#[test]
fn a_csv_quote_that_never_closes() {
    let site = Site::basic();
    // Left open, the quote would take the rest of the file as one field and C-002 would
    // silently disappear.
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,办结日期,详情\n\
         C-001,2018-11-20,FM-001,楼道堆物,3幢楼道堆放纸箱,已解决,2018-11-22,\"纸箱堵住了通道\n\
         C-002,2018-12-10,ST-001,停车,小区夜间停车难,已转办,,\n",
    );
    fails_with(
        &site,
        &[
            "content/cases.csv:2: 这一行有个以英文双引号开头的字段，直到文件末尾都没有结束的引号，之后的内容无法读取（字段里的双引号要写成两个 \"\"）",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Missing columns, fields and kinds

#[test]
fn a_missing_required_column_is_reported_once_at_the_header() {
    let site = Site::basic();
    // The header is the first non-empty row: line 2 here.
    site.write(
        "content/visits.csv",
        "\n日期,红管家,楼幢\n2018-11-20,FM-001,3幢\n2018-11-21,FM-002,5幢\n",
    );
    site.write(
        "content/cases.csv",
        "编号,日期,类别,事项\nC-001,2018-11-20,楼道堆物,3幢楼道堆放纸箱\n",
    );
    fails_with(
        &site,
        &[
            "content/cases.csv:1: 缺少必填列“状态”（status）",
            "content/cases.csv:1: 缺少必填列“红管家”（steward）",
            "content/visits.csv:2: 缺少必填列“户数”（households）",
        ],
    );
}

#[test]
fn a_date_exported_with_a_time_without_its_year_or_as_a_day_number_gets_the_date_to_write() {
    let site = Site::basic();
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n3月5日,FM-001,2\n2018/11/20 00:00,FM-001,2\n43424,FM-001,2\n",
    );
    fails_with(
        &site,
        &[
            "content/visits.csv:2: 日期: \"3月5日\" 不是有效日期：少了年份，请写全，如 2018年3月5日",
            "content/visits.csv:3: 日期: \"2018/11/20 00:00\" 不是有效日期：不要带时间，只写日期，如 2018-11-20",
            "content/visits.csv:4: 日期: \"43424\" 不是有效日期：这是 Excel 存日期用的序号（即 2018-11-20），导出时这一列没有设成日期格式；请写作 2018-11-20，或在 Excel 里把这一列设为日期格式后重新导出",
        ],
    );
}

#[test]
fn a_title_row_above_a_csv_header_is_named_as_such_once() {
    let site = Site::basic();
    site.write(
        "content/visits.csv",
        "2018年11月走访记录表,,\n日期,红管家,户数\n2018-11-20,FM-001,4\n",
    );
    fails_with(
        &site,
        &[
            "content/visits.csv:1: 这一行没有一个认得的列名，不像表头（表头要写 日期、红管家、户数 等列名）。如果“2018年11月走访记录表”是表头上方的标题行，请把标题行删掉，让列名成为第一行",
        ],
    );
}

#[test]
fn two_columns_for_one_field() {
    let site = Site::basic();
    site.write(
        "content/visits.csv",
        "日期,红管家,households,户数\n2018-11-20,FM-001,4,4\n",
    );
    fails_with(
        &site,
        &["content/visits.csv:1: 列“户数”与列“households”是同一字段（households），只能保留一列"],
    );
}

#[test]
fn a_missing_required_key_is_reported_at_its_table() {
    let site = Site::basic();
    site.remove("content/visits.csv");
    site.write(
        "content/visits.toml",
        "# 十二月走访\n\
         \n\
         [[visit]]\n\
         date = 2018-12-10\n\
         steward = \"ST-001\"\n\
         \n\
         [[visit]]\n\
         \"日期\" = 2018-12-11\n\
         \"户数\" = 2\n",
    );
    fails_with(
        &site,
        &[
            "content/visits.toml:3: 缺少必填字段“户数”（households）",
            "content/visits.toml:7: 缺少必填字段“红管家”（steward）",
        ],
    );
}

#[test]
fn an_empty_required_value() {
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态\nC-001,2018-11-20,FM-001, ,3幢楼道堆放纸箱,待办\n",
    );
    site.write(
        "content/errands.toml",
        "[[errand]]\ndate = 2018-12-03\nsteward = \"ST-001\"\ncategory = \"\"\n",
    );
    fails_with(
        &site,
        &[
            "content/cases.csv:2: 类别: 必填，不能为空",
            "content/errands.toml:4: category: 必填，不能为空",
        ],
    );
}

#[test]
fn a_missing_required_kind() {
    let site = Site::basic();
    site.remove("content/cases.csv");
    fails_with(
        &site,
        &[
            "content/cases.csv:1: 缺少民情事项数据：请提供 content/cases.csv、content/cases.toml、工作簿 content/cases.xlsx、文件夹 content/cases/，或在工作簿（如 content/红管家台账.xlsx）里建一个名为“民情事项”的工作表",
        ],
    );

    // Without stewards, the visits and cases that name them are not reported each.
    let site = Site::basic();
    site.remove("content/stewards.csv");
    fails_with(
        &site,
        &[
            "content/stewards.csv:1: 缺少红管家数据：请提供 content/stewards.csv、content/stewards.toml、工作簿 content/stewards.xlsx、文件夹 content/stewards/，或在工作簿（如 content/红管家台账.xlsx）里建一个名为“红管家”的工作表",
        ],
    );
}

#[test]
fn a_kind_given_both_as_a_file_and_as_a_folder() {
    let site = Site::basic();
    site.write(
        "content/visits/2018-12.csv",
        "日期,红管家,户数\n2018-12-20,FM-001,3\n",
    );
    fails_with(
        &site,
        &[
            "content/visits.csv:1: 走访记录数据同时存在于 content/visits.csv 和 content/visits/，只能保留一处",
        ],
    );

    let site = Site::basic();
    site.write(
        "content/cases.toml",
        "[[case]]\nid = \"C-9\"\ndate = 2018-12-20\nsteward = \"FM-001\"\ncategory = \"停车\"\nsummary = \"车位不足\"\nstatus = \"待办\"\n",
    );
    fails_with(
        &site,
        &[
            "content/cases.csv:1: 民情事项数据同时存在于 content/cases.csv 和 content/cases.toml，只能保留一处",
        ],
    );
}

#[test]
fn site_toml_missing_or_without_title_or_base_url() {
    let site = Site::basic();
    site.remove("site.toml");
    fails_with(
        &site,
        &["site.toml:1: 找不到站点设置文件 site.toml（至少需要 title 和 base_url）"],
    );

    let site = Site::basic();
    site.write(
        "site.toml",
        "# 站点设置\ndescription = \"楼道红管家工作公开\"\n",
    );
    fails_with(
        &site,
        &[
            "site.toml:1: 缺少必填设置 base_url（站点网址，如 https://example.gov.cn/fushan/）",
            "site.toml:1: 缺少必填设置 title（站点名称）",
        ],
    );

    // Present but empty: reported at the key.
    let site = Site::basic();
    site.write(
        "site.toml",
        "# 站点设置\ntitle = \"  \"\nbase_url = \"https://example.org/fushan/\"\n",
    );
    fails_with(&site, &["site.toml:2: 缺少必填设置 title（站点名称）"]);

    let site = Site::basic();
    site.write(
        "site.toml",
        "title = \"府山街道楼道红管家\"\nbase_url = \"example.org/fushan\"\n",
    );
    fails_with(
        &site,
        &[
            "site.toml:2: base_url: \"example.org/fushan\" 应以 http:// 或 https:// 开头，或以 / 开头的路径",
        ],
    );
}

#[test]
fn a_decision_dated_inside_its_notice_period() {
    let site = Site::basic();
    site.write(
        "content/commendations.toml",
        "[[batch]]\n\
         id = \"2018-1\"\n\
         title = \"第一批优秀红管家\"\n\
         stewards = [\"FM-001\"]\n\
         [batch.notice]\n\
         start = 2018-11-20\n\
         end = 2018-11-26\n\
         [batch.decision]\n\
         number = \"府街党〔2018〕12号\"\n\
         date = 2018-11-25\n",
    );
    fails_with(
        &site,
        &[
            "content/commendations.toml:10: decision.date: 2018-11-25 不在公示期结束（2018-11-26）之后：表彰决定应在公示期满后作出，请核对两个日期",
        ],
    );
    site.write(
        "content/commendations.toml",
        "[[batch]]\nid = \"2018-1\"\ntitle = \"第一批\"\nstewards = [\"FM-001\"]\n[batch.decision]\nnumber = \"府街党〔2018〕12号\"\n",
    );
    fails_with(
        &site,
        &[
            "content/commendations.toml:5: decision: 缺少必填字段“date”（表彰决定的日期，如 date = 2018-12-01）",
        ],
    );
}

#[test]
fn footer_filings_that_cannot_be_right() {
    let site = Site::basic();
    site.write(
        "site.toml",
        "title = \"府山街道\"\nbase_url = \"https://example.org/\"\n[footer]\nhost = \"府山街道党工委\"\nsite_code = \"33080200\"\nicp = \"00000000号\"\npolice = \"浙公网安备号\"\n\"承办单位\" = \"x\"\n",
    );
    fails_with(
        &site,
        &["site.toml:8: 未知的设置“footer.承办单位”（可用的设置见 docs/records.md）"],
    );
    site.write(
        "site.toml",
        "title = \"府山街道\"\nbase_url = \"https://example.org/\"\n[footer]\nhost = \"府山街道党工委\"\nsite_code = \"33080200\"\nicp = \"00000000号\"\npolice = \"浙公网安备号\"\n",
    );
    fails_with(
        &site,
        &[
            "site.toml:5: footer.site_code: \"33080200\" 不是有效的网站标识码：网站标识码是 10 位数字，如 site_code = \"3308020001\"",
            "site.toml:6: footer.icp: \"00000000号\" 不像 ICP备案号：应照备案系统的写法填写，如 icp = \"浙ICP备00000000号-1\"",
            "site.toml:7: footer.police: \"浙公网安备号\" 里没有备案编号：应写作 police = \"浙公网安备 33080202000001号\"",
        ],
    );
}

#[test]
fn a_category_url_setting_that_is_not_a_folder_name() {
    let site = Site::basic();
    site.write(
        "site.toml",
        "title = \"府山街道\"\nbase_url = \"https://example.org/\"\n[categories]\n\"停车\" = \"Ting Che\"\n",
    );
    fails_with(
        &site,
        &[
            "site.toml:4: categories.停车: \"Ting Che\" 不能用作网址：只能用小写英文字母、数字和连字符，如 \"停车\" = \"tingche\"",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Values of the wrong form

#[test]
fn wrong_dates() {
    let site = Site::basic();
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n\
         2018-13-01,FM-001,4\n\
         2018-11-21,FM-002,2\n\
         2018-11-31,FM-002,2\n",
    );
    site.write(
        "content/cases.csv",
        "编号,date,红管家,类别,事项,状态\nC-001,12/10/2018,FM-001,停车,车位不足,待办\n",
    );
    site.write(
        "content/errands.toml",
        "[[errand]]\n\
         \"红管家\" = \"ST-001\"\n\
         \"类别\" = \"代购药品\"\n\
         \"日期\" = 2018-12-03T08:30:00\n\
         \n\
         [[errand]]\n\
         steward = \"ST-001\"\n\
         category = \"代缴费用\"\n\
         date = \"2018年12月\"\n",
    );
    let hint = "不是有效日期（可写作 2018-12-10、2018/12/10、2018.12.10 或 2018年12月10日）";
    fails_with(
        &site,
        &[
            &format!("content/cases.csv:2: date: \"12/10/2018\" {hint}"),
            &format!("content/errands.toml:4: 日期: \"2018-12-03T08:30:00\" {hint}"),
            &format!("content/errands.toml:9: date: \"2018年12月\" {hint}"),
            // A date of an allowed form that does not exist says why.
            "content/visits.csv:2: 日期: \"2018-13-01\" 不是有效日期：没有13月，月份应为 1 到 12",
            "content/visits.csv:4: 日期: \"2018-11-31\" 不是有效日期：11月没有31日",
        ],
    );
}

#[test]
fn numbers_that_are_not_whole_numbers() {
    let site = Site::basic();
    site.write(
        "content/communities.csv",
        "编号,名称,网格数\nfangmen,坊门街社区,八\nshuiting,水亭街社区,6\n",
    );
    // Visits as a folder: a CSV with an English header, next to a TOML file.
    site.remove("content/visits.csv");
    site.write(
        "content/visits/2018-11.csv",
        "日期,红管家,Households\n\
         2018-11-20,FM-001,4\n\
         2018-11-21,FM-002,三\n\
         2018-12-10,ST-001,0\n",
    );
    site.write(
        "content/visits/2018-12.toml",
        "[[visit]]\n\"日期\" = 2018-12-20\n\"红管家\" = \"FM-001\"\n\"户数\" = \"三\"\n\n\
         [[visit]]\ndate = 2018-12-21\nsteward = \"FM-001\"\nhouseholds = 1.5\n",
    );
    fails_with(
        &site,
        &[
            "content/communities.csv:2: 网格数: \"八\" 不是整数，请写阿拉伯数字，如 8",
            "content/visits/2018-11.csv:3: Households: \"三\" 不是整数，请写阿拉伯数字，如 3",
            "content/visits/2018-11.csv:4: Households: \"0\" 应不小于 1",
            "content/visits/2018-12.toml:4: 户数: \"三\" 不是整数，请写阿拉伯数字，如 3",
            "content/visits/2018-12.toml:9: households: \"1.5\" 不是整数，不能有小数，请写整数",
        ],
    );
}

#[test]
fn enumerated_values_outside_their_set() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别,性别,公开\n\
         FM-001,周明华,fangmen,3幢,在册,男,是\n\
         FM-002,吴建英,fangmen,5幢,预备党员,女,\n\
         ST-001,郑卫国,shuiting,1幢,两新,M,不\n",
    );
    site.write(
        "content/visits.csv",
        "日期,红管家,户数,类型\n2018-11-20,FM-001,4,家访\n",
    );
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,办理渠道\n\
         C-001,2018-11-20,FM-001,停车,车位不足,已完成,物业\n\
         C-002,2018-11-21,FM-001,停车,夜间乱停车,待办,电话\n",
    );
    site.write(
        "content/errands.toml",
        "[[errand]]\ndate = 2018-12-03\nsteward = \"FM-001\"\ncategory = \"代购药品\"\nstatus = \"完成\"\n",
    );
    fails_with(
        &site,
        &[
            "content/cases.csv:2: 状态: \"已完成\" 不是有效的取值（应为 待办、办理中、已转办、已解决 或 已反馈）",
            "content/cases.csv:3: 办理渠道: \"电话\" 不是有效的取值（应为 楼道、网格员、物业、业委会 或 社区）",
            "content/errands.toml:5: status: \"完成\" 不是有效的取值（应为 已办结 或 办理中）",
            "content/stewards.csv:3: 党员类别: \"预备党员\" 不是有效的取值（应为 在册、在职 或 两新）",
            // Same line: in the order of the messages.
            "content/stewards.csv:4: 公开: \"不\" 不是有效的取值（应为 是 或 否）",
            "content/stewards.csv:4: 性别: \"M\" 不是有效的取值（应为 男 或 女）",
            "content/visits.csv:2: 类型: \"家访\" 不是有效的取值（应为 走访、敲门日 或 巡逻）",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Duplicate ids and unknown references

#[test]
fn duplicate_steward_ids() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\n\
         FM-001,周明华,fangmen,3幢,在册\n\
         FM-002,吴建英,fangmen,5幢,在职\n\
         FM-001,周明华,fangmen,7幢,在册\n\
         ST-001,郑卫国,shuiting,1幢,两新\n",
    );
    fails_with(
        &site,
        &[
            "content/stewards.csv:4: 编号: \"FM-001\" 重复，已在第 2 行（周明华）出现；请给这一行（周明华）换一个没有用过的编号，或删掉重复的这一行",
        ],
    );

    // In TOML, at the id's key; the first one is named by its table.
    let site = Site::basic();
    site.remove("content/stewards.csv");
    site.write(
        "content/stewards.toml",
        "[[steward]]\nid = \"FM-001\"\nname = \"周明华\"\ncommunity = \"fangmen\"\nbuildings = [\"3幢\"]\nmembership = \"在册\"\n\n\
         [[steward]]\nname = \"吴建英\"\ncommunity = \"fangmen\"\nbuildings = [\"5幢\"]\nmembership = \"在职\"\nid = \"FM-001\"\n\n\
         [[steward]]\nid = \"FM-002\"\nname = \"吴建英\"\ncommunity = \"fangmen\"\nbuildings = \"5幢\"\nmembership = \"在职\"\n\n\
         [[steward]]\nid = \"ST-001\"\nname = \"郑卫国\"\ncommunity = \"shuiting\"\nbuildings = [\"1幢\"]\nmembership = \"两新\"\n",
    );
    fails_with(
        &site,
        &[
            "content/stewards.toml:13: id: \"FM-001\" 重复，已在第 1 行（周明华）出现；请给这一行（吴建英）换一个没有用过的编号，或删掉重复的这一行",
        ],
    );
}

#[test]
fn duplicate_case_ids_across_the_files_of_a_folder() {
    let site = Site::basic();
    site.remove("content/cases.csv");
    site.write(
        "content/cases/2018-11.csv",
        "编号,日期,红管家,类别,事项,状态\nC-001,2018-11-20,FM-001,停车,车位不足,待办\n",
    );
    site.write(
        "content/cases/2018-12.csv",
        "编号,日期,红管家,类别,事项,状态\n\
         C-002,2018-12-10,ST-001,停车,夜间乱停车,待办\n\
         C-001,2018-12-11,ST-001,楼道堆物,楼道堆放杂物,待办\n\
         C-002,2018-12-12,ST-001,楼道堆物,楼道堆放杂物,待办\n",
    );
    fails_with(
        &site,
        &[
            "content/cases/2018-12.csv:3: 编号: \"C-001\" 重复，已在 content/cases/2018-11.csv:2 出现",
            "content/cases/2018-12.csv:4: 编号: \"C-002\" 重复，已在第 2 行出现",
        ],
    );
}

#[test]
fn duplicate_community_ids_and_names() {
    let site = Site::basic();
    site.write(
        "content/communities.csv",
        "编号,名称\n\
         fangmen,坊门街社区\n\
         shuiting,水亭街社区\n\
         fangmen,府山社区\n\
         shuiting-2,水亭街社区\n",
    );
    fails_with(
        &site,
        &[
            "content/communities.csv:4: 编号: \"fangmen\" 重复，已在第 2 行出现",
            "content/communities.csv:5: 名称: \"水亭街社区\" 重复，已在第 3 行出现",
        ],
    );
}

#[test]
fn references_to_unknown_stewards_and_communities() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\n\
         FM-001,周明华,fangmen,3幢,在册\n\
         FM-002,吴建英,坊门街社区,5幢,在职\n\
         ST-001,郑卫国,shuiting,1幢,两新\n\
         KX-001,冯丽娟,府山社区,2幢,在册\n",
    );
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n2018-11-20,FM-001,4\n2018-11-21,FM-009,2\n",
    );
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态\nC-001,2018-11-20,ST-009,停车,车位不足,待办\n",
    );
    site.write(
        "content/errands.csv",
        "日期,红管家,类别\n2018-12-03,FM-010,代购药品\n",
    );
    site.write(
        "content/meetings.csv",
        "日期,社区,参会人员,议题\n\
         2018-12-20,府山社区,FM-001,楼道堆物\n\
         2018-12-21,shuiting,ST-001;FM-011,停车\n\
         2018-12-22,fangmen,KX-001,路灯\n",
    );
    site.write(
        "content/commendations.toml",
        "[[batch]]\n\
         id = \"2018-1\"\n\
         title = \"第一批优秀红管家\"\n\
         date = 2018-12-01\n\
         stewards = [\"FM-001\", \"FM-012\"]\n\
         \n\
         [batch.citations]\n\
         \"FM-001\" = \"带头清理楼道堆物。\"\n\
         \"FM-013\" = \"热心代办。\"\n",
    );
    site.remove("content/visits.csv");
    site.write(
        "content/visits.toml",
        "[[visit]]\ndate = 2018-11-20\nhouseholds = 4\nsteward = \"FM-014\"\n",
    );
    // KX-001 has an error of its own (its community): the meeting that lists it is not
    // reported again.
    fails_with(
        &site,
        &[
            "content/cases.csv:2: 红管家: \"ST-009\" 不是已登记的红管家编号",
            "content/commendations.toml:5: stewards: \"FM-012\" 不是已登记的红管家编号",
            "content/commendations.toml:9: citations: \"FM-013\" 不是已登记的红管家编号",
            "content/errands.csv:2: 红管家: \"FM-010\" 不是已登记的红管家编号",
            "content/meetings.csv:2: 社区: \"府山社区\" 不是已登记的社区编号或名称",
            "content/meetings.csv:3: 参会人员: \"FM-011\" 不是已登记的红管家编号",
            "content/stewards.csv:5: 社区: \"府山社区\" 不是已登记的社区编号或名称",
            "content/visits.toml:4: steward: \"FM-014\" 不是已登记的红管家编号",
        ],
    );
}

#[test]
fn a_communities_file_without_rows_does_not_drop_the_stewards_silently() {
    let site = Site::basic();
    site.write("content/communities.csv", "编号,名称,党组织\n");
    fails_with(
        &site,
        &[
            "content/stewards.csv:2: 社区: \"fangmen\" 不是已登记的社区编号或名称",
            "content/stewards.csv:3: 社区: \"坊门街社区\" 不是已登记的社区编号或名称",
            "content/stewards.csv:4: 社区: \"shuiting\" 不是已登记的社区编号或名称",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Resolved cases

#[test]
fn a_resolved_date_before_the_case_date() {
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,办结日期\n\
         C-001,2018-11-20,FM-001,楼道堆物,3幢楼道堆放纸箱,已解决,2018/11/19\n\
         C-002,2018-12-10,ST-001,停车,小区夜间停车难,已解决,2018-12-10\n",
    );
    fails_with(
        &site,
        &["content/cases.csv:2: 办结日期: 2018-11-19 早于收集日期 2018-11-20"],
    );

    let site = Site::basic();
    site.remove("content/cases.csv");
    site.write(
        "content/cases.toml",
        "[[case]]\nid = \"C-001\"\ndate = 2018-12-10\nsteward = \"ST-001\"\ncategory = \"停车\"\n\
         summary = \"小区夜间停车难\"\nstatus = \"resolved\"\nresolved = 2018-12-01\n",
    );
    fails_with(
        &site,
        &["content/cases.toml:8: resolved: 2018-12-01 早于收集日期 2018-12-10"],
    );
}

#[test]
fn a_resolved_case_without_its_resolved_date() {
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,办结日期\n\
         C-001,2018-11-20,FM-001,楼道堆物,3幢楼道堆放纸箱,已解决,\n\
         C-002,2018-12-10,ST-001,停车,小区夜间停车难,已转办,\n",
    );
    fails_with(
        &site,
        &["content/cases.csv:2: 状态: 为“已解决”时必须填写办结日期"],
    );

    // No such column at all; and in TOML, at the status key.
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态\nC-001,2018-11-20,FM-001,楼道堆物,3幢楼道堆放纸箱,已解决\n",
    );
    fails_with(
        &site,
        &["content/cases.csv:2: 状态: 为“已解决”时必须填写办结日期"],
    );

    let site = Site::basic();
    site.remove("content/cases.csv");
    site.write(
        "content/cases.toml",
        "[[case]]\nid = \"C-001\"\ndate = 2018-12-10\nsteward = \"ST-001\"\ncategory = \"停车\"\n\
         summary = \"小区夜间停车难\"\nstatus = \"已解决\"\n",
    );
    fails_with(
        &site,
        &["content/cases.toml:7: status: 为“已解决”时必须填写办结日期"],
    );
}

// ---------------------------------------------------------------------------------------
// Line numbers in every encoding and line end

#[test]
fn lines_are_the_editor_lines_with_crlf_and_multi_line_fields() {
    let site = Site::basic();
    site.write(
        "content/visits.csv",
        &crlf(
            "日期,红管家,户数,备注\n\
             2018-11-20,FM-001,4,\"王阿婆独居\n腿脚不便\"\n\
             2018-11-21,FM-002,2,\n\
             \n\
             2018-12-10,ST-001,三,\n",
        ),
    );
    site.remove("content/cases.csv");
    site.write(
        "content/cases.toml",
        &crlf(
            "[[case]]\nid = \"C-001\"\ndate = 2018-12-10\nsteward = \"ST-001\"\ncategory = \"停车\"\n\
             summary = \"\"\"小区\n夜间停车难\"\"\"\nstatus = \"已办\"\n",
        ),
    );
    fails_with(
        &site,
        &[
            "content/cases.toml:8: status: \"已办\" 不是有效的取值（应为 待办、办理中、已转办、已解决 或 已反馈）",
            "content/visits.csv:6: 户数: \"三\" 不是整数，请写阿拉伯数字，如 3",
        ],
    );
}

#[test]
fn messages_quote_gbk_files_in_readable_chinese() {
    let site = Site::basic();
    let text = "编号,姓名,社区,联系楼幢,党员类别\r\n\
                FM-001,周明华,fangmen,3幢,在册\r\n\
                FM-002,吴建英,坊门街社区,5幢,预备党员\r\n\
                ST-001,郑卫国,府山社区,1幢,两新\r\n";
    let (bytes, _, _) = encoding_rs::GBK.encode(text);
    site.write_bytes("content/stewards.csv", &bytes);
    fails_with(
        &site,
        &[
            "content/stewards.csv:3: 党员类别: \"预备党员\" 不是有效的取值（应为 在册、在职 或 两新）",
            "content/stewards.csv:4: 社区: \"府山社区\" 不是已登记的社区编号或名称",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// The run as a whole

#[test]
fn every_error_of_a_site_is_reported_in_one_run() {
    let site = Site::basic();
    site.write("site.toml", "base_url = \"https://example.org/fushan/\"\n");
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\n\
         FM-001,周明华,fangmen,3幢,在册\n\
         FM-002,吴建英,坊门街社区,5幢,预备党员\n\
         FM-001,郑卫国,shuiting,1幢,两新\n",
    );
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n\
         2018-13-20,FM-001,4\n\
         2018-11-21,FM-002,2\n\
         2018-11-22,FM-009,三\n",
    );
    site.remove("content/cases.csv");
    site.write(
        "content/cases.toml",
        "[[case]]\nid = \"C-001\"\ndate = 2018-11-20\nsteward = \"FM-001\"\ncategory = \"楼道堆物\"\n\
         summary = \"3幢楼道堆放纸箱\"\nstatus = \"已解决\"\nresolved = 2018-11-02\n\n\
         [[case]]\nid = \"C-001\"\ndate = 2018-12-10\nsteward = \"FM-001\"\ncategory = \"停车\"\n\
         summary = \"夜间乱停车\"\nstatus = \"已解决\"\n",
    );
    site.write(
        "content/meetings.csv",
        "日期,社区,参会人员\n2018-12-20,府山社区,FM-001\n",
    );
    let expected = [
        "content/cases.toml:8: resolved: 2018-11-02 早于收集日期 2018-11-20",
        "content/cases.toml:11: id: \"C-001\" 重复，已在第 1 行出现",
        "content/cases.toml:16: status: 为“已解决”时必须填写办结日期",
        "content/meetings.csv:2: 社区: \"府山社区\" 不是已登记的社区编号或名称",
        "content/stewards.csv:3: 党员类别: \"预备党员\" 不是有效的取值（应为 在册、在职 或 两新）",
        "content/stewards.csv:4: 编号: \"FM-001\" 重复，已在第 2 行（周明华）出现；请给这一行（郑卫国）换一个没有用过的编号，或删掉重复的这一行",
        "content/visits.csv:2: 日期: \"2018-13-20\" 不是有效日期：没有13月，月份应为 1 到 12",
        "content/visits.csv:4: 户数: \"三\" 不是整数，请写阿拉伯数字，如 3",
        "content/visits.csv:4: 红管家: \"FM-009\" 不是已登记的红管家编号",
        "site.toml:1: 缺少必填设置 title（站点名称）",
    ];
    // FM-002 was refused (its 党员类别), so its visit on line 3 is not reported again.
    fails_with(&site, &expected);
}

#[test]
fn warnings_are_counted_beside_errors() {
    let site = Site::basic();
    site.write(
        "content/visits.csv",
        "日期,红管家,户数,微信号\n2018-11-20,FM-001,三,abc\n",
    );
    let out = site.build(&[]);
    out.assert_code(1);
    assert_eq!(
        out.err_lines(),
        [
            "content/visits.csv:1: 警告：未知的列“微信号”，已忽略且不会公开",
            "content/visits.csv:2: 户数: \"三\" 不是整数，请写阿拉伯数字，如 3",
            &summary_line(1, 1),
        ]
    );
}

#[test]
fn check_writes_nothing_and_prints_counts() {
    let site = Site::fixture("every-kind-csv");
    let before = tree(site.root());
    let out = site.check();
    out.assert_code(0);
    assert_eq!(out.stderr, "");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "检查通过：社区 2，红管家 3，走访记录 3，民情事项 3，代办事项 2，红管家议事会 1。",
            "表彰批次 1，受表彰红管家 2 名。",
        ]
    );
    // `check` renders every page in memory, so it fails whenever `build` would.
    assert!(
        lines[2].starts_with("可生成 ") && lines[2].ends_with("本次检查未写入任何文件。"),
        "{}",
        lines[2]
    );
    assert_eq!(tree(site.root()), before);
    assert_eq!(names_in(site.root()), ["content", "site.toml"]);
}

#[test]
fn wrong_usage_exits_with_2() {
    let site = Site::basic();
    let root = site.root().to_str().expect("utf-8 path");
    for args in [
        &[][..],
        &["publish"][..],
        &["build", "--bogus"][..],
        &["build", "--root"][..],
        &["build", "--root", root, "extra"][..],
        &["check", "--output", "x"][..],
        &["check", "--force"][..],
    ] {
        let out = run(args);
        assert_eq!(out.code, 2, "{args:?}\n{}", out.stderr);
        assert!(!out.stderr.is_empty(), "{args:?} says what is wrong");
    }
    assert!(!site.path("public").exists());
    assert!(!std::path::Path::new("x").exists());
}

#[test]
fn a_duplicate_id_is_reported_even_when_its_first_record_has_another_error() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别,性别\n\
         FM-001,周明华,fangmen,3幢,在册,F\n\
         FM-001,吴建英,fangmen,5幢,在职,女\n\
         ST-001,郑卫国,shuiting,1幢,两新,男\n",
    );
    let out = site.check();
    out.assert_code(1);
    assert!(
        out.stderr
            .contains("content/stewards.csv:3: 编号: \"FM-001\" 重复，已在第 2 行出现"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("content/stewards.csv:2: 性别: \"F\""),
        "{}",
        out.stderr
    );
}

/// A roster long enough to be checked in several parts, on several threads: an id used
/// again far down is still reported at its line, naming the first, even when that first
/// record had an error of its own; and the messages are those of one pass.
#[test]
fn a_duplicate_id_far_down_a_long_roster_names_its_first_record() {
    use std::fmt::Write as _;
    let site = Site::basic();
    let mut text = String::from(
        "编号,姓名,社区,联系楼幢,党员类别,性别\n\
         FM-001,周明华,fangmen,3幢,在册,男\n\
         ST-001,郑卫国,shuiting,1幢,两新,男\n\
         FM-002,吴建英,fangmen,5幢,在职,F\n",
    );
    // About 2 MB: more than one block of the parallel reader.
    for i in 0..40_000 {
        let _ = writeln!(text, "X-{i:05},王秀英{i},fangmen,{}幢,在职,女", i % 40 + 1);
    }
    text.push_str("FM-002,吴建英,fangmen,5幢,在职,女\n");
    text.push_str("X-39999,王秀英,shuiting,1幢,在职,女\n");
    text.push_str("X-40000,王秀英,shuiting-2,1幢,在职,女\n");
    site.write("content/stewards.csv", &text);
    fails_with(
        &site,
        &[
            "content/stewards.csv:4: 性别: \"F\" 不是有效的取值（应为 男 或 女）",
            "content/stewards.csv:40005: 编号: \"FM-002\" 重复，已在第 4 行出现；请给这一行（吴建英）换一个没有用过的编号，或删掉重复的这一行",
            "content/stewards.csv:40006: 编号: \"X-39999\" 重复，已在第 40004 行（王秀英39999）出现；请给这一行（王秀英）换一个没有用过的编号，或删掉重复的这一行",
            "content/stewards.csv:40007: 社区: \"shuiting-2\" 不是已登记的社区编号或名称",
        ],
    );
}

#[test]
fn a_folder_that_is_no_site_gets_one_clear_message() {
    let site = Site::empty();
    let out = site.build(&[]);
    out.assert_code(1);
    let lines = out.err_lines();
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    assert!(
        lines[0].starts_with(&format!("{}: ", site.path("").display()).replace("/: ", ": "))
            && lines[0].contains("这里没有 site.toml 和 content/，不像是一个站点文件夹"),
        "{}",
        lines[0]
    );
}

#[test]
fn a_root_that_does_not_exist_is_named_as_such() {
    let site = Site::empty();
    let missing = site.path("不存在");
    let out = run(&[
        "build",
        "--root",
        missing.to_str().expect("utf-8 temp path"),
    ]);
    out.assert_code(1);
    let lines = out.err_lines();
    assert!(
        lines[0]
            .ends_with("不存在: 没有这个文件夹。请检查 --root 后面写的路径，或在站点文件夹里运行"),
        "{}",
        lines[0]
    );
}

#[test]
fn two_categories_at_one_address_are_an_input_problem_not_a_template_error() {
    let site = Site::basic();
    site.append_line(
        "content/cases.csv",
        "C-003,2018-12-10,ST-001,亭车,亭子边停车,待办,,,,,",
    );
    for run in [site.check(), site.build(&[])] {
        run.assert_code(1);
        run.assert_line(
            "site.toml:1: 民情类别“亭车”和“停车”的网址都会是 cases/category/ting-che/：请在 site.toml 的 [categories] 里给其中一个另起网址名，如 \"停车\" = \"ting-che-2\"",
        );
        run.assert_line("发现 1 个错误、0 个警告。未写入任何文件，原有的输出保持不变。");
        assert!(!run.stderr.contains("模板"), "{}", run.stderr);
    }
}

#[test]
fn a_duplicated_steward_id_is_one_error_naming_the_id_it_displaced() {
    let site = Site::basic();
    // The row of FM-002 was copied from the one above and not renumbered: every visit and
    // case of FM-002 would otherwise be an error of its own.
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\n\
         FM-001,周明华,fangmen,3幢,在册\n\
         FM-001,吴建英,fangmen,5幢,在职\n\
         ST-001,郑卫国,shuiting,1幢,两新\n",
    );
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n2018-11-20,FM-001,4\n2018-11-21,FM-002,2\n2018-11-22,FM-002,3\n",
    );
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态\nC-1,2018-11-20,FM-002,停车,停车难,待办\n",
    );
    fails_with(
        &site,
        &[
            "content/stewards.csv:3: 编号: \"FM-001\" 重复，已在第 2 行（周明华）出现；这一行（吴建英）多半应是 FM-002：名册里没有 FM-002，记录里却引用了它。请把这一行的编号改为 FM-002。另有 3 处引用 FM-002（如 content/cases.csv:2），改好后都会读到",
        ],
    );
}
