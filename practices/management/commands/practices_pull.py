"""python manage.py practices_pull: pull every subscribed practice feed (cron or a task)."""

from typing import Any

from django.core.management.base import BaseCommand

from core.tenancy import channel
from practices.feed import pull_all
from practices.models import Subscription


class Command(BaseCommand):
    help = "Pull every subscribed practice feed; a refused feed is reported and kept as it was."

    def handle(self, *args: Any, **options: Any) -> None:
        with channel("command"):
            counts = pull_all()
        for subscription in Subscription.objects.order_by("pk"):
            if subscription.last_error:
                self.stderr.write(f"{subscription.url}: {subscription.last_error}")
            else:
                self.stdout.write(f"{subscription.url}: {counts.get(subscription.url, 0)}")
