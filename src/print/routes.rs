//! Every file of the print kit and where it goes: the kit's counterpart of
//! `render::routes`, and the only place a kit path is made. A bulletin keeps the public
//! site's path, so the two print the same page.

use crate::model::CommunityIdx;
use crate::render::routes;
use crate::site::Site;

/// One rendered file of the kit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrintPage {
    /// `index.html`: what the kit holds and what each paper is for.
    Index,
    /// The kit's stylesheet, sized by `print.board_size`.
    Css,
    /// A community's notice boards, one page per covered building.
    Boards(CommunityIdx),
    /// A community's household contact cards, one sheet per covered building.
    Cards(CommunityIdx),
    /// A community's log sheets, one per steward.
    Logs(CommunityIdx),
    /// A community's 流程图: how a problem travels, one page.
    Flow(CommunityIdx),
    /// The thank-you letters of one commendation batch, by its index in `Site::batches`.
    Letters(usize),
    /// One bulletin, by its index in `Site::bulletins`.
    Bulletin(usize),
}

impl PrintPage {
    /// Where the file is written, relative to the kit's folder.
    pub(crate) fn path(&self, site: &Site) -> String {
        let community = |c: &CommunityIdx| &site.registry.communities[c.0].id;
        match self {
            PrintPage::Index => "index.html".to_string(),
            PrintPage::Css => "assets/print.css".to_string(),
            PrintPage::Boards(c) => format!("boards/{}.html", community(c)),
            PrintPage::Cards(c) => format!("cards/{}.html", community(c)),
            PrintPage::Logs(c) => format!("logs/{}.html", community(c)),
            PrintPage::Flow(c) => format!("flows/{}.html", community(c)),
            PrintPage::Letters(b) => format!("letters/{}.html", site.batches[*b].id),
            PrintPage::Bulletin(b) => routes::bulletin(&site.bulletins[*b].slug),
        }
    }

    /// The theme's template that renders it.
    pub(crate) fn template(&self) -> &'static str {
        match self {
            PrintPage::Index => "print/index.html",
            PrintPage::Css => "print/print.css",
            PrintPage::Boards(_) => "print/boards.html",
            PrintPage::Cards(_) => "print/cards.html",
            PrintPage::Logs(_) => "print/logs.html",
            PrintPage::Flow(_) => "print/flow.html",
            PrintPage::Letters(_) => "print/letters.html",
            PrintPage::Bulletin(_) => "bulletin.html",
        }
    }

    /// Whether its paper shows stewards' and grid workers' phones: the leak guard allows
    /// them there.
    pub(crate) fn shows_contacts(&self) -> bool {
        matches!(
            self,
            PrintPage::Boards(_) | PrintPage::Cards(_) | PrintPage::Flow(_)
        )
    }
}

/// A building's WeChat group code, copied from the site's
/// `static/wechat/<community>/<building>.<ext>` to the same place in the kit.
pub(crate) fn wechat(community: &str, building: &str, ext: &str) -> String {
    format!("wechat/{community}/{building}.{ext}")
}

/// A steward's photo, copied from the site's `static/photos/`.
pub(crate) fn photo(id: &str) -> String {
    format!("photos/{id}.jpg")
}

/// Where a board's QR code leads: the steward's public page when one steward alone looks
/// after the building and is shown by name, else the building's line on the community's
/// page, which names them all.
pub(crate) fn board_target(
    site: &Site,
    community: CommunityIdx,
    building: &str,
    stewards: &[usize],
) -> String {
    let base = site.config.base_url_slash();
    match stewards {
        [one] if site.registry.stewards[*one].public => {
            format!(
                "{base}{}",
                routes::steward(&site.registry.stewards[*one].id)
            )
        }
        _ => format!(
            "{base}{}",
            routes::building(&site.registry.communities[community.0].id, building)
        ),
    }
}

/// The PDF printed from a page: `boards/x.html` → `boards/x.pdf`.
pub(crate) fn pdf(html: &str) -> String {
    match html.strip_suffix(".html") {
        Some(stem) => format!("{stem}.pdf"),
        None => format!("{html}.pdf"),
    }
}

/// Written beside the site marker, so that the kit is told from a public site.
pub(crate) const KIT_MARKER: &str = ".hongguanjia-print";
