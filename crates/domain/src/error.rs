//! Errors of the domain, with stable machine-readable codes that the UI translates.

use serde::Serialize;

crate::vocabulary! {
    /// Every error code a user or an API client can be shown: stable, snake_case, and each
    /// with a message `error-<code>` in every catalogue (the web crate's tests check it).
    ErrorCode {
        // Whole requests.
        InvalidInput => "invalid_input",
        InvalidTransition => "invalid_transition",
        Forbidden => "forbidden",
        NotFound => "not_found",
        Internal => "internal",
        Unavailable => "unavailable",
        Unauthenticated => "unauthenticated",
        BadCsrf => "bad_csrf",
        BadCredentials => "bad_credentials",
        TooManyAttempts => "too_many_attempts",
        TooLarge => "too_large",
        BodyTooLarge => "body_too_large",
        InvalidForm => "invalid_form",
        InvalidJson => "invalid_json",
        InvalidJsonFields => "invalid_json_fields",
        JsonContentType => "json_content_type",
        InvalidUpload => "invalid_upload",
        InvalidQuery => "invalid_query",
        InvalidValue => "invalid_value",
        InvalidSearch => "invalid_search",
        UnstorableText => "unstorable_text",
        // A field's value.
        Required => "required",
        TooLong => "too_long",
        InvalidChoice => "invalid_choice",
        InvalidDate => "invalid_date",
        InvalidPartialDate => "invalid_partial_date",
        InvalidBirthDate => "invalid_birth_date",
        DateInFuture => "date_in_future",
        DateInPast => "date_in_past",
        BeforeStart => "before_start",
        InvalidCountry => "invalid_country",
        InvalidLanguage => "invalid_language",
        InvalidEmail => "invalid_email",
        InvalidMemberCode => "invalid_member_code",
        InvalidFilename => "invalid_filename",
        InvalidKey => "invalid_key",
        InvalidUtf8 => "invalid_utf8",
        EmptyFile => "empty_file",
        FileTooLarge => "file_too_large",
        UnsupportedFileType => "unsupported_file_type",
        PasswordTooShort => "password_too_short",
        PasswordRejected => "password_rejected",
        BelowFloor => "below_floor",
        NegativeAmount => "negative_amount",
        PercentOutOfRange => "percent_out_of_range",
        InvalidPeriod => "invalid_period",
        FiguresChanged => "figures_changed",
        AlreadyApproved => "already_approved",
        MembersNotApproved => "members_not_approved",
        NotApproved => "not_approved",
        UnknownIndicator => "unknown_indicator",
        InvalidDhis2Id => "invalid_dhis2_id",
        // What the field names does not exist, or is not this caller's to name.
        UnknownCase => "unknown_case",
        UnknownDocument => "unknown_document",
        UnknownMember => "unknown_member",
        UnknownPerson => "unknown_person",
        UnknownRelationship => "unknown_relationship",
        UnknownGoal => "unknown_goal",
        UnknownAssessment => "unknown_assessment",
        OwnAssessment => "own_assessment",
        UnknownTracingRequest => "unknown_tracing_request",
        UnknownTask => "unknown_task",
        UnknownUnit => "unknown_unit",
        UnknownUser => "unknown_user",
        // The state of a record does not allow it.
        StaleVersion => "stale_version",
        NothingToChange => "nothing_to_change",
        AlreadyDecided => "already_decided",
        AlreadyDisclosed => "already_disclosed",
        AlreadyFound => "already_found",
        EmailTaken => "email_taken",
        MemberCodeTaken => "member_code_taken",
        ReferenceCodeTaken => "reference_code_taken",
        NoConsent => "no_consent",
        PersonInUse => "person_in_use",
        LastChild => "last_child",
        RoleNotYours => "role_not_yours",
        OwnAccount => "own_account",
        LinkExpired => "link_expired",
        PasswordsDiffer => "passwords_differ",
        ChildRequired => "child_required",
        ConsentRequired => "consent_required",
        PossibleDuplicate => "possible_duplicate",
        OpenRequests => "open_requests",
        CaseTransferred => "case_transferred",
        OpenRequestsTransfer => "open_requests_transfer",
        TransferPending => "transfer_pending",
        SummaryTooLong => "summary_too_long",
        RequestHasCase => "request_has_case",
        UnknownTransfer => "unknown_transfer",
        OwnCases => "own_cases",
        PartnerMustShare => "partner_must_share",
        SameMember => "same_member",
        BelowParent => "below_parent",
        FondsHasNoParent => "fonds_has_no_parent",
        HasChildren => "has_children",
        LegalHold => "legal_hold",
        KeptPermanently => "kept_permanently",
        RetentionPeriod => "retention_period",
        // Training.
        AttemptsExhausted => "attempts_exhausted",
        AttemptFinished => "attempt_finished",
        AttemptTimeOver => "attempt_time_over",
        NotInAttempt => "not_in_attempt",
        ImportInvalid => "import_invalid",
        CourseInvalid => "course_invalid",
        NoQuiz => "no_quiz",
        TrainingLapsed => "training_lapsed",
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One invalid field of an input, with a stable code (`required`, `too_long`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FieldError {
    pub field: &'static str,
    pub code: ErrorCode,
}

impl FieldError {
    pub fn new(field: &'static str, code: ErrorCode) -> Self {
        Self { field, code }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Input that cannot become a domain value; every bad field is listed.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A lifecycle step that is not allowed from the current state or by this party.
    #[error("transition {action} is not allowed from {from}")]
    InvalidTransition { from: &'static str, action: &'static str },
    /// The actor may not do this. Reads of things the actor may not see are `NotFound`.
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
}

impl DomainError {
    pub fn field(field: &'static str, code: ErrorCode) -> Self {
        Self::Invalid(vec![FieldError::new(field, code)])
    }

    /// The stable code of this error, as the UI and API clients see it.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid(_) => ErrorCode::InvalidInput,
            Self::InvalidTransition { .. } => ErrorCode::InvalidTransition,
            Self::Forbidden => ErrorCode::Forbidden,
            Self::NotFound => ErrorCode::NotFound,
        }
    }
}

/// The error for a form whose fields were parsed one by one: every failed field, at once.
pub fn invalid(errors: impl IntoIterator<Item = Option<FieldError>>) -> DomainError {
    DomainError::Invalid(errors.into_iter().flatten().collect())
}

/// Defines a closed vocabulary stored and exchanged as snake_case strings.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                Self::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown {}: {s}", stringify!($name))))
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": "string", "enum": [$($text),+]})
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
