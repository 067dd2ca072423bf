import type { Finding } from '@appv/opc';

/**
 * How every verb shows a finding (verify's findings, info's problems, pack's and edit's warnings, extract's
 * problems): one line for people, one JSON shape for scripts. They differed between verbs (found by review).
 */

/** The documented JSON shape: all five keys, in this order, absent locations as null. */
export function findingJson(finding: Finding) {
  return {
    code: finding.code,
    severity: finding.severity,
    part: finding.part ?? null,
    block: finding.block ?? null,
    message: finding.message,
  };
}

/** `error HASH_MISMATCH Root\x.dll block 3: message`; the location parts only when known. */
export function findingLine(finding: Finding): string {
  const where = [finding.part, finding.block === undefined ? undefined : `block ${finding.block}`].filter(
    (part): part is string => part !== undefined,
  );
  return `${finding.severity} ${finding.code}${where.length > 0 ? ` ${where.join(' ')}` : ''}: ${unlocated(finding)}`;
}

/**
 * The message without the location the line already gives: many messages start with their part (and
 * block), for readers of the library's findings, which made the line say it twice (found by review).
 */
function unlocated(finding: Finding): string {
  const { part, block, message } = finding;
  if (part === undefined) return message;
  for (const prefix of [`${part}, block ${block}: `, `${part}: `]) {
    if (message.startsWith(prefix)) return message.slice(prefix.length);
  }
  return message;
}
