"""How messages name things the front ends identify internally."""

from __future__ import annotations

import re

# A local probe object's identity is scoped by its function and block: "lookup_name#3:kp" (the
# C front end numbers the blocks so two locals of one name stay apart). Readers know it as "kp".
_SCOPE = re.compile(r"([A-Za-z_$][\w$]*)#\d+:")


def probe_display(identity: str) -> str:
    """A probe identity for humans: ``lookup_name#3:kp`` -> ``kp (in lookup_name)``;
    ``kps[*]``, ``rp.kp`` and other identities stay as they are."""
    functions: list[str] = []

    def strip(m: re.Match[str]) -> str:
        functions.append(m.group(1))
        return ""

    name = _SCOPE.sub(strip, identity)
    if not functions:
        return identity
    return f"{name or 'the probe'} (in {functions[0]})"
