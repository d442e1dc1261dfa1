//! Measures the search index alone: how long building it takes and how big its files are,
//! for a site folder such as the synthetic city (see `scripts/bench.sh`).
//!
//! ```text
//! cargo run --release --example gen_sample -- bench-data/city --scale city
//! cargo run --release --example search_index -- bench-data/city [--runs 5] [--write DIR]
//! ```
//!
//! The site is read once; only `search::index_files` is timed, several times. With
//! `--write DIR` the index is also written under `DIR/search/`, to try queries in a browser
//! against a city-sized index without building the whole city site.

use std::path::Path;
use std::time::Instant;

use hongguanjia::diagnostics::Diagnostics;
use hongguanjia::search;
use hongguanjia::site::Site;

/// Processor time of the whole process so far (user + system, all threads), from
/// `/proc/self/stat`: on a busy shared machine it says what the work costs when wall time
/// does not. Zero where there is no `/proc`.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime: fields 14 and 15 of the line, counted from the state (field 3).
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.first() else {
        eprintln!("用法：search_index <站点文件夹> [--write 输出文件夹]");
        std::process::exit(2);
    };
    let write_to = args
        .iter()
        .position(|a| a == "--write")
        .and_then(|i| args.get(i + 1));
    let mut diags = Diagnostics::new();
    let t = Instant::now();
    let Some(site) = Site::load(Path::new(root), &mut diags) else {
        eprintln!("{root}: 站点有错误，先运行 hongguanjia check");
        std::process::exit(1);
    };
    println!(
        "读取站点 {:.2} s：{} 个社区，{} 名红管家",
        t.elapsed().as_secs_f64(),
        site.communities(),
        site.stewards()
    );
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut files = Vec::new();
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(5)
        .max(1);
    for _ in 0..runs {
        let (t, c) = (Instant::now(), cpu_seconds());
        files = search::index_files(&site);
        times.push(t.elapsed().as_secs_f64());
        cpu.push(cpu_seconds() - c);
    }
    times.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    let index = files
        .iter()
        .find(|f| f.path == "search/index.js")
        .map_or(0, |f| f.bytes.len());
    let shards: Vec<usize> = files
        .iter()
        .filter(|f| f.path.starts_with("search/s/"))
        .map(|f| f.bytes.len())
        .collect();
    let total: usize = files.iter().map(|f| f.bytes.len()).sum();
    let largest = shards.iter().max().copied().unwrap_or(0);
    println!("楼幢 {} 幢", site.buildings());
    println!(
        "生成索引（{runs} 次）：用时最快 {:.3} s，中位 {:.3} s，最慢 {:.3} s；处理器时间（所有线程）中位 {:.2} s",
        times[0],
        times[runs / 2],
        times[runs - 1],
        cpu[runs / 2]
    );
    println!(
        "文件 {} 个，共 {:.1} MB；index.js {:.1} KB；分片 {} 个，最大 {:.1} KB，平均 {:.1} KB",
        files.len(),
        total as f64 / 1e6,
        index as f64 / 1024.0,
        shards.len(),
        largest as f64 / 1024.0,
        shards.iter().sum::<usize>() as f64 / shards.len().max(1) as f64 / 1024.0
    );
    println!(
        "一次查询最多下载：一个词 {:.0} KB，两个词 {:.0} KB（index.js + 每个词一个分片）",
        (index + largest) as f64 / 1024.0,
        (index + 2 * largest) as f64 / 1024.0
    );
    if let Some(dir) = write_to {
        for f in &files {
            let path = Path::new(dir).join(&f.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("create folder");
            }
            std::fs::write(&path, &f.bytes).expect("write file");
        }
        println!("已写入 {dir}/search/");
    }
}
