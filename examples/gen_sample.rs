//! Deterministic sample-data generator for a synthetic 府山街道 (Fushan subdistrict, Quzhou).
//!
//! ```text
//! cargo run --release --example gen_sample -- content
//! ```
//!
//! The first argument is the output folder (a site's `content/`). The generator deletes and
//! rewrites only the record files it owns there:
//!
//! ```text
//! communities.csv  grids.csv  stewards.csv  visits/YYYY-MM.csv  cases.csv  errands.csv
//! meetings.csv     commendations.toml
//! ```
//!
//! `bulletins/`, `pages/` and any other file are left alone.
//!
//! Everything is derived from `Params::seed` through a small splitmix64 generator and only
//! deterministic data structures (no `HashMap` iteration, no clock), so the output is
//! byte-identical on every run. Each part of the data draws from its own random stream, so
//! changing how (say) errands are drawn does not reshuffle the visits.
//!
//! The sample figures match the 2018-12-10 paper table of the programme: 8 communities,
//! 60 grids, 648 stewards, 606 buildings covered, 6354 households visited, 1263 cases of
//! which 565 resolved, 1126 errands, 96 monthly councils and 24 commended stewards.
//!
//! Visits are written as a stream, one file per month through a `BufWriter`, day by day: the
//! generator never holds all visits in memory, so the same code can produce a city-sized
//! data set from a larger `Params`.
//!
//! All names, phone numbers, resident details and texts are invented.
//!
//! With `--scale` the generator writes a whole synthetic city site for benchmarks
//! (`scripts/bench.sh`), `site.toml` included, the records in `OUT/content/`. Its
//! communities carry 街道 and 区县 columns and `subdistricts.csv` describes the
//! subdistricts (25 communities each, four to a district), so the city can be split by
//! subdistrict and rolled up again (`scripts/exactness.sh`):
//!
//! ```text
//! cargo run --release --example gen_sample -- bench-data/city --scale city      # 2,000,000 visits
//! cargo run --release --example gen_sample -- bench-data/city4m --scale city4m  # 4,000,000 visits
//! cargo run --release --example gen_sample -- OUT --visits N                     # N visits
//! ```
//!
//! 400 communities (`c001`…`c400`), 50,000 stewards (`C001-001`…), visits in one file per
//! month, 500,000 cases, 300,000 errands, 5,000 councils and one batch of 500 commended
//! stewards over 2018. Visits, cases and errands are drawn and written day by day, so the
//! generator holds one day's rows at most (about 25 MB of memory, 2–3 s for either size).

use std::collections::HashSet;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------

/// Which data set: the sample subdistrict (exact paper figures) or a synthetic city.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scale {
    Sample,
    City,
}

/// Everything that decides the size and shape of the generated data.
#[derive(Clone, Debug)]
struct Params {
    scale: Scale,
    /// Seed of every random stream.
    seed: u64,
    /// First and last day of activity (inclusive).
    start: Date,
    end: Date,
    /// Door-knocking day (敲门日): this day of every month.
    door_day: u32,
    /// Number of communities, stewards and buildings covered (distinct (community, label)).
    communities: usize,
    stewards: usize,
    buildings: usize,
    /// Number of visit rows, and the exact sum of 户数 over them.
    visits: usize,
    households: u64,
    /// Cases (民情事项) and how many of them are 已解决.
    cases: usize,
    resolved: usize,
    /// Errands (代办事项).
    errands: usize,
    /// Stewards commended in the first batch.
    commended: usize,
    /// Councils (红管家议事会). The sample holds exactly one per community and month; the
    /// city adds ad hoc ones up to this number.
    meetings: usize,
}

impl Params {
    /// The sample site: the figures of the 2018-12-10 paper table.
    fn sample() -> Params {
        Params {
            scale: Scale::Sample,
            seed: 0x2018_1210_0570_0061,
            start: Date::ymd(2018, 1, 1),
            end: Date::ymd(2018, 12, 10),
            door_day: 20,
            communities: 8,
            stewards: 648,
            buildings: 606,
            visits: 2310,
            households: 6354,
            cases: 1263,
            resolved: 565,
            errands: 1126,
            commended: 24,
            meetings: 96,
        }
    }

    /// A synthetic city for benchmarks: 400 communities, 50,000 stewards, `visits` visit
    /// rows (2,000,000 for `--scale city`), 500,000 cases, 300,000 errands, 5,000 councils
    /// and one batch of 500 commended stewards, over the year 2018. Only the number of
    /// communities, stewards and rows is fixed; buildings, households and resolved cases
    /// come out of the draws (`buildings`, `households` and `resolved` are not used).
    /// A town of about 10,000 pages (a seventh of the city), to compare per-page speed
    /// with other generators on the same number of pages.
    fn town() -> Params {
        Params {
            communities: 56,
            stewards: 7_000,
            cases: 70_000,
            errands: 42_000,
            commended: 70,
            meetings: 700,
            ..Params::city(280_000)
        }
    }

    fn city(visits: usize) -> Params {
        Params {
            scale: Scale::City,
            seed: 0x0570_2018_C17E_0400,
            start: Date::ymd(2018, 1, 1),
            end: Date::ymd(2018, 12, 31),
            door_day: 20,
            communities: 400,
            stewards: 50_000,
            buildings: 0,
            visits,
            households: 0,
            cases: 500_000,
            resolved: 0,
            errands: 300_000,
            commended: 500,
            meetings: 5_000,
        }
    }

    fn days(&self) -> usize {
        (self.end.0 - self.start.0 + 1) as usize
    }

    fn day(&self, i: usize) -> Date {
        self.start.add(i as i32)
    }

    fn is_door_day(&self, d: Date) -> bool {
        d.ymd_parts().2 == self.door_day && d >= self.start && d <= self.end
    }
}

/// One community's fixed shape: who it is and how many stewards, grids and buildings.
struct CommunitySpec {
    id: &'static str,
    name: &'static str,
    /// Prefix of its stewards' ids, e.g. `FM` for `FM-001`.
    prefix: &'static str,
    party_org: &'static str,
    grids: u32,
    stewards: usize,
    /// Buildings covered by its stewards.
    covered: usize,
}

/// The eight communities of the sample subdistrict. Only 坊门街社区 is taken from the source;
/// the other seven are invented. Sums: 60 grids, 648 stewards, 606 buildings covered.
const SAMPLE_COMMUNITIES: [CommunitySpec; 8] = [
    CommunitySpec {
        id: "fangmenjie",
        name: "坊门街社区",
        prefix: "FM",
        party_org: "社区党委",
        grids: 9,
        stewards: 102,
        covered: 96,
    },
    CommunitySpec {
        id: "guihuaxiang",
        name: "桂花巷社区",
        prefix: "GH",
        party_org: "社区党委",
        grids: 8,
        stewards: 90,
        covered: 84,
    },
    CommunitySpec {
        id: "renyifang",
        name: "仁义坊社区",
        prefix: "RY",
        party_org: "社区党委",
        grids: 7,
        stewards: 76,
        covered: 71,
    },
    CommunitySpec {
        id: "qingshijie",
        name: "青石街社区",
        prefix: "QS",
        party_org: "社区党委",
        grids: 8,
        stewards: 88,
        covered: 82,
    },
    CommunitySpec {
        id: "nanhu",
        name: "南湖社区",
        prefix: "NH",
        party_org: "社区党总支",
        grids: 6,
        stewards: 64,
        covered: 60,
    },
    CommunitySpec {
        id: "dongmenjie",
        name: "东门街社区",
        prefix: "DM",
        party_org: "社区党委",
        grids: 8,
        stewards: 86,
        covered: 80,
    },
    CommunitySpec {
        id: "huaishuxiang",
        name: "槐树巷社区",
        prefix: "HS",
        party_org: "社区党总支",
        grids: 7,
        stewards: 70,
        covered: 65,
    },
    CommunitySpec {
        id: "shuyuanjie",
        name: "书院街社区",
        prefix: "SY",
        party_org: "社区党委",
        grids: 7,
        stewards: 72,
        covered: 68,
    },
];

/// The community table for `p`: the sample's fixed table, or the city's generated one.
fn community_specs(p: &Params) -> &'static [CommunitySpec] {
    if p.scale == Scale::City {
        return city_specs(p);
    }
    let specs: &'static [CommunitySpec] = &SAMPLE_COMMUNITIES;
    assert_eq!(
        specs.len(),
        p.communities,
        "no community table for this scale"
    );
    assert_eq!(specs.iter().map(|c| c.stewards).sum::<usize>(), p.stewards);
    assert_eq!(specs.iter().map(|c| c.covered).sum::<usize>(), p.buildings);
    specs
}

// ---------------------------------------------------------------------------------------
// Random numbers: splitmix64
// ---------------------------------------------------------------------------------------

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Rng(u64);

impl Rng {
    /// An independent stream for one part of the data.
    fn new(seed: u64, stream: &str) -> Rng {
        let mut h = mix64(seed);
        for b in stream.bytes() {
            h = mix64(h ^ u64::from(b));
        }
        Rng(h)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// Picks from `(item, weight)` pairs.
    fn weighted<'a, T>(&mut self, xs: &'a [(T, u32)]) -> &'a T {
        let total: u64 = xs.iter().map(|x| u64::from(x.1)).sum();
        let mut r = ((u128::from(self.next_u64()) * u128::from(total)) >> 64) as u64;
        for (x, w) in xs {
            if r < u64::from(*w) {
                return x;
            }
            r -= u64::from(*w);
        }
        &xs[xs.len() - 1].0
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }

    /// Index into a cumulative weight table (last entry = total > 0).
    fn cumulative(&mut self, cum: &[u64]) -> usize {
        let total = *cum.last().expect("empty weight table");
        let r = ((u128::from(self.next_u64()) * u128::from(total)) >> 64) as u64;
        cum.partition_point(|&c| c <= r)
    }
}

/// A weighted pool of stewards (indices into the steward list).
struct Pool {
    members: Vec<usize>,
    cum: Vec<u64>,
}

impl Pool {
    fn new(members: Vec<usize>, stewards: &[Steward]) -> Pool {
        let mut acc = 0u64;
        let cum = members
            .iter()
            .map(|&i| {
                acc += u64::from(stewards[i].weight);
                acc
            })
            .collect();
        Pool { members, cum }
    }

    fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// A weighted draw that `accept` agrees to; after many refusals, the first acceptable
    /// member from a random starting point (ignoring weights); `None` if nobody is acceptable.
    fn choose(
        &self,
        rng: &mut Rng,
        mut accept: impl FnMut(&mut Rng, usize) -> bool,
    ) -> Option<usize> {
        if self.is_empty() {
            return None;
        }
        for _ in 0..200 {
            let s = self.members[rng.cumulative(&self.cum)];
            if accept(rng, s) {
                return Some(s);
            }
        }
        let start = rng.below(self.members.len());
        (0..self.members.len())
            .map(|k| self.members[(start + k) % self.members.len()])
            .find(|&s| accept(rng, s))
    }
}

