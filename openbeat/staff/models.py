"""Staff people: back-office accounts scoped to a division, public officer profiles, neighbourhood teams."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openbeat.areas.models import Division, Neighbourhood


class StaffProfile(models.Model):
    """What the back office needs to know about a staff login beyond its role (its Django groups)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    division = models.ForeignKey(Division, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff")
    neighbourhoods = models.ManyToManyField(Neighbourhood, blank=True, related_name="staff")

    class Meta:
        permissions = [
            ("force_wide", "Can see and act on every division"),
            ("manage_staff", "Can manage staff accounts and roles"),
        ]

    def __str__(self) -> str:
        return str(self.user)


class Officer(models.Model):
    """An officer's or PCSO's public profile, shown on neighbourhood pages (data.police.uk "people" shape)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="officer"
    )
    name = models.CharField(max_length=160)
    rank = models.CharField(max_length=80, help_text="e.g. Sergeant, PC, PCSO.")
    role = models.CharField(max_length=160, blank=True, help_text="e.g. Neighbourhood Beat Manager.")
    bio = models.TextField(blank=True)
    photo = models.ForeignKey("wagtailimages.Image", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="officers")
    public = models.BooleanField(default=True, help_text="Shown on the public neighbourhood pages.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.rank} {self.name}".strip()


class TeamMembership(models.Model):
    """An officer serving a neighbourhood: the neighbourhood's team is its memberships, in order."""

    neighbourhood = models.ForeignKey(Neighbourhood, on_delete=models.CASCADE, related_name="team")
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="memberships")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "officer__name"]
        constraints = [models.UniqueConstraint(fields=["neighbourhood", "officer"], name="unique_team_member")]

    def __str__(self) -> str:
        return f"{self.officer} in {self.neighbourhood}"
