from .matrix_import import IMPORT_CASES

CASES = [*IMPORT_CASES]