/// Splits `total` in proportion to `weights` (largest remainder, ties to the first).
fn apportion(total: usize, weights: &[usize]) -> Vec<usize> {
    let sum: usize = weights.iter().sum();
    let mut out: Vec<usize> = weights.iter().map(|w| total * w / sum).collect();
    let mut rest: Vec<(usize, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| (total * w % sum, i))
        .collect();
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let short = total - out.iter().sum::<usize>();
    for &(_, i) in rest.iter().take(short) {
        out[i] += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------
// Dates (days since 1970-01-01, proleptic Gregorian)
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Date(i32);

impl Date {
    fn ymd(y: i32, m: u32, d: u32) -> Date {
        let y = if m <= 2 { y - 1 } else { y };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = m as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Date(era * 146_097 + doe - 719_468)
    }

    fn ymd_parts(self) -> (i32, u32, u32) {
        let z = self.0 + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i32::from(m <= 2);
        (y, m, d)
    }

    fn add(self, days: i32) -> Date {
        Date(self.0 + days)
    }

    /// 0 = Monday … 6 = Sunday.
    fn weekday(self) -> u32 {
        (self.0 + 3).rem_euclid(7) as u32
    }

    fn is_weekend(self) -> bool {
        self.weekday() >= 5
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd_parts();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

// ---------------------------------------------------------------------------------------
// Output: CSV (RFC 4180 quoting, LF line ends) and TOML strings
// ---------------------------------------------------------------------------------------

struct Csv {
    out: BufWriter<File>,
    line: String,
    rows: usize,
}

impl Csv {
    fn create(path: &Path, header: &[&str]) -> io::Result<Csv> {
        let mut csv = Csv {
            out: BufWriter::new(File::create(path)?),
            line: String::new(),
            rows: 0,
        };
        csv.row(header)?;
        csv.rows = 0;
        Ok(csv)
    }

    fn row(&mut self, fields: &[&str]) -> io::Result<()> {
        self.line.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            let quote = f.contains([',', '"', '\r', '\n'])
                || f.starts_with([' ', '\t'])
                || f.ends_with([' ', '\t']);
            if quote {
                self.line.push('"');
                self.line.push_str(&f.replace('"', "\"\""));
                self.line.push('"');
            } else {
                self.line.push_str(f);
            }
        }
        self.line.push('\n');
        self.rows += 1;
        self.out.write_all(self.line.as_bytes())
    }

    fn finish(mut self) -> io::Result<usize> {
        self.out.flush()?;
        Ok(self.rows)
    }
}

fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------
// Word lists (all invented or generic)
// ---------------------------------------------------------------------------------------

const SURNAMES: &[(&str, u32)] = &[
    ("徐", 9),
    ("王", 8),
    ("张", 7),
    ("李", 6),
    ("陈", 6),
    ("刘", 5),
    ("吴", 5),
    ("周", 5),
    ("杨", 4),
    ("黄", 4),
    ("郑", 4),
    ("汪", 4),
    ("方", 4),
    ("余", 4),
    ("姜", 3),
    ("叶", 3),
    ("毛", 3),
    ("祝", 3),
    ("胡", 3),
    ("程", 2),
    ("邵", 2),
    ("杜", 2),
    ("何", 2),
    ("蒋", 2),
    ("龚", 2),
    ("柴", 2),
    ("傅", 2),
    ("江", 2),
    ("邱", 2),
    ("鲁", 1),
    ("严", 1),
    ("童", 1),
    ("舒", 1),
    ("翁", 1),
    ("占", 1),
    ("华", 1),
    ("郭", 2),
    ("朱", 2),
    ("孙", 2),
    ("俞", 2),
];

const GIVEN_MALE: &[&str] = &[
    "建", "国", "明", "华", "伟", "军", "平", "德", "立", "新", "忠", "文", "志", "宏", "林", "强",
    "海", "荣", "长", "根", "水", "富", "松", "福", "金", "永", "卫", "东", "春", "庆", "良", "祥",
    "兴", "斌", "刚", "勇", "峰", "涛", "磊", "杰", "鹏", "辉", "炳", "有", "光",
];

const GIVEN_FEMALE: &[&str] = &[
    "芳", "英", "华", "秀", "兰", "玉", "珍", "凤", "红", "梅", "琴", "萍", "丽", "娟", "敏", "霞",
    "燕", "莲", "菊", "美", "月", "春", "云", "香", "静", "雪", "慧", "洁", "婷", "芬", "彩", "素",
    "爱", "金", "仙",
];

/// Names of well-known people the name generator must not produce.
const FAMOUS: &[&str] = &[
    "李强",
    "王勇",
    "周强",
    "胡春华",
    "李长春",
    "王刚",
    "陈云",
    "李鹏",
    "李娜",
    "刘洋",
    "王菲",
    "刘翔",
    "李宁",
    "张华",
    "杨利伟",
    "刘德华",
    "周华健",
    "王志文",
    "王杰",
    "刘欢",
    "毛宁",
    "张杰",
    "徐帆",
    "周涛",
    "陈红",
    "朱德",
    "朱军",
    "李春",
    "孙杨",
    "郭晶晶",
    "张海",
];

const WORKPLACES: &[&str] = &[
    "市供电公司党委",
    "市人民医院党委",
    "市中医医院党委",
    "市自来水公司党委",
    "市燃气公司党委",
    "市公交公司党委",
    "市邮政分公司党委",
    "市烟草公司党委",
    "市交通运输局机关党委",
    "市城市管理局机关党委",
    "市税务局机关党委",
    "柯城区教育局机关党委",
    "柯城区人民法院党组",
    "市第一中学党委",
    "市图书馆党支部",
];

const NEW_ORGS: &[&str] = &[
    "府山街道非公企业联合党支部",
    "柯城区律师行业党委",
    "市会计师行业党委",
    "市物流协会党支部",
    "府山街道社会组织联合党支部",
    "市电子商务协会党支部",
    "柯城区个体劳动者协会党支部",
];

const SPECIALTIES: &[&str] = &[
    "调解邻里纠纷",
    "水电维修",
    "书法",
    "法律咨询",
    "医疗保健",
    "电脑操作",
    "文艺宣传",
    "理发",
    "家电维修",
    "心理疏导",
    "摄影",
    "烹饪",
    "太极拳",
    "会计",
    "消防知识",
    "木工",
    "绘画",
    "普法宣传",
    "健康讲座",
    "手工编织",
    "驾驶",
    "舞蹈",
    "二胡",
    "育儿指导",
    "厨艺",
];

const CASE_CATEGORIES: &[(&str, u32)] = &[
    ("停车", 16),
    ("楼道堆物", 18),
    ("电瓶车充电", 12),
    ("设施老化", 18),
    ("邻里纠纷", 10),
    ("环境卫生", 12),
    ("安全隐患", 8),
    ("其他", 6),
];

/// Public summaries per category. `{b}` = building label, `{u}` = unit number.
fn case_templates(category: &str) -> &'static [&'static str] {
    match category {
        "停车" => &[
            "{b}门口车辆乱停，消防通道被占",
            "夜间停车位紧张，{b}住户建议划定临时停车位",
            "{b}旁空地有一辆废弃车辆长期占位",
            "外来车辆随意进出，{b}附近通道经常堵塞",
            "{b}楼下共享单车堆放挡住出入口",
            "{b}前的道路两侧停满车辆，老人出行不便",
        ],
        "楼道堆物" => &[
            "{b}楼道堆放杂物影响通行",
            "{b}{u}单元楼梯间堆放旧家具",
            "{b}一楼过道长期堆放纸板和泡沫箱",
            "{b}顶楼平台堆积废旧物品",
            "{b}楼道内摆放花盆和鞋柜，通道变窄",
            "{b}{u}单元楼梯转角堆满旧自行车",
        ],
        "电瓶车充电" => &[
            "{b}有住户从楼上拉线给电瓶车充电",
            "{b}{u}单元楼道内停放电瓶车充电",
            "建议在{b}附近增设电瓶车集中充电桩",
            "{b}有住户把电瓶车推进家中充电",
            "{b}楼下电瓶车充电线横穿通道",
        ],
        "设施老化" => &[
            "{b}楼道声控灯损坏",
            "{b}{u}单元雨水管破裂，外墙渗水",
            "{b}单元门锁损坏关不上",
            "{b}楼梯扶手松动存在隐患",
            "{b}化粪池堵塞，污水外溢",
            "{b}屋顶漏水，顶楼住户受影响",
            "{b}信报箱锈蚀破损",
            "{b}{u}单元楼道窗户玻璃破碎",
        ],
        "邻里纠纷" => &[
            "{b}楼上楼下因漏水产生矛盾",
            "{b}住户因公共区域使用发生争执",
            "{b}有住户饲养宠物影响邻居",
            "{b}装修噪音影响邻居休息",
            "{b}住户之间因晾晒衣物产生矛盾",
            "{b}{u}单元住户因楼道堆物互有意见",
        ],
        "环境卫生" => &[
            "{b}垃圾桶满溢未及时清运",
            "{b}楼道小广告较多",
            "{b}周边绿化带杂草丛生",
            "{b}附近下水道异味明显",
            "{b}楼下有人乱扔垃圾",
            "{b}{u}单元楼道长期无人打扫",
        ],
        "安全隐患" => &[
            "{b}楼道内有私拉乱接电线",
            "{b}楼道灭火器过期未更换",
            "{b}外墙瓷砖松动有脱落风险",
            "{b}{u}单元燃气管道老化",
            "{b}楼顶违规搭建雨棚",
            "{b}消防通道被围墙堵住一半",
        ],
        _ => &[
            "{b}住户建议增加老年人活动场地",
            "{b}住户咨询养老保险办理流程",
            "{b}住户希望附近开设老年食堂",
            "{b}住户反映快递无处存放",
            "{b}部分老人希望定期上门测血压",
            "建议在{b}附近安装休息座椅",
        ],
    }
}

/// Private case details. `{b}` building, `{u}` unit, `{f}` floor.
const CASE_DETAILS: &[&str] = &[
    "住{b}{u}单元{f}楼，家里只有两位老人，行动不便。",
    "住{b}{u}单元{f}楼，白天上班，晚上七点后在家。",
    "住{b}{u}单元{f}楼，已多次向物业反映，一直没有处理。",
    "住{b}{u}单元{f}楼，希望处理结果电话告知。",
    "租住{b}{u}单元{f}楼，房东在外地，联系不上。",
    "住{b}{u}单元{f}楼，晚上7点后在家, 可电话联系。",
    "住{b}{u}单元{f}楼，原话是\"这个问题拖了大半年\"，情绪较激动。",
    "住{b}{u}单元{f}楼，本人腿脚不便，需上门了解情况。",
    "住{b}{u}单元{f}楼，不愿公开姓名，请勿在微信群里提及。",
    "住{b}{u}单元{f}楼，家中有婴儿，对噪音和异味比较在意。",
];

const VISIT_NOTES: &[&str] = &[
    "独居老人，已登记紧急联系人",
    "新搬来的租户，已拉进楼道微信群",
    "反映楼道灯不亮，已告知网格员",
    "家中无人，下次再访",
    "老人腿脚不便，已联系社区医生上门",
    "提醒住户不要在楼道给电瓶车充电",
    "发放联户卡，核对住户信息",
    "宣传防诈骗知识, 住户反应良好",
    "住户说\"楼道干净多了\"",
    "了解到一户生活困难，已报社区",
    "住户对物业服务有意见，记入日志",
];

const PATROL_NOTES: &[&str] = &[
    "夜间巡查消防通道",
    "检查楼道消防器材",
    "劝导楼道内充电的电瓶车挪走",
    "发现单元门未关，已提醒住户",
];

const ERRAND_CATEGORIES: &[(&str, u32)] = &[
    ("代缴费用", 30),
    ("代办证件", 15),
    ("代购药品", 25),
    ("代办医保", 18),
    ("代领物品", 12),
];

/// Topics fixed for a month (by month number); other months draw from `TOPICS`.
fn month_topic(month: u32) -> Option<&'static str> {
    match month {
        1 => Some("红管家上岗培训和职责分工"),
        6 => Some("汛期屋顶漏水和排水设施排查"),
        7 => Some("上半年红管家工作小结"),
        9 => Some("国庆期间楼道安全巡查安排"),
        10 => Some("优秀红管家推荐人选讨论"),
        12 => Some("全年工作回顾和明年工作打算"),
        _ => None,
    }
}

const TOPICS: &[&str] = &[
    "楼道堆物集中清理安排",
    "电瓶车集中充电点选址",
    "老旧小区停车难怎么解决",
    "敲门日走访情况汇总",
    "独居老人结对关爱名单",
    "楼道公示牌内容更新",
    "联户卡发放与住户信息核对",
    "红色代办员服务清单",
    "巡逻队排班和夜间巡查路线",
    "出租房屋登记与租户走访",
    "垃圾分类宣传分工",
    "楼道声控灯维修进度",
    "邻里纠纷调解经验交流",
    "《红管家日志》记录规范",
    "物业服务问题集中反映",
    "防范电信诈骗宣传",
    "冬季用电用气安全提示",
    "绿化带整治与认领",
    "楼道微信群管理办法",
];

/// Citations for the commended stewards: `(condition, text)`; `{b}` = first building,
/// `{ta}` = 他/她. Each text is used at most once.
const CITATIONS: &[(Need, &str)] = &[
    (
        Need::Any,
        "负责{b}以来坚持逐户走访，住户的难事急事都记在《红管家日志》里，能当场办的从不过夜。",
    ),
    (
        Need::Any,
        "带头清理{b}楼道里积了多年的杂物，又和住户商定了楼道公约，楼道从此干净通畅。",
    ),
    (
        Need::Any,
        "每月敲门日从不缺席，对楼里的独居老人格外上心，谁家有了变化{ta}心里都有数。",
    ),
    (
        Need::Any,
        "说话和气、办事公道，楼上楼下有了矛盾都愿意找{ta}评理，不少纠纷在楼道里就化解了。",
    ),
    (
        Need::Any,
        "牵头在{b}商量电瓶车停放和充电办法，楼道里飞线充电的现象基本不见了。",
    ),
    (
        Need::Any,
        "发现{b}屋顶漏水后多次联系物业和社区，一直跟到维修完成，顶楼住户连声道谢。",
    ),
    (
        Need::Any,
        "把联户卡送到每一户，住户信息一笔一笔核对清楚，人户清、户情清做得扎实。",
    ),
    (
        Need::Any,
        "每天早晚都在楼道里转一圈，楼道灯坏了、水管漏了，总是第一个发现、第一个上报。",
    ),
    (
        Need::Any,
        "建起{b}住户微信群，通知、提醒、求助都第一时间回应，邻里之间走得更近了。",
    ),
    (
        Need::Any,
        "针对楼里租户多、流动快的情况，主动上门登记新住户，变化情况及时报告网格员。",
    ),
    (
        Need::Any,
        "耐心做通住户工作，推动{b}门前乱停车得到整治，消防通道重新畅通。",
    ),
    (
        Need::Any,
        "常年义务为住户做些小修小补，大家都说楼里有{ta}在，心里踏实。",
    ),
    (
        Need::Any,
        "认真落实“四报”要求，发现{b}私拉电线等隐患后第一时间上报，并督促整改到位。",
    ),
    (
        Need::Any,
        "主动配合网格员排查出租房屋和安全隐患，一年来上报的问题件件有回音。",
    ),
    (
        Need::Any,
        "在垃圾分类宣传中挨家挨户讲解，{b}的分类投放成了社区里的样板。",
    ),
    (
        Need::Any,
        "热心肠、闲不住，住户家里老人生病、孩子没人接，{ta}都会搭把手。",
    ),
    (
        Need::Any,
        "坚持把住户的意见带到红管家议事会上，推动解决了一批楼道里的老大难问题。",
    ),
    (
        Need::Any,
        "在楼道公示牌上留下联系方式，有求必应，住户都叫{ta}“楼道当家人”。",
    ),
    (
        Need::Any,
        "自家的事往后放，楼里的事往前赶，一年下来走访记录写满了好几本日志。",
    ),
    (
        Need::Any,
        "遇到问题不推不拖，能解决的马上解决，解决不了的及时转给网格员和物业跟进。",
    ),
    (
        Need::Any,
        "积极宣传防范电信诈骗知识，帮楼里几位老人守住了养老钱。",
    ),
    (
        Need::Any,
        "组织{b}住户一起清洗楼道、粉刷扶手，老楼道换了新模样。",
    ),
    (
        Need::Any,
        "和楼里行动不便的老人结成帮扶对子，隔三岔五上门问候，风雨无阻。",
    ),
    (
        Need::Any,
        "凡事带头、处处示范，带动{b}多位住户加入了志愿服务。",
    ),
    (
        Need::InService,
        "工作之余常回楼道走访，把单位的服务资源带进社区，街道已向其所在单位党组织发出感谢信。",
    ),
    (
        Need::InService,
        "身为在职党员，利用周末和下班时间上门走访，住户反映的问题件件有着落。",
    ),
    (
        Need::InService,
        "本职工作和楼道工作两不误，发挥专业所长帮{b}住户解决了不少实际困难。",
    ),
    (
        Need::Patrol,
        "作为巡逻队骨干，坚持夜间巡查楼道和消防通道，及时消除了多处安全隐患。",
    ),
    (
        Need::Patrol,
        "节假日主动加班巡逻，{b}周边的治安和消防状况明显好转。",
    ),
    (
        Need::Patrol,
        "巡逻中细心留意每个楼道，发现问题随手记、及时报，是大家信得过的“守夜人”。",
    ),
    (
        Need::Errand,
        "作为红色代办员，替楼里的老人代缴费用、代购药品，跑腿从不叫苦。",
    ),
    (
        Need::Errand,
        "熟悉各类办事流程，帮行动不便的住户代办医保和证件，让他们少跑了许多冤枉路。",
    ),
    (
        Need::Errand,
        "手机里存着楼里几位老人的常用药清单，代购代领随叫随到。",
    ),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    Any,
    InService,
    Patrol,
    Errand,
}

// ---------------------------------------------------------------------------------------
// Records held in memory (communities and stewards only)
// ---------------------------------------------------------------------------------------

struct Community {
    spec: &'static CommunitySpec,
    /// Name without the trailing 社区, for grid labels.
    short: &'static str,
    /// Residential buildings (楼幢数) and households (户数).
    total_buildings: u32,
    households: u32,
    /// Label numbers of the covered buildings, ascending.
    covered: Vec<u32>,
}

impl Community {
    fn grid_of(&self, label: u32) -> u32 {
        (label - 1) * self.spec.grids / self.total_buildings + 1
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Membership {
    Registered,
    InService,
    NewOrg,
}

impl Membership {
    fn label(self) -> &'static str {
        match self {
            Membership::Registered => "在册",
            Membership::InService => "在职",
            Membership::NewOrg => "两新",
        }
    }
}

struct Steward {
    id: String,
    name: String,
    community: usize,
    buildings: Vec<String>,
    membership: Membership,
    grid: String,
    workplace: &'static str,
    female: bool,
    birth_year: i32,
    specialty: &'static str,
    patrol: bool,
    errand: bool,
    joined: Date,
    phone: String,
    /// Relative activity.
    weight: u32,
    commended: bool,
}

/// Per-steward activity, counted while writing.
struct Tally {
    visits: Vec<u32>,
    households: Vec<u64>,
    cases: Vec<u32>,
    errands: Vec<u32>,
    meetings: Vec<u32>,
}

impl Tally {
    fn new(n: usize) -> Tally {
        Tally {
            visits: vec![0; n],
            households: vec![0; n],
            cases: vec![0; n],
            errands: vec![0; n],
            meetings: vec![0; n],
        }
    }
}

fn person_name(rng: &mut Rng, female: bool) -> String {
    loop {
        let mut name = String::from(*rng.weighted(SURNAMES));
        let pool = if female { GIVEN_FEMALE } else { GIVEN_MALE };
        let first = *rng.pick(pool);
        name.push_str(first);
        if rng.chance(0.85) {
            let second = *rng.pick(pool);
            if second == first {
                continue;
            }
            name.push_str(second);
        }
        if !FAMOUS.contains(&name.as_str()) {
            return name;
        }
    }
}

fn fill(template: &str, b: &str, u: i64, f: i64, ta: &str) -> String {
    template
        .replace("{b}", b)
        .replace("{u}", &u.to_string())
        .replace("{f}", &f.to_string())
        .replace("{ta}", ta)
}

// ---------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------

fn gen_communities(p: &Params) -> Vec<Community> {
    let mut rng = Rng::new(p.seed, "communities");
    community_specs(p)
        .iter()
        .map(|spec| {
            let total = (spec.covered + rng.range(6, 20) as usize) as u32;
            let mut labels: Vec<u32> = (1..=total).collect();
            rng.shuffle(&mut labels);
            let mut covered = labels[..spec.covered].to_vec();
            covered.sort_unstable();
            let households = (0..total).map(|_| rng.range(12, 40) as u32).sum();
            Community {
                spec,
                short: spec.name.strip_suffix("社区").unwrap_or(spec.name),
                total_buildings: total,
                households,
                covered,
            }
        })
        .collect()
}

fn gen_stewards(p: &Params, comms: &[Community]) -> Vec<Steward> {
    let mut rng = Rng::new(p.seed, "stewards");
    let mut names = HashSet::new();
    let mut out = Vec::with_capacity(p.stewards);
    let launch = p.start.add(1);
    for (ci, c) in comms.iter().enumerate() {
        let n = c.spec.stewards;
        let b = c.covered.len();
        assert!(
            n >= b,
            "{}: fewer stewards than covered buildings",
            c.spec.id
        );
        // Every covered building gets one steward; the rest share a building.
        let mut primary: Vec<usize> = (0..b).collect();
        primary.extend((b..n).map(|_| rng.below(b)));
        rng.shuffle(&mut primary);
        for (k, &pi) in primary.iter().enumerate() {
            let mut list = vec![pi];
            if b > 1 && rng.chance(0.12) {
                let next = pi + 1 < b && (pi == 0 || rng.chance(0.5));
                list.push(if next { pi + 1 } else { pi - 1 });
                list.sort_unstable();
            }
            let membership = match rng.unit() {
                x if x < 0.62 => Membership::Registered,
                x if x < 0.88 => Membership::InService,
                _ => Membership::NewOrg,
            };
            let female = rng.chance(if membership == Membership::Registered {
                0.56
            } else {
                0.42
            });
            let birth_year = match membership {
                Membership::Registered => rng.range(1940, 1962),
                Membership::InService => rng.range(1966, 1985),
                Membership::NewOrg => rng.range(1972, 1985),
            } as i32;
            let workplace = match membership {
                Membership::Registered => "",
                Membership::InService => *rng.pick(WORKPLACES),
                Membership::NewOrg => *rng.pick(NEW_ORGS),
            };
            let fit = membership != Membership::Registered || birth_year >= 1950;
            let patrol = fit && rng.chance(0.38);
            let errand = rng.chance(if membership == Membership::Registered {
                0.32
            } else {
                0.18
            });
            let specialty = if rng.chance(0.7) {
                *rng.pick(SPECIALTIES)
            } else {
                ""
            };
            let joined = if rng.chance(0.78) {
                launch.add(rng.range(0, 10) as i32)
            } else {
                Date::ymd(2018, 2, 1).add(rng.range(0, 240) as i32)
            };
            let name = loop {
                let name = person_name(&mut rng, female);
                if names.insert(name.clone()) {
                    break name;
                }
            };
            let idx = out.len();
            out.push(Steward {
                id: format!("{}-{:03}", c.spec.prefix, k + 1),
                name,
                community: ci,
                buildings: list
                    .iter()
                    .map(|&i| format!("{}幢", c.covered[i]))
                    .collect(),
                membership,
                grid: format!("{}第{}网格", c.short, c.grid_of(c.covered[pi])),
                workplace,
                female,
                birth_year,
                specialty,
                patrol,
                errand,
                joined,
                // 1390570xxxx, distinct within 10,000 stewards.
                phone: format!("1390570{:04}", (idx * 7919 + 2477) % 10_000),
                weight: 0,
                commended: false,
            });
        }
    }
    // Rows are written in steward-id order, so keep the list in that order.
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Picks the commended stewards (spread over communities by size, long-serving, mostly
/// registered members) and sets everyone's activity weight.
fn choose_commended(p: &Params, comms: &[Community], stewards: &mut [Steward]) {
    let mut rng = Rng::new(p.seed, "commended");
    let sizes: Vec<usize> = comms.iter().map(|c| c.spec.stewards).collect();
    let quota = apportion(p.commended, &sizes);
    let veteran = p.start.add(45);
    for (ci, &q) in quota.iter().enumerate() {
        let mut cands: Vec<(usize, u32)> = stewards
            .iter()
            .enumerate()
            .filter(|(_, s)| s.community == ci && s.joined < veteran)
            .map(|(i, s)| {
                let w = match s.membership {
                    Membership::Registered => 6,
                    Membership::InService => 4,
                    Membership::NewOrg => 2,
                };
                (i, w)
            })
            .collect();
        for _ in 0..q {
            let i = *rng.weighted(&cands);
            stewards[i].commended = true;
            cands.retain(|c| c.0 != i);
        }
    }
    for s in stewards.iter_mut() {
        s.weight = if s.commended {
            150 + rng.below(100) as u32
        } else {
            let u = rng.unit();
            10 + (u * u * 90.0) as u32
        };
    }
}

/// Number of stewards who joined strictly before `d` (`joined` sorted).
fn joined_before(joined: &[Date], d: Date) -> u64 {
    joined.partition_point(|&j| j < d) as u64
}

/// A steward in service on `d` on an ordinary day: in-service and new-organisation members
/// come out mostly at weekends and on door-knocking day.
fn available(rng: &mut Rng, s: &Steward, d: Date, door: bool) -> bool {
    if s.joined >= d {
        return false;
    }
    if s.membership != Membership::Registered && !door && !d.is_weekend() {
        return rng.chance(0.35);
    }
    true
}

fn write_visits(
    p: &Params,
    dir: &Path,
    stewards: &[Steward],
    tally: &mut Tally,
) -> io::Result<Vec<PathBuf>> {
    let mut rng = Rng::new(p.seed, "visits");
    let n_days = p.days();
    let mut joined: Vec<Date> = stewards.iter().map(|s| s.joined).collect();
    joined.sort_unstable();

    // Every steward visits at least once: on a door-knocking day after joining if there is
    // one, otherwise on any later day.
    let door_days: Vec<usize> = (0..n_days).filter(|&i| p.is_door_day(p.day(i))).collect();
    let mut guaranteed: Vec<Vec<usize>> = vec![Vec::new(); n_days];
    for (si, s) in stewards.iter().enumerate() {
        let after: Vec<usize> = door_days
            .iter()
            .copied()
            .filter(|&i| p.day(i) > s.joined)
            .collect();
        let di = if !after.is_empty() {
            *rng.pick(&after)
        } else {
            let first = (s.joined.0 - p.start.0 + 1).max(0) as usize;
            assert!(first < n_days, "{} joins after the last day", s.id);
            first + rng.below(n_days - first)
        };
        guaranteed[di].push(si);
    }

    // Rows per day: door-knocking days are busy, weekends a little busier, all in proportion
    // to the stewards already in service.
    assert!(p.visits >= stewards.len(), "fewer visits than stewards");
    let mut cum = Vec::with_capacity(n_days);
    let mut acc = 0u64;
    for i in 0..n_days {
        let d = p.day(i);
        let base = if p.is_door_day(d) {
            300
        } else if d.is_weekend() {
            13
        } else {
            10
        };
        acc += base * joined_before(&joined, d);
        cum.push(acc);
    }
    let mut counts: Vec<usize> = guaranteed.iter().map(Vec::len).collect();
    for _ in stewards.len()..p.visits {
        counts[rng.cumulative(&cum)] += 1;
    }

    const MAX_HOUSEHOLDS: u64 = 15;
    assert!(p.households >= p.visits as u64 && p.households <= p.visits as u64 * MAX_HOUSEHOLDS);
    let pool = Pool::new((0..stewards.len()).collect(), stewards);
    let vdir = dir.join("visits");
    fs::create_dir_all(&vdir)?;
    let mut files = Vec::new();
    let mut rows_left = p.visits as u64;
    let mut rem = p.households;
    // Door-knocking rows carry more households than ordinary ones; weigh what is left so the
    // level stays even over the year.
    const DOOR: f64 = 1.3;
    const PLAIN: f64 = 0.86;
    let mut door_left: u64 = (0..n_days)
        .filter(|&i| p.is_door_day(p.day(i)))
        .map(|i| counts[i] as u64)
        .sum();
    let mut plain_left = p.visits as u64 - door_left;
    let mut current: Option<((i32, u32), Csv)> = None;
    let mut seen = HashSet::new();
    for i in 0..n_days {
        let d = p.day(i);
        let (y, m, _) = d.ymd_parts();
        if current.as_ref().map(|c| c.0) != Some((y, m)) {
            if let Some((_, csv)) = current.take() {
                csv.finish()?;
            }
            let path = vdir.join(format!("{y:04}-{m:02}.csv"));
            files.push(path.clone());
            current = Some((
                (y, m),
                Csv::create(&path, &["日期", "红管家", "户数", "楼幢", "类型", "备注"])?,
            ));
        }
        let csv = &mut current.as_mut().expect("open month").1;
        let door = p.is_door_day(d);

        // Who goes out today, then one row each in steward-id order.
        seen.clear();
        let mut today: Vec<usize> = guaranteed[i].clone();
        seen.extend(today.iter().copied());
        for _ in today.len()..counts[i] {
            let s = pool
                .choose(&mut rng, |r, s| {
                    !seen.contains(&s) && available(r, &stewards[s], d, door)
                })
                .or_else(|| pool.choose(&mut rng, |_, s| stewards[s].joined < d))
                .expect("a steward in service");
            seen.insert(s);
            today.push(s);
        }
        let mut rows: Vec<(usize, usize)> = today
            .into_iter()
            .map(|s| (s, rng.below(stewards[s].buildings.len())))
            .collect();
        rows.sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then(stewards[a.0].buildings[a.1].cmp(&stewards[b.0].buildings[b.1]))
        });

        let date = d.to_string();
        for (si, bi) in rows {
            let s = &stewards[si];
            let (kind, factor) = if door {
                ("敲门日", DOOR)
            } else if s.patrol && rng.chance(0.4) {
                ("巡逻", 0.5)
            } else {
                ("走访", 0.9)
            };
            // Steer towards the exact total: aim at what is left over the rows left.
            let mass = door_left as f64 * DOOR + plain_left as f64 * PLAIN;
            let x = rem as f64 / mass * factor * (0.4 + 1.2 * rng.unit());
            if door {
                door_left -= 1;
            } else {
                plain_left -= 1;
            }
            let mut hh = (x + rng.unit()) as u64;
            let lo = 1u64.max(rem.saturating_sub((rows_left - 1) * MAX_HOUSEHOLDS));
            let hi = MAX_HOUSEHOLDS.min(rem - (rows_left - 1));
            hh = hh.clamp(lo, hi);
            rem -= hh;
            rows_left -= 1;
            let note = if rng.chance(0.06) {
                if kind == "巡逻" {
                    *rng.pick(PATROL_NOTES)
                } else {
                    *rng.pick(VISIT_NOTES)
                }
            } else {
                ""
            };
            tally.visits[si] += 1;
            tally.households[si] += hh;
            csv.row(&[&date, &s.id, &hh.to_string(), &s.buildings[bi], kind, note])?;
        }
    }
    if let Some((_, csv)) = current.take() {
        csv.finish()?;
    }
    assert_eq!((rows_left, rem), (0, 0), "visit totals missed");
    Ok(files)
}

struct Case {
    date: Date,
    steward: usize,
    category: &'static str,
    summary: String,
    building: String,
}

fn write_cases(p: &Params, dir: &Path, stewards: &[Steward], tally: &mut Tally) -> io::Result<()> {
    let mut rng = Rng::new(p.seed, "cases");
    let n_days = p.days();
    let mut joined: Vec<Date> = stewards.iter().map(|s| s.joined).collect();
    joined.sort_unstable();
    let mut cum = Vec::with_capacity(n_days);
    let mut acc = 0u64;
    for i in 0..n_days {
        let d = p.day(i);
        let base = if p.is_door_day(d) {
            80
        } else if d.is_weekend() {
            8
        } else {
            10
        };
        acc += base * joined_before(&joined, d);
        cum.push(acc);
    }
    let pool = Pool::new((0..stewards.len()).collect(), stewards);
    let mut cases: Vec<Case> = (0..p.cases)
        .map(|_| {
            let d = p.day(rng.cumulative(&cum));
            let si = pool
                .choose(&mut rng, |_, s| stewards[s].joined < d)
                .expect("a steward in service");
            let s = &stewards[si];
            let building = rng.pick(&s.buildings).clone();
            let category = *rng.weighted(CASE_CATEGORIES);
            let template = *rng.pick(case_templates(category));
            let mut summary = fill(template, &building, rng.range(1, 3), 0, "");
            if !summary.starts_with("建议") && !summary.contains("住户") && rng.chance(0.2) {
                summary.insert_str(0, "住户反映");
            }
            Case {
                date: d,
                steward: si,
                category,
                summary,
                building,
            }
        })
        .collect();
    cases.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then(a.steward.cmp(&b.steward))
            .then(a.summary.cmp(&b.summary))
    });

    // Exactly `resolved` cases are 已解决: older cases and easier kinds are likelier.
    let mut keys: Vec<(f64, usize)> = cases
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let age = (p.end.0 - c.date.0) as f64;
            let ease = match c.category {
                "停车" => 5.0,
                "其他" => 7.0,
                "设施老化" => 8.0,
                "邻里纠纷" => 9.0,
                "电瓶车充电" => 10.0,
                "安全隐患" => 11.0,
                _ => 12.0,
            };
            ((age.min(60.0) + 3.0) * ease * rng.unit(), i)
        })
        .collect();
    keys.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut resolved = vec![false; cases.len()];
    for &(_, i) in keys.iter().take(p.resolved) {
        resolved[i] = true;
    }

    let width = (p.cases.to_string().len()).max(4);
    let (year, _, _) = p.start.ymd_parts();
    let mut csv = Csv::create(
        &dir.join("cases.csv"),
        &[
            "编号",
            "日期",
            "红管家",
            "类别",
            "事项",
            "状态",
            "办结日期",
            "楼幢",
            "办理渠道",
            "居民",
            "联系电话",
            "详情",
        ],
    )?;
    for (i, c) in cases.iter().enumerate() {
        let age = p.end.0 - c.date.0;
        let (status, channel, done) = if resolved[i] {
            let channel = *rng.weighted(&[
                ("楼道", 45),
                ("物业", 20),
                ("网格员", 20),
                ("社区", 10),
                ("业委会", 5),
            ]);
            let delay = if channel == "楼道" {
                rng.range(0, 2)
            } else {
                rng.range(1, 30)
            } as i32;
            ("已解决", channel, c.date.add(delay).min(p.end).to_string())
        } else {
            let status = if age < 14 {
                *rng.weighted(&[("待办", 50), ("办理中", 40), ("已转办", 10)])
            } else if c.category == "停车" {
                *rng.weighted(&[("办理中", 20), ("已转办", 30), ("已反馈", 50)])
            } else {
                *rng.weighted(&[("待办", 5), ("办理中", 30), ("已转办", 35), ("已反馈", 30)])
            };
            let channel = match status {
                "待办" => *rng.weighted(&[("楼道", 60), ("网格员", 40)]),
                "已转办" => *rng.weighted(&[("社区", 45), ("网格员", 30), ("物业", 25)]),
                "已反馈" => *rng.weighted(&[("社区", 50), ("网格员", 35), ("业委会", 15)]),
                _ => *rng.weighted(&[("物业", 35), ("网格员", 30), ("社区", 25), ("业委会", 10)]),
            };
            (status, channel, String::new())
        };
        let (resident, phone, detail) = if rng.chance(0.35) {
            let female = rng.chance(0.5);
            let template = *rng.pick(CASE_DETAILS);
            let detail = fill(template, &c.building, rng.range(1, 3), rng.range(1, 6), "");
            (
                person_name(&mut rng, female),
                format!("1380570{:04}", rng.below(10_000)),
                detail,
            )
        } else {
            (String::new(), String::new(), String::new())
        };
        tally.cases[c.steward] += 1;
        csv.row(&[
            &format!("{year}-{:0width$}", i + 1),
            &c.date.to_string(),
            &stewards[c.steward].id,
            c.category,
            &c.summary,
            status,
            &done,
            &c.building,
            channel,
            &resident,
            &phone,
            &detail,
        ])?;
    }
    csv.finish()?;
    Ok(())
}

