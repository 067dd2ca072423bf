import { checkNumberArgument } from './option-keys.js';
/** A 32-bit value (CRC-32, flags) as unsigned hex, zero-padded: the one formatter for messages and tables. */
export function hex(value: number, digits = 8): string {
  checkNumberArgument(value, 'a number', 'hex');
  return (value >>> 0).toString(16).padStart(digits, '0');
}
