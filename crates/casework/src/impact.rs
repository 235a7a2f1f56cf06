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
use kinbridge_store::impact::{tally, Approval, ApprovedFigure, NewApproval, TallyQuery};
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// The figure as the member approved it for this period, if it did; when it differs from
    /// `member`, the cases underneath changed since.
    pub approved: Option<ApprovedFigure>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TrendPoint {
    pub period: String,
    pub value: Option<f64>,
    /// Whether the value is the member's approved figure of that period.
    pub approved: bool,
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
    /// Who approved the member's figures for this period, and when.
    pub approval: Option<ApprovalMark>,
    /// Whether the caller may approve them (a director of the member, not yet approved).
    pub can_approve: bool,
    /// The member's figures as shown, to send back with an approval (see [`seen_of`]).
    pub seen: String,
}

/// Who approved, and when.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ApprovalMark {
    pub by: String,
    pub at: String,
}

/// An indicator whose figure is not what the approver was shown.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Difference {
    pub indicator: String,
    pub seen: Option<f64>,
    pub now: Option<f64>,
}

/// Each member's approval of a period, and the network's, for the General Secretariat.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct NetworkApprovals {
    pub period: String,
    pub members: Vec<MemberApproval>,
    pub network: Option<ApprovalMark>,
    /// Members with cases that have not approved yet.
    pub waiting: usize,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct MemberApproval {
    pub code: String,
    pub name: String,
    /// Whether the member has any case (a member without one has nothing to approve).
    pub has_cases: bool,
    pub approval: Option<ApprovalMark>,
    /// The member's figures as approved (none before approval).
    pub figures: Vec<ApprovedFigure>,
}

/// The figures a page showed, written `indicator=value;...` (value `none` for no data): sent
/// back with an approval, so one made over figures that changed meanwhile is refused.
pub fn seen_of(lines: &[IndicatorLine]) -> String {
    seen_text(lines.iter().map(|l| (l.indicator.as_str(), l.member.value)))
}

fn seen_text<'a>(values: impl Iterator<Item = (&'a str, Option<f64>)>) -> String {
    values
        .map(|(id, v)| format!("{id}={}", v.map_or_else(|| "none".to_string(), |v| v.to_string())))
        .collect::<Vec<_>>()
        .join(";")
}

fn parse_seen(seen: &str) -> Option<BTreeMap<String, Option<f64>>> {
    if seen.len() > 16 * 1024 {
        return None;
    }
    seen.split(';')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (id, v) = pair.split_once('=')?;
            let v = if v == "none" { None } else { Some(v.parse::<f64>().ok().filter(|v| v.is_finite())?) };
            Some((id.to_string(), v))
        })
        .collect()
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
        (None, None) => true,
        _ => false,
    }
}

fn approved_figures(lines: impl Iterator<Item = (String, Figure)>) -> Vec<ApprovedFigure> {
    lines
        .map(|(indicator, f)| ApprovedFigure {
            indicator,
            value: f.value,
            numerator: f.numerator,
            denominator: f.denominator,
        })
        .collect()
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

/// The network's approved figures of its last published year, for anyone: each withheld
/// where a small count could show or be worked out.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PublicFigures {
    pub period: String,
    pub approved_at: String,
    /// Counts from 1 to this minus one are never published.
    pub threshold: u64,
    pub figures: Vec<PublicFigure>,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PublicFigure {
    pub indicator: String,
    pub kind: &'static str,
    /// None when withheld or when there is no data.
    pub value: Option<f64>,
    pub withheld: bool,
}

/// What the annual report holds (see [`Casework::annual_report`]).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct AnnualReport {
    pub figures: PublicFigures,
    pub members: Vec<MemberApproval>,
    pub sroi: Vec<ReportSroi>,
}