fn write_errands(
    p: &Params,
    dir: &Path,
    stewards: &[Steward],
    tally: &mut Tally,
) -> io::Result<()> {
    let mut rng = Rng::new(p.seed, "errands");
    let n_days = p.days();
    let runners: Vec<usize> = (0..stewards.len())
        .filter(|&i| stewards[i].errand)
        .collect();
    let mut joined: Vec<Date> = stewards.iter().map(|s| s.joined).collect();
    joined.sort_unstable();
    let mut cum = Vec::with_capacity(n_days);
    let mut acc = 0u64;
    for i in 0..n_days {
        let d = p.day(i);
        let base: u64 = if d.is_weekend() { 3 } else { 10 };
        acc += base * joined_before(&joined, d);
        cum.push(acc);
    }
    let runners = Pool::new(runners, stewards);
    let everyone = Pool::new((0..stewards.len()).collect(), stewards);
    let mut rows: Vec<(Date, usize, &'static str)> = (0..p.errands)
        .map(|_| {
            let d = p.day(rng.cumulative(&cum));
            let pool = if rng.chance(0.85) {
                &runners
            } else {
                &everyone
            };
            let si = pool
                .choose(&mut rng, |_, s| stewards[s].joined < d)
                .or_else(|| everyone.choose(&mut rng, |_, s| stewards[s].joined < d))
                .expect("a steward in service");
            (d, si, *rng.weighted(ERRAND_CATEGORIES))
        })
        .collect();
    rows.sort_unstable();

    let mut csv = Csv::create(
        &dir.join("errands.csv"),
        &["日期", "红管家", "类别", "状态", "居民"],
    )?;
    for (d, si, category) in rows {
        let age = p.end.0 - d.0;
        let open = if age <= 14 {
            0.35
        } else if age <= 45 {
            0.03
        } else {
            0.0
        };
        let status = if rng.chance(open) {
            "办理中"
        } else {
            "已办结"
        };
        let resident = if rng.chance(0.9) {
            let female = rng.chance(0.55);
            person_name(&mut rng, female)
        } else {
            String::new()
        };
        tally.errands[si] += 1;
        csv.row(&[
            &d.to_string(),
            &stewards[si].id,
            category,
            status,
            &resident,
        ])?;
    }
    csv.finish()?;
    Ok(())
}

fn write_meetings(
    p: &Params,
    dir: &Path,
    comms: &[Community],
    stewards: &[Steward],
    tally: &mut Tally,
) -> io::Result<usize> {
    let mut rng = Rng::new(p.seed, "meetings");
    let (end_y, end_m, _) = p.end.ymd_parts();
    // Months in the range.
    let mut months = Vec::new();
    let (mut y, mut m, _) = p.start.ymd_parts();
    while (y, m) <= (end_y, end_m) {
        months.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    let mut rows: Vec<(Date, usize, String, &'static str)> = Vec::new();
    for ci in 0..comms.len() {
        let mut topics: Vec<&'static str> = TOPICS.to_vec();
        rng.shuffle(&mut topics);
        let mut topics = topics.into_iter().cycle();
        for &(y, m) in &months {
            // Late in the month; in the last month, early on and never after the end.
            let day: u32 = if (y, m) == (end_y, end_m) {
                3 + ci as u32 % 4
            } else {
                24 + ci as u32 % 4
            };
            let mut d = Date::ymd(y, m, day).min(p.end);
            while d.is_weekend() {
                d = d.add(-1);
            }
            let mut cands: Vec<(usize, u32)> = stewards
                .iter()
                .enumerate()
                .filter(|(_, s)| s.community == ci && s.joined < d)
                .map(|(i, s)| (i, s.weight))
                .collect();
            let want = rng.range(4, 8) as usize;
            let mut who = Vec::new();
            while who.len() < want && !cands.is_empty() {
                let i = *rng.weighted(&cands);
                cands.retain(|c| c.0 != i);
                who.push(i);
            }
            who.sort_unstable();
            for &i in &who {
                tally.meetings[i] += 1;
            }
            let ids: Vec<&str> = who.iter().map(|&i| stewards[i].id.as_str()).collect();
            let topic = month_topic(m).unwrap_or_else(|| topics.next().expect("topics"));
            rows.push((d, ci, ids.join(";"), topic));
        }
    }
    rows.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(comms[a.1].spec.id.cmp(comms[b.1].spec.id))
    });
    let mut csv = Csv::create(
        &dir.join("meetings.csv"),
        &["日期", "社区", "参会人员", "议题"],
    )?;
    for (d, ci, ids, topic) in &rows {
        csv.row(&[&d.to_string(), comms[*ci].spec.id, ids, topic])?;
    }
    csv.finish()
}

fn write_commendations(p: &Params, dir: &Path, stewards: &[Steward]) -> io::Result<()> {
    let mut rng = Rng::new(p.seed, "citations");
    let chosen: Vec<usize> = (0..stewards.len())
        .filter(|&i| stewards[i].commended)
        .collect();
    assert_eq!(chosen.len(), p.commended);
    let mut unused: Vec<bool> = vec![true; CITATIONS.len()];
    let mut out = String::new();
    out.push_str("# 第一批优秀红管家（样例数据，人名与事迹均为虚构）\n\n");
    out.push_str("[[batch]]\n");
    out.push_str("id = \"2018-1\"\n");
    out.push_str("title = \"第一批优秀红管家\"\n");
    out.push_str("date = 2018-12-01\n");
    out.push_str("issuer = \"府山街道党工委\"\n");
    out.push_str("stewards = [\n");
    for &i in &chosen {
        out.push_str(&format!("  {},\n", toml_str(&stewards[i].id)));
    }
    out.push_str("]\n\n[batch.citations]\n");
    for &i in &chosen {
        let s = &stewards[i];
        let fits = |need: Need| match need {
            Need::Any => true,
            Need::InService => s.membership == Membership::InService,
            Need::Patrol => s.patrol,
            Need::Errand => s.errand,
        };
        // A citation about what this steward specifically does if one is left, else any.
        let special: Vec<usize> = (0..CITATIONS.len())
            .filter(|&k| unused[k] && CITATIONS[k].0 != Need::Any && fits(CITATIONS[k].0))
            .collect();
        let general: Vec<usize> = (0..CITATIONS.len())
            .filter(|&k| unused[k] && CITATIONS[k].0 == Need::Any)
            .collect();
        let k = if !special.is_empty() && rng.chance(0.6) {
            *rng.pick(&special)
        } else {
            *rng.pick(&general)
        };
        unused[k] = false;
        let text = fill(
            CITATIONS[k].1,
            &s.buildings[0],
            0,
            0,
            if s.female { "她" } else { "他" },
        );
        out.push_str(&format!("{} = {}\n", toml_str(&s.id), toml_str(&text)));
    }
    out.push_str("\n[batch.notice]\n");
    out.push_str("start = 2018-11-20\n");
    out.push_str("end = 2018-11-26\n");
    out.push_str(&format!(
        "objections = {}\n",
        toml_str("公示期间，对公示对象有异议的，可通过来电、来信或当面反映。反映问题应实事求是，请署真实姓名并提供联系方式，以便核实。")
    ));
    out.push_str(&format!(
        "contact = {}\n",
        toml_str("府山街道党工委组织办 0570-3020000")
    ));
    fs::write(dir.join("commendations.toml"), out)
}

/// `levels`: each community's subdistrict (index into it), for the city's 街道 and 区县
/// columns; the sample is one subdistrict and has neither.
fn write_communities(
    dir: &Path,
    comms: &[Community],
    levels: Option<&[CitySubdistrict]>,
) -> io::Result<()> {
    let mut order: Vec<(usize, &Community)> = comms.iter().enumerate().collect();
    order.sort_by_key(|(_, c)| c.spec.id);
    let mut header = vec!["编号", "名称", "党组织", "网格数", "楼幢数", "户数"];
    if levels.is_some() {
        header.extend(["街道", "区县"]);
    }
    let mut csv = Csv::create(&dir.join("communities.csv"), &header)?;
    for (i, c) in order {
        let grids = c.spec.grids.to_string();
        let buildings = c.total_buildings.to_string();
        let households = c.households.to_string();
        let mut row = vec![
            c.spec.id,
            c.spec.name,
            c.spec.party_org,
            &grids,
            &buildings,
            &households,
        ];
        if let Some(levels) = levels {
            let s = &levels[subdistrict_of(i, comms.len(), levels.len())];
            row.extend([s.name.as_str(), s.district]);
        }
        csv.row(&row)?;
    }
    csv.finish()?;
    Ok(())
}

/// Property companies of the sample's compounds, invented.
const PROPERTY: &[&str] = &[
    "安居物业",
    "衢城物业服务中心",
    "和美物业",
    "鑫城物业",
    "府山物业",
];

/// The grids the stewards' 网格 column names, each with its full-time worker, and for the
/// compounds that have them a property company and an owners' committee (many of the old
/// town's open compounds have neither). From a stream of its own: adding it moved no other
/// record.
fn write_grids(p: &Params, dir: &Path, comms: &[Community]) -> io::Result<()> {
    let mut rng = Rng::new(p.seed, "grids");
    let mut order: Vec<&Community> = comms.iter().collect();
    order.sort_by_key(|c| c.spec.id);
    let mut csv = Csv::create(
        &dir.join("grids.csv"),
        &["编号", "社区", "网格员", "网格员电话", "物业", "业委会"],
    )?;
    let mut n = 0usize;
    for c in order {
        for g in 1..=c.spec.grids {
            let label = format!("{}第{g}网格", c.short);
            let female = rng.chance(0.7);
            let worker = person_name(&mut rng, female);
            // 1390571xxxx: never a steward's 1390570xxxx.
            let phone = format!("1390571{:04}", (n * 4099 + 1531) % 10_000);
            let property = if rng.chance(0.6) {
                format!(
                    "{} 0570-30{:05}",
                    rng.pick(PROPERTY),
                    rng.range(10_000, 99_999)
                )
            } else {
                String::new()
            };
            let committee = if !property.is_empty() && rng.chance(0.5) {
                format!(
                    "{}小区业委会 0570-31{:05}",
                    c.short,
                    rng.range(10_000, 99_999)
                )
            } else {
                String::new()
            };
            csv.row(&[&label, c.spec.id, &worker, &phone, &property, &committee])?;
            n += 1;
        }
    }
    csv.finish().map(|_| ())
}

fn write_stewards(dir: &Path, comms: &[Community], stewards: &[Steward]) -> io::Result<()> {
    let mut order: Vec<&Steward> = stewards.iter().collect();
    order.sort_by(|a, b| a.id.cmp(&b.id));
    let mut csv = Csv::create(
        &dir.join("stewards.csv"),
        &[
            "编号",
            "姓名",
            "社区",
            "联系楼幢",
            "党员类别",
            "网格",
            "工作单位",
            "性别",
            "出生年份",
            "特长",
            "队伍",
            "上岗日期",
            "联系电话",
        ],
    )?;
    for s in order {
        let mut teams = Vec::new();
        if s.patrol {
            teams.push("巡逻队");
        }
        if s.errand {
            teams.push("红色代办员");
        }
        csv.row(&[
            &s.id,
            &s.name,
            comms[s.community].spec.id,
            &s.buildings.join(";"),
            s.membership.label(),
            &s.grid,
            s.workplace,
            if s.female { "女" } else { "男" },
            &s.birth_year.to_string(),
            s.specialty,
            &teams.join(";"),
            &s.joined.to_string(),
            &s.phone,
        ])?;
    }
    csv.finish()?;
    Ok(())
}

/// Deletes the record files this generator owns (and nothing else).
fn clean(dir: &Path) -> io::Result<()> {
    for name in [
        "communities.csv",
        "grids.csv",
        "stewards.csv",
        "cases.csv",
        "errands.csv",
        "meetings.csv",
        "commendations.toml",
        "subdistricts.csv",
    ] {
        let path = dir.join(name);
        if path.exists() {
            fs::remove_file(&path)?;
        }
    }
    let vdir = dir.join("visits");
    if vdir.is_dir() {
        let mut doomed = Vec::new();
        for entry in fs::read_dir(&vdir)? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let b = name.as_bytes();
            // YYYY-MM.csv
            let ours = b.len() == 11
                && name.ends_with(".csv")
                && b[4] == b'-'
                && b[..4].iter().chain(&b[5..7]).all(u8::is_ascii_digit);
            if ours && path.is_file() {
                doomed.push(path);
            }
        }
        doomed.sort();
        for path in doomed {
            fs::remove_file(path)?;
        }
    }
    for kind in [
        "communities",
        "stewards",
        "visits",
        "cases",
        "errands",
        "meetings",
    ] {
        for ext in ["csv", "toml"] {
            let other = dir.join(format!("{kind}.{ext}"));
            let ours = ext == "csv" && kind != "visits";
            if !ours && other.exists() {
                eprintln!(
                    "gen_sample: warning: {} also exists and will clash with the sample",
                    other.display()
                );
            }
        }
    }
    Ok(())
}

