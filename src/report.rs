//! Telling the user what happened. On a terminal, each problem is shown with its source
//! line and a caret, in colour; otherwise (a pipe, a file, `NO_COLOR`) each is one plain
//! `path:line: message` line, as tests and scripts read it. `check --format json` prints
//! one JSON object a line for editors and CI.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use serde::Serialize;

use crate::diagnostics::{Diagnostic, Diagnostics, Severity, column_letters};
use crate::pipeline::BuildError;
use crate::write::Left;

/// How much to say: `--quiet` keeps errors only, `--verbose` adds timings and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only.
    Quiet,
    /// Errors, warnings and one result line.
    Normal,
    /// Also the files that changed, the time of each stage and the counts.
    Verbose,
}

/// Prints messages for one site: reads its files to show the lines problems are on.
#[derive(Debug, Clone)]
pub struct Printer {
    root: PathBuf,
    styled: bool,
    verbosity: Verbosity,
}

impl Printer {
    /// Styled when standard error is a terminal (or `CLICOLOR_FORCE` is set, as for a CI
    /// log that shows colour) and `NO_COLOR` is not set.
    pub fn new(root: &Path, verbosity: Verbosity) -> Printer {
        let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        let forced = env("CLICOLOR_FORCE").is_some_and(|v| v != "0");
        let terminal = std::io::stderr().is_terminal() || forced;
        Printer {
            root: root.to_path_buf(),
            styled: terminal && env("NO_COLOR").is_none(),
            verbosity,
        }
    }

    /// Forces styled (source lines, colour) or plain output.
    pub fn styled(mut self, styled: bool) -> Printer {
        self.styled = styled;
        self
    }

    /// How much this printer says.
    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    /// Every diagnostic, in the given order, to standard error; warnings not when quiet.
    /// A problem repeated on many lines of one file (a whole column typed the same wrong
    /// way) is shown in full [`SHOWN_PER_KIND`] times and then as one line naming the other
    /// lines, unless verbose; `check --format json` always lists each.
    pub fn diagnostics(&self, diags: &[Diagnostic]) {
        let mut sources = Sources::new(&self.root);
        let mut err = std::io::stderr().lock();
        let shown: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error || self.verbosity > Verbosity::Quiet)
            .collect();
        let keep = match self.verbosity {
            Verbosity::Verbose => usize::MAX,
            _ => SHOWN_PER_KIND,
        };
        for item in fold_repeats(&shown, keep) {
            let text = match item {
                Shown::Full(d) if self.styled => snippet(&mut sources, d, Renderer::styled()),
                Shown::Full(d) => d.to_string(),
                Shown::Rest(rest) => self.paint(&rest.to_string(), "2"),
            };
            let _ = writeln!(err, "{text}");
        }
    }

    /// A build's failure: its messages, then what it means.
    pub fn build_error(&self, err: &BuildError) {
        self.diagnostics(&problems(err).sorted());
        self.error_line(&error_summary(err));
    }

    /// A result line on standard output; not when quiet.
    pub fn info(&self, text: &str) {
        if self.verbosity > Verbosity::Quiet {
            let _ = writeln!(std::io::stdout(), "{text}");
        }
    }

    /// Detail on standard error, only when verbose.
    pub fn detail(&self, text: &str) {
        if self.verbosity == Verbosity::Verbose {
            let _ = writeln!(std::io::stderr(), "{text}");
        }
    }

    /// A line the user needs whatever the verbosity (the preview's address).
    pub fn always(&self, text: &str) {
        let _ = writeln!(std::io::stdout(), "{text}");
    }

    /// An error that is not about a source line, to standard error.
    pub fn error_line(&self, text: &str) {
        let _ = writeln!(std::io::stderr(), "{}", self.paint(text, "1;31"));
    }

    /// A warning that is not about a source line; not when quiet.
    pub fn warning_line(&self, text: &str) {
        if self.verbosity > Verbosity::Quiet {
            let _ = writeln!(std::io::stderr(), "{}", self.paint(text, "1;33"));
        }
    }

    fn paint(&self, text: &str, sgr: &str) -> String {
        if self.styled {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// How many times one kind of problem in one file is shown in full.
pub const SHOWN_PER_KIND: usize = 3;

/// One item of the printed list of problems.
#[derive(Debug, PartialEq)]
pub enum Shown<'a> {
    /// A problem as it is.
    Full(&'a Diagnostic),
    /// The further lines of a file with the same problem as one shown in full above.
    Rest(Repeats),
}

/// The lines of one file past the first [`SHOWN_PER_KIND`] that have the same problem.
#[derive(Debug, PartialEq)]
pub struct Repeats {
    path: String,
    severity: Severity,
    lines: Vec<u32>,
}

impl std::fmt::Display for Repeats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const NAMED: usize = 12;
        let mut named: Vec<String> = self.lines.iter().take(NAMED).map(u32::to_string).collect();
        if self.lines.len() > NAMED {
            named.push("……".to_string());
        }
        let prefix = match self.severity {
            Severity::Error => "",
            Severity::Warning => "警告：",
        };
        write!(
            f,
            "{}: {prefix}另有 {} 行是同样的问题（第 {} 行），改法同上；\
             用 hongguanjia check --format json 可以逐行列出",
            self.path,
            self.lines.len(),
            named.join("、")
        )
    }
}

