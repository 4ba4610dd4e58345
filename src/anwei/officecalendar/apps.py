from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficeCalendarConfig(AppConfig):
    """The government office calendar (政府行政機關辦公日曆表) every working-day deadline is counted on."""

    name = "anwei.officecalendar"
    label = "officecalendar"
    url_prefix = "office-calendar"
    verbose_name = _("Office calendar")
