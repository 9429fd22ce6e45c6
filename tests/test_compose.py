"""docker-compose.yml and the Dockerfile, checked as files (Docker does not run here):
services, healthchecks, start order, the api's settings wiring and required secrets."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from policygraph.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {"POLICYGRAPH_API_KEY", "QDRANT_API_KEY", "VIRTUOSO_DBA_PASSWORD"}
_VAR = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` (an unset required VAR raises)."""

    def sub(m: re.Match[str]) -> str:
        name, op, arg = m.group(1), m.group(2), m.group(3)
        if env.get(name):
            return env[name]
        if op == "?":
            raise KeyError(f"{name}: {arg}")
        return arg if op == "-" else ""

    return _VAR.sub(sub, value.replace("$$", "\0")).replace("\0", "$")


def test_services_volumes_and_healthchecks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"api", "qdrant", "virtuoso", "ray-head", "ray-worker"}
    for name, svc in services.items():
        hc = svc["healthcheck"]
        assert hc["test"][0] in ("CMD", "CMD-SHELL") and len(hc["test"]) > 1, name
        assert {"interval", "timeout", "retries"} <= set(hc), name
        mounts = [v.split(":")[0] for v in svc.get("volumes", [])]
        assert all(m in compose["volumes"] for m in mounts), name  # named volumes, declared
    for name in ("api", "qdrant", "virtuoso"):  # the stateful services keep their data in volumes
        assert services[name]["volumes"], name
    assert services["api"]["depends_on"] == {"qdrant": {"condition": "service_healthy"},
                                             "virtuoso": {"condition": "service_healthy"}}
    # only the api is published; the stores stay on the compose network
    assert "ports" in services["api"]
    assert not any("ports" in services[n] for n in ("qdrant", "virtuoso", "ray-head", "ray-worker"))
    assert services["api"]["build"] == "."
    assert (ROOT / "Dockerfile").is_file()


def test_secrets_are_required(compose: dict[str, Any]) -> None:
    text = "\n".join(line for line in (ROOT / "docker-compose.yml").read_text().splitlines()
                     if not line.lstrip().startswith("#"))
    required = {m.group(1) for m in _VAR.finditer(text) if m.group(2) == "?"}
    assert required == SECRETS
    for line in text.splitlines():
        if re.search(r"(PASSWORD|API_KEY):", line) and not line.lstrip().startswith("#"):
            assert "${" in line and ":?" in line, f"a secret with a literal value: {line.strip()}"
    env = dict.fromkeys(SECRETS, "x")
    for svc in compose["services"].values():
        for v in svc.get("environment", {}).values():
            interpolate(str(v), env)  # all set: no error
    for missing in SECRETS:
        with pytest.raises(KeyError, match=missing):
            for svc in compose["services"].values():
                for v in svc.get("environment", {}).values():
                    interpolate(str(v), dict.fromkeys(SECRETS - {missing}, "x"))


def test_api_settings_wiring(compose: dict[str, Any]) -> None:
    services = compose["services"]
    secrets = {"POLICYGRAPH_API_KEY": "k1", "QDRANT_API_KEY": "k2", "VIRTUOSO_DBA_PASSWORD": "pw"}
    env = {k: interpolate(str(v), secrets) for k, v in services["api"]["environment"].items()}
    fields = set(Settings.model_fields)
    for k in env:
        assert k.startswith("POLICYGRAPH_") and k.removeprefix("POLICYGRAPH_").lower() in fields, k
    s = Settings(**{k.removeprefix("POLICYGRAPH_").lower(): v for k, v in env.items()})
    assert s.sparql_endpoint == "http://virtuoso:8890/sparql"
    assert s.sparql_update_endpoint == "http://virtuoso:8890/sparql-auth"
    assert s.sparql_digest is True and s.sparql_user == "dba"
    assert s.sparql_password is not None and s.sparql_password.get_secret_value() == "pw"
    assert s.qdrant_url == "http://qdrant:6333"
    assert s.qdrant_api_key is not None and s.qdrant_api_key.get_secret_value() == "k2"
    assert s.api_key is not None and s.api_key.get_secret_value() == "k1"
    assert str(s.data) == "/data" and s.base_iri == "http://localhost:8000"
    # the stores get the same secrets the api uses
    virt = {k: interpolate(str(v), secrets) for k, v in services["virtuoso"]["environment"].items()}
    assert virt["DBA_PASSWORD"] == "pw"
    qd = {k: interpolate(str(v), secrets) for k, v in services["qdrant"]["environment"].items()}
    assert qd["QDRANT__SERVICE__API_KEY"] == "k2"
    # and the store services' ports are the ones the api's URLs name
    assert "8890" in [str(p) for p in services["virtuoso"]["expose"]]
    assert "6333" in [str(p) for p in services["qdrant"]["expose"]]
    # the api's healthcheck and the Dockerfile's both call /healthz; the api serves on 0.0.0.0:8000
    assert "/healthz" in " ".join(services["api"]["healthcheck"]["test"])
    assert services["api"]["command"][:4] == ["policygraph", "serve", "--host", "0.0.0.0"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "/healthz" in dockerfile and "EXPOSE 8000" in dockerfile
    assert re.search(r'^CMD \["policygraph", "serve"', dockerfile, re.M)
    assert re.search(r"^USER \w+", dockerfile, re.M)  # not root


def test_ray_head_and_scalable_workers(compose: dict[str, Any]) -> None:
    """A Ray head and a worker service scaled by replicas (each one CPU and its own models);
    the api reaches the head through Ray Client for folder ingests."""
    services = compose["services"]
    head, worker = services["ray-head"], services["ray-worker"]
    assert head["command"][:3] == ["ray", "start", "--head"] and "--ray-client-server-port=10001" in head["command"]
    assert worker["command"][:2] == ["ray", "start"] and "--address=ray-head:6379" in worker["command"]
    assert "--num-cpus=1" in worker["command"]
    assert interpolate(str(worker["deploy"]["replicas"]), {"RAY_WORKERS": "4"}) == "4"
    assert worker["depends_on"] == {"ray-head": {"condition": "service_healthy"}}
    address = interpolate(services["api"]["environment"]["POLICYGRAPH_CLUSTER_ADDRESS"], {})
    assert address == "ray://ray-head:10001"
    assert Settings(cluster_address=address).cluster_address == address
