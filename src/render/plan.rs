//! What every page of a build may need, worked out once: who is named how, each
//! community's and steward's latest cases, the case lists, the Markdown bodies. Then the
//! flat list of [`Page`]s to render, in the order they are rendered. Each page's own
//! context is made from this and its `Page` on the rendering thread (`context/`).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Renderer;
use super::data::{CommunitySummary, SubdistrictSummary, Summary, community_rows};
use super::routes::Page;
use super::views::People;
use crate::diagnostics::Diagnostics;
use crate::model::{Case, CommunityIdx, Meeting, StewardIdx};
use crate::site::Site;

/// How many of the latest cases a community or steward page lists.
const LATEST: usize = 10;

/// The build's shared page data.
pub(crate) struct Plan<'a> {
    /// The records.
    pub site: &'a Site,
    /// The headline figures, as pages and open data show them.
    pub summary: &'a Summary,
    /// How every steward is named and linked.
    pub people: People,
    /// Communities in the order the user listed them.
    pub communities: Vec<CommunitySummary>,
    /// The subdistricts of a site with several; empty otherwise.
    pub subdistricts: Vec<SubdistrictSummary>,
    /// Per community: its stewards, by roster index.
    pub members: Vec<Vec<usize>>,
    /// Per community: its latest cases.
    pub community_cases: Vec<Vec<&'a Case>>,
    /// Per community: its latest meetings.
    pub community_meetings: Vec<Vec<&'a Meeting>>,
    /// Per steward: their latest cases.
    pub steward_cases: Vec<Vec<&'a Case>>,
    /// The site's months, `YYYY-MM`, for every steward's chart.
    pub month_keys: Vec<String>,
    /// Cases newest first: all of them, and per category (by name).
    pub all_cases: Vec<&'a Case>,
    /// Cases per category, by name.
    pub category_cases: BTreeMap<&'a str, Vec<&'a Case>>,
    /// The first page of each category's list, by name: every case row links to it.
    pub category_urls: BTreeMap<&'a str, String>,
    /// Each community's page, by index: every case row links to it.
    pub community_urls: Vec<String>,
    /// Bulletin bodies as HTML, like [`Site::bulletins`].
    pub bulletin_bodies: Vec<String>,
    /// Free page bodies as HTML, like [`Site::pages`].
    pub page_bodies: Vec<String>,
    /// Every page's address for the sitemap, sorted.
    pub sitemap: Vec<String>,
}

/// Why a site could not be planned.
#[derive(Debug)]
pub(crate) enum PlanError {
    /// Something of the input: two case categories that would share one address, which
    /// a line of `site.toml` settles.
    Input(Diagnostics),
    /// Template errors in Markdown bodies, all of them.
    Template(Diagnostics),
}

impl<'a> Plan<'a> {
    /// The shared data and every page of the site.
    pub(crate) fn new(
        site: &'a Site,
        summary: &'a Summary,
        renderer: &Renderer,
    ) -> Result<(Plan<'a>, Vec<Page>), PlanError> {
        // Two categories in one folder would overwrite each other's list: stop before
        // anything is rendered, naming both and the setting that separates them.
        let clashes = super::slugs::collisions(
            &site.config,
            summary.by_category.iter().map(|c| c.category.as_str()),
        );
        if clashes.has_errors() {
            return Err(PlanError::Input(clashes));
        }
        let registry = &site.registry;
        let n = registry.communities.len();
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, s) in registry.stewards.iter().enumerate() {
            members[s.community].push(i);
        }
        let mut community_cases: Vec<Vec<&Case>> = vec![Vec::new(); n];
        let mut steward_cases: Vec<Vec<&Case>> = vec![Vec::new(); registry.stewards.len()];
        let mut category_cases: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
        for c in &site.cases {
            let list = &mut community_cases[registry.stewards[c.steward].community];
            if list.len() < LATEST {
                list.push(c);
            }
            if steward_cases[c.steward].len() < LATEST {
                steward_cases[c.steward].push(c);
            }
            category_cases
                .entry(c.category.as_str())
                .or_default()
                .push(c);
        }
        let mut community_meetings: Vec<Vec<&Meeting>> = vec![Vec::new(); n];
        for m in &site.meetings {
            if community_meetings[m.community].len() < LATEST {
                community_meetings[m.community].push(m);
            }
        }

