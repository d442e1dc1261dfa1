//! `hongguanjia build`: check the records and write the site.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use hongguanjia::pipeline;
use hongguanjia::report::{Printer, Verbosity};

use super::{fail, print_timings, say};

/// 检查记录并生成网站（默认输出到 <站点目录>/public）
#[derive(clap::Args)]
#[command(
    help_template = super::COMMAND_HELP,
    disable_help_flag = true,
    override_usage = "hongguanjia build [选项]"
)]
pub(crate) struct Args {
    #[command(flatten)]
    site: super::SiteRoot,
    /// 输出目录，默认是站点目录下的 public/
    #[arg(long, value_name = "目录")]
    output: Option<PathBuf>,
    /// 即使输出目录里有不是 hongguanjia 生成的文件，也整体替换
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    help: super::CommandHelp,
}

pub(crate) fn run(args: Args, verbosity: Verbosity) -> ExitCode {
    let printer = Printer::new(&args.site.root, verbosity);
    let output = args.output.unwrap_or_else(|| args.site.root.join("public"));
    match pipeline::build(&args.site.root, &output, args.force) {
        Ok(mut report) => {
            report.diags.extend(report.source.base_url_warning());
            printer.diagnostics(&report.diags.sorted());
            print_timings(&printer, &report.timings);
            if verbosity == Verbosity::Quiet {
                return ExitCode::SUCCESS;
            }
            let w = &report.written;
            let removed = if w.removed.is_empty() {
                String::new()
            } else {
                format!("，删除 {} 个", w.removed.len())
            };
            say!(
                "已生成 {} 个页面（共 {} 个文件）：写入 {} 个文件，{} 个未变{removed}，用时 {:.2} 秒，输出到 {}",
                report.pages,
                report.files,
                w.written.len(),
                w.unchanged,
                report.seconds,
                output.display()
            );
            printer.detail(&format!(
                "渲染了 {} 个文件，{} 个沿用上一次的（数据没变，没有渲染）",
                report.made, report.kept
            ));
            list_changes(&printer, w);
            ExitCode::SUCCESS
        }
        Err(err) => fail(&printer, &err),
    }
}

/// How many changed paths `-v` lists, each kind.
const LISTED: usize = 50;

/// With `-v`: which files were written and removed, the first [`LISTED`] of each.
fn list_changes(printer: &Printer, written: &hongguanjia::write::Written) {
    for (label, paths) in [("写入", &written.written), ("删除", &written.removed)] {
        for path in paths.iter().take(LISTED) {
            printer.detail(&format!("  {label} {path}"));
        }
        if paths.len() > LISTED {
            printer.detail(&format!(
                "  ……另有 {} 个{label}的文件",
                paths.len() - LISTED
            ));
        }
    }
}
