"""The interactive API documentation works without internet: Django Ninja serves Swagger UI's
files itself ("ninja" in INSTALLED_APPS), so the page references no other host."""

import re

from django.contrib.staticfiles import finders

from wijk.testing import WijkTestCase


class ApiDocsOfflineTest(WijkTestCase):
    def test_the_docs_page_uses_only_local_files(self) -> None:
        self.login("cora")
        response = self.client.get("/api/v1/docs")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        self.assertTrue([s for s in sources if "swagger-ui" in s], sources)
        for source in sources:
            self.assertFalse(source.startswith(("http:", "https:", "//")), source)
        for source in sources:
            if source.startswith("/static/"):
                path = source.removeprefix("/static/").split("?")[0]
                self.assertIsNotNone(finders.find(path), path)
