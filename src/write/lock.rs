//! One writer per output: a lock file beside the output folder (`.public.hongguanjia-lock`
//! for `public/`), held by whoever writes into the folder (`build`, `print`) from before
//! it looks at the folder until it is done.
//!
//! The lock is the system's advisory lock on the open file (`flock(2)` on Linux and other
//! Unix systems, `LockFileEx` on Windows, through [`std::fs::File::try_lock`]): the
//! kernel releases it when the process ends, however it ends, so a build killed with
//! `kill -9` leaves no lock to take over (only the file, which the next writer locks
//! anew), and a process that reuses the dead one's id holds nothing. The file says who
//! holds it, for the message of a second writer. On Unix the holder removes it before it
//! lets go, and whoever gets the lock checks that the name still leads to the file it
//! locked (else it opens the new one and locks again), so a file removed while another
//! process waited on it never lets two hold "the" lock. On a system without such locks
//! the build refuses to write, saying why.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{io_error, write_error};
use crate::diagnostics::Diagnostic;
use crate::manifest::sibling;

/// How long a second writer waits for the first before it gives up: long enough for two
/// runs of a small site started by the same click to go one after the other, short
/// enough that a scheduled job does not hang behind a city's build.
const WAIT: Duration = Duration::from_secs(3);

/// Held while the output is written; released when dropped (or when the process ends).
#[derive(Debug)]
pub(crate) struct OutputLock {
    file: File,
    path: PathBuf,
}

/// The lock file of the output folder `output`: beside it, like the manifest.
pub(crate) fn path_for(output: &Path) -> PathBuf {
    sibling(output, "hongguanjia-lock")
}

impl OutputLock {
    /// Takes the lock of `output` (a resolved path), waiting up to [`WAIT`] for another
    /// writer to finish. The folder holding `output` is made if missing.
    pub(crate) fn take(output: &Path) -> Result<OutputLock, Diagnostic> {
        Self::take_within(output, WAIT)
    }

    fn take_within(output: &Path, wait: Duration) -> Result<OutputLock, Diagnostic> {
        if let Some(parent) = output.parent() {
            fs::create_dir_all(parent).map_err(|e| io_error(parent, "无法创建文件夹", e))?;
        }
        let path = path_for(output);
        let started = Instant::now();
        loop {
            let file = Self::lock_file(output, &path, started, wait)?;
            if same_file(&file, &path) {
                return Ok(Self::own(file, path));
            }
            // Removed (and maybe made anew) by the holder as it let go: lock the new one.
        }
    }

    /// Opens the lock file at `path` and waits, until `started + wait`, for its lock.
    fn lock_file(
        output: &Path,
        path: &Path,
        started: Instant,
        wait: Duration,
    ) -> Result<File, Diagnostic> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| io_error(path, "无法创建锁文件", e))?;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if started.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(write_error(
                        output,
                        format!(
                            "另一个 hongguanjia 正在写入这个输出文件夹（{}），为免两边同时写坏它，已停止，没有改动它。请等那边结束后再运行；那个程序一结束（包括被强行关掉），锁就自动解除",
                            holder(&mut file)
                        ),
                    ));
                }
                Err(TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                    return Err(write_error(
                        path,
                        "这个系统或这块磁盘不支持给文件加锁，无法保证同一时间只有一个程序写入输出文件夹，已停止，没有改动它。请把输出文件夹放在本机的磁盘上",
                    ));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(io_error(path, "无法给输出文件夹加锁", e));
                }
            }
        }
        Ok(file)
    }

    /// Writes who holds the lock into its file, for a second writer's message. A failure
    /// here costs only that.
    fn own(mut file: File, path: PathBuf) -> OutputLock {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let _ = file.set_len(0).and_then(|()| {
            file.rewind()?;
            write!(file, "pid {}\nstarted {since}\n", std::process::id())
        });
        OutputLock { file, path }
    }
}

impl Drop for OutputLock {
    /// Removes the lock file while still holding it (Unix), then lets go: nothing is left
    /// beside the output but the manifest.
    fn drop(&mut self) {
        #[cfg(unix)]
        if same_file(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Whether `path` still names the open file `file`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

/// Elsewhere the file is never removed, so the name always leads to it.
#[cfg(not(unix))]
fn same_file(_file: &File, _path: &Path) -> bool {
    true
}

/// The holder as its lock file tells it: process id, when it started and how long ago.
fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let (Some(pid), Some(started)) = (field("pid"), field("started")) else {
        return "它刚刚开始".to_string();
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!(
        "进程号 {pid}，开始于 {}（协调世界时，北京时间要加 8 小时），已运行 {} 秒",
        utc(started),
        now.saturating_sub(started)
    )
}

/// `2026-11-28 03:43:05` for seconds since 1970, in UTC.
fn utc(seconds: u64) -> String {
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let day = crate::model::Date::from_unix_days(days).map_or_else(String::new, |d| d.to_string());
    let s = seconds % 86_400;
    format!("{day} {:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_told_who_holds_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let first = OutputLock::take(&out).unwrap();
        let err = OutputLock::take_within(&out, Duration::from_millis(100)).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&format!("进程号 {}", std::process::id()))
                && text.contains("开始于 20")
                && text.contains("已运行 "),
            "{text}"
        );
        drop(first);
        // Released with the first: the next writer takes it at once.
        let again = OutputLock::take_within(&out, Duration::ZERO).unwrap();
        drop(again);
        if cfg!(unix) {
            assert!(!path_for(&out).exists(), "the lock file goes with the lock");
        }
        assert!(!out.exists(), "taking the lock makes nothing else");
    }

    /// Writers one after another while the lock file comes and goes: never two at once.
    #[test]
    fn a_lock_file_removed_while_another_waits_never_lets_two_in() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let inside = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..25 {
                        let lock = OutputLock::take_within(&out, Duration::from_secs(30)).unwrap();
                        let before = inside.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        assert_eq!(before, 0, "two writers at once");
                        std::thread::sleep(Duration::from_millis(1));
                        inside.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                        drop(lock);
                    }
                });
            }
        });
    }

    #[test]
    fn utc_times_read_as_calendar_times() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(1_764_301_385), "2025-11-28 03:43:05");
    }
}
