//! The layout's promises, checked: the Lambda binaries carry no local-only
//! code, the library's parts depend on each other one way (the table in
//! `shared/src/lib.rs`), no store depends on a flow, and source files stay
//! readable.

use std::collections::{BTreeMap, BTreeSet};
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

/// Every `.rs` file under `dir` (but `tests.rs`, a test module of its own).
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut stack = vec![dir.to_path_buf()];
    let mut out = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The files of `dir` over `max` lines before their tests.
fn over(dir: &str, max: usize) -> (usize, Vec<String>) {
    let files = sources(&workspace().join(dir));
    let too_long = files
        .iter()
        .filter_map(|p| {
            let n = code_lines(p);
            (n > max).then(|| format!("{} ({n} lines)", p.display()))
        })
        .collect();
    (files.len(), too_long)
}

#[test]
fn no_library_source_file_is_over_500_lines_outside_tests() {
    let (files, too_long) = over("shared/src", 500);
    assert!(files > 30, "found only {files} source files");
    assert!(too_long.is_empty(), "split these: {too_long:?}");
}

#[test]
fn no_simulator_or_cli_source_file_is_over_600_lines_outside_tests() {
    let mut all = Vec::new();
    for dir in ["simulators/src", "cli/src"] {
        let (files, too_long) = over(dir, 600);
        assert!(files > 3, "found only {files} source files in {dir}");
        all.extend(too_long);
    }
    assert!(all.is_empty(), "split these: {all:?}");
}

