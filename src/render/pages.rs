//! Which pages the site has: one flat list of render jobs, planned from the records.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::data::{CommunitySummary, Summary, community_rows};
use super::views::{
    CaseRow, MonthRow, People, StewardRef, case_row, category_slug, community_url, month_rows,
    natural_cmp, profile, steward_url,
};
use super::{Job, Renderer};
use crate::aggregate::month_key;
use crate::charts;
use crate::model::{Bulletin, Case, Membership};
use crate::pipeline::Site;

/// How many of the latest cases a community or steward page lists.
const LATEST: usize = 10;

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
}

/// Links between the pages of a paginated list, with a window around the current page.
#[derive(Serialize)]
struct Pager {
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    links: Vec<PageLink>,
}

fn list_url(base: &str, page: usize) -> String {
    if page <= 1 {
        format!("{base}index.html")
    } else {
        format!("{base}page-{page}.html")
    }
}

fn pager(base: &str, current: usize, total: usize) -> Pager {
    let mut numbers: Vec<usize> = vec![1, total];
    numbers.extend(current.saturating_sub(2).max(1)..=(current + 2).min(total));
    numbers.sort_unstable();
    numbers.dedup();
    Pager {
        current,
        total,
        prev: (current > 1).then(|| list_url(base, current - 1)),
        next: (current < total).then(|| list_url(base, current + 1)),
        links: numbers
            .into_iter()
            .map(|n| PageLink {
                number: n,
                url: list_url(base, n),
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct CategoryLink {
    name: String,
    url: String,
    cases: u64,
    current: bool,
}

/// Paginated case lists: all cases under `cases/`, and one list per category.
fn case_lists<'a>(site: &'a Site, summary: &Summary, jobs: &mut Vec<Job<'a>>) {
    let size = site.config.lists.page_size.max(1);
    let mut by_category: BTreeMap<&str, Vec<&Case>> = BTreeMap::new();
    for c in &site.cases {
        by_category.entry(c.category.as_str()).or_default().push(c);
    }
    let nav = |current: Option<&str>| -> Vec<CategoryLink> {
        summary
            .by_category
            .iter()
            .map(|c| CategoryLink {
                url: format!("cases/category/{}/index.html", category_slug(&c.category)),
                current: current == Some(c.category.as_str()),
                name: c.category.clone(),
                cases: c.cases,
            })
            .collect()
    };
    let mut lists: Vec<(String, Option<&str>, Vec<&Case>)> =
        vec![("cases/".to_string(), None, site.cases.iter().collect())];
    for (name, cases) in by_category {
        lists.push((
            format!("cases/category/{}/", category_slug(name)),
            Some(name),
            cases,
        ));
    }
    for (base, category, cases) in lists {
        let total = cases.len().div_ceil(size).max(1);
        let categories = Arc::new(nav(category));
        let cases = Arc::new(cases);
        let base = Arc::new(base);
        for page in 1..=total {
            let mut job = Job::new(list_url(&base, page), "cases.html");
            let (cases, categories, base) = (
                Arc::clone(&cases),
                Arc::clone(&categories),
                Arc::clone(&base),
            );
            // A city has hundreds of thousands of rows: each page makes its own when
            // it is rendered.
            job.deferred = Some(Box::new(move |ctx: &mut tera::Context| {
                let rows: Vec<CaseRow> = cases
                    .iter()
                    .skip((page - 1) * size)
                    .take(size)
                    .map(|c| case_row(site, c))
                    .collect();
                ctx.insert("category", &category);
                ctx.insert("count", &cases.len());
                ctx.insert("rows", &rows);
                ctx.insert("pager", &pager(&base, page, total));
                ctx.insert("categories", &*categories);
            }));
            jobs.push(job);
        }
    }
}

#[derive(Serialize)]
struct BuildingRow {
    label: String,
    stewards: Vec<StewardRef>,
}

#[derive(Serialize)]
struct RosterRow {
    steward: StewardRef,
    membership: &'static str,
    buildings: Vec<String>,
    teams: Vec<String>,
}

#[derive(Serialize)]
struct MeetingRow {
    date: String,
    topic: Option<String>,
    attendees: usize,
}

fn community_pages(site: &Site, people: &People, summary: &Summary, jobs: &mut Vec<Job>) {
    let rows = community_rows(&site.registry, summary);
    let mut index = Job::new("communities/index.html".to_string(), "communities.html");
    index.context.insert("communities", &rows);
    jobs.push(index);

    let n = site.registry.communities.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, s) in site.registry.stewards.iter().enumerate() {
        members[s.community].push(i);
    }
    let mut latest: Vec<Vec<&Case>> = vec![Vec::new(); n];
    for c in &site.cases {
        let list = &mut latest[site.registry.stewards[c.steward].community];
        if list.len() < LATEST {
            list.push(c);
        }
    }
    let mut meetings: Vec<Vec<MeetingRow>> = (0..n).map(|_| Vec::new()).collect();
    for m in &site.meetings {
        if meetings[m.community].len() < LATEST {
            meetings[m.community].push(MeetingRow {
                date: m.date.to_string(),
                topic: m.topic.clone(),
                attendees: m.attendees.len(),
            });
        }
    }

    for (ci, (community, summary_row)) in site.registry.communities.iter().zip(rows).enumerate() {
        let mut buildings: BTreeMap<&str, Vec<StewardRef>> = BTreeMap::new();
        let mut roster = Vec::new();
        for &si in &members[ci] {
            let s = &site.registry.stewards[si];
            for b in &s.buildings {
                buildings
                    .entry(b.as_str())
                    .or_default()
                    .push(people.refs[si].clone());
            }
            roster.push(RosterRow {
                steward: people.refs[si].clone(),
                membership: s.membership.label(),
                buildings: s.buildings.clone(),
                teams: s.teams.clone(),
            });
        }
        let mut buildings: Vec<BuildingRow> = buildings
            .into_iter()
            .map(|(label, stewards)| BuildingRow {
                label: label.to_string(),
                stewards,
            })
            .collect();
        buildings.sort_by(|a, b| natural_cmp(&a.label, &b.label));
        roster.sort_by(|a, b| natural_cmp(&a.steward.id, &b.steward.id));
        let cases: Vec<CaseRow> = latest[ci].iter().map(|c| case_row(site, c)).collect();
        let categories = super::data::categories(&site.figures.community_categories[ci]);

        let months = month_rows(&site.figures, &site.figures.community_months[ci]);
        let mut job = Job::new(community_url(&community.id), "community.html");
        job.context.insert(
            "chart_trend",
            &charts::trend(
                "chart-trend",
                &format!("{}逐月走访和民情办理", community.name),
                &chart_months(&months),
            ),
        );
        job.context.insert(
            "chart_categories",
            &charts::categories(
                "chart-categories",
                &format!("{}民情事项分类", community.name),
                &categories
                    .iter()
                    .map(|c| (c.category.clone(), c.cases))
                    .collect::<Vec<_>>(),
            ),
        );
        job.context.insert("community", &summary_row);
        job.context.insert("months", &months);
        job.context.insert("categories", &categories);
        job.context.insert("buildings", &buildings);
        job.context.insert("roster", &roster);
        job.context.insert("cases", &cases);
        job.context.insert("meetings", &meetings[ci]);
        jobs.push(job);
    }
}

#[derive(Serialize)]
struct CommendationRow {
    batch_id: String,
    title: String,
    date: Option<String>,
    url: String,
    citation: Option<String>,
}

fn steward_pages<'a>(site: &'a Site, people: &Arc<People>, jobs: &mut Vec<Job<'a>>) {
    // The months of every steward's chart, shared.
    let keys: Arc<[String]> = site
        .figures
        .by_month
        .keys()
        .map(|m| month_key(*m))
        .collect();
    let mut latest: Vec<Vec<&Case>> = vec![Vec::new(); site.registry.stewards.len()];
    for c in &site.cases {
        if latest[c.steward].len() < LATEST {
            latest[c.steward].push(c);
        }
    }
    let latest = Arc::new(latest);
    for (i, s) in site.registry.stewards.iter().enumerate() {
        if !s.public {
            continue;
        }
        let mut job = Job::new(steward_url(&s.id), "steward.html");
        let (keys, latest, people) = (Arc::clone(&keys), Arc::clone(&latest), Arc::clone(people));
        // Made as the page is rendered, in parallel, and dropped with it: a city has
        // tens of thousands of stewards.
        job.deferred = Some(Box::new(move |ctx: &mut tera::Context| {
            let commendations: Vec<CommendationRow> = site.figures.steward_batches[i]
                .iter()
                .map(|&b| {
                    let batch = &site.batches[b];
                    CommendationRow {
                        batch_id: batch.id.clone(),
                        title: batch.title.clone(),
                        date: batch.date.map(|d| d.to_string()),
                        url: format!("commendations/{}/index.html", batch.id),
                        citation: batch
                            .citations
                            .iter()
                            .find(|(s, _)| *s == i)
                            .map(|(_, c)| c.clone()),
                    }
                })
                .collect();
            let cases: Vec<CaseRow> = latest[i].iter().map(|c| case_row(site, c)).collect();
            let months = month_rows(&site.figures, &site.figures.steward_months[i]);
            let households: Vec<u64> = months.iter().map(|m| m.counts.households_visited).collect();
            ctx.insert(
                "chart_activity",
                &charts::activity("chart-activity", "逐月走访户数", &keys, &households),
            );
            ctx.insert("steward", &profile(site, &people, i, s));
            ctx.insert("figures", &site.figures.by_steward[i]);
            ctx.insert("months", &months);
            ctx.insert("commendations", &commendations);
            ctx.insert("cases", &cases);
        }));
        jobs.push(job);
    }
}

#[derive(Serialize)]
struct BatchSummary {
    id: String,
    title: String,
    date: Option<String>,
    issuer: Option<String>,
    count: usize,
    url: String,
}

#[derive(Serialize)]
struct Commended {
    steward: StewardRef,
    community: String,
    community_url: String,
    membership: &'static str,
    workplace: Option<String>,
    buildings: Vec<String>,
    figures: crate::aggregate::Counts,
    citation: Option<String>,
}

fn batch_summaries(site: &Site) -> Vec<BatchSummary> {
    let mut list: Vec<BatchSummary> = site
        .batches
        .iter()
        .map(|b| BatchSummary {
            id: b.id.clone(),
            title: b.title.clone(),
            date: b.date.map(|d| d.to_string()),
            issuer: b.issuer.clone(),
            count: b.stewards.len(),
            url: format!("commendations/{}/index.html", b.id),
        })
        .collect();
    list.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    list
}

fn commendation_pages(site: &Site, people: &People, jobs: &mut Vec<Job>) {
    if site.batches.is_empty() {
        return;
    }
    let mut index = Job::new("commendations/index.html".to_string(), "commendations.html");
    index.context.insert("batches", &batch_summaries(site));
    jobs.push(index);
    for batch in &site.batches {
        let stewards: Vec<Commended> = batch
            .stewards
            .iter()
            .map(|&i| {
                let s = &site.registry.stewards[i];
                let p = profile(site, people, i, s);
                Commended {
                    steward: people.refs[i].clone(),
                    community: p.community,
                    community_url: p.community_url,
                    membership: p.membership,
                    workplace: p.workplace,
                    buildings: p.buildings,
                    figures: site.figures.by_steward[i],
                    citation: batch
                        .citations
                        .iter()
                        .find(|(s, _)| *s == i)
                        .map(|(_, c)| c.clone()),
                }
            })
            .collect();
        let mut job = Job::new(
            format!("commendations/{}/index.html", batch.id),
            "commendation.html",
        );
        job.context.insert(
            "batch",
            &BatchSummary {
                id: batch.id.clone(),
                title: batch.title.clone(),
                date: batch.date.map(|d| d.to_string()),
                issuer: batch.issuer.clone(),
                count: batch.stewards.len(),
                url: String::new(),
            },
        );
        job.context.insert("notice", &batch.notice);
        job.context.insert("stewards", &stewards);
        jobs.push(job);
    }
}

#[derive(Serialize)]
struct BulletinLink<'a> {
    #[serde(flatten)]
    bulletin: &'a Bulletin,
    url: String,
}

