//! What the bench programs (`compare`, `yarn`) share: sizes on their command
//! lines, the release build of what they measure, and their targets table.

use std::path::Path;
use std::process::Command;

use crate::levelcount::Target;
use crate::report::Table;

/// A size or count with an optional `K`, `M` or `G` suffix (powers of
/// 1024); zero is refused.
pub fn size(text: &str) -> Result<u64, String> {
    let (num, mult) = match text.to_ascii_uppercase().chars().last() {
        Some('K') => (&text[..text.len() - 1], 1 << 10),
        Some('M') => (&text[..text.len() - 1], 1 << 20),
        Some('G') => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    num.parse::<u64>()
        .ok()
        .filter(|&n| n > 0)
        .map(|n| n * mult)
        .ok_or_else(|| format!("not a size: {text:?}"))
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_suffixes_and_refuse_zero() {
        assert_eq!(size("3M"), Ok(3 << 20));
        assert_eq!(size("2g"), Ok(2 << 30));
        assert_eq!(size("500"), Ok(500));
        assert!(size("0").is_err());
        assert!(size("1T").is_err());
    }
}
