//! The last step of the pipeline: where finished files go, as a [`Sink`]. `check` throws
//! them away ([`Discard`]); `build` puts the site in place without ever losing the
//! previous one ([`Staging`]: files go to a staging folder beside the output, and only
//! when all of them are written is it swapped in, atomically where the system allows);
//! a server keeps them in memory ([`Memory`]).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
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

/// Where the pipeline hands finished files, batch by batch. The pipeline calls
/// [`Sink::open`] only once the site's records are sound, then [`Sink::put`] for every
/// batch that passed the leak guard, then [`Sink::finish`] once; on any error it stops
/// and drops the sink, which must then leave every earlier output as it was.
pub trait Sink {
    /// Called once, before the first batch, when the site is known to be sound: a sink
    /// that writes prepares its place here, so a site with errors writes nothing.
    fn open(&mut self) -> Result<(), Diagnostic> {
        Ok(())
    }

    /// Takes one batch. A sink may store it in the background and report a failure on
    /// a later call.
    fn put(&mut self, batch: Vec<OutputFile>) -> Result<(), Diagnostic>;

    /// After the last batch: everything handed on is in place. Adds the sink's own
    /// stages to `timings`.
    fn finish(&mut self, _timings: &mut Timings) -> Result<(), Diagnostic> {
        Ok(())
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
    fn put(&mut self, _batch: Vec<OutputFile>) -> Result<(), Diagnostic> {
        Ok(())
    }

    fn own_files(&self) -> usize {
        1
    }
}

/// `build`: writes into a staging folder beside `output` and swaps it in at the end.
///
/// A writer thread of its own puts each batch into the staging folder while the next
/// batch renders, so the disk and the processors work at the same time.
pub struct Staging {
    output: PathBuf,
    force: bool,
    /// Batches for the writer thread; a small bound keeps at most a few batches in memory.
    sender: Option<std::sync::mpsc::SyncSender<Vec<OutputFile>>>,
    writer: Option<std::thread::JoinHandle<Result<(StagingDir, f64), Diagnostic>>>,
}

impl Staging {
    /// A sink that will replace `output`; with `force`, even a folder hongguanjia did not
    /// make. Nothing is touched before [`Sink::open`].
    pub fn new(output: &Path, force: bool) -> Self {
        Staging {
            output: output.to_path_buf(),
            force,
            sender: None,
            writer: None,
        }
    }

    /// Waits for the writer thread; its staging folder and seconds spent writing.
    fn join(&mut self) -> Result<(StagingDir, f64), Diagnostic> {
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
        let (sender, batches) = std::sync::mpsc::sync_channel::<Vec<OutputFile>>(2);
        self.sender = Some(sender);
        self.writer = Some(std::thread::spawn(move || {
            let mut seconds = 0.0;
            for batch in batches {
                let t = std::time::Instant::now();
                // On an error the folder is dropped with the thread's result: it removes
                // itself.
                dir.write_serial(&batch)?;
                seconds += t.elapsed().as_secs_f64();
            }
            Ok((dir, seconds))
        }));
        Ok(())
    }

