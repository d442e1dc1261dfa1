//! Splits a site by subdistrict into member sites, one folder per subdistrict, and lists
//! them in `OUT/members.tsv` (id, name, district, communities):
//!
//! ```text
//! cargo run --release --example split_by_subdistrict -- SITE OUT
//! ```
//!
//! `scripts/exactness.sh` builds the members, rolls them up and compares the figures with
//! the whole site's.

mod split;

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [site, out] = args.as_slice() else {
        eprintln!("用法：split_by_subdistrict <站点文件夹> <输出文件夹>");
        std::process::exit(2);
    };
    let out = Path::new(out);
    match split::split(Path::new(site), out) {
        Ok(parts) => {
            let mut list = String::new();
            for p in &parts {
                list.push_str(&format!(
                    "{}\t{}\t{}\t{}\n",
                    p.id, p.name, p.district, p.communities
                ));
            }
            if let Err(e) = std::fs::write(out.join("members.tsv"), list) {
                eprintln!("split_by_subdistrict：{e}");
                std::process::exit(1);
            }
            println!(
                "split_by_subdistrict：{} 个街道，写入 {}",
                parts.len(),
                out.display()
            );
        }
        Err(e) => {
            eprintln!("split_by_subdistrict：{e}");
            std::process::exit(1);
        }
    }
}
