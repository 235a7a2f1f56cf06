//! Who may see and do what. Decided here, enforced by the store where data is read, so that
//! no handler can forget it.

use crate::error::DomainError;
use crate::ids::{MemberId, UserId};
use crate::vocabulary;

vocabulary! {
    /// What a user does in the network; one role per account.
    Role {
        Caseworker => "caseworker",
        Supervisor => "supervisor",
        MemberAdmin => "member_admin",
        Coordinator => "coordinator",
        Researcher => "researcher",
        Archivist => "archivist",
        DataProtectionOfficer => "data_protection_officer",
        SystemAdmin => "system_admin",
        TrainingManager => "training_manager",
        ExternalLearner => "external_learner",
    }
}

/// The authenticated person behind a call: who, for which member, in which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub member_id: MemberId,
    pub role: Role,
    /// Held from case files: the member requires current compulsory training and the
    /// actor's has lapsed. They see their cases' titles and nothing more until they renew.
    pub training_hold: bool,
}

/// Whose impact figures an actor may open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImpactReach {
    AnyMember,
    OwnMember,
    None,
}

/// Whose training standing an actor sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainingReach {
    /// Their own only.
    Themselves,
    /// Their member's people, by name.
    OwnPeople,
    /// Every member's, as counts.
    NetworkCounts,
}

/// How far an actor reaches into case data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseScope {
    /// The cases owned by one member.
    Member(MemberId),
    /// Every case, read only (system administration); every read is audited.
    AllReadOnly,
    /// No case content at all.
    Nothing,
}

/// What an actor may do with one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CaseAccess {
    None,
    /// The case is the actor's member's, but their training lapsed: titles only.
    Titles,
    Read,
    Write,
}

/// Which side of a request the actor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Sender,
    Receiver,
    /// Sees the request for system administration, acts on nothing.
    Observer,
}

impl Actor {
    fn works_cases(&self) -> bool {
        matches!(self.role, Role::Caseworker | Role::Supervisor)
    }

    pub fn case_scope(&self) -> CaseScope {
        match self.role {
            Role::Caseworker | Role::Supervisor => CaseScope::Member(self.member_id.clone()),
            Role::SystemAdmin => CaseScope::AllReadOnly,
            _ => CaseScope::Nothing,
        }
    }

    pub fn case_access(&self, owner: &MemberId) -> CaseAccess {
        match self.case_scope() {
            CaseScope::Member(m) if &m == owner && self.training_hold => CaseAccess::Titles,
            CaseScope::Member(m) if &m == owner => CaseAccess::Write,
            CaseScope::AllReadOnly => CaseAccess::Read,
            _ => CaseAccess::None,
        }
    }

    /// The actor's side of a request between two members, if any.
    pub fn party(&self, from: &MemberId, to: &MemberId) -> Option<Party> {
        if self.works_cases() && &self.member_id == from {
            Some(Party::Sender)
        } else if self.works_cases() && &self.member_id == to {
            Some(Party::Receiver)
        } else if self.role == Role::SystemAdmin {
            Some(Party::Observer)
        } else {
            None
        }
    }

    pub fn can_supervise(&self) -> bool {
        self.role == Role::Supervisor
    }

    /// Sees request flows across the network as counts and dates, never personal content.
    pub fn can_see_network_flows(&self) -> bool {
        matches!(self.role, Role::Coordinator | Role::SystemAdmin)
    }

    /// Whose impact figures the actor sees: figures are counts, never a case, so the network's
    /// totals sit beside every member's own; only the General Secretariat opens any member's.
    pub fn impact_reach(&self) -> ImpactReach {
        match self.role {
            Role::Coordinator => ImpactReach::AnyMember,
            Role::Caseworker | Role::Supervisor | Role::MemberAdmin | Role::DataProtectionOfficer => {
                ImpactReach::OwnMember
            }
            Role::Researcher | Role::Archivist | Role::SystemAdmin | Role::TrainingManager | Role::ExternalLearner => {
                ImpactReach::None
            }
        }
    }

