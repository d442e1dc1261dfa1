//! What public free text is cleaned of as it is read: every written form of a phone, ID,
//! bank card, e-mail, WeChat or QQ account and vehicle plate, and the room or door number
//! of a household's address (cut back to the building and its stairwell, the programme's
//! public grain). Residents' names and courtesy names need every record first and are
//! masked later (see `names.rs`).
//!
//! A text is looked at in one pass that only counts what could start a form (digits in any
//! form, `@`, a label, a room's suffix, a province's abbreviation); nearly every text of a
//! city stops there. Only a text that could hold one is folded (NFKC one character at a
//! time, so a form found in the folded text is masked at the same place in the original)
//! and scanned position by position. Digits are read in every form people type: ASCII,
//! full-width, Chinese numerals (〇一二…九, 幺 as on the phone), with single spaces,
//! dashes or dots between groups and an area code in any bracket.
//!
//! Public numbers stay as written: the site's own (footer phone and e-mail in `site.toml`),
//! hotlines (12345, 95598: too short to be any form here) and 400/800 numbers.

use std::borrow::Cow;

use rustc_hash::FxHashSet as HashSet;

use super::fold_char;

/// What [`Scrubber::scrub`] found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hidden {
    /// A resident ID number, 18 digits (GB 11643 check digit) or the old 15.
    IdNumber,
    /// A mainland mobile number.
    Mobile,
    /// A landline with its area code.
    Landline,
    /// A bank card number (16 to 19 digits, Luhn check digit).
    BankCard,
    /// An e-mail address.
    Email,
    /// A WeChat account, by its label (微信：…) or its form (wxid_…).
    WeChat,
    /// A QQ number, by its label.
    Qq,
    /// A vehicle plate.
    Plate,
    /// A room or door number of a household's address.
    Room,
}

impl Hidden {
    /// What the user calls it, in messages.
    pub fn label(self) -> &'static str {
        match self {
            Hidden::IdNumber => "身份证号",
            Hidden::Mobile => "手机号",
            Hidden::Landline => "固定电话",
            Hidden::BankCard => "银行卡号",
            Hidden::Email => "电子邮箱",
            Hidden::WeChat => "微信号",
            Hidden::Qq => "QQ号",
            Hidden::Plate => "车牌号",
            Hidden::Room => "室号",
        }
    }

    /// Whether it is a phone number, which belongs in a record's private phone column.
    pub(crate) fn is_phone(self) -> bool {
        matches!(self, Hidden::Mobile | Hidden::Landline)
    }
}

/// The site's own public numbers and e-mail addresses, kept as written wherever they are
/// typed; everything else [`Scrubber::scrub`] recognises is masked.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scrubber {
    /// Digits of each number the site publishes itself, with and without a country prefix.
    numbers: HashSet<String>,
    /// Its e-mail addresses, in lower case.
    emails: HashSet<String>,
}

