//! CSV files as spreadsheets export them: header row, quoted fields, any line ends.

use super::{HeaderMap, RawField, RawRecord, RawValue, SourceFile, decode, map_headers, trim};
use crate::diagnostics::Diagnostics;
use crate::schema::Kind;

/// A file's header row, mapped to fields.
struct Header {
    headers: Vec<String>,
    column_field: Vec<Option<usize>>,
    columns: Vec<bool>,
}

/// Opens a CSV file decoded to UTF-8 with LF line ends, and its delimiter; an unreadable
/// file is reported.
fn open(
    file: &SourceFile,
    diags: &mut Diagnostics,
) -> Option<(decode::UnixLines<impl std::io::Read + Send + use<>>, u8)> {
    let path = file.display.as_str();
    let opened = decode::detect(&file.path).and_then(|enc| {
        // Excel's "Unicode 文本" is UTF-16 with tabs between the fields.
        let delimiter = decode::sniff_delimiter(decode::open(&file.path, enc)?);
        Ok((decode::open(&file.path, enc)?, delimiter))
    });
    match opened {
        Ok((reader, delimiter)) => Some((decode::UnixLines::new(reader), delimiter)),
        Err(err) => {
            diags.error(
                path,
                1,
                format!("无法读取文件：{}", crate::fs_errors::reason(&err)),
            );
            None
        }
    }
}

/// A parser of `text`, watched by [`TextWatch`] unless `plain` (see [`Block::plain`]).
fn csv_of<R: std::io::Read>(text: R, delimiter: u8, plain: bool) -> csv::Reader<TextWatch<R>> {
    let mut watch = TextWatch::new(text).delimiter(delimiter);
    watch.watching = !plain;
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(watch)
}

/// A record's fields without the whitespace around them, as `csv::Trim::All` gives them;
/// trimmed here because the parser's trimming copies every record into a new one.
fn trimmed(row: &csv::StringRecord) -> impl Iterator<Item = &str> {
    row.iter().map(trim)
}

/// What happened to the header search.
enum HeaderSearch {
    Found(Header),
    /// Only empty rows so far.
    NotYet,
    /// The file cannot be read further; reported.
    Failed,
}

/// Reads up to the first row that is not empty, the header, and maps it.
fn find_header<R: std::io::Read>(
    kind: Kind,
    path: &str,
    csv: &mut csv::Reader<TextWatch<R>>,
    row: &mut csv::StringRecord,
    first_line: u32,
    diags: &mut Diagnostics,
) -> HeaderSearch {
    loop {
        match csv.read_record(row) {
            Ok(false) => return HeaderSearch::NotYet,
            Ok(true) if trimmed(row).all(str::is_empty) => continue,
            Ok(true) => {
                let header_line = csv.get_ref().line_of(row) + first_line - 1;
                let headers: Vec<String> = trimmed(row).map(str::to_string).collect();
                let HeaderMap {
                    column_field,
                    columns,
                } = map_headers(kind, &headers, path, header_line, &|_| None, diags);
                return HeaderSearch::Found(Header {
                    headers,
                    column_field,
                    columns,
                });
            }
            Err(err) => {
                diags.error(
                    path,
                    line_of_error(&err) + first_line - 1,
                    format!("无法读取文件：{err}"),
                );
                return HeaderSearch::Failed;
            }
        }
    }
}

/// How reading a stretch of records ended.
#[derive(Default)]
struct Outcome {
    /// The parser failed: nothing after this is read.
    stopped: bool,
    /// The first row with more fields than the header, reported once per file.
    extra: Option<crate::diagnostics::Diagnostic>,
}

/// Hands every record the parser gives to `each`, lines counted from `first_line`.
fn each_record<R: std::io::Read>(
    (kind, path): (Kind, &str),
    header: &Header,
    csv: &mut csv::Reader<TextWatch<R>>,
    row: &mut csv::StringRecord,
    first_line: u32,
    diags: &mut Diagnostics,
    each: &mut dyn FnMut(&RawRecord<'_>, &mut Diagnostics),
) -> Outcome {
    let offset = first_line - 1;
    let mut records = Records::new(kind, path, header);
    loop {
        match csv.read_record(row) {
            Ok(false) => {
                if let Some(opened) = csv.get_ref().unclosed() {
                    diags.error(
                        path,
                        opened + offset,
                        "这一行有个以英文双引号开头的字段，直到文件末尾都没有结束的引号，之后的内容无法读取（字段里的双引号要写成两个 \"\"）",
                    );
                }
                return records.outcome;
            }
            Ok(true) => {
                if trimmed(row).all(str::is_empty) {
                    continue;
                }
                let line = csv.get_ref().line_of(row) + offset;
                records.take(row.iter(), row.len(), line, diags, each);
            }
            Err(err) => {
                diags.error(
                    path,
                    line_of_error(&err) + offset,
                    format!("无法读取这一行：{err}"),
                );
                if !matches!(err.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    records.outcome.stopped = true;
                    return records.outcome;
                }
            }
        }
    }
}

/// Turns the rows of one stretch of a file, however they were parsed, into
/// [`RawRecord`]s for `each`.
struct Records<'h> {
    kind: Kind,
    path: &'h str,
    header: &'h Header,
    outcome: Outcome,
    /// One record's fields, the same memory from record to record (emptied, so that it
    /// borrows nothing from the row read over it).
    spare: Vec<Option<RawField<'static>>>,
}