/// `diags` (sorted by file) with each kind of problem shown in full `keep` times per file
/// and its other lines gathered into one [`Repeats`] at the end of that file's problems.
/// Problems are of a kind when their messages differ only in the values quoted in them
/// and in numbers: `户数: "三" 不是整数…` and `户数: "十二" 不是整数…`.
pub fn fold_repeats<'a>(diags: &[&'a Diagnostic], keep: usize) -> Vec<Shown<'a>> {
    let mut out = Vec::with_capacity(diags.len());
    let mut file_start = 0;
    while file_start < diags.len() {
        let path = &diags[file_start].path;
        let file_end = diags[file_start..]
            .iter()
            .position(|d| &d.path != path)
            .map_or(diags.len(), |n| file_start + n);
        let mut kinds: Vec<(Severity, String, usize, Vec<u32>)> = Vec::new();
        for d in &diags[file_start..file_end] {
            let kind = message_kind(&d.message);
            let at = match kinds
                .iter()
                .position(|(s, k, ..)| *s == d.severity && *k == kind)
            {
                Some(at) => at,
                None => {
                    kinds.push((d.severity, kind, 0, Vec::new()));
                    kinds.len() - 1
                }
            };
            let entry = &mut kinds[at];
            entry.2 += 1;
            if entry.2 <= keep {
                out.push(Shown::Full(d));
            } else {
                entry.3.push(d.line);
            }
        }
        for (severity, _, _, lines) in kinds {
            if !lines.is_empty() {
                out.push(Shown::Rest(Repeats {
                    path: path.clone(),
                    severity,
                    lines,
                }));
            }
        }
        file_start = file_end;
    }
    out
}

/// A message with its quoted values and its numbers left out.
fn message_kind(message: &str) -> String {
    let mut kind = String::with_capacity(message.len());
    let mut closing = None;
    for c in message.chars() {
        match closing {
            Some(end) if c == end => {
                closing = None;
                kind.push(c);
            }
            Some(_) => {}
            None if c == '"' => {
                closing = Some('"');
                kind.push(c);
            }
            None if c == '“' => {
                closing = Some('”');
                kind.push(c);
            }
            None if c.is_ascii_digit() => {
                if !kind.ends_with('#') {
                    kind.push('#');
                }
            }
            None => kind.push(c),
        }
    }
    kind
}

/// `d` with the line it is about, read from the site's files: a caret at its column when
/// known, otherwise the line's content underlined. Without a readable line (a workbook
/// cell, a missing file), just the message.
pub fn render_snippet(root: &Path, d: &Diagnostic, renderer: Renderer) -> String {
    snippet(&mut Sources::new(root), d, renderer)
}

