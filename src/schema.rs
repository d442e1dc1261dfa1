//! The input contract as data: every record kind, its fields, their Chinese aliases and
//! which of them are required or private. Readers map headers through this table, the
//! validator looks fields up by it, and the docs describe the same table.

/// A record kind of `content/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    Subdistricts,
    Communities,
    Grids,
    Stewards,
    Visits,
    Cases,
    Errands,
    Meetings,
}

impl Kind {
    /// In the order the pipeline reads them: later kinds refer to earlier ones.
    pub(crate) const ALL: [Kind; 8] = [
        Kind::Subdistricts,
        Kind::Communities,
        Kind::Grids,
        Kind::Stewards,
        Kind::Visits,
        Kind::Cases,
        Kind::Errands,
        Kind::Meetings,
    ];

    /// File stem and folder name under `content/`.
    pub(crate) fn plural(self) -> &'static str {
        match self {
            Kind::Subdistricts => "subdistricts",
            Kind::Communities => "communities",
            Kind::Grids => "grids",
            Kind::Stewards => "stewards",
            Kind::Visits => "visits",
            Kind::Cases => "cases",
            Kind::Errands => "errands",
            Kind::Meetings => "meetings",
        }
    }

    /// Name of the TOML array of tables, e.g. `[[steward]]`.
    pub(crate) fn singular(self) -> &'static str {
        match self {
            Kind::Subdistricts => "subdistrict",
            Kind::Communities => "community",
            Kind::Grids => "grid",
            Kind::Stewards => "steward",
            Kind::Visits => "visit",
            Kind::Cases => "case",
            Kind::Errands => "errand",
            Kind::Meetings => "meeting",
        }
    }

    /// The name users know the kind by.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Kind::Subdistricts => "街道",
            Kind::Communities => "社区",
            Kind::Grids => "网格",
            Kind::Stewards => "红管家",
            Kind::Visits => "走访记录",
            Kind::Cases => "民情事项",
            Kind::Errands => "代办事项",
            Kind::Meetings => "红管家议事会",
        }
    }

    /// The kind a workbook's sheet (or a workbook) is named for: its Chinese name (议事会 for
    /// short), or its English name, plural or singular, in any letter case.
    pub(crate) fn from_name(name: &str) -> Option<Kind> {
        let name = name.trim();
        Kind::ALL.into_iter().find(|k| {
            k.label() == name
                || k.plural().eq_ignore_ascii_case(name)
                || k.singular().eq_ignore_ascii_case(name)
                || (*k == Kind::Meetings && name == "议事会")
        })
    }

    pub(crate) fn required(self) -> bool {
        matches!(
            self,
            Kind::Communities | Kind::Stewards | Kind::Visits | Kind::Cases
        )
    }

    pub(crate) fn fields(self) -> &'static [FieldSpec] {
        match self {
            Kind::Subdistricts => SUBDISTRICT_FIELDS,
            Kind::Communities => COMMUNITY_FIELDS,
            Kind::Grids => GRID_FIELDS,
            Kind::Stewards => STEWARD_FIELDS,
            Kind::Visits => VISIT_FIELDS,
            Kind::Cases => CASE_FIELDS,
            Kind::Errands => ERRAND_FIELDS,
            Kind::Meetings => MEETING_FIELDS,
        }
    }

    /// Every field of the kind, in the table's order.
    pub(crate) fn field_ids(self) -> impl Iterator<Item = Field> {
        (0..self.fields().len()).map(move |index| Field { kind: self, index })
    }

    /// Maps a header or key as the user wrote it to a field index: the English name in any
    /// letter case, or the Chinese alias.
    pub(crate) fn lookup(self, written: &str) -> Option<usize> {
        let written = written.trim();
        self.fields()
            .iter()
            .position(|f| f.alias == written || f.name.eq_ignore_ascii_case(written))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Privacy {
    Public,
    /// Never published: only the print kit of a later issue may show it.
    Private,
}

/// What a field's text is to the privacy rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextRole {
    /// Numbers, dates, ids, fixed words: no free text.
    None,
    /// The public name of a steward or a community (or of its party organisation): a
    /// resident's name inside one of them (王芳 in 王芳华) is public there.
    Name,
    /// Public as a value in its own right: a building, a grid, a team. A resident's name
    /// equal to one of them is public; one merely inside one is not.
    Value,
    /// Public free text that people write sentences into: a case's summary, a meeting's
    /// topic. Residents' names and numbers typed into it are masked.
    Free,
    /// A private person's name: masked wherever it is typed into free text.
    PersonName,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldSpec {
    pub name: &'static str,
    pub alias: &'static str,
    pub required: bool,
    pub privacy: Privacy,
    /// What the field holds, in the contract's words (docs/records.md); kept beside the
    /// names so the table stays the one description of the input.
    #[allow(dead_code)]
    pub meaning: &'static str,
    pub text: TextRole,
}

impl Kind {
    /// Indices of the fields with a text role, for the privacy collectors.
    pub(crate) fn fields_with(self, role: TextRole) -> impl Iterator<Item = usize> {
        self.fields()
            .iter()
            .enumerate()
            .filter(move |(_, f)| f.text == role)
            .map(|(i, _)| i)
    }
}

/// Whether a header the contract does not know names a person (`居民姓名`, `户主`,
/// `联系人`): its values are then treated like residents' names.
pub(crate) fn names_a_person(header: &str) -> bool {
    let h = header.trim().to_lowercase();
    ["姓名", "居民", "户主", "联系人", "家属", "住户", "name"]
        .iter()
        .any(|w| h.contains(w))
}

/// One field of one kind, as the validator addresses it. Made only by the `fields!` tables
/// below (one const per row, e.g. `steward::NAME`), so a misspelled or removed field is a
/// compile error rather than a lookup that fails at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field {
    kind: Kind,
    index: usize,
}

