"""Outgoing e-mail of the platform's own features: rendered now, in the recipient's language,
and sent by a Celery worker on the `email` queue once the transaction that caused it commits
(so a rolled-back action sends nothing)."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def mail_queue(*, template_prefix, to, context, language=None):
    """Render `<prefix>_subject.txt` and `<prefix>_message.txt` and queue the message."""
    from academy.tasks import email_send

    context = {"site_url": settings.SITE_URL.rstrip("/"), "site_name": settings.WAGTAIL_SITE_NAME, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
        body = render_to_string(f"{template_prefix}_message.txt", context)
    kwargs = {"subject": subject, "body": body, "from_email": settings.DEFAULT_FROM_EMAIL, "to": [to]}
    transaction.on_commit(lambda: email_send.delay(**kwargs))
