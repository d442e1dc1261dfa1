//! `site.toml`: the site's settings. Only `title` and `base_url` are required.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{LineIndex, decode};
use crate::model::Date;
use crate::validate::values;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct SiteConfig {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub base_url: String,
    /// The line of `base_url` in `site.toml`, for messages about it.
    #[serde(skip)]
    pub base_url_line: u32,
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
    #[serde(default)]
    pub print: PrintSettings,
    #[serde(default)]
    pub footer: FooterSettings,
    /// Case category name → the folder name of its list, overriding the pinyin one.
    #[serde(default)]
    pub categories: std::collections::BTreeMap<String, String>,
    /// The site's name in summaries and roll-ups; default the subdistrict's name, else the title.
    #[serde(default)]
    pub name: Option<String>,
    /// The site's level (街道, 区县, 市…), published in its summary.
    #[serde(default)]
    pub level: Option<String>,
    /// A roll-up site's members; a site with members has no records of its own.
    #[serde(default)]
    pub members: Vec<MemberSetting>,
    #[serde(default)]
    pub workbooks: WorkbookSettings,
}

/// `[workbooks]`: how large a workbook may be, so that a small file unpacking to
/// gigabytes (a "zip bomb") or a sheet longer than any spreadsheet program makes is
/// refused before it is read. The defaults take any sheet Excel can hold.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct WorkbookSettings {
    #[serde(default = "default_max_unpacked_mb")]
    pub max_unpacked_mb: u64,
    #[serde(default = "default_max_rows")]
    pub max_rows: u32,
}

impl Default for WorkbookSettings {
    fn default() -> Self {
        Self {
            max_unpacked_mb: default_max_unpacked_mb(),
            max_rows: default_max_rows(),
        }
    }
}

fn default_max_unpacked_mb() -> u64 {
    crate::load::workbook::Limits::default().max_bytes >> 20
}

fn default_max_rows() -> u32 {
    crate::load::workbook::Limits::default().max_rows
}

impl WorkbookSettings {
    /// The limits as the reader applies them.
    pub(crate) fn limits(&self) -> crate::load::workbook::Limits {
        crate::load::workbook::Limits {
            max_bytes: self.max_unpacked_mb.saturating_mul(1 << 20),
            max_rows: self.max_rows,
        }
    }
}

/// One `[[members]]` entry of a roll-up site.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct MemberSetting {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub level: Option<String>,
    /// A built site folder, or its `data/summary.json`, relative to the site folder.
    #[serde(default)]
    pub path: String,
    /// The member's public site, linked from the roll-up.
    #[serde(default)]
    pub url: Option<String>,
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

impl SiteConfig {
    /// The site's own names and contacts as it publishes them on every page: the title,
    /// the subdistrict, the bulletin's masthead and the footer. A resident who shares one
    /// is not masked there, and the leak guard takes them as public.
    pub(crate) fn public_names(&self) -> impl Iterator<Item = &str> {
        let sd = &self.subdistrict;
        let b = &self.bulletin;
        let f = &self.footer;
        [
            Some(self.title.as_str()),
            sd.name.as_deref(),
            sd.committee.as_deref(),
            b.name.as_deref(),
            b.issuer.as_deref(),
            b.printer.as_deref(),
            f.host.as_deref(),
            f.operator.as_deref(),
            f.address.as_deref(),
            f.phone.as_deref(),
            f.email.as_deref(),
            f.site_code.as_deref(),
            f.icp.as_deref(),
            f.police.as_deref(),
        ]
        .into_iter()
        .flatten()
        .chain(f.lines.iter().map(String::as_str))
    }
}

impl SiteConfig {
    /// How the site's public texts are masked: its own numbers and addresses are public,
    /// and `[privacy]` has the office's own words.
    pub(crate) fn masking_rules(&self) -> crate::privacy::names::Rules {
        crate::privacy::names::Rules {
            scrubber: crate::privacy::scrub::Scrubber::new(self.public_names()),
            keep: self.privacy.keep_words.clone(),
            mask: self.privacy.mask_words.clone(),
        }
    }
}

/// What 《政府网站发展指引》 asks every page's footer to show: who runs the site, how to
/// reach them, and its filings. Every field is optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct FooterSettings {
    /// 主办单位.
    pub host: Option<String>,
    /// 承办单位.
    pub operator: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// 网站标识码: ten digits.
    pub site_code: Option<String>,
    /// ICP备案号, linked to the MIIT filing site.
    pub icp: Option<String>,
    /// 公安机关备案号, e.g. 浙公网安备 33080202000001号.
    pub police: Option<String>,
    /// Free lines printed after the filings.
    #[serde(default)]
    pub lines: Vec<String>,
    /// The digits of `police`, for the link to the public security filing site; set on load.
    #[serde(skip_deserializing)]
    pub police_code: Option<String>,
}

/// Where a 公安机关备案号 is looked up; the record code is appended.
pub(crate) const POLICE_FILING_URL: &str =
    "http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=";
