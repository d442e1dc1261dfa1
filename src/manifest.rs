//! What the previous build left, so that the next one redoes only what changed: per
//! output file, the key of what it was made from, the hash of its bytes, and how the file
//! looked on disk right after it was put in place.
//!
//! On disk the manifest is a file beside the output folder (`.public.hongguanjia-manifest`
//! for `public/`), never inside it: the output stays the same bytes for the same input,
//! and nothing about the build (not even a fingerprint of the private values the guard
//! looked for) is published with the site.
//!
//! A file counts as the previous build's only while its size, inode and modification
//! time are the ones recorded: a file edited, replaced or deleted by hand, or moved in by
//! a build that was stopped halfway, no longer matches, and is made again. (Not the change
//! time: removing the old site's hard link to a file kept in the new one changes it.)

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::fingerprint::Key;

const HEADER: &str = "hongguanjia-manifest 2";

/// How a file looked on disk. Two files with the same stamp are the same file, unchanged
/// since: writing to a file changes its modification time, replacing it its inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    dev: u64,
    ino: u64,
    mtime: i128,
}

impl FileStamp {
    /// The stamp of the file at `path`, if it is a regular file.
    pub(crate) fn of(path: &Path) -> Option<(FileStamp, u64)> {
        let meta = fs::symlink_metadata(path).ok()?;
        if !meta.is_file() {
            return None;
        }
        Some((FileStamp::from_meta(&meta), meta.len()))
    }

    /// The stamp of a file from its metadata (of an open file, say), if it is a regular
    /// file.
    pub(crate) fn of_meta(meta: &fs::Metadata) -> Option<FileStamp> {
        meta.is_file().then(|| FileStamp::from_meta(meta))
    }

    #[cfg(unix)]
    fn from_meta(meta: &fs::Metadata) -> FileStamp {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        FileStamp {
            dev: meta.dev(),
            ino: meta.ino(),
            mtime: ns(meta.mtime(), meta.mtime_nsec()),
        }
    }

    #[cfg(not(unix))]
    fn from_meta(meta: &fs::Metadata) -> FileStamp {
        let ns = |t: io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos() as i128)
                .unwrap_or(-1)
        };
        FileStamp {
            dev: 0,
            ino: 0,
            mtime: ns(meta.modified()),
        }
    }
}

/// One output file of a finished build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// What the bytes were made from; none for files that are compared by their bytes
    /// only (copied static files, search index).
    pub key: Option<Key>,
    /// The hash of the bytes.
    pub hash: Key,
    /// Bytes.
    pub size: u64,
    /// The file on disk, right after it was put in place; none in memory.
    pub stamp: Option<FileStamp>,
}

/// Where the previous build's files are.
#[derive(Debug, Clone)]
pub(crate) enum Place {
    /// In this output folder.
    Disk(PathBuf),
    /// In memory (`serve`), by path.
    Memory(Arc<HashMap<String, axum::body::Bytes>>),
}

/// The previous build, as far as it can still be trusted.
#[derive(Debug, Clone)]
pub struct Previous {
    pub(crate) entries: Arc<HashMap<String, Entry>>,
    /// The guard's fingerprint when it checked these files.
    pub(crate) guard: Option<Key>,
    pub(crate) place: Place,
}

impl Previous {
    /// Whether the previous build's file at `path` was made from `key` and is still
    /// exactly as that build left it: then this build can keep it without rendering it.
    pub fn unchanged(&self, path: &str, key: Key) -> bool {
        self.entries
            .get(path)
            .is_some_and(|e| e.key == Some(key) && self.intact(path, e))
    }

    /// The previous entry at `path`, when its file is intact and holds bytes of `hash`.
    pub(crate) fn same_bytes(&self, path: &str, hash: Key, size: u64) -> Option<&Entry> {
        self.entries
            .get(path)
            .filter(|e| e.hash == hash && e.size == size && self.intact(path, e))
    }

    fn intact(&self, path: &str, entry: &Entry) -> bool {
        match &self.place {
            Place::Memory(_) => true,
            Place::Disk(dir) => FileStamp::of(&dir.join(path))
                .is_some_and(|(stamp, size)| Some(stamp) == entry.stamp && size == entry.size),
        }
    }

    /// The previous build's bytes at `path`, for the guard to scan again.
    pub(crate) fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        match &self.place {
            Place::Disk(dir) => fs::read(dir.join(path)),
            Place::Memory(files) => files
                .get(path)
                .map(|b| b.to_vec())
                .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound)),
        }
    }

    /// The size of the previous build's file at `path`.
    pub(crate) fn size(&self, path: &str) -> Option<u64> {
        self.entries.get(path).map(|e| e.size)
    }

    /// The guard's fingerprint when it last checked these files.
    pub fn guard(&self) -> Option<Key> {
        self.guard
    }
}