impl Field {
    pub(crate) fn kind(self) -> Kind {
        self.kind
    }

    /// Position in `kind().fields()`, and in a `RawRecord`'s fields.
    pub(crate) fn index(self) -> usize {
        self.index
    }

    pub(crate) fn spec(self) -> &'static FieldSpec {
        &self.kind.fields()[self.index]
    }

    /// Whether the field holds a date: a workbook's number in it is an Excel date serial,
    /// and a new workbook formats it as a date.
    pub(crate) fn is_date(self) -> bool {
        matches!(
            self,
            steward::JOINED
                | visit::DATE
                | case::DATE
                | case::RESOLVED
                | errand::DATE
                | meeting::DATE
        )
    }
}

/// Declares a kind's field table and, beside it, a module of `Field` consts named after
/// the rows: the table stays the one description, and the consts' positions come from
/// the same list, so they cannot drift apart.
macro_rules! fields {
    ($(#[$doc:meta])* $table:ident, $module:ident, $kind:expr, { $($id:ident = $spec:expr,)* }) => {
        static $table: &[FieldSpec] = &[$($spec),*];

        $(#[$doc])*
        #[allow(dead_code)]
        pub(crate) mod $module {
            use super::{Field, Kind};

            #[allow(clippy::upper_case_acronyms, non_camel_case_types)]
            enum At {
                $($id),*
            }

            $(pub(crate) const $id: Field = Field {
                kind: $kind,
                index: At::$id as usize,
            };)*

            /// Each const with its name, for the test that names match the table.
            #[cfg(test)]
            pub(crate) const ALL: &[(&str, Field)] = &[$((stringify!($id), $id)),*];
        }
    };
}

const fn name(spec: FieldSpec) -> FieldSpec {
    FieldSpec {
        text: TextRole::Name,
        ..spec
    }
}

const fn value(spec: FieldSpec) -> FieldSpec {
    FieldSpec {
        text: TextRole::Value,
        ..spec
    }
}

const fn free(spec: FieldSpec) -> FieldSpec {
    FieldSpec {
        text: TextRole::Free,
        ..spec
    }
}

const fn person(spec: FieldSpec) -> FieldSpec {
    FieldSpec {
        text: TextRole::PersonName,
        ..spec
    }
}

const fn req(name: &'static str, alias: &'static str, meaning: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        alias,
        required: true,
        privacy: Privacy::Public,
        meaning,
        text: TextRole::None,
    }
}

const fn opt(name: &'static str, alias: &'static str, meaning: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        alias,
        required: false,
        privacy: Privacy::Public,
        meaning,
        text: TextRole::None,
    }
}

const fn private(name: &'static str, alias: &'static str, meaning: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        alias,
        required: false,
        privacy: Privacy::Private,
        meaning,
        text: TextRole::None,
    }
}

fields! {
    /// The `subdistricts` fields, by name: `row.text(...)` takes these, not strings.
    SUBDISTRICT_FIELDS, subdistrict, Kind::Subdistricts,
    {
        ID = req("id", "编号", "英文小写字母、数字和连字符，用于网址"),
        NAME = req("name", "名称", "街道名称，如 府山街道"),
        DISTRICT = opt("district", "区县", "所属区县，如 柯城区"),
        COMMITTEE = opt("committee", "党工委", "街道党工委名称"),
        AREA_KM2 = opt("area_km2", "面积", "辖区面积，平方公里"),
        RESIDENTS = opt("residents", "常住人口", "非负整数"),
        BRANCHES = opt("branches", "基层党支部", "非负整数"),
    }
}

