//! What the bench programs (`compare`, `yarn`) share: the release build of
//! what they measure, and their targets table (sizes on their command lines
//! are `logmr::units::parse_size`).

use std::path::Path;
use std::process::{Command, ExitCode};

use crate::levelcount::Target;
use crate::report::Table;

/// `cargo build --release --quiet ARGS` in the workspace `root`.
pub fn build_release(root: &Path, args: &[&str]) -> Result<(), String> {
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(root)
        .args(["build", "--release", "--quiet"])
        .args(args)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("cargo build --release {} failed", args.join(" ")))
}

/// The targets, each with its goal, what was measured and whether it is met.
pub fn targets_table(title: &str, targets: &[Target]) -> Table {
    let mut t = Table::new(title, &["target", "goal", "measured", "status"]);
    for target in targets {
        t.rows.push(vec![
            target.what.clone(),
            target.goal.clone(),
            target
                .measured
                .clone()
                .unwrap_or_else(|| "not measured".into()),
            match target.met {
                Some(true) => "met".into(),
                Some(false) => "**not met**".into(),
                None => "not measured".into(),
            },
        ]);
    }
    t
}

/// Writes a report file, its path named in the error.
pub fn write(path: &Path, text: impl AsRef<[u8]>) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// A bench program's end: its error on stderr, after its name, and exit 1.
pub fn exit(name: &str, result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            ExitCode::FAILURE
        }
    }
}
