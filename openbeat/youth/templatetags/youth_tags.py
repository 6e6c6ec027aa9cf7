"""`{% youth_home_url %}`: where the youth site's home page is, for the youth pages' own menu."""

from __future__ import annotations

from django import template

from openbeat.youth.models import YouthHomePage

register = template.Library()


@register.simple_tag(takes_context=True)
def youth_home_url(context: template.Context) -> str:
    page = YouthHomePage.objects.live().first()
    url = page.get_url(request=context.get("request")) if page is not None else None
    return url or "/youth/"
