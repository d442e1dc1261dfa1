//! Every form docs/privacy.md lists, one test per row of its tables: typed into a case's
//! public summary, it is masked (or cut back to the stairwell) in every output file and
//! reported at its line showing only the masked text. Then what stays public, courtesy
//! names and place names, numbers of every kind in random forms in random public fields,
//! and a private column's value typed into public text.

mod common;

use common::{COMMUNITIES_CSV, SITE_TOML, Site};

/// The basic site with one case whose summary is `summary` (and a resident's name, so
/// that name rules have something to do).
fn with_summary(summary: &str) -> Site {
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        &format!(
            "编号,日期,红管家,类别,事项,状态,居民\nC-1,2018-11-20,FM-001,停车,\"{}\",待办,钱桂兰\n",
            summary.replace('"', "\"\"")
        ),
    );
    site
}

/// Each form typed in a summary: the warning at the case's line shows `shown` and says
/// what it found, the output has `shown` and none of `typed`.
fn masked(typed: &str, shown: &str, label: &str) {
    let site = with_summary(&format!("住户反映：{typed}。"));
    let run = site.check();
    run.assert_code(0);
    let line = run
        .err_lines()
        .into_iter()
        .find(|l| l.starts_with("content/cases.csv:2: 警告：事项: 含有"))
        .unwrap_or_else(|| panic!("no warning for {typed}\n{}", run.stderr))
        .to_string();
    assert!(
        line.contains(&format!("含有{label}")) && line.contains(&format!("住户反映：{shown}。")),
        "{typed}: {line}"
    );
    assert!(!run.stderr.contains(typed), "a message repeats {typed}");
    site.build_ok();
    let out = site.output_text();
    assert!(!out.contains(typed), "published: {typed}");
    assert!(
        out.contains(&format!("住户反映：{shown}。")),
        "{typed}: not shown as {shown}"
    );
}

/// One test per row of the table of docs/privacy.md, section 2, with each example of it.
macro_rules! rows {
    ($($name:ident: $label:literal => [$(($typed:literal, $shown:literal)),+ $(,)?];)+) => {
        $(
            #[test]
            fn $name() {
                $(masked($typed, $shown, $label);)+
            }
        )+
    };
}

rows! {
    mobile: "手机号" => [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("138.1234.5679", "138****5679"),
    ];
    mobile_in_brackets: "手机号" => [
        ("(138)12345678", "138****5678"),
        ("（138）12345678", "138****5678"),
    ];
    mobile_full_width_and_country_code: "手机号" => [
        ("１３８１２３４５６７８", "138****5678"),
        ("＋86 138-1234-5678", "138****5678"),
        ("0086 13812345678", "138****5678"),
    ];
    mobile_in_chinese_numerals: "手机号" => [
        ("一三八一二三四五六七八", "138****5678"),
        ("幺三八幺二三四五六七八", "138****5678"),
    ];
    landline: "固定电话" => [
        ("0570-8012346", "0570-*****46"),
        ("0570 8012346", "0570-*****46"),
        ("05708012346", "0570-*****46"),
    ];
    landline_area_code_in_brackets: "固定电话" => [
        ("(0570)8012345", "0570-*****45"),
        ("（0570）8012345", "0570-*****45"),
        ("【0570】8012345", "0570-*****45"),
        ("[0570] 8012345", "0570-*****45"),
        ("〔0570〕8012345", "0570-*****45"),
    ];
    id_number: "身份证号" => [
        ("330802195001011234", "330802********1234"),
        ("330802 19500101 1234", "330802********1234"),
        ("330802-19500101-1234", "330802********1234"),
    ];
    old_id_number: "身份证号" => [
        ("330802500101123", "330802******123"),
    ];
    bank_card: "银行卡号" => [
        ("6222021234567890128", "6222****0128"),
        ("6222 0212 3456 7890 128", "6222****0128"),
    ];
    email: "电子邮箱" => [
        ("zhang.san@example.com", "z***@example.com"),
        ("zhang＠qq.com", "z***@qq.com"),
    ];
    wechat_by_label: "微信号" => [
        ("微信：zhang_1958", "微信：z***"),
        ("wx: wang-xiao-ming", "wx: w***"),
    ];
    wechat_by_form: "微信号" => [
        ("wxid_abc123def", "wxid_***"),
    ];
    qq_by_label: "QQ号" => [
        ("QQ：12345678", "QQ：12****78"),
        ("扣扣 98765", "扣扣 *****"),
    ];
    plate: "车牌号" => [
        ("浙H·12345", "浙H·*****"),
        ("浙H12346", "浙H*****"),
        ("浙AD12345", "浙A******"),
    ];
    room_after_the_stairwell: "室号" => [
        ("12幢3单元502室", "12幢3单元"),
        ("3单元 502", "3单元"),
        ("12幢502室", "12幢"),
        ("3单元2楼", "3单元"),
    ];
    building_unit_room: "室号" => [
        ("5-2-301", "5幢2单元"),
        ("5-2-301室", "5幢2单元"),
        ("12幢3-502", "12幢3单元"),
    ];
    room_alone: "室号" => [
        ("502室", "***室"),
    ];
}

