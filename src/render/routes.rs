//! Every page the site can have, and the only place a URL is made. A new kind of page is
//! a new [`Page`] variant, its path and template here, and its context in `context/`.

use std::sync::Arc;

use super::slugs;
use crate::config::SiteConfig;
use crate::model::{CommunityIdx, StewardIdx};
use crate::site::Site;

/// One page (or other rendered file) of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Page {
    /// `index.html`.
    Home,
    /// The list of communities.
    Communities,
    /// One subdistrict of a site with several, by its index in the registry.
    Subdistrict(usize),
    /// A script or style only some sites need, rendered from the theme's template of the
    /// same name so that sites without it stay as they were.
    Asset(&'static str),
    /// One community.
    Community(CommunityIdx),
    /// One steward who agreed to be shown.
    Steward(StewardIdx),
    /// One page of the case list: all cases, or those of one category.
    CaseList {
        /// The category's name as written in the records; `None` for all cases.
        category: Option<Arc<str>>,
        /// 1-based.
        page: usize,
    },
    /// The list of commendation batches.
    Commendations,
    /// One commendation batch, by its index in [`Site::batches`].
    Commendation(usize),
    /// The list of bulletins.
    Bulletins,
    /// One bulletin, by its index in [`Site::bulletins`].
    Bulletin(usize),
    /// One free page, by its index in [`Site::pages`].
    Free(usize),
    /// `sitemap.xml`.
    Sitemap,
    /// `atom.xml`.
    Atom,
    /// `robots.txt`.
    Robots,
    /// `404.html`, served at any missing address.
    NotFound,
    /// A page of a category's case list at an address earlier versions gave it, sending
    /// the reader on to the new one. Not a page of its own: not in the sitemap nor the
    /// page count.
    OldCaseList {
        /// The category's name as written in the records.
        category: Arc<str>,
        /// 1-based.
        page: usize,
        /// Which of the earlier addresses.
        old: OldSlug,
    },
    /// A subdistrict's page at the address with ü earlier versions gave it (see
    /// [`slugs::umlaut_pinyin_slug`]), sending the reader on; like [`Page::OldCaseList`].
    OldSubdistrict(usize),
    /// 查找我的红管家: the search page; its index files are [`search_index`] and
    /// [`search_shard`].
    Search,
}

impl Page {
    /// Where the page is written, relative to the output folder.
    pub(crate) fn path(&self, site: &Site) -> String {
        match self {
            Page::Home => HOME.to_string(),
            Page::Communities => COMMUNITIES.to_string(),
            Page::Subdistrict(i) => subdistrict(&subdistrict_ids(&site.registry.subdistricts)[*i]),
            Page::Asset(path) => (*path).to_string(),
            Page::Community(c) => community(&site.registry.communities[c.0].id),
            Page::Steward(s) => steward(&site.registry.stewards[s.0].id),
            Page::CaseList { category, page } => case_list(site, category.as_deref(), *page),
            Page::Commendations => COMMENDATIONS.to_string(),
            Page::Commendation(b) => commendation(&site.batches[*b].id),
            Page::Bulletins => BULLETINS.to_string(),
            Page::Bulletin(b) => bulletin(&site.bulletins[*b].slug),
            Page::Free(p) => free_page(&site.pages[*p].slug),
            Page::Sitemap => "sitemap.xml".to_string(),
            Page::Atom => "atom.xml".to_string(),
            Page::Robots => "robots.txt".to_string(),
            Page::NotFound => NOT_FOUND.to_string(),
            Page::OldCaseList {
                category,
                page,
                old,
            } => old_case_list(category, *old, *page),
            Page::OldSubdistrict(i) => old_subdistrict(site, *i).unwrap_or_default(),
            Page::Search => SEARCH.to_string(),
        }
    }

