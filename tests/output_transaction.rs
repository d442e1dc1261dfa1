//! The output folder as a transaction: one writer at a time, nothing deleted that the
//! program did not write, nothing left in the output that the build did not write or
//! check, every stop (a crash at any step, a full disk) repaired by the next build, and
//! every closing message true about the state it leaves. Also what the file system can
//! hold that must not hang a build or leak through a message: pipes, links, huge
//! workbooks.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Run, Site, names_in, run_env};

/// Every entry under `dir`: files with their bytes, folders as `name/` (an empty folder
/// counts), links with where they point.
fn full_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walk(dir) {
        let rel = entry
            .strip_prefix(dir)
            .expect("inside")
            .to_string_lossy()
            .into_owned();
        let meta = fs::symlink_metadata(&entry).expect("metadata");
        if meta.file_type().is_symlink() {
            let to = fs::read_link(&entry).expect("link");
            out.insert(rel, format!("-> {}", to.display()).into_bytes());
        } else if meta.is_dir() {
            out.insert(format!("{rel}/"), Vec::new());
        } else {
            out.insert(rel, fs::read(&entry).expect("read"));
        }
    }
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read dir") {
            let entry = entry.expect("entry");
            if entry.file_type().expect("type").is_dir() {
                stack.push(entry.path());
            }
            all.push(entry.path());
        }
    }
    all
}

/// Builds `site` into `out` with extra environment.
fn build_into(site: &Site, out: &Path, env: &[(&str, &str)], extra: &[&str]) -> Run {
    let root = site.root().to_str().expect("utf-8").to_string();
    let out = out.to_str().expect("utf-8").to_string();
    let mut args = vec!["build", "--root", root.as_str(), "--output", out.as_str()];
    args.extend_from_slice(extra);
    run_env(&args, env)
}

/// The output a clean build of `site` makes, into a fresh folder.
fn clean(site: &Site) -> BTreeMap<String, Vec<u8>> {
    let fresh = tempfile::tempdir().expect("temp dir");
    let out = fresh.path().join("public");
    build_into(site, &out, &[], &[]).assert_code(0);
    full_tree(&out)
}

/// What a build leaves beside its output besides the output: only the manifest.
fn assert_nothing_beside(dir: &Path, output: &str) {
    let names: Vec<String> = names_in(dir)
        .into_iter()
        .filter(|n| n.contains("hongguanjia") || n == output)
        .collect();
    assert_eq!(
        names,
        [
            format!(".{output}.hongguanjia-manifest"),
            output.to_string()
        ],
        "left beside the output"
    );
}

/// The two states a site switches between, and their clean outputs.
struct Switch {
    site: Site,
    file: &'static str,
    states: [String; 2],
    clean: [BTreeMap<String, Vec<u8>>; 2],
}

impl Switch {
    fn new(file: &'static str, from: &str, to: &str) -> Switch {
        let site = Site::basic();
        let a = site.read(file);
        assert!(a.contains(from), "{file} holds {from}");
        let b = a.replacen(from, to, 1);
        site.write(file, &a);
        let clean_a = clean(&site);
        site.write(file, &b);
        let clean_b = clean(&site);
        site.write(file, &a);
        Switch {
            site,
            file,
            states: [a, b],
            clean: [clean_a, clean_b],
        }
    }

    fn set(&self, state: usize) {
        self.site.write(self.file, &self.states[state]);
    }

    /// Built in the first state: the output, and the state it is in.
    fn built(&self) -> (PathBuf, usize) {
        self.set(0);
        self.site.build_ok();
        (self.site.path("public"), 0)
    }

    /// Switches from `state` to the other and builds with the test hook `var` set to `n`:
    /// the state it was making, and the run.
    fn hooked_build(&self, state: usize, var: &str, n: u64) -> (usize, Run) {
        let target = 1 - state;
        self.set(target);
        let out = self.site.path("public");
        (
            target,
            build_into(&self.site, &out, &[(var, &n.to_string())], &[]),
        )
    }

