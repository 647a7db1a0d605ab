#!/usr/bin/python3
"""Checks installers/docker without running a container: the compose file and its per-environment
overrides (services, health-gated start order, limits, ports, non-root, mounts of files that exist,
the Prometheus/Alertmanager/Grafana wiring), that the server's environment is a valid config for
the real prodmcp-server in each environment, and that the Dockerfile's runtime stage installs every
library the server links.
   check-compose.py SERVER_BINARY"""
import json
import os
import pathlib
import re
import subprocess
import sys

import yaml

here = pathlib.Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(here))
import dockerfile  # noqa: E402

installers = here.parent.parent / "installers"
docker = installers / "docker"
ENVIRONMENTS = ("development", "staging", "production")
SERVICES = ("prodmcp", "redis", "prometheus", "alertmanager", "grafana")
# Values for the variables an operator must give (${VAR:?...}); the client hash matches no token.
OPERATOR_VARS = {"PRODMCP_AUTH_CLIENTS": "ci=sha256:" + "0" * 64, "PRODMCP_ADMIN_TOKEN_HASH": "sha256:" + "0" * 64,
                 "GRAFANA_ADMIN_PASSWORD": "ci-password"}
# Packages every debian:12-slim image already has.
BASE_PACKAGES = {"libc6", "libgcc-s1", "libstdc++6"}

errors = []


def check(condition, message):
    if not condition:
        errors.append(message)
    return condition


def seconds(text):
    total = 0.0
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", str(text)):
        total += float(number) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]
    return total


def merge(base, override):
    """Compose's merge of mappings: keys of the override win, nested mappings merge."""
    result = dict(base)
    for key, value in override.items():
        result[key] = merge(result[key], value) if isinstance(value, dict) and isinstance(result.get(key), dict) else value
    return result


def interpolate(value):
    def replace(match):
        name, operator, word = match.group(1) or match.group(4), match.group(2), match.group(3)
        if operator == ":?":
            check(name in OPERATOR_VARS, f"${{{name}:?}} is required: give the test a value for it in OPERATOR_VARS")
            return OPERATOR_VARS.get(name, "")
        return word if operator == ":-" else ""  # compose would read the shell; the test sets none
    return re.sub(r"\$\{(\w+)(?:(:\?|:-)([^}]*))?\}|\$(\w+)", replace, str(value))


def published(service):
    """(host_ip, host_port, container_port) of each short-syntax port."""
    result = []
    for port in service.get("ports", []):
        parts = str(port).split(":")
        ip = parts[0] if len(parts) == 3 else "0.0.0.0"
        result.append((ip, int(parts[-2]), int(parts[-1].split("/")[0])))
    return result


def binds(service):
    """{container_path: host_path} of the bind mounts (sources starting with . or /)."""
    result = {}
    for volume in service.get("volumes", []):
        source, target = str(volume).split(":")[:2]
        if source.startswith((".", "/")):
            result[target] = (docker / source).resolve()
    return result


def flag(service, name):
    for word in service.get("command", []):
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return None


def check_base(compose):
    services = compose.get("services", {})
    for name in SERVICES:
        check(name in services, f"compose.yaml: service {name} is missing")
    named_volumes = set(compose.get("volumes") or {})
    host_ports = {}
    for name, service in services.items():
        where = f"compose.yaml: {name}"
        health = service.get("healthcheck", {})
        check(health.get("test") and all(k in health for k in ("interval", "timeout", "retries")),
              f"{where}: needs a healthcheck with test, interval, timeout and retries")
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        check("cpus" in limits and "memory" in limits, f"{where}: needs deploy.resources.limits cpus and memory")
        check(service.get("restart") in ("unless-stopped", "always", "on-failure"), f"{where}: needs a restart policy")
        for dependency, spec in (service.get("depends_on") or {}).items():
            check(dependency in services, f"{where}: depends on unknown service {dependency}")
            check(isinstance(spec, dict) and spec.get("condition") in ("service_healthy", "service_started"),
                  f"{where}: depends_on {dependency} needs a condition")
            if isinstance(spec, dict) and spec.get("condition") == "service_healthy":
                check("healthcheck" in services.get(dependency, {}), f"{where}: waits for {dependency} to be healthy, which has no healthcheck")
        for target, source in binds(service).items():
            check(source.is_file(), f"{where}: mounts {source.relative_to(installers.parent) if source.is_relative_to(installers.parent) else source}, which does not exist")
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if not source.startswith((".", "/")):
                check(source in named_volumes, f"{where}: volume {source} is not declared under volumes:")
        for ip, host_port, _ in published(service):
            check((ip, host_port) not in host_ports, f"{where}: host port {ip}:{host_port} is also published by {host_ports.get((ip, host_port))}")
            host_ports[(ip, host_port)] = name

    needs = {"prodmcp": ("redis", "service_healthy"), "prometheus": ("alertmanager", "service_healthy"),
             "grafana": ("prometheus", "service_healthy")}
    for name, (dependency, condition) in needs.items():
        spec = (services.get(name, {}).get("depends_on") or {}).get(dependency, {})
        check(spec.get("condition") == condition, f"compose.yaml: {name} must wait for {dependency} ({condition})")
    check("prodmcp" not in (services.get("prometheus", {}).get("depends_on") or {}),
          "compose.yaml: prometheus must not wait for prodmcp: it has to watch a server that never turns healthy")
    return services


