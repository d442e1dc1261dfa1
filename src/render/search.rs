//! 查找我的红管家: the search index, split into shards a browser loads on demand, as
//! scripts, so that search works from a copied folder (`file://`) too. The page itself is
//! `Page::Search` (`context/search.rs`).
//!
//! What is searched is structured, so the index is small and exact: each building (by its
//! label), each steward (by the name the site shows) and each community (by its name and
//! the initials of its pinyin, from `slugs`). Texts are normalized once, here, by
//! [`normalize`]; the browser only normalizes what the resident types, with the same tables ([`RULES`],
//! emitted into the index) and the same few steps (`assets/search.js`, `normalize`).
//!
//! Layout of `search/`:
//! - `index.js`: the rules, the subdistricts (with several, each community names its
//!   own, and results show it), every community, and for every *unit* (a run of
//!   digits or one letter or Han character) of the buildings' and stewards' own texts, the
//!   shard holding every record that has it. Units too common to narrow anything (on a
//!   city: `幢`, which every building label has, and the commonest surnames) get no shard;
//!   the page asks for more when a query has only such units.
//! - `s/N.js`: shards, each up to [`SHARD_BYTES`], holding whole records, so one shard per
//!   query word answers it.
//!
//! Nothing but what other pages already show goes in: a steward's name and link as
//! [`People`] makes them (links come from `routes`, like every URL of the site), the grid and phone only for stewards
//! whose page shows them, and the phone only masked and only when `site.toml` says so.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use super::OutputFile;
use super::routes::{self, Page};
use super::slugs::pinyin_initials;
use super::views::People;
use crate::config::PhoneStyle;
use crate::model::{CommunityIdx, Steward};
use crate::privacy::mask_phone;
use crate::site::Site;

/// A shard grows up to this many bytes; a unit whose records alone are more than this is
/// too common to search by. A query loads `index.js` and one shard per word.
pub(crate) const SHARD_BYTES: usize = 96 * 1024;

/// Marks written after a building number, longest first; all mean 幢.
pub(crate) const BUILDING_MARKS: [&str; 6] = ["号楼", "#楼", "号", "栋", "幢", "#"];
/// What every building mark becomes.
pub(crate) const BUILDING: &str = "幢";
/// Written after a unit number; kept, but a Chinese numeral before it becomes digits.
pub(crate) const UNIT: &str = "单元";
/// Dropped from the end of a query word: 东门街社区 and 东门街 are one community.
pub(crate) const SUFFIXES: [&str; 1] = ["社区"];
/// Chinese numerals read as a number before a building or unit mark (十二幢 → 12幢).
pub(crate) const NUMERALS: &str = "零〇一二两三四五六七八九十百";

/// The normalization tables as the browser gets them.
pub(crate) const RULES: Rules = Rules {
    marks: BUILDING_MARKS,
    building: BUILDING,
    unit: UNIT,
    suffixes: SUFFIXES,
    numerals: NUMERALS,
};

