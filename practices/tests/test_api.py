from core.tokens import api_token_create
from practices.models import ExchangeRequest, Practice
from wijk.testing import WijkTestCase


class PracticeApiTest(WijkTestCase):
    def call(self, user, method, path, body=None):
        token = api_token_create(user=user)
        return getattr(self.client, method)(
            "/api/v1" + path,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    def test_describe_translate_publish_and_ask_through_the_api(self):
        made = self.call(
            self.cora,
            "post",
            "/practices",
            {
                "text": {"language": "nl", "title": "Klusbus", "summary": "Klussen in de wijk."},
                "themes": ["work"],
                "programme_id": self.rental.pk,
            },
        )
        self.assertEqual(made.status_code, 201, made.content)
        practice_id = made.json()["id"]
        self.assertEqual(made.json()["status"], "draft")
        text = self.call(
            self.cora,
            "post",
            f"/practices/{practice_id}/texts",
            {"language": "fr", "title": "Bus à bricoles", "summary": "Des petits travaux."},
        )
        self.assertEqual(text.json()["languages"], ["nl", "fr"])
        # Not published yet: Arnhem cannot ask.
        asked = self.call(
            self.otto,
            "post",
            "/exchanges",
            {"practice_id": practice_id, "kind": "visit", "message": "Hallo"},
        )
        self.assertEqual(asked.status_code, 404)
        published = self.call(
            self.cora, "patch", f"/practices/{practice_id}", {"status": "published"}
        )
        self.assertEqual(published.json()["status"], "published")
        listed = self.call(self.otto, "get", "/practices?theme=work")
        self.assertEqual([p["title"] for p in listed.json()], ["Klusbus"])
        asked = self.call(
            self.otto,
            "post",
            "/exchanges",
            {"practice_id": practice_id, "kind": "visit", "message": "Hallo"},
        )
        self.assertEqual(asked.status_code, 201, asked.content)
        thread = asked.json()["id"]
        answer = self.call(self.cora, "post", f"/exchanges/{thread}/messages", {"text": "Welkom"})
        self.assertEqual(answer.json()["status"], "answered")
        self.assertEqual([m["text"] for m in answer.json()["messages"]], ["Hallo", "Welkom"])
        self.assertEqual(self.call(self.otto, "get", f"/practices/{practice_id}").status_code, 404)
        self.assertEqual(
            self.call(
                self.cora, "patch", f"/practices/{practice_id}", {"themes": ["nope"]}
            ).status_code,
            422,
        )
        self.assertEqual(ExchangeRequest.objects.count(), 1)
        self.assertEqual(Practice.objects.count(), 1)

    def test_a_programme_of_another_organisation_gives_no_live_figures(self):
        made = self.call(
            self.otto,
            "post",
            "/practices",
            {
                "text": {"language": "nl", "title": "X", "summary": "Y"},
                "programme_id": self.rental.pk,
            },
        )
        self.assertEqual(made.status_code, 404)
