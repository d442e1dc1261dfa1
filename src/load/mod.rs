//! Step 1 of the pipeline: find each record kind's files under `content/` and stream their
//! rows as [`RawRecord`]s, text still untyped, each field tagged with the header the user
//! wrote and the line it came from.

mod csv_reader;
pub(crate) mod decode;
pub(crate) mod documents;
mod toml_reader;
pub(crate) mod workbook;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Kind;

pub(crate) use toml_reader::{LineIndex, TomlDoc, raw_value as toml_value};

/// `str::trim`, without looking up whether a character is white space when the text
/// starts and ends with characters that cannot be: ASCII that is not white space, or a
/// character from U+4000 on (a UTF-8 lead byte of E4 or more), beyond the last white
/// space character (U+3000, E3 80 80). Nearly every field of a city's millions, Chinese
/// text and ASCII alike.
pub(crate) fn trim(text: &str) -> &str {
    // Not `u8::is_ascii_whitespace`, which leaves out the vertical tab that `trim` takes.
    let never_space = |lead: Option<&u8>| {
        lead.is_some_and(|&b| (b.is_ascii() && !char::from(b).is_whitespace()) || b >= 0xE4)
    };
    let bytes = text.as_bytes();
    // The last character's first byte: the last that is no continuation byte.
    let last = bytes.iter().rev().find(|&&b| b & 0xC0 != 0x80);
    if never_space(bytes.first()) && never_space(last) {
        text
    } else {
        text.trim()
    }
}

