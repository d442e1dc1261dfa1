//! The `hongguanjia` command: one file per subcommand under `cmd/`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Records are read, checked and rendered on every core, and what one thread allocates
/// (a case, a private value) is kept and freed by another: glibc's per-thread arenas keep
/// such memory apart and the peak grows with the cores. mimalloc does not, and is faster
/// at the millions of small strings a city's records are.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cmd;

/// 红管家：把楼道“红管家”的工作记录生成公开的统计报告网站。
#[derive(Parser)]
#[command(
    name = "hongguanjia",
    version,
    about,
    long_about = None,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    override_usage = "hongguanjia <命令> [选项]",
    help_template = cmd::MAIN_HELP,
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令",
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    flags: cmd::HelpFlags,
    #[command(flatten)]
    loudness: cmd::Loudness,
}

#[derive(Subcommand)]
enum Command {
    Init(cmd::init::Args),
    New(cmd::new::Args),
    Build(cmd::build::Args),
    Check(cmd::check::Args),
    Serve(cmd::serve::Args),
    Print(cmd::print::Args),
}

fn main() -> ExitCode {
    // No transparent huge pages for this process. mimalloc asks for them, and when memory
    // is fragmented (after a large output was deleted, say) the kernel compacts and zeroes
    // 2 MiB at each fault: a 10,000-page build measured 0.4 s one run and 2.7 s, nearly all
    // system time, the next; without them every run took 0.4–0.6 s. A refusal only
    // means the old behaviour.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    // `hongguanjia help [命令]` as other tools have it: the same as `--help`.
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "help") {
        args.remove(1);
        args.push("--help".into());
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => return cmd::usage_error(err),
    };
    let verbosity = cli.loudness.verbosity();
    match cli.command {
        Command::Init(args) => cmd::init::run(args, verbosity),
        Command::New(args) => cmd::new::run(args, verbosity),
        Command::Build(args) => cmd::build::run(args, verbosity),
        Command::Check(args) => cmd::check::run(args, verbosity),
        Command::Serve(args) => cmd::serve::run(args, verbosity),
        Command::Print(args) => cmd::print::run(args, verbosity),
    }
}
