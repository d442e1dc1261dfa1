//! `hongguanjia check`: everything `build` does but writing, and what was found; with
//! `--format json`, every diagnostic as one JSON line for editors and CI.

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;

use hongguanjia::pipeline;
use hongguanjia::report::{self, Printer, Verbosity};
use hongguanjia::site::Source;

use super::{fail, print_timings, say};

/// 只检查记录，不写任何文件，并列出找到的记录数
#[derive(clap::Args)]
#[command(
    help_template = super::COMMAND_HELP,
    disable_help_flag = true,
    override_usage = "hongguanjia check [选项]"
)]
pub(crate) struct Args {
    #[command(flatten)]
    site: super::SiteRoot,
    /// 输出格式：text（供人阅读）或 json（每行一个 JSON 对象，供编辑器和 CI 使用）
    #[arg(
        long,
        value_enum,
        default_value = "text",
        hide_default_value = true,
        hide_possible_values = true,
        value_name = "格式"
    )]
    format: Format,
    #[command(flatten)]
    help: super::CommandHelp,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// 供人阅读；在终端里带颜色并显示出错的原文行
    Text,
    /// 每行一个 JSON 对象（path、line、column、severity、message）
    Json,
}

pub(crate) fn run(args: Args, verbosity: Verbosity) -> ExitCode {
    if args.format == Format::Json {
        return json(&args.site.root);
    }
    let printer = Printer::new(&args.site.root, verbosity);
    match pipeline::check(&args.site.root) {
        Ok(prepared) => {
            printer.diagnostics(&prepared.diags.sorted());
            print_timings(&printer, &prepared.timings);
            if verbosity == Verbosity::Quiet {
                return ExitCode::SUCCESS;
            }
            match &prepared.source {
                Source::Site(site) => {
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
                }
                Source::Rollup(rollup) => {
                    say!("检查通过：汇总站点，成员 {} 个。", rollup.member_count());
                }
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
        Err(err) => fail(&printer, &err),
    }
}

/// Every diagnostic, warnings too, whatever the verbosity, for a tool to read: template,
/// leak and disk problems are diagnostics like the records' own.
fn json(root: &std::path::Path) -> ExitCode {
    let (diags, code) = match pipeline::check(root) {
        Ok(prepared) => (prepared.diags.sorted(), ExitCode::SUCCESS),
        Err(err) => (report::problems(&err).sorted(), ExitCode::from(1)),
    };
    for d in &diags {
        say!("{}", report::json_line(d));
    }
    code
}