#[test]
fn the_line_count_stops_at_the_test_module() {
    let dir = std::env::temp_dir().join(format!("layout-lines-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("a.rs");
    std::fs::write(&f, "fn a() {}\n\n#[cfg(test)]\nmod tests {\n}\n").unwrap();
    assert_eq!(code_lines(&f), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The top-level parts of `shared/src` a source text names as
/// `crate::part` (also inside `use crate::{a, b::c}`), comments skipped.
fn crate_refs(text: &str, parts: &BTreeSet<String>) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue; // `shared_crate::`, not ours
        }
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Only the group's first level names parts: `{a, b::{c, d}}`.
            let mut depth = 0;
            let mut start = true;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && !c.is_whitespace() => {
                        start = false;
                        out.insert(ident(&group[j..]));
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|p| parts.contains(p));
    out
}

/// Part → (part it references → the files that do), for `shared/src`.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn shared_graph() -> (BTreeSet<String>, Graph) {
    let src = workspace().join("shared/src");
    let part_of = |p: &Path| -> String {
        let rel = p.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a part");
        first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string()
    };
    let files: Vec<PathBuf> = sources(&src)
        .into_iter()
        .filter(|p| p.strip_prefix(&src).is_ok_and(|r| r != Path::new("lib.rs")))
        .collect();
    let parts: BTreeSet<String> = files.iter().map(|p| part_of(p)).collect();
    let mut graph = Graph::new();
    for f in &files {
        let from = part_of(f);
        let text = std::fs::read_to_string(f).expect("readable source");
        for to in crate_refs(&text, &parts) {
            if to != from {
                let rel = f.strip_prefix(&src).expect("under src");
                graph
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_default()
                    .insert(rel.display().to_string());
            }
        }
    }
    (parts, graph)
}

/// A circle in the graph, as the path `a → b → … → a`, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flat_map(|m| m.keys()) {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// A cycle named with the files holding each step.
fn describe(cycle: &[String], graph: &Graph) -> String {
    cycle
        .windows(2)
        .map(|w| format!("{} → {} ({:?})", w[0], w[1], graph[&w[0]][&w[1]]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The parts a part may depend on, as `shared/src/lib.rs`'s layout table
/// says: a row is `| [`a`], [`b`] | what for | x, y, z |` (the parts in
/// backticks; the last column plain names, or `nothing`).
fn allowed_by_lib_table() -> BTreeMap<String, BTreeSet<String>> {
    let lib = std::fs::read_to_string(workspace().join("shared/src/lib.rs")).expect("lib.rs");
    let mut out = BTreeMap::new();
    for row in lib.lines().filter_map(|l| l.strip_prefix("//! | ")) {
        let cols: Vec<&str> = row.trim_end_matches('|').split(" | ").collect();
        if cols.len() != 3 || !cols[0].starts_with('[') && !cols[0].starts_with('`') {
            continue;
        }
        let deps: BTreeSet<String> = cols[2]
            .split(',')
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty() && d != "nothing")
            .collect();
        // The backticked names of the first column (`console`'s feature
        // note names it twice).
        for part in cols[0].split('`').skip(1).step_by(2) {
            out.insert(part.to_string(), deps.clone());
        }
    }
    out
}

#[test]
fn the_librarys_parts_import_each_other_one_way() {
    let (parts, graph) = shared_graph();
    assert!(parts.len() > 15, "found only {parts:?}");
    assert!(
        graph.values().map(|m| m.len()).sum::<usize>() > 40,
        "{graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "shared/src's parts import each other in a circle: {}",
            describe(&cycle, &graph)
        );
    }
}

#[test]
fn each_part_depends_only_on_what_the_lib_table_allows() {
    let (parts, graph) = shared_graph();
    let allowed = allowed_by_lib_table();
    let missing: Vec<&String> = parts.iter().filter(|p| !allowed.contains_key(*p)).collect();
    assert!(
        missing.is_empty(),
        "lib.rs's layout table has no row for {missing:?}"
    );
    let unknown: Vec<String> = allowed
        .iter()
        .flat_map(|(p, deps)| deps.iter().chain([p]).filter(|d| !parts.contains(*d)))
        .cloned()
        .collect();
    assert!(
        unknown.is_empty(),
        "lib.rs's layout table names no such part: {unknown:?}"
    );
    let mut wrong = Vec::new();
    for (from, tos) in &graph {
        for (to, files) in tos {
            if !allowed[from].contains(to) {
                wrong.push(format!("{from} → {to} ({files:?})"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "not allowed by lib.rs's layout table (fix the code or, deliberately, the table): {wrong:#?}"
    );
}

#[test]
fn no_store_module_imports_a_flow() {
    let (_, graph) = shared_graph();
    let flows = [
        "ingest", "writer", "stock", "tracking", "payouts", "jobs", "ops", "console", "notify",
        "mapping", "app",
    ];
    let bad: Vec<String> = graph
        .get("store")
        .into_iter()
        .flatten()
        .filter(|(to, _)| flows.contains(&to.as_str()))
        .map(|(to, files)| format!("store → {to} ({files:?})"))
        .collect();
    assert!(bad.is_empty(), "a store depends on a flow: {bad:?}");
}

fn synthetic(edges: &[(&str, &str)]) -> Graph {
    let mut g = Graph::new();
    for (a, b) in edges {
        g.entry(a.to_string())
            .or_default()
            .entry(b.to_string())
            .or_default()
            .insert(format!("{a}/x.rs"));
    }
    g
}

#[test]
fn the_cycle_finder_names_a_circle_and_passes_a_tree() {
    let tree = synthetic(&[("app", "writer"), ("writer", "store"), ("app", "store")]);
    assert_eq!(find_cycle(&tree), None);
    let circle = synthetic(&[
        ("app", "writer"),
        ("writer", "jobs"),
        ("jobs", "store"),
        ("store", "writer"),
    ]);
    let c = find_cycle(&circle).expect("a circle");
    assert_eq!(c, ["writer", "jobs", "store", "writer"]);
    assert!(describe(&c, &circle).contains("store → writer ({\"store/x.rs\"})"));
}

#[test]
fn the_reference_scanner_reads_paths_and_use_groups_but_not_comments() {
    let parts: BTreeSet<String> = ["jobs", "store", "tiktok", "writer", "domain"]
        .map(String::from)
        .into();
    let text = "use crate::store::Store;\n\
                use crate::{\n    domain::{ShopId, Sku},\n    tiktok,\n};\n\
                /// See [`crate::writer`].\n\
                // crate::jobs in a comment\n\
                fn f() { crate::jobs::run(); shared_crate::writer(); crate::string_enum!(); }\n";
    let got = crate_refs(text, &parts);
    let want: BTreeSet<String> = ["domain", "jobs", "store", "tiktok"]
        .map(String::from)
        .into();
    assert_eq!(got, want);
}

#[test]
fn each_flow_has_a_folder_a_reader_can_find() {
    let src = workspace().join("shared/src");
    for part in [
        "ingest", "writer", "stock", "tracking", "payouts", "jobs", "store", "ops", "notify",
        "config", "tiktok", "netsuite",
    ] {
        assert!(src.join(part).join("mod.rs").exists(), "shared/src/{part}/");
    }
    for flow in ["order.rs", "cancel.rs", "refund.rs", "batch.rs"] {
        assert!(src.join("writer").join(flow).exists(), "writer/{flow}");
    }
}
