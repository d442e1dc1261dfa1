//! Opening a file that may not be what its name says. A named pipe (FIFO) called
//! `meetings.csv` or `site.toml` would make a plain `open` wait for a writer forever, a
//! device could be read without end, and a socket cannot be read at all: such files are
//! refused before anything is read from them, with a message that says what they are.
//!
//! The kind is looked up first (`metadata`, which never opens the file), and on Unix the
//! file is then opened without blocking and its kind checked again on the open file, so
//! that a file swapped for a pipe in between is refused too.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

/// What a file that is not a regular file is, in the user's words; none for a regular
/// file (or a folder, which the callers tell apart themselves).
pub(crate) fn special_kind(meta: &fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() || t.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("命名管道（FIFO）");
        }
        if t.is_socket() {
            return Some("套接字（socket）");
        }
        if t.is_block_device() || t.is_char_device() {
            return Some("设备文件");
        }
    }
    Some("特殊文件")
}

/// What is said of a file of kind `kind` that is not read.
pub(crate) fn refusal(kind: &str) -> String {
    format!("这不是普通文件，而是{kind}，读它可能永远等不到结束，所以没有读。请换成普通的文件")
}

/// The error for a file of kind `kind` that is not read.
fn refused(kind: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, refusal(kind))
}

/// Whether the entry at `path` (links followed) can be read as a file: `Err` with what to
/// say when it is a special file or a link to nothing. Folders are `Ok(false)`.
pub(crate) fn readable(path: &Path) -> Result<bool, String> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() => Ok(true),
        Ok(meta) if meta.is_dir() => Ok(false),
        Ok(meta) => Err(refusal(special_kind(&meta).unwrap_or("特殊文件"))),
        // Nothing at its end, or links in a circle.
        Err(_) if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) => Err(
            "这是一个符号链接，它指向的文件不存在。请把链接指向的文件放回原处，或删掉这个链接"
                .to_string(),
        ),
        Err(e) => Err(format!("无法读取文件：{}", crate::fs_errors::reason(&e))),
    }
}

/// Opens `path` for reading if it is a regular file (following links); anything else is
/// refused without being opened in a way that could block.
pub(crate) fn open(path: &Path) -> io::Result<File> {
    let meta = fs::metadata(path)?;
    if let Some(kind) = special_kind(&meta) {
        return Err(refused(kind));
    }
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if let Some(kind) = special_kind(&meta) {
        return Err(refused(kind));
    }
    if meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "这是一个文件夹，不是文件",
        ));
    }
    Ok(file)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // For a regular file the flag changes nothing; a pipe opened this way returns at once
    // instead of waiting for a writer, and is refused by the caller.
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// The bytes of the regular file at `path`.
pub(crate) fn read(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = open(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The text of the regular file at `path`, which must be UTF-8.
pub(crate) fn read_to_string(path: &Path) -> io::Result<String> {
    let mut file = open(path)?;
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_pipe_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("meetings.csv");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &pipe,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        )
        .unwrap();
        let err = read(&pipe).unwrap_err();
        assert!(err.to_string().contains("命名管道"), "{err}");
        let file = dir.path().join("a.csv");
        fs::write(&file, "编号\n").unwrap();
        assert_eq!(read(&file).unwrap(), "编号\n".as_bytes());
        assert!(read(dir.path()).is_err(), "a folder is no file");
        assert!(
            read(Path::new("/dev/zero"))
                .unwrap_err()
                .to_string()
                .contains("设备文件")
        );
    }
}
