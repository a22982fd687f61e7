"""Robustness and precision sweep of the newer commands over the shared corpus (see
scripts/sweep-new-commands.sh, which builds the binary and calls this).

Parts (each prints `ok`/`FAIL` lines, then a summary):
  graph     `graph` in all 4 formats on every corpus file, the robustness files and each stack
            project (its entry files and its folder): no panic, no hang (20 s), byte-identical on
            a second run, JSON parses, Mermaid node IDs are [A-Za-z0-9_] and unique, DOT is
            rendered by Graphviz on a sample of 200
  fix       `--diff --unsafe-fixes` then `--fix --unsafe-fixes` on a copy (temp dir) of every
            file: no panic; `--diff` writes nothing; the fixed file is what the diff said (patch);
            files without a fix keep their bytes; no new TM001; a second `--fix` changes nothing;
            CRLF and UTF-16 copies of fixable files; fixes counted per rule
  baseline  `--write-baseline` twice (identical), then `--baseline`: no finding left
  server    the language server: open each robustness file and a sample of corpus files, change
            each to a random truncation (full and ranged changes, one range past the end); the
            server answers a request after each document and exits 0 on shutdown/exit
  summary   GITHUB_STEP_SUMMARY on the whole corpus: table rows well formed, under 1 MiB, an
            access-graph section exactly for each stack whose graph has a warning or worse

Usage: python3 sweep_new_commands.py BINARY CORPUS [PART...]
"""

import collections
import concurrent.futures as cf
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

TIMEOUT = 20
JOBS = int(os.environ.get("SWEEP_JOBS", "2"))
SEED = int(os.environ.get("SWEEP_SEED", "20261127"))

failures = []
stats = collections.OrderedDict()


def fail(part, what):
    failures.append((part, what))
    print(f"FAIL {part}: {what}", flush=True)


def run(args, cwd, env=None, stdin=None):
    """(rc, stdout bytes, stderr bytes); rc None on a timeout."""
    try:
        p = subprocess.run(args, cwd=cwd, env=env, input=stdin, capture_output=True, timeout=TIMEOUT)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or b"", e.stderr or b""


def bad_exit(rc, err):
    if rc is None:
        return "timeout (hang?)"
    if rc == 101 or b"panicked" in err:
        return "panic: " + err.decode("utf-8", "replace")[-400:]
    if rc < 0:
        return f"killed by signal {-rc}"
    return None


