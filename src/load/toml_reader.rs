//! TOML files: each record kind as an array of tables (`[[visit]]`), and the
//! single-document files (`site.toml`, `commendations.toml`, front matter) parsed with
//! spans so that every message can name the line of its key.

use std::collections::BTreeSet;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{RawField, RawRecord, RawValue, SourceFile, decode};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Kind;

/// Byte offset → 1-based line number.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    pub(crate) fn line(&self, offset: usize) -> u32 {
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        };
        u32::try_from(line).unwrap_or(u32::MAX)
    }

    /// The column of `offset` in `text` (the text this index was made from), counted in
    /// characters from 1.
    pub(crate) fn column(&self, text: &str, offset: usize) -> u32 {
        let line = self.line(offset) as usize;
        let start = self
            .starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let chars = text
            .get(start..offset.min(text.len()))
            .map_or(0, |s| s.chars().count());
        u32::try_from(chars + 1).unwrap_or(u32::MAX)
    }
}

/// A TOML document read from disk, kept with its line index.
pub(crate) struct TomlDoc {
    pub(crate) display: String,
    pub(crate) text: String,
    pub(crate) lines: LineIndex,
}

impl TomlDoc {
    pub(crate) fn new(display: String, text: String) -> Self {
        let lines = LineIndex::new(&text);
        Self {
            display,
            text,
            lines,
        }
    }

    /// Parses the document, reporting every syntax error it can recover from.
    pub(crate) fn parse(&self, diags: &mut Diagnostics) -> Option<DeTable<'_>> {
        self.parse_with(diags, &|_| None)
    }

    /// [`TomlDoc::parse`], where `explain` may say, for the line of an error, what the
    /// slip is and the line as it should be (`validate::toml_hints`, which `load` does
    /// not call itself).
    pub(crate) fn parse_with(
        &self,
        diags: &mut Diagnostics,
        explain: &dyn Fn(&str) -> Option<String>,
    ) -> Option<DeTable<'_>> {
        let (table, errors) = DeTable::parse_recoverable(&self.text);
        if errors.is_empty() {
            return Some(table.into_inner());
        }
        for err in errors {
            let start = err.span().map(|s| s.start);
            let line = start.map_or(1, |s| self.lines.line(s));
            let written = self
                .text
                .lines()
                .nth(line.saturating_sub(1) as usize)
                .unwrap_or("");
            if let Some(hint) = explain(written) {
                let key = written.split(['=', '＝']).next().unwrap_or("").trim();
                let key = key.trim_matches(['"', '\'']);
                let column = start.map(|s| self.lines.column(&self.text, s));
                let message = format!("{key}: {hint}");
                diags.push(Diagnostic::error(&self.display, line, message).at_column(column));
                continue;
            }
            let mut message = format!("TOML 语法错误：{}", err.message().trim());
            // TOML only allows ASCII in bare keys: the Chinese aliases need quotes.
            let at = err.span().and_then(|s| self.text.get(s.start..));
            if at.is_some_and(|rest| rest.chars().next().is_some_and(|c| !c.is_ascii()))
                && message.contains("unquoted key")
            {
                message.push_str("（中文键名须加英文双引号，如 \"日期\" = 2018-12-10）");
            }
            let column = start.map(|s| self.lines.column(&self.text, s));
            diags.push(Diagnostic::error(&self.display, line, message).at_column(column));
        }
        None
    }

    pub(crate) fn line_of<T>(&self, spanned: &Spanned<T>) -> u32 {
        self.lines.line(spanned.span().start)
    }
}

