"""Filters of the evaluation, reward and training lists."""
from __future__ import annotations

import django_filters

from evaluations.choices import EvaluationStatus, Grade, RewardLevel, TrainingKind
from evaluations.models import Evaluation, Reward, Training


class EvaluationFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label="年度", min_value=2000, max_value=2100, error_messages={"invalid": "年度应为四位数年份。"})
    grade = django_filters.ChoiceFilter(label="考评等次", choices=Grade.choices, empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=EvaluationStatus.choices, empty_label="全部")

    class Meta:
        model = Evaluation
        fields = ["year", "grade", "status"]


class RewardFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(label="级别", choices=RewardLevel.choices, empty_label="全部")
    year = django_filters.NumberFilter(label="年度", field_name="date", lookup_expr="year", min_value=2000, max_value=2100,
                                       error_messages={"invalid": "年度应为四位数年份。"})

    class Meta:
        model = Reward
        fields = ["level", "year"]


class TrainingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="类型", choices=TrainingKind.choices, empty_label="全部")
    year = django_filters.NumberFilter(label="年度", field_name="date", lookup_expr="year", min_value=2000, max_value=2100,
                                       error_messages={"invalid": "年度应为四位数年份。"})

    class Meta:
        model = Training
        fields = ["kind", "year"]
