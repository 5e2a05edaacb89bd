//! `infra/DEPLOY.md` stays true to `infra/template.yaml`: every template
//! parameter is in the guide's parameter table with the same default (and
//! nothing else is), every output is in its output table (and nothing
//! else is), and the guide's count of IAM roles is the template's. Each
//! check is shown to fail when either side changes.

use std::collections::BTreeMap;
use std::path::PathBuf;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn read(rel: &str) -> String {
    let p = repo_root().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// What the template declares: parameters with their defaults, outputs,
/// and how many IAM roles it creates.
#[derive(Debug, Default, PartialEq)]
struct Declared {
    parameters: BTreeMap<String, Option<String>>,
    outputs: Vec<String>,
    roles: usize,
}

fn scalar(v: &serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::String(s) => Some(s.clone()),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn template(text: &str) -> Declared {
    let t: serde_yaml::Value = serde_yaml::from_str(text).expect("template is YAML");
    let keys = |section: &str| -> Vec<(String, serde_yaml::Value)> {
        t.get(section)
            .and_then(|s| s.as_mapping())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.clone())))
                    .collect()
            })
            .unwrap_or_default()
    };
    Declared {
        parameters: keys("Parameters")
            .into_iter()
            .map(|(k, v)| (k, v.get("Default").and_then(scalar)))
            .collect(),
        outputs: keys("Outputs").into_iter().map(|(k, _)| k).collect(),
        roles: keys("Resources")
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(|t| t.as_str()) == Some("AWS::IAM::Role"))
            .count(),
    }
}

/// The rows of the first table after `heading` (a line of its own), up to
/// the next heading: (first cell, second cell), backticks removed.
fn table(md: &str, heading: &str) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut in_table = false;
    for l in md.lines().skip_while(|l| l.trim() != heading).skip(1) {
        let l = l.trim();
        if l.starts_with('#') {
            break;
        }
        if !l.starts_with('|') {
            if in_table {
                break;
            }
            continue;
        }
        in_table = true;
        let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
        if cells
            .iter()
            .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
        {
            continue;
        }
        let clean = |c: &str| c.trim_matches('`').to_string();
        rows.push((
            clean(cells.first().copied().unwrap_or_default()),
            clean(cells.get(1).copied().unwrap_or_default()),
        ));
    }
    // The header row names the columns.
    if !rows.is_empty() {
        rows.remove(0);
    }
    rows
}

const PARAMETERS: &str = "### Parameters";
const OUTPUTS: &str = "### Outputs";

/// Every way the guide and the template disagree.
fn problems(template_text: &str, guide: &str) -> Vec<String> {
    let t = template(template_text);
    let mut p = Vec::new();
    let params = table(guide, PARAMETERS);
    if params.is_empty() {
        p.push(format!("DEPLOY.md has no table under {PARAMETERS:?}"));
    }
    let documented: BTreeMap<String, String> = params.into_iter().collect();
    for (name, default) in &t.parameters {
        match documented.get(name) {
            None => p.push(format!(
                "parameter {name} is in the template but not in DEPLOY.md's table"
            )),
            Some(d) => {
                // No default is "—"; an empty string default is `""`.
                let want = match default.as_deref() {
                    None => "—".to_string(),
                    Some("") => "\"\"".to_string(),
                    Some(d) => d.to_string(),
                };
                if *d != want {
                    p.push(format!(
                        "parameter {name}: DEPLOY.md says default {d:?}, the template {want:?}"
                    ));
                }
            }
        }
    }
    for name in documented.keys() {
        if !t.parameters.contains_key(name) {
            p.push(format!(
                "parameter {name} is in DEPLOY.md's table but not in the template"
            ));
        }
    }
    let outputs: Vec<String> = table(guide, OUTPUTS).into_iter().map(|(n, _)| n).collect();
    if outputs.is_empty() {
        p.push(format!("DEPLOY.md has no table under {OUTPUTS:?}"));
    }
    for o in &t.outputs {
        if !outputs.contains(o) {
            p.push(format!(
                "output {o} is in the template but not in DEPLOY.md's table"
            ));
        }
    }
    for o in &outputs {
        if !t.outputs.contains(o) {
            p.push(format!(
                "output {o} is in DEPLOY.md's table but not in the template"
            ));
        }
    }
    let says = format!("{} IAM roles", t.roles);
    if !guide.contains(&says) {
        p.push(format!("DEPLOY.md should say the stack creates \"{says}\""));
    }
    p
}

#[test]
fn the_guides_tables_match_the_template() {
    let p = problems(&read("infra/template.yaml"), &read("infra/DEPLOY.md"));
    assert!(
        p.is_empty(),
        "infra/DEPLOY.md has drifted:\n  {}",
        p.join("\n  ")
    );
}

#[test]
fn the_check_fails_when_either_side_changes() {
    let template_text = read("infra/template.yaml");
    let guide = read("infra/DEPLOY.md");
    assert!(problems(&template_text, &guide).is_empty());

    // The template gains a parameter, or an output.
    let more = template_text.replacen(
        "Parameters:\n",
        "Parameters:\n  BrandNewParameter:\n    Type: String\n    Default: x\n",
        1,
    );
    assert!(problems(&more, &guide)
        .iter()
        .any(|p| p.contains("BrandNewParameter")));
    let more = template_text.replacen(
        "Outputs:\n",
        "Outputs:\n  BrandNewOutput:\n    Value: x\n",
        1,
    );
    assert!(problems(&more, &guide)
        .iter()
        .any(|p| p.contains("BrandNewOutput")));

    // A default changes on one side.
    let changed = template_text.replacen("    Default: 90\n", "    Default: 91\n", 1);
    assert_ne!(changed, template_text, "the template has a default of 90");
    assert!(problems(&changed, &guide).iter().any(|p| p.contains("91")));

    // The guide loses a row, or gains one the template does not have.
    let row = guide
        .lines()
        .find(|l| l.starts_with("| `LogRetentionDays`"))
        .expect("LogRetentionDays row");
    let fewer = guide.replacen(&format!("{row}\n"), "", 1);
    assert!(problems(&template_text, &fewer)
        .iter()
        .any(|p| p.contains("LogRetentionDays")));
    let extra = guide.replacen(
        &format!("{row}\n"),
        &format!("{row}\n| `GhostParameter` | — | gone |\n"),
        1,
    );
    assert!(problems(&template_text, &extra)
        .iter()
        .any(|p| p.contains("GhostParameter")));

    // Another role in the template.
    let roles = template(&template_text).roles;
    let one_more = template_text.replacen(
        "Resources:\n",
        "Resources:\n  ExtraRole:\n    Type: AWS::IAM::Role\n",
        1,
    );
    assert!(problems(&one_more, &guide)
        .iter()
        .any(|p| p.contains(&format!("{} IAM roles", roles + 1))));
}

/// What the issue found untrue must not come back.
#[test]
fn the_guide_does_not_promise_what_exists() {
    let guide = read("infra/DEPLOY.md");
    for stale in ["will be added", "two IAM roles", "Not parameters yet"] {
        assert!(!guide.contains(stale), "DEPLOY.md still says {stale:?}");
    }
}