        let allow = site.config.privacy.allow_raw_html;
        let mut errors = Diagnostics::new();
        let mut body = |doc| match renderer.render_markdown(doc, allow) {
            Ok(html) => html,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let bulletin_bodies: Vec<String> = site.bulletins.iter().map(|b| body(&b.body)).collect();
        let page_bodies: Vec<String> = site.pages.iter().map(|p| body(&p.body)).collect();
        if errors.has_errors() {
            return Err(PlanError::Template(errors));
        }

        let mut plan = Plan {
            site,
            summary,
            people: People::new(site),
            communities: community_rows(registry, summary),
            subdistricts: super::data::subdistricts(registry, summary),
            members,
            community_cases,
            community_meetings,
            steward_cases,
            month_keys: site
                .figures
                .by_month
                .keys()
                .map(|m| crate::aggregate::month_key(*m))
                .collect(),
            all_cases: site.cases.iter().collect(),
            category_urls: category_cases
                .keys()
                .map(|name| (*name, super::routes::category(site, name)))
                .collect(),
            community_urls: registry
                .communities
                .iter()
                .map(|c| super::routes::community(&c.id))
                .collect(),
            category_cases,
            bulletin_bodies,
            page_bodies,
            sitemap: Vec::new(),
        };
        let pages = plan.pages();
        let mut urls: Vec<String> = pages
            .iter()
            .filter(|p| !matches!(p, Page::Asset(_)))
            .map(|p| super::routes::pretty(&p.path(site)).to_string())
            .collect();
        urls.sort();
        plan.sitemap = urls;
        let mut pages = pages_with_site_files(pages);
        // After the sitemap, which lists only pages worth finding.
        pages.extend(plan.old_addresses());
        Ok((plan, pages))
    }

    /// The first page of a category's list. The plan groups every case by its category,
    /// so every case's category has one.
    pub(crate) fn category_url(&self, name: &str) -> &str {
        self.category_urls.get(name).map_or("", String::as_str)
    }

    /// How many pages a case list of `count` cases has.
    pub(crate) fn list_pages(&self, count: usize) -> usize {
        count.div_ceil(self.page_size()).max(1)
    }

    /// Rows per page of a case list.
    pub(crate) fn page_size(&self) -> usize {
        self.site.config.lists.page_size.max(1)
    }

    /// A redirect at each old address of a page that moved: the category lists' hashed
    /// and ü addresses, the subdistricts' ü addresses.
    fn old_addresses(&self) -> Vec<Page> {
        let site = self.site;
        let mut pages = Vec::new();
        for (name, cases) in &self.category_cases {
            let category = Arc::<str>::from(*name);
            for old in super::routes::category_moves(&site.config, name) {
                for page in 1..=self.list_pages(cases.len()) {
                    pages.push(Page::OldCaseList {
                        category: category.clone(),
                        page,
                        old,
                    });
                }
            }
        }
        if !self.subdistricts.is_empty() {
            pages.extend(
                (0..site.registry.subdistricts.len())
                    .filter(|&i| super::routes::old_subdistrict(site, i).is_some())
                    .map(Page::OldSubdistrict),
            );
        }
        pages
    }

    /// The pages made from records, in the order they are rendered.
    fn pages(&self) -> Vec<Page> {
        let site = self.site;
        let mut pages = vec![Page::Home, Page::Communities];
        if !self.subdistricts.is_empty() {
            pages.extend((0..self.subdistricts.len()).map(Page::Subdistrict));
            pages.extend(
                [
                    super::routes::SORT_SCRIPT,
                    super::routes::FILTER_SCRIPT,
                    super::routes::COMPARE_STYLE,
                ]
                .map(Page::Asset),
            );
        }
        pages
            .extend((0..site.registry.communities.len()).map(|i| Page::Community(CommunityIdx(i))));
        pages.extend(
            site.registry
                .stewards
                .iter()
                .enumerate()
                .filter(|(_, s)| s.public)
                .map(|(i, _)| Page::Steward(StewardIdx(i))),
        );
        let lists = std::iter::once((None, self.all_cases.len())).chain(
            self.category_cases
                .iter()
                .map(|(name, cases)| (Some(Arc::<str>::from(*name)), cases.len())),
        );
        for (category, count) in lists {
            for page in 1..=self.list_pages(count) {
                pages.push(Page::CaseList {
                    category: category.clone(),
                    page,
                });
            }
        }
        if !site.batches.is_empty() {
            pages.push(Page::Commendations);
            pages.extend((0..site.batches.len()).map(Page::Commendation));
        }
        if !site.bulletins.is_empty() {
            pages.push(Page::Bulletins);
        }
        pages.extend((0..site.bulletins.len()).map(Page::Bulletin));
        pages.extend((0..site.pages.len()).map(Page::Free));
        // Its index is not a page: `search::files`, with the other extra files.
        pages.push(Page::Search);
        pages
    }
}

/// The sitemap lists the pages before it; feeds, robots and the not-found page follow.
fn pages_with_site_files(mut pages: Vec<Page>) -> Vec<Page> {
    pages.extend([Page::Sitemap, Page::Atom, Page::Robots, Page::NotFound]);
    pages
}
