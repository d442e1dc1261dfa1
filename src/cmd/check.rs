//! `hongguanjia check`: everything `build` does but writing, and what was found.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use hongguanjia::pipeline;

use super::{fail, print_diagnostics, say};

/// 只检查记录，不写任何文件，并列出找到的记录数
#[derive(clap::Args)]
#[command(
    help_template = super::COMMAND_HELP,
    disable_help_flag = true,
    override_usage = "hongguanjia check [选项]"
)]
pub(crate) struct Args {
    /// 站点目录（含 site.toml 和 content/），默认是当前目录
    #[arg(
        long,
        default_value = ".",
        hide_default_value = true,
        value_name = "目录"
    )]
    root: PathBuf,
    #[command(flatten)]
    help: super::CommandHelp,
}

pub(crate) fn run(args: Args) -> ExitCode {
    match pipeline::check(&args.root) {
        Ok(prepared) => {
            print_diagnostics(&prepared.diags);
            let site = &prepared.site;
            let counts: Vec<String> = site
                .records_read()
                .iter()
                .map(|(kind, n)| format!("{kind} {n}"))
                .collect();
            say!("检查通过：{}。", counts.join("，"));
            if site.commendation_batches() > 0 {
                say!(
                    "表彰批次 {}，受表彰红管家 {} 名。",
                    site.commendation_batches(),
                    site.commended()
                );
            }
            say!(
                "可生成 {} 个页面（共 {} 个文件）；本次检查未写入任何文件。",
                prepared.pages,
                prepared.files
            );
            if prepared.diags.warning_count() > 0 {
                say!("另有 {} 个警告，见上。", prepared.diags.warning_count());
            }
            ExitCode::SUCCESS
        }
        Err(err) => fail(err),
    }
}
