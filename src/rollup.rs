//! The second loader: a roll-up site lists `[[members]]` in `site.toml` and has no records
//! of its own. It reads each member's published `data/summary.json`, checks it against the
//! contract ([`crate::summary`]) and adds the counts up into one summary of the same format,
//! so that roll-ups stack (街道 → 区县 → 市 → 省).

use std::path::{Path, PathBuf};

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostics;
use crate::load::{self, decode};
use crate::model::Bulletin;
use crate::summary::{self, CategoryCount, FORMAT, Period, SummaryFile, VERSION, add_counts};

/// One member as read.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    /// The name the roll-up shows: the `name` in `site.toml`, else the summary's own.
    pub name: String,
    pub level: String,
    /// The member's public site, if any.
    pub url: Option<String>,
    pub summary: SummaryFile,
    /// Its `[[members]]` line in `site.toml`.
    pub line: u32,
}

/// A roll-up site: its settings, its members and their sum.
pub struct Rollup {
    pub(crate) root: PathBuf,
    pub(crate) config: SiteConfig,
    pub(crate) members: Vec<Member>,
    /// The members added up; `members` rows in the order of `site.toml`.
    pub(crate) total: SummaryFile,
    /// `content/bulletins/*.md`, whose bodies may name any member's figures.
    pub(crate) bulletins: Vec<Bulletin>,
}

impl Rollup {
    /// Members read.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }

    /// Reads every member listed in the settings. Every problem is reported, each at its
    /// `[[members]]` line; returns the roll-up only when there is no error.
    pub(crate) fn load(root: &Path, config: SiteConfig, diags: &mut Diagnostics) -> Option<Rollup> {
        let text = decode::read_to_string(&root.join("site.toml")).unwrap_or_default();
        let lines = member_lines(&text);
        let line_of = |i: usize| lines.get(i).copied().unwrap_or(1);
        let mut members: Vec<Member> = Vec::new();
        let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
        for (i, m) in config.members.iter().enumerate() {
            let line = line_of(i);
            let label = if m.name.trim().is_empty() {
                format!("第 {} 个成员", i + 1)
            } else {
                format!("成员“{}”", m.name.trim())
            };
            if m.path.trim().is_empty() {
                diags.error(
                    "site.toml",
                    line,
                    format!(
                        "{label}：缺少 path（成员站点生成的文件夹，或其中的 data/summary.json）"
                    ),
                );
                continue;
            }
            let Some(summary) = read_member(root, &m.path, &label, line, diags) else {
                continue;
            };
            let name = if m.name.trim().is_empty() {
                summary.name.clone()
            } else {
                m.name.trim().to_string()
            };
            if let Some(first) = seen.insert(name.clone(), i) {
                diags.error(
                    "site.toml",
                    line,
                    format!(
                        "成员名称“{name}”重复：第 {} 行的成员也叫这个名字。每个成员的 name 要不同",
                        line_of(first)
                    ),
                );
                continue;
            }
            let level = m.level.clone().unwrap_or_else(|| summary.level.clone());
            let url = m.url.clone().or_else(|| {
                (!summary.url.is_empty() && !summary.url.starts_with('/'))
                    .then(|| summary.url.clone())
            });
            members.push(Member {
                name,
                level,
                url,
                summary,
                line,
            });
        }
        // A member's file names the site that published it. Another name than the
        // member's, or the same site under two members, most likely means a path copied
        // from the line above: its figures would be counted twice.
        let mut published: std::collections::BTreeMap<&str, &Member> = Default::default();
        for member in &members {
            let own = member.summary.name.as_str();
            if let Some(first) = published.insert(own, member) {
                diags.warning(
                    "site.toml",
                    member.line,
                    format!(
                        "成员“{}”和第 {} 行的成员“{}”读到的都是“{own}”发布的 summary.json，数字会重复相加。请确认两个 path 没有指向同一个站点",
                        member.name, first.line, first.name
                    ),
                );
            } else if !own.is_empty() && own != member.name {
                diags.warning(
                    "site.toml",
                    member.line,
                    format!(
                        "成员“{}”的 summary.json 是“{own}”发布的。请确认 path 没有指错；名称只是写法不同时可以不管",
                        member.name
                    ),
                );
            }
        }
        // Members report the same period; one that does not is most likely last year's
        // file or a half-year build, which would make the sum meaningless.
        if let Some(common) = most_common_period(&members) {
            for member in &members {
                if member.summary.period != common {
                    diags.warning(
                        "site.toml",
                        member.line,
                        format!(
                            "成员“{}”的统计期是 {}，其他成员是 {}。请确认用的是同一期的 summary.json",
                            member.name,
                            show_period(&member.summary.period),
                            show_period(&common)
                        ),
                    );
                }
            }
        }
        // A roll-up has no residents' records, so no resident's name to look for; numbers
        // and the like are cleaned as on any site.
        let docs = load::documents::read_folder(root, "bulletins", diags);
        let rules = config.masking_rules();
        let names = crate::privacy::names::Names::without_residents(rules);
        let bulletins = crate::validate::documents::bulletins(&docs, &names, diags);
        if diags.has_errors() {
            return None;
        }
        let known: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
        for b in &bulletins {
            check_member_names(&b.body, &known, diags);
        }
        if diags.has_errors() {
            return None;
        }
        let total = add_up(&config, &members);
        Some(Rollup {
            root: root.to_path_buf(),
            config,
            members,
            total,
            bulletins,
        })
    }
}