/// Converts a parsed TOML value into the reader-neutral form.
pub(crate) fn raw_value<'a>(value: &'a DeValue<'_>) -> RawValue<'a> {
    match value {
        DeValue::String(s) => RawValue::Text(s.as_ref()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            let digits = digits
                .trim_start_matches("0x")
                .trim_start_matches("0o")
                .trim_start_matches("0b");
            match i64::from_str_radix(digits, i.radix()) {
                Ok(n) => RawValue::Integer(n),
                Err(_) => RawValue::Float(f64::INFINITY),
            }
        }
        DeValue::Float(f) => {
            RawValue::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN))
        }
        DeValue::Boolean(b) => RawValue::Bool(*b),
        DeValue::Datetime(d) => RawValue::Datetime(*d),
        DeValue::Array(items) => {
            RawValue::List(items.into_iter().map(|v| raw_value(v.get_ref())).collect())
        }
        DeValue::Table(_) => RawValue::Table,
    }
}

pub(super) fn read_records(
    kind: Kind,
    file: &SourceFile,
    diags: &mut Diagnostics,
    sink: &mut dyn FnMut(&RawRecord<'_>, &mut Diagnostics),
) {
    let text = match decode::read_to_string(&file.path) {
        Ok(t) => t,
        Err(err) => {
            diags.error(
                &file.display,
                1,
                format!("无法读取文件：{}", crate::fs_errors::reason(&err)),
            );
            return;
        }
    };
    let doc = TomlDoc::new(file.display.clone(), text);
    let Some(root) = doc.parse(diags) else {
        return;
    };
    let path = doc.display.as_str();
    let specs = kind.fields();
    let mut unknown: BTreeSet<String> = BTreeSet::new();
    // Unknown keys are listed once per file, at the first of them.
    let mut unknown_line = u32::MAX;
    let mut found = false;
    for (key, value) in root.iter() {
        if key.get_ref().as_ref() != kind.singular() {
            diags.warning(
                path,
                doc.line_of(key),
                format!(
                    "未知的表“{}”，已忽略（{}记录应写成 [[{}]]）",
                    key.get_ref(),
                    kind.label(),
                    kind.singular()
                ),
            );
            continue;
        }
        found = true;
        let Some(tables) = value.get_ref().as_array() else {
            diags.error(
                path,
                doc.line_of(key),
                format!("“{}”应写成表数组 [[{}]]", kind.singular(), kind.singular()),
            );
            continue;
        };
        for item in tables {
            let Some(table) = item.get_ref().as_table() else {
                diags.error(
                    path,
                    doc.line_of(item),
                    format!("“{}”的每一项都应是一个表", kind.singular()),
                );
                continue;
            };
            let mut fields: Vec<Option<RawField<'_>>> = vec![None; specs.len()];
            let mut unknown_fields = Vec::new();
            for (k, v) in table.iter() {
                let line = doc.line_of(k);
                let written: &str = k.get_ref().as_ref();
                match kind.lookup(written) {
                    Some(i) => {
                        if let Some(prev) = &fields[i] {
                            diags.error(
                                path,
                                line,
                                format!("“{written}”与“{}”是同一字段，只能写一次", prev.written),
                            );
                        } else {
                            fields[i] = Some(RawField {
                                written,
                                line,
                                column: None,
                                value: raw_value(v.get_ref()),
                            });
                        }
                    }
                    None => {
                        unknown.insert(written.to_string());
                        unknown_line = unknown_line.min(line);
                        unknown_fields.push(RawField {
                            written,
                            line,
                            column: None,
                            value: raw_value(v.get_ref()),
                        });
                    }
                }
            }
            // A record is located at its `[[kind]]` header (or inline table), so a missing
            // key is reported where the table starts.
            let record = RawRecord {
                path,
                line: doc.line_of(item),
                fields,
                columns: None,
                unknown: unknown_fields,
            };
            sink(&record, diags);
        }
    }
    if !found {
        diags.warning(path, 1, format!("没有找到 [[{}]] 记录", kind.singular()));
    }
    if !unknown.is_empty() {
        let list: Vec<&str> = unknown.iter().map(String::as_str).collect();
        diags.warning(
            path,
            unknown_line,
            format!("未知的字段“{}”，已忽略且不会公开", list.join("”“")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_from_one() {
        let idx = LineIndex::new("a\nbb\n\nc");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(2), 2);
        assert_eq!(idx.line(5), 3);
        assert_eq!(idx.line(6), 4);
    }
}
