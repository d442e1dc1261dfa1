//! PDFs of the kit's printable pages, printed by an installed Chromium-family browser in
//! headless mode. The HTML print styles stay the one layout source: the browser embeds
//! and subsets the fonts and keeps the text extractable. One browser run prints one file,
//! which holds every page of one kind and community, so a city is a few hundred runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
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
pub(crate) const FONT_FAMILIES: &[&str] = &[
    "FangSong",
    "仿宋",
    "STFangsong",
    "SimSun",
    "AR PL UMing CN",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
];

/// How long one browser run may take before it is given up as hung.
const RUN_LIMIT: Duration = Duration::from_secs(600);

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
}

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

impl Browser {
    /// The environment variable, then `site.toml`'s `print.browser`, then the usual names.
    pub(crate) fn find(setting: Option<&str>) -> Result<Browser, Diagnostic> {
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
请安装 Chromium（Debian/Ubuntu：sudo apt-get install chromium fonts-noto-cjk），或 Google Chrome、Microsoft Edge；\
也可以在 site.toml 的 [print] 里写 browser = \"浏览器程序的完整路径\"，或设环境变量 HONGGUANJIA_BROWSER。\
不加 --pdf 时只生成 HTML 打印材料，可以用浏览器打开后打印。")
            })?,
        };
        let version = Command::new(&program)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "版本未知".to_string());
        Ok(Browser { program, version })
    }

    fn print(&self, profile: &Path, page: &Path, pdf: &Path) -> Result<(), Diagnostic> {
        let mut child = Command::new(&self.program)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--no-pdf-header-footer",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", page.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                Diagnostic::error(
                    self.program.display().to_string(),
                    0,
                    format!("无法启动浏览器：{e}"),
                )
            })?;
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > RUN_LIMIT => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(Diagnostic::error(
                        page.display().to_string(),
                        0,
                        format!("浏览器 {} 秒没有打印完，已停止", RUN_LIMIT.as_secs()),
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => {
                    return Err(Diagnostic::error(
                        page.display().to_string(),
                        0,
                        format!("等待浏览器时出错：{e}"),
                    ));
                }
            }
        };
        if !status.success() || !pdf.is_file() {
            return Err(Diagnostic::error(
                page.display().to_string(),
                0,
                format!("浏览器打印失败（{status}）"),
            ));
        }
        Ok(())
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
    "没有找到样式要求的中文字体，浏览器会用系统默认字体；请安装 fonts-noto-cjk".to_string()
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
pub(crate) fn print_all(
    browser: &Browser,
    output: &Path,
    files: &[OutputFile],
    printable: &[String],
    date: Option<crate::model::Date>,
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
    let next = AtomicUsize::new(0);
    let errors = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for w in 0..workers {
            let (next, errors, pages, dir) = (&next, &errors, &pages, &dir);
            scope.spawn(move || {
                // One profile per worker: a browser locks its profile folder.
                let profile = dir.join(format!("profile-{w}"));
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(rel) = printable.get(i) else { break };
                    let page = pages.join(rel);
                    let pdf = pages.join(routes::pdf(rel));
                    if let Err(e) = browser.print(&profile, &page, &pdf)
                        && let Ok(mut list) = errors.lock()
                    {
                        list.push(e);
                    }
                }
            });
        }
    });
    let mut errors = errors.into_inner().unwrap_or_default();
    let mut pdfs = Vec::new();
    for rel in printable {
        let rel = routes::pdf(rel);
        match std::fs::read(pages.join(&rel)) {
            Ok(mut bytes) => {
                pin_dates(&mut bytes, date);
                pdfs.push(OutputFile { path: rel, bytes });
            }
            Err(e) if errors.is_empty() => {
                errors.push(Diagnostic::error(rel, 0, format!("没有得到 PDF：{e}")))
            }
            Err(_) => {}
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
        browser: format!("{}（{}）", browser.version, browser.program.display()),
        font: cjk_font(),
        pdfs: pdfs.len(),
        workers,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((pdfs, report))
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

/// Whether a PDF holds a Type 3 font. Chromium writes font dictionaries uncompressed.
fn has_type3(pdf: &[u8]) -> bool {
    pdf.windows(14).any(|w| w == b"/Subtype /Type3")
}
