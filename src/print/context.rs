//! A kit page's context, made from the [`KitPlan`] and the [`PrintPage`] on the
//! rendering thread, as the public site's pages are.

use serde::Serialize;
use tera::Context;

use super::plan::{KitPlan, LOG_ROWS};
use super::routes::PrintPage;
use crate::render::views::BulletinView;

#[derive(Serialize)]
struct CommunityHead<'a> {
    id: &'a str,
    name: &'a str,
    /// As written in the records (社区党委).
    party_org: Option<&'a str>,
    /// By its full name (坊门街社区党委), as papers sign.
    party_org_name: Option<String>,
}

/// Everything `page`'s template can see besides the global context.
pub(super) fn build(plan: &KitPlan<'_>, page: &PrintPage, path: &str) -> Context {
    let site = plan.site;
    let mut ctx = Context::new();
    // Links are relative to the page's own folder, so the kit works from any folder.
    ctx.insert("root", &"../".repeat(path.matches('/').count()));
    ctx.insert("path", path);
    let head = |c: usize| {
        let c = &site.registry.communities[c];
        CommunityHead {
            id: &c.id,
            name: &c.name,
            party_org: c.party_org.as_deref(),
            party_org_name: c.party_org_name(),
        }
    };
    match page {
        PrintPage::Index => {
            ctx.insert("groups", &plan.groups);
            ctx.insert("pdf", &plan.pdf);
        }
        PrintPage::Css => {}
        PrintPage::Boards(c) | PrintPage::Cards(c) => {
            ctx.insert("community", &head(c.0));
            ctx.insert("boards", &plan.boards[c.0]);
        }
        PrintPage::Flow(c) => {
            ctx.insert("community", &head(c.0));
            ctx.insert("flow", &plan.flows[c.0]);
        }
        PrintPage::Logs(c) => {
            ctx.insert("community", &head(c.0));
            ctx.insert("stewards", &plan.logs[c.0]);
            ctx.insert("rows", &[(); LOG_ROWS]);
        }
        PrintPage::Letters(b) => {
            ctx.insert("letters", &plan.letters[*b]);
            ctx.insert("batch_title", &site.batches[*b].title);
        }
        PrintPage::Bulletin(b) => {
            ctx.insert("bulletin", &BulletinView::new(&site.bulletins[*b]));
            ctx.insert("body", &plan.bulletin_bodies[*b]);
        }
    }
    ctx
}
