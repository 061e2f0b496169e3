"""/admin/ is for system administrators only: officials made staff by earlier versions lose the flag."""
from django.db import migrations


def only_administrators_are_staff(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(is_superuser=False).exclude(role="admin").update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(only_administrators_are_staff, migrations.RunPython.noop)]
