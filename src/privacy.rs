//! How people appear in public output. Residents never do; stewards by the site's choice;
//! phone and ID numbers that users type into free text are masked wherever they appear.

use std::borrow::Cow;

pub(crate) mod courtesy;
mod longest;
pub(crate) mod names;
pub(crate) mod scrub;

pub(crate) use scrub::Hidden;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// `张三丰` → `张**`: the family name stays, the rest is hidden.
pub(crate) fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

/// `13812341234` → `138****1234`, `8012345` → `80****45`; anything that is not a phone
/// number is hidden whole.
pub(crate) fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone
        .chars()
        .map(fold_char)
        .filter(char::is_ascii_digit)
        .collect();
    if digits.len() < 7 {
        return "****".to_string();
    }
    // A short number (a local landline) keeps fewer of its digits: three and four of
    // seven would be all of them.
    let (head, tail) = if digits.len() >= 11 { (3, 4) } else { (2, 2) };
    let head: String = digits[..head].iter().collect();
    let tail: String = digits[digits.len() - tail..].iter().collect();
    format!("{head}****{tail}")
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// Whether 18 characters are a resident ID number with a valid GB 11643 check digit.
pub(crate) fn is_id_number(chars: &[char]) -> bool {
    if chars.len() != 18 || !chars[..17].iter().all(char::is_ascii_digit) {
        return false;
    }
    let sum: u32 = chars[..17]
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    let want = char::from(ID_CHECK[(sum % 11) as usize]);
    chars[17].to_ascii_uppercase() == want
}

/// One character folded as NFKC folds it, when that gives a single character: `１` → `1`,
/// `＋` → `+`, `－` → `-`, the ideographic space → a space. One character stays one, so
/// a number found in the folded text is masked at the same place in the original.
pub(crate) fn fold_char(c: char) -> char {
    // ASCII and the common CJK ideographs are already NFKC; skip the table for them.
    if c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        return c;
    }
    let mut folded = std::iter::once(c).nfkc();
    match (folded.next(), folded.next()) {
        (Some(f), None) => f,
        _ => c,
    }
}

/// The NFKC form of a character whose form is one character that combines with none
/// beside it, among those Chinese text is made of: ASCII and the common ideographs (their
/// own), the full-width forms of ASCII (`，` → `,`), the ideographic space (a space) and
/// the CJK punctuation NFKC keeps (`、。《》「」【】“”`). None for any other character.
fn simple_nfkc(c: char) -> Option<char> {
    match c {
        '\0'..='\u{7F}' | '\u{4E00}'..='\u{9FFF}' => Some(c),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0),
        '\u{3000}' => Some(' '),
        '\u{3001}' | '\u{3002}' | '\u{300A}'..='\u{3011}' => Some(c),
        '\u{2018}' | '\u{2019}' | '\u{201C}' | '\u{201D}' => Some(c),
        _ => None,
    }
}

/// The whole text NFKC-normalized, borrowed when it already is.
pub(crate) fn nfkc(text: &str) -> Cow<'_, str> {
    // A city has millions of values, nearly all ASCII, common ideographs and full-width
    // punctuation: each of those has a form of one character that combines with nothing,
    // so such a text is normalized a character at a time, without the tables.
    let mut changes = false;
    for c in text.chars() {
        match simple_nfkc(c) {
            Some(f) => changes |= f != c,
            None if is_nfkc_quick(text.chars()) == IsNormalized::Yes => {
                return Cow::Borrowed(text);
            }
            None => return Cow::Owned(text.nfkc().collect()),
        }
    }
    if changes {
        Cow::Owned(text.chars().filter_map(simple_nfkc).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// A separator people type inside a number, after folding: spaces, dashes and dots.
fn is_number_separator(c: char) -> bool {
    scrub::is_separator(c)
}

/// Masks every form of personal number, contact and room number in free text that
/// [`scrub::Scrubber`] recognises, keeping no number public but 400/800 ones: for texts
/// read where the site's own numbers are not known (tests, `check` of one value).
pub fn scrub(text: &str) -> (Cow<'_, str>, Vec<Hidden>) {
    scrub::Scrubber::default().scrub(text)
}

/// `事项: 含有手机号，公开时已遮盖：…` — the masked text, never the number itself; for a
/// phone number, where it belongs instead: in a record (`in_records`), the register's
/// column that is not published, which people miss when they type the resident's number
/// into the case's summary.
pub(crate) fn privacy_warning(
    field: &str,
    hidden: &[Hidden],
    masked: &str,
    in_records: bool,
) -> String {
    let mut kinds: Vec<&str> = Vec::new();
    for label in hidden.iter().map(|h| h.label()) {
        if !kinds.contains(&label) {
            kinds.push(label);
        }
    }
    let kinds = match kinds.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}和{last}", rest.join("、")),
        _ => kinds.concat(),
    };
    let mut instead = String::new();
    if hidden.iter().any(|h| h.is_phone()) {
        instead.push_str(if in_records {
            "；电话请填在民情或红管家名册的“联系电话”列，那一列不公开"
        } else {
            "；公开的文字里不要写电话号码"
        });
    }
    if hidden.contains(&Hidden::Room) {
        instead
            .push_str("；公开的地址只写到楼幢和单元（如 12幢3单元），室号是一户人家的门牌，不公开");
    }
    if hidden.iter().any(|h| !h.is_phone() && *h != Hidden::Room) {
        instead.push_str(
            "；证件号、银行卡号、邮箱、微信、QQ 和车牌都是个人信息，请从公开的文字里删去",
        );
    }
    let done = if hidden.iter().all(|h| *h == Hidden::Room) {
        "公开时已删去室号"
    } else {
        "公开时已遮盖"
    };
    format!("{field}: 含有{kinds}，{done}：{}{instead}", excerpt(masked))
}

