"""Django's SQLite backend with a writers' gate (see base.py)."""
