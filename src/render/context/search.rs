//! The search page. Its results are made in the browser from the index
//! (`render::search`); without JavaScript it points to the community directory.

use crate::fingerprint::Keyed;

use crate::render::plan::Plan;
use crate::render::routes::{self, Page};
use crate::render::search::SUFFIXES;
use crate::render::views::natural_cmp;

pub(super) fn fill<'p>(plan: &'p Plan<'_>, ctx: &mut Keyed<'p>) {
    let site = plan.site;
    let registry = &site.registry;
    // The example query is the site's own first building, as a resident would type it.
    let example = registry.communities.first().and_then(|c| {
        let label = plan.members[0]
            .iter()
            .flat_map(|&si| registry.stewards[si].buildings.iter())
            .min_by(|a, b| natural_cmp(a, b))?;
        let name = SUFFIXES
            .iter()
            .find_map(|s| c.name.strip_suffix(s))
            .filter(|n| !n.is_empty())
            .unwrap_or(&c.name);
        Some(format!("{name} {label}"))
    });
    ctx.insert("example", example);
    ctx.insert("index_script", routes::search_index());
    ctx.insert("directory", Page::Communities.path(site));
}
