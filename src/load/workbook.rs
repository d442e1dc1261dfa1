//! Workbooks as offices keep them (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`, `.ods`), read with
//! calamine into the same raw records as CSV. Cells are taken as Excel stores them, so
//! the reader undoes what a spreadsheet does to typed values: a phone or an id stored as a
//! number reads as its digits, a date as the day it shows, a formula as its last value.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use calamine::{Data, Dimensions, Ods, Range, Reader, Sheets, Xls, Xlsb, Xlsx};

use super::{HeaderMap, RawField, RawRecord, RawValue, SourceFile, map_headers};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::{Field, Kind};

/// File endings read as workbooks.
pub(crate) const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// What to do with a WPS workbook, whose format no reader can open.
pub(crate) const WPS_MESSAGE: &str = "这是 WPS 表格的 .et 文件，无法读取。请在 WPS 里用“文件 → 另存为”，文件类型选“Excel 工作簿（*.xlsx）”，保存后删去 .et 文件";

/// The error values a spreadsheet formula can show.
const ERROR_VALUES: &[&str] = &[
    "#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#DATA!", "#SPILL!",
    "#CALC!",
];

/// Rows searched for the header, past a title or notes above it.
const HEADER_SEARCH: usize = 20;

/// The largest serial number Excel has a date for (9999-12-31).
const LAST_SERIAL: f64 = 2_958_465.0;

/// Excel keeps 15 significant digits; a longer number stored as a number has lost digits.
const EXACT_DIGITS: f64 = 1e15;

/// How large a workbook may be before it is read (`[workbooks]` in `site.toml`). A
/// workbook is a zip archive of XML: a few megabytes can unpack to gigabytes, which the
/// reader would hold in memory whole, so the unpacked size is read from the archive's
/// directory first (the zip reader stops at the size an entry declares).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Bytes all of a workbook's parts may unpack to (the file's own size for `.xls`).
    pub(crate) max_bytes: u64,
    /// Rows one sheet may span.
    pub(crate) max_rows: u32,
}

