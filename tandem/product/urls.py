app_name = "product"

urlpatterns: list = []
