"""LinkedIn's "Add to profile" link for a certificate (issue "Certificates", point 7).

LinkedIn prefills its "Add licence or certification" form from the query string of
https://www.linkedin.com/profile/add with `startTask=CERTIFICATION_NAME` (LinkedIn's "Add to
Profile for Certifications" guide for issuers): `name`, `organizationName`, `issueYear`,
`issueMonth`, `expirationYear`, `expirationMonth`, `certUrl` and `certId`. The link is outbound:
the holder's browser opens it, so nothing here talks to LinkedIn.

What is sent is what a recruiter reads on the profile, in English (LinkedIn shows the text as
typed, whatever the reader's language): the achievement's English name, the lead issuer's English
name, the public verification page as the credential URL and the certificate's code as its id.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

ADD_TO_PROFILE_URL = "https://www.linkedin.com/profile/add"


def linkedin_add_to_profile_url(
    *, name: str, organisation_name: str, issued_on: dt.date, cert_url: str, cert_id: str, expires_on: dt.date | None = None,
) -> str:
    """The "Add to profile" address for a certification with these details, every value
    URL-encoded; the expiry is sent only when there is one."""
    params = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", name),
        ("organizationName", organisation_name),
        ("issueYear", issued_on.year),
        ("issueMonth", issued_on.month),
    ]
    if expires_on is not None:
        params += [("expirationYear", expires_on.year), ("expirationMonth", expires_on.month)]
    params += [("certUrl", cert_url), ("certId", cert_id)]
    return f"{ADD_TO_PROFILE_URL}?{urlencode(params)}"


def certificate_linkedin_url(certificate) -> str:
    """The "Add to profile" address of a certificate (its achievement, lead issuer and
    organisation loaded): English names, the verification page, the code."""
    from .links import verification_url

    return linkedin_add_to_profile_url(
        name=certificate.achievement.name_en,
        organisation_name=certificate.issuer.organisation.name_en,
        issued_on=certificate.issued_on,
        expires_on=certificate.valid_until,
        cert_url=verification_url(certificate.code),
        cert_id=certificate.code,
    )
