//! Every form of input the contract (records.md) accepts, checked through the figures the
//! real binary writes to `public/data/summary.json`.

mod common;

use common::{
    CASES_CSV, COMMUNITIES_CSV, STEWARDS_CSV, Site, VISITS_CSV, crlf, figures, keys, num,
};
use serde_json::Value;

/// The figures of `tests/fixtures/every-kind-*`: stewards, communities, buildings covered,
/// households visited, cases, resolved, errands, meetings, commended.
const EVERY_KIND: [u64; 9] = [3, 2, 4, 9, 3, 1, 2, 1, 2];

/// One month's counts: households visited, visits, cases, resolved, errands, meetings.
fn month(v: &Value, pointer: &str) -> [u64; 6] {
    [
        num(v, &format!("{pointer}/households_visited")),
        num(v, &format!("{pointer}/visits")),
        num(v, &format!("{pointer}/cases")),
        num(v, &format!("{pointer}/resolved")),
        num(v, &format!("{pointer}/errands")),
        num(v, &format!("{pointer}/meetings")),
    ]
}

/// A community's figures: stewards, buildings covered, households visited, cases, resolved,
/// errands, meetings, commended.
fn community(v: &Value, id: &str) -> [u64; 8] {
    let p = format!("/by_community/{id}");
    [
        num(v, &format!("{p}/stewards")),
        num(v, &format!("{p}/buildings_covered")),
        num(v, &format!("{p}/households_visited")),
        num(v, &format!("{p}/cases")),
        num(v, &format!("{p}/resolved")),
        num(v, &format!("{p}/errands")),
        num(v, &format!("{p}/meetings")),
        num(v, &format!("{p}/commended")),
    ]
}

fn assert_every_kind_figures(v: &Value) {
    assert_eq!(figures(v), EVERY_KIND);
    assert_eq!(keys(v, "/by_month"), ["2018-11", "2018-12"]);
    // 2018-11: visits 4 + 2 households, C-001 raised and resolved, one errand.
    assert_eq!(month(v, "/by_month/2018-11"), [6, 2, 1, 1, 1, 0]);
    // 2018-12: one visit of 3 households, C-002 and C-003, one errand, the council.
    assert_eq!(month(v, "/by_month/2018-12"), [3, 1, 2, 0, 1, 1]);
    assert_eq!(keys(v, "/by_community"), ["fangmen", "shuiting"]);
    assert_eq!(community(v, "fangmen"), [2, 2, 6, 2, 1, 1, 1, 1]);
    assert_eq!(community(v, "shuiting"), [1, 2, 3, 1, 0, 1, 0, 1]);
    assert_eq!(v["by_community"]["fangmen"]["name"], "坊门街社区");
    assert_eq!(v["by_community"]["shuiting"]["party_org"], "社区党总支");
    assert_eq!(num(v, "/by_membership/在册"), 1);
    assert_eq!(num(v, "/by_membership/在职"), 1);
    assert_eq!(num(v, "/by_membership/两新"), 1);
    assert_eq!(v["as_of"], "2018-12-20");
}

#[test]
fn every_kind_as_csv() {
    let site = Site::fixture("every-kind-csv");
    let run = site.build_ok();
    assert_eq!(run.stderr, "", "a clean site gives no warnings");
    assert_every_kind_figures(&common::read_summary(&site.path("public")));
}

#[test]
fn every_kind_as_toml_gives_the_same_figures_as_csv() {
    let toml = Site::fixture("every-kind-toml");
    let run = toml.build_ok();
    assert_eq!(run.stderr, "", "a clean site gives no warnings");
    let from_toml = common::read_summary(&toml.path("public"));
    assert_every_kind_figures(&from_toml);
    let from_csv = Site::fixture("every-kind-csv").summary();
    assert_eq!(from_toml, from_csv);
}

