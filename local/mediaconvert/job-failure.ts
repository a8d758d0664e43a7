/** A job that ends in ERROR, with MediaConvert's error code (1010 input, 1040 audio, 1432 write, 1999 other). */
export class JobFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}
