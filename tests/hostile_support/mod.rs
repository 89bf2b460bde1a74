//! Shared harness of the hostile-input suite (`tests/hostile_cli.rs`): lays
//! out a case's files in a fresh folder, snapshots every byte of them, runs the
//! real `reident` binary there with a time limit and a 1 GiB address-space
//! limit, and checks that it failed cleanly: exit code 2, an `error:` message
//! naming what the case expects (file, line, column, flag), no panic, no
//! leftover temporary file, and every input byte-identical afterwards.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;

/// Address space the binary may use (KiB for `ulimit -v`): 1 GiB.
pub const MEMORY_KIB: u64 = 1 << 20;

/// Wall-clock limit of one run (a debug build on a busy 2-core machine).
pub const TIME_LIMIT: Duration = Duration::from_secs(60);

/// One file of a case.
pub enum Content {
    /// Literal bytes.
    Bytes(Vec<u8>),
    /// A symbolic link to another path (absolute, or relative to the folder).
    Link(&'static str),
    /// A hard link to another file of the case (made after the others).
    HardLink(&'static str),
    /// An empty folder.
    Dir,
}

/// Literal text.
pub fn text(s: &str) -> Content {
    Content::Bytes(s.as_bytes().to_vec())
}

/// Literal bytes.
pub fn bytes(b: &[u8]) -> Content {
    Content::Bytes(b.to_vec())
}

/// Gzip of `b`.
pub fn gz(b: &[u8]) -> Content {
    Content::Bytes(gzip(b))
}

/// Gzip of `b` (one member).
pub fn gzip(b: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(b).expect("gzip");
    enc.finish().expect("gzip")
}

/// A gzip bomb: `header` then `members` gzip members each expanding to
/// 1 MiB of `unit` repeated (multi-member gzip, as `cat a.gz b.gz` makes).
pub fn gzip_bomb(header: &[u8], unit: &[u8], members: usize) -> Vec<u8> {
    let mut out = gzip(header);
    let block: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
    let member = gzip(&block);
    for _ in 0..members {
        out.extend_from_slice(&member);
    }
    out
}

/// A CSV header of `n` columns `c0,c1,...` and, when `row` is true, one row.
pub fn wide_csv(n: usize, row: bool) -> Content {
    let mut s: String = (0..n)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    if row {
        s.push_str(&vec!["1"; n].join(","));
        s.push('\n');
    }
    text(&s)
}

/// A small quasi-identifier table used by many cases.
pub const PEOPLE: &str =
    "age,sex,zip,disease\n30,F,12345,flu\n40,M,12346,cold\n30,F,12345,cold\n50,M,12999,flu\n";

/// What a case expects.
pub struct Case {
    /// Files laid out in the case's folder (names relative to it).
    pub files: Vec<(&'static str, Content)>,
    /// Arguments after `reident` (run in the case's folder).
    pub args: Vec<&'static str>,
    /// Parts the error message must contain (file, line/column, flag).
    pub expect: Vec<&'static str>,
}

/// Every regular file and link under `dir` with its bytes (links: target).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let rel = path.strip_prefix(dir).expect("prefix").to_path_buf();
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).expect("read_link");
                out.insert(rel, target.to_string_lossy().as_bytes().to_vec());
            } else if meta.is_dir() {
                out.insert(rel, b"<dir>".to_vec());
                stack.push(path);
            } else {
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    out
}

/// Lays out `case.files`, runs it and checks the outcome; returns the message.
pub fn run(case: Case) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    for (name, content) in &case.files {
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        match content {
            Content::Bytes(b) => std::fs::write(&path, b).expect("write"),
            Content::Link(target) => std::os::unix::fs::symlink(target, &path).expect("symlink"),
            Content::Dir => std::fs::create_dir_all(&path).expect("dir"),
            Content::HardLink(_) => {}
        }
    }
    for (name, content) in &case.files {
        if let Content::HardLink(target) = content {
            std::fs::hard_link(root.join(target), root.join(name)).expect("hard link");
        }
    }
    let before = snapshot(root);

    let script = format!("ulimit -v {MEMORY_KIB}; exec \"$0\" \"$@\"");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_reident"))
        .args(&case.args)
        .current_dir(root)
        .env("RUST_BACKTRACE", "0")
        .env("MALLOC_ARENA_MAX", "2")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn reident");
    // Drain the pipes on threads so a chatty child cannot block.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "reident {:?} ran longer than {TIME_LIMIT:?} (a hang)",
                case.args
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = String::from_utf8_lossy(&out_thread.join().expect("stdout thread")).into_owned();
    let stderr = String::from_utf8_lossy(&err_thread.join().expect("stderr thread")).into_owned();

    assert_eq!(
        status.code(),
        Some(2),
        "reident {:?}: expected exit 2, got {status:?}\nstderr: {stderr}\nstdout: {stdout}",
        case.args
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "reident {:?} panicked: {stderr}",
        case.args
    );
    assert!(
        stderr.starts_with("error:") || stderr.contains("\nerror:") || stderr.contains("error:"),
        "no error message: {stderr}"
    );
    for part in &case.expect {
        assert!(
            stderr.contains(part),
            "reident {:?}: the message lacks {part:?}:\n{stderr}",
            case.args
        );
    }
    let after = snapshot(root);
    for (path, bytes) in &before {
        assert!(
            after.get(path) == Some(bytes),
            "reident {:?} changed or removed the input {}",
            case.args,
            path.display()
        );
    }
    for path in after.keys() {
        let name = path.to_string_lossy();
        assert!(
            !name.contains(".tmp") && !name.contains(".staging"),
            "reident {:?} left a temporary file {name}",
            case.args
        );
    }
    stderr
}