/// The masked text as one line of a message: a long or many-line text (a decision, a
/// body) is shown around its first masked name, so the message stays `path:line: …`;
/// escaped stars of Markdown as the stars they show.
pub(crate) fn excerpt(masked: &str) -> String {
    const WIDTH: usize = 60;
    // A Markdown body's masks are escaped (`周\*\*`): the message shows them as they read.
    let masked = masked.replace("\\*", "*");
    let flat: Vec<char> = masked
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    if flat.len() <= WIDTH {
        return flat.into_iter().collect();
    }
    let first = flat.iter().position(|&c| c == '*').unwrap_or(0);
    let start = first.saturating_sub(WIDTH / 3);
    let end = (start + WIDTH).min(flat.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.extend(&flat[start..end]);
    if end < flat.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_only_the_family_name() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("王"), "王*");
    }

    #[test]
    fn phones_keep_head_and_tail() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("138-1234-1234"), "138****1234");
        assert_eq!(mask_phone("12"), "****");
    }

    /// A valid ID number for tests: check digit computed per GB 11643.
    fn id(prefix17: &str) -> String {
        let chars: Vec<char> = prefix17.chars().collect();
        let sum: u32 = chars
            .iter()
            .zip(ID_WEIGHTS)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        format!("{prefix17}{}", char::from(ID_CHECK[(sum % 11) as usize]))
    }

    #[test]
    fn id_numbers_need_a_valid_check_digit() {
        let good = id("33080219500101123");
        assert!(is_id_number(&good.chars().collect::<Vec<_>>()));
        let mut bad: Vec<char> = good.chars().collect();
        bad[17] = if bad[17] == '0' { '1' } else { '0' };
        assert!(!is_id_number(&bad));
        // The standard's own example: 11010519491231002X.
        assert!(is_id_number(
            &"11010519491231002X".chars().collect::<Vec<_>>()
        ));
    }

    #[test]
    fn masks_every_written_form_of_a_mobile() {
        for (text, want) in [
            ("电话13812345678", "电话138****5678"),
            ("电话 138 1234 5678。", "电话 138****5678。"),
            ("138-1234-5678", "138****5678"),
            ("+86 13812345678", "138****5678"),
            ("+86-138-1234-5678", "138****5678"),
            ("+8613812345678", "138****5678"),
        ] {
            let (out, found) = scrub(text);
            assert_eq!(out, want, "{text}");
            assert_eq!(found, [Hidden::Mobile], "{text}");
        }
    }

    #[test]
    fn masks_full_width_digits_dashes_spaces_and_country_prefixes() {
        for (text, want) in [
            ("电话１３８１２３４５６７８", "电话138****5678"),
            ("电话１３８－１２３４－５６７８。", "电话138****5678。"),
            ("电话 138\u{3000}1234\u{3000}5678", "电话 138****5678"),
            ("138—1234—5678", "138****5678"),
            ("138–1234‐5678", "138****5678"),
            ("＋８６ １３８１２３４５６７８", "138****5678"),
            ("0086 13812345678", "138****5678"),
            ("008613812345678", "138****5678"),
            ("回电０086-138 1234 5678", "回电138****5678"),
        ] {
            let (out, found) = scrub(text);
            assert_eq!(out, want, "{text}");
            assert_eq!(found, [Hidden::Mobile], "{text}");
        }
        let number: String = id("33080219500101123")
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
            .collect();
        let text = format!("证件{number}，");
        let (out, found) = scrub(&text);
        assert_eq!(found, [Hidden::IdNumber]);
        assert!(
            out.starts_with("证件330802********") && out.ends_with('，'),
            "{out}"
        );
    }

    #[test]
    fn country_prefix_numbers_keep_the_text_around_them() {
        // Full-width text before and after the number is kept as typed.
        let (out, _) = scrub("（＋86）不算，电话＋8613812345678，谢谢");
        assert_eq!(out, "（＋86）不算，电话138****5678，谢谢");
    }

    #[test]
    fn number_values_are_compared_by_their_digits_in_any_form() {
        for v in [
            "13812345678",
            "１３８１２３４５６７８",
            "+86 138-1234-5678",
            "0086 138 1234 5678",
            "１３８－１２３４－５６７８",
        ] {
            assert_eq!(number_digits(v).as_deref(), Some("13812345678"), "{v}");
        }
    }

    /// The characters [`simple_nfkc`] folds on its own, one by one and two by two,
    /// come out as the normalization gives them.
    #[test]
    fn simple_characters_normalize_as_the_tables_say() {
        let simple: Vec<char> = ('\0'..='\u{FFFF}')
            .filter(|&c| simple_nfkc(c).is_some())
            .collect();
        for &c in &simple {
            let want: String = std::iter::once(c).nfkc().collect();
            assert_eq!(simple_nfkc(c).map(String::from), Some(want), "{c:?}");
        }
        // Pairs of every kind of them, ideographs at the edges of their block.
        let sample: Vec<char> = simple
            .iter()
            .copied()
            .filter(|&c| !('\u{4E01}'..='\u{9FFE}').contains(&c))
            .collect();
        for &a in &sample {
            for &b in &sample {
                let text = format!("{a}{b}");
                let want: String = text.nfkc().collect();
                assert_eq!(nfkc(&text), want.as_str(), "{text:?}");
            }
        }
    }

    #[test]
    fn a_value_is_said_to_come_from_where_the_records_first_have_it_whoever_notes_it_first() {
        // Parts of the records are noted on several threads in any order: the later
        // file's note arriving first must not make it the value's origin.
        let files = ["content/cases.csv", "content/errands.csv"];
        let noting = Noting::new(files);
        let mut later = Collector::new(&noting, Default::default());
        later.add("content/errands.csv", 2, "居民", "周大伯");
        later.add("content/errands.csv", 3, "居民", "13812345678");
        let mut earlier = Collector::new(&noting, Default::default());
        earlier.add("content/cases.csv", 90, "居民", "周大伯");
        earlier.add("content/cases.csv", 7, "联系电话", "138-1234-5678");
        earlier.add("content/cases.csv", 95, "居民", "周大伯");
        drop((later, earlier));
        let private = PrivateValues::new(noting, Default::default());
        let from = |map: &ValueMap, value: &str| {
            map.iter()
                .find(|(v, _)| *v == value)
                .map(|(_, o)| map.origin(o))
                .map(|o| format!("{}:{} {}", o.path, o.line, o.field))
        };
        assert_eq!(
            from(&private.texts, "周大伯").as_deref(),
            Some("content/cases.csv:90 居民")
        );
        assert_eq!(
            from(&private.numbers, "13812345678").as_deref(),
            Some("content/cases.csv:7 联系电话")
        );
    }

    #[test]
    fn a_value_typed_as_a_name_anywhere_is_a_name_whatever_else_it_was_typed_as() {
        let files = ["content/cases.csv", "content/errands.csv"];
        let noting = Noting::new(files);
        let resident = |text| crate::load::RawField {
            written: "居民",
            line: 40,
            column: None,
            value: crate::load::RawValue::Text(text),
        };
        // Noted as a name by the later file first, then as a plain text earlier.
        let mut later = Collector::new(&noting, Default::default());
        later.add_names("content/errands.csv", &resident("周大伯、王阿婆"));
        let mut earlier = Collector::new(&noting, Default::default());
        earlier.add("content/cases.csv", 5, "详情", "周大伯");
        earlier.add("content/cases.csv", 6, "详情", "李师傅");
        drop((later, earlier));
        let private = PrivateValues::new(noting, Default::default());
        let names: Vec<String> = private
            .names()
            .map(|(n, o)| (n, private.texts.origin(o)))
            .map(|(n, o)| format!("{n} {}:{} {}", o.path, o.line, o.field))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(
            names,
            [
                "周大伯 content/cases.csv:5 详情",
                "王阿婆 content/errands.csv:40 居民"
            ]
        );
        assert!(private.texts.iter().any(|(t, o)| t == "李师傅" && !o.name));
    }

    #[test]
    fn leaves_other_numbers_alone() {
        for text in [
            "共走访6354户",
            "12812345678",
            "138123456789",
            "2018年12月10日",
            "订单号 913812345678",
        ] {
            let (out, found) = scrub(text);
            assert_eq!(out, text);
            assert!(found.is_empty(), "{text}");
        }
    }

    #[test]
    fn id_numbers_are_found_before_phone_numbers() {
        // This ID number holds "13812345678"-like runs; it must be masked as an ID.
        let number = id("13812345678901234");
        let text = format!("身份证{number}，电话13912345678");
        let (out, found) = scrub(&text);
        assert_eq!(found, [Hidden::IdNumber, Hidden::Mobile]);
        assert_eq!(
            out,
            format!("身份证138123********{}，电话139****5678", &number[14..])
        );
    }
}