impl<'h> Records<'h> {
    fn new(kind: Kind, path: &'h str, header: &'h Header) -> Self {
        Records {
            kind,
            path,
            header,
            outcome: Outcome::default(),
            spare: Vec::with_capacity(kind.fields().len()),
        }
    }

    /// Hands on a row that is not empty: its `len` values as parsed (untrimmed), read at
    /// `line`.
    fn take<'v>(
        &mut self,
        values: impl Iterator<Item = &'v str> + Clone,
        len: usize,
        line: u32,
        diags: &mut Diagnostics,
        each: &mut dyn FnMut(&RawRecord<'_>, &mut Diagnostics),
    ) {
        let (path, header) = (self.path, self.header);
        // Skipping fields trims them too: only rows longer than the header look.
        if self.outcome.extra.is_none()
            && len > header.headers.len()
            && values
                .clone()
                .skip(header.headers.len())
                .any(|v| !trim(v).is_empty())
        {
            // Often an unquoted comma inside a field: the text after it is lost.
            self.outcome.extra = Some(crate::diagnostics::Diagnostic::warning(
                path,
                line,
                format!(
                    "这一行有 {len} 个字段，比表头多，多出的内容已忽略（字段里有逗号时请用英文双引号把整个字段括起来）"
                ),
            ));
        }
        let mut fields: Vec<Option<RawField<'_>>> = recycle(std::mem::take(&mut self.spare));
        fields.resize(self.kind.fields().len(), None);
        let mut unknown = Vec::new();
        for (n, value) in values.map(trim).enumerate() {
            let written = header.headers.get(n).map_or("", String::as_str);
            let field = RawField {
                written,
                line,
                column: None,
                value: RawValue::Text(value),
            };
            match header.column_field.get(n).copied().flatten() {
                Some(i) => fields[i] = Some(field),
                None if !value.is_empty() => unknown.push(field),
                None => {}
            }
        }
        let record = RawRecord {
            path,
            line,
            fields,
            columns: Some(&header.columns),
            unknown,
        };
        each(&record, diags);
        self.spare = recycle(record.fields);
    }
}