def corpus_files(corpus):
    with open(os.path.join(corpus, "MANIFEST.tsv"), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    return [r[0] for r in rows if r and r[0]]


def robustness_files(corpus):
    d = os.path.join(corpus, "robustness")
    return sorted("robustness/" + n for n in os.listdir(d) if n != "README.md")


def stack_projects(corpus):
    with open(os.path.join(corpus, "stacks", "MANIFEST.tsv"), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    return [(r[0], [e for e in r[4].split(";") if e]) for r in rows if len(r) > 4]


# --------------------------------------------------------------------------------------------
# graph

MERMAID_ID = re.compile(r"^[A-Za-z0-9_]+$")


def mermaid_problems(text):
    """Node IDs that are not [A-Za-z0-9_], and IDs defined twice within a diagram."""
    problems = []
    defined = set()
    for raw in text.splitlines():
        line = re.sub(r'"[^"]*"', '""', raw).strip()
        if line.startswith("```"):
            defined = set()  # a new diagram (Markdown with one per stack)
            continue
        if (not line or line.startswith(("%%", "flowchart", "graph ", "classDef", "subgraph", "end", "#"))
                or line in ("end",)):
            continue
        if line.startswith("class "):
            ids = line.split()[1].split(",")
        elif "-->" in line or "-.->" in line or "==>" in line:
            ids = [s.strip() for s in re.split(r"-->\|[^|]*\||-\.->\|[^|]*\||==>\|[^|]*\||-->|-\.->|==>", line)]
        else:
            m = re.match(r"^([^\[\(\{>/\s]+)", line)
            if not m:
                problems.append(f"unparsed line {raw!r}")
                continue
            node = m.group(1)
            if node in defined and not node.startswith("legend"):
                problems.append(f"node {node} defined twice")
            defined.add(node)
            ids = [node]
        for i in ids:
            if not MERMAID_ID.match(i):
                problems.append(f"node ID {i!r}")
    return problems


def graph_target(binary, cwd, path, label, outdir):
    """Every format twice; returns (label, {format: stdout}, [problems])."""
    problems = []
    outs = {}
    for fmt in ("mermaid", "dot", "json", "html"):
        t0 = time.monotonic()
        rc1, o1, e1 = run([binary, "graph", "--format", fmt, path], cwd)
        dt = time.monotonic() - t0
        why = bad_exit(rc1, e1)
        if why:
            problems.append(f"{fmt}: {why}")
            continue
        rc2, o2, e2 = run([binary, "graph", "--format", fmt, path], cwd)
        if bad_exit(rc2, e2) or o1 != o2 or rc1 != rc2:
            problems.append(f"{fmt}: not deterministic (rc {rc1}/{rc2}, {len(o1)}/{len(o2)} bytes)")
        if rc1 not in (0,):
            problems.append(f"{fmt}: exit {rc1}: {e1.decode('utf-8', 'replace')[:300]}")
        if dt > 5:
            problems.append(f"{fmt}: slow ({dt:.1f} s)")
        outs[fmt] = o1
    if "json" in outs:
        try:
            doc = json.loads(outs["json"])
            if not isinstance(doc.get("stacks"), list):
                problems.append("json: no stacks list")
            else:
                for s in doc["stacks"]:
                    ids = [n["id"] for n in s.get("nodes", [])]
                    if len(ids) != len(set(ids)):
                        problems.append(f"json: duplicate node IDs in {s.get('stack')}")
                    known = set(ids)
                    for e in s.get("edges", []):
                        if e.get("from") not in known or e.get("to") not in known:
                            problems.append(f"json: edge to an unknown node {e}")
                            break
        except (ValueError, AttributeError, TypeError, KeyError) as e:
            problems.append(f"json: does not parse: {e}")
    if "mermaid" in outs:
        problems += ["mermaid: " + p for p in mermaid_problems(outs["mermaid"].decode("utf-8", "replace"))[:5]]
    if "html" in outs and outs["html"] and b"</html>" not in outs["html"]:
        problems.append("html: no </html>")
    if "dot" in outs:
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", label)
        with open(os.path.join(outdir, name + ".dot"), "wb") as f:
            f.write(outs["dot"])
    return label, outs, problems


def part_graph(binary, corpus, work):
    outdir = os.path.join(work, "dot")
    os.makedirs(outdir, exist_ok=True)
    targets = [(corpus, f, f) for f in corpus_files(corpus) + robustness_files(corpus)]
    for proj, entries in stack_projects(corpus):
        pdir = os.path.join(corpus, "stacks", proj)
        targets += [(pdir, e, f"stacks/{proj}/{e}") for e in entries]
        targets.append((pdir, ".", f"stacks/{proj}/"))
    t0 = time.monotonic()
    with_pool = 0
    bad = 0
    with cf.ThreadPoolExecutor(JOBS) as ex:
        for label, outs, problems in ex.map(lambda t: graph_target(binary, *t, outdir), targets):
            if problems:
                bad += 1
                for p in problems:
                    fail("graph", f"{label}: {p}")
            try:
                if json.loads(outs.get("json", b"{}")).get("stacks"):
                    with_pool += 1
            except ValueError:
                pass
    stats["graph targets"] = len(targets)
    stats["graph targets with a graph"] = with_pool
    stats["graph targets failing"] = bad
    stats["graph time (s)"] = round(time.monotonic() - t0, 1)
    # DOT: Graphviz on a sample of 200 (those with a graph first, then the rest).
    if shutil.which("dot") is None:
        print("skip dot: Graphviz is not installed")
        return
    dots = sorted(os.listdir(outdir))
    rnd = random.Random(SEED)
    nonempty = [d for d in dots if b"->" in open(os.path.join(outdir, d), "rb").read()]
    sample = nonempty[:150] if len(nonempty) <= 150 else rnd.sample(nonempty, 150)
    rest = [d for d in dots if d not in set(sample)]
    sample += rnd.sample(rest, min(200 - len(sample), len(rest)))
    dot_bad = 0
    for d in sample:
        rc, _, err = run(["dot", "-Tsvg", "-o", os.devnull, os.path.join(outdir, d)], work)
        if rc != 0 or err.strip():
            dot_bad += 1
            fail("graph", f"dot -Tsvg {d}: rc {rc}: {err.decode('utf-8', 'replace')[:300]}")
    stats["dot rendered"] = f"{len(sample) - dot_bad}/{len(sample)}"


# --------------------------------------------------------------------------------------------
# fix


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def lint_json(binary, cwd, path, extra=()):
    rc, out, err = run([binary, "--format", "json", *extra, path], cwd)
    why = bad_exit(rc, err)
    if why:
        return why, None
    try:
        return None, json.loads(out)
    except ValueError as e:
        return f"json report does not parse ({e}): {err.decode('utf-8', 'replace')[:200]}", None


def rule_counts(report):
    return collections.Counter(f["rule"] for f in report.get("findings", []))


def fix_one(binary, cwd, path, patch_dir):
    """Returns (path, problems, fixed Counter, changed?)."""
    problems = []
    full = os.path.join(cwd, path)
    before_sum = sha(full)
    with open(full, "rb") as f:
        original = f.read()
    why, before = lint_json(binary, cwd, path)
    if why:
        return path, [f"lint: {why}"], collections.Counter(), False
    rc, diff, err = run([binary, "--diff", "--unsafe-fixes", path], cwd)
    why = bad_exit(rc, err)
    if why:
        return path, [f"--diff: {why}"], collections.Counter(), False
    if sha(full) != before_sum:
        problems.append("--diff wrote to the file")
    if rc not in (0, 1):
        problems.append(f"--diff exit {rc}: {err.decode('utf-8', 'replace')[:300]}")
    elif (rc == 1) != bool(diff.strip()):
        problems.append(f"--diff exit {rc} with {len(diff)} bytes of diff")
    rc, out, err = run([binary, "--fix", "--unsafe-fixes", "--format", "json", path], cwd)
    why = bad_exit(rc, err)
    if why:
        return path, problems + [f"--fix: {why}"], collections.Counter(), False
    after_sum = sha(full)
    changed = after_sum != before_sum
    if changed and not diff.strip():
        problems.append("--fix changed a file --diff had no fix for")
    if diff.strip() and not changed:
        problems.append("--diff showed a fix --fix did not apply")
    if diff.strip() and shutil.which("patch"):
        # The diff, applied by patch(1) to the original, gives the fixed file.
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", path)
        orig = os.path.join(patch_dir, name + ".orig")
        outp = os.path.join(patch_dir, name + ".patched")
        with open(orig, "wb") as f:
            f.write(original)
        p = subprocess.run(["patch", "--quiet", "--binary", "-o", outp, orig], input=diff,
                           capture_output=True, timeout=TIMEOUT)
        if p.returncode != 0:
            problems.append(f"patch rejects the diff: {p.stdout.decode('utf-8', 'replace')[:200]}")
        elif sha(outp) != after_sum:
            problems.append("the fixed file is not the original with the diff applied")
    fixed = collections.Counter()
    if changed:
        why, after = lint_json(binary, cwd, path)
        if why:
            problems.append(f"lint after --fix: {why}")
        else:
            b, a = rule_counts(before), rule_counts(after)
            if a["TM001"] > b["TM001"]:
                problems.append("TM001 after --fix: the fixed file no longer parses")
            for rule in set(b) | set(a):
                if a[rule] > b[rule]:
                    problems.append(f"--fix added {a[rule] - b[rule]} {rule} finding(s)")
                elif b[rule] > a[rule]:
                    fixed[rule] += b[rule] - a[rule]
            if not fixed:
                problems.append("--fix changed the file and fixed no finding")
        rc, _, err = run([binary, "--fix", "--unsafe-fixes", "--quiet", path], cwd)
        why = bad_exit(rc, err)
        if why:
            problems.append(f"second --fix: {why}")
        elif sha(full) != after_sum:
            problems.append("second --fix changed the file again (not idempotent)")
    return path, problems, fixed, changed


def encoded_variants(copy, fixable):
    """CRLF and UTF-16 (LE and BE, with BOM) copies of a few fixable files."""
    made = []
    vdir = os.path.join(copy, "variants")
    os.makedirs(vdir, exist_ok=True)
    for i, path in enumerate(fixable[:8]):
        with open(os.path.join(copy, path), "rb") as f:
            data = f.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        base = f"v{i}_" + os.path.basename(path)
        lf = text.replace("\r\n", "\n")
        for tag, blob in (("crlf", lf.replace("\n", "\r\n").encode("utf-8")),
                          ("utf16le", b"\xff\xfe" + lf.encode("utf-16-le")),
                          ("utf16be", b"\xfe\xff" + lf.encode("utf-16-be")),
                          ("bom8", b"\xef\xbb\xbf" + lf.encode("utf-8"))):
            name = f"variants/{tag}_{base}"
            with open(os.path.join(copy, name), "wb") as f:
                f.write(blob)
            made.append((name, tag))
    return made


def part_fix(binary, corpus, work):
    copy = os.path.join(work, "fix-copy")
    patch_dir = os.path.join(work, "patch")
    os.makedirs(patch_dir, exist_ok=True)
    copy_tree(corpus, copy, ("stacks",))
    files = corpus_files(corpus) + robustness_files(corpus)
    t0 = time.monotonic()
    per_rule = collections.Counter()
    changed_files = []
    bad = 0
    with cf.ThreadPoolExecutor(JOBS) as ex:
        for path, problems, fixed, changed in ex.map(lambda p: fix_one(binary, copy, p, patch_dir), files):
            per_rule += fixed
            if changed:
                changed_files.append(path)
            if problems:
                bad += 1
                for p in problems:
                    fail("fix", f"{path}: {p}")
    # CRLF / UTF-16 / BOM variants of fixable files: a fix keeps the encoding and line endings,
    # or the file is left alone with a finding; never a broken file.
    # (From the originals: the copy is fixed by now.)
    pristine = os.path.join(work, "pristine")
    copy_tree(corpus, pristine, ("stacks",))
    for path in sorted(changed_files):
        os.makedirs(os.path.dirname(os.path.join(copy, "orig", path)), exist_ok=True)
        shutil.copyfile(os.path.join(pristine, path), os.path.join(copy, "orig", path))
    shutil.rmtree(pristine)
    variants = encoded_variants(copy, ["orig/" + p for p in sorted(changed_files)])
    for name, tag in variants:
        full = os.path.join(copy, name)
        with open(full, "rb") as f:
            data = f.read()
        path, problems, fixed, changed = fix_one(binary, copy, name, patch_dir)
        with open(full, "rb") as f:
            new = f.read()
        if changed:
            if tag == "crlf" and (new.count(b"\n") != new.count(b"\r\n")):
                problems.append("mixed line endings after --fix of a CRLF file")
            if tag.startswith("utf16") and new[:2] != data[:2]:
                problems.append("UTF-16 BOM lost after --fix")
            if tag == "utf16le":
                try:
                    new[2:].decode("utf-16-le")
                except UnicodeDecodeError:
                    problems.append("UTF-16 file no longer decodes after --fix")
            if tag == "bom8" and not new.startswith(b"\xef\xbb\xbf"):
                problems.append("UTF-8 BOM lost after --fix")
        for p in problems:
            fail("fix", f"{name}: {p}")
        stats.setdefault("fix variants changed", 0)
        stats["fix variants changed"] += int(changed)
    stats["fix variants (crlf/utf16/bom)"] = len(variants)
    # Stack projects (their entry files) and the whole corpus in one run, each on a fresh copy.
    for proj, entries in stack_projects(corpus):
        fixed = tree_check(binary, os.path.join(corpus, "stacks", proj), entries, work, f"stacks/{proj}")
        stats.setdefault("fixes per rule (stack projects)", collections.Counter())
        stats["fixes per rule (stack projects)"] += fixed
    stats["fixes per rule (stack projects)"] = dict(sorted(stats["fixes per rule (stack projects)"].items()))
    whole = tree_check(binary, corpus, ["."], work, "whole corpus", ignore=("stacks",))
    stats["fix files"] = len(files)
    stats["fix files changed (per file)"] = len(changed_files)
    stats["fix files failing"] = bad
    stats["fixes per rule (per file)"] = dict(sorted(per_rule.items()))
    stats["fixes per rule (whole corpus run)"] = dict(sorted(whole.items()))
    stats["fix time (s)"] = round(time.monotonic() - t0, 1)


def copy_tree(src, dst, ignore=()):
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*ignore))
    for root, _, fs in os.walk(dst):
        os.chmod(root, 0o755)
        for n in fs:
            os.chmod(os.path.join(root, n), 0o644)


