//! Which stage a commendation batch is in, as its page says it: the public notice of the
//! candidates while its period runs, then the decision. "Now" is the build date
//! (`site.toml`'s `date` or `SOURCE_DATE_EPOCH`), never the clock, so a page is the same
//! however often it is built; without one, a batch with no decision reads as in notice.

use serde::Serialize;

use crate::model::{Batch, Date};

/// A commendation batch's stage, as its page and the home page name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Stage {
    /// `decision`, `notice`, `notice_over`, `notice_ahead` or `list`: for templates and CSS.
    pub key: &'static str,
    /// What the page's heading says.
    pub label: &'static str,
}

/// The stage `batch` is in on `today`, the build date.
pub(crate) fn stage(batch: &Batch, today: Option<Date>) -> Stage {
    let (key, label) = match (&batch.decision, &batch.notice) {
        (Some(_), _) => ("decision", "表彰决定"),
        (None, Some(n)) => match (today, n.start, n.end) {
            (Some(t), _, Some(end)) if t > end => ("notice_over", "公示期已满，待作出表彰决定"),
            (Some(t), Some(start), _) if t < start => {
                ("notice_ahead", "拟表彰名单（公示尚未开始）")
            }
            _ => ("notice", "拟表彰名单公示"),
        },
        (None, None) => ("list", "表彰名单"),
    };
    Stage { key, label }
}

/// The batch's date as the public pages show it: none while it lies after the build
/// date. A batch in its public notice may already carry the day its decision is planned
/// for; a page must not show a day that has not come as if it had.
pub(crate) fn shown_date(batch: &Batch, today: Option<Date>) -> Option<Date> {
    batch.date.filter(|d| today.is_none_or(|t| *d <= t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Decision, Notice};

    fn day(d: u8) -> Option<Date> {
        Date::new(2018, 11, d)
    }

    fn batch(notice: bool, decided: bool) -> Batch {
        Batch {
            id: "b".into(),
            title: "第一批优秀红管家".into(),
            date: None,
            issuer: None,
            stewards: Vec::new(),
            citations: Vec::new(),
            notice: notice.then(|| Notice {
                start: day(20),
                end: day(26),
                objections: None,
                contact: None,
                issuer: None,
                date: None,
            }),
            decision: decided.then(|| Decision {
                number: None,
                date: Date::new(2018, 12, 1).expect("date"),
                issuer: None,
                paragraphs: Vec::new(),
            }),
        }
    }

    #[test]
    fn the_notice_runs_until_its_last_day_then_waits_for_the_decision() {
        let b = batch(true, false);
        assert_eq!(stage(&b, day(19)).key, "notice_ahead");
        assert_eq!(stage(&b, day(20)).label, "拟表彰名单公示");
        assert_eq!(stage(&b, day(26)).label, "拟表彰名单公示");
        assert_eq!(stage(&b, day(27)).key, "notice_over");
        assert_eq!(stage(&b, None).label, "拟表彰名单公示");
    }

    #[test]
    fn a_batch_shows_no_date_after_the_build_date() {
        let mut b = batch(true, false);
        b.date = Date::new(2018, 12, 1);
        assert_eq!(shown_date(&b, day(22)), None);
        assert_eq!(shown_date(&b, Date::new(2018, 12, 1)), b.date);
        assert_eq!(shown_date(&b, None), b.date);
    }

    #[test]
    fn a_decision_ends_the_notice_whatever_the_date() {
        assert_eq!(stage(&batch(true, true), day(22)).label, "表彰决定");
        assert_eq!(stage(&batch(false, true), None).label, "表彰决定");
        assert_eq!(stage(&batch(false, false), None).key, "list");
    }
}
