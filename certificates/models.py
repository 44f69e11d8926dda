"""Issuers, their signing keys, achievements and the certificates issued for them (issue
"Certificates", point 1).

- An `Issuer` is an organisation acting as a credential issuer; its profile will be published at
  `/certificates/issuers/<slug>/` with every key, retired ones too, so old credentials verify.
- A `SigningKey` is an Ed25519 key of an issuer; the private key is stored only encrypted
  (`certificates.keys`), at most one key per issuer is active.
- An `Achievement` is what a certificate says its holder achieved: a course, a program or a
  practicum project.
- A `Certificate` is one holder's award of an achievement, with a random public code separate
  from its primary key. Issuance is idempotent: among certificates not superseded, one per holder
  and achievement (a partial unique constraint). Status changes follow
  `certificates.services.CERTIFICATE_TRANSITIONS` and are recorded as `CertificateStatusChange`.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import DraftStateMixin, RevisionMixin

from academy.organisations.models import StatusChangeBase
from academy.private_storage import private_storage

CODE_BYTES = 16  # 128 bits of randomness: unguessable, and 22 characters in a URL


def certificate_code():
    """A random public code: 128 bits, URL-safe base64 without padding (22 characters)."""
    return secrets.token_urlsafe(CODE_BYTES)


def identity_salt():
    """A random salt for the hash of the holder's e-mail address in the credential (128 bits, hex)."""
    return secrets.token_hex(16)