/// A field's value before validation. CSV gives only text; TOML gives native values too.
#[derive(Debug, Clone)]
pub(crate) enum RawValue<'a> {
    Text(&'a str),
    Integer(i64),
    Float(f64),
    Bool(bool),
    Datetime(toml::value::Datetime),
    List(Vec<RawValue<'a>>),
    Table,
    /// A workbook cell holding an error value (`#N/A`, `#REF!`): the reader has reported
    /// it at its cell, so the validator only marks the record as wrong.
    CellError(&'a str),
}

impl RawValue<'_> {
    /// How the value reads in a message.
    pub(crate) fn display(&self) -> String {
        match self {
            RawValue::Text(s) => (*s).to_string(),
            RawValue::Integer(i) => i.to_string(),
            RawValue::Float(f) => f.to_string(),
            RawValue::Bool(b) => b.to_string(),
            RawValue::Datetime(d) => d.to_string(),
            RawValue::List(items) => {
                let parts: Vec<String> = items.iter().map(|v| v.display()).collect();
                format!("[{}]", parts.join(", "))
            }
            RawValue::Table => "{…}".to_string(),
            RawValue::CellError(e) => (*e).to_string(),
        }
    }

    pub(crate) fn is_blank(&self) -> bool {
        matches!(self, RawValue::Text(s) if trim(s).is_empty())
            || matches!(self, RawValue::CellError(_))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RawField<'a> {
    /// The header or key exactly as the user wrote it, for messages.
    pub(crate) written: &'a str,
    pub(crate) line: u32,
    /// The 1-based column of a workbook cell, for messages; none for CSV and TOML, where
    /// the line and the header name the place.
    pub(crate) column: Option<u32>,
    pub(crate) value: RawValue<'a>,
}

/// One row of a CSV file or one table of a TOML file.
#[derive(Debug)]
pub(crate) struct RawRecord<'a> {
    pub(crate) path: &'a str,
    pub(crate) line: u32,
    /// Indexed like `Kind::fields()`.
    pub(crate) fields: Vec<Option<RawField<'a>>>,
    /// For CSV, which fields have a column at all; a missing column is reported once per
    /// file, so its rows do not repeat it.
    pub(crate) columns: Option<&'a [bool]>,
    /// Values of columns or keys the contract does not name: never published, and
    /// watched for by the leak guard.
    pub(crate) unknown: Vec<RawField<'a>>,
}

/// Which field each column of a header row holds.
pub(crate) struct HeaderMap {
    /// Indexed by column: the field it holds, if any.
    pub(crate) column_field: Vec<Option<usize>>,
    /// Indexed like `Kind::fields()`: whether any column holds the field.
    pub(crate) columns: Vec<bool>,
}

/// Maps a header row to fields, reporting two columns for one field, unknown columns and
/// missing required ones. `cell` gives a header's sheet column, for workbooks.
pub(crate) fn map_headers(
    kind: Kind,
    headers: &[String],
    path: &str,
    line: u32,
    cell: &dyn Fn(usize) -> Option<u32>,
    diags: &mut Diagnostics,
) -> HeaderMap {
    let specs = kind.fields();
    let mut column_field: Vec<Option<usize>> = Vec::with_capacity(headers.len());
    let mut columns = vec![false; specs.len()];
    let mut unknown = Vec::new();
    let mut seen: Vec<Option<&str>> = vec![None; specs.len()];
    let mut first_unknown = None;
    for (n, header) in headers.iter().enumerate() {
        match kind.lookup(header) {
            Some(i) => {
                if let Some(first) = seen[i] {
                    diags.push(
                        Diagnostic::error(
                            path,
                            line,
                            format!(
                                "列“{header}”与列“{first}”是同一字段（{}），只能保留一列",
                                specs[i].name
                            ),
                        )
                        .at_column(cell(n)),
                    );
                    column_field.push(None);
                } else {
                    seen[i] = Some(header);
                    columns[i] = true;
                    column_field.push(Some(i));
                }
            }
            None => {
                if !header.is_empty() {
                    unknown.push(header.as_str());
                    first_unknown.get_or_insert(n);
                }
                column_field.push(None);
            }
        }
    }
    if !columns.iter().any(|c| *c) && !unknown.is_empty() {
        // No field at all: most likely a title row above the header, which Excel users
        // add ("2018年3月走访记录表"). One message that says so, not one per column.
        let names: Vec<&str> = specs
            .iter()
            .filter(|s| s.required)
            .map(|s| s.alias)
            .collect();
        diags.push(
            Diagnostic::error(
                path,
                line,
                format!(
                    "这一行没有一个认得的列名，不像表头（表头要写 {} 等列名）。如果“{}”是表头上方的标题行，请把标题行删掉，让列名成为第一行",
                    names.join("、"),
                    unknown[0]
                ),
            )
            .at_column(first_unknown.and_then(cell)),
        );
        return HeaderMap {
            column_field,
            columns,
        };
    }
    if !unknown.is_empty() {
        let list: BTreeSet<&str> = unknown.into_iter().collect();
        let list: Vec<&str> = list.into_iter().collect();
        // On a sheet, the cell of the first such header: one warning for them all.
        diags.push(
            Diagnostic::warning(
                path,
                line,
                format!("未知的列“{}”，已忽略且不会公开", list.join("”“")),
            )
            .at_column(first_unknown.and_then(cell)),
        );
    }
    for (i, spec) in specs.iter().enumerate() {
        if spec.required && !columns[i] {
            diags.error(
                path,
                line,
                format!("缺少必填列“{}”（{}）", spec.alias, spec.name),
            );
        }
    }
    HeaderMap {
        column_field,
        columns,
    }
}

impl<'a> RawRecord<'a> {
    pub(crate) fn get(&self, index: usize) -> Option<&RawField<'a>> {
        self.fields.get(index).and_then(|f| f.as_ref())
    }
}

/// The files that hold one record kind, in the order they are read.
#[derive(Debug, Default)]
pub(crate) struct Sources {
    pub(crate) files: Vec<SourceFile>,
}

#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    pub(crate) path: PathBuf,
    /// Relative to the site root with `/`, as messages show it; for a workbook, with the
    /// sheet after a colon: `content/台账.xlsx:红管家`.
    pub(crate) display: String,
    pub(crate) format: Format,
    /// The sheet to read, for a workbook.
    pub(crate) sheet: Option<String>,
    /// How large a workbook may be (`[workbooks]` in `site.toml`).
    pub(crate) limits: workbook::Limits,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Toml,
    Workbook,
}

