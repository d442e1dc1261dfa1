//! Finds many short patterns in text, leftmost first and the longest of those starting
//! there, as an Aho-Corasick automaton with `MatchKind::LeftmostLongest` does, by hash
//! lookups of the text's substrings instead of an automaton.
//!
//! Residents' names are two to four characters, and nearly every character of a free
//! text starts none of them. Building an automaton over a city's hundred thousand names
//! took a quarter of a second on the one core left at the end of reading, and the texts
//! searched are short; a table of the patterns is built in a fraction of that, and a text
//! is searched by testing each character against the patterns' first characters.

use std::borrow::Cow;

use rustc_hash::FxHashMap as HashMap;

/// Pattern lengths (in characters) up to this are kept as bits of a mask; longer ones
/// are rare (a public value holding a name) and tried one by one.
const MASK_LENGTHS: usize = 63;

/// The lengths of the patterns that start with one character.
#[derive(Debug, Clone, Copy, Default)]
struct Lengths {
    /// Bit `n` set: some pattern has `n` characters (`n` ≤ [`MASK_LENGTHS`]).
    mask: u64,
    /// The longest such pattern, in characters.
    longest: usize,
}

/// A set of patterns, each known by its place in the list it was built from. Patterns are
/// borrowed where they can be (a city's residents' names), owned where they are made for
/// the search (courtesy names).
#[derive(Debug)]
pub(crate) struct Longest<'p> {
    index: HashMap<Cow<'p, str>, usize>,
    /// The place of the next pattern added.
    next: usize,
    /// Bit `c` set: some pattern starts with the character `c` (for `c` below U+10000,
    /// where Chinese text is written); the others are looked up in `starts` directly.
    first: Vec<u64>,
    starts: HashMap<char, Lengths>,
}

/// One match: byte range in the text and the pattern's place in the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Match {
    pub start: usize,
    pub end: usize,
    pub pattern: usize,
}

impl<'p> Longest<'p> {
    /// The patterns, known by their places in `patterns`. A pattern listed twice is
    /// known by its first place; an empty one is never found.
    pub(crate) fn new<P: Into<Cow<'p, str>>>(patterns: impl IntoIterator<Item = P>) -> Longest<'p> {
        let patterns = patterns.into_iter();
        let mut longest = Longest {
            index: HashMap::with_capacity_and_hasher(patterns.size_hint().0, Default::default()),
            next: 0,
            first: vec![0u64; 0x10000 / 64],
            starts: HashMap::default(),
        };
        patterns.for_each(|p| longest.add(p));
        longest
    }

    /// Adds a pattern at the next place of the list.
    pub(crate) fn add(&mut self, p: impl Into<Cow<'p, str>>) {
        let p = p.into();
        let i = self.next;
        self.next += 1;
        let Some(c) = p.chars().next() else { return };
        let n = p.chars().count();
        let std::collections::hash_map::Entry::Vacant(place) = self.index.entry(p) else {
            return;
        };
        place.insert(i);
        let lengths = self.starts.entry(c).or_default();
        if n <= MASK_LENGTHS {
            lengths.mask |= 1 << n;
        }
        lengths.longest = lengths.longest.max(n);
        if let Some(bit) = self.first.get_mut(c as usize / 64) {
            *bit |= 1 << (c as usize % 64);
        }
    }

    /// Whether `p` is one of the patterns.
    pub(crate) fn contains(&self, p: &str) -> bool {
        self.index.contains_key(p)
    }

    /// Whether some pattern is in `text`.
    pub(crate) fn finds_any(&self, text: &str) -> bool {
        self.find_at(text, 0).is_some()
    }

    /// The matches in `text`, left to right, none overlapping.
    pub(crate) fn find_iter<'t>(&'t self, text: &'t str) -> impl Iterator<Item = Match> + 't {
        let mut from = 0;
        std::iter::from_fn(move || {
            let m = self.find_at(text, from)?;
            from = m.end;
            Some(m)
        })
    }

    fn may_start(&self, c: char) -> bool {
        match self.first.get(c as usize / 64) {
            Some(bits) => bits & (1 << (c as usize % 64)) != 0,
            None => true,
        }
    }

