//! Mail captured by the local SES (moto).

/// Mail the local SES (moto) accepted, as (subject, body): moto keeps it in
/// `/moto-api/data.json` under `ses.Message`.
pub async fn captured_mail(endpoint: &str) -> Result<Vec<(String, String)>, reqwest::Error> {
    let v: serde_json::Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await?
        .json()
        .await?;
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
    let v: serde_json::Value = reqwest::get(format!("{endpoint}/moto-api/data.json"))
        .await?
        .json()
        .await?;
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