/// Shows a path relative to the site root, the way a user finds it in their folder.
pub(crate) fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(Format::Csv),
        "toml" => Some(Format::Toml),
        _ if workbook::is_workbook(path) => Some(Format::Workbook),
        _ => None,
    }
}

/// Whether `path` resolves to somewhere inside the site folder. A symbolic link that
/// leads out of it is refused: a site folder must not be a way to publish other files.
pub(crate) fn refuse_outside(
    root: &Path,
    path: &Path,
    display: &str,
    diags: &mut Diagnostics,
) -> bool {
    let (Ok(root), Ok(target)) = (root.canonicalize(), path.canonicalize()) else {
        // Missing targets are reported where the file is read.
        return true;
    };
    if target.starts_with(&root) {
        true
    } else {
        // Line 0: the message is about the file as a whole, and no line of it is shown
        // (it is not the site's to show).
        diags.error(
            display,
            0,
            "这是一个指向站点文件夹以外的符号链接，为安全起见不予读取",
        );
        false
    }
}

/// Where one kind's records may be: a file or folder named for the kind, or one sheet of
/// a workbook that holds several kinds.
enum Place {
    Path(PathBuf),
    Sheet(PathBuf, String),
}

/// Finds the files of every kind, in the order of `Kind::ALL`. A kind is in
/// `content/<kind>.csv`, `.toml`, a workbook `content/<kind>.xlsx` (`.xlsm`, `.xls`,
/// `.xlsb`, `.ods`), the folder `content/<kind>/`, or a sheet named for it in a workbook of
/// `content/` named for no kind (`content/红管家台账.xlsx`). Exactly one of them may exist.
pub(crate) fn discover_all(
    root: &Path,
    limits: workbook::Limits,
    diags: &mut Diagnostics,
) -> Vec<(Kind, Sources)> {
    let content = root.join("content");
    let mut places: Vec<Vec<Place>> = Kind::ALL
        .iter()
        .map(|kind| {
            let mut names = vec![
                format!("{}.csv", kind.plural()),
                format!("{}.toml", kind.plural()),
            ];
            names.extend(
                workbook::EXTENSIONS
                    .iter()
                    .map(|ext| format!("{}.{ext}", kind.plural())),
            );
            names.push(kind.plural().to_string());
            names
                .into_iter()
                .map(|n| content.join(n))
                .filter(|p| p.exists())
                .map(Place::Path)
                .collect()
        })
        .collect();
    // A workbook named for a kind in other words (走访记录.xlsx, Visits.xlsx) is that
    // kind's, like visits.xlsx.
    if let Ok(entries) = std::fs::read_dir(&content) {
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            // `visits.xlsx` itself is found above, by its exact name.
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            let exact = name.is_some_and(|n| {
                Kind::ALL.iter().any(|k| {
                    workbook::EXTENSIONS
                        .iter()
                        .any(|ext| n == format!("{}.{ext}", k.plural()))
                })
            });
            if let (Some(kind), true, false) = (workbook_kind(&path), path.is_file(), exact)
                && let Some(i) = Kind::ALL.iter().position(|k| *k == kind)
            {
                places[i].push(Place::Path(path));
            }
        }
    }
    for path in shared_workbooks(&content, diags) {
        let display = display_path(root, &path);
        if !refuse_outside(root, &path, &display, diags) {
            continue;
        }
        let Some(sheets) = workbook::sheet_names(&path, &display, limits, diags) else {
            continue;
        };
        let mut any = false;
        let mut unknown = Vec::new();
        for sheet in sheets {
            match Kind::from_name(&sheet) {
                Some(kind) => {
                    any = true;
                    if let Some(i) = Kind::ALL.iter().position(|k| *k == kind) {
                        places[i].push(Place::Sheet(path.clone(), sheet));
                    }
                }
                None if workbook::is_instructions(&sheet) => {}
                None => unknown.push(sheet),
            }
        }
        if !unknown.is_empty() {
            for sheet in workbook::with_content(&path, limits, unknown) {
                diags.warning(
                    &display,
                    1,
                    format!(
                        "工作表“{sheet}”不是记录类别的名称，已忽略（工作表名应为 {}）",
                        kind_names()
                    ),
                );
            }
        }
        if !any {
            diags.warning(
                &display,
                1,
                format!(
                    "工作簿里没有以记录类别命名的工作表，已忽略（工作表名应为 {}）",
                    kind_names()
                ),
            );
        }
    }
    Kind::ALL
        .iter()
        .zip(places)
        .map(|(&kind, found)| (kind, sources_of(root, kind, found, limits, diags)))
        .collect()
}

