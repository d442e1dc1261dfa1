//! Records kept in Excel/WPS workbooks read to the same figures as the same records in CSV,
//! whatever form the workbook takes, and each cell problem is reported at sheet!cell.

mod common;

use std::fs;
use std::path::Path;

use common::{Site, read_summary, tree};
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet};

const SAMPLE_KINDS: &[(&str, &str)] = &[
    ("communities", "社区"),
    ("stewards", "红管家"),
    ("visits", "走访记录"),
    ("cases", "民情事项"),
    ("errands", "代办事项"),
    ("meetings", "议事会"),
];

/// The rows of a CSV file, header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader
        .records()
        .map(|r| r.expect("csv row").iter().map(str::to_string).collect())
        .collect()
}

/// The rows of one kind of the repository's sample, the visits of every month together.
fn sample_rows(kind: &str) -> Vec<Vec<String>> {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let file = content.join(format!("{kind}.csv"));
    if file.exists() {
        return csv_rows(&file);
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (name, _) in tree(&content.join(kind)) {
        let month = csv_rows(&content.join(kind).join(name));
        let skip = usize::from(!rows.is_empty());
        rows.extend(month.into_iter().skip(skip));
    }
    rows
}

/// Days from 1970-01-01 (Howard Hinnant's days-from-civil), for Excel serials.
fn excel_serial(text: &str) -> Option<f64> {
    let mut parts = text.split('-');
    let (y, m, d): (i64, i64, i64) = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468 + 25_569) as f64)
}

/// Writes rows the way Excel stores what a person types: digits become numbers (a phone
/// too), dates become date serials shown as dates, text with leading zeros stays text.
fn write_typed(sheet: &mut Worksheet, rows: &[Vec<String>], first_row: u32) {
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let header = &rows[0];
    for (r, row) in rows.iter().enumerate() {
        let r = first_row + r as u32;
        for (c, value) in row.iter().enumerate() {
            let c = c as u16;
            let is_date_column = header[usize::from(c)].ends_with("日期");
            let digits = !value.is_empty()
                && value.len() < 16
                && value.bytes().all(|b| b.is_ascii_digit())
                && !value.starts_with('0');
            if r > first_row
                && is_date_column
                && let Some(serial) = excel_serial(value)
            {
                sheet
                    .write_number_with_format(r, c, serial, &date)
                    .expect("date");
            } else if r > first_row && digits {
                sheet
                    .write_number(r, c, value.parse::<f64>().expect("digits"))
                    .expect("number");
            } else if !value.is_empty() {
                sheet.write_string(r, c, value).expect("text");
            }
        }
    }
}

fn add_sheet<'w>(book: &'w mut Workbook, name: &str) -> &'w mut Worksheet {
    let sheet = book.add_worksheet();
    sheet.set_name(name).expect("sheet name");
    sheet
}

/// A site with the sample's settings, commendations, bulletin and page, and no records.
fn sample_without_records() -> Site {
    let site = Site::empty();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    site.write_bytes(
        "site.toml",
        &fs::read(root.join("site.toml")).expect("site.toml"),
    );
    for dir in ["content/bulletins", "content/pages"] {
        for (rel, bytes) in tree(&root.join(dir)) {
            site.write_bytes(&format!("{dir}/{rel}"), &bytes);
        }
    }
    site.write_bytes(
        "content/commendations.toml",
        &fs::read(root.join("content/commendations.toml")).expect("commendations"),
    );
    site
}

/// The sample's figures from its CSV files, built once for every test that compares.
fn sample_summary() -> &'static serde_json::Value {
    static SUMMARY: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    SUMMARY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        read_summary(&common::build_sample(dir.path()))
    })
}

