//! Writing a cohort as the coordinators' CSV files that
//! `senroute_model::read_problem_files` reads.

use std::path::Path;

use crate::{Cohort, SynthError};

impl Cohort {
    /// The three files as bytes: `[("pupils.csv", …), ("schools.csv", …),
    /// ("fleet.csv", …)]`, written by [`senroute_model::csv_out::write_problem`].
    /// Coordinates are written with six decimals at most and numbers in
    /// their shortest exact form, so the bytes depend only on the cohort.
    pub fn csv_files(&self) -> [(&'static str, Vec<u8>); 3] {
        senroute_model::csv_out::write_problem(&self.problem)
    }

    /// Writes `pupils.csv`, `schools.csv` and `fleet.csv` into `dir`
    /// (created if missing), overwriting files of those names.
    pub fn write_csv(&self, dir: &Path) -> Result<(), SynthError> {
        std::fs::create_dir_all(dir).map_err(|source| SynthError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        for (name, bytes) in self.csv_files() {
            let path = dir.join(name);
            std::fs::write(&path, bytes).map_err(|source| SynthError::Write { path, source })?;
        }
        Ok(())
    }
}
