import { AppvError, describeError, ErrorCode } from '@appv/opc';

/** A file-system failure while extracting, as the project's one error type, naming the part and the path. */
export function writeError(error: unknown, file: string, name: string): AppvError {
  const message = describeError(error);
  return new AppvError(ErrorCode.IO_WRITE_FAILED, `Cannot extract ${name} to ${file}: ${message}`, {
    part: name,
    file,
    cause: error,
  });
}
