//! The write step's journal: what a build is about to do to its output, written beside
//! it (`.public.hongguanjia-journal`) before the first change and removed after the last.
//! A build that stops in between (killed, the machine off, a full disk) leaves it, and the
//! next build that takes the output's lock does what it says before anything else, so
//! every build starts from a whole site that its manifest describes.
//!
//! Two kinds, as the staging folder is put in place in two ways:
//!
//! - **moves** (few files changed): the changed files are moved from the staging folder
//!   into the output one by one and the files no longer made are removed. Once the journal
//!   is written these can only go forward: the next build moves what is still in the
//!   staging folder and removes what is still there, so a page of a removed record cannot
//!   outlive it.
//! - **swap** (many changed): the staging folder and the output are exchanged in one step.
//!   If that step had not happened, the next build drops the journal and the staging
//!   folder and the old site stays; if it had, it removes the old site and writes the
//!   manifest.
//!
//! Either way the journal ends with the manifest that holds once it is done: for a swap
//! all of it; for moves only the entries that differ from the manifest beside the output,
//! which stays the old build's until the moves are done (a small change then writes a
//! small journal, not a city's twelve megabytes twice). The change
//! time of a file moved or linked changes with the move and with the removal of the old
//! link, so those files' stamps are taken again at the end (`pending`): a file at such a
//! path still counts as the one the build put there only if its inode, modification time
//! and size are the ones recorded.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{fault, io_error, old_path, remove_tree, staging_path, write_error};
use crate::diagnostics::Diagnostic;
use crate::fingerprint::Key;
use crate::manifest::{self, DirId, Entry, FileStamp, escape, sibling, unescape};

const HEADER: &str = "hongguanjia-journal 1";

/// How the new site goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Moves,
    Swap,
}

/// What a build is about to do to its output.
#[derive(Debug)]
pub(crate) struct Journal {
    pub(crate) kind: Kind,
    /// Moves: the output folder the files go into. Swap: the staging folder that becomes
    /// the output; after the swap the output is that folder.
    pub(crate) dir: DirId,
    /// Moves: the paths moved from the staging folder into the output.
    pub(crate) moved: Vec<String>,
    /// Moves: the paths removed from the output.
    pub(crate) removed: Vec<String>,
    /// Paths whose stamp is taken again at the end: moved, or linked from the old site.
    pub(crate) pending: Vec<String>,
    pub(crate) guard: Option<Key>,
    /// Swap: the next manifest's entries. Moves: those that differ from the manifest
    /// beside the output (the removed paths aside).
    pub(crate) entries: HashMap<String, Entry>,
    /// Moves, in the build that writes the journal: the whole next manifest, so that it
    /// need not read back and merge the old one (a city's 80,000 lines). Not written.
    pub(crate) whole: Option<HashMap<String, Entry>>,
}

/// The journal file of the output folder `output`.
pub(crate) fn path_for(output: &Path) -> PathBuf {
    sibling(output, "hongguanjia-journal")
}

/// How a stopped write step ends, and which state the output is in if it does not.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Nothing in the output changed.
    Untouched(Diagnostic),
    /// The new site is whole in the output; the old one or the manifest is not done.
    Placed(Diagnostic),
    /// Some of the new files are in the output, some not yet.
    Partial(Diagnostic),
}

/// What [`Journal::apply`] did, for a build that finishes another's.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Done {
    /// The new site is in place and described by the manifest, after moving and removing
    /// this many files that the stopped build had not.
    Finished(usize),
    /// The swap had not happened: the journal was dropped, the old site stays.
    Dropped,
}

impl Journal {
    fn text(&self) -> String {
        let kind = match self.kind {
            Kind::Moves => "moves",
            Kind::Swap => "swap",
        };
        let mut out = format!("{HEADER}\n{kind}\n");
        for (word, paths) in [
            ("moved", &self.moved),
            ("removed", &self.removed),
            ("pending", &self.pending),
        ] {
            for p in paths {
                out.push_str(&format!("{word} {}\n", escape(p)));
            }
        }
        out.push_str("manifest\n");
        out.push_str(&manifest::text(self.guard, self.dir, &self.entries));
        out
    }

