#!/usr/bin/env python3
"""Checks that the library's modules under src/ import each other without a cycle.

    python3 scripts/import-cycles.py [src] [-v]

Nodes are module files (src/render/plan.rs is render::plan); an edge is a `crate::…` or
`super::…` path in a file's code (comments and `#[cfg(test)]` modules left out). A parent
declaring its children (`mod x;`, `pub use x::*`) is not an edge. Cycles are reported
between files and between top-level modules (render, site, …); exit status 1 if any.
The binary (main.rs, cmd/) is left out: it only calls the library.
"""
import os, re, sys
args = [a for a in sys.argv[1:] if not a.startswith('-')]
root = args[0] if args else 'src'
mods = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if not f.endswith('.rs'): continue
        p = os.path.join(d, f)
        rel = os.path.relpath(p, root)[:-3]
        parts = rel.split('/')
        if parts[-1] in ('mod', 'lib', 'main'): parts = parts[:-1]
        if parts and parts[0] in ('cmd',) or rel == 'main': continue  # binary
        mods['::'.join(parts)] = p
def resolve(path):
    # longest module prefix
    segs = path.split('::')
    for i in range(len(segs), 0, -1):
        m = '::'.join(segs[:i])
        if m in mods: return m
    return None
def strip_tests(src):
    # drop `#[cfg(test)] mod x { ... }` blocks by brace matching (test-only imports are not edges)
    while True:
        mt = re.search(r'#\[cfg\(test\)\]\s*mod \w+ \{', src)
        if not mt: return src
        i = mt.end(); depth = 1
        while depth and i < len(src):
            depth += {'{': 1, '}': -1}.get(src[i], 0); i += 1
        src = src[:mt.start()] + src[i:]
edges = {m: set() for m in mods}
for m, p in mods.items():
    src = open(p).read()
    src = strip_tests(src)
    src = re.sub(r'//[^\n]*', '', src)  # comments and doc links are not imports
    for a in re.findall(r'crate::([A-Za-z_][\w:]*)', src):
        t = resolve(a.rstrip(':'))
        if t and t != m and not m.startswith(t + '::') : edges[m].add(t)
    base = m.split('::')
    parent = base[:-1] if not p.endswith('mod.rs') else base[:-1]
    for a in re.findall(r'\bsuper::([A-Za-z_][\w:]*)', src):
        pre = '::'.join(parent)
        t = resolve((pre + '::' if pre else '') + a.rstrip(':'))
        if t and t != m and not m.startswith(t + '::'): edges[m].add(t)
# fold submodules into their top-level group for a group graph too
def cycles(g):
    idx, low, on, st, res, n = {}, {}, set(), [], [], [0]
    def sc(v):
        idx[v] = low[v] = n[0]; n[0] += 1; st.append(v); on.add(v)
        for w in g[v]:
            if w not in idx: sc(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], idx[w])
        if low[v] == idx[v]:
            comp = []
            while True:
                w = st.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: res.append(sorted(comp))
    for v in g:
        if v not in idx: sc(v)
    return res
sys.setrecursionlimit(10000)
if '-v' in sys.argv:
    for m in sorted(edges): print(f'{m:28} -> {", ".join(sorted(edges[m]))}')
c = cycles(edges)
print('file-level cycles:', c if c else 'none')
top = {}
for m, ts in edges.items():
    a = m.split('::')[0]
    top.setdefault(a, set())
    for t in ts:
        b = t.split('::')[0]
        if b != a: top[a].add(b)
c2 = cycles(top)
print('top-level-module cycles:', c2 if c2 else 'none')
sys.exit(1 if c or c2 else 0)
