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
    pub private: Private,
}

/// Values that must never reach the public site. Kept for the leak guard and for output
/// targets, such as an internal print kit, whose privacy rules allow them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Private {
    pub phone: Option<String>,
}
