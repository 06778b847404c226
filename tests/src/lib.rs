//! Harness for end-to-end tests: locating the workspace's built binaries,
//! temporary directories, and a real Kafka-protocol broker ([`broker`]).

pub mod broker;
pub mod services;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub use logmr_harness::TempDir;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The directory that holds this build's binaries (`target/debug` or
/// `target/release`), found from the running test executable.
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/<test-binary>
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .to_path_buf()
}

/// The path of a workspace binary, built on first use so that a plain
/// `cargo test` works without a separate build step.
pub fn binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let release = bin_dir().ends_with("release");
        let mut cmd = Command::new(cargo);
        cmd.current_dir(workspace_root())
            .args(["build", "--quiet", "--workspace", "--bins"]);
        if release {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build");
        assert!(status.success(), "cargo build --workspace --bins failed");
    });
    let path = bin_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(path.is_file(), "binary {} was not built", path.display());
    path
}

/// Waits (up to 30 s) until process `pid` handles SIGTERM, so that a test's
/// SIGTERM reaches the program's handler rather than ending a process that
/// has not installed it yet. Reads the caught-signal mask in /proc.
pub fn wait_for_sigterm_handler(pid: u32) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let caught = status
            .lines()
            .find_map(|l| l.strip_prefix("SigCgt:"))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .unwrap_or(0);
        if caught & (1 << (15 - 1)) != 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "process {pid} installed no SIGTERM handler within 30 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Sends `signal` (`TERM`, `INT`) to `child` once it handles signals and
/// has run a moment, and waits for it: its output, and how long it took to
/// exit after the signal.
pub fn signal_and_wait(
    child: std::process::Child,
    signal: &str,
) -> (std::process::Output, std::time::Duration) {
    wait_for_sigterm_handler(child.id());
    std::thread::sleep(std::time::Duration::from_millis(300));
    let sent = std::time::Instant::now();
    let killed = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success(), "kill -{signal} {}", child.id());
    let out = child.wait_with_output().unwrap();
    (out, sent.elapsed())
}
