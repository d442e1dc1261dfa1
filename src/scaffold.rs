//! New sites and new documents: `hongguanjia init` writes a site ready to build and fill,
//! `hongguanjia new bulletin` and `new page` write the next document of a site.
//!
//! The example records are one row per kind that pass validation; the workbook carries the
//! schema's own headers, meanings and the validator's own lists of accepted words, so that
//! what the office fills in is what the build reads.

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{
    Color, DataValidation, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::diagnostics::Diagnostic;
use crate::load::documents::split;
use crate::model::Date;
use crate::schema::{
    Field, Kind, Privacy, case, community, errand, grid, meeting, steward, subdistrict, visit,
};
use crate::validate::{choices, values};

/// The workbook `init` writes.
pub const WORKBOOK: &str = "content/红管家台账.xlsx";

/// The sheet of the workbook that explains each column.
pub const INSTRUCTIONS: &str = "填写说明";

/// The example steward's id every example record of a new site refers to.
pub(crate) const EXAMPLE_STEWARD: &str = "SL-001";

/// The example community's id.
pub(crate) const EXAMPLE_COMMUNITY: &str = "shili";

/// What to do about a reference to one of `init`'s examples that the office has replaced:
/// the example rows that point at it are left over, not a typo to correct.
pub(crate) fn example_hint(id: &str) -> &'static str {
    if id == EXAMPLE_STEWARD || id == EXAMPLE_COMMUNITY {
        "。这是 hongguanjia init 写的示例编号：引用它的示例行、示例表彰批次，请改成实际内容或整条删去"
    } else {
        ""
    }
}

/// Rows of a new sheet that offer the drop-down lists.
const LIST_ROWS: u32 = 5000;

/// A workbook the writer refused, at the file it was to become.
fn workbook_failed(err: XlsxError) -> Diagnostic {
    Diagnostic::error(WORKBOOK, 0, format!("无法生成工作簿：{err}"))
}

/// The folder to work in is not a site: the same advice `check` and `build` give.
fn not_a_site(root: &Path) -> Diagnostic {
    Diagnostic::error(
        std::path::absolute(root)
            .unwrap_or_else(|_| root.to_path_buf())
            .display()
            .to_string(),
        0,
        "这里没有 site.toml 和 content/，不像是一个站点文件夹。请在站点文件夹里运行，或用 --root 指定站点文件夹",
    )
}

/// Today in China Standard Time (UTC+8), where the offices are.
pub fn today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    Date::from_unix_days((seconds + 8 * 3600).div_euclid(86_400)).unwrap_or(Date {
        year: 1970,
        month: 1,
        day: 1,
    })
}

fn write_file(root: &Path, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    let path = root.join(rel);
    let io = |err: std::io::Error| Diagnostic::error(rel, 0, format!("无法写入：{err}"));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(&path, bytes).map_err(io)
}

