"""Fixtures of the portal's tests: a published article of the province (Kon Tum in the test
tree) and the check question answered right."""

import re

import pytest

from dangvu.accounts.scoping import SYSTEM
from dangvu.news.captcha import question_new
from dangvu.news.models import Category
from dangvu.news.services import article_create, article_publish, categories_ensure


def answered() -> dict:
    """A fresh check question with its right answer, as the form sends them."""
    q = question_new()
    words = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười")
    a, b = re.search(r"(\w+) (?:cộng|plus) (\w+)", q.text).groups()
    return {"token": q.token, "answer": str(words.index(a) + words.index(b))}


@pytest.fixture
def category(db):
    categories_ensure()  # a transactional test before this one may have flushed them
    return Category.objects.get(slug="xay-dung-dang")


@pytest.fixture
def make_article(tree, category):
    def make(publish=True, **kw):
        data = {
            "title": "Đăk Glei phát triển đảng viên trong đồng bào dân tộc thiểu số",
            "lead": "Huyện ủy đặt chỉ tiêu kết nạp 600 đảng viên trong nhiệm kỳ.",
            "body": "<p>Các chi bộ thôn tạo nguồn từ quần chúng ưu tú.</p>",
            "category": category,
            "tags": "phát triển đảng viên, dân tộc thiểu số",
            "source": "Báo Kon Tum",
            "author": "Minh An",
        }
        data.update(kw)
        a = article_create(
            actor=SYSTEM, organisation=kw.pop("organisation", tree.province), data=data
        )
        if publish:
            a = article_publish(actor=SYSTEM, article=a)
        return a

    return make