fn run(p: &Params, dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    clean(dir)?;
    let comms = gen_communities(p);
    let mut stewards = gen_stewards(p, &comms);
    choose_commended(p, &comms, &mut stewards);
    write_communities(dir, &comms, None)?;
    write_grids(p, dir, &comms)?;
    write_stewards(dir, &comms, &stewards)?;
    let mut tally = Tally::new(stewards.len());
    let files = write_visits(p, dir, &stewards, &mut tally)?;
    write_cases(p, dir, &stewards, &mut tally)?;
    write_errands(p, dir, &stewards, &mut tally)?;
    let meetings = write_meetings(p, dir, &comms, &stewards, &mut tally)?;
    write_commendations(p, dir, &stewards)?;

    let covered: usize = comms.iter().map(|c| c.covered.len()).sum();
    let activity = |i: usize| tally.visits[i] + tally.cases[i] + tally.errands[i];
    let (mut lo, mut hi) = (u32::MAX, 0);
    for i in 0..stewards.len() {
        lo = lo.min(activity(i));
        hi = hi.max(activity(i));
    }
    let mean = |pick: &dyn Fn(&Steward) -> bool| {
        let who: Vec<usize> = (0..stewards.len())
            .filter(|&i| pick(&stewards[i]))
            .collect();
        who.iter().map(|&i| activity(i) as f64).sum::<f64>() / who.len().max(1) as f64
    };
    println!(
        "gen_sample: {} communities, {} grids, {} stewards, {} buildings covered",
        comms.len(),
        comms.iter().map(|c| c.spec.grids).sum::<u32>(),
        stewards.len(),
        covered
    );
    println!(
        "gen_sample: {} visits in {} files ({} households), {} cases ({} resolved), {} errands, {} meetings, {} commended",
        p.visits,
        files.len(),
        p.households,
        p.cases,
        p.resolved,
        p.errands,
        meetings,
        p.commended
    );
    println!(
        "gen_sample: activity per steward (visits+cases+errands) min {lo} max {hi}, mean {:.1} commended / {:.1} others",
        mean(&|s| s.commended),
        mean(&|s| !s.commended)
    );
    println!("gen_sample: wrote {}", dir.display());
    Ok(())
}

