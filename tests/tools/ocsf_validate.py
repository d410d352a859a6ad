#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""Validate OCSF events (JSON lines) against a raw OCSF schema tree.

usage: ocsf_validate.py --schema DIR [--summary] [--max-problems N] FILE...
       ocsf_validate.py --schema DIR --explain CLASS_UID|OBJECT_NAME

FILE is a file of JSON lines ('-' for stdin); each line is one event. The
schema tree is the raw one of github.com/ocsf/ocsf-schema (dictionary.json,
categories.json, events/, objects/, profiles/), compiled here as the OCSF
server and compilers do it:

  * "$include" of profiles (and of other files) at the attributes level and
    inside one attribute; attributes from a profile belong to it unless the
    including class or object says "profile": null;
  * "extends" chains of classes (up to base_event) and of objects, the child's
    attribute details merged over the parent's (enums are merged);
  * every attribute merged over its dictionary entry (type, is_array, enum);
  * the datetime profile: every timestamp_t attribute X gains an optional
    X_dt (datetime_t) in the datetime profile.

An event fails on: a missing required attribute (of the class and, in every
object, of that object, through its extends chain), a value of the wrong
type (JSON type, is_array, regex, range, 32-bit integer_t), an attribute
unknown to its class or object, an attribute of a profile that
metadata.profiles does not name, a value outside its enum (activity_id and
every other enumerated attribute), an enum's caption sibling that
contradicts it (activity_name, class_name, ... unless the id is 99 Other),
a class_uid that is not category_uid * 1000 + the class's uid, a type_uid
that is not class_uid * 100 + activity_id, a violated object constraint
(at_least_one, just_one), and a null value (omit the attribute instead).

