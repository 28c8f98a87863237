"""Texts, emails and letters to tenants through GOV.UK Notify (issue 13, item 4)."""
