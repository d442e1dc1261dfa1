//! Warnings about what `hongguanjia init` wrote as an example and the office has not yet
//! replaced: a site published with them shows 某某街道 and 李红 to the public.
//!
//! Records are checked as they stream by (the example row of a kind, at its cell); the
//! settings and documents line by line, one warning per file naming every line.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::documents::RawDocument;
use crate::load::{RawRecord, RawValue};
use crate::model::Date;
use crate::scaffold;
use crate::schema::{Field, Kind, case, community, grid, meeting, steward};

/// What `init` writes wherever the office's own name belongs. Not 某某 alone: 王某某 is
/// how a bulletin leaves a resident unnamed.
const SOMEBODY: &str = "某某街道";

/// The instructions `init` writes into the body of a bulletin or page, in brackets.
pub(crate) const BODY_INSTRUCTIONS: &[&str] = &[
    "（开头一段：",
    "（补充具体做法。）",
    "（补充典型事例。）",
    "（写下一步打算。）",
    "（在这里写正文。",
];

/// Public fields whose example value could only come from `init`.
const EXAMPLE_FIELDS: &[Field] = &[
    community::NAME,
    grid::WORKER,
    grid::PROPERTY,
    steward::NAME,
    case::SUMMARY,
    meeting::TOPIC,
];

/// The example values of one kind's public fields, by field.
pub(crate) struct Examples {
    values: Vec<(Field, String)>,
}

impl Default for Examples {
    fn default() -> Self {
        // The example rows carry no date in these fields: any day gives the same values.
        let day = Date {
            year: 2024,
            month: 1,
            day: 1,
        };
        let mut values = Vec::new();
        for &field in EXAMPLE_FIELDS {
            let row = scaffold::example_row(field.kind(), day);
            if let Some(v) = row.get(field.index()) {
                values.push((field, v.clone()));
            }
        }
        Examples { values }
    }
}

fn text<'r>(rec: &'r RawRecord<'_>, field: Field) -> Option<&'r str> {
    match &rec.get(field.index())?.value {
        RawValue::Text(s) => Some(s.trim()),
        _ => None,
    }
}

impl Examples {
    /// Warns when `rec` still holds `init`'s example in a public field. The example
    /// steward's name is a common one, so it counts only beside the example id.
    pub(crate) fn check_record(&self, kind: Kind, rec: &RawRecord<'_>, diags: &mut Diagnostics) {
        if !matches!(
            kind,
            Kind::Communities | Kind::Grids | Kind::Stewards | Kind::Cases | Kind::Meetings
        ) {
            return;
        }
        for (field, example) in &self.values {
            if field.kind() != kind || text(rec, *field) != Some(example.as_str()) {
                continue;
            }
            if *field == steward::NAME && text(rec, steward::ID) != Some(scaffold::EXAMPLE_STEWARD)
            {
                continue;
            }
            let Some(f) = rec.get(field.index()) else {
                continue;
            };
            // Grids are printed, not published.
            let shown = if kind == Kind::Grids {
                "印在公示牌和联户卡上"
            } else {
                "公开在网站上"
            };
            diags.push(
                Diagnostic::warning(
                    rec.path,
                    f.line,
                    format!(
                        "{}: “{example}”是 hongguanjia init 写的示例，会原样{shown}；请改成实际记录，或整行删去",
                        f.written
                    ),
                )
                .at_column(f.column),
            );
        }
    }
}

/// The lines of `text` (numbered from `first`) that hold an example, and which.
fn example_lines(text: &str, first: u32, toml: bool) -> Vec<(u32, &'static str)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        // Commented-out settings are not published.
        if toml && line.trim_start().starts_with('#') {
            continue;
        }
        let marker = if line.contains(SOMEBODY) {
            Some(SOMEBODY)
        } else {
            BODY_INSTRUCTIONS
                .iter()
                .find(|m| line.contains(*m))
                .map(|_| "（……）里的填写说明")
        };
        if let Some(m) = marker {
            found.push((first + u32::try_from(i).unwrap_or(u32::MAX), m));
        }
    }
    found
}

/// One warning for a file: at its first example, listing the other lines.
fn warn_file(path: &str, found: &[(u32, &str)], diags: &mut Diagnostics) {
    let Some(&(line, _)) = found.first() else {
        return;
    };
    let mut markers: Vec<String> = Vec::new();
    for (_, m) in found {
        let m = if *m == SOMEBODY {
            format!("“{SOMEBODY}”")
        } else {
            (*m).to_string()
        };
        if !markers.contains(&m) {
            markers.push(m);
        }
    }
    let shown = markers.join("和");
    let others: Vec<String> = found[1..].iter().map(|(l, _)| l.to_string()).collect();
    let more = if others.is_empty() {
        String::new()
    } else {
        format!("（这个文件里还有第 {} 行）", others.join("、"))
    };
    diags.warning(
        path,
        line,
        format!(
            "还留着 hongguanjia init 写的示例文字{shown}，会原样公开在网站上；请改成实际内容{more}"
        ),
    );
}

/// Warns about `init`'s examples left in a settings file (`site.toml`,
/// `content/commendations.toml`), whose `text` is given.
pub(crate) fn check_settings(path: &str, text: &str, diags: &mut Diagnostics) {
    warn_file(path, &example_lines(text, 1, true), diags);
}

/// Warns about `init`'s examples left in a bulletin or page.
pub(crate) fn check_document(doc: &RawDocument, diags: &mut Diagnostics) {
    let mut found = example_lines(&doc.front, doc.front_line, true);
    found.extend(example_lines(&doc.body, doc.body_line, false));
    warn_file(&doc.display, &found, diags);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_instruction_init_writes_is_one_this_module_knows() {
        let dir = tempfile::tempdir().expect("temp dir");
        let today = Date::new(2024, 5, 20).expect("date");
        scaffold::init(dir.path(), true, today).expect("init");
        let bulletin =
            std::fs::read_to_string(dir.path().join("content/bulletins/2024-1.md")).expect("md");
        let page = scaffold::new_page(dir.path(), "联系我们", Some("contact")).expect("page");
        let page = std::fs::read_to_string(dir.path().join(page)).expect("md");
        for text in [&bulletin, &page] {
            for line in text
                .lines()
                .filter(|l| l.contains('（') && l.contains('）'))
            {
                let known = line.contains(SOMEBODY)
                    || BODY_INSTRUCTIONS.iter().any(|m| line.contains(m))
                    // The subdistrict's figures, bound to site.toml, are no instruction.
                    || line.starts_with("（街道概况）");
                assert!(known, "an instruction this module misses: {line}");
            }
        }
    }

    #[test]
    fn one_warning_per_file_names_every_line_and_skips_comments() {
        let mut diags = Diagnostics::new();
        check_settings(
            "site.toml",
            "title = \"某某街道\"\n# issuer = \"某某街道\"\nbase_url = \"/\"\nname = \"某某街道\"\ntext = \"王某某\"\n",
            &mut diags,
        );
        let shown: Vec<String> = diags.sorted().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "site.toml:1: 警告：还留着 hongguanjia init 写的示例文字“某某街道”，会原样公开在网站上；请改成实际内容（这个文件里还有第 4 行）"
            ]
        );
    }
}
