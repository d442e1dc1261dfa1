//! Step 2 of the pipeline: turn raw records into typed ones, checking every value's form,
//! every id's uniqueness and every reference, and reporting each problem where it is.

mod commendations;
pub(crate) mod documents;
pub(crate) mod row;
pub(crate) mod suggest;
pub(crate) mod toml_hints;
pub(crate) mod values;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::OnceLock;

use crate::diagnostics::{Diagnostics, Severity};
use crate::load::RawRecord;
use crate::model::Case;
use crate::model::{
    CaseStatus, Channel, Community, Date, Errand, ErrandStatus, Grid, Meeting, Membership, Private,
    Steward, Subdistrict, Visit, VisitKind,
};
use crate::schema::{
    Field, Kind, case, community, errand, grid, meeting, steward, subdistrict, visit,
};

pub(crate) use commendations::commendations;
use row::Row;

// The words of each enumerated field live with the enum, in model/labels.rs.
const MEMBERSHIP: &[(&str, Membership)] = Membership::WORDS;
const CASE_STATUS: &[(&str, CaseStatus)] = CaseStatus::WORDS;
const VISIT_KIND: &[(&str, VisitKind)] = VisitKind::WORDS;
const CHANNEL: &[(&str, Channel)] = Channel::WORDS;
const ERRAND_STATUS: &[(&str, ErrandStatus)] = ErrandStatus::WORDS;

const GENDER: &[(&str, &str)] = &[("男", "男"), ("女", "女")];

/// The words an enumerated field accepts, in Chinese, for the drop-down lists of a new
/// workbook and its instructions: the enums' own labels (model/labels.rs) and the tables
/// above, so a word is declared in one place only.
pub(crate) fn choices(field: Field) -> Option<Vec<&'static str>> {
    // Gender and yes/no are no enums; their tables also accept English words.
    fn chinese<T>(table: &[(&'static str, T)]) -> Vec<&'static str> {
        table
            .iter()
            .map(|(word, _)| *word)
            .filter(|word| !word.is_ascii())
            .collect()
    }
    let words = match field {
        steward::MEMBERSHIP => Membership::LABELS.to_vec(),
        steward::GENDER => chinese(GENDER),
        steward::PUBLIC => chinese(row::YES_NO),
        visit::KIND => VisitKind::LABELS.to_vec(),
        case::STATUS => CaseStatus::LABELS.to_vec(),
        case::CHANNEL => Channel::LABELS.to_vec(),
        errand::STATUS => ErrandStatus::LABELS.to_vec(),
        _ => return None,
    };
    Some(words)
}

/// Where a record was first seen, for duplicate-id messages.
#[derive(Debug, Clone)]
struct Origin {
    path: String,
    line: u32,
}

impl Origin {
    fn describe(&self, here: &str) -> String {
        if self.path == here {
            format!("第 {} 行", self.line)
        } else {
            format!(" {}:{} ", self.path, self.line)
        }
    }
}

/// Record ids to their index. A city checks millions of references to tens of thousands
/// of stewards: an id short enough is packed into the key itself, so that looking it up
/// compares two numbers instead of following a pointer to each candidate's text.
type IdIndex = IdMap<usize>;

/// Record ids to a value, ids of up to 15 bytes packed into the key (see [`IdIndex`]).
/// Ids of up to 8 bytes (`C001-070`) take a key of 64 bits: a table of a city's stewards
/// is then half as large, and a lookup, which mostly waits for the memory of its entry,
/// finds it in the processor's cache more often.
#[derive(Debug)]
struct IdMap<V> {
    tiny: HashMap<u64, V>,
    short: HashMap<u128, V>,
    long: HashMap<String, V>,
}

impl<V> Default for IdMap<V> {
    fn default() -> Self {
        IdMap {
            tiny: HashMap::default(),
            short: HashMap::default(),
            long: HashMap::default(),
        }
    }
}

/// Which map of an [`IdMap`] holds an id, and its key there.
enum IdKey<'a> {
    Tiny(u64),
    Short(u128),
    Long(&'a str),
}

impl<V: Copy> IdMap<V> {
    /// The id's bytes in one number, for ids of up to 8 bytes without a NUL byte: the
    /// zeros after the id then say where it ends.
    fn pack_tiny(id: &str) -> Option<u64> {
        zero_padded(id).map(u64::from_le_bytes)
    }

    fn key(id: &str) -> IdKey<'_> {
        match (Self::pack_tiny(id), Self::pack(id)) {
            (Some(key), _) => IdKey::Tiny(key),
            (None, Some(key)) => IdKey::Short(key),
            (None, None) => IdKey::Long(id),
        }
    }

    /// The id's bytes and its length in one number, for ids of up to 15 bytes.
    fn pack(id: &str) -> Option<u128> {
        let bytes = id.as_bytes();
        let mut key = [0u8; 16];
        key.get_mut(..bytes.len())?.copy_from_slice(bytes);
        key[15] = u8::try_from(bytes.len()).ok().filter(|&n| n < 16)?;
        Some(u128::from_le_bytes(key))
    }

    fn get(&self, id: &str) -> Option<V> {
        match Self::key(id) {
            IdKey::Tiny(key) => self.tiny.get(&key).copied(),
            IdKey::Short(key) => self.short.get(&key).copied(),
            IdKey::Long(id) => self.long.get(id).copied(),
        }
    }

    fn insert(&mut self, id: &str, value: V) {
        match Self::key(id) {
            IdKey::Tiny(key) => self.tiny.insert(key, value),
            IdKey::Short(key) => self.short.insert(key, value),
            IdKey::Long(id) => self.long.insert(id.to_string(), value),
        };
    }

    /// The value of `id` if it has one; otherwise `value` becomes its value. One lookup
    /// for both, where most ids are new.
    fn get_or_insert(&mut self, id: &str, value: V) -> Option<V> {
        use std::collections::hash_map::Entry;
        match Self::key(id) {
            IdKey::Tiny(key) => match self.tiny.entry(key) {
                Entry::Occupied(e) => Some(*e.get()),
                Entry::Vacant(e) => {
                    e.insert(value);
                    None
                }
            },
            IdKey::Short(key) => match self.short.entry(key) {
                Entry::Occupied(e) => Some(*e.get()),
                Entry::Vacant(e) => {
                    e.insert(value);
                    None
                }
            },
            IdKey::Long(id) => match self.long.get(id) {
                Some(&v) => Some(v),
                None => {
                    self.long.insert(id.to_string(), value);
                    None
                }
            },
        }
    }
}

/// Communities and stewards: the records every other kind refers to.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    /// From `subdistricts` records, or from the names communities give when there are none.
    pub subdistricts: Vec<Subdistrict>,
    /// By id and by name.
    subdistrict_keys: HashMap<String, usize>,
    /// Whether the subdistricts come from records: then a community must name one of them.
    subdistricts_recorded: bool,
    pub communities: Vec<Community>,
    /// From the optional `grids` records.
    pub grids: Vec<Grid>,
    /// Grids by community and label, with where each was first written.
    grid_keys: HashMap<(usize, String), (usize, Origin)>,
    pub stewards: Vec<Steward>,
    community_keys: HashMap<String, usize>,
    community_origin: HashMap<String, Origin>,
    /// The sheet column of a community's 楼幢数 cell, when it comes from a workbook: the
    /// coverage check, made once the figures are known, points at that cell.
    buildings_cells: HashMap<String, u32>,
    steward_ids: IdIndex,
    /// Stewards by name, for a name written where an id belongs.
    steward_names: HashMap<String, Vec<usize>>,
    /// Closest registered id to each unknown one, found once per id.
    suggestions: std::sync::Mutex<HashMap<String, Option<usize>>>,
    steward_origin: HashMap<String, Origin>,
    /// Ids seen on records that were otherwise invalid: references to them are not
    /// reported again, since the user already has an error for that record.
    broken_stewards: HashSet<String>,
    /// The same for communities, by id and by name.
    broken_communities: HashSet<String>,
    /// What public free text is cleaned of, knowing the site's own public numbers.
    pub(crate) scrubber: crate::privacy::scrub::Scrubber,
    /// Whether an error was reported for the communities' or the stewards' own files;
    /// decided once, when the first reference to an unknown id needs it.
    communities_unread: OnceLock<bool>,
    stewards_unread: OnceLock<bool>,
    /// Stewards' records whose id another record already has, reported once every
    /// reference is read (see [`Registry::report_duplicates`]).
    duplicates: Vec<DuplicateSteward>,
    /// The id each duplicate most likely should have (see [`Registry::add_steward`]),
    /// with the references to it: counted, not reported one by one.
    displaced: HashMap<String, usize>,
    displaced_refs: std::sync::Mutex<HashMap<usize, DisplacedRefs>>,
    /// The file and id of the last steward's record read, for the id a duplicate most
    /// likely should have had.
    previous_steward: Option<(String, String)>,
}