    /// Stops a build at every step of the write from state to state, in turn: each
    /// stopped build is followed by a build either of the state it was making or back to
    /// the one before (the records reverted), which must equal a clean build of it and
    /// leave nothing but its manifest beside it. Returns the number of steps.
    fn stop_at_every_step(&self) -> u64 {
        let (out, mut state) = self.built();
        for n in 0.. {
            let (target, stopped) = self.hooked_build(state, "HONGGUANJIA_TEST_ABORT_AFTER", n);
            if stopped.code == 0 {
                assert_eq!(
                    full_tree(&out),
                    self.clean[target],
                    "finished without a stop"
                );
                return n;
            }
            // Aborted (a signal, no exit code), never an error of its own.
            assert_eq!(stopped.code, -1, "step {n}: {}", stopped.stderr);
            // Forward on odd steps, back on even ones.
            let next = if n % 2 == 1 { target } else { state };
            self.set(next);
            let run = self.site.build(&[]);
            run.assert_code(0);
            assert_eq!(
                full_tree(&out),
                self.clean[next],
                "stopped after step {n}, then built {}: not a clean build\n{}",
                ["the old records", "the new records"][next],
                run.stderr
            );
            assert_nothing_beside(self.site.root(), "public");
            state = next;
            assert!(n < 1000, "the write never finished");
        }
        unreachable!()
    }
}

/// A change of one steward's name rewrites a few files, moved in one by one; a change of
/// the site's title rewrites all, swapped in whole. A build stopped at any step of either
/// (as by `kill -9` or a power cut of the process) is finished or undone by the next, and
/// a page of a record that was added and then taken out again is gone.
#[test]
fn a_build_stopped_at_any_step_is_repaired_by_the_next() {
    let few = Switch::new("content/stewards.csv", "FM-001,周明华,", "FM-001,周明,");
    let steps = few.stop_at_every_step();
    assert!(steps > 8, "the moves took {steps} steps");

    let all = Switch::new("site.toml", "府山街道楼道红管家", "府山街道红管家");
    let steps = all.stop_at_every_step();
    assert!(steps > 8, "the swap took {steps} steps");

    // A record added and taken out again while its page was being moved in.
    let added = Switch::new(
        "content/stewards.csv",
        "ST-001,郑卫国,",
        "ST-002,钱小红,shuiting,9幢,在册,\nST-001,郑卫国,",
    );
    added.stop_at_every_step();
}

/// With a disk that fills at any step of the write, the build says what it left: the
/// old output as it was (and then it is, byte for byte), or a new one not finished (and
/// then the next build finishes it and equals a clean build). Never the system's English.
#[test]
fn a_full_disk_at_any_step_gets_a_true_message() {
    for (file, from, to) in [
        ("content/stewards.csv", "FM-001,周明华,", "FM-001,周明,"),
        ("site.toml", "府山街道楼道红管家", "府山街道红管家"),
    ] {
        let switch = Switch::new(file, from, to);
        let (out, mut state) = switch.built();
        for n in 0.. {
            let before = full_tree(&out);
            let (target, run) = switch.hooked_build(state, "HONGGUANJIA_TEST_DISK_FULL_AFTER", n);
            if run.code == 0 {
                assert_eq!(full_tree(&out), switch.clean[target]);
                break;
            }
            run.assert_code(1);
            assert!(
                run.stderr.contains("磁盘已满") && !run.stderr.contains("os error"),
                "step {n}: {}",
                run.stderr
            );
            if run.stderr.contains("原有的输出保持不变") {
                assert_eq!(full_tree(&out), before, "step {n}: said unchanged");
                assert_nothing_beside(switch.site.root(), "public");
            } else {
                assert!(
                    run.stderr.contains("再运行一次生成，会先把"),
                    "step {n}: {}",
                    run.stderr
                );
            }
            // Room again: the next build repairs and finishes.
            switch.site.build_ok();
            assert_eq!(full_tree(&out), switch.clean[target], "after step {n}");
            assert_nothing_beside(switch.site.root(), "public");
            state = target;
            assert!(n < 1000);
        }
    }
}

