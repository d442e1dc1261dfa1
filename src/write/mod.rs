//! The last step of the pipeline: where finished files go, as a [`Sink`]. `check` throws
//! them away ([`Discard`]); `build` puts the site in place without ever losing the
//! previous one ([`Staging`]: files go to a staging folder beside the output, and only
//! when all of them are written are they put in place, under the journal that lets the
//! next build finish a change that was stopped); a server keeps them in memory
//! ([`Memory`]).
//!
//! Whoever writes an output holds its lock (`lock`); what in the output is the program's
//! to replace is told by `ownership`; `journal` makes putting the new site in place all or
//! nothing across crashes; `fault` stops it on purpose, for tests.

mod fault;
mod journal;
mod lock;
mod ownership;
mod place;
mod tree;

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;

use self::journal::Journal;
use self::lock::OutputLock;
pub use self::place::FINISHED_STOPPED;
pub(crate) use self::place::resolve;
use self::place::{finish_stopped, old_path, replaceable, staging_path};
use self::tree::{on_disk_threads, remove_if_exists, remove_tree};
use crate::diagnostics::Diagnostic;
use crate::fingerprint::{self, Key};
pub use crate::manifest::Previous;
use crate::manifest::{self, DirId, Entry, FileStamp};
use crate::timings::Timings;

/// A file of the finished site, by its path relative to the output folder.
#[derive(Debug, Clone)]
pub struct OutputFile {
    /// Relative, `/`-separated.
    pub path: String,
    /// The file's content.
    pub bytes: Vec<u8>,
}

/// Written into every site hongguanjia builds, so that it only ever replaces its own.
pub const MARKER: &str = ".hongguanjia";
const MARKER_TEXT: &str =
    "此文件夹由 hongguanjia 生成，每次构建都会整体替换。请勿在此存放其他文件。\n";

/// What the pipeline hands a sink at a time: the files this build made, and the paths it
/// left as the previous build made them.
#[derive(Debug, Default)]
pub struct Batch {
    /// Files made by this build (checked by the guard).
    pub files: Vec<OutputFile>,
    /// Per file of `files`: the key of what its bytes were made from, when it has one.
    pub keys: Vec<Option<Key>>,
    /// Paths whose key is the one the previous build recorded and whose file is intact
    /// there ([`Previous::unchanged`]): the sink keeps the previous build's file.
    pub kept: Vec<(String, Key)>,
}

impl From<Vec<OutputFile>> for Batch {
    fn from(files: Vec<OutputFile>) -> Self {
        Batch {
            keys: vec![None; files.len()],
            files,
            kept: Vec::new(),
        }
    }
}

impl Batch {
    /// Files made plus files kept.
    pub fn len(&self) -> usize {
        self.files.len() + self.kept.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a finished build changed in its output.
#[derive(Debug, Default, Clone)]
pub struct Written {
    /// Paths whose file was written (new or different bytes), sorted.
    pub written: Vec<String>,
    /// Files the output already held with the same bytes.
    pub unchanged: usize,
    /// Files of the previous build that this one no longer makes, sorted.
    pub removed: Vec<String>,
    /// Whether the new files were moved into the output one by one (few changed), rather
    /// than the whole folder swapped.
    pub in_place: bool,
}

/// Where the pipeline hands finished files, batch by batch. The pipeline calls
/// [`Sink::open`] only once the site's records are sound, then [`Sink::put`] for every
/// batch that passed the leak guard, then [`Sink::finish`] once; on any error it stops
/// and drops the sink, which must then leave every earlier output as it was.
pub trait Sink: Sync {
    /// Called once, before the first batch, when the site is known to be sound: a sink
    /// that writes prepares its place here, so a site with errors writes nothing.
    fn open(&mut self) -> Result<(), Diagnostic> {
        Ok(())
    }

    /// After [`Sink::open`]: the previous build whose unchanged files this sink can keep,
    /// if any. Without one, every file is made again.
    fn previous(&self) -> Option<Arc<Previous>> {
        None
    }

    /// After [`Sink::open`]: whether the output this sink replaces has a file at `path`,
    /// an address an earlier build published and links may still point to.
    fn holds(&self, _path: &str) -> bool {
        false
    }

    /// Takes one batch. A sink may store it in the background and report a failure on
    /// a later call.
    fn put(&mut self, batch: Batch) -> Result<(), Diagnostic>;

    /// After the last batch: everything handed on is in place. `guard` is the fingerprint
    /// of the guard that checked every file (see [`Previous::guard`]). Adds the sink's own
    /// stages to `timings`. A failure says what it left in the output.
    fn finish(&mut self, _guard: Option<Key>, _timings: &mut Timings) -> Result<Written, Failure> {
        Ok(Written::default())
    }

    /// Files the sink adds of its own (the marker of a built site), so a count of files
    /// says what the output holds.
    fn own_files(&self) -> usize {
        0
    }
}

/// What a write step that failed left in the output, when not the output as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Left {
    /// The new output is whole in place; removing the old one or writing the manifest
    /// did not happen. The next build does it first.
    Placed,
    /// Some of the new files are in place and some not: old and new are mixed until the
    /// next build, which puts the rest in first.
    Partial,
}

/// Why a sink could not finish, and what it left in the output.
#[derive(Debug)]
pub struct Failure {
    /// The problem.
    pub diagnostic: Diagnostic,
    /// None: the output is exactly as it was.
    pub left: Option<Left>,
}

impl From<Diagnostic> for Failure {
    fn from(diagnostic: Diagnostic) -> Self {
        Failure {
            diagnostic,
            left: None,
        }
    }
}

impl From<journal::Failure> for Failure {
    fn from(f: journal::Failure) -> Self {
        let (diagnostic, left) = match f {
            journal::Failure::Untouched(d) => (d, None),
            journal::Failure::Placed(d) => (d, Some(Left::Placed)),
            journal::Failure::Partial(d) => (d, Some(Left::Partial)),
        };
        Failure { diagnostic, left }
    }
}

/// `check`: everything but writing. Counts the marker a build would add, so `check`
/// reports the files `build` would write.
#[derive(Debug, Default)]
pub struct Discard;

impl Sink for Discard {
    fn put(&mut self, _batch: Batch) -> Result<(), Diagnostic> {
        Ok(())
    }

