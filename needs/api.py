"""API for survey campaigns, town profiles, needs (with search and bulk confirm/return) and the taxonomy."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api import ScopedModelViewSet, ScopedReadOnlyViewSet, django_errors_to_drf
from core.api import read_input as _input  # the shared API helpers
from core.scoping import VIEW, restrict
from needs import services
from needs.choices import ServiceType
from needs.filters import NeedFilter
from needs.models import (
    CampaignTown, IndustryCategory, IndustryProblem, IndustryProduct, Need, SurveyCampaign, TownProfile,
)
from needs.search import search_needs
from regions.models import Town, Village


class NeedSerializer(serializers.ModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)
    county_name = serializers.CharField(source="town.county.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    service_types = serializers.ListField(child=serializers.ChoiceField(choices=ServiceType.choices))
    villages = serializers.PrimaryKeyRelatedField(many=True, queryset=Village.objects.all(), required=False)

    class Meta:
        model = Need
        fields = ["id", "cycle", "town", "town_name", "county_name", "villages", "title", "description", "category",
                  "category_name", "service_types", "priority", "expected_outcome", "surveyed_by", "surveyed_on",
                  "status", "status_display", "status_reason", "created_at"]
        read_only_fields = ["status", "status_reason", "created_at"]


class NeedActionInput(serializers.Serializer):
    comment = serializers.CharField(default="", allow_blank=True, max_length=2000)


class NeedBulkInput(NeedActionInput):
    action = serializers.ChoiceField(choices=[("confirm", "确认"), ("return", "退回")],
                                     error_messages={"invalid_choice": "只能是 confirm 或 return。"})
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=5000)




class NeedViewSet(ScopedModelViewSet):
    """Needs in scope. ``?q=`` is the Chinese full-text search (synonyms and broader products included).

    Writes go through the needs services; ``confirm``/``return``/``close``/``resubmit`` are workflow actions,
    ``bulk`` confirms or returns many at once (all or none).
    """

    queryset = Need.objects.select_related("town", "town__county", "category").prefetch_related("villages")
    serializer_class = NeedSerializer
    filterset_class = NeedFilter
    search_fields = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return search_needs(super().get_queryset(), self.request.query_params.get("q", ""))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            need = services.need_create(actor=self.request.user, villages=data.pop("villages", []), **data)
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise django_errors_to_drf(error)
        serializer.instance = need

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)  # a changed cycle or town is refused by the service, by name
        try:
            serializer.instance = services.need_update(actor=self.request.user, need=serializer.instance,
                                                       villages=data.pop("villages", None), **data)
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise django_errors_to_drf(error)

    def _act(self, request, name):
        # Any id the URL carries ("abc" too) is looked up within scope: not found is 404.
        need = get_object_or_404(restrict(Need.objects.select_related("town"), request.user, VIEW), pk=self.kwargs["pk"])
        data = _input(NeedActionInput, request)
        try:
            services.need_transition(actor=request.user, need=need, action=name, comment=data["comment"])
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise django_errors_to_drf(error)
        return Response(NeedSerializer(need).data)

    @extend_schema(request=NeedActionInput)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._act(request, "confirm")

    @extend_schema(request=NeedActionInput)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._act(request, "return")

    @extend_schema(request=NeedActionInput)
    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        return self._act(request, "resubmit")

    @extend_schema(request=NeedActionInput)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(request, "close")

    @extend_schema(request=NeedBulkInput)
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """``{"action": "confirm"|"return", "ids": [...], "comment": ""}``: the needs the caller may act on, all or none;
        the others are listed under ``skipped`` with the reason."""
        data = _input(NeedBulkInput, request)
        needs = list(restrict(Need.objects.select_related("town"), request.user, VIEW).filter(pk__in=data["ids"]))
        result = services.needs_bulk_transition(actor=request.user, needs=needs, action=data["action"],
                                                comment=data["comment"])
        if result.refused:
            raise ValidationError({"refused": [{"id": need.pk, "reason": reason} for need, reason in result.refused]})
        return Response({"done": [need.pk for need in result.done],
                         "skipped": [{"id": need.pk, "reason": str(reason)} for need, reason in result.skipped]})


class TownProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = TownProfile
        fields = ["id", "cycle", "town", *services.PROFILE_FIELDS, "updated_at"]


class TownProfileViewSet(ScopedModelViewSet):
    """Town profiles (镇域发展情况); POST creates or updates the profile of (cycle, town)."""

    queryset = TownProfile.objects.select_related("town", "cycle").order_by("cycle_id", "town__code")
    serializer_class = TownProfileSerializer
    filterset_fields = ["cycle", "town"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = services.profile_save(actor=self.request.user, cycle=data.pop("cycle"),
                                                        town=data.pop("town"), **data)
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise django_errors_to_drf(error)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        profile = serializer.instance
        for locked in ("cycle", "town"):
            value = data.pop(locked, None)
            if value is not None and value.pk != getattr(profile, locked + "_id"):
                raise ValidationError({locked: "镇域发展情况的帮扶周期和镇不能修改。"})
        try:
            serializer.instance = services.profile_save(actor=self.request.user, cycle=profile.cycle, town=profile.town, **data)
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise django_errors_to_drf(error)


class CampaignTownSerializer(serializers.ModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)

    class Meta:
        model = CampaignTown
        fields = ["town", "town_name", "submitted_at"]


class SurveyCampaignSerializer(serializers.ModelSerializer):
    towns = serializers.PrimaryKeyRelatedField(many=True, queryset=Town.objects.all(), write_only=True)
    town_rows = CampaignTownSerializer(source="campaign_towns", many=True, read_only=True)

    class Meta:
        model = SurveyCampaign
        fields = ["id", "cycle", "title", "organizer_level", "county", "due_date", "instructions", "status", "towns",
                  "town_rows"]
        read_only_fields = ["organizer_level", "county", "status"]


class SurveyCampaignViewSet(ScopedModelViewSet):
    """Needs surveys; POST opens one over towns the caller organizes."""

    queryset = SurveyCampaign.objects.select_related("cycle", "county").prefetch_related("campaign_towns__town")
    serializer_class = SurveyCampaignSerializer
    filterset_fields = ["cycle", "status"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().distinct()

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.campaign_open(actor=self.request.user, cycle=data["cycle"], title=data["title"],
                                                         due_date=data["due_date"], towns=data["towns"],
                                                         instructions=data.get("instructions", ""))
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise django_errors_to_drf(error)


class IndustryProductSerializer(serializers.ModelSerializer):
    parents = serializers.SlugRelatedField(many=True, slug_field="name", queryset=IndustryProduct.objects.all(),
                                           required=False)

    class Meta:
        model = IndustryProduct
        fields = ["id", "category", "name", "synonyms", "parents"]


class IndustryCategorySerializer(serializers.ModelSerializer):
    products = serializers.SlugRelatedField(many=True, slug_field="name", read_only=True)

    class Meta:
        model = IndustryCategory
        fields = ["id", "name", "order", "products"]


class IndustryCategoryViewSet(ScopedReadOnlyViewSet):
    """Industry categories with their product names."""

    queryset = IndustryCategory.objects.prefetch_related("products")
    serializer_class = IndustryCategorySerializer
    pagination_class = None


class IndustryProductViewSet(ScopedModelViewSet):
    """Products with their other names and broader products; the city S&T bureau edits them."""

    queryset = IndustryProduct.objects.select_related("category").prefetch_related("parents")
    serializer_class = IndustryProductSerializer
    filterset_fields = ["category"]
    search_fields = ["name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _save(self, serializer):
        data = dict(serializer.validated_data)
        parents = data.pop("parents", None)
        synonyms = data.pop("synonyms", None)
        product = serializer.instance or IndustryProduct()
        for name, value in data.items():
            setattr(product, name, value)
        try:
            serializer.instance = services.product_save(
                actor=self.request.user, product=product,
                synonyms=synonyms if synonyms is not None else product.synonyms,
                parents=parents if parents is not None else (list(product.parents.all()) if product.pk else []))
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise django_errors_to_drf(error)

    perform_create = _save
    perform_update = _save


class IndustryProblemSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="name", queryset=IndustryCategory.objects.all())
    products = serializers.SlugRelatedField(many=True, slug_field="name", queryset=IndustryProduct.objects.all(),
                                            required=False)
    phrases = serializers.ListField(child=serializers.CharField(max_length=services.PHRASE_MAX_CHARS), required=False,
                                    max_length=services.PHRASES_MAX)
    terms = serializers.ListField(child=serializers.CharField(max_length=services.PHRASE_MAX_CHARS), required=False,
                                  max_length=services.PHRASES_MAX)

    class Meta:
        model = IndustryProblem
        fields = ["id", "category", "name", "products", "phrases", "terms"]


class IndustryProblemViewSet(ScopedModelViewSet):
    """Problems with how towns say them (phrases) and how teams name them (terms); the city S&T bureau edits them."""

    queryset = IndustryProblem.objects.select_related("category").prefetch_related("products")
    serializer_class = IndustryProblemSerializer
    filterset_fields = ["category"]
    search_fields = ["name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _save(self, serializer):
        data = dict(serializer.validated_data)
        products = data.pop("products", None)
        phrases = data.pop("phrases", None)
        terms = data.pop("terms", None)
        problem = serializer.instance or IndustryProblem()
        for name, value in data.items():
            setattr(problem, name, value)
        try:
            serializer.instance = services.problem_save(
                actor=self.request.user, problem=problem,
                phrases=phrases if phrases is not None else problem.phrases,
                terms=terms if terms is not None else problem.terms,
                products=products if products is not None else (list(problem.products.all()) if problem.pk else []))
        except (DjangoValidationError, DjangoPermissionDenied) as error:
            raise django_errors_to_drf(error)

    perform_create = _save
    perform_update = _save


def register_routes(router):
    router.register("needs", NeedViewSet)
    router.register("town-profiles", TownProfileViewSet)
    router.register("survey-campaigns", SurveyCampaignViewSet)
    router.register("industry-categories", IndustryCategoryViewSet)
    router.register("industry-products", IndustryProductViewSet)
    router.register("industry-problems", IndustryProblemViewSet)
