"""The whole issuance of one certificate, as a ratio to bare WeasyPrint rendering the same
finished HTML in the same run (issue "Certificates", point 9; see bench/README.md, "Issuing a
certificate").

A university with an enterprise certifier, both with logos and signatories with signature
images, leads a course run; each round a new learner's `CoursePass` (recorded directly, so that
no signal issues the certificate before the clock starts) goes through the issuing task's body,
`certificates.tasks.certificate_issue_pdf`, exactly as a worker on the `pdf` queue runs it: the
pass and its run read, who signs, the achievement, the certificate with its status list indices
and recorded issue, the Open Badges credential and its two `eddsa-rdfc-2022` proofs (university,
then enterprise), the template chosen and pinned, the QR code, the images, the HTML, the
PDF/A-3b with `credential.json` attached, and the file and its hash stored.

The floor is `weasyprint.HTML(string=html).write_pdf()` of the very HTML that certificate was
printed from: what rendering that page costs at all. The goal is a whole issuance in at most
1.5 times the floor. The parts are timed separately on the same certificate, to show where the
rest goes: the two proofs, the HTML (data, template, QR, images), and the PDF/A with its
attachment against the bare render.

Files are stored on the file system in the temporary folder (not the test settings' in-memory
storage), as in production.

`python -m bench` runs this section on its own database; `python -m bench.certificate_issue`
runs it alone on a throwaway SQLite database, with `--profile` to print where an issuance's
time goes (cProfile).
"""

import argparse
import cProfile
import gc
import io
import pstats
import statistics
import tempfile
import time
from pathlib import Path

from bench.standalone import configure_and_migrate

GOAL = 1.5
FLOOR_REPEATS = 3


def _file_storages(folder: Path) -> dict:
    return {
        "MEDIA_ROOT": str(folder / "media"),
        "STORAGES": {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder / "media")}},
            "private": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(folder / "private"), "base_url": None},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


# ---------------------------------------------------------------- the course and its passes


def build_course_run(*, label):
    """A running course run led by a university with an enterprise certifier, both issuers with
    a logo and a signatory, built through the services as the demo builds its own."""
    from academy.demo import _logo_png
    from academy.organisations.factories import active_member, approved_organisation
    from academy.organisations.models import Membership, Organisation
    from academy.organisations.services import organisation_profile_update
    from academy.people.factories import UserFactory
    from certificates import services
    from certificates.demo import _signature_png
    from courses.factories import course_tree, open_run
    from courses.models import CourseOrganisation

    admin = UserFactory(email=f"bench-cert-admin-{label}@example.com", is_staff=True, is_superuser=True)
    university = approved_organisation(
        approver=admin, name_en=f"Benchmark University of Commerce {label}", name_zh=f"基准商贸大学{label}", slug=f"bench-university-{label}",
    )
    enterprise = approved_organisation(
        approver=admin, kind=Organisation.Kind.ENTERPRISE, name_en=f"Benchmark Export Works {label}", name_zh=f"基准出口公司{label}",
        slug=f"bench-export-{label}",
    )
    for organisation, (name, title_en, title_zh, initials) in {
        university: ("Prof. Zhou Min", "Dean, School of Cross-Border E-Commerce", "跨境电子商务学院院长", "BU"),
        enterprise: ("Wang Lei", "Director of Cross-Border Operations", "跨境运营总监", "BE"),
    }.items():
        organisation_profile_update(organisation=organisation, by=admin, logo=_logo_png(organisation.slug, initials))
        services.issuer_signatory_update(
            issuer=services.issuer_for_organisation(organisation=organisation), by=admin,
            name=name, title_en=title_en, title_zh=title_zh, signature=_signature_png(name),
        )
    author = UserFactory(email=f"bench-cert-author-{label}@example.com")
    active_member(organisation=university, user=author, role=Membership.Role.AUTHOR, approver=admin)
    course = course_tree(
        organisation=university, modules=1, lessons=1, title=f"Cross-border logistics and overseas warehousing ({label})",
        partners=[(enterprise, CourseOrganisation.Role.CERTIFIER)],
    )
    achievement = services.achievement_for_course(course=course)
    achievement.name_zh = "跨境物流与海外仓"
    achievement.valid_for_days = 730
    achievement.save()
    return open_run(course=course, by=author, title=f"Benchmark {label}")


def course_pass_new(*, run, number):
    """A new learner enrolled in `run` and recorded as passed (a CoursePass row, without the
    signal that would issue the certificate at once)."""
    from django.utils import timezone

    from academy.people.factories import UserFactory
    from courses.models import CoursePass
    from courses.services import enrolment_request

    learner = UserFactory(
        email=f"bench-learner-{run.pk}-{number}@example.com", name_latin=f"Li Wei {number}", name_native="李伟",
    )
    enrolment = enrolment_request(user=learner, run=run)
    return CoursePass.objects.create(enrolment=enrolment, letter="A", percent="0.9300", passed_at=timezone.now())


# ---------------------------------------------------------------- the measurements