    fn own_files(&self) -> usize {
        1
    }
}

/// `build`: writes what changed into a staging folder beside `output`, then puts it in
/// place: file by file when few files changed, otherwise by swapping the whole folder.
///
/// A writer thread of its own puts each batch into the staging folder while the next
/// batch renders, so the disk and the processors work at the same time.
pub struct Staging {
    /// The output folder as the file system finds it: links followed (see [`resolve`]).
    output: PathBuf,
    force: bool,
    /// Held from [`Staging::lock`] (or, when the folder that would hold the output does
    /// not exist yet, from [`Sink::open`]) until the sink is dropped.
    lock: Option<OutputLock>,
    /// What was done, before this build, to finish one that was stopped.
    notes: Vec<Diagnostic>,
    previous: Option<Arc<Previous>>,
    /// The output being replaced, when it is one of ours.
    old: Option<PathBuf>,
    /// Batches for the writer thread; a small bound keeps at most a few batches in memory.
    sender: Option<std::sync::mpsc::SyncSender<Batch>>,
    writer: Option<std::thread::JoinHandle<Result<WriterDone, Diagnostic>>>,
}

/// What the writer thread hands back: its staging folder, what it did with every path,
/// and the seconds it spent writing.
type WriterDone = (StagingDir, Staged, f64);

/// What the writer thread did with every path.
#[derive(Default)]
struct Staged {
    /// Every path of the new build, with its entry for the next manifest.
    entries: HashMap<String, Entry>,
    /// Paths written into the staging folder.
    written: Vec<String>,
    /// Paths the output already holds as they should be (kept, or the same bytes).
    same: Vec<String>,
    /// Paths hard-linked from an old output that has no manifest.
    linked: Vec<String>,
}

impl Staging {
    /// Takes the output folder `output` for writing: follows links to the folder they
    /// name, takes the folder's lock (another writer holding it stops this one, see
    /// `lock`), and finishes what a build that was stopped left undone (`journal`). With
    /// `force`, a folder hongguanjia did not make (or files in it it did not write) are
    /// replaced too. Nothing in the output itself is looked at before [`Sink::open`].
    pub fn lock(output: &Path, force: bool) -> Result<Staging, Failure> {
        let output = place::resolve(output);
        place::check(&output)?;
        let mut staging = Staging {
            output,
            force,
            lock: None,
            notes: Vec::new(),
            previous: None,
            old: None,
            sender: None,
            writer: None,
        };
        // A build whose records are wrong writes nothing, not even the folders that would
        // hold the lock: with no such folder there is no output to guard yet.
        if staging.output.parent().is_none_or(Path::exists) {
            staging.acquire()?;
        }
        Ok(staging)
    }

    /// Takes the lock and finishes a build that was stopped.
    fn acquire(&mut self) -> Result<(), Failure> {
        if self.lock.is_none() {
            self.lock = Some(OutputLock::take(&self.output)?);
            self.notes = finish_stopped(&self.output)?;
        }
        Ok(())
    }