/// How many references wait for a duplicate's most likely id, and the first of them
/// (path and line).
type DisplacedRefs = (u64, (String, u32));

/// A steward's record with an id used before.
#[derive(Debug)]
struct DuplicateSteward {
    id: String,
    /// Where the id is written, and its header as written.
    path: String,
    line: u32,
    column: Option<u32>,
    written: String,
    first: Origin,
    first_name: Option<String>,
    name: Option<String>,
    /// The id of the record before it in its file.
    previous: Option<String>,
}

/// The id after `id` in its numbering (`DM-001` → `DM-002`), the width of its number kept.
fn next_id(id: &str) -> Option<String> {
    let digits_start = id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let number = &id[digits_start..];
    let n: u64 = number.parse().ok()?;
    Some(format!(
        "{}{:0width$}",
        &id[..digits_start],
        n + 1,
        width = number.len()
    ))
}

/// Whether an error was already reported for a file of `kind` (unreadable, bad syntax,
/// missing, …).
fn kind_has_errors(kind: Kind, diags: &Diagnostics) -> bool {
    let csv = format!("content/{}.csv", kind.plural());
    let toml = format!("content/{}.toml", kind.plural());
    let folder = format!("content/{}/", kind.plural());
    diags.sorted().iter().any(|d| {
        d.severity == Severity::Error
            && (d.path == csv
                || d.path == toml
                || d.path.starts_with(&folder)
                || crate::load::workbook::kind_of_path(&d.path) == Some(kind))
    })
}

impl Registry {
    pub(crate) fn community_index(&self, key: &str) -> Option<usize> {
        self.community_keys.get(key).copied()
    }

    /// Where a community was defined, for messages about it.
    /// Where a community's record is, and on a sheet the column of its 楼幢数.
    pub(crate) fn community_origin(&self, id: &str) -> Option<(&str, u32, Option<u32>)> {
        self.community_origin.get(id).map(|o| {
            (
                o.path.as_str(),
                o.line,
                self.buildings_cells.get(id).copied(),
            )
        })
    }

    pub(crate) fn steward_index(&self, id: &str) -> Option<usize> {
        self.steward_ids.get(id)
    }

    /// Settles, before records that refer to them are checked on several threads, whether
    /// the communities' and stewards' own files had errors (see
    /// [`Registry::steward_already_reported`]): their diagnostics are all in by then.
    pub(crate) fn settle(&mut self, diags: &Diagnostics) {
        self.guess_displaced();
        if self.communities.is_empty() {
            self.communities_unread
                .get_or_init(|| kind_has_errors(Kind::Communities, diags));
        }
        if self.stewards.is_empty() {
            self.stewards_unread
                .get_or_init(|| kind_has_errors(Kind::Stewards, diags));
        }
    }

