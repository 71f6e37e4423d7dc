import pytest

from tests import services


@pytest.fixture
def postgres() -> None:
    services.require_postgres()


@pytest.fixture
def redis_url() -> str:
    return services.require_redis()


@pytest.fixture(autouse=True)
def _no_pipeline_cache(settings) -> None:
    """The agenda page's pipeline cache is keyed by the agenda's build (id and built_at), which tests under a
    frozen clock repeat across tests sharing one process's cache: off unless a test turns it on."""
    settings.PIPELINE_CACHE_SECONDS = 0
