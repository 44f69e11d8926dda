"""Wagtail's publishing signals, which fire however a page is published (admin, scheduled
publishing, a service): a course's partner permissions follow its published partner list, and
the anonymous page cache is emptied whenever a page goes live or leaves."""

from wagtail.signals import page_published, page_unpublished

from academy.page_cache import page_cache_clear


def course_published(sender, instance, **kwargs):
    from .models import CoursePage
    from .services import course_permissions_sync

    if isinstance(instance, CoursePage) and instance.alias_of_id is None:
        course_permissions_sync(course=instance)


def any_page_changed(sender, instance, **kwargs):
    from django.conf import settings
    from django.core.cache import cache

    from .templatetags.course_tags import INDEX_URLS_KEY

    page_cache_clear()
    cache.delete_many([INDEX_URLS_KEY.format(language=code) for code, _name in settings.LANGUAGES])


def page_deleted(sender, instance, **kwargs):
    """A deleted page leaves the runs that taught it: forget their cached outlines."""
    from .models import RunContentItem
    from .selectors import run_outline_forget

    from django.db import transaction

    run_ids = list(RunContentItem.objects.filter(page_id=instance.pk).values_list("run_id", flat=True))
    if run_ids:
        # Now, and again once the deletion commits, so a request in between cannot cache the
        # outline as it was.
        run_outline_forget(run_ids=run_ids)
        transaction.on_commit(lambda: run_outline_forget(run_ids=run_ids))


def connect():
    from django.db.models.signals import pre_delete
    from wagtail.models import Page

    from .models import CoursePage

    # Wagtail deletes a page as its concrete Page row (and the specific subclass row with it).
    pre_delete.connect(page_deleted, sender=Page, dispatch_uid="courses.page_deleted")

    page_published.connect(course_published, sender=CoursePage, dispatch_uid="courses.course_published")
    page_published.connect(any_page_changed, dispatch_uid="courses.page_cache_published")
    page_unpublished.connect(any_page_changed, dispatch_uid="courses.page_cache_unpublished")
