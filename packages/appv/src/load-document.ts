import { ErrorCode, type FindingSink, findingFromError, toAppvError } from '@appv/opc';

/**
 * Loads a footprint document tolerantly, turning a parse failure into a finding (and null) so one broken
 * part does not hide the others' problems (verify) or the rest of the information (info). Aborts and I/O
 * failures still throw.
 */
export async function loadDocument<T>(load: () => Promise<T>, sink: FindingSink): Promise<T | null> {
  try {
    return await load();
  } catch (error) {
    const wrapped = toAppvError(error, ErrorCode.XML_MALFORMED);
    if (wrapped.code === ErrorCode.ABORTED || wrapped.code === ErrorCode.IO_READ_FAILED) throw wrapped;
    sink.add(findingFromError(wrapped));
    return null;
  }
}
