// The bundle's entry: re-exports main() for bin/pg-preflight.js.
export { main, run } from './main.js';
