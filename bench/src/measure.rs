//! Runs a shell command and measures it: wall time and the peak resident
//! memory of the largest process in it (its own or any child's).

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One measured run.
#[derive(Clone, Debug)]
pub struct Run {
    pub wall: Duration,
    /// Peak RSS in bytes of the largest process of the run.
    pub max_rss: u64,
    pub stdout: String,
}

/// How a command is started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    /// `bash -c` under `set -o pipefail`, for pipelines.
    Bash,
    /// `sh -c 'exec …'` for one process, which then replaces the small
    /// shell, so that the peak RSS measured is the process's own.
    Exec,
}

/// Runs `script`; a failure is an error.
pub fn run(shell: Shell, script: &str) -> Result<Run, String> {
    let started = Instant::now();
    let (program, script_text) = match shell {
        Shell::Bash => ("bash", format!("set -o pipefail\n{script}")),
        Shell::Exec => ("sh", format!("exec {script}")),
    };
    let mut child = Command::new(program)
        .arg("-c")
        .arg(script_text)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start bash: {e}"))?;
    let mut stdout = String::new();
    let mut stderr = String::new();
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let _ = err_pipe.read_to_string(&mut stderr);
        stderr
    });
    out_pipe
        .read_to_string(&mut stdout)
        .map_err(|e| format!("reading the output of {script:?}: {e}"))?;
    let (status, max_rss) = wait_with_rusage(child.id())?;
    let wall = started.elapsed();
    let stderr = err_reader.join().unwrap_or_default();
    if status != 0 {
        return Err(format!(
            "{script:?} failed with status {status}: {}",
            stderr.trim()
        ));
    }
    Ok(Run {
        wall,
        max_rss,
        stdout,
    })
}

/// Waits for `pid` and returns its exit status and the peak RSS of it and
/// its waited-for descendants.
fn wait_with_rusage(pid: u32) -> Result<(i32, u64), String> {
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for; both pointers are
    // valid for writes.
    let rc = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
    if rc < 0 {
        return Err(format!("wait4: {}", std::io::Error::last_os_error()));
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    // Linux reports ru_maxrss in KiB.
    Ok((code, usage.ru_maxrss as u64 * 1024))
}

/// Several runs of one command, summarised by their medians.
#[derive(Clone, Debug)]
pub struct Sample {
    pub runs: Vec<Run>,
}

impl Sample {
    /// Runs `script` `n` times (at least once).
    pub fn take(shell: Shell, script: &str, n: usize) -> Result<Sample, String> {
        let runs = (0..n.max(1))
            .map(|_| run(shell, script))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Sample { runs })
    }

    pub fn median_wall(&self) -> Duration {
        let mut walls: Vec<Duration> = self.runs.iter().map(|r| r.wall).collect();
        walls.sort();
        walls[walls.len() / 2]
    }

    pub fn max_rss(&self) -> u64 {
        self.runs.iter().map(|r| r.max_rss).max().unwrap_or(0)
    }

    /// The output of the last run.
    pub fn stdout(&self) -> &str {
        &self.runs.last().expect("at least one run").stdout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_output_status_and_memory() {
        let sample = Sample::take(Shell::Bash, "printf 'a\\tb\\n'", 3).unwrap();
        assert_eq!(sample.runs.len(), 3);
        assert_eq!(sample.stdout(), "a\tb\n");
        assert!(sample.max_rss() > 0);
        // A child that allocates 64 MiB shows up in the peak.
        let big = run(
            Shell::Bash,
            "python3 -c 'x = bytearray(64 << 20); x[::4096] = b\"y\" * len(x[::4096])'",
        )
        .unwrap();
        assert!(big.max_rss > 60 << 20, "{}", big.max_rss);
        // A lone small process is measured without the shell's memory.
        let small = run(Shell::Exec, "sleep 0").unwrap();
        assert!(small.max_rss < big.max_rss / 8, "{}", small.max_rss);
        let err = run(Shell::Bash, "false | true").unwrap_err();
        assert!(err.contains("status 1"), "{err}");
    }
}