/// A build that finishes a stopped one and then stops at an error in the records does not
/// say the output is as it was: it is not, it was finished first.
#[test]
fn a_run_that_finished_a_stopped_build_says_so_when_it_fails() {
    let switch = Switch::new("content/stewards.csv", "FM-001,周明华,", "FM-001,周明,");
    let (out, mut state) = switch.built();
    for n in 0..100 {
        let (target, stopped) = switch.hooked_build(state, "HONGGUANJIA_TEST_ABORT_AFTER", n);
        assert_ne!(
            stopped.code, 0,
            "the moves finished before a stop in the middle"
        );
        // A record error on top: this run writes nothing of its own.
        let records = switch.site.read("content/visits.csv");
        switch.site.write(
            "content/visits.csv",
            &format!("{records}2018-12-11,FM-001,五\n"),
        );
        let run = switch.site.build(&[]);
        switch.site.write("content/visits.csv", &records);
        run.assert_code(1);
        if run.stderr.contains("警告：已先做完上一次被中断的生成") {
            assert!(
                run.stderr.ends_with(
                    "输出文件夹已先按上一次被中断的生成补齐（见上面的警告），这一次没有再改动它。\n"
                ),
                "{}",
                run.stderr
            );
            assert!(!run.stderr.contains("原有的输出保持不变"), "{}", run.stderr);
            assert_eq!(full_tree(&out), switch.clean[target]);
            return;
        }
        assert!(
            run.stderr
                .ends_with("未写入任何文件，原有的输出保持不变。\n"),
            "{}",
            run.stderr
        );
        switch.site.build_ok();
        state = target;
    }
    panic!("no step left files half moved");
}

/// Starts a build of `site` into `out` without waiting for it.
fn spawn_build(site: &Site, out: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_hongguanjia"))
        .args(["build", "--root"])
        .arg(site.root())
        .arg("--output")
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// Two builds started together (two scheduled jobs, a double click): one waits for the
/// other or refuses, naming it; the output ends as a clean build.
#[test]
fn two_builds_at_once_end_as_one_clean_build() {
    let site = Site::sample();
    let out = site.path("public");
    let config = site.read("site.toml");
    for round in 0..4 {
        // Every page changes each round, so both would swap whole folders.
        site.write(
            "site.toml",
            &config.replacen("title = \"", &format!("title = \"第{round}版"), 1),
        );
        let runs: Vec<Output> = [spawn_build(&site, &out), spawn_build(&site, &out)]
            .into_iter()
            .map(|c| c.wait_with_output().expect("wait"))
            .collect();
        let ok = runs.iter().filter(|r| r.status.success()).count();
        assert!(ok >= 1, "round {round}: neither finished");
        for r in runs.iter().filter(|r| !r.status.success()) {
            let err = String::from_utf8_lossy(&r.stderr);
            assert!(
                err.contains("另一个 hongguanjia 正在写入这个输出文件夹（进程号 "),
                "round {round}: {err}"
            );
            assert!(err.contains("原有的输出保持不变"), "{err}");
        }
        assert_eq!(full_tree(&out), clean(&site), "round {round}");
        assert_nothing_beside(site.root(), "public");
    }
}

/// A writer that holds the output's lock (another program, here the test) makes a build
/// wait, then refuse with its process id and start time; it writes nothing.
#[test]
fn a_held_lock_is_named_and_nothing_is_written() {
    let site = Site::basic();
    site.build_ok();
    let out = site.path("public");
    let before = full_tree(&out);
    let lock_path = site.path(".public.hongguanjia-lock");
    let mut held = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&lock_path)
        .expect("lock file");
    held.try_lock().expect("the lock is free");
    use std::io::Write;
    write!(held, "pid 424242\nstarted 1764301385\n").expect("write");
    site.write("site.toml", &common::SITE_TOML.replace("府山", "府山新"));
    let started = Instant::now();
    let run = site.build(&[]);
    run.assert_code(1);
    assert!(started.elapsed() >= Duration::from_secs(2), "did not wait");
    assert!(
        run.stderr.contains(
            "另一个 hongguanjia 正在写入这个输出文件夹（进程号 424242，开始于 2025-11-28 03:43:05"
        ),
        "{}",
        run.stderr
    );
    run.assert_line("原有的输出保持不变。");
    assert_eq!(full_tree(&out), before);
    drop(held);
    // Released (as when its process dies, however): the next build goes ahead.
    site.build_ok();
}

/// `print` takes its output's lock too: a kit being written by another run is not
/// written over.
#[test]
fn print_waits_for_its_output_like_build() {
    let site = Site::basic();
    let root = site.root().to_str().expect("utf-8").to_string();
    let lock_path = site.path(".print.hongguanjia-lock");
    let held = fs::File::create(&lock_path).expect("lock file");
    held.try_lock().expect("the lock is free");
    let run = common::run(&["print", "--root", &root]);
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("另一个 hongguanjia 正在写入这个输出文件夹"),
        "{}",
        run.stderr
    );
    assert!(!site.path("print").exists(), "nothing written");
    drop(held);
    common::run(&["print", "--root", &root]).assert_code(0);
    assert!(site.path("print").is_dir());
}

