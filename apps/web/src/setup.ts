import { z } from "zod";

// The server's CSP has no 'unsafe-eval': tell zod not to try compiling parsers with new Function.
z.config({ jitless: true });
