from tests.matrix import Case, page

CASES = [
    Case("audit:index", "/audit/", page({"admin": 200, "ethics": 200, "auditor": 200})),
    Case("audit:csv", "/audit/export.csv", page({"admin": 200, "ethics": 200, "auditor": 200})),
]
