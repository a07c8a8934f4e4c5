"""Shared base for unit tests: Horizon's TestCase with ``self.request.user`` set."""

from openstack_auth import utils as auth_utils
from openstack_dashboard.test import helpers


class TestCase(helpers.TestCase):
    """A Horizon test case whose ``self.request`` carries the logged-in test user."""

    def setUp(self):
        super().setUp()
        self.request.user = auth_utils.get_user(self.request)