/// The kind a workbook's file name names, in any of the names a sheet may have.
fn workbook_kind(path: &Path) -> Option<Kind> {
    if !workbook::is_workbook(path) {
        return None;
    }
    Kind::from_name(&path.file_stem()?.to_string_lossy())
}

/// `社区、红管家、…`: the sheet names a workbook of several kinds may use.
fn kind_names() -> String {
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.label()).collect();
    names.join("、")
}

/// Workbooks directly in `content/` not named for a kind: each sheet named for a kind holds
/// that kind. WPS `.et` files there are reported, since they cannot be read.
fn shared_workbooks(content: &Path, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(content) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    let root = content.parent().unwrap_or(content);
    paths
        .into_iter()
        .filter(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if name.starts_with('.') || name.starts_with("~$") {
                return false;
            }
            if !p.is_file() {
                // A pipe or device under a workbook's name is said, not skipped.
                if workbook::is_workbook(p)
                    && let Err(why) = crate::files::readable(p)
                {
                    diags.error(&display_path(root, p), 0, why);
                }
                return false;
            }
            if workbook::is_wps(p) {
                diags.error(&display_path(root, p), 1, workbook::WPS_MESSAGE);
                return false;
            }
            workbook::is_workbook(p) && workbook_kind(p).is_none()
        })
        .collect()
}

fn sources_of(
    root: &Path,
    kind: Kind,
    mut found: Vec<Place>,
    limits: workbook::Limits,
    diags: &mut Diagnostics,
) -> Sources {
    let shown = |place: &Place| match place {
        Place::Path(p) if p.is_dir() => format!("{}/", display_path(root, p)),
        Place::Path(p) => display_path(root, p),
        Place::Sheet(p, sheet) => format!("{}:{sheet}", display_path(root, p)),
    };
    match found.len() {
        0 => {
            if kind.required() {
                diags.error(
                    &format!("content/{}.csv", kind.plural()),
                    1,
                    format!(
                        "缺少{}数据：请提供 content/{}.csv、content/{}.toml、工作簿 content/{}.xlsx、文件夹 content/{}/，或在工作簿（如 content/红管家台账.xlsx）里建一个名为“{}”的工作表",
                        kind.label(),
                        kind.plural(),
                        kind.plural(),
                        kind.plural(),
                        kind.plural(),
                        kind.label(),
                    ),
                );
            }
            Sources::default()
        }
        1 => match found.remove(0) {
            Place::Sheet(path, sheet) => Sources {
                files: vec![SourceFile {
                    display: format!("{}:{sheet}", display_path(root, &path)),
                    path,
                    format: Format::Workbook,
                    sheet: Some(sheet),
                    limits,
                }],
            },
            Place::Path(path) => {
                let display = display_path(root, &path);
                if !refuse_outside(root, &path, &display, diags) {
                    return Sources::default();
                }
                if path.is_dir() {
                    folder_sources(root, kind, &path, limits, diags)
                } else {
                    let mut files = Vec::new();
                    add_file(kind, path, display, limits, &mut files, diags);
                    Sources { files }
                }
            }
        },
        _ => {
            let names: Vec<String> = found.iter().map(shown).collect();
            diags.error(
                &names[0],
                1,
                format!(
                    "{}数据同时存在于 {}，只能保留一处",
                    kind.label(),
                    names.join(" 和 ")
                ),
            );
            Sources::default()
        }
    }
}

