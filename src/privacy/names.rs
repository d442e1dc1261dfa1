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
use std::collections::{BTreeMap, BTreeSet};

use std::sync::Arc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::longest::Longest;
use super::scrub::Scrubber;
use super::{Noted, Places, PrivateValues, mask_name, nfkc};
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
    /// Whether each of `texts` holds a title (`师傅`…), so that the record's stewards
    /// matter to it (see `courtesy.rs`).
    titled: Vec<bool>,
    /// In the records' order, in the parts they were read in: a city's million places
    /// are taken over part by part, never copied into a larger list.
    free: Vec<Vec<FreeText>>,
    /// The numbers masked in the few free texts that had any, by [`FreeText::hidden`].
    hidden: Vec<Box<[super::Hidden]>>,
}

/// Where a free text was typed, and which of the distinct texts it is. A city has more
/// than a million of these until they are checked, hence numbers only, 28 bytes.
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
    /// The surnames of the record's stewards (one of `strings`), for a text with a title;
    /// [`NONE_HIDDEN`] otherwise.
    who: u32,
}

/// [`FreeText::hidden`] of a text in which no number was masked (and `who` of one
/// without a title).
const NONE_HIDDEN: u32 = u32::MAX;

/// A free text where it was typed, as [`PublicTexts::places`] gives it.
struct Place<'t> {
    path: &'t str,
    line: u32,
    /// The workbook cell's column.
    column: Option<u32>,
    /// The header as written.
    field: &'t str,
    /// Which of the distinct texts it is.
    which: usize,
    /// The text, numbers masked.
    text: &'t str,
    /// The numbers masked in it.
    hidden: &'t [super::Hidden],
    /// The surnames of the record's stewards, for a text with a title.
    who: Option<&'t str>,
}

