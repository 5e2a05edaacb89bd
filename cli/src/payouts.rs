//! `tiktok-netsuite payouts list|show|rebuild|report`: what the payout job
//! booked per statement, and doing one statement again. Reads the same
//! environment as the jobs function (`JOB_RUNS_TABLE`, `MAPPING_CONFIG`,
//! NetSuite and TikTok settings).

use clap::Subcommand;
use shared::app::JobsApp;
use shared::domain::ShopId;
use shared::ops::payouts as ops;
use shared::payouts::job::Mode;

type PayoutsError = Box<dyn std::error::Error>;

#[derive(Subcommand, Debug)]
pub enum PayoutsCmd {
    /// Every statement the job has read: status, journal, payable, email.
    List {
        #[arg(long)]
        shop: String,
    },
    /// One statement in full, with the match status of its transactions.
    Show {
        #[arg(long)]
        shop: String,
        #[arg(long)]
        statement: String,
    },
    /// Plan the statement again from its kept pages and rewrite its journal.
    Rebuild {
        #[arg(long)]
        shop: String,
        #[arg(long)]
        statement: String,
    },
    /// Email finance the statement's report (only when not sent for its
    /// current status, unless --resend).
    Report {
        #[arg(long)]
        shop: String,
        #[arg(long)]
        statement: String,
        #[arg(long)]
        resend: bool,
    },
}

pub async fn payouts(cmd: PayoutsCmd) -> Result<(), PayoutsError> {
    let app = JobsApp::from_env().await?;
    let job = app
        .payouts()
        .ok_or("the payouts job needs NetSuite: set NETSUITE_SECRET_ID (or NETSUITE_ACCOUNT_ID and the token variables)")?;
    match cmd {
        PayoutsCmd::List { shop } => {
            let shop = ShopId::new(shop);
            for s in ops::list(&app.runs, &shop, usize::MAX).await? {
                println!(
                    "{}  {:<6} {} {:>12}  journal={}  lines={}  transactions={}  unmatched={}  emailed={}",
                    s.statement_id,
                    s.status.as_str(),
                    s.currency,
                    s.payable,
                    s.journal_id.as_deref().unwrap_or("-"),
                    s.journal_lines,
                    s.transactions,
                    s.unmatched,
                    s.emailed.as_ref().map_or("no", |_| "yes"),
                );
            }
            Ok(())
        }
        PayoutsCmd::Show { shop, statement } => {
            let v = ops::show(&app.runs, &ShopId::new(shop), &statement).await?;
            println!("{}", serde_json::to_string_pretty(&v.state)?);
            for c in ops::check_lines(&v) {
                println!("  {} {}: {}", c.verdict(), c.name, c.detail);
            }
            for (t, m) in &v.attention {
                println!("  {t}: {}", m.as_str());
            }
            for r in &v.resent {
                println!("  report re-sent by {} at {}", r.by, r.at);
            }
            Ok(())
        }
        PayoutsCmd::Rebuild { shop, statement } => {
            let o = job
                .again(
                    &ShopId::new(shop),
                    &statement,
                    Mode {
                        rebuild: true,
                        ..Mode::default()
                    },
                )
                .await?;
            println!(
                "statement {}: {} journal={} written={}{}",
                o.state.statement_id,
                o.state.status.as_str(),
                o.state.journal_id.as_deref().unwrap_or("-"),
                o.written,
                o.state
                    .reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            );
            Ok(())
        }
        PayoutsCmd::Report {
            shop,
            statement,
            resend,
        } => {
            let (state, emailed) =
                ops::report_again(&job, &ShopId::new(shop), &statement, resend).await?;
            println!(
                "statement {}: {}",
                state.statement_id,
                if emailed {
                    "report emailed"
                } else {
                    "report already sent for this status (use --resend), or no finance_emails / ALERT_FROM"
                }
            );
            Ok(())
        }
    }
}
