// The span active in the current async context, so nested work finds its parent without passing it.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { ActiveSpan } from './span.js';

export const activeSpan = new AsyncLocalStorage<ActiveSpan>();
