from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with minimal cost, for tests only."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1
