"""The allowed status changes of organisations and memberships, in one place."""

from .models import Membership, Organisation

ORGANISATION_TRANSITIONS = {
    Organisation.Status.PENDING: {Organisation.Status.APPROVED, Organisation.Status.REJECTED},
    Organisation.Status.REJECTED: {Organisation.Status.PENDING},
    Organisation.Status.APPROVED: {Organisation.Status.SUSPENDED},
    Organisation.Status.SUSPENDED: {Organisation.Status.APPROVED},
}

MEMBERSHIP_TRANSITIONS = {
    Membership.Status.PENDING: {Membership.Status.ACTIVE, Membership.Status.REJECTED},
    Membership.Status.REJECTED: {Membership.Status.PENDING},
    Membership.Status.ACTIVE: {Membership.Status.REMOVED},
    Membership.Status.REMOVED: {Membership.Status.PENDING, Membership.Status.ACTIVE},
}


class IllegalTransition(Exception):
    """A status change the transition table does not allow."""


def transition_check(table, current, target):
    if target not in table.get(current, set()):
        raise IllegalTransition(f"Cannot go from {current} to {target}.")