/// The example record of `kind`, a value per field of `kind.fields()` (empty when unset).
/// The rows refer to each other, so the new site builds as it is.
pub(crate) fn example_row(kind: Kind, today: Date) -> Vec<String> {
    let day = today.to_string();
    let pairs: Vec<(Field, String)> = match kind {
        Kind::Subdistricts => vec![
            (subdistrict::ID, "shili-jiedao".into()),
            (subdistrict::NAME, "示例街道".into()),
            (subdistrict::DISTRICT, "示例区".into()),
            (subdistrict::COMMITTEE, "示例街道党工委".into()),
        ],
        Kind::Communities => vec![
            (community::ID, EXAMPLE_COMMUNITY.into()),
            (community::NAME, "示例社区".into()),
            (community::PARTY_ORG, "社区党委".into()),
            (community::GRIDS, "6".into()),
            (community::BUILDINGS, "30".into()),
            (community::HOUSEHOLDS, "1200".into()),
        ],
        Kind::Grids => vec![
            (grid::ID, "第一网格".into()),
            (grid::COMMUNITY, EXAMPLE_COMMUNITY.into()),
            (grid::WORKER, "示例网格员".into()),
            (grid::WORKER_PHONE, "13800000001".into()),
            (grid::PROPERTY, "示例物业服务中心 0570-0000001".into()),
            (grid::OWNERS_COMMITTEE, "示例小区业委会 0570-0000002".into()),
        ],
        Kind::Stewards => vec![
            (steward::ID, EXAMPLE_STEWARD.into()),
            (steward::NAME, "李红".into()),
            (steward::COMMUNITY, EXAMPLE_COMMUNITY.into()),
            (steward::BUILDINGS, "1幢;2幢".into()),
            (steward::MEMBERSHIP, "在册".into()),
            (steward::GRID, "第一网格".into()),
            (steward::GENDER, "女".into()),
            (steward::BIRTH_YEAR, "1958".into()),
            (steward::SPECIALTY, "调解邻里纠纷".into()),
            (steward::TEAMS, "巡逻队".into()),
            (steward::JOINED, day.clone()),
            (steward::PHONE, "13800000000".into()),
            (steward::PUBLIC, "是".into()),
        ],
        Kind::Visits => vec![
            (visit::DATE, day.clone()),
            (visit::STEWARD, EXAMPLE_STEWARD.into()),
            (visit::HOUSEHOLDS, "3".into()),
            (visit::BUILDING, "1幢".into()),
            (visit::KIND, "敲门日".into()),
            (visit::NOTE, "备注只留在台账里，不会公开".into()),
        ],
        Kind::Cases => vec![
            (case::ID, format!("{}-0001", today.year)),
            (case::DATE, day.clone()),
            (case::STEWARD, EXAMPLE_STEWARD.into()),
            (case::CATEGORY, "楼道堆物".into()),
            (case::SUMMARY, "1幢楼道堆放旧家具，已请住户搬走".into()),
            (case::STATUS, "已解决".into()),
            (case::RESOLVED, day.clone()),
            (case::BUILDING, "1幢".into()),
            (case::CHANNEL, "楼道".into()),
        ],
        Kind::Errands => vec![
            (errand::DATE, day.clone()),
            (errand::STEWARD, EXAMPLE_STEWARD.into()),
            (errand::CATEGORY, "代缴费用".into()),
            (errand::STATUS, "已办结".into()),
        ],
        Kind::Meetings => vec![
            (meeting::DATE, day),
            (meeting::COMMUNITY, EXAMPLE_COMMUNITY.into()),
            (meeting::ATTENDEES, EXAMPLE_STEWARD.into()),
            (meeting::TOPIC, "楼道堆物清理分工".into()),
        ],
    };
    kind.field_ids()
        .map(|f| {
            pairs
                .iter()
                .find(|(field, _)| *field == f)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect()
}

/// Fields a spreadsheet should hold as numbers; every other non-date column is formatted
/// as text, so that a phone or an id typed into it keeps its digits.
fn is_number(field: Field) -> bool {
    matches!(
        field,
        subdistrict::RESIDENTS
            | subdistrict::BRANCHES
            | community::GRIDS
            | community::BUILDINGS
            | community::HOUSEHOLDS
            | steward::BIRTH_YEAR
            | visit::HOUSEHOLDS
    )
}

/// Width in Excel's units: a Chinese character is about two.
fn text_width(text: &str) -> usize {
    text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// Days from Excel's epoch, the way Excel stores a date.
fn excel_serial(date: Date) -> f64 {
    // Days from civil (Howard Hinnant's algorithm), the inverse of `Date::from_unix_days`.
    let (m, d) = (i64::from(date.month), i64::from(date.day));
    let y = i64::from(date.year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days + 25_569) as f64
}

fn what_to_write(id: Field) -> String {
    let field = id.spec();
    let mut text = field.meaning.to_string();
    if let Some(words) = choices(id) {
        text = format!("{text}。可选：{}", words.join("、"));
    }
    if id.is_date() {
        text.push_str("。日期写作 2024-05-20，或用 Excel 的日期格式");
    }
    text
}

fn write_kind_sheet(sheet: &mut Worksheet, kind: Kind, today: Date) -> Result<(), XlsxError> {
    sheet.set_name(kind.label())?;
    let border = FormatBorder::Thin;
    let header = |fill: u32, font: u32| {
        Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color(Color::RGB(fill))
            .set_font_color(Color::RGB(font))
            .set_border(border)
    };
    let required = header(0xC0_0000, 0xFF_FFFF);
    let optional = header(0xF8_CBAD, 0x00_0000);
    let private = header(0xD9_D9D9, 0x40_4040);
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let text = Format::new().set_num_format("@");
    let example = Format::new().set_font_color(Color::RGB(0x7F_7F7F));
    let example_date = example.clone().set_num_format("yyyy-mm-dd");
    let example_text = example.clone().set_num_format("@");

    let row = example_row(kind, today);
    sheet.set_row_height(0, 30)?;
    for (i, id) in kind.field_ids().enumerate() {
        let field = id.spec();
        let col = u16::try_from(i).unwrap_or(u16::MAX);
        let style = match (field.privacy, field.required) {
            (Privacy::Private, _) => &private,
            (_, true) => &required,
            _ => &optional,
        };
        sheet.write_string_with_format(0, col, field.alias, style)?;
        let value = &row[i];
        let width = text_width(field.alias).max(text_width(value)).clamp(6, 40) + 3;
        sheet.set_column_width(col, width as f64)?;
        if id.is_date() {
            sheet.set_column_format(col, &date)?;
            if let Some(d) = values::parse_date(value) {
                sheet.write_number_with_format(1, col, excel_serial(d), &example_date)?;
            }
        } else if is_number(id) {
            if let Ok(n) = value.parse::<f64>() {
                sheet.write_number_with_format(1, col, n, &example)?;
            }
        } else {
            sheet.set_column_format(col, &text)?;
            if !value.is_empty() {
                sheet.write_string_with_format(1, col, value, &example_text)?;
            }
        }
        if let Some(words) = choices(id) {
            let list = DataValidation::new()
                .allow_list_strings(&words)?
                .set_input_title(field.alias)?
                .set_input_message(format!("请从下拉列表中选择：{}", words.join("、")))?
                .set_error_title("不是可选的值")?
                .set_error_message(format!(
                    "{}只能填：{}。请从下拉列表中选择。",
                    field.alias,
                    words.join("、")
                ))?;
            sheet.add_data_validation(1, col, LIST_ROWS, col, &list)?;
        }
    }
    let last = u16::try_from(kind.fields().len().saturating_sub(1)).unwrap_or(0);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, 0, last)?;
    Ok(())
}

fn write_instructions(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    sheet.set_name(INSTRUCTIONS)?;
    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let head = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xC0_0000))
        .set_font_color(Color::White)
        .set_border(FormatBorder::Thin);
    let kind_row = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xF2_F2F2));
    sheet.write_string_with_format(0, 0, "红管家台账填写说明", &title)?;
    let notes = [
        "1. 每类记录一个工作表，工作表名（社区、红管家、走访记录……）不要改；第一行是表头，列名不要改。",
        "2. 每个工作表第二行是灰色的示例，请改成实际记录或整行删去。一行一条记录，中间不要留空行。",
        "3. 深红色表头是必填列；浅红色是选填列；灰色表头的列只留在台账里，不会公开到网站上。",
        "4. 带下拉箭头的列请从列表里选。日期写作 2024-05-20，或用 Excel 的日期格式。编号、电话列已设为文本格式，请不要改成数字格式（否则长数字会变成 1.38E+10）。",
        "5. 可以在右边加自己的列（如 门牌号），这些列会被忽略，也不会公开。",
        "6. 保存为 .xlsx。用 WPS 时请选“文件 → 另存为 → Excel 工作簿（*.xlsx）”，不要存成 .et。",
    ];
    for (i, note) in notes.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.merge_range(row, 0, row, 4, note, &wrap)?;
        sheet.set_row_height(row, 30)?;
    }
    let top = 1 + notes.len() as u32 + 1;
    for (c, h) in ["工作表", "列名", "必填", "公开", "填写说明"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(top, c as u16, *h, &head)?;
    }
    let mut row = top + 1;
    for kind in Kind::ALL {
        sheet.write_string_with_format(row, 0, kind.label(), &kind_row)?;
        for c in 1..5 {
            sheet.write_blank(row, c, &kind_row)?;
        }
        row += 1;
        for id in kind.field_ids() {
            let field = id.spec();
            sheet.write_string(row, 0, kind.label())?;
            sheet.write_string(row, 1, field.alias)?;
            sheet.write_string(row, 2, if field.required { "必填" } else { "" })?;
            let public = match field.privacy {
                Privacy::Public => "公开",
                Privacy::Private => "不公开",
            };
            sheet.write_string(row, 3, public)?;
            sheet.write_string_with_format(row, 4, what_to_write(id), &wrap)?;
            row += 1;
        }
    }
    for (c, width) in [(0u16, 12.0), (1, 12.0), (2, 6.0), (3, 8.0), (4, 60.0)] {
        sheet.set_column_width(c, width)?;
    }
    sheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// The kinds a new site gets a sheet or file for. A new site is one subdistrict, which