/// What people write in a 居民 column when there is no name to give: not a name, and
/// never masked in free text ("情况不详" stays as it is).
const NOT_A_NAME: &[&str] = &[
    "不详",
    "匿名",
    "未知",
    "暂无",
    "没有",
    "居民",
    "住户",
    "业主",
    "群众",
    "本人",
    "多户",
    "多人",
    "某某",
    "集体",
    "全体居民",
    "多名居民",
];

/// Where a private value came from, for a message: made from a [`Noted`] when one is
/// shown.
#[derive(Debug, Clone)]
pub(crate) struct PrivateOrigin {
    pub path: std::sync::Arc<str>,
    pub line: u32,
    pub field: std::sync::Arc<str>,
}

/// Where a private value was first seen, as the set keeps it: sixteen bytes beside each of
/// a city's half a million values, where a file's and a column's names took thirty-two.
/// The smaller the table, the more of it the processor's cache holds, and nearly every
/// lookup of reading waits for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Noted {
    /// Where the record stands in the order the input is read (see [`Noting`]): of the
    /// places a value was typed, the message names the first. The line is its low half.
    pub seen: u64,
    /// The file and column, by their number among the [`Places`].
    place: u32,
    /// Whether the value was typed somewhere as a person's name (see
    /// [`PrivateValues::names`]). Kept with the value rather than in a set of its own: a
    /// city's names were looked up in both, each time in memory not in the cache.
    pub name: bool,
}

