"""Importing a meter-data file: everything is checked first, then stored all at once.

A bad file imports nothing: every bad line is reported with its number, in the user's
language (sharing.messages). Refused as a whole: the same file again (its SHA-256), an EAN
that is no participant of the community, a household's EAN without its consent for energy
data. The quarter-hours are stored per participant and local day (sharing.models.MeterDay);
a day already stored keeps its quarter-hours that the new file does not have.

Pages and the API do not import in the request: `meter_import_start` keeps the file as a
`MeterUpload` (compressed, in the database) and starts the background run `sharing.import`
(sharing/runs.py), which calls `meter_import` and deletes the upload when it ends. The same
file is refused at the start already, and again by the run.
"""

import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.models import AuditEvent, Run
from core.runs import run_start
from core.services import audit_record
from core.tenancy import Acting
from households.models import Consent
from sharing.messages import line_error_message
from sharing.models import Community, MeterDay, MeterImport, MeterUpload, Participant, floats
from sharing.pure.meterdata import MeterFileRejected, MeterSeries, parse_meter_file
from sharing.pure.timeseries import days_between
from sharing.rules import require_lead

MAX_FILE_BYTES = 50 * 1024 * 1024
IMPORT_KIND = "sharing.import"
# An upload whose run never ended (its worker was killed) is deleted after this long.
UPLOAD_KEPT = timedelta(days=1)
StepReport = Callable[[int, int, str], None]


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


def _too_large() -> str:
    return _("The file is larger than %(max_mb)s MB.") % {"max_mb": MAX_FILE_BYTES // 2**20}


def _imported_already(community: Community, digest: str) -> str | None:
    earlier = MeterImport.objects.filter(community=community, sha256=digest).first()
    if earlier is None:
        return None
    return _("This file was imported already, on %(day)s as “%(name)s”; nothing was imported.") % {
        "day": date_format(timezone.localtime(earlier.imported_at), "DATE_FORMAT"),
        "name": earlier.filename,
    }


def meter_import_start(
    *, acting: Acting, community: Community, filename: str, data: bytes, back_url: str = ""
) -> Run:
    """Keep the file and start its import as a background run (followed at /runs/<pk>/).
    Refused at once (a ValidationError on `file`): a file too large, the same file again.
    While the same file is being imported, returns that run (`is_new` False)."""
    require_lead(acting, community, "sharing.import")
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError({"file": _too_large()})
    if not data:
        raise ValidationError({"file": _("The file is empty.")})
    digest = hashlib.sha256(data).hexdigest()
    refusal = _imported_already(community, digest)
    if refusal:
        raise ValidationError({"file": refusal})
    MeterUpload.objects.filter(
        community=community, uploaded_at__lt=timezone.now() - UPLOAD_KEPT
    ).delete()
    upload = MeterUpload.objects.create(
        community=community,
        filename=filename[:255],
        sha256=digest,
        size=len(data),
        content=zlib.compress(data, 6),
        uploaded_by_id=acting.user_id,
    )
    try:
        run = run_start(
            acting=acting,
            kind=IMPORT_KIND,
            programme=community.programme,
            params={"upload": upload.pk},
            back_url=back_url,
        )
    except BaseException:
        MeterUpload.objects.filter(pk=upload.pk).delete()
        raise
    if not run.is_new or run.status not in Run.ACTIVE:
        # Joined the import of the same file, or already done (a backend that runs at once;
        # the run's own delete is undone with its failure inside an outer transaction).
        MeterUpload.objects.filter(pk=upload.pk).delete()
    return run


def meter_upload_import(
    *, acting: Acting, community: Community, upload_pk: int, progress: StepReport | None = None
) -> ImportReport:
    """The import run's work: the upload's file through `meter_import`, then the upload is
    deleted (whatever came of it: the person uploads a corrected file)."""
    upload = MeterUpload.objects.filter(pk=upload_pk, community=community).first()
    if upload is None:
        report = ImportReport(filename="")
        report.errors.append(
            _("The uploaded file is no longer there; upload it again (nothing was imported).")
        )
        return report
    try:
        data = zlib.decompress(bytes(upload.content))
        return meter_import(
            acting=acting,
            community=community,
            filename=upload.filename,
            data=data,
            progress=progress,
        )
    finally:
        MeterUpload.objects.filter(pk=upload.pk).delete()


def meter_import(
    *,
    acting: Acting,
    community: Community,
    filename: str,
    data: bytes,
    progress: StepReport | None = None,
) -> ImportReport:
    """Check and import a meter-data file (the grid operator's export or the plain CSV)."""
    require_lead(acting, community, "sharing.import")
    step = progress or (lambda done, total, label: None)
    report = ImportReport(filename=filename[:255])
    if len(data) > MAX_FILE_BYTES:
        report.errors.append(_too_large())
        return report
    step(0, 3, _("Checking every line"))
    digest = hashlib.sha256(data).hexdigest()
    refusal = _imported_already(community, digest)
    if refusal:
        report.errors.append(refusal)
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
    step(1, 3, _("Checking the consents"))
    report.errors = _consent_errors(participants, parsed.series)
    if report.errors:
        return report
    step(2, 3, _("Storing the quarter-hours"))
    _store(acting, community, report, digest, parsed.series, parsed.lines, participants)
    step(3, 3, _("Stored"))
    return report


def _consent_errors(
    participants: dict[str, Participant], series: dict[str, MeterSeries]
) -> list[str]:
    today = timezone.localdate()
    households = {
        p.household_id for p in (participants[ean] for ean in series) if p.household_id is not None
    }
    consenting = set(
        Consent.objects.filter(
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today),
            household_id__in=households,
            purpose=Consent.Purpose.ENERGY_DATA,
            given_on__lte=today,
        ).values_list("household_id", flat=True)
    )
    errors = []
    for ean in series:
        household = participants[ean].household_id
        if household is not None and household not in consenting:
            errors.append(
                _(
                    "EAN %(ean)s belongs to a household that has not given its consent for "
                    "the use of its meter data; record the consent first."
                )
                % {"ean": ean}
            )
    return errors


