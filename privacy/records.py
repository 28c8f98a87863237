"""Every kind of record held about a case, found from the models themselves.

Both the subject access export and retention need "everything held about these
cases". Rather than a list that goes stale when an app adds a model, the kinds are
found by following the relations that point at a case (and at what points at a case,
three steps out): a new model with a foreign key to a case, an account or a notice is
in the export, and its free text is anonymised, without anyone remembering to add it.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models

from cases.models import Case, Tenant

# Not the tenant's records: our own bookkeeping about reads and exports, the
# engine's run bookkeeping, and the day's print pack (other households' letters).
EXCLUDED = frozenset(
    {
        "privacy.accessrecord",
        "privacy.subjectaccessrequest",
        "privacy.specialcategorymark",
        "privacy.anonymisedcase",
        "privacy.retentionrun",
        "notices.printpack",
    }
)
MAX_DEPTH = 3


@dataclass(frozen=True)
class RecordKind:
    model: type[models.Model]
    path: str  # the lookup from this model to the case's id, e.g. "account__case"

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def for_cases(self, case_ids) -> models.QuerySet:
        """This kind's records on these cases (`case_ids` a list or a subquery)."""
        return self.model._default_manager.filter(**{f"{self.path}__in": case_ids}).distinct()


def _reverse_relations(model: type[models.Model]) -> Iterator[models.ForeignObjectRel]:
    # include_hidden: many of our keys have related_name="+", and still belong to the case.
    for field in model._meta.get_fields(include_hidden=True):
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one):
            yield field


def case_record_kinds() -> list[RecordKind]:
    """Every model holding records about a case, each with its path to the case:
    breadth first, so each takes its shortest path (a ledger line by its account)."""
    found: dict[str, RecordKind] = {}
    frontier: list[tuple[type[models.Model], str]] = [(Case, "")]
    for _depth in range(MAX_DEPTH):
        following: list[tuple[type[models.Model], str]] = []
        for model, path in frontier:
            for rel in _reverse_relations(model):
                related = rel.related_model
                label = related._meta.label_lower
                if label in EXCLUDED or label in found or related is Case:
                    continue
                if related._meta.app_config.name.startswith("django."):
                    continue
                step = rel.field.name
                kind = RecordKind(model=related, path=f"{step}__{path}" if path else step)
                found[label] = kind
                following.append((related, kind.path))
        frontier = following
    return sorted(found.values(), key=lambda k: k.label)


def tenant_record_kinds() -> list[RecordKind]:
    """Models that point at a tenant and are not already found from the case (opt-outs
    of messages, say), each with its path to the tenant."""
    on_cases = {k.label for k in case_record_kinds()}
    found = []
    for rel in _reverse_relations(Tenant):
        label = rel.related_model._meta.label_lower
        if label not in on_cases and label not in EXCLUDED:
            found.append(RecordKind(model=rel.related_model, path=rel.field.name))
    return sorted(found, key=lambda k: k.label)
