use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use hongguanjia::pipeline::{self, BuildError};
use hongguanjia::report::{self, Printer, Verbosity};

/// 红管家：把楼道“红管家”的工作记录生成公开的统计报告网站。
#[derive(Parser)]
#[command(name = "hongguanjia", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// 只显示错误
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// 另外显示各阶段用时和数量
    #[arg(long, short, global = true)]
    verbose: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// 供人阅读；在终端里带颜色并显示出错的原文行
    Text,
    /// 每行一个 JSON 对象（path、line、column、severity、message），供编辑器和 CI 使用
    Json,
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
        /// 输出格式
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 在本机预览网站：生成到内存（不写 public/），文件保存后自动重新生成并刷新页面
    Serve {
        /// 站点目录（含 site.toml 和 content/）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 端口；不写时用 1111，被占用则依次试后面的端口
        #[arg(long)]
        port: Option<u16>,
        /// 监听的地址；默认只有本机能访问
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// 启动后用默认浏览器打开
        #[arg(long)]
        open: bool,
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

/// The stage breakdown, with `--verbose` or when `HONGGUANJIA_TIMINGS` is set (the
/// benchmark sets it).
fn print_timings(printer: &Printer, timings: &pipeline::Timings) {
    let wanted = printer.verbosity() == Verbosity::Verbose
        || std::env::var_os("HONGGUANJIA_TIMINGS").is_some();
    if wanted {
        for (stage, seconds, peak) in &timings.stages {
            match peak {
                Some(mib) => complain!("阶段 {stage}: {seconds:.2}s（内存峰值 {mib} MiB）"),
                None => complain!("阶段 {stage}: {seconds:.2}s"),
            }
        }
    }
}

fn fail(printer: &Printer, err: BuildError) -> ExitCode {
    printer.build_error(&err);
    ExitCode::from(1)
}

/// `hongguanjia serve`: runs until Ctrl-C.
fn serve(printer: &Printer, options: hongguanjia::serve::Options) -> ExitCode {
    match hongguanjia::serve::run(options, printer.clone()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            printer.error_line(&message);
            ExitCode::from(1)
        }
    }
}

/// `check --format json`: every diagnostic, warnings too, whatever the verbosity, for a
/// tool to read.
fn check_json(root: &std::path::Path) -> ExitCode {
    let (diags, ok) = match pipeline::check(root) {
        Ok(prepared) => (prepared.diags.sorted(), true),
        Err(err) => (report::build_error_diagnostics(&err), false),
    };
    for d in &diags {
        say!("{}", report::json_line(d));
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    let (Command::Build { root, .. } | Command::Check { root, .. } | Command::Serve { root, .. }) =
        &cli.command;
    let printer = Printer::new(root, verbosity);
    let quiet = verbosity == Verbosity::Quiet;
    match cli.command {
        Command::Build {
            root,
            output,
            force,
        } => match pipeline::build(&root, output.as_deref(), force) {
            Ok(report) => {
                printer.diagnostics(&report.warnings.sorted());
                print_timings(&printer, &report.timings);
                if quiet {
                    return ExitCode::SUCCESS;
                }
                say!(
                    "已生成 {} 个页面（共 {} 个文件），用时 {:.2} 秒，输出到 {}",
                    report.pages,
                    report.files,
                    report.seconds,
                    report.output.display()
                );
                ExitCode::SUCCESS
            }
            Err(err) => fail(&printer, err),
        },
        Command::Check {
            root,
            format: Format::Json,
        } => check_json(&root),
        Command::Serve {
            root,
            port,
            bind,
            open,
        } => serve(
            &printer,
            hongguanjia::serve::Options {
                root,
                bind,
                port,
                open,
            },
        ),
        Command::Check { root, .. } => match pipeline::check(&root) {
            Ok(prepared) => {
                printer.diagnostics(&prepared.diags.sorted());
                print_timings(&printer, &prepared.timings);
                if quiet {
                    return ExitCode::SUCCESS;
                }
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
            Err(err) => fail(&printer, err),
        },
    }
}
