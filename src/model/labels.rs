//! The enumerated values of the records, each declared once with everything about its
//! words: the Chinese label pages show and data files carry (also its serialized form),
//! and the English alias the contract accepts as input. `validate` parses with
//! [`Membership::WORDS`] and the like, so a word added here is accepted, shown and
//! listed in messages alike.

use serde::{Serialize, Serializer};

/// Declares an enum with one Chinese label and an optional English alias per variant.
macro_rules! labelled {
    ($(#[$doc:meta])* $name:ident {
        $($variant:ident = $label:literal $(| $alias:literal)?),+ $(,)?
    }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub(crate) enum $name {
            $($variant),+
        }

        impl $name {
            /// Every word accepted as input: the Chinese labels, then the English aliases.
            pub(crate) const WORDS: &'static [(&'static str, $name)] = &[
                $(($label, $name::$variant),)+
                $($(($alias, $name::$variant),)?)+
            ];

            /// The Chinese labels alone, in declaration order: the choices a new
            /// workbook's drop-down list offers.
            pub(crate) const LABELS: &'static [&'static str] = &[$($label),+];

            /// The word pages show.
            pub(crate) fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label),+
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.label())
            }
        }
    };
}

labelled! {
    /// A steward's party membership category (党员类别).
    Membership {
        Registered = "在册" | "registered",
        InService = "在职" | "in-service",
        NewOrg = "两新" | "new-org",
    }
}

labelled! {
    /// Where a case stands.
    CaseStatus {
        Open = "待办" | "open",
        InProgress = "办理中" | "in-progress",
        Escalated = "已转办" | "escalated",
        Resolved = "已解决" | "resolved",
        Answered = "已反馈" | "answered",
    }
}

labelled! {
    /// What kind of visit.
    VisitKind {
        Visit = "走访" | "visit",
        DoorKnocking = "敲门日" | "door-knocking",
        Patrol = "巡逻" | "patrol",
    }
}

labelled! {
    /// Through whom a case was handled.
    Channel {
        Stairwell = "楼道",
        GridWorker = "网格员",
        Property = "物业",
        OwnersCommittee = "业委会",
        Community = "社区",
    }
}

labelled! {
    /// Where an errand stands.
    ErrandStatus {
        Done = "已办结" | "done",
        InProgress = "办理中" | "in-progress",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_list_labels_first_then_aliases() {
        assert_eq!(
            Membership::WORDS,
            &[
                ("在册", Membership::Registered),
                ("在职", Membership::InService),
                ("两新", Membership::NewOrg),
                ("registered", Membership::Registered),
                ("in-service", Membership::InService),
                ("new-org", Membership::NewOrg),
            ]
        );
        assert_eq!(Channel::WORDS.len(), 5);
        assert_eq!(ErrandStatus::LABELS, &["已办结", "办理中"]);
        assert_eq!(
            serde_json::to_string(&CaseStatus::Resolved).unwrap(),
            "\"已解决\""
        );
    }
}
