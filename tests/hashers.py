from django.contrib.auth.hashers import PBKDF2PasswordHasher


class OneRoundPBKDF2(PBKDF2PasswordHasher):
    """For test fixtures only: personas are made by the hundred and Argon2 takes ~0.1 s a hash.
    Its hashes read as ordinary pbkdf2_sha256 ones, which the live servers (on the production
    hashers) still verify, and upgrade to Argon2 at sign-in."""

    iterations = 1
