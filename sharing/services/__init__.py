"""Every write of energy sharing: typed keyword-only functions `<thing>_<action>`."""

from sharing.services.community import (
    community_configure,
    key_choose,
    participant_add,
    participant_end,
    participant_update,
    pv_add,
)
from sharing.services.imports import ImportReport, has_energy_consent, meter_import
from sharing.services.runs import allocation_month_check, allocation_month_run

__all__ = [
    "ImportReport",
    "allocation_month_check",
    "allocation_month_run",
    "community_configure",
    "has_energy_consent",
    "key_choose",
    "meter_import",
    "participant_add",
    "participant_end",
    "participant_update",
    "pv_add",
]