#[test]
fn one_workbook_with_a_sheet_per_kind_gives_the_sample_figures() {
    let site = sample_without_records();
    let mut book = Workbook::new();
    // Sheets named in Chinese or English, a spare empty sheet and the instructions sheet
    // are all as an office leaves them.
    for (i, (kind, label)) in SAMPLE_KINDS.iter().enumerate() {
        let name = if i == 2 { "Visits" } else { label };
        write_typed(add_sheet(&mut book, name), &sample_rows(kind), 0);
    }
    add_sheet(&mut book, "填写说明")
        .write_string(0, 0, "每类记录一个工作表")
        .expect("text");
    add_sheet(&mut book, "Sheet3");
    book.save(site.path("content/红管家台账.xlsx"))
        .expect("save");
    let out = site.build_ok();
    assert_eq!(out.stderr, "", "no warning expected");
    assert_eq!(&read_summary(&site.path("public")), sample_summary());
}

#[test]
fn a_workbook_per_kind_and_a_folder_of_workbooks_give_the_sample_figures() {
    let site = sample_without_records();
    for (kind, _) in SAMPLE_KINDS {
        if *kind == "visits" {
            continue;
        }
        let mut book = Workbook::new();
        write_typed(add_sheet(&mut book, "Sheet1"), &sample_rows(kind), 0);
        book.save(site.path(&format!("content/{kind}.xlsx")))
            .expect("save");
    }
    // Visits: a workbook a month in a folder, each under a merged title row.
    let all = sample_rows("visits");
    let header = all[0].clone();
    let mut months: std::collections::BTreeMap<String, Vec<Vec<String>>> = Default::default();
    for row in &all[1..] {
        months
            .entry(row[0][..7].to_string())
            .or_default()
            .push(row.clone());
    }
    fs::create_dir_all(site.path("content/visits")).expect("folder");
    for (month, rows) in months {
        let mut book = Workbook::new();
        let sheet = add_sheet(&mut book, &month);
        sheet
            .merge_range(0, 0, 0, 5, &format!("{month} 走访记录"), &Format::new())
            .expect("merge");
        let mut with_header = vec![header.clone()];
        with_header.extend(rows);
        write_typed(sheet, &with_header, 1);
        book.save(site.path(&format!("content/visits/{month}.xlsx")))
            .expect("save");
    }
    site.build_ok();
    assert_eq!(&read_summary(&site.path("public")), sample_summary());
}

/// `tests/fixtures/workbooks/台账.ods` and `台账.xls` hold `every-kind-csv`'s records as
/// LibreOffice saved them (see the fixture's README for how they were made).
#[test]
fn ods_and_xls_workbooks_give_the_csv_figures() {
    let csv = Site::fixture("every-kind-csv").summary();
    for ext in ["ods", "xls"] {
        let site = Site::fixture("every-kind-csv");
        for (kind, _) in SAMPLE_KINDS {
            site.remove(&format!("content/{kind}.csv"));
        }
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("tests/fixtures/workbooks/台账.{ext}"));
        site.write_bytes(
            &format!("content/台账.{ext}"),
            &fs::read(&fixture).expect("fixture"),
        );
        let out = site.build_ok();
        assert_eq!(out.stderr, "", "{ext}: no warning expected");
        assert_eq!(read_summary(&site.path("public")), csv, "{ext}");
    }
}

/// Writes `every-kind-csv`'s records as one workbook, the source of the .ods and .xls
/// fixtures: `cargo test --test workbooks -- --ignored` then convert with LibreOffice.
#[test]
#[ignore]
fn write_fixture_source() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/every-kind-csv");
    let mut book = Workbook::new();
    for (kind, label) in SAMPLE_KINDS {
        let rows = csv_rows(&fixture.join(format!("content/{kind}.csv")));
        write_typed(add_sheet(&mut book, label), &rows, 0);
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/台账.xlsx");
    book.save(&out).expect("save");
}

