"""Typed audit events. Each class is one kind of thing that happened; no free-text messages.

One module per domain the events describe; import them from here (``from
lookthrough.audit.events import LoginFailed``), which also registers every kind for
:func:`all_event_types`.

Fields named ``object_id``, ``before`` and ``after`` fill the columns of the same name; every
other field lands in ``detail``. ``label`` is what the audit page shows.
"""

from __future__ import annotations

from lookthrough.audit.events.accounts import (
    AccessDenied,
    AccountLocked,
    AccountUnlocked,
    LoggedOut,
    LoginFailed,
    LoginSucceeded,
    PasswordChanged,
    RegionSwitched,
    SessionsEnded,
    UserCreated,
    UserUpdated,
)
from lookthrough.audit.events.base import AuditEventType
from lookthrough.audit.events.data import (
    DataExported,
    EntitiesMerged,
    ImportFinished,
    MentionJudged,
    MentionsResolved,
    PersonalDataRevealed,
    PersonalDataSearched,
    QuarantineResolved,
)
from lookthrough.audit.events.disposal import (
    IncidentAcknowledged,
    IncidentReported,
    MeasureMoved,
    MeasureOpened,
    NoticeGenerated,
)
from lookthrough.audit.events.inspection import (
    ChecklistSubmitted,
    DrawCommitted,
    DrawRevealed,
    InspectionPlanCreated,
    InspectionPoolSaved,
    ManualSaved,
)
from lookthrough.audit.events.lists import (
    DissectionRecorded,
    GuidelineSaved,
    MatterSaved,
    OverdueAlertsRaised,
    PenetrationRan,
    ProblemDecided,
    ProblemsProposed,
    RectificationEvidenceAdded,
    RectificationMoved,
    RectificationOpened,
    RootCauseRecorded,
)
from lookthrough.audit.events.risk import (
    AlertChanged,
    IndicatorPublished,
    IndicatorSaved,
    RiskModelTrained,
    RiskScored,
)
from lookthrough.audit.events.system import (
    AuditPurged,
    DemoLoaded,
    GridSaved,
    JobFailed,
    JobRan,
    RegionsSynced,
)

__all__ = [
    "AccessDenied",
    "AccountLocked",
    "AccountUnlocked",
    "AlertChanged",
    "AuditEventType",
    "AuditPurged",
    "ChecklistSubmitted",
    "DataExported",
    "DemoLoaded",
    "DissectionRecorded",
    "DrawCommitted",
    "DrawRevealed",
    "EntitiesMerged",
    "GridSaved",
    "GuidelineSaved",
    "ImportFinished",
    "IncidentAcknowledged",
    "IncidentReported",
    "IndicatorPublished",
    "IndicatorSaved",
    "InspectionPlanCreated",
    "InspectionPoolSaved",
    "JobFailed",
    "JobRan",
    "LoggedOut",
    "LoginFailed",
    "LoginSucceeded",
    "ManualSaved",
    "MatterSaved",
    "MeasureMoved",
    "MeasureOpened",
    "MentionJudged",
    "MentionsResolved",
    "NoticeGenerated",
    "OverdueAlertsRaised",
    "PasswordChanged",
    "PenetrationRan",
    "PersonalDataRevealed",
    "PersonalDataSearched",
    "ProblemDecided",
    "ProblemsProposed",
    "QuarantineResolved",
    "RectificationEvidenceAdded",
    "RectificationMoved",
    "RectificationOpened",
    "RegionSwitched",
    "RegionsSynced",
    "RiskModelTrained",
    "RiskScored",
    "RootCauseRecorded",
    "SessionsEnded",
    "UserCreated",
    "UserUpdated",
    "all_event_types",
]


def all_event_types() -> list[type[AuditEventType]]:
    return sorted(AuditEventType.__subclasses__(), key=lambda cls: cls.kind)
