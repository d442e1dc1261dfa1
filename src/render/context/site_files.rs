//! Feeds, sitemap and the not-found page.

use crate::fingerprint::Keyed;
use serde::Serialize;

use crate::render::plan::Plan;
use crate::render::routes;

pub(super) fn sitemap<'p>(plan: &'p Plan<'_>, ctx: &mut Keyed<'p>) {
    ctx.insert("urls", &plan.sitemap);
}

#[derive(Serialize)]
struct FeedEntry {
    title: String,
    url: String,
    date: String,
    summary: Option<String>,
}

pub(super) fn atom<'p>(plan: &'p Plan<'_>, ctx: &mut Keyed<'p>) {
    let site = plan.site;
    let mut entries: Vec<FeedEntry> = site
        .bulletins
        .iter()
        .map(|b| FeedEntry {
            title: b.title.clone(),
            url: routes::pretty(&routes::bulletin(&b.slug)).to_string(),
            date: b.date.to_string(),
            summary: b.subtitle.clone(),
        })
        .collect();
    let today = site.config.build_date();
    entries.extend(site.batches.iter().filter_map(|b| {
        Some(FeedEntry {
            title: b.title.clone(),
            url: routes::pretty(&routes::commendation(&b.id)).to_string(),
            date: crate::render::stages::shown_date(b, today)?.to_string(),
            summary: b.issuer.clone(),
        })
    }));
    entries.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.url.cmp(&b.url)));
    let updated = entries
        .first()
        .map(|e| e.date.clone())
        .or_else(|| site.figures.as_of.map(|d| d.to_string()));
    ctx.insert("entries", entries);
    ctx.insert("updated", updated);
}

pub(super) fn not_found<'p>(plan: &'p Plan<'_>, ctx: &mut Keyed<'p>) {
    // Served at any missing address, so its links cannot be relative.
    ctx.insert("root", plan.site.config.base_path());
}
