"""Values encrypted at rest: a model field that keeps a Fernet token in a text column and
gives the code the plain value, under the keys in `settings.FIELD_ENCRYPTION_KEYS`.

The keys are a `MultiFernet`, newest first: the newest encrypts, any of them decrypts,
so a key is rotated by putting a new one first, running `manage.py rotate_field_keys`
(`encrypted_values_rotate` below), then dropping the old one. A Fernet token is
AES-128-CBC with an HMAC-SHA256, so a value altered in the database is refused, not
misread.

Each encryption is different (a random IV), so the database cannot compare, search,
index or sort these columns: the fields refuse every lookup but `isnull` rather than
silently matching nothing.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models, transaction
from django.db.models.functions import Cast

ROTATE_BATCH_SIZE = 500
# A long text (a day's collection file, up to a few MB) is rotated a few rows at a time,
# so a batch's tokens and values fit in memory.
ROTATE_LONG_TEXT_BATCH_SIZE = 10


@lru_cache(maxsize=4)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    fernets = [Fernet(key) for key in keys]
    return MultiFernet(fernets), fernets[0]


def field_keys() -> MultiFernet:
    """The keys of FIELD_ENCRYPTION_KEYS (read each time, so a test may change them)."""
    return _fernets(tuple(settings.FIELD_ENCRYPTION_KEYS))[0]


def encrypt_text(value: str) -> str:
    """A Fernet token of `value` under the newest key."""
    return field_keys().encrypt(value.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    """The value of a token made under any of the keys; `InvalidToken` if none made it."""
    return field_keys().decrypt(token.encode()).decode()


def is_under_newest_key(token: str) -> bool:
    try:
        _fernets(tuple(settings.FIELD_ENCRYPTION_KEYS))[1].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


class UndecryptableValue(ImproperlyConfigured):
    """A stored token that no key in FIELD_ENCRYPTION_KEYS made."""


class EncryptedField:
    """What every encrypted field does: a Fernet token in the column, the plain value in
    the code, and no lookups but `isnull` (the database cannot compare tokens)."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt_text(value)
        except InvalidToken as exc:
            raise UndecryptableValue(
                f"{self.model._meta.label}.{self.name} holds a value no key in "
                "FIELD_ENCRYPTION_KEYS can decrypt: put back the key it was encrypted under "
                "(a key must stay listed until `manage.py rotate_field_keys` has run)."
            ) from exc

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt_text(value)

    def get_lookup(self, lookup_name: str):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise self._not_comparable(lookup_name)

    def get_transform(self, lookup_name: str):
        raise self._not_comparable(lookup_name)

    def _not_comparable(self, lookup_name: str) -> FieldError:
        return FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted at rest, so the database "
            f"cannot compare it ({lookup_name!r}): find the rows by another field."
        )


class EncryptedCharField(EncryptedField, models.CharField):
    """A short text kept encrypted at rest in a text column (a Fernet token of ~100-140
    characters). `max_length` is the plain value's, checked by validation as a
    CharField's is; the column is unbounded."""

    description = "Text encrypted at rest (Fernet)"

    def get_internal_type(self) -> str:
        return "TextField"


class EncryptedTextField(EncryptedField, models.TextField):
    """A long text kept encrypted at rest (the token is about 4/3 of its length)."""

    description = "Long text encrypted at rest (Fernet)"


# --- Rotation ---------------------------------------------------------------------------


@dataclass
class RotationCount:
    label: str
    rows: int = 0
    values: int = 0
    already_current: int = 0


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[models.Field]]]:
    """Each installed model with encrypted fields, and those fields."""
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        if fields:
            yield model, fields


def encrypted_values_rotate(
    *, model: type[models.Model], fields: list[models.Field], batch_size: int
) -> RotationCount:
    """Re-encrypt under the newest key (`MultiFernet.rotate`) every value of `fields` not
    already under it, `batch_size` rows per UPDATE. Each batch is a transaction holding
    its rows, so an edit made meanwhile is neither lost nor overwritten; a value no key
    decrypts stops the rotation with the batch unwritten (`UndecryptableValue`)."""
    count = RotationCount(label=model._meta.label)
    if any(isinstance(f, EncryptedTextField) for f in fields):
        batch_size = min(batch_size, ROTATE_LONG_TEXT_BATCH_SIZE)
    keys = field_keys()
    # The stored tokens, not the values: cast to plain text, the field does not decrypt.
    raw = {f"raw_{f.name}": Cast(f.name, output_field=models.TextField()) for f in fields}
    last_pk = None
    while True:
        with transaction.atomic():
            batch = model._default_manager.select_for_update().order_by("pk")
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            rows = list(batch.annotate(**raw).values_list("pk", *raw)[:batch_size])
            if not rows:
                return count
            last_pk = rows[-1][0]
            changed = []
            for pk, *tokens in rows:
                stored = dict(zip((f.attname for f in fields), tokens, strict=True))
                rotated = _rotated(keys, stored, count=count, where=f"{model._meta.label} {pk}")
                if rotated:
                    changed.append(_row_with_tokens(model, pk, {**stored, **rotated}))
                    count.values += len(rotated)
            if changed:
                model._default_manager.bulk_update(changed, [f.name for f in fields])
            count.rows += len(changed)


def _rotated(
    keys: MultiFernet, stored: dict[str, str | None], *, count: RotationCount, where: str
) -> dict[str, str]:
    """The new tokens of those stored ones not already under the newest key."""
    rotated = {}
    for attname, token in stored.items():
        if not token:
            continue
        if is_under_newest_key(token):
            count.already_current += 1
            continue
        try:
            rotated[attname] = keys.rotate(token.encode()).decode("ascii")
        except InvalidToken as exc:
            raise UndecryptableValue(
                f"{where}: {attname} cannot be decrypted with any key in "
                "FIELD_ENCRYPTION_KEYS; nothing in this batch was written."
            ) from exc
    return rotated


def _row_with_tokens(model: type[models.Model], pk, tokens: dict[str, str | None]) -> models.Model:
    """An unsaved instance carrying the tokens as plain-text expressions, so
    `bulk_update` writes them as they are instead of encrypting them again."""
    obj = model(pk=pk)
    for attname, token in tokens.items():
        setattr(obj, attname, models.Value(token, output_field=models.TextField()))
    return obj
