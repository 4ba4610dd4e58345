import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anwei.settings")
application = get_wsgi_application()
# The loaded application (modules, settings, models, URL patterns: some 150,000 objects) lives as long as the
# process: moved out of the collector's reach, so a full collection no longer walks all of it (issue 20: 4 % of a
# filing's CPU went to the collector, almost all of it to those walks).
gc.freeze()
