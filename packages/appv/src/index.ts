/**
 * appv: read, inspect, extract and verify Microsoft App-V 5 `.appv` packages (and AppX/MSIX, which share
 * the container). One import gives the whole public API, error types included.
 */

export {
  AppvError,
  type AppvErrorOptions,
  ErrorCode,
  type ErrorLocation,
  type Finding,
  isAppvError,
  type OpenOptions,
  type PackageInput,
  type PackageItem,
  type Severity,
  WorkerPool,
} from '@appv/opc';
export { type AppvOpenOptions, AppvPackage, openPackage } from './appv-package.js';
export { type EditOptions, type EditResult, editPackage } from './edit/edit-package.js';
export {
  type ExtractOptions,
  type ExtractProgress,
  type ExtractResult,
  extractPackage,
} from './extract/extract-package.js';
export {
  applyFeatureBlocks,
  type FeatureBlockOptions,
  type FeatureFileSpec,
  parseFeatureFileSpec,
} from './pack/feature-blocks.js';
export type { IdentityOptions } from './pack/identity-options.js';
export { type PackOptions, type PackResult, packPackage } from './pack/pack-package.js';
export { type SourceFile, type SourceTree, scanSource } from './pack/source-tree.js';
export {
  type ApplicationInfo,
  type FeatureBlockInfo,
  listParts,
  type PackageInfo,
  type PackageInfoOptions,
  type PartRow,
  packageInfo,
} from './package-info.js';
export { type VerifyOptions, verifyPackage } from './verify/verify.js';
export type { VerifyPhase, VerifyProgress, VerifyReport, VerifyStats } from './verify/verify-report.js';
