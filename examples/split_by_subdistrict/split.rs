//! Splits one site by subdistrict into member sites: one site folder per subdistrict
//! holding only its communities' rows of every records file, its stewards' commendations
//! and the whole site's settings. Building each and rolling them up must give the figures
//! of the whole site (`scripts/exactness.sh`, `tests/rollup.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// One member site written.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// Folder name under the output folder: the subdistrict's id.
    pub(crate) id: String,
    pub(crate) name: String,
    /// Its 区县, when the records give one.
    pub(crate) district: String,
    pub(crate) communities: usize,
    pub(crate) folder: PathBuf,
}

struct Table {
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

fn read_csv(path: &Path) -> Result<Table, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}：{e}", path.display()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for row in reader.records() {
        rows.push(row.map_err(|e| format!("{}：{e}", path.display()))?);
    }
    if rows.is_empty() {
        return Err(format!("{}：文件是空的", path.display()));
    }
    let header = rows
        .remove(0)
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    Ok(Table { header, rows })
}

impl Table {
    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn write(&self, path: &Path, keep: impl Fn(&csv::StringRecord) -> bool) -> Result<(), String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let io = |e: csv::Error| format!("{}：{e}", path.display());
        w.write_record(&self.header).map_err(io)?;
        for row in self.rows.iter().filter(|r| keep(r)) {
            w.write_record(row).map_err(io)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| format!("{}：{e}", path.display()))?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("{}：{e}", dir.display()))?;
        }
        fs::write(path, bytes).map_err(|e| format!("{}：{e}", path.display()))
    }
}

fn cell(row: &csv::StringRecord, col: usize) -> &str {
    row.get(col).unwrap_or("").trim()
}

