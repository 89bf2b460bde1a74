//! Browser check of the HTML report: renders a sample report with every
//! chart kind, and the demo audit's report, opens each report.html in headless Chromium, and asserts that every
//! chart's `<svg>` is in the DOM with a non-zero size and that the console
//! logged no errors. The screenshot is saved next to the report under
//! `$CARGO_TARGET_TMPDIR/report_browser/`.
//!
//! Needs Chromium (`.ci/install-chromium.sh`); run with
//! `cargo test --test integration report_browser:: -- --ignored`. Set `REIDENT_CHROMIUM` to
//! the browser binary if it is not `chromium` on the PATH.

use crate::report_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use reident::audit::{run_audit, AuditConfig, AuditOptions};
use reident::report::{write_report, Chart};
use report_support::{sample_charts, sample_report};

fn chromium() -> String {
    std::env::var("REIDENT_CHROMIUM").unwrap_or_else(|_| "chromium".to_string())
}

/// Runs headless Chromium on `url` with the given extra flags; returns
/// (stdout, stderr).
fn run_chromium(profile: &Path, url: &str, extra: &[String]) -> (String, String) {
    let output = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "could not start {} ({e}); install it with .ci/install-chromium.sh or set REIDENT_CHROMIUM",
                chromium()
            )
        });
    assert!(
        output.status.success(),
        "chromium failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Lines of Chromium's log that report a page console message (the report
/// has no scripts, so any console output is unexpected), an uncaught
/// exception or a failed load.
fn console_errors(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains(":CONSOLE")
                || l.contains("Uncaught")
                || l.contains("net::ERR_")
                || l.contains("Failed to load")
        })
        .collect()
}

/// The value of attribute `name` in the start tag `tag` (e.g. `<svg ...>`).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_string())
}

/// Opens `html` in headless Chromium and checks that every chart in `charts`
/// is in the DOM with a non-zero size and its title, that no console error
/// was logged, and saves a 1280-wide screenshot as `screenshot`.
fn check_in_chromium(html: &Path, charts: &[Chart], screenshot: &Path) {
    let html_path = html.canonicalize().unwrap();
    let url = format!("file://{}", html_path.display());
    let profile = tempfile::tempdir().unwrap();

    let (dom, stderr) = run_chromium(profile.path(), &url, &["--dump-dom".to_string()]);
    let errors = console_errors(&stderr);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    for c in charts {
        let figure = format!("<figure id=\"chart-{}\" class=\"chart\">", c.name);
        let at = dom
            .find(&figure)
            .unwrap_or_else(|| panic!("chart {} missing from the DOM", c.name));
        let rest = &dom[at..];
        let svg_start = rest.find("<svg").expect("figure without svg");
        let svg_tag_end = rest[svg_start..].find('>').unwrap() + svg_start;
        let tag = &rest[svg_start..=svg_tag_end];
        let width: f64 = attribute(tag, "width")
            .and_then(|w| w.parse().ok())
            .unwrap_or(0.0);
        let height: f64 = attribute(tag, "height")
            .and_then(|h| h.parse().ok())
            .unwrap_or(0.0);
        assert!(
            width > 0.0 && height > 0.0,
            "chart {} has size {width}x{height}: {tag}",
            c.name
        );
        let figure_end = rest.find("</figure>").unwrap();
        assert!(
            rest[..figure_end].contains(&c.title),
            "chart {} lost its title text",
            c.name
        );
    }
    assert_eq!(dom.matches("<svg").count(), charts.len());

    let (_, stderr) = run_chromium(
        profile.path(),
        &url,
        &[
            format!("--screenshot={}", screenshot.display()),
            "--window-size=1280,4000".to_string(),
        ],
    );
    let errors = console_errors(&stderr);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    let png = std::fs::read(screenshot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: 1280 x 4000 pixels.
    assert_eq!(&png[16..24], &[0, 0, 5, 0, 0, 0, 15, 160]);
}

#[test]
#[ignore = "needs Chromium; run with --ignored (CI installs it with .ci/install-chromium.sh)"]
fn html_report_renders_in_headless_chromium() {
    let charts = sample_charts();
    let report = sample_report(&charts, false);
    let out: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_browser");
    let _ = std::fs::remove_dir_all(&out);
    let written = write_report(
        &report,
        &charts,
        &out.join("report"),
        &["/nonexistent/input.csv"],
    )
    .unwrap();
    check_in_chromium(&written.html, &charts, &out.join("screenshot.png"));
}

#[test]
#[ignore = "needs Chromium; run with --ignored (CI installs it with .ci/install-chromium.sh)"]
fn demo_audit_report_renders_in_headless_chromium() {
    // The report `reident audit --demo` writes, charts and all.
    let config_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/audit-demo.toml");
    let config = AuditConfig::from_file(&config_path).unwrap();
    let outcome = run_audit(&config, &AuditOptions::default(), &|_| {}).unwrap();
    assert!(outcome.charts.len() >= 10, "{}", outcome.charts.len());
    let out: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_browser_audit");
    let _ = std::fs::remove_dir_all(&out);
    let written = write_report(
        &outcome.report,
        &outcome.charts,
        &out.join("report"),
        &config.input_files(),
    )
    .unwrap();
    check_in_chromium(&written.html, &outcome.charts, &out.join("screenshot.png"));
}

#[test]
#[ignore = "needs Chromium; run with --ignored (CI installs it with .ci/install-chromium.sh)"]
fn console_error_detection_catches_a_broken_page() {
    // The check above must be able to fail: a page that logs an error and
    // throws must be caught.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        "<html><body><script>console.error('boom'); undefinedFn();</script></body></html>",
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let (_, stderr) = run_chromium(profile.path(), &url, &["--dump-dom".to_string()]);
    let errors = console_errors(&stderr);
    assert_eq!(errors.len(), 2, "{stderr}");
    assert!(errors.iter().any(|l| l.contains("boom")));
    assert!(errors.iter().any(|l| l.contains("Uncaught ReferenceError")));
}