class Issuer(models.Model):
    """An organisation as a credential issuer."""

    organisation = models.OneToOneField(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="credential_issuer",
        help_text=_("The organisation that issues and signs credentials."),
    )
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True,
        help_text=_("The issuer's address in credentials, /certificates/issuers/<slug>/. It never changes once credentials are signed."),
    )
    signatory_name = models.CharField(
        _("signatory"), max_length=120, blank=True,
        help_text=_("The person who signs the organisation's certificates, as printed under the signature."),
    )
    signatory_title_en = models.CharField(
        _("signatory's title in English"), max_length=160, blank=True, help_text=_("The signatory's position, printed in English."),
    )
    signatory_title_zh = models.CharField(
        _("signatory's title in Chinese"), max_length=80, blank=True, help_text=_("The signatory's position, printed in Chinese."),
    )
    signature = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("signature image"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("A scan of the signatory's signature on a transparent or white background; printed above the name."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, help_text=_("When the organisation became an issuer."))

    class Meta:
        verbose_name = _("issuer")
        verbose_name_plural = _("issuers")
        ordering = ["slug"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The organisation's name in English, as credentials carry it."""
        return self.organisation.name_en

    @property
    def name_zh(self):
        """The organisation's name in Chinese, or in English when it has none."""
        return self.organisation.name_zh or self.organisation.name_en


class SigningKey(models.Model):
    """An Ed25519 key of an issuer. Retired keys stay, so credentials they signed still verify."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    issuer = models.ForeignKey(
        Issuer, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="signing_keys",
        help_text=_("The issuer that signs with this key."),
    )
    key_id = models.CharField(
        _("key id"), max_length=40,
        help_text=_("A short stable name such as key-1; the verification method is the issuer's profile URL, #, and this name."),
    )
    public_key_multibase = models.CharField(
        _("public key"), max_length=64, unique=True,
        help_text=_("The Ed25519 public key as a Multikey (z6Mk…), published on the issuer's profile."),
    )
    private_key_encrypted = models.TextField(
        _("encrypted private key"),
        help_text=_("The Ed25519 private key, encrypted with the key-encryption key from the environment. Never stored in plain text."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE,
        help_text=_("Only the active key signs; retired keys are still published so old credentials verify."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, help_text=_("When the key was made."))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True, help_text=_("When the key stopped signing; empty while active."))

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["issuer", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["issuer"], condition=Q(status="active"), name="signing_key_one_active_per_issuer"),
            models.UniqueConstraint(fields=["issuer", "key_id"], name="signing_key_id_once_per_issuer"),
            models.CheckConstraint(
                condition=Q(status="active", retired_at__isnull=True) | Q(status="retired", retired_at__isnull=False),
                name="signing_key_retired_when_dated",
            ),
        ]

    def __str__(self):
        return f"{self.issuer.slug}#{self.key_id} ({self.get_status_display()})"

    def private_key(self):
        """The decrypted Ed25519 private key (needs the key-encryption key setting)."""
        from .keys import private_key_decrypt

        return private_key_decrypt(self.private_key_encrypted)


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give a colour as # and six hexadecimal digits, such as #0f5c5c."))


class CertificateTemplate(DraftStateMixin, RevisionMixin, models.Model):
    """How a certificate looks and what it says around the holder's name: a Wagtail snippet with
    revisions. Publishing makes a new version; a certificate pins the revision it was rendered
    with (`Certificate.template_revision`), so later edits never change a certificate issued.

    The template used is the most specific live one: the issuing organisation's for the
    achievement's kind, then the organisation's for any kind, then the platform's (no
    organisation) for the kind, then for any kind."""

    class Kind(models.TextChoices):
        ANY = "", _("Any achievement")
        COURSE = "course", _("Course")
        PROGRAM = "program", _("Program")
        PRACTICUM = "practicum", _("Practicum")

    name = models.CharField(_("name"), max_length=120, help_text=_("A name for editors, such as “Course certificate 2026”."))
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="certificate_templates",
        help_text=_("The issuing organisation whose certificates use this template; empty for the platform's default."),
    )
    kind = models.CharField(
        _("for"), max_length=20, choices=Kind.choices, blank=True, default=Kind.ANY,
        help_text=_("Which achievements the template is for."),
    )
    title_en = models.CharField(_("title in English"), max_length=80, help_text=_("The heading in English, such as “Certificate of Achievement”."))
    title_zh = models.CharField(_("title in Chinese"), max_length=40, help_text=_("The heading in Chinese, such as “结业证书”."))
    statement_en = models.CharField(
        _("statement in English"), max_length=200,
        help_text=_("What is printed between the holder's name and the achievement in English, such as “has successfully completed”."),
    )
    statement_zh = models.CharField(
        _("statement in Chinese"), max_length=100,
        help_text=_("What is printed between the holder's name and the achievement in Chinese, such as “已顺利完成”."),
    )
    show_grade_band = models.BooleanField(
        _("show the grade band"), default=True, help_text=_("Print the grade band (such as “Distinction”) when the certificate has one."),
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#0f5c5c", validators=[hex_colour],
        help_text=_("The colour of the border and headings, as #rrggbb."),
    )
    footer_en = models.CharField(_("footer in English"), max_length=300, blank=True, help_text=_("A line of small print in English at the foot."))
    footer_zh = models.CharField(_("footer in Chinese"), max_length=150, blank=True, help_text=_("A line of small print in Chinese at the foot."))

    class Meta:
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        ordering = ["organisation__name_en", "kind", "name", "pk"]

    def __str__(self):
        return self.name


class Achievement(models.Model):
    """What a certificate attests: passing a course, completing a program or passing a practicum
    project. One achievement per course, program or project."""

    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        PROGRAM = "program", _("Program")
        PRACTICUM = "practicum", _("Practicum")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, help_text=_("What kind of learning the achievement is for."))
    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("course"), null=True, blank=True, on_delete=models.PROTECT, related_name="achievements",
        help_text=_("The course passed, for a course achievement; empty otherwise."),
    )
    program = models.ForeignKey(
        "courses.ProgramPage", verbose_name=_("program"), null=True, blank=True, on_delete=models.PROTECT, related_name="achievements",
        help_text=_("The program completed, for a program achievement; empty otherwise."),
    )
    practicum_project = models.ForeignKey(
        "practicum.PracticumProject", verbose_name=_("practicum project"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="achievements", help_text=_("The practicum project passed, for a practicum achievement; empty otherwise."),
    )
    name_en = models.CharField(_("name in English"), max_length=255, help_text=_("The achievement's name as printed in English."))
    name_zh = models.CharField(_("name in Chinese"), max_length=255, blank=True, help_text=_("The achievement's name as printed in Chinese."))
    criteria_en = models.TextField(_("criteria in English"), help_text=_("What the holder had to do to earn it, in English."))
    criteria_zh = models.TextField(_("criteria in Chinese"), blank=True, help_text=_("What the holder had to do to earn it, in Chinese."))
    competencies = models.ManyToManyField(
        "courses.Competency", verbose_name=_("competencies"), blank=True, related_name="achievements",
        help_text=_("The competencies the achievement attests, aligned in the credential."),
    )
    valid_for_days = models.PositiveIntegerField(
        _("valid for days"), null=True, blank=True,
        help_text=_("How many days a certificate stays valid after it is issued. Leave empty for no expiry."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, help_text=_("When the achievement was defined."))

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        ordering = ["kind", "name_en", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="course", course__isnull=False, program__isnull=True, practicum_project__isnull=True)
                    | Q(kind="program", course__isnull=True, program__isnull=False, practicum_project__isnull=True)
                    | Q(kind="practicum", course__isnull=True, program__isnull=True, practicum_project__isnull=False)
                ),
                name="achievement_for_its_kind",
            ),
            models.UniqueConstraint(fields=["course"], condition=Q(kind="course"), name="achievement_once_per_course"),
            models.UniqueConstraint(fields=["program"], condition=Q(kind="program"), name="achievement_once_per_program"),
            models.UniqueConstraint(
                fields=["practicum_project"], condition=Q(kind="practicum"), name="achievement_once_per_practicum_project",
            ),
        ]

    def __str__(self):
        return f"{self.name_en} ({self.get_kind_display()})"


class Certificate(models.Model):
    """One holder's certificate of an achievement. Re-issuing makes a new version and marks the
    old one superseded; among certificates not superseded there is one per holder and
    achievement, which makes issuance idempotent."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        LINK_ONLY = "link_only", _("Anyone with the link")
        PRIVATE = "private", _("Private")

    code = models.CharField(
        _("code"), max_length=43, unique=True, default=certificate_code, editable=False,
        help_text=_("The random public code in the certificate's links; not the database key."),
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="certificates",
        help_text=_("The person the certificate was issued to."),
    )
    achievement = models.ForeignKey(
        Achievement, verbose_name=_("achievement"), on_delete=models.PROTECT, related_name="certificates",
        help_text=_("What the certificate attests."),
    )
    issuer = models.ForeignKey(
        Issuer, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="certificates_issued",
        help_text=_("The organisation that issues the credential and publishes its status lists."),
    )
    co_issuer = models.ForeignKey(
        Issuer, verbose_name=_("co-issuer"), null=True, blank=True, on_delete=models.PROTECT, related_name="certificates_co_signed",
        help_text=_("The partner organisation that co-signs the credential, if any."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ISSUED,
        help_text=_("Whether the certificate is valid, suspended for now, or revoked for good."),
    )
    status_reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why the certificate was suspended or revoked; shown on the verification page."),
    )
    status_changed_at = models.DateTimeField(
        _("status changed at"), null=True, blank=True, help_text=_("When the status last changed; empty while never changed."),
    )
    version = models.PositiveSmallIntegerField(
        _("version"), default=1, help_text=_("1 for the first issue; each re-issue of the same achievement adds one."),
    )
    supersedes = models.OneToOneField(
        "self", verbose_name=_("supersedes"), null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by",
        help_text=_("The earlier version this certificate replaces, if it is a re-issue."),
    )
    superseded = models.BooleanField(
        _("superseded"), default=False, help_text=_("Whether a newer version replaced this certificate."),
    )
    name_latin = models.CharField(
        _("name in Latin script"), max_length=120, blank=True,
        help_text=_("The holder's name in Latin letters as printed, copied when the certificate was issued."),
    )
    name_native = models.CharField(
        _("name in native script"), max_length=120, blank=True,
        help_text=_("The holder's name in their own script as printed, copied when the certificate was issued."),
    )
    issued_on = models.DateField(_("issued on"), help_text=_("The date the certificate shows as its issue date."))
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.LINK_ONLY,
        help_text=_("Chosen by the holder: listed publicly, open to anyone with the link, or private."),
    )
    grade_band = models.CharField(
        _("grade band"), max_length=40, blank=True, help_text=_("The grade band printed on the certificate, if the achievement shows one."),
    )
    credential = models.JSONField(
        _("signed credential"), default=dict, blank=True,
        help_text=_("The signed Open Badges 3.0 credential; empty until it is signed."),
    )
    evidence = models.JSONField(
        _("evidence"), default=list, blank=True,
        help_text=_("The work the certificate rests on, as titles and hashes, for practicum certificates."),
    )
    revocation_index = models.PositiveIntegerField(
        _("revocation list index"), help_text=_("The certificate's random position on its issuer's revocation status list."),
    )
    suspension_index = models.PositiveIntegerField(
        _("suspension list index"), help_text=_("The certificate's random position on its issuer's suspension status list."),
    )
    identity_salt = models.CharField(
        _("identity salt"), max_length=64, default=identity_salt, editable=False,
        help_text=_("The random salt of the hashed e-mail address that identifies the holder in the credential."),
    )
    template_revision = models.ForeignKey(
        "wagtailcore.Revision", verbose_name=_("template version"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The certificate template revision the PDF was rendered with; empty until it is rendered."),
    )
    pdf = models.FileField(
        _("PDF"), storage=private_storage, upload_to="certificates/pdf/", blank=True,
        help_text=_("The rendered PDF/A-3b with the signed credential attached; served only to those allowed to see it."),
    )
    pdf_sha256 = models.CharField(
        _("PDF sha256"), max_length=64, blank=True, db_index=True,
        help_text=_("The SHA-256 of the PDF's bytes, so a verifier's copy can be checked against it."),
    )
    pdf_rendered_at = models.DateTimeField(_("PDF rendered at"), null=True, blank=True, help_text=_("When the PDF was rendered."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, help_text=_("When the record was made."))

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "achievement"], condition=Q(superseded=False), name="certificate_one_current_per_holder_achievement",
            ),
            models.UniqueConstraint(fields=["holder", "achievement", "version"], name="certificate_version_once"),
            models.UniqueConstraint(fields=["issuer", "revocation_index"], name="certificate_revocation_index_once_per_issuer"),
            models.UniqueConstraint(fields=["issuer", "suspension_index"], name="certificate_suspension_index_once_per_issuer"),
            models.CheckConstraint(condition=~Q(co_issuer=F("issuer")), name="certificate_co_issuer_differs"),
            models.CheckConstraint(
                condition=Q(status="issued") | Q(status_changed_at__isnull=False), name="certificate_status_change_dated",
            ),
        ]
        indexes = [models.Index(fields=["holder", "status"])]

    def __str__(self):
        return f"{self.achievement.name_en} · {self.holder} (v{self.version})"

    @property
    def valid_until(self):
        """The last date the certificate is valid (`valid_for_days` after its issue date; the
        credential's `validUntil` at midnight UTC), or None when its achievement does not expire."""
        days = self.achievement.valid_for_days
        return self.issued_on + dt.timedelta(days=days) if days else None


