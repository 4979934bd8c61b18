/** An answer from the API that was not a success, in the server's one error body {statusCode, error, message, details?}. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Reads an error response; a body that is not ours (a proxy's HTML page) still becomes a readable message. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { message?: unknown; details?: unknown };
    if (typeof body.message === 'string') return new ApiError(res.status, body.message, body.details);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status, text.slice(0, 300) || res.statusText);
}
