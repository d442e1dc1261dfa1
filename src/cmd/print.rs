//! `hongguanjia print`: the internal print kit, never into the public site.

use std::path::PathBuf;
use std::process::ExitCode;

use hongguanjia::print::{self, PrintError};
use hongguanjia::report::{Printer, Verbosity};

use super::{fail, print_timings};

/// 生成内部打印材料：公示牌、联户卡、红管家日志、感谢信和简报（默认输出到 <站点目录>/print）
#[derive(clap::Args)]
#[command(
    help_template = super::COMMAND_HELP,
    disable_help_flag = true,
    override_usage = "hongguanjia print [选项]"
)]
pub(crate) struct Args {
    #[command(flatten)]
    site: super::SiteRoot,
    /// 输出目录，默认是站点目录下的 print/；不能是公开网站的输出目录或在其中
    #[arg(long, value_name = "目录")]
    output: Option<PathBuf>,
    /// 同时用已安装的 Chromium / Chrome / Edge 把每份材料打印成 PDF
    #[arg(long)]
    pdf: bool,
    /// 即使输出目录里有不是 hongguanjia 生成的文件，也整体替换
    #[arg(long)]
    force: bool,
    /// 只生成一个社区的公示牌、联户卡、日志和流程图（写社区编号或名称），默认输出到 <站点目录>/print-<社区编号>/
    #[arg(long, value_name = "社区")]
    community: Option<String>,
    #[command(flatten)]
    help: super::CommandHelp,
}

pub(crate) fn run(args: Args, verbosity: Verbosity) -> ExitCode {
    let printer = Printer::new(&args.site.root, verbosity);

    let stop = |diags: &hongguanjia::diagnostics::Diagnostics, closing: String| {
        printer.diagnostics(&diags.sorted());
        printer.error_line(&closing);
        ExitCode::from(1)
    };
    let options = print::KitOptions {
        pdf: args.pdf,
        force: args.force,
        community: args.community.clone(),
    };
    let report = match print::print(&args.site.root, args.output.as_deref(), &options) {
        Ok(report) => report,
        Err(PrintError::Build(err)) => return fail(&printer, &err),
        Err(PrintError::Leak(diags)) => {
            return stop(
                &diags,
                format!(
                    "打印材料里有 {} 处不应出现的内容（居民的信息，或公示牌、联户卡以外的红管家电话、不同意公示的红管家电话），请检查这些内容的来源（站点自己的模板、简报正文）。未写入任何文件，原有的输出保持不变。",
                    diags.error_count()
                ),
            );
        }
        Err(PrintError::Output(diags)) => return stop(&diags, "未写入任何文件。".to_string()),
        Err(PrintError::Pdf(diags)) => {
            return stop(
                &diags,
                "未能生成 PDF，未写入任何文件，原有的输出保持不变。".to_string(),
            );
        }
    };
    printer.diagnostics(&report.warnings.sorted());
    print_timings(&printer, &report.timings);
    for g in &report.groups {
        printer.info(&format!(
            "{}：{} 份，{} 个文件",
            g.title,
            g.items,
            g.files.len()
        ));
    }
    if let Some(p) = &report.pdf {
        printer.info(&format!(
            "PDF：{} 个，用时 {:.1} 秒（同时运行 {} 个浏览器）",
            p.pdfs, p.seconds, p.workers
        ));
        printer.info(&format!("浏览器：{}", p.browser));
        printer.info(&format!("中文字体：{}", p.font));
        if let Some(first) = p.type3.first() {
            printer.warning_line(&format!(
                "警告：{} 等 {} 个 PDF 里有文字被画成了轮廓（Type 3 字体），文件大、不便检索，印刷也不够清晰。原因是本机只有 CFF 格式的中文字体（如 Noto CJK），浏览器无法把它嵌入 PDF。请安装 TrueType 中文字体后重新生成：Debian、Ubuntu、统信 UOS、银河麒麟用 sudo apt-get install fonts-arphic-uming fonts-wqy-zenhei；Windows 自带的仿宋、黑体、宋体就是 TrueType。详见 docs/print.md 的“字体”一节",
                first,
                p.type3.len()
            ));
        }
    }
    printer.info(&format!(
        "已生成内部打印材料（共 {} 个文件），用时 {:.2} 秒，输出到 {}。这些材料含红管家联系电话，请勿放到公开网站上。",
        report.files,
        report.seconds,
        report.output.display()
    ));
    ExitCode::SUCCESS
}
