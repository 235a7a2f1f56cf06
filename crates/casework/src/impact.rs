//! Impact figures for the people who answer for them: a member's staff see their own member's
//! indicators with the network's beside them; the General Secretariat's coordinators see any
//! member's and the network's. Figures are counts, shares and medians: no case is ever named
//! here. Every read is audited.

use kinbridge_domain::access::ImpactReach;
use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::indicator::{Dimension, Indicator, Measure};
use kinbridge_domain::member::Member;
use kinbridge_domain::{DomainError, ErrorCode};
use kinbridge_impact::figures::{figures, Figure};
use kinbridge_impact::Period;
use kinbridge_store::impact::{tally, TallyQuery};
use serde::Serialize;

use crate::{Caller, Casework, Error, Result};

pub use kinbridge_impact::Registry;

/// How many periods a trend shows, the current one included.
pub const TREND: usize = 4;
/// The most breakdowns one query may ask for at once.
pub const MAX_BREAKDOWNS: usize = 3;

/// One indicator for one member and period, with the network beside it and the member's
/// trend over the periods before.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct IndicatorLine {
    pub indicator: String,
    pub name: String,
    /// `count`, `share` or `median_days`.
    pub kind: &'static str,
    pub member: Figure,
    pub network: Figure,
    /// The member's value for each period of the trend, oldest first; the last is this period.
    pub trend: Vec<TrendPoint>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TrendPoint {
    pub period: String,
    pub value: Option<f64>,
}

/// A member's dashboard: every indicator for one period.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Dashboard {
    pub member_code: String,
    pub member_name: String,
    pub period: String,
    pub start: String,
    /// The period's last day.
    pub end: String,
    pub lines: Vec<IndicatorLine>,
}

/// One indicator broken down, for a member and for the network.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Values {
    pub indicator: String,
    pub name: String,
    pub kind: &'static str,
    pub member_code: String,
    pub period: String,
    pub by: Vec<String>,
    /// The member's total first, then one figure per breakdown key.
    pub member: Vec<Figure>,
    pub network: Vec<Figure>,
}

pub fn kind(i: &Indicator) -> &'static str {
    match (i.measure, &i.denominator) {
        (Measure::MedianDays(..), _) => "median_days",
        (Measure::Count, Some(_)) => "share",
        (Measure::Count, None) => "count",
    }
}

impl Casework {
    /// The indicators this instance reports on.
    pub fn indicators(&self) -> &Registry {
        &self.indicators
    }

    /// Whose figures the caller may see: their own member's, or any member's for the General
    /// Secretariat. Everyone else (research, archives, system administration) has no impact
    /// figures to see.
    async fn impact_member(&self, caller: &Caller, code: Option<&str>) -> Result<Member> {
        let own = || async { self.member_by_id(&caller.actor.member_id).await };
        match caller.actor.impact_reach() {
            ImpactReach::AnyMember => match code {
                Some(code) => match self.member_by_code(code).await? {
                    Some(m) => Ok(m),
                    None => Err(self.denied(caller, "impact", code).await),
                },
                None => own().await,
            },
            ImpactReach::OwnMember => {
                let m = own().await?;
                match code {
                    Some(code) if code != m.code.as_str() => Err(self.denied(caller, "impact", code).await),
                    _ => Ok(m),
                }
            }
            ImpactReach::None => Err(DomainError::Forbidden.into()),
        }
    }

    async fn member_by_id(&self, id: &kinbridge_domain::ids::MemberId) -> Result<Member> {
        self.members().await?.iter().find(|m| &m.id == id).cloned().ok_or_else(Error::not_found)
    }

    /// Every indicator for one member and period (see [`Dashboard`]).
    pub async fn impact_dashboard(&self, caller: &Caller, member: Option<&str>, period: Period) -> Result<Dashboard> {
        let m = self.impact_member(caller, member).await?;
        let dashboard = self.dashboard_of(&m, period).await?;
        self.audit(vec![caller.entry(
            AuditAction::Read,
            "impact",
            Some(m.code.as_str()),
            &format!("dashboard {period}"),
        )])
        .await?;
        Ok(dashboard)
    }

