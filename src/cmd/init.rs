//! `hongguanjia init`: a new site, ready to build and to fill in.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use hongguanjia::report::{Printer, Verbosity};
use hongguanjia::scaffold;

use super::say;

/// 新建一个站点：站点设置、红管家台账工作簿（每类记录一个工作表）和示例简报、页面
#[derive(clap::Args)]
#[command(
    help_template = super::COMMAND_WITH_ARGS_HELP,
    disable_help_flag = true,
    override_usage = "hongguanjia init [文件夹] [选项]"
)]
pub(crate) struct Args {
    /// 新站点的文件夹（不存在时新建；必须是空的），默认是当前目录
    #[arg(default_value = ".", hide_default_value = true, value_name = "文件夹")]
    dir: PathBuf,
    /// 用 CSV 文件（UTF-8，带 BOM）代替工作簿
    #[arg(long)]
    csv: bool,
    #[command(flatten)]
    help: super::CommandHelp,
}

pub(crate) fn run(args: Args, verbosity: Verbosity) -> ExitCode {
    let printer = Printer::new(&args.dir, verbosity);
    match scaffold::init(&args.dir, args.csv, scaffold::today()) {
        Ok(_) if verbosity == Verbosity::Quiet => ExitCode::SUCCESS,
        Ok(created) => {
            say!("已在 {} 新建站点：", args.dir.display());
            for f in &created.files {
                say!("  {f}");
            }
            let records = if args.csv {
                "content/ 里的 CSV 文件"
            } else {
                scaffold::WORKBOOK
            };
            say!("下一步：用 Excel 或 WPS 打开 {records}，把示例行改成实际记录；");
            say!("然后在站点文件夹里运行 hongguanjia serve 预览，或 hongguanjia build 生成网站。");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            printer.diagnostics(&[problem]);
            ExitCode::from(1)
        }
    }
}
