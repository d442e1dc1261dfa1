//! The last line of defence before `write`: every output file is scanned for every
//! private value of the input. A hit fails the build and names the file and the record.
//! Only structured public values make a private value public (a resident who shares a
//! steward's name, a name inside a longer public name, a building, the site's own
//! settings); free text never does, since free text is where private values get typed by
//! mistake (see `public_texts`). Numbers are compared by their digits in any form
//! masking reads (full-width, Chinese numerals, brackets and dots between groups); what
//! masking keeps the guard keeps too: 400/800 numbers, and a resident's name read as a
//! place's (`金华市`, see `privacy::names::place_follows`).

use std::sync::Arc;

use aho_corasick::automaton::Automaton;
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{Anchored, MatchKind};
use rayon::prelude::*;

use crate::privacy::{Noted, Places, PrivateOrigin, PrivateValues, preview};
use crate::render::OutputFile;
use crate::site::Site;

/// What the site may show because the input shows it as a public value in its own
/// right: public names (a steward's or community's name, the site's own settings and the
/// words it keeps, a commendation notice's contact for objections) and values (a
/// building, a grid, a team). The records' part comes from the schema's text roles,
/// collected as the records were read. Free texts (summaries, topics, citations,
/// bulletins) are not among them: a private value typed there is masked as it is read,
/// and one that still reaches a page is a leak.
struct PublicTexts<'s> {
    names: Vec<&'s str>,
    values: Vec<&'s str>,
}

fn public_texts(site: &Site) -> PublicTexts<'_> {
    let public = &site.private.public;
    let mut names: Vec<&str> = public.names.iter().map(String::as_str).collect();
    let values: Vec<&str> = public.values.iter().map(String::as_str).collect();
    let c = &site.config;
    names.extend(c.public_names());
    names.extend(c.privacy.keep_words.iter().map(String::as_str));
    for b in &site.batches {
        names.extend(b.notice.as_ref().and_then(|n| n.contact.as_deref()));
    }
    PublicTexts { names, values }
}

/// What a few bytes of UTF-8 are to a number: a digit (ASCII, full-width or a Chinese
/// numeral, 〇 to 九 and 幺), a separator people type inside numbers (space, ideographic
/// space, any dash, a dot, a bracket round an area code), or neither; and how many bytes
/// that was. Full-width forms are folded here, as NFKC would fold them, so that
/// `１３８－１２３４－５６７８` or `一三八一二三四五六七八` on a page is the number it
/// reads as: the guard reads digits as masking does (`privacy::scrub`).
fn number_char(bytes: &[u8], i: usize) -> (NumberChar, usize) {
    match bytes[i] {
        b @ b'0'..=b'9' => (NumberChar::Digit(b), 1),
        b @ (b'X' | b'x') => (NumberChar::X(b.to_ascii_uppercase()), 1),
        b' ' | b'-' | b'.' | b'(' | b')' | b'[' | b']' => (NumberChar::Separator, 1),
        0xEF => match (bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(0xBC), Some(&b @ 0x90..=0x99)) => (NumberChar::Digit(b - 0x90 + b'0'), 3),
            (Some(0xBC), Some(0xB8)) | (Some(0xBD), Some(0x98)) => (NumberChar::X(b'X'), 3),
            // Full-width － ． （ ） ［ ］.
            (Some(0xBC), Some(0x8D | 0x8E | 0x88 | 0x89 | 0xBB | 0xBD)) => {
                (NumberChar::Separator, 3)
            }
            _ => (NumberChar::Other, 1),
        },
        0xE2 => match (bytes.get(i + 1), bytes.get(i + 2)) {
            // U+2010–U+2015 dashes; U+2212 minus.
            (Some(0x80), Some(0x90..=0x95)) | (Some(0x88), Some(0x92)) => {
                (NumberChar::Separator, 3)
            }
            _ => (NumberChar::Other, 1),
        },
        0xE3..=0xE9 => match chinese_numeral(bytes, i) {
            Some(NumberChar::Digit(d)) => (NumberChar::Digit(d), 3),
            Some(other) => (other, 3),
            None => (NumberChar::Other, 1),
        },
        _ => (NumberChar::Other, 1),
    }
}

