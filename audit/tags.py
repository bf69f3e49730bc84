"""Named audit events: `<scope>:<resource>:<action>`, asserted by tests, never bare strings."""

from enum import StrEnum


class AuditTag(StrEnum):
    LoginSucceeded = "account:login:succeeded"
    LoginFailed = "account:login:failed"
    LoggedOut = "account:logout"
    AccessDenied = "access:denied"
    SearchPerformed = "child:search:performed"
    SearchThrottled = "child:search:throttled"
    RecordViewed = "child:record:viewed"
    PurposeAsked = "child:record:purpose_asked"
    InvolvementRecorded = "child:involvement:recorded"
    InvolvementCeased = "child:involvement:ceased"
    LeadProfessionalSet = "child:lead_professional:set"
    CafFlagSet = "child:caf:set"
    ChildCreated = "child:record:created"
    LoginThrottled = "account:login:throttled"
    SessionExpired = "account:session:expired"
    MfaEnrolled = "account:mfa:enrolled"
    MfaVerified = "account:mfa:verified"
    MfaFailed = "account:mfa:failed"
    MfaThrottled = "account:mfa:throttled"
    RecoveryCodeUsed = "account:mfa:recovery_code_used"
    MfaReset = "account:mfa:reset"
    PasskeyRegistered = "account:mfa:passkey_registered"
    PasskeyVerified = "account:mfa:passkey_verified"
    PasskeyFailed = "account:mfa:passkey_failed"
    Reauthenticated = "account:reauthenticated"
    ReauthenticationFailed = "account:reauthentication:failed"
    ReauthenticationThrottled = "account:reauthentication:throttled"
    AccountInvited = "account:invited"
    InvitationAccepted = "account:invitation:accepted"
    InvitationRefused = "account:invitation:refused"
    InvitationResent = "account:invitation:resent"
    InvitationAddressCorrected = "account:invitation:address_corrected"
    InvitationInUseRefused = "account:invitation:in_use_refused"
    InvitationInUseThrottled = "account:invitation:in_use_throttled"
    SuspensionReasonShown = "account:suspension_reason:shown"
    AccountSuspended = "account:suspended"
    AccountReinstated = "account:reinstated"
    AccountClosed = "account:closed"
    HomePostcodeRecorded = "account:home_postcode:recorded"
    HomePostcodeRemoved = "account:home_postcode:removed"
    BackgroundCheckRecorded = "account:background_check:recorded"
    PasswordChanged = "account:password:changed"
    ShieldOverridden = "child:shield:overridden"
    ChildShredded = "child:record:shredded"
    ChildArchived = "child:record:archived"
    ChildPurged = "child:record:purged"
    RemovalCompleted = "child:record:removal_completed"
    ChildCopiesShredded = "child:copies:shredded"
    ArchiveAgeRecorded = "child:archive_age:recorded"
    ArchivedRecordViewed = "child:archive:viewed"
    ArchiveLookup = "child:archive:lookup"
    LifecycleRunCompleted = "lifecycle:run:completed"
    ReportViewed = "audit:report:viewed"
    ReportExported = "audit:report:exported"
    ReportLookup = "audit:report:lookup"
    SubjectAccessProduced = "child:subject_access:produced"
    MisuseSuspected = "oversight:misuse:suspected"
    AlertAcknowledged = "oversight:alert:acknowledged"
    AlertsFollowed = "oversight:alerts:followed"
    AlertsFollowedChild = "oversight:alerts:followed_child"
    AlertsViewed = "oversight:alerts:viewed"
    DataQualityViewed = "child:data_quality:viewed"
    ServiceHealthViewed = "service:health:viewed"
    MatchNotified = "coordination:match:notified"
    MatchWithheld = "coordination:match:withheld"
    MatchWithdrawn = "coordination:match:withdrawn"
    LeadProfessionalProposed = "coordination:lead_professional:proposed"
    LeadProfessionalAccepted = "coordination:lead_professional:accepted"
    InvolvementConfirmed = "coordination:involvement:confirmed"
    MatchStatisticsViewed = "coordination:statistics:viewed"
    BrokeringViewed = "coordination:brokering:viewed"
    BrokeringChildShown = "coordination:brokering:child_shown"
    InboxViewed = "coordination:inbox:viewed"
    InboxChildShown = "coordination:inbox:child_shown"
    ShieldApplied = "child:shield:applied"
    ShieldLifted = "child:shield:lifted"
    ChildUpdated = "child:record:updated"
    FeedBatchIngested = "feed:batch:ingested"
    FeedBatchOpened = "feed:batch:opened"
    FeedBatchConflict = "feed:batch:conflict"
    FeedSourceCreated = "feed:source:created"
    FeedTokenIssued = "feed:token:issued"
    FeedTokenRevoked = "feed:token:revoked"
    FeedTokenRefused = "feed:token:refused"
    FeedRateLimited = "feed:api:rate_limited"
    FeedTokenFailed = "feed:token:failed"
    FeedTokenAddressLimited = "feed:api:address_limited"
    ReviewDecided = "linkage:review:decided"
    ReviewViewed = "linkage:review:viewed"
    ReviewHeld = "linkage:review:held"
    ReviewFollowed = "linkage:review:followed"
    ReviewCandidatesAdded = "linkage:review:candidates_added"
    ChildMerged = "child:record:merged"
    ChildUnmerged = "child:record:unmerged"
    TrainingPassed = "account:training:passed"
    TrainingFailed = "account:training:failed"
    TrainingRefused = "account:training:refused"
    OrganisationCreated = "directory:organisation:created"
    OrganisationUpdated = "directory:organisation:updated"
    OrganisationClosed = "directory:organisation:closed"
    InsightViewed = "insight:figures:viewed"
    InsightDownloaded = "insight:figures:downloaded"
    DisclosureExportRequested = "child:disclosure_export:requested"
    DisclosureExportApproved = "child:disclosure_export:approved"
    DisclosureExportRefused = "child:disclosure_export:refused"
    DisclosureExportDownloaded = "child:disclosure_export:downloaded"
    DisclosureExportExpiredAttempt = "child:disclosure_export:expired_attempt"
    DisclosureExportViewed = "child:disclosure_export:viewed"
    DisclosureExportsListed = "child:disclosure_export:listed"
    TransferRequested = "child:transfer:requested"
    TransferAccepted = "child:transfer:accepted"
    TransferDeclined = "child:transfer:declined"
    TransferWithdrawn = "child:transfer:withdrawn"
    TransferViewed = "child:transfer:viewed"
    TransfersListed = "child:transfer:listed"
    MergeCompared = "child:merge:compared"
    MergeLookup = "child:merge:lookup"
    AddressStatusRecorded = "child:address:recorded"
    ChildClosed = "child:record:closed"
    CorrectionRaised = "child:correction:raised"
    CorrectionOpened = "child:correction:opened"
    CorrectionAccepted = "child:correction:accepted"
    CorrectionRejected = "child:correction:rejected"
    CorrectionLapsed = "child:correction:lapsed"
    CorrectionQueueViewed = "child:correction:queue_viewed"
    CorrectionsOwnViewed = "child:correction:own_viewed"
    ComplaintRecorded = "child:complaint:recorded"
    ComplaintOpened = "child:complaint:opened"
    ComplaintUpdated = "child:complaint:updated"
    ComplaintListViewed = "child:complaint:list_viewed"
    RecordRemovedShown = "child:record:removed_shown"
    KeysRotated = "vault:keys:rotated"
    KeksRetired = "vault:keks:retired"


