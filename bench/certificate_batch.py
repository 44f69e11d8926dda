"""A batch of certificates through the real Celery pipeline with two workers (issue
"Certificates", point 9): throughput, and the ratio to the floor measured in the same run.

A course run co-run by a university and a certifying enterprise has N learners (200 by default)
who passed it. For each pass one `certificates.tasks.certificate_issue_pdf` task is enqueued, as
the course-pass rule does; two Celery worker processes (one task at a time each, the `pdf` queue)
issue the certificate, sign it twice (university and enterprise proofs) and render and store its
PDF/A-3b with the credential attached. The clock runs from the first enqueue until every
certificate has its PDF stored.

The floor is what the two workers cannot avoid: bare WeasyPrint rendering the same finished HTML
of one certificate, measured in this process in the same run, times N, divided by the two
workers. The ratio to it shows what the pipeline adds (queueing, the database, the proofs, the
QR code, PDF/A and storage) and how well two workers share the load.

Everything runs in a temporary folder: an SQLite database (or `--database-url`, e.g. a scratch
PostgreSQL database, which lets the two workers write at once), kombu's filesystem broker (or
`--broker`, e.g. Redis), and the media folders. `python -m bench.certificate_batch [--certificates
200]`; `python -m bench` runs it too unless `--no-certificates`. Nothing is asserted about time.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

WORKERS = 2
READY_TIMEOUT = 60  # seconds for a worker to start
BATCH_TIMEOUT = 900  # seconds for the whole batch before giving up
FLOOR_REPEATS = 5


def _environment(tmp, *, database_url, broker):
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url or f"sqlite:///{tmp}/bench.sqlite3",
        "ACADEMY_VAR_DIR": str(tmp),
        "MEDIA_ROOT": str(Path(tmp) / "media"),
        "PRIVATE_MEDIA_ROOT": str(Path(tmp) / "private"),
        "CELERY_BROKER_URL": broker or "filesystem://",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "REDIS_URL": "",
        "LOG_LEVEL": "ERROR",
    }
    os.environ.update(env)
    return env


def _setup_django():
    warnings.filterwarnings("ignore", message="No directory at")
    warnings.filterwarnings("ignore", message="The FORMS_URLFIELD_ASSUME_HTTPS")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _cohort(count):
    """A co-run course with one run and `count` learners who passed it (rows written directly:
    the passes' own rule must not fire before the workers are up). Returns the pass ids."""
    from django.utils import timezone

    from academy.organisations.factories import approved_organisation
    from academy.organisations.models import Organisation
    from academy.people.factories import UserFactory
    from academy.people.models import User
    from courses.factories import course_tree, open_run
    from courses.models import CourseOrganisation, CoursePass, Enrolment

    admin = UserFactory(email="bench-admin@example.com", is_staff=True, is_superuser=True)
    university = approved_organisation(approver=admin, name_en="Bench University of Commerce", name_zh="基准商贸大学", slug="bench-university")
    enterprise = approved_organisation(
        approver=admin, kind=Organisation.Kind.ENTERPRISE, name_en="Bench Trading", name_zh="基准贸易", slug="bench-trading",
    )
    course = course_tree(
        organisation=university, modules=1, lessons=1, title="Cross-border customs and tax",
        partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)],
    )
    run = open_run(course=course, by=admin)
    users = User.objects.bulk_create([
        User(email=f"learner-{n:04d}@example.com", display_name=f"Learner {n}", name_latin=f"Learner Number {n}", name_native=f"学员{n}号")
        for n in range(count)
    ])
    now = timezone.now()
    enrolments = Enrolment.objects.bulk_create([
        Enrolment(run=run, user=user, status=Enrolment.Status.ACTIVE, activated_at=now, completed_at=now) for user in users
    ])
    passes = CoursePass.objects.bulk_create([
        CoursePass(enrolment=enrolment, percent="0.9100", letter="Distinction", passed_at=now) for enrolment in enrolments
    ])
    return [course_pass.pk for course_pass in passes]


