//! What the kit's papers show, worked out once from the site: the covered buildings of
//! each community with their stewards and QR codes, the log sheets, the thank-you
//! letters and the bulletin bodies. Then the flat list of [`PrintPage`]s, in the order
//! they are rendered, and the kit's table of contents.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use super::qr;
use super::routes::{self, PrintPage};
use crate::diagnostics::Diagnostics;
use crate::model::{CommunityIdx, Membership};
use crate::render::Renderer;
use crate::render::views::natural_cmp;
use crate::site::Site;

/// A steward as the papers show them.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Contact {
    id: String,
    name: String,
    /// Grouped for reading aloud; `None` where the paper is not a contact paper or the
    /// steward opted out (`公示电话` = 否).
    pub(super) phone: Option<String>,
    photo: Option<String>,
    grid: Option<String>,
    membership: &'static str,
    buildings: Vec<String>,
}

/// One grid as the papers show it: the worker who takes on what a steward cannot solve,
/// and the two other channels, from the `grids` records.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Channel {
    grid: String,
    worker: Option<String>,
    /// Grouped for reading aloud, like a steward's.
    pub(super) phone: Option<String>,
    property: Option<String>,
    owners_committee: Option<String>,
}

/// One covered building and its stewards.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Board {
    building: String,
    stewards: Vec<Contact>,
    /// The stewards' grids by name, recorded or not.
    grids: Vec<String>,
    /// The recorded ones, with their worker and channels.
    channels: Vec<Channel>,
    any_phone: bool,
    url: String,
    qr: qr::Qr,
    /// The same code as a whole inline SVG, for the board.
    qr_svg: String,
    /// The building's WeChat group code, copied from the site's `static/wechat/`.
    wechat: Option<String>,
}

/// A community's 流程图: how a resident's problem travels, naming who takes it on.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Flow {
    /// The community's grids with their workers, recorded or only named by stewards.
    channels: Vec<Channel>,
    /// Whether any grid names a property company or an owners' committee.
    any_property: bool,
    any_committee: bool,
    /// Whether any of its buildings has a WeChat group code.
    any_wechat: bool,
    /// The community's party organisation by its full name.
    party_org: Option<String>,
    /// The subdistrict's party committee, from the settings.
    committee: Option<String>,
}

/// A thank-you letter to a commended in-service steward's workplace.
#[derive(Debug, Serialize)]
pub(super) struct Letter {
    steward: String,
    workplace: Option<String>,
    batch: String,
    batch_date: Option<String>,
    citation: Option<String>,
    community: String,
    /// The subdistrict the steward lives in, by name: the letter's place word.
    place: Option<String>,
    buildings: Vec<String>,
    joined: Option<String>,
    households_visited: u64,
    cases: u64,
    issuer: String,
    date: Option<String>,
}

/// One kind of paper in the kit, as the index page and the report list it.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// `boards`, `cards`, `logs`, `letters` or `bulletins`.
    pub kind: &'static str,
    /// The paper's name, as people call it.
    pub title: &'static str,
    /// What it is for and how it is used.
    pub purpose: &'static str,
    /// Its files, one per community, batch or bulletin.
    pub files: Vec<KitFile>,
    /// Items (boards, sheets, letters) over all files.
    pub items: usize,
}

/// One file of a group.
#[derive(Debug, Clone, Serialize)]
pub struct KitFile {
    /// The community, batch or bulletin it is for.
    pub label: String,
    /// Its path in the kit.
    pub path: String,
    /// Its PDF, with `--pdf`.
    pub pdf: Option<String>,
    /// Items in it.
    pub items: usize,
}

/// Rows of a log sheet: what fits an A4 page below the head at a writable height.
pub(super) const LOG_ROWS: usize = 16;

/// The kit's shared page data.
pub(super) struct KitPlan<'a> {
    pub(super) site: &'a Site,
    /// Per community: its covered buildings, in the order people look them up.
    pub(super) boards: Vec<Vec<Board>>,
    /// Per community: its stewards for the log sheets.
    pub(super) logs: Vec<Vec<Contact>>,
    /// Per community: its 流程图.
    pub(super) flows: Vec<Flow>,
    /// Per commendation batch: its letters.
    pub(super) letters: Vec<Vec<Letter>>,
    /// Bulletin bodies as HTML, like [`Site::bulletins`].
    pub(super) bulletin_bodies: Vec<String>,
    /// The table of contents.
    pub(super) groups: Vec<Group>,
    /// Whether the index links PDFs.
    pub(super) pdf: bool,
    /// `--community`: that community's papers only.
    pub(super) only: Option<usize>,
}

