//! The job scripts in hadoop-jobs/: every job run by real Hadoop Streaming
//! on the services' YARN, equal to the local run; `logcount-local.sh`; the
//! whole pipeline against a real broker; and the PowerShell twins' options
//! and defaults.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ingest::hdfs::HdfsStore;
use ingest::store::Store;
use logmr_e2e::services::{services, unique};
use logmr_e2e::{TempDir, binary, workspace_root};
use logmr_harness::{run_with_stdin, text};

fn jobs() -> PathBuf {
    workspace_root().join("hadoop-jobs")
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
    text(&run_with_stdin(&mut reduce, &map.stdout).stdout)
}

fn sorted_lines(s: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = s.lines().collect();
    lines.sort_unstable();
    lines
}

/// A directory of the services' HDFS holding the sample logs under
/// `logs`, and the environment that points the job scripts at the real
/// YARN: the mini cluster's `hadoop` first on PATH, its configuration and
/// streaming jar.
struct Cluster {
    /// `/e2e/jobs-LABEL-PID` in HDFS.
    base: String,
    /// The local sample files uploaded to `logs`.
    inputs: Vec<PathBuf>,
}

impl Cluster {
    fn new(label: &str) -> Cluster {
        let base = format!("/e2e/{}", unique(&format!("jobs-{label}")));
        let logs = HdfsStore::open(&services().hdfs_url(&format!("{base}/logs"))).unwrap();
        let mut inputs = Vec::new();
        for entry in fs::read_dir(workspace_root().join("mr/tests/data")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            write_file(&logs, &name, &fs::read(&path).unwrap());
            inputs.push(path);
        }
        // What Hadoop's input listing skips: a sink's temporary file and a
        // hidden file. Counting them would change the result.
        write_file(&logs, "_logs_machine+0.tmp", b"[ERROR] half-written\n");
        write_file(&logs, ".hidden.log", b"[ERROR] hidden\n");
        Cluster { base, inputs }
    }

    fn input(&self) -> String {
        format!("{}/logs", self.base)
    }

    /// An output directory of this cluster's.
    fn out(&self, name: &str) -> String {
        format!("{}/{name}", self.base)
    }

    /// `bash hadoop-jobs/SCRIPT ARGS` against the services.
    fn run(&self, script: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new("bash");
        cmd.arg(jobs().join(script)).args(args);
        services()
            .hadoop_env(&mut cmd)
            .env("HADOOP_STREAMING_JAR", services().streaming_jar())
            .env_remove("HADOOP_HOME")
            .env("LOGMR_BIN", binary("logmr"));
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.output().unwrap()
    }

    /// `spark-job.sh NAME --input INPUT...` in local mode.
    fn spark(&self, name: &str, inputs: &[&str]) -> Output {
        let mut args = vec![name];
        for input in inputs {
            args.extend(["--input", input]);
        }
        self.run("spark-job.sh", &args, &[])
    }

    /// `logcount.sh --input LOGS --output OUT EXTRA`, OUT the output
    /// directory `name` of this cluster.
    fn logcount(&self, name: &str, extra: &[&str]) -> Output {
        let (input, output) = (self.input(), self.out(name));
        let mut args = vec!["--input", &input[..], "--output", &output];
        args.extend(extra);
        self.run("logcount.sh", &args, &[])
    }

    /// The part files of an output directory.
    fn parts(&self, name: &str) -> Vec<String> {
        let store = HdfsStore::open(&services().hdfs_url(&self.out(name))).unwrap();
        let mut parts: Vec<String> = store
            .list()
            .unwrap()
            .into_iter()
            .map(|e| e.path)
            .filter(|p| p.starts_with("part-"))
            .collect();
        parts.sort();
        parts
    }
}

fn write_file(store: &HdfsStore, name: &str, data: &[u8]) {
    let mut w = store.create(name).unwrap();
    w.write(data).unwrap();
    w.close().unwrap();
}

/// The value of counter `name` in the counters `hadoop jar` printed.
fn counter(stderr: &str, name: &str) -> Option<u64> {
    stderr.lines().find_map(|l| {
        l.trim()
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('='))
            .and_then(|v| v.trim().parse().ok())
    })
}

/// The binary the job scripts ship by default is the portable build: it
/// needs glibc 2.17 at most (the newest GLIBC symbol version objdump shows;
/// a plain release build here needs 2.34), and a job on YARN runs it.
#[test]
fn the_portable_build_needs_glibc_2_17_at_most_and_runs_on_yarn() {
    let build = Command::new("bash")
        .arg(workspace_root().join("mr/build-portable.sh"))
        .output()
        .unwrap();
    assert!(build.status.success(), "{}", text(&build.stderr));
    let binary = workspace_root().join(text(&build.stdout).trim());
    let symbols = Command::new("objdump")
        .arg("-T")
        .arg(&binary)
        .output()
        .unwrap();
    assert!(
        symbols.status.success(),
        "objdump: {}",
        text(&symbols.stderr)
    );
    let newest = text(&symbols.stdout)
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter_map(|word| word.strip_prefix("GLIBC_"))
        .filter_map(|version| {
            version
                .split('.')
                .map(|n| n.parse::<u32>().ok())
                .collect::<Option<Vec<u32>>>()
        })
        .max()
        .expect("a GLIBC symbol version");
    assert!(
        newest <= vec![2, 17],
        "{} needs glibc {newest:?}",
        binary.display()
    );

    let cluster = Cluster::new("portable");
    let (input, output) = (cluster.input(), cluster.out("portable_out"));
    let out = cluster.run(
        "logcount.sh",
        &["--input", &input, "--output", &output],
        &[("LOGMR_BIN", "")],
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "shipping {} (the portable build",
            binary.display()
        )),
        "{stderr}"
    );
    assert_eq!(
        sorted_lines(&text(&out.stdout)),
        sorted_lines(&reference(&cluster.inputs))
    );
}