impl Scrubber {
    /// The numbers and addresses in the site's own texts (`site.toml`'s footer, title,
    /// masthead…) are public.
    pub(crate) fn new<'a>(public: impl IntoIterator<Item = &'a str>) -> Self {
        let mut s = Scrubber::default();
        for text in public {
            for digits in number_runs(text) {
                if let Some(rest) = digits.strip_prefix("0086").or(digits.strip_prefix("86")) {
                    s.numbers.insert(rest.to_string());
                }
                s.numbers.insert(digits);
            }
            let text = TextView::new(text);
            for (start, end) in text.emails() {
                s.emails.insert(text.folded(start, end).to_lowercase());
            }
        }
        s
    }

    fn is_public(&self, digits: &str) -> bool {
        self.numbers.contains(digits) || public_by_rule(digits)
    }

    /// Masks every recognised form in `text` (see the module's comment) and says what it
    /// hid; the rest of the text is kept as written. In Markdown (`markdown`) the stars
    /// of a mask are escaped, so that two masks on a line never read as emphasis.
    pub(crate) fn scrub_text<'t>(
        &self,
        text: &'t str,
        markdown: bool,
    ) -> (Cow<'t, str>, Vec<Hidden>) {
        if !may_hide(text) {
            return (Cow::Borrowed(text), Vec::new());
        }
        self.scan(text, markdown)
    }

    /// [`Scrubber::scrub_text`] without the cheap look first.
    fn scan<'t>(&self, text: &'t str, markdown: bool) -> (Cow<'t, str>, Vec<Hidden>) {
        let view = TextView::new(text);
        let emails = view.emails();
        let mut out = String::with_capacity(text.len() + 8);
        let mut found = Vec::new();
        let star = |out: &mut String, masked: &str| {
            if markdown {
                out.push_str(&masked.replace('*', "\\*"));
            } else {
                out.push_str(masked);
            }
        };
        let chars = &view.chars;
        let mut i = 0;
        let mut emails = emails.into_iter().peekable();
        // Right after a mask the text reads as the mask does, not as what it hid: a form
        // found after `zhang_1958` is found after `z***` too, so cleaning twice finds
        // nothing more.
        let mut fresh = false;
        while i < chars.len() {
            while emails.next_if(|&(_, end)| end <= i).is_some() {}
            if let Some(&(start, end)) = emails.peek()
                && start == i
            {
                let address = view.folded(start, end);
                if self.emails.contains(&address.to_lowercase()) {
                    out.push_str(view.original(start, end));
                } else {
                    star(&mut out, &mask_email(&address));
                    found.push(Hidden::Email);
                    fresh = true;
                }
                i = end;
                continue;
            }
            // An address takes its characters first: no form ends inside one.
            let next_email = emails.peek().map_or(usize::MAX, |&(start, _)| start);
            if let Some(m) = self
                .form_at(chars, i, fresh)
                .filter(|m| m.end <= next_email)
            {
                out.push_str(view.original(i, m.keep_until));
                star(&mut out, &m.masked);
                found.push(m.kind);
                i = m.end;
                fresh = true;
                continue;
            }
            out.push_str(view.original(i, i + 1));
            i += 1;
            fresh = false;
        }
        if found.is_empty() {
            (Cow::Borrowed(text), found)
        } else {
            (Cow::Owned(out), found)
        }
    }

    /// [`Scrubber::scrub_text`] of text that is not Markdown.
    pub(crate) fn scrub<'t>(&self, text: &'t str) -> (Cow<'t, str>, Vec<Hidden>) {
        self.scrub_text(text, false)
    }

    /// A form starting at `i` of the folded text, if any; `fresh` right after a mask.
    fn form_at(&self, chars: &[char], i: usize, fresh: bool) -> Option<Found> {
        let c = chars[i];
        let after_digit = !fresh && i > 0 && digit_value(chars[i - 1]).is_some();
        if let Some(found) = labelled_account(chars, i, fresh) {
            return Some(found);
        }
        if c == 'w' && starts_with(chars, i, "wxid_") && (fresh || !letter_before(chars, i)) {
            let end = (i + 5..chars.len())
                .find(|&j| !chars[j].is_ascii_alphanumeric() && chars[j] != '_')
                .unwrap_or(chars.len());
            if end >= i + 11 {
                return Some(Found::new(Hidden::WeChat, i + 5, end, "***".to_string()));
            }
        }
        if is_province(c)
            && let Some(found) = plate_at(chars, i)
        {
            return Some(found);
        }
        // A bracket starts a number of its own whatever stands before it; a digit only
        // where no digit does (none is looked for inside another number).
        if is_open(c) {
            return self.number_at(chars, i);
        }
        if after_digit {
            return None;
        }
        if (c.is_ascii_digit() || is_separator(c))
            && let Some(found) = room_at(chars, i, fresh)
        {
            return Some(found);
        }
        if digit_value(c).is_some() || c == '+' {
            return self.number_at(chars, i);
        }
        None
    }

    /// A phone, ID or bank card number starting at `i`: `+86`/`0086` and a mobile, an ID
    /// (18, then 15 digits), a bank card, a mobile, a landline, in that order.
    fn number_at(&self, chars: &[char], i: usize) -> Option<Found> {
        let (plus, from) = if chars[i] == '+' {
            (true, i + 1)
        } else {
            (false, i)
        };
        let digits = read_digits(chars, from, 23);
        if digits.is_empty() {
            return None;
        }
        let text: String = digits.iter().map(|d| d.digit).collect();
        let fits = |n: usize| {
            digits.len() >= n
                && !digits[..n - 1].iter().any(|d| d.digit == 'X')
                && chars
                    .get(digits[n - 1].after)
                    .is_none_or(|&c| digit_value(c).is_none())
        };
        // A bracket the number does not close is the text's, not the number's; so is one
        // right after digits or a mask, which keeps the two apart.
        let opened = is_open(chars[i]);
        let joined = i > 0 && (digit_value(chars[i - 1]).is_some() || chars[i - 1] == '*');
        let found = |kind, n: usize, masked: String| {
            let keep = usize::from(opened && (!digits[n - 1].closed || joined));
            Some(Found::new(kind, i + keep, digits[n - 1].after, masked))
        };
        let prefix = if plus && text.starts_with("86") {
            Some(2)
        } else if !plus && text.starts_with("0086") {
            Some(4)
        } else {
            None
        };
        if let Some(p) = prefix
            && fits(p + 11)
            && is_mobile(&text[p..p + 11])
        {
            let number = &text[p..p + 11];
            if self.is_public(number) {
                return None;
            }
            return found(Hidden::Mobile, p + 11, super::mask_phone(number));
        }
        if plus {
            return None;
        }
        if fits(18) && super::is_id_number(&text.chars().take(18).collect::<Vec<_>>()) {
            let id = &text[..18];
            return found(
                Hidden::IdNumber,
                18,
                format!("{}********{}", &id[..6], &id[14..]),
            );
        }
        if text.contains('X') {
            return None;
        }
        for n in (16..=19).rev() {
            if fits(n) && is_bank_card(&text[..n]) {
                let card = &text[..n];
                if self.is_public(card) {
                    return None;
                }
                return found(
                    Hidden::BankCard,
                    n,
                    format!("{}****{}", &card[..4], &card[n - 4..]),
                );
            }
        }
        if fits(15) && is_old_id_number(&text[..15]) {
            let id = &text[..15];
            return found(
                Hidden::IdNumber,
                15,
                format!("{}******{}", &id[..6], &id[12..]),
            );
        }
        if fits(11) && is_mobile(&text[..11]) {
            let number = &text[..11];
            if self.is_public(number) {
                return None;
            }
            return found(Hidden::Mobile, 11, super::mask_phone(number));
        }
        let n = landline(&digits, &text, fits)?;
        let number = &text[..n];
        if self.is_public(number) {
            return None;
        }
        let area = area_code_length(number);
        let local = &number[area..];
        let masked = format!(
            "{}-{}{}",
            &number[..area],
            "*".repeat(local.len() - 2),
            &local[local.len() - 2..]
        );
        found(Hidden::Landline, n, masked)
    }
}

