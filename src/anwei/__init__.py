"""Anwei (安維): agency-security and official-secret protection for government ethics offices."""
