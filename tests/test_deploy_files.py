"""deploy/: the Compose file is one Docker Compose accepts, and it is wired the way the image, the workspace
and the pipeline expect (the warehouse on a volume where the code server's runs write it, the UI on this
host only, the webserver and daemon finding the code server)."""

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
COMPOSE = DEPLOY / "docker-compose.yml"


def compose_command() -> list[str]:
    """`docker compose` when the plugin works, else the standalone `docker-compose`; skips without either."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=60)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.skip("neither `docker compose` nor `docker-compose` is installed (make test-packages installs the latter)")


def test_compose_file_is_valid():
    command = [*compose_command(), "-f", str(COMPOSE), "config", "-q"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{shlex.join(command)} exited {result.returncode}:\n{result.stderr}"


def dockerfile() -> tuple[dict[str, str], str]:
    """The image's ENV settings and its last WORKDIR, from deploy/Dockerfile."""
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    env, workdir = {}, ""
    for line in text.splitlines():
        instruction, _, rest = line.strip().partition(" ")
        if instruction == "ENV":
            env.update(word.split("=", 1) for word in shlex.split(rest))
        elif instruction == "WORKDIR":
            workdir = rest.strip()
    return env, workdir


def flag(command: list[str], name: str) -> str:
    """The value that follows `name` in an exec-form command."""
    assert name in command, f"{name} is not in {command}"
    return command[command.index(name) + 1]


def test_compose_wiring_matches_image_and_workspace():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    image_env, workdir = dockerfile()
    code = services["code"]

    # Runs execute inside the code server: the warehouse is a named (persistent) volume mounted on it at
    # AIINFRA_WAREHOUSE_DIR, the same directory in the image and in the service.
    warehouse = code["environment"]["AIINFRA_WAREHOUSE_DIR"]
    assert warehouse == image_env["AIINFRA_WAREHOUSE_DIR"]
    mounts = dict(reversed(volume.split(":")[:2]) for volume in code["volumes"])
    assert mounts.get(warehouse) in compose["volumes"], f"no named volume on {warehouse}: {code['volumes']}"

    # The UI has no login: published on this host's loopback only.
    ports = services["webserver"]["ports"]
    assert ports and all(str(port).startswith("127.0.0.1:") for port in ports), ports

    # The webserver and the daemon load deploy/workspace.yaml (as copied into the image) ...
    for name in ("webserver", "daemon"):
        assert flag(services[name]["command"], "-w") == f"{workdir}/deploy/workspace.yaml", name
    # ... which points at the code server as its command serves it.
    (entry,) = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())["load_from"]
    server = entry["grpc_server"]
    assert server["host"] == "code" and flag(code["command"], "-h") == "0.0.0.0"
    assert str(server["port"]) == flag(code["command"], "-p")
    assert server["location_name"] == flag(code["command"], "--location-name")

    # Every Dagster process reads the instance from the same PostgreSQL database (deploy/dagster-postgres.yaml).
    urls = {services[name]["environment"]["AIINFRA_POSTGRES_URL"] for name in ("code", "webserver", "daemon")}
    assert len(urls) == 1 and "@postgres:" in urls.pop()