/// What was found at a place: the original from the start up to `keep_until` is kept as
/// written (a label), then `masked` stands for the rest up to `end`.
struct Found {
    kind: Hidden,
    keep_until: usize,
    end: usize,
    masked: String,
}

impl Found {
    fn new(kind: Hidden, keep_until: usize, end: usize, masked: String) -> Self {
        Found {
            kind,
            keep_until,
            end,
            masked,
        }
    }
}

/// A text as the scan sees it: each character folded, with where it starts in the original.
struct TextView<'t> {
    original: &'t str,
    chars: Vec<char>,
    /// Byte offset of each character in `original`, and the length at the end.
    starts: Vec<usize>,
}

impl<'t> TextView<'t> {
    fn new(original: &'t str) -> Self {
        // Chinese text takes three bytes a character.
        let mut chars = Vec::with_capacity(original.len() / 2 + 1);
        let mut starts = Vec::with_capacity(original.len() / 2 + 2);
        for (at, c) in original.char_indices() {
            chars.push(fold_char(c));
            starts.push(at);
        }
        starts.push(original.len());
        TextView {
            original,
            chars,
            starts,
        }
    }

    fn original(&self, start: usize, end: usize) -> &'t str {
        &self.original[self.starts[start]..self.starts[end]]
    }

    fn folded(&self, start: usize, end: usize) -> String {
        self.chars[start..end].iter().collect()
    }

    /// The e-mail addresses, as character ranges: a local part of ASCII letters, digits
    /// and `._%+-`, `@`, a domain of at least two labels, the last of letters.
    fn emails(&self) -> Vec<(usize, usize)> {
        let chars = &self.chars;
        let local = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
        let label = |c: char| c.is_ascii_alphanumeric() || c == '-';
        let mut found: Vec<(usize, usize)> = Vec::new();
        for (at, _) in chars.iter().enumerate().filter(|(_, c)| **c == '@') {
            if found.last().is_some_and(|&(_, end)| end > at) {
                continue;
            }
            let mut start = at;
            while start > 0 && local(chars[start - 1]) {
                start -= 1;
            }
            while start < at && chars[start] == '.' {
                start += 1;
            }
            if start == at || found.last().is_some_and(|&(_, end)| end > start) {
                continue;
            }
            let mut end = at + 1;
            let mut last_label = (end, end);
            let mut labels = 0;
            loop {
                let label_start = end;
                while end < chars.len() && label(chars[end]) {
                    end += 1;
                }
                if end == label_start {
                    break;
                }
                labels += 1;
                last_label = (label_start, end);
                if end + 1 < chars.len() && chars[end] == '.' && label(chars[end + 1]) {
                    end += 1;
                } else {
                    break;
                }
            }
            let tld = &chars[last_label.0..last_label.1];
            // A domain that runs into the next `@` is the next address's local part.
            let runs_on = chars.get(last_label.1) == Some(&'@');
            if labels >= 2
                && tld.len() >= 2
                && tld.iter().all(char::is_ascii_alphabetic)
                && !runs_on
            {
                found.push((start, last_label.1));
            }
        }
        found
    }
}

/// `zhangsan@qq.com` → `z***@qq.com`.
fn mask_email(address: &str) -> String {
    let (local, domain) = address.split_once('@').unwrap_or((address, ""));
    let first: String = local.chars().take(1).collect();
    format!("{first}***@{domain}")
}

/// The cheap look at a whole text: whether it could hold any recognised form at all. A
/// city's summaries are mostly like `20幢3单元燃气管道老化`: counted, and a stairwell
/// looked past, without folding the text or reading it twice.
fn may_hide(text: &str) -> bool {
    let (mut digits, mut ascii_digits, mut run, mut dashes) = (0usize, 0usize, 0usize, 0usize);
    let (mut label, mut province, mut letter) = (false, false, false);
    let mut before = '\0';
    for (at, c) in text.char_indices() {
        // Nearly every character of a summary is a common ideograph none of the forms
        // starts or ends with: one bit says so.
        if !interesting_ideograph(c) {
            run = 0;
            before = c;
            continue;
        }
        let ascii_digit = c.is_ascii_digit() || ('０'..='９').contains(&c);
        if ascii_digit {
            digits += 1;
            ascii_digits += 1;
            run += 1;
            before = c;
            continue;
        }
        let digits_before = run;
        run = 0;
        match c {
            '〇' | '零' | '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '幺' =>
            {
                digits += 1;
            }
            '@' | '＠' => return true,
            '-' | '－' | '—' | '–' | '‐' | '‑' | '‒' | '−' => dashes += 1,
            'q' | 'Q' | 'w' | 'W' | 'v' | 'V' | 'ｑ' | 'Ｑ' | 'ｗ' | 'Ｗ' | 'ｖ' | 'Ｖ' => {
                label = true;
                letter = true;
            }
            'a'..='z' | 'A'..='Z' | 'ａ'..='ｚ' | 'Ａ'..='Ｚ' => letter = true,
            '微' | '薇' | '扣' | '信' => label = true,
            // A room's own suffix after its number; a room after a building or unit.
            '室' | '房' if digits_before >= 1 => return true,
            '幢' | '栋' | '座' if room_may_follow(&text[at + c.len_utf8()..], false) => {
                return true;
            }
            '楼' if before == '号' && room_may_follow(&text[at + c.len_utf8()..], false) => {
                return true;
            }
            '元' if before == '单' && room_may_follow(&text[at + c.len_utf8()..], true) => {
                return true;
            }
            c if is_province(c) => province = true,
            _ => {}
        }
        before = c;
    }
    digits >= 10
        || (label && (digits >= 5 || letter))
        || (province && letter && ascii_digits >= 2)
        || (dashes >= 2 && ascii_digits >= 5)
        || (letter && text.contains("wxid_"))
}

