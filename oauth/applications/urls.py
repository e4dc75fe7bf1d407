"""Console routes of third-party applications (``oauth.applications.views``).

Two groups, mounted in portal/urls.py: ``urlpatterns`` at /developer/ (namespace ``developer``)
and ``operator_patterns`` at /operator/apps/ (``operator``).
"""

from django.urls import path

from oauth.applications import views

app_name = "developer"

urlpatterns = [
    path("", views.developer_home, name="home"),
    path("apps/<int:pk>/", views.developer_application, name="application_detail"),
    path("apps/<int:pk>/secret/", views.developer_secret_rotate, name="secret_rotate"),
]

operator_patterns = (
    [
        path("", views.operator_list, name="application_list"),
        path("<int:pk>/approve/", views.operator_approve, name="application_approve"),
        path("<int:pk>/reject/", views.operator_reject, name="application_reject"),
        path("<int:pk>/block/", views.operator_block, name="application_block"),
        path("<int:pk>/delete/", views.operator_delete, name="application_delete"),
    ],
    "operator",
)
