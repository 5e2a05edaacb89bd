//! The demo's last step: the payout job books the simulator's seeded TikTok
//! statements as journal entries in the NetSuite simulator and emails
//! finance; the report is read back from local SES, its transactions CSV
//! written to a file and its HTML body printed as text.

use std::sync::Arc;

use local_env::LocalEnv;
use serde_json::json;
use shared::app::{JobRequest, JobsApp};

type DemoError = Box<dyn std::error::Error>;

/// Where the demo's finance report goes (local SES only).
pub const DEMO_FINANCE: &str = "finance@example.com";
/// The seeded statements (Jan 1–4, 2026) are inside the 10-day look-back.
const DEMO_NOW: i64 = 1_767_916_800;
const US_SHOP: &str = "7494049642642441621";
const SAMPLE: &str = "7491234567890123456";

/// Crude HTML → text for a terminal: tags dropped, cells spaced, entities kept readable.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let t = tag.trim_start_matches('/').to_ascii_lowercase();
                let name = t.split_whitespace().next().unwrap_or_default();
                match name {
                    "tr" | "p" | "h1" | "h2" | "li" | "table" | "ul" => out.push('\n'),
                    "td" | "th" => out.push_str("  "),
                    _ => {}
                }
            }
            (true, _) => tag.push(c),
            (false, _) => out.push(c),
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let lines: Vec<&str> = out
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    lines.join("\n")
}

/// Runs the payout job for the US shop and prints what finance gets.
pub async fn run(env: &LocalEnv, endpoint: &str) -> Result<(), DemoError> {
    let mut cfg = env.jobs_config.clone();
    let us = cfg
        .jobs
        .mapping
        .shops
        .get_mut(US_SHOP)
        .ok_or("the demo mapping has no US shop")?;
    us.payouts = Some(serde_json::from_value(json!({
        "revenue_source": {"mode": "journal"},
        "sales_revenue": "4000", "seller_discounts": "4010", "refunds": "4020",
        "shipping_income": "4100",
        "fee_groups": {"commission": "6100", "transaction": "6110", "affiliate": "6120",
                       "shipping_services": "6130", "programme": "6140", "fee_taxes": "6150"},
        "other_fees": "6190", "adjustments": {"LOGISTICS_REIMBURSEMENT": "4200"},
        "other_adjustments": "6900", "reserve": "1250", "payout_in_transit": "1260",
        "bank": "1000", "finance_emails": [DEMO_FINANCE]
    }))?);
    let mut app = JobsApp::new(cfg, &env.sdk).await?;
    app.clock = Arc::new(shared::clock::FixedClock::at(DEMO_NOW));
    println!("\npayouts (tiktok-netsuite jobs run payouts):");
    let runs = app
        .run(&JobRequest {
            job: "payouts".into(),
            shop: Some(US_SHOP.into()),
        })
        .await?;
    for r in &runs {
        println!("  {}", crate::jobs::line(r));
        for f in &r.failures {
            println!("  held: {}: {}", f.subject, f.reason);
        }
    }
    let accounts: std::collections::HashMap<&str, &str> = env
        .seed
        .netsuite
        .accounts
        .iter()
        .map(|a| (a.id.as_str(), a.acctnumber.as_str()))
        .collect();
    let jes = env.netsuite.state.records("journalEntry");
    println!("NetSuite simulator: {} journal entr(y/ies)", jes.len());
    for je in &jes {
        println!(
            "  {} {} {}",
            je["id"].as_str().unwrap_or("?"),
            je["externalId"].as_str().unwrap_or("?"),
            je["tranDate"].as_str().unwrap_or("?")
        );
        for l in je["line"]["items"].as_array().into_iter().flatten() {
            let acct = l["account"]["id"].as_str().unwrap_or("?");
            println!(
                "      {:<6} Dr {:>8}  Cr {:>8}",
                accounts.get(acct).copied().unwrap_or(acct),
                l.get("debit").map(|v| v.to_string()).unwrap_or_default(),
                l.get("credit").map(|v| v.to_string()).unwrap_or_default()
            );
        }
    }
    let mail = local_env::captured_raw_mail(endpoint).await?;
    let finance: Vec<_> = mail
        .iter()
        .filter(|(to, _)| to.iter().any(|t| t.contains(DEMO_FINANCE)))
        .collect();
    println!(
        "finance emails captured by local SES: {} (one per statement)",
        finance.len()
    );
    let csv_name = format!("tiktok-statement-{SAMPLE}-transactions.csv");
    for (_, raw) in &finance {
        let parts = shared::notify::raw_mail::parse_parts(raw);
        if !parts
            .iter()
            .any(|p| p.1.as_deref() == Some(csv_name.as_str()))
        {
            continue;
        }
        for (ty, name, data) in &parts {
            if let Some(n) = name {
                let path = std::path::Path::new("target").join(n);
                std::fs::create_dir_all("target")?;
                std::fs::write(&path, data)?;
                println!(
                    "  attachment {n} ({ty}, {} bytes) written to {}",
                    data.len(),
                    path.display()
                );
            }
        }
        if let Some((_, _, html)) = parts.iter().find(|p| p.0 == "text/html") {
            println!("--- the sample statement's report (HTML as text):");
            println!("{}", html_to_text(&String::from_utf8_lossy(html)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn html_reads_as_lines() {
        let t = super::html_to_text(
            "<h1>A &amp; B</h1>\n<table><tr><td>1260</td><td>79.49</td></tr></table>",
        );
        assert!(t.contains("A & B"));
        assert!(t.contains("1260    79.49"), "{t}");
    }
}