    /// Approves a member's figures for a period: the member's director (its supervisors and
    /// administrator), for their own member.
    pub fn can_approve_figures(&self, member: &MemberId) -> bool {
        matches!(self.role, Role::Supervisor | Role::MemberAdmin) && &self.member_id == member
    }

    /// Approves the network's figures, once its members have approved theirs.
    pub fn can_approve_network_figures(&self) -> bool {
        self.role == Role::Coordinator
    }

    pub fn can_manage_users(&self, member: &MemberId) -> bool {
        (self.role == Role::MemberAdmin && &self.member_id == member) || self.role == Role::SystemAdmin
    }

    /// The roles this actor may give an account of a member they administer: a member's
    /// administrator gives the member's own roles; the system administrator any role.
    pub fn can_grant(&self, role: Role) -> bool {
        match self.role {
            Role::SystemAdmin => true,
            Role::MemberAdmin => matches!(
                role,
                Role::Caseworker | Role::Supervisor | Role::MemberAdmin | Role::Archivist | Role::ExternalLearner
            ),
            _ => false,
        }
    }

    /// Creates members of the network.
    pub fn can_manage_members(&self) -> bool {
        self.role == Role::SystemAdmin
    }

    pub fn can_read_audit(&self) -> bool {
        matches!(self.role, Role::DataProtectionOfficer | Role::SystemAdmin)
    }

    /// Reads the de-identified research corpus (and nothing live).
    pub fn can_read_research(&self) -> bool {
        matches!(self.role, Role::Researcher | Role::DataProtectionOfficer)
    }

    /// Writes courses, imports question banks, sets curricula, revokes certificates: the
    /// General Secretariat's training manager.
    pub fn can_manage_training(&self) -> bool {
        self.role == Role::TrainingManager
    }

    /// Whose training standing the actor may see: a member's supervisors and administrator
    /// see their own people by name; the General Secretariat (coordinator, training manager)
    /// sees every member's as counts.
    pub fn training_reach(&self) -> TrainingReach {
        match self.role {
            Role::Supervisor | Role::MemberAdmin => TrainingReach::OwnPeople,
            Role::Coordinator | Role::TrainingManager => TrainingReach::NetworkCounts,
            _ => TrainingReach::Themselves,
        }
    }

    pub fn has_casework(&self) -> bool {
        self.works_cases()
    }

    pub fn require(&self, ok: bool) -> Result<(), DomainError> {
        if ok {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, member: &MemberId) -> Actor {
        Actor { user_id: UserId::generate(), member_id: member.clone(), role, training_hold: false }
    }

    #[test]
    fn case_access_by_role_and_member() {
        let ch = MemberId::generate();
        let de = MemberId::generate();
        assert_eq!(actor(Role::Caseworker, &ch).case_access(&ch), CaseAccess::Write);
        assert_eq!(actor(Role::Caseworker, &de).case_access(&ch), CaseAccess::None);
        assert_eq!(actor(Role::Researcher, &ch).case_access(&ch), CaseAccess::None);
        assert_eq!(actor(Role::Coordinator, &ch).case_access(&ch), CaseAccess::None);
        assert_eq!(actor(Role::MemberAdmin, &ch).case_access(&ch), CaseAccess::None);
        assert_eq!(actor(Role::SystemAdmin, &de).case_access(&ch), CaseAccess::Read);
        let held = Actor { training_hold: true, ..actor(Role::Caseworker, &ch) };
        assert_eq!(held.case_access(&ch), CaseAccess::Titles);
        assert_eq!(held.case_access(&de), CaseAccess::None);
    }

    #[test]
    fn request_parties() {
        let ch = MemberId::generate();
        let de = MemberId::generate();
        let fr = MemberId::generate();
        assert_eq!(actor(Role::Caseworker, &ch).party(&ch, &de), Some(Party::Sender));
        assert_eq!(actor(Role::Supervisor, &de).party(&ch, &de), Some(Party::Receiver));
        assert_eq!(actor(Role::Caseworker, &fr).party(&ch, &de), None);
        assert_eq!(actor(Role::Researcher, &de).party(&ch, &de), None);
    }
}
