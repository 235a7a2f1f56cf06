//! Social return on investment analyses, for a member or the whole network: entered by the
//! member's director (or the General Secretariat for the network), valued by the engine in
//! [`kinbridge_impact::sroi`] with its sensitivity table. An outcome tied to an indicator
//! takes its quantity from the approved figure of the analysis's period, never a live one.

use kinbridge_domain::access::ImpactReach;
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::member::Member;
use kinbridge_domain::{DomainError, ErrorCode, FieldError};
use kinbridge_impact::sroi::{Analysis, Sensitivity, Valuation};
use kinbridge_impact::Period;
use serde::Serialize;

use crate::{Caller, Casework, Error, Result};

const MAX_TITLE: usize = 200;

/// An analysis as entered, to save new (`version` none) or over the version read.
#[derive(Debug, Clone)]
pub struct SroiDraft {
    pub title: String,
    /// A member's code; none for the network.
    pub org: Option<String>,
    pub period: String,
    pub analysis: Analysis,
    pub version: Option<i64>,
}

/// An analysis with what it is worth.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SroiView {
    pub id: String,
    /// The member's code; none for the network.
    pub org: Option<String>,
    pub title: String,
    pub period: String,
    pub version: i64,
    pub updated_at: String,
    pub analysis: Analysis,
    pub valuation: Valuation,
    pub sensitivity: Vec<Sensitivity>,
    /// Whether the caller may change it.
    pub editable: bool,
}

/// One line of the list of analyses.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SroiSummary {
    pub id: String,
    pub org: Option<String>,
    pub title: String,
    pub period: String,
    pub ratio: Option<f64>,
    pub updated_at: String,
}

impl Casework {
    fn may_write_sroi(caller: &Caller, member: Option<&Member>) -> bool {
        match member {
            None => caller.actor.can_approve_network_figures(),
            Some(m) => caller.actor.can_approve_figures(&m.id) || caller.actor.can_approve_network_figures(),
        }
    }

    fn may_read_sroi(caller: &Caller, member_id: Option<&str>) -> bool {
        match caller.actor.impact_reach() {
            ImpactReach::AnyMember => true,
            ImpactReach::OwnMember => member_id.is_none_or(|m| m == caller.actor.member_id.as_str()),
            ImpactReach::None => false,
        }
    }

    async fn sroi_member(&self, caller: &Caller, org: Option<&str>) -> Result<Option<Member>> {
        match org.map(str::trim).filter(|o| !o.is_empty()) {
            None => Ok(None),
            Some(code) => match self.member_by_code(code).await? {
                Some(m) if Self::may_read_sroi(caller, Some(m.id.as_str())) => Ok(Some(m)),
                _ => Err(self.denied(caller, "sroi", code).await),
            },
        }
    }

