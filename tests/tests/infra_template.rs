//! Checks on `infra/template.yaml` that cfn-lint cannot make:
//!
//! - drift: the tables, queues and environment variables in the template are
//!   the ones `shared::resources` lists (and the local bootstrap creates);
//! - values cfn-lint accepts even when wrong (a misspelled
//!   `ReportBatchItemFailures`, an unknown runtime, the writer's timeout);
//! - least privilege: no IAM statement allows a wildcard action or resource,
//!   except the documented `EXCEPTIONS`;
//! - the `events/invoke/*.json` fixtures are well-formed for their functions.
//!
//! The checks return lists of problems, and `checks_catch_mistakes` feeds them
//! a broken template so a check that stops checking fails the suite.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};
use shared::resources::{
    QueueSpec, TableSpec, QUEUES, TABLES, WRITER_BATCH_SIZE, WRITER_TIMEOUT_SECS,
};

/// Statements allowed a `Resource: "*"`, by `Sid`, with the reason. AWS needs
/// `*` for some actions (e.g. `xray:PutTraceSegments`); none is used today.
/// Keep infra/DEPLOY.md's "IAM exceptions" section in step with this list.
const EXCEPTIONS: &[(&str, &str)] = &[];

/// The parameter that caps the writer's concurrency (NetSuite's limit).
const CONCURRENCY_PARAMETER: &str = "NetSuiteConcurrencyLimit";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn load_template() -> Value {
    let path = repo_root().join("infra/template.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_template(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Parses a CloudFormation YAML template into JSON, turning the short-form
/// intrinsics (`!Ref X`, `!GetAtt A.B`, `!Sub …`) into their long forms
/// (`{"Ref": X}`, `{"Fn::GetAtt": [A, B]}`, `{"Fn::Sub": …}`).
fn parse_template(text: &str) -> Result<Value, String> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    to_json(yaml)
}

fn to_json(v: serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                json!(i)
            } else if let Some(u) = n.as_u64() {
                json!(u)
            } else {
                json!(n.as_f64())
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Y::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => {
            let tag = t.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = to_json(t.value)?;
            match name {
                "Ref" | "Condition" => json!({ name: inner }),
                "GetAtt" => match inner {
                    Value::String(s) => {
                        let (res, attr) = s
                            .split_once('.')
                            .ok_or_else(|| format!("!GetAtt {s} has no attribute"))?;
                        json!({ "Fn::GetAtt": [res, attr] })
                    }
                    other => json!({ "Fn::GetAtt": other }),
                },
                _ => json!({ format!("Fn::{name}"): inner }),
            }
        }
    })
}

fn is_ref(v: &Value, target: &str) -> bool {
    v.get("Ref").and_then(Value::as_str) == Some(target)
}

fn is_get_att(v: &Value, resource: &str, attr: &str) -> bool {
    v.get("Fn::GetAtt") == Some(&json!([resource, attr]))
}

fn resources(t: &Value) -> Vec<(&str, &Value)> {
    t.get("Resources")
        .and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default()
}

fn resource_type(r: &Value) -> &str {
    r.get("Type").and_then(Value::as_str).unwrap_or("")
}

fn functions(t: &Value) -> Vec<(&str, &Value)> {
    resources(t)
        .into_iter()
        .filter(|(_, r)| resource_type(r) == "AWS::Serverless::Function")
        .collect()
}

/// A function property, falling back to `Globals.Function` as SAM does.
fn fn_prop<'a>(t: &'a Value, func: &'a Value, name: &str) -> Option<&'a Value> {
    func.pointer(&format!("/Properties/{name}"))
        .or_else(|| t.pointer(&format!("/Globals/Function/{name}")))
}

