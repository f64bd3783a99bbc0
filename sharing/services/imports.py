"""Importing a meter-data file: everything is checked first, then stored all at once.

A bad file imports nothing: every bad line is reported with its number, in the user's
language (sharing.messages). Refused as a whole: the same file again (its SHA-256), an EAN
that is no participant of the community, a household's EAN without its consent for energy
data. The quarter-hours are stored per participant and local day (sharing.models.MeterDay);
a day already stored keeps its quarter-hours that the new file does not have.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.models import AuditEvent
from core.services import audit_record
from core.tenancy import Acting
from households.models import Consent
from sharing.messages import line_error_message
from sharing.models import Community, MeterDay, MeterImport, Participant, floats
from sharing.pure.meterdata import MeterFileRejected, MeterSeries, parse_meter_file
from sharing.pure.timeseries import days_between
from sharing.rules import require_lead

MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class ImportReport:
    filename: str
    meter_import: MeterImport | None = None
    errors: list[str] = field(default_factory=list)
    days_written: int = 0
    days_merged: int = 0


def has_energy_consent(participant: Participant, on: date) -> bool:
    """A household's recorded consent to use its meter data, given and not withdrawn on `on`."""
    if participant.household_id is None:
        return True
    return Consent.objects.filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on),
        household_id=participant.household_id,
        purpose=Consent.Purpose.ENERGY_DATA,
        given_on__lte=on,
    ).exists()


def meter_import(
    *, acting: Acting, community: Community, filename: str, data: bytes
) -> ImportReport:
    """Check and import a meter-data file (the grid operator's export or the plain CSV)."""
    require_lead(acting, community, "sharing.import")
    report = ImportReport(filename=filename[:255])
    if len(data) > MAX_FILE_BYTES:
        report.errors.append(_("The file is larger than %(max_mb)s MB.") % {"max_mb": 50})
        return report
    digest = hashlib.sha256(data).hexdigest()
    earlier = MeterImport.objects.filter(community=community, sha256=digest).first()
    if earlier is not None:
        report.errors.append(
            _("This file was imported already, on %(day)s as “%(name)s”; nothing was imported.")
            % {
                "day": date_format(timezone.localtime(earlier.imported_at), "DATE_FORMAT"),
                "name": earlier.filename,
            }
        )
        return report
    participants = {
        p.ean: p
        for p in Participant.objects.filter(community=community)
        .exclude(ean="")
        .select_related("household")
    }
    parsed = parse_meter_file(data, expected_eans=participants.keys())
    if isinstance(parsed, MeterFileRejected):
        report.errors = [line_error_message(error) for error in parsed.errors]
        return report
    today = timezone.localdate()
    for ean, _series in parsed.series.items():
        participant = participants[ean]
        if not has_energy_consent(participant, today):
            report.errors.append(
                _(
                    "EAN %(ean)s belongs to a household that has not given its consent for "
                    "the use of its meter data; record the consent first."
                )
                % {"ean": ean}
            )
    if report.errors:
        return report
    _store(acting, community, report, digest, parsed.series, parsed.lines, participants)
    return report


@transaction.atomic
def _store(
    acting: Acting,
    community: Community,
    report: ImportReport,
    digest: str,
    series: dict[str, MeterSeries],
    lines: int,
    participants: dict[str, Participant],
) -> None:
    pieces: list[tuple[Participant, date, int, np.ndarray, np.ndarray, np.ndarray]] = []
    for ean, one in series.items():
        first = int(one.start.timestamp()) // 900
        end = first + len(one.offtake)
        for day, day_start, day_end in days_between(first, end):
            size = day_end - day_start
            off, inj = np.zeros(size), np.zeros(size)
            present = np.zeros(size, dtype=np.uint8)
            lo, hi = max(first, day_start), min(end, day_end)
            off[lo - day_start : hi - day_start] = one.offtake[lo - first : hi - first]
            inj[lo - day_start : hi - day_start] = one.injection[lo - first : hi - first]
            present[lo - day_start : hi - day_start] = one.present[lo - first : hi - first]
            if present.any():
                pieces.append((participants[ean], day, size, off, inj, present))
    days = sorted({piece[1] for piece in pieces})
    record = MeterImport.objects.create(
        community=community,
        filename=report.filename,
        sha256=digest,
        lines=lines,
        eans=len(series),
        days=len(days),
        first_day=days[0],
        last_day=days[-1],
        imported_by_id=acting.user_id,
    )
    existing = {
        (m.participant_id, m.day): m
        for m in MeterDay.objects.filter(
            participant__in=[p for p in participants.values() if p.ean in series],
            day__gte=days[0],
            day__lte=days[-1],
        )
    }
    new: list[MeterDay] = []
    changed: list[MeterDay] = []
    for participant, day, size, off, inj, present in pieces:
        old = existing.get((participant.pk, day))
        if old is not None and old.quarter_hours == size:
            keep = np.frombuffer(bytes(old.present), dtype=np.uint8).astype(bool) & ~present.astype(
                bool
            )
            off = np.where(keep, floats(old.offtake), off)
            inj = np.where(keep, floats(old.injection), inj)
            present = np.maximum(present, np.frombuffer(bytes(old.present), dtype=np.uint8))
        row = old or MeterDay(participant=participant, day=day)
        row.quarter_hours = size
        row.offtake = off.astype(np.float64).tobytes()
        row.injection = inj.astype(np.float64).tobytes()
        row.present = present.astype(np.uint8).tobytes()
        row.offtake_kwh = float(off.sum())
        row.injection_kwh = float(inj.sum())
        row.meter_import = record
        (changed if old is not None else new).append(row)
    MeterDay.objects.bulk_create(new, batch_size=500)
    MeterDay.objects.bulk_update(
        changed,
        [
            "quarter_hours",
            "offtake",
            "injection",
            "present",
            "offtake_kwh",
            "injection_kwh",
            "meter_import",
        ],
        batch_size=500,
    )
    report.meter_import = record
    report.days_written = len(new)
    report.days_merged = len(changed)
    for ean in series:
        household = participants[ean].household
        if household is not None:
            audit_record(
                acting=acting,
                action=AuditEvent.Action.CREATE,
                household=household,
                subject=f"household {household.reference}: meter data import {record.pk}",
            )
