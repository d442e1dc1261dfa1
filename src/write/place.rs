//! Where the output is, and taking it for writing: the path as the file system finds it
//! (links followed), what must hold around it before anything is written, and the lock
//! and the journal of a build that was stopped, done before anything else.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::journal::{self, Done, Journal};
use super::{Failure, MARKER, lock, write_error};
use crate::diagnostics::Diagnostic;
use crate::manifest::{self, sibling};

/// The staging folder of `output`, where a build writes before anything goes in place.
pub(super) fn staging_path(output: &Path) -> PathBuf {
    sibling(output, "hongguanjia-new")
}

/// Where the old output goes for a moment on systems that cannot exchange two folders.
pub(super) fn old_path(output: &Path) -> PathBuf {
    sibling(output, "hongguanjia-old")
}

/// A path as the file system will take it: absolute, `.` and `..` worked out, and links
/// followed as far as the path exists. The output is written where a link to it points,
/// never through the link: the folder swapped, the staging folder, the manifest and the
/// lock are all beside the real folder, and each spelling of it takes the same lock.
pub(crate) fn resolve(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut clean = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    let mut rest = Vec::new();
    let mut existing = clean.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            out.extend(rest.iter().rev());
            return out;
        }
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return clean,
        }
    }
}

/// What must hold before `output` (resolved) is taken: not a link to nothing, below a
/// folder, and nothing but files of ours beside it under the names the program uses.
pub(super) fn check(output: &Path) -> Result<(), Diagnostic> {
    if fs::symlink_metadata(output).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(write_error(
            output,
            "输出位置是一个符号链接，它指向的地方不存在。为免写到意料之外的地方，已停止，没有改动任何文件。请先建好它指向的文件夹，或换一个输出位置",
        ));
    }
    // The nearest folder that exists above the output must be a folder.
    if let Some(file) = output
        .ancestors()
        .skip(1)
        .find(|a| fs::symlink_metadata(a).is_ok())
        .filter(|a| !a.is_dir())
    {
        return Err(write_error(
            output,
            format!(
                "路径中间的 {} 是一个文件，不是文件夹，无法在它下面放输出文件夹。没有改动任何文件。请检查 --output 后面写的路径",
                file.display()
            ),
        ));
    }
    // Beside the output, only files of ours: a folder or a pipe there is someone
    // else's, and is not written over.
    for path in [
        manifest::path_for(output),
        journal::path_for(output),
        lock::path_for(output),
    ] {
        if fs::symlink_metadata(&path).is_ok_and(|m| !m.is_file()) {
            return Err(write_error(
                &path,
                "这个名字是 hongguanjia 留给自己记录生成情况的文件，这里却是别的东西（文件夹、链接或特殊文件）。为免误删，已停止，没有改动任何文件。请把它移走后再运行",
            ));
        }
    }
    Ok(())
}

/// Whether `dir` may be replaced: absent, empty, or built by us.
pub(super) fn replaceable(dir: &Path) -> io::Result<bool> {
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

/// How the note of [`finish_stopped`] begins when it changed the output (moved files in),
/// so that the closing sentence of a failure can tell the output is not as it was when
/// the run began.
pub const FINISHED_STOPPED: &str = "已先做完上一次被中断的生成";

/// Does what the journal of a build that was stopped says, before anything else is done
/// to the output; a note for the user when there was one.
pub(super) fn finish_stopped(output: &Path) -> Result<Vec<Diagnostic>, Failure> {
    let Some(journal) = Journal::read(output)? else {
        return Ok(Vec::new());
    };
    let kind = journal.kind;
    let done = journal.apply(output, true).map_err(|f| {
        let mut failure = Failure::from(f);
        failure.diagnostic.message = format!(
            "上一次生成被中断了，这一次要先把它做完，却没能做完：{}",
            failure.diagnostic.message
        );
        failure
    })?;
    let message = match (kind, done) {
        (journal::Kind::Moves, Done::Finished(0)) => {
            "上一次生成放好了改动的文件，但在记下清单之前被中断了；已先补记清单，再开始这一次"
        }
        (journal::Kind::Moves, Done::Finished(_)) => {
            "已先做完上一次被中断的生成：它在逐个放入改动的文件时停下了（输出文件夹里新旧文件混在一起），剩下的已经放好，再开始这一次"
        }
        (journal::Kind::Swap, Done::Finished(_)) => {
            "上一次生成在换上新网站之后、收尾之前被中断了；已先删掉换下来的旧网站、记好清单，再开始这一次"
        }
        (journal::Kind::Swap, Done::Dropped) => {
            "上一次生成在换上新网站之前被中断了，输出文件夹没有改动；它留下的临时文件夹会被清掉"
        }
        (journal::Kind::Moves, Done::Dropped) => {
            "上一次生成被中断了，之后输出文件夹又被换成了别的文件夹，无法接着做完；这一次会完整生成"
        }
    };
    Ok(vec![Diagnostic::warning(
        output.display().to_string(),
        0,
        message,
    )])
}
