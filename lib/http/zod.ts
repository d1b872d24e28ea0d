import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// Adds `.openapi()` to zod schemas (idempotent). API schemas import `z` from here so it is always applied
// before they are declared.
extendZodWithOpenApi(z);

export { z };
