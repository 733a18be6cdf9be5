"""The notification inbox (pages under /notifications/)."""

urlpatterns: list = []
