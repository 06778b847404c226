//! Every script a user runs answers `--help` with its usage, exit code 0,
//! at once and without doing anything else (tests/run.sh --help used to run
//! every test).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use logmr_e2e::workspace_root;

/// The scripts users run: every `.sh` of the repository but the ones the
/// job scripts source (hadoop-jobs/lib), and CI's entry point.
fn scripts() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | ".git" | "lib" | "node_modules")
                    && !name.starts_with('.')
                {
                    walk(&path, found);
                }
            } else if name.ends_with(".sh") {
                found.push(path);
            }
        }
    }
    let root = workspace_root();
    let mut found = vec![root.join(".ci/run")];
    walk(&root, &mut found);
    found.sort();
    found
}

#[test]
fn every_script_answers_help_with_its_usage_and_does_nothing_else() {
    let scripts = scripts();
    assert!(scripts.len() >= 12, "{scripts:?}");
    for script in &scripts {
        for flag in ["--help", "-h"] {
            let started = Instant::now();
            let out = Command::new("timeout")
                .args(["60", "bash"])
                .arg(script)
                .arg(flag)
                .output()
                .unwrap();
            let took = started.elapsed();
            let (stdout, stderr) = (
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
            );
            let name = script.strip_prefix(workspace_root()).unwrap().display();
            assert_eq!(out.status.code(), Some(0), "{name} {flag}: {stderr}");
            assert!(stdout.contains("Usage:"), "{name} {flag}: {stdout}");
            assert!(!stdout.contains("==>"), "{name} {flag} ran steps: {stdout}");
            assert!(
                took < Duration::from_secs(10),
                "{name} {flag} took {took:?}"
            );
        }
    }
}

#[test]
fn the_scripts_that_run_any_job_list_the_jobs() {
    let jobs: Vec<String> = std::fs::read_dir(workspace_root().join("hadoop-jobs/jobs"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for script in ["job.sh", "job-local.sh", "spark-job.sh"] {
        let path = workspace_root().join("hadoop-jobs").join(script);
        let out = Command::new("bash")
            .arg(&path)
            .arg("--help")
            .output()
            .unwrap();
        let usage = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{script}");
        assert!(
            usage.starts_with(&format!("Usage: {script} NAME")),
            "{usage}"
        );
        for job in &jobs {
            assert!(
                usage.contains(&format!("\n  {job} ")),
                "{script}: {job} in {usage}"
            );
        }
        // Without a NAME: the list, and exit 2.
        let out = Command::new("bash").arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{script}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("the jobs are:"));
        // NAME --help: the job's options.
        let out = Command::new("bash")
            .arg(&path)
            .args(["logcount", "--help"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{script}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("--year YYYY"),
            "{script}"
        );
    }
}

#[test]
fn install_puts_man_pages_and_completions_where_man_and_bash_find_them() {
    let dir = logmr_e2e::TempDir::new("install");
    let (root, home) = (dir.join("root"), dir.join("home"));
    let out = Command::new("bash")
        .arg(workspace_root().join("mr/install.sh"))
        .arg("--root")
        .arg(&root)
        .arg("--logmr")
        .arg(logmr_e2e::binary("logmr"))
        .env("HOME", &home)
        .env_remove("XDG_DATA_HOME")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = format!(
        "{}:{}",
        root.join("bin").display(),
        std::env::var("PATH").unwrap()
    );
    // man finds every command's page beside the binary on PATH.
    for page in [
        "logmr",
        "logmr-map",
        "logmr-run",
        "logmr-report",
        "logmr-generate",
    ] {
        let found = Command::new("man")
            .args(["-w", page])
            .env("PATH", &path)
            .output();
        let found = found.expect("man must be installed: bash tests/run.sh installs it");
        assert!(found.status.success(), "man -w {page}");
        assert!(Path::new(String::from_utf8_lossy(&found.stdout).trim()).starts_with(&root));
    }
    // bash completes commands, options and their values.
    let completions = home.join(".local/share/bash-completion/completions/logmr");
    let complete = |words: &str, current: usize| {
        let script = format!(
            "source '{}'; COMP_WORDS=({words}); COMP_CWORD={current}; \
             _logmr logmr \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             echo \"${{COMPREPLY[*]}}\"",
            completions.display()
        );
        let out = Command::new("bash").arg("-c").arg(script).output().unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(complete("logmr ma", 1), "map");
    assert_eq!(complete("logmr run --form", 2), "--format");
    assert_eq!(complete("logmr run --format ''", 3), "tsv csv json");
    for file in [
        ".local/share/zsh/site-functions/_logmr",
        ".local/share/fish/vendor_completions.d/logmr.fish",
    ] {
        let text = std::fs::read_to_string(home.join(file)).unwrap();
        assert!(text.contains("--format"), "{file}");
    }
}
