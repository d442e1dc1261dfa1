//! The last step of the pipeline: where finished files go, as a [`Sink`]. `check` throws
//! them away ([`Discard`]); `build` puts the site in place without ever losing the
//! previous one ([`Staging`]: files go to a staging folder beside the output, and only
//! when all of them are written is it swapped in, atomically where the system allows);
//! a server keeps them in memory ([`Memory`]).

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;

use crate::diagnostics::Diagnostic;
use crate::fingerprint::{self, Key};
pub use crate::manifest::Previous;
use crate::manifest::{self, Entry, FileStamp, sibling};
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
    /// stages to `timings`.
    fn finish(
        &mut self,
        _guard: Option<Key>,
        _timings: &mut Timings,
    ) -> Result<Written, Diagnostic> {
        Ok(Written::default())
    }

    /// Files the sink adds of its own (the marker of a built site), so a count of files
    /// says what the output holds.
    fn own_files(&self) -> usize {
        0
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
    output: PathBuf,
    force: bool,
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
}

impl Staging {
    /// A sink that will replace `output`; with `force`, even a folder hongguanjia did not
    /// make. Nothing is touched before [`Sink::open`].
    pub fn new(output: &Path, force: bool) -> Self {
        Staging {
            output: output.to_path_buf(),
            force,
            previous: None,
            old: None,
            sender: None,
            writer: None,
        }
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

    fn finish(&mut self, guard: Option<Key>, timings: &mut Timings) -> Result<Written, Diagnostic> {
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
    fn finish(
        &mut self,
        guard: Option<Key>,
        _timings: &mut Timings,
    ) -> Result<Written, Diagnostic> {
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

fn io_error(path: &Path, what: &str, err: io::Error) -> Diagnostic {
    write_error(path, format!("{what}：{err}"))
}

/// Whether `dir` may be replaced: absent, empty, or built by us.
fn replaceable(dir: &Path) -> io::Result<bool> {
    if !dir.exists() {
        return Ok(true);
    }
    if !dir.is_dir() {
        return Ok(false);
    }
    if dir.join(MARKER).is_file() {
        return Ok(true);
    }
    Ok(fs::read_dir(dir)?.next().is_none())
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
    done: bool,
}

impl StagingDir {
    /// Checks that `output` may be replaced and opens a fresh staging folder beside it.
    fn begin(output: &Path, force: bool) -> Result<StagingDir, Diagnostic> {
        let output = absolute(output);
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
        let dir = sibling(&output, "hongguanjia-new");
        // A build killed earlier may have left its staging folder; it was never swapped in.
        remove_if_exists(&dir)?;
        fs::create_dir_all(&dir).map_err(|e| io_error(&dir, "无法创建文件夹", e))?;
        let previous = (output.join(MARKER).is_file()).then(|| output.clone());
        Ok(StagingDir {
            output,
            dir,
            previous,
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
        let mut dirs: Vec<PathBuf> = batch
            .files
            .iter()
            .filter_map(|f| Path::new(&f.path).parent().map(|p| self.dir.join(p)))
            .collect();
        dirs.sort();
        dirs.dedup();
        for d in &dirs {
            fs::create_dir_all(d).map_err(|e| io_error(d, "无法创建文件夹", e))?;
        }
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
                Put::Linked => {}
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

    /// Puts the new site in place. When a manifest says what the output holds and few
    /// files changed, only those are moved in, one by one, and the manifest is replaced
    /// last; otherwise the files kept from the old output are linked into the new one and
    /// the folders are swapped whole.
    fn commit(
        mut self,
        mut staged: Staged,
        manifest: Option<&Previous>,
        guard: Option<Key>,
    ) -> Result<Written, Diagnostic> {
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
        let changes = staged.written.len() + removed.len();
        let in_place = manifest.is_some()
            && changes * IN_PLACE_SHARE <= staged.entries.len()
            && self.fits_in_place(&staged.written);
        let written = Written {
            unchanged: staged.entries.len() - staged.written.len(),
            written: staged.written.clone(),
            removed: removed.clone(),
            in_place,
        };
        if in_place {
            self.move_in(&mut staged, &removed)?;
            self.done = true;
            manifest::store(&self.output, guard, &staged.entries)
                .map_err(|e| io_error(&manifest::path_for(&self.output), "无法写入", e))?;
            let _ = remove_tree(&self.dir);
            return Ok(written);
        }
        self.link_same(&mut staged, manifest)?;
        let marker = self.dir.join(MARKER);
        fs::write(&marker, MARKER_TEXT).map_err(|e| io_error(&marker, "无法写入", e))?;
        self.done = true;
        // The old manifest describes the old folder: once the new one is in, it would
        // describe nothing. The new one is written while the old folder goes, which only
        // waits on the disk.
        let old = swap_in(&self.dir, &self.output)?;
        let store = || {
            if guard.is_some() {
                manifest::store(&self.output, guard, &staged.entries)
            } else {
                manifest::remove(&self.output)
            }
        };
        let (stored, removed_old) = match &old {
            Some(old) => std::thread::scope(|scope| {
                let storing = scope.spawn(store);
                let removed_old = remove_tree(old);
                let stored = storing
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("写入线程意外中止")));
                (stored, removed_old)
            }),
            None => (store(), Ok(())),
        };
        stored.map_err(|e| io_error(&manifest::path_for(&self.output), "无法写入", e))?;
        if let Some(old) = &old {
            removed_old.map_err(|e| io_error(old, "新站点已就位，但无法删除旧站点", e))?;
        }
        Ok(written)
    }

    /// Whether every written file can be moved to its place in the output: no folder
    /// where a file goes, no file where a folder must be.
    fn fits_in_place(&self, written: &[String]) -> bool {
        written.iter().all(|rel| {
            let target = self.output.join(rel);
            if fs::symlink_metadata(&target).is_ok_and(|m| !m.is_file()) {
                return false;
            }
            target
                .ancestors()
                .skip(1)
                .take_while(|a| a.starts_with(&self.output) && *a != self.output)
                .all(|a| match fs::symlink_metadata(a) {
                    Ok(m) => m.is_dir(),
                    Err(_) => true,
                })
        })
    }

    /// Moves the written files into the output and removes the ones no longer made. A
    /// stop in between leaves some files new and the manifest old: the next build finds
    /// them changed (their stamps differ) and makes them again.
    fn move_in(&self, staged: &mut Staged, removed: &[String]) -> Result<(), Diagnostic> {
        let halfway = |path: &Path, e: io::Error| {
            write_error(
                path,
                format!("新站点只放好了一部分（{e}），请再运行一次生成，会补齐其余文件"),
            )
        };
        for rel in &staged.written {
            let to = self.output.join(rel);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(|e| halfway(parent, e))?;
            }
            fs::rename(self.dir.join(rel), &to).map_err(|e| halfway(&to, e))?;
            if let Some(entry) = staged.entries.get_mut(rel) {
                entry.stamp = FileStamp::of(&to).map(|(s, _)| s);
            }
        }
        for rel in removed {
            let path = self.output.join(rel);
            match fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(halfway(&path, e)),
                _ => {}
            }
            // Folders left empty go too, as a clean build would not make them.
            for dir in path.ancestors().skip(1) {
                if dir == self.output
                    || !dir.starts_with(&self.output)
                    || fs::remove_dir(dir).is_err()
                {
                    break;
                }
            }
        }
        Ok(())
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
        let mut dirs: Vec<PathBuf> = staged
            .same
            .iter()
            .filter_map(|p| Path::new(p).parent().map(|d| self.dir.join(d)))
            .collect();
        dirs.sort();
        dirs.dedup();
        for d in &dirs {
            fs::create_dir_all(d).map_err(|e| io_error(d, "无法创建文件夹", e))?;
        }
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

/// Threads that remove an old site's files at the same time. This disk (ext4 without a
/// journal, mounted with `discard`) frees a file's blocks by sending the device a discard
/// and waiting for it: a removal is a round trip to the device, not work for a processor.
/// Deleting a copy of the city's output (70,577 files) on the loaded machine took 97-108 s
/// from one thread, 9-12 s from eight and 3-5 s from 32 or 64, with the same 2-2.5 s of
/// system time. The old site goes after rendering, when nothing else runs.
const REMOVE_THREADS: usize = 64;

/// Threads that write one batch into the staging folder, while the rayon pool renders
/// the next. Creating a file waits less than removing one, and threads creating files in
/// one folder (`stewards/` holds 50,000) contend for its lock: on the loaded machine one
/// writer took 85 s for a city, two 63 s and eight 59 s, but eight cost 3.4 s more
/// processor time than one, which a quiet two-core machine, busy rendering, would pay
/// in wall time. Two cost none.
const WRITE_THREADS: usize = 2;

/// Runs `work` on every item, from `threads` threads taking the next item in turn; the
/// first error stops them all.
fn on_disk_threads<T: Sync, E: Send>(
    threads: usize,
    items: &[T],
    work: impl Fn(&T) -> Result<(), E> + Sync,
) -> Result<(), E> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().try_for_each(work);
    }
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let first_error = std::sync::Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) else {
                        break;
                    };
                    if let Err(e) = work(item) {
                        failed.store(true, Ordering::Relaxed);
                        if let Ok(mut slot) = first_error.lock() {
                            slot.get_or_insert(e);
                        }
                    }
                }
            });
        }
    });
    match first_error.into_inner() {
        Ok(Some(e)) => Err(e),
        _ => Ok(()),
    }
}

