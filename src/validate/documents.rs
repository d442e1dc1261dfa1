//! Front matter of bulletins and free pages.

use std::collections::BTreeMap;

use toml::de::DeValue;

use super::values;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::documents::RawDocument;
use crate::load::{LineIndex, RawValue, TomlDoc};
use crate::model::{Bulletin, Date, Document, FreePage};
use crate::privacy::names::Names;

/// Front matter keys with their line in the file.
struct Front<'d> {
    doc: &'d RawDocument,
    lines: LineIndex,
    ok: bool,
}

impl<'d> Front<'d> {
    fn line(&self, offset: usize) -> u32 {
        self.lines.line(offset) + self.doc.front_line - 1
    }

    fn error(&mut self, diags: &mut Diagnostics, line: u32, message: String) {
        diags.error(&self.doc.display, line, message);
        self.ok = false;
    }
}

enum Want {
    Text,
    Whole,
    Date,
    List,
}

/// Parses the front matter into typed values by key, reporting wrong forms and unknown keys.
fn parse_front(
    doc: &RawDocument,
    fields: &[(&str, Want, bool)],
    names: &Names,
    diags: &mut Diagnostics,
) -> Option<BTreeMap<String, Value>> {
    let mut front = Front {
        doc,
        lines: LineIndex::new(&doc.front),
        ok: true,
    };
    let toml_doc = TomlDoc::new(doc.display.clone(), doc.front.clone());
    let (table, errors) = toml::de::DeTable::parse_recoverable(&toml_doc.text);
    for err in errors {
        let start = err.span().map_or(0, |s| s.start);
        let line = front.line(start);
        let column = front.lines.column(&doc.front, start);
        // The slip on that line in words a user knows, with the line as it should be.
        let text = doc
            .front
            .lines()
            .nth(front.lines.line(start).saturating_sub(1) as usize)
            .unwrap_or("");
        let message = match crate::validate::toml_hints::explain_line(text) {
            Some(hint) => format!("设置部分：{hint}"),
            None => format!("设置部分 TOML 语法错误：{}", err.message().trim()),
        };
        diags.push(Diagnostic::error(&doc.display, line, message).at_column(Some(column)));
        front.ok = false;
    }
    if !front.ok {
        return None;
    }
    let table = table.into_inner();
    let mut out = BTreeMap::new();
    for (key, value) in table.iter() {
        let name: &str = key.get_ref().as_ref();
        let line = front.line(key.span().start);
        let Some((_, want, _)) = fields.iter().find(|(n, _, _)| *n == name) else {
            let hint = crate::validate::toml_hints::english_key(name)
                .filter(|e| fields.iter().any(|(n, _, _)| n == e))
                .map(|e| format!("；设置名要用英文，应写 {e}"))
                .or_else(|| {
                    super::suggest::closest(name, fields.iter().map(|(n, _, _)| *n))
                        .map(|e| format!("，是不是想写 {e}？"))
                })
                .unwrap_or_default();
            diags.warning(
                &doc.display,
                line,
                format!("未知的设置“{name}”，已忽略{hint}"),
            );
            continue;
        };
        let raw = crate::load::toml_value(value.get_ref());
        let parsed = match (want, &raw) {
            (Want::Text, RawValue::Text(s)) if !s.trim().is_empty() => {
                let at = (doc.display.as_str(), line);
                Some(Value::Text(names.clean(
                    diags,
                    at,
                    name,
                    s.trim(),
                    (false, ""),
                )))
            }
            (Want::Whole, RawValue::Integer(i)) => u32::try_from(*i).ok().map(Value::Whole),
            (Want::Whole, RawValue::Text(s)) => values::parse_whole(s)
                .and_then(|n| u32::try_from(n).ok())
                .map(Value::Whole),
            (Want::Date, RawValue::Datetime(d)) => values::toml_date(d).map(Value::Date),
            (Want::Date, RawValue::Text(s)) => values::parse_date(s).map(Value::Date),
            (Want::List, RawValue::Text(s)) => Some(Value::List(
                crate::schema::split_list(s)
                    .iter()
                    .map(|t| {
                        names
                            .check(diags, (&doc.display, line), name, t, (false, ""))
                            .into_owned()
                    })
                    .collect(),
            )),
            (Want::List, RawValue::List(items)) => {
                let texts: Option<Vec<String>> = items
                    .iter()
                    .map(|i| match i {
                        RawValue::Text(s) => Some(
                            names
                                .check(diags, (&doc.display, line), name, s.trim(), (false, ""))
                                .into_owned(),
                        ),
                        _ => None,
                    })
                    .collect();
                texts.map(Value::List)
            }
            _ => None,
        };
        match parsed {
            Some(v) => {
                out.insert(name.to_string(), v);
            }
            None => {
                let want = match want {
                    Want::Text => "文字",
                    Want::Whole => "整数",
                    Want::Date => "日期，如 2018-12-10",
                    Want::List => "文字列表，如 [\"甲\", \"乙\"]",
                };
                let shown = raw.display();
                front.error(diags, line, format!("{name}: \"{shown}\" 应为{want}"));
            }
        }
        // DeValue tables are not expected in front matter; reported above as a wrong form.
        let _ = matches!(value.get_ref(), DeValue::Table(_));
    }
    for (name, _, required) in fields {
        if *required && !out.contains_key(*name) {
            let line = doc.front_line.saturating_sub(1).max(1);
            front.error(diags, line, format!("缺少必填设置“{name}”"));
        }
    }
    front.ok.then_some(out)
}

