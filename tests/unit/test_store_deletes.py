"""Members deleting their project's service events, where the operator's policy allows it.

Real rows in the test database; Cinder and Trove faked at the API boundary
(``test_store_views.PanelTestMixin``).
"""

import logging
from unittest import mock

from horizon import exceptions

from event_viewer.content.project import tables as project_tables
from tests.unit import fakes, helpers
from tests.unit.policy_files import policy_overrides
from tests.unit.rows import service_event
from tests.unit.test_store_views import (
    INDEX_URL,
    MATCHING_URL,
    OTHER_PROJECT,
    PanelTestMixin,
    confirmation,
)

# The operator's policy file lets members delete their project's service events.
MEMBERS_MAY_DELETE = policy_overrides(delete_project_service_events="role:member")


class MemberDeleteTests(PanelTestMixin, helpers.TestCase):
    def setUp(self):
        super().setUp()
        self.mine = service_event(project_id=self.request.user.project_id)
        self.theirs = service_event(project_id=OTHER_PROJECT)

    def post_delete(self, ids):
        return self.get(
            INDEX_URL,
            method="post",
            data={"action": "events__delete_service_events", "object_ids": ids},
        )

    def test_members_may_not_delete_service_events_by_default(self):
        page = self.get(INDEX_URL)
        self.assertNotContains(page, "events__action_delete_service_events")
        self.assertNotContains(page, f'value="collector:{self.mine.pk}"')
        self.post_delete([f"collector:{self.mine.pk}"])
        self.get(
            INDEX_URL,
            method="post",
            data={"action": f"events__delete_service_events__collector:{self.mine.pk}"},
        )
        self.assertEqual({self.mine.pk, self.theirs.pk}, self.remaining())

    @MEMBERS_MAY_DELETE
    def test_members_delete_their_projects_events_where_allowed(self):
        page = self.get(INDEX_URL)
        self.assertContains(page, f'value="collector:{self.mine.pk}"')
        response = self.post_delete([f"collector:{self.mine.pk}"])
        self.assertEqual(302, response.status_code)
        self.assertEqual({self.theirs.pk}, self.remaining())

    @MEMBERS_MAY_DELETE
    def test_a_forged_id_of_another_project_deletes_nothing(self):
        response = self.post_delete([f"collector:{self.theirs.pk}"])
        self.assertEqual(302, response.status_code)
        self.assertEqual({self.mine.pk, self.theirs.pk}, self.remaining())
        # Horizon finds the id on no row of the member's page and says so.
        self.assertIn(f"collector:{self.theirs.pk}", " ".join(self.errors(response)))

    def test_the_delete_itself_is_scoped_and_reports_what_it_did_not_delete(self):
        # Past Horizon's own check (the id is on no page of the member): the
        # action's delete is scoped by the database query too.
        table = project_tables.EventsTable(self.request)
        table.store_scope = self.request.user.project_id
        table.service_events_deletable = True
        action = table.base_actions["delete_service_events"]
        with (
            self.caplog.at_level(logging.WARNING, logger="event_viewer"),
            self.assertRaises(exceptions.HandledException),
            mock.patch("horizon.messages.error") as shown,
        ):
            action.delete(self.request, f"collector:{self.theirs.pk}")
        self.assertIn(f"collector:{self.theirs.pk}", str(shown.call_args))
        self.assertIn(f"collector:{self.theirs.pk}", self.caplog.text)
        self.assertEqual({self.mine.pk, self.theirs.pk}, self.remaining())

    def test_delete_all_matching_says_it_deletes_block_storage_messages_only(self):
        messages = fakes.cinder_messages_newest_first(2)
        response = self.get(MATCHING_URL, messages)
        self.assertContains(response, "This will delete 2 Block Storage messages")
        self.assertContains(response, "Block Storage messages only")
        self.get(MATCHING_URL, messages, {"confirmation": confirmation(response)}, "post")
        self.assertEqual(2, len(self.messages.deleted))
        self.assertEqual({self.mine.pk, self.theirs.pk}, self.remaining())

    @MEMBERS_MAY_DELETE
    def test_delete_all_matching_includes_the_projects_service_events_where_allowed(self):
        messages = fakes.cinder_messages_newest_first(2)
        response = self.get(MATCHING_URL, messages)
        self.assertContains(
            response, "This will delete 2 Block Storage messages and 1 service event"
        )
        response = self.get(
            MATCHING_URL, messages, {"confirmation": confirmation(response)}, "post"
        )
        self.assertEqual(302, response.status_code)
        self.assertEqual({self.theirs.pk}, self.remaining())
