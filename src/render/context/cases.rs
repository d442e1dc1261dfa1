//! The paginated case lists: all cases under `cases/`, and one list per category. Their
//! data, typed, for the compiled page (`render::compiled`) and, when a site's theme has
//! its own `cases.html`, for Tera.

use std::borrow::Cow;

use serde::Serialize;

use crate::render::plan::Plan;
use crate::render::routes;
use crate::render::views::{CaseRow, case_row};
use crate::site::Site;

#[derive(Serialize)]
pub(crate) struct PageLink {
    pub number: usize,
    pub url: String,
}

/// Links between the pages of a paginated list, with a window around the current page.
#[derive(Serialize)]
pub(crate) struct Pager {
    pub current: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub links: Vec<PageLink>,
}

fn pager(site: &Site, category: Option<&str>, current: usize, total: usize) -> Pager {
    let mut numbers: Vec<usize> = vec![1, total];
    numbers.extend(current.saturating_sub(2).max(1)..=(current + 2).min(total));
    numbers.sort_unstable();
    numbers.dedup();
    Pager {
        current,
        total,
        prev: (current > 1).then(|| routes::case_list(site, category, current - 1)),
        next: (current < total).then(|| routes::case_list(site, category, current + 1)),
        links: numbers
            .into_iter()
            .map(|n| PageLink {
                number: n,
                url: routes::case_list(site, category, n),
            })
            .collect(),
    }
}

#[derive(Serialize)]
pub(crate) struct CategoryLink<'p> {
    pub name: &'p str,
    pub url: Cow<'p, str>,
    pub cases: u64,
    pub current: bool,
}

/// Everything `cases.html` sees besides the global context, under the names it uses; the
/// page's key is this, serialized.
#[derive(Serialize)]
pub(crate) struct CaseListPage<'p> {
    pub root: String,
    pub path: &'p str,
    pub category: Option<&'p str>,
    pub count: usize,
    pub rows: Vec<CaseRow<'p>>,
    pub pager: Pager,
    pub categories: Vec<CategoryLink<'p>>,
}

impl CaseListPage<'_> {
    /// The Tera context of the page.
    pub(crate) fn context(&self) -> tera::Context {
        let mut ctx = tera::Context::new();
        ctx.insert("root", &self.root);
        ctx.insert("path", self.path);
        ctx.insert("category", &self.category);
        ctx.insert("count", &self.count);
        ctx.insert("rows", &self.rows);
        ctx.insert("pager", &self.pager);
        ctx.insert("categories", &self.categories);
        ctx
    }
}

pub(crate) fn page<'p>(
    plan: &'p Plan<'_>,
    category: Option<&'p str>,
    page: usize,
    root: String,
    path: &'p str,
) -> CaseListPage<'p> {
    let cases = match category {
        None => &plan.all_cases,
        Some(name) => match plan.category_cases.get(name) {
            Some(cases) => cases,
            None => &plan.all_cases,
        },
    };
    let size = plan.page_size();
    let total = plan.list_pages(cases.len());
    let rows: Vec<CaseRow> = cases
        .iter()
        .skip((page - 1) * size)
        .take(size)
        .map(|c| case_row(plan, c))
        .collect();
    let categories: Vec<CategoryLink> = plan
        .summary
        .by_category
        .iter()
        .map(|c| CategoryLink {
            url: match plan.category_urls.get(c.category.as_str()) {
                Some(url) => Cow::Borrowed(url.as_str()),
                None => Cow::Owned(routes::category(plan.site, &c.category)),
            },
            current: category == Some(c.category.as_str()),
            name: &c.category,
            cases: c.cases,
        })
        .collect();
    CaseListPage {
        root,
        path,
        category,
        count: cases.len(),
        rows,
        pager: pager(plan.site, category, page, total),
        categories,
    }
}
