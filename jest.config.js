// Unit specs sit beside the code; end-to-end tests live in test/. Both run through swc
// (type checking is `npm run typecheck`, done once before the suite).
const transform = {
  '^.+\\.(t|j)s$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs', ignoreDynamic: true },
    },
  ],
};

module.exports = {
  testEnvironment: 'node',
  // Real documents and models run in many specs; 5 s (jest's default) is too tight on a busy 2-core
  // CI machine. A test that needs more still says so with its own timeout.
  testTimeout: 30_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/src', '<rootDir>/ingestion', '<rootDir>/migrations'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
    },
  ],
};
