//! What people type into TOML settings (`site.toml`, a bulletin's or page's front matter)
//! from a Chinese keyboard, and what to write instead. The TOML parser's own words are
//! English and name the grammar, not the slip; these hints name the slip and show the
//! line as it should be.

use super::values;

/// Chinese names people give the front-matter settings.
pub(crate) const FRONT_MATTER_ALIASES: &[(&str, &str)] = &[
    ("标题", "title"),
    ("题目", "title"),
    ("副标题", "subtitle"),
    ("期号", "issue"),
    ("期数", "issue"),
    ("总期号", "total_issue"),
    ("日期", "date"),
    ("来源", "source"),
    ("报送", "send_to"),
    ("送", "send_to"),
    ("发送", "distribute_to"),
    ("发", "distribute_to"),
    ("网址", "slug"),
];

/// The English setting a Chinese key stands for, by the aliases above.
pub(crate) fn english_key(key: &str) -> Option<&'static str> {
    let key = key.trim().trim_matches(['"', '\'']);
    FRONT_MATTER_ALIASES
        .iter()
        .find(|(alias, _)| *alias == key)
        .map(|(_, english)| *english)
}

/// A value as it should be written: dates in `2018-12-10` form, anything else quoted.
fn as_toml(key: &str, value: &str) -> String {
    let value = value
        .trim()
        .trim_matches(['“', '”', '‘', '’', '"', '\'', '「', '」']);
    if let Some(date) = values::parse_date(value)
        && (key == "date" || value.contains('年'))
    {
        return date.to_string();
    }
    if value.parse::<i64>().is_ok() {
        return value.to_string();
    }
    format!("\"{}\"", value.replace('"', "\\\""))
}

/// What to write instead of a settings line the TOML parser refused, if the slip is one
/// people make: a full-width `＝`, Chinese quotation marks, a Chinese key, a date in
/// Chinese form without quotes, text without quotes.
pub(crate) fn explain_line(line: &str) -> Option<String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') || line.starts_with('[') {
        return None;
    }
    let (key, value, equals) = match line.split_once('=') {
        Some((k, v)) => (k.trim(), v.trim(), "="),
        None => {
            let (k, v) = line.split_once('＝')?;
            (k.trim(), v.trim(), "＝")
        }
    };
    let bare_key = key.trim_matches(['"', '\'']);
    let english = if bare_key.is_ascii() {
        bare_key.to_string()
    } else {
        english_key(bare_key).map_or_else(|| bare_key.to_string(), str::to_string)
    };
    let fixed = format!("{english} = {}", as_toml(&english, value));
    if equals == "＝" {
        return Some(format!(
            "等号要用英文半角的 =，不能用全角的 ＝：请写成 {fixed}"
        ));
    }
    if value.contains(['“', '”', '‘', '’', '「', '」']) {
        return Some(format!(
            "文字两边要用英文双引号 \"，不能用中文引号“”：请写成 {fixed}"
        ));
    }
    if !bare_key.is_ascii() {
        return Some(match english_key(bare_key) {
            Some(e) => format!(
                "设置名要用英文：把“{bare_key}”改为 {e}，如 {e} = {}",
                as_toml(e, value)
            ),
            None => format!(
                "设置名要用英文字母，“{bare_key}”不是可用的设置（可用的设置见 docs/records.md）"
            ),
        });
    }
    let quoted = value.starts_with(['"', '\'', '[']);
    if !quoted && value.contains('年') && values::parse_date(value).is_some() {
        return Some(format!(
            "日期不加引号时只能写成 2018-12-10 的样子：请写成 {fixed}"
        ));
    }
    if !quoted && value.parse::<f64>().is_err() && !matches!(value, "true" | "false") {
        return Some(format!("文字两边要加英文双引号：请写成 {fixed}"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_slip_gets_the_line_as_it_should_be() {
        for (line, want) in [
            (
                "title = “府山简报”",
                "文字两边要用英文双引号 \"，不能用中文引号“”：请写成 title = \"府山简报\"",
            ),
            (
                "date = 2018年12月10日",
                "日期不加引号时只能写成 2018-12-10 的样子：请写成 date = 2018-12-10",
            ),
            (
                "标题 = \"府山简报\"",
                "设置名要用英文：把“标题”改为 title，如 title = \"府山简报\"",
            ),
            (
                "title = 府山简报",
                "文字两边要加英文双引号：请写成 title = \"府山简报\"",
            ),
            (
                "title ＝ \"府山简报\"",
                "等号要用英文半角的 =，不能用全角的 ＝：请写成 title = \"府山简报\"",
            ),
        ] {
            assert_eq!(explain_line(line).as_deref(), Some(want), "{line}");
        }
        assert_eq!(explain_line("title = \"府山简报\""), None);
        assert_eq!(explain_line("issue = 3"), None);
    }
}
