//! Runs a shell command and measures it: wall time, CPU time, and the peak
//! resident memory of the largest process in it (its own or any child's).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One measured run.
#[derive(Clone, Debug)]
pub struct Run {
    pub wall: Duration,
    /// User and system time of every process of the run that was waited
    /// for (a background process killed at the end is not).
    pub cpu: Duration,
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

/// GNU time, which measures the peak RSS. A child started by this (larger)
/// process would inherit this process's RSS as its starting peak.
pub const GNU_TIME: &str = "/usr/bin/time";

/// Runs `script` under GNU time; a failure is an error.
pub fn run(shell: Shell, script: &str) -> Result<Run, String> {
    let (program, script_text) = match shell {
        Shell::Bash => ("bash", format!("set -o pipefail\n{script}")),
        Shell::Exec => ("sh", format!("exec {script}")),
    };
    let rss_file = std::env::temp_dir().join(format!("logmr-bench-rss-{}", std::process::id()));
    let cpu_before = children_cpu();
    let started = Instant::now();
    let out = Command::new(GNU_TIME)
        .args(["-f", "%M", "-o"])
        .arg(&rss_file)
        .args([program, "-c", &script_text])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {GNU_TIME} (Debian package `time`): {e}"))?;
    let wall = started.elapsed();
    let cpu = children_cpu().saturating_sub(cpu_before);
    let rss_text = std::fs::read_to_string(&rss_file).unwrap_or_default();
    let _ = std::fs::remove_file(&rss_file);
    if !out.status.success() {
        return Err(format!(
            "{script:?} failed with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let kib: u64 = rss_text
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| format!("{GNU_TIME} gave no peak RSS: {rss_text:?}"))?;
    let stdout =
        String::from_utf8(out.stdout).map_err(|_| format!("{script:?} printed non-UTF-8"))?;
    Ok(Run {
        wall,
        cpu,
        max_rss: kib * 1024,
        stdout,
    })
}

/// User and system time of this process's children that were waited for.
fn children_cpu() -> Duration {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
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

    pub fn median_cpu(&self) -> Duration {
        let mut cpus: Vec<Duration> = self.runs.iter().map(|r| r.cpu).collect();
        cpus.sort();
        cpus[cpus.len() / 2]
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
        // 0.3 s of CPU shows up in the CPU time, and a sleep does not.
        let busy = run(
            Shell::Bash,
            "python3 -c 'import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass'; sleep 0.3",
        )
        .unwrap();
        assert!(busy.cpu >= Duration::from_millis(290), "{:?}", busy.cpu);
        assert!(busy.cpu < Duration::from_millis(550), "{:?}", busy.cpu);
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
        assert!(err.contains("exit status: 1"), "{err}");
    }
}
