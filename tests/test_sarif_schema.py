"""--format sarif against the official SARIF 2.1.0 JSON schema (from the npm package @microsoft/jest-sarif)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap

import pytest
from conftest import CORPUS

SCHEMA_NAME = "sarif-2.1.0-rtm.5.json"
NPM_PACKAGE = "@microsoft/jest-sarif"
BAD = textwrap.dedent("""\
    #include <linux/kprobes.h>
    static struct kprobe kp;
    static int __init m_init(void)
    {
    	kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60;
    	return register_kprobe(&kp);
    }
    """)


def _fetch_schema(cache) -> str:
    """The schema file, from $SARIF_SCHEMA, the pytest cache, or `npm pack` into the cache."""
    if os.environ.get("SARIF_SCHEMA"):
        return os.environ["SARIF_SCHEMA"]
    target = cache / SCHEMA_NAME
    if target.exists():
        return str(target)
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is not installed: cannot fetch {SCHEMA_NAME} from {NPM_PACKAGE} (or set SARIF_SCHEMA)")
    r = subprocess.run([npm, "pack", NPM_PACKAGE, "--silent"], cwd=str(cache), capture_output=True, text=True,
                       timeout=300)
    if r.returncode != 0:
        out = r.stdout + r.stderr
        if any(s in out for s in ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT", "ENETUNREACH", "network")):
            pytest.skip(f"npm registry not reachable to fetch {NPM_PACKAGE}: {out.strip()[-300:]}")
        pytest.fail(f"npm pack {NPM_PACKAGE} failed: {out}")
    tgz = cache / r.stdout.strip().splitlines()[-1]
    with tarfile.open(tgz) as tar:
        member = tar.extractfile(f"package/lib/schemas/{SCHEMA_NAME}")
        assert member is not None
        target.write_bytes(member.read())
    tgz.unlink()
    return str(target)


@pytest.fixture(scope="session")
def validator(request):
    jsonschema = pytest.importorskip("jsonschema")
    cache = request.config.cache.mkdir("sarif-schema")
    with open(_fetch_schema(cache), encoding="utf-8") as fh:
        schema = json.load(fh)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def run(*args: str, cwd, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "migrator", *args], cwd=str(cwd), capture_output=True, text=True,
                          input=stdin, timeout=300)


def assert_valid(validator, doc) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:10])


def _utf16(s: str) -> int:
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def _utf16_col(line: bytes, byte_column: int) -> int:
    return _utf16(line[:byte_column - 1].decode("utf-8", "surrogateescape")) + 1


def test_corpus_sarif_validates_and_is_complete(validator, tmp_path):
    r = run("check", "--format", "sarif", str(CORPUS), cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert_valid(validator, doc)
    assert doc["version"] == "2.1.0"
    (run0,) = doc["runs"]
    driver = run0["tool"]["driver"]
    assert driver["name"] == "probe-migrator" and driver["version"]
    rules = driver["rules"]
    catalog = json.loads(run("rules", "--format", "json", cwd=tmp_path).stdout)
    assert [(x["id"], x["name"]) for x in rules] == [(c["code"], c["name"]) for c in catalog]
    for rule, entry in zip(rules, catalog, strict=True):
        assert rule["shortDescription"]["text"] == entry["summary"]
        # the rule page: what it does and why in fullDescription, every section in help
        assert rule["fullDescription"]["text"] == entry["what"] + "\n\n" + entry["why"]
        for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "References"):
            assert f"## {heading}\n" in rule["help"]["markdown"]
            assert f"\n{heading}\n" in rule["help"]["text"]
        for ref in entry["references"]:
            assert ref in rule["help"]["markdown"] and ref in rule["help"]["text"]
        assert entry["example"].strip() in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    expected = json.loads(run("check", "--format", "json", str(CORPUS), cwd=tmp_path).stdout)
    results = run0["results"]
    assert len(results) == len(expected) > 50
    texts: dict[str, list[bytes]] = {}
    assert {res["ruleId"] for res in results} == {r["id"] for r in rules}  # the corpus exercises every rule
    for res, f in zip(results, expected, strict=True):
        assert res["ruleId"] == f["code"]
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] == {"error": "error", "warning": "warning", "info": "note"}[f["severity"]]
        assert res["message"]["text"] == f["message"]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] and not loc["artifactLocation"]["uri"].startswith("./")
        # SARIF columns are UTF-16 code units, the json format's are bytes
        if f["path"] not in texts:
            with open(f["path"], "rb") as fh:
                texts[f["path"]] = fh.read().split(b"\n")
        lines = texts[f["path"]]
        assert loc["region"] == {"startLine": f["line"], "endLine": f["end_line"],
                                 "startColumn": _utf16_col(lines[f["line"] - 1], f["column"]),
                                 "endColumn": _utf16_col(lines[f["end_line"] - 1], f["end_column"])}
        assert res["partialFingerprints"] and all(isinstance(v, str) for v in res["partialFingerprints"].values())
    fingerprints = [tuple(sorted(res["partialFingerprints"].items())) for res in results]
    assert len(set(fingerprints)) > len(results) * 0.9
    # the validator is not vacuous: a level SARIF does not define and a region without a start are rejected
    results[0]["level"] = "fatal"
    del results[1]["locations"][0]["physicalLocation"]["region"]["startLine"]
    results[1]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0
    assert len(list(validator.iter_errors(doc))) >= 2


def test_sarif_with_notifications_validates(validator, tmp_path):
    (tmp_path / "bad.c").write_text(BAD)
    (tmp_path / "odd.c").write_text(BAD.replace("return register_kprobe(&kp);", "return register_kprobe(&kp) @@ 1;"))
    r = run("check", "--format", "sarif", "bad.c", "odd.c", "missing.c", cwd=tmp_path)
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    assert_valid(validator, doc)
    inv = doc["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    kinds = {n["descriptor"]["id"] for n in inv["toolExecutionNotifications"]}
    assert {"io", "parse"} <= kinds


def test_empty_and_selected_runs_validate(validator, tmp_path):
    (tmp_path / "clean.c").write_text('#include <linux/kprobes.h>\nstatic struct kprobe kp = { .symbol_name = "x" };\n')
    r = run("check", "--format", "sarif", "clean.c", cwd=tmp_path)
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert_valid(validator, doc)
    assert doc["runs"][0]["results"] == []
    (tmp_path / "bad.c").write_text(BAD)
    r = run("check", "--format", "sarif", "--select", "addr-literal", "bad.c", cwd=tmp_path)
    doc = json.loads(r.stdout)
    assert_valid(validator, doc)
    (res,) = doc["runs"][0]["results"]
    assert [x["id"] for x in doc["runs"][0]["tool"]["driver"]["rules"]] == ["PM101"] and res["ruleIndex"] == 0


def test_sarif_of_a_patch_validates(validator, tmp_path):
    diff = "--- /dev/null\n+++ b/drivers/trace/new.c\n@@ -0,0 +1,7 @@\n" + "".join("+" + ln + "\n" for ln in BAD.splitlines())
    r = run("check", "--format", "sarif", "--diff", "-", cwd=tmp_path, stdin=diff)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert_valid(validator, doc)
    (res,) = doc["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "drivers/trace/new.c"


def test_sarif_columns_are_utf16_code_units(validator, tmp_path):
    # 'é' is 2 bytes and 1 UTF-16 unit, '😀' 4 bytes and 2 units, the Latin-1 byte 0xe9 (not UTF-8)
    # 1 byte and 1 unit (the U+FFFD an editor shows): the byte columns of the json format are off by
    # 1, 2 and 0 units respectively
    src = ("#include <linux/kprobes.h>\n"
           "static struct kprobe kp;\n"
           "static int __init m_init(void)\n"
           "{\n"
           "\t/* café */ kp.addr = (kprobe_opcode_t *)0xffffffff810a0a60; /* 😀 */\n"
           "\treturn register_kprobe(&kp);\n"
           "}\n"
           "static struct kprobe k2 = { /* 😀é */ .addr = (kprobe_opcode_t *)0xffffffff810a0b00 };\n").encode()
    src += b"static struct kprobe k3 = { /* caf\xe9 */ .addr = (kprobe_opcode_t *)0xffffffff810a0c00 };\n"
    (tmp_path / "uni.c").write_bytes(src)
    r = run("check", "--format", "sarif", "uni.c", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert_valid(validator, doc)
    run0 = doc["runs"][0]
    assert run0["columnKind"] == "utf16CodeUnits"
    byte_cols = json.loads(run("check", "--format", "json", "uni.c", cwd=tmp_path).stdout)
    lines = src.split(b"\n")
    regions = [res["locations"][0]["physicalLocation"]["region"] for res in run0["results"]]
    assert [g["startLine"] for g in regions] == [5, 8, 9]
    shifts = []
    for g, f in zip(regions, byte_cols, strict=True):
        text = lines[g["startLine"] - 1].decode("utf-8", "surrogateescape")
        start = _utf16(lines[f["line"] - 1][:f["column"] - 1].decode("utf-8", "surrogateescape")) + 1
        end = _utf16(lines[f["end_line"] - 1][:f["end_column"] - 1].decode("utf-8", "surrogateescape")) + 1
        assert (g["startColumn"], g["endColumn"]) == (start, end)
        # the UTF-16 column points at the reported text: slice the line by code units
        units = text.encode("utf-16-le", "surrogatepass")
        assert units[2 * (start - 1):].decode("utf-16-le", "surrogatepass").lstrip(" .").startswith(("kp.addr", "addr"))
        shifts.append(f["column"] - g["startColumn"])
    assert shifts == [1, 3, 0]


_URI_REFERENCE = r"^(?:[A-Za-z0-9\-._~/!$&'()*+,;=:@]|%[0-9A-F]{2})*$"


@pytest.mark.parametrize("rel", ["my dir/a#1%2/x.c", "caf\u00e9/\u6f22\u5b57.c", "a:b.c", "q?x=1/y.c",
                                 b"latin\xe91/y.c"], ids=["space-hash-percent", "non-ascii", "colon", "query",
                                                          "not-utf8"])
def test_sarif_uris_are_percent_encoded_relative_references(validator, tmp_path, rel):
    import re
    from urllib.parse import unquote_to_bytes, urljoin

    raw = rel if isinstance(rel, bytes) else rel.encode()
    target = os.path.join(os.fsencode(tmp_path), raw)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(BAD.encode())
    except OSError as e:  # a file system that refuses the name
        pytest.skip(f"cannot create {raw!r}: {e}")
    r = subprocess.run([sys.executable, "-m", "migrator", "check", "--format", "sarif", raw], cwd=str(tmp_path),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr
    doc = json.loads(r.stdout)
    assert_valid(validator, doc)
    (res,) = doc["runs"][0]["results"]
    loc = res["locations"][0]["physicalLocation"]["artifactLocation"]
    uri = loc["uri"]
    assert loc["uriBaseId"] == "%SRCROOT%"
    assert re.match(_URI_REFERENCE, uri), uri
    assert ":" not in uri.split("/")[0]  # not mistaken for a scheme
    assert unquote_to_bytes(uri) == raw
    # resolved against a base, the reference stays one path: no fragment, no query
    assert urljoin("file:///src/", uri) == "file:///src/" + uri


def test_sarif_uri_of_an_absolute_path_is_a_file_uri(validator, tmp_path):
    from urllib.parse import unquote, urlsplit

    d = tmp_path / "with space#"
    d.mkdir()
    (d / "bad.c").write_text(BAD)
    r = run("check", "--format", "sarif", str(d / "bad.c"), cwd=tmp_path)
    doc = json.loads(r.stdout)
    assert_valid(validator, doc)
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert "uriBaseId" not in loc
    parts = urlsplit(loc["uri"])
    assert (parts.scheme, parts.netloc, parts.query, parts.fragment) == ("file", "", "", "")
    assert unquote(parts.path) == str(d / "bad.c")