fields! {
    /// The `communities` fields, by name: `row.text(...)` takes these, not strings.
    COMMUNITY_FIELDS, community, Kind::Communities,
    {
        ID = req("id", "编号", "英文小写字母、数字和连字符，用于网址"),
        NAME = name(req("name", "名称", "社区名称")),
        PARTY_ORG = name(opt("party_org", "党组织", "社区党委 或 社区党总支")),
        GRIDS = opt("grids", "网格数", "非负整数"),
        BUILDINGS = opt("buildings", "楼幢数", "住宅楼幢总数，用于计算覆盖率"),
        HOUSEHOLDS = opt("households", "户数", "社区总户数"),
        SUBDISTRICT = opt(
            "subdistrict",
            "街道",
            "所属街道：街道记录的编号或名称，没有街道记录时写街道名称",
        ),
        DISTRICT = opt("district", "区县", "所属区县"),
    }
}

fields! {
    /// The `grids` fields, by name: `row.text(...)` takes these, not strings. The
    /// boards, cards and 流程图 print them; the worker's phone is for paper only.
    GRID_FIELDS, grid, Kind::Grids,
    {
        ID = value(req(
            "id",
            "编号",
            "网格的名称，和红管家名册“网格”一列写法相同，如 坊门街第1网格",
        )),
        COMMUNITY = name(req("community", "社区", "社区编号或名称")),
        WORKER = name(opt("worker", "网格员", "专职网格员姓名，印在公示牌上")),
        WORKER_PHONE = private(
            "worker_phone",
            "网格员电话",
            "网格员的工作电话：印在公示牌、联户卡和流程图上，不在公开网站上出现",
        ),
        PROPERTY = value(opt(
            "property",
            "物业",
            "物业公司和服务电话，如 某某物业 0570-1234567，印在公示牌上",
        )),
        OWNERS_COMMITTEE = value(opt(
            "owners_committee",
            "业委会",
            "业委会的联系方式，按社区希望张贴的写法，印在公示牌上",
        )),
    }
}

fields! {
    /// The `stewards` fields, by name: `row.text(...)` takes these, not strings.
    STEWARD_FIELDS, steward, Kind::Stewards,
    {
        ID = req("id", "编号", "字母、数字、下划线和连字符，唯一，用于网址"),
        NAME = name(req("name", "姓名", "姓名，公开")),
        COMMUNITY = name(req("community", "社区", "社区编号或名称")),
        BUILDINGS = value(req("buildings", "联系楼幢", "一个或多个楼幢，如 3幢;5幢")),
        MEMBERSHIP = req("membership", "党员类别", "在册 / 在职 / 两新"),
        GRID = value(opt("grid", "网格", "所在网格")),
        WORKPLACE = free(opt("workplace", "工作单位", "在职党员的单位党组织")),
        GENDER = opt("gender", "性别", "男 / 女"),
        BIRTH_YEAR = opt("birth_year", "出生年份", "四位数年份"),
        SPECIALTY = free(opt("specialty", "特长", "自由文字")),
        TEAMS = value(opt("teams", "队伍", "巡逻队、红色代办员")),
        JOINED = opt("joined", "上岗日期", "日期"),
        PHONE = private("phone", "联系电话", "不公开"),
        PUBLIC = opt("public", "公开", "是（默认）/ 否"),
        PHONE_ON_BOARD = opt(
            "phone_on_board",
            "公示电话",
            "是（默认）/ 否：公示牌和联户卡上是否印联系电话",
        ),
    }
}

fields! {
    /// The `visits` fields, by name: `row.text(...)` takes these, not strings.
    VISIT_FIELDS, visit, Kind::Visits,
    {
        DATE = req("date", "日期", "走访日期"),
        STEWARD = req("steward", "红管家", "红管家编号"),
        HOUSEHOLDS = req("households", "户数", "不小于 1 的整数"),
        BUILDING = value(opt("building", "楼幢", "楼幢")),
        KIND = opt("kind", "类型", "走访（默认）/ 敲门日 / 巡逻"),
        NOTE = private("note", "备注", "不公开"),
    }
}

