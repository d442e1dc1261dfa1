//! `site.toml`: the site's settings. Only `title` and `base_url` are required.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::Diagnostics;
use crate::load::{LineIndex, decode};
use crate::model::Date;
use crate::validate::values;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The date shown as the build date; otherwise `SOURCE_DATE_EPOCH`, otherwise none.
    #[serde(default)]
    pub date: Option<toml::value::Datetime>,
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
#[serde(deny_unknown_fields)]
pub struct Subdistrict {
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
#[serde(deny_unknown_fields)]
pub struct BulletinSettings {
    /// Masthead name, e.g. 组工信息.
    pub name: Option<String>,
    pub issuer: Option<String>,
    pub printer: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NameStyle {
    #[default]
    Full,
    Masked,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PhoneStyle {
    #[default]
    Hidden,
    Masked,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacySettings {
    #[serde(default)]
    pub steward_names: NameStyle,
    #[serde(default)]
    pub steward_phone: PhoneStyle,
    #[serde(default)]
    pub allow_raw_html: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListSettings {
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
    pub fn base_path(&self) -> String {
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
    pub fn base_url_slash(&self) -> String {
        format!("{}/", self.base_url.trim_end_matches('/'))
    }

    /// The date to print as the build date, never the clock.
    pub fn build_date(&self) -> Option<Date> {
        if let Some(d) = self.date.as_ref().and_then(values::toml_date) {
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

/// Reads `site.toml`, reporting problems with their line.
pub fn load(root: &Path, diags: &mut Diagnostics) -> Option<SiteConfig> {
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
    let config: SiteConfig = match toml::from_str(&text) {
        Ok(c) => c,
        Err(err) => {
            let line = err.span().map(|s| lines.line(s.start)).unwrap_or(1);
            diags.error(display, line, format!("设置有误：{}", err.message().trim()));
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
