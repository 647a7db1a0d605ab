#!/usr/bin/python3
"""Checks installers/k8s without a cluster: every document's apiVersion/kind/metadata, the
kustomization, probes on the admin port, security contexts, resources, selectors that match pod
labels, references between objects, and that the ConfigMap's TOML with the pod's environment is a
config the real prodmcp-server accepts.
   check-k8s.py SERVER_BINARY"""
import json
import math
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import yaml

k8s = pathlib.Path(__file__).resolve().parent.parent.parent / "installers/k8s"
KINDS = {("apps/v1", "Deployment"), ("v1", "Service"), ("v1", "ConfigMap"), ("v1", "Secret"),
         ("policy/v1", "PodDisruptionBudget"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
         ("networking.k8s.io/v1", "NetworkPolicy")}
errors = []


def check(condition, message):
    if not condition:
        errors.append(message)
    return condition


def cpu(quantity):
    text = str(quantity)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)


def port_of(container, port):
    """The containerPort a probe or Service port names (by name or number), or None."""
    for p in container.get("ports", []):
        if port in (p.get("name"), p["containerPort"]):
            return p["containerPort"]
    return None


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def load():
    kustomization = yaml.safe_load((k8s / "kustomization.yaml").read_text())
    listed = kustomization.get("resources", [])
    on_disk = sorted(p.name for p in k8s.glob("*.yaml") if p.name != "kustomization.yaml")
    check(sorted(listed) == on_disk, f"kustomization.yaml resources {sorted(listed)} differ from the files {on_disk}")
    docs = []
    for name in listed:
        if not (k8s / name).is_file():
            continue
        for doc in yaml.safe_load_all((k8s / name).read_text()):
            if doc is None:
                continue
            where = f"{name}: {doc.get('kind')} {doc.get('metadata', {}).get('name')}"
            check((doc.get("apiVersion"), doc.get("kind")) in KINDS, f"{where}: unexpected apiVersion/kind {doc.get('apiVersion')}/{doc.get('kind')}")
            meta = doc.get("metadata", {})
            check(re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", meta.get("name", "")), f"{where}: metadata.name is not a DNS label")
            check(meta.get("labels", {}).get("app.kubernetes.io/name"), f"{where}: needs the app.kubernetes.io/name label")
            doc["_where"] = where
            docs.append(doc)
    return docs


def check_workload(deployment):
    where = deployment["_where"]
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"].get("labels", {})
    check(selects(spec.get("selector", {}).get("matchLabels"), labels), f"{where}: selector does not match the pod labels")
    security = pod.get("securityContext", {})
    check(security.get("runAsNonRoot") is True, f"{where}: pod needs runAsNonRoot: true")
    for container in pod.get("containers", []):
        cwhere = f"{where} container {container['name']}"
        csec = container.get("securityContext", {})
        seccomp = csec.get("seccompProfile", security.get("seccompProfile", {})).get("type")
        check(seccomp == "RuntimeDefault", f"{cwhere}: needs seccompProfile RuntimeDefault")
        check(csec.get("allowPrivilegeEscalation") is False, f"{cwhere}: needs allowPrivilegeEscalation: false")
        check(csec.get("readOnlyRootFilesystem") is True, f"{cwhere}: needs readOnlyRootFilesystem: true")
        check(csec.get("capabilities", {}).get("drop") == ["ALL"], f"{cwhere}: must drop ALL capabilities")
        check(csec.get("privileged") is not True, f"{cwhere}: must not be privileged")
        resources = container.get("resources", {})
        for kind in ("requests", "limits"):
            check({"cpu", "memory"} <= set(resources.get(kind, {})), f"{cwhere}: needs {kind} for cpu and memory")
        check(container.get("livenessProbe") and container.get("readinessProbe"), f"{cwhere}: needs liveness and readiness probes")
        for probe in ("livenessProbe", "readinessProbe"):
            action = container.get(probe, {})
            port = (action.get("httpGet") or action.get("tcpSocket") or {}).get("port")
            if port is not None:
                check(port_of(container, port), f"{cwhere}: {probe} port {port} is not a container port")


def check_network_policies(policies, container, server_labels, redis, admin_port, mcp_port):
    """The server pods take MCP from anyone but the admin port only from named peers; Redis only
    from the server pods."""
    def rules_for(labels):
        return [rule for p in policies if selects(p["spec"]["podSelector"].get("matchLabels"), labels)
                for rule in p["spec"].get("ingress", [])]

    def ports(rule, target):
        return {port_of(target, p["port"]) if isinstance(p["port"], str) else p["port"] for p in rule.get("ports", [])}

    server_rules = rules_for(server_labels)
    if not check(server_rules, "no NetworkPolicy selects the server pods"):
        return
    check(any(mcp_port in ports(r, container) and not r.get("from") for r in server_rules),
          "networkpolicy.yaml: the MCP port must be open to every client")
    for rule in server_rules:
        if admin_port in ports(rule, container) or not rule.get("ports"):
            check(rule.get("from"), "networkpolicy.yaml: the admin port must be open only to named peers (from:)")
    redis_labels = redis["spec"]["template"]["metadata"]["labels"]
    redis_rules = rules_for(redis_labels)
    check(redis_rules and all(any(selects(peer.get("podSelector", {}).get("matchLabels"), server_labels)
                                  for peer in r.get("from", [])) for r in redis_rules),
          "networkpolicy.yaml: Redis must take connections only from the server pods")


def effective_config(server, scratch, container, configmaps, secrets):
    """The pod's config file and environment, run through prodmcp-server: (values, config path)."""
    args = container.get("args", [])
    check("--config" in args, "server container: needs --config FILE")
    config_path = args[args.index("--config") + 1] if "--config" in args else ""
    toml_text = None
    for mount in container.get("volumeMounts", []):
        if config_path.startswith(mount["mountPath"].rstrip("/") + "/"):
            key = config_path[len(mount["mountPath"].rstrip("/")) + 1:]
            toml_text = configmaps.get(mount.get("_configmap"), {}).get(key)
    if not check(toml_text is not None, f"server container: {config_path} is not a key of a mounted ConfigMap"):
        return {}
    env = {}
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
        elif "secretKeyRef" in item.get("valueFrom", {}):
            ref = item["valueFrom"]["secretKeyRef"]
            value = secrets.get(ref["name"], {}).get(ref["key"])
            if check(value is not None, f"server container: env {item['name']} refers to missing secret key {ref['name']}/{ref['key']}"):
                env[item["name"]] = value
        elif "configMapKeyRef" in item.get("valueFrom", {}):
            ref = item["valueFrom"]["configMapKeyRef"]
            value = configmaps.get(ref["name"], {}).get(ref["key"])
            if check(value is not None, f"server container: env {item['name']} refers to missing configmap key {ref['name']}/{ref['key']}"):
                env[item["name"]] = value
    path = scratch / "prodmcp.toml"
    path.write_text(toml_text)
    clean = {"PATH": os.environ["PATH"], **env}
    result = subprocess.run([server, "check-config", str(path)], env=clean, capture_output=True, text=True, timeout=20)
    check(result.returncode == 0, f"configmap.yaml: prodmcp-server check-config rejects the pod's config:\n{result.stdout}{result.stderr}")
    result = subprocess.run([server, "--config", str(path), "print-config", "--format", "json"], env=clean,
                            capture_output=True, text=True, timeout=20)
    report = json.loads(result.stdout) if result.stdout.startswith("{") else {"keys": [], "diagnostics": []}
    for diagnostic in report["diagnostics"]:
        check(False, f"configmap.yaml: {diagnostic['text']}")
    check(report.get("profile") == "production", f"server container: runs profile {report.get('profile')}, not production")
    return {k["key"]: k["value"] for k in report["keys"]}


def main():
    server = sys.argv[1]
    with tempfile.TemporaryDirectory() as scratch:
        run(server, pathlib.Path(scratch))
    finish()


def run(server, scratch):
    docs = load()
    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    configmaps = {d["metadata"]["name"]: d.get("data", {}) for d in by_kind.get("ConfigMap", [])}
    secrets = {d["metadata"]["name"]: d.get("stringData", {}) for d in by_kind.get("Secret", [])}
    deployments = by_kind.get("Deployment", [])
    servers = [d for d in deployments if any(c["image"].startswith("prodmcp-server") for c in d["spec"]["template"]["spec"]["containers"])]
    redis = [d for d in deployments if any(c["image"].startswith("redis") for c in d["spec"]["template"]["spec"]["containers"])]
    for kind in ("Service", "ConfigMap", "Secret", "PodDisruptionBudget", "HorizontalPodAutoscaler", "NetworkPolicy"):
        check(by_kind.get(kind), f"no {kind}")
    if not (check(len(servers) == 1, "need exactly one prodmcp-server Deployment") and check(len(redis) == 1, "need a Redis Deployment")):
        return
    for deployment in deployments:
        check_workload(deployment)

    deployment = servers[0]
    where = deployment["_where"]
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    container = next(c for c in pod["containers"] if c["image"].startswith("prodmcp-server"))
    security = pod.get("securityContext", {})
    check(spec.get("replicas", 1) >= 2, f"{where}: needs 2 or more replicas")
    check(security.get("runAsUser") == 1000 and container.get("securityContext", {}).get("runAsUser", 1000) == 1000,
          f"{where}: must run as uid 1000")
    for volume in pod.get("volumes", []):
        for mount in container.get("volumeMounts", []):
            if mount["name"] == volume["name"] and "configMap" in volume:
                mount["_configmap"] = volume["configMap"]["name"]
                check(volume["configMap"]["name"] in configmaps, f"{where}: volume {volume['name']} names a missing ConfigMap")

    values = effective_config(server, scratch, container, configmaps, secrets)
    if not values:
        return
    admin_port = int(values["server.admin_listen"].rpartition(":")[2])
    mcp_port = int(values["server.listen"].rpartition(":")[2])
    check(values["server.admin_listen"].startswith("0.0.0.0:") and values["server.listen"].startswith("0.0.0.0:"),
          "configmap.yaml: the pod must listen on 0.0.0.0 (the kubelet probes and Services use the pod IP)")
    check(values["auth.enabled"] is True, "configmap.yaml: production needs auth.enabled")
    check(values.get("server.admin_token_hash"), "the pod needs server.admin_token_hash (from the Secret)")
    check_network_policies(by_kind.get("NetworkPolicy", []), container, spec["template"]["metadata"]["labels"],
                           redis[0], admin_port, mcp_port)
    for probe, path in (("livenessProbe", "/health"), ("readinessProbe", "/ready")):
        get = container.get(probe, {}).get("httpGet", {})
        check(get.get("path") == path, f"{where}: {probe} must GET {path}")
        check(port_of(container, get.get("port")) == admin_port, f"{where}: {probe} must use the admin port {admin_port}")
    check(spec["template"]["metadata"].get("annotations", {}).get("prometheus.io/port") == str(admin_port),
          f"{where}: annotation prometheus.io/port must be the admin port {admin_port}")
    workers, cpu_limit = values["server.workers"], cpu(container["resources"]["limits"]["cpu"])
    check(1 <= workers <= math.ceil(cpu_limit), f"configmap.yaml: server.workers ({workers}) must be 1..the CPU limit ({cpu_limit}); 0 counts the node's cores")
    prestop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    sleep = int(prestop[1]) if prestop[:1] == ["sleep"] else 0
    grace = pod.get("terminationGracePeriodSeconds", 30)
    check(grace > sleep + values["server.shutdown_grace_s"],
          f"{where}: terminationGracePeriodSeconds ({grace}) must exceed preStop ({sleep} s) + server.shutdown_grace_s ({values['server.shutdown_grace_s']} s)")
    writable = [m["mountPath"] for m in container.get("volumeMounts", []) if any(
        v["name"] == m["name"] and "emptyDir" in v for v in pod.get("volumes", []))]
    check(any(values["health.disk_path"].startswith(p) for p in writable),
          f"{where}: health.disk_path {values['health.disk_path']} is not on a writable volume")

    # Services select exactly one workload and point at its named ports.
    services = by_kind.get("Service", [])
    for service in services:
        selector = service["spec"].get("selector", {})
        matched = [d for d in deployments if selects(selector, d["spec"]["template"]["metadata"].get("labels", {}))]
        if check(len(matched) == 1, f"{service['_where']}: selector matches {len(matched)} Deployments, not 1"):
            target = matched[0]["spec"]["template"]["spec"]["containers"][0]
            for port in service["spec"]["ports"]:
                check(port_of(target, port.get("targetPort", port["port"])), f"{service['_where']}: targetPort {port.get('targetPort')} is not a container port")
    server_service = [s for s in services if selects(s["spec"].get("selector"), spec["template"]["metadata"]["labels"])]
    check(any(port_of(container, p.get("targetPort")) == mcp_port for s in server_service for p in s["spec"]["ports"]),
          f"no Service exposes the MCP port {mcp_port}")
    redis_url = values.get("cache.redis_url", "")
    match = re.fullmatch(r"redis://(?:[^@]*@)?([\w.-]+):(\d+)(/\d+)?", redis_url)
    check(match and any(s["metadata"]["name"] == match.group(1) and any(p["port"] == int(match.group(2)) for p in s["spec"]["ports"])
                        and selects(s["spec"]["selector"], redis[0]["spec"]["template"]["metadata"]["labels"]) for s in services),
          f"REDIS_URL {redis_url!r} must name the Redis Service and its port")

    for pdb in by_kind.get("PodDisruptionBudget", []):
        check(selects(pdb["spec"]["selector"]["matchLabels"], spec["template"]["metadata"]["labels"]), f"{pdb['_where']}: does not select the server pods")
        check(isinstance(pdb["spec"].get("minAvailable"), int) and pdb["spec"]["minAvailable"] < spec["replicas"],
              f"{pdb['_where']}: minAvailable must be a number below the replicas, or no node can be drained")
    for hpa in by_kind.get("HorizontalPodAutoscaler", []):
        ref = hpa["spec"]["scaleTargetRef"]
        check(ref["kind"] == "Deployment" and ref["name"] == deployment["metadata"]["name"], f"{hpa['_where']}: must scale the server Deployment")
        check(2 <= hpa["spec"].get("minReplicas", 1) <= hpa["spec"]["maxReplicas"], f"{hpa['_where']}: needs 2 <= minReplicas <= maxReplicas")
        check(hpa["spec"].get("minReplicas", 1) <= spec["replicas"], f"{hpa['_where']}: minReplicas above the Deployment's replicas")
        check(hpa["spec"].get("metrics"), f"{hpa['_where']}: needs metrics")


def finish():
    if errors:
        print("\n".join("FAIL: " + e for e in errors))
        sys.exit(1)
    print("k8s: ok (kustomization, probes on the admin port, security contexts, selectors, "
          "and prodmcp-server accepts the pod's config)")


if __name__ == "__main__":
    main()
