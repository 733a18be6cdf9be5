"""GET /healthz: is the database, Redis and a Celery worker answering?"""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app
from config.env import redis_py_url

WORKER_PING_SECONDS = 1.0


def database_is_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def redis_is_up() -> bool:
    try:
        client = redis.Redis.from_url(redis_py_url(settings.REDIS_URL), socket_timeout=1,
                                      socket_connect_timeout=1)
        return bool(client.ping())
    except Exception:
        return False


def workers_answering() -> int:
    try:
        replies = celery_app.control.ping(timeout=WORKER_PING_SECONDS) or []
        return len(replies)
    except Exception:
        return 0


@never_cache
@require_GET
def healthz(request):
    database = database_is_up()
    cache = redis_is_up()
    workers = workers_answering() if cache else 0
    checks = {
        "database": "up" if database else "down",
        "redis": "up" if cache else "down",
        "celery_worker": "up" if workers else "down",
    }
    down = [name for name, state in checks.items() if state == "down"]
    body = {"status": "ok" if not down else "unavailable", "checks": checks, "workers": workers}
    if down:
        body["down"] = down
    return JsonResponse(body, status=200 if not down else 503)
