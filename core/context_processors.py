"""What every page of the shell needs: the menu, the unread count, the user's role and scope."""
from core.menu import menu_for


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    return {
        "menu": menu_for(user, request.path),
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
    }
