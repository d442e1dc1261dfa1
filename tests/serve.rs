//! `hongguanjia serve`: the live preview, driven over real HTTP as a browser would.
//!
//! Each test runs the binary on a copy of a site, on a free port of 127.0.0.1, and talks
//! to it with plain `TcpStream`s. Waits are for events (a line printed, a version sent),
//! bounded by generous timeouts; nothing is timed. Unix only: the tests make a symlink
//! and send SIGINT.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Site;

/// Long enough for a debug build of a small site on a busy machine.
const PATIENCE: Duration = Duration::from_secs(90);

/// Several times the server's debounce: events this far apart are separate changes.
const SETTLE: Duration = Duration::from_secs(1);

/// A running `hongguanjia serve`, stopped when dropped.
struct Preview {
    child: Child,
    port: u16,
    stdout: mpsc::Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Preview {
    fn start(site: &Site) -> Preview {
        Preview::start_with(site, &[])
    }

    /// With extra arguments, such as `--verbose`.
    fn start_with(site: &Site, extra: &[&str]) -> Preview {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hongguanjia"))
            .args(["serve", "--port", "0", "--root"])
            .arg(site.root())
            .args(extra)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start hongguanjia serve");
        let (tx, stdout) = mpsc::channel();
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let err = child.stderr.take().expect("stderr");
        let log = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut log = log.lock().expect("log");
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut preview = Preview {
            child,
            port: 0,
            stdout,
            stderr,
        };
        let line = preview.line_containing("http://127.0.0.1:");
        let digits: String = line
            .split("http://127.0.0.1:")
            .nth(1)
            .expect("address")
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        preview.port = digits.parse().expect("port");
        preview
    }

    /// Waits for a line on standard output containing `text`.
    fn line_containing(&self, text: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stdout.recv_timeout(left) {
                Ok(line) if line.contains(text) => return line,
                Ok(_) => {}
                Err(_) => panic!(
                    "no line with {text:?} on standard output; standard error:\n{}",
                    self.stderr()
                ),
            }
        }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().expect("log").clone()
    }