    fn parse(text: &str) -> Option<Journal> {
        let (head, manifest_text) = text.split_once("\nmanifest\n")?;
        let mut lines = head.lines();
        if lines.next()? != HEADER {
            return None;
        }
        let kind = match lines.next()? {
            "moves" => Kind::Moves,
            "swap" => Kind::Swap,
            _ => return None,
        };
        let parsed = manifest::parse(manifest_text)?;
        let mut journal = Journal {
            kind,
            dir: parsed.dir,
            moved: Vec::new(),
            removed: Vec::new(),
            pending: Vec::new(),
            guard: parsed.guard,
            entries: parsed.entries,
            whole: None,
        };
        for line in lines {
            let (word, path) = line.split_once(' ')?;
            let path = unescape(path)?;
            match word {
                "moved" => journal.moved.push(path),
                "removed" => journal.removed.push(path),
                "pending" => journal.pending.push(path),
                _ => return None,
            }
        }
        Some(journal)
    }

    /// Writes the journal beside `output`, whole or not at all. From then on the change
    /// is under way: a stop leaves it to the next build.
    pub(crate) fn write(&self, output: &Path) -> Result<(), Diagnostic> {
        let path = path_for(output);
        fault::step()
            .and_then(|()| manifest::replace_file(&path, &self.text()))
            .map_err(|e| io_error(&path, "无法写入", e))
    }

