//! Booking a statement's journal in NetSuite (first post, rewrite in an
//! open period) and correcting one already booked (issue 23 items 2 and
//! 6): the I/O around the pure [`super::revise`] and [`super::periods`].
//!
//! Steps, each stored before the next (`PayoutStore::put_statement`):
//! 1. a correction not yet confirmed (a run that stopped after storing it)
//!    is sent first, with the body stored, under its own externalId: an
//!    upsert, so it exists once however often this is repeated;
//! 2. a statement that no longer adds up and has a live journal gets a
//!    reversing entry: planned and stored (`posted: false`), sent, then
//!    stored as posted with the live journal cleared and `generation`
//!    raised; the statement is `reversed`;
//! 3. a statement whose live journal is in a closed period, or already
//!    carries an adjusting entry, is never rewritten: its difference is
//!    planned, stored, sent and stored as posted, the same way;
//! 4. otherwise the journal is upserted by its externalId as before (a new
//!    one dated on the statement's day, or the first open period's first
//!    day when that day's period is closed).

use chrono::NaiveDate;
use serde_json::Value;

use super::job::{Mode, Payouts};
use super::periods::{booking_date, date, is_closed, month, parse_periods, periods_query, Period};
use super::plan::{Held, JournalPlan};
use super::post::{
    date_of, digest, journal_body, statement_date, statement_external_id, JournalHeader,
};
use super::revise::{
    adjusting_body, adjustment_external_id, journal_external_id, link_text, net_by_account,
    reversal_external_id, reversing_body, Correction, CorrectionKind,
};
use super::state::{posted_or_waiting, PostStatus, StatementState};
use crate::domain::ShopId;
use crate::jobs::run::JobError;
use crate::mapping::config::ShopMapping;
use crate::mapping::payouts::AccountIds;
use crate::tiktok::finance::Statement;

/// A NetSuite-side reason (the journal is not booked as wanted).
type Refused = String;

