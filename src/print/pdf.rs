//! PDFs of the kit's printable pages, printed by an installed Chromium-family browser in
//! headless mode. The HTML print styles stay the one layout source: the browser embeds
//! and subsets the fonts and keeps the text extractable.
//!
//! A browser's start costs about as much as printing a community's boards, so on Unix a
//! few long-lived browsers print every file, driven over the DevTools protocol on a pipe
//! (`--remote-debugging-pipe`: JSON messages ended by a NUL byte, on the browser's file
//! descriptors 3 and 4). Elsewhere each file is one `--print-to-pdf` run.
//!
//! Nothing a browser does may hang the kit: the `--version` probe and every file have a
//! time limit, and a browser past it is killed with every process it started (it runs in
//! a process group of its own).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::routes;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::write::OutputFile;

/// Command names tried in turn when neither `site.toml` nor the environment names one.
const CANDIDATES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
    "microsoft-edge-stable",
];

/// The environment variable that names the browser, ahead of `site.toml`.
pub(crate) const BROWSER_ENV: &str = "HONGGUANJIA_BROWSER";

/// The CJK families the kit's print styles ask for, in their order (print/print.css).
/// TrueType faces come first: Chromium embeds them as fonts, and draws CFF ones (Noto
/// CJK, Source Han) as outlines.
pub(crate) const FONT_FAMILIES: &[&str] = &[
    "FangSong",
    "仿宋",
    "STFangsong",
    "SimSun",
    "AR PL UMing CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
];

/// The default time one file may take to print, and a browser to start, in seconds:
/// `print.timeout` in `site.toml` changes it.
pub(crate) const DEFAULT_LIMIT: u64 = 300;

/// The `--version` probe answers at once or not at all.
const PROBE_LIMIT: Duration = Duration::from_secs(10);

/// The flags of every headless run: nothing of the network, the profile or the GPU.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
];

/// The browser that prints, as found.
#[derive(Debug, Clone)]
pub(crate) struct Browser {
    program: PathBuf,
    version: String,
}

/// What printing the PDFs came to.
#[derive(Debug, Clone)]
pub struct PdfReport {
    /// PDFs whose text the browser drew as outlines (Type 3): no TrueType CJK font was
    /// found for some text, so it will not be searchable or print as crisply.
    pub type3: Vec<String>,
    /// The browser's version and program.
    pub browser: String,
    /// The installed font the CJK text came to.
    pub font: String,
    /// PDFs printed.
    pub pdfs: usize,
    /// Browsers run at a time.
    pub workers: usize,
    /// Wall time of the printing.
    pub seconds: f64,
}

