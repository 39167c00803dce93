from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deploy_check_in_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="ybj.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_production_without_a_secret_key():
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and "生产环境必须设置" in result.stderr


def test_it_names_a_malformed_environment_value():
    result = _manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "环境变量 DEBUG 只能取 true/false" in result.stderr


def test_it_describes_exactly_one_beat_in_compose():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "web", "worker", "beat"}
    beats = [name for name, svc in services.items() if "beat" in str(svc.get("command", ""))]
    assert beats == ["beat"]
    assert "gunicorn" in services["web"]["command"]


def test_it_migrates_as_the_owner_and_serves_as_the_runtime_role_in_compose():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
    owner = services["db"]["environment"]["POSTGRES_USER"]
    migrate = services["migrate"]["environment"]
    assert migrate["DATABASE_URL"].startswith(f"postgres://{owner}:")
    assert migrate["DATABASE_APP_ROLE"] == "pooling_app" and "DATABASE_APP_PASSWORD" in migrate
    assert "migrate" in services["migrate"]["command"]
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://pooling_app:")
        assert "migrate" not in str(services[name]["command"])  # the runtime role cannot migrate
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose 未安装")
def test_it_validates_with_docker_compose():
    env = {**os.environ, "SECRET_KEY": "x", "POSTGRES_PASSWORD": "y", "DATABASE_APP_PASSWORD": "z"}
    result = subprocess.run(
        ["docker-compose", "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
