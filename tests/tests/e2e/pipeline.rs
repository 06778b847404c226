//! `logmr map | sort | logmr reduce` as real processes.

use std::process::Command;

use logmr_e2e::{binary, workspace_root};

fn bash(script: &str) -> (String, String, i32) {
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .output()
        .expect("run bash");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn shell_pipeline_counts_the_samples() {
    let logmr = binary("logmr");
    let data = workspace_root().join("mr/tests/data");
    let script = format!(
        "set -o pipefail; cat {d}/*.log | {b} map | LC_ALL=C sort -t$'\\t' -k1,1 | {b} reduce",
        d = data.display(),
        b = logmr.display()
    );
    let (out, err, code) = bash(&script);
    assert_eq!(code, 0, "{err}");
    // The column sums of the auto-mode rows of the layout table in mr/tests/cli.rs.
    assert_eq!(out, ALL_SAMPLES);
}

const ALL_SAMPLES: &str = "ALERT\t1\nCRITICAL\t5\nDEBUG\t9\nEMERG\t1\nERROR\t19\nFATAL\t6\nINFO\t25\nNOTICE\t5\nSEVERE\t1\nTRACE\t2\nUNKNOWN\t5\nWARN\t15\n";

/// Runs `logmr ARGS` on `input` as a separate process.
fn logmr(args: &[&str], input: &[u8]) -> Vec<u8> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(binary("logmr"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn logmr");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    assert!(out.status.success(), "logmr {args:?} failed");
    out.stdout
}

/// Hadoop's shuffle: byte-order sort of whole lines.
fn sort_lines(text: &[u8]) -> Vec<u8> {
    let mut lines: Vec<&[u8]> = text.split_inclusive(|&b| b == b'\n').collect();
    lines.sort();
    lines.concat()
}

#[test]
fn a_job_played_like_hadoop_gives_the_pipeline_result() {
    let mut corpus = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(workspace_root().join("mr/tests/data"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for path in names {
        corpus.extend(std::fs::read(path).unwrap());
    }
    let lines: Vec<&[u8]> = corpus.split_inclusive(|&b| b == b'\n').collect();

    for (splits, combines, reducers) in [(1, 0, 1), (3, 1, 2), (7, 3, 3), (lines.len(), 2, 4)] {
        // Map tasks over line-aligned splits, each followed by the combiner
        // run `combines` times on its sorted output.
        let per_split = lines.len().div_ceil(splits);
        let mut map_outputs = Vec::new();
        for chunk in lines.chunks(per_split) {
            let mut out = sort_lines(&logmr(&["map"], &chunk.concat()));
            for _ in 0..combines {
                out = logmr(&["reduce", "--strict"], &out);
            }
            map_outputs.push(out);
        }
        // Partition by key, sort, and reduce each partition.
        let mut partitions = vec![Vec::new(); reducers];
        for out in &map_outputs {
            for line in out.split_inclusive(|&b| b == b'\n') {
                let key = line.split(|&b| b == b'\t').next().unwrap();
                let p = key.iter().map(|&b| b as usize).sum::<usize>() % reducers;
                partitions[p].extend_from_slice(line);
            }
        }
        let mut result: Vec<&[u8]> = Vec::new();
        let reduced: Vec<Vec<u8>> = partitions
            .iter()
            .map(|p| logmr(&["reduce", "--strict"], &sort_lines(p)))
            .collect();
        for r in &reduced {
            result.extend(r.split_inclusive(|&b| b == b'\n'));
        }
        result.sort();
        assert_eq!(
            String::from_utf8(result.concat()).unwrap(),
            ALL_SAMPLES,
            "{splits} splits, combiner {combines}x, {reducers} reducers"
        );
    }
}
