//! `hongguanjia serve`: a live preview. The site is loaded and planned in memory (never
//! written to `public/`), served over HTTP on this machine, its pages rendered as they
//! are asked for, loaded again when a source file changes, and open pages reload
//! themselves. A failed load keeps the last good site and shows its messages on every
//! page as an overlay until the next good one.
//!
//! `site` loads a site and renders its pages, with the same checks and leak guard as
//! `build`; `watch` turns file events into loads; `http` answers the browser.

pub(crate) mod http;
pub(crate) mod site;
pub(crate) mod watch;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch as channel;

use crate::report::{self, Printer, Verbosity};

/// The port tried first when none is given; the next free ones are tried after it.
pub const DEFAULT_PORT: u16 = 1111;
/// How many ports after [`DEFAULT_PORT`] are tried before giving up.
const PORT_TRIES: u16 = 20;

/// What `serve` was asked for on the command line.
pub struct Options {
    /// The site's folder.
    pub root: PathBuf,
    /// The address to listen on; 127.0.0.1 keeps the preview to this machine.
    pub bind: IpAddr,
    /// `None`: [`DEFAULT_PORT`] or the next free one. `Some(0)`: any free port.
    pub port: Option<u16>,
    /// Whether to open the default browser at the preview's address.
    pub open: bool,
}

/// What the server answers from. Replaced whole on every build, so a request never sees
/// half of one site and half of another.
#[derive(Clone, Default)]
pub(crate) struct Snapshot {
    /// The last site that loaded without error; `None` until one has.
    pub(crate) site: Option<Arc<site::Loaded>>,
    /// The last build's messages when it failed, as printed in plain text.
    pub(crate) failure: Option<String>,
    /// Changes on every build, good or failed; pages reload when it does. Includes the
    /// server's start time so that a page left open across a restart reloads too.
    pub(crate) version: String,
    /// Set on Ctrl-C: open event streams end so that the server can stop.
    pub(crate) closing: bool,
}

/// Shared by the watcher, which publishes snapshots, and the HTTP handlers.
pub(crate) type State = Arc<channel::Sender<Snapshot>>;

impl Snapshot {
    /// Whether the last good site has a file at `key`.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.site
            .as_ref()
            .is_some_and(|s| s.slots.contains_key(key))
    }

    /// The path part of the last good site's `base_url`, so that links written for the
    /// published address (the 404 page's) also work in the preview.
    pub(crate) fn base_path(&self) -> &str {
        self.site.as_ref().map_or("", |s| s.base_path.as_str())
    }
}

/// Loads one snapshot after another from the same site.
pub(crate) struct Builder {
    root: PathBuf,
    boot: u64,
    count: u64,
    printer: Printer,
    /// The leak guard's text matcher, kept from one load to the next.
    matchers: Arc<std::sync::Mutex<crate::guard::Matchers>>,
}

impl Builder {
    /// Builds the site under `root`, reporting through `printer`.
    pub(crate) fn new(root: PathBuf, printer: Printer) -> Builder {
        let boot = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        Builder {
            root,
            boot,
            count: 0,
            printer,
            matchers: Arc::default(),
        }
    }

    /// Loads the site and makes the next snapshot from `last`: the new site when it
    /// loads without error, otherwise the last good site with the failure. Reports on the
    /// terminal either way.
    pub(crate) fn next(&mut self, last: &Snapshot) -> Snapshot {
        self.count += 1;
        let version = format!("{:x}-{}", self.boot, self.count);
        let started = Instant::now();
        match site::Loaded::start(&self.root, &self.printer, &self.matchers) {
            Ok((loaded, warnings, timings)) => {
                self.printer.diagnostics(&warnings.sorted());
                let seconds = started.elapsed().as_secs_f64();
                self.printer.info(&if loaded.on_demand {
                    format!(
                        "已检查并规划 {} 个页面（共 {} 个文件），用时 {seconds:.2} 秒；页面在浏览器打开时生成。",
                        loaded.pages,
                        loaded.slots.len(),
                    )
                } else {
                    format!(
                        "已生成 {} 个页面（共 {} 个文件），用时 {seconds:.2} 秒。",
                        loaded.pages,
                        loaded.slots.len(),
                    )
                });
                if self.printer.verbosity() == Verbosity::Verbose
                    || std::env::var_os("HONGGUANJIA_TIMINGS").is_some()
                {
                    let mut err = std::io::stderr().lock();
                    for (stage, seconds, peak) in &timings.stages {
                        let _ = match peak {
                            Some(mib) => {
                                writeln!(err, "阶段 {stage}: {seconds:.2}s（内存峰值 {mib} MiB）")
                            }
                            None => writeln!(err, "阶段 {stage}: {seconds:.2}s"),
                        };
                    }
                }
                Snapshot {
                    site: Some(Arc::new(loaded)),
                    failure: None,
                    version,
                    closing: false,
                }
            }
            Err(err) => {
                self.printer.build_error(&err);
                let kept = if last.site.is_none() {
                    "还没有成功生成过，浏览器里会显示这些错误。"
                } else {
                    "浏览器里仍是上一次成功生成的网站，并显示这些错误；改好后会自动刷新。"
                };
                self.printer.error_line(kept);
                Snapshot {
                    failure: Some(report::build_error_text(&err)),
                    version,
                    ..last.clone()
                }
            }
        }
    }
}