/// Every `members["名称"]` (or `members['名称']`) in a bulletin names a member: one that
/// does not is reported at its line with the members' names, before Tera would stop at
/// the first with a message about variables.
fn check_member_names(doc: &crate::model::Document, known: &[String], diags: &mut Diagnostics) {
    for (i, line) in doc.markdown.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("members") {
            rest = &rest[at + "members".len()..];
            let Some(open) = rest.trim_start().strip_prefix('[') else {
                continue;
            };
            let open = open.trim_start();
            let Some(quote) = open.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let Some((name, _)) = open[1..].split_once(quote) else {
                continue;
            };
            if known.iter().any(|k| k == name) {
                continue;
            }
            let line = u32::try_from(doc.first_line as usize + i).unwrap_or(u32::MAX);
            let near = crate::validate::suggest::closest(name, known.iter().map(String::as_str))
                .map(|n| format!("是不是“{n}”？"))
                .unwrap_or_default();
            diags.error(
                &doc.path,
                line,
                format!(
                    "没有名为“{name}”的成员。{near}本汇总站点的成员：{}（名称要和 site.toml 里 [[members]] 的 name 一字不差）",
                    known.join("、")
                ),
            );
        }
    }
}

/// The line of each `[[members]]` header, in order.
fn member_lines(text: &str) -> Vec<u32> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim();
            t.starts_with("[[")
                && t.trim_start_matches('[')
                    .trim_start()
                    .starts_with("members")
        })
        .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX))
        .collect()
}

/// Reads and checks one member's summary; every message names the member.
fn read_member(
    root: &Path,
    path: &str,
    label: &str,
    line: u32,
    diags: &mut Diagnostics,
) -> Option<SummaryFile> {
    let mut file = root.join(path);
    // Messages name the file as the user wrote it, not as an absolute path.
    let mut shown = path.to_string();
    if file.is_dir() {
        file = file.join("data/summary.json");
        shown = format!("{}/data/summary.json", path.trim_end_matches('/'));
    }
    let mut fail = |why: String| diags.error("site.toml", line, format!("{label}：{why}"));
    let bytes = match crate::files::read(&file) {
        Ok(b) => b,
        Err(err) => {
            fail(if err.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "找不到 {shown}。path 应指向成员站点生成的文件夹（如 members/fushan/public），或其中的 data/summary.json"
                )
            } else {
                format!("无法读取 {shown}：{}", crate::fs_errors::reason(&err))
            });
            return None;
        }
    };
    let value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(err) => {
            fail(format!(
                "{shown} 不是完整的 JSON（第 {} 行：{}），文件可能损坏或没有下载完整，请重新获取",
                err.line(),
                err.classify_chinese()
            ));
            return None;
        }
    };
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        fail(format!(
            "{shown} 不是红管家汇总文件（应有 \"format\": \"{FORMAT}\"）。请指向成员站点生成的 data/summary.json"
        ));
        return None;
    }
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(VERSION) => {}
        Some(v) => {
            fail(format!(
                "{shown} 的格式版本是 {v}，本程序只认识版本 {VERSION}。请用同一版本的红管家重新生成成员站点，或升级本程序"
            ));
            return None;
        }
        None => {
            fail(format!(
                "{shown} 缺少格式版本 version，请用红管家重新生成成员站点"
            ));
            return None;
        }
    }
    match serde_json::from_value::<SummaryFile>(value) {
        Ok(s) => Some(s),
        Err(err) => {
            fail(format!(
                "{shown} 的内容不符合汇总文件格式（{err}），请用红管家重新生成成员站点"
            ));
            None
        }
    }
}