/// The site's own numbers, 400/800 numbers, hotlines, counts and dates stay as written,
/// with no warning.
#[test]
fn public_numbers_and_ordinary_numbers_stay_public() {
    let text = "热线12345，供电95598，客服400-820-8820，组织办0570-3020000，fsjd@example.gov.cn，2018-12-10走访300户，12幢3单元，3室2厅";
    let site = with_summary(text);
    site.write(
        "site.toml",
        &format!(
            "{SITE_TOML}\n[footer]\nphone = \"0570-3020000\"\nemail = \"fsjd@example.gov.cn\"\n"
        ),
    );
    let run = site.check();
    run.assert_code(0);
    assert!(!run.stderr.contains("事项"), "{}", run.stderr);
    site.build_ok();
    assert!(site.output_text().contains(text));
}

/// The roster of the issue: residents 王秀英, 李国强, 陈立新, 张建华 and 金华, 长春; the
/// steward 张建军 (FM-001) is called 张师傅 in his own case.
fn courtesy_site() -> Site {
    let site = Site::empty();
    site.write("site.toml", SITE_TOML);
    site.write("content/communities.csv", COMMUNITIES_CSV);
    site.write(
        "content/stewards.csv",
        "编号,姓名,社区,联系楼幢,党员类别\nFM-001,张建军,fangmen,3幢,在册\nFM-002,吴建英,fangmen,5幢,在职\n",
    );
    site.write(
        "content/visits.csv",
        "日期,红管家,户数\n2018-11-20,FM-001,4\n",
    );
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,居民\n\
         C-1,2018-11-20,FM-002,停车,王阿姨反映李大爷的车停在楼道口,待办,王秀英\n\
         C-2,2018-11-21,FM-002,楼道堆物,老陈家门口堆物，张师傅来看过,待办,李国强\n\
         C-3,2018-11-22,FM-001,设施老化,张师傅上门修好了路灯,已反馈,陈立新\n\
         C-4,2018-11-22,FM-001,设施老化,金华市来的租户反映长春路口积水，金华路过时看到,待办,张建华\n\
         C-5,2018-11-23,FM-002,停车,长春路停车难,待办,金华\n\
         C-6,2018-11-23,FM-002,停车,老党员在小区里帮忙,待办,长春\n",
    );
    site
}

#[test]
fn courtesy_names_of_residents_are_masked_and_a_stewards_own_title_stays() {
    let site = courtesy_site();
    let run = site.check();
    run.assert_code(0);
    run.assert_line(
        "content/cases.csv:2: 警告：事项: 含有对居民的称呼（记录里有同姓的居民：content/cases.csv:2 居民、content/cases.csv:3 居民），公开时已遮盖：王**反映李**的车停在楼道口；如果写的是红管家，请写红管家的全名",
    );
    run.assert_line(
        "content/cases.csv:3: 警告：事项: 含有对居民的称呼（记录里有同姓的居民：content/cases.csv:4 居民、content/cases.csv:5 居民），公开时已遮盖：老*家门口堆物，张**来看过；如果写的是红管家，请写红管家的全名",
    );
    site.build_ok();
    let out = site.output_text();
    for courtesy in ["王阿姨", "李大爷", "老陈", "张师傅来看过"] {
        assert!(!out.contains(courtesy), "published: {courtesy}");
    }
    // FM-001 张建军's own case: his title stays. Common words are no courtesy names.
    assert!(out.contains("张师傅上门修好了路灯"));
    assert!(out.contains("老党员在小区里帮忙"));
}