#[test]
fn a_kind_given_as_a_folder_joins_its_files_csv_and_toml_mixed() {
    let site = Site::basic();
    site.remove("content/visits.csv");
    site.write(
        "content/visits/2018-10.csv",
        "日期,红管家,户数\n2018-10-20,FM-001,5\n2018-10-21,FM-002,1\n",
    );
    site.write(
        "content/visits/2018-11.toml",
        "[[visit]]\ndate = 2018-11-20\nsteward = \"ST-001\"\nhouseholds = 7\n\n\
         [[visit]]\n\"日期\" = \"2018/11/22\"\n\"红管家\" = \"FM-001\"\n\"户数\" = 2\n",
    );
    site.write(
        "content/visits/2018-12.csv",
        "date,steward,households\n2018-12-20,FM-002,10\n",
    );
    site.remove("content/cases.csv");
    site.write(
        "content/cases/a.csv",
        "编号,日期,红管家,类别,事项,状态,办结日期\nC-1,2018-10-20,FM-001,停车,车位不足,已解决,2018-10-25\n",
    );
    site.write(
        "content/cases/b.toml",
        "[[case]]\nid = \"C-2\"\ndate = 2018-12-20\nsteward = \"FM-002\"\ncategory = \"停车\"\n\
         summary = \"夜间乱停车\"\nstatus = \"待办\"\n",
    );
    let v = site.summary();
    assert_eq!(num(&v, "/visits"), 5);
    assert_eq!(num(&v, "/households_visited"), 5 + 1 + 7 + 2 + 10);
    assert_eq!(num(&v, "/cases"), 2);
    assert_eq!(num(&v, "/resolved"), 1);
    assert_eq!(keys(&v, "/by_month"), ["2018-10", "2018-11", "2018-12"]);
    assert_eq!(month(&v, "/by_month/2018-10"), [6, 2, 1, 1, 0, 0]);
    assert_eq!(month(&v, "/by_month/2018-11"), [9, 2, 0, 0, 0, 0]);
    assert_eq!(month(&v, "/by_month/2018-12"), [10, 1, 1, 0, 0, 0]);
    assert_eq!(num(&v, "/by_community/shuiting/households_visited"), 7);
}

/// The four required kinds of `Site::basic`, as (file, text).
const BASIC: [(&str, &str); 4] = [
    ("content/communities.csv", COMMUNITIES_CSV),
    ("content/stewards.csv", STEWARDS_CSV),
    ("content/visits.csv", VISITS_CSV),
    ("content/cases.csv", CASES_CSV),
];

/// The figures of `Site::basic`.
const BASIC_FIGURES: [u64; 9] = [3, 2, 4, 9, 2, 1, 0, 0, 0];

fn assert_basic_figures(v: &Value) {
    assert_eq!(figures(v), BASIC_FIGURES);
    assert_eq!(keys(v, "/by_month"), ["2018-11", "2018-12"]);
    assert_eq!(community(v, "fangmen"), [2, 2, 6, 1, 1, 0, 0, 0]);
    assert_eq!(community(v, "shuiting"), [1, 2, 3, 1, 0, 0, 0, 0]);
    assert_eq!(v["by_community"]["fangmen"]["name"], "坊门街社区");
    assert_eq!(v["by_community"]["shuiting"]["name"], "水亭街社区");
}

#[test]
fn the_basic_site_as_written() {
    let site = Site::basic();
    let run = site.build_ok();
    assert_eq!(run.stderr, "");
    assert_basic_figures(&common::read_summary(&site.path("public")));
}

#[test]
fn utf8_with_a_bom() {
    let site = Site::basic();
    for (path, text) in BASIC {
        site.write(path, &format!("\u{feff}{text}"));
    }
    // TOML files and site.toml may carry one too.
    site.write(
        "site.toml",
        &format!(
            "\u{feff}{}",
            std::fs::read_to_string(site.path("site.toml")).expect("read")
        ),
    );
    site.write(
        "content/errands.toml",
        "\u{feff}[[errand]]\ndate = 2018-12-03\nsteward = \"ST-001\"\ncategory = \"代购药品\"\n",
    );
    // The BOM must not stick to the first header, or 编号 would be a missing column.
    let v = site.summary();
    assert_eq!(figures(&v), [3, 2, 4, 9, 2, 1, 1, 0, 0]);
    assert_eq!(community(&v, "fangmen"), [2, 2, 6, 1, 1, 0, 0, 0]);
    assert_eq!(community(&v, "shuiting"), [1, 2, 3, 1, 0, 1, 0, 0]);
    assert_eq!(v["by_community"]["fangmen"]["name"], "坊门街社区");
}

