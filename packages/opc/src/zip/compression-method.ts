/** FORMAT.md §8: the only two methods an OPC package may use. */
export const CompressionMethod = {
  Stored: 0,
  Deflate: 8,
} as const;

export type CompressionMethod = (typeof CompressionMethod)[keyof typeof CompressionMethod];

export function isSupportedMethod(method: number): method is CompressionMethod {
  return method === CompressionMethod.Stored || method === CompressionMethod.Deflate;
}

export function methodName(method: number): string {
  if (method === CompressionMethod.Stored) return 'stored';
  if (method === CompressionMethod.Deflate) return 'deflate';
  return `method ${method}`;
}
