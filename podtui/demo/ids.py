"""Seeded Kubernetes identities: UIDs, generated name suffixes, controller owner references.

Each helper draws from the caller's random source exactly as much as it did inline, so
the same seed still gives the same names and UIDs.
"""

from __future__ import annotations

import random
import uuid

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery rand.SafeEncodeString


def random_uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def random_suffix(rng: random.Random, n: int = 5) -> str:
    """n characters of SAFE_ALPHABET, as in generateName's `-xxxxx`."""
    choice = rng.choice
    return "".join(choice(SAFE_ALPHABET) for _ in range(n))


def suffix_of(uid: str, n: int = 5) -> str:
    """n SAFE_ALPHABET characters drawn from a uid: a generated-looking name part that is
    as reproducible as the uid and takes nothing from the seeded random stream."""
    value = uuid.UUID(uid).int
    out = []
    for _ in range(n):
        value, digit = divmod(value, len(SAFE_ALPHABET))
        out.append(SAFE_ALPHABET[digit])
    return "".join(out)


def controller_ref(api_version: str, kind: str, name: str, uid: str) -> dict:
    """The ownerReference a controller puts on what it creates."""
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": name,
        "uid": uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }
