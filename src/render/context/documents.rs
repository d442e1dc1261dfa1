//! Bulletins and free pages: Markdown bodies, rendered once in the plan.

use crate::fingerprint::Keyed;
use serde::Serialize;

use crate::model::Bulletin;
use crate::render::plan::Plan;
use crate::render::routes;
use crate::render::views::{BulletinView, FreePageView};

#[derive(Serialize)]
pub(crate) struct BulletinLink<'a> {
    #[serde(flatten)]
    bulletin: BulletinView<'a>,
    url: String,
}

/// Every bulletin with its page, newest first; a site's or a roll-up's.
pub(crate) fn bulletin_links(bulletins: &[Bulletin]) -> Vec<BulletinLink<'_>> {
    bulletins
        .iter()
        .map(|b| BulletinLink {
            bulletin: BulletinView::new(b),
            url: routes::bulletin(&b.slug),
        })
        .collect()
}

pub(super) fn bulletin_index<'p>(plan: &'p Plan<'_>, ctx: &mut Keyed<'p>) {
    ctx.insert("bulletins", bulletin_links(&plan.site.bulletins));
}

pub(super) fn bulletin<'p>(plan: &'p Plan<'_>, index: usize, ctx: &mut Keyed<'p>) {
    ctx.insert("bulletin", BulletinView::new(&plan.site.bulletins[index]));
    ctx.insert("body", &plan.bulletin_bodies[index]);
}

pub(super) fn free_page<'p>(plan: &'p Plan<'_>, index: usize, ctx: &mut Keyed<'p>) {
    ctx.insert("page", FreePageView::new(&plan.site.pages[index]));
    ctx.insert("body", &plan.page_bodies[index]);
}