/// What the site folder holds for the kit besides its records, and which part of the
/// kit is wanted.
#[derive(Debug, Default)]
pub(super) struct Found {
    /// Stewards with a photo in `static/photos/`.
    pub(super) photos: BTreeSet<String>,
    /// Buildings, by community and label, with a WeChat group code in `static/wechat/`:
    /// the code's path in the kit.
    pub(super) wechat: BTreeMap<(usize, String), String>,
    /// `--community`: that community's papers only.
    pub(super) only: Option<usize>,
}

/// The place a steward lives in, as a letter names it: their community's subdistrict,
/// else the site's.
fn place(site: &Site, community: usize) -> Option<String> {
    let reg = &site.registry;
    reg.communities[community]
        .subdistrict
        .map(|s| reg.subdistricts[s].name.clone())
        .or_else(|| site.config.subdistrict.name.clone())
}

/// A steward's phone as printed: digits grouped 3-4-4 for reading aloud.
fn phone_text(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 11 {
        format!("{} {} {}", &digits[..3], &digits[3..7], &digits[7..])
    } else {
        phone.trim().to_string()
    }
}

fn group(kind: &'static str, title: &'static str, purpose: &'static str) -> Group {
    Group {
        kind,
        title,
        purpose,
        files: Vec::new(),
        items: 0,
    }
}

impl Group {
    fn add(&mut self, label: &str, path: String, pdf: bool, items: usize) {
        self.files.push(KitFile {
            label: label.to_string(),
            pdf: pdf.then(|| routes::pdf(&path)),
            path,
            items,
        });
        self.items += items;
    }
}