/// The three bytes at `i` as a Chinese numeral (a digit) or a separator of the CJK
/// block: U+3000 ideographic space, 【】〔〕〖〗.
fn chinese_numeral(bytes: &[u8], i: usize) -> Option<NumberChar> {
    let three: [u8; 3] = bytes.get(i..i + 3)?.try_into().ok()?;
    let digit = |d: u8| Some(NumberChar::Digit(d));
    match three {
        [0xE3, 0x80, 0x80] | [0xE3, 0x80, 0x90 | 0x91 | 0x94 | 0x95 | 0x96 | 0x97] => {
            Some(NumberChar::Separator)
        }
        [0xE3, 0x80, 0x87] | [0xE9, 0x9B, 0xB6] => digit(b'0'),
        [0xE4, 0xB8, 0x80] | [0xE5, 0xB9, 0xBA] => digit(b'1'),
        [0xE4, 0xBA, 0x8C] => digit(b'2'),
        [0xE4, 0xB8, 0x89] => digit(b'3'),
        [0xE5, 0x9B, 0x9B] => digit(b'4'),
        [0xE4, 0xBA, 0x94] => digit(b'5'),
        [0xE5, 0x85, 0xAD] => digit(b'6'),
        [0xE4, 0xB8, 0x83] => digit(b'7'),
        [0xE5, 0x85, 0xAB] => digit(b'8'),
        [0xE4, 0xB9, 0x9D] => digit(b'9'),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NumberChar {
    Digit(u8),
    X(u8),
    Separator,
    Other,
}

/// Where the first byte that may start a digit is (an ASCII digit, or 0xEF, the first
/// byte of a full-width one), eight bytes at a time: this skip is most of the number scan,
/// and pages are mostly not digits.
fn next_digit_start(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    // 0x80 in each byte of `t` that is zero, exactly (no borrow between bytes).
    let zero_bytes = |t: u64| !(((t & (0x7F * ONES)) + 0x7F * ONES) | t) & (0x80 * ONES);
    let mut chunks = bytes.chunks_exact(8);
    for (n, chunk) in chunks.by_ref().enumerate() {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // A digit is 0x3_ with a low half below ten.
        let high_is_3 = zero_bytes((w & (0xF0 * ONES)) ^ (0x30 * ONES));
        let low_over_9 = (((w & (0x0F * ONES)) + 0x06 * ONES) & (0x10 * ONES)) << 3;
        let found = (high_is_3 & !low_over_9) | zero_bytes(w ^ (0xEF * ONES));
        if found != 0 {
            return Some(n * 8 + found.trailing_zeros() as usize / 8);
        }
    }
    let rest = chunks.remainder();
    rest.iter()
        .position(|&b| b.is_ascii_digit() || b == 0xEF)
        .map(|p| bytes.len() - rest.len() + p)
}

/// The start of the number that runs up to `i`: back over the digits and separators
/// just before it (Chinese numerals before the first digit the skip finds).
fn number_start(bytes: &[u8], mut i: usize) -> usize {
    let mut start = i;
    // At most as far back as the longest number (with separators) may reach.
    for _ in 0..48 {
        let n = if i >= 1 && bytes[i - 1] < 0x80 {
            1
        } else if i >= 3 && (0xE0..=0xEF).contains(&bytes[i - 3]) {
            3
        } else {
            break;
        };
        match number_char(bytes, i - n) {
            (NumberChar::Digit(_), len) if len == n => {
                i -= n;
                start = i;
            }
            (NumberChar::Separator, len) if len == n => i -= n,
            _ => break,
        }
    }
    start
}

/// Calls `f` with each number written in Chinese numerals only (`一三八一二三四五六七八`),
/// which the skip of [`each_digit_run`] passes over: such a number of `min` digits spans
/// at least `3 × min` bytes, so looking at one byte in every [`NUMERAL_STRIDE`] finds each.
fn each_numeral_run(bytes: &[u8], min: usize, mut f: impl FnMut(&str) -> bool) -> bool {
    let stride = NUMERAL_STRIDE.min(3 * min).max(1);
    let mut at = 0;
    while at < bytes.len() {
        // The character the byte belongs to.
        let mut c = at;
        while c > 0 && at - c < 3 && (0x80..0xC0).contains(&bytes[c]) {
            c -= 1;
        }
        if (0xE3..=0xE9).contains(&bytes[c])
            && matches!(chinese_numeral(bytes, c), Some(NumberChar::Digit(_)))
        {
            let start = number_start(bytes, c);
            let mut end = run_end(bytes, start);
            // A run with a digit of another form is the digit scan's: not given twice.
            let others = bytes[start..end]
                .iter()
                .any(|&b| b.is_ascii_digit() || b == 0xEF);
            let mut numerals_only = |run: &str| !others && f(run);
            if each_digit_run_from(bytes, start, min, &mut end, &mut numerals_only) {
                return true;
            }
            at = end.max(at + 1);
            continue;
        }
        at += stride;
    }
    false
}

/// Bytes between the looks of [`each_numeral_run`]: under the 21 bytes of seven numerals,
/// the shortest private number.
const NUMERAL_STRIDE: usize = 16;

/// The one digit run that starts at `start` (see [`each_digit_run`]), given to `f` if it
/// has `min` digits; `end` is set to where it ends.
fn each_digit_run_from(
    bytes: &[u8],
    start: usize,
    min: usize,
    end: &mut usize,
    f: &mut impl FnMut(&str) -> bool,
) -> bool {
    let mut current = String::new();
    let mut i = start;
    while i < bytes.len() {
        let (class, len) = number_char(bytes, i);
        match class {
            NumberChar::Digit(d) => current.push(char::from(d)),
            NumberChar::X(x) if !current.is_empty() => current.push(char::from(x)),
            NumberChar::Separator if !current.is_empty() && digit_follows(bytes, i, len) => {}
            _ => break,
        }
        i += len;
    }
    *end = i;
    current.len() >= min && f(&current)
}

/// Where the digit run that starts at `start` ends.
fn run_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start;
    each_digit_run_from(bytes, start, usize::MAX, &mut end, &mut |_| false);
    end
}

/// Whether a digit comes after the separator at `i` (`len` bytes), past at most one more
/// separator: `(0570) 8012345`.
fn digit_follows(bytes: &[u8], i: usize, len: usize) -> bool {
    let mut j = i + len;
    for _ in 0..2 {
        if j >= bytes.len() {
            return false;
        }
        match number_char(bytes, j) {
            (NumberChar::Digit(_), _) => return true,
            (NumberChar::Separator, n) => j += n,
            _ => return false,
        }
    }
    false
}

/// Every number of a text in any form, as [`each_digit_run`] and [`each_numeral_run`]
/// find them.
fn each_number(bytes: &[u8], min: usize, mut f: impl FnMut(&str) -> bool) -> bool {
    each_digit_run(bytes, min, &mut f) || each_numeral_run(bytes, min, &mut f)
}

/// Calls `f` with each digit run of a text at least `min` digits long, separators inside
/// a number (`138-1234 5678`, `(0570) 8012345`, at most two together) removed, until `f`
/// says stop. Works on bytes: this runs over every byte of the site, and pages are mostly
/// short numbers. Runs of Chinese numerals without a digit of another form are found by
/// [`each_numeral_run`].
fn each_digit_run(bytes: &[u8], min: usize, mut f: impl FnMut(&str) -> bool) -> bool {
    let mut current = String::new();
    let mut i = 0;
    while i < bytes.len() {
        // Outside a number only a digit matters, and a digit starts with an ASCII digit
        // or 0xEF (full-width): skip everything else without classifying it; Chinese
        // numerals just before are taken in by going back.
        if current.is_empty() {
            match next_digit_start(&bytes[i..]) {
                Some(skip) => {
                    let at = i + skip;
                    i = number_start(bytes, at).max(i);
                }
                None => return false,
            }
        }
        let (class, len) = number_char(bytes, i);
        match class {
            NumberChar::Digit(d) => current.push(char::from(d)),
            NumberChar::X(x) if !current.is_empty() => current.push(char::from(x)),
            NumberChar::Separator if !current.is_empty() && digit_follows(bytes, i, len) => {}
            _ => {
                if !current.is_empty() {
                    if current.len() >= min && f(&current) {
                        return true;
                    }
                    current.clear();
                }
            }
        }
        i += len;
    }
    !current.is_empty() && current.len() >= min && f(&current)
}

/// Every number of a text as its digits, separators removed.
fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    each_number(text.as_bytes(), 1, |r| {
        runs.push(r.to_string());
        false
    });
    runs
}

