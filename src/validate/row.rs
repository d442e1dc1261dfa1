//! Typed access to one raw record's fields, reporting each problem with the header the
//! user wrote.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{RawRecord, RawValue};
use crate::model::Date;
use crate::schema::{Field, Kind};

use super::{suggest, values};

pub(crate) struct Row<'r, 'a> {
    pub rec: &'r RawRecord<'a>,
    pub kind: Kind,
    pub diags: &'r mut Diagnostics,
    /// False once any field of this record was wrong.
    pub ok: bool,
}

impl<'r, 'a> Row<'r, 'a> {
    pub(crate) fn new(kind: Kind, rec: &'r RawRecord<'a>, diags: &'r mut Diagnostics) -> Self {
        Row {
            rec,
            kind,
            diags,
            ok: true,
        }
    }

    /// Where `field` sits in this record; the field must be of the row's kind, which the
    /// const's module (`steward::NAME` in `add_steward`) makes plain at the call.
    fn at(&self, field: Field) -> usize {
        debug_assert_eq!(
            field.kind(),
            self.kind,
            "{field:?} read from a {:?} row",
            self.kind
        );
        field.index()
    }

    /// The field's line (TOML keys have their own) or the record's.
    pub(crate) fn line_of(&self, field: Field) -> u32 {
        self.rec
            .get(self.at(field))
            .map(|f| f.line)
            .unwrap_or(self.rec.line)
    }

    /// The field's cell column, when the record comes from a workbook.
    pub(crate) fn column_of(&self, field: Field) -> Option<u32> {
        self.rec.get(self.at(field)).and_then(|f| f.column)
    }

    /// The header as written, or the Chinese alias when the field is absent.
    pub(crate) fn written(&self, field: Field) -> String {
        let i = self.at(field);
        match self.rec.get(i) {
            Some(f) => f.written.to_string(),
            None => field.spec().alias.to_string(),
        }
    }

    pub(crate) fn error(&mut self, field: Field, message: impl AsRef<str>) {
        self.report(field, message.as_ref(), Diagnostic::error);
        self.ok = false;
    }

    pub(crate) fn warning(&mut self, field: Field, message: impl AsRef<str>) {
        self.report(field, message.as_ref(), Diagnostic::warning);
    }

    /// A problem with `field`, at its cell, led by the header as the user wrote it.
    fn report(&mut self, field: Field, message: &str, make: fn(String, u32, String) -> Diagnostic) {
        let line = self.line_of(field);
        let written = self.written(field);
        let diagnostic = make(
            self.rec.path.to_string(),
            line,
            format!("{written}: {message}"),
        );
        self.diags.push(diagnostic.at_column(self.column_of(field)));
    }