impl Noted {
    pub(crate) fn line(&self) -> u32 {
        self.seen as u32
    }
}

/// The files and columns private values were seen in, each numbered once.
#[derive(Debug, Default, Clone)]
pub(crate) struct Places {
    list: Vec<(std::sync::Arc<str>, std::sync::Arc<str>)>,
    index: rustc_hash::FxHashMap<(String, String), u32>,
}

impl Places {
    /// The number of a file and column, numbered now if they are new.
    fn number(&mut self, path: &str, field: &str) -> u32 {
        let key = (path.to_string(), field.to_string());
        if let Some(&n) = self.index.get(&key) {
            return n;
        }
        let n = u32::try_from(self.list.len()).unwrap_or(u32::MAX);
        self.list.push((path.into(), field.into()));
        self.index.insert(key, n);
        n
    }

    /// Where a value noted so was seen.
    pub(crate) fn origin(&self, noted: &Noted) -> PrivateOrigin {
        let (path, field) = self
            .list
            .get(noted.place as usize)
            .cloned()
            .unwrap_or_else(|| ("".into(), "".into()));
        PrivateOrigin {
            path,
            line: noted.line(),
            field,
        }
    }
}

/// A private value as the set keeps it: names and phone numbers, most of a city's values,
/// are short enough to sit in the table's own slot, so that finding one reads no memory
/// besides the table and nothing is allocated to keep it.
type Key = compact_str::CompactString;

