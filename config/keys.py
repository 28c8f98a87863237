"""The field encryption key used when none is configured: with DEBUG on (the demo, a
trial on a laptop), in tests and by the benches' production-like servers, which read
databases the demo seeded. It is in the source, so it protects nothing; production
refuses to start without FIELD_ENCRYPTION_KEYS of its own (config/settings.py)."""

import base64
import hashlib

LOCAL_ONLY_FIELD_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"arrears-casework-local-only").digest()
).decode()