#[test]
fn logcount_runs_on_yarn_and_prints_its_result() {
    let cluster = Cluster::new("logcount");
    // More map tasks than files (TextInputFormat, given with -D in place of
    // the scripts' CombineTextInputFormat, takes mapreduce.job.maps as the
    // goal), each with its combiner, then three reducers.
    let out = cluster.logcount(
        "logs_out",
        &[
            "--reducers",
            "3",
            "-D",
            "mapreduce.job.maps=20",
            "-D",
            "mapreduce.job.inputformat.class=org.apache.hadoop.mapred.TextInputFormat",
        ],
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("-files") && stderr.contains("-combiner logmr\\ reduce"),
        "the command line: {stderr}"
    );

    // The printed result is the three part files' keys, each once, with the
    // counts of the visible input files alone.
    let want = reference(&cluster.inputs);
    assert_eq!(sorted_lines(&text(&out.stdout)), sorted_lines(&want));
    assert_eq!(
        cluster.parts("logs_out"),
        ["part-00000", "part-00001", "part-00002"]
    );
    let lines: u64 = want
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(counter(&stderr, "map_lines"), Some(lines), "{stderr}");
    let maps = counter(&stderr, "Launched map tasks").unwrap();
    assert!(
        maps > cluster.inputs.len() as u64,
        "{maps} map tasks for {} files",
        cluster.inputs.len()
    );
    // The combiner ran in the map tasks and counted apart from the reducer.
    assert!(
        counter(&stderr, "combine_lines").is_some_and(|n| n > 0),
        "{stderr}"
    );
    assert_eq!(
        counter(&stderr, "reduce_malformed_lines"),
        Some(0),
        "{stderr}"
    );
}

