"""What other domains ask of risk: the current assessment, level and credit class of a business,
businesses by level or class (as sub-selects to fold into their own scoped queries), and the
published indicators by field or matter.

Scores are for officials only: every function refuses enterprise users and the public
(``Capability.READ_BUSINESS``) and filters by the actor's region.

Other domains import this package (``from lookthrough.risk import service as risk_service``),
never its modules, which are split by what is asked:

- ``assessments``: current assessments and levels, one business or many, and their sub-selects;
- ``credit_classes``: the "1+N" credit-risk classes and their sub-select;
- ``alerts``: open alerts to read, and the alerts other domains raise;
- ``indicator_views``: the published indicators by field or matter, and every known code;
- ``profile``: the risk part of a business's file (一户一档);
- ``base``: the region clause and IN-list size the others share.
"""

from __future__ import annotations

from lookthrough.risk.service.alerts import (
    ALERT_OPEN_STATES,
    ALERTS_SHOWN,
    AlertBrief,
    AlertIn,
    alert_brief,
    open_alerts,
    open_alerts_of,
    raise_alerts,
)
from lookthrough.risk.service.assessments import (
    AssessmentView,
    Reason,
    Stamps,
    assessments_of,
    consequence_level,
    current_assessment,
    entities_at_levels,
    level_counts,
    level_name,
    level_of,
    level_select,
    levels_of,
    top_assessments,
)
from lookthrough.risk.service.base import LOOKUP_CHUNK
from lookthrough.risk.service.credit_classes import (
    GENERAL,
    credit_class_of,
    credit_class_select,
    credit_classes_of,
)
from lookthrough.risk.service.indicator_views import (
    IndicatorView,
    indicator_codes,
    indicators_by_field,
    indicators_for_matter,
)
from lookthrough.risk.service.profile import BADGE_KINDS, ProfilePart, profile_part, rules_domains

__all__ = [
    "ALERTS_SHOWN",
    "ALERT_OPEN_STATES",
    "BADGE_KINDS",
    "GENERAL",
    "LOOKUP_CHUNK",
    "AlertBrief",
    "AlertIn",
    "AssessmentView",
    "IndicatorView",
    "ProfilePart",
    "Reason",
    "Stamps",
    "alert_brief",
    "assessments_of",
    "consequence_level",
    "credit_class_of",
    "credit_class_select",
    "credit_classes_of",
    "current_assessment",
    "entities_at_levels",
    "indicator_codes",
    "indicators_by_field",
    "indicators_for_matter",
    "level_counts",
    "level_name",
    "level_of",
    "level_select",
    "levels_of",
    "open_alerts",
    "open_alerts_of",
    "profile_part",
    "raise_alerts",
    "rules_domains",
    "top_assessments",
]