/// Private numbers as their digits, sorted: compact (no copy of a value), and in one
/// order whatever the order the records were read in.
struct Numbers<'p> {
    values: Vec<(&'p str, &'p Noted)>,
    /// The lengths of the values, shortest first.
    lengths: Vec<usize>,
}

impl<'p> Numbers<'p> {
    fn new(values: impl IntoIterator<Item = (&'p str, &'p Noted)>) -> Self {
        let mut values: Vec<(&str, &Noted)> = values.into_iter().collect();
        values.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut lengths: Vec<usize> = values.iter().map(|(v, _)| v.len()).collect();
        lengths.sort_unstable();
        lengths.dedup();
        Numbers { values, lengths }
    }

    fn get(&self, digits: &str) -> Option<&'p Noted> {
        self.values
            .binary_search_by(|(v, _)| (*v).cmp(digits))
            .ok()
            .map(|i| self.values[i].1)
    }

    /// The private numbers inside a digit run.
    fn find<'a>(&'a self, run: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.lengths.iter().flat_map(move |&len| {
            (0..=run.len().saturating_sub(len))
                .filter(move |_| run.len() >= len)
                .map(move |start| &run[start..start + len])
                .filter(|w| self.get(w).is_some())
        })
    }
}

/// One leak: the output file, and the private value's origin.
pub(crate) struct Leak {
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
    pub(crate) fn diagnostic(&self) -> crate::diagnostics::Diagnostic {
        crate::diagnostics::Diagnostic::error(
            &*self.origin.path,
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

/// The matcher of private texts cannot be built: the build stops rather than scan for
/// fewer values. The private values come from the whole records folder, not one file.
fn unbuildable(why: impl std::fmt::Display) -> crate::diagnostics::Diagnostic {
    crate::diagnostics::Diagnostic::error(
        "content",
        0,
        format!(
            "泄露检查无法建立（{why}），为了不漏查任何不公开的值，已停止构建，原有的输出保持不变"
        ),
    )
}

/// Makes the guards of the site under this root fail to build, to test that a build
/// fails closed (see `pipeline`'s tests). Keyed by the site, not the thread: the guard is
/// built on a worker thread while the pages are planned, and other tests build their
/// own sites at the same time.
#[cfg(test)]
pub(crate) static UNBUILDABLE: std::sync::Mutex<Option<std::path::PathBuf>> =
    std::sync::Mutex::new(None);

/// The text matcher of the last guard made through [`Guard::reusing`]: building it is
/// most of the time a city's guard takes, and between two loads of the preview the
/// private texts rarely change.
#[derive(Default)]
pub(crate) struct Matchers {
    /// The fingerprint of the sorted private texts, their matcher and its groups (see
    /// [`TextMatcher`]).
    last: Option<Built>,
}

/// A matcher as it was built, with the fingerprint of the texts it was built for.
struct Built {
    key: crate::fingerprint::Key,
    automaton: Arc<Starts>,
    groups: Vec<(u32, u32)>,
}

/// The automaton of the texts' starts, run by [`Starts::each`] rather than the crate's
/// search loop: most of a page's bytes (HTML markup, ASCII, the middle bytes of Chinese
/// characters) cannot begin any private text, and in the automaton's start state those
/// are skipped by a table lookup instead of a transition each. The automaton is the
/// crate's own contiguous NFA (what it picks itself for this many patterns), with the
/// same matches.
struct Starts {
    nfa: NFA,
    start: aho_corasick::automaton::StateID,
    /// Per byte: whether it leaves the start state where it is (so it can be skipped).
    /// All false when the start state is itself a match, so that no match is skipped.
    stays: [bool; 256],
}

impl Starts {
    fn new(patterns: &[&[u8]]) -> Result<Self, crate::diagnostics::Diagnostic> {
        let nfa = NFA::builder()
            .match_kind(MatchKind::Standard)
            // Only `each` runs it, and it skips with `stays`.
            .prefilter(false)
            .build(patterns)
            .map_err(unbuildable)?;
        let start = nfa.start_state(Anchored::No).map_err(unbuildable)?;
        let mut stays = [false; 256];
        if !nfa.is_match(start) {
            for (b, stay) in stays.iter_mut().enumerate() {
                *stay = nfa.next_state(Anchored::No, start, b as u8) == start;
            }
        }
        Ok(Starts { nfa, start, stays })
    }

    /// Calls `f` with each occurrence of a pattern in `haystack`, as its pattern index and
    /// its start and end, in the order the occurrences end (those ending together in the
    /// automaton's order), as an overlapping search reports them; `f` returns whether to
    /// go on.
    #[inline]
    fn each(&self, haystack: &[u8], mut f: impl FnMut(usize, usize, usize) -> bool) {
        let nfa = &self.nfa;
        let mut sid = self.start;
        let mut report = |sid, end: usize| {
            for k in 0..nfa.match_len(sid) {
                let pid = nfa.match_pattern(sid, k);
                if !f(pid.as_usize(), end - nfa.pattern_len(pid), end) {
                    return false;
                }
            }
            true
        };
        if nfa.is_match(sid) && !report(sid, 0) {
            return;
        }
        let mut at = 0;
        while at < haystack.len() {
            if sid == self.start {
                match haystack[at..]
                    .iter()
                    .position(|&b| !self.stays[usize::from(b)])
                {
                    Some(skip) => at += skip,
                    None => return,
                }
            }
            sid = nfa.next_state(Anchored::No, sid, haystack[at]);
            at += 1;
            if nfa.is_match(sid) && !report(sid, at) {
                return;
            }
        }
    }
}

impl Matchers {
    /// Builds the matcher for `private`'s texts ahead of [`Guard::reusing`], which then
    /// takes it from here. A matcher that cannot be built is left unbuilt: the guard tries
    /// again and fails closed with its own error.
    pub(crate) fn prepare(&mut self, private: &PrivateValues) {
        let _ = TextMatcher::new(private.texts.iter().collect(), self);
    }

    /// A stable hash of the texts, in their (sorted) order, each with its length.
    fn key(texts: &[(&str, &Noted)]) -> crate::fingerprint::Key {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(&(texts.len() as u64).to_le_bytes());
        for (t, _) in texts {
            h.update(&(t.len() as u64).to_le_bytes());
            h.update(t.as_bytes());
        }
        h.digest128()
    }
}

/// How many leading bytes of a private text the automaton holds. A city has hundreds of
/// thousands of private texts, a few megabytes of them: an automaton of every byte took
/// more memory to build than the rest of the build together. Their first bytes tell most
/// of them apart; where a start is found, the rest of each text with that start is
/// compared in place.
const PREFIX: usize = 24;

/// Every occurrence of every private text in some bytes: an automaton of the texts'
/// starts (at most [`PREFIX`] bytes), each standing for the sorted texts that begin so.
struct TextMatcher<'p> {
    /// The private texts, sorted.
    texts: Vec<(&'p str, &'p Noted)>,
    /// Over the distinct starts of `texts`, in their order.
    automaton: Option<Arc<Starts>>,
    /// Per pattern of the automaton: the texts that start with it, as a range of `texts`.
    groups: Vec<(u32, u32)>,
}

/// A text's start as the automaton holds it; cut by bytes, not characters: the bytes of a
/// text are found wherever its start's bytes are, whether or not the cut splits a character.
fn start_of(text: &str) -> &[u8] {
    &text.as_bytes()[..text.len().min(PREFIX)]
}

impl<'p> TextMatcher<'p> {
    fn empty() -> Self {
        TextMatcher {
            texts: Vec::new(),
            automaton: None,
            groups: Vec::new(),
        }
    }

    /// Fails closed: an automaton that cannot be built is an error, never fewer texts.
    /// The automaton comes from `matchers` when it was built for the same texts.
    fn new(
        mut texts: Vec<(&'p str, &'p Noted)>,
        matchers: &mut Matchers,
    ) -> Result<Self, crate::diagnostics::Diagnostic> {
        texts.sort_by(|a, b| a.0.cmp(b.0));
        if texts.is_empty() {
            return Ok(Self::empty());
        }
        let key = Matchers::key(&texts);
        if let Some(built) = matchers.last.as_ref().filter(|b| b.key == key) {
            return Ok(TextMatcher {
                texts,
                automaton: Some(built.automaton.clone()),
                groups: built.groups.clone(),
            });
        }
        // Texts with the same start are neighbours in sorted order: a start shorter than
        // PREFIX is a whole text, and the texts that begin with a full-length start sort
        // together.
        let mut groups: Vec<(u32, u32)> = Vec::new();
        let mut starts: Vec<&[u8]> = Vec::new();
        for (i, (text, _)) in texts.iter().enumerate() {
            let i = u32::try_from(i).map_err(unbuildable)?;
            let start = start_of(text);
            match (starts.last(), groups.last_mut()) {
                (Some(last), Some(group)) if *last == start => group.1 = i + 1,
                _ => {
                    starts.push(start);
                    groups.push((i, i + 1));
                }
            }
        }
        let automaton = Arc::new(Starts::new(&starts)?);
        matchers.last = Some(Built {
            key,
            automaton: automaton.clone(),
            groups: groups.clone(),
        });
        Ok(TextMatcher {
            texts,
            automaton: Some(automaton),
            groups,
        })
    }

    /// Calls `f` with each occurrence of a private text in `haystack`, as the text's index
    /// and the occurrence's start and end, in the order the starts end; `f` returns
    /// whether to go on.
    fn each(&self, haystack: &[u8], mut f: impl FnMut(usize, usize, usize) -> bool) {
        let Some(ac) = &self.automaton else { return };
        ac.each(haystack, |pattern, start, _| {
            let (first, end) = self.groups[pattern];
            let rest = &haystack[start..];
            for i in first as usize..end as usize {
                let text = self.texts[i].0.as_bytes();
                if rest.starts_with(text) && !f(i, start, start + text.len()) {
                    return false;
                }
            }
            true
        });
    }

    /// The private text a scan of every text at once meets first in `haystack`: the one
    /// that ends first, the longest of those that end there; texts `skip` names are not
    /// looked at.
    fn first(&self, haystack: &[u8], skip: impl Fn(usize, usize, usize) -> bool) -> Option<usize> {
        let Some(ac) = &self.automaton else {
            return None;
        };
        let mut best: Option<(usize, std::cmp::Reverse<usize>, usize)> = None;
        ac.each(haystack, |pattern, start, end| {
            // A text ends no sooner than its start does: once starts end after the best
            // text, nothing later can come before it.
            if best.is_some_and(|(best_end, _, _)| end > best_end) {
                return false;
            }
            let (first, last) = self.groups[pattern];
            let rest = &haystack[start..];
            for i in first as usize..last as usize {
                let text = self.texts[i].0.as_bytes();
                if !rest.starts_with(text) || skip(i, start, start + text.len()) {
                    continue;
                }
                let found = (start + text.len(), std::cmp::Reverse(text.len()), i);
                if best.is_none_or(|b| found < b) {
                    best = Some(found);
                }
            }
            true
        });
        best.map(|(_, _, i)| i)
    }
}

/// The private values to look for, prepared once and used on every batch of output.
pub(crate) struct Guard<'p> {
    /// Where the private values were seen, for the leaks' messages.
    places: Arc<Places>,
    texts: TextMatcher<'p>,
    excepted: Vec<bool>,
    numbers: Numbers<'p>,
    /// Whether a private text holds U+FFFD, the character invalid UTF-8 reads as.
    replacement: bool,
    /// Phrases in which a resident's name is private though a place's suffix follows it
    /// (`[privacy] mask_words`).
    mask_words: Arc<[String]>,
}

impl<'p> Guard<'p> {
    /// The guard of a roll-up site, which reads no records and so knows no private value:
    /// every member's guard has already scanned the summary it published.
    pub(crate) fn nothing_private() -> Self {
        Guard {
            places: Arc::default(),
            texts: TextMatcher::empty(),
            excepted: Vec::new(),
            numbers: Numbers::new([]),
            replacement: false,
            mask_words: Arc::new([]),
        }
    }

