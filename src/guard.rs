//! The last line of defence before `write`: every output file is scanned for every
//! private value of the input. A hit fails the build and names the file and the record.
//! Values that are also public in the input (a resident who shares a steward's name, a
//! name inside a longer public name) are not leaks.

use aho_corasick::{AhoCorasick, MatchKind};
use rayon::prelude::*;

use crate::privacy::{PrivateOrigin, PrivateValues, preview};
use crate::render::OutputFile;
use crate::site::Site;

/// Every piece of public text the input holds: what the site may show.
fn public_texts(site: &Site) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let c = &site.config;
    out.push(&c.title);
    out.extend(c.description.as_deref());
    let sd = &c.subdistrict;
    out.extend(
        [sd.name.as_deref(), sd.committee.as_deref()]
            .into_iter()
            .flatten(),
    );
    let b = &c.bulletin;
    out.extend(
        [b.name.as_deref(), b.issuer.as_deref(), b.printer.as_deref()]
            .into_iter()
            .flatten(),
    );
    for m in &site.registry.communities {
        out.push(&m.name);
        out.extend(m.party_org.as_deref());
    }
    for s in &site.registry.stewards {
        out.push(&s.name);
        out.extend(s.buildings.iter().map(String::as_str));
        out.extend(s.teams.iter().map(String::as_str));
        out.extend(
            [
                s.grid.as_deref(),
                s.workplace.as_deref(),
                s.specialty.as_deref(),
            ]
            .into_iter()
            .flatten(),
        );
    }
    for k in &site.cases {
        out.extend([k.category.as_str(), k.summary.as_str()]);
        out.extend(k.building.as_deref());
    }
    for m in &site.meetings {
        out.extend(m.topic.as_deref());
    }
    for b in &site.batches {
        out.push(&b.title);
        out.extend(b.issuer.as_deref());
        out.extend(b.citations.iter().map(|(_, c)| c.as_str()));
        if let Some(n) = &b.notice {
            out.extend(
                [
                    n.objections.as_deref(),
                    n.contact.as_deref(),
                    n.issuer.as_deref(),
                ]
                .into_iter()
                .flatten(),
            );
        }
    }
    for b in &site.bulletins {
        out.push(&b.title);
        out.extend(b.subtitle.as_deref());
        out.extend(b.source.as_deref());
        out.extend(b.send_to.iter().map(String::as_str));
        out.extend(b.distribute_to.iter().map(String::as_str));
        out.push(&b.body.markdown);
    }
    for p in &site.pages {
        out.push(&p.title);
        out.push(&p.body.markdown);
    }
    out
}

/// Calls `f` with each digit run of a text at least `min` digits long, separators inside
/// a number (`138-1234 5678`) removed, until `f` says stop. Works on bytes: this runs over
/// every byte of the site, and pages are mostly short numbers.
fn each_digit_run(text: &str, min: usize, mut f: impl FnMut(&str) -> bool) -> bool {
    let bytes = text.as_bytes();
    let mut current = String::new();
    for (i, &b) in bytes.iter().enumerate() {
        let in_number = b.is_ascii_digit() || (matches!(b, b'X' | b'x') && !current.is_empty());
        let separator = matches!(b, b' ' | b'-')
            && !current.is_empty()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if in_number {
            current.push(char::from(b.to_ascii_uppercase()));
        } else if !separator && !current.is_empty() {
            if current.len() >= min && f(&current) {
                return true;
            }
            current.clear();
        }
    }
    !current.is_empty() && current.len() >= min && f(&current)
}

/// Digit runs of a text, separators inside a number removed.
fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    each_digit_run(text, 1, |r| {
        runs.push(r.to_string());
        false
    });
    runs
}

struct Numbers<'p> {
    values: &'p std::collections::HashMap<String, PrivateOrigin>,
    lengths: Vec<usize>,
}

impl<'p> Numbers<'p> {
    fn new(values: &'p std::collections::HashMap<String, PrivateOrigin>) -> Self {
        let mut lengths: Vec<usize> = values.keys().map(String::len).collect();
        lengths.sort_unstable();
        lengths.dedup();
        Numbers { values, lengths }
    }

    /// The private numbers inside a digit run.
    fn find<'a>(&'a self, run: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.lengths.iter().flat_map(move |&len| {
            (0..=run.len().saturating_sub(len))
                .filter(move |_| run.len() >= len)
                .map(move |start| &run[start..start + len])
                .filter(|w| self.values.contains_key(*w))
        })
    }
}

