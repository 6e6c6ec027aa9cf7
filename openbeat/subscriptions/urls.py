from openbeat.subscriptions.urls_preferences import urlpatterns as preferences
from openbeat.subscriptions.urls_signup import urlpatterns as signup

app_name = "subscriptions"
# Mounted at /in-the-know/: the sign-up journey and confirmation; magic links and the preferences page.
urlpatterns = [*signup, *preferences]