/// `site.toml` describes; `subdistricts` records are for sites of several (docs/rollup.md).
fn scaffolded() -> impl Iterator<Item = Kind> {
    Kind::ALL.into_iter().filter(|k| *k != Kind::Subdistricts)
}

/// The new site's workbook: the instructions, then a sheet per kind.
pub(crate) fn workbook_bytes(today: Date) -> Result<Vec<u8>, Diagnostic> {
    let mut book = Workbook::new();
    write_instructions(book.add_worksheet()).map_err(workbook_failed)?;
    for kind in scaffolded() {
        write_kind_sheet(book.add_worksheet(), kind, today).map_err(workbook_failed)?;
    }
    book.save_to_buffer().map_err(workbook_failed)
}

/// A CSV file of `kind` with its header and example row, with a byte order mark so that
/// Excel opens it as UTF-8.
pub(crate) fn csv_bytes(kind: Kind, today: Date) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(&mut out);
    let headers: Vec<&str> = kind.fields().iter().map(|f| f.alias).collect();
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(&headers);
    let _ = writer.write_record(example_row(kind, today));
    let _ = writer.flush();
    drop(writer);
    out
}

/// `site.toml` with every setting and its default, each explained.
pub(crate) fn site_toml() -> String {
    r#"# 站点设置。只有 title 和 base_url 必填，其余都有默认值；说明见 docs/records.md 第八节。
# 以 # 开头的行是说明或未启用的设置，去掉行首的 # 即可启用。

# 网站名称，显示在每页顶部。
title = "某某街道楼道“红管家”工作公示"
# 网站地址。本机预览用 "/" 即可；发布前改成实际地址，如 "https://example.gov.cn/jiedao/"。
# 打印公示牌、联户卡（hongguanjia print）前也要改：二维码要用实际地址才扫得开。
base_url = "/"
# 一句话介绍，显示在首页。
# description = "某某街道楼道“红管家”队伍、走访和民情办理情况的公开统计。"
# 主题名；不是 default 时要有 themes/<主题名>/ 文件夹。
theme = "default"
# 页面底部“本站生成于”的日期，如 2024-05-20。不写时取环境变量 SOURCE_DATE_EPOCH，都没有就不显示。
# date = 2024-05-20

# 街道概况，首页和简报正文里用。都可以不写。
[subdistrict]
name = "某某街道"
committee = "某某街道党工委"
# area_km2 = 3.5             # 面积（平方公里）
# residents = 40000          # 常住人口
# branches = 60              # 基层党支部数
# grid_branches = 40         # 网格支部数
# grid_party_groups = 20     # 网格党小组数
# members_registered = 1000  # 在册党员数
# members_in_service = 1500  # 在职党员数

# 简报报头。name 不写时显示“工作简报”。
[bulletin]
# name = "组工信息"
issuer = "某某街道党工委"
# printer = "某某街道党政办"

[privacy]
steward_names = "full"   # full：公开红管家全名；masked：显示为“张**”
steward_phone = "hidden" # hidden：不显示电话；masked：显示为“138****1234”
allow_raw_html = false   # 简报和页面正文里是否保留原样的 HTML

[lists]
page_size = 50           # 列表每页显示多少条

# 页脚：政府网站每页都要显示的主办单位、联系方式和备案信息，写了哪项显示哪项。
# 正式发布前去掉行首的 #，换成本单位的真实信息。
# [footer]
# host = "某某街道党工委"                 # 主办单位
# operator = "某某街道党建工作办公室"     # 承办单位
# address = "某某市某某区某某路1号"       # 联系地址
# phone = "0570-0000000"                  # 联系电话
# email = "dangjian@example.gov.cn"       # 联系邮箱
# site_code = "0000000000"                # 网站标识码：10 位数字，要加引号
# icp = "浙ICP备00000000号-1"             # ICP备案号
# police = "浙公网安备 00000000000000号"  # 公安机关备案号
# lines = ["建议使用 1280×800 以上分辨率浏览"]

# 民情类别的网址名。不写时用类别的拼音（“停车”的列表在 cases/category/ting-che/）；
# 多音字读错或两个类别拼音相同时，在这里另起网址名。
# [categories]
# "重建" = "chong-jian"

# 内部打印材料（hongguanjia print，见 docs/print.md）。都可以不写。
# [print]
# board_size = "A4"        # 公示牌纸张：A4 或 A3
# door_knocking_day = 20   # 每月的敲门日
# timeout = 300            # --pdf 时浏览器打印每份材料最多等多少秒
"#
    .to_string()
}