/// Removes a folder tree: its files from [`REMOVE_THREADS`] threads, then its folders,
/// deepest first. A city's old site holds 70,000 files, and unlinking them one by one is
/// the largest part of replacing it.
///
/// Files go in the order of their inode numbers, not the folders' (hashed) order: files
/// written one after the other have neighbouring inodes and blocks, so the threads free
/// neighbouring blocks at the same time and the device merges their discards. Replacing
/// a city's output sent 34,000-36,000 discards instead of one per file (71,000), and
/// unlinking a copy of it from 32 threads took 2.3 s instead of 2.8 s in folder order.
/// Folders go level by level from the same threads, as removing each also waits on a
/// discard and a city has 436 of them: 0.1-0.9 s instead of 1.3-2.1 s one by one.
fn remove_tree(dir: &Path) -> io::Result<()> {
    let mut files: Vec<(u64, PathBuf)> = Vec::new();
    let mut levels: Vec<Vec<PathBuf>> = vec![vec![dir.to_path_buf()]];
    let mut depth = 0;
    while let Some(level) = levels.get(depth) {
        let mut below = Vec::new();
        for d in level {
            for entry in fs::read_dir(d)? {
                let entry = entry?;
                if entry.file_type()?.is_dir() {
                    below.push(entry.path());
                } else {
                    files.push((inode_number(&entry), entry.path()));
                }
            }
        }
        if below.is_empty() {
            break;
        }
        levels.push(below);
        depth += 1;
    }
    files.sort_unstable();
    on_disk_threads(REMOVE_THREADS, &files, |(_, f)| match fs::remove_file(f) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    })?;
    // A level's folders hold only folders of the levels below, which are gone by then.
    for level in levels.iter().rev() {
        on_disk_threads(REMOVE_THREADS, level, |d| fs::remove_dir(d))?;
    }
    Ok(())
}