/// Where an ICP备案号 is looked up.
pub(crate) const ICP_FILING_URL: &str = "https://beian.miit.gov.cn/";

impl FooterSettings {
    /// Problems with the footer's filings, as (setting, message), in the order written.
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(code) = &self.site_code
            && !(code.trim().len() == 10 && code.trim().bytes().all(|b| b.is_ascii_digit()))
        {
            out.push((
                "site_code",
                format!(
                    "footer.site_code: \"{code}\" 不是有效的网站标识码：网站标识码是 10 位数字，如 site_code = \"3308020001\""
                ),
            ));
        }
        if let Some(icp) = &self.icp
            && !icp.contains("ICP")
        {
            out.push((
                "icp",
                format!(
                    "footer.icp: \"{icp}\" 不像 ICP备案号：应照备案系统的写法填写，如 icp = \"浙ICP备00000000号-1\""
                ),
            ));
        }
        if let Some(police) = &self.police
            && police_digits(police).is_none()
        {
            out.push((
                "police",
                format!(
                    "footer.police: \"{police}\" 里没有备案编号：应写作 police = \"浙公网安备 33080202000001号\""
                ),
            ));
        }
        if let Some(email) = &self.email
            && !email.contains('@')
        {
            out.push((
                "email",
                format!(
                    "footer.email: \"{email}\" 不是电子邮箱地址，如 email = \"fsjd@example.gov.cn\""
                ),
            ));
        }
        out
    }
}

/// The record code in a 公安机关备案号: its one run of at least ten digits.
fn police_digits(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() >= 10)
        .map(str::to_string)
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
    /// Words read as written wherever they stand though a resident's name is in them
    /// (places, common words: see docs/privacy.md).
    #[serde(default)]
    pub keep_words: Vec<String>,
    /// Phrases in which a resident's name is masked though a place's suffix follows it.
    #[serde(default)]
    pub mask_words: Vec<String>,
}

