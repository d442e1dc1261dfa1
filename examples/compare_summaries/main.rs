//! Compares a roll-up's figures with the whole site's and exits non-zero on any
//! difference:
//!
//! ```text
//! compare_summaries WHOLE/data/summary.json ROLLUP/data/summary.json subdistrict|district [MEMBER/data/summary.json…]
//! ```
//!
//! The members' summaries (the lowest level's) are compared community by community.

mod compare;

use std::path::Path;

use serde_json::Value;

fn read(path: &str) -> Value {
    let text = std::fs::read(Path::new(path)).unwrap_or_else(|e| {
        eprintln!("compare_summaries：无法读取 {path}：{e}");
        std::process::exit(2);
    });
    serde_json::from_slice(&text).unwrap_or_else(|e| {
        eprintln!("compare_summaries：{path} 不是 JSON：{e}");
        std::process::exit(2);
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [whole, rolled, group, members @ ..] = args.as_slice() else {
        eprintln!(
            "用法：compare_summaries <整体 summary.json> <汇总 summary.json> subdistrict|district [成员 summary.json…]"
        );
        std::process::exit(2);
    };
    let whole = read(whole);
    let rolled_v = read(rolled);
    let bottom: Vec<Value> = members.iter().map(|m| read(m)).collect();
    let diffs = compare::differences(&whole, &rolled_v, group, &bottom);
    if diffs.is_empty() {
        println!(
            "一致：{rolled} 的 {} 个数字与整体站点相同（{} 个成员，逐社区核对 {} 个成员站点）",
            compare::figure_count(&whole),
            rolled_v["members"].as_array().map_or(0, Vec::len),
            bottom.len()
        );
    } else {
        for d in &diffs {
            println!("不同：{d}");
        }
        println!("{rolled}：{} 处不同", diffs.len());
        std::process::exit(1);
    }
}
