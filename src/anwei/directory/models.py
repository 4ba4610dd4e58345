"""The agency (機關), its tree of units (處/科/室, schools, sites), people, and outside organisations."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Agency(models.Model):
    """機關"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    # 上級機關: the ethics office this agency reports upward to (on this deployment, or linked from another one)
    superior = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subordinates",
        verbose_name=_("superior agency"),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit of the agency (處/科/室, school, site). `path` is the chain of ids from the root, e.g. "/1/4/9/",
    so that a subtree is one prefix query."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency head office")
        DEPARTMENT = "department", _("Department (處/局)")
        SECTION = "section", _("Section (科/室)")
        OFFICE = "office", _("Office")
        SCHOOL = "school", _("School")
        SITE = "site", _("Site")
        OTHER = "other", _("Other")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units", verbose_name=_("agency"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    code = models.CharField(_("code"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["agency", "parent", "name"], name="unit_unique_name_in_parent")]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2 if self.path else 0

    def is_within(self, other: "Unit") -> bool:
        """True if this unit is `other` or below it."""
        return self.path.startswith(other.path)


class Person(models.Model):
    """A member of staff (or anyone the plan names)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="people", verbose_name=_("agency"))
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="people", verbose_name=_("unit")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=80)
    title = models.CharField(pgettext_lazy("person", "title"), max_length=80, blank=True)
    grade = models.CharField(_("grade (職等)"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    extension = models.CharField(_("extension"), max_length=10, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    duty_eligible = models.BooleanField(_("can be on duty"), default=False)
    national_secret_duty = models.BooleanField(_("handles national secrets"), default=False)
    national_secret_duty_until = models.DateField(
        _("national-secret duty ended on"),
        null=True,
        blank=True,
        help_text=_("Exit approval is needed during the duty and for 3 years after it ends."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]
        indexes = [models.Index(fields=["agency", "name"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name


class Organisation(models.Model):
    """An outside organisation the office works with (警察分局, 調查處站, the national cyber-incident contact…)."""

    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        INVESTIGATION = "investigation", _("Investigation Bureau station (調查處站)")
        CYBER = "cyber", _("National cyber-incident contact")
        EDUCATION = "education", _("Education network centre")
        SUPERIOR = "superior", _("Superior agency")
        OTHER = "other", _("Other")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("agency"))
    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class ExternalContact(models.Model):
    """A named person at an outside organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("organisation")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=80)
    title = models.CharField(pgettext_lazy("person", "title"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("external contact")
        verbose_name_plural = _("external contacts")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.organisation.name}）"


class DutyKind(models.Model):
    """A kind of duty with its own roster, e.g. 政風值勤 (ethics-office duty) or 機關值勤 (agency duty)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="duty_kinds", verbose_name=_("agency"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("duty kind")
        verbose_name_plural = _("duty kinds")
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="duty_kind_unique_code")]

    def __str__(self) -> str:
        return self.name


class DutyShift(models.Model):
    """One shift of a duty roster (值勤表): [starts_at, ends_at) with the person on duty and a substitute.
    A shift with nobody is a gap."""

    kind = models.ForeignKey(DutyKind, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("duty kind"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duty_shifts",
        verbose_name=_("on duty"),
    )
    substitute = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="substitute_shifts",
        verbose_name=_("substitute"),
    )
    primary_unavailable = models.BooleanField(
        _("on-duty person unavailable"), default=False, help_text=_("The substitute takes over.")
    )
    handover_note = models.TextField(_("handover note"), blank=True)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["kind", "starts_at"]
        indexes = [models.Index(fields=["kind", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.starts_at:%Y-%m-%d %H:%M}"
