//! Residents' names typed into public free text. People write "周大伯家门口堆物" into a
//! case's summary without thinking of the 居民 column beside it; the name is masked the
//! way a masked steward's name is (`周**`) and the user is told where.
//!
//! Names come from every record kind, and free texts from every kind too, so the names
//! are collected while the records stream in and the free texts are checked afterwards,
//! in a second pass over what was kept (see [`PublicTexts`]): a name typed into a meeting's
//! topic is caught even when the case that names the resident comes later. Commendations,
//! bulletins and pages are read after every record, so they are checked as they are read.
//!
//! Rule for short names: a name of one character is never looked for (it would match
//! everywhere and identify no one). A name of two characters or more is masked wherever
//! it stands in free text, inside longer words too ("王芳" in "王芳芳" gives "王*芳"): a
//! garbled word is reported and can be rewritten, a published name cannot be taken back.
//! The exception is a public value that contains the name ("王芳" inside the steward
//! "王芳华", the community "王芳社区"): there the longer public value is left as it is.

use std::borrow::Cow;
use std::collections::BTreeSet;

use std::sync::Arc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::longest::Longest;
use super::{Noted, Places, PrivateValues, mask_name, nfkc, scrub};
use crate::diagnostics::Diagnostics;
use crate::load::{RawRecord, RawValue};
use crate::schema::{Kind, TextRole};

/// The public texts of the records, by the schema's roles: values that are public in
/// their own right, and free texts with where they were typed.
#[derive(Debug, Default, Clone)]
pub(crate) struct PublicTexts {
    /// Each value of a [`TextRole::Name`] field, as typed and NFKC.
    pub names: HashSet<String>,
    /// Each value of a [`TextRole::Value`] field, list items apart, as typed and NFKC.
    pub values: HashSet<String>,
    /// Paths and headers, stored once.
    strings: Vec<String>,
    string_index: HashMap<String, u32>,
    /// Each distinct free text, as typed, numbers already masked: never a phone or ID
    /// number. Stored once: a city's half a million cases share a handful of categories
    /// and many summaries.
    texts: Vec<Arc<str>>,
    text_index: HashMap<Arc<str>, u32>,
    /// In the records' order, in the parts they were read in: a city's million places
    /// are taken over part by part, never copied into a larger list.
    free: Vec<Vec<FreeText>>,
    /// The numbers masked in the few free texts that had any, by [`FreeText::hidden`].
    hidden: Vec<Box<[super::Hidden]>>,
}

/// Where a free text was typed, and which of the distinct texts it is. A city has more
/// than a million of these until they are checked, hence numbers only, 24 bytes.
#[derive(Debug, Clone)]
struct FreeText {
    path: u32,
    line: u32,
    /// The cell's column (1-based), when the text comes from a workbook; 0 otherwise.
    column: u32,
    field: u32,
    text: u32,
    /// The numbers masked in it, warned about with the names (see `check_records`): an
    /// index in `PublicTexts::hidden`, or [`NONE_HIDDEN`].
    hidden: u32,
}

/// [`FreeText::hidden`] of a text in which no number was masked.
const NONE_HIDDEN: u32 = u32::MAX;

/// How many texts a [`PublicTexts`] noted, so that the next part of the same records
/// starts with room for as many (see `site::read_parts`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sizes {
    texts: usize,
    places: usize,
}

impl PublicTexts {
    /// Texts with room for `sizes` distinct free texts and places.
    pub(crate) fn with_sizes(sizes: Sizes) -> Self {
        PublicTexts {
            texts: Vec::with_capacity(sizes.texts),
            text_index: HashMap::with_capacity_and_hasher(sizes.texts, Default::default()),
            free: match sizes.places {
                0 => Vec::new(),
                n => vec![Vec::with_capacity(n)],
            },
            ..PublicTexts::default()
        }
    }

    /// How many distinct free texts and places these are.
    pub(crate) fn sizes(&self) -> Sizes {
        Sizes {
            texts: self.texts.len(),
            places: self.free.iter().map(Vec::len).sum(),
        }
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.string_index.get(s) {
            return i;
        }
        let i = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(s.to_string());
        self.string_index.insert(s.to_string(), i);
        i
    }