    /// For each steward's record whose id another has, the id it most likely should have
    /// had: the one after its file's previous record's (a row copied down and not
    /// renumbered), else the one after its own, if no record has it.
    fn guess_displaced(&mut self) {
        for (n, d) in self.duplicates.iter_mut().enumerate() {
            d.first_name = self
                .steward_ids
                .get(&d.id)
                .map(|i| self.stewards[i].name.clone());
            let guess = [d.previous.as_deref(), Some(d.id.as_str())]
                .into_iter()
                .flatten()
                .filter_map(next_id)
                .find(|g| {
                    self.steward_ids.get(g).is_none()
                        && !self.broken_stewards.contains(g)
                        && !self.displaced.contains_key(g)
                });
            if let Some(g) = guess {
                self.displaced.insert(g, n);
            }
        }
    }

    /// Whether an unknown steward `id` referred to at `path:line` is the id a duplicated
    /// record most likely should have: the reference is then counted for that record's
    /// one error, not reported on its own.
    pub(crate) fn displaced_by_duplicate(&self, id: &str, path: &str, line: u32) -> bool {
        let Some(&n) = self.displaced.get(id) else {
            return false;
        };
        let mut refs = self
            .displaced_refs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let here = (path.to_string(), line);
        let (count, first) = refs.entry(n).or_insert((0, here.clone()));
        *count += 1;
        // The same one whichever thread counts first.
        if here < *first {
            *first = here;
        }
        true
    }

    /// One error for each steward's record whose id another has: where the id was first,
    /// the id it most likely should have, and how many references to that id wait for it.
    pub(crate) fn report_duplicates(&self, diags: &mut Diagnostics) {
        let refs = self
            .displaced_refs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (n, d) in self.duplicates.iter().enumerate() {
            let at = d.first.describe(&d.path);
            let first = d
                .first_name
                .as_ref()
                .map(|name| format!("（{name}）"))
                .unwrap_or_default();
            let this = d
                .name
                .as_ref()
                .map(|name| format!("这一行（{name}）"))
                .unwrap_or_else(|| "这一行".to_string());
            let guess = self
                .displaced
                .iter()
                .find(|(_, i)| **i == n)
                .map(|(g, _)| g);
            let message = match (guess, refs.get(&n)) {
                (Some(g), Some((count, (path, line)))) => format!(
                    "{}: \"{}\" 重复，已在{at}{first}出现；{this}多半应是 {g}：名册里没有 {g}，记录里却引用了它。请把这一行的编号改为 {g}。另有 {count} 处引用 {g}（如 {path}:{line}），改好后都会读到",
                    d.written, d.id
                ),
                _ => format!(
                    "{}: \"{}\" 重复，已在{at}{first}出现；请给{this}换一个没有用过的编号，或删掉重复的这一行",
                    d.written, d.id
                ),
            };
            diags.push(
                crate::diagnostics::Diagnostic::error(&d.path, d.line, message).at_column(d.column),
            );
        }
    }

    /// Whether a reference to the unknown community `key` is to a record that already has
    /// an error of its own, or to communities that could not be read at all because of an
    /// error already reported: the reference is then not reported again for every record.
    /// With no such error (say a file with a header and no rows) every reference is.
    pub(crate) fn community_already_reported(&self, key: &str, diags: &Diagnostics) -> bool {
        self.broken_communities.contains(key)
            || (self.communities.is_empty()
                && *self
                    .communities_unread
                    .get_or_init(|| kind_has_errors(Kind::Communities, diags)))
    }

    /// Whether a reference to the unknown steward `id` is to a record that already has an
    /// error of its own (or to stewards that could not be read at all), so that the
    /// reference is not reported again.
    pub(crate) fn steward_already_reported(&self, id: &str, diags: &Diagnostics) -> bool {
        self.broken_stewards.contains(id)
            || (self.stewards.is_empty()
                && *self
                    .stewards_unread
                    .get_or_init(|| kind_has_errors(Kind::Stewards, diags)))
    }

    /// A `subdistricts` record: a subdistrict communities may name in their 街道 column.
    pub(crate) fn add_subdistrict(&mut self, rec: &RawRecord<'_>, diags: &mut Diagnostics) {
        let mut row = Row::new(Kind::Subdistricts, rec, diags);
        self.subdistricts_recorded = true;
        let id = row.text(subdistrict::ID);
        let name = row.text(subdistrict::NAME);
        let district = row.text(subdistrict::DISTRICT);
        let committee = row.text(subdistrict::COMMITTEE);
        let area_km2 = row.text(subdistrict::AREA_KM2).and_then(|a| {
            let parsed = a.trim_end_matches("平方公里").trim().parse::<f64>().ok();
            match parsed {
                Some(v) if v.is_finite() && v >= 0.0 => Some(v),
                _ => {
                    row.error(
                        subdistrict::AREA_KM2,
                        format!("\"{a}\" 不是面积数字，写作 3.55（单位平方公里）"),
                    );
                    None
                }
            }
        });
        let residents = row.whole(subdistrict::RESIDENTS, 0);
        let branches = row.whole(subdistrict::BRANCHES, 0);
        if let Some(id) = &id
            && !values::is_slug(id)
        {
            row.error(
                subdistrict::ID,
                format!("\"{id}\" 只能由小写英文字母、数字和连字符组成（用于网址）"),
            );
        }
        for (field, key) in [(subdistrict::ID, &id), (subdistrict::NAME, &name)] {
            if let Some(key) = key
                && self.subdistrict_keys.contains_key(key)
            {
                row.error(field, format!("\"{key}\" 重复，同一个街道只写一行"));
            }
        }
        let (Some(id), Some(name), true) = (id, name, row.ok) else {
            return;
        };
        let index = self.subdistricts.len();
        self.subdistrict_keys.insert(id.clone(), index);
        self.subdistrict_keys.insert(name.clone(), index);
        self.subdistricts.push(Subdistrict {
            id: Some(id),
            name,
            district,
            committee,
            area_km2,
            residents,
            branches,
        });
    }

