//! Validated records: what the rest of the pipeline works with. Private fields are kept
//! apart (see `Private`) so that no page template can reach them by accident.

use std::fmt;

use serde::Serialize;

/// A calendar date. Records only ever need days, never times or zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// `YYYY-MM`, the key of monthly figures.
    pub fn month_key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// `2018年12月10日`, as Chinese documents write dates.
    pub fn chinese(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }

    /// Days since 1970-01-01, for turning `SOURCE_DATE_EPOCH` into a date and back.
    pub fn from_unix_days(days: i64) -> Option<Date> {
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(
            u16::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Membership {
    #[serde(rename = "在册")]
    Registered,
    #[serde(rename = "在职")]
    InService,
    #[serde(rename = "两新")]
    NewOrg,
}

impl Membership {
    pub fn label(self) -> &'static str {
        match self {
            Membership::Registered => "在册",
            Membership::InService => "在职",
            Membership::NewOrg => "两新",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum CaseStatus {
    #[serde(rename = "待办")]
    Open,
    #[serde(rename = "办理中")]
    InProgress,
    #[serde(rename = "已转办")]
    Escalated,
    #[serde(rename = "已解决")]
    Resolved,
    #[serde(rename = "已反馈")]
    Answered,
}

impl CaseStatus {
    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Open => "待办",
            CaseStatus::InProgress => "办理中",
            CaseStatus::Escalated => "已转办",
            CaseStatus::Resolved => "已解决",
            CaseStatus::Answered => "已反馈",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum VisitKind {
    #[serde(rename = "走访")]
    Visit,
    #[serde(rename = "敲门日")]
    DoorKnocking,
    #[serde(rename = "巡逻")]
    Patrol,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Channel {
    #[serde(rename = "楼道")]
    Stairwell,
    #[serde(rename = "网格员")]
    GridWorker,
    #[serde(rename = "物业")]
    Property,
    #[serde(rename = "业委会")]
    OwnersCommittee,
    #[serde(rename = "社区")]
    Community,
}

impl Channel {
    pub fn label(self) -> &'static str {
        match self {
            Channel::Stairwell => "楼道",
            Channel::GridWorker => "网格员",
            Channel::Property => "物业",
            Channel::OwnersCommittee => "业委会",
            Channel::Community => "社区",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum ErrandStatus {
    #[serde(rename = "已办结")]
    Done,
    #[serde(rename = "办理中")]
    InProgress,
}

#[derive(Debug, Clone, Serialize)]
pub struct Community {
    pub id: String,
    pub name: String,
    pub party_org: Option<String>,
    pub grids: Option<u32>,
    pub buildings: Option<u32>,
    pub households: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Steward {
    pub id: String,
    pub name: String,
    /// Index into the community list.
    pub community: usize,
    pub buildings: Vec<String>,
    pub membership: Membership,
    pub grid: Option<String>,
    pub workplace: Option<String>,
    pub gender: Option<String>,
    pub birth_year: Option<u16>,
    pub specialty: Option<String>,
    pub teams: Vec<String>,
    pub joined: Option<Date>,
    pub public: bool,
    /// Whether the print kit's boards and cards carry the phone (the steward may opt out).
    pub phone_on_board: bool,
    pub private: Private,
}

/// Values that must never reach the public site. Kept for the leak guard and for output
/// targets, such as an internal print kit, whose privacy rules allow them.
#[derive(Debug, Clone, Default)]
pub struct Private {
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct Visit {
    pub date: Date,
    pub steward: usize,
    pub households: u32,
    pub kind: VisitKind,
}

#[derive(Debug, Clone, Serialize)]
pub struct Case {
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
pub struct Errand {
    pub date: Date,
    pub steward: usize,
    pub category: String,
    pub status: ErrandStatus,
}

#[derive(Debug, Clone)]
pub struct Meeting {
    pub date: Date,
    pub community: usize,
    pub attendees: Vec<usize>,
    pub topic: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Batch {
    pub id: String,
    pub title: String,
    pub date: Option<Date>,
    pub issuer: Option<String>,
    /// Steward indices in the order the file lists them.
    pub stewards: Vec<usize>,
    pub citations: Vec<(usize, String)>,
    pub notice: Option<Notice>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub objections: Option<String>,
    pub contact: Option<String>,
    pub issuer: Option<String>,
    pub date: Option<Date>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_impossible_dates() {
        assert!(Date::new(2018, 2, 29).is_none());
        assert!(Date::new(2020, 2, 29).is_some());
        assert!(Date::new(2018, 13, 1).is_none());
        assert!(Date::new(2018, 4, 31).is_none());
    }

    #[test]
    fn unix_days_round_trip_known_dates() {
        assert_eq!(Date::from_unix_days(0), Date::new(1970, 1, 1));
        // 2018-12-10 is day 17875 since the epoch.
        assert_eq!(Date::from_unix_days(17_875), Date::new(2018, 12, 10));
    }
}

/// A briefing from `content/bulletins/*.md`, printed like 《组工信息》.
#[derive(Debug, Clone, Serialize)]
pub struct Bulletin {
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
    #[serde(skip)]
    pub body: Document,
}

/// A free page from `content/pages/*.md`.
#[derive(Debug, Clone, Serialize)]
pub struct FreePage {
    pub slug: String,
    pub title: String,
    pub date: Option<Date>,
    #[serde(skip)]
    pub body: Document,
}

/// Markdown source with where it came from, so template errors in it can name the line.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub path: String,
    /// Line of the file on which the body starts.
    pub first_line: u32,
    pub markdown: String,
}