#[cfg(unix)]
fn inode_number(entry: &fs::DirEntry) -> u64 {
    std::os::unix::fs::DirEntryExt::ino(entry)
}

/// Elsewhere the folders' own order.
#[cfg(not(unix))]
fn inode_number(_entry: &fs::DirEntry) -> u64 {
    0
}

fn remove_if_exists(path: &Path) -> Result<(), Diagnostic> {
    match remove_tree(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(path, "无法删除上次中断留下的临时文件夹", e)),
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

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

/// Replaces `output` with `staging`. On Linux the two are exchanged in one step, so
/// `output` is never missing, even if the process dies right then. Returns where the
/// previous site now is, for the caller to remove.
fn swap_in(staging: &Path, output: &Path) -> Result<Option<PathBuf>, Diagnostic> {
    if !output.exists() {
        fs::rename(staging, output).map_err(|e| io_error(output, "无法放置新站点", e))?;
        return Ok(None);
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staging, CWD, output, RenameFlags::EXCHANGE).is_ok() {
            // `staging` now holds the previous site.
            return Ok(Some(staging.to_path_buf()));
        }
    }
    let old = sibling(output, "hongguanjia-old");
    remove_if_exists(&old)?;
    fs::rename(output, &old).map_err(|e| io_error(output, "无法移开旧站点", e))?;
    if let Err(e) = fs::rename(staging, output) {
        let _ = fs::rename(&old, output);
        return Err(io_error(output, "无法放置新站点", e));
    }
    Ok(Some(old))
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
            let mut staging = Staging::new(&out, false);
            staging.open().unwrap();
            staging
                .put(batch(vec![file("a/index.html", "旧")]))
                .unwrap();
            // Dropped unfinished: nothing in place, no staging folder left behind.
        }
        assert!(!out.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);

        let mut staging = Staging::new(&out, false);
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
            let mut staging = Staging::new(&out, false);
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
        let beside: Vec<_> = fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(
            beside.len(),
            1,
            "the old site or a staging folder was left behind"
        );
    }

    #[test]
    fn remove_tree_removes_nested_folders_and_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("old");
        for i in 0..3 * REMOVE_THREADS {
            let path = root.join(format!("a/b{}/c/{i}.html", i % 4));
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "x").unwrap();
        }
        fs::create_dir_all(root.join("empty/deeper")).unwrap();
        remove_tree(&root).unwrap();
        assert!(!root.exists());
        assert!(remove_tree(&root).is_err(), "a missing folder is reported");
    }

    #[test]
    fn staging_refuses_a_folder_it_did_not_make() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let err = Staging::new(&out, false).open().unwrap_err();
        assert!(
            err.to_string().contains("不是 hongguanjia 生成的文件"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    }
}