fn on_path(name: &str) -> Option<PathBuf> {
    let name = Path::new(name);
    if name.components().count() > 1 {
        return name.is_file().then(|| name.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// A process started in a process group of its own, so that it and everything it
/// starts can be stopped together. Killed when dropped unless it was waited for.
struct Group {
    child: Child,
    done: bool,
}

impl Group {
    fn spawn(mut command: Command) -> std::io::Result<Group> {
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        Ok(Group {
            child: command.spawn()?,
            done: false,
        })
    }

    /// Its exit status, if it ends before `deadline`.
    fn wait_until(
        &mut self,
        deadline: Instant,
    ) -> std::io::Result<Option<std::process::ExitStatus>> {
        loop {
            if let Some(status) = self.child.try_wait()? {
                self.done = true;
                return Ok(Some(status));
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(None);
            }
            std::thread::sleep((deadline - now).min(Duration::from_millis(20)));
        }
    }

    /// Kills the whole group and reaps the process. Only before the leader is reaped: its
    /// pid, the group's id, cannot be taken by another process until then.
    fn kill(&mut self) {
        #[cfg(unix)]
        {
            // The group's id is the leader's pid (`process_group(0)`); never 0 or 1, which
            // would mean this process's own group or every process.
            let id = i32::try_from(self.child.id()).ok().filter(|id| *id > 1);
            if let Some(pid) = id.and_then(rustix::process::Pid::from_raw) {
                let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.done = true;
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if !self.done {
            self.kill();
        }
    }
}

/// Seconds as people say them.
fn seconds(limit: Duration) -> u64 {
    limit.as_secs().max(1)
}

/// What to do about a browser that took too long, after saying what it was doing.
fn too_long(place: String, doing: &str, limit: Duration) -> Diagnostic {
    Diagnostic::error(
        place,
        0,
        format!(
            "浏览器{doing}超过 {} 秒没有完成，已停止浏览器和它启动的全部进程。\
可能是浏览器卡住了，或者机器太忙：请关掉其他占用电脑的程序后重试；材料很多时，可在 site.toml 的 [print] 里写 timeout = {}（秒）放宽时限",
            seconds(limit),
            seconds(limit) * 2
        ),
    )
}

impl Browser {
    /// The environment variable, then `site.toml`'s `print.browser`, then the usual names;
    /// asked for its version within `limit` (at most ten seconds).
    pub(crate) fn find(setting: Option<&str>, limit: Duration) -> Result<Browser, Diagnostic> {
        // Said where it was written: the variable, or the setting in site.toml.
        let named = std::env::var(BROWSER_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| (v, format!("环境变量 {BROWSER_ENV}"), ""))
            .or_else(|| {
                setting.map(|s| (s.to_string(), "site.toml".to_string(), "print.browser: "))
            });
        let program = match named {
            Some((name, place, key)) => on_path(name.trim()).ok_or_else(|| {
                Diagnostic::error(
                    place,
                    0,
                    format!("{key}写的浏览器“{name}”找不到。请写浏览器程序的完整路径，或安装 Chromium 后写 chromium"),
                )
            })?,
            None => CANDIDATES.iter().find_map(|n| on_path(n)).ok_or_else(|| {
                Diagnostic::error("--pdf", 0, "生成 PDF 需要一个 Chromium 内核的浏览器，但在 PATH 里没有找到 chromium、google-chrome 或 microsoft-edge。\
请安装 Chromium（Debian/Ubuntu：sudo apt-get install chromium fonts-arphic-uming fonts-wqy-zenhei），或 Google Chrome、Microsoft Edge；\
也可以在 site.toml 的 [print] 里写 browser = \"浏览器程序的完整路径\"，或设环境变量 HONGGUANJIA_BROWSER。\
不加 --pdf 时只生成 HTML 打印材料，可以用浏览器打开后打印。")
            })?,
        };
        let version = probe(&program, limit.min(PROBE_LIMIT))?;
        Ok(Browser { program, version })
    }

    /// The browser's version and program, for the report.
    fn describe(&self) -> String {
        format!("{}（{}）", self.version, self.program.display())
    }
}

/// `program --version`, within `limit`. Windows' Chrome and Edge open a window for it
/// instead of answering, so there the version is not asked.
fn probe(program: &Path, limit: Duration) -> Result<String, Diagnostic> {
    if !cfg!(unix) {
        return Ok("版本未知".to_string());
    }
    let place = program.display().to_string();
    let mut command = Command::new(program);
    command
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut group = Group::spawn(command)
        .map_err(|e| Diagnostic::error(place.clone(), 0, format!("无法启动浏览器：{e}")))?;
    let (tx, rx) = std::sync::mpsc::channel();
    if let Some(out) = group.child.stdout.take() {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = out.take(64 * 1024).read_to_end(&mut text);
            let _ = tx.send(text);
        });
    }
    let deadline = Instant::now() + limit;
    let status = group.wait_until(deadline);
    let text = match status {
        Ok(Some(_)) => rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    match status {
        Ok(Some(_)) => {
            let version = String::from_utf8_lossy(&text).trim().to_string();
            Ok(if version.is_empty() {
                "版本未知".to_string()
            } else {
                version
            })
        }
        Ok(None) => {
            group.kill();
            Err(Diagnostic::error(
                place,
                0,
                format!(
                    "浏览器 {} 秒内没有回答版本查询（--version），已停止它和它启动的全部进程。\
请确认这是 Chromium 内核的浏览器（chromium、google-chrome、microsoft-edge），\
或在 site.toml 的 [print] 里用 browser = \"浏览器程序的完整路径\" 换一个",
                    seconds(limit)
                ),
            ))
        }
        Err(e) => {
            group.kill();
            Err(Diagnostic::error(
                place,
                0,
                format!("等待浏览器时出错：{e}"),
            ))
        }
    }
}

/// Which installed font the print styles' CJK families come to, as fontconfig sees it.
pub(crate) fn cjk_font() -> String {
    for family in FONT_FAMILIES {
        let listed = Command::new("fc-list")
            .arg(format!("{family}:lang=zh-cn"))
            .arg("family")
            .output();
        match listed {
            Ok(o) if !o.stdout.is_empty() => {
                let matched = Command::new("fc-match")
                    .args(["-f", "%{family[0]}（%{file}）"])
                    .arg(format!("{family}:lang=zh-cn"))
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                    .unwrap_or_default();
                return format!("{family} → {matched}");
            }
            Ok(_) => {}
            Err(_) => return "未知（没有 fc-list，无法查询字体）".to_string(),
        }
    }
    "没有找到样式要求的中文字体，浏览器会用系统默认字体；请安装 fonts-arphic-uming 和 fonts-wqy-zenhei".to_string()
}

/// Removes the scratch folder however printing ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Prints each of `printable` (paths among `files`) to a PDF beside it, with as many
/// browsers at a time as there are processors (at most four: each is a heavy process).
/// `limit` bounds each file's printing and each browser's start.
pub(crate) fn print_all(
    browser: &Browser,
    output: &Path,
    files: &[OutputFile],
    printable: &[String],
    date: Option<crate::model::Date>,
    limit: Duration,
) -> Result<(Vec<OutputFile>, PdfReport), Diagnostics> {
    let started = Instant::now();
    let output = std::path::absolute(output).unwrap_or_else(|_| output.to_path_buf());
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "print".to_string());
    let dir = output.with_file_name(format!(".{name}.hongguanjia-pdf"));
    let _ = std::fs::remove_dir_all(&dir);
    let scratch = Scratch(dir.clone());
    let pages = dir.join("pages");
    for f in files {
        let path = pages.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                Diagnostic::error(
                    parent.display().to_string(),
                    0,
                    format!("无法创建文件夹：{e}"),
                )
            })?;
        }
        std::fs::write(&path, &f.bytes).map_err(|e| {
            Diagnostic::error(path.display().to_string(), 0, format!("无法写入：{e}"))
        })?;
    }

    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4)
        .min(printable.len().max(1));
    // Largest first, so that no browser is left with a big file at the end.
    let mut order: Vec<&String> = printable.iter().collect();
    let size = |rel: &String| {
        files
            .iter()
            .find(|f| &f.path == rel)
            .map_or(0, |f| f.bytes.len())
    };
    order.sort_by_key(|rel| std::cmp::Reverse(size(rel)));
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let errors = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for w in 0..workers {
            let (next, failed, errors, pages, dir, order) =
                (&next, &failed, &errors, &pages, &dir, &order);
            scope.spawn(move || {
                // One profile per worker: a browser locks its profile folder.
                let profile = dir.join(format!("profile-{w}"));
                let mut printer = Printer::new(browser, profile, limit);
                loop {
                    if failed.load(Ordering::Relaxed) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(rel) = order.get(i) else { break };
                    let page = pages.join(rel);
                    let pdf = pages.join(routes::pdf(rel));
                    if let Err(e) = printer.print(rel, &page, &pdf) {
                        failed.store(true, Ordering::Relaxed);
                        if let Ok(mut list) = errors.lock() {
                            list.push(e);
                        }
                        break;
                    }
                }
                printer.close();
            });
        }
    });
    let mut errors = errors.into_inner().unwrap_or_default();
    let mut pdfs = Vec::new();
    if errors.is_empty() {
        for rel in printable {
            let rel = routes::pdf(rel);
            match std::fs::read(pages.join(&rel)) {
                Ok(mut bytes) => {
                    pin_dates(&mut bytes, date);
                    pdfs.push(OutputFile { path: rel, bytes });
                }
                Err(e) => errors.push(Diagnostic::error(rel, 0, format!("没有得到 PDF：{e}"))),
            }
        }
    }
    drop(scratch);
    if !errors.is_empty() {
        return Err(errors.into_iter().collect());
    }
    let type3 = pdfs
        .iter()
        .filter(|f| has_type3(&f.bytes))
        .map(|f| f.path.clone())
        .collect();
    let report = PdfReport {
        type3,
        browser: browser.describe(),
        font: cjk_font(),
        pdfs: pdfs.len(),
        workers,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((pdfs, report))
}