#[test]
fn gbk_without_a_bom() {
    let site = Site::basic();
    for (path, text) in BASIC {
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable, "{path} is all GBK");
        assert!(std::str::from_utf8(&bytes).is_err(), "{path} is not UTF-8");
        site.write_bytes(path, &bytes);
    }
    // FM-002 names its community by name: 坊门街社区 must decode to the same text.
    assert_basic_figures(&site.summary());
}

#[test]
fn gb18030_with_characters_outside_gbk() {
    let site = Site::basic();
    // 㙟 (U+365F, as in 㙟桥) has only a four-byte GB18030 code.
    let communities = COMMUNITIES_CSV.replace("水亭街社区", "㙟桥社区");
    let stewards = STEWARDS_CSV.replace("ST-001,郑卫国,shuiting", "ST-001,郑卫国,㙟桥社区");
    for (path, text) in [
        ("content/communities.csv", communities.as_str()),
        ("content/stewards.csv", stewards.as_str()),
    ] {
        let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
        assert!(!unmappable);
        site.write_bytes(path, &bytes);
    }
    let (toml, _, _) = encoding_rs::GB18030.encode(
        "[[visit]]\n\"日期\" = 2018-12-20\n\"红管家\" = \"ST-001\"\n\"户数\" = 6\n\"备注\" = \"㙟桥\"\n",
    );
    site.remove("content/visits.csv");
    site.write_bytes("content/visits.toml", &toml);
    let v = site.summary();
    assert_eq!(v["by_community"]["shuiting"]["name"], "㙟桥社区");
    assert_eq!(num(&v, "/by_community/shuiting/stewards"), 1);
    assert_eq!(num(&v, "/by_community/shuiting/households_visited"), 6);
}

#[test]
fn crlf_line_ends_in_csv_and_toml() {
    let site = Site::basic();
    for (path, text) in BASIC {
        site.write(path, &crlf(text));
    }
    // A quoted field holding a CRLF line break inside a CRLF file.
    site.write(
        "content/cases.csv",
        &crlf(
            "编号,日期,红管家,类别,事项,状态,办结日期,详情\n\
             C-001,2018-11-20,FM-001,楼道堆物,3幢楼道堆放纸箱,已解决,2018-11-22,\"第一行\n第二行\"\n\
             C-002,2018-12-10,ST-001,停车,小区夜间停车难,已转办,,\n",
        ),
    );
    site.write(
        "content/errands.toml",
        &crlf("[[errand]]\ndate = 2018-12-03\nsteward = \"ST-001\"\ncategory = \"代购药品\"\n"),
    );
    let v = site.summary();
    assert_eq!(figures(&v), [3, 2, 4, 9, 2, 1, 1, 0, 0]);
    assert_eq!(community(&v, "shuiting"), [1, 2, 3, 1, 0, 1, 0, 0]);
}

