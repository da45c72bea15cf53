#!/usr/bin/env python3
"""Record what LLVM's own tools and bpftool say about each BPF object, as <obj>.facts.json.

The SharpBpf.Object tests compare the reader against these files, so the expected sections,
symbols, relocations, source lines and BTF types come from independent tools, not from the
reader itself. Needs llvm-readobj-14, llvm-objdump-14 and bpftool.

Usage: ./make_facts.py [DIR...]   (default: this folder and ../bench)
"""
import json
import os
import re
import subprocess
import sys


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def blocks(text, header):
    """Yield the key/value dictionaries of llvm-readobj's LLVM-style '<header> {' blocks."""
    current = None
    for line in text.splitlines():
        s = line.strip()
        if s == header + " {":
            current = {}
        elif current is not None and s == "}":
            yield current
            current = None
        elif current is not None and ":" in s and not s.endswith("["):
            key, _, value = s.partition(":")
            current.setdefault(key.strip(), value.strip())


def number(text):
    return int(text.split()[0], 0)


def sections(obj):
    out = []
    for b in blocks(run("llvm-readobj-14", "-S", obj), "Section"):
        out.append({
            "index": number(b["Index"]),
            "name": re.sub(r"\s*\(\d+\)$", "", b["Name"]),
            "type": b["Type"].split()[0],
            "offset": number(b["Offset"]),
            "size": number(b["Size"]),
        })
    return out


def symbols(obj):
    out = []
    for i, b in enumerate(blocks(run("llvm-readobj-14", "-s", obj), "Symbol")):
        out.append({
            "index": i,
            "name": re.sub(r"\s*\(\d+\)$", "", b["Name"]),
            "value": number(b["Value"]),
            "size": number(b["Size"]),
            "binding": b["Binding"].split()[0],
            "type": b["Type"].split()[0],
            "section": re.sub(r"\s*\(0x[0-9A-Fa-f]+\)$", "", b["Section"]),
        })
    return out


def relocations(obj):
    out = []
    target = None
    for line in run("llvm-readobj-14", "-r", "--expand-relocs", obj).splitlines():
        m = re.match(r"\s*Section \(\d+\) \.rel(.*) \{", line)
        if m:
            target = m.group(1)
            continue
        m = re.match(r"\s*Offset: (0x[0-9A-Fa-f]+)", line)
        if m:
            rel = {"section": target, "offset": int(m.group(1), 16)}
            continue
        m = re.match(r"\s*Type: (\S+) \((\d+)\)", line)
        if m:
            rel["type"] = m.group(1)
            continue
        m = re.match(r"\s*Symbol: (.*) \((\d+)\)", line)
        if m:
            rel["symbol"] = m.group(1)
            rel["symbolIndex"] = int(m.group(2))
            out.append(rel)
    # Only relocations the reader cares about: code and map definitions, not DWARF/BTF.
    return [r for r in out if not r["section"].startswith(".debug") and not r["section"].startswith(".BTF")]


def lines(obj):
    """DWARF line of every instruction: {section: {byte offset: line}} from llvm-objdump -l."""
    out = {}
    section = None
    line = None
    for text in run("llvm-objdump-14", "-d", "-l", "--no-show-raw-insn", obj).splitlines():
        m = re.match(r"Disassembly of section (.*):", text)
        if m:
            section = m.group(1)
            out[section] = {}
            line = None
            continue
        m = re.match(r"; .*:(\d+)$", text)
        if m:
            line = int(m.group(1))
            continue
        m = re.match(r"\s+(\d+):\t", text)
        if m and section is not None and line is not None:
            out[section][str(int(m.group(1)) * 8)] = line
    return out


def main(dirs):
    for d in dirs:
        for name in sorted(os.listdir(d)):
            if not name.endswith(".o"):
                continue
            obj = os.path.join(d, name)
            facts = {
                "object": name,
                "sections": sections(obj),
                "symbols": symbols(obj),
                "relocations": relocations(obj),
                "lines": lines(obj),
                "btf": json.loads(run("bpftool", "-j", "btf", "dump", "file", obj))["types"],
            }
            with open(obj[:-2] + ".facts.json", "w") as f:
                json.dump(facts, f, indent=1, sort_keys=True)
                f.write("\n")
            print("FACTS", obj[:-2] + ".facts.json")


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    main(sys.argv[1:] or [here, os.path.join(here, "..", "bench")])