/// One kind of private value (texts, numbers or names), each with where it was first
/// seen, in shards by hash (see [`Noting`]).
#[derive(Debug, Clone)]
pub(crate) struct ValueMap {
    shards: Vec<rustc_hash::FxHashMap<Key, Noted>>,
    /// Shared by the texts and the numbers.
    pub(crate) places: std::sync::Arc<Places>,
}

/// Shards of a [`ValueMap`]: enough that two threads seldom want the same lock.
const SHARDS: usize = 64;

/// The shard of a value. From bits of the hash that the shard's own table uses for
/// neither its slot (the low bits) nor its tag (the top seven), so that the values of
/// one shard spread over its table as over a table of their own.
fn shard_of(value: &str) -> usize {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = rustc_hash::FxBuildHasher.build_hasher();
    hasher.write(value.as_bytes());
    (hasher.finish() >> 40) as usize % SHARDS
}

impl Default for ValueMap {
    fn default() -> Self {
        ValueMap {
            shards: vec![Default::default(); SHARDS],
            places: Default::default(),
        }
    }
}

impl ValueMap {
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Noted)> {
        self.shards.iter().flatten().map(|(k, o)| (k.as_str(), o))
    }

    /// Where a value noted so was seen.
    #[cfg(test)]
    pub(crate) fn origin(&self, noted: &Noted) -> PrivateOrigin {
        self.places.origin(noted)
    }

    /// Notes a value seen at line `line` of `path`, in column `field`, keeping the first
    /// place it was seen.
    #[cfg(test)]
    pub(crate) fn insert(
        &mut self,
        value: &str,
        (path, line, field): (&str, u32, &str),
        name: bool,
    ) {
        let place = std::sync::Arc::make_mut(&mut self.places).number(path, field);
        let seen = u64::from(line);
        let shard = &mut self.shards[shard_of(value)];
        match shard.get_mut(value) {
            Some(kept) => {
                keep_first(kept, seen, name, &mut || place);
            }
            None => {
                shard.insert(Key::from(value), Noted { seen, place, name });
            }
        }
    }
}

/// Every private value of the input: residents' names, phone and ID numbers, details,
/// notes, and whatever sits in columns the contract does not name. Numbers are kept as
/// their digits, so that `138-1234-5678` in the output is caught too.
#[derive(Debug, Default, Clone)]
pub(crate) struct PrivateValues {
    /// Residents' names among them (see [`PrivateValues::names`]).
    pub texts: ValueMap,
    pub numbers: ValueMap,
    /// The records' public texts by the schema's roles, to tell what is public.
    pub public: names::PublicTexts,
}

impl PrivateValues {
    /// The values noted while the records were read, and the records' public texts.
    pub(crate) fn new(noting: Noting, public: names::PublicTexts) -> Self {
        let places = std::sync::Arc::new(taken(noting.places));
        let take = |shards: Vec<std::sync::Mutex<_>>| ValueMap {
            shards: shards.into_iter().map(taken).collect(),
            places: places.clone(),
        };
        PrivateValues {
            texts: take(noting.texts),
            numbers: take(noting.numbers),
            public,
        }
    }

    /// Residents' names (and values of unknown columns that name a person): private texts,
    /// and besides masked wherever they are typed into public free text.
    pub(crate) fn names(&self) -> impl Iterator<Item = (&str, &Noted)> {
        self.texts.iter().filter(|(_, noted)| noted.name)
    }
}