/// The issue's loss: an output that is a link to a folder holding an earlier build and
/// one other file. The build writes where the link points, refuses while the other file
/// is there (naming it, deleting nothing), and never replaces or follows the link itself.
#[cfg(unix)]
#[test]
fn a_linked_output_is_written_where_it_points_and_nothing_of_others_goes() {
    let site = Site::basic();
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let target = elsewhere.path().join("www");
    build_into(&site, &target, &[], &[]).assert_code(0);
    fs::write(target.join("通知.docx"), "办公室的文件").expect("write");
    let link = site.path("public");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let before = full_tree(&target);

    for change in ["府山街道楼道红管家一", "府山街道楼道红管家二"] {
        site.write(
            "site.toml",
            &common::SITE_TOML.replace("府山街道楼道红管家", change),
        );
        let run = site.build(&[]);
        run.assert_code(1);
        assert!(
            run.stderr
                .contains("不是 hongguanjia 写的文件或文件夹：通知.docx")
                && run.stderr.contains("放进站点的 static/"),
            "{}",
            run.stderr
        );
        run.assert_line("原有的输出保持不变。");
        assert_eq!(full_tree(&target), before);
        assert!(
            fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
    }

    fs::rename(target.join("通知.docx"), elsewhere.path().join("通知.docx")).expect("mv");
    site.build_ok();
    assert!(
        fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert_eq!(full_tree(&target), clean(&site));
    // The bookkeeping is beside the real folder, not beside the link.
    assert_nothing_beside(elsewhere.path(), "www");
    assert_eq!(names_in(site.root()), ["content", "public", "site.toml"]);
    // Both spellings are one output: one manifest, one lock.
    build_into(&site, &target, &[], &[]).assert_code(0);
    site.build_ok();
    assert_nothing_beside(elsewhere.path(), "www");
}

/// Puts something into the output by hand.
type Dropped = Box<dyn Fn(&Path)>;

/// A file dropped into the output (a list of residents to call back) is never published
/// by a small rebuild nor deleted by a large one: both stop, naming it and what to do;
/// `--force` replaces the folder with it. The same for a folder, a link and a pipe.
#[test]
fn a_file_dropped_into_the_output_stops_every_build_until_it_is_moved() {
    let site = Site::basic();
    site.build_ok();
    let out = site.path("public");
    let stewards = site.read("content/stewards.csv");
    let drops: Vec<(&str, Dropped)> = vec![
        (
            "回访名单.txt",
            Box::new(|p: &Path| fs::write(p, "钱桂兰 13705703333").expect("write")),
        ),
        (
            "stewards/旧页/",
            Box::new(|p: &Path| fs::create_dir_all(p).expect("mkdir")),
        ),
        #[cfg(unix)]
        (
            "stewards/链接.html",
            Box::new(|p: &Path| std::os::unix::fs::symlink("/etc/hostname", p).expect("ln")),
        ),
    ];
    for (name, make) in &drops {
        let path = out.join(name.trim_end_matches('/'));
        make(&path);
        // A few files change (moved in one by one), then every file (swapped whole).
        for (file, text) in [
            (
                "content/stewards.csv",
                stewards.replacen("周明华", "周明", 1),
            ),
            (
                "site.toml",
                common::SITE_TOML.replace("府山街道楼道红管家", "府山街道红管家"),
            ),
        ] {
            let before = full_tree(&out);
            let saved = site.read(file);
            site.write(file, &text);
            let run = site.build(&[]);
            run.assert_code(1);
            assert!(
                run.stderr
                    .contains(&format!("不是 hongguanjia 写的文件或文件夹：{name}")),
                "{name}: {}",
                run.stderr
            );
            run.assert_line("原有的输出保持不变。");
            assert_eq!(full_tree(&out), before, "{name}");
            site.write(file, &saved);
        }
        if name.ends_with('/') {
            fs::remove_dir(&path).expect("rmdir");
        } else {
            fs::remove_file(&path).expect("rm");
        }
        site.build_ok();
    }
    // With --force it goes with the old output.
    fs::write(out.join("回访名单.txt"), "钱桂兰").expect("write");
    site.build(&["--force"]).assert_code(0);
    assert_eq!(full_tree(&out), clean(&site));
}

/// A page edited by hand with its modification time set back (`touch -r`) is still found
/// out by its change time, and made again; so is one edited to the same size.
#[test]
fn a_page_edited_with_its_time_restored_is_made_again() {
    let site = Site::basic();
    site.build_ok();
    let out = site.path("public");
    let clean = full_tree(&out);
    let page = out.join("index.html");
    let modified = fs::metadata(&page)
        .expect("meta")
        .modified()
        .expect("mtime");
    let text = fs::read_to_string(&page).expect("read");
    let edited = text.replacen("红管家", "黑管家", 1);
    assert_eq!(edited.len(), text.len());
    std::thread::sleep(Duration::from_millis(20));
    // In place: the same inode, the same size, the old time.
    let mut file = fs::OpenOptions::new()
        .write(true)
        .open(&page)
        .expect("open");
    use std::io::Write;
    file.write_all(edited.as_bytes()).expect("write");
    file.set_modified(modified).expect("touch -r");
    drop(file);
    let run = site.build(&["-v"]);
    run.assert_code(0);
    assert!(run.stderr.contains("写入 index.html"), "{}", run.stderr);
    assert_eq!(full_tree(&out), clean);
}

/// Runs `hongguanjia <args>` and fails the test if it has not ended within a minute.
fn finishes(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hongguanjia"));
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("spawn");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            let out = child.wait_with_output().expect("output");
            return Run {
                code: out.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            };
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("hongguanjia {args:?} hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

/// A named pipe where a file is expected would wait for a writer forever: every place a
/// site's files are read refuses it, names it and says what it is, before opening it.
#[cfg(unix)]
#[test]
fn pipes_are_refused_not_waited_on() {
    let site = Site::basic();
    let root = site.root().to_str().expect("utf-8").to_string();
    mkfifo(&site.path("content/meetings.csv"));
    fs::create_dir_all(site.path("content/errands")).expect("mkdir");
    mkfifo(&site.path("content/errands/2018.csv"));
    fs::create_dir_all(site.path("content/pages")).expect("mkdir");
    mkfifo(&site.path("content/pages/about.md"));
    mkfifo(&site.path("content/台账.xlsx"));
    let run = finishes(&["check", "--root", &root], &[]);
    run.assert_code(1);
    for path in [
        "content/meetings.csv",
        "content/errands/2018.csv",
        "content/pages/about.md",
        "content/台账.xlsx",
    ] {
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with(path) && l.contains("而是命名管道（FIFO）")),
            "{path}: {}",
            run.stderr
        );
    }
    // Shown on a terminal, with source lines: still nothing waits.
    finishes(&["check", "--root", &root], &[("CLICOLOR_FORCE", "1")]).assert_code(1);

    let site = Site::basic();
    fs::remove_file(site.path("site.toml")).expect("rm");
    mkfifo(&site.path("site.toml"));
    let root = site.root().to_str().expect("utf-8").to_string();
    let run = finishes(&["build", "--root", &root], &[("CLICOLOR_FORCE", "1")]);
    run.assert_code(1);
    assert!(run.stderr.contains("命名管道"), "{}", run.stderr);
}

/// A link out of the site is refused without a line of what it points to ever being
/// shown, on a terminal too; a page that is a link is read when it stays inside the site
/// and named when it does not.
#[cfg(unix)]
#[test]
fn links_are_followed_inside_the_site_only_and_never_echoed() {
    let outside = tempfile::tempdir().expect("temp dir");
    let secret = outside.path().join("secret.csv");
    fs::write(&secret, "机密的第一行,13905709999\n").expect("write");
    let site = Site::basic();
    std::os::unix::fs::symlink(&secret, site.path("content/meetings.csv")).expect("ln");
    fs::create_dir_all(site.path("content/pages")).expect("mkdir");
    site.write("drafts/about.md", "+++\ntitle = \"关于我们\"\n+++\n正文\n");
    std::os::unix::fs::symlink("../../drafts/about.md", site.path("content/pages/about.md"))
        .expect("ln");
    std::os::unix::fs::symlink(&secret, site.path("content/pages/secret.md")).expect("ln");
    std::os::unix::fs::symlink("missing.md", site.path("content/pages/gone.md")).expect("ln");
    let root = site.root().to_str().expect("utf-8").to_string();
    let run = run_env(&["check", "--root", &root], &[("CLICOLOR_FORCE", "1")]);
    run.assert_code(1);
    assert!(!run.stderr.contains("机密"), "{}", run.stderr);
    let plain = site.check();
    plain.assert_line(
        "content/meetings.csv: 这是一个指向站点文件夹以外的符号链接，为安全起见不予读取",
    );
    plain.assert_line(
        "content/pages/secret.md: 这是一个指向站点文件夹以外的符号链接，为安全起见不予读取",
    );
    plain.assert_line(
        "content/pages/gone.md: 这是一个符号链接，它指向的文件不存在。请把链接指向的文件放回原处，或删掉这个链接",
    );
    assert!(
        !plain.stderr.contains("content/pages/about.md"),
        "the link inside the site is read: {}",
        plain.stderr
    );
}

/// A workbook that unpacks to more than `[workbooks] max_unpacked_mb` (a zip bomb: a few
/// kilobytes of file, megabytes of sheet) or whose sheet has more rows than `max_rows` is
/// refused before it is read, with the setting that would let it through.
#[test]
fn a_workbook_too_large_to_read_is_refused_with_the_fix() {
    let site = Site::basic();
    site.remove("content/visits.csv");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, h) in ["日期", "红管家", "户数", "备注"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("cell");
    }
    // Highly compressible: the same row many times.
    for r in 1..=20_000u32 {
        sheet.write_string(r, 0, "2018-11-20").expect("cell");
        sheet.write_string(r, 1, "FM-001").expect("cell");
        sheet.write_number(r, 2, 1.0).expect("cell");
        sheet
            .write_string(r, 3, "楼道里的走访，一切正常")
            .expect("cell");
    }
    let bytes = workbook.save_to_buffer().expect("xlsx");
    assert!(bytes.len() < 1 << 20, "the file itself is small");
    site.write_bytes("content/visits.xlsx", &bytes);

    site.write(
        "site.toml",
        &format!("{}[workbooks]\nmax_unpacked_mb = 1\n", common::SITE_TOML),
    );
    let run = site.check();
    run.assert_code(1);
    assert!(
        run.stderr.lines().any(
            |l| l.starts_with("content/visits.xlsx: 这个工作簿解压后有 ")
                && l.contains("超过了上限 1 MB")
                && l.contains("max_unpacked_mb")
        ),
        "{}",
        run.stderr
    );

    site.write(
        "site.toml",
        &format!("{}[workbooks]\nmax_rows = 1000\n", common::SITE_TOML),
    );
    let run = site.check();
    run.assert_code(1);
    run.assert_line("content/visits.xlsx:Sheet1: 这个工作表有 20001 行，超过了上限 1000 行，没有读取。请把记录分到几个工作表或工作簿里，或导出为 CSV；确实需要时，在 site.toml 里写 [workbooks] max_rows = 更大的数");

    // The defaults take it.
    site.write("site.toml", common::SITE_TOML);
    site.check().assert_code(0);
}

/// Whether this test may mount a small file system of its own (root, with `mount`).
#[cfg(target_os = "linux")]
struct Mount {
    point: tempfile::TempDir,
}

#[cfg(target_os = "linux")]
impl Mount {
    /// A tmpfs of `kib` KiB, or none (with one line saying why) where the machine does
    /// not allow it; under CI it must.
    fn tmpfs(kib: u64) -> Option<Mount> {
        let point = tempfile::tempdir().expect("temp dir");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(point.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var_os("CI").is_none(),
                "mount -t tmpfs is needed under CI (run the tests as root)"
            );
            eprintln!(
                "skipped: mounting a tmpfs needs root (sudo) and the mount command (util-linux)"
            );
            return None;
        }
        Some(Mount { point })
    }

    fn path(&self) -> &Path {
        self.point.path()
    }

    fn remount(&self, options: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(self.path())
            .status()
            .expect("mount");
        assert!(status.success());
    }
}