fn commendations_toml(today: Date) -> String {
    format!(
        r#"# 表彰批次：每批一个 [[batch]]，stewards 写受表彰红管家的编号。说明见 docs/records.md。

[[batch]]
id = "{year}-1"
title = "{year}年第一批优秀红管家"
date = {today}
issuer = "某某街道党工委"
stewards = ["{steward}"]

# 公示期满、作出表彰决定后，去掉下面几行行首的 # 并填写：
# [batch.decision]
# number = "某街党〔{year}〕1号"
# date = {today}
# text = "经公示无异议，街道党工委决定授予下列同志“优秀红管家”称号。"
"#,
        year = today.year,
        steward = EXAMPLE_STEWARD,
    )
}

/// Settings of the site the body of a new bulletin may refer to.
#[derive(Default)]
struct Profile {
    /// `site.subdistrict.*` keys that `site.toml` sets.
    subdistrict: Vec<String>,
}

impl Profile {
    fn read(root: &Path) -> Profile {
        let text = std::fs::read_to_string(root.join("site.toml")).unwrap_or_default();
        let table: toml::Table = toml::from_str(&text).unwrap_or_default();
        let subdistrict = table
            .get("subdistrict")
            .and_then(toml::Value::as_table)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        Profile { subdistrict }
    }

