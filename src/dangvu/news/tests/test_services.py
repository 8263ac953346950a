"""The portal's services that the portal pages do not reach."""


def test_categories_ensure_restores_the_first_three_and_keeps_an_edited_one(db):
    from dangvu.news.models import Category
    from dangvu.news.services import categories_ensure

    Category.objects.filter(slug="tuyen-truyen").delete()
    Category.objects.filter(slug="xay-dung-dang").update(name="Xây dựng Đảng (sửa)")
    categories_ensure()
    assert (
        Category.objects.filter(slug__in=["xay-dung-dang", "tuyen-truyen", "mo-hinh-hay"]).count()
        == 3
    )
    assert Category.objects.get(slug="xay-dung-dang").name == "Xây dựng Đảng (sửa)"
