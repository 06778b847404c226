//! The comparison harness, run end to end on a tiny corpus, so that it
//! cannot rot: it must build the binaries, run every peer (the Apache Kafka
//! broker of tests/services for the Kafka rows), agree with the ground truth
//! and write its report.

use std::process::Command;

#[test]
fn compare_runs_on_a_tiny_corpus_and_writes_its_report() {
    let dir = std::env::temp_dir().join(format!("logmr-compare-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let summary = dir.join("BENCHMARKS.md");
    let out = Command::new(env!("CARGO_BIN_EXE_compare"))
        .args([
            "--size",
            "2M",
            "--python-size",
            "256K",
            "--runs",
            "1",
            "--slow-runs",
            "1",
            "--gen-lines",
            "20K",
            "--python-lines",
            "2K",
            "--sink-records",
            "20K",
            "--memory-keys",
            "20K",
        ])
        .arg("--work-dir")
        .arg(dir.join("corpus"))
        .arg("--results-dir")
        .arg(dir.join("results"))
        .arg("--summary")
        .arg(&summary)
        .output()
        .expect("run compare");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "compare failed: {stderr}");
    let text = std::fs::read_to_string(&summary).unwrap();
    for want in [
        "### Targets",
        "### Level count, seed layout",
        "### Level count, mixed layout",
        "| logmr map FILE | `logmr map FILE` |",
        "| Python mapper \\| sort \\| reducer ¹ |",
        "| logmr map --by level,hour FILE | `logmr map --by level,hour FILE` |",
        "| logmr run FILE.gz | `logmr run FILE.gz` |",
        "| pigz -dc FILE.gz \\| logmr map, a CPU hog beside |",
        "### Instructions per line (cachegrind)",
        "| seed | `logmr map --by level,hour FILE` |",
        "| mawk |",
        "### Memory: 20480 distinct keys",
        "| logmr reduce --sorted | `logmr reduce --sorted KEYS` |",
        "| logmr map --by template | `logmr map --by template LOG` |",
        "| logmr run --by template --memory 64M | `logmr run --by template --memory 64M LOG` |",
        "### Generator: lines per second",
        "| logmr-gen → Kafka |",
        "| rdkafka, pre-built messages (ceiling) |",
        "| Python producer (kafka-python) |",
        "### Sink: records per second, Kafka to storage",
        "| logmr-sink → local store |",
        "| logmr-sink, 100 partitions, progress to a pipe |",
        "| logmr-sink, 100 partitions, progress to a terminal (script) |",
        "| Python consumer (kafka-python) → file |",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    assert!(!text.contains("**wrong**"), "a wrong output in:\n{text}");
    // tests/run.sh installs them, so their rows must be measured.
    for tool in ["pigz", "valgrind"] {
        let missing = format!("not installed: `{tool}`");
        assert!(!text.contains(&missing), "{missing} in:\n{text}");
    }
    let results: Vec<_> = std::fs::read_dir(dir.join("results")).unwrap().collect();
    assert_eq!(results.len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
