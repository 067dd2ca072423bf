import { ErrorCode, type FindingList, findingFromError, toAppvError } from '@appv/opc';

/**
 * Loads a footprint document for the verifier, turning a parse failure into a finding (and null) so one
 * broken part does not hide the others' problems. Aborts and I/O failures still throw.
 */
export async function loadDocument<T>(load: () => Promise<T>, sink: FindingList): Promise<T | null> {
  try {
    return await load();
  } catch (error) {
    const wrapped = toAppvError(error, ErrorCode.XML_MALFORMED);
    if (wrapped.code === ErrorCode.ABORTED || wrapped.code === ErrorCode.IO_READ_FAILED) throw wrapped;
    sink.add(findingFromError(wrapped));
    return null;
  }
}
