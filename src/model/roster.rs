//! The roster: communities and their stewards, and their typed places in it.

use serde::Serialize;

use super::{Date, Membership};

/// A community's place in the roster ([`crate::validate::Registry::communities`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct CommunityIdx(pub usize);

/// A steward's place in the roster ([`crate::validate::Registry::stewards`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct StewardIdx(pub usize);

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Community {
    pub id: String,
    pub name: String,
    pub party_org: Option<String>,
    pub grids: Option<u32>,
    pub buildings: Option<u32>,
    pub households: Option<u32>,
    /// Index into [`crate::validate::Registry::subdistricts`].
    pub subdistrict: Option<usize>,
    pub district: Option<String>,
}

impl Community {
    /// The full name of its party organisation, as its seal reads: 坊门街社区党委 for a
    /// `party_org` of 社区党委 (the kind, as the contract's examples write it), the
    /// `party_org` itself when it already names the community or is a name of its own.
    pub(crate) fn party_org_name(&self) -> Option<String> {
        let org = self.party_org.as_deref()?.trim();
        if org.is_empty() {
            return None;
        }
        Some(if org.contains(self.name.as_str()) {
            org.to_string()
        } else if let Some(kind) = org.strip_prefix("社区") {
            format!("{}{kind}", self.name)
        } else if matches!(org, "党委" | "党总支" | "党支部") {
            format!("{}{org}", self.name)
        } else {
            org.to_string()
        })
    }
}

/// A subdistrict (街道) of a site that has several: from `subdistricts` records, or made
/// from the name a community gives when there are none.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Subdistrict {
    /// From its record; `None` for one only named by communities (routes gives it a folder).
    pub id: Option<String>,
    pub name: String,
    pub district: Option<String>,
    pub committee: Option<String>,
    pub area_km2: Option<f64>,
    pub residents: Option<u32>,
    pub branches: Option<u32>,
}

/// A grid (网格) of a community, from the optional `grids` records: who the grid worker
/// is, and the property company and owners' committee, the stewards' two channels.
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    /// The label stewards' `grid` column uses.
    pub id: String,
    /// Index into the community list.
    pub community: usize,
    pub worker: Option<String>,
    pub property: Option<String>,
    pub owners_committee: Option<String>,
    /// The worker's work phone (`phone`): for the print kit only.
    pub private: Private,
}

#[derive(Debug, Clone)]
pub(crate) struct Steward {
    pub id: String,
    pub name: String,
    /// Index into the community list.
    pub community: usize,
    pub buildings: Vec<String>,
    pub membership: Membership,
    pub grid: Option<String>,
    pub workplace: Option<String>,
    /// Checked against the contract; no page or figure shows it yet.
    #[allow(dead_code)]
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
pub(crate) struct Private {
    pub phone: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::Community;

    fn community(name: &str, party_org: Option<&str>) -> Community {
        Community {
            id: "c".into(),
            name: name.into(),
            party_org: party_org.map(str::to_string),
            grids: None,
            buildings: None,
            households: None,
            subdistrict: None,
            district: None,
        }
    }

    #[test]
    fn a_party_organisation_is_named_as_its_seal_reads() {
        for (name, org, want) in [
            ("坊门街社区", Some("社区党委"), Some("坊门街社区党委")),
            ("坊门街社区", Some("社区党总支"), Some("坊门街社区党总支")),
            ("坊门街社区", Some("党委"), Some("坊门街社区党委")),
            ("坊门街社区", Some("坊门街社区党委"), Some("坊门街社区党委")),
            (
                "坊门街社区",
                Some("中共坊门街社区委员会"),
                Some("中共坊门街社区委员会"),
            ),
            ("坊门街社区", Some(" "), None),
            ("坊门街社区", None, None),
        ] {
            assert_eq!(
                community(name, org).party_org_name().as_deref(),
                want,
                "{org:?}"
            );
        }
    }
}