/// A basic site whose visits are a sheet of `content/台账.xlsx` holding `rows` after the
/// header.
fn visits_sheet(write: impl FnOnce(&mut Worksheet)) -> Site {
    let site = Site::basic();
    site.remove("content/visits.csv");
    let mut book = Workbook::new();
    let sheet = add_sheet(&mut book, "走访记录");
    for (c, h) in ["日期", "红管家", "户数", "楼幢", "类型", "备注"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    write(sheet);
    book.save(site.path("content/台账.xlsx")).expect("save");
    site
}

#[test]
fn cell_problems_are_reported_at_sheet_and_cell() {
    let site = visits_sheet(|s| {
        // Row 2 is right: a date as a bare serial, a count stored as 4.0.
        s.write_number(1, 0, 43_424.0).expect("w");
        s.write_string(1, 1, "FM-001").expect("w");
        s.write_number(1, 2, 4.0).expect("w");
        // Row 3: 户数 in words.
        s.write_string(2, 0, "2018-11-21").expect("w");
        s.write_string(2, 1, "FM-002").expect("w");
        s.write_string(2, 2, "三").expect("w");
        // Row 4: a formula whose value is an error, and a date that is no date.
        s.write_string(3, 0, "2018-13-01").expect("w");
        s.write_string(3, 1, "FM-002").expect("w");
        s.write_formula(
            3,
            2,
            Formula::new("=VLOOKUP(B4,A1:A2,2,FALSE)").set_result("#N/A"),
        )
        .expect("w");
        // Row 5: 户数 left empty.
        s.write_string(4, 0, "2018-11-22").expect("w");
        s.write_string(4, 1, "FM-001").expect("w");
    });
    let out = site.build(&[]);
    out.assert_code(1);
    out.assert_line("content/台账.xlsx:走访记录!C3: 户数: \"三\" 不是整数，请写阿拉伯数字，如 3");
    out.assert_line(
        "content/台账.xlsx:走访记录!C4: 户数: 单元格是错误值 #N/A（多半是公式出错），请改正公式或直接填入内容",
    );
    out.assert_line(
        "content/台账.xlsx:走访记录!A4: 日期: \"2018-13-01\" 不是有效日期：没有13月，月份应为 1 到 12",
    );
    out.assert_line("content/台账.xlsx:走访记录!C5: 户数: 必填，不能为空");
    assert_eq!(out.err_lines().len(), 5, "{}", out.stderr);
    assert!(!site.path("public").exists());
}

#[test]
fn a_phone_stored_as_a_number_is_its_digits_and_stays_private() {
    let site = Site::basic();
    site.remove("content/stewards.csv");
    let mut book = Workbook::new();
    let rows: Vec<Vec<String>> = common::STEWARDS_CSV
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    write_typed(add_sheet(&mut book, "Sheet1"), &rows, 0);
    book.save(site.path("content/stewards.xlsx")).expect("save");
    site.build_ok();
    for (name, bytes) in tree(&site.path("public")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("13905701111"), "{name} shows a phone");
        assert!(!text.contains("1.39E"), "{name} shows a phone as a float");
    }
}

#[test]
fn merged_cells_formulas_and_empty_formatted_cells_read_as_the_sheet_shows_them() {
    // A day merged down over two visits, as registers often do; a count from a formula;
    // a formatted but empty cell far below and to the right, which stretches the sheet.
    let site = visits_sheet(|s| {
        let date = Format::new().set_num_format("yyyy/m/d");
        s.merge_range(1, 0, 2, 0, "", &date).expect("merge");
        s.write_number_with_format(1, 0, 43_424.0, &date)
            .expect("w");
        s.write_string(1, 1, "FM-001").expect("w");
        s.write_number(1, 2, 4.0).expect("w");
        s.write_string(2, 1, "FM-002").expect("w");
        s.write_formula(2, 2, Formula::new("=1+1").set_result("2"))
            .expect("w");
        s.write_blank(40, 12, &Format::new().set_bold()).expect("w");
    });
    let out = site.build_ok();
    assert_eq!(out.stderr, "", "no warning expected");
    let summary = read_summary(&site.path("public"));
    assert_eq!(common::num(&summary, "/households_visited"), 6);
}