    fn intern_text(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.text_index.get(text) {
            return i;
        }
        let i = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        let shared: Arc<str> = text.into();
        self.texts.push(shared.clone());
        self.text_index.insert(shared, i);
        i
    }

    /// [`PublicTexts::intern_text`] of a part's text: a text new here keeps the part's
    /// copy, rather than be copied again on the thread that merges the parts.
    fn take_text(&mut self, text: Arc<str>) -> u32 {
        if let Some(&i) = self.text_index.get(&text) {
            return i;
        }
        let i = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
        self.texts.push(text.clone());
        self.text_index.insert(text, i);
        i
    }

    fn add_value(set: &mut HashSet<String>, text: &str) {
        // Most values repeat (every visit names its building): skip them cheaply.
        if set.contains(crate::load::trim(text)) {
            return;
        }
        for item in crate::schema::split_list(text) {
            let normal = nfkc(&item);
            if normal != item {
                set.insert(normal.into_owned());
            }
            set.insert(item);
        }
    }

    /// Notes the public texts of one raw record.
    pub(crate) fn collect(&mut self, kind: Kind, rec: &RawRecord<'_>) {
        for (role, set) in [
            (TextRole::Name, &mut self.names),
            (TextRole::Value, &mut self.values),
        ] {
            for i in kind.fields_with(role) {
                let Some(f) = rec.get(i) else { continue };
                match &f.value {
                    RawValue::Text(s) => Self::add_value(set, s),
                    RawValue::List(items) => {
                        for item in items {
                            if let RawValue::Text(s) = item {
                                Self::add_value(set, s);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for i in kind.fields_with(TextRole::Free) {
            let Some(f) = rec.get(i) else { continue };
            let RawValue::Text(s) = &f.value else {
                continue;
            };
            let s = crate::load::trim(s);
            if s.is_empty() {
                continue;
            }
            let (text, hidden) = scrub(s);
            let text = self.intern_text(&text);
            let path = self.intern(rec.path);
            let field = self.intern(f.written);
            let hidden = if hidden.is_empty() {
                NONE_HIDDEN
            } else {
                self.hidden.push(hidden.into_boxed_slice());
                u32::try_from(self.hidden.len() - 1).unwrap_or(NONE_HIDDEN)
            };
            let place = FreeText {
                path,
                line: f.line,
                column: f.column.unwrap_or(0),
                field,
                text,
                hidden,
            };
            match self.free.last_mut() {
                Some(free) => free.push(place),
                None => self.free.push(vec![place]),
            }
        }
    }

    /// Takes over the texts another collector noted after this one's.
    pub(crate) fn merge(&mut self, later: PublicTexts) {
        for (mine, theirs) in [
            (&mut self.names, later.names),
            (&mut self.values, later.values),
        ] {
            if mine.is_empty() {
                *mine = theirs;
            } else {
                mine.extend(theirs);
            }
        }
        let strings: Vec<u32> = later.strings.iter().map(|s| self.intern(s)).collect();
        let texts: Vec<u32> = later.texts.into_iter().map(|t| self.take_text(t)).collect();
        let hidden_from = u32::try_from(self.hidden.len()).unwrap_or(NONE_HIDDEN);
        self.hidden.extend(later.hidden);
        for mut part in later.free {
            for f in &mut part {
                f.path = strings[f.path as usize];
                f.field = strings[f.field as usize];
                f.text = texts[f.text as usize];
                if f.hidden != NONE_HIDDEN {
                    f.hidden = f.hidden.saturating_add(hidden_from);
                }
            }
            self.free.push(part);
        }
    }

    /// Every free text where it was typed: path, line, the workbook cell's column, header
    /// as written, which of the distinct texts it is, the text (numbers masked) and the
    /// numbers masked in it.
    #[allow(clippy::type_complexity)]
    fn free_with_numbers(
        &self,
    ) -> impl Iterator<Item = (&str, u32, Option<u32>, &str, usize, &str, &[super::Hidden])> {
        self.free.iter().flatten().map(|f| {
            (
                self.strings[f.path as usize].as_str(),
                f.line,
                (f.column != 0).then_some(f.column),
                self.strings[f.field as usize].as_str(),
                f.text as usize,
                &*self.texts[f.text as usize],
                self.hidden
                    .get(f.hidden as usize)
                    .map_or(&[][..], |h| &h[..]),
            )
        })
    }

    /// Lets go of where each free text was typed, once [`Names::check_records`] has
    /// warned about them: a city has millions of such places, and nothing after the
    /// check needs them (the leak guard wants the distinct texts only).
    pub(crate) fn forget_places(&mut self) {
        self.free = Vec::new();
        self.hidden = Vec::new();
        self.text_index = HashMap::default();
        self.string_index = HashMap::default();
    }

    /// Every distinct free text (numbers masked), each once.
    pub(crate) fn free_texts(&self) -> impl Iterator<Item = &str> {
        self.texts.iter().map(|t| &**t)
    }
}

#[derive(Debug)]
enum Pattern {
    /// A resident's name, by its index in `Names::residents`: masked.
    Resident(usize),
    /// A resident's name that is also a public name: left, with a warning.
    Ambiguous { resident: usize, owner: String },
    /// A public value that holds a resident's name: left as it is.
    Public,
}

/// What masking found in one text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Hit {
    Masked(usize),
    Ambiguous(usize),
}

/// Finds and masks residents' names in free text.
#[derive(Debug, Default)]
pub(crate) struct Names<'p> {
    /// Borrowed from the private values: a city's hundred thousand names were copied
    /// here, and again into the matcher, at the end of reading.
    residents: Vec<(&'p str, &'p Noted)>,
    /// Where the residents' names were seen, for messages.
    places: std::sync::Arc<Places>,
    patterns: Vec<Pattern>,
    matcher: Option<Longest<'p>>,
}

impl<'p> Names<'p> {
    /// Prepares the search. `public` are public names beyond the records' (the site's
    /// settings); `owner` says whose public name a value is, for the
    /// warning when a resident shares it ("红管家 FM-001 的姓名").
    pub(crate) fn new(
        private: &'p PrivateValues,
        public: impl IntoIterator<Item = &'p str>,
        owner: &dyn Fn(&str) -> Option<String>,
    ) -> Names<'p> {
        let mut residents: Vec<(&str, &Noted)> = private.names().collect();
        residents.sort_unstable_by(|a, b| a.0.cmp(b.0));
        if residents.is_empty() {
            return Names::default();
        }
        // Names: a resident's name inside one is public there. Values: only a resident's
        // name equal to one is. Looked up by hash: a city has a hundred thousand
        // residents and tens of thousands of public names.
        let extra: HashSet<&str> = public.into_iter().filter(|n| !n.is_empty()).collect();
        let is_public_name = |n: &str| private.public.names.contains(n) || extra.contains(n);

        let mut patterns: Vec<Pattern> = residents
            .iter()
            .enumerate()
            .map(|(i, &(name, _))| {
                if is_public_name(name) || private.public.values.contains(name) {
                    Pattern::Ambiguous {
                        resident: i,
                        owner: owner(name).unwrap_or_else(|| "公开的名称".to_string()),
                    }
                } else {
                    Pattern::Resident(i)
                }
            })
            .collect();
        let mut matcher = Longest::new(residents.iter().map(|&(name, _)| name));
        // Public values that hold a name are patterns too, so that the longer public
        // value wins where it stands. The matcher, holding only the names so far, says
        // which do. Sorted, so that the patterns (and so the matcher) are the same from
        // run to run.
        let mut holding: Vec<&str> = private
            .public
            .names
            .iter()
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .chain(
                extra
                    .iter()
                    .copied()
                    .filter(|v| !private.public.names.contains(*v)),
            )
            .filter(|v| !matcher.contains(v) && matcher.finds_any(v))
            .collect();
        holding.sort_unstable();
        for v in holding {
            matcher.add(v);
            patterns.push(Pattern::Public);
        }
        Names {
            residents,
            places: private.texts.places.clone(),
            patterns,
            matcher: Some(matcher),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.residents.is_empty()
    }

    /// Where a resident's name was seen, as messages show it.
    fn origin(&self, noted: &Noted) -> String {
        let o = self.places.origin(noted);
        format!("{}:{} {}", o.path, o.line, o.field)
    }

    /// The text with every resident's name masked (`周大伯` → `周**`; in Markdown the
    /// stars are escaped), and what was found.
    pub(crate) fn mask<'t>(&self, text: &'t str, markdown: bool) -> (Cow<'t, str>, Vec<Hit>) {
        let Some(matcher) = &self.matcher else {
            return (Cow::Borrowed(text), Vec::new());
        };
        let mut out = String::new();
        let mut hits = Vec::new();
        let mut last = 0;
        for m in matcher.find_iter(text) {
            match &self.patterns[m.pattern] {
                Pattern::Public => {}
                Pattern::Ambiguous { resident, .. } => hits.push(Hit::Ambiguous(*resident)),
                Pattern::Resident(i) => {
                    out.push_str(&text[last..m.start]);
                    let masked = mask_name(self.residents[*i].0);
                    if markdown {
                        out.push_str(&masked.replace('*', "\\*"));
                    } else {
                        out.push_str(&masked);
                    }
                    last = m.end;
                    hits.push(Hit::Masked(*i));
                }
            }
        }
        if last == 0 {
            return (Cow::Borrowed(text), hits);
        }
        out.push_str(&text[last..]);
        (Cow::Owned(out), hits)
    }

    /// Masks a text of the site in place, without a warning: the warning was given where
    /// the text was read (see [`Names::check`]).
    pub(crate) fn mask_in_place(&self, text: &mut String) {
        if let (Cow::Owned(masked), _) = self.mask(text, false) {
            *text = masked;
        }
    }

    /// Masks `text` typed at `path:line` in the field `field`, warning about each name
    /// masked and each one left because it is also a public name.
    pub(crate) fn check<'t>(
        &self,
        diags: &mut Diagnostics,
        at: (&str, u32),
        field: &str,
        text: &'t str,
        markdown: bool,
    ) -> Cow<'t, str> {
        let (masked, mut hits) = self.mask(text, markdown);
        if hits.is_empty() {
            return masked;
        }
        hits.sort();
        hits.dedup();
        let (path, line) = at;
        let origins: Vec<String> = hits
            .iter()
            .filter_map(|h| match h {
                Hit::Masked(i) => Some(self.origin(self.residents[*i].1)),
                Hit::Ambiguous(_) => None,
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !origins.is_empty() {
            let shown = super::excerpt(&masked);
            diags.warning(
                path,
                line,
                format!(
                    "{field}: 含有居民姓名（来自 {}），公开时已遮盖：{shown}",
                    origins.join("、")
                ),
            );
        }
        for hit in &hits {
            let Hit::Ambiguous(i) = hit else { continue };
            let (name, from) = &self.residents[*i];
            let owner = self
                .patterns
                .iter()
                .find_map(|p| match p {
                    Pattern::Ambiguous { resident, owner } if resident == i => Some(owner.as_str()),
                    _ => None,
                })
                .unwrap_or("公开的名称");
            diags.warning(
                path,
                line,
                format!(
                    "{field}: “{name}”既是居民姓名（来自 {}）也是{owner}，分不清指谁，未遮盖；如果写的是这位居民，请改写这段文字",
                    self.origin(from)
                ),
            );
        }
        masked
    }

    /// Checks every free text of the records, warning where names were typed.
    ///
    /// The numbers masked in them are warned about here too, rather than as they were
    /// read, so that the warning shows the text with every name masked as well.
    pub(crate) fn check_records(&self, texts: &PublicTexts, diags: &mut Diagnostics) {
        // Whether a distinct text holds a name, found once for all the places it is typed.
        let mut named: Vec<Option<bool>> = vec![None; texts.texts.len()];
        for (path, line, column, field, which, text, hidden) in texts.free_with_numbers() {
            let has_names =
                *named[which].get_or_insert_with(|| !self.mask(text, false).1.is_empty());
            if !has_names && hidden.is_empty() {
                continue;
            }
            // Warnings about a workbook's cell name the cell, not only its row.
            let first = diags.len();
            let masked = self.check(diags, (path, line), field, text, false);
            if !hidden.is_empty() {
                let warning = super::privacy_warning(field, hidden, &masked, true);
                diags.warning(path, line, warning);
            }
            diags.place_from(first, column);
        }
    }

    /// Masks names in the records' free texts that the site keeps. The figures' case
    /// categories, counted before every name was known, are renamed by the caller
    /// (`Figures::rename_categories`).
    pub(crate) fn mask_records(
        &self,
        stewards: &mut [crate::model::Steward],
        cases: &mut [crate::model::Case],
        meetings: &mut [crate::model::Meeting],
    ) {
        if self.is_empty() {
            return;
        }
        for s in stewards {
            for t in [&mut s.workplace, &mut s.specialty].into_iter().flatten() {
                self.mask_in_place(t);
            }
        }
        // A city's half a million cases share about twenty thousand summaries and a few
        // categories: each distinct text is searched once (once per core), and only texts
        // that hold a name are written again. This comes at the end of reading, when the
        // other core has nothing else to do.
        use rayon::prelude::*;
        let part = cases.len().div_ceil(rayon::current_num_threads()).max(1);
        let changed: HashMap<String, String> = cases
            .par_chunks(part)
            .map(|cases| {
                let mut searched: HashSet<&str> = HashSet::default();
                let mut changed: HashMap<String, String> = HashMap::default();
                for text in cases.iter().flat_map(|c| [&c.category, &c.summary]) {
                    if searched.insert(text)
                        && let (Cow::Owned(masked), _) = self.mask(text, false)
                    {
                        changed.insert(text.clone(), masked);
                    }
                }
                changed
            })
            .reduce(HashMap::default, |mut all, more| {
                all.extend(more);
                all
            });
        if !changed.is_empty() {
            for c in cases.iter_mut() {
                for text in [&mut c.category, &mut c.summary] {
                    if let Some(masked) = changed.get(text.as_str()) {
                        text.clone_from(masked);
                    }
                }
            }
        }
        for m in meetings {
            if let Some(t) = &mut m.topic {
                self.mask_in_place(t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(residents: &[&str], public: &'static [&'static str]) -> Names<'static> {
        // The names borrow the private values, which a test keeps to its end.
        let private: &'static mut PrivateValues = Box::leak(Box::default());
        for (i, r) in residents.iter().enumerate() {
            let line = u32::try_from(i + 2).unwrap_or(0);
            private
                .texts
                .insert(r, ("content/cases.csv", line, "居民"), true);
        }
        Names::new(private, public.iter().copied(), &|n| {
            (n == "周明华").then(|| "红管家 FM-001 的姓名".to_string())
        })
    }

    #[test]
    fn a_long_text_is_shown_on_one_line_around_the_name() {
        let n = names(&["周大伯"], &[]);
        let mut diags = Diagnostics::new();
        let text = format!(
            "各社区：\n\n{}经周大伯推荐。\n\n{}",
            "前".repeat(50),
            "后".repeat(50)
        );
        n.check(
            &mut diags,
            ("content/commendations.toml", 9),
            "text",
            &text,
            false,
        );
        let message = &diags.sorted()[0].message;
        assert!(!message.contains('\n'), "{message}");
        assert!(message.contains("：…前前"), "{message}");
        assert!(message.contains("前经周**推荐。 后后"), "{message}");
        assert!(message.ends_with('…'), "{message}");
    }

    #[test]
    fn names_are_masked_like_steward_names() {
        let n = names(&["周大伯", "王芳"], &[]);
        assert_eq!(n.mask("周大伯家门口堆物", false).0, "周**家门口堆物");
        assert_eq!(n.mask("王芳、周大伯反映", false).0, "王*、周**反映");
        assert_eq!(n.mask("周大伯反映", true).0, "周\\*\\*反映");
        assert_eq!(n.mask("没有人名", false).0, "没有人名");
    }

    #[test]
    fn a_longer_public_name_that_holds_a_resident_name_is_kept() {
        let n = names(&["王芳"], &["王芳华"]);
        assert_eq!(
            n.mask("王芳华上门，王芳在家", false).0,
            "王芳华上门，王*在家"
        );
    }

    #[test]
    fn a_public_name_holding_a_resident_name_anywhere_is_kept() {
        let n = names(&["芳华", "小明"], &["王芳华", "李小明同学", "明"]);
        assert_eq!(
            n.mask("王芳华和李小明同学来了，芳华、小明在家", false).0,
            "王芳华和李小明同学来了，芳*、小*在家"
        );
    }

    #[test]
    fn a_name_shared_with_a_steward_is_ambiguous_not_masked() {
        let n = names(&["周明华"], &["周明华"]);
        let (text, hits) = n.mask("周明华上门", false);
        assert_eq!(text, "周明华上门");
        assert_eq!(hits, [Hit::Ambiguous(0)]);
        let mut diags = Diagnostics::new();
        n.check(
            &mut diags,
            ("content/meetings.csv", 3),
            "议题",
            "周明华上门",
            false,
        );
        assert_eq!(
            diags.sorted()[0].message,
            "议题: “周明华”既是居民姓名（来自 content/cases.csv:2 居民）也是红管家 FM-001 的姓名，分不清指谁，未遮盖；如果写的是这位居民，请改写这段文字"
        );
    }

    #[test]
    fn placeholders_in_the_resident_column_are_not_names() {
        let noting = crate::privacy::Noting::new([]);
        let rec = crate::load::RawRecord {
            path: "content/cases.csv",
            line: 2,
            fields: Vec::new(),
            columns: None,
            unknown: vec![crate::load::RawField {
                written: "居民姓名",
                line: 2,
                column: None,
                value: RawValue::Text("匿名、周大伯"),
            }],
        };
        let mut collector = crate::privacy::Collector::new(&noting, Default::default());
        collector.collect(Kind::Errands, &rec);
        let public = collector.public;
        let private = PrivateValues::new(noting, public);
        let n = Names::new(&private, std::iter::empty(), &|_| None);
        assert_eq!(
            n.mask("匿名反映周大伯家漏水", false).0,
            "匿名反映周**家漏水"
        );
    }

    #[test]
    fn the_warning_names_the_record_the_name_came_from() {
        let n = names(&["周大伯"], &[]);
        let mut diags = Diagnostics::new();
        let out = n.check(
            &mut diags,
            ("content/meetings.csv", 5),
            "议题",
            "看望周大伯",
            false,
        );
        assert_eq!(out, "看望周**");
        let d = &diags.sorted()[0];
        assert_eq!((d.path.as_str(), d.line), ("content/meetings.csv", 5));
        assert_eq!(
            d.message,
            "议题: 含有居民姓名（来自 content/cases.csv:2 居民），公开时已遮盖：看望周**"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever the text around them, no resident's name survives masking.
        #[test]
        fn no_name_survives_masking(
            residents in proptest::collection::btree_set("[周王钱孙大伯芳阿姨]{2,3}", 1..4),
            pieces in proptest::collection::vec("[周王钱孙大伯芳阿姨家门口１2，]{0,6}", 1..6),
        ) {
            let mut private = PrivateValues::default();
            for r in &residents {
                private.texts.insert(r, ("content/cases.csv", 2, "居民"), true);
            }
            let names = Names::new(&private, std::iter::empty(), &|_| None);
            let text = pieces.join("");
            let (out, _) = names.mask(&text, false);
            for r in &residents {
                prop_assert!(!out.contains(r.as_str()), "{} in {}", r, out);
            }
        }
    }
}
