//! Live feedback on stderr while a run goes on: a progress bar when stderr is a terminal, and
//! the lines a person must see before a write (the table about to be changed).

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::escape_terminal;

/// Live feedback on stderr: a progress bar when stderr is a terminal, and lines a person needs
/// to see while the run goes on. Nothing with `-q`.
pub struct Progress {
    bar: std::sync::Mutex<ProgressBar>,
    visible: bool,
    quiet: bool,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        Progress {
            bar: std::sync::Mutex::new(ProgressBar::hidden()),
            visible: !quiet && std::io::stderr().is_terminal(),
            quiet,
        }
    }

    fn current(&self) -> ProgressBar {
        self.bar
            .lock()
            .map(|b| b.clone())
            .unwrap_or_else(|_| ProgressBar::hidden())
    }

    fn replace(&self, bar: ProgressBar) {
        if let Ok(mut current) = self.bar.lock() {
            current.finish_and_clear();
            *current = bar;
        }
    }

    fn target(&self) -> ProgressDrawTarget {
        if self.visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        }
    }

    /// A spinner counting items.
    pub fn spinner(&self, message: String) {
        let style = ProgressStyle::with_template("{spinner} {msg}: {pos} items")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = ProgressBar::with_draw_target(None, self.target())
            .with_style(style)
            .with_message(message);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        self.replace(bar);
    }

    /// A bar to `len`.
    pub fn bar(&self, message: String, len: u64) {
        let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bar = ProgressBar::with_draw_target(Some(len), self.target())
            .with_style(style)
            .with_message(message);
        self.replace(bar);
    }

    pub fn inc(&self) {
        self.current().inc(1);
    }

    pub fn finish(&self) {
        self.current().finish_and_clear();
    }

    /// A line on stderr (escaped), above the bar.
    pub fn line(&self, text: &str) {
        if self.quiet {
            return;
        }
        let text = escape_terminal(text);
        self.current().suspend(|| {
            let _ = writeln!(std::io::stderr(), "{text}");
        });
    }
}
