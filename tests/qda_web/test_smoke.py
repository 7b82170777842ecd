import pytest

pytestmark = pytest.mark.django_db


def test_demo_builds(qda_demo):
    from tillit.apps.qda.models import Coding, Source

    project, _users = qda_demo
    assert Source.objects.filter(project=project).count() == 5
    assert Coding.objects.filter(project=project).count() > 30
