#!/usr/bin/env python3
"""Independent BlockMap checker (FORMAT.md §2, §3, §9.5-9.7), used to cross-check the TypeScript crafter.

Usage: verify_blockmap.py PACKAGE  -> prints findings, exit status 1 if any.
Shares no code with the product: Python's zipfile for the central directory, ElementTree for the XML.
"""
import base64
import hashlib
import struct
import sys
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile
import zlib

BLOCK = 65536
NS = {
    "http://schemas.microsoft.com/appx/2010/blockmap",
    "http://schemas.microsoft.com/appx/2015/blockmap",
    "http://schemas.microsoft.com/appx/2017/blockmap",
}
FOOTPRINT = {"[content_types].xml", "appxblockmap.xml", "appxsignature.p7x", "appxmetadata/codeintegrity.cat"}


def main(path):
    findings = []
    raw = open(path, "rb").read()
    z = zipfile.ZipFile(path)
    text = z.read("AppxBlockMap.xml")
    if b"<!DOCTYPE" in text:
        return ["DOCTYPE in BlockMap"]
    root = ET.fromstring(text)
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if ns not in NS:
        findings.append("namespace %r" % ns)
    if root.get("HashMethod") != "http://www.w3.org/2001/04/xmlenc#sha256":
        findings.append("hash method %r" % root.get("HashMethod"))
    by_name = {}
    for info in z.infolist():
        if info.filename.lower() in FOOTPRINT:
            continue
        by_name[urllib.parse.unquote(info.filename).replace("/", "\\")] = info
    files = root.findall("{%s}File" % ns)
    listed = [f.get("Name") for f in files]
    if len(set(listed)) != len(listed):
        findings.append("duplicate File names")
    for missing in sorted(set(listed) - set(by_name)):
        findings.append("in BlockMap, not in ZIP: %s" % missing)
    for unlisted in sorted(set(by_name) - set(listed)):
        findings.append("in ZIP, not in BlockMap: %s" % unlisted)
    for f in files:
        name = f.get("Name")
        info = by_name.get(name)
        if info is None:
            continue
        off = info.header_offset
        sig, = struct.unpack_from("<I", raw, off)
        n, m = struct.unpack_from("<HH", raw, off + 26)
        if sig != 0x04034B50:
            findings.append("%s: no local header signature" % name)
        lfh = int(f.get("LfhSize"))
        if lfh != 30 + n + m:
            findings.append("%s: LfhSize %d, real %d" % (name, lfh, 30 + n + m))
        size = int(f.get("Size"))
        if size != info.file_size:
            findings.append("%s: Size %d, ZIP %d" % (name, size, info.file_size))
        blocks = f.findall("{%s}Block" % ns)
        if len(blocks) != (size + BLOCK - 1) // BLOCK:
            findings.append("%s: %d blocks for %d bytes" % (name, len(blocks), size))
            continue
        data_start = off + lfh
        deflated = info.compress_type == zipfile.ZIP_DEFLATED
        sizes = [b.get("Size") for b in blocks]
        if deflated:
            if any(s is None for s in sizes):
                findings.append("%s: deflated block without Size" % name)
                continue
            total = sum(int(s) for s in sizes)
            if total not in (info.compress_size, info.compress_size - 2) and blocks:
                findings.append("%s: sum of block sizes %d, compressed %d" % (name, total, info.compress_size))
                continue
        elif any(s is not None for s in sizes):
            findings.append("%s: stored block with Size" % name)
        whole = []
        pos = data_start
        for k, b in enumerate(blocks):
            if deflated:
                chunk = raw[pos:pos + int(b.get("Size"))]
                pos += int(b.get("Size"))
                d = zlib.decompressobj(-15)
                try:
                    out = d.decompress(chunk, BLOCK + 1)
                except zlib.error as e:
                    findings.append("%s block %d: inflate: %s" % (name, k, e))
                    break
            else:
                out = raw[data_start + k * BLOCK:data_start + min((k + 1) * BLOCK, size)]
            expected_len = BLOCK if k < len(blocks) - 1 else size - BLOCK * (len(blocks) - 1)
            if len(out) != expected_len:
                findings.append("%s block %d: %d bytes, expected %d" % (name, k, len(out), expected_len))
                break
            if base64.b64encode(hashlib.sha256(out).digest()).decode() != b.get("Hash"):
                findings.append("%s block %d: hash mismatch" % (name, k))
            whole.append(out)
        else:
            if zlib.crc32(b"".join(whole)) != info.CRC:
                findings.append("%s: CRC mismatch" % name)
    return findings


if __name__ == "__main__":
    result = main(sys.argv[1])
    for line in result:
        print(line)
    print("ok" if not result else "%d finding(s)" % len(result))
    sys.exit(1 if result else 0)
