import { execFileSync } from 'node:child_process';

/** One item as Python's zipfile (an independent reader) sees it. */
export interface PythonZipItem {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  headerOffset: number;
}

const LIST = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    print(json.dumps([dict(name=i.filename, method=i.compress_type, compressedSize=i.compress_size,
        size=i.file_size, crc=i.CRC, headerOffset=i.header_offset) for i in z.infolist()]))
`;

export function pythonList(path: string): PythonZipItem[] {
  return JSON.parse(execFileSync('python3', ['-c', LIST, path], { encoding: 'utf8' })) as PythonZipItem[];
}

const READ = `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    sys.stdout.buffer.write(z.read(sys.argv[2]))
`;

export function pythonRead(path: string, zipName: string): Buffer {
  return execFileSync('python3', ['-c', READ, path, zipName], { maxBuffer: 1 << 30 });
}