// ---------------------------------------------------------------------------------------
// City scale (`--scale city`): a synthetic city for benchmarks
// ---------------------------------------------------------------------------------------
//
// The same word lists and records as the sample, but nothing is steered to exact figures:
// rows are drawn day by day and written as they are drawn, so only one day's rows (a few
// thousand) are ever held in memory, whatever the number of visits, cases or errands.

/// First, second and last syllables of invented community names (`东湖` + `路` + `社区`).
const PLACE_FIRST: &[&str] = &[
    "东", "西", "南", "北", "新", "青", "桂", "柳", "梅", "荷", "兰", "竹", "松", "桃", "杏", "枫",
    "樟", "橘", "柯", "龙", "凤", "鹿", "白", "石", "金", "文", "朝", "仁", "书", "礼",
];
const PLACE_SECOND: &[&str] = &[
    "湖", "门", "山", "园", "桥", "塘", "溪", "江", "港", "亭", "林", "阳", "安", "华", "泉", "田",
    "花", "河", "庄", "井",
];
const PLACE_SUFFIX: &[&str] = &["", "街", "巷", "路", "里", "苑", "坊", "弄"];

/// Subdistricts of the city: every 25 communities make one (at least two), four
/// subdistricts one district, so the city has levels to group, compare and roll up
/// (400 communities: 16 subdistricts in 4 districts). Communities are dealt out in
/// blocks by index, so no random stream changes and every other file stays the same.
const COMMUNITIES_PER_SUBDISTRICT: usize = 25;
const SUBDISTRICTS_PER_DISTRICT: usize = 4;
const SUBDISTRICT_NAMES: &[(&str, &str)] = &[
    ("fushan", "府山"),
    ("hehua", "荷花"),
    ("shuanggang", "双港"),
    ("xincheng", "新城"),
    ("baiyun", "白云"),
    ("xinan", "新安"),
    ("huayuan", "花园"),
    ("keshan", "柯山"),
    ("qujiang", "衢江"),
    ("zhangtan", "樟潭"),
    ("lianhua", "莲花"),
    ("tingchuan", "亭川"),
    ("hangbu", "航埠"),
    ("shijia", "石家"),
    ("huangjia", "黄家"),
    ("jiuhua", "九华"),
    ("qiantang", "钱塘"),
    ("wenchang", "文昌"),
    ("guiyuan", "桂园"),
    ("nanhu", "南湖"),
    ("dongmen", "东门"),
    ("xiqiao", "西桥"),
    ("longyou", "龙游"),
    ("jiangshan", "江山"),
];
const DISTRICT_NAMES: &[&str] = &["柯城区", "衢江区", "龙游县", "江山市", "常山县", "开化县"];