fn snippet(sources: &mut Sources, d: &Diagnostic, renderer: Renderer) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR.with_name("错误"),
        Severity::Warning => Level::WARNING.with_name("警告"),
    };
    let title = level.primary_title(d.message.as_str());
    let Some(text) = sources.line(&d.path, d.line) else {
        // A workbook cell is shown as the user finds it: `台账.xlsx:红管家!C7`.
        let place = match d.cell() {
            Some((column, row)) => format!("{}!{}{row}", d.path, column_letters(column)),
            None => d.path.clone(),
        };
        let mut origin = annotate_snippets::Origin::path(place.as_str());
        if d.cell().is_none() && d.line > 0 && sources.is_file(&d.path) {
            origin = origin.line(d.line as usize);
        }
        return renderer.render(&[title.element(origin)]);
    };
    let span = match d.column {
        Some(column) => {
            let at = text
                .char_indices()
                .nth(column.saturating_sub(1) as usize)
                .map_or(text.len(), |(i, _)| i);
            let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
            at..end
        }
        None => {
            let start = text.len() - text.trim_start().len();
            let end = text.trim_end().len().max(start);
            start..end
        }
    };
    let snippet = Snippet::source(text.as_str())
        .line_start(d.line as usize)
        .path(d.path.as_str())
        .annotation(AnnotationKind::Primary.span(span));
    renderer.render(&[title.element(snippet)])
}

/// The site's text files, each read once however many problems it has: a large register
/// with many errors is not read again for each.
struct Sources {
    root: PathBuf,
    /// By path: the text and where each line starts; `None` when not a text file.
    files: HashMap<String, Option<(String, Vec<usize>)>>,
}

impl Sources {
    fn new(root: &Path) -> Sources {
        Sources {
            root: root.to_path_buf(),
            files: HashMap::new(),
        }
    }

    fn is_file(&self, path: &str) -> bool {
        self.root.join(path).is_file()
    }

    /// Line `n` (from 1) of `path`, tabs widened, when `path` is a text file.
    fn line(&mut self, path: &str, n: u32) -> Option<String> {
        if n == 0 {
            return None;
        }
        let root = &self.root;
        let (text, starts) = self
            .files
            .entry(path.to_string())
            .or_insert_with(|| {
                // Decoded as the loader decodes (GB18030 from Excel, UTF-16), so the line
                // shown is the line the message counts; never a workbook's bytes.
                let text_file = Path::new(path)
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| {
                        ["csv", "toml", "md", "txt", "html", "xml"]
                            .contains(&e.to_ascii_lowercase().as_str())
                    });
                // Never a line of a file outside the site (a link to /etc/passwd that was
                // refused): a message shows the site's own text only.
                let inside = root.canonicalize().ok().is_some_and(|r| {
                    root.join(path)
                        .canonicalize()
                        .is_ok_and(|p| p.starts_with(r))
                });
                if !text_file || !inside {
                    return None;
                }
                let text = crate::load::decode::read_to_string(&root.join(path)).ok()?;
                let starts = std::iter::once(0)
                    .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                    .collect();
                Some((text, starts))
            })
            .as_ref()?;
        let start = *starts.get(n as usize - 1)?;
        let end = starts.get(n as usize).map_or(text.len(), |e| e - 1);
        let line = text.get(start..end)?;
        let line = if n == 1 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        };
        if start == text.len() {
            return None;
        }
        Some(line.trim_end_matches('\r').replace('\t', "    "))
    }
}

/// A diagnostic as `check --format json` prints it.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    line: u32,
    column: Option<u32>,
    severity: &'static str,
    message: &'a str,
}

/// One JSON object a line: `{"path","line","column","severity","message"}`.
pub fn json_line(d: &Diagnostic) -> String {
    let json = JsonDiagnostic {
        path: &d.path,
        line: d.line,
        column: d.column,
        severity: match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        message: &d.message,
    };
    serde_json::to_string(&json).unwrap_or_default()
}

/// A failed build's problems, whatever stopped it: records, templates, leaks or the disk.
pub fn problems(err: &BuildError) -> &Diagnostics {
    match err {
        BuildError::Input(diags)
        | BuildError::Render(diags)
        | BuildError::Leak(diags)
        | BuildError::Write(diags)
        | BuildError::Unfinished(diags, _) => diags,
    }
}

