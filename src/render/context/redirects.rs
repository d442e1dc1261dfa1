//! Pages that stand at addresses an earlier build used, so links and bookmarks to them
//! keep working: each sends the reader on to the new address (meta refresh and a link)
//! and asks search engines not to index it.

use crate::fingerprint::Keyed;

use crate::render::plan::Plan;
use crate::render::routes;

/// A category list's page at its old hashed address.
pub(super) fn old_case_list<'p>(
    plan: &'p Plan<'_>,
    category: &'p str,
    page: usize,
    ctx: &mut Keyed<'p>,
) {
    ctx.insert("target", routes::case_list(plan.site, Some(category), page));
    ctx.insert("title", category);
}
