"""The permission catalogue and the channel of the acting context (issue 6)."""

from core.models import AuditEvent, Role
from core.permissions import CATALOGUE, PERMISSIONS
from core.services import audit_record
from core.tenancy import COMMAND, acting_for, channel, operator_acting
from core.tokens import api_token_authenticate, api_token_create
from wijk.testing import WijkTestCase


class CatalogueTest(WijkTestCase):
    def test_every_permission_has_roles_and_says_who_holds_it(self) -> None:
        self.assertEqual(len(PERMISSIONS), len(CATALOGUE))
        for permission in CATALOGUE:
            with self.subTest(permission=permission.name):
                self.assertTrue(permission.roles <= set(Role.values))
                self.assertTrue(permission.roles)
                self.assertGreater(len(permission.doc), 20)

    def test_an_unknown_permission_is_a_bug(self) -> None:
        with self.assertRaises(KeyError):
            self.acting("cora").can("visit.teleport")


class ChannelTest(WijkTestCase):
    def test_web_api_and_command_are_recorded_from_the_acting_context(self) -> None:
        web = acting_for(self.ines, via="web")
        api = api_token_authenticate(api_token_create(user=self.ines))
        with channel(COMMAND):
            command = acting_for(self.ines)
        for acting, via in ((web, "web"), (api, "api"), (command, "command")):
            assert acting is not None
            event = audit_record(acting=acting, action="view", subject="test")
            self.assertEqual(event.via, via)

    def test_the_operator_has_no_user_and_acts_via_command(self) -> None:
        event = audit_record(acting=operator_acting(self.lead), action="view", subject="x")
        self.assertEqual((event.user, event.via, event.organisation), (None, "command", self.lead))

    def test_a_page_request_is_audited_as_web(self) -> None:
        self.login("ines")
        self.client.get(f"/households/{self.jansens.pk}/")
        self.assertEqual(
            set(AuditEvent.objects.filter(household=self.jansens).values_list("via", flat=True)),
            {"web"},
        )