    fn has(&self, key: &str) -> bool {
        self.subdistrict.iter().any(|k| k == key)
    }
}

/// A bulletin body whose figures are bound to the records, in the sample bulletin's
/// placeholders; a sentence about the subdistrict's party organisation appears only when
/// `site.toml` gives its figures.
fn bulletin_body(profile: &Profile) -> String {
    let mut body = String::new();
    let party: Vec<String> = [
        ("branches", "基层党支部{{ site.subdistrict.branches }}个"),
        (
            "members_registered",
            "在册党员{{ site.subdistrict.members_registered }}名",
        ),
        (
            "members_in_service",
            "在职党员{{ site.subdistrict.members_in_service }}名",
        ),
        (
            "grid_branches",
            "网格支部{{ site.subdistrict.grid_branches }}个",
        ),
        (
            "grid_party_groups",
            "网格党小组{{ site.subdistrict.grid_party_groups }}个",
        ),
    ]
    .iter()
    .filter(|(key, _)| profile.has(key))
    .map(|(_, text)| (*text).to_string())
    .collect();
    if !party.is_empty() {
        body.push_str(&format!("（街道概况）全街道现有{}。\n\n", party.join("，")));
    }
    body.push_str(
        "（开头一段：写本期要说的事。下面花括号里的数字在生成网站时按台账自动填入，请保留。）\
截至{{ stats.as_of | cn_date }}，{{ stats.communities }}个社区共有{{ stats.stewards }}名红管家上岗，\
联系住宅楼{{ stats.buildings_covered }}幢。\n\n\
**一、走访情况**。红管家累计走访群众{{ stats.households_visited }}户，\
召开红管家议事会{{ stats.meetings }}次。（补充具体做法。）\n\n\
**二、民情办理**。共收集群众意见建议{{ stats.cases }}条，已解决{{ stats.resolved }}个，\
办结率{{ stats.resolution_rate | percent }}；办理代办事项{{ stats.errands }}件。（补充典型事例。）\n\n\
**三、下一步工作**。（写下一步打算。）受表彰的优秀红管家累计{{ stats.commended }}名。\n",
    );
    body
}

fn toml_list(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| toml::Value::String(s.clone()).to_string())
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// Front matter and body of a bulletin.
fn bulletin_text(b: &NextBulletin, profile: &Profile) -> String {
    let mut front = format!(
        "+++\ntitle = {}\nissue = {}\ntotal_issue = {}\ndate = {}\n",
        toml::Value::String(b.title.clone()),
        b.issue,
        b.total_issue,
        b.date
    );
    if let Some(source) = &b.source {
        front.push_str(&format!(
            "source = {}\n",
            toml::Value::String(source.clone())
        ));
    }
    front.push_str(&format!("send_to = {}\n", toml_list(&b.send_to)));
    front.push_str(&format!(
        "distribute_to = {}\n+++\n\n",
        toml_list(&b.distribute_to)
    ));
    front + &bulletin_body(profile)
}