    /// The subdistrict a community's 街道 names: one of the records, or, without records,
    /// one made from the name.
    fn subdistrict_of(&mut self, written: &str, row: &mut Row<'_, '_>) -> Option<usize> {
        if let Some(&i) = self.subdistrict_keys.get(written) {
            return Some(i);
        }
        if self.subdistricts_recorded {
            let known: Vec<&str> = self.subdistricts.iter().map(|s| s.name.as_str()).collect();
            row.error(
                community::SUBDISTRICT,
                format!(
                    "\"{written}\" 不在街道记录（content/subdistricts）里，应为其中一个街道的编号或名称：{}",
                    known.join("、")
                ),
            );
            return None;
        }
        let index = self.subdistricts.len();
        self.subdistrict_keys.insert(written.to_string(), index);
        self.subdistricts.push(Subdistrict {
            id: None,
            name: written.to_string(),
            district: None,
            committee: None,
            area_km2: None,
            residents: None,
            branches: None,
        });
        Some(index)
    }

    /// Subdistricts read from `subdistricts` records.
    pub(crate) fn recorded_subdistricts(&self) -> u64 {
        if self.subdistricts_recorded {
            self.subdistricts.len() as u64
        } else {
            0
        }
    }

    /// Whether the site's communities lie in more than one subdistrict: then it gets
    /// subdistrict pages and comparisons.
    pub(crate) fn has_levels(&self) -> bool {
        self.subdistricts.len() > 1
    }

    pub(crate) fn add_community(&mut self, rec: &RawRecord<'_>, diags: &mut Diagnostics) {
        let mut row = Row::new(Kind::Communities, rec, diags);
        let id = row.id_text(community::ID);
        let name = row.text(community::NAME);
        let party_org = row.text(community::PARTY_ORG);
        let grids = row.whole(community::GRIDS, 0);
        let buildings = row.whole(community::BUILDINGS, 0);
        if let (Some(id), Some(column)) = (&id, row.column_of(community::BUILDINGS)) {
            self.buildings_cells.insert(id.clone(), column);
        }
        let households = row.whole(community::HOUSEHOLDS, 0);
        let subdistrict = row
            .text(community::SUBDISTRICT)
            .and_then(|s| self.subdistrict_of(&s, &mut row));
        let district = row
            .text(community::DISTRICT)
            .or_else(|| subdistrict.and_then(|i| self.subdistricts[i].district.clone()));
        let origin = Origin {
            path: rec.path.to_string(),
            line: rec.line,
        };
        for (field, key) in [(community::ID, &id), (community::NAME, &name)] {
            let Some(key) = key else { continue };
            if let Some(first) = self.community_origin.get(key.as_str()) {
                let at = first.describe(rec.path);
                row.error(field, format!("\"{key}\" 重复，已在{at}出现"));
            } else {
                // Remembered even if this record has other errors, so that a second
                // record with the same id or name is reported in the same run.
                self.community_origin.insert(key.clone(), origin.clone());
            }
        }
        let (id, name) = match (id, name) {
            (Some(id), Some(name)) => (id, name),
            (id, name) => {
                // Records that refer to it are not reported again: it has its error.
                self.broken_communities.extend(id.into_iter().chain(name));
                return;
            }
        };
        if !values::is_slug(&id) {
            row.error(
                community::ID,
                format!("\"{id}\" 只能由小写英文字母、数字和连字符组成（用于网址）"),
            );
        }
        if !row.ok {
            self.broken_communities.extend([id, name]);
            return;
        }
        let index = self.communities.len();
        for key in [&id, &name] {
            self.community_keys.insert(key.clone(), index);
        }
        self.communities.push(Community {
            id,
            name,
            party_org,
            grids,
            buildings,
            households,
            subdistrict,
            district,
        });
    }

    /// A `grids` record: a community's grid, its worker and its two channels (物业,
    /// 业委会), printed on the boards of the buildings whose stewards name the grid.
    pub(crate) fn add_grid(&mut self, rec: &RawRecord<'_>, diags: &mut Diagnostics) {
        let mut row = Row::new(Kind::Grids, rec, diags);
        let id = row.text(grid::ID);
        let community = row
            .id_text(grid::COMMUNITY)
            .and_then(|c| self.community_ref(&mut row, grid::COMMUNITY, &c));
        let worker = row.text(grid::WORKER);
        let phone = row.digits_text(grid::WORKER_PHONE);
        let property = row.text(grid::PROPERTY);
        let owners_committee = row.text(grid::OWNERS_COMMITTEE);
        if let (Some(id), Some(c)) = (&id, community)
            && let Some((_, first)) = self.grid_keys.get(&(c, id.clone()))
        {
            let at = first.describe(rec.path);
            row.error(
                grid::ID,
                format!(
                    "\"{id}\" 重复，已在{at}出现：{}的每个网格只写一行",
                    self.communities[c].name
                ),
            );
        }
        let (Some(id), Some(community), true) = (id, community, row.ok) else {
            return;
        };
        let origin = Origin {
            path: rec.path.to_string(),
            line: rec.line,
        };
        self.grid_keys
            .insert((community, id.clone()), (self.grids.len(), origin));
        self.grids.push(Grid {
            id,
            community,
            worker,
            property,
            owners_committee,
            private: Private { phone },
        });
    }

    /// The grid `label` of community `community`, from the `grids` records.
    pub(crate) fn grid(&self, community: usize, label: &str) -> Option<&Grid> {
        self.grid_keys
            .get(&(community, label.to_string()))
            .map(|(i, _)| &self.grids[*i])
    }

    /// A steward's grid that the `grids` records of their community do not list: its
    /// worker cannot be printed on the steward's boards.
    fn check_grid(&self, row: &mut Row<'_, '_>, community: usize, label: &str) {
        if self.grid(community, label).is_some()
            || !self.grids.iter().any(|g| g.community == community)
        {
            return;
        }
        let listed = self
            .grids
            .iter()
            .filter(|g| g.community == community)
            .map(|g| g.id.as_str());
        let listed: Vec<&str> = listed.collect();
        let folded = suggest::numerals_as_digits(label);
        let hint = listed
            .iter()
            .find(|g| suggest::numerals_as_digits(g) == folded)
            .copied()
            .or_else(|| suggest::closest(label, listed.iter().copied()))
            .map(|g| format!("是不是 {g}？"))
            .unwrap_or_else(|| "请在网格记录里加上这个网格，或改成其中一个网格的写法".to_string());
        row.warning(
            steward::GRID,
            format!(
                "“{label}”不在{}的网格记录（content/grids）里，公示牌和联户卡上不会印这个网格的网格员、物业和业委会；{hint}",
                self.communities[community].name
            ),
        );
    }

