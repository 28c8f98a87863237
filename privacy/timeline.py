"""The timeline sentences for this app's verbs (cases/timeline.py is extensible)."""

SENTENCES = {
    "special_category_marked": lambda p: (
        f"A {p.get('record', 'record')} marked as special category data"
        f" ({str(p.get('category_label', '')).lower()})"
    ),
}


def register() -> None:
    from cases import timeline

    for verb, sentence in SENTENCES.items():
        timeline.SENTENCES.setdefault(verb, sentence)