    /// Saves an analysis (new, or over the version read: 409 if someone saved meanwhile).
    pub async fn save_sroi(&self, caller: &Caller, id: Option<&str>, draft: SroiDraft) -> Result<String> {
        if caller.actor.impact_reach() == ImpactReach::None {
            return Err(DomainError::Forbidden.into());
        }
        let member = self.sroi_member(caller, draft.org.as_deref()).await?;
        if !Self::may_write_sroi(caller, member.as_ref()) {
            return Err(DomainError::Forbidden.into());
        }
        let mut bad = Vec::new();
        let title = draft.title.trim().to_string();
        if title.is_empty() {
            bad.push(FieldError::new("title", ErrorCode::Required));
        } else if title.chars().count() > MAX_TITLE {
            bad.push(FieldError::new("title", ErrorCode::TooLong));
        }
        let period = Period::parse(&draft.period);
        if period.is_err() {
            bad.push(FieldError::new("period", ErrorCode::InvalidPeriod));
        }
        let mut analysis = draft.analysis;
        if let Err(DomainError::Invalid(fields)) = analysis.validate() {
            bad.extend(fields);
        }
        if let Ok(period) = period {
            self.fill_from_approved(&mut analysis, member.as_ref(), period, &mut bad).await?;
        }
        if !bad.is_empty() {
            return Err(DomainError::Invalid(bad).into());
        }
        let period = period.map_err(|_| DomainError::field("period", ErrorCode::InvalidPeriod))?.to_string();
        let json = serde_json::to_string(&analysis).map_err(|e| Error::corrupt(e.to_string()))?;
        let member_id = member.as_ref().map(|m| m.id.to_string());
        let mut tx = self.begin_write().await?;
        let id = match id {
            None => {
                kinbridge_store::impact::insert_sroi(
                    &mut tx,
                    member_id.as_deref(),
                    &title,
                    &period,
                    &json,
                    caller.actor.user_id.as_str(),
                )
                .await?
            }
            Some(id) => {
                let Some(old) = kinbridge_store::impact::sroi(self.pool(), id).await? else {
                    return Err(self.denied(caller, "sroi", id).await);
                };
                if old.member_id != member_id || !Self::may_read_sroi(caller, old.member_id.as_deref()) {
                    return Err(self.denied(caller, "sroi", id).await);
                }
                let version = draft.version.ok_or_else(|| DomainError::field("version", ErrorCode::Required))?;
                if !kinbridge_store::impact::update_sroi(&mut tx, id, version, &title, &period, &json).await? {
                    return Err(Error::Conflict(ErrorCode::StaleVersion));
                }
                id.to_string()
            }
        };
        let action = if draft.version.is_some() { AuditAction::Update } else { AuditAction::Create };
        kinbridge_store::audit::append(&mut tx, &[caller.entry(action, "sroi", Some(&id), &title)]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An outcome tied to an indicator counts what the approved figures of the period say.
    async fn fill_from_approved(
        &self,
        analysis: &mut Analysis,
        member: Option<&Member>,
        period: Period,
        bad: &mut Vec<FieldError>,
    ) -> Result<()> {
        if analysis.outcomes.iter().all(|o| o.indicator.is_none()) {
            return Ok(());
        }
        let member_id = member.map(|m| m.id.to_string());
        let approvals = kinbridge_store::impact::approvals(self.pool(), &period.to_string()).await?;
        let level = if member_id.is_some() { "member" } else { "network" };
        let approved = approvals.into_iter().find(|a| a.level == level && a.member_id == member_id);
        for o in &mut analysis.outcomes {
            let Some(id) = o.indicator.clone() else { continue };
            match self.indicators.get(&id) {
                Some(i) if crate::impact::kind(i) == "count" => {}
                _ => {
                    bad.push(FieldError::new("outcome_indicator", ErrorCode::InvalidChoice));
                    continue;
                }
            }
            match approved.as_ref().and_then(|a| a.figures.iter().find(|f| f.indicator == id)) {
                Some(f) => o.quantity = f.numerator as f64,
                None => bad.push(FieldError::new("outcome_indicator", ErrorCode::NotApproved)),
            }
        }
        Ok(())
    }

    /// One analysis, valued, with its sensitivity table.
    pub async fn sroi(&self, caller: &Caller, id: &str) -> Result<SroiView> {
        let row = match kinbridge_store::impact::sroi(self.pool(), id).await? {
            Some(r) if Self::may_read_sroi(caller, r.member_id.as_deref()) => r,
            _ => return Err(self.denied(caller, "sroi", id).await),
        };
        let analysis: Analysis =
            serde_json::from_str(&row.analysis).map_err(|e| Error::corrupt(format!("sroi analysis {id}: {e}")))?;
        let members = self.members().await?;
        let member = row.member_id.as_deref().and_then(|m| members.iter().find(|x| x.id.as_str() == m));
        self.audit(vec![caller.entry(AuditAction::Read, "sroi", Some(id), "")]).await?;
        Ok(SroiView {
            id: row.id,
            org: member.map(|m| m.code.as_str().to_string()),
            editable: Self::may_write_sroi(caller, member),
            title: row.title,
            period: row.period,
            version: row.version,
            updated_at: row.updated_at,
            valuation: analysis.value(),
            sensitivity: analysis.sensitivity(),
            analysis,
        })
    }

    /// The analyses the caller may read: the network's, and their member's (every member's for
    /// the General Secretariat).
    pub async fn sroi_list(&self, caller: &Caller) -> Result<Vec<SroiSummary>> {
        let member = match caller.actor.impact_reach() {
            ImpactReach::AnyMember => None,
            ImpactReach::OwnMember => Some(caller.actor.member_id.to_string()),
            ImpactReach::None => return Err(DomainError::Forbidden.into()),
        };
        let rows = kinbridge_store::impact::sroi_list(self.pool(), member.as_deref()).await?;
        let members = self.members().await?;
        let list = rows
            .into_iter()
            .map(|r| {
                let analysis: Analysis = serde_json::from_str(&r.analysis)
                    .map_err(|e| Error::corrupt(format!("sroi analysis {}: {e}", r.id)))?;
                Ok(SroiSummary {
                    org: r
                        .member_id
                        .as_deref()
                        .and_then(|m| members.iter().find(|x| x.id.as_str() == m))
                        .map(|m| m.code.as_str().to_string()),
                    ratio: analysis.value().ratio,
                    id: r.id,
                    title: r.title,
                    period: r.period,
                    updated_at: r.updated_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.audit(vec![caller.entry(AuditAction::List, "sroi", None, "")]).await?;
        Ok(list)
    }
}