    /// The theme's template that renders it.
    pub(crate) fn template(&self) -> &'static str {
        match self {
            Page::Home => "index.html",
            Page::Communities => "communities.html",
            Page::Subdistrict(_) => "subdistrict.html",
            Page::Asset(path) => path.strip_prefix("assets/").unwrap_or(path),
            Page::Community(_) => "community.html",
            Page::Steward(_) => "steward.html",
            Page::CaseList { .. } => "cases.html",
            Page::Commendations => "commendations.html",
            Page::Commendation(_) => "commendation.html",
            Page::Bulletins => "bulletins.html",
            Page::Bulletin(_) => "bulletin.html",
            Page::Free(_) => "page.html",
            Page::Sitemap => "sitemap.xml",
            Page::Atom => "atom.xml",
            Page::Robots => "robots.txt",
            Page::NotFound => "404.html",
            Page::OldCaseList { .. } | Page::OldSubdistrict(_) => "redirect.html",
            Page::Search => "search.html",
        }
    }

    /// What kind of output it is, as the size report names it (`build -v`): pages of one
    /// template share a kind, so a kind's bytes show what that template costs a site.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Page::Home => "首页",
            Page::Communities | Page::Subdistrict(_) => "社区列表和街道页",
            Page::Asset(_) => "主题脚本和样式",
            Page::Community(_) => "社区页",
            Page::Steward(_) => "红管家页",
            Page::CaseList { .. } => "民情列表页",
            Page::Commendations | Page::Commendation(_) => "表彰页",
            Page::Bulletins | Page::Bulletin(_) | Page::Free(_) => "简报和其他页面",
            Page::Sitemap | Page::Atom | Page::Robots => "站点地图和订阅",
            Page::NotFound | Page::Search => "查找页和404页",
            Page::OldCaseList { .. } | Page::OldSubdistrict(_) => "旧地址跳转",
        }
    }

    /// Whether it counts as a page of the site: redirects at old addresses do not.
    pub(crate) fn is_redirect(&self) -> bool {
        matches!(self, Page::OldCaseList { .. } | Page::OldSubdistrict(_))
    }
}

/// The home page.
pub(crate) const HOME: &str = "index.html";
/// The list of communities.
pub(crate) const COMMUNITIES: &str = "communities/index.html";
/// The list of commendation batches.
pub(crate) const COMMENDATIONS: &str = "commendations/index.html";
/// The list of bulletins.
pub(crate) const BULLETINS: &str = "bulletins/index.html";
/// 查找我的红管家, where every page's search box sends its query.
pub(crate) const SEARCH: &str = "search/index.html";
/// A roll-up's comparison of its members, for spreadsheets.
pub(crate) const MEMBERS_CSV: &str = "data/members.csv";
/// The members' table on a roll-up's home page.
const MEMBERS_TABLE: &str = "index.html#members-title";

/// A link of the main navigation, relative to the site's root.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct NavLink {
    pub(crate) title: String,
    pub(crate) url: String,
}

fn link(title: &str, url: impl Into<String>) -> NavLink {
    NavLink {
        title: title.to_string(),
        url: url.into(),
    }
}

/// A site's main navigation: the overview, its lists (commendations and bulletins when it
/// has any), then its free pages.
pub(crate) fn nav(site: &Site) -> Vec<NavLink> {
    let mut links = vec![
        link("概况", HOME),
        link("社区", COMMUNITIES),
        link("民情办理", case_list(site, None, 1)),
    ];
    if site.figures.commended > 0 {
        links.push(link("优秀红管家", COMMENDATIONS));
    }
    if !site.bulletins.is_empty() {
        links.push(link("简报", BULLETINS));
    }
    links.extend(free_pages(site));
    links
}

/// The free pages, in the navigation's order.
pub(crate) fn free_pages(site: &Site) -> impl Iterator<Item = NavLink> + '_ {
    site.pages
        .iter()
        .map(|p| link(&p.title, free_page(&p.slug)))
}

/// A roll-up's main navigation: it has no communities or cases of its own, but may have
/// bulletins.
pub(crate) fn rollup_nav(has_bulletins: bool) -> Vec<NavLink> {
    let mut links = vec![
        link("概况", HOME),
        link("各成员", MEMBERS_TABLE),
        link("数据下载", MEMBERS_CSV),
    ];
    if has_bulletins {
        links.push(link("简报", BULLETINS));
    }
    links
}