def tree_sums(d):
    return {os.path.relpath(os.path.join(r, n), d): sha(os.path.join(r, n))
            for r, _, fs in os.walk(d) for n in fs}


def tree_check(binary, src, args, work, label, ignore=()):
    """`--diff` then `--fix` (unsafe) of ARGS in a copy of SRC: exactly the files the diff names
    change, into what patch(1) makes of the diff; no new finding, no new TM001; a second `--fix`
    changes nothing. Returns the findings fixed per rule."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", label)
    a, b = os.path.join(work, "tree-" + name), os.path.join(work, "tree-" + name + ".patched")
    copy_tree(src, a, ignore)
    copy_tree(src, b, ignore)
    sums = tree_sums(a)
    fixed = collections.Counter()
    rc, out, err = run_long([binary, "--format", "json", *args], a)
    if bad_exit(rc, err):
        fail("fix", f"{label}: lint: {bad_exit(rc, err)}")
        return fixed
    before = rule_counts(json.loads(out))
    rc, diff, err = run_long([binary, "--diff", "--unsafe-fixes", *args], a)
    if bad_exit(rc, err):
        fail("fix", f"{label}: --diff: {bad_exit(rc, err)}")
        return fixed
    named = {n.decode("utf-8", "replace").rstrip("\r") for n in re.findall(rb"^\+\+\+ b/(.*)$", diff, re.M)}
    if tree_sums(a) != sums:
        fail("fix", f"{label}: --diff wrote to a file")
    rc, _, err = run_long([binary, "--fix", "--unsafe-fixes", "--quiet", *args], a)
    if bad_exit(rc, err):
        fail("fix", f"{label}: --fix: {bad_exit(rc, err)}")
        return fixed
    now = tree_sums(a)
    moved = {p for p in now if now[p] != sums.get(p)} | (set(sums) - set(now))
    if moved != named:
        fail("fix", f"{label}: changed files differ from the diff: only changed {sorted(moved - named)[:5]}, "
             f"only in the diff {sorted(named - moved)[:5]}")
    if diff.strip():
        p = subprocess.run(["patch", "--quiet", "--binary", "-p1", "-d", b], input=diff,
                           capture_output=True, timeout=600)
        if p.returncode != 0:
            fail("fix", f"{label}: patch rejects the diff: {p.stdout.decode('utf-8', 'replace')[:300]}")
        else:
            patched = tree_sums(b)
            differ = sorted(k for k in now if patched.get(k) != now[k])
            if differ:
                fail("fix", f"{label}: the fixed files are not the diff applied: {differ[:5]}")
    rc, out, err = run_long([binary, "--format", "json", *args], a)
    if bad_exit(rc, err):
        fail("fix", f"{label}: lint after --fix: {bad_exit(rc, err)}")
        return fixed
    after = rule_counts(json.loads(out))
    for rule in set(before) | set(after):
        if after[rule] > before[rule]:
            fail("fix", f"{label}: --fix added {after[rule] - before[rule]} {rule} finding(s)")
        elif before[rule] > after[rule]:
            fixed[rule] += before[rule] - after[rule]
    run_long([binary, "--fix", "--unsafe-fixes", "--quiet", *args], a)
    again = {p for p, h in tree_sums(a).items() if now.get(p) != h}
    if again:
        fail("fix", f"{label}: a second --fix changed {sorted(again)[:5]}")
    shutil.rmtree(a, ignore_errors=True)
    shutil.rmtree(b, ignore_errors=True)
    return fixed


def run_long(args, cwd, env=None):
    p = subprocess.run(args, cwd=cwd, env=env, capture_output=True, timeout=600)
    return p.returncode, p.stdout, p.stderr


# --------------------------------------------------------------------------------------------
# baseline


def part_baseline(binary, corpus, work):
    t0 = time.monotonic()
    b1, b2 = os.path.join(work, "baseline1.json"), os.path.join(work, "baseline2.json")
    for b in (b1, b2):
        rc, _, err = run_long([binary, "--write-baseline", b, "."], corpus)
        if rc != 0:
            fail("baseline", f"--write-baseline exit {rc}: {err.decode('utf-8', 'replace')[-300:]}")
            return
    if sha(b1) != sha(b2):
        fail("baseline", "two --write-baseline runs differ")
    rc, out, err = run_long([binary, "--baseline", b1, "--format", "json", "."], corpus)
    if bad_exit(rc, err):
        fail("baseline", f"--baseline: {bad_exit(rc, err)}")
        return
    report = json.loads(out)
    left = report.get("findings", [])
    if left:
        fail("baseline", f"{len(left)} findings after --baseline, e.g. "
             + "; ".join(f"{f['rule']} {f['file']}:{f['line']}" for f in left[:5]))
    if rc != 0:
        fail("baseline", f"--baseline exit {rc} with no finding")
    with open(b1, encoding="utf-8") as f:
        doc = json.load(f)
    entries = doc.get("findings", doc.get("entries", doc if isinstance(doc, list) else []))
    stats["baseline entries"] = len(entries) if isinstance(entries, list) else "?"
    stats["baseline bytes"] = os.path.getsize(b1)
    stats["findings left by --baseline"] = len(left)
    stats["baseline time (s)"] = round(time.monotonic() - t0, 1)


# --------------------------------------------------------------------------------------------
# server


class Lsp:
    def __init__(self, binary, cwd):
        self.p = subprocess.Popen([binary, "server"], cwd=cwd, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.next_id = 0
        self.buf = b""
        self.published = collections.Counter()
        os.set_blocking(self.p.stdout.fileno(), False)

    def send(self, msg):
        msg["jsonrpc"] = "2.0"
        body = json.dumps(msg).encode("utf-8")
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def request(self, method, params, timeout=TIMEOUT):
        self.next_id += 1
        rid = self.next_id
        self.send({"id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.read_available(deadline):
                if m.get("id") == rid and "method" not in m:
                    return m
        return None

    def read_available(self, deadline):
        import select
        out = []
        r, _, _ = select.select([self.p.stdout], [], [], max(0.0, min(0.2, deadline - time.monotonic())))
        if r:
            chunk = self.p.stdout.read()
            if chunk:
                self.buf += chunk
            elif self.p.poll() is not None:
                raise EOFError("server exited")
        while True:
            head_end = self.buf.find(b"\r\n\r\n")
            if head_end < 0:
                break
            m = re.search(rb"Content-Length: *(\d+)", self.buf[:head_end], re.I)
            n = int(m.group(1)) if m else 0
            if len(self.buf) < head_end + 4 + n:
                break
            m = json.loads(self.buf[head_end + 4:head_end + 4 + n])
            if m.get("method") == "textDocument/publishDiagnostics":
                self.published[m["params"]["uri"]] += 1
            out.append(m)
            self.buf = self.buf[head_end + 4 + n:]
        return out


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def end_position(text):
    lines = text.split("\n")
    return {"line": len(lines) - 1, "character": utf16_len(lines[-1])}


def part_server(binary, corpus, work):
    rnd = random.Random(SEED)
    files = robustness_files(corpus)
    pool = corpus_files(corpus)
    cognito = [f for f in pool if "ognito" in f]
    files += rnd.sample(cognito, min(100, len(cognito)))
    others = [f for f in pool if f not in set(files)]
    files += rnd.sample(others, 200 - len(files) + len(robustness_files(corpus)))
    t0 = time.monotonic()
    lsp = Lsp(binary, corpus)
    answered = 0
    published = 0
    try:
        init = lsp.request("initialize", {"processId": os.getpid(), "rootUri": "file://" + corpus,
                                          "capabilities": {}, "initializationOptions": {"debounceMs": 20}})
        if init is None or "result" not in init:
            fail("server", f"initialize: {init}")
            return
        lsp.notify("initialized", {})
        for i, path in enumerate(files):
            full = os.path.join(corpus, path)
            with open(full, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            uri = "file://" + full
            lsp.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "yaml", "version": 1, "text": text}})
            cut = rnd.randrange(0, len(text) + 1)
            lsp.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                                  "contentChanges": [{"text": text[:cut]}]})
            cur = text[:cut]
            # A ranged deletion of a random span, then an insertion past the end of the text.
            lines = cur.split("\n")
            a = rnd.randrange(len(lines))
            b = rnd.randrange(a, len(lines))
            start = {"line": a, "character": rnd.randrange(utf16_len(lines[a]) + 1)}
            end = {"line": b, "character": rnd.randrange(utf16_len(lines[b]) + 1)}
            if (b, end["character"]) < (a, start["character"]):
                end = start
            lsp.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                                  "contentChanges": [{"range": {"start": start, "end": end}, "text": ""}]})
            past = end_position(cur)
            past = {"line": past["line"] + 5, "character": past["character"] + 7}
            lsp.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4},
                                                  "contentChanges": [{"range": {"start": past, "end": past},
                                                                      "text": "\nX: 'y'\n"}]})
            r = lsp.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                   "position": {"line": rnd.randrange(3), "character": 1}})
            if r is None:
                fail("server", f"{path}: no answer to hover within {TIMEOUT} s")
                break
            if "error" in r and r["error"].get("code") not in (-32602, -32803, -32800):
                fail("server", f"{path}: hover error {r['error']}")
            answered += 1
            deadline = time.monotonic() + TIMEOUT
            while not lsp.published[uri] and time.monotonic() < deadline:
                lsp.read_available(deadline)
            if not lsp.published[uri]:
                fail("server", f"{path}: no diagnostics published within {TIMEOUT} s")
            else:
                published += 1
            lsp.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
            if lsp.p.poll() is not None:
                fail("server", f"{path}: server exited {lsp.p.returncode}")
                break
        shut = lsp.request("shutdown", None)
        if shut is None:
            fail("server", "no answer to shutdown")
        lsp.notify("exit", None)
        try:
            rc = lsp.p.wait(timeout=TIMEOUT)
            if rc != 0:
                fail("server", f"exit code {rc}")
            if b"panicked" in lsp.p.stderr.read():
                fail("server", "a panic on its standard error")
        except subprocess.TimeoutExpired:
            fail("server", "still running after exit")
    except (EOFError, BrokenPipeError) as e:
        fail("server", f"server died: {e}: {lsp.p.stderr.read().decode('utf-8', 'replace')[-600:]}")
    finally:
        if lsp.p.poll() is None:
            lsp.p.kill()
    stats["server documents"] = len(files)
    stats["server answered"] = answered
    stats["server documents with diagnostics"] = published
    stats["server time (s)"] = round(time.monotonic() - t0, 1)


# --------------------------------------------------------------------------------------------
# summary


def part_summary(binary, corpus, work):
    t0 = time.monotonic()
    path = os.path.join(work, "step-summary.md")
    open(path, "w").close()
    env = dict(os.environ, GITHUB_STEP_SUMMARY=path)
    rc, _, err = run_long([binary, "--quiet", "--format", "json", "."], corpus, env=env)
    if bad_exit(rc, err):
        fail("summary", bad_exit(rc, err))
        return
    size = os.path.getsize(path)
    if size == 0:
        fail("summary", f"empty job summary: {err.decode('utf-8', 'replace')[:300]}")
        return
    if size > 1024 * 1024:
        fail("summary", f"{size} bytes, over 1 MiB")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # Tables: every row has as many cells as its header.
    cells = None
    rows = 0
    in_fence = False
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if line.startswith("|"):
            count = len(re.findall(r"(?<!\\)\|", line))
            if not line.rstrip().endswith("|"):
                fail("summary", f"line {n}: a table row that does not end with |")
            if cells is None:
                cells = count
            elif count != cells:
                fail("summary", f"line {n}: {count - 1} cells, the header has {cells - 1}: {line[:200]}")
            rows += 1
        else:
            cells = None
    if in_fence:
        fail("summary", "an unclosed code fence")
    sections = re.findall(r"^### Access graph: (.*)$", text, re.M)
    # The stacks whose access graph has a warning or worse (graph --format json over the same run).
    rc, out, err = run_long([binary, "graph", "--format", "json", "."], corpus)
    sev_rank = {"error": 3, "warning": 2, "info": 1}
    want = collections.Counter()
    for s in json.loads(out)["stacks"]:
        worst = 0
        for item in s.get("nodes", []) + s.get("edges", []):
            worst = max(worst, sev_rank.get(item.get("severity"), 0))
        if worst >= 2:
            want[s["stack"]] += 1
    # (Markdown escapes in the headings undone.)
    got = collections.Counter(re.sub(r"\\(.)", r"\1", h) for h in sections)
    if got != want:
        fail("summary", f"access-graph sections differ from the stacks with warnings: "
             f"extra {sorted((got - want).elements())[:5]}, missing {sorted((want - got).elements())[:5]}")
    stats["summary bytes"] = size
    stats["summary table rows"] = rows
    stats["summary graph sections"] = len(sections)
    stats["summary time (s)"] = round(time.monotonic() - t0, 1)


def main():
    binary, corpus = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    parts = sys.argv[3:] or ["graph", "fix", "baseline", "server", "summary"]
    work = tempfile.mkdtemp(prefix="sweep-new-commands-")
    t0 = time.monotonic()
    try:
        for part in parts:
            print(f"== {part}", flush=True)
            globals()["part_" + part](binary, corpus, work)
    finally:
        if os.environ.get("SWEEP_KEEP"):
            print(f"outputs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("\n== summary")
    for k, v in stats.items():
        print(f"{k}: {v}")
    print(f"total time (s): {time.monotonic() - t0:.1f}")
    per_part = collections.Counter(p for p, _ in failures)
    print(f"failures: {len(failures)} " + json.dumps(per_part))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