    /// `theme` is public too: a resident whose name happens to be a word of a template
    /// (“秀红” in “优秀红管家”) is not a leak.
    ///
    /// Fails closed: when a matcher cannot be built, the error says so and the build
    /// stops; it never scans for fewer values.
    pub(crate) fn new(
        site: &Site,
        private: &'p PrivateValues,
        theme: &crate::theme::Theme,
    ) -> Result<Self, crate::diagnostics::Diagnostic> {
        Guard::reusing(site, private, theme, &mut Matchers::default())
    }

    /// As [`Guard::new`], taking the text matcher from `matchers` when the last guard
    /// made through it looked for exactly the same private texts, and leaving this one's
    /// there for the next. Only which texts to look for is reused: what is public, and so
    /// excepted, is worked out again every time.
    pub(crate) fn reusing(
        site: &Site,
        private: &'p PrivateValues,
        theme: &crate::theme::Theme,
        matchers: &mut Matchers,
    ) -> Result<Self, crate::diagnostics::Diagnostic> {
        #[cfg(test)]
        if UNBUILDABLE
            .lock()
            .is_ok_and(|root| root.as_deref() == Some(site.root.as_path()))
        {
            return Err(unbuildable("测试中模拟的失败"));
        }
        let PublicTexts { mut names, values } = public_texts(site);
        names.extend(
            theme
                .templates()
                .filter_map(|(_, bytes)| std::str::from_utf8(bytes).ok()),
        );

        // Private numbers that the input also shows as a public value are not leaks, nor
        // are numbers anyone may publish (400/800), which masking keeps too. A value that
        // is cleaned before it is shown (a phone typed as a building) shows no number.
        let all = Numbers::new(private.numbers.iter());
        let mut shown: rustc_hash::FxHashSet<String> = all
            .values
            .iter()
            .map(|(v, _)| *v)
            .filter(|v| crate::privacy::scrub::public_by_rule(v))
            .map(str::to_string)
            .collect();
        if !all.values.is_empty() {
            let clean = crate::privacy::scrub::Scrubber::default();
            for text in names.iter().chain(&values) {
                if !clean.scrub(text).1.is_empty() {
                    continue;
                }
                for run in digit_runs(text) {
                    shown.extend(all.find(&run).map(str::to_string));
                }
            }
        }
        let numbers = if shown.is_empty() {
            all
        } else {
            Numbers::new(all.values.into_iter().filter(|(v, _)| !shown.contains(*v)))
        };

        let texts = TextMatcher::new(private.texts.iter().collect(), matchers)?;
        // A resident's name is public only as a public name or inside one (a steward
        // of the same name, 王芳 inside 王芳华, a word of the theme), or as the whole of
        // a public value (a building of that name). Other private texts (a detail, a
        // note) are public where a public name or value holds them. Free text never
        // makes a private value public: what is typed there is masked as it is read.
        let mut excepted = vec![false; texts.texts.len()];
        let is_name = |i: usize| texts.texts[i].1.name;
        for t in &names {
            texts.each(t.as_bytes(), |i, _, _| {
                excepted[i] = true;
                true
            });
        }
        for t in &values {
            texts.each(t.as_bytes(), |i, start, end| {
                if !is_name(i) || (start == 0 && end == t.len()) {
                    excepted[i] = true;
                }
                true
            });
        }
        let replacement = texts.texts.iter().any(|(t, _)| t.contains('\u{FFFD}'));
        Ok(Guard {
            places: private.texts.places.clone(),
            texts,
            excepted,
            numbers,
            replacement,
            mask_words: site.config.privacy.mask_words.clone().into(),
        })
    }

