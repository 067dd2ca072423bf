import { AppvError, ErrorCode } from '@appv/opc';

/**
 * Registry.dat for a package packed from a plain folder: App-V requires the part (FORMAT.md §1, §9.8), and a
 * package without virtual registry content still needs a valid, empty hive.
 *
 * The layout follows the public descriptions of the regf format: Joachim Metz, "Windows NT Registry File
 * (REGF) format specification" (libyal/libregf), and Maxim Suhanov, "Windows registry file format
 * specification" (msuhanov/regf); the key security cell as Windows' CM_KEY_SECURITY structure has it (a
 * descriptor length before the descriptor). All offsets are little-endian; "cell offsets" are relative to
 * the start of the hive bins data, which follows the 4096-byte base block.
 *
 * File layout (8192 bytes):
 *
 *   0x0000  base block (4096)
 *   0x1000  hbin, hive bins data offset 0x000, size 0x1000
 *           0x000  hbin header (32)
 *           0x020  nk cell, size -0x58: root key `REGISTRY`
 *           0x078  sk cell, size -0x98: the root key's security descriptor
 *           0x110  free cell, size +0xEF0, to the end of the bin
 *
 * Every timestamp is 0 so that the bytes are the same on every run.
 */

const BASE_BLOCK_SIZE = 0x1000;
const HBIN_SIZE = 0x1000;
const HBIN_HEADER_SIZE = 0x20;

/** Cell offsets (relative to the hive bins data). */
const ROOT_CELL = HBIN_HEADER_SIZE; // 0x20
const NK_FIXED_SIZE = 0x4c; // key node up to its name
const ROOT_NAME = 'REGISTRY';

/** Key node flags (Metz "Named key flags", Suhanov "Key node / Flags"). */
const KEY_HIVE_ENTRY = 0x0004;
const KEY_NO_DELETE = 0x0008;
const KEY_COMP_NAME = 0x0020;

/** "No cell": an empty list or absent class name. */
const HCELL_NIL = 0xffffffff;

/**
 * The hive that App-V reads when a package has no registry content: a root key and nothing else. Valid for
 * Windows' loader: sequence numbers equal, the checksum right, the root key flagged as the hive entry, its
 * security cell a self-consistent one-item list holding a descriptor `SeValidSecurityDescriptor` accepts
 * (an owner is required).
 */
