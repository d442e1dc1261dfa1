//! Page data: the public face of each record. Everything a template can see is built
//! here, from public fields only.

use std::cmp::Ordering;

use serde::Serialize;

use super::plan::Plan;
use super::routes;
use crate::aggregate::Counts;
use crate::config::{NameStyle, PhoneStyle};
use crate::model::{Bulletin, Case, Date, Decision, FreePage, Membership, Notice, Steward};
use crate::privacy::{mask_name, mask_phone};
use crate::site::Site;

/// A steward as other pages mention them.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StewardRef {
    pub id: String,
    pub name: String,
    /// Relative to the site root; none for a steward who asked not to be shown.
    pub url: Option<String>,
}

/// How every steward is named and linked, decided once per build.
pub(crate) struct People {
    pub refs: Vec<StewardRef>,
}

impl People {
    pub(crate) fn new(site: &Site) -> Self {
        let masked_all = site.config.privacy.steward_names == NameStyle::Masked;
        let refs = site
            .registry
            .stewards
            .iter()
            .map(|s| StewardRef {
                id: s.id.clone(),
                name: if masked_all || !s.public {
                    mask_name(&s.name)
                } else {
                    s.name.clone()
                },
                url: s.public.then(|| routes::steward(&s.id)),
            })
            .collect();
        People { refs }
    }
}

/// Orders `3幢` before `12幢`: runs of digits compare as numbers.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let mut m = String::new();
                while let Some(c) = x.peek().copied().filter(char::is_ascii_digit) {
                    m.push(c);
                    x.next();
                }
                let mut n = String::new();
                while let Some(d) = y.peek().copied().filter(char::is_ascii_digit) {
                    n.push(d);
                    y.next();
                }
                let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                let ord = m.len().cmp(&n.len()).then_with(|| m.cmp(n));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(&d);
                }
                x.next();
                y.next();
            }
        }
    }
}

/// One row of a case table. It borrows from the records and the plan: a city's pages
/// show some 1.5 million rows, and each row's names and addresses are the same strings on
/// every page (the category's address is its pinyin, worked out once in the plan). Dates
/// stay dates until they are written.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CaseRow<'a> {
    pub id: &'a str,
    pub date: Date,
    pub community: &'a str,
    pub community_url: &'a str,
    pub category: &'a str,
    pub category_url: &'a str,
    pub summary: &'a str,
    pub status: &'static str,
    pub resolved: Option<Date>,
    pub channel: Option<&'static str>,
}

/// A community's party organisation by its full name, as a notice names it: the records
/// give its kind (`社区党委`) beside the community's name (`坊门街社区`), which read
/// together as `坊门街社区党委`; a kind written with the name already is kept as it is.
pub(crate) fn party_org_name(community: &str, party_org: &str) -> Option<String> {
    let org = party_org.trim();
    if org.is_empty() {
        return None;
    }
    if org.contains(community) {
        return Some(org.to_string());
    }
    // The longest end of the name the kind starts with (`社区` of 坊门街社区 and 社区党委).
    let overlap = org
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .rfind(|&end| community.ends_with(&org[..end]))
        .unwrap_or(0);
    Some(format!("{community}{}", &org[overlap..]))
}

pub(crate) fn case_row<'a>(plan: &'a Plan<'a>, case: &'a Case) -> CaseRow<'a> {
    let site = plan.site;
    let ci = site.registry.stewards[case.steward].community;
    CaseRow {
        id: &case.id,
        date: case.date,
        community: &site.registry.communities[ci].name,
        community_url: &plan.community_urls[ci],
        category: &case.category,
        category_url: plan.category_url(&case.category),
        summary: &case.summary,
        status: case.status.label(),
        resolved: case.resolved,
        channel: case.channel.map(|c| c.label()),
    }
}

/// One month of a table, its key borrowed from the plan's.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MonthRow<'a> {
    pub month: &'a str,
    #[serde(flatten)]
    pub counts: Counts,
}