    /// The journal left beside `output` by a build that stopped, if any.
    pub(crate) fn read(output: &Path) -> Result<Option<Journal>, Diagnostic> {
        let path = path_for(output);
        let text = match crate::files::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&path, "无法读取上一次生成留下的记录", e)),
        };
        match Journal::parse(&text) {
            Some(journal) => Ok(Some(journal)),
            None => Err(write_error(
                &path,
                "这个文件应是 hongguanjia 记下的、上一次生成还没做完的改动，但读不懂（被改过，或来自别的版本）。输出文件夹没有改动。请把它移走，再运行一次生成（会完整生成一遍）",
            )),
        }
    }

    /// Does what the journal says to `output`, from wherever a stopped build left it, and
    /// removes the journal. `resume` is true for a build finishing another's: a swap that
    /// had not happened is then dropped rather than done.
    pub(crate) fn apply(self, output: &Path, resume: bool) -> Result<Done, Failure> {
        match self.kind {
            Kind::Moves => self.apply_moves(output),
            Kind::Swap => self.apply_swap(output, resume),
        }
    }

    fn apply_moves(mut self, output: &Path) -> Result<Done, Failure> {
        let staging = staging_path(output);
        if DirId::of(output) != Some(self.dir) {
            // Another folder is in the output's place: neither the journal nor the manifest
            // speaks of it. Nothing is trusted; the next build makes everything again.
            return self.drop_with_manifest(output).map(|()| Done::Dropped);
        }
        let partial = |e: Diagnostic| Failure::Partial(e);
        let mut done = 0;
        for rel in &self.moved {
            let from = staging.join(rel);
            if !fs::symlink_metadata(&from).is_ok_and(|m| m.is_file()) {
                // Moved before the stop.
                continue;
            }
            let to = output.join(rel);
            if !inside(output, rel) {
                // A link or a file where a folder of the site was (put there since the
                // build began): not followed; the next survey names it.
                continue;
            }
            if let Some(parent) = to.parent() {
                make_dirs(output, parent)
                    .map_err(|e| partial(io_error(parent, "无法创建文件夹", e)))?;
            }
            fault::step()
                .and_then(|()| fs::rename(&from, &to))
                .map_err(|e| partial(io_error(&to, "无法放入", e)))?;
            done += 1;
        }
        for rel in &self.removed {
            let path = output.join(rel);
            if !inside(output, rel) {
                continue;
            }
            match fs::symlink_metadata(&path) {
                Ok(m) if !m.is_dir() => {
                    fault::removal()
                        .and_then(|()| fs::remove_file(&path))
                        .map_err(|e| partial(io_error(&path, "无法删除", e)))?;
                    done += 1;
                }
                _ => continue,
            }
            // Folders left empty go too, as a clean build would not make them.
            for dir in path.ancestors().skip(1) {
                if dir == output || !dir.starts_with(output) || fs::remove_dir(dir).is_err() {
                    break;
                }
            }
        }
        if let Some(whole) = self.whole.take() {
            self.entries = whole;
        } else {
            // The whole next manifest: the old one, changed as the journal says.
            let base = crate::files::read_to_string(&manifest::path_for(output))
                .ok()
                .as_deref()
                .and_then(manifest::parse)
                .filter(|m| m.dir == self.dir);
            let Some(base) = base else {
                // Gone or unreadable: what the kept files are is no longer known. No
                // manifest; the next build makes everything again and owns what it makes.
                self.drop_with_manifest(output)?;
                let _ = remove_tree(&staging);
                return Ok(Done::Finished(done));
            };
            let changed = std::mem::replace(&mut self.entries, base.entries);
            for rel in &self.removed {
                self.entries.remove(rel);
            }
            self.entries.extend(changed);
        }
        self.restamp(output);
        self.finish(output, Failure::Placed)?;
        // The staging folder holds nothing of the site any more.
        let _ = remove_tree(&staging);
        Ok(Done::Finished(done))
    }

    fn apply_swap(mut self, output: &Path, resume: bool) -> Result<Done, Failure> {
        let staging = staging_path(output);
        let old = old_path(output);
        if DirId::of(output) != Some(self.dir) {
            let staged = DirId::of(&staging) == Some(self.dir);
            let missing =
                fs::symlink_metadata(output).is_err_and(|e| e.kind() == io::ErrorKind::NotFound);
            if staged && missing {
                // No output (a first build, or stopped between the two renames of a
                // system without an exchange): the staging folder goes in.
                fault::step()
                    .and_then(|()| fs::rename(&staging, output))
                    .map_err(|e| Failure::Untouched(io_error(output, "无法放置新站点", e)))?;
            } else if staged && !resume {
                swap_in(&staging, output, &old)?;
            } else {
                // Stopped before the swap: the old site and its manifest are as they were;
                // the staging folder is a leftover, removed before the next one is made.
                return self.drop_journal(output).map(|()| Done::Dropped);
            }
        }
        // Where the old site went: beside the output under the staging folder's name
        // (exchanged), or under the old one (renamed aside).
        for leftover in [&staging, &old] {
            if DirId::of(leftover).is_some_and(|d| d != self.dir) {
                remove_tree(leftover).map_err(|e| {
                    Failure::Placed(io_error(
                        leftover,
                        "新网站已经放好，但删不掉换下来的旧网站",
                        e,
                    ))
                })?;
            }
        }
        self.restamp(output);
        self.finish(output, Failure::Placed)?;
        Ok(Done::Finished(0))
    }

    /// Takes again the stamps of the files the journal marks pending; a file that is no
    /// longer the one put there (by inode, modification time and size) is not vouched for.
    fn restamp(&mut self, output: &Path) {
        for rel in &self.pending {
            let Some(entry) = self.entries.get_mut(rel) else {
                continue;
            };
            let now = FileStamp::of(&output.join(rel));
            entry.stamp = match (entry.stamp, now) {
                (Some(was), Some((stamp, size)))
                    if was.same_but_ctime(&stamp) && size == entry.size =>
                {
                    Some(stamp)
                }
                _ => None,
            };
        }
    }

    /// Writes the manifest and removes the journal.
    fn finish(
        &self,
        output: &Path,
        failure: impl Fn(Diagnostic) -> Failure,
    ) -> Result<(), Failure> {
        let manifest = manifest::path_for(output);
        fault::step()
            .and_then(|()| manifest::store(output, self.guard, self.dir, &self.entries))
            .map_err(|e| failure(io_error(&manifest, "无法写入", e)))?;
        self.drop_journal(output)
    }

    fn drop_journal(&self, output: &Path) -> Result<(), Failure> {
        let path = path_for(output);
        fault::removal()
            .and_then(|()| fs::remove_file(&path))
            .or_else(|e| match e.kind() {
                io::ErrorKind::NotFound => Ok(()),
                _ => Err(e),
            })
            .map_err(|e| Failure::Placed(io_error(&path, "无法删除", e)))
    }

    fn drop_with_manifest(&self, output: &Path) -> Result<(), Failure> {
        manifest::remove(output)
            .map_err(|e| Failure::Placed(io_error(&manifest::path_for(output), "无法删除", e)))?;
        self.drop_journal(output)
    }
}

