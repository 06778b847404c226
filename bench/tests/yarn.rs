//! The YARN harness, run end to end on tiny inputs against the services of
//! tests/services, so that it cannot rot: every job of its tables must run
//! on YARN (and Spark) and give the checked output, and the YARN section
//! must land in the summary.

use std::process::Command;

#[test]
fn yarn_runs_every_job_on_tiny_inputs_and_writes_its_section() {
    let dir = std::env::temp_dir().join(format!("logmr-yarn-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let summary = dir.join("BENCHMARKS.md");
    std::fs::write(
        &summary,
        "# Benchmarks\n\n### Targets\n\n## Where logmr stands, and why\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_yarn"))
        .args(["--size", "3M", "--store-files", "4", "--store-size", "1M"])
        .args(["--block-size", "1M"])
        .arg("--work-dir")
        .arg(dir.join("work"))
        .arg("--results-dir")
        .arg(dir.join("results"))
        .arg("--summary")
        .arg(&summary)
        .output()
        .expect("run yarn");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "yarn failed: {stderr}");
    let text = std::fs::read_to_string(&summary).unwrap();
    for want in [
        "## On YARN and Spark: the job as users run it",
        "### Targets on YARN",
        "| small-file store: CPU of the job as the scripts run it vs one map task per file |",
        "### On YARN: one file of 3.0 MiB",
        "### On YARN: a store of 4 small files, 1.0 MiB in all",
        "| logmr, as logcount.sh runs it | CombineTextInputFormat, 256 MiB splits, uber mode | 1 |",
        "| logmr, one map task per block or file | TextInputFormat | 3 |",
        "| logmr, one map task per block or file | TextInputFormat | 4 |",
        "| the Python original, as the seed ran it |",
        "| native Java MapReduce, the same shape as logmr |",
        "| Streaming floor (`wc -l` mapper), the same shape as logmr |",
        "| Spark job (`spark-job.sh logcount`, local[*]) |",
        "equal to `logmr run` |",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    assert!(!text.contains("not measured"), "{text}");
    // The section goes before the notes (replacing one in place is
    // report::tests::the_yarn_section_is_replaced_or_inserted_once).
    let at = text.find("## On YARN and Spark").unwrap();
    assert!(at < text.find("## Where logmr stands").unwrap(), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
