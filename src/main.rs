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
    /// 生成内部打印材料：公示牌、联户卡、红管家日志、感谢信和简报（默认输出到 <站点目录>/print）
    Print {
        /// 站点目录（含 site.toml 和 content/）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 输出目录；不能是公开网站的输出目录或在其中
        #[arg(long)]
        output: Option<PathBuf>,
        /// 同时用已安装的 Chromium / Chrome / Edge 把每份材料打印成 PDF
        #[arg(long)]
        pdf: bool,
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

fn fail_print(err: hongguanjia::print::PrintError) -> ExitCode {
    use hongguanjia::print::PrintError;
    match err {
        PrintError::Input(d) => fail_input(&d),
        PrintError::Render(e) => fail(BuildError::Render(e)),
        PrintError::Leak(leaks) => {
            for l in &leaks {
                complain!("{l}");
            }
            complain!(
                "打印材料里有 {} 处不应出现的内容（居民的信息，或公示牌、联户卡以外的红管家电话、不同意公示的红管家电话），请检查这些内容的来源（站点自己的模板、简报正文）。未写入任何文件，原有的输出保持不变。",
                leaks.len()
            );
            ExitCode::from(1)
        }
        PrintError::Write(w) => fail(BuildError::Write(w)),
        PrintError::Output(message) => {
            complain!("{message}");
            complain!("未写入任何文件。");
            ExitCode::from(1)
        }
        PrintError::Pdf(errors) => {
            for e in &errors {
                complain!("{e}");
            }
            complain!("未能生成 PDF，未写入任何文件，原有的输出保持不变。");
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
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
        Command::Print {
            root,
            output,
            pdf,
            force,
        } => match hongguanjia::print::print(&root, output.as_deref(), pdf, force) {
            Ok(report) => {
                print_diagnostics(&report.warnings);
                if std::env::var_os("HONGGUANJIA_TIMINGS").is_some() {
                    for (stage, seconds) in &report.timings {
                        complain!("阶段 {stage}: {seconds:.2}s");
                    }
                }
                for g in &report.groups {
                    say!("{}：{} 份，{} 个文件", g.title, g.items, g.files.len());
                }
                if let Some(p) = &report.pdf {
                    say!(
                        "PDF：{} 个，用时 {:.1} 秒（同时运行 {} 个浏览器）",
                        p.pdfs,
                        p.seconds,
                        p.workers
                    );
                    say!("浏览器：{}", p.browser);
                    say!("中文字体：{}", p.font);
                    if !p.type3.is_empty() {
                        complain!(
                            "警告：{} 等 {} 个 PDF 里有文字被画成了轮廓（Type 3 字体），不便检索、印刷也不够清晰。原因是用到的中文字体是 CFF 格式（如 Noto CJK），浏览器无法嵌入。请安装 TrueType 中文字体（Windows 的仿宋、黑体；Debian/Ubuntu：sudo apt-get install fonts-arphic-uming fonts-wqy-zenhei）后重新生成",
                            p.type3[0],
                            p.type3.len()
                        );
                    }
                }
                say!(
                    "已生成内部打印材料（共 {} 个文件），用时 {:.2} 秒，输出到 {}。这些材料含红管家联系电话，请勿放到公开网站上。",
                    report.files,
                    report.seconds,
                    report.output.display()
                );
                ExitCode::SUCCESS
            }
            Err(err) => fail_print(err),
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