#[test]
fn english_headers_in_any_case_mixed_with_chinese_aliases() {
    let site = Site::basic();
    site.write(
        "content/communities.csv",
        "ID,名称,Party_Org,网格数,BUILDINGS,户数\n\
         fangmen,坊门街社区,社区党委,8,40,1600\n\
         shuiting,水亭街社区,社区党总支,6,30,1200\n",
    );
    site.write(
        "content/stewards.csv",
        "Id,姓名,COMMUNITY,联系楼幢,Membership,phone\n\
         FM-001,周明华,fangmen,3幢;5幢,在册,13905701111\n\
         FM-002,吴建英,坊门街社区,5幢,在职,\n\
         ST-001,郑卫国,shuiting,1幢、2幢,两新,\n",
    );
    site.write(
        "content/visits.csv",
        "DATE,红管家,Households,building,类型,NOTE\n\
         2018-11-20,FM-001,4,3幢,敲门日,\n\
         2018-11-21,FM-002,2,5幢,,\n\
         2018-12-10,ST-001,3,1幢,走访,\n",
    );
    site.write(
        "content/cases.csv",
        "编号,Date,STEWARD,类别,Summary,状态,RESOLVED\n\
         C-001,2018-11-20,FM-001,楼道堆物,3幢楼道堆放纸箱,已解决,2018-11-22\n\
         C-002,2018-12-10,ST-001,停车,小区夜间停车难,已转办,\n",
    );
    site.write(
        "content/meetings.toml",
        "[[meeting]]\nDate = 2018-12-20\n\"社区\" = \"fangmen\"\nATTENDEES = [\"FM-001\"]\n",
    );
    let run = site.build_ok();
    assert_eq!(run.stderr, "", "no header is unknown");
    let v = common::read_summary(&site.path("public"));
    assert_eq!(figures(&v), [3, 2, 4, 9, 2, 1, 0, 1, 0]);
    assert_eq!(num(&v, "/by_community/fangmen/buildings"), 40);
    assert_eq!(v["by_community"]["fangmen"]["party_org"], "社区党委");
}

#[test]
fn every_date_form() {
    let site = Site::basic();
    // Households are powers of two, so each sum tells which dates landed in which month.
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n\
         2018-12-10,FM-001,1\n\
         2018/12/10,FM-001,2\n\
         2018/1/5,FM-002,4\n\
         2018.12.10,ST-001,8\n\
         2018年12月10日,ST-001,16\n\
         2018年3月5日,ST-001,32\n",
    );
    site.remove("content/cases.csv");
    // TOML: native dates, and the text forms too.
    site.write(
        "content/cases.toml",
        "[[case]]\nid = \"C-1\"\ndate = 2018-06-20\nsteward = \"FM-001\"\ncategory = \"设施老化\"\n\
         summary = \"5幢楼道灯坏了\"\nstatus = \"已解决\"\nresolved = 2018-07-02\n\n\
         [[case]]\nid = \"C-2\"\ndate = \"2018/9/1\"\nsteward = \"FM-002\"\ncategory = \"停车\"\n\
         summary = \"车位不足\"\nstatus = \"已解决\"\nresolved = \"2018年9月3日\"\n",
    );
    site.write(
        "content/errands.csv",
        "日期,红管家,类别\n2018.06.01,FM-001,代缴费用\n",
    );
    let v = site.summary();
    assert_eq!(num(&v, "/households_visited"), 63);
    let months = keys(&v, "/by_month");
    assert_eq!(months.len(), 12, "2018-01 to 2018-12: {months:?}");
    assert_eq!(months.first().map(String::as_str), Some("2018-01"));
    assert_eq!(months.last().map(String::as_str), Some("2018-12"));
    assert_eq!(
        month(&v, "/by_month/2018-12"),
        [1 + 2 + 8 + 16, 4, 0, 0, 0, 0]
    );
    assert_eq!(month(&v, "/by_month/2018-01"), [4, 1, 0, 0, 0, 0]);
    assert_eq!(month(&v, "/by_month/2018-03"), [32, 1, 0, 0, 0, 0]);
    // A resolved case counts in the month it was raised and in the month it was resolved.
    assert_eq!(month(&v, "/by_month/2018-06"), [0, 0, 1, 0, 1, 0]);
    assert_eq!(month(&v, "/by_month/2018-07"), [0, 0, 0, 1, 0, 0]);
    assert_eq!(month(&v, "/by_month/2018-09"), [0, 0, 1, 1, 0, 0]);
    assert_eq!(month(&v, "/by_month/2018-05"), [0; 6]);
}

