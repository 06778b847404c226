//! `logmr generate`: shell completions and man pages, made from the same
//! clap definitions as the help, so that they never drift from it.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use clap_complete::Shell;
use logmr::error::{EXIT_IO, EXIT_OK, EXIT_USAGE};
use logmr::{Error, Result};

use crate::help::with_exit_codes;

const HELP: &str = "\
Completions go to stdout; man pages (logmr.1, and logmr-map.1 and so on for
each command) are written into DIR. bash mr/install.sh installs both where
the shells and man look for them.

Examples:
  logmr generate bash > ~/.local/share/bash-completion/completions/logmr
  logmr generate zsh > ~/.local/share/zsh/site-functions/_logmr
  logmr generate fish > ~/.config/fish/completions/logmr.fish
  logmr generate man ~/.local/share/man/man1 && man logmr-run";

pub fn help() -> String {
    with_exit_codes(HELP, &[EXIT_OK, EXIT_IO, EXIT_USAGE])
}

/// What `logmr generate` makes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum What {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
    /// Man pages, into DIR.
    Man,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Completions for a shell (bash, zsh, fish, powershell, elvish), or man
    /// pages.
    #[arg(value_enum)]
    pub what: What,

    /// With man: the directory the pages are written into (made if missing).
    #[arg(value_name = "DIR", required_if_eq("what", "man"))]
    pub dir: Option<PathBuf>,
}

pub fn run(args: GenerateArgs, mut command: clap::Command, out: &mut dyn Write) -> Result<()> {
    let shell = match args.what {
        What::Bash => Shell::Bash,
        What::Zsh => Shell::Zsh,
        What::Fish => Shell::Fish,
        What::Powershell => Shell::PowerShell,
        What::Elvish => Shell::Elvish,
        What::Man => {
            let dir = args.dir.unwrap_or_default();
            let written = std::fs::create_dir_all(&dir)
                .and_then(|()| clap_mangen::generate_to(command, &dir));
            return written.map_err(|source| Error::WriteFile {
                path: dir.display().to_string(),
                source,
            });
        }
    };
    if args.dir.is_some() {
        return Err(Error::Usage(
            "DIR is for man pages; completions go to stdout".into(),
        ));
    }
    // Into memory first: the generator panics on a failed write.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "logmr", &mut script);
    out.write_all(&script).map_err(Error::Write)?;
    out.flush().map_err(Error::Write)
}
