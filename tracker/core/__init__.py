"""Shared kinds every domain may use: errors, parsing, formatting, ISO weeks. Imports no domain, no Flask, no database."""
