//! `content/commendations.toml`: batches of 优秀红管家, each with its two stages: the
//! public notice of the candidates (公示) and the decision to commend them (决定).

use std::collections::HashSet;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Registry, values};
use crate::diagnostics::Diagnostics;
use crate::load::{TomlDoc, decode};
use crate::model::{Batch, Date, Decision, Notice};
use crate::privacy::names::Names;

/// Reads the commendation batches, if the site has any, masking residents' names typed
/// into titles and citations, with a warning.
pub(crate) fn commendations(
    root: &Path,
    registry: &Registry,
    names: &Names,
    diags: &mut Diagnostics,
) -> Vec<Batch> {
    let path = root.join("content").join("commendations.toml");
    if !path.exists() {
        return Vec::new();
    }
    let display = "content/commendations.toml".to_string();
    if !crate::load::refuse_outside(root, &path, &display, diags) {
        return Vec::new();
    }
    let text = match decode::read_to_string(&path) {
        Ok(t) => t,
        Err(err) => {
            diags.error(&display, 1, format!("无法读取文件：{err}"));
            return Vec::new();
        }
    };
    let doc = TomlDoc::new(display, text);
    let Some(table) = doc.parse_with(diags, &super::toml_hints::explain_line) else {
        return Vec::new();
    };
    let mut reader = BatchReader {
        doc: &doc,
        registry,
        names,
        diags,
        ok: true,
    };
    let mut batches = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    for (key, value) in table.iter() {
        let line = doc.line_of(key);
        if key.get_ref().as_ref() != "batch" {
            reader.diags.warning(
                &doc.display,
                line,
                format!(
                    "未知的表“{}”，已忽略（表彰批次应写成 [[batch]]）",
                    key.get_ref()
                ),
            );
            continue;
        }
        let Some(items) = value.get_ref().as_array() else {
            reader.error(line, "batch: 应写成表数组 [[batch]]");
            continue;
        };
        for item in items {
            let Some(t) = item.get_ref().as_table() else {
                reader.error(doc.line_of(item), "batch: 每一项都应是一个表");
                continue;
            };
            reader.ok = true;
            if let Some(batch) = reader.batch(t, doc.line_of(item)) {
                if !ids.insert(batch.id.clone()) {
                    let line = key_line(&doc, t, "id").unwrap_or(1);
                    reader.error(line, &format!("id: \"{}\" 重复", batch.id));
                } else {
                    batches.push(batch);
                }
            }
        }
    }
    batches
}

fn key_line(doc: &TomlDoc, table: &DeTable<'_>, name: &str) -> Option<u32> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == name)
        .map(|(k, _)| doc.line_of(k))
}

struct BatchReader<'d> {
    doc: &'d TomlDoc,
    registry: &'d Registry,
    names: &'d Names<'d>,
    diags: &'d mut Diagnostics,
    ok: bool,
}

