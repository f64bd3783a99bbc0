"""The demo loader: both bureaus get rules, a catalogue, workers and a week of requests,
part of today planned; a second run adds nothing."""

from core import demo
from core.models import Programme
from jobs.demo import load_jobs
from jobs.models import Assignment, JobRequest, Service, Worker
from wijk.testing import WijkTestCase


def load_bureaus() -> None:
    """core's demo organisations, people and programmes, then only the jobs step (the
    households and rentals steps are tested by their apps and take long)."""
    result = demo.LoadResult()
    orgs = demo._organisations(result)
    actings = demo._people(result, orgs)
    programmes = demo._programmes(result, orgs, actings)
    load_jobs(demo.DemoContext(result, orgs, actings, programmes, 0))


class JobsDemoTest(WijkTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load_bureaus()

    def test_both_bureaus_are_filled_once(self) -> None:
        for slug in ("wijkfabriek-oostende", "buurtbaanbureau-arnhem"):
            bureau = Programme.objects.get(slug=slug)
            self.assertEqual(Service.objects.filter(programme=bureau).count(), 6)
            self.assertGreaterEqual(Worker.objects.filter(programme=bureau).count(), 3)
            self.assertGreater(JobRequest.objects.filter(programme=bureau).count(), 0)
        self.assertTrue(Worker.objects.filter(user__username="worker").exists())
        counts = (JobRequest.objects.count(), Worker.objects.count(), Assignment.objects.count())
        load_bureaus()
        self.assertEqual(
            (JobRequest.objects.count(), Worker.objects.count(), Assignment.objects.count()), counts
        )
