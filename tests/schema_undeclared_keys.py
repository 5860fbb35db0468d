# Lists the keys of JSON files that their schema does not declare: the schemas admit extra keys (a
# module may add fields), so a key added to an output and forgotten in docs/schemas/ passed the
# validator without a word. Usage: schema_undeclared_keys.py [--validate] SCHEMA INSTANCE...; prints
# one "INSTANCE: /path/to/key" line per undeclared key (each path once) and exits 1 when there is
# any. An object whose schema declares none of its members is not looked into.
#
# --validate also validates each instance against the schema with python3-jsonschema, as
# `python3 -m jsonschema` does (the schema checked first, then every error of each instance), in the
# same run: the suite checked ~50 outputs, and three python starts a check (this script, a probe for
# jsonschema, its validator) cost more than the checks. Adds 2 to the exit code when an instance is
# invalid; exits 4 when jsonschema cannot be imported.
import json
import re
import sys


def expanded(root, node):
    """`node` with its $ref followed and the branches of allOf/anyOf/oneOf/if/then/else, flattened."""
    out = []
    todo = [node]
    while todo:
        n = todo.pop()
        if not isinstance(n, dict):
            continue
        if "$ref" in n:
            target = root
            for part in n["$ref"].lstrip("#/").split("/"):
                target = target[part]
            todo.append(target)
        out.append(n)
        for key in ("allOf", "anyOf", "oneOf"):
            todo.extend(n.get(key, []))
        for key in ("if", "then", "else"):
            if key in n:
                todo.append(n[key])
    return out


def walk(root, nodes, value, path, found):
    nodes = [e for n in nodes for e in expanded(root, n)]
    # An object declared without its members ({"type": "object"}, "as in report.json") is opaque: its
    # keys are another schema's business.
    described = any(k in n for n in nodes for k in ("properties", "patternProperties", "additionalProperties"))
    if isinstance(value, dict) and described:
        for key, member in value.items():
            members = []
            for n in nodes:
                if key in n.get("properties", {}):
                    members.append(n["properties"][key])
                for pattern, sub in n.get("patternProperties", {}).items():
                    if re.search(pattern, key):
                        members.append(sub)
                if isinstance(n.get("additionalProperties"), dict):
                    members.append(n["additionalProperties"])
            where = path + "/" + key
            if not members:
                found.add(where)
            else:
                walk(root, members, member, where, found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            items = []
            for n in nodes:
                it = n.get("items")
                if isinstance(it, dict):
                    items.append(it)
                elif isinstance(it, list) and i < len(it):
                    items.append(it[i])
            if items:
                walk(root, items, item, path + "/[]", found)


def validation_errors(schema, value):
    """The messages of jsonschema's validator for `value`, in the order of their paths."""
    from jsonschema.validators import validator_for

    cls = validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path])
    return ["/" + "/".join(str(p) for p in e.absolute_path) + ": " + e.message for e in errors]


def main():
    args = sys.argv[1:]
    validate = args[:1] == ["--validate"]
    if validate:
        args = args[1:]
        try:
            import jsonschema  # noqa: F401  (python3-jsonschema, scripts/install-deps.sh)
        except ImportError:
            print("python3-jsonschema is missing (scripts/install-deps.sh installs it)")
            return 4
    with open(args[0]) as f:
        root = json.load(f)
    bad = invalid = 0
    for instance in args[1:]:
        with open(instance) as f:
            value = json.load(f)
        found = set()
        walk(root, [root], value, "", found)
        for where in sorted(found):
            print(instance + ": " + where + " is not declared in " + args[0])
        bad += len(found)
        if validate:
            for message in validation_errors(root, value):
                print(instance + ": " + message + " (against " + args[0] + ")")
                invalid += 1
    return (1 if bad else 0) + (2 if invalid else 0)


if __name__ == "__main__":
    sys.exit(main())
