"""Every write of energy sharing: typed keyword-only functions `<thing>_<action>`."""

from sharing.services.community import (
    community_configure,
    key_choose,
    participant_add,
    participant_end,
    participant_update,
    pv_add,
)
from sharing.services.imports import (
    ImportReport,
    has_energy_consent,
    meter_import,
    meter_import_start,
    meter_series_import,
    meter_upload_import,
)
from sharing.services.runs import allocation_month_check, allocation_month_run
from sharing.services.simulations import (
    custom_rounds,
    key_simulation_check,
    key_simulation_start,
    simulation_params,
)

__all__ = [
    "ImportReport",
    "allocation_month_check",
    "allocation_month_run",
    "community_configure",
    "custom_rounds",
    "has_energy_consent",
    "key_choose",
    "key_simulation_check",
    "key_simulation_start",
    "meter_import",
    "meter_import_start",
    "meter_series_import",
    "meter_upload_import",
    "participant_add",
    "participant_end",
    "participant_update",
    "pv_add",
    "simulation_params",
]
