/**
 * zod for code that also runs in the browser (lib/protocol, lib/auth/env).
 * There it must run without its JIT: zod probes `Function('')` once, when the
 * first object schema is *defined*, and the Content-Security-Policy (no
 * 'unsafe-eval') reports that probe as a violation. Setting the option here,
 * in the module every schema module imports z from, puts it before any
 * definition, whatever order the browser evaluates the chunks in.
 */
import { z } from 'zod';

if (typeof document !== 'undefined') z.config({ jitless: true });

export { z };
