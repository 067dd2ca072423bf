import { blockCount, blockHash, blockSizes, shareBlocks, withCompactBlocks } from '@appv/opc';
import { describe, expect, it } from 'vitest';

const digest = (fill: number) => Buffer.alloc(32, fill);
const compact = () =>
  withCompactBlocks({ name: 'a' }, Buffer.concat([digest(1), digest(2)]), 32, [7, undefined]);
const expected = [{ hash: digest(1), size: 7 }, { hash: digest(2) }];
const isCompact = (owner: object) => Object.getOwnPropertyDescriptor(owner, 'blocks')?.get !== undefined;

describe('compact block lists (compact-blocks.ts)', () => {
  it('read as an ordinary property: equality, spread and JSON see the blocks, and nothing else', () => {
    const owner = compact();
    expect(Object.keys(owner)).toEqual(['name', 'blocks']);
    expect({ ...compact() }).toEqual({ name: 'a', blocks: expected });
    expect(owner).toStrictEqual({ name: 'a', blocks: expected });
    expect(JSON.parse(JSON.stringify(compact())).blocks).toHaveLength(2);
  });

  it('stay compact until read; shareBlocks passes the compact form on without making objects', () => {
    const owner = compact();
    const shared = shareBlocks({ name: 'b' }, owner);
    expect(blockCount(owner)).toBe(2);
    expect(blockSizes(shared)).toEqual([7, undefined]);
    expect(blockHash(shared, 1)).toEqual(digest(2));
    expect(isCompact(owner) && isCompact(shared)).toBe(true);
    expect(shared.blocks).toEqual(expected);
    expect(isCompact(shared)).toBe(false);
    expect(isCompact(owner)).toBe(true);
  });

  it('work through a proxy, an object made from the owner, and a copy of its descriptors', () => {
    const owner = compact();
    const proxy = new Proxy(owner, {});
    expect(proxy.blocks).toEqual(expected);
    expect(owner.blocks).toEqual(expected);
    expect(blockCount(owner)).toBe(2);
    const base = compact();
    const child = Object.create(base) as typeof base;
    expect(child.blocks).toEqual(expected);
    expect(isCompact(base)).toBe(true);
    const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(compact())) as ReturnType<
      typeof compact
    >;
    expect(copy.blocks).toEqual(expected);
    expect(blockSizes(copy)).toEqual([7, undefined]);
  });

  it('a frozen owner keeps one array and refuses assignment, like any frozen property', () => {
    const owner = Object.freeze(compact());
    const first = owner.blocks;
    expect(first).toEqual(expected);
    expect(owner.blocks).toBe(first);
    first.push({ hash: digest(3), size: 1 });
    expect(blockCount(owner)).toBe(3);
    expect(blockSizes(owner)).toEqual([7, undefined, 1]);
    expect(() => {
      (owner as { blocks: unknown[] }).blocks = [];
    }).toThrow(TypeError);
    expect(owner.blocks).toBe(first);
  });

  it('once read or assigned, the array is the truth for every accessor', () => {
    const owner = compact();
    owner.blocks.push({ hash: digest(3) });
    expect(blockSizes(owner)).toEqual([7, undefined, undefined]);
    const assigned = compact();
    assigned.blocks = [{ hash: digest(9), size: 4 }];
    expect(blockCount(assigned)).toBe(1);
    expect(blockHash(assigned, 0)).toEqual(digest(9));
  });
});