/// What a failure means for the output, after its messages. When the run first finished
/// a build that had been stopped (its warning is among the messages), the output is no
/// longer as it was before the run, and the sentence says so.
pub fn error_summary(err: &BuildError) -> String {
    let text = summary_for(err);
    let finished_stopped = problems(err).sorted().iter().any(|d| {
        d.severity == Severity::Warning && d.message.starts_with(crate::write::FINISHED_STOPPED)
    });
    if !finished_stopped {
        return text;
    }
    let changed = "输出文件夹已先按上一次被中断的生成补齐（见上面的警告），这一次没有再改动它。";
    text.replace("未写入任何文件，原有的输出保持不变。", changed)
        .replace("原有的输出保持不变。", changed)
}

fn summary_for(err: &BuildError) -> String {
    match err {
        BuildError::Input(diags) => format!(
            "发现 {} 个错误、{} 个警告。未写入任何文件，原有的输出保持不变。",
            diags.error_count(),
            diags.warning_count()
        ),
        BuildError::Render(diags) => format!(
            "模板有 {} 处错误。未写入任何文件，原有的输出保持不变。",
            diags.error_count()
        ),
        BuildError::Leak(diags) => format!(
            "生成的网站里有 {} 处不应公开的内容，请检查这些文件的来源（站点自己的模板、static/ 里的文件或简报正文）。未写入任何文件，原有的输出保持不变。",
            diags.error_count()
        ),
        BuildError::Write(_) => "原有的输出保持不变。".to_string(),
        BuildError::Unfinished(_, Left::Placed) => "新网站已经放进输出文件夹，但收尾没有做完（见上）。问题解决后再运行一次生成，会先把收尾做完。".to_string(),
        BuildError::Unfinished(_, Left::Partial) => "输出文件夹里只放进了一部分新文件，现在新旧混杂（见上）。问题解决后再运行一次生成，会先把没放完的放好，再照常生成。".to_string(),
    }
}