/// The surnames of the stewards a raw record is about: a case's or errand's steward, a
/// meeting's attendees, a steward's own.
fn record_stewards(
    kind: Kind,
    rec: &RawRecord<'_>,
    stewards: &dyn Fn(&str) -> Option<String>,
) -> String {
    use crate::schema::{case, errand, meeting, steward};
    let text = |field: crate::schema::Field| match rec.get(field.index()).map(|f| &f.value) {
        Some(RawValue::Text(s)) => vec![crate::load::trim(s)],
        Some(RawValue::List(items)) => items
            .iter()
            .filter_map(|v| match v {
                RawValue::Text(s) => Some(crate::load::trim(s)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let names: Vec<String> = match kind {
        Kind::Stewards => text(steward::NAME)
            .into_iter()
            .map(str::to_string)
            .collect(),
        Kind::Cases => text(case::STEWARD)
            .into_iter()
            .filter_map(stewards)
            .collect(),
        Kind::Errands => text(errand::STEWARD)
            .into_iter()
            .filter_map(stewards)
            .collect(),
        Kind::Meetings => text(meeting::ATTENDEES)
            .into_iter()
            .flat_map(crate::schema::list_items)
            .filter_map(stewards)
            .collect(),
        _ => Vec::new(),
    };
    super::courtesy::surnames_of(names.iter().map(String::as_str))
}

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
        self.titled.push(super::courtesy::has_title(text));
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
        self.titled.push(super::courtesy::has_title(&text));
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

    /// Notes the public texts of one raw record, free texts cleaned by `scrubber`;
    /// `stewards` gives a steward's name by id, for a text with a title.
    pub(crate) fn collect(
        &mut self,
        kind: Kind,
        rec: &RawRecord<'_>,
        scrubber: &Scrubber,
        stewards: &dyn Fn(&str) -> Option<String>,
    ) {
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
            // A text kept before is kept cleaned: cleaning it again finds nothing (a
            // city's half a million summaries are a few thousand texts), and where it
            // was cleaned, the place that typed it had the warning.
            let (text, hidden) = match self.text_index.get(s) {
                Some(&i) => (i, Vec::new()),
                None => {
                    let (text, hidden) = scrubber.scrub(s);
                    (self.intern_text(&text), hidden)
                }
            };
            let path = self.intern(rec.path);
            let field = self.intern(f.written);
            let hidden = if hidden.is_empty() {
                NONE_HIDDEN
            } else {
                self.hidden.push(hidden.into_boxed_slice());
                u32::try_from(self.hidden.len() - 1).unwrap_or(NONE_HIDDEN)
            };
            let who = if self.titled[text as usize] {
                let who = record_stewards(kind, rec, stewards);
                self.intern(&who)
            } else {
                NONE_HIDDEN
            };
            let place = FreeText {
                path,
                line: f.line,
                column: f.column.unwrap_or(0),
                field,
                text,
                hidden,
                who,
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
                if f.who != NONE_HIDDEN {
                    f.who = strings[f.who as usize];
                }
                if f.hidden != NONE_HIDDEN {
                    f.hidden = f.hidden.saturating_add(hidden_from);
                }
            }
            self.free.push(part);
        }
    }

    /// Every free text where it was typed.
    fn places(&self) -> impl Iterator<Item = Place<'_>> {
        self.free.iter().flatten().map(|f| Place {
            path: self.strings[f.path as usize].as_str(),
            line: f.line,
            column: (f.column != 0).then_some(f.column),
            field: self.strings[f.field as usize].as_str(),
            which: f.text as usize,
            text: &self.texts[f.text as usize],
            hidden: self
                .hidden
                .get(f.hidden as usize)
                .map_or(&[][..], |h| &h[..]),
            who: self.strings.get(f.who as usize).map(String::as_str),
        })
    }

    /// Lets go of the free texts and where each was typed, once [`Names::check_records`]
    /// has warned about them: a city has millions of such places, and nothing after the
    /// check needs them (the leak guard takes no free text as public).
    pub(crate) fn forget_places(&mut self) {
        self.free = Vec::new();
        self.titled = Vec::new();
        self.texts = Vec::new();
        self.hidden = Vec::new();
        self.text_index = HashMap::default();
        self.string_index = HashMap::default();
    }
}

#[derive(Debug)]
enum Pattern {
    /// A resident's name, by its index in `Names::residents`: masked.
    Resident(usize),
    /// A resident's name that is also a public name: left, with a warning.
    Ambiguous { resident: usize, owner: String },
    /// A public value that holds a resident's name, or a word the office keeps as
    /// written (`[privacy] keep_words`): left as it is.
    Public,
    /// A courtesy name of residents' surname, by its index in `Names::courtesy`: masked,
    /// unless it is a title of the record's own steward.
    Courtesy(usize),
}

/// What masking found in one text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Hit {
    Masked(usize),
    Ambiguous(usize),
    /// A courtesy name masked, by its index in `Names::courtesy`.
    Courtesy(usize),
    /// A resident's name read as a place (see [`place_follows`]): left, and the phrase
    /// as written.
    Place(usize, String),
}

/// The office's own rules for masking, from `site.toml`'s `[privacy]`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Rules {
    /// What free text is cleaned of (the site's own numbers are public).
    pub scrubber: Scrubber,
    /// Words read as written wherever they stand (a place, a common word).
    pub keep: Vec<String>,
    /// Phrases, each starting with a resident's name, in which the name is masked though
    /// a place's suffix follows it.
    pub mask: Vec<String>,
}

/// Single characters and words after a name that make it a place, not a person: 金华市,
/// 长春路. One line of docs/privacy.md says the same.
const PLACE_SUFFIXES: &[&str] = &[
    "省", "市", "县", "区", "镇", "乡", "村", "街", "路", "巷", "大道", "大街", "街道", "社区",
    "小区", "新村", "花园", "公园", "广场", "大桥", "公寓", "大厦", "弄堂",
];

/// Words that start with a place's suffix but say what a person does or where (路过,
/// 市场, 村里): after a name they do not make it a place.
const NOT_PLACES: &[&str] = &[
    "省钱",
    "省事",
    "省心",
    "省得",
    "省略",
    "市场",
    "市民",
    "市里",
    "市面",
    "县里",
    "县城里",
    "区里",
    "区别",
    "区分",
    "镇定",
    "乡下",
    "乡亲",
    "村里",
    "村民",
    "村口",
    "街上",
    "街坊",
    "街头",
    "路过",
    "路上",
    "路边",
    "路费",
    "路人",
    "路口",
];

