//! Facts about the machine and tools a report was measured with.

use std::process::Command;

/// Output of a command, first line only, or `None` when it cannot run.
pub fn first_line(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    String::from_utf8_lossy(&text)
        .lines()
        .next()
        .map(|l| l.trim().to_string())
}

pub fn has(cmd: &str) -> bool {
    Command::new("bash")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

/// Today's date, UTC, as YYYY-MM-DD.
pub fn today() -> String {
    first_line("date", &["-u", "+%Y-%m-%d"]).unwrap_or_else(|| "unknown-date".to_string())
}

/// All CPUs' time counters from `/proc/stat`, in clock ticks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuTimes {
    total: u64,
    steal: u64,
}

impl CpuTimes {
    /// The counters now, or `None` where `/proc/stat` cannot be read.
    pub fn now() -> Option<CpuTimes> {
        CpuTimes::parse(&std::fs::read_to_string("/proc/stat").ok()?)
    }

    /// From the `cpu` line of `/proc/stat`: user, nice, system, idle,
    /// iowait, irq, softirq and steal make the total (guest time is
    /// already counted in user).
    fn parse(stat: &str) -> Option<CpuTimes> {
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let fields: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .take(8)
            .map(|f| f.parse().ok())
            .collect::<Option<_>>()?;
        (fields.len() == 8).then(|| CpuTimes {
            total: fields.iter().sum(),
            steal: fields[7],
        })
    }

    /// The share of CPU time the hypervisor gave to other guests between
    /// `earlier` and these counters: on a shared virtual machine, the
    /// time every measurement of the run lost alike.
    pub fn steal_since(&self, earlier: &CpuTimes) -> Option<f64> {
        let total = self.total.checked_sub(earlier.total)?;
        let steal = self.steal.checked_sub(earlier.steal)?;
        (total > 0).then(|| steal as f64 / total as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steal_is_the_share_of_stolen_ticks() {
        let before = CpuTimes::parse("cpu  100 0 50 800 10 0 0 40 0 0\ncpu0 1 2 3\n").unwrap();
        let after = CpuTimes::parse("intr 5\ncpu  200 0 100 950 10 0 0 140 7 0\n").unwrap();
        // 400 ticks passed, 100 of them stolen.
        assert_eq!(after.steal_since(&before), Some(0.25));
        assert_eq!(before.steal_since(&after), None);
        assert_eq!(CpuTimes::parse("cpu  1 2 3\n"), None);
        assert_eq!(CpuTimes::parse("cpu0 1 2 3 4 5 6 7 8\n"), None);
        assert!(CpuTimes::now().is_some());
    }
}
