# Instagram: a network choice, and the network's own handle for a post's attempt (Instagram's media container).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('social', '0004_social_queued_at'),
    ]

    operations = [
        migrations.AlterField(
            model_name='socialaccount',
            name='network',
            field=models.CharField(choices=[('fake', 'Fake'), ('mastodon', 'Mastodon'), ('bluesky', 'Bluesky'), ('facebook', 'Facebook'), ('x', 'X'), ('instagram', 'Instagram')], max_length=20),
        ),
        migrations.AddField(
            model_name='posttarget',
            name='attempt_handle',
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
    ]
