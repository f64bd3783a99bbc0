from core.tests import test_route_matrix as rm
from core.tests import test_tenant_isolation as ti

PREFIXES = (
    "/practices",
    "/impact",
    "/api/v1/practices",
    "/api/v1/exchanges",
    "/api/v1/packages",
    "/api/v1/feed-subscriptions",
    "/api/v1/impact",
)


class MineMatrix(rm.RouteMatrixTest):
    def test_mine(self):
        problems, sent = [], 0
        for p in PREFIXES:
            a, b = self.matrix(only=p)
            problems += a
            sent += b
        self.assertGreater(sent, 500)
        self.assertEqual(problems, [], "\n" + "\n".join(problems))


class MineLeaks(ti.TenantIsolationTest):
    def test_mine(self):
        problems = []
        for p in PREFIXES:
            problems += self.find_leaks(only=p)[0]
        self.assertEqual(problems, [], "\n" + "\n".join(problems))
