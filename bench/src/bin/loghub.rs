//! `loghub`: logmr's templates, sources and times on loghub-style samples,
//! as a markdown table on stdout.
//!
//!     cargo run --release -p logmr-bench --bin loghub -- DIR [--logmr PATH]

use std::path::PathBuf;
use std::process::ExitCode;

use logmr_bench::loghub;

const USAGE: &str = "\
usage: loghub DIR [--logmr PATH] [--repeat N] [--work-dir DIR]

Evaluates logmr on every family NAME in DIR that holds NAME/NAME_2k.log and
NAME/NAME_2k.log_structured.csv (the loghub 2k samples): grouping accuracy
against the labelled events of the learned templates (`logmr run --by
template`, applied to each line by `logmr map --emit-each --templates`) and
of the masked ones alone, source agreement with the labelled header columns,
the share of lines with a time, and lines per second of the learned path on
the sample repeated N times (default 500). --logmr defaults to this
checkout's target/release/logmr.";

fn run() -> Result<(), String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ has a parent")
        .to_path_buf();
    let mut dir = None;
    let mut logmr = root.join("target/release/logmr");
    let mut work = root.join("target/bench-loghub");
    let mut repeat = 500;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value\n\n{USAGE}"));
        match arg.as_str() {
            "-h" | "--help" => return Err(USAGE.into()),
            "--logmr" => logmr = value()?.into(),
            "--work-dir" => work = value()?.into(),
            "--repeat" => {
                let v = value()?;
                repeat = v
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or(format!("not a count: {v:?}"))?;
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}\n\n{USAGE}")),
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    let dir = dir.ok_or(USAGE)?;
    let mut families = Vec::new();
    for family in loghub::families(&dir)? {
        eprintln!("loghub: {}", family.display());
        families.push(loghub::family(&logmr, &family, &work, repeat)?);
    }
    if families.is_empty() {
        return Err(format!("{} holds no NAME/NAME_2k.log", dir.display()));
    }
    print!("{}", loghub::table(&families).markdown());
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loghub: {e}");
            ExitCode::from(2)
        }
    }
}
