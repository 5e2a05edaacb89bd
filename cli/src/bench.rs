//! What the benchmark binaries share: the loopback guard and /proc figures.
//! Local tooling only (the Lambda functions never link the `cli` crate).

/// Refuses any AWS endpoint that is not on this machine: `AWS_ENDPOINT_URL`
/// and, when set, the SQS-only `AWS_ENDPOINT_URL_SQS` (`scripts/bench`).
pub fn loopback_endpoint() -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").map_err(|_| {
        "AWS_ENDPOINT_URL is not set: the benchmark only runs against a local endpoint; use scripts/bench, which starts moto"
    })?;
    let mut shown = endpoint.clone();
    let mut all = vec![("AWS_ENDPOINT_URL", endpoint)];
    if let Ok(sqs) = std::env::var("AWS_ENDPOINT_URL_SQS") {
        shown = format!("{shown}, SQS on {sqs}");
        all.push(("AWS_ENDPOINT_URL_SQS", sqs));
    }
    for (var, endpoint) in all {
        let rest = endpoint
            .split_once("://")
            .map(|(_, r)| r)
            .unwrap_or(&endpoint);
        let host = rest.split(['/', '?']).next().unwrap_or_default();
        let host = host
            .rsplit_once(':')
            .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
            .map(|(h, _)| h)
            .unwrap_or(host);
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(format!("{var} {endpoint} is not a loopback address").into());
        }
    }
    Ok(shown)
}

pub fn proc_status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0); harmless if refused.
pub fn reset_peak_rss() {
    if let Err(e) = std::fs::write("/proc/self/clear_refs", "5") {
        tracing::warn!(error = %e, "could not reset the peak RSS; VmHWM covers the whole process");
    }
}

pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0)
}

/// UTC time as `YYYY-MM-DD HH:MM:SS UTC`, without a date crate.
pub fn chrono_like_now() -> String {
    let secs = shared::clock::Clock::now(&shared::clock::SystemClock);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
