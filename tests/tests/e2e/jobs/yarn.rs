//! Jobs on the services' YARN as the job scripts submit them: the
//! portable build, the job's shape, separators, failures, and every
//! descriptor equal on YARN, on one machine and with `logmr run`.

use super::*;

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
