"""Shared fixtures: a small organisation tree, members, users with grants, API clients.

Everything is built through the services (organisation_create, member_create, user_create,
grant_create, token_create), so the fixtures also exercise the paths the application uses.
"""

from types import SimpleNamespace

import pytest

from dangvu.testing.factories import (
    ApiClient,
    build_tree,
    make_token,
    make_user,
)
from dangvu.testing.factories import make_member as _make_member

pytest_plugins = ["dangvu.testing.server_log"]  # the suite's server log holds no unhandled error


def pytest_configure(config):
    # client.force_login(user): signed in with both factors (dangvu.testing.signin).
    from dangvu.testing.signin import install

    install()


@pytest.fixture
def tree(db):
    """See dangvu.testing.factories.Tree for the shape."""
    return build_tree()


@pytest.fixture
def make_member(db):
    """make_member(org, probationary=False, **record overrides) -> Member (via member_create)."""
    return _make_member


@pytest.fixture
def users(tree):
    """admin (superuser); staff_kt (org_staff over Kon Tum); staff_qn (org_staff over Quảng
    Ngãi); sec1 / sec2 (secretary of cell1 / cell2); nobody (no grant)."""
    return SimpleNamespace(
        admin=make_user("admin", superuser=True),
        staff_kt=make_user("staff_kt", role="org_staff", org=tree.province),
        staff_qn=make_user("staff_qn", role="org_staff", org=tree.province2),
        sec1=make_user("sec1", role="secretary", org=tree.cell1),
        sec2=make_user("sec2", role="secretary", org=tree.cell2),
        nobody=make_user("nobody"),
    )


@pytest.fixture
def api_client(db):
    """api_client(user) -> ApiClient sending `Authorization: Bearer <token>` (a token made with
    accounts.services.token_create); api_client(None) sends no token."""

    def make(user=None, token: str | None = None) -> ApiClient:
        if user is not None and token is None:
            token = make_token(user)
        return ApiClient(token)

    return make
