// editPackage(output = input) while the same process holds the input open and reads a large part slowly.
import { copyFileSync } from 'node:fs';
import * as appv from '/work/main/packages/appv/dist/index.js';
copyFileSync('/tmp/review-abort/big.appv', '/tmp/review-abort/inplace2.appv');
const reader = await appv.openPackage('/tmp/review-abort/inplace2.appv');
const s = reader.openStream('Root\\VFS\\ProgramFilesX86\\big\\d0\\f0.bin');
let n = 0; let first = true;
const reading = (async () => { for await (const c of s) { n += c.length; if (first) { first = false; await new Promise((r) => setTimeout(r, 1500)); } } })();
const r = await appv.editPackage('/tmp/review-abort/inplace2.appv', '/tmp/review-abort/inplace2.appv', { newVersion: true, add: [{ name: 'Root/x.bin', path: '/tmp/review-abort/big/d1/f1.bin' }] }).then(() => 'edit ok', (e) => `edit failed ${e.code} ${e.message}`);
console.log(r);
await reading.then(() => console.log('reader read', n, 'bytes fine'), (e) => console.log('reader failed', e.code, e.message));
await reader.close();
const v = await appv.verifyPackage('/tmp/review-abort/inplace2.appv');
console.log('edited package valid:', v.valid);