/// Monthly rows over the whole site's period, so every chart and table lines up.
pub(crate) fn month_rows<'p>(
    plan: &'p Plan<'_>,
    months: impl IntoIterator<Item = (u32, Counts)>,
) -> Vec<MonthRow<'p>> {
    // Both in month order: the site has every month of the period, a place only those
    // with a count.
    let mut months = months.into_iter().peekable();
    plan.site
        .figures
        .by_month
        .keys()
        .zip(&plan.month_keys)
        .map(|(m, key)| {
            while months.next_if(|(n, _)| n < m).is_some() {}
            MonthRow {
                month: key,
                counts: months
                    .next_if(|(n, _)| n == m)
                    .map(|(_, counts)| counts)
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// A steward's public profile. The workplace is shown only for in-service members,
/// whose workplace party organisation the programme thanks by letter.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Profile {
    pub id: String,
    pub name: String,
    pub community: String,
    pub community_url: String,
    pub buildings: Vec<String>,
    pub membership: &'static str,
    pub grid: Option<String>,
    pub workplace: Option<String>,
    pub specialty: Option<String>,
    pub teams: Vec<String>,
    pub joined: Option<String>,
    /// Masked, and only when `site.toml` asks for it.
    pub phone: Option<String>,
}

pub(crate) fn profile(site: &Site, people: &People, index: usize, s: &Steward) -> Profile {
    let community = &site.registry.communities[s.community];
    Profile {
        id: s.id.clone(),
        name: people.refs[index].name.clone(),
        community: community.name.clone(),
        community_url: routes::community(&community.id),
        buildings: s.buildings.clone(),
        membership: s.membership.label(),
        grid: s.grid.clone(),
        workplace: if s.membership == Membership::InService {
            s.workplace.clone()
        } else {
            None
        },
        specialty: s.specialty.clone(),
        teams: s.teams.clone(),
        joined: s.joined.map(|d| d.to_string()),
        phone: match site.config.privacy.steward_phone {
            PhoneStyle::Masked => s.private.phone.as_deref().map(mask_phone),
            PhoneStyle::Hidden => None,
        },
    }
}

/// A bulletin's public fields; its Markdown source stays out of the templates' reach.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BulletinView<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub issue: Option<u32>,
    pub total_issue: Option<u32>,
    pub date: Date,
    pub source: Option<&'a str>,
    pub send_to: &'a [String],
    pub distribute_to: &'a [String],
}

impl<'a> BulletinView<'a> {
    pub(crate) fn new(b: &'a Bulletin) -> Self {
        BulletinView {
            slug: &b.slug,
            title: &b.title,
            subtitle: b.subtitle.as_deref(),
            issue: b.issue,
            total_issue: b.total_issue,
            date: b.date,
            source: b.source.as_deref(),
            send_to: &b.send_to,
            distribute_to: &b.distribute_to,
        }
    }
}

/// A free page's public fields.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FreePageView<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub date: Option<Date>,
}

impl<'a> FreePageView<'a> {
    pub(crate) fn new(p: &'a FreePage) -> Self {
        FreePageView {
            slug: &p.slug,
            title: &p.title,
            date: p.date,
        }
    }
}

/// A commendation's public notice (公示).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NoticeView<'a> {
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub objections: Option<&'a str>,
    pub contact: Option<&'a str>,
    pub issuer: Option<&'a str>,
    pub date: Option<Date>,
}

impl<'a> NoticeView<'a> {
    pub(crate) fn new(n: &'a Notice) -> Self {
        NoticeView {
            start: n.start,
            end: n.end,
            objections: n.objections.as_deref(),
            contact: n.contact.as_deref(),
            issuer: n.issuer.as_deref(),
            date: n.date,
        }
    }
}

/// A commendation's decision (表彰决定).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DecisionView<'a> {
    pub number: Option<&'a str>,
    pub date: Date,
    pub issuer: Option<&'a str>,
    pub paragraphs: &'a [String],
}

impl<'a> DecisionView<'a> {
    pub(crate) fn new(d: &'a Decision) -> Self {
        DecisionView {
            number: d.number.as_deref(),
            date: d.date,
            issuer: d.issuer.as_deref(),
            paragraphs: &d.paragraphs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buildings_sort_naturally() {
        let mut v = vec!["12幢", "3幢", "3幢2单元", "A2", "A10", "1幢"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["1幢", "3幢", "3幢2单元", "12幢", "A2", "A10"]);
    }
}

#[cfg(test)]
mod party_org_tests {
    use super::party_org_name;

    #[test]
    fn a_party_organisation_reads_with_its_communitys_name() {
        let name = |c, o| party_org_name(c, o);
        assert_eq!(
            name("坊门街社区", "社区党委").as_deref(),
            Some("坊门街社区党委")
        );
        assert_eq!(
            name("坊门街社区", "党总支").as_deref(),
            Some("坊门街社区党总支")
        );
        assert_eq!(
            name("坊门街", "社区党委").as_deref(),
            Some("坊门街社区党委")
        );
        assert_eq!(
            name("坊门街社区", "坊门街社区党委").as_deref(),
            Some("坊门街社区党委")
        );
        assert_eq!(name("坊门街社区", " "), None);
    }
}