trait ChineseJsonError {
    fn classify_chinese(&self) -> &'static str;
}

impl ChineseJsonError for serde_json::Error {
    fn classify_chinese(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Eof => "文件在中途结束",
            serde_json::error::Category::Syntax => "语法错误",
            serde_json::error::Category::Data => "数据类型不对",
            serde_json::error::Category::Io => "读取失败",
        }
    }
}

fn most_common_period(members: &[Member]) -> Option<Period> {
    let mut counts: Vec<(Period, usize)> = Vec::new();
    for m in members {
        match counts.iter_mut().find(|(p, _)| *p == m.summary.period) {
            Some((_, n)) => *n += 1,
            None => counts.push((m.summary.period.clone(), 1)),
        }
    }
    // Ties go to the earliest listed, so the warning does not depend on anything else.
    let best = counts.iter().map(|(_, n)| *n).max()?;
    counts.into_iter().find(|(_, n)| *n == best).map(|(p, _)| p)
}

fn show_period(p: &Period) -> String {
    match (&p.from, &p.to) {
        (Some(a), Some(b)) => format!("{a} 至 {b}"),
        _ => "（没有记录）".to_string(),
    }
}

/// The members' counts added up: a summary of the same format as a site's.
fn add_up(config: &SiteConfig, members: &[Member]) -> SummaryFile {
    let mut t = SummaryFile {
        format: FORMAT.to_string(),
        version: VERSION,
        name: config.site_name(),
        level: config.site_level(),
        title: config.title.clone(),
        url: config.base_url_slash(),
        period: Period::default(),
        as_of: None,
        stewards: 0,
        communities: 0,
        buildings: 0,
        buildings_covered: 0,
        buildings_covered_counted: 0,
        households_visited: 0,
        visits: 0,
        cases: 0,
        resolved: 0,
        errands: 0,
        meetings: 0,
        door_knocking_households: 0,
        commended: 0,
        by_membership: Default::default(),
        by_month: Default::default(),
        by_category: Vec::new(),
        by_community: Default::default(),
        members: Vec::new(),
        commended_stewards: Vec::new(),
    };
    let mut categories: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    for m in members {
        let s = &m.summary;
        t.stewards += s.stewards;
        t.communities += s.communities;
        t.buildings += s.buildings;
        t.buildings_covered += s.buildings_covered;
        t.buildings_covered_counted += s.buildings_covered_counted;
        t.households_visited += s.households_visited;
        t.visits += s.visits;
        t.cases += s.cases;
        t.resolved += s.resolved;
        t.errands += s.errands;
        t.meetings += s.meetings;
        t.door_knocking_households += s.door_knocking_households;
        t.commended += s.commended;
        t.as_of = t.as_of.max(s.as_of.clone());
        for (k, v) in &s.by_membership {
            *t.by_membership.entry(k.clone()).or_default() += v;
        }
        for (k, c) in &s.by_month {
            add_counts(t.by_month.entry(k.clone()).or_default(), c);
        }
        for c in &s.by_category {
            let e = categories.entry(c.category.clone()).or_default();
            e.0 += c.cases;
            e.1 += c.resolved;
        }
        t.members
            .push(s.as_member(&m.name, &m.level, m.url.clone()));
        t.commended_stewards
            .extend(s.commended_stewards.iter().cloned().map(|mut c| {
                // The first roll-up names the member; higher ones keep the lowest level's
                // name next to the steward, which is the one a reader knows.
                c.member.get_or_insert_with(|| m.name.clone());
                c
            }));
    }
    t.by_category = categories
        .into_iter()
        .map(|(category, (cases, resolved))| CategoryCount {
            category,
            cases,
            resolved,
        })
        .collect();
    summary::sort_categories(&mut t.by_category);
    t.period = summary::period_of(&t.by_month);
    t
}

/// Whether `site.toml` under `root` makes a roll-up site: read only the settings.
pub(crate) fn is_rollup(config: &SiteConfig) -> bool {
    !config.members.is_empty()
}