def _floor_seconds(certificate):
    """Median seconds for bare WeasyPrint to render the certificate's finished HTML."""
    import weasyprint

    from certificates.pdf_services import certificate_pdf_html, certificate_template_for

    html = certificate_pdf_html(certificate=certificate, template=certificate_template_for(certificate=certificate))
    weasyprint.HTML(string=html).write_pdf()  # warm fonts and caches
    samples = []
    for _ in range(FLOOR_REPEATS):
        started = time.perf_counter()
        weasyprint.HTML(string=html).write_pdf()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _workers_start(tmp, env):
    celery = Path(sys.executable).with_name("celery")
    processes, logs = [], []
    for number in range(1, WORKERS + 1):
        log = Path(tmp) / f"worker-{number}.log"
        logs.append(log)
        processes.append(subprocess.Popen(
            [str(celery), "-A", "academy", "worker", "-Q", "pdf", "--pool", "solo", "--concurrency", "1",
             "-n", f"bench{number}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            env={**os.environ, **env}, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[1],
        ))
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if all("ready." in log.read_text(errors="replace") for log in logs):
            return processes
        if any(process.poll() is not None for process in processes):
            break
        time.sleep(0.2)
    _workers_stop(processes)
    sys.exit("bench: the Celery workers did not start; see " + ", ".join(str(log) for log in logs))


def _workers_stop(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def bench_certificate_batch(*, tmp, certificates=200, database_url=None, broker=None):
    """Run the batch; returns a dict of the figures (also printed by `report`)."""
    env = _environment(tmp, database_url=database_url, broker=broker)
    _setup_django()
    from certificates.models import Certificate
    from certificates.tasks import RULE_COURSE_RUN, certificate_issue_pdf

    pass_ids = _cohort(certificates + 1)
    # One certificate issued in this process: the HTML the floor renders, and warm caches.
    certificate_issue_pdf.run(RULE_COURSE_RUN, pass_ids[0])
    sample = Certificate.objects.select_related("achievement", "issuer__organisation", "co_issuer__organisation").get()
    floor = _floor_seconds(sample)

    processes = _workers_start(tmp, env)
    try:
        started = time.perf_counter()
        for pass_id in pass_ids[1:]:
            certificate_issue_pdf.delay(RULE_COURSE_RUN, pass_id)
        enqueued = time.perf_counter() - started
        deadline = time.monotonic() + BATCH_TIMEOUT
        while True:
            done = Certificate.objects.exclude(pdf_sha256="").count() - 1
            if done >= certificates:
                break
            if time.monotonic() > deadline or any(process.poll() is not None for process in processes):
                sys.exit(f"bench: only {done} of {certificates} certificates were issued; see the worker logs in {tmp}")
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
    finally:
        _workers_stop(processes)
    issued = Certificate.objects.exclude(pdf_sha256="")
    return {
        "certificates": certificates,
        "elapsed": elapsed,
        "enqueue": enqueued,
        "throughput": certificates / elapsed,
        "floor_one": floor,
        "floor_batch": floor * certificates / WORKERS,
        "co_signed": issued.filter(co_issuer__isnull=False).count() - 1,
        "database": "PostgreSQL" if "postgres" in env["DATABASE_URL"] else "SQLite",
        "broker": env["CELERY_BROKER_URL"].split(":", 1)[0],
    }


def report(figures):
    print(
        f"\nA batch of {figures['certificates']} certificates through Celery: {WORKERS} worker processes on the pdf queue "
        f"({figures['database']}, {figures['broker']} broker); each issues, signs twice and renders the PDF/A-3b"
    )
    print(f"  whole batch                        {figures['elapsed']:8.2f} s   {figures['throughput']:6.1f} certificates/s")
    print(f"  of which enqueueing                {figures['enqueue']:8.2f} s")
    print(f"  floor: bare WeasyPrint, one page   {figures['floor_one'] * 1000:8.1f} ms")
    print(f"  floor for the batch on {WORKERS} workers   {figures['floor_batch']:8.2f} s")
    print(f"  ratio to the floor                 {figures['elapsed'] / figures['floor_batch']:8.2f}×")
    print(f"  co-signed (two proofs)             {figures['co_signed']:8d} of {figures['certificates']}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.certificate_batch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=200, help="certificates in the batch")
    parser.add_argument("--database-url", default=None, help="a scratch database to use instead of SQLite (it is migrated and written to)")
    parser.add_argument("--broker", default=None, help="a Celery broker URL instead of the filesystem broker")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="academy-bench-batch-") as tmp:
        report(bench_certificate_batch(tmp=tmp, certificates=args.certificates, database_url=args.database_url, broker=args.broker))


if __name__ == "__main__":
    main()