    /// What was done to finish a build that was stopped before this one, as warnings for
    /// the user (once).
    pub fn take_notes(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.notes)
    }

    /// Waits for the writer thread; its staging folder, what it did, and seconds spent.
    fn join(&mut self) -> Result<WriterDone, Diagnostic> {
        self.sender = None;
        match self.writer.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(write_error(
                &self.output,
                "写入线程意外中止，未替换原有的输出",
            )),
            None => Err(write_error(&self.output, "输出文件夹尚未准备好")),
        }
    }
}

impl Sink for Staging {
    fn open(&mut self) -> Result<(), Diagnostic> {
        self.acquire().map_err(|f| f.diagnostic)?;
        let dir = StagingDir::begin(&self.output, self.force)?;
        self.previous = dir
            .previous
            .as_deref()
            .and_then(manifest::load)
            .map(Arc::new);
        self.old = dir.previous.clone();
        let previous = self.previous.clone();
        let (sender, batches) = std::sync::mpsc::sync_channel::<Batch>(2);
        self.sender = Some(sender);
        self.writer = Some(std::thread::spawn(move || {
            let mut seconds = 0.0;
            let mut staged = Staged::default();
            for batch in batches {
                let t = std::time::Instant::now();
                // On an error the folder is dropped with the thread's result: it removes
                // itself.
                dir.write_batch(batch, previous.as_deref(), &mut staged)?;
                seconds += t.elapsed().as_secs_f64();
            }
            Ok((dir, staged, seconds))
        }));
        Ok(())
    }

    fn previous(&self) -> Option<Arc<Previous>> {
        self.previous.clone()
    }

    fn holds(&self, path: &str) -> bool {
        self.previous
            .as_ref()
            .is_some_and(|p| p.size(path).is_some())
            || self.old.as_ref().is_some_and(|o| o.join(path).is_file())
    }

    fn put(&mut self, batch: Batch) -> Result<(), Diagnostic> {
        let sent = match &self.sender {
            Some(sender) => sender.send(batch).is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        // The writer only stops early on an error, which joining it returns.
        match self.join() {
            Err(e) => Err(e),
            Ok(_) => Err(write_error(
                &self.output,
                "写入线程意外中止，未替换原有的输出",
            )),
        }
    }

    fn finish(&mut self, guard: Option<Key>, timings: &mut Timings) -> Result<Written, Failure> {
        let (dir, staged, seconds) = self.join()?;
        timings.add("写入临时文件夹（与渲染同时进行）", seconds);
        let started = std::time::Instant::now();
        let written = dir.commit(staged, self.previous.as_deref(), guard)?;
        timings.add("替换旧站点", started.elapsed().as_secs_f64());
        Ok(written)
    }

    fn own_files(&self) -> usize {
        1
    }
}

impl Drop for Staging {
    /// Waits for the writer, so an unfinished staging folder is gone before the program
    /// reports the error that stopped the build.
    fn drop(&mut self) {
        if self.writer.is_some() {
            drop(self.join());
        }
    }
}

/// `serve`: the site as path → bytes, replaced as a whole by each build. It keeps the
/// last build's keys, so the next build renders only the pages whose data changed.
#[derive(Debug, Default)]
pub struct Memory {
    files: Arc<HashMap<String, Bytes>>,
    entries: Arc<HashMap<String, Entry>>,
    guard: Option<Key>,
    next: HashMap<String, Bytes>,
    next_entries: HashMap<String, Entry>,
    written: Vec<String>,
}

impl Memory {
    /// The last finished site's file at `path` (relative, `/`-separated), if any.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|b| b.as_ref())
    }

    /// The last finished site, by path. Shared, not copied: a server swaps it in at
    /// once, so a request never sees half of one build and half of another.
    pub fn files(&self) -> Arc<HashMap<String, Bytes>> {
        self.files.clone()
    }
}

impl Sink for Memory {
    fn open(&mut self) -> Result<(), Diagnostic> {
        self.next.clear();
        self.next_entries.clear();
        self.written.clear();
        Ok(())
    }

    fn previous(&self) -> Option<Arc<Previous>> {
        (!self.files.is_empty()).then(|| {
            Arc::new(Previous {
                entries: self.entries.clone(),
                guard: self.guard,
                place: manifest::Place::Memory(self.files.clone()),
            })
        })
    }

