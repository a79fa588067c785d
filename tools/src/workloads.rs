//! Finding the benchmark's workloads: committed ones by name, or files.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use paprika_adapt::sim::WorkloadFactory;
use paprika_adapt::sim::workload::NamedWorkload;

/// Where the committed (small, CI-sized) workloads live.
pub fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpora/workloads/ci")
}

/// Names of the committed workloads, sorted.
pub fn committed() -> Result<Vec<String>> {
    let dir = committed_dir();
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "pwl") {
            if let Some(stem) = path.file_stem() {
                names.push(stem.to_string_lossy().into_owned());
            }
        }
    }
    names.sort();
    Ok(names)
}

/// A workload by committed name or by path to a `.pwl` file.
pub fn open(spec: &str) -> Result<Box<dyn WorkloadFactory>> {
    let path =
        if Path::new(spec).is_file() { PathBuf::from(spec) } else { committed_dir().join(format!("{spec}.pwl")) };
    let w = NamedWorkload::open(&path).with_context(|| format!("opening workload {}", path.display()))?;
    Ok(Box::new(w))
}