    pub(crate) fn add_steward(&mut self, rec: &RawRecord<'_>, diags: &mut Diagnostics) {
        let mut row = Row::new(Kind::Stewards, rec, diags);
        let id = row.id_text(steward::ID);
        if let Some(id) = &id {
            if !values::is_record_id(id) {
                row.error(
                    steward::ID,
                    format!("\"{id}\" 只能由英文字母、数字、下划线和连字符组成（用于网址）"),
                );
            } else if let Some(first) = self.steward_origin.get(id) {
                // Reported with the references it displaced, once they are all read.
                row.ok = false;
                self.duplicates.push(DuplicateSteward {
                    id: id.clone(),
                    path: rec.path.to_string(),
                    line: row.line_of(steward::ID),
                    column: row.column_of(steward::ID),
                    written: row.written(steward::ID),
                    first: first.clone(),
                    first_name: None,
                    name: None,
                    previous: self
                        .previous_steward
                        .as_ref()
                        .filter(|(path, _)| path == rec.path)
                        .map(|(_, id)| id.clone()),
                });
            } else {
                // Remembered even if this record has other errors, so that a second
                // record with the same id is reported in the same run.
                self.steward_origin.insert(
                    id.clone(),
                    Origin {
                        path: rec.path.to_string(),
                        line: rec.line,
                    },
                );
            }
        }
        if let Some(id) = &id {
            self.previous_steward = Some((rec.path.to_string(), id.clone()));
        }
        let name = row.free_text(steward::NAME, &self.scrubber);
        if let (Some(d), Some(id)) = (self.duplicates.last_mut(), &id)
            && d.path == rec.path
            && d.line == row.line_of(steward::ID)
            && d.id == *id
        {
            d.name.clone_from(&name);
        }
        let community = row
            .id_text(steward::COMMUNITY)
            .and_then(|c| self.community_ref(&mut row, steward::COMMUNITY, &c));
        let buildings = row.list(steward::BUILDINGS);
        for b in &buildings {
            // A phone typed one column too far left would be published as a building.
            // A building with a room is a household's address.
            let (kept, hidden) = self.scrubber.scrub(b);
            if hidden.iter().all(|h| *h == crate::privacy::Hidden::Room)
                && let Some(_) = hidden.first()
            {
                row.error(
                    steward::BUILDINGS,
                    format!(
                        "“{b}”含有室号：联系楼幢只写到楼幢或单元，如 {kept}；室号是一户人家的门牌，不公开"
                    ),
                );
            } else if let Some(kind) = hidden.iter().find(|h| **h != crate::privacy::Hidden::Room) {
                let phone = row.written(steward::PHONE);
                row.error(
                    steward::BUILDINGS,
                    format!(
                        "“{b}”是{}，不是楼幢号；楼幢写作 3幢、5幢，电话请填在“{phone}”列",
                        kind.label()
                    ),
                );
            }
        }
        let membership = row.word(steward::MEMBERSHIP, MEMBERSHIP);
        let grid = row.free_text(steward::GRID, &self.scrubber);
        if let (Some(c), Some(g)) = (community, &grid) {
            self.check_grid(&mut row, c, g);
        }
        let workplace = row.free_text(steward::WORKPLACE, &self.scrubber);
        let gender = row.word(steward::GENDER, GENDER).map(str::to_string);
        let birth_year = row.whole(steward::BIRTH_YEAR, 0).and_then(|y| {
            if (1900..=2100).contains(&y) {
                u16::try_from(y).ok()
            } else {
                row.error(
                    steward::BIRTH_YEAR,
                    format!("\"{y}\" 不是四位数的出生年份，请写完整的年份，如 1958"),
                );
                None
            }
        });
        let specialty = row.free_text(steward::SPECIALTY, &self.scrubber);
        let teams = row.list(steward::TEAMS);
        let joined = row.date(steward::JOINED);
        let phone = row.digits_text(steward::PHONE);
        let public = row.yes_no(steward::PUBLIC).unwrap_or(true);
        let phone_on_board = row.yes_no(steward::PHONE_ON_BOARD).unwrap_or(true);

        let Some(id) = id else { return };
        if !(row.ok && community.is_some() && membership.is_some())
            && let Some(name) = &name
        {
            // A reference by this name could mean this record: not read as another's.
            self.broken_stewards.insert(name.clone());
        }
        let (Some(name), Some(community), Some(membership), true) =
            (name, community, membership, row.ok)
        else {
            if values::is_record_id(&id) {
                self.broken_stewards.insert(id);
            }
            return;
        };
        let index = self.stewards.len();
        self.steward_ids.insert(&id, index);
        self.steward_names
            .entry(name.clone())
            .or_default()
            .push(index);
        self.stewards.push(Steward {
            id,
            name,
            community,
            buildings,
            membership,
            grid,
            workplace,
            gender,
            birth_year,
            specialty,
            teams,
            joined,
            public,
            phone_on_board,
            private: Private { phone },
        });
    }