def check_prodmcp(service, image_env, shutdown_grace_s):
    where = "compose.yaml: prodmcp"
    build = service.get("build", {})
    context = (docker / build.get("context", ".")).resolve()
    check((context / build.get("dockerfile", "Dockerfile")).is_file(), f"{where}: build.dockerfile does not exist in the context")
    check(str(service.get("user", "")).split(":")[0] == "1000", f"{where}: must run as uid 1000")
    check(service.get("read_only") is True, f"{where}: needs read_only: true")
    check("ALL" in service.get("cap_drop", []), f"{where}: needs cap_drop: [ALL]")
    check("no-new-privileges:true" in service.get("security_opt", []), f"{where}: needs no-new-privileges")
    health = service.get("healthcheck", {})
    check(health.get("test", [])[1:] == ["prodmcp-server", "healthcheck"], f"{where}: healthcheck must run prodmcp-server healthcheck")
    check((seconds(health.get("interval")), seconds(health.get("timeout")), health.get("retries")) == (30, 10, 3),
          f"{where}: healthcheck must be interval 30s, timeout 10s, retries 3")
    check(seconds(service.get("stop_grace_period", "10s")) > shutdown_grace_s,
          f"{where}: stop_grace_period must exceed server.shutdown_grace_s ({shutdown_grace_s} s)")
    env = {**image_env, **{k: str(v) for k, v in service.get("environment", {}).items()}}
    listen, admin = env.get("PRODMCP_SERVER_LISTEN", ""), env.get("PRODMCP_SERVER_ADMIN_LISTEN", "")
    check(listen.startswith("0.0.0.0:") and admin.startswith("0.0.0.0:"),
          f"{where}: must listen on 0.0.0.0 inside the container (PRODMCP_SERVER_LISTEN, PRODMCP_SERVER_ADMIN_LISTEN)")
    mcp_port, admin_port = int(listen.rpartition(":")[2] or 0), int(admin.rpartition(":")[2] or 0)
    ports = {container: ip for ip, _, container in published(service)}
    check(mcp_port in ports and admin_port in ports, f"{where}: must publish the MCP ({mcp_port}) and admin ({admin_port}) ports")
    check(ports.get(admin_port) == "127.0.0.1", f"{where}: the admin port must be published on the host's loopback only")
    check(re.fullmatch(r"redis://redis:6379(/\d+)?", env.get("REDIS_URL", "")), f"{where}: REDIS_URL must point at the redis service")
    return admin_port