/// Serves the site under `options.root` until Ctrl-C.
pub fn run(options: Options, printer: Printer) -> Result<(), String> {
    let root = std::path::absolute(&options.root).unwrap_or_else(|_| options.root.clone());
    let root = root.canonicalize().unwrap_or(root);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("无法启动预览服务：{e}"))?;
    runtime.block_on(serve(root, options, printer))
}

async fn serve(root: PathBuf, options: Options, printer: Printer) -> Result<(), String> {
    let listener = bind(options.bind, options.port, &printer).await?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("无法启动预览服务：{e}"))?;

    let mut builder = Builder::new(root.clone(), printer.clone());
    let first = builder.next(&Snapshot::default());
    let (sender, _) = channel::channel(first);
    let state: State = Arc::new(sender);

    let rebuild = state.clone();
    let changes = printer.clone();
    let watched = root.clone();
    let watcher = watch::spawn(&root, move |paths| {
        for path in paths {
            let shown = path.strip_prefix(&watched).unwrap_or(path);
            changes.detail(&format!("有变化：{}", shown.display()));
        }
        let last = rebuild.borrow().clone();
        let next = builder.next(&last);
        rebuild.send_replace(next);
    })
    .map_err(|e| format!("无法监视站点文件夹 {}：{e}", root.display()))?;

    let url = format!("http://{}/", display_addr(addr));
    printer.always(&format!(
        "正在预览 {}：{url}\n修改并保存站点里的文件后，页面会自动刷新。按 Ctrl-C 退出。",
        root.display()
    ));
    if options.open {
        open_browser(&url, &printer);
    }

    let stop = Arc::new(tokio::sync::Notify::new());
    let stopped = stop.clone();
    let server = axum::serve(listener, http::router(state.clone()))
        .with_graceful_shutdown(async move { stopped.notified().await });
    let mut server = tokio::spawn(server.into_future());
    tokio::select! {
        result = &mut server => {
            drop(watcher);
            return match result {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(format!("预览服务出错：{e}")),
                Err(e) => Err(format!("预览服务出错：{e}")),
            };
        }
        _ = tokio::signal::ctrl_c() => {}
    }
    drop(watcher);
    // Open pages hold an event stream each; ending them lets the server finish.
    state.send_modify(|s| s.closing = true);
    stop.notify_one();
    if tokio::time::timeout(Duration::from_secs(3), &mut server)
        .await
        .is_err()
    {
        server.abort();
    }
    printer.always("已停止预览。");
    Ok(())
}

async fn bind(
    ip: IpAddr,
    port: Option<u16>,
    printer: &Printer,
) -> Result<tokio::net::TcpListener, String> {
    let taken = |port: u16, e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "端口 {port} 已被占用（可能已有一个预览在运行）。请换一个端口，如 --port {}，或不写 --port，由程序自己找一个空闲端口",
                port.saturating_add(1).max(1024)
            )
        } else {
            format!(
                "无法在 {} 上启动预览服务：{e}",
                display_addr(SocketAddr::new(ip, port))
            )
        }
    };
    if let Some(port) = port {
        return tokio::net::TcpListener::bind(SocketAddr::new(ip, port))
            .await
            .map_err(|e| taken(port, e));
    }
    let mut first_error = None;
    for port in DEFAULT_PORT..DEFAULT_PORT + PORT_TRIES {
        match tokio::net::TcpListener::bind(SocketAddr::new(ip, port)).await {
            Ok(listener) => {
                if port != DEFAULT_PORT {
                    printer.always(&format!("端口 {DEFAULT_PORT} 已被占用，改用端口 {port}。"));
                }
                return Ok(listener);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                first_error.get_or_insert(e);
            }
            Err(e) => return Err(taken(port, e)),
        }
    }
    Err(format!(
        "端口 {DEFAULT_PORT} 到 {} 都已被占用。请用 --port 指定一个空闲端口，如 --port 8000",
        DEFAULT_PORT + PORT_TRIES - 1
    ))
}

/// `127.0.0.1:1111`, `[::1]:1111`; an unspecified address is shown as this machine's.
fn display_addr(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(v6) if v6.is_unspecified() => "[::1]".to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
        IpAddr::V4(v4) => v4.to_string(),
    };
    format!("{ip}:{}", addr.port())
}

/// Opens `url` in the default browser. Not opening one is not a reason to stop serving.
fn open_browser(url: &str, printer: &Printer) {
    let mut command = if cfg!(target_os = "windows") {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", "", url]);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Err(e) = command.spawn() {
        printer.warning_line(&format!("无法打开浏览器（{e}），请手动打开 {url}"));
    }
    let _ = std::io::stdout().flush();
}