export function emptyRegistryHive(): Buffer {
  const nameBytes = Buffer.from(ROOT_NAME, 'latin1'); // KEY_COMP_NAME: one byte per character
  const nkSize = align8(4 + NK_FIXED_SIZE + nameBytes.length);
  const skCell = ROOT_CELL + nkSize;
  const descriptor = rootSecurityDescriptor();
  // sk: signature, reserved, flink, blink, reference count, descriptor length (20 bytes), then the descriptor.
  const skSize = align8(4 + 0x14 + descriptor.length);
  const freeCell = skCell + skSize;

  const file = Buffer.alloc(BASE_BLOCK_SIZE + HBIN_SIZE);
  const base = file.subarray(0, BASE_BLOCK_SIZE);
  const bins = file.subarray(BASE_BLOCK_SIZE);

  // Base block.
  base.write('regf', 0x000, 'latin1'); // signature
  base.writeUInt32LE(1, 0x004); // primary sequence number
  base.writeUInt32LE(1, 0x008); // secondary sequence number (equal: the hive is clean)
  base.writeBigUInt64LE(0n, 0x00c); // last written timestamp (FILETIME): 0, deterministic
  base.writeUInt32LE(1, 0x014); // major version
  base.writeUInt32LE(5, 0x018); // minor version (1.5: Windows XP and later)
  base.writeUInt32LE(0, 0x01c); // file type: primary file
  base.writeUInt32LE(1, 0x020); // file format: direct memory load
  base.writeUInt32LE(ROOT_CELL, 0x024); // root cell offset
  base.writeUInt32LE(HBIN_SIZE, 0x028); // hive bins data size
  base.writeUInt32LE(1, 0x02c); // clustering factor
  // 0x030: file name (64 bytes, UTF-16LE, debugging only): left empty. 0x070–0x1FB: reserved, zero.
  base.writeUInt32LE(baseBlockChecksum(base), 0x1fc);

  // Hive bin header.
  bins.write('hbin', 0x00, 'latin1'); // signature
  bins.writeUInt32LE(0, 0x04); // offset of this bin in the hive bins data
  bins.writeUInt32LE(HBIN_SIZE, 0x08); // size of this bin
  // 0x0C reserved (8), 0x14 timestamp (8, 0), 0x1C spare (4): zero.

  // Root key node (cell data starts after the 4-byte size).
  bins.writeInt32LE(-nkSize, ROOT_CELL); // allocated: negative size
  const nk = ROOT_CELL + 4;
  bins.write('nk', nk + 0x00, 'latin1'); // signature
  bins.writeUInt16LE(KEY_HIVE_ENTRY | KEY_NO_DELETE | KEY_COMP_NAME, nk + 0x02); // flags 0x2C
  bins.writeBigUInt64LE(0n, nk + 0x04); // last written timestamp
  bins.writeUInt32LE(0, nk + 0x0c); // spare / access bits
  bins.writeUInt32LE(0, nk + 0x10); // parent: none for the hive's root
  bins.writeUInt32LE(0, nk + 0x14); // number of subkeys
  bins.writeUInt32LE(0, nk + 0x18); // number of volatile subkeys
  bins.writeUInt32LE(HCELL_NIL, nk + 0x1c); // subkeys list offset
  bins.writeUInt32LE(HCELL_NIL, nk + 0x20); // volatile subkeys list offset
  bins.writeUInt32LE(0, nk + 0x24); // number of values
  bins.writeUInt32LE(HCELL_NIL, nk + 0x28); // values list offset
  bins.writeUInt32LE(skCell, nk + 0x2c); // key security offset
  bins.writeUInt32LE(HCELL_NIL, nk + 0x30); // class name offset
  // 0x34 largest subkey name, 0x38 largest subkey class name, 0x3C largest value name, 0x40 largest value
  // data, 0x44 WorkVar: all 0 for a key without subkeys or values.
  bins.writeUInt16LE(nameBytes.length, nk + 0x48); // key name length (bytes)
  bins.writeUInt16LE(0, nk + 0x4a); // class name length
  nameBytes.copy(bins, nk + NK_FIXED_SIZE); // key name; the rest of the cell is zero padding

  // Key security: a list of one, so flink and blink point at the cell itself; one key refers to it.
  bins.writeInt32LE(-skSize, skCell);
  const sk = skCell + 4;
  bins.write('sk', sk + 0x00, 'latin1'); // signature
  bins.writeUInt16LE(0, sk + 0x02); // reserved
  bins.writeUInt32LE(skCell, sk + 0x04); // flink
  bins.writeUInt32LE(skCell, sk + 0x08); // blink
  bins.writeUInt32LE(1, sk + 0x0c); // reference count
  bins.writeUInt32LE(descriptor.length, sk + 0x10); // security descriptor length
  descriptor.copy(bins, sk + 0x14); // self-relative security descriptor

  // The rest of the bin is one unallocated cell: positive size.
  bins.writeInt32LE(HBIN_SIZE - freeCell, freeCell);
  return file;
}

/**
 * Why `bytes` cannot be a registry hive Windows loads, or null: the base block's `regf` signature and
 * checksum, and a first hive bin after it (Suhanov, "Base block", "Hive bin"). Only the frame: what the keys
 * hold is the package's business. A packer keeping a Registry.dat checks it with this, so that a text file
 * or an empty one is refused rather than shipped in a package no client can load (found by review).
 */
export function registryHiveProblem(bytes: Uint8Array): string | null {
  if (!(bytes instanceof Uint8Array)) {
    throw new AppvError(ErrorCode.USAGE, 'registryHiveProblem takes the bytes of a hive (a Uint8Array)');
  }
  const hive = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (hive.length < BASE_BLOCK_SIZE + HBIN_SIZE) {
    return `it is ${hive.length} bytes; a hive is at least ${BASE_BLOCK_SIZE + HBIN_SIZE} (a base block and a bin)`;
  }
  if (hive.toString('latin1', 0, 4) !== 'regf') return 'it does not start with the hive signature "regf"';
  const base = hive.subarray(0, BASE_BLOCK_SIZE);
  if (base.readUInt32LE(0x1fc) !== baseBlockChecksum(base)) return "its base block's checksum is wrong";
  if (hive.toString('latin1', BASE_BLOCK_SIZE, BASE_BLOCK_SIZE + 4) !== 'hbin')
    return 'no hive bin ("hbin") follows its base block';
  return null;
}

