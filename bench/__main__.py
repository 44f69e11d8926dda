"""`python -m bench`: the cost of the pages and the write that matter most, each as a ratio to
a baseline measured in the same run on the same machine, so numbers from a loaded laptop and
an idle CI runner can be compared (see bench/README.md).

- Requests: the home page and the partner index, rendered through Django's test client and
  the whole middleware stack, against a hello-world view mounted in the same URLconf.
- Writes: approving organisations with `organisation_approve` (page, revision, group,
  collection, permissions, status history, Wagtail's index tasks) against a bare
  `bulk_create` of the same number of organisation rows.
- A simulated day (bench/practicum_day.py): `run_day_play` for 100 practicum stores in five
  markets against a bare `bulk_create` of as many order rows, at two market sizes.
- Issuing a certificate (bench/certificate_issue.py): the whole issuance of one co-signed
  certificate from a course pass, PDF/A included, against bare WeasyPrint rendering the same
  finished HTML.
- A batch of certificates (bench/certificate_batch.py): 200 certificates through Celery with two
  worker processes, throughput against the floor of bare WeasyPrint on two workers. It needs its
  own settings (real workers, not eager Celery), so it runs as a child process.
- HTTP (bench/http.py): the signed-in lesson page and the cached catalog served by gunicorn
  under a load generator on loopback, against the same hello-world view served the same way.

It runs on a throwaway SQLite database in a temporary folder with the test settings (locmem
cache and e-mail, eager Celery), loaded with the demo data; the HTTP section serves a copy of
that database, migrated but loaded by `manage.py load_demo_data` with `bench.settings`.
Nothing is asserted about time.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from bench.certificate_issue import bench_certificate_issue
from bench.http import bench_http, database_snapshot
from bench.practicum_day import bench_practicum_day

SETTINGS_MODULE = "academy.settings.test"


def _configure(tmp):
    """Point Django at a fresh database before it reads its settings. The settings module is
    forced (not defaulted) because `make` exports the development settings, whose database is
    the developer's own and whose Celery is not eager."""
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["ACADEMY_VAR_DIR"] = tmp
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    warnings.filterwarnings("ignore", message="No directory at")
    warnings.filterwarnings("ignore", message="The FORMS_URLFIELD_ASSUME_HTTPS")

    import django

    django.setup()
    from django.test.utils import setup_test_environment

    # Adds "testserver" to ALLOWED_HOSTS and switches e-mail to the locmem backend.
    setup_test_environment()


def _database_prepare(*, http_folder=None):
    """Migrate, copy the migrated database for the HTTP section (which loads the demo itself,
    with its own settings and media folder), then load the demo."""
    from django.conf import settings
    from django.core.management import call_command

    from academy.demo import demo_load

    call_command("migrate", verbosity=0, interactive=False)
    if http_folder is not None:
        database_snapshot(source=settings.DATABASES["default"]["NAME"], folder=http_folder)
    demo_load()


def _median_ms_per_item(samples):
    return statistics.median(samples) * 1000


def bench_requests(*, rounds, requests):
    """Median time per request for each path; every round measures every path, one after the
    other, so a slow moment of the machine touches all of them."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    paths = {"hello world (baseline)": "/bench/hello/", "home page": "/", "partner index": "/partners/"}
    client = Client()
    samples = {name: [] for name in paths}
    queries = {}
    # The site's URLconf plus the baseline view (bench/hello_urls.py), as the HTTP section serves.
    with override_settings(ROOT_URLCONF="bench.hello_urls"):
        for name, url in paths.items():
            response = client.get(url)  # warm the template and URL caches
            if response.status_code != 200:
                sys.exit(f"bench: GET {url} answered {response.status_code}, not 200; nothing to measure")
            # Counted outside the timed rounds: capturing queries slows requests down.
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            queries[name] = len(captured.captured_queries)
        for _ in range(rounds):
            for name, url in paths.items():
                started = time.perf_counter()
                for _ in range(requests):
                    client.get(url)
                samples[name].append((time.perf_counter() - started) / requests)
    return {name: (paths[name], _median_ms_per_item(values), queries[name]) for name, values in samples.items()}


def bench_approval(*, rounds, organisations):
    """Median time per organisation: approving pending ones through the service, and
    bulk-creating the same number of rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from academy.organisations.models import Organisation
    from academy.organisations.services import organisation_approve
    from academy.people.models import User

    admin = User.objects.get(email="admin@example.com")
    approve, bulk = [], []

    def rows(prefix, status):
        return [
            Organisation(
                kind=Organisation.Kind.UNIVERSITY, name_en=f"{prefix} University {i}", slug=f"{prefix}-university-{i}",
                country="CN", status=status, description_en="A benchmark organisation.",
            )
            for i in range(organisations)
        ]

    for round_number in range(rounds):
        pending = Organisation.objects.bulk_create(rows(f"pending-{round_number}", Organisation.Status.PENDING))
        started = time.perf_counter()
        for organisation in pending:
            organisation_approve(organisation=organisation, by=admin)
        approve.append((time.perf_counter() - started) / organisations)

        started = time.perf_counter()
        Organisation.objects.bulk_create(rows(f"bulk-{round_number}", Organisation.Status.APPROVED))
        bulk.append((time.perf_counter() - started) / organisations)

    # Counted outside the timed rounds: capturing queries slows them down.
    [extra] = Organisation.objects.bulk_create(rows("counted", Organisation.Status.PENDING)[:1])
    with CaptureQueriesContext(connection) as captured:
        organisation_approve(organisation=extra, by=admin)
    queries_per_approval = len(captured.captured_queries)

    return {
        "bulk_create (baseline)": _median_ms_per_item(bulk),
        "organisation_approve": _median_ms_per_item(approve),
    }, queries_per_approval