/// What a lock holds, also when a thread panicked holding it (the panic is raised again
/// when that thread is joined: nothing noted is ever lost unnoticed).
fn taken<T>(lock: std::sync::Mutex<T>) -> T {
    lock.into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn locked<T>(lock: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    lock.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The private values of the records while every thread reading them notes its values
/// straight into one set, each shard behind its own lock: a city's parts once noted
/// theirs into maps of their own, merged in order on another thread, and the merge
/// alone took a tenth of reading's processor time.
///
/// Threads note in any order, so "first seen" is by the records' order, not the notes':
/// each file has its place in the order the input is read, and a value keeps the
/// earliest file and line it was seen at, as one thread reading in order would.
#[derive(Debug)]
pub(crate) struct Noting {
    texts: Vec<std::sync::Mutex<rustc_hash::FxHashMap<Key, Noted>>>,
    numbers: Vec<std::sync::Mutex<rustc_hash::FxHashMap<Key, Noted>>>,
    /// Each file's place in the order the input is read, by its path as messages show it.
    files: rustc_hash::FxHashMap<String, u64>,
    /// The files and columns values were seen in; each collector asks only for the few it
    /// has not met before.
    places: std::sync::Mutex<Places>,
    /// What the records' free texts are cleaned of (see [`scrub::Scrubber`]).
    scrubber: scrub::Scrubber,
}

impl Noting {
    /// A set for the records of `files`, listed in the order they are read.
    pub(crate) fn new<'a>(files: impl IntoIterator<Item = &'a str>) -> Self {
        let shards = || (0..SHARDS).map(|_| Default::default()).collect();
        let mut places = rustc_hash::FxHashMap::default();
        for (n, path) in (0u64..).zip(files) {
            places.entry(path.to_string()).or_insert(n);
        }
        Noting {
            texts: shards(),
            numbers: shards(),
            files: places,
            places: Default::default(),
            scrubber: Default::default(),
        }
    }

    /// The same set, whose collectors clean free texts with `scrubber` (which knows the
    /// site's own public numbers).
    pub(crate) fn with_scrubber(mut self, scrubber: scrub::Scrubber) -> Self {
        self.scrubber = scrubber;
        self
    }

    /// Notes `value` as seen at `seen` (in the file and column numbered `place`), as a
    /// person's name if `name`; says whether it had been noted so there or before.
    fn note(
        map: &[std::sync::Mutex<rustc_hash::FxHashMap<Key, Noted>>],
        value: &str,
        seen: u64,
        name: bool,
        place: &mut dyn FnMut() -> u32,
    ) -> bool {
        let mut shard = locked(&map[shard_of(value)]);
        match shard.get_mut(value) {
            Some(kept) => keep_first(kept, seen, name, place),
            None => {
                let place = place();
                shard.insert(Key::from(value), Noted { seen, place, name });
                false
            }
        }
    }
}

/// Of a value noted at `kept` and seen again at `seen`, keeps the earlier place, and that
/// the value is a name if it was either time; says whether nothing changed.
fn keep_first(kept: &mut Noted, seen: u64, name: bool, place: &mut dyn FnMut() -> u32) -> bool {
    let name = name || kept.name;
    let unchanged = kept.seen <= seen && kept.name == name;
    if kept.seen > seen {
        kept.seen = seen;
        kept.place = place();
    }
    kept.name = name;
    unchanged
}

/// Digits of a value that is a number as people write them (`+86 138-1234-5678`), if
/// it has enough of them to identify someone.
pub(crate) fn number_digits(value: &str) -> Option<String> {
    // Most private values are names and details: one character that can be in no number
    // says so without folding the text into a new string.
    let bracket = |c: char| scrub::is_open(c) || scrub::is_close(c);
    let possible = |c: char| {
        c.is_ascii_digit()
            || c == '+'
            || is_number_separator(c)
            || bracket(c)
            || matches!(c, 'X' | 'x')
            || scrub::digit_value(c).is_some()
    };
    let value = crate::load::trim(value);
    if !value.chars().all(|c| possible(fold_char(c))) {
        return None;
    }
    // ASCII is its own fold: most numbers are typed so, and need no copy.
    let folded: Cow<'_, str> = if value.is_ascii() {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(value.chars().map(fold_char).collect())
    };
    let v = folded
        .strip_prefix("+86")
        .or_else(|| folded.strip_prefix("0086"))
        .unwrap_or(&folded);
    if v.contains('+') {
        return None;
    }
    let digits: String = v
        .chars()
        .filter_map(|c| match c {
            'X' | 'x' => Some('X'),
            c => scrub::digit_value(c),
        })
        .collect();
    (digits.len() >= 7).then_some(digits)
}

/// Notes the private values of records into a [`Noting`], and their public texts: one
/// per part of the records, on the thread that reads the part.
pub(crate) struct Collector<'n> {
    noting: &'n Noting,
    pub(crate) public: names::PublicTexts,
    /// The numbers of the files and columns met so far, by path, then column (see
    /// [`Places`]).
    places: rustc_hash::FxHashMap<String, rustc_hash::FxHashMap<String, u32>>,
    /// The last file's path and place in the order (see [`Noting`]).
    file: Option<(String, u64)>,
}

impl<'n> Collector<'n> {
    /// A collector whose public texts have room for `sizes` (see [`names::Sizes`]).
    pub(crate) fn new(noting: &'n Noting, sizes: names::Sizes) -> Self {
        Collector {
            noting,
            public: names::PublicTexts::with_sizes(sizes),
            places: Default::default(),
            file: None,
        }
    }

