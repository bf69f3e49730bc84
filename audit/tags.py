"""Named audit events: `<scope>:<resource>:<action>`, asserted by tests, never bare strings."""

from enum import StrEnum


class AuditTag(StrEnum):
    LoginSucceeded = "account:login:succeeded"
    LoginFailed = "account:login:failed"
    LoggedOut = "account:logout"
    AccessDenied = "access:denied"
    SearchPerformed = "child:search:performed"
    RecordViewed = "child:record:viewed"
    InvolvementRecorded = "child:involvement:recorded"
    InvolvementCeased = "child:involvement:ceased"
    LeadProfessionalSet = "child:lead_professional:set"
    CafFlagSet = "child:caf:set"
    ChildCreated = "child:record:created"
    ChildShredded = "child:record:shredded"