#[test]
fn every_list_separator() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别,队伍\n\
         FM-001,周明华,fangmen,3幢;5幢,在册,巡逻队；红色代办员\n\
         FM-002,吴建英,fangmen,5幢；7幢,在职,\n\
         ST-001,郑卫国,shuiting,1幢、2幢,两新,巡逻队|红色代办员\n\
         ST-002,冯丽娟,shuiting,2幢|4幢,在册,\n\
         ST-003,陈国平,shuiting,6幢;7幢；8幢、9幢|10幢,在册,\n",
    );
    site.write(
        "content/meetings.csv",
        "日期,社区,参会人员,议题\n\
         2018-12-20,fangmen,FM-001;FM-002,楼道堆物\n\
         2018-12-21,shuiting,ST-001；ST-002,停车\n\
         2018-12-22,shuiting,ST-001、ST-003,电瓶车充电\n\
         2018-12-23,shuiting,ST-002|ST-003,路灯\n",
    );
    let v = site.summary();
    // fangmen: 3 5 7; shuiting: 1 2 4 6 7 8 9 10.
    assert_eq!(num(&v, "/by_community/fangmen/buildings_covered"), 3);
    assert_eq!(num(&v, "/by_community/shuiting/buildings_covered"), 8);
    assert_eq!(num(&v, "/buildings_covered"), 11);
    assert_eq!(num(&v, "/meetings"), 4);
    assert_eq!(num(&v, "/stewards"), 5);
}

#[test]
fn a_building_label_in_two_communities_is_two_buildings() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\n\
         FM-001,周明华,fangmen,1幢,在册\n\
         FM-002,吴建英,fangmen,1幢,在职\n\
         ST-001,郑卫国,shuiting,1幢,两新\n",
    );
    let v = site.summary();
    assert_eq!(num(&v, "/buildings_covered"), 2);
}

#[test]
fn quoted_fields_hold_commas_quotes_and_line_breaks() {
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,办结日期,详情\n\
         C-001,2018-11-20,FM-001,\"停车,夜间\",\"3幢门口停车，\"\"僵尸车\"\"两辆\",已解决,2018-11-22,\"第一行\n第二行,仍是详情\"\n\
         C-002,2018-12-10,ST-001,\"电瓶车\"\"飞线\"\"充电\",\"楼道\n充电\",已转办,,\n\
         C-003,2018-12-11,ST-001,\"停车,夜间\",车位不足,待办,,\n",
    );
    let v = site.summary();
    assert_eq!(num(&v, "/cases"), 3);
    assert_eq!(num(&v, "/resolved"), 1);
    let categories: Vec<(String, u64)> = v["by_category"]
        .as_array()
        .expect("by_category")
        .iter()
        .map(|c| {
            (
                c["category"].as_str().expect("name").to_string(),
                c["cases"].as_u64().expect("cases"),
            )
        })
        .collect();
    assert_eq!(
        categories,
        [
            ("停车,夜间".to_string(), 2),
            ("电瓶车\"飞线\"充电".to_string(), 1)
        ]
    );
}

#[test]
fn empty_rows_are_skipped() {
    let site = Site::basic();
    site.write(
        "content/visits.csv",
        "\n,,,,,\n日期,红管家,户数,楼幢,类型,备注\n\n\
         2018-11-20,FM-001,4,3幢,敲门日,\n,,,,,\n  ,  , ,,,\n\n\
         2018-11-21,FM-002,2,5幢,,\n\
         2018-12-10,ST-001,3,1幢,走访,\n\n\n",
    );
    site.write(
        "content/communities.csv",
        "编号,名称\n\nfangmen,坊门街社区\n,\nshuiting,水亭街社区\n\n",
    );
    let v = site.summary();
    assert_eq!(figures(&v), BASIC_FIGURES);
    assert_eq!(num(&v, "/visits"), 3);
}

