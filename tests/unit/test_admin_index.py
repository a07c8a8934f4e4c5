"""Admin -> Event Viewer: all projects for admins, nothing for members."""

from unittest import mock

from django.urls import reverse
from openstack_auth import utils as auth_utils
from openstack_dashboard.test import helpers as horizon_helpers

from tests.unit import fakes, helpers

ADMIN_INDEX_URL = reverse("horizon:admin:event_viewer:index")


class AdminIndexTests(horizon_helpers.BaseAdminViewTests):
    def setUp(self):
        super().setUp()
        self.request.user = auth_utils.get_user(self.request)

    def test_admin_lists_messages_of_all_projects(self):
        messages = fakes.FakeMessagesClient([fakes.cinder_message(request_id="req-any-project")])
        with (
            mock.patch("event_viewer.api.cinder.MessagesClient", messages),
            mock.patch("event_viewer.api.trove.InstancesClient", fakes.FakeInstancesClient()),
        ):
            response = self.client.get(ADMIN_INDEX_URL)
        self.assertEqual(200, response.status_code)
        self.assertTrue(messages.all_projects)
        self.assertContains(response, "req-any-project")
        self.assertContains(response, "/admin/event_viewer/cinder:")


class MemberCannotUseTheAdminPanelTests(helpers.TestCase):
    def test_member_is_refused(self):
        messages = fakes.FakeMessagesClient([fakes.cinder_message()])
        with mock.patch("event_viewer.api.cinder.MessagesClient", messages):
            response = self.client.get(ADMIN_INDEX_URL)
        self.assertIn(response.status_code, (302, 403))
        self.assertEqual([], messages.calls)
