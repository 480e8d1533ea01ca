// Kept in step with package.json by test/unit/inventory.test.ts.
export const VERSION = '0.1.0';
