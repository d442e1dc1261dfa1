//! `site.toml`: the site's settings. Only `title` and `base_url` are required.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostics;
use crate::load::{LineIndex, decode};
use crate::model::Date;
use crate::validate::values;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct SiteConfig {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The date shown as the build date; otherwise `SOURCE_DATE_EPOCH`, otherwise none.
    /// A TOML date or a quoted date in any of the forms records accept.
    #[serde(default)]
    pub date: Option<toml::Value>,
    #[serde(default)]
    pub subdistrict: Subdistrict,
    #[serde(default)]
    pub bulletin: BulletinSettings,
    #[serde(default)]
    pub privacy: PrivacySettings,
    #[serde(default)]
    pub lists: ListSettings,
}

fn default_theme() -> String {
    "default".to_string()
}

/// The subdistrict's profile as the home page presents it; every field is optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct Subdistrict {
    pub name: Option<String>,
    pub committee: Option<String>,
    pub area_km2: Option<f64>,
    pub residents: Option<u64>,
    pub branches: Option<u64>,
    pub grid_branches: Option<u64>,
    pub grid_party_groups: Option<u64>,
    pub members_registered: Option<u64>,
    pub members_in_service: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct BulletinSettings {
    /// Masthead name, e.g. 组工信息.
    pub name: Option<String>,
    pub issuer: Option<String>,
    pub printer: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum NameStyle {
    #[default]
    Full,
    Masked,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum PhoneStyle {
    #[default]
    Hidden,
    Masked,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct PrivacySettings {
    #[serde(default)]
    pub steward_names: NameStyle,
    #[serde(default)]
    pub steward_phone: PhoneStyle,
    #[serde(default)]
    pub allow_raw_html: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct ListSettings {
    #[serde(default = "default_page_size")]
    pub page_size: usize,
}

impl Default for ListSettings {
    fn default() -> Self {
        Self {
            page_size: default_page_size(),
        }
    }
}

fn default_page_size() -> usize {
    50
}

impl SiteConfig {
    /// The path part of `base_url`, always ending in `/`: `/fushan/` or `/`.
    pub(crate) fn base_path(&self) -> String {
        let rest = self
            .base_url
            .split_once("://")
            .map(|(_, r)| r)
            .unwrap_or(&self.base_url);
        let path = rest.find('/').map(|i| &rest[i..]).unwrap_or("/");
        let path = path.split(['?', '#']).next().unwrap_or("/");
        if path.ends_with('/') {
            path.to_string()
        } else {
            format!("{path}/")
        }
    }

    /// `base_url` with exactly one trailing `/`, for absolute links in feeds and sitemaps.
    pub(crate) fn base_url_slash(&self) -> String {
        format!("{}/", self.base_url.trim_end_matches('/'))
    }

    /// The date to print as the build date, never the clock.
    pub(crate) fn build_date(&self) -> Option<Date> {
        if let Some(d) = self.date.as_ref().and_then(setting_date) {
            return Some(d);
        }
        let epoch: i64 = std::env::var("SOURCE_DATE_EPOCH")
            .ok()?
            .trim()
            .parse()
            .ok()?;
        Date::from_unix_days(epoch.div_euclid(86_400))
    }
}

fn setting_date(value: &toml::Value) -> Option<Date> {
    match value {
        toml::Value::Datetime(d) => values::toml_date(d),
        toml::Value::String(s) => values::parse_date(s),
        _ => None,
    }
}

/// Every setting `site.toml` knows, by table; anything else is most likely a typo.
const KNOWN: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "title",
            "base_url",
            "description",
            "theme",
            "date",
            "subdistrict",
            "bulletin",
            "privacy",
            "lists",
        ],
    ),
    (
        "subdistrict",
        &[
            "name",
            "committee",
            "area_km2",
            "residents",
            "branches",
            "grid_branches",
            "grid_party_groups",
            "members_registered",
            "members_in_service",
        ],
    ),
    ("bulletin", &["name", "issuer", "printer"]),
    (
        "privacy",
        &["steward_names", "steward_phone", "allow_raw_html"],
    ),
    ("lists", &["page_size"]),
];

/// Reports every unknown setting at its line, not just the first.
fn unknown_settings(text: &str, lines: &LineIndex, display: &str, diags: &mut Diagnostics) -> bool {
    let (table, errors) = toml::de::DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        // Syntax errors are reported by the typed parse below.
        return true;
    }
    let table = table.into_inner();
    let mut ok = true;
    let mut check = |prefix: &str, table: &toml::de::DeTable<'_>| {
        let known = KNOWN
            .iter()
            .find(|(t, _)| *t == prefix)
            .map_or(&[][..], |(_, k)| *k);
        for (key, _) in table.iter() {
            let name: &str = key.get_ref().as_ref();
            if !known.contains(&name) {
                let full = if prefix.is_empty() {
                    name.to_string()
                } else {
                    format!("{prefix}.{name}")
                };
                let line = lines.line(key.span().start);
                diags.error(
                    display,
                    line,
                    format!("未知的设置“{full}”（可用的设置见 docs/records.md）"),
                );
                ok = false;
            }
        }
    };
    check("", &table);
    for (key, value) in table.iter() {
        let name: &str = key.get_ref().as_ref();
        if let (Some(sub), true) = (
            value.get_ref().as_table(),
            KNOWN.iter().any(|(t, _)| *t == name && !t.is_empty()),
        ) {
            check(name, sub);
        }
    }
    ok
}

