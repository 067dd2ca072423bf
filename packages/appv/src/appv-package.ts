import type { Readable } from 'node:stream';
import {
  type AppxManifest,
  type BlockMap,
  type FilesystemMetadata,
  type PackageHistory,
  parseAppxManifest,
  parseBlockMap,
  parseFilesystemMetadata,
  parsePackageHistory,
  parseStreamMap,
  type StreamMap,
} from '@appv/manifest';
import {
  AppvError,
  BLOCK_SIZE,
  checkOptionKeys,
  ErrorCode,
  OpcPackage,
  type OpenOptions,
  type OptionKeys,
  type PackageInput,
  type PackageItem,
  type PartStreamOptions,
  payloadXmlNodeLimit,
  type ReadPartOptions,
  untilAborted,
} from '@appv/opc';
import { PartNames } from './footprint.js';
import { lookUpPart } from './part-lookup.js';

export interface AppvOpenOptions extends OpenOptions {
  /**
   * For a caller that reads and never writes the package's documents back (the verifier): the parsed
   * BlockMap then keeps no copy of its bytes, nor FilesystemMetadata its XML tree. Default false.
   */
  readonly readOnly?: boolean | undefined;
}

const OPEN_OPTION_KEYS: OptionKeys<AppvOpenOptions> = { signal: 'signal', readOnly: 'boolean' };

/** The options of the document reads (`blockMap()`, `manifest()`, …). */
export interface DocumentOptions {
  /**
   * Stops waiting: the call rejects with ABORTED at once, even on a source whose read never settles (found
   * by review: verify and extract waited on such a read for ever). The read itself is shared by every
   * caller of the cached document, so it is not cancelled; a later call reads again if it failed.
   */
  readonly signal?: AbortSignal | undefined;
}

const DOCUMENT_OPTION_KEYS: OptionKeys<DocumentOptions> = { signal: 'signal' };

/**
 * The public facade over one package: the container (`opc`) plus its footprint documents, parsed on first
 * use and cached. Works for App-V packages and for plain AppX/MSIX (whose App-V parts are simply absent).
 */
export class AppvPackage {
  private readonly cache = new Map<string, Promise<unknown>>();

  private constructor(
    readonly opc: OpcPackage,
    private readonly readOnly: boolean,
  ) {}

  static async open(input: PackageInput, options: AppvOpenOptions = {}): Promise<AppvPackage> {
    checkOptionKeys(options, OPEN_OPTION_KEYS, 'openPackage');
    return new AppvPackage(await OpcPackage.open(input, options), options.readOnly ?? false);
  }

  get items(): readonly PackageItem[] {
    return this.opc.items;
  }

  /** The part by decoded or ZIP name; throws OPC_PART_NOT_FOUND. */
  part(name: string): PackageItem {
    return lookUpPart(this.opc, name) ?? this.opc.requireItem(name);
  }

  /** Whether the package holds a part of that name: a ZIP directory entry (`Registry.dat/`) is none. */
  has(name: string): boolean {
    const item = lookUpPart(this.opc, name);
    return item !== undefined && item.kind !== 'directory';
  }

  /** The part's bytes; a name not in the package rejects (OPC_PART_NOT_FOUND), it does not throw. */
  async readPart(name: string, options: ReadPartOptions = {}): Promise<Buffer> {
    return this.opc.readPart(this.part(name), options);
  }

  openStream(name: string, options: PartStreamOptions = {}): Readable {
    return this.opc.openStream(this.part(name), options);
  }

  /** AppxBlockMap.xml; throws BLOCKMAP_MISSING when absent. */
  blockMap(options: DocumentOptions = {}): Promise<BlockMap> {
    return this.document(PartNames.blockMap, ErrorCode.BLOCKMAP_MISSING, options, (bytes, parse) =>
      parseBlockMap(bytes, { ...parse, keepSource: !this.readOnly }),
    );
  }

  /** AppxManifest.xml; throws APPV_PART_MISSING when absent. */
  manifest(options: DocumentOptions = {}): Promise<AppxManifest> {
    return this.document(PartNames.manifest, ErrorCode.APPV_PART_MISSING, options, parseAppxManifest);
  }

  /** StreamMap.xml, or null in a package without one (AppX). */
  streamMap(options: DocumentOptions = {}): Promise<StreamMap | null> {
    return this.optional(PartNames.streamMap, options, (bytes, parse) =>
      parseStreamMap(bytes, { ...parse, maxNodes: this.payloadNodeLimit() }),
    );
  }

  filesystemMetadata(options: DocumentOptions = {}): Promise<FilesystemMetadata | null> {
    return this.optional(PartNames.filesystemMetadata, options, (bytes, parse) =>
      parseFilesystemMetadata(bytes, {
        ...parse,
        keepSource: !this.readOnly,
        maxNodes: this.payloadNodeLimit(),
      }),
    );
  }

  packageHistory(options: DocumentOptions = {}): Promise<PackageHistory | null> {
    return this.optional(PartNames.packageHistory, options, parsePackageHistory);
  }

  close(): Promise<void> {
    return this.opc.close();
  }

  private document<T>(
    name: string,
    missing: ErrorCode,
    options: DocumentOptions,
    parse: (bytes: Buffer, options: { part: string }) => T,
  ): Promise<T> {
    try {
      checkOptionKeys(options, DOCUMENT_OPTION_KEYS, `the read of ${name}`);
    } catch (error) {
      return Promise.reject(error); // a promise-returning call rejects; it does not throw
    }
    let loaded = this.cache.get(name) as Promise<T> | undefined;
    if (!loaded) {
      loaded = (async () => {
        const item = this.opc.item(name);
        if (!item) throw new AppvError(missing, `The package has no ${name}`, { part: name });
        return parse(await this.opc.readPart(item), { part: name });
      })();
      this.cache.set(name, loaded);
      // A read that failed is not kept: the next call reads again (after an I/O error, say).
      loaded.catch(() => {
        if (this.cache.get(name) === loaded) this.cache.delete(name);
      });
    }
    return untilAborted(loaded, options.signal);
  }

  /** How large a payload-sized document this package can justify (limits.ts, payloadXmlNodeLimit). */
  private payloadNodeLimit(): number {
    let blocks = 0;
    for (const item of this.items) blocks += Math.ceil(item.uncompressedSize / BLOCK_SIZE);
    return payloadXmlNodeLimit(this.items.length, blocks);
  }

  private optional<T>(
    name: string,
    options: DocumentOptions,
    parse: (bytes: Buffer, options: { part: string }) => T,
  ): Promise<T | null> {
    if (!this.has(name)) return Promise.resolve(null);
    return this.document(name, ErrorCode.APPV_PART_MISSING, options, parse);
  }
}

export function openPackage(input: PackageInput, options: AppvOpenOptions = {}): Promise<AppvPackage> {
  return AppvPackage.open(input, options);
}
