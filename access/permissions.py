"""Every action the policy rules on: `<scope>:<resource>:<action>`, one enum, never a bare string."""

from enum import StrEnum


class Permission(StrEnum):
    # Using the service at all: the vetting checked on every request (accounts.middleware).
    ServiceUse = "service:use"
    ChildSearch = "child:search"
    ChildView = "child:view"
    ChildIdentify = "child:identify"
    InvolvementRecord = "child:involvement:record"
    InvolvementCease = "child:involvement:cease"
    LeadProfessionalSet = "child:lead_professional:set"
    CafSet = "child:caf:set"
    ShieldOverride = "child:shield:override"
    AccountManage = "account:manage"
    AlertView = "oversight:alert:view"
    AlertAcknowledge = "oversight:alert:acknowledge"
    AuditReportView = "audit:report:view"
    SubjectAccessProduce = "child:subject_access:produce"
    ArchiveView = "child:archive:view"
    ArchiveStatutoryView = "child:archive:statutory_view"
    DataQualityView = "child:data_quality:view"
    ServiceHealthView = "service:health:view"
    MatchReceive = "child:match:receive"
    InvolvementCoordinate = "child:involvement:coordinate"
    InboxView = "coordination:inbox:view"
    MatchStatisticsView = "coordination:statistics:view"
    MatchBroker = "coordination:match:broker"
    FeedSubmit = "feed:batch:submit"
    ReviewDecide = "linkage:review:decide"
    ChildMerge = "child:record:merge"
    # The system administrator's directory of organisations and the national accounts.
    OrganisationManage = "directory:organisation:manage"
    NationalAccountManage = "account:national:manage"
    LocalInsightView = "insight:local_authority:view"
    NationalInsightView = "insight:national:view"
    # The one route for a file naming children (disclosure app): request, a colleague's decision, download.
    DisclosureExportRequest = "child:disclosure_export:request"
    DisclosureExportView = "child:disclosure_export:view"
    DisclosureExportDecide = "child:disclosure_export:decide"
    DisclosureExportDownload = "child:disclosure_export:download"