fn bulletin_links(site: &Site) -> Vec<BulletinLink<'_>> {
    site.bulletins
        .iter()
        .map(|b| BulletinLink {
            bulletin: b,
            url: format!("bulletins/{}/index.html", b.slug),
        })
        .collect()
}

fn document_pages(site: &Site, renderer: &Renderer, jobs: &mut Vec<Job>) -> Vec<String> {
    let allow = site.config.privacy.allow_raw_html;
    let mut errors = Vec::new();
    if !site.bulletins.is_empty() {
        let mut index = Job::new("bulletins/index.html".to_string(), "bulletins.html");
        index.context.insert("bulletins", &bulletin_links(site));
        jobs.push(index);
    }
    for b in &site.bulletins {
        match renderer.render_markdown(&b.body, allow) {
            Ok(html) => {
                let mut job = Job::new(format!("bulletins/{}/index.html", b.slug), "bulletin.html");
                job.context.insert("bulletin", b);
                job.context.insert("body", &html);
                jobs.push(job);
            }
            Err(e) => errors.push(e),
        }
    }
    for p in &site.pages {
        match renderer.render_markdown(&p.body, allow) {
            Ok(html) => {
                let mut job = Job::new(format!("{}/index.html", p.slug), "page.html");
                job.context.insert("page", p);
                job.context.insert("body", &html);
                jobs.push(job);
            }
            Err(e) => errors.push(e),
        }
    }
    errors
}