/**
 * XOR of the first 127 dwords of the base block; 0xFFFFFFFF and 0 are reserved and replaced by 0xFFFFFFFE
 * and 1, as Windows' HvpHeaderCheckSum does (Suhanov, "Base block", note 2).
 */
function baseBlockChecksum(base: Buffer): number {
  let sum = 0;
  for (let offset = 0; offset < 0x1fc; offset += 4) sum ^= base.readUInt32LE(offset);
  sum >>>= 0;
  if (sum === 0xffffffff) return 0xfffffffe;
  if (sum === 0) return 1;
  return sum;
}

/**
 * A self-relative security descriptor (MS-DTYP 2.4.6): owner BUILTIN\Administrators, group SYSTEM, and a
 * DACL inherited by subkeys granting SYSTEM and Administrators full control and Users read access, the usual
 * grant on machine keys. Windows' loader validates each hive descriptor and requires an owner, so a bare
 * header would not load. [inferred]
 */
function rootSecurityDescriptor(): Buffer {
  const system = sid(5, [18]); // S-1-5-18
  const administrators = sid(5, [32, 544]); // S-1-5-32-544
  const users = sid(5, [32, 545]); // S-1-5-32-545
  const KEY_ALL_ACCESS = 0x000f003f;
  const KEY_READ = 0x00020019;
  const dacl = acl([
    allowAce(KEY_ALL_ACCESS, system),
    allowAce(KEY_ALL_ACCESS, administrators),
    allowAce(KEY_READ, users),
  ]);
  const HEADER = 20;
  const ownerOffset = HEADER;
  const groupOffset = ownerOffset + administrators.length;
  const daclOffset = groupOffset + system.length;
  const header = Buffer.alloc(HEADER);
  header.writeUInt8(1, 0); // revision
  header.writeUInt8(0, 1); // Sbz1
  header.writeUInt16LE(0x8000 | 0x0004, 2); // control: SE_SELF_RELATIVE | SE_DACL_PRESENT
  header.writeUInt32LE(ownerOffset, 4); // owner
  header.writeUInt32LE(groupOffset, 8); // group
  header.writeUInt32LE(0, 12); // SACL: none
  header.writeUInt32LE(daclOffset, 16); // DACL
  return Buffer.concat([header, administrators, system, dacl]);
}

/** A SID (MS-DTYP 2.4.2.2): revision 1, sub-authority count, 48-bit big-endian authority, sub-authorities. */
function sid(authority: number, subAuthorities: readonly number[]): Buffer {
  const out = Buffer.alloc(8 + 4 * subAuthorities.length);
  out.writeUInt8(1, 0);
  out.writeUInt8(subAuthorities.length, 1);
  out.writeUIntBE(authority, 2, 6);
  subAuthorities.forEach((value, i) => {
    out.writeUInt32LE(value, 8 + 4 * i);
  });
  return out;
}

/** ACCESS_ALLOWED_ACE (MS-DTYP 2.4.4.2), inherited by subkeys (CONTAINER_INHERIT_ACE). */
function allowAce(mask: number, trustee: Buffer): Buffer {
  const out = Buffer.alloc(8 + trustee.length);
  out.writeUInt8(0x00, 0); // ACCESS_ALLOWED_ACE_TYPE
  out.writeUInt8(0x02, 1); // CONTAINER_INHERIT_ACE
  out.writeUInt16LE(out.length, 2);
  out.writeUInt32LE(mask, 4);
  trustee.copy(out, 8);
  return out;
}

/** ACL (MS-DTYP 2.4.5), revision 2. */
function acl(aces: readonly Buffer[]): Buffer {
  const body = Buffer.concat(aces);
  const header = Buffer.alloc(8);
  header.writeUInt8(2, 0); // AclRevision
  header.writeUInt16LE(8 + body.length, 2); // AclSize
  header.writeUInt16LE(aces.length, 4); // AceCount
  return Buffer.concat([header, body]);
}

function align8(size: number): number {
  return Math.ceil(size / 8) * 8;
}
