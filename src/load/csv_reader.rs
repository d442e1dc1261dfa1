//! CSV files as spreadsheets export them: header row, quoted fields, any line ends.

use super::{HeaderMap, RawField, RawRecord, RawValue, SourceFile, decode, map_headers};
use crate::diagnostics::Diagnostics;
use crate::schema::Kind;

pub(super) fn read(
    kind: Kind,
    file: &SourceFile,
    diags: &mut Diagnostics,
    sink: &mut dyn FnMut(&RawRecord<'_>, &mut Diagnostics),
) {
    let path = file.display.as_str();
    let opened = decode::detect(&file.path).and_then(|enc| {
        // Excel's "Unicode 文本" is UTF-16 with tabs between the fields.
        let delimiter = decode::sniff_delimiter(decode::open(&file.path, enc)?);
        Ok((decode::open(&file.path, enc)?, delimiter))
    });
    let (reader, delimiter) = match opened {
        Ok(r) => r,
        Err(err) => {
            diags.error(path, 1, format!("无法读取文件：{err}"));
            return;
        }
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(TextWatch::new(decode::UnixLines::new(reader)).delimiter(delimiter));

    let mut row = csv::StringRecord::new();
    // The header is the first row that is not empty.
    let header_line;
    let headers: Vec<String> = loop {
        match csv.read_record(&mut row) {
            Ok(false) => {
                diags.warning(path, 1, "文件是空的，没有表头也没有记录");
                return;
            }
            Ok(true) if row.iter().all(str::is_empty) => continue,
            Ok(true) => {
                header_line = csv.get_ref().line_of(&row);
                break row.iter().map(str::to_string).collect();
            }
            Err(err) => {
                diags.error(path, line_of_error(&err), format!("无法读取文件：{err}"));
                return;
            }
        }
    };

    let specs = kind.fields();
    let HeaderMap {
        column_field,
        columns,
    } = map_headers(kind, &headers, path, header_line, &|_| None, diags);

    let mut extra_reported = false;
    loop {
        match csv.read_record(&mut row) {
            Ok(false) => {
                if let Some(opened) = csv.get_ref().unclosed() {
                    diags.error(
                        path,
                        opened,
                        "这一行有个以英文双引号开头的字段，直到文件末尾都没有结束的引号，之后的内容无法读取（字段里的双引号要写成两个 \"\"）",
                    );
                }
                break;
            }
            Ok(true) => {
                if row.iter().all(str::is_empty) {
                    continue;
                }
                let line = csv.get_ref().line_of(&row);
                if !extra_reported && row.iter().skip(headers.len()).any(|v| !v.is_empty()) {
                    // Often an unquoted comma inside a field: the text after it is lost.
                    diags.warning(
                        path,
                        line,
                        format!(
                            "这一行有 {} 个字段，比表头多，多出的内容已忽略（字段里有逗号时请用英文双引号把整个字段括起来）",
                            row.len()
                        ),
                    );
                    extra_reported = true;
                }
                let mut fields: Vec<Option<RawField<'_>>> = vec![None; specs.len()];
                let mut unknown = Vec::new();
                for (n, value) in row.iter().enumerate() {
                    let header = headers.get(n).map_or("", String::as_str);
                    let field = RawField {
                        written: header,
                        line,
                        column: None,
                        value: RawValue::Text(value),
                    };
                    match column_field.get(n).copied().flatten() {
                        Some(i) => fields[i] = Some(field),
                        None if !value.is_empty() => unknown.push(field),
                        None => {}
                    }
                }
                let record = RawRecord {
                    path,
                    line,
                    fields,
                    columns: Some(&columns),
                    unknown,
                };
                sink(&record, diags);
            }
            Err(err) => {
                diags.error(path, line_of_error(&err), format!("无法读取这一行：{err}"));
                if !matches!(err.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    break;
                }
            }
        }
    }
}

/// Watches the text the CSV parser reads, byte by byte, for what the parser does not tell:
///
/// - where a record really starts. The parser skips empty lines but places the record
///   after them at the first of them, so every line number after an empty line would be
///   off;
/// - a quoted field that never closes. The parser takes it as running to the end of the
///   file, silently swallowing every record after it.
///
/// The text has LF line ends only (see [`decode::UnixLines`]); quoting follows the parser:
/// a field that starts with `"` runs to the next lone `"`.
struct TextWatch<R> {
    inner: R,
    state: Quoting,
    /// Bytes read so far, as the parser counts them in `Position::byte`.
    offset: u64,
    /// The offset of every empty line the parser skips, in order.
    empty_lines: Vec<u64>,
    at_record_start: bool,
    line: u32,
    /// The line of the last quoted field opened.
    opened: u32,
    delimiter: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted field: the end of it, or the first half of `""`.
    QuoteInQuoted,
}

impl<R> TextWatch<R> {
    fn new(inner: R) -> Self {
        TextWatch {
            inner,
            state: Quoting::FieldStart,
            offset: 0,
            empty_lines: Vec::new(),
            at_record_start: true,
            line: 1,
            opened: 1,
            delimiter: b',',
        }
    }

    fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    fn step(&mut self, b: u8) {
        use Quoting::*;
        if b == b'\n' && self.at_record_start {
            self.empty_lines.push(self.offset);
        }
        self.state = match (self.state, b) {
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (QuoteInQuoted, b'"') => Quoted,
            (_, b'\n') => FieldStart,
            (_, b) if b == self.delimiter => FieldStart,
            (FieldStart, b'"') => {
                self.opened = self.line;
                Quoted
            }
            _ => Unquoted,
        };
        self.at_record_start = b == b'\n' && self.state == FieldStart;
        if b == b'\n' {
            self.line += 1;
        }
        self.offset += 1;
    }

    /// The line a record starts on, past the empty lines the parser skipped before it.
    fn line_of(&self, row: &csv::StringRecord) -> u32 {
        let Some(pos) = row.position() else {
            return 1;
        };
        let mut i = self.empty_lines.partition_point(|&o| o < pos.byte());
        let mut skipped = 0u64;
        while self.empty_lines.get(i) == Some(&(pos.byte() + skipped)) {
            skipped += 1;
            i += 1;
        }
        u32::try_from(pos.line() + skipped).unwrap_or(u32::MAX)
    }

    /// The line where a quoted field still open at the end of the input began.
    fn unclosed(&self) -> Option<u32> {
        (self.state == Quoting::Quoted).then_some(self.opened)
    }
}

impl<R: std::io::Read> std::io::Read for TextWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            self.step(b);
        }
        Ok(n)
    }
}

