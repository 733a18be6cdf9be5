"""GET /healthz against the real database, the real Redis and a real Celery worker."""

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app as celery_app


@pytest.fixture
def celery_worker_running():
    celery_app.loader.import_module("celery.contrib.testing.tasks")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.mark.django_db(transaction=True)  # the in-process worker closes the test's connection
def test_healthz_is_200_when_database_redis_and_a_worker_answer(client, celery_worker_running):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["checks"] == {"database": "up", "redis": "up", "celery_worker": "up"}
    assert body["workers"] >= 1


@pytest.mark.django_db
def test_healthz_is_503_naming_the_missing_worker(client, monkeypatch):
    monkeypatch.setattr("config.health.workers_answering", lambda: 0)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["celery_worker"]


@pytest.mark.django_db
def test_healthz_is_503_naming_redis_when_it_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # discard port: nothing listens
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "down"
    assert "redis" in response.json()["down"]


@pytest.mark.django_db
def test_healthz_is_503_naming_the_database_when_it_does_not_answer(client, monkeypatch):
    monkeypatch.setattr("config.health.database_is_up", lambda: False)
    monkeypatch.setattr("config.health.workers_answering", lambda: 1)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]
