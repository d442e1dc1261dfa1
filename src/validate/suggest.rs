//! Near misses: what the user most likely meant, for messages that say what to write
//! instead. Closeness is edit distance; file names are also recognised by the Chinese
//! names people give their sheets (红管家名册.csv → stewards.csv).

use crate::model::days_in_month;
use crate::schema::Kind;

/// Edit distance (insertions, deletions, substitutions, and swaps of two neighbours, as
/// in `titel` for `title`) between two texts, by character.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The numbers inside a text, leading zeros aside: `FM-01` and `FM-001` hold the same.
fn numbers_in(text: &str) -> Vec<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.trim_start_matches('0').parse().unwrap_or(0))
        .collect()
}

/// The candidate closest to `word` (letter case aside), if it is close enough to be a
/// slip: at most one edit in four characters, and at least one. Numbers must agree
/// (`FM-01` may be `FM-001`, but `FM-009` is another steward than `FM-001`). Ties go to
/// the first in sorted order, so messages are the same on every run.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 4).max(1);
    closest_within(word, candidates, limit)
}

/// [`closest`] with at most `limit` edits.
fn closest_within<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let len = word.chars().count();
    let numbers = numbers_in(word);
    candidates
        .into_iter()
        .filter(|c| *c != word && numbers_in(c) == numbers)
        .map(|c| (distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= limit && *d < c.chars().count().max(len))
        .min()
        .map(|(_, c)| c)
}

/// Chinese numerals as digits (第十二网格 → 第12网格, read as [`chinese_count`] reads a
/// count), so that a label written with numerals in one file and digits in another is
/// recognised as the same.
pub(crate) fn numerals_as_digits(text: &str) -> String {
    let numeral = |c: char| "零一二三四五六七八九两十百千".contains(c);
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        match chinese_count(run) {
            Some(n) => out.push_str(&n.to_string()),
            None => out.push_str(run),
        }
        run.clear();
    };
    for c in text.chars() {
        if numeral(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Full-width letters, digits and dashes folded to ASCII (`ＦＭ－００１` → `FM-001`), when
/// the text has any and nothing else changes it into something that is not ASCII.
pub(crate) fn fold_ascii(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    let folded: String = text
        .chars()
        .map(crate::privacy::fold_char)
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c => c,
        })
        .collect();
    (folded != text && folded.is_ascii()).then_some(folded)
}

/// Why a date of an allowed form is still no date (`2024/4/31` → `4月没有31日`).
pub(crate) fn impossible_date(text: &str) -> Option<String> {
    let (y, m, d) = super::values::date_parts(text)?;
    let number = |p: &str| -> Option<u32> {
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let (y, m, d) = (number(y)?, number(m)?, number(d)?);
    if !(1000..=9999).contains(&y) {
        return None;
    }
    let year = u16::try_from(y).ok()?;
    if m == 0 || m > 12 {
        return Some(format!("没有{m}月，月份应为 1 到 12"));
    }
    let month = u8::try_from(m).ok()?;
    let days = u32::from(days_in_month(year, month));
    if d == 0 {
        return Some("日期不能是 0 日".to_string());
    }
    if d > days {
        return Some(if m == 2 {
            format!("{y}年2月只有{days}天")
        } else {
            format!("{m}月没有{d}日")
        });
    }
    None
}

/// Stands for the year of the data in a message written before the data's year is known:
/// [`crate::diagnostics::Diagnostics::fill`] puts the year in once every record is read.
pub(crate) const DATA_YEAR: &str = "\u{E000}";

/// What to write instead of a date the parser refused, when the text says what was meant:
/// a date with a time of day (`2025/3/5 0:00`), a date without its year (`3月5日`, with
/// `year`, the year the record's other dates or its file name give, else the data's:
/// [`DATA_YEAR`]), or the day number Excel stores a date as (`45721`), exported from a
/// cell not formatted as a date.
pub(crate) fn date_hint(text: &str, year: Option<u16>) -> Option<String> {
    let t = text.trim();
    if let Some((day, time)) = t.split_once([' ', 'T'])
        && time.contains(':')
        && let Some(d) = super::values::parse_date(day)
    {
        return Some(format!("不要带时间，只写日期，如 {d}"));
    }
    if !t.contains('年')
        && let Some((m, rest)) = t.split_once('月')
        && rest.ends_with('日')
        && !m.is_empty()
        && m.bytes().all(|b| b.is_ascii_digit())
    {
        let year = year.map_or_else(|| DATA_YEAR.to_string(), |y| y.to_string());
        return Some(format!("少了年份，请写全，如 {year}年{t}"));
    }
    // Day numbers of 1990 to 2100, which no other date form looks like.
    if let Ok(serial) = t.parse::<i64>()
        && (32_874..=73_415).contains(&serial)
        && let Some(d) = crate::model::Date::from_unix_days(serial - 25_569)
    {
        return Some(format!(
            "这是 Excel 存日期用的序号（即 {d}），导出时这一列没有设成日期格式；请写作 {d}，或在 Excel 里把这一列设为日期格式后重新导出"
        ));
    }
    None
}

/// A count written in Chinese numerals (`三`, `十二`, `两百零五`), as a number, so that the
/// message can say which digits to write.
fn chinese_count(text: &str) -> Option<u64> {
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c);
    let (mut total, mut current) = (0u64, None::<u64>);
    let mut any = false;
    for c in text.chars() {
        any = true;
        if let Some(d) = digit(c).or((c == '两').then_some(2)) {
            current = Some(d as u64);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        total += current.unwrap_or(1) * unit;
        current = None;
    }
    any.then(|| total + current.unwrap_or(0))
}

/// What to write instead of `text` where a whole number belongs: `三` → `3`, `3户` → `3`,
/// `12.0` → `12`; a general example otherwise.
pub(crate) fn whole_hint(text: &str) -> String {
    let t = text.trim();
    if let Some(n) = chinese_count(t) {
        return format!("请写阿拉伯数字，如 {n}");
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    if let Some((whole, fraction)) = t.split_once('.')
        && !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b == b'0')
    {
        return format!("请只写整数，如 {whole}");
    }
    if let Some((whole, fraction)) = t.split_once('.')
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return "不能有小数，请写整数".to_string();
    }
    if t.contains(',') && t.bytes().all(|b| b.is_ascii_digit() || b == b',') {
        return format!("数字中间不要加逗号，如 {digits}");
    }
    if !digits.is_empty() && t.starts_with(|c: char| c.is_ascii_digit()) {
        let lead: String = t.chars().take_while(char::is_ascii_digit).collect();
        return format!("只写数字，不带单位或文字，如 {lead}");
    }
    "请写阿拉伯数字，如 3".to_string()
}

