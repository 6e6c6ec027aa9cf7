from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "openbeat.surveys"
    label = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        from openbeat.core.metric_sources import register_metric_source
        from openbeat.surveys.indices import index_figures
        from openbeat.surveys.metrics import survey_figures

        # The board report's "Events and surveys": survey responses and surveys run, per month and division.
        register_metric_source("surveys", survey_figures)
        # Each index the force defines: a score per neighbourhood (with its division) and month.
        register_metric_source("survey_indices", index_figures)