#[test]
fn a_residents_name_before_a_places_suffix_reads_as_the_place_with_one_warning() {
    let site = courtesy_site();
    let run = site.check();
    run.assert_code(0);
    run.assert_line(
        "content/cases.csv:6: 警告：居民: 这个名字在公开文字里有 1 处紧跟着地名用字，按地名照原样公开了（如 content/cases.csv:5 的“金华市”）；如果其中有写这位居民的，请在 site.toml 的 [privacy] 里写 mask_words = [\"金华市\"]，都是地名的话写 keep_words = [\"金华市\"]，这条提示就不再出现",
    );
    run.assert_line(
        "content/cases.csv:7: 警告：居民: 这个名字在公开文字里有 1 处紧跟着地名用字，按地名照原样公开了（如 content/cases.csv:6 的“长春路”）；如果其中有写这位居民的，请在 site.toml 的 [privacy] 里写 mask_words = [\"长春路\"]，都是地名的话写 keep_words = [\"长春路\"]，这条提示就不再出现",
    );
    site.build_ok();
    let out = site.output_text();
    // The places read as written, and so do the guard's pages; the person is masked.
    assert!(
        out.contains("金华市来的租户反映长*路口积水，金*路过时看到"),
        "{out}"
    );
    assert!(out.contains("长春路停车难"));

    // The office's own words: kept, or masked though a suffix follows.
    site.write(
        "site.toml",
        &format!(
            "{SITE_TOML}\n[privacy]\nkeep_words = [\"金华市\"]\nmask_words = [\"长春路停\"]\n"
        ),
    );
    let run = site.check();
    run.assert_code(0);
    assert!(!run.stderr.contains("紧跟着地名用字"), "{}", run.stderr);
    site.build_ok();
    let out = site.output_text();
    assert!(out.contains("金华市来的租户"));
    assert!(out.contains("长*路停车难"), "{out}");
}

/// A private column's value typed the same into public text never reaches the output:
/// masked where it is a recognised form, and the build stopped where it is not.
#[test]
fn a_private_columns_value_typed_into_public_text_never_reaches_the_output() {
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,居民,联系电话,详情\n\
         C-1,2018-11-20,FM-001,停车,回电13705703333,待办,钱桂兰,13705703333,\n\
         C-2,2018-11-21,FM-001,停车,回电（0570）8012345,待办,孙小梅,0570-8012345,\n",
    );
    site.build_ok();
    let out = site.output_text();
    for private in ["13705703333", "8012345"] {
        assert!(!out.contains(private), "published: {private}");
    }

    // A number no form recognises (a local number), or a detail copied whole into the
    // summary: the guard stops the build, naming the record it came from.
    for (row, private) in [
        (
            "C-3,2018-11-22,FM-001,停车,回电8012399,待办,,,李四光,8012399,",
            "联系电话: 这个不公开的值（80****99）",
        ),
        (
            "C-3,2018-11-22,FM-001,停车,三楼东边那户老人独居,待办,,,,,三楼东边那户老人独居",
            "详情: 这个不公开的值（三******）",
        ),
    ] {
        let site = Site::basic();
        site.append_line("content/cases.csv", row);
        let run = site.build(&[]);
        run.assert_code(1);
        assert!(
            run.stderr
                .contains(&format!("content/cases.csv:4: {private}出现在了生成的")),
            "{}",
            run.stderr
        );
        assert!(!site.path("public").exists(), "something was written");
    }
}

/// The guard reads a private number in every form masking reads: a file of the site's
/// own that writes it in Chinese numerals, with brackets or with dots stops the build.
#[test]
fn the_guard_reads_numbers_as_masking_does() {
    for written in ["一三七〇五七〇三三三三", "(137)0570-3333", "137.0570.3333"] {
        let site = Site::basic();
        site.write("static/名单.txt", &format!("回访：{written}"));
        let run = site.build(&[]);
        run.assert_code(1);
        assert!(
            run.stderr.contains(
                "content/cases.csv:2: 联系电话: 这个不公开的值（137****3333）出现在了生成的 名单.txt 里"
            ),
            "{written}: {}",
            run.stderr
        );
    }
    // A landline of the private column, its area code in brackets.
    let site = Site::basic();
    site.write(
        "content/cases.csv",
        "编号,日期,红管家,类别,事项,状态,联系电话\nC-1,2018-11-20,FM-001,停车,停车难,待办,0570-8012345\n",
    );
    site.write("static/名单.txt", "回访：（0570）8012345");
    let run = site.build(&[]);
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("联系电话: 这个不公开的值（057****2345）出现在了生成的 名单.txt 里"),
        "{}",
        run.stderr
    );
}