def meter_series_import(
    *, acting: Acting, community: Community, filename: str, series: dict[str, MeterSeries]
) -> ImportReport:
    """Import quarter-hour series that are no file (the demo's synthetic year): the same
    checks but the parser's (participants' EANs, consent, the same series twice: the hash of
    their bytes), stored the same way, all or nothing."""
    require_lead(acting, community, "sharing.import")
    report = ImportReport(filename=filename[:255])
    participants = {
        p.ean: p
        for p in Participant.objects.filter(community=community)
        .exclude(ean="")
        .select_related("household")
    }
    digest = hashlib.sha256()
    for ean in sorted(series):
        one = series[ean]
        if ean not in participants:
            report.errors.append(
                _("EAN %(ean)s is not a participant of this community.") % {"ean": ean}
            )
            continue
        digest.update(f"{ean}{one.start.isoformat()}".encode())
        for values in (one.offtake, one.injection, one.present):
            digest.update(np.ascontiguousarray(values).tobytes())
    if not series:
        report.errors.append(_("There are no quarter-hours to import."))
    if report.errors:
        return report
    refusal = _imported_already(community, digest.hexdigest())
    if refusal:
        report.errors.append(refusal)
        return report
    report.errors = _consent_errors(participants, series)
    if report.errors:
        return report
    lines = sum(int(np.count_nonzero(one.present)) for one in series.values())
    _store(acting, community, report, digest.hexdigest(), series, lines, participants)
    return report


# The columns `_insert_days` writes, in order; a test compares them with the model's fields.
INSERT_COLUMNS = (
    "participant_id",
    "day",
    "quarter_hours",
    "offtake",
    "injection",
    "present",
    "offtake_kwh",
    "injection_kwh",
    "meter_import_id",
)


def _insert_days(rows: list[MeterDay]) -> None:
    """New MeterDay rows in one executemany: the ORM's bulk_create spends most of an import
    (a year of 40 participants is 14,600 rows) compiling one SQL parameter at a time. Bytes,
    numbers and the date as the backend's ops adapt it; the constraints are the database's."""
    if not rows:
        return
    quote = connection.ops.quote_name
    by_name = {f.attname: str(f.column) for f in MeterDay._meta.concrete_fields}
    columns = ", ".join(quote(by_name[name]) for name in INSERT_COLUMNS)
    marks = ", ".join(["%s"] * len(INSERT_COLUMNS))
    adapt = connection.ops.adapt_datefield_value
    values = [
        (
            row.participant_id,
            adapt(row.day),
            row.quarter_hours,
            bytes(row.offtake),
            bytes(row.injection),
            bytes(row.present),
            float(row.offtake_kwh),
            float(row.injection_kwh),
            row.meter_import_id,
        )
        for row in rows
    ]
    sql = f"INSERT INTO {quote(MeterDay._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for at in range(0, len(values), 2000):
            cursor.executemany(sql, values[at : at + 2000])


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
    _insert_days(new)
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
