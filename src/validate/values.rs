//! Parsers for the value forms the contract allows: dates, whole numbers, lists, ids and
//! enumerated words. Each returns `None` on anything else; the caller words the message.

use crate::model::Date;

/// The year, month and day parts of a date in one of the accepted forms, not yet checked.
pub(crate) fn date_parts(text: &str) -> Option<(&str, &str, &str)> {
    let s = crate::load::trim(text);
    if let Some(rest) = s.strip_suffix('日') {
        let (y, rest) = rest.split_once('年')?;
        let (m, d) = rest.split_once('月')?;
        return Some((y, m, d));
    }
    // Cut at the bytes of the first separator found: a city has millions of dates, and
    // splitting at a `char` compares each candidate through a call to `memcmp`. The
    // separators are ASCII, so every cut falls between characters.
    let sep = s.bytes().find(|b| matches!(b, b'-' | b'/' | b'.'))?;
    let mut cuts = s
        .bytes()
        .enumerate()
        .filter(|&(_, b)| b == sep)
        .map(|(i, _)| i);
    let (first, second) = (cuts.next()?, cuts.next()?);
    cuts.next()
        .is_none()
        .then(|| (&s[..first], &s[first + 1..second], &s[second + 1..]))
}

/// `2018-12-10`, `2018/12/10`, `2018/1/5`, `2018.12.10`, `2018年12月10日`.
pub fn parse_date(text: &str) -> Option<Date> {
    let (y, m, d) = date_parts(text)?;
    let digits = |p: &str, min: usize, max: usize| {
        (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(y, 4, 4) || !digits(m, 1, 2) || !digits(d, 1, 2) {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A TOML native date; a date with a time of day is not a record date.
pub(crate) fn toml_date(value: &toml::value::Datetime) -> Option<Date> {
    if value.time.is_some() || value.offset.is_some() {
        return None;
    }
    let d = value.date?;
    Date::new(d.year, d.month, d.day)
}

/// Digits only: spreadsheets sometimes write `12.0` or `1,200`, which we refuse rather
/// than guess.
pub fn parse_whole(text: &str) -> Option<u64> {
    let s = crate::load::trim(text);
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `[a-z0-9-]+`: community ids, used as folder names in URLs.
pub(crate) fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `[A-Za-z0-9_-]+`: steward and batch ids.
pub(crate) fn is_record_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Matches a word against its Chinese forms and English synonyms (any letter case).
pub(crate) fn match_word<T: Copy>(text: &str, table: &[(&str, T)]) -> Option<T> {
    let s = crate::load::trim(text);
    table
        .iter()
        .find(|(w, _)| *w == s || w.eq_ignore_ascii_case(s))
        .map(|(_, v)| *v)
}

/// Renders a table's words for a message: `在册、在职 或 两新`.
pub(crate) fn words_of<T>(table: &[(&str, T)]) -> String {
    let chinese: Vec<&str> = table
        .iter()
        .map(|(w, _)| *w)
        .filter(|w| !w.is_ascii())
        .collect();
    match chinese.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} 或 {}", rest.join("、"), last),
        Some((last, _)) => (*last).to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_date_form_of_the_contract() {
        let want = Date::new(2018, 12, 10);
        for s in [
            "2018-12-10",
            "2018/12/10",
            "2018.12.10",
            "2018年12月10日",
            " 2018-12-10 ",
        ] {
            assert_eq!(parse_date(s), want, "{s}");
        }
        assert_eq!(parse_date("2018/1/5"), Date::new(2018, 1, 5));
        assert_eq!(parse_date("2018年1月5日"), Date::new(2018, 1, 5));
    }

    #[test]
    fn refuses_other_date_forms() {
        for s in [
            "",
            "2018-12",
            "12/10/2018",
            "2018-12-10 08:00",
            "2018-13-01",
            "2018-02-30",
            "18-12-10",
            "2018-12/10",
            "二〇一八年",
            "2018年12月10",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn whole_numbers_are_digits_only() {
        assert_eq!(parse_whole(" 12 "), Some(12));
        for s in ["三", "-1", "1.5", "1,200", ""] {
            assert_eq!(parse_whole(s), None, "{s}");
        }
    }

    #[test]
    fn ids_follow_their_patterns() {
        assert!(is_slug("fangmenjie-2"));
        assert!(!is_slug("Fangmen"));
        assert!(!is_slug("../x"));
        assert!(is_record_id("FM-001_a"));
        assert!(!is_record_id("FM 001"));
        assert!(!is_record_id("坊门"));
    }
}
