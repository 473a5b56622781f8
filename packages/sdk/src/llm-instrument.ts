// Shared machinery for provider wrappers: a proxy that swaps chosen methods of a client object, and
// a call wrapper that times a model call (streamed or not) as an llm_call span. Provider files only
// say how to read their request, response and stream chunks.

import type { SpanFields } from './event.js';
import type { Span } from './span.js';

/** The part of the client the wrappers need (kept narrow so wrappers do not import the client). */
export interface SpanStarter {
  startSpan(type: 'llm_call', name: string, fields?: SpanFields): Span;
}

/** Reads one provider's call. `observeChunk` is fed every streamed chunk in order. */
export interface ProviderAdapter {
  provider: string;
  operation: string;
  request(params: Record<string, unknown>): SpanFields;
  response(result: unknown): SpanFields;
  stream(): StreamObserver;
}

export interface StreamObserver {
  /** Returns true when this chunk carried the first generated content. */
  observe(chunk: unknown): boolean;
  fields(): SpanFields & { error?: unknown };
}

export type MethodTree = { [key: string]: MethodTree | ((original: (...args: unknown[]) => unknown, self: object) => (...args: unknown[]) => unknown) };

/** Proxies `target` so that the methods named in `tree` are replaced; everything else passes through. */
export function proxyMethods<T extends object>(target: T, tree: MethodTree): T {
  // Keyed by the underlying value, so a client that swaps its sub-objects still gets fresh wrappers.
  const wrappers = new WeakMap<object, unknown>();
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      const spec = typeof prop === 'string' && Object.hasOwn(tree, prop) ? tree[prop] : undefined;
      if (spec === undefined || value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
      const hit = wrappers.get(value);
      if (hit !== undefined) return hit;
      let wrapped: unknown;
      if (typeof spec === 'function') {
        if (typeof value !== 'function') return value;
        wrapped = spec(value as (...args: unknown[]) => unknown, obj);
      } else {
        wrapped = proxyMethods(value, spec);
      }
      wrappers.set(value, wrapped);
      return wrapped;
    },
  });
}

/** Wraps a provider method so each call becomes an llm_call span; results and errors pass through unchanged. */
export function instrumentCall(sightline: SpanStarter, adapter: ProviderAdapter, original: (...args: unknown[]) => unknown, self: object) {
  return function instrumented(...args: unknown[]): unknown {
    let span: Span | undefined;
    let streaming = false;
    let startedAt = 0;
    try {
      const params = (typeof args[0] === 'object' && args[0] !== null ? args[0] : {}) as Record<string, unknown>;
      streaming = params.stream === true;
      const req = adapter.request(params);
      span = sightline.startSpan('llm_call', `${adapter.operation} ${req.model ?? 'unknown'}`.trim(), { provider: adapter.provider, ...req });
      startedAt = performance.now();
    } catch {
      span = undefined;
    }
    let ret: unknown;
    try {
      ret = original.apply(self, args);
    } catch (err) {
      span?.recordError(err).end();
      throw err;
    }
    if (span === undefined) return ret;
    const s = span;
    if (!isThenable(ret)) {
      finishResponse(s, adapter, ret);
      return ret;
    }
    // Observe on a branch whose handlers never throw: no unhandled rejection of our own making.
    ret.then(
      (result) => {
        if (!streaming) finishResponse(s, adapter, result);
      },
      (err: unknown) => {
        s.recordError(err).end();
      },
    );
    if (!streaming) return ret;
    return withMappedThen(ret, (stream) => wrapStream(stream, s, adapter, startedAt));
  };
}

function finishResponse(span: Span, adapter: ProviderAdapter, result: unknown): void {
  try {
    span.set(adapter.response(result));
  } catch {
    // An unexpected response shape loses token counts, not the call.
  }
  span.end();
}

/**
 * Keeps the provider's promise object (its extra methods stay usable) but maps what `await` yields.
 * The mapped promise is made only when awaited, so nothing rejects unobserved.
 */
function withMappedThen(p: PromiseLike<unknown>, map: (v: unknown) => unknown): unknown {
  let mapped: Promise<unknown> | undefined;
  const get = () => (mapped ??= Promise.resolve(p).then(map));
  return new Proxy(p as object, {
    get(obj, prop) {
      if (prop === 'then') return (a?: (v: unknown) => unknown, b?: (e: unknown) => unknown) => get().then(a, b);
      if (prop === 'catch') return (b?: (e: unknown) => unknown) => get().catch(b);
      if (prop === 'finally') return (f?: () => void) => get().finally(f);
      const v: unknown = Reflect.get(obj, prop, obj);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(obj) : v;
    },
  });
}

/** Returns the stream with its async iterator observed; the span ends when iteration ends, fails or is abandoned. */
function wrapStream(stream: unknown, span: Span, adapter: ProviderAdapter, startedAt: number): unknown {
  if (stream === null || typeof stream !== 'object' || typeof (stream as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
    span.end();
    return stream;
  }
  const observer = adapter.stream();
  let firstTokenMs: number | undefined;
  let done = false;
  const finish = (err?: unknown) => {
    if (done) return;
    done = true;
    try {
      const { error, ...fields } = observer.fields();
      span.set(fields);
      if (firstTokenMs !== undefined) span.setAttribute('time_to_first_token_ms', firstTokenMs);
      span.setAttribute('stream', true);
      if (err !== undefined) span.recordError(err);
      else if (error !== undefined) span.recordError(error);
    } catch {
      // Keep the span even if the chunks were not what we expected.
    }
    span.end();
  };
  const observe = (chunk: unknown) => {
    try {
      if (observer.observe(chunk) && firstTokenMs === undefined) firstTokenMs = performance.now() - startedAt;
    } catch {
      // A chunk we cannot read is still passed to the agent.
    }
  };
  return new Proxy(stream, {
    get(obj, prop) {
      if (prop === Symbol.asyncIterator) {
        return () => {
          const it = (obj as AsyncIterable<unknown>)[Symbol.asyncIterator]();
          const wrapped: AsyncIterator<unknown> = {
            next: async (...a: [] | [unknown]) => {
              try {
                const r = await it.next(...a);
                if (r.done) finish();
                else observe(r.value);
                return r;
              } catch (err) {
                finish(err);
                throw err;
              }
            },
            return: async (v?: unknown) => {
              finish();
              return it.return ? it.return(v) : { done: true, value: v };
            },
            throw: async (e?: unknown) => {
              finish(e);
              if (it.throw) return it.throw(e);
              throw e;
            },
          };
          return wrapped;
        };
      }
      const v: unknown = Reflect.get(obj, prop, obj);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(obj) : v;
    },
  });
}

export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/** Reads a number at a path of an unknown value, or undefined. */
export function num(obj: unknown, ...path: string[]): number | undefined {
  let cur: unknown = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return typeof cur === 'number' && Number.isFinite(cur) ? cur : undefined;
}

export function str(obj: unknown, ...path: string[]): string | undefined {
  let cur: unknown = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return typeof cur === 'string' ? cur : undefined;
}