struct CitySubdistrict {
    id: String,
    name: String,
    district: &'static str,
    residents: u32,
    branches: u32,
}

fn city_subdistricts(p: &Params) -> Vec<CitySubdistrict> {
    let n = (p.communities / COMMUNITIES_PER_SUBDISTRICT).max(2);
    (0..n)
        .map(|i| {
            let (id, name) = SUBDISTRICT_NAMES[i % SUBDISTRICT_NAMES.len()];
            let round = i / SUBDISTRICT_NAMES.len();
            let (id, name) = if round == 0 {
                (id.to_string(), format!("{name}街道"))
            } else {
                (
                    format!("{id}-{}", round + 1),
                    format!("{name}{}街道", round + 1),
                )
            };
            CitySubdistrict {
                id,
                name,
                district: DISTRICT_NAMES[(i / SUBDISTRICTS_PER_DISTRICT) % DISTRICT_NAMES.len()],
                residents: 30_000 + (i as u32 * 7_919) % 40_000,
                branches: 40 + (i as u32 * 13) % 50,
            }
        })
        .collect()
}

/// Community `i` of `n` lies in one of `k` subdistricts, in contiguous blocks.
fn subdistrict_of(i: usize, n: usize, k: usize) -> usize {
    i * k / n.max(1)
}

fn write_city_subdistricts(dir: &Path, levels: &[CitySubdistrict]) -> io::Result<()> {
    let mut csv = Csv::create(
        &dir.join("subdistricts.csv"),
        &["编号", "名称", "区县", "党工委", "常住人口", "基层党支部"],
    )?;
    for s in levels {
        csv.row(&[
            &s.id,
            &s.name,
            s.district,
            &format!("{}党工委", s.name),
            &s.residents.to_string(),
            &s.branches.to_string(),
        ])?;
    }
    csv.finish()?;
    Ok(())
}

