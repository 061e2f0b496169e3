from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_users
from accounts.forms import ThrottledLoginForm

app_name = "accounts"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=ThrottledLoginForm,
                                               template_name="accounts/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views_users.UserListView.as_view(), name="user_list"),
    path("users/new/", views_users.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", views_users.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/reset-password/", views_users.UserResetPasswordView.as_view(), name="user_reset_password"),
]
