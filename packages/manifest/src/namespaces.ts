import { checkTextArgument } from '@appv/opc';
/**
 * Every namespace and hash-method URI of the footprint documents, in one place. Namespace URIs are
 * compared exactly unless a reader says otherwise: their case is significant (FORMAT.md §4, §5).
 */

import type { HashAlgorithm } from '@appv/opc';

// FORMAT.md §2 [doc]: the BlockMap. 2010 is what App-V (and MakeAppx) write; the others are read tolerantly.
export const BLOCKMAP_NS_2010 = 'http://schemas.microsoft.com/appx/2010/blockmap';
export const BLOCKMAP_NS_2015 = 'http://schemas.microsoft.com/appx/2015/blockmap';
export const BLOCKMAP_NS_2017 = 'http://schemas.microsoft.com/appx/2017/blockmap';
/** Only ever seen as an ignorable child namespace (`FileHash`), accepted as a root namespace too. */
export const BLOCKMAP_NS_2021 = 'http://schemas.microsoft.com/appx/2021/blockmap';
export const BLOCKMAP_NAMESPACES: readonly string[] = [
  BLOCKMAP_NS_2010,
  BLOCKMAP_NS_2015,
  BLOCKMAP_NS_2017,
  BLOCKMAP_NS_2021,
];

/** FORMAT.md §2 [doc]: the three HashMethod URIs the BlockMap schema allows. */
export const HASH_METHOD_URIS: Readonly<Record<HashAlgorithm, string>> = {
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha384: 'http://www.w3.org/2001/04/xmldsig-more#sha384',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
};

/** The algorithm of a HashMethod URI, or undefined when it is not one of the three. */
export function hashAlgorithmOf(uri: string): HashAlgorithm | undefined {
  for (const [algorithm, known] of Object.entries(HASH_METHOD_URIS)) {
    if (known === uri) return algorithm as HashAlgorithm;
  }
  return undefined;
}

// FORMAT.md §6: AppxManifest. App-V writes the 2010 AppX namespace; AppX/MSIX packages use the later ones.
export const APPX_MANIFEST_NS_2010 = 'http://schemas.microsoft.com/appx/2010/manifest';
export const APPX_MANIFEST_NS_2013 = 'http://schemas.microsoft.com/appx/2013/manifest';
export const APPX_FOUNDATION_NS_WINDOWS10 = 'http://schemas.microsoft.com/appx/manifest/foundation/windows10';
/** Root namespaces of `Package` we read identity and properties from. */
export const APPX_PACKAGE_NAMESPACES: readonly string[] = [
  APPX_MANIFEST_NS_2010,
  APPX_MANIFEST_NS_2013,
  APPX_FOUNDATION_NS_WINDOWS10,
];

/** FORMAT.md §6 [tools]: App-V 5.0, 5.0 SP2 (`appv1.1`), 5.1 (`appv1.2`) manifest namespaces. */
export const APPV_MANIFEST_NS_2010 = 'http://schemas.microsoft.com/appv/2010/manifest';
export const APPV_MANIFEST_NS_2013 = 'http://schemas.microsoft.com/appv/2013/manifest';
export const APPV_MANIFEST_NS_2014 = 'http://schemas.microsoft.com/appv/2014/manifest';
export const APPV_MANIFEST_NAMESPACES: readonly string[] = [
  APPV_MANIFEST_NS_2010,
  APPV_MANIFEST_NS_2013,
  APPV_MANIFEST_NS_2014,
];

/** FORMAT.md §4 [tools]: lower case. */
export const STREAMMAP_NS = 'http://schemas.microsoft.com/appv/2010/streammap';
/** FORMAT.md §5 [tools]: mixed case. */
export const FILESYSTEM_METADATA_NS = 'http://schemas.microsoft.com/appv/2010/FilesystemMetadata';
/** Seen in a real sequencer-written PackageHistory.xml (NotepadPlusPlus.appx fixture). */
export const PACKAGE_HISTORY_NS = 'http://schemas.microsoft.com/appv/2010/PackageHistory';
/** FORMAT.md §7 [tools]: dynamic configuration next to the package. */
export const DEPLOYMENT_CONFIG_NS = 'http://schemas.microsoft.com/appv/2010/deploymentconfiguration';
export const USER_CONFIG_NS = 'http://schemas.microsoft.com/appv/2010/userconfiguration';

/** Case-insensitive namespace match, for the App-V documents whose case writers have been seen to vary. */
export function sameNamespaceIgnoringCase(actual: string | null, expected: string): boolean {
  if (actual !== null) checkTextArgument(actual, 'a namespace or null', 'sameNamespaceIgnoringCase');
  checkTextArgument(expected, 'the namespace expected', 'sameNamespaceIgnoringCase');
  return actual !== null && actual.toLowerCase() === expected.toLowerCase();
}
