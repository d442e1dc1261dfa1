//! What in the output folder is the program's to replace. A build replaces or removes only
//! files it wrote: the paths of the previous build's manifest and the marker (without a
//! manifest, the paths this build makes). Anything else found in the folder (a file
//! dropped in by hand, a link, a pipe, an empty folder) stops the build, named, before the
//! output is touched; `--force` replaces it anyway. So every file left in the output after
//! a build was written or checked by that build, and nothing of anyone else's is deleted.
//!
//! The same walk checks that every folder of the output can be written: a read-only one
//! would stop the build halfway (moves) or leave the old site undeletable (swap).

use std::fs;
use std::io;
use std::path::Path;

use super::MARKER;

/// What stands in the way of replacing the output.
#[derive(Debug, Default)]
pub(crate) struct Obstacles {
    /// Entries the program did not write, relative and `/`-separated; folders end in `/`.
    pub(crate) foreign: Vec<String>,
    /// Folders that cannot be written, relative (`.` for the output itself).
    pub(crate) read_only: Vec<String>,
}

/// Walks `output` (which must exist) without following links. `ours` says whether a
/// relative path is a file the program may replace.
pub(crate) fn survey(output: &Path, ours: &dyn Fn(&str) -> bool) -> io::Result<Obstacles> {
    let mut found = Obstacles::default();
    walk(output, &mut String::new(), ours, &mut found)?;
    found.foreign.sort();
    found.read_only.sort();
    Ok(found)
}

/// Walks one folder, `rel` its path in the output (one buffer for the whole walk: a
/// city's output is 80,000 entries, and each build walks it); returns whether it holds
/// anything (of ours or not).
fn walk(
    dir: &Path,
    rel: &mut String,
    ours: &dyn Fn(&str) -> bool,
    found: &mut Obstacles,
) -> io::Result<bool> {
    if !writable(dir) {
        found
            .read_only
            .push(if rel.is_empty() { "." } else { rel.as_str() }.to_string());
    }
    let mut holds = false;
    let len = rel.len();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if len > 0 {
            rel.push('/');
        }
        rel.push_str(&entry.file_name().to_string_lossy());
        // From the folder entry: no lookup of the file itself on most file systems.
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if !walk(&entry.path(), rel, ours, found)? {
                found.foreign.push(format!("{rel}/"));
            }
        } else if !(kind.is_file() && (rel == MARKER || ours(rel))) {
            found.foreign.push(rel.clone());
        }
        rel.truncate(len);
        holds = true;
    }
    Ok(holds)
}

/// Whether the program may create and remove entries in `dir`.
#[cfg(unix)]
fn writable(dir: &Path) -> bool {
    use rustix::fs::{Access, access};
    access(dir, Access::WRITE_OK | Access::EXEC_OK).is_ok()
}

/// Elsewhere the read-only attribute, which is all the standard library tells.
#[cfg(not(unix))]
fn writable(dir: &Path) -> bool {
    fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_not_ours_are_named_and_ours_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        for rel in [
            "index.html",
            "a/b.html",
            "a/名单.txt",
            "notes/x.txt",
            MARKER,
        ] {
            let path = out.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "x").unwrap();
        }
        fs::create_dir_all(out.join("empty/deeper")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc", out.join("a/link")).unwrap();
        let ours = |p: &str| ["index.html", "a/b.html", "a/link"].contains(&p);
        let found = survey(out, &ours).unwrap();
        let mut expected = vec!["a/名单.txt", "empty/deeper/", "notes/x.txt"];
        if cfg!(unix) {
            expected.insert(0, "a/link");
        }
        assert_eq!(
            found.foreign, expected,
            "a link is never ours, even at our path"
        );
        assert!(found.read_only.is_empty());
    }
}