    /// The number of the file `path` and column `field`.
    fn place(&mut self, path: &str, field: &str) -> u32 {
        if let Some(&n) = self.places.get(path).and_then(|fields| fields.get(field)) {
            return n;
        }
        let n = locked(&self.noting.places).number(path, field);
        self.places
            .entry(path.to_string())
            .or_default()
            .insert(field.to_string(), n);
        n
    }

    /// Where line `line` of `path` stands in the order the input is read.
    fn seen(&mut self, path: &str, line: u32) -> u64 {
        let file = match &self.file {
            Some((last, n)) if last == path => *n,
            _ => {
                // A path not listed (never so when reading a site) comes after all.
                let n = self
                    .noting
                    .files
                    .get(path)
                    .copied()
                    .unwrap_or(u64::from(u32::MAX));
                self.file = Some((path.to_string(), n));
                n
            }
        };
        (file << 32) | u64::from(line)
    }

    /// Remembers one private value. Texts shorter than two characters would match
    /// everywhere and identify no one.
    pub(crate) fn add(&mut self, path: &str, line: u32, field: &str, value: &str) {
        let value = crate::load::trim(value);
        let seen = self.seen(path, line);
        let noting = self.noting;
        let mut origin = || self.place(path, field);
        if let Some(digits) = number_digits(value) {
            Noting::note(&noting.numbers, &digits, seen, false, &mut origin);
        } else if value.chars().count() >= 2 && !value.chars().all(|c| c.is_ascii_digit()) {
            // Both as typed and NFKC-normalized: the page may show either form. A text
            // seen before was noted with its NFKC form then (every text noted is NFKC or
            // noted beside its NFKC form): most private texts repeat, and are not
            // normalized again.
            if Noting::note(&noting.texts, value, seen, false, &mut origin) {
                return;
            }
            let normal = nfkc(value);
            if normal != value {
                Noting::note(&noting.texts, &normal, seen, false, &mut origin);
            }
        }
    }

    /// The private fields and unknown columns of one raw record, and its public texts by
    /// the schema's roles; `stewards` gives a steward's name by id (see
    /// [`names::PublicTexts::collect`]).
    pub(crate) fn collect(
        &mut self,
        kind: crate::schema::Kind,
        rec: &crate::load::RawRecord<'_>,
        stewards: &dyn Fn(&str) -> Option<String>,
    ) {
        use crate::schema::TextRole;
        for (i, spec) in kind.fields().iter().enumerate() {
            let Some(f) = rec.get(i) else { continue };
            if spec.privacy == crate::schema::Privacy::Private {
                self.add_value(rec.path, f);
            }
            if spec.text == TextRole::PersonName {
                self.add_names(rec.path, f);
            }
        }
        for f in &rec.unknown {
            self.add_value(rec.path, f);
            if crate::schema::names_a_person(f.written) {
                self.add_names(rec.path, f);
            }
        }
        self.public
            .collect(kind, rec, &self.noting.scrubber, stewards);
    }

    /// A person's name, or several in a list cell (`周大伯、王阿婆`).
    fn add_names(&mut self, path: &str, f: &crate::load::RawField<'_>) {
        if f.value.is_blank() {
            return;
        }
        let seen = self.seen(path, f.line);
        let noting = self.noting;
        let mut add = |text: &str| {
            // A name listed twice is noted once either way.
            for name in crate::schema::list_items(text) {
                let normal = nfkc(name);
                let name = normal.trim();
                if name.chars().count() >= 2
                    && number_digits(name).is_none()
                    && !NOT_A_NAME.contains(&name)
                {
                    // Residents' names repeat from record to record: one seen before is
                    // not copied, nor its origin made, again.
                    let mut origin = || self.place(path, f.written);
                    // Each name of a list is looked for on its own by the guard too.
                    Noting::note(&noting.texts, name, seen, true, &mut origin);
                }
            }
        };
        match &f.value {
            crate::load::RawValue::Text(s) => add(s),
            crate::load::RawValue::List(items) => {
                for item in items {
                    if let crate::load::RawValue::Text(s) = item {
                        add(s);
                    }
                }
            }
            _ => {}
        }
    }

