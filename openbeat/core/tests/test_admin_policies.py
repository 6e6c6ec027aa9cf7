"""A model whose rows are deactivated, never deleted: nobody may delete, whatever their permissions."""

import pytest
from django.contrib.auth.models import Permission, User

from openbeat.core.admin_policies import NoDeletePermissionPolicy
from openbeat.core.models import TransactionalMessage

pytestmark = pytest.mark.django_db

policy = NoDeletePermissionPolicy(TransactionalMessage)


@pytest.fixture
def editor():
    user = User.objects.create(username="editor")
    for action in ("add", "change", "delete"):
        user.user_permissions.add(Permission.objects.get(codename=f"{action}_transactionalmessage"))
    return User.objects.get(pk=user.pk)  # without the cached permissions


def test_nobody_may_delete_not_even_a_superuser(editor):
    superuser = User.objects.create(username="root", is_superuser=True)
    for user in (editor, superuser):
        assert policy.user_has_permission(user, "change")
        assert not policy.user_has_permission(user, "delete")
        assert not policy.user_has_any_permission(user, ["delete"])
        assert policy.user_has_any_permission(user, ["delete", "add"])


def test_nobody_is_listed_as_able_to_delete(editor):
    assert list(policy.users_with_any_permission(["delete"])) == []
    assert list(policy.users_with_any_permission(["delete", "change"])) == [editor]
