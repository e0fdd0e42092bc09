from django.urls import path

from docuflow.accounts import views

urlpatterns = [
    path("auth/login/", views.LoginView.as_view(), name="auth-login"),
    path("auth/token/refresh/", views.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("tenants/me/", views.TenantMeView.as_view(), name="tenant-me"),
    path("tenants/members/", views.MemberListView.as_view(), name="tenant-members"),
    path("tenants/members/<uuid:pk>/", views.MemberDetailView.as_view(), name="tenant-member"),
]
