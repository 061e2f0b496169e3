"""Small response fixes shared by every page."""
from django.template.loader import render_to_string


class ChineseMethodNotAllowedMiddleware:
    """Django answers a wrong method (a GET on an action URL) with an empty 405; people get a Chinese page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and not request.path.startswith("/api/"):
            response.content = render_to_string("405.html", request=request)
            response["Content-Type"] = "text/html; charset=utf-8"
        return response
