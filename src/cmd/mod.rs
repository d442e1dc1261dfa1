//! What every command shares: the Chinese help layout, the global `--quiet`/`--verbose`
//! and how a failed run is told (through [`report::Printer`], whose
//! [`report::error_summary`] closes each kind of failure). Each command is a file of its own.

use std::io::Write;
use std::process::ExitCode;

use clap::ArgAction;
use clap::error::{ContextKind, ContextValue, ErrorKind};

use hongguanjia::pipeline::BuildError;
use hongguanjia::report::{Printer, Verbosity};
use hongguanjia::timings::Timings;

pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod init;
pub(crate) mod new;
pub(crate) mod print;
pub(crate) mod serve;

/// `hongguanjia --help`, with clap's English headings replaced.
pub(crate) const MAIN_HELP: &str = "\
{about-with-newline}
用法：{usage}

命令：
{subcommands}

选项：
{options}{after-help}";

/// `hongguanjia <命令> --help`.
pub(crate) const COMMAND_HELP: &str = "\
{about-with-newline}
用法：{usage}

选项：
{options}{after-help}";

/// `hongguanjia <命令> --help` for a command that takes arguments of its own.
pub(crate) const COMMAND_WITH_ARGS_HELP: &str = "\
{about-with-newline}
用法：{usage}

参数：
{positionals}

选项：
{options}{after-help}";

/// `-h` and `-V` with Chinese help text, in place of clap's own flags.
#[derive(clap::Args)]
pub(crate) struct HelpFlags {
    /// 显示帮助
    #[arg(short = 'h', long = "help", action = ArgAction::Help, global = true)]
    help: Option<bool>,
    /// 显示版本
    #[arg(short = 'V', long = "version", action = ArgAction::Version)]
    version: Option<bool>,
}

/// `-q` and `-v`, given before or after the command.
#[derive(clap::Args)]
pub(crate) struct Loudness {
    /// 只显示错误
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// 另外显示改动的文件、各阶段用时和数量
    #[arg(short, long, global = true)]
    verbose: bool,
}

impl Loudness {
    pub(crate) fn verbosity(&self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (_, true) => Verbosity::Verbose,
            _ => Verbosity::Normal,
        }
    }
}

/// `--root`, the site folder every command but `init` works on.
#[derive(clap::Args)]
pub(crate) struct SiteRoot {
    /// 站点目录（含 site.toml 和 content/），默认是当前目录
    #[arg(
        long,
        default_value = ".",
        hide_default_value = true,
        value_name = "目录"
    )]
    pub(crate) root: std::path::PathBuf,
}

/// `-h` for a subcommand, which has no version of its own.
#[derive(clap::Args)]
pub(crate) struct CommandHelp {
    /// 显示帮助
    #[arg(short = 'h', long = "help", action = ArgAction::Help)]
    help: Option<bool>,
}

/// Prints to stdout; a closed pipe (`| head`) is not a reason to panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
pub(crate) use say;

/// Prints to stderr, likewise.
macro_rules! complain {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use complain;

/// The stage breakdown, with `--verbose` or when `HONGGUANJIA_TIMINGS` is set (the
/// benchmark sets it).
pub(crate) fn print_timings(printer: &Printer, timings: &Timings) {
    let wanted = printer.verbosity() == Verbosity::Verbose
        || std::env::var_os("HONGGUANJIA_TIMINGS").is_some();
    if wanted {
        for (stage, seconds, peak) in &timings.stages {
            match peak {
                Some(mib) => complain!("阶段 {stage}: {seconds:.2}s（内存峰值 {mib} MiB）"),
                None => complain!("阶段 {stage}: {seconds:.2}s"),
            }
        }
        for (kind, files, bytes) in timings.outputs_by_size() {
            let average = bytes / files.max(1) as u64;
            complain!("输出 {kind}: {files} 个文件，{bytes} 字节（平均每个 {average} 字节）");
        }
    }
}

/// Prints why a run stopped and what it means for the output.
pub(crate) fn fail(printer: &Printer, err: &BuildError) -> ExitCode {
    printer.build_error(err);
    ExitCode::from(1)
}

/// What an option whose value failed to parse takes, by its name as clap shows it
/// (`--port <端口>`).
fn value_hint(arg: &str) -> &'static str {
    let name = arg.split_whitespace().next().unwrap_or(arg);
    match name {
        "--port" => "端口应为 1 到 65535 之间的整数，如 --port 8080",
        "--bind" => {
            "应为本机的 IP 地址，如 127.0.0.1（只有本机能访问）或 0.0.0.0（同一网络的电脑和手机也能访问）"
        }
        _ => "这个选项该写什么，见 hongguanjia <命令> --help",
    }
}

/// A command line clap could not make sense of, said in Chinese; `--help` and
/// `--version` are printed as clap renders them.
pub(crate) fn usage_error(err: clap::Error) -> ExitCode {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    let context = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        _ => String::new(),
    };
    let arg = context(ContextKind::InvalidArg);
    let value = context(ContextKind::InvalidValue);
    let message = match err.kind() {
        ErrorKind::InvalidSubcommand => {
            format!("没有“{}”这个命令", context(ContextKind::InvalidSubcommand))
        }
        ErrorKind::UnknownArgument => format!("不认识的参数“{arg}”"),
        ErrorKind::MissingRequiredArgument => format!("缺少必填的选项：{arg}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "请给出一个命令：init（新建站点）、new（新建简报或页面）、build（生成网站）、check（只检查记录）、serve（在本机预览）或 print（生成内部打印材料）".to_string()
        }
        ErrorKind::InvalidValue if value.is_empty() => format!("选项 {arg} 需要一个值"),
        ErrorKind::InvalidValue => {
            let valid = context(ContextKind::ValidValue);
            if valid.is_empty() {
                format!("选项 {arg} 的值“{value}”无效")
            } else {
                format!("选项 {arg} 的值“{value}”无效，可以写：{valid}")
            }
        }
        // A value clap's parser refused (`--port abc`): what the option takes instead.
        ErrorKind::ValueValidation => {
            format!("选项 {arg} 的值“{value}”无效：{}", value_hint(&arg))
        }
        ErrorKind::ArgumentConflict => format!("选项 {arg} 不能与其他选项同时使用"),
        ErrorKind::TooManyValues => format!("选项 {arg} 后面不能跟值“{value}”"),
        _ => {
            // Anything rarer: clap's own words, which still name the argument.
            err.render().to_string().trim().to_string()
        }
    };
    complain!("错误：{message}");
    let suggested = context(ContextKind::SuggestedSubcommand);
    if !suggested.is_empty() {
        complain!("是不是 {suggested}？");
    }
    let suggested = context(ContextKind::SuggestedArg);
    if !suggested.is_empty() {
        complain!("是不是 {suggested}？");
    }
    complain!("用法见 hongguanjia --help");
    ExitCode::from(2)
}
