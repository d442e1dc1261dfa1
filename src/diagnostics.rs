//! Every problem the program reports, from the user's records and settings, templates,
//! the leak guard or the disk, as one [`Diagnostic`] type: collected so that all of them
//! are reported at once, sorted one way and printed one way.

use std::fmt;

/// Errors stop the build; warnings are reported and the build goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Nothing is written.
    Error,
    /// Reported, and the site is still built.
    Warning,
}

/// One problem, located in the user's own files.
///
/// Shown as `path:line: message`; at a cell of a workbook's sheet (a path
/// `file.xlsx:Sheet` with a column), as `path!C7: message`, the column in spreadsheet
/// letters, so `content/台账.xlsx:红管家!C7: 户数: …`. A line of 0 stands for the whole
/// file or folder (`path: message`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// As the user knows it: relative to the site folder, or the folder's own path.
    pub path: String,
    /// 1-based; 0 when the problem is the file or folder as a whole.
    pub line: u32,
    /// 1-based column of the line, where the problem is known to it: the cell's column on
    /// a workbook's sheet, the character (not byte) in a text file (a TOML syntax error).
    /// Only a sheet shows it in the message; a terminal shows the text file's with a caret.
    pub column: Option<u32>,
    /// Whether the problem stops the build.
    pub severity: Severity,
    /// What is wrong and what to write instead, in the user's words.
    pub message: String,
}

impl Diagnostic {
    /// An error at `path:line`.
    pub fn error(path: impl Into<String>, line: u32, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line,
            column: None,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    /// A warning at `path:line`.
    pub fn warning(path: impl Into<String>, line: u32, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, line, message)
        }
    }

    /// The same problem, placed in a column of its line (a workbook cell, or a character
    /// of a text file's line).
    pub fn at_column(mut self, column: Option<u32>) -> Self {
        self.column = column;
        self
    }

    /// The cell `(column, row)` when the problem is at a cell of a workbook's sheet.
    pub fn cell(&self) -> Option<(u32, u32)> {
        let column = self.column?;
        is_sheet(&self.path).then_some((column, self.line))
    }
}

/// Whether `path` names a sheet of a workbook, as the workbook reader names them:
/// `content/台账.xlsx:红管家`.
fn is_sheet(path: &str) -> bool {
    path.rsplit_once(':').is_some_and(|(file, _sheet)| {
        file.rsplit_once('.').is_some_and(|(_, ext)| {
            ["xlsx", "xlsm", "xls", "xlsb", "ods"]
                .iter()
                .any(|e| ext.eq_ignore_ascii_case(e))
        })
    })
}

/// `1` → `A`, `26` → `Z`, `27` → `AA`: the column letters spreadsheets show.
pub fn column_letters(column: u32) -> String {
    let mut n = column;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.severity {
            Severity::Error => "",
            Severity::Warning => "警告：",
        };
        match (self.cell(), self.line) {
            (Some((col, line)), _) => write!(
                f,
                "{}!{}{}: {}{}",
                self.path,
                column_letters(col),
                line,
                prefix,
                self.message
            ),
            (None, 0) => write!(f, "{}: {}{}", self.path, prefix, self.message),
            (None, line) => write!(f, "{}:{}: {}{}", self.path, line, prefix, self.message),
        }
    }
}

/// The collector every step of the pipeline writes its problems into.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// No problems yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notes an error at `path:line`.
    pub fn error(&mut self, path: &str, line: u32, message: impl Into<String>) {
        self.push(Diagnostic::error(path, line, message));
    }

    /// Notes a warning at `path:line`.
    pub fn warning(&mut self, path: &str, line: u32, message: impl Into<String>) {
        self.push(Diagnostic::warning(path, line, message));
    }

    /// Notes a problem made elsewhere (a cell of a workbook, a leak, a template).
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Takes over every problem another collector noted (a part of the records read on
    /// another thread).
    pub fn append(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// Whether anything stops the build.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// How many errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// How many warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// How many problems were noted so far: a mark for [`Diagnostics::place_from`].
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Places the problems noted since `first` in `column` of their line (a workbook's
    /// cell), for checks that know the line of a text but not where it came from.
    pub fn place_from(&mut self, first: usize, column: Option<u32>) {
        if column.is_none() {
            return;
        }
        for d in self.items.iter_mut().skip(first) {
            d.column = column;
        }
    }

    /// Puts `with` where a message holds `marker`: a part of a message (the data's year)
    /// known only once everything is read.
    pub(crate) fn fill(&mut self, marker: &str, with: &str) {
        for d in &mut self.items {
            if d.message.contains(marker) {
                d.message = d.message.replace(marker, with);
            }
        }
    }

    /// Whether nothing was noted at all.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// All problems in a stable order: by file, then line and column, errors before
    /// warnings; the same problem found twice is shown once.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut items = self.items.clone();
        items.sort();
        items.dedup();
        items
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics {
            items: vec![diagnostic],
        }
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        self.items.extend(iter);
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Diagnostics {
            items: iter.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workbook_cells_show_their_column_letters() {
        let d =
            Diagnostic::error("content/台账.xlsx:红管家", 7, "户数: 应为整数").at_column(Some(3));
        assert_eq!(d.to_string(), "content/台账.xlsx:红管家!C7: 户数: 应为整数");
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(column_letters(703), "AAA");
    }

    #[test]
    fn a_character_column_of_a_text_file_is_not_a_cell() {
        let d = Diagnostic::error("site.toml", 3, "TOML 语法错误").at_column(Some(8));
        assert_eq!(d.to_string(), "site.toml:3: TOML 语法错误");
        assert_eq!(d.cell(), None);
        let d = Diagnostic::error("content/台账.XLSX:社区", 2, "x").at_column(Some(1));
        assert_eq!(d.cell(), Some((1, 2)));
    }

    #[test]
    fn lines_warnings_and_whole_files() {
        assert_eq!(
            Diagnostic::warning("content/cases.csv", 4, "摘要: 已遮盖").to_string(),
            "content/cases.csv:4: 警告：摘要: 已遮盖"
        );
        assert_eq!(
            Diagnostic::error("/srv/public", 0, "不是文件夹").to_string(),
            "/srv/public: 不是文件夹"
        );
    }

    #[test]
    fn sorted_by_place_then_errors_first() {
        let mut d = Diagnostics::new();
        d.warning("b.csv", 2, "w");
        d.error("b.csv", 2, "e");
        d.error("a.csv", 9, "x");
        d.error("a.csv", 9, "x");
        let shown: Vec<String> = d.sorted().iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["a.csv:9: x", "b.csv:2: e", "b.csv:2: 警告：w"]);
    }
}