/// One worker's way of printing: a long-lived browser over the DevTools pipe on Unix,
/// a browser run per file elsewhere.
struct Printer<'b> {
    browser: &'b Browser,
    profile: PathBuf,
    limit: Duration,
    #[cfg(unix)]
    devtools: Option<devtools::Devtools>,
}

impl<'b> Printer<'b> {
    fn new(browser: &'b Browser, profile: PathBuf, limit: Duration) -> Self {
        Printer {
            browser,
            profile,
            limit,
            #[cfg(unix)]
            devtools: None,
        }
    }

    /// Prints `page` (the kit's `rel`) to `pdf`. A browser that fails (not one that
    /// hangs) gets one more try with a fresh start: a browser now and then fails a print
    /// that the next run makes.
    #[cfg(unix)]
    fn print(&mut self, rel: &str, page: &Path, pdf: &Path) -> Result<(), Diagnostic> {
        let limit = self.limit;
        let mut tries = 2;
        loop {
            tries -= 1;
            let tools = match self.devtools.take() {
                Some(t) => t,
                None => devtools::Devtools::start(&self.browser.program, &self.profile, limit)
                    .map_err(|e| {
                        e.diagnostic(&self.browser.program.display().to_string(), "启动", limit)
                    })?,
            };
            let mut tools = tools;
            match tools.print(page, Instant::now() + limit) {
                Ok(bytes) => {
                    self.devtools = Some(tools);
                    return std::fs::write(pdf, bytes)
                        .map_err(|e| Diagnostic::error(rel, 0, format!("无法写入 PDF：{e}")));
                }
                // A browser that failed is not trusted with the next file.
                Err(devtools::Failure::Said(_)) if tries > 0 => tools.kill(),
                Err(e) => {
                    tools.kill();
                    return Err(e.diagnostic(rel, "打印这份材料", limit));
                }
            }
        }
    }

