// One error type for every simulated service; each protocol module renders it its own way
// (AWS JSON `__type` for Glue and CloudWatch Logs, an XML <Error> document for S3).

export class SimError extends Error {
  override readonly name = 'SimError';
  /** The AWS error code, e.g. EntityNotFoundException or NoSuchKey. */
  readonly code: string;
  readonly status: number;
  /** Extra fields of an S3 XML error (Key, BucketName, ...). */
  readonly extra: Record<string, string>;

  constructor(code: string, message: string, status = 400, extra: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.status = status;
    this.extra = extra;
  }
}
