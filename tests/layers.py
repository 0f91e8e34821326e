#!/usr/bin/env python3
"""layers.py: harness/ is in layers, one folder each, and nothing leans upward or in a circle.

Each folder of harness/ has a rank (LAYERS below, bottom first). A file may include a header of
its own folder or of a folder below, never above; and the modules (x.c with x.h) include each
other without a cycle, inside a folder or across. A header with no .c of its own (types, or a
module's private interface such as config_keys.h) belongs to no module: an include of it counts
as an include of what it includes. impls/ sits below every layer. Prints each violation and
exits 1, or says what it checked.

And every file small enough to read: no file of harness/ over MAX_FILE_LINES lines, no function
of harness/ or impls/ over MAX_FUNCTION_LINES (counted from the line of its opening brace, at
column 0 as STYLE.md writes them, to its closing one)."""
import os
import re
import sys

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 100
LAYERS = ["util", "setup", "measure", "check", "results", "run", "compare", "plot", "cmd"]

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
harness = os.path.join(root, "harness")
where = {}                       # header or source name -> (folder, path)
for layer in os.listdir(harness):
    d = os.path.join(harness, layer)
    if not os.path.isdir(d):
        continue
    for f in os.listdir(d):
        if f.endswith((".c", ".h")):
            where[f] = (layer, os.path.join(d, f))
for f in os.listdir(os.path.join(root, "impls")):
    if f.endswith(".h"):
        where.setdefault(f, ("impls", os.path.join(root, "impls", f)))

problems = []
loose = [f for f in os.listdir(harness) if f.endswith((".c", ".h"))]
if loose:
    problems.append("files outside any layer of harness/: " + ", ".join(sorted(loose)))
unknown = sorted({w[0] for w in where.values()} - set(LAYERS) - {"impls"})
if unknown:
    problems.append("folders with no rank in tests/layers.py: " + ", ".join(unknown))

def rank(layer):
    return -1 if layer == "impls" else LAYERS.index(layer) if layer in LAYERS else 99

includes = {}                     # file -> the local headers it names
for name, (layer, path) in where.items():
    if layer == "impls":
        continue
    includes[name] = []
    for inc in re.findall(r'^#include "([^"]+)"', open(path).read(), re.M):
        inc = os.path.basename(inc)
        if inc not in where:
            problems.append(f"{layer}/{name}: includes {inc}, found nowhere")
            continue
        to_layer = where[inc][0]
        if rank(to_layer) > rank(layer):
            problems.append(f"{layer}/{name}: includes {to_layer}/{inc}, a layer above")
        if to_layer != "impls":
            includes[name].append(inc)

def module(header):
    """The module a header stands for, or None for a header with no .c of its own."""
    return header[:-2] if header[:-2] + ".c" in where else None

def reached(name, seen):
    """The modules name's includes stand for, looking through headers of no module."""
    out = set()
    for inc in includes.get(name, ()):
        if inc in seen:
            continue
        seen.add(inc)
        out |= {module(inc)} if module(inc) else reached(inc, seen)
    return out

edges = {}                        # module -> modules it includes
for name in includes:
    mod = module(name) if name.endswith(".h") else name[:-2]
    if mod is None:
        continue
    edges.setdefault(mod, set()).update(reached(name, set()) - {mod})

# Cycles among modules: a depth-first search that reports each cycle it closes.
state, stack, cycles = {}, [], []
def visit(m):
    state[m] = 1
    stack.append(m)
    for n in sorted(edges.get(m, ())):
        if state.get(n) == 1:
            cycles.append(stack[stack.index(n):] + [n])
        elif n not in state:
            visit(n)
    stack.pop()
    state[m] = 2
for m in sorted(edges):
    if m not in state:
        visit(m)
for c in cycles:
    problems.append("an include cycle: " + " -> ".join(c))

def long_functions(path):
    """(name, lines) of each function in path longer than MAX_FUNCTION_LINES."""
    lines = open(path).read().split("\n")
    out, start = [], None
    for i, line in enumerate(lines):
        if line == "{" or (start is None and re.match(r"^[A-Za-z].*\)\s*\{$", line)):
            start = i
        elif line == "}" and start is not None:
            if i - start + 1 > MAX_FUNCTION_LINES:
                sig = lines[start] if lines[start] != "{" else lines[start - 1]
                name = re.search(r"(\w+)\s*\(", sig)
                out.append((name.group(1) if name else sig.strip(), i - start + 1))
            start = None
    return out

sources = [p for _, p in where.values() if p.endswith(".c")]
sources += [os.path.join(root, "impls", f) for f in os.listdir(os.path.join(root, "impls"))
            if f.endswith(".c")]
for path in sorted(set(sources)):
    rel = os.path.relpath(path, root)
    n = sum(1 for _ in open(path))
    if rel.startswith("harness") and n > MAX_FILE_LINES:
        problems.append(f"{rel}: {n} lines, over {MAX_FILE_LINES}: split it by job")
    for name, length in long_functions(path):
        problems.append(f"{rel}: {name}() is {length} lines, over {MAX_FUNCTION_LINES}")

for p in problems:
    print("FAIL:", p)
if problems:
    sys.exit(1)
print(f"ok: {len(where)} files in {len(LAYERS)} layers, no include upward, no include cycle; "
      f"no file over {MAX_FILE_LINES} lines, no function over {MAX_FUNCTION_LINES}")
