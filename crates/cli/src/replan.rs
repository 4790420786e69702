//! `senroute solve --from plan.json [--lock RUNS]`: re-planning from a
//! previous plan with locked runs, and the `changes.csv` it writes.

use crate::Failure;
use clap::Args;
use senroute_model::{parse_locks, read_previous_plan, write_changes_csv, Change};
use senroute_planner::{Replan, DEFAULT_CHANGE_COST};
use std::path::{Path, PathBuf};

/// Re-planning options of `solve`.
#[derive(Args, Debug, Clone)]
pub struct ReplanArgs {
    /// Re-plan from this previous plan (the plan.json `solve` wrote): its
    /// runs are the starting point, new pupils are placed, pupils no longer
    /// on the list are dropped; writes changes.csv.
    #[arg(long, value_name = "PLAN_JSON")]
    pub from: Option<PathBuf>,
    /// Runs of the previous plan to keep exactly (vehicle, pupils, order),
    /// comma-separated: run numbers as in routes.csv and the manifests (`3`;
    /// `am:3`, `pm:2` for a day plan) or vehicles (`MINIBUS#2`).
    #[arg(long, value_name = "RUNS", requires = "from")]
    pub lock: Option<String>,
    /// £ per pupil who rides another vehicle than in the previous plan.
    #[arg(long, value_name = "POUNDS", requires = "from", default_value_t = DEFAULT_CHANGE_COST)]
    pub change_cost: f64,
}

impl ReplanArgs {
    /// The re-plan these options ask for, if any: the previous plan read and
    /// the locks parsed against it (exit 2 on a bad file or lock).
    pub fn load(&self) -> Result<Option<Replan>, Failure> {
        let Some(path) = &self.from else {
            return Ok(None);
        };
        if !(self.change_cost.is_finite() && self.change_cost >= 0.0) {
            return Err(Failure::Input(format!(
                "--change-cost: {} is not a cost in £ (give 0 or more)",
                self.change_cost
            )));
        }
        let source = path.display().to_string();
        let text = crate::commands::read_bounded_text(path, " JSON")?;
        let previous = read_previous_plan(&source, &text)?;
        let locked = match &self.lock {
            Some(l) => parse_locks("--lock", l, &previous)?,
            None => Vec::new(),
        };
        Ok(Some(Replan {
            previous,
            locked,
            change_cost: self.change_cost,
            source,
        }))
    }
}

/// Writes `changes.csv` into `dir`.
pub fn write_changes(dir: &Path, changes: &[Change]) -> Result<PathBuf, Failure> {
    let path = dir.join("changes.csv");
    let file = std::fs::File::create(&path)
        .map_err(|e| Failure::Internal(anyhow::anyhow!("creating {}: {e}", path.display())))?;
    write_changes_csv(std::io::BufWriter::new(file), changes)
        .map_err(|e| Failure::Internal(anyhow::anyhow!("writing {}: {e}", path.display())))?;
    Ok(path)
}