#[test]
fn a_wps_file_is_asked_to_be_saved_as_xlsx() {
    let site = Site::basic();
    site.write_bytes("content/台账.et", b"\xd0\xcf\x11\xe0");
    let out = site.build(&[]);
    out.assert_code(1);
    out.assert_line(
        "content/台账.et:1: 这是 WPS 表格的 .et 文件，无法读取。请在 WPS 里用“文件 → 另存为”，文件类型选“Excel 工作簿（*.xlsx）”，保存后删去 .et 文件",
    );
}

#[test]
fn a_kind_in_a_workbook_and_in_csv_is_one_too_many() {
    let site = Site::basic();
    let mut book = Workbook::new();
    write_typed(
        add_sheet(&mut book, "走访记录"),
        &[vec!["日期".into(), "红管家".into(), "户数".into()]],
        0,
    );
    book.save(site.path("content/台账.xlsx")).expect("save");
    let out = site.build(&[]);
    out.assert_code(1);
    out.assert_line(
        "content/visits.csv:1: 走访记录数据同时存在于 content/visits.csv 和 content/台账.xlsx:走访记录，只能保留一处",
    );
}

#[test]
fn a_two_row_header_under_a_title_reads_by_its_lower_row() {
    let site = Site::basic();
    site.remove("content/stewards.csv");
    let mut book = Workbook::new();
    let s = add_sheet(&mut book, "红管家");
    let plain = Format::new();
    s.merge_range(0, 0, 0, 5, "坊门街社区红管家名册", &plain)
        .expect("title");
    for (c, h) in ["编号", "姓名", "社区", "党员类别"].iter().enumerate() {
        s.merge_range(1, c as u16, 2, c as u16, h, &plain)
            .expect("h");
    }
    s.merge_range(1, 4, 1, 5, "联系方式", &plain)
        .expect("group");
    s.write_string(2, 4, "联系楼幢").expect("h");
    s.write_string(2, 5, "联系电话").expect("h");
    for (r, row) in [
        [
            "FM-001",
            "周明华",
            "fangmen",
            "在册",
            "3幢;5幢",
            "13905701111",
        ],
        ["FM-002", "吴建英", "坊门街社区", "在职", "5幢", ""],
        ["ST-001", "郑卫国", "shuiting", "两新", "1幢", ""],
    ]
    .iter()
    .enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            s.write_string(3 + r as u32, c as u16, *v).expect("cell");
        }
    }
    book.save(site.path("content/stewards.xlsx")).expect("save");
    let out = site.check();
    out.assert_code(0);
    assert!(out.stdout.contains("红管家 3"), "{}", out.stdout);
}

#[test]
fn a_workbook_may_be_named_for_its_kind_in_chinese() {
    let site = Site::basic();
    site.remove("content/visits.csv");
    let mut book = Workbook::new();
    let rows: Vec<Vec<String>> = common::VISITS_CSV
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    write_typed(add_sheet(&mut book, "Sheet1"), &rows, 0);
    book.save(site.path("content/走访记录.xlsx")).expect("save");
    let csv = Site::basic().summary();
    let out = site.build_ok();
    assert_eq!(out.stderr, "");
    assert_eq!(read_summary(&site.path("public")), csv);
}

/// A basic site whose cases are a sheet of `content/台账.xlsx`, `rows` as typed.
fn cases_sheet(rows: &str) -> Site {
    let site = Site::basic();
    site.remove("content/cases.csv");
    let mut book = Workbook::new();
    let rows: Vec<Vec<String>> = rows
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    write_typed(add_sheet(&mut book, "民情事项"), &rows, 0);
    book.save(site.path("content/台账.xlsx")).expect("save");
    site
}

