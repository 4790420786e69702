//! The progress bar shown while solving, and Ctrl-C handling.

use indicatif::{ProgressBar, ProgressStyle};
use senroute_planner::Progress;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A spinner-style bar with elapsed time, best cost, vehicles and unassigned.
pub struct SolveProgress {
    bar: Option<ProgressBar>,
    limit: Option<Duration>,
}

impl SolveProgress {
    /// A bar, hidden when `quiet`.
    pub fn new(quiet: bool, limit: Option<Duration>) -> Self {
        let bar = (!quiet).then(|| {
            let len = limit.map_or(0, |l| l.as_millis() as u64);
            let b = ProgressBar::new(len);
            b.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {msg}")
                    .expect("static template")
                    .progress_chars("=> "),
            );
            b.enable_steady_tick(Duration::from_millis(200));
            b.set_message("building the first plan…");
            b
        });
        SolveProgress { bar, limit }
    }

    /// Updates the bar from a solver report.
    pub fn update(&self, p: Progress) {
        if let Some(b) = &self.bar {
            if self.limit.is_some() {
                b.set_position(p.elapsed.as_millis() as u64);
            }
            b.set_message(format!(
                "best £{:.2}/day · {} vehicles · {} unassigned · {} iterations",
                p.best_cost, p.vehicles, p.unassigned, p.iteration
            ));
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// A flag set by Ctrl-C: the search stops and the best plan is still written.
pub fn ctrl_c_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    // A second handler cannot be installed (e.g. in tests); Ctrl-C then just
    // terminates, which is the default anyway.
    let _ = ctrlc::set_handler(move || {
        if f.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\nstopping: writing the best plan found so far (Ctrl-C again to abort)");
    });
    flag
}
