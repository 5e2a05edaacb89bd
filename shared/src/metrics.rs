//! CloudWatch metrics in Embedded Metric Format (EMF), written to stdout.
//!
//! On Lambda, everything a function writes to stdout reaches its log group,
//! and CloudWatch Logs turns every line that follows the EMF specification
//! (a JSON object whose `_aws` member declares the namespace, dimensions and
//! metrics) into metrics, with no API call and no agent (AWS, "Using the
//! embedded metric format with Lambda"; "Specification: Embedded metric
//! format"). The template's alarms read these metrics.
//!
//! Lines are only written on Lambda (`AWS_LAMBDA_FUNCTION_NAME` set): locally
//! they would only clutter the demo and the tests, so there they go to the
//! debug log. Building the line is a plain function with a test.

use serde_json::{json, Map, Value};

/// The namespace every metric of this product is in.
pub const NAMESPACE: &str = "TikTokNetSuite";

/// One EMF line: `metrics` (name, count) under `dimensions` (name, value),
/// at `timestamp_ms`. Dimension values are also root members, as the
/// specification requires.
pub fn emf_line(timestamp_ms: i64, dimensions: &[(&str, &str)], metrics: &[(&str, u64)]) -> String {
    let mut root = Map::new();
    let dim_names: Vec<&str> = dimensions.iter().map(|(k, _)| *k).collect();
    root.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [dim_names],
                "Metrics": metrics.iter().map(|(name, _)| json!({"Name": name, "Unit": "Count"})).collect::<Vec<_>>(),
            }],
        }),
    );
    for (k, v) in dimensions {
        root.insert((*k).into(), Value::String((*v).into()));
    }
    for (name, n) in metrics {
        root.insert((*name).into(), json!(n));
    }
    Value::Object(root).to_string()
}

/// Writes one EMF line on Lambda (see the module doc).
pub fn emit(dimensions: &[(&str, &str)], metrics: &[(&str, u64)]) {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let line = emf_line(now_ms, dimensions, metrics);
    if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() {
        println!("{line}");
    } else {
        tracing::debug!(emf = %line, "metric");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_follows_the_emf_specification() {
        let line = emf_line(
            1_700_000_000_000,
            &[("Function", "writer"), ("Code", "MISSING_SKU")],
            &[("OrdersFailed", 2)],
        );
        let v: Value = serde_json::from_str(&line).unwrap();
        let m = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(v["_aws"]["Timestamp"], json!(1_700_000_000_000i64));
        assert_eq!(m["Namespace"], json!(NAMESPACE));
        assert_eq!(m["Dimensions"], json!([["Function", "Code"]]));
        assert_eq!(
            m["Metrics"],
            json!([{"Name": "OrdersFailed", "Unit": "Count"}])
        );
        // Every dimension and metric named in `_aws` is a root member.
        assert_eq!(v["Function"], json!("writer"));
        assert_eq!(v["Code"], json!("MISSING_SKU"));
        assert_eq!(v["OrdersFailed"], json!(2));
        assert!(!line.contains('\n'), "one line per event");
    }
}