Exit: 0 every event valid, 1 problems (one line each on stdout:
FILE:LINE: PATH: what), 2 usage or an unreadable schema.
"""
import argparse
import copy
import json
import os
import re
import sys

BASE_TYPES = ("string_t", "integer_t", "long_t", "float_t", "boolean_t", "json_t")
OTHER_ID = 99


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def deep_merge(dest, src):
    """Merge src over dest (in place): dicts recursively, the rest replaced."""
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dest.get(k), dict):
            deep_merge(dest[k], v)
        else:
            dest[k] = copy.deepcopy(v)
    return dest


class Schema:
    def __init__(self, root):
        self.root = root
        self.version = read_json(os.path.join(root, "version.json"))["version"]
        self.dictionary = read_json(os.path.join(root, "dictionary.json"))
        self.dict_attrs = self.dictionary["attributes"]
        self.types = self.dictionary["types"]["attributes"]
        self.categories = read_json(os.path.join(root, "categories.json"))["attributes"]
        self.profiles = self._read_items("profiles")
        self.objects = self._read_items("objects")
        classes = self._read_items("events")
        for item in list(self.objects.values()) + list(classes.values()):
            self._resolve_includes(item)
        for items in (self.objects, classes):
            done = set()
            for name in list(items):
                self._resolve_extends(items, name, done, [])
        for name, obj in self.objects.items():
            self._finish(obj)
        self.classes = {}  # class_uid -> resolved class
        for name, cls in classes.items():
            cat = self.categories.get(cls.get("category"))
            if name != "base_event" and (cat is None or "uid" not in cls):
                continue  # an abstract class (system, network, finding, ...)
            cat_uid = cat["uid"] if cat else 0
            cls["category_uid"] = cat_uid
            cls["class_uid"] = cat_uid * 1000 + cls.get("uid", 0)
            cls["category_caption"] = cat["caption"] if cat else "Uncategorized"
            self._finish(cls)
            # a concrete class admits its own uids only (not base_event's 0)
            cls["attributes"]["class_uid"]["enum"] = {str(cls["class_uid"]): {"caption": cls["caption"]}}
            cls["attributes"]["category_uid"]["enum"] = {str(cat_uid): {"caption": cls["category_caption"]}}
            self.classes[cls["class_uid"]] = cls

    def _read_items(self, sub):
        items = {}
        for dirpath, _, files in sorted(os.walk(os.path.join(self.root, sub))):
            for fn in sorted(files):
                if fn.endswith(".json"):
                    item = read_json(os.path.join(dirpath, fn))
                    items[item["name"]] = item
        return items

    def _resolve_includes(self, item):
        attrs = item.setdefault("attributes", {})
        inc = attrs.pop("$include", None)
        if inc is not None:
            merged = {}
            for path in [inc] if isinstance(inc, str) else inc:
                part = read_json(os.path.join(self.root, path))
                pattrs = copy.deepcopy(part.get("attributes", {}))
                for a in pattrs.values():
                    for k, v in part.get("annotations", {}).items():
                        a.setdefault(k, v)
                    if part.get("meta") == "profile":
                        a["profiles"] = [part["name"]]
                deep_merge(merged, pattrs)
            # the item's own details win over what it includes
            for name, a in attrs.items():
                a = dict(a)
                if "profile" in a:
                    p = a.pop("profile")
                    a["profiles"] = None if p is None else [p]
                if name in merged:
                    deep_merge(merged[name], a)
                else:
                    merged[name] = a
            item["attributes"] = attrs = merged
        for name, a in attrs.items():
            if isinstance(a, dict) and "$include" in a:
                base = read_json(os.path.join(self.root, a.pop("$include")))
                attrs[name] = deep_merge(copy.deepcopy(base), a)
            if isinstance(attrs[name], dict) and "profile" in attrs[name]:
                p = attrs[name].pop("profile")
                attrs[name]["profiles"] = None if p is None else [p]

    def _resolve_extends(self, items, name, done, chain):
        if name in done:
            return
        item = items[name]
        parent_name = item.get("extends")
        if parent_name:
            if parent_name not in items:
                raise ValueError(f"{name} extends unknown {parent_name}")
            if parent_name in chain:
                raise ValueError(f"extends cycle at {name}")
            self._resolve_extends(items, parent_name, done, chain + [name])
            new = copy.deepcopy(items[parent_name])
            for k, v in item.items():
                if k == "attributes":
                    pattrs = new.setdefault("attributes", {})
                    for an, a in v.items():
                        if an in pattrs:
                            deep_merge(pattrs[an], a)
                        else:
                            pattrs[an] = copy.deepcopy(a)
                elif k == "profiles":
                    new["profiles"] = sorted(set(new.get("profiles") or []) | set(v or []))
                elif k == "constraints":
                    new[k] = copy.deepcopy(v)
                else:
                    new[k] = copy.deepcopy(v)
            items[name] = new
        done.add(name)

    def _finish(self, item):
        """Merge each attribute over its dictionary entry; add datetime siblings."""
        out = {}
        for name, a in item.get("attributes", {}).items():
            if name not in self.dict_attrs:
                raise ValueError(f"{item['name']}: attribute {name} not in the dictionary")
            full = deep_merge(copy.deepcopy(self.dict_attrs[name]), a)
            full.setdefault("requirement", "optional")
            out[name] = full
        for name, a in list(out.items()):
            if a.get("type") == "timestamp_t" and name + "_dt" not in out:
                dt = copy.deepcopy(a)
                dt.update(type="datetime_t", requirement="optional", profiles=["datetime"])
                dt.pop("enum", None)
                out[name + "_dt"] = dt
        item["attributes"] = out

    def base_type(self, t):
        seen = 0
        while t not in BASE_TYPES and t in self.types and seen < 8:
            t = self.types[t].get("type", t)
            seen += 1
        return t

    def type_chain(self, t):
        """The type and the types it refines (port_t -> integer_t)."""
        out = [t]
        while t in self.types and self.types[t].get("type") and len(out) < 8:
            t = self.types[t]["type"]
            out.append(t)
        return out


class Validator:
    def __init__(self, schema):
        self.s = schema
        self._regex = {}

    def validate(self, ev):
        """Problems of one event: a list of (path, message)."""
        probs = []
        if not isinstance(ev, dict):
            return [("", "an event must be a JSON object")]
        cuid = ev.get("class_uid")
        if type(cuid) is not int:
            return [("class_uid", "missing or not an integer")]
        cls = self.s.classes.get(cuid)
        if cls is None:
            return [("class_uid", f"{cuid} is not a class of OCSF {self.s.version}")]
        md = ev.get("metadata")
        profiles = set()
        if isinstance(md, dict) and isinstance(md.get("profiles"), list):
            for p in md["profiles"]:
                if p not in self.s.profiles:
                    probs.append(("metadata.profiles", f"unknown profile {p!r}"))
                profiles.add(p)
        self._item(ev, cls, cls["name"], "", profiles, probs)
        if ev.get("category_uid") != cls["category_uid"]:
            probs.append(("category_uid", f"{ev.get('category_uid')!r} but class {cuid} "
                          f"({cls['caption']}) is in category {cls['category_uid']}"))
        if ev.get("category_name", cls["category_caption"]) != cls["category_caption"]:
            probs.append(("category_name", f"{ev['category_name']!r}, not {cls['category_caption']!r}"))
        if ev.get("class_name", cls["caption"]) != cls["caption"]:
            probs.append(("class_name", f"{ev['class_name']!r}, not {cls['caption']!r}"))
        act = ev.get("activity_id")
        if type(act) is int:
            want = cuid * 100 + act
            if ev.get("type_uid") != want:
                probs.append(("type_uid", f"{ev.get('type_uid')!r}, not class_uid * 100 + activity_id = {want}"))
            caption = cls["attributes"]["activity_id"].get("enum", {}).get(str(act), {}).get("caption")
            if "type_name" in ev and caption and act != OTHER_ID and \
                    ev["type_name"] != f"{cls['caption']}: {caption}":
                probs.append(("type_name", f"{ev['type_name']!r}, not {cls['caption'] + ': ' + caption!r}"))
        return probs

    def _item(self, value, item, what, path, profiles, probs):
        attrs = item["attributes"]
        if what == "object" and not attrs:
            return  # the generic object (unmapped, ...): anything goes
        for k, v in value.items():
            p = f"{path}.{k}" if path else k
            a = attrs.get(k)
            if a is None:
                probs.append((p, f"attribute unknown to {what}"))
                continue
            prof = a.get("profiles")
            if prof and not profiles.intersection(prof):
                probs.append((p, f"attribute of profile {'/'.join(prof)}, which metadata.profiles does not name"))
            self._value(v, a, p, profiles, probs)
        for k, a in attrs.items():
            if a.get("requirement") != "required" or k in value:
                continue
            prof = a.get("profiles")
            if prof and not profiles.intersection(prof):
                continue
            probs.append((f"{path}.{k}" if path else k, f"required attribute of {what} missing"))
        for kind, names in (item.get("constraints") or {}).items():
            n = sum(1 for x in names if x in value)
            if kind == "at_least_one" and n < 1:
                probs.append((path or "(event)", f"{what} needs at least one of {', '.join(names)}"))
            elif kind == "just_one" and n != 1:
                probs.append((path or "(event)", f"{what} needs exactly one of {', '.join(names)} ({n} given)"))
        for k, a in attrs.items():
            sib = a.get("sibling")
            if not sib or "enum" not in a or type(value.get(k)) is not int or value[k] == OTHER_ID:
                continue
            cap = a["enum"].get(str(value[k]), {}).get("caption")
            if isinstance(value.get(sib), str) and cap is not None and value[sib] != cap:
                probs.append((f"{path}.{sib}" if path else sib, f"{value[sib]!r} contradicts {k} {value[k]} ({cap!r})"))

    def _value(self, v, a, path, profiles, probs):
        if v is None:
            probs.append((path, "null value (omit the attribute instead)"))
            return
        if a.get("is_array"):
            if not isinstance(v, list):
                probs.append((path, f"must be an array of {a.get('type')}"))
                return
            for i, x in enumerate(v):
                self._scalar(x, a, f"{path}[{i}]", profiles, probs)
        else:
            if isinstance(v, list):
                probs.append((path, f"must be a single {a.get('type')}, not an array"))
                return
            self._scalar(v, a, path, profiles, probs)

    def _scalar(self, v, a, path, profiles, probs):
        t = a.get("type")
        if t in self.s.objects:
            if not isinstance(v, dict):
                probs.append((path, f"must be a {t} object"))
                return
            self._item(v, self.s.objects[t], t if t != "object" else "object", path, profiles, probs)
            return
        base = self.s.base_type(t)
        if base == "json_t":
            return
        ok = {
            "string_t": isinstance(v, str),
            "integer_t": type(v) is int,
            "long_t": type(v) is int,
            "float_t": type(v) in (int, float),
            "boolean_t": type(v) is bool,
        }.get(base)
        if ok is None:
            probs.append((path, f"unknown type {t}"))
            return
        if not ok:
            probs.append((path, f"{json.dumps(v)[:60]} is not a {t}"))
            return
        if base == "integer_t" and not -2**31 <= v < 2**31:
            probs.append((path, f"{v} does not fit integer_t (32-bit; long_t is 64)"))
        if base == "long_t" and not -2**63 <= v < 2**63:
            probs.append((path, f"{v} does not fit long_t"))
        for tt in self.s.type_chain(t):
            td = self.s.types.get(tt, {})
            if "range" in td and not td["range"][0] <= v <= td["range"][1]:
                probs.append((path, f"{v} outside {tt} range {td['range']}"))
            if "max_len" in td and isinstance(v, str) and len(v) > td["max_len"]:
                probs.append((path, f"longer than {tt} max_len {td['max_len']}"))
            if "regex" in td and isinstance(v, str):
                rx = self._regex.get(tt)
                if rx is None:
                    rx = self._regex[tt] = re.compile(td["regex"])
                if not rx.search(v):
                    probs.append((path, f"{json.dumps(v)[:60]} is not a valid {tt}"))
        if "enum" in a and base in ("integer_t", "long_t") and str(v) not in a["enum"]:
            probs.append((path, f"{v} is not in the enum of {path.rsplit('.', 1)[-1]} "
                                f"({', '.join(sorted(a['enum'], key=lambda x: int(x) if x.lstrip('-').isdigit() else 0))})"))
        if "enum" in a and base == "string_t" and v not in a["enum"]:
            probs.append((path, f"{v!r} is not in the enum of {path.rsplit('.', 1)[-1]}"))


def explain(schema, what):
    item = None
    if what.isdigit():
        item = schema.classes.get(int(what))
    else:
        item = schema.objects.get(what)
    if item is None:
        print(f"ocsf_validate: no class or object {what!r}", file=sys.stderr)
        return 2
    print(f"{item.get('caption')} ({item['name']}) constraints={item.get('constraints')}")
    for name, a in sorted(item["attributes"].items()):
        prof = a.get("profiles")
        enum = ",".join(sorted(a.get("enum", {}), key=lambda x: int(x) if x.isdigit() else 0))
        print(f"  {a['requirement']:<11} {name:<28} {a.get('type')}{'[]' if a.get('is_array') else ''}"
              f"{'  profile=' + '/'.join(prof) if prof else ''}{'  enum=' + enum if enum else ''}")
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description="Validate OCSF JSON lines against a raw OCSF schema tree.")
    ap.add_argument("--schema", required=True, help="the schema tree (dictionary.json, events/, objects/)")
    ap.add_argument("--summary", action="store_true", help="print events per class at the end")
    ap.add_argument("--max-problems", type=int, default=50, help="stop printing after N problems (0: all)")
    ap.add_argument("--explain", metavar="CLASS_UID|OBJECT", help="print a compiled class or object")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args(argv)
    try:
        schema = Schema(args.schema)
    except (OSError, ValueError, KeyError) as e:
        print(f"ocsf_validate: cannot read the schema {args.schema}: {e}", file=sys.stderr)
        return 2
    if args.explain:
        return explain(schema, args.explain)
    if not args.files:
        ap.print_usage(sys.stderr)
        return 2
    val = Validator(schema)
    nprob = nev = 0
    per_class = {}
    for fn in args.files:
        try:
            f = sys.stdin if fn == "-" else open(fn, encoding="utf-8")
        except OSError as e:
            print(f"ocsf_validate: {fn}: {e}", file=sys.stderr)
            return 2
        with f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                nev += 1
                try:
                    ev = json.loads(line)
                except ValueError as e:
                    probs = [("", f"not JSON: {e}")]
                    ev = None
                else:
                    probs = val.validate(ev)
                if isinstance(ev, dict):
                    per_class[ev.get("class_uid")] = per_class.get(ev.get("class_uid"), 0) + 1
                for p, msg in probs:
                    nprob += 1
                    if not args.max_problems or nprob <= args.max_problems:
                        print(f"{fn}:{lineno}: {p or '(event)'}: {msg}")
    if args.summary:
        for c in sorted(per_class, key=lambda x: (x is None, x if isinstance(x, int) else 0)):
            name = schema.classes[c]["caption"] if c in schema.classes else "?"
            print(f"  class {c} {name}: {per_class[c]} events")
    print(f"ocsf_validate: {nev} events, {nprob} problems", file=sys.stderr)
    return 1 if nprob else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