    fn add_value(&mut self, path: &str, f: &crate::load::RawField<'_>) {
        match &f.value {
            crate::load::RawValue::Text(s) => self.add(path, f.line, f.written, s),
            crate::load::RawValue::Integer(i) => self.add(path, f.line, f.written, &i.to_string()),
            crate::load::RawValue::List(items) => {
                for item in items {
                    if let crate::load::RawValue::Text(s) = item {
                        self.add(path, f.line, f.written, s);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A private value as a message may show it: enough to find it, not enough to read it.
pub(crate) fn preview(value: &str) -> String {
    if let Some(digits) = number_digits(value) {
        return mask_phone(&digits);
    }
    let mut chars = value.chars();
    let first: String = chars.next().into_iter().collect();
    format!("{first}{}", "*".repeat(chars.count().clamp(1, 6)))
}

#[cfg(test)]
pub(crate) mod properties {
    use super::*;
    use proptest::prelude::*;

    /// A mobile number as someone might type it: each digit half- or full-width, any
    /// separator between the groups, maybe a country prefix.
    pub(crate) fn typed_mobile() -> impl Strategy<Value = (String, String)> {
        (
            "1[3-9][0-9]{9}",
            proptest::collection::vec(any::<bool>(), 11),
            prop::sample::select(vec!["", " ", "-", "－", "\u{3000}", "—", "–"]),
            prop::sample::select(vec!["", "+86", "＋８６", "0086", "+86 ", "0086-"]),
        )
            .prop_map(|(digits, wide, sep, prefix)| {
                let mut typed = prefix.to_string();
                for (i, (c, w)) in digits.chars().zip(wide).enumerate() {
                    if i == 3 || i == 7 {
                        typed.push_str(sep);
                    }
                    typed.push(if w {
                        char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
                    } else {
                        c
                    });
                }
                (typed, digits)
            })
    }

    /// Text around a number that holds no digit.
    pub(crate) fn words() -> impl Strategy<Value = String> {
        "[住户反映电话，。：（）a-z ]{0,8}"
    }

    /// Text of common ideographs, ASCII, full-width forms, compatibility characters and
    /// combining marks, the edges of the ideographs' block among them.
    fn mixed_text() -> impl Strategy<Value = String> {
        "[周王大伯一\u{9FFF}\u{4DFF}\u{A000}aZ1 ,ａＡ１，：\u{3000}ﬁ①\u{301}e\u{F900}]{0,8}"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn nfkc_is_the_normal_form_and_borrows_text_already_normal(text in mixed_text()) {
            let normal: String = text.nfkc().collect();
            let got = nfkc(&text);
            prop_assert_eq!(got.as_ref(), normal.as_str());
            // Borrowed only when already normal; always for ASCII and common ideographs.
            let borrowed = matches!(got, Cow::Borrowed(_));
            prop_assert!(!borrowed || normal == text);
            let plain = text.chars().all(|c| c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c));
            prop_assert!(borrowed || !plain);
        }

        /// A value noted again, or noted after its NFKC form, changes neither the texts
        /// kept nor where each was first seen.
        #[test]
        fn texts_noted_again_are_kept_as_when_first_seen(
            values in proptest::collection::vec(mixed_text(), 1..24),
        ) {
            let noting = Noting::new(["content/cases.csv"]);
            let mut collector = Collector::new(&noting, Default::default());
            let mut plain: std::collections::BTreeMap<String, u32> = Default::default();
            for (line, value) in (1u32..).zip(&values) {
                collector.add("content/cases.csv", line, "详情", value);
                let value = value.trim();
                if number_digits(value).is_some()
                    || value.chars().count() < 2
                    || value.chars().all(|c| c.is_ascii_digit())
                {
                    continue;
                }
                let normal: String = value.nfkc().collect();
                plain.entry(normal).or_insert(line);
                plain.entry(value.to_string()).or_insert(line);
            }
            let public = collector.public;
            let noted = PrivateValues::new(noting, public);
            let kept: std::collections::BTreeMap<String, u32> = noted
                .texts
                .iter()
                .map(|(text, noted)| (text.to_string(), noted.line()))
                .collect();
            prop_assert_eq!(kept, plain);
        }

        #[test]
        fn every_typed_mobile_is_masked_and_the_text_around_it_kept(
            (typed, digits) in typed_mobile(),
            before in words(),
            after in words(),
        ) {
            let text = format!("{before}{typed}{after}");
            let (out, found) = scrub(&text);
            prop_assert_eq!(found, vec![Hidden::Mobile]);
            let want = format!("{before}{}{after}", mask_phone(&digits));
            prop_assert_eq!(out.as_ref(), want.as_str());
            prop_assert_eq!(number_digits(&typed), Some(digits));
        }
    }
}
