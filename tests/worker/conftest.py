"""Local fake endpoints on 127.0.0.1 shaped like the group robots' APIs: they record every
request, and can answer errors or hang, so delivery is tested against real HTTP."""
import pytest

from tests.factories import add_channel  # noqa: F401  (the worker tests' name for it)
from tests.helpers import FakeRobot


@pytest.fixture
def robot():
    r = FakeRobot()
    yield r
    r.close()


@pytest.fixture
def make_robot():
    made = []

    def _make(flavour="wecom", secret=None):
        r = FakeRobot(flavour, secret)
        made.append(r)
        return r

    yield _make
    for r in made:
        r.close()