/// The page served at any missing address.
pub(crate) const NOT_FOUND: &str = "404.html";
/// What a site publishes for the level above ([`crate::summary`]).
pub(crate) const SUMMARY: &str = "data/summary.json";
/// The small script that sorts comparison tables in the browser.
pub(crate) const SORT_SCRIPT: &str = "assets/sort.js";
/// Styles of the comparison tables, only on sites that have them.
pub(crate) const COMPARE_STYLE: &str = "assets/compare.css";
/// The script that filters the grouped communities index.
pub(crate) const FILTER_SCRIPT: &str = "assets/filter.js";
/// A roll-up site's home page template.
pub(crate) const ROLLUP_TEMPLATE: &str = "rollup.html";

/// Each subdistrict's folder under `subdistricts/`: its record's id, else the pinyin of its
/// name, numbered on when two names read the same.
pub(crate) fn subdistrict_ids(list: &[crate::model::Subdistrict]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::with_capacity(list.len());
    for s in list {
        let id = match &s.id {
            Some(id) => id.clone(),
            None => {
                let base = slugs::pinyin_slug(&s.name);
                let mut id = base.clone();
                let mut n = 1;
                while ids.contains(&id) || list.iter().any(|o| o.id.as_deref() == Some(&id)) {
                    n += 1;
                    id = format!("{base}-{n}");
                }
                id
            }
        };
        ids.push(id);
    }
    ids
}

/// A subdistrict's page, in a site with several.
pub(crate) fn subdistrict(id: &str) -> String {
    format!("subdistricts/{id}/index.html")
}

/// A steward's page: [`STEWARD_PAGE`] around the id.
pub(crate) fn steward(id: &str) -> String {
    let (before, after) = STEWARD_PAGE;
    format!("{before}{id}{after}")
}

/// What comes before and after the id in a steward's page address. The search index names
/// a city's stewards some hundred thousand times, so it carries their ids and these two
/// parts once (`render::search`): whole addresses made its shards a sixth bigger and more
/// than twice as many characters too common to search by.
pub(crate) const STEWARD_PAGE: (&str, &str) = ("stewards/", ".html");

/// A community's page.
pub(crate) fn community(id: &str) -> String {
    format!("communities/{id}/index.html")
}

/// A building's line on its community's page, for the boards' QR codes: the page and
/// the line's anchor ([`building_anchor`]).
pub(crate) fn building(community_id: &str, label: &str) -> String {
    format!("{}#{}", community(community_id), building_anchor(label))
}

/// The `id` of a building's line on its community's page: its label in pinyin, so that
/// it stays the same while buildings are added and a code printed today still finds it.
pub(crate) fn building_anchor(label: &str) -> String {
    // 幢 is read zhuàng in a building's label; the pinyin table's first reading is chuáng.
    let label = label.replace('幢', " zhuang ");
    format!("lou-{}", super::slugs::pinyin_slug(&label))
}

/// The first page of a category's case list.
pub(crate) fn category(site: &Site, name: &str) -> String {
    case_list(site, Some(name), 1)
}

/// Page `page` of the case list of `category`, or of all cases.
pub(crate) fn case_list(site: &Site, category: Option<&str>, page: usize) -> String {
    let base = match category {
        None => "cases/".to_string(),
        Some(name) => format!("cases/category/{}/", category_slug(&site.config, name)),
    };
    list_page(&base, page)
}

/// The addresses earlier versions gave a category's list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OldSlug {
    /// A hash of the name ([`slugs::legacy_category_slug`]): `cases/category/930b0bb6/`.
    Hash,
    /// Its pinyin with ü ([`slugs::umlaut_pinyin_slug`]): `cases/category/lü-hua/`.
    Umlaut,
}

/// Page `page` of a category's case list where an earlier version put it.
pub(crate) fn old_case_list(category: &str, old: OldSlug, page: usize) -> String {
    let slug = match old {
        OldSlug::Hash => slugs::legacy_category_slug(category),
        OldSlug::Umlaut => slugs::umlaut_pinyin_slug(category).unwrap_or_default(),
    };
    list_page(&format!("cases/category/{slug}/"), page)
}