/// An SROI analysis as the report summarises it: its ratio and its range.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ReportSroi {
    pub title: String,
    pub ratio: Option<f64>,
    pub present_value: f64,
    pub total_inputs: f64,
    /// The ratio with every assumption against the work, then in its favour.
    pub low: Option<f64>,
    pub high: Option<f64>,
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
        let mut dashboard = self.dashboard_of(&m, period).await?;
        dashboard.can_approve = dashboard.approval.is_none() && caller.actor.can_approve_figures(&m.id);
        dashboard.seen = seen_of(&dashboard.lines);
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
        let approved = self.approval_of(period, Some(&member_id)).await?;
        let mut earlier = Vec::new();
        for p in period.trend(TREND).into_iter().filter(|p| *p != period) {
            if let Some(a) = self.approval_of(p, Some(&member_id)).await? {
                earlier.push((p, a));
            }
        }
        let mut lines = Vec::with_capacity(self.indicators.all().len());
        for indicator in self.indicators.all() {
            let all = self.tally_of(indicator, period, &[], None).await?;
            let member = figures(indicator, &all, |x| x == member_id).swap_remove(0);
            let network = figures(indicator, &all, |_| true).swap_remove(0);
            let mut trend = Vec::with_capacity(TREND);
            for p in period.trend(TREND) {
                // An earlier period's approved figure is the figure of record, and costs no query.
                let kept = earlier
                    .iter()
                    .find(|(q, _)| *q == p)
                    .and_then(|(_, a)| a.figures.iter().find(|f| f.indicator == indicator.id));
                let value = match kept {
                    _ if p == period => member.value,
                    Some(f) => f.value,
                    None => {
                        let t = self.tally_of(indicator, p, &[], Some(only)).await?;
                        figures(indicator, &t, |_| true)[0].value
                    }
                };
                trend.push(TrendPoint { period: p.to_string(), value, approved: kept.is_some() });
            }
            lines.push(IndicatorLine {
                approved: approved
                    .as_ref()
                    .and_then(|a| a.figures.iter().find(|f| f.indicator == indicator.id).cloned()),
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
            approval: approved.map(|a| ApprovalMark { by: a.approved_by_name, at: a.approved_at }),
            can_approve: false,
            seen: String::new(),
        })
    }

    async fn approval_of(&self, period: Period, member_id: Option<&str>) -> Result<Option<Approval>> {
        let all = kinbridge_store::impact::approvals(self.pool(), &period.to_string()).await?;
        Ok(all.into_iter().find(|a| {
            a.member_id.as_deref() == member_id && a.level == if member_id.is_some() { "member" } else { "network" }
        }))
    }

    /// Every indicator's total for the member (or the network, `None`), this period only.
    async fn totals(&self, period: Period, member_id: Option<&str>) -> Result<Vec<(String, Figure)>> {
        let mut out = Vec::with_capacity(self.indicators.all().len());
        for indicator in self.indicators.all() {
            // One member's rows only, when it is one member's figures.
            let only = member_id.map(|m| vec![m.to_string()]);
            let t = self.tally_of(indicator, period, &[], only.as_deref()).await?;
            out.push((indicator.id.clone(), figures(indicator, &t, |_| true).swap_remove(0)));
        }
        Ok(out)
    }

    /// The public face of the figures (see [`PublicFigures`]); none before the General
    /// Secretariat has approved a calendar year. The threshold is the research exports' floor.
    /// Not audited: it holds no one's data, and anyone may read it as often as they like.
    pub async fn public_impact(&self) -> Result<Option<PublicFigures>> {
        let Some(approval) = kinbridge_store::impact::latest_network_year(self.pool()).await? else { return Ok(None) };
        Ok(Some(self.disclosed(approval)))
    }

    /// The network's annual report for a year it approved: its figures under the same
    /// disclosure control as the public page, which members approved, and the network's SROI
    /// analyses of the year with their ranges. None before the year is approved.
    pub async fn annual_report(&self, year: Period) -> Result<Option<AnnualReport>> {
        let approvals = kinbridge_store::impact::approvals(self.pool(), &year.to_string()).await?;
        let Some(network) = approvals.iter().find(|a| a.level == "network").cloned() else { return Ok(None) };
        let status = self.network_approvals_of(year).await?;
        let mut sroi = Vec::new();
        for row in kinbridge_store::impact::network_sroi(self.pool(), &year.to_string()).await? {
            let analysis: kinbridge_impact::sroi::Analysis = serde_json::from_str(&row.analysis)
                .map_err(|e| Error::corrupt(format!("sroi analysis {}: {e}", row.id)))?;
            let v = analysis.value();
            let all = analysis.sensitivity().pop();
            sroi.push(ReportSroi {
                title: row.title,
                ratio: v.ratio,
                present_value: v.present_value,
                total_inputs: v.total_inputs,
                low: all.as_ref().and_then(|a| a.pessimistic),
                high: all.as_ref().and_then(|a| a.optimistic),
            });
        }
        Ok(Some(AnnualReport { figures: self.disclosed(network), members: status.members, sroi }))
    }

    fn disclosed(&self, approval: Approval) -> PublicFigures {
        let threshold = self.disclosure.threshold_floor();
        let figures = approval
            .figures
            .iter()
            .filter_map(|f| {
                let indicator = self.indicators.get(&f.indicator)?;
                let k = kind(indicator);
                let open =
                    kinbridge_impact::figures::publishable(f.numerator, f.denominator, k == "median_days", threshold);
                Some(PublicFigure {
                    indicator: f.indicator.clone(),
                    kind: k,
                    value: if open { f.value } else { None },
                    withheld: !open,
                })
            })
            .collect();
        PublicFigures { period: approval.period, approved_at: approval.approved_at, threshold, figures }
    }

    /// The member's figures for a period as [`seen_of`] writes them, without trends: what an
    /// approval made without the page (the demo, a script) confirms.
    pub async fn impact_seen(&self, caller: &Caller, member: Option<&str>, period: Period) -> Result<String> {
        let m = self.impact_member(caller, member).await?;
        let member_id = m.id.to_string();
        let now = self.totals(period, Some(&member_id)).await?;
        Ok(seen_text(now.iter().map(|(id, f)| (id.as_str(), f.value))))
    }

    /// The member's director approves its figures for a period, as they were shown (`seen`,
    /// see [`seen_of`]): computed again now, and refused with the differences if any changed.
    /// Approved figures are kept as they were; later changes show beside them.
    pub async fn approve_member_figures(
        &self,
        caller: &Caller,
        member: Option<&str>,
        period: Period,
        seen: &str,
    ) -> Result<String> {
        let m = self.impact_member(caller, member).await?;
        if !caller.actor.can_approve_figures(&m.id) {
            return Err(DomainError::Forbidden.into());
        }
        let member_id = m.id.to_string();
        let now = self.totals(period, Some(&member_id)).await?;
        self.check_seen(&now, seen)?;
        let figures = approved_figures(now.into_iter());
        let mut tx = self.begin_write().await?;
        let new = NewApproval {
            level: "member",
            member_id: Some(&member_id),
            period: &period.to_string(),
            figures: &figures,
            approved_by: caller.actor.user_id.as_str(),
        };
        let id = kinbridge_store::impact::insert_approval(&mut tx, &new)
            .await
            .map_err(|e| crate::taken(e, ErrorCode::AlreadyApproved))?;
        kinbridge_store::audit::append(
            &mut tx,
            &[caller.entry(
                AuditAction::Transition,
                "impact_approval",
                Some(&id),
                &format!("approved {} {period}", m.code.as_str()),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The General Secretariat approves the network's figures for a period, once every member
    /// with cases has approved its own.
    pub async fn approve_network_figures(&self, caller: &Caller, period: Period, seen: &str) -> Result<String> {
        if !caller.actor.can_approve_network_figures() {
            return Err(DomainError::Forbidden.into());
        }
        let status = self.network_approvals_of(period).await?;
        if status.waiting > 0 {
            return Err(Error::Conflict(ErrorCode::MembersNotApproved));
        }
        let now = self.totals(period, None).await?;
        self.check_seen(&now, seen)?;
        let figures = approved_figures(now.into_iter());
        let mut tx = self.begin_write().await?;
        let new = NewApproval {
            level: "network",
            member_id: None,
            period: &period.to_string(),
            figures: &figures,
            approved_by: caller.actor.user_id.as_str(),
        };
        let id = kinbridge_store::impact::insert_approval(&mut tx, &new)
            .await
            .map_err(|e| crate::taken(e, ErrorCode::AlreadyApproved))?;
        kinbridge_store::audit::append(
            &mut tx,
            &[caller.entry(
                AuditAction::Transition,
                "impact_approval",
                Some(&id),
                &format!("approved the network {period}"),
            )],
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    fn check_seen(&self, now: &[(String, Figure)], seen: &str) -> Result<()> {
        let Some(seen) = parse_seen(seen) else {
            return Err(DomainError::field("seen", ErrorCode::InvalidValue).into());
        };
        let differences: Vec<Difference> = now
            .iter()
            .filter(|(id, f)| !seen.get(id).is_some_and(|v| same(*v, f.value)))
            .map(|(id, f)| Difference { indicator: id.clone(), seen: seen.get(id).copied().flatten(), now: f.value })
            .collect();
        if differences.is_empty() {
            Ok(())
        } else {
            Err(Error::FiguresChanged(differences))
        }
    }

    /// Which members approved a period, and the network's figures with their approval: the
    /// General Secretariat's view. Counts only.
    pub async fn network_approvals(
        &self,
        caller: &Caller,
        period: Period,
    ) -> Result<(NetworkApprovals, Vec<IndicatorLine>)> {
        if caller.actor.impact_reach() != ImpactReach::AnyMember {
            return Err(DomainError::Forbidden.into());
        }
        let status = self.network_approvals_of(period).await?;
        let approved = self.approval_of(period, None).await?;
        let now = self.totals(period, None).await?;
        let lines = now
            .into_iter()
            .filter_map(|(id, f)| {
                let indicator = self.indicators.get(&id)?;
                Some(IndicatorLine {
                    approved: approved.as_ref().and_then(|a| a.figures.iter().find(|x| x.indicator == id).cloned()),
                    name: indicator.name("en").to_string(),
                    kind: kind(indicator),
                    network: f.clone(),
                    member: f,
                    trend: Vec::new(),
                    indicator: id,
                })
            })
            .collect();
        self.audit(vec![caller.entry(AuditAction::Read, "impact", None, &format!("network approvals {period}"))])
            .await?;
        Ok((status, lines))
    }

    async fn network_approvals_of(&self, period: Period) -> Result<NetworkApprovals> {
        let approvals = kinbridge_store::impact::approvals(self.pool(), &period.to_string()).await?;
        let with_cases = kinbridge_store::impact::members_with_cases(self.pool()).await?;
        let members: Vec<MemberApproval> = self
            .members()
            .await?
            .iter()
            .map(|m| {
                let id = m.id.to_string();
                let mine =
                    approvals.iter().find(|a| a.level == "member" && a.member_id.as_deref() == Some(id.as_str()));
                MemberApproval {
                    code: m.code.as_str().to_string(),
                    name: m.name.clone(),
                    has_cases: with_cases.contains(&id),
                    approval: mine.map(|a| ApprovalMark { by: a.approved_by_name.clone(), at: a.approved_at.clone() }),
                    figures: mine.map(|a| a.figures.clone()).unwrap_or_default(),
                }
            })
            .collect();
        let network = approvals
            .iter()
            .find(|a| a.level == "network")
            .map(|a| ApprovalMark { by: a.approved_by_name.clone(), at: a.approved_at.clone() });
        Ok(NetworkApprovals {
            period: period.to_string(),
            waiting: members.iter().filter(|m| m.has_cases && m.approval.is_none()).count(),
            members,
            network,
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

    /// A member's figures for a period as a DHIS2 `dataValueSets` document, by the member's
    /// mapping of our indicators to its data elements.
    pub async fn impact_dhis2(
        &self,
        caller: &Caller,
        member: Option<&str>,
        period: Period,
        mapping: &str,
    ) -> Result<kinbridge_impact::dhis2::DataValueSet> {
        let (mapping, wanted) = self.dhis2_mapping(mapping)?;
        let m = self.impact_member(caller, member).await?;
        let set = self.dhis2_of(&m, period, &mapping, &wanted).await?;
        self.audit(vec![caller.entry(
            AuditAction::Download,
            "impact",
            Some(m.code.as_str()),
            &format!("dhis2 {period}"),
        )])
        .await?;
        Ok(set)
    }

    /// The same for the operator at the command line, audited as the system.
    pub async fn impact_dhis2_as_operator(
        &self,
        member: &str,
        period: Period,
        mapping: &str,
    ) -> Result<kinbridge_impact::dhis2::DataValueSet> {
        let (mapping, wanted) = self.dhis2_mapping(mapping)?;
        let m =
            self.member_by_code(member).await?.ok_or_else(|| DomainError::field("member", ErrorCode::UnknownMember))?;
        let set = self.dhis2_of(&m, period, &mapping, &wanted).await?;
        self.audit(vec![crate::system_entry(
            AuditAction::Download,
            "impact",
            Some(m.code.as_str()),
            None,
            &format!("dhis2 {period} (command line)"),
        )])
        .await?;
        Ok(set)
    }

    fn dhis2_mapping(
        &self,
        text: &str,
    ) -> Result<(kinbridge_impact::dhis2::Mapping, Vec<kinbridge_impact::dhis2::Wanted>)> {
        use kinbridge_impact::dhis2::{Mapping, MappingError};
        Mapping::parse(text, &self.indicators).map_err(|e| {
            let code = match e {
                MappingError::Shape(_) => ErrorCode::InvalidJson,
                MappingError::UnknownIndicator(_) => ErrorCode::UnknownIndicator,
                MappingError::UnknownBreakdown { .. } => ErrorCode::InvalidChoice,
                MappingError::BadId(_) => ErrorCode::InvalidDhis2Id,
                MappingError::TooLarge => ErrorCode::TooLarge,
            };
            tracing::debug!(error = %e, "DHIS2 mapping refused");
            DomainError::field("mapping", code).into()
        })
    }

    async fn dhis2_of(
        &self,
        m: &Member,
        period: Period,
        mapping: &kinbridge_impact::dhis2::Mapping,
        wanted: &[kinbridge_impact::dhis2::Wanted],
    ) -> Result<kinbridge_impact::dhis2::DataValueSet> {
        let member_id = m.id.to_string();
        let mut found = BTreeMap::new();
        for w in wanted {
            let Some(indicator) = self.indicators.get(&w.indicator) else { continue };
            let t = self.tally_of(indicator, period, w.by.as_slice(), Some(std::slice::from_ref(&member_id))).await?;
            found.insert(w.indicator.clone(), figures(indicator, &t, |_| true));
        }
        Ok(mapping.data_value_set(period, &found))
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
