//! What the previous build left, so that the next one redoes only what changed: per
//! output file, the key of what it was made from, the hash of its bytes, and how the file
//! looked on disk right after it was put in place.
//!
//! On disk the manifest is a file beside the output folder (`.public.hongguanjia-manifest`
//! for `public/`), never inside it: the output stays the same bytes for the same input,
//! and nothing about the build (not even a fingerprint of the private values the guard
//! looked for) is published with the site.
//!
//! A file counts as the previous build's only while its size, inode, modification time and
//! change time are the ones recorded: a file edited, replaced or deleted by hand no longer
//! matches, and is made again. The change time is what `touch -r` cannot set back after an
//! edit; the build records it after its last link or move of the file, since each changes
//! it. The manifest also names the folder it describes (its inode): a folder put in the
//! output's place by other means is not the one the manifest speaks of.
//!
//! The manifest lists every path the build wrote, also those whose file it can no longer
//! vouch for (stamp `-`): the output is the program's to replace at those paths, and
//! nowhere else (see `write::ownership`).

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::fingerprint::Key;

const HEADER: &str = "hongguanjia-manifest 3";

/// How a file looked on disk. Two files with the same stamp are the same file, unchanged
/// since: writing to a file changes its modification and change times, replacing it its
/// inode, and setting the modification time back (`touch -r`) changes the change time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    dev: u64,
    ino: u64,
    mtime: i128,
    ctime: i128,
}

/// A folder, by device and inode: which folder a manifest or a journal speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DirId {
    dev: u64,
    ino: u64,
}

impl DirId {
    /// The folder at `path` itself (not a link to one).
    pub(crate) fn of(path: &Path) -> Option<DirId> {
        let meta = fs::symlink_metadata(path).ok()?;
        if !meta.is_dir() {
            return None;
        }
        let stamp = FileStamp::from_meta(&meta);
        Some(DirId {
            dev: stamp.dev,
            ino: stamp.ino,
        })
    }

    pub(crate) fn text(self) -> String {
        format!("{}:{}", self.dev, self.ino)
    }

    pub(crate) fn parse(text: &str) -> Option<DirId> {
        let (dev, ino) = text.split_once(':')?;
        Some(DirId {
            dev: dev.parse().ok()?,
            ino: ino.parse().ok()?,
        })
    }
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

    /// Whether `self` and `other` are one file, unchanged but for its change time, which
    /// a move or a link changes: how a build that was stopped recognises the files it
    /// moved, before it records their change times.
    pub(crate) fn same_but_ctime(&self, other: &FileStamp) -> bool {
        (self.dev, self.ino, self.mtime) == (other.dev, other.ino, other.mtime)
    }

    #[cfg(unix)]
    fn from_meta(meta: &fs::Metadata) -> FileStamp {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        FileStamp {
            dev: meta.dev(),
            ino: meta.ino(),
            mtime: ns(meta.mtime(), meta.mtime_nsec()),
            ctime: ns(meta.ctime(), meta.ctime_nsec()),
        }
    }

