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
    /// In characters from 1, where the problem is known to the character (TOML syntax).
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
        write!(f, "{}:{}: {}{}", self.path, self.line, prefix, self.message)
    }
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

    /// An error known to the character, such as a TOML syntax error.
    pub fn error_at(&mut self, path: &str, line: u32, column: u32, message: impl Into<String>) {
        self.push(path, line, Some(column), Severity::Error, message.into());
    }

    pub fn warning(&mut self, path: &str, line: u32, message: impl Into<String>) {
        self.push(path, line, None, Severity::Warning, message.into());
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
            (&a.path, a.line, a.severity, &a.message)
                .cmp(&(&b.path, b.line, b.severity, &b.message))
        });
        items.dedup();
        items
    }
}
