"""Seed the problem knowledge (lay phrasings and disciplinary terms) from the file shipped with the matching engine."""
import json
from pathlib import Path

from django.db import migrations

TAXONOMY = Path(__file__).resolve().parents[2] / "matching" / "engine" / "data" / "taxonomy.json"


def seed(apps, schema_editor):
    Category = apps.get_model("needs", "IndustryCategory")
    Product = apps.get_model("needs", "IndustryProduct")
    Problem = apps.get_model("needs", "IndustryProblem")
    if Problem.objects.exists() or not Category.objects.exists():
        return
    data = json.loads(TAXONOMY.read_text(encoding="utf-8"))
    categories = {category.name: category for category in Category.objects.all()}
    products = {product.name: product for product in Product.objects.all()}
    for item in data.get("problems", []):
        category = categories.get(item.get("category"))
        if category is None:
            continue
        problem = Problem.objects.create(category=category, name=item["name"], phrases=list(item.get("phrases", [])),
                                         terms=list(item.get("terms", [])))
        problem.products.set([products[name] for name in item.get("products", []) if name in products])


class Migration(migrations.Migration):
    dependencies = [("needs", "0005_industry_problems")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
