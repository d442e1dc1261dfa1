//! The theme: templates and static files. The default theme is compiled in; a site's
//! `themes/<name>/` and `templates/` override any of its files by name, as in mdBook.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::load::display_path;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/theme_files.rs"));
}

/// Theme files by their path inside the theme, e.g. `templates/index.html`.
#[derive(Debug, Default)]
pub(crate) struct Theme {
    pub files: BTreeMap<String, Vec<u8>>,
    /// Where each overridden file came from, for template error messages.
    pub origins: BTreeMap<String, String>,
}

impl Theme {
    pub(crate) fn templates(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().filter_map(|(k, v)| {
            k.strip_prefix("templates/")
                .map(|name| (name, v.as_slice()))
        })
    }

    pub(crate) fn statics(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("static/").map(|name| (name, v.as_slice())))
    }

    /// Whether the theme's file `key` (e.g. `templates/steward.html`) is the built-in
    /// theme's, byte for byte: not overridden, or overridden by an unchanged copy.
    pub(crate) fn is_builtin(&self, key: &str) -> bool {
        match (self.files.get(key), builtin(key)) {
            (Some(ours), Some(theirs)) => ours.as_slice() == theirs,
            _ => false,
        }
    }

    /// Where a theme file came from, as the user would look for it.
    pub(crate) fn origin(&self, key: &str) -> String {
        self.origins
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("（内置主题）{key}"))
    }
}

/// The built-in theme's file `key`, e.g. `templates/base.html`.
pub(crate) fn builtin(key: &str) -> Option<&'static [u8]> {
    embedded::DEFAULT_THEME
        .iter()
        .find(|(path, _)| *path == key)
        .map(|(_, bytes)| *bytes)
}

/// Assembles the theme for the site at `root`.
pub(crate) fn load(root: &Path, name: &str, diags: &mut Diagnostics) -> Theme {
    let mut theme = Theme::default();
    for (path, bytes) in embedded::DEFAULT_THEME {
        theme.files.insert((*path).to_string(), bytes.to_vec());
    }
    let dir = root.join("themes").join(name);
    if dir.is_dir() {
        overlay(root, &dir, "", &mut theme, diags);
    } else if name != "default" {
        diags.error(
            "site.toml",
            1,
            format!("theme: 找不到主题文件夹 themes/{name}/"),
        );
    }
    let own = root.join("templates");
    if own.is_dir() {
        overlay(root, &own, "templates/", &mut theme, diags);
    }
    theme
}

fn overlay(root: &Path, dir: &Path, prefix: &str, theme: &mut Theme, diags: &mut Diagnostics) {
    let walker = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .follow_links(false);
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                diags.error(&display_path(root, dir), 1, format!("无法读取：{err}"));
                continue;
            }
        };
        if !entry.file_type().is_file() || entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let rel = display_path(dir, entry.path());
        let key = format!("{prefix}{rel}");
        match crate::files::read(entry.path()) {
            Ok(bytes) => {
                theme
                    .origins
                    .insert(key.clone(), display_path(root, entry.path()));
                theme.files.insert(key, bytes);
            }
            Err(err) => diags.error(
                &display_path(root, entry.path()),
                1,
                format!("无法读取文件：{}", crate::fs_errors::reason(&err)),
            ),
        }
    }
}
