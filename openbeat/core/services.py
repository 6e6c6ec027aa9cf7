"""Writes for the public site frame."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Page, Site

from openbeat.core.models import ContentPage, Force, HomePage

_PAGES = [
    (
        "Accessibility statement",
        "accessibility",
        "How accessible this website is, and what to do if you cannot use part of it.",
        """<p>{force} wants as many people as possible to be able to use this website. You should be able to
change colours, contrast levels and fonts; zoom in up to 400% without the text spilling off the screen;
navigate the whole website using just a keyboard or speech recognition software; and listen to most of the
website using a screen reader.</p>
<h2>How accessible this website is</h2><p>This website aims to meet the Web Content Accessibility Guidelines
(WCAG) version 2.2 AA standard. Maps are supplementary: everything shown on a map is also given as text on
the same page.</p>
<h2>Feedback and contact information</h2><p>If you find a problem, or need information in a different
format such as large print, easy read, audio recording or braille, call {phone} and tell us.</p>
<h2>Enforcement procedure</h2><p>The Equality and Human Rights Commission (EHRC) is responsible for
enforcing the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.
If you are not happy with how we respond to your complaint, contact the Equality Advisory and Support
Service (EASS).</p>""",
    ),
    (
        "Privacy notice",
        "privacy",
        "What personal information this website keeps, why, for how long, and your rights.",
        """<p>{force} is the data controller for the personal information this website collects.</p>
<h2>What we keep</h2><ul>
<li><strong>Finding your neighbourhood:</strong> the postcode you type is used to look up your neighbourhood
and is not stored.</li>
<li><strong>Community messages:</strong> if you subscribe, your email address or phone number, postcode,
the areas and topics you choose, and a record of your consent (when, and the wording you agreed to).
Questions about your age, ethnicity or disability are optional, kept apart from your contact details, and
used only to understand who our messages reach.</li>
<li><strong>Online reports:</strong> what you tell us in a report, your contact details and any files you
upload, to deal with your report.</li>
<li><strong>Staff records:</strong> staff actions in the back office are logged for accountability.</li>
</ul>
<h2>Your rights</h2><p>You can see, download, correct or delete the information we hold about you. Subscribers
can do this at any time from the link in any message. For anything else, contact our Data Protection
Officer through the force's website.</p>
<h2>Cookies and tracking</h2><p>We use only the cookies this website needs to work (see the cookies page). We do
not track whether you open our emails unless the force has turned that on, and we say so here if it has.</p>""",
    ),
    (
        "Cookies",
        "cookies",
        "The cookies this website uses.",
        """<p>This website puts small files (cookies) on your device only where they are needed to make it
work.</p>
<h2>Essential cookies</h2><ul>
<li><strong>csrftoken</strong>: protects forms against cross-site request forgery. Expires after a year.</li>
<li><strong>sessionid</strong>: remembers your progress through a form, and staff sign-in. Expires when you
close your browser or after two weeks, and is deleted when you finish signing up to In the Know.</li>
<li><strong>ob_report_</strong> followed by the kind of report: keeps what you have typed in a report you have not
sent yet, so that you can come back to it. Sent only to that report's pages. Expires after 30 days.</li>
<li><strong>report_sent</strong>: shows your reference on the page after you send a report. Expires after an
hour.</li>
<li><strong>itk_sent</strong>: shows which email address we sent your In the Know confirmation link to. Sent only
to the page that says so. Expires after an hour.</li></ul>
<p>We do not use analytics or advertising cookies.</p>""",
    ),
]


def _tree_root() -> Page:
    # Wagtail's migrations make the root and the default locale; a flushed database has neither.
    from django.conf import settings
    from wagtail.models import Locale

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    return Page.add_root(instance=Page(title="Root", slug="root", content_type=None))


@transaction.atomic
def site_pages_ensure() -> HomePage:
    """Make a HomePage the default site's root, with the footer pages under it. Safe to run again."""
    force = Force.current()
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node() or _tree_root()
        home = HomePage(
            title=f"Welcome to {force.name}",
            slug="welcome",
            intro="<p>Find your neighbourhood team, report online, and keep up with what is happening near you.</p>",
        )
        root.add_child(instance=home)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=force.name)
    elif site.root_page_id != home.pk:
        old_root = site.root_page
        site.root_page = home
        site.save()
        # Wagtail's initial "Welcome to your new Wagtail site!" page has no content worth keeping.
        if old_root.specific_class is Page and old_root.depth == 2 and not old_root.get_children().exists():
            old_root.delete()
    for title, slug, summary, body in _PAGES:
        if not ContentPage.objects.child_of(home).filter(slug=slug).exists():
            home.add_child(
                instance=ContentPage(
                    title=title,
                    slug=slug,
                    summary=summary,
                    body=body.format(force=force.name, phone=force.phone_non_emergency),
                    show_in_footer=True,
                )
            )
    return home
