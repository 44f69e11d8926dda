"""Whatever order a platform admin decides in, an organisation's recorded history replays to
its current status, and its editors group is filled exactly while it is approved."""

from hypothesis import given, settings, strategies as st
from hypothesis.extra.django import TestCase

from academy.organisations import services
from academy.organisations.factories import MembershipFactory
from academy.organisations.models import Membership, Organisation
from academy.organisations.transitions import IllegalTransition
from academy.people.factories import UserFactory

ACTIONS = {
    "approve": services.organisation_approve,
    "reject": services.organisation_reject,
    "suspend": services.organisation_suspend,
    "reinstate": services.organisation_reinstate,
}


class OrganisationStatusHistoryTests(TestCase):
    @settings(max_examples=25)
    @given(st.lists(st.sampled_from(sorted(ACTIONS)), max_size=6))
    def test_history_replays_to_status_and_group_follows_it(self, actions):
        """Any sequence of decisions: illegal ones raise and change nothing; the status-change
        rows chain from one status to the next and end at the current one; the group holds the
        active editors only while the organisation is approved."""
        admin = UserFactory(is_superuser=True, is_staff=True)
        applicant = UserFactory()
        organisation = services.organisation_apply(applicant=applicant, kind=Organisation.Kind.UNIVERSITY,
                                                   name_en=f"Property University {applicant.pk}", country="CN")
        author = MembershipFactory(organisation=organisation, user=UserFactory(), role=Membership.Role.AUTHOR,
                                   status=Membership.Status.ACTIVE).user
        for action in actions:
            organisation.refresh_from_db()
            before = (organisation.status, organisation.status_changes.count())
            try:
                ACTIONS[action](organisation=organisation, by=admin)
            except IllegalTransition:
                organisation.refresh_from_db()
                assert (organisation.status, organisation.status_changes.count()) == before

        organisation.refresh_from_db()
        history = list(organisation.status_changes.order_by("changed_at", "pk"))
        assert history[0].from_status == "" and history[0].to_status == Organisation.Status.PENDING
        for previous, change in zip(history, history[1:]):
            assert change.from_status == previous.to_status
        assert history[-1].to_status == organisation.status

        in_group = set(organisation.group.user_set.all()) if organisation.group else set()
        if organisation.status == Organisation.Status.APPROVED:
            assert in_group == {applicant, author}
        else:
            assert in_group == set()
