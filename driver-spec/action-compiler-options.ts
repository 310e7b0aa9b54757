/**
 * The compiler settings a driver's actions are checked with, in tsconfig.json's form: by
 * `styrmin validate` (driver-spec/type-check.ts) and, in the tsconfig.json `styrmin driver init`
 * writes, by editors and `tsc -p`. Strict, as the project's own; module resolution is the
 * bundler's, since actions run through the worker's webpack bundle (extensionless and
 * `.js`-for-`.ts` imports both resolve).
 */
export const actionCompilerOptions = {
  target: 'ES2022',
  module: 'ESNext',
  moduleResolution: 'Bundler',
  lib: ['ES2022'],
  types: ['node'],
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  esModuleInterop: true,
  resolveJsonModule: true,
  isolatedModules: true,
  skipLibCheck: true,
  noEmit: true,
} as const;

/**
 * Where a driver's imports of Styrmin and of the packages actions use resolve, given the Styrmin
 * folder as the paths are to be written (absolute, or relative to a driver's tsconfig.json).
 */
export function styrminPaths(styrminDir: string): Record<string, string[]> {
  return {
    'styrmin/actions': [`${styrminDir}/workflows/primitives.ts`],
    'styrmin/testing': [`${styrminDir}/testing/index.ts`],
    '@temporalio/*': [`${styrminDir}/node_modules/@temporalio/*`],
  };
}