    fn value(&self, field: Field) -> Option<&RawValue<'a>> {
        let f = self.rec.get(self.at(field))?;
        if f.value.is_blank() {
            None
        } else {
            Some(&f.value)
        }
    }

    /// Whether the field holds anything at all: optional fields with a default are only
    /// parsed when present.
    pub(crate) fn text_present(&self, field: Field) -> bool {
        self.value(field).is_some()
            || self
                .rec
                .get(self.at(field))
                .is_some_and(|f| matches!(f.value, RawValue::CellError(_)))
    }

    /// Reports a required field that is absent or empty.
    fn missing(&mut self, field: Field) {
        let i = self.at(field);
        let spec = field.spec();
        if let Some(f) = self.rec.get(i)
            && matches!(f.value, RawValue::CellError(_))
        {
            // Already reported at its cell by the workbook reader.
            self.ok = false;
            return;
        }
        if !spec.required {
            return;
        }
        if let Some(f) = self.rec.get(i) {
            let message = format!("{}: 必填，不能为空", f.written);
            self.diags
                .push(Diagnostic::error(self.rec.path, f.line, message).at_column(f.column));
            self.ok = false;
        } else if self
            .rec
            .columns
            .is_none_or(|c| c.get(i).copied().unwrap_or(false))
        {
            self.diags.error(
                self.rec.path,
                self.rec.line,
                format!("缺少必填字段“{}”（{}）", spec.alias, spec.name),
            );
            self.ok = false;
        } else {
            // The whole column is missing: reported once for the file.
            self.ok = false;
        }
    }

    /// Free text; numbers written in TOML without quotes are accepted as text.
    pub(crate) fn text(&mut self, field: Field) -> Option<String> {
        let value = match self.value(field) {
            None => {
                self.missing(field);
                return None;
            }
            Some(v) => v.clone(),
        };
        match value {
            RawValue::Text(s) => Some(crate::load::trim(s).to_string()),
            RawValue::Integer(i) => Some(i.to_string()),
            other => {
                self.error(field, format!("\"{}\" 应为文字", other.display()));
                None
            }
        }
    }

    /// Public free text: phone and ID numbers, accounts, plates and rooms typed into it
    /// are masked, with a warning.
    /// For free-text fields the warning comes later, once residents' names are known
    /// and masked too (see `privacy::names::Names::check_records`).
    pub(crate) fn free_text(
        &mut self,
        field: Field,
        scrubber: &crate::privacy::scrub::Scrubber,
    ) -> Option<String> {
        let text = self.text(field)?;
        let (scrubbed, hidden) = scrubber.scrub(&text);
        if hidden.is_empty() {
            return Some(text);
        }
        if field.spec().text == crate::schema::TextRole::Free {
            return Some(scrubbed.into_owned());
        }
        let line = self.line_of(field);
        let written = self.written(field);
        self.diags.push(
            Diagnostic::warning(
                self.rec.path,
                line,
                crate::privacy::privacy_warning(&written, &hidden, &scrubbed, true),
            )
            .at_column(self.column_of(field)),
        );
        Some(scrubbed.into_owned())
    }

    /// Full-width letters, digits and dashes in an id, a number or a date
    /// (`ＦＭ－００１`) are read as their ASCII forms, with a warning.
    pub(crate) fn folded(&mut self, field: Field, text: String) -> String {
        let Some(folded) = suggest::fold_ascii(&text) else {
            return text;
        };
        self.warning(
            field,
            format!("“{text}”里有全角字符，已按“{folded}”读取；请用半角（英文输入法）输入"),
        );
        folded
    }

    /// An id or a reference to one: text, full-width forms folded.
    pub(crate) fn id_text(&mut self, field: Field) -> Option<String> {
        let text = self.text(field)?;
        Some(self.folded(field, text))
    }

    /// [`Row::id_text`] borrowed from the record when nothing needs folding: a city's
    /// millions of steward references are looked up, not kept.
    pub(crate) fn id_ref(&mut self, field: Field) -> Option<std::borrow::Cow<'a, str>> {
        if let Some(&RawValue::Text(s)) = self.value(field) {
            let s = crate::load::trim(s);
            if suggest::fold_ascii(s).is_none() {
                return Some(std::borrow::Cow::Borrowed(s));
            }
        }
        self.id_text(field).map(std::borrow::Cow::Owned)
    }

    pub(crate) fn date(&mut self, field: Field) -> Option<Date> {
        let value = match self.value(field) {
            None => {
                self.missing(field);
                return None;
            }
            Some(v) => v.clone(),
        };
        let parsed = match &value {
            RawValue::Text(s) => values::parse_date(s).or_else(|| {
                suggest::fold_ascii(s.trim())
                    .and_then(|f| values::parse_date(&f))
                    .inspect(|_| {
                        self.folded(field, s.trim().to_string());
                    })
            }),
            RawValue::Datetime(d) => values::toml_date(d),
            _ => None,
        };
        if parsed.is_none() {
            let shown = value.display();
            let why = match &value {
                RawValue::Text(s) => {
                    let s = suggest::fold_ascii(s.trim()).unwrap_or_else(|| s.trim().to_string());
                    suggest::impossible_date(&s)
                        .or_else(|| suggest::date_hint(&s, self.year_nearby(field)))
                }
                _ => None,
            };
            let message = match why {
                Some(why) => format!("\"{shown}\" 不是有效日期：{why}"),
                None => format!(
                    "\"{shown}\" 不是有效日期（可写作 2018-12-10、2018/12/10、2018.12.10 或 2018年12月10日）"
                ),
            };
            self.error(field, message);
        }
        parsed
    }

    /// The year a date without one most likely has: that of the record's other dates (a
    /// case's 办结日期 beside its 日期), else one in the file's name (`visits/2018-11.csv`).
    fn year_nearby(&self, field: Field) -> Option<u16> {
        let other = self
            .kind
            .field_ids()
            .filter(|f| *f != field && f.is_date())
            .filter_map(|f| match &self.rec.get(f.index())?.value {
                RawValue::Text(s) => values::parse_date(s),
                RawValue::Datetime(d) => values::toml_date(d),
                _ => None,
            })
            .map(|d| d.year)
            .next();
        other.or_else(|| {
            self.rec
                .path
                .split(|c: char| !c.is_ascii_digit())
                .filter(|run| run.len() == 4)
                .filter_map(|run| run.parse::<u16>().ok())
                .find(|y| (1990..=2100).contains(y))
        })
    }

    /// A whole number no smaller than `min`.
    pub(crate) fn whole(&mut self, field: Field, min: u64) -> Option<u32> {
        let value = match self.value(field) {
            None => {
                self.missing(field);
                return None;
            }
            Some(v) => v.clone(),
        };
        let parsed = match &value {
            RawValue::Text(s) => values::parse_whole(s).or_else(|| {
                suggest::fold_ascii(s.trim())
                    .and_then(|f| values::parse_whole(&f))
                    .inspect(|_| {
                        self.folded(field, s.trim().to_string());
                    })
            }),
            RawValue::Integer(i) => u64::try_from(*i).ok(),
            _ => None,
        };
        match parsed {
            Some(n) if n >= min => match u32::try_from(n) {
                Ok(n) => Some(n),
                Err(_) => {
                    self.error(field, format!("\"{}\" 太大了", value.display()));
                    None
                }
            },
            Some(_) => {
                self.error(field, format!("\"{}\" 应不小于 {min}", value.display()));
                None
            }
            None => {
                let shown = value.display();
                let hint = suggest::whole_hint(&shown);
                self.error(field, format!("\"{shown}\" 不是整数，{hint}"));
                None
            }
        }
    }

    /// A phone or id number that must keep every digit: one that Excel wrote in
    /// scientific notation (`1.39877E+10`) has lost its last digits, which cannot be
    /// read back; it is dropped, with a warning that says how to get it right.
    pub(crate) fn digits_text(&mut self, field: Field) -> Option<String> {
        let text = self.text(field)?;
        (!self.mangled_by_excel(field)).then_some(text)
    }

    /// Warns when `field` holds a number Excel wrote in scientific notation.
    pub(crate) fn mangled_by_excel(&mut self, field: Field) -> bool {
        let Some(RawValue::Text(text)) = self.value(field) else {
            return false;
        };
        if !suggest::excel_scientific(text) {
            return false;
        }
        let text = text.trim().to_string();
        self.warning(
            field,
            format!(
                "“{text}”是 Excel 把长数字显示成科学计数法后存下的，末尾几位已经丢失，这个号码未读取；请在 Excel 里把这一列设为“文本”格式，重新输入号码后再保存或导出"
            ),
        );
        true
    }

    /// A list cell (`3幢;5幢`) or a TOML array of strings.
    pub(crate) fn list(&mut self, field: Field) -> Vec<String> {
        let value = match self.value(field) {
            None => {
                self.missing(field);
                return Vec::new();
            }
            Some(v) => v.clone(),
        };
        match value {
            RawValue::Text(s) => crate::schema::split_list(s),
            RawValue::List(items) => {
                let mut out: Vec<String> = Vec::new();
                for item in items {
                    match item {
                        RawValue::Text(s) => {
                            for part in crate::schema::split_list(s) {
                                if !out.contains(&part) {
                                    out.push(part);
                                }
                            }
                        }
                        RawValue::Integer(i) => out.push(i.to_string()),
                        other => {
                            self.error(field, format!("列表中的 \"{}\" 应为文字", other.display()));
                        }
                    }
                }
                if out.is_empty() {
                    self.missing(field);
                }
                out
            }
            other => {
                self.error(field, format!("\"{}\" 应为列表", other.display()));
                Vec::new()
            }
        }
    }

    /// Checks a field as [`Row::text`] does, for a value that is not kept: a text is
    /// not copied.
    pub(crate) fn check_text(&mut self, field: Field) {
        if !matches!(self.value(field), Some(RawValue::Text(_))) {
            let _ = self.text(field);
        }
    }

    /// One of a fixed set of words.
    pub(crate) fn word<T: Copy>(&mut self, field: Field, table: &[(&str, T)]) -> Option<T> {
        // Most words are right: found without copying the text.
        if let Some(RawValue::Text(s)) = self.value(field)
            && let Some(found) = values::match_word(s, table)
        {
            return Some(found);
        }
        let text = self.text(field)?;
        let found = values::match_word(&text, table);
        if found.is_none() {
            self.error(
                field,
                format!(
                    "\"{text}\" 不是有效的取值（应为 {}）",
                    values::words_of(table)
                ),
            );
        }
        found
    }

    /// 是 / 否, yes / no, or a TOML boolean.
    pub(crate) fn yes_no(&mut self, field: Field) -> Option<bool> {
        if let Some(RawValue::Bool(b)) = self.value(field) {
            return Some(*b);
        }
        self.word(field, YES_NO)
    }
}

pub(crate) const YES_NO: &[(&str, bool)] = &[
    ("是", true),
    ("否", false),
    ("yes", true),
    ("no", false),
    ("true", true),
    ("false", false),
    ("y", true),
    ("n", false),
];