enum Value {
    Text(String),
    Whole(u32),
    Date(Date),
    List(Vec<String>),
}

fn text(map: &mut BTreeMap<String, Value>, key: &str) -> Option<String> {
    match map.remove(key) {
        Some(Value::Text(s)) => Some(s),
        _ => None,
    }
}

fn whole(map: &mut BTreeMap<String, Value>, key: &str) -> Option<u32> {
    match map.remove(key) {
        Some(Value::Whole(n)) => Some(n),
        _ => None,
    }
}

fn date(map: &mut BTreeMap<String, Value>, key: &str) -> Option<Date> {
    match map.remove(key) {
        Some(Value::Date(d)) => Some(d),
        _ => None,
    }
}

fn list(map: &mut BTreeMap<String, Value>, key: &str) -> Vec<String> {
    match map.remove(key) {
        Some(Value::List(l)) => l,
        _ => Vec::new(),
    }
}

fn slug(doc: &RawDocument, given: Option<String>, diags: &mut Diagnostics) -> Option<String> {
    let slug = given.unwrap_or_else(|| doc.stem.clone());
    if values::is_slug(&slug) {
        Some(slug)
    } else {
        diags.error(
            &doc.display,
            1,
            format!(
                "slug: \"{slug}\" 只能由小写英文字母、数字和连字符组成（用于网址）；可改文件名，或在设置部分写 slug = \"…\""
            ),
        );
        None
    }
}

/// The body, with phone and ID numbers and residents' names masked line by line and each
/// one reported.
fn body(doc: &RawDocument, names: &Names, diags: &mut Diagnostics) -> Document {
    let mut markdown = String::with_capacity(doc.body.len());
    for (i, line) in doc.body.split_inclusive('\n').enumerate() {
        let at = doc.body_line + u32::try_from(i).unwrap_or(u32::MAX - doc.body_line);
        markdown.push_str(&names.clean(diags, (&doc.display, at), "正文", line, (true, "")));
    }
    Document {
        path: doc.display.clone(),
        first_line: doc.body_line,
        markdown,
    }
}

/// Bulletins, with residents' names typed into them masked and reported.
pub(crate) fn bulletins(
    docs: &[RawDocument],
    names: &Names,
    diags: &mut Diagnostics,
) -> Vec<Bulletin> {
    let fields = [
        ("title", Want::Text, true),
        ("subtitle", Want::Text, false),
        ("issue", Want::Whole, false),
        ("total_issue", Want::Whole, false),
        ("date", Want::Date, true),
        ("source", Want::Text, false),
        ("send_to", Want::List, false),
        ("distribute_to", Want::List, false),
        ("slug", Want::Text, false),
    ];
    let mut out: Vec<Bulletin> = Vec::new();
    for doc in docs {
        let Some(mut map) = parse_front(doc, &fields, names, diags) else {
            continue;
        };
        let Some(slug) = slug(doc, text(&mut map, "slug"), diags) else {
            continue;
        };
        if out.iter().any(|b| b.slug == slug) {
            diags.error(
                &doc.display,
                1,
                format!("slug: \"{slug}\" 与另一期简报重复"),
            );
            continue;
        }
        let (Some(title), Some(date)) = (text(&mut map, "title"), date(&mut map, "date")) else {
            continue;
        };
        out.push(Bulletin {
            slug,
            title,
            subtitle: text(&mut map, "subtitle"),
            issue: whole(&mut map, "issue"),
            total_issue: whole(&mut map, "total_issue"),
            date,
            source: text(&mut map, "source"),
            send_to: list(&mut map, "send_to"),
            distribute_to: list(&mut map, "distribute_to"),
            body: body(doc, names, diags),
        });
    }
    // Newest first; same day by issue number, then slug.
    out.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then(b.issue.cmp(&a.issue))
            .then_with(|| a.slug.cmp(&b.slug))
    });
    out
}

/// Slugs the site's own pages use, which a free page may not take.
const RESERVED: &[&str] = &[
    "assets",
    "bulletins",
    "cases",
    "commendations",
    "communities",
    "data",
    "stewards",
];

/// Free pages, with residents' names typed into them masked and reported.
pub(crate) fn pages(docs: &[RawDocument], names: &Names, diags: &mut Diagnostics) -> Vec<FreePage> {
    let fields = [
        ("title", Want::Text, true),
        ("slug", Want::Text, false),
        ("date", Want::Date, false),
    ];
    let mut out: Vec<FreePage> = Vec::new();
    for doc in docs {
        let Some(mut map) = parse_front(doc, &fields, names, diags) else {
            continue;
        };
        let Some(slug) = slug(doc, text(&mut map, "slug"), diags) else {
            continue;
        };
        if RESERVED.contains(&slug.as_str()) || out.iter().any(|p| p.slug == slug) {
            diags.error(
                &doc.display,
                1,
                format!("slug: \"{slug}\" 已被占用，请换一个"),
            );
            continue;
        }
        let Some(title) = text(&mut map, "title") else {
            continue;
        };
        out.push(FreePage {
            slug,
            title,
            date: date(&mut map, "date"),
            body: body(doc, names, diags),
        });
    }
    out.sort_by(|a, b| a.slug.cmp(&b.slug));
    out
}