    /// The same for the operator at the command line, audited as the system.
    pub async fn impact_dashboard_as_operator(&self, member: &str, period: Period) -> Result<Dashboard> {
        let m =
            self.member_by_code(member).await?.ok_or_else(|| DomainError::field("member", ErrorCode::UnknownMember))?;
        let dashboard = self.dashboard_of(&m, period).await?;
        self.audit(vec![crate::system_entry(
            AuditAction::Read,
            "impact",
            Some(m.code.as_str()),
            None,
            &format!("dashboard {period} (command line)"),
        )])
        .await?;
        Ok(dashboard)
    }

    async fn dashboard_of(&self, m: &Member, period: Period) -> Result<Dashboard> {
        let member_id = m.id.to_string();
        let only = std::slice::from_ref(&member_id);
        let mut lines = Vec::with_capacity(self.indicators.all().len());
        for indicator in self.indicators.all() {
            let all = self.tally_of(indicator, period, &[], None).await?;
            let member = figures(indicator, &all, |x| x == member_id).swap_remove(0);
            let network = figures(indicator, &all, |_| true).swap_remove(0);
            let mut trend = Vec::with_capacity(TREND);
            for p in period.trend(TREND) {
                let value = if p == period {
                    member.value
                } else {
                    let t = self.tally_of(indicator, p, &[], Some(only)).await?;
                    figures(indicator, &t, |_| true)[0].value
                };
                trend.push(TrendPoint { period: p.to_string(), value });
            }
            lines.push(IndicatorLine {
                indicator: indicator.id.clone(),
                name: indicator.name("en").to_string(),
                kind: kind(indicator),
                member,
                network,
                trend,
            });
        }
        Ok(Dashboard {
            member_code: m.code.as_str().to_string(),
            member_name: m.name.clone(),
            period: period.to_string(),
            start: period.start().to_string(),
            end: period.end().pred_opt().unwrap_or(period.end()).to_string(),
            lines,
        })
    }

    /// One indicator broken down by up to [`MAX_BREAKDOWNS`] dimensions it allows.
    pub async fn impact_values(
        &self,
        caller: &Caller,
        indicator: &str,
        member: Option<&str>,
        period: Period,
        by: &[Dimension],
    ) -> Result<Values> {
        let Some(ind) = self.indicators.get(indicator) else {
            return Err(DomainError::field("indicator", ErrorCode::InvalidChoice).into());
        };
        if by.len() > MAX_BREAKDOWNS || by.iter().any(|d| !ind.by.contains(d)) {
            return Err(DomainError::field("by", ErrorCode::InvalidChoice).into());
        }
        let m = self.impact_member(caller, member).await?;
        let member_id = m.id.to_string();
        let all = self.tally_of(ind, period, by, None).await?;
        let values = Values {
            indicator: ind.id.clone(),
            name: ind.name("en").to_string(),
            kind: kind(ind),
            member_code: m.code.as_str().to_string(),
            period: period.to_string(),
            by: by.iter().map(|d| d.as_str().to_string()).collect(),
            member: figures(ind, &all, |x| x == member_id),
            network: figures(ind, &all, |_| true),
        };
        self.audit(vec![caller.entry(
            AuditAction::Read,
            "impact",
            Some(m.code.as_str()),
            &format!("{} {period}", ind.id),
        )])
        .await?;
        Ok(values)
    }

    async fn tally_of(
        &self,
        indicator: &Indicator,
        period: Period,
        by: &[Dimension],
        members: Option<&[String]>,
    ) -> Result<kinbridge_domain::indicator::Tally> {
        let q = TallyQuery { indicator, start: period.start(), end: period.end(), by, members };
        Ok(tally(self.pool(), self.store.backend(), &q).await?)
    }
}