    /// Prints `page` to `pdf` with one browser run of its own.
    #[cfg(not(unix))]
    fn print(&mut self, rel: &str, page: &Path, pdf: &Path) -> Result<(), Diagnostic> {
        let mut command = Command::new(&self.browser.program);
        command
            .args(FLAGS)
            .arg("--no-pdf-header-footer")
            .arg(format!("--user-data-dir={}", self.profile.display()))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(file_url(page))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut group = Group::spawn(command).map_err(|e| {
            Diagnostic::error(
                self.browser.program.display().to_string(),
                0,
                format!("无法启动浏览器：{e}"),
            )
        })?;
        match group.wait_until(Instant::now() + self.limit) {
            Ok(Some(status)) if status.success() && pdf.is_file() => Ok(()),
            Ok(Some(status)) => Err(Diagnostic::error(
                rel,
                0,
                format!("浏览器打印失败（{status}）"),
            )),
            Ok(None) => {
                group.kill();
                Err(too_long(rel.to_string(), "打印这份材料", self.limit))
            }
            Err(e) => {
                group.kill();
                Err(Diagnostic::error(rel, 0, format!("等待浏览器时出错：{e}")))
            }
        }
    }

    /// Ends the worker's browser.
    fn close(&mut self) {
        #[cfg(unix)]
        if let Some(t) = self.devtools.take() {
            t.close();
        }
    }
}

