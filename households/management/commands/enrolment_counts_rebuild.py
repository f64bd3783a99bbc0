from typing import Any

from django.core.management.base import BaseCommand

from households.counts import enrolment_counts_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the kept enrolment counts per programme and status from the enrolments "
        "(a repair after writes that bypassed the enrolment services, e.g. a bulk import)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = enrolment_counts_rebuild()
        self.stdout.write(f"{rows} enrolment counts rebuilt")
