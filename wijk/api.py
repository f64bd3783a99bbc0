from ninja import NinjaAPI

api = NinjaAPI(title="Wijk API", version="1", urls_namespace="api")
