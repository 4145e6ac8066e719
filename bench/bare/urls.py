from django.contrib import admin
from django.urls import path

from bench.bare.rows import views

urlpatterns = [
    path("", views.rows, name="rows"),
    path("admin/", admin.site.urls),
]
