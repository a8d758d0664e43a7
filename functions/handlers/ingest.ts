// Placeholder so the declaration's entry exists while the handler is written.
export const handler = async (): Promise<unknown> => ({ statusCode: 501, body: 'not implemented yet' });