fn page_text(title: &str, slug: &str) -> String {
    format!(
        "+++\ntitle = {}\nslug = \"{slug}\"\n+++\n\n（在这里写正文。可以用 Markdown：## 小标题、**加粗**、- 列表、表格。）\n\n\
本站的数字来自社区上报的红管家台账，截至{{{{ stats.as_of | cn_date }}}}。\n",
        toml::Value::String(title.to_string())
    )
}

fn about_page() -> String {
    "+++\ntitle = \"关于本站\"\nslug = \"about\"\n+++\n\n\
本站公开本街道楼道“红管家”的工作情况：有多少名红管家、联系哪些楼幢、走访了多少户居民、\
收集和办理了哪些民情事项。\n\n\
## 数字从哪里来\n\n\
各社区把红管家名册、走访记录和民情事项记在台账里，街道汇总后生成本站。\
现有{{ stats.stewards }}名红管家，数字截至{{ stats.as_of | cn_date }}。\n\n\
## 隐私\n\n\
居民的姓名、电话和事项详情只留在台账里，不会出现在本站上。\n"
        .to_string()
}

/// What `init` wrote, for the message that follows it.
pub struct Created {
    /// Relative to the new site's folder, in the order they were written.
    pub files: Vec<String>,
}

/// Writes a new site into `dir`, which must be missing or empty. With `csv`, the records
/// are UTF-8 CSV files (with a BOM, for Excel) instead of one workbook.
pub fn init(dir: &Path, csv: bool, today: Date) -> Result<Created, Diagnostic> {
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut names: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        if !names.is_empty() {
            names.sort();
            names.truncate(5);
            return Err(not_empty(dir, &names.join("、")));
        }
    } else if dir.exists() {
        return Err(Diagnostic::error(
            dir.display().to_string(),
            0,
            "这是一个文件，不是文件夹。init 只在新文件夹或空文件夹里创建站点，如 hongguanjia init 新站点",
        ));
    }
    let mut files: Vec<(String, Vec<u8>)> = vec![("site.toml".into(), site_toml().into_bytes())];
    if csv {
        for kind in scaffolded() {
            files.push((
                format!("content/{}.csv", kind.plural()),
                csv_bytes(kind, today),
            ));
        }
    } else {
        files.push((WORKBOOK.to_string(), workbook_bytes(today)?));
    }
    files.push((
        "content/commendations.toml".into(),
        commendations_toml(today).into_bytes(),
    ));
    let first = NextBulletin {
        path: format!("content/bulletins/{}-1.md", today.year),
        title: "楼道“红管家”工作开局".to_string(),
        issue: 1,
        total_issue: 1,
        date: today,
        source: Some("某某街道党工委".to_string()),
        send_to: vec!["街道党工委领导".to_string()],
        distribute_to: vec!["各社区党组织".to_string()],
    };
    let profile = Profile {
        subdistrict: vec!["name".into(), "committee".into()],
    };
    files.push((
        first.path.clone(),
        bulletin_text(&first, &profile).into_bytes(),
    ));
    files.push(("content/pages/about.md".into(), about_page().into_bytes()));
    for (rel, bytes) in &files {
        write_file(dir, rel, bytes)?;
    }
    Ok(Created {
        files: files.into_iter().map(|(rel, _)| rel).collect(),
    })
}

/// The bulletin `new bulletin` writes.
#[derive(Debug, Clone)]
pub struct NextBulletin {
    /// Relative to the site root.
    pub path: String,
    /// A title to change.
    pub title: String,
    /// The issue number within its year.
    pub issue: u32,
    /// The issue number over all years.
    pub total_issue: u32,
    /// The bulletin's date.
    pub date: Date,
    /// The issuer, as the latest issue has it.
    pub source: Option<String>,
    /// Who it is sent to (报送), as the latest issue has it.
    pub send_to: Vec<String>,
    /// Who it is distributed to (分送), as the latest issue has it.
    pub distribute_to: Vec<String>,
}

/// The front matter `new bulletin` takes over from the latest bulletin.
#[derive(Debug, Default, serde::Deserialize)]
struct Front {
    /// Numbers and dates may be quoted in front matter, as the validator accepts them.
    issue: Option<toml::Value>,
    total_issue: Option<toml::Value>,
    date: Option<toml::Value>,
    source: Option<String>,
    #[serde(default)]
    send_to: Vec<String>,
    #[serde(default)]
    distribute_to: Vec<String>,
}