/// Whether `text` is a long number as Excel shows it in scientific notation
/// (`1.39877E+10`): what a CSV export keeps of a phone or id typed into a number cell,
/// its last digits already lost.
pub(crate) fn excel_scientific(text: &str) -> bool {
    let t = crate::load::trim(text);
    let Some((mantissa, exponent)) = t.split_once(['E', 'e']) else {
        return false;
    };
    let exponent = exponent.strip_prefix('+').unwrap_or(exponent);
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && !exponent.is_empty()
        && exponent.bytes().all(|b| b.is_ascii_digit())
        && exponent.parse::<u32>().is_ok_and(|e| e >= 5)
}

/// Chinese names people give the sheets of each kind, most specific first.
const CHINESE_NAMES: &[(&str, &str)] = &[
    ("红管家名册", "stewards"),
    ("红管家名单", "stewards"),
    ("优秀红管家", "commendations"),
    ("走访记录", "visits"),
    ("走访", "visits"),
    ("敲门", "visits"),
    ("民情", "cases"),
    ("事项", "cases"),
    ("诉求", "cases"),
    ("代办", "errands"),
    ("议事", "meetings"),
    ("会议", "meetings"),
    ("表彰", "commendations"),
    ("简报", "bulletins"),
    ("组工信息", "bulletins"),
    ("页面", "pages"),
    ("网格", "grids"),
    ("社区", "communities"),
    ("名册", "stewards"),
    ("红管家", "stewards"),
];

