//! Errors starting an environment. They reach callers as function errors
//! (`Runtime.InvalidEntrypoint`), never as platform failures.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    #[error("couldn't find valid bootstrap(s): [{0}]")]
    NoBootstrap(PathBuf),
    #[error("cannot start runtime program {program}")]
    Exec {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot bind the runtime API listener")]
    Listen(#[source] std::io::Error),
}
