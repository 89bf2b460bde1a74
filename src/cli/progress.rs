//! The one progress bar of every command: drawn on standard error when it is
//! a terminal, hidden otherwise (pipes, CI logs, tests), so output that is
//! read by programs never holds bar frames. Commands only choose the length
//! and the label; the library reports steps through callbacks and never
//! draws.
//!
//! A caller that draws progress itself (the Python package's notebook bar)
//! runs a command inside [`observe`]: the bars the command creates on that
//! thread are then never drawn on standard error, and the caller reads the
//! latest one's position, length and message from its [`Observer`] (from
//! another thread, as often as it likes).

use std::cell::RefCell;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `len` steps labelled `what` ("trials", "attacks"), with the
/// current step's message and the estimated time left.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    styled(
        ProgressBar::new(len),
        &format!("{{bar:40}} {{pos}}/{{len}} {what} ({{eta}}) {{wide_msg}}"),
        what,
    )
}

/// A spinner for work of unknown length, labelled `what`, showing the current
/// step's message.
pub fn spinner(what: &str) -> ProgressBar {
    let bar = styled(
        ProgressBar::new_spinner(),
        &format!("{{spinner}} {what}: {{wide_msg}}"),
        what,
    );
    if !bar.is_hidden() {
        bar.enable_steady_tick(Duration::from_millis(120));
    }
    bar
}

fn styled(bar: ProgressBar, template: &str, what: &str) -> ProgressBar {
    let observed = OBSERVER.with(|o| {
        o.borrow().as_ref().map(|observer| {
            bar.set_draw_target(ProgressDrawTarget::hidden());
            if let Ok(mut latest) = observer.0.lock() {
                *latest = Some((what.to_string(), bar.clone()));
            }
        })
    });
    if observed.is_some() {
        return bar;
    }
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

/// Where a caller reads the progress of the command it runs inside
/// [`observe`]: the latest bar the command created. Clones share it.
#[derive(Debug, Clone, Default)]
pub struct Observer(Arc<Mutex<Option<(String, ProgressBar)>>>);

/// The state of an observed bar at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// What the steps are ("trials", "attacks"; a spinner's label).
    pub what: String,
    /// Steps done.
    pub position: u64,
    /// Steps in all; `None` for a spinner (work of unknown length).
    pub length: Option<u64>,
    /// The current step's message (may be empty).
    pub message: String,
    /// Whether the command finished with the bar.
    pub finished: bool,
}

impl Observer {
    /// A new observer with no bar yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The latest bar's state, or `None` before the command created one.
    pub fn snapshot(&self) -> Option<Snapshot> {
        let latest = self.0.lock().ok()?;
        latest.as_ref().map(|(what, bar)| Snapshot {
            what: what.clone(),
            position: bar.position(),
            length: bar.length(),
            message: bar.message(),
            finished: bar.is_finished(),
        })
    }
}

thread_local! {
    /// The observer of the command running on this thread, if any.
    static OBSERVER: RefCell<Option<Observer>> = const { RefCell::new(None) };
}

/// Runs `job` (a command) with `observer` receiving the bars it creates on
/// this thread instead of standard error.
pub fn observe<R>(observer: &Observer, job: impl FnOnce() -> R) -> R {
    let previous = OBSERVER.with(|o| o.replace(Some(observer.clone())));
    let result = job();
    OBSERVER.with(|o| *o.borrow_mut() = previous);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_observed_bar_reports_its_steps_to_the_observer() {
        let observer = Observer::new();
        assert_eq!(observer.snapshot(), None);
        observe(&observer, || {
            let b = bar(10, "trials");
            b.inc(3);
            b.set_message("step two");
        });
        let seen = observer.snapshot().unwrap();
        assert_eq!(
            seen,
            Snapshot {
                what: "trials".into(),
                position: 3,
                length: Some(10),
                message: "step two".into(),
                finished: false,
            }
        );
        // Outside `observe`, bars go back to standard error (hidden in tests).
        let _ = bar(5, "other");
        assert_eq!(observer.snapshot().unwrap().what, "trials");
    }
}
