//! Problems found in a site's input, collected so that all of them are reported at once.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, located as `path:line` in the user's own files.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub path: String,
    pub line: u32,
    /// 1-based spreadsheet column, for records read from a workbook; `None` for CSV and
    /// TOML, whose positions are lines.
    pub column: Option<u32>,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.severity {
            Severity::Error => "",
            Severity::Warning => "警告：",
        };
        match self.column {
            None => write!(f, "{}:{}: {}{}", self.path, self.line, prefix, self.message),
            Some(column) => write!(
                f,
                "{}!{}{}: {}{}",
                self.path,
                column_letters(column),
                self.line,
                prefix,
                self.message
            ),
        }
    }
}

/// A spreadsheet column as Excel names it: 1 is `A`, 27 is `AA`.
pub fn column_letters(column: u32) -> String {
    let mut n = column.max(1);
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The collector every step of the pipeline writes its problems into.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn error(&mut self, path: &str, line: u32, message: impl Into<String>) {
        self.push(path, line, None, Severity::Error, message.into());
    }

    pub fn warning(&mut self, path: &str, line: u32, message: impl Into<String>) {
        self.push(path, line, None, Severity::Warning, message.into());
    }

    /// An error at one cell of a sheet when `column` is known, else at the line.
    pub fn error_at(
        &mut self,
        path: &str,
        line: u32,
        column: Option<u32>,
        message: impl Into<String>,
    ) {
        self.push(path, line, column, Severity::Error, message.into());
    }

    pub fn warning_at(
        &mut self,
        path: &str,
        line: u32,
        column: Option<u32>,
        message: impl Into<String>,
    ) {
        self.push(path, line, column, Severity::Warning, message.into());
    }

    fn push(
        &mut self,
        path: &str,
        line: u32,
        column: Option<u32>,
        severity: Severity,
        message: String,
    ) {
        self.items.push(Diagnostic {
            path: path.to_string(),
            line,
            column,
            severity,
            message,
        });
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// All problems in a stable order: by file, then line, errors before warnings.
    pub fn sorted(&self) -> Vec<Diagnostic> {
        let mut items = self.items.clone();
        items.sort_by(|a, b| {
            (&a.path, a.line, a.column, a.severity, &a.message)
                .cmp(&(&b.path, b.line, b.column, b.severity, &b.message))
        });
        items.dedup();
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_excel_names_them() {
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(3), "C");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(column_letters(703), "AAA");
    }

    #[test]
    fn a_cell_reads_as_sheet_and_cell() {
        let mut diags = Diagnostics::new();
        diags.error_at(
            "content/台账.xlsx:红管家",
            7,
            Some(3),
            "户数: \"三\" 不是整数",
        );
        diags.error("content/visits.csv", 7, "户数: \"三\" 不是整数");
        let shown: Vec<String> = diags.sorted().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "content/visits.csv:7: 户数: \"三\" 不是整数",
                "content/台账.xlsx:红管家!C7: 户数: \"三\" 不是整数",
            ]
        );
    }
}
