"""The storage of files that must never be reachable by URL: learners' submissions. It is the
`private` entry of `settings.STORAGES` (a directory outside `MEDIA_ROOT` by default, or a private
bucket prefix); views check who asks and stream the file themselves."""

from django.core.files.storage import storages


def private_storage():
    """The private storage, looked up when used (a callable, so tests can swap the setting)."""
    return storages["private"]
