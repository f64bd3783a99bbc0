from core.demo import DemoContext, LoadResult
from practices.demo import load_practices
from practices.models import Practice
from wijk.testing import WijkTestCase


class DemoPracticesTest(WijkTestCase):
    """The demo loader (registered at order 90) on the cast's programme: `manage.py demo_data`
    runs the same function on the demo's programmes (core/tests/test_demo_data.py loads it)."""

    def test_the_demo_writes_the_practice_behind_each_programme_once(self):
        context = DemoContext(
            LoadResult(),
            {"sowv": self.lead},
            {"cora": self.acting("cora")},
            {"rental": self.rental},
        )
        load_practices(context)
        practice = Practice.objects.get()
        self.assertEqual((practice.status, practice.programme), ("published", self.rental))
        self.assertEqual({t.language for t in practice.texts.all()}, {"nl", "en"})
        self.assertContains(self.client.get(f"/practices/p/{practice.pk}/"), "huishoudtoestellen")
        load_practices(context)
        self.assertEqual(Practice.objects.count(), 1)