/// The city's community table, drawn once from its own stream (and kept for the run).
fn city_specs(p: &Params) -> &'static [CommunitySpec] {
    let mut rng = Rng::new(p.seed, "city-communities");
    let weights: Vec<usize> = (0..p.communities)
        .map(|_| rng.range(60, 190) as usize)
        .collect();
    let sizes = apportion(p.stewards, &weights);
    let mut names = HashSet::new();
    let specs: Vec<CommunitySpec> = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let name = loop {
                let second = *rng.pick(PLACE_SECOND);
                let suffix = *rng.pick(PLACE_SUFFIX);
                let name = format!("{}{second}{suffix}社区", rng.pick(PLACE_FIRST));
                if !names.contains(&name) {
                    names.insert(name.clone());
                    break name;
                }
            };
            let party_org = if n >= 120 || rng.chance(0.5) {
                "社区党委"
            } else {
                "社区党总支"
            };
            let n = n.max(1);
            let covered = (n * rng.range(80, 95) as usize / 100).clamp(1, n);
            CommunitySpec {
                id: leak(format!("c{:03}", i + 1)),
                name: leak(name),
                prefix: leak(format!("C{:03}", i + 1)),
                party_org,
                grids: (n / 12).max(2) as u32 + rng.range(0, 3) as u32,
                stewards: n,
                covered,
            }
        })
        .collect();
    assert_eq!(specs.iter().map(|c| c.stewards).sum::<usize>(), p.stewards);
    Box::leak(specs.into_boxed_slice())
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Like `gen_stewards`, for many more stewards: names may repeat (ids do not), phones are
/// distinct over 100,000,000.
fn gen_city_stewards(p: &Params, comms: &[Community]) -> Vec<Steward> {
    let mut rng = Rng::new(p.seed, "city-stewards");
    let mut out = Vec::with_capacity(p.stewards);
    let launch = p.start.add(1);
    let late = p.start.add(31);
    let late_days = (p.end.0 - late.0 - 60).max(1) as i64;
    for (ci, c) in comms.iter().enumerate() {
        let n = c.spec.stewards;
        let b = c.covered.len();
        assert!(
            n >= b,
            "{}: fewer stewards than covered buildings",
            c.spec.id
        );
        let mut primary: Vec<usize> = (0..b).collect();
        primary.extend((b..n).map(|_| rng.below(b)));
        rng.shuffle(&mut primary);
        for (k, &pi) in primary.iter().enumerate() {
            let mut list = vec![pi];
            if b > 1 && rng.chance(0.12) {
                let next = pi + 1 < b && (pi == 0 || rng.chance(0.5));
                list.push(if next { pi + 1 } else { pi - 1 });
                list.sort_unstable();
            }
            let membership = match rng.unit() {
                x if x < 0.62 => Membership::Registered,
                x if x < 0.88 => Membership::InService,
                _ => Membership::NewOrg,
            };
            let female = rng.chance(if membership == Membership::Registered {
                0.56
            } else {
                0.42
            });
            let birth_year = match membership {
                Membership::Registered => rng.range(1940, 1962),
                Membership::InService => rng.range(1966, 1985),
                Membership::NewOrg => rng.range(1972, 1985),
            } as i32;
            let workplace = match membership {
                Membership::Registered => "",
                Membership::InService => *rng.pick(WORKPLACES),
                Membership::NewOrg => *rng.pick(NEW_ORGS),
            };
            let fit = membership != Membership::Registered || birth_year >= 1950;
            let patrol = fit && rng.chance(0.38);
            let errand = rng.chance(if membership == Membership::Registered {
                0.32
            } else {
                0.18
            });
            let specialty = if rng.chance(0.7) {
                *rng.pick(SPECIALTIES)
            } else {
                ""
            };
            let joined = if rng.chance(0.78) {
                launch.add(rng.range(0, 10) as i32)
            } else {
                late.add(rng.range(0, late_days) as i32)
            };
            let idx = out.len() as u64;
            out.push(Steward {
                id: format!("{}-{:03}", c.spec.prefix, k + 1),
                name: person_name(&mut rng, female),
                community: ci,
                buildings: list
                    .iter()
                    .map(|&i| format!("{}幢", c.covered[i]))
                    .collect(),
                membership,
                grid: format!("{}第{}网格", c.short, c.grid_of(c.covered[pi])),
                workplace,
                female,
                birth_year,
                specialty,
                patrol,
                errand,
                joined,
                phone: format!("139{:08}", (idx * 7_919_993 + 24_770_531) % 100_000_000),
                weight: 0,
                commended: false,
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Rows per day for `total` rows, in proportion to `base(day) × stewards in service`.
fn city_day_counts(
    p: &Params,
    rng: &mut Rng,
    stewards: &[Steward],
    total: usize,
    base: impl Fn(Date) -> u64,
) -> Vec<usize> {
    let mut joined: Vec<Date> = stewards.iter().map(|s| s.joined).collect();
    joined.sort_unstable();
    let mut cum = Vec::with_capacity(p.days());
    let mut acc = 0u64;
    for i in 0..p.days() {
        let d = p.day(i);
        acc += base(d) * joined_before(&joined, d);
        cum.push(acc);
    }
    let mut counts = vec![0usize; p.days()];
    for _ in 0..total {
        counts[rng.cumulative(&cum)] += 1;
    }
    counts
}

/// Opens `dir/YYYY-MM.csv` when the month of `d` changes.
fn month_file<'a>(
    current: &'a mut Option<((i32, u32), Csv)>,
    dir: &Path,
    d: Date,
    header: &[&str],
    files: &mut Vec<PathBuf>,
) -> io::Result<&'a mut Csv> {
    let (y, m, _) = d.ymd_parts();
    if current.as_ref().map(|c| c.0) != Some((y, m)) {
        if let Some((_, csv)) = current.take() {
            csv.finish()?;
        }
        let path = dir.join(format!("{y:04}-{m:02}.csv"));
        files.push(path.clone());
        *current = Some(((y, m), Csv::create(&path, header)?));
    }
    Ok(&mut current.as_mut().expect("open month").1)
}

fn write_city_visits(
    p: &Params,
    dir: &Path,
    stewards: &[Steward],
    tally: &mut Tally,
) -> io::Result<Vec<PathBuf>> {
    let mut rng = Rng::new(p.seed, "city-visits");
    let counts = city_day_counts(p, &mut rng, stewards, p.visits, |d| {
        if p.is_door_day(d) {
            40
        } else if d.is_weekend() {
            13
        } else {
            10
        }
    });
    let pool = Pool::new((0..stewards.len()).collect(), stewards);
    let vdir = dir.join("visits");
    fs::create_dir_all(&vdir)?;
    let mut files = Vec::new();
    let mut current = None;
    let mut rows: Vec<(usize, usize)> = Vec::new();
    for (i, &count) in counts.iter().enumerate() {
        let d = p.day(i);
        let csv = month_file(
            &mut current,
            &vdir,
            d,
            &["日期", "红管家", "户数", "楼幢", "类型", "备注"],
            &mut files,
        )?;
        let door = p.is_door_day(d);
        // A steward may log several visits a day (one row per building and round).
        rows.clear();
        for _ in 0..count {
            let s = pool
                .choose(&mut rng, |r, s| available(r, &stewards[s], d, door))
                .expect("a steward in service");
            rows.push((s, rng.below(stewards[s].buildings.len())));
        }
        rows.sort_unstable();
        let date = d.to_string();
        for &(si, bi) in &rows {
            let s = &stewards[si];
            let kind = if door {
                "敲门日"
            } else if s.patrol && rng.chance(0.4) {
                "巡逻"
            } else {
                "走访"
            };
            let hh: u64 = match kind {
                "敲门日" => 2 + (rng.unit() * rng.unit() * 14.0) as u64,
                "巡逻" => 1 + (rng.unit() * rng.unit() * 4.0) as u64,
                _ => 1 + (rng.unit() * rng.unit() * 8.0) as u64,
            };
            let note = if rng.chance(0.06) {
                if kind == "巡逻" {
                    *rng.pick(PATROL_NOTES)
                } else {
                    *rng.pick(VISIT_NOTES)
                }
            } else {
                ""
            };
            tally.visits[si] += 1;
            tally.households[si] += hh;
            csv.row(&[&date, &s.id, &hh.to_string(), &s.buildings[bi], kind, note])?;
        }
    }
    if let Some((_, csv)) = current.take() {
        csv.finish()?;
    }
    Ok(files)
}

/// Writes the city's cases; returns how many are 已解决.
fn write_city_cases(
    p: &Params,
    dir: &Path,
    stewards: &[Steward],
    tally: &mut Tally,
) -> io::Result<usize> {
    let mut rng = Rng::new(p.seed, "city-cases");
    let counts = city_day_counts(p, &mut rng, stewards, p.cases, |d| {
        if p.is_door_day(d) {
            40
        } else if d.is_weekend() {
            8
        } else {
            10
        }
    });
    let pool = Pool::new((0..stewards.len()).collect(), stewards);
    let width = (p.cases.to_string().len()).max(4);
    let (year, _, _) = p.start.ymd_parts();
    let mut csv = Csv::create(
        &dir.join("cases.csv"),
        &[
            "编号",
            "日期",
            "红管家",
            "类别",
            "事项",
            "状态",
            "办结日期",
            "楼幢",
            "办理渠道",
            "居民",
            "联系电话",
            "详情",
        ],
    )?;
    let mut n = 0usize;
    let mut resolved = 0usize;
    let mut day: Vec<(usize, String, &'static str, String)> = Vec::new();
    for (i, &count) in counts.iter().enumerate() {
        let d = p.day(i);
        day.clear();
        for _ in 0..count {
            let si = pool
                .choose(&mut rng, |_, s| stewards[s].joined < d)
                .expect("a steward in service");
            let building = rng.pick(&stewards[si].buildings).clone();
            let category = *rng.weighted(CASE_CATEGORIES);
            let template = *rng.pick(case_templates(category));
            let mut summary = fill(template, &building, rng.range(1, 3), 0, "");
            if !summary.starts_with("建议") && !summary.contains("住户") && rng.chance(0.2) {
                summary.insert_str(0, "住户反映");
            }
            day.push((si, summary, category, building));
        }
        day.sort_unstable();
        let date = d.to_string();
        let age = p.end.0 - d.0;
        for (si, summary, category, building) in &day {
            let ease = match *category {
                "停车" => 0.45,
                "其他" => 0.6,
                "设施老化" => 0.65,
                "邻里纠纷" => 0.7,
                "电瓶车充电" => 0.75,
                "安全隐患" => 0.8,
                _ => 0.85,
            };
            // About half resolved overall, as in the sample; fresh cases rarely.
            let p_done = 0.75 * ease * (0.1 + 0.9 * f64::from(age.min(60)) / 60.0);
            let (status, channel, done) = if rng.chance(p_done) {
                let channel = *rng.weighted(&[
                    ("楼道", 45),
                    ("物业", 20),
                    ("网格员", 20),
                    ("社区", 10),
                    ("业委会", 5),
                ]);
                let delay = if channel == "楼道" {
                    rng.range(0, 2)
                } else {
                    rng.range(1, 30)
                } as i32;
                resolved += 1;
                ("已解决", channel, d.add(delay).min(p.end).to_string())
            } else {
                let status = if age < 14 {
                    *rng.weighted(&[("待办", 50), ("办理中", 40), ("已转办", 10)])
                } else if *category == "停车" {
                    *rng.weighted(&[("办理中", 20), ("已转办", 30), ("已反馈", 50)])
                } else {
                    *rng.weighted(&[("待办", 5), ("办理中", 30), ("已转办", 35), ("已反馈", 30)])
                };
                let channel = match status {
                    "待办" => *rng.weighted(&[("楼道", 60), ("网格员", 40)]),
                    "已转办" => *rng.weighted(&[("社区", 45), ("网格员", 30), ("物业", 25)]),
                    "已反馈" => *rng.weighted(&[("社区", 50), ("网格员", 35), ("业委会", 15)]),
                    _ => {
                        *rng.weighted(&[("物业", 35), ("网格员", 30), ("社区", 25), ("业委会", 10)])
                    }
                };
                (status, channel, String::new())
            };
            let (resident, phone, detail) = if rng.chance(0.35) {
                let female = rng.chance(0.5);
                let template = *rng.pick(CASE_DETAILS);
                let detail = fill(template, building, rng.range(1, 3), rng.range(1, 6), "");
                (
                    person_name(&mut rng, female),
                    format!("138{:08}", rng.below(100_000_000)),
                    detail,
                )
            } else {
                (String::new(), String::new(), String::new())
            };
            n += 1;
            tally.cases[*si] += 1;
            csv.row(&[
                &format!("{year}-{n:0width$}"),
                &date,
                &stewards[*si].id,
                category,
                summary,
                status,
                &done,
                building,
                channel,
                &resident,
                &phone,
                &detail,
            ])?;
        }
    }
    csv.finish()?;
    Ok(resolved)
}

fn write_city_errands(
    p: &Params,
    dir: &Path,
    stewards: &[Steward],
    tally: &mut Tally,
) -> io::Result<()> {
    let mut rng = Rng::new(p.seed, "city-errands");
    let counts = city_day_counts(p, &mut rng, stewards, p.errands, |d| {
        if d.is_weekend() { 3 } else { 10 }
    });
    let runners = Pool::new(
        (0..stewards.len())
            .filter(|&i| stewards[i].errand)
            .collect(),
        stewards,
    );
    let everyone = Pool::new((0..stewards.len()).collect(), stewards);
    let mut csv = Csv::create(
        &dir.join("errands.csv"),
        &["日期", "红管家", "类别", "状态", "居民"],
    )?;
    let mut day: Vec<(usize, &'static str)> = Vec::new();
    for (i, &count) in counts.iter().enumerate() {
        let d = p.day(i);
        day.clear();
        for _ in 0..count {
            let pool = if rng.chance(0.85) {
                &runners
            } else {
                &everyone
            };
            let si = pool
                .choose(&mut rng, |_, s| stewards[s].joined < d)
                .or_else(|| everyone.choose(&mut rng, |_, s| stewards[s].joined < d))
                .expect("a steward in service");
            day.push((si, *rng.weighted(ERRAND_CATEGORIES)));
        }
        day.sort_unstable();
        let date = d.to_string();
        let age = p.end.0 - d.0;
        let open = if age <= 14 {
            0.35
        } else if age <= 45 {
            0.03
        } else {
            0.0
        };
        for &(si, category) in &day {
            let status = if rng.chance(open) {
                "办理中"
            } else {
                "已办结"
            };
            let resident = if rng.chance(0.9) {
                let female = rng.chance(0.55);
                person_name(&mut rng, female)
            } else {
                String::new()
            };
            tally.errands[si] += 1;
            csv.row(&[&date, &stewards[si].id, category, status, &resident])?;
        }
    }
    csv.finish()?;
    Ok(())
}

/// One council per community and month, late in the month, plus ad hoc councils up to
/// `p.meetings`; written month by month.
fn write_city_meetings(
    p: &Params,
    dir: &Path,
    comms: &[Community],
    stewards: &[Steward],
    tally: &mut Tally,
) -> io::Result<usize> {
    let mut rng = Rng::new(p.seed, "city-meetings");
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); comms.len()];
    for (i, s) in stewards.iter().enumerate() {
        members[s.community].push(i);
    }
    let mut months = Vec::new();
    let (end_y, end_m, _) = p.end.ymd_parts();
    let (mut y, mut m, _) = p.start.ymd_parts();
    while (y, m) <= (end_y, end_m) {
        months.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    let regular = comms.len() * months.len();
    assert!(
        p.meetings >= regular,
        "fewer meetings than communities × months"
    );
    let extra = apportion(p.meetings - regular, &vec![1; months.len()]);
    let mut csv = Csv::create(
        &dir.join("meetings.csv"),
        &["日期", "社区", "参会人员", "议题"],
    )?;
    let mut rows: Vec<(Date, &'static str, String, &'static str)> = Vec::new();
    for (mi, &(y, m)) in months.iter().enumerate() {
        rows.clear();
        let last = Date::ymd(y, m, 28).min(p.end);
        let mut add = |rng: &mut Rng, ci: usize, mut d: Date, topic: &'static str| {
            while d.is_weekend() {
                d = d.add(-1);
            }
            let mut cands: Vec<(usize, u32)> = members[ci]
                .iter()
                .filter(|&&i| stewards[i].joined < d)
                .map(|&i| (i, stewards[i].weight))
                .collect();
            let want = rng.range(4, 8) as usize;
            let mut who = Vec::new();
            while who.len() < want && !cands.is_empty() {
                let i = *rng.weighted(&cands);
                cands.retain(|c| c.0 != i);
                who.push(i);
            }
            who.sort_unstable();
            for &i in &who {
                tally.meetings[i] += 1;
            }
            let ids: Vec<&str> = who.iter().map(|&i| stewards[i].id.as_str()).collect();
            rows.push((d, comms[ci].spec.id, ids.join(";"), topic));
        };
        for ci in 0..comms.len() {
            let d = Date::ymd(y, m, 24 + (ci % 4) as u32).min(last);
            let topic = month_topic(m).unwrap_or_else(|| *rng.pick(TOPICS));
            add(&mut rng, ci, d, topic);
        }
        for _ in 0..extra[mi] {
            let ci = rng.below(comms.len());
            let d = Date::ymd(y, m, 5 + rng.below(15) as u32).min(last);
            let topic = *rng.pick(TOPICS);
            add(&mut rng, ci, d, topic);
        }
        rows.sort_unstable();
        for (d, id, ids, topic) in &rows {
            csv.row(&[&d.to_string(), id, ids, topic])?;
        }
    }
    csv.finish()
}

fn write_city_commendations(p: &Params, dir: &Path, stewards: &[Steward]) -> io::Result<()> {
    let mut rng = Rng::new(p.seed, "city-citations");
    let chosen: Vec<usize> = (0..stewards.len())
        .filter(|&i| stewards[i].commended)
        .collect();
    assert_eq!(chosen.len(), p.commended);
    let mut out = String::new();
    out.push_str("# 2018年度优秀红管家（城市规模测试数据，人名与事迹均为虚构）\n\n");
    out.push_str("[[batch]]\n");
    out.push_str("id = \"2018-1\"\n");
    out.push_str("title = \"2018年度优秀红管家\"\n");
    out.push_str("date = 2018-12-28\n");
    out.push_str("issuer = \"中共衢州市委组织部\"\n");
    out.push_str("stewards = [\n");
    for &i in &chosen {
        out.push_str(&format!("  {},\n", toml_str(&stewards[i].id)));
    }
    out.push_str("]\n\n[batch.citations]\n");
    for &i in &chosen {
        let s = &stewards[i];
        let fits: Vec<&str> = CITATIONS
            .iter()
            .filter(|(need, _)| match need {
                Need::Any => true,
                Need::InService => s.membership == Membership::InService,
                Need::Patrol => s.patrol,
                Need::Errand => s.errand,
            })
            .map(|c| c.1)
            .collect();
        let text = fill(
            fits[rng.below(fits.len())],
            &s.buildings[0],
            0,
            0,
            if s.female { "她" } else { "他" },
        );
        out.push_str(&format!("{} = {}\n", toml_str(&s.id), toml_str(&text)));
    }
    out.push_str("\n[batch.notice]\n");
    out.push_str("start = 2018-12-14\n");
    out.push_str("end = 2018-12-20\n");
    out.push_str(&format!(
        "objections = {}\n",
        toml_str("公示期间，对公示对象有异议的，可通过来电、来信或当面反映。反映问题应实事求是，请署真实姓名并提供联系方式，以便核实。")
    ));
    out.push_str(&format!(
        "contact = {}\n",
        toml_str("市委组织部组织二处 0570-3000000")
    ));
    fs::write(dir.join("commendations.toml"), out)
}

const CITY_SITE_TOML: &str = "\
# 城市规模测试站点（gen_sample --scale city 生成；人名、数字与事迹均为虚构）。
title = \"衢州市楼道“红管家”工作公示（测试数据）\"
base_url = \"https://example.gov.cn/city/\"
description = \"全市楼道“红管家”队伍、走访、民情办理和表彰情况的公开统计（虚构的测试数据）。\"
date = 2018-12-31

[privacy]
steward_names = \"full\"
steward_phone = \"hidden\"

[lists]
page_size = 50
";

/// Writes a whole site folder: `root/site.toml` and the records in `root/content/`.
fn run_city(p: &Params, root: &Path) -> io::Result<()> {
    let dir = root.join("content");
    fs::create_dir_all(&dir)?;
    clean(&dir)?;
    fs::write(root.join("site.toml"), CITY_SITE_TOML)?;
    let comms = gen_communities(p);
    let mut stewards = gen_city_stewards(p, &comms);
    choose_commended(p, &comms, &mut stewards);
    let levels = city_subdistricts(p);
    write_communities(&dir, &comms, Some(&levels))?;
    write_city_subdistricts(&dir, &levels)?;
    write_stewards(&dir, &comms, &stewards)?;
    let mut tally = Tally::new(stewards.len());
    let files = write_city_visits(p, &dir, &stewards, &mut tally)?;
    let resolved = write_city_cases(p, &dir, &stewards, &mut tally)?;
    write_city_errands(p, &dir, &stewards, &mut tally)?;
    let meetings = write_city_meetings(p, &dir, &comms, &stewards, &mut tally)?;
    write_city_commendations(p, &dir, &stewards)?;

    let covered: usize = comms.iter().map(|c| c.covered.len()).sum();
    let households: u64 = tally.households.iter().sum();
    let idle = tally.visits.iter().filter(|&&v| v == 0).count();
    println!(
        "gen_sample: city: {} communities, {} grids, {} stewards, {} buildings covered",
        comms.len(),
        comms.iter().map(|c| c.spec.grids).sum::<u32>(),
        stewards.len(),
        covered
    );
    println!(
        "gen_sample: city: {} visits in {} files ({households} households; {idle} stewards without a visit), {} cases ({resolved} resolved), {} errands, {meetings} meetings, {} commended",
        p.visits,
        files.len(),
        p.cases,
        p.errands,
        p.commended
    );
    println!("gen_sample: wrote {}", root.display());
    Ok(())
}

fn usage() -> ! {
    eprintln!(
        "usage: gen_sample <content folder>                     the sample site's records
       gen_sample <site folder> --scale city|city4m|town a whole synthetic city site (town: ~10,000 pages)
       gen_sample <site folder> [--scale city] --visits N  the city with N visits

  cargo run --release --example gen_sample -- content
  cargo run --release --example gen_sample -- bench-data/city --scale city"
    );
    std::process::exit(2);
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut out: Option<String> = None;
    let mut scale: Option<String> = None;
    let mut visits: Option<usize> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--scale" => scale = Some(args.next().unwrap_or_else(|| usage())),
            "--visits" => {
                let n = args.next().unwrap_or_else(|| usage());
                visits = Some(n.replace('_', "").parse().unwrap_or_else(|_| usage()));
            }
            "-h" | "--help" => usage(),
            _ if a.starts_with('-') || out.is_some() => usage(),
            _ => out = Some(a),
        }
    }
    let Some(out) = out else { usage() };
    let p = match (scale.as_deref(), visits) {
        (None | Some("sample"), None) => Params::sample(),
        (None | Some("city"), Some(n)) => Params::city(n),
        (Some("city"), None) => Params::city(2_000_000),
        (Some("city4m"), None) => Params::city(4_000_000),
        (Some("town"), None) => Params::town(),
        _ => usage(),
    };
    if p.scale == Scale::City && p.visits == 0 {
        usage();
    }
    let result = match p.scale {
        Scale::Sample => run(&p, Path::new(&out)),
        Scale::City => run_city(&p, Path::new(&out)),
    };
    if let Err(e) = result {
        eprintln!("gen_sample: {e}");
        std::process::exit(1);
    }
}