    fn put(&mut self, batch: Vec<OutputFile>) -> Result<(), Diagnostic> {
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

    fn finish(&mut self, timings: &mut Timings) -> Result<(), Diagnostic> {
        let (dir, seconds) = self.join()?;
        timings.add("写入临时文件夹（与渲染同时进行）", seconds);
        let started = std::time::Instant::now();
        dir.commit()?;
        timings.add("替换旧站点", started.elapsed().as_secs_f64());
        Ok(())
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

/// `serve`: the site as path → bytes, replaced as a whole by each build.
#[derive(Debug, Default)]
pub struct Memory {
    files: std::collections::BTreeMap<String, Vec<u8>>,
    next: std::collections::BTreeMap<String, Vec<u8>>,
}

impl Memory {
    /// The last finished site's file at `path` (relative, `/`-separated), if any.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// The last finished site, by path.
    pub fn files(&self) -> &std::collections::BTreeMap<String, Vec<u8>> {
        &self.files
    }

    /// The last finished site, by path, taken whole: a server swaps it in at once, so
    /// a request never sees half of one build and half of another.
    pub fn into_files(self) -> std::collections::BTreeMap<String, Vec<u8>> {
        self.files
    }
}

impl Sink for Memory {
    fn open(&mut self) -> Result<(), Diagnostic> {
        self.next.clear();
        Ok(())
    }

    fn put(&mut self, batch: Vec<OutputFile>) -> Result<(), Diagnostic> {
        self.next
            .extend(batch.into_iter().map(|f| (f.path, f.bytes)));
        Ok(())
    }

    /// Only a whole build replaces what is served: a build that failed halfway leaves
    /// the previous site in place, like [`Staging`] does on disk.
    fn finish(&mut self, _timings: &mut Timings) -> Result<(), Diagnostic> {
        self.files = std::mem::take(&mut self.next);
        Ok(())
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

fn sibling(output: &Path, suffix: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".to_string());
    output.with_file_name(format!(".{name}.{suffix}"))
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

    /// Writes one batch from the calling thread only, leaving the thread pool to work
    /// that needs processors while this waits on the disk.
    fn write_serial(&self, files: &[OutputFile]) -> Result<(), Diagnostic> {
        write_tree(&self.dir, self.previous.as_deref(), files)
    }

    /// Marks the new site as ours and swaps it in.
    fn commit(mut self) -> Result<(), Diagnostic> {
        let marker = self.dir.join(MARKER);
        fs::write(&marker, MARKER_TEXT).map_err(|e| io_error(&marker, "无法写入", e))?;
        self.done = true;
        swap_in(&self.dir, &self.output)
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Removes a folder tree, its sub-folders in parallel: a city's old site holds tens of
/// thousands of folders, and deleting them one by one is a large part of a rebuild.
fn remove_tree(dir: &Path) -> io::Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(|e| {
        if e.file_type()?.is_dir() {
            remove_tree(&e.path())
        } else {
            fs::remove_file(e.path())
        }
    })?;
    fs::remove_dir(dir)
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

/// Whether `old` is a regular file holding exactly `bytes`.
fn same_file(old: &Path, bytes: &[u8]) -> bool {
    match fs::symlink_metadata(old) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            fs::read(old).is_ok_and(|held| held == bytes)
        }
        _ => false,
    }
}

/// Puts one file into the staging folder. A file the previous site already holds byte for
/// byte is hard-linked rather than written: on this kind of disk a new inode costs twenty
/// times a link, and the old tree is deleted right after the swap anyway. Nothing is ever
/// written into the previous site, so it stays whole whatever happens.
fn put(path: &Path, previous: Option<&Path>, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    if let Some(old) = previous.map(|p| p.join(rel))
        && same_file(&old, bytes)
        && fs::hard_link(&old, path).is_ok()
    {
        return Ok(());
    }
    fs::write(path, bytes).map_err(|e| io_error(path, "无法写入", e))
}

fn write_tree(dir: &Path, previous: Option<&Path>, files: &[OutputFile]) -> Result<(), Diagnostic> {
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(|p| dir.join(p)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        fs::create_dir_all(d).map_err(|e| io_error(d, "无法创建文件夹", e))?;
    }
    files
        .iter()
        .try_for_each(|f| put(&dir.join(&f.path), previous, &f.path, &f.bytes))
}

/// Replaces `output` with `staging`. On Linux the two are exchanged in one step, so
/// `output` is never missing, even if the process dies right then.
fn swap_in(staging: &Path, output: &Path) -> Result<(), Diagnostic> {
    if !output.exists() {
        return fs::rename(staging, output).map_err(|e| io_error(output, "无法放置新站点", e));
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, staging, CWD, output, RenameFlags::EXCHANGE).is_ok() {
            // `staging` now holds the previous site.
            return remove_tree(staging)
                .map_err(|e| io_error(staging, "新站点已就位，但无法删除旧站点", e));
        }
    }
    let old = sibling(output, "hongguanjia-old");
    remove_if_exists(&old)?;
    fs::rename(output, &old).map_err(|e| io_error(output, "无法移开旧站点", e))?;
    if let Err(e) = fs::rename(staging, output) {
        let _ = fs::rename(&old, output);
        return Err(io_error(output, "无法放置新站点", e));
    }
    fs::remove_dir_all(&old).map_err(|e| io_error(&old, "新站点已就位，但无法删除旧站点", e))
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

    #[test]
    fn memory_serves_only_whole_builds() {
        let mut memory = Memory::default();
        let mut timings = Timings::default();
        memory.open().unwrap();
        memory.put(vec![file("index.html", "一")]).unwrap();
        memory.put(vec![file("stewards/S001.html", "甲")]).unwrap();
        assert_eq!(
            memory.get("index.html"),
            None,
            "not served before the build ends"
        );
        memory.finish(&mut timings).unwrap();
        assert_eq!(memory.get("index.html"), Some("一".as_bytes()));
        assert_eq!(memory.files().len(), 2);

        // A build that stops halfway (never finished) leaves the last whole site.
        memory.open().unwrap();
        memory.put(vec![file("index.html", "二")]).unwrap();
        assert_eq!(memory.get("index.html"), Some("一".as_bytes()));

        memory.open().unwrap();
        memory.put(vec![file("index.html", "三")]).unwrap();
        memory.finish(&mut timings).unwrap();
        assert_eq!(memory.get("index.html"), Some("三".as_bytes()));
        assert_eq!(
            memory.get("stewards/S001.html"),
            None,
            "a new build replaces the old one whole"
        );
    }

    #[test]
    fn staging_swaps_in_only_on_finish() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let mut timings = Timings::default();
        {
            let mut staging = Staging::new(&out, false);
            staging.open().unwrap();
            staging.put(vec![file("a/index.html", "旧")]).unwrap();
            // Dropped unfinished: nothing in place, no staging folder left behind.
        }
        assert!(!out.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);

        let mut staging = Staging::new(&out, false);
        staging.open().unwrap();
        staging.put(vec![file("a/index.html", "新")]).unwrap();
        staging.finish(&mut timings).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "新");
        assert!(out.join(MARKER).is_file());
        assert_eq!(staging.own_files(), 1);
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
