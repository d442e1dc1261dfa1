//! What happened: visits, cases, errands, meetings, commendations, and the bulletins and
//! pages written about them.

use serde::Serialize;

use super::{CaseStatus, Channel, Date, ErrandStatus, VisitKind};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Visit {
    pub date: Date,
    pub steward: usize,
    pub households: u32,
    pub kind: VisitKind,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Case {
    pub id: String,
    pub date: Date,
    #[serde(skip)]
    pub steward: usize,
    pub category: String,
    pub summary: String,
    pub status: CaseStatus,
    pub resolved: Option<Date>,
    pub building: Option<String>,
    pub channel: Option<Channel>,
}

#[derive(Debug, Clone)]
pub(crate) struct Errand {
    pub date: Date,
    pub steward: usize,
    /// Checked against the contract; the figures count errands only so far.
    #[allow(dead_code)]
    pub category: String,
    #[allow(dead_code)]
    pub status: ErrandStatus,
}

#[derive(Debug, Clone)]
pub(crate) struct Meeting {
    pub date: Date,
    pub community: usize,
    pub attendees: Vec<usize>,
    pub topic: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Batch {
    pub id: String,
    pub title: String,
    pub date: Option<Date>,
    pub issuer: Option<String>,
    /// Steward indices in the order the file lists them.
    pub stewards: Vec<usize>,
    pub citations: Vec<(usize, String)>,
    /// The first stage: the candidates put up for public notice (拟表彰公示).
    pub notice: Option<Notice>,
    /// The second stage: the decision to commend (表彰决定), after the notice period.
    pub decision: Option<Decision>,
}

#[derive(Debug, Clone)]
pub(crate) struct Decision {
    /// 文号, e.g. 府街党〔2018〕12号.
    pub number: Option<String>,
    pub date: Date,
    pub issuer: Option<String>,
    /// The decision's text, one paragraph per blank-line-separated block.
    pub paragraphs: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Notice {
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub objections: Option<String>,
    pub contact: Option<String>,
    pub issuer: Option<String>,
    pub date: Option<Date>,
}

/// A briefing from `content/bulletins/*.md`, printed like 《组工信息》.
#[derive(Debug, Clone)]
pub(crate) struct Bulletin {
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub issue: Option<u32>,
    pub total_issue: Option<u32>,
    pub date: Date,
    /// The contributing unit, shown in brackets after the body.
    pub source: Option<String>,
    pub send_to: Vec<String>,
    pub distribute_to: Vec<String>,
    pub body: Document,
}

/// A free page from `content/pages/*.md`.
#[derive(Debug, Clone)]
pub(crate) struct FreePage {
    pub slug: String,
    pub title: String,
    pub date: Option<Date>,
    pub body: Document,
}

/// Markdown source with where it came from, so template errors in it can name the line.
#[derive(Debug, Clone, Default)]
pub(crate) struct Document {
    pub path: String,
    /// Line of the file on which the body starts.
    pub first_line: u32,
    pub markdown: String,
}
