//! The enumerated values of the records: each variant's serde name is its Chinese label,
//! the word pages show.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub(crate) enum Membership {
    #[serde(rename = "在册")]
    Registered,
    #[serde(rename = "在职")]
    InService,
    #[serde(rename = "两新")]
    NewOrg,
}

impl Membership {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Membership::Registered => "在册",
            Membership::InService => "在职",
            Membership::NewOrg => "两新",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub(crate) enum CaseStatus {
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
    pub(crate) fn label(self) -> &'static str {
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
pub(crate) enum VisitKind {
    #[serde(rename = "走访")]
    Visit,
    #[serde(rename = "敲门日")]
    DoorKnocking,
    #[serde(rename = "巡逻")]
    Patrol,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub(crate) enum Channel {
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
    pub(crate) fn label(self) -> &'static str {
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
pub(crate) enum ErrandStatus {
    #[serde(rename = "已办结")]
    Done,
    #[serde(rename = "办理中")]
    InProgress,
}
