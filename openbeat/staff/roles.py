"""The back office's roles, as Django groups with named permissions.

Role names are what the force calls them. `roles_sync()` makes the groups match this table; it is
idempotent and runs after every migrate, so a new permission added by a later app reaches its roles.
Later apps add their permissions to ROLE_PERMISSIONS.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

ADMINISTRATOR = "Administrator"
HQ_MEDIA = "HQ Media & Engagement"
DIVISION_LEAD = "Division lead"
NEIGHBOURHOOD_OFFICER = "Neighbourhood officer"
CONTACT_CENTRE = "Contact centre"
BOARD_VIEWER = "Board viewer"

ROLES = [ADMINISTRATOR, HQ_MEDIA, DIVISION_LEAD, NEIGHBOURHOOD_OFFICER, CONTACT_CENTRE, BOARD_VIEWER]

# "app_label.codename". Wagtail's own "access_admin" lets a role into the back office at all.
_BACK_OFFICE = ["wagtailadmin.access_admin"]
_AREAS_EDIT = ["areas.change_neighbourhood", "areas.add_station", "areas.change_station", "areas.delete_station"]
_AREAS_VIEW = ["areas.view_neighbourhood", "areas.view_station", "areas.view_division"]
_TEAMS_EDIT = [
    "staff.add_officer",
    "staff.change_officer",
    "staff.delete_officer",
    "staff.add_teammembership",
    "staff.change_teammembership",
    "staff.delete_teammembership",
]
_TEAMS_VIEW = ["staff.view_officer", "staff.view_teammembership"]

_ALERTS_SEND = ["alerts.send_alert", "alerts.view_alert"]
_ALERTS_APPROVE = ["alerts.approve_alert"]
# Those who handle replies also moderate rating comments. "delivery.view_reply_address" is in no role: an
# Administrator has it (every permission), and a force that wants it for a role adds it here.
_REPLIES = ["delivery.handle_reply", "delivery.view_reply", "delivery.moderate_rating"]
_REPORTS = ["reports.triage_report", "reports.view_report", "reports.view_evidence"]
_REPORT_TYPES_EDIT = [
    "reports.add_reporttype",
    "reports.change_reporttype",
    "reports.view_reporttype",
    "reports.add_question",
    "reports.change_question",
    "reports.delete_question",
]
_INSIGHTS = ["insights.view_insights"]
_INSIGHTS_IMPORT = [
    "insights.import_observations",
    "insights.view_account",
    "insights.add_account",
    "insights.change_account",
    "insights.view_reportinggroup",
    "insights.add_reportinggroup",
    "insights.change_reportinggroup",
    "insights.view_metric",
    "insights.add_metric",
    "insights.change_metric",
    "insights.delete_metric",
]
_INTERESTS_EDIT = ["subscriptions.add_interest", "subscriptions.change_interest", "subscriptions.view_interest"]
# "You said, we did" (openbeat.priorities) and residents' concerns' results with comments (openbeat.concerns):
# division staff for their division's neighbourhoods, force-wide roles for all.
_PRIORITIES = ["priorities.manage_priority", "concerns.view_concern_results"]
_CONCERNS_EDIT = ["concerns.add_concern", "concerns.change_concern", "concerns.view_concern"]
# Neighbourhood events (openbeat.events): division staff manage their division's; force-wide roles any.
_EVENTS = ["events.manage_event", "events.view_event"]
# Urgent warnings (openbeat.cap): publish a sent alert to the CAP feed aggregators read, update or cancel it;
# division leads for their division's alerts, HQ for all.
_CAP = ["cap.issue_warning"]
# PACT meetings (openbeat.meetings): moderate questions, answer live, record minutes and actions; division
# staff for their division's meetings, force-wide roles all. The word lists are force-wide: HQ edits them.
_MEETINGS = ["meetings.moderate_meeting"]
_MEETING_WORDS = ["meetings.view_wordlist", "meetings.change_wordlist"]
# Young people's anonymous questions (openbeat.youth): answered by the force-wide media and engagement team. Who
# gets safeguarding alerts is set by administrators ("youth.change_safeguardingsettings", in no role).
_YOUTH = ["youth.answer_question"]
# Appeals (openbeat.news): post updates and set outcomes (which send follow-up alerts); division staff for appeals
# about their division, HQ for all. The pages themselves are edited through Wagtail's workflow (news.moderation).
_APPEALS = ["news.manage_appeal"]
# Campaigns (openbeat.campaigns): division leads run their division's, HQ media the force's; officers see results.
_CAMPAIGNS = ["campaigns.view_campaign", "campaigns.manage_campaign"]
# Social media publishing (openbeat.social): officers write posts for their division's accounts, division leads
# and HQ approve them (never their own); HQ connects accounts and edits the legal-risk wordings.
_SOCIAL_POST = ["social.add_post", "social.view_post"]
_SOCIAL_APPROVE = ["social.approve_post"]
_SOCIAL_MANAGE = [
    "social.manage_socialaccount",
    "social.view_legalpattern",
    "social.add_legalpattern",
    "social.change_legalpattern",
    "social.delete_legalpattern",
]
# Surveys (openbeat.surveys): division leads build their division's, HQ the force's; officers see results.
_SURVEYS = ["surveys.manage_survey", "surveys.view_survey_results"]

# Citizens in Policing (openbeat.volunteers): division leads enter and import their division's monthly counts and
# manage its volunteering opportunities; HQ all divisions' and force-wide opportunities; board viewers see counts.
_VOLUNTEERS = ["volunteers.view_counts", "volunteers.manage_counts", "volunteers.manage_opportunity"]

# Watch schemes (openbeat.schemes): verify, suspend and edit the schemes of one's division (HQ: every division).
_SCHEMES = ["schemes.manage_scheme"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    ADMINISTRATOR: [],  # every permission: see roles_sync()
    HQ_MEDIA: [
        *_BACK_OFFICE,
        "staff.force_wide",
        *_AREAS_VIEW,
        *_AREAS_EDIT,
        *_TEAMS_VIEW,
        *_TEAMS_EDIT,
        "audit.view_auditentry",
        *_ALERTS_SEND,
        *_ALERTS_APPROVE,
        "alerts.send_force_wide_alert",
        "alerts.manage_force_templates",
        *_EVENTS,
        *_CAP,
        *_MEETINGS,
        *_MEETING_WORDS,
        *_YOUTH,
        *_APPEALS,
        *_CAMPAIGNS,
        *_SCHEMES,
        *_VOLUNTEERS,
        *_SURVEYS,
        *_SOCIAL_POST,
        *_SOCIAL_APPROVE,
        *_SOCIAL_MANAGE,
        *_REPLIES,
        *_INTERESTS_EDIT,
        "subscriptions.import_subscribers",
        "subscriptions.look_up_subscriber",
        *_REPORTS,
        *_REPORT_TYPES_EDIT,
        *_INSIGHTS,
        *_INSIGHTS_IMPORT,
        *_PRIORITIES,
        *_CONCERNS_EDIT,
        "crime.view_crime_import",  # the record of data.police.uk crime imports (force-wide)
        "wagtailcore.add_page",
        "wagtailcore.change_page",
        "wagtailcore.publish_page",
    ],
    DIVISION_LEAD: [
        *_BACK_OFFICE,
        *_AREAS_VIEW,
        *_AREAS_EDIT,
        *_TEAMS_VIEW,
        *_TEAMS_EDIT,
        "audit.view_auditentry",
        *_ALERTS_SEND,
        *_ALERTS_APPROVE,
        *_EVENTS,
        *_CAP,
        *_MEETINGS,
        *_APPEALS,
        *_CAMPAIGNS,
        *_SCHEMES,
        *_VOLUNTEERS,
        *_SURVEYS,
        *_SOCIAL_POST,
        *_SOCIAL_APPROVE,
        *_REPLIES,
        *_REPORTS,
        *_INSIGHTS,
        *_PRIORITIES,
    ],
    NEIGHBOURHOOD_OFFICER: [
        *_BACK_OFFICE,
        *_AREAS_VIEW,
        *_TEAMS_VIEW,
        "campaigns.view_campaign",
        *_SCHEMES,
        "surveys.view_survey_results",
        *_SOCIAL_POST,
        *_ALERTS_SEND,
        *_EVENTS,
        *_MEETINGS,
        *_REPLIES,
        *_REPORTS,
        *_PRIORITIES,
    ],
    # Contact-centre staff see every division's alerts (to answer residents) but do not send them.
    # Contact-centre staff also handle residents' replies force-wide, urgent ones first (24/7).
    CONTACT_CENTRE: [
        *_BACK_OFFICE,
        "staff.force_wide",
        *_AREAS_VIEW,
        *_TEAMS_VIEW,
        "alerts.view_alert",
        "events.view_event",
        *_REPLIES,
        *_REPORTS,
        # Finds a resident who phones (by exact email or number) and changes what they ask for, with their say-so.
        "subscriptions.look_up_subscriber",
    ],
    BOARD_VIEWER: [*_BACK_OFFICE, "staff.force_wide", *_INSIGHTS, "volunteers.view_counts"],
}


def _permission_ids(labels: list[str], known: dict[tuple[str, str], int]) -> set[int]:
    wanted = {(app_label, codename) for app_label, codename in (label.split(".", 1) for label in labels)}
    missing = wanted - known.keys()
    if missing:
        raise LookupError(f"Unknown permissions in ROLE_PERMISSIONS: {sorted('.'.join(m) for m in missing)}")
    return {known[label] for label in wanted}


def roles_sync() -> dict[str, Group]:
    """Make the role groups match ROLE_PERMISSIONS. Three queries when they already do (every migrate, every
    demo load and every test's staff login calls it): the permissions and the groups' links are read once, and
    only a group whose links differ is written."""
    known = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
    }
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
    for role in ROLES:
        if role not in groups:
            groups[role], _ = Group.objects.get_or_create(name=role)
    links: dict[int, set[int]] = {group.pk: set() for group in groups.values()}
    through = Group.permissions.through
    for group_id, permission_id in through.objects.filter(group__in=list(groups.values())).values_list(
        "group_id", "permission_id"
    ):
        links[group_id].add(permission_id)
    for role in ROLES:
        group = groups[role]
        wanted = set(known.values()) if role == ADMINISTRATOR else _permission_ids(ROLE_PERMISSIONS[role], known)
        if links[group.pk] != wanted:
            group.permissions.set(wanted)
    return {role: groups[role] for role in ROLES}
