from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("data/", views.your_data, name="your-data"),
    path("data/export/", views.export, name="export"),
    path("data/delete/", views.delete, name="delete"),
]
