from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账号与权限"

    def ready(self):
        from accounts import admin_tokens  # noqa: F401  API tokens in /admin/ for the system administrator only