# Every event in words, as reports, subject access reports and exports name it (tests/...: every tag has one).
TAG_LABELS: dict[str, str] = {
    AuditTag.KeysRotated: "Data keys re-wrapped under a new key-encryption key (a key rotation run)",
    AuditTag.KeksRetired: "Old key-encryption keys destroyed (backups wrapped only under them can no longer be restored)",
    AuditTag.ChildUpdated: "Record updated (by a feed or an accepted correction)",
    AuditTag.FeedBatchIngested: "A feed batch was ingested",
    AuditTag.FeedBatchOpened: "A feed batch was opened (its rows go in from now on)",
    AuditTag.FeedBatchConflict: "A feed batch id was sent again with different content and refused",
    AuditTag.FeedSourceCreated: "Registered a feed source",
    AuditTag.FeedTokenIssued: "Issued a feed token",
    AuditTag.FeedTokenRevoked: "Revoked a feed token",
    AuditTag.FeedTokenRefused: "A revoked or expired feed token was presented and refused",
    AuditTag.FeedRateLimited: "A feed source sent too many requests in a minute and was refused",
    AuditTag.FeedTokenFailed: "A feed API request presented a token that is not live and was refused",
    AuditTag.FeedTokenAddressLimited: "A feed token that is not live was refused from an address past its limit of such tokens",
    AuditTag.ReviewDecided: "Decided whether an incoming record is this child",
    AuditTag.ReviewHeld: "A clerical review was moved to the LA team, as a child it names was shielded",
    AuditTag.ReviewFollowed: (
        "A clerical review was moved to the LA team now holding the children it names, as a record was "
        "transferred or no child it names is held by the LA it was with"
    ),
    AuditTag.ReviewCandidatesAdded: (
        "Records that could be the child were added to an open clerical review, as a review of the incoming "
        "record opened now would show them"
    ),
    AuditTag.ReviewViewed: "Compared the record with an incoming one in a clerical review",
    AuditTag.ChildMerged: "Merged two records of the same child",
    AuditTag.ChildUnmerged: "Undid a merge of two records",
    AuditTag.LoginSucceeded: "Signed in with a password",
    AuditTag.LoginFailed: "Failed to sign in",
    AuditTag.LoggedOut: "Signed out",
    AuditTag.AccessDenied: "Was refused access",
    AuditTag.SearchPerformed: "Searched for a child",
    AuditTag.SearchThrottled: "Was stopped from searching (too many searches)",
    AuditTag.RecordViewed: "Viewed the record",
    AuditTag.PurposeAsked: "Opened a record and was asked for a purpose",
    AuditTag.InvolvementRecorded: "Recorded an involvement",
    AuditTag.InvolvementCeased: "Ended an involvement",
    AuditTag.LeadProfessionalSet: "Set the lead professional",
    AuditTag.CafFlagSet: "Set the Common Assessment flag",
    AuditTag.ChildCreated: "Record created",
    AuditTag.LoginThrottled: "Was stopped from signing in (too many attempts)",
    AuditTag.SessionExpired: "Was signed out when the session expired",
    AuditTag.MfaEnrolled: "Set up an authenticator app",
    AuditTag.MfaVerified: "Signed in with a security code",
    AuditTag.MfaFailed: "Entered a wrong or used security code",
    AuditTag.MfaThrottled: "Was stopped from entering security codes (too many attempts)",
    AuditTag.RecoveryCodeUsed: "Signed in with a recovery code",
    AuditTag.MfaReset: "Had their security codes reset",
    AuditTag.PasskeyRegistered: "Added a passkey",
    AuditTag.PasskeyVerified: "Signed in with a passkey",
    AuditTag.PasskeyFailed: "Failed to sign in with a passkey",
    AuditTag.Reauthenticated: "Confirmed their identity again",
    AuditTag.ReauthenticationFailed: "Failed to confirm their identity again",
    AuditTag.ReauthenticationThrottled: "Was signed out after too many attempts to confirm their identity",
    AuditTag.AccountInvited: "Invited a user",
    AuditTag.InvitationAccepted: "Accepted an invitation",
    AuditTag.InvitationRefused: "A used, expired or closed account's invitation link was presented and refused",
    AuditTag.InvitationResent: "Sent a new invitation link (the earlier one no longer works)",
    AuditTag.InvitationAddressCorrected: (
        "Corrected an invited user's email address and sent a new invitation link to it (the earlier one "
        "no longer works)"
    ),
    AuditTag.InvitationInUseRefused: (
        "Was told a username or email address chosen for an invitation is already in use (or the username "
        "looks too like one that is)"
    ),
    AuditTag.InvitationInUseThrottled: (
        "Was stopped from inviting (too many usernames or email addresses chosen that were already in use)"
    ),
    AuditTag.SuspensionReasonShown: "Read why an account was suspended",
    AuditTag.AccountSuspended: "Suspended an account",
    AuditTag.AccountReinstated: "Reinstated an account",
    AuditTag.AccountClosed: "Closed an account",
    AuditTag.PasswordChanged: "Changed their own password",
    AuditTag.HomePostcodeRecorded: "Recorded a user's home postcode (own-address rule)",
    AuditTag.HomePostcodeRemoved: "Removed a user's home postcode (own-address rule)",
    AuditTag.BackgroundCheckRecorded: "Recorded a user's renewed enhanced background check",
    AuditTag.ShieldOverridden: "Emergency access to the shielded record",
    AuditTag.ChildShredded: "Record's data key destroyed",
    AuditTag.ChildArchived: "Record archived",
    AuditTag.ChildPurged: "Record purged",
    AuditTag.RemovalCompleted: "Record deleted, as a merge that did not complete had destroyed its data key",
    AuditTag.ChildCopiesShredded: "Copies of the record held by reviews, merges or disclosure exports destroyed",
    AuditTag.ArchiveAgeRecorded: "Recorded the archive age",
    AuditTag.ArchivedRecordViewed: "Opened the archived record",
    AuditTag.ArchiveLookup: "Looked up an index number in the archive",
    AuditTag.LifecycleRunCompleted: "Daily archive and purge run completed",
    AuditTag.ReportViewed: "Viewed an audit report",
    AuditTag.ReportExported: "Exported an audit summary",
    AuditTag.ReportLookup: "Looked up a user or record in the audit reports",
    AuditTag.SubjectAccessProduced: "Produced a subject access report",
    AuditTag.MisuseSuspected: "Raised a misuse alert",
    AuditTag.AlertAcknowledged: "Acknowledged an alert",
    AuditTag.AlertsFollowed: "Alerts moved with their staff to another local authority",
    AuditTag.AlertsFollowedChild: "Emergency access alerts moved with a transferred child to its new local authority",
    AuditTag.AlertsViewed: "Read the alerts queue",
    AuditTag.DataQualityViewed: "Viewed the data quality summary",
    AuditTag.ServiceHealthViewed: "Viewed the service health page",
    AuditTag.MatchNotified: "Told a practitioner about another practitioner working with the child or family",
    AuditTag.MatchWithheld: "Match not shown to a practitioner (access rules)",
    AuditTag.MatchWithdrawn: "Match withdrawn (the records no longer bear it out)",
    AuditTag.LeadProfessionalProposed: "Offered to be lead professional",
    AuditTag.LeadProfessionalAccepted: "Accepted a lead professional",
    AuditTag.InvolvementConfirmed: "Confirmed an involvement is still current",
    AuditTag.MatchStatisticsViewed: "Viewed match counts",
    AuditTag.BrokeringViewed: "Viewed matches about shielded children to broker",
    AuditTag.BrokeringChildShown: "Was named to the LA team on its brokering page",
    AuditTag.InboxViewed: "Viewed their matches inbox",
    AuditTag.InboxChildShown: "Was named to a practitioner working with the child, in their matches inbox",
    AuditTag.ShieldApplied: "Shielded the record (its location shown to its LA team only)",
    AuditTag.ShieldLifted: "Lifted the shielding of the record",
    AuditTag.TrainingPassed: "Passed the training assessment",
    AuditTag.TrainingFailed: "Did not pass the training assessment",
    AuditTag.TrainingRefused: "Was refused a training assessment (the attempts allowed in 24 hours were used)",
    AuditTag.OrganisationCreated: "Added an organisation to the directory",
    AuditTag.OrganisationUpdated: "Changed an organisation's details",
    AuditTag.OrganisationClosed: "Closed an organisation",
    AuditTag.InsightViewed: "Viewed management information",
    AuditTag.InsightDownloaded: "Downloaded management information (CSV)",
    AuditTag.DisclosureExportRequested: "Asked to export children's details for a disclosure",
    AuditTag.DisclosureExportApproved: "Approved a colleague's disclosure export",
    AuditTag.DisclosureExportRefused: "Refused a colleague's disclosure export",
    AuditTag.DisclosureExportDownloaded: "Downloaded an approved disclosure export naming this child",
    AuditTag.DisclosureExportExpiredAttempt: (
        "Tried to download a disclosure export that had expired or been used, or whose approval no longer stands"
    ),
    AuditTag.DisclosureExportViewed: "Opened a disclosure export request naming children",
    AuditTag.DisclosureExportsListed: "Read the list of disclosure export requests",
    AuditTag.TransferRequested: "Asked another local authority to take over the record",
    AuditTag.TransferAccepted: "Accepted the record from another local authority",
    AuditTag.TransferDeclined: "Declined to take over the record from another local authority",
    AuditTag.TransferWithdrawn: "Withdrew a request to another local authority to take over the record",
    AuditTag.TransferViewed: "Looked at a request to transfer the record between local authorities",
    AuditTag.TransfersListed: "Saw the child named in the list of transfers between local authorities",
    AuditTag.MergeCompared: "Compared the record side by side with another before a merge",
    AuditTag.MergeLookup: "Looked up an index number to merge two records of the same child",
    AuditTag.AddressStatusRecorded: "Recorded the address, no known address, or that the child left England",
    AuditTag.ChildClosed: "Record closed",
    AuditTag.CorrectionRaised: "Asked for a detail of the record to be corrected",
    AuditTag.CorrectionOpened: "Opened a correction to decide it",
    AuditTag.CorrectionAccepted: "Accepted a correction and corrected the record",
    AuditTag.CorrectionLapsed: "A correction lapsed undecided, as the record was archived or closed",
    AuditTag.CorrectionRejected: "Rejected a correction",
    AuditTag.CorrectionQueueViewed: "Viewed the corrections waiting for a decision",
    AuditTag.CorrectionsOwnViewed: "Viewed the corrections they asked for and what was decided",
    AuditTag.ComplaintRecorded: "Recorded a complaint",
    AuditTag.ComplaintOpened: "Opened a complaint",
    AuditTag.ComplaintUpdated: "Updated a complaint's progress",
    AuditTag.ComplaintListViewed: "Viewed the local authority's complaints",
    AuditTag.RecordRemovedShown: "Was told the record had been removed (its details destroyed)",
}


def tag_label(tag: str) -> str:
    """The event in words; an unknown tag (from a newer release) is shown as it was recorded."""
    return TAG_LABELS.get(tag, tag)
