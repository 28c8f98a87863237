"""Money in from files: formats (as data), parsing, staging, posting and suspense."""
