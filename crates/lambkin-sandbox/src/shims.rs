//! The runtime bootstraps lambkin ships inside its binary, written out at start.

use std::path::Path;

const NODE_BOOTSTRAP: &str = include_str!("../runtimes/node/bootstrap.js");
const PYTHON_BOOTSTRAP: &str = include_str!("../runtimes/python/bootstrap.py");

pub(crate) const NODE_PATH: &str = "node/bootstrap.js";
pub(crate) const PYTHON_PATH: &str = "python/bootstrap.py";

/// Writes the bootstraps under `dir` (overwriting older copies from a previous version).
pub fn install_shims(dir: &Path) -> std::io::Result<()> {
    for (rel, text) in [(NODE_PATH, NODE_BOOTSTRAP), (PYTHON_PATH, PYTHON_BOOTSTRAP)] {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}