mod random_forms {
    //! Numbers of every kind written in random forms into random public fields of a small
    //! site: none survives in any output file, digits compared after NFKC and Chinese
    //! numerals, separators between digits taken out.

    use super::common::{COMMUNITIES_CSV, SITE_TOML, Site, tree};
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    /// The digits of `n` with the check digit GB 11643 gives it.
    fn id_check(first17: &str) -> char {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17
            .chars()
            .zip(W)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        char::from(b"10X98765432"[(sum % 11) as usize])
    }

    fn luhn_check(first: &str) -> char {
        let sum: u32 = first
            .chars()
            .rev()
            .enumerate()
            .map(|(i, c)| {
                let d = c.to_digit(10).unwrap_or(0);
                if i % 2 == 0 {
                    let x = d * 2;
                    if x > 9 { x - 9 } else { x }
                } else {
                    d
                }
            })
            .sum();
        char::from_digit((10 - sum % 10) % 10, 10).unwrap_or('0')
    }

    /// A number of one kind: its digits, and the groups it is written in.
    fn number() -> impl Strategy<Value = (String, Vec<usize>)> {
        prop_oneof![
            "1[3-9][0-9]{9}".prop_map(|d| (d, vec![3, 4, 4])),
            "0[3-9][0-9]{2}[2-8][0-9]{6}".prop_map(|d| (d, vec![4, 7])),
            "0(10|2[0-9])[2-8][0-9]{7}".prop_map(|d| (d, vec![3, 8])),
            "[1-6][0-9]{5}(19[5-9][0-9]|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}"
                .prop_map(|d| {
                    let id = format!("{d}{}", id_check(&d));
                    (id, vec![6, 8, 4])
                }),
            "[1-6][0-9]{5}[5-9][0-9](0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}"
                .prop_map(|d| (d, vec![6, 6, 3])),
            "62[0-9]{16}".prop_map(|d| {
                let card = format!("{d}{}", luhn_check(&d));
                (card, vec![4, 4, 4, 4, 3])
            }),
        ]
    }

    /// How a digit is typed.
    fn digit_form(c: char, form: u8) -> char {
        let d = c.to_digit(10).unwrap_or(0) as usize;
        match form {
            1 => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            2 => ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'][d],
            _ => c,
        }
    }

    /// The number as someone might type it: each digit in a form, the groups apart or
    /// not, an area code in brackets.
    fn typed() -> impl Strategy<Value = (String, String)> {
        (
            number(),
            proptest::collection::vec(0u8..3, 19),
            prop::sample::select(vec!["", " ", "-", "－", "\u{3000}", ".", "—"]),
            prop::sample::select(vec![("", ""), ("(", ")"), ("（", "）"), ("【", "】")]),
            any::<bool>(),
        )
            .prop_map(
                |((digits, groups), forms, sep, (open, close), chinese_ok)| {
                    let landline = digits.starts_with('0');
                    let mut typed = String::new();
                    let mut at = 0;
                    for (g, len) in groups.iter().enumerate() {
                        let group: String = digits[at..at + len]
                            .chars()
                            .zip(&forms[at..at + len])
                            .map(|(c, f)| {
                                // Chinese numerals are how phone numbers are read out; an
                                // ID or card is typed in digits.
                                let phone = digits.len() <= 12;
                                let f = if *f == 2 && !(phone && chinese_ok) {
                                    0
                                } else {
                                    *f
                                };
                                digit_form(c, f)
                            })
                            .collect();
                        if g == 0 && landline && !open.is_empty() {
                            typed.push_str(&format!("{open}{group}{close}"));
                        } else {
                            if g > 0 && !(landline && !open.is_empty() && g == 1) {
                                typed.push_str(sep);
                            }
                            typed.push_str(&group);
                        }
                        at += len;
                    }
                    (typed, digits)
                },
            )
    }

    /// The public fields a number may be typed into.
    #[derive(Debug, Clone, Copy)]
    enum Field {
        Summary,
        Category,
        Topic,
        Specialty,
        Workplace,
        Citation,
        BulletinTitle,
        BulletinBody,
        PageBody,
    }

    fn field() -> impl Strategy<Value = Field> {
        prop::sample::select(vec![
            Field::Summary,
            Field::Category,
            Field::Topic,
            Field::Specialty,
            Field::Workplace,
            Field::Citation,
            Field::BulletinTitle,
            Field::BulletinBody,
            Field::PageBody,
        ])
    }