    fn holds(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    fn put(&mut self, batch: Batch) -> Result<(), Diagnostic> {
        for (file, key) in batch.files.into_iter().zip(batch.keys) {
            let entry = Entry {
                key,
                hash: fingerprint::of_bytes(&file.bytes),
                size: file.bytes.len() as u64,
                stamp: None,
            };
            let same = self
                .entries
                .get(&file.path)
                .is_some_and(|e| e.hash == entry.hash);
            let bytes = match self.files.get(&file.path) {
                Some(old) if same => old.clone(),
                _ => {
                    self.written.push(file.path.clone());
                    Bytes::from(file.bytes)
                }
            };
            self.next.insert(file.path.clone(), bytes);
            self.next_entries.insert(file.path, entry);
        }
        for (path, _) in batch.kept {
            // Kept means the previous build has it: the pipeline asked `previous()`.
            let (Some(bytes), Some(entry)) = (self.files.get(&path), self.entries.get(&path))
            else {
                return Err(write_error(
                    Path::new(&path),
                    "上一次生成的文件不见了，请重新生成",
                ));
            };
            self.next.insert(path.clone(), bytes.clone());
            self.next_entries.insert(path, entry.clone());
        }
        Ok(())
    }

    /// Only a whole build replaces what is served: a build that failed halfway leaves
    /// the previous site in place, like [`Staging`] does on disk.
    fn finish(&mut self, guard: Option<Key>, _timings: &mut Timings) -> Result<Written, Failure> {
        let mut removed: Vec<String> = self
            .files
            .keys()
            .filter(|p| !self.next.contains_key(*p))
            .cloned()
            .collect();
        removed.sort();
        let mut written = std::mem::take(&mut self.written);
        written.sort();
        self.files = Arc::new(std::mem::take(&mut self.next));
        self.entries = Arc::new(std::mem::take(&mut self.next_entries));
        self.guard = guard;
        Ok(Written {
            unchanged: self.files.len() - written.len(),
            written,
            removed,
            in_place: true,
        })
    }
}

/// A problem with the output folder or the disk, located at the folder or file as a
/// whole (line 0: `path: message`).
fn write_error(path: &Path, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(path.display().to_string(), 0, message)
}

/// What could not be done at `path`, and why in the user's words (see `fs_errors`).
fn io_error(path: &Path, what: &str, err: io::Error) -> Diagnostic {
    write_error(path, format!("{what}：{}", crate::fs_errors::reason(&err)))
}

/// What became of one file of a batch.
enum Put {
    /// Written into the staging folder.
    Written,
    /// Hard-linked from an old output without a manifest: the same bytes, already there.
    Linked,
    /// Not written: the output already holds these bytes (the manifest says so).
    Same,
}

/// A new site being written beside the output, in as many batches as rendering produces.
/// Dropped without `commit`, it removes itself and the output stays as it was.
struct StagingDir {
    output: PathBuf,
    dir: PathBuf,
    /// The site being replaced, when it is one of ours: its unchanged files are linked
    /// into the new site instead of being written again.
    previous: Option<PathBuf>,
    /// Whether files the program did not write may go with the old output.
    force: bool,
    done: bool,
}

impl StagingDir {
    /// Checks that `output` may be replaced and opens a fresh staging folder beside it.
    fn begin(output: &Path, force: bool) -> Result<StagingDir, Diagnostic> {
        let output = output.to_path_buf();
        if !force
            && !replaceable(&output).map_err(|e| io_error(&output, "无法检查输出文件夹", e))?
        {
            return Err(write_error(
                &output,
                "输出文件夹里已有不是 hongguanjia 生成的文件，为免误删，已停止构建。请换一个输出文件夹，或确认可以覆盖后加上 --force",
            ));
        }
        if output.exists() && !output.is_dir() {
            return Err(write_error(&output, "不是文件夹，无法作为输出位置"));
        }
        let parent = output
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        fs::create_dir_all(&parent).map_err(|e| io_error(&parent, "无法创建文件夹", e))?;
        let dir = staging_path(&output);
        // A build killed earlier may have left its staging folder; it was never put in
        // place (the journal, done by now, says so otherwise).
        remove_if_exists(&dir)?;
        remove_if_exists(&old_path(&output))?;
        fault::step()
            .and_then(|()| fs::create_dir(&dir))
            .map_err(|e| io_error(&dir, "无法创建临时文件夹", e))?;
        let previous = (output.join(MARKER).is_file()).then(|| output.clone());
        Ok(StagingDir {
            output,
            dir,
            previous,
            force,
            done: false,
        })
    }