impl Default for Limits {
    /// 512 MiB and Excel's own 1,048,576 rows: a sheet Excel can hold is about 100 MiB of
    /// XML per million rows and ten columns, so any workbook an office makes fits, and the
    /// reader stays within about two gigabytes of memory.
    fn default() -> Self {
        Limits {
            max_bytes: 512 << 20,
            max_rows: 1_048_576,
        }
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

pub(crate) fn is_workbook(path: &Path) -> bool {
    EXTENSIONS.contains(&extension(path).as_str())
}

/// A WPS spreadsheet (`.et`) or template (`.ett`).
pub(crate) fn is_wps(path: &Path) -> bool {
    matches!(extension(path).as_str(), "et" | "ett")
}

/// Sheets that explain the workbook rather than hold records, like the one `init` writes.
pub(crate) fn is_instructions(sheet: &str) -> bool {
    matches!(sheet.trim(), "填写说明" | "说明" | "使用说明")
}

/// The kind a message's workbook path (`content/台账.xlsx:红管家`,
/// `content/stewards.xlsx:Sheet1`) is about, if it names one.
pub(crate) fn kind_of_path(display: &str) -> Option<Kind> {
    let (file, sheet) = display.rsplit_once(':')?;
    let file = Path::new(file);
    if !is_workbook(file) {
        return None;
    }
    Kind::from_name(&file.file_stem()?.to_string_lossy()).or_else(|| Kind::from_name(sheet))
}

fn open(
    path: &Path,
    display: &str,
    limits: Limits,
    diags: &mut Diagnostics,
) -> Option<Sheets<BufReader<File>>> {
    match open_sheets(path, limits) {
        Ok(wb) => Some(wb),
        Err(Refused::TooLarge(bytes)) => {
            diags.error(
                display,
                0,
                format!(
                    "这个工作簿解压后有 {} MB，超过了上限 {} MB（防止一个小文件解压出几十亿字节、把内存占满），没有读取。如果它确实是记录，请把记录分到几个工作簿里，或导出为 CSV；确实需要时，在 site.toml 里写 [workbooks] max_unpacked_mb = 更大的数",
                    bytes.div_ceil(1 << 20),
                    limits.max_bytes >> 20
                ),
            );
            None
        }
        Err(Refused::Unreadable(err)) => {
            let why = match &err {
                calamine::Error::Io(io) => {
                    format!("无法读取文件：{}", crate::fs_errors::reason(io))
                }
                _ => format!(
                    "无法作为工作簿读取（文件可能已损坏、设了密码，或扩展名与内容不符；请在 Excel 或 WPS 里打开后另存为 .xlsx）：{err}"
                ),
            };
            // Line 0: nothing of a file that could not be read is shown.
            diags.error(display, 0, why);
            None
        }
    }
}

/// Why a workbook was not opened.
enum Refused {
    /// Its parts unpack to this many bytes, more than allowed.
    TooLarge(u64),
    Unreadable(calamine::Error),
}

/// Opens a workbook by its file ending, as `calamine::open_workbook_auto` does, but only
/// a regular file (a pipe would wait forever) and only one that unpacks to no more than
/// `limits` allows.
fn open_sheets(path: &Path, limits: Limits) -> Result<Sheets<BufReader<File>>, Refused> {
    let io = |e| Refused::Unreadable(calamine::Error::Io(e));
    let file = crate::files::open(path).map_err(io)?;
    let ext = extension(path);
    let unpacked = if ext == "xls" {
        file.metadata().map_err(io)?.len()
    } else {
        unpacked_size(&file).map_err(io)?
    };
    if unpacked > limits.max_bytes {
        return Err(Refused::TooLarge(unpacked));
    }
    let reader = BufReader::new(file);
    let opened = match ext.as_str() {
        "xls" => Xls::new(reader)
            .map(Sheets::Xls)
            .map_err(calamine::Error::Xls),
        "xlsb" => Xlsb::new(reader)
            .map(Sheets::Xlsb)
            .map_err(calamine::Error::Xlsb),
        "ods" => Ods::new(reader)
            .map(Sheets::Ods)
            .map_err(calamine::Error::Ods),
        _ => Xlsx::new(reader)
            .map(Sheets::Xlsx)
            .map_err(calamine::Error::Xlsx),
    };
    opened.map_err(Refused::Unreadable)
}

/// What the parts of a zip archive unpack to, by its directory (nothing is unpacked). A
/// file that is no zip archive is let through: the workbook reader says what it is.
fn unpacked_size(file: &File) -> std::io::Result<u64> {
    use std::io::Seek;
    let mut reader = BufReader::new(file);
    let total = match zip::ZipArchive::new(&mut reader) {
        Ok(mut archive) => {
            let mut total = 0u64;
            for i in 0..archive.len() {
                if let Ok(entry) = archive.by_index_raw(i) {
                    total = total.saturating_add(entry.size());
                }
            }
            total
        }
        Err(_) => 0,
    };
    reader.rewind()?;
    Ok(total)
}

/// The workbook's sheet names, in workbook order.
pub(super) fn sheet_names(
    path: &Path,
    display: &str,
    limits: Limits,
    diags: &mut Diagnostics,
) -> Option<Vec<String>> {
    open(path, display, limits, diags).map(|wb| wb.sheet_names())
}

/// Of `sheets`, those holding anything: a spare empty sheet is not worth a warning.
pub(super) fn with_content(path: &Path, limits: Limits, sheets: Vec<String>) -> Vec<String> {
    let Ok(mut wb) = open_sheets(path, limits) else {
        return sheets;
    };
    sheets
        .into_iter()
        .filter(|s| {
            wb.worksheet_range(s)
                .map_or(true, |r| r.used_cells().any(|(_, _, d)| !is_empty(d)))
        })
        .collect()
}

/// The merged areas of a sheet, where the format keeps them.
fn merged(wb: &mut Sheets<BufReader<File>>, sheet: &str) -> Vec<Dimensions> {
    match wb {
        Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        Sheets::Xls(x) => x.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// One sheet as a grid addressed like Excel's: `cell(row, col)` with 0-based sheet
/// coordinates, merged areas read as their top-left cell.
struct Grid {
    range: Range<Data>,
    merged: Vec<Dimensions>,
}

impl Grid {
    fn start(&self) -> (u32, u32) {
        self.range.start().unwrap_or((0, 0))
    }

    fn end(&self) -> (u32, u32) {
        self.range.end().unwrap_or((0, 0))
    }

    fn raw(&self, row: u32, col: u32) -> &Data {
        self.range.get_value((row, col)).unwrap_or(&Data::Empty)
    }

    /// The merged area `(row, col)` lies in, other than as its top-left cell.
    fn merged_into(&self, row: u32, col: u32) -> Option<&Dimensions> {
        self.merged.iter().find(|d| {
            (d.start.0..=d.end.0).contains(&row)
                && (d.start.1..=d.end.1).contains(&col)
                && (row, col) != d.start
        })
    }

    /// A data cell: a merged area shows its value in each of its cells, as the user sees it.
    fn cell(&self, row: u32, col: u32) -> &Data {
        match self.merged_into(row, col) {
            Some(d) => self.raw(d.start.0, d.start.1),
            None => self.raw(row, col),
        }
    }

    fn row_is_empty(&self, row: u32) -> bool {
        let (c0, c1) = (self.start().1, self.end().1);
        (c0..=c1).all(|c| is_empty(self.cell(row, c)))
    }
}

fn is_empty(data: &Data) -> bool {
    match data {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn header_text(data: &Data) -> String {
    match data {
        Data::String(s) => s.trim().to_string(),
        Data::Empty => String::new(),
        other => other.to_string().trim().to_string(),
    }
}

/// A cell's value as text, the way the user reads it in the sheet.
enum Cell {
    Text(String),
    Error(String),
}

/// Whole numbers read as their digits (3.0 is 3, 13812345678 is not 1.38E+10); a number
/// in a date column is the date Excel shows for it.
fn cell_value(data: &Data, date_column: bool) -> Cell {
    let text = match data {
        Data::Empty => String::new(),
        // Some writers store a formula's error result as text; it is an error all the same.
        Data::String(s) if ERROR_VALUES.contains(&s.trim()) => {
            return Cell::Error(s.trim().to_string());
        }
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) if date_column => serial_date(*i as f64).unwrap_or_else(|| i.to_string()),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if date_column => serial_date(*f).unwrap_or_else(|| number(*f)),
        Data::Float(f) => number(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) if dt.is_duration() => number(dt.as_f64()),
        Data::DateTime(dt) => {
            let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
            if date_column || (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}")
            }
        }
        Data::DateTimeIso(s) => match s.split_once('T') {
            Some((day, time)) if date_column || time.trim_start_matches(['0', ':']).is_empty() => {
                day.to_string()
            }
            _ => s.clone(),
        },
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Cell::Error(e.to_string()),
    };
    Cell::Text(text)
}

/// A number as Excel shows it in a General cell: whole numbers as their digits, others to
/// Excel's 15 significant digits (a formula's 0.30000000000000004 is 0.3).
fn number(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.fract() == 0.0 && f.abs() < 1e17 {
        return format!("{f:.0}");
    }
    let magnitude = f.abs().log10().floor() as i32 + 1;
    let decimals = (15 - magnitude).clamp(0, 15) as usize;
    let text = format!("{f:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The day of an Excel serial number (1900 date system; the time of day is dropped).
fn serial_date(serial: f64) -> Option<String> {
    if !(1.0..=LAST_SERIAL).contains(&serial) {
        return None;
    }
    // Serial 25569 is 1970-01-01; Excel counts a 1900-02-29 that never was, so serials
    // before it are a day later than this arithmetic says (and 60 is that day itself).
    let mut days = serial.floor() as i64 - 25_569;
    if serial < 60.0 {
        days += 1;
    }
    crate::model::Date::from_unix_days(days).map(|d| d.to_string())
}

/// Streams the records of one sheet.
pub(super) fn read(
    kind: Kind,
    file: &SourceFile,
    diags: &mut Diagnostics,
    sink: &mut dyn FnMut(&RawRecord<'_>, &mut Diagnostics),
) {
    let path = file.display.as_str();
    let Some(sheet) = file.sheet.as_deref() else {
        return;
    };
    let workbook_display = path
        .strip_suffix(sheet)
        .and_then(|p| p.strip_suffix(':'))
        .unwrap_or(path);
    let Some(mut wb) = open(&file.path, workbook_display, file.limits, diags) else {
        return;
    };
    // A hidden sheet is read as hidden rows are: what the workbook holds is the record,
    // whatever Excel shows. Said once, so that nobody publishes it unawares.
    let hidden = wb
        .sheets_metadata()
        .iter()
        .any(|s| s.name == sheet && s.visible != calamine::SheetVisible::Visible);
    if hidden {
        diags.warning(
            path,
            0,
            "这个工作表在 Excel 里是隐藏的，其中的记录照样读取、统计和公开（和隐藏的行一样）；不要的记录请删掉，要用的请在 Excel 里右键工作表标签，选“取消隐藏”",
        );
    }
    let range = match wb.worksheet_range(sheet) {
        Ok(r) => r,
        Err(err) => {
            diags.error(path, 1, format!("无法读取这个工作表：{err}"));
            return;
        }
    };
    let rows = range.height();
    if rows > file.limits.max_rows as usize {
        diags.error(
            path,
            0,
            format!(
                "这个工作表有 {rows} 行，超过了上限 {} 行，没有读取。请把记录分到几个工作表或工作簿里，或导出为 CSV；确实需要时，在 site.toml 里写 [workbooks] max_rows = 更大的数",
                file.limits.max_rows
            ),
        );
        return;
    }
    let grid = Grid {
        merged: merged(&mut wb, sheet),
        range,
    };
    read_grid(kind, path, sheet, &grid, diags, sink);
}

fn read_grid(
    kind: Kind,
    path: &str,
    sheet: &str,
    grid: &Grid,
    diags: &mut Diagnostics,
    sink: &mut dyn FnMut(&RawRecord<'_>, &mut Diagnostics),
) {
    let (r0, c0) = grid.start();
    let (r1, c1) = grid.end();
    let line = |row: u32| row + 1;
    let column = |col: u32| Some(col + 1);
    if grid.range.is_empty() {
        // Spare sheets (Sheet2, Sheet3) are left empty; only one named for a kind is worth
        // a word.
        if Kind::from_name(sheet).is_some() {
            diags.warning(path, 1, "工作表是空的，没有表头也没有记录");
        }
        return;
    }
    // The header is the first row naming a field; a title row above it (often merged
    // across the table) is passed over. With no such row, the first non-empty row.
    let non_empty: Vec<u32> = (r0..=r1).filter(|&r| !grid.row_is_empty(r)).collect();
    let Some(&first) = non_empty.first() else {
        if Kind::from_name(sheet).is_some() {
            diags.warning(path, 1, "工作表是空的，没有表头也没有记录");
        }
        return;
    };
    let header_row = non_empty
        .iter()
        .take(HEADER_SEARCH)
        .copied()
        .find(|&r| (c0..=c1).any(|c| kind.lookup(&header_text(grid.raw(r, c))).is_some()))
        .unwrap_or(first);
    // A header cell merged down over two rows stands above a row of sub-headers (联系方式
    // over 电话 and 楼幢): each column's header is its lowest text in those rows.
    let header_end = grid
        .merged
        .iter()
        .filter(|d| d.start.0 == header_row && d.end.0 > d.start.0)
        .map(|d| d.end.0)
        .max()
        .unwrap_or(header_row);
    let headers: Vec<String> = (c0..=c1)
        .map(|c| {
            (header_row..=header_end)
                .rev()
                .map(|r| header_text(grid.raw(r, c)))
                .find(|t| !t.is_empty())
                .unwrap_or_default()
        })
        .collect();
    let HeaderMap {
        column_field,
        columns,
    } = map_headers(
        kind,
        &headers,
        path,
        line(header_row),
        &|n| column(c0 + n as u32),
        diags,
    );
    let date_column: Vec<bool> = column_field
        .iter()
        .map(|f| f.is_some_and(|i| kind.field_ids().nth(i).is_some_and(Field::is_date)))
        .collect();

    let mut headless_reported = false;
    for row in (header_end + 1)..=r1 {
        if grid.row_is_empty(row) {
            continue;
        }
        let cells: Vec<(u32, Cell)> = (c0..=c1)
            .map(|c| {
                let n = (c - c0) as usize;
                (c, cell_value(grid.cell(row, c), date_column[n]))
            })
            .collect();
        let mut fields: Vec<Option<RawField<'_>>> = vec![None; kind.fields().len()];
        let mut unknown = Vec::new();
        for (n, (col, cell)) in cells.iter().enumerate() {
            let written = headers[n].as_str();
            let shown = if written.is_empty() {
                "（无表头的列）"
            } else {
                written
            };
            let value = match cell {
                Cell::Text(t) => RawValue::Text(t),
                Cell::Error(e) => {
                    diags.push(Diagnostic::error(path, line(row), format!(
                            "{shown}: 单元格是错误值 {e}（多半是公式出错），请改正公式或直接填入内容"
                        )).at_column(column(*col)));
                    RawValue::CellError(e)
                }
            };
            if let (Data::Float(f), Cell::Text(_)) = (grid.cell(row, *col), cell)
                && f.abs() >= EXACT_DIGITS
                && !date_column[n]
            {
                diags.push(Diagnostic::warning(path, line(row), format!(
                        "{shown}: 这个数字超过 15 位，Excel 按数字保存时已丢掉末尾几位；请把这一列设为“文本”格式后重新输入"
                    )).at_column(column(*col)));
            }
            let field = RawField {
                written,
                line: line(row),
                column: column(*col),
                value,
            };
            match column_field[n] {
                Some(i) => fields[i] = Some(field),
                None if !matches!(cell, Cell::Text(t) if t.is_empty()) => {
                    if written.is_empty() && !headless_reported {
                        diags.push(
                            Diagnostic::warning(
                                path,
                                line(row),
                                "这一列没有表头，其中的内容已忽略且不会公开（请在表头行写上列名）",
                            )
                            .at_column(column(*col)),
                        );
                        headless_reported = true;
                    }
                    unknown.push(field)
                }
                None => {}
            }
        }
        let record = RawRecord {
            path,
            line: line(row),
            fields,
            columns: Some(&columns),
            unknown,
        };
        sink(&record, diags);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_sheet_shows_them() {
        let text = |d: Data, date: bool| match cell_value(&d, date) {
            Cell::Text(t) => t,
            Cell::Error(e) => format!("error {e}"),
        };
        assert_eq!(text(Data::Float(3.0), false), "3");
        assert_eq!(text(Data::Float(13_812_345_678.0), false), "13812345678");
        assert_eq!(text(Data::Float(2.5), false), "2.5");
        assert_eq!(text(Data::Float(0.1 + 0.2), false), "0.3");
        assert_eq!(text(Data::Float(-1.25), false), "-1.25");
        assert_eq!(text(Data::Float(43_444.0), true), "2018-12-10");
        assert_eq!(text(Data::Int(43_444), true), "2018-12-10");
        assert_eq!(text(Data::Float(20_181_210.0), true), "20181210");
        assert_eq!(text(Data::String(" 007 ".into()), false), "007");
        assert_eq!(
            text(Data::DateTimeIso("2018-12-10T00:00:00".into()), false),
            "2018-12-10"
        );
        assert_eq!(
            text(Data::Error(calamine::CellErrorType::NA), false),
            "error #N/A"
        );
    }

    #[test]
    fn serials_count_from_excels_epoch() {
        assert_eq!(serial_date(1.0).as_deref(), Some("1900-01-01"));
        assert_eq!(serial_date(61.0).as_deref(), Some("1900-03-01"));
        assert_eq!(serial_date(25_569.0).as_deref(), Some("1970-01-01"));
        assert_eq!(serial_date(43_444.75).as_deref(), Some("2018-12-10"));
        assert_eq!(serial_date(0.0), None);
    }
}
