"""Settings for the HTTP benchmark (`bench.http`): the demo's development settings served as in
production (DEBUG off, persistent database connections) with the baseline view mounted.

Production's own module is not used because it needs collected static files (its manifest
storage) and HTTPS; the serving path measured here is the same. Everything that differs per
run (database, cache folder, broker folder) comes from the environment `bench.http` sets."""

from academy.settings.dev import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.hello_urls"
