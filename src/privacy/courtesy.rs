//! Residents named by courtesy rather than by name: `王阿姨`, `李大爷`, `老陈`, `张师傅`.
//! Next to a building such a name identifies a household as well as the full name does,
//! so wherever some resident of the records has the surname, the courtesy name is masked
//! like a name (`王**`, `老*`).
//!
//! A steward is often called the same way (`张师傅` for the steward 张建军). The titles
//! people give a helper (师傅, 老师, 书记, 主任, 同志, 先生, 女士) are told apart by the
//! record: in a record's own text (a case's or errand's summary, a meeting's topic, a
//! steward's specialty, a citation), a title with the surname of the record's steward
//! (or of a meeting's attendee) is that steward's and stays. Words of kinship and age
//! (阿姨, 大爷, 老/小 + surname …) are residents' and always masked.

use std::collections::BTreeSet;

/// Words of kinship and age after a surname: how residents are named.
const KIN: &[&str] = &[
    "阿姨",
    "大爷",
    "大妈",
    "大娘",
    "奶奶",
    "爷爷",
    "大伯",
    "伯伯",
    "阿伯",
    "老伯",
    "阿婆",
    "婆婆",
    "阿公",
    "大叔",
    "叔叔",
    "阿叔",
    "大婶",
    "婶婶",
    "大姐",
    "大哥",
    "大嫂",
    "嫂子",
    "老太太",
    "老太",
    "老爷子",
    "老人家",
    "姐",
    "叔",
    "婶",
    "嫂",
    "伯",
    "婆",
];

/// Titles after a surname, given to residents and stewards alike.
pub(crate) const TITLES: &[&str] = &["师傅", "老师", "先生", "女士", "同志", "书记", "主任"];

/// Words of 老/小 and a character that is also a surname (区, 时, 党…): common words, not
/// anyone's courtesy name.
const COMMON: &[&str] = &[
    "小区", "小时", "小于", "小康", "小车", "小楼", "小广", "小商", "小单", "小包", "小路", "小年",
    "小房", "小花", "小白", "小孩", "小组", "小型", "老年", "老党", "老干", "老楼", "老房", "老家",
    "老公", "老井", "老路", "老区", "老车", "老百", "老单", "老旧", "老化", "老乡", "老师", "老板",
    "老式", "老城", "老屋",
];

/// Surnames of two characters.
const COMPOUND: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯",
    "长孙", "宇文", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "澹台", "公冶", "太史",
    "申屠", "闻人", "万俟", "司空", "钟离", "宗政",
];

/// The surname of a name written in Chinese characters.
pub(crate) fn surname(name: &str) -> Option<&str> {
    let first = name.chars().next()?;
    // A city has a hundred thousand residents: the two-character surnames are looked
    // at only for a first character one of them has.
    let compound = matches!(
        first,
        '欧' | '司'
            | '诸'
            | '上'
            | '东'
            | '皇'
            | '尉'
            | '公'
            | '慕'
            | '令'
            | '夏'
            | '长'
            | '宇'
            | '轩'
            | '端'
            | '独'
            | '南'
            | '西'
            | '百'
            | '呼'
            | '澹'
            | '太'
            | '申'
            | '闻'
            | '万'
            | '钟'
            | '宗'
    );
    if compound && let Some(c) = COMPOUND.iter().find(|c| name.starts_with(**c)) {
        return Some(c);
    }
    ('\u{4E00}'..='\u{9FFF}')
        .contains(&first)
        .then(|| &name[..first.len_utf8()])
}

/// One courtesy name to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Courtesy {
    pub text: String,
    pub surname: String,
    /// Whether the word is a title a steward is also given (see the module's comment).
    pub title: bool,
}

/// Every courtesy name of the surnames, in a stable order.
pub(crate) fn names_of<'s>(surnames: impl IntoIterator<Item = &'s str>) -> Vec<Courtesy> {
    let surnames: BTreeSet<&str> = surnames.into_iter().collect();
    let mut out = Vec::new();
    for s in surnames {
        let make = |text: String, title: bool| Courtesy {
            text,
            surname: s.to_string(),
            title,
        };
        out.extend(KIN.iter().map(|w| make(format!("{s}{w}"), false)));
        out.extend(TITLES.iter().map(|w| make(format!("{s}{w}"), true)));
        for before in ["老", "小"] {
            let word = format!("{before}{s}");
            if !COMMON.contains(&word.as_str()) {
                out.push(make(word, false));
            }
        }
    }
    out
}

/// Whether a text holds a title, so that which steward it was written about matters.
pub(crate) fn has_title(text: &str) -> bool {
    // One pass for a character of each title (the rarer one), which most texts lack.
    text.contains(['傅', '师', '先', '士', '志', '书', '任'])
        && TITLES.iter().any(|t| text.contains(t))
}

/// The surnames of the stewards a record is about, as one string (`张李`), for
/// [`Courtesy::title`] names.
pub(crate) fn surnames_of<'n>(names: impl IntoIterator<Item = &'n str>) -> String {
    names.into_iter().filter_map(surname).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surnames_single_and_compound() {
        assert_eq!(surname("王秀英"), Some("王"));
        assert_eq!(surname("欧阳明"), Some("欧阳"));
        assert_eq!(surname("Alice"), None);
        // Every two-character surname is found by its first character.
        for c in COMPOUND {
            assert_eq!(surname(&format!("{c}明")), Some(*c), "{c}");
        }
    }

    #[test]
    fn courtesy_names_leave_common_words_out() {
        let names: Vec<String> = names_of(["区", "陈"]).into_iter().map(|c| c.text).collect();
        assert!(names.contains(&"老陈".to_string()));
        assert!(names.contains(&"陈阿姨".to_string()));
        assert!(!names.contains(&"老区".to_string()));
        assert!(!names.contains(&"小区".to_string()));
        assert!(names.contains(&"区师傅".to_string()));
    }
}
