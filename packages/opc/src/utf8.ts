import { AppvError, ErrorCode } from './errors.js';

/**
 * The one UTF-8 decoder for names and XML: bytes that are not UTF-8 throw (`fatal`), and a leading U+FEFF
 * stays a character (`ignoreBOM`). TextDecoder's default drops it as a byte order mark, which in a name
 * silently renames the file: `%EF%BB%BFa.txt` decoded to `a.txt`, and a Linux file whose name starts with
 * U+FEFF could not be packed (its path no longer named it). XML strips its own BOM before decoding
 * (xml-parser.ts). Stateless between calls (no `stream` option), so one instance serves everyone.
 */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const strictUtf8 = {
  /** The text of `bytes`; bytes that are not UTF-8 are an XML_ENCODING AppvError (TextDecoder's is a TypeError). */
  decode(bytes: Uint8Array): string {
    try {
      return decoder.decode(bytes);
    } catch (error) {
      throw new AppvError(ErrorCode.XML_ENCODING, `The bytes are not UTF-8: ${(error as Error).message}`, {
        cause: error,
      });
    }
  },
};