#[test]
fn spaces_around_fields_are_trimmed() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        " 编号 , 姓名 ,社区 , 联系楼幢,党员类别 \n\
         \u{20}FM-001 , 周明华 , fangmen ,  3幢 ; 5幢 , 在册 \n\
         FM-002,吴建英,  坊门街社区  ,5幢 ,在职\n\
         ST-001 ,郑卫国, shuiting,1幢 、 2幢, 两新\n",
    );
    site.write(
        "content/visits.csv",
        "日期 ,红管家,户数\n 2018-11-20 , FM-001 , 4 \n2018-11-21,FM-002 ,2\n2018-12-10 ,ST-001, 3\n",
    );
    let v = site.summary();
    assert_eq!(figures(&v), BASIC_FIGURES);
}

#[test]
fn unknown_columns_warn_once_per_file_and_are_never_published() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别,微信号,身份证号\n\
         FM-001,周明华,fangmen,3幢;5幢,在册,zmh-wx-1952,330802195203150011\n\
         FM-002,吴建英,坊门街社区,5幢,在职,wjy-wx-1975,330802197506200022\n\
         ST-001,郑卫国,shuiting,1幢、2幢,两新,,\n",
    );
    site.write(
        "content/errands.toml",
        "[[errand]]\ndate = 2018-12-03\nsteward = \"ST-001\"\ncategory = \"代购药品\"\n\
         \"门牌号\" = \"水亭街17号\"\n\n\
         [[errand]]\ndate = 2018-12-04\nsteward = \"ST-001\"\ncategory = \"代缴费用\"\n\
         \"门牌号\" = \"水亭街19号\"\nmemo = \"下午送到\"\n",
    );
    let expected = [
        "content/errands.toml:5: 警告：未知的字段“memo”“门牌号”，已忽略且不会公开",
        "content/stewards.csv:1: 警告：未知的列“微信号”“身份证号”，已忽略且不会公开",
    ];

    let check = site.check();
    check.assert_code(0);
    assert_eq!(check.err_lines(), expected);
    assert!(
        check.stdout.contains("另有 2 个警告"),
        "check counts the warnings:\n{}",
        check.stdout
    );

    let build = site.build_ok();
    assert_eq!(build.err_lines(), expected);
    let v = common::read_summary(&site.path("public"));
    assert_eq!(num(&v, "/stewards"), 3);
    assert_eq!(num(&v, "/errands"), 2);
    for (file, bytes) in common::tree(&site.path("public")) {
        let text = String::from_utf8_lossy(&bytes);
        for value in [
            "zmh-wx-1952",
            "wjy-wx-1975",
            "330802195203150011",
            "330802197506200022",
            "水亭街17号",
            "水亭街19号",
            "下午送到",
        ] {
            assert!(!text.contains(value), "{file} publishes {value}");
        }
    }
}

#[test]
fn site_toml_with_only_title_and_base_url() {
    let site = Site::basic();
    assert_eq!(
        std::fs::read_to_string(site.path("site.toml")).expect("site.toml"),
        "title = \"府山街道楼道红管家\"\nbase_url = \"https://example.org/fushan/\"\n"
    );
    let run = site.build_ok();
    assert_eq!(run.stderr, "");
    assert!(site.path("public/index.html").is_file());
    assert!(site.path("public/data/summary.json").is_file());
}

#[test]
fn optional_kinds_may_be_absent() {
    let site = Site::basic();
    for kind in ["errands", "meetings", "commendations", "bulletins", "pages"] {
        assert!(!site.path(&format!("content/{kind}")).exists());
        assert!(!site.path(&format!("content/{kind}.csv")).exists());
        assert!(!site.path(&format!("content/{kind}.toml")).exists());
    }
    let run = site.build_ok();
    assert_eq!(run.stderr, "");
    let v = common::read_summary(&site.path("public"));
    assert_eq!(num(&v, "/errands"), 0);
    assert_eq!(num(&v, "/meetings"), 0);
    assert_eq!(num(&v, "/commended"), 0);
    let check = site.check();
    check.assert_code(0);
    assert_eq!(check.stderr, "");
}