    /// The leftmost match at or after byte `from`, the longest of those starting there.
    fn find_at(&self, text: &str, from: usize) -> Option<Match> {
        let rest = text.get(from..)?;
        for (offset, c) in rest.char_indices() {
            if !self.may_start(c) {
                continue;
            }
            let Some(lengths) = self.starts.get(&c) else {
                continue;
            };
            let start = from + offset;
            if let Some((end, pattern)) = self.longest_at(&text[start..], *lengths) {
                return Some(Match {
                    start,
                    end: start + end,
                    pattern,
                });
            }
        }
        None
    }

    /// The longest pattern `text` starts with: its length in bytes and its place.
    fn longest_at(&self, text: &str, lengths: Lengths) -> Option<(usize, usize)> {
        // Byte ends of the text's first 1, 2, … characters, as far as the longest
        // pattern that starts with its first character.
        let mut ends = [0usize; MASK_LENGTHS + 1];
        let mut long_ends = Vec::new();
        let mut count = 0;
        for (i, c) in text.char_indices().take(lengths.longest) {
            count += 1;
            let end = i + c.len_utf8();
            match ends.get_mut(count) {
                Some(slot) => *slot = end,
                None => long_ends.push(end),
            }
        }
        let lookup = |end: usize| self.index.get(&text[..end]).map(|&pattern| (end, pattern));
        // Longer than a mask holds: tried one by one, longest first.
        if let Some(found) = long_ends.iter().rev().find_map(|&end| lookup(end)) {
            return Some(found);
        }
        let mut mask = lengths.mask
            & if count >= 63 {
                u64::MAX
            } else {
                (2 << count) - 1
            };
        while mask != 0 {
            let n = 63 - mask.leading_zeros() as usize;
            mask &= !(1 << n);
            if let Some(found) = lookup(ends[n]) {
                return Some(found);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};
    use proptest::prelude::*;

    fn found(patterns: &[&str], text: &str) -> Vec<(usize, usize, usize)> {
        Longest::new(patterns.iter().copied())
            .find_iter(text)
            .map(|m| (m.start, m.end, m.pattern))
            .collect()
    }

    #[test]
    fn patterns_added_later_take_the_next_places() {
        let mut names = Longest::new(["王芳", "", "周大伯"]);
        assert!(names.contains("周大伯") && !names.contains("周大"));
        assert!(names.finds_any("请周大伯来") && !names.finds_any("王阿姨"));
        names.add("王芳");
        names.add("王阿姨");
        let found: Vec<usize> = names.find_iter("王阿姨和王芳").map(|m| m.pattern).collect();
        assert_eq!(found, [4, 0]);
    }

    #[test]
    fn the_longest_pattern_at_the_leftmost_place_wins() {
        let patterns = ["王芳", "王芳华", "芳华"];
        assert_eq!(found(&patterns, "王芳华来了"), [(0, 9, 1)]);
        assert_eq!(found(&patterns, "小王芳在"), [(3, 9, 0)]);
        assert_eq!(found(&patterns, "芳华与王芳"), [(0, 6, 2), (9, 15, 0)]);
        assert_eq!(found(&patterns, "没有人名"), []);
    }

    #[test]
    fn a_pattern_listed_twice_is_known_by_its_first_place() {
        assert_eq!(found(&["周大伯", "周大伯"], "找周大伯"), [(3, 12, 0)]);
    }

    #[test]
    fn patterns_longer_than_the_mask_are_found_too() {
        let long = "长".repeat(70);
        let longer = format!("{long}名");
        let patterns = [long.as_str(), "长长", longer.as_str()];
        let text = format!("前{longer}后{long}");
        assert_eq!(
            found(&patterns, &text),
            [
                (3, 3 + longer.len(), 2),
                (6 + longer.len(), 6 + longer.len() + long.len(), 0)
            ]
        );
    }

    fn words() -> impl Strategy<Value = String> {
        "[周王钱孙大伯芳阿姨a𠀋]{1,4}"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Finds what an Aho-Corasick automaton that prefers the leftmost, then longest,
        /// match finds, in any text.
        #[test]
        fn finds_what_aho_corasick_leftmost_longest_finds(
            patterns in proptest::collection::vec(words(), 1..8),
            pieces in proptest::collection::vec("[周王钱孙大伯芳阿姨a𠀋，1]{0,8}", 1..6),
        ) {
            let text = pieces.join("");
            let automaton = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&patterns)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let want: Vec<(usize, usize, usize)> = automaton
                .find_iter(&text)
                .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                .collect();
            let patterns: Vec<&str> = patterns.iter().map(String::as_str).collect();
            prop_assert_eq!(found(&patterns, &text), want);
        }
    }
}
