from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "专家论证与立项资助"

    def ready(self):
        # An expert reads the projects assigned to them for review (not those they declined or were removed from).
        from core.scoping import register_view_grant
        from reviews.selectors import assigned_projects_q

        register_view_grant("projects.Project", assigned_projects_q)