fn require_site(root: &Path) -> Result<(), Diagnostic> {
    if root.join("site.toml").exists() || root.join("content").is_dir() {
        Ok(())
    } else {
        Err(not_a_site(root))
    }
}

/// `init` never writes into a folder that holds anything.
fn not_empty(dir: &Path, entries: &str) -> Diagnostic {
    Diagnostic::error(
        dir.display().to_string(),
        0,
        format!(
            "文件夹不是空的（里面已有 {entries}），为免覆盖已有文件，init 只在新文件夹或空文件夹里创建站点。请换一个文件夹名，如 hongguanjia init 新站点"
        ),
    )
}

/// An issue number written as a number or as quoted digits; 0 when absent.
fn number(value: &Option<toml::Value>) -> u32 {
    match value {
        Some(toml::Value::Integer(n)) => u32::try_from(*n).unwrap_or(0),
        Some(toml::Value::String(s)) => values::parse_whole(s)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0),
        _ => 0,
    }
}

/// Plans the bulletin after those in `content/bulletins/`: the next issue of `today`'s year
/// (1 in a new year) and the next total issue, dated `today`, with the issuer and readers
/// of the latest issue.
pub(crate) fn next_bulletin(root: &Path, today: Date) -> Result<NextBulletin, Diagnostic> {
    require_site(root)?;
    let dir = root.join("content/bulletins");
    let mut latest: Option<(Date, u32, Front)> = None;
    // Issue numbers run through a year; total issues through all years.
    let mut year_issue = 0;
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let shown = crate::load::display_path(root, &path);
            let bad = |message: String| Diagnostic::error(shown.clone(), 0, message);
            let text = crate::load::decode::read_to_string(&path)
                .map_err(|e| bad(format!("无法读取文件：{e}")))?
                .replace("\r\n", "\n");
            let Some((front, _, _)) = split(&text) else {
                return Err(bad(
                    "缺少开头的设置部分，无法据此续编下一期（请先运行 hongguanjia check 查看问题）"
                        .to_string(),
                ));
            };
            let front: Front = toml::from_str(front).map_err(|e| {
                bad(format!(
                    "设置部分有误，无法据此续编下一期（请先运行 hongguanjia check 查看问题）：{}",
                    e.message().trim()
                ))
            })?;
            let date = match &front.date {
                Some(toml::Value::Datetime(d)) => values::toml_date(d),
                Some(toml::Value::String(s)) => values::parse_date(s),
                _ => None,
            }
            .unwrap_or(Date {
                year: 1,
                month: 1,
                day: 1,
            });
            if date.year == today.year {
                year_issue = year_issue.max(number(&front.issue));
            }
            total = total.max(number(&front.total_issue));
            let key = (date, number(&front.total_issue));
            if latest.as_ref().is_none_or(|(d, n, _)| key >= (*d, *n)) {
                latest = Some((key.0, key.1, front));
            }
        }
    }
    let (issue, total_issue) = (year_issue + 1, total + 1);
    let (source, send_to, distribute_to) = match latest {
        Some((_, _, front)) => (front.source, front.send_to, front.distribute_to),
        None => (None, Vec::new(), Vec::new()),
    };
    Ok(NextBulletin {
        path: format!("content/bulletins/{}-{issue}.md", today.year),
        title: "楼道“红管家”工作进展".to_string(),
        issue,
        total_issue,
        date: today,
        source,
        send_to,
        distribute_to,
    })
}

/// Writes the next bulletin: the next issue of `today`'s year (1 in a new year) and the next
/// total issue, with the issuer and readers of the latest issue. Never overwrites a file.
pub fn new_bulletin(root: &Path, today: Date) -> Result<NextBulletin, Diagnostic> {
    let next = next_bulletin(root, today)?;
    if root.join(&next.path).exists() {
        return Err(Diagnostic::error(
            next.path,
            0,
            format!(
                "已经存在，未改动它。新一期是{}年第{}期，但这个文件名已被占用；请检查这个文件里的 issue 和 date 是否写对",
                next.date.year, next.issue
            ),
        ));
    }
    let text = bulletin_text(&next, &Profile::read(root));
    write_file(root, &next.path, text.as_bytes())?;
    Ok(next)
}

