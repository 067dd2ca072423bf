import { createRequire } from 'node:module';
import type * as FastXmlParser from 'fast-xml-parser';
import type Yauzl from 'yauzl';

/**
 * Our two runtime dependencies, loaded with `require` rather than `import`. Both ship CommonJS, and the ESM
 * route costs memory in every process that opens a package (Node 20, measured as resident size):
 * - yauzl imported from ESM goes through Node's CommonJS export lexer, +10 MB; `require` adds 3 MB;
 * - fast-xml-parser's ESM entry is a graph of some twenty modules, +9 MB; its CommonJS build is one
 *   file, +1 MB.
 * Against a 128 MB budget for verifying any package, that is a tenth of it for nothing.
 */
const require = createRequire(import.meta.url);

export const yauzl: typeof Yauzl = require('yauzl');
export const { XMLValidator }: typeof FastXmlParser = require('fast-xml-parser');