/// The records of a block's text split at its delimiters and line ends without the CSV
/// parser, for a [`Block::plain`] block of valid UTF-8: the parser copies every record
/// and checks its UTF-8 again, which cost more than the records' checks. Fields are
/// split exactly as the parser splits them (see [`Quoting`]): a field that starts with
/// `"` runs to the next lone `"`, `""` inside it is one `"`, and what follows the closing
/// quote up to the delimiter is kept as written. A plain block has no empty line between
/// records and no quote left open, so each record's line is counted from the line ends
/// before it.
fn each_plain_record(
    records: &mut Records<'_>,
    (text, delimiter, first_line): (&str, u8, u32),
    diags: &mut Diagnostics,
    each: &mut dyn FnMut(&RawRecord<'_>, &mut Diagnostics),
) {
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut line = first_line;
    // A record's values, borrowed from the text unless quoted.
    let mut values: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    while at < bytes.len() {
        let start = at;
        let mut quoted = false;
        values.clear();
        loop {
            if bytes[at..].first() == Some(&b'"') {
                quoted = true;
                let mut value = String::new();
                at += 1;
                loop {
                    let Some(quote) = memchr::memchr(b'"', &bytes[at..]) else {
                        // Never closed (not in a plain block): runs to the end.
                        value.push_str(&text[at..]);
                        at = bytes.len();
                        break;
                    };
                    value.push_str(&text[at..at + quote]);
                    at += quote + 1;
                    if bytes.get(at) == Some(&b'"') {
                        value.push('"');
                        at += 1;
                        continue;
                    }
                    let end = memchr::memchr2(delimiter, b'\n', &bytes[at..])
                        .map_or(bytes.len(), |n| at + n);
                    value.push_str(&text[at..end]);
                    at = end;
                    break;
                }
                values.push(std::borrow::Cow::Owned(value));
            } else {
                let end =
                    memchr::memchr2(delimiter, b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n);
                values.push(std::borrow::Cow::Borrowed(&text[at..end]));
                at = end;
            }
            match bytes.get(at) {
                Some(&b) if b == delimiter => at += 1,
                Some(_) => {
                    at += 1;
                    break;
                }
                None => break,
            }
        }
        let here = line;
        line += if quoted {
            let lines = memchr::memchr_iter(b'\n', &bytes[start..at]).count();
            u32::try_from(lines).unwrap_or(u32::MAX)
        } else {
            1
        };
        if values.iter().all(|v| trim(v).is_empty()) {
            continue;
        }
        let row = values.iter().map(|v| v.as_ref());
        records.take(row, values.len(), here, diags, each);
    }
}

/// An emptied vector of fields that borrow from anything: the same memory, since the
/// collection of an empty vector into one of the same layout keeps its allocation.
fn recycle<'a, 'b>(mut fields: Vec<Option<RawField<'a>>>) -> Vec<Option<RawField<'b>>> {
    fields.clear();
    fields.into_iter().map(|_| None).collect()
}

/// Streams the records of one file into `sink`, in order, on this thread.
pub(super) fn read(
    kind: Kind,
    file: &SourceFile,
    diags: &mut Diagnostics,
    sink: &mut dyn FnMut(&RawRecord<'_>, &mut Diagnostics),
) {
    let path = file.display.as_str();
    let Some((reader, delimiter)) = open(file, diags) else {
        return;
    };
    let mut csv = csv_of(reader, delimiter, false);
    let mut row = csv::StringRecord::new();
    let header = match find_header(kind, path, &mut csv, &mut row, 1, diags) {
        HeaderSearch::Found(h) => h,
        HeaderSearch::NotYet => {
            diags.warning(path, 1, "文件是空的，没有表头也没有记录");
            return;
        }
        HeaderSearch::Failed => return,
    };
    let outcome = each_record((kind, path), &header, &mut csv, &mut row, 1, diags, sink);
    diags.extend(outcome.extra);
}

/// The size of a stretch of text parsed on one thread: large enough that handing it over
/// costs nothing, small enough that a few in flight keep memory flat.
const BLOCK: usize = 1 << 20;
/// The first block of a file, parsed on the reading thread for its header.
const HEAD_BLOCK: usize = 64 << 10;

/// A stretch of a file's text that starts at a record and ends after one.
struct Block {
    text: Vec<u8>,
    /// The line of its first byte in the file.
    first_line: u32,
    /// Neither an empty line between records nor a quote that never closes: the parser's
    /// own line numbers are right, and [`TextWatch`] need not look at every byte.
    plain: bool,
}

/// Cuts a file's text into [`Block`]s, only where the parser would end a record: at a
/// line end outside any quoted field, following the parser's quoting as [`TextWatch`]
/// does. A quoted field that never closes runs to the end of the file, as for the parser.
struct Blocks<R> {
    reader: R,
    pending: Vec<u8>,
    line: u32,
    eof: bool,
    delimiter: u8,
}

impl<R: std::io::Read> Blocks<R> {
    /// The next block of about `size` bytes, read into `spare` if given (a buffer of a
    /// block already parsed, to spare allocating and zeroing new memory).
    fn next(&mut self, size: usize, spare: Option<Vec<u8>>) -> std::io::Result<Option<Block>> {
        let mut scan = Scan::default();
        let mut cut = None;
        loop {
            scan.run(&self.pending, self.delimiter, &mut cut);
            if self.eof || (scan.at >= size && cut.is_some()) {
                break;
            }
            let old = self.pending.len();
            self.pending.resize(old + size.max(64 << 10), 0);
            let read = self.reader.read(&mut self.pending[old..]);
            let n = match read {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                    self.pending.truncate(old);
                    continue;
                }
                Err(e) => {
                    self.pending.truncate(old);
                    return Err(e);
                }
            };
            self.pending.truncate(old + n);
            self.eof = n == 0;
        }
        if self.pending.is_empty() {
            return Ok(None);
        }
        let end = if self.eof {
            self.pending.len()
        } else {
            cut.unwrap_or(self.pending.len())
        };
        let lines = memchr::memchr_iter(b'\n', &self.pending[..end]).count();
        // Only the text up to the cut is this block's; a quote still open at its end is
        // one that never closes (the cut is outside quotes).
        let plain = scan.first_empty_line.is_none_or(|at| at >= end)
            && !(end == self.pending.len() && scan.state == Quoting::Quoted);
        let mut rest = spare.unwrap_or_default();
        rest.clear();
        rest.extend_from_slice(&self.pending[end..]);
        self.pending.truncate(end);
        let text = std::mem::replace(&mut self.pending, rest);
        let first_line = self.line;
        self.line = self
            .line
            .saturating_add(u32::try_from(lines).unwrap_or(u32::MAX));
        Ok(Some(Block {
            text,
            first_line,
            plain,
        }))
    }
}

/// The parser's quoting over a block's text as it is read in, for [`Blocks::next`]: where
/// a record may end, and whether [`TextWatch`] has anything to tell about the block.
struct Scan {
    state: Quoting,
    /// Bytes scanned so far.
    at: usize,
    /// Whether the last byte ended a record (or nothing was scanned yet).
    at_record_start: bool,
    /// Where the first empty line between records is, which the parser skips.
    first_empty_line: Option<usize>,
}

impl Default for Scan {
    fn default() -> Self {
        Scan {
            state: Quoting::FieldStart,
            at: 0,
            at_record_start: true,
            first_empty_line: None,
        }
    }
}

impl Scan {
    /// Follows the quoting over `text[self.at..]`, noting in `cut` the end of the last
    /// line that ends outside quotes. Only quotes, line ends and delimiters change the
    /// state inside a field, so it jumps from one of them to the next.
    fn run(&mut self, text: &[u8], delimiter: u8, cut: &mut Option<usize>) {
        let mut i = self.at;
        while i < text.len() {
            let skip = match self.state {
                Quoting::Quoted => memchr::memchr(b'"', &text[i..]),
                Quoting::Unquoted => memchr::memchr2(b'\n', delimiter, &text[i..]),
                _ => Some(0),
            };
            let Some(skip) = skip else {
                i = text.len();
                break;
            };
            if skip > 0 {
                // Inside a field: no record ends in what was skipped.
                self.at_record_start = false;
            }
            i += skip;
            let b = text[i];
            if b == b'\n' && self.at_record_start && self.first_empty_line.is_none() {
                self.first_empty_line = Some(i);
            }
            self.state = self.state.next(b, delimiter);
            self.at_record_start = b == b'\n' && self.state == Quoting::FieldStart;
            if self.at_record_start {
                *cut = Some(i + 1);
            }
            i += 1;
        }
        self.at = i;
    }
}

/// What one block (or one TOML file or sheet) came to, merged in file order.
struct Part<S> {
    state: S,
    diags: Diagnostics,
    outcome: Outcome,
}

/// Parts and blocks that may be read ahead of the merge: enough to keep every core
/// parsing while the merge catches up, few enough that memory stays flat in the records.
const IN_FLIGHT: usize = 12;

/// What the reading thread hands on, numbered in the records' order.
enum Item<S> {
    /// Records already read on the reading thread: a file's first block (with its
    /// header), a TOML file or a sheet.
    Part(Part<S>),
    /// Problems of reading itself: a file that cannot be opened or read on, an empty one.
    Problems(Diagnostics),
}

/// A block to parse on any thread.
struct Job<'f> {
    seq: u64,
    file: usize,
    path: &'f str,
    delimiter: u8,
    header: std::sync::Arc<Header>,
    block: Block,
}

/// Reads every file of one kind: each CSV file is cut into blocks parsed and checked on
/// every core, while one thread reads (and decodes) ahead and this one merges. `merge`
/// gets each part's state in file and line order, the problems of each part added
/// before its state, so what comes out is what a reading in one pass gives. TOML files
/// and sheets are read whole on the reading thread.
///
/// Each thread that reads records also keeps a state of its own, made by `worker`, for
/// what may be gathered in any order (sums); those states are returned, one per thread.
pub(super) fn read_parallel<S: Send, W: Send>(
    kind: Kind,
    files: &[SourceFile],
    diags: &mut Diagnostics,
    new: &(dyn Fn() -> S + Sync),
    worker: &(dyn Fn() -> W + Sync),
    each: &(dyn Fn(&RawRecord<'_>, &mut Diagnostics, &mut S, &mut W) + Sync),
    merge: &mut dyn FnMut(S, &mut Diagnostics),
) -> Vec<W> {
    read_in_blocks_with(
        kind,
        files,
        diags,
        (HEAD_BLOCK, BLOCK),
        new,
        worker,
        each,
        merge,
    )
}

/// [`read_parallel`] without a state per thread, with the sizes of the first block and
/// the others.
#[cfg(test)]
fn read_in_blocks<S: Send>(
    kind: Kind,
    files: &[SourceFile],
    diags: &mut Diagnostics,
    sizes: (usize, usize),
    new: &(dyn Fn() -> S + Sync),
    each: &(dyn Fn(&RawRecord<'_>, &mut Diagnostics, &mut S) + Sync),
    merge: &mut dyn FnMut(S, &mut Diagnostics),
) {
    read_in_blocks_with(
        kind,
        files,
        diags,
        sizes,
        new,
        &|| (),
        &|rec, d, s, _| each(rec, d, s),
        merge,
    );
}

/// [`read_parallel`] with the sizes of the first block and the others.
#[allow(clippy::too_many_arguments)]
fn read_in_blocks_with<S: Send, W: Send>(
    kind: Kind,
    files: &[SourceFile],
    diags: &mut Diagnostics,
    sizes: (usize, usize),
    new: &(dyn Fn() -> S + Sync),
    worker: &(dyn Fn() -> W + Sync),
    each: &(dyn Fn(&RawRecord<'_>, &mut Diagnostics, &mut S, &mut W) + Sync),
    merge: &mut dyn FnMut(S, &mut Diagnostics),
) -> Vec<W> {
    use std::sync::mpsc;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (job_tx, job_rx) = mpsc::sync_channel::<Job<'_>>(IN_FLIGHT);
    let job_rx = std::sync::Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<(u64, usize, Item<S>)>();
    // The merge gives a credit back for every item it took: the reading thread is never
    // more than `IN_FLIGHT` items ahead of it.
    let (credit_tx, credit_rx) = mpsc::sync_channel::<()>(IN_FLIGHT);
    for _ in 0..IN_FLIGHT {
        let _ = credit_tx.send(());
    }
    // Block buffers go back to the reading thread once parsed, so that a city's text is
    // read into the same few megabytes over and over.
    let (spare_tx, spare_rx) = mpsc::channel::<Vec<u8>>();
    std::thread::scope(|scope| {
        let reader_done = done_tx.clone();
        let mut threads = Vec::with_capacity(workers + 1);
        threads.push(scope.spawn(move || {
            let mut feed = Feed {
                seq: 0,
                credits: credit_rx,
                jobs: job_tx,
                done: reader_done,
            };
            let mut own = worker();
            for (n, file) in files.iter().enumerate() {
                if !feed.file(kind, n, file, sizes, new, (each, &mut own), &spare_rx) {
                    break;
                }
            }
            own
        }));
        for _ in 0..workers {
            let done = done_tx.clone();
            let jobs = &job_rx;
            let spare = spare_tx.clone();
            threads.push(scope.spawn(move || {
                let mut own = worker();
                loop {
                    let job = match jobs.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok(job) = job else { break };
                    let part = parse_block(kind, &job, new, each, &mut own);
                    let _ = spare.send(job.block.text);
                    if done.send((job.seq, job.file, Item::Part(part))).is_err() {
                        break;
                    }
                }
                own
            }));
        }
        drop(done_tx);
        drop(spare_tx);

        // Merged in order: items arrive in any order from the parsing threads.
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0u64;
        let mut file = usize::MAX;
        let (mut extra_reported, mut stopped) = (false, false);
        for (seq, n, item) in done_rx {
            waiting.insert(seq, (n, item));
            while let Some((n, item)) = waiting.remove(&next) {
                next += 1;
                let _ = credit_tx.send(());
                if n != file {
                    file = n;
                    extra_reported = false;
                    stopped = false;
                }
                if stopped {
                    continue;
                }
                match item {
                    Item::Problems(problems) => diags.append(problems),
                    Item::Part(part) => {
                        diags.append(part.diags);
                        if !extra_reported && let Some(extra) = part.outcome.extra {
                            diags.push(extra);
                            extra_reported = true;
                        }
                        merge(part.state, diags);
                        // After a parser failure nothing more of the file is read.
                        stopped = part.outcome.stopped;
                    }
                }
            }
        }
        // A thread that panicked has its panic raised again here, so that no state is
        // ever returned without its records.
        threads
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// What every record is handed to: the record, the problems of its part, its part's
/// state and its thread's.
type Each<'e, S, W> = dyn Fn(&RawRecord<'_>, &mut Diagnostics, &mut S, &mut W) + Sync + 'e;

/// The reading thread's side of [`read_in_blocks_with`].
struct Feed<'f, S> {
    seq: u64,
    credits: std::sync::mpsc::Receiver<()>,
    jobs: std::sync::mpsc::SyncSender<Job<'f>>,
    done: std::sync::mpsc::Sender<(u64, usize, Item<S>)>,
}

impl<'f, S: Send> Feed<'f, S> {
    /// The next number in the records' order, once the merge has room for it; none once
    /// the merge is gone.
    fn number(&mut self) -> Option<u64> {
        self.credits.recv().ok()?;
        self.seq += 1;
        Some(self.seq - 1)
    }

    fn done(&mut self, file: usize, item: Item<S>) -> bool {
        match self.number() {
            Some(seq) => self.done.send((seq, file, item)).is_ok(),
            None => false,
        }
    }

    /// Hands on one file's records; false once nobody takes them any more.
    #[allow(clippy::too_many_arguments)]
    fn file<W>(
        &mut self,
        kind: Kind,
        n: usize,
        file: &'f SourceFile,
        (head_block, block_size): (usize, usize),
        new: &(dyn Fn() -> S + Sync),
        (each, own): (&Each<'_, S, W>, &mut W),
        spare: &std::sync::mpsc::Receiver<Vec<u8>>,
    ) -> bool {
        let path = file.display.as_str();
        let mut diags = Diagnostics::new();
        if file.format != super::Format::Csv {
            let mut state = new();
            let mut sink = |rec: &RawRecord<'_>, d: &mut Diagnostics| each(rec, d, &mut state, own);
            match file.format {
                super::Format::Toml => {
                    super::toml_reader::read_records(kind, file, &mut diags, &mut sink)
                }
                _ => super::workbook::read(kind, file, &mut diags, &mut sink),
            }
            let part = Part {
                state,
                diags,
                outcome: Outcome::default(),
            };
            return self.done(n, Item::Part(part));
        }
        let Some((reader, delimiter)) = open(file, &mut diags) else {
            return self.done(n, Item::Problems(diags));
        };
        let mut blocks = Blocks {
            reader,
            pending: Vec::new(),
            line: 1,
            eof: false,
            delimiter,
        };
        let io_error = |err: std::io::Error| {
            let mut diags = Diagnostics::new();
            diags.error(path, 1, format!("无法读取这一行：{err}"));
            Item::Problems(diags)
        };
        // The header, and the records of the blocks it was looked for in, on this thread.
        let header = loop {
            let block = match blocks.next(head_block, None) {
                Ok(Some(b)) => b,
                Ok(None) => {
                    diags.warning(path, 1, "文件是空的，没有表头也没有记录");
                    return self.done(n, Item::Problems(diags));
                }
                Err(err) => {
                    return self.done(n, Item::Problems(diags)) && self.done(n, io_error(err));
                }
            };
            let mut csv = csv_of(block.text.as_slice(), delimiter, block.plain);
            let mut row = csv::StringRecord::new();
            match find_header(kind, path, &mut csv, &mut row, block.first_line, &mut diags) {
                HeaderSearch::Found(header) => {
                    let mut state = new();
                    let outcome = each_record(
                        (kind, path),
                        &header,
                        &mut csv,
                        &mut row,
                        block.first_line,
                        &mut diags,
                        &mut |rec, d| each(rec, d, &mut state, own),
                    );
                    let stopped = outcome.stopped;
                    let part = Part {
                        state,
                        diags,
                        outcome,
                    };
                    if !self.done(n, Item::Part(part)) {
                        return false;
                    }
                    if stopped {
                        return true;
                    }
                    break std::sync::Arc::new(header);
                }
                HeaderSearch::NotYet => {}
                HeaderSearch::Failed => return self.done(n, Item::Problems(diags)),
            }
        };
        loop {
            match blocks.next(block_size, spare.try_recv().ok()) {
                Ok(Some(block)) => {
                    let Some(seq) = self.number() else {
                        return false;
                    };
                    let job = Job {
                        seq,
                        file: n,
                        path,
                        delimiter,
                        header: header.clone(),
                        block,
                    };
                    if self.jobs.send(job).is_err() {
                        return false;
                    }
                }
                Ok(None) => return true,
                Err(err) => return self.done(n, io_error(err)),
            }
        }
    }
}

/// Parses and checks one block of a file whose header is known.
fn parse_block<S, W>(
    kind: Kind,
    job: &Job<'_>,
    new: &(dyn Fn() -> S + Sync),
    each: &(dyn Fn(&RawRecord<'_>, &mut Diagnostics, &mut S, &mut W) + Sync),
    own: &mut W,
) -> Part<S> {
    let mut state = new();
    let mut diags = Diagnostics::new();
    // A delimiter of ASCII only ends a field where a character ends.
    let text = (job.block.plain && job.delimiter.is_ascii())
        .then(|| simdutf8::basic::from_utf8(&job.block.text).ok())
        .flatten();
    if let Some(text) = text {
        let mut records = Records::new(kind, job.path, &job.header);
        each_plain_record(
            &mut records,
            (text, job.delimiter, job.block.first_line),
            &mut diags,
            &mut |rec, d| each(rec, d, &mut state, own),
        );
        return Part {
            state,
            diags,
            outcome: records.outcome,
        };
    }
    let mut csv = csv_of(job.block.text.as_slice(), job.delimiter, job.block.plain);
    let mut row = csv::StringRecord::new();
    let outcome = each_record(
        (kind, job.path),
        &job.header,
        &mut csv,
        &mut row,
        job.block.first_line,
        &mut diags,
        &mut |rec, d| each(rec, d, &mut state, own),
    );
    Part {
        state,
        diags,
        outcome,
    }
}

/// Watches the text the CSV parser reads, byte by byte, for what the parser does not tell:
///
/// - where a record really starts. The parser skips empty lines but places the record
///   after them at the first of them, so every line number after an empty line would be
///   off;
/// - a quoted field that never closes. The parser takes it as running to the end of the
///   file, silently swallowing every record after it.
///
/// The text has LF line ends only (see [`decode::UnixLines`]); quoting follows the parser:
/// a field that starts with `"` runs to the next lone `"`.
struct TextWatch<R> {
    inner: R,
    state: Quoting,
    /// Bytes read so far, as the parser counts them in `Position::byte`.
    offset: u64,
    /// The offset of every empty line the parser skips, in order.
    empty_lines: Vec<u64>,
    at_record_start: bool,
    line: u32,
    /// The line of the last quoted field opened.
    opened: u32,
    delimiter: u8,
    /// Off for a block known to hold neither, where there is nothing to watch for.
    watching: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside a quoted field: the end of it, or the first half of `""`.
    QuoteInQuoted,
}

impl Quoting {
    /// The state after the byte `b`, as the parser quotes.
    fn next(self, b: u8, delimiter: u8) -> Quoting {
        use Quoting::*;
        match (self, b) {
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (QuoteInQuoted, b'"') => Quoted,
            (_, b'\n') => FieldStart,
            (_, b) if b == delimiter => FieldStart,
            (FieldStart, b'"') => Quoted,
            _ => Unquoted,
        }
    }
}

impl<R> TextWatch<R> {
    fn new(inner: R) -> Self {
        TextWatch {
            inner,
            state: Quoting::FieldStart,
            offset: 0,
            empty_lines: Vec::new(),
            at_record_start: true,
            line: 1,
            opened: 1,
            delimiter: b',',
            watching: true,
        }
    }

    fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    fn step(&mut self, b: u8) {
        use Quoting::*;
        if b == b'\n' && self.at_record_start {
            self.empty_lines.push(self.offset);
        }
        let next = self.state.next(b, self.delimiter);
        if self.state == FieldStart && next == Quoted {
            self.opened = self.line;
        }
        self.state = next;
        self.at_record_start = b == b'\n' && self.state == FieldStart;
        if b == b'\n' {
            self.line += 1;
        }
        self.offset += 1;
    }

    /// The line a record starts on, past the empty lines the parser skipped before it.
    fn line_of(&self, row: &csv::StringRecord) -> u32 {
        let Some(pos) = row.position() else {
            return 1;
        };
        let mut i = self.empty_lines.partition_point(|&o| o < pos.byte());
        let mut skipped = 0u64;
        while self.empty_lines.get(i) == Some(&(pos.byte() + skipped)) {
            skipped += 1;
            i += 1;
        }
        u32::try_from(pos.line() + skipped).unwrap_or(u32::MAX)
    }

    /// The line where a quoted field still open at the end of the input began.
    fn unclosed(&self) -> Option<u32> {
        (self.state == Quoting::Quoted).then_some(self.opened)
    }
}

impl<R: std::io::Read> std::io::Read for TextWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.watching {
            for &b in &buf[..n] {
                self.step(b);
            }
        }
        Ok(n)
    }
}

fn line_of_error(err: &csv::Error) -> u32 {
    err.position()
        .map(|p| u32::try_from(p.line()).unwrap_or(u32::MAX))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn unclosed(text: &str) -> Option<u32> {
        let mut watch = TextWatch::new(text.as_bytes());
        let mut sink = String::new();
        watch.read_to_string(&mut sink).expect("read");
        watch.unclosed()
    }

    #[test]
    fn closed_quotes_are_fine() {
        assert_eq!(unclosed("a,\"b,\"\"c\"\"\nd\"\n1,2\n"), None);
        assert_eq!(unclosed("a,\"b\""), None);
        assert_eq!(unclosed("a,b\"c\n5\"幢,x\n"), None);
        assert_eq!(unclosed("a, \"b\n"), None);
    }

    /// The line of each non-empty record, as the reader reports it.
    fn lines(text: &str) -> Vec<u32> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(TextWatch::new(text.as_bytes()));
        let mut row = csv::StringRecord::new();
        let mut out = Vec::new();
        while csv.read_record(&mut row).expect("read") {
            out.push(csv.get_ref().line_of(&row));
        }
        out
    }

    #[test]
    fn records_after_empty_lines_keep_their_own_line() {
        assert_eq!(lines("a\nb\nc\n"), [1, 2, 3]);
        assert_eq!(lines("\n\na\n\nb\n\n\n\nc"), [3, 5, 9]);
        // Empty lines inside a quoted field are part of it, not skipped.
        assert_eq!(lines("a,\"x\n\ny\"\n\nb\n"), [1, 5]);
        assert_eq!(lines(" \n,\nb\n"), [1, 2, 3]);
    }

    /// Each record as `line: fields`, and every message, read in one pass or in blocks
    /// of `sizes`.
    fn read_with(text: &str, sizes: Option<(usize, usize)>) -> (Vec<String>, Vec<String>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("visits.csv");
        std::fs::write(&path, text).expect("write");
        let file = SourceFile {
            path,
            display: "content/visits.csv".into(),
            format: super::super::Format::Csv,
            sheet: None,
            limits: Default::default(),
        };
        let show = |rec: &RawRecord<'_>| {
            let mut fields: Vec<String> = rec
                .fields
                .iter()
                .map(|f| f.as_ref().map_or(String::new(), |f| f.value.display()))
                .collect();
            fields.extend(
                rec.unknown
                    .iter()
                    .map(|f| format!("{}={}", f.written, f.value.display())),
            );
            format!("{}: {}", rec.line, fields.join("|"))
        };
        let mut diags = Diagnostics::new();
        let mut out = Vec::new();
        match sizes {
            None => read(Kind::Visits, &file, &mut diags, &mut |rec, _| {
                out.push(show(rec))
            }),
            Some(sizes) => read_in_blocks(
                Kind::Visits,
                std::slice::from_ref(&file),
                &mut diags,
                sizes,
                &Vec::new,
                &|rec, _, part: &mut Vec<String>| part.push(show(rec)),
                &mut |part, _| out.extend(part),
            ),
        }
        let messages = diags.sorted().iter().map(ToString::to_string).collect();
        (out, messages)
    }

    #[test]
    fn blocks_read_what_one_pass_reads() {
        let texts = [
            "日期,红管家,户数\n2018-01-03,A,1\n\n\n2018-01-04,B,2\n2018-01-05,C,3,多余\n2018-01-06,D,4,又多\n",
            // Quoted fields with line ends and delimiters inside, empty lines among them.
            "\n\n日期,红管家,户数,备注\n2018-01-03,A,1,\"第一行\n\n第二行,还有\"\"引号\"\"\"\n\n2018-01-04,B,2,\"x\"\n2018-01-05,C,3,\"a\nb\nc\"\n2018-01-06,D,4,y",
            // A quote that never closes swallows the rest, wherever the blocks would cut.
            "日期,红管家,户数,备注\n2018-01-03,A,1,ok\n2018-01-04,B,2,\"open\n2018-01-05,C,3,z\n2018-01-06,D,4,w\n",
            "",
            "\n\n\n",
            "日期,红管家,户数\n",
        ];
        for text in texts {
            let whole = read_with(text, None);
            for sizes in [(1, 1), (1, 7), (3, 2), (16, 5), (64 << 10, 1 << 20)] {
                assert_eq!(
                    read_with(text, Some(sizes)),
                    whole,
                    "{text:?} in blocks of {sizes:?}"
                );
            }
        }
        let (records, _) = read_with(texts[1], Some((1, 1)));
        assert!(records[0].starts_with("4: 2018-01-03|A|1|"), "{records:?}");
        assert!(
            records[0].contains("第一行\n\n第二行,还有\"引号\""),
            "{records:?}"
        );
        assert!(records[1].starts_with("8: "), "{records:?}");
        let (_, messages) = read_with(texts[0], Some((1, 1)));
        assert_eq!(
            messages.len(),
            1,
            "the extra field once per file: {messages:?}"
        );
        assert!(
            messages[0].starts_with("content/visits.csv:6: "),
            "{messages:?}"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Blocks split without the parser (no empty line, no quote left open) give
        /// what the parser gives: quotes, doubled quotes, text after a closing quote,
        /// line ends inside quotes, white space and wide characters around fields.
        #[test]
        fn plain_blocks_split_as_the_parser_does(
            rows in proptest::collection::vec("[a1 中，\\t\",\n]{0,12}", 1..8),
        ) {
            let text = format!("日期,红管家,户数\n{}", rows.join("\n"));
            let whole = read_with(&text, None);
            for sizes in [(1, 1), (1, 5), (16, 1 << 20)] {
                proptest::prop_assert_eq!(read_with(&text, Some(sizes)), whole.clone());
            }
        }
    }

    #[test]
    fn files_of_a_kind_merge_in_their_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let texts = [
            "日期,红管家,户数\n2018-01-03,A,1,多\n2018-01-04,B,2\n2018-01-05,C,3,多\n",
            "",
            "日期,红管家,户数\n2018-02-01,D,4,多\n\"open\n2018-02-02,E,5\n",
            "日期,红管家,户数\n2018-03-01,F,6\n",
        ];
        let files: Vec<SourceFile> = texts
            .iter()
            .enumerate()
            .map(|(n, text)| {
                let path = dir.path().join(format!("{n}.csv"));
                std::fs::write(&path, text).expect("write");
                SourceFile {
                    path,
                    display: format!("content/visits/{n}.csv"),
                    format: super::super::Format::Csv,
                    sheet: None,
                    limits: Default::default(),
                }
            })
            .collect();
        let mut diags = Diagnostics::new();
        let mut out: Vec<u32> = Vec::new();
        read_in_blocks(
            Kind::Visits,
            &files,
            &mut diags,
            (1, 1),
            &Vec::new,
            &|rec, _, part: &mut Vec<u32>| part.push(rec.line),
            &mut |part, _| out.extend(part),
        );
        assert_eq!(out, [2, 3, 4, 2, 3, 2]);
        let messages: Vec<String> = diags.sorted().iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(
            messages[0].starts_with("content/visits/0.csv:2: 警告："),
            "{messages:?}"
        );
        assert!(
            messages[1].starts_with("content/visits/1.csv:1: 警告："),
            "{messages:?}"
        );
        assert!(
            messages[2].starts_with("content/visits/2.csv:"),
            "{messages:?}"
        );
    }

    #[test]
    fn blocks_end_only_after_a_record() {
        /// Gives its text a byte at a time, so that a block is cut at the first record end
        /// it can be.
        struct Trickle<'t>(&'t [u8]);
        impl std::io::Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let Some((&b, rest)) = self.0.split_first() else {
                    return Ok(0);
                };
                buf[0] = b;
                self.0 = rest;
                Ok(1)
            }
        }
        let text = "a,\"1\n2\"\nb,c\n\"x\ny\"";
        let mut blocks = Blocks {
            reader: Trickle(text.as_bytes()),
            pending: Vec::new(),
            line: 1,
            eof: false,
            delimiter: b',',
        };
        let mut cuts = Vec::new();
        while let Ok(Some(b)) = blocks.next(1, None) {
            cuts.push((b.first_line, String::from_utf8(b.text).unwrap_or_default()));
        }
        assert_eq!(
            cuts,
            [
                (1, "a,\"1\n2\"\n".to_string()),
                (3, "b,c\n".to_string()),
                (4, "\"x\ny\"".to_string())
            ]
        );
    }

    #[test]
    fn an_open_quote_at_the_end_is_found_where_it_began() {
        assert_eq!(unclosed("h\n1,\"x\n2,y\n3,z\n"), Some(2));
        assert_eq!(unclosed("h\n\"a\nb\",\"\"\"\n"), Some(3));
    }
}
