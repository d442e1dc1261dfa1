//! The command line speaks Chinese: `--help` for the program and each command, and the
//! usage errors clap finds.

mod common;

use common::run;

#[test]
fn help_is_in_chinese() {
    let out = run(&["--help"]);
    out.assert_code(0);
    for words in [
        "用法：hongguanjia <命令> [选项]",
        "命令：",
        "选项：",
        "显示帮助",
        "显示版本",
    ] {
        assert!(out.stdout.contains(words), "{words}\n{}", out.stdout);
    }
    for english in ["Usage", "Commands", "Options", "Print help"] {
        assert!(!out.stdout.contains(english), "{english}\n{}", out.stdout);
    }
    // `help build` is `build --help`.
    let build = run(&["help", "build"]);
    build.assert_code(0);
    assert!(
        build.stdout.contains("用法：hongguanjia build [选项]"),
        "{}",
        build.stdout
    );
    assert!(build.stdout.contains("--output <目录>"), "{}", build.stdout);
    assert_eq!(build.stdout, run(&["build", "--help"]).stdout);
}

#[test]
fn usage_errors_say_what_is_wrong_and_suggest_the_nearest_command() {
    let out = run(&["bild"]);
    out.assert_code(2);
    out.assert_line("错误：没有“bild”这个命令");
    out.assert_line("是不是 build？");
    out.assert_line("用法见 hongguanjia --help");

    let out = run(&["build", "--force=yes"]);
    out.assert_code(2);
    out.assert_line("错误：选项 --force 后面不能跟值“yes”");

    let out = run(&[]);
    out.assert_code(2);
    out.assert_line(
        "错误：请给出一个命令：init（新建站点）、new（新建简报或页面）、build（生成网站）、check（只检查记录）、serve（在本机预览）或 print（生成内部打印材料）",
    );
}

#[test]
fn a_value_clap_refuses_is_answered_in_chinese_with_what_to_write() {
    let out = run(&["serve", "--port", "abc"]);
    out.assert_code(2);
    out.assert_line(
        "错误：选项 --port <端口> 的值“abc”无效：端口应为 1 到 65535 之间的整数，如 --port 8080",
    );
    let out = run(&["serve", "--bind", "localhost:80"]);
    out.assert_code(2);
    assert!(
        out.stderr
            .contains("的值“localhost:80”无效：应为本机的 IP 地址"),
        "{}",
        out.stderr
    );
    for english in ["invalid", "For more information", "error:"] {
        assert!(!out.stderr.contains(english), "{english}\n{}", out.stderr);
    }

    let out = run(&["check", "--format", "xml"]);
    out.assert_code(2);
    out.assert_line("错误：选项 --format <格式> 的值“xml”无效，可以写：text、json");
}
