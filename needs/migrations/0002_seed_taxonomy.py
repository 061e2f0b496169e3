"""Seed the industry taxonomy from the file shipped with the matching engine."""
import json
from pathlib import Path

from django.db import migrations

TAXONOMY = Path(__file__).resolve().parents[2] / "matching" / "engine" / "data" / "taxonomy.json"


def seed(apps, schema_editor):
    Category = apps.get_model("needs", "IndustryCategory")
    Product = apps.get_model("needs", "IndustryProduct")
    if Category.objects.exists():
        return
    data = json.loads(TAXONOMY.read_text(encoding="utf-8"))
    products = {}
    for order, category_data in enumerate(data["categories"]):
        category = Category.objects.create(name=category_data["name"], order=order)
        for product_data in category_data.get("products", []):
            product = Product.objects.create(category=category, name=product_data["name"],
                                             synonyms=product_data.get("synonyms", []))
            products[product.name] = (product, product_data.get("children", []))
    for product, children in products.values():
        for child in children:
            if child in products:
                products[child][0].parents.add(product)


class Migration(migrations.Migration):
    dependencies = [("needs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
