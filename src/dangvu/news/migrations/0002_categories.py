"""The portal's first categories (an editor may add others)."""

from django.db import migrations

CATEGORIES = [
    ("xay-dung-dang", "Xây dựng Đảng", 1),
    ("tuyen-truyen", "Tuyên truyền", 2),
    ("mo-hinh-hay", "Mô hình hay, cách làm sáng tạo", 3),
]


def add(apps, schema_editor):
    Category = apps.get_model("news", "Category")
    for slug, name, order in CATEGORIES:
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("news", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
