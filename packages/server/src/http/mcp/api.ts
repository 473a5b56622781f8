// How the MCP tools read telemetry: through Sightline's own HTTP API, with the caller's key. At
// /mcp the requests go to the same Hono app in process; `sightline mcp` (stdio) sends them to a
// running server. Either way every tool sees exactly what the API shows that key: same scopes,
// same project, same parameter checks.

export type ApiAnswer<T> = { ok: true; body: T } | { ok: false; status: number; message: string };

/** GET `path` (with its query string) from the API as the caller. */
export type TelemetryApi = <T>(path: string) => Promise<ApiAnswer<T>>;

/** An API response as an answer: the body, or the status and the server's own error message. */
export async function answerOf<T>(res: Response): Promise<ApiAnswer<T>> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  if (res.ok) return { ok: true, body: body as T };
  const message = (body as { error?: { message?: string } } | null)?.error?.message ?? (typeof body === 'string' && body !== '' ? body.slice(0, 200) : res.statusText);
  return { ok: false, status: res.status, message };
}

/**
 * The API of an app in this process, as the holder of `authorization` (an "Authorization" header).
 * @example const api = inProcessApi((req) => app.fetch(req, env), c.req.header('authorization'));
 */
export function inProcessApi(fetch: (req: Request) => Response | Promise<Response>, authorization: string): TelemetryApi {
  return async <T>(path: string) => answerOf<T>(await fetch(new Request(`http://sightline.internal${path}`, { headers: { authorization, accept: 'application/json' } })));
}
