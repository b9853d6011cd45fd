"""Turn an operator's CustomResourceDefinition into the JSON schema tests/contract/test_k8s.py checks against.

    python deploy/k8s/schemas/vendor.py CRD.yaml VERSION > deploy/k8s/schemas/<kind>-<group>-<version>.json

What changes from the CRD's openAPIV3Schema: descriptions are dropped (size), `apiVersion` and `kind` are
pinned, and every object that lists its properties refuses others (additionalProperties: false), as the API
server does for a custom resource under `kubectl apply` (strict field validation) instead of pruning them.
Objects marked x-kubernetes-preserve-unknown-fields, or maps (additionalProperties given), stay open.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import yaml


def close(node: Any) -> Any:
    if isinstance(node, list):
        return [close(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: close(value) for key, value in node.items() if key != "description"}
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def schema_of(crd: dict[str, Any], version: str) -> dict[str, Any]:
    spec = crd["spec"]
    (served,) = [v for v in spec["versions"] if v["name"] == version]
    schema = close(served["schema"]["openAPIV3Schema"])
    schema["properties"]["apiVersion"] = {"const": f"{spec['group']}/{version}"}
    schema["properties"]["kind"] = {"const": spec["names"]["kind"]}
    schema["required"] = sorted({"apiVersion", "kind", "metadata", *schema.get("required", [])})
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    return schema


if __name__ == "__main__":
    path, version = sys.argv[1], sys.argv[2]
    with open(path) as crd:
        schema = schema_of(yaml.safe_load(crd), version)
    json.dump(schema, sys.stdout, separators=(",", ":"), sort_keys=True)
    sys.stdout.write("\n")