#[derive(Serialize)]
pub(crate) struct Rules {
    marks: [&'static str; 6],
    building: &'static str,
    unit: &'static str,
    suffixes: [&'static str; 1],
    numerals: &'static str,
}

/// Full-width forms to ASCII, the ideographic space to a space, ASCII letters to lower case.
fn fold(c: char) -> char {
    let c = match u32::from(c) {
        0xFF01..=0xFF5E => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    c.to_ascii_lowercase()
}

fn numeral_value(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// `十二` → 12, `一百零五` → 105, `一二` → 12 (read digit by digit when there is no 十 or 百).
fn parse_numerals(run: &[char]) -> Option<u32> {
    if !run.iter().any(|c| matches!(c, '十' | '百')) {
        return run.iter().try_fold(0u32, |n, &c| {
            n.checked_mul(10)?.checked_add(numeral_value(c)?)
        });
    }
    let (mut total, mut digit) = (0u32, None);
    for &c in run {
        match c {
            '十' | '百' => {
                let place = if c == '十' { 10 } else { 100 };
                total += digit.take().unwrap_or(1) * place;
            }
            _ => {
                let v = numeral_value(c)?;
                if v != 0 {
                    digit = Some(v);
                }
            }
        }
    }
    Some(total + digit.unwrap_or(0))
}

fn starts_with_at(chars: &[char], at: usize, word: &str) -> bool {
    word.chars()
        .enumerate()
        .all(|(k, w)| chars.get(at + k) == Some(&w))
}

/// The building or unit mark at `at`, after optional spaces: its text and where it ends.
fn mark_at(chars: &[char], at: usize) -> Option<(&'static str, usize)> {
    let mut i = at;
    while chars.get(i) == Some(&' ') {
        i += 1;
    }
    BUILDING_MARKS
        .iter()
        .find(|m| starts_with_at(chars, i, m))
        .map(|m| (BUILDING, i + m.chars().count()))
        .or_else(|| starts_with_at(chars, i, UNIT).then(|| (UNIT, i + UNIT.chars().count())))
}

/// The one normal form of a text, for the index and for each word of a query: full-width
/// and half-width alike, lower case, numbers without leading zeros, a number before a
/// building mark in any of its forms (12幢, 12栋, 12号楼, 12#, 十二幢, 12 幢, １２幢) as
/// `12幢`. Spaces are kept; [`key`] drops them, [`query_words`] splits at them.
pub(crate) fn normalize(text: &str) -> String {
    let chars: Vec<char> = text.chars().map(fold).collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let ascii = c.is_ascii_digit();
        if ascii || NUMERALS.contains(c) {
            let mut j = i;
            while j < chars.len()
                && (if ascii {
                    chars[j].is_ascii_digit()
                } else {
                    NUMERALS.contains(chars[j])
                })
            {
                j += 1;
            }
            let run = &chars[i..j];
            let number = if ascii {
                let digits: String = run.iter().collect();
                let trimmed = digits.trim_start_matches('0');
                Some(if trimmed.is_empty() { "0" } else { trimmed }.to_string())
            } else {
                parse_numerals(run).map(|n| n.to_string())
            };
            match (number, mark_at(&chars, j)) {
                (Some(n), Some((mark, end))) => {
                    out.push_str(&n);
                    out.push_str(mark);
                    i = end;
                }
                (Some(n), None) if ascii => {
                    out.push_str(&n);
                    i = j;
                }
                _ => {
                    out.extend(run);
                    i = j;
                }
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// A record's searchable text: normalized, without spaces.
pub(crate) fn key(text: &str) -> String {
    // Most names need no change; a city has fifty thousand of them.
    let plain = |c: char| {
        !(c.is_ascii_digit()
            || c.is_ascii_uppercase()
            || c.is_whitespace()
            || matches!(u32::from(c), 0xFF01..=0xFF5E | 0x3000)
            || NUMERALS.contains(c))
    };
    if text.chars().all(plain) {
        return text.to_string();
    }
    normalize(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn is_han(c: char) -> bool {
    matches!(u32::from(c), 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF)
}

/// Letters, digits and Han characters make words; everything else separates them.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || is_han(c) || c == '*' || c == '#'
}

/// The words of a query, each normalized: split at spaces and punctuation, between a Han
/// character and a digit (东门街12幢 → 东门街, 12幢) and after 幢 (12幢东门街 → 12幢, 东门街),
/// with 社区 dropped from the end of a word. Every word must match.
pub fn query_words(query: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev: Option<char> = None;
    for c in normalize(query).chars() {
        let split = !is_word_char(c)
            || prev.is_some_and(|p| {
                (is_han(p) && c.is_ascii_digit())
                    || (p.to_string() == BUILDING && (is_han(c) || c.is_ascii_alphabetic()))
            });
        if split && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if is_word_char(c) {
            current.push(c);
        }
        prev = Some(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    let mut out: Vec<String> = Vec::new();
    for mut w in words {
        for s in SUFFIXES {
            if let Some(stem) = w.strip_suffix(s) {
                w = stem.to_string();
            }
        }
        if !w.is_empty() && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// Whether a query word is in a key, never as part of a longer number: 12 is in 12幢 and
/// 东门街12幢, not in 120幢 or 112幢. The browser matches (`matches` in `assets/search.js`);
/// this is its rule written down where the other rules are, and tested.
#[cfg(test)]
fn matches(key: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let starts_digit = word.starts_with(|c: char| c.is_ascii_digit());
    let ends_digit = word.ends_with(|c: char| c.is_ascii_digit());
    key.match_indices(word).any(|(at, _)| {
        let before = key[..at].chars().next_back();
        let after = key[at + word.len()..].chars().next();
        let inside_before = starts_digit && before.is_some_and(|c| c.is_ascii_digit());
        let inside_after = ends_digit && after.is_some_and(|c| c.is_ascii_digit());
        !inside_before && !inside_after
    })
}

/// The units of a normalized text, the keys of shards: each run of digits, and each
/// letter or Han character. A record matching a word has every unit of the word.
pub(crate) fn units(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut digits: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_ascii_digit() {
            digits.get_or_insert(i);
            continue;
        }
        if let Some(start) = digits.take() {
            out.push(&text[start..i]);
        }
        if c.is_ascii_alphabetic() || is_han(c) {
            out.push(&text[i..i + c.len_utf8()]);
        }
    }
    if let Some(start) = digits {
        out.push(&text[start..]);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// One record of a shard, as a JSON array (short, because shards are downloaded):
/// building `[0, rid, community, label, key, stewards]` with each steward
/// `[name, id, grid, phone]`; steward `[1, rid, community, name, key, id, grid, buildings,
/// phone]`. `key` is empty when it equals the text shown; `id` (of the steward's page, whose
/// address is `routes::STEWARD_PAGE` around it, carried once in `index.js`) is empty for a
/// steward with no page, and so are grid and phone. `rid` numbers a community's buildings, and its
/// stewards, in the order of the community page.
struct Record {
    /// The normalized text the record is found by.
    key: String,
    json: String,
}

fn or_empty<'a>(key: &'a str, shown: &str) -> &'a str {
    if key == shown { "" } else { key }
}

/// A JSON string. Written by hand because a city's index has a few hundred thousand of
/// them; U+2028 and U+2029 are escaped for older script engines.
fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn push_strs(out: &mut String, items: &[&str]) {
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_str(out, s);
    }
}

/// `natural_cmp` order without comparing strings again and again: digit runs as numbers.
fn natural_key(s: &str) -> Vec<(u8, u64, char)> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(d) = c.to_digit(10).filter(|_| c.is_ascii_digit()) {
            let mut n = u64::from(d);
            while let Some(d) = chars
                .peek()
                .and_then(|c| c.to_digit(10).filter(|_| c.is_ascii_digit()))
            {
                n = n.saturating_mul(10).saturating_add(u64::from(d));
                chars.next();
            }
            out.push((0, n, '0'));
        } else {
            out.push((1, 0, c));
        }
    }
    out
}

/// The records of one community: its buildings, then its stewards, in page order.
fn community_records(
    site: &Site,
    people: &People,
    shown: &[String],
    ci: usize,
    members: &[usize],
) -> Vec<Record> {
    let registry = &site.registry;
    let mut out = Vec::new();
    let mut buildings: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &si in members {
        for b in &registry.stewards[si].buildings {
            buildings.entry(b.as_str()).or_default().push(si);
        }
    }
    let mut buildings: Vec<(&str, Vec<usize>)> = buildings.into_iter().collect();
    buildings.sort_by_cached_key(|b| (natural_key(b.0), b.0));
    for (rid, (label, stewards)) in buildings.into_iter().enumerate() {
        let k = key(label);
        let mut json = String::with_capacity(48 + 2 * label.len() + 64 * stewards.len());
        let _ = write!(json, "[0,{rid},{ci},");
        push_strs(&mut json, &[label, or_empty(&k, label)]);
        json.push_str(",[");
        for (i, &si) in stewards.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(&shown[si]);
        }
        json.push_str("]]");
        out.push(Record { key: k, json });
    }
    let mut stewards = members.to_vec();
    stewards.sort_by_cached_key(|&si| {
        let id = registry.stewards[si].id.as_str();
        (natural_key(id), id)
    });
    for (rid, si) in stewards.into_iter().enumerate() {
        let s = &registry.stewards[si];
        let name = people.refs[si].name.as_str();
        let k = key(name);
        let (id, grid, phone) = public_details(site, people, si);
        let mut json = String::with_capacity(176);
        let _ = write!(json, "[1,{rid},{ci},");
        let buildings = s.buildings.join("、");
        push_strs(
            &mut json,
            &[name, or_empty(&k, name), id, grid, &buildings, &phone],
        );
        json.push(']');
        out.push(Record { key: k, json });
    }
    out
}

/// Page id, grid and phone as the steward's own page shows them (see `views::profile`);
/// none for a steward who has no page.
fn public_details<'a>(site: &'a Site, people: &People, si: usize) -> (&'a str, &'a str, String) {
    let s: &Steward = &site.registry.stewards[si];
    // The same test that gives the steward a link on every other page.
    if people.refs[si].url.is_none() || !s.public {
        return ("", "", String::new());
    }
    let phone = match site.config.privacy.steward_phone {
        PhoneStyle::Masked => s.private.phone.as_deref().map(mask_phone),
        PhoneStyle::Hidden => None,
    };
    (
        &s.id,
        s.grid.as_deref().unwrap_or(""),
        phone.unwrap_or_default(),
    )
}

/// Every file of `search/` except the page: the index and its shards.
pub fn files(site: &Site) -> Vec<OutputFile> {
    let people = People::new(site);
    let registry = &site.registry;

    // A steward as a building result lists them.
    let shown: Vec<String> = (0..registry.stewards.len())
        .into_par_iter()
        .map(|i| {
            let (id, grid, phone) = public_details(site, &people, i);
            let mut out = String::from("[");
            push_strs(&mut out, &[&people.refs[i].name, id, grid, &phone]);
            out.push(']');
            out
        })
        .collect();

    let mut members: Vec<Vec<usize>> = vec![Vec::new(); registry.communities.len()];
    for (i, s) in registry.stewards.iter().enumerate() {
        members[s.community].push(i);
    }
    let per_community: Vec<Vec<Record>> = members
        .par_iter()
        .enumerate()
        .map(|(ci, list)| community_records(site, &people, &shown, ci, list))
        .collect();
    let records: Vec<Record> = per_community.into_iter().flatten().collect();

    // Records by unit, then units packed into shards in a fixed order.
    let mut by_unit: HashMap<&str, (Vec<usize>, usize)> = HashMap::new();
    for (ri, r) in records.iter().enumerate() {
        for u in units(&r.key) {
            let entry = by_unit.entry(u).or_default();
            entry.0.push(ri);
            entry.1 += r.json.len() + 1;
        }
    }
    let mut by_unit: Vec<(&str, (Vec<usize>, usize))> = by_unit.into_iter().collect();
    by_unit.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut common: Vec<&str> = Vec::new();
    let mut unit_shard: BTreeMap<&str, usize> = BTreeMap::new();
    let mut shards: Vec<Vec<usize>> = Vec::new();
    let mut shard_bytes: Vec<usize> = Vec::new();
    // The shard a record was last put in, plus one: units are packed in order, so this
    // is enough to put each record in a shard once.
    let mut placed = vec![0usize; records.len()];
    for (unit, (list, bytes)) in &by_unit {
        if *bytes > SHARD_BYTES {
            common.push(unit);
            continue;
        }
        let fits = shard_bytes.last().is_some_and(|b| b + bytes <= SHARD_BYTES);
        if !fits {
            shards.push(Vec::new());
            shard_bytes.push(0);
        }
        let n = shards.len() - 1;
        for &ri in list {
            if placed[ri] != n + 1 {
                placed[ri] = n + 1;
                shards[n].push(ri);
                shard_bytes[n] += records[ri].json.len() + 1;
            }
        }
        unit_shard.insert(unit, n);
    }
    for list in &mut shards {
        list.sort_unstable();
    }

    let mut files = Vec::with_capacity(shards.len() + 1);
    let mut sizes = Vec::with_capacity(shards.len());
    let mut paths = Vec::with_capacity(shards.len());
    for (n, set) in shards.iter().enumerate() {
        let mut text = String::with_capacity(shard_bytes[n] + 32);
        let _ = writeln!(text, "hgjSearch.shard({n},[");
        for (i, &ri) in set.iter().enumerate() {
            if i > 0 {
                text.push_str(",\n");
            }
            text.push_str(&records[ri].json);
        }
        text.push_str("\n]);\n");
        sizes.push(text.len());
        paths.push(routes::search_shard(n));
        files.push(OutputFile {
            path: routes::search_shard(n),
            bytes: text.into_bytes(),
        });
    }

    // A site of several subdistricts lists them all, each community pointing at its own,
    // so that a query naming a subdistrict finds its communities and results name it; a
    // site of one names the subdistrict of its settings, if any.
    let (subdistricts, of_community): (Vec<Value>, Box<dyn Fn(usize) -> Value>) =
        if registry.has_levels() {
            (
                registry
                    .subdistricts
                    .iter()
                    .map(|s| json!([s.name, or_empty(&key(&s.name), &s.name)]))
                    .collect(),
                Box::new(|ci| json!(registry.communities[ci].subdistrict)),
            )
        } else {
            let named: Vec<Value> = site
                .config
                .subdistrict
                .name
                .iter()
                .map(|n| json!([n, or_empty(&key(n), n)]))
                .collect();
            let sd = if named.is_empty() {
                json!(null)
            } else {
                json!(0)
            };
            (named, Box::new(move |_| sd.clone()))
        };
    let communities: Vec<Value> = registry
        .communities
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let stewards = members[ci].len();
            let covered = site.figures.community_buildings_covered[ci];
            json!([
                Page::Community(CommunityIdx(ci)).path(site),
                c.name,
                or_empty(&key(&c.name), &c.name),
                pinyin_initials(&c.name),
                of_community(ci),
                stewards,
                covered
            ])
        })
        .collect();
    let index = json!({
        "rules": RULES,
        "subdistricts": subdistricts,
        "communities": communities,
        "units": unit_shard,
        "common": common,
        "shards": sizes,
        "paths": paths,
        "steward_page": routes::STEWARD_PAGE,
    });
    files.push(OutputFile {
        path: routes::search_index(),
        bytes: format!("hgjSearch.index({index});\n").into_bytes(),
    });
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_a_building_is_one_key() {
        for form in [
            "12幢",
            "12栋",
            "12号楼",
            "12号",
            "12#",
            "12#楼",
            "十二幢",
            "十二栋",
            "12 幢",
            "１２幢",
            "１２ 栋",
            "012幢",
        ] {
            assert_eq!(key(form), "12幢", "{form}");
        }
        assert_eq!(key("3幢二单元"), "3幢2单元");
        assert_eq!(key("一百零五号楼"), "105幢");
        assert_eq!(key("二十幢"), "20幢");
        assert_eq!(key("A2栋"), "a2幢");
        assert_eq!(key("Ａ座 2 号"), "a座2幢");
    }

    #[test]
    fn numerals_in_names_stay_words() {
        // A numeral not before a building or unit mark is part of a name.
        assert_eq!(key("王一凡"), "王一凡");
        assert_eq!(key("三里街社区"), "三里街社区");
    }

    #[test]
    fn queries_split_into_words_that_all_must_match() {
        assert_eq!(query_words("东门街 12幢"), ["东门街", "12幢"]);
        assert_eq!(query_words("东门街社区12栋"), ["东门街", "12幢"]);
        assert_eq!(query_words("12号楼东门街"), ["12幢", "东门街"]);
        assert_eq!(query_words("东门街社区，十二幢"), ["东门街", "12幢"]);
        assert_eq!(query_words("  DMJ "), ["dmj"]);
        assert_eq!(query_words("社区"), Vec::<String>::new());
        assert_eq!(query_words("3幢2单元"), ["3幢", "2单元"]);
    }

    #[test]
    fn numbers_never_match_inside_other_numbers() {
        assert!(matches("12幢", "12"));
        assert!(matches("12幢", "12幢"));
        assert!(matches("东门街12幢", "12"));
        assert!(!matches("120幢", "12"));
        assert!(!matches("112幢", "12"));
        assert!(!matches("138幢", "13"));
        assert!(!matches("112幢", "2幢"));
        assert!(matches("12幢2单元", "2单元"));
        assert!(matches("东门街社区", "门街"));
    }

    #[test]
    fn units_are_number_runs_and_single_characters() {
        assert_eq!(units("东门12幢3东"), ["12", "3", "东", "幢", "门"]);
        assert_eq!(units("a-2*"), ["2", "a"]);
    }
}
