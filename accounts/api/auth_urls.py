app_name = "authentication-api"

urlpatterns: list = []
