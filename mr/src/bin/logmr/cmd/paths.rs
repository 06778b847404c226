//! `logmr paths`: a Hadoop job's paths resolved as Hadoop resolves them,
//! and the guard the job scripts run before they delete or submit anything.

use std::io::Write;

use clap::Args;
use logmr::error::{EXIT_IO, EXIT_OK, EXIT_USAGE};
use logmr::jobpaths::{FileSystem, Job, Resolver, check_settings};
use logmr::{Error, Result};

use crate::help::with_exit_codes;

const HELP: &str = "\
Each -D setting is checked first (the local job scripts check theirs so).
Without --output, prints each INPUT as Hadoop Streaming's -input reads it:
the value, then a TAB and each path it names, qualified as Hadoop qualifies
it (split at commas outside {...}; parsed as org.apache.hadoop.fs.Path; a
relative path under --home; a missing scheme or authority the default file
system's), or `error: WHY`.

With --output, checks a job before it runs and prints its output qualified:
the output must be a literal path, not a root, and neither equal, hold nor
lie inside any input (comma lists, globs, {a,b} and -D
mapreduce.input.fileinputformat.inputdir included); each -D must be
KEY=VALUE, and not one that Hadoop Streaming would hand the tasks as a system
environment variable (LD.PRELOAD becomes LD_PRELOAD) or that moves the
output. The job scripts (hadoop-jobs/) run this before anything is deleted.

With the default file system unknown (no --default-fs, no -D fs.defaultFS),
a path without a scheme or authority may be on any file system, so it is
compared with every other: refusing too much is safe.

A path Hadoop would refuse, or a job that is not safe, is bad arguments
(exit 2), the reason on stderr; exit 0 means the paths resolve and the job
is safe to run.";

pub fn help() -> String {
    with_exit_codes(HELP, &[EXIT_OK, EXIT_IO, EXIT_USAGE])
}

#[derive(Debug, Args)]
pub struct PathsArgs {
    /// Check a job with this output directory (as given to -output) and
    /// print the output as Hadoop qualifies it.
    #[arg(long, value_name = "PATH")]
    pub output: Option<String>,
    /// A Hadoop setting of the job, as given to hadoop jar -D (repeatable).
    #[arg(short = 'D', value_name = "KEY=VALUE")]
    pub settings: Vec<String>,
    /// The default file system, as fs.defaultFS gives it [default: unknown;
    /// -D fs.defaultFS wins].
    #[arg(long, value_name = "URI")]
    pub default_fs: Option<String>,
    /// The working directory that relative paths lie in [default:
    /// /user/$HADOOP_USER_NAME, else /user/$USER].
    #[arg(long, value_name = "DIR")]
    pub home: Option<String>,
    /// Values as given to -input: comma lists, globs.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,
}

pub fn run(args: PathsArgs, out: &mut dyn Write) -> Result<()> {
    check_settings(&args.settings).map_err(|e| Error::Usage(e.0))?;
    if args.output.is_none() && args.inputs.is_empty() {
        return Ok(());
    }
    let default_fs = args
        .default_fs
        .as_deref()
        .map(FileSystem::parse)
        .transpose()
        .map_err(|e| Error::Usage(e.0))?;
    let home = match args.home {
        Some(home) => home,
        None => ["HADOOP_USER_NAME", "USER", "LOGNAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|n| !n.is_empty()))
            .map(|name| format!("/user/{name}"))
            .ok_or_else(|| {
                Error::Usage("no user name to find the home directory (HADOOP_USER_NAME, USER and LOGNAME are unset): give --home /user/NAME".into())
            })?,
    };
    let Some(output) = args.output else {
        let resolver = Resolver {
            default_fs: default_fs.unwrap_or_default(),
            home,
        };
        let mut failed = false;
        let mut text = String::new();
        for input in &args.inputs {
            text.push_str(input);
            match resolver.inputs(input) {
                Ok(paths) => paths.iter().for_each(|p| text.push_str(&format!("\t{p}"))),
                Err(e) => {
                    failed = true;
                    text.push_str(&format!("\terror: {e}"));
                }
            }
            text.push('\n');
        }
        out.write_all(text.as_bytes()).map_err(Error::Write)?;
        out.flush().map_err(Error::Write)?;
        return if failed {
            Err(Error::Usage("a path Hadoop would refuse".into()))
        } else {
            Ok(())
        };
    };
    let job = Job {
        output,
        inputs: args.inputs,
        settings: args.settings,
    };
    let checked = job
        .check(&home, default_fs)
        .map_err(|e| Error::Usage(e.0))?;
    writeln!(out, "{}", checked.output).map_err(Error::Write)?;
    out.flush().map_err(Error::Write)
}
