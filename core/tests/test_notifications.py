"""The notification centre: kinds + params translated when read, per person, e-mail after
commit, the page, the API and the home page's "To do" panel."""

from typing import Any

from django.core import mail
from django.utils import translation
from django.utils.translation import gettext_lazy

from core.models import Notification
from core.notifications import (
    UnknownKind,
    inbox,
    notification_resolve,
    notification_send,
    unread_count,
)
from core.programmes import NoticeKind, ProgrammeApp, TodoItem, TodoProvider, registry
from core.tokens import api_token_create
from wijk.testing import WijkTestCase

# A text the catalogues already translate, so the test sees the reader's language.
KIND = NoticeKind("test.switched", gettext_lazy("You now act for %(organisation)s."))
TODO = TodoProvider(
    lambda acting: [TodoItem("2 visits nobody is assigned to", "/somewhere/", 2, urgent=True)],
    permission="programme.manage",
)
APP = ProgrammeApp(label="notices-test", notice_kinds=(KIND,), todo=(TODO,))


class NotificationTest(WijkTestCase):
    def setUp(self) -> None:
        super().setUp()
        context = registry.registered(APP)
        context.__enter__()
        self.addCleanup(context.__exit__, None, None, None)

    def send(self, **kwargs):
        values: dict[str, Any] = {
            "organisation": self.lead,
            "kind": KIND.key,
            "params": {"organisation": "H7K2M9QX"},
            "url": "/programmes/",
        }
        values.update(kwargs)
        return notification_send(**values)

    def test_sent_to_a_role_stored_untranslated_and_read_in_the_readers_language(self) -> None:
        made = self.send(roles={"coordinator"})
        self.assertEqual([n.recipient for n in made], [self.cora])
        stored = Notification.objects.get()
        self.assertEqual(stored.params, {"organisation": "H7K2M9QX"})
        self.login("cora")
        english = self.client.get("/notifications/", headers={"accept-language": "en"})
        self.assertContains(english, "You now act for H7K2M9QX.")
        self.client.cookies["django_language"] = "fr"
        french = self.client.get("/notifications/")
        self.assertNotContains(french, "You now act for H7K2M9QX.")
        with translation.override("fr"):
            self.assertContains(
                french,
                str(gettext_lazy("You now act for %(organisation)s."))
                % {"organisation": "H7K2M9QX"},
            )

    def test_a_key_makes_sending_twice_one_notification_and_resolve_reads_it(self) -> None:
        self.send(roles={"coordinator"}, key="visit:1")
        self.assertEqual(self.send(roles={"coordinator"}, key="visit:1"), [])
        self.assertEqual(Notification.objects.count(), 1)
        self.assertEqual(unread_count(self.acting("cora")), 1)
        notification_resolve(organisation=self.lead, key="visit:1")
        self.assertEqual(unread_count(self.acting("cora")), 0)

    def test_only_the_recipient_in_their_organisation_sees_it(self) -> None:
        self.send(recipients=[self.cora])
        self.assertEqual(inbox(self.acting("cora")).count(), 1)
        for other in ("jo", "ines", "otto"):
            self.assertEqual(inbox(self.acting(other)).count(), 0, other)
        self.login("jo")
        notification = Notification.objects.get()
        self.client.post("/notifications/", {"read": notification.pk})
        notification.refresh_from_db()
        self.assertIsNone(notification.read_at)

    def test_an_unknown_kind_is_a_bug(self) -> None:
        with self.assertRaises(UnknownKind):
            self.send(kind="nobody.registered.this", roles={"coordinator"})

    def test_e_mail_after_commit_in_the_organisations_language(self) -> None:
        self.cora.email = "cora@example.org"
        self.cora.save()
        self.jo.memberships.create(organisation=self.lead, role="coordinator")  # no address
        with self.captureOnCommitCallbacks(execute=True):
            self.send(roles={"coordinator"})
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["cora@example.org"])
        with translation.override("nl"):  # the lead organisation's language
            expected = str(gettext_lazy("You now act for %(organisation)s.")) % {
                "organisation": "H7K2M9QX"
            }
        self.assertIn(expected, message.body)
        self.assertIn("/programmes/", message.body)
        self.assertIsNotNone(Notification.objects.get(recipient=self.cora).emailed_at)

    def test_a_rolled_back_write_sends_no_e_mail(self) -> None:
        self.cora.email = "cora@example.org"
        self.cora.save()
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.send(roles={"coordinator"})
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(mail.outbox, [])

    def test_the_page_counts_opens_and_marks_read(self) -> None:
        first, *_ = self.send(recipients=[self.cora])
        self.send(recipients=[self.cora], url="")
        self.login("cora")
        page = self.client.get("/notifications/", headers={"accept-language": "en"})
        self.assertContains(page, "2 unread notifications")
        self.assertContains(page, 'class="notifications-link"')
        opened = self.client.post("/notifications/", {"open": first.pk})
        self.assertRedirects(opened, "/programmes/", fetch_redirect_response=False)
        self.assertEqual(unread_count(self.acting("cora")), 1)
        self.client.post("/notifications/", {"read": "all"})
        self.assertEqual(unread_count(self.acting("cora")), 0)
        bad = self.client.post("/notifications/", {"read": "x'; drop"}, follow=True)
        self.assertEqual(bad.status_code, 200)

    def test_the_api_lists_and_marks_read(self) -> None:
        first, second = self.send(recipients=[self.cora]) + self.send(recipients=[self.cora])
        other = self.send(recipients=[self.jo])[0]
        token = api_token_create(user=self.cora)
        auth = {"authorization": f"Bearer {token}", "accept-language": "en"}
        listed = self.client.get("/api/v1/notifications", headers=auth).json()
        self.assertEqual(listed["unread"], 2)
        self.assertEqual(listed["notifications"][0]["text"], "You now act for H7K2M9QX.")
        marked = self.client.post(
            "/api/v1/notifications/read",
            {"ids": [first.pk, other.pk]},
            content_type="application/json",
            headers=auth,
        ).json()
        self.assertEqual(marked, {"marked": 1, "unread": 1})
        other.refresh_from_db()
        self.assertIsNone(other.read_at)

    def test_the_home_page_shows_the_to_do_panel_from_the_registry(self) -> None:
        self.login("cora")
        home = self.client.get("/", headers={"accept-language": "en"})
        self.assertContains(home, "To do")
        self.assertContains(home, "2 visits nobody is assigned to")
        self.login("jo")  # no programme.manage, nothing unread: no panel
        self.assertNotContains(self.client.get("/"), 'id="todo-heading"')