    /// Writes one batch from [`WRITE_THREADS`] threads of its own, leaving the rayon pool
    /// to work that needs processors while these wait on the disk. With a manifest, a file
    /// whose bytes the output already holds is not written at all; without one (a site
    /// built by an older version), it is hard-linked from the old output as before.
    fn write_batch(
        &self,
        batch: Batch,
        manifest: Option<&Previous>,
        staged: &mut Staged,
    ) -> Result<(), Diagnostic> {
        self.make_folders(batch.files.iter().map(|f| f.path.as_str()))?;
        // Each file on its own disk thread; what became of it is recorded in the batch's
        // order afterwards, so the staging record does not depend on which thread ran first.
        let files: Vec<(OutputFile, Option<Key>)> =
            batch.files.into_iter().zip(batch.keys).collect();
        let outcomes: Vec<std::sync::OnceLock<(Entry, Put)>> =
            files.iter().map(|_| std::sync::OnceLock::new()).collect();
        let order: Vec<usize> = (0..files.len()).collect();
        on_disk_threads(WRITE_THREADS, &order, |&i| {
            let (file, key) = &files[i];
            let outcome = self.put_one(file, *key, manifest)?;
            let _ = outcomes[i].set(outcome);
            Ok(())
        })?;
        for ((file, _), outcome) in files.into_iter().zip(outcomes) {
            let Some((entry, put)) = outcome.into_inner() else {
                return Err(write_error(
                    &self.dir.join(&file.path),
                    "写入线程意外中止，未替换原有的输出",
                ));
            };
            match put {
                Put::Written => staged.written.push(file.path.clone()),
                Put::Same => staged.same.push(file.path.clone()),
                Put::Linked => staged.linked.push(file.path.clone()),
            }
            staged.entries.insert(file.path, entry);
        }
        for (path, _) in batch.kept {
            let Some(old) = manifest.and_then(|m| m.entries.get(&path)) else {
                return Err(write_error(
                    &self.output.join(&path),
                    "上一次生成的文件记录不见了，请重新生成",
                ));
            };
            staged.entries.insert(path.clone(), old.clone());
            staged.same.push(path);
        }
        Ok(())
    }

    /// Makes the folders of the staging folder that the files at `paths` go into. One
    /// step of the write (see `fault`) for a batch: every file of the staging folder is
    /// alike to a stop (the output is untouched), and a step per file made the tests'
    /// every-step loops four times as long.
    fn make_folders<'a>(&self, paths: impl Iterator<Item = &'a str>) -> Result<(), Diagnostic> {
        let mut dirs: Vec<PathBuf> = paths
            .filter_map(|p| Path::new(p).parent().map(|d| self.dir.join(d)))
            .collect();
        dirs.sort();
        dirs.dedup();
        fault::step().map_err(|e| io_error(&self.dir, "无法写入", e))?;
        for d in &dirs {
            fs::create_dir_all(d).map_err(|e| io_error(d, "无法创建文件夹", e))?;
        }
        Ok(())
    }

    /// Puts one file into the staging folder, unless the output already holds its
    /// bytes: its entry for the next manifest, and what became of it.
    fn put_one(
        &self,
        file: &OutputFile,
        key: Option<Key>,
        manifest: Option<&Previous>,
    ) -> Result<(Entry, Put), Diagnostic> {
        let hash = fingerprint::of_bytes(&file.bytes);
        let size = file.bytes.len() as u64;
        if let Some(old) = manifest.and_then(|m| m.same_bytes(&file.path, hash, size)) {
            let entry = Entry {
                key,
                hash,
                size,
                stamp: old.stamp,
            };
            return Ok((entry, Put::Same));
        }
        let path = self.dir.join(&file.path);
        let linked = manifest.is_none()
            && put_linked(&path, self.previous.as_deref(), &file.path, &file.bytes);
        let stamp = if linked {
            FileStamp::of(&path).map(|(s, _)| s)
        } else {
            // The stamp from the open file: no second lookup of the path.
            write_new(&path, &file.bytes)
                .map_err(|e| io_error(&path, "无法写入", e))?
                .as_ref()
                .and_then(FileStamp::of_meta)
        };
        let entry = Entry {
            key,
            hash,
            size,
            stamp,
        };
        Ok((entry, if linked { Put::Linked } else { Put::Written }))
    }

