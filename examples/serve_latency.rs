//! How long `hongguanjia serve` takes from saving a file to telling open pages to reload.
//!
//! Copies a site (its `site.toml`, `content/` and any `templates/`, `themes/`, `static/`)
//! to a temporary folder, starts `hongguanjia serve` on it, listens to the reload events
//! that every preview page listens to, then edits one file several times: a CSV's first
//! record gets one more character in its second column (a steward's name in
//! `stewards.csv`), any other file one more line. Each time it measures from just before
//! the write to the reload event, then fetches what a reloading browser asks for first:
//! the home page and, for `stewards.csv`, the edited steward's page (the preview renders a
//! page only when it is asked for, so the reload event alone would leave that out). It
//! checks that the rebuild succeeded (no error overlay), and at the end prints
//! `serve_reload_ms=NN` (the median, from the write to the last page received) for the
//! benchmark script, `serve_event_ms=NN` (to the reload event only), and on Linux
//! `serve_rebuild_cpu_ms=NN`: the server's processor time per rebuild and those pages
//! (median; 10 ms steps), which a busy machine does not inflate.
//!
//! ```text
//! cargo build --release
//! cargo run --release --example serve_latency -- --root . --edit content/stewards.csv
//! cargo run --release --example serve_latency -- --root /work/bench-data/city \
//!     --edit content/stewards.csv --times 3
//! ```
//!
//! `--bin` names the `hongguanjia` to run (default: `target/release/hongguanjia`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Options {
    root: PathBuf,
    edit: String,
    times: usize,
    bin: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut root = None;
    let mut edit = "content/stewards.csv".to_string();
    let mut times = 5;
    let mut bin = PathBuf::from("target/release/hongguanjia");
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} 后面缺少值"));
        match arg.as_str() {
            "--root" => root = Some(PathBuf::from(value()?)),
            "--edit" => edit = value()?,
            "--times" => times = value()?.parse().map_err(|_| "--times 要写整数")?,
            "--bin" => bin = PathBuf::from(value()?),
            other => return Err(format!("不认识的参数 {other}")),
        }
    }
    Ok(Options {
        root: root.ok_or("请用 --root 指定站点文件夹")?,
        edit,
        times: times.max(1),
        bin,
    })
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The site's sources, copied: the copy is edited, never the original.
fn copy_site(root: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::copy(root.join("site.toml"), to.join("site.toml"))?;
    for dir in ["content", "templates", "themes", "static"] {
        if root.join(dir).is_dir() {
            copy_tree(&root.join(dir), &to.join(dir))?;
        }
    }
    Ok(())
}

/// One more character in the second column of the first record, or one more line.
fn edit(path: &Path, round: usize) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let is_csv = path.extension().is_some_and(|e| e == "csv");
    let new = match text.split_once('\n') {
        Some((header, rest)) if is_csv => {
            let (first, others) = rest.split_once('\n').unwrap_or((rest, ""));
            let mut fields: Vec<String> = first.split(',').map(str::to_string).collect();
            if fields.len() > 1 {
                fields[1].push(['甲', '乙', '丙', '丁'][round % 4]);
            }
            format!("{header}\n{}\n{others}", fields.join(","))
        }
        _ => format!("{text}\n"),
    };
    // Saved as Excel, WPS and most editors save: a new file renamed over the old one, so
    // the server never reads half a file.
    let tmp = PathBuf::from(format!("{}.tmp", path.display()));
    std::fs::write(&tmp, new)?;
    std::fs::rename(&tmp, path)
}

/// Reads the reload events of the preview at `port`: each event's data is the build's
/// version, sent once on connecting and again after every build.
fn listen(port: u16) -> std::io::Result<mpsc::Receiver<String>> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    write!(
        stream,
        "GET /__hongguanjia/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut seen = String::new();
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                return;
            }
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            while let Some(start) = seen.find("data:") {
                let Some(len) = seen[start..].find('\n') else {
                    break;
                };
                let version = seen[start + 5..start + len].trim().to_string();
                seen.drain(..start + len);
                if tx.send(version).is_err() {
                    return;
                }
            }
        }
    });
    Ok(rx)
}

