import pytest

from tests import services


@pytest.fixture
def postgres() -> None:
    services.require_postgres()


@pytest.fixture
def redis_url() -> str:
    return services.require_redis()