/// The basic site built onto `disk`, its output and what it holds; then the site's
/// title changed, so that the next build rewrites every page.
#[cfg(target_os = "linux")]
fn built_on(disk: &Mount) -> (Site, PathBuf, BTreeMap<String, Vec<u8>>) {
    let site = Site::basic();
    let out = disk.path().join("public");
    build_into(&site, &out, &[], &[]).assert_code(0);
    let before = full_tree(&out);
    site.write(
        "site.toml",
        &common::SITE_TOML.replace("府山街道楼道红管家", "府山街道红管家"),
    );
    (site, out, before)
}

#[cfg(target_os = "linux")]
impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.path()).status();
    }
}

/// A real full disk: the build that does not fit says so in Chinese and leaves the old
/// output whole; once there is room again the next build is a clean one.
#[cfg(target_os = "linux")]
#[test]
fn a_disk_that_fills_up_leaves_the_old_output() {
    let Some(disk) = Mount::tmpfs(2048) else {
        return;
    };
    let (site, out, before) = built_on(&disk);
    // Fill what is left.
    let filler = disk.path().join("filler");
    let mut file = fs::File::create(&filler).expect("filler");
    use std::io::Write;
    let block = vec![0u8; 4096];
    while file.write_all(&block).is_ok() {}
    let _ = file.sync_all();
    drop(file);
    let run = build_into(&site, &out, &[], &[]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("磁盘已满") && !run.stderr.contains("os error"),
        "{}",
        run.stderr
    );
    run.assert_line("原有的输出保持不变。");
    assert_eq!(full_tree(&out), before);
    fs::remove_file(&filler).expect("rm");
    build_into(&site, &out, &[], &[]).assert_code(0);
    assert_eq!(full_tree(&out), clean(&site));
    assert_nothing_beside(disk.path(), "public");
}