/// Writes `content/pages/<slug>.md`; without a slug, the first free `page-N`.
pub fn new_page(root: &Path, title: &str, slug: Option<&str>) -> Result<String, Diagnostic> {
    require_site(root)?;
    let slug = match slug {
        Some(s) if values::is_slug(s) => s.to_string(),
        Some(s) => {
            return Err(Diagnostic::error(
                "--slug",
                0,
                format!(
                    "\"{s}\" 只能由小写英文字母、数字和连字符组成（用于网址），如 --slug about"
                ),
            ));
        }
        None => (1..)
            .map(|n| format!("page-{n}"))
            .find(|s| !root.join(format!("content/pages/{s}.md")).exists())
            .unwrap_or_else(|| "page".to_string()),
    };
    let rel = format!("content/pages/{slug}.md");
    if root.join(&rel).exists() {
        return Err(Diagnostic::error(
            rel,
            0,
            "已经存在，未改动它。请换一个名字",
        ));
    }
    write_file(root, &rel, page_text(title, &slug).as_bytes())?;
    Ok(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_value_is_in_its_column() {
        let today = Date::new(2024, 5, 20).expect("date");
        for kind in Kind::ALL {
            let row = example_row(kind, today);
            assert_eq!(row.len(), kind.fields().len());
            for (id, value) in kind.field_ids().zip(&row) {
                let field = id.spec();
                if field.required {
                    assert!(!value.is_empty(), "{kind:?}.{}", field.name);
                }
                if let Some(words) = choices(id)
                    && !value.is_empty()
                {
                    assert!(words.contains(&value.as_str()), "{kind:?}.{}", field.name);
                }
            }
        }
    }

    /// Every field of every record the workbook in `root` holds, as text, by kind.
    fn records_of(root: &Path) -> Vec<(Kind, Vec<Vec<String>>)> {
        let mut diags = crate::diagnostics::Diagnostics::new();
        let sources = crate::load::discover_all(root, Default::default(), &mut diags);
        let mut out = Vec::new();
        for (kind, sources) in &sources {
            let mut rows = Vec::new();
            crate::load::read_records(*kind, sources, &mut diags, &mut |rec, _| {
                let row = (0..kind.fields().len())
                    .map(|i| match rec.get(i).map(|f| &f.value) {
                        Some(crate::load::RawValue::Text(s)) => (*s).to_string(),
                        Some(other) => other.display(),
                        None => String::new(),
                    })
                    .collect();
                rows.push(row);
            });
            out.push((*kind, rows));
        }
        let problems: Vec<String> = diags.sorted().iter().map(ToString::to_string).collect();
        assert!(problems.is_empty(), "{problems:#?}");
        out
    }

    #[test]
    fn the_workbook_reads_back_to_the_example_records() {
        let dir = tempfile::tempdir().expect("temp dir");
        let today = Date::new(2024, 5, 20).expect("date");
        let created = init(dir.path(), false, today).expect("init");
        assert!(created.files.contains(&WORKBOOK.to_string()));
        for (kind, rows) in records_of(dir.path()) {
            // A new site is one subdistrict: it gets no subdistricts sheet.
            let want = if kind == Kind::Subdistricts {
                Vec::new()
            } else {
                vec![example_row(kind, today)]
            };
            assert_eq!(rows, want, "{kind:?}");
        }
    }

    #[test]
    fn the_instructions_explain_every_column_in_the_contract_s_words() {
        use calamine::{Data, Reader, open_workbook_auto};
        let dir = tempfile::tempdir().expect("temp dir");
        init(dir.path(), false, today()).expect("init");
        let mut book = open_workbook_auto(dir.path().join(WORKBOOK)).expect("workbook");
        let sheet = book.worksheet_range(INSTRUCTIONS).expect("instructions");
        let rows: Vec<(String, String, String)> = sheet
            .rows()
            .map(|r| {
                let text = |i: usize| match r.get(i) {
                    Some(Data::String(s)) => s.clone(),
                    _ => String::new(),
                };
                (text(0), text(1), text(4))
            })
            .collect();
        for kind in Kind::ALL {
            for field in kind.fields() {
                let explained = rows.iter().any(|(sheet, column, text)| {
                    sheet == kind.label()
                        && column == field.alias
                        && text.starts_with(field.meaning)
                });
                assert!(explained, "{kind:?}.{}", field.name);
            }
        }
    }

    #[test]
    fn a_date_is_stored_as_excel_counts_it() {
        assert_eq!(
            excel_serial(Date::new(2018, 12, 10).expect("date")),
            43_444.0
        );
    }
}