/// Exchanges the staging folder and the output. On Linux this is one step, so the output
/// is never missing, even if the process dies right then; elsewhere the output is renamed
/// aside first, for the moment between two renames.
fn swap_in(staging: &Path, output: &Path, old: &Path) -> Result<(), Failure> {
    let untouched = |what: &str, e: io::Error| Failure::Untouched(io_error(output, what, e));
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        fault::step().map_err(|e| untouched("无法放置新站点", e))?;
        match renameat_with(CWD, staging, CWD, output, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            // A file system without the exchange: the two renames below.
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(untouched("无法放置新站点", e.into())),
        }
    }
    match remove_tree(old) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            return Err(untouched("无法清掉上次留下的旧站点文件夹", e));
        }
        _ => {}
    }
    fault::step()
        .and_then(|()| fs::rename(output, old))
        .map_err(|e| untouched("无法移开旧站点", e))?;
    if let Err(e) = fault::step().and_then(|()| fs::rename(staging, output)) {
        return match fs::rename(old, output) {
            Ok(()) => Err(untouched("无法放置新站点", e)),
            Err(_) => Err(Failure::Partial(write_error(
                output,
                format!(
                    "无法放置新站点（{}），旧站点已移到 {}",
                    crate::fs_errors::reason(&e),
                    old.display()
                ),
            ))),
        };
    }
    Ok(())
}

/// Whether every folder between `output` and its file `rel` is a real folder (or not
/// there yet): never a link, through which a move or a removal would reach elsewhere.
pub(crate) fn inside(output: &Path, rel: &str) -> bool {
    let path = output.join(rel);
    path.ancestors()
        .skip(1)
        .take_while(|a| *a != output && a.starts_with(output))
        .all(|a| match fs::symlink_metadata(a) {
            Ok(m) => m.is_dir(),
            Err(e) => e.kind() == io::ErrorKind::NotFound,
        })
}

/// Makes `dir` and the folders above it inside `output`, each a step of the write.
fn make_dirs(output: &Path, dir: &Path) -> io::Result<()> {
    if dir == output || fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        make_dirs(output, parent)?;
    }
    fault::step()?;
    match fs::create_dir(dir) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut entries = HashMap::new();
        entries.insert(
            "a b.html".to_string(),
            Entry {
                key: Some(3),
                hash: 4,
                size: 5,
                stamp: None,
            },
        );
        let journal = Journal {
            kind: Kind::Moves,
            dir: DirId::of(dir.path()).unwrap(),
            moved: vec!["a b.html".into()],
            removed: vec!["x\ny.html".into()],
            pending: vec!["a b.html".into()],
            guard: Some(9),
            entries,
            whole: None,
        };
        let back = Journal::parse(&journal.text()).unwrap();
        assert_eq!(back.kind, Kind::Moves);
        assert_eq!(back.dir, journal.dir);
        assert_eq!(back.moved, journal.moved);
        assert_eq!(back.removed, journal.removed);
        assert_eq!(back.pending, journal.pending);
        assert_eq!(back.guard, Some(9));
        assert_eq!(back.entries, journal.entries);
        assert!(Journal::parse("hongguanjia-journal 1\nmoves\n").is_none());
    }
}
