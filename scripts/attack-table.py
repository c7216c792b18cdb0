#!/usr/bin/env python3
"""The attack suite's table (issue 18): one row per test marked [Attack("...", "...")] in tests/, with the outcome
the TRX results under the given folder record for it, and what the test measured (artifacts/attack/<Namespace.Class>.<Method>.txt).

usage: attack-table.py RESULTS_FOLDER   (exit 1 when an attack test failed or did not run)
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STRING = r'"((?:[^"\\]|\\.)*)"'
ATTACK = re.compile(r'\[Attack\(\s*' + STRING + r'\s*,\s*' + STRING + r'\s*\)\]')
METHOD = re.compile(r'public\s+(?:async\s+)?(?:Task|void)\s+(\w+)\s*\(')
CLASS = re.compile(r'\bclass\s+(\w+)')
NAMESPACE = re.compile(r'^namespace\s+([\w.]+)', re.M)


def attacks():
    """(namespace.class, method) -> (attack, refusal), read from the test sources."""
    found = {}
    for path in glob.glob(os.path.join(ROOT, 'tests', '**', '*.cs'), recursive=True):
        if '/bin/' in path or '/obj/' in path:
            continue
        text = open(path, encoding='utf-8').read()
        for match in ATTACK.finditer(text):
            method = METHOD.search(text, match.end())
            classes = [c.group(1) for c in CLASS.finditer(text, 0, match.start())]
            namespace = NAMESPACE.search(text)
            if method and classes:
                unescape = lambda s: s.replace('\\"', '"').replace('\\\\', '\\')
                qualified = (namespace.group(1) + '.' if namespace else '') + classes[-1]
                found[(qualified, method.group(1))] = (unescape(match.group(1)), unescape(match.group(2)))
    return found


def outcomes(folder):
    """(namespace.class, method) -> outcome, from every TRX file in the folder."""
    ns = {'t': 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010'}
    result = {}
    for trx in glob.glob(os.path.join(folder, '*.trx')):
        for r in ET.parse(trx).getroot().iterfind('.//t:UnitTestResult', ns):
            name = r.get('testName').split('(')[0]
            parts = name.split('.')
            if len(parts) >= 2:
                key = ('.'.join(parts[:-1]), parts[-1])
                # a theory runs several cases: the row fails if any case failed
                if result.get(key) != 'Failed':
                    result[key] = r.get('outcome')
    return result


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    rows, done = attacks(), outcomes(sys.argv[1])
    failed = 0
    notes = os.path.join(ROOT, 'artifacts', 'attack')
    print(f"{'#':>3}  {'attack':<70}  {'expected refusal':<60}  result")
    for i, ((cls, method), (attack, refusal)) in enumerate(sorted(rows.items(), key=lambda kv: kv[1][0]), 1):
        outcome = done.get((cls, method), 'NotRun')
        mark = {'Passed': 'refused', 'Failed': 'NOT REFUSED'}.get(outcome, outcome)
        failed += outcome != 'Passed'
        print(f"{i:>3}  {attack:<70}  {refusal:<60}  {mark}")
        note = os.path.join(notes, f'{cls}.{method}.txt')
        if os.path.exists(note):
            print(f"{'':>3}  {'':<70}  measured: {open(note, encoding='utf-8').read().strip()}")
    print(f"{len(rows)} attacks, {len(rows) - failed} refused, {failed} not refused or not run")
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
