//! `logmr paths` against Hadoop's own answers: every form of
//! tests/data/hadoop-paths.txt (comma lists, braces, schemes without an
//! authority, `//`, `..`, `viewfs://`, `s3a://`, `file:`, …) is resolved by
//! the services' Hadoop classes (`org.apache.hadoop.fs.Path` and the
//! splitter of `FileInputFormat.addInputPaths`, through
//! `logmr.services.PathOracle`) and by logmr, under several default file
//! systems and working directories; the answers must be the same. Nothing
//! here is hard-coded: Hadoop decides.

use std::io::Write;
use std::process::{Command, Stdio};

use logmr_e2e::{binary, workspace_root};

/// `form<TAB>path<TAB>path…` lines, with any error reduced to `error`.
fn answers(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| match line.find("\terror: ") {
            Some(at) => format!("{}\terror", &line[..at]),
            None => line.to_string(),
        })
        .collect()
}

fn hadoop_answers(forms: &str, default_fs: &str, home: &str) -> Vec<String> {
    let services = workspace_root().join("tests/services/services.sh");
    let classpath = Command::new("bash")
        .arg(&services)
        .arg("classpath")
        .output()
        .expect("run services.sh classpath");
    assert!(
        classpath.status.success(),
        "{}",
        String::from_utf8_lossy(&classpath.stderr)
    );
    let classpath = String::from_utf8(classpath.stdout).unwrap();
    let mut oracle = Command::new("java")
        .args([
            "-cp",
            classpath.trim(),
            "logmr.services.PathOracle",
            default_fs,
            home,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("java, which the services need, runs");
    oracle
        .stdin
        .take()
        .unwrap()
        .write_all(forms.as_bytes())
        .unwrap();
    let out = oracle.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    answers(&out.stdout)
}

#[test]
fn logmr_resolves_every_form_as_hadoops_path_and_file_input_format() {
    let forms =
        std::fs::read_to_string(workspace_root().join("tests/data/hadoop-paths.txt")).unwrap();
    let list: Vec<&str> = forms.lines().collect();
    assert!(list.len() >= 40, "the table holds {} forms", list.len());
    for (default_fs, home) in [
        ("hdfs://nn:8020", "/user/alice"),
        ("file:///", "/user/bob"),
        ("viewfs://cluster", "/home/c"),
    ] {
        let want = hadoop_answers(&forms, default_fs, home);
        let out = Command::new(binary("logmr"))
            .args(["paths", "--default-fs", default_fs, "--home", home, "--"])
            .args(&list)
            .output()
            .unwrap();
        let got = answers(&out.stdout);
        assert_eq!(
            got.len(),
            list.len(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let differ: Vec<String> = want
            .iter()
            .zip(&got)
            .filter(|(w, g)| w != g)
            .map(|(w, g)| format!("hadoop: {w}\nlogmr:  {g}"))
            .collect();
        assert!(
            differ.is_empty(),
            "under {default_fs} {home}:\n{}",
            differ.join("\n")
        );
        // Some forms are refused by Hadoop, and logmr says so with exit 2.
        assert!(want.iter().any(|w| w.ends_with("\terror")));
        assert_eq!(out.status.code(), Some(2));
    }
}
