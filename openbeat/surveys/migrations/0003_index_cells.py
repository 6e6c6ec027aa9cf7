# The survey indices' precomputed partial sums (SurveyIndexCell), the months whose responses changed since
# (SurveyIndexDirtyMonth), and when an index's cells were last brought up to date (SurveyIndex.figures_at) and
# from when their newest computation is (SurveyIndex.cells_from).
# Existing indices start with no figures: the scheduler's survey_indices job (or the first page that asks, for a
# small one) computes them.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0002_officer_app_invitations_exports_indices'),
    ]

    operations = [
        migrations.AddField(
            model_name='surveyindex',
            name='figures_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='surveyindex',
            name='cells_from',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name='SurveyIndexCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.CharField(help_text='YYYY-MM, the day\'s month.', max_length=7)),
                ('day', models.DateField()),
                ('neighbourhood_id', models.PositiveIntegerField(blank=True, null=True)),
                ('division_id', models.PositiveIntegerField(blank=True, null=True)),
                ('respondents', models.PositiveIntegerField()),
                ('score_sum', models.FloatField()),
                ('index', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='cells', to='surveys.surveyindex')),
                ('survey', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
            ],
            options={
                'indexes': [
                    models.Index(fields=['index', 'survey', 'month'], name='surveyindexcell_month_idx'),
                    models.Index(fields=['survey'], name='surveyindexcell_survey_idx'),
                ],
            },
        ),
        migrations.CreateModel(
            name='SurveyIndexDirtyMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.CharField(help_text='YYYY-MM in the force\'s time zone.', max_length=7)),
                ('marked_at', models.DateTimeField(auto_now_add=True)),
                ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='surveys.survey')),
            ],
        ),
    ]
