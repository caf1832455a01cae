"""How big each synthetic province is (DESIGN.md §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Scale:
    name: str
    entities: int
    causes_per_kind: int  # planted common causes of each kind
    years: tuple[int, ...] = (2022, 2023, 2024, 2025)
    # Yearly rates per business (records per business per year), tuned so the province has
    # about 50 million records.
    inspection_rate: float = 0.35
    complaint_rate: float = 0.12
    shipments_per_supply: float = 0.85  # per year: ~17M movements in the province
    xlsx_limit: int = 60_000  # bigger files are written as CSV, as bureaus' exports are

    @property
    def start(self) -> date:
        return date(self.years[0], 1, 1)

    @property
    def end(self) -> date:
        return date(self.years[-1], 12, 31)


SCALES = {
    "tiny": Scale("tiny", 600, 1),
    "small": Scale("small", 20_000, 2),
    "city": Scale("city", 300_000, 6),
    "province": Scale("province", 7_500_000, 40),
}
