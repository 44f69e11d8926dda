import factory
from django.utils.text import slugify

from academy.people.factories import UserFactory

from .models import Membership, Organisation


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A pending organisation, as a person's application leaves it. Approve it with
    `services.organisation_approve` (or use `approved_organisation`) to get its Wagtail space."""

    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    kind = Organisation.Kind.UNIVERSITY
    name_en = factory.Sequence(lambda n: f"Test University {n}")
    name_zh = factory.Sequence(lambda n: f"测试大学{n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name_en))
    country = "CN"
    website = factory.LazyAttribute(lambda o: f"https://{o.slug}.example.edu")
    description_en = "A university that co-runs courses on the platform."
    description_zh = "在平台上合办课程的大学。"
    applied_by = factory.SubFactory(UserFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        django_get_or_create = ("organisation", "user")

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.AUTHOR
    status = Membership.Status.PENDING


def approved_organisation(*, approver, **kwargs):
    """An organisation approved through the service, with its page, group and collection."""
    from .services import organisation_approve

    organisation = OrganisationFactory(**kwargs)
    if organisation.status == Organisation.Status.PENDING:
        organisation_approve(organisation=organisation, by=approver)
        organisation.refresh_from_db()
    return organisation


def active_member(*, organisation, user, role, approver):
    """A person who asked to join and was approved, through the services."""
    from .services import membership_approve

    membership = MembershipFactory(organisation=organisation, user=user, role=role)
    if membership.status == Membership.Status.PENDING:
        membership_approve(membership=membership, by=approver)
    return membership
