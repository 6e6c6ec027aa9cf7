from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "openbeat.news"
    label = "news"
    verbose_name = "News and appeals"

    def ready(self) -> None:
        from openbeat.areas.sections import register_neighbourhood_section
        from openbeat.core.models import HomePage
        from openbeat.news.selectors import neighbourhood_news_section

        # The news index hangs from the force's home page. Core sits below news and cannot name it, so news adds
        # itself to the home page's allowed children (as the youth site does), before Wagtail first reads them.
        if "news.NewsIndexPage" not in HomePage.subpage_types:
            HomePage.subpage_types = [*HomePage.subpage_types, "news.NewsIndexPage"]
        # "News and appeals" on the public neighbourhood page, after the team and before the priorities (20).
        register_neighbourhood_section(
            "news",
            template="news/neighbourhood_section.html",
            context=neighbourhood_news_section,
            order=15,
        )