class CertificateStatusChange(StatusChangeBase):
    """A recorded change of a certificate's status, with who made it and why."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.CASCADE, related_name="status_changes",
        help_text=_("The certificate whose status changed."),
    )

    class Meta(StatusChangeBase.Meta):
        verbose_name = _("certificate status change")
        verbose_name_plural = _("certificate status changes")


class StatusList(models.Model):
    """An issuer's Bitstring Status List for one purpose (revocation or suspension), with the
    signed BitstringStatusListCredential served at /certificates/status/<slug>/<purpose>/."""

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", _("Revocation")
        SUSPENSION = "suspension", _("Suspension")

    issuer = models.ForeignKey(
        Issuer, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="status_lists",
        help_text=_("The issuer that publishes and signs the list."),
    )
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices,
        help_text=_("Whether a set bit means the certificate is revoked or suspended."),
    )
    encoded_list = models.TextField(
        _("encoded list"), help_text=_("The bitstring, GZIP-compressed and multibase base64url-encoded, as the credential carries it."),
    )
    credential = models.JSONField(
        _("signed credential"), default=dict, blank=True,
        help_text=_("The signed BitstringStatusListCredential of the current bits."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, help_text=_("When the bits or the signature last changed."))

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        ordering = ["issuer", "purpose"]
        constraints = [models.UniqueConstraint(fields=["issuer", "purpose"], name="status_list_once_per_issuer_purpose")]

    def __str__(self):
        return f"{self.issuer.slug} · {self.get_purpose_display()}"


class CertificateBatch(models.Model):
    """A staff member's bulk action on certificates (issue for a cohort, re-issue, suspend or
    revoke), run by a Celery worker on the `pdf` queue; its counts are what the progress bar shows.
    Each item is idempotent, so a batch retried or run twice changes nothing twice."""

    class Action(models.TextChoices):
        ISSUE = "issue", _("Issue")
        REISSUE = "reissue", _("Re-issue")
        SUSPEND = "suspend", _("Suspend")
        UNSUSPEND = "unsuspend", _("Lift suspension")
        REVOKE = "revoke", _("Revoke")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    action = models.CharField(_("action"), max_length=20, choices=Action.choices, help_text=_("What the batch does to each item."))
    course_run = models.ForeignKey(
        "courses.CourseRun", verbose_name=_("course run"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The cohort certificates are issued for, for an issue batch."),
    )
    items = models.JSONField(
        _("items"), default=list, blank=True,
        help_text=_("What the batch works through: course pass ids for an issue batch, certificate codes otherwise."),
    )
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why, for suspensions and revocations; shown on the verification pages."))
    total = models.PositiveIntegerField(_("total"), default=0, help_text=_("How many items the batch has."))
    done = models.PositiveIntegerField(_("done"), default=0, help_text=_("How many items are finished."))
    failures = models.JSONField(_("failures"), default=list, blank=True, help_text=_("The items that failed, each with the reason."))
    results = models.JSONField(_("results"), default=list, blank=True, help_text=_("The codes of the certificates the batch issued or changed."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED, help_text=_("Where the batch is."))
    error = models.CharField(_("error"), max_length=500, blank=True, help_text=_("Why the batch stopped, when it failed."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The staff member who started the batch."),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, help_text=_("When the batch was started."))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True, help_text=_("When the batch ended."))

    class Meta:
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(done__lte=F("total")), name="certificate_batch_done_within_total")]

    def __str__(self):
        return f"{self.get_action_display()} · {self.done}/{self.total}"
