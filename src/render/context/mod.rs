//! A page's context, made from the build's [`Plan`] and the [`Page`] on the rendering
//! thread just before the page is rendered, and dropped with it: the same way for every
//! kind of page, so a city's hundred thousand pages are never all in memory. One file per
//! kind of page.

mod cases;
mod commendations;
mod communities;
pub(crate) mod documents;
mod home;
mod redirects;
mod search;
mod site_files;
mod stewards;
mod subdistricts;

use crate::fingerprint::Keyed;

use super::plan::Plan;
use super::routes::Page;

/// Everything `page`'s template can see besides the global context.
pub(crate) fn build<'p>(plan: &'p Plan<'_>, page: &'p Page, path: &'p str) -> Keyed<'p> {
    let mut ctx = Keyed::new();
    // Links are relative to the page's own folder, so the site works from any sub-folder
    // of a web server and from disk.
    ctx.insert("root", "../".repeat(path.matches('/').count()));
    ctx.insert("path", path);
    match page {
        Page::Home => home::fill(plan, &mut ctx),
        Page::Communities => communities::index(plan, &mut ctx),
        Page::Subdistrict(i) => subdistricts::one(plan, *i, &mut ctx),
        Page::Asset(_) => {}
        Page::Community(c) => communities::one(plan, *c, &mut ctx),
        Page::Steward(s) => stewards::one(plan, *s, &mut ctx),
        Page::CaseList { category, page } => {
            cases::list(plan, category.as_deref(), *page, &mut ctx)
        }
        Page::Commendations => commendations::index(plan, &mut ctx),
        Page::Commendation(b) => commendations::one(plan, *b, &mut ctx),
        Page::Bulletins => documents::bulletin_index(plan, &mut ctx),
        Page::Bulletin(b) => documents::bulletin(plan, *b, &mut ctx),
        Page::Free(p) => documents::free_page(plan, *p, &mut ctx),
        Page::Sitemap => site_files::sitemap(plan, &mut ctx),
        Page::Atom => site_files::atom(plan, &mut ctx),
        Page::Robots => {}
        Page::NotFound => site_files::not_found(plan, &mut ctx),
        Page::Search => search::fill(plan, &mut ctx),
        Page::OldCaseList { category, page } => {
            redirects::old_case_list(plan, category, *page, &mut ctx)
        }
    }
    ctx
}

/// Monthly rows for a chart.
fn chart_months(rows: &[super::views::MonthRow]) -> Vec<crate::charts::Month> {
    rows.iter()
        .map(|r| crate::charts::Month {
            key: r.month.clone(),
            counts: r.counts,
        })
        .collect()
}
