//! Which pages the site has: the flat list of render jobs.

use super::Job;
use super::data::{Summary, community_rows};
use crate::pipeline::Site;

pub fn plan(site: &Site, summary: &Summary) -> Vec<Job> {
    let mut jobs = Vec::new();

    let mut home = Job::new("index.html".to_string(), "index.html");
    home.context
        .insert("communities", &community_rows(&site.registry, summary));
    jobs.push(home);

    jobs
}