    /// What a steward reference that is not already reported refers to.
    pub(crate) fn lookup_steward(&self, id: &str) -> StewardLookup<'_> {
        if let Some(i) = self.steward_index(id) {
            return StewardLookup::Id(i);
        }
        match self.steward_names.get(id).map(Vec::as_slice) {
            Some(&[i]) => StewardLookup::Name(i, &self.stewards[i].id),
            Some(many) => StewardLookup::SharedName(
                many.iter().map(|&i| self.stewards[i].id.as_str()).collect(),
            ),
            None => StewardLookup::Unknown(self.closest_steward(id)),
        }
    }

    /// Resolves a steward reference, reporting unknown ids with the closest registered
    /// one. A steward's name where the id belongs is read as that steward's id, with a
    /// warning, when only one steward has the name.
    fn steward_ref(&self, row: &mut Row<'_, '_>, field: Field, id: &str) -> Option<usize> {
        if let Some(i) = self.steward_index(id) {
            return Some(i);
        }
        if self.displaced_by_duplicate(id, row.rec.path, row.line_of(field))
            || self.steward_already_reported(id, row.diags)
        {
            row.ok = false;
            return None;
        }
        let lookup = self.lookup_steward(id);
        match lookup.message(id) {
            Ok((i, None)) => Some(i),
            Ok((i, Some(warning))) => {
                row.warning(field, warning);
                Some(i)
            }
            Err(message) => {
                row.error(field, message);
                None
            }
        }
    }

    /// The registered steward whose id is closest to an unknown one, if any is close.
    fn closest_steward(&self, id: &str) -> Option<&Steward> {
        let mut memo = self.suggestions.lock().ok()?;
        let index = *memo.entry(id.to_string()).or_insert_with(|| {
            suggest::closest(id, self.stewards.iter().map(|s| s.id.as_str()))
                .and_then(|found| self.steward_index(found))
        });
        index.map(|i| &self.stewards[i])
    }

    /// Resolves a community reference by id or name, reporting unknown ones with the
    /// closest registered community.
    fn community_ref(&self, row: &mut Row<'_, '_>, field: Field, key: &str) -> Option<usize> {
        let found = self.community_index(key);
        if found.is_none() && self.community_already_reported(key, row.diags) {
            row.ok = false;
        } else if found.is_none() {
            let keys = self
                .communities
                .iter()
                .flat_map(|c| [c.id.as_str(), c.name.as_str()]);
            // An example of `init` left over is to be deleted, not corrected to a near id.
            let example = crate::scaffold::example_hint(key);
            // 荷花新村 for 荷花新村社区: the name without its last word.
            let hint = self
                .community_index(&format!("{key}社区"))
                .or_else(|| suggest::closest(key, keys).and_then(|k| self.community_index(k)))
                .filter(|_| example.is_empty())
                .map(|i| {
                    let c = &self.communities[i];
                    format!("，是不是 {}（{}）？", c.id, c.name)
                })
                .unwrap_or_default();
            row.error(
                field,
                format!("\"{key}\" 不是已登记的社区编号或名称{hint}{example}"),
            );
        }
        found
    }

    pub(crate) fn visit(&self, rec: &RawRecord<'_>, diags: &mut Diagnostics) -> Option<Visit> {
        let mut row = Row::new(Kind::Visits, rec, diags);
        let date = row.date(visit::DATE);
        let steward = row
            .id_ref(visit::STEWARD)
            .and_then(|id| self.steward_ref(&mut row, visit::STEWARD, &id));
        let households = row.whole(visit::HOUSEHOLDS, 1);
        let kind = if row.text_present(visit::KIND) {
            row.word(visit::KIND, VISIT_KIND)
        } else {
            Some(VisitKind::Visit)
        };
        row.check_text(visit::BUILDING);
        match (date, steward, households, kind, row.ok) {
            (Some(date), Some(steward), Some(households), Some(kind), true) => Some(Visit {
                date,
                steward,
                households,
                kind,
            }),
            _ => None,
        }
    }

    /// A case record, checked on its own; whether its id is new is for
    /// [`CaseIds::claim`] to say, in the order of the records, so that cases can be
    /// checked on several threads.
    pub(crate) fn case(&self, rec: &RawRecord<'_>, diags: &mut Diagnostics) -> CaseRead {
        let mut row = Row::new(Kind::Cases, rec, diags);
        let id = row.id_text(case::ID);
        let key = id.as_ref().map(|id| CaseKey {
            id: KeptId::new(id),
            line: rec.line,
            field_line: row.line_of(case::ID),
            column: row.column_of(case::ID),
            written: header_of(rec, case::ID),
        });
        let date = row.date(case::DATE);
        let steward = row
            .id_ref(case::STEWARD)
            .and_then(|id| self.steward_ref(&mut row, case::STEWARD, &id));
        let category = row.free_text(case::CATEGORY, &self.scrubber);
        let summary = row.free_text(case::SUMMARY, &self.scrubber);
        let status = row.word(case::STATUS, CASE_STATUS);
        let resolved = if row.text_present(case::RESOLVED) {
            row.date(case::RESOLVED)
        } else {
            None
        };
        let building = row.free_text(case::BUILDING, &self.scrubber);
        // Private and not kept, but a number Excel mangled is lost from the register.
        row.mangled_by_excel(case::PHONE);
        let channel = if row.text_present(case::CHANNEL) {
            row.word(case::CHANNEL, CHANNEL)
        } else {
            None
        };
        if status == Some(CaseStatus::Resolved)
            && resolved.is_none()
            && !row.text_present(case::RESOLVED)
        {
            let written = row.written(case::RESOLVED);
            row.error(case::STATUS, format!("为“已解决”时必须填写{written}"));
        }
        if let (Some(date), Some(done)) = (date, resolved)
            && done < date
        {
            row.error(case::RESOLVED, format!("{done} 早于收集日期 {date}"));
        }
        let resolved = match (status, resolved) {
            (Some(s), Some(done)) if s != CaseStatus::Resolved => {
                // Published as if resolved, the date would contradict the status.
                let status_written = row.written(case::STATUS);
                row.warning(
                    case::RESOLVED,
                    format!(
                        "状态是“{}”，还没有解决，填写的 {done} 不会公开；如果已经解决，请把{status_written}改为“已解决”",
                        s.label()
                    ),
                );
                None
            }
            (_, resolved) => resolved,
        };
        let case = match (id, date, steward, category, summary, status, row.ok) {
            (
                Some(id),
                Some(date),
                Some(steward),
                Some(category),
                Some(summary),
                Some(status),
                true,
            ) => Some(Case {
                id,
                date,
                steward,
                category,
                summary,
                status,
                resolved,
                building,
                channel,
            }),
            _ => None,
        };
        CaseRead { case, key }
    }

    pub(crate) fn errand(&self, rec: &RawRecord<'_>, diags: &mut Diagnostics) -> Option<Errand> {
        let mut row = Row::new(Kind::Errands, rec, diags);
        let date = row.date(errand::DATE);
        let steward = row
            .id_ref(errand::STEWARD)
            .and_then(|id| self.steward_ref(&mut row, errand::STEWARD, &id));
        let category = row.text(errand::CATEGORY);
        let status = if row.text_present(errand::STATUS) {
            row.word(errand::STATUS, ERRAND_STATUS)
        } else {
            Some(ErrandStatus::Done)
        };
        match (date, steward, category, status, row.ok) {
            (Some(date), Some(steward), Some(category), Some(status), true) => Some(Errand {
                date,
                steward,
                category,
                status,
            }),
            _ => None,
        }
    }

    pub(crate) fn meeting(&self, rec: &RawRecord<'_>, diags: &mut Diagnostics) -> Option<Meeting> {
        let mut row = Row::new(Kind::Meetings, rec, diags);
        let date = row.date(meeting::DATE);
        let community = row
            .id_text(meeting::COMMUNITY)
            .and_then(|c| self.community_ref(&mut row, meeting::COMMUNITY, &c));
        let mut attendees = Vec::new();
        for id in row.list(meeting::ATTENDEES) {
            let id = row.folded(meeting::ATTENDEES, id);
            if let Some(i) = self.steward_ref(&mut row, meeting::ATTENDEES, &id) {
                attendees.push(i);
            }
        }
        let topic = row.free_text(meeting::TOPIC, &self.scrubber);
        match (date, community, row.ok) {
            (Some(date), Some(community), true) => Some(Meeting {
                date,
                community,
                attendees,
                topic,
            }),
            _ => None,
        }
    }
}

