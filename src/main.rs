use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use hongguanjia::diagnostics::Diagnostics;
use hongguanjia::pipeline::{self, BuildError};

/// 红管家：把楼道“红管家”的工作记录生成公开的统计报告网站。
#[derive(Parser)]
#[command(name = "hongguanjia", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 检查记录并生成网站（默认输出到 <站点目录>/public）
    Build {
        /// 站点目录（含 site.toml 和 content/）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 输出目录
        #[arg(long)]
        output: Option<PathBuf>,
        /// 即使输出目录里有不是 hongguanjia 生成的文件，也整体替换
        #[arg(long)]
        force: bool,
    },
    /// 只检查记录，不写任何文件，并列出找到的记录数
    Check {
        /// 站点目录（含 site.toml 和 content/）
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// 新建一个站点：站点设置、红管家台账工作簿（每类记录一个工作表）和示例简报、页面
    Init {
        /// 新站点的文件夹（不存在时新建；必须是空的）
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// 用 CSV 文件（UTF-8，带 BOM）代替工作簿
        #[arg(long)]
        csv: bool,
    },
    /// 新建一期简报或一个页面
    New {
        #[command(subcommand)]
        what: New,
    },
}

#[derive(Subcommand)]
enum New {
    /// 按最近一期简报续编下一期：期号、总期号加一，日期为今天，报送、分送单位照旧
    Bulletin {
        /// 站点目录
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 简报日期，如 2024-05-20（不写为今天）
        #[arg(long)]
        date: Option<String>,
    },
    /// 新建一个页面 content/pages/<网址名>.md
    Page {
        /// 页面标题
        title: String,
        /// 网址名：小写英文字母、数字、连字符（不写时为 page-1、page-2……）
        #[arg(long)]
        slug: Option<String>,
        /// 站点目录
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// Prints to stdout; a closed pipe (`| head`) is not a reason to panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Prints to stderr, likewise.
macro_rules! complain {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn print_diagnostics(diags: &Diagnostics) {
    for d in diags.sorted() {
        complain!("{d}");
    }
}

/// The stage breakdown, when `HONGGUANJIA_TIMINGS` is set (the benchmark sets it).
fn print_timings(timings: &pipeline::Timings) {
    if std::env::var_os("HONGGUANJIA_TIMINGS").is_some() {
        for (stage, seconds, peak) in &timings.stages {
            match peak {
                Some(mib) => complain!("阶段 {stage}: {seconds:.2}s（内存峰值 {mib} MiB）"),
                None => complain!("阶段 {stage}: {seconds:.2}s"),
            }
        }
    }
}

fn fail(err: BuildError) -> ExitCode {
    match err {
        BuildError::Input(diags) => fail_input(&diags),
        BuildError::Render(errors) => {
            for e in &errors {
                complain!("{e}");
            }
            complain!(
                "模板有 {} 处错误。未写入任何文件，原有的输出保持不变。",
                errors.len()
            );
            ExitCode::from(1)
        }
        BuildError::Leak(leaks) => {
            for l in &leaks {
                complain!("{l}");
            }
            complain!(
                "生成的网站里有 {} 处不应公开的内容，请检查这些文件的来源（站点自己的模板、static/ 里的文件或简报正文）。未写入任何文件，原有的输出保持不变。",
                leaks.len()
            );
            ExitCode::from(1)
        }
        BuildError::Write(err) => {
            complain!("{err}");
            complain!("原有的输出保持不变。");
            ExitCode::from(1)
        }
    }
}

fn fail_input(diags: &Diagnostics) -> ExitCode {
    print_diagnostics(diags);
    complain!(
        "发现 {} 个错误、{} 个警告。未写入任何文件，原有的输出保持不变。",
        diags.error_count(),
        diags.warning_count()
    );
    ExitCode::from(1)
}

/// `init` and `new`: thin wrappers over `hongguanjia::scaffold`.
mod scaffold_cmd {
    use super::*;
    use hongguanjia::scaffold;
    use hongguanjia::validate::values;

    fn failed(err: impl std::fmt::Display) -> ExitCode {
        complain!("{err}");
        ExitCode::from(1)
    }

    pub fn init(dir: &std::path::Path, csv: bool) -> ExitCode {
        match scaffold::init(dir, csv, scaffold::today()) {
            Ok(created) => {
                say!("已在 {} 新建站点：", dir.display());
                for f in &created.files {
                    say!("  {f}");
                }
                let records = if csv {
                    "content/ 里的 CSV 文件"
                } else {
                    scaffold::WORKBOOK
                };
                say!("下一步：用 Excel 或 WPS 打开 {records}，把示例行改成实际记录；");
                say!(
                    "然后在站点文件夹里运行 hongguanjia serve 预览，或 hongguanjia build 生成网站。"
                );
                ExitCode::SUCCESS
            }
            Err(err) => failed(err),
        }
    }

    pub fn new_bulletin(root: &std::path::Path, date: Option<&str>) -> ExitCode {
        let today = match date {
            None => scaffold::today(),
            Some(text) => match values::parse_date(text) {
                Some(d) => d,
                None => {
                    return failed(format!(
                        "--date \"{text}\" 不是有效日期（可写作 2024-05-20、2024/5/20 或 2024年5月20日）"
                    ));
                }
            },
        };
        match scaffold::new_bulletin(root, today) {
            Ok(b) => {
                say!(
                    "已新建 {}：{}年第{}期，总第{}期，日期 {}。请修改标题和正文，花括号里的数字生成时按台账自动填入。",
                    b.path,
                    b.date.year,
                    b.issue,
                    b.total_issue,
                    b.date
                );
                ExitCode::SUCCESS
            }
            Err(err) => failed(err),
        }
    }

    pub fn new_page(root: &std::path::Path, title: &str, slug: Option<&str>) -> ExitCode {
        match scaffold::new_page(root, title, slug) {
            Ok(path) => {
                say!("已新建 {path}，请编写正文。");
                ExitCode::SUCCESS
            }
            Err(err) => failed(err),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Init { dir, csv } => scaffold_cmd::init(&dir, csv),
        Command::New { what } => match what {
            New::Bulletin { root, date } => scaffold_cmd::new_bulletin(&root, date.as_deref()),
            New::Page { title, slug, root } => {
                scaffold_cmd::new_page(&root, &title, slug.as_deref())
            }
        },
        Command::Build {
            root,
            output,
            force,
        } => match pipeline::build(&root, output.as_deref(), force) {
            Ok(report) => {
                print_diagnostics(&report.warnings);
                print_timings(&report.timings);
                say!(
                    "已生成 {} 个页面（共 {} 个文件），用时 {:.2} 秒，输出到 {}",
                    report.pages,
                    report.files,
                    report.seconds,
                    report.output.display()
                );
                ExitCode::SUCCESS
            }
            Err(err) => fail(err),
        },
        Command::Check { root } => match pipeline::check(&root) {
            Ok(prepared) => {
                print_diagnostics(&prepared.diags);
                let site = &prepared.site;
                let counts: Vec<String> = site
                    .read
                    .iter()
                    .map(|(kind, n)| format!("{} {}", kind.label(), n))
                    .collect();
                say!("检查通过：{}。", counts.join("，"));
                if !site.batches.is_empty() {
                    say!(
                        "表彰批次 {}，受表彰红管家 {} 名。",
                        site.batches.len(),
                        site.figures.commended
                    );
                }
                say!(
                    "可生成 {} 个页面（共 {} 个文件）；本次检查未写入任何文件。",
                    prepared.pages,
                    prepared.files + 1
                );
                if prepared.diags.warning_count() > 0 {
                    say!("另有 {} 个警告，见上。", prepared.diags.warning_count());
                }
                ExitCode::SUCCESS
            }
            Err(err) => fail(err),
        },
    }
}