/// Adds a file named for `kind` (or inside its folder): a workbook adds each of its sheets
/// that holds records.
fn add_file(
    kind: Kind,
    path: PathBuf,
    display: String,
    limits: workbook::Limits,
    files: &mut Vec<SourceFile>,
    diags: &mut Diagnostics,
) {
    match format_of(&path) {
        Some(Format::Workbook) => {
            let Some(sheets) = workbook::sheet_names(&path, &display, limits, diags) else {
                return;
            };
            for sheet in sheets {
                match Kind::from_name(&sheet) {
                    _ if workbook::is_instructions(&sheet) => {}
                    Some(other) if other != kind => diags.warning(
                        &display,
                        1,
                        format!(
                            "工作表“{sheet}”是另一类记录（{}）的名称，而这个工作簿按文件名只放{}，已忽略（要在一个工作簿里放几类记录，请给工作簿起一个不是类别名的文件名，如 content/红管家台账.xlsx）",
                            other.label(),
                            kind.label()
                        ),
                    ),
                    _ => files.push(SourceFile {
                        path: path.clone(),
                        display: format!("{display}:{sheet}"),
                        format: Format::Workbook,
                        sheet: Some(sheet),
                        limits,
                    }),
                }
            }
        }
        Some(format) => files.push(SourceFile {
            path,
            display,
            format,
            sheet: None,
            limits,
        }),
        None => {}
    }
}

fn folder_sources(
    root: &Path,
    kind: Kind,
    dir: &Path,
    limits: workbook::Limits,
    diags: &mut Diagnostics,
) -> Sources {
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let shown = err
                    .path()
                    .map(|p| display_path(root, p))
                    .unwrap_or_else(|| display_path(root, dir));
                diags.error(&shown, 1, format!("无法读取：{err}"));
                continue;
            }
        };
        let file_type = entry.file_type();
        if file_type.is_dir() {
            continue;
        }
        let path = entry.path().to_path_buf();
        let display = display_path(root, &path);
        let name = entry.file_name().to_string_lossy();
        // Office lock files and editor backups are not records.
        if name.starts_with("~$") || name.ends_with('~') {
            continue;
        }
        // A link to a file inside the site is read like the file; links are not followed
        // into folders, nor out of the site.
        if file_type.is_symlink() && !refuse_outside(root, &path, &display, diags) {
            continue;
        }
        // What the entry is, following a link: a folder a link leads to is not read; a
        // pipe, socket or device is refused before anything opens it.
        match crate::files::readable(&path) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(why) => {
                diags.error(&display, 0, why);
                continue;
            }
        }
        if workbook::is_wps(&path) {
            diags.error(&display, 1, workbook::WPS_MESSAGE);
        } else if format_of(&path).is_some() {
            add_file(kind, path, display, limits, &mut files, diags);
        } else if name.to_lowercase().ends_with(".txt") {
            diags.warning(
                &display,
                1,
                "不是 .csv、.toml 或 Excel/WPS 工作簿文件，已忽略；如果是 Excel 存的“Unicode 文本”（制表符分隔），把扩展名改为 .csv 就能读取",
            );
        } else {
            diags.warning(
                &display,
                1,
                "不是 .csv、.toml 或 Excel/WPS 工作簿文件，已忽略",
            );
        }
    }
    Sources { files }
}

