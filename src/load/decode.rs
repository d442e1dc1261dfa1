//! Text decoding for files written by Excel and WPS: UTF-8 (with or without BOM), UTF-16
//! with a BOM, and otherwise GB18030, a superset of GBK.
//!
//! `encoding_rs_io` only sniffs BOMs, so a BOM-less GBK file would pass through as broken
//! UTF-8. We therefore check the whole file for UTF-8 validity first, streaming, so that a
//! large export is never held in memory just to pick its encoding.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use encoding_rs_io::{DecodeReaderBytes, DecodeReaderBytesBuilder};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf16Bom,
    Gb18030,
}

/// Encodings [`detect_ahead`] found, by file, with the length and modification time the
/// file had. Each is used once, by the read that follows, and only if the file still has
/// that length and time: a file saved since (the preview reads the site again after
/// each save) is scanned again.
type Found = rustc_hash::FxHashMap<PathBuf, (u64, SystemTime, Encoding)>;
static FOUND: Mutex<Option<Found>> = Mutex::new(None);

fn found() -> std::sync::MutexGuard<'static, Option<Found>> {
    // Only a cache: whatever a panicking thread left in it is still a correct answer.
    FOUND
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Finds the encodings of `paths` on a thread of its own, in their order, for
/// [`detect`] to answer from. Scanning a large file whole took the readers' time at the
/// start of each record kind; ahead of them it takes a core that is otherwise idle while
/// the roster is read.
pub(crate) fn detect_ahead(paths: Vec<PathBuf>) {
    let spawned = std::thread::Builder::new()
        .name("hongguanjia-encodings".into())
        .spawn(move || {
            for path in paths {
                let stamp = stamp(&path);
                // Errors are left for the read to find and report.
                if let (Some((len, modified)), Ok(encoding)) = (stamp, scan(&path)) {
                    found()
                        .get_or_insert_with(Found::default)
                        .insert(path, (len, modified, encoding));
                }
            }
        });
    // Without the thread each file is scanned when it is read, as before.
    drop(spawned);
}

/// Decides how to read `path` by scanning it once (or not at all, when [`detect_ahead`]
/// did just now). A file with NUL bytes and no UTF-16 BOM is refused as not text.
pub(crate) fn detect(path: &Path) -> io::Result<Encoding> {
    let stamp = stamp(path);
    let ahead = found().as_mut().and_then(|f| f.remove(path));
    if let (Some((len, modified)), Some((l, m, encoding))) = (stamp, ahead)
        && (l, m) == (len, modified)
    {
        return Ok(encoding);
    }
    scan(path)
}

/// A file's length and modification time, to tell whether it changed.
fn stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

fn scan(path: &Path) -> io::Result<Encoding> {
    let mut head = Vec::with_capacity(2);
    // Only regular files: a pipe named `visits.csv` would wait for a writer forever.
    crate::files::open(path)?.take(2).read_to_end(&mut head)?;
    if head == [0xFF, 0xFE] || head == [0xFE, 0xFF] {
        return Ok(Encoding::Utf16Bom);
    }
    let mut file = crate::files::open(path)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut carry = 0usize;
    loop {
        let n = file.read(&mut buf[carry..])?;
        if n == 0 {
            // A sequence cut off by the end of the file is not UTF-8.
            return Ok(if carry == 0 {
                Encoding::Utf8
            } else {
                Encoding::Gb18030
            });
        }
        let len = carry + n;
        // No text export holds a NUL byte; a workbook (.xlsx is a zip) or other binary
        // file saved under a .csv name does, and read as text it would only give
        // misleading messages about missing columns.
        if buf[carry..len].contains(&0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "不是文本文件（如果是 Excel 或 WPS 表格，请另存为 CSV 格式）",
            ));
        }
        // With SIMD: the scan reads every byte of a city's 180 MB once more.
        match simdutf8::compat::from_utf8(&buf[..len]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_some() => return Ok(Encoding::Gb18030),
            Err(e) => {
                // An incomplete sequence at the chunk's end: keep it for the next read.
                let valid = e.valid_up_to();
                buf.copy_within(valid..len, 0);
                carry = len - valid;
            }
        }
    }
}

/// A reader that yields UTF-8 without a BOM, whatever the file's encoding.
pub(crate) fn open(
    path: &Path,
    encoding: Encoding,
) -> io::Result<DecodeReaderBytes<BufReader<File>, Vec<u8>>> {
    let file = BufReader::with_capacity(256 * 1024, crate::files::open(path)?);
    let builder = match encoding {
        Encoding::Utf8 | Encoding::Utf16Bom => {
            let mut b = DecodeReaderBytesBuilder::new();
            b.bom_sniffing(true).strip_bom(true);
            b
        }
        Encoding::Gb18030 => {
            let mut b = DecodeReaderBytesBuilder::new();
            b.encoding(Some(encoding_rs::GB18030)).strip_bom(true);
            b
        }
    };
    Ok(builder.build(file))
}

/// Turns CRLF and lone CR line ends into LF. The csv crate mis-counts lines after a CRLF,
/// and messages must point at the line the user sees in their editor.
pub(crate) struct UnixLines<R> {
    inner: R,
    input: Vec<u8>,
    output: Vec<u8>,
    pos: usize,
    pending_cr: bool,
    done: bool,
}

