//! Pages that stand at addresses an earlier build used, so links and bookmarks to them
//! keep working: each sends the reader on to the new address (meta refresh and a link)
//! and asks search engines not to index it.

use crate::fingerprint::Keyed;

use crate::render::plan::Plan;
use crate::render::routes;

/// A category list's page at one of its old addresses.
pub(super) fn old_case_list<'p>(
    plan: &'p Plan<'_>,
    category: &'p str,
    page: usize,
    ctx: &mut Keyed<'p>,
) {
    ctx.insert("target", routes::case_list(plan.site, Some(category), page));
    ctx.insert("title", category);
}

/// A subdistrict's page at its old address.
pub(super) fn old_subdistrict<'p>(plan: &'p Plan<'_>, index: usize, ctx: &mut Keyed<'p>) {
    let site = plan.site;
    let ids = routes::subdistrict_ids(&site.registry.subdistricts);
    ctx.insert("target", routes::subdistrict(&ids[index]));
    ctx.insert("title", &site.registry.subdistricts[index].name);
}
