"""One settings object for the whole platform.

Every field is read from the environment with the prefix ``LOOKTHROUGH_`` (for example
``LOOKTHROUGH_DATABASE_URL``) or from a ``.env`` file in the working directory. Every field is
documented in ``docs/configuration.md``; a test fails when one is not.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# 网络安全法 第二十一条: network logs kept no less than six months; six calendar months can be
# up to 184 days, so the floor is 186 (see research/reliability.md §0.2).
AUDIT_RETENTION_FLOOR_DAYS = 186


class Settings(BaseSettings):
    """Runtime configuration. Field descriptions are the documentation users read."""

    model_config = SettingsConfigDict(
        env_prefix="LOOKTHROUGH_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = Field(
        "sqlite:///./var/lookthrough.db",
        description="SQLAlchemy URL of the operational database. SQLite file by default; "
        "PostgreSQL as postgresql+psycopg://user@host:5432/db.",
    )
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port the web server listens on.")
    default_locale: Literal["zh_CN", "en"] = Field(
        "zh_CN", description="Language of pages when the user has not chosen one."
    )
    session_idle_minutes: int = Field(
        30, ge=1, description="A session ends after this many minutes without a request."
    )
    session_absolute_hours: int = Field(
        12, ge=1, description="A session ends this many hours after login, active or not."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed logins for one username before the account is locked."
    )
    login_failure_window_minutes: int = Field(
        15, ge=1, description="Failures older than this many minutes no longer count."
    )
    login_lockout_minutes: int = Field(
        30, ge=1, description="How long a locked username stays locked."
    )
    password_profile: Literal["dengbao", "asvs"] = Field(
        "dengbao",
        description="Password rules: 'dengbao' (等保 2.0: length ≥ 8, three of four character "
        "classes, periodic change) or 'asvs' (OWASP ASVS 5: length ≥ 12, no composition "
        "rules, no forced rotation).",
    )
    password_max_age_days: int = Field(
        90,
        ge=0,
        description="Under the 'dengbao' profile a password must be changed after this many "
        "days (0 turns the rule off).",
    )
    audit_retention_days: int = Field(
        AUDIT_RETENTION_FLOOR_DAYS,
        description="Audit events younger than this are never purged; at least 186.",
    )
    cookie_secure: bool = Field(
        False, description="Send the session cookie only over HTTPS (turn on behind TLS)."
    )
    demo_password: str | None = Field(
        None,
        description="Password given to the demo accounts by `lookthrough demo`; when unset a "
        "fresh random password is generated and printed on each run.",
    )
    risk_alert_dedup_days: int = Field(
        30,
        ge=1,
        description="An early warning about the same business and the same thing is not raised "
        "again within this many days.",
    )
    risk_full_rescore_hour: int = Field(
        2, ge=0, le=23, description="Hour of the day (China time) of the scheduled full re-score."
    )
    risk_incremental_minutes: int = Field(
        10,
        ge=1,
        description="The scheduler re-scores businesses touched by new records this often.",
    )
    var_dir: Path = Field(
        Path("var"), description="Folder for the embedded database, exports and archives."
    )
    resolution_auto_link: float = Field(
        0.90,
        gt=0,
        le=1,
        description="Entity resolution: a mention whose best candidate scores at least this "
        "(the probability that it is the business meant) is linked automatically.",
    )
    resolution_review_min: float = Field(
        0.30,
        ge=0,
        lt=1,
        description="Entity resolution: best scores from this up to the auto-link threshold go "
        "to the review queue; lower ones stay unlinked.",
    )
    resolution_outside_share: float = Field(
        0.05,
        gt=0,
        lt=1,
        description="Entity resolution: the prior share of mentions whose business is not "
        "among the candidates (unregistered, or registered elsewhere).",
    )
    resolution_engine: Literal["rules", "splink"] = Field(
        "rules",
        description="Entity resolution engine for `lookthrough resolve run`: 'rules' (the "
        "rule scorer) or 'splink' (Splink's probabilistic model on DuckDB).",
    )

    @model_validator(mode="after")
    def _review_below_auto_link(self) -> Settings:
        if self.resolution_review_min >= self.resolution_auto_link:
            raise ValueError(
                "复核下限（RESOLUTION_REVIEW_MIN）须低于自动关联阈值（RESOLUTION_AUTO_LINK）"
            )
        return self

    inspection_visit_cap: int = Field(
        2,
        ge=1,
        description="无事不扰: visits per business per year, all departments together, that a "
        "plan never exceeds (a plan file's `cap` may set its own).",
    )
    inspection_team_size: int = Field(
        2, ge=2, description="Inspectors per department on each visit (at least two)."
    )
    inspection_unclassified_as: Literal["B", "C", "D"] = Field(
        "B",
        description="Businesses without a credit-risk class are drawn at this class's ratio "
        "(a plan file's `unclassified_as` may set its own).",
    )
    inspection_publish_days: int = Field(
        20,
        ge=1,
        description="Days after the draw by which a plan's results must be on the public page.",
    )
    disposal_matrix_file: Path | None = Field(
        None,
        description="A YAML file with the probability × consequence → measure matrix, the "
        "measures' deadlines and the escalation ladder; unset: the shipped one.",
    )
    disposal_escalate_upward: bool = Field(
        True,
        description="When a measure at the top of the ladder is overdue, or the matrix says so, "
        "escalation also hands it to the jurisdiction above (county → city → province).",
    )
    incident_first_report_minutes: int = Field(
        60,
        ge=1,
        description="Minutes after learning of an incident by which the first report is due.",
    )
    incident_followup_hours: int = Field(
        24, ge=1, description="Hours after each report by which the next follow-up is due."
    )
    incident_ack_minutes: int = Field(
        60, ge=1, description="Minutes each level above has to acknowledge a report."
    )

    @field_validator("audit_retention_days")
    @classmethod
    def _retention_floor(cls, value: int) -> int:
        if value < AUDIT_RETENTION_FLOOR_DAYS:
            raise ValueError(
                f"审计日志保存期不得少于 {AUDIT_RETENTION_FLOOR_DAYS} 天"
                "（网络安全法：不少于六个月）"
            )
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
