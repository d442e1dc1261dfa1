//! Step 1 of the pipeline: find each record kind's files under `content/` and stream their
//! rows as [`RawRecord`]s, text still untyped, each field tagged with the header the user
//! wrote and the line it came from.

mod csv_reader;
pub mod decode;
pub mod documents;
mod toml_reader;

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostics;
use crate::schema::Kind;

pub use toml_reader::{LineIndex, TomlDoc, raw_value as toml_value};

/// A field's value before validation. CSV gives only text; TOML gives native values too.
#[derive(Debug, Clone)]
pub enum RawValue<'a> {
    Text(&'a str),
    Integer(i64),
    Float(f64),
    Bool(bool),
    Datetime(toml::value::Datetime),
    List(Vec<RawValue<'a>>),
    Table,
}

impl RawValue<'_> {
    /// How the value reads in a message.
    pub fn display(&self) -> String {
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
        }
    }

    pub fn is_blank(&self) -> bool {
        matches!(self, RawValue::Text(s) if s.trim().is_empty())
    }
}

#[derive(Debug, Clone)]
pub struct RawField<'a> {
    /// The header or key exactly as the user wrote it, for messages.
    pub written: &'a str,
    pub line: u32,
    /// The 1-based column of a workbook cell, for messages; none for CSV and TOML, where
    /// the line and the header name the place.
    pub column: Option<u32>,
    pub value: RawValue<'a>,
}

/// One row of a CSV file or one table of a TOML file.
#[derive(Debug)]
pub struct RawRecord<'a> {
    pub path: &'a str,
    pub line: u32,
    /// Indexed like `Kind::fields()`.
    pub fields: Vec<Option<RawField<'a>>>,
    /// For CSV, which fields have a column at all; a missing column is reported once per
    /// file, so its rows do not repeat it.
    pub columns: Option<&'a [bool]>,
    /// Values of columns or keys the contract does not name: never published, and
    /// watched for by the leak guard.
    pub unknown: Vec<RawField<'a>>,
}

impl<'a> RawRecord<'a> {
    pub fn get(&self, index: usize) -> Option<&RawField<'a>> {
        self.fields.get(index).and_then(|f| f.as_ref())
    }
}

/// The files that hold one record kind, in the order they are read.
#[derive(Debug, Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Relative to the site root with `/`, as messages show it.
    pub display: String,
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Toml,
}

/// Shows a path relative to the site root, the way a user finds it in their folder.
pub fn display_path(root: &Path, path: &Path) -> String {
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
        _ => None,
    }
}

/// Whether `path` resolves to somewhere inside the site folder. A symbolic link that
/// leads out of it is refused: a site folder must not be a way to publish other files.
pub fn refuse_outside(root: &Path, path: &Path, display: &str, diags: &mut Diagnostics) -> bool {
    let (Ok(root), Ok(target)) = (root.canonicalize(), path.canonicalize()) else {
        // Missing targets are reported where the file is read.
        return true;
    };
    if target.starts_with(&root) {
        true
    } else {
        diags.error(
            display,
            1,
            "这是一个指向站点文件夹以外的符号链接，为安全起见不予读取",
        );
        false
    }
}

/// Finds the files of `kind`: `content/<kind>.csv`, `content/<kind>.toml` or the folder
/// `content/<kind>/`. Exactly one of them may exist.
pub fn discover(root: &Path, kind: Kind, diags: &mut Diagnostics) -> Sources {
    let content = root.join("content");
    let mut found: Vec<PathBuf> = Vec::new();
    for candidate in [
        content.join(format!("{}.csv", kind.plural())),
        content.join(format!("{}.toml", kind.plural())),
        content.join(kind.plural()),
    ] {
        if candidate.exists() {
            found.push(candidate);
        }
    }
    let shown = |p: &PathBuf| display_path(root, p);
    match found.len() {
        0 => {
            if kind.required() {
                diags.error(
                    &format!("content/{}.csv", kind.plural()),
                    1,
                    format!(
                        "缺少{}数据：请提供 content/{}.csv、content/{}.toml 或文件夹 content/{}/",
                        kind.label(),
                        kind.plural(),
                        kind.plural(),
                        kind.plural()
                    ),
                );
            }
            Sources::default()
        }
        1 => {
            let path = found.remove(0);
            if !refuse_outside(root, &path, &shown(&path), diags) {
                return Sources::default();
            }
            if path.is_dir() {
                folder_sources(root, &path, diags)
            } else {
                let display = shown(&path);
                match format_of(&path) {
                    Some(format) => Sources {
                        files: vec![SourceFile {
                            path,
                            display,
                            format,
                        }],
                    },
                    None => Sources::default(),
                }
            }
        }
        _ => {
            // A folder is shown with its trailing `/`, as the contract writes it.
            let names: Vec<String> = found
                .iter()
                .map(|p| {
                    let name = shown(p);
                    if p.is_dir() { format!("{name}/") } else { name }
                })
                .collect();
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

fn folder_sources(root: &Path, dir: &Path, diags: &mut Diagnostics) -> Sources {
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
        let kind = entry.file_type();
        if !kind.is_file() && !kind.is_symlink() {
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
        if kind.is_symlink() && !refuse_outside(root, &path, &display, diags) {
            continue;
        }
        if kind.is_symlink() {
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_file() => {}
                Ok(_) => continue,
                Err(err) => {
                    diags.error(&display, 1, format!("无法读取文件：{err}"));
                    continue;
                }
            }
        }
        match format_of(&path) {
            Some(format) => files.push(SourceFile {
                path,
                display,
                format,
            }),
            None => diags.warning(&display, 1, "不是 .csv 或 .toml 文件，已忽略"),
        }
    }
    Sources { files }
}

/// Streams every record of `kind` from `sources` into `sink`, reporting unreadable files,
/// syntax errors and unknown or missing columns on the way.
pub fn read_records(
    kind: Kind,
    sources: &Sources,
    diags: &mut Diagnostics,
    sink: &mut dyn FnMut(&RawRecord<'_>, &mut Diagnostics),
) {
    for file in &sources.files {
        match file.format {
            Format::Csv => csv_reader::read(kind, file, diags, sink),
            Format::Toml => toml_reader::read_records(kind, file, diags, sink),
        }
    }
}

/// Warns about entries of `content/` that hongguanjia does not read, so that a misnamed
/// file (`Errands.csv`, `visit.csv`) is not silently left out of the figures.
pub fn unexpected_entries(root: &Path, diags: &mut Diagnostics) {
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
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') && !n.starts_with("~$"))
        .collect();
    names.sort();
    for name in names {
        if known.contains(&name) {
            continue;
        }
        let lower = name.to_lowercase();
        let hint = known
            .iter()
            .find(|k| {
                **k == lower
                    || k.split('.').next().is_some_and(|stem| {
                        lower
                            .split('.')
                            .next()
                            .is_some_and(|l| format!("{l}s") == stem)
                    })
            })
            .map(|k| format!("，是不是想写 {k}？"))
            .unwrap_or_default();
        diags.warning(
            &format!("content/{name}"),
            1,
            format!("不认识的文件或文件夹，已忽略{hint}"),
        );
    }
}
