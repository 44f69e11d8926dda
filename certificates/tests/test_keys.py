"""Signing keys (certificates.keys and the key services): the private key is stored only
encrypted with the key-encryption key from the environment; it decrypts to the key whose public
Multikey is published; rotation retires the active key and keeps it; at most one key is active;
a missing or malformed key-encryption key is a clear configuration error."""

import base58
import pytest
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction

from certificates import proofs, services
from certificates.keys import private_key_decrypt
from certificates.models import SigningKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def issuer(university_a):
    return services.issuer_for_organisation(organisation=university_a)


def raw_private(key):
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def test_the_private_key_is_never_stored_in_plain_text(issuer):
    """The stored row holds neither the raw private key bytes (in any common encoding) nor its
    Multikey; it decrypts to a key whose public Multikey is the published one."""
    key = services.signing_key_active(issuer=issuer)
    private = key.private_key()
    raw = raw_private(private)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {SigningKey._meta.db_table} WHERE id = %s", [key.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    for plain in (raw.hex(), base58.b58encode(raw).decode(), proofs.private_key_multibase(private)):
        assert plain not in row
    assert raw not in row.encode("latin-1", "replace")
    assert proofs.public_key_multibase(private.public_key()) == key.public_key_multibase
    assert key.public_key_multibase.startswith("z6Mk") and key.key_id == "key-1"


def test_rotation_retires_the_active_key_and_keeps_it(issuer):
    """Rotating makes key-2 active and key-1 retired, still stored and still decrypting to the
    key that signed with it; only one key is active."""
    first = services.signing_key_active(issuer=issuer)
    second = services.signing_key_rotate(issuer=issuer)
    first.refresh_from_db()
    assert (first.status, second.status) == (SigningKey.Status.RETIRED, SigningKey.Status.ACTIVE)
    assert first.retired_at is not None and second.key_id == "key-2"
    assert services.signing_key_active(issuer=issuer) == second
    assert proofs.public_key_multibase(first.private_key().public_key()) == first.public_key_multibase
    assert SigningKey.objects.filter(issuer=issuer).count() == 2


def test_at_most_one_active_key_per_issuer(issuer):
    """The database refuses a second active key for the same issuer."""
    services.signing_key_active(issuer=issuer)
    with pytest.raises(IntegrityError), transaction.atomic():
        SigningKey.objects.create(issuer=issuer, key_id="key-9", public_key_multibase="z6Mkx", private_key_encrypted="x")


@pytest.mark.parametrize("value", [[], "", None])
def test_a_missing_key_encryption_key_is_a_configuration_error(issuer, settings, value):
    """Without the key-encryption key, making or using a signing key says what to set."""
    key = services.signing_key_active(issuer=issuer)
    settings.CERTIFICATES_KEY_ENCRYPTION_KEYS = value
    with pytest.raises(ImproperlyConfigured, match="CERTIFICATES_KEY_ENCRYPTION_KEYS"):
        services.signing_key_rotate(issuer=issuer)
    with pytest.raises(ImproperlyConfigured, match="CERTIFICATES_KEY_ENCRYPTION_KEYS"):
        key.private_key()


def test_a_malformed_or_wrong_key_encryption_key_is_a_configuration_error(issuer, settings):
    """A value that is not a Fernet key, or one that does not open the stored keys, is a
    configuration error naming the setting; a rotated key list still opens old keys."""
    from cryptography.fernet import Fernet

    key = services.signing_key_active(issuer=issuer)
    old = list(settings.CERTIFICATES_KEY_ENCRYPTION_KEYS)
    settings.CERTIFICATES_KEY_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured, match="CERTIFICATES_KEY_ENCRYPTION_KEYS"):
        key.private_key()
    settings.CERTIFICATES_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="CERTIFICATES_KEY_ENCRYPTION_KEYS"):
        private_key_decrypt(key.private_key_encrypted)
    settings.CERTIFICATES_KEY_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old]
    assert proofs.public_key_multibase(key.private_key().public_key()) == key.public_key_multibase