fields! {
    /// The `cases` fields, by name: `row.text(...)` takes these, not strings.
    CASE_FIELDS, case, Kind::Cases,
    {
        ID = req("id", "编号", "唯一"),
        DATE = req("date", "日期", "收集日期"),
        STEWARD = req("steward", "红管家", "红管家编号"),
        CATEGORY = free(req("category", "类别", "如 停车、楼道堆物、电瓶车充电")),
        SUMMARY = free(req("summary", "事项", "公开的简短描述")),
        STATUS = req("status", "状态", "待办 / 办理中 / 已转办 / 已解决 / 已反馈"),
        RESOLVED = opt("resolved", "办结日期", "状态为已解决时必填，不早于收集日期"),
        BUILDING = value(opt("building", "楼幢", "楼幢")),
        CHANNEL = opt(
            "channel",
            "办理渠道",
            "楼道 / 网格员 / 物业 / 业委会 / 社区",
        ),
        RESIDENT = person(private("resident", "居民", "不公开")),
        PHONE = private("phone", "联系电话", "不公开"),
        DETAIL = private("detail", "详情", "不公开"),
    }
}

fields! {
    /// The `errands` fields, by name: `row.text(...)` takes these, not strings.
    ERRAND_FIELDS, errand, Kind::Errands,
    {
        DATE = req("date", "日期", "代办日期"),
        STEWARD = req("steward", "红管家", "红管家编号"),
        CATEGORY = free(req("category", "类别", "如 代缴费用、代办证件")),
        STATUS = opt("status", "状态", "已办结（默认）/ 办理中"),
        RESIDENT = person(private("resident", "居民", "不公开")),
    }
}

fields! {
    /// The `meetings` fields, by name: `row.text(...)` takes these, not strings.
    MEETING_FIELDS, meeting, Kind::Meetings,
    {
        DATE = req("date", "日期", "议事会日期"),
        COMMUNITY = name(req("community", "社区", "社区编号或名称")),
        ATTENDEES = opt("attendees", "参会人员", "红管家编号列表"),
        TOPIC = free(opt("topic", "议题", "公开")),
    }
}

/// Splits a list cell on any of the separators the contract allows. The full-width
/// comma `，` is one of them: it is never the CSV delimiter, and people type it between
/// items (`9幢，10幢`).
pub fn split_list(text: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    for part in list_items(text) {
        if !items.iter().any(|i| i == part) {
            items.push(part.to_string());
        }
    }
    items
}

/// The items of a list cell as [`split_list`] finds them, repeats included, borrowed
/// from the cell: for a city's hundreds of thousands of cells read and not kept.
pub(crate) fn list_items(text: &str) -> impl Iterator<Item = &str> {
    text.split([';', '；', '、', '|', '，'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_every_separator() {
        assert_eq!(
            split_list("3幢;5幢；7幢、9幢|11幢，13幢"),
            ["3幢", "5幢", "7幢", "9幢", "11幢", "13幢"]
        );
        assert_eq!(split_list(" 3幢 ; ;3幢"), ["3幢"]);
        assert!(split_list("").is_empty());
    }

    #[test]
    fn names_and_aliases_are_unique_within_a_kind() {
        for kind in Kind::ALL {
            let fields = kind.fields();
            for (i, f) in fields.iter().enumerate() {
                assert_eq!(kind.lookup(f.name), Some(i), "{kind:?}.{}", f.name);
                assert_eq!(kind.lookup(f.alias), Some(i), "{kind:?}.{}", f.alias);
            }
        }
    }

    #[test]
    fn field_ids_name_their_rows() {
        let modules = [
            subdistrict::ALL,
            community::ALL,
            grid::ALL,
            steward::ALL,
            visit::ALL,
            case::ALL,
            errand::ALL,
            meeting::ALL,
        ];
        for (kind, ids) in Kind::ALL.into_iter().zip(modules) {
            assert_eq!(ids.len(), kind.fields().len(), "{kind:?}");
            for (i, (const_name, id)) in ids.iter().enumerate() {
                assert_eq!(id.kind(), kind);
                assert_eq!(id.index(), i);
                assert_eq!(
                    id.spec().name,
                    const_name.to_lowercase(),
                    "{kind:?}.{const_name}"
                );
            }
        }
    }

    #[test]
    fn sheets_are_named_by_chinese_or_english_names() {
        assert_eq!(Kind::from_name("红管家"), Some(Kind::Stewards));
        assert_eq!(Kind::from_name(" Visits "), Some(Kind::Visits));
        assert_eq!(Kind::from_name("errand"), Some(Kind::Errands));
        assert_eq!(Kind::from_name("议事会"), Some(Kind::Meetings));
        assert_eq!(Kind::from_name("红管家议事会"), Some(Kind::Meetings));
        assert_eq!(Kind::from_name("Sheet1"), None);
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.label()), Some(kind));
        }
    }

    #[test]
    fn english_headers_match_in_any_case() {
        assert_eq!(Kind::Visits.lookup(" Households "), Some(2));
        assert_eq!(Kind::Visits.lookup("户数"), Some(2));
        assert_eq!(Kind::Visits.lookup("户 数"), None);
    }
}
