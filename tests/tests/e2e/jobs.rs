//! The job scripts in hadoop-jobs/: `logcount.sh` against a stand-in
//! `hadoop` (tests/fixtures/bin/hadoop) that checks the command line and
//! plays the job as Hadoop does; `logcount-local.sh`; the whole pipeline
//! against a real broker; and the PowerShell twins' options and defaults.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use logmr_e2e::broker::tansu_binary;
use logmr_e2e::{TempDir, binary, workspace_root};

fn jobs() -> PathBuf {
    workspace_root().join("hadoop-jobs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The level counts `logmr` gives for these files in one process: the
/// reference every played job must equal.
fn reference(files: &[PathBuf]) -> String {
    let map = Command::new(binary("logmr"))
        .arg("map")
        .args(files)
        .output()
        .unwrap();
    assert!(map.status.success());
    let mut reduce = Command::new(binary("logmr"));
    reduce.arg("reduce");
    text(&run_with_stdin(reduce, &map.stdout).stdout)
}

fn run_with_stdin(mut cmd: Command, input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn sorted_lines(s: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = s.lines().collect();
    lines.sort_unstable();
    lines
}

/// A fake cluster: HADOOP_HOME with a streaming jar, HDFS as a directory
/// holding /user/kafka/logs, and the stand-in `hadoop` first on PATH.
struct Cluster {
    dir: TempDir,
    inputs: Vec<PathBuf>,
}

impl Cluster {
    fn new(label: &str) -> Cluster {
        let dir = TempDir::new(&format!("jobs-{label}"));
        let lib = dir.join("hadoop/share/hadoop/tools/lib");
        fs::create_dir_all(&lib).unwrap();
        fs::write(lib.join("hadoop-streaming-3.3.6.jar"), b"").unwrap();
        let logs = dir.join("hdfs/user/kafka/logs");
        fs::create_dir_all(&logs).unwrap();
        let mut inputs = Vec::new();
        for entry in fs::read_dir(workspace_root().join("mr/tests/data")).unwrap() {
            let path = entry.unwrap().path();
            let target = logs.join(path.file_name().unwrap());
            fs::copy(&path, &target).unwrap();
            inputs.push(target);
        }
        // What Hadoop's input globs skip: a sink's temporary file and a
        // hidden file. Counting them would change the result.
        fs::write(logs.join("_logs_machine+0.tmp"), "[ERROR] half-written\n").unwrap();
        fs::write(logs.join(".hidden.log"), "[ERROR] hidden\n").unwrap();
        Cluster { dir, inputs }
    }

    /// `bash hadoop-jobs/SCRIPT ARGS` with the cluster's environment.
    fn run(&self, script: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let path = format!(
            "{}:{}",
            workspace_root().join("tests/fixtures/bin").display(),
            std::env::var("PATH").unwrap()
        );
        let mut cmd = Command::new("bash");
        cmd.arg(jobs().join(script))
            .args(args)
            .env("PATH", path)
            .env("HADOOP_HOME", self.dir.join("hadoop"))
            .env_remove("HADOOP_STREAMING_JAR")
            .env("FAKE_HDFS", self.dir.join("hdfs"))
            .env("FAKE_HADOOP_LOG", self.dir.join("hadoop.log"))
            .env("LOGMR_BIN", binary("logmr"));
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.output().unwrap()
    }

    /// The arguments of each `hadoop jar` the stand-in received.
    fn submissions(&self) -> Vec<Vec<String>> {
        let log = fs::read_to_string(self.dir.join("hadoop.log")).unwrap_or_default();
        log.lines()
            .filter(|line| line.starts_with("jar\t"))
            .map(|line| line.split('\t').map(String::from).collect())
            .collect()
    }

    fn output(&self, name: &str) -> PathBuf {
        self.dir.join("hdfs/user/kafka").join(name)
    }
}

#[test]
fn logcount_submits_the_streaming_job_and_prints_its_result() {
    let cluster = Cluster::new("submit");
    let out = cluster.run(
        "logcount.sh",
        &["--reducers", "3", "-D", "mapreduce.job.queuename=etl"],
        &[("FAKE_HADOOP_SPLIT_LINES", "4")],
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");

    let logmr = binary("logmr").display().to_string();
    let jar = cluster
        .dir
        .join("hadoop/share/hadoop/tools/lib/hadoop-streaming-3.3.6.jar")
        .display()
        .to_string();
    let expected: Vec<&str> = vec![
        "jar",
        &jar,
        "-D",
        "mapreduce.job.queuename=etl",
        "-D",
        "mapreduce.job.name=logmr logcount",
        "-files",
        &logmr,
        "-input",
        "/user/kafka/logs",
        "-output",
        "/user/kafka/logs_out",
        "-mapper",
        "logmr map",
        "-combiner",
        "logmr reduce",
        "-reducer",
        "logmr reduce",
        "-numReduceTasks",
        "3",
    ];
    assert_eq!(cluster.submissions(), vec![expected]);

    // The printed result is the three part files' keys, each once, with the
    // counts of the visible input files alone.
    let want = reference(&cluster.inputs);
    assert_eq!(sorted_lines(&text(&out.stdout)), sorted_lines(&want));
    let parts: Vec<_> = (0..3)
        .map(|r| cluster.output(&format!("logs_out/part-{r:05}")))
        .collect();
    assert!(parts.iter().all(|p| p.is_file()), "three part files");
    let lines: u64 = want
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(
        stderr.contains(&format!("map_lines={lines}")),
        "the job's counters: {stderr}"
    );
}

#[test]
fn the_combiner_may_run_any_number_of_times() {
    let cluster = Cluster::new("combiner");
    let want = reference(&cluster.inputs);
    for runs in ["0", "1", "3"] {
        let out = cluster.run(
            "logcount.sh",
            &["--force", "--reducers", "2"],
            &[
                ("FAKE_HADOOP_COMBINER_RUNS", runs),
                ("FAKE_HADOOP_SPLIT_LINES", "5"),
            ],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(
            sorted_lines(&text(&out.stdout)),
            sorted_lines(&want),
            "combiner runs {runs}"
        );
    }
}

#[test]
fn separators_set_with_d_reach_the_tasks() {
    let cluster = Cluster::new("separators");
    let colon = [
        "-D",
        "stream.map.output.field.separator=:",
        "-D",
        "stream.reduce.input.field.separator=:",
        "-D",
        "stream.reduce.output.field.separator=:",
    ];
    let out = cluster.run("logcount.sh", &colon, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let want = reference(&cluster.inputs).replace('\t', ":");
    assert_eq!(sorted_lines(&text(&out.stdout)), sorted_lines(&want));
}

#[test]
fn an_existing_output_needs_force() {
    let cluster = Cluster::new("force");
    fs::create_dir_all(cluster.output("logs_out")).unwrap();
    fs::write(cluster.output("logs_out/part-00000"), "OLD\t1\n").unwrap();
    let out = cluster.run("logcount.sh", &[], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("already exists; pass --force"));
    assert!(cluster.submissions().is_empty(), "no job was submitted");

    let out = cluster.run("logcount.sh", &["--force"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("OLD"));
}

#[test]
fn a_failed_job_exits_non_zero_and_says_what_failed() {
    let cluster = Cluster::new("failed");
    // An empty separator is a bad setting for `logmr map`: every map task fails.
    let out = cluster.run(
        "logcount.sh",
        &["-D", "stream.map.output.field.separator="],
        &[],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the Hadoop job failed (the job ran and failed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("yarn logs -applicationId application_"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    let out = cluster.run("logcount.sh", &["--input", "/no/such/dir"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Input path does not exist: /no/such/dir"));
}

#[test]
fn setup_errors_are_named() {
    let cluster = Cluster::new("setup");
    let out = cluster.run("logcount.sh", &[], &[("HADOOP_HOME", "/nonexistent")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no streaming jar"));

    let out = cluster.run(
        "logcount.sh",
        &[],
        &[("HADOOP_STREAMING_JAR", "/nonexistent/hadoop-streaming.jar")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("does not exist"));

    for bad in [
        &["--reducers", "0"][..],
        &["-D", "novalue"],
        &["--bogus"],
        &["--output"],
    ] {
        let out = cluster.run("logcount.sh", bad, &[]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", text(&out.stderr));
    }
    assert!(cluster.submissions().is_empty());

    let help = cluster.run("logcount.sh", &["--help"], &[]);
    assert!(help.status.success());
    assert!(text(&help.stdout).contains("[default: /user/kafka/logs]"));
}

#[test]
fn the_stand_in_rejects_what_hadoop_rejects() {
    let cluster = Cluster::new("stand-in");
    let jar = cluster
        .dir
        .join("hadoop/share/hadoop/tools/lib/hadoop-streaming-3.3.6.jar");
    let hadoop = workspace_root().join("tests/fixtures/bin/hadoop");
    let play = |args: &[&str]| {
        Command::new(&hadoop)
            .arg("jar")
            .arg(&jar)
            .args(args)
            .env("FAKE_HDFS", cluster.dir.join("hdfs"))
            .output()
            .unwrap()
    };
    let logmr = binary("logmr").display().to_string();
    let streaming = [
        "-input",
        "/user/kafka/logs",
        "-output",
        "/out",
        "-mapper",
        "logmr map",
        "-reducer",
        "logmr reduce",
    ];

    // A generic option after a streaming one.
    let mut late = streaming.to_vec();
    late.extend(["-files", &logmr]);
    let out = play(&late);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Unrecognized option: -files"));

    // The binary not shipped: the task cannot find `logmr`.
    let out = Command::new(&hadoop)
        .arg("jar")
        .arg(&jar)
        .args(streaming)
        .env("FAKE_HDFS", cluster.dir.join("hdfs"))
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("Cannot run program \"logmr\""));

    // Shipped and in order: the job runs.
    let mut good = vec!["-files", &logmr];
    good.extend(streaming);
    let out = play(&good);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The output exists now: exit code 4, as StreamJob gives.
    let out = play(&good);
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn logcount_local_counts_files_directories_and_stdin() {
    let data = workspace_root().join("mr/tests/data");
    let files: Vec<PathBuf> = fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let want = reference(&files);
    let local = |args: &[&str]| {
        let mut cmd = Command::new("bash");
        cmd.arg(jobs().join("logcount-local.sh"))
            .args(args)
            .env("LOGMR_BIN", binary("logmr"));
        cmd
    };

    let out = local(&[data.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), want);

    let mut all = Vec::new();
    for file in &files {
        all.extend(fs::read(file).unwrap());
    }
    let out = run_with_stdin(local(&[]), &all);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), want);

    let dir = TempDir::new("jobs-local");
    let result = dir.join("out");
    let args = ["--output", result.to_str().unwrap(), data.to_str().unwrap()];
    assert!(local(&args).output().unwrap().status.success());
    assert_eq!(fs::read_to_string(result.join("part-00000")).unwrap(), want);
    let again = local(&args).output().unwrap();
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing output needs --force"
    );

    let missing = local(&["/no/such/file"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("/no/such/file"));
}

fn pipeline(args: &[&str], env: &[(&str, &str)]) -> Output {
    let bins = binary("logmr").parent().unwrap().to_path_buf();
    let mut cmd = Command::new("bash");
    cmd.arg(jobs().join("pipeline.sh"))
        .args(args)
        .env("LOGMR_BIN_DIR", bins);
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.output().unwrap()
}

#[test]
fn the_whole_pipeline_runs_through_a_real_broker_and_checks_itself() {
    let dir = TempDir::new("jobs-pipeline");
    let store = dir.join("user/kafka/logs");
    let tansu = tansu_binary();
    let out = pipeline(
        &[
            "--count",
            "20000",
            "--format",
            "mixed",
            "--store",
            store.to_str().unwrap(),
        ],
        &[("TANSU_BIN", tansu.to_str().unwrap())],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("starting a tansu broker"), "{stderr}");
    assert!(stderr.contains("2/3 logmr-sink"), "{stderr}");
    assert!(
        stdout.contains("check: equal to the generator's summary"),
        "{stdout}"
    );
    let total = stdout.lines().find(|l| l.trim_start().starts_with("total"));
    assert_eq!(
        total.map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["total", "20000"]),
        "{stdout}"
    );

    // The store holds the sink's committed files, and the check saw them.
    let committed: Vec<_> = fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        !committed.is_empty()
            && committed
                .iter()
                .all(|n| n.starts_with("logs_machine+") && n.ends_with(".log")),
        "{committed:?}"
    );

    // A store that is not empty is refused: the check would be wrong.
    let again = pipeline(
        &["--count", "10", "--store", store.to_str().unwrap()],
        &[("TANSU_BIN", tansu.to_str().unwrap())],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("is not empty"));
}

#[test]
fn without_a_broker_the_pipeline_says_so_and_still_checks() {
    let dir = TempDir::new("jobs-no-broker");
    let store = dir.join("logs");
    let out = pipeline(
        &["--count", "3000", "--store", store.to_str().unwrap()],
        &[("TANSU_BIN", "/nonexistent/tansu")],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("no Kafka broker"), "{stderr}");
    assert!(!stderr.contains("logmr-sink"), "{stderr}");
    assert!(stdout.contains("check: equal to the generator's summary"));
}

/// The options a bash job script accepts, by their PowerShell names, with
/// their literal defaults (none for a flag, like a PowerShell switch).
fn bash_options(script: &str) -> BTreeMap<String, String> {
    let mut options = BTreeMap::new();
    let mut takes_value = Vec::new();
    for line in script.lines() {
        let arm = line.trim_start();
        let Some((pattern, action)) = arm.split_once(')') else {
            continue;
        };
        let name = match pattern.split(" | ").last().unwrap() {
            "-D" => "D".to_string(),
            p if p.len() > 2 && p.starts_with("--") && !p.contains(['*', ' ']) => pascal(&p[2..]),
            _ => continue,
        };
        if action.contains("need_value") {
            takes_value.push(name.clone());
        }
        options.insert(name, String::new());
    }
    // Defaults: `name=literal` lines at the top level.
    for line in script.lines() {
        if let Some((var, value)) = line.split_once('=')
            && !line.starts_with(' ')
            && var.chars().all(|c| c.is_ascii_lowercase())
        {
            let name = pascal(var);
            if let Some(default) = options.get_mut(&name)
                && takes_value.contains(&name)
                && !value.is_empty()
                && !value.contains(['$', '('])
            {
                *default = value.to_string();
            }
        }
    }
    options
}

/// `input` → `InputPath` and `output` → `OutputPath` (PowerShell reserves
/// `$input`), otherwise `kebab-case` → `PascalCase`.
fn pascal(kebab: &str) -> String {
    match kebab {
        "input" | "output" => format!("{}Path", pascal_words(kebab)),
        _ => pascal_words(kebab),
    }
}

fn pascal_words(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The parameters of a PowerShell script's `param(...)` block with their
/// literal defaults, without the ones the thin job scripts pass.
fn powershell_options(script: &str) -> BTreeMap<String, String> {
    let block = &script[script.find("param(").expect("a param block")..];
    let block = &block[..block.find("\n)").unwrap()];
    let mut options = BTreeMap::new();
    for line in block.lines().skip(1) {
        let Some(at) = line.rfind('$') else { continue };
        let decl = line[at + 1..].trim_end_matches(',');
        let (name, default) = match decl.split_once(" = ") {
            Some((n, d)) => (n, d.trim_matches('\'')),
            None => (decl, ""),
        };
        let default = if default == "@()" { "" } else { default };
        if !["Descriptor", "ScriptName", "Inputs"].contains(&name) {
            options.insert(name.to_string(), default.to_string());
        }
    }
    options
}

/// The exit codes of a script's error exits (`die N` / `Fail N`), in order,
/// but for bash's unknown-option error, which PowerShell's parameter binding
/// gives by itself.
fn exit_codes(script: &str, call: &str) -> Vec<String> {
    script
        .lines()
        .filter(|line| !line.contains("unknown option"))
        .flat_map(|line| {
            line.match_indices(call)
                .filter(|(at, _)| *at == 0 || line[..*at].ends_with([' ', '{', '(']))
                .filter_map(|(at, _)| line[at + call.len()..].split_whitespace().next())
                .filter(|code| code.chars().all(|c| c.is_ascii_digit()))
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The `hadoop jar` arguments a job script builds, in order.
fn hadoop_arguments(script: &str) -> Vec<String> {
    let flags = [
        "-D",
        "-files",
        "-input",
        "-output",
        "-mapper",
        "-combiner",
        "-reducer",
        "-numReduceTasks",
    ];
    let mut found = Vec::new();
    for line in script
        .lines()
        .filter(|l| l.contains("args+=") || l.contains("Args +="))
    {
        for word in line.split(|c: char| c.is_whitespace() || "()'\",@".contains(c)) {
            if flags.contains(&word) {
                found.push(word.to_string());
            }
        }
    }
    found
}

#[test]
fn each_powershell_script_is_a_twin_of_its_bash_script() {
    let read = |name: &str| fs::read_to_string(jobs().join(name)).unwrap();
    for (sh, ps1) in [
        ("lib/job.sh", "lib/job.ps1"),
        ("lib/local.sh", "lib/local.ps1"),
        ("pipeline.sh", "pipeline.ps1"),
    ] {
        let (bash, powershell) = (read(sh), read(ps1));
        let mut options = bash_options(&bash);
        options.insert("Help".into(), String::new());
        assert_eq!(
            options,
            powershell_options(&powershell),
            "{sh} and {ps1} options"
        );
        assert_eq!(
            exit_codes(&bash, "die "),
            exit_codes(&powershell, "Fail "),
            "{sh} and {ps1} error exits"
        );
        assert_eq!(
            hadoop_arguments(&bash),
            hadoop_arguments(&powershell),
            "{sh} and {ps1} hadoop arguments"
        );
    }
    // Each job's scripts exist in pairs and pass the same descriptor.
    for entry in fs::read_dir(jobs()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "sh") {
            let twin = path.with_extension("ps1");
            assert!(twin.is_file(), "{} has no PowerShell twin", path.display());
            let (bash, powershell) = (read_path(&path), read_path(&twin));
            for descriptor in ["jobs/logcount.job", "lib/job", "lib/local"] {
                assert_eq!(
                    bash.contains(descriptor),
                    powershell.contains(descriptor),
                    "{} and its twin on {descriptor}",
                    path.display()
                );
            }
        }
    }
}

fn read_path(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

#[test]
fn every_job_gives_the_same_result_on_the_cluster_and_locally() {
    let cluster = Cluster::new("every-job");
    let logs = cluster.dir.join("hdfs/user/kafka/logs");
    for entry in fs::read_dir(jobs().join("jobs")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let output = format!("/out/{name}");
        let on_cluster = cluster.run(
            "job.sh",
            &[&name, "--reducers", "2", "--output", &output],
            &[("FAKE_HADOOP_SPLIT_LINES", "6")],
        );
        assert!(
            on_cluster.status.success(),
            "{name}: {}",
            text(&on_cluster.stderr)
        );
        let local = cluster.run("job-local.sh", &[&name, logs.to_str().unwrap()], &[]);
        assert!(local.status.success(), "{name}: {}", text(&local.stderr));
        let (cluster_out, local_out) = (text(&on_cluster.stdout), text(&local.stdout));
        assert!(!local_out.is_empty());
        assert_eq!(
            sorted_lines(&cluster_out),
            sorted_lines(&local_out),
            "{name}"
        );
    }
}