    /// Puts the new site in place, under a journal (see `journal`). First the output is
    /// surveyed: entries the program did not write stop the build, named, unless `force`
    /// (`ownership`), as does a folder that cannot be written. When a manifest says what
    /// the output holds and few files changed, only those are moved in, one by one;
    /// otherwise the files kept from the old output are linked into the new one and the
    /// folders are swapped whole.
    fn commit(
        mut self,
        mut staged: Staged,
        manifest: Option<&Previous>,
        guard: Option<Key>,
    ) -> Result<Written, Failure> {
        let mut removed: Vec<String> = manifest
            .map(|m| {
                m.entries
                    .keys()
                    .filter(|p| !staged.entries.contains_key(*p))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        removed.sort();
        staged.written.sort();
        let foreign = self.survey(manifest, &staged)?;
        let changes = staged.written.len() + removed.len();
        let in_place = manifest.is_some()
            && !foreign
            && changes * IN_PLACE_SHARE <= staged.entries.len()
            && self.fits_in_place(&staged.written);
        let written = Written {
            unchanged: staged.entries.len() - staged.written.len(),
            written: staged.written.clone(),
            removed: removed.clone(),
            in_place,
        };
        let journal = if let (true, Some(manifest)) = (in_place, manifest) {
            let Some(dir) = DirId::of(&self.output) else {
                return Err(write_error(&self.output, "输出文件夹不见了，未替换原有的输出").into());
            };
            if staged.written.is_empty() && removed.is_empty() {
                // Nothing moves: only the manifest changes, in one rename.
                let path = manifest::path_for(&self.output);
                fault::step()
                    .and_then(|()| manifest::store(&self.output, guard, dir, &staged.entries))
                    .map_err(|e| io_error(&path, "无法写入", e))?;
                return Ok(written);
            }
            let differ: HashMap<String, Entry> = staged
                .entries
                .iter()
                .filter(|(p, e)| manifest.entries.get(*p) != Some(*e))
                .map(|(p, e)| (p.clone(), e.clone()))
                .collect();
            Journal {
                kind: journal::Kind::Moves,
                dir,
                moved: staged.written.clone(),
                removed,
                pending: std::mem::take(&mut staged.written),
                guard,
                entries: differ,
                whole: Some(staged.entries),
            }
        } else {
            self.link_same(&mut staged, manifest)?;
            let marker = self.dir.join(MARKER);
            fault::step()
                .and_then(|()| fs::write(&marker, MARKER_TEXT))
                .map_err(|e| io_error(&marker, "无法写入", e))?;
            let Some(dir) = DirId::of(&self.dir) else {
                return Err(write_error(&self.dir, "临时文件夹不见了，未替换原有的输出").into());
            };
            let mut pending = std::mem::take(&mut staged.same);
            pending.append(&mut staged.linked);
            Journal {
                kind: journal::Kind::Swap,
                dir,
                moved: Vec::new(),
                removed: Vec::new(),
                pending,
                guard,
                entries: staged.entries,
                whole: None,
            }
        };
        journal.write(&self.output)?;
        // From here the journal owns the staging folder: a failure leaves it to the next
        // build, which goes on from where this one stopped.
        self.done = true;
        match journal.apply(&self.output, false) {
            Ok(_) => Ok(written),
            Err(journal::Failure::Untouched(d)) => {
                // Not swapped: nothing to go on with.
                let _ = fs::remove_file(journal::path_for(&self.output));
                let _ = remove_tree(&self.dir);
                Err(d.into())
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Whether the output holds entries the program did not write, which `force` allows
    /// (they go with the old output); without it they stop the build, as does a folder
    /// that cannot be written.
    fn survey(&self, manifest: Option<&Previous>, staged: &Staged) -> Result<bool, Diagnostic> {
        if !fs::symlink_metadata(&self.output).is_ok_and(|m| m.is_dir()) {
            return Ok(false);
        }
        // Without a manifest (deleted, or from an older version) the files this build
        // makes are the ones it may replace; the marker says the folder is ours.
        let ours = |p: &str| match manifest {
            Some(m) => m.entries.contains_key(p),
            None => staged.entries.contains_key(p),
        };
        let found = ownership::survey(&self.output, &ours)
            .map_err(|e| io_error(&self.output, "无法检查输出文件夹", e))?;
        let listed = |paths: &[String]| {
            let mut shown: Vec<&str> = paths.iter().take(LISTED).map(String::as_str).collect();
            if paths.len() > LISTED {
                shown.push("……");
            }
            shown.join("、")
        };
        if !found.read_only.is_empty() {
            return Err(write_error(
                &self.output,
                format!(
                    "输出文件夹里有 {} 个文件夹不能写入（{}），生成到一半会停下、换下的旧网站也删不掉。已停止，没有改动输出文件夹。请让当前用户可以写入它们（Linux：chmod -R u+w 输出文件夹；只读挂载的磁盘要重新以可写方式挂载），或换一个输出文件夹",
                    found.read_only.len(),
                    listed(&found.read_only)
                ),
            ));
        }
        if found.foreign.is_empty() || self.force {
            return Ok(!found.foreign.is_empty());
        }
        Err(write_error(
            &self.output,
            format!(
                "输出文件夹里有 {} 个不是 hongguanjia 写的文件或文件夹：{}。它们不会被检查是否含有不应公开的内容，所以不能留在要发布的文件夹里；为免误删，已停止，没有改动输出文件夹。要随网站发布的文件请放进站点的 static/ 文件夹（生成时会检查并复制过来）；其他文件请移到别处。确认可以删掉它们时，加上 --force 再运行",
                found.foreign.len(),
                listed(&found.foreign)
            ),
        ))
    }

    /// Whether every written file can be moved to its place in the output: no folder
    /// where a file goes, no file or link where a folder must be.
    fn fits_in_place(&self, written: &[String]) -> bool {
        written.iter().all(|rel| {
            journal::inside(&self.output, rel)
                && !fs::symlink_metadata(self.output.join(rel)).is_ok_and(|m| !m.is_file())
        })
    }

    /// Links every file the old output already holds as it should be into the staging
    /// folder. Each is checked against its stamp first: a file changed during the build
    /// stops it, with the output as it was.
    fn link_same(
        &self,
        staged: &mut Staged,
        manifest: Option<&Previous>,
    ) -> Result<(), Diagnostic> {
        let Some(manifest) = manifest else {
            return Ok(());
        };
        self.make_folders(staged.same.iter().map(String::as_str))?;
        for rel in &staged.same {
            let old = self.output.join(rel);
            let new = self.dir.join(rel);
            let recorded = manifest.entries.get(rel).and_then(|e| e.stamp);
            if FileStamp::of(&old).map(|(s, _)| s) != recorded || recorded.is_none() {
                return Err(write_error(
                    &old,
                    "生成期间输出文件夹里的这个文件被改动了，未替换原有的输出。请再运行一次生成",
                ));
            }
            if fs::hard_link(&old, &new).is_err() {
                fs::copy(&old, &new).map_err(|e| io_error(&new, "无法写入", e))?;
                // A copy is a file of its own.
                if let Some(entry) = staged.entries.get_mut(rel) {
                    entry.stamp = FileStamp::of(&new).map(|(s, _)| s);
                }
            }
        }
        Ok(())
    }
}

/// How many paths a message lists at most.
const LISTED: usize = 10;

/// At most one file in this many changed (written or removed): the new files are moved
/// into the output one by one instead of swapping the whole folder. Beyond that, a swap
/// costs little more than the moves, and keeps a large change all-or-nothing for anyone
/// reading the folder meanwhile.
const IN_PLACE_SHARE: usize = 4;

impl Drop for StagingDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = remove_tree(&self.dir);
        }
    }
}

/// Threads that write one batch into the staging folder, while the rayon pool renders
/// the next. Creating a file waits less than removing one, and threads creating files in
/// one folder (`stewards/` holds 50,000) contend for its lock: on the loaded machine one
/// writer took 85 s for a city, two 63 s and eight 59 s, but eight cost 3.4 s more
/// processor time than one, which a quiet two-core machine, busy rendering, would pay
/// in wall time. Two cost none.
const WRITE_THREADS: usize = 2;

/// Writes `bytes` into a file at `path` and returns what the file's metadata says right
/// after (none where the system cannot say).
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<Option<fs::Metadata>> {
    use std::io::Write;
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    Ok(file.metadata().ok())
}

/// Whether `old` is a regular file holding exactly `bytes`.
fn same_file(old: &Path, bytes: &[u8]) -> bool {
    match fs::symlink_metadata(old) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            fs::read(old).is_ok_and(|held| held == bytes)
        }
        _ => false,
    }
}

