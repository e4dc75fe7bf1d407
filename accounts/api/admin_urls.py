app_name = "admin-api"

urlpatterns: list = []
