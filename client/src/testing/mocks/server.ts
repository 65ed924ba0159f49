import { setupServer } from 'msw/node';

/** Intercepts `fetch` at the network boundary. Tests add handlers with `server.use(...)`. */
export const server = setupServer();
