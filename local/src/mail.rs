//! Mail captured by the local SES (moto).

/// Mail the local SES (moto) accepted, as (subject, body): moto keeps it in
/// `/moto-api/data.json` under `ses.Message`.
pub async fn captured_mail(endpoint: &str) -> Result<Vec<(String, String)>, reqwest::Error> {
    let v = moto_data(endpoint).await?;
    Ok(v["ses"]["Message"]
        .as_array()
        .map(|msgs| {
            msgs.iter()
                .map(|m| {
                    (
                        m["subject"].as_str().unwrap_or_default().to_string(),
                        m["body"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Raw (MIME) mail the local SES accepted, as (destinations, message):
/// moto keeps `SendEmail` with `Content.Raw` under `ses.RawMessage`.
pub async fn captured_raw_mail(
    endpoint: &str,
) -> Result<Vec<(Vec<String>, String)>, reqwest::Error> {
    let v = moto_data(endpoint).await?;
    Ok(v["ses"]["RawMessage"]
        .as_array()
        .map(|msgs| {
            msgs.iter()
                .map(|m| {
                    let to = m["destinations"]
                        .as_array()
                        .map(|d| {
                            d.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    (to, m["raw_data"].as_str().unwrap_or_default().to_string())
                })
                .collect()
        })
        .unwrap_or_default())
}

/// moto's whole state as JSON. moto serializes it while other requests may
/// be changing it (tests run in parallel on one server), and then answers
/// 500 ("dictionary changed size during iteration"); asking again succeeds.
async fn moto_data(endpoint: &str) -> Result<serde_json::Value, reqwest::Error> {
    let url = format!("{endpoint}/moto-api/data.json");
    let mut attempt = 0;
    loop {
        attempt += 1;
        let got = async {
            reqwest::get(&url)
                .await?
                .error_for_status()?
                .json::<serde_json::Value>()
                .await
        }
        .await;
        match got {
            Err(e) if attempt < 5 => {
                tracing::debug!(error = %e, attempt, "moto data.json not read; asking again");
                tokio::time::sleep(std::time::Duration::from_millis(100 * attempt)).await;
            }
            other => return other,
        }
    }
}
