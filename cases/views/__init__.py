"""Casework pages: the caseload, the case and its sections, and the casework actions."""
