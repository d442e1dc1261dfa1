//! `hongguanjia serve`: the live preview, until Ctrl-C.

use std::net::IpAddr;
use std::process::ExitCode;

use hongguanjia::report::{Printer, Verbosity};
use hongguanjia::serve;

/// 在本机预览网站：生成到内存（不写 public/），文件保存后自动重新生成并刷新页面
#[derive(clap::Args)]
#[command(
    help_template = super::COMMAND_HELP,
    disable_help_flag = true,
    override_usage = "hongguanjia serve [选项]"
)]
pub(crate) struct Args {
    #[command(flatten)]
    site: super::SiteRoot,
    /// 端口；不写时用 1111，被占用则依次试后面的端口
    #[arg(long, value_name = "端口")]
    port: Option<u16>,
    /// 监听的地址，默认 127.0.0.1（只有本机能访问）
    #[arg(
        long,
        default_value = "127.0.0.1",
        hide_default_value = true,
        value_name = "地址"
    )]
    bind: IpAddr,
    /// 启动后用默认浏览器打开
    #[arg(long)]
    open: bool,
    #[command(flatten)]
    help: super::CommandHelp,
}

pub(crate) fn run(args: Args, verbosity: Verbosity) -> ExitCode {
    let printer = Printer::new(&args.site.root, verbosity);
    let options = serve::Options {
        root: args.site.root,
        bind: args.bind,
        port: args.port,
        open: args.open,
    };
    match serve::run(options, printer.clone()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            printer.error_line(&message);
            ExitCode::from(1)
        }
    }
}