/// What a steward reference refers to.
pub(crate) enum StewardLookup<'r> {
    /// A registered id.
    Id(usize),
    /// The name of exactly one steward, and that steward's id.
    Name(usize, &'r str),
    /// The name of several stewards: their ids.
    SharedName(Vec<&'r str>),
    /// Nothing registered; the closest registered steward, if one is close.
    Unknown(Option<&'r Steward>),
}

impl StewardLookup<'_> {
    /// The steward with a warning to give, or the error to report.
    pub(crate) fn message(&self, id: &str) -> Result<(usize, Option<String>), String> {
        match self {
            StewardLookup::Id(i) => Ok((*i, None)),
            StewardLookup::Name(i, sid) => Ok((
                *i,
                Some(format!(
                    "“{id}”是红管家的姓名，已按其编号 {sid} 读取；这里应写编号，请改为 {sid}"
                )),
            )),
            StewardLookup::SharedName(ids) => Err(format!(
                "“{id}”是 {} 位红管家的姓名（{}），分不清是哪一位，请写编号",
                ids.len(),
                ids.join("、")
            )),
            StewardLookup::Unknown(near) => {
                // An example of `init` left over is to be deleted, not corrected.
                let example = crate::scaffold::example_hint(id);
                let hint = near
                    .filter(|_| example.is_empty())
                    .map(|s| format!("，是不是 {}（{}）？", s.id, s.name))
                    .unwrap_or_default();
                Err(format!("\"{id}\" 不是已登记的红管家编号{hint}{example}"))
            }
        }
    }
}

/// A case record as checked on its own: the case if it is sound, and its id with where
/// it was written, for the check that no id is used twice.
#[derive(Debug)]
pub(crate) struct CaseRead {
    pub case: Option<Case>,
    pub key: Option<CaseKey>,
}

/// A case's id and where it stands, for a message when it is used again.
#[derive(Debug)]
pub(crate) struct CaseKey {
    id: KeptId,
    /// The record's line.
    line: u32,
    /// The id field's line and cell column, and its header as written.
    field_line: u32,
    column: Option<u32>,
    written: std::borrow::Cow<'static, str>,
}

/// Case ids seen so far, across every case file, with where each was first written (the
/// file by its index in `paths`: half a million cases share a few files).
///
/// Claimed one by one in the records' order on the thread that merges the parts. Most
/// offices number their cases in order (`2024-0001`, `2024-0002`…): an id greater than
/// every id before it is new without looking it up, and is kept at the end of a list in
/// order. Only an id out of order is looked for, in that list and among the others out
/// of order. Half a million ids each looked up by hash waited for memory each time.
#[derive(Debug, Default)]
pub(crate) struct CaseIds {
    /// Ids that came in increasing order, as [`ordered_key`]s, with where they were first
    /// written (the file's index in `paths` and the line).
    ascending: Vec<(OrderedKey, u32, u32)>,
    /// Ids that came out of order, or have no ordered key.
    others: IdMap<(u32, u32)>,
    paths: Vec<String>,
}

/// An id of up to 16 bytes without a NUL byte, in two numbers that compare as the id's
/// text does (its bytes from the first, zeros after it). Two rather than one `u128`,
/// which is aligned to 16 bytes: an entry of the list of ids in order takes 24 bytes,
/// not 32.
type OrderedKey = (u64, u64);

/// A record's id as the check that none is used twice keeps it: most ids in an
/// [`OrderedKey`], so that half a million of them are not each copied into a string of
/// their own (and freed again on another thread).
#[derive(Debug)]
enum KeptId {
    Ordered(OrderedKey),
    Text(String),
}

impl KeptId {
    fn new(id: &str) -> Self {
        ordered_key(id).map_or_else(|| KeptId::Text(id.to_string()), KeptId::Ordered)
    }

    fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            KeptId::Ordered((high, low)) => {
                let mut bytes = [high.to_be_bytes(), low.to_be_bytes()].concat();
                // The id has no NUL byte: the zeros after it are not part of it.
                bytes.truncate(bytes.iter().position(|&b| b == 0).unwrap_or(16));
                std::borrow::Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
            }
            KeptId::Text(id) => std::borrow::Cow::Borrowed(id),
        }
    }
}

