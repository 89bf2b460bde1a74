//! The one progress bar of every command: drawn on standard error when it is
//! a terminal, hidden otherwise (pipes, CI logs, tests), so output that is
//! read by programs never holds bar frames. Commands only choose the length
//! and the label; the library reports steps through callbacks and never
//! draws.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `len` steps labelled `what` ("trials", "attacks"), with the
/// current step's message and the estimated time left.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    styled(
        ProgressBar::new(len),
        &format!("{{bar:40}} {{pos}}/{{len}} {what} ({{eta}}) {{wide_msg}}"),
    )
}

/// A spinner for work of unknown length, labelled `what`, showing the current
/// step's message.
pub fn spinner(what: &str) -> ProgressBar {
    let bar = styled(
        ProgressBar::new_spinner(),
        &format!("{{spinner}} {what}: {{wide_msg}}"),
    );
    if !bar.is_hidden() {
        bar.enable_steady_tick(Duration::from_millis(120));
    }
    bar
}

fn styled(bar: ProgressBar, template: &str) -> ProgressBar {
    if std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar
}
