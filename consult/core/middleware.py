"""Headers every response of ours carries (static files are served before this, without them)."""

from django.conf import settings


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy on every response, and `no-store` on everything a signed-in
    user is shown: case pages, records, exports and JSON all carry clinical content, and a shared
    computer's browser cache or a proxy must keep none of it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response