/// Whether the text after a resident's name makes the name a place's (see
/// [`PLACE_SUFFIXES`]). On bytes, so that the leak guard asks the same of a page.
pub(crate) fn place_follows(rest: &[u8]) -> bool {
    PLACE_SUFFIXES
        .iter()
        .any(|s| rest.starts_with(s.as_bytes()))
        && !NOT_PLACES.iter().any(|s| rest.starts_with(s.as_bytes()))
}

/// Finds and masks residents' names and courtesy names in free text.
#[derive(Debug, Default)]
pub(crate) struct Names<'p> {
    /// Borrowed from the private values: a city's hundred thousand names were copied
    /// here, and again into the matcher, at the end of reading.
    residents: Vec<(&'p str, &'p Noted)>,
    /// Courtesy names of the residents' surnames, with the resident each was made from
    /// (for messages).
    courtesy: Vec<(super::courtesy::Courtesy, usize)>,
    /// Where the residents' names were seen, for messages.
    places: std::sync::Arc<Places>,
    patterns: Vec<Pattern>,
    matcher: Option<Longest<'p>>,
    rules: Rules,
    /// Residents whose names were read as places, how often and the first such phrase
    /// with where it was typed: one warning each, at the resident (see
    /// [`Names::warn_places`]).
    read_as_places: std::sync::Mutex<BTreeMap<usize, (u32, String, String)>>,
}

