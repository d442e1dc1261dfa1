//! Markdown documents with TOML front matter between `+++` lines: bulletins and pages.

use std::path::Path;

use super::{decode, display_path};
use crate::diagnostics::Diagnostics;

/// A document split into its front matter and body, not yet checked.
pub(crate) struct RawDocument {
    pub(crate) display: String,
    /// The file name without `.md`.
    pub(crate) stem: String,
    pub(crate) front: String,
    /// Line of the file on which the front matter's first line stands.
    pub(crate) front_line: u32,
    pub(crate) body: String,
    pub(crate) body_line: u32,
}

/// Reads every `.md` file of `content/<folder>/`, in name order.
pub(crate) fn read_folder(root: &Path, folder: &str, diags: &mut Diagnostics) -> Vec<RawDocument> {
    let dir = root.join("content").join(folder);
    let mut docs = Vec::new();
    if !dir.is_dir() {
        return docs;
    }
    let walker = walkdir::WalkDir::new(&dir)
        .max_depth(1)
        .sort_by_file_name()
        .follow_links(false);
    for entry in walker.into_iter().flatten() {
        let path = entry.path();
        let display = display_path(root, path);
        if entry.file_type().is_dir() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".md") else {
            if !name.starts_with('.') {
                diags.warning(&display, 0, "不是 .md 文件，已忽略");
            }
            continue;
        };
        // A link is read like the file it leads to, if that is inside the site; a link
        // elsewhere, to nothing or to a pipe is refused, named, never skipped unsaid.
        if entry.file_type().is_symlink() && !super::refuse_outside(root, path, &display, diags) {
            continue;
        }
        match crate::files::readable(path) {
            Ok(true) => {}
            Ok(false) => {
                diags.warning(&display, 0, "这是指向文件夹的链接，不是 .md 文件，已忽略");
                continue;
            }
            Err(why) => {
                diags.error(&display, 0, why);
                continue;
            }
        }
        let text = match decode::read_to_string(path) {
            Ok(t) => t.replace("\r\n", "\n"),
            Err(err) => {
                diags.error(
                    &display,
                    1,
                    format!("无法读取文件：{}", crate::fs_errors::reason(&err)),
                );
                continue;
            }
        };
        match split(&text) {
            Some((front, body, body_line)) => docs.push(RawDocument {
                display,
                stem: stem.to_string(),
                front: front.to_string(),
                front_line: 2,
                body: body.to_string(),
                body_line,
            }),
            None if opens(&text) => diags.error(
                &display,
                1,
                "设置部分没有结束：第 1 行的 +++ 之后找不到结束的一行 +++；请在 title 等设置之后、正文之前加一行 +++",
            ),
            None => diags.error(
                &display,
                1,
                "缺少开头的设置部分：文件应以一行 +++ 开始，写完 title 等设置后再以一行 +++ 结束",
            ),
        }
    }
    docs
}

/// Whether the text opens a front matter with a `+++` line (closed or not).
fn opens(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .lines()
        .next()
        .is_some_and(|l| l.trim_end() == "+++")
}

/// Splits `+++\n<front>\n+++\n<body>`; returns the body's first line number.
pub fn split(text: &str) -> Option<(&str, &str, u32)> {
    let rest = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("\u{feff}+++\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line = 3 + front.matches('\n').count() as u32;
            return Some((front, body, body_line));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_front_matter_and_counts_lines() {
        let (front, body, line) =
            split("+++\ntitle = \"a\"\ndate = 2018-12-10\n+++\n正文\n").expect("split");
        assert_eq!(front, "title = \"a\"\ndate = 2018-12-10\n");
        assert_eq!(body, "正文\n");
        assert_eq!(line, 5);
        assert!(split("title = 1\n").is_none());
        assert!(split("+++\ntitle = 1\n").is_none());
    }
}
