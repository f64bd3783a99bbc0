"""Every document rentals hands out (pages and API) answers `Cache-Control: no-store`.

The route walk's world and valid requests (core/tests/walk.py) are sent to every rentals GET
route as those who may fetch its documents; every answer that is a file (a Content-Disposition,
or a type other than HTML and JSON) must say no-store and name itself. The test also knows
which routes are documents, so a document route that stops answering (or a new one) is
noticed. The two SEPA files are answers to a POST that needs billed direct-debit contracts:
their tests check no-store (test_collection_views.py, test_api.py `test_sepa_export`).
"""

from core.files import file_response
from core.models import Role
from core.tests.walk import WalkTestCase, api_routes, page_routes

PREFIXES = ("/rentals/", "/api/v1/rentals/")
DOCUMENT_ROUTES = {
    "rentals:unit_label",
    "rentals:unit_labels",
    "rentals:contract_pdf",
    "collection:savings_pdf",
    "collection:arrears_letter",
    "collection:remittance_pdf",
    "collection:dashboard_xlsx",
    "GET /rentals/contracts/{contract_id}/pdf",
    "GET /rentals/households/{household_id}/savings/{year}/pdf",
}
# Who fetches documents: the lead's coordinator, the collecting welfare office, the supplier.
WHO = (("lead", Role.COORDINATOR), ("ocmw", Role.COORDINATOR), ("supplier", Role.COORDINATOR))


def test_file_response_is_never_cached_and_names_the_file():
    response = file_response(b"%PDF", filename="contrat-Émile.pdf", content_type="application/pdf")
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''contrat-%C3%89mile.pdf" in response["Content-Disposition"]
    inline = file_response(
        b"%PDF", filename="labels.pdf", content_type="application/pdf", inline=True
    )
    assert inline["Content-Disposition"] == 'inline; filename="labels.pdf"'


class DocumentRoutesTest(WalkTestCase):
    def test_every_document_answers_no_store(self) -> None:
        identities = [
            i
            for i in self.identities
            if i.organisation is not None
            and (i.label.split(" ")[0], i.role) in WHO
            and i.label.count(" ") == 1
        ]
        self.assertEqual(len(identities), len(WHO))
        objects = self.objects()
        found: dict[str, str] = {}
        with self.walking():
            for route in page_routes() + api_routes():
                if not route.template.startswith(PREFIXES):
                    continue
                url = route.url(objects)
                if url is None:
                    continue
                for method in route.methods:
                    if method != "GET":
                        continue
                    for identity in identities:
                        self.identity = identity
                        client = self.client_for(identity)
                        body = self.body_for(route, method)
                        response, _written = self.send(client, route, method, url, body)
                        content_type = response.get("Content-Type", "")
                        is_file = "Content-Disposition" in response or not content_type.startswith(
                            ("text/html", "application/json")
                        )
                        if response.status_code in (401, 403, 404):
                            continue  # not theirs: ask the next one
                        if response.status_code != 200 or not is_file:
                            break
                        found[route.key] = content_type
                        with self.subTest(route=route.key, method=method, who=identity.label):
                            self.assertEqual(response.get("Cache-Control"), "no-store")
                            self.assertIn("filename=", response["Content-Disposition"])
                        break
        self.assertEqual(set(found), DOCUMENT_ROUTES)