#[test]
fn communities_are_referenced_by_id_or_by_name() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\n\
         FM-001,周明华,fangmen,3幢,在册\n\
         FM-002,吴建英,坊门街社区,5幢,在职\n\
         ST-001,郑卫国,水亭街社区,1幢,两新\n\
         ST-002,冯丽娟,shuiting,2幢,在册\n\
         ST-003,陈国平,水亭街社区,4幢,在册\n",
    );
    site.write(
        "content/meetings.csv",
        "日期,社区,参会人员\n2018-12-20,坊门街社区,FM-001\n2018-12-21,shuiting,\n2018-12-22,水亭街社区,ST-001\n",
    );
    let v = site.summary();
    assert_eq!(num(&v, "/by_community/fangmen/stewards"), 2);
    assert_eq!(num(&v, "/by_community/shuiting/stewards"), 3);
    assert_eq!(num(&v, "/by_community/fangmen/meetings"), 1);
    assert_eq!(num(&v, "/by_community/shuiting/meetings"), 2);
    assert_eq!(num(&v, "/meetings"), 3);
}

#[test]
fn enumerated_values_in_english_synonyms() {
    let site = Site::basic();
    site.write(
        "content/stewards.csv",
        "id,name,community,buildings,membership\n\
         FM-001,周明华,fangmen,3幢,registered\n\
         FM-002,吴建英,fangmen,5幢,In-Service\n\
         ST-001,郑卫国,shuiting,1幢,NEW-ORG\n\
         ST-002,冯丽娟,shuiting,2幢,在册\n",
    );
    site.write(
        "content/cases.csv",
        "id,date,steward,category,summary,status,resolved\n\
         C-1,2018-11-01,FM-001,停车,车位不足,open,\n\
         C-2,2018-11-02,FM-001,停车,夜间乱停车,in-progress,\n\
         C-3,2018-11-03,FM-002,楼道堆物,楼道堆放杂物,escalated,\n\
         C-4,2018-11-04,ST-001,设施老化,路灯不亮,Resolved,2018-11-05\n\
         C-5,2018-11-05,ST-002,邻里纠纷,楼上漏水,answered,\n",
    );
    site.write(
        "content/visits.csv",
        "date,steward,households,kind\n\
         2018-11-20,FM-001,4,door-knocking\n\
         2018-11-21,FM-002,2,patrol\n\
         2018-11-22,ST-001,3,visit\n",
    );
    site.write(
        "content/errands.toml",
        "[[errand]]\ndate = 2018-11-25\nsteward = \"FM-001\"\ncategory = \"代缴费用\"\nstatus = \"done\"\n\n\
         [[errand]]\ndate = 2018-11-26\nsteward = \"ST-002\"\ncategory = \"代办证件\"\nstatus = \"in-progress\"\n",
    );
    let v = site.summary();
    assert_eq!(num(&v, "/by_membership/在册"), 2);
    assert_eq!(num(&v, "/by_membership/在职"), 1);
    assert_eq!(num(&v, "/by_membership/两新"), 1);
    assert_eq!(num(&v, "/cases"), 5);
    assert_eq!(num(&v, "/resolved"), 1);
    assert_eq!(num(&v, "/by_community/shuiting/resolved"), 1);
    assert_eq!(num(&v, "/visits"), 3);
    assert_eq!(num(&v, "/errands"), 2);
}

#[cfg(unix)]
#[test]
fn a_linked_file_in_a_kind_folder_is_read_like_the_file() {
    let site = Site::basic();
    site.remove("content/visits.csv");
    site.write(
        "exports/2018-11走访.csv",
        "日期,红管家,户数\n2018-11-20,FM-001,4\n2018-11-21,FM-002,2\n",
    );
    site.write(
        "content/visits/2018-12.csv",
        "日期,红管家,户数\n2018-12-10,ST-001,3\n",
    );
    std::os::unix::fs::symlink(
        "../../exports/2018-11走访.csv",
        site.path("content/visits/2018-11.csv"),
    )
    .expect("symlink");
    // A link to a folder is not followed.
    std::os::unix::fs::symlink("../../exports", site.path("content/visits/exports"))
        .expect("symlink");
    let run = site.build_ok();
    assert_eq!(run.stderr, "");
    assert_basic_figures(&common::read_summary(&site.path("public")));
}
