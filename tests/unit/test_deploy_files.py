"""No Docker engine runs here: these tests read the deploy files and check them against the service."""

from __future__ import annotations

from pathlib import Path

import yaml

from service.health import HealthState
from service.http import build_http_app
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTING_NAMES = {name.upper() for name in Settings.model_fields}
DEFAULTS = Settings(_env_file=None)  # type: ignore[call-arg]
ROUTES = {r.path for r in build_http_app(HealthState(), "test").routes}  # type: ignore[attr-defined]


def test_env_example_names_only_real_settings() -> None:
    names = [
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert set(names) <= SETTING_NAMES
    assert {"GRPC_PORT", "HTTP_PORT", "ANTHROPIC_API_KEY", "REDIS_URL", "WEAVIATE_URL", "API_TOKENS"} <= set(
        names
    )


def test_compose_wires_ports_env_and_health() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    app = compose["services"]["testdata"]
    assert f"{DEFAULTS.grpc_port}:{DEFAULTS.grpc_port}" in app["ports"]
    assert f"{DEFAULTS.http_port}:{DEFAULTS.http_port}" in app["ports"]
    assert set(app["environment"]) <= SETTING_NAMES
    assert app["environment"]["REDIS_URL"].startswith("redis://redis:")
    assert app["environment"]["WEAVIATE_URL"].startswith("http://weaviate:")
    assert "/health/ready" in " ".join(app["healthcheck"]["test"])
    assert {"redis", "weaviate"} <= set(compose["services"])
    assert all("healthcheck" in s for s in compose["services"].values())


def test_kubernetes_probes_ports_and_secret_match_the_service() -> None:
    docs = list(yaml.safe_load_all((ROOT / "deploy/kubernetes.yaml").read_text()))
    kinds = {d["kind"]: d for d in docs}
    assert set(kinds) == {"Deployment", "Service", "HorizontalPodAutoscaler"}
    container = kinds["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"grpc": DEFAULTS.grpc_port, "http": DEFAULTS.http_port}
    assert container["readinessProbe"]["httpGet"]["path"] in ROUTES
    assert container["livenessProbe"]["httpGet"]["path"] in ROUTES
    assert container["startupProbe"]["grpc"]["port"] == DEFAULTS.grpc_port
    env = {e["name"]: e for e in container["env"]}
    assert set(env) <= SETTING_NAMES
    assert env["ANTHROPIC_API_KEY"]["valueFrom"]["secretKeyRef"]["name"] == "testdata-secrets"
    assert container["resources"]["requests"] and container["resources"]["limits"]


def test_dockerfile_runs_the_service_as_non_root_with_a_healthcheck() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert text.count("FROM ") == 2 and "USER app" in text
    assert "HEALTHCHECK" in text and "/health/ready" in text
    assert 'CMD ["test-data-agent", "serve"]' in text
    assert f"EXPOSE {DEFAULTS.grpc_port} {DEFAULTS.http_port}" in text