/// A `file://` URL of a local path, its bytes outside the unreserved set escaped.
fn file_url(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut url = String::from("file://");
    if !text.starts_with('/') {
        url.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~:".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// The DevTools protocol over a pipe, as much of it as printing takes.
#[cfg(unix)]
mod devtools {
    use std::io::{Read, Write};
    use std::path::Path;
    use std::process::{ChildStdin, Command, Stdio};
    use std::sync::mpsc::{Receiver, RecvTimeoutError};
    use std::time::{Duration, Instant};

    use serde_json::{Value, json};

    use super::{FLAGS, Group, file_url, too_long};
    use crate::diagnostics::Diagnostic;

    /// Why a step failed.
    pub(super) enum Failure {
        /// The time was up.
        Late,
        /// The browser ended or said why it could not.
        Said(String),
    }

    impl Failure {
        pub(super) fn diagnostic(&self, place: &str, doing: &str, limit: Duration) -> Diagnostic {
            match self {
                Failure::Late => too_long(place.to_string(), doing, limit),
                Failure::Said(why) => {
                    Diagnostic::error(place, 0, format!("浏览器{doing}失败：{why}"))
                }
            }
        }
    }

    /// A headless browser and its pipe.
    pub(super) struct Devtools {
        group: Group,
        to: ChildStdin,
        from: Receiver<Vec<u8>>,
        next: u64,
        /// Events met while waiting for an answer, by method and session.
        events: Vec<(String, String)>,
    }

    impl Devtools {
        /// Starts the browser, and waits until it answers (within `limit`).
        pub(super) fn start(
            program: &Path,
            profile: &Path,
            limit: Duration,
        ) -> Result<Devtools, Failure> {
            // The shell hands the pipes to the browser as its descriptors 3 (commands in)
            // and 4 (answers out), then becomes the browser: the process group's leader is
            // the browser itself.
            let mut command = Command::new("/bin/sh");
            command
                .arg("-c")
                .arg("exec \"$0\" \"$@\" 3<&0 4>&1 0</dev/null 1>/dev/null")
                .arg(program)
                .args(FLAGS)
                .arg("--remote-debugging-pipe")
                .arg(format!("--user-data-dir={}", profile.display()))
                .arg("about:blank")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null());
            let mut group = Group::spawn(command).map_err(|e| Failure::Said(e.to_string()))?;
            let (Some(to), Some(mut out)) = (group.child.stdin.take(), group.child.stdout.take())
            else {
                return Err(Failure::Said("没有得到浏览器的管道".to_string()));
            };
            let (tx, from) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let mut pending: Vec<u8> = Vec::new();
                let mut chunk = vec![0u8; 1 << 16];
                loop {
                    match out.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            let start = pending.len();
                            pending.extend_from_slice(&chunk[..n]);
                            let mut from = 0;
                            let mut scan = start;
                            while let Some(at) = memchr::memchr(0, &pending[scan..]) {
                                let end = scan + at;
                                if tx.send(pending[from..end].to_vec()).is_err() {
                                    return;
                                }
                                from = end + 1;
                                scan = from;
                            }
                            pending.drain(..from);
                        }
                    }
                }
            });
            let mut tools = Devtools {
                group,
                to,
                from,
                next: 0,
                events: Vec::new(),
            };
            let deadline = Instant::now() + limit;
            match tools.call("Browser.getVersion", json!({}), None, deadline) {
                Ok(_) => Ok(tools),
                Err(e) => {
                    tools.kill();
                    Err(e)
                }
            }
        }

        /// Sends a command and waits for its answer until `deadline`, keeping the events
        /// that come meanwhile.
        fn call(
            &mut self,
            method: &str,
            params: Value,
            session: Option<&str>,
            deadline: Instant,
        ) -> Result<Value, Failure> {
            self.next += 1;
            let id = self.next;
            let mut message = json!({ "id": id, "method": method, "params": params });
            if let Some(s) = session {
                message["sessionId"] = json!(s);
            }
            let mut bytes = message.to_string().into_bytes();
            bytes.push(0);
            self.to
                .write_all(&bytes)
                .and_then(|()| self.to.flush())
                .map_err(|_| Failure::Said("浏览器意外退出".to_string()))?;
            loop {
                let answer = self.receive(deadline)?;
                if answer.get("id").and_then(Value::as_u64) == Some(id) {
                    if let Some(error) = answer.get("error") {
                        let why = error
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or("未知错误");
                        return Err(Failure::Said(format!("{method}: {why}")));
                    }
                    return Ok(answer.get("result").cloned().unwrap_or(Value::Null));
                }
                self.keep_event(&answer);
            }
        }

        fn receive(&mut self, deadline: Instant) -> Result<Value, Failure> {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.from.recv_timeout(left) {
                Ok(bytes) => serde_json::from_slice(&bytes)
                    .map_err(|e| Failure::Said(format!("看不懂浏览器的回答：{e}"))),
                Err(RecvTimeoutError::Timeout) => Err(Failure::Late),
                Err(RecvTimeoutError::Disconnected) => {
                    Err(Failure::Said("浏览器意外退出".to_string()))
                }
            }
        }

        fn keep_event(&mut self, message: &Value) {
            if let (Some(method), Some(session)) = (
                message.get("method").and_then(Value::as_str),
                message.get("sessionId").and_then(Value::as_str),
            ) && method == "Page.loadEventFired"
            {
                self.events.push((method.to_string(), session.to_string()));
            }
        }

        /// Waits for `event` of `session` until `deadline`.
        fn event(&mut self, event: &str, session: &str, deadline: Instant) -> Result<(), Failure> {
            loop {
                if let Some(i) = self
                    .events
                    .iter()
                    .position(|(m, s)| m == event && s == session)
                {
                    self.events.remove(i);
                    return Ok(());
                }
                let message = self.receive(deadline)?;
                self.keep_event(&message);
            }
        }

        /// `page` as PDF bytes, in a tab of its own, by `deadline`.
        pub(super) fn print(&mut self, page: &Path, deadline: Instant) -> Result<Vec<u8>, Failure> {
            let text = |v: &Value, key: &str| {
                v.get(key)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| Failure::Said(format!("浏览器的回答里没有 {key}")))
            };
            let target = self.call(
                "Target.createTarget",
                json!({ "url": "about:blank" }),
                None,
                deadline,
            )?;
            let target = text(&target, "targetId")?;
            let session = self.call(
                "Target.attachToTarget",
                json!({ "targetId": target, "flatten": true }),
                None,
                deadline,
            )?;
            let session = text(&session, "sessionId")?;
            self.events.clear();
            self.call("Page.enable", json!({}), Some(&session), deadline)?;
            let navigated = self.call(
                "Page.navigate",
                json!({ "url": file_url(page) }),
                Some(&session),
                deadline,
            )?;
            if let Some(why) = navigated.get("errorText").and_then(Value::as_str) {
                return Err(Failure::Said(format!("打不开 {}：{why}", page.display())));
            }
            self.event("Page.loadEventFired", &session, deadline)?;
            // As `--print-to-pdf` prints, without the tagged structure: paper needs none,
            // and it doubled the files and a good part of the time.
            let printed = self.call(
                "Page.printToPDF",
                json!({
                    "printBackground": true,
                    "preferCSSPageSize": true,
                    "displayHeaderFooter": false,
                    "generateTaggedPDF": false,
                }),
                Some(&session),
                deadline,
            )?;
            let data = text(&printed, "data")?;
            let bytes = base64(&data).ok_or_else(|| Failure::Said("PDF 数据不完整".to_string()))?;
            self.call(
                "Target.closeTarget",
                json!({ "targetId": target }),
                None,
                deadline,
            )?;
            Ok(bytes)
        }

        /// Asks the browser to end, waits (a few seconds at most) for it to close its end
        /// of the pipe, then stops whatever of its group is left. The leader is reaped only
        /// then (`Group::kill`), so that the group's id is still its own when it is killed.
        pub(super) fn close(mut self) {
            let deadline = Instant::now() + Duration::from_secs(5);
            let _ = self.call("Browser.close", json!({}), None, deadline);
            while let Ok(_message) = self
                .from
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {}
            self.kill();
        }

        pub(super) fn kill(&mut self) {
            self.group.kill();
        }
    }

    /// Standard base64, as the protocol sends binary data.
    fn base64(text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len() / 4 * 3);
        let mut acc = 0u32;
        let mut bits = 0;
        for b in text.bytes() {
            let v = match b {
                b'A'..=b'Z' => b - b'A',
                b'a'..=b'z' => b - b'a' + 26,
                b'0'..=b'9' => b - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                b'=' => break,
                b'\n' | b'\r' => continue,
                _ => return None,
            };
            acc = (acc << 6) | u32::from(v);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        Some(out)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn base64_decodes_what_it_encodes() {
            assert_eq!(super::base64("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
            assert_eq!(super::base64("JVBERi0x").as_deref(), Some(&b"%PDF-1"[..]));
            assert_eq!(super::base64("YQ==").as_deref(), Some(&b"a"[..]));
            assert_eq!(super::base64("a*b"), None);
        }
    }
}

/// Replaces the browser's clock in a PDF's creation and modification dates with the
/// site's date (or 1970-01-01), digit for digit so that no offset moves: the same records
/// give the same PDF bytes.
fn pin_dates(pdf: &mut [u8], date: Option<crate::model::Date>) {
    let stamp = match date {
        Some(d) => format!("{:04}{:02}{:02}000000", d.year, d.month, d.day),
        None => "19700101000000".to_string(),
    };
    for key in [&b"/CreationDate (D:"[..], &b"/ModDate (D:"[..]] {
        let mut from = 0;
        while let Some(at) = pdf[from..].windows(key.len()).position(|w| w == key) {
            let start = from + at + key.len();
            let end = start + stamp.len();
            if end <= pdf.len() && pdf[start..end].iter().all(u8::is_ascii_digit) {
                pdf[start..end].copy_from_slice(stamp.as_bytes());
            }
            from = start;
        }
    }
}

/// Whether a PDF holds a Type 3 font. Chromium writes font dictionaries uncompressed,
/// with or without a space after the key.
fn has_type3(pdf: &[u8]) -> bool {
    memchr::memmem::find(pdf, b"/Subtype /Type3").is_some()
        || memchr::memmem::find(pdf, b"/Subtype/Type3").is_some()
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_pinned_in_place() {
        let mut pdf =
            b"<< /CreationDate (D:20261127081722+00'00') /ModDate (D:20261127081722+00'00') >>"
                .to_vec();
        let len = pdf.len();
        super::pin_dates(&mut pdf, crate::model::Date::new(2018, 12, 10));
        assert_eq!(pdf.len(), len);
        assert_eq!(
            String::from_utf8_lossy(&pdf),
            "<< /CreationDate (D:20181210000000+00'00') /ModDate (D:20181210000000+00'00') >>"
        );
    }

    #[test]
    fn type3_fonts_are_found_however_the_key_is_spaced() {
        assert!(super::has_type3(b"<< /Type /Font /Subtype /Type3 >>"));
        assert!(super::has_type3(b"<</Type/Font/Subtype/Type3>>"));
        assert!(!super::has_type3(b"<< /Subtype /CIDFontType2 >>"));
    }

    #[test]
    fn file_urls_escape_what_a_url_cannot_hold() {
        assert_eq!(
            super::file_url(std::path::Path::new("/tmp/打印 材料/a#b.html")),
            "file:///tmp/%E6%89%93%E5%8D%B0%20%E6%9D%90%E6%96%99/a%23b.html"
        );
    }
}
