//! A page's context, made from the build's [`Plan`] and the [`Page`] on the rendering
//! thread just before the page is rendered, and dropped with it: the same way for every
//! kind of page, so a city's hundred thousand pages are never all in memory. One file per
//! kind of page.

pub(crate) mod cases;
mod commendations;
mod communities;
pub(crate) mod documents;
mod home;
mod redirects;
mod search;
mod site_files;
pub(crate) mod stewards;
mod subdistricts;

use crate::fingerprint::{Key, Keyed};

use super::plan::Plan;
use super::routes::Page;

/// A page's data before it is rendered. Steward pages and case lists, nine in ten of a
/// city's pages, keep their typed data: the compiled pages write it as it is, and only a
/// theme's own template of theirs needs a Tera context. Every other page's values wait,
/// typed, in a [`Keyed`]. One lives on a rendering thread's stack for one page, so its
/// variants are not boxed.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Prepared<'p> {
    Steward(stewards::StewardPage<'p>),
    CaseList(cases::CaseListPage<'p>),
    Other(Keyed<'p>),
}

impl Prepared<'_> {
    /// The fingerprint of everything the page's template can see besides the global
    /// context.
    pub(crate) fn key(&self) -> Key {
        match self {
            Prepared::Steward(p) => crate::fingerprint::of_serialize(p),
            Prepared::CaseList(p) => crate::fingerprint::of_serialize(p),
            Prepared::Other(keyed) => keyed.key(),
        }
    }

    /// The page's Tera context.
    pub(crate) fn into_context(self) -> tera::Context {
        match self {
            Prepared::Steward(p) => p.context(),
            Prepared::CaseList(p) => p.context(),
            Prepared::Other(keyed) => keyed.into_context(),
        }
    }
}

/// Links are relative to the page's own folder, so the site works from any sub-folder of
/// a web server and from disk.
fn root(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// Everything `page`'s template can see besides the global context.
pub(crate) fn prepare<'p>(plan: &'p Plan<'_>, page: &'p Page, path: &'p str) -> Prepared<'p> {
    match page {
        Page::Steward(s) => Prepared::Steward(stewards::page(plan, *s, root(path), path)),
        Page::CaseList { category, page } => Prepared::CaseList(cases::page(
            plan,
            category.as_deref(),
            *page,
            root(path),
            path,
        )),
        _ => Prepared::Other(build(plan, page, path)),
    }
}

/// The context of a page other than a steward's or a case list, as a [`Keyed`].
fn build<'p>(plan: &'p Plan<'_>, page: &'p Page, path: &'p str) -> Keyed<'p> {
    let mut ctx = Keyed::new();
    ctx.insert("root", root(path));
    ctx.insert("path", path);
    match page {
        Page::Home => home::fill(plan, &mut ctx),
        Page::Communities => communities::index(plan, &mut ctx),
        Page::Subdistrict(i) => subdistricts::one(plan, *i, &mut ctx),
        Page::Asset(_) => {}
        Page::Community(c) => communities::one(plan, *c, &mut ctx),
        // Prepared above, with their own types.
        Page::Steward(_) | Page::CaseList { .. } => {}
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
        Page::OldCaseList { category, page, .. } => {
            redirects::old_case_list(plan, category, *page, &mut ctx)
        }
        Page::OldSubdistrict(i) => redirects::old_subdistrict(plan, *i, &mut ctx),
    }
    ctx
}

/// Monthly rows for a chart.
fn chart_months(rows: &[super::views::MonthRow]) -> Vec<crate::charts::Month> {
    rows.iter()
        .map(|r| crate::charts::Month {
            key: r.month.to_string(),
            counts: r.counts,
        })
        .collect()
}
