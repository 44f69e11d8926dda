"""The enrolment state machine in one table (django-oscar's status pipeline is the model). Every
change goes through `courses.services` and is recorded as an `EnrolmentStatusChange`."""

from academy.organisations.transitions import IllegalTransition, transition_check  # noqa: F401

from .models import Enrolment

S = Enrolment.Status

ENROLMENT_TRANSITIONS = {
    "": {S.PENDING, S.WAITLISTED, S.ACTIVE},
    S.PENDING: {S.ACTIVE, S.WAITLISTED, S.REJECTED, S.WITHDRAWN},
    S.WAITLISTED: {S.ACTIVE, S.WITHDRAWN},
    S.ACTIVE: {S.WITHDRAWN},
    S.REJECTED: {S.PENDING, S.WAITLISTED, S.ACTIVE},
    S.WITHDRAWN: {S.PENDING, S.WAITLISTED, S.ACTIVE},
}
