//! `hongguanjia new bulletin` and `new page`: the site's next document, written from the
//! site's own.

use std::io::Write;
use std::process::ExitCode;

use hongguanjia::diagnostics::Diagnostic;
use hongguanjia::parse::parse_date;
use hongguanjia::report::{Printer, Verbosity};
use hongguanjia::scaffold;

use super::{complain, say};

/// 新建一期简报或一个页面
#[derive(clap::Args)]
#[command(
    help_template = super::MAIN_HELP,
    disable_help_flag = true,
    override_usage = "hongguanjia new <bulletin|page> [选项]",
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令"
)]
pub(crate) struct Args {
    #[command(subcommand)]
    what: Option<What>,
    #[command(flatten)]
    help: super::CommandHelp,
}

#[derive(clap::Subcommand)]
enum What {
    Bulletin(BulletinArgs),
    Page(PageArgs),
}

/// 按最近一期简报续编下一期：期号、总期号加一，日期为今天，报送、分送单位照旧
#[derive(clap::Args)]
#[command(
    help_template = super::COMMAND_HELP,
    disable_help_flag = true,
    override_usage = "hongguanjia new bulletin [选项]"
)]
struct BulletinArgs {
    #[command(flatten)]
    site: super::SiteRoot,
    /// 简报日期，如 2024-05-20（不写为今天）
    #[arg(long, value_name = "日期")]
    date: Option<String>,
    #[command(flatten)]
    help: super::CommandHelp,
}

/// 新建一个页面 content/pages/<网址名>.md
#[derive(clap::Args)]
#[command(
    help_template = super::COMMAND_WITH_ARGS_HELP,
    disable_help_flag = true,
    override_usage = "hongguanjia new page <标题> [选项]"
)]
struct PageArgs {
    /// 页面标题
    #[arg(value_name = "标题")]
    title: String,
    /// 网址名：小写英文字母、数字、连字符（不写时为 page-1、page-2……）
    #[arg(long, value_name = "网址名")]
    slug: Option<String>,
    #[command(flatten)]
    site: super::SiteRoot,
    #[command(flatten)]
    help: super::CommandHelp,
}

pub(crate) fn run(args: Args, verbosity: Verbosity) -> ExitCode {
    match args.what {
        Some(What::Bulletin(args)) => {
            let printer = Printer::new(&args.site.root, verbosity);
            bulletin(args, &printer)
        }
        Some(What::Page(args)) => {
            let printer = Printer::new(&args.site.root, verbosity);
            page(args, &printer)
        }
        None => {
            complain!("错误：请给出要新建的内容：bulletin（下一期简报）或 page（页面）");
            complain!("用法见 hongguanjia new --help");
            ExitCode::from(2)
        }
    }
}

fn failed(printer: &Printer, problem: Diagnostic) -> ExitCode {
    printer.diagnostics(&[problem]);
    ExitCode::from(1)
}

fn bulletin(args: BulletinArgs, printer: &Printer) -> ExitCode {
    let today = match args.date.as_deref() {
        None => scaffold::today(),
        Some(text) => match parse_date(text) {
            Some(d) => d,
            None => {
                return failed(
                    printer,
                    Diagnostic::error(
                        "--date",
                        0,
                        format!(
                            "\"{text}\" 不是有效日期（可写作 2024-05-20、2024/5/20 或 2024年5月20日）"
                        ),
                    ),
                );
            }
        },
    };
    match scaffold::new_bulletin(&args.site.root, today) {
        Ok(_) if printer.verbosity() == Verbosity::Quiet => ExitCode::SUCCESS,
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
        Err(problem) => failed(printer, problem),
    }
}

fn page(args: PageArgs, printer: &Printer) -> ExitCode {
    match scaffold::new_page(&args.site.root, &args.title, args.slug.as_deref()) {
        Ok(_) if printer.verbosity() == Verbosity::Quiet => ExitCode::SUCCESS,
        Ok(path) => {
            say!("已新建 {path}，请编写正文。");
            ExitCode::SUCCESS
        }
        Err(problem) => failed(printer, problem),
    }
}
