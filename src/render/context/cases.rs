//! The paginated case lists: all cases under `cases/`, and one list per category.

use crate::fingerprint::Keyed;
use serde::Serialize;

use crate::render::plan::Plan;
use crate::render::routes;
use crate::render::views::{CaseRow, case_row};
use crate::site::Site;

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
}

/// Links between the pages of a paginated list, with a window around the current page.
#[derive(Serialize)]
struct Pager {
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    links: Vec<PageLink>,
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
struct CategoryLink {
    name: String,
    url: String,
    cases: u64,
    current: bool,
}

pub(super) fn list<'p>(
    plan: &'p Plan<'_>,
    category: Option<&'p str>,
    page: usize,
    ctx: &mut Keyed<'p>,
) {
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
                Some(url) => url.clone(),
                None => routes::category(plan.site, &c.category),
            },
            current: category == Some(c.category.as_str()),
            name: c.category.clone(),
            cases: c.cases,
        })
        .collect();
    ctx.insert("category", category);
    ctx.insert("count", cases.len());
    ctx.insert("rows", rows);
    ctx.insert("pager", pager(plan.site, category, page, total));
    ctx.insert("categories", categories);
}
