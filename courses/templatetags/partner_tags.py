"""Template tags for other apps' pages that show courses (an organisation's public page), so
those apps need not import the courses app."""

from django import template
from wagtail.models import Locale

register = template.Library()


@register.simple_tag
def organisation_courses(organisation):
    """[(course page, CourseOrganisation link)] for the organisation, in the active language."""
    from courses.selectors import organisation_courses as select

    return select(organisation=organisation, locale=Locale.get_active())
