"""`python -m anwei <command>` is Django's manage.py for Anwei."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anwei.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "anwei"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