/// The id's bytes followed by zeros, if it fits in `N` bytes and has no NUL byte: the
/// zeros then say where it ends.
fn zero_padded<const N: usize>(id: &str) -> Option<[u8; N]> {
    let bytes = id.as_bytes();
    if bytes.contains(&0) {
        return None;
    }
    let mut key = [0u8; N];
    key.get_mut(..bytes.len())?.copy_from_slice(bytes);
    Some(key)
}

fn ordered_key(id: &str) -> Option<OrderedKey> {
    let key: [u8; 16] = zero_padded(id)?;
    let (high, low) = key.split_at(8);
    Some((
        u64::from_be_bytes(high.try_into().ok()?),
        u64::from_be_bytes(low.try_into().ok()?),
    ))
}

impl CaseIds {
    /// Room for `cases` ids in order, a guess (see `load::csv_rows_about`).
    pub(crate) fn with_capacity(cases: usize) -> Self {
        CaseIds {
            ascending: Vec::with_capacity(cases),
            ..Default::default()
        }
    }

    /// Where `id` was first written, if it was before; otherwise it is noted as written
    /// at `here`.
    fn first_use(&mut self, id: &KeptId, here: (u32, u32)) -> Option<(u32, u32)> {
        let key = match id {
            KeptId::Ordered(key) => *key,
            KeptId::Text(id) => return self.others.get_or_insert(id, here),
        };
        if self.ascending.last().is_none_or(|last| key > last.0) {
            // Greater than every id in order, and so than every id out of order, each of
            // which was less than one in order.
            self.ascending.push((key, here.0, here.1));
            return None;
        }
        match self.ascending.binary_search_by_key(&key, |e| e.0) {
            Ok(i) => self.ascending.get(i).map(|&(_, file, line)| (file, line)),
            Err(_) => self.others.get_or_insert(&id.text(), here),
        }
    }

    /// Takes the case read at `path` in the records' order: the case, unless its id was
    /// used before, which is reported.
    pub(crate) fn claim(
        &mut self,
        path: &str,
        read: CaseRead,
        diags: &mut Diagnostics,
    ) -> Option<Case> {
        let Some(key) = read.key else {
            return read.case;
        };
        // The file of the id's first use, if this is it: most parts are of the file
        // the last part was.
        let file = match self.paths.iter().rposition(|p| p == path) {
            Some(i) => i,
            None => self.paths.len(),
        };
        let file = u32::try_from(file).unwrap_or(u32::MAX);
        if let Some((first_file, line)) = self.first_use(&key.id, (file, key.line)) {
            let first = Origin {
                path: self
                    .paths
                    .get(first_file as usize)
                    .cloned()
                    .unwrap_or_default(),
                line,
            };
            let at = first.describe(path);
            diags.push(
                crate::diagnostics::Diagnostic::error(
                    path,
                    key.field_line,
                    format!("{}: \"{}\" 重复，已在{at}出现", key.written, key.id.text()),
                )
                .at_column(key.column),
            );
            return None;
        }
        if file as usize == self.paths.len() {
            self.paths.push(path.to_string());
        }
        read.case
    }
}

/// The header of `field` as the record's file writes it, for a message that is rarely
/// shown: the contract's own name, by far the most common, is not copied for each of a
/// city's half a million records (nor freed again on the thread that merges them).
fn header_of(rec: &RawRecord<'_>, field: Field) -> std::borrow::Cow<'static, str> {
    let alias = field.spec().alias;
    match rec.get(field.index()) {
        Some(f) if f.written != alias => std::borrow::Cow::Owned(f.written.to_string()),
        _ => std::borrow::Cow::Borrowed(alias),
    }
}

/// The latest date any record carries: the "as of" date of the figures.
pub(crate) fn later(a: Option<Date>, b: Date) -> Option<Date> {
    Some(a.map_or(b, |a| a.max(b)))
}

#[cfg(test)]
mod tests {
    use super::IdIndex;

    #[test]
    fn ids_short_and_long_are_told_apart() {
        let ids: Vec<String> = (0..24)
            .map(|n| "C001-".chars().cycle().take(n).collect())
            .chain(["a\0".to_string(), "红管家十五字节".to_string()])
            .chain([
                "\0".to_string(),
                "a\0\0".to_string(),
                "C001-07\0".to_string(),
            ])
            .collect();
        let mut index = IdIndex::default();
        for (i, id) in ids.iter().enumerate() {
            index.insert(id, i);
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.get(id), Some(i), "{id:?}");
        }
        assert_eq!(index.get("a"), None);
        assert_eq!(index.get("C001-C001-C001-C001-C001-C"), None);
        assert_eq!(index.get("C001-C001-C0"), Some(12));
    }

    proptest::proptest! {
        /// Ids in order, out of order, repeated, prefixes of each other, longer than 16
        /// bytes or with a NUL: each is said to be new or where it was first used, as a
        /// plain map of every id says.
        #[test]
        fn a_case_id_is_new_or_used_before_whatever_order_the_ids_come_in(
            ids in proptest::collection::vec("(2024-|a|\\x00|红){0,5}[0-9]{0,2}", 0..80),
        ) {
            let mut claimed = super::CaseIds::default();
            let mut plain = std::collections::HashMap::new();
            for (line, id) in (0u32..).zip(&ids) {
                let want = *plain.entry(id.clone()).or_insert((0, line));
                let kept = super::KeptId::new(id);
                proptest::prop_assert_eq!(kept.text(), id.as_str());
                let got = claimed.first_use(&kept, (0, line));
                proptest::prop_assert_eq!(got, (want.1 != line).then_some(want), "{:?}", id);
            }
        }
    }
}