/// `.public.hongguanjia-new` beside `public/`: hidden, and named after the output.
pub(crate) fn sibling(output: &Path, suffix: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".to_string());
    output.with_file_name(format!(".{name}.{suffix}"))
}

/// The manifest of the output folder `output`: beside it, not in it.
pub(crate) fn path_for(output: &Path) -> PathBuf {
    sibling(output, "hongguanjia-manifest")
}

/// Reads the manifest of `output`. Anything unexpected (no manifest, another version, a
/// line that does not read) means no previous build: everything is made again.
pub(crate) fn load(output: &Path) -> Option<Previous> {
    let text = fs::read_to_string(path_for(output)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let guard = lines.next()?.strip_prefix("guard ")?;
    let guard = if guard == "-" {
        None
    } else {
        Some(Key::from_str_radix(guard, 16).ok()?)
    };
    let mut entries = HashMap::new();
    for line in lines {
        let mut f = line.split('\t');
        let (path, key, hash, size, stamp) =
            (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
        let key = match key {
            "-" => None,
            k => Some(Key::from_str_radix(k, 16).ok()?),
        };
        let mut s = stamp.split(':');
        let stamp = FileStamp {
            dev: s.next()?.parse().ok()?,
            ino: s.next()?.parse().ok()?,
            mtime: s.next()?.parse().ok()?,
        };
        entries.insert(
            path.to_string(),
            Entry {
                key,
                hash: Key::from_str_radix(hash, 16).ok()?,
                size: size.parse().ok()?,
                stamp: Some(stamp),
            },
        );
    }
    Some(Previous {
        entries: Arc::new(entries),
        guard,
        place: Place::Disk(output.to_path_buf()),
    })
}

/// The manifest's text: sorted by path, so it reads the same way every time.
pub(crate) fn text(guard: Option<Key>, entries: &HashMap<String, Entry>) -> String {
    let mut paths: Vec<&String> = entries
        .iter()
        // A path that cannot be written on one line is simply made again next time.
        .filter(|(p, e)| !p.contains(['\t', '\n', '\r']) && e.stamp.is_some())
        .map(|(p, _)| p)
        .collect();
    paths.sort();
    let hex = |k: Option<Key>| k.map_or_else(|| "-".to_string(), |k| format!("{k:032x}"));
    let mut out = format!("{HEADER}\nguard {}\n", hex(guard));
    for p in paths {
        let e = &entries[p];
        let Some(s) = e.stamp else { continue };
        out.push_str(&format!(
            "{p}\t{}\t{:032x}\t{}\t{}:{}:{}\n",
            hex(e.key),
            e.hash,
            e.size,
            s.dev,
            s.ino,
            s.mtime
        ));
    }
    out
}

/// Writes the manifest of `output` whole, then renames it into place, so that it is
/// never half written.
pub(crate) fn store(
    output: &Path,
    guard: Option<Key>,
    entries: &HashMap<String, Entry>,
) -> io::Result<()> {
    let path = path_for(output);
    let tmp = sibling(output, "hongguanjia-manifest-new");
    fs::write(&tmp, text(guard, entries))?;
    fs::rename(&tmp, &path)
}

/// Removes the manifest of `output`, before a change it would no longer describe.
pub(crate) fn remove(output: &Path) -> io::Result<()> {
    match fs::remove_file(path_for(output)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("a.html"), "甲").unwrap();
        let (stamp, size) = FileStamp::of(&out.join("a.html")).unwrap();
        let mut entries = HashMap::new();
        entries.insert(
            "a.html".to_string(),
            Entry {
                key: Some(7),
                hash: crate::fingerprint::of_bytes("甲".as_bytes()),
                size,
                stamp: Some(stamp),
            },
        );
        entries.insert(
            "data/x.json".to_string(),
            Entry {
                key: None,
                hash: 1,
                size: 0,
                stamp: Some(stamp),
            },
        );
        store(&out, Some(42), &entries).unwrap();
        let back = load(&out).unwrap();
        assert_eq!(*back.entries, entries);
        assert_eq!(back.guard(), Some(42));
        assert!(back.unchanged("a.html", 7));
        assert!(!back.unchanged("a.html", 8), "another key");

        // Edited by hand, even to the same size: no longer the previous build's file.
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(out.join("a.html"), "乙").unwrap();
        assert!(!back.unchanged("a.html", 7));
        fs::remove_file(out.join("a.html")).unwrap();
        assert!(!back.unchanged("a.html", 7));

        fs::write(path_for(&out), "hongguanjia-manifest 0\n").unwrap();
        assert!(load(&out).is_none(), "another format is no previous build");
    }
}
