//! CSV files as spreadsheets export them: header row, quoted fields, any line ends.

use std::collections::BTreeSet;

use super::{RawField, RawRecord, RawValue, SourceFile, decode};
use crate::diagnostics::Diagnostics;
use crate::schema::Kind;

pub(super) fn read(
    kind: Kind,
    file: &SourceFile,
    diags: &mut Diagnostics,
    sink: &mut dyn FnMut(&RawRecord<'_>, &mut Diagnostics),
) {
    let path = file.display.as_str();
    let reader = decode::detect(&file.path).and_then(|enc| decode::open(&file.path, enc));
    let reader = match reader {
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
        .from_reader(decode::UnixLines::new(reader));

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
                header_line = line_of(&row);
                break row.iter().map(str::to_string).collect();
            }
            Err(err) => {
                diags.error(path, line_of_error(&err), format!("无法读取文件：{err}"));
                return;
            }
        }
    };

    let specs = kind.fields();
    let mut column_field: Vec<Option<usize>> = Vec::with_capacity(headers.len());
    let mut columns = vec![false; specs.len()];
    let mut unknown = Vec::new();
    let mut seen: Vec<Option<&str>> = vec![None; specs.len()];
    for header in &headers {
        match kind.lookup(header) {
            Some(i) => {
                if let Some(first) = seen[i] {
                    diags.error(
                        path,
                        header_line,
                        format!(
                            "列“{header}”与列“{first}”是同一字段（{}），只能保留一列",
                            specs[i].name
                        ),
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
                }
                column_field.push(None);
            }
        }
    }
    if !unknown.is_empty() {
        let list: BTreeSet<&str> = unknown.into_iter().collect();
        let list: Vec<&str> = list.into_iter().collect();
        diags.warning(
            path,
            header_line,
            format!("未知的列“{}”，已忽略且不会公开", list.join("”“")),
        );
    }
    for (i, spec) in specs.iter().enumerate() {
        if spec.required && !columns[i] {
            diags.error(
                path,
                header_line,
                format!("缺少必填列“{}”（{}）", spec.alias, spec.name),
            );
        }
    }

    loop {
        match csv.read_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                if row.iter().all(str::is_empty) {
                    continue;
                }
                let line = line_of(&row);
                let mut fields: Vec<Option<RawField<'_>>> = vec![None; specs.len()];
                for (value, (field, header)) in row.iter().zip(column_field.iter().zip(&headers)) {
                    if let Some(i) = field {
                        fields[*i] = Some(RawField {
                            written: header,
                            line,
                            value: RawValue::Text(value),
                        });
                    }
                }
                let record = RawRecord {
                    path,
                    line,
                    fields,
                    columns: Some(&columns),
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

fn line_of(row: &csv::StringRecord) -> u32 {
    row.position()
        .map(|p| u32::try_from(p.line()).unwrap_or(u32::MAX))
        .unwrap_or(1)
}

fn line_of_error(err: &csv::Error) -> u32 {
    err.position()
        .map(|p| u32::try_from(p.line()).unwrap_or(u32::MAX))
        .unwrap_or(1)
}