def check_monitoring(services, admin_port):
    prometheus = services["prometheus"]
    mounts = binds(prometheus)
    config_path = flag(prometheus, "--config.file")
    check(config_path in mounts, "compose.yaml: prometheus --config.file is not a mounted file")
    if config_path not in mounts:
        return
    config = yaml.safe_load(mounts[config_path].read_text())
    for rule in config.get("rule_files", []):
        target = rule if rule.startswith("/") else str(pathlib.PurePosixPath(config_path).parent / rule)
        check(mounts.get(target) == (installers / "prometheus/prodmcp-alerts.yml").resolve(),
              f"prometheus.yml: rule file {rule} is not installers/prometheus/prodmcp-alerts.yml mounted at {target}")
    check(config.get("rule_files"), "prometheus.yml: loads no rule files")
    jobs = {job["job_name"]: job for job in config.get("scrape_configs", [])}
    targets = [t for sc in jobs.get("prodmcp", {}).get("static_configs", []) for t in sc.get("targets", [])]
    check(targets == [f"prodmcp:{admin_port}"], f"prometheus.yml: job prodmcp must scrape prodmcp:{admin_port}, not {targets}")
    managers = [t for am in config.get("alerting", {}).get("alertmanagers", []) for sc in am.get("static_configs", []) for t in sc["targets"]]
    check(managers == ["alertmanager:9093"], f"prometheus.yml: must send alerts to alertmanager:9093, not {managers}")
    alertmanager = services["alertmanager"]
    check(binds(alertmanager).get(flag(alertmanager, "--config.file")) == (installers / "alertmanager/alertmanager.yml").resolve(),
          "compose.yaml: alertmanager --config.file must be installers/alertmanager/alertmanager.yml")

    grafana = binds(services["grafana"])
    by_source = {source.relative_to(installers).as_posix(): target for target, source in grafana.items()}
    provider = by_source.get("grafana/provisioning/dashboards/prodmcp.yml")
    datasource = by_source.get("grafana/provisioning/datasources/prometheus.yml")
    dashboard = by_source.get("grafana/dashboards/prodmcp.json")
    check(provider and provider.startswith("/etc/grafana/provisioning/dashboards/"), "compose.yaml: grafana must mount the dashboard provider")
    check(datasource and datasource.startswith("/etc/grafana/provisioning/datasources/"), "compose.yaml: grafana must mount the datasource")
    if provider and dashboard:
        path = yaml.safe_load((installers / "grafana/provisioning/dashboards/prodmcp.yml").read_text())["providers"][0]["options"]["path"]
        check(str(pathlib.PurePosixPath(dashboard).parent) == path.rstrip("/"),
              f"compose.yaml: the dashboard is mounted at {dashboard}, but the provider reads {path}")
    url = yaml.safe_load((installers / "grafana/provisioning/datasources/prometheus.yml").read_text())["datasources"][0]["url"]
    check(url == "http://prometheus:9090", f"grafana datasource url must be http://prometheus:9090, not {url}")


def check_environments(base, image_env, server, variables):
    for environment in ENVIRONMENTS:
        where = f"compose.{environment}.yaml"
        override = yaml.safe_load((docker / f"compose.{environment}.yaml").read_text())
        for name in override.get("services", {}):
            check(name in base["services"], f"{where}: overrides unknown service {name}")
        merged = merge(base, override)["services"]["prodmcp"]
        env = {k: interpolate(v) for k, v in {**image_env, **merged.get("environment", {})}.items()}
        check(env.get("ENVIRONMENT") == environment, f"{where}: must set ENVIRONMENT={environment}")
        for name in env:
            check(name in variables, f"{where}: {name} is not a prodmcp-server config variable")
        limits = merged.get("deploy", {}).get("resources", {}).get("limits", {})
        check("cpus" in limits and "memory" in limits, f"{where}: loses the CPU and memory limits")
        # The server's own verdict on this environment, as the container would see it.
        result = subprocess.run([server, "print-config", "--format", "json"], env={"PATH": os.environ["PATH"], **env},
                                capture_output=True, text=True, timeout=20)
        report = json.loads(result.stdout) if result.stdout.startswith("{") else {"diagnostics": [], "keys": []}
        check(result.returncode == 0, f"{where}: prodmcp-server refuses this environment {result.stderr.strip()}")
        values = {k["key"]: k["value"] for k in report.get("keys", [])}
        check(report.get("profile") == environment, f"{where}: the server runs profile {report.get('profile')}")
        for diagnostic in report["diagnostics"]:
            # Development may listen beyond loopback without authentication or an admin token (a
            # warning there).
            allowed = (environment == "development" and diagnostic.get("key") in ("auth.enabled", "server.admin_token_hash")
                       and diagnostic["severity"] == "warning")
            check(allowed, f"{where}: {diagnostic['text']}")
        if environment != "development":
            check(values.get("auth.enabled") is True and values.get("auth.clients"), f"{where}: must require authentication")
            check(values.get("server.admin_token_hash"), f"{where}: the admin port needs its token")


def package_of(path):
    """The Debian package owning a file; dpkg records either side of the /usr merge."""
    real = os.path.realpath(path)
    for candidate in dict.fromkeys((path, real, real.removeprefix("/usr"), "/usr" + path)):
        owner = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if owner.returncode == 0:
            return owner.stdout.split(":")[0]
    return None