def _timed(function, *args, **kwargs):
    # A full collection first: after the demo data is loaded the heap holds hundreds of thousands
    # of objects, and a collection that happens to fall inside one timing (0.1-0.3 s) would
    # decide a round's ratio. A worker's heap is far smaller.
    gc.collect()
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def _parts(certificate):
    """The parts of an issuance timed on their own, on an issued certificate: the two proofs of
    its credential, its HTML and its PDF/A-3b with the credential attached."""
    from certificates import pdf, proofs
    from certificates.credentials import credential_build, verification_method_id
    from certificates.pdf_services import certificate_pdf_html, pdf_local_roots
    from certificates.services import signing_key_active

    gc.collect()  # as in _timed
    started = time.perf_counter()
    credential = credential_build(certificate)
    for signer in (certificate.issuer, certificate.co_issuer):
        key = signing_key_active(issuer=signer)
        credential = proofs.proof_create(
            credential, private_key=key.private_key(), verification_method=verification_method_id(signer.slug, key.key_id),
            created="2026-11-29T00:00:00Z",
        )
    proofs_s = time.perf_counter() - started
    template = certificate.template_revision.as_object()
    html_s, html = _timed(certificate_pdf_html, certificate=certificate, template=template)
    import datetime as dt

    created = dt.datetime.combine(certificate.issued_on, dt.time(), tzinfo=dt.UTC)
    pdfa_s, _content = _timed(pdf.pdf_render, html, credential=certificate.credential, created=created, roots=pdf_local_roots())
    return {"proofs": proofs_s, "html": html_s, "pdfa": pdfa_s}, html


def _floor(html):
    """The median of FLOOR_REPEATS bare renders of `html`: an issuance happens once, but its
    floor can be measured a few times, so one slow moment of the machine does not decide the
    round's ratio."""
    from weasyprint import HTML

    samples = []
    for _ in range(FLOOR_REPEATS):
        gc.collect()  # as in _timed
        started = time.perf_counter()
        HTML(string=html).write_pdf()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def measure(*, run, rounds, profile=False):
    """One untimed issuance (fonts loaded, caches warm), then `rounds` rounds of: a whole
    issuance from a new course pass, the bare render of its HTML, and its parts."""
    from certificates.models import Certificate
    from certificates.pdf_services import certificate_pdf_html
    from certificates.tasks import RULE_COURSE_RUN, certificate_issue_pdf

    certificate_issue_pdf(RULE_COURSE_RUN, course_pass_new(run=run, number=0).pk)
    whole, floor, parts = [], [], []
    profiler = cProfile.Profile() if profile else None
    for number in range(1, rounds + 1):
        course_pass = course_pass_new(run=run, number=number)
        if profiler:
            profiler.enable()
        seconds, code = _timed(certificate_issue_pdf, RULE_COURSE_RUN, course_pass.pk)
        if profiler:
            profiler.disable()
        whole.append(seconds)
        certificate = Certificate.objects.select_related(
            "achievement", "holder", "issuer__organisation", "co_issuer__organisation", "template_revision",
        ).get(code=code)
        if not certificate.pdf_sha256 or len(certificate.credential.get("proof", [])) != 2:
            raise SystemExit(f"bench: certificate {code} was not issued with two proofs and a PDF; nothing to measure")
        html = certificate_pdf_html(certificate=certificate, template=certificate.template_revision.as_object())
        floor.append(_floor(html))
        timed_parts, _html = _parts(certificate)
        parts.append(timed_parts)
    median = statistics.median
    return {
        "whole_s": median(whole), "floor_s": median(floor),
        "ratio": median(w / f for w, f in zip(whole, floor, strict=True)),
        "proofs_s": median(p["proofs"] for p in parts), "html_s": median(p["html"] for p in parts),
        "pdfa_s": median(p["pdfa"] for p in parts),
        "pdfa_ratio": median(p["pdfa"] / f for p, f in zip(parts, floor, strict=True)),
        "profile": profiler,
    }


def bench_certificate_issue(*, rounds=7, folder, profile=False):
    """Build the course run, measure, print the section; returns the result."""
    from django.test import override_settings

    folder = Path(folder) / "certificate-issue"
    with override_settings(**_file_storages(folder)):
        started = time.perf_counter()
        run = build_course_run(label=f"{time.monotonic_ns() % 100000}")
        build_seconds = time.perf_counter() - started
        result = measure(run=run, rounds=rounds, profile=profile)
    floor = result["floor_s"]
    met = "met" if result["ratio"] <= GOAL else "MISSED"
    print(f"\nIssuing one certificate: a co-signed course certificate from a course pass (the pdf-queue task) against bare "
          f"WeasyPrint rendering the same finished HTML; median of {rounds} rounds (build {build_seconds:.1f} s)")
    rows = [
        ("bare WeasyPrint, the same HTML (floor)", floor, ""),
        ("whole issuance (certificate_issue_pdf)", result["whole_s"],
         f"  median of the per-round ratios {result['ratio']:.2f}× (goal ≤ {GOAL}×: {met})"),
        ("  of which, timed alone: two proofs", result["proofs_s"], "  (credential built, keys decrypted, eddsa-rdfc-2022 ×2)"),
        ("  the HTML: data, template, QR, images", result["html_s"], ""),
        ("  the PDF/A-3b with credential.json", result["pdfa_s"],
         f"  (pdf.pdf_render of the same HTML; per-round ratio {result['pdfa_ratio']:.2f}×)"),
        ("  the rest: reads, writes, storing", max(result["whole_s"] - result["proofs_s"] - result["html_s"] - result["pdfa_s"], 0), ""),
    ]
    width = max(len(name) for name, _s, _note in rows)
    for name, seconds, note in rows:
        print(f"  {name:<{width}}  {seconds * 1000:8.1f} ms  {seconds / floor:5.2f}×{note}")
    if profile:
        stream = io.StringIO()
        pstats.Stats(result["profile"], stream=stream).sort_stats("cumulative").print_stats(40)
        print(f"\ncProfile of the {rounds} timed issuances, by cumulative time:\n{stream.getvalue()}")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.certificate_issue", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed issuances; the median is reported")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the timed issuances")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="academy-bench-certificate-") as tmp:
        configure_and_migrate(tmp)
        print(f"setup (migrate): {time.perf_counter() - started:.1f} s")
        bench_certificate_issue(rounds=args.rounds, folder=tmp, profile=args.profile)
    print(f"\ntotal: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