    /// Elsewhere only the modification time: Windows has no inode and no change time
    /// the standard library reads.
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
            ctime: 0,
        }
    }

    fn text(&self) -> String {
        format!("{}:{}:{}:{}", self.dev, self.ino, self.mtime, self.ctime)
    }

    fn parse(text: &str) -> Option<FileStamp> {
        let mut s = text.split(':');
        let stamp = FileStamp {
            dev: s.next()?.parse().ok()?,
            ino: s.next()?.parse().ok()?,
            mtime: s.next()?.parse().ok()?,
            ctime: s.next()?.parse().ok()?,
        };
        s.next().is_none().then_some(stamp)
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
    /// The file on disk, right after it was put in place; none in memory, and none for
    /// a file the build wrote but can no longer vouch for (made again next time).
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

/// A manifest as it reads: the guard's fingerprint, the folder it describes, the entries.
pub(crate) struct Parsed {
    pub(crate) guard: Option<Key>,
    pub(crate) dir: DirId,
    pub(crate) entries: HashMap<String, Entry>,
}

/// Reads the manifest of `output`. Anything unexpected (no manifest, another version, a
/// line that does not read, a manifest of another folder) means no previous build:
/// everything is made again.
pub(crate) fn load(output: &Path) -> Option<Previous> {
    let text = crate::files::read_to_string(&path_for(output)).ok()?;
    let (entries, guard) = match parse(&text) {
        Some(parsed) if DirId::of(output) == Some(parsed.dir) => (parsed.entries, parsed.guard),
        Some(_) => return None,
        None => (earlier(&text)?, None),
    };
    Some(Previous {
        entries: Arc::new(entries),
        guard,
        place: Place::Disk(output.to_path_buf()),
    })
}

/// The paths of a manifest an earlier version wrote (format 2: no change time, no folder),
/// with no file vouched for: they are all made again, but the files that version wrote
/// are still known as the program's, so an upgrade does not stop at them.
fn earlier(text: &str) -> Option<HashMap<String, Entry>> {
    let mut lines = text.lines();
    if lines.next()? != "hongguanjia-manifest 2" {
        return None;
    }
    lines.next()?.strip_prefix("guard ")?;
    let mut entries = HashMap::new();
    for line in lines {
        let mut f = line.split('\t');
        let (path, _key, hash, size) = (f.next()?, f.next()?, f.next()?, f.next()?);
        entries.insert(
            path.to_string(),
            Entry {
                key: None,
                hash: Key::from_str_radix(hash, 16).ok()?,
                size: size.parse().ok()?,
                stamp: None,
            },
        );
    }
    Some(entries)
}

/// Reads a manifest's text (see [`text`]).
pub(crate) fn parse(text: &str) -> Option<Parsed> {
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
    let dir = DirId::parse(lines.next()?.strip_prefix("dir ")?)?;
    let mut entries = HashMap::new();
    for line in lines {
        let mut f = line.split('\t');
        let (path, key, hash, size, stamp) =
            (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
        let key = match key {
            "-" => None,
            k => Some(Key::from_str_radix(k, 16).ok()?),
        };
        let stamp = match stamp {
            "-" => None,
            s => Some(FileStamp::parse(s)?),
        };
        entries.insert(
            unescape(path)?,
            Entry {
                key,
                hash: Key::from_str_radix(hash, 16).ok()?,
                size: size.parse().ok()?,
                stamp,
            },
        );
    }
    Some(Parsed {
        guard,
        dir,
        entries,
    })
}

/// A path on one line of the manifest: tabs, line ends and backslashes escaped.
pub(crate) fn escape(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.contains(['\t', '\n', '\r', '\\']) {
        return path.into();
    }
    let mut out = String::with_capacity(path.len() + 4);
    for c in path.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.into()
}

pub(crate) fn unescape(text: &str) -> Option<String> {
    if !text.contains('\\') {
        return Some(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            '\\' => '\\',
            _ => return None,
        });
    }
    Some(out)
}

/// The manifest's text: sorted by path, so it reads the same way every time. `dir` is
/// the folder the entries are in once the build is in place.
pub(crate) fn text(guard: Option<Key>, dir: DirId, entries: &HashMap<String, Entry>) -> String {
    let mut paths: Vec<&String> = entries.keys().collect();
    paths.sort();
    let hex = |k: Option<Key>| k.map_or_else(|| "-".to_string(), |k| format!("{k:032x}"));
    let mut out = format!("{HEADER}\nguard {}\ndir {}\n", hex(guard), dir.text());
    for p in paths {
        let e = &entries[p];
        let stamp = e.stamp.map_or_else(|| "-".to_string(), |s| s.text());
        out.push_str(&format!(
            "{}\t{}\t{:032x}\t{}\t{stamp}\n",
            escape(p),
            hex(e.key),
            e.hash,
            e.size,
        ));
    }
    out
}

/// Writes `text` into the file `path` whole, through a temporary file beside it renamed
/// into place, so that it is never half written.
pub(crate) fn replace_file(path: &Path, text: &str) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!("{name}-new"));
    fs::write(&tmp, text)?;
    fs::rename(&tmp, path)
}

/// Writes the manifest of `output` whole, then renames it into place.
pub(crate) fn store(
    output: &Path,
    guard: Option<Key>,
    dir: DirId,
    entries: &HashMap<String, Entry>,
) -> io::Result<()> {
    replace_file(&path_for(output), &text(guard, dir, entries))
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
        // Any name a static file may have; and a file the build can no longer vouch for.
        entries.insert(
            "static/a\tb\\c\nd.txt".to_string(),
            Entry {
                key: None,
                hash: 2,
                size: 3,
                stamp: None,
            },
        );
        let here = DirId::of(&out).unwrap();
        store(&out, Some(42), here, &entries).unwrap();
        let back = load(&out).unwrap();
        assert_eq!(*back.entries, entries);
        assert_eq!(back.guard(), Some(42));
        assert!(back.unchanged("a.html", 7));
        assert!(!back.unchanged("a.html", 8), "another key");
        assert!(
            !back.unchanged("static/a\tb\\c\nd.txt", 2),
            "not vouched for"
        );

        // Edited by hand, the same size, the modification time set back as `touch -r`
        // does: the change time tells.
        let modified = fs::metadata(out.join("a.html"))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(out.join("a.html"), "乙").unwrap();
        fs::File::options()
            .write(true)
            .open(out.join("a.html"))
            .unwrap()
            .set_modified(modified)
            .unwrap();
        assert!(!back.unchanged("a.html", 7));
        fs::remove_file(out.join("a.html")).unwrap();
        assert!(!back.unchanged("a.html", 7));

        // Another folder in the output's place: the manifest speaks of the old one.
        fs::rename(&out, dir.path().join("moved")).unwrap();
        fs::create_dir(&out).unwrap();
        assert!(load(&out).is_none(), "a manifest of another folder");

        // An earlier version's: its paths are the program's, none of its files trusted.
        fs::write(
            path_for(&out),
            format!(
                "hongguanjia-manifest 2\nguard -\na.html\t-\t{:032x}\t3\t1:2:3\n",
                5
            ),
        )
        .unwrap();
        let back = load(&out).unwrap();
        assert_eq!(back.size("a.html"), Some(3));
        assert!(!back.unchanged("a.html", 7));
        fs::write(path_for(&out), "hongguanjia-manifest 0\n").unwrap();
        assert!(load(&out).is_none(), "another format is no previous build");
    }
}