    /// The same guard with some of the private numbers allowed (the print kit's contact
    /// papers show the phones of stewards who agreed to it); the text matcher is shared,
    /// not built again.
    pub(crate) fn allowing(&self, allowed: &rustc_hash::FxHashSet<String>) -> Self {
        let kept = self.numbers.values.iter().copied();
        Guard {
            places: self.places.clone(),
            texts: TextMatcher {
                texts: self.texts.texts.clone(),
                automaton: self.texts.automaton.clone(),
                groups: self.texts.groups.clone(),
            },
            excepted: self.excepted.clone(),
            numbers: Numbers::new(kept.filter(|(v, _)| !allowed.contains(*v))),
            replacement: self.replacement,
            mask_words: self.mask_words.clone(),
        }
    }

    /// A stable hash of every rule this guard applies: each private value it looks for,
    /// whether it is excepted, and the numbers. Two guards with the same fingerprint find
    /// the same leaks in the same bytes, so files a previous build's guard checked need
    /// no second look; with any other fingerprint they are checked again.
    pub(crate) fn fingerprint(&self) -> crate::fingerprint::Key {
        use xxhash_rust::xxh3::Xxh3;
        let mut h = Xxh3::new();
        let text = |h: &mut Xxh3, s: &str| {
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        // `texts` is sorted; `excepted` follows it.
        h.update(&(self.texts.texts.len() as u64).to_le_bytes());
        for ((value, _), excepted) in self.texts.texts.iter().zip(&self.excepted) {
            text(&mut h, value);
            h.update(&[u8::from(*excepted)]);
        }
        // `numbers.values` is sorted.
        h.update(&(self.numbers.values.len() as u64).to_le_bytes());
        for (n, _) in &self.numbers.values {
            text(&mut h, n);
        }
        h.update(&(self.mask_words.len() as u64).to_le_bytes());
        for w in self.mask_words.iter() {
            text(&mut h, w);
        }
        // How the rules are applied is the program's: it changes with the program.
        h.update(&crate::fingerprint::program().to_le_bytes());
        h.digest128()
    }

    /// The first private value in each file that has one.
    pub(crate) fn scan(&self, files: &[OutputFile]) -> Vec<Leak> {
        let finder = &self.numbers;
        let mut leaks: Vec<Leak> = files
            .par_iter()
            .filter_map(|file| {
                // Bytes are scanned as they are. Replacing invalid UTF-8 (as a lossy
                // conversion would) never joins or removes valid characters, so it can
                // only add matches of a value that itself holds U+FFFD: only then is the
                // converted text scanned instead.
                let text: std::borrow::Cow<'_, [u8]> = if self.replacement {
                    match String::from_utf8_lossy(&file.bytes) {
                        std::borrow::Cow::Borrowed(s) => s.as_bytes().into(),
                        std::borrow::Cow::Owned(s) => s.into_bytes().into(),
                    }
                } else {
                    file.bytes.as_slice().into()
                };
                // A resident's name read as a place's (金华市) is kept by masking, and so
                // here, unless the office's `mask_words` say otherwise.
                let skip = |i: usize, start: usize, end: usize| {
                    self.excepted[i]
                        || (self.texts.texts[i].1.name
                            && crate::privacy::names::place_follows(&text[end..])
                            && !self
                                .mask_words
                                .iter()
                                .any(|w| text[start..].starts_with(w.as_bytes())))
                };
                if let Some(i) = self.texts.first(&text, skip) {
                    let (value, origin) = self.texts.texts[i];
                    return Some(Leak {
                        file: file.path.clone(),
                        value: value.to_string(),
                        origin: self.places.origin(origin),
                    });
                }
                let mut found = None;
                if let Some(&min) = finder.lengths.first() {
                    each_number(&text, min, |run| {
                        found = finder.find(run).next().map(str::to_string);
                        found.is_some()
                    });
                }
                let hit = found?;
                Some(Leak {
                    file: file.path.clone(),
                    origin: self.places.origin(finder.get(&hit)?),
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

    #[test]
    fn digit_runs_read_full_width_digits_dashes_and_spaces() {
        assert_eq!(
            digit_runs("电话１３８－１２３４\u{3000}５６７８，１３８—1234–5678"),
            ["13812345678", "13812345678"]
        );
        assert_eq!(
            digit_runs("１１０１０５１９４９１２３１００２Ｘ"),
            ["11010519491231002X"]
        );
    }

    #[test]
    fn the_skip_to_a_digit_finds_every_byte_value_at_every_place() {
        for b in 0..=u8::MAX {
            for at in 0..20 {
                let mut bytes = vec![b'a'; 20];
                bytes[at] = b;
                let want = (b.is_ascii_digit() || b == 0xEF).then_some(at);
                assert_eq!(super::next_digit_start(&bytes), want, "{b:#x} at {at}");
            }
        }
    }

    #[test]
    fn raw_bytes_give_the_runs_their_lossy_text_gives() {
        // Output is scanned as bytes; invalid UTF-8 must split and keep numbers exactly
        // as its lossy reading (U+FFFD in its place) would.
        let cases: [&[u8]; 4] = [
            b"tel 138\xff1234 5678 x12",
            b"\xef\xbc 138-1234-5678\xef",
            b"\xe2\x80 13812345678 \xef\xbc\x91\xef\xbc\x92\xef\xbc",
            b"5\xe3\x80\x80\xe3\x806\xef\xbc\x8d7",
        ];
        for bytes in cases {
            let mut raw = Vec::new();
            super::each_digit_run(bytes, 1, |r| {
                raw.push(r.to_string());
                false
            });
            assert_eq!(
                raw,
                digit_runs(&String::from_utf8_lossy(bytes)),
                "{bytes:?}"
            );
        }
    }
}

#[cfg(test)]
mod properties {
    use super::digit_runs;
    use proptest::prelude::*;

    /// Texts long and short around the automaton's cut, from few characters so that they
    /// share starts, overlap and sit inside each other; some characters are three bytes,
    /// so the cut falls inside one. No text starts with a space or 丙, which the filler
    /// between them is made of: the scan skips such bytes only where no text is under
    /// way, and inside a text they must still count.
    fn private_texts() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::btree_set("[ab甲乙][ab甲乙丙 ]{1,29}", 1..24)
            .prop_map(|set| set.into_iter().collect())
    }

    /// Every occurrence of every text, by the definition: (text, start, end).
    fn occurrences(texts: &[String], haystack: &str) -> Vec<(usize, usize, usize)> {
        let mut all = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            for start in 0..haystack.len() {
                if haystack.as_bytes()[start..].starts_with(t.as_bytes()) {
                    all.push((i, start, start + t.len()));
                }
            }
        }
        all.sort();
        all
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The matcher of starts finds what an automaton of the whole texts finds, and
        /// meets first the text that one meets first: the guard's report is unchanged.
        #[test]
        fn the_matcher_of_starts_finds_every_text_and_the_same_first(
            texts in private_texts(),
            pieces in proptest::collection::vec(0usize..64, 0..8),
            filler in "[ab甲乙丙 ]{0,12}",
            skipped in proptest::collection::vec(any::<bool>(), 24),
        ) {
            let origin = crate::privacy::Noted::default();
            let mut sorted = texts.clone();
            sorted.sort();
            let matcher = super::TextMatcher::new(
                sorted.iter().map(|t| (t.as_str(), &origin)).collect(),
                &mut super::Matchers::default(),
            )
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            // A page made of pieces of the texts (whole, cut, joined) and other words.
            let mut haystack = String::new();
            for p in &pieces {
                let t = &sorted[p % sorted.len()];
                let cut = t.char_indices().nth(p % 7).map_or(0, |(i, _)| i);
                haystack.push_str(if p % 3 == 0 { &t[cut..] } else { t });
                haystack.push_str(&filler);
            }
            let mut found = Vec::new();
            matcher.each(haystack.as_bytes(), |i, start, end| {
                found.push((i, start, end));
                true
            });
            found.sort();
            prop_assert_eq!(&found, &occurrences(&sorted, &haystack));

            let whole = aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::Standard)
                .build(&sorted)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let skip = |i: usize| skipped[i % skipped.len()];
            let want = whole
                .find_overlapping_iter(&haystack)
                .map(|m| m.pattern().as_usize())
                .find(|&i| !skip(i));
            prop_assert_eq!(matcher.first(haystack.as_bytes(), |i, _, _| skip(i)), want);
        }

        /// The eight-bytes-at-a-time skip stops where a byte-by-byte one does.
        #[test]
        fn the_skip_to_a_digit_stops_at_the_first_possible_digit(
            bytes in proptest::collection::vec(
                prop_oneof![any::<u8>(), Just(b'0'), Just(b'9'), Just(0xEF), Just(b'/'), Just(b':')],
                0..40,
            ),
        ) {
            let want = bytes.iter().position(|&b| b.is_ascii_digit() || b == 0xEF);
            prop_assert_eq!(super::next_digit_start(&bytes), want);
        }

        /// What the guard compares is the number's digits, however they were typed.
        #[test]
        fn the_guard_reads_every_typed_mobile_as_its_digits(
            (typed, digits) in crate::privacy::properties::typed_mobile(),
            before in crate::privacy::properties::words(),
            after in crate::privacy::properties::words(),
        ) {
            let text = format!("{before}{typed}{after}");
            let runs = digit_runs(&text);
            prop_assert!(
                runs.iter().any(|r| r.contains(&digits)),
                "{:?} in {:?}", digits, runs
            );
        }
    }
}
