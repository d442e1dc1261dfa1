//! Pages that stand at addresses an earlier build used, so links and bookmarks to them
//! keep working: each sends the reader on to the new address (meta refresh and a link)
//! and asks search engines not to index it.

use super::Job;
use super::slugs::{category_slug, legacy_category_slug};
use crate::pipeline::Site;

/// One redirect job per page of each category list whose folder name changed from the
/// old hashed one, under the old name.
pub fn old_category_pages(site: &Site, jobs: &mut Vec<Job>) {
    let size = site.config.lists.page_size.max(1);
    for (name, counts) in &site.figures.by_category {
        let (old, new) = (
            legacy_category_slug(name),
            category_slug(&site.config, name),
        );
        if old == new {
            continue;
        }
        let pages = usize::try_from(counts.cases)
            .unwrap_or(usize::MAX)
            .div_ceil(size)
            .max(1);
        for page in 1..=pages {
            let file = if page == 1 {
                "index.html".to_string()
            } else {
                format!("page-{page}.html")
            };
            let mut job = Job::new(format!("cases/category/{old}/{file}"), "redirect.html");
            job.context
                .insert("target", &format!("cases/category/{new}/{file}"));
            job.context.insert("title", name);
            jobs.push(job);
        }
    }
}