#[test]
fn warnings_about_a_cell_name_its_column_too() {
    let site = cases_sheet(
        "编号,日期,红管家,类别,事项,状态,办结日期,居民,门牌号\n\
         C-001,2018-11-20,ＦＭ－００１,停车,请回电13905709999,已转办,2018-11-22,钱桂兰,3-201\n\
         C-002,2018-11-21,周明华,停车,钱桂兰家门口堆物,待办,,,\n",
    );
    let out = site.build_ok();
    let sheet = "content/台账.xlsx:民情事项";
    out.assert_line(&format!(
        "{sheet}!I1: 警告：未知的列“门牌号”，已忽略且不会公开"
    ));
    out.assert_line(&format!(
        "{sheet}!C2: 警告：红管家: “ＦＭ－００１”里有全角字符，已按“FM-001”读取；请用半角（英文输入法）输入"
    ));
    out.assert_line(&format!(
        "{sheet}!G2: 警告：办结日期: 状态是“已转办”，还没有解决，填写的 2018-11-22 不会公开；如果已经解决，请把状态改为“已解决”"
    ));
    out.assert_line(&format!(
        "{sheet}!C3: 警告：红管家: “周明华”是红管家的姓名，已按其编号 FM-001 读取；这里应写编号，请改为 FM-001"
    ));
    // Free texts are checked once every name is known, and still name their cell.
    let free: Vec<&str> = out
        .err_lines()
        .into_iter()
        .filter(|l| l.contains("事项:"))
        .collect();
    assert_eq!(free.len(), 2, "{}", out.stderr);
    assert!(
        free[0].starts_with(&format!("{sheet}!E2: 警告：事项: ")),
        "{free:?}"
    );
    assert!(
        free[1].starts_with(&format!("{sheet}!E3: 警告：事项: ")),
        "{free:?}"
    );
    for line in out.err_lines() {
        assert!(
            !line.starts_with(&format!("{sheet}:")),
            "a sheet's warning without its cell: {line}"
        );
    }
}

#[test]
fn a_count_in_chinese_numerals_is_answered_with_the_digits() {
    let site = visits_sheet(|s| {
        s.write_string(1, 0, "2018-11-21").expect("w");
        s.write_string(1, 1, "FM-002").expect("w");
        s.write_string(1, 2, "十二").expect("w");
    });
    let out = site.build(&[]);
    out.assert_code(1);
    out.assert_line(
        "content/台账.xlsx:走访记录!C2: 户数: \"十二\" 不是整数，请写阿拉伯数字，如 12",
    );
}

#[test]
fn a_coverage_over_the_buildings_a_community_has_points_at_its_cell() {
    let site = Site::basic();
    site.remove("content/communities.csv");
    let mut book = Workbook::new();
    let rows: Vec<Vec<String>> = common::COMMUNITIES_CSV
        .replace(
            "fangmen,坊门街社区,社区党委,8,40,",
            "fangmen,坊门街社区,社区党委,8,1,",
        )
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    write_typed(add_sheet(&mut book, "社区"), &rows, 0);
    book.save(site.path("content/台账.xlsx")).expect("save");
    let out = site.build_ok();
    out.assert_line(
        "content/台账.xlsx:社区!E2: 警告：楼幢数: 填的是 1，但红管家联系的楼幢有 2 幢，覆盖率会超过 100%，请核对",
    );
}

#[test]
fn a_hidden_sheet_is_read_and_named_in_a_warning() {
    let site = Site::basic();
    site.remove("content/cases.csv");
    let mut book = Workbook::new();
    let rows: Vec<Vec<String>> =
        "编号,日期,红管家,类别,事项,状态\nC-001,2018-11-20,FM-001,停车,隐藏表里的事项,待办"
            .lines()
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
    // A visible sheet first: Excel keeps at least one sheet shown, and never hides the
    // one it opens on.
    add_sheet(&mut book, "填写说明")
        .write_string(0, 0, "说明")
        .expect("text");
    let sheet = add_sheet(&mut book, "民情事项");
    write_typed(sheet, &rows, 0);
    sheet.set_hidden(true);
    book.save(site.path("content/台账.xlsx")).expect("save");
    let out = site.build_ok();
    out.assert_line(
        "content/台账.xlsx:民情事项: 警告：这个工作表在 Excel 里是隐藏的，其中的记录照样读取、统计和公开（和隐藏的行一样）；不要的记录请删掉，要用的请在 Excel 里右键工作表标签，选“取消隐藏”",
    );
    assert_eq!(
        common::num(&read_summary(&site.path("public")), "/cases"),
        1
    );
}
