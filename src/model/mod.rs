//! Validated records: what the rest of the pipeline works with. Private fields are kept
//! apart (see `Private`) so that no page template can reach them by accident.

mod date;
mod labels;
mod records;
mod roster;

pub use date::Date;
pub(crate) use date::days_in_month;
pub(crate) use labels::{CaseStatus, Channel, ErrandStatus, Membership, VisitKind};
pub(crate) use records::{
    Batch, Bulletin, Case, Decision, Document, Errand, FreePage, Meeting, Notice, Visit,
};
pub(crate) use roster::{Community, CommunityIdx, Grid, Private, Steward, StewardIdx, Subdistrict};
