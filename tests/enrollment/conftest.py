import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every test signs staff in with fresh passwords; PBKDF2's deliberate slowness would
    # dominate this suite on a 2-core machine. Tests of password storage live in pooling.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