    fn site_with(numbers: &[(String, Field)]) -> Site {
        let texts = |f: Field| -> String {
            let mut out = String::from("联系");
            for (typed, _) in numbers
                .iter()
                .filter(|(_, g)| std::mem::discriminant(g) == std::mem::discriminant(&f))
            {
                out.push_str(typed);
                out.push('，');
            }
            out.replace('"', "")
        };
        let site = Site::empty();
        site.write("site.toml", SITE_TOML);
        site.write("content/communities.csv", COMMUNITIES_CSV);
        site.write(
            "content/stewards.csv",
            &format!(
                "编号,姓名,社区,联系楼幢,党员类别,特长,工作单位\nFM-001,周明华,fangmen,3幢,在册,\"{}\",\"{}\"\n",
                texts(Field::Specialty),
                texts(Field::Workplace)
            ),
        );
        site.write(
            "content/visits.csv",
            "日期,红管家,户数\n2018-11-20,FM-001,4\n",
        );
        site.write(
            "content/cases.csv",
            &format!(
                "编号,日期,红管家,类别,事项,状态\nC-1,2018-11-20,FM-001,\"{}\",\"{}\",待办\n",
                texts(Field::Category),
                texts(Field::Summary)
            ),
        );
        site.write(
            "content/meetings.csv",
            &format!(
                "日期,社区,议题\n2018-11-25,fangmen,\"{}\"\n",
                texts(Field::Topic)
            ),
        );
        site.write(
            "content/commendations.toml",
            &format!(
                "[[batch]]\nid = \"2018-1\"\ntitle = \"第一批\"\ndate = 2018-12-01\nstewards = [\"FM-001\"]\n[batch.citations]\n\"FM-001\" = \"{}\"\n",
                texts(Field::Citation)
            ),
        );
        site.write(
            "content/bulletins/b1.md",
            &format!(
                "+++\ntitle = \"{}\"\ndate = 2018-12-10\n+++\n{}\n",
                texts(Field::BulletinTitle),
                texts(Field::BulletinBody)
            ),
        );
        site.write(
            "content/pages/about.md",
            &format!("+++\ntitle = \"关于\"\n+++\n{}\n", texts(Field::PageBody)),
        );
        site
    }

    fn numeral(c: char) -> char {
        match c {
            '〇' | '零' => '0',
            '一' | '幺' => '1',
            '二' => '2',
            '三' => '3',
            '四' => '4',
            '五' => '5',
            '六' => '6',
            '七' => '7',
            '八' => '8',
            '九' => '9',
            c => c,
        }
    }

    /// The digit runs of a text after NFKC and Chinese numerals, anything but letters and
    /// Chinese characters between two digits (separators, brackets) taken out.
    fn digit_runs(text: &str) -> Vec<String> {
        let folded: String = text.nfkc().map(numeral).collect();
        let mut runs = vec![String::new()];
        let mut gap = 0;
        for c in folded.chars() {
            if c.is_ascii_digit() || (c == 'X' && runs.last().is_some_and(|r| r.len() == 17)) {
                if let Some(r) = runs.last_mut() {
                    r.push(c);
                }
                gap = 0;
            } else if !c.is_alphanumeric() && !c.is_whitespace() && gap < 2
                || c.is_whitespace() && gap < 2
            {
                gap += 1;
            } else {
                runs.push(String::new());
                gap = 0;
            }
        }
        runs.retain(|r| !r.is_empty());
        runs
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

        #[test]
        fn no_number_survives_in_any_output_file(
            numbers in proptest::collection::vec((typed(), field()), 1..6),
        ) {
            let placed: Vec<(String, Field)> =
                numbers.iter().map(|((typed, _), f)| (typed.clone(), *f)).collect();
            let site = site_with(&placed);
            let run = site.build(&[]);
            prop_assert_eq!(run.code, 0, "{}", run.stderr);
            let files = tree(&site.path("public"));
            for (path, bytes) in &files {
                let text = String::from_utf8_lossy(bytes);
                let runs = digit_runs(&text);
                for ((typed, digits), _) in &numbers {
                    prop_assert!(
                        !runs.iter().any(|r| r.contains(digits.as_str())),
                        "{} (typed {}) survives in {}", digits, typed, path
                    );
                }
            }
        }
    }
}