#[derive(Serialize)]
struct FeedEntry {
    title: String,
    url: String,
    date: String,
    summary: Option<String>,
}

/// Feeds, sitemap, robots and the not-found page, which list the pages planned so far.
fn site_files(site: &Site, jobs: &mut Vec<Job>) {
    let mut urls: Vec<String> = jobs
        .iter()
        .map(|j| {
            j.path
                .strip_suffix("index.html")
                .unwrap_or(&j.path)
                .to_string()
        })
        .collect();
    urls.sort();
    let mut sitemap = Job::new("sitemap.xml".to_string(), "sitemap.xml");
    sitemap.context.insert("urls", &urls);
    jobs.push(sitemap);

    let mut entries: Vec<FeedEntry> = site
        .bulletins
        .iter()
        .map(|b| FeedEntry {
            title: b.title.clone(),
            url: format!("bulletins/{}/", b.slug),
            date: b.date.to_string(),
            summary: b.subtitle.clone(),
        })
        .collect();
    entries.extend(site.batches.iter().filter_map(|b| {
        Some(FeedEntry {
            title: b.title.clone(),
            url: format!("commendations/{}/", b.id),
            date: b.date?.to_string(),
            summary: b.issuer.clone(),
        })
    }));
    entries.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.url.cmp(&b.url)));
    let updated = entries
        .first()
        .map(|e| e.date.clone())
        .or_else(|| site.figures.as_of.map(|d| d.to_string()));
    let mut atom = Job::new("atom.xml".to_string(), "atom.xml");
    atom.context.insert("entries", &entries);
    atom.context.insert("updated", &updated);
    jobs.push(atom);

    jobs.push(Job::new("robots.txt".to_string(), "robots.txt"));
    // Served at any missing address, so its links cannot be relative.
    let mut not_found = Job::new("404.html".to_string(), "404.html");
    not_found.context.insert("root", &site.config.base_path());
    jobs.push(not_found);
}

