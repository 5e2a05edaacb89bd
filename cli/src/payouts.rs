//! `tiktok-netsuite payouts list|show|rebuild|report`: what the payout job
//! booked per statement, and doing one statement again. Reads the same
//! environment as the jobs function (`JOB_RUNS_TABLE`, `MAPPING_CONFIG`,
//! NetSuite and TikTok settings).

use clap::Subcommand;
use shared::app::JobsApp;
use shared::domain::ShopId;
use shared::jobs::payout_state::PayoutStore;
use shared::jobs::payouts::Mode;

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
            let store = PayoutStore {
                runs: &app.runs,
                shop: &shop,
            };
            for id in store.index().await? {
                if let Some(s) = store.statement(&id).await? {
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
            }
            Ok(())
        }
        PayoutsCmd::Show { shop, statement } => {
            let shop = ShopId::new(shop);
            let store = PayoutStore {
                runs: &app.runs,
                shop: &shop,
            };
            let s = store
                .statement(&statement)
                .await?
                .ok_or_else(|| format!("statement {statement} has not been read for shop {shop}; `payouts list --shop {shop}` shows those that have"))?;
            println!("{}", serde_json::to_string_pretty(&s)?);
            for (t, m) in store.matches(&statement).await? {
                if m.needs_attention() {
                    println!("  {t}: {}", m.as_str());
                }
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
            let o = job
                .again(
                    &ShopId::new(shop),
                    &statement,
                    Mode {
                        resend,
                        ..Mode::default()
                    },
                )
                .await?;
            println!(
                "statement {}: {}",
                o.state.statement_id,
                if o.emailed {
                    "report emailed"
                } else {
                    "report already sent for this status (use --resend), or no finance_emails / ALERT_FROM"
                }
            );
            Ok(())
        }
    }
}
