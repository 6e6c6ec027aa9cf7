"""The report types a new deployment starts with. The force edits them afterwards in the back office; seeding
creates only types whose slug is missing, so it never overwrites the force's changes (and a type the force
deleted comes back only if it is missing: deactivate a type rather than delete it).

Runs after every migrate (see apps.py), and from `manage.py shell` as `report_types_seed()`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from openbeat.reports.models import Question, ReportType

PROFESSIONAL_STANDARDS = "Professional Standards"
_STANDARDS_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("reports", "triage_report"),
    ("reports", "view_report"),
    ("reports", "view_evidence"),
]

ACTION_FRAUD = {"text": "Report fraud or cyber crime to Action Fraud", "url": "https://www.actionfraud.police.uk/"}
CRIMESTOPPERS = {
    "text": "Tell Crimestoppers anonymously: call 0800 555 111 or use their online form",
    "url": "https://crimestoppers-uk.org/",
}
VICTIM_SUPPORT = {"text": "Get free, confidential help from Victim Support", "url": "https://www.victimsupport.org.uk/"}
IOPC = {"text": "Read about complaints on the IOPC's website", "url": "https://www.policeconduct.gov.uk/complaints"}
HIGHWAYS = {
    "text": "Report a pothole or a broken street light to your council",
    "url": "https://www.gov.uk/report-pothole",
}

_ITEMS = [
    ("phone", "Mobile phone"),
    ("wallet", "Wallet or purse"),
    ("bag", "Bag"),
    ("keys", "Keys"),
    ("jewellery", "Jewellery or watch"),
    ("documents", "Passport, licence or other documents"),
    ("bike", "Bicycle"),
    ("other", "Something else"),
]


def _choices(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"value": value, "label": label} for value, label in pairs]


def q(key: str, label: str, kind: str = Question.Kind.TEXT, page: int = 1, **extra: Any) -> dict[str, Any]:
    return {"key": key, "label": label, "kind": kind, "page": page, **extra}


T, TA, CH, MC, YN, D, TM, N = (
    Question.Kind.TEXT,
    Question.Kind.TEXTAREA,
    Question.Kind.CHOICE,
    Question.Kind.MULTICHOICE,
    Question.Kind.YES_NO,
    Question.Kind.DATE,
    Question.Kind.TIME,
    Question.Kind.NUMBER,
)
WHEN_HINT = "For example, 27 3 2026. If you are not sure, give your best guess."

DEFAULT_TYPES: list[dict[str, Any]] = [
    {
        "slug": "crime",
        "name": "Report a non-emergency crime",
        "kind": ReportType.Kind.CRIME,
        "summary": "Theft, criminal damage or another crime that is not happening now.",
        "start_page": "Use this service to report a crime that has already happened and where nobody is in danger."
        "\n\nIt takes about 10 minutes. You can add photos, videos or documents.",
        "signposts": [ACTION_FRAUD, CRIMESTOPPERS, VICTIM_SUPPORT],
        "location": ReportType.Location.OPTIONAL,
        "allows_evidence": True,
        "sla": (24, 72),
        "questions": [
            q(
                "crime_kind",
                "What kind of crime are you reporting?",
                CH,
                1,
                choices=_choices(
                    [
                        ("theft", "Theft"),
                        ("vehicle", "Theft from or of a vehicle"),
                        ("damage", "Criminal damage or graffiti"),
                        ("shed", "Break-in to a shed or garage"),
                        ("shoplifting", "Shoplifting"),
                        ("other", "Something else"),
                    ]
                ),
            ),
            q("what", "Tell us what happened", TA, 2, hint="Include what was taken or damaged, if anything."),
            q("when", "When did it happen?", D, 3, hint=WHEN_HINT, page_title="When it happened"),
            q("when_time", "What time did it happen?", TM, 3, required=False, hint="For example, 14:30"),
            q("suspect", "Do you know who did it, or could you describe them?", YN, 4, page_title="Who did it"),
            q(
                "suspect_details",
                "Tell us who did it or describe them",
                TA,
                4,
                condition={"question": "suspect", "in": ["yes"]},
            ),
            q(
                "victim",
                "Who was the victim?",
                CH,
                5,
                choices=_choices([("me", "Me"), ("someone", "Someone else"), ("business", "A business")]),
            ),
            q("value", "Roughly how much, in pounds, was taken or damaged?", N, 6, required=False),
        ],
    },
    {
        "slug": "incident",
        "name": "Report an incident",
        "kind": ReportType.Kind.INCIDENT,
        "summary": "Anti-social behaviour, a problem on the roads, or something else that worries you.",
        "start_page": "Use this service to tell us about anti-social behaviour, dangerous or obstructive driving and "
        "parking, or another incident that is not an emergency.\n\nIt takes about 10 minutes.",
        "signposts": [CRIMESTOPPERS, HIGHWAYS],
        "location": ReportType.Location.REQUIRED,
        "allows_evidence": True,
        "sla": (48, 120),
        "questions": [
            q(
                "incident_kind",
                "What is it about?",
                CH,
                1,
                choices=_choices(
                    [
                        ("asb", "Anti-social behaviour"),
                        ("road", "Something on the roads, like dangerous driving or parking"),
                        ("other", "Something else"),
                    ]
                ),
            ),
            q(
                "asb_kind",
                "What kind of anti-social behaviour?",
                MC,
                2,
                hint="Select all that apply.",
                choices=_choices(
                    [
                        ("noise", "Noise"),
                        ("rowdy", "Rowdy or threatening behaviour"),
                        ("vandalism", "Vandalism or graffiti"),
                        ("drugs", "Drug use or dealing"),
                        ("vehicles", "Nuisance vehicles or off-road bikes"),
                        ("other", "Something else"),
                    ]
                ),
                condition={"question": "incident_kind", "in": ["asb"]},
            ),
            q(
                "road_kind",
                "What is happening on the road?",
                CH,
                2,
                choices=_choices(
                    [
                        ("driving", "Dangerous or careless driving"),
                        ("parking", "Obstructive or dangerous parking"),
                        ("abandoned", "An abandoned vehicle"),
                        ("other", "Something else"),
                    ]
                ),
                condition={"question": "incident_kind", "in": ["road"]},
            ),
            q(
                "registration",
                "Vehicle registration number, if you know it",
                T,
                2,
                required=False,
                max_length=10,
                condition={"question": "incident_kind", "in": ["road"]},
            ),
            q("what", "Tell us what happened", TA, 3),
            q("ongoing", "Is it still happening?", YN, 3, hint="If someone is in danger now, call 999."),
            q("when", "When did it start?", D, 4, hint=WHEN_HINT, page_title="When it happened"),
            q(
                "how_often",
                "How often does it happen?",
                CH,
                4,
                required=False,
                choices=_choices([("once", "This was the first time"), ("weekly", "Every week"), ("daily", "Daily")]),
            ),
        ],
    },
    {
        "slug": "contact",
        "name": "Contact an officer",
        "kind": ReportType.Kind.CONTACT,
        "summary": "Send a message to a named officer or to your neighbourhood team.",
        "start_page": "Use this service to get in touch with an officer or your neighbourhood policing team about "
        "something that is not urgent. We aim to reply within 3 working days.",
        "signposts": [],
        "location": ReportType.Location.OPTIONAL,
        "asks_named_officer": True,
        "sla": (72, 168),
        "questions": [
            q(
                "about",
                "What is your message about?",
                CH,
                1,
                choices=_choices(
                    [
                        ("report", "A report I have already made"),
                        ("neighbourhood", "Something in my neighbourhood"),
                        ("other", "Something else"),
                    ]
                ),
            ),
            q(
                "existing_reference",
                "Your reference number, if you have one",
                T,
                1,
                required=False,
                max_length=30,
                condition={"question": "about", "in": ["report"]},
            ),
            q("message", "Your message", TA, 2),
            q(
                "reply_by",
                "How would you like us to reply?",
                CH,
                3,
                choices=_choices([("email", "By email"), ("phone", "By phone")]),
            ),
        ],
    },
    {
        "slug": "compliment",
        "name": "Pay a compliment",
        "kind": ReportType.Kind.COMPLIMENT,
        "summary": "Thank an officer, member of staff or team.",
        "start_page": "Tell us about an officer, member of staff or team who helped you. We will pass your words on.",
        "signposts": [],
        "location": ReportType.Location.NONE,
        "asks_named_officer": True,
        "open311": False,
        "sla": (168, 336),
        "questions": [
            q(
                "who",
                "Who would you like to thank?",
                T,
                1,
                required=False,
                hint="Their name, collar number or team, if you know it.",
                max_length=200,
            ),
            q("what", "What did they do?", TA, 2),
            q("when", "When was this?", D, 3, required=False, hint=WHEN_HINT),
        ],
    },
    {
        "slug": "complaint",
        "name": "Make a complaint about the police",
        "kind": ReportType.Kind.COMPLAINT,
        "summary": "Complain about how an officer or member of staff behaved, or about the service you got.",
        "start_page": "Our Professional Standards Department handles complaints. You can also complain through the "
        "Independent Office for Police Conduct (IOPC), which will pass your complaint to us.\n\n"
        "We will contact you within 5 working days.",
        "signposts": [IOPC],
        "location": ReportType.Location.NONE,
        "allows_evidence": True,
        "open311": False,
        "handling_group": PROFESSIONAL_STANDARDS,
        "sla": (48, 120),
        "questions": [
            q(
                "complaint_about",
                "What is your complaint about?",
                CH,
                1,
                choices=_choices(
                    [
                        ("behaviour", "How an officer or member of staff behaved"),
                        ("service", "The service I got, or how something was handled"),
                        ("policy", "One of our policies"),
                    ]
                ),
            ),
            q(
                "people",
                "Who was involved?",
                T,
                2,
                required=False,
                hint="Names or collar numbers, if you know them.",
                max_length=300,
                condition={"question": "complaint_about", "in": ["behaviour"]},
            ),
            q("what", "Tell us what happened", TA, 2),
            q("when", "When did it happen?", D, 3, hint=WHEN_HINT),
            q("put_right", "What would you like us to do to put things right?", TA, 4, required=False),
        ],
    },
    {
        "slug": "lost",
        "name": "Report lost property",
        "kind": ReportType.Kind.LOST,
        "summary": "Tell us about something you have lost, in case it is handed in.",
        "start_page": "We will contact you only if something matching your description is handed in.\n\n"
        "If your passport is lost, also tell HM Passport Office. If you think it was stolen, report a crime instead.",
        "signposts": [
            {"text": "Report a lost or stolen passport", "url": "https://www.gov.uk/report-a-lost-or-stolen-passport"}
        ],
        "location": ReportType.Location.OPTIONAL,
        "sla": (120, 240),
        "questions": [
            q("item_kind", "What have you lost?", CH, 1, choices=_choices(_ITEMS)),
            q(
                "imei",
                "The phone's IMEI number, if you know it",
                T,
                1,
                required=False,
                max_length=20,
                hint="Dial *#06# on another phone of the same make to see where to find it.",
                condition={"question": "item_kind", "in": ["phone"]},
            ),
            q("description", "Describe it", TA, 2, hint="Colour, make, anything distinctive."),
            q("when", "When did you lose it?", D, 3, hint=WHEN_HINT),
            q("value", "Roughly how much is it worth, in pounds?", N, 3, required=False),
        ],
    },
    {
        "slug": "found",
        "name": "Report found property",
        "kind": ReportType.Kind.FOUND,
        "summary": "Tell us about something you have found.",
        "start_page": "If you found a weapon, drugs or something dangerous, do not touch it: call 101, "
        "or 999 if anyone is in danger.",
        "signposts": [],
        "location": ReportType.Location.REQUIRED,
        "allows_evidence": True,
        "sla": (48, 120),
        "questions": [
            q("item_kind", "What have you found?", CH, 1, choices=_choices(_ITEMS)),
            q("description", "Describe it", TA, 2, hint="Colour, make, anything distinctive."),
            q("when", "When did you find it?", D, 3, hint=WHEN_HINT),
            q("kept", "Do you still have it?", YN, 4),
            q(
                "handed_to",
                "Who did you hand it to?",
                T,
                4,
                max_length=200,
                condition={"question": "kept", "in": ["no"]},
            ),
        ],
    },
    {
        "slug": "join-us",
        "name": "Join us",
        "kind": ReportType.Kind.JOIN,
        "summary": "Find out about becoming an officer, special constable, member of staff, cadet or volunteer.",
        "start_page": "Tell us what interests you and our recruitment team will get in touch.",
        "signposts": [{"text": "Read about joining the police", "url": "https://www.joiningthepolice.co.uk/"}],
        "location": ReportType.Location.NONE,
        "open311": False,
        "sla": (168, 336),
        "questions": [
            q(
                "role",
                "What are you interested in?",
                CH,
                1,
                choices=_choices(
                    [
                        ("officer", "Becoming a police officer"),
                        ("special", "Becoming a special constable (a volunteer officer)"),
                        ("staff", "Working as a member of police staff"),
                        ("cadet", "Joining the volunteer police cadets (ages 13 to 17)"),
                        ("volunteer", "Volunteering"),
                    ]
                ),
            ),
            q(
                "age",
                "How old are you?",
                CH,
                2,
                choices=_choices([("under16", "Under 16"), ("16to17", "16 or 17"), ("18plus", "18 or over")]),
            ),
            q("why", "Tell us a little about why you are interested", TA, 3, required=False, max_length=2000),
        ],
    },
]


def professional_standards_group() -> Group:
    """The complaints team's group: into the back office, and to reports of types it handles."""
    group, _ = Group.objects.get_or_create(name=PROFESSIONAL_STANDARDS)
    for app_label, codename in _STANDARDS_PERMISSIONS:
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            group.permissions.add(permission)
    return group


@transaction.atomic
def report_types_seed() -> int:
    """Create the default report types that are missing (by slug). Returns how many were created."""
    existing = set(ReportType.objects.values_list("slug", flat=True))
    created = 0
    for order, spec in enumerate(DEFAULT_TYPES):
        if spec["slug"] in existing:
            continue
        fields = {k: v for k, v in spec.items() if k not in {"questions", "sla", "handling_group"}}
        amber, red = spec["sla"]
        report_type = ReportType.objects.create(
            **fields,
            sort_order=order * 10,
            sla_amber_hours=amber,
            sla_red_hours=red,
            handling_group=professional_standards_group() if spec.get("handling_group") else None,
        )
        Question.objects.bulk_create(
            Question(report_type=report_type, sort_order=n, **question) for n, question in enumerate(spec["questions"])
        )
        created += 1
    return created