impl<'a> KitPlan<'a> {
    /// The kit's data and every page of it. `photos` are the stewards with a photo in the
    /// site's `static/photos/`. Errors are QR codes that cannot be made and template
    /// errors in bulletin bodies, all of them.
    pub(super) fn new(
        site: &'a Site,
        renderer: &Renderer,
        found: &Found,
        pdf: bool,
    ) -> Result<(KitPlan<'a>, Vec<PrintPage>), Diagnostics> {
        let photos = &found.photos;
        let reg = &site.registry;
        let mut errors = Diagnostics::new();
        let contact = |i: usize| {
            let s = &reg.stewards[i];
            Contact {
                id: s.id.clone(),
                name: s.name.clone(),
                phone: s
                    .private
                    .phone
                    .as_deref()
                    .filter(|_| s.phone_on_board)
                    .map(phone_text),
                // Papers sit one folder down from the kit's root.
                photo: photos
                    .contains(&s.id)
                    .then(|| format!("../{}", routes::photo(&s.id))),
                grid: s.grid.clone(),
                membership: s.membership.label(),
                buildings: s.buildings.clone(),
            }
        };

        // Covered buildings per community.
        let mut covered: Vec<BTreeMap<String, Vec<usize>>> =
            vec![BTreeMap::new(); reg.communities.len()];
        for (i, s) in reg.stewards.iter().enumerate() {
            for b in &s.buildings {
                let list = covered[s.community].entry(b.clone()).or_default();
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        }
        let channel = |g: &crate::model::Grid| Channel {
            grid: g.id.clone(),
            worker: g.worker.clone(),
            phone: g.private.phone.as_deref().map(phone_text),
            property: g.property.clone(),
            owners_committee: g.owners_committee.clone(),
        };
        let mut boards = Vec::with_capacity(reg.communities.len());
        for (ci, buildings) in covered.iter().enumerate() {
            let mut names: Vec<&String> = buildings.keys().collect();
            names.sort_by(|a, b| natural_cmp(a, b));
            let mut list: Vec<Board> = names
                .into_iter()
                .map(|b| {
                    let stewards = &buildings[b];
                    let mut grids: Vec<String> = stewards
                        .iter()
                        .filter_map(|i| reg.stewards[*i].grid.clone())
                        .collect();
                    grids.sort_by(|a, b| natural_cmp(a, b));
                    grids.dedup();
                    let channels = grids
                        .iter()
                        .filter_map(|g| reg.grid(ci, g))
                        .map(channel)
                        .collect();
                    let contacts: Vec<Contact> = stewards.iter().map(|i| contact(*i)).collect();
                    Board {
                        building: b.clone(),
                        any_phone: contacts.iter().any(|c| c.phone.is_some()),
                        stewards: contacts,
                        grids,
                        channels,
                        url: routes::board_target(site, CommunityIdx(ci), b, stewards),
                        qr_svg: String::new(),
                        qr: qr::Qr::default(),
                        wechat: found
                            .wechat
                            .get(&(ci, b.clone()))
                            .map(|path| format!("../{path}")),
                    }
                })
                .collect();
            // Encoding is most of the planning time of a city's kit: in parallel.
            let codes: Vec<_> = list.par_iter().map(|b| qr::encode(&b.url)).collect();
            for (board, code) in list.iter_mut().zip(codes) {
                match code {
                    Ok(code) => {
                        board.qr_svg = qr::svg(&code);
                        board.qr = code;
                    }
                    Err(e) => errors.push(e),
                }
            }
            boards.push(list);
        }

        let mut logs = vec![Vec::new(); reg.communities.len()];
        for (i, s) in reg.stewards.iter().enumerate() {
            // The log is the steward's own: no phone needed on it.
            let mut k = contact(i);
            k.phone = None;
            logs[s.community].push(k);
        }
        for list in &mut logs {
            list.sort_by(|a: &Contact, b: &Contact| natural_cmp(&a.id, &b.id));
        }

        let flows = (0..reg.communities.len())
            .map(|ci| {
                // The grids the community's records list, then those only its stewards name.
                let mut channels: Vec<Channel> = reg
                    .grids
                    .iter()
                    .filter(|g| g.community == ci)
                    .map(channel)
                    .collect();
                let mut named: Vec<&String> = reg
                    .stewards
                    .iter()
                    .filter(|s| s.community == ci)
                    .filter_map(|s| s.grid.as_ref())
                    .filter(|g| reg.grid(ci, g).is_none())
                    .collect();
                named.sort_by(|a, b| natural_cmp(a, b));
                named.dedup();
                channels.extend(named.into_iter().map(|g| Channel {
                    grid: g.clone(),
                    worker: None,
                    phone: None,
                    property: None,
                    owners_committee: None,
                }));
                channels.sort_by(|a, b| natural_cmp(&a.grid, &b.grid));
                Flow {
                    any_property: channels.iter().any(|c| c.property.is_some()),
                    any_committee: channels.iter().any(|c| c.owners_committee.is_some()),
                    any_wechat: found.wechat.keys().any(|(c, _)| *c == ci),
                    channels,
                    party_org: reg.communities[ci].party_org_name(),
                    committee: site.config.subdistrict.committee.clone(),
                }
            })
            .collect();

        let issuer = site
            .config
            .print
            .letter_issuer
            .clone()
            .or_else(|| site.config.subdistrict.committee.clone())
            .unwrap_or_default();
        let letters: Vec<Vec<Letter>> = site
            .batches
            .iter()
            .map(|batch| {
                batch
                    .stewards
                    .iter()
                    .filter(|i| reg.stewards[**i].membership == Membership::InService)
                    .map(|&i| {
                        let s = &reg.stewards[i];
                        Letter {
                            steward: s.name.clone(),
                            workplace: s.workplace.clone(),
                            batch: batch.title.clone(),
                            batch_date: batch.date.map(|d| d.to_string()),
                            citation: batch
                                .citations
                                .iter()
                                .find(|(j, _)| *j == i)
                                .map(|(_, c)| c.clone()),
                            community: reg.communities[s.community].name.clone(),
                            place: place(site, s.community),
                            buildings: s.buildings.clone(),
                            joined: s.joined.map(|d| d.to_string()),
                            households_visited: site.figures.by_steward[i].households_visited,
                            cases: site.figures.by_steward[i].cases,
                            issuer: batch.issuer.clone().unwrap_or_else(|| issuer.clone()),
                            date: batch
                                .date
                                .or_else(|| site.config.build_date())
                                .map(|d| d.to_string()),
                        }
                    })
                    .collect()
            })
            .collect();

        let allow = site.config.privacy.allow_raw_html;
        let bulletin_bodies: Vec<String> = site
            .bulletins
            .iter()
            .map(|b| match renderer.render_markdown(&b.body, allow) {
                Ok(html) => html,
                Err(e) => {
                    errors.push(e);
                    String::new()
                }
            })
            .collect();
        if errors.has_errors() {
            return Err(errors);
        }

        let mut plan = KitPlan {
            site,
            boards,
            logs,
            flows,
            letters,
            bulletin_bodies,
            groups: Vec::new(),
            pdf,
            only: found.only,
        };
        let pages = plan.pages();
        Ok((plan, pages))
    }

    /// Every page, in the order they are rendered, and the table of contents the index
    /// shows.
    fn pages(&mut self) -> Vec<PrintPage> {
        let site = self.site;
        let reg = &site.registry;
        let mut boards_g = group(
            "boards",
            "公示牌",
            "贴在每个楼道口，告诉居民本楼的红管家是谁、怎么联系、管哪些事；每个有红管家联系的楼幢一张。",
        );
        let mut cards_g = group(
            "cards",
            "联户卡",
            "发给楼里每一户。每个楼幢一张 A4 纸，印四张 A6 卡片，沿虚线裁开；按户数复印。",
        );
        let mut logs_g = group(
            "logs",
            "红管家日志",
            "红管家每月一张，随身带，走访和办事时手写记录，月底交社区汇总。",
        );
        let mut flows_g = group(
            "flows",
            "流程图",
            "居民的问题怎么办：红管家当场解决，办不了的转网格员、物业和业委会，再到社区、街道，结果都告诉居民。每个社区一张，贴在公示牌旁边。",
        );
        let mut letters_g = group(
            "letters",
            "感谢信",
            "以街道党组织名义寄给受表彰的在职党员红管家的工作单位党组织，盖章后寄出；建议对方把社区表现纳入考评。",
        );
        let mut bulletins_g = group(
            "bulletins",
            "简报",
            "与公开网站上的简报相同，按 GB/T 9704 版式印制分送。",
        );
        let mut pages = Vec::new();
        let mut order: Vec<usize> = (0..reg.communities.len()).collect();
        order.sort_by(|a, b| reg.communities[*a].id.cmp(&reg.communities[*b].id));
        for ci in order {
            if self.only.is_some_and(|only| only != ci) {
                continue;
            }
            let name = &reg.communities[ci].name;
            let c = CommunityIdx(ci);
            let n = self.boards[ci].len();
            if n > 0 {
                for (page, g) in [
                    (PrintPage::Boards(c), &mut boards_g),
                    (PrintPage::Cards(c), &mut cards_g),
                ] {
                    g.add(name, page.path(site), self.pdf, n);
                    pages.push(page);
                }
            }
            let n = self.logs[ci].len();
            if n > 0 {
                let page = PrintPage::Logs(c);
                logs_g.add(name, page.path(site), self.pdf, n);
                pages.push(page);
                let page = PrintPage::Flow(c);
                flows_g.add(name, page.path(site), self.pdf, 1);
                pages.push(page);
            }
        }
        if self.only.is_some() {
            // One community's kit: the subdistrict's letters and bulletins are not its own.
            self.groups = [boards_g, cards_g, logs_g, flows_g]
                .into_iter()
                .filter(|g| !g.files.is_empty())
                .collect();
            pages.extend([PrintPage::Index, PrintPage::Css]);
            return pages;
        }
        let mut batches: Vec<usize> = (0..site.batches.len()).collect();
        batches.sort_by(|a, b| site.batches[*a].id.cmp(&site.batches[*b].id));
        for b in batches {
            let n = self.letters[b].len();
            if n > 0 {
                let page = PrintPage::Letters(b);
                letters_g.add(&site.batches[b].title, page.path(site), self.pdf, n);
                pages.push(page);
            }
        }
        for (i, b) in site.bulletins.iter().enumerate() {
            let page = PrintPage::Bulletin(i);
            let label = match b.issue {
                Some(n) => format!("第{n}期 {}", b.title),
                None => b.title.clone(),
            };
            bulletins_g.add(&label, page.path(site), self.pdf, 1);
            pages.push(page);
        }
        self.groups = [boards_g, cards_g, logs_g, flows_g, letters_g, bulletins_g]
            .into_iter()
            .filter(|g| !g.files.is_empty())
            .collect();
        pages.extend([PrintPage::Index, PrintPage::Css]);
        pages
    }
}
