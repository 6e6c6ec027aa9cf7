"""Importers for the geography: plain functions that read a file and return an ImportReport.

The management commands (areas/management/commands/import_*.py) are thin wrappers around these, so the back
office can run the same code on an uploaded file.
"""
