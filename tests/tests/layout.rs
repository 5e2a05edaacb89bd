//! The layout's promises, checked: the Lambda binaries carry no local-only
//! code, and the library's source files stay readable.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// `cargo tree` of the normal (shipped) dependencies of the Lambda functions.
fn lambda_tree() -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let run = |offline: bool| {
        let mut c = Command::new(&cargo);
        c.current_dir(workspace()).args([
            "tree",
            "-e",
            "normal",
            "-p",
            "webhook",
            "-p",
            "netsuite-writer",
            "-p",
            "jobs",
            "--prefix",
            "none",
        ]);
        if offline {
            c.arg("--offline");
        }
        c.output().expect("cargo tree runs")
    };
    let out = match run(true) {
        o if o.status.success() => o,
        _ => run(false),
    };
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn lambda_functions_ship_no_local_simulator_or_cli_code() {
    let tree = lambda_tree();
    let crates: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(crates.contains(&"shared"), "{tree}");
    for banned in [
        "local-env",
        "simulators",
        "cli",
        "clap",
        "integration-tests",
    ] {
        assert!(
            !crates.contains(&banned),
            "{banned} is in a Lambda's dependency tree:\n{tree}"
        );
    }
}

/// Lines of a source file before its `#[cfg(test)]` module.
fn code_lines(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).expect("readable source");
    text.lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .count()
}

#[test]
fn no_library_source_file_is_over_500_lines_outside_tests() {
    let mut stack = vec![workspace().join("shared/src")];
    let mut too_long = Vec::new();
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                files += 1;
                let n = code_lines(&path);
                if n > 500 {
                    too_long.push(format!("{} ({n} lines)", path.display()));
                }
            }
        }
    }
    assert!(files > 30, "found only {files} source files");
    assert!(too_long.is_empty(), "split these: {too_long:?}");
}

#[test]
fn each_flow_has_a_folder_a_reader_can_find() {
    let src = workspace().join("shared/src");
    for part in [
        "ingest", "writer", "store", "ops", "notify", "config", "tiktok", "netsuite",
    ] {
        assert!(src.join(part).join("mod.rs").exists(), "shared/src/{part}/");
    }
    for flow in ["order.rs", "cancel.rs", "refund.rs", "batch.rs"] {
        assert!(src.join("writer").join(flow).exists(), "writer/{flow}");
    }
}