impl BatchReader<'_> {
    fn error(&mut self, line: u32, message: &str) {
        self.diags.error(&self.doc.display, line, message);
        self.ok = false;
    }

    /// Masks numbers, accounts, rooms and residents' names in public text, with warnings
    /// that show only the masked text; `own` as in `Names::mask` (a citation's steward).
    fn scrub(&mut self, line: u32, field: &str, text: &str, own: &str) -> String {
        let at = (self.doc.display.as_str(), line);
        self.names.clean(self.diags, at, field, text, (false, own))
    }

    fn get<'t, 'i>(
        &self,
        table: &'t DeTable<'i>,
        name: &str,
    ) -> Option<(u32, &'t Spanned<DeValue<'i>>)> {
        table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == name)
            .map(|(k, v)| (self.doc.line_of(k), v))
    }

    fn text(&mut self, table: &DeTable<'_>, name: &str, required: bool, at: u32) -> Option<String> {
        self.text_kept(table, name, required, at, false)
    }

    /// [`BatchReader::text`]; with `contact`, the notice's contact for objections, which
    /// the office publishes as it is (its numbers and address are not masked; residents'
    /// names still are).
    fn text_kept(
        &mut self,
        table: &DeTable<'_>,
        name: &str,
        required: bool,
        at: u32,
        contact: bool,
    ) -> Option<String> {
        match self.get(table, name) {
            None => {
                if required {
                    self.error(at, &format!("缺少必填字段“{name}”"));
                }
                None
            }
            Some((line, v)) => match v.get_ref().as_str() {
                Some(s) if contact && !s.trim().is_empty() => {
                    let at = (self.doc.display.as_str(), line);
                    let text = self
                        .names
                        .check(self.diags, at, name, s.trim(), (false, ""));
                    Some(text.into_owned())
                }
                Some(s) if !s.trim().is_empty() => Some(self.scrub(line, name, s.trim(), "")),
                Some(_) if !required => None,
                _ => {
                    self.error(line, &format!("{name}: 应为非空文字"));
                    None
                }
            },
        }
    }

    fn date(&mut self, table: &DeTable<'_>, name: &str) -> Option<Date> {
        let (line, v) = self.get(table, name)?;
        let parsed = match v.get_ref() {
            DeValue::String(s) => values::parse_date(s),
            DeValue::Datetime(d) => values::toml_date(d),
            _ => None,
        };
        if parsed.is_none() {
            let shown = crate::load::toml_value(v.get_ref()).display();
            self.error(
                line,
                &format!(
                    "{name}: \"{shown}\" 不是有效日期（可写作 2018-12-10、2018/12/10、2018.12.10 或 2018年12月10日）"
                ),
            );
        }
        parsed
    }

    /// A steward reference: full-width forms folded and a unique name read as its
    /// steward's id, each with a warning; unknown ids with the closest registered one.
    fn steward(&mut self, line: u32, field: &str, id: &str) -> Option<usize> {
        let folded = super::suggest::fold_ascii(id);
        if let Some(f) = &folded {
            self.diags.warning(
                &self.doc.display,
                line,
                format!("{field}: “{id}”里有全角字符，已按“{f}”读取；请用半角（英文输入法）输入"),
            );
        }
        let id = folded.as_deref().unwrap_or(id);
        if let Some(i) = self.registry.steward_index(id) {
            return Some(i);
        }
        if self
            .registry
            .displaced_by_duplicate(id, &self.doc.display, line)
            || self.registry.steward_already_reported(id, self.diags)
        {
            self.ok = false;
            return None;
        }
        match self.registry.lookup_steward(id).message(id) {
            Ok((i, warning)) => {
                if let Some(w) = warning {
                    self.diags
                        .warning(&self.doc.display, line, format!("{field}: {w}"));
                }
                Some(i)
            }
            Err(message) => {
                self.error(line, &format!("{field}: {message}"));
                None
            }
        }
    }

    fn batch(&mut self, t: &DeTable<'_>, at: u32) -> Option<Batch> {
        let id = self.text(t, "id", true, at);
        if let Some(id) = &id
            && !values::is_record_id(id)
        {
            let line = key_line(self.doc, t, "id").unwrap_or(at);
            self.error(
                line,
                &format!("id: \"{id}\" 只能由英文字母、数字、下划线和连字符组成（用于网址）"),
            );
        }
        let title = self.text(t, "title", true, at);
        let date = self.date(t, "date");
        let issuer = self.text(t, "issuer", false, at);
        let mut stewards = Vec::new();
        match self.get(t, "stewards") {
            None => self.error(at, "缺少必填字段“stewards”"),
            Some((line, v)) => match v.get_ref().as_array() {
                Some(items) => {
                    for item in items {
                        match item.get_ref().as_str() {
                            Some(sid) => {
                                if let Some(i) = self.steward(line, "stewards", sid.trim()) {
                                    if stewards.contains(&i) {
                                        self.error(line, &format!("stewards: \"{sid}\" 列了两次"));
                                    } else {
                                        stewards.push(i);
                                    }
                                }
                            }
                            None => self.error(line, "stewards: 应为红管家编号的列表"),
                        }
                    }
                }
                None => self.error(line, "stewards: 应为红管家编号的列表，如 [\"FM-001\"]"),
            },
        }
        let mut citations = Vec::new();
        if let Some((line, v)) = self.get(t, "citations") {
            match v.get_ref().as_table() {
                Some(ct) => {
                    for (k, v) in ct.iter() {
                        let kline = self.doc.line_of(k);
                        let sid = k.get_ref().as_ref();
                        let Some(i) = self.steward(kline, "citations", sid) else {
                            continue;
                        };
                        if !stewards.contains(&i) {
                            self.error(
                                kline,
                                &format!("citations: \"{sid}\" 不在本批 stewards 名单中"),
                            );
                        }
                        match v.get_ref().as_str() {
                            Some(s) => {
                                let own = crate::privacy::courtesy::surname(
                                    &self.registry.stewards[i].name,
                                )
                                .unwrap_or("")
                                .to_string();
                                let field = format!("citations.{sid}");
                                let text = self.scrub(kline, &field, s.trim(), &own);
                                citations.push((i, text));
                            }
                            None => {
                                self.error(kline, &format!("citations: \"{sid}\" 的事迹应为文字"))
                            }
                        }
                    }
                }
                None => self.error(line, "citations: 应为表 [batch.citations]"),
            }
        }
        let notice = match self.get(t, "notice") {
            None => None,
            Some((line, v)) => match v.get_ref().as_table() {
                Some(nt) => {
                    let notice = Notice {
                        start: self.date(nt, "start"),
                        end: self.date(nt, "end"),
                        objections: self.text(nt, "objections", false, line),
                        contact: self.text_kept(nt, "contact", false, line, true),
                        issuer: self.text(nt, "issuer", false, line),
                        date: self.date(nt, "date"),
                    };
                    if let (Some(s), Some(e)) = (notice.start, notice.end)
                        && e < s
                    {
                        let eline = key_line(self.doc, nt, "end").unwrap_or(line);
                        self.error(eline, &format!("end: {e} 早于公示开始日期 {s}"));
                    }
                    Some(notice)
                }
                None => {
                    self.error(line, "notice: 应为表 [batch.notice]");
                    None
                }
            },
        };
        let decision = self.decision(t, notice.as_ref());
        if !self.ok {
            return None;
        }
        Some(Batch {
            id: id?,
            title: title?,
            date,
            issuer,
            stewards,
            citations,
            notice,
            decision,
        })
    }

    /// `[batch.decision]`: its date is required and must fall after the notice period.
    fn decision(&mut self, t: &DeTable<'_>, notice: Option<&Notice>) -> Option<Decision> {
        let (line, v) = self.get(t, "decision")?;
        let Some(dt) = v.get_ref().as_table() else {
            self.error(line, "decision: 应为表 [batch.decision]");
            return None;
        };
        let date = self.date(dt, "date");
        if self.get(dt, "date").is_none() {
            self.error(
                line,
                "decision: 缺少必填字段“date”（表彰决定的日期，如 date = 2018-12-01）",
            );
        }
        let number = self.text(dt, "number", false, line);
        let issuer = self.text(dt, "issuer", false, line);
        let text = self.text(dt, "text", false, line);
        for (k, _) in dt.iter() {
            let name: &str = k.get_ref().as_ref();
            if !["date", "number", "issuer", "text"].contains(&name) {
                self.diags.warning(
                    &self.doc.display,
                    self.doc.line_of(k),
                    format!(
                        "decision: 未知的字段“{name}”，已忽略（可用 number、date、issuer、text）"
                    ),
                );
            }
        }
        let date = date?;
        if let Some(end) = notice.and_then(|n| n.end)
            && date <= end
        {
            let dline = key_line(self.doc, dt, "date").unwrap_or(line);
            self.error(
                dline,
                &format!(
                    "decision.date: {date} 不在公示期结束（{end}）之后：表彰决定应在公示期满后作出，请核对两个日期"
                ),
            );
        }
        let paragraphs = text
            .map(|t| {
                t.split("\n\n")
                    // Chinese lines run on without a space.
                    .map(|p| p.lines().map(str::trim).collect::<String>())
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Some(Decision {
            number,
            date,
            issuer,
            paragraphs,
        })
    }
}