/// The common ideographs [`may_hide`] looks at: numerals, a room's and a stairwell's
/// words, labels of accounts, provinces; one bit each.
const IDEOGRAPHS: [u64; 0x5200 / 64] = {
    const WORDS: &str = "〇零一二三四五六七八九幺室房幢栋座楼元单号微薇扣信京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
    let mut bits = [0u64; 0x5200 / 64];
    let bytes = WORDS.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Three bytes of UTF-8 each.
        let c = ((bytes[i] as u32 & 0x0F) << 12)
            | ((bytes[i + 1] as u32 & 0x3F) << 6)
            | (bytes[i + 2] as u32 & 0x3F);
        if c >= 0x4E00 && c < 0xA000 {
            let n = (c - 0x4E00) as usize;
            bits[n / 64] |= 1 << (n % 64);
        }
        i += 3;
    }
    bits
};

/// Whether `c` is anything but a common ideograph [`IDEOGRAPHS`] leaves out.
fn interesting_ideograph(c: char) -> bool {
    match (c as usize).checked_sub(0x4E00) {
        Some(n) if n < 0x5200 => IDEOGRAPHS[n / 64] & (1 << (n % 64)) != 0,
        _ => true,
    }
}

/// Whether the text right after a building (or, `unit`, a unit) could be a room: past
/// one space or dash, digits and a suffix, three or four digits, or (after a building)
/// a unit and a room joined by a dash.
fn room_may_follow(rest: &str, unit: bool) -> bool {
    let mut chars = rest.chars().peekable();
    // One space or dash between may go.
    let _ = chars.next_if(|&c| matches!(c, ' ' | '\u{3000}' | '-' | '－' | '—' | '–'));
    let mut n = 0;
    while chars
        .next_if(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .is_some()
    {
        n += 1;
    }
    if n == 0 {
        return false;
    }
    match chars.next() {
        Some('室' | '房') => true,
        Some('号' | '楼' | '层') if unit => true,
        Some('-' | '－' | '—' | '–') if !unit && n <= 2 => true,
        Some(c) if c.is_ascii_alphanumeric() || is_measure(c) || c == '.' => false,
        _ => (3..=4).contains(&n),
    }
}

/// The value of a digit in any form, as an ASCII digit: `7`, `７` (after folding),
/// `七`, `〇`/`零`, and `幺` (one, as read out on the phone).
pub(crate) fn digit_value(c: char) -> Option<char> {
    Some(match c {
        '0'..='9' => c,
        '〇' | '零' => '0',
        '一' | '幺' => '1',
        '二' => '2',
        '三' => '3',
        '四' => '4',
        '五' => '5',
        '六' => '6',
        '七' => '7',
        '八' => '8',
        '九' => '9',
        _ => return None,
    })
}

/// A separator people type between groups of a number, after folding: spaces, dashes
/// and dots.
pub(crate) fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// Brackets around an area code, after folding: `(`, `[`, `【`, `〔`, `〖`.
pub(crate) fn is_open(c: char) -> bool {
    matches!(c, '(' | '[' | '【' | '〔' | '〖')
}

pub(crate) fn is_close(c: char) -> bool {
    matches!(c, ')' | ']' | '】' | '〕' | '〗')
}

/// One digit of a number as read: its value, and the index just after it.
#[derive(Debug, Clone, Copy)]
struct Digit {
    digit: char,
    after: usize,
    /// Whether a separator or bracket stands before it (a new group starts).
    gap: bool,
    /// Whether the bracket the number opened with closes before it.
    closed: bool,
}

/// Up to `max` digits of a number written from `i`: an opening bracket first if any, then
/// digits with at most one separator between two of them, or a closing bracket (and one
/// separator) after the bracketed group. An `X` may stand as the 18th, an ID's check
/// character.
fn read_digits(chars: &[char], i: usize, max: usize) -> Vec<Digit> {
    let mut out: Vec<Digit> = Vec::new();
    let mut j = i;
    let mut open = chars.get(j).copied().is_some_and(is_open);
    if open {
        j += 1;
    }
    let mut gap = false;
    let mut closed = false;
    while out.len() < max {
        let Some(&c) = chars.get(j) else { break };
        if let Some(d) = digit_value(c) {
            out.push(Digit {
                digit: d,
                after: j + 1,
                gap,
                closed,
            });
            gap = false;
            j += 1;
            continue;
        }
        if matches!(c, 'X' | 'x') && out.len() == 17 {
            out.push(Digit {
                digit: 'X',
                after: j + 1,
                gap,
                closed,
            });
            break;
        }
        if out.is_empty() {
            break;
        }
        // A separator, or a bracket closing the first group, then a digit.
        let mut k = j;
        if open && is_close(c) {
            open = false;
            closed = true;
            k += 1;
            if chars.get(k).copied().is_some_and(is_separator) {
                k += 1;
            }
        } else if is_separator(c) && !gap {
            k += 1;
        } else {
            break;
        }
        if chars.get(k).copied().and_then(digit_value).is_none() {
            break;
        }
        gap = true;
        j = k;
    }
    out
}

/// Digit runs of a text as [`read_digits`] joins them (at least 5 digits), for the site's
/// own numbers.
fn number_runs(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().map(fold_char).collect();
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = digit_value(chars[i]).is_some() || is_open(chars[i]);
        if starts && (i == 0 || digit_value(chars[i - 1]).is_none()) {
            let digits = read_digits(&chars, i, usize::MAX);
            if let Some(last) = digits.last() {
                if digits.len() >= 5 {
                    runs.push(digits.iter().map(|d| d.digit).collect());
                }
                i = last.after;
                continue;
            }
        }
        i += 1;
    }
    runs
}