/// Puts one file into the staging folder as a hard link to the previous site's file, when
/// that holds exactly these bytes: on this kind of disk a new inode costs twenty times a
/// link, and the old tree is deleted right after the swap anyway. Nothing is ever written
/// into the previous site, so it stays whole whatever happens.
fn put_linked(path: &Path, previous: Option<&Path>, rel: &str, bytes: &[u8]) -> bool {
    previous
        .map(|p| p.join(rel))
        .is_some_and(|old| same_file(&old, bytes) && fs::hard_link(&old, path).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.to_string(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    fn batch(files: Vec<OutputFile>) -> Batch {
        files.into()
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn memory_serves_only_whole_builds() {
        let mut memory = Memory::default();
        let mut timings = Timings::default();
        memory.open().unwrap();
        memory.put(batch(vec![file("index.html", "一")])).unwrap();
        memory
            .put(batch(vec![file("stewards/S001.html", "甲")]))
            .unwrap();
        assert_eq!(
            memory.get("index.html"),
            None,
            "not served before the build ends"
        );
        memory.finish(None, &mut timings).unwrap();
        assert_eq!(memory.get("index.html"), Some("一".as_bytes()));
        assert_eq!(memory.files().len(), 2);

        // A build that stops halfway (never finished) leaves the last whole site.
        memory.open().unwrap();
        memory.put(batch(vec![file("index.html", "二")])).unwrap();
        assert_eq!(memory.get("index.html"), Some("一".as_bytes()));

        memory.open().unwrap();
        memory.put(batch(vec![file("index.html", "三")])).unwrap();
        let written = memory.finish(None, &mut timings).unwrap();
        assert_eq!(memory.get("index.html"), Some("三".as_bytes()));
        assert_eq!(
            memory.get("stewards/S001.html"),
            None,
            "a new build replaces the old one whole"
        );
        assert_eq!(written.written, ["index.html"]);
        assert_eq!(written.removed, ["stewards/S001.html"]);
    }

    #[test]
    fn memory_keeps_what_the_build_kept() {
        let mut memory = Memory::default();
        let mut timings = Timings::default();
        memory.open().unwrap();
        memory
            .put(Batch {
                files: vec![file("a.html", "甲"), file("b.html", "乙")],
                keys: vec![Some(1), Some(2)],
                kept: Vec::new(),
            })
            .unwrap();
        memory.finish(None, &mut timings).unwrap();

        memory.open().unwrap();
        let previous = memory.previous().expect("a previous build");
        assert!(previous.unchanged("a.html", 1));
        assert!(!previous.unchanged("b.html", 3));
        memory
            .put(Batch {
                files: vec![file("b.html", "丙")],
                keys: vec![Some(3)],
                kept: vec![("a.html".to_string(), 1)],
            })
            .unwrap();
        let written = memory.finish(None, &mut timings).unwrap();
        assert_eq!(memory.get("a.html"), Some("甲".as_bytes()));
        assert_eq!(memory.get("b.html"), Some("丙".as_bytes()));
        assert_eq!(written.written, ["b.html"]);
        assert_eq!(written.unchanged, 1);
    }

    #[test]
    fn staging_swaps_in_only_on_finish() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut timings = Timings::default();
        {
            let mut staging = Staging::lock(&out, false).unwrap();
            staging.open().unwrap();
            staging
                .put(batch(vec![file("a/index.html", "旧")]))
                .unwrap();
            // Dropped unfinished: nothing in place, no staging folder left behind.
        }
        assert!(!out.exists());
        assert!(
            names(dir.path()).is_empty(),
            "nothing in place, not even the lock"
        );

        let mut staging = Staging::lock(&out, false).unwrap();
        staging.open().unwrap();
        staging
            .put(batch(vec![file("a/index.html", "新")]))
            .unwrap();
        staging.finish(None, &mut timings).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "新");
        assert!(out.join(MARKER).is_file());
        assert_eq!(staging.own_files(), 1);
    }

    /// Many files across folders, written and then replaced from several disk threads:
    /// every one arrives, the old site goes entirely, and nothing is left beside it.
    #[test]
    fn staging_writes_and_replaces_many_files_from_its_disk_threads() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut timings = Timings::default();
        let files = |text: &str| -> Vec<OutputFile> {
            (0..40)
                .map(|i| {
                    file(
                        &format!("d{}/e{}/{i}.html", i % 3, i % 5),
                        &format!("{text}{i}"),
                    )
                })
                .collect()
        };
        for (round, text) in [(0, "旧"), (1, "新")] {
            let mut staging = Staging::lock(&out, false).unwrap();
            staging.open().unwrap();
            let mut first = files(text);
            let second = first.split_off(7);
            staging.put(batch(first)).unwrap();
            staging.put(batch(second)).unwrap();
            let written = staging.finish(None, &mut timings).unwrap();
            assert_eq!(written.written.len(), 40, "round {round}");
            assert!(written.written.is_sorted(), "round {round}");
        }
        for i in 0..40 {
            let path = out.join(format!("d{}/e{}/{i}.html", i % 3, i % 5));
            assert_eq!(fs::read_to_string(path).unwrap(), format!("新{i}"));
        }
        assert_eq!(
            names(dir.path()),
            [".public.hongguanjia-manifest", "public"],
            "the old site or a staging folder was left behind"
        );
    }

    #[test]
    fn staging_refuses_a_folder_it_did_not_make() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let err = Staging::lock(&out, false).unwrap().open().unwrap_err();
        assert!(
            err.to_string().contains("不是 hongguanjia 生成的文件"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    }
}