def _report(title, unit, results, baseline, notes=None):
    print(f"\n{title}")
    base = results[baseline]
    width = max(len(name) for name in results)
    for name, ms in results.items():
        note = f"  {notes[name]}" if notes and name in notes else ""
        print(f"  {name:<{width}}  {ms:9.3f} ms/{unit}  {ms / base:8.1f}×{note}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds per measurement; the median is reported")
    parser.add_argument("--requests", type=int, default=10, help="requests per path in each round")
    parser.add_argument("--organisations", type=int, default=3, help="organisations approved (and bulk-created) per round")
    parser.add_argument("--practicum", action=argparse.BooleanOptionalAction, default=True, help="play a simulated practicum day (bench/practicum_day.py)")
    parser.add_argument("--practicum-rounds", type=int, default=3, help="timed simulated days per market size")
    parser.add_argument("--practicum-stores", type=int, default=100, help="trading teams in the simulated run")
    parser.add_argument("--practicum-sizes", default="20,40", help="market sizes of the simulated day, comma-separated")
    parser.add_argument("--certificate", action=argparse.BooleanOptionalAction, default=True, help="issue certificates, PDF included (bench/certificate_issue.py)")
    parser.add_argument("--certificate-rounds", type=int, default=7, help="timed certificate issuances")
    parser.add_argument("--certificate-batch", type=int, default=200, help="certificates issued through two Celery workers (0: skip; bench/certificate_batch.py)")
    parser.add_argument("--http", action=argparse.BooleanOptionalAction, default=True, help="serve pages with gunicorn under load (bench/http.py)")
    parser.add_argument("--http-rounds", type=int, default=5, help="timed rounds of the HTTP section")
    parser.add_argument("--http-seconds", type=int, default=2, help="seconds of load per page in each HTTP round")
    parser.add_argument("--http-generator", choices=["auto", "wrk", "python"], default="auto", help="HTTP load generator (auto: wrk when installed)")
    args = parser.parse_args(argv)

    run_started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="academy-bench-") as tmp:
        http_folder = Path(tmp) / "http" if args.http else None
        _configure(tmp)
        _database_prepare(http_folder=http_folder)
        setup_seconds = time.perf_counter() - run_started

        import django

        print(
            f"Silk Road Academy benchmarks: Python {platform.python_version()}, Django {django.get_version()}, "
            f"SQLite in a temporary folder, {os.cpu_count()} CPUs; median of {args.rounds} rounds"
        )
        print(f"setup (migrate + demo data): {setup_seconds:.1f} s")

        requests = bench_requests(rounds=args.rounds, requests=args.requests)
        _report(
            "Requests through the test client and the full middleware stack (anonymous visitor)",
            "request",
            {f"{name} {url}": ms for name, (url, ms, _) in requests.items()},
            baseline=f"hello world (baseline) {requests['hello world (baseline)'][0]}",
            notes={f"{name} {url}": f"{count} queries" for name, (url, _, count) in requests.items()},
        )

        writes, queries = bench_approval(rounds=args.rounds, organisations=args.organisations)
        _report(
            f"Writes, per organisation ({args.organisations} per round)",
            "organisation",
            writes,
            baseline="bulk_create (baseline)",
        )
        print(f"  one organisation_approve ran {queries} queries")

        if args.practicum:
            bench_practicum_day(rounds=args.practicum_rounds, stores=args.practicum_stores,
                                sizes=tuple(int(size) for size in args.practicum_sizes.split(",")))

        if args.certificate:
            bench_certificate_issue(rounds=args.certificate_rounds, folder=tmp)
        if args.certificate_batch:
            subprocess.run(
                [sys.executable, "-m", "bench.certificate_batch", "--certificates", str(args.certificate_batch)], check=True,
            )

        if http_folder is not None:
            bench_http(
                folder=http_folder, migrate=False, rounds=args.http_rounds, seconds=args.http_seconds,
                generator=args.http_generator,
            )

    print(f"\ntotal: {time.perf_counter() - run_started:.1f} s")


if __name__ == "__main__":
    main()