fn is_mobile(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

/// The length of a landline's area code: 010 and 02x have three digits, the others four.
fn area_code_length(digits: &str) -> usize {
    match digits.as_bytes().get(1) {
        Some(b'1' | b'2') => 3,
        _ => 4,
    }
}

/// The digits of a landline with its area code at the start of `digits`: the code in a
/// group of its own (`0570-8012345`, `(0570)8012345`) or written together with the number
/// (`05708012345`), then a local number of 7 or 8 digits in one group.
fn landline(digits: &[Digit], text: &str, fits: impl Fn(usize) -> bool) -> Option<usize> {
    let b = text.as_bytes();
    if b.len() < 10 || b[0] != b'0' || b[1] == b'0' {
        return None;
    }
    let area = area_code_length(text);
    for local in [8, 7] {
        let n = area + local;
        if !fits(n) {
            continue;
        }
        // Written together, or the area code a group of its own and the number one.
        let mut gaps = digits[..n].iter().enumerate().filter(|(_, d)| d.gap);
        match (gaps.next(), gaps.next()) {
            (None, _) => return Some(n),
            (Some((k, _)), None) if k == area => return Some(n),
            _ => {}
        }
    }
    None
}

/// Numbers everyone may publish: 400 and 800 service numbers; hotlines (12345, 95598,
/// 110) are shorter than any form recognised here and never looked at.
pub(crate) fn public_by_rule(digits: &str) -> bool {
    digits.len() == 10 && (digits.starts_with("400") || digits.starts_with("800"))
}

/// 16 to 19 digits, the first 3 to 6 (UnionPay, Visa, Mastercard, Amex), with a valid
/// Luhn check digit.
fn is_bank_card(digits: &str) -> bool {
    let b = digits.as_bytes();
    if !(16..=19).contains(&b.len()) || !(b'3'..=b'6').contains(&b[0]) {
        return false;
    }
    let sum: u32 = b
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A first-generation ID number: 15 digits, a region (first digit 1 to 8), then a birth
/// date `YYMMDD` that can be a date, then three digits.
fn is_old_id_number(digits: &str) -> bool {
    let b = digits.as_bytes();
    if b.len() != 15 || !(b'1'..=b'8').contains(&b[0]) {
        return false;
    }
    let two = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
    (1..=12).contains(&two(8)) && (1..=31).contains(&two(10))
}

fn starts_with(chars: &[char], i: usize, word: &str) -> bool {
    (i..)
        .zip(word.chars())
        .all(|(j, w)| chars.get(j) == Some(&w))
}

fn letter_before(chars: &[char], i: usize) -> bool {
    i > 0 && chars[i - 1].is_ascii_alphabetic()
}

/// A QQ number or a WeChat account after its label (`QQ：12345678`, `微信号 zhang_1958`,
/// `wx: abc123`): the label is kept, the account masked.
fn labelled_account(chars: &[char], i: usize, fresh: bool) -> Option<Found> {
    const QQ: &[&str] = &["QQ号码", "QQ号", "QQ", "qq号", "qq", "Qq", "扣扣号", "扣扣"];
    const WECHAT: &[&str] = &[
        "微信号",
        "微信",
        "薇信",
        "V信",
        "v信",
        "WeChat",
        "Wechat",
        "wechat",
        "weixin",
        "wx",
        "WX",
        "vx",
        "VX",
    ];
    let c = chars[i];
    if !matches!(c, 'Q' | 'q' | '扣' | '微' | '薇' | 'V' | 'v' | 'W' | 'w')
        || (!fresh && letter_before(chars, i))
    {
        return None;
    }
    let (kind, label) = QQ
        .iter()
        .map(|l| (Hidden::Qq, *l))
        .chain(WECHAT.iter().map(|l| (Hidden::WeChat, *l)))
        .find(|(_, l)| starts_with(chars, i, l))?;
    let mut j = i + label.chars().count();
    // An ASCII label is a word of its own: not the start of a longer one.
    if label.is_ascii() && chars.get(j).is_some_and(char::is_ascii_alphabetic) {
        return None;
    }
    // `：`, `是`, spaces between the label and the account.
    while chars
        .get(j)
        .is_some_and(|&c| matches!(c, ':' | ' ' | '是' | '为' | '号'))
    {
        j += 1;
    }
    let start = j;
    let first = *chars.get(start)?;
    if kind == Hidden::Qq || first.is_ascii_digit() {
        // A number: QQ's 5 to 11 digits. A WeChat account that is a phone number is the
        // phone's to mask.
        let end = (start..chars.len())
            .find(|&k| !chars[k].is_ascii_digit())
            .unwrap_or(chars.len());
        let digits: String = chars[start..end].iter().collect();
        if !(5..=11).contains(&digits.len()) || digits.starts_with('0') || is_mobile(&digits) {
            return None;
        }
        let masked = if digits.len() >= 7 {
            format!(
                "{}{}{}",
                &digits[..2],
                "*".repeat(digits.len() - 4),
                &digits[digits.len() - 2..]
            )
        } else {
            "*".repeat(digits.len())
        };
        return Some(Found::new(kind, start, end, masked));
    }
    // A WeChat account: a letter, then 5 to 19 letters, digits, `_` or `-`.
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let end = (start..chars.len())
        .find(|&k| !(chars[k].is_ascii_alphanumeric() || matches!(chars[k], '_' | '-')))
        .unwrap_or(chars.len());
    // Nor runs into a mask (`zhang_1958wxid_***`).
    if !(6..=20).contains(&(end - start)) || chars.get(end) == Some(&'*') {
        return None;
    }
    Some(Found::new(kind, start, end, format!("{first}***")))
}

/// The abbreviations of the provinces that start a vehicle plate.
fn is_province(c: char) -> bool {
    matches!(
        c,
        '京' | '津'
            | '沪'
            | '渝'
            | '冀'
            | '豫'
            | '云'
            | '辽'
            | '黑'
            | '湘'
            | '皖'
            | '鲁'
            | '新'
            | '苏'
            | '浙'
            | '赣'
            | '鄂'
            | '桂'
            | '甘'
            | '晋'
            | '蒙'
            | '陕'
            | '吉'
            | '闽'
            | '贵'
            | '粤'
            | '青'
            | '藏'
            | '川'
            | '宁'
            | '琼'
    )
}

/// A vehicle plate at `i`: a province, a letter, an optional `·`, then five letters and
/// digits (six on a new-energy plate), at least two of them digits.
fn plate_at(chars: &[char], i: usize) -> Option<Found> {
    let letter = *chars.get(i + 1)?;
    if !letter.is_ascii_alphabetic() {
        return None;
    }
    let mut j = i + 2;
    if chars
        .get(j)
        .is_some_and(|&c| matches!(c, '·' | '•' | '・' | '‧' | '∙' | '.' | '-' | ' '))
    {
        j += 1;
    }
    let end = (j..chars.len())
        .find(|&k| !chars[k].is_ascii_alphanumeric())
        .unwrap_or(chars.len());
    let n = end - j;
    let digits = chars[j..end].iter().filter(|c| c.is_ascii_digit()).count();
    if !(5..=6).contains(&n) || digits < 2 {
        return None;
    }
    Some(Found::new(Hidden::Plate, j, end, "*".repeat(n)))
}

/// Contiguous ASCII digits from `i`: their end.
fn ascii_digits_end(chars: &[char], i: usize) -> usize {
    (i..chars.len())
        .find(|&k| !chars[k].is_ascii_digit())
        .unwrap_or(chars.len())
}

/// What ends a building's label: `12幢`, `12栋`, `12号楼`, `12座`.
fn ends_building(chars: &[char], end: usize) -> bool {
    end > 0
        && (matches!(chars[end - 1], '幢' | '栋' | '座')
            || (end > 1 && chars[end - 2] == '号' && chars[end - 1] == '楼'))
}

/// Words after a number that make it a count or a date, not a room: 300户, 2018年.
fn is_measure(c: char) -> bool {
    matches!(
        c,
        '户' | '人'
            | '年'
            | '月'
            | '日'
            | '号'
            | '元'
            | '件'
            | '次'
            | '米'
            | '个'
            | '名'
            | '余'
            | '多'
            | '位'
            | '天'
            | '周'
            | '层'
            | '楼'
            | '幢'
            | '栋'
            | '单'
            | '台'
            | '辆'
            | '只'
            | '条'
            | '间'
            | '平'
            | '岁'
            | '分'
            | '秒'
            | '点'
            | '时'
    )
}

/// The room or door number of a household's address at `i`, cut back to the stairwell:
/// `5-2-301` (building, unit, room) → `5幢2单元`; after `12幢`, `3-502` → `3单元` and
/// `502室` or a bare `502` go; after `3单元` the room (`502室`, `502`, `2楼`) goes;
/// anywhere else `502室` → `***室`. `i` is the room's first digit, or a space or dash
/// between the stairwell and the room, which goes with the room.
fn room_at(chars: &[char], i: usize, fresh: bool) -> Option<Found> {
    let is_dash = |c: char| matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}');
    let dash_at = |k: usize| chars.get(k).copied().is_some_and(is_dash);
    let separated = chars[i] == ' ' || is_dash(chars[i]);
    let d = if separated { i + 1 } else { i };
    if !chars.get(d).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let d_end = ascii_digits_end(chars, d);
    let n = d_end - d;
    let digits = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
    // Nothing that continues the number: a letter, a digit, or a dash and a digit.
    let free_after = |end: usize| {
        chars.get(end).is_none_or(|&c| {
            !(c.is_ascii_alphanumeric()
                || c == '*'
                || is_dash(c) && chars.get(end + 1).is_some_and(char::is_ascii_digit))
        })
    };
    let with_suffix = |end: usize, set: &str| match chars.get(end) {
        Some(&c) if set.contains(c) => end + 1,
        _ => end,
    };
    let before = i.checked_sub(1).filter(|_| !fresh).map(|k| chars[k]);
    let after_unit = i >= 2 && chars[i - 2] == '单' && chars[i - 1] == '元';
    let after_building = ends_building(chars, i);
    if !separated {
        let after_word = before
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '*') || is_dash(c));
        // 5-2-301: building, unit, room.
        if !after_word && !after_unit && (1..=3).contains(&n) && dash_at(d_end) {
            let b = d_end + 1;
            let b_end = ascii_digits_end(chars, b);
            if (1..=2).contains(&(b_end - b)) && dash_at(b_end) {
                let r = b_end + 1;
                let r_end = ascii_digits_end(chars, r);
                if (3..=4).contains(&(r_end - r)) && free_after(r_end) {
                    let end = more_rooms(chars, with_suffix(r_end, "室号"), true);
                    let masked = format!("{}幢{}单元", digits(d, d_end), digits(b, b_end));
                    return Some(Found::new(Hidden::Room, i, end, masked));
                }
            }
        }
        // Anywhere else: 502室.
        if !after_word
            && !after_unit
            && !after_building
            && (3..=4).contains(&n)
            && chars.get(d_end) == Some(&'室')
        {
            return Some(Found::new(Hidden::Room, i, d_end, "*".repeat(n)));
        }
    }
    if !(after_unit || after_building) {
        return None;
    }
    // After a building: 3-502, the unit and the room.
    if after_building && (1..=2).contains(&n) && dash_at(d_end) {
        let r = d_end + 1;
        let r_end = ascii_digits_end(chars, r);
        if (3..=4).contains(&(r_end - r)) && free_after(r_end) {
            let end = more_rooms(chars, with_suffix(r_end, "室号"), true);
            return Some(Found::new(
                Hidden::Room,
                i,
                end,
                format!("{}单元", digits(d, d_end)),
            ));
        }
    }
    // What follows the stairwell up to where the household's part ends: a room, and
    // any more of it right after (`2楼0号`), so that the stairwell is all that is left.
    let end = after_stairwell(chars, d, after_unit)?;
    Some(Found::new(
        Hidden::Room,
        i,
        more_rooms(chars, end, after_unit),
        String::new(),
    ))
}

