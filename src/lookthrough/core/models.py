"""Every table of the platform, imported in one place for migrations and metadata checks."""

from __future__ import annotations

from lookthrough.accounts import models as accounts_models
from lookthrough.audit import models as audit_models
from lookthrough.core.db import Base
from lookthrough.disposal import models as disposal_models
from lookthrough.engine import models as engine_models
from lookthrough.ingest import models as ingest_models
from lookthrough.inspection import models as inspection_models
from lookthrough.lists import models as lists_models
from lookthrough.penetration import models as penetration_models
from lookthrough.profile import models as profile_models
from lookthrough.records import models as records_models
from lookthrough.regions import models as regions_models
from lookthrough.registry import models as registry_models
from lookthrough.resolution import models as resolution_models
from lookthrough.risk import models as risk_models

__all__ = ["MODULES", "Base"]

MODULES = (
    accounts_models,
    audit_models,
    disposal_models,
    engine_models,
    ingest_models,
    lists_models,
    penetration_models,
    inspection_models,
    profile_models,
    records_models,
    regions_models,
    registry_models,
    resolution_models,
    risk_models,
)