/// A page as served, with the status line and headers, to see whether it came and
/// whether the last build failed (it shows an overlay).
fn fetch(port: u16, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

/// What a reloading browser asks for first: the home page, and the edited steward's page
/// (`stewards/<id>.html`, the id being the first column) when the edit is a steward's.
fn pages_to_fetch(edited: &Path) -> Vec<String> {
    let mut pages = vec!["/".to_string()];
    if edited.file_name().is_some_and(|n| n == "stewards.csv")
        && let Ok(text) = std::fs::read_to_string(edited)
        && let Some(first) = text.lines().nth(1)
        && let Some(id) = first.split(',').next()
    {
        pages.push(format!("/stewards/{id}.html"));
    }
    pages
}

/// The processor time a process has used so far, user and system, in milliseconds.
fn cpu_ms(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it do not.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Clock ticks are 100 per second on Linux.
    Some(ticks * 10)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() -> Result<(), String> {
    let o = options()?;
    let copy = tempfile::Builder::new()
        .prefix("hgj-serve-latency-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    copy_site(&o.root, copy.path()).map_err(|e| format!("无法复制站点：{e}"))?;
    let edited = copy.path().join(&o.edit);
    if !edited.is_file() {
        return Err(format!("站点里没有 {}", o.edit));
    }

    let started = Instant::now();
    let mut child = Command::new(&o.bin)
        .args(["serve", "--port", "0", "--root"])
        .arg(copy.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("无法启动 {}：{e}", o.bin.display()))?;
    let stdout = child.stdout.take().ok_or("没有标准输出")?;
    let server = Server(child);
    let mut port = None;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            port = digits.parse().ok();
            break;
        }
    }
    let port: u16 = port.ok_or("预览服务没有给出地址")?;
    println!("first_build_s={:.2}", started.elapsed().as_secs_f64());

    let events = listen(port).map_err(|e| e.to_string())?;
    let mut version = events
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| "没有收到第一个刷新事件")?;
    let pages = pages_to_fetch(&edited);
    println!("pages_fetched={}", pages.join(" "));
    let mut times = Vec::new();
    let mut events_ms = Vec::new();
    let mut cpus = Vec::new();
    for round in 0..o.times {
        // Quiet first, so that one edit is one rebuild.
        std::thread::sleep(Duration::from_millis(300));
        let cpu = cpu_ms(server.0.id());
        let t = Instant::now();
        edit(&edited, round).map_err(|e| e.to_string())?;
        let next = events
            .recv_timeout(Duration::from_secs(120))
            .map_err(|_| "两分钟内没有收到刷新事件")?;
        let event_ms = t.elapsed().as_secs_f64() * 1000.0;
        if next == version {
            return Err("刷新事件的版本没变".to_string());
        }
        version = next;
        for page in &pages {
            let reply = fetch(port, page).map_err(|e| e.to_string())?;
            if !reply.starts_with("HTTP/1.1 200") {
                let status = reply.lines().next().unwrap_or_default();
                return Err(format!("{page} 没有正常返回：{status}"));
            }
            if reply.contains("__hongguanjia-overlay") {
                return Err(format!("重新生成失败（{page} 上显示了错误）"));
            }
        }
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let used = cpu.zip(cpu_ms(server.0.id())).map(|(a, b)| b - a);
        match used {
            Some(c) => println!(
                "round {} reload_ms={ms:.0} event_ms={event_ms:.0} cpu_ms={c}",
                round + 1
            ),
            None => println!(
                "round {} reload_ms={ms:.0} event_ms={event_ms:.0}",
                round + 1
            ),
        }
        times.push(ms);
        events_ms.push(event_ms);
        cpus.extend(used);
    }
    drop(server);
    times.sort_by(f64::total_cmp);
    events_ms.sort_by(f64::total_cmp);
    println!("serve_event_ms={:.0}", events_ms[events_ms.len() / 2]);
    println!("serve_reload_ms={:.0}", times[times.len() / 2]);
    if !cpus.is_empty() {
        cpus.sort_unstable();
        println!("serve_rebuild_cpu_ms={}", cpus[cpus.len() / 2]);
    }
    Ok(())
}
