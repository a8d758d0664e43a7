/** Errors the local endpoint answers with: status, `x-amzn-errortype` and message, as the service does. */

export class MediaConvertApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

export class BadRequestException extends MediaConvertApiError {
  constructor(message: string) {
    super(400, 'BadRequestException', message);
  }
}