/// What an entry of `content/` most likely should be called: `stewards.csv` for
/// `steward.csv`, `Stewards.CSV`, `stewrads.csv` or `红管家名册.csv`, keeping the user's
/// format; a folder for a folder.
pub(crate) fn content_name(name: &str, is_dir: bool) -> Option<String> {
    let lower = name.to_lowercase();
    let (stem, ext) = match lower.rsplit_once('.') {
        Some((s, e)) if !is_dir => (s.to_string(), Some(e.to_string())),
        _ => (lower.clone(), None),
    };
    let mut stems: Vec<&str> = Kind::ALL.iter().map(|k| k.plural()).collect();
    stems.extend(["commendations", "bulletins", "pages"]);
    let target = stems
        .iter()
        .copied()
        .find(|s| *s == stem || format!("{stem}s") == *s)
        .or_else(|| {
            CHINESE_NAMES
                .iter()
                .find(|(w, _)| stem.contains(w))
                .map(|(_, k)| *k)
        })
        // The kinds' names are few and far apart: a file name may be two slips off
        // (stuards.csv), where an id may be only one.
        .or_else(|| {
            let limit = (stem.chars().count() / 3).max(1);
            closest_within(&stem, stems.iter().copied(), limit)
        })?;
    Some(match target {
        "bulletins" | "pages" => format!("{target}/"),
        "commendations" => "commendations.toml".to_string(),
        _ if is_dir => format!("{target}/"),
        _ => match ext.as_deref() {
            Some("toml") => format!("{target}.toml"),
            _ => format!("{target}.csv"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_read_as_digits() {
        assert_eq!(numerals_as_digits("坊门街第一网格"), "坊门街第1网格");
        assert_eq!(numerals_as_digits("第十网格"), "第10网格");
        assert_eq!(numerals_as_digits("第十二网格"), "第12网格");
        assert_eq!(numerals_as_digits("第二十网格"), "第20网格");
        assert_eq!(numerals_as_digits("第二十三网格"), "第23网格");
        assert_eq!(numerals_as_digits("第3网格"), "第3网格");
    }

    #[test]
    fn a_count_that_is_no_number_is_answered_with_the_digits_to_write() {
        assert_eq!(whole_hint("三"), "请写阿拉伯数字，如 3");
        assert_eq!(whole_hint("十二"), "请写阿拉伯数字，如 12");
        assert_eq!(whole_hint("两百零五"), "请写阿拉伯数字，如 205");
        assert_eq!(whole_hint("3户"), "只写数字，不带单位或文字，如 3");
        assert_eq!(whole_hint("12.0"), "请只写整数，如 12");
        assert_eq!(whole_hint("1.5"), "不能有小数，请写整数");
        assert_eq!(whole_hint("1,200"), "数字中间不要加逗号，如 1200");
        assert_eq!(whole_hint("若干"), "请写阿拉伯数字，如 3");
    }

    #[test]
    fn a_refused_date_that_says_what_was_meant_gets_the_date_to_write() {
        assert_eq!(
            date_hint("2025/03/05 00:00", None).as_deref(),
            Some("不要带时间，只写日期，如 2025-03-05")
        );
        assert_eq!(
            date_hint("3月5日", Some(2018)).as_deref(),
            Some("少了年份，请写全，如 2018年3月5日")
        );
        assert_eq!(
            date_hint("45721", None).as_deref(),
            Some(
                "这是 Excel 存日期用的序号（即 2025-03-05），导出时这一列没有设成日期格式；请写作 2025-03-05，或在 Excel 里把这一列设为日期格式后重新导出"
            )
        );
        for other in ["上周", "12", "2025-13-01 0:00x"] {
            assert_eq!(date_hint(other, None), None, "{other}");
        }
    }

    #[test]
    fn excel_s_scientific_notation_is_told_from_numbers_and_ids() {
        for mangled in ["1.39877E+10", "1.38E+10", "4.30E+17", "1.3905701111e+10"] {
            assert!(excel_scientific(mangled), "{mangled}");
        }
        for kept in [
            "13905701111",
            "0570-3012345",
            "E10",
            "FM-001",
            "1E+2",
            "1.5",
        ] {
            assert!(!excel_scientific(kept), "{kept}");
        }
    }

    #[test]
    fn distance_counts_edits_by_character() {
        assert_eq!(distance("FM-001", "FM-01"), 1);
        assert_eq!(distance("stewrads", "stewards"), 1);
        assert_eq!(distance("titel", "title"), 1);
        assert_eq!(distance("坊门社区", "坊门街社区"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn closest_suggests_only_slips() {
        let ids = ["FM-001", "FM-002", "ST-001"];
        assert_eq!(closest("FM-01", ids), Some("FM-001"));
        assert_eq!(closest("fm-001", ids), Some("FM-001"));
        assert_eq!(closest("FM-003", ids), None);
        assert_eq!(closest("FM001", ids), Some("FM-001"));
        assert_eq!(closest("XYZ", ids), None);
    }

    #[test]
    fn content_names_by_slip_plural_and_chinese_name() {
        for (given, dir, want) in [
            ("steward.csv", false, "stewards.csv"),
            ("Stewards.CSV", false, "stewards.csv"),
            ("stewrads.csv", false, "stewards.csv"),
            ("stuards.csv", false, "stewards.csv"),
            ("vists.csv", false, "visits.csv"),
            ("红管家名册.csv", false, "stewards.csv"),
            ("走访记录2018.toml", false, "visits.toml"),
            ("民情台账.csv", false, "cases.csv"),
            ("stewards.txt", false, "stewards.csv"),
            ("走访记录", true, "visits/"),
            ("简报", true, "bulletins/"),
        ] {
            assert_eq!(content_name(given, dir).as_deref(), Some(want), "{given}");
        }
        assert_eq!(content_name("说明.docx", false), None);
    }

    #[test]
    fn full_width_ids_fold_to_ascii() {
        assert_eq!(fold_ascii("ＦＭ－００１").as_deref(), Some("FM-001"));
        assert_eq!(
            fold_ascii("２０１８－１１－２０").as_deref(),
            Some("2018-11-20")
        );
        assert_eq!(fold_ascii("FM-001"), None);
        assert_eq!(fold_ascii("坊门"), None);
    }

    #[test]
    fn impossible_dates_say_why() {
        assert_eq!(impossible_date("2024/4/31").as_deref(), Some("4月没有31日"));
        assert_eq!(
            impossible_date("2023年2月29日").as_deref(),
            Some("2023年2月只有28天")
        );
        assert_eq!(
            impossible_date("2018-13-01").as_deref(),
            Some("没有13月，月份应为 1 到 12")
        );
        assert_eq!(impossible_date("2024-02-29"), None);
        assert_eq!(impossible_date("昨天"), None);
    }
}
