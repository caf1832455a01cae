"""Where a proposal's probability and consequence levels come from: the seam to the risk
engine's assessments and alerts.

Today an official opens a measure by hand with the levels they judge (``judged``). When the
risk domain is merged, add ``from_assessment`` / ``from_alert`` here: read its assessment (or
the alert's assessment) through its service, and return the same ``Levels`` with
``source="assessment"`` or ``"alert"`` and its id as ``source_ref``; ``service.open_measure``
needs nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Levels:
    probability: int  # 1 (lowest) … 4
    consequence: int  # 1 (lowest) … 4
    source: str  # manual | assessment | alert
    source_ref: str | None = None
    basis: str = ""  # what the levels rest on, in the user's words or the assessment's


def judged(probability: int, consequence: int, basis: str = "") -> Levels:
    """Levels an official judged on the spot."""
    return Levels(probability, consequence, "manual", None, basis)
