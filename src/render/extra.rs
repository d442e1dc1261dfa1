//! The files of the site that are not rendered pages: open data, the search index and
//! static files.

use std::collections::HashSet;
use std::path::Path;

use super::{OutputFile, data, search};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::display_path;
use crate::site::Site;
use crate::theme::Theme;
use crate::write;

/// Files that are not rendered pages: open data, the search index and static files, each
/// with its kind for the size report ([`super::routes::Page::kind`] names the pages').
/// First one wins: pages, then generated data, then the site's own static files, then the theme's.
pub(crate) fn files(
    site: &Site,
    theme: &Theme,
    summary: &data::Summary,
    pages: &HashSet<String>,
    diags: &mut Diagnostics,
) -> Result<Vec<(&'static str, OutputFile)>, Diagnostic> {
    let json = serde_json::to_vec_pretty(&data::published(site, summary))
        .map_err(|e| Diagnostic::error("data/summary.json", 0, e.to_string()))?;
    let mut files = vec![(
        OPEN_DATA,
        OutputFile {
            path: super::routes::SUMMARY.to_string(),
            bytes: json,
        },
    )];
    let of = |kind: &'static str| move |f: OutputFile| (kind, f);
    files.extend(
        data::tables(&site.registry, summary)?
            .into_iter()
            .map(of(OPEN_DATA)),
    );
    let index = super::routes::search_index();
    files.extend(search::files(site).into_iter().map(|f| {
        let kind = if f.path == index {
            "查找索引"
        } else {
            "查找索引分片"
        };
        (kind, f)
    }));
    files.extend(
        site_statics(&site.root, diags)
            .into_iter()
            .map(of("站点静态文件")),
    );
    for (name, bytes) in theme.statics() {
        files.push((
            "主题脚本和样式",
            OutputFile {
                path: name.to_string(),
                bytes: bytes.to_vec(),
            },
        ));
    }
    let mut seen: HashSet<String> = pages.clone();
    files.retain(|(_, f)| seen.insert(f.path.clone()));
    Ok(files)
}

/// The published figures and tables under `data/`.
const OPEN_DATA: &str = "开放数据";

pub(crate) fn site_statics(root: &Path, diags: &mut Diagnostics) -> Vec<OutputFile> {
    let dir = root.join("static");
    let mut out = Vec::new();
    if !dir.is_dir() {
        return out;
    }
    for entry in walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .follow_links(false)
    {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = display_path(&dir, entry.path());
        if rel == write::MARKER {
            continue;
        }
        match crate::files::read(entry.path()) {
            Ok(bytes) => out.push(OutputFile { path: rel, bytes }),
            Err(err) => diags.warning(
                &display_path(root, entry.path()),
                0,
                format!("无法读取，未复制：{}", crate::fs_errors::reason(&err)),
            ),
        }
    }
    out
}
