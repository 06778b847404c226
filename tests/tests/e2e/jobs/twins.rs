//! Each PowerShell script is a twin of its bash script: the same options
//! and defaults, error exits and `hadoop jar` arguments.

use super::*;

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

fn read_path(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
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