/// The earlier addresses a category's list has moved from: the hash, unless it is still
/// there, and the pinyin with ü, when its name has one and no `[categories]` setting.
pub(crate) fn category_moves(config: &SiteConfig, name: &str) -> Vec<OldSlug> {
    let slug = category_slug(config, name);
    let mut moves = Vec::new();
    if slugs::legacy_category_slug(name) != slug {
        moves.push(OldSlug::Hash);
    }
    if !config.categories.contains_key(name) && slugs::umlaut_pinyin_slug(name).is_some() {
        moves.push(OldSlug::Umlaut);
    }
    moves
}

/// Where an earlier version put subdistrict `i`'s page, when its address has moved: a
/// name read with ü, and no id of its own.
pub(crate) fn old_subdistrict(site: &Site, i: usize) -> Option<String> {
    let list = &site.registry.subdistricts;
    let s = list.get(i).filter(|s| s.id.is_none())?;
    let old = slugs::umlaut_pinyin_slug(&s.name)?;
    let new = &subdistrict_ids(list)[i];
    // The id is the name's pinyin, numbered on when two read the same.
    let suffix = new.strip_prefix(&slugs::pinyin_slug(&s.name))?;
    Some(subdistrict(&format!("{old}{suffix}")))
}

fn list_page(base: &str, page: usize) -> String {
    if page <= 1 {
        format!("{base}index.html")
    } else {
        format!("{base}page-{page}.html")
    }
}

/// A commendation batch's page.
pub(crate) fn commendation(id: &str) -> String {
    format!("commendations/{id}/index.html")
}

/// A bulletin's page.
pub(crate) fn bulletin(slug: &str) -> String {
    format!("bulletins/{slug}/index.html")
}

/// A free page.
pub(crate) fn free_page(slug: &str) -> String {
    format!("{slug}/index.html")
}

/// The search index: rules, communities and the shard of every unit.
pub(crate) fn search_index() -> String {
    "search/index.js".to_string()
}

/// Shard `n` of the search index.
pub(crate) fn search_shard(n: usize) -> String {
    format!("search/s/{n}.js")
}

/// The address a reader sees for a page: its folder, for a folder's `index.html`.
pub(crate) fn pretty(path: &str) -> &str {
    path.strip_suffix("index.html").unwrap_or(path)
}

/// The folder of a category's case list under `cases/category/`: the `[categories]`
/// setting, else its pinyin; see [`slugs`].
pub(crate) fn category_slug(config: &SiteConfig, name: &str) -> String {
    slugs::category_slug(config, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_category_addresses_are_the_hashed_folders() {
        assert_eq!(
            old_case_list("停车", OldSlug::Hash, 1),
            "cases/category/bc81bb30/index.html"
        );
        assert_eq!(
            old_case_list("停车", OldSlug::Hash, 2),
            "cases/category/bc81bb30/page-2.html"
        );
        assert_eq!(
            old_case_list("绿化养护", OldSlug::Umlaut, 2),
            "cases/category/lü-hua-yang-hu/page-2.html"
        );
    }

    #[test]
    fn lists_page_on_from_their_folder() {
        assert_eq!(list_page("cases/", 1), "cases/index.html");
        assert_eq!(list_page("cases/", 3), "cases/page-3.html");
        assert_eq!(pretty(&bulletin("2018-12")), "bulletins/2018-12/");
        assert_eq!(pretty("sitemap.xml"), "sitemap.xml");
    }

    #[test]
    fn a_building_s_anchor_is_its_label_in_ascii() {
        assert_eq!(building_anchor("5幢"), "lou-5-zhuang");
        assert_eq!(building_anchor("12幢3单元"), "lou-12-zhuang-3-dan-yuan");
        assert_eq!(building_anchor("A座"), "lou-a-zuo");
        assert_eq!(
            building("fangmen", "5幢"),
            "communities/fangmen/index.html#lou-5-zhuang"
        );
    }
}
