"""Secrets kept out of alerts: an error message may quote a connection string or a value
read from the environment, and an alert travels to chat and mail.

Removed from every alert's text: the value of each environment variable whose name says it
holds a secret (``..._PASSWORD``, ``..._TOKEN``, ``..._WEBHOOK``, ...), and the credentials
of any URL (``postgresql://user:pass@host`` becomes ``postgresql://***@host``).
"""

import os
import re

REDACTED = "***"
SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|KEY|WEBHOOK|CREDENTIAL|AUTH|PRIVATE|DSN", re.IGNORECASE
)
URL_CREDENTIALS = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/\s@]+@", re.IGNORECASE)
SHORTEST_SECRET = 4  # shorter values ("1", "true") are not worth hiding and would garble text


def redact(text: str) -> str:
    """``text`` without the secrets above."""
    secrets = {
        value
        for name, value in os.environ.items()
        if SECRET_NAME.search(name) and len(value) >= SHORTEST_SECRET
    }
    for secret in sorted(secrets, key=len, reverse=True):  # a longer one may hold a shorter
        text = text.replace(secret, REDACTED)
    return URL_CREDENTIALS.sub(rf"\g<1>{REDACTED}@", text)
