"""manage.py api_schema [--out FILE]: the API's OpenAPI document, as /api/v1/schema/ gives it."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from integrations.api.views import SCHEMA_GENERATOR

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.json"


def schema_text() -> str:
    return json.dumps(SCHEMA_GENERATOR.get_schema(public=True), indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the API's OpenAPI schema (default: integrations/api/openapi.json, committed)."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=COMMITTED)

    def handle(self, *args, out: Path, **options):
        out.write_text(schema_text())
        self.stdout.write(f"Wrote {out}")