fn line_of_error(err: &csv::Error) -> u32 {
    err.position()
        .map(|p| u32::try_from(p.line()).unwrap_or(u32::MAX))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn unclosed(text: &str) -> Option<u32> {
        let mut watch = TextWatch::new(text.as_bytes());
        let mut sink = String::new();
        watch.read_to_string(&mut sink).expect("read");
        watch.unclosed()
    }

    #[test]
    fn closed_quotes_are_fine() {
        assert_eq!(unclosed("a,\"b,\"\"c\"\"\nd\"\n1,2\n"), None);
        assert_eq!(unclosed("a,\"b\""), None);
        assert_eq!(unclosed("a,b\"c\n5\"幢,x\n"), None);
        assert_eq!(unclosed("a, \"b\n"), None);
    }

    /// The line of each non-empty record, as the reader reports it.
    fn lines(text: &str) -> Vec<u32> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(TextWatch::new(text.as_bytes()));
        let mut row = csv::StringRecord::new();
        let mut out = Vec::new();
        while csv.read_record(&mut row).expect("read") {
            out.push(csv.get_ref().line_of(&row));
        }
        out
    }

    #[test]
    fn records_after_empty_lines_keep_their_own_line() {
        assert_eq!(lines("a\nb\nc\n"), [1, 2, 3]);
        assert_eq!(lines("\n\na\n\nb\n\n\n\nc"), [3, 5, 9]);
        // Empty lines inside a quoted field are part of it, not skipped.
        assert_eq!(lines("a,\"x\n\ny\"\n\nb\n"), [1, 5]);
        assert_eq!(lines(" \n,\nb\n"), [1, 2, 3]);
    }

    #[test]
    fn an_open_quote_at_the_end_is_found_where_it_began() {
        assert_eq!(unclosed("h\n1,\"x\n2,y\n3,z\n"), Some(2));
        assert_eq!(unclosed("h\n\"a\nb\",\"\"\"\n"), Some(3));
    }
}