impl Payouts<'_> {
    /// The posting months from `from` on; `None` when NetSuite does not
    /// answer them (a write then meets NetSuite's own period check).
    async fn periods_from(&self, from: NaiveDate) -> Option<Vec<Period>> {
        match self.netsuite.suiteql(&periods_query(from)).await {
            Ok(rows) => Some(parse_periods(&rows)),
            Err(e) => {
                tracing::warn!(error = %e, "accounting periods not read");
                None
            }
        }
    }

    /// Sends every stored correction NetSuite has not confirmed (step 1).
    async fn finish_pending(
        &self,
        shop: &ShopId,
        state: &mut StatementState,
    ) -> Result<Result<(), Refused>, JobError> {
        for i in 0..state.corrections.len() {
            if state.corrections[i].posted {
                if state.corrections[i].awaiting_approval {
                    let eid = state.corrections[i].external_id.clone();
                    if let Ok(Some(rec)) = self
                        .netsuite
                        .get_by_external_id("journalEntry", &eid, false)
                        .await
                    {
                        if !waits_for_approval(&rec) {
                            state.corrections[i].awaiting_approval = false;
                            self.store(shop).put_statement(state).await?;
                        }
                    }
                }
                continue;
            }
            let c = state.corrections[i].clone();
            let body = c.body.clone().unwrap_or(Value::Null);
            let (id, rec) = match self.write("journalEntry", &c.external_id, &body).await {
                Ok(v) => v,
                Err(r) => return Ok(Err(format!("{} {}: {r}", c.kind, c.external_id))),
            };
            let c = &mut state.corrections[i];
            c.posted = true;
            c.journal_id = Some(id);
            c.awaiting_approval = waits_for_approval(&rec);
            match c.kind {
                CorrectionKind::Reversal => {
                    state.journal_id = None;
                    state.body_digest.clear();
                    state.journal_date = None;
                    state.generation += 1;
                    state.status = PostStatus::Reversed;
                    state.reason = Some(c.summary());
                }
                _ => {
                    state.body_digest = c.target_digest.clone();
                    state.status = PostStatus::Posted;
                    state.reason = Some(c.reason.clone());
                }
            }
            self.store(shop).put_statement(state).await?;
        }
        Ok(Ok(()))
    }

    /// The live journal and the adjusting entries booked on it, as
    /// NetSuite holds them (lines expanded).
    async fn booked_entries(&self, state: &StatementState) -> Result<Vec<Value>, Refused> {
        let mut eids = vec![state.external_id.clone()];
        eids.extend(
            state
                .corrections
                .iter()
                .filter(|c| {
                    c.kind == CorrectionKind::Adjustment
                        && c.posted
                        && c.corrects == state.external_id
                })
                .map(|c| c.external_id.clone()),
        );
        let mut out = Vec::new();
        for eid in eids {
            match self
                .netsuite
                .get_by_external_id("journalEntry", &eid, true)
                .await
            {
                Ok(Some(rec)) => out.push(rec),
                Ok(None) => return Err(format!("journal entry {eid} is no longer in NetSuite")),
                Err(e) => return Err(format!("journal entry {eid} could not be read: {e}")),
            }
        }
        Ok(out)
    }

    /// Stores `c` as planned, then sends it (steps 2 and 3).
    async fn plan_and_send(
        &self,
        shop: &ShopId,
        state: &mut StatementState,
        c: Correction,
    ) -> Result<Result<(), Refused>, JobError> {
        state.corrections.push(c);
        self.store(shop).put_statement(state).await?;
        self.finish_pending(shop, state).await
    }

    /// Reverses the live journal of a statement that no longer adds up.
    async fn reverse(
        &self,
        shop: &ShopId,
        state: &mut StatementState,
        held: &Held,
    ) -> Result<Result<(), Refused>, JobError> {
        let entries = match self.booked_entries(state).await {
            Ok(e) => e,
            Err(r) => return Ok(Err(r)),
        };
        let today = date_of(self.clock.now());
        let seen = date(&today).unwrap_or_default();
        let on = match self.periods_from(seen).await {
            Some(p) => match booking_date(&p, seen) {
                Ok(d) => d,
                Err(r) => return Ok(Err(r)),
            },
            None => seen,
        };
        let on = on.format("%Y-%m-%d").to_string();
        let eid = reversal_external_id(&state.external_id);
        let why = format!("TikTok reissued statement {} and it no longer adds up ({held}); held until it adds up again, then a new journal is posted", state.statement_id);
        let memo = format!(
            "Reversal of {} (TikTok statement {}): reissued, no longer adds up",
            state.external_id, state.statement_id
        );
        let link = link_text(&state.external_id, state.journal_id.as_deref());
        let body = match reversing_body(&entries, &eid, &on, &memo, &link) {
            Ok(b) => b,
            Err(r) => return Ok(Err(r)),
        };
        let c = Correction {
            kind: CorrectionKind::Reversal,
            external_id: eid,
            corrects: state.external_id.clone(),
            corrects_id: state.journal_id.clone(),
            tran_date: on,
            reason: why,
            at: self.clock.now(),
            body: Some(body),
            ..Correction::default()
        };
        self.plan_and_send(shop, state, c).await
    }

    /// Books a revision of a journal in a closed period (or one already
    /// adjusted) as an adjusting entry; `None` when it may be rewritten.
    async fn adjust(
        &self,
        shop: &ShopId,
        state: &mut StatementState,
        new: &Value,
        d: &str,
    ) -> Result<Option<Result<(), Refused>>, JobError> {
        let wanted = state
            .journal_date
            .clone()
            .unwrap_or_else(|| statement_date(state.statement_time));
        let Some(on) = date(&wanted) else {
            return Ok(None);
        };
        let adjusted = state
            .corrections
            .iter()
            .any(|c| c.kind == CorrectionKind::Adjustment && c.corrects == state.external_id);
        let periods = self.periods_from(on).await;
        let closed = periods.as_deref().is_some_and(|p| is_closed(p, on));
        if !closed && !adjusted {
            return Ok(None);
        }
        let Some(periods) = periods else {
            return Ok(Some(Err(format!(
                "the periods after {wanted} could not be read"
            ))));
        };
        let adj_on = match booking_date(&periods, on) {
            Ok(x) => x,
            Err(r) => {
                return Ok(Some(Err(format!(
                "statement {} was revised after its journal's period {} closed, and no later period is open to adjust it in ({r}): open a period, the next run books it",
                state.statement_id,
                month(on)
            ))))
            }
        };
        let entries = match self.booked_entries(state).await {
            Ok(e) => e,
            Err(r) => return Ok(Some(Err(r))),
        };
        let mut booked = std::collections::BTreeMap::new();
        for e in &entries {
            for (a, m) in net_by_account(e) {
                *booked.entry(a).or_default() += m;
            }
        }
        let eid = adjustment_external_id(&state.external_id, d);
        let adj_date = adj_on.format("%Y-%m-%d").to_string();
        let why = format!(
            "statement {} was revised after its journal {} (dated {wanted}, period {}) was booked{}; the difference is booked in period {} by adjusting entry {eid} dated {adj_date}",
            state.statement_id,
            state.external_id,
            month(on),
            if closed { " and that period closed" } else { " and adjusted" },
            month(adj_on)
        );
        let memo = format!(
            "Adjustment of {} (TikTok statement {} revised after period {} closed)",
            state.external_id,
            state.statement_id,
            month(on)
        );
        let link = link_text(&state.external_id, state.journal_id.as_deref());
        let Some(body) = adjusting_body(new, &booked, &eid, &adj_date, &memo, &link) else {
            state.body_digest = d.to_string();
            return Ok(Some(Ok(())));
        };
        let c = Correction {
            kind: CorrectionKind::Adjustment,
            external_id: eid,
            corrects: state.external_id.clone(),
            corrects_id: state.journal_id.clone(),
            tran_date: adj_date,
            reason: why.clone(),
            at: self.clock.now(),
            body: Some(body),
            target_digest: d.to_string(),
            ..Correction::default()
        };
        let r = self.plan_and_send(shop, state, c).await?;
        if r.is_ok() {
            state.status = PostStatus::Posted;
            state.reason = Some(why);
        }
        Ok(Some(r))
    }

    /// Books the statement's journal, corrects the one booked, or holds it.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn post(
        &self,
        shop: &ShopId,
        m: &ShopMapping,
        ids: &AccountIds,
        st: &Statement,
        plan: &Result<JournalPlan, Held>,
        state: &mut StatementState,
        mode: Mode,
    ) -> Result<bool, JobError> {
        let fail = |state: &mut StatementState, r: String| {
            state.status = PostStatus::Failed;
            state.reason = Some(r);
            Ok(false)
        };
        if let Err(r) = self.finish_pending(shop, state).await? {
            return fail(state, format!("a correcting entry is stored but NetSuite has not taken it yet: {r}; the next run sends it again"));
        }
        let base = statement_external_id(shop, st.id.as_str());
        state.external_id = journal_external_id(&base, state.generation);
        let p = match plan {
            Ok(p) => p,
            Err(h) => {
                state.journal_lines = 0;
                if let (Some(id), Held::Unreadable { .. }) = (&state.journal_id, h) {
                    // Not a figure TikTok withdrew: the read failed (a page
                    // missing, a currency changed). The journal stays.
                    state.status = PostStatus::Held;
                    state.reason = Some(format!("{h}; its journal {} (NetSuite {id}) stays booked until the statement reads whole", state.external_id));
                    return Ok(false);
                }
                if state.journal_id.is_some() {
                    return match self.reverse(shop, state, h).await? {
                        Ok(()) => Ok(true),
                        Err(r) => fail(state, format!("statement {} no longer adds up ({h}) but its journal {} could not be reversed: {r}; the next run tries again", st.id, state.external_id)),
                    };
                }
                let reversed = state
                    .corrections
                    .iter()
                    .rev()
                    .find(|c| c.kind == CorrectionKind::Reversal);
                (state.status, state.reason) = match reversed {
                    Some(c) if state.generation > 0 => (
                        PostStatus::Reversed,
                        Some(format!("{h}; its journal was reversed: {}", c.summary())),
                    ),
                    _ => (PostStatus::Held, Some(h.to_string())),
                };
                return Ok(false);
            }
        };
        state.journal_lines = p.lines.len();
        state.unknown_fee_keys = p.unknown_fee_keys.iter().cloned().collect();
        let wanted = statement_date(st.statement_time);
        let mut note = None;
        let tran_date = match (&state.journal_id, &state.journal_date) {
            (Some(_), Some(d)) => d.clone(),
            (Some(_), None) => wanted.clone(),
            (None, _) => match date(&wanted) {
                Some(w) => match self.periods_from(w).await.map(|p| booking_date(&p, w)) {
                    Some(Ok(on)) if on != w => {
                        let on = on.format("%Y-%m-%d").to_string();
                        note = Some(format!("statement date {wanted} is in the closed period {}: booked on {on}, the first day of the first open period", month(w)));
                        on
                    }
                    Some(Err(r)) => return fail(state, format!("statement {}: {r}", st.id)),
                    _ => wanted.clone(),
                },
                None => wanted.clone(),
            },
        };
        let header = JournalHeader {
            external_id: state.external_id.clone(),
            subsidiary: m.subsidiary.clone().unwrap_or_default(),
            currency: m.currency.clone(),
            tran_date: tran_date.clone(),
            memo: format!("TikTok statement {}", st.id),
            department: m.department.clone(),
            class: m.class.clone(),
            location: m.location.clone(),
        };
        let body = journal_body(&header, &p.lines, ids).map_err(JobError::Other)?;
        let d = digest(&body);
        if !mode.rebuild && state.body_digest == d && state.journal_id.is_some() {
            if state.status == PostStatus::AwaitingApproval {
                // Unchanged, but maybe approved since: read it again.
                let eid = state.external_id.clone();
                if let Ok(Some(rec)) = self
                    .netsuite
                    .get_by_external_id("journalEntry", &eid, false)
                    .await
                {
                    (state.status, state.reason) = posted_or_waiting(&rec, &eid);
                }
                return Ok(false);
            }
            state.status = PostStatus::Posted;
            return Ok(false);
        }
        if state.journal_id.is_some() {
            match self.adjust(shop, state, &body, &d).await? {
                Some(Ok(())) => return Ok(true),
                Some(Err(r)) => return fail(state, r),
                None => {}
            }
        }
        match self.write("journalEntry", &state.external_id, &body).await {
            Ok((id, rec)) => {
                state.journal_id = Some(id);
                state.body_digest = d;
                state.journal_date = Some(tran_date);
                (state.status, state.reason) = posted_or_waiting(&rec, &state.external_id);
                if state.reason.is_none() {
                    state.reason = note;
                }
                Ok(true)
            }
            Err(reason) => fail(state, reason),
        }
    }

    /// Upserts by externalId with the lines replaced; the internal id and
    /// the record read back (its `approved`), or NetSuite's reason.
    pub(super) async fn write(
        &self,
        record: &str,
        eid: &str,
        body: &Value,
    ) -> Result<(String, Value), String> {
        let loc = self
            .netsuite
            .upsert_by_external_id(record, eid, body, &["line"])
            .await
            .map_err(|e| e.to_string())?;
        // Read back with its lines: what NetSuite holds, not what was sent.
        let rec = self
            .netsuite
            .get_by_external_id(record, eid, true)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{record} {eid} was written but cannot be read back"))?;
        if let Some(d) = super::post::journal_differences(&rec, body) {
            return Err(format!(
                "{record} {eid} in NetSuite differs from what was written: {d}"
            ));
        }
        let id = loc
            .or_else(|| rec.get("id").and_then(Value::as_str).map(str::to_string))
            .ok_or_else(|| format!("{record} {eid} was read back without an id"))?;
        Ok((id, rec))
    }
}

/// NetSuite holds the entry `approved = false` (journal approval required).
fn waits_for_approval(rec: &Value) -> bool {
    rec.get("approved").and_then(Value::as_bool) == Some(false)
}