fn chart_months(rows: &[MonthRow]) -> Vec<charts::Month> {
    rows.iter()
        .map(|r| charts::Month {
            key: r.month.clone(),
            counts: r.counts,
        })
        .collect()
}

#[derive(Serialize)]
struct ShareRow {
    label: String,
    stewards: u64,
    share: f64,
}

/// The home page's charts, each with the numbers of its table beside it.
fn home_charts(site: &Site, summary: &Summary, communities: &[CommunitySummary], home: &mut Job) {
    let figures = &site.figures;
    let months = month_rows(figures, &figures.by_month);
    let cm = chart_months(&months);
    let ctx = &mut home.context;
    ctx.insert(
        "chart_trend",
        &charts::trend("chart-trend", "逐月走访和民情办理", &cm),
    );
    ctx.insert(
        "chart_knock",
        &charts::door_knocking("chart-knock", "敲门日逐月走访户数", &cm),
    );
    ctx.insert("months", &months);
    ctx.insert("categories", &summary.by_category);
    ctx.insert(
        "chart_categories",
        &charts::categories(
            "chart-categories",
            "民情事项分类",
            &summary
                .by_category
                .iter()
                .map(|c| (c.category.clone(), c.cases))
                .collect::<Vec<_>>(),
        ),
    );
    let rates: Vec<charts::RateRow> = communities
        .iter()
        .map(|c| charts::RateRow {
            name: c.name.clone(),
            cases: c.cases,
            resolved: c.resolved,
        })
        .collect();
    ctx.insert(
        "chart_rates",
        &charts::resolution("chart-rates", "各社区民情事项办结率", &rates, "全部社区"),
    );
    let share = |n: u64| crate::aggregate::rate(n, summary.stewards);
    let membership: Vec<ShareRow> = [
        Membership::Registered,
        Membership::InService,
        Membership::NewOrg,
    ]
    .into_iter()
    .map(|m| {
        let n = summary.by_membership.get(m.label()).copied().unwrap_or(0);
        ShareRow {
            label: m.label().to_string(),
            stewards: n,
            share: share(n),
        }
    })
    .collect();
    ctx.insert(
        "chart_membership",
        &charts::membership(
            "chart-membership",
            "红管家党员类别",
            &membership
                .iter()
                .map(|r| (r.label.clone(), r.stewards))
                .collect::<Vec<_>>(),
        ),
    );
    ctx.insert("membership", &membership);
    // Ages as of the figures' year, never the clock's, so the site is the same every day.
    let bands = figures.as_of.and_then(|d| {
        let bands = charts::age_bands(
            site.registry.stewards.iter().filter_map(|s| s.birth_year),
            d.year,
        )?;
        Some((d.year, bands))
    });
    if let Some((year, bands)) = bands {
        ctx.insert(
            "chart_ages",
            &charts::ages("chart-ages", "红管家年龄结构", &bands, year),
        );
        let counted: u64 = bands.iter().map(|b| b.1).sum();
        let rows: Vec<ShareRow> = bands
            .into_iter()
            .map(|(label, n)| ShareRow {
                label,
                stewards: n,
                share: crate::aggregate::rate(n, counted),
            })
            .collect();
        ctx.insert("ages", &rows);
        ctx.insert("ages_year", &year);
    }
}

/// Every page of the site. Errors are template errors in Markdown bodies.
pub fn plan<'a>(
    site: &'a Site,
    summary: &Summary,
    renderer: &Renderer,
) -> Result<Vec<Job<'a>>, Vec<String>> {
    let people = Arc::new(People::new(site));
    let mut jobs = Vec::new();

    let mut home = Job::new("index.html".to_string(), "index.html");
    let rows: Vec<CommunitySummary> = community_rows(&site.registry, summary);
    home.context.insert("communities", &rows);
    let links = bulletin_links(site);
    home.context
        .insert("bulletins", &links.iter().take(5).collect::<Vec<_>>());
    home.context.insert("batches", &batch_summaries(site));
    home_charts(site, summary, &rows, &mut home);
    jobs.push(home);

    community_pages(site, &people, summary, &mut jobs);
    steward_pages(site, &people, &mut jobs);
    case_lists(site, summary, &mut jobs);
    commendation_pages(site, &people, &mut jobs);
    let errors = document_pages(site, renderer, &mut jobs);
    if !errors.is_empty() {
        return Err(errors);
    }
    // Search: the page here, its index in `pipeline::extra_files`.
    jobs.push(super::search::page(site));
    site_files(site, &mut jobs);
    Ok(jobs)
}