/// Where the household's part of an address that ends at `end` ends, taking any more
/// of it that follows (`2楼0号`, `3单元 502`), so that the stairwell is all that is left.
fn more_rooms(chars: &[char], mut end: usize, after_unit: bool) -> usize {
    loop {
        let at = match chars.get(end) {
            Some(&c) if c == ' ' || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}') => {
                end + 1
            }
            _ => end,
        };
        if !chars.get(at).is_some_and(char::is_ascii_digit) {
            return end;
        }
        match after_stairwell(chars, at, after_unit) {
            Some(more) => end = more,
            None => return end,
        }
    }
}

/// Where a room written at `d` right after a stairwell ends: 1 to 4 digits and 室 or 房
/// (after a unit also 号, 楼, 层), or 3 or 4 digits alone.
fn after_stairwell(chars: &[char], d: usize, after_unit: bool) -> Option<usize> {
    let d_end = ascii_digits_end(chars, d);
    let n = d_end - d;
    if !(1..=4).contains(&n) {
        return None;
    }
    let next = chars.get(d_end).copied();
    let suffixed = match next {
        Some('室' | '房') => true,
        // 3单元5号楼 is another building's label, not a door.
        Some('号') => after_unit && chars.get(d_end + 1) != Some(&'楼'),
        Some('楼' | '层') => after_unit,
        _ => false,
    };
    // Not the head of a number masked before it (`3单元138****5678`).
    let bare = (3..=4).contains(&n)
        && next.is_none_or(|c| {
            !(c.is_ascii_alphanumeric()
                || is_measure(c)
                || matches!(c, '.' | '*' | '-' | '\u{2010}'..='\u{2015}' | '\u{2212}'))
        });
    if suffixed {
        Some(d_end + 1)
    } else if bare {
        Some(d_end)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrubbed(text: &str) -> (String, Vec<Hidden>) {
        let (out, found) = Scrubber::default().scrub(text);
        (out.into_owned(), found)
    }

    /// A valid ID number: the check digit computed per GB 11643.
    pub(crate) fn id(prefix17: &str) -> String {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = prefix17
            .chars()
            .zip(W)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        format!(
            "{prefix17}{}",
            char::from(b"10X98765432"[(sum % 11) as usize])
        )
    }

    #[test]
    fn every_form_of_the_issue_is_masked() {
        for (text, want, kind) in [
            ("电话138.1234.5679", "电话138****5679", Hidden::Mobile),
            ("电话(138)12345678", "电话138****5678", Hidden::Mobile),
            ("一三八一二三四五六七八", "138****5678", Hidden::Mobile),
            (
                "幺三八幺二三四五六七八回电",
                "138****5678回电",
                Hidden::Mobile,
            ),
            ("座机(0570)8012345", "座机0570-*****45", Hidden::Landline),
            ("座机（0570）8012345", "座机0570-*****45", Hidden::Landline),
            ("座机【0570】8012345", "座机0570-*****45", Hidden::Landline),
            ("0570-8012346", "0570-*****46", Hidden::Landline),
            ("010 87654321。", "010-******21。", Hidden::Landline),
            ("05708012345", "0570-*****45", Hidden::Landline),
            ("浙H·12345的车", "浙H·*****的车", Hidden::Plate),
            ("浙H12346", "浙H*****", Hidden::Plate),
            ("浙AD12345", "浙A******", Hidden::Plate),
            (
                "邮箱 zhang.san@example.com。",
                "邮箱 z***@example.com。",
                Hidden::Email,
            ),
            ("邮箱 zhang＠qq.com", "邮箱 z***@qq.com", Hidden::Email),
            ("微信：zhang_1958", "微信：z***", Hidden::WeChat),
            ("加微信号 abc123456", "加微信号 a***", Hidden::WeChat),
            ("wx: wang-xiao-ming", "wx: w***", Hidden::WeChat),
            ("wxid_abc123def", "wxid_***", Hidden::WeChat),
            ("QQ：12345678", "QQ：12****78", Hidden::Qq),
            ("扣扣 98765", "扣扣 *****", Hidden::Qq),
            ("12幢3单元502室漏水", "12幢3单元漏水", Hidden::Room),
            ("5-2-301门口", "5幢2单元门口", Hidden::Room),
            ("5-2-301室", "5幢2单元", Hidden::Room),
            ("12幢3-502", "12幢3单元", Hidden::Room),
            ("12幢502室", "12幢", Hidden::Room),
            ("3单元2楼住户", "3单元住户", Hidden::Room),
            ("3单元 502", "3单元", Hidden::Room),
            ("502室门口", "***室门口", Hidden::Room),
            (
                "卡号6222021234567890128",
                "卡号6222****0128",
                Hidden::BankCard,
            ),
            (
                "卡号 6222 0212 3456 7890 128",
                "卡号 6222****0128",
                Hidden::BankCard,
            ),
        ] {
            let (out, found) = scrubbed(text);
            assert_eq!(out, want, "{text}");
            assert_eq!(found, [kind], "{text}");
        }
    }

    #[test]
    fn id_numbers_with_separators_and_of_fifteen_digits() {
        let number = id("33080219500101123");
        for typed in [
            number.clone(),
            format!("{} {} {}", &number[..6], &number[6..14], &number[14..]),
            format!("{}-{}-{}", &number[..6], &number[6..14], &number[14..]),
        ] {
            let (out, found) = scrubbed(&format!("证件{typed}。"));
            assert_eq!(found, [Hidden::IdNumber], "{typed}");
            assert_eq!(
                out,
                format!("证件330802********{}。", &number[14..]),
                "{typed}"
            );
        }
        let (out, found) = scrubbed("旧证330802500101123号");
        assert_eq!(found, [Hidden::IdNumber]);
        assert_eq!(out, "旧证330802******123号");
    }

    #[test]
    fn public_numbers_and_ordinary_numbers_are_kept() {
        let site = Scrubber::new(["0570-3020000（组织办）", "fsjd@example.gov.cn"]);
        for text in [
            "市民热线12345",
            "供电95598",
            "客服400-820-8820",
            "800 810 8888",
            "共走访6354户",
            "2018-12-10 共12户",
            "2018年12月10日",
            "12幢3单元",
            "66幢有住户反映",
            "走访300户",
            "3单元5号楼",
            "订单号 913812345678",
            "12812345678",
            "3室2厅",
            "浙江省",
            "会议室",
            "微信群",
            "QQ群",
            "138****5678",
            "z***@qq.com",
        ] {
            let (out, found) = scrubbed(text);
            assert_eq!(out, text);
            assert!(found.is_empty(), "{text}: {found:?}");
        }
        for text in ["联系0570-3020000", "（0570）3020000", "fsjd@example.gov.cn"] {
            let (out, found) = site.scrub(text);
            assert_eq!(out, text);
            assert!(found.is_empty(), "{text}: {found:?}");
        }
    }

    #[test]
    fn the_cheap_look_skips_no_ideograph_it_needs() {
        for c in '\u{4E00}'..='\u{9FFF}' {
            let needed = digit_value(c).is_some()
                || is_province(c)
                || "室房幢栋座楼元单号微薇扣信".contains(c);
            assert!(!needed || interesting_ideograph(c), "{c}");
        }
    }

    #[test]
    fn marks_are_escaped_in_markdown() {
        let (out, _) = Scrubber::default().scrub_text("电话 13812345678 和 13912345678", true);
        assert_eq!(out, "电话 138\\*\\*\\*\\*5678 和 139\\*\\*\\*\\*5678");
    }

    use proptest::prelude::*;

    /// Pieces of texts: forms of every kind, parts of them, and words around them.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "13812345678",
                "138.1234.5679",
                "(138)12345678",
                "一三八一二三四五六七八",
                "0570-8012346",
                "（0570）8012345",
                "05708012345",
                "330802195001011234",
                "330802500101123",
                "6222021234567890128",
                "zhang@qq.com",
                "微信：zhang_1958",
                "wxid_abc123def",
                "QQ：12345678",
                "浙H·12345",
                "浙AD12345",
                "12幢3单元502室",
                "5-2-301",
                "12幢3-502",
                "3单元2楼",
                "502室",
                "幢",
                "单元",
                "室",
                "-",
                " ",
                "@",
                "：",
                "（",
                "）",
                "号",
                "楼",
            ])
            .prop_map(str::to_string),
            "[0-9一二三四五六七八九〇０-９ .\\-()（）@a-zA-Z幢单元室号楼住户反映]{0,8}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// What was cleaned holds nothing more to clean: the records' texts are kept
        /// cleaned, and a text met again is not cleaned twice (see `names::PublicTexts`).
        /// The cheap look passes over no text that holds a form.
        #[test]
        fn the_cheap_look_misses_no_form(pieces in proptest::collection::vec(piece(), 0..8)) {
            let text = pieces.concat();
            let (_, found) = Scrubber::default().scan(&text, false);
            prop_assert!(found.is_empty() || may_hide(&text), "{:?}: {:?}", text, found);
        }

        /// Texts as people write them: the pieces apart, or run together with words, a
        /// comma or a space (forms run digit into digit are the writer's to untangle).
        #[test]
        fn cleaning_a_clean_text_finds_nothing(
            pieces in proptest::collection::vec((piece(), prop::sample::select(vec!["，", " ", "和", "住"])), 0..8),
        ) {
            let text: String = pieces.iter().flat_map(|(p, j)| [p.as_str(), j]).collect();
            let scrubber = Scrubber::default();
            let (once, _) = scrubber.scrub(&text);
            let (twice, found) = scrubber.scrub(&once);
            prop_assert!(found.is_empty(), "{:?} → {:?} → {:?} {:?}", text, once, twice, found);
            prop_assert_eq!(twice.as_ref(), once.as_ref());
        }
    }
}