/// A function's environment: `Globals.Function` variables overlaid by its own.
fn fn_env(t: &Value, func: &Value) -> BTreeMap<String, Value> {
    let mut env = BTreeMap::new();
    for src in [
        t.pointer("/Globals/Function/Environment/Variables"),
        func.pointer("/Properties/Environment/Variables"),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(m) = src.as_object() {
            env.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    env
}

/// The package directory a function is built from (`../functions/<dir>`).
fn fn_package(func: &Value) -> Option<&str> {
    func.pointer("/Properties/CodeUri")
        .and_then(Value::as_str)
        .and_then(|u| u.strip_prefix("../functions/"))
}

fn function_by_package<'a>(t: &'a Value, package: &str) -> Option<(&'a str, &'a Value)> {
    functions(t)
        .into_iter()
        .find(|(_, f)| fn_package(f) == Some(package))
}

// ------------------------------------------------------------------ drift

fn table_problems(t: &Value, spec: &TableSpec) -> Vec<String> {
    let id = spec.logical_id;
    let mut p = Vec::new();
    let Some(r) = t.pointer(&format!("/Resources/{id}")) else {
        return vec![format!(
            "{id}: missing (shared::resources::TABLES lists it)"
        )];
    };
    if resource_type(r) != "AWS::DynamoDB::Table" {
        p.push(format!("{id}: Type must be AWS::DynamoDB::Table"));
    }
    let props = r.get("Properties").cloned().unwrap_or(Value::Null);
    if props.get("BillingMode") != Some(&json!("PAY_PER_REQUEST")) {
        p.push(format!("{id}: BillingMode must be PAY_PER_REQUEST"));
    }
    let mut want_keys = vec![json!({"AttributeName": spec.partition_key, "KeyType": "HASH"})];
    if let Some(sk) = spec.sort_key {
        want_keys.push(json!({"AttributeName": sk, "KeyType": "RANGE"}));
    }
    if props.get("KeySchema") != Some(&Value::Array(want_keys)) {
        p.push(format!(
            "{id}: KeySchema must be HASH {} / RANGE {:?}",
            spec.partition_key, spec.sort_key
        ));
    }
    let attrs = props
        .get("AttributeDefinitions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for key in std::iter::once(spec.partition_key).chain(spec.sort_key) {
        if !attrs.contains(&json!({"AttributeName": key, "AttributeType": "S"})) {
            p.push(format!(
                "{id}: key attribute {key} must be defined with type S"
            ));
        }
    }
    if props.pointer("/PointInTimeRecoverySpecification/PointInTimeRecoveryEnabled")
        != Some(&json!(true))
    {
        p.push(format!("{id}: point-in-time recovery must be enabled"));
    }
    if props.pointer("/SSESpecification/SSEEnabled") != Some(&json!(true)) {
        p.push(format!("{id}: SSESpecification.SSEEnabled must be true"));
    }
    let ttl = props.get("TimeToLiveSpecification");
    match spec.ttl_attribute {
        Some(attr) => {
            if ttl != Some(&json!({"AttributeName": attr, "Enabled": true})) {
                p.push(format!("{id}: TTL must be enabled on {attr}"));
            }
        }
        None => {
            if ttl.and_then(|v| v.get("Enabled")) == Some(&json!(true)) {
                p.push(format!("{id}: has TTL but resources.rs declares none"));
            }
        }
    }
    p
}

fn queue_problems(t: &Value, spec: &QueueSpec) -> Vec<String> {
    let id = spec.logical_id;
    let mut p = Vec::new();
    let Some(r) = t.pointer(&format!("/Resources/{id}")) else {
        return vec![format!(
            "{id}: missing (shared::resources::QUEUES lists it)"
        )];
    };
    if resource_type(r) != "AWS::SQS::Queue" {
        p.push(format!("{id}: Type must be AWS::SQS::Queue"));
    }
    let props = r.get("Properties").cloned().unwrap_or(Value::Null);
    let fifo = props
        .get("FifoQueue")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if fifo != spec.fifo {
        p.push(format!("{id}: FifoQueue must be {}", spec.fifo));
    }
    if props.get("VisibilityTimeout").and_then(Value::as_u64)
        != Some(u64::from(spec.visibility_timeout_secs))
    {
        p.push(format!(
            "{id}: VisibilityTimeout must be {}",
            spec.visibility_timeout_secs
        ));
    }
    let redrive = props.get("RedrivePolicy");
    match spec.redrive {
        Some((dlq, count)) => {
            let target_ok = redrive
                .and_then(|r| r.get("deadLetterTargetArn"))
                .is_some_and(|v| is_get_att(v, dlq, "Arn"));
            if !target_ok {
                p.push(format!(
                    "{id}: RedrivePolicy.deadLetterTargetArn must be !GetAtt {dlq}.Arn"
                ));
            }
            let max = redrive.and_then(|r| r.get("maxReceiveCount"));
            let max = max
                .and_then(Value::as_u64)
                .or_else(|| max.and_then(Value::as_str).and_then(|s| s.parse().ok()));
            if max != Some(u64::from(count)) {
                p.push(format!(
                    "{id}: RedrivePolicy.maxReceiveCount must be {count}"
                ));
            }
            // A FIFO queue's dead-letter queue must be FIFO too.
            if spec.fifo && !QUEUES.iter().any(|q| q.logical_id == dlq && q.fifo) {
                p.push(format!("{id}: dead-letter queue {dlq} must be FIFO"));
            }
        }
        None => {
            if redrive.is_some() {
                p.push(format!(
                    "{id}: has a RedrivePolicy but resources.rs declares none"
                ));
            }
        }
    }
    p
}

fn drift_problems(t: &Value) -> Vec<String> {
    let mut p: Vec<String> = TABLES.iter().flat_map(|s| table_problems(t, s)).collect();
    p.extend(QUEUES.iter().flat_map(|s| queue_problems(t, s)));

    // Nothing stateful in the template that the local bootstrap does not create.
    for (id, r) in resources(t) {
        let known = match resource_type(r) {
            "AWS::DynamoDB::Table" => TABLES.iter().any(|s| s.logical_id == id),
            "AWS::SQS::Queue" => QUEUES.iter().any(|s| s.logical_id == id),
            _ => true,
        };
        if !known {
            p.push(format!(
                "{id}: not in shared::resources (add it there so local runs have it)"
            ));
        }
    }

    // Every function gets every resource name under the variable the code reads.
    let mut names: Vec<(&str, &str)> = TABLES.iter().map(|s| (s.env_var, s.logical_id)).collect();
    names.extend(QUEUES.iter().map(|s| (s.env_var, s.logical_id)));
    for (fid, f) in functions(t) {
        let env = fn_env(t, f);
        for (var, id) in &names {
            if !env.get(*var).is_some_and(|v| is_ref(v, id)) {
                p.push(format!(
                    "{fid}: environment variable {var} must be !Ref {id}"
                ));
            }
        }
    }
    p
}

// ------------------------------------------------- values cfn-lint misses

fn lambda_problems(t: &Value) -> Vec<String> {
    let mut p = Vec::new();
    let funcs = functions(t);
    if funcs.is_empty() {
        p.push("no AWS::Serverless::Function in the template".to_string());
    }
    for (id, f) in &funcs {
        let expect = |name: &str, want: Value, p: &mut Vec<String>| {
            if fn_prop(t, f, name) != Some(&want) {
                p.push(format!("{id}: {name} must be {want}"));
            }
        };
        expect("Runtime", json!("provided.al2023"), &mut p);
        expect("Architectures", json!(["arm64"]), &mut p);
        expect("Handler", json!("bootstrap"), &mut p);
        if f.pointer("/Metadata/BuildMethod") != Some(&json!("rust-cargolambda")) {
            p.push(format!(
                "{id}: Metadata.BuildMethod must be rust-cargolambda"
            ));
        }
        let format = f
            .pointer("/Properties/LoggingConfig/LogFormat")
            .or_else(|| t.pointer("/Globals/Function/LoggingConfig/LogFormat"));
        if format != Some(&json!("JSON")) {
            p.push(format!("{id}: LoggingConfig.LogFormat must be JSON"));
        }
        match fn_package(f) {
            None => p.push(format!("{id}: CodeUri must be ../functions/<package>")),
            Some(pkg) => {
                if !repo_root()
                    .join("functions")
                    .join(pkg)
                    .join("Cargo.toml")
                    .is_file()
                {
                    p.push(format!(
                        "{id}: CodeUri ../functions/{pkg} has no Cargo.toml"
                    ));
                }
            }
        }
        let events = f
            .pointer("/Properties/Events")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (eid, e) in &events {
            if e.get("Type") == Some(&json!("SQS")) {
                p.extend(sqs_source_problems(
                    t,
                    &format!("{id}.Events.{eid}"),
                    e.get("Properties"),
                ));
            }
        }
    }
    // Raw event source mappings, should any be added outside SAM events.
    for (id, r) in resources(t) {
        if resource_type(r) == "AWS::Lambda::EventSourceMapping" {
            p.extend(sqs_source_problems(t, id, r.get("Properties")));
        }
    }

    match function_by_package(t, "webhook") {
        None => p.push("no function built from ../functions/webhook".into()),
        Some((id, f)) => {
            if f.pointer("/Properties/FunctionUrlConfig/AuthType") != Some(&json!("NONE")) {
                p.push(format!(
                    "{id}: FunctionUrlConfig.AuthType must be NONE (TikTok cannot sign AWS requests)"
                ));
            }
        }
    }
    match function_by_package(t, "netsuite-writer") {
        None => p.push("no function built from ../functions/netsuite-writer".into()),
        Some((id, f)) => {
            if fn_prop(t, f, "Timeout").and_then(Value::as_u64)
                != Some(u64::from(WRITER_TIMEOUT_SECS))
            {
                p.push(format!(
                    "{id}: Timeout must be shared::resources::WRITER_TIMEOUT_SECS ({WRITER_TIMEOUT_SECS})"
                ));
            }
            let has_queue_source = f
                .pointer("/Properties/Events")
                .and_then(Value::as_object)
                .is_some_and(|m| {
                    m.values().any(|e| {
                        e.get("Type") == Some(&json!("SQS"))
                            && e.pointer("/Properties/Queue")
                                .is_some_and(|q| is_get_att(q, "OrdersQueue", "Arn"))
                    })
                });
            if !has_queue_source {
                p.push(format!(
                    "{id}: needs an SQS event on !GetAtt OrdersQueue.Arn"
                ));
            }
        }
    }
    p
}

fn sqs_source_problems(t: &Value, at: &str, props: Option<&Value>) -> Vec<String> {
    let mut p = Vec::new();
    let props = props.cloned().unwrap_or(Value::Null);
    if props.get("FunctionResponseTypes") != Some(&json!(["ReportBatchItemFailures"])) {
        p.push(format!(
            "{at}: FunctionResponseTypes must be exactly [ReportBatchItemFailures]"
        ));
    }
    if props.get("BatchSize").and_then(Value::as_u64) != Some(u64::from(WRITER_BATCH_SIZE)) {
        p.push(format!(
            "{at}: BatchSize must be shared::resources::WRITER_BATCH_SIZE ({WRITER_BATCH_SIZE})"
        ));
    }
    let max = props.pointer("/ScalingConfig/MaximumConcurrency");
    if !max.is_some_and(|v| is_ref(v, CONCURRENCY_PARAMETER)) {
        p.push(format!(
            "{at}: ScalingConfig.MaximumConcurrency must be !Ref {CONCURRENCY_PARAMETER}"
        ));
    }
    let param = t.pointer(&format!("/Parameters/{CONCURRENCY_PARAMETER}"));
    if param
        .and_then(|v| v.get("MinValue"))
        .and_then(Value::as_u64)
        .unwrap_or(0)
        < 2
    {
        p.push(format!(
            "parameter {CONCURRENCY_PARAMETER} must exist with MinValue >= 2 (AWS's minimum)"
        ));
    }
    p
}

// ------------------------------------------------------------- wildcards

fn as_list(v: Option<&Value>) -> Vec<Value> {
    match v {
        None => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(other) => vec![other.clone()],
    }
}

/// Every IAM policy statement anywhere in the template (role policies and
/// trust policies, managed policies, topic/queue/bucket policies, SAM inline
/// statements), with where it was found.
fn statements(v: &Value, at: &str, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            if let Some(st) = m.get("Statement") {
                for (i, s) in as_list(Some(st)).into_iter().enumerate() {
                    out.push((format!("{at}/Statement/{i}"), s));
                }
            }
            for (k, child) in m {
                if k != "Statement" {
                    statements(child, &format!("{at}/{k}"), out);
                }
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                statements(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn wildcard_problems(t: &Value) -> Vec<String> {
    let mut p = Vec::new();
    let mut found = Vec::new();
    statements(t, "", &mut found);
    for (at, s) in &found {
        if s.get("Effect") != Some(&json!("Allow")) {
            continue; // a Deny with a wildcard only narrows access
        }
        let sid = s.get("Sid").and_then(Value::as_str).unwrap_or("");
        if s.get("NotAction").is_some() || s.get("NotResource").is_some() {
            p.push(format!(
                "{at} ({sid}): Allow with NotAction/NotResource grants nearly everything"
            ));
        }
        for a in as_list(s.get("Action")) {
            match a.as_str() {
                Some(a) if a.contains('*') => {
                    p.push(format!("{at} ({sid}): wildcard action {a}"));
                }
                Some(_) => {}
                None => p.push(format!("{at} ({sid}): action {a} is not a plain string")),
            }
        }
        let star = as_list(s.get("Resource")).iter().any(|r| r == "*");
        if star && !EXCEPTIONS.iter().any(|(x, _)| *x == sid) {
            p.push(format!(
                "{at} ({sid}): Resource \"*\" (add the Sid to EXCEPTIONS with a reason only if AWS requires it)"
            ));
        }
    }
    // Policies the template cannot show cannot be checked.
    for (id, r) in resources(t) {
        if r.pointer("/Properties/ManagedPolicyArns").is_some() {
            p.push(format!(
                "{id}: ManagedPolicyArns cannot be checked; use inline statements"
            ));
        }
        if resource_type(r) == "AWS::Serverless::Function" {
            if r.pointer("/Properties/Role").is_none() {
                p.push(format!(
                    "{id}: no explicit Role; SAM would attach AWSLambdaBasicExecutionRole (logs on \"*\")"
                ));
            }
            for (i, pol) in as_list(r.pointer("/Properties/Policies"))
                .iter()
                .enumerate()
            {
                if pol.get("Statement").is_none() {
                    p.push(format!(
                        "{id}/Policies/{i}: managed policy or SAM policy template; write the statements out"
                    ));
                }
            }
        }
    }
    if found.is_empty() {
        p.push("no IAM statements found at all".into());
    }
    p
}

fn assert_none(what: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn template_matches_shared_resources() {
    assert_none(
        "drift between infra/template.yaml and shared::resources",
        drift_problems(&load_template()),
    );
}

#[test]
fn template_sets_values_cfn_lint_misses() {
    assert_none("infra/template.yaml", lambda_problems(&load_template()));
}

#[test]
fn no_wildcard_iam_outside_exceptions() {
    assert_none("IAM wildcards", wildcard_problems(&load_template()));
}

#[test]
fn every_function_package_is_deployed() {
    let t = load_template();
    let dir = repo_root().join("functions");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("functions/ exists") {
        let path = entry.expect("readable entry").path();
        if path.join("Cargo.toml").is_file() {
            let pkg = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if function_by_package(&t, &pkg).is_none() {
                missing.push(pkg);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "functions/ packages with no function in infra/template.yaml: {missing:?}"
    );
}

#[test]
fn exceptions_are_used_and_explained() {
    let t = load_template();
    let mut found = Vec::new();
    statements(&t, "", &mut found);
    for (sid, reason) in EXCEPTIONS {
        assert!(!reason.trim().is_empty(), "exception {sid} needs a reason");
        assert!(
            found.iter().any(|(_, s)| s.get("Sid") == Some(&json!(sid))),
            "exception {sid} matches no statement; remove it"
        );
    }
}

/// The checks must catch what cfn-lint lets through; without them this fails.
#[test]
fn checks_catch_mistakes() {
    let broken = r#"
Parameters:
  NetSuiteConcurrencyLimit: { Type: Number, Default: 2, MinValue: 1 }
Globals:
  Function:
    Runtime: provided.al2099
    Architectures: [x86_64]
Resources:
  EventsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PROVISIONED
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
  OrdersQueue:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
      VisibilityTimeout: 30
      RedrivePolicy: { deadLetterTargetArn: !GetAtt OtherQueue.Arn, maxReceiveCount: 3 }
  WriterRole:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - { Sid: Everything, Effect: Allow, Action: "dynamodb:*", Resource: "*" }
  WriterFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ../functions/netsuite-writer
      Timeout: 900
      Environment: { Variables: { EVENTS_TABLE: !Ref OrderLogTable } }
      Policies: [AWSLambdaBasicExecutionRole, { DynamoDBCrudPolicy: { TableName: x } }]
      Events:
        Orders:
          Type: SQS
          Properties:
            Queue: !GetAtt OrdersQueue.Arn
            FunctionResponseTypes: [ReportBatchItemFailure]
            ScalingConfig: { MaximumConcurrency: 5 }
"#;
    let t = parse_template(broken).expect("snippet parses");
    let all: Vec<String> = [
        drift_problems(&t),
        lambda_problems(&t),
        wildcard_problems(&t),
    ]
    .concat();
    let expect = [
        "EventsTable: BillingMode must be PAY_PER_REQUEST",
        "EventsTable: KeySchema",
        "EventsTable: point-in-time recovery",
        "EventsTable: SSESpecification",
        "EventsTable: TTL must be enabled on expires_at",
        "OrderLogTable: missing",
        "OrdersDeadLetterQueue: missing",
        "OrdersQueue: VisibilityTimeout must be 360",
        "OrdersQueue: RedrivePolicy.deadLetterTargetArn",
        "OrdersQueue: RedrivePolicy.maxReceiveCount must be 5",
        "WriterFunction: environment variable EVENTS_TABLE must be !Ref EventsTable",
        "WriterFunction: environment variable ORDERS_QUEUE_URL",
        "WriterFunction: Runtime must be \"provided.al2023\"",
        "WriterFunction: Architectures must be [\"arm64\"]",
        "WriterFunction: Metadata.BuildMethod must be rust-cargolambda",
        "WriterFunction: LoggingConfig.LogFormat must be JSON",
        "FunctionResponseTypes must be exactly [ReportBatchItemFailures]",
        "BatchSize must be shared::resources::WRITER_BATCH_SIZE",
        "MaximumConcurrency must be !Ref NetSuiteConcurrencyLimit",
        "MinValue >= 2",
        "WriterFunction: Timeout must be",
        "no function built from ../functions/webhook",
        "wildcard action dynamodb:*",
        "(Everything): Resource \"*\"",
        "WriterRole: ManagedPolicyArns",
        "WriterFunction: no explicit Role",
        "WriterFunction/Policies/0: managed policy",
        "WriterFunction/Policies/1: managed policy or SAM policy template",
    ];
    let missed: Vec<&str> = expect
        .iter()
        .copied()
        .filter(|e| !all.iter().any(|p| p.contains(e)))
        .collect();
    assert!(
        missed.is_empty(),
        "checks missed {missed:?}\nthey reported:\n  {}",
        all.join("\n  ")
    );

    // A listed exception lets exactly that Sid through.
    let ok = parse_template(
        r#"
Resources:
  R:
    Type: AWS::IAM::Policy
    Properties:
      PolicyDocument:
        Statement:
          - { Sid: Narrow, Effect: Allow, Action: s3:GetObject, Resource: !Sub "arn:aws:s3:::b/*" }
          - { Effect: Deny, Action: "*", Resource: "*" }
"#,
    )
    .expect("parses");
    assert_none("narrow statements and a Deny", wildcard_problems(&ok));
}

// ------------------------------------------------------------- fixtures

fn fixture(name: &str) -> String {
    let path = repo_root().join("events/invoke").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn writer_fixture_is_an_sqs_event_with_a_queued_event() {
    use aws_lambda_events::event::sqs::SqsEvent;
    let event: SqsEvent = serde_json::from_str(&fixture("netsuite-writer.json"))
        .expect("netsuite-writer.json is an SqsEvent");
    assert_eq!(event.records.len(), 1);
    let msg = &event.records[0];
    for attr in [
        "MessageGroupId",
        "ApproximateReceiveCount",
        "MessageDeduplicationId",
    ] {
        assert!(
            msg.attributes.contains_key(attr),
            "attribute {attr} missing"
        );
    }
    assert!(
        msg.message_id.is_some(),
        "messageId is what ReportBatchItemFailures reports"
    );
    assert!(
        msg.event_source_arn
            .as_deref()
            .is_some_and(|a| a.ends_with(".fifo")),
        "the orders queue is FIFO"
    );
    let body = msg.body.as_deref().expect("body");
    let queued: shared::store::QueuedEvent =
        serde_json::from_str(body).expect("body is a shared::store::QueuedEvent");
    assert_eq!(queued.v, 1);
    assert_eq!(
        queued.event_key,
        format!("EVT#{}#{}", queued.shop_id, queued.notification_id)
    );
}

#[test]
fn webhook_fixture_is_a_signed_function_url_request() {
    let event: Value =
        serde_json::from_str(&fixture("webhook.json")).expect("webhook.json is JSON");
    assert_eq!(
        event["version"], "2.0",
        "Function URLs send payload format 2.0"
    );
    assert_eq!(
        event.pointer("/requestContext/http/method"),
        Some(&json!("POST"))
    );
    assert_eq!(event["isBase64Encoded"], false);
    let body = event["body"].as_str().expect("body is a string");
    let sig = event
        .pointer("/headers/authorization")
        .and_then(Value::as_str)
        .expect("headers.authorization");
    assert!(
        shared::signing::tiktok::verify_webhook(
            "local_app_key",
            "local_app_secret",
            body.as_bytes(),
            sig
        ),
        "authorization must be hex(HMAC-SHA256(local_app_secret, local_app_key + body))"
    );
    assert_eq!(
        sig,
        shared::signing::tiktok::webhook_signature(
            "local_app_key",
            "local_app_secret",
            body.as_bytes()
        )
    );
    let envelope = shared::ingest::parse_envelope(body.as_bytes()).expect("a valid TikTok push");
    assert_eq!(envelope.kind.code(), 1, "a type-1 order status change");
    assert!(envelope.order_id.is_some());
}

#[test]
fn writer_settings_follow_the_queue_and_the_concurrency_parameter() {
    let t = load_template();
    let (_, writer) = function_by_package(&t, "netsuite-writer").expect("writer function");
    let env = fn_env(&t, writer);
    let redrive = shared::resources::ORDERS_QUEUE
        .redrive
        .expect("orders queue has a redrive policy")
        .1;
    assert_eq!(
        env.get("MAX_RECEIVE_COUNT"),
        Some(&Value::String(redrive.to_string())),
        "MAX_RECEIVE_COUNT = redrive count"
    );
    assert!(
        env.get("NETSUITE_CONCURRENCY_LIMIT")
            .is_some_and(|v| is_ref(v, CONCURRENCY_PARAMETER)),
        "NETSUITE_CONCURRENCY_LIMIT must be !Ref {CONCURRENCY_PARAMETER}"
    );
    for var in [
        "NETSUITE_SECRET_ID",
        "MAPPING_CONFIG",
        "ALERT_FROM",
        "ALERT_TO",
    ] {
        assert!(env.contains_key(var), "writer needs {var}");
    }
}

#[test]
fn malformed_pushes_are_counted_and_alarmed_for_the_admins() {
    let t = load_template();
    let res = &t["Resources"];
    let filter = &res["WebhookRejectedMetricFilter"]["Properties"];
    let pattern = filter["FilterPattern"].as_str().expect("a filter pattern");
    // The handler logs exactly this marker for every signed but malformed push.
    let handler = std::fs::read_to_string(repo_root().join("shared/src/ingest/handler.rs"))
        .expect("handler source");
    let marker = "webhook_rejected_malformed";
    assert!(pattern.contains(marker), "{pattern}");
    assert!(
        handler.contains(&format!("metric = \"{marker}\"")),
        "the handler emits it"
    );
    let metric = filter["MetricTransformations"][0]["MetricName"]
        .as_str()
        .expect("metric name");
    let alarm = &res["WebhookRejectedAlarm"]["Properties"];
    assert_eq!(alarm["MetricName"].as_str(), Some(metric));
    assert!(alarm["AlarmActions"]
        .as_array()
        .is_some_and(|a| !a.is_empty()));
}

#[test]
fn the_tracking_job_has_its_schedule_role_and_alarms() {
    let t = load_template();
    let res = &t["Resources"];
    assert_eq!(
        t["Parameters"]["TrackingScheduleRate"]["Default"].as_str(),
        Some("rate(5 minutes)")
    );
    let target = &res["TrackingSchedule"]["Properties"]["Target"];
    assert!(is_get_att(&target["Arn"], "TrackingJobFunction", "Arn"));
    let input: Value = serde_json::from_str(target["Input"].as_str().expect("input")).unwrap();
    assert_eq!(input["job"], "tracking", "the job the function runs");
    let f = &res["TrackingJobFunction"]["Properties"];
    assert!(is_get_att(&f["Role"], "TrackingJobRole", "Arn"));
    // Least privilege: only the tables it uses, no Scan (the open
    // fulfilments and pushed records are read by key or by partition).
    let mut stmts = Vec::new();
    statements(&res["TrackingJobRole"], "TrackingJobRole", &mut stmts);
    let actions: Vec<String> = stmts
        .iter()
        .flat_map(|(_, s)| as_list(s.get("Action")))
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect();
    assert!(
        actions.iter().any(|a| a == "dynamodb:BatchGetItem"),
        "{actions:?}"
    );
    assert!(
        actions.iter().any(|a| a == "dynamodb:DeleteItem"),
        "{actions:?}"
    );
    assert!(
        !actions
            .iter()
            .any(|a| a.contains("Scan") || a.contains('*')),
        "{actions:?}"
    );
    let alarm = &res["TrackingJobErrorsAlarm"]["Properties"];
    assert_eq!(
        alarm["Dimensions"][0]["Value"]["Ref"].as_str(),
        Some("TrackingJobFunction")
    );
    let waiting = &res["TrackingWaitingAlarm"]["Properties"];
    assert_eq!(waiting["MetricName"].as_str(), Some("TrackingWaiting"));
}

// ------------------------------------------------------------- console

/// The indexes `shared::resources::INDEXES` lists, as the template declares
/// them (the local bootstrap creates the same), and the console's function,
/// URL and role: it may query those indexes but never scan, and may not
/// read the shop tokens table itself (only its token-free index), except
/// the token Shops > Webhooks needs to call TikTok (`RegisterWebhooks`).
fn console_problems(t: &Value) -> Vec<String> {
    let mut p = Vec::new();
    for spec in shared::resources::INDEXES.iter().flat_map(|l| l.iter()) {
        let gsis = t
            .pointer(&format!(
                "/Resources/{}/Properties/GlobalSecondaryIndexes",
                spec.table
            ))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let Some(g) = gsis
            .iter()
            .find(|g| g.get("IndexName") == Some(&json!(spec.name)))
        else {
            p.push(format!("{}: index {} missing", spec.table, spec.name));
            continue;
        };
        let keys = json!([
            {"AttributeName": spec.partition_key, "KeyType": "HASH"},
            {"AttributeName": spec.sort_key, "KeyType": "RANGE"}
        ]);
        if g.get("KeySchema") != Some(&keys) {
            p.push(format!(
                "{}: index {} keys must be {} / {}",
                spec.table, spec.name, spec.partition_key, spec.sort_key
            ));
        }
        let projection = if spec.include.is_empty() {
            json!({"ProjectionType": "ALL"})
        } else {
            json!({"ProjectionType": "INCLUDE", "NonKeyAttributes": spec.include})
        };
        if g.get("Projection") != Some(&projection) {
            p.push(format!(
                "{}: index {} projection must be {projection}",
                spec.table, spec.name
            ));
        }
        let attrs = t
            .pointer(&format!(
                "/Resources/{}/Properties/AttributeDefinitions",
                spec.table
            ))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for k in [spec.partition_key, spec.sort_key] {
            if !attrs.contains(&json!({"AttributeName": k, "AttributeType": "S"})) {
                p.push(format!(
                    "{}: attribute {k} (index {}) must be defined with type S",
                    spec.table, spec.name
                ));
            }
        }
    }
    match function_by_package(t, "console") {
        None => p.push("no function built from ../functions/console".into()),
        Some((id, f)) => {
            if f.pointer("/Properties/FunctionUrlConfig/AuthType") != Some(&json!("NONE")) {
                p.push(format!(
                    "{id}: needs a Function URL (the console does its own logins)"
                ));
            }
            let env = fn_env(t, f);
            if !env
                .get(shared::resources::CONSOLE_SECRET_ENV)
                .is_some_and(|v| is_ref(v, shared::resources::CONSOLE_SECRET_ID))
            {
                p.push(format!(
                    "{id}: {} must be !Ref {}",
                    shared::resources::CONSOLE_SECRET_ENV,
                    shared::resources::CONSOLE_SECRET_ID
                ));
            }
            let role = f
                .pointer("/Properties/Role/Fn::GetAtt/0")
                .and_then(Value::as_str)
                .unwrap_or("");
            let mut st = Vec::new();
            if let Some(r) = t.pointer(&format!("/Resources/{role}")) {
                statements(r, role, &mut st);
            } else {
                p.push(format!("{id}: Role must be !GetAtt <its role>.Arn"));
            }
            for (at, s) in &st {
                let actions = as_list(s.get("Action"));
                if actions.iter().any(|a| a == &json!("dynamodb:Scan")) {
                    p.push(format!("{at}: the console may not scan"));
                }
                let resources = as_list(s.get("Resource"));
                if !resources
                    .iter()
                    .any(|r| is_get_att(r, "ShopTokensTable", "Arn"))
                {
                    continue;
                }
                // On the tokens table itself the console may only write (a
                // shop's connect) and read profiles' attributes: never a token.
                let put_only = actions == [json!("dynamodb:PutItem")];
                let allowed: Vec<Value> = shared::store::shop_profiles::PROFILE_ATTRIBUTES
                    .iter()
                    .map(|a| json!(a))
                    .collect();
                let profile_read = actions == [json!("dynamodb:BatchGetItem")]
                    && s.pointer("/Condition/ForAllValues:StringEquals/dynamodb:Attributes")
                        == Some(&Value::Array(allowed))
                    && s.pointer("/Condition/StringEqualsIfExists/dynamodb:Select")
                        == Some(&json!("SPECIFIC_ATTRIBUTES"));
                // Shops > Webhooks calls TikTok for a shop: its token, read
                // and refreshed through the one lease path, and nothing else.
                let webhook_calls = s.get("Sid") == Some(&json!("RegisterWebhooks"))
                    && actions == [json!("dynamodb:GetItem"), json!("dynamodb:UpdateItem")];
                if !(put_only || profile_read || webhook_calls) {
                    p.push(format!(
                        "{at}: on the tokens table the console may only PutItem, GetItem/UpdateItem for the webhook registration (Sid RegisterWebhooks), and BatchGetItem the profile attributes (shared::store::shop_profiles::PROFILE_ATTRIBUTES); shops are listed through the token-free index"
                    ));
                }
            }
        }
    }
    p
}

#[test]
fn template_declares_the_indexes_and_a_least_privilege_console() {
    assert_none("console", console_problems(&load_template()));
}

/// Each job role's DynamoDB/SQS/SES grants, as resource → actions: a
/// `!GetAtt X.Arn` resource is `X`, an SES identity is
/// `shared::jobs::permissions::EMAIL`.
fn job_role_grants(t: &Value, role: &str) -> BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut stmts = Vec::new();
    statements(&t["Resources"][role], role, &mut stmts);
    let mut out: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for (_, s) in stmts {
        // The NetSuite slot pool's own statement (checked by
        // `no_function_can_exceed_the_netsuite_share`).
        if s["Sid"] == "NetSuiteSlots" {
            continue;
        }
        let actions: Vec<String> = as_list(s.get("Action"))
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .filter(|a| {
                ["dynamodb:", "sqs:", "ses:"]
                    .iter()
                    .any(|p| a.starts_with(p))
            })
            .collect();
        if actions.is_empty() {
            continue;
        }
        for r in as_list(s.get("Resource")) {
            // `!Sub ${Table.Arn}/index/name` is the index `Table/index/name`.
            let index = r
                .get("Fn::Sub")
                .and_then(Value::as_str)
                .and_then(|s| s.strip_prefix("${"))
                .and_then(|s| s.split_once(".Arn}"))
                .map(|(table, rest)| format!("{table}{rest}"));
            let name = match r.get("Fn::GetAtt").and_then(|g| g[0].as_str()) {
                Some(id) => id.to_string(),
                None if index.is_some() => index.unwrap_or_default(),
                None if actions.iter().all(|a| a.starts_with("ses:")) => {
                    shared::jobs::permissions::EMAIL.to_string()
                }
                None => format!("{r}"),
            };
            out.entry(name).or_default().extend(actions.iter().cloned());
        }
    }
    out
}

/// The differences between what a job's code calls
/// (`shared::jobs::permissions`) and what its role grants.
fn job_permission_problems(t: &Value) -> Vec<String> {
    use shared::jobs::JobName;
    let mut problems = Vec::new();
    for (job, role) in [
        (JobName::Sweep, "SweepJobRole"),
        (JobName::Digest, "DigestJobRole"),
        (JobName::Inventory, "InventoryJobRole"),
        (JobName::Verify, "VerifyJobRole"),
        (JobName::Tracking, "TrackingJobRole"),
        (JobName::Payouts, "PayoutsJobRole"),
        (JobName::Doctor, "DoctorJobRole"),
        (JobName::Labels, "LabelsJobRole"),
    ] {
        let granted = job_role_grants(t, role);
        let required = shared::jobs::permissions::required_actions(&job);
        for (res, actions) in &required {
            for a in actions {
                if !granted.get(*res).is_some_and(|g| g.contains(*a)) {
                    problems.push(format!(
                        "{role} lacks {a} on {res}, which the {job} job calls"
                    ));
                }
            }
        }
        for (res, actions) in &granted {
            for a in actions {
                if !required
                    .get(res.as_str())
                    .is_some_and(|r| r.contains(a.as_str()))
                {
                    problems.push(format!(
                        "{role} grants {a} on {res}, which the {job} job never calls (remove it, or add the call to shared::jobs::permissions)"
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn each_job_role_grants_exactly_the_actions_its_code_calls() {
    assert_none("job permissions", job_permission_problems(&load_template()));
}

#[test]
fn the_job_permission_check_catches_a_missing_and_an_extra_grant() {
    let mut t = load_template();
    let stmts = t["Resources"]["InventoryJobRole"]["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"]
        .as_array_mut()
        .expect("statements");
    for s in stmts.iter_mut() {
        if s["Sid"] == "JobRuns" {
            s["Action"] = json!([
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem"
            ]);
        }
    }
    let problems = job_permission_problems(&t);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("InventoryJobRole lacks dynamodb:Query on JobRunsTable")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("InventoryJobRole grants dynamodb:GetItem on JobRunsTable")),
        "{problems:?}"
    );
}

/// Why a function could exceed the deployment's NetSuite share: every
/// function that calls NetSuite (it has `NETSUITE_SECRET_ID`) must take its
/// slots from the one pool of `NetSuiteConcurrencyLimit` slots, with a role
/// that may use the pool's partition (and only it), and no per-invocation
/// budget of its own that would add on top.
fn netsuite_share_problems(t: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut callers = 0;
    for (name, func) in functions(t) {
        let env = fn_env(t, func);
        if !env.contains_key("NETSUITE_SECRET_ID") {
            continue;
        }
        callers += 1;
        if !env
            .get("NETSUITE_CONCURRENCY_LIMIT")
            .is_some_and(|v| is_ref(v, CONCURRENCY_PARAMETER))
        {
            problems.push(format!(
                "{name}: NETSUITE_CONCURRENCY_LIMIT must be !Ref {CONCURRENCY_PARAMETER} (the pool's size)"
            ));
        }
        if !env
            .get("NETSUITE_SLOTS_TABLE")
            .is_some_and(|v| is_ref(v, "JobRunsTable"))
        {
            problems.push(format!(
                "{name}: NETSUITE_SLOTS_TABLE must be !Ref JobRunsTable, else its requests come on top of the share"
            ));
        }
        if env.contains_key("WRITER_MAX_CONCURRENCY") {
            problems.push(format!(
                "{name}: WRITER_MAX_CONCURRENCY splits the share per invocation; the pool replaces it"
            ));
        }
        let role = func
            .pointer("/Properties/Role/Fn::GetAtt/0")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut stmts = Vec::new();
        statements(&t["Resources"][role], role, &mut stmts);
        let pool = stmts.iter().find(|(_, s)| s["Sid"] == "NetSuiteSlots");
        let ok = pool.is_some_and(|(_, s)| {
            let actions: std::collections::BTreeSet<String> = as_list(s.get("Action"))
                .iter()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect();
            let want: std::collections::BTreeSet<String> = [
                "dynamodb:Query",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
            ]
            .iter()
            .map(|a| a.to_string())
            .collect();
            actions == want
                && is_get_att(&s["Resource"], "JobRunsTable", "Arn")
                && s.pointer("/Condition/ForAllValues:StringEquals/dynamodb:LeadingKeys")
                    == Some(&json!([shared::store::netsuite_slots::PK]))
        });
        if !ok {
            problems.push(format!(
                "{role} ({name}) needs the NetSuiteSlots statement: Query, PutItem, UpdateItem, DeleteItem on JobRunsTable, leading key {}",
                shared::store::netsuite_slots::PK
            ));
        }
    }
    if callers < 6 {
        problems.push(format!(
            "{callers} functions call NetSuite; expected the writer, four jobs and the console"
        ));
    }
    problems
}

#[test]
fn no_function_can_exceed_the_netsuite_share() {
    assert_none("NetSuite share", netsuite_share_problems(&load_template()));
}

#[test]
fn the_share_check_catches_a_function_outside_the_pool() {
    let mut t = load_template();
    let (console, _) = functions(&t)
        .into_iter()
        .find(|(_, f)| fn_package(f) == Some("console"))
        .map(|(n, f)| (n.to_string(), f.clone()))
        .expect("console function");
    let vars = t["Resources"][&console]["Properties"]["Environment"]["Variables"]
        .as_object_mut()
        .expect("console variables");
    vars.remove("NETSUITE_SLOTS_TABLE");
    vars.insert("WRITER_MAX_CONCURRENCY".into(), json!("1"));
    let problems = netsuite_share_problems(&t);
    assert!(
        problems
            .iter()
            .any(|p| p.contains(&format!("{console}: NETSUITE_SLOTS_TABLE"))),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains(&format!("{console}: WRITER_MAX_CONCURRENCY"))),
        "{problems:?}"
    );
}
