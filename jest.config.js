/**
 * Three projects: pure unit specs, integration specs against the real services (parallel, each file
 * isolated), and fault specs that stop/restart services (run in band, after the others; see scripts/test.sh).
 */
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^@app/messaging(|/.*)$': '<rootDir>/libs/messaging/src$1' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

module.exports = {
  // Global, not per project: Jest ignores testTimeout inside `projects`. Fault specs raise it themselves.
  testTimeout: 120000,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts,test,chaos}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts', '<rootDir>/{apps,libs,test}/**/*.e2e-spec.ts'],
    },
    {
      ...base,
      displayName: 'faults',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.fault-spec.ts'],
    },
  ],
};