/// A read-only output (the disk mounted read-only, or a folder of it that cannot be
/// written) stops the build before anything is changed, saying so; nothing is swapped in
/// that could not be finished, and once it can be written the build goes on.
#[cfg(target_os = "linux")]
#[test]
fn a_read_only_output_stops_the_build_before_any_change() {
    let Some(disk) = Mount::tmpfs(8192) else {
        return;
    };
    let (site, out, before) = built_on(&disk);
    disk.remount("ro");
    let run = build_into(&site, &out, &[], &[]);
    run.assert_code(1);
    assert!(run.stderr.contains("只读"), "{}", run.stderr);
    run.assert_line("原有的输出保持不变。");
    assert_eq!(full_tree(&out), before);
    disk.remount("rw");
    build_into(&site, &out, &[], &[]).assert_code(0);
    assert_eq!(full_tree(&out), clean(&site));
}

/// Only a folder of the output read-only (as the old site of the issue was): the build
/// stops before swapping anything in, and goes on once the folder can be written.
#[cfg(target_os = "linux")]
#[test]
fn a_read_only_folder_of_the_output_stops_the_build_before_any_change() {
    let site = Site::basic();
    site.build_ok();
    let out = site.path("public");
    let before = full_tree(&out);
    let Some(guard) = ReadOnly::make(&out.join("stewards")) else {
        return;
    };
    for change in ["府山街道红管家", "府山街道楼道红管家新"] {
        site.write(
            "site.toml",
            &common::SITE_TOML.replace("府山街道楼道红管家", change),
        );
        let run = site.build(&[]);
        run.assert_code(1);
        assert!(
            run.stderr.contains("个文件夹不能写入（stewards）"),
            "{}",
            run.stderr
        );
        run.assert_line("原有的输出保持不变。");
        assert_eq!(full_tree(&out), before);
        assert_nothing_beside(site.root(), "public");
    }
    drop(guard);
    site.build_ok();
    assert_eq!(full_tree(&out), clean(&site));
}

/// A folder made read-only for as long as the value lives: by its mode, or for root
/// (whom modes do not stop) with `chattr +i`.
#[cfg(target_os = "linux")]
struct ReadOnly(PathBuf, bool);

#[cfg(target_os = "linux")]
impl ReadOnly {
    fn make(dir: &Path) -> Option<ReadOnly> {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o555)).expect("chmod");
        if fs::write(dir.join(".probe"), "").is_err() {
            return Some(ReadOnly(dir.to_path_buf(), false));
        }
        let _ = fs::remove_file(dir.join(".probe"));
        let ok = Command::new("chattr")
            .arg("+i")
            .arg(dir)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!(
                "skipped: a read-only folder for root needs chattr (e2fsprogs) on a file system that supports it"
            );
            return None;
        }
        Some(ReadOnly(dir.to_path_buf(), true))
    }
}

#[cfg(target_os = "linux")]
impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.1 {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        }
        let _ = fs::set_permissions(&self.0, fs::Permissions::from_mode(0o755));
    }
}