/// The scripts' job shape: the many small files of a store packed into one
/// map task (CombineTextInputFormat), which, the input being small, runs in
/// the application master (uber mode), and the mapper given lines without
/// their offsets.
#[test]
fn small_files_are_packed_into_one_task_that_runs_in_uber_mode() {
    let cluster = Cluster::new("shape");
    let out = cluster.logcount("logs_out", &[]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(cluster.inputs.len() > 5);
    assert_eq!(counter(&stderr, "Launched map tasks"), Some(1), "{stderr}");
    assert_eq!(counter(&stderr, "NUM_UBER_SUBMAPS"), Some(1), "{stderr}");
    assert_eq!(
        sorted_lines(&text(&out.stdout)),
        sorted_lines(&reference(&cluster.inputs))
    );
    // Uber mode off with -D: the same result from a task of its own.
    let out = cluster.logcount(
        "logs_out_no_uber",
        &["-D", "mapreduce.job.ubertask.enable=false"],
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(counter(&stderr, "NUM_UBER_SUBMAPS"), None, "{stderr}");
    assert_eq!(
        sorted_lines(&text(&out.stdout)),
        sorted_lines(&reference(&cluster.inputs))
    );
}

#[test]
fn separators_set_with_d_reach_the_tasks_literally() {
    let cluster = Cluster::new("separators");
    let want = reference(&cluster.inputs);
    // Hadoop takes each setting literally: `\t` is a backslash and a `t`,
    // and the tasks must split and join on exactly those bytes, or every
    // line reaches the reducer malformed. Streaming splits the reducer's
    // lines at stream.reduce.output.field.separator and TextOutputFormat
    // joins key and value with its own separator, TAB unless set.
    for (separator, name, output_separator) in [(":", "colon", ":"), ("\\t", "backslash-t", "\t")] {
        let mut settings = vec![
            format!("stream.map.output.field.separator={separator}"),
            format!("stream.reduce.input.field.separator={separator}"),
            format!("stream.reduce.output.field.separator={separator}"),
        ];
        if output_separator != "\t" {
            settings.push(format!(
                "mapreduce.output.textoutputformat.separator={output_separator}"
            ));
        }
        let mut args = Vec::new();
        for setting in &settings {
            args.extend(["-D", setting]);
        }
        let out = cluster.logcount(name, &args);
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{name}: {stderr}");
        assert_eq!(
            sorted_lines(&text(&out.stdout)),
            sorted_lines(&want.replace('\t', output_separator)),
            "{name}"
        );
        assert_eq!(
            counter(&stderr, "reduce_malformed_lines"),
            Some(0),
            "{name}: {stderr}"
        );
    }
}

#[test]
fn a_map_separator_of_backslash_t_alone_still_counts_every_line() {
    // The reproduction: logmr wrote a TAB for the literal `\t`, Hadoop found
    // no `\t`, and the job exited 0 with an empty part-00000.
    let cluster = Cluster::new("map-separator");
    let out = cluster.logcount("out", &["-D", "stream.map.output.field.separator=\\t"]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        sorted_lines(&text(&out.stdout)),
        sorted_lines(&reference(&cluster.inputs))
    );
    assert_eq!(
        counter(&stderr, "reduce_malformed_lines"),
        Some(0),
        "{stderr}"
    );
}

#[test]
fn an_existing_output_needs_force() {
    let cluster = Cluster::new("force");
    let old = HdfsStore::open(&services().hdfs_url(&cluster.out("logs_out"))).unwrap();
    write_file(&old, "part-00000", b"OLD\t1\n");
    let out = cluster.logcount("logs_out", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("already exists; pass --force"));
    assert!(
        !text(&out.stderr).contains("running"),
        "no job was submitted: {}",
        text(&out.stderr)
    );

    let out = cluster.logcount("logs_out", &["--force"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("OLD"));
    // The old output goes to the trash when the cluster keeps one: no
    // -skipTrash unless asked for.
    let replacing = text(&out.stderr);
    let replacing = replacing
        .lines()
        .find(|l| l.contains("replacing the existing output"))
        .unwrap_or_else(|| panic!("{replacing}"));
    assert!(
        replacing.ends_with(&format!("fs -rm -r {}", cluster.out("logs_out"))),
        "{replacing}"
    );
    assert_eq!(
        sorted_lines(&text(&out.stdout)),
        sorted_lines(&reference(&cluster.inputs))
    );
}

/// The listing of an HDFS directory of the services, as paths.
fn listing(path: &str) -> Vec<String> {
    let store = HdfsStore::open(&services().hdfs_url(path)).unwrap();
    store.list().unwrap().into_iter().map(|e| e.path).collect()
}

#[test]
fn an_output_that_overlaps_an_input_is_refused_even_with_force() {
    let cluster = Cluster::new("overlap");
    let before = listing(&cluster.input());
    assert!(!before.is_empty());
    let input = cluster.input();
    let inside = format!("{input}/out");
    let glob = format!("{}/lo*", cluster.base);
    let relative_home = format!("/user/e2e-user/{}", cluster.base.trim_start_matches('/'));
    let comma_list = format!("{}/other,{input}", cluster.base);
    let hdfs_scheme = format!("hdfs:{input}");
    for (inputs, output) in [
        (vec![&input[..]], &input[..]),
        (vec![&input[..]], &cluster.base[..]),
        (vec![&input[..]], &inside[..]),
        (vec![&input[..]], "/"),
        (vec![&input[..]], "hdfs://elsewhere:8020/"),
        (vec![&glob[..]], &inside[..]),
        (
            vec![&input[..]],
            &format!(
                "{}/../{}/logs/.",
                cluster.base,
                cluster.base.rsplit('/').next().unwrap()
            )[..],
        ),
        (vec![&input[..]], &format!("{}/logs*", cluster.base)[..]),
        // Relative paths are under /user/NAME, as hadoop fs resolves them.
        (
            vec![&relative_home[..]],
            cluster.base.trim_start_matches('/'),
        ),
        // Before: a comma list, and a scheme with no authority (on either
        // side), slipped past the guard and the input was deleted.
        (vec![&comma_list[..]], &input[..]),
        (vec![&input[..]], &hdfs_scheme[..]),
        (vec![&hdfs_scheme[..]], &inside[..]),
        // The home directory itself (`fs -rm -r .`).
        (vec![&input[..]], "."),
    ] {
        let mut args = vec!["--force", "--output", output];
        for input in &inputs {
            args.extend(["--input", input]);
        }
        let out = cluster.run("logcount.sh", &args, &[("HADOOP_USER_NAME", "e2e-user")]);
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{inputs:?} -> {output}: {stderr}"
        );
        assert!(
            stderr.contains("overlaps the input")
                || stderr.contains("is the root directory")
                || stderr.contains("home directory")
                || stderr.contains("glob characters"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("running"),
            "no job was submitted: {stderr}"
        );
    }
    // -D settings: more input, and a variable the system reads.
    let counted = cluster.out("counted-d");
    for (setting, output, why) in [
        (
            format!("mapreduce.input.fileinputformat.inputdir={input}"),
            &inside[..],
            "overlaps the input",
        ),
        ("LD.PRELOAD=/x.so".to_string(), &counted[..], "LD_PRELOAD"),
    ] {
        let args = [
            "--force", "--input", &input, "--output", output, "-D", &setting,
        ];
        let out = cluster.run("logcount.sh", &args, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{setting}: {stderr}");
        assert!(
            stderr.contains(why) && !stderr.contains("running"),
            "{stderr}"
        );
    }
    assert_eq!(listing(&cluster.input()), before, "the input is intact");

    // A glob that cannot match the output does not stop the job.
    let other = format!("{}/nothing-*", cluster.base);
    let out = cluster.run(
        "logcount.sh",
        &[
            "--input",
            &input,
            "--input",
            &other,
            "--output",
            &cluster.out("counted"),
        ],
        &[],
    );
    assert!(
        !text(&out.stderr).contains("overlaps"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn job_names_are_names_in_jobs_not_paths() {
    // A well-formed descriptor outside jobs/, reached with `..`.
    let dir = TempDir::new("jobs-outside");
    fs::write(
        dir.join("evil.job"),
        "mapper=logmr map\nreducer=logmr reduce\ninput=/in\noutput=/user\n",
    )
    .unwrap();
    let outside = format!("{}{}", "../".repeat(30), dir.join("evil").display());
    for (script, name) in [
        ("job.sh", "../../x"),
        ("job.sh", "*"),
        ("job.sh", &outside[..]),
        ("job-local.sh", &outside[..]),
    ] {
        let out = Command::new("bash")
            .arg(jobs().join(script))
            .arg(name)
            .env("LOGMR_BIN", binary("logmr"))
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{script} {name}: {stderr}");
        assert!(
            stderr.contains(
                "the jobs are: levels-by-hour levels-by-minute logcount sources templates"
            ),
            "{stderr}"
        );
    }
}

#[test]
fn a_failed_job_exits_non_zero_and_says_what_failed() {
    let cluster = Cluster::new("failed");
    // A map JVM that cannot start (a 1 KiB heap): every map task fails on
    // the cluster; uber mode, which would run the small job's tasks in the
    // application master's JVM, is turned off. (A setting logmr itself
    // refuses, such as a `|` map separator for keys joined with `|`, no
    // longer reaches the cluster:
    // a_setting_a_task_would_refuse_stops_the_job_before_it_is_submitted.)
    let output = cluster.out("by-hour");
    let out = cluster.run(
        "job.sh",
        &[
            "levels-by-hour",
            "--input",
            &cluster.input(),
            "--output",
            &output,
            "-D",
            "mapreduce.map.java.opts=-Xmx1k",
            "-D",
            "mapreduce.map.maxattempts=1",
            "-D",
            "mapreduce.job.ubertask.enable=false",
        ],
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

    let out = cluster.run(
        "logcount.sh",
        &["--input", "/no/such/dir", "--output", &cluster.out("none")],
        &[],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("Input path does not exist"), "{stderr}");
    assert!(stderr.contains("the job could not be launched"), "{stderr}");
}

#[test]
fn an_exit_1_before_any_job_is_not_called_a_task_failure() {
    // StreamJob exits 1 for options it rejects, before any job exists. A
    // stand-in `hadoop` that does just that: `fs -test` answers "absent".
    let dir = TempDir::new("jobs-exit-1");
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let hadoop = bin.join("hadoop");
    fs::write(
        &hadoop,
        "#!/bin/sh\n[ \"$1\" = fs ] && exit 1\necho 'ERROR StreamJob: Unrecognized option: -x' >&2\nexit 1\n",
    )
    .unwrap();
    fs::set_permissions(&hadoop, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let jar = dir.join("hadoop-streaming.jar");
    fs::write(&jar, b"").unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = Command::new("bash")
        .arg(jobs().join("logcount.sh"))
        .env("PATH", path)
        .env("HADOOP_STREAMING_JAR", &jar)
        .env("LOGMR_BIN", binary("logmr"))
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("hadoop exited with code 1 before any job ran"),
        "{stderr}"
    );
    assert!(!stderr.contains("a task failed"), "{stderr}");
}

#[test]
fn setup_errors_are_named() {
    let cluster = Cluster::new("setup");
    let out = cluster.run(
        "logcount.sh",
        &[],
        &[
            ("HADOOP_STREAMING_JAR", ""),
            ("HADOOP_HOME", "/nonexistent"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
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
        assert!(!text(&out.stderr).contains("running"), "{bad:?}");
    }

    let help = cluster.run("logcount.sh", &["--help"], &[]);
    assert!(help.status.success());
    assert!(text(&help.stdout).contains("[default: /user/kafka/logs]"));
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
    let out = run_with_stdin(&mut local(&[]), &all);
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

    // A symbolic link to the directory counts as the directory.
    let link = dir.join("link");
    std::os::unix::fs::symlink(&data, &link).unwrap();
    let out = local(&[link.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), want);

    // An empty directory: an empty result and a warning, not a failure.
    let empty = dir.join("empty");
    fs::create_dir(&empty).unwrap();
    let out = local(&[empty.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("hold no files"));
}

/// `logmr run` and `logcount-local.sh` read a tree the same way: links and
/// FIFOs inside a directory passed over, each file once however many paths
/// reach it. `run` once counted a file per path (3x here) and hung on two
/// link loops.
#[test]
fn the_local_runners_count_each_file_once() {
    use std::os::unix::fs::symlink;
    let dir = TempDir::new("jobs-local-once");
    let logs = dir.join("logs");
    fs::create_dir_all(logs.join("2024-12-10")).unwrap();
    fs::write(logs.join("2024-12-10/a.log"), "[ERROR] a\n[INFO] b\n").unwrap();
    fs::write(logs.join("b.log"), "[WARN] c\n").unwrap();
    fs::hard_link(logs.join("b.log"), logs.join("b-again.log")).unwrap();
    symlink("2024-12-10", logs.join("latest")).unwrap();
    symlink("2024-12-10/a.log", logs.join("current.log")).unwrap();
    symlink(".", logs.join("loop-x")).unwrap();
    symlink(".", logs.join("loop-y")).unwrap();
    logmr_harness::mkfifo(&logs.join("pipe"));
    let logs_arg = logs.to_str().unwrap();
    let current = logs.join("current.log");
    let args = [logs_arg, current.to_str().unwrap()];
    let want = "ERROR\t1\nINFO\t1\nWARN\t1\n";

    let run = Command::new(binary("logmr"))
        .arg("run")
        .args(args)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(text(&run.stdout), want);

    let local = Command::new("bash")
        .arg(jobs().join("logcount-local.sh"))
        .args(args)
        .env("LOGMR_BIN", binary("logmr"))
        .output()
        .unwrap();
    assert!(local.status.success(), "{}", text(&local.stderr));
    assert_eq!(text(&local.stdout), want);
    for out in [&run, &local] {
        assert!(
            text(&out.stderr).contains("is the same file as"),
            "{}",
            text(&out.stderr)
        );
    }
}

/// `bash hadoop-jobs/SCRIPT ARGS` with a stand-in `hadoop` on PATH that
/// records each call (its `fs -test` says the output exists); the output
/// and the calls, one a line.
fn with_recording_hadoop(label: &str, script: &str, args: &[&str]) -> (Output, String) {
    let dir = TempDir::new(label);
    let bin = dir.join("bin");
    fs::create_dir(&bin).unwrap();
    let calls = dir.join("calls");
    fs::write(
        bin.join("hadoop"),
        format!("#!/bin/sh\necho \"$*\" >> '{}'\nexit 0\n", calls.display()),
    )
    .unwrap();
    fs::set_permissions(
        bin.join("hadoop"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let jar = dir.join("streaming.jar");
    fs::write(&jar, "").unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = Command::new("bash")
        .arg(jobs().join(script))
        .args(args)
        .env("PATH", path)
        .env("HADOOP_STREAMING_JAR", &jar)
        .env_remove("HADOOP_HOME")
        .env("LOGMR_BIN", binary("logmr"))
        .output()
        .unwrap();
    (out, fs::read_to_string(&calls).unwrap_or_default())
}

#[test]
fn every_hadoop_call_of_a_job_gets_its_d_settings() {
    // Before: -D reached `hadoop jar` only, so with -D fs.defaultFS the
    // output was tested, deleted and read on another cluster than the
    // job's.
    let (out, calls) = with_recording_hadoop(
        "jobs-generic",
        "logcount.sh",
        &[
            "--input",
            "/in",
            "--output",
            "/out",
            "--force",
            "-D",
            "fs.defaultFS=hdfs://other:8020",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<&str> = calls.lines().collect();
    // fs -test, fs -rm (the output "exists"), jar, fs -cat.
    assert_eq!(lines.len(), 4, "{calls}");
    for line in lines {
        assert!(line.contains("-D fs.defaultFS=hdfs://other:8020"), "{line}");
    }
}

#[test]
fn a_setting_a_task_would_refuse_stops_the_job_before_it_is_submitted() {
    // Before: the templates job with a `:` map separator ran on YARN and
    // failed there (35 s, every map task), the reason in the task logs.
    let (out, calls) = with_recording_hadoop(
        "jobs-refused",
        "job.sh",
        &[
            "templates",
            "--input",
            "/in",
            "--output",
            "/out",
            "-D",
            "stream.map.output.field.separator=:",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("can occur inside keys"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(calls, "", "nothing reached hadoop");
    let (out, _) = with_recording_hadoop(
        "jobs-accepted",
        "job.sh",
        &[
            "logcount",
            "--input",
            "/in",
            "--output",
            "/out",
            "--force",
            "-D",
            "stream.map.output.field.separator=:",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_portable_build_older_than_the_sources_is_not_shipped() {
    // Before: the scripts shipped the portable build whenever it existed,
    // even one built before the sources changed (old code on the nodes).
    let dir = TempDir::new("jobs-stale-portable");
    let copy = |from: &Path, to: &Path| {
        let status = Command::new("cp")
            .arg("-r")
            .arg(from)
            .arg(to)
            .status()
            .unwrap();
        assert!(status.success());
    };
    copy(&jobs(), &dir.join("hadoop-jobs"));
    fs::create_dir_all(dir.join("mr/src")).unwrap();
    fs::write(dir.join("mr/src/lib.rs"), "").unwrap();
    fs::write(dir.join("mr/Cargo.toml"), "").unwrap();
    fs::write(dir.join("Cargo.lock"), "").unwrap();
    let portable = dir.join("target/x86_64-unknown-linux-gnu/release");
    fs::create_dir_all(&portable).unwrap();
    copy(&binary("logmr"), &portable.join("logmr"));
    fs::write(dir.join("in.log"), "[INFO] a\n").unwrap();
    let touch = |when: &str, path: &Path| {
        let status = Command::new("touch")
            .args(["-d", when])
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    };
    let local = || {
        Command::new("bash")
            .arg(dir.join("hadoop-jobs/logcount-local.sh"))
            .arg(dir.join("in.log"))
            .env_remove("LOGMR_BIN")
            .output()
            .unwrap()
    };
    touch("2020-01-01", &portable.join("logmr"));
    let out = local();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("older than the sources"),
        "{}",
        text(&out.stderr)
    );
    touch("now", &portable.join("logmr"));
    let out = local();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "INFO\t1\n");
}

#[test]
fn logcount_local_never_deletes_input_and_keeps_settings_to_the_tasks() {
    let dir = TempDir::new("jobs-local-safety");
    let input = dir.join("in");
    fs::create_dir_all(input.join("sub")).unwrap();
    fs::write(input.join("a.log"), "[ERROR] a\n[INFO] b\n").unwrap();
    fs::write(input.join("sub/b.log"), "[WARN] c\n").unwrap();
    fs::create_dir(dir.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(&input, dir.join("link")).unwrap();
    let local_cmd = |args: &[&str]| {
        let mut cmd = Command::new("bash");
        cmd.arg(jobs().join("logcount-local.sh"))
            .args(args)
            .current_dir(dir.path())
            .env("LOGMR_BIN", binary("logmr"));
        cmd
    };
    let local = |args: &[&str]| local_cmd(args).output().unwrap();
    for args in [
        &["--force", "--output", "in", "in"][..],
        &["--force", "--output", "in/sub", "in"],
        &["--force", "--output", ".", "in"],
        &["--force", "--output", "link/out", "in"],
        &["--force", "--output", "elsewhere", "elsewhere/..", "in"],
        &["--force", "--output", "/"],
    ] {
        let out = local(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    assert_eq!(
        fs::read_to_string(input.join("sub/b.log")).unwrap(),
        "[WARN] c\n"
    );
    assert!(input.join("a.log").is_file() && dir.join("elsewhere").is_dir());

    // The same input under another name: a bind mount, and the file that
    // standard input reads. Before, --force deleted them.
    let bind = dir.join("bind");
    fs::create_dir(&bind).unwrap();
    let mounted = Command::new("mount")
        .arg("--bind")
        .arg(&input)
        .arg(&bind)
        .status()
        .unwrap();
    assert!(mounted.success(), "mount --bind (the tests run as root)");
    let out = local(&["--force", "--output", "bind", "in"]);
    let unmounted = Command::new("umount").arg(&bind).status().unwrap();
    assert!(unmounted.success());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("bind mount"),
        "{}",
        text(&out.stderr)
    );
    let out = local_cmd(&["--force", "--output", "in"])
        .stdin(fs::File::open(input.join("a.log")).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("standard input"),
        "{}",
        text(&out.stderr)
    );
    assert!(input.join("a.log").is_file() && input.join("sub/b.log").is_file());

    // A logmr whose path holds a space runs every task.
    let spaced = dir.join("my tools");
    fs::create_dir(&spaced).unwrap();
    fs::copy(binary("logmr"), spaced.join("logmr")).unwrap();
    let out = local_cmd(&["--logmr", spaced.join("logmr").to_str().unwrap(), "in"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "ERROR\t1\nINFO\t1\nWARN\t1\n");

    // Settings reach the tasks only, and only Hadoop-style names: a PATH
    // that would choose the script's own `sort` is refused.
    let evil = dir.join("evil");
    fs::create_dir(&evil).unwrap();
    let marker = dir.join("sort-ran");
    fs::write(
        evil.join("sort"),
        format!(
            "#!/bin/sh\ntouch {}\nexec /usr/bin/sort \"$@\"\n",
            marker.display()
        ),
    )
    .unwrap();
    fs::set_permissions(
        evil.join("sort"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    // LD.PRELOAD passed as a dotted name and reached the tasks as
    // LD_PRELOAD.
    for key in [
        "PATH",
        "LD_PRELOAD",
        "LD.PRELOAD",
        "IFS",
        "a..b",
        "stream.x y",
    ] {
        let define = format!("{key}={}:/usr/bin:/bin", evil.display());
        let out = local(&["-D", &define, "in"]);
        assert_eq!(out.status.code(), Some(2), "{key}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("Hadoop setting")
                || text(&out.stderr).contains("which the system reads"),
            "{}",
            text(&out.stderr)
        );
    }
    assert!(!marker.exists(), "the fake sort ran");

    // A key with a `-`, and a map separator: the tasks see them as Hadoop
    // passes them, and the counts are those of the plain run.
    let plain = local(&["in"]);
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    let out = local(&[
        "-D",
        "yarn.app.mapreduce.am.command-opts=-Xmx1g",
        "-D",
        "stream.map.output.field.separator=:",
        "in",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), text(&plain.stdout));
    assert_eq!(text(&plain.stdout), "ERROR\t1\nINFO\t1\nWARN\t1\n");
}

fn pipeline(args: &[&str]) -> Output {
    let bins = binary("logmr").parent().unwrap().to_path_buf();
    Command::new("bash")
        .arg(jobs().join("pipeline.sh"))
        .args(args)
        .env("LOGMR_BIN_DIR", bins)
        .output()
        .unwrap()
}

#[test]
fn the_whole_pipeline_starts_apache_kafka_and_checks_itself() {
    let dir = TempDir::new("jobs-pipeline");
    let store = dir.join("user/kafka/logs");
    let out = pipeline(&[
        "--count",
        "20000",
        "--format",
        "mixed",
        "--store",
        store.to_str().unwrap(),
    ]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("starting an Apache Kafka broker"),
        "{stderr}"
    );
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

    // A store that is not empty is refused: the check would be wrong. And
    // --force replaces the output only: the store is never deleted.
    let unrelated = store.join("dt=2024-12-10/kept.log");
    fs::create_dir_all(unrelated.parent().unwrap()).unwrap();
    fs::write(&unrelated, "[INFO] keep me\n").unwrap();
    for force in [&[][..], &["--force"]] {
        let mut args = vec!["--count", "10", "--store", store.to_str().unwrap()];
        args.extend(force);
        let again = pipeline(&args);
        assert_eq!(again.status.code(), Some(2), "{force:?}");
        assert!(text(&again.stderr).contains("is not empty"));
    }
    assert!(unrelated.is_file());
    let after: Vec<_> = fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("logs_machine+"))
        .collect();
    assert_eq!(after.len(), committed.len());
}

#[test]
fn the_pipeline_into_hdfs_counts_with_a_yarn_job() {
    let base = format!("/e2e/{}", unique("pipeline-hdfs"));
    let store = services().hdfs_url(&format!("{base}/logs"));
    let output = format!("{base}/logs_out");
    let mut cmd = Command::new("bash");
    cmd.arg(jobs().join("pipeline.sh"))
        .args(["--count", "5000", "--brokers", &services().kafka])
        .args(["--topic", &unique("pipeline_hdfs")])
        .args(["--store", &store, "--output", &output])
        .env("LOGMR_BIN_DIR", binary("logmr").parent().unwrap())
        .env("HADOOP_STREAMING_JAR", services().streaming_jar());
    services().hadoop_env(&mut cmd);
    let out = cmd.output().unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("3/3 logcount.sh: the Hadoop job"),
        "{stderr}"
    );
    assert!(
        stdout.contains("check: equal to the generator's summary"),
        "{stdout}"
    );
}

#[test]
fn pipeline_cluster_refuses_a_broker_or_store_of_its_own() {
    let out = pipeline(&["--cluster", "--brokers", "127.0.0.1:1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("drop --brokers and --store"));
}

#[test]
fn services_refuse_an_unknown_flag_with_exit_2() {
    let dir = TempDir::new("services-flags");
    for command in ["start", "run"] {
        let out = Command::new("bash")
            .arg(workspace_root().join("tests/services/services.sh"))
            .arg(command)
            .arg(dir.path())
            .args(["--no-yarn", "--no-such-flag"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("unknown flag --no-such-flag"),
            "{}",
            text(&out.stderr)
        );
    }
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
        "-inputformat",
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
        ("lib/spark.sh", "lib/spark.ps1"),
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
            for descriptor in ["jobs/logcount.job", "lib/job", "lib/local", "lib/spark"] {
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
fn every_job_gives_the_same_result_on_yarn_locally_and_with_logmr_run() {
    let cluster = Cluster::new("every-job");
    let local_logs = TempDir::new("jobs-every-job");
    for path in &cluster.inputs {
        fs::copy(path, local_logs.join(path.file_name().unwrap())).unwrap();
    }
    for entry in fs::read_dir(jobs().join("jobs")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let output = cluster.out(&name);
        let on_cluster = cluster.run(
            "job.sh",
            &[
                &name,
                "--input",
                &cluster.input(),
                "--reducers",
                "2",
                "--output",
                &output,
            ],
            &[],
        );
        assert!(
            on_cluster.status.success(),
            "{name}: {}",
            text(&on_cluster.stderr)
        );
        let local = cluster.run(
            "job-local.sh",
            &[&name, local_logs.path().to_str().unwrap()],
            &[],
        );
        assert!(local.status.success(), "{name}: {}", text(&local.stderr));
        let (cluster_out, local_out) = (text(&on_cluster.stdout), text(&local.stdout));
        assert!(!local_out.is_empty());
        assert_eq!(
            sorted_lines(&cluster_out),
            sorted_lines(&local_out),
            "{name}"
        );
        // `logmr run` with the mapper's flags gives each line the group the
        // job gives it (templates, sources, time buckets alike).
        let descriptor = fs::read_to_string(&path).unwrap();
        let mapper = descriptor
            .lines()
            .find_map(|l| l.strip_prefix("mapper=logmr map"))
            .unwrap_or_else(|| panic!("{name}: no logmr map mapper"));
        let run = Command::new(binary("logmr"))
            .arg("run")
            .args(mapper.split_whitespace())
            .arg(local_logs.path())
            .output()
            .unwrap();
        assert!(run.status.success(), "{name}: {}", text(&run.stderr));
        assert_eq!(
            sorted_lines(&cluster_out),
            sorted_lines(&text(&run.stdout)),
            "{name}: the job on YARN and logmr run{mapper}"
        );
        // The same job on Spark (local mode) over the same HDFS directory,
        // with the same binary: byte for byte logmr run's result.
        let spark = cluster.spark(&name, &[&services().hdfs_url(&cluster.input())]);
        assert!(spark.status.success(), "{name}: {}", text(&spark.stderr));
        assert_eq!(
            text(&spark.stdout),
            text(&run.stdout),
            "{name}: the job on Spark and logmr run{mapper}"
        );
    }
}

/// The Spark job reads what the Streaming job reads: plain, gzip and
/// bzip2 files of a directory and its subdirectories, not its `_` and `.`
/// files; on YARN (one reducer), on Spark and with `logmr run` the result
/// is the same bytes.
#[test]
fn the_spark_job_reads_compressed_files_and_directories_as_the_yarn_job_does() {
    use std::io::Write;
    let cluster = Cluster::new("spark-inputs");
    let local = TempDir::new("jobs-spark-inputs");
    let logs = HdfsStore::open(&services().hdfs_url(&cluster.out("mixed"))).unwrap();
    let data = workspace_root().join("mr/tests/data");
    let plain = fs::read(data.join("seed.log")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&fs::read(data.join("log4j.log")).unwrap())
        .unwrap();
    let gz = gz.finish().unwrap();
    let bz2 = Command::new("bzip2")
        .arg("-c")
        .arg(data.join("syslog.log"))
        .output()
        .unwrap();
    assert!(bz2.status.success(), "bzip2: {}", text(&bz2.stderr));
    for (name, bytes) in [
        ("seed.log", &plain[..]),
        ("log4j.log.gz", &gz[..]),
        ("syslog.log.bz2", &bz2.stdout[..]),
    ] {
        write_file(&logs, name, bytes);
        fs::write(local.join(name), bytes).unwrap();
    }
    write_file(&logs, "_logs_machine+0.tmp", b"[ERROR] half-written\n");
    write_file(&logs, ".hidden.log", b"[ERROR] hidden\n");
    // A day of a --date-partition store, read whole (CombineTextInputFormat
    // alone passes a subdirectory over), and a hidden one, not read.
    let python = fs::read(data.join("python.log")).unwrap();
    for (dir, visible) in [("dt=2024-12-10", true), ("_temporary", false)] {
        let day = HdfsStore::open(&services().hdfs_url(&format!("{}/{dir}", cluster.out("mixed"))))
            .unwrap();
        write_file(&day, "python.log", &python);
        if visible {
            fs::create_dir(local.join(dir)).unwrap();
            fs::write(local.join(dir).join("python.log"), &python).unwrap();
        }
    }
    let input = cluster.out("mixed");
    let output = cluster.out("mixed-out");
    let yarn = cluster.run(
        "job.sh",
        &["templates", "--input", &input, "--output", &output],
        &[],
    );
    assert!(yarn.status.success(), "{}", text(&yarn.stderr));
    // With --output, the result is also written there, as Spark writes text.
    let spark_output = services().hdfs_url(&cluster.out("spark-out"));
    let spark = cluster.run(
        "spark-job.sh",
        &[
            "templates",
            "--input",
            &services().hdfs_url(&input),
            "--output",
            &spark_output,
        ],
        &[],
    );
    assert!(spark.status.success(), "{}", text(&spark.stderr));
    let written = services()
        .hadoop()
        .args(["fs", "-cat", &format!("{spark_output}/part-*")])
        .output()
        .unwrap();
    assert!(written.status.success(), "{}", text(&written.stderr));
    assert_eq!(
        text(&written.stdout),
        text(&spark.stdout),
        "--output and stdout"
    );
    let run = Command::new(binary("logmr"))
        .args(["run", "--by", "level,template"])
        .arg(local.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("INFO|"), "{}", text(&run.stdout));
    assert_eq!(text(&yarn.stdout), text(&run.stdout), "YARN and logmr run");
    assert_eq!(
        text(&spark.stdout),
        text(&run.stdout),
        "Spark and logmr run"
    );
}

/// A task whose logmr fails fails the Spark job (exit 1), with the task's
/// reason; an unknown job is named with the list of jobs (exit 2).
#[test]
fn a_failing_mapper_fails_the_spark_job_with_its_reason() {
    let cluster = Cluster::new("spark-fails");
    let dir = TempDir::new("jobs-spark-fails");
    let failing = dir.join("logmr");
    fs::write(
        &failing,
        "#!/bin/sh\necho 'logmr: the disk is on fire' >&2\nexit 3\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&failing, fs::Permissions::from_mode(0o755)).unwrap();
    let input = services().hdfs_url(&cluster.input());
    let out = cluster.run(
        "spark-job.sh",
        &[
            "logcount",
            "--input",
            &input,
            "--logmr",
            failing.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("exited with code 3: logmr: the disk is on fire"),
        "{stderr}"
    );
    assert!(stderr.contains("the Spark job failed"), "{stderr}");
    assert!(out.stdout.is_empty());

    let unknown = cluster.run("spark-job.sh", &["nosuchjob"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("the jobs are:"),
        "{}",
        text(&unknown.stderr)
    );
}

/// Every descriptor's paths are valid HDFS paths, and the job scripts'
/// README names each job's output.
#[test]
fn every_descriptor_has_valid_paths_that_the_readme_names() {
    let readme = fs::read_to_string(jobs().join("README.md")).unwrap();
    for entry in fs::read_dir(jobs().join("jobs")).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        for key in ["input=", "output="] {
            let value = text
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .unwrap_or_else(|| panic!("{}: no {key}", path.display()));
            assert!(
                value.starts_with('/')
                    && value.len() > 1
                    && !value.contains("//")
                    && value.split('/').skip(1).all(|c| !c.is_empty()
                        && c.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))),
                "{}: {key}{value} is not a plain absolute path",
                path.display()
            );
            if key == "output=" {
                assert!(
                    readme.contains(value),
                    "hadoop-jobs/README.md does not name {value} ({})",
                    path.display()
                );
            }
        }
    }
}
