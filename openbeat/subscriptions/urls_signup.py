from django.urls import URLPattern, path

from openbeat.subscriptions.views import signup as views

# Under /in-the-know/: the sign-up journey, the confirmation link, and the preferences' change pages, which
# run the journey's own question pages on a draft of the subscriber's choices. Every path is spelled out
# (no catch-all) so the preferences' own paths, listed after these, are never shadowed.
urlpatterns: list[URLPattern] = [
    path("", views.start, name="start"),
    *[path(f"{s.slug}/", views.step, {"step": s.name}, name=f"signup_{s.name}") for s in views.STEPS.values()],
    path("check-your-answers/", views.check, name="signup_check"),
    path("check-your-email/", views.check_email, name="check_email"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("confirmed/", views.confirmed, name="confirmed"),
]

for _section, (_names, _hub, _message) in views.SECTIONS.items():
    urlpatterns.append(
        path(f"preferences/change/{_section}/", views.change_start, {"section": _section}, name=f"change_{_section}")
    )
    urlpatterns += [
        path(
            f"preferences/change/{_section}/{views.STEPS[n].slug}/",
            views.step,
            {"step": n, "section": _section},
            name=f"change_{_section}_{n}",
        )
        for n in _names
    ]
