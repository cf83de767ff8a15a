"""Presenting tickets and ledger rows: JSON documents, tables and text."""
