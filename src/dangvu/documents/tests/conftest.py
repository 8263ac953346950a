"""Fixtures of the document tests: the province's plan (Kon Tum in the test tree)."""

from datetime import date

import pytest

from dangvu.accounts.scoping import SYSTEM
from dangvu.documents.choices import Kind
from dangvu.documents.services import document_create


@pytest.fixture
def make_document(tree):
    def make(**kw):
        data = {
            "actor": SYSTEM,
            "organisation": tree.province,
            "kind": Kind.PLAN,
            "code": "90-KH/TU",
            "issued_on": date(2022, 5, 30),
            "title": "Kế hoạch tuyên truyền về công tác xây dựng Đảng",
            "signer": "Phó Bí thư Thường trực",
            "summary": "Các huyện ủy, đảng ủy trực thuộc xây dựng kế hoạch thực hiện.",
        }
        data.update(kw)
        return document_create(**data)

    return make
