"""The admin form of the site's pages: media placed in a page must be media its editor may
choose. Wagtail's choosers only offer permitted images and documents, but a submitted id is
not checked, so without this an editor could publish another organisation's image by id."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks.list_block import ListValue
from wagtail.blocks.stream_block import StreamValue
from wagtail.blocks.struct_block import StructValue
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.permissions import policy_registry


def stream_media(value):
    """Every image and document inside a StreamField value, however deeply nested."""
    if isinstance(value, (get_image_model(), get_document_model())):
        yield value
    elif isinstance(value, StreamValue):
        for child in value:
            yield from stream_media(child.value)
    elif isinstance(value, StructValue):
        for child in value.values():
            yield from stream_media(child)
    elif isinstance(value, (ListValue, list, tuple)):
        for child in value:
            yield from stream_media(child)


class AcademyPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned_data = super().clean()
        if self.for_user is None or self.for_user.is_superuser:
            return cleaned_data
        for name, value in list(cleaned_data.items()):
            if not isinstance(value, StreamValue):
                continue
            already_there = {(type(m), m.pk) for m in stream_media(getattr(self.instance, name, None))}
            for media in stream_media(value):
                if (type(media), media.pk) in already_there:
                    continue
                policy = policy_registry.get_by_type(type(media))
                if not policy.user_has_permission_for_instance(self.for_user, "choose", media):
                    self.add_error(name, ValidationError(
                        _("“%(title)s” is in a collection you cannot use.") % {"title": media.title}
                    ))
        return cleaned_data