/// The internal print kit (`hongguanjia print`).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(crate) struct PrintSettings {
    /// Paper of the notice boards.
    #[serde(default)]
    pub board_size: BoardSize,
    /// The browser that prints PDFs: a command name or a path.
    pub browser: Option<String>,
    /// Day of the month of the door-knocking day (敲门日).
    pub door_knocking_day: Option<u8>,
    /// Who signs the thank-you letters; default the subdistrict's party committee.
    pub letter_issuer: Option<String>,
    /// Seconds one PDF may take to print, and a browser to start, before it is stopped.
    pub timeout: Option<u64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub(crate) enum BoardSize {
    #[default]
    A4,
    A3,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct ListSettings {
    #[serde(default = "default_page_size")]
    pub page_size: usize,
    /// Redirects at every old hashed address of the category lists, even where the
    /// output being replaced never had them (see `docs/records.md`).
    #[serde(default)]
    pub old_category_addresses: bool,
}

impl Default for ListSettings {
    fn default() -> Self {
        Self {
            page_size: default_page_size(),
            old_category_addresses: false,
        }
    }
}

fn default_page_size() -> usize {
    50
}

impl SiteConfig {
    /// The name a summary publishes: `name`, else the subdistrict's name, else the title.
    pub(crate) fn site_name(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.subdistrict.name.clone())
            .unwrap_or_else(|| self.title.clone())
    }

    /// The level a summary publishes: `level`, else 汇总 for a roll-up and 街道 for a site
    /// with records.
    pub(crate) fn site_level(&self) -> String {
        self.level.clone().unwrap_or_else(|| {
            if self.members.is_empty() {
                "街道".to_string()
            } else {
                "汇总".to_string()
            }
        })
    }

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

    /// Whether `base_url` is a whole address (`https://…`), as feeds, sitemaps and QR
    /// codes need: a path alone (`/`, init's default) only works inside a browser that
    /// already has the site open.
    pub(crate) fn has_absolute_base_url(&self) -> bool {
        let url = self.base_url.trim();
        ["http://", "https://"].iter().any(|scheme| {
            url.get(..scheme.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
                && url.len() > scheme.len()
        })
    }

    /// What `build` says when `base_url` is not a whole address.
    pub(crate) fn base_url_warning(&self) -> Option<Diagnostic> {
        (!self.has_absolute_base_url()).then(|| {
            Diagnostic::warning(
                "site.toml",
                self.base_url_line,
                format!(
                    "base_url: “{}”不是完整的网址：sitemap.xml 和 atom.xml 里的链接要以 http:// 或 https:// 开头，搜索引擎和订阅软件才打得开（本机浏览网页不受影响）。发布前请写成网站的实际地址，如 base_url = \"https://example.gov.cn/jiedao/\"",
                    self.base_url.trim()
                ),
            )
        })
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
            "print",
            "footer",
            "categories",
            "name",
            "level",
            "members",
            "workbooks",
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
        &[
            "steward_names",
            "steward_phone",
            "allow_raw_html",
            "keep_words",
            "mask_words",
        ],
    ),
    ("lists", &["page_size", "old_category_addresses"]),
    ("workbooks", &["max_unpacked_mb", "max_rows"]),
    (
        "print",
        &[
            "board_size",
            "browser",
            "door_knocking_day",
            "letter_issuer",
            "timeout",
        ],
    ),
    (
        "footer",
        &[
            "host",
            "operator",
            "address",
            "phone",
            "email",
            "site_code",
            "icp",
            "police",
            "lines",
        ],
    ),
    ("members", &["name", "level", "path", "url"]),
];

/// What to say of an unknown setting `name` of the table `prefix`: a setting of another
/// table (or of the top, like `base_url`) appended at the end of the file lands in the
/// last table there, which is the slip to name.
fn unknown_setting(prefix: &str, name: &str, full: &str) -> String {
    let belongs = KNOWN
        .iter()
        .find(|(table, keys)| *table != prefix && keys.contains(&name))
        .map(|(table, _)| *table);
    match belongs {
        Some("") if !prefix.is_empty() => format!(
            "未知的设置“{full}”：{name} 是写在文件开头的设置，这里却在 [{prefix}] 下面（TOML 里 [{prefix}] 之后的每一行都属于 [{prefix}]）；请把这一行移到文件开头、第一个 [ ] 之前"
        ),
        Some(table) if !table.is_empty() => format!(
            "未知的设置“{full}”：{name} 是 [{table}] 的设置，这里却在 {}；请把这一行移到 [{table}] 下面",
            if prefix.is_empty() {
                "文件开头".to_string()
            } else {
                format!("[{prefix}] 下面")
            }
        ),
        _ => format!("未知的设置“{full}”（可用的设置见 docs/records.md）"),
    }
}

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
                diags.error(display, line, unknown_setting(prefix, name, &full));
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
        if name == "members"
            && let Some(list) = value.get_ref().as_array()
        {
            for item in list.iter() {
                if let Some(sub) = item.get_ref().as_table() {
                    check(name, sub);
                }
            }
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
                format!("无法读取文件：{}", crate::fs_errors::reason(&err))
            };
            diags.error(display, 1, why);
            return None;
        }
    };
    let lines = LineIndex::new(&text);
    if !unknown_settings(&text, &lines, display, diags) {
        return None;
    }
    let mut config: SiteConfig = match toml::from_str(&text) {
        Ok(c) => c,
        Err(err) => {
            let line = err.span().map(|s| lines.line(s.start)).unwrap_or(1);
            let key = text
                .lines()
                .nth(line.saturating_sub(1) as usize)
                .and_then(|l| l.split('=').next())
                .map(|k| k.trim().trim_matches(['"', '\'']).to_string())
                .unwrap_or_default();
            let hint = text
                .lines()
                .nth(line.saturating_sub(1) as usize)
                .and_then(crate::validate::toml_hints::explain_line);
            let message = match hint {
                Some(hint) => format!("{key}: {hint}"),
                None => format!("{key}: {}", explain(err.message())),
            };
            let column = err.span().map(|span| lines.column(&text, span.start));
            diags.push(Diagnostic::error(display, line, message).at_column(column));
            return None;
        }
    };
    let mut ok = true;
    if config.title.trim().is_empty() {
        let line = key_line(&text, "title");
        diags.error(display, line, "缺少必填设置 title（站点名称）");
        ok = false;
    }
    config.base_url_line = key_line(&text, "base_url");
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
    if config.workbooks.max_unpacked_mb == 0 || config.workbooks.max_rows == 0 {
        let key = if config.workbooks.max_rows == 0 {
            "max_rows"
        } else {
            "max_unpacked_mb"
        };
        let line = key_line(&text, key);
        diags.error(
            display,
            line,
            format!("workbooks.{key}: 应为不小于 1 的整数"),
        );
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
    if let Some(day) = config.print.door_knocking_day
        && !(1..=28).contains(&day)
    {
        diags.error(
            display,
            key_line(&text, "door_knocking_day"),
            format!(
                "print.door_knocking_day: {day} 应为 1 到 28 之间的日子（每月都有的一天），如 20"
            ),
        );
        ok = false;
    }
    if config.print.timeout == Some(0) {
        diags.error(
            display,
            key_line(&text, "timeout"),
            "print.timeout: 应为不小于 1 的整数（秒），如 timeout = 600",
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
    for (key, message) in config.footer.problems() {
        diags.error(display, key_line(&text, key), message);
        ok = false;
    }
    config.footer.police_code = config.footer.police.as_deref().and_then(police_digits);
    for (name, slug) in &config.categories {
        if !values::is_slug(slug) {
            diags.error(
                display,
                key_line(&text, name),
                format!(
                    "categories.{name}: \"{slug}\" 不能用作网址：只能用小写英文字母、数字和连字符，如 \"{name}\" = \"tingche\""
                ),
            );
            ok = false;
        }
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