def check_dockerfile(server, variables):
    text = (docker / "Dockerfile").read_text()
    stages = dockerfile.stages(text)
    check(len(stages) >= 2, "Dockerfile: must be multi-stage")
    build, runtime = stages[0], stages[-1]
    check(build["from"] == "debian:12" and build["name"], "Dockerfile: the build stage must be FROM debian:12 AS <name>")
    check(runtime["from"] == "debian:12-slim", "Dockerfile: the runtime stage must be FROM debian:12-slim")
    runs = " ".join(a for i, a in build["steps"] if i == "RUN")
    for option in ("-DPRODMCP_BUILD_CONSOLE=OFF", "-DPRODMCP_BUILD_TESTS=OFF"):
        check(option in runs, f"Dockerfile: the build stage must configure with {option}")
    for instruction, arguments in build["steps"]:
        if instruction == "COPY" and not arguments.startswith("--"):
            for source in arguments.split()[:-1]:
                check((docker.parent.parent / source).exists(), f"Dockerfile: COPY {source} does not exist in the context")
    # The server build reads what the top-level CMakeLists includes: the build stage must copy it.
    copied = [source.rstrip("/") for instruction, arguments in build["steps"] if instruction == "COPY"
              and not arguments.startswith("--") for source in arguments.split()[:-1]]
    top = (docker.parent.parent / "CMakeLists.txt").read_text()
    for needed in re.findall(r"^\s*include\((installers/[^)\s]+)\)", top, re.M):
        check(any(needed == c or needed.startswith(c + "/") for c in copied),
              f"Dockerfile: the build stage does not COPY {needed}, which CMakeLists.txt includes")
    steps = {}
    for instruction, arguments in runtime["steps"]:
        steps.setdefault(instruction, []).append(arguments)
    check(steps.get("USER", [""])[-1].split(":")[0] == "1000", "Dockerfile: the runtime stage must run as USER 1000")
    check(set(" ".join(steps.get("EXPOSE", [])).split()) == {"8080", "9090"}, "Dockerfile: must EXPOSE 8080 9090")
    health = steps.get("HEALTHCHECK", [""])[-1]
    for option in ("--interval=30s", "--timeout=10s", "--retries=3"):
        check(option in health, f"Dockerfile: HEALTHCHECK needs {option}")
    check(re.search(r'CMD \["prodmcp-server", "healthcheck"\]', health), "Dockerfile: HEALTHCHECK must run prodmcp-server healthcheck")
    image_env = dockerfile.env(runtime)
    for name in image_env:
        check(name in variables, f"Dockerfile: ENV {name} is not a prodmcp-server config variable")

    # Every shared library the server links must come from a package the runtime stage installs.
    install_deps = (installers / "dev/install-deps.sh").read_text()
    for package in dockerfile.apt_packages(build):
        check(re.search(rf"(^|\s){re.escape(package)}(\s|$)", install_deps, re.M),
              f"Dockerfile: build package {package} is not in installers/dev/install-deps.sh")
    runtime_packages = set(dockerfile.apt_packages(runtime)) | BASE_PACKAGES
    ldd = subprocess.run(["ldd", server], capture_output=True, text=True, check=True).stdout
    for library in re.findall(r"=> (/\S+)", ldd):
        package = package_of(library)
        check(package in runtime_packages, f"Dockerfile: the runtime stage lacks {package or library} (for {os.path.basename(library)})")
    return image_env


def main():
    server = sys.argv[1]
    described = json.loads(subprocess.run([server, "describe-config"], capture_output=True, text=True, check=True).stdout)
    variables = {key["env"]: key for key in described["keys"]} | {"ENVIRONMENT": None}
    grace = next(k["default"] for k in described["keys"] if k["key"] == "server.shutdown_grace_s")
    base = yaml.safe_load((docker / "compose.yaml").read_text())
    image_env = check_dockerfile(server, variables)
    services = check_base(base)
    if all(name in services for name in SERVICES):
        env_grace = services["prodmcp"].get("environment", {}).get("PRODMCP_SERVER_SHUTDOWN_GRACE_S")
        admin_port = check_prodmcp(services["prodmcp"], image_env, int(env_grace or grace))
        check_monitoring(services, admin_port)
        check_environments(base, image_env, server, variables)
    if errors:
        print("\n".join("FAIL: " + e for e in errors))
        sys.exit(1)
    print(f"compose: ok ({len(services)} services; {', '.join(ENVIRONMENTS)} accepted by prodmcp-server; "
          "the runtime image has every library the server links)")


if __name__ == "__main__":
    main()