/// Reads `site.toml`, reporting problems with their line.
pub(crate) fn load(root: &Path, diags: &mut Diagnostics) -> Option<SiteConfig> {
    let display = "site.toml";
    let path = root.join(display);
    let text = match decode::read_to_string(&path) {
        Ok(t) => t,
        Err(err) => {
            let why = if err.kind() == std::io::ErrorKind::NotFound {
                "找不到站点设置文件 site.toml（至少需要 title 和 base_url）".to_string()
            } else {
                format!("无法读取文件：{err}")
            };
            diags.error(display, 1, why);
            return None;
        }
    };
    let lines = LineIndex::new(&text);
    if !unknown_settings(&text, &lines, display, diags) {
        return None;
    }
    let config: SiteConfig = match toml::from_str(&text) {
        Ok(c) => c,
        Err(err) => {
            let line = err.span().map(|s| lines.line(s.start)).unwrap_or(1);
            let key = text
                .lines()
                .nth(line.saturating_sub(1) as usize)
                .and_then(|l| l.split('=').next())
                .map(|k| k.trim().trim_matches(['"', '\'']).to_string())
                .unwrap_or_default();
            diags.error(display, line, format!("{key}: {}", explain(err.message())));
            return None;
        }
    };
    let mut ok = true;
    if config.title.trim().is_empty() {
        let line = key_line(&text, "title");
        diags.error(display, line, "缺少必填设置 title（站点名称）");
        ok = false;
    }
    let url = config.base_url.trim();
    if url.is_empty() {
        diags.error(
            display,
            key_line(&text, "base_url"),
            "缺少必填设置 base_url（站点网址，如 https://example.gov.cn/fushan/）",
        );
        ok = false;
    } else if !(url.starts_with("http://") || url.starts_with("https://") || url.starts_with('/')) {
        diags.error(
            display,
            key_line(&text, "base_url"),
            format!("base_url: \"{url}\" 应以 http:// 或 https:// 开头，或以 / 开头的路径"),
        );
        ok = false;
    }
    if config.lists.page_size == 0 {
        let line = key_line(&text, "page_size");
        diags.error(display, line, "lists.page_size: 应为不小于 1 的整数");
        ok = false;
    }
    if let Some(date) = &config.date
        && setting_date(date).is_none()
    {
        diags.error(
            display,
            key_line(&text, "date"),
            format!("date: \"{date}\" 不是有效日期（写作 2018-12-10，不带时间）"),
        );
        ok = false;
    }
    if !values::is_slug(&config.theme) {
        diags.error(
            display,
            key_line(&text, "theme"),
            format!("theme: \"{}\" 不是有效的主题名", config.theme),
        );
        ok = false;
    }
    ok.then_some(config)
}

/// Serde's English messages for the mistakes people make in settings, in Chinese.
fn explain(message: &str) -> String {
    let m = message.trim();
    let want =
        if m.contains("expected usize") || m.contains("expected u64") || m.contains("expected i64")
        {
            Some("应为整数，如 50".to_string())
        } else if m.contains("expected f64") {
            Some("应为数字，如 3.55".to_string())
        } else if m.contains("expected a boolean") || m.contains("expected bool") {
            Some("应为 true 或 false".to_string())
        } else if m.contains("must be quoted") {
            Some("文字两边要加英文双引号，如 title = \"府山街道\"".to_string())
        } else if m.contains("expected a string") {
            Some("应为文字，两边加英文双引号".to_string())
        } else if let Some(rest) = m.strip_prefix("unknown variant ") {
            let (given, options) = rest.split_once(", expected ").unwrap_or((rest, ""));
            Some(format!(
                "{} 不是可选的值，应为 {}",
                given.replace('`', "\""),
                options
                    .replace("one of ", "")
                    .replace('`', "\"")
                    .replace(", ", "、")
                    .replace(" or ", " 或 ")
            ))
        } else {
            None
        };
    want.unwrap_or_else(|| format!("设置有误：{m}"))
}

/// The line of `key = …` in `site.toml`, or 1 when the key is not written at all.
fn key_line(text: &str, key: &str) -> u32 {
    let quotes: &[char] = &['"', '\''];
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches(quotes);
            l.strip_prefix(key).is_some_and(|rest| {
                rest.trim_start_matches(quotes)
                    .trim_start()
                    .starts_with('=')
            })
        })
        .map_or(1, |i| u32::try_from(i + 1).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_url(url: &str) -> SiteConfig {
        let text = format!("title = \"t\"\nbase_url = \"{url}\"\n");
        toml::from_str(&text).expect("valid config")
    }

    #[test]
    fn key_line_finds_the_key_not_a_longer_one() {
        let text = "# 站点\ntitle_note = \"x\"\n\"title\" = \"\"\nbase_url=\"\"\n";
        assert_eq!(key_line(text, "title"), 3);
        assert_eq!(key_line(text, "base_url"), 4);
        assert_eq!(key_line(text, "theme"), 1);
    }

    #[test]
    fn base_path_keeps_the_sub_folder() {
        assert_eq!(
            with_url("https://example.gov.cn/fushan").base_path(),
            "/fushan/"
        );
        assert_eq!(with_url("https://example.gov.cn/a/b/").base_path(), "/a/b/");
        assert_eq!(with_url("https://example.gov.cn").base_path(), "/");
        assert_eq!(with_url("/x").base_path(), "/x/");
    }
}