impl<'p> Names<'p> {
    /// No residents: only numbers and the like are cleaned (a roll-up's bulletins).
    pub(crate) fn without_residents(rules: Rules) -> Names<'p> {
        Names {
            rules,
            ..Names::default()
        }
    }

    /// Prepares the search. `public` are public names beyond the records' (the site's
    /// settings); `owner` says whose public name a value is, for the
    /// warning when a resident shares it ("红管家 FM-001 的姓名").
    pub(crate) fn new(
        private: &'p PrivateValues,
        public: impl IntoIterator<Item = &'p str>,
        owner: &dyn Fn(&str) -> Option<String>,
        rules: Rules,
    ) -> Names<'p> {
        let mut residents: Vec<(&str, &Noted)> = private.names().collect();
        residents.sort_unstable_by(|a, b| a.0.cmp(b.0));
        if residents.is_empty() {
            return Names::without_residents(rules);
        }
        // Names: a resident's name inside one is public there. Values: only a resident's
        // name equal to one is. Looked up by hash: a city has a hundred thousand
        // residents and tens of thousands of public names.
        let extra: HashSet<&str> = public.into_iter().filter(|n| !n.is_empty()).collect();
        let kept: HashSet<&str> = rules.keep.iter().map(String::as_str).collect();
        let is_public_name = |n: &str| private.public.names.contains(n) || extra.contains(n);

        let mut patterns: Vec<Pattern> = residents
            .iter()
            .enumerate()
            .map(|(i, &(name, _))| {
                if kept.contains(name) {
                    Pattern::Public
                } else if is_public_name(name) || private.public.values.contains(name) {
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
        // Courtesy names of every surname a resident has, each said to come from the
        // resident first seen with it.
        let mut first_of: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, (name, noted)) in residents.iter().enumerate() {
            if let Some(s) = super::courtesy::surname(name) {
                let e = first_of.entry(s).or_insert(i);
                if residents[*e].1.seen > noted.seen {
                    *e = i;
                }
            }
        }
        let courtesy: Vec<(super::courtesy::Courtesy, usize)> =
            super::courtesy::names_of(first_of.keys().copied())
                .into_iter()
                .map(|c| {
                    let from = first_of.get(c.surname.as_str()).copied().unwrap_or(0);
                    (c, from)
                })
                .collect();
        // A courtesy name the office keeps, or that is some resident's name already, is
        // not added again.
        let courtesy: Vec<_> = courtesy
            .into_iter()
            .filter(|(c, _)| !kept.contains(c.text.as_str()) && !matcher.contains(&c.text))
            .collect();
        for (n, (c, _)) in courtesy.iter().enumerate() {
            matcher.add(c.text.clone());
            patterns.push(Pattern::Courtesy(n));
        }
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
        let mut kept_holding: Vec<String> = kept
            .iter()
            .filter(|v| !matcher.contains(v) && matcher.finds_any(v))
            .map(|v| v.to_string())
            .collect();
        kept_holding.sort_unstable();
        drop(kept);
        for v in holding {
            matcher.add(v);
            patterns.push(Pattern::Public);
        }
        for v in kept_holding {
            matcher.add(v);
            patterns.push(Pattern::Public);
        }
        Names {
            residents,
            courtesy,
            places: private.texts.places.clone(),
            patterns,
            matcher: Some(matcher),
            rules,
            read_as_places: Default::default(),
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

    /// Whether one of the office's `mask_words` starts at `at`.
    fn masked_phrase_at(&self, text: &str, at: usize) -> bool {
        let rest = &text[at..];
        self.rules.mask.iter().any(|w| rest.starts_with(w.as_str()))
    }

    /// The text with every resident's name and courtesy name masked (`周大伯` → `周**`;
    /// in Markdown the stars are escaped), and what was found. `own` holds the surnames
    /// of the stewards the text's record is about: a title with one of them is theirs.
    pub(crate) fn mask<'t>(
        &self,
        text: &'t str,
        markdown: bool,
        own: &str,
    ) -> (Cow<'t, str>, Vec<Hit>) {
        let Some(matcher) = &self.matcher else {
            return (Cow::Borrowed(text), Vec::new());
        };
        let mut out = String::new();
        let mut hits = Vec::new();
        let mut last = 0;
        for m in matcher.find_iter(text) {
            let found = &text[m.start..m.end];
            let hit = match &self.patterns[m.pattern] {
                Pattern::Public => continue,
                Pattern::Ambiguous { resident, .. } => {
                    hits.push(Hit::Ambiguous(*resident));
                    continue;
                }
                Pattern::Resident(i) => {
                    let rest = &text.as_bytes()[m.end..];
                    if place_follows(rest) && !self.masked_phrase_at(text, m.start) {
                        let suffix = PLACE_SUFFIXES
                            .iter()
                            .filter(|s| rest.starts_with(s.as_bytes()))
                            .map(|s| s.len())
                            .max()
                            .unwrap_or(0);
                        let phrase = &text[m.start..m.end + suffix];
                        hits.push(Hit::Place(*i, phrase.to_string()));
                        continue;
                    }
                    Hit::Masked(*i)
                }
                Pattern::Courtesy(n) => {
                    let (c, _) = &self.courtesy[*n];
                    if c.title && own.contains(c.surname.as_str()) {
                        continue;
                    }
                    Hit::Courtesy(*n)
                }
            };
            out.push_str(&text[last..m.start]);
            let masked = mask_name(found);
            if markdown {
                out.push_str(&masked.replace('*', "\\*"));
            } else {
                out.push_str(&masked);
            }
            last = m.end;
            hits.push(hit);
        }
        if last == 0 {
            return (Cow::Borrowed(text), hits);
        }
        out.push_str(&text[last..]);
        (Cow::Owned(out), hits)
    }

    /// Masks a text of the site in place, without a warning: the warning was given where
    /// the text was read (see [`Names::check`]).
    pub(crate) fn mask_in_place(&self, text: &mut String, own: &str) {
        if let (Cow::Owned(masked), _) = self.mask(text, false, own) {
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
        (markdown, own): (bool, &str),
    ) -> Cow<'t, str> {
        let (masked, mut hits) = self.mask(text, markdown, own);
        if hits.is_empty() {
            return masked;
        }
        hits.sort();
        hits.dedup();
        let (path, line) = at;
        let origins = |courtesy: bool| -> Vec<String> {
            hits.iter()
                .filter_map(|h| match (h, courtesy) {
                    (Hit::Masked(i), false) => Some(self.origin(self.residents[*i].1)),
                    (Hit::Courtesy(n), true) => {
                        let from = self.courtesy[*n].1;
                        Some(self.origin(self.residents[from].1))
                    }
                    _ => None,
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        let shown = super::excerpt(&masked);
        let named = origins(false);
        if !named.is_empty() {
            diags.warning(
                path,
                line,
                format!(
                    "{field}: 含有居民姓名（来自 {}），公开时已遮盖：{shown}",
                    named.join("、")
                ),
            );
        }
        let called = origins(true);
        if !called.is_empty() {
            diags.warning(
                path,
                line,
                format!(
                    "{field}: 含有对居民的称呼（记录里有同姓的居民：{}），公开时已遮盖：{shown}；如果写的是红管家，请写红管家的全名",
                    called.join("、")
                ),
            );
        }
        for hit in &hits {
            match hit {
                Hit::Ambiguous(i) => self.warn_ambiguous(diags, at, field, *i),
                Hit::Place(i, phrase) => {
                    let mut seen = self
                        .read_as_places
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    let entry = seen
                        .entry(*i)
                        .or_insert_with(|| (0, phrase.clone(), format!("{path}:{line}")));
                    entry.0 += 1;
                }
                _ => {}
            }
        }
        masked
    }

    fn warn_ambiguous(
        &self,
        diags: &mut Diagnostics,
        (path, line): (&str, u32),
        field: &str,
        i: usize,
    ) {
        let (name, from) = &self.residents[i];
        let owner = self
            .patterns
            .iter()
            .find_map(|p| match p {
                Pattern::Ambiguous { resident, owner } if *resident == i => Some(owner.as_str()),
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

    /// One warning at each resident whose name was read as a place's somewhere: what was
    /// kept, and how to have it masked (or the warning gone).
    pub(crate) fn warn_places(&self, diags: &mut Diagnostics) {
        let seen = self
            .read_as_places
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (i, (count, phrase, at)) in seen.iter() {
            let o = self.places.origin(self.residents[*i].1);
            diags.warning(
                &o.path,
                o.line,
                format!(
                    "{}: 这个名字在公开文字里有 {count} 处紧跟着地名用字，按地名照原样公开了（如 {at} 的“{phrase}”）；如果其中有写这位居民的，请在 site.toml 的 [privacy] 里写 mask_words = [\"{phrase}\"]，都是地名的话写 keep_words = [\"{phrase}\"]，这条提示就不再出现",
                    o.field
                ),
            );
        }
    }

    /// Cleans a text of the site typed at `at` (a commendation, a bulletin): numbers and
    /// the like, residents' names and courtesy names, each warned about. `markdown` for a
    /// body, `own` as in [`Names::mask`].
    pub(crate) fn clean(
        &self,
        diags: &mut Diagnostics,
        at: (&str, u32),
        field: &str,
        text: &str,
        (markdown, own): (bool, &str),
    ) -> String {
        let (scrubbed, hidden) = self.rules.scrubber.scrub_text(text, markdown);
        let masked = self
            .check(diags, at, field, &scrubbed, (markdown, own))
            .into_owned();
        if !hidden.is_empty() {
            let warning = super::privacy_warning(field, &hidden, &masked, false);
            diags.warning(at.0, at.1, warning);
        }
        masked
    }

    /// Checks every free text of the records, warning where names were typed.
    ///
    /// The numbers masked in them are warned about here too, rather than as they were
    /// read, so that the warning shows the text with every name masked as well.
    pub(crate) fn check_records(&self, texts: &PublicTexts, diags: &mut Diagnostics) {
        // Whether a distinct text holds a name, found once for all the places it is typed
        // (a text with a title: for each place, whose steward matters).
        let mut named: Vec<Option<bool>> = vec![None; texts.texts.len()];
        for p in texts.places() {
            let own = p.who.unwrap_or("");
            let has_names = match p.who {
                Some(_) => !self.mask(p.text, false, own).1.is_empty(),
                None => *named[p.which]
                    .get_or_insert_with(|| !self.mask(p.text, false, "").1.is_empty()),
            };
            if !has_names && p.hidden.is_empty() {
                continue;
            }
            // Warnings about a workbook's cell name the cell, not only its row.
            let first = diags.len();
            let masked = self.check(diags, (p.path, p.line), p.field, p.text, (false, own));
            if !p.hidden.is_empty() {
                let warning = super::privacy_warning(p.field, p.hidden, &masked, true);
                diags.warning(p.path, p.line, warning);
            }
            diags.place_from(first, p.column);
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
        // Each steward's surname, for the few texts with a title (see `courtesy.rs`).
        let surnames: Vec<String> = stewards
            .iter()
            .map(|s| super::courtesy::surname(&s.name).unwrap_or("").to_string())
            .collect();
        let surname_of = |i: usize| surnames.get(i).map_or("", String::as_str);
        for (s, own) in stewards.iter_mut().zip(&surnames) {
            for t in [&mut s.workplace, &mut s.specialty].into_iter().flatten() {
                self.mask_in_place(t, own);
            }
        }
        // A city's half a million cases share about twenty thousand summaries and a few
        // categories: each distinct text is searched once (once per core), and only texts
        // that hold a name are written again. This comes at the end of reading, when the
        // other core has nothing else to do. A text with a title is masked for each case
        // on its own, knowing the case's steward.
        use rayon::prelude::*;
        let part = cases.len().div_ceil(rayon::current_num_threads()).max(1);
        let (changed, titled): (HashMap<String, String>, HashSet<String>) = cases
            .par_chunks(part)
            .map(|cases| {
                let mut searched: HashSet<&str> = HashSet::default();
                let mut changed: HashMap<String, String> = HashMap::default();
                let mut titled: HashSet<String> = HashSet::default();
                for text in cases.iter().flat_map(|c| [&c.category, &c.summary]) {
                    if !searched.insert(text) {
                        continue;
                    }
                    if super::courtesy::has_title(text) {
                        titled.insert(text.clone());
                    } else if let (Cow::Owned(masked), _) = self.mask(text, false, "") {
                        changed.insert(text.clone(), masked);
                    }
                }
                (changed, titled)
            })
            .reduce(Default::default, |mut all, more| {
                all.0.extend(more.0);
                all.1.extend(more.1);
                all
            });
        if !changed.is_empty() || !titled.is_empty() {
            for c in cases.iter_mut() {
                let own = surname_of(c.steward);
                for text in [&mut c.category, &mut c.summary] {
                    if let Some(masked) = changed.get(text.as_str()) {
                        text.clone_from(masked);
                    } else if titled.contains(text.as_str()) {
                        self.mask_in_place(text, own);
                    }
                }
            }
        }
        for m in meetings.iter_mut() {
            let own: String = m.attendees.iter().map(|&i| surname_of(i)).collect();
            if let Some(t) = &mut m.topic {
                self.mask_in_place(t, &own);
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
        Names::new(
            private,
            public.iter().copied(),
            &|n| (n == "周明华").then(|| "红管家 FM-001 的姓名".to_string()),
            Rules::default(),
        )
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
            (false, ""),
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
        assert_eq!(n.mask("周大伯家门口堆物", false, "").0, "周**家门口堆物");
        assert_eq!(n.mask("王芳、周大伯反映", false, "").0, "王*、周**反映");
        assert_eq!(n.mask("周大伯反映", true, "").0, "周\\*\\*反映");
        assert_eq!(n.mask("没有人名", false, "").0, "没有人名");
    }

    #[test]
    fn a_longer_public_name_that_holds_a_resident_name_is_kept() {
        let n = names(&["王芳"], &["王芳华"]);
        assert_eq!(
            n.mask("王芳华上门，王芳在家", false, "").0,
            "王芳华上门，王*在家"
        );
    }

    #[test]
    fn a_public_name_holding_a_resident_name_anywhere_is_kept() {
        let n = names(&["芳华", "小明"], &["王芳华", "李小明同学", "明"]);
        assert_eq!(
            n.mask("王芳华和李小明同学来了，芳华、小明在家", false, "")
                .0,
            "王芳华和李小明同学来了，芳*、小*在家"
        );
    }

    #[test]
    fn a_name_shared_with_a_steward_is_ambiguous_not_masked() {
        let n = names(&["周明华"], &["周明华"]);
        let (text, hits) = n.mask("周明华上门", false, "");
        assert_eq!(text, "周明华上门");
        assert_eq!(hits, [Hit::Ambiguous(0)]);
        let mut diags = Diagnostics::new();
        n.check(
            &mut diags,
            ("content/meetings.csv", 3),
            "议题",
            "周明华上门",
            (false, ""),
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
        collector.collect(Kind::Errands, &rec, &|_| None);
        let public = collector.public;
        let private = PrivateValues::new(noting, public);
        let n = Names::new(&private, std::iter::empty(), &|_| None, Rules::default());
        assert_eq!(
            n.mask("匿名反映周大伯家漏水", false, "").0,
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
            (false, ""),
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
            let names = Names::new(&private, std::iter::empty(), &|_| None, Rules::default());
            let text = pieces.join("");
            let (out, _) = names.mask(&text, false, "");
            for r in &residents {
                prop_assert!(!out.contains(r.as_str()), "{} in {}", r, out);
            }
        }
    }
}