impl<R: Read> UnixLines<R> {
    pub(crate) fn new(inner: R) -> Self {
        UnixLines {
            inner,
            input: vec![0; 64 * 1024],
            output: Vec::with_capacity(64 * 1024 + 1),
            pos: 0,
            pending_cr: false,
            done: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.output.clear();
        self.pos = 0;
        while self.output.is_empty() && !self.done {
            let n = self.inner.read(&mut self.input)?;
            if n == 0 {
                self.done = true;
                if self.pending_cr {
                    self.output.push(b'\n');
                    self.pending_cr = false;
                }
                break;
            }
            // Copied a stretch between CRs at a time: most exports have none at all.
            let mut input = &self.input[..n];
            if self.pending_cr {
                self.pending_cr = false;
                self.output.push(b'\n');
                if input[0] == b'\n' {
                    input = &input[1..];
                }
            }
            while let Some(cr) = memchr::memchr(b'\r', input) {
                self.output.extend_from_slice(&input[..cr]);
                match input.get(cr + 1) {
                    Some(&next) => {
                        self.output.push(b'\n');
                        input = &input[cr + 1 + usize::from(next == b'\n')..];
                    }
                    None => {
                        // The LF of a CRLF may come with the next read.
                        self.pending_cr = true;
                        input = &[];
                    }
                }
            }
            self.output.extend_from_slice(input);
        }
        Ok(())
    }
}

impl<R: Read> Read for UnixLines<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.output.len() {
            self.refill()?;
        }
        let available = &self.output[self.pos..];
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.pos += n;
        Ok(n)
    }
}

/// The field delimiter of a table export: a tab when its first line that holds anything
/// has more tabs than commas (Excel's "Unicode 文本", "文本文件（制表符分隔）"),
/// otherwise a comma.
pub(crate) fn sniff_delimiter(reader: impl Read) -> u8 {
    let mut head = Vec::with_capacity(8 * 1024);
    if reader.take(64 * 1024).read_to_end(&mut head).is_err() {
        return b',';
    }
    let first = head
        .split(|&b| b == b'\n')
        .find(|line| line.iter().any(|b| !b.is_ascii_whitespace()))
        .unwrap_or(&[]);
    let count = |c: u8| first.iter().filter(|&&b| b == c).count();
    if count(b'\t') > count(b',') {
        b'\t'
    } else {
        b','
    }
}

/// Reads a small file (TOML, Markdown) whole, decoded to UTF-8.
pub(crate) fn read_to_string(path: &Path) -> io::Result<String> {
    let encoding = detect(path)?;
    let mut text = String::new();
    open(path, encoding)?.read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_with(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(bytes).expect("write");
        f
    }

    #[test]
    fn detects_each_encoding() {
        let utf8 = file_with("日期,户数\n".as_bytes());
        assert_eq!(detect(utf8.path()).ok(), Some(Encoding::Utf8));
        let (gbk, _, _) = encoding_rs::GBK.encode("日期,户数\n");
        let gbk = file_with(&gbk);
        assert_eq!(detect(gbk.path()).ok(), Some(Encoding::Gb18030));
        assert_eq!(
            read_to_string(gbk.path()).ok().as_deref(),
            Some("日期,户数\n")
        );
        let bom = file_with(b"\xEF\xBB\xBFid\n");
        assert_eq!(read_to_string(bom.path()).ok().as_deref(), Some("id\n"));
    }

    #[test]
    fn binary_files_are_not_text() {
        let xlsx = file_with(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00");
        let err = detect(xlsx.path()).expect_err("a zip is not text");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        let utf16 = file_with(b"\xFF\xFEi\x00d\x00\n\x00");
        assert_eq!(detect(utf16.path()).ok(), Some(Encoding::Utf16Bom));
    }

    #[test]
    fn tab_separated_exports_are_told_from_csv() {
        assert_eq!(
            sniff_delimiter("\n编号\t姓名\t社区\nFM-001\t周明华\t坊门,街\n".as_bytes()),
            b'\t'
        );
        assert_eq!(
            sniff_delimiter("编号,姓名,备注\nFM-001,周明华,\"a\tb\"\n".as_bytes()),
            b','
        );
    }

    #[test]
    fn line_ends_become_lf() {
        let mut text = String::new();
        UnixLines::new("a\r\nb\rc\n\r".as_bytes())
            .read_to_string(&mut text)
            .expect("read");
        assert_eq!(text, "a\nb\nc\n\n");
    }

    #[test]
    fn line_ends_split_between_reads_become_one_lf() {
        /// Gives its text `n` bytes at a time, so a CRLF is cut between two reads.
        struct Chunks<'t>(&'t [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.1.min(self.0.len()).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let input = "a\r\nbb\r\r\ncc\rd\r\n\r\n\ne\r";
        for n in 1..=input.len() {
            let mut text = String::new();
            UnixLines::new(Chunks(input.as_bytes(), n))
                .read_to_string(&mut text)
                .expect("read");
            assert_eq!(text, "a\nbb\n\ncc\nd\n\n\ne\n", "{n} bytes at a time");
        }
    }

    #[test]
    fn a_multibyte_character_across_the_chunk_boundary_is_still_utf8() {
        let mut text = "a".repeat(64 * 1024 - 1);
        text.push('户');
        let f = file_with(text.as_bytes());
        assert_eq!(detect(f.path()).ok(), Some(Encoding::Utf8));
    }
}