/// Streams every record of `kind` from `sources` into `sink`, reporting unreadable files,
/// syntax errors and unknown or missing columns on the way.
pub(crate) fn read_records(
    kind: Kind,
    sources: &Sources,
    diags: &mut Diagnostics,
    sink: &mut dyn FnMut(&RawRecord<'_>, &mut Diagnostics),
) {
    for file in &sources.files {
        match file.format {
            Format::Csv => csv_reader::read(kind, file, diags, sink),
            Format::Toml => toml_reader::read_records(kind, file, diags, sink),
            Format::Workbook => workbook::read(kind, file, diags, sink),
        }
    }
}

/// Streams every record of `kind` like [`read_records`], CSV files in blocks parsed and
/// checked on every core while the next ones are read: each block starts a state with
/// `new` and feeds its records to `each`; `merge` then gets the states in file and line
/// order, and the problems of each block are added before its state. Workbooks and TOML
/// files are read in one part. Every thread that reads records also has a state of its
/// own from `worker`, for what may be gathered in any order; they are returned.
pub(crate) fn read_records_parallel<S: Send, W: Send>(
    kind: Kind,
    sources: &Sources,
    diags: &mut Diagnostics,
    new: &(dyn Fn() -> S + Sync),
    worker: &(dyn Fn() -> W + Sync),
    each: &(dyn Fn(&RawRecord<'_>, &mut Diagnostics, &mut S, &mut W) + Sync),
    merge: &mut dyn FnMut(S, &mut Diagnostics),
) -> Vec<W> {
    csv_reader::read_parallel(kind, &sources.files, diags, new, worker, each, merge)
}

/// About how many records the CSV files of `sources` hold, from their sizes and rows of
/// `bytes_per_row` bytes: a guess to make room by, never a count (a workbook's
/// compressed size is no guide, so its rows are not guessed at).
pub(crate) fn csv_rows_about(sources: &Sources, bytes_per_row: u64) -> usize {
    let bytes: u64 = sources
        .files
        .iter()
        .filter(|f| f.format == Format::Csv)
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    usize::try_from(bytes / bytes_per_row.max(1)).unwrap_or(0)
}

/// Warns about entries of `content/` that hongguanjia does not read, so that a misnamed
/// file (`Errands.csv`, `visit.csv`) is not silently left out of the figures.
pub(crate) fn unexpected_entries(
    root: &Path,
    closest: &dyn Fn(&str, bool) -> Option<String>,
    diags: &mut Diagnostics,
) {
    let Ok(entries) = std::fs::read_dir(root.join("content")) else {
        return;
    };
    let mut known: Vec<String> = vec![
        "commendations.toml".into(),
        "bulletins".into(),
        "pages".into(),
    ];
    for kind in Kind::ALL {
        known.push(format!("{}.csv", kind.plural()));
        known.push(format!("{}.toml", kind.plural()));
        known.push(kind.plural().to_string());
    }
    // Workbooks and WPS files are all looked into (or reported) by `discover_all`.
    let mut names: Vec<(String, bool)> = entries
        .flatten()
        .map(|e| {
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (e.file_name().to_string_lossy().into_owned(), is_dir)
        })
        .filter(|(n, _)| !n.starts_with('.') && !n.starts_with("~$"))
        .filter(|(n, _)| !workbook::is_workbook(Path::new(n)) && !workbook::is_wps(Path::new(n)))
        .collect();
    names.sort();
    for (name, is_dir) in names {
        if known.contains(&name) {
            continue;
        }
        // By closeness or by the Chinese name of the sheet; never what is already there.
        let hint = closest(&name, is_dir)
            .filter(|k| *k != name && !root.join("content").join(k).exists())
            .map(|k| format!("，是不是想写 {k}？"))
            .unwrap_or_default();
        diags.warning(
            &format!("content/{name}"),
            1,
            format!("不认识的文件或文件夹，已忽略{hint}"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn trim_takes_what_str_trim_takes() {
        let ends = [
            "", "a", "中", " ", "\u{b}", "\t", "\u{3000}", "\u{a0}", "\u{1f}", "x ",
        ];
        for a in ends {
            for b in ends {
                let text = format!("{a}1{b}");
                assert_eq!(super::trim(&text), text.trim(), "{text:?}");
                assert_eq!(super::trim(a), a.trim(), "{a:?}");
            }
        }
        // Every character at either end, alone and around another.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for text in [
                c.to_string(),
                format!("{c}中{c}"),
                format!("a{c}"),
                format!("{c}a"),
            ] {
                assert_eq!(super::trim(&text), text.trim(), "{text:?}");
            }
        }
    }
}
