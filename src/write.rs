//! Step 5 of the pipeline: put the finished site in place without ever losing the
//! previous one. Files go to a staging folder beside the output; only when all of them
//! are written is the staging folder swapped in, atomically where the system allows.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::render::OutputFile;

/// Written into every site hongguanjia builds, so that it only ever replaces its own.
pub const MARKER: &str = ".hongguanjia";
const MARKER_TEXT: &str =
    "此文件夹由 hongguanjia 生成，每次构建都会整体替换。请勿在此存放其他文件。\n";

#[derive(Debug)]
pub enum WriteError {
    /// The output folder holds files hongguanjia did not write.
    NotOurs(PathBuf),
    Io(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::NotOurs(p) => write!(
                f,
                "{}: 输出文件夹里已有不是 hongguanjia 生成的文件，为免误删，已停止构建。请换一个输出文件夹，或确认可以覆盖后加上 --force",
                p.display()
            ),
            WriteError::Io(m) => write!(f, "{m}"),
        }
    }
}

fn io_error(path: &Path, what: &str, err: io::Error) -> WriteError {
    WriteError::Io(format!("{}: {what}：{err}", path.display()))
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

/// Writes `files` as the new content of `output` in one go.
pub fn write_site(output: &Path, files: &[OutputFile], force: bool) -> Result<(), WriteError> {
    let staging = Staging::begin(output, force)?;
    staging.write(files)?;
    staging.commit()
}

/// A new site being written beside the output, in as many batches as rendering produces.
/// Dropped without `commit`, it removes itself and the output stays as it was.
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    /// The site being replaced, when it is one of ours: its unchanged files are linked
    /// into the new site instead of being written again.
    previous: Option<PathBuf>,
    done: bool,
}

impl Staging {
    /// Checks that `output` may be replaced and opens a fresh staging folder beside it.
    pub fn begin(output: &Path, force: bool) -> Result<Staging, WriteError> {
        let output = absolute(output);
        if !force
            && !replaceable(&output).map_err(|e| io_error(&output, "无法检查输出文件夹", e))?
        {
            return Err(WriteError::NotOurs(output));
        }
        if output.exists() && !output.is_dir() {
            return Err(WriteError::Io(format!(
                "{}: 不是文件夹，无法作为输出位置",
                output.display()
            )));
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
        Ok(Staging {
            output,
            dir,
            previous,
            done: false,
        })
    }

    /// Writes one batch of files, in parallel.
    pub fn write(&self, files: &[OutputFile]) -> Result<(), WriteError> {
        write_tree(&self.dir, self.previous.as_deref(), files, true)
    }

    /// Writes one batch from the calling thread only, leaving the thread pool to work
    /// that needs processors while this waits on the disk.
    pub fn write_serial(&self, files: &[OutputFile]) -> Result<(), WriteError> {
        write_tree(&self.dir, self.previous.as_deref(), files, false)
    }

    /// Marks the new site as ours and swaps it in.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let marker = self.dir.join(MARKER);
        fs::write(&marker, MARKER_TEXT).map_err(|e| io_error(&marker, "无法写入", e))?;
        self.done = true;
        swap_in(&self.dir, &self.output)
    }
}

impl Drop for Staging {
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

fn remove_if_exists(path: &Path) -> Result<(), WriteError> {
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
fn put(path: &Path, previous: Option<&Path>, rel: &str, bytes: &[u8]) -> Result<(), WriteError> {
    if let Some(old) = previous.map(|p| p.join(rel))
        && same_file(&old, bytes)
        && fs::hard_link(&old, path).is_ok()
    {
        return Ok(());
    }
    fs::write(path, bytes).map_err(|e| io_error(path, "无法写入", e))
}

fn write_tree(
    dir: &Path,
    previous: Option<&Path>,
    files: &[OutputFile],
    parallel: bool,
) -> Result<(), WriteError> {
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(|p| dir.join(p)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        fs::create_dir_all(d).map_err(|e| io_error(d, "无法创建文件夹", e))?;
    }
    let one = |f: &OutputFile| put(&dir.join(&f.path), previous, &f.path, &f.bytes);
    if parallel {
        files.par_iter().try_for_each(one)
    } else {
        files.iter().try_for_each(one)
    }
}

/// Replaces `output` with `staging`. On Linux the two are exchanged in one step, so
/// `output` is never missing, even if the process dies right then.
fn swap_in(staging: &Path, output: &Path) -> Result<(), WriteError> {
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