/// One leak: the output file, and the private value's origin.
pub struct Leak {
    pub file: String,
    pub value: String,
    pub origin: PrivateOrigin,
}

impl std::fmt::Display for Leak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: 这个不公开的值（{}）出现在了生成的 {} 里，已停止构建，原有的输出保持不变",
            self.origin.path,
            self.origin.line,
            self.origin.field,
            preview(&self.value),
            self.file
        )
    }
}

impl Leak {
    /// The leak as a problem of the input: at the private value's own place.
    pub fn diagnostic(&self) -> crate::diagnostics::Diagnostic {
        crate::diagnostics::Diagnostic::error(
            &self.origin.path,
            self.origin.line,
            format!(
                "{}: 这个不公开的值（{}）出现在了生成的 {} 里，已停止构建，原有的输出保持不变",
                self.origin.field,
                preview(&self.value),
                self.file
            ),
        )
    }
}

/// The private values to look for, prepared once and used on every batch of output.
pub struct Guard<'p> {
    texts: Vec<(&'p String, &'p PrivateOrigin)>,
    automaton: Option<AhoCorasick>,
    excepted: Vec<bool>,
    numbers: std::collections::HashMap<String, PrivateOrigin>,
    lengths: Vec<usize>,
}

impl<'p> Guard<'p> {
    /// `theme` is public too: a resident whose name happens to be a word of a template
    /// (“秀红” in “优秀红管家”) is not a leak.
    pub fn new(site: &Site, private: &'p PrivateValues, theme: &crate::theme::Theme) -> Self {
        let mut public = public_texts(site);
        public.extend(
            theme
                .templates()
                .filter_map(|(_, bytes)| std::str::from_utf8(bytes).ok()),
        );

        // Private numbers that the input also shows publicly are not leaks.
        let mut numbers = private.numbers.clone();
        if !numbers.is_empty() {
            let finder = Numbers::new(&private.numbers);
            let shown: Vec<String> = public
                .iter()
                .flat_map(|t| digit_runs(t))
                .flat_map(|run| finder.find(&run).map(str::to_string).collect::<Vec<_>>())
                .collect();
            for s in shown {
                numbers.remove(&s);
            }
        }

        let mut texts: Vec<(&String, &PrivateOrigin)> = private.texts.iter().collect();
        texts.sort_by(|a, b| a.0.cmp(b.0));
        let automaton = if texts.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .build(texts.iter().map(|(v, _)| v.as_str()))
                .ok()
        };
        let mut excepted = vec![false; texts.len()];
        if let Some(ac) = &automaton {
            for t in &public {
                for m in ac.find_overlapping_iter(*t) {
                    excepted[m.pattern().as_usize()] = true;
                }
            }
        }
        let lengths = Numbers::new(&numbers).lengths;
        Guard {
            texts,
            automaton,
            excepted,
            numbers,
            lengths,
        }
    }

    /// The first private value in each file that has one.
    pub fn scan(&self, files: &[OutputFile]) -> Vec<Leak> {
        let finder = Numbers {
            values: &self.numbers,
            lengths: self.lengths.clone(),
        };
        let mut leaks: Vec<Leak> = files
            .par_iter()
            .filter_map(|file| {
                let text = String::from_utf8_lossy(&file.bytes);
                if let Some(ac) = &self.automaton {
                    for m in ac.find_overlapping_iter(text.as_ref()) {
                        let i = m.pattern().as_usize();
                        if !self.excepted[i] {
                            return Some(Leak {
                                file: file.path.clone(),
                                value: self.texts[i].0.clone(),
                                origin: self.texts[i].1.clone(),
                            });
                        }
                    }
                }
                let mut found = None;
                if let Some(&min) = self.lengths.first() {
                    each_digit_run(&text, min, |run| {
                        found = finder.find(run).next().map(str::to_string);
                        found.is_some()
                    });
                }
                found.map(|hit| Leak {
                    file: file.path.clone(),
                    origin: self.numbers[&hit].clone(),
                    value: hit,
                })
            })
            .collect();
        leaks.sort_by(|a, b| a.file.cmp(&b.file));
        leaks
    }
}

#[cfg(test)]
mod tests {
    use super::digit_runs;

    #[test]
    fn digit_runs_join_separated_numbers() {
        assert_eq!(
            digit_runs("电话 138-1234 5678，共12户"),
            ["13812345678", "12"]
        );
        assert_eq!(digit_runs("11010519491231002X"), ["11010519491231002X"]);
        assert!(digit_runs("没有数字").is_empty());
    }
}