/// A failure as plain text, every message a line, as the preview's overlay shows it.
pub fn build_error_text(err: &BuildError) -> String {
    let mut lines: Vec<String> = problems(err)
        .sorted()
        .iter()
        .map(ToString::to_string)
        .collect();
    lines.push(match err {
        BuildError::Input(diags) => format!(
            "发现 {} 个错误、{} 个警告。",
            diags.error_count(),
            diags.warning_count()
        ),
        BuildError::Render(diags) => format!("模板有 {} 处错误。", diags.error_count()),
        BuildError::Leak(diags) => {
            format!("生成的网站里有 {} 处不应公开的内容。", diags.error_count())
        }
        BuildError::Write(_) | BuildError::Unfinished(..) => "无法生成。".to_string(),
    });
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(path: &str, line: u32, column: Option<u32>, message: &str) -> Diagnostic {
        Diagnostic {
            path: path.into(),
            line,
            column,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    fn site(file: &str, text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
        dir
    }

    #[test]
    fn a_caret_under_the_column_counts_chinese_as_two_cells() {
        let dir = site("content/a.toml", "[[红管家]]\n\"姓名\" = 周明华\n");
        let d = diag(
            "content/a.toml",
            2,
            Some(8),
            "TOML 语法错误：invalid string",
        );
        let out = render_snippet(dir.path(), &d, Renderer::plain());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "错误: TOML 语法错误：invalid string");
        assert!(lines[1].ends_with("content/a.toml:2:8"), "{out}");
        let source = lines.iter().position(|l| l.contains("周明华")).expect(&out);
        let caret = lines[source + 1];
        // "\"姓名\" = " is 9 cells wide: the caret stands under 周.
        let bar = lines[source].find('|').expect("gutter");
        let col = caret.find('^').expect("caret");
        assert_eq!(col - bar - 2, 9, "{out}");
        assert_eq!(caret.matches('^').count(), 2, "周 is two cells: {out}");
    }

    #[test]
    fn without_a_column_the_line_is_underlined() {
        let dir = site("content/v.csv", "日期,户数\n2018-11-20,三\n");
        let d = diag("content/v.csv", 2, None, "户数: \"三\" 不是整数");
        let out = render_snippet(dir.path(), &d, Renderer::plain());
        let caret = out.lines().find(|l| l.contains('^')).expect(&out);
        assert_eq!(caret.matches('^').count(), "2018-11-20,".len() + 2, "{out}");
    }

    #[test]
    fn a_cell_of_a_workbook_is_shown_by_its_place() {
        let d = diag(
            "content/台账.xlsx:红管家",
            7,
            Some(3),
            "户数: \"三\" 不是整数",
        );
        let out = render_snippet(Path::new("/nonexistent"), &d, Renderer::plain());
        assert!(out.starts_with("错误: 户数"), "{out}");
        assert!(
            out.trim_end().ends_with("--> content/台账.xlsx:红管家!C7"),
            "{out}"
        );
    }

    #[test]
    fn a_file_saved_by_excel_in_gbk_shows_its_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (gbk, _, _) = encoding_rs::GBK.encode("日期,户数\r\n2018-11-20,三\r\n");
        std::fs::create_dir_all(dir.path().join("content")).expect("mkdir");
        std::fs::write(dir.path().join("content/v.csv"), &gbk).expect("write");
        let d = diag("content/v.csv", 2, None, "户数: \"三\" 不是整数");
        let out = render_snippet(dir.path(), &d, Renderer::plain());
        assert!(out.contains("2 | 2018-11-20,三\n"), "{out}");
    }

    #[test]
    fn a_line_past_the_end_is_shown_by_path_and_line() {
        let dir = site("content/v.csv", "日期,户数\n");
        let d = diag("content/v.csv", 9, None, "户数: 必填，不能为空");
        let out = render_snippet(dir.path(), &d, Renderer::plain());
        assert!(out.trim_end().ends_with("--> content/v.csv:9"), "{out}");
    }

    #[test]
    fn a_problem_on_many_lines_is_shown_three_times_then_named_by_line() {
        let bad: Vec<Diagnostic> = (2..=9)
            .map(|line| {
                diag(
                    "content/v.csv",
                    line,
                    None,
                    &format!("户数: \"{line}户\" 不是整数，只写数字"),
                )
            })
            .chain([diag(
                "content/v.csv",
                5,
                None,
                "日期: \"3月5日\" 不是有效日期：少了年份",
            )])
            .chain([diag(
                "content/w.csv",
                2,
                None,
                "户数: \"三\" 不是整数，只写数字",
            )])
            .collect();
        let mut sorted = bad.clone();
        sorted.sort();
        let refs: Vec<&Diagnostic> = sorted.iter().collect();
        let shown: Vec<String> = fold_repeats(&refs, SHOWN_PER_KIND)
            .iter()
            .map(|item| match item {
                Shown::Full(d) => d.to_string(),
                Shown::Rest(rest) => rest.to_string(),
            })
            .collect();
        assert_eq!(
            shown,
            [
                "content/v.csv:2: 户数: \"2户\" 不是整数，只写数字",
                "content/v.csv:3: 户数: \"3户\" 不是整数，只写数字",
                "content/v.csv:4: 户数: \"4户\" 不是整数，只写数字",
                "content/v.csv:5: 日期: \"3月5日\" 不是有效日期：少了年份",
                "content/v.csv: 另有 5 行是同样的问题（第 5、6、7、8、9 行），改法同上；\
                 用 hongguanjia check --format json 可以逐行列出",
                "content/w.csv:2: 户数: \"三\" 不是整数，只写数字",
            ]
        );
    }

    #[test]
    fn different_advice_is_a_different_problem() {
        assert_eq!(
            message_kind("户数: \"十二\" 不是整数，请写阿拉伯数字，如 12"),
            message_kind("户数: \"三\" 不是整数，请写阿拉伯数字，如 3")
        );
        assert_ne!(
            message_kind("户数: \"3户\" 不是整数，只写数字"),
            message_kind("户数: \"三\" 不是整数，请写阿拉伯数字，如 3")
        );
        assert_ne!(
            message_kind("类型: “串门” 不是有效的取值"),
            message_kind("状态: “串门” 不是有效的取值")
        );
    }

    #[test]
    fn json_lines_carry_every_field() {
        let d = diag("site.toml", 3, Some(5), "title: 应为文字");
        assert_eq!(
            json_line(&d),
            r#"{"path":"site.toml","line":3,"column":5,"severity":"error","message":"title: 应为文字"}"#
        );
    }
}