    /// Waits until standard error contains `text`.
    fn wait_for_stderr(&self, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.stderr().contains(text) {
            assert!(
                Instant::now() < deadline,
                "standard error never said {text:?}:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A GET of `path`, sent exactly as written (no normalising of `..` or `%2e`).
    fn get(&self, path: &str) -> Reply {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .expect("send request");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read reply");
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("end of headers");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        Reply {
            status,
            head,
            body: String::from_utf8_lossy(&raw[split + 4..]).to_string(),
            bytes: raw[split + 4..].to_vec(),
        }
    }

    /// Opens the event stream pages listen on.
    fn events(&self) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
        write!(
            stream,
            "GET /__hongguanjia/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("send request");
        Events {
            stream,
            seen: String::new(),
        }
    }

    /// Sends Ctrl-C and waits for the server to stop.
    fn interrupt(&mut self) -> ExitStatus {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).expect("pid");
        rustix::process::kill_process(pid, rustix::process::Signal::INT).expect("send SIGINT");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop on Ctrl-C"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    head: String,
    body: String,
    bytes: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> String {
        self.head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
            .unwrap_or_default()
    }
}

/// The server-sent events of one open page.
struct Events {
    stream: TcpStream,
    seen: String,
}

impl Events {
    /// The next version the server announces (the first is the current one).
    fn next(&mut self) -> String {
        loop {
            if let Some(at) = self.seen.find("data: ") {
                let rest = &self.seen[at + 6..];
                if let Some(end) = rest.find('\n') {
                    let version = rest[..end].trim().to_string();
                    self.seen = rest[end..].to_string();
                    return version;
                }
            }
            let mut buf = [0u8; 4096];
            let n = self.stream.read(&mut buf).expect("read events");
            assert!(n > 0, "the event stream ended");
            self.seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }

    /// The next version different from `old`.
    fn next_after(&mut self, old: &str) -> String {
        loop {
            let version = self.next();
            if version != old {
                return version;
            }
        }
    }
}

/// A path of the site as a request writes it: every byte outside ASCII letters, digits and
/// `/-._` percent-encoded.
fn url_path(path: &str) -> String {
    let mut out = String::from("/");
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A served page without the reload script the preview adds before `</body>`.
fn without_reload_script(page: &[u8]) -> Vec<u8> {
    let start = b"<script id=\"__hongguanjia-reload\">";
    let end = b"</script>\n";
    let Some(at) = page.windows(start.len()).position(|w| w == start) else {
        return page.to_vec();
    };
    let len = page[at..]
        .windows(end.len())
        .position(|w| w == end)
        .expect("the script ends")
        + end.len();
    [&page[..at], &page[at + len..]].concat()
}

/// Writes `rel` as Excel and most editors save: a scratch file the preview ignores,
/// renamed over the real one, so that the change is seen whole.
fn save(site: &Site, rel: &str, text: &str) {
    let scratch = format!("{rel}.tmp");
    site.write(&scratch, text);
    std::fs::rename(site.path(&scratch), site.path(rel)).expect("rename");
}

/// The build number at the end of a version, `<start>-<n>`.
fn build_number(version: &str) -> u64 {
    version
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("version ends in a build number")
}

#[test]
fn serves_the_built_site_from_memory_with_its_content_types() {
    let site = Site::basic();
    let preview = Preview::start(&site);

    let home = preview.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(home.header("content-type"), "text/html; charset=utf-8");
    assert!(home.body.contains("府山街道楼道红管家"), "{}", home.body);
    assert!(home.body.contains("__hongguanjia-reload"));
    assert!(home.body.trim_end().ends_with("</html>"));

    for (path, kind) in [
        ("/index.html", "text/html; charset=utf-8"),
        ("/communities/", "text/html; charset=utf-8"),
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/data/summary.json", "application/json"),
        ("/atom.xml", "application/atom+xml"),
        ("/sitemap.xml", "application/xml"),
        ("/robots.txt", "text/plain; charset=utf-8"),
    ] {
        let reply = preview.get(path);
        assert_eq!((path, reply.status), (path, 200));
        assert_eq!((path, reply.header("content-type").as_str()), (path, kind));
    }
    assert!(!site.path("public").exists(), "serve wrote public/");
    let summary: serde_json::Value =
        serde_json::from_str(&preview.get("/data/summary.json").body).expect("json");
    assert_eq!(common::figures(&summary), common::figures(&site.summary()));

    // Feeds and sitemaps name the published address, as in `build`'s output.
    let feed = preview.get("/atom.xml").body;
    assert!(
        feed.contains("<id>https://example.org/fushan/</id>"),
        "{feed}"
    );
    // The published path also works, for links written with it (the 404 page's).
    assert_eq!(preview.get("/fushan/index.html").status, 200);
    assert_eq!(preview.get("/fushan/").status, 200);
    assert_eq!(preview.get("/fushan").header("location"), "/fushan/");

    let folder = preview.get("/communities");
    assert_eq!(folder.status, 308);
    assert_eq!(folder.header("location"), "/communities/");
}

#[test]
fn a_miss_gets_the_sites_404_page() {
    let site = Site::basic();
    let preview = Preview::start(&site);
    let reply = preview.get("/no-such-page.html");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("content-type"), "text/html; charset=utf-8");
    assert!(reply.body.contains("找不到这个页面"), "{}", reply.body);
    assert!(reply.body.contains("__hongguanjia-reload"));
}

#[test]
fn old_category_addresses_are_previewed_as_build_makes_them() {
    // A new site has no old hashed addresses: build makes no redirects there, nor does serve.
    let site = Site::sample();
    let old = "/cases/category/930b0bb6/";
    {
        let preview = Preview::start(&site);
        assert_eq!(preview.get(old).status, 404);
    }
    site.ask_for_old_category_addresses();
    let preview = Preview::start(&site);
    let reply = preview.get(old);
    assert_eq!(reply.status, 200);
    assert!(
        reply.body.contains("she-shi-lao-hua/index.html"),
        "{}",
        reply.body
    );
}

#[test]
fn no_request_reaches_a_file_outside_the_site() {
    let outside = tempfile::tempdir().expect("temp dir");
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "机密：不应出现在网站上").expect("write secret");
    let site = Site::basic();
    site.write("static/ok.txt", "可以公开");
    std::fs::create_dir_all(site.path("static")).expect("static");
    std::os::unix::fs::symlink(&secret, site.path("static/link.txt")).expect("symlink");
    let preview = Preview::start(&site);

    assert_eq!(preview.get("/ok.txt").body, "可以公开");
    for path in [
        "/link.txt",
        "/site.toml",
        "/content/communities.csv",
        "/../site.toml",
        "/assets/../../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E%2Fsite.toml",
        "/assets/..%2f..%2fsite.toml",
        "/..%5csite.toml",
        "/assets%5c..%5c..%5csite.toml",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%c0%af..%c0%afsite.toml",
    ] {
        let reply = preview.get(path);
        assert!(
            reply.status == 400 || reply.status == 404,
            "{path}: {}",
            reply.status
        );
        assert!(!reply.body.contains("机密"), "{path}");
        assert!(!reply.body.contains("base_url ="), "{path}");
        assert!(!reply.body.contains("编号,名称"), "{path}");
        assert!(!reply.body.contains("root:"), "{path}");
    }
}

#[test]
fn builds_never_carry_the_reload_script() {
    let site = Site::basic();
    site.build_ok();
    let files = common::tree(&site.path("public"));
    assert!(files.keys().any(|k| k.ends_with(".html")));
    for (name, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("__hongguanjia"), "{name}");
        assert!(!text.contains("EventSource"), "{name}");
    }
}

#[test]
fn an_edit_reaches_open_pages() {
    let site = Site::basic();
    let preview = Preview::start(&site);
    let mut events = preview.events();
    let first = events.next();
    assert!(preview.get("/communities/").body.contains("水亭街社区"));

    site.write(
        "content/communities.csv",
        &common::COMMUNITIES_CSV.replace("水亭街社区", "水亭门社区"),
    );
    let second = events.next_after(&first);
    let page = preview.get("/communities/");
    assert!(page.body.contains("水亭门社区"), "{}", page.body);
    assert!(page.body.contains(&format!("var v=\"{second}\"")));
}

#[test]
fn a_broken_edit_keeps_the_last_good_site_and_shows_why() {
    let site = Site::basic();
    let preview = Preview::start(&site);
    let mut events = preview.events();
    let good = events.next();

    let broken = common::VISITS_CSV.replace("2018-11-21,FM-002,2,", "2018-11-21,FM-002,<b>两</b>,");
    site.write("content/visits.csv", &broken);
    let failed = events.next_after(&good);

    let page = preview.get("/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("府山街道楼道红管家"), "last good site");
    assert!(page.body.contains("__hongguanjia-overlay"), "{}", page.body);
    assert!(
        page.body
            .contains("content/visits.csv:3: 户数: &quot;&lt;b&gt;两&lt;/b&gt;&quot;"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<b>两"), "the message is escaped");
    preview.wait_for_stderr("content/visits.csv:3: 户数: \"<b>两</b>\"");

    site.write("content/visits.csv", common::VISITS_CSV);
    events.next_after(&failed);
    let page = preview.get("/");
    assert!(
        !page.body.contains("__hongguanjia-overlay"),
        "{}",
        page.body
    );
}

#[test]
fn a_save_by_rename_rebuilds_once_and_lock_files_not_at_all() {
    let site = Site::basic();
    let preview = Preview::start(&site);
    let mut events = preview.events();
    let first = build_number(&events.next());

    // What Excel does on save: a lock file beside the workbook, the new content written to
    // a temporary file, then renamed over the old one.
    site.write("content/~$communities.csv", "lock");
    // Given time to be reported on its own, the lock file would be a build of its own.
    std::thread::sleep(SETTLE);
    site.write(
        "content/8F3A21C0",
        &common::COMMUNITIES_CSV.replace("水亭街社区", "水亭门社区"),
    );
    std::fs::rename(
        site.path("content/8F3A21C0"),
        site.path("content/communities.csv"),
    )
    .expect("rename");
    let saved = events.next();
    assert_eq!(build_number(&saved), first + 1);
    assert!(preview.get("/communities/").body.contains("水亭门社区"));

    // Closing the workbook removes the lock file: still nothing to rebuild. The next
    // real change is the very next build.
    site.remove("content/~$communities.csv");
    std::thread::sleep(SETTLE);
    site.write(
        "site.toml",
        &common::SITE_TOML.replace("府山街道楼道红管家", "府山街道红管家"),
    );
    let next = events.next();
    assert_eq!(build_number(&next), first + 2);
    assert!(preview.get("/").body.contains("府山街道红管家"));
}

#[test]
fn verbose_names_the_files_that_changed() {
    let site = Site::basic();
    let preview = Preview::start_with(&site, &["--verbose"]);
    let mut events = preview.events();
    let first = events.next();
    site.write("content/visits.csv", common::VISITS_CSV);
    events.next_after(&first);
    preview.wait_for_stderr("有变化：content/visits.csv\n");
}

#[test]
fn ctrl_c_stops_the_server_with_pages_still_open() {
    let site = Site::basic();
    let mut preview = Preview::start(&site);
    let mut events = preview.events();
    events.next();
    let status = preview.interrupt();
    assert!(status.success(), "{status:?}\n{}", preview.stderr());
    preview.line_containing("已停止预览");
}

#[test]
fn a_taken_port_is_named() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port().to_string();
    let site = Site::basic();
    let root = site.root().to_str().expect("utf-8 path");
    let out = common::run(&["serve", "--root", root, "--port", &port]);
    out.assert_code(1);
    assert!(
        out.stderr.contains(&format!("端口 {port} 已被占用")),
        "{}",
        out.stderr
    );
}

#[test]
fn every_file_served_is_the_file_build_writes_and_pages_only_gain_the_reload_script() {
    let site = Site::sample();
    site.build_ok();
    let built = common::tree(&site.path("public"));
    let preview = Preview::start(&site);
    let mut pages = 0;
    for (path, bytes) in &built {
        if path == ".hongguanjia" {
            continue;
        }
        let reply = preview.get(&url_path(path));
        assert_eq!((path.as_str(), reply.status), (path.as_str(), 200));
        let served = if path.ends_with(".html") {
            pages += 1;
            assert!(reply.body.contains("__hongguanjia-reload"), "{path}");
            without_reload_script(&reply.bytes)
        } else {
            reply.bytes.clone()
        };
        assert!(served == *bytes, "{path} is not served as build wrote it");
    }
    assert!(pages > 100, "only {pages} pages compared");
}

#[test]
fn a_template_error_shows_on_the_pages_that_have_it_and_the_rest_is_served() {
    let site = Site::basic();
    std::fs::create_dir_all(site.path("templates")).expect("templates");
    let preview = Preview::start(&site);
    let mut events = preview.events();
    let first = events.next();

    save(
        &site,
        "templates/steward.html",
        "<!doctype html><body>{{ no_such_value }}</body>\n",
    );
    let broken = events.next_after(&first);
    let page = preview.get("/stewards/FM-001.html");
    assert_eq!(page.status, 500);
    assert!(page.body.contains("__hongguanjia-overlay"), "{}", page.body);
    assert!(
        page.body
            .contains("templates/steward.html:1: 模板错误：没有变量 no_such_value"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("var v=\"{broken}\"")));
    preview.wait_for_stderr("templates/steward.html:1: 模板错误：没有变量 no_such_value");
    let home = preview.get("/");
    assert_eq!(home.status, 200);
    assert!(
        !home.body.contains("__hongguanjia-overlay"),
        "{}",
        home.body
    );

    site.remove("templates/steward.html");
    events.next_after(&broken);
    let page = preview.get("/stewards/FM-001.html");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("周明华"), "{}", page.body);
    assert!(!page.body.contains("__hongguanjia-overlay"));
}

#[test]
fn a_private_value_in_a_static_file_stops_the_preview_as_it_stops_build() {
    let site = Site::basic();
    std::fs::create_dir_all(site.path("static")).expect("static");
    let preview = Preview::start(&site);
    let mut events = preview.events();
    let first = events.next();

    // 钱桂兰 is the resident of a case: never to be published.
    save(&site, "static/名单.txt", "回访：钱桂兰");
    events.next_after(&first);
    let home = preview.get("/");
    assert!(home.body.contains("__hongguanjia-overlay"), "{}", home.body);
    assert!(
        home.body.contains("出现在了生成的 名单.txt 里"),
        "{}",
        home.body
    );
    let file = preview.get(&url_path("名单.txt"));
    assert_eq!(file.status, 404);
    assert!(!file.body.contains("钱桂兰"), "{}", file.body);
}