/// Every `.csv` under `content/`, relative to it, sorted.
fn csv_files(content: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut stack = vec![content.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| format!("{}：{e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "csv") {
                out.push(path.strip_prefix(content).unwrap_or(&path).to_path_buf());
            } else if path.extension().is_some_and(|e| e == "toml" || e == "xlsx")
                && path.file_name().is_some_and(|n| n != "commendations.toml")
            {
                return Err(format!(
                    "{}：拆分只支持 CSV 记录（和 commendations.toml），请先把记录存成 CSV",
                    path.display()
                ));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Splits the site under `site` into `out/<subdistrict id>/`, one member site each.
pub(crate) fn split(site: &Path, out: &Path) -> Result<Vec<Part>, String> {
    let content = site.join("content");
    let communities = read_csv(&content.join("communities.csv"))?;
    let (Some(c_id), Some(c_name)) = (communities.col("编号"), communities.col("名称")) else {
        return Err("communities.csv 缺少“编号”或“名称”列".to_string());
    };
    let Some(c_sub) = communities.col("街道") else {
        return Err("communities.csv 没有“街道”列，无法按街道拆分".to_string());
    };
    let c_district = communities.col("区县");

    // Subdistricts by id, in the order of subdistricts.csv, else of first appearance.
    let mut parts: Vec<Part> = Vec::new();
    let mut key_of: BTreeMap<String, usize> = BTreeMap::new();
    let records = content.join("subdistricts.csv");
    let subdistricts = if records.is_file() {
        Some(read_csv(&records)?)
    } else {
        None
    };
    if let Some(t) = &subdistricts {
        let (Some(s_id), Some(s_name)) = (t.col("编号"), t.col("名称")) else {
            return Err("subdistricts.csv 缺少“编号”或“名称”列".to_string());
        };
        let s_district = t.col("区县");
        for row in &t.rows {
            let i = parts.len();
            key_of.insert(cell(row, s_id).to_string(), i);
            key_of.insert(cell(row, s_name).to_string(), i);
            parts.push(Part {
                id: cell(row, s_id).to_string(),
                name: cell(row, s_name).to_string(),
                district: s_district
                    .map(|c| cell(row, c).to_string())
                    .unwrap_or_default(),
                communities: 0,
                folder: out.join(cell(row, s_id)),
            });
        }
    }
    // Community id and name → part.
    let mut community: BTreeMap<String, usize> = BTreeMap::new();
    for row in &communities.rows {
        let sub = cell(row, c_sub);
        let part = match key_of.get(sub) {
            Some(&i) => i,
            None if subdistricts.is_none() && !sub.is_empty() => {
                let i = parts.len();
                let id = format!("s{:02}", i + 1);
                key_of.insert(sub.to_string(), i);
                parts.push(Part {
                    folder: out.join(&id),
                    id,
                    name: sub.to_string(),
                    district: String::new(),
                    communities: 0,
                });
                i
            }
            None => {
                return Err(format!(
                    "communities.csv：社区“{}”的街道“{sub}”不认识",
                    cell(row, c_name)
                ));
            }
        };
        if let Some(c) = c_district
            && parts[part].district.is_empty()
        {
            parts[part].district = cell(row, c).to_string();
        }
        parts[part].communities += 1;
        community.insert(cell(row, c_id).to_string(), part);
        community.insert(cell(row, c_name).to_string(), part);
    }

    let stewards = read_csv(&content.join("stewards.csv"))?;
    let (Some(s_id), Some(s_comm)) = (stewards.col("编号"), stewards.col("社区")) else {
        return Err("stewards.csv 缺少“编号”或“社区”列".to_string());
    };
    let mut steward: BTreeMap<String, usize> = BTreeMap::new();
    for row in &stewards.rows {
        if let Some(&p) = community.get(cell(row, s_comm)) {
            steward.insert(cell(row, s_id).to_string(), p);
        }
    }

    if out.exists() {
        fs::remove_dir_all(out).map_err(|e| format!("{}：{e}", out.display()))?;
    }
    for rel in csv_files(&content)? {
        let read;
        let table = if rel == Path::new("communities.csv") {
            &communities
        } else {
            read = read_csv(&content.join(&rel))?;
            &read
        };
        // Which part a row belongs to: the column that ties it to one, and how to read it.
        let (col, owner) = if rel == Path::new("subdistricts.csv") {
            (table.col("编号").unwrap_or(0), &key_of)
        } else if rel == Path::new("communities.csv") {
            (c_id, &community)
        } else if let Some(c) = table.col("红管家") {
            (c, &steward)
        } else if let Some(c) = table.col("社区") {
            (c, &community)
        } else {
            return Err(format!(
                "{}：没有“红管家”或“社区”列，不知道每一行属于哪个街道",
                rel.display()
            ));
        };
        for (i, part) in parts.iter().enumerate() {
            table.write(&part.folder.join("content").join(&rel), |r| {
                owner.get(cell(r, col)) == Some(&i)
            })?;
        }
    }

    let commendations = content.join("commendations.toml");
    let settings = fs::read_to_string(site.join("site.toml"))
        .map_err(|e| format!("{}：{e}", site.join("site.toml").display()))?;
    let settings: toml::Table = toml::from_str(&settings).map_err(|e| format!("site.toml：{e}"))?;
    for (i, part) in parts.iter().enumerate() {
        if commendations.is_file() {
            let text = fs::read_to_string(&commendations).map_err(|e| e.to_string())?;
            let mine: BTreeSet<&str> = steward
                .iter()
                .filter(|(_, p)| **p == i)
                .map(|(s, _)| s.as_str())
                .collect();
            fs::write(
                part.folder.join("content/commendations.toml"),
                commendations_of(&text, &mine)?,
            )
            .map_err(|e| e.to_string())?;
        }
        fs::write(part.folder.join("site.toml"), settings_of(&settings, part)?)
            .map_err(|e| e.to_string())?;
    }
    Ok(parts)
}

/// The batches with only `mine` of their stewards and citations; a batch left with
/// nobody is dropped, as a member site would not publish it.
fn commendations_of(text: &str, mine: &BTreeSet<&str>) -> Result<String, String> {
    let mut doc: toml::Table =
        toml::from_str(text).map_err(|e| format!("commendations.toml：{e}"))?;
    if let Some(toml::Value::Array(batches)) = doc.get_mut("batch") {
        for batch in batches.iter_mut() {
            let Some(b) = batch.as_table_mut() else {
                continue;
            };
            if let Some(toml::Value::Array(list)) = b.get_mut("stewards") {
                list.retain(|s| s.as_str().is_some_and(|s| mine.contains(s)));
            }
            if let Some(toml::Value::Table(c)) = b.get_mut("citations") {
                c.retain(|k, _| mine.contains(k));
            }
        }
        batches.retain(|b| {
            b.get("stewards")
                .and_then(toml::Value::as_array)
                .is_some_and(|l| !l.is_empty())
        });
    }
    toml::to_string(&doc).map_err(|e| e.to_string())
}

/// The whole site's settings for one member: its own title, address and subdistrict.
fn settings_of(whole: &toml::Table, part: &Part) -> Result<String, String> {
    let mut t = whole.clone();
    t.remove("members");
    let base = t
        .get("base_url")
        .and_then(toml::Value::as_str)
        .unwrap_or("/")
        .trim_end_matches('/')
        .to_string();
    t.insert(
        "title".into(),
        toml::Value::String(format!("{}楼道“红管家”工作", part.name)),
    );
    t.insert(
        "base_url".into(),
        toml::Value::String(format!("{base}/{}/", part.id)),
    );
    let mut sub = toml::Table::new();
    sub.insert("name".into(), toml::Value::String(part.name.clone()));
    t.insert("subdistrict".into(), toml::Value::Table(sub));
    toml::to_string(&t).map_err(|e| e.to_string())
}
