import { AppvError, ErrorCode } from '../errors.js';
/**
 * MS-DOS date and time as ZIP headers store them (APPNOTE 4.4.6): local time, 2-second resolution, years
 * 1980–2107. Dates outside that range are clamped, since a header cannot say anything else.
 */
export interface DosDateTime {
  readonly date: number;
  readonly time: number;
}

/** 1980-01-01 00:00:00, what `--deterministic` writes so that the same input gives the same bytes. */
export const DOS_EPOCH: DosDateTime = { date: (1 << 5) | 1, time: 0 };

export function toDosDateTime(when: Date): DosDateTime {
  if (!(when instanceof Date)) throw new AppvError(ErrorCode.USAGE, 'toDosDateTime takes a Date');
  const year = when.getFullYear();
  if (Number.isNaN(year) || year < 1980) return DOS_EPOCH;
  if (year > 2107) return { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29 };
  return {
    date: ((year - 1980) << 9) | ((when.getMonth() + 1) << 5) | when.getDate(),
    time: (when.getHours() << 11) | (when.getMinutes() << 5) | (when.getSeconds() >> 1),
  };
}
